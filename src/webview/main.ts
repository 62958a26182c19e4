/**
 * The traffic panel's page. It renders what the host sends (src/shared/protocol.ts) and posts
 * the user's actions back; it never talks to AWS itself. The DOM is built with textContent only
 * (no HTML strings), so nothing a function, alias or version is called can become markup.
 */
import { formatPercent, weightToPercent } from '../core/routing';
import type { AliasView, BusyAction, LeaseView, PanelMessage, RolloutAction } from '../shared/protocol';
import { isHostMessage, PROBE_MAX, PROBE_MIN } from '../shared/protocol';
import type { ProbeResult, ReportVerdict, TrafficReport, WindowMinutes } from '../shared/traffic';
import { formatAge, formatRate as ratePct, WINDOW_MINUTES } from '../shared/traffic';
import type { RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import { clock, h, s } from './dom';
import type { HistoryModel } from './history';
import { renderHistory } from './history';
import { countdownText, renderRollout } from './rollout';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

interface Model {
  alias?: AliasView;
  window: WindowMinutes;
  refreshSeconds: number;
  report?: TrafficReport;
  /** The host's verdict on the canary of that report. */
  verdict?: ReportVerdict;
  fetchedAt?: number;
  trafficError?: string;
  busy: BusyAction | null;
  probe?: { total: number; done: number; result: ProbeResult; finished: boolean; cancelled: boolean };
  notice?: { level: 'info' | 'error'; message: string };
  /** The weight the user is editing, percent; undefined follows the alias. */
  draftWeight?: number;
  probeCount: number;
  /** The alias's rollout (null: none known), and a lease of one driven from elsewhere. */
  rollout?: RolloutView | null;
  lease?: LeaseView;
  rolloutBusy: RolloutAction | null;
  /** The History section (its entries, CloudTrail's status, a return running). */
  history: HistoryModel;
}

const model: Model = { window: 15, refreshSeconds: 10, busy: null, probeCount: 100, rolloutBusy: null, history: { loading: false, busy: null, expanded: new Set() } };

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const pct = (x: number) => formatPercent(x);
const ms = (x: number | undefined) => (x === undefined ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);

/** Stable colours per version: the stable version first, the canary second, then the rest. */
function colourIndex(version: string): number {
  const a = model.alias;
  if (a && version === a.primary.version) return 0;
  if (a?.canary && version === a.canary.version) return 1;
  const others = (model.report?.versions ?? []).map((v) => v.version).filter((v) => v !== a?.primary.version && v !== a?.canary?.version);
  return 2 + (Math.max(0, others.indexOf(version)) % 4);
}

// ---- rendering ---------------------------------------------------------------------------

/**
 * The page is a fixed list of slots. A slot whose inputs did not change is left alone, so a
 * refresh never closes an open dropdown, resets a slider being dragged or a number being typed.
 */
const SLOTS = ['header', 'rollout', 'controls', 'freshness', 'verdict', 'chart', 'table', 'actions', 'probe', 'history', 'notice'] as const;
/** Slots that live inside another slot's content: rebuilt whenever their parent is. */
const NESTED = { probeResult: 'probe' } as const;
type Slot = (typeof SLOTS)[number] | keyof typeof NESTED;
const keys = new Map<Slot, string>();

function fill(slot: Slot, key: unknown, build: () => Node | string): void {
  const el = byId(`slot-${slot}`);
  if (!el) return;
  const k = JSON.stringify(key);
  if (keys.get(slot) === k) return;
  keys.set(slot, k);
  el.replaceChildren(build());
  for (const [child, parent] of Object.entries(NESTED)) if (parent === slot) keys.delete(child as Slot);
}

function render(): void {
  const app = byId('app');
  if (!app) return;
  if (!byId('slot-header')) app.replaceChildren(...SLOTS.map((name) => h('div', { id: `slot-${name}` })));
  const a = model.alias;
  const r = model.report;
  const reportKey = [model.fetchedAt, r?.totalInvocations, r?.end];
  fill('header', [a, model.trafficError && !a], header);
  // undefined (not heard yet) and null (none) are one in JSON.
  fill('rollout', [model.rollout === undefined ? 'unknown' : model.rollout, model.lease, model.rolloutBusy, !!a], rollout);
  fill('controls', [model.window, model.refreshSeconds, a?.lagging, model.trafficError], controls);
  fill('freshness', [reportKey, model.trafficError], freshness);
  fill('verdict', [reportKey, a], verdict);
  fill('chart', [reportKey, a], chart);
  fill('table', [reportKey, a, model.window], table);
  fill('actions', [a?.revisionId, a?.primary, a?.canary, model.busy, rolloutInProgress()], actions);
  // The controls are kept while a probe runs (its progress redraws only the result under them),
  // so Cancel stays the same button through every progress message.
  fill('probe', [model.busy, !!a], probe);
  fill('probeResult', [model.probe], probeResult);
  const hm = model.history;
  hm.blocked = historyBlocked();
  // The relative times ("5 min ago") are redrawn with the minute.
  fill('history', [hm.history === undefined ? 'unknown' : hm.history, hm.loading, hm.error, hm.busy, hm.blocked, [...hm.expanded], Math.floor(Date.now() / 60_000)], history);
  fill('notice', [model.notice], notice);
}

function header(): HTMLElement {
  const a = model.alias;
  if (!a) return h('header', {}, h('h1', {}, 'Traffic'), model.trafficError ? h('p', { class: 'error', role: 'alert' }, model.trafficError) : h('p', {}, 'Loading…'));
  const segments = [a.primary, ...(a.canary ? [a.canary] : [])];
  const label = segments.map((x) => `version ${x.version} ${pct(x.weight)}`).join(', ');
  const bar = h('div', { class: 'routing', role: 'img', 'aria-label': `Configured routing: ${label}` });
  // The labels sit under the bar, in the theme's text colour: readable on any chart colour.
  const labels = h('div', { class: 'routing-labels', 'aria-hidden': 'true' });
  for (const seg of segments) {
    const grow = String(Math.max(seg.weight, 0.08));
    const part = h('div', { class: `segment c${colourIndex(seg.version)}`, title: `version ${seg.version}: ${pct(seg.weight)}` });
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    part.style.flexGrow = String(Math.max(seg.weight, 0.02));
    bar.append(part);
    const text = h('div', { class: 'segment-label' }, h('span', { class: `swatch c${colourIndex(seg.version)}` }), `${seg.version} — ${pct(seg.weight)}`);
    text.style.flexGrow = grow;
    labels.append(text);
  }
  return h(
    'header',
    {},
    h('h1', {}, h('span', { class: 'fn' }, a.functionName), ':', h('span', { class: 'alias' }, a.aliasName)),
    h('p', { class: 'meta' }, `Connection: ${a.connection}`, a.description ? ` · ${a.description}` : ''),
    h('h2', { id: 'configured-heading' }, 'Configured routing'),
    bar,
    labels,
  );
}

function rollout(): HTMLElement | string {
  // Nothing until the host has said whether there is one: no Start button flashing by.
  if (model.rollout === undefined) return '';
  return renderRollout({ rollout: model.rollout, lease: model.lease, busy: model.rolloutBusy, aliasKnown: !!model.alias }, (action, rollback) =>
    post(action === 'start' ? { type: 'startRollout' } : action === 'stop' ? { type: 'codeDeployStop', rollback: rollback === true } : { type: 'rolloutControl', action }),
  );
}

/** The bake's countdown runs on the page's clock between the host's messages. */
setInterval(() => {
  const el = byId('bake-countdown');
  if (el && model.rollout) el.textContent = countdownText(model.rollout, Date.now());
}, 1000);

function controls(): HTMLElement {
  const select = h('select', { id: 'window', 'aria-label': 'Time window' });
  for (const m of WINDOW_MINUTES) {
    const o = h('option', { value: m }, m < 60 ? `last ${m} min` : `last ${m / 60} h`);
    if (m === model.window) o.selected = true;
    select.append(o);
  }
  select.addEventListener('change', () => {
    model.window = Number(select.value) as WindowMinutes;
    saveState();
    post({ type: 'window', minutes: model.window });
  });
  const refresh = h('button', { id: 'refresh', class: 'secondary', type: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  return h(
    'section',
    { class: 'controls', 'aria-label': 'Observed traffic options' },
    h('h2', {}, 'Observed traffic'),
    h('div', { class: 'row' }, h('label', { for: 'window' }, 'Window'), select, refresh, h('span', { class: 'muted' }, `Refreshes every ${model.refreshSeconds} s while visible.`)),
    model.alias?.lagging
      ? h('p', { class: 'muted lag' }, 'CloudWatch publishes Lambda metrics with a delay of a minute or more: the last minutes of the chart fill in late. Probe shows the split at once.')
      : h('p', { class: 'muted lag' }, 'The local sandbox publishes metrics at once, at one-second resolution (AWS: one minute, a minute or more late).'),
    model.trafficError ? h('p', { class: 'error', role: 'alert' }, model.trafficError) : undefined,
  );
}

function freshness(): HTMLElement {
  const r = model.report;
  const text = !r
    ? model.trafficError
      ? ''
      : 'Reading CloudWatch…'
    : r.newestPoint === undefined
      ? 'No invocations in this window.'
      : `Newest datapoint ${formatAge(Date.now() - r.newestPoint)} old (period ${r.periodSeconds} s).`;
  return h('p', { id: 'freshness', class: 'muted' }, text);
}

/** The host's verdict, while the alias still runs the canary it is about. */
function currentVerdict(): ReportVerdict | undefined {
  const a = model.alias;
  const v = model.verdict;
  if (!a?.canary || !v || v.canaryVersion !== a.canary.version || v.stableVersion !== a.primary.version) return undefined;
  return v;
}

function verdict(): HTMLElement | string {
  const v = currentVerdict();
  if (!v || v.kind === 'none') return '';
  const cls = v.kind === 'worse' ? 'verdict worse' : v.kind === 'ok' ? 'verdict ok' : 'verdict muted';
  return h('p', { class: cls, id: 'verdict', role: v.kind === 'worse' ? 'alert' : undefined }, v.kind === 'worse' ? '⚠ ' : '', v.message);
}

function chart(): HTMLElement {
  const r = model.report;
  const wrap = h('figure', { class: 'chart' });
  if (!r || r.totalInvocations === 0) {
    wrap.append(h('p', { class: 'muted empty' }, r ? 'No invocations of this alias in the window.' : ''));
    return wrap;
  }
  const W = 720;
  const H = 200;
  const pad = { l: 44, r: 8, t: 8, b: 22 };
  const periodMs = r.periodSeconds * 1000;
  const slots = Math.max(1, Math.round((r.end - r.start) / periodMs));
  const totals = new Map<number, number>();
  for (const v of r.versions) for (const p of v.series) totals.set(p.t, (totals.get(p.t) ?? 0) + p.invocations);
  const max = niceCeiling(Math.max(1, ...totals.values()));
  const x = (t: number) => pad.l + ((t - r.start) / (r.end - r.start)) * (W - pad.l - pad.r);
  const y = (n: number) => H - pad.b - (n / max) * (H - pad.t - pad.b);
  const bw = Math.max(1, (W - pad.l - pad.r) / slots - 1);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-labelledby': 'chart-caption' });
  // Axes and grid.
  for (const f of [0, 0.5, 1]) {
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(max * f), y2: y(max * f), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 4, y: y(max * f) + 4, class: 'tick', 'text-anchor': 'end' }, String(Math.round(max * f))));
  }
  svg.append(s('text', { x: pad.l, y: H - 4, class: 'tick' }, clock(r.start)));
  svg.append(s('text', { x: W - pad.r, y: H - 4, class: 'tick', 'text-anchor': 'end' }, clock(r.end)));
  // Stacked bars: each period's invocations per version, the errored part marked.
  const base = new Map<number, number>();
  const ordered = [...r.versions].sort((a, b) => colourIndex(a.version) - colourIndex(b.version));
  for (const v of ordered) {
    for (const p of v.series) {
      if (p.invocations <= 0) continue;
      const below = base.get(p.t) ?? 0;
      const top = below + p.invocations;
      base.set(p.t, top);
      const rect = s('rect', { x: x(p.t), width: bw, y: y(top), height: Math.max(0.5, y(below) - y(top)), class: `bar c${colourIndex(v.version)}` });
      rect.append(s('title', {}, `${clock(p.t)} · version ${v.version}: ${p.invocations} invocations, ${p.errors} errors`));
      svg.append(rect);
      if (p.errors > 0) {
        const eTop = below + Math.min(p.errors, p.invocations);
        svg.append(s('rect', { x: x(p.t), width: bw, y: y(eTop), height: Math.max(1, y(below) - y(eTop)), class: 'bar errors' }));
      }
    }
  }
  const legend = h('div', { class: 'legend' });
  for (const v of ordered.filter((x) => x.invocations > 0)) legend.append(h('span', { class: 'key' }, h('span', { class: `swatch c${colourIndex(v.version)}` }), `version ${v.version}`));
  legend.append(h('span', { class: 'key' }, h('span', { class: 'swatch errors' }), 'errors'));
  const summary = ordered.map((v) => `version ${v.version} ${ratePct(v.share)} of ${r.totalInvocations}`).join(', ');
  wrap.append(svg, legend, h('figcaption', { id: 'chart-caption', class: 'visually-hidden' }, `Invocations per ${r.periodSeconds} s by executed version: ${summary}.`));
  return wrap;
}

/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above x, for the axis. */
function niceCeiling(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8]) if (m * p >= x) return m * p;
  return 10 * p;
}

function table(): HTMLElement | string {
  const r = model.report;
  const a = model.alias;
  if (!r) return '';
  const rows = r.versions.filter((v) => v.invocations > 0 || v.version === a?.primary.version || v.version === a?.canary?.version);
  const t = h(
    'table',
    { id: 'split', class: 'split' },
    h('caption', {}, `Per executed version, ${model.window < 60 ? `last ${model.window} min` : `last ${model.window / 60} h`}: ${r.totalInvocations} invocations${r.throttles ? `, ${r.throttles} throttled` : ''}`),
  );
  const head = h('tr', {});
  for (const c of ['Version', 'Role', 'Configured', 'Observed', 'Invocations', 'Errors', 'Error rate', 'Avg duration', 'p99 duration']) head.append(h('th', { scope: 'col' }, c));
  t.append(h('thead', {}, head));
  const body = h('tbody', {});
  const verdict = currentVerdict();
  for (const v of rows) {
    const role = v.version === a?.primary.version ? 'stable' : v.version === a?.canary?.version ? 'canary' : 'not routed';
    const configured = v.version === a?.primary.version ? a.primary.weight : v.version === a?.canary?.version ? a.canary.weight : 0;
    const worse = role === 'canary' && verdict?.kind === 'worse';
    body.append(
      h(
        'tr',
        { 'data-version': v.version, class: worse ? 'worse' : undefined },
        h('th', { scope: 'row' }, h('span', { class: `swatch c${colourIndex(v.version)}` }), v.version),
        h('td', {}, role),
        h('td', { class: 'num' }, pct(configured)),
        h('td', { class: 'num observed' }, r.totalInvocations ? ratePct(v.share) : '—'),
        h('td', { class: 'num' }, String(v.invocations)),
        h('td', { class: 'num' }, String(v.errors)),
        h('td', { class: 'num' }, v.invocations ? ratePct(v.errorRate) : '—', worse ? ' ⚠' : ''),
        h('td', { class: 'num' }, ms(v.durationAvgMs)),
        h('td', { class: 'num' }, ms(v.durationP99Ms)),
      ),
    );
  }
  t.append(body);
  return t;
}

/** A rollout moves this alias (this window's, or another driver's live lease): the weight is its. */
function rolloutInProgress(): boolean {
  return (!!model.rollout && !ROLLOUT_ENDS.has(model.rollout.status)) || (!!model.lease && model.lease.until > Date.now());
}

function actions(): HTMLElement {
  const a = model.alias;
  const rolling = rolloutInProgress();
  const canary = rolling ? undefined : a?.canary;
  const busy = model.busy !== null;
  const current = canary ? weightToPercent(canary.weight) : 0;
  const value = model.draftWeight ?? current;
  const range = h('input', { id: 'weight-range', type: 'range', min: 0, max: 100, step: 0.5, value, disabled: !canary || busy, 'aria-label': 'Canary weight, percent' });
  const num = h('input', { id: 'weight', type: 'number', min: 0, max: 100, step: 0.5, value, disabled: !canary || busy });
  const apply = h('button', { id: 'apply', type: 'button', disabled: !canary || busy || value === current }, model.busy === 'apply' ? 'Applying…' : 'Apply');
  const sync = (v: string, from: HTMLInputElement) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
      num.setCustomValidity('Enter a weight from 0 to 100.');
      apply.disabled = true;
      return;
    }
    num.setCustomValidity('');
    model.draftWeight = n;
    if (from !== range) range.value = String(n);
    if (from !== num) num.value = String(n);
    apply.disabled = !canary || busy || n === current;
    apply.textContent = n === 0 ? 'Apply (roll back)' : n === 100 ? 'Apply (promote)' : 'Apply';
  };
  range.addEventListener('input', () => sync(range.value, range));
  num.addEventListener('input', () => sync(num.value, num));
  apply.addEventListener('click', () => {
    const n = Number(num.value);
    if (!Number.isFinite(n) || n < 0 || n > 100) return;
    post({ type: 'apply', weightPercent: n });
  });
  const promote = h('button', { id: 'promote', type: 'button', disabled: !canary || busy }, model.busy === 'promote' ? 'Promoting…' : 'Promote');
  promote.addEventListener('click', () => post({ type: 'promote' }));
  const rollback = h('button', { id: 'rollback', type: 'button', class: 'secondary', disabled: !canary || busy }, model.busy === 'rollback' ? 'Rolling back…' : 'Roll back');
  rollback.addEventListener('click', () => post({ type: 'rollback' }));
  return h(
    'section',
    { class: 'actions', 'aria-labelledby': 'actions-heading' },
    h('h2', { id: 'actions-heading' }, 'Canary'),
    rolling
      ? h(
          'p',
          { class: 'muted', id: 'actions-rollout' },
          model.rollout?.engine === 'codedeploy' && !ROLLOUT_ENDS.has(model.rollout.status)
            ? 'CodeDeploy moves this alias: stop it above (with or without rollback) or wait until it ends.'
            : 'A rollout moves this alias: use its controls above (Pause, Next step, Promote now, Abort) or wait until it ends.',
        )
      : canary
      ? h('p', { class: 'muted' }, `Version ${canary.version} gets ${pct(canary.weight)} of ${a!.aliasName}; version ${a!.primary.version} keeps ${pct(a!.primary.weight)}. Each change is confirmed first.`)
      : h('p', { class: 'muted' }, a ? `No canary: all of ${a.aliasName} goes to version ${a.primary.version}. "Publish Canary…" on the alias sends a share to a new version.` : ''),
    h('div', { class: 'row' }, h('label', { for: 'weight' }, 'Canary weight (%)'), range, num, apply),
    h('div', { class: 'row' }, promote, rollback),
  );
}

function probe(): HTMLElement {
  const busy = model.busy !== null;
  const running = model.busy === 'probe';
  const count = h('input', { id: 'probe-count', type: 'number', min: PROBE_MIN, max: PROBE_MAX, step: 1, value: model.probeCount, disabled: busy });
  const go = h('button', { id: 'probe', type: 'button', disabled: busy || !model.alias }, running ? 'Probing…' : 'Probe');
  const cancel = h('button', { id: 'cancel-probe', type: 'button', class: 'secondary', hidden: !running }, 'Cancel');
  count.addEventListener('input', () => {
    const n = Number(count.value);
    const ok = Number.isInteger(n) && n >= PROBE_MIN && n <= PROBE_MAX;
    count.setCustomValidity(ok ? '' : `Enter a whole number from ${PROBE_MIN} to ${PROBE_MAX}.`);
    go.disabled = busy || !ok;
    if (ok) model.probeCount = n;
  });
  go.addEventListener('click', () => {
    const n = Number(count.value);
    if (!Number.isInteger(n) || n < PROBE_MIN || n > PROBE_MAX) return;
    model.probeCount = n;
    post({ type: 'probe', count: n });
  });
  cancel.addEventListener('click', () => post({ type: 'cancelProbe' }));
  const section = h(
    'section',
    { class: 'probe', 'aria-labelledby': 'probe-heading' },
    h('h2', { id: 'probe-heading' }, 'Probe'),
    h('p', { class: 'muted' }, 'Invokes the alias now (with the workspace test event, or {}) and counts the version that answered each call: the split and errors at once, without waiting for CloudWatch.'),
    h('div', { class: 'row' }, h('label', { for: 'probe-count' }, 'Invocations'), count, go, cancel),
    h('div', { id: 'slot-probeResult' }),
  );
  return section;
}

function probeResult(): Node | string {
  const p = model.probe;
  const section = document.createDocumentFragment();
  if (p) {
    const prog = h('progress', { id: 'probe-progress', max: p.total, value: p.done, 'aria-label': 'Probe progress' });
    section.append(h('div', { class: 'row' }, prog, h('span', { class: 'muted' }, `${p.done} / ${p.total}${p.cancelled ? ' (cancelled)' : p.finished ? ' done' : ''}`)));
    const answered = Object.values(p.result.byVersion).reduce((n, r) => n + r.invocations, 0);
    const t = h('table', { id: 'probe-split', class: 'split' }, h('caption', {}, `Probe: ${answered} answered${p.result.failed ? `, ${p.result.failed} refused${p.result.firstError ? ` (${p.result.firstError})` : ''}` : ''}`));
    const head = h('tr', {});
    for (const c of ['Version', 'Invocations', 'Share', 'Errors', 'Error rate']) head.append(h('th', { scope: 'col' }, c));
    t.append(h('thead', {}, head));
    const body = h('tbody', {});
    for (const [v, r] of Object.entries(p.result.byVersion).sort((a, b) => Number(a[0]) - Number(b[0]))) {
      body.append(
        h(
          'tr',
          { 'data-version': v },
          h('th', { scope: 'row' }, h('span', { class: `swatch c${colourIndex(v)}` }), v),
          h('td', { class: 'num' }, String(r.invocations)),
          h('td', { class: 'num share' }, answered ? ratePct(r.invocations / answered) : '—'),
          h('td', { class: 'num' }, String(r.errors)),
          h('td', { class: 'num' }, r.invocations ? ratePct(r.errors / r.invocations) : '—'),
        ),
      );
    }
    t.append(body);
    section.append(t);
  }
  return section;
}

/** Why no Return to This State may start now (another action on the alias, a rollout moving it), or undefined. */
function historyBlocked(): string | undefined {
  if (model.busy !== null) return `Wait for the current ${model.busy} to finish.`;
  if (rolloutInProgress()) return 'A rollout moves this alias: wait until it ends.';
  return undefined;
}

function history(): HTMLElement | string {
  if (model.history.history === undefined && !model.history.loading) return '';
  return renderHistory(model.history, {
    refresh: () => post({ type: 'historyRefresh' }),
    returnTo: (entryId) => post({ type: 'returnTo', entryId }),
    toggle: (entryId) => {
      const open = model.history.expanded;
      if (open.has(entryId)) open.delete(entryId);
      else open.add(entryId);
      render();
    },
  });
}

// Relative times stay current while the panel is open.
setInterval(() => render(), 60_000);

function notice(): HTMLElement {
  const n = model.notice;
  return h('div', { id: 'notice', class: n ? `notice ${n.level}` : 'notice', role: n?.level === 'error' ? 'alert' : 'status' }, n?.message ?? '');
}


// ---- messages ----------------------------------------------------------------------------

function post(message: PanelMessage): void {
  vscode.postMessage(message);
}

function saveState(): void {
  const a = model.alias;
  if (!a) return;
  vscode.setState({ functionName: a.functionName, aliasName: a.aliasName, window: model.window, scrollY: Math.round(window.scrollY) });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = event.data;
  if (!isHostMessage(m)) {
    console.warn('Lambda Canary panel: ignored a malformed message from the host.');
    return;
  }
  switch (m.type) {
    case 'init':
      model.alias = m.alias;
      model.window = m.window;
      model.refreshSeconds = m.refreshSeconds;
      model.probeCount = m.probeCount;
      model.trafficError = undefined;
      render();
      saveState();
      if (m.scrollY > 0) requestAnimationFrame(() => window.scrollTo(0, m.scrollY));
      return;
    case 'alias':
      model.alias = m.alias;
      model.draftWeight = undefined;
      break;
    case 'traffic':
      model.report = m.report;
      model.verdict = m.verdict;
      model.fetchedAt = m.fetchedAt;
      model.trafficError = undefined;
      break;
    case 'trafficError':
      model.trafficError = m.message;
      break;
    case 'busy':
      model.busy = m.action;
      if (m.action !== null) model.notice = undefined;
      break;
    case 'probe':
      model.probe = { total: m.total, done: m.done, result: m.result, finished: m.finished, cancelled: m.cancelled };
      break;
    case 'notice':
      model.notice = { level: m.level, message: m.message };
      break;
    case 'rollout':
      model.rollout = m.rollout;
      model.lease = m.lease;
      break;
    case 'rolloutBusy':
      model.rolloutBusy = m.action;
      if (m.action !== null) model.notice = undefined;
      break;
    case 'history':
      model.history.history = m.history;
      model.history.loading = m.loading;
      if (!m.loading) model.history.error = m.error;
      break;
    case 'historyBusy':
      model.history.busy = m.entryId;
      if (m.entryId !== null) model.notice = undefined;
      break;
  }
  render();
});

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => {
    saveState();
    post({ type: 'scroll', y: Math.round(window.scrollY) });
  }, 200);
});

// Restore the window from a reload before the host answers, then ask for everything.
const saved = vscode.getState() as { window?: unknown } | undefined;
if (saved && WINDOW_MINUTES.includes(saved.window as WindowMinutes)) model.window = saved.window as WindowMinutes;
post({ type: 'ready' });
