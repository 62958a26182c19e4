import * as l10n from '@vscode/l10n';
import type { Clients } from '../../core/connection';
import { OperationError } from '../../core/errors';
import { loadTriggers } from '../../core/triggersModule';
import { iconText } from '../../shared/text';
import type { TriggerFixAction, TriggerFixDetail, TriggerView } from '../../shared/triggers';
import type { CommandContext } from '../context';
import { FunctionNode, TriggerNode } from '../tree';
import { confirmTriggerFix, fixTitle, routeText } from '../triggerText';
import { useCaseContext } from '../useCaseContext';
import { orDismiss, pickFunctionName } from './common';

/** Fixes running now, by `function/trigger id`: a second click is told to wait instead of writing twice. */
const running = new Set<string>();

/**
 * Route Through Alias, Create URL on Alias, Grant on Alias: the trigger (the node's, or picked
 * from a fresh audit of a function), a modal saying exactly what the fix writes and implies, core's
 * fixTrigger in a cancellable progress notification, the outcome (and what the user still has to
 * do) as a notification, and the function's triggers read again. They act on AWS only, so, as the
 * alias commands, they run in an untrusted workspace too.
 */
async function runFix(ctx: CommandContext, node: unknown, action: TriggerFixAction): Promise<void> {
  const clients = await ctx.connection.current();
  const { functionName, trigger } = await resolveTrigger(ctx, clients, node, action);
  const fix = trigger.fix!;
  // Taken before the question, so a double click asks once.
  const key = `${functionName}/${trigger.id}`;
  if (running.has(key)) {
    void ctx.ui.info(l10n.t('{0}: {1} is being fixed already: wait for it to finish.', functionName, trigger.label));
    return;
  }
  running.add(key);
  let ran = false;
  try {
    const q = confirmTriggerFix(functionName, trigger);
    if (!(await ctx.ui.confirm(q.id, q.message, q.detail, q.action))) return;
    ran = true;
    const outcome = await ctx.aliases.withProgress(l10n.t('{0}: {1} of {2} → {3}', fixTitle(fix.action), trigger.label, functionName, fix.alias), undefined, (signal, progress) =>
      // Journalled (the journal's append redraws the function's node and panels).
      loadTriggers().then(({ fixTrigger }) => fixTrigger(ctx.aliases.useCaseContext(clients, { signal, progress }), { functionName, aliasName: fix.alias, triggerId: trigger.id, expected: trigger })),
    );
    // Not awaited: a notification may stay open; Undo, if clicked, is a command of its own.
    const undoable = outcome.state === 'done' && outcome.detail && Object.keys(outcome.detail.undo).length > 0;
    void ctx.aliases.notify(outcome, ...(undoable ? ['Undo'] : [])).then((choice) => {
      if (choice === 'Undo' && outcome.detail) return undoFix(ctx, clients, functionName, outcome.detail).catch((err: unknown) => ctx.aliases.reportError('undoTriggerFix', err));
    });
  } finally {
    running.delete(key);
    // Read again whatever the outcome: a conflict means the trigger changed since it was shown.
    if (ran) ctx.tree.refresh(ctx.tree.findFunction(functionName));
  }
}

/**
 * Undo of a fix just made (the notification's Undo): confirmed first, then core's undoTriggerFix
 * (a moved mapping is moved back, a URL or permission created on the alias is removed; refused when
 * the trigger changed since), journalled, and the function's triggers read again.
 */
async function undoFix(ctx: CommandContext, clients: Clients, functionName: string, detail: TriggerFixDetail): Promise<void> {
  const what =
    detail.action === 'route-through-alias'
      ? l10n.t('{0} is moved back off {1} (to {2}), so it bypasses {3} again.', detail.before.label, detail.alias, routeText(detail.before), detail.alias)
      : detail.action === 'create-url-on-alias'
        ? l10n.t('The URL created on {0} is deleted (with its public-invoke permission, if the fix added one); callers already moved to it get 404.', detail.alias)
        : l10n.t('The permission created on {0} is removed; the original statement stays.', detail.alias);
  if (!(await ctx.ui.confirm('confirmUndoTriggerFix', l10n.t('Undo {0} for {1} of {2}?', fixTitle(detail.action), detail.before.label, functionName), what, l10n.t('Undo')))) return;
  try {
    const outcome = await ctx.aliases.withProgress(l10n.t('Undo {0}: {1} of {2}', fixTitle(detail.action), detail.before.label, functionName), undefined, (signal, progress) =>
      loadTriggers().then(({ undoTriggerFix }) => undoTriggerFix(ctx.aliases.useCaseContext(clients, { signal, progress }), { functionName, aliasName: detail.alias, detail })),
    );
    void ctx.aliases.notify(outcome);
  } finally {
    ctx.tree.refresh(ctx.tree.findFunction(functionName));
  }
}

/** The node's trigger, or, from the palette (or a function node), one picked among a fresh audit's triggers this fix applies to. */
async function resolveTrigger(ctx: CommandContext, clients: Clients, node: unknown, action: TriggerFixAction): Promise<{ functionName: string; trigger: TriggerView }> {
  const title = fixTitle(action);
  if (node instanceof TriggerNode) {
    if (node.trigger.fix?.action !== action) {
      throw new OperationError(l10n.t('{0} does not apply to {1}: {2}.', title, node.trigger.label, node.trigger.fix ? l10n.t('its fix is {0}', fixTitle(node.trigger.fix.action)) : l10n.t('it has nothing to fix')), { kind: 'validation', state: l10n.t('Nothing was changed.') });
    }
    return { functionName: node.functionName, trigger: node.trigger };
  }
  const functionName = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, `${title}: which function?`);
  const outcome = await ctx.aliases.withProgress(l10n.t('Reading the triggers of {0}', functionName), undefined, (signal, progress) => loadTriggers().then(({ auditTriggers }) => auditTriggers(useCaseContext(clients, ctx.log, { signal, progress }), { functionName })));
  if (outcome.error || !outcome.detail) throw new OperationError(l10n.t('Could not read the triggers of {0}: {1}', functionName, outcome.error?.message ?? l10n.t('the audit returned nothing')), { kind: outcome.error?.kind ?? 'aws' });
  const candidates = outcome.detail.triggers.filter((t) => t.fix?.action === action);
  if (candidates.length === 0) {
    throw new OperationError(l10n.t('{0} has no trigger that {1} fixes: see its Triggers in the Lambda Canary view.', functionName, title), { kind: 'validation', state: l10n.t('Nothing was changed.') });
  }
  const picked = await ctx.ui.pick<TriggerView>(
    'trigger',
    candidates.map((t) => ({ label: iconText(t.label), description: iconText(l10n.t('calls {0} → {1}', routeText(t), t.fix!.alias)), detail: iconText(t.fix!.text), value: t })),
    { title: l10n.t('{0}: which trigger of {1}?', title, functionName), placeHolder: l10n.t('Trigger') },
  );
  return { functionName, trigger: orDismiss(picked).value };
}

export const routeThroughAlias = (ctx: CommandContext, node?: unknown): Promise<void> => runFix(ctx, node, 'route-through-alias');
export const createUrlOnAlias = (ctx: CommandContext, node?: unknown): Promise<void> => runFix(ctx, node, 'create-url-on-alias');
export const grantOnAlias = (ctx: CommandContext, node?: unknown): Promise<void> => runFix(ctx, node, 'grant-on-alias');
