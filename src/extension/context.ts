import type * as vscode from 'vscode';
import type { AliasActionsService } from './aliasActionsService';
import type { ConnectionManager } from './connection';
import type { ExtensionJournal } from './deploymentJournal';
import type { ExtensionLog } from './log';
import type { ExtensionReleases } from './releases';
import type { ExtensionRollouts } from './rollouts';
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
  /** Every action on an alias: claim → ask → use case → notification → onDidChangeAlias. */
  aliases: AliasActionsService;
  /** The deployment journal in global storage: Switch Back, recently used aliases. */
  journal: ExtensionJournal;
  /** The traffic panels, one per alias. */
  panels: PanelHost;
  /** Progressive rollouts of the current connection (the core runner, outside any panel). */
  rollouts: ExtensionRollouts;
  /** Releases of the current connection (the core runner, outside any panel). */
  releases: ExtensionReleases;
  /** The release panels, one per release. */
  releasePanels: { open(releaseId: string): unknown };
}

/** What the traffic panels need of the extension: the services, not the commands' context. */
export type PanelContext = Pick<CommandContext, 'extension' | 'connection' | 'log' | 'aliases' | 'rollouts'>;

/**
 * What commands need of the traffic panels. Declared here rather than imported, because the
 * panel module uses the commands' helpers: the dependency runs from the panel to the commands.
 */
export interface PanelHost {
  open(functionName: string, aliasName: string): unknown;
  /** Redraws the open panels of this function (or of one alias) after a write. */
  aliasChanged(functionName: string, aliasName?: string): void;
}
