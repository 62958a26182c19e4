import { setCanaryWeight as setCanaryWeightOp } from '../../core/operations';
import { aliasLabel, splitOf, weightToPercent } from '../../core/routing';
import { notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { exclusively, onlyCanaries, pickWeight, refreshFunction, resolveAlias, withProgress } from './common';

export async function setCanaryWeight(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Set Canary Weight', onlyCanaries);
  const canary = splitOf(target.alias).canary;
  const weight = await pickWeight(ctx, `${target.functionName}:${target.aliasName}: new canary weight`, canary ? weightToPercent(canary.weight) : undefined);
  await exclusively(ctx, target.functionName, target.aliasName, 'apply', async (signal) => {
    const ref = { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId };
    const alias = await withProgress(ctx, `Setting the canary weight of ${target.functionName}:${target.aliasName}`, clients, (op) => setCanaryWeightOp(op, ref, weight), signal);
    refreshFunction(ctx, target.functionName);
    void ctx.ui.info(notificationText(`${target.functionName}:${aliasLabel(alias)}`));
  });
}
