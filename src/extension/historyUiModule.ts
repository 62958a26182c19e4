/**
 * History in the editor (Show History…, Return to This State…, the traffic panel's History
 * section), loaded on first use: webpack emits it as dist/historyUi.js, and core's history with
 * CloudTrail's client as dist/history.js, so the activation bundle carries neither. Compiled with
 * ES modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as HistoryUi from './history';

export type HistoryUiModule = typeof HistoryUi;

let loading: Promise<HistoryUiModule> | undefined;

export function loadHistoryUi(): Promise<HistoryUiModule> {
  return (loading ??= import(/* webpackChunkName: "historyUi" */ './history').catch((err: unknown) => {
    // Not kept: the next use tries to load it again.
    loading = undefined;
    throw err;
  }));
}
