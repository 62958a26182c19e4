/**
 * CloudWatch's Embedded Metric Format, read from a function's log as Lambda's logs do: a log line
 * that is one JSON object (bare, as process.stdout.write leaves it, or after the Node.js runtime's
 * `time\trequestId\tLEVEL\t` prefix, as console.log writes it) with `_aws.CloudWatchMetrics`
 * publishes the metrics it declares. Validated strictly, as CloudWatch does: a record that breaks
 * a rule publishes nothing. Bounded: a hostile function's output cannot make the sandbox hold more
 * than the limits below, whatever it prints.
 */
/** A metric's dimension, as CloudWatch names it (metrics.ts has the same shape). */
interface Dimension {
  Name: string;
  Value: string;
}

/** One value of one metric, as CloudWatch stores it. */
export interface EmfDatum {
  namespace: string;
  metric: string;
  dims: Dimension[];
  unit?: string;
  time: number;
  value: number;
}

export const EMF_LIMITS = {
  /** A log event's size (CloudWatch Logs: 1 MB); a longer line is no record. */
  lineChars: 1024 * 1024,
  /** Records read from one invocation's log; the rest are ignored. */
  recordsPerInvocation: 100,
  /** MetricDefinitions in one directive (the specification's limit). */
  metricsPerDirective: 100,
  /** Directives in one record. */
  directivesPerRecord: 10,
  /** Dimensions in one dimension set (CloudWatch's limit). */
  dimensionsPerSet: 30,
  /** Dimension sets in one directive. */
  setsPerDirective: 30,
  /** Values of one metric in one record (an array; the specification's limit). */
  valuesPerMetric: 100,
  /** Data one invocation may publish in all. */
  dataPerInvocation: 3000,
};

/** CloudWatch's units (MetricDatum.Unit). */
const UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits',
  'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second',
  'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

const PAST_MS = 14 * 86_400_000;
const FUTURE_MS = 2 * 3_600_000;
/** The Node.js runtime's prefix of a console line: ISO time, request id, level, each then a tab. */
const CONSOLE_PREFIX = /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[^\t]{1,64}\t[A-Z]{1,8}\t/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name or value CloudWatch accepts: ASCII, no control characters, not only spaces, bounded. */
function name(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max && /^[\x20-\x7e]+$/.test(v) && v.trim() !== '' && !v.startsWith(':');
}

/** The data one record publishes, or undefined when it is not a valid EMF record. */
export function parseEmfRecord(line: string, now: number): EmfDatum[] | undefined {
  if (line.length > EMF_LIMITS.lineChars) return undefined;
  const text = line.replace(CONSOLE_PREFIX, '');
  if (!text.startsWith('{') || !text.includes('"_aws"')) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(root) || !isObject(root._aws)) return undefined;
  const member = (k: string): unknown => (Object.prototype.hasOwnProperty.call(root, k) ? (root as Json)[k] : undefined);
  const { Timestamp, CloudWatchMetrics } = root._aws;
  if (typeof Timestamp !== 'number' || !Number.isFinite(Timestamp) || Timestamp < now - PAST_MS || Timestamp > now + FUTURE_MS) return undefined;
  if (!Array.isArray(CloudWatchMetrics) || CloudWatchMetrics.length > EMF_LIMITS.directivesPerRecord) return undefined;
  const out: EmfDatum[] = [];
  for (const d of CloudWatchMetrics as unknown[]) {
    if (!isObject(d)) return undefined;
    const { Namespace, Dimensions, Metrics } = d;
    if (!name(Namespace, 255) || Namespace.startsWith('AWS/')) return undefined;
    if (!Array.isArray(Dimensions) || Dimensions.length > EMF_LIMITS.setsPerDirective) return undefined;
    if (!Array.isArray(Metrics) || Metrics.length > EMF_LIMITS.metricsPerDirective) return undefined;
    const sets: Dimension[][] = [];
    for (const set of Dimensions as unknown[]) {
      if (!Array.isArray(set) || set.length > EMF_LIMITS.dimensionsPerSet) return undefined;
      const dims: Dimension[] = [];
      for (const key of set as unknown[]) {
        // Each dimension names a member of the root that holds its value, a string.
        if (!name(key, 255)) return undefined;
        const value = member(key);
        if (!name(value, 1024)) return undefined;
        dims.push({ Name: key, Value: value });
      }
      sets.push(dims);
    }
    // A directive with no dimension set publishes its metrics without dimensions.
    if (sets.length === 0) sets.push([]);
    for (const m of Metrics as unknown[]) {
      if (!isObject(m) || !name(m.Name, 255)) return undefined;
      if (m.Unit !== undefined && (typeof m.Unit !== 'string' || !UNITS.has(m.Unit))) return undefined;
      if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60) return undefined;
      const raw = member(m.Name);
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || values.length > EMF_LIMITS.valuesPerMetric) return undefined;
      if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
      for (const dims of sets) {
        for (const value of values as number[]) out.push({ namespace: Namespace, metric: m.Name, dims, unit: m.Unit as string | undefined, time: Timestamp, value });
      }
    }
  }
  return out;
}

/** The data of every valid record of one invocation's log, bounded (EMF_LIMITS). */
export function emfData(lines: readonly string[], now: number): EmfDatum[] {
  const out: EmfDatum[] = [];
  let records = 0;
  for (const line of lines) {
    if (records >= EMF_LIMITS.recordsPerInvocation) break;
    const data = parseEmfRecord(line, now);
    if (!data) continue;
    records++;
    if (out.length + data.length > EMF_LIMITS.dataPerInvocation) break;
    out.push(...data);
  }
  return out;
}
