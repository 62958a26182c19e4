import * as vscode from 'vscode';
import { iconText } from '../../shared/text';
import type { CommandContext } from '../context';
import type { Node } from '../tree';
import { AliasNode, FunctionNode, VersionNode } from '../tree';
import { resolveAlias } from './common';

export function refresh(ctx: CommandContext, node?: Node): Promise<void> {
  ctx.tree.refresh(node);
  return Promise.resolve();
}

export async function filter(ctx: CommandContext): Promise<void> {
  const text = await ctx.ui.input('filter', {
    title: vscode.l10n.t('Filter functions'),
    prompt: vscode.l10n.t('Show functions whose name contains this text (empty shows all)'),
    value: ctx.tree.filterText,
  });
  if (text === undefined) return;
  ctx.tree.setFilter(text);
}

export function clearFilter(ctx: CommandContext): Promise<void> {
  ctx.tree.setFilter('');
  return Promise.resolve();
}

export function showLog(ctx: CommandContext): Promise<void> {
  ctx.log.show();
  return Promise.resolve();
}

export async function copyArn(ctx: CommandContext, node?: Node): Promise<void> {
  let arn: string | undefined;
  if (node instanceof FunctionNode) arn = node.config.FunctionArn;
  else if (node instanceof AliasNode) arn = node.alias.AliasArn;
  else if (node instanceof VersionNode) arn = node.version.FunctionArn;
  else if (node === undefined) {
    // From the palette: a function's alias, picked.
    const clients = await ctx.connection.current();
    arn = (await resolveAlias(ctx, clients, undefined, vscode.l10n.t('Copy ARN'))).alias.AliasArn;
  }
  if (!arn) return;
  await vscode.env.clipboard.writeText(arn);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', iconText(arn)), 3000);
}
