import * as vscode from 'vscode';
import { errorText, OperationError } from '../../core/errors';
import type { ReleaseDefinition } from '../../core/releases/definition';
import { promoteReleaseToStage, untrustedStagesRefusal } from '../../core/releases/stages';
import type { StageConfig } from '../../core/workspace';
import { RELEASE_ENDS } from '../../shared/release';
import { iconText, notificationText, plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { statusWord } from '../words';
import { Dismissed, orDismiss } from './common';
import type { FolderRelease } from './releaseCommands';
import { folderReleases, stageWhere } from './releaseCommands';
import { explainUntrusted } from './workspaceFunction';

/**
 * Promote Release to Stage…: a folder whose lambda-canary.json lists stages, the stage to promote
 * to, a confirmation, then core's promoteReleaseToStage (the packages that passed the stage
 * before, uploaded as they are, the stage's aliases moved through the plan). Its refusals are
 * shown as the errors it gives. Refused in Restricted Mode: the workspace's file chooses the
 * accounts (profiles, regions) it writes to.
 */
export async function promoteToStage(ctx: CommandContext): Promise<void> {
  const found = folderReleases();
  if (found.length === 0) throw new OperationError(vscode.l10n.t('Open the folder that holds your functions first (File → Open Folder).'), { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' });
  const staged = found.filter((f): f is FolderRelease & { def: ReleaseDefinition } => (f.def?.stages?.length ?? 0) >= 2);
  if (staged.length === 0) {
    throw new OperationError(vscode.l10n.t('No workspace folder lists two stages or more: add "stages" to lambda-canary.json, e.g. [{ "name": "staging", "alias": "staging" }, { "name": "prod", "alias": "prod", "profile": "prod" }].'), { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' });
  }
  if (!vscode.workspace.isTrusted) {
    const message = untrustedStagesRefusal(staged[0].def, 'promote')!.message;
    ctx.log.warn(message);
    await explainUntrusted(ctx, message);
    throw new Dismissed();
  }
  const picked =
    staged.length === 1
      ? staged[0]
      : orDismiss(
          await ctx.ui.pick<FolderRelease & { def: ReleaseDefinition }>(
            'releaseFolder',
            staged.map((f) => ({ label: iconText(f.folder.name), description: iconText(`${f.def.source} · ${f.def.stages!.map((s) => s.name).join(' → ')}`), value: f })),
            { title: vscode.l10n.t('Promote Release to Stage'), placeHolder: vscode.l10n.t('Promote the release of which folder?') },
          ),
        ).value;
  const def = picked.def;
  const stages = def.stages!;
  const stage = orDismiss(
    await ctx.ui.pick<StageConfig>(
      'promoteStage',
      stages.slice(1).map((s, i) => ({
        label: iconText(s.name),
        description: iconText(vscode.l10n.t('alias {0}{1}', s.alias, stageWhere(s))),
        detail: iconText(vscode.l10n.t('What passed {0}, the same packages, to {1}', stages[i].name, s.name)),
        value: s,
      })),
      { title: vscode.l10n.t('Promote Release to Stage ({0})', def.source), placeHolder: vscode.l10n.t('Promote to which stage?') },
    ),
  ).value;
  const earlier = stages[stages.indexOf(stage) - 1];
  const detail = [
    vscode.l10n.t(
      "The newest release of {0} to {1} must have ended promoted. Its packages — the very bytes it uploaded, kept by CodeSha256 — are uploaded to {2}{3} as they are (never rebuilt) and published, each version's CodeSha256 checked.",
      def.source,
      earlier.name,
      stage.name,
      stageWhere(stage),
    ),
    '',
    def.plan
      ? vscode.l10n.t("Then every function's {0} alias moves through the workspace's rollout, judged; a Fail rolls every alias back.", stage.alias)
      : vscode.l10n.t("Then every function's {0} alias moves through the plan of the {1} release, judged; a Fail rolls every alias back.", stage.alias, earlier.name),
  ].join('\n');
  if (!(await ctx.ui.confirm('confirmPromoteStage', plainText(vscode.l10n.t('Promote {0} from {1} to {2}?', def.source, earlier.name, stage.name)), plainText(detail, 8000), vscode.l10n.t('Promote to Stage')))) throw new Dismissed();
  const host = await ctx.releases.stages();
  const result = await ctx.aliases.withProgress(vscode.l10n.t('Promoting {0} to {1}', def.source, stage.name), undefined, (signal, progress) =>
    promoteReleaseToStage({ definition: def, target: stage.name, contextOf: host.contextOf, runnerFor: host.runnerFor, artifacts: host.artifacts, signal, progress }),
  );
  const { outcome } = result;
  if (outcome.error) {
    ctx.log.error(`Promote Release to Stage: ${outcome.error.message}`);
    const shown = errorText(new OperationError(outcome.error.message, { kind: outcome.error.kind, ...(outcome.error.left ? { state: outcome.error.left } : {}) }));
    // A cancel is no failure: said, not shown as an error.
    if (outcome.error.kind === 'cancelled') void ctx.ui.info(notificationText(shown));
    else ctx.aliases.showError(shown);
    return;
  }
  const v = outcome.detail;
  if (outcome.note) void ctx.ui.info(notificationText(outcome.note));
  if (!v) return;
  const text = notificationText(vscode.l10n.t('Release {0} ({1}, {2} from {3} {4}): {5}. {6}', v.id, v.source, stage.name, earlier.name, result.from?.release ?? '', statusWord(v.status), v.statusText));
  ctx.log.info(text);
  if (!RELEASE_ENDS.has(v.status) && readSettings().panel.openAfterPublish && ctx.releases.view(v.id)) ctx.releasePanels.open(v.id);
  else void ctx.ui.info(text);
}
