import * as vscode from 'vscode';
import { errorText, OperationError } from '../../core/errors';
import { untrustedWorkspaceRefusal } from '../../core/publishWorkspace';
import type { ReleaseDefinition } from '../../core/releases/definition';
import { releaseDefinition } from '../../core/releases/definition';
import type { ReleaseMemberInput } from '../../core/releases/runner';
import { membersForStage, membersToResume, stageOf, untrustedStagesRefusal } from '../../core/releases/stages';
import { describePlan, formatPlan } from '../../core/rollout/plans';
import type { StageConfig } from '../../core/workspace';
import { ConfigError, discoverWorkspace } from '../../core/workspace';
import type { ReleaseControl, ReleaseView } from '../../shared/release';
import { RELEASE_ENDS } from '../../shared/release';
import { releaseControls } from '../../shared/releaseProtocol';
import { iconText, notificationText, plainText } from '../../shared/text';
import { readSettings } from '../config';
import { formatPercent } from '../locale';
import { membersText, statusWord } from '../words';
import type { CommandContext } from '../context';
import { ReleaseMemberNode, ReleaseNode } from '../tree';
import type { PickItem } from '../ui';
import { Dismissed, nothingChanged, orDismiss } from './common';
import { pickPlan } from './rolloutPicks';
import { explainUntrusted } from './workspaceFunction';

/**
 * Publish Release… and the controls of a release (Resume, Restore All, Promote, Abort, Open
 * Release): from the palette, a release's row in the tree, the release panel and notifications'
 * buttons (`{ releaseId }`). Thin: core's ReleaseRunner does the work, its refusals are shown as
 * the errors it gives.
 */

export interface FolderRelease {
  folder: vscode.WorkspaceFolder;
  def?: ReleaseDefinition;
  error?: string;
}

/** Each workspace folder's release definition, or why it has none. */
export function folderReleases(): FolderRelease[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  return folders.map((folder) => {
    try {
      const def = releaseDefinition(discoverWorkspace(folder.uri.fsPath));
      return { folder, def: folders.length > 1 ? { ...def, source: `${folder.name}/${def.source}` } : def };
    } catch (e) {
      if (e instanceof ConfigError || e instanceof OperationError) return { folder, error: e.message };
      throw e;
    }
  });
}

function skippedLines(def: ReleaseDefinition): string[] {
  return def.skipped.map((s) => vscode.l10n.t('Not in the release: {0}', s.reason));
}

export async function publishRelease(ctx: CommandContext): Promise<void> {
  const found = folderReleases();
  if (found.length === 0) throw new OperationError(vscode.l10n.t('Open the folder that holds your functions first (File → Open Folder).'), { state: nothingChanged(), kind: 'validation' });
  const usable = found.filter((f): f is FolderRelease & { def: ReleaseDefinition } => !!f.def);
  for (const f of found) if (f.error) ctx.log.warn(`No release in ${f.folder.name}: ${f.error}`);
  if (usable.length === 0) {
    throw new OperationError(vscode.l10n.t('No workspace folder declares functions a release can move: {0}', found.map((f) => f.error).join(' ')), { state: nothingChanged(), kind: 'validation' });
  }
  const picked =
    usable.length === 1
      ? usable[0]
      : orDismiss(
          await ctx.ui.pick<FolderRelease & { def: ReleaseDefinition }>(
            'releaseFolder',
            usable.map((f) => ({
              label: iconText(f.folder.name),
              description: iconText(`${f.def.source} · ${f.def.members.length === 1 ? vscode.l10n.t('1 function') : vscode.l10n.t('{0} functions', f.def.members.length)}`),
              detail: iconText([f.def.members.map((m) => `${m.functionName}:${m.aliasName}`).join(', '), ...skippedLines(f.def)].join(' · ')),
              value: f,
            })),
            { title: vscode.l10n.t('Publish Release'), placeHolder: vscode.l10n.t('Release the functions of which folder?') },
          ),
        ).value;
  const def = picked.def;
  for (const line of skippedLines(def)) ctx.log.warn(line);
  const trusted = vscode.workspace.isTrusted;
  const smokeTest = readSettings().smokeTest;
  if (!trusted) {
    // With stages, the workspace's file chooses the accounts the release writes to; else, as Publish Canary: an untrusted workspace's build and test events never run.
    const refusal = untrustedStagesRefusal(def, 'release') ?? def.members.map((m) => untrustedWorkspaceRefusal(m.fn, smokeTest)).find((r) => !!r);
    if (refusal) {
      ctx.log.warn(refusal.message);
      await explainUntrusted(ctx, refusal.message);
      throw new Dismissed();
    }
  }
  const clients = await ctx.connection.current();
  const title = vscode.l10n.t('Publish Release of {0}', def.source);
  const plan = await pickPlan(ctx, title, def.plan ? { rollout: def.plan, file: def.members[0].fn.file } : undefined, clients.capabilities.sandbox, { workspaceFirst: true, id: 'releasePlan' });
  const n = def.members.length;
  // With stages, a release from the workspace goes to the first one: each function on its alias, on its connection.
  const stage = stageOf(def);
  const members: ReleaseMemberInput[] = membersForStage(def, stage);
  const detail = [
    ...(stage ? [vscode.l10n.t("To stage {0} (the first of lambda-canary.json's stages){1}.", stage.name, stageWhere(stage)), ''] : []),
    vscode.l10n.t('Functions (each built and published as a new version, then moved together):'),
    ...def.members.map((m) => `  ${m.functionName}:${stage?.alias ?? m.aliasName}${m.aliasAssumed && !stage ? ` ${vscode.l10n.t('(no alias declared: prod assumed)')}` : ''}`),
    '',
    vscode.l10n.t('Plan: {0} — {1}.', formatPlan(plan), describePlan(plan)),
    vscode.l10n.t('Any function failing its step rolls every alias back; the last step promotes them all.'),
    ...(def.skipped.length ? ['', ...skippedLines(def)] : []),
  ].join('\n');
  const through = plan.name ?? formatPlan(plan);
  const question = stage
    ? n === 1
      ? vscode.l10n.t('Release 1 function of {0} to {1} through {2}?', def.source, stage.name, through)
      : vscode.l10n.t('Release {0} functions of {1} to {2} through {3}?', n, def.source, stage.name, through)
    : n === 1
      ? vscode.l10n.t('Release 1 function of {0} through {1}?', def.source, through)
      : vscode.l10n.t('Release {0} functions of {1} through {2}?', n, def.source, through);
  const ok = await ctx.ui.confirm('confirmRelease', plainText(question), plainText(detail, 8000), vscode.l10n.t('Publish Release'));
  if (!ok) throw new Dismissed();
  // Cancellable: core stops where that is safe (before any traffic moves) and says when the release goes on.
  const progressTitle = n === 1 ? vscode.l10n.t('Publishing release of 1 function ({0})', def.source) : vscode.l10n.t('Publishing release of {0} functions ({1})', n, def.source);
  const outcome = await ctx.aliases.withProgress(progressTitle, undefined, async (signal, progress) =>
    stage
      ? (await ctx.releases.stages()).runnerFor(stage).start({ source: def.source, members, plan, trusted, smokeTest, stage: stage.name, signal, progress })
      : ctx.releases.start({ source: def.source, members, plan, trusted, smokeTest, signal, progress }),
  );
  if (outcome.error) {
    ctx.log.error(`Publish Release: ${outcome.error.message}${outcome.error.left ? ` ${outcome.error.left}` : ''}`);
    const shown = errorText(new OperationError(outcome.error.message, { kind: outcome.error.kind, ...(outcome.error.left ? { state: outcome.error.left } : {}) }));
    // A cancel is no failure: said, not shown as an error.
    if (outcome.error.kind === 'cancelled') void ctx.ui.info(notificationText(shown));
    else ctx.aliases.showError(shown);
    return;
  }
  const v = outcome.detail;
  if (outcome.note) void ctx.ui.info(notificationText(outcome.note));
  if (v) {
    ctx.log.info(`Release ${v.id} (${v.source}): ${v.status}. ${v.statusText}`);
    // The panel shows the current connection's releases: a stage of its own connection is followed in the log and notifications.
    if (!RELEASE_ENDS.has(v.status) && readSettings().panel.openAfterPublish && ctx.releases.view(v.id)) ctx.releasePanels.open(v.id);
  }
}

/** ` (profile prod, eu-west-1)`: where a stage's releases go, when it names a connection of its own. */
export function stageWhere(stage: StageConfig): string {
  const parts = [stage.profile ? vscode.l10n.t('profile {0}', stage.profile) : '', stage.region ?? '', stage.endpoint ? vscode.l10n.t('local {0}', stage.endpoint) : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : ` (${vscode.l10n.t('this connection')})`;
}

/** What the release commands take: a release row or member row of the tree, `{ releaseId }`, or nothing (a pick of the releases that have not ended). */
export async function releaseTarget(ctx: CommandContext, node: unknown, title: string, open = true): Promise<ReleaseView> {
  await ctx.releases.current();
  const id = node instanceof ReleaseNode ? node.releaseId : node instanceof ReleaseMemberNode ? node.parent.releaseId : isReleaseArg(node) ? node.releaseId : undefined;
  if (id !== undefined) {
    const v = ctx.releases.view(id);
    if (v) return v;
    // A release this window drives on a stage of another connection (a notification's button): the controls act on it.
    const elsewhere = ctx.releases.stageView(id);
    if (!elsewhere) throw new OperationError(vscode.l10n.t('No release {0} in this journal for this connection.', id), { state: nothingChanged(), kind: 'validation' });
    return elsewhere;
  }
  const views = ctx.releases.views().filter((v) => !open || !RELEASE_ENDS.has(v.status));
  if (views.length === 0) throw new OperationError(open ? vscode.l10n.t('No release is open on this connection.') : vscode.l10n.t('No release in this journal for this connection.'), { state: nothingChanged(), kind: 'validation' });
  if (views.length === 1) return views[0];
  const items: Array<PickItem<ReleaseView>> = views.map((v) => ({ label: iconText(`${v.source} · ${v.id}`), description: iconText(`${statusWord(v.status)} · ${membersText(v.members)}`), detail: iconText(v.statusText), value: v }));
  return orDismiss(await ctx.ui.pick<ReleaseView>('release', items, { title, placeHolder: vscode.l10n.t('Which release?') })).value;
}

function isReleaseArg(v: unknown): v is { releaseId: string } {
  return !!v && typeof v === 'object' && typeof (v as { releaseId?: unknown }).releaseId === 'string';
}

/** The command's title (as in package.json), for the picker and the log. */
function controlTitle(action: ReleaseControl): string {
  switch (action) {
    case 'resume':
      return vscode.l10n.t('Resume Release');
    case 'restore':
      return vscode.l10n.t('Restore All');
    case 'promote':
      return vscode.l10n.t('Promote Release');
    case 'abort':
      return vscode.l10n.t('Abort Release');
  }
}

function progressTitle(action: ReleaseControl, id: string): string {
  switch (action) {
    case 'resume':
      return vscode.l10n.t('Resuming release {0}', id);
    case 'restore':
      return vscode.l10n.t('Restoring every alias of release {0}', id);
    case 'promote':
      return vscode.l10n.t('Promoting every function of release {0}', id);
    case 'abort':
      return vscode.l10n.t('Aborting release {0}', id);
  }
}

function question(action: ReleaseControl, v: ReleaseView): { message: string; detail: string; button: string } {
  const list = v.members
    .map((m) => `  ${m.functionName}:${m.aliasName}: ${statusWord(m.state)}, ${m.stable}${m.version ? ` → ${m.version}` : ''}${m.state === 'routed' ? ` ${vscode.l10n.t('at {0}', formatPercent(m.weight / 100))}` : ''}`)
    .join('\n');
  const status = vscode.l10n.t('Now: {0}', v.statusText);
  switch (action) {
    case 'resume': {
      const goesOn = v.status === 'waiting' ? vscode.l10n.t('The plan {0} goes on from where it is (the next step):', v.planText) : vscode.l10n.t('The plan {0} goes on from where it is:', v.planText);
      return { message: vscode.l10n.t('Resume release {0} ({1})?', v.id, v.source), detail: `${status}\n\n${goesOn}\n${list}`, button: vscode.l10n.t('Resume') };
    }
    case 'restore':
      return {
        message: vscode.l10n.t('Restore every alias of release {0} ({1})?', v.id, v.source),
        detail: `${status}\n\n${vscode.l10n.t('Each alias the release moved goes back to what it served before the release (an alias someone else changed meanwhile is left as it is):')}\n${list}`,
        button: vscode.l10n.t('Restore All'),
      };
    case 'promote':
      return {
        message: vscode.l10n.t('Promote every function of release {0} ({1}) now?', v.id, v.source),
        detail: `${status}\n\n${vscode.l10n.t('Each alias serves its new version at once, skipping the rest of the plan:')}\n${list}`,
        button: vscode.l10n.t('Promote'),
      };
    case 'abort':
      return {
        message: vscode.l10n.t('Abort release {0} ({1})?', v.id, v.source),
        detail: `${status}\n\n${vscode.l10n.t('Each alias the release moved goes back to what it served before, and the release ends as aborted:')}\n${list}`,
        button: vscode.l10n.t('Abort'),
      };
  }
}

async function control(ctx: CommandContext, node: unknown, action: ReleaseControl): Promise<void> {
  const v = await releaseTarget(ctx, node, controlTitle(action));
  // Asked only of what applies now; core refuses the rest (an end, another live driver) with its own error.
  if (releaseControls(v).includes(action)) {
    const q = question(action, v);
    if (!(await ctx.ui.confirm(`confirmRelease:${action}`, plainText(q.message), plainText(q.detail, 8000), q.button))) return;
  }
  // A Resume before every member was published needs what to build them from: the workspace's definition (trusted only).
  const members = action === 'resume' && vscode.workspace.isTrusted && v.members.some((m) => m.state === 'pending') ? resumeMembers(v) : undefined;
  const outcome = await ctx.aliases.withProgress(progressTitle(action, v.id), undefined, (signal, progress) => ctx.releases.control(v.id, action, members, { signal, progress }));
  if (outcome.error) {
    ctx.log.error(`${action} release ${v.id}: ${outcome.error.message}`);
    const shown = errorText(new OperationError(outcome.error.message, { kind: outcome.error.kind, ...(outcome.error.left ? { state: outcome.error.left } : {}) }));
    // A cancel is no failure: said, not shown as an error.
    if (outcome.error.kind === 'cancelled') void ctx.ui.info(notificationText(shown));
    else ctx.aliases.showError(shown);
    return;
  }
  const after = outcome.detail ?? v;
  if (outcome.note) void ctx.ui.info(notificationText(outcome.note));
  const text = notificationText(vscode.l10n.t('Release {0} ({1}): {2}', after.id, after.source, after.statusText));
  ctx.log.info(text);
  void (after.status === 'promoted' || after.status === 'running' || after.status === 'publishing' ? ctx.ui.info(text) : ctx.ui.warn(text));
}

function resumeMembers(v: ReleaseView): ReleaseMemberInput[] | undefined {
  return membersToResume(folderReleases().flatMap((f) => (f.def ? [f.def] : [])), v);
}

export const resumeRelease = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'resume');
export const restoreRelease = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'restore');
export const promoteRelease = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'promote');
export const abortRelease = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'abort');

export async function openRelease(ctx: CommandContext, node?: unknown): Promise<void> {
  const v = await releaseTarget(ctx, node, vscode.l10n.t('Open Release'), false);
  if (!ctx.releases.view(v.id)) {
    // The panel reads the current connection's releases and metrics: one on another stage's connection is followed in the log.
    throw new OperationError(
      vscode.l10n.t(
        "Release {0} is on stage {1}, another connection: the release panel shows this connection's releases. Follow it in the log (Lambda Canary: Show Log) or with lambda-canary release status --stage {2}.",
        v.id,
        v.stage ?? vscode.l10n.t('(another)'),
        v.stage ?? 'NAME',
      ),
      { state: nothingChanged(), kind: 'validation' },
    );
  }
  ctx.releasePanels.open(v.id);
}
