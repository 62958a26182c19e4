import * as l10n from '@vscode/l10n';
import { switchAlias as switchAliasUseCase } from '../../core/usecases';
import { splitOf } from '../../core/routing';
import type { CommandContext } from '../context';
import { pickVersion, resolveAlias } from './common';

/** Switch Alias… (blue/green): function → alias → version; the journal records it for Switch Back. */
export async function switchAlias(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const target = await resolveAlias(ctx, clients, node, 'Switch Alias');
  const current = splitOf(target.alias).primary.version;
  const version = await pickVersion(ctx, clients, target.functionName, `Switch ${target.functionName}:${target.aliasName} (now ${current}) to version…`, [current]);
  await ctx.aliases.run({
    functionName: target.functionName,
    aliasName: target.aliasName,
    action: 'switch',
    manual: l10n.t('Switch the alias'),
    title: l10n.t('Switching {0}:{1} to {2}', target.functionName, target.aliasName, version),
    run: (uc) => switchAliasUseCase(uc, { functionName: target.functionName, aliasName: target.aliasName, expectedRevisionId: target.alias.RevisionId, version }),
  });
}
