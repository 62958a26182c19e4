/**
 * The traffic panel's History section: the alias's changes newest first (when, who, what, how it
 * ended, from where), a rollout's steps expandable, Return to This State on each row that can be
 * returned to (the host confirms, runs and reports it), CloudTrail's status and lag above the
 * rows, and Refresh. Every string is set as text (textContent, attributes): descriptions, ARNs
 * and user agents come from AWS.
 */
import type { HistoryEntry, HistoryView } from '../shared/history';
import { changeText, endedText, localTime, publishedText, relativeTime, shaShort, SOURCE_TEXT } from '../shared/historyText';
import { h } from './dom';

export interface HistoryModel {
  /** undefined: not read yet; null: the host has none (its first read is running or failed). */
  history?: HistoryView | null;
  loading: boolean;
  error?: string;
  /** The entry a Return to This State runs for (null: none). */
  busy: string | null;
  /** Another action holds the alias, or a rollout moves it: no return may start. */
  blocked?: string;
  /** Entries whose steps are shown. */
  expanded: Set<string>;
}

export interface HistoryActions {
  refresh(): void;
  returnTo(entryId: string): void;
  toggle(entryId: string): void;
}

export function renderHistory(m: HistoryModel, act: HistoryActions, now = Date.now()): HTMLElement {
  const section = h('section', { class: 'history', id: 'history', 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, 'History'));
  const v = m.history ?? undefined;
  if (v) {
    section.append(h('p', { id: 'history-status', class: `muted cloudtrail-${v.cloudTrail.state}` }, v.cloudTrail.message));
    if (v.cloudTrail.state === 'read' && v.cloudTrail.lagNote) section.append(h('p', { id: 'history-lag', class: 'muted' }, v.cloudTrail.lagNote));
  }
  const refresh = h('button', { id: 'history-refresh', type: 'button', class: 'secondary', disabled: m.loading }, m.loading ? 'Reading…' : 'Refresh');
  refresh.addEventListener('click', () => act.refresh());
  section.append(
    h(
      'div',
      { class: 'row' },
      refresh,
      h('span', { class: 'muted', id: 'history-window' }, v ? `Since ${localTime(v.since, now)}: ${v.entries.length} change${v.entries.length === 1 ? '' : 's'} (${v.journal.records} in this machine's journal).` : m.loading ? 'Reading the journal and CloudTrail…' : ''),
    ),
  );
  if (m.error) section.append(h('p', { id: 'history-error', class: 'error', role: 'alert' }, m.error));
  if (!v) return section;
  if (v.entries.length === 0) {
    section.append(h('p', { class: 'muted', id: 'history-empty' }, 'No changes of this alias in this window.'));
    return section;
  }
  const t = h('table', { id: 'history-table', class: 'split history-table' }, h('caption', { class: 'visually-hidden' }, `History of ${v.functionName}:${v.aliasName}, newest first`));
  const head = h('tr', {});
  for (const c of ['When', 'Who', 'What', 'Ended', 'Source', '']) head.append(h('th', { scope: 'col' }, c));
  t.append(h('thead', {}, head));
  const body = h('tbody', {});
  for (const e of v.entries) body.append(...row(e, m, act, now));
  t.append(body);
  section.append(t);
  return section;
}

function row(e: HistoryEntry, m: HistoryModel, act: HistoryActions, now: number): HTMLElement[] {
  const who = h('td', { class: 'who', title: [e.who.arn, e.who.userAgent, e.who.host].filter(Boolean).join('\n') || undefined }, h('span', { class: 'name' }, e.who.name), h('span', { class: 'client' }, e.who.client));
  const change = changeText(e.before, e.after);
  const published = publishedText(e);
  // The summary often says the change and the versions already: a line of its own only for what it does not say (the CodeSha256).
  const shas = e.versionsPublished.filter((p) => p.codeSha256).map((p) => `version ${p.version}: sha ${shaShort(p.codeSha256!)}`).join(', ');
  const extra = published && !e.summary.includes(published.split(',')[0]) ? published : shas;
  const what = h('td', { class: 'what' }, h('span', { class: 'summary' }, e.summary), change && !e.summary.includes(change) ? h('span', { class: 'change muted' }, change) : undefined, extra ? h('span', { class: 'published muted' }, extra) : undefined);
  const steps = e.steps ?? [];
  const open = m.expanded.has(e.id);
  if (steps.length) {
    const toggle = h('button', { type: 'button', class: 'link history-steps-toggle', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': `history-steps-${e.id}` }, `${open ? '▾' : '▸'} ${steps.length} step${steps.length === 1 ? '' : 's'}`);
    toggle.addEventListener('click', () => act.toggle(e.id));
    what.append(toggle);
  }
  const actions = h('td', { class: 'history-actions' });
  if (e.returnTo.ok) {
    const busy = m.busy === e.id;
    const button = h('button', { type: 'button', class: 'history-return', disabled: m.busy !== null || !!m.blocked, title: m.blocked }, busy ? 'Returning…' : 'Return to This State');
    button.addEventListener('click', () => act.returnTo(e.id));
    actions.append(button);
  } else {
    actions.append(h('span', { class: 'muted no-return', title: e.returnTo.reason }, e.returnTo.reason));
  }
  const tr = h(
    'tr',
    { 'data-entry-id': e.id, 'data-action': e.action, 'data-kind': e.kind, 'data-source': e.source, 'data-ended': e.ended, class: `ended-${e.ended}` },
    h('td', { class: 'when', title: e.at }, relativeTime(e.at, now), h('span', { class: 'muted local' }, localTime(e.at, now))),
    who,
    what,
    h('td', { class: `ended e-${e.ended}` }, endedText(e)),
    h('td', { class: 'source' }, SOURCE_TEXT[e.source]),
    actions,
  );
  if (!steps.length || !open) return [tr];
  const list = h('ol', { class: 'steps history-steps' });
  for (const s of steps) {
    list.append(h('li', { 'data-verdict': s.verdict }, h('strong', {}, s.label), s.verdict ? h('span', { class: `badge v-${s.verdict}` }, s.verdict) : undefined, h('span', { class: 'sentence' }, s.text)));
  }
  return [tr, h('tr', { class: 'history-steps-row', id: `history-steps-${e.id}` }, h('td', { colspan: 6 }, list))];
}
