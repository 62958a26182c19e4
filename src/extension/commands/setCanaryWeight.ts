import * as l10n from '@vscode/l10n';
import { setCanaryWeight as setCanaryWeightUseCase } from '../../core/usecases';
import { splitOf, weightToPercent } from '../../core/routing';
import type { CommandContext } from '../context';
import { onlyCanaries, pickWeight, resolveAlias } from './common';

/** Set Canary Weight…: the canary version's share of the alias (a quick weight or a typed one). */
export async function setCanaryWeight(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, l10n.t('Set Canary Weight'), onlyCanaries);
  const canary = splitOf(target.alias).canary;
  const weightPercent = await pickWeight(ctx, l10n.t('{0}:{1}: new canary weight', target.functionName, target.aliasName), canary ? weightToPercent(canary.weight) : undefined);
  await ctx.aliases.run({
    functionName: target.functionName,
    aliasName: target.aliasName,
    action: 'apply',
    manual: l10n.t('Set the canary weight'),
    title: l10n.t('Setting the canary weight of {0}:{1}', target.functionName, target.aliasName),
    run: (uc) => setCanaryWeightUseCase(uc, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId, weightPercent }),
  });
}
