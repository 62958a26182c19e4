import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appSpecOf, readAppSpec, sameFunction } from '../../src/core/codedeploy/appspec';
import { codeDeployConfigFor, MAX_SHIFT_MINUTES, sameTrafficRouting, stepsOfConfig } from '../../src/core/codedeploy/config';
import type { RolloutPlan } from '../../src/core/rollout/plans';
import { parsePlanText, PlanError, PRESET_NAMES, presetPlan } from '../../src/core/rollout/plans';

function refused(plan: RolloutPlan, reason: RegExp): void {
  let caught: unknown;
  try {
    codeDeployConfigFor(plan);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PlanError, `expected a PlanError for ${JSON.stringify(plan.steps)}, got ${String(caught)}`);
  assert.match(caught.message, /^CodeDeploy cannot run the plan /);
  assert.match(caught.message, reason);
}

describe('CodeDeploy config mapping', () => {
  it('maps every preset to its predefined CodeDeployDefault.Lambda config', () => {
    const expected: Record<string, string> = {
      Canary10Percent5Minutes: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      Canary10Percent10Minutes: 'CodeDeployDefault.LambdaCanary10Percent10Minutes',
      Canary10Percent15Minutes: 'CodeDeployDefault.LambdaCanary10Percent15Minutes',
      Canary10Percent30Minutes: 'CodeDeployDefault.LambdaCanary10Percent30Minutes',
      Linear10PercentEvery1Minute: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      Linear10PercentEvery2Minutes: 'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes',
      Linear10PercentEvery3Minutes: 'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes',
      Linear10PercentEvery10Minutes: 'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes',
      AllAtOnce: 'CodeDeployDefault.LambdaAllAtOnce',
    };
    assert.deepEqual([...PRESET_NAMES].sort(), Object.keys(expected).sort());
    for (const name of PRESET_NAMES) {
      const choice = codeDeployConfigFor(presetPlan(name)!);
      assert.deepEqual(choice, { name: expected[name], predefined: true }, name);
      // And back: the view's steps of the predefined config are the preset's.
      assert.deepEqual(stepsOfConfig(choice.name), presetPlan(name)!.steps, name);
    }
  });

  it('a typed plan with a preset\'s steps is that preset', () => {
    assert.deepEqual(codeDeployConfigFor(parsePlanText('10%@5m, 100%')), { name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes', predefined: true });
    assert.deepEqual(codeDeployConfigFor(parsePlanText('100%')), { name: 'CodeDeployDefault.LambdaAllAtOnce', predefined: true });
  });

  it('a custom canary becomes a TimeBasedCanary named after its shape', () => {
    assert.deepEqual(codeDeployConfigFor(parsePlanText('25%@7m, 100%')), {
      name: 'LambdaCanary.Canary25Percent7Minutes',
      predefined: false,
      trafficRouting: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 7 } },
    });
    assert.equal(codeDeployConfigFor(parsePlanText('5%@1m')).name, 'LambdaCanary.Canary5Percent1Minute');
    assert.equal(codeDeployConfigFor(parsePlanText('99%@24h')).name, 'LambdaCanary.Canary99Percent1440Minutes');
  });

  it('a custom linear plan becomes a TimeBasedLinear, the last increment the remainder', () => {
    assert.deepEqual(codeDeployConfigFor(parsePlanText('20%@3m, 40%@3m, 60%@3m, 80%@3m, 100%')), {
      name: 'LambdaCanary.Linear20PercentEvery3Minutes',
      predefined: false,
      trafficRouting: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 20, linearInterval: 3 } },
    });
    const thirty = codeDeployConfigFor(parsePlanText('30%@1m, 60%@1m, 90%@1m, 100%'));
    assert.equal(thirty.name, 'LambdaCanary.Linear30PercentEvery1Minute');
    assert.deepEqual(stepsOfConfig(thirty.name, thirty.trafficRouting), parsePlanText('30%@1m, 60%@1m, 90%@1m, 100%').steps);
  });

  it('refuses, with the reason, what CodeDeploy cannot express', () => {
    refused(parsePlanText('10%@5m manual, 100%'), /step 1 waits for approval.*no manual gate/);
    refused(parsePlanText('10%@90s, 100%'), /step 1's bake of 90 s is not a whole number of minutes/);
    refused(parsePlanText('10%, 100%'), /bake of 0 s is not a whole number of minutes \(1 or more\)/);
    refused(parsePlanText('10%@1h, hold'), /always ends with all the traffic on the new version, and this plan does not promote/);
    refused(parsePlanText('12.5%@5m, 100%'), /12\.5 % is not a whole percentage from 1 to 99/);
    refused(parsePlanText('10%@5m, 50%@10m, 100%'), /two shapes of shift: a canary .* or a linear one/);
    refused(parsePlanText('10%@5m, 20%@6m, 100%'), /two shapes of shift/);
    refused(parsePlanText('30%@1m, 60%@1m, 100%'), /two shapes of shift/);
    refused({ steps: [...Array.from({ length: 9 }, (_, i) => ({ weight: (i + 1) * 10, bakeSeconds: 6 * 3600, gate: 'auto' as const })), { weight: 100, bakeSeconds: 0, gate: 'auto' }], promote: true }, new RegExp(`last 3240 minutes, longer than the ${MAX_SHIFT_MINUTES} minutes`));
    const alarms = Array.from({ length: 11 }, (_, i) => `alarm-${i}`);
    refused({ ...presetPlan('Canary10Percent5Minutes')!, alarms }, /names 11 alarms.*at most 10/);
    assert.equal(codeDeployConfigFor({ ...presetPlan('Canary10Percent5Minutes')!, alarms: alarms.slice(0, 10) }).name, 'CodeDeployDefault.LambdaCanary10Percent5Minutes');
  });

  it('compares an existing config\'s shape', () => {
    const choice = codeDeployConfigFor(parsePlanText('25%@7m, 100%'));
    assert.equal(sameTrafficRouting(choice, { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 7 } }), true);
    assert.equal(sameTrafficRouting(choice, { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 8 } }), false);
    assert.equal(sameTrafficRouting(choice, { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 25, linearInterval: 7 } }), false);
    assert.equal(sameTrafficRouting(choice, undefined), false);
  });
});

describe('CodeDeploy AppSpec', () => {
  it('is version 0.0 with the function, alias, versions and hooks, and its sha256', () => {
    const spec = appSpecOf({ functionName: 'checkout-api', aliasName: 'prod', currentVersion: '3', targetVersion: '4', hooks: { beforeAllowTraffic: 'pre-hook', afterAllowTraffic: 'post-hook' } });
    assert.match(spec.content, /"version": 0\.0,/);
    assert.equal(spec.sha256, createHash('sha256').update(spec.content).digest('hex'));
    const parsed = JSON.parse(spec.content) as Record<string, unknown>;
    assert.deepEqual(parsed, {
      version: 0,
      Resources: [{ checkoutapi: { Type: 'AWS::Lambda::Function', Properties: { Name: 'checkout-api', Alias: 'prod', CurrentVersion: '3', TargetVersion: '4' } } }],
      Hooks: [{ BeforeAllowTraffic: 'pre-hook' }, { AfterAllowTraffic: 'post-hook' }],
    });
    assert.deepEqual(readAppSpec(spec.content), { functionName: 'checkout-api', aliasName: 'prod', currentVersion: '3', targetVersion: '4', hooks: { beforeAllowTraffic: 'pre-hook', afterAllowTraffic: 'post-hook' } });
  });

  it('has no Hooks without hooks, and versions as strings', () => {
    const spec = appSpecOf({ functionName: 'f', aliasName: 'live', currentVersion: '1', targetVersion: '2' });
    assert.equal('Hooks' in (JSON.parse(spec.content) as object), false);
    assert.notEqual(spec.sha256, appSpecOf({ functionName: 'f', aliasName: 'live', currentVersion: '1', targetVersion: '3' }).sha256);
  });

  it('reads a YAML AppSpec as SAM writes one, and nothing from text that is not one', () => {
    const yaml = [
      'version: 0.0',
      'Resources:',
      '  - myLambdaFunction:',
      '      Type: AWS::Lambda::Function',
      '      Properties:',
      '        Name: "myLambdaFunction"',
      '        Alias: "live"',
      '        CurrentVersion: 1',
      '        TargetVersion: 2',
      'Hooks:',
      '  - BeforeAllowTraffic: "PreTraffic"',
    ].join('\n');
    assert.deepEqual(readAppSpec(yaml), { functionName: 'myLambdaFunction', aliasName: 'live', currentVersion: '1', targetVersion: '2', hooks: { beforeAllowTraffic: 'PreTraffic' } });
    assert.equal(readAppSpec('not: [an appspec'), undefined);
    assert.equal(readAppSpec('{"version":0.0,"Resources":[{"x":{"Type":"AWS::ECS::Service"}}]}'), undefined);
    assert.equal(readAppSpec(undefined), undefined);
  });

  it('names one function by name or ARN', () => {
    assert.equal(sameFunction('checkout', 'arn:aws:lambda:eu-west-1:123456789012:function:checkout'), true);
    assert.equal(sameFunction('checkout', 'arn:aws:lambda:eu-west-1:123456789012:function:checkout:prod'), true);
    assert.equal(sameFunction('checkout', 'checkouts'), false);
  });
});
