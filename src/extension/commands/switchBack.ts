import { switchBack as switchBackOp } from '../../core/operations';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { connectionKey, exclusively, refreshFunction, resolveAlias, withProgress } from './common';

/** Switch Back: undoes the last switch or promotion of an alias, if nothing moved it since. */
export async function switchBack(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const key = connectionKey(clients);
  const target = await resolveAlias(ctx, clients, node, 'Switch Back', (a) => ctx.switchMemory.get(key, a.AliasArn?.split(':')[6] ?? '', a.Name!) !== undefined);
  const record = ctx.switchMemory.get(key, target.functionName, target.aliasName);
  if (!record) {
    void ctx.ui.info(notificationText(`Nothing to switch back to: ${target.functionName}:${target.aliasName} was not switched or promoted from here.`));
    return;
  }
  await exclusively(ctx, target.functionName, target.aliasName, 'switch', async (signal) => {
    const ref = { functionName: target.functionName, aliasName: target.aliasName };
    const result = await withProgress(ctx, `Switching ${target.functionName}:${target.aliasName} back to ${record.from}`, clients, (op) => switchBackOp(op, ref, record), signal);
    // Switching back twice returns to where we were: remember the reverse.
    await ctx.switchMemory.remember(key, target.functionName, target.aliasName, result.previousVersion, record.from);
    refreshFunction(ctx, target.functionName);
    void ctx.ui.info(notificationText(`${target.functionName}:${target.aliasName} → ${record.from} (switched back from ${result.previousVersion}).`));
  });
}
