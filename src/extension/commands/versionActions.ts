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
    throw new OperationError(`${command} acts on a version: right-click a published version in the Lambda Canary view.`, { kind: 'validation' });
  }
  return { functionName: node.parent.name, version };
}

/** Start Canary on…: pick an alias of the function, then a weight; the version gets that share. */
export async function startCanaryOn(ctx: CommandContext, node?: unknown): Promise<void> {
  const { functionName, version } = versionOf(node, 'Start Canary on…');
  const clients = await ctx.connection.current();
  const alias = await pickAlias(ctx, clients, functionName, `Start a canary of version ${version} on which alias of ${functionName}?`);
  const aliasName = alias.Name!;
  const weightPercent = await pickWeight(ctx, `Canary of version ${version} on ${functionName}:${aliasName}: weight`);
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    manual: 'Start a canary',
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, 'Start Canary', signal),
    confirm: () => confirmCanary(functionName, alias, version, weightPercent),
    title: `Starting a canary of version ${version} on ${functionName}:${aliasName}`,
    run: (uc) => startCanary(uc, { functionName, aliasName, expectedRevisionId: alias.RevisionId, version, weightPercent }),
  });
}

/** Switch Alias to this Version…: pick an alias; all of its traffic moves to the version at once. */
export async function switchAliasToVersion(ctx: CommandContext, node?: unknown): Promise<void> {
  const { functionName, version } = versionOf(node, 'Switch Alias to this Version…');
  const clients = await ctx.connection.current();
  const alias = await pickAlias(ctx, clients, functionName, `Switch which alias of ${functionName} to version ${version}?`);
  const aliasName = alias.Name!;
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'switch',
    manual: 'Switch the alias',
    confirm: () => confirmSwitch(functionName, aliasName, splitOf(alias).primary.version, version),
    title: `Switching ${functionName}:${aliasName} to ${version}`,
    run: (uc) => switchAlias(uc, { functionName, aliasName, expectedRevisionId: alias.RevisionId, version }),
  });
}
