import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import { parseLease } from '../core/rollout/lease';
import { formatPercent, splitOf } from '../core/routing';
import { md, plainText } from '../shared/text';

/**
 * What the Functions view shows of each node, as plain strings (no vscode types, so it is
 * tested in plain Node). Labels and descriptions are plain text; tooltips are Markdown built with
 * `md`, in which every AWS-provided value is escaped text and only our own `**bold**` is markup.
 */

export function shortDate(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso.replace(/\+0000$/, 'Z'));
  return Number.isNaN(d.getTime()) ? plainText(iso) : d.toISOString().slice(0, 16).replace('T', ' ');
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
    md`**${fn.FunctionName}**`,
    fn.Description && md`Description: ${fn.Description}`,
    md`Runtime: ${fn.Runtime ?? '?'}`,
    md`Handler: ${fn.Handler ?? '?'}`,
    md`Last modified: ${shortDate(fn.LastModified)}`,
  );
}

/** The user's own description: a rollout's lease marker at its end is not theirs. */
export function userDescription(alias: Pick<AliasConfiguration, 'Description'>): string {
  return parseLease(alias.Description).userText;
}

export function aliasDescription(alias: AliasConfiguration, canary: boolean): string | undefined {
  return canary ? 'canary' : plainText(userDescription(alias)) || undefined;
}

export function aliasTooltip(functionName: string, alias: AliasConfiguration): string {
  const split = splitOf(alias);
  return lines(
    md`**${functionName}:${alias.Name}**`,
    md`Version ${split.primary.version}: ${formatPercent(split.primary.weight)}`,
    split.canary && md`Version ${split.canary.version}: ${formatPercent(split.canary.weight)} (canary)`,
    userDescription(alias) && md`Description: ${userDescription(alias)}`,
    md`RevisionId: ${alias.RevisionId ?? '?'}`,
  );
}

export function versionDescription(v: FunctionConfiguration, servedBy: string[]): string {
  const parts =
    v.Version === '$LATEST'
      ? [v.LastUpdateStatus ?? v.State ?? '', `sha ${shortSha(v.CodeSha256)}`]
      : [plainText(v.Description, 80), shortDate(v.LastModified), `sha ${shortSha(v.CodeSha256)}`, servedBy.length ? `← ${servedBy.join(', ')}` : ''];
  return plainText(parts.filter(Boolean).join(' · '));
}

export function versionTooltip(functionName: string, v: FunctionConfiguration): string {
  return lines(
    md`**${functionName}:${v.Version}**`,
    v.Description && md`Description: ${v.Description}`,
    md`State: ${v.State ?? '?'} · LastUpdateStatus: ${v.LastUpdateStatus ?? '?'}`,
    v.LastUpdateStatusReason && md`Reason: ${v.LastUpdateStatusReason}`,
    md`CodeSha256: ${v.CodeSha256 ?? '?'}`,
    md`Last modified: ${shortDate(v.LastModified)}`,
  );
}
