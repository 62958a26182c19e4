/**
 * The traffic panel's History section: the alias's changes newest first (when, who, what, how it
 * ended, from where), a rollout's steps expandable, Return to This State on each row that can be
 * returned to (the host confirms, runs and reports it), CloudTrail's status and lag above the
 * rows, and Refresh. Every string is set as text (textContent, attributes): descriptions, ARNs
 * and user agents come from AWS.
 */
import * as l10n from '@vscode/l10n';
import type { HistoryEnd, HistoryEntry, HistoryRouting, HistorySource, HistoryView } from '../shared/history';
import { shaShort } from '../shared/historyText';
import { h } from './dom';
import { list as listOf, localTime, num, relativeTime, weightPercent } from './locale';

// shared/historyText's words, in the page's language (the editor and the CLI keep theirs).
const SOURCE_TEXT: Record<HistorySource, string> = { journal: l10n.t('journal'), cloudtrail: l10n.t('CloudTrail'), both: l10n.t('journal + CloudTrail') };
const ENDED_TEXT: Record<HistoryEnd, string> = {
  done: l10n.t('done'),
  failed: l10n.t('failed'),
  refused: l10n.t('refused'),
  unknown: l10n.t('outcome unknown'),
  'rolled-back': l10n.t('rolled back'),
  stopped: l10n.t('stopped'),
  running: l10n.t('running'),
};

/** How it ended, with why when known: `rolled back: canary 12% errors …`. */
function endedText(e: Pick<HistoryEntry, 'ended' | 'endedText'>): string {
  const word = Object.hasOwn(ENDED_TEXT, e.ended) ? ENDED_TEXT[e.ended] : e.ended;
  return e.endedText ? `${word}: ${e.endedText}` : word;
}

/** `7`, or `7 (90%) · 8 (10%)`. */
function routingShort(r: HistoryRouting): string {
  const weights = Object.entries(r.weights);
  if (weights.length === 0) return r.version;
  const rest = weights.reduce((sum, [, w]) => sum + w, 0);
  return [`${r.version} (${weightPercent(1 - rest)})`, ...weights.map(([v, w]) => `${v} (${weightPercent(w)})`)].join(' · ');
}

/** `7 → 8`, `→ 8` when the routing before is not known, empty when neither is. */
function changeText(before: HistoryRouting | undefined, after: HistoryRouting | undefined): string {
  if (!after) return before ? `${routingShort(before)} → ?` : '';
  return before ? `${routingShort(before)} → ${routingShort(after)}` : `→ ${routingShort(after)}`;
}

/** The published versions of an entry: `version 9 published (fix checkout), sha 1a2b3c4d`. */
function publishedText(e: Pick<HistoryEntry, 'versionsPublished'>): string {
  return e.versionsPublished
    .map((v) => {
      const published = v.description ? l10n.t('version {0} published ({1})', v.version, v.description) : l10n.t('version {0} published', v.version);
      return v.codeSha256 ? l10n.t('{0}, sha {1}', published, shaShort(v.codeSha256)) : published;
    })
    .join('; ');
}

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
  const section = h('section', { class: 'history', id: 'history', 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, l10n.t('History')));
  const v = m.history ?? undefined;
  if (v) {
    section.append(h('p', { id: 'history-status', class: `muted cloudtrail-${v.cloudTrail.state}` }, v.cloudTrail.message));
    if (v.cloudTrail.state === 'read' && v.cloudTrail.lagNote) section.append(h('p', { id: 'history-lag', class: 'muted' }, v.cloudTrail.lagNote));
  }
  const refresh = h('button', { id: 'history-refresh', type: 'button', class: 'secondary', disabled: m.loading, 'aria-label': l10n.t('Refresh the history') }, m.loading ? l10n.t('Reading…') : l10n.t('Refresh'));
  refresh.addEventListener('click', () => act.refresh());
  section.append(
    h(
      'div',
      { class: 'row' },
      refresh,
      h(
        'span',
        { class: 'muted', id: 'history-window', 'aria-live': 'polite' },
        v
          ? v.entries.length === 1
            ? l10n.t("Since {0}: 1 change ({1} in this machine's journal).", localTime(v.since, now), num(v.journal.records))
            : l10n.t("Since {0}: {1} changes ({2} in this machine's journal).", localTime(v.since, now), num(v.entries.length), num(v.journal.records))
          : m.loading
            ? l10n.t('Reading the journal and CloudTrail…')
            : '',
      ),
    ),
  );
  if (m.error) section.append(h('p', { id: 'history-error', class: 'error', role: 'alert' }, m.error));
  if (!v) return section;
  if (v.entries.length === 0) {
    section.append(h('p', { class: 'muted', id: 'history-empty' }, l10n.t('No changes of this alias in this window.')));
    return section;
  }
  const t = h('table', { id: 'history-table', class: 'split history-table' }, h('caption', { class: 'visually-hidden' }, l10n.t('History of {0}:{1}, newest first', v.functionName, v.aliasName)));
  const head = h('tr', {});
  for (const c of [l10n.t('When'), l10n.t('Who'), l10n.t('What'), l10n.t('Ended'), l10n.t('Source')]) head.append(h('th', { scope: 'col' }, c));
  head.append(h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, l10n.t('Actions'))));
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
  const shas = listOf(e.versionsPublished.filter((p) => p.codeSha256).map((p) => l10n.t('version {0}: sha {1}', p.version, shaShort(p.codeSha256!))));
  const extra = published && !e.summary.includes(published.split(',')[0]) ? published : shas;
  const what = h('td', { class: 'what' }, h('span', { class: 'summary' }, e.summary), change && !e.summary.includes(change) ? h('span', { class: 'change muted' }, change) : undefined, extra ? h('span', { class: 'published muted' }, extra) : undefined);
  const steps = e.steps ?? [];
  const open = m.expanded.has(e.id);
  if (steps.length) {
    const count = steps.length === 1 ? l10n.t('1 step') : l10n.t('{0} steps', num(steps.length));
    // The triangle is decoration: the name is the count, the state is aria-expanded.
    const toggle = h('button', { type: 'button', class: 'link history-steps-toggle', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': `history-steps-${e.id}` }, h('span', { 'aria-hidden': 'true' }, `${open ? '▾' : '▸'} `), count);
    toggle.addEventListener('click', () => act.toggle(e.id));
    what.append(toggle);
  }
  const actions = h('td', { class: 'history-actions' });
  if (e.returnTo.ok) {
    const busy = m.busy === e.id;
    const button = h(
      'button',
      { type: 'button', class: 'history-return', disabled: m.busy !== null || !!m.blocked, title: m.blocked, 'aria-label': busy ? undefined : l10n.t('Return to This State ({0})', localTime(e.at, now)) },
      busy ? l10n.t('Returning…') : l10n.t('Return to This State'),
    );
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
