import * as l10n from '@vscode/l10n';
import type { CodeDeployDetail, CodeDeployManagement } from '../core/codedeploy/types';
import type { Outcome } from '../core/outcome';
import type { CodeDeployLifecycleView, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import { markdownText as m, plainText } from '../shared/text';
import { formatPercent } from './locale';
import { stepText } from './words';

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
  return `${l10n.t('CodeDeploy {0}', stepText(v))}${shown}`;
}

/** What the tree's description says beside the label of an alias CodeDeploy is deploying. */
export function codeDeployDescription(v: RolloutView): string {
  const id = v.codeDeploy?.deploymentId;
  return plainText(id ? l10n.t('deploying through CodeDeploy ({0})', id) : l10n.t('deploying through CodeDeploy'));
}

/** The lifecycle event as one line: `BeforeAllowTraffic (deploy-check): Succeeded`. */
export function lifecycleLine(e: CodeDeployLifecycleView): string {
  return `${plainText(e.name, 40)}${e.hookFunction ? ` (${plainText(e.hookFunction, 140)})` : ''}: ${plainText(e.status, 20)}${e.message ? ` — ${plainText(e.message, 200)}` : ''}`;
}

/** Tooltip lines (Markdown, every AWS value escaped) of a CodeDeploy rollout. */
export function codeDeployTooltipLines(v: RolloutView): string[] {
  const c = v.codeDeploy;
  const lines = [
    l10n.t('**CodeDeploy deployment {0}** ({1}): version {2} replacing {3}, {4}', m(c?.deploymentId ?? '?'), m(c?.deploymentStatus ?? v.status), m(v.version), m(v.stable), m(stepText(v))),
  ];
  if (c) {
    lines.push(l10n.t('Config {0} · application {1} · group {2}', m(c.config), m(c.application), m(c.deploymentGroup)));
    if (c.targetVersionWeight !== undefined) lines.push(l10n.t('Version {0} gets {1} now.', m(v.version), m(formatPercent(c.targetVersionWeight / 100))));
    for (const e of c.lifecycle) lines.push(m(lifecycleLine(e)));
    if (c.error) lines.push(l10n.t('Error: {0}', m(c.error)));
    if (c.rollback) lines.push(`${l10n.t('Rollback')}${m(`${c.rollback.deploymentId ? ` ${c.rollback.deploymentId}` : ''}${c.rollback.message ? `: ${c.rollback.message}` : ''}`)}`);
  }
  if (v.statusText) lines.push(m(v.statusText));
  lines.push(l10n.t('AWS steps it: it goes on with the editor closed. Stop it from the alias menu or the traffic panel.'));
  return lines;
}

/** Why an alias counts as managed by CodeDeploy, for the tree's description (short). */
export function managedShort(x: CodeDeployManagement): string {
  return x.by === 'template' ? plainText(l10n.t('managed by CodeDeploy (SAM {0})', x.preference), 120) : plainText(l10n.t('managed by CodeDeploy ({0})', x.deploymentGroup), 120);
}

/** The same in a tooltip line (Markdown). */
export function managedTooltip(x: CodeDeployManagement): string {
  return x.by === 'template'
    ? l10n.t('Managed by CodeDeploy: {0} in {1} has AutoPublishAlias and DeploymentPreference {2}; each sam deploy shifts this alias through CodeDeploy.', m(x.logicalId), m(x.file), m(x.preference))
    : l10n.t('Managed by CodeDeploy: deployment group {0} (application {1}) last deployed it ({2}).', m(x.deploymentGroup), m(x.application), m(x.lastDeploymentId));
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
export function confirmManagedWrite(functionName: string, aliasName: string, x: CodeDeployManagement, what: string): ManagedConfirmation {
  const name = `${plainText(functionName)}:${plainText(aliasName)}`;
  const by =
    x.by === 'template'
      ? l10n.t(
          '{0} in {1} has AutoPublishAlias and DeploymentPreference ({2}): the next `sam deploy` publishes a new version and CodeDeploy shifts {3} from the version it serves then to that one, whatever you set here.',
          plainText(x.logicalId),
          plainText(x.file),
          plainText(x.preference),
          plainText(aliasName),
        )
      : l10n.t(
          'CodeDeploy deployment group {0} (application {1}) last deployed it ({2}): its next deployment (e.g. the next `sam deploy`) starts from the version {3} serves then, and a rollback of it returns there.',
          plainText(x.deploymentGroup),
          plainText(x.application),
          plainText(x.lastDeploymentId),
          plainText(aliasName),
        );
  return {
    id: 'confirmManaged',
    message: l10n.t('{0} is managed by CodeDeploy. {1} anyway?', name, plainText(what)),
    detail: `${by} ${l10n.t("A change made here is not in the template or the deployment group's history.")}`,
    action: l10n.t('Go On'),
  };
}

/** Notice buttons of a CodeDeploy rollout's end or of one that needs a look. */
export function codeDeployNoticeButtons(v: RolloutView): string[] {
  return ROLLOUT_ENDS.has(v.status) ? [l10n.t('Open Traffic Panel')] : [l10n.t('Stop…'), l10n.t('Open Traffic Panel')];
}

/** One sentence for the end of a CodeDeploy rollout (the notice). */
export function codeDeployEndText(v: RolloutView): string {
  const c = v.codeDeploy;
  const id = c?.deploymentId ?? '?';
  const where = `${plainText(v.functionName)}:${plainText(v.aliasName)}`;
  switch (v.status) {
    case 'promoted':
      return l10n.t('{0}: CodeDeploy deployment {1} succeeded: version {2} gets all the traffic.', where, id, plainText(v.version));
    case 'rolled-back': {
      const ended =
        c?.deploymentStatus === 'Stopped'
          ? l10n.t('{0}: CodeDeploy deployment {1} was stopped and rolled back to version {2}.', where, id, plainText(v.stable))
          : l10n.t('{0}: CodeDeploy deployment {1} failed and rolled back to version {2}.', where, id, plainText(v.stable));
      return `${ended}${c?.error ? ` ${plainText(c.error, 300)}` : ''}`;
    }
    default:
      return `${l10n.t('{0}: CodeDeploy deployment {1} ended ({2}), the alias left as it was.', where, id, plainText(c?.deploymentStatus ?? v.status, 20))}${c?.error ? ` ${plainText(c.error, 300)}` : ''}`;
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
