/**
 * How a router reads in the tree: its row's rule summary (`beta → 4, sticky 10% → 4, others → 3`)
 * and its tooltip. Types only from core/router: its code stays in the lazily loaded dist/router.js.
 */
import * as l10n from '@vscode/l10n';
import type { RouterInfo } from '../core/router/api';
import type { KeySource, RouterConfig, RouteRule } from '../core/router/rules';
import { markdownText, plainText } from '../shared/text';
import { formatPercent } from './locale';

/** `header x-canary-group`, `claim sub`, `source IP`. */
export function keyText(key: KeySource): string {
  switch (key.from) {
    case 'header':
      return l10n.t('header {0}', plainText(key.name));
    case 'query':
      return l10n.t('query parameter {0}', plainText(key.name));
    case 'claim':
      return l10n.t('JWT claim {0}', plainText(key.name));
    case 'authorizer':
      return l10n.t('authorizer field {0}', plainText(key.name));
    case 'sourceIp':
      return l10n.t('source IP');
  }
}

/** One rule, short: `beta → 4` or `sticky 10% → 4`. */
export function ruleShort(rule: RouteRule, canary: string): string {
  if (rule.kind === 'group') {
    const shown = rule.values.slice(0, 3).map((v) => plainText(v, 40));
    const more = rule.values.length > 3 ? l10n.t(' +{0}', rule.values.length - 3) : '';
    return `${shown.join(', ')}${more} → ${plainText(canary)}`;
  }
  return l10n.t('sticky {0}', formatPercent(rule.weight / 100)) + ` → ${plainText(canary)}`;
}

/** The router row's description: each rule, then where the rest goes. */
export function ruleSummary(config: RouterConfig): string {
  return [...config.rules.map((r) => ruleShort(r, config.canary)), l10n.t('others → {0}', plainText(config.stable))].join(', ');
}

/** One rule in full, for a tooltip or a confirmation. */
export function ruleLong(rule: RouteRule, canary: string): string {
  if (rule.kind === 'group') return l10n.t('requests whose {0} is one of {1} → version {2}', keyText(rule.key), rule.values.map((v) => plainText(v, 60)).join(', '), plainText(canary));
  return l10n.t('{0} of users (by {1}) → version {2}, always the same users', formatPercent(rule.weight / 100), rule.keys.map(keyText).join(l10n.t(', else ')), plainText(canary));
}

/** The router row's tooltip, Markdown with every AWS-provided part escaped. */
export function routerTooltip(functionName: string, aliasName: string, info: RouterInfo): string {
  const c = info.config;
  return [
    `**${markdownText(l10n.t('Router {0}:{1}', info.router, info.routerAlias))}**`,
    markdownText(l10n.t('In front of {0}:{1}; its alias serves router version {2}.', functionName, aliasName, info.routerVersion)),
    ...c.rules.map((r, i) => markdownText(`${i + 1}. ${ruleLong(r, c.canary)}`)),
    markdownText(l10n.t('Everything else → version {0}.', c.stable)),
    ...(info.roleArn ? [markdownText(l10n.t('Role: {0}', info.roleArn))] : []),
  ].join('  \n');
}
