/**
 * History of an alias: the deployment journal and CloudTrail, merged (read.ts), and Return to
 * This State (returnTo.ts). Loaded on first use as dist/history.js (src/core/historyModule.ts).
 */
export type { CloudTrailSend, HistoryContext, HistoryInput, ReturnToStateDetail, ReturnToStateInput } from './types';
export { readHistory } from './read';
export { returnToState } from './returnTo';
export { historyCsv } from './csv';
