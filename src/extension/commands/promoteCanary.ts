import { promoteCanary as promoteCanaryOp } from '../../core/operations';
import { splitOf } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { confirmPromote } from './confirmations';
import { connectionKey, exclusively, onlyCanaries, refreshFunction, resolveAlias, withProgress } from './common';

/** Promote Canary: the canary version takes 100% of the alias (confirmed first). */
export async function promoteCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Promote Canary', onlyCanaries);
  const split = splitOf(target.alias);
  const canary = split.canary;
  if (!canary) {
    void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} runs no canary to promote.`));
    return;
  }
  await exclusively(ctx, target.functionName, target.aliasName, 'promote', async (signal) => {
    const q = confirmPromote(target.functionName, target.aliasName, { primary: split.primary, canary });
    const ok = await ctx.ui.confirm(q.id, q.message, q.detail, q.action);
    if (!ok) return;
    const ref = { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId };
    const result = await withProgress(ctx, `Promoting ${target.functionName}:${target.aliasName}`, clients, (op) => promoteCanaryOp(op, ref), signal);
    await ctx.switchMemory.remember(connectionKey(clients), target.functionName, target.aliasName, result.previousVersion, result.alias.FunctionVersion!);
    refreshFunction(ctx, target.functionName);
    void ctx.ui.info(notificationText(`Promoted: ${target.functionName}:${target.aliasName} → ${result.alias.FunctionVersion} (100%).`));
  });
}
