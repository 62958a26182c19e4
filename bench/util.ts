/** Small helpers shared by the benchmarks: timing, statistics, request counting. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Sandbox, SandboxOptions } from '../src/sandbox';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createClients } from '../src/core/connection';
import { startSandbox } from '../src/sandbox';
import type { ThreadCall, ThreadReply } from './sandboxThread';
import { placeApart } from './affinity';
import { requestCounter } from './requestLog';

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A sandbox that counts the requests it answers, by operation. */
export interface CountingSandbox {
  sandbox: Sandbox;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  /** Requests answered since the last reset, by operation name. */
  counts: Map<string, number>;
  reset(): void;
  total(): number;
  close(): Promise<void>;
}

/** Starts a sandbox on a free loopback port with the extension's own SDK clients (createClients) pointed at it. */
export async function countingSandbox(options: SandboxOptions = {}): Promise<CountingSandbox> {
  const { counts, log } = requestCounter();
  const sandbox = await startSandbox({ updateDelayMs: 0, ...options, log });
  const { lambda, cloudwatch } = createClients({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false });
  return {
    sandbox,
    lambda,
    cloudwatch,
    counts,
    reset: () => counts.clear(),
    total: () => [...counts.values()].reduce((s, n) => s + n, 0),
    close: async () => {
      lambda.destroy();
      cloudwatch.destroy();
      await sandbox.close();
    },
  };
}

/** Throws unless the sandbox answered `reply` with a 2xx status: setup must not fail silently. */
export function ok<T extends { status: number; body?: unknown }>(reply: T, what: string): T {
  if (reply.status < 200 || reply.status > 299) throw new Error(`${what}: status ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply;
}

/** A sandbox on its own thread (bench/sandboxThread.ts), with the extension's own SDK clients pointed at it. */
export interface ThreadSandbox {
  lambda: LambdaClient;
  seedMany(count: number): Promise<void>;
  setLatency(ms: number): Promise<void>;
  settle(): Promise<void>;
  /** Requests answered since the last reset, by operation name. */
  counts(): Promise<Map<string, number>>;
  reset(): Promise<void>;
  /** A plain Node HTTP server on the same thread that waits `latencyMs` as the sandbox does, then sends `body`. */
  plainServer(latencyMs: number, body: Uint8Array): Promise<string>;
  /** Where the sandbox thread and the benchmark run (bench/affinity.ts). */
  placement: string;
  close(): Promise<void>;
}

export async function threadSandbox(): Promise<ThreadSandbox> {
  const worker = new Worker(path.join(__dirname, 'sandboxThread.js'));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  type Ready = { endpoint: string; region: string; threadId?: number };
  const ready = new Promise<Ready>((resolve, reject) => {
    waiting.set(0, { resolve: (v) => resolve(v as Ready), reject });
  });
  worker.on('message', (reply: ThreadReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error !== undefined) w?.reject(new Error(reply.error));
    else w?.resolve(reply.result);
  });
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the sandbox thread exited (code ${code})`)));
  const call = <T>(op: ThreadCall['op'], arg?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      worker.postMessage({ id, op, arg } satisfies ThreadCall);
    });
  const { endpoint, region, threadId } = await ready;
  const placement = placeApart(threadId);
  let lambda: LambdaClient;
  try {
    const clients = createClients({ kind: 'sandbox', endpoint, region, embedded: false });
    clients.cloudwatch.destroy();
    lambda = clients.lambda;
  } catch (e) {
    placement.restore();
    await worker.terminate();
    throw e;
  }
  return {
    lambda,
    seedMany: (count) => call('seedMany', count),
    setLatency: (ms) => call('setLatency', ms),
    settle: () => call('settle'),
    counts: async () => new Map(Object.entries(await call<Record<string, number>>('counts'))),
    reset: () => call('resetCounts'),
    plainServer: (latencyMs, body) => call('plainServer', { latencyMs, body }),
    placement: placement.description,
    close: async () => {
      lambda.destroy();
      try {
        await call('close');
      } finally {
        placement.restore();
        await worker.terminate();
      }
    },
  };
}
