/** History's editor code, loaded on first use (dist/historyUi.js): see ../historyUiModule.ts. */
export { returnToStateCommand, showHistory } from './showHistory';
export { HistoryFeed } from './historyFeed';
export type { HistoryFeedHost } from './historyFeed';
