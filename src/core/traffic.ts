import { getMaxListeners, setMaxListeners } from 'node:events';
import type { GetMetricDataCommandInput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { ProbeResult, TrafficReport, VersionTraffic } from '../shared/traffic';
import { errorSummary } from './errors';
import type { LambdaSend } from './lambdaApi';

export type { ProbeResult, TrafficReport, VersionTraffic } from '../shared/traffic';

/**
 * The traffic panel's data: what an alias actually did, per executed version, from CloudWatch
 * (one GetMetricData request per refresh, whatever the number of versions), and from probe
 * invocations that read X-Amz-Executed-Version at once.
 */

export type CloudWatchSend = Pick<CloudWatchClient, 'send'>;

export interface TrafficQuery {
  functionName: string;
  aliasName: string;
  /** Versions to report on: the alias's current targets plus any seen recently. */
  versions: string[];
  /** Window length, ms (5 min … 3 h). */
  windowMs: number;
  /** Datapoint period, seconds (1, 5, 10, 30, 60 or a multiple of 60). */
  periodSeconds: number;
  /** The latest time the window must cover, epoch ms (default now); it ends at the next period boundary. */
  end?: number;
  /** Also each version's Throttles by ExecutedVersion (`thr_V`), beside the alias's (`thr`). */
  throttlesByVersion?: boolean;
  /** Put before every query id (a lowercase letter first): several aliases' queries in one request. */
  idPrefix?: string;
}

/** Metric ids must start with a lowercase letter; versions are digits. */
export const metricId = (kind: string, version: string, prefix = '') => `${prefix}${kind}_${version.replace(/[^0-9a-zA-Z]/g, '_')}`;

/** ONE GetMetricData request for everything the panel shows. */
export function buildTrafficRequest(q: TrafficQuery): GetMetricDataCommandInput {
  // Whole periods of the clock, as CloudWatch rounds StartTime and EndTime down to them: the
  // window ends at the next period boundary, so the period in progress is the last bucket, and
  // each bucket is one CloudWatch itself would answer for, whenever the panel asks.
  const periodMs = q.periodSeconds * 1000;
  const end = Math.ceil((q.end ?? Date.now()) / periodMs) * periodMs;
  const start = end - Math.ceil(q.windowMs / periodMs) * periodMs;
  const resource = `${q.functionName}:${q.aliasName}`;
  const p = q.idPrefix ?? '';
  const id = (kind: string, version: string) => metricId(kind, version, p);
  const base = [
    { Name: 'FunctionName', Value: q.functionName },
    { Name: 'Resource', Value: resource },
  ];
  const stat = (qid: string, metric: string, statName: string, version: string | undefined, returnData: boolean): MetricDataQuery => ({
    Id: qid,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: version === undefined ? base : [...base, { Name: 'ExecutedVersion', Value: version }] },
      Period: q.periodSeconds,
      Stat: statName,
    },
    ReturnData: returnData,
  });
  const queries: MetricDataQuery[] = [];
  for (const v of [...new Set(q.versions)]) {
    queries.push(
      stat(id('ri', v), 'Invocations', 'Sum', v, false),
      stat(id('re', v), 'Errors', 'Sum', v, false),
      // Counts are absent where nothing happened: FILL makes those periods explicit zeros.
      { Id: id('inv', v), Expression: `FILL(${id('ri', v)}, 0)`, Label: `invocations ${v}`, ReturnData: true },
      { Id: id('err', v), Expression: `FILL(${id('re', v)}, 0)`, Label: `errors ${v}`, ReturnData: true },
      stat(id('davg', v), 'Duration', 'Average', v, true),
      stat(id('dp99', v), 'Duration', 'p99', v, true),
    );
    if (q.throttlesByVersion) queries.push(stat(id('rt', v), 'Throttles', 'Sum', v, false), { Id: id('thr', v), Expression: `FILL(${id('rt', v)}, 0)`, Label: `throttles ${v}`, ReturnData: true });
  }
  queries.push(stat(`${p}rthr`, 'Throttles', 'Sum', undefined, false), { Id: `${p}thr`, Expression: `FILL(${p}rthr, 0)`, Label: 'throttles', ReturnData: true });
  return { StartTime: new Date(start), EndTime: new Date(end), MetricDataQueries: queries, ScanBy: 'TimestampAscending' };
}

function points(r: MetricDataResult | undefined): Array<[number, number]> {
  if (!r?.Timestamps || !r.Values) return [];
  return r.Timestamps.map((t, i) => [new Date(t).getTime(), r.Values![i]] as [number, number]).sort((a, b) => a[0] - b[0]);
}

/** Whole-window figures from per-period points: sums for counts, an invocation-weighted mean for duration. */
export function parseTrafficResults(q: TrafficQuery, request: GetMetricDataCommandInput, results: MetricDataResult[]): TrafficReport {
  const byId = new Map(results.map((r) => [r.Id!, r]));
  const id = (kind: string, version: string) => metricId(kind, version, q.idPrefix);
  const versions: VersionTraffic[] = [];
  let newestPoint: number | undefined;
  for (const v of [...new Set(q.versions)]) {
    const inv = points(byId.get(id('inv', v)));
    const errMap = new Map(points(byId.get(id('err', v))));
    const invocations = inv.reduce((s, [, x]) => s + x, 0);
    const errors = [...errMap.values()].reduce((s, x) => s + x, 0);
    const avg = new Map(points(byId.get(id('davg', v))));
    const p99 = points(byId.get(id('dp99', v)));
    let weighted = 0;
    let weight = 0;
    for (const [t, n] of inv) {
      const a = avg.get(t);
      if (a !== undefined && n > 0) {
        weighted += a * n;
        weight += n;
      }
      if (n > 0 && (newestPoint === undefined || t > newestPoint)) newestPoint = t;
    }
    versions.push({
      version: v,
      invocations,
      errors,
      errorRate: invocations > 0 ? errors / invocations : 0,
      share: 0,
      durationAvgMs: weight > 0 ? weighted / weight : undefined,
      // The worst period's p99 is a conservative stand-in for the window's p99.
      durationP99Ms: p99.length ? Math.max(...p99.map(([, x]) => x)) : undefined,
      series: inv.map(([t, n]) => ({ t, invocations: n, errors: errMap.get(t) ?? 0 })),
    });
  }
  const total = versions.reduce((s, v) => s + v.invocations, 0);
  for (const v of versions) v.share = total > 0 ? v.invocations / total : 0;
  const throttles = points(byId.get(`${q.idPrefix ?? ''}thr`)).reduce((s, [, x]) => s + x, 0);
  return {
    functionName: q.functionName,
    aliasName: q.aliasName,
    start: (request.StartTime as Date).getTime(),
    end: (request.EndTime as Date).getTime(),
    periodSeconds: q.periodSeconds,
    versions,
    totalInvocations: total,
    throttles,
    newestPoint,
  };
}

/** One refresh: one GetMetricData call (following NextToken pages, which a panel-sized request never has). */
export async function fetchTraffic(cloudwatch: CloudWatchSend, q: TrafficQuery, signal?: AbortSignal): Promise<TrafficReport> {
  const request = buildTrafficRequest(q);
  const { results } = await getMetricData(cloudwatch, request, signal);
  return parseTrafficResults(q, request, results);
}

/** One GetMetricData request, its NextToken pages followed and each query's pages joined; `calls` counts the pages. */
export async function getMetricData(cloudwatch: CloudWatchSend, request: GetMetricDataCommandInput, signal?: AbortSignal): Promise<{ results: MetricDataResult[]; calls: number }> {
  const results: MetricDataResult[] = [];
  let token: string | undefined;
  let calls = 0;
  do {
    calls++;
    const page = await cloudwatch.send(new GetMetricDataCommand({ ...request, NextToken: token }), { abortSignal: signal });
    for (const r of page.MetricDataResults ?? []) {
      const seen = results.find((x) => x.Id === r.Id);
      if (seen) {
        seen.Timestamps = [...(seen.Timestamps ?? []), ...(r.Timestamps ?? [])];
        seen.Values = [...(seen.Values ?? []), ...(r.Values ?? [])];
      } else {
        results.push(r);
      }
    }
    token = page.NextToken;
  } while (token);
  return { results, calls };
}

/**
 * Sends `count` invocations to the alias, at most `ratePerSecond` and `concurrency` at a time,
 * and counts X-Amz-Executed-Version and X-Amz-Function-Error per version.
 */
export async function probeAlias(
  lambda: LambdaSend,
  input: { functionName: string; aliasName: string; count: number; payload?: unknown; ratePerSecond?: number; concurrency?: number },
  signal?: AbortSignal,
  onProgress?: (done: number, result: ProbeResult) => void,
): Promise<ProbeResult> {
  const count = Math.max(1, Math.min(10_000, Math.floor(input.count)));
  const rate = input.ratePerSecond ?? 50;
  const concurrency = input.concurrency ?? 8;
  // Each invocation in flight listens to the signal: more than Node's default of 10 is expected.
  if (signal) setMaxListeners(Math.max(getMaxListeners(signal), concurrency * 2 + 10), signal);
  const payload = Buffer.from(JSON.stringify(input.payload ?? {}));
  const result: ProbeResult = { sent: 0, byVersion: {}, failed: 0, durationMs: 0 };
  const started = Date.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && !signal?.aborted) {
      const i = next++;
      // Pace: invocation i may start no earlier than i / rate seconds after the start.
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (signal?.aborted) break;
      result.sent++;
      try {
        const out = await lambda.send(new InvokeCommand({ FunctionName: input.functionName, Qualifier: input.aliasName, Payload: payload }), { abortSignal: signal });
        const v = out.ExecutedVersion ?? '?';
        const row = (result.byVersion[v] ??= { invocations: 0, errors: 0 });
        row.invocations++;
        if (out.FunctionError) row.errors++;
      } catch (err) {
        if (!signal?.aborted) {
          result.failed++;
          result.firstError ??= errorSummary(err);
        }
      }
      done++;
      onProgress?.(done, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  result.durationMs = Date.now() - started;
  return result;
}
