import type { HistoryView } from '../../shared/history';

/** The history as CSV (RFC 4180, a header row, one row per entry, newest first) for `history --csv`. */
export function historyCsv(_view: HistoryView): string {
  throw new Error('historyCsv is not implemented yet');
}
