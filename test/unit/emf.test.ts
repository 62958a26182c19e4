import assert from 'node:assert/strict';
import { EMF_LIMITS, emfData, parseEmfRecord } from '../../src/sandbox/emf';
import { CustomMetrics, MetricsStore } from '../../src/sandbox/metrics';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);

/** A valid record: one directive, the router's shape. */
function record(extra: Record<string, unknown> = {}, directive: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: NOW,
      CloudWatchMetrics: [{ Namespace: 'LambdaCanary/Router', Dimensions: [['Router', 'Route']], Metrics: [{ Name: 'Requests', Unit: 'Count' }], ...directive }],
    },
    Router: 'shop-router:prod',
    Route: 'canary',
    Requests: 1,
    ...extra,
  };
}
const line = (o: unknown) => JSON.stringify(o);

describe('Embedded Metric Format (the sandbox reads a function log as CloudWatch does)', () => {
  it('publishes each metric of a valid record under each of its dimension sets', () => {
    const data = parseEmfRecord(line(record({ Latency: [3, 4] }, { Dimensions: [['Router', 'Route'], ['Router']], Metrics: [{ Name: 'Requests', Unit: 'Count' }, { Name: 'Latency' }] })), NOW);
    assert.deepEqual(
      data?.map((d) => [d.metric, d.dims.map((x) => `${x.Name}=${x.Value}`).join(','), d.value, d.unit]),
      [
        ['Requests', 'Router=shop-router:prod,Route=canary', 1, 'Count'],
        ['Requests', 'Router=shop-router:prod', 1, 'Count'],
        ['Latency', 'Router=shop-router:prod,Route=canary', 3, undefined],
        ['Latency', 'Router=shop-router:prod,Route=canary', 4, undefined],
        ['Latency', 'Router=shop-router:prod', 3, undefined],
        ['Latency', 'Router=shop-router:prod', 4, undefined],
      ],
    );
    assert.ok(data!.every((d) => d.namespace === 'LambdaCanary/Router' && d.time === NOW));
  });

  it('reads a record after the Node.js runtime console prefix, as console.log writes it', () => {
    const data = parseEmfRecord(`2026-01-10T12:00:00.000Z\t6f1c0d3e-0000-4000-8000-000000000000\tINFO\t${line(record())}`, NOW);
    assert.equal(data?.length, 1);
  });

  it('ignores a record that breaks any rule of the specification', () => {
    const bad: Array<[string, string]> = [
      ['not JSON', `${line(record()).slice(0, -1)}`],
      ['text after the object', `${line(record())} trailing`],
      ['text before it', `note: ${line(record())}`],
      ['no _aws', line({ Requests: 1 })],
      ['a timestamp as a string', line({ ...record(), _aws: { ...(record()._aws as object), Timestamp: String(NOW) } })],
      ['a timestamp 15 days old', line({ ...record(), _aws: { ...(record()._aws as object), Timestamp: NOW - 15 * 86_400_000 } })],
      ['a timestamp 3 hours ahead', line({ ...record(), _aws: { ...(record()._aws as object), Timestamp: NOW + 3 * 3_600_000 } })],
      ['a dimension without its member', line(record({ Route: undefined }))],
      ['a dimension that is a number', line(record({ Route: 7 }))],
      ['an empty dimension value', line(record({ Route: '' }))],
      ['a dimension value with a control character', line(record({ Route: 'can\u0007ary' }))],
      ['a metric value that is a string', line(record({ Requests: '1' }))],
      ['a metric without its member', line(record({ Requests: undefined }))],
      ['an unknown unit', line(record({}, { Metrics: [{ Name: 'Requests', Unit: 'Parsecs' }] }))],
      ['a storage resolution of 5', line(record({}, { Metrics: [{ Name: 'Requests', StorageResolution: 5 }] }))],
      ['an AWS/ namespace', line(record({}, { Namespace: 'AWS/Lambda' }))],
      ['an empty namespace', line(record({}, { Namespace: '' }))],
      ['Dimensions not a list', line(record({}, { Dimensions: 'Router' }))],
      ['101 metrics', line(record(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}`, 1])), { Metrics: Array.from({ length: 101 }, (_, i) => ({ Name: `m${i}` })) }))],
      ['101 values of a metric', line(record({ Requests: Array.from({ length: 101 }, () => 1) }))],
      ['31 dimensions in a set', line(record(Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'x'])), { Dimensions: [Array.from({ length: 31 }, (_, i) => `d${i}`)] }))],
      ['a dimension inherited from Object.prototype', line(record({}, { Dimensions: [['toString']] }))],
    ];
    for (const [why, text] of bad) assert.equal(parseEmfRecord(text, NOW), undefined, why);
  });

  it('is bounded against hostile output: records per invocation, data per invocation, line size', () => {
    const many = Array.from({ length: EMF_LIMITS.recordsPerInvocation + 50 }, () => line(record()));
    assert.equal(emfData(many, NOW).length, EMF_LIMITS.recordsPerInvocation);
    const wide = record(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, Array.from({ length: 100 }, () => 1)])), { Metrics: Array.from({ length: 100 }, (_, i) => ({ Name: `m${i}` })) });
    // One record of 10,000 values is over what an invocation may publish: it and what follows are ignored.
    assert.equal(emfData([line(wide), line(record())], NOW).length, 0);
    assert.equal(parseEmfRecord(line(record({ pad: 'x'.repeat(EMF_LIMITS.lineChars) })), NOW), undefined);
  });

  it('keeps custom metrics bounded: at most maxValues values (oldest dropped) and maxSeries series', () => {
    const store = new CustomMetrics(100, 3);
    for (let i = 0; i < 500; i++) store.record({ namespace: 'N', metric: `m${i % 5}`, dims: [], time: NOW + i, value: i });
    assert.equal(store.size, 100);
    assert.equal(store.seriesCount, 3);
  });

  it('answers GetMetricData for a custom namespace like AWS/Lambda: Sum per period, Unit checked', () => {
    const store = new MetricsStore();
    for (const d of emfData([line(record()), line(record()), line(record({ Route: 'stable' })), line(record({ Requests: 5 }))], NOW)) store.custom.record(d);
    const q = (Route: string, Unit?: string) => ({
      Id: `m${Route}${Unit ?? ''}`.replace(/[^a-zA-Z0-9]/g, ''),
      MetricStat: {
        Metric: { Namespace: 'LambdaCanary/Router', MetricName: 'Requests', Dimensions: [{ Name: 'Route', Value: Route }, { Name: 'Router', Value: 'shop-router:prod' }] },
        Period: 60,
        Stat: 'Sum',
        ...(Unit ? { Unit } : {}),
      },
    });
    const out = store.getMetricData({ StartTime: new Date(NOW - 60_000), EndTime: new Date(NOW + 60_000), MetricDataQueries: [q('canary'), q('stable'), q('canary', 'Seconds')] }, NOW + 1000) as {
      MetricDataResults: Array<{ Id: string; Values: number[]; Timestamps: number[] }>;
    };
    assert.deepEqual(
      out.MetricDataResults.map((r) => [r.Id, r.Values]),
      [
        ['mcanary', [7]],
        ['mstable', [1]],
        ['mcanarySeconds', []],
      ],
    );
    const listed = store.listMetrics({ Namespace: 'LambdaCanary/Router' }, NOW + 1000) as { Metrics: unknown[] };
    assert.equal(listed.Metrics.length, 2);
  });
});
