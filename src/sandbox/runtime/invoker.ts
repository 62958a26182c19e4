import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { extractOnce } from '../unpack';
import type { InvokeRequest, WorkerInit, WorkerReply } from './protocol';

export interface InvokeOutcome {
  ok: boolean;
  /** The handler's JSON result, or Lambda's error payload when !ok. */
  payload: string;
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
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  lastUsed: number;
  dead: boolean;
  /** Shut down as soon as its current invocation ends (its function or version was deleted). */
  retired?: boolean;
  /** The worker's answer to loading the handler: ready, or an init error. */
  initReply?: WorkerReply;
  pending?: { id: number; resolve: (r: WorkerReply) => void };
}

export interface InvokerOptions {
  /** Path of the compiled worker script (runtime/worker.js). */
  workerScript: string;
  /** Where versions' zips are unpacked, one folder per code blob. */
  codeRoot: string;
  /** Warm environments per version, as Lambda keeps several for concurrent requests. */
  maxEnvironmentsPerVersion?: number;
  /** A warm environment unused this long is shut down. */
  idleMs?: number;
}

const INIT_TIMEOUT_MS = 10_000;

/**
 * Runs handlers in worker threads: each published version (and each state of $LATEST) gets its
 * own execution environments with their own module cache, `process.env` and heap limit. An
 * environment serves one invocation at a time and stays warm for reuse.
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
    const { env, cold } = await this.acquire(spec);
    let onError: ((e: Error & { code?: string }) => void) | undefined;
    let onExit: ((code: number) => void) | undefined;
    try {
      if (cold) {
        // Init is its own phase, as on Lambda: limited to 10 s, it counts neither against the
        // function's timeout nor in Duration.
        const initStarted = Date.now();
        const initErr = await this.awaitReady(env, INIT_TIMEOUT_MS);
        if (initErr) {
          // Lambda retries init on the next invocation: drop this environment from the pool.
          this.kill(spec.key, env);
          return { ...initErr, durationMs: Date.now() - initStarted, coldStart: true };
        }
      }
      const id = this.nextId++;
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
        onError = (e) => done({ exit: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : `${e.name}: ${e.message}` });
        onExit = (code) => done({ exit: `exit status ${code}` });
        env.worker.on('error', onError);
        env.worker.on('exit', onExit);
        // The worker may have died while idle, after the pool handed it out.
        if (env.dead) done({ exit: 'exit status unknown' });
        else env.worker.postMessage({ kind: 'invoke', id, deadline, ...req } satisfies InvokeRequest);
      });
      const durationMs = Date.now() - started;
      if (reply === 'timeout') {
        this.kill(spec.key, env);
        const secs = spec.timeoutSeconds.toFixed(2);
        return failure('Sandbox.Timedout', `${new Date().toISOString()} ${req.requestId} Task timed out after ${secs} seconds`, durationMs, cold);
      }
      if ('exit' in reply) {
        this.kill(spec.key, env);
        if (reply.exit === 'oom') {
          return failure('Runtime.OutOfMemory', `RequestId: ${req.requestId} Error: Runtime exited with error: signal: killed (memory limit of ${spec.memorySize} MB exceeded)`, durationMs, cold);
        }
        return failure('Runtime.ExitError', `RequestId: ${req.requestId} Error: Runtime exited with error: ${reply.exit}`, durationMs, cold);
      }
      if (reply.kind !== 'result') return failure('Runtime.Unknown', 'Unexpected reply from the runtime', durationMs, cold);
      if (reply.ok) return { ok: true, payload: reply.payload, logs: reply.logs, durationMs, coldStart: cold };
      return {
        ok: false,
        errorType: reply.errorType,
        payload: JSON.stringify({ errorType: reply.errorType, errorMessage: reply.errorMessage, trace: reply.stack }),
        logs: reply.logs,
        durationMs,
        coldStart: cold,
      };
    } finally {
      // Only this invocation's listeners: the environment's own 'exit' listener (spawn) must stay,
      // so that a worker dying while idle leaves the pool.
      if (onError) env.worker.off('error', onError);
      if (onExit) env.worker.off('exit', onExit);
      env.pending = undefined;
      env.busy = false;
      env.lastUsed = Date.now();
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

  async dispose(): Promise<void> {
    clearInterval(this.reaper);
    const all = [...this.pools.values()].flat();
    this.pools.clear();
    await Promise.all(all.map((e) => e.worker.terminate().catch(() => undefined)));
  }

  private async acquire(spec: EnvironmentSpec): Promise<{ env: ExecutionEnvironment; cold: boolean }> {
    for (;;) {
      const pool = this.pools.get(spec.key) ?? [];
      this.pools.set(spec.key, pool);
      const idle = pool.find((e) => !e.busy && !e.dead);
      if (idle) {
        idle.busy = true;
        return { env: idle, cold: false };
      }
      if (pool.length < this.maxPer) {
        const env = this.spawn(spec);
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

  private release(key: string): void {
    const q = this.waiting.get(key);
    const next = q?.shift();
    if (q && q.length === 0) this.waiting.delete(key);
    next?.();
  }

  private spawn(spec: EnvironmentSpec): ExecutionEnvironment {
    const worker = new Worker(this.opts.workerScript, {
      workerData: spec.init,
      // A private environment: the function's variables and Lambda's own, never the host's
      // (which may hold credentials).
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        AWS_REGION: spec.init.region,
        AWS_DEFAULT_REGION: spec.init.region,
        AWS_LAMBDA_FUNCTION_NAME: spec.init.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: spec.init.functionVersion,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.init.functionName}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs',
        LAMBDA_TASK_ROOT: spec.init.taskRoot,
        _HANDLER: spec.init.handler,
        ...spec.environment,
      },
      resourceLimits: { maxOldGenerationSizeMb: spec.memorySize },
      stdout: true,
      stderr: true,
    });
    worker.unref();
    const env: ExecutionEnvironment = { worker, busy: false, lastUsed: Date.now(), dead: false, ready: Promise.resolve() };
    env.ready = new Promise<void>((resolve) => {
      worker.on('message', (msg: WorkerReply) => {
        if (msg.kind === 'ready' || msg.kind === 'initError') {
          env.initReply = msg;
          resolve();
        } else if (msg.kind === 'result' && env.pending?.id === msg.id) {
          env.pending.resolve(msg);
        }
      });
      worker.once('exit', () => {
        env.dead = true;
        this.remove(spec.key, env);
        resolve();
      });
      worker.on('error', () => undefined);
    });
    return env;
  }

  private async awaitReady(env: ExecutionEnvironment, limitMs: number): Promise<Omit<InvokeOutcome, 'durationMs' | 'coldStart'> | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      env.ready.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), limitMs))),
    ]);
    clearTimeout(timer);
    const reply = env.initReply;
    if (timedOut || env.dead || !reply) {
      env.dead = true;
      void env.worker.terminate();
      const msg = timedOut ? `Init timed out after ${(limitMs / 1000).toFixed(2)} seconds` : 'Runtime exited during init';
      return { ok: false, errorType: 'Runtime.InitError', payload: JSON.stringify({ errorType: 'Runtime.InitError', errorMessage: msg, trace: [] }), logs: [] };
    }
    if (reply.kind === 'initError') {
      // Lambda retries init on the next invocation: drop this environment.
      env.dead = true;
      void env.worker.terminate();
      return {
        ok: false,
        errorType: reply.errorType,
        payload: JSON.stringify({ errorType: reply.errorType, errorMessage: reply.errorMessage, trace: reply.stack }),
        logs: [],
      };
    }
    return undefined;
  }

  private kill(key: string, env: ExecutionEnvironment): void {
    env.dead = true;
    this.remove(key, env);
    void env.worker.terminate();
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

function failure(errorType: string, errorMessage: string, durationMs: number, coldStart: boolean): InvokeOutcome {
  return { ok: false, errorType, payload: JSON.stringify({ errorType, errorMessage }), logs: [], durationMs, coldStart };
}
