import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { extractOnce } from '../unpack';
import * as fs from 'node:fs';
import type { BootstrapSpec, InitRequest, InvokeRequest, WorkerInit, WorkerReply } from './protocol';
import { CHANNEL_FD, LineReader, MAX_MESSAGE_CHARS, OOM_MARKER, parseReply } from './protocol';
import { describeExit, killProcessTree, startRuntimeProcess, withoutInspectorFlags } from './processes';
import { findPython } from './python';
import { executionEnvOf, runtimeFamily } from './runtimeApiRules';

export interface InvokeOutcome {
  ok: boolean;
  /** The handler's JSON result, or Lambda's error payload when !ok; bytes when a Runtime API runtime posted them. */
  payload: string | Buffer;
  errorType?: string;
  logs: string[];
  durationMs: number;
  /** An init (cold start) happened for this invocation. */
  coldStart: boolean;
}

export interface EnvironmentSpec {
  /** Identifies one immutable code + configuration: a warm environment is reused only for the same key. */
  key: string;
  init: WorkerInit;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
}

interface ExecutionEnvironment {
  child: ChildProcess;
  /** The runtime's end of fd 3: requests go down it, replies come up it. */
  channel: Socket;
  ready: Promise<void>;
  busy: boolean;
  lastUsed: number;
  dead: boolean;
  /** Shut down as soon as its current invocation ends (its function or version was deleted). */
  retired?: boolean;
  /** The runtime's answer to loading the handler: ready, or an init error. */
  initReply?: WorkerReply;
  pending?: { id: number; resolve: (r: WorkerReply | { exit: string }) => void };
  /** What reached the process's stdout/stderr other than through console (bounded), during the current invocation. */
  output: string[];
  outputChars: number;
  /** The end of its stderr, where a fatal heap error or the watchdog's out-of-memory marker shows. */
  stderrTail: string;
  /** How the process ended, once it has (the stderr tail read to its end). */
  exited: Promise<string>;
  /** A line for the log of its first invocation (flags the sandbox removed). */
  notice?: string;
  /**
   * It can take an invocation: a Runtime API runtime once it asked for its next event after
   * answering the last one (Lambda offers an environment only then); the Node.js worker always.
   */
  takesNext: boolean;
  /** Its runtime speaks the Runtime API (python3.x, provided.*), not the Node.js worker's channel. */
  viaRuntimeApi: boolean;
  /** Called when it asks for its next event, or ends. */
  onNextOrEnd: Array<() => void>;
}

export interface InvokerOptions {
  /** Path of the compiled runtime script (runtime/worker.js, or dist/sandboxWorker.js). */
  workerScript: string;
  /** The Runtime API's runtime script (provided.*, python3.x); by default found beside workerScript. */
  runtimeApiScript?: string;
  /** The Python runtime's bootstrap.py; by default found beside workerScript (or in the sources). */
  pythonBootstrap?: string;
  /** Where versions' zips are unpacked, one folder per code blob. */
  codeRoot: string;
  /** Warm environments per version, as Lambda keeps several for concurrent requests. */
  maxEnvironmentsPerVersion?: number;
  /** A warm environment unused this long is shut down. */
  idleMs?: number;
  /** The sandbox's log. */
  log?: (line: string) => void;
  /**
   * Variables the sandbox provides every environment, as Lambda provides credentials (see
   * provided.ts); the function's own variables win. Read when an environment starts.
   */
  providedEnvironment?: () => Record<string, string>;
}

const INIT_TIMEOUT_MS = 10_000;
/**
 * How long an invocation waits for an environment that answered its last one to ask for the next
 * (a shell loop takes a moment), before another environment serves it.
 */
const NEXT_GRACE_MS = 1000;
/** Output outside console kept per invocation, as the worker keeps its console log. */
const MAX_OUTPUT_CHARS = 256 * 1024;
const HEAP_OOM = /JavaScript heap out of memory|Reached heap limit|Allocation failed - process out of memory/;

/**
 * Runs handlers in child processes: each published version (and each state of $LATEST) gets its
 * own execution environments, each a process started with only the Lambda environment (never the
 * host's variables), the code folder as its working directory, and MemorySize as the limit of the
 * whole process. An environment serves one invocation at a time and stays warm for reuse; a
 * timeout, running out of memory, shutdown or the host's death kill it with all it started.
 */
export class Invoker {
  private readonly pools = new Map<string, ExecutionEnvironment[]>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private nextId = 1;
  private readonly reaper: NodeJS.Timeout;
  private readonly maxPer: number;
  private readonly idleMs: number;

  constructor(private readonly opts: InvokerOptions) {
    this.maxPer = opts.maxEnvironmentsPerVersion ?? 4;
    this.idleMs = opts.idleMs ?? 60_000;
    this.reaper = setInterval(() => this.reapIdle(), Math.min(this.idleMs, 10_000));
    this.reaper.unref();
  }

  /**
   * Unpacks a zip once into codeRoot/<blob>, off the event loop (see unpack.ts); entries escaping
   * the folder, or inflating past Lambda's unzipped-size limit, fail the unpacking.
   */
  ensureCode(blob: string, zip: () => Buffer): Promise<string> {
    return extractOnce(path.join(this.opts.codeRoot, blob), zip);
  }

  async invoke(spec: EnvironmentSpec, req: Omit<InvokeRequest, 'kind' | 'id' | 'deadline'>): Promise<InvokeOutcome> {
    const { env, cold } = await this.acquire(spec, req.requestId);
    try {
      if (cold) {
        // Init is its own phase, as on Lambda: limited to 10 s, it counts neither against the
        // function's timeout nor in Duration.
        const initStarted = Date.now();
        const initErr = await this.awaitReady(env, INIT_TIMEOUT_MS, req.requestId);
        if (initErr) {
          // Lambda retries init on the next invocation: drop this environment from the pool.
          this.kill(spec.key, env);
          return { ...initErr, durationMs: Date.now() - initStarted, coldStart: true };
        }
      }
      const id = this.nextId++;
      // The sandbox's own notes on this environment open its first invocation's log.
      const lead = cold && env.notice ? [env.notice] : [];
      env.output = [];
      env.outputChars = 0;
      // Duration is the handler's run time: waiting for a free environment and init are excluded.
      const started = Date.now();
      const deadline = started + spec.timeoutSeconds * 1000;
      const reply = await new Promise<WorkerReply | 'timeout' | { exit: string }>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), spec.timeoutSeconds * 1000);
        const done = (r: WorkerReply | { exit: string }) => {
          clearTimeout(timer);
          resolve(r);
        };
        env.pending = { id, resolve: done };
        // A Runtime API runtime takes the next one only after it asked for it again.
        if (env.viaRuntimeApi) env.takesNext = false;
        // The runtime may have died while idle, after the pool handed it out.
        if (env.dead || !env.channel.writable) {
          void env.exited.then((exit) => done({ exit }));
          return;
        }
        env.channel.write(`${JSON.stringify({ kind: 'invoke', id, deadline, ...req } satisfies InvokeRequest)}\n`, (err) => {
          if (err) void env.exited.then((exit) => done({ exit }));
        });
      });
      const durationMs = Date.now() - started;
      const logs = () => [...lead, ...(reply !== 'timeout' && 'logs' in reply ? (reply.logs ?? []) : []), ...env.output];
      if (reply === 'timeout') {
        this.kill(spec.key, env);
        const secs = spec.timeoutSeconds.toFixed(2);
        return { ...failure('Sandbox.Timedout', `${new Date().toISOString()} ${req.requestId} Task timed out after ${secs} seconds`, durationMs, cold), logs: logs() };
      }
      const overLimit = 'kind' in reply && reply.kind === 'result' && reply.maxRssBytes > spec.memorySize * 1024 * 1024;
      if ('exit' in reply || overLimit) {
        this.kill(spec.key, env);
        const exit = 'exit' in reply ? reply.exit : 'oom';
        if (exit === 'malformed') {
          return failure('Runtime.Unknown', `RequestId: ${req.requestId} Error: the runtime wrote something other than its reply on file descriptor ${CHANNEL_FD}, the sandbox's channel; the environment was replaced`, durationMs, cold);
        }
        if (exit === 'oversized') {
          // Only a result far over Lambda's 6 MB reaches the channel's limit.
          return failure('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${6 * 1024 * 1024} bytes).`, durationMs, cold);
        }
        if (exit === 'oom') {
          return {
            ...failure('Runtime.OutOfMemory', `RequestId: ${req.requestId} Error: Runtime exited with error: signal: killed`, durationMs, cold),
            logs: [...logs(), `Memory limit of ${spec.memorySize} MB exceeded: the runtime was killed (Runtime.OutOfMemory).`],
          };
        }
        return { ...failure('Runtime.ExitError', `RequestId: ${req.requestId} Error: Runtime exited with error: ${exit}`, durationMs, cold), logs: logs() };
      }
      if (reply.kind !== 'result') return failure('Runtime.Unknown', 'Unexpected reply from the runtime', durationMs, cold);
      // An error that escaped the handler ends the environment after it is reported, as on Lambda.
      if (!reply.ok && reply.exitCode !== undefined) this.kill(spec.key, env);
      const posted = (text: string) => (reply.encoding === 'base64' ? Buffer.from(text, 'base64') : text);
      if (reply.ok) return { ok: true, payload: posted(reply.payload), logs: logs(), durationMs, coldStart: cold };
      return {
        ok: false,
        errorType: reply.errorType,
        payload: reply.payload !== undefined ? posted(reply.payload) : JSON.stringify({ errorType: reply.errorType, errorMessage: reply.errorMessage, trace: reply.stack }),
        logs: logs(),
        durationMs,
        coldStart: cold,
      };
    } finally {
      env.pending = undefined;
      env.busy = false;
      env.lastUsed = Date.now();
      env.output = [];
      env.outputChars = 0;
      if (env.retired && !env.dead) this.kill(spec.key, env);
      this.release(spec.key);
    }
  }

  /** Environments currently alive (warm or busy), for tests and the CLI. */
  environmentCount(): number {
    let n = 0;
    for (const pool of this.pools.values()) n += pool.length;
    return n;
  }

  /** Process ids of the environments alive now, for tests. */
  environmentPids(): number[] {
    return [...this.pools.values()].flat().flatMap((e) => (e.child.pid === undefined ? [] : [e.child.pid]));
  }

  /**
   * Shuts down the environments whose key starts with `keyPrefix` (a deleted function or version):
   * idle ones now, busy ones when their invocation ends, instead of keeping them warm until the
   * idle reaper gets to them.
   */
  retire(keyPrefix: string): void {
    for (const [key, pool] of [...this.pools]) {
      if (!key.startsWith(keyPrefix)) continue;
      for (const env of [...pool]) {
        if (env.busy) env.retired = true;
        else this.kill(key, env);
      }
    }
  }

  /** Kills every environment (and whatever it started) and waits until they are gone. */
  async dispose(): Promise<void> {
    clearInterval(this.reaper);
    const all = [...this.pools.values()].flat();
    this.pools.clear();
    for (const e of all) {
      e.dead = true;
      // Held until it is gone: the caller awaits a sandbox with no process left behind.
      e.child.ref();
      killProcessTree(e.child);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all.map((e) => e.exited)), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  private async acquire(spec: EnvironmentSpec, requestId: string): Promise<{ env: ExecutionEnvironment; cold: boolean }> {
    for (;;) {
      const pool = this.pools.get(spec.key) ?? [];
      this.pools.set(spec.key, pool);
      const idle = pool.find((e) => !e.busy && !e.dead && e.takesNext);
      if (idle) {
        idle.busy = true;
        return { env: idle, cold: false };
      }
      // One that answered but has not asked for its next event yet: it will in a moment, or it
      // ends (a bootstrap that exits after answering), and then it is never offered.
      const finishing = pool.find((e) => !e.busy && !e.dead);
      if (finishing && (await this.nextOrEnd(finishing, NEXT_GRACE_MS))) continue;
      if (pool.length < this.maxPer) {
        const env = this.spawn(spec, requestId);
        env.busy = true;
        pool.push(env);
        return { env, cold: true };
      }
      await new Promise<void>((resolve) => {
        const q = this.waiting.get(spec.key) ?? [];
        q.push(resolve);
        this.waiting.set(spec.key, q);
      });
    }
  }

  /** True once the environment asked for its next event or ended; false when `limitMs` passed first. */
  private nextOrEnd(env: ExecutionEnvironment, limitMs: number): Promise<boolean> {
    if (env.dead || env.takesNext) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), limitMs);
      env.onNextOrEnd.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private release(key: string): void {
    const q = this.waiting.get(key);
    const next = q?.shift();
    if (q && q.length === 0) this.waiting.delete(key);
    next?.();
  }

  private spawn(spec: EnvironmentSpec, requestId: string): ExecutionEnvironment {
    const environment = { ...spec.environment };
    const notices: string[] = [];
    if (environment.NODE_OPTIONS !== undefined) {
      // Whatever the record says (a request, or a state folder someone else wrote): a debugger
      // never listens, on any address (a custom runtime's bootstrap may start Node too).
      const { value, removed } = withoutInspectorFlags(environment.NODE_OPTIONS);
      if (removed.length) {
        environment.NODE_OPTIONS = value;
        notices.push(`${new Date().toISOString()}\tinit\tWARN\tThe sandbox removed ${removed.join(' ')} from NODE_OPTIONS: it never starts a debugger, which would accept code from anyone who can reach its port.`);
        this.opts.log?.(`${spec.init.functionName}:${spec.init.functionVersion}: removed ${removed.join(' ')} from NODE_OPTIONS (no inspector in the sandbox's runtimes)`);
      }
    }
    const runtime = spec.init.runtime ?? 'nodejs';
    const family = runtimeFamily(runtime) ?? 'nodejs';
    // A private environment: the function's variables and Lambda's own, never the host's
    // (which may hold credentials).
    const lambdaEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      AWS_REGION: spec.init.region,
      AWS_DEFAULT_REGION: spec.init.region,
      AWS_LAMBDA_FUNCTION_NAME: spec.init.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: spec.init.functionVersion,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.init.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(spec.init.functionVersion),
      LAMBDA_TASK_ROOT: spec.init.taskRoot,
      _HANDLER: spec.init.handler,
    };
    const executionEnv = executionEnvOf(runtime);
    if (executionEnv) lambdaEnv.AWS_EXECUTION_ENV = executionEnv;
    Object.assign(lambdaEnv, this.opts.providedEnvironment?.() ?? {}, environment);
    let bootstrap: BootstrapSpec | undefined;
    let script = this.opts.workerScript;
    let processEnv = lambdaEnv;
    if (family !== 'nodejs') {
      script = this.opts.runtimeApiScript ?? companion(this.opts.workerScript, 'runtimeApi.js', 'sandboxRuntimeApi.js');
      if (family === 'python') {
        const python = findPython();
        const file = this.opts.pythonBootstrap ?? pythonBootstrapPath(this.opts.workerScript);
        const command = python?.executable ?? 'python3';
        // -s: no user site-packages of the machine's account on sys.path (Lambda has none); the
        // PYTHON* variables a function sets (PYTHONPATH) still count, as on Lambda.
        bootstrap = { command, args: ['-s', file], entrypoint: command, env: lambdaEnv, requestId };
        const wanted = runtime.slice('python'.length);
        if (python && python.version !== wanted) {
          notices.push(`${new Date().toISOString()}\tinit\tWARN\tThe sandbox runs ${runtime} functions with this machine's python3 (${python.version}), not Python ${wanted}.`);
        }
      } else {
        const file = path.join(spec.init.taskRoot, 'bootstrap');
        bootstrap = { command: file, args: [], entrypoint: file, env: lambdaEnv, requestId };
      }
      // The Runtime API's own process takes none of the function's Node.js flags: they are the
      // bootstrap's (in its environment above).
      processEnv = { ...lambdaEnv };
      delete processEnv.NODE_OPTIONS;
    }
    const child = startRuntimeProcess({ script, cwd: spec.init.taskRoot, memorySize: spec.memorySize, env: processEnv });
    const notice = notices.length ? notices.join('\n') : undefined;
    const env: ExecutionEnvironment = {
      child,
      channel: child.stdio[CHANNEL_FD] as Socket,
      busy: false,
      lastUsed: Date.now(),
      dead: false,
      ready: Promise.resolve(),
      output: [],
      outputChars: 0,
      stderrTail: '',
      exited: Promise.resolve(''),
      notice,
      viaRuntimeApi: family !== 'nodejs',
      takesNext: family === 'nodejs',
      onNextOrEnd: [],
    };
    const nextOrEnd = () => {
      for (const f of env.onNextOrEnd.splice(0)) f();
    };
    const capture = (text: string) => {
      if (!env.busy || env.outputChars > MAX_OUTPUT_CHARS) return;
      for (const line of text.replace(/\n$/, '').split('\n')) {
        env.output.push(line);
        env.outputChars += line.length;
      }
    };
    // Always drained: a runtime writing to a full pipe would block.
    child.stdout?.setEncoding('utf8').on('data', capture);
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      env.stderrTail = (env.stderrTail + text).slice(-8192);
      capture(text.replaceAll(OOM_MARKER, ''));
    });
    env.exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        env.dead = true;
        this.remove(spec.key, env);
        nextOrEnd();
        // An invocation waiting for a free environment may start a fresh one in its place.
        this.release(spec.key);
        // Whatever the runtime wrote last (a fatal heap error) is read before judging its death.
        const judge = () => resolve(env.stderrTail.includes(OOM_MARKER) || HEAP_OOM.test(env.stderrTail) ? 'oom' : describeExit(code, signal));
        if (!child.stderr || child.stderr.readableEnded) judge();
        else {
          const t = setTimeout(judge, 100);
          child.stderr.once('end', () => {
            clearTimeout(t);
            judge();
          });
        }
      });
      // A runtime that could not even start (no such executable, no process slots) never exits.
      child.on('error', (e) => {
        if (child.pid !== undefined) return;
        env.dead = true;
        this.remove(spec.key, env);
        resolve(`error: ${e.message}`);
      });
    });
    /** Ends an environment whose runtime broke the protocol: what it sends is the handler's to forge. */
    const violation = (why: 'malformed' | 'oversized') => {
      env.pending?.resolve({ exit: why });
      this.kill(spec.key, env);
    };
    let onMessage: (msg: WorkerReply) => void = () => undefined;
    const reader = new LineReader(
      (line) => {
        const msg = parseReply(line);
        if (msg) onMessage(msg);
        else violation('malformed');
      },
      () => violation('oversized'),
      MAX_MESSAGE_CHARS,
    );
    env.channel.setEncoding('utf8').on('data', (chunk: string) => reader.push(chunk));
    env.channel.on('error', () => undefined);
    env.ready = new Promise<void>((resolve) => {
      onMessage = (msg) => {
        if (msg.kind === 'ready' || msg.kind === 'initError') {
          env.initReply ??= msg;
          if (msg.kind === 'ready') {
            env.takesNext = true;
            nextOrEnd();
            // An invocation may be queued for this version: it can have this environment now.
            if (!env.busy) this.release(spec.key);
          }
          resolve();
        } else if (msg.kind === 'result' && env.pending?.id === msg.id) {
          env.pending.resolve(msg);
        }
      };
      void env.exited.then((exit) => {
        resolve();
        env.pending?.resolve({ exit });
      });
    });
    const init: InitRequest = { kind: 'init', init: spec.init, memoryLimitBytes: spec.memorySize * 1024 * 1024, bootstrap };
    env.channel.write(`${JSON.stringify(init)}\n`);
    return env;
  }

  private async awaitReady(env: ExecutionEnvironment, limitMs: number, requestId: string): Promise<Omit<InvokeOutcome, 'durationMs' | 'coldStart'> | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      env.ready.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), limitMs))),
    ]);
    clearTimeout(timer);
    const reply = env.initReply;
    if (timedOut) {
      env.dead = true;
      killProcessTree(env.child);
      const msg = `Init timed out after ${(limitMs / 1000).toFixed(2)} seconds`;
      return { ok: false, errorType: 'Runtime.InitError', payload: JSON.stringify({ errorType: 'Runtime.InitError', errorMessage: msg, trace: [] }), logs: [...env.output] };
    }
    if (env.dead || !reply) {
      // The module ended the process while loading (process.exit, a crash, too much memory).
      env.dead = true;
      killProcessTree(env.child);
      const exit = await env.exited;
      const errorType = exit === 'oom' ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      const errorMessage = `RequestId: ${requestId} Error: Runtime exited with error: ${exit === 'oom' ? 'signal: killed' : exit}`;
      return { ok: false, errorType, payload: JSON.stringify({ errorType, errorMessage }), logs: [...env.output] };
    }
    if (reply.kind === 'initError') {
      // Lambda retries init on the next invocation: drop this environment.
      env.dead = true;
      killProcessTree(env.child);
      return {
        ok: false,
        errorType: reply.errorType,
        // A Runtime API runtime's error body is the payload, as Lambda passes it on.
        payload: reply.payload ?? JSON.stringify({ errorType: reply.errorType, errorMessage: reply.errorMessage, trace: reply.stack }),
        logs: [...(env.notice ? [env.notice] : []), ...(reply.logs ?? []), ...env.output],
      };
    }
    return undefined;
  }

  private kill(key: string, env: ExecutionEnvironment): void {
    env.dead = true;
    this.remove(key, env);
    killProcessTree(env.child);
  }

  private remove(key: string, env: ExecutionEnvironment): void {
    const pool = this.pools.get(key);
    if (!pool) return;
    const i = pool.indexOf(env);
    if (i >= 0) pool.splice(i, 1);
    if (pool.length === 0) this.pools.delete(key);
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const [key, pool] of this.pools) {
      for (const env of [...pool]) {
        if (!env.busy && now - env.lastUsed > this.idleMs) this.kill(key, env);
      }
    }
  }
}

/** The log stream name Lambda's context reports: date, [version], and the environment. */
function logStreamName(version: string): string {
  return `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[${version}]sandbox`;
}

/** A script beside the worker script: its tsc name under out/, its bundle name under dist/. */
function companion(workerScript: string, tscName: string, bundleName: string): string {
  const dir = path.dirname(workerScript);
  return path.join(dir, path.basename(workerScript) === 'sandboxWorker.js' ? bundleName : tscName);
}

/** bootstrap.py: beside the bundle (dist/sandboxBootstrap.py), beside the worker, or in the sources (tsc copies no .py). */
function pythonBootstrapPath(workerScript: string): string {
  const dir = path.dirname(workerScript);
  const candidates = [path.join(dir, 'sandboxBootstrap.py'), path.join(dir, 'bootstrap.py'), path.resolve(dir, '..', '..', '..', '..', 'src', 'sandbox', 'runtime', 'bootstrap.py')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

function failure(errorType: string, errorMessage: string, durationMs: number, coldStart: boolean): InvokeOutcome {
  return { ok: false, errorType, payload: JSON.stringify({ errorType, errorMessage }), logs: [], durationMs, coldStart };
}
