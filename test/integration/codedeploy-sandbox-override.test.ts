/**
 * CreateDeployment's overrideAlarmConfiguration and autoRollbackConfiguration replace the group's
 * for that deployment alone (the core passes them instead of updating a group).
 */
import * as assert from 'node:assert/strict';
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import type { CodeDeployClient, CreateDeploymentCommandInput } from '@aws-sdk/client-codedeploy';
import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { useSandbox } from './helpers';
import { appAndGroup, appSpec, codeDeployFor, deployment, functionWithTwoVersions, waitForStatus, weightOf } from './codedeploy-sandbox-kit';

/** A CodeDeploy minute long enough that a 30-minute canary stays on its first step for the whole test. */
const MINUTE_MS = 1_000;

function firingAlarm(name: string, fn: string): ConstructorParameters<typeof PutMetricAlarmCommand>[0] {
  // No data, counted as breaching: the alarm is in ALARM when first evaluated.
  return { AlarmName: name, Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: fn }], Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching' };
}

describe('sandbox CodeDeploy: a deployment overriding its group alarm and rollback settings', function () {
  this.timeout(60_000);
  const h = useSandbox({ codeDeployMinuteMs: MINUTE_MS });
  let cd: CodeDeployClient;
  before(() => {
    cd = codeDeployFor(h().sandbox);
  });
  after(() => cd.destroy());

  const create = async (input: Partial<CreateDeploymentCommandInput> & { applicationName: string; deploymentGroupName: string }, fn: string): Promise<string> =>
    (await cd.send(new CreateDeploymentCommand({ revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(fn) } }, ...input }))).deploymentId!;

  it('an override naming an alarm in ALARM, with DEPLOYMENT_STOP_ON_ALARM rollback, stops and rolls back a deployment whose group has neither', async () => {
    const fn = 'ov-alarm';
    await functionWithTwoVersions(h().lambda, fn);
    await h().cloudwatch.send(new PutMetricAlarmCommand(firingAlarm('ov-alarm-errors', fn)));
    await appAndGroup(cd, 'ov-app', fn);
    const id = await create(
      {
        applicationName: 'ov-app',
        deploymentGroupName: fn,
        deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent30Minutes',
        overrideAlarmConfiguration: { enabled: true, alarms: [{ name: 'ov-alarm-errors' }] },
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
      },
      fn,
    );
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Stopped', JSON.stringify(d.errorInformation));
    assert.equal(d.errorInformation?.code, 'ALARM_ACTIVE');
    assert.deepEqual(d.overrideAlarmConfiguration, { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'ov-alarm-errors' }] });
    assert.deepEqual(d.autoRollbackConfiguration, { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] });
    assert.match(d.rollbackInfo?.rollbackDeploymentId ?? '', /^d-[A-Z0-9]{9}$/);
    const r = await waitForStatus(cd, d.rollbackInfo!.rollbackDeploymentId!, 20_000);
    assert.equal(r.status, 'Succeeded');
    const w = await weightOf(h().lambda, fn);
    assert.deepEqual([w.version, w.percent], ['1', 0]);
    // The group itself is unchanged.
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'ov-app', deploymentGroupName: fn }))).deploymentGroupInfo!;
    assert.equal(g.alarmConfiguration?.enabled, false);
    assert.equal(g.autoRollbackConfiguration?.enabled, false);
  });

  it("an override disabling the group's alarms and rollback lets a deployment go through an alarm in ALARM", async () => {
    const fn = 'ov-off';
    await functionWithTwoVersions(h().lambda, fn);
    await h().cloudwatch.send(new PutMetricAlarmCommand(firingAlarm('ov-off-errors', fn)));
    await appAndGroup(cd, 'ov-app', fn, {
      alarmConfiguration: { enabled: true, alarms: [{ name: 'ov-off-errors' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_FAILURE'] },
    });
    const id = await create(
      {
        applicationName: 'ov-app',
        deploymentGroupName: fn,
        deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
        overrideAlarmConfiguration: { enabled: false, alarms: [] },
        autoRollbackConfiguration: { enabled: false, events: [] },
      },
      fn,
    );
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Succeeded', JSON.stringify(d.errorInformation));
    assert.equal(d.autoRollbackConfiguration?.enabled, false);
    assert.equal(d.overrideAlarmConfiguration?.enabled, false);
    const w = await weightOf(h().lambda, fn);
    assert.deepEqual([w.version, w.percent], ['2', 100]);
    // Without the override the group's alarm stops the next deployment (the override was for that one alone).
    const back = await create({ applicationName: 'ov-app', deploymentGroupName: fn, deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce', revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(fn, { current: '2', target: '1' }) } } }, fn);
    const b = await waitForStatus(cd, back, 20_000);
    assert.equal(b.status, 'Stopped');
    assert.equal(b.errorInformation?.code, 'ALARM_ACTIVE');
    assert.equal((await deployment(cd, back)).overrideAlarmConfiguration?.enabled, true);
  });
});
