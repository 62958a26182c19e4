/**
 * The sandbox's per-version behaviour (a version failing a share of its invocations, or slower)
 * and CloudWatch's delivery lag, driven with the real SDK v3 clients over HTTP.
 */
import assert from 'node:assert/strict';
import type { Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { seededRandom, startSandbox, TrafficGenerator } from '../../src/sandbox';
import { sdkFetch, sdkHeaders, sleep, useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

const JSON_CT = { 'content-type': 'application/json' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const SEED = 7;

function stat(Id: string, MetricName: string, Stat: string, Dimensions: Dimension[]): MetricDataQuery {
  return { Id, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions }, Period: 60, Stat } };
}

const sum = (values: number[] | undefined): number => (values ?? []).reduce((a, b) => a + b, 0);

describe('sandbox per-version errors and latency (real SDK)', function () {
  this.timeout(60_000);
  const h = useSandbox({ randomSeed: SEED, admin: true, versionBehaviour: [{ functionName: 'vb', version: '2', errorRate: 0.5 }] });
  const fnDims: Dimension[] = [{ Name: 'FunctionName', Value: 'vb' }];
  const aliasDims: Dimension[] = [...fnDims, { Name: 'Resource', Value: 'vb:live' }];
  const window = () => ({ StartTime: new Date(Date.now() - 10 * 60_000), EndTime: new Date(Date.now() + 60_000) });
  const invoke = async (Qualifier: string) => {
    const out = await h().lambda.send(new InvokeCommand({ FunctionName: 'vb', Qualifier, Payload: Buffer.from('{}') }));
    return { version: out.ExecutedVersion!, error: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as Record<string, unknown> };
  };
  const putVersion = (spec: unknown) => sdkFetch(h().sandbox, '/_sandbox/versions', { method: 'PUT', headers: JSON_CT, body: JSON.stringify(spec) });

  before(async () => {
    const { lambda } = h();
    await createFn(lambda, 'vb');
    assert.equal(await publish(lambda, 'vb', 'one'), '1');
    assert.equal(await publish(lambda, 'vb', 'two'), '2');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'vb', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
  });

  it('a version with errors 0.5 fails about half its invocations through the alias, exactly as seeded; Errors by ExecutedVersion matches', async () => {
    const N = 200;
    const seen: Record<string, { invocations: number; errors: number }> = { '1': { invocations: 0, errors: 0 }, '2': { invocations: 0, errors: 0 } };
    const failed: boolean[] = [];
    for (let i = 0; i < N; i++) {
      const r = await invoke('live');
      const row = seen[r.version];
      row.invocations++;
      if (r.error) {
        row.errors++;
        assert.equal(r.version, '2', 'only version 2 fails');
        assert.equal(r.error, 'Unhandled');
        assert.equal(r.payload.errorType, 'Sandbox.InjectedError');
        assert.match(String(r.payload.errorMessage), /version 2 of vb/);
      } else {
        // The handler ran for the other share.
        assert.deepEqual(r.payload, { tag: r.version === '1' ? 'one' : 'two' });
      }
      if (r.version === '2') failed.push(Boolean(r.error));
    }
    // The same draws as the sandbox's: routing from the seed, failures from a stream of their own.
    const routing = seededRandom(SEED);
    const failures = seededRandom((SEED ^ 0x5bd1e995) >>> 0);
    const expected: boolean[] = [];
    for (let i = 0; i < N; i++) if (routing() < 0.5) expected.push(failures() < 0.5);
    assert.deepEqual(failed, expected, 'the seeded sandbox fails exactly the predicted invocations');
    assert.equal(seen['1'].errors, 0);
    const share = seen['2'].errors / seen['2'].invocations;
    assert.ok(share > 0.3 && share < 0.7, `about half of version 2 failed: ${seen['2'].errors}/${seen['2'].invocations}`);

    const out = await h().cloudwatch.send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [
          stat('e2', 'Errors', 'Sum', [...aliasDims, { Name: 'ExecutedVersion', Value: '2' }]),
          stat('i2', 'Invocations', 'Sum', [...aliasDims, { Name: 'ExecutedVersion', Value: '2' }]),
          stat('e1', 'Errors', 'Sum', [...aliasDims, { Name: 'ExecutedVersion', Value: '1' }]),
          stat('i1', 'Invocations', 'Sum', [...aliasDims, { Name: 'ExecutedVersion', Value: '1' }]),
        ],
      }),
    );
    const by = new Map((out.MetricDataResults ?? []).map((r) => [r.Id!, sum(r.Values)]));
    assert.equal(by.get('e2'), seen['2'].errors);
    assert.equal(by.get('i2'), seen['2'].invocations);
    assert.equal(by.get('e1'), 0);
    assert.equal(by.get('i1'), seen['1'].invocations);
  });

  it('added latency is really waited and appears in Duration', async () => {
    const put = await putVersion({ functionName: 'vb', version: '1', latencyMs: 150 });
    assert.equal(put.status, 200, await put.text());
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const r = await invoke('1');
      assert.equal(r.error, undefined);
      assert.ok(performance.now() - started >= 150, 'the reply came after the added latency');
    }
    const out = await h().cloudwatch.send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [stat('min', 'Duration', 'Minimum', [...fnDims, { Name: 'Resource', Value: 'vb:1' }]), stat('n', 'Invocations', 'Sum', [...fnDims, { Name: 'Resource', Value: 'vb:1' }])],
      }),
    );
    const by = new Map((out.MetricDataResults ?? []).map((r) => [r.Id!, r.Values ?? []]));
    assert.equal(sum(by.get('n')), 3);
    assert.ok(Math.min(...by.get('min')!) >= 150, `Duration Minimum ${String(by.get('min'))} includes the 150 ms`);
  });

  it('the admin endpoint lists, sets and clears; bad specs are 400 and change nothing', async () => {
    const list = async () => ((await (await sdkFetch(h().sandbox, '/_sandbox/versions')).json()) as { versions: unknown[] }).versions;
    assert.deepEqual(await list(), [
      { functionName: 'vb', version: '2', errorRate: 0.5, latencyMs: 0 },
      { functionName: 'vb', version: '1', errorRate: 0, latencyMs: 150 },
    ]);
    for (const [spec, re] of [
      [{ functionName: 'vb', version: 'live', errorRate: 0.1 }, /version must be a published version number/],
      [{ functionName: 'vb', version: '$LATEST', errorRate: 0.1 }, /version must be a published version number/],
      [{ functionName: 'vb', version: '1', errorRate: 1.5 }, /errorRate must be a share of invocations in \[0, 1\]/],
      [{ functionName: 'vb', version: '1', errorRate: '0.5' }, /errorRate must be/],
      [{ functionName: 'vb', version: '1', latencyMs: -1 }, /latencyMs must be milliseconds/],
      [{ version: '1', errorRate: 0.1 }, /functionName must be a function name/],
    ] as const) {
      const r = await putVersion(spec);
      const text = await r.text();
      assert.equal(r.status, 400, JSON.stringify(spec));
      assert.match(text, re);
    }
    assert.equal((await list()).length, 2, 'a refused spec changed nothing');

    assert.equal((await putVersion({ functionName: 'vb', version: '1', errorRate: 1, latencyMs: 0 })).status, 200);
    const failing = await invoke('1');
    assert.equal(failing.error, 'Unhandled');
    const one = await sdkFetch(h().sandbox, '/_sandbox/versions', { method: 'DELETE', headers: JSON_CT, body: JSON.stringify({ functionName: 'vb', version: '1' }) });
    assert.deepEqual(((await one.json()) as { versions: unknown[] }).versions, [{ functionName: 'vb', version: '2', errorRate: 0.5, latencyMs: 0 }]);
    assert.equal((await invoke('1')).error, undefined);
    const all = await sdkFetch(h().sandbox, '/_sandbox/versions', { method: 'DELETE' });
    assert.equal(all.status, 200);
    assert.deepEqual(await list(), []);
    for (let i = 0; i < 20; i++) assert.equal((await invoke('2')).error, undefined, 'version 2 no longer fails');
  });

  it("the traffic generator's invocations fail as anyone's do", async () => {
    const { sandbox } = h();
    sandbox.versionBehaviour.set({ functionName: 'vb', version: '2', errorRate: 1 });
    const traffic = new TrafficGenerator(sandbox.lambda, [{ functionName: 'vb', qualifier: 'live', rate: 100 }]);
    traffic.start();
    try {
      const deadline = Date.now() + 10_000;
      while ((traffic.snapshot()[0].byVersion['2']?.invocations ?? 0) < 5 && Date.now() < deadline) await sleep(50);
    } finally {
      traffic.stop();
    }
    await sleep(200);
    const { byVersion, rejected } = traffic.snapshot()[0];
    assert.equal(rejected, 0);
    assert.ok(byVersion['2'].invocations >= 5, JSON.stringify(byVersion));
    assert.equal(byVersion['2'].errors, byVersion['2'].invocations, 'every invocation of version 2 failed');
    assert.equal(byVersion['1']?.errors ?? 0, 0);
    sandbox.versionBehaviour.clear();
  });

  it('startSandbox refuses bad values before starting', async () => {
    for (const [opts, re] of [
      [{ versionBehaviour: [{ functionName: 'f', version: 'prod', errorRate: 0.1 }] }, /version must be a published version number/],
      [{ versionBehaviour: [{ functionName: 'f', version: '3', errorRate: -0.1 }] }, /errorRate must be a share of invocations in \[0, 1\]/],
      [{ versionBehaviour: [{ functionName: 'f', version: '3', latencyMs: Number.NaN }] }, /latencyMs must be milliseconds/],
      [{ metricLagSeconds: -1 }, /metric lag must be seconds in \[0, 86400\]/],
    ] as const) {
      await assert.rejects(startSandbox(opts as Parameters<typeof startSandbox>[0]), re);
    }
  });
});

describe('sandbox metric lag (real SDK, both CloudWatch protocols)', function () {
  this.timeout(30_000);
  const h = useSandbox({ metricLagSeconds: 1.5, admin: true });
  const dims: Dimension[] = [{ Name: 'FunctionName', Value: 'lagged' }];
  const invocations = async (): Promise<number> => {
    const out = await h().cloudwatch.send(
      new GetMetricDataCommand({ StartTime: new Date(Date.now() - 10 * 60_000), EndTime: new Date(Date.now() + 60_000), MetricDataQueries: [stat('n', 'Invocations', 'Sum', dims)] }),
    );
    return sum(out.MetricDataResults?.[0]?.Values);
  };
  const listed = async (): Promise<number> => (await h().cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', Dimensions: dims }))).Metrics?.length ?? 0;
  const queryListed = async (): Promise<boolean> => {
    const body = new URLSearchParams({ Action: 'ListMetrics', Version: '2010-08-01', Namespace: 'AWS/Lambda', 'Dimensions.member.1.Name': 'FunctionName', 'Dimensions.member.1.Value': 'lagged' });
    const res = await sdkFetch(h().sandbox, '/', { method: 'POST', headers: { ...sdkHeaders(h().sandbox, 'monitoring'), ...FORM }, body: body.toString() });
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    return xml.includes('<Value>lagged</Value>');
  };
  const putLag = (seconds: unknown) => sdkFetch(h().sandbox, '/_sandbox/metric-lag', { method: 'PUT', headers: JSON_CT, body: JSON.stringify({ seconds }) });

  it('hides datapoints younger than the lag, then shows them; the admin endpoint changes it', async () => {
    const { lambda } = h();
    await createFn(lambda, 'lagged');
    for (let i = 0; i < 5; i++) await lambda.send(new InvokeCommand({ FunctionName: 'lagged', Payload: Buffer.from('{}') }));
    assert.equal(await invocations(), 0, 'GetMetricData sees nothing yet');
    assert.equal(await listed(), 0, 'ListMetrics lists nothing yet');
    assert.equal(await queryListed(), false, 'nor does the Query protocol');
    await sleep(1600);
    assert.equal(await invocations(), 5);
    assert.equal(await listed(), 4, 'Invocations, Errors, Duration, Throttles');
    assert.equal(await queryListed(), true);

    for (const bad of [-1, 'x', 86_401]) {
      const r = await putLag(bad);
      assert.equal(r.status, 400, String(bad));
      assert.match(await r.text(), /metric lag must be seconds in \[0, 86400\]/);
    }
    assert.equal((await putLag(3600)).status, 200);
    assert.equal(await invocations(), 0, 'an hour of lag hides them again');
    assert.equal((await putLag(0)).status, 200);
    assert.equal(await invocations(), 5);
  });
});
