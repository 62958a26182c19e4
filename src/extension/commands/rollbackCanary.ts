import { rollbackCanary as rollbackCanaryOp } from '../../core/operations';
import { formatPercent, splitOf } from '../../core/routing';
import type { CommandContext } from '../context';
import { onlyCanaries, refreshFunction, resolveAlias, withProgress } from './common';

/** Roll Back Canary: routing cleared, the primary version keeps 100% (confirmed first). */
export async function rollbackCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Roll Back Canary', onlyCanaries);
  const split = splitOf(target.alias);
  if (!split.canary) {
    void ctx.ui.info(`${target.functionName}:${target.aliasName} runs no canary to roll back.`);
    return;
  }
  const ok = await ctx.ui.confirm(
    'confirmRollback',
    `Roll back the canary of ${target.aliasName}?`,
    `Version ${split.canary.version} (${formatPercent(split.canary.weight)} now) stops receiving traffic; version ${split.primary.version} gets 100% of ${target.functionName}:${target.aliasName}. Version ${split.canary.version} stays published.`,
    'Roll Back',
  );
  if (!ok) return;
  await withProgress(ctx, `Rolling back ${target.functionName}:${target.aliasName}`, clients, (op) =>
    rollbackCanaryOp(op, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  );
  refreshFunction(ctx, target.functionName);
  void ctx.ui.info(`Rolled back: ${target.functionName}:${target.aliasName} → ${split.primary.version} (100%).`);
}
