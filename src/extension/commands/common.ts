import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { CancelledError, errorText, isCancelled, OperationError } from '../../core/errors';
import { listAliases, listAllFunctions, listVersions } from '../../core/lambdaApi';
import { arnParts } from '../../core/outcome';
import { checkCanaryPercent, isCanary, parseCanaryPercent, QUICK_WEIGHTS, splitOf } from '../../core/routing';
import { iconText, notificationText, plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import { aliasLabel, formatDateTime, formatPercent } from '../locale';
import { AliasNode, FunctionNode, VersionNode } from '../tree';
import type { PickItem } from '../ui';

/** A dismissed picker or input box: end the command quietly. */
export class Dismissed extends Error {
  constructor() {
    super('dismissed');
    this.name = 'Dismissed';
  }
}

/** What a refusal before any write says it left: nothing. */
export function nothingChanged(): string {
  return vscode.l10n.t('Nothing was changed.');
}

export function orDismiss<T>(value: T | undefined): T {
  if (value === undefined) throw new Dismissed();
  return value;
}

/**
 * The one error/cancel handler every command runs in. Use cases return their failures as
 * outcomes (the AliasActionsService shows those); what arrives here was thrown before any use
 * case ran: a picker's listing, a refusal of the command itself, or a bug.
 */
export function wrapCommand<A extends unknown[]>(ctx: CommandContext, id: string, run: (...args: A) => Promise<unknown>): (...args: A) => Promise<unknown> {
  return async (...args: A) => {
    try {
      return await run(...args);
    } catch (err) {
      if (err instanceof Dismissed) return undefined;
      if (isCancelled(err)) {
        const state = err instanceof CancelledError && err.state ? ` ${err.state}` : '';
        ctx.log.info(`${id}: cancelled.${state}`);
        if (state) void ctx.ui.info(notificationText(`${vscode.l10n.t('Cancelled.')}${state}`));
        return undefined;
      }
      if (err instanceof OperationError) {
        ctx.log.error(`${id}: ${err.message}${err.step ? ` [step: ${err.step}]` : ''}${err.state ? ` ${err.state}` : ''}`);
        ctx.aliases.showError(errorText(err));
        return undefined;
      }
      ctx.aliases.reportError(id, err);
      return undefined;
    }
  };
}

export { errorText } from '../../core/errors';

/** The account and region the tree lists (from a function ARN), for the journal's keys. */
export function whereListed(ctx: CommandContext, clients: Clients): { account?: string; region?: string } {
  const arn = arnParts(ctx.tree.loadedFunctions()[0]?.config.FunctionArn);
  return { account: arn.account, region: arn.region ?? clients.spec.region };
}

/** A function, from the node or the tree's loaded list or a fresh listing, recent ones first. */
export async function pickFunctionName(ctx: CommandContext, clients: Clients, title: string): Promise<string> {
  const items = (async () => {
    const recent = (await ctx.journal.recent(whereListed(ctx, clients))).map((r) => r.functionName);
    const loaded = ctx.tree.loadedFunctions();
    const names = loaded.length ? loaded.map((f) => f.name) : (await listAllFunctions(clients.lambda)).map((f) => f.FunctionName!);
    const recentFirst = [...new Set(recent.filter((r) => names.includes(r)))];
    const rest = names.filter((n) => !recentFirst.includes(n)).sort();
    const out: Array<PickItem<string> | vscode.QuickPickItem> = [];
    if (recentFirst.length) out.push({ label: vscode.l10n.t('recently used'), kind: vscode.QuickPickItemKind.Separator });
    out.push(...recentFirst.map((n) => ({ label: iconText(n), value: n })));
    if (recentFirst.length && rest.length) out.push({ label: vscode.l10n.t('all functions'), kind: vscode.QuickPickItemKind.Separator });
    out.push(...rest.map((n) => ({ label: iconText(n), value: n })));
    return out;
  })();
  const picked = await ctx.ui.pick<string>('function', items, { title, placeHolder: vscode.l10n.t('Function') });
  return orDismiss(picked).value;
}

/** `listed`: the function's aliases when the caller has just listed them. */
export async function pickAlias(
  ctx: CommandContext,
  clients: Clients,
  functionName: string,
  title: string,
  filter?: (a: AliasConfiguration) => boolean,
  listed?: AliasConfiguration[],
): Promise<AliasConfiguration> {
  const aliases = (listed ?? (await listAliases(clients.lambda, functionName))).filter(filter ?? (() => true));
  if (aliases.length === 0) {
    throw new OperationError(filter ? vscode.l10n.t('{0} has no matching aliases.', functionName) : vscode.l10n.t('{0} has no aliases: create one (e.g. prod) pointing to a published version first.', functionName), { kind: 'validation' });
  }
  const picked = await ctx.ui.pick<AliasConfiguration>(
    'alias',
    aliases.map((a) => ({ label: iconText(a.Name), description: iconText(aliasLabel(a).slice(a.Name!.length + 1)), detail: iconText(a.Description) || undefined, value: a })),
    { title, placeHolder: vscode.l10n.t('Alias') },
  );
  return orDismiss(picked).value;
}

/** Published, Active versions other than `exclude`, newest first. */
export async function pickVersion(ctx: CommandContext, clients: Clients, functionName: string, title: string, exclude: string[]): Promise<string> {
  const versions = (await listVersions(clients.lambda, functionName)).filter((v) => v.Version !== '$LATEST' && !exclude.includes(v.Version!));
  if (versions.length === 0) {
    throw new OperationError(exclude.length ? vscode.l10n.t('{0} has no other published version to switch to.', functionName) : vscode.l10n.t('{0} has no published version: publish one first (Publish Canary).', functionName), { kind: 'validation' });
  }
  const picked = await ctx.ui.pick<string>(
    'version',
    versions.map((v) => ({
      label: iconText(v.Version),
      description: iconText([plainText(v.Description, 120), formatDateTime(v.LastModified)].filter(Boolean).join(' · ')),
      detail: v.State !== 'Active' ? iconText(vscode.l10n.t('State: {0}', v.State ?? '?')) : undefined,
      value: v.Version!,
    })),
    { title, placeHolder: vscode.l10n.t('Version') },
  );
  return orDismiss(picked).value;
}

/**
 * The published version a version command acts on: the node's, or (from the palette, or a
 * function's node) a function then one of its published versions, picked.
 */
export async function resolveVersion(ctx: CommandContext, node: unknown, title: string): Promise<{ functionName: string; version: string }> {
  if (node instanceof VersionNode && node.version.Version && node.version.Version !== '$LATEST') return { functionName: node.parent.name, version: node.version.Version };
  const clients = await ctx.connection.current();
  const functionName = node instanceof FunctionNode ? node.name : node instanceof VersionNode ? node.parent.name : await pickFunctionName(ctx, clients, title);
  return { functionName, version: await pickVersion(ctx, clients, functionName, title, []) };
}

/** 1/5/10/25/50 % or a typed weight, validated as the user types. */
export async function pickWeight(ctx: CommandContext, title: string, current?: number): Promise<number> {
  const items: Array<PickItem<number | 'custom'>> = [
    ...QUICK_WEIGHTS.map((w) => ({ label: formatPercent(w / 100), description: current !== undefined && Math.abs(current - w) < 1e-9 ? vscode.l10n.t('current') : undefined, value: w as number })),
    { label: vscode.l10n.t('Other weight…'), description: vscode.l10n.t('type a percentage, e.g. 2.5'), value: 'custom' as const },
  ];
  const picked = orDismiss(await ctx.ui.pick<number | 'custom'>('weight', items, { title, placeHolder: vscode.l10n.t('Share of the alias traffic for the canary version') }));
  if (picked.value !== 'custom') return picked.value;
  const typed = orDismiss(
    await ctx.ui.input('weightInput', {
      title,
      prompt: vscode.l10n.t('Canary weight in percent (more than 0, less than 100)'),
      placeHolder: vscode.l10n.t('e.g. 10'),
      value: current !== undefined ? String(current) : undefined,
      validateInput: (v) => {
        const r = parseCanaryPercent(v);
        return r.ok ? undefined : r.message;
      },
    }),
  );
  const parsed = parseCanaryPercent(typed);
  if (!parsed.ok) throw new OperationError(parsed.message, { state: nothingChanged(), kind: 'validation' });
  const checked = checkCanaryPercent(parsed.value);
  if (!checked.ok) throw new OperationError(checked.message, { state: nothingChanged(), kind: 'validation' });
  return checked.value;
}

export interface AliasTarget {
  functionName: string;
  aliasName: string;
  /** The alias as the user saw it (tree node) or as just read. */
  alias: AliasConfiguration;
}

/** The alias a node-or-palette command acts on. `filter` limits palette choices (e.g. canaries only). */
export async function resolveAlias(
  ctx: CommandContext,
  clients: Clients,
  node: unknown,
  title: string,
  filter?: (a: AliasConfiguration) => boolean,
): Promise<AliasTarget> {
  if (node instanceof AliasNode) return { functionName: node.functionName, aliasName: node.aliasName, alias: node.alias };
  const functionName = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, title);
  const alias = await pickAlias(ctx, clients, functionName, title, filter);
  return { functionName, aliasName: alias.Name!, alias };
}

export const onlyCanaries = (a: AliasConfiguration): boolean => isCanary(a);

export function describeSplit(alias: AliasConfiguration): string {
  const s = splitOf(alias);
  return s.canary ? vscode.l10n.t('version {0} gets {1}', s.canary.version, formatPercent(s.canary.weight)) : vscode.l10n.t('all traffic on version {0}', s.primary.version);
}
