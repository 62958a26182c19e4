/**
 * The runtime of one warm execution environment of a function version: a child process of the
 * sandbox, started with only the Lambda environment and the code folder as its working directory.
 * It loads the version's handler from its own unpacked code and serves one invocation at a time,
 * as a Lambda execution environment does. Keep this file free of imports from the rest of the
 * sandbox (protocol.ts aside): it is bundled on its own.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { format as formatLog } from 'node:util';
import type { InvokeRequest, ParentMessage, WorkerInit, WorkerReply } from './protocol';
import { BoundedLog, CHANNEL_FD, LineReader, OOM_MARKER, toRapidResponse } from './protocol';

// Needed only to start the desktop editor's binary as plain Node; not part of Lambda's environment.
delete process.env.ELECTRON_RUN_AS_NODE;
// Behind the sandbox's removal of inspector flags from NODE_OPTIONS: no debugger listens when the
// handler's code loads (one would run code sent by anyone reaching its port).
if (inspector.url()) inspector.close();

// TypeScript (module commonjs) and webpack would both rewrite a literal `import()` into
// `require()`, which cannot load ES modules; this keeps a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;

/** The current invocation's log (bounded: the tail is what Lambda returns). */
const log = new BoundedLog();
const pushLog = (line: string): void => log.push(line);
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  console[level] = (...args: unknown[]) => {
    // Lambda's Node.js runtime logs console.log as INFO.
    pushLog(`${new Date().toISOString()}\t${currentRequestId}\t${level === 'log' ? 'INFO' : level.toUpperCase()}\t${formatLog(...args)}`);
  };
}
// Whatever else reaches stdout/stderr through Node's streams (process.stdout.write, console.dir/
// table, …) goes to the log as on Lambda, in order. Raw writes to the descriptors and the output of
// child processes reach the log too, through the pipes the sandbox reads.
for (const stream of [process.stdout, process.stderr]) {
  // Opening the stream made its pipe non-blocking: a handler's own fs.writeSync(1, …) would then
  // fail with EAGAIN whenever the pipe is full. The sandbox always drains it, so blocking is safe.
  (stream as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })._handle?.setBlocking?.(true);
  stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.length) pushLog(text.endsWith('\n') ? text.slice(0, -1) : text);
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof stream.write;
}
let currentRequestId = 'init';

type Handler = (event: unknown, context: unknown, callback?: (err?: unknown, result?: unknown) => void) => unknown;

// The sandbox's channel (see protocol.ts). Handler code has no IPC channel, as on Lambda.
const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });

function send(msg: WorkerReply, then?: () => void): void {
  channel.write(`${JSON.stringify(msg)}\n`, then);
}

let memoryLimitBytes = Infinity;

/** Peak resident memory of the whole runtime process so far, as Lambda's "Max Memory Used". */
function maxRssBytes(): number {
  // getrusage's peak survives fork and exec: it may be the host's, never less than ours. Under the
  // limit it settles the question cheaply; over it, Linux's VmHWM (this program's own address
  // space) tells, and elsewhere the current size is the safe answer.
  const inherited = process.resourceUsage().maxRSS * 1024;
  if (inherited <= memoryLimitBytes) return inherited;
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'latin1'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.memoryUsage.rss();
}

const errorShape = toRapidResponse;

class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

async function loadHandler(init: WorkerInit): Promise<Handler> {
  // 'dir/file.export' (or 'file.a.b'): the module is everything before the first dot of the
  // last path segment, the rest is the (possibly nested) export.
  const slash = init.handler.lastIndexOf('/');
  const base = init.handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${init.handler}: expected file.export`);
  const modulePath = init.handler.slice(0, slash + 1) + base.slice(0, dot);
  const exportPath = base.slice(dot + 1).split('.');
  const root = path.resolve(init.taskRoot);
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => path.resolve(root, modulePath + ext));
  const file = candidates.find((c) => (c === root || c.startsWith(root + path.sep)) && fs.existsSync(c));
  if (!file) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await dynamicImport(pathToFileURL(file).href);
  } catch (err) {
    const e = errorShape(err);
    throw new RuntimeError('Runtime.UserCodeSyntaxError' === e.errorType ? e.errorType : 'Runtime.ImportModuleError', `${e.errorType}: ${e.errorMessage}`);
  }
  let target: unknown = mod;
  for (const key of exportPath) {
    const obj = target as Record<string, unknown> | undefined;
    let next = obj?.[key];
    // A CommonJS module imported as ESM exposes module.exports as `default`.
    if (next === undefined && obj === mod) next = (mod.default as Record<string, unknown> | undefined)?.[key];
    target = next;
  }
  if (typeof target !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${modulePath}.${exportPath.join('.')} is undefined or not exported`);
  }
  return target as Handler;
}

let init: WorkerInit;
let handlerPromise: Promise<Handler>;
/** The invocation running now: an uncaught exception or unhandled rejection is its error. */
let current: { id: number; settled: boolean } | undefined;

const reader = new LineReader(
  (line) => onMessage(JSON.parse(line) as ParentMessage),
  () => undefined,
);
channel.setEncoding('utf8').on('data', (chunk: string) => reader.push(chunk));

function onMessage(msg: ParentMessage): void {
  if (msg.kind === 'init') {
    init = msg.init;
    memoryLimitBytes = msg.memoryLimitBytes;
    startWatchdog(msg.memoryLimitBytes);
    handlerPromise = loadHandler(init);
    handlerPromise.then(
      () => send({ kind: 'ready' }),
      (err) => send({ kind: 'initError', ...errorShape(err) }),
    );
    // Lambda retries a failed init in a fresh environment; the promise's rejection is reported above.
    handlerPromise.catch(() => undefined);
  } else if (msg.kind === 'invoke') {
    void handle(msg);
  }
}
// The sandbox is gone (closed, or its process died): so is this environment, with whatever it started.
channel.on('end', () => killProcessGroup());
channel.on('error', () => killProcessGroup());

// As Lambda's runtime: an error escaping the handler's own control fails the invocation and ends
// the environment (exit 129 for an exception, 128 for a rejection).
process.on('uncaughtException', (err) => failAndExit(err, 129));
process.on('unhandledRejection', (reason) => {
  // As Lambda's UnhandledPromiseRejection: the reason's own text is the message.
  const err = new Error(reason === undefined ? undefined : String(reason));
  err.name = 'Runtime.UnhandledPromiseRejection';
  failAndExit(err, 128);
});

function failAndExit(err: unknown, code: number): void {
  if (current && !current.settled) {
    current.settled = true;
    send({ kind: 'result', id: current.id, ok: false, logs: log.take(), maxRssBytes: maxRssBytes(), exitCode: code, ...errorShape(err) }, () => process.exit(code));
  } else {
    pushLog(`${new Date().toISOString()}\t${currentRequestId}\tERROR\t${formatLog(err)}`);
    process.exit(code);
  }
}

function killProcessGroup(): void {
  try {
    // The runtime leads its own process group (the sandbox starts it detached): this takes any
    // process a handler started along with it.
    if (process.platform !== 'win32') process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader: only this process goes.
  }
  process.kill(process.pid, 'SIGKILL');
}

/**
 * A thread beside the handler's that keeps the environment's limits even while the handler blocks
 * the event loop: the whole process's resident memory within MemorySize, and no environment
 * outliving the sandbox that started it.
 */
function startWatchdog(limitBytes: number): void {
  const source = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { limit, ppid, marker, busy } = workerData;
const flag = new Int32Array(busy);
const die = (why) => {
  try { if (why) fs.writeSync(2, why); } catch {}
  try { if (process.platform !== 'win32') process.kill(-process.pid, 'SIGKILL'); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
const check = () => {
  if (process.memoryUsage.rss() > limit) die(marker);
  else if (process.ppid !== ppid) die('');
  // Closely while a handler runs; an idle environment only needs to notice that its host died.
  setTimeout(check, Atomics.load(flag, 0) ? 20 : 500);
};
check();
`;
  const watchdog = new Worker(source, { eval: true, workerData: { limit: limitBytes, ppid: process.ppid, marker: OOM_MARKER, busy: busyFlag.buffer }, stdout: false, stderr: false });
  watchdog.unref();
}

/** Set while an invocation runs, read by the watchdog thread. */
const busyFlag = new Int32Array(new SharedArrayBuffer(4));

/** X-Amz-Client-Context is base64 JSON; a malformed one must not crash the environment. */
function parseClientContext(raw: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

async function handle(req: InvokeRequest): Promise<void> {
  currentRequestId = req.requestId;
  log.take();
  const invocation = { id: req.id, settled: false };
  current = invocation;
  Atomics.store(busyFlag, 0, 1);
  type Outcome = { ok: true; payload: string } | { ok: false; errorType: string; errorMessage: string; stack: string[] };
  const finish = (reply: Outcome) => {
    invocation.settled = true;
    Atomics.store(busyFlag, 0, 0);
    send({ kind: 'result', id: req.id, logs: log.take(), maxRssBytes: maxRssBytes(), ...reply } as WorkerReply);
  };
  let handler: Handler;
  try {
    handler = await handlerPromise;
  } catch (err) {
    finish({ ok: false, ...errorShape(err) });
    return;
  }
  let event: unknown;
  try {
    event = req.payload === '' ? {} : JSON.parse(req.payload);
  } catch {
    finish({ ok: false, errorType: 'Runtime.UnmarshalError', errorMessage: 'Unable to parse input as json', stack: [] });
    return;
  }
  // Lambda's Node.js runtime (CallbackContext.js): only the first of callback/done/succeed/fail
  // counts; an error is any non-nullish value; fail() without one, or a promise rejected with
  // undefined or null, is the string error 'handled'.
  const settle = (err: unknown, result: unknown) => {
    if (invocation.settled) return;
    if (err !== undefined && err !== null) {
      finish({ ok: false, ...errorShape(err) });
      return;
    }
    let payload: string;
    try {
      payload = result === undefined ? 'null' : JSON.stringify(result);
    } catch (e) {
      finish({ ok: false, errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${errorShape(e).errorMessage}`, stack: [] });
      return;
    }
    finish({ ok: true, payload });
  };
  const fail = (err?: unknown) => settle(err === undefined || err === null ? 'handled' : err, undefined);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: init.functionVersion,
    invokedFunctionArn: req.invokedFunctionArn,
    memoryLimitInMB: String(init.memorySize),
    awsRequestId: req.requestId,
    logGroupName: `/aws/lambda/${init.functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[${init.functionVersion}]sandbox`,
    clientContext: parseClientContext(req.clientContext),
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, req.deadline - Date.now()),
    done: (err?: unknown, result?: unknown) => settle(err, result),
    succeed: (result?: unknown) => settle(undefined, result),
    fail,
  };
  const callback = (err?: unknown, result?: unknown) => settle(err, result);
  try {
    const ret = handler(event, context, callback);
    if (ret && typeof (ret as Promise<unknown>).then === 'function') {
      (ret as Promise<unknown>).then((r) => settle(undefined, r), fail);
    } else if (handler.length < 3) {
      // A non-async handler that takes no callback returns its result directly.
      settle(undefined, ret);
    }
  } catch (err) {
    // As Lambda's runtime: a synchronous throw goes to the callback (so a throw of undefined or
    // null, which is no error to a callback, ends the invocation with a null result).
    callback(err);
  }
}
