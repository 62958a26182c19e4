import assert from 'node:assert/strict';
import { AwsError } from '../../src/sandbox/errors';
import type { Dimension } from '../../src/sandbox/metrics';
import { applyStat, evalExpression, LIMITS, MAX_DATAPOINTS, MetricsStore, roundTimestamp } from '../../src/sandbox/metrics';

type Series = { period: number; points: Map<number, number> };

const S = 1000;
const series = (period: number, entries: Array<[number, number]>): Series => ({ period, points: new Map(entries) });
const asObject = (s: Series): Record<number, number> => Object.fromEntries([...s.points.entries()].sort((a, b) => a[0] - b[0]));

function rejectsValidation(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, 'ValidationError');
    assert.equal(e.status, 400);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('applyStat', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('Sum, Average, Minimum, Maximum, SampleCount', () => {
    const v = [4, 1, 7, 2];
    assert.equal(applyStat('Sum', v), 14);
    assert.equal(applyStat('Average', v), 3.5);
    assert.equal(applyStat('Minimum', v), 1);
    assert.equal(applyStat('Maximum', v), 7);
    assert.equal(applyStat('SampleCount', v), 4);
  });

  it('Minimum and Maximum over 200,000 values (no spread into a call: no stack overflow)', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 200_003);
    assert.equal(applyStat('Maximum', many), many.reduce((a, b) => (b > a ? b : a)));
    assert.equal(applyStat('Minimum', many), many.reduce((a, b) => (b < a ? b : a)));
    assert.equal(applyStat('Maximum', [-5, -2]), -2);
    assert.equal(applyStat('Minimum', [3]), 3);
  });

  it('percentiles use the nearest rank', () => {
    assert.equal(applyStat('p50', oneToHundred), 50);
    assert.equal(applyStat('p90', oneToHundred), 90);
    assert.equal(applyStat('p99', oneToHundred), 99);
    assert.equal(applyStat('p100', oneToHundred), 100);
    assert.equal(applyStat('p99.9', oneToHundred), 100);
    assert.equal(applyStat('p0', oneToHundred), 1);
    assert.equal(applyStat('p50', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 5);
    assert.equal(applyStat('p51', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 6);
    assert.equal(applyStat('p99', [42]), 42);
    assert.equal(applyStat('p25', [3, 1, 2, 4]), 1);
  });

  it('percentiles sort numerically and leave the input alone', () => {
    const v = [100, 9, 20, 3];
    assert.equal(applyStat('p50', v), 9, 'numeric, not lexicographic, order');
    assert.equal(applyStat('p100', v), 100);
    assert.deepEqual(v, [100, 9, 20, 3]);
  });

  it('a p99 of a skewed sample picks the tail', () => {
    const v = [...Array.from({ length: 990 }, () => 10), ...Array.from({ length: 10 }, () => 500)];
    assert.equal(applyStat('p99', v), 10);
    assert.equal(applyStat('p99.1', v), 500);
    assert.equal(applyStat('Maximum', v), 500);
  });
});

describe('evalExpression', () => {
  const start = 0;
  const end = 10 * S;
  const m1 = series(1, [
    [2 * S, 4],
    [5 * S, 10],
  ]);
  const m2 = series(1, [
    [2 * S, 2],
    [3 * S, 7],
    [5 * S, 0],
  ]);
  const lookup = (id: string): Series => {
    if (id === 'm1') return m1;
    if (id === 'm2') return m2;
    throw new AwsError('ValidationError', 400, `unknown ${id}`);
  };
  const ev = (src: string) => asObject(evalExpression(src, lookup, start, end));

  it('combines series point by point on shared timestamps', () => {
    assert.deepEqual(ev('m1 + m2'), { [2 * S]: 6, [5 * S]: 10 });
    assert.deepEqual(ev('m1 - m2'), { [2 * S]: 2, [5 * S]: 10 });
    assert.deepEqual(ev('m1 * m2'), { [2 * S]: 8, [5 * S]: 0 });
  });

  it('scalars apply to every point, with the usual precedence and parentheses', () => {
    assert.deepEqual(ev('2 + 3 * m1'), { [2 * S]: 14, [5 * S]: 32 });
    assert.deepEqual(ev('(2 + 3) * m1'), { [2 * S]: 20, [5 * S]: 50 });
    assert.deepEqual(ev('m1 / 2 / 2'), { [2 * S]: 1, [5 * S]: 2.5 });
    assert.deepEqual(ev('-m1 + 1'), { [2 * S]: -3, [5 * S]: -9 });
    assert.deepEqual(ev('  m1*0.5 '), { [2 * S]: 2, [5 * S]: 5 });
  });

  it('division by zero drops the point', () => {
    assert.deepEqual(ev('m1 / m2'), { [2 * S]: 2 });
  });

  it('FILL gives every period of the window a value', () => {
    const filled = ev('FILL(m1, 0)');
    assert.equal(Object.keys(filled).length, 10);
    assert.deepEqual(filled, { 0: 0, [S]: 0, [2 * S]: 4, [3 * S]: 0, [4 * S]: 0, [5 * S]: 10, [6 * S]: 0, [7 * S]: 0, [8 * S]: 0, [9 * S]: 0 });
    assert.equal(ev('FILL(m1, 7)')[S], 7);
    assert.deepEqual(ev('fill(m1, 1)'), ev('FILL(m1, 1)'), 'function names are case-insensitive');
  });

  it('100*e/FILL(i,0): a rate where there were invocations, nothing where there were none', () => {
    const i = series(1, [
      [2 * S, 4],
      [5 * S, 10],
    ]);
    const e = series(1, [
      [2 * S, 1],
      [5 * S, 0],
      [6 * S, 3],
    ]);
    const out = evalExpression('100*e/FILL(i,0)', (id) => (id === 'e' ? e : i), start, end);
    assert.deepEqual(asObject(out), { [2 * S]: 25, [5 * S]: 0 });
    assert.equal(out.period, 1);
  });

  it('FILL uses the series period', () => {
    const coarse = series(5, [[5 * S, 3]]);
    assert.deepEqual(asObject(evalExpression('FILL(c, 0)', () => coarse, start, end)), { 0: 0, [5 * S]: 3 });
  });

  it('refuses malformed expressions with ValidationError (400)', () => {
    for (const bad of ['', 'm1 +', '(m1', 'm1)', 'm1 m2', 'm1 $ 2', 'm1 ** 2', 'FILL(m1)', 'FILL(m1, 0', 'FILL(1, 0)', 'FILL(m1, m2)', 'RATE(m1)', '3', '2 * (4 + 1)', 'm1 , m2']) {
      rejectsValidation(() => evalExpression(bad, lookup, start, end), undefined);
    }
    rejectsValidation(() => evalExpression('m1 + nope', lookup, start, end), /unknown nope/);
    rejectsValidation(() => evalExpression('RATE(m1)', lookup, start, end), /RATE/);
  });

  it('refuses a FILL with more points than GetMetricData may answer', () => {
    rejectsValidation(() => evalExpression('FILL(m1, 0)', lookup, 0, (MAX_DATAPOINTS + 1) * S), /datapoints/);
    assert.equal(Object.keys(asObject(evalExpression('FILL(m1, 0)', lookup, 0, MAX_DATAPOINTS * S))).length, MAX_DATAPOINTS);
  });
});

describe('roundTimestamp (GetMetricData StartTime and EndTime)', () => {
  const now = Date.UTC(2026, 11, 1, 12, 40, 0);
  const at = (daysAgo: number, hms: string) => Date.parse(`${new Date(now - daysAgo * 86_400_000).toISOString().slice(0, 10)}T${hms}Z`);
  const iso = (t: number) => new Date(t).toISOString().slice(11, 19);

  it("follows the API reference's examples: the minute, 5 minutes or the hour by age", () => {
    assert.equal(iso(roundTimestamp(at(0, '12:32:34'), 60, now)), '12:32:00', 'less than 15 days ago: the whole minute');
    assert.equal(iso(roundTimestamp(at(14, '12:32:34'), 300, now)), '12:32:00', 'a 300 s period still rounds to the minute when recent');
    assert.equal(iso(roundTimestamp(at(20, '12:32:34'), 60, now)), '12:30:00', 'between 15 and 63 days: 5 minutes');
    assert.equal(iso(roundTimestamp(at(70, '12:32:34'), 3600, now)), '12:00:00', 'more than 63 days: the hour');
  });

  it('a Period under a minute rounds to that many seconds of the clock', () => {
    assert.equal(iso(roundTimestamp(at(0, '01:05:23'), 10, now)), '01:05:20');
    assert.equal(iso(roundTimestamp(at(0, '01:05:13'), 10, now)), '01:05:10');
    assert.equal(iso(roundTimestamp(at(0, '15:02:17'), 5, now)), '15:02:15');
    assert.equal(iso(roundTimestamp(at(0, '15:02:59'), 20, now)), '15:02:40');
    assert.equal(iso(roundTimestamp(at(0, '15:02:59'), 30, now)), '15:02:30');
    assert.equal(roundTimestamp(at(0, '15:02:17') + 999, 1, now), at(0, '15:02:17'), 'period 1: the whole second');
  });

  it('leaves a time already on the boundary alone', () => {
    for (const [t, p] of [
      [at(0, '12:32:00'), 60],
      [at(30, '12:35:00'), 60],
      [at(100, '07:00:00'), 3600],
      [at(0, '12:32:15'), 5],
    ]) {
      assert.equal(roundTimestamp(t, p, now), t);
    }
  });
});

describe('MetricsStore', () => {
  const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
  const store = new MetricsStore();
  before(() => {
    const add = (sec: number, version: string, durationMs: number, error = false, throttled = false) =>
      store.record({ time: t0 + sec * S, functionName: 'f', resource: 'f:prod', executedVersion: version, durationMs, error, throttled });
    add(0, '1', 10);
    add(0.5, '2', 30, true);
    add(1.2, '1', 20);
    add(61, '2', 50);
    add(62, '1', 0, false, true);
    store.record({ time: t0 + 3 * S, functionName: 'g', durationMs: 5, error: false, throttled: false });
  });
  const q = (Id: string, MetricName: string, Stat: string, dims: Record<string, string>, Period = 60) => ({
    Id,
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) }, Period, Stat },
  });
  const get = (queries: unknown[], extra: Record<string, unknown> = {}) =>
    (store.getMetricData({ StartTime: t0 / 1000, EndTime: (t0 + 120 * S) / 1000, MetricDataQueries: queries, ...extra }, t0 + 120 * S) as {
      MetricDataResults: Array<{ Id: string; Timestamps: number[]; Values: number[] }>;
    }).MetricDataResults;

  it('buckets by period from StartTime and applies the statistic per bucket', () => {
    const [inv, dur, thr] = get([
      q('inv', 'Invocations', 'Sum', { FunctionName: 'f' }),
      q('dur', 'Duration', 'Maximum', { FunctionName: 'f', Resource: 'f:prod', ExecutedVersion: '1' }),
      q('thr', 'Throttles', 'Sum', { FunctionName: 'f' }),
    ]);
    assert.deepEqual(inv.Timestamps, [(t0 + 60 * S) / 1000, t0 / 1000], 'newest first, in epoch seconds');
    assert.deepEqual(inv.Values, [1, 3], 'the throttled call is no invocation');
    assert.deepEqual(dur.Values, [20]);
    assert.deepEqual(thr.Values, [1, 0]);
  });

  it('matches the exact dimension set, in any order', () => {
    const [a, b, c] = get([
      q('a', 'Errors', 'Sum', { ExecutedVersion: '2', Resource: 'f:prod', FunctionName: 'f' }, 300),
      q('b', 'Invocations', 'Sum', { Resource: 'f:prod' }, 300),
      q('c', 'Invocations', 'Sum', {}, 300),
    ]);
    assert.deepEqual(a.Values, [1]);
    assert.deepEqual(b.Values, [], 'Resource without FunctionName is not a published dimension set');
    assert.deepEqual(c.Values, [5], 'no dimensions: every function');
  });

  it('rounds StartTime and EndTime down as CloudWatch does: buckets start at the rounded StartTime', () => {
    // StartTime 12.345 s past t0 rounds to t0: the calls at 0 s and 0.5 s count; EndTime 61.5 s rounds to 60 s: the call at 61 s does not.
    const [inv] = get([q('inv', 'Invocations', 'Sum', { FunctionName: 'f' })], { StartTime: (t0 + 12_345) / 1000, EndTime: (t0 + 61_500) / 1000 });
    assert.deepEqual(inv.Timestamps, [t0 / 1000]);
    assert.deepEqual(inv.Values, [3]);
    // Period 1: to the second. 0.5 s rounds to 0 s (both calls at 0 s and 0.5 s), 1.9 s to 1 s (the call at 1.2 s is out).
    const [fine] = get([q('fine', 'Invocations', 'Sum', { FunctionName: 'f' }, 1)], { StartTime: (t0 + 500) / 1000, EndTime: (t0 + 1_900) / 1000 });
    assert.deepEqual(fine.Timestamps, [t0 / 1000]);
    assert.deepEqual(fine.Values, [2]);
    // FILL covers the rounded window: one point per minute from t0, none for the minute EndTime cut off.
    const [filled] = get([{ ...q('m', 'Invocations', 'Sum', { FunctionName: 'f' }), ReturnData: false }, { Id: 'z', Expression: 'FILL(m, 0)' }], {
      StartTime: (t0 + 30_000) / 1000,
      EndTime: (t0 + 119_000) / 1000,
      ScanBy: 'TimestampAscending',
    });
    assert.deepEqual(filled.Timestamps, [t0 / 1000]);
    // A window shorter than the rounding unit holds no period at all.
    const [none] = get([q('none', 'Invocations', 'Sum', { FunctionName: 'f' })], { StartTime: (t0 + 1_000) / 1000, EndTime: (t0 + 50_000) / 1000 });
    assert.deepEqual(none.Values, []);
  });

  it('validates the request', () => {
    rejectsValidation(() => get([]), /MetricDataQueries/);
    rejectsValidation(() => get([q('m', 'Invocations', 'Sum', {})], { EndTime: t0 / 1000 - 1 }), /StartTime/);
    rejectsValidation(() => get([q('m', 'Invocations', 'Sum', {})], { StartTime: 'yesterday' }), /StartTime/);
    rejectsValidation(() => get([q('M', 'Invocations', 'Sum', {})]), /Id/);
    rejectsValidation(() => get([q('m', 'Invocations', 'Sum', {}, 45)]), /Period/);
    rejectsValidation(() => get([q('m', 'Invocations', 'p', {})]), /Stat/);
    rejectsValidation(() => get(Array.from({ length: 501 }, (_, i) => q(`m${i}`, 'Invocations', 'Sum', {}))), /500/);
  });

  it('refuses expressions over 2,048 characters before parsing them (a 20,000-deep nesting no longer overflows the stack)', () => {
    const deep = `${'('.repeat(20_000)}m${')'.repeat(20_000)}`;
    rejectsValidation(() => get([q('m', 'Invocations', 'Sum', { FunctionName: 'f' }), { Id: 'e', Expression: deep }]), /metricDataQueries\.2\.member\.expression' failed to satisfy constraint: Member must have length less than or equal to 2048/);
    const atLimit = `${'('.repeat(1023)}m${')'.repeat(1023)}`;
    assert.equal(atLimit.length, 2047);
    const [e] = get([{ ...q('m', 'Invocations', 'Sum', { FunctionName: 'f' }), ReturnData: false }, { Id: 'e', Expression: atLimit }]);
    assert.deepEqual(e.Values, [1, 3], 'the deepest nesting within the limit still evaluates');
  });

  it('refuses queries of the wrong shape with ValidationError, not a crash', () => {
    rejectsValidation(() => get([{ Id: 'e', Expression: 5 }]), /expression/);
    rejectsValidation(() => get([{ Id: 'm', MetricStat: 'x' }]), /metricStat/);
    rejectsValidation(() => get([{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: 'x' }, Period: 60, Stat: 'Sum' } }]), /dimensions/);
    rejectsValidation(() => get([{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [null] }, Period: 60, Stat: 'Sum' } }]), /dimensions/);
    rejectsValidation(() => store.listMetrics({ Dimensions: 'x' }), /'dimensions'/);
    rejectsValidation(() => store.listMetrics({ Dimensions: [{ Name: 5 }] }), /'dimensions'/);
  });

  it('ListMetrics pages and filters', () => {
    const all = store.listMetrics({ Namespace: 'AWS/Lambda' }) as { Metrics: Array<{ MetricName: string; Dimensions: unknown[] }> };
    assert.ok(all.Metrics.some((m) => m.MetricName === 'Throttles' && m.Dimensions.length === 0));
    const g = store.listMetrics({ Dimensions: [{ Name: 'FunctionName', Value: 'g' }] }) as { Metrics: Array<{ MetricName: string }> };
    assert.deepEqual(g.Metrics.map((m) => m.MetricName).sort(), ['Duration', 'Errors', 'Invocations', 'Throttles']);
    assert.throws(() => store.listMetrics({ NextToken: 'garbage' }), /NextToken/);
  });
});

describe('MetricsStore at scale: bounded work a call', () => {
  const now = Date.UTC(2026, 11, 1, 10, 0, 0);
  const W = { StartTime: (now - 3 * 3_600_000) / 1000, EndTime: now / 1000 };
  const fnDims = [{ Name: 'FunctionName', Value: 'f' }];
  const ms = (Id: string, MetricName: string, Stat: string, Period: number, extra: Record<string, unknown> = {}) => ({
    Id,
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions: fnDims }, Period, Stat },
    ...extra,
  });
  const elapsed = (fn: () => unknown): number => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  type Results = { MetricDataResults: Array<{ Id: string; Timestamps: number[]; Values: number[] }> };

  it('record() at the cap drops the oldest in O(1): 200,000 records past a 200,000 cap take under 2 s, not 10', () => {
    const store = new MetricsStore(200_000);
    for (let i = 0; i < 200_000; i++) store.record({ time: now - 3_600_000 + i, functionName: 'old', durationMs: 1, error: false, throttled: false });
    // Each used to splice a 200,000-long array: about 10 s in all; now a few ms.
    const ms2 = elapsed(() => {
      for (let i = 0; i < 200_000; i++) store.record({ time: now - 1_000_000 + i, functionName: 'f', durationMs: 1, error: false, throttled: false });
    });
    assert.ok(ms2 < 2000, `${ms2} ms`);
    assert.equal(store.size, 200_000);
    const names = (store.listMetrics({ MetricName: 'Invocations' }) as { Metrics: Array<{ Dimensions: Dimension[] }> }).Metrics.map((m) => m.Dimensions.map((d) => d.Value).join(','));
    assert.deepEqual(names.sort(), ['', 'f'], 'the evicted function is no longer listed');
    const [inv] = (store.getMetricData({ ...W, MetricDataQueries: [ms('m', 'Invocations', 'SampleCount', 3600)] }, now) as Results).MetricDataResults;
    assert.equal(inv.Values.reduce((a, b) => a + b, 0), 200_000);
  });

  it('ListMetrics reads the series index, not every sample: 1,000,000 samples list in under a second', () => {
    const store = new MetricsStore();
    for (let i = 0; i < 1_000_000; i++) {
      store.record({ time: now - 1_000_000 + i, functionName: `f${i % 3}`, resource: `f${i % 3}:live`, executedVersion: String(i % 2), durationMs: 1, error: false, throttled: i % 7 === 0 });
    }
    let out: { Metrics: unknown[] } = { Metrics: [] };
    const t = elapsed(() => (out = store.listMetrics({ Namespace: 'AWS/Lambda' }) as { Metrics: unknown[] }));
    assert.ok(t < 1000, `${t} ms (scanning every sample took about 10 s)`);
    // 1 aggregate + 3 functions + 3 aliases + 6 versions = 13 dimension sets, 4 metrics each.
    assert.equal(out.Metrics.length, 13 * 4);
  });

  it('a Duration percentile over 2,000,000 samples answers in under 3 s, and one reading more than the budget is refused at once', () => {
    const store = new MetricsStore();
    for (let i = 0; i < 2_000_000; i++) store.record({ time: now - 3 * 3_600_000 + Math.floor(i * 5.4), functionName: 'f', durationMs: (i * 7919) % 1000, error: false, throttled: false });
    let answer: Results | undefined;
    const t = elapsed(() => (answer = store.getMetricData({ ...W, MetricDataQueries: [ms('a', 'Duration', 'p99', 60), ms('b', 'Duration', 'Average', 60)] }, now) as Results));
    assert.ok(t < 3000, `${t} ms`);
    assert.equal(answer!.MetricDataResults[0].Values.length, 180);
    const refused = elapsed(() =>
      rejectsValidation(
        () => store.getMetricData({ ...W, MetricDataQueries: Array.from({ length: 11 }, (_, i) => ms(`d${i}`, 'Duration', `p${90 + i / 2}`, 60)) }, now),
        new RegExp(`read 22000000 samples, which exceeds the sandbox's limit of ${LIMITS.sampleReads}`),
      ),
    );
    assert.ok(refused < 100, `${refused} ms`);
  });

  it('counts come from running totals and match the statistics of the values themselves', () => {
    const store = new MetricsStore();
    const samples = Array.from({ length: 3000 }, (_, i) => ({ time: now - 600_000 + ((i * 7919) % 600_000), functionName: 'f', durationMs: i % 13, error: i % 3 === 0, throttled: i % 11 === 0 }));
    for (const s of samples) store.record(s); // out of time order, as a clock set back records
    for (const stat of ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount', 'p0', 'p10', 'p50', 'p66.7', 'p99', 'p100']) {
      const out = (store.getMetricData({ StartTime: (now - 600_000) / 1000, EndTime: now / 1000, MetricDataQueries: ['Invocations', 'Errors', 'Throttles', 'Duration'].map((m) => ms(m.toLowerCase(), m, stat, 60)), ScanBy: 'TimestampAscending' }, now) as Results).MetricDataResults;
      for (const [k, metric] of ['Invocations', 'Errors', 'Throttles', 'Duration'].entries()) {
        const expected = new Map<number, number[]>();
        for (const s of samples) {
          if (metric !== 'Throttles' && s.throttled) continue;
          const bucket = Math.floor(s.time / 60_000) * 60_000;
          const v = metric === 'Invocations' ? 1 : metric === 'Errors' ? Number(s.error) : metric === 'Throttles' ? Number(s.throttled) : s.durationMs;
          expected.set(bucket, [...(expected.get(bucket) ?? []), v]);
        }
        const want = [...expected.entries()].sort((a, b) => a[0] - b[0]);
        assert.deepEqual(out[k].Timestamps, want.map(([t]) => t / 1000), `${metric} ${stat}`);
        assert.deepEqual(out[k].Values, want.map(([, v]) => applyStat(stat, v)), `${metric} ${stat}`);
      }
    }
  });

  it('samples past the retention are pruned, and what is left still answers', () => {
    const store = new MetricsStore(1000, 60_000);
    for (let i = 0; i < 10; i++) store.record({ time: now - 120_000 + i * 10_000, functionName: 'f', durationMs: i, error: false, throttled: false });
    const [m] = (store.getMetricData({ StartTime: (now - 180_000) / 1000, EndTime: now / 1000, MetricDataQueries: [ms('m', 'Duration', 'Minimum', 60)] }, now) as Results).MetricDataResults;
    assert.equal(store.size, 4, 'the 6 samples older than a minute are gone');
    assert.deepEqual(m.Values, [6]);
  });

  it('40 queries of FILL(m,0) ×20 at Period 1 over 100,000 s (40.6 s before): refused at once with the datapoints asked', () => {
    const store = new MetricsStore();
    store.record({ time: now - 1000, functionName: 'f', durationMs: 1, error: false, throttled: false });
    const queries: unknown[] = [ms('m', 'Invocations', 'Sum', 1, { ReturnData: false })];
    for (let i = 0; i < 40; i++) queries.push({ Id: `e${i}`, Expression: Array(20).fill('FILL(m,0)').join('+') });
    const t = elapsed(() =>
      rejectsValidation(
        () => store.getMetricData({ StartTime: (now - 100_000_000) / 1000, EndTime: now / 1000, MetricDataQueries: queries }, now),
        /^You have requested up to 4000000 datapoints, which exceeds the limit of 100800\. You may reduce the datapoints requested by increasing Period, or decreasing the time range\.$/,
      ),
    );
    assert.ok(t < 100, `${t} ms`);
  });

  it('the datapoints budget is the whole call: 100,800 returned answer, one more is refused', () => {
    const store = new MetricsStore();
    store.record({ time: now - 1000, functionName: 'f', durationMs: 1, error: false, throttled: false });
    // Period 1 over 28 h = 100,800 periods: one FILL returns exactly the limit.
    const start = (now - 100_800_000) / 1000;
    const atLimit = [ms('m', 'Invocations', 'Sum', 1, { ReturnData: false }), { Id: 'f', Expression: 'FILL(m, 0)' }];
    const [f] = (store.getMetricData({ StartTime: start, EndTime: now / 1000, MetricDataQueries: atLimit }, now) as Results).MetricDataResults;
    assert.equal(f.Values.length, MAX_DATAPOINTS);
    rejectsValidation(() => store.getMetricData({ StartTime: start - 1, EndTime: now / 1000, MetricDataQueries: atLimit }, now), /requested up to 100801 datapoints/);
    // Split over two returned queries, the budget is still one.
    const halves = [ms('m', 'Invocations', 'Sum', 1, { ReturnData: false }), { Id: 'f', Expression: 'FILL(m, 0)' }, { Id: 'g', Expression: 'm * 2' }];
    rejectsValidation(() => store.getMetricData({ StartTime: (now - 60_000_000) / 1000, EndTime: now / 1000, MetricDataQueries: halves }, now), /requested up to 120000 datapoints/);
  });

  it('hidden queries and each step of an expression count too: refused at once past 10 times the limit', () => {
    const store = new MetricsStore();
    store.record({ time: now - 1000, functionName: 'f', durationMs: 1, error: false, throttled: false });
    // One returned series of 10,000 periods, computed through 200 FILLs and 199 additions: 400 steps of 10,000, and m's own.
    const queries = [ms('m', 'Invocations', 'Sum', 1, { ReturnData: false }), { Id: 'e', Expression: Array(200).fill('FILL(m,0)').join('+') }];
    const t = elapsed(() => rejectsValidation(() => store.getMetricData({ StartTime: (now - 10_000_000) / 1000, EndTime: now / 1000, MetricDataQueries: queries }, now), /takes up to 4010000 datapoints .* exceeds the sandbox's limit of 1008000/));
    assert.ok(t < 100, `${t} ms`);
    const [e] = (store.getMetricData({ StartTime: (now - 10_000_000) / 1000, EndTime: now / 1000, MetricDataQueries: [queries[0], { Id: 'e', Expression: Array(20).fill('FILL(m,0)').join('+') }] }, now) as Results).MetricDataResults;
    assert.equal(e.Values.length, 10_000);
    assert.equal(e.Values.reduce((a, b) => a + b, 0), 20, 'the one invocation, twenty times');
  });

  it('a chain of 500 queries, each nesting the next 600 deep, evaluates in order without recursion', () => {
    const store = new MetricsStore();
    store.record({ time: now - 30_000, functionName: 'f', durationMs: 1, error: false, throttled: false });
    const chain: unknown[] = Array.from({ length: 499 }, (_, i) => ({ Id: `q${i}`, Expression: `${'('.repeat(600)}q${i + 1}${')'.repeat(600)}`, ReturnData: i === 0 }));
    chain.push(ms('q499', 'Invocations', 'Sum', 60, { ReturnData: false }));
    const [q0] = (store.getMetricData({ StartTime: (now - 600_000) / 1000, EndTime: now / 1000, MetricDataQueries: chain }, now) as Results).MetricDataResults;
    assert.deepEqual(q0.Values, [1]);
    // The same chain closed into a circle is refused, not overflowed.
    chain[499] = { Id: 'q499', Expression: `${'('.repeat(600)}q0${')'.repeat(600)}` };
    rejectsValidation(() => store.getMetricData({ StartTime: (now - 600_000) / 1000, EndTime: now / 1000, MetricDataQueries: chain }, now), /^Circular reference at query id q0\.$/);
    chain[499] = { Id: 'q499', Expression: 'nowhere * 2' };
    rejectsValidation(() => store.getMetricData({ StartTime: (now - 600_000) / 1000, EndTime: now / 1000, MetricDataQueries: chain }, now), /^Expression refers to unknown query id nowhere\.$/);
  });

  it('the expression parser bounds its own nesting, whatever the caller checked', () => {
    const m = series(60, [[0, 1]]);
    rejectsValidation(() => evalExpression(`${'('.repeat(50_000)}m${')'.repeat(50_000)}`, () => m, 0, 60_000), /nested more than 1024 deep/);
    rejectsValidation(() => evalExpression(`${'-'.repeat(50_000)}m`, () => m, 0, 60_000), /nested more than 1024 deep/);
    assert.deepEqual(asObject(evalExpression(`${'('.repeat(1023)}m${')'.repeat(1023)}`, () => m, 0, 60_000)), { 0: 1 });
  });
});
