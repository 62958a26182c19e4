import { switchAlias as switchAliasOp } from '../../core/operations';
import { splitOf } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { connectionKey, exclusively, pickVersion, refreshFunction, resolveAlias, withProgress } from './common';

/** Switch Alias… (blue/green): function → alias → version; the previous version is remembered. */
export async function switchAlias(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Switch Alias');
  const current = splitOf(target.alias).primary.version;
  const version = await pickVersion(ctx, clients, target.functionName, `Switch ${target.functionName}:${target.aliasName} (now ${current}) to version…`, [current]);
  await exclusively(ctx, target.functionName, target.aliasName, 'switch', async (signal) => {
    const ref = { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId };
    const result = await withProgress(ctx, `Switching ${target.functionName}:${target.aliasName} to ${version}`, clients, (op) => switchAliasOp(op, ref, version), signal);
    await ctx.switchMemory.remember(connectionKey(clients), target.functionName, target.aliasName, result.previousVersion, version);
    refreshFunction(ctx, target.functionName);
    void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} → ${version} (was ${result.previousVersion}). "Switch Back" returns to ${result.previousVersion}.`));
  });
}
