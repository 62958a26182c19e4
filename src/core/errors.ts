import { redact } from './redact';

/**
 * What kind of failure: `validation` when the user's input or a rule refused the operation
 * before any write; `unknown` when a write was sent, no clear answer came back and the result
 * could not be read back either — it may or may not have been carried out.
 */
export type OperationErrorKind = 'validation' | 'conflict' | 'aws' | 'cancelled' | 'credentials' | 'network' | 'unknown';

export interface OperationErrorOptions {
  /** The step that failed, e.g. 'UpdateAlias prod'. */
  step?: string;
  /** What is true now, e.g. 'Version 8 was published but receives no traffic; prod is unchanged.' */
  state?: string;
  cause?: unknown;
  /** Default 'aws'. */
  kind?: OperationErrorKind;
  /**
   * Not a failure: what was asked is already true (the code is what the alias serves, the alias
   * already points there). The use case's outcome is `unchanged` with this message as its note.
   */
  nothingToDo?: boolean;
  /** What the action had found when it stopped (a cancelled probe's counts so far): kept in its outcome. */
  detail?: unknown;
}

/**
 * Errors the operations raise: each says, in the user's words, what failed, at which step, and
 * what state it left behind, so a notification can be shown as-is and the log can say more.
 * Message and state are redacted: an AWS message quoted in them may echo credentials.
 */
export class OperationError extends Error {
  readonly step?: string;
  /** What is true now. */
  readonly state?: string;
  override readonly cause?: unknown;
  readonly kind: OperationErrorKind;
  readonly nothingToDo: boolean;
  readonly detail?: unknown;

  constructor(message: string, options: OperationErrorOptions = {}) {
    super(redact(message));
    this.step = options.step;
    this.state = options.state === undefined ? undefined : redact(options.state);
    this.cause = options.cause;
    this.kind = options.kind ?? 'aws';
    this.nothingToDo = options.nothingToDo ?? false;
    this.detail = options.detail;
    this.name = 'OperationError';
  }
}

/** What a failed operation says to the user: the message, then the state it left when that adds anything. */
export function errorText(err: OperationError): string {
  return err.state && !err.message.includes(err.state) ? `${err.message} ${err.state}` : err.message;
}

export class CancelledError extends OperationError {
  constructor(state?: string) {
    super('Cancelled.', { state, kind: 'cancelled' });
    this.name = 'CancelledError';
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'));
}

export function throwIfAborted(signal: AbortSignal | undefined, state?: string): void {
  if (signal?.aborted) throw new CancelledError(state);
}

/**
 * AWS credentials could not be resolved, and why, in the user's words with the fix: raised by the
 * credentials provider of every client (core/credentials.ts) in place of the SDK's error, which is
 * kept as `cause` (and logged, redacted). `reason` is the diagnosed cause as a record.
 */
export class CredentialsError extends Error {
  override readonly cause: unknown;
  readonly reason: { kind: string };

  constructor(message: string, options: { cause: unknown; reason: { kind: string } }) {
    super(redact(message));
    this.cause = options.cause;
    this.reason = options.reason;
    this.name = 'CredentialsError';
  }
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
export function outcomeUnknown(err: unknown, retryRefusals: readonly string[] = []): boolean {
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  if (name === 'TimeoutError' || /^(ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code ?? '') || /socket hang up/i.test(e.message ?? '')) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status >= 500) return true;
  const retried = (e.$metadata?.attempts ?? 1) > 1;
  // ResourceInUseException: an event source mapping still changing because of that first attempt.
  // `retryRefusals`: the refusals a write names as what its own landed first attempt makes a retry
  // answer (a delete's retry: ResourceNotFoundException).
  return retried && ['PreconditionFailedException', 'ResourceConflictException', 'InvalidParameterValueException', 'ResourceInUseException', ...retryRefusals].includes(name);
}

/**
 * Turns an SDK or network error into one clear sentence with the fix. `profile` names the
 * profile in use so the SSO advice can be copied as-is.
 */
export function describeAwsError(err: unknown, profile?: string): { message: string; kind: OperationErrorKind } {
  const d = describe(err, profile);
  return { kind: d.kind, message: redact(d.message) };
}

/** `Name: message` of any error, redacted, for a log line or a one-line summary. */
export function errorSummary(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  const msg = e.message ?? String(err);
  return redact(e.name && e.name !== 'Error' ? `${e.name}: ${msg}` : msg);
}

function describe(err: unknown, profile?: string): { message: string; kind: OperationErrorKind } {
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  // Redacted before it is quoted, so that no redaction can reach into the advice around it.
  const msg = redact(e.message ?? String(err));
  const code = e.code ?? '';
  const p = profile ? ` --profile ${profile}` : '';
  // Diagnosed where the credentials failed to resolve: its message names the cause and the fix.
  if (err instanceof CredentialsError || name === 'CredentialsError') return { kind: 'credentials', message: msg };
  if (/ExpiredToken|RequestExpired|TokenRefreshRequired/.test(name) || /token.*(expired|is not valid)/i.test(msg)) {
    return {
      kind: 'credentials',
      message: `Your AWS credentials have expired. Refresh them (for SSO: run \`aws sso login${p}\`) and retry.`,
    };
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential.*not.*found|Unable to load credentials/i.test(msg)) {
    return {
      kind: 'credentials',
      message: `No AWS credentials were found${profile ? ` for profile '${profile}'` : ''}. Configure them (\`aws configure${p}\` or \`aws sso login${p}\`), or try the local sandbox instead ("Lambda Canary: Select Connection" in the editor, \`--sandbox\` on the command line).`,
    };
  }
  if (/UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException|SignatureDoesNotMatch/.test(name)) {
    return { kind: 'credentials', message: `AWS rejected the credentials${profile ? ` of profile '${profile}'` : ''} (${name}). Check the access key, or log in again.` };
  }
  if (/AccessDenied/.test(name)) {
    return { kind: 'aws', message: `Access denied: ${msg} Grant the permission listed in the README (IAM permissions) and retry.` };
  }
  if (code === 'ENOTFOUND' || /getaddrinfo ENOTFOUND/.test(msg)) {
    return { kind: 'network', message: `The endpoint could not be found (${msg}). Check the region and the endpoint (\`lambdaCanary.endpointUrl\` in the editor, \`--endpoint-url\` on the command line).` };
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) {
    return { kind: 'network', message: `Nothing answers at the endpoint (${msg}). Is the sandbox or LocalStack running? Check the endpoint (\`lambdaCanary.endpointUrl\` in the editor, \`--endpoint-url\` on the command line).` };
  }
  if (/ECONNRESET|socket hang up|EPIPE|TimeoutError|ETIMEDOUT|RequestTimeout/.test(`${name} ${code} ${msg}`)) {
    // No claim about what the request did: a write may have landed unanswered. The operation
    // says what is true (read back), or that it is unknown.
    return { kind: 'network', message: `The connection to AWS failed (${name || code}: ${msg}). Check the network and retry.` };
  }
  if (name === 'ResourceNotFoundException') {
    // A name that is not there (a typo, another region or account): bad input, nothing changed.
    return { kind: 'validation', message: `${sentence(msg)} Check the name, and that the region and account are the function's.` };
  }
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException') {
    return { kind: 'aws', message: `AWS is throttling requests (${name}) even after retries. Wait a moment and retry.` };
  }
  return { kind: 'aws', message: `${name ? `${name}: ` : ''}${sentence(msg)}` };
}

/** AWS's messages often end without a full stop; the words that follow them need one. */
function sentence(msg: string): string {
  return /[.!?)]$/.test(msg.trim()) || msg.trim() === '' ? msg : `${msg}.`;
}

/**
 * A write whose outcome is unknown: it was sent, no clear answer came back, and what it writes
 * could not be read back either. The error says only that, what may have happened, and how to
 * tell — never that nothing changed, and never "retry" before looking.
 */
export function unknownOutcome(input: {
  /** The write, e.g. 'UpdateAlias prod'. */
  step: string;
  /** What could not be read back, e.g. 'prod' or '$LATEST'. */
  subject: string;
  cause: unknown;
  /** What may have happened, e.g. 'prod may route as requested (prod → 8) or still as before (prod → 7).' */
  maybe: string;
  /** How to tell and what to do then. */
  check: string;
}): OperationError {
  return new OperationError(
    `${input.step}: no clear answer came back (${errorSummary(input.cause)}), and ${input.subject} could not be read back afterwards, so the outcome is unknown.`, { step: input.step, state: `Unknown: ${input.maybe} ${input.check}`, cause: input.cause, kind: 'unknown' },
  );
}
