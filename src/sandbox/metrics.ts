import { AwsError } from './errors';
import type { EmfDatum } from './emf';

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

/** Sample flags in a series column. */
const ERROR = 1;
const THROTTLED = 2;

/**
 * The samples of one dimension set, in time order, as columns in a ring that grows by doubling:
 * appending and dropping the oldest are O(1) amortised, a time range is found by binary search,
 * and running totals answer a range's invocation and error counts without reading it.
 */
class SeriesColumn {
  length = 0;
  private cap = 16;
  private head = 0;
  private time = new Float64Array(16);
  private dur = new Float64Array(16);
  private flags = new Uint8Array(16);
  /** Running totals (mod 2^32) of samples not throttled, and of errors among them, up to each sample. */
  private inv = new Uint32Array(16);
  private err = new Uint32Array(16);
  /** The totals of the samples already dropped from the front. */
  private invBase = 0;
  private errBase = 0;

  constructor(
    readonly key: string,
    readonly dims: Dimension[],
  ) {}

  private at(i: number): number {
    return (this.head + i) & (this.cap - 1);
  }

  timeAt(i: number): number {
    return this.time[this.at(i)];
  }

  private grow(): void {
    const cap = this.cap * 2;
    const time = new Float64Array(cap);
    const dur = new Float64Array(cap);
    const flags = new Uint8Array(cap);
    const inv = new Uint32Array(cap);
    const err = new Uint32Array(cap);
    for (let i = 0; i < this.length; i++) {
      const q = this.at(i);
      time[i] = this.time[q];
      dur[i] = this.dur[q];
      flags[i] = this.flags[q];
      inv[i] = this.inv[q];
      err[i] = this.err[q];
    }
    this.cap = cap;
    this.head = 0;
    this.time = time;
    this.dur = dur;
    this.flags = flags;
    this.inv = inv;
    this.err = err;
  }

  /** The first index whose time is at least t (or, with `after`, more than t). */
  bound(t: number, after = false): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.timeAt(mid);
      if (x < t || (after && x === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  push(time: number, durationMs: number, flags: number): void {
    if (this.length === this.cap) this.grow();
    let pos = this.length;
    // The clock only goes back when it is set back: then the sample goes in its place, O(n).
    if (pos > 0 && time < this.timeAt(pos - 1)) pos = this.bound(time, true);
    for (let i = this.length; i > pos; i--) {
      const to = this.at(i);
      const from = this.at(i - 1);
      this.time[to] = this.time[from];
      this.dur[to] = this.dur[from];
      this.flags[to] = this.flags[from];
    }
    const q = this.at(pos);
    this.time[q] = time;
    this.dur[q] = durationMs;
    this.flags[q] = flags;
    this.length++;
    let inv = pos === 0 ? this.invBase : this.inv[this.at(pos - 1)];
    let err = pos === 0 ? this.errBase : this.err[this.at(pos - 1)];
    for (let i = pos; i < this.length; i++) {
      const r = this.at(i);
      if (!(this.flags[r] & THROTTLED)) {
        inv = (inv + 1) >>> 0;
        if (this.flags[r] & ERROR) err = (err + 1) >>> 0;
      }
      this.inv[r] = inv;
      this.err[r] = err;
    }
  }

  /** Drops the oldest sample. */
  shift(): void {
    const q = this.at(0);
    this.invBase = this.inv[q];
    this.errBase = this.err[q];
    this.head = (this.head + 1) & (this.cap - 1);
    this.length--;
  }

  /** Samples not throttled (Lambda's invocations) in [lo, hi). */
  invocations(lo: number, hi: number): number {
    return ((hi === 0 ? this.invBase : this.inv[this.at(hi - 1)]) - (lo === 0 ? this.invBase : this.inv[this.at(lo - 1)])) >>> 0;
  }

  /** Errors among the invocations in [lo, hi). */
  errors(lo: number, hi: number): number {
    return ((hi === 0 ? this.errBase : this.err[this.at(hi - 1)]) - (lo === 0 ? this.errBase : this.err[this.at(lo - 1)])) >>> 0;
  }

  /** The durations of the invocations in [lo, hi), in time order, in a new array. */
  durations(lo: number, hi: number, invocations: number): Float64Array {
    const out = new Float64Array(invocations);
    let n = 0;
    for (let i = lo; i < hi; i++) {
      const q = this.at(i);
      if (!(this.flags[q] & THROTTLED)) out[n++] = this.dur[q];
    }
    return out;
  }
}

/** The dimension sets one kind of invocation (function, resource, executed version) counts in. */
interface Leaf {
  key: string;
  columns: SeriesColumn[];
  count: number;
}

/** Every sample's time and leaf, in time order, in a ring: which sample is oldest, in O(1). */
class Timeline {
  length = 0;
  private cap = 16;
  private head = 0;
  private time = new Float64Array(16);
  private leaf: Array<Leaf | undefined> = new Array(16);

  private at(i: number): number {
    return (this.head + i) & (this.cap - 1);
  }

  push(time: number, leaf: Leaf): void {
    if (this.length === this.cap) {
      const cap = this.cap * 2;
      const t = new Float64Array(cap);
      const l: Array<Leaf | undefined> = new Array(cap);
      for (let i = 0; i < this.length; i++) {
        t[i] = this.time[this.at(i)];
        l[i] = this.leaf[this.at(i)];
      }
      this.cap = cap;
      this.head = 0;
      this.time = t;
      this.leaf = l;
    }
    let pos = this.length;
    if (pos > 0 && time < this.time[this.at(pos - 1)]) {
      let lo = 0;
      let hi = pos;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.time[this.at(mid)] <= time) lo = mid + 1;
        else hi = mid;
      }
      pos = lo;
    }
    for (let i = this.length; i > pos; i--) {
      this.time[this.at(i)] = this.time[this.at(i - 1)];
      this.leaf[this.at(i)] = this.leaf[this.at(i - 1)];
    }
    this.time[this.at(pos)] = time;
    this.leaf[this.at(pos)] = leaf;
    this.length++;
  }

  oldestTime(): number {
    return this.time[this.at(0)];
  }

  shift(): Leaf {
    const q = this.at(0);
    const leaf = this.leaf[q]!;
    this.leaf[q] = undefined;
    this.head = (this.head + 1) & (this.cap - 1);
    this.length--;
    return leaf;
  }
}

/**
 * What one GetMetricData call may make the engine do, counted before any of it is done, so that
 * a request over the limits is refused at once and one within them answers in bounded time.
 */
export const LIMITS = {
  /** Datapoints the answer may hold (CloudWatch's limit; the sandbox does not paginate). */
  returned: MAX_DATAPOINTS,
  /** Datapoints computed on the way, hidden queries and each step of an expression included. */
  evaluated: 10 * MAX_DATAPOINTS,
  /**
   * Samples read one by one: a Duration statistic reads its own, counts use running totals. Ten
   * passes over a full store (about 0.3 s); the panel's two Duration statistics a version take two.
   */
  sampleReads: 20_000_000,
};

/** One custom metric (namespace, name, dimension set): its values in time order. */
interface CustomSeries {
  key: string;
  namespace: string;
  metric: string;
  dims: Dimension[];
  unit?: string;
  times: number[];
  values: number[];
}

/**
 * Custom metrics (what functions publish in Embedded Metric Format, emf.ts): bounded in values and
 * in series, the oldest values dropped first, a series dropped with its last value.
 */
export class CustomMetrics {
  private series = new Map<string, CustomSeries>();
  private count = 0;

  constructor(
    readonly maxValues = 200_000,
    readonly maxSeries = 2_000,
  ) {}

  get size(): number {
    return this.count;
  }

  get seriesCount(): number {
    return this.series.size;
  }

  record(d: EmfDatum): void {
    const key = `${d.namespace}\u0000${d.metric}\u0000${dimsKey(d.dims)}`;
    let s = this.series.get(key);
    if (!s) {
      // A new series beyond the limit is not kept (CloudWatch would keep it; memory here is bounded).
      if (this.series.size >= this.maxSeries) return;
      this.series.set(key, (s = { key, namespace: d.namespace, metric: d.metric, dims: d.dims, unit: d.unit, times: [], values: [] }));
    }
    let pos = s.times.length;
    while (pos > 0 && s.times[pos - 1] > d.time) pos--;
    s.times.splice(pos, 0, d.time);
    s.values.splice(pos, 0, d.value);
    this.count++;
    while (this.count > this.maxValues) this.dropOldest();
  }

  private dropOldest(): void {
    let oldest: CustomSeries | undefined;
    for (const s of this.series.values()) if (!oldest || s.times[0] < oldest.times[0]) oldest = s;
    if (!oldest) return;
    oldest.times.shift();
    oldest.values.shift();
    this.count--;
    if (oldest.times.length === 0) this.series.delete(oldest.key);
  }

  prune(cutoff: number): void {
    for (const s of [...this.series.values()]) {
      let n = 0;
      while (n < s.times.length && s.times[n] < cutoff) n++;
      if (n === 0) continue;
      s.times.splice(0, n);
      s.values.splice(0, n);
      this.count -= n;
      if (s.times.length === 0) this.series.delete(s.key);
    }
  }

  clear(): void {
    this.series = new Map();
    this.count = 0;
  }

  find(namespace: string | undefined, metric: string | undefined, dims: Dimension[]): CustomSeries | undefined {
    if (namespace === undefined || metric === undefined) return undefined;
    return this.series.get(`${namespace}\u0000${metric}\u0000${dimsKey(dims)}`);
  }

  all(): IterableIterator<CustomSeries> {
    return this.series.values();
  }
}

/** The first index of a sorted list whose value is at least t (or, with `after`, more than t). */
function lowerBound(times: number[], t: number, after = false): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t || (after && times[mid] === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps invocation samples (bounded, oldest dropped) and answers CloudWatch queries over them. */
export class MetricsStore {
  /** Custom namespaces: what functions publish in Embedded Metric Format. */
  readonly custom = new CustomMetrics();
  private columns = new Map<string, SeriesColumn>();
  private leaves = new Map<string, Leaf>();
  private timeline = new Timeline();
  /**
   * CloudWatch's delivery lag, in milliseconds: queries see only the samples at least this old
   * (the sandbox's --metric-lag). 0: every sample at once.
   */
  lagMs = 0;

  constructor(
    private readonly maxSamples = 2_000_000,
    private readonly retentionMs = 3 * 60 * 60 * 1000 + 15 * 60 * 1000,
  ) {}

  record(s: InvocationSample): void {
    const key = `${s.functionName}\u0000${s.resource || ''}\u0000${(s.resource && s.executedVersion) || ''}`;
    let leaf = this.leaves.get(key);
    if (!leaf) {
      const columns = MetricsStore.dimensionSets(s).map((dims) => {
        const k = dimsKey(dims);
        let c = this.columns.get(k);
        if (!c) this.columns.set(k, (c = new SeriesColumn(k, dims)));
        return c;
      });
      this.leaves.set(key, (leaf = { key, columns, count: 0 }));
    }
    const flags = (s.error ? ERROR : 0) | (s.throttled ? THROTTLED : 0);
    for (const c of leaf.columns) c.push(s.time, s.durationMs, flags);
    leaf.count++;
    this.timeline.push(s.time, leaf);
    while (this.timeline.length > this.maxSamples) this.dropOldest();
  }

  /** The oldest sample is the first of each of its series (all kept in time order). */
  private dropOldest(): void {
    const leaf = this.timeline.shift();
    for (const c of leaf.columns) {
      c.shift();
      if (c.length === 0) this.columns.delete(c.key);
    }
    if (--leaf.count === 0) this.leaves.delete(leaf.key);
  }

  clear(): void {
    this.custom.clear();
    this.columns = new Map();
    this.leaves = new Map();
    this.timeline = new Timeline();
  }

  get size(): number {
    return this.timeline.length;
  }

  /** How many of a series' samples (the oldest ones) the metric lag lets a query see at `now`. */
  private visible(c: SeriesColumn, now: number): number {
    return this.lagMs > 0 ? c.bound(now - this.lagMs, true) : c.length;
  }

  private prune(now: number): void {
    const cutoff = now - this.retentionMs;
    this.custom.prune(cutoff);
    while (this.timeline.length > 0 && this.timeline.oldestTime() < cutoff) this.dropOldest();
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

  /** ListMetrics for AWS/Lambda: every (metric, dimension set) with data, filtered, from the series kept. */
  listMetrics(input: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    const ns = input.Namespace as string | undefined;
    const name = input.MetricName as string | undefined;
    if (name !== undefined && typeof name !== 'string') throw constraint(name, 'metricName', 'Member must be a string');
    const filters = checkDimensions(input.Dimensions, 'dimensions') as Array<{ Name: string; Value?: string }>;
    const found: Array<{ namespace: string; metric: string; dims: Dimension[]; key: string }> = [];
    const matches = (dims: Dimension[]) => filters.every((f) => dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)));
    for (const s of this.custom.all()) {
      if ((ns !== undefined && s.namespace !== ns) || (name !== undefined && s.metric !== name) || !matches(s.dims)) continue;
      if (this.lagMs > 0 && lowerBound(s.times, now - this.lagMs, true) === 0) continue;
      found.push({ namespace: s.namespace, metric: s.metric, dims: s.dims, key: `${s.namespace}|${s.metric}|${dimsKey(s.dims)}` });
    }
    for (const c of ns !== undefined && ns !== 'AWS/Lambda' ? [] : this.columns.values()) {
      const dims = c.dims;
      // A series appears once its first sample is delivered.
      const seen = this.visible(c, now);
      if (seen === 0) continue;
      if (!filters.every((f) => dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)))) continue;
      for (const metric of LAMBDA_METRICS) {
        if (name !== undefined && metric !== name) continue;
        // Duration has a datapoint only for invocations that ran, not for throttled ones.
        if (metric === 'Duration' && c.invocations(0, seen) === 0) continue;
        found.push({ namespace: 'AWS/Lambda', metric, dims, key: `AWS/Lambda|${metric}|${c.key}` });
      }
    }
    const all = found.sort((a, b) => a.key.localeCompare(b.key));
    const start = input.NextToken ? Number.parseInt(String(input.NextToken), 10) : 0;
    if (!Number.isFinite(start) || start < 0) throw new AwsError('InvalidNextToken', 400, 'The service returned an invalid NextToken.');
    const page = all.slice(start, start + 500);
    return {
      Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.metric, Dimensions: m.dims })),
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
    const tokensOf = new Map<string, string[]>();
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
        checkPeriodAndStat(q.MetricStat);
      }
      if (q.Label !== undefined && typeof q.Label !== 'string') throw constraint(q.Label, `${at}.label`, 'Member must be a string');
    }
    const byId = new Map(queries.map((q) => [q.Id, q]));
    const refsOf = (q: MetricDataQuery): string[] => {
      if (q.MetricStat) return [];
      let tokens = tokensOf.get(q.Id);
      if (!tokens) tokensOf.set(q.Id, (tokens = tokenize(q.Expression!)));
      return references(tokens);
    };
    const returned = queries.filter((q) => q.ReturnData !== false);
    const order = evaluationOrder(returned, byId, refsOf);

    // Every figure of the work below, counted before any of it is done.
    const windowFor = (period: number): Window => ({ start: roundTimestamp(start, period, now), end: roundTimestamp(end, period, now) });
    const periods = (period: number): number => {
      if (!Number.isFinite(period)) return 0;
      const w = windowFor(period);
      return Math.max(0, Math.ceil((w.end - w.start) / (period * 1000)));
    };
    const periodOf = new Map<string, number>();
    let evaluated = 0;
    let reads = 0;
    for (const q of order) {
      if (q.MetricStat) {
        const period = q.MetricStat.Period!;
        periodOf.set(q.Id, period);
        evaluated += periods(period);
        reads += this.reads(q.MetricStat, windowFor(period), now);
      } else {
        // An expression's series are on the finest period it refers to at most: each of its
        // steps (FILL, an operator) yields at most that window's periods.
        const period = Math.min(...refsOf(q).map((id) => periodOf.get(id)!));
        periodOf.set(q.Id, period);
        evaluated += periods(period) * (1 + steps(tokensOf.get(q.Id)!));
      }
    }
    const requested = returned.reduce((n, q) => n + periods(periodOf.get(q.Id)!), 0);
    if (requested > LIMITS.returned) {
      throw new AwsError(
        'ValidationError',
        400,
        `You have requested up to ${requested} datapoints, which exceeds the limit of ${LIMITS.returned}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    }
    if (evaluated > LIMITS.evaluated) {
      throw new AwsError(
        'ValidationError',
        400,
        `Evaluating these queries takes up to ${evaluated} datapoints (hidden queries and each FILL or operator of an expression included), which exceeds the sandbox's limit of ${LIMITS.evaluated}. Increase Period, shorten the time range or use fewer steps.`,
      );
    }
    if (reads > LIMITS.sampleReads) {
      throw new AwsError(
        'ValidationError',
        400,
        `The Duration statistics asked read ${reads} samples, which exceeds the sandbox's limit of ${LIMITS.sampleReads} a request. Shorten the time range or ask fewer Duration statistics.`,
      );
    }

    // In dependency order: an expression only reads the results before it, nothing recurses.
    const results = new Map<string, TimeSeries>();
    const lookup = (id: string): TimeSeries => results.get(id)!;
    for (const q of order) {
      results.set(q.Id, q.MetricStat ? this.stat(q.MetricStat, windowFor, now) : evalExpression(q.Expression!, lookup, start, end, windowFor));
    }
    const ascending = input.ScanBy === 'TimestampAscending';
    const out = returned.map((q) => {
      const series = results.get(q.Id)!;
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

  /** The series a MetricStat asks for, if the store holds it. */
  private columnFor(ms: MetricStat): SeriesColumn | undefined {
    const metric = ms.Metric?.MetricName;
    if (ms.Metric?.Namespace !== 'AWS/Lambda' || !(LAMBDA_METRICS as readonly unknown[]).includes(metric)) return undefined;
    return this.columns.get(dimsKey(ms.Metric.Dimensions ?? []));
  }

  /** A custom metric's statistic per period, over the values it holds (a Unit asked must be the metric's). */
  private customStat(ms: MetricStat, w: Window, now: number, series: TimeSeries): TimeSeries {
    const s = this.custom.find(ms.Metric?.Namespace, ms.Metric?.MetricName, ms.Metric?.Dimensions ?? []);
    if (!s || (ms.Unit !== undefined && ms.Unit !== (s.unit ?? 'None'))) return series;
    const periodMs = series.period * 1000;
    const last = Math.min(lowerBound(s.times, w.end), this.lagMs > 0 ? lowerBound(s.times, now - this.lagMs, true) : s.times.length);
    for (let lo = lowerBound(s.times, w.start); lo < last; ) {
      const bucket = w.start + Math.floor((s.times[lo] - w.start) / periodMs) * periodMs;
      const hi = Math.min(last, lowerBound(s.times, bucket + periodMs));
      series.points.set(bucket, applyStat(ms.Stat!, s.values.slice(lo, hi)));
      lo = hi;
    }
    return series;
  }

  /** The samples a MetricStat reads one by one: a Duration statistic's, in its window; a custom metric's. */
  private reads(ms: MetricStat, w: Window, now: number): number {
    if (ms.Metric?.Namespace !== 'AWS/Lambda') {
      const s = this.custom.find(ms.Metric?.Namespace, ms.Metric?.MetricName, ms.Metric?.Dimensions ?? []);
      return s ? Math.max(0, lowerBound(s.times, w.end) - lowerBound(s.times, w.start)) : 0;
    }
    const c = ms.Metric?.MetricName === 'Duration' ? this.columnFor(ms) : undefined;
    return c ? Math.max(0, Math.min(c.bound(w.end), this.visible(c, now)) - c.bound(w.start)) : 0;
  }

  private stat(ms: MetricStat, windowFor: (period: number) => Window, now: number): TimeSeries {
    const metric = ms.Metric?.MetricName as MetricName;
    const period = ms.Period!;
    const statName = ms.Stat!;
    const series: TimeSeries = { period, points: new Map() };
    if (ms.Metric?.Namespace !== 'AWS/Lambda') return this.customStat(ms, windowFor(period), now, series);
    const c = this.columnFor(ms);
    if (!c) return series;
    const periodMs = period * 1000;
    const { start, end } = windowFor(period);
    // From one non-empty period to the next by binary search: the cost is the periods with data.
    const last = Math.min(c.bound(end), this.visible(c, now));
    for (let lo = c.bound(start); lo < last; ) {
      const bucket = start + Math.floor((c.timeAt(lo) - start) / periodMs) * periodMs;
      const hi = Math.min(last, c.bound(bucket + periodMs));
      const invocations = c.invocations(lo, hi);
      let value: number | undefined;
      switch (metric) {
        case 'Invocations':
          value = invocations > 0 ? ofZerosAndOnes(statName, invocations, invocations) : undefined;
          break;
        case 'Errors':
          value = invocations > 0 ? ofZerosAndOnes(statName, c.errors(lo, hi), invocations) : undefined;
          break;
        case 'Throttles':
          value = ofZerosAndOnes(statName, hi - lo - invocations, hi - lo);
          break;
        case 'Duration':
          value = invocations > 0 ? applyStat(statName, c.durations(lo, hi, invocations), true) : undefined;
          break;
      }
      if (value !== undefined) series.points.set(bucket, value);
      lo = hi;
    }
    return series;
  }
}

/** Period and Stat of a MetricStat, checked before anything is evaluated. */
function checkPeriodAndStat(ms: MetricStat): void {
  const period = ms.Period;
  if (typeof period !== 'number' || !Number.isInteger(period) || period < 1 || (period > 60 ? period % 60 !== 0 : ![1, 5, 10, 20, 30, 60].includes(period))) {
    throw new AwsError('ValidationError', 400, `The parameter Period must be 1, 5, 10, 20, 30, 60 or a multiple of 60 (got ${String(period)}).`);
  }
  const statName = ms.Stat;
  if (typeof statName !== 'string' || !isKnownStat(statName)) {
    throw new AwsError('ValidationError', 400, `The parameter Stat ${String(statName)} is not a supported statistic (Sum, Average, Minimum, Maximum, SampleCount, pNN).`);
  }
}

/** applyStat over `total` values of which `ones` are 1 and the rest 0, without the values. */
export function ofZerosAndOnes(stat: string, ones: number, total: number): number {
  switch (stat) {
    case 'Sum':
      return ones;
    case 'Average':
      return ones / total;
    case 'Minimum':
      return ones === total ? 1 : 0;
    case 'Maximum':
      return ones > 0 ? 1 : 0;
    case 'SampleCount':
      return total;
    default: {
      // The nearest rank among the zeros, then the ones, as applyStat sorts them.
      const rank = Math.max(1, Math.ceil((Number(stat.slice(1)) / 100) * total));
      return Math.min(total, rank) - 1 >= total - ones ? 1 : 0;
    }
  }
}

/**
 * The queries to evaluate, each after those its expression refers to: a depth-first walk with
 * an explicit stack (a chain of 500 references recurses nowhere), refusing a reference to an
 * unknown id and a circular one.
 */
function evaluationOrder(roots: MetricDataQuery[], byId: Map<string, MetricDataQuery>, refsOf: (q: MetricDataQuery) => string[]): MetricDataQuery[] {
  const order: MetricDataQuery[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of roots) {
    if (state.has(root.Id)) continue;
    state.set(root.Id, 'visiting');
    const stack = [{ q: root, refs: refsOf(root), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next === top.refs.length) {
        state.set(top.q.Id, 'done');
        order.push(top.q);
        stack.pop();
        continue;
      }
      const id = top.refs[top.next++];
      const q = byId.get(id);
      if (!q) throw new AwsError('ValidationError', 400, `Expression refers to unknown query id ${id}.`);
      const seen = state.get(id);
      if (seen === 'done') continue;
      if (seen === 'visiting') throw new AwsError('ValidationError', 400, `Circular reference at query id ${id}.`);
      state.set(id, 'visiting');
      stack.push({ q, refs: refsOf(q), next: 0 });
    }
  }
  return order;
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

/** A statistic of values; `mine` lets a percentile sort them in place rather than a copy. */
export function applyStat(stat: string, values: number[] | Float64Array, mine = false): number {
  switch (stat) {
    case 'Sum':
    case 'Average': {
      let sum = 0;
      for (const v of values) sum += v;
      return stat === 'Sum' ? sum : sum / values.length;
    }
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
      const rank = Math.max(1, Math.ceil((p / 100) * values.length));
      return select(mine && values instanceof Float64Array ? values : Float64Array.from(values), Math.min(values.length, rank) - 1);
    }
  }
}

/**
 * The k-th smallest of a (what sorting it would put at k), by quickselect: linear on average, where
 * sorting the 2,000,000 durations the store may hold costs a third of a second. Reorders a.
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Median of three as the pivot: sorted or constant runs of durations stay linear.
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** How deep parentheses, FILL and unary minus may nest in one expression (2,048 characters hold at most 1,024). */
export const MAX_NESTING = 1024;

/** The tokens of a metric math expression, refusing any character the grammar has no place for. */
export function tokenize(src: string): string[] {
  const tokens = src.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/(),])/g)?.map((t) => t.trim());
  if (!tokens || tokens.join('') !== src.replace(/\s+/g, '')) {
    throw new AwsError('ValidationError', 400, `Invalid metric math expression: ${src}`);
  }
  return tokens;
}

/** The query ids an expression refers to: names not called as functions. */
function references(tokens: string[]): string[] {
  const ids = new Set<string>();
  tokens.forEach((t, i) => {
    if (/^[A-Za-z_]/.test(t) && tokens[i + 1] !== '(') ids.add(t);
  });
  return [...ids];
}

/** The steps of an expression that each yield a series: operators and function calls. */
function steps(tokens: string[]): number {
  let n = 0;
  tokens.forEach((t, i) => {
    if (t === '+' || t === '-' || t === '*' || t === '/' || (/^[A-Za-z_]/.test(t) && tokens[i + 1] === '(')) n++;
  });
  return n;
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
  const tokens = tokenize(src);
  let i = 0;
  let depth = 0;
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
    // Each nesting is a few frames: bounded here whatever the caller checked of the length.
    if (++depth > MAX_NESTING) throw new AwsError('ValidationError', 400, `Metric math expression nested more than ${MAX_NESTING} deep: ${src.slice(0, 100)}…`);
    try {
      return primaryAfter(t);
    } finally {
      depth--;
    }
  };
  const primaryAfter = (t: string): Val => {
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
