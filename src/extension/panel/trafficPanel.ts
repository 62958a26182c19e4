import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { connectionLabel } from '../../core/connection';
import type { ActionClaim, AliasActions } from '../../core/aliasActions';
import { errorSummary, isCancelled, OperationError } from '../../core/errors';
import { getAlias, listVersions } from '../../core/lambdaApi';
import type { Outcome } from '../../core/outcome';
import type { UseCaseContext } from '../../core/usecases';
import { promote, rollback, setCanaryWeight } from '../../core/usecases';
import { redact } from '../../core/redact';
import { formatPercent, splitOf } from '../../core/routing';
import { outcomeText } from '../../core/outcomeText';
import { probe, trafficReport } from '../../core/usecases';
import { discoverFunctions } from '../../core/workspace';
import { PANEL_VIEW_TYPE } from '../../shared/ids';
import type { AliasView, BusyAction, HostMessage, PanelMessage } from '../../shared/protocol';
import { parsePanelMessage } from '../../shared/protocol';
import type { TrafficReport, WindowMinutes } from '../../shared/traffic';
import { notificationText, plainText } from '../../shared/text';
import { WINDOW_MINUTES } from '../../shared/traffic';
import { describeSplit, errorText, outcomeError, refreshFunction } from '../commands/common';
import type { Confirmation } from '../commands/confirmations';
import { confirmPromote, confirmRollback, confirmWeight } from '../commands/confirmations';
import { readTestEvent } from '../commands/workspaceFunction';
import { readSettings } from '../config';
import type { CommandContext, PanelHost } from '../context';
import { useCaseContext } from '../useCaseContext';
import { panelHtml } from './html';

/** What a panel keeps across a reload (VS Code stores it with the webview's own state). */
export interface PanelState {
  functionName: string;
  aliasName: string;
  window: WindowMinutes;
  scrollY: number;
}

export function isPanelState(v: unknown): v is PanelState {
  const s = v as Partial<PanelState> | undefined;
  return (
    !!s &&
    typeof s.functionName === 'string' &&
    typeof s.aliasName === 'string' &&
    WINDOW_MINUTES.includes(s.window as WindowMinutes) &&
    typeof s.scrollY === 'number'
  );
}

/** What an action from the panel came to (for tests and the log). */
export interface PanelOutcome {
  message: PanelMessage;
  result: 'done' | 'declined' | 'failed' | 'ignored';
  detail?: string;
}

/** Published versions included in the metric query besides the alias's own, for history. */
const HISTORY_VERSIONS = 8;
/** Conflicts retried after asking again, before giving up. */
const MAX_CONFLICT_ROUNDS = 3;

/** All traffic panels: one per alias (per connection), revealed rather than duplicated. */
export class TrafficPanels implements vscode.Disposable, PanelHost {
  private readonly panels = new Map<string, TrafficPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /** One action at a time per alias, across its panels and the commands. */
  readonly actions: AliasActions;

  constructor(private readonly ctx: CommandContext) {
    this.actions = ctx.aliases.claims;
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => {
          if (!isPanelState(state)) {
            // Nothing to restore from: close rather than show an empty panel.
            panel.dispose();
            return;
          }
          this.adopt(panel, state);
        },
      }),
    );
  }

  private key(functionName: string, aliasName: string): string {
    return `${functionName}:${aliasName}`;
  }

  /** Opens (or reveals) the panel of an alias. */
  open(functionName: string, aliasName: string, column: vscode.ViewColumn = vscode.ViewColumn.Active): TrafficPanel {
    const existing = this.panels.get(this.key(functionName, aliasName));
    if (existing) {
      existing.reveal(column);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `${aliasName} · ${functionName}`, column, this.webviewOptions());
    return this.adopt(panel, { functionName, aliasName, window: 15, scrollY: 0 });
  }

  get(functionName: string, aliasName: string): TrafficPanel | undefined {
    return this.panels.get(this.key(functionName, aliasName));
  }

  all(): TrafficPanel[] {
    return [...this.panels.values()];
  }

  /** Re-reads every open panel's alias (after a command changed it elsewhere). */
  aliasChanged(functionName: string, aliasName?: string): void {
    for (const p of this.panels.values()) {
      if (p.functionName === functionName && (aliasName === undefined || p.aliasName === aliasName)) void p.refresh();
    }
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const root = this.ctx.extension.extensionUri;
    return {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      // Hidden panels are torn down and rebuilt from the host's state when shown again.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
    };
  }

  private adopt(panel: vscode.WebviewPanel, state: PanelState): TrafficPanel {
    const key = this.key(state.functionName, state.aliasName);
    this.panels.get(key)?.dispose();
    panel.webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'canary.svg');
    const p = new TrafficPanel(this.ctx, panel, state, this.actions, () => this.panels.delete(key));
    this.panels.set(key, p);
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** One alias's panel: reads its traffic on a timer while visible, and runs the actions it asks for. */
export class TrafficPanel implements vscode.Disposable {
  readonly functionName: string;
  readonly aliasName: string;
  private window: WindowMinutes;
  private scrollY: number;
  private alias: AliasConfiguration | undefined;
  private readonly versions = new Set<string>();
  private historyLoaded = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private disposed = false;
  private lastReport: TrafficReport | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly outcomes = new vscode.EventEmitter<PanelOutcome>();
  /** Fires after every message from the webview has been handled. */
  readonly onDidHandleMessage = this.outcomes.event;

  constructor(
    private readonly ctx: CommandContext,
    readonly panel: vscode.WebviewPanel,
    state: PanelState,
    private readonly actions: AliasActions,
    private readonly onDispose: () => void,
  ) {
    this.functionName = state.functionName;
    this.aliasName = state.aliasName;
    this.window = state.window;
    this.scrollY = state.scrollY;
    panel.title = `${this.aliasName} · ${this.functionName}`;
    const webview = panel.webview;
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'panel.css')).toString(),
      title: `${this.functionName}:${this.aliasName} traffic`,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => this.schedule()),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('lambdaCanary.panel')) this.schedule(true);
      }),
      this.outcomes,
    );
  }

  get report(): TrafficReport | undefined {
    return this.lastReport;
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  private post(message: HostMessage): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    // Error texts quote AWS: they may echo credentials.
    if (message.type === 'notice' || message.type === 'trafficError') message = { ...message, message: redact(message.message) };
    return this.panel.webview.postMessage(message);
  }

  private get aliasKey(): string {
    return `${this.functionName}:${this.aliasName}`;
  }

  /** Claims the alias for an action, synchronously; when another holds it, says so on the page. */
  private claim(action: BusyAction, message: PanelMessage): ActionClaim | PanelOutcome {
    const begun = this.actions.begin(this.aliasKey, action, this);
    if (begun.ok) return begun.claim;
    void this.post({ type: 'notice', level: 'info', message: `Wait for the current ${begun.running} to finish.` });
    this.ctx.log.info(`Traffic panel ${this.aliasKey}: ${message.type} ignored, ${begun.running} is running.`);
    return { message, result: 'ignored', detail: `busy with ${begun.running}` };
  }

  /** Runs the refresh timer only while the panel is visible. */
  private schedule(restart = false): void {
    if (this.disposed) return;
    const visible = this.panel.visible;
    if (this.timer && (!visible || restart)) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (visible && !this.timer) {
      this.timer = setInterval(() => void this.refresh(), readSettings().panel.refreshSeconds * 1000);
    }
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parsePanelMessage(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`Traffic panel ${this.functionName}:${this.aliasName}: ignored a message (${parsed.reason}).`);
      return;
    }
    const message = parsed.message;
    let outcome: PanelOutcome = { message, result: 'done' };
    try {
      switch (message.type) {
        case 'ready':
          await this.start();
          break;
        case 'refresh':
          await this.refresh();
          break;
        case 'window':
          this.window = message.minutes;
          await this.refresh();
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
          outcome = await this.probe(message.count, message);
          break;
        case 'cancelProbe':
          // Cancel stops everything this panel started.
          this.actions.cancelAll(this);
          break;
      }
    } catch (err) {
      outcome = { message, result: 'failed', detail: errorSummary(err) };
      this.ctx.log.error(`Traffic panel ${this.functionName}:${this.aliasName}: ${(err as Error).stack ?? String(err)}`);
    }
    this.outcomes.fire(outcome);
  }

  /** The page (re)loaded: send it everything it needs, then read the traffic. */
  private async start(): Promise<void> {
    const settings = readSettings();
    let clients: Clients;
    try {
      clients = await this.ctx.connection.current();
      this.alias = await getAlias(clients.lambda, this.functionName, this.aliasName);
    } catch (err) {
      await this.post({ type: 'trafficError', message: `Cannot read ${this.functionName}:${this.aliasName}: ${errorSummary(err)}` });
      return;
    }
    await this.post({ type: 'init', alias: this.view(clients, this.alias), window: this.window, refreshSeconds: settings.panel.refreshSeconds, probeCount: settings.panel.probeCount, scrollY: this.scrollY });
    this.schedule(true);
    // The alias was just read: this first refresh only reads the traffic.
    await this.refresh(this.alias);
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

  /**
   * One refresh: the alias (GetAlias) and its traffic (ONE GetMetricData for every version and
   * metric) in parallel. At most one runs at a time, and at most one more waits for it.
   */
  refresh(known?: AliasConfiguration): Promise<void> {
    if (this.disposed) return Promise.resolve();
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

  /** `known`: the alias as read a moment ago, so it is not read again. */
  private async doRefresh(known?: AliasConfiguration): Promise<void> {
    let clients: Clients;
    try {
      clients = await this.ctx.connection.current();
    } catch (err) {
      await this.post({ type: 'trafficError', message: errorSummary(err) });
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
    const trafficP = (async () => {
      const routing = this.alias ?? (await aliasP);
      return trafficReport(useCaseContext(clients, this.ctx.log), {
        functionName: this.functionName,
        aliasName: this.aliasName,
        windowMinutes: this.window,
        versions: [...this.versions],
        alias: routing,
      });
    })();
    const [alias, traffic] = await Promise.allSettled([aliasP, trafficP]);
    if (alias.status === 'fulfilled') {
      const changed = alias.value.RevisionId !== this.alias?.RevisionId;
      this.alias = alias.value;
      this.addTargets(alias.value);
      if (changed) await this.post({ type: 'alias', alias: this.view(clients, alias.value) });
    }
    const outcome = traffic.status === 'fulfilled' ? traffic.value : undefined;
    const detail = outcome?.detail;
    if (detail) {
      for (const v of detail.versions) this.versions.add(v.version);
      this.lastReport = detail;
      const { verdict, stableVersion, canaryVersion } = detail;
      await this.post({ type: 'traffic', report: detail, verdict: { ...verdict, stableVersion, ...(canaryVersion ? { canaryVersion } : {}) }, fetchedAt: Date.now() });
    } else {
      const why = alias.status === 'rejected' ? errorSummary(alias.reason) : outcome?.error ? outcomeText(outcome) : errorSummary((traffic as PromiseRejectedResult).reason);
      await this.post({ type: 'trafficError', message: outcome?.error && alias.status !== 'rejected' ? why : `Could not read the traffic of ${this.functionName}:${this.aliasName}: ${why}` });
    }
  }

  private addTargets(alias: AliasConfiguration): void {
    const s = splitOf(alias);
    if (s.primary.version !== '$LATEST') this.versions.add(s.primary.version);
    if (s.canary) this.versions.add(s.canary.version);
  }

  /** Apply / Promote / Roll back: confirmed, run through the same core operations as the commands. */
  private async act(message: Extract<PanelMessage, { type: 'apply' | 'promote' | 'rollback' }>): Promise<PanelOutcome> {
    // Claimed before the first await: a second click finds the alias busy.
    const claim = this.claim(message.type, message);
    if (!('signal' in claim)) return claim;
    // Apply 0 % is a roll back and 100 % a promotion: the same operations, named as such.
    const kind: 'apply' | 'promote' | 'rollback' =
      message.type !== 'apply' ? message.type : message.weightPercent <= 0 ? 'rollback' : message.weightPercent >= 100 ? 'promote' : 'apply';
    const closed = (): PanelOutcome => ({ message, result: 'declined', detail: 'cancelled: the panel was closed or Cancel pressed' });
    try {
      await this.post({ type: 'busy', action: message.type });
      const clients = await this.ctx.connection.current();
      let alias = this.alias ?? (await getAlias(clients.lambda, this.functionName, this.aliasName));
      let question = this.question(kind, alias, message.type === 'apply' ? message.weightPercent : undefined);
      for (let round = 0; ; round++) {
        if (typeof question === 'string') {
          await this.post({ type: 'notice', level: 'error', message: question });
          return { message, result: 'failed', detail: question };
        }
        if (claim.signal.aborted) return closed();
        if (!(await this.ctx.ui.confirm(question.id, question.message, question.detail, question.action))) {
          return { message, result: 'declined' };
        }
        // Closed while the question was open: the answer no longer applies.
        if (claim.signal.aborted) return closed();
        try {
          const updated = await this.ctx.aliases.withProgress(question.progress, claim.signal, (signal, progress) =>
            this.run(this.ctx.aliases.useCaseContext(clients, { signal, progress }), kind, alias, message),
          );
          this.alias = updated;
          await this.post({ type: 'alias', alias: this.view(clients, updated) });
          await this.post({ type: 'notice', level: 'info', message: question.done(updated) });
          // Redraws the tree and every open panel of the function, this one included.
          refreshFunction(this.ctx, this.functionName);
          return { message, result: 'done' };
        } catch (err) {
          if (err instanceof OperationError && err.kind === 'conflict' && round + 1 < MAX_CONFLICT_ROUNDS) {
            // Someone else changed the alias: show what it is now, and ask again about that.
            alias = await getAlias(clients.lambda, this.functionName, this.aliasName);
            this.alias = alias;
            this.addTargets(alias);
            await this.post({ type: 'alias', alias: this.view(clients, alias) });
            const now = `${this.aliasName} changed since the panel loaded it (now ${describeSplit(alias)}).`;
            this.ctx.log.warn(`${this.functionName}:${now} Asking again.`);
            question = this.question(kind, alias, message.type === 'apply' ? message.weightPercent : undefined, `${now} `);
            continue;
          }
          throw err;
        }
      }
    } catch (err) {
      const text = this.report_(err);
      return { message, result: isCancelled(err) ? 'declined' : 'failed', detail: text };
    } finally {
      claim.end();
      await this.post({ type: 'busy', action: null });
    }
  }

  /** The action as its use case (journalled, so Switch Back knows of a promotion); a failure is thrown. */
  private async run(uc: UseCaseContext, kind: 'apply' | 'promote' | 'rollback', alias: AliasConfiguration, message: PanelMessage): Promise<AliasConfiguration> {
    const ref = { functionName: this.functionName, aliasName: this.aliasName, expectedRevisionId: alias.RevisionId };
    let outcome: Outcome;
    if (kind === 'promote') outcome = await promote(uc, ref);
    else if (kind === 'rollback') outcome = await rollback(uc, ref);
    else outcome = await setCanaryWeight(uc, { ...ref, weightPercent: (message as { weightPercent: number }).weightPercent });
    if (outcome.error || !outcome.after) throw outcomeError(outcome);
    const after = outcome.after;
    return { ...alias, FunctionVersion: after.version, RoutingConfig: { AdditionalVersionWeights: after.weights }, RevisionId: after.revisionId };
  }

  /** The confirmation for an action on the alias as it is now (the commands' own question), or why it cannot be done. */
  private question(
    kind: 'apply' | 'promote' | 'rollback',
    alias: AliasConfiguration,
    weightPercent: number | undefined,
    preface = '',
  ): string | (Confirmation & { progress: string; done: (a: AliasConfiguration) => string }) {
    const s = splitOf(alias);
    const where = `${this.functionName}:${this.aliasName}`;
    if (!s.canary) return `${where} runs no canary (all traffic on version ${s.primary.version}): publish one first.`;
    const split = { primary: s.primary, canary: s.canary };
    if (kind === 'promote') {
      return { ...confirmPromote(this.functionName, this.aliasName, split, preface), progress: `Promoting ${where}`, done: (a) => `Promoted: ${this.aliasName} → ${a.FunctionVersion} (100%).` };
    }
    if (kind === 'rollback') {
      return { ...confirmRollback(this.functionName, this.aliasName, split, preface), progress: `Rolling back ${where}`, done: (a) => `Rolled back: ${this.aliasName} → ${a.FunctionVersion} (100%).` };
    }
    return {
      ...confirmWeight(this.functionName, this.aliasName, split, weightPercent!, preface),
      progress: `Setting the canary weight of ${where}`,
      done: (a) => `${this.aliasName}: version ${s.canary!.version} now gets ${formatPercent(splitOf(a).canary?.weight ?? 0)}.`,
    };
  }

  /** Logs a failed action, tells the page, and shows one notification with "Show Log". */
  private report_(err: unknown): string {
    if (isCancelled(err)) {
      const text = err instanceof OperationError && err.state ? `Cancelled. ${err.state}` : 'Cancelled.';
      void this.post({ type: 'notice', level: 'info', message: text });
      return text;
    }
    const e = err as Error;
    const text = redact(e instanceof OperationError ? errorText(e) : `Lambda Canary: ${errorSummary(err)}`);
    this.ctx.log.error(`Traffic panel ${this.functionName}:${this.aliasName}: ${text}${e instanceof OperationError && e.step ? ` [step: ${e.step}]` : ''}`);
    void this.post({ type: 'notice', level: 'error', message: text });
    void this.ctx.ui.error(notificationText(text), 'Show Log').then((a) => a === 'Show Log' && this.ctx.log.show());
    return text;
  }

  /** Probe: N invocations of the alias, bounded in rate, the split read from X-Amz-Executed-Version at once. */
  private async probe(count: number, message: PanelMessage): Promise<PanelOutcome> {
    // Claimed before the first await: a double click starts one probe, and Cancel stops it.
    const claim = this.claim('probe', message);
    if (!('signal' in claim)) return claim;
    let last = 0;
    try {
      await this.post({ type: 'busy', action: 'probe' });
      const clients = await this.ctx.connection.current();
      const payload = this.testEvent();
      const outcome = await probe(useCaseContext(clients, this.ctx.log, { signal: claim.signal }), {
        functionName: this.functionName,
        aliasName: this.aliasName,
        count,
        payload,
        onProgress: (done, partial) => {
          const now = Date.now();
          if (now - last >= 100) {
            last = now;
            void this.post({ type: 'probe', total: count, done, result: structuredClone(partial), finished: false, cancelled: false });
          }
        },
      });
      if (!outcome.detail) {
        const text = outcomeText(outcome);
        await this.post({ type: 'notice', level: 'error', message: text });
        return { message, result: outcome.error?.kind === 'cancelled' ? 'declined' : 'failed', detail: text };
      }
      const result = outcome.detail;
      const cancelled = claim.signal.aborted;
      await this.post({ type: 'probe', total: count, done: result.sent, result, finished: true, cancelled });
      this.ctx.log.info(`${outcomeText(outcome)}${cancelled ? ' (cancelled)' : ''}`);
      return { message, result: cancelled ? 'declined' : 'done' };
    } finally {
      claim.end();
      await this.post({ type: 'busy', action: null });
    }
  }

  /** The workspace's test event when the workspace holds this function, else `{}`. */
  private testEvent(): unknown {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      try {
        const fn = discoverFunctions(folder.uri.fsPath).find((f) => f.functionName === this.functionName);
        if (fn) return readTestEvent(fn) ?? {};
      } catch {
        // A broken workspace file is reported by Publish Canary; a probe just sends {}.
      }
    }
    return {};
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Closing the panel stops everything it started: a running probe, an action not yet written.
    this.actions.cancelAll(this);
    if (this.timer) clearInterval(this.timer);
    this.onDispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

