import { promoteCanary as promoteCanaryOp } from '../../core/operations';
import { formatPercent, splitOf } from '../../core/routing';
import type { CommandContext } from '../context';
import { connectionKey, onlyCanaries, refreshFunction, resolveAlias, withProgress } from './common';

/** Promote Canary: the canary version takes 100% of the alias (confirmed first). */
export async function promoteCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Promote Canary', onlyCanaries);
  const split = splitOf(target.alias);
  if (!split.canary) {
    void ctx.ui.info(`${target.functionName}:${target.aliasName} runs no canary to promote.`);
    return;
  }
  const ok = await ctx.ui.confirm(
    'confirmPromote',
    `Promote version ${split.canary.version} to 100% of ${target.aliasName}?`,
    `${target.functionName}:${target.aliasName} sends ${formatPercent(split.canary.weight)} to version ${split.canary.version} now. After promotion all its traffic goes to version ${split.canary.version}; version ${split.primary.version} stays published, and "Switch Back" returns to it.`,
    'Promote',
  );
  if (!ok) return;
  const result = await withProgress(ctx, `Promoting ${target.functionName}:${target.aliasName}`, clients, (op) =>
    promoteCanaryOp(op, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  );
  await ctx.switchMemory.remember(connectionKey(clients), target.functionName, target.aliasName, result.previousVersion, result.alias.FunctionVersion!);
  refreshFunction(ctx, target.functionName);
  void ctx.ui.info(`Promoted: ${target.functionName}:${target.aliasName} → ${result.alias.FunctionVersion} (100%).`);
}
