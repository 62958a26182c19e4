/**
 * The release panel's page. It renders what the host sends (src/shared/releaseProtocol.ts) and
 * posts the user's clicks back; it never talks to AWS. The DOM is built with text nodes only, so
 * nothing a function, alias or message from AWS says can become markup.
 */
import * as l10n from '@vscode/l10n';
import type { ReleaseControl, ReleaseMemberState, ReleaseMemberView, ReleaseStatus, ReleaseView } from '../shared/release';
import type { ReleasePanelMessage, ReleaseTraffic } from '../shared/releaseProtocol';
import { isReleaseHostMessage, releaseControls } from '../shared/releaseProtocol';
import { h } from './dom';
import { clock, list, num, rate as formatRate } from './locale';

interface VsCodeApi {
  postMessage(message: ReleasePanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const model: { release?: ReleaseView | null; traffic?: ReleaseTraffic; busy: ReleaseControl | null; notice?: { level: 'info' | 'error'; message: string } } = { busy: null };

const LABELS: Record<ReleaseControl, string> = { resume: l10n.t('Resume'), restore: l10n.t('Restore All'), promote: l10n.t('Promote'), abort: l10n.t('Abort') };
const BUSY: Record<ReleaseControl, string> = { resume: l10n.t('Resuming…'), restore: l10n.t('Restoring…'), promote: l10n.t('Promoting…'), abort: l10n.t('Aborting…') };

const STATUS: Record<ReleaseStatus, string> = {
  publishing: l10n.t('publishing'),
  running: l10n.t('running'),
  waiting: l10n.t('waiting'),
  halted: l10n.t('halted'),
  interrupted: l10n.t('interrupted'),
  promoted: l10n.t('promoted'),
  'rolled-back': l10n.t('rolled-back'),
  restored: l10n.t('restored'),
  aborted: l10n.t('aborted'),
  failed: l10n.t('failed'),
  unchanged: l10n.t('unchanged'),
};

const MEMBER_STATE: Record<ReleaseMemberState, string> = {
  pending: l10n.t('pending'),
  published: l10n.t('published'),
  unchanged: l10n.t('unchanged'),
  failed: l10n.t('failed'),
  routed: l10n.t('routed'),
  promoted: l10n.t('promoted'),
  restored: l10n.t('restored'),
  left: l10n.t('left'),
  unknown: l10n.t('unknown'),
};

const word = <K extends string>(table: Record<K, string>, key: K) => (Object.hasOwn(table, key) ? table[key] : key);

/** `3 functions: 2 routed, 1 unchanged` (shared/release's membersSummary, in the page's language). */
function membersSummary(members: readonly ReleaseMemberView[]): string {
  const counts = new Map<ReleaseMemberState, number>();
  for (const m of members) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => l10n.t('{0} {1}', num(n), word(MEMBER_STATE, state)));
  return members.length === 1 ? l10n.t('1 function: {0}', list(parts)) : l10n.t('{0} functions: {1}', num(members.length), list(parts));
}

/** A release's weight: `10%`. */
const weightText = (w: number) => l10n.t('{0}%', num(w, 2));

/**
 * The page keeps one polite live region (outside what each message rebuilds) and tells it the
 * release's status when it changes: the first render is read as the page itself.
 */
let spoken: { status: string; notice: string } | undefined;

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const v = model.release;
  if (v === undefined) return;
  let body = document.getElementById('release');
  let live = document.getElementById('announce');
  if (!body || !live) {
    body = h('div', { id: 'release' });
    live = h('div', { id: 'announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    app.replaceChildren(body, live);
  }
  if (v === null) {
    body.replaceChildren(h('p', { class: 'muted' }, l10n.t('This release is not in the journal of this connection.')));
    return;
  }
  const step = v.current >= 0 ? l10n.t(' · step {0}/{1}', num(v.current + 1), num(v.steps.length)) : '';
  const controls = releaseControls(v);
  const meta = [
    v.planName ? `${v.planName} · ${v.planText}` : v.planText,
    l10n.t('started {0}', clock(v.startedAt)),
    v.endedAt ? l10n.t('ended {0}', clock(v.endedAt)) : '',
    v.driver ? (v.driver.self ? l10n.t('driven by this window') : l10n.t('driven by {0}', v.driver.holder)) : '',
  ].filter(Boolean);
  const statusLine = `${word(STATUS, v.status)}${step} — ${v.statusText}`;
  const said = { status: statusLine, notice: model.notice?.level === 'info' ? model.notice.message : '' };
  const changed = spoken ? [said.status !== spoken.status ? said.status : '', said.notice !== spoken.notice ? said.notice : ''].filter(Boolean) : [];
  if (changed.length) live.textContent = changed.join(' ');
  spoken = said;
  body.replaceChildren(
    h('h1', {}, l10n.t('Release '), h('span', { class: 'alias' }, v.id), ` · ${v.source}`),
    h('p', { class: 'meta' }, meta.join(' · ')),
    h('div', { class: 'rollout' }, h('p', { class: `status s-${v.status}`, id: 'status' }, h('strong', {}, `${word(STATUS, v.status)}${step}`), ` — ${v.statusText}`)),
    h(
      'div',
      { class: 'row', id: 'controls', role: 'group', 'aria-label': l10n.t('Release controls') },
      ...controls.map((c) => {
        const b = h('button', { type: 'button', 'data-control': c, class: c === 'abort' || c === 'restore' ? 'secondary' : undefined, disabled: model.busy !== null }, model.busy === c ? BUSY[c] : LABELS[c]);
        b.addEventListener('click', () => vscode.postMessage({ type: 'control', action: c }));
        return b;
      }),
    ),
    h('h2', { id: 'steps-heading' }, l10n.t('Steps')),
    h(
      'table',
      { class: 'split', id: 'steps', 'aria-labelledby': 'steps-heading' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, l10n.t('Step')), h('th', { scope: 'col' }, l10n.t('Weight')), h('th', { scope: 'col' }, l10n.t('Bake')), h('th', { scope: 'col' }, l10n.t('Verdict')))),
      h(
        'tbody',
        {},
        ...v.steps.map((s, i) =>
          h(
            'tr',
            { class: s.verdict === 'Fail' ? 'worse' : undefined },
            h('th', { scope: 'row' }, i === v.current ? l10n.t('{0} (now)', num(i + 1)) : num(i + 1)),
            h('td', { class: 'num' }, weightText(s.weight)),
            h('td', { class: 'num' }, s.weight >= 100 ? '—' : s.gate === 'manual' ? l10n.t('{0} s · manual', num(s.bakeSeconds)) : l10n.t('{0} s', num(s.bakeSeconds))),
            h('td', {}, s.verdict ? `${s.verdict}${s.sentence ? `: ${s.sentence}` : ''}` : '—'),
          ),
        ),
      ),
    ),
    h('h2', { id: 'members-heading' }, l10n.t('Functions — {0}', membersSummary(v.members))),
    h(
      'table',
      { class: 'split', id: 'members', 'aria-labelledby': 'members-heading' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, l10n.t('Function:alias')), h('th', { scope: 'col' }, l10n.t('State')), h('th', { scope: 'col' }, l10n.t('Stable → new')), h('th', { scope: 'col' }, l10n.t('Weight')), h('th', { scope: 'col' }, l10n.t('Verdict'))),
      ),
      h(
        'tbody',
        {},
        ...v.members.map((m) =>
          h(
            'tr',
            { class: m.verdict === 'Fail' || m.state === 'failed' || m.state === 'unknown' ? 'worse' : undefined },
            h('th', { scope: 'row' }, `${m.functionName}:${m.aliasName}`),
            h('td', {}, word(MEMBER_STATE, m.state)),
            h('td', {}, `${m.stable} → ${m.version ?? '—'}`),
            h('td', { class: 'num' }, weightText(m.weight)),
            h('td', {}, m.sentence ? `${m.verdict ?? ''}: ${m.sentence}` : (m.message ?? '—')),
          ),
        ),
      ),
    ),
    h('h2', {}, l10n.t('Combined traffic')),
    trafficTable(model.traffic),
    h('p', { class: `notice ${model.notice?.level ?? ''}`, id: 'notice', role: model.notice?.level === 'error' ? 'alert' : undefined }, model.notice?.message ?? ''),
  );
}

function trafficTable(t: ReleaseTraffic | undefined): Node {
  if (!t) return h('p', { class: 'muted', id: 'traffic' }, l10n.t('Reading the traffic…'));
  const row = (label: string, s: { invocations: number; errors: number }) =>
    h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, num(s.invocations)), h('td', { class: 'num' }, num(s.errors)), h('td', { class: 'num' }, s.invocations ? formatRate(s.errors / s.invocations) : '—'));
  return h(
    'div',
    { id: 'traffic' },
    h(
      'table',
      { class: 'split' },
      h('caption', {}, t.members === 1 ? l10n.t('Summed over 1 function, {0}–{1}', clock(t.start), clock(t.end)) : l10n.t('Summed over {0} functions, {1}–{2}', num(t.members), clock(t.start), clock(t.end))),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, l10n.t('Versions'))), h('th', { scope: 'col', class: 'num' }, l10n.t('Invocations')), h('th', { scope: 'col', class: 'num' }, l10n.t('Errors')), h('th', { scope: 'col', class: 'num' }, l10n.t('Error rate'))),
      ),
      h('tbody', {}, row(l10n.t('Stable versions'), t.stable), row(l10n.t('New versions'), t.canary)),
    ),
    t.unread.length ? h('p', { class: 'error' }, l10n.t('Not read: {0}', t.unread.join(', '))) : undefined,
  );
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data;
  if (!isReleaseHostMessage(m)) return;
  switch (m.type) {
    case 'release':
      model.release = m.release;
      if (m.release) vscode.setState({ releaseId: m.release.id });
      break;
    case 'traffic':
      model.traffic = m.traffic;
      break;
    case 'busy':
      model.busy = m.action;
      break;
    case 'notice':
      model.notice = { level: m.level, message: m.message };
      break;
  }
  render();
});

vscode.postMessage({ type: 'ready' });
