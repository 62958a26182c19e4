import * as l10n from '@vscode/l10n';
import { splitOf } from '../../core/routing';
import { startCanary, switchAlias } from '../../core/usecases';
import type { CommandContext } from '../context';
import { confirmCanary, confirmSwitch } from './confirmations';
import { pickAlias, pickWeight, resolveVersion } from './common';
import { passPreflight } from './preflight';

/**
 * The tree's actions on a published version: put it on an alias as a canary, or switch an alias
 * to it: the version right-clicked, or (from the palette) a function and one of its versions, picked.
 */

/** Start Canary on…: pick an alias of the function, then a weight; the version gets that share. */
export async function startCanaryOn(ctx: CommandContext, node?: unknown): Promise<void> {
  const { functionName, version } = await resolveVersion(ctx, node, l10n.t('Start Canary on…'));
  const clients = await ctx.connection.current();
  const alias = await pickAlias(ctx, clients, functionName, l10n.t('Start a canary of version {0} on which alias of {1}?', version, functionName));
  const aliasName = alias.Name!;
  const weightPercent = await pickWeight(ctx, l10n.t('Canary of version {0} on {1}:{2}: weight', version, functionName, aliasName));
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    manual: l10n.t('Start a canary'),
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, l10n.t('Start Canary'), signal),
    confirm: () => confirmCanary(functionName, alias, version, weightPercent),
    title: l10n.t('Starting a canary of version {0} on {1}:{2}', version, functionName, aliasName),
    run: (uc) => startCanary(uc, { functionName, aliasName, expectedRevisionId: alias.RevisionId, version, weightPercent }),
  });
}

/** Switch Alias to this Version…: pick an alias; all of its traffic moves to the version at once. */
export async function switchAliasToVersion(ctx: CommandContext, node?: unknown): Promise<void> {
  const { functionName, version } = await resolveVersion(ctx, node, l10n.t('Switch Alias to this Version…'));
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
