import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import * as l10n from '@vscode/l10n';
import { parseLease } from '../core/rollout/lease';
import { splitOf } from '../core/routing';
import { markdownText as m, plainText } from '../shared/text';
import { formatDateTime, formatNumber, formatPercent } from './locale';

/**
 * What the Functions view shows of each node, as plain strings (no vscode types, so it is
 * tested in plain Node). Labels and descriptions are plain text; tooltips are Markdown in which
 * every AWS-provided value is escaped text (`markdownText`) and only our own `**bold**` is markup.
 * Our words go through l10n.t (@vscode/l10n: the extension hands it VS Code's bundle).
 */

export function shortDate(iso?: string): string {
  if (!iso) return '';
  const shown = formatDateTime(iso);
  return shown === '?' ? plainText(iso) : shown;
}

export function shortSha(b64?: string): string {
  if (!b64) return '';
  return Buffer.from(b64, 'base64').toString('hex').slice(0, 8);
}

/** Hard line breaks between the non-empty lines. */
function lines(...ls: Array<string | false | undefined>): string {
  return ls.filter(Boolean).join('  \n');
}

export function functionTooltip(fn: FunctionConfiguration): string {
  return lines(
    `**${m(fn.FunctionName)}**`,
    fn.Description && l10n.t('Description: {0}', m(fn.Description)),
    l10n.t('Runtime: {0}', m(fn.Runtime ?? '?')),
    l10n.t('Handler: {0}', m(fn.Handler ?? '?')),
    l10n.t('Last modified: {0}', m(shortDate(fn.LastModified))),
  );
}

/** The user's own description: a rollout's lease marker at its end is not theirs. */
export function userDescription(alias: Pick<AliasConfiguration, 'Description'>): string {
  return parseLease(alias.Description).userText;
}

export function aliasDescription(alias: AliasConfiguration, canary: boolean): string | undefined {
  return canary ? l10n.t('canary') : plainText(userDescription(alias)) || undefined;
}

export function aliasTooltip(functionName: string, alias: AliasConfiguration): string {
  const split = splitOf(alias);
  return lines(
    `**${m(functionName)}:${m(alias.Name)}**`,
    l10n.t('Version {0}: {1}', m(split.primary.version), m(formatPercent(split.primary.weight))),
    split.canary && l10n.t('Version {0}: {1} (canary)', m(split.canary.version), m(formatPercent(split.canary.weight))),
    userDescription(alias) && l10n.t('Description: {0}', m(userDescription(alias))),
    l10n.t('RevisionId: {0}', m(alias.RevisionId ?? '?')),
  );
}

export function versionDescription(v: FunctionConfiguration, servedBy: string[]): string {
  const sha = l10n.t('sha {0}', shortSha(v.CodeSha256));
  const parts =
    v.Version === '$LATEST'
      ? [v.LastUpdateStatus ?? v.State ?? '', sha]
      : [plainText(v.Description, 80), shortDate(v.LastModified), sha, servedBy.length ? `← ${servedBy.join(', ')}` : ''];
  return plainText(parts.filter(Boolean).join(' · '));
}

export function versionTooltip(functionName: string, v: FunctionConfiguration): string {
  return lines(
    `**${m(functionName)}:${m(v.Version)}**`,
    v.Description && l10n.t('Description: {0}', m(v.Description)),
    l10n.t('State: {0} · LastUpdateStatus: {1}', m(v.State ?? '?'), m(v.LastUpdateStatus ?? '?')),
    v.LastUpdateStatusReason && l10n.t('Reason: {0}', m(v.LastUpdateStatusReason)),
    l10n.t('CodeSha256: {0}', m(v.CodeSha256 ?? '?')),
    l10n.t('Last modified: {0}', m(shortDate(v.LastModified))),
  );
}

/*
 * What a screen reader says of a node (TreeItem.accessibilityInformation): the label and
 * description as words, without the arrows, dots and percent signs a sighted reader scans.
 */

/** `90 percent` (as the locale writes the number). */
export function spokenPercent(weight: number): string {
  return l10n.t('{0} percent', formatPercent(weight).replace(/\s*%\s*/, '').trim() || formatNumber(weight * 100));
}

/** `prod: version 7 at 90 percent, version 8 at 10 percent` or `prod: version 7`. */
export function spokenSplit(alias: Pick<AliasConfiguration, 'Name' | 'FunctionVersion' | 'RoutingConfig'>): string {
  const split = splitOf(alias);
  const name = plainText(alias.Name ?? '?');
  if (!split.canary) return l10n.t('{0}: version {1}', name, plainText(split.primary.version));
  return l10n.t('{0}: version {1} at {2}, version {3} at {4}', name, plainText(split.primary.version), spokenPercent(split.primary.weight), plainText(split.canary.version), spokenPercent(split.canary.weight));
}

/** The alias row read aloud: its split, then what follows it (a rollout's step, the description: `canary`, the user's own text). */
export function aliasSpoken(alias: AliasConfiguration, ...after: Array<string | undefined>): string {
  return spoken(spokenSplit(alias), ...after);
}

/** A version row: `version 7, Fix the checkout, 2026-12-01 16:40 UTC, sha 1a2b3c4d, served by prod 90 percent`. */
export function versionSpoken(v: FunctionConfiguration, servedBy: Array<{ alias: string; weight?: number }>): string {
  const version = v.Version === '$LATEST' ? l10n.t('latest unpublished code') : l10n.t('version {0}', plainText(v.Version ?? '?'));
  const served = servedBy.map((s) => (s.weight === undefined ? plainText(s.alias) : l10n.t('{0} at {1}', plainText(s.alias), spokenPercent(s.weight))));
  const parts =
    v.Version === '$LATEST'
      ? [v.LastUpdateStatus ?? v.State ?? '', l10n.t('sha {0}', shortSha(v.CodeSha256))]
      : [plainText(v.Description, 80), shortDate(v.LastModified), l10n.t('sha {0}', shortSha(v.CodeSha256)), served.length ? l10n.t('served by {0}', served.join(', ')) : ''];
  return spoken(version, ...parts);
}

/** Parts joined with commas, each cleared of the symbols a screen reader reads as symbols. */
export function spoken(...parts: Array<string | undefined>): string {
  return parts
    .map((p) => (p === undefined ? '' : spokenWords(p)))
    .filter(Boolean)
    .join(', ');
}

/** Arrows, middle dots, check marks and percent signs as words (or pauses). */
export function spokenWords(text: string): string {
  return text
    .replace(/\s*→\s*/g, ` ${l10n.t('to')} `)
    .replace(/\s*←\s*/g, ` ${l10n.t('served by')} `)
    .replace(/(\d)\s*%/g, `$1 ${l10n.t('percent')}`)
    .replace(/✓\s*/g, `${l10n.t('passes')}: `)
    .replace(/[⚠⛔]\s*/g, `${l10n.t('warning')}: `)
    .replace(/\s*·\s*/g, ', ')
    .replace(/\s*—\s*/g, ', ')
    .replace(/\$\(([\w~-]+)\)\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
