import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE } from '../../shared/ids';
import type { PanelContext, PanelHost } from '../context';
import type { PanelState } from './trafficPanel';
import { isPanelState, TrafficPanel } from './trafficPanel';

/** All traffic panels: one per alias (per connection), revealed rather than duplicated, restored after a reload. */
export class TrafficPanels implements vscode.Disposable, PanelHost {
  private readonly panels = new Map<string, TrafficPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: PanelContext) {
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

  /** Re-reads every open panel's alias (after a write, here or elsewhere). */
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
    const p = new TrafficPanel(this.ctx, panel, state, () => this.panels.delete(key));
    this.panels.set(key, p);
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
