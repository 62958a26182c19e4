import { OperationError } from '../../core/errors';
import { listAliases } from '../../core/lambdaApi';
import { splitOf } from '../../core/routing';
import { startCanary } from '../../core/usecases';
import { plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import { AliasNode } from '../tree';
import { confirmCanary } from './confirmations';
import { pickAlias, pickWeight } from './common';
import { passPreflight } from './preflight';

/**
 * Canary This Version on… (alias node): the version this alias serves becomes a canary on another
 * alias of the function — what `staging` runs, tried on `prod` without uploading anything.
 */
export async function canaryThisVersionOn(ctx: CommandContext, node?: unknown): Promise<void> {
  if (!(node instanceof AliasNode)) {
    throw new OperationError('Canary This Version on… acts on an alias: right-click the alias whose version to try (e.g. staging) in the Lambda Canary view.', { kind: 'validation' });
  }
  const { functionName, aliasName: sourceName } = node;
  const version = splitOf(node.alias).primary.version;
  const clients = await ctx.connection.current();
  const others = (await listAliases(clients.lambda, functionName)).filter((a) => a.Name !== sourceName);
  if (others.length === 0) {
    throw new OperationError(`${functionName} has no alias besides ${sourceName} to run a canary of version ${version} on: create one (e.g. prod) first.`, {
      state: 'Nothing was changed.',
      kind: 'validation',
    });
  }
  const target = await pickAlias(ctx, clients, functionName, `Canary version ${version} (what ${sourceName} runs) on which alias?`, undefined, others);
  const aliasName = target.Name!;
  const weightPercent = await pickWeight(ctx, `Canary of version ${version} on ${functionName}:${aliasName}: weight`);
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    manual: 'Start a canary',
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, 'Start Canary', signal),
    confirm: () => confirmCanary(functionName, target, version, weightPercent, `${plainText(sourceName)} runs version ${plainText(version)}. `),
    title: `Starting a canary of version ${version} on ${functionName}:${aliasName}`,
    run: (uc) => startCanary(uc, { functionName, aliasName, expectedRevisionId: target.RevisionId, version, weightPercent }),
  });
}
