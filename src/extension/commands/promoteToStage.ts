import * as vscode from 'vscode';
import { errorText, OperationError } from '../../core/errors';
import type { ReleaseDefinition } from '../../core/releases/definition';
import { promoteReleaseToStage, untrustedStagesRefusal } from '../../core/releases/stages';
import type { StageConfig } from '../../core/workspace';
import { RELEASE_ENDS } from '../../shared/release';
import { iconText, notificationText, plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
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
  if (found.length === 0) throw new OperationError('Open the folder that holds your functions first (File → Open Folder).', { state: 'Nothing was changed.', kind: 'validation' });
  const staged = found.filter((f): f is FolderRelease & { def: ReleaseDefinition } => (f.def?.stages?.length ?? 0) >= 2);
  if (staged.length === 0) {
    throw new OperationError('No workspace folder lists two stages or more: add "stages" to lambda-canary.json, e.g. [{ "name": "staging", "alias": "staging" }, { "name": "prod", "alias": "prod", "profile": "prod" }].', { state: 'Nothing was changed.', kind: 'validation' });
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
            { title: 'Promote Release to Stage', placeHolder: 'Promote the release of which folder?' },
          ),
        ).value;
  const def = picked.def;
  const stages = def.stages!;
  const stage = orDismiss(
    await ctx.ui.pick<StageConfig>(
      'promoteStage',
      stages.slice(1).map((s, i) => ({
        label: iconText(s.name),
        description: iconText(`alias ${s.alias}${stageWhere(s)}`),
        detail: iconText(`What passed ${stages[i].name}, the same packages, to ${s.name}`),
        value: s,
      })),
      { title: `Promote Release to Stage (${def.source})`, placeHolder: 'Promote to which stage?' },
    ),
  ).value;
  const earlier = stages[stages.indexOf(stage) - 1];
  const detail = [
    `The newest release of ${def.source} to ${earlier.name} must have ended promoted. Its packages — the very bytes it uploaded, kept by CodeSha256 — are uploaded to ${stage.name}${stageWhere(stage)} as they are (never rebuilt) and published, each version's CodeSha256 checked.`,
    '',
    `Then every function's ${stage.alias} alias moves through ${def.plan ? "the workspace's rollout" : `the plan of the ${earlier.name} release`}, judged; a Fail rolls every alias back.`,
  ].join('\n');
  if (!(await ctx.ui.confirm('confirmPromoteStage', plainText(`Promote ${def.source} from ${earlier.name} to ${stage.name}?`), plainText(detail, 8000), 'Promote to Stage'))) throw new Dismissed();
  const host = await ctx.releases.stages();
  const result = await ctx.aliases.withProgress(`Promoting ${def.source} to ${stage.name}`, undefined, (signal, progress) =>
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
  const text = notificationText(`Release ${v.id} (${v.source}, ${stage.name} from ${earlier.name} ${result.from?.release ?? ''}): ${v.status}. ${v.statusText}`);
  ctx.log.info(text);
  if (!RELEASE_ENDS.has(v.status) && readSettings().panel.openAfterPublish && ctx.releases.view(v.id)) ctx.releasePanels.open(v.id);
  else void ctx.ui.info(text);
}
