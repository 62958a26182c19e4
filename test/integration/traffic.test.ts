/**
 * The traffic generator: steady, bounded invocations of an alias inside the sandbox, checked
 * against the CloudWatch metrics the real SDK client reads back.
 */
import assert from 'node:assert/strict';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { parseTrafficArg, seededRandom, TrafficGenerator, zipFiles } from '../../src/sandbox';
import { ROLE, sleep, useSandbox } from './helpers';

describe('TrafficGenerator', function () {
  this.timeout(20_000);
  const h = useSandbox({ updateDelayMs: 30, maxEnvironmentsPerVersion: 8 });
  const fn = 'traffic-fn';
  const slow = 'traffic-slow';
  const generators: TrafficGenerator[] = [];
  afterEach(() => {
    for (const g of generators.splice(0)) g.stop();
    h().sandbox.setRandom(Math.random);
  });

  before(async () => {
    const { lambda, sandbox } = h();
    const create = async (name: string, src: string) => {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': src }) } }));
      sandbox.settle();
    };
    await create(fn, 'exports.handler = async (e) => ({ v: 1, e });\n');
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => { throw new Error("v2 is broken"); };\n' }) }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
    await create(slow, 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 200)); return 1; };\n');
    await lambda.send(new PublishVersionCommand({ FunctionName: slow }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: slow, Name: 'live', FunctionVersion: '1' }));
  });

  /** Waits until every invocation the generator sent has been answered. */
  async function drained(g: TrafficGenerator, withinMs = 10_000): Promise<ReturnType<TrafficGenerator['snapshot']>[number]> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const s = g.snapshot()[0];
      const answered = Object.values(s.byVersion).reduce((a, r) => a + r.invocations, 0) + s.rejected;
      if (answered === s.sent) return s;
      if (Date.now() > deadline) assert.fail(`${s.sent - answered} invocations never finished`);
      await sleep(20);
    }
  }

  it('at 50/s for ~1.5 s sends about 75 invocations, split by the alias weights, then stops', async () => {
    // Warm environments for both versions first: cold starts on a busy machine would hold back the rate.
    await Promise.all(
      ['1', '2'].flatMap((q) => Array.from({ length: 8 }, () => h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: q, Payload: Buffer.from('{}') })))),
    );
    h().sandbox.setRandom(seededRandom(3));
    const g = new TrafficGenerator(h().sandbox.lambda, [{ functionName: fn, qualifier: 'live', rate: 50, payload: { from: 'test' } }]);
    generators.push(g);
    const started = Date.now();
    g.start();
    g.start(); // idempotent: not twice the rate
    assert.equal(g.running, true);
    await sleep(1500);
    g.stop();
    const elapsed = (Date.now() - started) / 1000;
    assert.equal(g.running, false);
    const s = await drained(g);
    assert.ok(s.sent >= 50 * elapsed * 0.65 && s.sent <= 50 * elapsed + 5, `sent ${s.sent} in ${elapsed.toFixed(2)} s at 50/s`);
    assert.equal(s.rejected, 0);
    assert.deepEqual(Object.keys(s.byVersion).sort(), ['1', '2']);
    assert.equal(s.byVersion['1'].errors, 0);
    assert.equal(s.byVersion['2'].errors, s.byVersion['2'].invocations, 'every call of version 2 fails');
    const share = s.byVersion['2'].invocations / s.sent;
    assert.ok(share > 0.1 && share < 0.5, `version 2 share ${share} for a 0.3 weight`);

    // Stopped means stopped.
    await sleep(300);
    assert.equal(g.snapshot()[0].sent, s.sent);

    // The invocations are real ones: CloudWatch counts them per executed version.
    const dims = (v: string) => [
      { Name: 'FunctionName', Value: fn },
      { Name: 'Resource', Value: `${fn}:live` },
      { Name: 'ExecutedVersion', Value: v },
    ];
    const out = await h().cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(started - 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: ['1', '2'].flatMap((v) => [
          { Id: `i${v}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims(v) }, Period: 60, Stat: 'Sum' } },
          { Id: `e${v}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dims(v) }, Period: 60, Stat: 'Sum' } },
        ]),
      }),
    );
    const sum = (id: string) => (out.MetricDataResults ?? []).find((r) => r.Id === id)!.Values!.reduce((a, b) => a + b, 0);
    assert.equal(sum('i1'), s.byVersion['1'].invocations);
    assert.equal(sum('i2'), s.byVersion['2'].invocations);
    assert.equal(sum('e2'), s.byVersion['2'].errors);
    assert.equal(sum('e1'), 0);
  });

  it('never has more than 32 invocations of a slow target in flight', async () => {
    const g = new TrafficGenerator(h().sandbox.lambda, [{ functionName: slow, qualifier: 'live', rate: 400 }]);
    generators.push(g);
    g.start();
    await sleep(400);
    g.stop();
    const s = g.snapshot()[0];
    // Unbounded, 400/s would send ~160; with 8 environments × 200 ms, at most ~16 finish meanwhile.
    assert.ok(s.sent >= 32 && s.sent <= 32 + 24, `sent ${s.sent}`);
    const done = await drained(g);
    assert.equal(done.byVersion['1'].invocations, done.sent);
  });

  it('counts refused invocations and reports the first one', async () => {
    const messages: string[] = [];
    const g = new TrafficGenerator(h().sandbox.lambda, [{ functionName: fn, qualifier: 'missing', rate: 40 }], (t, m) => messages.push(`${t.qualifier}: ${m}`));
    generators.push(g);
    g.start();
    await sleep(400);
    g.stop();
    const s = await drained(g);
    assert.ok(s.sent >= 5, `sent ${s.sent}`);
    assert.equal(s.rejected, s.sent);
    assert.deepEqual(s.byVersion, {});
    assert.equal(messages.length, 1, 'reported once, not per call');
    assert.match(messages[0], /^missing: ResourceNotFoundException: Alias not found/);
  });

  it('refuses rates outside (0, 1000] per second', () => {
    for (const rate of [0, -1, 1001, Number.NaN]) {
      assert.throws(() => new TrafficGenerator(h().sandbox.lambda, [{ functionName: fn, qualifier: 'live', rate }]), /traffic rate/);
    }
  });

  it('parseTrafficArg reads FUNCTION:ALIAS=RATE', () => {
    assert.deepEqual(parseTrafficArg('checkout-api:prod=20'), { functionName: 'checkout-api', qualifier: 'prod', rate: 20 });
    assert.deepEqual(parseTrafficArg('fn_1:$LATEST=0.5'), { functionName: 'fn_1', qualifier: '$LATEST', rate: 0.5 });
    for (const bad of ['checkout-api', 'checkout-api:prod', 'checkout-api=5', ':prod=1', 'fn:prod=-1', 'fn:prod=fast']) {
      assert.throws(() => parseTrafficArg(bad), /--traffic expects/, bad);
    }
  });
});
