import { rollback } from '../../core/usecases';
import { splitOf } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { confirmRollback } from './confirmations';
import { onlyCanaries, resolveAlias } from './common';

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
  await ctx.aliases.run({
    functionName: target.functionName,
    aliasName: target.aliasName,
    action: 'rollback',
    manual: 'Roll back the canary',
    confirm: () => confirmRollback(target.functionName, target.aliasName, { primary: split.primary, canary }),
    title: `Rolling back ${target.functionName}:${target.aliasName}`,
    run: (uc) => rollback(uc, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  });
}
