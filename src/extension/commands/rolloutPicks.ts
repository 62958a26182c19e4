import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { getAlias } from '../../core/lambdaApi';
import type { RolloutPlan } from '../../core/rollout/plans';
import { describePlan, formatPlan, parsePlanText, planTextProblem, PRESET_NAMES, presetPlan } from '../../core/rollout/plans';
import type { WorkspaceFunction } from '../../core/workspace';
import { discoverFolders } from '../../core/workspace';
import { iconText, plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import { isActiveView } from '../rolloutText';
import { statusWord, stepText } from '../words';
import { AliasNode, FunctionNode } from '../tree';
import type { PickItem } from '../ui';
import { orDismiss, pickAlias, pickFunctionName } from './common';
import { relativePath } from './workspaceFunction';

/** What the rollout commands take: an alias node, or `{ functionName, aliasName }` (the traffic panel, a notification's button). */
export interface AliasArg {
  functionName: string;
  aliasName: string;
}

export function isAliasArg(v: unknown): v is AliasArg {
  const a = v as { functionName?: unknown; aliasName?: unknown } | undefined;
  return !!a && typeof a === 'object' && typeof a.functionName === 'string' && typeof a.aliasName === 'string';
}

/** The alias a Start Rollout acts on, as just read (an argument's alias is read now). */
export async function rolloutStartTarget(ctx: CommandContext, clients: Clients, node: unknown, title: string): Promise<{ functionName: string; alias: AliasConfiguration }> {
  if (node instanceof AliasNode) return { functionName: node.functionName, alias: node.alias };
  if (isAliasArg(node)) return { functionName: node.functionName, alias: await getAlias(clients.lambda, node.functionName, node.aliasName) };
  const functionName = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, title);
  return { functionName, alias: await pickAlias(ctx, clients, functionName, title) };
}

/**
 * The alias a control acts on: the node's, the argument's, or picked — this window's active
 * rollouts first, then any alias (a rollout the journal knows that is not loaded yet).
 */
export async function rolloutControlTarget(ctx: CommandContext, node: unknown, title: string): Promise<AliasArg> {
  if (node instanceof AliasNode) return { functionName: node.functionName, aliasName: node.aliasName };
  if (isAliasArg(node)) return { functionName: node.functionName, aliasName: node.aliasName };
  await ctx.rollouts.current();
  const active = ctx.rollouts.views().filter(isActiveView);
  const clients = await ctx.connection.current();
  if (active.length === 0 || node instanceof FunctionNode) {
    const functionName = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, title);
    const alias = await pickAlias(ctx, clients, functionName, title);
    return { functionName, aliasName: alias.Name! };
  }
  const other = { label: vscode.l10n.t('Another alias…'), description: vscode.l10n.t('pick a function and alias'), value: undefined };
  const items: Array<PickItem<AliasArg | undefined> | vscode.QuickPickItem> = [
    { label: vscode.l10n.t('rollouts in progress'), kind: vscode.QuickPickItemKind.Separator },
    ...active.map((v) => ({
      label: iconText(`${v.functionName}:${v.aliasName}`),
      description: iconText(`${vscode.l10n.t('version {0}', v.version)} · ${stepText(v)} · ${statusWord(v.status)}`),
      detail: v.status === 'running' ? undefined : iconText(v.statusText),
      value: { functionName: v.functionName, aliasName: v.aliasName },
    })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    other,
  ];
  const picked = orDismiss(await ctx.ui.pick<AliasArg | undefined>('rollout', items, { title, placeHolder: vscode.l10n.t('Which rollout?') })).value;
  if (picked) return picked;
  const functionName = await pickFunctionName(ctx, clients, title);
  const alias = await pickAlias(ctx, clients, functionName, title);
  return { functionName, aliasName: alias.Name! };
}

/**
 * The workspace function that deploys to this alias (its lambda-canary.json or template names
 * the function, and the alias or none), if any. Quiet: a broken workspace file is Publish
 * Canary's to report; here it only means the workspace code is not offered.
 */
export function workspaceFunctionFor(functionName: string, aliasName: string): WorkspaceFunction | undefined {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (roots.length === 0) return undefined;
  try {
    return discoverFolders(roots).functions.find((f) => f.functionName === functionName && (f.alias === undefined || f.alias === aliasName));
  } catch {
    return undefined;
  }
}

export const TYPE_A_PLAN = vscode.l10n.t('Type a plan…');
export const WORKSPACE_PLAN = vscode.l10n.t('lambda-canary.json plan');

/**
 * The plan: the workspace function's lambda-canary.json plan first, then the presets (each with
 * its steps in words), then "Type a plan…" (validated as typed, the problem saying its column).
 */
export async function pickPlan(ctx: CommandContext, title: string, ws?: Pick<WorkspaceFunction, 'rollout' | 'file'>, sandbox = false, options: { workspaceFirst?: boolean; id?: string } = {}): Promise<RolloutPlan> {
  const items: Array<PickItem<RolloutPlan | 'type'> | vscode.QuickPickItem> = [];
  if (options.workspaceFirst && ws?.rollout) {
    items.push({ label: WORKSPACE_PLAN, description: iconText(`${formatPlan(ws.rollout)} · ${relativePath(ws.file)}`), detail: iconText(describePlan(ws.rollout)), value: ws.rollout });
    ws = undefined;
  }
  if (sandbox) {
    // The presets bake for minutes; on the local sandbox (its demo traffic) half a minute shows the same thing.
    const quick = parsePlanText(SANDBOX_QUICK_PLAN);
    items.push({ label: vscode.l10n.t('Quick (sandbox)'), description: SANDBOX_QUICK_PLAN, detail: describePlan(quick), value: quick });
  }
  if (ws?.rollout) {
    items.push({ label: WORKSPACE_PLAN, description: iconText(`${formatPlan(ws.rollout)} · ${relativePath(ws.file)}`), detail: iconText(describePlan(ws.rollout)), value: ws.rollout });
    items.push({ label: vscode.l10n.t('presets'), kind: vscode.QuickPickItemKind.Separator });
  }
  for (const name of PRESET_NAMES) {
    const plan = presetPlan(name)!;
    // The preset's name is what lambda-canary.json and the CLI take: not translated.
    items.push({ label: name, detail: describePlan(plan), value: plan });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: TYPE_A_PLAN, description: vscode.l10n.t('e.g. {0}', '10%@5m, 50%@10m manual, 100%'), value: 'type' });
  const picked = orDismiss(await ctx.ui.pick<RolloutPlan | 'type'>(options.id ?? 'rolloutPlan', items, { title, placeHolder: vscode.l10n.t('Rollout plan: the weights and how long each is judged') }));
  if (picked.value !== 'type') return picked.value;
  const typed = orDismiss(
    await ctx.ui.input('rolloutPlanText', {
      title,
      prompt: vscode.l10n.t("Steps as WEIGHT%@BAKE, comma-separated; 'manual' waits for Next step; 'hold' ends without promotion; or a preset's name"),
      // eslint-disable-next-line lambda-canary/localised -- the plan syntax (its keywords are the syntax's)
      placeHolder: '10%@5m, 50%@10m manual, 100%',
      validateInput: (v) => planTextProblem(v),
    }),
  );
  return parsePlanText(typed);
}

/** Offered first when the connection is the local sandbox. */
export const SANDBOX_QUICK_PLAN = '50%@1m, 100%';

/** A plan's name as the confirmation says it: the preset's, or the typed form. */
export function planName(plan: RolloutPlan): string {
  return plainText(plan.name ?? formatPlan(plan), 120);
}
