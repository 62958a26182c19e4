import * as vscode from 'vscode';
import { VIEW_FUNCTIONS } from '../shared/ids';
import { AliasActionsService } from './aliasActionsService';
import { registerCommands } from './commands/registerCommands';
import { ConnectionManager } from './connection';
import type { CommandContext } from './context';
import { ExtensionJournal } from './deploymentJournal';
import { setUpLocalisation } from './l10nSetup';
import { ExtensionLog } from './log';
import { TrafficPanels } from './panel/panels';
import { ReleasePanels } from './panel/releasePanel';
import { ReleaseNotices } from './releaseNotices';
import { ExtensionReleases } from './releases';
import { RolloutNotices } from './rolloutNotices';
import { ExtensionRollouts } from './rollouts';
import type { RolloutStatusState } from './rolloutStatusBar';
import { RolloutStatusBar } from './rolloutStatusBar';
import { FunctionsTreeProvider } from './tree';
import type { UserInterface } from './ui';
import { vscodeUi } from './ui';
import { offerWalkthroughOnce, WalkthroughProgress } from './walkthrough';

/** What activate() returns: used by the extension-host tests (and by nothing else). */
export interface LambdaCanaryApi {
  readonly connection: ConnectionManager;
  readonly tree: FunctionsTreeProvider;
  readonly panels: TrafficPanels;
  readonly aliases: AliasActionsService;
  readonly journal: ExtensionJournal;
  readonly rollouts: ExtensionRollouts;
  readonly releases: ExtensionReleases;
  readonly releasePanels: ReleasePanels;
  /** What the rollouts' status bar item shows now. */
  readonly rolloutStatus: RolloutStatusState;
  /** Replaces the prompt layer; returns a function restoring the previous one. */
  setUserInterface(ui: UserInterface): () => void;
  readonly activatedAt: number;
}

export function activate(context: vscode.ExtensionContext): LambdaCanaryApi {
  const activatedAt = Date.now();
  setUpLocalisation();
  const log = new ExtensionLog();
  const connection = new ConnectionManager(context, log);
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? 'unknown');
  const journal = new ExtensionJournal(context.globalStorageUri.fsPath, log, version);
  let ui: UserInterface = vscodeUi;
  const aliases = new AliasActionsService(connection, log, journal, () => ui);
  const rollouts = new ExtensionRollouts(connection, journal, log);
  const releases = new ExtensionReleases(connection, journal, log);
  active = rollouts;
  activeReleases = releases;
  // A manual write on an alias CodeDeploy manages warns first (the answer cached with the tree's refresh).
  aliases.managedBy = (fn, alias) => rollouts.codeDeploy.management(fn, alias);
  const tree = new FunctionsTreeProvider(connection, log, aliases.onDidChangeAlias, rollouts, releases);
  const rolloutStatus = new RolloutStatusBar(rollouts, connection.onDidChange);
  const notices = new RolloutNotices(rollouts.onNotice, () => ui, log);
  const releaseNotices = new ReleaseNotices(releases.onNotice, () => ui, log);
  const releasePanels = new ReleasePanels({ extension: context, connection, log, releases });
  const view = vscode.window.createTreeView(VIEW_FUNCTIONS, { treeDataProvider: tree, showCollapseAll: true });
  tree.attachView(view);
  const panels = new TrafficPanels({ extension: context, connection, log, aliases, rollouts });
  const ctx: CommandContext = {
    extension: context,
    connection,
    tree,
    log,
    get ui() {
      return ui;
    },
    set ui(next: UserInterface) {
      ui = next;
    },
    aliases,
    journal,
    panels,
    rollouts,
    releases,
    releasePanels,
  };
  // Every write from this window, recorded: the open panels of the function redraw (the tree subscribes itself).
  const redraw = aliases.onDidChangeAlias((e) => panels.aliasChanged(e.functionName));
  context.subscriptions.push(log, connection, tree, view, journal, redraw, panels, rollouts, rolloutStatus, notices, releases, releaseNotices, releasePanels, ...registerCommands(ctx));
  // The getting-started walkthrough: its steps marked done as the user does them, offered once.
  context.subscriptions.push(new WalkthroughProgress(aliases.onDidChangeAlias));
  offerWalkthroughOnce(context, log);
  // A rollout that was running when the window closed goes on (its lease decides who drives).
  void rollouts.resumeIfAny();
  // A release open in the journal shows (interrupted, when its window closed mid-way: Resume or Restore All).
  void releases.loadIfAny();
  return {
    connection,
    tree,
    panels,
    aliases,
    journal,
    rollouts,
    releases,
    releasePanels,
    rolloutStatus,
    activatedAt,
    setUserInterface(next) {
      const previous = ui;
      ui = next;
      return () => (ui = previous);
    },
  };
}

let active: ExtensionRollouts | undefined;
let activeReleases: ExtensionReleases | undefined;

/** Lets go of the leases this window holds, so a reloaded window takes its rollouts over at once. */
export async function deactivate(): Promise<void> {
  // Everything else registered is disposed through context.subscriptions (the sandbox included).
  await Promise.all([active?.stop(), activeReleases?.stop()]);
  active = undefined;
  activeReleases = undefined;
}
