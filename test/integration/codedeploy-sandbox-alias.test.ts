/**
 * A deployment shifts only the alias it read: each UpdateAlias carries the RevisionId it last saw,
 * so an alias changed outside it fails the deployment (and is left as changed) instead of being
 * overwritten.
 */
import * as assert from 'node:assert/strict';
import { CreateDeploymentConfigCommand } from '@aws-sdk/client-codedeploy';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { useSandbox } from './helpers';
import { appAndGroup, appSpec, codeDeployFor, deploy, functionWithTwoVersions, waitForStatus, weightOf } from './codedeploy-sandbox-kit';

/** 50 % then, three CodeDeploy minutes (3 s) later, 100 %: seconds of slack to change the alias between. */
const MINUTE_MS = 1_000;

describe('sandbox CodeDeploy: an alias changed outside the deployment', function () {
  this.timeout(60_000);
  const h = useSandbox({ codeDeployMinuteMs: MINUTE_MS });
  let cd: CodeDeployClient;
  before(() => {
    cd = codeDeployFor(h().sandbox);
  });
  after(() => cd.destroy());

  it('fails the deployment at its next step, with INVALID_LAMBDA_CONFIGURATION, and leaves the alias as it was changed', async () => {
    const fn = 'al-outside';
    await functionWithTwoVersions(h().lambda, fn);
    await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Linear50Every3', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 50, linearInterval: 3 } } }));
    await appAndGroup(cd, 'al-app', fn);
    const id = await deploy(cd, 'al-app', fn, appSpec(fn), 'Linear50Every3');
    for (let i = 0; (await weightOf(h().lambda, fn)).percent !== 50; i++) assert.ok(i < 2000, 'the first step came');
    // Someone puts the alias back on version 1 alone while the deployment waits for its next step.
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const changed = await weightOf(h().lambda, fn);
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Failed');
    assert.equal(d.errorInformation?.code, 'INVALID_LAMBDA_CONFIGURATION');
    assert.match(d.errorInformation!.message!, /changed outside this deployment/);
    assert.deepEqual(await weightOf(h().lambda, fn), changed, 'version, routing and RevisionId as changed outside');
  });
});
