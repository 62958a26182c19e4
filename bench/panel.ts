import * as path from 'node:path';
/**
 * The traffic panel's refresh (src/core/traffic.ts) and the sandbox's invoke throughput, both
 * against a sandbox through the real SDK clients.
 */
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { buildTrafficRequest, fetchTraffic } from '../src/core/traffic';
import { zipFiles } from '../src/sandbox';
import { periodFor } from '../src/shared/traffic';
import type { CountingSandbox } from './util';
import { countingSandbox, median, now, round } from './util';

const ROLE = 'arn:aws:iam::123456789012:role/bench';
const zip = (tag: string) => zipFiles({ 'index.js': `exports.handler = async () => (${JSON.stringify({ tag })});\n` });

/** A function with `versions` published versions and an alias `live` on the last two (10 % canary). */
async function functionWithVersions(s: CountingSandbox, fn: string, versions: number): Promise<void> {
  await s.lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip('v0') } }));
  for (let v = 1; v <= versions; v++) {
    s.sandbox.settle();
    await s.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zip(`v${v}`) }));
    s.sandbox.settle();
    await s.lambda.send(new PublishVersionCommand({ FunctionName: fn }));
  }
  s.sandbox.settle();
  const routing = versions > 1 ? { AdditionalVersionWeights: { [String(versions)]: 0.1 } } : undefined;
  await s.lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: String(Math.max(1, versions - 1)), RoutingConfig: routing }));
}

export interface PanelResult {
  versions: number;
  windowMinutes: number;
  periodSeconds: number;
  samples: number;
  metricQueries: number;
  getMetricDataCalls: number;
  otherCalls: number;
  buildRequestUs: number;
  refreshMs: number;
  refreshRunsMs: number[];
  runs: number;
}

/**
 * One refresh of the panel's figures for an alias whose history holds `versions` versions: the
 * window's invocations spread over them (one per version per second over the last hour).
 */
export async function benchPanel(versions: number, runs = 9, windowMinutes = 15): Promise<PanelResult> {
  const s = await countingSandbox();
  try {
    const fn = `panel-${versions}`;
    await functionWithVersions(s, fn, versions);
    const end = Date.now();
    let samples = 0;
    for (let t = end - 60 * 60_000; t < end; t += 1000) {
      for (let v = 1; v <= versions; v++) {
        s.sandbox.metrics.record({ time: t, functionName: fn, resource: `${fn}:live`, executedVersion: String(v), durationMs: 5 + v, error: Math.floor(t / 1000 + v) % 50 === 0, throttled: false });
        samples++;
      }
    }
    const query = {
      functionName: fn,
      aliasName: 'live',
      versions: Array.from({ length: versions }, (_, i) => String(i + 1)),
      windowMs: windowMinutes * 60_000,
      periodSeconds: periodFor(windowMinutes, true),
    };
    const request = buildTrafficRequest(query);
    const reps = 2000;
    let t = now();
    for (let i = 0; i < reps; i++) buildTrafficRequest(query);
    const buildRequestUs = ((now() - t) / reps) * 1000;
    await fetchTraffic(s.cloudwatch, query); // warm the connection
    const times: number[] = [];
    let gmd = 0;
    let other = 0;
    for (let r = 0; r < runs; r++) {
      s.reset();
      t = now();
      const report = await fetchTraffic(s.cloudwatch, query);
      times.push(now() - t);
      gmd = s.counts.get('GetMetricData') ?? 0;
      other = s.total() - gmd;
      if (report.versions.length !== versions || report.totalInvocations === 0) throw new Error(`the refresh of ${fn} saw ${report.versions.length} versions, ${report.totalInvocations} invocations`);
    }
    return {
      versions,
      windowMinutes,
      periodSeconds: query.periodSeconds,
      samples,
      metricQueries: request.MetricDataQueries?.length ?? 0,
      getMetricDataCalls: gmd,
      otherCalls: other,
      buildRequestUs: round(buildRequestUs, 1),
      refreshMs: round(median(times)),
      refreshRunsMs: times.map((x) => round(x)),
      runs,
    };
  } finally {
    await s.close();
  }
}

export interface InvokeResult {
  concurrency: number;
  invokes: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  errors: number;
}

/** Invocations per second of a trivial handler through an alias (a 10 % canary), over HTTP with the SDK. */
export async function benchInvokes(concurrency: number, seconds = 3): Promise<InvokeResult> {
  const s = await countingSandbox();
  try {
    const fn = 'invoke-bench';
    await functionWithVersions(s, fn, 2);
    const invoke = () => s.lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live', Payload: Buffer.from('{}') }));
    // Warm: start the execution environments of both versions.
    await Promise.all(Array.from({ length: concurrency * 2 }, invoke));
    const latencies: number[] = [];
    let errors = 0;
    let count = 0;
    const start = now();
    const stopAt = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (now() < stopAt) {
          const t = now();
          const out = await invoke();
          latencies.push(now() - t);
          if (out.FunctionError || out.StatusCode !== 200) errors++;
          count++;
        }
      }),
    );
    const elapsed = (now() - start) / 1000;
    return { concurrency, invokes: count, seconds: round(elapsed, 2), perSecond: round(count / elapsed, 0), p50Ms: round(median(latencies), 2), errors };
  } finally {
    await s.close();
  }
}

export interface ColdStartResult {
  runtime: string;
  functions: number;
  p50Ms: number;
  maxMs: number;
  /** Invocations of an environment already warm, after its cold start. */
  warmP50Ms: number;
}

/** The runtimes whose cold start is measured: the sandbox's Node worker, and the Runtime API's two kinds. */
export const COLD_START_RUNTIMES = ['nodejs20.x', 'python3.12', 'provided.al2023'] as const;

async function coldStartCode(runtime: (typeof COLD_START_RUNTIMES)[number], tag: string): Promise<{ handler: string; zip: Uint8Array }> {
  if (runtime === 'python3.12') return { handler: 'app.handler', zip: zipFiles({ 'app.py': `def handler(event, context):\n    return {"tag": ${JSON.stringify(tag)}}\n` }) };
  if (runtime === 'provided.al2023') {
    // A shell-script bootstrap looping over the Runtime API with curl (test/fixtures/runtimes/go-provided).
    const { packageFolder } = await import('../src/core/packaging');
    return { handler: 'bootstrap', zip: (await packageFolder(path.join(__dirname, '..', '..', 'test', 'fixtures', 'runtimes', 'go-provided'))).zip };
  }
  return { handler: 'index.handler', zip: zip(tag) };
}

/**
 * The first invocation of fresh functions, over HTTP with the SDK: each starts an execution
 * environment (a runtime process: the Node worker, or the Runtime API with python3 or the
 * package's bootstrap) and loads its handler, as a Lambda cold start does; then warm invocations
 * of the last one.
 */
export async function benchColdStarts(functions: number, runtime: (typeof COLD_START_RUNTIMES)[number] = 'nodejs20.x'): Promise<ColdStartResult> {
  const s = await countingSandbox();
  try {
    const times: number[] = [];
    let fn = '';
    for (let i = 0; i < functions; i++) {
      fn = `cold-${runtime.replace(/\W/g, '')}-${i}`;
      const code = await coldStartCode(runtime, fn);
      await s.lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: runtime, Handler: code.handler, Role: ROLE, Code: { ZipFile: code.zip } }));
      s.sandbox.settle();
      const t = now();
      const out = await s.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{}') }));
      times.push(now() - t);
      if (out.FunctionError) throw new Error(`cold start of ${fn} failed: ${Buffer.from(out.Payload ?? []).toString('utf8')}`);
    }
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = now();
      await s.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{}') }));
      warm.push(now() - t);
    }
    return { runtime, functions, p50Ms: round(median(times), 1), maxMs: round(Math.max(...times), 1), warmP50Ms: round(median(warm), 1) };
  } finally {
    await s.close();
  }
}

export interface MetricsEngineResult {
  samples: number;
  fillMs: number;
  recordAtCapUs: number;
  listMetricsMs: number;
  metricStats100Ms: number;
  panelQueryMs: number;
  panelQueries: number;
  hostileFillMs: number;
  hostileFillAnswer: string;
}

/**
 * The CloudWatch engine itself, in process, with the store at its cap of 2,000,000 samples (4
 * functions, 3 versions each behind an alias, over the last 3 hours): the costs a request or an
 * invocation puts on the event loop the sandbox shares with the extension host.
 */
export async function benchMetricsEngine(samples = 2_000_000): Promise<MetricsEngineResult> {
  const { MetricsStore } = await import('../src/sandbox/metrics');
  const store = new MetricsStore(samples);
  const end = Date.now();
  const span = 3 * 3_600_000;
  let t = now();
  for (let i = 0; i < samples; i++) {
    const fn = `f${i % 4}`;
    store.record({ time: end - span + Math.floor((i * span) / samples), functionName: fn, resource: `${fn}:live`, executedVersion: String(1 + (i % 3)), durationMs: 5 + (i % 97), error: i % 50 === 0, throttled: i % 101 === 0 });
  }
  const fillMs = now() - t;
  const extra = 20_000;
  t = now();
  for (let i = 0; i < extra; i++) store.record({ time: end, functionName: 'f0', resource: 'f0:live', executedVersion: '1', durationMs: 5, error: false, throttled: false });
  const recordAtCapUs = ((now() - t) / extra) * 1000;
  t = now();
  store.listMetrics({ Namespace: 'AWS/Lambda' });
  const listMetricsMs = now() - t;
  const dims = (fn: string) => [{ Name: 'FunctionName', Value: fn }];
  const stats = Array.from({ length: 100 }, (_, i) => ({ Id: `m${i}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: ['Invocations', 'Errors', 'Throttles', 'Duration'][i % 4], Dimensions: dims(`f${i % 4}`) }, Period: 60, Stat: i % 4 === 3 ? 'Average' : 'Sum' } }));
  t = now();
  store.getMetricData({ StartTime: (end - span) / 1000, EndTime: end / 1000, MetricDataQueries: stats }, end);
  const metricStats100Ms = now() - t;
  const panel = buildTrafficRequest({ functionName: 'f0', aliasName: 'live', versions: ['1', '2', '3'], windowMs: 15 * 60_000, periodSeconds: periodFor(15, true), end });
  t = now();
  store.getMetricData({ ...panel, StartTime: panel.StartTime!.getTime() / 1000, EndTime: panel.EndTime!.getTime() / 1000 }, end);
  const panelQueryMs = now() - t;
  const hostile = [
    { Id: 'm', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims('f0') }, Period: 1, Stat: 'Sum' } },
    ...Array.from({ length: 40 }, (_, i) => ({ Id: `e${i}`, Expression: Array(20).fill('FILL(m,0)').join('+') })),
  ];
  t = now();
  let hostileFillAnswer = 'answered';
  try {
    store.getMetricData({ StartTime: (end - 100_000_000) / 1000, EndTime: end / 1000, MetricDataQueries: hostile }, end);
  } catch (e) {
    hostileFillAnswer = `refused: ${(e as Error).message.slice(0, 60)}…`;
  }
  const hostileFillMs = now() - t;
  return {
    samples,
    fillMs: round(fillMs),
    recordAtCapUs: round(recordAtCapUs, 2),
    listMetricsMs: round(listMetricsMs, 1),
    metricStats100Ms: round(metricStats100Ms, 1),
    panelQueryMs: round(panelQueryMs, 2),
    panelQueries: panel.MetricDataQueries?.length ?? 0,
    hostileFillMs: round(hostileFillMs, 1),
    hostileFillAnswer,
  };
}
