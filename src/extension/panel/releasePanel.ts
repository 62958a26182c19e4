import * as vscode from 'vscode';
import { errorSummary } from '../../core/errors';
import { redact } from '../../core/redact';
import { Commands, RELEASE_PANEL_VIEW_TYPE } from '../../shared/ids';
import type { ReleaseControl, ReleaseView } from '../../shared/release';
import { RELEASE_ENDS } from '../../shared/release';
import type { ReleaseHostMessage, ReleasePanelMessage } from '../../shared/releaseProtocol';
import { parseReleasePanelMessage } from '../../shared/releaseProtocol';
import { readSettings } from '../config';
import type { ConnectionManager } from '../connection';
import type { ExtensionLog } from '../log';
import type { ExtensionReleases } from '../releases';
import { panelHtml } from './html';
import { pageLocale } from './pageLocale';
import { releaseTraffic } from './releaseTraffic';

/** The commands behind the panel's buttons: a control from here goes the same way (confirmation, progress, notification) as from the tree. */
export const RELEASE_COMMANDS: Record<ReleaseControl, string> = {
  resume: Commands.resumeRelease,
  restore: Commands.restoreRelease,
  promote: Commands.promoteRelease,
  abort: Commands.abortRelease,
};

export interface ReleasePanelContext {
  extension: vscode.ExtensionContext;
  connection: ConnectionManager;
  log: ExtensionLog;
  releases: ExtensionReleases;
}

/** What a message from the page came to (for tests and the log). */
export interface ReleasePanelOutcome {
  message: ReleasePanelMessage | undefined;
  result: 'done' | 'failed' | 'ignored';
  detail?: string;
}

/**
 * One release's panel: its status, the plan's steps and verdicts, the members, the combined
 * traffic and the controls. The page (src/webview/release.ts) renders what is posted here and
 * posts the user's clicks back, each checked (parseReleasePanelMessage) before anything runs.
 */
export class ReleasePanel implements vscode.Disposable {
  private disposed = false;
  private busy: ReleaseControl | undefined;
  private timer?: ReturnType<typeof setInterval>;
  private reading?: Promise<void>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly outcomes = new vscode.EventEmitter<ReleasePanelOutcome>();
  readonly onDidHandleMessage = this.outcomes.event;
  /** Every message posted to the page, newest last (for tests). */
  readonly posted: ReleaseHostMessage[] = [];

  constructor(
    private readonly ctx: ReleasePanelContext,
    readonly panel: vscode.WebviewPanel,
    readonly releaseId: string,
    private readonly onDispose: () => void,
  ) {
    const webview = panel.webview;
    const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(ctx.extension.extensionUri, ...p)).toString();
    panel.title = vscode.l10n.t('Release {0}', releaseId);
    webview.html = panelHtml({ ...pageLocale(), cspSource: webview.cspSource, scriptUri: uri('dist', 'webviewRelease.js'), styleUri: uri('media', 'panel.css'), title: vscode.l10n.t('Release {0}', releaseId) });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => this.schedule()),
      ctx.releases.onDidChange((v) => (v === undefined || v.id === this.releaseId) && void this.postRelease()),
      this.outcomes,
    );
  }

  get view(): ReleaseView | undefined {
    return this.ctx.releases.view(this.releaseId);
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: ReleaseHostMessage): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    if (message.type === 'notice') message = { ...message, message: redact(message.message) };
    this.posted.push(message);
    if (this.posted.length > 200) this.posted.splice(0, this.posted.length - 200);
    return this.panel.webview.postMessage(message);
  }

  private postRelease(): Thenable<boolean> {
    return this.post({ type: 'release', release: this.view ?? null });
  }

  /** A message from the page (the webview calls it; so do the tests), checked before anything runs. */
  async receive(raw: unknown): Promise<void> {
    const parsed = parseReleasePanelMessage(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`Release panel ${this.releaseId}: ignored a message (${parsed.reason}).`);
      this.outcomes.fire({ message: undefined, result: 'ignored', detail: parsed.reason });
      return;
    }
    const message = parsed.message;
    let outcome: ReleasePanelOutcome = { message, result: 'done' };
    try {
      switch (message.type) {
        case 'ready':
          await this.ctx.releases.current();
          await this.postRelease();
          await this.post({ type: 'busy', action: this.busy ?? null });
          this.schedule();
          void this.readTraffic();
          break;
        case 'refresh':
          await this.postRelease();
          await this.readTraffic();
          break;
        case 'control':
          outcome = await this.control(message, message.action);
          break;
      }
    } catch (err) {
      outcome = { message, result: 'failed', detail: errorSummary(err) };
      this.ctx.log.error(`Release panel ${this.releaseId}: ${message.type} failed: ${errorSummary(err)}`);
      void this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('Lambda Canary: {0}', errorSummary(err)) });
    }
    this.outcomes.fire(outcome);
  }

  private async control(message: ReleasePanelMessage, action: ReleaseControl): Promise<ReleasePanelOutcome> {
    if (this.busy) return { message, result: 'ignored', detail: vscode.l10n.t('busy with {0}', this.busy) };
    this.busy = action;
    try {
      await this.post({ type: 'busy', action });
      await vscode.commands.executeCommand(RELEASE_COMMANDS[action], { releaseId: this.releaseId });
      return { message, result: 'done' };
    } finally {
      this.busy = undefined;
      await this.post({ type: 'busy', action: null });
      await this.postRelease();
    }
  }

  /** Traffic is read on a timer while the panel is visible and the release is open. */
  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const v = this.view;
    if (this.disposed || !this.panel.visible || !v || RELEASE_ENDS.has(v.status)) return;
    this.timer = setInterval(() => void this.readTraffic(), Math.max(5, readSettings().panel.refreshSeconds) * 1000);
  }

  /** One read at a time: the summed traffic of the members, posted. */
  readTraffic(): Promise<void> {
    this.reading ??= (async () => {
      const v = this.view;
      if (!v) return;
      try {
        const clients = await this.ctx.connection.current();
        const traffic = await releaseTraffic(clients, v);
        await this.post({ type: 'traffic', traffic });
      } catch (err) {
        this.ctx.log.warn(`Release panel ${this.releaseId}: traffic not read (${errorSummary(err)}).`);
      }
      if (RELEASE_ENDS.has(v.status)) this.schedule();
    })().finally(() => (this.reading = undefined));
    return this.reading;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.onDispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** All release panels: one per release, revealed rather than duplicated, restored after a reload. */
export class ReleasePanels implements vscode.Disposable {
  private readonly panels = new Map<string, ReleasePanel>();
  private readonly serializer: vscode.Disposable;

  constructor(private readonly ctx: ReleasePanelContext) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(RELEASE_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const id = (state as { releaseId?: unknown } | undefined)?.releaseId;
        if (typeof id !== 'string' || !/^[0-9a-f]{4,32}$/.test(id)) {
          panel.dispose();
          return;
        }
        this.adopt(panel, id);
      },
    });
  }

  open(releaseId: string): ReleasePanel {
    const existing = this.panels.get(releaseId);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RELEASE_PANEL_VIEW_TYPE, vscode.l10n.t('Release {0}', releaseId), vscode.ViewColumn.Active, this.options());
    return this.adopt(panel, releaseId);
  }

  get(releaseId: string): ReleasePanel | undefined {
    return this.panels.get(releaseId);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const root = this.ctx.extension.extensionUri;
    return { enableScripts: true, enableCommandUris: false, enableFindWidget: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')] };
  }

  private adopt(panel: vscode.WebviewPanel, releaseId: string): ReleasePanel {
    this.panels.get(releaseId)?.dispose();
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'canary.svg');
    const p = new ReleasePanel(this.ctx, panel, releaseId, () => this.panels.delete(releaseId));
    this.panels.set(releaseId, p);
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.serializer.dispose();
  }
}
