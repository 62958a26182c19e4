import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { CancelledError, errorSummary, isCancelled, OperationError, throwIfAborted } from '../errors';
import { errorName, getAlias } from '../lambdaApi';
import * as ops from '../operations';
import { newOperationRecord } from '../operations';
import type { OperationContext, OperationRecord } from '../operations';
import type { AliasState, Outcome, OutcomeState, Target } from '../outcome';
import { aliasState, sameRouting, targetKey, targetOf } from '../outcome';
import { publishWorkspaceCanary, untrustedWorkspaceRefusal } from '../publishWorkspace';
import { formatPercent, percentToWeight, splitOf } from '../routing';
import { mapLimit } from '../mapLimit';
import { judgeSteps } from '../rollout/judgeStep';
import { markerName, pidAlive } from '../rollout/lease';
import type { RolloutPlan } from '../rollout/plans';
import { describePlan, validatePlan } from '../rollout/plans';
import { rolloutDriving } from '../rollout/records';
import type { RolloutTiming } from '../rollout/runner';
import { rolloutTiming } from '../rollout/runner';
import type { UseCaseContext } from '../usecases/context';
import { checkCodeDeployGuard } from '../usecases/context';
import { currentUser } from '../user';
import type { WorkspaceFunction } from '../workspace';
import { MAX_CONFIG_FUNCTIONS } from '../workspace';
import type { ReleaseControl, ReleaseView } from '../../shared/release';
import type { RolloutVerdict } from '../../shared/rollout';
import type { ArtifactStore } from './artifacts';
import type { MemberState, ReleaseDetail, ReleaseDriver, ReleaseEnd, ReleaseEvent, ReleaseMemberRecord, ReleaseState } from './records';
import { applyRelease, foldReleases, isOpen, memberKey, stepping, viewOf } from './records';

/**
 * The release runner: several functions published, then their aliases moved together through one
 * plan, judged together. Any function's Fail rolls all of them back; the last step promotes all.
 * Every publish, alias write, verdict and end is a journal record (records.ts), so a process that
 * dies mid-release leaves a release that the next one shows as interrupted, with Resume and
 * Restore All working from those records.
 *
 * Each alias write is fenced by the RevisionId the release last saw of that alias: a teammate's
 * write meanwhile is never overwritten — that function is reported, left as it is, and the release
 * holds. A write that fails part way through a step (after the SDK's retries) is compensated: every
 * alias the release moved goes back to its recorded before-state.
 *
 * Lambda's control plane allows about 15 requests a second per API: the runner keeps at most
 * `concurrency` requests in flight, the SDK's retries (adaptive mode) back off on throttling, and a
 * write still throttled after them is tried again after a pause, for it did not take effect.
 */

export interface ReleaseMemberInput {
  functionName: string;
  aliasName: string;
  /** What to build and package; absent when resuming from the journal alone (then a member not yet published cannot be). */
  fn?: WorkspaceFunction;
  /**
   * Instead of `fn`: a package already made (a promotion's: the bytes an earlier stage's release
   * published), uploaded as it is; nothing is built, and nothing of the workspace runs.
   */
  artifact?: { zip: Uint8Array; codeSha256: string; description?: string };
}

export interface StartReleaseInput {
  /** What the members came from (the config or template file), as the user would name it. */
  source: string;
  members: ReleaseMemberInput[];
  plan: RolloutPlan;
  /** vscode.workspace.isTrusted, or true where there is no such notion (a terminal, CI). */
  trusted: boolean;
  /** Smoke-test each new version with its workspace test event before any traffic. */
  smokeTest: boolean;
  /** The stage of lambda-canary.json the release goes to (the context is that stage's connection). */
  stage?: string;
  /** A promotion: the earlier stage's release whose packages this one publishes. */
  promotedFrom?: { stage: string; release: string };
  /**
   * Cancels the start where that is safe: while the aliases are read (nothing is written), and
   * while the functions are published (no alias has moved yet: the release ends aborted, and the
   * versions published so far get no traffic). Once the first step moves traffic the release goes
   * on in the background, so that no alias is left half-moved: only Abort rolls it back.
   */
  signal?: AbortSignal;
  /** Hears what the start is doing or waiting for, one message per phase. */
  progress?: (message: string) => void;
}

/** What a control of a release may be cancelled with, and told through (as StartReleaseInput's). */
export interface ReleaseControlOptions {
  /** Honoured only while a Resume publishes functions not yet published; every alias write goes through. */
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/** The note of an outcome whose cancel came after traffic moved. */
export function goesOnNote(id: string): string {
  return `Cancel came once traffic was moving: release ${id} goes on in the background (no alias is left half-moved). Abort Release rolls every alias back.`;
}

export interface ReleaseRunnerOptions {
  client: 'vscode' | 'cli';
  timing?: Partial<RolloutTiming>;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Builds and packages at once (default 4). */
  publishConcurrency?: number;
  user?: string;
  host?: string;
  pid?: number;
  now?: () => number;
  /** How long a write still throttled after the SDK's retries waits before it is tried again (default 1 s), and how often (default 5). */
  throttleWaitMs?: number;
  throttleTries?: number;
  /** Where the packages a release builds are kept, for a later promotion to the next stage (see artifacts.ts). */
  artifacts?: ArtifactStore;
}

/** A release moves at most what one lambda-canary.json may list (a template with more is refused, named). */
export const MAX_RELEASE_MEMBERS = MAX_CONFIG_FUNCTIONS;

interface Drive {
  stop: boolean;
  wake?: () => void;
  loop: Promise<void>;
}

export class ReleaseRunner {
  readonly timing: RolloutTiming;
  private readonly self: ReleaseDriver;
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly publishConcurrency: number;
  private readonly states = new Map<string, ReleaseState>();
  /** What each release's members are built from (only this process knows). */
  private readonly inputs = new Map<string, StartReleaseInput>();
  private readonly drives = new Map<string, Drive>();
  /** When each release's undecided aliases were last read (judgeCurrent). */
  private readonly aliasesChecked = new Map<string, number>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly changeListeners = new Set<(v: ReleaseView) => void>();
  private readonly waiters = new Set<() => void>();
  private readonly stopping = new AbortController();
  private loaded?: Promise<void>;
  private disposed = false;

  constructor(
    private readonly ctx: UseCaseContext,
    private readonly options: ReleaseRunnerOptions,
  ) {
    this.timing = { ...rolloutTiming(ctx), ...options.timing };
    this.now = options.now ?? Date.now;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.publishConcurrency = Math.max(1, options.publishConcurrency ?? 4);
    const user = markerName(options.user ?? currentUser());
    const host = markerName(options.host ?? os.hostname());
    this.self = { holder: `${user}@${host}`, host, pid: options.pid ?? process.pid, instance: randomUUID().slice(0, 8) };
  }

  // ---- what front ends read ----------------------------------------------------------------

  onDidChange(listener: (v: ReleaseView) => void): { dispose(): void } {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** Reads the journal (again) and folds it. */
  async load(): Promise<void> {
    const outcomes = (await this.ctx.journal?.releases?.()) ?? [];
    for (const [id, s] of foldReleases(outcomes)) {
      const mine = this.states.get(id);
      if (!mine) this.states.set(id, s);
      else if (!this.drives.has(id) && s.lastAt >= mine.lastAt) Object.assign(mine, s);
    }
  }

  /** Every release of this journal, newest first. */
  views(): ReleaseView[] {
    return [...this.states.values()].sort((a, b) => b.startedAt - a.startedAt).map((s) => this.viewOf(s));
  }

  view(id: string): ReleaseView | undefined {
    const s = this.find(id);
    return s ? this.viewOf(s) : undefined;
  }

  /** A release by id, or by a unique prefix of it. */
  find(id: string): ReleaseState | undefined {
    const exact = this.states.get(id);
    if (exact) return exact;
    const matches = [...this.states.values()].filter((s) => s.id.startsWith(id));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** The open release that holds this alias, if any (another release, a rollout or a hand-made write asks first). */
  holding(functionName: string, aliasName: string): ReleaseState | undefined {
    return [...this.states.values()].find((s) => isOpen(s) && s.members.some((m) => m.functionName === functionName && m.aliasName === aliasName && m.state !== 'left' && m.state !== 'restored'));
  }

  // ---- use cases ---------------------------------------------------------------------------

  /**
   * Starts a release: reads every alias (refusing, before anything is written, what a release must
   * not move), records the start, publishes each member (no traffic), then steps them together.
   * Settles once the first step is in place (or the release ended before it); the rest is driven
   * in the background (waitForEnd follows it).
   */
  async start(started: StartReleaseInput): Promise<Outcome<ReleaseView>> {
    const begun = new Date().toISOString();
    const record = newOperationRecord();
    let state: ReleaseState | undefined;
    // The signal and the progress belong to this call: a later Resume builds from `input` alone.
    const { signal, progress, ...input } = started;
    try {
      await (this.loaded ??= this.load());
      const plan = validatePlan(input.plan);
      const problems = this.inputProblems(input);
      if (problems.length) throw invalid(problems.join(' '));
      if (!input.trusted) {
        const refusals = input.members.map((m) => (m.fn ? untrustedWorkspaceRefusal(m.fn, input.smokeTest) : undefined)).filter((r): r is OperationError => !!r);
        if (refusals.length) throw refusals[0];
      }
      progress?.(`Reading ${input.members.length} alias${input.members.length === 1 ? '' : 'es'}…`);
      const read = await this.readAliases(input.members, record, signal);
      throwIfAborted(signal, 'Nothing was changed.');
      const id = randomUUID().replace(/-/g, '').slice(0, 8);
      const members: ReleaseMemberRecord[] = read.map(({ member, alias }) => ({
        functionName: member.functionName,
        aliasName: member.aliasName,
        stable: alias.FunctionVersion!,
        before: aliasState(alias),
        ...(alias.AliasArn ? { aliasArn: alias.AliasArn } : {}),
      }));
      this.inputs.set(id, input);
      await this.append({ type: 'started', id, source: input.source, plan, members, driver: this.self, ...(input.stage ? { stage: input.stage } : {}), ...(input.promotedFrom ? { promotedFrom: input.promotedFrom } : {}) }, {});
      state = this.states.get(id)!;
      this.ctx.log.info(`Release ${id} of ${members.length} function${members.length === 1 ? '' : 's'} (${input.source}): ${describePlan(plan)}.`);
      await this.locked(id, () => this.advanceOnce(state!, { signal, progress }));
      if (isOpen(state)) this.ensureDriving(id);
      const out = this.outcome(begun, state, state.status === 'failed' || state.status === 'aborted' ? 'unchanged' : 'done', record);
      return signal?.aborted && isOpen(state) ? { ...out, note: goesOnNote(state.id) } : out;
    } catch (err) {
      const e = isCancelled(err) && !state && !(err instanceof OperationError) ? new CancelledError('Nothing was changed.') : asOperationError(err);
      if (state && isOpen(state)) {
        this.ensureDriving(state.id);
        return this.outcome(begun, state, 'unknown', record, e);
      }
      return this.outcome(begun, state, 'unchanged', record, e);
    }
  }

  /**
   * Resume (an interrupted, halted or waiting release goes on; at a manual gate, to the next
   * step), Restore All (every alias back to its before-state), Promote (every alias serves its new
   * version now), Abort (as Restore All, ended as aborted). Taken over from a process that ended.
   * `members`: for a Resume of a release whose members were not all published, what to build them from.
   */
  async control(id: string, action: ReleaseControl, members?: ReleaseMemberInput[], options: ReleaseControlOptions = {}): Promise<Outcome<ReleaseView>> {
    const begun = new Date().toISOString();
    const record = newOperationRecord();
    await (this.loaded ??= this.load()).catch(() => undefined);
    if (!this.drives.has(id)) await this.load().catch(() => undefined);
    const s = this.find(id);
    if (!s) return this.outcome(begun, undefined, 'unchanged', record, invalid(`No release ${id} in this journal for this connection.`));
    return this.locked(s.id, async () => {
      try {
        if (!isOpen(s)) throw invalid(`Release ${s.id} has ended: ${s.statusText}`);
        const other = this.otherDriver(s);
        if (other) throw new OperationError(`Release ${s.id} is driven by ${other} right now: use its controls there, or stop that process first.`, { state: 'Nothing was changed.', kind: 'conflict' });
        if (members?.length) this.inputs.set(s.id, { ...(this.inputs.get(s.id) ?? { source: s.source, plan: s.plan, trusted: true, smokeTest: false }), members });
        const resumed = action === 'resume' && s.status !== 'waiting';
        if (resumed || s.driver.instance !== this.self.instance || s.driver.pid !== this.self.pid) await this.append({ type: 'driver', id: s.id, driver: this.self, ...(resumed ? { resumed } : {}) }, {});
        switch (action) {
          case 'resume':
            if (s.status === 'waiting') await this.next(s, record);
            else await this.advanceOnce(s, options);
            break;
          case 'promote':
            await this.promoteAll(s, record, `Promoted now by ${this.self.holder}`);
            break;
          case 'restore':
          case 'abort':
            await this.restoreAll(s, record, action === 'restore' ? 'restored' : 'aborted', action === 'restore' ? `Restored by ${this.self.holder}` : `Aborted by ${this.self.holder}`);
            break;
        }
        if (isOpen(s)) this.ensureDriving(s.id);
        this.changed(s);
        const out = this.outcome(begun, s, 'done', record);
        return options.signal?.aborted && isOpen(s) ? { ...out, note: goesOnNote(s.id) } : out;
      } catch (err) {
        const e = asOperationError(err);
        return this.outcome(begun, s, e.kind === 'unknown' ? 'unknown' : 'unchanged', record, e);
      }
    });
  }

  /** Drives until the release ends; `onView` hears every change. Settles at dispose too (the release as it is then). */
  async waitForEnd(id: string, onView?: (v: ReleaseView) => void): Promise<ReleaseView> {
    const s = this.find(id);
    if (!s) throw new Error(`No release ${id}.`);
    // Stopped already (Ctrl-C during a start): the release as it is, left for the next process.
    if (!isOpen(s) || this.disposed) return this.viewOf(s);
    this.ensureDriving(s.id);
    return new Promise((resolve) => {
      const settle = () => {
        sub.dispose();
        this.waiters.delete(settle);
        resolve(this.viewOf(s));
      };
      const sub = this.onDidChange((v) => {
        if (v.id !== s.id) return;
        onView?.(v);
        if (!isOpen(s)) settle();
      });
      this.waiters.add(settle);
    });
  }

  /** Stops driving (writes in flight finish); the release stays open in the journal, and the next process shows it as interrupted. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopping.abort();
    for (const d of this.drives.values()) {
      d.stop = true;
      d.wake?.();
    }
    await Promise.allSettled([...this.drives.values()].map((d) => d.loop));
    this.drives.clear();
    for (const w of [...this.waiters]) w();
  }

  // ---- the steps -----------------------------------------------------------------------------

  private inputProblems(input: StartReleaseInput): string[] {
    const problems: string[] = [];
    if (input.members.length === 0) problems.push('A release needs at least one function.');
    if (input.members.length > MAX_RELEASE_MEMBERS) problems.push(`A release moves at most ${MAX_RELEASE_MEMBERS} functions; this one has ${input.members.length}.`);
    const seen = new Set<string>();
    for (const m of input.members) {
      const k = memberKey(m);
      if (seen.has(k)) problems.push(`${k} is in the release twice.`);
      seen.add(k);
      if (!m.fn && !m.artifact) problems.push(`${k}: nothing to build it from.`);
    }
    for (const m of input.members) {
      const open = this.holding(m.functionName, m.aliasName);
      if (open) problems.push(`${memberKey(m)} is in release ${open.id} (${open.status}), which has not ended: resume, restore or abort it first.`);
    }
    return problems;
  }

  /** Every member's alias, read and checked: a refusal lists every alias that cannot be moved, before anything is written. */
  private async readAliases(members: ReleaseMemberInput[], record: OperationRecord, signal?: AbortSignal): Promise<Array<{ member: ReleaseMemberInput; alias: AliasConfiguration }>> {
    const rollouts = (await this.ctx.journal?.rollouts?.()) ?? [];
    const problems: string[] = [];
    const read = await mapLimit(members, this.concurrency, async (member) => {
      const op = this.op(record);
      try {
        const alias = await this.throttled(() => getAlias(this.ctx.lambda, member.functionName, member.aliasName, eitherSignal(this.ctx.signal, signal)));
        const split = splitOf(alias);
        const k = memberKey(member);
        if (split.primary.version === '$LATEST') problems.push(`${k} points to $LATEST: switch it to a published version first.`);
        else if (split.canary) problems.push(`${k} runs a canary (version ${split.canary.version} at ${formatPercent(split.canary.weight)}): promote or roll it back first.`);
        const driving = rolloutDriving(alias, member, rollouts, this.now());
        if (driving) problems.push(`${k} has a rollout in progress${'lease' in driving ? ` driven by ${driving.lease.holder}` : ` (${driving.open.id})`}: let it end first.`);
        await checkCodeDeployGuard(this.ctx, op, member).catch((e: unknown) => problems.push(`${k}: ${(e as Error).message}`));
        return { member, alias };
      } catch (err) {
        if (isCancelled(err)) throw err;
        problems.push(`${memberKey(member)}: ${errorName(err) === 'ResourceNotFoundException' ? 'the function or alias does not exist' : errorSummary(err)}.`);
        return undefined;
      }
    });
    if (problems.length) throw new OperationError(`The release cannot start: ${problems.join(' ')}`, { state: 'Nothing was changed.', kind: 'validation', step: 'Read the aliases' });
    return read.filter((r): r is { member: ReleaseMemberInput; alias: AliasConfiguration } => !!r);
  }

  /** Does what the release's state calls for next, once: publish the pending members, put the current step in place, judge it. */
  private async advanceOnce(s: ReleaseState, call: ReleaseControlOptions = {}): Promise<void> {
    if (!isOpen(s) || s.status === 'halted' || s.status === 'waiting') return;
    if (s.current < 0) {
      const published = await this.publishPending(s, call);
      if (!published) return;
      // From here traffic moves: a cancel no longer stops the release.
      const first = s.plan.steps[0];
      call.progress?.(`Moving traffic: step 1 of ${s.plan.steps.length} (${first.weight >= 100 ? 'all at once' : `${first.weight}%`}) on ${stepping(s).length} alias${stepping(s).length === 1 ? '' : 'es'}…`);
      await this.beginStep(s, 0);
      return;
    }
    if (!(await this.settleStep(s))) return;
    await this.judgeCurrent(s);
  }

  /** Publishes the members not yet published. False: the release cannot step (ended, or held). */
  private async publishPending(s: ReleaseState, call: ReleaseControlOptions = {}): Promise<boolean> {
    const { signal } = call;
    const pending = s.members.filter((m) => m.state === 'pending');
    const input = this.inputs.get(s.id);
    const given = (m: MemberState) => input?.members.find((x) => memberKey(x) === memberKey(m));
    // A promotion publishes only the packages it was given, never a build of the workspace (a Resume from a folder offers one).
    const usable = (m: MemberState) => (s.promotedFrom ? given(m)?.artifact : given(m)?.fn || given(m)?.artifact);
    if (pending.length && pending.some((m) => !usable(m))) {
      await this.hold(
        s,
        s.promotedFrom
          ? `Halted: ${pending.map(memberKey).join(', ')} ${pending.length === 1 ? 'is' : 'are'} not published yet, and this process was not given the packages of release ${s.promotedFrom.release}: Restore All, then promote to ${s.stage ?? 'the stage'} again.`
          : `Halted: ${pending.map(memberKey).join(', ')} ${pending.length === 1 ? 'is' : 'are'} not published yet, and this process was not given their workspace: resume from the workspace (lambda-canary release resume ${s.id} in its folder), or Restore All.`,
      );
      return false;
    }
    const fullSwitch = s.plan.steps.every((st) => st.weight >= 100);
    if (pending.length) call.progress?.(`Publishing ${pending.length} function${pending.length === 1 ? '' : 's'} (build, upload, waiting for Lambda to publish the version)…`);
    let done = 0;
    await mapLimit(pending, this.publishConcurrency, async (m) => {
      const { fn, artifact } = given(m)!;
      if (s.promotedFrom && !artifact) return;
      if (signal?.aborted) return;
      const record = newOperationRecord();
      const op = { ...this.op(record), ...(signal ? { signal } : {}) };
      let packaged: string | undefined = artifact?.codeSha256;
      try {
        // Throttled still after the SDK's retries, a publish is run again: it reads $LATEST and the
        // versions afresh, uploads only what $LATEST lacks, and Lambda publishes no second version of the same code.
        // A package already made is uploaded as it is (publishCanary checks the published CodeSha256 is its own);
        // a package built here is kept first, for a later promotion of this release.
        const ref = { functionName: m.functionName, aliasName: m.aliasName, weightPercent: 0, publishOnly: true, fullSwitch };
        const onPackaged = async (pkg: { zip: Uint8Array; codeSha256: string }) => {
          packaged = pkg.codeSha256;
          if (this.options.artifacts) await this.keep(pkg.zip, m, op);
        };
        const r = await this.throttled(() =>
          artifact
            ? ops.publishCanary(op, { ...ref, zip: artifact.zip, codeSha256: artifact.codeSha256, ...(artifact.description ? { description: artifact.description } : {}) })
            : publishWorkspaceCanary(op, { ...ref, fn: fn!, trusted: input!.trusted, smokeTest: input!.smokeTest, onPackaged }),
        );
        const v = record.published[0];
        await this.append({ type: 'published', id: s.id, functionName: m.functionName, aliasName: m.aliasName, version: r.version, ...(v?.codeSha256 ? { codeSha256: v.codeSha256 } : {}) }, { record, member: m });
        if (pending.length > 1) call.progress?.(`Published ${++done} of ${pending.length} (${memberKey(m)}: version ${r.version}); waiting for the others…`);
      } catch (err) {
        const e = asOperationError(err);
        if (signal?.aborted && isCancelled(err)) {
          // Stopped at a safe point: no version of it gets traffic. What it had done is in the log.
          this.ctx.log.info(`Release ${s.id}: publishing ${memberKey(m)} cancelled. ${e.state ?? ''}`.trim());
          return;
        }
        if (e.nothingToDo) await this.append({ type: 'unchanged', id: s.id, functionName: m.functionName, aliasName: m.aliasName, message: e.message, ...(packaged ? { codeSha256: packaged } : {}) }, { record, member: m });
        else await this.append({ type: 'publish-failed', id: s.id, functionName: m.functionName, aliasName: m.aliasName, message: e.message }, { record, member: m });
      }
    });
    if (signal?.aborted) {
      await this.end(s, 'aborted', 'Cancelled while publishing, before any traffic moved: no alias was changed; the versions published so far get no traffic.');
      return false;
    }
    const failed = s.members.filter((m) => m.state === 'failed');
    if (failed.length) {
      await this.end(s, 'failed', `Failed before any traffic moved: ${failed.map((m) => `${memberKey(m)}: ${m.message}`).join(' ')} No alias was changed; the versions published for the others get no traffic.`);
      return false;
    }
    if (stepping(s).length === 0) {
      await this.end(s, 'unchanged', 'Nothing to release: every function\u2019s code is what its alias serves already.');
      return false;
    }
    return true;
  }

  private async beginStep(s: ReleaseState, index: number): Promise<void> {
    const step = s.plan.steps[index];
    if (step.weight >= 100) {
      await this.promoteAll(s, newOperationRecord(), index === 0 ? 'Promoted at once (all at once)' : `Promoted after step ${index}`);
      return;
    }
    await this.append({ type: 'step', id: s.id, index }, {});
    await this.settleStep(s);
  }

  /**
   * Puts the current step's weight on every stepping member that does not have it yet (a fresh
   * step, or one a restart interrupted). True when all have it. A teammate's write holds the
   * release; any other failed write restores every alias (the release ends failed).
   */
  private async settleStep(s: ReleaseState): Promise<boolean> {
    const weight = s.plan.steps[s.current].weight;
    const todo = stepping(s).filter((m) => m.weight !== weight || m.state === 'unknown');
    if (todo.length === 0) return true;
    let failure: OperationError | undefined;
    const record = newOperationRecord();
    const leftBefore = new Set(s.members.filter((m) => m.state === 'left'));
    await mapLimit(todo, this.concurrency, async (m) => {
      if (failure) return;
      try {
        await this.move(s, m, weight, record);
      } catch (err) {
        failure ??= asOperationError(err);
      }
    });
    if (failure) {
      await this.restoreAll(s, record, 'failed', `Failed at step ${s.current + 1} (${failure.message})`);
      return false;
    }
    const left = s.members.filter((m) => m.state === 'left' && !leftBefore.has(m));
    if (left.length && s.status === 'running') {
      await this.hold(s, leftHold(left));
      return false;
    }
    return s.status === 'running';
  }

  private async judgeCurrent(s: ReleaseState): Promise<void> {
    const index = s.current;
    const step = s.plan.steps[index];
    const now = this.now();
    const members = stepping(s);
    // Their metrics are read together: a few GetMetricData requests for all of them, not one each.
    const judgements = await judgeSteps(
      this.ctx.cloudwatch,
      this.timing,
      members.map((m) => ({ functionName: m.functionName, aliasName: m.aliasName, canary: m.version!, stable: m.stable, bakeStart: s.bakeStart ?? now, bakeMs: step.bakeSeconds * 1000, now, plan: s.plan })),
      this.stopping.signal,
    );
    const judged = members.map((m, i) => ({ m, j: judgements[i].judgement, missingAlarms: judgements[i].missingAlarms }));
    // A member still undecided after its bake may have lost its canary to someone else's write:
    // its alias is read (only these, so a long release does not read every alias every tick).
    // At most once every 5 ticks: a long wait for metrics does not read every alias every tick.
    const bakeOver = now >= (s.bakeStart ?? now) + step.bakeSeconds * 1000;
    const due = now - (this.aliasesChecked.get(s.id) ?? -Infinity) >= 5 * this.timing.tickMs;
    const undecided = bakeOver && due ? judged.filter((x) => x.j.verdict === 'Pending' || x.j.verdict === 'NoData') : [];
    if (undecided.length) {
      this.aliasesChecked.set(s.id, now);
      const leftNow: MemberState[] = [];
      await mapLimit(undecided, this.concurrency, async ({ m }) => {
        const alias = await this.throttled(() => getAlias(this.ctx.lambda, m.functionName, m.aliasName, this.stopping.signal));
        if (this.isOurs(m, alias)) return;
        await this.leave(s, m, alias);
        leftNow.push(m);
      });
      if (leftNow.length) {
        await this.hold(s, leftHold(leftNow));
        return;
      }
    }
    const verdictOf = (vs: RolloutVerdict[]): RolloutVerdict =>
      vs.includes('Fail') ? 'Fail' : vs.every((v) => v === 'Pass') ? 'Pass' : vs.includes('Marginal') ? 'Marginal' : vs.includes('Pending') ? 'Pending' : 'NoData';
    const verdict = verdictOf(judged.map((x) => x.j.verdict));
    const failing = judged.filter((x) => x.j.verdict === 'Fail');
    const sentence =
      verdict === 'Fail'
        ? failing.map((x) => `${memberKey(x.m)}: ${x.j.sentence}`).join(' ')
        : verdict === 'Pass'
          ? `All ${judged.length} functions passed step ${index + 1}.`
          : judged.filter((x) => x.j.verdict !== 'Pass').map((x) => `${memberKey(x.m)}: ${x.j.sentence}`).join(' ');
    const perMember = judged.map((x) => ({ functionName: x.m.functionName, aliasName: x.m.aliasName, verdict: x.j.verdict, sentence: x.j.sentence }));
    const changedVerdicts = judged.some((x) => x.m.verdict !== x.j.verdict || x.m.sentence !== x.j.sentence);
    if (verdict === 'Pending') {
      if (changedVerdicts) {
        for (const x of judged) Object.assign(x.m, { verdict: x.j.verdict, sentence: x.j.sentence });
        this.changed(s);
      }
      return;
    }
    const missing = [...new Set(judged.flatMap((x) => x.missingAlarms))];
    if (verdict !== 'Fail' && missing.length) {
      await this.hold(s, `Halted: the plan's alarms ${missing.join(', ')} do not exist in this account and region. Create them or Restore All; nothing was changed.`);
      return;
    }
    const extended = judged.every((x) => x.j.verdict !== 'NoData' || (x.j.extendedUntil !== undefined && now >= x.j.extendedUntil));
    if (verdict === 'NoData' && !extended) return;
    await this.append({ type: 'verdict', id: s.id, index, verdict, sentence, members: perMember }, {});
    if (verdict === 'Fail') {
      await this.restoreAll(s, newOperationRecord(), 'rolled-back', `Rolled back at step ${index + 1}: ${sentence}`);
      return;
    }
    if (verdict === 'Pass') {
      if (step.gate === 'manual') {
        await this.append({ type: 'hold', id: s.id, status: 'waiting', message: `Step ${index + 1} passed its manual gate's bake: Resume goes on, Promote promotes every function now.` }, {});
        this.changed(s);
        return;
      }
      await this.next(s, newOperationRecord());
      return;
    }
    await this.hold(s, `${verdict === 'Marginal' ? 'Marginal' : 'Not enough data'} at step ${index + 1}: ${sentence} Resume judges another bake; Restore All rolls every function back.`);
  }

  private async next(s: ReleaseState, record: OperationRecord): Promise<void> {
    const index = s.current + 1;
    if (index >= s.plan.steps.length) {
      if (!s.plan.promote) {
        await this.end(s, 'promoted', `Completed: every step passed; each alias keeps its new version at ${s.plan.steps[s.current].weight}% as the plan says (no promotion).`);
        return;
      }
      await this.promoteAll(s, record, 'Promoted: every step passed');
      return;
    }
    await this.beginStep(s, index);
  }

  /** Every stepping member's alias serves its new version; the release ends promoted (a failure part way restores all). */
  private async promoteAll(s: ReleaseState, record: OperationRecord, why: string): Promise<void> {
    const members = stepping(s);
    let failure: OperationError | undefined;
    // Traffic only ever goes to versions that are Active now: all checked before any alias moves.
    await mapLimit(members, this.concurrency, async (m) => {
      try {
        await this.throttled(() => ops.assertRoutable(this.op(record), m, m.stable, m.version!, `${m.aliasName} is unchanged.`, 'validation', false));
      } catch (err) {
        failure ??= asOperationError(err);
      }
    });
    if (!failure) {
      await mapLimit(members, this.concurrency, async (m) => {
        if (failure) return;
        try {
          await this.move(s, m, 100, record);
        } catch (err) {
          failure ??= asOperationError(err);
        }
      });
    }
    if (failure) {
      await this.restoreAll(s, record, 'failed', `Failed to promote (${failure.message})`);
      return;
    }
    const left = s.members.filter((m) => m.state === 'left');
    const promoted = stepping(s).filter((m) => m.state === 'promoted');
    await this.end(s, 'promoted', `${why}: ${promoted.map((m) => `${memberKey(m)} → ${m.version}`).join(', ')}.${left.length ? ` Left as someone else set ${left.length === 1 ? 'it' : 'them'}: ${left.map(memberKey).join(', ')}.` : ''}`);
  }

  /** Every alias the release moved back to its before-state (a teammate's write is left, and said); then the end. */
  private async restoreAll(s: ReleaseState, record: OperationRecord, result: ReleaseEnd, why: string): Promise<void> {
    const moved = s.members.filter((m) => m.state === 'routed' || m.state === 'promoted' || m.state === 'unknown');
    const failures: string[] = [];
    await mapLimit(moved, this.concurrency, async (m) => {
      try {
        await this.restore(s, m, record);
      } catch (err) {
        failures.push(`${memberKey(m)}: ${asOperationError(err).message}`);
      }
    });
    const restored = s.members.filter((m) => m.state === 'restored');
    const left = s.members.filter((m) => m.state === 'left');
    const parts = [`${why}.`];
    if (restored.length) parts.push(`Restored: ${restored.map((m) => `${memberKey(m)} → ${m.stable}`).join(', ')}.`);
    else if (!failures.length) parts.push('No alias had been moved.');
    if (left.length) parts.push(`Left as someone else set ${left.length === 1 ? 'it' : 'them'}: ${left.map(memberKey).join(', ')}.`);
    if (failures.length) {
      // Not ended: what could not be restored is still the release's; Restore All tries again.
      await this.hold(s, `${parts.join(' ')} Could not be restored yet: ${failures.join(' ')} Restore All tries again.`);
      return;
    }
    await this.end(s, result, parts.join(' '));
  }

  /** One member's alias to `weight`% on its new version (100: the alias serves it), fenced by what the release last saw of it. */
  private async move(s: ReleaseState, m: MemberState, weight: number, record: OperationRecord): Promise<void> {
    const op = this.op(record);
    const alias = await this.throttled(() => getAlias(this.ctx.lambda, m.functionName, m.aliasName, this.stopping.signal));
    const want = routingAt(m, weight);
    const mine = this.isOurs(m, alias);
    if (!mine) {
      await this.leave(s, m, alias);
      return;
    }
    if (sameRouting(aliasState(alias), want) && (m.weight !== weight || m.state === 'unknown')) {
      // The write landed already (an answer lost, or a restart between the write and its record).
      await this.append({ type: 'moved', id: s.id, index: s.current, functionName: m.functionName, aliasName: m.aliasName, weight, ...(alias.RevisionId ? { revisionId: alias.RevisionId } : {}) }, { member: m, after: alias });
      return;
    }
    try {
      const written = await this.throttled(() => ops.writeAlias(op, m, alias, { FunctionVersion: want.version, weights: want.weights }, `${m.aliasName} is unchanged.`));
      await this.append({ type: 'moved', id: s.id, index: s.current, functionName: m.functionName, aliasName: m.aliasName, weight, ...(written.RevisionId ? { revisionId: written.RevisionId } : {}) }, { record, member: m, before: alias, after: written });
    } catch (err) {
      const e = asOperationError(err);
      if (e.kind === 'conflict') {
        const now = await getAlias(this.ctx.lambda, m.functionName, m.aliasName).catch(() => alias);
        await this.leave(s, m, now);
        return;
      }
      if (e.kind === 'unknown') await this.append({ type: 'unknown', id: s.id, functionName: m.functionName, aliasName: m.aliasName, weight, message: e.message }, { record, member: m });
      throw e;
    }
  }

  private async restore(s: ReleaseState, m: MemberState, record: OperationRecord): Promise<void> {
    const alias = await this.throttled(() => getAlias(this.ctx.lambda, m.functionName, m.aliasName));
    if (sameRouting(aliasState(alias), m.before)) {
      await this.append({ type: 'restored', id: s.id, functionName: m.functionName, aliasName: m.aliasName, ...(alias.RevisionId ? { revisionId: alias.RevisionId } : {}) }, { member: m, after: alias });
      return;
    }
    if (!this.isOurs(m, alias)) {
      await this.leave(s, m, alias);
      return;
    }
    const op = this.op(record);
    try {
      const written = await this.throttled(() => ops.writeAlias(op, m, alias, { FunctionVersion: m.before.version, weights: m.before.weights }, `${m.aliasName} is unchanged.`));
      await this.append({ type: 'restored', id: s.id, functionName: m.functionName, aliasName: m.aliasName, ...(written.RevisionId ? { revisionId: written.RevisionId } : {}) }, { record, member: m, before: alias, after: written });
    } catch (err) {
      const e = asOperationError(err);
      if (e.kind === 'conflict') {
        await this.leave(s, m, await getAlias(this.ctx.lambda, m.functionName, m.aliasName).catch(() => alias));
        return;
      }
      if (e.kind === 'unknown') await this.append({ type: 'unknown', id: s.id, functionName: m.functionName, aliasName: m.aliasName, weight: 0, message: e.message }, { record, member: m });
      throw e;
    }
  }

  /**
   * Whether the alias is as this release left it: its RevisionId is the one the release last wrote
   * (or read at the start); or, after a write whose outcome was unknown, it routes as that write
   * meant. Without RevisionIds (some emulators) only the routing itself can tell.
   */
  private isOurs(m: MemberState, alias: AliasConfiguration): boolean {
    const now = aliasState(alias);
    if (m.intended !== undefined && sameRouting(now, routingAt(m, m.intended))) return true;
    if (alias.RevisionId && m.revisionId) return alias.RevisionId === m.revisionId;
    return sameRouting(now, m.weight === 0 ? m.before : routingAt(m, m.weight));
  }

  private async leave(s: ReleaseState, m: MemberState, alias: AliasConfiguration): Promise<void> {
    const routing = aliasState(alias);
    const text = `${m.aliasName} was changed by someone else (now ${routing.version}${Object.entries(routing.weights).map(([v, w]) => ` · ${v} at ${formatPercent(w)}`).join('')})`;
    await this.append({ type: 'left', id: s.id, functionName: m.functionName, aliasName: m.aliasName, message: text }, { member: m, after: alias });
  }

  /** A call the SDK gave up on for throttling did not take effect: it is tried again after a pause. */
  private async throttled<T>(call: () => Promise<T>): Promise<T> {
    const tries = this.options.throttleTries ?? 5;
    for (let i = 1; ; i++) {
      try {
        return await call();
      } catch (err) {
        const cause = err instanceof OperationError ? err.cause : err;
        const name = errorName(cause);
        if (i >= tries || !(name === 'TooManyRequestsException' || name === 'ThrottlingException')) throw err;
        const wait = (this.options.throttleWaitMs ?? 1000) * i;
        this.ctx.log.warn(`Lambda is throttling requests (${name}): waiting ${wait} ms before trying again.`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** The package a member uploads, kept for a later promotion; a store that cannot write warns (the release goes on, a promotion of it will refuse). */
  private async keep(zip: Uint8Array, m: MemberState, op: OperationContext): Promise<void> {
    try {
      await this.options.artifacts!.put(zip);
    } catch (err) {
      const note = `The package of ${memberKey(m)} could not be kept in ${this.options.artifacts!.dir} (${errorSummary(err)}): this release cannot be promoted to a next stage.`;
      op.log.warn(note);
      op.record?.warnings.push(note);
    }
  }

  private async hold(s: ReleaseState, message: string): Promise<void> {
    if (s.status === 'halted' && s.statusText === message) return;
    await this.append({ type: 'hold', id: s.id, status: 'halted', message }, {});
  }

  private async end(s: ReleaseState, result: ReleaseEnd, message: string): Promise<void> {
    await this.append({ type: 'ended', id: s.id, result, message }, {});
    this.ctx.log.info(`Release ${s.id}: ${message}`);
  }

  // ---- the loop ----------------------------------------------------------------------------

  private ensureDriving(id: string): void {
    if (this.disposed || this.drives.has(id)) return;
    const drive: Drive = { stop: false, loop: Promise.resolve() };
    this.drives.set(id, drive);
    drive.loop = (async () => {
      while (!drive.stop) {
        const s = this.states.get(id);
        if (!s || !isOpen(s)) break;
        try {
          await this.locked(id, () => this.advanceOnce(s));
        } catch (err) {
          if (drive.stop) break;
          this.ctx.log.warn(`Release ${id}: ${asOperationError(err).message} (retrying).`);
        }
        if (drive.stop || !isOpen(s)) break;
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.timing.tickMs);
          drive.wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
      if (this.drives.get(id) === drive) this.drives.delete(id);
      const s = this.states.get(id);
      if (s) this.changed(s);
    })();
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Someone else who drives the release now (a live process on this host), in words; undefined: nobody, or this runner. */
  private otherDriver(s: ReleaseState): string | undefined {
    const d = s.driver;
    // This process's own runners (one that was disposed, in tests) and other hosts' cannot be told alive.
    if (!d || d.pid === this.self.pid || d.host !== this.self.host) return undefined;
    return pidAlive(d.pid) ? `${d.holder} (process ${d.pid})` : undefined;
  }

  /** Open, and driven by nobody: not by this runner (no loop, nothing in progress), nor by a live process on this host. */
  private interrupted(s: ReleaseState): boolean {
    return isOpen(s) && !this.drives.has(s.id) && !this.locks.has(s.id) && !this.otherDriver(s);
  }

  private viewOf(s: ReleaseState): ReleaseView {
    const self = s.driver?.pid === this.self.pid && s.driver.instance === this.self.instance;
    return viewOf(s, s.driver ? { holder: s.driver.holder, self } : undefined, this.interrupted(s));
  }

  private op(record: OperationRecord): OperationContext {
    return { lambda: this.ctx.lambda, log: this.ctx.log, waiters: this.ctx.capabilities.waiters, profile: this.ctx.profile, record };
  }

  private async append(event: ReleaseEvent, extra: { record?: OperationRecord; member?: MemberState | ReleaseMemberRecord; before?: AliasConfiguration; after?: AliasConfiguration }): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const s = this.states.get(event.id);
    const target: Target = extra.member
      ? targetOf(extra.member, extra.after ?? extra.before ?? { AliasArn: (extra.member as ReleaseMemberRecord).aliasArn }, this.ctx.region)
      : releaseTarget(event.type === 'started' ? event.members[0] : s?.members[0], event.id, this.ctx.region);
    const outcome: Outcome<ReleaseDetail> = {
      id: randomUUID(),
      action: 'release',
      target,
      startedAt: at,
      endedAt: at,
      ...(extra.before ? { before: aliasState(extra.before) } : {}),
      ...(extra.after ? { after: aliasState(extra.after) } : {}),
      versionsPublished: extra.record?.published.splice(0) ?? [],
      steps: extra.record?.steps.splice(0) ?? [],
      state: 'done',
      warnings: extra.record ? [...new Set(extra.record.warnings.splice(0))] : [],
      detail: { release: event },
    };
    if (event.type === 'started') {
      const folded = foldReleases([{ ...outcome, key: targetKey(target) }]).get(event.id);
      if (folded) this.states.set(event.id, folded);
    } else if (s) applyRelease(s, event, Date.parse(at));
    if (this.ctx.journal) {
      try {
        await this.ctx.journal.append(outcome);
      } catch (err) {
        this.ctx.log.error(`Release ${event.id}: its ${event.type} record could not be written to the deployment journal (${errorSummary(err)}); a restart would not know of it.`);
      }
    }
    const now = this.states.get(event.id);
    if (now) this.changed(now);
  }

  private locked<T>(id: string, run: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }

  private changed(s: ReleaseState): void {
    const v = this.viewOf(s);
    for (const l of [...this.changeListeners]) {
      try {
        l(v);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private outcome(startedAt: string, s: ReleaseState | undefined, state: OutcomeState, record: OperationRecord, error?: OperationError): Outcome<ReleaseView> {
    return {
      id: randomUUID(),
      action: 'release',
      target: releaseTarget(s?.members[0], s?.id ?? '', this.ctx.region),
      startedAt,
      endedAt: new Date().toISOString(),
      versionsPublished: [],
      steps: record.steps,
      state,
      ...(error ? { error: { kind: error.kind, message: error.message, ...(error.step ? { step: error.step } : {}), ...(error.state ? { left: error.state } : {}) } } : {}),
      warnings: [...new Set(record.warnings)],
      ...(s ? { detail: this.viewOf(s) } : {}),
    };
  }
}

/** Why a release holds after someone else wrote some of its aliases. */
function leftHold(left: readonly MemberState[]): string {
  return `Halted: ${left.map((m) => `${memberKey(m)} (${m.message})`).join(', ')}. The release does not touch ${left.length === 1 ? 'it' : 'them'} again. Resume goes on with the others; Restore All returns them to where they were.`;
}

/** The routing a member's alias has at `weight`% on its new version. */
function routingAt(m: MemberState, weight: number): AliasState {
  if (weight >= 100) return { version: m.version!, weights: {} };
  if (weight <= 0) return { version: m.stable, weights: {} };
  return { version: m.stable, weights: { [m.version!]: percentToWeight(weight) } };
}

/** The journal's key of a release's own records: not an alias (no function is named `(release)`). */
function releaseTarget(first: { aliasArn?: string } | undefined, id: string, region?: string): Target {
  const t = targetOf({ functionName: '(release)', aliasName: id }, first?.aliasArn ? { AliasArn: first.aliasArn } : undefined, region);
  return { ...t, function: '(release)', alias: id };
}

function invalid(message: string): OperationError {
  return new OperationError(message, { state: 'Nothing was changed.', kind: 'validation' });
}

function asOperationError(err: unknown): OperationError {
  if (err instanceof OperationError) return err;
  if (isCancelled(err)) return new OperationError('Cancelled.', { kind: 'cancelled', cause: err });
  return new OperationError(`Lambda Canary failed unexpectedly: ${errorSummary(err)}`, { cause: err });
}

/** One signal for two (either may be absent): aborted when either is. */
function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}
