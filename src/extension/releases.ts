import * as vscode from 'vscode';
import { codeDeployGuardFor } from '../core/codeDeployModule';
import type { Clients } from '../core/connection';
import { errorSummary } from '../core/errors';
import type { Outcome } from '../core/outcome';
import { foldReleases, isOpen } from '../core/releases/records';
import { ArtifactStore } from '../core/releases/artifacts';
import type { ReleaseControlOptions, ReleaseMemberInput, ReleaseRunner, ReleaseRunnerOptions, StartReleaseInput } from '../core/releases/runner';
import { stageContexts, stageHasOwnConnection } from '../core/releases/stages';
import { loadReleases } from '../core/releasesModule';
import type { UseCaseContext } from '../core/usecases';
import type { StageConfig } from '../core/workspace';
import type { ReleaseControl, ReleaseStatus, ReleaseView } from '../shared/release';
import { RELEASE_ENDS } from '../shared/release';
import type { ConnectionManager } from './connection';
import type { ExtensionJournal } from './deploymentJournal';
import type { ExtensionLog } from './log';
import { useCaseContext } from './useCaseContext';

/**
 * What needs the user or finished: an end, a hold, a manual gate, a release found interrupted.
 * `byControl`: the end of a control asked in this window (its command shows the outcome).
 * `elsewhere`: a release on a stage of another connection (the Releases node and the release
 * panel show the current connection's; its controls still act on it).
 */
export interface ReleaseNotice {
  view: ReleaseView;
  byControl: boolean;
  elsewhere?: boolean;
}

/** What Promote Release to Stage and a release to a stage need: each stage's context and runner, and where packages are kept. */
export interface StageHost {
  contextOf(stage: StageConfig | undefined): UseCaseContext;
  runnerFor(stage: StageConfig | undefined): ReleaseRunner;
  artifacts: ArtifactStore;
}

/** Statuses a notice is given for when a release comes to them. */
const NOTICED: ReadonlySet<ReleaseStatus> = new Set<ReleaseStatus>([...RELEASE_ENDS, 'halted', 'waiting', 'interrupted']);

/**
 * The extension's release host: one core ReleaseRunner (client 'vscode') for the current
 * connection, loaded from the journal when the connection is made (so a release whose window
 * closed mid-way shows as interrupted after a reload), disposed when the connection changes or
 * the window closes (the releases it drives stay open in the journal).
 */
export class ExtensionReleases implements vscode.Disposable {
  private runner?: {
    clients: Clients;
    runner: ReleaseRunner;
    subs: Array<{ dispose(): void }>;
    /** Stages with a connection of their own: their contexts and runners, made when first used. */
    stages: { contexts: ReturnType<typeof stageContexts>; runners: Map<string, ReleaseRunner> };
  };
  /** Where every release keeps the packages it uploads (beside the journal), for Promote Release to Stage. */
  readonly artifacts: ArtifactStore;
  private creating?: Promise<ReleaseRunner>;
  private readonly changed = new vscode.EventEmitter<ReleaseView | undefined>();
  /** A release's view changed (undefined: the list itself, e.g. after a load or a new connection). */
  readonly onDidChange = this.changed.event;
  private readonly noticed = new vscode.EventEmitter<ReleaseNotice>();
  readonly onNotice = this.noticed.event;
  /** The status each release was last seen in (a notice is given on a change to one of NOTICED). */
  private readonly seen = new Map<string, ReleaseStatus>();
  private readonly controlling = new Map<string, number>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly journal: ExtensionJournal,
    private readonly log: ExtensionLog,
    private readonly options: Partial<ReleaseRunnerOptions> = {},
  ) {
    this.artifacts = options.artifacts ?? new ArtifactStore(journal.journal.dir);
    const before = connection.beforeDisconnect;
    connection.beforeDisconnect = async () => {
      await before?.();
      await this.drop();
    };
    this.subscription = connection.onDidChange(() => {
      this.changed.fire(undefined);
      void this.loadIfAny();
    });
  }

  /** The runner of the current connection (connecting first), loaded from the journal once. */
  async current(): Promise<ReleaseRunner> {
    const clients = await this.connection.current();
    if (this.runner?.clients === clients) return this.runner.runner;
    this.creating ??= this.create(clients).finally(() => (this.creating = undefined));
    const runner = await this.creating;
    return this.runner?.clients === (await this.connection.current()) ? runner : this.current();
  }

  private async create(clients: Clients): Promise<ReleaseRunner> {
    const { ReleaseRunner } = await loadReleases();
    await this.drop();
    const ctx = useCaseContext(clients, this.log, { journal: this.journal.port(clients.spec) });
    const options: ReleaseRunnerOptions = { ...this.options, client: 'vscode', artifacts: this.artifacts };
    const runner = new ReleaseRunner(ctx, options);
    const subs = [runner.onDidChange((v) => this.viewChanged(v, false))];
    const contexts = stageContexts({ spec: clients.spec, ctx }, this.journal.journal, { guardFor: (c) => codeDeployGuardFor(c), portFor: (spec) => this.journal.port(spec) });
    const runners = new Map<string, ReleaseRunner>();
    this.runner = { clients, runner, subs, stages: { contexts, runners } };
    this.stageRunnerOf = (stage) => {
      let r = runners.get(stage.name);
      if (!r) {
        r = new ReleaseRunner(contexts.contextOf(stage), options);
        subs.push(r.onDidChange((v) => this.viewChanged(v, true)));
        runners.set(stage.name, r);
      }
      return r;
    };
    await runner.load().catch((err: unknown) => this.log.warn(`Releases could not be read from the journal: ${errorSummary(err)}`));
    for (const v of runner.views()) {
      this.seen.set(v.id, v.status);
      // Open, and nobody drives it: said once, with what can be done.
      if (v.status === 'interrupted') this.noticed.fire({ view: v, byControl: false });
    }
    this.changed.fire(undefined);
    return runner;
  }

  private viewChanged(v: ReleaseView, elsewhere: boolean): void {
    const was = this.seen.get(v.id);
    this.seen.set(v.id, v.status);
    if (was !== v.status && NOTICED.has(v.status) && !(v.status === 'interrupted' && was === undefined)) {
      this.noticed.fire({ view: v, byControl: RELEASE_ENDS.has(v.status) && this.controlling.has(v.id), ...(elsewhere ? { elsewhere } : {}) });
    }
    this.changed.fire(v);
  }

  private stageRunnerOf?: (stage: StageConfig) => ReleaseRunner;

  /**
   * The stages of the current connection (connecting first): a stage that names no connection of
   * its own is the current one, and its runner is the one the tree and panels show; a stage on
   * another account or region gets a runner of its own, kept until the connection changes or the
   * window closes (its ends, holds and gates are notified as any release's).
   */
  async stages(): Promise<StageHost> {
    const runner = await this.current();
    const own = this.stageRunnerOf!;
    const contexts = this.runner!.stages.contexts;
    return {
      contextOf: (stage) => contexts.contextOf(stage),
      runnerFor: (stage) => (stage && stageHasOwnConnection(stage) ? own(stage) : runner),
      artifacts: this.artifacts,
    };
  }

  /** Without connecting: the releases known now, newest first. */
  views(): ReleaseView[] {
    return this.runner?.runner.views() ?? [];
  }

  view(id: string): ReleaseView | undefined {
    return this.runner?.runner.view(id);
  }

  /** A release this window drives on a stage of another connection (a promotion to prod's account…): not in views(), but its controls act on it. */
  stageView(id: string): ReleaseView | undefined {
    for (const r of this.runner?.stages.runners.values() ?? []) {
      const v = r.view(id);
      if (v) return v;
    }
    return undefined;
  }

  /** The runner that holds release `id`: the current connection's, else a stage's of this window; the current one when none does (it refuses). */
  private holderOf(current: ReleaseRunner, id: string): ReleaseRunner {
    if (current.find(id)) return current;
    for (const r of this.runner?.stages.runners.values() ?? []) if (r.find(id)) return r;
    return current;
  }

  async start(input: StartReleaseInput): Promise<Outcome<ReleaseView>> {
    return (await this.current()).start(input);
  }

  async control(id: string, action: ReleaseControl, members?: ReleaseMemberInput[], options?: ReleaseControlOptions): Promise<Outcome<ReleaseView>> {
    const runner = this.holderOf(await this.current(), id);
    const key = runner.find(id)?.id ?? id;
    this.controlling.set(key, (this.controlling.get(key) ?? 0) + 1);
    try {
      return await runner.control(id, action, members, options);
    } finally {
      const n = (this.controlling.get(key) ?? 1) - 1;
      if (n > 0) this.controlling.set(key, n);
      else this.controlling.delete(key);
    }
  }

  /** At activation and on a new connection: connects and loads only when the journal holds a release that has not ended. */
  async loadIfAny(): Promise<void> {
    try {
      const open = [...foldReleases(await this.journal.journal.releases()).values()].some(isOpen);
      if (open) await this.current();
    } catch (err) {
      this.log.warn(`Releases could not be read: ${errorSummary(err)}`);
    }
  }

  private async drop(): Promise<void> {
    const r = this.runner;
    this.runner = undefined;
    if (!r) return;
    for (const s of r.subs) s.dispose();
    await Promise.all(
      [r.runner, ...r.stages.runners.values()].map((x) => x.dispose().catch((err: unknown) => this.log.warn(`Releases did not stop cleanly: ${errorSummary(err)}`))),
    );
    r.stages.runners.clear();
    r.stages.contexts.dispose();
  }

  /** Stops driving (awaited by deactivate): the open releases stay in the journal. */
  async stop(): Promise<void> {
    await this.drop();
  }

  dispose(): void {
    this.subscription.dispose();
    void this.drop();
    this.changed.dispose();
    this.noticed.dispose();
  }
}
