import * as vscode from 'vscode';
import type { CodeDeployContext, CodeDeployDetail, CodeDeployManagement, CodeDeployRolloutView, StartCodeDeployInput, StopCodeDeployInput } from '../core/codedeploy/types';
import type { Clients } from '../core/connection';
import { errorSummary } from '../core/errors';
import type { Outcome } from '../core/outcome';
import type { UseCaseContext } from '../core/usecases';
import type { WorkspaceFunction } from '../core/workspace';
import { discoverFolders } from '../core/workspace';
import type { RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import type { CodeDeployEngine, CodeDeployWatcherPort } from './codeDeployEngine';
import { codeDeployContext } from './codeDeployEngine';
import { templateManagement } from './codeDeployManaged';
import { codeDeployEndText, endedCodeDeploys, hasOpenCodeDeploy } from './codeDeployText';
import type { ConnectionManager } from './connection';
import type { ExtensionJournal } from './deploymentJournal';
import type { ExtensionLog } from './log';
import { useCaseContext } from './useCaseContext';

/** The end of a CodeDeploy rollout, as a notice (`byControl`: a Stop of this window, whose command shows the outcome). */
export interface CodeDeployNotice {
  kind: 'ended';
  view: RolloutView;
  message: string;
  byControl: boolean;
}

interface Watching {
  clients: Clients;
  engine: CodeDeployEngine;
  watcher: CodeDeployWatcherPort;
  subs: Array<{ dispose(): void }>;
  /** Each view's status last seen (by id): an end is noticed once. */
  seen: Map<string, RolloutView['status']>;
  /** Whether the journal was read: changes before are the load's own, not news. */
  loaded: boolean;
  disposed?: boolean;
}

/** A create() overtaken by a drop (its watcher was disposed). */
class StaleWatcher extends Error {
  constructor() {
    super(vscode.l10n.t('The connection changed while its CodeDeploy rollouts were being read.'));
  }
}

/**
 * The extension's host of the core's CodeDeployWatcher for the current connection: loaded only
 * when a CodeDeploy rollout is started here or the journal holds one that has not ended (a reload
 * shows it again), disposed when the connection changes. AWS steps the deployments; this only
 * watches them, and asks to start and stop.
 */
export class CodeDeployRollouts implements vscode.Disposable {
  private watching?: Watching;
  private creating?: Promise<Watching>;
  /** Bumped by each drop: a create() that sees it change was overtaken and disposes what it made. */
  private generation = 0;
  private disposed = false;
  /** The connection whose CodeDeploy answered AccessDenied: not scanned again. */
  private noCodeDeploy?: Clients;
  private readonly changed = new vscode.EventEmitter<RolloutView>();
  readonly onDidChange = this.changed.event;
  private readonly noticed = new vscode.EventEmitter<CodeDeployNotice>();
  readonly onNotice = this.noticed.event;
  /** Deployments a Stop of this window was asked for: their end is that command's to show. */
  private readonly stopping = new Set<string>();
  /** codeDeployManagement by alias, read once per tree refresh. */
  private readonly managed = new Map<string, Promise<CodeDeployManagement | undefined>>();
  private readonly settled = new Map<string, CodeDeployManagement | undefined>();

  constructor(
    private readonly connection: ConnectionManager,
    private readonly journal: ExtensionJournal,
    private readonly log: ExtensionLog,
    private readonly load: () => Promise<CodeDeployEngine>,
  ) {}

  /** The engine alone (pure checks before anything is asked), loaded on first use. */
  engine(): Promise<CodeDeployEngine> {
    return this.load();
  }

  /** The watcher of the current connection, made (and fed from the journal) once. */
  async current(): Promise<Watching> {
    const clients = await this.connection.current();
    if (this.watching?.clients === clients) return this.watching;
    if (this.disposed) throw new Error('The extension is stopping: CodeDeploy rollouts are not watched.');
    this.creating ??= this.create(clients).finally(() => (this.creating = undefined));
    let w: Watching;
    try {
      w = await this.creating;
    } catch (err) {
      // Overtaken by a drop: made again for the connection now (unless the extension is stopping).
      if (err instanceof StaleWatcher && !this.disposed) return this.current();
      throw err;
    }
    return w.clients === (await this.connection.current()) ? w : this.current();
  }

  private async create(clients: Clients): Promise<Watching> {
    // A drop (connection change, stopWatching, dispose) while this awaits makes it stale: what it
    // made is disposed rather than left polling.
    const generation = this.generation;
    const stale = () => generation !== this.generation;
    await this.drop(false);
    if (stale()) throw new StaleWatcher();
    const engine = await this.load();
    const ctx = await this.context(clients, useCaseContext(clients, this.log, { journal: this.journal.port(clients.spec) }));
    if (stale()) throw new StaleWatcher();
    const watcher = engine.watcher(ctx);
    const w: Watching = { clients, engine, watcher, subs: [], seen: new Map(), loaded: false };
    w.subs.push(watcher.onDidChange((v) => this.viewChanged(w, v)));
    this.watching = w;
    await watcher.load().catch((err: unknown) => this.log.warn(`CodeDeploy rollouts could not be read from the journal: ${errorSummary(err)}`));
    if (stale() || this.watching !== w) {
      await this.disposeWatching(w);
      throw new StaleWatcher();
    }
    // Only deployments still open are seen running: one the journal holds ended (whatever view the
    // watcher shows until its first read) was ended before this window saw it run: no news.
    const ended = endedCodeDeploys(await this.journal.journal.codeDeploys().catch(() => []));
    if (stale() || this.watching !== w) {
      await this.disposeWatching(w);
      throw new StaleWatcher();
    }
    for (const v of watcher.views()) {
      if (!ROLLOUT_ENDS.has(v.status) && !ended.has(v.codeDeploy?.deploymentId ?? v.id)) w.seen.set(v.id, v.status);
    }
    w.loaded = true;
    return w;
  }

  private viewChanged(w: Watching, v: CodeDeployRolloutView): void {
    if (this.watching !== w) return;
    this.changed.fire(v);
    if (!w.loaded) return;
    const before = w.seen.get(v.id);
    w.seen.set(v.id, v.status);
    if (ROLLOUT_ENDS.has(v.status) && before !== undefined && !ROLLOUT_ENDS.has(before)) {
      const id = v.codeDeploy?.deploymentId ?? v.id;
      this.noticed.fire({ kind: 'ended', view: v, message: codeDeployEndText(v), byControl: this.stopping.has(id) });
      this.stopping.delete(id);
    }
  }

  /** A use case's context with the connection's CodeDeploy client. */
  context(clients: Clients, uc: UseCaseContext): Promise<CodeDeployContext> {
    return codeDeployContext(clients, uc);
  }

  /** Without connecting: the alias's CodeDeploy rollout known now, its active one first, else its latest. */
  view(functionName: string, aliasName: string): RolloutView | undefined {
    const mine = this.views().filter((v) => v.functionName === functionName && v.aliasName === aliasName);
    return mine.find((v) => !ROLLOUT_ENDS.has(v.status)) ?? mine.sort((a, b) => b.startedAt - a.startedAt)[0];
  }

  views(): RolloutView[] {
    return this.watching?.watcher.views() ?? [];
  }

  /** Starts a CodeDeploy rollout in the context the alias actions service gives, then watches it. */
  async start(uc: UseCaseContext, input: StartCodeDeployInput & { smokeEvent?: unknown }): Promise<Outcome<CodeDeployDetail>> {
    const w = await this.current();
    const outcome = await w.engine.start(await this.context(w.clients, uc), input);
    if (outcome.state === 'done' && outcome.detail?.event === 'started') {
      w.watcher.watch(outcome.detail);
      for (const v of w.watcher.views()) if (!w.seen.has(v.id)) w.seen.set(v.id, v.status);
      const v = w.watcher.views().find((x) => x.codeDeploy?.deploymentId === outcome.detail!.deploymentId);
      if (v) this.changed.fire(v);
    }
    this.forget(input.functionName, input.aliasName);
    return outcome;
  }

  async stop(uc: UseCaseContext, input: StopCodeDeployInput): Promise<Outcome<CodeDeployDetail>> {
    // The end the watcher sees next is this Stop's: its command shows the outcome, no second notice.
    this.stopping.add(input.deploymentId);
    const w = await this.current();
    const outcome = await w.engine.stop(await this.context(w.clients, uc), input);
    if (outcome.error) this.stopping.delete(input.deploymentId);
    await w.watcher.refresh().catch(() => undefined);
    return outcome;
  }

  /**
   * Whether CodeDeploy manages the alias: the workspace template's AutoPublishAlias +
   * DeploymentPreference, else a deployment group whose last deployment targeted it (core
   * codeDeployManagement), read once until the tree's next refresh; a read that fails counts as
   * not managed (logged).
   */
  management(functionName: string, aliasName: string): Promise<CodeDeployManagement | undefined> {
    const key = `${functionName}:${aliasName}`;
    let read = this.managed.get(key);
    if (!read) {
      read = (async () => {
        const byTemplate = templateManagement(functionName, aliasName, discoverWorkspace());
        if (byTemplate) return byTemplate;
        let clients: Clients | undefined;
        try {
          clients = await this.connection.current();
          // An account that denied CodeDeploy once is not asked again for this connection.
          if (this.noCodeDeploy === clients) return undefined;
          const engine = await this.load();
          return await engine.management(await this.context(clients, useCaseContext(clients, this.log)), { functionName, aliasName });
        } catch (err) {
          if (clients && /AccessDenied/.test((err as { name?: string }).name ?? '')) {
            if (this.noCodeDeploy !== clients) this.log.debug(`CodeDeploy is not readable with this connection (${errorSummary(err)}): aliases are marked as managed by their template only.`);
            this.noCodeDeploy = clients;
            return undefined;
          }
          this.log.debug(`Whether CodeDeploy manages ${key} could not be read: ${errorSummary(err)}`);
          return undefined;
        }
      })();
      this.managed.set(key, read);
      void read.then((m) => {
        if (this.managed.get(key) === read) this.settled.set(key, m);
      });
    }
    return read;
  }

  /** What is known now without reading (the tree draws with it, then redraws when a read ends). */
  knownManagement(functionName: string, aliasName: string): CodeDeployManagement | undefined | 'unread' {
    return this.settled.has(`${functionName}:${aliasName}`) ? this.settled.get(`${functionName}:${aliasName}`) : 'unread';
  }

  /** The cached management of a function's aliases (or all) is read again next time. */
  forget(functionName?: string, aliasName?: string): void {
    if (!functionName) {
      this.managed.clear();
      this.settled.clear();
      return;
    }
    for (const k of [...this.managed.keys()]) {
      if (k === `${functionName}:${aliasName}` || (aliasName === undefined && k.startsWith(`${functionName}:`))) {
        this.managed.delete(k);
        this.settled.delete(k);
      }
    }
  }

  /** At activation / connection: loads the engine only when the journal holds a CodeDeploy rollout that has not ended. */
  async resumeIfAny(): Promise<void> {
    try {
      const records = await this.journal.journal.codeDeploys();
      if (hasOpenCodeDeploy(records)) await this.current();
    } catch (err) {
      this.log.warn(`CodeDeploy rollouts could not be resumed: ${errorSummary(err)}`);
    }
  }

  /** Stops watching; `overtake`: a create() in flight is made stale (its watcher disposed). */
  private async drop(overtake = true): Promise<void> {
    if (overtake) this.generation++;
    const w = this.watching;
    this.watching = undefined;
    this.forget();
    if (w) await this.disposeWatching(w);
  }

  private async disposeWatching(w: Watching): Promise<void> {
    if (w.disposed) return;
    w.disposed = true;
    for (const s of w.subs.splice(0)) s.dispose();
    await Promise.resolve(w.watcher.dispose()).catch((err: unknown) => this.log.warn(`The CodeDeploy watcher did not stop cleanly: ${errorSummary(err)}`));
  }

  stopWatching(): Promise<void> {
    return this.drop();
  }

  dispose(): void {
    this.disposed = true;
    const creating = this.creating;
    void this.drop();
    // A watcher still being made is disposed too (create() sees the drop and disposes it; this
    // catches one that got through anyway).
    void creating?.then((w) => this.disposeWatching(w)).catch(() => undefined);
    this.changed.dispose();
    this.noticed.dispose();
  }
}

/** The workspace's functions (a broken workspace file is Publish Canary's to report: here none). */
function discoverWorkspace(): WorkspaceFunction[] {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (roots.length === 0) return [];
  try {
    return discoverFolders(roots).functions;
  } catch {
    return [];
  }
}
