/** Small helpers shared by the benchmarks: timing, statistics, request counting. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Sandbox, SandboxOptions } from '../src/sandbox';
import { createClients } from '../src/core/connection';
import { startSandbox } from '../src/sandbox';

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
  const counts = new Map<string, number>();
  // The request log line is `METHOD /path OP → STATUS (N ms)`.
  const log = (line: string) => {
    const m = /^\S+ \S+ (\S+) → /.exec(line);
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  };
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
