import type { CodeDeployDetail, CodeDeployManagement } from '../core/codedeploy/types';
import type { Outcome } from '../core/outcome';
import { formatPercent } from '../core/routing';
import type { CodeDeployLifecycleView, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS, stepLabel } from '../shared/rollout';
import { md, plainText } from '../shared/text';

/**
 * What the editor says of a rollout handed to AWS CodeDeploy and of an alias CodeDeploy manages,
 * as plain strings (no vscode types: tested in plain Node). Every name and message from AWS is
 * text: plain in labels, escaped in Markdown.
 */

/** A view CodeDeploy steps (the watcher's), as opposed to the local runner's. */
export function isCodeDeployView(v: RolloutView | undefined): v is RolloutView & { engine: 'codedeploy' } {
  return !!v && v.engine === 'codedeploy';
}

/** `CodeDeploy step 2/3` plus CodeDeploy's status when it is not simply shifting (`· Stopped`). */
export function codeDeploySuffix(v: RolloutView): string {
  const status = v.codeDeploy?.deploymentStatus;
  const shown = status && status !== 'InProgress' ? ` · ${plainText(status, 20)}` : '';
  return `CodeDeploy ${stepLabel(v)}${shown}`;
}

/** What the tree's description says beside the label of an alias CodeDeploy is deploying. */
export function codeDeployDescription(v: RolloutView): string {
  const id = v.codeDeploy?.deploymentId;
  return plainText(`deploying through CodeDeploy${id ? ` (${id})` : ''}`);
}

/** The lifecycle event as one line: `BeforeAllowTraffic (deploy-check): Succeeded`. */
export function lifecycleLine(e: CodeDeployLifecycleView): string {
  return `${plainText(e.name, 40)}${e.hookFunction ? ` (${plainText(e.hookFunction, 140)})` : ''}: ${plainText(e.status, 20)}${e.message ? ` — ${plainText(e.message, 200)}` : ''}`;
}

/** Tooltip lines (Markdown, every AWS value escaped) of a CodeDeploy rollout. */
export function codeDeployTooltipLines(v: RolloutView): string[] {
  const c = v.codeDeploy;
  const lines = [md`**CodeDeploy deployment ${c?.deploymentId ?? '?'}** (${c?.deploymentStatus ?? v.status}): version ${v.version} replacing ${v.stable}, ${stepLabel(v)}`];
  if (c) {
    lines.push(md`Config ${c.config} · application ${c.application} · group ${c.deploymentGroup}`);
    if (c.targetVersionWeight !== undefined) lines.push(md`Version ${v.version} gets ${formatPercent(c.targetVersionWeight / 100)} now.`);
    for (const e of c.lifecycle) lines.push(md`${lifecycleLine(e)}`);
    if (c.error) lines.push(md`Error: ${c.error}`);
    if (c.rollback) lines.push(md`Rollback${c.rollback.deploymentId ? ` ${c.rollback.deploymentId}` : ''}${c.rollback.message ? `: ${c.rollback.message}` : ''}`);
  }
  if (v.statusText) lines.push(md`${v.statusText}`);
  lines.push(md`AWS steps it: it goes on with the editor closed. Stop it from the alias menu or the traffic panel.`);
  return lines;
}

/** Why an alias counts as managed by CodeDeploy, for the tree's description (short). */
export function managedShort(m: CodeDeployManagement): string {
  return m.by === 'template' ? plainText(`managed by CodeDeploy (SAM ${m.preference})`, 120) : plainText(`managed by CodeDeploy (${m.deploymentGroup})`, 120);
}

/** The same in a tooltip line (Markdown). */
export function managedTooltip(m: CodeDeployManagement): string {
  return m.by === 'template'
    ? md`Managed by CodeDeploy: ${m.logicalId} in ${m.file} has AutoPublishAlias and DeploymentPreference ${m.preference}; each sam deploy shifts this alias through CodeDeploy.`
    : md`Managed by CodeDeploy: deployment group ${m.deploymentGroup} (application ${m.application}) last deployed it (${m.lastDeploymentId}).`;
}

export interface ManagedConfirmation {
  id: 'confirmManaged';
  message: string;
  detail: string;
  action: string;
}

/**
 * Before a manual write (Set Weight, Promote, Roll Back, Switch, Publish or Start Canary, a local
 * rollout) on an alias CodeDeploy manages: by what, and what the next deployment does to it.
 */
export function confirmManagedWrite(functionName: string, aliasName: string, m: CodeDeployManagement, what: string): ManagedConfirmation {
  const name = `${plainText(functionName)}:${plainText(aliasName)}`;
  const by =
    m.by === 'template'
      ? `${plainText(m.logicalId)} in ${plainText(m.file)} has AutoPublishAlias and DeploymentPreference (${plainText(m.preference)}): the next \`sam deploy\` publishes a new version and CodeDeploy shifts ${plainText(aliasName)} from the version it serves then to that one, whatever you set here.`
      : `CodeDeploy deployment group ${plainText(m.deploymentGroup)} (application ${plainText(m.application)}) last deployed it (${plainText(m.lastDeploymentId)}): its next deployment (e.g. the next \`sam deploy\`) starts from the version ${plainText(aliasName)} serves then, and a rollback of it returns there.`;
  return {
    id: 'confirmManaged',
    message: `${name} is managed by CodeDeploy. ${plainText(what)} anyway?`,
    detail: `${by} A change made here is not in the template or the deployment group's history.`,
    action: 'Go On',
  };
}

/** Notice buttons of a CodeDeploy rollout's end or of one that needs a look. */
export function codeDeployNoticeButtons(v: RolloutView): string[] {
  return ROLLOUT_ENDS.has(v.status) ? ['Open Traffic Panel'] : ['Stop…', 'Open Traffic Panel'];
}

/** One sentence for the end of a CodeDeploy rollout (the notice). */
export function codeDeployEndText(v: RolloutView): string {
  const c = v.codeDeploy;
  const id = c?.deploymentId ?? '?';
  const where = `${plainText(v.functionName)}:${plainText(v.aliasName)}`;
  switch (v.status) {
    case 'promoted':
      return `${where}: CodeDeploy deployment ${id} succeeded: version ${plainText(v.version)} gets all the traffic.`;
    case 'rolled-back':
      return `${where}: CodeDeploy deployment ${id} ${c?.deploymentStatus === 'Stopped' ? 'was stopped' : 'failed'} and rolled back to version ${plainText(v.stable)}.${c?.error ? ` ${plainText(c.error, 300)}` : ''}`;
    default:
      return `${where}: CodeDeploy deployment ${id} ended (${plainText(c?.deploymentStatus ?? v.status, 20)}), the alias left as it was.${c?.error ? ` ${plainText(c.error, 300)}` : ''}`;
  }
}

/** The deployments the journal holds an end of. */
export function endedCodeDeploys(records: Array<Pick<Outcome, 'detail'>>): Set<string> {
  const ended = new Set<string>();
  for (const r of records) {
    const d = r.detail as Partial<CodeDeployDetail> | undefined;
    if (d?.deploymentId && d.event === 'ended') ended.add(d.deploymentId);
  }
  return ended;
}

/** Any journal record of a CodeDeploy rollout started and not yet seen at its end. */
export function hasOpenCodeDeploy(records: Array<Pick<Outcome, 'detail'>>): boolean {
  const open = new Set<string>();
  for (const r of records) {
    const d = r.detail as Partial<CodeDeployDetail> | undefined;
    if (!d?.deploymentId) continue;
    if (d.event === 'started') open.add(d.deploymentId);
    else if (d.event === 'ended') open.delete(d.deploymentId);
  }
  return open.size > 0;
}
