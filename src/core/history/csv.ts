import type { HistoryEntry, HistoryView } from '../../shared/history';
import { routingShort } from './text';

/** The columns of `history --csv`, in order. */
export const CSV_COLUMNS = [
  'at',
  'id',
  'source',
  'kind',
  'action',
  'who',
  'client',
  'arn',
  'user_agent',
  'access_key_id',
  'before',
  'after',
  'revision_id',
  'versions_published',
  'ended',
  'ended_text',
  'summary',
  'steps',
  'return_to',
  'cloudtrail_event_ids',
] as const;

/**
 * A cell as RFC 4180 wants it (quoted when it holds a comma, a quote, CR or LF; quotes doubled),
 * and safe to open in a spreadsheet: text that a spreadsheet would run as a formula (starting with
 * = + - @, a tab or CR) gets a leading apostrophe.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(e: HistoryEntry): string[] {
  return [
    e.at,
    e.id,
    e.source,
    e.kind,
    e.action,
    e.who.name,
    e.who.client,
    e.who.arn ?? '',
    e.who.userAgent ?? '',
    e.who.accessKeyId ?? '',
    e.before ? routingShort(e.before) : '',
    e.after ? routingShort(e.after) : '',
    e.revisionId ?? '',
    e.versionsPublished.map((v) => `${v.version}${v.codeSha256 ? ` ${v.codeSha256}` : ''}${v.description ? ` (${v.description})` : ''}`).join('; '),
    e.ended,
    e.endedText ?? '',
    e.summary,
    (e.steps ?? []).map((s) => `${s.label}${s.verdict ? ` ${s.verdict}` : ''}: ${s.text}`).join('; '),
    e.returnTo.ok ? routingShort(e.returnTo.state) : `no: ${e.returnTo.reason}`,
    e.cloudTrailEventIds.join(' '),
  ];
}

/** The history as CSV (RFC 4180, a header row, one row per entry, newest first, CRLF line ends) for `history --csv`. */
export function historyCsv(view: HistoryView): string {
  const lines = [CSV_COLUMNS.join(','), ...view.entries.map((e) => row(e).map(csvCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
