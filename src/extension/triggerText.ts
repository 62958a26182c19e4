import * as l10n from '@vscode/l10n';
import type { PreflightFinding, PreflightReport, TriggerFixAction, TriggerView } from '../shared/triggers';
import { ContextValues } from '../shared/ids';
import { markdownText, markdownText as m, plainText } from '../shared/text';

/** Notes (an API Gateway integration URI, a list of topics) and the pre-flight's message are longer than a label. */
const LONG_TEXT = 1000;

/**
 * What the tree, the fix commands and the pre-flight question show of the trigger audit, as plain
 * strings (no vscode types). Labels and descriptions are plain text; tooltips are Markdown built
 * with `md`, in which every AWS-provided value (ARNs, principals, details) is escaped text.
 */

/** What a trigger calls, in a few words: `$LATEST`, `version 7`, `prod`. */
export function routeText(t: Pick<TriggerView, 'route'>): string {
  const r = t.route;
  return r.kind === 'alias' ? r.alias : r.kind === 'version' ? l10n.t('version {0}', r.version) : '$LATEST';
}

/** The description beside a trigger's label: "✓ through prod", "⚠ bypasses — $LATEST" (and a mapping's state when it is not Enabled). */
export function triggerDescription(t: TriggerView): string {
  let text: string;
  switch (t.verdict) {
    case 'through':
      text = `✓ ${l10n.t('through {0}', routeText(t))}`;
      break;
    case 'bypasses':
      text = `⚠ ${l10n.t('bypasses — {0}', routeText(t))}`;
      break;
    case 'other-alias':
      text = l10n.t('through {0}', routeText(t));
      break;
    default:
      text = t.route.kind === 'alias' ? l10n.t('for {0}', routeText(t)) : l10n.t('for {0} · no routing of its own', routeText(t));
  }
  const state = t.kind === 'event-source-mapping' && t.state && t.state !== 'Enabled' ? ` · ${t.state}` : '';
  return plainText(`${text}${state}`);
}

export type TriggerIcon = { id: 'pass' | 'warning' | 'arrow-right' | 'info'; color?: string };

export function triggerIcon(t: Pick<TriggerView, 'verdict'>): TriggerIcon {
  switch (t.verdict) {
    case 'through':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'bypasses':
      return { id: 'warning', color: 'problemsWarningIcon.foreground' };
    case 'other-alias':
      return { id: 'arrow-right' };
    default:
      return { id: 'info' };
  }
}

/** Hard line breaks between the non-empty lines. */
function lines(...ls: Array<string | false | undefined>): string {
  return ls.filter(Boolean).join('  \n');
}

/** `aliases`: the function's, when the trigger is listed under the function (not under one alias). */
export function triggerTooltip(t: TriggerView, aliases: string[] = []): string {
  // Judged against no one alias, a bypass has a fix only when the function has one alias.
  const hint = !t.fix && t.verdict === 'bypasses' && aliases.length > 1 ? l10n.t('To fix it, expand the alias it should go through ({0}) under Aliases.', m(aliases.join(', '))) : undefined;
  return lines(
    `**${m(t.label)}**`,
    m(t.detail),
    t.source && l10n.t('Source: {0}', m(t.source)),
    t.principal && l10n.t('Principal: {0}', m(t.principal)),
    l10n.t('Calls: {0}', m(t.target)),
    t.state && l10n.t('State: {0}', m(t.state)),
    ...t.notes.map((n) => markdownText(n, LONG_TEXT)),
    t.fix && l10n.t('Fix ({0}): {1}', m(fixTitle(t.fix.action)), m(t.fix.text)),
    hint,
    l10n.t('Id: {0}', m(t.id)),
  );
}

/** The tree item's context value: the fix it offers decides which fix command its menus show. */
export function triggerContextValue(t: Pick<TriggerView, 'fix'>): string {
  switch (t.fix?.action) {
    case 'route-through-alias':
      return ContextValues.triggerFixRoute;
    case 'create-url-on-alias':
      return ContextValues.triggerFixUrl;
    case 'grant-on-alias':
      return ContextValues.triggerFixGrant;
    default:
      return ContextValues.trigger;
  }
}

/** The command title of each fix, as in package.json. */
export function fixTitle(action: TriggerFixAction): string {
  switch (action) {
    case 'route-through-alias':
      return l10n.t('Route Through Alias');
    case 'create-url-on-alias':
      return l10n.t('Create URL on Alias');
    case 'grant-on-alias':
      return l10n.t('Grant on Alias');
  }
}

/** The modal question before a fix: what it writes and implies, in the core's words. */
export function confirmTriggerFix(functionName: string, t: TriggerView): { id: 'confirmTriggerFix'; message: string; detail: string; action: string } {
  const fix = t.fix!;
  const question =
    fix.action === 'route-through-alias'
      ? l10n.t('Route {0} through {1}?', t.label, fix.alias)
      : fix.action === 'create-url-on-alias'
        ? l10n.t('Create a function URL on {0}?', fix.alias)
        : l10n.t('Grant {0} on {1}?', t.principal ?? t.label, fix.alias);
  return {
    id: 'confirmTriggerFix',
    message: plainText(question),
    detail: plainText(`${l10n.t('{0}: {1} now calls {2}.', functionName, t.label, routeText(t))} ${fix.text}`, 1000),
    action: fixTitle(fix.action),
  };
}

function findingLine(f: PreflightFinding): string {
  return `${f.severity === 'blocker' ? '⛔' : '⚠'} ${f.message}${f.fix ? ` ${l10n.t('Fix: {0}', f.fix)}` : ''}`;
}

/**
 * The one pre-flight question, undefined when nothing was found. Blockers: Lambda would refuse or
 * misroute the weighted alias, so only Cancel is offered.
 */
export function preflightQuestion(
  report: PreflightReport,
  what: string,
): { id: 'preflight'; message: string; detail: string; blocked: boolean } | undefined {
  if (report.findings.length === 0) return undefined;
  const blocked = report.findings.some((f) => f.severity === 'blocker');
  const where = `${report.functionName}:${report.aliasName}`;
  const summary = report.summary || (report.findings.length === 1 ? l10n.t('1 finding for {0}.', where) : l10n.t('{0} findings for {1}.', report.findings.length, where));
  const message = blocked ? l10n.t('{0} on {1} cannot go on: {2}', what, where, summary) : l10n.t('{0} on {1}: {2}', what, where, summary);
  const tail = blocked
    ? l10n.t('Lambda would refuse or misroute the weighted alias until the blockers (⛔) are fixed: nothing was changed.')
    : l10n.t('Go On starts it as it is; Cancel changes nothing.');
  return { id: 'preflight', message: plainText(message, LONG_TEXT), detail: [...report.findings.map((f) => plainText(findingLine(f), LONG_TEXT)), tail].join('\n'), blocked };
}
