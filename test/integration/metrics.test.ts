/**
 * CloudWatch metrics of invocations, through the real SDK v3 CloudWatch client over HTTP:
 * GetMetricData and ListMetrics against what the Lambda client observed (X-Amz-Executed-Version,
 * X-Amz-Function-Error).
 */
import assert from 'node:assert/strict';
import type { GetMetricDataCommandInput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { seededRandom, zipFiles } from '../../src/sandbox';
import { ROLE, useSandbox } from './helpers';

type AwsErr = Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
type Dim = { Name: string; Value: string };

const V1 = `exports.handler = async (e) => ({ v: 1, i: e.i });\n`;
/** Version 2 is slower and fails deterministically on every 4th event. */
const V2 = `exports.handler = async (e) => {
  await new Promise((r) => setTimeout(r, 30));
  if (e.i % 4 === 0) throw new Error('canary failure ' + e.i);
  return { v: 2, i: e.i };
};\n`;

describe('CloudWatch metrics of invocations (real SDK)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 30 });
  const fn = 'metrics-fn';
  const other = 'metrics-other';
  const N = 160;
  let t0 = 0;
  let t1 = 0;
  const observed: Record<string, { invocations: number; errors: number }> = {};
  let directV1 = 0;
  let unqualified = 0;

  const fnDims: Dim[] = [{ Name: 'FunctionName', Value: fn }];
  const aliasDims: Dim[] = [...fnDims, { Name: 'Resource', Value: `${fn}:live` }];
  const versionDims = (v: string): Dim[] => [...aliasDims, { Name: 'ExecutedVersion', Value: v }];

  const stat = (Id: string, MetricName: string, Stat: string, Dimensions: Dim[], Period = 60, extra: Partial<MetricDataQuery> = {}): MetricDataQuery => ({
    Id,
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions }, Period, Stat },
    ...extra,
  });

  /** A window holding every invocation of the suite, aligned so that one 300 s period covers it. */
  const window = (): Pick<GetMetricDataCommandInput, 'StartTime' | 'EndTime'> => ({ StartTime: new Date(t0 - 60_000), EndTime: new Date(t0 + 240_000) });

  async function query(queries: MetricDataQuery[], extra: Partial<GetMetricDataCommandInput> = {}): Promise<Map<string, MetricDataResult>> {
    const out = await h().cloudwatch.send(new GetMetricDataCommand({ ...window(), MetricDataQueries: queries, ...extra }));
    assert.equal(out.NextToken, undefined);
    return new Map((out.MetricDataResults ?? []).map((r) => [r.Id!, r]));
  }

  const total = (r: MetricDataResult | undefined): number => (r?.Values ?? []).reduce((a, b) => a + b, 0);

  async function rejects400(input: Partial<GetMetricDataCommandInput>, why: string): Promise<void> {
    await assert.rejects(
      h().cloudwatch.send(new GetMetricDataCommand({ ...window(), MetricDataQueries: [stat('m', 'Invocations', 'Sum', fnDims)], ...input })),
      (e: AwsErr) => {
        assert.equal(e.$metadata?.httpStatusCode, 400, `${why}: ${e.name} ${e.message}`);
        assert.match(`${e.name} ${e.Code ?? ''}`, /Validation/, `${why}: ${e.name}`);
        return true;
      },
      why,
    );
  }

  before(async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': V1 }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zipFiles({ 'index.js': V2 }) }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: other, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': V1 }) } }));
    sandbox.settle();
    sandbox.setRandom(seededRandom(7));
    sandbox.metrics.clear();

    t0 = Date.now();
    for (let start = 0; start < N; start += 16) {
      await Promise.all(
        Array.from({ length: 16 }, async (_, k) => {
          const i = start + k;
          const out = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live', Payload: Buffer.from(JSON.stringify({ i })) }));
          const v = out.ExecutedVersion!;
          const row = (observed[v] ??= { invocations: 0, errors: 0 });
          row.invocations++;
          if (out.FunctionError) row.errors++;
        }),
      );
    }
    // Calls outside the alias: counted for the function, never under the alias's dimensions.
    for (let i = 1; i <= 5; i++) {
      await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '1', Payload: Buffer.from(JSON.stringify({ i })) }));
      directV1++;
    }
    for (let i = 1; i <= 3; i++) {
      await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify({ i })) }));
      unqualified++;
    }
    await lambda.send(new InvokeCommand({ FunctionName: other, Payload: Buffer.from('{}') }));
    t1 = Date.now();
    sandbox.setRandom(Math.random);
  });

  it('the split really happened, with errors only on version 2', () => {
    assert.deepEqual(Object.keys(observed).sort(), ['1', '2']);
    assert.equal(observed['1'].invocations + observed['2'].invocations, N);
    assert.equal(observed['1'].errors, 0);
    assert.ok(observed['2'].errors > 0 && observed['2'].errors < observed['2'].invocations, JSON.stringify(observed));
  });

  it('per-version Invocations and Errors sums equal what the clients observed', async () => {
    const r = await query([
      stat('inv1', 'Invocations', 'Sum', versionDims('1')),
      stat('inv2', 'Invocations', 'Sum', versionDims('2')),
      stat('err1', 'Errors', 'Sum', versionDims('1')),
      stat('err2', 'Errors', 'Sum', versionDims('2')),
      stat('inv3', 'Invocations', 'Sum', versionDims('3')),
    ]);
    assert.equal(total(r.get('inv1')), observed['1'].invocations);
    assert.equal(total(r.get('inv2')), observed['2'].invocations);
    assert.equal(total(r.get('err1')), 0);
    assert.equal(total(r.get('err2')), observed['2'].errors);
    assert.deepEqual(r.get('inv3')?.Values, [], 'no data for a version that never ran');
    assert.equal(r.get('inv1')?.StatusCode, 'Complete');
    assert.equal(r.get('inv1')?.Label, 'Invocations');
  });

  it('FunctionName alone gives the total over every qualifier; Resource alone the alias total', async () => {
    const r = await query([
      stat('all', 'Invocations', 'Sum', fnDims),
      stat('alias', 'Invocations', 'Sum', aliasDims),
      stat('v1', 'Invocations', 'Sum', [...fnDims, { Name: 'Resource', Value: `${fn}:1` }]),
      stat('errs', 'Errors', 'Sum', fnDims),
      stat('other', 'Invocations', 'Sum', [{ Name: 'FunctionName', Value: other }]),
      stat('dimless', 'Invocations', 'Sum', []),
    ]);
    assert.equal(total(r.get('all')), N + directV1 + unqualified);
    assert.equal(total(r.get('alias')), N);
    assert.equal(total(r.get('v1')), directV1);
    assert.equal(total(r.get('errs')), observed['2'].errors);
    assert.equal(total(r.get('other')), 1);
    assert.equal(total(r.get('dimless')), N + directV1 + unqualified + 1, 'no dimensions: the aggregate over every function');
  });

  it('Duration statistics are sane: version 2 sleeps 30 ms, version 1 does not', async () => {
    const r = await query(
      ['1', '2'].flatMap((v) => [
        stat(`avg${v}`, 'Duration', 'Average', versionDims(v), 300),
        stat(`max${v}`, 'Duration', 'Maximum', versionDims(v), 300),
        stat(`min${v}`, 'Duration', 'Minimum', versionDims(v), 300),
        stat(`p99_${v}`, 'Duration', 'p99', versionDims(v), 300),
        stat(`p50_${v}`, 'Duration', 'p50', versionDims(v), 300),
        stat(`n${v}`, 'Duration', 'SampleCount', versionDims(v), 300),
      ]),
    );
    const one = (id: string): number => {
      const values = r.get(id)?.Values ?? [];
      assert.equal(values.length, 1, `${id}: one 300 s period covers the whole suite`);
      return values[0];
    };
    for (const v of ['1', '2']) {
      const [min, p50, avg, p99, max] = [one(`min${v}`), one(`p50_${v}`), one(`avg${v}`), one(`p99_${v}`), one(`max${v}`)];
      assert.ok(min >= 0 && min <= p50 && p50 <= p99 && p99 <= max, `v${v}: min ${min} p50 ${p50} p99 ${p99} max ${max}`);
      assert.ok(avg >= min && avg <= max, `v${v}: avg ${avg}`);
      assert.ok(max < 3000, `v${v}: max ${max} ms is within the function timeout`);
      assert.equal(one(`n${v}`), observed[v].invocations);
    }
    assert.ok(one('min2') >= 25, `version 2 sleeps 30 ms: min ${one('min2')}`);
    assert.ok(one('avg1') < one('avg2'), `version 1 (${one('avg1')} ms) is faster than version 2 (${one('avg2')} ms)`);
  });

  it('Duration is the handler time: neither the wait for a busy environment nor init count', async () => {
    const queued = 'metrics-queued';
    const { lambda, sandbox } = h();
    const src = `await new Promise((r) => setTimeout(r, 300));\nexport const handler = async () => { await new Promise((r) => setTimeout(r, 100)); return 1; };\n`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: queued, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.mjs': src }) } }));
    sandbox.settle();
    // 12 calls on at most 4 environments: most wait for one to be free, the first 4 pay a 300 ms init.
    const started = Date.now();
    await Promise.all(Array.from({ length: 12 }, () => lambda.send(new InvokeCommand({ FunctionName: queued, Payload: Buffer.from('{}') }))));
    assert.ok(Date.now() - started >= 550, 'the calls really queued');
    const dims = [{ Name: 'FunctionName', Value: queued }];
    const r = await query([stat('max', 'Duration', 'Maximum', dims, 300), stat('min', 'Duration', 'Minimum', dims, 300), stat('n', 'Duration', 'SampleCount', dims, 300)]);
    assert.deepEqual(r.get('n')!.Values, [12]);
    const [min, max] = [r.get('min')!.Values![0], r.get('max')!.Values![0]];
    assert.ok(min >= 95, `min ${min} ms for a 100 ms handler`);
    assert.ok(max < 400, `max ${max} ms for a 100 ms handler: waiting or init was counted`);
  });

  it('Period 1 and Period 60 agree on the totals; timestamps sit on the second and the minute', async () => {
    const start = t0 - 5_000;
    // EndTime is rounded down to the minute: a minute past the last call keeps every call in.
    const range = { StartTime: new Date(start), EndTime: new Date(t1 + 65_000) };
    const r1 = await query([stat('fine', 'Invocations', 'Sum', aliasDims, 1)], range);
    const r60 = await query([stat('coarse', 'Invocations', 'Sum', aliasDims, 60)], range);
    const fine = r1.get('fine')!;
    const coarse = r60.get('coarse')!;
    assert.equal(total(fine), N);
    assert.equal(total(coarse), N);
    assert.equal(fine.Timestamps!.length, fine.Values!.length);
    assert.ok(fine.Values!.every((x) => x > 0), 'only periods with data are returned');
    for (const t of fine.Timestamps!) {
      assert.equal(t.getTime() % 1000, 0, `timestamp ${t.toISOString()} is not on a 1 s boundary`);
      assert.ok(t.getTime() >= start - 1000 && t.getTime() <= t1, 'timestamp inside the window');
    }
    for (const t of coarse.Timestamps!) assert.equal(t.getTime() % 60_000, 0, `timestamp ${t.toISOString()} is not on a minute`);
    assert.ok(coarse.Timestamps!.length <= 2, 'a few seconds of calls span at most two minutes');
  });

  it('StartTime and EndTime are rounded down as CloudWatch does: to the minute, or to a Period under a minute', async () => {
    const minute = (t: number) => Math.floor(t / 60_000) * 60_000;
    const same = async (period: number, a: Pick<GetMetricDataCommandInput, 'StartTime' | 'EndTime'>, b: Pick<GetMetricDataCommandInput, 'StartTime' | 'EndTime'>, why: string) => {
      const q = [stat('m', 'Invocations', 'Sum', fnDims, period)];
      const [x, y] = [(await query(q, a)).get('m')!, (await query(q, b)).get('m')!];
      assert.deepEqual(x.Timestamps, y.Timestamps, `${why}: timestamps`);
      assert.deepEqual(x.Values, y.Values, `${why}: values`);
      return x;
    };
    // A StartTime a millisecond before the next minute: its datapoint is the whole minute, from its start.
    // The minute is that of the first call's datapoint, not of t0: the calls can begin in the next
    // minute when t0 falls just before one (the test failed so, now and then, when it used t0).
    const first = (await query([stat('m', 'Invocations', 'Sum', fnDims, 1)], { StartTime: new Date(t0 - 60_000), EndTime: new Date(t1 + 60_000), ScanBy: 'TimestampAscending' })).get('m')!.Timestamps![0].getTime();
    const late = minute(first) + 59_999;
    assert.ok(first < late, 'the first call is before StartTime');
    const fromLate = await same(60, { StartTime: new Date(late), EndTime: new Date(late + 240_000) }, { StartTime: new Date(minute(first)), EndTime: new Date(late + 240_000) }, 'StartTime to the minute');
    assert.equal(Math.min(...fromLate.Timestamps!.map((t) => t.getTime())), minute(first));
    assert.equal(total(fromLate), N + directV1 + unqualified, 'every call of the minute counts, also those before StartTime');
    // EndTime just past the last call: rounded down, the last minute's calls are left out, as AWS leaves them.
    await same(60, { StartTime: new Date(minute(t0) - 60_000), EndTime: new Date(t1 + 1) }, { StartTime: new Date(minute(t0) - 60_000), EndTime: new Date(minute(t1 + 1)) }, 'EndTime to the minute');
    // Period 10: to 10 s of the clock.
    const tenth = (t: number) => Math.floor(t / 10_000) * 10_000;
    const s10 = t0 + 3_333;
    const fine = await same(10, { StartTime: new Date(s10), EndTime: new Date(t1 + 20_001) }, { StartTime: new Date(tenth(s10)), EndTime: new Date(tenth(t1 + 20_001)) }, 'Period 10');
    for (const t of fine.Timestamps!) assert.equal(t.getTime() % 10_000, 0, `${t.toISOString()} is on 10 s of the clock`);
  });

  it('results are newest first by default and oldest first with ScanBy TimestampAscending', async () => {
    const range = { StartTime: new Date(t0 - 3_000), EndTime: new Date(t1 + 3_000) };
    const q = [stat('m', 'Invocations', 'Sum', fnDims, 1), { Id: 'f', Expression: 'FILL(m, 0)' }];
    const times = (r: Map<string, MetricDataResult>, id: string) => r.get(id)!.Timestamps!.map((t) => t.getTime());
    const desc = await query(q, range);
    const asc = await query(q, { ...range, ScanBy: 'TimestampAscending' });
    for (const id of ['m', 'f']) {
      const up = times(asc, id);
      assert.ok(up.length >= (id === 'f' ? 6 : 1), `${id}: ${up.length} points`);
      assert.deepEqual(up, [...up].sort((x, y) => x - y), `${id} ascending`);
      assert.deepEqual(times(desc, id), [...up].reverse(), `${id} descending by default`);
      assert.deepEqual(desc.get(id)!.Values, [...asc.get(id)!.Values!].reverse(), `${id}: values follow their timestamps`);
    }
  });

  it('FILL(m1, 0) fills every empty period of the window with 0', async () => {
    // Whole seconds: StartTime and EndTime are rounded down to the 1 s period.
    const start = Math.floor(t0 / 1000) * 1000 - 10_000;
    const end = start + 30_000;
    const r = await query(
      [
        stat('m1', 'Invocations', 'Sum', versionDims('2'), 1, { ReturnData: false }),
        { Id: 'filled', Expression: 'FILL(m1, 0)', Label: 'filled' },
        stat('raw', 'Invocations', 'Sum', versionDims('2'), 1),
      ],
      { StartTime: new Date(start), EndTime: new Date(end), ScanBy: 'TimestampAscending' },
    );
    assert.equal(r.has('m1'), false, 'ReturnData false hides a query');
    const filled = r.get('filled')!;
    const raw = r.get('raw')!;
    assert.equal(filled.Label, 'filled');
    assert.equal(filled.Values!.length, 30, 'one point per second of the 30 s window');
    assert.deepEqual(
      filled.Timestamps!.map((t) => t.getTime()),
      Array.from({ length: 30 }, (_, k) => start + k * 1000),
    );
    const rawAt = new Map(raw.Timestamps!.map((t, k) => [t.getTime(), raw.Values![k]]));
    filled.Timestamps!.forEach((t, k) => assert.equal(filled.Values![k], rawAt.get(t.getTime()) ?? 0));
    assert.equal(total(filled), observed['2'].invocations);
    assert.ok(filled.Values!.filter((x) => x === 0).length >= 10, 'the 10 s before the burst are zeros');
  });

  it('metric math: 100*e/FILL(i,0) is the error rate in percent; division by zero gives no point', async () => {
    const r = await query([
      stat('i', 'Invocations', 'Sum', versionDims('2'), 300, { ReturnData: false }),
      stat('e', 'Errors', 'Sum', versionDims('2'), 300, { ReturnData: false }),
      { Id: 'rate', Expression: '100*e/FILL(i,0)', Label: 'error %' },
      { Id: 'ok_rate', Expression: '100 * (i - e) / i' },
      stat('i1', 'Invocations', 'Sum', versionDims('1'), 300, { ReturnData: false }),
      stat('e1', 'Errors', 'Sum', versionDims('1'), 300, { ReturnData: false }),
      { Id: 'rate1', Expression: '100*e1/FILL(i1,0)' },
      stat('nothing', 'Invocations', 'Sum', versionDims('9'), 300, { ReturnData: false }),
      { Id: 'nan', Expression: 'FILL(nothing, 0) / FILL(nothing, 0)' },
    ]);
    const expected = (100 * observed['2'].errors) / observed['2'].invocations;
    assert.equal(r.get('rate')!.Values!.length, 1);
    assert.ok(Math.abs(r.get('rate')!.Values![0] - expected) < 1e-9, `${r.get('rate')!.Values![0]} vs ${expected}`);
    assert.equal(r.get('rate')!.Label, 'error %');
    assert.ok(Math.abs(r.get('ok_rate')!.Values![0] - (100 - expected)) < 1e-9);
    assert.deepEqual(r.get('rate1')!.Values, [0]);
    assert.deepEqual(r.get('nan')!.Values, [], '0/0 yields no datapoint');
  });

  it('ONE request answers many queries for every version, in request order', async () => {
    const queries: MetricDataQuery[] = [];
    for (const v of ['1', '2', '3']) {
      queries.push(
        stat(`ri_${v}`, 'Invocations', 'Sum', versionDims(v), 60, { ReturnData: false }),
        stat(`re_${v}`, 'Errors', 'Sum', versionDims(v), 60, { ReturnData: false }),
        { Id: `inv_${v}`, Expression: `FILL(ri_${v}, 0)` },
        { Id: `err_${v}`, Expression: `FILL(re_${v}, 0)` },
        stat(`davg_${v}`, 'Duration', 'Average', versionDims(v)),
        stat(`dp99_${v}`, 'Duration', 'p99', versionDims(v)),
      );
    }
    queries.push(stat('rthr', 'Throttles', 'Sum', fnDims, 60, { ReturnData: false }), { Id: 'thr', Expression: 'FILL(rthr, 0)' });
    const out = await h().cloudwatch.send(new GetMetricDataCommand({ ...window(), MetricDataQueries: queries, ScanBy: 'TimestampAscending' }));
    const ids = (out.MetricDataResults ?? []).map((r) => r.Id);
    assert.deepEqual(ids, queries.filter((q) => q.ReturnData !== false).map((q) => q.Id));
    const byId = new Map((out.MetricDataResults ?? []).map((r) => [r.Id!, r]));
    assert.equal(total(byId.get('inv_1')), observed['1'].invocations);
    assert.equal(total(byId.get('inv_2')), observed['2'].invocations);
    assert.equal(total(byId.get('err_2')), observed['2'].errors);
    assert.equal(total(byId.get('inv_3')), 0);
    assert.equal(byId.get('inv_3')!.Values!.length, 5, 'FILL gives the 5 minutes of the window even without data');
    assert.deepEqual(byId.get('davg_3')!.Values, []);
  });

  it('invalid requests are ValidationError (400)', async () => {
    await rejects400({ MetricDataQueries: [] }, 'no queries');
    await rejects400({ StartTime: new Date(t0), EndTime: new Date(t0 - 60_000) }, 'EndTime before StartTime');
    await rejects400({ StartTime: new Date(t0), EndTime: new Date(t0) }, 'empty window');
    await rejects400({ MetricDataQueries: [stat('Bad', 'Invocations', 'Sum', fnDims)] }, 'Id starting upper case');
    await rejects400({ MetricDataQueries: [stat('a-b', 'Invocations', 'Sum', fnDims)] }, 'Id with a dash');
    await rejects400({ MetricDataQueries: [stat('a', 'Invocations', 'Sum', fnDims), stat('a', 'Errors', 'Sum', fnDims)] }, 'duplicate Id');
    for (const period of [0, 7, 61, 90]) await rejects400({ MetricDataQueries: [stat('m', 'Invocations', 'Sum', fnDims, period)] }, `Period ${period}`);
    for (const s of ['Median', 'p101', 'sum', '']) await rejects400({ MetricDataQueries: [stat('m', 'Invocations', s, fnDims)] }, `Stat ${s}`);
    await rejects400({ MetricDataQueries: [{ Id: 'x', Expression: 'FILL(nope, 0)' }] }, 'unknown id in an expression');
    await rejects400({ MetricDataQueries: [{ Id: 'x', Expression: 'y + 1' }, { Id: 'y', Expression: 'x * 2' }] }, 'circular expressions');
    await rejects400({ MetricDataQueries: [stat('m', 'Invocations', 'Sum', fnDims), { Id: 'x', Expression: 'm +' }] }, 'truncated expression');
    await rejects400({ MetricDataQueries: [stat('m', 'Invocations', 'Sum', fnDims), { Id: 'x', Expression: 'RATE(m)' }] }, 'unsupported function');
    await rejects400({ MetricDataQueries: [{ Id: 'x' }] }, 'neither MetricStat nor Expression');
    await rejects400(
      { StartTime: new Date(t0 - 365 * 86_400_000), EndTime: new Date(t0), MetricDataQueries: [stat('m', 'Invocations', 'Sum', fnDims, 1, { ReturnData: false }), { Id: 'f', Expression: 'FILL(m, 0)' }] },
      'FILL over a year at 1 s',
    );
  });

  it('ListMetrics lists the ExecutedVersion series of the alias', async () => {
    const out = await h().cloudwatch.send(
      new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: fn }, { Name: 'ExecutedVersion' }] }),
    );
    const series = (out.Metrics ?? []).map((m) => Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])));
    assert.deepEqual(
      series.sort((a, b) => String(a.ExecutedVersion).localeCompare(String(b.ExecutedVersion))),
      [
        { FunctionName: fn, Resource: `${fn}:live`, ExecutedVersion: '1' },
        { FunctionName: fn, Resource: `${fn}:live`, ExecutedVersion: '2' },
      ],
    );
    assert.ok((out.Metrics ?? []).every((m) => m.Namespace === 'AWS/Lambda' && m.MetricName === 'Invocations'));

    const all = await h().cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: fn }] }));
    const names = new Set((all.Metrics ?? []).map((m) => m.MetricName));
    for (const m of ['Invocations', 'Errors', 'Duration']) assert.ok(names.has(m), `${m} listed`);
    const resources = new Set((all.Metrics ?? []).flatMap((m) => (m.Dimensions ?? []).filter((d) => d.Name === 'Resource').map((d) => d.Value)));
    assert.deepEqual([...resources].sort(), [`${fn}:1`, `${fn}:live`]);

    const unfiltered = await h().cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Invocations' }));
    assert.ok((unfiltered.Metrics ?? []).some((m) => (m.Dimensions ?? []).length === 0), 'the across-all-functions series is listed');
    assert.ok((unfiltered.Metrics ?? []).some((m) => m.Dimensions?.length === 1 && m.Dimensions[0].Value === other));

    const none = await h().cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/EC2' }));
    assert.deepEqual(none.Metrics ?? [], []);
  });

  it('a throttled Invoke is TooManyRequestsException (429) and counts in Throttles, not Invocations', async () => {
    const throttled = 'metrics-throttled';
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: throttled, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': V1 }) } }));
    sandbox.settle();
    await lambda.send(new InvokeCommand({ FunctionName: throttled, Payload: Buffer.from('{"i":1}') }));
    sandbox.faults.add({ operation: 'Invoke', kind: 'throttle' });
    try {
      await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: throttled, Payload: Buffer.from('{"i":2}') })), (e: AwsErr) => {
        assert.equal(e.name, 'TooManyRequestsException');
        assert.equal(e.$metadata?.httpStatusCode, 429);
        return true;
      });
    } finally {
      sandbox.faults.clear();
    }
    await lambda.send(new InvokeCommand({ FunctionName: throttled, Payload: Buffer.from('{"i":3}') }));
    const dims = [{ Name: 'FunctionName', Value: throttled }];
    const r = await query(
      [stat('thr', 'Throttles', 'Sum', dims, 300), stat('inv', 'Invocations', 'Sum', dims, 300), stat('dur', 'Duration', 'SampleCount', dims, 300), stat('thrAll', 'Throttles', 'Sum', fnDims, 300)],
      { StartTime: new Date(t0 - 60_000), EndTime: new Date(t0 + 240_000) },
    );
    assert.equal(total(r.get('thr')), 1);
    assert.equal(total(r.get('inv')), 2);
    assert.equal(total(r.get('dur')), 2, 'a throttled call has no duration');
    assert.equal(total(r.get('thrAll')), 0, 'other functions are not throttled');
  });
});
