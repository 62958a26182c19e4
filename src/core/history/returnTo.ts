import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { OperationError } from '../errors';
import { step } from '../guardedWrite';
import { errorName, getVersion } from '../lambdaApi';
import * as ops from '../operations';
import type { Outcome } from '../outcome';
import { sameRouting } from '../outcome';
import { holderText } from '../rollout/lease';
import { rolloutDriving } from '../rollout/records';
import { formatPercent } from '../routing';
import type { UseCaseContext } from '../usecases/context';
import { checkCodeDeployGuard, runUseCase } from '../usecases/context';
import type { ReturnToStateDetail, ReturnToStateInput } from './types';

const UNCHANGED = 'Nothing was changed.';

function refuse(message: string, kind: 'validation' | 'conflict' = 'validation'): OperationError {
  return new OperationError(message, { state: UNCHANGED, kind });
}

/** The state's own checks, before anything is read: published version numbers, weights Lambda takes. */
export function checkState(state: ReturnToStateInput['state']): void {
  // A front end's data, not trusted: a version string, and weights a plain object.
  if (typeof state?.version !== 'string') refuseNow('This state names no version, so it cannot be restored. Nothing was changed.');
  if (typeof state.weights !== 'object' || state.weights === null || Array.isArray(state.weights)) refuseNow("This state's weights are not a list of versions and weights, so it cannot be restored. Nothing was changed.");
  const versions = [state.version, ...Object.keys(state.weights)];
  if (versions.includes('$LATEST')) refuseNow("This state routes to $LATEST, an unpublished version: Lambda Canary never routes traffic there. Nothing was changed.");
  const odd = versions.find((v) => !/^[0-9]+$/.test(v));
  if (odd !== undefined) refuseNow(`'${odd}' is not a published version number, so this state cannot be restored. Nothing was changed.`);
  let sum = 0;
  for (const [v, w] of Object.entries(state.weights)) {
    if (!(typeof w === 'number' && w > 0 && w < 1)) refuseNow(`Version ${v}'s weight ${String(w)} is not between 0 and 1. Nothing was changed.`);
    if (v === state.version) refuseNow(`Version ${v} is both the primary and a weighted version. Nothing was changed.`);
    sum += w;
  }
  if (sum >= 1) refuseNow(`The weights add up to ${formatPercent(sum)}: the primary version would get no traffic. Nothing was changed.`);
}

function refuseNow(message: string): never {
  throw refuse(message);
}

/**
 * Return to This State (action 'return', journalled): one guarded UpdateAlias to the entry's routing
 * (weights included), after the CodeDeploy guard and a check that every version it needs is still
 * published and Active; refused, with nothing written, when one was deleted or the state routes to
 * $LATEST, and while a rollout drives the alias. The front end confirms before calling it.
 */
export function returnToState(ctx: UseCaseContext, input: ReturnToStateInput): Promise<Outcome<ReturnToStateDetail>> {
  return runUseCase<ReturnToStateDetail>(ctx, 'return', input, async (op) => {
    checkState(input.state);
    const state = { version: input.state.version, weights: { ...input.state.weights } };
    const detail: ReturnToStateDetail = { state, ...(input.entryId ? { entryId: input.entryId } : {}), ...(input.entryAt ? { entryAt: input.entryAt } : {}) };
    await checkCodeDeployGuard(ctx, op, input);
    const alias = await ops.loadAlias(op, input);

    // One driver per alias: a rollout's lease (any machine's) or a rollout this journal holds open.
    const driving = rolloutDriving(alias, input, (await ctx.journal?.rollouts?.().catch(() => [])) ?? []);
    if (driving && 'lease' in driving) {
      const { lease } = driving;
      throw refuse(`${input.aliasName} has a rollout driven by ${holderText(lease)} (step ${lease.step + 1}/${lease.steps}): abort it, or let it end, before returning to an earlier state.`, 'conflict');
    }
    if (driving) throw refuse(`${input.aliasName} has a rollout of version ${driving.open.version} (${driving.open.status}): promote or abort it first.`, 'conflict');

    if (sameRouting({ version: alias.FunctionVersion ?? '$LATEST', weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} }, state)) {
      throw new OperationError(`${input.aliasName} already routes as this state does.`, { state: UNCHANGED, kind: 'validation', nothingToDo: true, detail });
    }

    // Every version the state needs: still there, Active, with the primary's execution role.
    const versions = [state.version, ...Object.keys(state.weights)];
    const configs = await step(op, `Check versions ${versions.join(', ')}`, UNCHANGED, () =>
      Promise.all(
        versions.map((v) =>
          getVersion(ctx.lambda, input.functionName, v, ctx.signal).then(
            (c): FunctionConfiguration | undefined => c,
            (err: unknown) => {
              if (errorName(err) === 'ResourceNotFoundException') return undefined;
              throw err;
            },
          ),
        ),
      ),
    );
    const fn = alias.AliasArn?.split(':')[6] ?? input.functionName;
    const gone = versions.filter((_, i) => configs[i] === undefined);
    if (gone.length) {
      throw refuse(`${gone.length === 1 ? `Version ${gone[0]}` : `Versions ${gone.join(', ')}`} of ${fn} ${gone.length === 1 ? 'was' : 'were'} deleted, so this state cannot be restored; nothing was changed.`);
    }
    for (const [i, c] of configs.entries()) {
      if (c!.State !== 'Active') throw refuse(`Version ${versions[i]} is ${c!.State ?? 'not Active'}; traffic can only go to an Active version. Nothing was changed.`);
      if (i > 0 && c!.Role !== configs[0]!.Role) {
        throw refuse(`Versions ${versions[0]} and ${versions[i]} use different execution roles (${configs[0]!.Role} vs ${c!.Role}); Lambda only splits traffic between versions with the same role. Nothing was changed.`);
      }
    }

    await ops.writeAlias(op, input, alias, { FunctionVersion: state.version, weights: state.weights }, `${input.aliasName} is unchanged.`);
    ctx.log.info(`Returned ${input.aliasName} to the state of ${input.entryAt ?? 'an earlier entry'}.`);
    return detail;
  });
}
