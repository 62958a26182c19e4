/**
 * The sandbox's CodeDeploy through the real @aws-sdk/client-codedeploy: applications, groups,
 * configs, deployments that shift the alias the Lambda API serves, hooks, alarms, stops and
 * rollbacks, and AWS's errors.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BatchGetApplicationsCommand,
  BatchGetDeploymentsCommand,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentConfigCommand,
  CreateDeploymentGroupCommand,
  DeleteApplicationCommand,
  DeleteDeploymentConfigCommand,
  DeleteDeploymentGroupCommand,
  GetApplicationCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListApplicationsCommand,
  ListDeploymentConfigsCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
  StopDeploymentCommand,
  UpdateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, UpdateAliasCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { seedDemo, startSandbox } from '../../src/sandbox';
import { clientsFor, ROLE, rawRequest, sdkHeaders, sleep, useSandbox } from './helpers';
import { fast, rejectsWith } from './lambda-testkit';
import { appAndGroup, appSpec, codeDeployFor, deploy, deployment, functionWithTwoVersions, hookZip, lambdaTarget, SERVICE_ROLE, waitForStatus, weightOf } from './codedeploy-sandbox-kit';

const MINUTE_MS = 60;

describe('sandbox CodeDeploy (real SDK over HTTP)', function () {
  this.timeout(60_000);
  const h = useSandbox({ codeDeployMinuteMs: MINUTE_MS });
  let cd: CodeDeployClient;
  before(() => {
    cd = codeDeployFor(h().sandbox);
  });
  after(() => cd.destroy());

  async function hookFunction(name: string, status: string): Promise<void> {
    await h().lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: hookZip() }, Environment: { Variables: { HOOK_STATUS: status } } }));
    await waitUntilFunctionActiveV2({ client: h().lambda, ...fast }, { FunctionName: name });
  }

  it('serves the predefined Lambda configs, lists them, refuses to delete them', async () => {
    const c = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' }))).deploymentConfigInfo!;
    assert.equal(c.computePlatform, 'Lambda');
    assert.deepEqual(c.trafficRoutingConfig, { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } });
    const linear = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute' }))).deploymentConfigInfo!;
    assert.deepEqual(linear.trafficRoutingConfig, { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } });
    const list = (await cd.send(new ListDeploymentConfigsCommand({}))).deploymentConfigsList!;
    for (const n of ['LambdaAllAtOnce', 'LambdaCanary10Percent5Minutes', 'LambdaCanary10Percent10Minutes', 'LambdaCanary10Percent15Minutes', 'LambdaCanary10Percent30Minutes', 'LambdaLinear10PercentEvery1Minute', 'LambdaLinear10PercentEvery2Minutes', 'LambdaLinear10PercentEvery3Minutes', 'LambdaLinear10PercentEvery10Minutes']) {
      assert.ok(list.includes(`CodeDeployDefault.${n}`), n);
    }
    await rejectsWith(cd.send(new DeleteDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce' })), 'InvalidOperationException', 400);
    await rejectsWith(cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'NoSuchConfig' })), 'DeploymentConfigDoesNotExistException', 400, /NoSuchConfig/);
  });

  it('creates, reads, lists, updates and deletes applications, groups and custom configs, with AWS errors', async () => {
    const created = await cd.send(new CreateApplicationCommand({ applicationName: 'crud-app', computePlatform: 'Lambda' }));
    assert.match(created.applicationId!, /^[0-9a-f-]{36}$/);
    await rejectsWith(cd.send(new CreateApplicationCommand({ applicationName: 'crud-app', computePlatform: 'Lambda' })), 'ApplicationAlreadyExistsException', 400);
    await rejectsWith(cd.send(new CreateApplicationCommand({ applicationName: 'x'.repeat(101), computePlatform: 'Lambda' })), 'InvalidApplicationNameException', 400, /100/);
    const app = (await cd.send(new GetApplicationCommand({ applicationName: 'crud-app' }))).application!;
    assert.equal(app.computePlatform, 'Lambda');
    assert.ok(app.createTime instanceof Date);
    assert.ok((await cd.send(new ListApplicationsCommand({}))).applications!.includes('crud-app'));
    assert.equal((await cd.send(new BatchGetApplicationsCommand({ applicationNames: ['crud-app'] }))).applicationsInfo![0].applicationId, created.applicationId);
    await rejectsWith(cd.send(new GetApplicationCommand({ applicationName: 'nope' })), 'ApplicationDoesNotExistException', 400);

    const cfg = await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent7Minutes', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 7 } } }));
    assert.ok(cfg.deploymentConfigId);
    await rejectsWith(cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent7Minutes', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'AllAtOnce' } })), 'DeploymentConfigAlreadyExistsException', 400);
    await rejectsWith(cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Bad', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 0, linearInterval: 1 } } })), 'InvalidTrafficRoutingConfigurationException', 400);

    await rejectsWith(cd.send(new CreateDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g', serviceRoleArn: undefined })), 'RoleRequiredException', 400);
    await rejectsWith(cd.send(new CreateDeploymentGroupCommand({ applicationName: 'nope', deploymentGroupName: 'g', serviceRoleArn: SERVICE_ROLE })), 'ApplicationDoesNotExistException', 400);
    await cd.send(new CreateDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g', serviceRoleArn: SERVICE_ROLE, deploymentConfigName: 'Canary25Percent7Minutes', autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } }));
    await rejectsWith(cd.send(new CreateDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g', serviceRoleArn: SERVICE_ROLE })), 'DeploymentGroupAlreadyExistsException', 400);
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g' }))).deploymentGroupInfo!;
    assert.equal(g.deploymentConfigName, 'Canary25Percent7Minutes');
    assert.equal(g.computePlatform, 'Lambda');
    assert.deepEqual(g.deploymentStyle, { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' });
    assert.deepEqual(g.autoRollbackConfiguration, { enabled: true, events: ['DEPLOYMENT_FAILURE'] });
    await rejectsWith(cd.send(new DeleteDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent7Minutes' })), 'DeploymentConfigInUseException', 400);
    await cd.send(new UpdateDeploymentGroupCommand({ applicationName: 'crud-app', currentDeploymentGroupName: 'g', newDeploymentGroupName: 'g2', alarmConfiguration: { enabled: true, alarms: [{ name: 'a1' }] } }));
    assert.deepEqual((await cd.send(new ListDeploymentGroupsCommand({ applicationName: 'crud-app' }))).deploymentGroups, ['g2']);
    const g2 = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g2' }))).deploymentGroupInfo!;
    assert.equal(g2.alarmConfiguration?.alarms?.[0].name, 'a1');
    assert.equal(g2.deploymentGroupId, g.deploymentGroupId);
    await rejectsWith(cd.send(new GetDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g' })), 'DeploymentGroupDoesNotExistException', 400);
    await cd.send(new DeleteDeploymentGroupCommand({ applicationName: 'crud-app', deploymentGroupName: 'g2' }));
    await cd.send(new DeleteDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent7Minutes' }));
    await rejectsWith(cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'Canary25Percent7Minutes' })), 'DeploymentConfigDoesNotExistException', 400);
    await cd.send(new DeleteApplicationCommand({ applicationName: 'crud-app' }));
    await rejectsWith(cd.send(new GetApplicationCommand({ applicationName: 'crud-app' })), 'ApplicationDoesNotExistException', 400);
  });

  it('runs a deployment to its end: lifecycle events, target, the alias on TargetVersion with no routing', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-ok');
    await appAndGroup(cd, 'app', 'cd-ok');
    const before = await weightOf(h().lambda, 'cd-ok');
    const id = await deploy(cd, 'app', 'cd-ok', appSpec('cd-ok'), 'CodeDeployDefault.LambdaAllAtOnce');
    const d = await waitForStatus(cd, id);
    assert.equal(d.status, 'Succeeded', JSON.stringify(d.errorInformation));
    assert.equal(d.computePlatform, 'Lambda');
    assert.equal(d.creator, 'user');
    assert.equal(d.deploymentConfigName, 'CodeDeployDefault.LambdaAllAtOnce');
    assert.equal(d.revision?.revisionType, 'AppSpecContent');
    assert.ok(d.createTime instanceof Date && d.startTime instanceof Date && d.completeTime instanceof Date);
    assert.equal(d.deploymentOverview?.Succeeded, 1);
    const after = await weightOf(h().lambda, 'cd-ok');
    assert.deepEqual([after.version, after.percent], ['2', 100]);
    assert.notEqual(after.revision, before.revision, 'an UpdateAlias changed the RevisionId');
    const targets = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId: id }))).targetIds!;
    assert.deepEqual(targets, ['cd-ok:live']);
    const t = await lambdaTarget(cd, id, targets[0]);
    assert.equal(t.status, 'Succeeded');
    assert.equal(t.targetArn, 'arn:aws:lambda:us-east-1:123456789012:function:cd-ok:live');
    assert.deepEqual(t.lambdaFunctionInfo, { functionName: 'cd-ok', functionAlias: 'live', currentVersion: '1', targetVersion: '2', targetVersionWeight: 100 });
    assert.deepEqual(t.lifecycleEvents!.map((e) => [e.lifecycleEventName, e.status]), [
      ['Start', 'Succeeded'],
      ['BeforeAllowTraffic', 'Succeeded'],
      ['AllowTraffic', 'Succeeded'],
      ['AfterAllowTraffic', 'Succeeded'],
      ['End', 'Succeeded'],
    ]);
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'app', deploymentGroupName: 'cd-ok' }))).deploymentGroupInfo!;
    assert.equal(g.lastSuccessfulDeployment?.deploymentId, id);
    await rejectsWith(cd.send(new StopDeploymentCommand({ deploymentId: id })), 'DeploymentAlreadyCompletedException', 400);
  });

  it('a BeforeAllowTraffic hook reporting Succeeded (from the function, with the SDK) lets traffic move', async () => {
    await hookFunction('hook-ok', 'Succeeded');
    await functionWithTwoVersions(h().lambda, 'cd-hook-ok');
    await appAndGroup(cd, 'app', 'cd-hook-ok');
    const id = await deploy(cd, 'app', 'cd-hook-ok', appSpec('cd-hook-ok', { before: 'hook-ok', after: 'hook-ok' }), 'CodeDeployDefault.LambdaAllAtOnce');
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Succeeded', JSON.stringify(d.errorInformation));
    assert.equal((await weightOf(h().lambda, 'cd-hook-ok')).percent, 100);
    const t = await lambdaTarget(cd, id, 'cd-hook-ok:live');
    assert.deepEqual(t.lifecycleEvents!.map((e) => e.status), ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
  });

  it('a hook reporting Failed fails the deployment and leaves the alias as it was', async () => {
    await hookFunction('hook-fail', 'Failed');
    await functionWithTwoVersions(h().lambda, 'cd-hook-fail');
    await appAndGroup(cd, 'app', 'cd-hook-fail');
    const before = await weightOf(h().lambda, 'cd-hook-fail');
    const id = await deploy(cd, 'app', 'cd-hook-fail', appSpec('cd-hook-fail', { before: 'hook-fail' }), 'CodeDeployDefault.LambdaAllAtOnce');
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Failed');
    assert.equal(d.errorInformation?.code, 'HOOK_EXECUTION_FAILURE');
    assert.match(d.errorInformation!.message!, /BeforeAllowTraffic \(hook-fail\)/);
    assert.deepEqual(await weightOf(h().lambda, 'cd-hook-fail'), before, 'version, routing and RevisionId unchanged');
    const t = await lambdaTarget(cd, id, 'cd-hook-fail:live');
    assert.equal(t.status, 'Failed');
    assert.deepEqual(t.lifecycleEvents!.map((e) => [e.lifecycleEventName, e.status]), [
      ['Start', 'Succeeded'],
      ['BeforeAllowTraffic', 'Failed'],
      ['AllowTraffic', 'Skipped'],
      ['AfterAllowTraffic', 'Skipped'],
      ['End', 'Skipped'],
    ]);
    assert.equal(t.lifecycleEvents![1].diagnostics?.errorCode, 'ScriptFailed');
    assert.equal(t.lifecycleEvents![1].diagnostics?.scriptName, 'hook-fail');
  });

  it('an AfterAllowTraffic hook reporting Failed, with DEPLOYMENT_FAILURE auto-rollback, puts the alias back', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-after-fail');
    await appAndGroup(cd, 'app', 'cd-after-fail', { autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    const id = await deploy(cd, 'app', 'cd-after-fail', appSpec('cd-after-fail', { after: 'hook-fail' }), 'CodeDeployDefault.LambdaAllAtOnce');
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Failed');
    assert.equal(d.errorInformation?.code, 'HOOK_EXECUTION_FAILURE');
    const rollbackId = d.rollbackInfo?.rollbackDeploymentId;
    assert.match(rollbackId ?? '', /^d-[A-Z0-9]{9}$/);
    const r = await waitForStatus(cd, rollbackId!, 20_000);
    assert.equal(r.status, 'Succeeded', JSON.stringify(r.errorInformation));
    const w = await weightOf(h().lambda, 'cd-after-fail');
    assert.deepEqual([w.version, w.percent], ['1', 0]);
    assert.equal(r.creator, 'codeDeployRollback');
    assert.equal(r.deploymentConfigName, 'CodeDeployDefault.LambdaAllAtOnce');
    assert.ok(r.startTime instanceof Date && r.completeTime instanceof Date);
    assert.equal(r.rollbackInfo?.rollbackTriggeringDeploymentId, id);
    assert.match(r.rollbackInfo?.rollbackMessage ?? '', new RegExp(id));
    assert.match(d.rollbackInfo?.rollbackMessage ?? '', new RegExp(rollbackId!));
    // The rollback's own revision swaps the versions, and its target says the same.
    const spec = JSON.parse(r.revision!.appSpecContent!.content!) as { Resources: Record<string, { Properties: Record<string, string> }>[] };
    const props = Object.values(spec.Resources[0])[0].Properties;
    assert.deepEqual([props.Name, props.Alias, props.CurrentVersion, props.TargetVersion], ['cd-after-fail', 'live', '2', '1']);
    const t = await lambdaTarget(cd, rollbackId!, 'cd-after-fail:live');
    assert.equal(t.status, 'Succeeded');
    assert.deepEqual(t.lambdaFunctionInfo, { functionName: 'cd-after-fail', functionAlias: 'live', currentVersion: '2', targetVersion: '1', targetVersionWeight: 100 });
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'app', deploymentGroupName: 'cd-after-fail' }))).deploymentGroupInfo!;
    assert.deepEqual([g.lastAttemptedDeployment?.deploymentId, g.lastAttemptedDeployment?.status], [rollbackId, 'Succeeded']);
    assert.equal(g.lastSuccessfulDeployment?.deploymentId, rollbackId);
  });

  it('an alarm of the group going into ALARM while traffic shifts stops the deployment and rolls it back', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-alarm');
    const alarm = {
      AlarmName: 'cd-alarm-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'cd-alarm' }],
      Statistic: 'Sum' as const,
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold' as const,
      TreatMissingData: 'notBreaching',
    };
    await h().cloudwatch.send(new PutMetricAlarmCommand(alarm));
    await appAndGroup(cd, 'app', 'cd-alarm', {
      alarmConfiguration: { enabled: true, alarms: [{ name: 'cd-alarm-errors' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    });
    const id = await deploy(cd, 'app', 'cd-alarm', appSpec('cd-alarm'), 'CodeDeployDefault.LambdaCanary10Percent30Minutes');
    await waitForStatus(cd, id, 5_000, () => true);
    for (let i = 0; (await weightOf(h().lambda, 'cd-alarm')).percent !== 10; i++) assert.ok(i < 500, 'the canary step came');
    const running = await deployment(cd, id);
    assert.equal(running.status, 'InProgress');
    // No data counts as breaching from now on: the alarm goes to ALARM when next evaluated.
    await h().cloudwatch.send(new PutMetricAlarmCommand({ ...alarm, TreatMissingData: 'breaching' }));
    const d = await waitForStatus(cd, id);
    assert.equal(d.status, 'Stopped');
    assert.equal(d.errorInformation?.code, 'ALARM_ACTIVE');
    assert.match(d.errorInformation!.message!, /cd-alarm-errors/);
    assert.ok(d.rollbackInfo?.rollbackDeploymentId);
    const r = await waitForStatus(cd, d.rollbackInfo!.rollbackDeploymentId!, 20_000);
    assert.equal(r.rollbackInfo?.rollbackTriggeringDeploymentId, id);
    assert.equal(r.status, 'Succeeded');
    const w = await weightOf(h().lambda, 'cd-alarm');
    assert.deepEqual([w.version, w.percent], ['1', 0]);
  });

  it('StopDeployment with autoRollbackEnabled rolls back; without, leaves the alias where it is', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-stop');
    await appAndGroup(cd, 'app', 'cd-stop');
    const canaryStep = async () => {
      for (let i = 0; (await weightOf(h().lambda, 'cd-stop')).percent !== 10; i++) assert.ok(i < 500, 'the canary step came');
    };
    const first = await deploy(cd, 'app', 'cd-stop', appSpec('cd-stop'), 'CodeDeployDefault.LambdaCanary10Percent30Minutes');
    await canaryStep();
    const out = await cd.send(new StopDeploymentCommand({ deploymentId: first, autoRollbackEnabled: true }));
    assert.equal(out.status, 'Succeeded');
    const d = await deployment(cd, first);
    assert.equal(d.status, 'Stopped');
    assert.equal(d.errorInformation?.code, 'MANUAL_STOP');
    assert.ok(d.rollbackInfo?.rollbackDeploymentId);
    assert.equal((await waitForStatus(cd, d.rollbackInfo!.rollbackDeploymentId!, 20_000)).status, 'Succeeded');
    assert.deepEqual((await weightOf(h().lambda, 'cd-stop')).percent, 0);

    const second = await deploy(cd, 'app', 'cd-stop', appSpec('cd-stop'), 'CodeDeployDefault.LambdaCanary10Percent30Minutes');
    await canaryStep();
    await cd.send(new StopDeploymentCommand({ deploymentId: second, autoRollbackEnabled: false }));
    const s = await deployment(cd, second);
    assert.equal(s.status, 'Stopped');
    assert.equal(s.rollbackInfo, undefined);
    const w = await weightOf(h().lambda, 'cd-stop');
    assert.deepEqual([w.version, w.percent], ['1', 10], 'the split stays');
    assert.equal((await lambdaTarget(cd, second, 'cd-stop:live')).lambdaFunctionInfo?.targetVersionWeight, 10);
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: 'cd-stop', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
  });

  it('a second deployment on the group while one runs gets DeploymentLimitExceededException', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-busy');
    await appAndGroup(cd, 'app', 'cd-busy');
    const id = await deploy(cd, 'app', 'cd-busy', appSpec('cd-busy'), 'CodeDeployDefault.LambdaCanary10Percent30Minutes');
    await rejectsWith(deploy(cd, 'app', 'cd-busy', appSpec('cd-busy')), 'DeploymentLimitExceededException', 400, new RegExp(`The Deployment Group 'cd-busy' already has an active Deployment '${id}'`));
    const listed = await cd.send(new ListDeploymentsCommand({ applicationName: 'app', deploymentGroupName: 'cd-busy', includeOnlyStatuses: ['InProgress'] }));
    assert.deepEqual(listed.deployments, [id]);
    await cd.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    const rollbackId = (await deployment(cd, id)).rollbackInfo!.rollbackDeploymentId!;
    await waitForStatus(cd, rollbackId, 20_000);
    assert.deepEqual((await cd.send(new ListDeploymentsCommand({ applicationName: 'app', deploymentGroupName: 'cd-busy', includeOnlyStatuses: ['InProgress'] }))).deployments, []);
  });

  it('refuses unknown applications, groups and configs, and bad revisions, with AWS errors', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-bad');
    await appAndGroup(cd, 'app', 'cd-bad');
    const content = appSpec('cd-bad');
    await rejectsWith(deploy(cd, 'no-app', 'cd-bad', content), 'ApplicationDoesNotExistException', 400, /no-app/);
    await rejectsWith(deploy(cd, 'app', 'no-group', content), 'DeploymentGroupDoesNotExistException', 400, /no-group/);
    await rejectsWith(deploy(cd, 'app', 'cd-bad', content, 'NoSuchConfig'), 'DeploymentConfigDoesNotExistException', 400, /NoSuchConfig/);
    await rejectsWith(cd.send(new CreateDeploymentCommand({ applicationName: 'app', deploymentGroupName: 'cd-bad' })), 'RevisionRequiredException', 400);
    await rejectsWith(cd.send(new CreateDeploymentCommand({ applicationName: 'app', deploymentGroupName: 'cd-bad', revision: { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k', bundleType: 'YAML' } } })), 'InvalidRevisionException', 400);
    await rejectsWith(cd.send(new CreateDeploymentCommand({ applicationName: 'app', deploymentGroupName: 'cd-bad', revision: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: '0'.repeat(64) } } })), 'InvalidRevisionException', 400, /SHA-256/);
    await rejectsWith(cd.send(new CreateDeploymentCommand({ applicationName: 'app' })), 'DeploymentGroupNameRequiredException', 400);
    assert.deepEqual((await cd.send(new ListDeploymentsCommand({ applicationName: 'app', deploymentGroupName: 'cd-bad' }))).deployments, [], 'nothing was created');
  });

  it('fails a deployment whose alias is not on CurrentVersion, or whose AppSpec does not read, and touches nothing', async () => {
    await functionWithTwoVersions(h().lambda, 'cd-spec');
    await appAndGroup(cd, 'app', 'cd-spec');
    const before = await weightOf(h().lambda, 'cd-spec');
    const cases: [string, RegExp][] = [
      [appSpec('cd-spec', { current: '2', target: '1' }), /alias version does not match the current version/],
      [appSpec('cd-spec', { target: '1' }), /TargetVersion must differ/],
      [appSpec('cd-spec', { target: '7' }), /target version 7/],
      [appSpec('cd-spec', { alias: 'nope' }), /Alias not found/],
      ['Resources: [unclosed', /neither valid YAML nor JSON/],
      ['{"version": 0.0, "Resources": []}', /no Resources/],
    ];
    for (const [content, why] of cases) {
      const id = await deploy(cd, 'app', 'cd-spec', content, 'CodeDeployDefault.LambdaAllAtOnce');
      const d = await waitForStatus(cd, id);
      assert.equal(d.status, 'Failed', content);
      assert.match(d.errorInformation?.code ?? '', /^INVALID_LAMBDA_(CONFIGURATION|FUNCTION)$/, content);
      assert.match(d.errorInformation?.message ?? '', why, content);
    }
    assert.deepEqual(await weightOf(h().lambda, 'cd-spec'), before);
  });

  it('lists and batch-reads deployments; refuses hook statuses it did not ask for', async () => {
    const ids = (await cd.send(new ListDeploymentsCommand({}))).deployments!;
    assert.ok(ids.length >= 5);
    const batch = (await cd.send(new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(0, 3) }))).deploymentsInfo!;
    assert.deepEqual(batch.map((d) => d.deploymentId).sort(), ids.slice(0, 3).sort());
    const old = await cd.send(new ListDeploymentsCommand({ createTimeRange: { end: new Date(Date.now() - 3_600_000) } }));
    assert.deepEqual(old.deployments, []);
    await rejectsWith(cd.send(new ListDeploymentsCommand({ includeOnlyStatuses: ['Nope' as never] })), 'InvalidDeploymentStatusException', 400);
    await rejectsWith(deployment(cd, 'd-NOTHERE00'), 'DeploymentDoesNotExistException', 400);
    await rejectsWith(deployment(cd, 'nonsense'), 'InvalidDeploymentIdException', 400);
    const id = ids[0];
    await rejectsWith(cd.send(new PutLifecycleEventHookExecutionStatusCommand({ deploymentId: id, lifecycleEventHookExecutionId: 'made-up', status: 'Succeeded' })), 'InvalidLifecycleEventHookExecutionIdException', 400);
    await rejectsWith(cd.send(new PutLifecycleEventHookExecutionStatusCommand({ deploymentId: id, lifecycleEventHookExecutionId: 'made-up', status: 'InProgress' })), 'InvalidLifecycleEventHookExecutionStatusException', 400);
  });

  it('admits CodeDeploy requests as it does CloudWatch ones: signed, loopback Host, no Origin, its content type', async () => {
    const sb = h().sandbox;
    const target = { 'x-amz-target': 'CodeDeploy_20141006.ListApplications' };
    const body = '{}';
    const ok = await rawRequest(sb, 'POST', '/', { ...sdkHeaders(sb, 'codedeploy'), ...target, 'content-type': 'application/x-amz-json-1.1' }, body);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.headers['content-type'], 'application/x-amz-json-1.1');
    const unsigned = await rawRequest(sb, 'POST', '/', { ...target, 'content-type': 'application/x-amz-json-1.1' }, body);
    assert.equal(unsigned.status, 403);
    assert.equal(JSON.parse(unsigned.body).__type, 'MissingAuthenticationTokenException');
    const browser = await rawRequest(sb, 'POST', '/', { ...sdkHeaders(sb, 'codedeploy'), ...target, 'content-type': 'application/x-amz-json-1.1', origin: 'https://evil.example' }, body);
    assert.equal(browser.status, 403);
    const foreign = await rawRequest(sb, 'POST', '/', { ...sdkHeaders(sb, 'codedeploy'), ...target, 'content-type': 'application/x-amz-json-1.1', host: 'evil.example' }, body);
    assert.equal(foreign.status, 403);
    const form = await rawRequest(sb, 'POST', '/', { ...sdkHeaders(sb, 'codedeploy'), ...target, 'content-type': 'text/plain' }, body);
    assert.equal(form.status, 415);
    const unknown = await rawRequest(sb, 'POST', '/', { ...sdkHeaders(sb, 'codedeploy'), 'x-amz-target': 'CodeDeploy_20141006.RegisterOnPremisesInstance', 'content-type': 'application/x-amz-json-1.1' }, body);
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.body).__type, 'UnknownOperationException');
  });
});

describe('sandbox CodeDeploy hook timeout', function () {
  this.timeout(30_000);
  // One CodeDeploy hour is 300 ms here.
  const h = useSandbox({ codeDeployMinuteMs: 5 });

  it('a hook that never reports fails the deployment after one CodeDeploy hour', async () => {
    const cd = codeDeployFor(h().sandbox);
    await h().lambda.send(new CreateFunctionCommand({ FunctionName: 'hook-silent', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: hookZip() }, Environment: { Variables: { HOOK_STATUS: 'none' } } }));
    await waitUntilFunctionActiveV2({ client: h().lambda, ...fast }, { FunctionName: 'hook-silent' });
    await functionWithTwoVersions(h().lambda, 'cd-silent');
    await appAndGroup(cd, 'app', 'cd-silent');
    const started = Date.now();
    const id = await deploy(cd, 'app', 'cd-silent', appSpec('cd-silent', { before: 'hook-silent' }), 'CodeDeployDefault.LambdaAllAtOnce');
    const d = await waitForStatus(cd, id);
    assert.equal(d.status, 'Failed');
    assert.ok(Date.now() - started >= 300, 'not before the hour');
    const t = await lambdaTarget(cd, id, 'cd-silent:live');
    assert.equal(t.lifecycleEvents![1].diagnostics?.errorCode, 'ScriptTimedOut');
    assert.equal((await weightOf(h().lambda, 'cd-silent')).percent, 0);
    cd.destroy();
  });
});

describe('sandbox CodeDeploy with the demo seed', function () {
  this.timeout(60_000);
  const h = useSandbox({ codeDeployMinuteMs: 20 });

  it("the demo's deploy-check hook (SigV4 by hand, no SDK) reports Succeeded and the deployment goes through", async () => {
    await seedDemo(h().sandbox.lambda, () => h().sandbox.settle());
    assert.deepEqual((await h().sandbox.codedeploy.operations.ListDeployments({})).deployments, [], 'the seed starts no deployment');
    const cd = codeDeployFor(h().sandbox);
    await appAndGroup(cd, 'demo', 'image-resizer-prod');
    const content = appSpec('image-resizer', { alias: 'prod', before: 'deploy-check' });
    const id = await deploy(cd, 'demo', 'image-resizer-prod', content, 'CodeDeployDefault.LambdaCanary10Percent5Minutes');
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Succeeded', JSON.stringify(d.errorInformation));
    const t = await lambdaTarget(cd, id, 'image-resizer:prod');
    assert.equal(t.lifecycleEvents![1].lifecycleEventName, 'BeforeAllowTraffic');
    assert.equal(t.lifecycleEvents![1].status, 'Succeeded');
    cd.destroy();
  });
});

describe('sandbox CodeDeploy state across a restart', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps applications, groups, configs and deployments, and a deployment in flight carries on from its recorded times', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-codedeploy-state-'));
    dirs.push(dir);
    let sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0, codeDeployMinuteMs: 100 });
    let { lambda } = clientsFor(sandbox);
    let cd = codeDeployFor(sandbox);
    await functionWithTwoVersions(lambda, 'cd-restart');
    await appAndGroup(cd, 'kept', 'cd-restart', { autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'KeptLinear', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } } }));
    const id = await deploy(cd, 'kept', 'cd-restart', appSpec('cd-restart'), 'KeptLinear');
    for (let i = 0; (await weightOf(lambda, 'cd-restart')).percent < 20; i++) assert.ok(i < 1000, 'the second step came');
    const before = await deployment(cd, id);
    lambda.destroy();
    cd.destroy();
    await sandbox.close();
    await sleep(500);

    sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0, codeDeployMinuteMs: 100 });
    ({ lambda } = clientsFor(sandbox));
    cd = codeDeployFor(sandbox);
    assert.deepEqual(sandbox.warnings, []);
    assert.ok((await cd.send(new ListApplicationsCommand({}))).applications!.includes('kept'));
    assert.deepEqual((await cd.send(new GetDeploymentGroupCommand({ applicationName: 'kept', deploymentGroupName: 'cd-restart' }))).deploymentGroupInfo?.autoRollbackConfiguration, { enabled: true, events: ['DEPLOYMENT_FAILURE'] });
    assert.equal((await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'KeptLinear' }))).deploymentConfigInfo?.trafficRoutingConfig?.type, 'TimeBasedLinear');
    const resumed = await deployment(cd, id);
    assert.equal(resumed.status, 'InProgress');
    assert.equal(resumed.startTime?.getTime(), before.startTime?.getTime());
    const d = await waitForStatus(cd, id);
    assert.equal(d.status, 'Succeeded', JSON.stringify(d.errorInformation));
    assert.equal((await weightOf(lambda, 'cd-restart')).version, '2');
    // Ten scaled minutes from its start, not from the restart: started again, it would end 500 ms and more later.
    const took = d.completeTime!.getTime() - d.startTime!.getTime();
    assert.ok(took >= 900 && took < 1400, `took ${took} ms`);
    lambda.destroy();
    cd.destroy();
    await sandbox.close();
  });

  it('sets a damaged record aside with a warning and starts without CodeDeploy records', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-codedeploy-damaged-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'codedeploy.json'), '{"version": 1, "applications": [');
    const sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
    try {
      assert.equal(sandbox.warnings.length, 1);
      assert.match(sandbox.warnings[0], /codedeploy\.json is damaged .* renamed to codedeploy\.json\.damaged-\d+/);
      assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('codedeploy.json.damaged-')));
      const cd = codeDeployFor(sandbox);
      assert.deepEqual((await cd.send(new ListApplicationsCommand({}))).applications, []);
      cd.destroy();
    } finally {
      await sandbox.close();
    }
  });
});
