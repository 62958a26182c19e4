import { types } from 'node:util';

/** Messages between the sandbox and a function's runtime process (over its channel, fd 3). */

export interface WorkerInit {
  /** Folder holding the version's unpacked code (LAMBDA_TASK_ROOT, and the runtime's working directory). */
  taskRoot: string;
  handler: string;
  functionName: string;
  functionVersion: string;
  memorySize: number;
  region: string;
  accountId: string;
  /** The function's runtime (nodejs20.x, python3.12, provided.al2023); Node.js when absent. */
  runtime?: string;
}

/** What a Runtime API environment starts: the bootstrap, with its complete environment. */
export interface BootstrapSpec {
  command: string;
  args: string[];
  /** The file Lambda would name in Runtime.InvalidEntrypoint (the bootstrap, or the interpreter). */
  entrypoint: string;
  env: Record<string, string>;
  /** The invocation whose arrival started this environment: named in an init failure's message. */
  requestId: string;
}

/** The first message a runtime receives: what to load, and the limits its watchdog keeps. */
export interface InitRequest {
  kind: 'init';
  init: WorkerInit;
  /** The whole process's memory limit (MemorySize), in bytes. */
  memoryLimitBytes: number;
  /** Set for the runtimes that run behind the Runtime API (runtimeApi.ts). */
  bootstrap?: BootstrapSpec;
}

export interface InvokeRequest {
  kind: 'invoke';
  id: number;
  requestId: string;
  /** The raw event bytes as the client sent them (UTF-8 JSON). */
  payload: string;
  invokedFunctionArn: string;
  deadline: number;
  clientContext?: string;
}

export type ParentMessage = InitRequest | InvokeRequest;

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'initError'; errorType: string; errorMessage: string; stack: string[]; payload?: string; logs?: string[] }
  | { kind: 'result'; id: number; ok: true; payload: string; logs: string[]; maxRssBytes: number; encoding?: PayloadEncoding }
  | {
      kind: 'result';
      id: number;
      ok: false;
      errorType: string;
      errorMessage: string;
      stack: string[];
      logs: string[];
      maxRssBytes: number;
      exitCode?: number;
      /** The error payload as the runtime posted it (Runtime API), instead of one made from the fields above. */
      payload?: string;
      encoding?: PayloadEncoding;
    };

/** base64: the payload is the bytes a Runtime API runtime posted, whatever they are (not only UTF-8 text). */
export type PayloadEncoding = 'base64';

/**
 * Written to the runtime's stderr by its watchdog just before it kills the process for going over
 * the memory limit, so that the sandbox can tell that death from any other.
 */
export const OOM_MARKER = '\u0000lambda-canary:out-of-memory\u0000';

/**
 * Lambda's Node.js runtime's shape for whatever a handler throws, rejects with or passes to its
 * callback (aws-lambda-nodejs-runtime-interface-client, Errors.toRapidResponse): an Error (or an
 * object with string name, message and stack) by its own name and message; anything else by its
 * `typeof` and `toString()`; and `handled` when even that fails.
 */
export function toRapidResponse(error: unknown): { errorType: string; errorMessage: string; stack: string[] } {
  // DEL is not allowed in the error-type header Lambda's runtime sends; it escapes it, as here.
  const clean = (s: string) => s.replaceAll('\x7F', '%7F');
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      const e = error as { name: string; message: string; stack: string };
      return { errorType: clean(e.name), errorMessage: clean(e.message), stack: clean(e.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: (error as { toString(): string }).toString(), stack: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      stack: [],
    };
  }
}

function isErrorLike(v: unknown): boolean {
  const e = v as { name?: unknown; message?: unknown; stack?: unknown } | null | undefined;
  return !!e && !!e.name && !!e.message && !!e.stack && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string';
}

/**
 * The runtime's channel to the sandbox: file descriptor 3 of the runtime process (a pipe, not
 * Node's IPC, which handler code could reach through process.send), one JSON message per line.
 */
export const CHANNEL_FD = 3;

/**
 * The longest line the sandbox reads from a runtime: room for a 6 MB result escaped twice over
 * and a full log, and a bound on what a runtime writing garbage to its channel can make it buffer.
 */
export const MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

/** Splits a stream of text into lines without rescanning what it already holds. */
export class LineReader {
  private parts: string[] = [];
  private length = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
    private readonly maxChars = Infinity,
  ) {}

  push(chunk: string): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf('\n');
      if (nl < 0) break;
      const line = this.parts.join('') + rest.slice(0, nl);
      this.parts = [];
      this.length = 0;
      rest = rest.slice(nl + 1);
      this.onLine(line);
    }
    if (!rest) return;
    this.parts.push(rest);
    this.length += rest.length;
    if (this.length > this.maxChars) {
      this.parts = [];
      this.length = 0;
      this.onOverflow();
    }
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isLines = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** A runtime's message as the sandbox may use it, or undefined: the runtime runs the handler's code, so nothing it sends is trusted. */
export function parseReply(line: string): WorkerReply | undefined {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!m || typeof m !== 'object') return undefined;
  const error = () =>
    isString(m.errorType) && isString(m.errorMessage) && isLines(m.stack) && (m.payload === undefined || isString(m.payload)) && (m.logs === undefined || isLines(m.logs));
  switch (m.kind) {
    case 'ready':
      return { kind: 'ready' };
    case 'initError':
      return error() ? (m as WorkerReply) : undefined;
    case 'result': {
      if (typeof m.id !== 'number' || !isLines(m.logs) || typeof m.maxRssBytes !== 'number') return undefined;
      if (m.encoding !== undefined && m.encoding !== 'base64') return undefined;
      if (m.ok === true) return isString(m.payload) ? (m as WorkerReply) : undefined;
      if (m.ok === false && error() && (m.exitCode === undefined || typeof m.exitCode === 'number')) return m as WorkerReply;
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * An invocation's log, kept bounded as a runtime writes it: past `maxChars` the oldest half goes
 * in one go (the tail is what Lambda returns), so a flood of tiny lines stays linear.
 */
export class BoundedLog {
  private lines: string[] = [];
  private chars = 0;
  constructor(private readonly maxChars = 1024 * 1024) {}

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars <= this.maxChars) return;
    let drop = 0;
    while (this.chars > this.maxChars / 2 && drop < this.lines.length - 1) this.chars -= this.lines[drop++].length;
    this.lines.splice(0, drop);
  }

  /** The lines so far, and a fresh start for the next invocation. */
  take(): string[] {
    const out = this.lines;
    this.lines = [];
    this.chars = 0;
    return out;
  }
}
