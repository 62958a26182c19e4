import { rollbackCanary as rollbackCanaryOp } from '../../core/operations';
import { splitOf } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { confirmRollback } from './confirmations';
import { exclusively, onlyCanaries, refreshFunction, resolveAlias, withProgress } from './common';

/** Roll Back Canary: routing cleared, the primary version keeps 100% (confirmed first). */
export async function rollbackCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Roll Back Canary', onlyCanaries);
  const split = splitOf(target.alias);
  const canary = split.canary;
  if (!canary) {
    void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} runs no canary to roll back.`));
    return;
  }
  await exclusively(ctx, target.functionName, target.aliasName, 'rollback', async (signal) => {
    const q = confirmRollback(target.functionName, target.aliasName, { primary: split.primary, canary });
    const ok = await ctx.ui.confirm(q.id, q.message, q.detail, q.action);
    if (!ok) return;
    const ref = { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId };
    await withProgress(ctx, `Rolling back ${target.functionName}:${target.aliasName}`, clients, (op) => rollbackCanaryOp(op, ref), signal);
    refreshFunction(ctx, target.functionName);
    void ctx.ui.info(notificationText(`Rolled back: ${target.functionName}:${target.aliasName} → ${split.primary.version} (100%).`));
  });
}
