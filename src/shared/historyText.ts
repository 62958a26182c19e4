/**
 * History's words in the editor and the traffic panel (rows, the Return to This State confirmation),
 * in one place. No vscode: unit-tested in plain Node. Every string from the view is AWS's or the
 * journal's text: the callers escape it for their surface (iconText in a quick pick, textContent
 * in the panel, plainText in a dialog).
 */
import { formatPercent } from '../core/routing';
import type { HistoryActor, HistoryEnd, HistoryEntry, HistoryRouting, HistorySource, HistoryView } from './history';
import { plainText } from './text';

const DAY_MS = 86_400_000;

/**
 * How far back a history reads, in ms: `7d`, `12h`, `30m`, `90s`, `2w` (whole numbers); undefined
 * when it is none of these. The setting and the CLI's --since/--until read durations with it.
 */
export function parseSince(text: string): number | undefined {
  const m = /^\s*(\d{1,5})\s*(s|m|min|h|d|w)\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[m[2].toLowerCase() as 's' | 'm' | 'min' | 'h' | 'd' | 'w'];
  return n > 0 ? n * unit : undefined;
}

/** The start of the window `since` (a setting) names, 7 days when it names none. */
export function sinceDate(since: string, now = Date.now()): Date {
  return new Date(now - (parseSince(since) ?? 7 * DAY_MS));
}

/** `just now`, `45 s ago`, `5 min ago`, `3 h ago`, `2 d ago` (a time in the future reads as now). */
export function relativeTime(at: string, now = Date.now()): string {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) return 'at an unknown time';
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The local time: `14:02:11` today, `2026-11-30 14:02:11` another day. */
export function localTime(at: string, now = Date.now()): string {
  const d = new Date(at);
  if (!Number.isFinite(d.getTime())) return at;
  const clock = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? clock : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clock}`;
}

/** `5 min ago (14:02:11)`. */
export function whenText(at: string, now = Date.now()): string {
  return `${relativeTime(at, now)} (${localTime(at, now)})`;
}

/** `7`, or `7 (90%) · 8 (10%)`. */
export function routingShort(r: HistoryRouting): string {
  const weights = Object.entries(r.weights);
  if (weights.length === 0) return r.version;
  const rest = weights.reduce((sum, [, w]) => sum + w, 0);
  return [`${r.version} (${formatPercent(1 - rest)})`, ...weights.map(([v, w]) => `${v} (${formatPercent(w)})`)].join(' · ');
}

/** `7 → 8`, `→ 8` when the routing before is not known, empty when neither is. */
export function changeText(before: HistoryRouting | undefined, after: HistoryRouting | undefined): string {
  if (!after) return before ? `${routingShort(before)} → ?` : '';
  return before ? `${routingShort(before)} → ${routingShort(after)}` : `→ ${routingShort(after)}`;
}

/** `alice@laptop · lambda-canary`, `deployer · console`. */
export function whoText(who: HistoryActor): string {
  return who.client && who.client !== who.name ? `${who.name} · ${who.client}` : who.name;
}

export const SOURCE_TEXT: Record<HistorySource, string> = { journal: 'journal', cloudtrail: 'CloudTrail', both: 'journal + CloudTrail' };

export const ENDED_TEXT: Record<HistoryEnd, string> = {
  done: 'done',
  failed: 'failed',
  refused: 'refused',
  unknown: 'outcome unknown',
  'rolled-back': 'rolled back',
  stopped: 'stopped',
  running: 'running',
};

/** How it ended, with why when known: `rolled back: canary 12% errors …`. */
export function endedText(e: Pick<HistoryEntry, 'ended' | 'endedText'>): string {
  const word = ENDED_TEXT[e.ended] ?? e.ended;
  return e.endedText ? `${word}: ${e.endedText}` : word;
}

/** The published versions of an entry: `version 9 published (fix checkout), sha 1a2b3c4d`. */
export function publishedText(e: Pick<HistoryEntry, 'versionsPublished'>): string {
  return e.versionsPublished
    .map((v) => `version ${v.version} published${v.description ? ` (${v.description})` : ''}${v.codeSha256 ? `, sha ${shaShort(v.codeSha256)}` : ''}`)
    .join('; ');
}

/** A CodeSha256 (base64) as the tree shows it: its first 8 hex digits. */
export function shaShort(codeSha256: string): string {
  try {
    const bytes = atob(codeSha256);
    let hex = '';
    for (let i = 0; i < Math.min(4, bytes.length); i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, '0');
    return hex.length === 8 ? hex : codeSha256.slice(0, 8);
  } catch {
    return codeSha256.slice(0, 8);
  }
}

/** The line under an entry: before → after, how it ended, where it came from. */
export function entryDetail(e: HistoryEntry): string {
  const change = changeText(e.before, e.after);
  const parts = [change, endedText(e), SOURCE_TEXT[e.source]];
  if (!e.returnTo.ok) parts.push(`cannot return: ${e.returnTo.reason}`);
  return parts.filter(Boolean).join(' · ');
}

/** CloudTrail's status in one short line, for the quick pick's separator: `journal alone: CloudTrail permission missing`. */
export function statusShort(view: HistoryView): string {
  const ct = view.cloudTrail;
  switch (ct.state) {
    case 'read':
      return `journal + CloudTrail (${ct.eventsRead} Lambda event${ct.eventsRead === 1 ? '' : 's'} read${ct.truncated ? ', older ones not read' : ''})`;
    case 'denied':
      return 'journal alone: CloudTrail permission missing (cloudtrail:LookupEvents)';
    case 'unavailable':
      return 'journal alone: no CloudTrail at this endpoint';
    case 'off':
      return 'journal alone: CloudTrail turned off (lambdaCanary.history.cloudTrail)';
    case 'error':
      return 'journal alone: CloudTrail could not be read';
  }
}

/** The status and the lag note, one paragraph (the pick's placeholder, the panel's line). */
export function statusLine(view: HistoryView): string {
  const ct = view.cloudTrail;
  return [ct.message, ct.state === 'read' ? ct.lagNote : ''].filter(Boolean).join(' ');
}

/** What a quick pick row of an entry says (plain text; the caller escapes `$(`). */
export interface EntryRow {
  label: string;
  description: string;
  detail: string;
}

export function entryRow(e: HistoryEntry, now = Date.now()): EntryRow {
  return { label: `${whenText(e.at, now)} — ${plainText(e.summary, 200)}`, description: whoText(e.who), detail: entryDetail(e) };
}

/** The question before Return to This State: the alias, its routing now → the entry's, the entry's time and who. */
export interface ReturnConfirmation {
  id: 'confirmReturn';
  message: string;
  detail: string;
  action: string;
}

export const RETURN_ACTION = 'Return to This State';

export function confirmReturn(view: Pick<HistoryView, 'functionName' | 'aliasName' | 'current'>, entry: HistoryEntry, state: HistoryRouting, now = Date.now()): ReturnConfirmation {
  const key = `${plainText(view.functionName)}:${plainText(view.aliasName)}`;
  const current = view.current ? routingShort(view.current) : 'not known';
  return {
    id: 'confirmReturn',
    message: `Return ${key} to ${routingShort(state)}?`,
    detail:
      `${key} routes ${current} now; after this, ${routingShort(state)}. ` +
      `That is its state after the change of ${localTime(entry.at, now)} (${relativeTime(entry.at, now)}) by ${plainText(whoText(entry.who))}: ${plainText(entry.summary, 200)}. ` +
      // The write is guarded on the RevisionId the history read; without one, say it is not.
      (view.current?.revisionId
        ? 'Nothing is published; if the alias changed since this history was read, nothing is written. '
        : 'Nothing is published. The alias was read without a RevisionId, so this write is not guarded: a change made since this history was read is overwritten. ') +
      '"Switch Back" returns to the routing of now.',
    action: RETURN_ACTION,
  };
}

/** The entry of a view an id names (the panel's Return to This State names one). */
export function entryById(view: HistoryView | undefined, id: string): HistoryEntry | undefined {
  return view?.entries.find((e) => e.id === id);
}
