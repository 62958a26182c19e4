import * as l10n from '@vscode/l10n';
import { loadHistory } from '../../core/historyModule';
import type { HistoryEntry, HistoryView } from '../../shared/history';
import { confirmReturn, localTime, routingShort } from '../../shared/historyText';
import type { AliasActionResult } from '../aliasActionsService';
import type { CommandContext } from '../context';

/** What a Return to This State came to: the service's result, or refused before anything was asked. */
export type ReturnResult = AliasActionResult | { status: 'refused'; reason: string };

/**
 * Return to This State of one history entry, from the quick pick or the panel: the alias claimed
 * (one action at a time, as every other), the CodeDeploy warning on an alias it manages, a modal
 * naming the alias, its routing now → the entry's and the entry's time and who; then core's
 * returnToState (guarded on the RevisionId the history read, journalled), its outcome shown as
 * every action's. A refusal (a version it needs was deleted) is that outcome's error: nothing changed.
 */
export async function returnToEntry(
  ctx: Pick<CommandContext, 'aliases'>,
  view: HistoryView,
  entry: HistoryEntry,
  options: { owner?: object; onClaimed?: () => Promise<void> } = {},
): Promise<ReturnResult> {
  const { functionName, aliasName } = view;
  if (!entry.returnTo.ok) {
    const reason = entry.returnTo.reason;
    ctx.aliases.showError(l10n.t('Cannot return {0}:{1} to its state of {2}: {3}. Nothing was changed.', functionName, aliasName, localTime(entry.at), reason));
    return { status: 'refused', reason };
  }
  const state = entry.returnTo.state;
  const core = await loadHistory();
  return ctx.aliases.run({
    functionName,
    aliasName,
    action: 'return',
    owner: options.owner,
    manual: l10n.t('Return to This State'),
    ask: options.onClaimed
      ? async () => {
          await options.onClaimed!();
          return true;
        }
      : undefined,
    confirm: () => confirmReturn(view, entry, state),
    title: l10n.t('Returning {0}:{1} to {2}', functionName, aliasName, routingShort(state)),
    run: (uc) =>
      core.returnToState(uc, {
        functionName,
        aliasName,
        state,
        entryId: entry.id,
        entryAt: entry.at,
        // What the confirmation said "now" is: nothing is written if the alias changed since.
        ...(view.current?.revisionId ? { expectedRevisionId: view.current.revisionId } : {}),
      }),
  });
}
