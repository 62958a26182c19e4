import * as vscode from 'vscode';
import type { Clients } from '../core/connection';
import { errorSummary } from '../core/errors';
import type { Outcome } from '../core/outcome';
import { foldReleases, isOpen } from '../core/releases/records';
import type { ReleaseMemberInput, ReleaseRunner, ReleaseRunnerOptions, StartReleaseInput } from '../core/releases/runner';
import { loadReleases } from '../core/releasesModule';
import type { ReleaseControl, ReleaseStatus, ReleaseView } from '../shared/release';
import { RELEASE_ENDS } from '../shared/release';
import type { ConnectionManager } from './connection';
import type { ExtensionJournal } from './deploymentJournal';
import type { ExtensionLog } from './log';
import { useCaseContext } from './useCaseContext';

/** What needs the user or finished: an end, a hold, a manual gate, a release found interrupted. `byControl`: the end of a control asked in this window (its command shows the outcome). */
export interface ReleaseNotice {
  view: ReleaseView;
  byControl: boolean;
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
  private runner?: { clients: Clients; runner: ReleaseRunner; subs: Array<{ dispose(): void }> };
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
    const runner = new ReleaseRunner(ctx, { ...this.options, client: 'vscode' });
    const subs = [runner.onDidChange((v) => this.viewChanged(v))];
    this.runner = { clients, runner, subs };
    await runner.load().catch((err: unknown) => this.log.warn(`Releases could not be read from the journal: ${errorSummary(err)}`));
    for (const v of runner.views()) {
      this.seen.set(v.id, v.status);
      // Open, and nobody drives it: said once, with what can be done.
      if (v.status === 'interrupted') this.noticed.fire({ view: v, byControl: false });
    }
    this.changed.fire(undefined);
    return runner;
  }

  private viewChanged(v: ReleaseView): void {
    const was = this.seen.get(v.id);
    this.seen.set(v.id, v.status);
    if (was !== v.status && NOTICED.has(v.status) && !(v.status === 'interrupted' && was === undefined)) {
      this.noticed.fire({ view: v, byControl: RELEASE_ENDS.has(v.status) && this.controlling.has(v.id) });
    }
    this.changed.fire(v);
  }

  /** Without connecting: the releases known now, newest first. */
  views(): ReleaseView[] {
    return this.runner?.runner.views() ?? [];
  }

  view(id: string): ReleaseView | undefined {
    return this.runner?.runner.view(id);
  }

  async start(input: StartReleaseInput): Promise<Outcome<ReleaseView>> {
    return (await this.current()).start(input);
  }

  async control(id: string, action: ReleaseControl, members?: ReleaseMemberInput[]): Promise<Outcome<ReleaseView>> {
    const runner = await this.current();
    const key = runner.find(id)?.id ?? id;
    this.controlling.set(key, (this.controlling.get(key) ?? 0) + 1);
    try {
      return await runner.control(id, action, members);
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
    await r.runner.dispose().catch((err: unknown) => this.log.warn(`Releases did not stop cleanly: ${errorSummary(err)}`));
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
