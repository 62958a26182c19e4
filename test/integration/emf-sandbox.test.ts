/**
 * A function's Embedded Metric Format records become CloudWatch metrics in the sandbox, as
 * Lambda's logs make them on AWS: read back with the real SDK's GetMetricData and ListMetrics.
 */
import assert from 'node:assert/strict';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/sandbox';
import { ROLE, useSandbox } from './helpers';

const CODE = `exports.handler = async (e) => {
  const record = (n) => ({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'Shop/Orders', Dimensions: [['Shop']], Metrics: [{ Name: 'Orders', Unit: 'Count' }] }] }, Shop: e.shop, Orders: n });
  process.stdout.write(JSON.stringify(record(e.n)) + '\\n');
  console.log(JSON.stringify(record(1)));
  // Not records: ignored.
  console.log('orders:', JSON.stringify(record(1000)));
  process.stdout.write(JSON.stringify({ ...record(1000), Shop: 42 }) + '\\n');
  return 'ok';
};
`;

describe('Embedded Metric Format in the sandbox (real SDK)', function () {
  this.timeout(30_000);
  const h = useSandbox();

  it('turns the records a function prints into metrics that GetMetricData and ListMetrics answer for', async () => {
    await h().lambda.send(new CreateFunctionCommand({ FunctionName: 'emf-fn', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': CODE }) } }));
    h().sandbox.settle();
    const t0 = Date.now();
    for (const [shop, n] of [['north', 2], ['north', 3], ['south', 5]] as const) {
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: 'emf-fn', Payload: Buffer.from(JSON.stringify({ shop, n })) }));
      assert.equal(out.FunctionError, undefined);
    }
    const stat = (Id: string, shop: string, Stat: string) => ({
      Id,
      MetricStat: { Metric: { Namespace: 'Shop/Orders', MetricName: 'Orders', Dimensions: [{ Name: 'Shop', Value: shop }] }, Period: 60, Stat },
    });
    const out = await h().cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0 - 120_000),
        EndTime: new Date(t0 + 120_000),
        MetricDataQueries: [stat('north', 'north', 'Sum'), stat('south', 'south', 'Sum'), stat('count', 'north', 'SampleCount'), stat('none', 'west', 'Sum')],
      }),
    );
    const sum = (id: string) => (out.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);
    // north: 2 + 3 printed, 1 + 1 logged; the line with a prefix of its own and the one with a numeric dimension publish nothing.
    assert.deepEqual([sum('north'), sum('south'), sum('count'), sum('none')], [7, 6, 4, 0]);
    const listed = await h().cloudwatch.send(new ListMetricsCommand({ Namespace: 'Shop/Orders' }));
    assert.deepEqual(listed.Metrics?.map((m) => m.Dimensions?.map((d) => d.Value).join()).sort(), ['north', 'south']);
  });
});
