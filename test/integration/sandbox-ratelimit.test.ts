/**
 * The sandbox's per-operation rate limit and faults aimed at one function, through the real SDK
 * v3 clients over HTTP (and the standalone CLI, spawned).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, ListApplicationsCommand } from '@aws-sdk/client-codedeploy';
import type { TooManyRequestsException } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, GetAliasCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import type { Sandbox } from '../../src/sandbox';
import { parseFaultArg, startSandbox } from '../../src/sandbox';
import { clientsFor, sdkFetch, sdkHeaders, sleep } from './helpers';
import type { AwsErr } from './lambda-testkit';
import { ARN_PREFIX, createFn, rejectsWith } from './lambda-testkit';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'sandbox', 'cli.js');

type Settled = PromiseSettledResult<unknown>;
const throttledOf = (results: Settled[]) => results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');

describe('sandbox rate limit and per-function faults (real SDK)', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  /** No retries: every refusal reaches the test. */
  let lambda: LambdaClient;

  before(async () => {
    sandbox = await startSandbox({ updateDelayMs: 30, rateLimit: 5, admin: true });
    lambda = clientsFor(sandbox).lambda;
    // Set up with retries, as the limit is already in force.
    const setup = clientsFor(sandbox, { maxAttempts: 6 }).lambda;
    for (const fn of ['fnA', 'fnB']) {
      await createFn(setup, fn);
      const v = await setup.send(new PublishVersionCommand({ FunctionName: fn }));
      await setup.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: v.Version }));
    }
    setup.destroy();
  });
  after(async () => {
    lambda?.destroy();
    await sandbox?.close();
  });
  beforeEach(() => {
    // Full buckets of 5, no faults, fresh counts.
    sandbox.rateLimit.set(5);
    sandbox.rateLimit.resetStats();
    sandbox.faults.clear();
  });

  it('rateLimit 5: a burst of 20 GetAlias (maxAttempts 1) is partly refused, 429 TooManyRequestsException with Retry-After', async () => {
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => lambda.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }))));
    const elapsed = (performance.now() - started) / 1000;
    const refused = throttledOf(results);
    const allowed = results.length - refused.length;
    assert.ok(refused.length >= 1, `some of the burst is refused (${allowed} allowed in ${elapsed.toFixed(2)} s)`);
    assert.ok(allowed >= 5 && allowed <= 5 + Math.ceil(elapsed * 5), `a burst of 5 plus 5 a second: ${allowed} allowed in ${elapsed.toFixed(2)} s`);
    for (const r of refused) {
      const e = r.reason as TooManyRequestsException & AwsErr;
      assert.equal(e.name, 'TooManyRequestsException');
      assert.equal(e.$metadata.httpStatusCode, 429);
      assert.equal(e.message, 'Rate exceeded');
      assert.equal(e.Reason, 'CallerRateLimitExceeded');
      assert.equal(e.Type, 'User');
      assert.equal(e.retryAfterSeconds, '1', 'the SDK reads retryAfterSeconds from the Retry-After header');
      assert.equal(e.$retryable?.throttling, undefined, 'not modeled retryable: the SDK retries it as a throttling error by name');
    }
    assert.deepEqual(sandbox.rateLimit.stats(), { GetAlias: { allowed, throttled: refused.length } });

    // The raw reply, as Lambda sends it.
    const raw = await sdkFetch(sandbox, '/2015-03-31/functions/fnA/aliases/live');
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    assert.equal(raw.headers.get('retry-after'), '1');
    assert.equal(raw.headers.get('content-type'), 'application/json');
    const body = (await raw.json()) as Record<string, unknown>;
    assert.equal(body.Type, 'User');
    assert.equal(body.message, 'Rate exceeded');
    assert.equal(body.Reason, 'CallerRateLimitExceeded');
  });

  it('each operation has its own bucket: an empty GetAlias bucket leaves UpdateAlias and other functions alone only per operation', async () => {
    const gets = await Promise.allSettled(Array.from({ length: 8 }, () => lambda.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }))));
    assert.ok(throttledOf(gets).length >= 1);
    // Same operation, other function: the bucket is the operation's (as AWS's per-API quota).
    await rejectsWith(lambda.send(new GetAliasCommand({ FunctionName: 'fnB', Name: 'live' })), 'TooManyRequestsException', 429);
    // Another operation: its own full bucket.
    const up = await lambda.send(new UpdateAliasCommand({ FunctionName: 'fnB', Name: 'live', Description: 'own bucket' }));
    assert.equal(up.Description, 'own bucket');
  });

  it('a refused UpdateAlias takes no effect, and the CloudTrail log has it as a failed call', async () => {
    for (let i = 1; i <= 5; i++) await lambda.send(new UpdateAliasCommand({ FunctionName: 'fnA', Name: 'live', Description: `allowed ${i}` }));
    const trailBefore = sandbox.cloudtrail.size;
    await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: 'fnA', Name: 'live', Description: 'refused' })), 'TooManyRequestsException', 429, /Rate exceeded/);
    sandbox.rateLimit.set(undefined);
    const now = await lambda.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }));
    assert.equal(now.Description, 'allowed 5');
    assert.equal(sandbox.cloudtrail.size, trailBefore + 1);
    const event = sandbox.cloudtrail.all().at(-1)!;
    assert.match(event.eventName, /^UpdateAlias/);
    assert.equal(event.record.errorCode, 'TooManyRequestsException');
    assert.equal(event.record.errorMessage, 'Rate exceeded');
  });

  it("with the SDK's retries (maxAttempts 3, honouring Retry-After) a sequence over the limit all succeeds; paced at the limit, no retry is needed", async () => {
    const retrying = clientsFor(sandbox, { maxAttempts: 3 }).lambda;
    try {
      const attempts: number[] = [];
      for (let i = 0; i < 12; i++) attempts.push((await retrying.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }))).$metadata.attempts ?? 1);
      assert.ok(attempts.some((a) => a > 1), `some calls were retried: ${attempts.join(' ')}`);
      const stats = sandbox.rateLimit.stats().GetAlias;
      assert.equal(stats.allowed, 12);
      assert.equal(stats.throttled, attempts.reduce((a, b) => a + b, 0) - 12, 'every retry followed one refusal');
    } finally {
      retrying.destroy();
    }
    sandbox.rateLimit.set(5);
    sandbox.rateLimit.resetStats();
    for (let i = 0; i < 8; i++) {
      await lambda.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }));
      await sleep(250);
    }
    assert.deepEqual(sandbox.rateLimit.stats(), { GetAlias: { allowed: 8, throttled: 0 } });
  });

  it('Invoke is not rate-limited (Lambda limits it by concurrency)', async () => {
    sandbox.rateLimit.set(1);
    for (let i = 0; i < 4; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'fnA', Qualifier: 'live', Payload: Buffer.from('{}') }));
      assert.equal(out.StatusCode, 200);
    }
    assert.equal(sandbox.rateLimit.stats().Invoke, undefined);
  });

  it('CloudWatch, CodeDeploy and CloudTrail: their own throttling answers', async () => {
    sandbox.rateLimit.set(1);
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 };
    const { cloudwatch } = clientsFor(sandbox);
    const codedeploy = new CodeDeployClient(config);
    const cloudtrail = new CloudTrailClient(config);
    try {
      const metricData = () => cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(Date.now() - 60_000), EndTime: new Date(), MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' }, Period: 60, Stat: 'Sum' } }] }));
      await metricData();
      await rejectsWith(metricData(), 'Throttling', 400, /Rate exceeded/);
      await codedeploy.send(new ListApplicationsCommand({}));
      await rejectsWith(codedeploy.send(new ListApplicationsCommand({})), 'ThrottlingException', 400, /Rate exceeded/);
      await cloudtrail.send(new LookupEventsCommand({}));
      await rejectsWith(cloudtrail.send(new LookupEventsCommand({})), 'ThrottlingException', 429, /Rate exceeded/);
      // CloudWatch's Query protocol shares the operation's bucket.
      const form = await sdkFetch(sandbox, '/', {
        method: 'POST',
        headers: { ...sdkHeaders(sandbox, 'monitoring'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=GetMetricData&Version=2010-08-01&StartTime=2024-01-01T00%3A00%3A00Z&EndTime=2024-01-01T01%3A00%3A00Z',
      });
      assert.equal(form.status, 400);
      assert.match(await form.text(), /<Code>Throttling<\/Code><Message>Rate exceeded<\/Message>/);
      assert.deepEqual(sandbox.rateLimit.stats(), {
        GetMetricData: { allowed: 1, throttled: 2 },
        ListApplications: { allowed: 1, throttled: 1 },
        LookupEvents: { allowed: 1, throttled: 1 },
      });
    } finally {
      cloudwatch.destroy();
      codedeploy.destroy();
      cloudtrail.destroy();
    }
  });

  it('PUT /_sandbox/rate-limit sets and lifts the limit; GET tells it with the counts; bad values are refused', async () => {
    const put = (body: string) => sdkFetch(sandbox, '/_sandbox/rate-limit', { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    const set = await put('{"perSecond":2}');
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), { perSecond: 2, operations: {} });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => lambda.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }))));
    assert.ok(throttledOf(results).length >= 1, 'a burst of 4 over a limit of 2');
    const got = await sdkFetch(sandbox, '/_sandbox/rate-limit');
    const told = (await got.json()) as { perSecond: number; operations: Record<string, { allowed: number; throttled: number }> };
    assert.equal(told.perSecond, 2);
    assert.equal(told.operations.GetAlias.allowed + told.operations.GetAlias.throttled, 4);
    for (const bad of ['{"perSecond":0}', '{"perSecond":2.5}', '{"perSecond":"5"}', '{}', '{"perSecond":1000000}']) {
      const r = await put(bad);
      assert.equal(r.status, 400, bad);
      assert.match(((await r.json()) as { message: string }).message, /perSecond|rate limit must be a whole number/, bad);
    }
    assert.equal(sandbox.rateLimit.perSecond, 2, 'a refused value changes nothing');
    const lifted = await put('{"perSecond":null}');
    assert.equal(((await lifted.json()) as { perSecond: unknown }).perSecond, null);
    assert.equal(sandbox.rateLimit.perSecond, undefined);
    const all = await Promise.allSettled(Array.from({ length: 10 }, () => lambda.send(new GetAliasCommand({ FunctionName: 'fnA', Name: 'live' }))));
    assert.equal(throttledOf(all).length, 0);
  });

  it('a bad rateLimit option refuses to start', async () => {
    for (const rateLimit of [0, 1.5, -2]) {
      await assert.rejects(startSandbox({ rateLimit }), /The sandbox's rate limit must be a whole number of requests a second from 1 to 100000/, String(rateLimit));
    }
  });

  describe('faults aimed at one function', () => {
    beforeEach(() => sandbox.rateLimit.set(undefined));

    it("UpdateAlias:1:error@fnB fails fnB's first UpdateAlias, not fnA's; fnB's next one goes through", async () => {
      sandbox.faults.add(parseFaultArg('UpdateAlias:1:error@fnB'));
      const a = await lambda.send(new UpdateAliasCommand({ FunctionName: 'fnA', Name: 'live', Description: 'a1' }));
      assert.equal(a.Description, 'a1', "fnA's UpdateAlias is not counted");
      const bBefore = await lambda.send(new GetAliasCommand({ FunctionName: 'fnB', Name: 'live' }));
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: 'fnB', Name: 'live', Description: 'b1' })), 'ServiceException', 500, /Injected fault/);
      assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: 'fnB', Name: 'live' }))).RevisionId, bBefore.RevisionId, 'the failed call changed nothing');
      assert.equal(sandbox.faults.pending, 0);
      assert.equal((await lambda.send(new UpdateAliasCommand({ FunctionName: 'fnB', Name: 'live', Description: 'b2' }))).Description, 'b2');
    });

    it("nth counts that function's calls only, named by name or ARN", async () => {
      sandbox.faults.add({ operation: 'GetAlias', nth: 2, kind: 'throttle', functionName: 'fnB' });
      const get = (fn: string) => lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      await get('fnA');
      await get('fnB'); // fnB's 1st
      await get('fnA');
      await rejectsWith(get(`${ARN_PREFIX}fnB`), 'TooManyRequestsException', 429, /Rate exceeded/, "fnB's 2nd, by ARN");
      await get('fnB');
      assert.equal(sandbox.faults.pending, 0);
    });

    it('POST /_sandbox/faults takes functionName, and refuses one that names no function', async () => {
      const post = (body: unknown) => sdkFetch(sandbox, '/_sandbox/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const ok = await post({ operation: 'UpdateAlias', kind: 'error', functionName: 'fnB' });
      assert.equal(ok.status, 200);
      await lambda.send(new UpdateAliasCommand({ FunctionName: 'fnA', Name: 'live', Description: 'a2' }));
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: 'fnB', Name: 'live', Description: 'b3' })), 'ServiceException', 500);
      for (const functionName of ['fnB:live', 'not a function', 7]) {
        const bad = await post({ operation: 'UpdateAlias', kind: 'error', functionName });
        assert.equal(bad.status, 400, String(functionName));
        assert.match(((await bad.json()) as { message: string }).message, /fault functionName must name a function/);
      }
      assert.equal(sandbox.faults.pending, 0);
    });
  });
});

describe('sandbox CLI --rate-limit and --fault …@FUNCTION (spawned process)', function () {
  this.timeout(30_000);
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('--help lists --rate-limit, the @FUNCTION form and the rate-limit knob', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}--rate-limit N {8}at most N requests a second per API operation/m);
    assert.match(r.stdout, /--fault OP:N:KIND\[@FUNCTION\]/);
    assert.match(r.stdout, /UpdateAlias:2:error@orders/);
    assert.match(r.stdout, /PUT \/_sandbox\/rate-limit \{"perSecond": N\|null\}/);
  });

  it('bad --rate-limit values exit 1 with a clear message, before listening', () => {
    for (const bad of ['0', 'fast', '2.5', '-1', '']) {
      const r = spawnSync(process.execPath, [CLI, '--port', '0', '--quiet', `--rate-limit=${bad}`], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 1, `--rate-limit '${bad}': exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, `sandbox: --rate-limit expects a whole number of requests a second per operation, from 1 to 100000; got '${bad}'\n`);
      assert.doesNotMatch(r.stdout, /listening on/);
    }
  });

  it('--rate-limit 2 --fault GetAlias:1:error@orders-worker: the banner says so, a burst is throttled, the fault hits that function only', async () => {
    const c = spawn(process.execPath, [CLI, '--port', '0', '--quiet', '--seed', 'demo', '--rate-limit', '2', '--fault', 'GetAlias:1:error@orders-worker'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    child = c;
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const deadline = Date.now() + 15_000;
    let m: RegExpExecArray | null;
    while (!(m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out))) {
      if (c.exitCode !== null || Date.now() > deadline) assert.fail(`the CLI did not listen:\n${out}`);
      await sleep(50);
    }
    assert.match(out, /Rate limit: 2 requests a second per operation \(Invoke not limited\)/);
    assert.match(out, /GET\/PUT …\/_sandbox\/rate-limit/);
    const lambda = new LambdaClient({ endpoint: m[1], region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
    try {
      // The fault: orders-worker's first GetAlias fails, checkout-api's does not count.
      assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: 'checkout-api', Name: 'prod' }))).Name, 'prod');
      await rejectsWith(lambda.send(new GetAliasCommand({ FunctionName: 'orders-worker', Name: 'prod' })), 'ServiceException', 500);
      await sleep(1100); // a full bucket of 2 again
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => lambda.send(new GetAliasCommand({ FunctionName: 'checkout-api', Name: 'prod' }))));
      const refused = throttledOf(results);
      assert.ok(refused.length >= 1 && refused.length <= 4, `${refused.length} of 6 refused at 2 a second`);
      for (const r of refused) assert.equal((r.reason as Error).name, 'TooManyRequestsException');
      // The admin knob lifts it.
      const lifted = await fetch(`${m[1]}/_sandbox/rate-limit`, {
        method: 'PUT',
        headers: { ...sdkHeaders({ region: 'us-east-1', accessKeyId: undefined }), 'content-type': 'application/json' },
        body: '{"perSecond":null}',
      });
      assert.equal(lifted.status, 200);
      const all = await Promise.allSettled(Array.from({ length: 6 }, () => lambda.send(new GetAliasCommand({ FunctionName: 'checkout-api', Name: 'prod' }))));
      assert.equal(throttledOf(all).length, 0);
    } finally {
      lambda.destroy();
    }
  });
});
