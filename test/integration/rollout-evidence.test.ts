/**
 * The rollout judge's evidence reader against the sandbox, with the real SDK v3 CloudWatch client
 * over HTTP: per-version counts of real invocations through a weighted alias, completeness under
 * CloudWatch's delivery lag, the plan's alarms, the number of CloudWatch requests per read, and
 * the judge's verdict on what was read.
 */
import assert from 'node:assert/strict';
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, InvokeCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { OperationError } from '../../src/core/errors';
import type { Evidence, EvidenceQuery } from '../../src/core/rollout/evidence';
import { MAX_METRIC_QUERIES, readEvidence, readEvidenceMany } from '../../src/core/rollout/evidence';
import type { PeriodSample } from '../../src/core/rollout/judge';
import { DEFAULT_JUDGE_CONFIG, judge } from '../../src/core/rollout/judge';
import type { CloudWatchSend } from '../../src/core/traffic';
import { sleep, useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

type Counts = Record<string, { invocations: number; errors: number }>;

/** `n` invocations of FN:QUALIFIER, `concurrency` at a time; counted by X-Amz-Executed-Version and FunctionError. */
async function invokeMany(lambda: LambdaClient, fn: string, qualifier: string, n: number, concurrency = 8): Promise<Counts> {
  const counts: Counts = {};
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const out = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: qualifier, Payload: Buffer.from('{}') }));
      const row = (counts[out.ExecutedVersion!] ??= { invocations: 0, errors: 0 });
      row.invocations++;
      if (out.FunctionError) row.errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

const total = (periods: PeriodSample[], key: 'invocations' | 'errors' | 'throttles') => periods.reduce((s, p) => s + p[key], 0);

/** A CloudWatch client whose requests are counted on the client side, beside the sandbox's own log. */
function counted(client: CloudWatchSend): CloudWatchSend & { sent: number } {
  const wrapper = {
    sent: 0,
    send: ((command: Parameters<CloudWatchSend['send']>[0], options?: Parameters<CloudWatchSend['send']>[1]) => {
      wrapper.sent++;
      return client.send(command, options);
    }) as CloudWatchSend['send'],
  };
  return wrapper;
}

/** The period grid: contiguous, oldest first, every start on a period boundary. */
function assertGrid(periods: PeriodSample[], periodSeconds: number, completeUntil: number | undefined): void {
  const P = periodSeconds * 1000;
  periods.forEach((p, i) => {
    assert.equal(p.start % P, 0, 'on a period boundary');
    if (i > 0) assert.equal(p.start - periods[i - 1].start, P, 'zero-filled: no gaps');
    assert.ok(completeUntil !== undefined && p.start + P <= completeUntil, 'only complete periods');
    if (p.invocations === 0) assert.equal(p.durationP99Ms, undefined);
    else assert.ok(p.durationP99Ms !== undefined && p.durationMeanMs !== undefined && p.durationP99Ms >= p.durationMeanMs - 1e-9);
  });
}

describe('rollout evidence: one GetMetricData for canary and stable (real SDK)', function () {
  this.timeout(60_000);
  const log: string[] = [];
  const h = useSandbox({ randomSeed: 11, admin: true, log: (line) => log.push(line), versionBehaviour: [{ functionName: 'ev', version: '2', errorRate: 0.3 }, { functionName: 'ev', version: '1', errorRate: 0.01 }] });
  const sandboxCalls = (op: string) => log.filter((l) => l.includes(` ${op} → `)).length;
  const query = (extra: Partial<EvidenceQuery> = {}): EvidenceQuery => ({
    functionName: 'ev',
    aliasName: 'live',
    canary: '2',
    stable: '1',
    bakeStart: Date.now() - 60_000,
    stableHistoryMs: 0,
    now: Date.now(),
    periodSeconds: 1,
    settleMs: 1000,
    ...extra,
  });

  before(async () => {
    const { lambda } = h();
    await createFn(lambda, 'ev');
    assert.equal(await publish(lambda, 'ev', 'one'), '1');
    assert.equal(await publish(lambda, 'ev', 'two'), '2');
    assert.equal(await publish(lambda, 'ev', 'three'), '3');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'ev', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    await createFn(lambda, 'quiet-fn');
  });

  beforeEach(() => {
    h().sandbox.metrics.clear();
    h().sandbox.alarms.clear();
    log.length = 0;
  });

  it('counts per version match the invocations made; zero-filled complete periods; exactly one request', async () => {
    const bakeStart = Math.floor(Date.now() / 1000) * 1000;
    const seen = await invokeMany(h().lambda, 'ev', 'live', 80);
    assert.ok(seen['1'].invocations > 10 && seen['2'].invocations > 10, JSON.stringify(seen));
    // The last invocation's period has ended and settled.
    await sleep(2100);
    const cw = counted(h().cloudwatch);
    log.length = 0;
    const now = Date.now();
    const e = await readEvidence(cw, query({ bakeStart, now }));
    assert.equal(e.calls, 1);
    assert.equal(cw.sent, 1);
    assert.equal(sandboxCalls('GetMetricData'), 1, log.join('\n'));
    assert.equal(sandboxCalls('DescribeAlarms'), 0, 'no alarms named, none read');
    assert.equal(total(e.canary, 'invocations'), seen['2'].invocations);
    assert.equal(total(e.canary, 'errors'), seen['2'].errors);
    assert.equal(total(e.stable, 'invocations'), seen['1'].invocations);
    assert.equal(total(e.stable, 'errors'), seen['1'].errors);
    assert.ok(seen['2'].errors > 0, 'the 30 % canary failed some');
    assert.equal(total(e.canary, 'throttles') + total(e.stable, 'throttles') + e.unattributedThrottles, 0);
    assert.ok(e.completeUntil !== undefined && e.completeUntil <= now && e.completeUntil > now - 2000, `completeUntil ${e.completeUntil} vs now ${now}`);
    assertGrid(e.canary, 1, e.completeUntil);
    assertGrid(e.stable, 1, e.completeUntil);
    assert.equal(e.canary[0].start, bakeStart);
    assert.equal(e.canary[e.canary.length - 1].start + 1000, e.completeUntil, 'every complete period, the idle ones as zeros');
    assert.deepEqual(e.alarms, {});
    assert.deepEqual(e.missingAlarms, []);
  });

  it('several aliases read together (a release): each gets what it would alone, in as few requests as 500 queries and 100,800 datapoints allow', async () => {
    const bakeStart = Math.floor(Date.now() / 1000) * 1000;
    const seen = await invokeMany(h().lambda, 'ev', 'live', 60);
    await sleep(2100);
    const now = Date.now();
    const withoutCalls = ({ calls: _calls, ...rest }: Evidence) => rest;
    const alone = [withoutCalls(await readEvidence(h().cloudwatch, query({ bakeStart, now }))), withoutCalls(await readEvidence(h().cloudwatch, query({ functionName: 'quiet-fn', canary: '1', stable: '1', bakeStart, now })))];
    assert.equal(total(alone[0].canary, 'invocations'), seen['2'].invocations);

    // 20 aliases of 18 queries (two versions) and 20 of 10 (one): 560 queries, so two requests, not 40.
    const qs = Array.from({ length: 40 }, (_, i) => (i % 2 ? query({ functionName: 'quiet-fn', canary: '1', stable: '1', bakeStart, now }) : query({ bakeStart, now })));
    let cw = counted(h().cloudwatch);
    log.length = 0;
    const many = await readEvidenceMany(cw, qs, undefined);
    assert.equal(many.length, 40);
    many.forEach((e, i) => assert.deepEqual(withoutCalls(e), alone[i % 2], `alias ${i}`));
    assert.equal(20 * 18 + 20 * 10 > MAX_METRIC_QUERIES, true);
    assert.equal(sandboxCalls('GetMetricData'), 2, log.join('\n'));
    assert.equal(cw.sent, 2);

    // With 10 minutes of stable history at 1 s periods an alias may return 10 × 660 datapoints:
    // 20 of them exceed one request's 100,800 although their 360 queries do not.
    const long = query({ bakeStart, now, stableHistoryMs: 10 * 60_000 });
    const longAlone = withoutCalls(await readEvidence(h().cloudwatch, long));
    cw = counted(h().cloudwatch);
    log.length = 0;
    const many2 = await readEvidenceMany(cw, Array.from({ length: 20 }, () => long), undefined);
    many2.forEach((e, i) => assert.deepEqual(withoutCalls(e), longAlone, `alias ${i}`));
    assert.equal(sandboxCalls('GetMetricData'), 2, log.join('\n'));

    // Aliases whose windows differ cannot share a request.
    log.length = 0;
    await readEvidenceMany(h().cloudwatch, [query({ bakeStart, now }), query({ bakeStart: bakeStart - 5000, now })], undefined);
    assert.equal(sandboxCalls('GetMetricData'), 2);
  });

  it('the stable history before the bake is read, the canary only from the bake; the canary from the first whole period of the bake', async () => {
    const before1 = await invokeMany(h().lambda, 'ev', 'live', 30);
    await sleep(1100);
    const bakeStart = Date.now() + 300;
    // From the first whole period of the bake on.
    await sleep(Math.ceil(bakeStart / 1000) * 1000 + 20 - Date.now());
    const after = await invokeMany(h().lambda, 'ev', 'live', 30);
    await sleep(2100);
    const now = Date.now();
    const e = await readEvidence(h().cloudwatch, query({ bakeStart, now, stableHistoryMs: 30_000 }));
    assert.equal(e.canary[0].start, Math.ceil(bakeStart / 1000) * 1000);
    assert.equal(total(e.canary, 'invocations'), after['2'].invocations, 'the canary from the bake on only');
    assert.equal(total(e.stable, 'invocations'), before1['1'].invocations + after['1'].invocations, 'the stable with its history');
    assert.equal(e.stable[0].start, Math.floor((bakeStart - 30_000) / 1000) * 1000);
  });

  it('throttled requests to the alias, which the sandbox (like a throttle before routing) publishes under Resource only, are counted apart', async () => {
    const bakeStart = Math.floor(Date.now() / 1000) * 1000;
    h().sandbox.faults.add({ operation: 'Invoke', kind: 'throttle', times: 3 });
    for (let i = 0; i < 3; i++) await assert.rejects(h().lambda.send(new InvokeCommand({ FunctionName: 'ev', Qualifier: 'live', Payload: Buffer.from('{}') })), (e: Error) => e.name === 'TooManyRequestsException');
    const seen = await invokeMany(h().lambda, 'ev', 'live', 10);
    await sleep(2100);
    const e = await readEvidence(h().cloudwatch, query({ bakeStart, now: Date.now() }));
    assert.equal(e.unattributedThrottles, 3);
    assert.equal(total(e.canary, 'throttles') + total(e.stable, 'throttles'), 0, 'no version ran them');
    assert.equal(total(e.canary, 'invocations') + total(e.stable, 'invocations'), (seen['1']?.invocations ?? 0) + (seen['2']?.invocations ?? 0), 'throttles are not invocations');
  });

  it('alarms named by the plan: ALARM, OK, INSUFFICIENT_DATA and missing, in one more request', async () => {
    const alarm = (AlarmName: string, fn: string, version: string, Threshold: number): PutMetricAlarmCommandInput => ({
      AlarmName,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [
        { Name: 'FunctionName', Value: fn },
        { Name: 'Resource', Value: `${fn}:live` },
        { Name: 'ExecutedVersion', Value: version },
      ],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    h().sandbox.versionBehaviour.set({ functionName: 'ev', version: '2', errorRate: 1 });
    try {
      await invokeMany(h().lambda, 'ev', 'live', 20);
    } finally {
      h().sandbox.versionBehaviour.set({ functionName: 'ev', version: '2', errorRate: 0.3 });
    }
    for (const a of [alarm('checkout-5xx', 'ev', '2', 1), alarm('stable-errors', 'ev', '1', 1000), alarm('quiet', 'quiet-fn', '1', 1)]) await h().cloudwatch.send(new PutMetricAlarmCommand(a));
    const cw = counted(h().cloudwatch);
    log.length = 0;
    const e = await readEvidence(cw, query({ alarms: ['checkout-5xx', 'stable-errors', 'quiet', 'not-there', 'checkout-5xx'] }));
    assert.deepEqual(e.alarms, { 'checkout-5xx': 'ALARM', 'stable-errors': 'OK', quiet: 'INSUFFICIENT_DATA' });
    assert.deepEqual(e.missingAlarms, ['not-there']);
    assert.equal(e.alarmProblem, 'Alarm not-there does not exist in this account and region: create it, or remove it from the plan\'s "alarms".');
    assert.equal(e.calls, 2);
    assert.equal(cw.sent, 2);
    assert.equal(sandboxCalls('GetMetricData'), 1);
    assert.equal(sandboxCalls('DescribeAlarms'), 1);

    // The judge fails the step on the alarm, whatever the numbers say.
    const j = judge({ canary: { version: '2', periods: e.canary }, stable: { version: '1', periods: e.stable }, periodSeconds: 1, completeUntil: e.completeUntil, bakeStart: Date.now() - 60_000, bakeMs: 120_000, now: Date.now(), alarms: e.alarms });
    assert.equal(j.verdict, 'Fail');
    assert.equal(j.reason, 'alarm');
    assert.match(j.sentence, /^alarm checkout-5xx in ALARM/);
  });

  it('a CloudWatch failure is an OperationError with the described AWS error, never the raw one', async () => {
    h().sandbox.faults.add({ operation: 'GetMetricData', kind: 'error' });
    await assert.rejects(readEvidence(h().cloudwatch, query()), (err: unknown) => {
      assert.ok(err instanceof OperationError, String(err));
      assert.equal(err.step, 'GetMetricData');
      assert.match(err.message, /^Could not read the metrics of ev:live \(versions 1 and 2\): /);
      return true;
    });
    h().sandbox.faults.add({ operation: 'DescribeAlarms', kind: 'error' });
    await assert.rejects(readEvidence(h().cloudwatch, query({ alarms: ['a'] })), (err: unknown) => err instanceof OperationError && err.step === 'DescribeAlarms' && /^Could not read the alarms of the rollout of ev:live \(a\): /.test(err.message));
    // A refused request (CloudWatch's ValidationError for a 7-second period), in its own words.
    await assert.rejects(readEvidence(h().cloudwatch, query({ periodSeconds: 7 })), (err: unknown) => err instanceof OperationError && /Period must be 1, 5, 10, 20, 30, 60/.test(err.message));
    // Nothing listening.
    const gone = new CloudWatchClient({ endpoint: 'http://127.0.0.1:9', region: h().sandbox.region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
    try {
      await assert.rejects(readEvidence(gone, query()), (err: unknown) => err instanceof OperationError && err.kind === 'network' && /Nothing answers at the endpoint/.test(err.message));
    } finally {
      gone.destroy();
    }
    await assert.rejects(readEvidence(h().cloudwatch, query({ alarms: Array.from({ length: 101 }, (_, i) => `a${i}`) })), (err: unknown) => err instanceof OperationError && err.kind === 'validation' && /at most 100 alarms/.test(err.message));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(readEvidence(h().cloudwatch, query(), ac.signal), (err: unknown) => err instanceof OperationError && err.kind === 'cancelled');
  });

  it('judged: a 30 % canary against a 1 % stable Fails; a healthy one Passes once the bake is covered', async function () {
    this.timeout(120_000);
    const { lambda, cloudwatch } = h();
    // The stable's recent history, then the bad canary's bake.
    const history = Date.now() - 1000;
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'ev', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    await invokeMany(lambda, 'ev', 'live', 200, 16);
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'ev', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    const bakeStart = Math.ceil(Date.now() / 1000) * 1000;
    await sleep(bakeStart - Date.now());
    await invokeMany(lambda, 'ev', 'live', 80, 8);
    await sleep(2100);
    const bakeMs = 60_000;
    // The default error test; latency left out (a floor of 10 s): on a busy test machine a child process's p99 is the machine's, not the version's.
    const config = { ...DEFAULT_JUDGE_CONFIG, latencyFloorMs: 10_000 };
    const input = (e: Evidence, canary: string, start: number, now: number) => ({
      canary: { version: canary, periods: e.canary },
      stable: { version: '1', periods: e.stable },
      periodSeconds: e.periodSeconds,
      completeUntil: e.completeUntil,
      bakeStart: start,
      bakeMs,
      now,
      alarms: e.alarms,
    });
    let now = Date.now();
    const bad = await readEvidence(cloudwatch, query({ bakeStart, now, stableHistoryMs: bakeStart - history }));
    const failed = judge(input(bad, '2', bakeStart, now), config);
    assert.equal(failed.verdict, 'Fail', failed.sentence);
    assert.equal(failed.reason, 'errors');
    assert.ok(failed.bakeElapsedMs < bakeMs, 'failed before the bake ended');
    assert.match(failed.sentence, /worse beyond chance \(SPRT crossed at \d+ samples\)/);

    // A healthy canary (version 3) with a short bake: Pending while the bake runs, Pass once complete periods cover it.
    // Warm environments first (invoked by version, outside the alias's metrics): a cold start is no latency finding.
    await invokeMany(lambda, 'ev', '3', 32, 16);
    const goodStart = Math.ceil(Date.now() / 1000) * 1000;
    await sleep(goodStart - Date.now());
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'ev', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '3': 0.5 } } }));
    const shortBake = 3000;
    const goodInput = (e: Evidence, at: number) => ({ ...input(e, '3', goodStart, at), bakeMs: shortBake });
    await invokeMany(lambda, 'ev', 'live', 420, 16);
    // Judged as if in the middle of the bake: the periods since are not read, nothing covers the bake yet.
    const midBake = goodStart + shortBake / 2;
    const early = await readEvidence(cloudwatch, query({ canary: '3', bakeStart: goodStart, now: midBake, stableHistoryMs: goodStart - history }));
    assert.ok(early.completeUntil! <= midBake);
    const pending = judge(goodInput(early, midBake), config);
    assert.equal(pending.verdict, 'Pending', pending.sentence);
    await sleep(Math.max(0, goodStart + shortBake + 2100 - Date.now()));
    now = Date.now();
    const good = await readEvidence(cloudwatch, query({ canary: '3', bakeStart: goodStart, now, stableHistoryMs: goodStart - history }));
    assert.ok(good.completeUntil! >= goodStart + shortBake);
    const passed = judge(goodInput(good, now), config);
    assert.equal(passed.verdict, 'Pass', passed.sentence);
    assert.ok(passed.canary.invocations >= DEFAULT_JUDGE_CONFIG.minSamples);
  });
});

describe('rollout evidence under CloudWatch delivery lag (real SDK)', function () {
  this.timeout(60_000);
  const LAG_S = 2;
  const h = useSandbox({ metricLagSeconds: LAG_S, randomSeed: 5 });

  before(async () => {
    const { lambda } = h();
    await createFn(lambda, 'lag');
    assert.equal(await publish(lambda, 'lag', 'one'), '1');
    assert.equal(await publish(lambda, 'lag', 'two'), '2');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'lag', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
  });

  it('the lagging periods are not complete; once delivered and settled they are, with every invocation', async () => {
    const bakeStart = Math.floor(Date.now() / 1000) * 1000;
    const q = (now: number, settleMs: number): EvidenceQuery => ({ functionName: 'lag', aliasName: 'live', canary: '2', stable: '1', bakeStart, stableHistoryMs: 0, now, periodSeconds: 1, settleMs });
    // Steady traffic for about five seconds (a busy machine's first calls may take one), then read at once.
    const seen: Counts = {};
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const c = await invokeMany(h().lambda, 'lag', 'live', 8, 8);
      for (const [v, r] of Object.entries(c)) {
        const row = (seen[v] ??= { invocations: 0, errors: 0 });
        row.invocations += r.invocations;
      }
    }
    const made = seen['1'].invocations + seen['2'].invocations;
    let now = Date.now();
    const lagging = await readEvidence(h().cloudwatch, q(now, (LAG_S + 1) * 1000));
    assert.ok(lagging.newestDatapoint !== undefined && lagging.newestDatapoint <= now - LAG_S * 1000, `newest datapoint ${lagging.newestDatapoint} is at least the lag old (now ${now})`);
    assert.ok(lagging.completeUntil !== undefined, 'the older periods are complete: later ones have data');
    assert.ok(lagging.completeUntil <= lagging.newestDatapoint!, 'the newest period with data is not complete: nothing later says so, and it has not settled');
    assert.ok(lagging.completeUntil <= now - LAG_S * 1000, 'no period within the lag is complete');
    const counted = total(lagging.canary, 'invocations') + total(lagging.stable, 'invocations');
    assert.ok(counted > 0 && counted < made, `only complete periods counted: ${counted} of ${made}`);
    assertGrid(lagging.canary, 1, lagging.completeUntil);

    // The same instant judged with a settle shorter than the lag would take silence for "nothing happened": the caller's settle must cover the lag.
    await sleep((LAG_S + 1) * 1000 + 1200);
    now = Date.now();
    const settled = await readEvidence(h().cloudwatch, q(now, (LAG_S + 1) * 1000));
    assert.equal(total(settled.canary, 'invocations'), seen['2'].invocations);
    assert.equal(total(settled.stable, 'invocations'), seen['1'].invocations);
    assert.ok(settled.completeUntil! >= until, 'the periods of the last invocations are complete now');
    assert.ok(settled.completeUntil! <= now);
  });
});
