import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { outcomeText } from '../../core/outcomeText';
import type { HistoryEntry, HistoryView } from '../../shared/history';
import { entryRow, localTime, RETURN_ACTION, routingShort, statusLine, statusShort, whenText } from '../../shared/historyText';
import { iconText } from '../../shared/text';
import { orDismiss, resolveAlias } from '../commands/common';
import { isAliasArg } from '../commands/rolloutPicks';
import type { CommandContext } from '../context';
import type { PickItem } from '../ui';
import { readAliasHistory } from './read';
import type { ReturnResult } from './returnTo';
import { returnToEntry } from './returnTo';

/**
 * Show History… (an alias's node, its inline icon, the palette): the alias's history, newest
 * first, in a quick pick — when, what, who, before → after, how it ended, from where — with
 * CloudTrail's status above the rows. Picking an entry offers Return to This State (or says why
 * it cannot) and Open in Panel. Return to This State… (the palette) goes straight to the entries
 * that can be returned to.
 */

type Target = { functionName: string; aliasName: string };

async function target(ctx: CommandContext, node: unknown, title: string): Promise<Target> {
  if (isAliasArg(node)) return { functionName: node.functionName, aliasName: node.aliasName };
  const clients = await ctx.connection.current();
  const t = await resolveAlias(ctx, clients, node, title);
  return { functionName: t.functionName, aliasName: t.aliasName };
}

/** The history, read under a progress notification; a failure is thrown as the command's error. */
async function read(ctx: CommandContext, t: Target): Promise<HistoryView> {
  const outcome = await ctx.aliases.withProgress(vscode.l10n.t('Reading the history of {0}:{1}', t.functionName, t.aliasName), undefined, (signal) => readAliasHistory(ctx, t.functionName, t.aliasName, signal));
  if (outcome.error || !outcome.detail) {
    throw new OperationError(outcome.error ? outcomeText(outcome) : vscode.l10n.t('The history of {0}:{1} could not be read.', t.functionName, t.aliasName), { kind: outcome.error?.kind === 'cancelled' ? 'cancelled' : 'validation' });
  }
  for (const p of outcome.detail.journal.problems) ctx.log.warn(`Deployment journal: ${p}`);
  ctx.log.info(`History of ${t.functionName}:${t.aliasName}: ${outcome.detail.entries.length} entries. ${outcome.detail.cloudTrail.message}`);
  return outcome.detail;
}

/** The entries as quick pick items, CloudTrail's status as the separator above them. */
export function historyItems(view: HistoryView, filter: (e: HistoryEntry) => boolean = () => true, now = Date.now()): Array<PickItem<HistoryEntry> | vscode.QuickPickItem> {
  const items: Array<PickItem<HistoryEntry> | vscode.QuickPickItem> = [{ label: iconText(statusShort(view)), kind: vscode.QuickPickItemKind.Separator }];
  for (const e of view.entries.filter(filter)) {
    const row = entryRow(e, now);
    items.push({ label: iconText(row.label), description: iconText(row.description), detail: iconText(row.detail), value: e });
  }
  return items;
}

async function pickEntry(ctx: CommandContext, view: HistoryView, id: string, title: string, filter?: (e: HistoryEntry) => boolean): Promise<HistoryEntry> {
  const picked = await ctx.ui.pick<HistoryEntry>(id, historyItems(view, filter), { title, placeHolder: iconText(statusLine(view), 400), matchOnDetail: true });
  return orDismiss(picked).value;
}

export async function showHistory(ctx: CommandContext, node?: unknown): Promise<void> {
  const t = await target(ctx, node, 'Show History');
  const view = await read(ctx, t);
  const key = `${t.functionName}:${t.aliasName}`;
  if (view.entries.length === 0) {
    void ctx.ui.info(`${view.cloudTrail.state === 'read' ? vscode.l10n.t('{0}: no changes since {1} in the journal or CloudTrail.', key, localTime(view.since)) : vscode.l10n.t('{0}: no changes since {1} in the journal.', key, localTime(view.since))} ${statusLine(view)}`);
    return;
  }
  const entry = await pickEntry(ctx, view, 'history', `History of ${key} (newest first)`);
  type Next = 'return' | 'why' | 'panel';
  const actions: Array<PickItem<Next>> = [
    entry.returnTo.ok
      ? { label: RETURN_ACTION, description: iconText(`${view.current ? routingShort(view.current) : '?'} → ${routingShort(entry.returnTo.state)}`), value: 'return' }
      : { label: vscode.l10n.t('Cannot {0}', RETURN_ACTION), detail: iconText(entry.returnTo.reason), value: 'why' },
    { label: vscode.l10n.t('Open in Panel'), description: vscode.l10n.t('the traffic panel of the alias, with its History section'), value: 'panel' },
  ];
  const next = orDismiss(await ctx.ui.pick<Next>('historyEntry', actions, { title: iconText(`${key}: ${whenText(entry.at)} — ${entry.summary}`), placeHolder: vscode.l10n.t('What to do with this state') })).value;
  if (next === 'panel') ctx.panels.open(t.functionName, t.aliasName);
  else if (next === 'why') void ctx.ui.info(vscode.l10n.t('{0}: the state of {1} cannot be returned to: {2}.', key, localTime(entry.at), entry.returnTo.ok ? '' : entry.returnTo.reason));
  else await returnToEntry(ctx, view, entry);
}

/** Return to This State… from the palette: the alias, then one of the states it can return to. */
export async function returnToStateCommand(ctx: CommandContext, node?: unknown): Promise<ReturnResult> {
  const t = await target(ctx, node, RETURN_ACTION);
  const view = await read(ctx, t);
  const key = `${t.functionName}:${t.aliasName}`;
  if (!view.entries.some((e) => e.returnTo.ok)) {
    throw new OperationError(`${view.entries.length === 0 ? vscode.l10n.t('{0} has no earlier state to return to since {1}.', key, localTime(view.since)) : view.entries.length === 1 ? vscode.l10n.t('{0} has no earlier state to return to since {1} (1 entry, none returnable).', key, localTime(view.since)) : vscode.l10n.t('{0} has no earlier state to return to since {1} ({2} entries, none returnable).', key, localTime(view.since), view.entries.length)} ${statusLine(view)}`, {
      state: vscode.l10n.t('Nothing was changed.'),
      kind: 'validation',
    });
  }
  const entry = await pickEntry(ctx, view, 'returnEntry', `${RETURN_ACTION}: ${key}`, (e) => e.returnTo.ok);
  return returnToEntry(ctx, view, entry);
}
