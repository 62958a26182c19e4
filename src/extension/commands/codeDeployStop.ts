import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { ROLLOUT_ENDS } from '../../shared/rollout';
import { stepText } from '../words';
import type { RolloutView } from '../../shared/rollout';
import { iconText, plainText } from '../../shared/text';
import { isCodeDeployView } from '../codeDeployText';
import type { CommandContext } from '../context';
import { AliasNode } from '../tree';
import type { PickItem } from '../ui';
import { orDismiss, pickAlias, pickFunctionName } from './common';
import { isAliasArg } from './rolloutPicks';

export const STOP_ROLL_BACK = vscode.l10n.t('Stop and Roll Back');
export const STOP_KEEP = vscode.l10n.t('Stop (Keep Traffic)');

/**
 * Stop CodeDeploy Rollout… (alias menu, palette, the traffic panel's two buttons with
 * `{ functionName, aliasName, rollback }`, a notice's button): StopDeployment of the deployment
 * in flight on the alias, with rollback (the alias back on the version it served) or without
 * (the traffic left as it is). Asked first; a deployment this window did not start (SAM's) is
 * found through CodeDeploy.
 */
export async function stopCodeDeployRollout(ctx: CommandContext, node?: unknown): Promise<void> {
  const title = vscode.l10n.t('Stop CodeDeploy Rollout');
  const { functionName, aliasName } = await stopTarget(ctx, node, title);
  const asked = isAliasArg(node) && typeof (node as { rollback?: unknown }).rollback === 'boolean' ? (node as unknown as { rollback: boolean }).rollback : undefined;
  const clients = await ctx.connection.current();
  await ctx.rollouts.codeDeploy.current();
  const known = ctx.rollouts.codeDeploy.view(functionName, aliasName);
  let deploymentId = known && !ROLLOUT_ENDS.has(known.status) ? known.codeDeploy?.deploymentId : undefined;
  let status = known?.codeDeploy?.deploymentStatus;
  if (!deploymentId) {
    const engine = await ctx.rollouts.codeDeploy.engine();
    const uc = await ctx.rollouts.codeDeploy.context(clients, ctx.aliases.useCaseContext(clients));
    const running = await engine.running(uc, { functionName, aliasName });
    deploymentId = running?.deploymentId;
    status = running?.status;
  }
  if (!deploymentId) {
    throw new OperationError(vscode.l10n.t('No CodeDeploy deployment is in flight on {0}:{1}.', functionName, aliasName), { kind: 'validation', state: vscode.l10n.t('Nothing was changed.') });
  }
  const where = `${plainText(functionName)}:${plainText(aliasName)}`;
  const stable = known?.stable;
  const shifting = known
    ? vscode.l10n.t('CodeDeploy deployment {0} ({1}) is shifting {2} from version {3} to {4}, {5}.', plainText(deploymentId), plainText(status ?? '?'), where, plainText(known.stable), plainText(known.version), stepText(known))
    : vscode.l10n.t('CodeDeploy deployment {0} ({1}) is shifting {2}.', plainText(deploymentId), plainText(status ?? '?'), where);
  const back = stable
    ? vscode.l10n.t('{0}: CodeDeploy puts {1} back on version {2} (a rollback deployment).', STOP_ROLL_BACK, plainText(aliasName), plainText(stable))
    : vscode.l10n.t('{0}: CodeDeploy puts {1} back on the version it served (a rollback deployment).', STOP_ROLL_BACK, plainText(aliasName));
  const detail = `${shifting} ${back} ${vscode.l10n.t('{0}: the weights stay as they are now; promote or roll back the split afterwards.', STOP_KEEP)}`;
  let rollback: boolean;
  if (asked !== undefined) {
    const action = asked ? STOP_ROLL_BACK : STOP_KEEP;
    if (!(await ctx.ui.confirm('confirmStopCodeDeploy', vscode.l10n.t('{0}: CodeDeploy deployment {1} on {2}?', action, plainText(deploymentId), plainText(aliasName)), detail, action))) return;
    rollback = asked;
  } else {
    const answer = await ctx.ui.choose('stopCodeDeploy', vscode.l10n.t('Stop CodeDeploy deployment {0} on {1}?', plainText(deploymentId), plainText(aliasName)), detail, [STOP_ROLL_BACK, STOP_KEEP]);
    if (answer === undefined) return;
    rollback = answer === STOP_ROLL_BACK;
  }
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'rollback',
    title: rollback ? vscode.l10n.t('Stopping CodeDeploy deployment {0} on {1} (rolling back)', deploymentId, `${functionName}:${aliasName}`) : vscode.l10n.t('Stopping CodeDeploy deployment {0} on {1}', deploymentId, `${functionName}:${aliasName}`),
    run: (uc) => ctx.rollouts.codeDeploy.stop(uc, { functionName, aliasName, deploymentId: deploymentId!, rollback }),
  });
}

async function stopTarget(ctx: CommandContext, node: unknown, title: string): Promise<{ functionName: string; aliasName: string }> {
  if (node instanceof AliasNode) return { functionName: node.functionName, aliasName: node.aliasName };
  if (isAliasArg(node)) return { functionName: node.functionName, aliasName: node.aliasName };
  await ctx.rollouts.codeDeploy.current().catch(() => undefined);
  const active = ctx.rollouts.codeDeploy.views().filter((v) => isCodeDeployView(v) && !ROLLOUT_ENDS.has(v.status));
  const clients = await ctx.connection.current();
  if (active.length > 0) {
    const items: Array<PickItem<RolloutView | undefined> | vscode.QuickPickItem> = [
      ...active.map((v) => ({ label: iconText(`${v.functionName}:${v.aliasName}`), description: iconText(vscode.l10n.t('{0} · version {1} · {2}', v.codeDeploy?.deploymentId ?? '', v.version, stepText(v))), value: v })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: vscode.l10n.t('Another alias…'), description: vscode.l10n.t('a deployment started elsewhere (e.g. by sam deploy)'), value: undefined },
    ];
    const picked = orDismiss(await ctx.ui.pick<RolloutView | undefined>('codeDeployRollout', items, { title, placeHolder: vscode.l10n.t('Which CodeDeploy rollout?') })).value;
    if (picked) return { functionName: picked.functionName, aliasName: picked.aliasName };
  }
  const functionName = await pickFunctionName(ctx, clients, title);
  const alias = await pickAlias(ctx, clients, functionName, title);
  return { functionName, aliasName: alias.Name! };
}
