/**
 * CloudWatch metric alarms on the sandbox's own Lambda metrics: PutMetricAlarm, DescribeAlarms and
 * DeleteAlarms, with CloudWatch's field names and errors. An alarm watches one metric (no metric
 * math) and is evaluated whenever it is described, against the metrics engine: its last
 * EvaluationPeriods periods, the current one included (the sandbox has no delivery delay to wait
 * out), of which DatapointsToAlarm must breach for ALARM. Alarms are kept in memory.
 */
import { AwsError } from './errors';
import type { Dimension, MetricsStore } from './metrics';

const OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const;
const ANOMALY_OPERATORS = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
/** CloudWatch's limit on Period × EvaluationPeriods: one day. */
const MAX_EVALUATION_SECONDS = 86_400;
const UNCHECKED = 'Unchecked: Initial alarm creation';

type Operator = (typeof OPERATORS)[number];
type State = (typeof STATES)[number];

export interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: State;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
  MetricName: string;
  Namespace: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions: Dimension[];
  Period: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: Operator;
  TreatMissingData?: string;
}

const missing = (name: string): AwsError =>
  new AwsError('MissingRequiredParameterException', 400, `The parameter ${name} is required.`, 'User', { 'x-amzn-query-error': 'MissingParameter;Sender' });
const invalidValue = (message: string): AwsError =>
  new AwsError('InvalidParameterValueException', 400, message, 'User', { 'x-amzn-query-error': 'InvalidParameterValue;Sender' });
const invalidCombination = (message: string): AwsError =>
  new AwsError('InvalidParameterCombinationException', 400, message, 'User', { 'x-amzn-query-error': 'InvalidParameterCombination;Sender' });

/** CloudWatch's wording for a request that fails a model constraint. */
function constraint(value: unknown, member: string, rule: string): AwsError {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text !== undefined && text.length > 100 ? `${text.slice(0, 100)}…` : text;
  return new AwsError('ValidationError', 400, `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${rule}`);
}

function alarmName(v: unknown, member: string): string {
  if (typeof v !== 'string') throw constraint(v, member, 'Member must be a string');
  if (v.length < 1 || v.length > 255) throw constraint(v, member, 'Member must have length between 1 and 255');
  return v;
}

function int(input: Record<string, unknown>, name: string, min: number, required: boolean): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw constraint(v, name.charAt(0).toLowerCase() + name.slice(1), 'Member must be an integer');
  if (v < min) throw constraint(v, name.charAt(0).toLowerCase() + name.slice(1), `Member must have value greater than or equal to ${min}`);
  return v;
}

function strings(v: unknown, member: string, max: number): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw constraint(v, member, 'Member must be a list');
  if (v.length > max) throw constraint(v, member, `Member must have length less than or equal to ${max}`);
  for (const s of v) if (typeof s !== 'string') throw constraint(s, `${member}.member`, 'Member must be a string');
  return v as string[];
}

function dimensions(v: unknown): Dimension[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw constraint(v, 'dimensions', 'Member must be a list');
  if (v.length > 30) throw constraint(v, 'dimensions', 'Member must have length less than or equal to 30');
  const names = new Set<string>();
  return v.map((d: unknown, i) => {
    const dim = d as Partial<Dimension> | null;
    if (typeof dim?.Name !== 'string' || dim.Name.length < 1 || dim.Name.length > 255) throw constraint(dim?.Name, `dimensions.${i + 1}.member.name`, 'Member must have length between 1 and 255');
    if (typeof dim.Value !== 'string' || dim.Value.length < 1 || dim.Value.length > 1024) throw constraint(dim.Value, `dimensions.${i + 1}.member.value`, 'Member must have length between 1 and 1024');
    if (names.has(dim.Name)) throw invalidValue(`The collection Dimensions must not have two members named ${dim.Name}.`);
    names.add(dim.Name);
    return { Name: dim.Name, Value: dim.Value };
  });
}

/** CloudWatch's timestamp form in a StateReason: dd/MM/yy HH:mm:ss, UTC. */
function reasonTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** A number as CloudWatch's reasons write it: always with a fraction, e.g. 3.0. */
function reasonNumber(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

const OPERATOR_WORDS: Record<Operator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function breaches(op: Operator, v: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return v >= threshold;
    case 'GreaterThanThreshold':
      return v > threshold;
    case 'LessThanThreshold':
      return v < threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= threshold;
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export class AlarmStore {
  private readonly alarms = new Map<string, MetricAlarm>();

  constructor(
    private readonly metrics: MetricsStore,
    private readonly arnPrefix: string,
  ) {}

  clear(): void {
    this.alarms.clear();
  }

  putMetricAlarm(input: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    if (input.AlarmName === undefined) throw missing('AlarmName');
    const name = alarmName(input.AlarmName, 'alarmName');
    if (input.Metrics !== undefined || input.ThresholdMetricId !== undefined) {
      throw invalidValue('The sandbox evaluates alarms on a single metric only: give MetricName, Namespace, Dimensions and Statistic or ExtendedStatistic rather than Metrics (metric math) or ThresholdMetricId.');
    }
    const evaluationPeriods = int(input, 'EvaluationPeriods', 1, true)!;
    if (input.ComparisonOperator === undefined) throw missing('ComparisonOperator');
    const op = input.ComparisonOperator;
    if (typeof op === 'string' && ANOMALY_OPERATORS.includes(op)) throw invalidValue(`The sandbox has no anomaly detection models; ComparisonOperator ${op} needs one. Use one of ${OPERATORS.join(', ')}.`);
    if (!(OPERATORS as readonly unknown[]).includes(op)) throw constraint(op, 'comparisonOperator', `Member must satisfy enum value set: [${[...OPERATORS, ...ANOMALY_OPERATORS].join(', ')}]`);
    if (input.MetricName === undefined) throw missing('MetricName');
    if (typeof input.MetricName !== 'string' || input.MetricName.length < 1 || input.MetricName.length > 255) throw constraint(input.MetricName, 'metricName', 'Member must have length between 1 and 255');
    if (input.Namespace === undefined) throw missing('Namespace');
    if (typeof input.Namespace !== 'string' || !/^[^:].*$/.test(input.Namespace) || input.Namespace.length > 255) throw constraint(input.Namespace, 'namespace', 'Member must satisfy regular expression pattern: [^:].*');
    if (input.Period === undefined) throw missing('Period');
    const period = int(input, 'Period', 1, true)!;
    if (period > 60 ? period % 60 !== 0 : ![10, 20, 30, 60].includes(period)) {
      throw invalidValue(`The parameter Period must be 10, 20, 30 or a multiple of 60 (got ${period}).`);
    }
    if (period * evaluationPeriods > MAX_EVALUATION_SECONDS) {
      throw invalidValue(`The evaluation period (Period × EvaluationPeriods = ${period * evaluationPeriods} seconds) must not exceed one day (86400 seconds).`);
    }
    const statistic = input.Statistic;
    const extended = input.ExtendedStatistic;
    if (statistic === undefined && extended === undefined) throw missing('Statistic or ExtendedStatistic');
    if (statistic !== undefined && extended !== undefined) throw invalidCombination('Exactly one of Statistic or ExtendedStatistic must be specified, not both.');
    if (statistic !== undefined && !STATISTICS.includes(statistic as string)) throw constraint(statistic, 'statistic', `Member must satisfy enum value set: [${STATISTICS.join(', ')}]`);
    if (extended !== undefined && (typeof extended !== 'string' || !/^p(\d{1,2}(\.\d+)?|100)$/.test(extended))) {
      throw invalidValue(`The value ${String(extended)} for parameter ExtendedStatistic is not supported; the sandbox takes percentiles such as p99 or p99.9.`);
    }
    const datapointsToAlarm = int(input, 'DatapointsToAlarm', 1, false);
    if (datapointsToAlarm !== undefined && datapointsToAlarm > evaluationPeriods) {
      throw invalidValue(`DatapointsToAlarm (${datapointsToAlarm}) must be less than or equal to EvaluationPeriods (${evaluationPeriods}).`);
    }
    if (input.Threshold === undefined) throw missing('Threshold');
    if (typeof input.Threshold !== 'number' || !Number.isFinite(input.Threshold)) throw constraint(input.Threshold, 'threshold', 'Member must be a number');
    const treat = input.TreatMissingData;
    if (treat !== undefined && (typeof treat !== 'string' || !TREAT_MISSING.includes(treat))) {
      throw invalidValue(`The value ${String(treat)} for parameter TreatMissingData is not valid; it must be one of ${TREAT_MISSING.join(', ')}.`);
    }
    if (input.ActionsEnabled !== undefined && typeof input.ActionsEnabled !== 'boolean') throw constraint(input.ActionsEnabled, 'actionsEnabled', 'Member must be a boolean');
    if (input.AlarmDescription !== undefined && (typeof input.AlarmDescription !== 'string' || input.AlarmDescription.length > 1024)) {
      throw constraint(input.AlarmDescription, 'alarmDescription', 'Member must have length less than or equal to 1024');
    }
    if (input.Unit !== undefined && typeof input.Unit !== 'string') throw constraint(input.Unit, 'unit', 'Member must be a string');
    const dims = dimensions(input.Dimensions);
    const ok = strings(input.OKActions, 'oKActions', 5);
    const alarm = strings(input.AlarmActions, 'alarmActions', 5);
    const insufficient = strings(input.InsufficientDataActions, 'insufficientDataActions', 5);

    const prior = this.alarms.get(name);
    this.alarms.set(name, {
      AlarmName: name,
      AlarmArn: `${this.arnPrefix}${name}`,
      ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription as string } : {}),
      AlarmConfigurationUpdatedTimestamp: now / 1000,
      ActionsEnabled: (input.ActionsEnabled as boolean | undefined) ?? true,
      OKActions: ok,
      AlarmActions: alarm,
      InsufficientDataActions: insufficient,
      // An update keeps the state; a new alarm starts unchecked, as CloudWatch's do.
      StateValue: prior?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: prior?.StateReason ?? UNCHECKED,
      ...(prior?.StateReasonData ? { StateReasonData: prior.StateReasonData } : {}),
      StateUpdatedTimestamp: prior?.StateUpdatedTimestamp ?? now / 1000,
      StateTransitionedTimestamp: prior?.StateTransitionedTimestamp ?? now / 1000,
      MetricName: input.MetricName,
      Namespace: input.Namespace,
      ...(statistic !== undefined ? { Statistic: statistic as string } : { ExtendedStatistic: extended as string }),
      Dimensions: dims,
      Period: period,
      ...(input.Unit !== undefined ? { Unit: input.Unit as string } : {}),
      EvaluationPeriods: evaluationPeriods,
      ...(datapointsToAlarm !== undefined ? { DatapointsToAlarm: datapointsToAlarm } : {}),
      Threshold: input.Threshold,
      ComparisonOperator: op as Operator,
      ...(treat !== undefined ? { TreatMissingData: treat as string } : {}),
    });
    return {};
  }

  describeAlarms(input: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    const names = input.AlarmNames === undefined ? undefined : strings(input.AlarmNames, 'alarmNames', 100);
    for (const [i, n] of (names ?? []).entries()) alarmName(n, `alarmNames.${i + 1}.member`);
    const prefix = input.AlarmNamePrefix;
    if (prefix !== undefined) alarmName(prefix, 'alarmNamePrefix');
    if (names && prefix !== undefined) throw invalidCombination('AlarmNames and AlarmNamePrefix cannot be specified together.');
    const state = input.StateValue;
    if (state !== undefined && !(STATES as readonly unknown[]).includes(state)) throw constraint(state, 'stateValue', `Member must satisfy enum value set: [${STATES.join(', ')}]`);
    const types = strings(input.AlarmTypes, 'alarmTypes', 2);
    for (const t of types) if (t !== 'MetricAlarm' && t !== 'CompositeAlarm') throw constraint(t, 'alarmTypes.member', 'Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]');
    const max = int(input, 'MaxRecords', 1, false) ?? 50;
    if (max > 100) throw constraint(max, 'maxRecords', 'Member must have value less than or equal to 100');
    let start = 0;
    if (input.NextToken !== undefined) {
      start = typeof input.NextToken === 'string' && /^[0-9]{1,9}$/.test(input.NextToken) ? Number(input.NextToken) : NaN;
      if (!Number.isFinite(start)) throw new AwsError('InvalidNextToken', 400, 'The service returned an invalid NextToken.');
    }

    const wanted = names ? new Set(names) : undefined;
    const matching =
      types.length && !types.includes('MetricAlarm')
        ? []
        : [...this.alarms.values()]
            .filter((a) => (!wanted || wanted.has(a.AlarmName)) && (typeof prefix !== 'string' || a.AlarmName.startsWith(prefix)))
            .sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0))
            .map((a) => this.evaluate(a, now))
            .filter((a) => state === undefined || a.StateValue === state);
    if (start > matching.length) throw new AwsError('InvalidNextToken', 400, 'The service returned an invalid NextToken.');
    const page = matching.slice(start, start + max);
    return {
      MetricAlarms: page.map((a) => structuredClone(a)),
      CompositeAlarms: [],
      ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
    };
  }

  deleteAlarms(input: Record<string, unknown>): Record<string, unknown> {
    if (input.AlarmNames === undefined) throw missing('AlarmNames');
    const names = strings(input.AlarmNames, 'alarmNames', 100);
    for (const [i, n] of names.entries()) alarmName(n, `alarmNames.${i + 1}.member`);
    // None is deleted unless every one exists, as CloudWatch does.
    const unknown = names.filter((n) => !this.alarms.has(n));
    if (unknown.length) {
      throw new AwsError('ResourceNotFound', 404, `${unknown.length === 1 ? 'Alarm' : 'Alarms'} ${unknown.join(', ')} not found; no alarm was deleted.`);
    }
    for (const n of names) this.alarms.delete(n);
    return {};
  }

  /** The alarm's state from its last EvaluationPeriods periods; a change of state is recorded. */
  private evaluate(a: MetricAlarm, now: number): MetricAlarm {
    const periodMs = a.Period * 1000;
    const end = Math.floor(now / periodMs) * periodMs + periodMs;
    const start = end - a.EvaluationPeriods * periodMs;
    const stat = a.Statistic ?? a.ExtendedStatistic!;
    const out = this.metrics.getMetricData(
      {
        MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions }, Period: a.Period, Stat: stat } }],
        StartTime: start / 1000,
        EndTime: end / 1000,
      },
      now,
    );
    const result = (out.MetricDataResults as { Timestamps: number[]; Values: number[] }[])[0];
    const points = new Map<number, number>();
    result.Timestamps.forEach((t, i) => points.set(t * 1000, result.Values[i]));
    // Newest first, as CloudWatch lists them in a reason.
    const buckets = Array.from({ length: a.EvaluationPeriods }, (_, i) => end - (i + 1) * periodMs);
    const m = a.DatapointsToAlarm ?? a.EvaluationPeriods;
    const treat = a.TreatMissingData ?? 'missing';
    const present = buckets.filter((b) => points.has(b));
    const missingCount = buckets.length - present.length;
    const breaching = present.filter((b) => breaches(a.ComparisonOperator, points.get(b)!, a.Threshold)).length + (treat === 'breaching' ? missingCount : 0);
    const words = OPERATOR_WORDS[a.ComparisonOperator];
    const shown = present.map((b) => `${reasonNumber(points.get(b)!)} (${reasonTime(b)})`).join(', ');

    let next: State;
    let reason: string;
    if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
      if (treat === 'ignore' && a.StateValue !== 'INSUFFICIENT_DATA') return a;
      next = 'INSUFFICIENT_DATA';
      reason = `Insufficient Data: ${plural(buckets.length, 'datapoint')} ${buckets.length === 1 ? 'was' : 'were'} unknown.`;
    } else if (breaching >= m) {
      next = 'ALARM';
      reason = `Threshold Crossed: ${breaching} out of the last ${buckets.length} datapoints${shown ? ` [${shown}]` : ''} ${breaching === 1 ? 'was' : 'were'} ${words} the threshold (${reasonNumber(a.Threshold)}) (minimum ${plural(m, 'datapoint')} for OK -> ALARM transition).`;
    } else {
      next = 'OK';
      const good = buckets.length - breaching;
      reason = `Threshold Crossed: ${plural(good, 'datapoint')}${shown ? ` [${shown}]` : ''} ${good === 1 ? 'was' : 'were'} not ${words} the threshold (${reasonNumber(a.Threshold)}).`;
    }
    // As CloudWatch's: the reason is that of the last change of state (or of the first evaluation).
    if (next === a.StateValue && a.StateReason !== UNCHECKED) return a;
    const data = {
      version: '1.0',
      queryDate: new Date(now).toISOString(),
      ...(present.length ? { startDate: new Date(present[present.length - 1]).toISOString() } : {}),
      [a.Statistic ? 'statistic' : 'extendedStatistic']: stat,
      period: a.Period,
      recentDatapoints: [...present].reverse().map((b) => points.get(b)!),
      threshold: a.Threshold,
      evaluatedDatapoints: present.map((b) => ({ timestamp: new Date(b).toISOString(), value: points.get(b)! })),
    };
    const nowS = now / 1000;
    const updated: MetricAlarm = {
      ...a,
      StateValue: next,
      StateReason: reason,
      StateReasonData: JSON.stringify(data),
      StateUpdatedTimestamp: nowS,
      StateTransitionedTimestamp: next === a.StateValue ? a.StateTransitionedTimestamp : nowS,
    };
    this.alarms.set(a.AlarmName, updated);
    return updated;
  }
}
