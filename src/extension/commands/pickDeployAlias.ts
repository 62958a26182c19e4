import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { accountRegionOf, deployAliasMemoryKey, newAliasVersions } from '../../core/deployAlias';
import { OperationError } from '../../core/errors';
import { listAliases } from '../../core/lambdaApi';

import { createAlias } from '../../core/usecases';
import type { WorkspaceFunction } from '../../core/workspace';
import { aliasNameProblem } from '../../core/workspace';
import { iconText, plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import { aliasLabel, formatDateTime } from '../locale';
import type { PickItem } from '../ui';
import { Dismissed, orDismiss } from './common';

/** The label of the picker's last item, which creates an alias instead of picking one. */
export const CREATE_ALIAS = 'Create alias…';

type Choice = { alias: string } | { create: true };

/** The alias picked, and how to remember it once the deploy to it is done. */
export interface DeployAliasChoice {
  name: string;
  remember(): Thenable<void>;
}

/** The account and region the function lives in (from its or an alias's ARN), else the connection's own. */
function accountRegion(clients: Clients, arn: string | undefined): string {
  const spec = clients.spec;
  return accountRegionOf(arn) ?? (spec.kind === 'sandbox' ? `sandbox ${spec.endpoint}/${spec.region}` : `${spec.profile ?? 'default'}${spec.endpointUrl ? ` @ ${spec.endpointUrl}` : ''}/${spec.region}`);
}

/**
 * The alias a deploy of `ws` to `functionName` targets when the workspace declares none (or the
 * user deploys from a function node): the function's aliases, the one last deployed to from this
 * workspace function (in this account and region) first, then "Create alias…" (the only way on
 * when it has none). The caller remembers the choice once the deploy is done.
 */
export async function pickDeployAlias(ctx: CommandContext, clients: Clients, ws: WorkspaceFunction, functionName: string, title: string): Promise<DeployAliasChoice> {
  const aliases = await listAliases(clients.lambda, functionName);
  let key = deployAliasMemoryKey(ws, functionName, accountRegion(clients, aliases[0]?.AliasArn));
  const last = aliases.length ? ctx.extension.workspaceState.get<string>(key) : undefined;
  let name: string;
  if (aliases.length === 0) {
    const created = await createDeployAlias(ctx, clients, functionName, title, [], vscode.l10n.t('{0} has no alias yet: create one for canaries', functionName));
    name = created.name;
    key = deployAliasMemoryKey(ws, functionName, accountRegion(clients, created.functionArn));
  } else {
    const ordered = [...aliases.filter((a) => a.Name === last), ...aliases.filter((a) => a.Name !== last)];
    const items: Array<PickItem<Choice> | vscode.QuickPickItem> = ordered.map((a: AliasConfiguration) => ({
      label: iconText(a.Name),
      description: iconText([aliasLabel(a).slice(a.Name!.length + 1), a.Name === last ? 'last used' : undefined].filter(Boolean).join(' · ')),
      detail: iconText(a.Description) || undefined,
      value: { alias: a.Name! },
    }));
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: CREATE_ALIAS, description: vscode.l10n.t('a new alias on a published version'), value: { create: true } });
    const picked = orDismiss(await ctx.ui.pick<Choice>('alias', items, { title, placeHolder: vscode.l10n.t('Alias') })).value;
    name = 'alias' in picked ? picked.alias : (await createDeployAlias(ctx, clients, functionName, title, aliases.map((a) => a.Name!))).name;
  }
  return { name, remember: () => ctx.extension.workspaceState.update(key, name) };
}

/**
 * Create alias…: a name (Lambda's rules, not one the function has), then an Active published
 * version, those other aliases serve first (each saying which), never the newest for being newest.
 */
async function createDeployAlias(ctx: CommandContext, clients: Clients, functionName: string, title: string, taken: string[], prompt?: string): Promise<{ name: string; functionArn?: string }> {
  const { choices, published, functionArn } = await newAliasVersions(clients.lambda, functionName);
  if (published === 0) {
    throw new OperationError(
      vscode.l10n.t('{0} has no published version, and an alias points to one: publish a version first (aws lambda publish-version --function-name {1}, or sam deploy with AutoPublishAlias), then deploy again.', functionName, functionName),
      { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' },
    );
  }
  if (choices.length === 0) {
    throw new OperationError(vscode.l10n.t('None of the newest published versions of {0} is Active (ready to run): wait for them to be, or publish one that is, then deploy again.', functionName), {
      state: vscode.l10n.t('Nothing was changed.'),
      kind: 'validation',
    });
  }
  const name = orDismiss(
    await ctx.ui.input('aliasName', {
      title,
      prompt: plainText(prompt ? vscode.l10n.t('{0}: its name', prompt) : vscode.l10n.t('New alias of {0}: its name', functionName)),
      placeHolder: vscode.l10n.t('e.g. prod'),
      validateInput: (v) => aliasNameProblem(v) ?? (taken.includes(v) ? vscode.l10n.t('{0} already has an alias {1}: pick it from the list instead.', functionName, v) : undefined),
    }),
  );
  const version = orDismiss(
    await ctx.ui.pick<string>(
      'aliasVersion',
      choices.map((v) => ({
        label: iconText(v.version),
        description: iconText([v.servedBy.length ? vscode.l10n.t('serves {0}', v.servedBy.join(', ')) : vscode.l10n.t('serves no alias'), plainText(v.description, 120), formatDateTime(v.lastModified)].filter(Boolean).join(' · ')),
        value: v.version,
      })),
      { title, placeHolder: vscode.l10n.t('Version {0} points to: all of its traffic until a canary (a version you trust; Active versions only)', name) },
    ),
  ).value;
  const result = await ctx.aliases.run({
    functionName,
    aliasName: name,
    action: 'create',
    title: vscode.l10n.t('Creating {0}:{1}', functionName, name),
    run: (uc) => createAlias(uc, { functionName, aliasName: name, version }),
  });
  // A failure was shown by the notification (with its reason): the deploy does not go on.
  if (result.status !== 'ran' || result.outcome.state !== 'done') throw new Dismissed();
  ctx.tree.refresh();
  return { name, functionArn };
}
