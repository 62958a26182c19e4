import * as l10n from '@vscode/l10n';
import { rollback } from '../../core/usecases';
import { splitOf } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { confirmRollback } from './confirmations';
import { onlyCanaries, resolveAlias } from './common';

/** Roll Back Canary: routing cleared, the primary version keeps 100% (confirmed first). */
export async function rollbackCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, l10n.t('Roll Back Canary'), onlyCanaries);
  const split = splitOf(target.alias);
  const canary = split.canary;
  if (!canary) {
    void ctx.ui.info(notificationText(l10n.t('{0}:{1} runs no canary to roll back.', target.functionName, target.aliasName)));
    return;
  }
  await ctx.aliases.run({
    functionName: target.functionName,
    aliasName: target.aliasName,
    action: 'rollback',
    manual: l10n.t('Roll back the canary'),
    confirm: () => confirmRollback(target.functionName, target.aliasName, { primary: split.primary, canary }),
    title: l10n.t('Rolling back {0}:{1}', target.functionName, target.aliasName),
    run: (uc) => rollback(uc, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  });
}
