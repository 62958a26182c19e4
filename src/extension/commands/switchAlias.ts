import { switchAlias as switchAliasOp } from '../../core/operations';
import { splitOf } from '../../core/routing';
import type { CommandContext } from '../context';
import { connectionKey, pickVersion, refreshFunction, resolveAlias, withProgress } from './common';
import { notificationText } from '../../shared/text';

/** Switch Alias… (blue/green): function → alias → version; the previous version is remembered. */
export async function switchAlias(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Switch Alias');
  const current = splitOf(target.alias).primary.version;
  const version = await pickVersion(ctx, clients, target.functionName, `Switch ${target.functionName}:${target.aliasName} (now ${current}) to version…`, [current]);
  const result = await withProgress(ctx, `Switching ${target.functionName}:${target.aliasName} to ${version}`, clients, (op) =>
    switchAliasOp(op, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }, version),
  );
  await ctx.switchMemory.remember(connectionKey(clients), target.functionName, target.aliasName, result.previousVersion, version);
  refreshFunction(ctx, target.functionName);
  void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} → ${version} (was ${result.previousVersion}). "Switch Back" returns to ${result.previousVersion}.`));
}
