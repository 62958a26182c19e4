/**
 * History (src/core/history) with AWS's CloudTrail client, loaded on first use: webpack emits it as
 * dist/history.js (one file for the extension and the CLI), so neither starting the extension nor a
 * CLI command that does not read history loads it.
 */
import type * as History from './history';

export type HistoryModule = typeof History;

let loading: Promise<HistoryModule> | undefined;

export function loadHistory(): Promise<HistoryModule> {
  return (loading ??= import(/* webpackChunkName: "history" */ './history'));
}
