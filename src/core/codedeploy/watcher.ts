import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { errorSummary } from '../errors';
import { errorName } from '../lambdaApi';
import * as ops from '../operations';
import type { Outcome } from '../outcome';
import type { JournalPort } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import { readCodeDeployRollout } from './read';
import type { CodeDeployContext, CodeDeployDetail, CodeDeployRolloutView } from './types';
import { viewOfDeployment } from './view';

/**
 * The CodeDeploy rollouts of the journal that started and have not ended, each polled
 * (GetDeployment and its target) until it ends: its view, announced when it changes, and its end
 * journalled once ('ended'). CodeDeploy steps the alias; this only looks, so a closed editor loses
 * nothing, and a reopened one picks the rollouts up from the journal. A read that fails keeps the
 * last view and says so; nothing is thrown out of a tick.
 */

export interface CodeDeployWatcherOptions {
  /** How often each deployment in flight is read; default 1 s with 1-second metrics (the sandbox), else 10 s. */
  pollMs?: number;
  /** How long one read may take before it is given up (and tried again at the next tick); default 30 s. */
  readTimeoutMs?: number;
}

/** Errors that say the deployment will never be readable with these credentials: the watch ends, unreadable. */
const UNREADABLE = new Set(['DeploymentDoesNotExistException', 'AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException']);

/** The CodeDeploy records of a journal, oldest first. */
export async function codeDeployRecords(journal: JournalPort): Promise<CodeDeployDetail[]> {
  const outcomes: Outcome[] = (await journal.codeDeploys?.()) ?? [];
  return outcomes
    .filter((o) => o.action === 'codedeploy' && o.state !== 'unknown')
    .map((o) => o.detail as CodeDeployDetail | undefined)
    .filter((d): d is CodeDeployDetail => !!d && typeof d.deploymentId === 'string' && typeof d.event === 'string' && typeof d.functionName === 'string');
}

interface Watched {
  known: CodeDeployDetail;
  view: CodeDeployRolloutView;
  /** The view's state when last announced. */
  signature: string;
  ended: boolean;
  journalled: boolean;
  reading?: Promise<void>;
}

const signatureOf = (v: CodeDeployRolloutView) =>
  JSON.stringify([v.status, v.current, v.codeDeploy?.deploymentStatus, v.codeDeploy?.targetVersionWeight, v.codeDeploy?.lifecycle.map((e) => e.status), v.codeDeploy?.error, v.statusText]);

/** The view before the first read: from the journal's record. */
function placeholder(known: CodeDeployDetail, now: number, problem?: string): CodeDeployRolloutView {
  const deployment: DeploymentInfo = { deploymentId: known.deploymentId, applicationName: known.application, deploymentGroupName: known.deploymentGroup, deploymentConfigName: known.config };
  return viewOfDeployment({ deployment, known, now, ...(problem ? { readProblem: problem } : {}) });
}

/** An ended deployment as the journal recorded its end: nothing is read again. */
export function endedViewOf(known: CodeDeployDetail, ended: CodeDeployDetail, now: number): CodeDeployRolloutView {
  if (ended.status === UNREADABLE_STATUS) return unreadableView(placeholder(known, now), `its end was recorded as unreadable`);
  const deployment: DeploymentInfo = {
    deploymentId: known.deploymentId,
    applicationName: known.application,
    deploymentGroupName: known.deploymentGroup,
    deploymentConfigName: known.config,
    status: (ended.status ?? 'Stopped') as DeploymentInfo['status'],
  };
  return viewOfDeployment({ deployment, known: { ...known, rollback: ended.rolledBack === true }, now });
}

/** The journal's 'ended' status of a deployment the watch gave up on. */
export const UNREADABLE_STATUS = 'Unreadable';

function unreadableView(last: CodeDeployRolloutView, why: string): CodeDeployRolloutView {
  const info = last.codeDeploy ? { ...last.codeDeploy, deploymentStatus: UNREADABLE_STATUS } : undefined;
  return {
    ...last,
    status: 'abandoned',
    statusText: `CodeDeploy deployment ${last.id} cannot be read (${why}): what it did to ${last.aliasName} is unknown here; look at lambda-canary rollout status or the CodeDeploy console.`,
    ...(info ? { codeDeploy: info } : {}),
  };
}

export class CodeDeployWatcher {
  readonly pollMs: number;
  private readonly readTimeoutMs: number;
  private readonly watched = new Map<string, Watched>();
  private readonly listeners = new Set<(v: CodeDeployRolloutView) => void>();
  private readonly waiters = new Map<string, Set<(v: CodeDeployRolloutView) => void>>();
  private timer?: NodeJS.Timeout;
  private disposed = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly ctx: CodeDeployContext,
    options: CodeDeployWatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? (ctx.capabilities.highResolutionMetrics ? 1000 : 10_000);
    this.readTimeoutMs = options.readTimeoutMs ?? 30_000;
  }

  onDidChange(listener: (v: CodeDeployRolloutView) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Every CodeDeploy rollout known, newest first. */
  views(): CodeDeployRolloutView[] {
    return [...this.watched.values()].map((w) => w.view).sort((a, b) => b.startedAt - a.startedAt);
  }

  /** The alias's rollout in flight, else its latest. */
  view(functionName: string, aliasName: string): CodeDeployRolloutView | undefined {
    const mine = this.views().filter((v) => v.functionName === functionName && v.aliasName === aliasName);
    return mine.find((v) => v.status === 'running') ?? mine[0];
  }

  /** Reads the journal: each CodeDeploy rollout started and not ended is watched; ended ones are kept as they ended. */
  async load(): Promise<void> {
    if (!this.ctx.journal) return;
    let records: CodeDeployDetail[];
    try {
      records = await codeDeployRecords(this.ctx.journal);
    } catch (err) {
      this.ctx.log.warn(`The CodeDeploy rollouts of the journal could not be read: ${errorSummary(err)}`);
      return;
    }
    const ended = new Map(records.filter((r) => r.event === 'ended').map((r) => [r.deploymentId, r]));
    for (const r of records) {
      if (r.event !== 'started' || this.watched.has(r.deploymentId)) continue;
      const end = ended.get(r.deploymentId);
      if (end) {
        // Ended as the journal says: kept as it ended, not read again.
        const view = endedViewOf(r, end, Date.now());
        this.watched.set(r.deploymentId, { known: r, view, signature: signatureOf(view), ended: true, journalled: true });
      } else {
        this.add(r);
      }
    }
    this.schedule(0);
  }

  /** Watches a deployment just started (its 'started' record). */
  watch(known: CodeDeployDetail): CodeDeployRolloutView {
    const w = this.watched.get(known.deploymentId) ?? this.add(known);
    if (w.ended && !w.journalled) w.ended = false;
    this.schedule(0);
    return w.view;
  }

  /** Stops watching a deployment (its view is kept). */
  unwatch(deploymentId: string): void {
    const w = this.watched.get(deploymentId);
    if (w) w.ended = true;
  }

  /** Resolves with the deployment's view once it has ended (or when the signal aborts, or the watcher is disposed: the view as it is). */
  waitForEnd(deploymentId: string, signal?: AbortSignal): Promise<CodeDeployRolloutView> {
    const w = this.watched.get(deploymentId);
    if (!w) return Promise.reject(new Error(`CodeDeploy deployment ${deploymentId} is not watched.`));
    if (w.ended || this.disposed) return Promise.resolve(w.view);
    return new Promise((resolve) => {
      const set = this.waiters.get(deploymentId) ?? new Set();
      this.waiters.set(deploymentId, set);
      const done = (v: CodeDeployRolloutView) => {
        set.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = () => done(this.watched.get(deploymentId)!.view);
      set.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Reads every watched deployment in flight now. */
  async refresh(): Promise<void> {
    await Promise.all([...this.watched.values()].filter((w) => !w.ended).map((w) => this.read(w)));
  }

  dispose(): void {
    this.disposed = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    for (const [id, set] of this.waiters) for (const done of [...set]) done(this.watched.get(id)!.view);
    this.waiters.clear();
    this.listeners.clear();
  }

  // ---- internals ---------------------------------------------------------------------------

  private add(known: CodeDeployDetail): Watched {
    const view = placeholder(known, Date.now());
    const w: Watched = { known, view, signature: signatureOf(view), ended: false, journalled: false };
    this.watched.set(known.deploymentId, w);
    return w;
  }

  private schedule(delay = this.pollMs): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    if (![...this.watched.values()].some((w) => !w.ended)) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().finally(() => this.schedule());
    }, delay);
    this.timer.unref?.();
  }

  private read(w: Watched): Promise<void> {
    return (w.reading ??= this.readNow(w).finally(() => (w.reading = undefined)));
  }

  private async readNow(w: Watched): Promise<void> {
    const id = w.known.deploymentId;
    // One hung request gives up after readTimeoutMs, so it stalls neither this deployment's next reads nor the others'.
    const timeout = new AbortController();
    const onStop = () => timeout.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${Math.round(this.readTimeoutMs / 1000)} s`)), this.readTimeoutMs);
    try {
      const view = await readCodeDeployRollout({ codedeploy: this.ctx.codedeploy, signal: timeout.signal }, id, w.known);
      if (this.disposed) return;
      w.view = view;
    } catch (err) {
      if (this.disposed) return;
      if (UNREADABLE.has(errorName(err))) {
        w.view = unreadableView(w.view, errorSummary(err));
        this.ctx.log.warn(`CodeDeploy deployment ${id} cannot be read, and is no longer watched: ${errorSummary(err)}`);
        this.announce(w.view);
        w.signature = signatureOf(w.view);
        await this.end(w);
        return;
      }
      const problem = `${errorSummary(err)}; read again in ${Math.round(this.pollMs / 1000) || 1} s`;
      // The last view stays, and says it is the last one.
      const last = w.view.codeDeploy?.readAt && w.view.statusText ? w.view : placeholder(w.known, Date.now());
      w.view = { ...last, statusText: `${last.statusText.replace(/ \(as last read: [^)]*\)\.$/, '.').replace(/\.$/, '')} (as last read: ${problem}).` };
      this.ctx.log.warn(`CodeDeploy deployment ${id} could not be read: ${errorSummary(err)}`);
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
    const signature = signatureOf(w.view);
    if (signature !== w.signature) {
      w.signature = signature;
      this.announce(w.view);
    }
    if (w.view.status !== 'running') await this.end(w);
  }

  private async end(w: Watched): Promise<void> {
    w.ended = true;
    if (!w.journalled && this.ctx.journal) {
      w.journalled = true;
      const id = w.known.deploymentId;
      // Another window or process watching the same journal may have written it already.
      const already = (await codeDeployRecords(this.ctx.journal).catch(() => [])).some((r) => r.deploymentId === id && r.event === 'ended');
      if (!already) {
        const ref = { functionName: w.known.functionName, aliasName: w.known.aliasName };
        const detail: CodeDeployDetail = {
          ...w.known,
          event: 'ended',
          status: w.view.status === 'abandoned' ? UNREADABLE_STATUS : (w.view.codeDeploy?.deploymentStatus ?? 'Unknown'),
          ...(w.view.status === 'rolled-back' ? { rolledBack: true } : {}),
        };
        await runUseCase<CodeDeployDetail>({ ...this.ctx, signal: undefined, progress: undefined }, 'codedeploy', ref, async (op) => {
          // The alias as the end left it (the record's `before`), and its account and region.
          await ops.loadAlias(op, ref).catch(() => undefined);
          return detail;
        }).catch((err: unknown) => this.ctx.log.warn(`The end of CodeDeploy deployment ${id} could not be journalled: ${errorSummary(err)}`));
      }
    }
    for (const done of [...(this.waiters.get(w.known.deploymentId) ?? [])]) done(w.view);
  }

  private announce(v: CodeDeployRolloutView): void {
    for (const l of [...this.listeners]) {
      try {
        l(v);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
