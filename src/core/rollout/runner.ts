import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { errorSummary, OperationError } from '../errors';
import { getAlias } from '../lambdaApi';
import * as ops from '../operations';
import { newOperationRecord } from '../operations';
import type { OperationContext, OperationRecord } from '../operations';
import type { Outcome, OutcomeState } from '../outcome';
import { aliasState, targetKey, targetOf } from '../outcome';
import { aliasLabel, formatPercent, percentToWeight, splitOf } from '../routing';
import type { UseCaseContext } from '../usecases/context';
import { checkCodeDeployGuard } from '../usecases/context';
import { currentUser } from '../user';
import type { RolloutControl, RolloutEvidenceView, RolloutView } from '../../shared/rollout';
import { stepLabel } from '../../shared/rollout';
import { judgeStep } from './judgeStep';
import type { Judgement } from './judge';
import type { Lease } from './lease';
import { holderText, isOwnLease, leaseLive, markerName, parseLease, withLease } from './lease';
import type { RolloutPlan } from './plans';
import { describePlan, validatePlan } from './plans';
import type { RolloutDetail, RolloutEnd, RolloutEvent, RolloutState } from './records';
import { apply, foldRollouts, isActive, viewOf } from './records';

/**
 * The rollout runner: steps an alias's traffic through a plan, judged on CloudWatch evidence, with
 * the guarded alias write of every other action. It holds no state of its own that matters: every
 * step, verdict and control action is a journal record (records.ts), so a reload, a restart or
 * another runner on the same journal carries on where it was; bake time is counted from the
 * records' timestamps, and metrics that arrived meanwhile are judged when it resumes.
 *
 * One driver per alias: the lease in the alias description (lease.ts), taken and renewed with the
 * alias's RevisionId, so every write of a driver is fenced by the revision it last wrote. A
 * revision that moved without it is a teammate's write: the rollout holds and writes nothing.
 */

export interface RolloutTiming {
  /** How often a driven rollout is looked at. */
  tickMs: number;
  /** How long a lease binds others after its last renewal, and how long before its end it is renewed. */
  leaseTtlMs: number;
  renewBeforeMs: number;
  /** Metric period judged, and how long after a period ends it counts as complete without a later datapoint. */
  periodSeconds: number;
  settleMs: number;
  /** The stable version's history read before the bake, for a sharper estimate of its rate. */
  stableHistoryMs: number;
  /** Reads failing this long in a row hold the rollout (before that, each tick retries). */
  errorPatienceMs: number;
}

export function rolloutTiming(ctx: Pick<UseCaseContext, 'capabilities'>): RolloutTiming {
  if (ctx.capabilities.highResolutionMetrics) {
    return { tickMs: 1000, leaseTtlMs: 20_000, renewBeforeMs: 12_000, periodSeconds: 1, settleMs: 3000, stableHistoryMs: 10 * 60_000, errorPatienceMs: 60_000 };
  }
  // AWS: one-minute Lambda metrics that land a minute or two late.
  return { tickMs: 20_000, leaseTtlMs: 180_000, renewBeforeMs: 100_000, periodSeconds: 60, settleMs: 180_000, stableHistoryMs: 30 * 60_000, errorPatienceMs: 10 * 60_000 };
}

export interface RunnerOptions {
  client: 'vscode' | 'cli';
  timing?: Partial<RolloutTiming>;
  user?: string;
  host?: string;
  pid?: number;
  now?: () => number;
}

export interface RolloutNotice {
  /** attention: a person is needed; ended: promoted, rolled back, aborted, completed. */
  kind: 'attention' | 'ended';
  message: string;
  view: RolloutView;
}

export interface StartRolloutInput {
  functionName: string;
  aliasName: string;
  version: string;
  plan: RolloutPlan;
  /** The RevisionId the user decided on: nothing is written if the alias changed since. */
  expectedRevisionId?: string;
}

export interface ControlInput {
  functionName: string;
  aliasName: string;
  action: RolloutControl;
}

interface Drive {
  stop: boolean;
  wake?: () => void;
  loop: Promise<void>;
  failingSince?: number;
}

/** A write whose answer was lost and could not be read back: the next look at the alias decides. */
interface Pending {
  event: RolloutEvent;
  before: AliasConfiguration;
  primary: string;
  weights: Record<string, number>;
  description: string;
}

/** How often a watching runner reads the journal for the driver's records. */
const WATCH_RELOAD_MS = 5000;

export class RolloutRunner {
  readonly timing: RolloutTiming;
  private readonly self: { holder: string; pid: number; instance: string; client: 'vscode' | 'cli' };
  private readonly now: () => number;
  private readonly states = new Map<string, RolloutState>();
  private readonly drives = new Map<string, Drive>();
  private readonly evidence = new Map<string, RolloutEvidenceView>();
  /** The lease each rollout's alias showed when last read. */
  private readonly leases = new Map<string, Lease | undefined>();
  private readonly pending = new Map<string, Pending>();
  private readonly changeListeners = new Set<(v: RolloutView) => void>();
  private readonly noticeListeners = new Set<(n: RolloutNotice) => void>();
  /** Per rollout: one thing at a time (a tick or a control), in order. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private loaded?: Promise<void>;
  private lastLoad = 0;
  /** waitForEnd's promises, settled by dispose too. */
  private readonly waiters = new Set<() => void>();
  /** Journal appends on their way. */
  private readonly writing = new Set<Promise<void>>();
  private disposed = false;
  /** Aborts the reads of ticks in progress when the runner stops (writes are never abandoned). */
  private readonly stopping = new AbortController();

  constructor(
    private readonly ctx: UseCaseContext,
    options: RunnerOptions,
  ) {
    this.timing = { ...rolloutTiming(ctx), ...options.timing };
    this.now = options.now ?? Date.now;
    const user = markerName(options.user ?? currentUser());
    const host = markerName(options.host ?? os.hostname());
    this.self = { holder: `${user}@${host}`, pid: options.pid ?? process.pid, instance: randomUUID().slice(0, 4), client: options.client };
  }

  // ---- what front ends read ----------------------------------------------------------------

  onDidChange(listener: (v: RolloutView) => void): { dispose(): void } {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  onNotice(listener: (n: RolloutNotice) => void): { dispose(): void } {
    this.noticeListeners.add(listener);
    return { dispose: () => this.noticeListeners.delete(listener) };
  }

  /** Every rollout the journal knows on this connection, newest first. */
  views(): RolloutView[] {
    return [...this.states.values()].sort((a, b) => b.startedAt - a.startedAt).map((s) => this.viewOf(s));
  }

  /** The alias's active rollout, else its latest. */
  view(functionName: string, aliasName: string): RolloutView | undefined {
    const all = [...this.states.values()].filter((s) => s.functionName === functionName && s.aliasName === aliasName).sort((a, b) => b.startedAt - a.startedAt);
    const s = all.find(isActive) ?? all[0];
    return s ? this.viewOf(s) : undefined;
  }

  /** Whether this runner drives the rollout now. */
  isDriving(id: string): boolean {
    return this.drives.has(id) && isOwnLease(this.leases.get(id), this.self);
  }

  /** Reads the journal (again) and folds it: other runners on the same journal may have written since. */
  async load(): Promise<void> {
    const outcomes = (await this.ctx.journal?.rollouts?.()) ?? [];
    this.lastLoad = this.now();
    for (const [id, s] of foldRollouts(outcomes)) {
      const mine = this.states.get(id);
      // In place: a tick in progress holds this object. This runner's own records are folded in already.
      if (!mine) this.states.set(id, s);
      else if (s.lastAt >= mine.lastAt && (s.lastAt > mine.lastAt || s.status !== mine.status || s.current !== mine.current)) {
        Object.assign(mine, s);
        this.changed(mine);
      }
    }
  }

  /** On start-up: every active rollout of the journal is looked at, and driven when its lease is free. */
  async resumeAll(): Promise<void> {
    this.loaded ??= this.load();
    await this.loaded;
    for (const s of this.states.values()) if (isActive(s)) this.ensureDriving(s.id);
  }

  // ---- use cases ---------------------------------------------------------------------------

  /** Starts a rollout: the first step's weight and the lease in one guarded write. */
  async start(input: StartRolloutInput): Promise<Outcome<RolloutView>> {
    const begun = new Date().toISOString();
    const record = newOperationRecord();
    const op = this.op(record);
    let state: RolloutState | undefined;
    try {
      await (this.loaded ??= this.load());
      const plan = validatePlan(input.plan);
      if (input.version === '$LATEST' || !/^[0-9]+$/.test(input.version)) {
        throw invalid(`A rollout needs a published version, not '${input.version}': publish one first.`);
      }
      const alias = await ops.loadAlias(op, input);
      const problem = this.startProblem(alias, { ...input, firstWeight: plan.steps[0].weight });
      if (problem) throw problem;
      const { userText } = parseLease(alias.Description);
      const split = splitOf(alias);
      const first = plan.steps[0];
      // A canary in flight passed startProblem only as this plan's first step: it is taken over.
      const adopting = split.canary !== undefined;
      // A plan of only 100% splits nothing: the versions need no common execution role.
      await ops.assertRoutable(op, input, split.primary.version, input.version, `${input.aliasName} is unchanged.`, 'validation', plan.steps.some((st) => st.weight < 100));
      await checkCodeDeployGuard(this.ctx, op, input);

      const id = randomUUID().replace(/-/g, '').slice(0, 8);
      const target = targetOf(input, alias, this.ctx.region);
      const started: RolloutEvent = { type: 'started', id, functionName: input.functionName, aliasName: input.aliasName, version: input.version, stable: split.primary.version, plan, description: userText };
      await this.append(targetKey(target), input, started, {});
      state = this.states.get(id)!;
      this.ctx.log.info(`Rollout ${id} of version ${input.version} on ${input.aliasName}: ${describePlan(plan)}.`);
      if (first.weight >= 100) {
        await this.finish(state, alias, 'promoted', `Promoted at once (${plan.name ?? 'all at once'}): ${input.aliasName} serves version ${input.version}.`, op, record);
      } else {
        const lease = this.leaseFor(state, 0);
        const event: RolloutEvent = { type: 'step', id, index: 0, weight: first.weight, ...(adopting ? { adopted: true } : {}) };
        const written = await this.write(state, alias, op, event, split.primary.version, { [input.version]: percentToWeight(first.weight) }, withLease(userText, lease));
        this.leases.set(id, lease);
        await this.append(state.key, state, withRevision(event, written.RevisionId), { record, before: alias, after: written });
        this.ensureDriving(id);
      }
      return this.outcome(input, begun, state, 'done', record);
    } catch (err) {
      const e = asOperationError(err);
      if (state && isActive(state)) {
        if (e.kind === 'unknown') {
          // The alias may or may not route the first step: the runner reads it back and decides.
          this.ensureDriving(state.id);
          return this.outcome(input, begun, state, 'unknown', record, e);
        }
        await this.append(state.key, state, { type: 'ended', id: state.id, result: 'abandoned', message: `Not started: ${e.message}` }, {}).catch(() => undefined);
      }
      return this.outcome(input, begun, state, 'unchanged', record, e);
    }
  }

  /**
   * Why a rollout cannot start on this alias as it is now, or undefined: a rollout this journal
   * holds open, another driver's live lease, and — given the version and the first step's weight —
   * the version it already serves, or a canary in flight that is not that version at that weight
   * (one that is, is taken over as step 1). The checks start() makes before it writes; front ends
   * ask them first, to refuse before they ask questions or build anything.
   */
  startProblem(alias: AliasConfiguration, input: { functionName: string; aliasName: string; version?: string; firstWeight?: number }): OperationError | undefined {
    const active = [...this.states.values()].find((s) => isActive(s) && s.functionName === input.functionName && s.aliasName === input.aliasName);
    if (active) return invalid(`${input.aliasName} already has a rollout of version ${active.version} (${active.status}, ${stepLabel(viewOf(active))}): resume, promote or abort it first.`);
    const { lease } = parseLease(alias.Description);
    if (lease && leaseLive(lease, this.now(), this.self)) {
      return new OperationError(`${input.aliasName} has a rollout driven by ${holderText(lease)} since ${iso(lease.since)}: it must end (or its lease expire at ${iso(lease.until)}) first.`, {
        state: 'Nothing was changed.',
        kind: 'conflict',
      });
    }
    if (input.version === undefined || input.firstWeight === undefined) return undefined;
    const split = splitOf(alias);
    if (split.primary.version === input.version) return invalid(`${input.aliasName} already serves version ${input.version}: a rollout needs another version.`);
    if (split.primary.version === '$LATEST') return invalid(`${input.aliasName} points to $LATEST. A rollout needs a published primary version: switch ${input.aliasName} to a version first.`);
    const { canary } = split;
    if (canary && !(canary.version === input.version && Math.abs(canary.weight - percentToWeight(input.firstWeight)) < 1e-9)) {
      return invalid(
        `${input.aliasName} runs a canary (version ${canary.version} at ${formatPercent(canary.weight)}): promote or roll it back first, or roll out version ${canary.version} with a plan whose first step is ${formatPercent(canary.weight)} to take that canary over.`,
      );
    }
    return undefined;
  }

  /** Pause, Resume, Next step, Promote now, Abort: by the driver, or by whoever takes a free lease. */
  async control(input: ControlInput): Promise<Outcome<RolloutView>> {
    const begun = new Date().toISOString();
    const record = newOperationRecord();
    await (this.loaded ??= this.load()).catch(() => undefined);
    await this.load().catch(() => undefined);
    const s = [...this.states.values()].filter((x) => x.functionName === input.functionName && x.aliasName === input.aliasName && isActive(x)).sort((a, b) => b.startedAt - a.startedAt)[0];
    if (!s) {
      // A rollout of another journal (another machine, the CLI in CI) still says who drives it.
      const alias = await getAlias(this.ctx.lambda, input.functionName, input.aliasName).catch(() => undefined);
      const lease = parseLease(alias?.Description).lease;
      if (lease && leaseLive(lease, this.now(), this.self)) {
        const e = new OperationError(
          `${input.aliasName} has a rollout (step ${lease.step + 1}/${lease.steps}) driven by ${holderText(lease)} since ${iso(lease.since)}, which this journal does not hold: use the controls there, or wait until its lease expires at ${iso(lease.until)}.`,
          { state: 'Nothing was changed.', kind: 'conflict' },
        );
        return this.outcome(input, begun, undefined, 'unchanged', record, e);
      }
      return this.outcome(input, begun, undefined, 'unchanged', record, invalid(`${input.aliasName} has no rollout in progress that this journal knows of.`));
    }
    return this.locked(s.id, async () => {
      const op = this.op(record);
      try {
        const alias = await ops.loadAlias(op, input);
        const fresh = await this.claim(s, alias, op, input.action);
        if (!fresh || !isActive(s)) return this.outcome(input, begun, s, 'unchanged', record, invalid(`The rollout has ended: ${s.statusText}`));
        const wasWaiting = s.status === 'waiting';
        await this.append(s.key, s, { type: 'control', id: s.id, action: input.action }, {});
        switch (input.action) {
          case 'pause':
            break;
          case 'resume':
            // At a manual gate, going on is the next step.
            if (wasWaiting) await this.advance(s, fresh, op, record, 'Resume at a manual gate');
            break;
          case 'next':
            await this.advance(s, fresh, op, record, 'Next step');
            break;
          case 'promote':
            await this.finish(s, fresh, 'promoted', `Promoted now by ${holderText(this.self)}: ${s.aliasName} serves version ${s.version}.`, op, record);
            break;
          case 'abort':
            await this.finish(s, fresh, 'aborted', `Aborted by ${holderText(this.self)}: version ${s.version} gets no traffic from ${s.aliasName}.`, op, record);
            break;
        }
        this.ensureDriving(s.id);
        this.changed(s);
        return this.outcome(input, begun, s, 'done', record);
      } catch (err) {
        const e = asOperationError(err);
        return this.outcome(input, begun, s, e.kind === 'unknown' ? 'unknown' : 'unchanged', record, e);
      }
    });
  }

  /** Drives until the rollout ends (the CLI's --wait); `onView` hears every change. */
  async waitForEnd(id: string, onView?: (v: RolloutView) => void): Promise<RolloutView> {
    const s = this.states.get(id);
    if (!s) throw new Error(`No rollout ${id}.`);
    if (!isActive(s)) {
      await this.flushed();
      return this.viewOf(s);
    }
    this.ensureDriving(id);
    return new Promise((resolve) => {
      const settle = () => {
        sub.dispose();
        this.waiters.delete(settle);
        resolve(this.viewOf(this.states.get(id)!));
      };
      const sub = this.onDidChange((v) => {
        if (v.id !== id) return;
        onView?.(v);
        if (!isActive(this.states.get(id)!)) settle();
      });
      // Stopped (Ctrl-C in the CLI): the rollout as it is now, still running without a driver.
      this.waiters.add(settle);
    });
  }

  /** Stops driving; own leases are let go at once (so a reloaded window takes over without waiting for them to expire). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopping.abort();
    const ids = [...this.drives.keys()];
    for (const d of this.drives.values()) {
      d.stop = true;
      d.wake?.();
    }
    await Promise.allSettled([...this.drives.values()].map((d) => d.loop));
    await Promise.allSettled(ids.map((id) => this.locked(id, () => this.release(id))));
    this.drives.clear();
    for (const w of [...this.waiters]) w();
  }

  // ---- the loop ----------------------------------------------------------------------------

  private ensureDriving(id: string): void {
    if (this.disposed || this.drives.has(id)) return;
    const drive: Drive = { stop: false, loop: Promise.resolve() };
    this.drives.set(id, drive);
    drive.loop = (async () => {
      while (!drive.stop) {
        const s = this.states.get(id);
        if (!s || !isActive(s)) break;
        try {
          await this.locked(id, () => this.tick(s));
          drive.failingSince = undefined;
        } catch (err) {
          const e = asOperationError(err);
          drive.failingSince ??= this.now();
          this.ctx.log.warn(`Rollout ${id} on ${s.aliasName}: ${e.message} (retrying).`);
          if (this.now() - drive.failingSince >= this.timing.errorPatienceMs && s.status !== 'halted') {
            await this.hold(s, 'halted', `Halted: reading ${s.aliasName} or its metrics has failed for ${Math.round((this.now() - drive.failingSince) / 1000)} s (${e.message}). Nothing was changed; Resume retries.`).catch(() => undefined);
          }
        }
        if (drive.stop || !isActive(this.states.get(id)!)) break;
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.timing.tickMs);
          drive.wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
      if (this.drives.get(id) === drive && !isActive(this.states.get(id)!)) this.drives.delete(id);
    })();
  }

  private async tick(s: RolloutState): Promise<void> {
    const record = newOperationRecord();
    const op = this.op(record);
    const alias = await getAlias(this.ctx.lambda, s.functionName, s.aliasName, this.stopping.signal);
    // The alias as the claim left it (a renewal moved its revision).
    const current = await this.claim(s, alias, op, false);
    // Held, paused or waiting, it is still judged: a failing canary is rolled back whatever the status.
    if (!current || !isActive(s)) return;
    const now = this.now();
    const plan = s.plan;
    const { judgement: j, missingAlarms } = await judgeStep(
      this.ctx.cloudwatch,
      this.timing,
      { functionName: s.functionName, aliasName: s.aliasName, canary: s.version, stable: s.stable, bakeStart: s.bakeStart ?? now, bakeMs: s.bakeMs ?? 0, now, plan },
      this.stopping.signal,
    );
    this.evidence.set(s.id, evidenceView(j, now));
    this.changed(s);
    const index = s.current;
    if (j.verdict === 'Fail') {
      await this.verdict(s, index, j);
      await this.finish(s, current, 'rolled-back', `Rolled back at ${stepLabel(viewOf(s))}: ${j.sentence}`, op, record);
      return;
    }
    if (missingAlarms.length) {
      // Never taken as OK: no step goes on, though a failing canary is still rolled back (above).
      await this.hold(s, 'halted', `Halted: the plan's alarm${missingAlarms.length === 1 ? '' : 's'} ${missingAlarms.join(', ')} do${missingAlarms.length === 1 ? 'es' : ''} not exist in this account and region. Create ${missingAlarms.length === 1 ? 'it' : 'them'} or change the plan, then Resume; nothing was changed.`);
      return;
    }
    if (s.status !== 'running') return;
    if (j.verdict === 'Pass') {
      await this.verdict(s, index, j);
      if (s.plan.steps[index].gate === 'manual') {
        await this.hold(s, 'waiting', `Step ${index + 1} passed its manual gate's bake (${j.sentence}) Next step or Promote now goes on.`);
        return;
      }
      await this.advance(s, current, op, record, 'Pass');
      return;
    }
    if (j.verdict === 'Marginal' || (j.verdict === 'NoData' && j.extendedUntil !== undefined && now >= j.extendedUntil)) {
      await this.verdict(s, index, j);
      await this.hold(s, 'halted', `${j.verdict === 'Marginal' ? 'Marginal' : 'Not enough data'} at ${stepLabel(viewOf(s))}: ${j.sentence} Resume judges another bake, Next step goes on, Abort rolls back.`);
    }
  }

  /**
   * Makes sure this runner may write: the alias is as the rollout last left it (or as a lost write
   * of it meant it to be), and the lease is this runner's, taken or renewed. False: it may not
   * (another driver; a teammate's change, now held). `force`: a control by a person, who may
   * resume a held rollout on the alias as it is now.
   */
  private async claim(s: RolloutState, alias: AliasConfiguration, op: OperationContext, force: RolloutControl | false): Promise<AliasConfiguration | undefined> {
    const now = this.now();
    const { lease } = parseLease(alias.Description);
    this.leases.set(s.id, lease);
    if (lease && !isOwnLease(lease, this.self) && leaseLive(lease, now, this.self)) {
      if (force) throw new OperationError(`This rollout is driven by ${holderText(lease)} since ${iso(lease.since)}: use the controls there, or wait until its lease expires at ${iso(lease.until)}.`, { state: 'Nothing was changed.', kind: 'conflict' });
      // Watching: the driver's records (on a shared journal) are read now and then.
      if (now - this.lastLoad >= WATCH_RELOAD_MS) await this.load().catch(() => undefined);
      this.changed(s);
      return undefined;
    }
    // Not this runner's lease (expired, let go, or none): before deciding anything, the journal,
    // which may hold what another driver did up to its last write (its end, too).
    if (!isOwnLease(lease, this.self)) {
      await this.load();
      if (!isActive(s)) return undefined;
    }
    if (lease && lease.rollout !== s.id) {
      // Another rollout (from another journal) took this alias after ours was left: ours is over.
      await this.append(s.key, s, { type: 'ended', id: s.id, result: 'abandoned', message: `Ended: ${s.aliasName} has another rollout (${lease.rollout}) since ${iso(lease.since)}; this one was left without a driver.` }, {});
      return undefined;
    }
    const pending = this.pending.get(s.id);
    if (pending) {
      this.pending.delete(s.id);
      if (alias.RevisionId !== pending.before.RevisionId && alias.FunctionVersion === pending.primary && ops.sameWeights(alias.RoutingConfig?.AdditionalVersionWeights, pending.weights) && (alias.Description ?? '') === pending.description) {
        this.ctx.log.warn(`Rollout ${s.id}: the write whose answer was lost reads back as intended: it went through.`);
        await this.append(s.key, s, withRevision(pending.event, alias.RevisionId), { before: pending.before, after: alias });
        if (pending.event.type === 'ended') this.notice(s, 'ended', pending.event.message);
        if (!isActive(s)) return undefined;
      }
    }
    if (alias.RevisionId !== s.revisionId) {
      const adopted = await this.adopt(s, alias, lease);
      if (!isActive(s)) return undefined;
      if (!adopted) {
        if (s.current < 0) {
          // The first step's write never landed (or its outcome was lost and the alias shows no sign of it).
          await this.append(s.key, s, { type: 'ended', id: s.id, result: 'abandoned', message: `Not started: the first step's write is not on ${s.aliasName}, which routes ${aliasLabel(alias)}.` }, {});
          return undefined;
        }
        if (!force) {
          if (s.status !== 'halted') await this.hold(s, 'halted', `Halted: someone else changed ${s.aliasName} during the rollout (it now routes ${aliasLabel(alias)}). Nothing was written; Resume goes on from the alias as it is, Abort ends the rollout.`);
          return undefined;
        }
        // A person resumes (or goes on with) a held rollout on the alias as it is now, if it still runs this canary.
        const split = splitOf(alias);
        if (force !== 'abort' && (split.primary.version !== s.stable || (split.canary && split.canary.version !== s.version))) {
          throw new OperationError(`${s.aliasName} now routes ${aliasLabel(alias)}: it no longer runs version ${s.version} beside ${s.stable}, so this rollout cannot go on. Abort ends it.`, {
            state: 'Nothing was changed.',
            kind: 'conflict',
          });
        }
        // Abort of a rollout someone else moved on: no lease is taken, the abort writes what it must.
        if (force === 'abort') return alias;
      }
    }
    if (!isOwnLease(lease, this.self) || lease!.until - now < this.timing.renewBeforeMs || (force && alias.RevisionId !== s.revisionId)) {
      const next = this.leaseFor(s, Math.max(0, s.current), lease && isOwnLease(lease, this.self) ? lease.since : now);
      const split = splitOf(alias);
      const weights = { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) };
      const written = await ops.writeAlias(op, s, alias, { FunctionVersion: split.primary.version, weights, description: withLease(s.description, next) }, 'Nothing was changed.');
      this.leases.set(s.id, next);
      await this.append(s.key, s, { type: 'lease', id: s.id, revisionId: written.RevisionId }, { before: alias, after: written });
      return written;
    }
    return alias;
  }

  /**
   * The alias moved by a write of this rollout whose record is missing (a crash in between, or an
   * answer lost): a step as its lease marker says, or the end a promotion or rollback leaves.
   */
  private async adopt(s: RolloutState, alias: AliasConfiguration, lease: Lease | undefined): Promise<boolean> {
    const split = splitOf(alias);
    if (!lease) {
      // No marker and the user's description back: the end of this rollout was written.
      if (s.current < 0 || (alias.Description ?? '') !== s.description || split.canary) return false;
      if (split.primary.version === s.version) {
        await this.append(s.key, s, { type: 'ended', id: s.id, result: 'promoted', message: `Promoted: ${s.aliasName} serves version ${s.version} (found so on ${s.aliasName}; its record was missing).`, revisionId: alias.RevisionId }, { after: alias });
        return true;
      }
      if (split.primary.version === s.stable) {
        await this.append(s.key, s, { type: 'ended', id: s.id, result: 'rolled-back', message: `Rolled back: ${s.aliasName} serves version ${s.stable} alone (found so on ${s.aliasName}; its record was missing).`, revisionId: alias.RevisionId }, { after: alias });
        return true;
      }
      return false;
    }
    if (lease.rollout !== s.id) return false;
    if (split.primary.version !== s.stable || split.canary?.version !== s.version) return false;
    const index = s.plan.steps.findIndex((p) => Math.abs(percentToWeight(p.weight) - split.canary!.weight) < 1e-9);
    if (index < 0 || index !== lease.step) return false;
    if (index === s.current) {
      await this.append(s.key, s, { type: 'lease', id: s.id, revisionId: alias.RevisionId }, {});
    } else {
      await this.append(s.key, s, { type: 'step', id: s.id, index, weight: s.plan.steps[index].weight, revisionId: alias.RevisionId, adopted: true }, { after: alias });
    }
    return true;
  }

  /** The next step's weight (with the lease renewed in the same write), or the promotion. */
  private async advance(s: RolloutState, alias: AliasConfiguration, op: OperationContext, record: OperationRecord, why: string): Promise<void> {
    const next = s.current + 1;
    if (next >= s.plan.steps.length) {
      if (!s.plan.promote) {
        await this.finish(s, alias, 'completed', `Completed: every step passed; ${s.aliasName} keeps version ${s.version} at ${s.plan.steps[s.current].weight}% as the plan says (no promotion).`, op, record);
        return;
      }
      await this.finish(s, alias, 'promoted', `Promoted: ${s.aliasName} serves version ${s.version}.`, op, record);
      return;
    }
    const step = s.plan.steps[next];
    if (step.weight >= 100) {
      await this.finish(s, alias, 'promoted', `Promoted after ${stepLabel(viewOf(s))} (${why}): ${s.aliasName} serves version ${s.version}.`, op, record);
      return;
    }
    const lease = this.leaseFor(s, next);
    const weights = { [s.version]: percentToWeight(step.weight) };
    const event: RolloutEvent = { type: 'step', id: s.id, index: next, weight: step.weight };
    const written = await this.write(s, alias, op, event, s.stable, weights, withLease(s.description, lease));
    this.leases.set(s.id, lease);
    await this.append(s.key, s, withRevision(event, written.RevisionId), { record, before: alias, after: written });
    this.ctx.progress?.(`${s.aliasName}: step ${next + 1}/${s.plan.steps.length}, ${step.weight}% on version ${s.version}.`);
  }

  /** Promotion, rollback, abort, completion: one write that also clears the lease, then the end record. */
  private async finish(s: RolloutState, alias: AliasConfiguration, result: RolloutEnd, message: string, op: OperationContext, record: OperationRecord): Promise<void> {
    let primary = s.stable;
    let weights: Record<string, number> = {};
    if (result === 'promoted') primary = s.version;
    else if (result === 'completed') weights = { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) };
    else if (result === 'aborted') {
      // The alias as it is, without this rollout's canary: whatever someone else set (their
      // promotion included) is theirs and stays.
      primary = alias.FunctionVersion ?? s.stable;
      weights = Object.fromEntries(Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(([v]) => v !== s.version));
    }
    // Traffic only ever goes to a version that is Active now.
    if (result === 'promoted') await ops.assertRoutable(op, s, s.stable, s.version, `${s.aliasName} is unchanged.`, 'validation', false);
    const event: RolloutEvent = { type: 'ended', id: s.id, result, message };
    const untouched = alias.FunctionVersion === primary && ops.sameWeights(alias.RoutingConfig?.AdditionalVersionWeights, weights) && !parseLease(alias.Description).lease;
    if (untouched) {
      // Nothing of this rollout is on the alias any more: the end is only recorded.
      await this.append(s.key, s, { ...event, message: `${message} (${s.aliasName} was left as it is: ${aliasLabel(alias)}.)` }, { record });
      this.leases.set(s.id, undefined);
      this.notice(s, 'ended', message);
      return;
    }
    const written = await this.write(s, alias, op, event, primary, weights, s.description);
    const said = result === 'aborted' ? `${message} ${s.aliasName} routes ${aliasLabel(written)}.` : message;
    await this.append(s.key, s, withRevision({ ...event, message: said }, written.RevisionId), { record, before: alias, after: written });
    this.leases.set(s.id, undefined);
    this.notice(s, 'ended', said);
  }

  private async write(s: RolloutState, alias: AliasConfiguration, op: OperationContext, event: RolloutEvent, primary: string, weights: Record<string, number>, description: string): Promise<AliasConfiguration> {
    try {
      return await ops.writeAlias(op, s, alias, { FunctionVersion: primary, weights, description }, `${s.aliasName} is unchanged.`);
    } catch (err) {
      // Unknown: the next look at the alias decides. A conflict (a teammate, or another runner that
      // took the lease) is sorted out by the next claim, which reads the alias and the lease.
      if (err instanceof OperationError && err.kind === 'unknown') this.pending.set(s.id, { event, before: alias, primary, weights, description });
      throw err;
    }
  }

  private async verdict(s: RolloutState, index: number, j: Judgement): Promise<void> {
    const last = s.steps[index];
    if (last?.verdict === j.verdict && last.sentence === j.sentence) return;
    await this.append(s.key, s, { type: 'verdict', id: s.id, index, verdict: j.verdict, sentence: j.sentence, reason: j.reason }, {});
  }

  private async hold(s: RolloutState, status: 'waiting' | 'halted', message: string): Promise<void> {
    if (s.status === status && s.statusText === message) return;
    await this.append(s.key, s, { type: 'hold', id: s.id, status, message }, {});
    this.notice(s, 'attention', message);
  }

  /** Lets go of a lease this runner holds: it expires now, so the next driver need not wait. */
  private async release(id: string): Promise<void> {
    const s = this.states.get(id);
    const lease = this.leases.get(id);
    if (!s || !isActive(s) || !isOwnLease(lease, this.self)) return;
    const op = this.op(newOperationRecord());
    const alias = await getAlias(this.ctx.lambda, s.functionName, s.aliasName);
    if (alias.RevisionId !== s.revisionId) return;
    const released: Lease = { ...lease!, until: this.now() };
    const written = await ops.writeAlias(op, s, alias, { FunctionVersion: alias.FunctionVersion, weights: { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) }, description: withLease(s.description, released) }, 'Nothing was changed.');
    await this.append(s.key, s, { type: 'lease', id, revisionId: written.RevisionId }, {});
  }

  // ---- helpers -----------------------------------------------------------------------------

  private leaseFor(s: RolloutState, step: number, since = this.now()): Lease {
    return { rollout: s.id, step, steps: s.plan.steps.length, holder: this.self.holder, client: this.self.client, pid: this.self.pid, instance: this.self.instance, since, until: this.now() + this.timing.leaseTtlMs };
  }

  private op(record: OperationRecord): OperationContext {
    return { lambda: this.ctx.lambda, log: this.ctx.log, waiters: this.ctx.capabilities.waiters, profile: this.ctx.profile, record };
  }

  private async append(key: string, ref: { functionName: string; aliasName: string }, event: RolloutEvent, extra: { record?: OperationRecord; before?: AliasConfiguration; after?: AliasConfiguration }): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const outcome: Outcome<RolloutDetail> = {
      id: randomUUID(),
      action: 'rollout',
      target: targetOf(ref, extra.after ?? extra.before, this.ctx.region),
      startedAt: at,
      endedAt: at,
      ...(extra.before ? { before: aliasState(extra.before) } : {}),
      ...(extra.after ? { after: aliasState(extra.after) } : {}),
      versionsPublished: [],
      steps: extra.record?.steps.splice(0) ?? [],
      state: 'done',
      warnings: [],
      detail: { rollout: event },
    };
    // The state moves with the record: the journal is its source, this is the same fold.
    if (event.type === 'started') {
      const folded = foldRollouts([{ ...outcome, key }]).get(event.id);
      if (folded) this.states.set(event.id, folded);
    } else {
      const s = this.states.get(event.id);
      if (s) apply(s, event, Date.parse(at));
    }
    // Front ends hear of the change once the journal has it: what they show survives a reload,
    // and a CLI that exits when it hears of the end leaves the end in the journal.
    if (this.ctx.journal) {
      const write = this.ctx.journal.append(outcome).then(() => undefined, (err: unknown) => {
        this.ctx.log.error(`Rollout ${event.id}: its ${event.type} record could not be written to the deployment journal (${errorSummary(err)}); a restart would not know of it.`);
      });
      this.writing.add(write);
      await write;
      this.writing.delete(write);
    }
    const s = this.states.get(event.id);
    if (s) this.changed(s);
  }

  /** Settles once the journal has every record written so far. */
  private async flushed(): Promise<void> {
    await Promise.all([...this.writing]);
  }

  private locked<T>(id: string, run: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(run, run);
    this.locks.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }

  private viewOf(s: RolloutState): RolloutView {
    const v = viewOf(s);
    const ev = this.evidence.get(s.id);
    if (ev && isActive(s)) v.evidence = ev;
    const lease = this.leases.get(s.id);
    if (lease && lease.rollout === s.id && isActive(s)) v.driver = { holder: holderText(lease), since: lease.since, until: lease.until, self: isOwnLease(lease, this.self) };
    return v;
  }

  private changed(s: RolloutState): void {
    const v = this.viewOf(s);
    for (const l of [...this.changeListeners]) {
      try {
        l(v);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private notice(s: RolloutState, kind: RolloutNotice['kind'], message: string): void {
    const n = { kind, message: `${s.functionName}:${s.aliasName}: ${message}`, view: this.viewOf(s) };
    for (const l of [...this.noticeListeners]) {
      try {
        l(n);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private outcome(ref: { functionName: string; aliasName: string }, startedAt: string, s: RolloutState | undefined, state: OutcomeState, record: OperationRecord, error?: OperationError): Outcome<RolloutView> {
    return {
      id: randomUUID(),
      action: 'rollout',
      target: targetOf(ref, record.after ?? record.before, this.ctx.region),
      startedAt,
      endedAt: new Date().toISOString(),
      ...(record.before ? { before: aliasState(record.before) } : {}),
      ...(record.after ? { after: aliasState(record.after) } : {}),
      versionsPublished: [],
      steps: record.steps,
      state,
      ...(error ? { error: { kind: error.kind, message: error.message, ...(error.step ? { step: error.step } : {}), ...(error.state ? { left: error.state } : {}) } } : {}),
      warnings: [...new Set(record.warnings)],
      ...(s ? { detail: this.viewOf(s) } : {}),
    };
  }
}

function evidenceView(j: Judgement, at: number): RolloutEvidenceView {
  return {
    verdict: j.verdict,
    sentence: j.sentence,
    canary: { version: j.canary.version, invocations: j.canary.invocations, errors: j.canary.errors, errorRate: j.canary.errorRate, p99Ms: j.canary.p99Ms, meanMs: j.canary.meanMs, throttles: j.canary.throttles },
    stable: { version: j.stable.version, invocations: j.stable.invocations, errors: j.stable.errors, errorRate: j.stable.errorRate, p99Ms: j.stable.p99Ms, meanMs: j.stable.meanMs },
    sprt: { llr: j.sprt.llr, lower: j.sprt.lower, upper: j.sprt.upper, p0: j.sprt.p0, p1: j.sprt.p1 },
    alarmsInAlarm: j.alarmsInAlarm,
    ...(j.dataAgeMs !== undefined ? { dataAgeMs: j.dataAgeMs } : {}),
    at,
  };
}

function withRevision(e: RolloutEvent, revisionId: string | undefined): RolloutEvent {
  return e.type === 'step' || e.type === 'ended' || e.type === 'lease' || e.type === 'hold' ? { ...e, ...(revisionId ? { revisionId } : {}) } : e;
}


function invalid(message: string): OperationError {
  return new OperationError(message, { state: 'Nothing was changed.', kind: 'validation' });
}

function asOperationError(err: unknown): OperationError {
  if (err instanceof OperationError) return err;
  return new OperationError(`Lambda Canary failed unexpectedly: ${errorSummary(err)}`, { cause: err });
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
