import assert from 'node:assert/strict';
import type { MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { buildTrafficRequest, parseTrafficResults } from '../../src/core/traffic';
import type { TrafficReport } from '../../src/shared/traffic';
import { formatAge, periodFor } from '../../src/shared/traffic';
import { compareCanary } from '../../src/core/verdict';

const END = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('traffic panel data', () => {
  describe('buildTrafficRequest', () => {
    it('asks for everything in ONE request, whatever the number of versions', () => {
      for (const n of [1, 2, 10]) {
        const versions = Array.from({ length: n }, (_, i) => String(i + 1));
        const req = buildTrafficRequest({ functionName: 'checkout-api', aliasName: 'prod', versions, windowMs: 15 * 60_000, periodSeconds: 60, end: END });
        const q = req.MetricDataQueries!;
        // Per version: raw invocations + errors, their FILLed series, average and p99 duration; plus throttles raw + filled.
        assert.equal(q.length, 6 * n + 2);
        assert.ok(q.length <= 500, 'GetMetricData takes at most 500 queries');
        assert.equal(new Set(q.map((x) => x.Id)).size, q.length, 'ids are unique');
        for (const x of q) assert.match(x.Id!, /^[a-z][a-zA-Z0-9_]*$/, 'CloudWatch ids start with a lowercase letter');
      }
    });

    it('queries the alias Resource with ExecutedVersion, fills absent counts with 0, over the window', () => {
      const req = buildTrafficRequest({ functionName: 'checkout-api', aliasName: 'prod', versions: ['7', '8'], windowMs: 5 * 60_000, periodSeconds: 5, end: END });
      assert.equal((req.EndTime as Date).getTime(), END);
      assert.equal((req.StartTime as Date).getTime(), END - 5 * 60_000);
      const inv8 = req.MetricDataQueries!.find((x) => x.Id === 'ri_8')!;
      assert.deepEqual(inv8.MetricStat!.Metric!.Dimensions, [
        { Name: 'FunctionName', Value: 'checkout-api' },
        { Name: 'Resource', Value: 'checkout-api:prod' },
        { Name: 'ExecutedVersion', Value: '8' },
      ]);
      assert.equal(inv8.MetricStat!.Metric!.Namespace, 'AWS/Lambda');
      assert.equal(inv8.MetricStat!.Stat, 'Sum');
      assert.equal(inv8.MetricStat!.Period, 5);
      assert.equal(inv8.ReturnData, false);
      assert.equal(req.MetricDataQueries!.find((x) => x.Id === 'inv_8')!.Expression, 'FILL(ri_8, 0)');
      assert.equal(req.MetricDataQueries!.find((x) => x.Id === 'err_8')!.Expression, 'FILL(re_8, 0)');
      assert.equal(req.MetricDataQueries!.find((x) => x.Id === 'dp99_7')!.MetricStat!.Stat, 'p99');
      assert.equal(req.MetricDataQueries!.find((x) => x.Id === 'davg_7')!.MetricStat!.Stat, 'Average');
      const thr = req.MetricDataQueries!.find((x) => x.Id === 'rthr')!;
      assert.equal(thr.MetricStat!.Metric!.MetricName, 'Throttles');
      assert.equal(thr.MetricStat!.Metric!.Dimensions!.length, 2, 'throttles are per alias: a throttled call has no executed version');
    });

    it('asks for a period-aligned window ending at the next period boundary, as CloudWatch rounds to periods', () => {
      for (const [windowMin, period] of [
        [5, 5],
        [15, 10],
        [5, 60],
        [60, 60],
        [180, 120],
      ]) {
        for (const late of [0, 1, 4_321, period * 1000 - 1]) {
          const req = buildTrafficRequest({ functionName: 'f', aliasName: 'a', versions: ['1'], windowMs: windowMin * 60_000, periodSeconds: period, end: END + late });
          const start = (req.StartTime as Date).getTime();
          const end = (req.EndTime as Date).getTime();
          const why = `window ${windowMin} min, period ${period} s, ${late} ms past a boundary`;
          assert.equal(start % (period * 1000), 0, `${why}: StartTime is a multiple of the period`);
          assert.equal(end % (period * 1000), 0, `${why}: EndTime is a multiple of the period`);
          assert.equal(end, late === 0 ? END : END + period * 1000, `${why}: the period in progress is the last bucket`);
          assert.equal(end - start, windowMin * 60_000, `${why}: the window keeps its length`);
        }
      }
    });

    it('names each version once even when listed twice', () => {
      const req = buildTrafficRequest({ functionName: 'f', aliasName: 'a', versions: ['3', '3', '4'], windowMs: 60_000, periodSeconds: 60, end: END });
      assert.equal(req.MetricDataQueries!.length, 6 * 2 + 2);
    });
  });

  describe('parseTrafficResults', () => {
    const q = { functionName: 'f', aliasName: 'prod', versions: ['7', '8'], windowMs: 3 * 60_000, periodSeconds: 60, end: END };
    const t = (minAgo: number) => new Date(END - minAgo * 60_000);
    // Newest first, as CloudWatch answers by default: the parser must not rely on the order.
    const results: MetricDataResult[] = [
      { Id: 'inv_7', Timestamps: [t(1), t(2), t(3)], Values: [90, 80, 100] },
      { Id: 'err_7', Timestamps: [t(1), t(2), t(3)], Values: [0, 1, 0] },
      { Id: 'inv_8', Timestamps: [t(1), t(2), t(3)], Values: [10, 20, 0] },
      { Id: 'err_8', Timestamps: [t(1), t(2), t(3)], Values: [3, 0, 0] },
      { Id: 'davg_7', Timestamps: [t(1), t(2), t(3)], Values: [10, 20, 30] },
      { Id: 'dp99_7', Timestamps: [t(1), t(2)], Values: [50, 70] },
      { Id: 'davg_8', Timestamps: [t(1), t(2)], Values: [40, 10] },
      { Id: 'thr', Timestamps: [t(1)], Values: [4] },
    ];
    const r = parseTrafficResults(q, buildTrafficRequest(q), results);

    it('splits the alias invocations per executed version', () => {
      const v7 = r.versions.find((v) => v.version === '7')!;
      const v8 = r.versions.find((v) => v.version === '8')!;
      assert.equal(r.totalInvocations, 300);
      assert.equal(v7.invocations, 270);
      assert.equal(v8.invocations, 30);
      assert.equal(v8.share, 0.1);
      assert.equal(v7.share, 0.9);
      assert.equal(v7.errors, 1);
      assert.equal(v8.errors, 3);
      assert.equal(v8.errorRate, 0.1);
      assert.equal(r.throttles, 4);
    });

    it('weights the average duration by invocations and keeps the worst p99', () => {
      const v7 = r.versions.find((v) => v.version === '7')!;
      assert.equal(v7.durationAvgMs, (10 * 90 + 20 * 80 + 30 * 100) / 270);
      assert.equal(v7.durationP99Ms, 70);
      assert.equal(r.versions.find((v) => v.version === '8')!.durationP99Ms, undefined);
    });

    it('orders each series oldest first and knows the newest point with invocations', () => {
      const v8 = r.versions.find((v) => v.version === '8')!;
      assert.deepEqual(v8.series.map((p) => p.invocations), [0, 20, 10]);
      assert.deepEqual(v8.series.map((p) => p.errors), [0, 0, 3]);
      assert.equal(r.newestPoint, END - 60_000);
    });

    it('reports zeros, not NaN, for a window without invocations', () => {
      const empty = parseTrafficResults(q, buildTrafficRequest(q), []);
      assert.equal(empty.totalInvocations, 0);
      for (const v of empty.versions) assert.deepEqual([v.invocations, v.errors, v.errorRate, v.share], [0, 0, 0, 0]);
      assert.equal(empty.newestPoint, undefined);
    });
  });

  describe('periodFor', () => {
    it('keeps at most ~90 points, in periods CloudWatch accepts', () => {
      assert.equal(periodFor(5, true), 5);
      assert.equal(periodFor(15, true), 10);
      assert.equal(periodFor(60, true), 60);
      assert.equal(periodFor(180, true), 120);
      for (const m of [5, 15, 60, 180]) {
        const p = periodFor(m, false);
        assert.ok(p >= 60 && p % 60 === 0, `AWS period ${p} for ${m} min`);
        assert.ok((m * 60) / p <= 90);
      }
    });
  });

  describe('compareCanary', () => {
    const report = (stable: [number, number], canary: [number, number]): TrafficReport => ({
      functionName: 'f',
      aliasName: 'prod',
      start: 0,
      end: 1,
      periodSeconds: 60,
      totalInvocations: stable[0] + canary[0],
      throttles: 0,
      versions: [
        { version: '7', invocations: stable[0], errors: stable[1], errorRate: stable[0] ? stable[1] / stable[0] : 0, share: 0, series: [] },
        { version: '8', invocations: canary[0], errors: canary[1], errorRate: canary[0] ? canary[1] / canary[0] : 0, share: 0, series: [] },
      ],
    });

    it('flags a canary that clearly fails more often than the stable version', () => {
      const v = compareCanary(report([900, 9], [100, 12]), '7', '8');
      assert.equal(v.kind, 'worse');
      assert.match(v.message, /Canary 8: 12\.0% errors \(12\/100\); stable 7: 1\.0%/);
    });

    it('does not flag a difference chance explains, or an equal rate', () => {
      assert.equal(compareCanary(report([900, 9], [100, 2]), '7', '8').kind, 'ok');
      assert.equal(compareCanary(report([900, 90], [100, 10]), '7', '8').kind, 'ok');
      assert.equal(compareCanary(report([9000, 0], [1000, 1]), '7', '8').kind, 'ok');
    });

    it('says when there is too little canary traffic to judge, and nothing without a canary', () => {
      assert.equal(compareCanary(report([900, 0], [5, 5]), '7', '8').kind, 'insufficient');
      assert.equal(compareCanary(undefined, '7', '8').kind, 'insufficient');
      assert.equal(compareCanary(report([900, 0], [100, 0]), '7', undefined).kind, 'none');
    });
  });

  it('formatAge reads like a person would say it', () => {
    assert.equal(formatAge(4_000), '4 s');
    assert.equal(formatAge(5 * 60_000), '5 min');
    assert.equal(formatAge(125 * 60_000), '2 h 5 min');
    assert.equal(formatAge(-50), '0 s');
  });
});
