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
import { membersSummary, RELEASE_ENDS } from '../../shared/release';
import { releaseControls } from '../../shared/releaseProtocol';
import { iconText, notificationText, plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { ReleaseMemberNode, ReleaseNode } from '../tree';
import type { PickItem } from '../ui';
import { Dismissed, orDismiss } from './common';
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
  return def.skipped.map((s) => `Not in the release: ${s.reason}`);
}

export async function publishRelease(ctx: CommandContext): Promise<void> {
  const found = folderReleases();
  if (found.length === 0) throw new OperationError('Open the folder that holds your functions first (File → Open Folder).', { state: 'Nothing was changed.', kind: 'validation' });
  const usable = found.filter((f): f is FolderRelease & { def: ReleaseDefinition } => !!f.def);
  for (const f of found) if (f.error) ctx.log.warn(`No release in ${f.folder.name}: ${f.error}`);
  if (usable.length === 0) {
    throw new OperationError(`No workspace folder declares functions a release can move: ${found.map((f) => f.error).join(' ')}`, { state: 'Nothing was changed.', kind: 'validation' });
  }
  const picked =
    usable.length === 1
      ? usable[0]
      : orDismiss(
          await ctx.ui.pick<FolderRelease & { def: ReleaseDefinition }>(
            'releaseFolder',
            usable.map((f) => ({
              label: iconText(f.folder.name),
              description: iconText(`${f.def.source} · ${f.def.members.length} function${f.def.members.length === 1 ? '' : 's'}`),
              detail: iconText([f.def.members.map((m) => `${m.functionName}:${m.aliasName}`).join(', '), ...skippedLines(f.def)].join(' · ')),
              value: f,
            })),
            { title: 'Publish Release', placeHolder: 'Release the functions of which folder?' },
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
  const title = `Publish Release of ${def.source}`;
  const plan = await pickPlan(ctx, title, def.plan ? { rollout: def.plan, file: def.members[0].fn.file } : undefined, clients.capabilities.sandbox, { workspaceFirst: true, id: 'releasePlan' });
  const n = def.members.length;
  // With stages, a release from the workspace goes to the first one: each function on its alias, on its connection.
  const stage = stageOf(def);
  const members: ReleaseMemberInput[] = membersForStage(def, stage);
  const detail = [
    ...(stage ? [`To stage ${stage.name} (the first of lambda-canary.json's stages)${stageWhere(stage)}.`, ''] : []),
    `Functions (each built and published as a new version, then moved together):`,
    ...def.members.map((m) => `  ${m.functionName}:${stage?.alias ?? m.aliasName}${m.aliasAssumed && !stage ? ' (no alias declared: prod assumed)' : ''}`),
    '',
    `Plan: ${formatPlan(plan)} — ${describePlan(plan)}.`,
    'Any function failing its step rolls every alias back; the last step promotes them all.',
    ...(def.skipped.length ? ['', ...skippedLines(def)] : []),
  ].join('\n');
  const ok = await ctx.ui.confirm('confirmRelease', plainText(`Release ${n} function${n === 1 ? '' : 's'} of ${def.source}${stage ? ` to ${stage.name}` : ''} through ${plan.name ?? formatPlan(plan)}?`), plainText(detail, 8000), 'Publish Release');
  if (!ok) throw new Dismissed();
  // Cancellable: core stops where that is safe (before any traffic moves) and says when the release goes on.
  const outcome = await ctx.aliases.withProgress(`Publishing release of ${n} function${n === 1 ? '' : 's'} (${def.source})`, undefined, async (signal, progress) =>
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
  const parts = [stage.profile ? `profile ${stage.profile}` : '', stage.region ?? '', stage.endpoint ? `local ${stage.endpoint}` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : ' (this connection)';
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
    if (!elsewhere) throw new OperationError(`No release ${id} in this journal for this connection.`, { state: 'Nothing was changed.', kind: 'validation' });
    return elsewhere;
  }
  const views = ctx.releases.views().filter((v) => !open || !RELEASE_ENDS.has(v.status));
  if (views.length === 0) throw new OperationError(open ? 'No release is open on this connection.' : 'No release in this journal for this connection.', { state: 'Nothing was changed.', kind: 'validation' });
  if (views.length === 1) return views[0];
  const items: Array<PickItem<ReleaseView>> = views.map((v) => ({ label: iconText(`${v.source} · ${v.id}`), description: iconText(`${v.status} · ${membersSummary(v.members)}`), detail: iconText(v.statusText), value: v }));
  return orDismiss(await ctx.ui.pick<ReleaseView>('release', items, { title, placeHolder: 'Which release?' })).value;
}

function isReleaseArg(v: unknown): v is { releaseId: string } {
  return !!v && typeof v === 'object' && typeof (v as { releaseId?: unknown }).releaseId === 'string';
}

const TITLES: Record<ReleaseControl, string> = { resume: 'Resume Release', restore: 'Restore All', promote: 'Promote Release', abort: 'Abort Release' };
const PROGRESS: Record<ReleaseControl, string> = { resume: 'Resuming release', restore: 'Restoring every alias of release', promote: 'Promoting every function of release', abort: 'Aborting release' };

function question(action: ReleaseControl, v: ReleaseView): { message: string; detail: string; button: string } {
  const list = v.members.map((m) => `  ${m.functionName}:${m.aliasName}: ${m.state}, ${m.stable}${m.version ? ` → ${m.version}` : ''}${m.state === 'routed' ? ` at ${m.weight}%` : ''}`).join('\n');
  const status = `Now: ${v.statusText}`;
  switch (action) {
    case 'resume':
      return { message: `Resume release ${v.id} (${v.source})?`, detail: `${status}\n\nThe plan ${v.planText} goes on from where it is${v.status === 'waiting' ? ' (the next step)' : ''}:\n${list}`, button: 'Resume' };
    case 'restore':
      return { message: `Restore every alias of release ${v.id} (${v.source})?`, detail: `${status}\n\nEach alias the release moved goes back to what it served before the release (an alias someone else changed meanwhile is left as it is):\n${list}`, button: 'Restore All' };
    case 'promote':
      return { message: `Promote every function of release ${v.id} (${v.source}) now?`, detail: `${status}\n\nEach alias serves its new version at once, skipping the rest of the plan:\n${list}`, button: 'Promote' };
    case 'abort':
      return { message: `Abort release ${v.id} (${v.source})?`, detail: `${status}\n\nEach alias the release moved goes back to what it served before, and the release ends as aborted:\n${list}`, button: 'Abort' };
  }
}

async function control(ctx: CommandContext, node: unknown, action: ReleaseControl): Promise<void> {
  const v = await releaseTarget(ctx, node, TITLES[action]);
  // Asked only of what applies now; core refuses the rest (an end, another live driver) with its own error.
  if (releaseControls(v).includes(action)) {
    const q = question(action, v);
    if (!(await ctx.ui.confirm(`confirmRelease:${action}`, plainText(q.message), plainText(q.detail, 8000), q.button))) return;
  }
  // A Resume before every member was published needs what to build them from: the workspace's definition (trusted only).
  const members = action === 'resume' && vscode.workspace.isTrusted && v.members.some((m) => m.state === 'pending') ? resumeMembers(v) : undefined;
  const outcome = await ctx.aliases.withProgress(`${PROGRESS[action]} ${v.id}`, undefined, (signal, progress) => ctx.releases.control(v.id, action, members, { signal, progress }));
  if (outcome.error) {
    ctx.log.error(`${TITLES[action]} ${v.id}: ${outcome.error.message}`);
    const shown = errorText(new OperationError(outcome.error.message, { kind: outcome.error.kind, ...(outcome.error.left ? { state: outcome.error.left } : {}) }));
    // A cancel is no failure: said, not shown as an error.
    if (outcome.error.kind === 'cancelled') void ctx.ui.info(notificationText(shown));
    else ctx.aliases.showError(shown);
    return;
  }
  const after = outcome.detail ?? v;
  if (outcome.note) void ctx.ui.info(notificationText(outcome.note));
  const text = notificationText(`Release ${after.id} (${after.source}): ${after.statusText}`);
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
  const v = await releaseTarget(ctx, node, 'Open Release', false);
  if (!ctx.releases.view(v.id)) {
    // The panel reads the current connection's releases and metrics: one on another stage's connection is followed in the log.
    throw new OperationError(`Release ${v.id} is on stage ${v.stage ?? '(another)'}, another connection: the release panel shows this connection's releases. Follow it in the log (Lambda Canary: Show Log) or with lambda-canary release status --stage ${v.stage ?? 'NAME'}.`, { state: 'Nothing was changed.', kind: 'validation' });
  }
  ctx.releasePanels.open(v.id);
}
