/**
 * Hostile CloudWatch requests: Query-protocol forms a page could post or no SDK sends,
 * operation names that are Object.prototype's, and queries asking unbounded work of the engine
 * (which shares its event loop with the extension host) or chaining references to overflow it. Each is refused with a clear error in the shape
 * of the protocol asked (XML for forms), and nothing changed: the functions, faults and
 * recorded metrics are as before, and no handler ran.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/sandbox';
import type { RawReply } from './helpers';
import { rawRequest, ROLE, sdkHeaders, useSandbox } from './helpers';

type Reply = RawReply;
const send = rawRequest;

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const GOOD = {
  Action: 'GetMetricData',
  Version: '2010-08-01',
  StartTime: '2026-12-01T09:00:00Z',
  EndTime: '2026-12-01T10:00:00Z',
  'MetricDataQueries.member.1.Id': 'm',
  'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'AWS/Lambda',
  'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Invocations',
  'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'FunctionName',
  'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'victim',
  'MetricDataQueries.member.1.MetricStat.Period': '60',
  'MetricDataQueries.member.1.MetricStat.Stat': 'Sum',
};

describe('hostile CloudWatch requests (Query forms, prototype names)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 0, admin: true });
  let baseline = '';
  const state = () => {
    const { sandbox } = h();
    return JSON.stringify({ functions: [...sandbox.store.functions.values()], faults: sandbox.faults.pending, samples: sandbox.metrics.size, environments: sandbox.invoker.environmentCount() });
  };

  before(async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'victim', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;\n' }) } }));
    sandbox.settle();
    await lambda.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from('{}') }));
    baseline = state();
  });

  afterEach(() => assert.equal(state(), baseline, 'functions, faults, metrics and environments are as before'));

  const post = (body: string | Record<string, string>, headers: Record<string, string> = sdkHeaders(h().sandbox, 'monitoring')) =>
    send(h().sandbox, 'POST', '/', { ...headers, ...FORM }, typeof body === 'string' ? body : new URLSearchParams(body).toString());

  /** An XML ErrorResponse of the Query protocol with this status, code and message. */
  function refusedXml(r: Reply, status: number, code: string, message: RegExp): void {
    assert.equal(r.status, status, r.body);
    assert.equal(r.headers['content-type'], 'text/xml', r.body);
    const m = /^<ErrorResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><Error><Type>(Sender|Receiver)<\/Type><Code>([^<]*)<\/Code><Message>([^<]*)<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/.exec(r.body);
    assert.ok(m, r.body);
    assert.equal(m[1], status >= 500 ? 'Receiver' : 'Sender');
    assert.equal(m[2], code);
    assert.match(m[3], message);
  }

  it('an unsigned form (what a page can post): 403 MissingAuthenticationTokenException', async () => {
    refusedXml(await post(GOOD, {}), 403, 'MissingAuthenticationTokenException', /Signature Version 4/);
  });

  it('a form carrying a page\'s Origin, even signed: 403 AccessDeniedException naming the Origin', async () => {
    refusedXml(await post(GOOD, { ...sdkHeaders(h().sandbox, 'monitoring'), origin: 'http://attacker.example' }), 403, 'AccessDeniedException', /Origin http:\/\/attacker\.example/);
  });

  it('a signed form to a Lambda path: still 415, forms are taken only for CloudWatch at /', async () => {
    const r = await send(h().sandbox, 'POST', '/2015-03-31/functions/victim/invocations', { ...sdkHeaders(h().sandbox), ...FORM }, 'a=b');
    assert.equal(r.status, 415, r.body);
    assert.equal(r.headers['x-amzn-errortype'], 'UnsupportedMediaTypeException');
  });

  it('no Action, or an empty body: 400 MissingAction', async () => {
    refusedXml(await post(''), 400, 'MissingAction', /parameter Action \(GetMetricData, ListMetrics, PutMetricAlarm, DescribeAlarms, DeleteAlarms\)/);
    refusedXml(await post({ Version: '2010-08-01' }), 400, 'MissingAction', /Action/);
  });

  it('an Action the sandbox does not answer, or one of Object.prototype\'s names: 400 InvalidAction', async () => {
    for (const action of ['PutMetricData', 'SetAlarmState', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      refusedXml(await post({ ...GOOD, Action: action }), 400, 'InvalidAction', new RegExp(`The action ${action} is not valid for this web service: the sandbox answers GetMetricData, ListMetrics, PutMetricAlarm, DescribeAlarms, DeleteAlarms`));
    }
  });

  it('a JSON call naming one of Object.prototype\'s names as its target: 400 UnknownOperationException, not an echo', async () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__']) {
      const r = await send(h().sandbox, 'POST', '/', { ...sdkHeaders(h().sandbox, 'monitoring'), 'x-amz-target': `GraniteServiceVersion20100801.${name}`, 'content-type': 'application/x-amz-json-1.0' }, '{"a":1}');
      assert.equal(r.status, 400, `${name}: ${r.body}`);
      assert.equal(JSON.parse(r.body).__type, 'UnknownOperationException');
      assert.match(JSON.parse(r.body).message, new RegExp(`operation ${name} is not supported`));
    }
  });

  it('a missing or other Version: 400 MissingParameter / InvalidParameterValue naming 2010-08-01', async () => {
    const { Version: _v, ...noVersion } = GOOD;
    refusedXml(await post(noVersion), 400, 'MissingParameter', /parameter Version \(2010-08-01\)/);
    refusedXml(await post({ ...GOOD, Version: '2009-05-15' }), 400, 'InvalidParameterValue', /Version 2009-05-15 is not supported: .* version 2010-08-01/);
  });

  it('a parameter given twice (which one would count?): 400 InvalidParameterValue naming it', async () => {
    const body = `${new URLSearchParams(GOOD).toString()}&StartTime=2026-11-01T00:00:00Z`;
    refusedXml(await post(body), 400, 'InvalidParameterValue', /The parameter StartTime is given more than once/);
    refusedXml(await post(`Action=ListMetrics&Action=GetMetricData&Version=2010-08-01`), 400, 'InvalidParameterValue', /Action is given more than once/);
  });

  it('a misspelt member (a dropped dimension would answer about another metric): 400 naming it', async () => {
    const misspelt = { ...GOOD, 'MetricDataQueries.member.1.MetricStat.Metric.Dimension.member.1.Name': 'Resource' };
    refusedXml(await post(misspelt), 400, 'InvalidParameterValue', /GetMetricData has no parameter MetricDataQueries\.member\.1\.MetricStat\.Metric\.Dimension\.member\.1\.Name/);
    refusedXml(await post({ ...GOOD, 'metricdataqueries.member.2.Id': 'x' }), 400, 'InvalidParameterValue', /no parameter metricdataqueries\.member\.2\.Id/);
    refusedXml(await post({ Action: 'ListMetrics', Version: '2010-08-01', Namespace: 'AWS/Lambda', 'Dimensions.member.1.Nam': 'FunctionName' }), 400, 'InvalidParameterValue', /ListMetrics has no parameter Dimensions\.member\.1\.Nam/);
  });

  it('a list with a gap (member.1, member.3): 400 naming the member past the gap', async () => {
    const gap = { ...GOOD, 'MetricDataQueries.member.3.Id': 'e', 'MetricDataQueries.member.3.Expression': 'm' };
    refusedXml(await post(gap), 400, 'InvalidParameterValue', /no parameter MetricDataQueries\.member\.3\.(Id|Expression) \(nor 1 more\)/);
  });

  it('a timestamp that is not ISO 8601 (a date word, epoch seconds, no zone): 400 naming the form to use', async () => {
    for (const t of ['yesterday', '1796115720', '2026-12-01 09:00:00', '2026-12-01T09:00:00', '2026-13-01T09:00:00Z']) {
      refusedXml(await post({ ...GOOD, StartTime: t }), 400, 'InvalidParameterValue', /of StartTime is not an ISO 8601 timestamp such as 2026-12-01T09:30:00Z/);
    }
  });

  it('numbers and booleans of the wrong form: 400 naming the parameter', async () => {
    for (const p of ['60.5', '1e3', '', ' 60', '0x3c']) {
      refusedXml(await post({ ...GOOD, 'MetricDataQueries.member.1.MetricStat.Period': p }), 400, 'InvalidParameterValue', /MetricDataQueries\.member\.1\.MetricStat\.Period is not an integer/);
    }
    for (const b of ['yes', 'TRUE', '1']) {
      refusedXml(await post({ ...GOOD, 'MetricDataQueries.member.1.ReturnData': b }), 400, 'InvalidParameterValue', /ReturnData is not a boolean \(true or false\)/);
    }
  });

  it('the engine\'s own checks answer in XML: a bad Period, too many queries', async () => {
    refusedXml(await post({ ...GOOD, 'MetricDataQueries.member.1.MetricStat.Period': '45' }), 400, 'ValidationError', /Period must be 1, 5, 10, 20, 30, 60 or a multiple of 60/);
    const many: Record<string, string> = { Action: 'GetMetricData', Version: '2010-08-01', StartTime: GOOD.StartTime, EndTime: GOOD.EndTime };
    for (let i = 1; i <= 501; i++) {
      many[`MetricDataQueries.member.${i}.Id`] = `m${i}`;
      many[`MetricDataQueries.member.${i}.Expression`] = 'm1';
    }
    refusedXml(await post(many), 400, 'ValidationError', /must not have a size greater than 500/);
  });

  it('a label of markup and control characters comes back as text, and the reply stays XML', async () => {
    const label = '</Label><Id>injected</Id>\u0001\u0000\r\n"\'&\uD800';
    const r = await post({ ...GOOD, 'MetricDataQueries.member.1.Label': label });
    assert.equal(r.status, 200, r.body);
    assert.equal((r.body.match(/<Id>/g) ?? []).length, 1, 'one result, no injected element');
    assert.ok(r.body.includes('<Label>&lt;/Label&gt;&lt;Id&gt;injected&lt;/Id&gt;\uFFFD\uFFFD&#13;\n&quot;&apos;&amp;\uFFFD</Label>'), r.body);
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot carry
    assert.doesNotMatch(r.body, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/, 'no character XML 1.0 cannot carry');
  });

  it('a form of more parameters than 500 queries can hold: 400, refused while decoding', async () => {
    const body = `Action=GetMetricData&Version=2010-08-01&${Array.from({ length: 200_001 }, (_, i) => `x${i}=1`).join('&')}`;
    refusedXml(await post(body), 400, 'InvalidParameterValue', /more than 200000 parameters/);
  });

  describe('work a call may ask: bounded, refused at once beyond the limits, no recursion', () => {
    const now = () => Date.now();
    const fnDims = [{ Name: 'FunctionName', Value: 'victim' }];
    const hidden = (Id: string, Period: number): MetricDataQuery => ({ Id, ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: fnDims }, Period, Stat: 'Sum' } });
    const fills = (n: number) => Array(n).fill('FILL(m,0)').join('+');

    /** The call's answer or error, how long it took, and the longest the event loop was held meanwhile. */
    async function timed(input: GetMetricDataCommandInput): Promise<{ out?: GetMetricDataCommandOutput; err?: { name: string; message: string; $metadata?: { httpStatusCode?: number } }; ms: number; maxDelayMs: number }> {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const t = performance.now();
      try {
        const out = await h().cloudwatch.send(new GetMetricDataCommand(input));
        return { out, ms: performance.now() - t, maxDelayMs: delay.max / 1e6 };
      } catch (err) {
        return { err: err as { name: string; message: string }, ms: performance.now() - t, maxDelayMs: delay.max / 1e6 };
      } finally {
        delay.disable();
      }
    }

    function refused(r: Awaited<ReturnType<typeof timed>>, message: RegExp): void {
      assert.ok(r.err, `answered instead of refused: ${JSON.stringify(r.out?.MetricDataResults?.length)}`);
      assert.equal(r.err.$metadata?.httpStatusCode, 400, `${r.err.name}: ${r.err.message}`);
      assert.equal(r.err.name, 'ValidationException', r.err.message);
      assert.match(r.err.message, message);
      // Refused before any of the work: generous bounds, the point is minutes against milliseconds.
      assert.ok(r.ms < 2000, `refused after ${Math.round(r.ms)} ms`);
      assert.ok(r.maxDelayMs < 1000, `the event loop was held ${Math.round(r.maxDelayMs)} ms`);
    }

    it('40 queries of FILL(m,0) ×20 at Period 1 over 100,000 s (held the loop 40 s): 400 at once, naming the 4,000,000 datapoints asked', async () => {
      const queries = [hidden('m', 1), ...Array.from({ length: 40 }, (_, i) => ({ Id: `e${i}`, Expression: fills(20) }))];
      refused(await timed({ StartTime: new Date(now() - 100_000_000), EndTime: new Date(now()), MetricDataQueries: queries }), /You have requested up to 4000000 datapoints, which exceeds the limit of 100800\. You may reduce the datapoints requested by increasing Period, or decreasing the time range\./);
    });

    it('the same as a Query-protocol form: the XML error, at once', async () => {
      const form: Record<string, string> = { Action: 'GetMetricData', Version: '2010-08-01', StartTime: new Date(now() - 100_000_000).toISOString(), EndTime: new Date(now()).toISOString() };
      Object.assign(form, { 'MetricDataQueries.member.1.Id': 'm', 'MetricDataQueries.member.1.ReturnData': 'false', 'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'AWS/Lambda', 'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Invocations', 'MetricDataQueries.member.1.MetricStat.Period': '1', 'MetricDataQueries.member.1.MetricStat.Stat': 'Sum' });
      for (let i = 2; i <= 41; i++) Object.assign(form, { [`MetricDataQueries.member.${i}.Id`]: `e${i}`, [`MetricDataQueries.member.${i}.Expression`]: fills(20) });
      const t = performance.now();
      refusedXml(await post(form), 400, 'ValidationError', /You have requested up to 4000000 datapoints, which exceeds the limit of 100800/);
      assert.ok(performance.now() - t < 2000);
    });

    it('500 returned MetricStats at Period 1 over 3 hours: the budget is the whole call, not each query', async () => {
      const queries = Array.from({ length: 500 }, (_, i) => ({ ...hidden(`m${i}`, 1), ReturnData: true }));
      refused(await timed({ StartTime: new Date(now() - 3 * 3_600_000), EndTime: new Date(now()), MetricDataQueries: queries }), /requested up to 5400000 datapoints, which exceeds the limit of 100800/);
    });

    it('one returned series computed through 200 FILLs of a hidden query: the steps on the way count, refused at once', async () => {
      const r = await timed({ StartTime: new Date(now() - 10_000_000), EndTime: new Date(now()), MetricDataQueries: [hidden('m', 1), { Id: 'e', Expression: fills(200) }] });
      refused(r, /takes up to 4010000 datapoints \(hidden queries and each FILL or operator of an expression included\), which exceeds the sandbox's limit of 1008000/);
    });

    it('500 queries, each nesting the next 600 parentheses deep (a stack overflow, 500): answered', async () => {
      const chain: MetricDataQuery[] = Array.from({ length: 499 }, (_, i) => ({ Id: `q${i}`, Expression: `${'('.repeat(600)}q${i + 1}${')'.repeat(600)}`, ReturnData: i === 0 }));
      chain.push(hidden('q499', 60));
      const r = await timed({ StartTime: new Date(now() - 3_600_000), EndTime: new Date(now() + 60_000), MetricDataQueries: chain });
      assert.equal(r.err, undefined, r.err?.message);
      assert.deepEqual(r.out?.MetricDataResults?.map((x) => [x.Id, x.Values?.reduce((a, b) => a + b, 0)]), [['q0', 1]], 'the one invocation, through 500 references');
      assert.ok(r.maxDelayMs < 1000, `the event loop was held ${Math.round(r.maxDelayMs)} ms`);
    });

    it('the same chain closed into a circle: 400 naming the circular reference, not a 500', async () => {
      const circle: MetricDataQuery[] = Array.from({ length: 500 }, (_, i) => ({ Id: `q${i}`, Expression: `${'('.repeat(600)}q${(i + 1) % 500}${')'.repeat(600)}` }));
      refused(await timed({ StartTime: new Date(now() - 3_600_000), EndTime: new Date(now()), MetricDataQueries: circle }), /^Circular reference at query id q0\.$/);
      refused(await timed({ StartTime: new Date(now() - 3_600_000), EndTime: new Date(now()), MetricDataQueries: [{ Id: 'selfish', Expression: `${'('.repeat(1000)}selfish${')'.repeat(1000)}` }] }), /^Circular reference at query id selfish\.$/);
    });

    it('a chain 500 deep ending in an unknown id: 400 naming it, not a 500', async () => {
      const chain: MetricDataQuery[] = Array.from({ length: 500 }, (_, i) => ({ Id: `q${i}`, Expression: i === 499 ? 'nowhere + 1' : `${'('.repeat(600)}q${i + 1}${')'.repeat(600)}`, ReturnData: i === 0 }));
      refused(await timed({ StartTime: new Date(now() - 3_600_000), EndTime: new Date(now()), MetricDataQueries: chain }), /^Expression refers to unknown query id nowhere\.$/);
    });

    it('the worst call within the limits (100,800 datapoints returned, 907,200 on the way) answers in bounded time', async () => {
      // Period 1 over 28 hours: 100,800 periods; the hidden query, then 4 FILLs and 3 additions of them.
      const end = Math.floor(now() / 1000) * 1000;
      const r = await timed({ StartTime: new Date(end - 100_800_000), EndTime: new Date(end), MetricDataQueries: [hidden('m', 1), { Id: 'e', Expression: fills(4) }] });
      assert.equal(r.err, undefined, r.err?.message);
      assert.equal(r.out?.MetricDataResults?.[0].Values?.length, 100_800);
      assert.ok(r.ms < 10_000, `${Math.round(r.ms)} ms`);
    });

    describe('with 2,000,000 samples kept (the store\'s cap)', function () {
      this.timeout(60_000);
      const big = useSandbox({ updateDelayMs: 0 });
      const t0 = Date.now();
      before(() => {
        const { sandbox } = big();
        for (let i = 0; i < 2_000_000; i++) {
          sandbox.metrics.record({ time: t0 - 3 * 3_600_000 + Math.floor(i * 5.4), functionName: `f${i % 4}`, resource: `f${i % 4}:live`, executedVersion: String(i % 3), durationMs: (i * 7919) % 1000, error: i % 17 === 0, throttled: i % 101 === 0 });
        }
      });
      const dims = (fn: string) => [{ Name: 'FunctionName', Value: fn }];
      const stat = (Id: string, MetricName: string, Stat: string, fn: string): MetricDataQuery => ({ Id, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions: dims(fn) }, Period: 60, Stat } });

      it('ListMetrics (13 s before) answers from the series index, the loop free', async () => {
        const delay = monitorEventLoopDelay({ resolution: 10 });
        delay.enable();
        const out = await big().cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda' }));
        delay.disable();
        // 1 aggregate + 4 functions + 4 aliases + 12 versions = 21 dimension sets, 4 metrics each.
        assert.equal(out.Metrics?.length, 84);
        assert.ok(delay.max / 1e6 < 1000, `the event loop was held ${Math.round(delay.max / 1e6)} ms`);
      });

      it('100 MetricStat queries (9 s before) answer in bounded time; Duration statistics reading more than ten times the store are refused at once', async () => {
        const queries = Array.from({ length: 100 }, (_, i) => stat(`q${i}`, ['Invocations', 'Errors', 'Throttles'][i % 3], i % 2 ? 'Sum' : 'p90', `f${i % 4}`));
        const t = performance.now();
        const out = await big().cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(t0 - 3 * 3_600_000), EndTime: new Date(t0), MetricDataQueries: queries }));
        assert.equal(out.MetricDataResults?.length, 100);
        assert.ok(performance.now() - t < 5000, `${Math.round(performance.now() - t)} ms`);
        const everything = Array.from({ length: 11 }, (_, i) => `p${90 + i / 2}`).map((p, i) => ({ Id: `d${i}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [] }, Period: 60, Stat: p } }));
        const before = performance.now();
        await assert.rejects(big().cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(t0 - 3 * 3_600_000), EndTime: new Date(t0), MetricDataQueries: everything })), (e: Error) => {
          assert.equal(e.name, 'ValidationException');
          assert.match(e.message, /The Duration statistics asked read \d+ samples, which exceeds the sandbox's limit of 20000000 a request/);
          return true;
        });
        assert.ok(performance.now() - before < 2000);
      });
    });
  });
});
