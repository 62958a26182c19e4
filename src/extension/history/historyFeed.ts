import * as l10n from '@vscode/l10n';
import { errorSummary } from '../../core/errors';
import { outcomeText } from '../../core/outcomeText';
import type { HistoryView } from '../../shared/history';
import { ROLLOUT_ENDS } from '../../shared/rollout';
import { entryById } from '../../shared/historyText';
import type { HostMessage } from '../../shared/protocol';
import type { PanelContext } from '../context';
import { readAliasHistory } from './read';
import { returnToEntry } from './returnTo';

/** Reads closer together than this are coalesced (CloudTrail's LookupEvents allows 2 a second per account, for everyone). */
export const HISTORY_MIN_INTERVAL_MS = 3000;

export interface HistoryFeedHost {
  functionName: string;
  aliasName: string;
  ctx: PanelContext;
  /** Posts to the page (a closed page drops it). */
  post(message: HostMessage): Thenable<boolean>;
  /** Who a Return to This State belongs to: closing the panel cancels it. */
  owner: object;
}

/** What a page action came to, for the panel's PanelOutcome. */
export interface HistoryActionResult {
  result: 'done' | 'declined' | 'failed' | 'ignored';
  detail?: string;
}

/**
 * A traffic panel's History section: reads the alias's history when the page is ready, on
 * Refresh, and after each journal append for the alias (coalesced, never polled), and posts it;
 * runs Return to This State of the entry the page names — looked up in the history last posted,
 * so the page chooses an entry, never a routing.
 */
export class HistoryFeed {
  private view: HistoryView | undefined;
  private reading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private lastRead = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy: string | undefined;
  private abort = new AbortController();
  private disposed = false;

  constructor(private readonly host: HistoryFeedHost) {}

  /** The history last read (tests, and the entry lookup). */
  get history(): HistoryView | undefined {
    return this.view;
  }

  /** Reads now (one read at a time; a refresh asked during one runs once after it). */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    // The read this leads to starts after any write changed() was told of: it covers a read scheduled for one.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.reading) {
      return (this.queued ??= this.reading.then(() => {
        this.queued = undefined;
        return this.refresh();
      }));
    }
    this.reading = this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** The page (re)loaded: the read under way, else the history read in the last minute again, else a new read. */
  show(): Promise<void> {
    // Its post reaches the new page too.
    if (this.reading) return this.reading;
    if (this.view && Date.now() - this.lastRead < 60_000) return Promise.resolve(this.host.post({ type: 'history', history: this.view, loading: false })).then(() => undefined);
    return this.refresh();
  }

  /** The alias was written (a journal append): read again, at most once per HISTORY_MIN_INTERVAL_MS. */
  changed(): void {
    if (this.disposed || this.timer) return;
    const wait = Math.max(0, this.lastRead + HISTORY_MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, wait);
  }

  private async read(): Promise<void> {
    const { ctx, functionName, aliasName } = this.host;
    this.lastRead = Date.now();
    await this.host.post({ type: 'history', history: this.view ?? null, loading: true });
    let error: string | undefined;
    try {
      const outcome = await readAliasHistory(ctx, functionName, aliasName, this.abort.signal);
      if (outcome.detail && !outcome.error) {
        this.view = outcome.detail;
        for (const p of outcome.detail.journal.problems) ctx.log.warn(`Deployment journal: ${p}`);
      } else error = outcomeText(outcome);
    } catch (err) {
      error = l10n.t('The history could not be read: {0}', errorSummary(err));
    }
    if (error) ctx.log.warn(`Traffic panel ${functionName}:${aliasName}: ${error}`);
    this.lastRead = Date.now();
    if (this.disposed) return;
    await this.host.post({ type: 'history', history: this.view ?? null, loading: false, ...(error ? { error } : {}) });
  }

  /** Return to This State of the entry `entryId` of the history last posted. */
  async returnTo(entryId: string): Promise<HistoryActionResult> {
    const { ctx, functionName, aliasName } = this.host;
    if (this.busy) return { result: 'ignored', detail: l10n.t('busy returning to {0}', this.busy) };
    const view = this.view;
    const entry = entryById(view, entryId);
    if (!view || !entry) {
      const text = l10n.t('That history entry is not shown any more: the history was read again. Pick it again.');
      await this.host.post({ type: 'notice', level: 'error', message: text });
      return { result: 'failed', detail: text };
    }
    if (!entry.returnTo.ok) {
      const text = l10n.t('This state cannot be returned to: {0}.', entry.returnTo.reason);
      await this.host.post({ type: 'notice', level: 'error', message: text });
      return { result: 'failed', detail: text };
    }
    // During a rollout the routing is the rollout's: a hand-made write would halt it as someone else's.
    const rollout = ctx.rollouts.view(functionName, aliasName);
    if (rollout && !ROLLOUT_ENDS.has(rollout.status)) {
      const text = l10n.t('A rollout is in progress on {0}:{1}: use its controls, or wait until it ends, then return to this state.', functionName, aliasName);
      await this.host.post({ type: 'notice', level: 'error', message: text });
      return { result: 'failed', detail: text };
    }
    this.busy = entryId;
    let claimed = false;
    try {
      const result = await returnToEntry(ctx, view, entry, {
        owner: this.host.owner,
        onClaimed: async () => {
          claimed = true;
          await this.host.post({ type: 'historyBusy', entryId });
        },
      });
      if (result.status === 'busy') return { result: 'ignored', detail: l10n.t('busy with {0}', result.running) };
      if (result.status === 'declined') return { result: 'declined' };
      if (result.status === 'refused') return { result: 'failed', detail: result.reason };
      const o = result.outcome;
      const text = outcomeText(o);
      const failed = (!!o.error && o.error.kind !== 'cancelled') || o.state === 'unknown';
      await this.host.post({ type: 'notice', level: failed ? 'error' : 'info', message: `${functionName}:${aliasName}: ${text}` });
      // The history is read again on the journal's append of this outcome (the panel's changed()).
      if (failed) return { result: 'failed', detail: text };
      return o.error ? { result: 'declined', detail: text } : { result: 'done' };
    } finally {
      this.busy = undefined;
      if (claimed) await this.host.post({ type: 'historyBusy', entryId: null });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
