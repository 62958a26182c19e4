import * as vscode from 'vscode';
import { Commands } from '../../shared/ids';
import { loadCodeDeployCommands } from '../codeDeployCommandsModule';
import { loadHistoryUi } from '../historyUiModule';
import { loadRouterCommands } from '../routerUiModule';
import type { CommandContext } from '../context';
import { canaryThisVersionOn } from './canaryThisVersionOn';
import { wrapCommand } from './common';
import { createUrlOnAlias, grantOnAlias, routeThroughAlias } from './fixTrigger';
import { openFunctionConfig } from './openFunctionConfig';
import { openTrafficPanel } from './openTrafficPanel';
import { promoteCanary } from './promoteCanary';
import { publishCanary } from './publishCanary';
import { promoteToStage } from './promoteToStage';
import { abortRelease, openRelease, promoteRelease, publishRelease, restoreRelease, resumeRelease } from './releaseCommands';
import { rollbackCanary } from './rollbackCanary';
import { abortRollout, nextRolloutStep, pauseRollout, promoteRollout, resumeRollout, showRollouts } from './rolloutControls';
import { selectConnection } from './selectConnection';
import { setCanaryWeight } from './setCanaryWeight';
import { switchAlias } from './switchAlias';
import { switchBack } from './switchBack';
import { rollOutVersionOn, startRollout } from './startRollout';
import { startCanaryOn, switchAliasToVersion } from './versionActions';
import { clearFilter, copyArn, filter, refresh, showLog } from './viewCommands';

type Handler = (ctx: CommandContext, node?: never) => Promise<unknown>;

/** The command table: id → handler, each wrapped in the one error/cancel handler. */
const table: Record<string, Handler> = {
  [Commands.publishCanary]: publishCanary,
  [Commands.setCanaryWeight]: setCanaryWeight,
  [Commands.promoteCanary]: promoteCanary,
  [Commands.rollbackCanary]: rollbackCanary,
  [Commands.switchAlias]: switchAlias,
  [Commands.switchBack]: switchBack,
  [Commands.startCanaryOn]: startCanaryOn,
  [Commands.switchAliasToVersion]: switchAliasToVersion,
  [Commands.canaryThisVersionOn]: canaryThisVersionOn,
  [Commands.refresh]: refresh,
  [Commands.filter]: filter,
  [Commands.clearFilter]: clearFilter,
  [Commands.selectConnection]: selectConnection,
  [Commands.showLog]: showLog,
  [Commands.openFunctionConfig]: openFunctionConfig,
  [Commands.copyArn]: copyArn,
  [Commands.openTrafficPanel]: openTrafficPanel,
  [Commands.startRollout]: startRollout,
  [Commands.rollOutVersionOn]: rollOutVersionOn,
  [Commands.pauseRollout]: pauseRollout,
  [Commands.resumeRollout]: resumeRollout,
  [Commands.nextRolloutStep]: nextRolloutStep,
  [Commands.promoteRollout]: promoteRollout,
  [Commands.abortRollout]: abortRollout,
  [Commands.showRollouts]: showRollouts,
  [Commands.stopCodeDeployRollout]: async (ctx, node) => (await loadCodeDeployCommands()).stopCodeDeployRollout(ctx, node),
  [Commands.routeThroughAlias]: routeThroughAlias,
  [Commands.createUrlOnAlias]: createUrlOnAlias,
  [Commands.grantOnAlias]: grantOnAlias,
  [Commands.showHistory]: async (ctx, node) => (await loadHistoryUi()).showHistory(ctx, node),
  [Commands.publishRelease]: publishRelease,
  [Commands.resumeRelease]: resumeRelease,
  [Commands.restoreRelease]: restoreRelease,
  [Commands.promoteRelease]: promoteRelease,
  [Commands.abortRelease]: abortRelease,
  [Commands.openRelease]: openRelease,
  [Commands.promoteReleaseToStage]: promoteToStage,
  [Commands.returnToState]: async (ctx, node) => (await loadHistoryUi()).returnToStateCommand(ctx, node),
  [Commands.createRouter]: async (ctx, node) => (await loadRouterCommands()).createRouter(ctx, node),
  [Commands.changeRouterRule]: async (ctx, node) => (await loadRouterCommands()).changeRouterRule(ctx, node),
  [Commands.moveTriggersToRouter]: async (ctx, node) => (await loadRouterCommands()).moveTriggersToRouter(ctx, node),
  [Commands.moveTriggersBack]: async (ctx, node) => (await loadRouterCommands()).moveTriggersBack(ctx, node),
  [Commands.removeRouter]: async (ctx, node) => (await loadRouterCommands()).removeRouter(ctx, node),
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(
      id,
      wrapCommand(ctx, id, (node?: never) => handler(ctx, node)),
    ),
  );
}
