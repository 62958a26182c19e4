/**
 * The standalone sandbox's `--minute-ms` and the AWS CLI's `aws deploy` against it: the CLI's own
 * botocore speaks CodeDeploy's JSON 1.1 to the same engine the SDK reaches.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { appSpec, functionWithTwoVersions, weightOf } from './codedeploy-sandbox-kit';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'sandbox', 'cli.js');
const run = promisify(execFile);

/** What the `aws deploy` commands used here print (JSON). */
interface CliOut {
  deploymentConfigInfo?: { computePlatform?: string; trafficRoutingConfig?: unknown };
  deploymentId?: string;
  deploymentInfo?: { status: string; errorInformation?: unknown };
}

function awsCli(): string | undefined {
  const candidates = [process.env.LAMBDA_CANARY_AWS_CLI, '/usr/bin/aws', ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'aws'))];
  return candidates.find((c) => {
    if (!c) return false;
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

describe('standalone sandbox: --minute-ms and the AWS CLI (aws deploy)', function () {
  this.timeout(90_000);
  let child: ChildProcess | undefined;
  let endpoint = '';
  let out = '';
  let lambda: LambdaClient;

  before(async () => {
    child = spawn(process.execPath, [CLI, '--port', '0', '--quiet', '--minute-ms', '50'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no endpoint within 10 s:\n${out}`)), 10_000);
      child!.stdout!.on('data', () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child!.once('exit', (code) => reject(new Error(`the CLI exited (${code}):\n${out}`)));
    });
    lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
  });
  after(async () => {
    lambda?.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
  });

  it('--help documents --minute-ms; a bad value exits 1; the banner names the scaled minute', async () => {
    const help = await run(process.execPath, [CLI, '--help']);
    assert.match(help.stdout, /--minute-ms N +one CodeDeploy minute lasts N milliseconds/);
    await assert.rejects(run(process.execPath, [CLI, '--port', '0', '--quiet', '--minute-ms', '0']), (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr ?? '', /^sandbox: .*CodeDeploy minute/m);
      return true;
    });
    assert.match(out, /aws deploy list-deployment-configs --endpoint-url http:\/\/127\.0\.0\.1:\d+ +\(one CodeDeploy minute: 50 ms\)/);
  });

  const cli = awsCli();
  if (!cli) {
    it('aws deploy (skipped: no AWS CLI on this machine)', function () {
      this.skip();
    });
    return;
  }

  it(`aws deploy (${cli}) reads a predefined config and runs a canary deployment in scaled time`, async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1' };
    const aws = async (...args: string[]) => JSON.parse((await run(cli, ['deploy', ...args, '--endpoint-url', endpoint, '--output', 'json'], { env, timeout: 45_000 })).stdout || '{}') as CliOut;
    const config = await aws('get-deployment-config', '--deployment-config-name', 'CodeDeployDefault.LambdaCanary10Percent5Minutes');
    assert.equal(config.deploymentConfigInfo?.computePlatform, 'Lambda');
    assert.deepEqual(config.deploymentConfigInfo?.trafficRoutingConfig, { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } });

    await functionWithTwoVersions(lambda, 'cli-fn');
    await aws('create-application', '--application-name', 'cli-app', '--compute-platform', 'Lambda');
    await aws('create-deployment-group', '--application-name', 'cli-app', '--deployment-group-name', 'cli-group', '--service-role-arn', 'arn:aws:iam::123456789012:role/cd');
    const revision = JSON.stringify({ revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('cli-fn') } });
    const started = Date.now();
    const { deploymentId } = await aws('create-deployment', '--application-name', 'cli-app', '--deployment-group-name', 'cli-group', '--deployment-config-name', 'CodeDeployDefault.LambdaCanary10Percent5Minutes', '--revision', revision);
    assert.match(deploymentId ?? '', /^d-[A-Z0-9]{9}$/);
    let info: NonNullable<CliOut['deploymentInfo']> = { status: '' };
    for (let i = 0; i < 100; i++) {
      info = (await aws('get-deployment', '--deployment-id', deploymentId!)).deploymentInfo!;
      if (['Succeeded', 'Failed', 'Stopped'].includes(info.status)) break;
    }
    assert.equal(info.status, 'Succeeded', JSON.stringify(info.errorInformation));
    assert.ok(Date.now() - started >= 250, 'five scaled minutes of canary');
    assert.equal((await weightOf(lambda, 'cli-fn')).version, '2');
    const errorRun = run(cli, ['deploy', 'get-deployment', '--deployment-id', 'd-NOTHERE00', '--endpoint-url', endpoint], { env, timeout: 45_000 });
    await assert.rejects(errorRun, (e: { stderr?: string }) => /DeploymentDoesNotExistException/.test(e.stderr ?? ''));
  });
});
