import * as vscode from 'vscode';
import { VIEW_FUNCTIONS } from '../shared/ids';
import { registerCommands } from './commands/registerCommands';
import { ConnectionManager } from './connection';
import type { CommandContext } from './context';
import { ExtensionLog } from './log';
import { SwitchMemory } from './switchMemory';
import { TrafficPanels } from './panel/trafficPanel';
import { FunctionsTreeProvider } from './tree';
import type { UserInterface } from './ui';
import { vscodeUi } from './ui';

/** What activate() returns: used by the extension-host tests (and by nothing else). */
export interface LambdaCanaryApi {
  readonly connection: ConnectionManager;
  readonly tree: FunctionsTreeProvider;
  readonly panels: TrafficPanels;
  /** Replaces the prompt layer; returns a function restoring the previous one. */
  setUserInterface(ui: UserInterface): () => void;
  readonly activatedAt: number;
}

export function activate(context: vscode.ExtensionContext): LambdaCanaryApi {
  const activatedAt = Date.now();
  const log = new ExtensionLog();
  const connection = new ConnectionManager(context, log);
  const tree = new FunctionsTreeProvider(connection, log);
  const view = vscode.window.createTreeView(VIEW_FUNCTIONS, { treeDataProvider: tree, showCollapseAll: true });
  const ctx = { extension: context, connection, tree, log, ui: vscodeUi, switchMemory: new SwitchMemory(context.globalState) } as CommandContext;
  const panels = new TrafficPanels(ctx);
  ctx.panels = panels;
  context.subscriptions.push(log, connection, tree, view, panels, ...registerCommands(ctx));
  return {
    connection,
    tree,
    panels,
    activatedAt,
    setUserInterface(ui) {
      const previous = ctx.ui;
      ctx.ui = ui;
      return () => (ctx.ui = previous);
    },
  };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions (the sandbox included).
}
