import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { GetDeploymentCommand, GetDeploymentConfigCommand, GetDeploymentGroupCommand, ListApplicationsCommand, ListDeploymentConfigsCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, PublishVersionCommand, waitUntilFunctionActiveV2, UpdateAliasCommand, UpdateFunctionCodeCommand, waitUntilFunctionUpdatedV2, waitUntilPublishedVersionActive } from '@aws-sdk/client-lambda';
import { CodeDeployWatcher, codeDeployManagement, readCodeDeployRollout, runningDeploymentOn, startCodeDeployRollout, stopCodeDeployRollout } from '../../src/core/codedeploy';
import { RolloutRunner } from '../../src/core/rollout/runner';
import type { CodeDeployContext, CodeDeployDetail, CodeDeploySettings } from '../../src/core/codedeploy';
import type { Outcome } from '../../src/core/outcome';
import { parsePlanText, presetPlan } from '../../src/core/rollout/plans';
import type { JournalPort } from '../../src/core/usecases';
import { promote, rollback, setCanaryWeight, startCanary, switchAlias } from '../../src/core/usecases';
import { zipFiles } from '../../src/sandbox';
import { codeDeployFor, functionWithTwoVersions, hookZip, SERVICE_ROLE, weightOf } from './codedeploy-sandbox-kit';
import { ROLE, sandboxContext, useSandbox } from './helpers';
import { fast } from './lambda-testkit';

/** A journal in memory: what the use cases append, read back as the real one reads it. */
function memoryJournal(): JournalPort & { outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  return {
    outcomes,
    append: (o) => Promise.resolve(void outcomes.push(structuredClone(o))),
    lastSwitch: () => Promise.resolve(undefined),
    rollouts: () => Promise.resolve(outcomes.filter((o) => o.action === 'rollout').map((o) => ({ ...o, key: 'k' }))),
    codeDeploys: () => Promise.resolve(outcomes.filter((o) => o.action === 'codedeploy').map((o) => ({ ...o, key: 'k' }))),
  };
}

const settings: CodeDeploySettings = { serviceRoleArn: SERVICE_ROLE };

describe('CodeDeploy engine (core ↔ sandbox, real CodeDeploy SDK client)', function () {
  this.timeout(60_000);
  // One CodeDeploy minute lasts 100 ms. A test that must see the 10 % step watches
  // Canary10Percent30Minutes (3 s at 10 %); a test that stops a deployment midway uses LONG
  // (12 s at 10 %), so a loaded 2-core machine has seconds of slack in every window.
  const h = useSandbox({ codeDeployMinuteMs: 100 });
  const LONG = () => parsePlanText('10%@120m, 100%');
  /** Polls until `ok` (every 10 ms, at most 10 s). */
  async function until(ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await new Promise((r) => setTimeout(r, 10));
  }
  const atTen = (name: string) => until(async () => (await weightOf(h().lambda, name)).percent === 10);
  let cd: CodeDeployClient;
  let n = 0;
  before(() => {
    cd = codeDeployFor(h().sandbox);
  });
  after(() => cd.destroy());

  function ctx(journal = memoryJournal(), extra: Partial<CodeDeployContext> = {}): CodeDeployContext & { journal: ReturnType<typeof memoryJournal> } {
    return { ...sandboxContext(h(), { journal }), codedeploy: cd, ...extra } as CodeDeployContext & { journal: ReturnType<typeof memoryJournal> };
  }

  async function fresh(): Promise<string> {
    const name = `cd-core-${++n}`;
    await functionWithTwoVersions(h().lambda, name);
    return name;
  }

  async function applications(): Promise<string[]> {
    return (await cd.send(new ListApplicationsCommand({}))).applications ?? [];
  }

  it('starts a preset rollout, the watcher follows it to Succeeded, and its end is journalled once', async () => {
    const name = await fresh();
    const c = ctx();
    const out = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: presetPlan('Canary10Percent30Minutes')!, settings });
    assert.equal(out.state, 'done', out.error?.message);
    assert.equal(out.action, 'codedeploy');
    const d = out.detail!;
    assert.equal(d.event, 'started');
    assert.match(d.deploymentId, /^d-[A-Z0-9]{9}$/);
    assert.deepEqual([d.application, d.deploymentGroup, d.config, d.version, d.stable], ['lambda-canary', `${name}-live`, 'CodeDeployDefault.LambdaCanary10Percent30Minutes', '2', '1']);
    assert.equal(out.before?.version, '1');
    assert.equal(c.journal.outcomes.length, 1);
    const group = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'lambda-canary', deploymentGroupName: `${name}-live` }))).deploymentGroupInfo!;
    assert.equal(group.deploymentStyle?.deploymentType, 'BLUE_GREEN');
    assert.equal(group.deploymentStyle?.deploymentOption, 'WITH_TRAFFIC_CONTROL');
    assert.equal(group.serviceRoleArn, SERVICE_ROLE);
    assert.deepEqual([...(group.autoRollbackConfiguration?.events ?? [])].sort(), ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']);

    const watcher = new CodeDeployWatcher(c, { pollMs: 20 });
    const seen: string[] = [];
    watcher.onDidChange((v) => seen.push(`${v.status}:${v.codeDeploy?.targetVersionWeight ?? '-'}`));
    await watcher.load();
    const end = await watcher.waitForEnd(d.deploymentId);
    watcher.dispose();
    assert.equal(end.status, 'promoted', end.statusText);
    assert.equal(end.engine, 'codedeploy');
    assert.equal(end.codeDeploy?.deploymentStatus, 'Succeeded');
    assert.equal(end.current, 1);
    assert.ok(seen.includes('running:10'), `the 10 % step was seen: ${seen.join(' ')}`);
    assert.equal(seen[seen.length - 1], 'promoted:100');
    const lifecycle = end.codeDeploy?.lifecycle ?? [];
    assert.ok(lifecycle.some((e) => e.name === 'AllowTraffic'), JSON.stringify(lifecycle));
    assert.ok(lifecycle.every((e) => e.status === 'Succeeded' || e.status === 'Skipped'), JSON.stringify(lifecycle));
    assert.equal((await weightOf(h().lambda, name)).version, '2');
    const ended = c.journal.outcomes.filter((o) => (o.detail as CodeDeployDetail).event === 'ended');
    assert.equal(ended.length, 1);
    assert.equal((ended[0].detail as CodeDeployDetail).status, 'Succeeded');

    // A second watcher on the same journal does not journal the end again, nor read the ended
    // deployment again: its view is the journal's end.
    let sends = 0;
    const counting = { send: ((cmd: never, o?: never) => (sends++, cd.send(cmd, o))) as CodeDeployClient['send'] };
    const again = new CodeDeployWatcher(ctx(c.journal, { codedeploy: counting }), { pollMs: 20 });
    await again.load();
    await again.refresh();
    const fromJournal = again.view(name, 'live');
    again.dispose();
    assert.equal(sends, 0);
    assert.equal(fromJournal?.status, 'promoted');
    assert.equal(fromJournal?.codeDeploy?.deploymentStatus, 'Succeeded');
    assert.equal(c.journal.outcomes.filter((o) => (o.detail as CodeDeployDetail).event === 'ended').length, 1);
    // The group exists now: another service role given is not used, and the outcome says so.
    const back = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '1', plan: presetPlan('AllAtOnce')!, settings: { serviceRoleArn: 'arn:aws:iam::123456789012:role/another' } });
    assert.equal(back.state, 'done', back.error?.message);
    assert.ok(back.warnings.some((w) => new RegExp(`${name}-live exists with the service role ${SERVICE_ROLE}: it keeps it, and the role given \\(arn:aws:iam::123456789012:role/another\\) is not used`).test(w)), back.warnings.join(' | '));
    const last = new CodeDeployWatcher(c, { pollMs: 20 });
    last.watch(back.detail!);
    assert.equal((await last.waitForEnd(back.detail!.deploymentId)).status, 'promoted');
    last.dispose();
  });

  it('a custom canary creates its config once, named after its shape, and reuses it', async () => {
    const plan = parsePlanText('25%@2m, 100%');
    for (let i = 0; i < 2; i++) {
      const name = await fresh();
      const c = ctx();
      const out = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan, settings });
      assert.equal(out.state, 'done', out.error?.message);
      assert.equal(out.detail?.config, 'LambdaCanary.Canary25Percent2Minutes');
      assert.equal(out.steps.some((s) => s.name.startsWith('CreateDeploymentConfig')), i === 0, out.steps.map((s) => s.name).join(', '));
      const view = await readCodeDeployRollout(c, out.detail!.deploymentId, out.detail);
      assert.deepEqual(view.steps.map((s) => s.weight), [25, 100]);
      const watcher = new CodeDeployWatcher(c, { pollMs: 20 });
      watcher.watch(out.detail!);
      assert.equal((await watcher.waitForEnd(out.detail!.deploymentId)).status, 'promoted');
      watcher.dispose();
    }
    const config = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'LambdaCanary.Canary25Percent2Minutes' }))).deploymentConfigInfo!;
    assert.deepEqual(config.trafficRoutingConfig?.timeBasedCanary, { canaryPercentage: 25, canaryInterval: 2 });
  });

  it('refusals come first and leave nothing created', async () => {
    const name = await fresh();
    const appsBefore = await applications();
    const configsBefore = (await cd.send(new ListDeploymentConfigsCommand({}))).deploymentConfigsList ?? [];
    const c = ctx();
    const start = (extra: Partial<Parameters<typeof startCodeDeployRollout>[1]>) =>
      startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: presetPlan('Canary10Percent5Minutes')!, settings: { application: `refusals-${name}` }, ...extra });

    const noRole = await start({});
    assert.equal(noRole.state, 'unchanged');
    assert.equal(noRole.error?.kind, 'validation');
    assert.match(noRole.error!.message, /needs a service role.*lambdaCanary\.codeDeploy\.serviceRoleArn.*--service-role.*AWSCodeDeployRoleForLambda/);

    const manual = await start({ plan: parsePlanText('10%@5m manual, 100%'), settings: { ...settings, application: `refusals-${name}` } });
    assert.equal(manual.error?.kind, 'validation');
    assert.match(manual.error!.message, /CodeDeploy cannot run the plan .*waits for approval/);
    const shape = await start({ plan: parsePlanText('10%@3m, 13%@7m, 100%'), settings: { ...settings, application: `refusals-${name}` } });
    assert.match(shape.error!.message, /two shapes of shift/);

    const served = await start({ version: '1', settings: { ...settings, application: `refusals-${name}` } });
    assert.match(served.error!.message, /already serves version 1/);

    const stale = await start({ expectedRevisionId: 'not-the-revision', settings: { ...settings, application: `refusals-${name}` } });
    assert.equal(stale.error?.kind, 'conflict');

    const alias = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } }, RevisionId: alias.RevisionId }));
    const split = await start({ settings: { ...settings, application: `refusals-${name}` } });
    assert.match(split.error!.message, /split in place .*promote or roll back the canary first/);
    const now = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: now.RevisionId }));

    // A failing smoke test: version 3 throws.
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => { throw new TypeError("broken release"); };\n' }) }));
    await waitUntilFunctionUpdatedV2({ client: h().lambda, ...fast }, { FunctionName: name });
    const v3 = await h().lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await waitUntilPublishedVersionActive({ client: h().lambda, ...fast }, { FunctionName: name, Qualifier: v3.Version });
    const smoke = await start({ version: v3.Version!, smokeEvent: { hello: 1 }, settings: { ...settings, application: `refusals-${name}` } });
    assert.match(smoke.error!.message, /smoke test of version 3 failed \(TypeError: broken release\)/);

    for (const o of [noRole, manual, shape, served, stale, split, smoke]) {
      assert.equal(o.state, 'unchanged', o.error?.message);
      assert.ok(!o.steps.some((s) => /^Create|^Update/.test(s.name)), o.steps.map((s) => s.name).join(', '));
    }
    assert.deepEqual(await applications(), appsBefore);
    assert.deepEqual((await cd.send(new ListDeploymentConfigsCommand({}))).deploymentConfigsList ?? [], configsBefore);
    const a = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    assert.equal(a.FunctionVersion, '1');
    assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
  });

  it('refuses a second rollout while one is in flight on the alias, naming it; stop with rollback puts the alias back', async () => {
    const name = await fresh();
    const c = ctx();
    const first = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: LONG(), settings });
    assert.equal(first.state, 'done', first.error?.message);
    const id = first.detail!.deploymentId;
    const running = await runningDeploymentOn(c, { functionName: name, aliasName: 'live' });
    assert.deepEqual({ ...running, status: 'any' }, { deploymentId: id, status: 'any', application: 'lambda-canary', deploymentGroup: `${name}-live` });
    assert.match(running!.status, /^(Created|Queued|InProgress|Baking|Ready)$/);
    assert.equal(await runningDeploymentOn(c, { functionName: name, aliasName: 'other' }), undefined);

    const second = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: presetPlan('Canary10Percent5Minutes')!, settings });
    assert.equal(second.error?.kind, 'validation');
    assert.match(second.error!.message, new RegExp(`being deployed by CodeDeploy deployment ${id} \\(`));

    // Another alias on the same group: the busy group is refused before any write.
    await h().lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'other', FunctionVersion: '1' }));
    const sharedGroup = await startCodeDeployRollout(c, { functionName: name, aliasName: 'other', version: '2', plan: presetPlan('AllAtOnce')!, settings: { ...settings, deploymentGroup: `${name}-live` } });
    assert.equal(sharedGroup.state, 'unchanged', sharedGroup.error?.message);
    assert.equal(sharedGroup.error?.kind, 'validation');
    assert.match(sharedGroup.error!.message, new RegExp(`deployment group lambda-canary/${name}-live already has deployment ${id} in flight`));
    assert.ok(!sharedGroup.steps.some((s) => /^Create|^Update/.test(s.name)), sharedGroup.steps.map((s) => s.name).join(', '));

    // Wait for the 10 % step, then stop with rollback.
    const watcher = new CodeDeployWatcher(c, { pollMs: 20 });
    watcher.watch(first.detail!);
    await atTen(name);
    assert.equal((await weightOf(h().lambda, name)).percent, 10);
    const stop = await stopCodeDeployRollout(c, { functionName: name, aliasName: 'live', deploymentId: id, rollback: true });
    assert.equal(stop.state, 'done', stop.error?.message);
    assert.deepEqual([stop.detail?.event, stop.detail?.rollback], ['stop', true]);
    const end = await watcher.waitForEnd(id);
    watcher.dispose();
    assert.equal(end.status, 'rolled-back', end.statusText);
    assert.equal(end.codeDeploy?.deploymentStatus, 'Stopped');
    // The rollback is a deployment of its own: the rollout ends only once it Succeeded.
    const rollbackId = end.codeDeploy?.rollback?.deploymentId;
    assert.match(rollbackId ?? '', /^d-[A-Z0-9]{9}$/);
    assert.equal((await cd.send(new GetDeploymentCommand({ deploymentId: rollbackId! }))).deploymentInfo?.status, 'Succeeded');
    assert.equal((c.journal.outcomes.find((o) => (o.detail as CodeDeployDetail | undefined)?.event === 'ended' && (o.detail as CodeDeployDetail).deploymentId === id)?.detail as CodeDeployDetail | undefined)?.rolledBack, true);
    assert.match(end.statusText, /was stopped .*live is back on version 1/);
    const w = await weightOf(h().lambda, name);
    assert.deepEqual([w.version, w.percent], ['1', 0]);

    const again = await stopCodeDeployRollout(c, { functionName: name, aliasName: 'live', deploymentId: id, rollback: true });
    assert.equal(again.error?.kind, 'validation');
    assert.match(again.error!.message, /has already ended \(Stopped\)/);
  });

  it('stop without rollback leaves the split where it was, aborted', async () => {
    const name = await fresh();
    const c = ctx();
    const first = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: LONG(), settings });
    const id = first.detail!.deploymentId;
    await atTen(name);
    const stop = await stopCodeDeployRollout(c, { functionName: name, aliasName: 'live', deploymentId: id, rollback: false });
    assert.equal(stop.state, 'done', stop.error?.message);
    const view = await readCodeDeployRollout(c, id, first.detail);
    assert.equal(view.status, 'aborted', view.statusText);
    assert.equal((await weightOf(h().lambda, name)).percent, 10);

    // A target that cannot be read keeps the deployment's view, saying so; the target id is listed once per client.
    const listed: string[] = [];
    const denying = {
      send: ((cmd: { constructor: { name: string } }, o?: never) => {
        listed.push(cmd.constructor.name);
        return cmd.constructor.name === 'GetDeploymentTargetCommand'
          ? Promise.reject(Object.assign(new Error('User is not authorized to perform: codedeploy:GetDeploymentTarget'), { name: 'AccessDeniedException' }))
          : cd.send(cmd as never, o);
      }) as unknown as CodeDeployClient['send'],
    };
    const partial = await readCodeDeployRollout({ codedeploy: denying }, id, first.detail);
    await readCodeDeployRollout({ codedeploy: denying }, id, first.detail);
    assert.equal(partial.codeDeploy?.deploymentStatus, 'Stopped');
    assert.equal(partial.status, 'aborted');
    assert.match(partial.statusText, /its Lambda target could not be read: .*AccessDenied|not authorized/);
    assert.equal(listed.filter((n) => n === 'ListDeploymentTargetsCommand').length, 1, listed.join(', '));
  });

  it('the guard refuses weight, promote, rollback, switch and canary while a deployment runs, and only warns when it cannot read', async () => {
    const name = await fresh();
    const c = ctx();
    const first = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: LONG(), settings });
    const id = first.detail!.deploymentId;
    await atTen(name);
    const guarded = { ...c, codeDeployGuard: (ref: { functionName: string; aliasName: string }, signal?: AbortSignal) => runningDeploymentOn({ codedeploy: cd, signal }, ref) };
    const ref = { functionName: name, aliasName: 'live' };
    const before = await weightOf(h().lambda, name);
    for (const o of [await setCanaryWeight(guarded, { ...ref, weightPercent: 50 }), await promote(guarded, ref), await rollback(guarded, ref), await switchAlias(guarded, { ...ref, version: '2' })]) {
      assert.equal(o.state, 'unchanged');
      assert.equal(o.error?.kind, 'conflict');
      assert.match(o.error!.message, new RegExp(`${name}:live is being deployed by CodeDeploy deployment ${id} \\((InProgress|Baking)[^)]*\\): stop it .* or wait for it to end`));
      assert.ok(!o.steps.some((s) => s.name.startsWith('UpdateAlias')));
    }
    // The local engine's start too, before it journals or writes anything.
    const runner = new RolloutRunner(guarded, { client: 'cli' });
    const local = await runner.start({ ...ref, version: '2', plan: presetPlan('Canary10Percent5Minutes')! });
    await runner.dispose();
    assert.equal(local.error?.kind, 'conflict', local.error?.message);
    assert.match(local.error!.message, new RegExp(`being deployed by CodeDeploy deployment ${id}`));
    assert.equal(c.journal.outcomes.filter((o) => o.action === 'rollout').length, 0);
    assert.equal((await weightOf(h().lambda, name)).revision, before.revision);
    await stopCodeDeployRollout(c, { ...ref, deploymentId: id, rollback: true });

    // Another alias: the guard finds nothing and the write goes on; a guard that cannot read warns.
    const other = await fresh();
    const failing = { ...c, codeDeployGuard: () => Promise.reject(Object.assign(new Error('User is not authorized to perform: codedeploy:ListDeployments'), { name: 'AccessDeniedException' })) };
    const canary = await startCanary(failing, { functionName: other, aliasName: 'live', version: '2', weightPercent: 10 });
    assert.equal(canary.state, 'done', canary.error?.message);
    assert.ok(canary.warnings.some((w) => /could not be checked \(AccessDeniedException/.test(w)), canary.warnings.join(' | '));
    const ok = await setCanaryWeight(guarded, { functionName: other, aliasName: 'live', weightPercent: 20 });
    assert.equal(ok.state, 'done', ok.error?.message);
    assert.deepEqual(ok.warnings, []);
  });

  it('never changes an existing group: the plan\'s alarms and the rollbacks go on the deployment alone', async () => {
    const name = await fresh();
    const c = ctx();
    const groupName = `${name}-live`;
    const groupAlarms = async () => (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'lambda-canary', deploymentGroupName: groupName }))).deploymentGroupInfo!.alarmConfiguration;
    const runToEnd = async (version: string, alarms?: string[], extra: CodeDeploySettings = {}) => {
      const o = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version, plan: { ...presetPlan('AllAtOnce')!, ...(alarms ? { alarms } : {}) }, settings: extra });
      assert.equal(o.state, 'done', o.error?.message);
      const w = new CodeDeployWatcher(c, { pollMs: 20 });
      w.watch(o.detail!);
      await w.waitForEnd(o.detail!.deploymentId);
      w.dispose();
      return o;
    };
    // The group made with the first plan's alarms (a SAM group has its own the same way).
    await runToEnd('2', ['group-alarm'], settings);
    assert.deepEqual((await groupAlarms())?.alarms?.map((a) => a.name), ['group-alarm']);

    const second = await runToEnd('1', ['checkout-5xx']);
    assert.ok(!second.steps.some((s) => s.name.startsWith('UpdateDeploymentGroup')), second.steps.map((s) => s.name).join(', '));
    assert.deepEqual((await groupAlarms())?.alarms?.map((a) => a.name), ['group-alarm']);
    const d2 = (await cd.send(new GetDeploymentCommand({ deploymentId: second.detail!.deploymentId }))).deploymentInfo!;
    assert.deepEqual(d2.overrideAlarmConfiguration?.alarms?.map((a) => a.name), ['checkout-5xx']);
    assert.equal(d2.overrideAlarmConfiguration?.enabled, true);
    assert.deepEqual([...(d2.autoRollbackConfiguration?.events ?? [])].sort(), ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']);

    // A plan without alarms leaves the group's watching: no override.
    const third = await runToEnd('2');
    assert.deepEqual((await groupAlarms())?.alarms?.map((a) => a.name), ['group-alarm']);
    assert.equal((await groupAlarms())?.enabled, true);
    const d3 = (await cd.send(new GetDeploymentCommand({ deploymentId: third.detail!.deploymentId }))).deploymentInfo!;
    // (GetDeployment may report the group's alarms as the deployment's: never the plan's of before.)
    const o3 = d3.overrideAlarmConfiguration;
    assert.deepEqual(o3?.enabled ? (o3.alarms ?? []).map((a) => a.name) : [], o3?.enabled ? ['group-alarm'] : [], JSON.stringify(o3));
  });

  async function hook(name: string, status: string): Promise<void> {
    await h().lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: hookZip() }, Environment: { Variables: { HOOK_STATUS: status } } }));
    await waitUntilFunctionActiveV2({ client: h().lambda, ...fast }, { FunctionName: name });
  }

  it('a BeforeAllowTraffic hook reporting Failed fails the deployment with the alias as before; a missing hook is refused first; a hook CodeDeploy\'s policy does not cover warns', async () => {
    const name = await fresh();
    await hook('CodeDeployHook_core_fails', 'Failed');
    const c = ctx();
    const count = async () => ((await cd.send(new ListDeploymentsCommand({}))).deployments ?? []).length;
    const deploymentsBefore = await count();
    const missing = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: presetPlan('AllAtOnce')!, settings: { ...settings, beforeAllowTraffic: 'CodeDeployHook_nowhere' } });
    assert.equal(missing.error?.kind, 'validation');
    assert.match(missing.error!.message, /hook function CodeDeployHook_nowhere does not exist/);
    assert.equal(await count(), deploymentsBefore);
    assert.ok(!missing.steps.some((s) => /^Create/.test(s.name)), missing.steps.map((s) => s.name).join(', '));

    const out = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: presetPlan('Canary10Percent5Minutes')!, settings: { ...settings, beforeAllowTraffic: 'CodeDeployHook_core_fails' } });
    assert.equal(out.state, 'done', out.error?.message);
    assert.deepEqual(out.warnings, []);
    const watcher = new CodeDeployWatcher(c, { pollMs: 20 });
    watcher.watch(out.detail!);
    const end = await watcher.waitForEnd(out.detail!.deploymentId);
    watcher.dispose();
    assert.notEqual(end.status, 'promoted');
    assert.equal(end.codeDeploy?.deploymentStatus, 'Failed', end.statusText);
    assert.match(end.codeDeploy?.error ?? '', /HOOK_EXECUTION_FAILURE|hook/i);
    const before = end.codeDeploy?.lifecycle.find((e) => e.name === 'BeforeAllowTraffic');
    assert.equal(before?.status, 'Failed', JSON.stringify(end.codeDeploy?.lifecycle));
    const w = await weightOf(h().lambda, name);
    assert.deepEqual([w.version, w.percent], ['1', 0]);

    await hook('plain-post-hook', 'Succeeded');
    const other = await fresh();
    const warned = await startCodeDeployRollout(c, { functionName: other, aliasName: 'live', version: '2', plan: presetPlan('AllAtOnce')!, settings: { ...settings, afterAllowTraffic: 'plain-post-hook' } });
    assert.equal(warned.state, 'done', warned.error?.message);
    assert.ok(warned.warnings.some((x) => /only functions named CodeDeployHook_\*.*plain-post-hook/.test(x)), warned.warnings.join(' | '));
  });

  it('names the deployment group that manages an alias (its last deployment targeted it), and none for another alias', async () => {
    const name = await fresh();
    const c = ctx();
    const out = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: presetPlan('AllAtOnce')!, settings });
    assert.equal(out.state, 'done', out.error?.message);
    assert.deepEqual(await codeDeployManagement(c, { functionName: name, aliasName: 'live' }), { by: 'group', application: 'lambda-canary', deploymentGroup: `${name}-live`, lastDeploymentId: out.detail!.deploymentId });
    assert.equal(await codeDeployManagement(c, { functionName: name, aliasName: 'staging' }), undefined);
  });

  it('a watcher whose reads fail keeps the last view, says so, and does not throw', async () => {
    const name = await fresh();
    const c = ctx();
    const out = await startCodeDeployRollout(c, { functionName: name, aliasName: 'live', version: '2', plan: LONG(), settings });
    const watcher = new CodeDeployWatcher(c, { pollMs: 20 });
    const first = watcher.watch(out.detail!);
    await watcher.refresh();
    const read = watcher.view(name, 'live')!;
    assert.equal(read.codeDeploy?.deploymentId, first.codeDeploy?.deploymentId);
    assert.equal(read.status, 'running');
    watcher.dispose();

    // The same deployment through a client whose endpoint answers nothing.
    const { CodeDeployClient } = await import('@aws-sdk/client-codedeploy');
    const dead = new CodeDeployClient({ endpoint: 'http://127.0.0.1:9', region: h().sandbox.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const blind = new CodeDeployWatcher(ctx(c.journal, { codedeploy: dead }), { pollMs: 20 });
    const changes: string[] = [];
    blind.onDidChange((v) => changes.push(v.statusText));
    blind.watch(out.detail!);
    await blind.refresh();
    await blind.refresh();
    const kept = blind.view(name, 'live')!;
    blind.dispose();
    dead.destroy();
    assert.equal(kept.status, 'running');
    assert.match(kept.statusText, /\(as last read: .*ECONNREFUSED.*; read again in 1 s\)\.$/);
    assert.equal((kept.statusText.match(/as last read/g) ?? []).length, 1, kept.statusText);
    assert.equal(changes.length, 1, changes.join(' | '));

    // A request that hangs is given up after the read timeout: the tick ends, the last view stays.
    const held: net.Socket[] = [];
    const hung = net.createServer((sock) => held.push(sock));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const slow = new CodeDeployClient({ endpoint: `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}`, region: h().sandbox.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const stalled = new CodeDeployWatcher(ctx(c.journal, { codedeploy: slow }), { pollMs: 20, readTimeoutMs: 300 });
    stalled.watch(out.detail!);
    const t0 = Date.now();
    await stalled.refresh();
    const waited = Date.now() - t0;
    const stale = stalled.view(name, 'live')!;
    stalled.dispose();
    slow.destroy();
    for (const sock of held) sock.destroy();
    hung.close();
    assert.ok(waited < 10_000, `gave up after ${waited} ms`);
    assert.equal(stale.status, 'running');
    assert.match(stale.statusText, /as last read: /);

    // A deployment that does not exist (or may not be read) ends the watch: unreadable, journalled once.
    const gone: CodeDeployDetail = { ...out.detail!, deploymentId: 'd-ZZZZZZZZZ' };
    const lost = new CodeDeployWatcher(c, { pollMs: 20 });
    lost.watch(gone);
    const unreadable = await lost.waitForEnd(gone.deploymentId);
    lost.dispose();
    assert.equal(unreadable.status, 'abandoned', unreadable.statusText);
    assert.match(unreadable.statusText, /cannot be read \(.*DeploymentDoesNotExist/);
    const endedGone = c.journal.outcomes.filter((o) => (o.detail as CodeDeployDetail).event === 'ended' && (o.detail as CodeDeployDetail).deploymentId === gone.deploymentId);
    assert.deepEqual(endedGone.map((o) => (o.detail as CodeDeployDetail).status), ['Unreadable']);
    await stopCodeDeployRollout(c, { functionName: name, aliasName: 'live', deploymentId: out.detail!.deploymentId, rollback: true });
  });
});
