import assert from 'node:assert/strict';
import type { DeploymentInfo, LambdaTarget } from '@aws-sdk/client-codedeploy';
import type { CodeDeployDetail } from '../../src/core/codedeploy/types';
import { currentStep, errorInWords, isInFlight, statusOf, viewOfDeployment } from '../../src/core/codedeploy/view';

const known: CodeDeployDetail = {
  event: 'started',
  deploymentId: 'd-ABCDEF123',
  application: 'lambda-canary',
  deploymentGroup: 'checkout-prod',
  config: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
  functionName: 'checkout',
  aliasName: 'prod',
  version: '4',
  stable: '3',
  planText: 'Canary10Percent5Minutes',
  planName: 'Canary10Percent5Minutes',
  alarms: ['checkout-5xx'],
};

function deployment(status: string, extra: Partial<DeploymentInfo> = {}): DeploymentInfo {
  return {
    deploymentId: 'd-ABCDEF123',
    applicationName: 'lambda-canary',
    deploymentGroupName: 'checkout-prod',
    deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    status: status as DeploymentInfo['status'],
    createTime: new Date('2026-12-01T10:00:00Z'),
    ...extra,
  };
}

function target(weight: number, events: Array<[string, string, string?]> = []): LambdaTarget {
  return {
    deploymentId: 'd-ABCDEF123',
    targetId: 'checkout:prod',
    lambdaFunctionInfo: { functionName: 'checkout', functionAlias: 'prod', currentVersion: '3', targetVersion: '4', targetVersionWeight: weight },
    lifecycleEvents: events.map(([name, status, message]) => ({ lifecycleEventName: name, status: status as 'Pending', ...(message ? { diagnostics: { message } } : {}) })),
  };
}

const now = Date.parse('2026-12-01T10:03:00Z');

describe('CodeDeploy rollout view', () => {
  it('maps CodeDeploy statuses to the rollout statuses', () => {
    for (const s of ['Created', 'Queued', 'InProgress', 'Baking', 'Ready']) {
      assert.equal(statusOf(s, false), 'running', s);
      assert.equal(isInFlight(s), true, s);
    }
    assert.equal(statusOf('Succeeded', false), 'promoted');
    assert.equal(statusOf('Stopped', true), 'rolled-back');
    assert.equal(statusOf('Failed', true), 'rolled-back');
    assert.equal(statusOf('Stopped', false), 'aborted');
    assert.equal(statusOf('Failed', false), 'aborted');
    for (const s of ['Succeeded', 'Failed', 'Stopped']) assert.equal(isInFlight(s), false, s);
  });

  it('finds the step in force from the target weight', () => {
    const steps = [{ weight: 10 }, { weight: 20 }, { weight: 100 }];
    assert.equal(currentStep(steps, 0, 'running'), 0);
    assert.equal(currentStep(steps, 10, 'running'), 0);
    assert.equal(currentStep(steps, 20, 'running'), 1);
    assert.equal(currentStep(steps, 100, 'running'), 2);
    assert.equal(currentStep(steps, undefined, 'promoted'), 2);
  });

  it('a running canary: steps from the config, current from the weight, lifecycle with hooks', () => {
    const v = viewOfDeployment({
      deployment: deployment('InProgress'),
      target: target(10, [['BeforeAllowTraffic', 'Succeeded'], ['AllowTraffic', 'InProgress'], ['AfterAllowTraffic', 'Pending']]),
      known,
      appSpec: { functionName: 'checkout', aliasName: 'prod', hooks: { beforeAllowTraffic: 'pre-hook' } },
      now,
    });
    assert.equal(v.engine, 'codedeploy');
    assert.equal(v.status, 'running');
    assert.deepEqual(v.steps.map((s) => [s.weight, s.bakeSeconds]), [[10, 300], [100, 0]]);
    assert.equal(v.current, 0);
    assert.equal(v.version, '4');
    assert.equal(v.stable, '3');
    assert.deepEqual(v.alarms, ['checkout-5xx']);
    assert.equal(v.statusText, 'CodeDeploy deployment d-ABCDEF123 is InProgress: 10 % of prod on version 4, AllowTraffic in progress.');
    assert.equal(v.codeDeploy?.targetVersionWeight, 10);
    assert.equal(v.codeDeploy?.deploymentStatus, 'InProgress');
    assert.deepEqual(v.codeDeploy?.lifecycle.map((e) => [e.name, e.status, e.hookFunction]), [['BeforeAllowTraffic', 'Succeeded', 'pre-hook'], ['AllowTraffic', 'InProgress', undefined], ['AfterAllowTraffic', 'Pending', undefined]]);
    assert.equal(v.endedAt, undefined);
  });

  it('succeeded is promoted, on the last step', () => {
    const v = viewOfDeployment({ deployment: deployment('Succeeded', { completeTime: new Date(now) }), target: target(100), known, now });
    assert.equal(v.status, 'promoted');
    assert.equal(v.current, 1);
    assert.equal(v.endedAt, now);
    assert.equal(v.statusText, 'CodeDeploy deployment d-ABCDEF123 succeeded: prod serves version 4.');
  });

  it('stopped on an alarm and rolled back says why, in words', () => {
    const v = viewOfDeployment({
      deployment: deployment('Stopped', {
        errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated: checkout-5xx' },
        rollbackInfo: { rollbackDeploymentId: 'd-ROLLBACK1', rollbackMessage: 'Rolled back by d-ROLLBACK1' },
      }),
      target: target(0),
      known,
      now,
    });
    assert.equal(v.status, 'rolled-back');
    assert.equal(v.codeDeploy?.error, 'ALARM_ACTIVE (an alarm of the deployment group went into ALARM): One or more alarms have been activated: checkout-5xx');
    assert.deepEqual(v.codeDeploy?.rollback, { deploymentId: 'd-ROLLBACK1', message: 'Rolled back by d-ROLLBACK1' });
    assert.match(v.statusText, /^CodeDeploy deployment d-ABCDEF123 was stopped \(ALARM_ACTIVE .*checkout-5xx\); prod is back on version 3\.$/);
  });

  it('failed without rollback is aborted, and says where traffic was left', () => {
    const v = viewOfDeployment({ deployment: deployment('Failed', { errorInformation: { code: 'HOOK_EXECUTION_FAILURE', message: 'hook said Failed' } }), target: target(10), known, now });
    assert.equal(v.status, 'aborted');
    assert.match(v.statusText, /failed \(HOOK_EXECUTION_FAILURE \(a lifecycle hook reported Failed\): hook said Failed\); 10 % of prod on version 4, not rolled back\.$/);
  });

  it('a stop with rollback asked, back at weight 0, counts as rolled back', () => {
    const v = viewOfDeployment({ deployment: deployment('Stopped', { errorInformation: { code: 'MANUAL_STOP', message: 'stopped' } }), target: target(0), known: { ...known, rollback: true }, now });
    assert.equal(v.status, 'rolled-back');
  });

  it('a rollback is a deployment of its own: running while it runs, rolled back only once it Succeeded, else it says the rollback failed', () => {
    const stopped = deployment('Stopped', { errorInformation: { code: 'MANUAL_STOP', message: 'stopped' }, rollbackInfo: { rollbackDeploymentId: 'd-ROLLBACK1', rollbackMessage: 'rolling back' } });
    const going = viewOfDeployment({ deployment: stopped, target: target(10), known, rollback: { deploymentId: 'd-ROLLBACK1', status: 'InProgress' }, now });
    assert.equal(going.status, 'running');
    assert.match(going.statusText, /rolling back: rollback deployment d-ROLLBACK1 is InProgress, prod goes back to version 3/);
    const back = viewOfDeployment({ deployment: stopped, target: target(10), known, rollback: { deploymentId: 'd-ROLLBACK1', status: 'Succeeded' }, now });
    assert.equal(back.status, 'rolled-back');
    assert.match(back.statusText, /prod is back on version 3/);
    const failed = viewOfDeployment({ deployment: stopped, target: target(10), known, rollback: { deploymentId: 'd-ROLLBACK1', status: 'Failed', error: 'AccessDenied: no lambda:UpdateAlias' }, now });
    assert.equal(failed.status, 'aborted');
    assert.match(failed.statusText, /its rollback deployment d-ROLLBACK1 failed \(AccessDenied: no lambda:UpdateAlias\): 10 % of prod on version 4/);
  });

  it('a deployment this journal did not start takes its facts from the target and the AppSpec', () => {
    const v = viewOfDeployment({ deployment: deployment('InProgress', { deploymentConfigName: 'LambdaCanary.Canary25Percent7Minutes' }), target: target(25), now });
    assert.equal(v.functionName, 'checkout');
    assert.equal(v.aliasName, 'prod');
    assert.equal(v.planText, '25%@7m, 100%');
    assert.equal(v.current, 0);
    assert.equal(v.codeDeploy?.config, 'LambdaCanary.Canary25Percent7Minutes');
  });

  it('a read that failed keeps the view and says so', () => {
    const v = viewOfDeployment({ deployment: deployment('InProgress'), target: target(10), known, readProblem: 'the network is down', now });
    assert.match(v.statusText, /\(as last read: the network is down\)\.$/);
  });

  it('quotes AWS text redacted, as text', () => {
    assert.equal(errorInWords(undefined), undefined);
    assert.match(errorInWords({ code: 'INTERNAL_ERROR', message: 'x AWS_SECRET_ACCESS_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCD y' })!, /redacted/);
  });
});
