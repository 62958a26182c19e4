import { rollbackCanary as rollbackCanaryOp } from '../../core/operations';
import { splitOf } from '../../core/routing';
import type { CommandContext } from '../context';
import { confirmRollback } from './confirmations';
import { onlyCanaries, refreshFunction, resolveAlias, withProgress } from './common';
import { notificationText } from '../../shared/text';

/** Roll Back Canary: routing cleared, the primary version keeps 100% (confirmed first). */
export async function rollbackCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Roll Back Canary', onlyCanaries);
  const split = splitOf(target.alias);
  if (!split.canary) {
    void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} runs no canary to roll back.`));
    return;
  }
  const q = confirmRollback(target.functionName, target.aliasName, { primary: split.primary, canary: split.canary });
  const ok = await ctx.ui.confirm(q.id, q.message, q.detail, q.action);
  if (!ok) return;
  await withProgress(ctx, `Rolling back ${target.functionName}:${target.aliasName}`, clients, (op) =>
    rollbackCanaryOp(op, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  );
  refreshFunction(ctx, target.functionName);
  void ctx.ui.info(notificationText(`Rolled back: ${target.functionName}:${target.aliasName} → ${split.primary.version} (100%).`));
}
