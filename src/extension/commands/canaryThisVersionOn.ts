import * as l10n from '@vscode/l10n';
import { OperationError } from '../../core/errors';
import { listAliases } from '../../core/lambdaApi';
import { splitOf } from '../../core/routing';
import { startCanary } from '../../core/usecases';
import { plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import { AliasNode } from '../tree';
import { confirmCanary } from './confirmations';
import { pickAlias, pickWeight, resolveAlias } from './common';
import { passPreflight } from './preflight';

/**
 * Canary This Version on… (alias node): the version this alias serves becomes a canary on another
 * alias of the function — what `staging` runs, tried on `prod` without uploading anything.
 */
export async function canaryThisVersionOn(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  // From the palette: the alias whose version to try (e.g. staging), picked.
  const source = node instanceof AliasNode ? { functionName: node.functionName, aliasName: node.aliasName, alias: node.alias } : await resolveAlias(ctx, clients, node, l10n.t('Canary This Version on…: the alias whose version to try'));
  const { functionName, aliasName: sourceName } = source;
  const version = splitOf(source.alias).primary.version;
  const others = (await listAliases(clients.lambda, functionName)).filter((a) => a.Name !== sourceName);
  if (others.length === 0) {
    throw new OperationError(l10n.t('{0} has no alias besides {1} to run a canary of version {2} on: create one (e.g. prod) first.', functionName, sourceName, version), {
      state: l10n.t('Nothing was changed.'),
      kind: 'validation',
    });
  }
  const target = await pickAlias(ctx, clients, functionName, l10n.t('Canary version {0} (what {1} runs) on which alias?', version, sourceName), undefined, others);
  const aliasName = target.Name!;
  const weightPercent = await pickWeight(ctx, l10n.t('Canary of version {0} on {1}:{2}: weight', version, functionName, aliasName));
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    manual: l10n.t('Start a canary'),
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, 'Start Canary', signal),
    confirm: () => confirmCanary(functionName, target, version, weightPercent, `${plainText(sourceName)} runs version ${plainText(version)}. `),
    title: l10n.t('Starting a canary of version {0} on {1}:{2}', version, functionName, aliasName),
    run: (uc) => startCanary(uc, { functionName, aliasName, expectedRevisionId: target.RevisionId, version, weightPercent }),
  });
}
