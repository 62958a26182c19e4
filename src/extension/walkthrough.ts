import * as vscode from 'vscode';
import { ContextKeys, PANEL_VIEW_TYPE, WALKTHROUGH } from '../shared/ids';
import type { AliasChange } from './deploymentJournal';
import type { ExtensionLog } from './log';
import type { Milestone } from './walkthroughMilestones';
import { isFunctionDefinition, milestonesOf } from './walkthroughMilestones';

/** globalState: the walkthrough was offered once (it is not opened by itself again). */
const OFFERED_KEY = 'lambdaCanary.walkthrough.offered';

const MILESTONE_KEYS: Record<Milestone, string> = {
  published: ContextKeys.walkthroughPublished,
  rolloutStarted: ContextKeys.walkthroughRolloutStarted,
  rolledBack: ContextKeys.walkthroughRolledBack,
};

/**
 * The getting-started walkthrough's progress: sets the context keys its steps' completionEvents
 * wait for, once the user has done each thing (VS Code keeps a step done once it saw it done).
 */
export class WalkthroughProgress implements vscode.Disposable {
  private readonly done = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(onDidChangeAlias: vscode.Event<AliasChange>) {
    this.subscriptions = [
      onDidChangeAlias((e) => {
        for (const m of milestonesOf(e.outcome)) this.set(MILESTONE_KEYS[m]);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.documentOpened(d)),
      vscode.window.tabGroups.onDidChangeTabs((e) => this.tabsOpened(e.opened)),
    ];
    for (const d of vscode.workspace.textDocuments) this.documentOpened(d);
    this.tabsOpened(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
  }

  private documentOpened(d: vscode.TextDocument): void {
    if (d.uri.scheme === 'file' && isFunctionDefinition(d.fileName)) this.set(ContextKeys.walkthroughFunctionFound);
  }

  /** A traffic panel's tab (opened from the tree, the palette, or by Publish Canary). */
  private tabsOpened(tabs: readonly vscode.Tab[]): void {
    // The workbench may prefix an extension's webview type (`mainThreadWebview-…`).
    if (tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE))) this.set(ContextKeys.walkthroughPanelOpened);
  }

  private set(key: string): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    void vscode.commands.executeCommand('setContext', key, true);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/**
 * Opens the walkthrough on the extension's first activation, and never again by itself (Help:
 * Get Started lists it). Not in the extension-host tests: an editor they did not open would
 * disturb them.
 */
export function offerWalkthroughOnce(context: vscode.ExtensionContext, log: ExtensionLog): void {
  if (context.extensionMode === vscode.ExtensionMode.Test) return;
  if (context.globalState.get<boolean>(OFFERED_KEY)) return;
  void context.globalState.update(OFFERED_KEY, true);
  Promise.resolve(vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false)).catch((err: unknown) => log.warn(`Could not open the getting-started walkthrough: ${err instanceof Error ? err.message : String(err)}`));
}
