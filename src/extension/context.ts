import type * as vscode from 'vscode';
import type { ConnectionManager } from './connection';
import type { ExtensionLog } from './log';
import type { TrafficPanels } from './panel/trafficPanel';
import type { SwitchMemory } from './switchMemory';
import type { FunctionsTreeProvider } from './tree';
import type { UserInterface } from './ui';

/** What every command gets: the services of the running extension. */
export interface CommandContext {
  extension: vscode.ExtensionContext;
  connection: ConnectionManager;
  tree: FunctionsTreeProvider;
  log: ExtensionLog;
  /** Swappable so tests can answer prompts. */
  ui: UserInterface;
  switchMemory: SwitchMemory;
  /** The traffic panels, one per alias. */
  panels: TrafficPanels;
}
