import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { OperationError } from '../../core/errors';
import { listAliases, listVersions } from '../../core/lambdaApi';
import { aliasLabel } from '../../core/routing';
import { createAlias } from '../../core/usecases';
import type { WorkspaceFunction } from '../../core/workspace';
import { aliasNameProblem } from '../../core/workspace';
import { iconText, plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import type { PickItem } from '../ui';
import { Dismissed, orDismiss } from './common';

/** The label of the picker's last item, which creates an alias instead of picking one. */
export const CREATE_ALIAS = 'Create alias…';

/** Where the alias last chosen for this workspace function and deployed function is kept. */
function memoryKey(ws: WorkspaceFunction, functionName: string): string {
  return `lambdaCanary.deployAlias:${ws.file}#${ws.logicalId ?? ''}#${functionName}`;
}

type Choice = { alias: string } | { create: true };

/**
 * The alias a deploy of `ws` to `functionName` targets when the workspace declares none (or the
 * user deploys from a function node): the function's aliases, the one last chosen for this
 * workspace function first, then "Create alias…" (the only way on when it has none). The choice
 * is remembered in the workspace's state.
 */
export async function pickDeployAlias(ctx: CommandContext, clients: Clients, ws: WorkspaceFunction, functionName: string, title: string): Promise<string> {
  const key = memoryKey(ws, functionName);
  const last = ctx.extension.workspaceState.get<string>(key);
  const aliases = await listAliases(clients.lambda, functionName);
  let name: string;
  if (aliases.length === 0) {
    name = await createDeployAlias(ctx, clients, functionName, title, [], `${functionName} has no alias yet: create one for canaries`);
  } else {
    const ordered = [...aliases.filter((a) => a.Name === last), ...aliases.filter((a) => a.Name !== last)];
    const items: Array<PickItem<Choice> | vscode.QuickPickItem> = ordered.map((a: AliasConfiguration) => ({
      label: iconText(a.Name),
      description: iconText([aliasLabel(a).slice(a.Name!.length + 1), a.Name === last ? 'last used' : undefined].filter(Boolean).join(' · ')),
      detail: iconText(a.Description) || undefined,
      value: { alias: a.Name! },
    }));
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: CREATE_ALIAS, description: 'a new alias on a published version', value: { create: true } });
    const picked = orDismiss(await ctx.ui.pick<Choice>('alias', items, { title, placeHolder: 'Alias' })).value;
    name = 'alias' in picked ? picked.alias : await createDeployAlias(ctx, clients, functionName, title, aliases.map((a) => a.Name!));
  }
  await ctx.extension.workspaceState.update(key, name);
  return name;
}

/** Create alias…: a name (Lambda's rules, not one the function has), then a published version, newest first. */
async function createDeployAlias(ctx: CommandContext, clients: Clients, functionName: string, title: string, taken: string[], prompt?: string): Promise<string> {
  const versions = (await listVersions(clients.lambda, functionName)).filter((v) => v.Version !== '$LATEST');
  if (versions.length === 0) {
    throw new OperationError(
      `${functionName} has no published version, and an alias points to one: publish a version first (aws lambda publish-version --function-name ${functionName}, or sam deploy with AutoPublishAlias), then deploy again.`,
      { state: 'Nothing was changed.', kind: 'validation' },
    );
  }
  const name = orDismiss(
    await ctx.ui.input('aliasName', {
      title,
      prompt: plainText(prompt ? `${prompt}: its name` : `New alias of ${functionName}: its name`),
      placeHolder: 'e.g. prod',
      validateInput: (v) => aliasNameProblem(v) ?? (taken.includes(v) ? `${functionName} already has an alias ${v}: pick it from the list instead.` : undefined),
    }),
  );
  const newestFirst = [...versions].sort((a, b) => Number(b.Version) - Number(a.Version));
  const version = orDismiss(
    await ctx.ui.pick<string>(
      'aliasVersion',
      newestFirst.map((v: FunctionConfiguration) => ({
        label: iconText(v.Version),
        description: iconText([plainText(v.Description, 120), v.LastModified?.slice(0, 16).replace('T', ' ')].filter(Boolean).join(' · ')),
        value: v.Version!,
      })),
      { title, placeHolder: `Version ${name} points to (all of its traffic until a canary)` },
    ),
  ).value;
  const result = await ctx.aliases.run({
    functionName,
    aliasName: name,
    action: 'create',
    title: `Creating ${functionName}:${name}`,
    run: (uc) => createAlias(uc, { functionName, aliasName: name, version }),
  });
  // A failure was shown by the notification (with its reason): the deploy does not go on.
  if (result.status !== 'ran' || result.outcome.state !== 'done') throw new Dismissed();
  ctx.tree.refresh();
  return name;
}
