import * as http from 'node:http';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { capabilitiesOf } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import type { UseCaseContext } from '../../src/core/usecases';
import type { Sandbox, SandboxOptions } from '../../src/sandbox';
import { startSandbox, zipFiles } from '../../src/sandbox';

export const ROLE = 'arn:aws:iam::123456789012:role/test-role';
export const OTHER_ROLE = 'arn:aws:iam::123456789012:role/other-role';

export interface Harness {
  sandbox: Sandbox;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
}

/** Real SDK v3 clients talking HTTP to a sandbox on an ephemeral loopback port. */
export function clientsFor(sandbox: Sandbox, extra: { maxAttempts?: number } = {}): { lambda: LambdaClient; cloudwatch: CloudWatchClient } {
  const config = {
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    credentials: { accessKeyId: sandbox.accessKeyId ?? 'sandbox', secretAccessKey: 'sandbox' },
    maxAttempts: extra.maxAttempts ?? 1,
  };
  return { lambda: new LambdaClient(config), cloudwatch: new CloudWatchClient(config) };
}

/**
 * Registers before/after hooks that start a fresh sandbox for the suite. Use `h()` inside tests.
 * updateDelayMs defaults to 30 ms so waiters are exercised without slowing tests down.
 */
export function useSandbox(options: SandboxOptions = {}): () => Harness {
  let harness: Harness | undefined;
  before(async () => {
    const sandbox = await startSandbox({ updateDelayMs: 30, ...options });
    harness = { sandbox, ...clientsFor(sandbox) };
  });
  after(async () => {
    harness?.lambda.destroy();
    harness?.cloudwatch.destroy();
    await harness?.sandbox.close();
  });
  return () => {
    if (!harness) throw new Error('sandbox not started');
    return harness;
  };
}

/** What a front end gives a use case, for the harness's sandbox (as a standalone sandbox): `extra` adds a journal, a signal… */
export function sandboxContext(h: Harness, extra: Partial<UseCaseContext> = {}): UseCaseContext {
  return {
    lambda: h.lambda,
    cloudwatch: h.cloudwatch,
    capabilities: capabilitiesOf({ kind: 'sandbox', endpoint: h.sandbox.endpoint, region: h.sandbox.region, embedded: false }),
    log: new MemoryLogger(),
    region: h.sandbox.region,
    ...extra,
  };
}

/** A zip holding one CommonJS handler `index.handler` returning `result`. */
export function handlerZip(result: unknown = { ok: true }): Uint8Array {
  return zipFiles({ 'index.js': `exports.handler = async () => (${JSON.stringify(result)});\n` });
}

/** Polls `probe` until it gives a value (not undefined or false); throws after `timeoutMs`, with `state()` in the message. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, state?: () => unknown): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}${state ? `: ${JSON.stringify(state())}` : ''}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The headers an AWS SDK adds to every request: a SigV4 `Authorization` of the SDK's shape and
 * an `X-Amz-Date`. The sandbox checks their shape and the access key, not the signature, so raw
 * HTTP tests can reach it like a client would; `accessKeyId` defaults to the sandbox's own.
 */
export function sdkHeaders(sandbox: Pick<Sandbox, 'accessKeyId' | 'region'>, service = 'lambda', accessKeyId = sandbox.accessKeyId ?? 'sandbox'): Record<string, string> {
  const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${now.slice(0, 8)}/${sandbox.region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': now,
  };
}

/** `fetch` to the sandbox with the headers an SDK adds (see sdkHeaders); `init.headers` win. */
export function sdkFetch(sandbox: Sandbox, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sandbox.endpoint}${path}`, { ...init, headers: { ...sdkHeaders(sandbox), ...(init.headers as Record<string, string> | undefined) } });
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, because fetch cannot set Host or send some of these header combinations. */
export function rawRequest(sandbox: Sandbox, method: string, pathname: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(`${sandbox.endpoint}${pathname}`, { method, headers: { ...(data ? { 'content-length': String(data.length) } : {}), ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
