/**
 * CloudWatch's Query protocol (a form posted to `/`, XML answers), which older AWS CLIs and SDKs
 * speak: hand-signed form requests and the AWS CLI against the same data the SDK v3 client
 * (JSON protocol) reads, so both protocols are seen to give one answer.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/sandbox';
import { ROLE, sdkFetch, sdkHeaders, useSandbox } from './helpers';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** The results of a GetMetricData XML reply, in the members' order of CloudWatch's model. */
function xmlResults(xml: string): Array<{ id: string; label: string; timestamps: number[]; values: number[]; status: string }> {
  const members = /<member><Id>([^<]*)<\/Id><Label>([^<]*)<\/Label><Timestamps>(.*?)<\/Timestamps><Values>(.*?)<\/Values><StatusCode>([^<]*)<\/StatusCode>/g;
  const items = (s: string) => [...s.matchAll(/<member>([^<]*)<\/member>/g)].map((m) => m[1]);
  return [...xml.matchAll(members)].map((m) => ({
    id: m[1],
    label: m[2],
    timestamps: items(m[3]).map((t) => Date.parse(t)),
    values: items(m[4]).map(Number),
    status: m[5],
  }));
}

/** The AWS CLIs here: a given one, Debian's (botocore of the Query era), the one on PATH. */
function awsClis(): string[] {
  const found = new Set<string>();
  const candidates = [process.env.LAMBDA_CANARY_AWS_CLI, '/usr/bin/aws', ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'aws'))];
  for (const c of candidates) {
    if (!c) continue;
    try {
      fs.accessSync(c, fs.constants.X_OK);
      found.add(c);
    } catch {
      // not there
    }
  }
  return [...found].slice(0, 2);
}

describe('CloudWatch Query protocol (form requests, XML replies)', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 0 });
  const fn = 'query-fn';
  const dims = [
    { Name: 'FunctionName', Value: fn },
    { Name: 'Resource', Value: `${fn}:live` },
  ];
  let t0 = 0;
  let start = 0;
  let end = 0;

  const queries: MetricDataQuery[] = [
    { Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims }, Period: 60, Stat: 'Sum' }, Label: 'calls <&> "v1"', ReturnData: false },
    { Id: 'filled', Expression: 'FILL(inv, 0)', Label: 'filled' },
    { Id: 'errs', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dims }, Period: 60, Stat: 'Sum' } },
  ];

  /** The same queries as a Query form, as botocore encodes them. */
  function form(extra: Record<string, string> = {}): URLSearchParams {
    const p = new URLSearchParams({ Action: 'GetMetricData', Version: '2010-08-01', StartTime: new Date(start).toISOString(), EndTime: new Date(end).toISOString(), ScanBy: 'TimestampAscending' });
    queries.forEach((q, i) => {
      const m = `MetricDataQueries.member.${i + 1}`;
      p.set(`${m}.Id`, q.Id!);
      if (q.Label) p.set(`${m}.Label`, q.Label);
      if (q.ReturnData !== undefined) p.set(`${m}.ReturnData`, String(q.ReturnData));
      if (q.Expression) p.set(`${m}.Expression`, q.Expression);
      if (q.MetricStat) {
        p.set(`${m}.MetricStat.Metric.Namespace`, q.MetricStat.Metric!.Namespace!);
        p.set(`${m}.MetricStat.Metric.MetricName`, q.MetricStat.Metric!.MetricName!);
        q.MetricStat.Metric!.Dimensions!.forEach((d, k) => {
          p.set(`${m}.MetricStat.Metric.Dimensions.member.${k + 1}.Name`, d.Name!);
          p.set(`${m}.MetricStat.Metric.Dimensions.member.${k + 1}.Value`, d.Value!);
        });
        p.set(`${m}.MetricStat.Period`, String(q.MetricStat.Period));
        p.set(`${m}.MetricStat.Stat`, q.MetricStat.Stat!);
      }
    });
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return p;
  }

  /** What the SDK v3 client (JSON protocol) reads for the same queries. */
  async function viaSdk() {
    const out = await h().cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(end), MetricDataQueries: queries, ScanBy: 'TimestampAscending' }));
    return (out.MetricDataResults ?? []).map((r) => ({ id: r.Id!, label: r.Label!, timestamps: r.Timestamps!.map((t) => t.getTime()), values: r.Values!, status: r.StatusCode! }));
  }

  before(async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async (e) => { if (e.fail) throw new Error("no"); return 1; };\n' }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1' }));
    t0 = Date.now();
    for (let i = 0; i < 12; i++) await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live', Payload: Buffer.from(JSON.stringify({ fail: i % 4 === 0 })) }));
    // Whole seconds (ISO 8601 without a fraction, as the CLI takes them), the minutes around the calls.
    start = Math.floor(t0 / 1000) * 1000 - 120_000;
    end = Math.floor(t0 / 1000) * 1000 + 120_000;
  });

  it('a hand-signed form GetMetricData is answered in XML, with what the JSON protocol answers', async () => {
    const { sandbox } = h();
    const res = await sdkFetch(sandbox, '/', { method: 'POST', headers: { ...sdkHeaders(sandbox, 'monitoring'), ...FORM }, body: form().toString() });
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    assert.equal(res.headers.get('content-type'), 'text/xml');
    assert.ok(xml.startsWith('<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member><Id>filled</Id>'), xml.slice(0, 200));
    assert.match(xml, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetMetricDataResponse>$/);
    assert.equal(xml.match(/<RequestId>([^<]+)</)![1], res.headers.get('x-amzn-requestid'));
    // Timestamps in ISO 8601, as the Query protocol has them.
    assert.match(xml, /<Timestamps><member>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z<\/member>/);
    const viaQuery = xmlResults(xml);
    const sdk = await viaSdk();
    assert.deepEqual(viaQuery, sdk);
    assert.deepEqual(
      viaQuery.map((r) => r.id),
      ['filled', 'errs'],
      'ReturnData false hides inv',
    );
    assert.equal(
      viaQuery[0].values.reduce((a, b) => a + b, 0),
      12,
    );
    assert.equal(
      viaQuery[1].values.reduce((a, b) => a + b, 0),
      3,
    );
  });

  it('labels with markup are escaped in the XML', async () => {
    const { sandbox } = h();
    const p = form({ 'MetricDataQueries.member.1.ReturnData': 'true' });
    const res = await sdkFetch(sandbox, '/', { method: 'POST', headers: { ...sdkHeaders(sandbox, 'monitoring'), ...FORM }, body: p.toString() });
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    assert.ok(xml.includes('<Label>calls &lt;&amp;&gt; &quot;v1&quot;</Label>'), xml);
  });

  it('ListMetrics through a form lists what the SDK lists', async () => {
    const { sandbox, cloudwatch } = h();
    const body = new URLSearchParams({ Action: 'ListMetrics', Version: '2010-08-01', Namespace: 'AWS/Lambda', MetricName: 'Errors', 'Dimensions.member.1.Name': 'Resource', 'Dimensions.member.1.Value': `${fn}:live` });
    const res = await sdkFetch(sandbox, '/', { method: 'POST', headers: { ...sdkHeaders(sandbox, 'monitoring'), ...FORM }, body: body.toString() });
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    assert.ok(xml.startsWith('<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult><Metrics><member><Namespace>AWS/Lambda</Namespace><MetricName>Errors</MetricName><Dimensions><member><Name>'), xml);
    const fromXml = [...xml.matchAll(/<member><Namespace>([^<]*)<\/Namespace><MetricName>([^<]*)<\/MetricName><Dimensions>(.*?)<\/Dimensions><\/member>/g)].map((m) => ({
      Namespace: m[1],
      MetricName: m[2],
      Dimensions: [...m[3].matchAll(/<member><Name>([^<]*)<\/Name><Value>([^<]*)<\/Value><\/member>/g)].map((d) => ({ Name: d[1], Value: d[2] })),
    }));
    const sdk = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'Resource', Value: `${fn}:live` }] }));
    assert.deepEqual(fromXml, sdk.Metrics);
    assert.equal(fromXml.length, 2, 'the alias, and the alias per executed version');
  });

  it('an error is the Query protocol\'s XML ErrorResponse with AWS\'s code', async () => {
    const { sandbox } = h();
    const res = await sdkFetch(sandbox, '/', { method: 'POST', headers: { ...sdkHeaders(sandbox, 'monitoring'), ...FORM }, body: form({ StartTime: new Date(end).toISOString() }).toString() });
    const xml = await res.text();
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'text/xml');
    assert.match(
      xml,
      /^<ErrorResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>ValidationError<\/Code><Message>The parameter StartTime must be less than the parameter EndTime\.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('a fault armed for GetMetricData applies to the Query protocol too', async () => {
    const { sandbox } = h();
    sandbox.faults.add({ operation: 'GetMetricData', kind: 'error', times: 1 });
    const res = await sdkFetch(sandbox, '/', { method: 'POST', headers: { ...sdkHeaders(sandbox, 'monitoring'), ...FORM }, body: form().toString() });
    const xml = await res.text();
    assert.equal(res.status, 500);
    assert.match(xml, /<Type>Receiver<\/Type><Code>ServiceException<\/Code><Message>Injected fault: GetMetricData failed/);
    assert.equal(sandbox.faults.pending, 0);
  });

  const run = promisify(execFile);
  const clis = awsClis();
  if (clis.length === 0) {
    it('the AWS CLI reads the same metrics (skipped: no aws on this machine)', function () {
      if (process.env.CI) throw new Error('The AWS CLI is not installed (CI is set, so this test may not skip): apt-get install awscli, or set LAMBDA_CANARY_AWS_CLI.');
      this.skip();
    });
  }
  for (const cli of clis) {
    it(`the AWS CLI (${cli}) reads the same metrics as the SDK, in whichever protocol its botocore speaks`, async () => {
      const { sandbox } = h();
      const env = { ...process.env, AWS_ACCESS_KEY_ID: sandbox.accessKeyId ?? 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: sandbox.region, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' };
      const args = ['cloudwatch', 'get-metric-data', '--endpoint-url', sandbox.endpoint, '--output', 'json', '--debug'];
      args.push('--start-time', new Date(start).toISOString().replace('.000Z', 'Z'), '--end-time', new Date(end).toISOString().replace('.000Z', 'Z'), '--scan-by', 'TimestampAscending');
      args.push('--metric-data-queries', JSON.stringify(queries));
      const { stdout, stderr } = await run(cli, args, { env, maxBuffer: 16 * 1024 * 1024, timeout: 45_000 });
      const out = JSON.parse(stdout) as { MetricDataResults: Array<{ Id: string; Label: string; Timestamps: Array<string | number>; Values: number[]; StatusCode: string }> };
      // The CLI prints timestamps as it parsed them: ISO 8601 from XML, epoch seconds from JSON.
      const time = (t: string | number) => (typeof t === 'number' ? t * 1000 : Date.parse(t));
      const viaCli = out.MetricDataResults.map((r) => ({ id: r.Id, label: r.Label, timestamps: r.Timestamps.map(time), values: r.Values, status: r.StatusCode }));
      assert.deepEqual(viaCli, await viaSdk());
      const protocol = /'Content-Type': b?'application\/x-www-form-urlencoded/.test(stderr) ? 'query' : /'Content-Type': b?'application\/x-amz-json-1\.0/.test(stderr) ? 'json' : 'other';
      assert.notEqual(protocol, 'other', `the CLI spoke a protocol the sandbox does not: ${stderr.slice(0, 500)}`);
      if (protocol === 'query') assert.match(stderr, /Response headers: \{[^}]*'content-type': 'text\/xml'/, 'answered in XML');
    });
  }
});
