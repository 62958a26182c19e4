import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { getAlias, listAliases, listVersions } from '../../core/lambdaApi';
import type { RolloutPlan } from '../../core/rollout/plans';
import { describePlan } from '../../core/rollout/plans';
import { splitOf } from '../../core/routing';
import { ROLLOUT_ENDS } from '../../shared/rollout';
import { iconText, plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { formatDateTime, formatPercent } from '../locale';
import { AliasNode, FunctionNode } from '../tree';
import type { PickItem } from '../ui';
import { loadCodeDeployCommands } from '../codeDeployCommandsModule';
import { Dismissed, orDismiss, pickAlias, resolveVersion } from './common';
import { confirmStartRollout } from './confirmations';
import { passPreflight } from './preflight';
import { publishWorkspaceCode } from './publishCanary';
import { pickPlan, planName, rolloutStartTarget, workspaceFunctionFor } from './rolloutPicks';
import { explainUntrusted, relativePath } from './workspaceFunction';

export const WORKSPACE_CODE = vscode.l10n.t('The workspace code (publish now)');

type Source = { kind: 'workspace' } | { kind: 'version'; version: string; servedBy: string[] };

/**
 * Start Rollout… (alias node, palette, or `{ functionName, aliasName }`): what to roll out — the
 * workspace code, published now, when a workspace function deploys to this alias, or a published
 * version other than the one the alias serves — then the plan, a confirmation, and the runner.
 */
export async function startRollout(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const { functionName, alias } = await rolloutStartTarget(ctx, clients, node, 'Start Rollout');
  const aliasName = alias.Name!;
  // Refused before anything is asked or built: a rollout in progress (here or another driver's).
  const problem = (await ctx.rollouts.current()).startProblem(alias, { functionName, aliasName });
  if (problem) throw problem;
  refuseDuringCodeDeploy(ctx, functionName, aliasName);
  const ws = workspaceFunctionFor(functionName, aliasName);
  const title = vscode.l10n.t('Start Rollout on {0}:{1}', functionName, aliasName);
  const [versions, aliases] = await Promise.all([listVersions(clients.lambda, functionName), listAliases(clients.lambda, functionName)]);
  const split = splitOf(alias);
  const servedBy = (v: string) => aliases.filter((a) => a.Name !== aliasName && splitOf(a).primary.version === v).map((a) => a.Name!);
  const items: Array<PickItem<Source>> = [];
  if (ws) items.push({ label: WORKSPACE_CODE, description: iconText(relativePath(ws.file)), detail: vscode.l10n.t('Package and publish it as a new version, then roll that out here (CodeDeploy rolls out a published version: publish first, then pick that version)'), value: { kind: 'workspace' } });
  // Newest first.
  for (const v of [...versions].sort((a, b) => Number(b.Version) - Number(a.Version))) {
    const version = v.Version!;
    if (version === '$LATEST' || version === split.primary.version) continue;
    const by = servedBy(version);
    const runs = by.length === 0 ? '' : by.length === 1 ? vscode.l10n.t('what {0} runs', by[0]) : vscode.l10n.t('what {0} run', by.join(', '));
    const notes = [runs, split.canary?.version === version ? vscode.l10n.t('the canary now ({0})', formatPercent(split.canary.weight)) : '', plainText(v.Description, 80), formatDateTime(v.LastModified)];
    items.push({ label: iconText(version), description: iconText(notes.filter(Boolean).join(' · ')), value: { kind: 'version', version, servedBy: by } });
  }
  if (items.length === 0) {
    throw new OperationError(vscode.l10n.t('{0} has no published version besides {1} (what {2} serves) to roll out: publish one first (Publish Canary), or open the folder holding its code.', functionName, split.primary.version, aliasName), {
      state: vscode.l10n.t('Nothing was changed.'),
      kind: 'validation',
    });
  }
  const source = orDismiss(await ctx.ui.pick<Source>('rolloutSource', items, { title, placeHolder: vscode.l10n.t('Roll out what on {0} (serving version {1})?', aliasName, split.primary.version) })).value;
  if (source.kind === 'workspace') {
    // Packaging and publishing run the workspace's build: only in a trusted workspace.
    if (!vscode.workspace.isTrusted) {
      const message = vscode.l10n.t('Rolling out the workspace code publishes it as a new version, which needs a trusted workspace: trust this folder, or roll out a version that is published already.');
      ctx.log.warn(message);
      await explainUntrusted(ctx, message);
      throw new Dismissed();
    }
    const plan = await pickPlan(ctx, title, ws, clients.capabilities.sandbox);
    return rollOutWorkspaceCode(ctx, functionName, alias, node instanceof AliasNode ? node : undefined, plan);
  }
  const plan = await pickPlan(ctx, title, ws, clients.capabilities.sandbox);
  const what = source.servedBy.length === 0 ? vscode.l10n.t('version {0}', source.version) : source.servedBy.length === 1 ? vscode.l10n.t('version {0} (what {1} runs)', source.version, source.servedBy[0]) : vscode.l10n.t('version {0} (what {1} run)', source.version, source.servedBy.join(', '));
  await startVersionWhere(ctx, { functionName, alias, version: source.version, plan, what, ws, title });
}

/** A CodeDeploy deployment this window watches is shifting the alias: no second rollout beside it. */
function refuseDuringCodeDeploy(ctx: CommandContext, functionName: string, aliasName: string): void {
  const cd = ctx.rollouts.codeDeploy.view(functionName, aliasName);
  if (cd && !ROLLOUT_ENDS.has(cd.status)) {
    throw new OperationError(
      vscode.l10n.t('{0}:{1} is being deployed by CodeDeploy deployment {2} ({3}): stop it (Stop CodeDeploy Rollout…) or wait for it to end.', functionName, aliasName, cd.codeDeploy?.deploymentId ?? '?', cd.codeDeploy?.deploymentStatus ?? cd.status),
      { kind: 'conflict', state: vscode.l10n.t('Nothing was changed.') },
    );
  }
}

/** After the plan: here (the local runner) or on CodeDeploy (which may send it back here). */
async function startVersionWhere(
  ctx: CommandContext,
  input: { functionName: string; alias: AliasConfiguration; version: string; plan: RolloutPlan; what: string; ws: ReturnType<typeof workspaceFunctionFor>; title: string },
): Promise<void> {
  const { pickEngine, startOnCodeDeploy } = await loadCodeDeployCommands();
  const engine = await pickEngine(ctx, input.title);
  if (engine === 'codedeploy' && (await startOnCodeDeploy(ctx, input)) !== 'local') return;
  await startVersion(ctx, input.functionName, input.alias, input.version, input.plan, input.what);
}

/** Roll Out This Version on… (version node): which alias, the plan, a confirmation, the runner. */
export async function rollOutVersionOn(ctx: CommandContext, node?: unknown): Promise<void> {
  // The version right-clicked, or (from the palette) a function and one of its published versions.
  const { functionName, version } = await resolveVersion(ctx, node, vscode.l10n.t('Roll Out This Version on…'));
  const clients = await ctx.connection.current();
  const aliases = (await listAliases(clients.lambda, functionName)).filter((a) => splitOf(a).primary.version !== version);
  if (aliases.length === 0) {
    throw new OperationError(vscode.l10n.t('{0} has no alias that serves another version than {1}: create one (e.g. prod) first.', functionName, version), { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' });
  }
  const alias = await pickAlias(ctx, clients, functionName, vscode.l10n.t('Roll out version {0} on which alias of {1}?', version, functionName), undefined, aliases);
  refuseDuringCodeDeploy(ctx, functionName, alias.Name!);
  const title = vscode.l10n.t('Roll out version {0} on {1}:{2}', version, functionName, alias.Name!);
  const ws = workspaceFunctionFor(functionName, alias.Name!);
  const plan = await pickPlan(ctx, title, ws, clients.capabilities.sandbox);
  await startVersionWhere(ctx, { functionName, alias, version, plan, what: `version ${version}`, ws, title });
}

async function startVersion(ctx: CommandContext, functionName: string, alias: AliasConfiguration, version: string, plan: RolloutPlan, what: string): Promise<void> {
  const aliasName = alias.Name!;
  // As the alias is now (the tree may have listed it before someone's canary): a canary in flight is
  // taken over only as the plan's first step, said before the confirmation.
  const now = await getAlias((await ctx.connection.current()).lambda, functionName, aliasName);
  const problem = (await ctx.rollouts.current()).startProblem(now, { functionName, aliasName, version, firstWeight: plan.steps[0].weight });
  if (problem) throw problem;
  const result = await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    manual: vscode.l10n.t('Start a rollout here'),
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, 'Start Rollout', signal),
    confirm: () => confirmStartRollout(functionName, alias, what, planName(plan), describePlan(plan), plan.steps[0].weight),
    title: vscode.l10n.t('Starting a rollout of version {0} on {1}:{2}', version, functionName, aliasName),
    // The canary already in place at the first step's weight is taken over as step 1.
    run: () => ctx.rollouts.start({ functionName, aliasName, version, plan, expectedRevisionId: alias.RevisionId }),
  });
  if (result.status === 'ran' && result.outcome.state === 'done' && readSettings().panel.openAfterPublish) ctx.panels.open(functionName, aliasName);
}

/**
 * The workspace code: published by Publish Canary's own path at the first step's weight (the
 * rollout's confirmation asked in place of the weight), then taken over by the runner as step 1.
 */
async function rollOutWorkspaceCode(ctx: CommandContext, functionName: string, alias: AliasConfiguration, node: AliasNode | undefined, plan: RolloutPlan): Promise<void> {
  const aliasName = alias.Name!;
  const first = plan.steps[0].weight;
  if (first >= 100) {
    throw new OperationError(vscode.l10n.t('{0} sends all traffic at once, so there is no canary step to publish the workspace code at: use Publish Canary and Promote, or choose a plan whose first step is below 100%.', planName(plan)), {
      state: vscode.l10n.t('Nothing was changed.'),
      kind: 'validation',
    });
  }
  const target = node ?? new AliasNode(new FunctionNode({ FunctionName: functionName }), alias);
  const deployed = await publishWorkspaceCode(ctx, target, {
    weightPercent: first,
    ask: async () => {
      const q = confirmStartRollout(functionName, alias, vscode.l10n.t('the workspace code (published now as a new version)'), planName(plan), describePlan(plan), first);
      if (!(await ctx.ui.confirm(q.id, q.message, q.detail, q.action))) throw new Dismissed();
    },
    imageRefusal: vscode.l10n.t('{0} is deployed from a container image: push the image and publish it with Publish Canary, then roll out that version (Start Rollout → the version).', functionName),
  });
  if (!deployed || deployed.state !== 'done') return;
  const version = deployed.versionsPublished[0]?.version ?? (deployed.after ? Object.keys(deployed.after.weights)[0] : undefined);
  if (!version) {
    throw new OperationError(vscode.l10n.t('The deploy to {0}:{1} routed no new version, so there is nothing to roll out.', functionName, aliasName), { kind: 'validation' });
  }
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'apply',
    title: vscode.l10n.t('Starting a rollout of version {0} on {1}:{2}', version, functionName, aliasName),
    run: () => ctx.rollouts.start({ functionName, aliasName, version, plan, ...(deployed.after?.revisionId ? { expectedRevisionId: deployed.after.revisionId } : {}) }),
  });
}
