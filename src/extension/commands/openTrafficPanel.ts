import * as l10n from '@vscode/l10n';
import type { CommandContext } from '../context';
import { AliasNode } from '../tree';
import { resolveAlias } from './common';

/** Open Traffic Panel: from an alias node, with `{ functionName, aliasName }`, or from the palette. */
export async function openTrafficPanel(ctx: CommandContext, node?: unknown): Promise<void> {
  if (!(node instanceof AliasNode) && isAliasArg(node)) {
    ctx.panels.open(node.functionName, node.aliasName);
    return;
  }
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, l10n.t('Open Traffic Panel'));
  ctx.panels.open(target.functionName, target.aliasName);
}

function isAliasArg(v: unknown): v is { functionName: string; aliasName: string } {
  const a = v as { functionName?: unknown; aliasName?: unknown } | undefined;
  return !!a && typeof a.functionName === 'string' && typeof a.aliasName === 'string';
}
