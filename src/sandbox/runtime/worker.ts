/**
 * Runs inside a worker thread, one per warm execution environment of a function version:
 * loads the version's handler from its own unpacked code and serves one invocation at a time,
 * as a Lambda execution environment does. Keep this file free of imports from the rest of the
 * sandbox: it is bundled on its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { format as formatLog } from 'node:util';
import type { InvokeRequest, WorkerInit, WorkerReply } from './protocol';

const init = workerData as WorkerInit;
const port = parentPort!;

// TypeScript (module commonjs) and webpack would both rewrite a literal `import()` into
// `require()`, which cannot load ES modules; this keeps a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;

let logs: string[] = [];
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  console[level] = (...args: unknown[]) => {
    logs.push(`${new Date().toISOString()}\t${currentRequestId}\t${level.toUpperCase()}\t${formatLog(...args)}`);
  };
}
let currentRequestId = 'init';

type Handler = (event: unknown, context: unknown, callback?: (err?: unknown, result?: unknown) => void) => unknown;

function send(msg: WorkerReply): void {
  port.postMessage(msg);
}

function errorShape(err: unknown): { errorType: string; errorMessage: string; stack: string[] } {
  if (err instanceof Error) {
    return {
      errorType: err.name && err.name !== 'Error' ? err.name : (err.constructor?.name ?? 'Error'),
      errorMessage: err.message,
      stack: (err.stack ?? '').split('\n').slice(1).map((l) => l.trim()),
    };
  }
  return { errorType: typeof err === 'string' ? 'string' : 'Error', errorMessage: typeof err === 'string' ? err : JSON.stringify(err), stack: [] };
}

class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

async function loadHandler(): Promise<Handler> {
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

const handlerPromise = loadHandler();

handlerPromise.then(
  () => send({ kind: 'ready' }),
  (err) => send({ kind: 'initError', ...errorShape(err) }),
);

port.on('message', (msg: InvokeRequest) => {
  if (msg.kind !== 'invoke') return;
  void handle(msg);
});

async function handle(req: InvokeRequest): Promise<void> {
  currentRequestId = req.requestId;
  logs = [];
  type Outcome = { ok: true; payload: string } | { ok: false; errorType: string; errorMessage: string; stack: string[] };
  const finish = (reply: Outcome) => {
    send({ kind: 'result', id: req.id, logs, ...reply } as WorkerReply);
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
  let settled = false;
  const settle = (err: unknown, result: unknown) => {
    if (settled) return;
    settled = true;
    if (err !== undefined && err !== null) {
      finish({ ok: false, ...errorShape(err) });
    } else {
      let payload: string;
      try {
        payload = result === undefined ? 'null' : JSON.stringify(result);
      } catch (e) {
        finish({ ok: false, errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${errorShape(e).errorMessage}`, stack: [] });
        return;
      }
      finish({ ok: true, payload });
    }
  };
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: init.functionVersion,
    invokedFunctionArn: req.invokedFunctionArn,
    memoryLimitInMB: String(init.memorySize),
    awsRequestId: req.requestId,
    logGroupName: `/aws/lambda/${init.functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[${init.functionVersion}]sandbox`,
    clientContext: req.clientContext ? JSON.parse(Buffer.from(req.clientContext, 'base64').toString('utf8')) : undefined,
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, req.deadline - Date.now()),
    done: (err?: unknown, result?: unknown) => settle(err, result),
    succeed: (result?: unknown) => settle(undefined, result),
    fail: (err?: unknown) => settle(err ?? new Error('handled'), undefined),
  };
  try {
    const callback = (err?: unknown, result?: unknown) => settle(err, result);
    const ret = handler(event, context, callback);
    if (ret && typeof (ret as Promise<unknown>).then === 'function') {
      (ret as Promise<unknown>).then(
        (r) => settle(undefined, r),
        (e) => settle(e ?? new Error('Promise rejected'), undefined),
      );
    } else if (handler.length < 3) {
      // A non-async handler that takes no callback returns its result directly.
      settle(undefined, ret);
    }
  } catch (err) {
    settle(err, undefined);
  }
}
