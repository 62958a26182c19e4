/**
 * Hostile CloudWatch requests: Query-protocol forms a page could post or no SDK sends, and
 * operation names that are Object.prototype's. Each is refused with a clear error in the shape
 * of the protocol asked (XML for forms), and nothing changed: the functions, faults and
 * recorded metrics are as before, and no handler ran.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import type { Sandbox } from '../../src/sandbox';
import { zipFiles } from '../../src/sandbox';
import { ROLE, sdkHeaders, useSandbox } from './helpers';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(sandbox: Sandbox, method: string, pathname: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(`${sandbox.endpoint}${pathname}`, { method, headers: { ...(data ? { 'content-length': String(data.length) } : {}), ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

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
    refusedXml(await post(''), 400, 'MissingAction', /parameter Action \(GetMetricData or ListMetrics\)/);
    refusedXml(await post({ Version: '2010-08-01' }), 400, 'MissingAction', /Action/);
  });

  it('an Action the sandbox does not answer, or one of Object.prototype\'s names: 400 InvalidAction', async () => {
    for (const action of ['PutMetricData', 'DeleteAlarms', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      refusedXml(await post({ ...GOOD, Action: action }), 400, 'InvalidAction', new RegExp(`The action ${action} is not valid for this web service: the sandbox answers GetMetricData and ListMetrics`));
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
});
