/**
 * The Functions view: listing N functions page by page, and expanding one function, through
 * the same core calls the tree makes (src/extension/tree.ts → src/core/lambdaApi.ts), with a
 * fixed latency added to every request. The sandbox runs on its own thread (bench/sandboxThread.ts),
 * as AWS answers from elsewhere.
 */
import * as http from 'node:http';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, ListFunctionsCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { listAliases, listFunctionsSoFar, listVersions } from '../src/core/lambdaApi';
import { zipFiles } from '../src/sandbox';
import { median, now, round, threadSandbox } from './util';

export const LATENCY_MS = 50;
const PAGE = 50;

export interface ListingResult {
  functions: number;
  latencyMs: number;
  runs: number;
  seedMs: number;
  firstPageMs: number;
  fullListMs: number;
  firstPageRunsMs: number[];
  fullListRunsMs: number[];
  calls: number;
  floorMs: number;
  ratioToFloor: number;
  /** (full list − floor) / pages: what each page costs beyond the injected latency. */
  overheadPerPageMs: number;
  firstPageRatio: number;
  /**
   * The same number of sequential requests, with the same latency and page size, from a plain
   * Node HTTP client to a plain Node server that only sleeps and answers: what this machine's
   * timers and loopback HTTP cost before any SDK or sandbox work.
   */
  plainHttpMs: number;
  ratioToPlainHttp: number;
  /** Which cores the sandbox thread and the benchmark ran on (bench/affinity.ts). */
  placement: string;
}

export async function benchListing(n: number, runs = 3): Promise<ListingResult> {
  const s = await threadSandbox();
  try {
    const t0 = now();
    await s.seedMany(n);
    const seedMs = now() - t0;
    // One listing first, untimed: the connection is open and the listing code compiled, as in
    // the extension once it has drawn the tree.
    for await (const soFar of listFunctionsSoFar(s.lambda)) void soFar;
    await s.setLatency(LATENCY_MS);
    const first: number[] = [];
    const full: number[] = [];
    let calls = 0;
    let seen = 0;
    for (let r = 0; r < runs; r++) {
      await s.reset();
      let listed: FunctionConfiguration[] = [];
      let firstAt: number | undefined;
      const start = now();
      // The tree's own listing: the sorted list so far after each page.
      for await (const soFar of listFunctionsSoFar(s.lambda)) {
        listed = soFar;
        firstAt ??= now();
      }
      full.push(now() - start);
      first.push(firstAt! - start);
      calls = (await s.counts()).get('ListFunctions') ?? 0;
      seen = listed.length;
    }
    if (seen !== n) throw new Error(`listed ${seen} functions, expected ${n}`);
    const floorMs = Math.ceil(n / PAGE) * LATENCY_MS;
    await s.setLatency(0);
    const pageBody = Buffer.from(JSON.stringify(await s.lambda.send(new ListFunctionsCommand({ MaxItems: PAGE }))));
    const plainUrl = await s.plainServer(LATENCY_MS, pageBody);
    const plain: number[] = [];
    for (let r = 0; r < runs; r++) plain.push(await plainHttp(plainUrl, Math.ceil(n / PAGE)));
    return {
      functions: n,
      latencyMs: LATENCY_MS,
      runs,
      seedMs: round(seedMs, 0),
      firstPageMs: round(median(first)),
      fullListMs: round(median(full)),
      firstPageRunsMs: first.map((x) => round(x)),
      fullListRunsMs: full.map((x) => round(x)),
      calls,
      floorMs,
      ratioToFloor: round(median(full) / floorMs, 3),
      overheadPerPageMs: round((median(full) - floorMs) / Math.ceil(n / PAGE), 2),
      firstPageRatio: round(median(first) / LATENCY_MS, 3),
      plainHttpMs: round(median(plain)),
      ratioToPlainHttp: round(median(full) / median(plain), 3),
      placement: s.placement,
    };
  } finally {
    await s.close();
  }
}

/** `requests` sequential keep-alive GETs of `url` (the sandbox thread's plain server), each body parsed as JSON. */
async function plainHttp(url: string, requests: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const get = () =>
    new Promise<void>((resolve, reject) =>
      http
        .get(url, { agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
        })
        .on('error', reject),
    );
  try {
    await get();
    const start = now();
    for (let i = 0; i < requests; i++) await get();
    return now() - start;
  } finally {
    agent.destroy();
  }
}

export interface ExpandResult {
  latencyMs: number;
  runs: number;
  aliases: number;
  versions: number;
  calls: Record<string, number>;
  totalCalls: number;
  ms: number;
  runsMs: number[];
  roundTrips: number;
  placement: string;
}

/** Expanding a function: its aliases and versions, the two calls in parallel as the tree makes them. */
export async function benchExpand(runs = 7): Promise<ExpandResult> {
  const s = await threadSandbox();
  try {
    const fn = 'bench-expand';
    const zip = (tag: string) => zipFiles({ 'index.js': `exports.handler = async () => (${JSON.stringify({ tag })});\n` });
    await s.lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/bench', Code: { ZipFile: zip('v0') } }));
    for (let v = 1; v <= 8; v++) {
      await s.settle();
      await s.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zip(`v${v}`) }));
      await s.settle();
      await s.lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    }
    await s.settle();
    await s.lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } }));
    await s.lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'staging', FunctionVersion: '8' }));
    // Two sockets open, as after the tree's first expansions.
    await Promise.all([listAliases(s.lambda, fn), listVersions(s.lambda, fn)]);
    await s.setLatency(LATENCY_MS);
    const times: number[] = [];
    let calls: Record<string, number> = {};
    let aliases = 0;
    let versions = 0;
    for (let r = 0; r < runs; r++) {
      await s.reset();
      const start = now();
      const [a, v] = await Promise.all([listAliases(s.lambda, fn), listVersions(s.lambda, fn)]);
      times.push(now() - start);
      calls = Object.fromEntries(await s.counts());
      aliases = a.length;
      versions = v.length;
    }
    const ms = median(times);
    return {
      latencyMs: LATENCY_MS,
      runs,
      aliases,
      versions,
      calls,
      totalCalls: Object.values(calls).reduce((x, y) => x + y, 0),
      ms: round(ms),
      runsMs: times.map((x) => round(x)),
      roundTrips: round(ms / LATENCY_MS, 2),
      placement: s.placement,
    };
  } finally {
    await s.close();
  }
}
