import { AwsError } from './errors';

/** One invocation as CloudWatch's AWS/Lambda namespace sees it. */
export interface InvocationSample {
  time: number; // epoch ms
  functionName: string;
  /** 'fn:alias' or 'fn:version' when the invocation was qualified. */
  resource?: string;
  /** Set for alias invocations, as Lambda adds the ExecutedVersion dimension only there. */
  executedVersion?: string;
  durationMs: number;
  error: boolean;
  throttled: boolean;
}

/** GetMetricData's limit on datapoints in one answer. */
export const MAX_DATAPOINTS = 100_800;

/** MetricDataQuery.Expression: at most 2,048 characters, as CloudWatch's model says. */
export const MAX_EXPRESSION_LENGTH = 2048;

const DAY_MS = 86_400_000;

/**
 * How CloudWatch rounds a GetMetricData StartTime or EndTime down, as its API reference says:
 * with a Period under a minute (1, 5, 10, 20, 30 s) to that many seconds of the clock, otherwise
 * by the time stamp's age, to the minute (under 15 days), to 5 minutes (under 63 days), to the
 * hour (older). Datapoints then start at the rounded StartTime, one per Period.
 */
export function roundTimestamp(t: number, periodSeconds: number, now: number): number {
  const age = now - t;
  const unit = periodSeconds < 60 ? periodSeconds * 1000 : age < 15 * DAY_MS ? 60_000 : age < 63 * DAY_MS ? 300_000 : 3_600_000;
  return Math.floor(t / unit) * unit;
}

/** The window a query of this period covers: [start, end), both rounded as CloudWatch does. */
export interface Window {
  start: number;
  end: number;
}

/** CloudWatch's wording for a request that fails a model constraint. */
function constraint(value: unknown, member: string, rule: string): AwsError {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text !== undefined && text.length > 100 ? `${text.slice(0, 100)}…` : text;
  return new AwsError('ValidationError', 400, `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${rule}`);
}

function checkDimensions(raw: unknown, member: string): Dimension[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw constraint(raw, member, 'Member must be a list of dimensions ({Name, Value})');
  if (raw.length > 30) throw constraint(raw.length, member, 'Member must have length less than or equal to 30');
  for (const d of raw as unknown[]) {
    const dim = d as { Name?: unknown; Value?: unknown } | null;
    if (typeof dim !== 'object' || dim === null || typeof dim.Name !== 'string' || (dim.Value !== undefined && typeof dim.Value !== 'string')) {
      throw constraint(d, member, 'Each dimension must have a string Name and a string Value');
    }
  }
  return raw as Dimension[];
}

export const LAMBDA_METRICS = ['Invocations', 'Errors', 'Duration', 'Throttles'] as const;
type MetricName = (typeof LAMBDA_METRICS)[number];

export interface Dimension {
  Name: string;
  Value: string;
}

interface Series {
  metric: MetricName;
  dims: Dimension[];
}

/** Keeps invocation samples (bounded, oldest dropped) and answers CloudWatch queries over them. */
export class MetricsStore {
  private samples: InvocationSample[] = [];

  constructor(
    private readonly maxSamples = 2_000_000,
    private readonly retentionMs = 3 * 60 * 60 * 1000 + 15 * 60 * 1000,
  ) {}

  record(s: InvocationSample): void {
    this.samples.push(s);
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  clear(): void {
    this.samples = [];
  }

  get size(): number {
    return this.samples.length;
  }

  private prune(now: number): void {
    const cutoff = now - this.retentionMs;
    let i = 0;
    while (i < this.samples.length && this.samples[i].time < cutoff) i++;
    if (i > 0) this.samples.splice(0, i);
  }

  /** The dimension sets Lambda publishes for one invocation. */
  static dimensionSets(s: InvocationSample): Dimension[][] {
    // No dimensions at all: Lambda's aggregate across every function of the account and region.
    const sets: Dimension[][] = [[], [{ Name: 'FunctionName', Value: s.functionName }]];
    if (s.resource) {
      sets.push([
        { Name: 'FunctionName', Value: s.functionName },
        { Name: 'Resource', Value: s.resource },
      ]);
      if (s.executedVersion) {
        sets.push([
          { Name: 'FunctionName', Value: s.functionName },
          { Name: 'Resource', Value: s.resource },
          { Name: 'ExecutedVersion', Value: s.executedVersion },
        ]);
      }
    }
    return sets;
  }

  /** ListMetrics for AWS/Lambda: every (metric, dimension set) with data, filtered. */
  listMetrics(input: Record<string, unknown>): Record<string, unknown> {
    const ns = input.Namespace as string | undefined;
    if (ns !== undefined && ns !== 'AWS/Lambda') return { Metrics: [] };
    const name = input.MetricName as string | undefined;
    if (name !== undefined && typeof name !== 'string') throw constraint(name, 'metricName', 'Member must be a string');
    const filters = checkDimensions(input.Dimensions, 'dimensions') as Array<{ Name: string; Value?: string }>;
    const seen = new Map<string, Series>();
    for (const s of this.samples) {
      for (const dims of MetricsStore.dimensionSets(s)) {
        if (!filters.every((f) => dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)))) continue;
        for (const metric of LAMBDA_METRICS) {
          if (name !== undefined && metric !== name) continue;
          if (metric === 'Duration' && s.throttled) continue;
          const key = `${metric}|${dimsKey(dims)}`;
          if (!seen.has(key)) seen.set(key, { metric, dims });
        }
      }
    }
    const all = [...seen.values()].sort((a, b) => `${a.metric}|${dimsKey(a.dims)}`.localeCompare(`${b.metric}|${dimsKey(b.dims)}`));
    const start = input.NextToken ? Number.parseInt(String(input.NextToken), 10) : 0;
    if (!Number.isFinite(start) || start < 0) throw new AwsError('InvalidNextToken', 400, 'The service returned an invalid NextToken.');
    const page = all.slice(start, start + 500);
    return {
      Metrics: page.map((m) => ({ Namespace: 'AWS/Lambda', MetricName: m.metric, Dimensions: m.dims })),
      NextToken: start + 500 < all.length ? String(start + 500) : undefined,
    };
  }

  getMetricData(input: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    this.prune(now);
    const queries = input.MetricDataQueries as MetricDataQuery[] | undefined;
    if (!Array.isArray(queries) || queries.length === 0) {
      throw new AwsError('ValidationError', 400, 'The parameter MetricDataQueries is required and must hold at least one query.');
    }
    if (queries.length > 500) throw new AwsError('ValidationError', 400, 'The collection MetricDataQueries must not have a size greater than 500.');
    const start = toMs(input.StartTime, 'StartTime');
    const end = toMs(input.EndTime, 'EndTime');
    if (end <= start) throw new AwsError('ValidationError', 400, 'The parameter StartTime must be less than the parameter EndTime.');
    const ids = new Set<string>();
    for (const q of queries) {
      if (typeof q?.Id !== 'string' || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) {
        throw new AwsError('ValidationError', 400, `The value ${String(q?.Id)} for parameter MetricDataQueries.member.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`);
      }
      if (ids.has(q.Id)) throw new AwsError('ValidationError', 400, `The value ${q.Id} for parameter MetricDataQueries.member.Id is not unique.`);
      ids.add(q.Id);
      if (!q.MetricStat === !q.Expression) {
        throw new AwsError('ValidationError', 400, `Query ${q.Id} must have exactly one of MetricStat and Expression.`);
      }
    }
    for (const [i, q] of queries.entries()) {
      const at = `metricDataQueries.${i + 1}.member`;
      if (q.Expression !== undefined) {
        if (typeof q.Expression !== 'string') throw constraint(q.Expression, `${at}.expression`, 'Member must be a string');
        // Bounded like CloudWatch's own: the parser below then never nests deeper than this.
        if (q.Expression.length > MAX_EXPRESSION_LENGTH) {
          throw constraint(q.Expression, `${at}.expression`, `Member must have length less than or equal to ${MAX_EXPRESSION_LENGTH}`);
        }
      }
      if (q.MetricStat !== undefined) {
        if (typeof q.MetricStat !== 'object' || q.MetricStat === null || Array.isArray(q.MetricStat)) throw constraint(q.MetricStat, `${at}.metricStat`, 'Member must be a structure');
        const m = q.MetricStat.Metric;
        if (m !== undefined && (typeof m !== 'object' || m === null || Array.isArray(m))) throw constraint(m, `${at}.metricStat.metric`, 'Member must be a structure');
        checkDimensions(m?.Dimensions, `${at}.metricStat.metric.dimensions`);
      }
      if (q.Label !== undefined && typeof q.Label !== 'string') throw constraint(q.Label, `${at}.label`, 'Member must be a string');
    }
    const results = new Map<string, TimeSeries>();
    const byId = new Map(queries.map((q) => [q.Id, q]));
    const windowFor = (period: number): Window => ({ start: roundTimestamp(start, period, now), end: roundTimestamp(end, period, now) });
    // The samples any query's rounded window can hold (rounding goes back an hour at most), with
    // their dimension-set keys, computed once for all the queries.
    let inWindow: WindowedSample[] | undefined;
    const windowed = (): WindowedSample[] =>
      (inWindow ??= this.samples.filter((s) => s.time >= start - 3_600_000 && s.time < end).map((s) => ({ sample: s, keys: MetricsStore.dimensionSets(s).map(dimsKey) })));
    const evaluating = new Set<string>();
    const evaluate = (id: string): TimeSeries => {
      const done = results.get(id);
      if (done) return done;
      const q = byId.get(id);
      if (!q) throw new AwsError('ValidationError', 400, `Expression refers to unknown query id ${id}.`);
      if (evaluating.has(id)) throw new AwsError('ValidationError', 400, `Circular reference at query id ${id}.`);
      evaluating.add(id);
      const series = q.MetricStat ? this.stat(q.MetricStat, windowFor, windowed) : evalExpression(q.Expression!, evaluate, start, end, windowFor);
      evaluating.delete(id);
      results.set(id, series);
      return series;
    };
    const ascending = input.ScanBy === 'TimestampAscending';
    const out = queries
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const series = evaluate(q.Id);
        const points = [...series.points.entries()].sort((a, b) => (ascending ? a[0] - b[0] : b[0] - a[0]));
        return {
          Id: q.Id,
          Label: q.Label ?? (q.MetricStat ? q.MetricStat.Metric?.MetricName : q.Id),
          Timestamps: points.map(([t]) => t / 1000),
          Values: points.map(([, v]) => v),
          StatusCode: 'Complete',
          Messages: [],
        };
      });
    return { MetricDataResults: out, Messages: [] };
  }

  private stat(ms: MetricStat, windowFor: (period: number) => Window, windowed: () => WindowedSample[]): TimeSeries {
    const metric = ms.Metric?.MetricName as MetricName;
    const period = ms.Period;
    if (typeof period !== 'number' || !Number.isInteger(period) || period < 1 || (period > 60 ? period % 60 !== 0 : ![1, 5, 10, 20, 30, 60].includes(period))) {
      throw new AwsError('ValidationError', 400, `The parameter Period must be 1, 5, 10, 20, 30, 60 or a multiple of 60 (got ${String(period)}).`);
    }
    const statName = ms.Stat;
    if (typeof statName !== 'string' || !isKnownStat(statName)) {
      throw new AwsError('ValidationError', 400, `The parameter Stat ${String(statName)} is not a supported statistic (Sum, Average, Minimum, Maximum, SampleCount, pNN).`);
    }
    const series: TimeSeries = { period, points: new Map() };
    if (ms.Metric?.Namespace !== 'AWS/Lambda' || !(LAMBDA_METRICS as readonly string[]).includes(metric)) return series;
    const want = dimsKey(ms.Metric.Dimensions ?? []);
    const buckets = new Map<number, number[]>();
    const periodMs = period * 1000;
    const { start, end } = windowFor(period);
    for (const { sample: s, keys } of windowed()) {
      if (s.time < start || s.time >= end || !keys.includes(want)) continue;
      let value: number;
      switch (metric) {
        case 'Invocations':
          if (s.throttled) continue;
          value = 1;
          break;
        case 'Errors':
          if (s.throttled) continue;
          value = s.error ? 1 : 0;
          break;
        case 'Throttles':
          value = s.throttled ? 1 : 0;
          break;
        case 'Duration':
          if (s.throttled) continue;
          value = s.durationMs;
          break;
      }
      const bucket = start + Math.floor((s.time - start) / periodMs) * periodMs;
      let arr = buckets.get(bucket);
      if (!arr) buckets.set(bucket, (arr = []));
      arr.push(value);
    }
    for (const [t, values] of buckets) series.points.set(t, applyStat(statName, values));
    return series;
  }
}

interface MetricStat {
  Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] };
  Period?: number;
  Stat?: string;
  Unit?: string;
}

interface MetricDataQuery {
  Id: string;
  MetricStat?: MetricStat;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
}

interface WindowedSample {
  sample: InvocationSample;
  /** dimsKey of each of the sample's dimension sets. */
  keys: string[];
}

interface TimeSeries {
  period: number;
  points: Map<number, number>;
}

function dimsKey(dims: Dimension[]): string {
  return [...dims]
    .map((d) => `${d.Name}=${d.Value}`)
    .sort()
    .join(',');
}

function toMs(v: unknown, name: string): number {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new AwsError('ValidationError', 400, `The parameter ${name} is required and must be a timestamp.`);
  return ms;
}

function isKnownStat(s: string): boolean {
  return ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'].includes(s) || /^p(\d{1,2}(\.\d+)?|100)$/.test(s);
}

export function applyStat(stat: string, values: number[]): number {
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum': {
      // A loop, not Math.min(...values): spreading 200,000 values overflows the call stack.
      let min = Infinity;
      for (const v of values) if (v < min) min = v;
      return min;
    }
    case 'Maximum': {
      let max = -Infinity;
      for (const v of values) if (v > max) max = v;
      return max;
    }
    case 'SampleCount':
      return values.length;
    default: {
      // pNN: nearest-rank percentile.
      const p = Number(stat.slice(1));
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
      return sorted[Math.min(sorted.length, rank) - 1];
    }
  }
}

/**
 * Metric math, the subset the extension uses: numbers, query ids, + - * /, parentheses and
 * FILL(expr, value). Series combine point by point on their shared timestamps.
 */
export function evalExpression(
  src: string,
  lookup: (id: string) => TimeSeries,
  start: number,
  end: number,
  windowFor: (period: number) => Window = () => ({ start, end }),
): TimeSeries {
  const tokens = src.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/(),])/g)?.map((t) => t.trim());
  if (!tokens || tokens.join('') !== src.replace(/\s+/g, '')) {
    throw new AwsError('ValidationError', 400, `Invalid metric math expression: ${src}`);
  }
  let i = 0;
  type Val = number | TimeSeries;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (next() !== t) throw new AwsError('ValidationError', 400, `Invalid metric math expression: ${src} (expected '${t}')`);
  };
  const combine = (a: Val, b: Val, op: (x: number, y: number) => number): Val => {
    if (typeof a === 'number' && typeof b === 'number') return op(a, b);
    const period = typeof a === 'number' ? (b as TimeSeries).period : a.period;
    const keys = new Set<number>();
    if (typeof a !== 'number') for (const k of a.points.keys()) keys.add(k);
    if (typeof b !== 'number') for (const k of b.points.keys()) keys.add(k);
    const points = new Map<number, number>();
    for (const k of keys) {
      const x = typeof a === 'number' ? a : a.points.get(k);
      const y = typeof b === 'number' ? b : b.points.get(k);
      if (x === undefined || y === undefined) continue;
      const v = op(x, y);
      if (Number.isFinite(v)) points.set(k, v);
    }
    return { period, points };
  };
  const primary = (): Val => {
    const t = next();
    if (t === undefined) throw new AwsError('ValidationError', 400, `Invalid metric math expression: ${src}`);
    if (t === '(') {
      const v = sum();
      expect(')');
      return v;
    }
    if (t === '-') {
      return combine(0, primary(), (x, y) => x - y);
    }
    if (/^\d/.test(t)) return Number(t);
    if (peek() === '(') {
      next();
      const fn = t.toUpperCase();
      if (fn !== 'FILL') throw new AwsError('ValidationError', 400, `Unsupported metric math function ${t} in the sandbox (supported: FILL).`);
      const series = sum();
      expect(',');
      const fill = sum();
      expect(')');
      if (typeof series === 'number' || typeof fill !== 'number') {
        throw new AwsError('ValidationError', 400, `FILL takes a time series and a number: ${src}`);
      }
      const periodMs = series.period * 1000;
      // The periods of the series' own window, where its datapoints fall.
      const w = windowFor(series.period);
      if ((w.end - w.start) / periodMs > MAX_DATAPOINTS) {
        // Bounded like GetMetricData itself: a long window at a short period would otherwise
        // allocate millions of points and stall the process.
        throw new AwsError('ValidationError', 400, `FILL over this window would produce more than ${MAX_DATAPOINTS} datapoints: use a longer Period.`);
      }
      const points = new Map(series.points);
      for (let t0 = w.start; t0 < w.end; t0 += periodMs) if (!points.has(t0)) points.set(t0, fill);
      return { period: series.period, points };
    }
    return lookup(t);
  };
  const product = (): Val => {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const r = primary();
      v = combine(v, r, op === '*' ? (x, y) => x * y : (x, y) => x / y);
    }
    return v;
  };
  const sum = (): Val => {
    let v = product();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const r = product();
      v = combine(v, r, op === '+' ? (x, y) => x + y : (x, y) => x - y);
    }
    return v;
  };
  const result = sum();
  if (i !== tokens.length) throw new AwsError('ValidationError', 400, `Invalid metric math expression: ${src}`);
  if (typeof result === 'number') throw new AwsError('ValidationError', 400, `A metric math expression must return a time series: ${src}`);
  return result;
}
