import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { OperationError, unknownOutcome } from '../errors';
import { guardedWrite, step } from '../guardedWrite';
import { errorName } from '../lambdaApi';
import * as ops from '../operations';
import type { Outcome } from '../outcome';
import { formatPlan } from '../rollout/plans';
import { runUseCase } from '../usecases/context';
import { sameFunction } from './appspec';
import { stepsOfConfig } from './config';
import { deploymentAlias, getDeployment } from './read';
import type { CodeDeployContext, CodeDeployDetail, StopCodeDeployInput } from './types';
import { isInFlight } from './view';
import { codeDeployRecords } from './watcher';

/** StopDeployment (autoRollbackEnabled: put the alias back on the version it served), journalled as event 'stop'. */
export function stopCodeDeployRollout(ctx: CodeDeployContext, input: StopCodeDeployInput): Promise<Outcome<CodeDeployDetail>> {
  return runUseCase<CodeDeployDetail>(ctx, 'codedeploy', input, async (op) => {
    const cd = ctx.codedeploy;
    const id = input.deploymentId.trim();
    if (!/^d-[A-Za-z0-9]{1,64}$/.test(id)) throw new OperationError(`'${input.deploymentId}' is not a CodeDeploy deployment id (d- and letters or digits, e.g. d-A1B2C3D4E).`, { state: 'Nothing was changed.', kind: 'validation' });
    let d: DeploymentInfo;
    try {
      d = await step(op, `GetDeployment ${id}`, 'Nothing was changed.', () => getDeployment(cd, id, ctx.signal));
    } catch (err) {
      if (err instanceof OperationError && errorName(err.cause) === 'DeploymentDoesNotExistException') {
        throw new OperationError(`There is no CodeDeploy deployment ${id} in this region and account: check the id (lambda-canary rollout status lists them).`, { state: 'Nothing was changed.', kind: 'validation' });
      }
      throw err;
    }
    const about = await step(op, `GetDeploymentTarget ${id}`, 'Nothing was changed.', () => deploymentAlias({ codedeploy: cd, signal: ctx.signal }, d));
    if (!about) {
      throw new OperationError(
        `The function and alias of CodeDeploy deployment ${id} cannot be determined (its AppSpec is not readable here and it has no Lambda target yet): nothing was stopped, since it may be another alias's. Stop it in the CodeDeploy console (aws deploy stop-deployment --deployment-id ${id}) if it is ${input.functionName}:${input.aliasName}'s.`,
        { state: 'Nothing was changed.', kind: 'validation' },
      );
    }
    if (!(about.aliasName === input.aliasName && sameFunction(about.functionName, input.functionName))) {
      throw new OperationError(`CodeDeploy deployment ${id} is about ${about.functionName}:${about.aliasName}, not ${input.functionName}:${input.aliasName}: nothing was stopped.`, { state: 'Nothing was changed.', kind: 'validation' });
    }
    // The alias as it is now: the outcome's `before`, and its target's account and region.
    await ops.loadAlias(op, input).catch(() => undefined);
    const records = ctx.journal ? await codeDeployRecords(ctx.journal).catch(() => []) : [];
    const known = records.find((r) => r.deploymentId === id && r.event === 'started');
    const info = about.target?.lambdaFunctionInfo;
    const detail: CodeDeployDetail = {
      event: 'stop',
      deploymentId: id,
      application: d.applicationName ?? known?.application ?? '?',
      deploymentGroup: d.deploymentGroupName ?? known?.deploymentGroup ?? '?',
      config: d.deploymentConfigName ?? known?.config ?? '?',
      functionName: input.functionName,
      aliasName: input.aliasName,
      version: known?.version ?? about.facts?.targetVersion ?? info?.targetVersion ?? '?',
      stable: known?.stable ?? about.facts?.currentVersion ?? info?.currentVersion ?? '?',
      planText: known?.planText ?? formatPlan({ steps: stepsOfConfig(d.deploymentConfigName ?? '') ?? [{ weight: 100, bakeSeconds: 0, gate: 'auto' }], promote: true }),
      ...(known?.planName ? { planName: known.planName } : {}),
      alarms: known?.alarms ?? [],
      rollback: input.rollback,
    };
    if (!isInFlight(d.status)) {
      throw new OperationError(`CodeDeploy deployment ${id} has already ended (${d.status}): there is nothing to stop.`, { state: 'Nothing was changed.', kind: 'validation', detail: { ...detail, status: d.status } });
    }
    const stateIfFailed = `Deployment ${id} goes on (${d.status}).`;
    ctx.progress?.(`Stopping CodeDeploy deployment ${id}${input.rollback ? ' and rolling back' : ''}…`);
    let endStatus: string | undefined;
    await guardedWrite<unknown, DeploymentInfo>(op, {
      step: `StopDeployment ${id}`,
      stateIfFailed,
      send: () => cd.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: input.rollback })),
      readBack: () => getDeployment(cd, id),
      // Still in flight after a lost answer: the stop may be under way, or may not have reached it.
      judge: (now, cause) => {
        if (isInFlight(now.status)) {
          throw unknownOutcome({ step: `StopDeployment ${id}`, subject: `deployment ${id}`, cause, maybe: `Deployment ${id} reads back as ${now.status}: it may be stopping, or still going on.`, check: 'Look at lambda-canary rollout status (or the CodeDeploy console), and stop it again if it still runs.' });
        }
        endStatus = now.status;
        return { landed: true };
      },
      landedNote: `deployment ${id} reads back as ended: the stop went through, or it ended by itself`,
      retryRefusals: ['DeploymentAlreadyCompletedException'],
      unknown: (cause) =>
        unknownOutcome({ step: `StopDeployment ${id}`, subject: `deployment ${id}`, cause, maybe: `Deployment ${id} may be stopping, or still going on.`, check: 'Look at lambda-canary rollout status (or the CodeDeploy console), and stop it again if it still runs.' }),
      refused: (name, cause, state) =>
        name === 'DeploymentAlreadyCompletedException' ? new OperationError(`CodeDeploy deployment ${id} ended before the stop reached it: nothing was stopped.`, { step: `StopDeployment ${id}`, state, cause, kind: 'conflict' }) : undefined,
    });
    if (endStatus) {
      op.log.info(`CodeDeploy deployment ${id} reads back as ${endStatus}.`);
      return { ...detail, status: endStatus };
    }
    return detail;
  });
}
