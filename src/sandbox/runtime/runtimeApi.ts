/**
 * The runtime of one execution environment of a function that runs behind the Lambda Runtime API
 * (provided.*: an executable `bootstrap`; python3.x: the sandbox's bootstrap.py on the machine's
 * python3). A child process of the sandbox, like worker.ts, speaking the same channel (fd 3): it
 * serves the Runtime API on a loopback port of its own (to requests for Host 127.0.0.1:<port>
 * only, and on Linux only from the bootstrap's processes), starts the bootstrap with only the Lambda
 * environment and AWS_LAMBDA_RUNTIME_API, hands it one invocation at a time, and keeps the
 * environment's memory limit over the bootstrap and everything it started. Keep this file free of
 * imports from the rest of the sandbox (this folder aside): it is bundled on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import type { BootstrapSpec, InitRequest, InvokeRequest, ParentMessage, WorkerReply } from './protocol';
import { BoundedLog, CHANNEL_FD, LineReader, OOM_MARKER } from './protocol';
import { descendants, describeExit, ENVIRONMENT_ID_VARIABLE } from './processes';
import {
  functionErrorType,
  hostAllowed,
  invalidEntrypoint,
  invalidStateTransition,
  MAX_RUNTIME_PAYLOAD,
  nextInvocationHeaders,
  oversizedResponse,
  procNetAddress,
  RUNTIME_API_ERRORS,
  routeRuntimeApi,
  socketInode,
  traceIdFor,
} from './runtimeApiRules';

const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
function send(msg: WorkerReply, then?: () => void): void {
  channel.write(`${JSON.stringify(msg)}\n`, then);
}

// ---- the invocation log: what the bootstrap (and what it starts) writes to stdout and stderr ----
const log = new BoundedLog();
const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
const pushLog = (line: string): void => log.push(line);
function capture(stream: 'stdout' | 'stderr', text: string): void {
  const lines = (partial[stream] + text).split('\n');
  partial[stream] = lines.pop() ?? '';
  for (const l of lines) pushLog(l);
  if (partial[stream].length > 64 * 1024) {
    pushLog(partial[stream]);
    partial[stream] = '';
  }
}
function takeLogs(): string[] {
  for (const s of ['stdout', 'stderr'] as const) {
    if (partial[s]) pushLog(partial[s]);
    partial[s] = '';
  }
  return log.take();
}
/** Lets output the bootstrap wrote before its HTTP call reach the log before the call is answered. */
const settled = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));

// ---- state ----
let init: InitRequest;
let bootstrap: ChildProcess | undefined;
let port = 0;
/** The bootstrap asked for its first event: init is over. */
let initDone = false;
/** It posted /init/error instead. */
let initFailed = false;
/** A /next waiting for an event (one at a time). */
let waiting: http.ServerResponse | undefined;
/** An invocation the sandbox sent that no /next took yet. */
let queued: InvokeRequest | undefined;
/** The invocation the bootstrap holds: only its request id is answered, once. */
let current: { req: InvokeRequest; answered: boolean } | undefined;
let peakRss = 0;

const reader = new LineReader(
  (line) => onMessage(JSON.parse(line) as ParentMessage),
  () => undefined,
);
channel.setEncoding('utf8').on('data', (chunk: string) => reader.push(chunk));
// The sandbox is gone (closed, or its process died): so is this environment, with whatever it started.
channel.on('end', () => killGroup());
channel.on('error', () => killGroup());

function onMessage(msg: ParentMessage): void {
  if (msg.kind === 'init') {
    init = msg;
    void start(msg);
  } else if (msg.kind === 'invoke') {
    queued = msg;
    if (waiting) deliver(waiting);
  }
}

function killGroup(): never {
  try {
    if (process.platform !== 'win32') process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader: the bootstrap and this process go one by one.
  }
  try {
    bootstrap?.kill('SIGKILL');
  } catch {
    // Already gone.
  }
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

async function start(msg: InitRequest): Promise<void> {
  const spec = msg.bootstrap!;
  const server = http.createServer((req, res) => handle(req, res));
  server.timeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  startMemoryWatch(msg.memoryLimitBytes);
  launch(spec);
}

function launch(spec: BootstrapSpec): void {
  const initFailure = (errorType: string, errorMessage: string) => {
    send({ kind: 'initError', errorType, errorMessage, stack: [], payload: JSON.stringify({ errorType, errorMessage }), logs: takeLogs() }, () => process.exit(1));
  };
  // Go's exec (Lambda's) looks for the file first: a missing bootstrap is said so, not started.
  if (!fs.existsSync(spec.entrypoint)) return initFailure('Runtime.InvalidEntrypoint', invalidEntrypoint(spec.requestId, spec.entrypoint, 'ENOENT'));
  const env: Record<string, string> = { ...spec.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` };
  // Inherited by whatever the bootstrap starts, so that the sandbox finds it when it ends the environment.
  const id = process.env[ENVIRONMENT_ID_VARIABLE];
  if (id) env[ENVIRONMENT_ID_VARIABLE] = id;
  const child = spawn(spec.command, spec.args, { cwd: init.init.taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  bootstrap = child;
  child.stdout?.setEncoding('utf8').on('data', (t: string) => capture('stdout', t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => capture('stderr', t));
  child.once('error', (e: NodeJS.ErrnoException) => {
    if (child.pid !== undefined) return;
    initFailure('Runtime.InvalidEntrypoint', invalidEntrypoint(spec.requestId, spec.entrypoint, e.code));
  });
  child.once('exit', (code, signal) => {
    // The pipes' last bytes first: they are the reason the bootstrap ended, often.
    const streams = [child.stdout, child.stderr].filter((s) => s && !s.readableEnded);
    let left = streams.length;
    const t = setTimeout(() => ended(code, signal), 200);
    for (const s of streams) {
      s!.once('end', () => {
        if (--left === 0) {
          clearTimeout(t);
          ended(code, signal);
        }
      });
    }
    if (!left) {
      clearTimeout(t);
      ended(code, signal);
    }
  });
}

let endedOnce = false;
function ended(code: number | null, signal: NodeJS.Signals | null): void {
  if (endedOnce) return;
  endedOnce = true;
  const exit = describeExit(code, signal);
  // Ends as the bootstrap did, so that the sandbox reads the same exit when it was idle.
  const leave = () => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1));
  if (!initDone) {
    const errorMessage = `RequestId: ${init.bootstrap!.requestId} Error: Runtime exited with error: ${exit}`;
    send({ kind: 'initError', errorType: 'Runtime.ExitError', errorMessage, stack: [], payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage }), logs: takeLogs() }, leave);
  } else if (current && !current.answered) {
    current.answered = true;
    const errorMessage = `RequestId: ${current.req.requestId} Error: Runtime exited with error: ${exit}`;
    send(
      {
        kind: 'result',
        id: current.req.id,
        ok: false,
        errorType: 'Runtime.ExitError',
        errorMessage,
        stack: [],
        payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage }),
        logs: takeLogs(),
        maxRssBytes: peakRss,
        exitCode: code ?? 1,
      },
      leave,
    );
  } else leave();
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Hands the queued invocation to the waiting /next. */
function deliver(res: http.ServerResponse): void {
  const req = queued!;
  queued = undefined;
  waiting = undefined;
  current = { req, answered: false };
  // The log of an invocation is what the runtime writes while it holds it.
  takeLogs();
  const body = req.payload === '' ? '{}' : req.payload;
  res.writeHead(200, {
    ...nextInvocationHeaders({
      requestId: req.requestId,
      deadlineMs: req.deadline,
      invokedFunctionArn: req.invokedFunctionArn,
      traceId: traceIdFor(Date.now(), (n) => crypto.randomBytes(n).toString('hex')),
      clientContext: req.clientContext,
    }),
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Reads a request's body up to the Runtime API's limit; `over` when it went past it. */
function readBody(req: http.IncomingMessage): Promise<{ body: Buffer; bytes: number; over: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes <= MAX_RUNTIME_PAYLOAD) chunks.push(c);
    });
    req.once('end', () => resolve({ body: Buffer.concat(chunks), bytes, over: bytes > MAX_RUNTIME_PAYLOAD }));
    req.once('error', () => resolve({ body: Buffer.alloc(0), bytes, over: false }));
  });
}

const trusted = new WeakMap<Socket, boolean>();

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  // A browser's page (or a name rebound to 127.0.0.1) always sends a Host of its own: refused on
  // every system, before anything else is read.
  if (!hostAllowed(header(req, 'host'), port)) {
    reply(res, 403, { errorMessage: `This Runtime API answers only requests for its own address (Host: 127.0.0.1:${port}).`, errorType: 'AccessDenied' });
    req.socket.destroySoon();
    return;
  }
  // Only the bootstrap's own processes speak to this environment's API (on Linux, where the
  // socket's owner can be found): another local process can neither take events nor answer them.
  const socket = req.socket;
  let ok = trusted.get(socket);
  if (ok === undefined) {
    ok = fromEnvironment(socket);
    trusted.set(socket, ok);
  }
  if (!ok) {
    reply(res, 403, { errorMessage: 'This Runtime API serves only the processes of its execution environment.', errorType: 'AccessDenied' });
    socket.destroySoon();
    return;
  }
  const route = routeRuntimeApi(req.method ?? 'GET', req.url ?? '/');
  switch (route.kind) {
    case 'notFound':
      // chi's answers, as the emulator's router gives them.
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('404 page not found\n');
      req.resume();
      return;
    case 'methodNotAllowed':
      res.writeHead(405);
      res.end();
      req.resume();
      return;
    case 'next': {
      req.resume();
      if (waiting && !waiting.writableEnded && !waiting.destroyed) {
        const e = invalidStateTransition('Ready', 'Ready');
        reply(res, e.status, e.body);
        return;
      }
      // Each /next tells the sandbox the environment can take an invocation: the first one ends init,
      // a later one ends the previous invocation (an environment is never offered before it).
      if (!initFailed) send({ kind: 'ready' });
      initDone = true;
      waiting = res;
      res.once('close', () => {
        if (waiting === res) waiting = undefined;
      });
      if (queued) deliver(res);
      return;
    }
    case 'initError':
      void initError(req, res);
      return;
    case 'response':
    case 'error':
      void answer(route.kind, route.requestId, req, res);
  }
}

async function initError(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { body } = await readBody(req);
  if (initDone) {
    const e = invalidStateTransition('Ready', 'InitError');
    reply(res, e.status, e.body);
    return;
  }
  initDone = true;
  initFailed = true;
  const errorType = functionErrorType(header(req, 'lambda-runtime-function-error-type'));
  // Told to the sandbox before the runtime hears back (it may exit right after), so it is never
  // mistaken for an exit. Lambda expects the runtime to exit now; the sandbox ends it either way.
  await settled();
  send({ kind: 'initError', errorType, errorMessage: '', stack: [], payload: body.toString('utf8'), logs: takeLogs() });
  reply(res, 202, { status: 'OK' });
}

async function answer(kind: 'response' | 'error', requestId: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const inv = current;
  // As the emulator: an id other than the current invocation's is 400, a second answer for it 403.
  if (!inv || inv.req.requestId !== requestId) {
    req.resume();
    reply(res, RUNTIME_API_ERRORS.invalidRequestId.status, RUNTIME_API_ERRORS.invalidRequestId.body);
    return;
  }
  if (inv.answered) {
    req.resume();
    const e = invalidStateTransition('RuntimeResponseSentState', kind === 'response' ? 'InvocationResponse' : 'InvocationErrorResponse');
    reply(res, e.status, e.body);
    return;
  }
  // Claimed before the body arrives: a second answer for the same id is refused.
  inv.answered = true;
  const { body, bytes, over } = await readBody(req);
  // The sandbox has the outcome before the runtime hears back: a runtime that exits right after
  // answering has still answered.
  await settled();
  if (over) {
    const e = oversizedResponse(bytes);
    send({ kind: 'result', id: inv.req.id, ok: false, ...e, stack: [], payload: JSON.stringify(e), logs: takeLogs(), maxRssBytes: peakRss });
    reply(res, RUNTIME_API_ERRORS.tooLarge.status, RUNTIME_API_ERRORS.tooLarge.body);
  } else if (kind === 'response') {
    // The bytes as posted: a handler may return anything, not only UTF-8 text.
    send({ kind: 'result', id: inv.req.id, ok: true, payload: body.toString('base64'), encoding: 'base64', logs: takeLogs(), maxRssBytes: peakRss });
    reply(res, 202, { status: 'OK' });
  } else {
    const errorType = functionErrorType(header(req, 'lambda-runtime-function-error-type'));
    send({ kind: 'result', id: inv.req.id, ok: false, errorType, errorMessage: '', stack: [], payload: body.toString('base64'), encoding: 'base64', logs: takeLogs(), maxRssBytes: peakRss });
    reply(res, 202, { status: 'OK' });
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

// ---- who is calling: the owner of the client's end of the connection (Linux) ----
function fromEnvironment(socket: Socket): boolean {
  if (process.platform !== 'linux' || !bootstrap?.pid) return process.platform !== 'linux';
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !remotePort || !localAddress || !localPort) return false;
  // The client's row has our peer as its local end and our end as its remote one; an IPv4 client
  // is in tcp, a dual-stack (AF_INET6) one, as Java's, in tcp6 with IPv4-mapped addresses.
  let inode: string | undefined;
  for (const table of ['tcp', 'tcp6'] as const) {
    const local = procNetAddress(remoteAddress, remotePort, table);
    const remote = procNetAddress(localAddress, localPort, table);
    if (!local || !remote) continue;
    let text: string;
    try {
      text = fs.readFileSync(`/proc/net/${table}`, 'latin1');
    } catch {
      continue;
    }
    inode = socketInode(text, local, remote);
    if (inode) break;
  }
  if (!inode) return false;
  const link = `socket:[${inode}]`;
  for (const pid of [bootstrap.pid, ...descendants(bootstrap.pid)]) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === link) return true;
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return false;
}

// ---- memory: the bootstrap's whole tree within MemorySize ----
function treeRss(root: number): number {
  let total = 0;
  for (const pid of [root, ...descendants(root)]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

function startMemoryWatch(limit: number): void {
  if (process.platform !== 'linux') return;
  const ppid = process.ppid;
  const check = () => {
    if (process.ppid !== ppid) killGroup();
    if (bootstrap?.pid !== undefined && bootstrap.exitCode === null) {
      const rss = treeRss(bootstrap.pid);
      peakRss = Math.max(peakRss, rss);
      if (rss > limit) {
        try {
          fs.writeSync(2, OOM_MARKER);
        } catch {
          // The sandbox reads it if it can.
        }
        killGroup();
      }
    }
    // Closely while an invocation runs; an idle environment only needs to notice that its host died.
    setTimeout(check, current && !current.answered ? 100 : 500).unref();
  };
  check();
}
