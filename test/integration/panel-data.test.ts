/**
 * The traffic panel's data layer (src/core/traffic.ts) against the sandbox through the real SDK:
 * what it reports for an alias driven by live traffic at a 20 % canary must match what the
 * sandbox actually routed and recorded, in one GetMetricData request per refresh.
 */
import assert from 'node:assert/strict';
import type { MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import type { TrafficReport } from '../../src/core/traffic';
import { fetchTraffic, probeAlias } from '../../src/core/traffic';
import { seededRandom, TrafficGenerator, zipFiles } from '../../src/sandbox';
import { periodFor } from '../../src/shared/traffic';
import { ROLE, sleep, useSandbox } from './helpers';

const FN = 'panel-fn';
// Version 1 never fails; version 2 fails on every 4th call an environment serves (a module-level counter).
const V1 = 'exports.handler = async () => ({ v: 1 });\n';
const V2 = 'let n = 0;\nexports.handler = async () => { if (++n % 4 === 0) throw new Error("every fourth"); return { v: 2 }; };\n';

describe('traffic panel data layer against the sandbox (real SDK)', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 0 });

  before(async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': V1 }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': V2 }) }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
    sandbox.setRandom(seededRandom(20261126));
  });

  /** Counts the GetMetricData requests the data layer makes. */
  function counting(): { cloudwatch: { send: (cmd: GetMetricDataCommand) => Promise<{ MetricDataResults?: MetricDataResult[]; NextToken?: string }> }; calls: () => number } {
    let calls = 0;
    const real = h().cloudwatch;
    return {
      cloudwatch: {
        send: (cmd) => {
          calls++;
          return real.send(cmd);
        },
      },
      calls: () => calls,
    };
  }

  const query = (end = Date.now() + 1000) => ({ functionName: FN, aliasName: 'prod', versions: ['1', '2'], windowMs: 5 * 60_000, periodSeconds: periodFor(5, true), end });
  const v = (r: TrafficReport, version: string) => r.versions.find((x) => x.version === version)!;

  it('reports the observed split of live traffic within ±5 points of a 20% canary, and exactly the errors recorded', async () => {
    const { sandbox } = h();
    const gen = new TrafficGenerator(sandbox.lambda, [{ functionName: FN, qualifier: 'prod', rate: 400 }]);
    gen.start();
    const started = Date.now();
    while (Date.now() - started < 15_000) {
      await sleep(100);
      const [s] = gen.snapshot();
      if (s.sent >= 1200) break;
    }
    gen.stop();
    // Let the invocations in flight finish, so the generator's own counts are final.
    let stats = gen.snapshot()[0];
    for (let i = 0; i < 50; i++) {
      await sleep(50);
      stats = gen.snapshot()[0];
      const answered = Object.values(stats.byVersion).reduce((n, r) => n + r.invocations, 0) + stats.rejected;
      if (answered === stats.sent) break;
    }
    assert.equal(stats.rejected, 0);
    assert.ok(stats.sent >= 1000, `the generator sent only ${stats.sent}`);

    const c = counting();
    const report = await fetchTraffic(c.cloudwatch as never, query());
    assert.equal(c.calls(), 1, 'one GetMetricData request per refresh');
    assert.equal(report.totalInvocations, stats.sent);
    assert.equal(v(report, '1').invocations, stats.byVersion['1'].invocations);
    assert.equal(v(report, '2').invocations, stats.byVersion['2'].invocations);
    assert.ok(Math.abs(v(report, '2').share - 0.2) <= 0.05, `observed ${(v(report, '2').share * 100).toFixed(1)}% on the canary`);
    assert.equal(v(report, '1').errors, 0);
    assert.equal(v(report, '2').errors, stats.byVersion['2'].errors);
    // Roughly every fourth call of version 2 fails (each warm environment counts on its own).
    assert.ok(v(report, '2').errors >= v(report, '2').invocations / 6, `version 2 failed ${v(report, '2').errors} of ${v(report, '2').invocations}`);
    assert.ok(v(report, '2').durationAvgMs! >= 0 && v(report, '2').durationP99Ms! >= v(report, '2').durationAvgMs! * 0.5);
    assert.ok(report.newestPoint! >= started - 5000, 'the newest point is recent');
    // Every period of the window is there (FILL), each split per version.
    assert.equal(v(report, '1').series.length, v(report, '2').series.length);
    assert.equal(v(report, '2').series.reduce((n, p) => n + p.errors, 0), v(report, '2').errors);
  });

  it('Probe of 500 invocations: the split from X-Amz-Executed-Version within ±5 points, and the same errors CloudWatch records', async () => {
    const { lambda } = h();
    const before = await fetchTraffic(h().cloudwatch, query());
    let progressCalls = 0;
    const probe = await probeAlias(lambda, { functionName: FN, aliasName: 'prod', count: 500, ratePerSecond: 1000, concurrency: 16 }, undefined, () => progressCalls++);
    assert.equal(probe.sent, 500);
    assert.equal(probe.failed, 0);
    assert.equal(progressCalls, 500);
    const p1 = probe.byVersion['1'];
    const p2 = probe.byVersion['2'];
    assert.equal(p1.invocations + p2.invocations, 500);
    assert.ok(Math.abs(p2.invocations / 500 - 0.2) <= 0.05, `probe saw ${p2.invocations} of 500 on the canary`);
    assert.equal(p1.errors, 0);
    assert.ok(p2.errors > 0);
    const after = await fetchTraffic(h().cloudwatch, query());
    assert.equal(after.totalInvocations - before.totalInvocations, 500);
    assert.equal(v(after, '2').invocations - v(before, '2').invocations, p2.invocations);
    assert.equal(v(after, '2').errors - v(before, '2').errors, p2.errors);
    assert.equal(v(after, '1').errors, 0);
  });

  it('Probe stops at once when cancelled, and reports what it sent', async () => {
    const { lambda } = h();
    const abort = new AbortController();
    const probe = await probeAlias(lambda, { functionName: FN, aliasName: 'prod', count: 2000, ratePerSecond: 100 }, abort.signal, (done) => {
      if (done === 20) abort.abort();
    });
    // At 100/s the 2,000 would take 20 s: a cancel at 20 leaves only those already under way.
    assert.ok(probe.sent >= 20 && probe.sent < 60, `sent ${probe.sent} after a cancel at 20`);
  });

  it('a version with no traffic reads as zeros, and an unknown alias as no data, not an error', async () => {
    const report = await fetchTraffic(h().cloudwatch, { ...query(), versions: ['1', '2', '99'] });
    assert.equal(v(report, '99').invocations, 0);
    assert.equal(v(report, '99').share, 0);
    const none = await fetchTraffic(h().cloudwatch, { ...query(), aliasName: 'nope' });
    assert.equal(none.totalInvocations, 0);
  });
});
