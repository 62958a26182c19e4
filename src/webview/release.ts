/**
 * The release panel's page. It renders what the host sends (src/shared/releaseProtocol.ts) and
 * posts the user's clicks back; it never talks to AWS. The DOM is built with text nodes only, so
 * nothing a function, alias or message from AWS says can become markup.
 */
import type { ReleaseControl, ReleaseView } from '../shared/release';
import { membersSummary } from '../shared/release';
import type { ReleasePanelMessage, ReleaseTraffic } from '../shared/releaseProtocol';
import { isReleaseHostMessage, releaseControls } from '../shared/releaseProtocol';
import { formatRate } from '../shared/traffic';
import { clock, h } from './dom';

interface VsCodeApi {
  postMessage(message: ReleasePanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const model: { release?: ReleaseView | null; traffic?: ReleaseTraffic; busy: ReleaseControl | null; notice?: { level: 'info' | 'error'; message: string } } = { busy: null };

const LABELS: Record<ReleaseControl, string> = { resume: 'Resume', restore: 'Restore All', promote: 'Promote', abort: 'Abort' };

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const v = model.release;
  if (v === undefined) return;
  if (v === null) {
    app.replaceChildren(h('p', { class: 'muted' }, 'This release is not in the journal of this connection.'));
    return;
  }
  const step = v.current >= 0 ? ` · step ${v.current + 1}/${v.steps.length}` : '';
  const controls = releaseControls(v);
  app.replaceChildren(
    h('h1', {}, 'Release ', h('span', { class: 'alias' }, v.id), ` · ${v.source}`),
    h('p', { class: 'meta' }, `${v.planName ? `${v.planName} · ` : ''}${v.planText} · started ${clock(v.startedAt)}${v.endedAt ? ` · ended ${clock(v.endedAt)}` : ''}${v.driver ? ` · driven by ${v.driver.self ? 'this window' : v.driver.holder}` : ''}`),
    h('div', { class: 'rollout' }, h('p', { class: `status s-${v.status}`, id: 'status' }, h('strong', {}, `${v.status}${step}`), ` — ${v.statusText}`)),
    h(
      'div',
      { class: 'row', id: 'controls' },
      ...controls.map((c) => {
        const b = h('button', { type: 'button', 'data-control': c, class: c === 'abort' || c === 'restore' ? 'secondary' : undefined, disabled: model.busy !== null }, model.busy === c ? `${LABELS[c]}…` : LABELS[c]);
        b.addEventListener('click', () => vscode.postMessage({ type: 'control', action: c }));
        return b;
      }),
    ),
    h('h2', {}, 'Steps'),
    h(
      'table',
      { class: 'split', id: 'steps' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Weight'), h('th', {}, 'Bake'), h('th', {}, 'Verdict'))),
      h(
        'tbody',
        {},
        ...v.steps.map((s, i) =>
          h(
            'tr',
            { class: s.verdict === 'Fail' ? 'worse' : undefined },
            h('td', {}, `${i + 1}${i === v.current ? ' (now)' : ''}`),
            h('td', { class: 'num' }, `${s.weight}%`),
            h('td', { class: 'num' }, s.weight >= 100 ? '—' : `${s.bakeSeconds} s${s.gate === 'manual' ? ' · manual' : ''}`),
            h('td', {}, s.verdict ? `${s.verdict}${s.sentence ? `: ${s.sentence}` : ''}` : '—'),
          ),
        ),
      ),
    ),
    h('h2', {}, `Functions — ${membersSummary(v.members)}`),
    h(
      'table',
      { class: 'split', id: 'members' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Function:alias'), h('th', {}, 'State'), h('th', {}, 'Stable → new'), h('th', {}, 'Weight'), h('th', {}, 'Verdict'))),
      h(
        'tbody',
        {},
        ...v.members.map((m) =>
          h(
            'tr',
            { class: m.verdict === 'Fail' || m.state === 'failed' || m.state === 'unknown' ? 'worse' : undefined },
            h('th', {}, `${m.functionName}:${m.aliasName}`),
            h('td', {}, m.state),
            h('td', {}, `${m.stable} → ${m.version ?? '—'}`),
            h('td', { class: 'num' }, `${m.weight}%`),
            h('td', {}, m.sentence ? `${m.verdict ?? ''}: ${m.sentence}` : (m.message ?? '—')),
          ),
        ),
      ),
    ),
    h('h2', {}, 'Combined traffic'),
    trafficTable(model.traffic),
    h('p', { class: `notice ${model.notice?.level ?? ''}`, id: 'notice' }, model.notice?.message ?? ''),
  );
}

function trafficTable(t: ReleaseTraffic | undefined): Node {
  if (!t) return h('p', { class: 'muted', id: 'traffic' }, 'Reading the traffic…');
  const row = (label: string, s: { invocations: number; errors: number }) =>
    h('tr', {}, h('th', {}, label), h('td', { class: 'num' }, String(s.invocations)), h('td', { class: 'num' }, String(s.errors)), h('td', { class: 'num' }, s.invocations ? formatRate(s.errors / s.invocations) : '—'));
  return h(
    'div',
    { id: 'traffic' },
    h(
      'table',
      { class: 'split' },
      h('caption', {}, `Summed over ${t.members} function${t.members === 1 ? '' : 's'}, ${clock(t.start)}–${clock(t.end)}`),
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { class: 'num' }, 'Invocations'), h('th', { class: 'num' }, 'Errors'), h('th', { class: 'num' }, 'Error rate'))),
      h('tbody', {}, row('Stable versions', t.stable), row('New versions', t.canary)),
    ),
    t.unread.length ? h('p', { class: 'error' }, `Not read: ${t.unread.join(', ')}`) : undefined,
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
