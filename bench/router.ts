/**
 * The router's price: what a request pays for going through `<target>-router:alias` instead of
 * straight to `target:VERSION`. In a sandbox, through the real SDK: a target function, and the
 * router's own package (routerPackage) in front of it, as test/integration/router.test.ts deploys
 * it. Warm requests, one at a time and interleaved (direct, routed, direct, …), so both series see
 * the same machine; the router's duration from the REPORT line of each invocation's log tail; its
 * cost from Lambda's public price formula.
 */
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import type { RouterConfig } from '../src/core/router/rules';
import { decideRoute } from '../src/core/router/rules';
import { ROUTER_HANDLER, ROUTER_RUNTIME, routerEnvironment, routerPackage } from '../src/core/router/routerPackage';
import { zipFiles } from '../src/sandbox';
import { countingSandbox, median, now, round } from './util';

const ROLE = 'arn:aws:iam::123456789012:role/bench';

/**
 * Lambda's public price, x86, US East (N. Virginia), first duration tier (up to 6 billion GB-s a
 * month), no free tier: https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests,
 * $0.0000166667 for every GB-second; the page as read on PRICE_DATE). AWS's "How AWS Pricing
 * Works" gives the same prices ($0.0000002 a request, $0.00001667 a GB-second, rounded).
 */
export const LAMBDA_PRICE = {
  region: 'us-east-1',
  architecture: 'x86_64',
  perMillionRequests: 0.2,
  perGbSecond: 0.0000166667,
  source: 'https://aws.amazon.com/lambda/pricing/',
  date: '2026-09-20',
} as const;

/** The router's memory size, as the product creates it. */
export const ROUTER_MEMORY_MB = 128;

/** Duration is billed rounded up to the next millisecond (an invocation is at least 1 ms). */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** Cost of a million invocations of `billedMsEach` at `memoryMb`: request charge + GB-seconds × price. */
export function costPerMillion(billedMsEach: number, memoryMb: number, price: { perMillionRequests: number; perGbSecond: number } = LAMBDA_PRICE): { requests: number; duration: number; total: number; gbSeconds: number } {
  const gbSeconds = 1_000_000 * (billedMsEach / 1000) * (memoryMb / 1024);
  const duration = gbSeconds * price.perGbSecond;
  return { requests: price.perMillionRequests, duration, gbSeconds, total: price.perMillionRequests + duration };
}

/** The p-th percentile (nearest rank) of xs. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The Duration of an invocation's REPORT line (`REPORT RequestId: … Duration: 1.23 ms …`). */
export function reportDurationMs(log: string): number | undefined {
  const m = /^REPORT RequestId:.*\tDuration: ([\d.]+) ms/m.exec(log);
  return m ? Number(m[1]) : undefined;
}

const TARGET_CODE = (tag: string) => `// ${tag}
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ version: process.env.AWS_LAMBDA_FUNCTION_VERSION, path: event && event.rawPath }),
});
`;

/** A Function URL request (payload format 2.0) of a user of the beta group, or of no group. */
const httpEvent = (i: number) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/orders',
  rawQueryString: '',
  headers: { host: 'abc.lambda-url.us-east-1.on.aws', 'x-user-id': `customer-${i % 200}`, ...(i % 4 === 0 ? { 'x-canary-group': 'beta' } : {}) },
  requestContext: { http: { method: 'GET', path: '/orders', sourceIp: '198.51.100.20' } },
  isBase64Encoded: false,
});

interface Stats {
  medianMs: number;
  p99Ms: number;
}

const stats = (xs: number[], digits = 2): Stats => ({ medianMs: round(median(xs), digits), p99Ms: round(percentile(xs, 99), digits) });

export interface RouterBenchResult {
  requests: number;
  warmup: number;
  memoryMb: number;
  direct: Stats;
  routed: Stats;
  /** Per pair (routed − direct, one after the other). */
  added: Stats;
  /** The router's REPORT Duration, and what Lambda would bill for it (rounded up to 1 ms). */
  routerDuration: Stats & { meanMs: number };
  routerBilled: Stats & { meanMs: number };
  targetBilled: Stats & { meanMs: number };
  /** The router's own work (its decision line's `ms`: reading the rule and deciding), median. */
  decisionMedianMs: number;
  canaryShare: number;
  price: typeof LAMBDA_PRICE;
  /** The router's cost a million requests at its mean billed duration. */
  routerCostPerMillion: { requests: number; duration: number; total: number; gbSeconds: number };
  /** The target's own cost a million requests at 128 MB (what the routed traffic paid before). */
  targetCostPerMillion: { requests: number; duration: number; total: number; gbSeconds: number };
  errors: number;
}

/**
 * `requests` warm pairs (after `warmup` pairs): one invoke of `target:VERSION` (the version the
 * rule chooses for the request), then one of `target-router:prod` carrying the same request.
 */
export async function benchRouter(requests = 500, warmup = 50): Promise<RouterBenchResult> {
  const s = await countingSandbox();
  try {
    const target = 'bench-api';
    const routerName = `${target}-router`;
    await s.lambda.send(new CreateFunctionCommand({ FunctionName: target, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Timeout: 3, MemorySize: ROUTER_MEMORY_MB, Code: { ZipFile: zipFiles({ 'index.js': TARGET_CODE('v1') }) } }));
    s.sandbox.settle();
    await s.lambda.send(new PublishVersionCommand({ FunctionName: target }));
    await s.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: target, ZipFile: zipFiles({ 'index.js': TARGET_CODE('v2') }) }));
    s.sandbox.settle();
    await s.lambda.send(new PublishVersionCommand({ FunctionName: target }));
    s.sandbox.settle();

    const config: RouterConfig = {
      target,
      stable: '1',
      canary: '2',
      salt: routerName,
      rules: [
        { kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] },
        { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 10 },
      ],
    };
    const pkg = routerPackage();
    await s.lambda.send(
      new CreateFunctionCommand({
        FunctionName: routerName,
        Runtime: ROUTER_RUNTIME,
        Handler: ROUTER_HANDLER,
        Role: ROLE,
        Timeout: 10,
        MemorySize: ROUTER_MEMORY_MB,
        Code: { ZipFile: pkg.zip },
        Environment: { Variables: routerEnvironment(config) },
      }),
    );
    s.sandbox.settle();
    const v = await s.lambda.send(new PublishVersionCommand({ FunctionName: routerName, CodeSha256: pkg.sha256 }));
    await s.lambda.send(new CreateAliasCommand({ FunctionName: routerName, Name: 'prod', FunctionVersion: v.Version }));
    s.sandbox.settle();

    const invoke = async (fn: string, qualifier: string, event: unknown) => {
      const t = now();
      const out = await s.lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: qualifier, LogType: 'Tail', Payload: Buffer.from(JSON.stringify(event)) }));
      const ms = now() - t;
      const log = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '';
      const body = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as { statusCode?: number; headers?: Record<string, string> };
      return { ms, log, body, error: out.FunctionError !== undefined || body.statusCode !== 200 };
    };

    const direct: number[] = [];
    const routed: number[] = [];
    const added: number[] = [];
    const routerDuration: number[] = [];
    const targetBilled: number[] = [];
    const decision: number[] = [];
    let canary = 0;
    let errors = 0;
    for (let i = 0; i < warmup + requests; i++) {
      const event = httpEvent(i);
      // Straight to the version the router chooses for this request, as a client that knew the
      // rule would call it.
      const d = await invoke(target, decideRoute(config, event).version, event);
      const r = await invoke(routerName, 'prod', event);
      if (i < warmup) continue;
      if (d.error || r.error) errors++;
      direct.push(d.ms);
      routed.push(r.ms);
      added.push(r.ms - d.ms);
      const rd = reportDurationMs(r.log);
      const td = reportDurationMs(d.log);
      if (rd === undefined || td === undefined) throw new Error(`no REPORT line in an invocation's log tail:\n${rd === undefined ? r.log : d.log}`);
      routerDuration.push(rd);
      targetBilled.push(billedMs(td));
      const line = r.log.split('\n').find((l) => l.startsWith('{"lambdaCanaryRouter"'));
      if (line) decision.push(Number((JSON.parse(line) as { ms: number }).ms));
      if (r.body.headers?.['x-canary-version'] === '2') canary++;
    }
    const billed = routerDuration.map(billedMs);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const withMean = (xs: number[]) => ({ ...stats(xs), meanMs: round(mean(xs), 2) });
    return {
      requests,
      warmup,
      memoryMb: ROUTER_MEMORY_MB,
      direct: stats(direct),
      routed: stats(routed),
      added: stats(added),
      routerDuration: withMean(routerDuration),
      routerBilled: withMean(billed),
      targetBilled: withMean(targetBilled),
      decisionMedianMs: decision.length ? round(median(decision), 3) : NaN,
      canaryShare: round((100 * canary) / requests, 1),
      price: LAMBDA_PRICE,
      routerCostPerMillion: costPerMillion(mean(billed), ROUTER_MEMORY_MB),
      targetCostPerMillion: costPerMillion(mean(targetBilled), ROUTER_MEMORY_MB),
      errors,
    };
  } finally {
    await s.close();
  }
}
