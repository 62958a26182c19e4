/**
 * `lambda-canary rollout start --engine codedeploy`, `rollout status` and `rollout stop` end to
 * end: the CLI in-process (runCli) with real SDK v3 clients (Lambda and CodeDeploy) over HTTP
 * against the sandbox, whose CodeDeploy minute lasts 40 ms.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListApplicationsCommand } from '@aws-sdk/client-codedeploy';
import type { CodeDeployDetail, CodeDeployRolloutView } from '../../src/core/codedeploy';
import type { Outcome } from '../../src/core/outcome';
import { newAccessKeyId } from '../../src/sandbox';
import { codeDeployFor, functionWithTwoVersions, SERVICE_ROLE, weightOf } from './codedeploy-sandbox-kit';
import { sleep, useSandbox } from './helpers';
import type { Run } from './cli-testkit';
import { runCliIn } from './cli-testkit';

describe('lambda-canary rollout --engine codedeploy (CLI ↔ sandbox)', function () {
  this.timeout(60_000);
  const h = useSandbox({ accessKeyId: newAccessKeyId(), codeDeployMinuteMs: 100 });
  let journalDir: string;
  let workDir: string;
  let n = 0;

  beforeEach(() => {
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clcd-journal-'));
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clcd-work-'));
  });
  afterEach(() => {
    fs.rmSync(journalDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    AWS_ACCESS_KEY_ID: h().sandbox.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    AWS_REGION: h().sandbox.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LAMBDA_CANARY_CODEDEPLOY_POLL_MS: '20',
  });
  const conn = () => ['--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir];

  async function cli(argv: string[]): Promise<Run> {
    return runCliIn({ env: env(), cwd: workDir, trailingArgs: conn() }, argv);
  }

  async function fresh(): Promise<string> {
    const name = `clcd-${++n}`;
    await functionWithTwoVersions(h().lambda, name);
    return name;
  }

  /** Polls until `ok` (every 10 ms, at most 10 s). */
  async function until(ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await sleep(10);
  }

  it('start --wait --json keeps the outcome\'s detail and adds the view it ended with', async () => {
    const fn = await fresh();
    const r = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--version', '2', '--plan', 'AllAtOnce', '--service-role', SERVICE_ROLE, '--wait', '--yes', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Outcome<CodeDeployDetail> & { view: CodeDeployRolloutView; exitCode: number };
    assert.equal(o.detail?.event, 'started');
    assert.match(o.detail!.deploymentId, /^d-[A-Z0-9]{9}$/);
    assert.equal(o.view.status, 'promoted', o.view.statusText);
    assert.equal(o.view.codeDeploy?.deploymentId, o.detail!.deploymentId);
    assert.equal(o.exitCode, 0);
  });

  it('start --wait watches the deployment to Succeeded (exit 0), each change on stderr; status shows it', async () => {
    const fn = await fresh();
    // One CodeDeploy minute lasts 100 ms: 3 s at 10 % to see that step.
    const r = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--version', '2', '--plan', 'Canary10Percent30Minutes', '--service-role', SERVICE_ROLE, '--wait', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /CodeDeploy deployment d-[A-Z0-9]{9} of version 2 started \(CodeDeployDefault\.LambdaCanary10Percent30Minutes\)/);
    assert.match(r.stderr, /step 1\/2: CodeDeploy deployment d-[A-Z0-9]{9} is InProgress: 10 % of live on version 2/);
    assert.match(r.stdout, new RegExp(`^${fn}:live: CodeDeploy deployment d-[A-Z0-9]{9} succeeded: live serves version 2\\.\\n$`));
    assert.equal((await weightOf(h().lambda, fn)).version, '2');

    const status = await cli(['rollout', 'status', `${fn}:live`]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${fn}:live: CodeDeploy deployment d-[A-Z0-9]{9} of version 2 \\(stable 1\\): promoted \\(Succeeded\\)`));
    assert.match(status.stdout, /lambda-canary\/clcd-\d+-live, CodeDeployDefault\.LambdaCanary10Percent30Minutes, 100% on the new version/);
    assert.match(status.stdout, /AllowTraffic: Succeeded/);
    const asJson = JSON.parse((await cli(['rollout', 'status', `${fn}:live`, '--json'])).stdout) as CodeDeployRolloutView;
    assert.equal(asJson.engine, 'codedeploy');
    assert.equal(asJson.status, 'promoted');

    // The journal holds its start and its end.
    const journal = JSON.parse((await cli(['journal', `${fn}:live`, '--json'])).stdout) as { records: Array<{ outcome: Outcome<CodeDeployDetail> }> };
    assert.deepEqual(
      journal.records.filter((x) => x.outcome.action === 'codedeploy').map((x) => x.outcome.detail?.event),
      ['started', 'ended'],
    );
  });

  it('stop --rollback puts the alias back; the alias commands are refused while the deployment runs', async () => {
    const fn = await fresh();
    // 12 s at 10 %: the commands below run well inside it.
    const started = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--version', '2', '--plan', '10%@120m, 100%', '--service-role', SERVICE_ROLE, '--yes', '--json']);
    assert.equal(started.code, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as Outcome<CodeDeployDetail>).detail!.deploymentId;
    await until(async () => (await weightOf(h().lambda, fn)).percent === 10);
    assert.equal((await weightOf(h().lambda, fn)).percent, 10);

    const weight = await cli(['weight', `${fn}:live`, '50', '--yes']);
    assert.equal(weight.code, 3, weight.stderr);
    assert.match(weight.stderr, new RegExp(`is being deployed by CodeDeploy deployment ${id} \\(`));
    assert.equal((await weightOf(h().lambda, fn)).percent, 10);
    // A second rollout on the alias is refused before any write: exit 2, as the help says.
    const second = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--version', '2', '--plan', 'AllAtOnce', '--yes']);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`being deployed by CodeDeploy deployment ${id} \\(`));

    const running = await cli(['rollout', 'status', `${fn}:live`]);
    assert.match(running.stdout, /: running \((InProgress|Baking)\)/);

    const stop = await cli(['rollout', 'stop', `${fn}:live`, '--rollback', '--yes']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, new RegExp(`CodeDeploy deployment ${id} was asked to stop and roll live back to version 1`));
    await until(async () => { const w = await weightOf(h().lambda, fn); return w.version === '1' && w.percent === 0; });
    const w = await weightOf(h().lambda, fn);
    assert.deepEqual([w.version, w.percent], ['1', 0]);
    const after = JSON.parse((await cli(['rollout', 'status', `${fn}:live`, '--json'])).stdout) as CodeDeployRolloutView;
    assert.equal(after.status, 'rolled-back', after.statusText);

    const nothing = await cli(['rollout', 'stop', `${fn}:live`, '--yes']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, new RegExp(`CodeDeploy deployment ${id} has already ended \\(Stopped\\): there is nothing to stop`));
  });

  it('refuses, before anything is created, what CodeDeploy cannot run or lacks (exit 2)', async () => {
    const fn = await fresh();
    const apps = async () => (await codeDeployFor(h().sandbox).send(new ListApplicationsCommand({}))).applications ?? [];
    const before = await apps();
    const noRole = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--version', '2', '--plan', 'Canary10Percent5Minutes', '--application', `app-${fn}`, '--yes']);
    assert.equal(noRole.code, 2, noRole.stderr);
    assert.match(noRole.stderr, /needs a service role.*--service-role.*AWSCodeDeployRoleForLambda/);
    const manual = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--version', '2', '--plan', '10%@5m manual, 100%', '--service-role', SERVICE_ROLE, '--application', `app-${fn}`, '--yes']);
    assert.equal(manual.code, 2);
    assert.match(manual.stderr, /CodeDeploy cannot run the plan/);
    assert.deepEqual(await apps(), before);

    const usage = await cli(['rollout', 'start', `${fn}:live`, '--version', '2', '--plan', 'AllAtOnce', '--service-role', SERVICE_ROLE, '--yes']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--service-role goes with --engine codedeploy/);
    const engine = await cli(['rollout', 'start', `${fn}:live`, '--version', '2', '--plan', 'AllAtOnce', '--engine', 'aws', '--yes']);
    assert.equal(engine.code, 2);
    assert.match(engine.stderr, /--engine: 'aws' is not an engine/);
    const dir = await cli(['rollout', 'start', `${fn}:live`, '--engine', 'codedeploy', '--dir', '.', '--plan', 'AllAtOnce', '--yes']);
    assert.equal(dir.code, 2);
    assert.match(dir.stderr, /takes --version V/);
  });
});
