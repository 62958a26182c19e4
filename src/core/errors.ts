/**
 * Errors the operations raise: each says, in the user's words, what failed, at which step, and
 * what state it left behind, so a notification can be shown as-is and the log can say more.
 */
export class OperationError extends Error {
  constructor(
    message: string,
    /** The step that failed, e.g. 'UpdateAlias prod'. */
    readonly step?: string,
    /** What is true now, e.g. 'Version 8 was published but receives no traffic; prod is unchanged.' */
    readonly state?: string,
    override readonly cause?: unknown,
    /** Set when the user's input or a rule refused the operation before any write. */
    readonly kind: 'validation' | 'conflict' | 'aws' | 'cancelled' | 'credentials' | 'network' = 'aws',
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

export class CancelledError extends OperationError {
  constructor(state?: string) {
    super('Cancelled.', undefined, state, undefined, 'cancelled');
    this.name = 'CancelledError';
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'));
}

export function throwIfAborted(signal: AbortSignal | undefined, state?: string): void {
  if (signal?.aborted) throw new CancelledError(state);
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * True when a failed write may nevertheless have been carried out, so its outcome must be read
 * back rather than guessed: no answer arrived (a request timeout, a dropped connection), AWS
 * answered with a server error, or — after the SDK retried — a precondition refusal that may be
 * the answer to a retry of our own request, whose first attempt went through unanswered.
 */
export function outcomeUnknown(err: unknown): boolean {
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  if (name === 'TimeoutError' || /^(ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code ?? '') || /socket hang up/i.test(e.message ?? '')) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status >= 500) return true;
  const retried = (e.$metadata?.attempts ?? 1) > 1;
  return retried && ['PreconditionFailedException', 'ResourceConflictException', 'InvalidParameterValueException'].includes(name);
}

/**
 * Turns an SDK or network error into one clear sentence with the fix. `profile` names the
 * profile in use so the SSO advice can be copied as-is.
 */
export function describeAwsError(err: unknown, profile?: string): { message: string; kind: OperationError['kind'] } {
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  const msg = e.message ?? String(err);
  const code = e.code ?? '';
  const p = profile ? ` --profile ${profile}` : '';
  if (/ExpiredToken|RequestExpired|TokenRefreshRequired/.test(name) || /token.*(expired|is not valid)/i.test(msg)) {
    return {
      kind: 'credentials',
      message: `Your AWS credentials have expired. Refresh them (for SSO: run \`aws sso login${p}\`) and retry.`,
    };
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential.*not.*found|Unable to load credentials/i.test(msg)) {
    return {
      kind: 'credentials',
      message: `No AWS credentials were found${profile ? ` for profile '${profile}'` : ''}. Configure them (\`aws configure${p}\` or \`aws sso login${p}\`), or pick "Local sandbox" with "Lambda Canary: Select Connection".`,
    };
  }
  if (/UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException|SignatureDoesNotMatch/.test(name)) {
    return { kind: 'credentials', message: `AWS rejected the credentials${profile ? ` of profile '${profile}'` : ''} (${name}). Check the access key, or log in again.` };
  }
  if (/AccessDenied/.test(name)) {
    return { kind: 'aws', message: `Access denied: ${msg} Grant the permission listed in the README (IAM permissions) and retry.` };
  }
  if (code === 'ENOTFOUND' || /getaddrinfo ENOTFOUND/.test(msg)) {
    return { kind: 'network', message: `The endpoint could not be found (${msg}). Check the region and \`lambdaCanary.endpointUrl\`.` };
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) {
    return { kind: 'network', message: `Nothing answers at the endpoint (${msg}). Is the sandbox or LocalStack running? Check \`lambdaCanary.endpointUrl\`.` };
  }
  if (/ECONNRESET|socket hang up|EPIPE|TimeoutError|ETIMEDOUT|RequestTimeout/.test(`${name} ${code} ${msg}`)) {
    return { kind: 'network', message: `The connection to AWS failed (${name || code}: ${msg}). Retry; nothing was changed by the failed request.` };
  }
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException') {
    return { kind: 'aws', message: `AWS is throttling requests (${name}) even after retries. Wait a moment and retry.` };
  }
  return { kind: 'aws', message: `${name ? `${name}: ` : ''}${msg}` };
}
