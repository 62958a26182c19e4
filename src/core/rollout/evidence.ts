import type { CompositeAlarm, MetricAlarm, MetricDataResult } from '@aws-sdk/client-cloudwatch';
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
  /** CloudWatch requests made (each page counts). */
  calls: number;
}

/** DescribeAlarms' limit on AlarmNames, and so on a plan's alarms. */
export const MAX_ALARM_NAMES = 100;

export async function readEvidence(cloudwatch: CloudWatchSend, q: EvidenceQuery, signal?: AbortSignal): Promise<Evidence> {
  const P = q.periodSeconds * 1000;
  if (!Number.isInteger(q.periodSeconds) || q.periodSeconds < 1) {
    throw new OperationError(`The metric period must be a whole number of seconds, 1 or more (got ${q.periodSeconds}).`, { kind: 'validation' });
  }
  const names = [...new Set(q.alarms ?? [])];
  if (names.length > MAX_ALARM_NAMES) {
    throw new OperationError(`A rollout can watch at most ${MAX_ALARM_NAMES} alarms (CloudWatch's DescribeAlarms limit); this plan names ${names.length}.`, { kind: 'validation' });
  }
  const alias = `${q.functionName}:${q.aliasName}`;
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
  });

  let calls = 0;
  let results: MetricDataResult[];
  try {
    const read = await getMetricData(cloudwatch, request, signal);
    results = read.results;
    calls += read.calls;
  } catch (err) {
    throw failure(err, signal, `Could not read the metrics of ${alias} (versions ${q.stable} and ${q.canary})`, 'GetMetricData');
  }

  const byId = new Map(results.map((r) => [r.Id!, pointMap(r)]));
  const series = (kind: string, version: string) => byId.get(metricId(kind, version)) ?? new Map<number, number>();
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
    const aliasThrottles = byId.get('thr') ?? new Map<number, number>();
    const versions = [...new Set([q.stable, q.canary])];
    for (let t = canaryStart; t + P <= completeUntil; t += P) {
      const attributed = versions.reduce((s, v) => s + (series('thr', v).get(t) ?? 0), 0);
      unattributedThrottles += Math.max(0, (aliasThrottles.get(t) ?? 0) - attributed);
    }
  }

  const alarms: Record<string, AlarmState> = {};
  let missingAlarms: string[] = [];
  if (names.length) {
    const found = new Map<string, AlarmState>();
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
    for (const n of names) {
      const s = found.get(n);
      if (s) alarms[n] = s;
    }
    missingAlarms = names.filter((n) => !found.has(n));
  }
  const alarmProblem = missingAlarms.length
    ? `${missingAlarms.length === 1 ? `Alarm ${missingAlarms[0]} does` : `Alarms ${missingAlarms.join(', ')} do`} not exist in this account and region: create ${missingAlarms.length === 1 ? 'it' : 'them'}, or remove ${missingAlarms.length === 1 ? 'it' : 'them'} from the plan's "alarms".`
    : undefined;

  return {
    canary,
    stable,
    ...(completeUntil !== undefined ? { completeUntil } : {}),
    periodSeconds: q.periodSeconds,
    ...(newestDatapoint !== undefined ? { newestDatapoint } : {}),
    unattributedThrottles,
    alarms,
    missingAlarms,
    ...(alarmProblem ? { alarmProblem } : {}),
    calls,
  };
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
