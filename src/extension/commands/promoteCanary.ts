import * as l10n from '@vscode/l10n';
import { promote } from '../../core/usecases';
import { splitOf } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { confirmPromote } from './confirmations';
import { onlyCanaries, resolveAlias } from './common';

/** Promote Canary: the canary version takes 100% of the alias (confirmed first). */
export async function promoteCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Promote Canary', onlyCanaries);
  const split = splitOf(target.alias);
  const canary = split.canary;
  if (!canary) {
    void ctx.ui.info(notificationText(l10n.t('{0}:{1} runs no canary to promote.', target.functionName, target.aliasName)));
    return;
  }
  await ctx.aliases.run({
    functionName: target.functionName,
    aliasName: target.aliasName,
    action: 'promote',
    manual: l10n.t('Promote the canary'),
    confirm: () => confirmPromote(target.functionName, target.aliasName, { primary: split.primary, canary }),
    title: l10n.t('Promoting {0}:{1}', target.functionName, target.aliasName),
    run: (uc) => promote(uc, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }),
  });
}
