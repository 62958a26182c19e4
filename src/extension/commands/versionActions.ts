import * as l10n from '@vscode/l10n';
import { OperationError } from '../../core/errors';
import { splitOf } from '../../core/routing';
import { startCanary, switchAlias } from '../../core/usecases';
import type { CommandContext } from '../context';
import { VersionNode } from '../tree';
import { confirmCanary, confirmSwitch } from './confirmations';
import { pickAlias, pickWeight } from './common';
import { passPreflight } from './preflight';

/**
 * The tree's actions on a published version: put it on an alias as a canary, or switch an alias
 * to it. Node-only (hidden from the palette): the version is the one right-clicked.
 */

function versionOf(node: unknown, command: string): { functionName: string; version: string } {
  const version = node instanceof VersionNode ? node.version.Version : undefined;
  if (!(node instanceof VersionNode) || !version) {
    throw new OperationError(l10n.t('{0} acts on a version: right-click a published version in the Lambda Canary view.', command), { kind: 'validation' });
  }
  return { functionName: node.parent.name, version };
}

/** Start Canary on…: pick an alias of the function, then a weight; the version gets that share. */
export async function startCanaryOn(ctx: CommandContext, node?: unknown): Promise<void> {
  const { functionName, version } = versionOf(node, l10n.t('Start Canary on…'));
  const clients = await ctx.connection.current();
  const alias = await pickAlias(ctx, clients, functionName, l10n.t('Start a canary of version {0} on which alias of {1}?', version, functionName));
  const aliasName = alias.Name!;
  const weightPercent = await pickWeight(ctx, l10n.t('Canary of version {0} on {1}:{2}: weight', version, functionName, aliasName));
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    manual: l10n.t('Start a canary'),
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, 'Start Canary', signal),
    confirm: () => confirmCanary(functionName, alias, version, weightPercent),
    title: l10n.t('Starting a canary of version {0} on {1}:{2}', version, functionName, aliasName),
    run: (uc) => startCanary(uc, { functionName, aliasName, expectedRevisionId: alias.RevisionId, version, weightPercent }),
  });
}

/** Switch Alias to this Version…: pick an alias; all of its traffic moves to the version at once. */
export async function switchAliasToVersion(ctx: CommandContext, node?: unknown): Promise<void> {
  const { functionName, version } = versionOf(node, l10n.t('Switch Alias to this Version…'));
  const clients = await ctx.connection.current();
  const alias = await pickAlias(ctx, clients, functionName, l10n.t('Switch which alias of {0} to version {1}?', functionName, version));
  const aliasName = alias.Name!;
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'switch',
    manual: l10n.t('Switch the alias'),
    confirm: () => confirmSwitch(functionName, aliasName, splitOf(alias).primary.version, version),
    title: l10n.t('Switching {0}:{1} to {2}', functionName, aliasName, version),
    run: (uc) => switchAlias(uc, { functionName, aliasName, expectedRevisionId: alias.RevisionId, version }),
  });
}
