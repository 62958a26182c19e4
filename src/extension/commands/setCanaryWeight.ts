import { setCanaryWeight as setCanaryWeightOp } from '../../core/operations';
import { aliasLabel, splitOf, weightToPercent } from '../../core/routing';
import type { CommandContext } from '../context';
import { onlyCanaries, pickWeight, refreshFunction, resolveAlias, withProgress } from './common';
import { notificationText } from '../../shared/text';

export async function setCanaryWeight(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Set Canary Weight', onlyCanaries);
  const canary = splitOf(target.alias).canary;
  const weight = await pickWeight(ctx, `${target.functionName}:${target.aliasName}: new canary weight`, canary ? weightToPercent(canary.weight) : undefined);
  const alias = await withProgress(ctx, `Setting the canary weight of ${target.functionName}:${target.aliasName}`, clients, (op) =>
    setCanaryWeightOp(op, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId }, weight),
  );
  refreshFunction(ctx, target.functionName);
  void ctx.ui.info(notificationText(`${target.functionName}:${aliasLabel(alias)}`));
}
