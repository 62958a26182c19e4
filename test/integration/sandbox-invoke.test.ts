import assert from 'node:assert/strict';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { buildTrafficRequest, fetchTraffic, probeAlias } from '../../src/core/traffic';
import { seededRandom, TrafficGenerator, zipFiles } from '../../src/sandbox';
import { ROLE, sleep, useSandbox } from './helpers';

const fast = { maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 };
const text = (p?: Uint8Array) => (p ? Buffer.from(p).toString('utf8') : '');

async function create(lambda: LambdaClient, name: string, files: Record<string, string>, extra: Record<string, unknown> = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles(files) }, ...extra }));
  await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: name });
}

async function invoke(lambda: LambdaClient, name: string, payload: unknown = {}, qualifier?: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from(JSON.stringify(payload)) }));
  return { ...out, body: text(out.Payload) };
}

describe('sandbox: Invoke runs real handlers', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 20 });

  it('runs CommonJS async, callback style, ESM and nested handlers with Lambda context', async () => {
    const { lambda } = h();
    await create(lambda, 'cjs', { 'index.js': 'exports.handler = async (e, ctx) => ({ echo: e.x, fn: ctx.functionName, v: ctx.functionVersion, mem: ctx.memoryLimitInMB, left: ctx.getRemainingTimeInMillis() > 0 });' });
    assert.deepEqual(JSON.parse((await invoke(lambda, 'cjs', { x: 42 })).body), { echo: 42, fn: 'cjs', v: '$LATEST', mem: '128', left: true });
    await create(lambda, 'cb', { 'index.js': 'exports.handler = function (e, ctx, cb) { setTimeout(() => cb(null, { cb: true }), 5); };' });
    assert.deepEqual(JSON.parse((await invoke(lambda, 'cb')).body), { cb: true });
    await create(lambda, 'esm', { 'index.mjs': 'export const handler = async () => ({ esm: typeof require });' });
    assert.deepEqual(JSON.parse((await invoke(lambda, 'esm')).body), { esm: 'undefined' });
    await create(lambda, 'nested', { 'src/app.js': 'exports.lambdaHandler = async () => "nested";' }, { Handler: 'src/app.lambdaHandler' });
    assert.equal((await invoke(lambda, 'nested')).body, '"nested"');
  });

  it('gives handlers their own environment, never the host\'s', async () => {
    const { lambda } = h();
    process.env.LAMBDA_CANARY_HOST_SECRET = 'do-not-leak';
    await create(lambda, 'env', { 'index.js': 'exports.handler = async () => ({ secret: process.env.LAMBDA_CANARY_HOST_SECRET ?? null, stage: process.env.STAGE, name: process.env.AWS_LAMBDA_FUNCTION_NAME });' }, { Environment: { Variables: { STAGE: 'beta' } } });
    assert.deepEqual(JSON.parse((await invoke(lambda, 'env')).body), { secret: null, stage: 'beta', name: 'env' });
    delete process.env.LAMBDA_CANARY_HOST_SECRET;
  });

  it('reports handler errors, missing modules and timeouts the way Lambda does', async () => {
    const { lambda } = h();
    await create(lambda, 'throws', { 'index.js': 'exports.handler = async () => { throw new TypeError("bad input"); };' });
    const err = await invoke(lambda, 'throws');
    assert.equal(err.StatusCode, 200);
    assert.equal(err.FunctionError, 'Unhandled');
    const payload = JSON.parse(err.body);
    assert.equal(payload.errorType, 'TypeError');
    assert.equal(payload.errorMessage, 'bad input');
    assert.ok(Array.isArray(payload.trace));
    await create(lambda, 'nomodule', { 'other.js': '' });
    assert.equal(JSON.parse((await invoke(lambda, 'nomodule')).body).errorType, 'Runtime.ImportModuleError');
    await create(lambda, 'noexport', { 'index.js': 'exports.other = 1;' });
    assert.equal(JSON.parse((await invoke(lambda, 'noexport')).body).errorType, 'Runtime.HandlerNotFound');
    await create(lambda, 'slow', { 'index.js': 'exports.handler = async (e) => { if (e.wait) await new Promise((r) => setTimeout(r, 3000)); return "ok"; };' }, { Timeout: 1 });
    const t0 = Date.now();
    const slow = await invoke(lambda, 'slow', { wait: true });
    assert.equal(slow.FunctionError, 'Unhandled');
    assert.match(slow.body, /Task timed out after 1\.00 seconds/);
    assert.ok(Date.now() - t0 < 2500);
    assert.equal((await invoke(lambda, 'slow', { wait: false })).body, '"ok"', 'a fresh environment serves the next call');
  });

  it('runs each version from its own code, kept warm per version', async () => {
    const { lambda } = h();
    const src = (tag: string) => `let calls = 0;\nexports.handler = async () => ({ tag: '${tag}', calls: ++calls });`;
    await create(lambda, 'versions', { 'index.js': src('one') });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'versions' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'versions', ZipFile: zipFiles({ 'index.js': src('two') }) }));
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'versions' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'versions' }));
    h().sandbox.settle();
    assert.deepEqual(JSON.parse((await invoke(lambda, 'versions', {}, '1')).body), { tag: 'one', calls: 1 });
    assert.deepEqual(JSON.parse((await invoke(lambda, 'versions', {}, '1')).body), { tag: 'one', calls: 2 });
    assert.deepEqual(JSON.parse((await invoke(lambda, 'versions', {}, '2')).body), { tag: 'two', calls: 1 });
  });

  it('shuts down the warm environments of a deleted version, and of a deleted function', async () => {
    const { lambda, sandbox } = h();
    const src = (tag: string) => `exports.handler = async () => '${tag}';`;
    await create(lambda, 'retired', { 'index.js': src('one') });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'retired' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'retired', ZipFile: zipFiles({ 'index.js': src('two') }) }));
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'retired' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'retired' }));
    sandbox.settle();
    const before = sandbox.invoker.environmentCount();
    assert.equal((await invoke(lambda, 'retired', {}, '1')).body, '"one"');
    assert.equal((await invoke(lambda, 'retired', {}, '2')).body, '"two"');
    assert.equal(sandbox.invoker.environmentCount(), before + 2);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'retired', Qualifier: '1' }));
    assert.equal(sandbox.invoker.environmentCount(), before + 1, "version 1's environment is gone, version 2's stays warm");
    assert.equal((await invoke(lambda, 'retired', {}, '2')).body, '"two"');
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'retired' }));
    assert.equal(sandbox.invoker.environmentCount(), before, 'none of the deleted function is kept warm');
  });

  describe('weighted aliases and metrics', () => {
    before(async () => {
      const { lambda } = h();
      // Version 2 fails on every event whose i is a multiple of 7.
      await create(lambda, 'split', { 'index.js': 'exports.handler = async () => "v1";' });
      await lambda.send(new PublishVersionCommand({ FunctionName: 'split' }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'split', ZipFile: zipFiles({ 'index.js': 'exports.handler = async (e) => { if (e.i % 7 === 0) throw new Error("seven"); return "v2"; };' }) }));
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'split' });
      await lambda.send(new PublishVersionCommand({ FunctionName: 'split' }));
      h().sandbox.settle();
      await lambda.send(new CreateAliasCommand({ FunctionName: 'split', Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
    });

    it('routes 2,000 invocations within ±3 points of the weight, and GetMetricData counts them exactly', async () => {
      const { lambda, cloudwatch, sandbox } = h();
      sandbox.setRandom(seededRandom(2024));
      const start = Date.now() - 1000;
      const counts: Record<string, number> = {};
      const errors: Record<string, number> = {};
      const N = 2000;
      for (let batch = 0; batch < N; batch += 50) {
        const outs = await Promise.all(Array.from({ length: 50 }, (_, k) => invoke(lambda, 'split', { i: batch + k }, 'prod')));
        for (const o of outs) {
          counts[o.ExecutedVersion!] = (counts[o.ExecutedVersion!] ?? 0) + 1;
          if (o.FunctionError) errors[o.ExecutedVersion!] = (errors[o.ExecutedVersion!] ?? 0) + 1;
        }
      }
      assert.equal(counts['1'] + counts['2'], N);
      const share = counts['2'] / N;
      assert.ok(Math.abs(share - 0.2) <= 0.03, `observed ${(share * 100).toFixed(1)}% on version 2`);
      assert.ok(errors['2'] > 0 && errors['1'] === undefined);

      const dims = (v: string) => [
        { Name: 'FunctionName', Value: 'split' },
        { Name: 'Resource', Value: 'split:prod' },
        { Name: 'ExecutedVersion', Value: v },
      ];
      const m = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          // CloudWatch rounds EndTime down to the minute: a minute ahead keeps this minute's calls in.
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: ['1', '2'].flatMap((v) => [
            { Id: `inv${v}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims(v) }, Period: 60, Stat: 'Sum' } },
            { Id: `err${v}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dims(v) }, Period: 60, Stat: 'Sum' } },
          ]),
        }),
      );
      const sum = (id: string) => (m.MetricDataResults!.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);
      assert.equal(sum('inv1'), counts['1']);
      assert.equal(sum('inv2'), counts['2']);
      assert.equal(sum('err1'), 0);
      assert.equal(sum('err2'), errors['2']);

      // The traffic panel's data layer reads the same numbers in one request.
      const report = await fetchTraffic(cloudwatch, { functionName: 'split', aliasName: 'prod', versions: ['1', '2'], windowMs: 5 * 60_000, periodSeconds: 10 });
      assert.equal(report.totalInvocations, N);
      assert.equal(report.versions.find((v) => v.version === '2')?.errors, errors['2']);
      assert.equal(buildTrafficRequest({ functionName: 'split', aliasName: 'prod', versions: ['1', '2', '3'], windowMs: 60_000, periodSeconds: 60 }).MetricDataQueries?.length, 3 * 6 + 2);

      const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'ExecutedVersion' }] }));
      assert.deepEqual(listed.Metrics?.map((x) => x.Dimensions?.find((d) => d.Name === 'ExecutedVersion')?.Value).sort(), ['1', '2']);
    });

    it('probes an alias and the traffic generator drives it at a bounded rate', async () => {
      const { lambda, sandbox } = h();
      const probe = await probeAlias(lambda, { functionName: 'split', aliasName: 'prod', count: 500, ratePerSecond: 1000, payload: { i: 1 } });
      assert.equal(probe.sent, 500);
      const v2 = probe.byVersion['2']?.invocations ?? 0;
      assert.ok(Math.abs(v2 / 500 - 0.2) <= 0.05, `probe saw ${v2} of 500 on version 2`);
      const gen = new TrafficGenerator(sandbox.lambda, [{ functionName: 'split', qualifier: 'prod', rate: 40 }]);
      gen.start();
      await sleep(1000);
      gen.stop();
      const [stats] = gen.snapshot();
      assert.ok(stats.sent >= 25 && stats.sent <= 50, `sent ${stats.sent} in 1 s at 40/s`);
    });
  });
});
