import * as vscode from 'vscode';
import { ROLLOUT_ENDS } from '../../shared/rollout';
import { errorSummary } from '../../core/errors';
import type { ActionName } from '../../core/outcome';
import { outcomeText } from '../../core/outcomeText';
import { redact } from '../../core/redact';
import type { HostMessage, PanelMessage, RolloutAction } from '../../shared/protocol';
import { Commands } from '../../shared/ids';
import { parsePanelMessage } from '../../shared/protocol';
import type { RolloutView } from '../../shared/rollout';
import type { TrafficReport, WindowMinutes } from '../../shared/traffic';
import { WINDOW_MINUTES } from '../../shared/traffic';
import type { AliasActionResult } from '../aliasActionsService';
import { probePayload } from '../commands/workspaceFunction';
import { readSettings } from '../config';
import type { PanelContext } from '../context';
import type { HistoryUiModule } from '../historyUiModule';
import { loadHistoryUi } from '../historyUiModule';
import type { CanaryChangeMessage } from './canaryChange';
import { canaryChangeRequest } from './canaryChange';
import { panelHtml } from './html';
import { pageLocale } from './pageLocale';
import { RolloutFeed } from './rolloutFeed';
import { TrafficFeed } from './trafficFeed';

/**
 * The commands behind the panel's rollout buttons, each taking `{ functionName, aliasName }`:
 * the panel runs them by id, so a rollout started or controlled here goes the same way (prompts,
 * progress, notifications) as from the alias's menu or the palette.
 */
export const ROLLOUT_COMMANDS: Record<RolloutAction, string> = {
  start: Commands.startRollout,
  pause: Commands.pauseRollout,
  resume: Commands.resumeRollout,
  next: Commands.nextRolloutStep,
  promote: Commands.promoteRollout,
  abort: Commands.abortRollout,
  stop: Commands.stopCodeDeployRollout,
};

/** Actions that read the alias and write nothing: their journal records are no reason to read its history again. */
const READS: ReadonlySet<ActionName> = new Set<ActionName>(['probe', 'traffic', 'triggers', 'history']);

const ROLLOUT_ACTION_NAMES: Record<RolloutAction, string> = { start: 'Start Rollout', pause: 'Pause', resume: 'Resume', next: 'Next step', promote: 'Promote now', abort: 'Abort', stop: 'Stop' };

/** What a panel keeps across a reload (VS Code stores it with the webview's own state). */
export interface PanelState {
  functionName: string;
  aliasName: string;
  window: WindowMinutes;
  scrollY: number;
}

export function isPanelState(v: unknown): v is PanelState {
  const s = v as Partial<PanelState> | undefined;
  return !!s && typeof s.functionName === 'string' && typeof s.aliasName === 'string' && WINDOW_MINUTES.includes(s.window as WindowMinutes) && typeof s.scrollY === 'number';
}

/** What an action from the panel came to (for tests and the log). */
export interface PanelOutcome {
  message: PanelMessage;
  result: 'done' | 'declined' | 'failed' | 'ignored';
  detail?: string;
}

/**
 * One alias's panel: turns the page's messages into calls — of its TrafficFeed (alias, traffic,
 * probe) and of the AliasActionsService (Apply, Promote, Roll back: canaryChange.ts) — and
 * their results into messages to the page.
 */
export class TrafficPanel implements vscode.Disposable {
  readonly functionName: string;
  readonly aliasName: string;
  private scrollY: number;
  private readonly feed: TrafficFeed;
  private readonly rollout: RolloutFeed;
  /** The rollout's step and status last seen: a change means the runner wrote the alias. */
  private rolloutStep: string | undefined;
  /** The rollout action sent to its command and not answered yet. */
  private rolloutBusy: RolloutAction | undefined;
  private disposed = false;
  /** The History section's feed, made (and its code loaded: dist/historyUi.js) when the page first asks. */
  private historyFeed: Promise<InstanceType<HistoryUiModule['HistoryFeed']>> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly outcomes = new vscode.EventEmitter<PanelOutcome>();
  /** Fires after every message from the webview has been handled. */
  readonly onDidHandleMessage = this.outcomes.event;

  constructor(
    private readonly ctx: PanelContext,
    readonly panel: vscode.WebviewPanel,
    state: PanelState,
    private readonly onDispose: () => void,
  ) {
    this.functionName = state.functionName;
    this.aliasName = state.aliasName;
    this.scrollY = state.scrollY;
    this.feed = new TrafficFeed({
      functionName: this.functionName,
      aliasName: this.aliasName,
      clients: () => ctx.connection.current(),
      context: (clients, options) => ctx.aliases.useCaseContext(clients, options),
      post: (m) => this.post(m),
      refreshSeconds: () => readSettings().panel.refreshSeconds,
    });
    this.feed.window = state.window;
    this.rollout = new RolloutFeed({ view: () => ctx.rollouts.view(this.functionName, this.aliasName), post: (m) => this.post(m) });
    panel.title = `${this.aliasName} · ${this.functionName}`;
    const webview = panel.webview;
    const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(ctx.extension.extensionUri, ...path)).toString();
    webview.html = panelHtml({ ...pageLocale(), cspSource: webview.cspSource, scriptUri: uri('dist', 'webview.js'), styleUri: uri('media', 'panel.css'), title: vscode.l10n.t('{0} traffic', this.key) });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => this.feed.schedule(panel.visible)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('lambdaCanary.panel') && this.feed.schedule(panel.visible, true)),
      ctx.rollouts.onDidChange((v) => v.functionName === this.functionName && v.aliasName === this.aliasName && this.rolloutChanged(v)),
      // Each journal append for this alias (a write from this window) is a new history entry; a read wrote nothing.
      ctx.aliases.onDidChangeAlias((e) => e.functionName === this.functionName && e.aliasName === this.aliasName && !READS.has(e.outcome.action) && void this.historyFeed?.then((f) => f.changed())),
      this.outcomes,
    );
  }

  /** The last traffic report shown. */
  get report(): TrafficReport | undefined {
    return this.feed.report;
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  /** Re-reads the alias and its traffic (at most one refresh in flight, one queued). */
  refresh(): Promise<void> {
    return this.feed.refresh();
  }

  private get key(): string {
    return `${this.functionName}:${this.aliasName}`;
  }

  private post(message: HostMessage): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    // Error texts quote AWS: they may echo credentials.
    if (message.type === 'notice' || message.type === 'trafficError') message = { ...message, message: redact(message.message) };
    // The page shows the user's description; a rollout's lease marker in it is shown as the rollout's driver.
    if (message.type === 'init' || message.type === 'alias') message = { ...message, alias: { ...message.alias, description: this.rollout.described(message.alias.description) } };
    return this.panel.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parsePanelMessage(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`Traffic panel ${this.key}: ignored a message (${parsed.reason}).`);
      return;
    }
    const message = parsed.message;
    let outcome: PanelOutcome = { message, result: 'done' };
    try {
      switch (message.type) {
        case 'ready': {
          const { refreshSeconds, probeCount } = readSettings().panel;
          await this.feed.start({ refreshSeconds, probeCount, scrollY: this.scrollY }, this.panel.visible);
          await this.rollout.flush();
          void this.loadRollouts();
          void this.history().then(
            (f) => f.show(),
            (err: unknown) => {
              const error = vscode.l10n.t('The history could not be shown: {0}', errorSummary(err));
              this.ctx.log.warn(`Traffic panel ${this.key}: ${error}`);
              return this.post({ type: 'history', history: null, loading: false, error });
            },
          );
          break;
        }
        case 'historyRefresh':
          await (await this.history()).refresh();
          break;
        case 'returnTo':
          outcome = { message, ...(await (await this.history()).returnTo(message.entryId)) };
          break;
        case 'refresh':
          await this.feed.refresh();
          break;
        case 'window':
          this.feed.window = message.minutes;
          await this.feed.refresh();
          break;
        case 'scroll':
          this.scrollY = message.y;
          break;
        case 'apply':
        case 'promote':
        case 'rollback':
          outcome = await this.act(message);
          break;
        case 'probe':
          outcome = await this.probe(message);
          break;
        case 'cancelProbe':
          // Cancel stops everything this panel started.
          this.ctx.aliases.claims.cancelAll(this);
          break;
        case 'rolloutControl':
          outcome = await this.runRolloutCommand(message, message.action);
          break;
        case 'startRollout':
          outcome = await this.runRolloutCommand(message, 'start');
          break;
        case 'codeDeployStop':
          // The command asks before stopping (with or without rollback, as the button said).
          outcome = await this.runRolloutCommand(message, 'stop', { rollback: message.rollback });
          break;
      }
    } catch (err) {
      outcome = { message, result: 'failed', detail: errorSummary(err) };
      this.ctx.aliases.reportError(`Traffic panel ${this.key}: ${message.type}`, err);
      void this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('Lambda Canary: {0}', errorSummary(err)) });
    }
    this.outcomes.fire(outcome);
  }

  /** The History section's feed (journal and CloudTrail, read by core's history on first use). */
  history(): Promise<InstanceType<HistoryUiModule['HistoryFeed']>> {
    return (this.historyFeed ??= loadHistoryUi().then(
      (m) => new m.HistoryFeed({ functionName: this.functionName, aliasName: this.aliasName, ctx: this.ctx, post: (msg) => this.post(msg), owner: this }),
      (err: unknown) => {
        // Not kept: the next Refresh (or page load) tries again.
        this.historyFeed = undefined;
        throw err;
      },
    ));
  }

  private rolloutChanged(v: RolloutView): void {
    this.rollout.changed();
    const step = `${v.id} ${v.current} ${v.status}`;
    if (this.rolloutStep !== undefined && step !== this.rolloutStep) void this.feed.refresh();
    this.rolloutStep = step;
  }

  /** The rollouts of this connection, read from the journal once (a page that just loaded shows its alias's). */
  private async loadRollouts(): Promise<void> {
    try {
      await this.ctx.rollouts.current();
    } catch (err) {
      // The traffic feed reports a connection that fails; nothing to add here.
      this.ctx.log.warn(`Traffic panel ${this.key}: rollouts not read (${errorSummary(err)}).`);
      return;
    }
    await this.rollout.flush();
  }

  /**
   * A rollout button: runs its command on this panel's alias (one at a time per panel). The
   * command reports its own outcome; a command that fails to run at all is reported here.
   */
  private async runRolloutCommand(message: PanelMessage, action: RolloutAction, extra: Record<string, unknown> = {}): Promise<PanelOutcome> {
    if (this.rolloutBusy) return { message, result: 'ignored', detail: vscode.l10n.t('busy with {0}', this.rolloutBusy) };
    this.rolloutBusy = action;
    const id = ROLLOUT_COMMANDS[action];
    try {
      await this.post({ type: 'rolloutBusy', action });
      await vscode.commands.executeCommand(id, { functionName: this.functionName, aliasName: this.aliasName, ...extra });
      return { message, result: 'done' };
    } catch (err) {
      const missing = /command .* not found/i.test(errorSummary(err));
      const text = missing
        ? vscode.l10n.t('Lambda Canary: {0} is not available: the command {1} is not registered.', ROLLOUT_ACTION_NAMES[action], id)
        : vscode.l10n.t('Lambda Canary: {0} failed on {1}: {2}', ROLLOUT_ACTION_NAMES[action], this.key, errorSummary(err));
      this.ctx.log.error(`Traffic panel ${this.key}: ${id} failed: ${(err as Error)?.stack ?? String(err)}`);
      await this.post({ type: 'notice', level: 'error', message: text });
      return { message, result: 'failed', detail: text };
    } finally {
      this.rolloutBusy = undefined;
      await this.post({ type: 'rolloutBusy', action: null });
      await this.rollout.flush();
    }
  }

  /** Apply / Promote / Roll back through the alias actions service, owned by this panel (closing it or Cancel aborts them). */
  private async act(message: CanaryChangeMessage): Promise<PanelOutcome> {
    // During a rollout (this window's, or one another driver's lease says is live) the weight is
    // the rollout's: a hand-made change would halt it as someone else's write.
    const v = this.ctx.rollouts.view(this.functionName, this.aliasName);
    if ((v && !ROLLOUT_ENDS.has(v.status)) || this.rollout.leaseLive()) {
      const text =
        v?.engine === 'codedeploy' && !ROLLOUT_ENDS.has(v.status)
          ? vscode.l10n.t('CodeDeploy deployment {0} is shifting {1}: stop it (with or without rollback), or wait until it ends.', v.codeDeploy?.deploymentId ?? '', this.key)
          : vscode.l10n.t('A rollout is in progress on {0}: use its controls (Pause, Next step, Promote now, Abort), or wait until it ends.', this.key);
      await this.post({ type: 'notice', level: 'error', message: text });
      return { message, result: 'failed', detail: text };
    }
    let claimed = false;
    // Called before the first await: a second click finds the alias claimed.
    const running = this.ctx.aliases.run(
      canaryChangeRequest(this.feed, message, this, async () => {
        claimed = true;
        await this.post({ type: 'busy', action: message.type });
      }),
    );
    try {
      return await this.settle(message, await running);
    } finally {
      if (claimed) await this.post({ type: 'busy', action: null });
    }
  }

  /** What the service's result means for the page (its notification is the service's). */
  private async settle(message: PanelMessage, result: AliasActionResult): Promise<PanelOutcome> {
    if (result.status === 'busy') return { message, result: 'ignored', detail: vscode.l10n.t('busy with {0}', result.running) };
    if (result.status === 'declined') return { message, result: 'declined' };
    const o = result.outcome;
    const text = outcomeText(o);
    if (!o.error && o.after) await this.feed.written(o.after);
    const failed = (!!o.error && o.error.kind !== 'cancelled') || o.state === 'unknown';
    await this.post({ type: 'notice', level: failed ? 'error' : 'info', message: text });
    if (failed) return { message, result: 'failed', detail: text };
    return o.error ? { message, result: 'declined', detail: text } : { message, result: 'done' };
  }

  /** Probe (the feed claims the alias, posts the counts); a failure is reported by the service. */
  private async probe(message: Extract<PanelMessage, { type: 'probe' }>): Promise<PanelOutcome> {
    const run = await this.feed.probe(message.count, probePayload(this.functionName), this.ctx.aliases.claims, this);
    if (run.status === 'busy') return { message, result: 'ignored', detail: vscode.l10n.t('busy with {0}', run.running) };
    const text = outcomeText(run.outcome);
    if (run.outcome.detail) {
      this.ctx.log.info(`${text}${run.cancelled ? ' (cancelled)' : ''}`);
      return { message, result: run.cancelled ? 'declined' : 'done' };
    }
    void this.ctx.aliases.notify(run.outcome);
    await this.post({ type: 'notice', level: 'error', message: text });
    return { message, result: run.outcome.error?.kind === 'cancelled' ? 'declined' : 'failed', detail: text };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Closing the panel stops everything it started: a running probe, an action not yet written.
    this.ctx.aliases.claims.cancelAll(this);
    this.feed.stop();
    this.rollout.stop();
    void this.historyFeed?.then((f) => f.dispose());
    this.onDispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
