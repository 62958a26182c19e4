import * as l10n from '@vscode/l10n';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import type { AliasAction, AliasActions } from '../../core/aliasActions';
import type { Clients } from '../../core/connection';
import { connectionLabel } from '../../core/connection';
import { errorSummary } from '../../core/errors';
import { getAlias, listVersions } from '../../core/lambdaApi';
import type { AliasState, Outcome } from '../../core/outcome';
import { outcomeText } from '../../core/outcomeText';
import { splitOf } from '../../core/routing';
import type { ProbeResult } from '../../core/traffic';
import type { UseCaseContext } from '../../core/usecases';
import { probe, trafficReport } from '../../core/usecases';
import type { AliasView, HostMessage } from '../../shared/protocol';
import { plainText } from '../../shared/text';
import type { TrafficReport, WindowMinutes } from '../../shared/traffic';

/** Published versions included in the metric query besides the alias's own, for history. */
export const HISTORY_VERSIONS = 8;
/** A running probe posts its counts at most this often. */
const PROBE_POST_MS = 100;

/** What became of a probe: the alias was busy, or it ran (`cancelled`: stopped before the end). */
export type ProbeRun = { status: 'busy'; running: AliasAction } | { status: 'ran'; outcome: Outcome<ProbeResult>; cancelled: boolean };

/** What a feed needs of its host; no vscode, so it runs (and is tested) in plain Node. */
export interface TrafficFeedHost {
  functionName: string;
  aliasName: string;
  /** The current connection's clients. */
  clients(): Promise<Clients>;
  /** The use-case context of those clients (journalled). */
  context(clients: Clients, options?: { signal?: AbortSignal }): UseCaseContext;
  /** Posts to the page (a closed page drops it). */
  post(message: HostMessage): Thenable<boolean> | Promise<boolean>;
  /** Seconds between refreshes while visible (read at each (re)start of the timer). */
  refreshSeconds(): number;
}

/**
 * A panel's view of one alias: what it routes to, its traffic, and a probe. Reads the alias
 * and its traffic on a timer while the panel is visible — at most one refresh in flight and one
 * more queued — over the alias's targets plus the last HISTORY_VERSIONS published versions, and
 * posts what changed to the page.
 */
export class TrafficFeed {
  readonly functionName: string;
  readonly aliasName: string;
  window: WindowMinutes = 15;
  private current: AliasConfiguration | undefined;
  private readonly versions = new Set<string>();
  private historyLoaded = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private stopped = false;
  private lastReport: TrafficReport | undefined;

  constructor(private readonly host: TrafficFeedHost) {
    this.functionName = host.functionName;
    this.aliasName = host.aliasName;
  }

  /** The last traffic report posted. */
  get report(): TrafficReport | undefined {
    return this.lastReport;
  }

  /** The alias as last read or written. */
  get alias(): AliasConfiguration | undefined {
    return this.current;
  }

  /**
   * The page (re)loaded: reads the alias, posts `init` (with the page's own settings), starts the
   * timer when `visible`, and reads the traffic.
   */
  async start(page: { refreshSeconds: number; probeCount: number; scrollY: number }, visible: boolean): Promise<void> {
    let clients: Clients;
    try {
      clients = await this.host.clients();
      this.current = await getAlias(clients.lambda, this.functionName, this.aliasName);
    } catch (err) {
      await this.host.post({ type: 'trafficError', message: l10n.t('Cannot read {0}:{1}: {2}', this.functionName, this.aliasName, errorSummary(err)) });
      return;
    }
    await this.host.post({ type: 'init', alias: this.view(clients, this.current), window: this.window, ...page });
    this.schedule(visible, true);
    // The alias was just read: this first refresh only reads the traffic.
    await this.refresh(this.current);
  }

  /** Runs the refresh timer only while the panel is visible; `restart` picks up a new interval. */
  schedule(visible: boolean, restart = false): void {
    if (this.stopped) return;
    if (this.timer && (!visible || restart)) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (visible && !this.timer) this.timer = setInterval(() => void this.refresh(), this.host.refreshSeconds() * 1000);
  }

  /**
   * One refresh: the alias (GetAlias) and its traffic (ONE GetMetricData for every version and
   * metric) in parallel. At most one runs at a time, and at most one more waits for it.
   */
  refresh(known?: AliasConfiguration): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight) {
      // The refresh in flight may have read the alias before the change the caller knows of:
      // one more runs after it, shared by every caller meanwhile.
      this.queued ??= this.inFlight.then(() => {
        this.queued = undefined;
        return this.refresh();
      });
      return this.queued;
    }
    this.inFlight = this.doRefresh(known).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Re-reads the alias and posts it (after a conflict: what it is now). */
  async reread(): Promise<AliasConfiguration> {
    const clients = await this.host.clients();
    const alias = await getAlias(clients.lambda, this.functionName, this.aliasName);
    await this.show(clients, alias, true);
    return alias;
  }

  /** An action wrote the alias: shows the routing it left (`after` from its outcome). */
  async written(after: AliasState): Promise<void> {
    const alias = { ...this.current, FunctionVersion: after.version, RoutingConfig: { AdditionalVersionWeights: after.weights }, RevisionId: after.revisionId };
    await this.show(await this.host.clients(), alias, true);
  }

  /**
   * Probe: claims the alias for `owner` synchronously (a double click starts one probe; Cancel or
   * closing the panel, `claims.cancelAll(owner)`, stops it), then `count` invocations through the
   * probe use case (journalled), their counts posted at most every PROBE_POST_MS and once at the end.
   */
  probe(count: number, payload: unknown, claims: AliasActions, owner: object): Promise<ProbeRun> {
    const begun = claims.begin(`${this.functionName}:${this.aliasName}`, 'probe', owner);
    if (!begun.ok) {
      void this.host.post({ type: 'notice', level: 'info', message: l10n.t('Wait for the current {0} to finish.', begun.running) });
      return Promise.resolve({ status: 'busy', running: begun.running });
    }
    const { claim } = begun;
    return (async (): Promise<ProbeRun> => {
      try {
        await this.host.post({ type: 'busy', action: 'probe' });
        const clients = await this.host.clients();
        let last = 0;
        const outcome = await probe(this.host.context(clients, { signal: claim.signal }), {
          functionName: this.functionName,
          aliasName: this.aliasName,
          count,
          payload,
          onProgress: (done, partial) => {
            const now = Date.now();
            if (now - last < PROBE_POST_MS) return;
            last = now;
            void this.host.post({ type: 'probe', total: count, done, result: structuredClone(partial), finished: false, cancelled: false });
          },
        });
        const cancelled = claim.signal.aborted;
        if (outcome.detail) await this.host.post({ type: 'probe', total: count, done: outcome.detail.sent, result: outcome.detail, finished: true, cancelled });
        return { status: 'ran', outcome, cancelled };
      } finally {
        claim.end();
        await this.host.post({ type: 'busy', action: null });
      }
    })();
  }

  /** Stops the timer; nothing more is read. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** `known`: the alias as read a moment ago, so it is not read again. */
  private async doRefresh(known?: AliasConfiguration): Promise<void> {
    let clients: Clients;
    try {
      clients = await this.host.clients();
    } catch (err) {
      await this.host.post({ type: 'trafficError', message: errorSummary(err) });
      return;
    }
    if (!this.historyLoaded) {
      this.historyLoaded = true;
      try {
        const published = (await listVersions(clients.lambda, this.functionName)).map((v) => v.Version!).filter((v) => v !== '$LATEST');
        for (const v of published.sort((a, b) => Number(b) - Number(a)).slice(0, HISTORY_VERSIONS)) this.versions.add(v);
      } catch {
        // History is a nicety: the alias's own versions are queried regardless.
      }
    }
    const aliasP = known ? Promise.resolve(known) : getAlias(clients.lambda, this.functionName, this.aliasName);
    // The query must hold the versions the alias routes to right now, so read the alias first
    // only when it is not known yet; otherwise both calls go out together.
    const trafficP = (async () =>
      trafficReport(this.host.context(clients), {
        functionName: this.functionName,
        aliasName: this.aliasName,
        windowMinutes: this.window,
        versions: [...this.versions],
        alias: this.current ?? (await aliasP),
      }))();
    const [alias, traffic] = await Promise.allSettled([aliasP, trafficP]);
    if (alias.status === 'fulfilled') await this.show(clients, alias.value, false);
    const outcome = traffic.status === 'fulfilled' ? traffic.value : undefined;
    const detail = outcome?.detail;
    if (detail) {
      for (const v of detail.versions) this.versions.add(v.version);
      this.lastReport = detail;
      const { verdict, stableVersion, canaryVersion } = detail;
      await this.host.post({ type: 'traffic', report: detail, verdict: { ...verdict, stableVersion, ...(canaryVersion ? { canaryVersion } : {}) }, fetchedAt: Date.now() });
    } else if (alias.status === 'rejected') {
      await this.host.post({ type: 'trafficError', message: l10n.t('Could not read the traffic of {0}:{1}: {2}', this.functionName, this.aliasName, errorSummary(alias.reason)) });
    } else {
      const why = outcome ? outcomeText(outcome) : l10n.t('Could not read the traffic of {0}:{1}: {2}', this.functionName, this.aliasName, errorSummary((traffic as PromiseRejectedResult).reason));
      await this.host.post({ type: 'trafficError', message: why });
    }
  }

  /** Keeps `alias` as the current one, adds its targets to the query, and posts it when it changed (or `always`). */
  private async show(clients: Clients, alias: AliasConfiguration, always: boolean): Promise<void> {
    const changed = alias.RevisionId !== this.current?.RevisionId;
    this.current = alias;
    const s = splitOf(alias);
    if (s.primary.version !== '$LATEST') this.versions.add(s.primary.version);
    if (s.canary) this.versions.add(s.canary.version);
    if (changed || always) await this.host.post({ type: 'alias', alias: this.view(clients, alias) });
  }

  private view(clients: Clients, alias: AliasConfiguration): AliasView {
    const split = splitOf(alias);
    return {
      functionName: this.functionName,
      aliasName: this.aliasName,
      connection: connectionLabel(clients.spec),
      lagging: !clients.capabilities.sandbox,
      primary: split.primary,
      canary: split.canary,
      revisionId: alias.RevisionId,
      description: plainText(alias.Description) || undefined,
    };
  }
}
