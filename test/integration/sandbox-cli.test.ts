/**
 * The standalone sandbox (`npm run sandbox`): spawned as a real process, driven with the real SDK
 * v3 clients over HTTP, stopped with a signal.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListFunctionsCommand, ListVersionsByFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/sandbox';
import { ROLE, sdkHeaders, sleep } from './helpers';
import { rejectsWith } from './lambda-testkit';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'sandbox', 'cli.js');
const DEMO = ['checkout-api', 'checkout-api-router', 'deploy-check', 'image-resizer', 'nightly-report', 'orders-worker', 'price-quote', 'shop-notifications', 'shop-orders-api', 'shop-payments'];

interface Running {
  child: ChildProcess;
  endpoint: string;
  output: () => string;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
}

/** Starts the CLI and waits for its `listening on http://127.0.0.1:PORT` line. */
async function startCli(args: string[], accessKeyId = 'sandbox'): Promise<Running> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not report its endpoint within 10 s:\n${out}`)), 10_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited (${code}) before listening:\n${out}`));
    });
  });
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'sandbox' }, maxAttempts: 1 };
  return { child, endpoint, output: () => out, lambda: new LambdaClient(config), cloudwatch: new CloudWatchClient(config) };
}

/**
 * Sends a signal and resolves with the exit code, failing if the process lingers. It stops its
 * function runtimes first: under 1 s with the demo's traffic, some seconds on a loaded 2-core
 * machine, so the bound is 10 s (a sandbox that ignores the signal never exits).
 */
async function stopCli(r: Running, signal: NodeJS.Signals = 'SIGINT', withinMs = 10_000): Promise<{ code: number | null; ms: number }> {
  r.lambda.destroy();
  r.cloudwatch.destroy();
  if (r.child.exitCode !== null) return { code: r.child.exitCode, ms: 0 };
  const started = Date.now();
  const exited = new Promise<number | null>((resolve) => r.child.once('exit', (code) => resolve(code)));
  r.child.kill(signal);
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), withinMs));
  const code = await Promise.race([exited, timer]);
  if (code === 'late') {
    r.child.kill('SIGKILL');
    assert.fail(`the CLI did not exit within ${withinMs} ms of ${signal}:\n${r.output()}`);
  }
  return { code, ms: Date.now() - started };
}

/** The child's output arrives through a pipe, possibly after the HTTP answer: poll for a line. */
async function waitForOutput(r: Running, re: RegExp, withinMs = 3000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!re.test(r.output())) {
    if (Date.now() > deadline) assert.fail(`output never matched ${re}:\n${r.output()}`);
    await sleep(25);
  }
}

async function functionNames(lambda: LambdaClient): Promise<string[]> {
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ Marker }));
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
    Marker = page.NextMarker;
  } while (Marker);
  return names.sort();
}

describe('sandbox CLI (spawned process, real SDK)', function () {
  this.timeout(30_000);
  const running: Running[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('--help prints the usage and exits 0 without starting a server', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Lambda Canary sandbox/);
    assert.match(r.stdout, /Usage: npm run sandbox -- \[options\]/);
    for (const opt of ['--port', '--state', '--seed', '--traffic', '--rate-limit', '--fault', '--version-errors', '--version-latency', '--metric-lag', '--quiet']) assert.ok(r.stdout.includes(opt), `usage mentions ${opt}`);
    assert.doesNotMatch(r.stdout, /listening on/);
  });

  it('bad arguments exit 1 with a message', () => {
    for (const args of [['--traffic', 'no-rate'], ['--seed', 'nonsense'], ['--port', 'abc'], ['--bogus'], ['--access-key-id', 'not/a key']]) {
      const r = spawnSync(process.execPath, [CLI, '--port', '0', '--quiet', ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^sandbox: /m, args.join(' '));
    }
  });

  it('--seed demo --traffic: lists the demo, shows prod split between versions 2 and 3, stops on SIGINT', async () => {
    const r = await startCli(['--port', '0', '--seed', 'demo', '--traffic', 'checkout-api:prod=20', '--quiet']);
    running.push(r);
    const startedAt = Date.now();
    assert.match(r.output(), /Seeded demo functions: checkout-api, orders-worker, image-resizer, price-quote, nightly-report, deploy-check, shop-orders-api, shop-payments, shop-notifications, checkout-api-router\n/);
    assert.match(r.output(), /Traffic: checkout-api:prod at 20\/s/);
    assert.deepEqual(await functionNames(r.lambda), DEMO);

    const prod = await r.lambda.send(new GetAliasCommand({ FunctionName: 'checkout-api', Name: 'prod' }));
    assert.equal(prod.FunctionVersion, '2');
    assert.deepEqual(prod.RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 });

    // Poll CloudWatch until both versions have served traffic (10% on 3 needs a few dozen calls).
    const dims = (v: string) => [
      { Name: 'FunctionName', Value: 'checkout-api' },
      { Name: 'Resource', Value: 'checkout-api:prod' },
      { Name: 'ExecutedVersion', Value: v },
    ];
    const sums: Record<string, number> = {};
    await sleep(2000);
    for (;;) {
      const out = await r.cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(startedAt - 120_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: ['1', '2', '3'].map((v) => ({ Id: `v${v}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims(v) }, Period: 60, Stat: 'Sum' } })),
        }),
      );
      for (const res of out.MetricDataResults ?? []) sums[res.Id!.slice(1)] = (res.Values ?? []).reduce((a, b) => a + b, 0);
      if ((sums['2'] > 0 && sums['3'] > 0) || Date.now() - startedAt > 15_000) break;
      await sleep(500);
    }
    assert.equal(sums['1'], 0, 'version 1 is not in the alias');
    assert.ok(sums['2'] > 0 && sums['3'] > 0, `both versions served prod: ${JSON.stringify(sums)}`);
    assert.ok(sums['2'] > sums['3'], `version 2 carries most of the traffic: ${JSON.stringify(sums)}`);
    const elapsed = (Date.now() - startedAt) / 1000;
    const all = sums['2'] + sums['3'];
    assert.ok(all >= 10 && all <= 20 * elapsed + 25, `${all} invocations in ${elapsed.toFixed(1)} s at 20/s`);

    // The endpoint serves invocations of the demo code too.
    const inv = await r.lambda.send(new InvokeCommand({ FunctionName: 'orders-worker', Qualifier: 'prod', Payload: Buffer.from('{}') }));
    assert.equal(inv.ExecutedVersion, '2');
    const body = JSON.parse(Buffer.from(inv.Payload!).toString('utf8')) as { statusCode: number; body: string };
    assert.equal(body.statusCode, 200);
    assert.equal((JSON.parse(body.body) as { release: string }).release, '2024.06.1');

    const stopped = await stopCli(r, 'SIGINT');
    assert.equal(stopped.code, 0, r.output());
    assert.ok(stopped.ms < 3000, `stopping took ${stopped.ms} ms`);
    assert.match(r.output(), /SIGINT: stopping the sandbox/);
    assert.doesNotMatch(r.output(), /→ \d{3}/, '--quiet logs no requests');
  });

  it('serves the admin endpoints to signed requests by default, and not with --no-admin', async () => {
    const on = await startCli(['--port', '0', '--quiet']);
    running.push(on);
    const headers = sdkHeaders({ region: 'us-east-1', accessKeyId: undefined });
    const health = await fetch(`${on.endpoint}/_sandbox/health`, { headers });
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    assert.equal((await fetch(`${on.endpoint}/_sandbox/health`)).status, 403, 'unsigned: refused');
    const off = await startCli(['--port', '0', '--quiet', '--no-admin']);
    running.push(off);
    const refused = await fetch(`${off.endpoint}/_sandbox/faults`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"operation":"*","kind":"error"}' });
    assert.equal(refused.status, 404);
    assert.equal(refused.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.equal((await off.lambda.send(new ListFunctionsCommand({}))).$metadata.httpStatusCode, 200, 'the API still answers');
  });

  it('--version-errors, --version-latency and --metric-lag: the versions fail and slow down as asked; bad values exit 1', async () => {
    const r = await startCli(['--port', '0', '--quiet', '--seed', 'demo', '--random-seed', '3', '--version-errors', 'checkout-api:3=1', '--version-latency', 'checkout-api:2=+120ms', '--metric-lag', '0']);
    running.push(r);
    assert.match(r.output(), /Versions: checkout-api:3 100% errors; checkout-api:2 \+120 ms/);
    const bad = await r.lambda.send(new InvokeCommand({ FunctionName: 'checkout-api', Qualifier: '3', Payload: Buffer.from('{}') }));
    assert.equal(bad.FunctionError, 'Unhandled');
    assert.equal((JSON.parse(Buffer.from(bad.Payload!).toString('utf8')) as { errorType: string }).errorType, 'Sandbox.InjectedError');
    const started = performance.now();
    const slow = await r.lambda.send(new InvokeCommand({ FunctionName: 'checkout-api', Qualifier: '2', Payload: Buffer.from('{}') }));
    assert.equal(slow.FunctionError, undefined);
    assert.ok(performance.now() - started >= 120, 'version 2 answered after the added latency');
    const listed = await fetch(`${r.endpoint}/_sandbox/versions`, { headers: sdkHeaders({ region: 'us-east-1', accessKeyId: undefined }) });
    assert.deepEqual(((await listed.json()) as { versions: unknown[] }).versions, [
      { functionName: 'checkout-api', version: '3', errorRate: 1, latencyMs: 0 },
      { functionName: 'checkout-api', version: '2', errorRate: 0, latencyMs: 120 },
    ]);
    for (const [args, re] of [
      [['--version-errors', 'checkout-api:prod=0.1'], /^sandbox: --version-errors 'checkout-api:prod=0.1': version must be a published version number/m],
      [['--version-errors', 'checkout-api:3=1.5'], /^sandbox: --version-errors 'checkout-api:3=1.5': RATE must be a share of invocations from 0 to 1/m],
      [['--version-latency', 'checkout-api:3=+abc'], /^sandbox: --version-latency 'checkout-api:3=\+abc': MS must be milliseconds/m],
      [['--metric-lag=-5'], /^sandbox: --metric-lag expects seconds in \[0, 86400\]/m],
    ] as Array<[string[], RegExp]>) {
      const refused = spawnSync(process.execPath, [CLI, '--port', '0', '--quiet', ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(refused.status, 1, `${args.join(' ')}: ${refused.stdout}${refused.stderr}`);
      assert.match(refused.stderr, re);
      assert.doesNotMatch(refused.stdout, /listening on/);
    }
  });

  it('--fault PublishVersion:1:publishOther publishes another upload; publishOther for another operation exits 1', async () => {
    const r = await startCli(['--port', '0', '--quiet', '--update-delay', '0', '--fault', 'PublishVersion:1:publishOther']);
    running.push(r);
    const zip = zipFiles({ 'index.js': 'exports.handler = async () => ({ ok: true });\n' });
    await r.lambda.send(new CreateFunctionCommand({ FunctionName: 'raced', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip } }));
    const sent = (await r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'raced' }))).CodeSha256!;
    const first = await r.lambda.send(new PublishVersionCommand({ FunctionName: 'raced', CodeSha256: sent }));
    assert.equal(first.Version, '1');
    assert.notEqual(first.CodeSha256, sent);
    await rejectsWith(r.lambda.send(new PublishVersionCommand({ FunctionName: 'raced', CodeSha256: sent })), 'InvalidParameterValueException', 400, /is different from current CodeSHA256/);
    const bad = spawnSync(process.execPath, [CLI, '--port', '0', '--quiet', '--fault', 'UpdateAlias:1:publishOther'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /^sandbox: fault kind publishOther applies to PublishVersion only/m);
  });

  it('--access-key-id KEY: only signatures naming KEY are accepted, and the banner says so', async () => {
    const r = await startCli(['--port', '0', '--quiet', '--access-key-id', 'LCSBCLIKEY000001'], 'LCSBCLIKEY000001');
    running.push(r);
    assert.match(r.output(), /access key LCSBCLIKEY000001, any secret/);
    assert.match(r.output(), /export AWS_ACCESS_KEY_ID=LCSBCLIKEY000001 /);
    assert.equal((await r.lambda.send(new ListFunctionsCommand({}))).$metadata.httpStatusCode, 200);
    const other = new LambdaClient({ endpoint: r.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
    try {
      await rejectsWith(other.send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 403, /security token included in the request is invalid/);
    } finally {
      other.destroy();
    }
  });

  it('--state DIR keeps the demo across a restart, and seeding again adds nothing; --traffic demo drives every production alias', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-canary-cli-state-'));
    dirs.push(dir);
    const first = await startCli(['--port', '0', '--state', dir, '--seed', 'demo', '--quiet']);
    running.push(first);
    assert.match(first.output(), /Seeded demo functions: checkout-api/);
    assert.ok(first.output().includes(`state: ${dir}`));
    assert.deepEqual(await functionNames(first.lambda), DEMO);
    assert.equal((await stopCli(first, 'SIGTERM')).code, 0);

    const second = await startCli(['--port', '0', '--state', dir, '--seed', 'demo', '--traffic', 'demo']);
    running.push(second);
    assert.match(second.output(), /Seeded demo functions: \(already present\)/);
    assert.match(second.output(), /Traffic: checkout-api:prod at 20\/s, orders-worker:prod at 10\/s, image-resizer:prod at 10\/s, price-quote:live at 3\/s, shop-orders-api:prod at 5\/s, shop-payments:prod at 5\/s, shop-notifications:prod at 5\/s, checkout-api-router:prod at 5\/s\n/);
    assert.deepEqual(await functionNames(second.lambda), DEMO, 'no duplicates');
    for (const [fn, want] of [['checkout-api', ['1', '2', '3']], ['orders-worker', ['1', '2', '3']], ['image-resizer', ['1', '2']], ['price-quote', ['1', '2']], ['shop-payments', ['1']]] as const) {
      const versions = await second.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
      assert.deepEqual((versions.Versions ?? []).map((v) => v.Version), ['$LATEST', ...want], `${fn}: no extra versions were published`);
    }
    const prod = await second.lambda.send(new GetAliasCommand({ FunctionName: 'checkout-api', Name: 'prod' }));
    assert.equal(prod.FunctionVersion, '2');
    assert.deepEqual(prod.RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 });
    // The code survived too: version 1 still runs its own release.
    const inv = await second.lambda.send(new InvokeCommand({ FunctionName: 'checkout-api', Qualifier: '1', Payload: Buffer.from('{}') }));
    const res = JSON.parse(Buffer.from(inv.Payload!).toString('utf8')) as { statusCode?: number; body?: string; errorMessage?: string };
    // v1.0.0 fails 1% of calls on purpose; either way it is v1.0.0 that ran.
    assert.match(res.body ?? res.errorMessage ?? '', /v1\.0\.0/);
    // Without --quiet, requests are logged.
    await waitForOutput(second, /POST \/2015-03-31\/functions\/checkout-api\/invocations Invoke → 200/);
    assert.equal((await stopCli(second, 'SIGINT')).code, 0);
  });
});

/** `aws` on PATH (the AWS CLI: Debian's awscli package, or pip's). */
function awsCli(): string | undefined {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : undefined;
}

describe('the AWS CLI against the sandbox (as README shows)', function () {
  this.timeout(120_000);
  const version = awsCli();
  let r: Running | undefined;
  let dir = '';
  before(async function () {
    // What botocore sends is also replayed from captured headers in sandbox-http.test.ts, which
    // runs everywhere; this runs the CLI itself where it is installed.
    if (!version) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-awscli-'));
    fs.writeFileSync(path.join(dir, 'fn.zip'), zipFiles({ 'index.js': 'exports.handler = async (e) => ({ got: e });\n' }));
    r = await startCli(['--port', '0', '--quiet']);
  });
  after(async () => {
    if (r) await stopCli(r);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `aws …` with the README's environment (CLI v1 reads AWS_DEFAULT_REGION). */
  function aws(...args: string[]): { status: number | null; out: string } {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const p = spawnSync('aws', [...args, '--endpoint-url', r!.endpoint, '--output', 'json'], { encoding: 'utf8', env, cwd: dir, timeout: 60_000 });
    return { status: p.status, out: `${p.stdout}${p.stderr}` };
  }
  const ok = (args: string[]): unknown => {
    const res = aws(...args);
    assert.equal(res.status, 0, `aws ${args.join(' ')}: ${res.out}`);
    return res.out.trim() ? JSON.parse(res.out) : undefined;
  };

  it('creates an image function by ECR URI and reads it back (create-function --package-type Image, get-function, update-function-code --image-uri)', () => {
    const repo = '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout';
    const digest = 'd'.repeat(64);
    const made = ok(['lambda', 'create-function', '--function-name', 'cli-img', '--package-type', 'Image', '--code', `ImageUri=${repo}@sha256:${digest}`, '--role', ROLE, '--publish']) as {
      PackageType: string;
      CodeSha256: string;
      Version: string;
      Runtime?: string;
    };
    assert.deepEqual([made.PackageType, made.CodeSha256, made.Version, made.Runtime], ['Image', digest, '1', undefined]);
    ok(['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-img']);
    const got = ok(['lambda', 'get-function', '--function-name', 'cli-img']) as { Code: Record<string, string>; Configuration: { PackageType: string } };
    assert.deepEqual(got.Code, { RepositoryType: 'ECR', ImageUri: `${repo}@sha256:${digest}`, ResolvedImageUri: `${repo}@sha256:${digest}` });
    assert.equal(got.Configuration.PackageType, 'Image');
    const upd = ok(['lambda', 'update-function-code', '--function-name', 'cli-img', '--image-uri', `${repo}:v2`]) as { CodeSha256: string };
    assert.match(upd.CodeSha256, /^[0-9a-f]{64}$/);
    assert.notEqual(upd.CodeSha256, digest);
    const refused = aws('lambda', 'update-function-code', '--function-name', 'cli-img', '--zip-file', 'fileb://fn.zip');
    assert.notEqual(refused.status, 0);
    assert.match(refused.out, /InvalidParameterValueException.*Please provide ImageUri when updating a function with packageType Image\./);
    const invalid = aws('lambda', 'create-function', '--function-name', 'cli-img2', '--package-type', 'Image', '--code', 'ImageUri=public.ecr.aws/lambda/nodejs:20', '--role', ROLE);
    assert.match(invalid.out, /Source image public\.ecr\.aws\/lambda\/nodejs:20 is not valid\. Provide a valid source image\./);
    ok(['lambda', 'delete-function', '--function-name', 'cli-img']);
  });

  it('creates, lists, invokes (with and without a payload), aliases, reads metrics and deletes', () => {
    const created = ok(['lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', 'fileb://fn.zip', '--publish']) as { Version: string };
    assert.equal(created.Version, '1');
    const listed = ok(['lambda', 'list-functions']) as { Functions: Array<{ FunctionName: string }> };
    assert.deepEqual(listed.Functions.map((f) => f.FunctionName), ['cli-fn']);
    ok(['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-fn']);
    // botocore sends Invoke's payload without a Content-Type; v1 takes the payload as raw text.
    fs.writeFileSync(path.join(dir, 'event.json'), '{"a":1}');
    ok(['lambda', 'invoke', '--function-name', 'cli-fn', '--payload', 'fileb://event.json', 'out.json']);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')), { got: { a: 1 } });
    ok(['lambda', 'invoke', '--function-name', 'cli-fn', 'empty.json']);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'empty.json'), 'utf8')), { got: {} });
    ok(['lambda', 'create-alias', '--function-name', 'cli-fn', '--name', 'prod', '--function-version', '1']);
    assert.equal((ok(['lambda', 'get-function', '--function-name', 'cli-fn']) as { Code: { Location: string } }).Code.Location.startsWith(r!.endpoint), true);
    ok(['cloudwatch', 'list-metrics', '--namespace', 'AWS/Lambda']);
    const data = ok(['cloudwatch', 'get-metric-data', '--start-time', new Date(Date.now() - 600_000).toISOString(), '--end-time', new Date(Date.now() + 60_000).toISOString(), '--metric-data-queries', JSON.stringify([{ Id: 'i', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'cli-fn' }] }, Period: 60, Stat: 'Sum' } }])]) as { MetricDataResults: Array<{ Values: number[] }> };
    assert.equal(data.MetricDataResults[0].Values.reduce((a, b) => a + b, 0), 2);
    ok(['lambda', 'delete-alias', '--function-name', 'cli-fn', '--name', 'prod']);
    ok(['lambda', 'delete-function', '--function-name', 'cli-fn']);
    assert.deepEqual((ok(['lambda', 'list-functions']) as { Functions: unknown[] }).Functions, []);
  });
});
