import type { CompositeAlarm, GetMetricDataCommandInput, MetricAlarm, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CancelledError, describeAwsError, isCancelled, OperationError } from '../errors';
import type { CloudWatchSend } from '../traffic';
import { buildTrafficRequest, getMetricData, metricId } from '../traffic';
import type { AlarmState, PeriodSample } from './judge';

/**
 * The rollout judge's evidence: what CloudWatch says about the canary and the stable version of
 * one alias, read once per evaluation with ONE GetMetricData request for both versions
 * (Invocations, Errors, Throttles, Duration p99 and Average by FunctionName, Resource=fn:alias and
 * ExecutedVersion; counts FILLed with 0; NextToken pages followed) and, when the plan names
 * alarms, ONE DescribeAlarms.
 *
 * Completeness. CloudWatch metrics arrive late (a minute or more on AWS; the sandbox's
 * `--metric-lag`), so the newest periods may still be filling in. A period [start, start + P)
 * counts as complete when
 *   - a LATER period already has a datapoint (a Duration datapoint of either version: Lambda
 *     publishes one for every period in which a version ran), since CloudWatch delivers in
 *     time order, or
 *   - now ≥ its end + settleMs: nothing has come for it for long enough to take its silence as
 *     "nothing happened".
 * The period in progress (its end after now) is never complete, whatever has arrived. Both rules
 * move forward only, so every period before a complete one is complete too: `completeUntil` is
 * the end of the newest complete period, and only complete periods are returned — the judge never
 * sees a period that could still change.
 *
 * Throttles. CloudWatch's metric metadata for AWS/Lambda (as AWS CDK's generated canned metrics
 * list it) has Throttles by FunctionName + Resource + ExecutedVersion, so each version's throttles
 * are read there. A throttled request may never reach a version, though (the sandbox publishes its
 * throttles under Resource only), so the alias's Throttles under Resource are read too and the
 * ones no version accounts for are reported apart (`unattributedThrottles`).
 */

export interface EvidenceQuery {
  functionName: string;
  aliasName: string;
  /** Versions. */
  canary: string;
  stable: string;
  /** Epoch ms: the canary's periods from here (the first whole period at or after it). */
  bakeStart: number;
  /** Also read the stable version's periods this long before bakeStart (e.g. 30 min). */
  stableHistoryMs: number;
  now: number;
  /** 60 on AWS, 1..10 on the sandbox (capabilities.highResolutionMetrics). */
  periodSeconds: number;
  /** How long after a period ends before it counts as complete if no later datapoint says so. */
  settleMs: number;
  /** CloudWatch alarm names the plan names (at most 100). */
  alarms?: string[];
}

export interface Evidence {
  /** judge.ts's PeriodSample, oldest first, zero-filled, complete periods only. */
  canary: PeriodSample[];
  stable: PeriodSample[];
  /** End of the newest complete period; undefined when none is complete yet. */
  completeUntil?: number;
  periodSeconds: number;
  /** Start of the newest period with a datapoint (any version), undefined when there is none. */
  newestDatapoint?: number;
  /** The alias's throttles (Resource) in the canary's complete periods that no version's ExecutedVersion count accounts for. */
  unattributedThrottles: number;
  /** Every named alarm that exists, by name. */
  alarms: Record<string, AlarmState>;
  /** Named alarms CloudWatch does not have: never taken for OK. */
  missingAlarms: string[];
  /** One sentence about the missing alarms, to show as-is; undefined when none is missing. */
  alarmProblem?: string;
  /** CloudWatch requests made (each page counts); a request shared with other aliases (readEvidenceMany) counts for each. */
  calls: number;
}

/** DescribeAlarms' limit on AlarmNames, and so on a plan's alarms. */
export const MAX_ALARM_NAMES = 100;

export async function readEvidence(cloudwatch: CloudWatchSend, q: EvidenceQuery, signal?: AbortSignal): Promise<Evidence> {
  return (await readEvidenceMany(cloudwatch, [q], signal))[0];
}

/** CloudWatch's bounds on one GetMetricData request: queries, and datapoints returned. */
export const MAX_METRIC_QUERIES = 500;
export const MAX_RETURNED_DATAPOINTS = 100_800;

/** One alias's part of a read: its query, its window and its share of a request. */
interface Planned {
  q: EvidenceQuery;
  prefix: string;
  canaryStart: number;
  windowStart: number;
  windowEnd: number;
  queries: MetricDataQuery[];
  /** Datapoints its returned series can hold at most. */
  datapoints: number;
}

function planned(q: EvidenceQuery, prefix: string): Planned {
  const P = q.periodSeconds * 1000;
  if (!Number.isInteger(q.periodSeconds) || q.periodSeconds < 1) {
    throw new OperationError(`The metric period must be a whole number of seconds, 1 or more (got ${q.periodSeconds}).`, { kind: 'validation' });
  }
  if (new Set(q.alarms ?? []).size > MAX_ALARM_NAMES) {
    throw new OperationError(`A rollout can watch at most ${MAX_ALARM_NAMES} alarms (CloudWatch's DescribeAlarms limit); this plan names ${new Set(q.alarms).size}.`, { kind: 'validation' });
  }
  const canaryStart = Math.ceil(q.bakeStart / P) * P;
  const windowStart = Math.floor((q.bakeStart - Math.max(0, q.stableHistoryMs)) / P) * P;
  // The window ends at the end of the period in progress: buildTrafficRequest rounds `end` up.
  const windowEnd = Math.max(Math.ceil(q.now / P) * P, windowStart + P);
  const request = buildTrafficRequest({
    functionName: q.functionName,
    aliasName: q.aliasName,
    versions: [q.stable, q.canary],
    windowMs: windowEnd - windowStart,
    periodSeconds: q.periodSeconds,
    end: windowEnd,
    throttlesByVersion: true,
    idPrefix: prefix,
  });
  const queries = request.MetricDataQueries ?? [];
  const returned = queries.filter((x) => x.ReturnData !== false).length;
  return { q, prefix, canaryStart, windowStart, windowEnd, queries, datapoints: returned * ((windowEnd - windowStart) / P) };
}

/**
 * The evidence of several aliases at once (a release's functions, judged together): the aliases
 * whose windows are the same share GetMetricData requests, as many as CloudWatch's bounds allow
 * in each (500 queries, 100,800 datapoints), so 100 functions are read in a few requests rather
 * than 100; alarms named by several are read once. In the order of `qs`. A failed request fails
 * the whole read, naming its aliases.
 */
export async function readEvidenceMany(cloudwatch: CloudWatchSend, qs: readonly EvidenceQuery[], signal?: AbortSignal): Promise<Evidence[]> {
  const plans = qs.map((q, i) => planned(q, qs.length === 1 ? '' : `m${i}_`));
  const groups = new Map<string, Planned[]>();
  for (const p of plans) {
    const key = `${p.windowStart}/${p.windowEnd}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const batches: Planned[][] = [];
  for (const group of groups.values()) {
    let batch: Planned[] = [];
    let queries = 0;
    let points = 0;
    for (const p of group) {
      if (batch.length && (queries + p.queries.length > MAX_METRIC_QUERIES || points + p.datapoints > MAX_RETURNED_DATAPOINTS)) {
        batches.push(batch);
        batch = [];
        queries = 0;
        points = 0;
      }
      batch.push(p);
      queries += p.queries.length;
      points += p.datapoints;
    }
    if (batch.length) batches.push(batch);
  }

  const series = new Map<Planned, Map<string, Map<number, number>>>();
  const callsOf = new Map<Planned, number>();
  for (const batch of batches) {
    const first = batch[0];
    const request: GetMetricDataCommandInput = {
      StartTime: new Date(first.windowStart),
      EndTime: new Date(first.windowEnd),
      MetricDataQueries: batch.flatMap((p) => p.queries),
      ScanBy: 'TimestampAscending',
    };
    let read: { results: MetricDataResult[]; calls: number };
    try {
      read = await getMetricData(cloudwatch, request, signal);
    } catch (err) {
      const what =
        batch.length === 1
          ? `Could not read the metrics of ${aliasOf(first.q)} (versions ${first.q.stable} and ${first.q.canary})`
          : `Could not read the metrics of ${batch.length} aliases (${batch.slice(0, 3).map((p) => aliasOf(p.q)).join(', ')}${batch.length > 3 ? ', …' : ''})`;
      throw failure(err, signal, what, 'GetMetricData');
    }
    const byId = new Map(read.results.map((r) => [r.Id!, pointMap(r)]));
    for (const p of batch) {
      series.set(p, byId);
      callsOf.set(p, read.calls);
    }
  }

  // Alarms: one DescribeAlarms (paged) per distinct set of names.
  const alarmReads = new Map<string, Promise<{ found: Map<string, AlarmState>; calls: number }>>();
  const evidence: Evidence[] = [];
  for (const p of plans) {
    const names = [...new Set(p.q.alarms ?? [])];
    let alarms: Record<string, AlarmState> = {};
    let missingAlarms: string[] = [];
    let calls = callsOf.get(p) ?? 0;
    if (names.length) {
      const key = JSON.stringify([...names].sort());
      const first = !alarmReads.has(key);
      if (first) alarmReads.set(key, readAlarms(cloudwatch, names, aliasOf(p.q), signal));
      const { found, calls: alarmCalls } = await alarmReads.get(key)!;
      if (first) calls += alarmCalls;
      alarms = Object.fromEntries(names.filter((n) => found.has(n)).map((n) => [n, found.get(n)!]));
      missingAlarms = names.filter((n) => !found.has(n));
    }
    const alarmProblem = missingAlarms.length
      ? `${missingAlarms.length === 1 ? `Alarm ${missingAlarms[0]} does` : `Alarms ${missingAlarms.join(', ')} do`} not exist in this account and region: create ${missingAlarms.length === 1 ? 'it' : 'them'}, or remove ${missingAlarms.length === 1 ? 'it' : 'them'} from the plan's "alarms".`
      : undefined;
    evidence.push({ ...metricsOf(p, series.get(p)!), alarms, missingAlarms, ...(alarmProblem ? { alarmProblem } : {}), calls });
  }
  return evidence;
}

const aliasOf = (q: EvidenceQuery) => `${q.functionName}:${q.aliasName}`;

/** One alias's periods, completeness and throttles, from its series in a request's results. */
function metricsOf(p: Planned, byId: Map<string, Map<number, number>>): Pick<Evidence, 'canary' | 'stable' | 'completeUntil' | 'periodSeconds' | 'newestDatapoint' | 'unattributedThrottles'> {
  const { q, canaryStart, windowStart, windowEnd } = p;
  const P = q.periodSeconds * 1000;
  const series = (kind: string, version: string) => byId.get(metricId(kind, version, p.prefix)) ?? new Map<number, number>();
  let newestDatapoint: number | undefined;
  for (const v of [q.stable, q.canary]) {
    for (const t of series('davg', v).keys()) if (newestDatapoint === undefined || t > newestDatapoint) newestDatapoint = t;
  }
  let completeUntil: number | undefined;
  for (let end = windowStart + P; end <= Math.min(windowEnd, q.now); end += P) {
    const laterData = newestDatapoint !== undefined && newestDatapoint >= end;
    if (laterData || end + q.settleMs <= q.now) completeUntil = end;
  }

  const periods = (version: string, from: number): PeriodSample[] => {
    const inv = series('inv', version);
    const err = series('err', version);
    const thr = series('thr', version);
    const p99 = series('dp99', version);
    const avg = series('davg', version);
    const out: PeriodSample[] = [];
    if (completeUntil === undefined) return out;
    for (let t = from; t + P <= completeUntil; t += P) {
      const sample: PeriodSample = { start: t, invocations: inv.get(t) ?? 0, errors: err.get(t) ?? 0, throttles: thr.get(t) ?? 0 };
      if (p99.has(t)) sample.durationP99Ms = p99.get(t);
      if (avg.has(t)) sample.durationMeanMs = avg.get(t);
      out.push(sample);
    }
    return out;
  };
  const canary = periods(q.canary, canaryStart);
  const stable = periods(q.stable, windowStart);

  let unattributedThrottles = 0;
  if (completeUntil !== undefined) {
    const aliasThrottles = byId.get(`${p.prefix}thr`) ?? new Map<number, number>();
    const versions = [...new Set([q.stable, q.canary])];
    for (let t = canaryStart; t + P <= completeUntil; t += P) {
      const attributed = versions.reduce((s, v) => s + (series('thr', v).get(t) ?? 0), 0);
      unattributedThrottles += Math.max(0, (aliasThrottles.get(t) ?? 0) - attributed);
    }
  }
  return {
    canary,
    stable,
    ...(completeUntil !== undefined ? { completeUntil } : {}),
    periodSeconds: q.periodSeconds,
    ...(newestDatapoint !== undefined ? { newestDatapoint } : {}),
    unattributedThrottles,
  };
}

async function readAlarms(cloudwatch: CloudWatchSend, names: string[], alias: string, signal?: AbortSignal): Promise<{ found: Map<string, AlarmState>; calls: number }> {
  const found = new Map<string, AlarmState>();
  let calls = 0;
  try {
    let token: string | undefined;
    do {
      calls++;
      // Without AlarmTypes DescribeAlarms answers metric alarms only; a plan may name a composite one.
      const page = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: MAX_ALARM_NAMES, NextToken: token }), { abortSignal: signal });
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])] as Array<MetricAlarm | CompositeAlarm>) {
        if (a.AlarmName && isAlarmState(a.StateValue)) found.set(a.AlarmName, a.StateValue);
      }
      token = page.NextToken;
    } while (token);
  } catch (err) {
    throw failure(err, signal, `Could not read the alarms of the rollout of ${alias} (${names.join(', ')})`, 'DescribeAlarms');
  }
  return { found, calls };
}

function pointMap(r: MetricDataResult): Map<number, number> {
  const m = new Map<number, number>();
  (r.Timestamps ?? []).forEach((t, i) => {
    const v = r.Values?.[i];
    if (v !== undefined) m.set(new Date(t).getTime(), v);
  });
  return m;
}

const isAlarmState = (s: unknown): s is AlarmState => s === 'OK' || s === 'ALARM' || s === 'INSUFFICIENT_DATA';

/** An SDK error as the runner shows it: AWS's error described, never the raw one. */
function failure(err: unknown, signal: AbortSignal | undefined, what: string, step: string): OperationError {
  if (signal?.aborted || isCancelled(err)) return new CancelledError();
  const d = describeAwsError(err);
  return new OperationError(`${what}: ${d.message}`, { step, cause: err, kind: d.kind });
}
