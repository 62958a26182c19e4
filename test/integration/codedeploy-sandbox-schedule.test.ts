/**
 * The sandbox's CodeDeploy schedules, sampled on the alias with GetAlias while they run: every
 * predefined Lambda config and custom TimeBasedCanary / TimeBasedLinear ones, each weight at its
 * step within the scaled time (one CodeDeploy minute = MINUTE_MS).
 */
import * as assert from 'node:assert/strict';
import { CreateDeploymentConfigCommand } from '@aws-sdk/client-codedeploy';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { useSandbox } from './helpers';
import { appAndGroup, appSpec, codeDeployFor, deploy, deployment, functionWithTwoVersions, sampleWeights, weightOf } from './codedeploy-sandbox-kit';

const MINUTE_MS = 150;
/** How late a step may come (two thirds of a minute): the engine's timers share one event loop with eleven samplers. */
const LATE_MS = 100;

/** [config, [minute, percent] steps]. */
const SCHEDULES: [string, [number, number][]][] = [
  ['CodeDeployDefault.LambdaAllAtOnce', [[0, 100]]],
  ['CodeDeployDefault.LambdaCanary10Percent5Minutes', [[0, 10], [5, 100]]],
  ['CodeDeployDefault.LambdaCanary10Percent10Minutes', [[0, 10], [10, 100]]],
  ['CodeDeployDefault.LambdaCanary10Percent15Minutes', [[0, 10], [15, 100]]],
  ['CodeDeployDefault.LambdaCanary10Percent30Minutes', [[0, 10], [30, 100]]],
  ['CodeDeployDefault.LambdaLinear10PercentEvery1Minute', Array.from({ length: 10 }, (_, i) => [i, (i + 1) * 10] as [number, number])],
  ['CodeDeployDefault.LambdaLinear10PercentEvery2Minutes', Array.from({ length: 10 }, (_, i) => [i * 2, (i + 1) * 10] as [number, number])],
  ['CodeDeployDefault.LambdaLinear10PercentEvery3Minutes', Array.from({ length: 10 }, (_, i) => [i * 3, (i + 1) * 10] as [number, number])],
  ['CodeDeployDefault.LambdaLinear10PercentEvery10Minutes', Array.from({ length: 10 }, (_, i) => [i * 10, (i + 1) * 10] as [number, number])],
  ['Custom.Canary25Percent3Minutes', [[0, 25], [3, 100]]],
  // 30, 60, 90, then 100: the last step is the rest.
  ['Custom.Linear30PercentEvery2Minutes', [[0, 30], [2, 60], [4, 90], [6, 100]]],
];

describe('sandbox CodeDeploy schedules (sampled with GetAlias)', function () {
  this.timeout(120_000);
  const h = useSandbox({ codeDeployMinuteMs: MINUTE_MS });
  let cd: CodeDeployClient;
  before(async () => {
    cd = codeDeployFor(h().sandbox);
    await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Custom.Canary25Percent3Minutes', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 25, canaryInterval: 3 } } }));
    await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'Custom.Linear30PercentEvery2Minutes', computePlatform: 'Lambda', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 30, linearInterval: 2 } } }));
  });
  after(() => cd.destroy());

  it('steps every config at its minutes, ending on TargetVersion with no routing, each step a new RevisionId', async () => {
    const names = SCHEDULES.map((_, i) => `sched-${i}`);
    await Promise.all(names.map((n) => functionWithTwoVersions(h().lambda, n)));
    for (const n of names) await appAndGroup(cd, 'sched', n);
    const results = await Promise.all(
      SCHEDULES.map(async ([config, steps], i) => {
        const name = names[i];
        const revisionBefore = (await weightOf(h().lambda, name)).revision;
        const sentAt = Date.now();
        const id = await deploy(cd, 'sched', name, appSpec(name), config);
        const lastMinute = steps[steps.length - 1][0];
        const seen = await sampleWeights(h().lambda, cd, name, id, sentAt, lastMinute * MINUTE_MS + 10_000);
        // Times from the deployment's own startTime (traffic moves from then on, with no hook).
        const startedAt = (await deployment(cd, id)).startTime!.getTime();
        return { config, steps, seen: seen.map((s) => ({ ...s, shownBy: s.shownBy + sentAt - startedAt, oldUntil: s.oldUntil + sentAt - startedAt })), id, revisionBefore, name };
      }),
    );
    for (const { config, steps, seen, id, revisionBefore, name } of results) {
      const d = await deployment(cd, id);
      assert.equal(d.status, 'Succeeded', `${config}: ${JSON.stringify(d.errorInformation)}`);
      // The first sample may come before the first step (0 %) when the step is not at once.
      const observed = seen.filter((s, k) => !(k === 0 && s.percent === 0));
      // Every weight seen is a step of the schedule, in order, ending at 100 %; under load a
      // short step may fall between two samples, so a step not seen is not a failure.
      const indices = observed.map((o) => steps.findIndex(([, p]) => p === o.percent));
      assert.ok(indices.every((k, j) => k >= 0 && (j === 0 || k > indices[j - 1])), `${config}: weights seen ${JSON.stringify(seen)}, steps ${JSON.stringify(steps)}`);
      assert.equal(observed[observed.length - 1]?.percent, 100, `${config}: ends at 100 %`);
      assert.ok(observed.length >= Math.min(2, steps.length), `${config}: weights seen ${JSON.stringify(seen)}`);
      observed.forEach((s, j) => {
        const due = steps[indices[j]][0] * MINUTE_MS;
        // Proof of an early step: a sample answered before it was due already showed it.
        assert.ok(s.shownBy >= due - 5, `${config}: ${s.percent}% shown by ${s.shownBy} ms, due at ${due} ms (not before)`);
        // Proof of a late one: a sample sent after due + LATE_MS still showed an earlier weight.
        assert.ok(s.oldUntil <= due + LATE_MS, `${config}: the weight before ${s.percent}% still shown at ${s.oldUntil} ms, due at ${due} ms (at most ${LATE_MS} ms late)`);
      });
      const end = await weightOf(h().lambda, name);
      assert.equal(end.version, '2');
      assert.notEqual(end.revision, revisionBefore);
    }
  });
});
