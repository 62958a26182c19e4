/**
 * The Lambda Runtime API's rules, as pure functions: which runtime family a function belongs to,
 * the routes and headers of the API (2018-06-01), the error types it accepts, and its answers to a
 * runtime that breaks the protocol. The server itself is runtimeApi.ts.
 */

export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

/** How the sandbox runs a runtime: Node.js in its own worker, the others through the Runtime API. */
export function runtimeFamily(runtime: string | undefined): RuntimeFamily | undefined {
  if (runtime === undefined || /^nodejs/.test(runtime)) return 'nodejs';
  if (/^python3\.\d+$/.test(runtime)) return 'python';
  if (runtime === 'provided' || /^provided\.al2(\d{3})?$/.test(runtime)) return 'provided';
  return undefined;
}

/** AWS_EXECUTION_ENV as Lambda sets it; OS-only runtimes (provided.*) get none. */
export function executionEnvOf(runtime: string): string | undefined {
  const family = runtimeFamily(runtime);
  if (family === 'python') return `AWS_Lambda_${runtime}`;
  if (family === 'nodejs') return 'AWS_Lambda_nodejs';
  return undefined;
}

export const RUNTIME_API_VERSION = '2018-06-01';

/** The emulator's MaxPayloadSize: 6 MiB and 100 bytes, for a response or an error body. */
export const MAX_RUNTIME_PAYLOAD = 6 * 1024 * 1024 + 100;

export type RuntimeApiRoute =
  | { kind: 'next' }
  | { kind: 'response'; requestId: string }
  | { kind: 'error'; requestId: string }
  | { kind: 'initError' }
  | { kind: 'methodNotAllowed' }
  | { kind: 'notFound' };

/** Routes a request of the runtime (method and URL path; a query string is ignored, as chi does). */
export function routeRuntimeApi(method: string, url: string): RuntimeApiRoute {
  const pathName = url.split('?')[0];
  const prefix = `/${RUNTIME_API_VERSION}/runtime/`;
  if (!pathName.startsWith(prefix)) return { kind: 'notFound' };
  const rest = pathName.slice(prefix.length);
  const want = (m: string, route: RuntimeApiRoute): RuntimeApiRoute => (method === m ? route : { kind: 'methodNotAllowed' });
  if (rest === 'invocation/next') return want('GET', { kind: 'next' });
  if (rest === 'init/error') return want('POST', { kind: 'initError' });
  const m = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (m) {
    let requestId: string;
    try {
      requestId = decodeURIComponent(m[1]);
    } catch {
      requestId = m[1];
    }
    return want('POST', m[2] === 'response' ? { kind: 'response', requestId } : { kind: 'error', requestId });
  }
  return { kind: 'notFound' };
}

export interface NextInvocation {
  requestId: string;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId?: string;
  /** X-Amz-Client-Context as the caller sent it (base64 JSON). */
  clientContext?: string;
}

/** The headers of a /next answer; Lambda hands the runtime the client context decoded, as JSON. */
export function nextInvocationHeaders(inv: NextInvocation): Record<string, string> {
  const headers: Record<string, string> = {
    'Lambda-Runtime-Aws-Request-Id': inv.requestId,
    'Lambda-Runtime-Deadline-Ms': String(inv.deadlineMs),
    'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
    'Content-Type': 'application/json',
  };
  if (inv.traceId) headers['Lambda-Runtime-Trace-Id'] = inv.traceId;
  const context = decodeClientContext(inv.clientContext);
  if (context !== undefined) headers['Lambda-Runtime-Client-Context'] = context;
  return headers;
}

/** The client context's JSON text, or undefined when there is none or it is not base64 JSON text. */
export function decodeClientContext(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  // A header value holds no line breaks: JSON re-serialised on one line.
  return JSON.stringify(JSON.parse(text));
}

/** A trace header of X-Ray's shape (Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;Sampled=0). */
export function traceIdFor(now: number, random: (bytes: number) => string): string {
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${random(12)};Parent=${random(8)};Sampled=0`;
}

/**
 * The error type a runtime may report (Lambda-Runtime-Function-Error-Type), as the emulator keeps
 * it: a `Runtime.X` or `Function.X` name as given, any other `Function.` one as Function.Unknown,
 * anything else as Runtime.Unknown. The body of the error is the caller's payload, whatever it is.
 */
export function functionErrorType(header: string | undefined): string {
  const value = header ?? '';
  if (/(Runtime|Function)\.[A-Z][a-zA-Z]+/.test(value)) return value;
  if (value.startsWith('Function.')) return 'Function.Unknown';
  return 'Runtime.Unknown';
}

/** The emulator's error bodies, with their status codes. */
export const RUNTIME_API_ERRORS = {
  invalidRequestId: { status: 400, body: { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' } },
  tooLarge: { status: 413, body: { errorMessage: `Exceeded maximum allowed payload size (${MAX_RUNTIME_PAYLOAD} bytes).`, errorType: 'RequestEntityTooLarge' } },
} as const;

/** 403 for a call the runtime's state does not allow (a second /next waiting, /init/error after init, a second answer). */
export function invalidStateTransition(from: string, to: string): { status: 403; body: { errorMessage: string; errorType: string } } {
  return {
    status: 403,
    body: { errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`, errorType: 'InvalidStateTransition' },
  };
}

/** The invocation's error when the runtime's response is over the limit (the emulator's wording). */
export function oversizedResponse(bytes: number): { errorType: string; errorMessage: string } {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${MAX_RUNTIME_PAYLOAD} bytes).`,
  };
}

/** Lambda's Runtime.InvalidEntrypoint messages: no bootstrap, or one the system cannot start. */
export function invalidEntrypoint(requestId: string, bootstrap: string, code: string | undefined): string {
  if (code === 'ENOENT') return `RequestId: ${requestId} Error: Couldn't find valid bootstrap(s): [${bootstrap}]`;
  const why = code === 'EACCES' ? 'permission denied' : code === 'ENOEXEC' ? 'exec format error' : (code ?? 'unknown error').toLowerCase();
  return `RequestId: ${requestId} Error: fork/exec ${bootstrap}: ${why}`;
}

/**
 * An address and port as /proc/net/tcp (IPv4) or /proc/net/tcp6 writes them: each 32-bit word of
 * the address in the kernel's (little-endian) byte order, in hex; an IPv4 address in tcp6 is the
 * IPv4-mapped ::ffff:a.b.c.d a dual-stack client uses. Undefined for an address it cannot write.
 */
export function procNetAddress(ip: string, port: number, table: 'tcp' | 'tcp6'): string | undefined {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
  if (!v4) return undefined;
  const word = v4
    .slice(1, 5)
    .reverse()
    .map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0'))
    .join('');
  const p = port.toString(16).toUpperCase().padStart(4, '0');
  return table === 'tcp' ? `${word}:${p}` : `0000000000000000FFFF0000${word}:${p}`;
}

/**
 * The inode of the socket whose local end is `local` and remote end `remote` (both as
 * procNetAddress writes them) in the text of /proc/net/tcp or tcp6: the whole 4-tuple, so that
 * a socket bound to another loopback address with the same port is never taken for it.
 */
export function socketInode(table: string, local: string, remote: string): string | undefined {
  for (const line of table.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote && f[9] && f[9] !== '0') return f[9];
  }
  return undefined;
}

/**
 * Whether a request's Host header is the one a Runtime API client sends (AWS_LAMBDA_RUNTIME_API,
 * 127.0.0.1:<port>, as the AWS runtime clients, curl, Go, Rust and Java put it): a page in a
 * browser, or a name rebound to 127.0.0.1, always sends its own. None at all (HTTP/1.0) is a
 * local client's.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return true;
  return host.toLowerCase() === `127.0.0.1:${port}`;
}
