import * as vscode from 'vscode';
import type { CodeDeployManagement } from '../core/codedeploy/types';
import type { Clients } from '../core/connection';
import { errorSummary } from '../core/errors';
import type { Outcome } from '../core/outcome';
import type { ControlInput, RolloutNotice, StartRolloutInput } from '../core/rollout/runner';
import { foldRollouts, isActive } from '../core/rollout/records';
import { RolloutRunner } from '../core/rollout/runner';
import type { RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import type { CodeDeployEngine } from './codeDeployEngine';
import { loadCodeDeployEngine } from './codeDeployEngine';
import { CodeDeployRollouts } from './codeDeployRollouts';
import type { ConnectionManager } from './connection';
import type { ExtensionJournal } from './deploymentJournal';
import type { ExtensionLog } from './log';
import { useCaseContext } from './useCaseContext';

/** A notice of the runner (or of a CodeDeploy rollout's end); `byControl`: the end of a Promote, Abort or Stop asked in this window, whose caller shows the outcome. */
export type ExtensionRolloutNotice = Pick<RolloutNotice, 'kind' | 'view' | 'message'> & { byControl: boolean };

/**
 * The extension's rollout host: one core RolloutRunner for the current connection, outside any
 * panel (closing a panel does not stop a rollout), resumed from the journal when the connection
 * is made (a reload carries on), and disposed — its leases let go — when the connection changes
 * or the window closes. Beside it, the watcher of the rollouts handed to CodeDeploy
 * (`codeDeploy`): their views are shown with the runner's (tree, status bar, panels, notices).
 */
export class ExtensionRollouts implements vscode.Disposable {
  private runner?: { clients: Clients; runner: RolloutRunner; subs: Array<{ dispose(): void }> };
  private readonly changed = new vscode.EventEmitter<RolloutView>();
  /** Every change of a rollout's state or evidence (tree labels, status bar, panels). */
  readonly onDidChange = this.changed.event;
  private readonly noticed = new vscode.EventEmitter<ExtensionRolloutNotice>();
  /** Aliases (`function:alias`) a control of this window is acting on now. */
  private readonly controlling = new Map<string, number>();
  /** Only what needs the user or finished: a hold, a manual gate, the end. */
  readonly onNotice = this.noticed.event;
  private readonly subscription: vscode.Disposable;
  /** A runner being made: callers that come meanwhile get the same one. */
  private creating?: Promise<RolloutRunner>;
  /** The rollouts CodeDeploy steps (AWS's engine): watched here, started and stopped through it. */
  readonly codeDeploy: CodeDeployRollouts;
  private readonly codeDeploySubs: vscode.Disposable[];

  constructor(
    private readonly connection: ConnectionManager,
    private readonly journal: ExtensionJournal,
    private readonly log: ExtensionLog,
    /** Test hook: shorter ticks and leases. */
    private readonly timing?: ConstructorParameters<typeof RolloutRunner>[1]['timing'],
    loadEngine: () => Promise<CodeDeployEngine> = loadCodeDeployEngine,
  ) {
    this.codeDeploy = new CodeDeployRollouts(connection, journal, log, loadEngine);
    this.codeDeploySubs = [this.codeDeploy.onDidChange((v) => this.changed.fire(v)), this.codeDeploy.onNotice((n) => this.noticed.fire(n))];
    // Leases are let go while the old connection's clients still work; the new connection's
    // runner then resumes what the journal holds open (the same account through another profile).
    connection.beforeDisconnect = async () => {
      await this.codeDeploy.stopWatching();
      await this.drop();
    };
    this.subscription = connection.onDidChange(() => void this.resumeIfAny());
  }

  /** The runner of the current connection (connecting first), resumed from the journal once. */
  async current(): Promise<RolloutRunner> {
    const clients = await this.connection.current();
    if (this.runner?.clients === clients) return this.runner.runner;
    this.creating ??= this.create(clients).finally(() => (this.creating = undefined));
    const runner = await this.creating;
    // The connection changed while it was made: make the one of the new connection.
    return this.runner?.clients === (await this.connection.current()) ? runner : this.current();
  }

  private async create(clients: Clients): Promise<RolloutRunner> {
    await this.drop();
    const ctx = useCaseContext(clients, this.log, { journal: this.journal.port(clients.spec) });
    const runner = new RolloutRunner(ctx, { client: 'vscode', ...(this.timing ? { timing: this.timing } : {}) });
    const subs = [runner.onDidChange((v) => this.changed.fire(v)), runner.onNotice((n) => this.noticed.fire({ ...n, byControl: n.kind === 'ended' && this.controlling.has(`${n.view.functionName}:${n.view.aliasName}`) }))];
    this.runner = { clients, runner, subs };
    await runner.resumeAll().catch((err: unknown) => this.log.warn(`Rollouts could not be resumed from the journal: ${errorSummary(err)}`));
    return runner;
  }

  /**
   * Without connecting: what is known now (the tree asks while it draws). A rollout in progress
   * first (the runner's, else CodeDeploy's), else the latest of either.
   */
  view(functionName: string, aliasName: string): RolloutView | undefined {
    const local = this.runner?.runner.view(functionName, aliasName);
    const cd = this.codeDeploy.view(functionName, aliasName);
    if (local && !ROLLOUT_ENDS.has(local.status)) return local;
    if (cd && !ROLLOUT_ENDS.has(cd.status)) return cd;
    if (local && cd) return cd.startedAt > local.startedAt ? cd : local;
    return local ?? cd;
  }

  views(): RolloutView[] {
    return [...(this.runner?.runner.views() ?? []), ...this.codeDeploy.views()];
  }

  managedNow(functionName: string, aliasName: string): CodeDeployManagement | undefined | 'unread' {
    return this.codeDeploy.knownManagement(functionName, aliasName);
  }

  readManaged(functionName: string, aliasName: string): Promise<unknown> {
    return this.codeDeploy.management(functionName, aliasName);
  }

  forgetManaged(functionName?: string): void {
    this.codeDeploy.forget(functionName);
  }

  async start(input: StartRolloutInput): Promise<Outcome<RolloutView>> {
    return (await this.current()).start(input);
  }

  async control(input: ControlInput): Promise<Outcome<RolloutView>> {
    const key = `${input.functionName}:${input.aliasName}`;
    this.controlling.set(key, (this.controlling.get(key) ?? 0) + 1);
    try {
      return await (await this.current()).control(input);
    } finally {
      const n = (this.controlling.get(key) ?? 1) - 1;
      if (n > 0) this.controlling.set(key, n);
      else this.controlling.delete(key);
    }
  }

  /** At activation: connects and resumes only when the journal holds a rollout that has not ended. */
  async resumeIfAny(): Promise<void> {
    try {
      // The runner's own fold of the records: any connection's rollout that has not ended.
      const open = [...foldRollouts(await this.journal.journal.rollouts()).values()].some(isActive);
      await Promise.all([open ? this.current() : undefined, this.codeDeploy.resumeIfAny()]);
    } catch (err) {
      this.log.warn(`Rollouts could not be resumed: ${errorSummary(err)}`);
    }
  }

  private async drop(): Promise<void> {
    const r = this.runner;
    this.runner = undefined;
    if (!r) return;
    for (const s of r.subs) s.dispose();
    await r.runner.dispose().catch((err: unknown) => this.log.warn(`Rollouts did not stop cleanly: ${errorSummary(err)}`));
  }

  /** Stops driving and lets go of the leases (awaited by deactivate). */
  async stop(): Promise<void> {
    await this.codeDeploy.stopWatching();
    await this.drop();
  }

  dispose(): void {
    this.subscription.dispose();
    for (const s of this.codeDeploySubs) s.dispose();
    this.codeDeploy.dispose();
    void this.drop();
    this.changed.dispose();
    this.noticed.dispose();
  }
}
