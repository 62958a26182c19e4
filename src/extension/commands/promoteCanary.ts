import { promoteCanary as promoteCanaryOp } from '../../core/operations';
import { splitOf } from '../../core/routing';
import type { CommandContext } from '../context';
import { confirmPromote } from './confirmations';
import { connectionKey, onlyCanaries, refreshFunction, resolveAlias, withProgress } from './common';
import { notificationText } from '../../shared/text';

/** Promote Canary: the canary version takes 100% of the alias (confirmed first). */
export async function promoteCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Promote Canary', onlyCanaries);
  const split = splitOf(target.alias);
  if (!split.canary) {
    void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} runs no canary to promote.`));
    return;
  }
  const q = confirmPromote(target.functionName, target.aliasName, { primary: split.primary, canary: split.canary });
  const ok = await ctx.ui.confirm(q.id, q.message, q.detail, q.action);
  if (!ok) return;
  const result = await withProgress(ctx, `Promoting ${target.functionName}:${target.aliasName}`, clients, (op) =>
    promoteCanaryOp(op, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  );
  await ctx.switchMemory.remember(connectionKey(clients), target.functionName, target.aliasName, result.previousVersion, result.alias.FunctionVersion!);
  refreshFunction(ctx, target.functionName);
  void ctx.ui.info(notificationText(`Promoted: ${target.functionName}:${target.aliasName} → ${result.alias.FunctionVersion} (100%).`));
}
