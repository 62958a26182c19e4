import { OperationError } from '../errors';
import * as ops from '../operations';
import type { Outcome } from '../outcome';
import { targetKey, targetOf } from '../outcome';
import type { AliasInput, UseCaseContext } from './context';
import { checkCodeDeployGuard, runUseCase } from './context';

/**
 * The alias use cases: each one user action on one alias, a guarded write (see operations.ts),
 * returned as an Outcome and journalled. None throws for a failure of the action itself.
 */

/** Canary of an already published version (what `staging` runs, or any other) on an alias. */
export function startCanary(ctx: UseCaseContext, input: AliasInput & { version: string; weightPercent: number }): Promise<Outcome> {
  return runUseCase(ctx, 'canary', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await ops.startCanary(op, input, input.version, input.weightPercent);
    return undefined;
  });
}

export function setCanaryWeight(ctx: UseCaseContext, input: AliasInput & { weightPercent: number }): Promise<Outcome> {
  return runUseCase(ctx, 'weight', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await ops.setCanaryWeight(op, input, input.weightPercent);
    return undefined;
  });
}

/** `expectedCanary`: only if the canary is that version (another deploy's canary is left alone). */
export function promote(ctx: UseCaseContext, input: AliasInput & { expectedCanary?: string }): Promise<Outcome> {
  return runUseCase(ctx, 'promote', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await ops.promoteCanary(op, input);
    return undefined;
  });
}

export function rollback(ctx: UseCaseContext, input: AliasInput & { expectedCanary?: string }): Promise<Outcome> {
  return runUseCase(ctx, 'rollback', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await ops.rollbackCanary(op, input);
    return undefined;
  });
}

/** Blue/green: the alias points at another published version, all of its traffic at once. */
export function switchAlias(ctx: UseCaseContext, input: AliasInput & { version: string }): Promise<Outcome> {
  return runUseCase(ctx, 'switch', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await ops.switchAlias(op, input, input.version);
    return undefined;
  });
}

/**
 * Undoes the alias's last blue/green move (a switch, a promotion, or a switch back) as the
 * journal recorded it; refused, with nothing written, when the alias has moved on since.
 */
export function switchBack(ctx: UseCaseContext, input: AliasInput): Promise<Outcome> {
  return runUseCase(ctx, 'switch-back', input, async (op) => {
    if (!ctx.journal) throw noRecord(input, 'no deployment journal is open');
    await checkCodeDeployGuard(ctx, op, input);
    // The alias's ARN names the account and region its journal records are keyed by.
    const alias = await ops.loadAlias(op, input);
    const key = targetKey(targetOf(input, alias, ctx.region));
    const last = await ctx.journal.lastSwitch(key);
    if (!last) throw noRecord(input, 'the deployment journal holds no switch or promotion of it');
    await ops.switchBack(op, input, last);
    return undefined;
  });
}

function noRecord(input: AliasInput, why: string): OperationError {
  return new OperationError(`Nothing to switch back on ${input.functionName}:${input.aliasName}: ${why}. Use Switch Alias to pick a version.`, {
    state: 'Nothing was changed.',
    kind: 'validation',
  });
}
