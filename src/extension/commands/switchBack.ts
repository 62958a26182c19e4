import * as l10n from '@vscode/l10n';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { OperationError } from '../../core/errors';
import { listAliases } from '../../core/lambdaApi';
import { targetKey, targetOf } from '../../core/outcome';
import { switchBack as switchBackUseCase } from '../../core/usecases';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { pickAlias, pickFunctionName } from './common';

/**
 * Switch Back: undoes the alias's last switch or promotion, as the deployment journal recorded
 * it (so it survives a reload); refused when the alias has moved on since.
 */
export async function switchBack(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  let functionName: string;
  let aliasName: string;
  if (node instanceof AliasNode) {
    functionName = node.functionName;
    aliasName = node.aliasName;
  } else {
    const fn = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, 'Switch Back');
    functionName = fn;
    // Only the aliases the journal holds a switch of: the others have nothing to switch back to.
    const keyOf = (a: AliasConfiguration) => targetKey(targetOf({ functionName: fn, aliasName: a.Name! }, a, clients.spec.region));
    const aliases = await listAliases(clients.lambda, fn);
    const switchable = await ctx.journal.switchableKeys(aliases.map(keyOf), clients.spec);
    if (switchable.size === 0) {
      throw new OperationError(l10n.t('Nothing to switch back on {0}: the deployment journal holds no switch or promotion of its aliases. Use Switch Alias to pick a version.', fn), {
        state: l10n.t('Nothing was changed.'),
        kind: 'validation',
      });
    }
    aliasName = (await pickAlias(ctx, clients, fn, 'Switch Back', (a) => switchable.has(keyOf(a)), aliases)).Name!;
  }
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'switch',
    manual: l10n.t('Switch back'),
    title: l10n.t('Switching {0}:{1} back', functionName, aliasName),
    run: (uc) => switchBackUseCase(uc, { functionName, aliasName }),
  });
}
