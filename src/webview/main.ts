/**
 * The traffic panel's page. It renders what the host sends (src/shared/protocol.ts) and posts
 * the user's actions back; it never talks to AWS itself. The DOM is built with textContent only
 * (no HTML strings), so nothing a function, alias or version is called can become markup.
 */
import * as l10n from '@vscode/l10n';
import { weightToPercent } from '../core/routing';
import type { AliasView, BusyAction, LeaseView, PanelMessage, RolloutAction } from '../shared/protocol';
import { isHostMessage, PROBE_MAX, PROBE_MIN } from '../shared/protocol';
import type { ProbeResult, ReportVerdict, TrafficReport, WindowMinutes } from '../shared/traffic';
import { WINDOW_MINUTES } from '../shared/traffic';
import type { RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import { h, s } from './dom';
import { age, clock, duration, list, num, percentNumber, rate as ratePct, weightPercent } from './locale';
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
const pct = (x: number) => weightPercent(x);
const ms = duration;

/** A time window's name: `last 15 min`, `last 3 h`. */
const windowText = (m: number) => (m < 60 ? l10n.t('last {0} min', num(m)) : l10n.t('last {0} h', num(m / 60)));

/**
 * The configured split in words, as a screen reader speaks it: `prod: version 7 at 90 percent,
 * version 8 at 10 percent` (a bare `%` is read inconsistently, or not at all).
 */
export function spokenSplit(a: AliasView): string {
  const parts = [a.primary, ...(a.canary ? [a.canary] : [])].map((x) => l10n.t('version {0} at {1} percent', x.version, percentNumber(x.weight)));
  return l10n.t('{0}: {1}', a.aliasName, list(parts));
}

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
  const first = !byId('slot-header');
  if (first) app.replaceChildren(...SLOTS.map((name) => h('div', { id: `slot-${name}` })), h('div', { id: 'announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }));
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
  announceChanges(first);
}

function header(): HTMLElement {
  const a = model.alias;
  if (!a) return h('header', {}, h('h1', {}, l10n.t('Traffic')), model.trafficError ? h('p', { class: 'error', role: 'alert' }, model.trafficError) : h('p', {}, l10n.t('Loading…')));
  const segments = [a.primary, ...(a.canary ? [a.canary] : [])];
  const bar = h('div', { id: 'routing', class: 'routing', role: 'img', 'aria-label': spokenSplit(a) });
  // The labels sit under the bar, in the theme's text colour: readable on any chart colour.
  const labels = h('div', { class: 'routing-labels', 'aria-hidden': 'true' });
  for (const seg of segments) {
    const grow = String(Math.max(seg.weight, 0.08));
    const part = h('div', { class: `segment c${colourIndex(seg.version)}`, title: l10n.t('version {0}: {1}', seg.version, pct(seg.weight)) });
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
    h('p', { class: 'meta' }, l10n.t('Connection: {0}', a.connection), a.description ? ` · ${a.description}` : ''),
    h('h2', { id: 'configured-heading' }, l10n.t('Configured routing')),
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
  // Named by its visible <label for="window">.
  const select = h('select', { id: 'window' });
  for (const m of WINDOW_MINUTES) {
    const o = h('option', { value: m }, windowText(m));
    if (m === model.window) o.selected = true;
    select.append(o);
  }
  select.addEventListener('change', () => {
    model.window = Number(select.value) as WindowMinutes;
    saveState();
    post({ type: 'window', minutes: model.window });
  });
  const refresh = h('button', { id: 'refresh', class: 'secondary', type: 'button', 'aria-label': l10n.t('Refresh observed traffic') }, l10n.t('Refresh'));
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  return h(
    'section',
    { class: 'controls', 'aria-labelledby': 'observed-heading' },
    h('h2', { id: 'observed-heading' }, l10n.t('Observed traffic')),
    h('div', { class: 'row' }, h('label', { for: 'window' }, l10n.t('Window')), select, refresh, h('span', { class: 'muted' }, l10n.t('Refreshes every {0} s while visible.', num(model.refreshSeconds)))),
    model.alias?.lagging
      ? h('p', { class: 'muted lag' }, l10n.t('CloudWatch publishes Lambda metrics with a delay of a minute or more: the last minutes of the chart fill in late. Probe shows the split at once.'))
      : h('p', { class: 'muted lag' }, l10n.t('The local sandbox publishes metrics at once, at one-second resolution (AWS: one minute, a minute or more late).')),
    model.trafficError ? h('p', { class: 'error', role: 'alert' }, model.trafficError) : undefined,
  );
}

function freshness(): HTMLElement {
  const r = model.report;
  const text = !r
    ? model.trafficError
      ? ''
      : l10n.t('Reading CloudWatch…')
    : r.newestPoint === undefined
      ? l10n.t('No invocations in this window.')
      : l10n.t('Newest datapoint {0} old (period {1} s).', age(Date.now() - r.newestPoint), num(r.periodSeconds));
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
    wrap.append(h('p', { class: 'muted empty' }, r ? l10n.t('No invocations of this alias in the window.') : ''));
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
  // An image to a screen reader, named by its summary; the table under it holds every number.
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', id: 'chart', role: 'img', 'aria-labelledby': 'chart-caption' }, hatches());
  // Axes and grid.
  for (const f of [0, 0.5, 1]) {
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(max * f), y2: y(max * f), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 4, y: y(max * f) + 4, class: 'tick', 'text-anchor': 'end' }, num(Math.round(max * f))));
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
      const c = colourIndex(v.version);
      const rect = s('rect', { x: x(p.t), width: bw, y: y(top), height: Math.max(0.5, y(below) - y(top)), class: `bar c${c}` });
      // Each version has a hatching of its own as well as a colour: told apart without colour too.
      rect.style.fill = `url(#hatch-c${c})`;
      rect.append(s('title', {}, l10n.t('{0} · version {1}: {2} invocations, {3} errors', clock(p.t), v.version, num(p.invocations), num(p.errors))));
      svg.append(rect);
      if (p.errors > 0) {
        const eTop = below + Math.min(p.errors, p.invocations);
        const err = s('rect', { x: x(p.t), width: bw, y: y(eTop), height: Math.max(1, y(below) - y(eTop)), class: 'bar errors' });
        err.style.fill = 'url(#hatch-errors)';
        svg.append(err);
      }
    }
  }
  const legend = h('div', { class: 'legend' });
  for (const v of ordered.filter((x) => x.invocations > 0)) legend.append(h('span', { class: 'key' }, h('span', { class: `swatch c${colourIndex(v.version)}` }), l10n.t('version {0}', v.version)));
  legend.append(h('span', { class: 'key' }, h('span', { class: 'swatch errors' }), l10n.t('errors')));
  const summary = list(ordered.map((v) => l10n.t('version {0} {1} of {2}', v.version, ratePct(v.share), num(r.totalInvocations))));
  // The table is the chart's equivalent: one Tab away, and this button moves there from the chart.
  const toTable = h('button', { id: 'chart-table', type: 'button', class: 'link', 'aria-controls': 'split' }, l10n.t('Show the numbers as a table'));
  toTable.addEventListener('click', () => {
    const t = byId('split');
    t?.scrollIntoView({ block: 'nearest' });
    t?.focus();
  });
  wrap.append(svg, legend, h('figcaption', { id: 'chart-caption', class: 'visually-hidden' }, l10n.t('Invocations per {0} s by executed version: {1}.', num(r.periodSeconds), summary)), h('div', { class: 'row' }, toTable));
  return wrap;
}

/** The chart's hatchings, one per colour slot (the stable version solid), in the theme's background colour over the version's. */
function hatches(): SVGDefsElement {
  const tile = (id: string, cls: string, ...marks: SVGElement[]) =>
    s('pattern', { id, width: 8, height: 8, patternUnits: 'userSpaceOnUse' }, s('rect', { width: 8, height: 8, class: cls }), ...marks.map((m) => (m.setAttribute('class', 'hatch'), m)));
  const line = (d: string) => s('path', { d });
  return s(
    'defs',
    {},
    tile('hatch-c0', 'c0'),
    tile('hatch-c1', 'c1', line('M-2 2 L2 -2 M0 8 L8 0 M6 10 L10 6')),
    tile('hatch-c2', 'c2', s('circle', { cx: 4, cy: 4, r: 1.6 })),
    tile('hatch-c3', 'c3', line('M0 4 H8')),
    tile('hatch-c4', 'c4', line('M4 0 V8')),
    tile('hatch-c5', 'c5', line('M0 0 L8 8 M0 8 L8 0')),
    tile('hatch-errors', 'errors', line('M-2 6 L2 10 M0 0 L8 8 M6 -2 L10 2')),
  );
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
  const caption = r.throttles
    ? l10n.t('Per executed version, {0}: {1} invocations, {2} throttled', windowText(model.window), num(r.totalInvocations), num(r.throttles))
    : l10n.t('Per executed version, {0}: {1} invocations', windowText(model.window), num(r.totalInvocations));
  // In the tab order (named by its caption): the chart's equivalent, reached from the keyboard.
  const t = h('table', { id: 'split', class: 'split', tabindex: 0 }, h('caption', {}, caption));
  const head = h('tr', {});
  for (const c of [l10n.t('Version'), l10n.t('Role'), l10n.t('Configured'), l10n.t('Observed'), l10n.t('Invocations'), l10n.t('Errors'), l10n.t('Error rate'), l10n.t('Avg duration'), l10n.t('p99 duration')]) head.append(h('th', { scope: 'col' }, c));
  t.append(h('thead', {}, head));
  const body = h('tbody', {});
  const verdict = currentVerdict();
  for (const v of rows) {
    const role = v.version === a?.primary.version ? 'stable' : v.version === a?.canary?.version ? 'canary' : 'not routed';
    const roleText = role === 'stable' ? l10n.t('stable') : role === 'canary' ? l10n.t('canary') : l10n.t('not routed');
    const configured = v.version === a?.primary.version ? a.primary.weight : v.version === a?.canary?.version ? a.canary.weight : 0;
    const worse = role === 'canary' && verdict?.kind === 'worse';
    body.append(
      h(
        'tr',
        { 'data-version': v.version, class: worse ? 'worse' : undefined },
        h('th', { scope: 'row' }, h('span', { class: `swatch c${colourIndex(v.version)}` }), v.version),
        h('td', {}, roleText),
        h('td', { class: 'num' }, pct(configured)),
        h('td', { class: 'num observed' }, r.totalInvocations ? ratePct(v.share) : '—'),
        h('td', { class: 'num' }, num(v.invocations)),
        h('td', { class: 'num' }, num(v.errors)),
        h('td', { class: 'num' }, v.invocations ? ratePct(v.errorRate) : '—', worse ? h('span', { role: 'img', 'aria-label': l10n.t('worse than stable') }, ' ⚠') : ''),
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
  const range = h('input', { id: 'weight-range', type: 'range', min: 0, max: 100, step: 0.5, value, disabled: !canary || busy, 'aria-label': l10n.t('Canary weight, percent'), 'aria-valuetext': l10n.t('{0} percent', num(value, 1)) });
  // Named by its visible <label for="weight">.
  const box = h('input', { id: 'weight', type: 'number', min: 0, max: 100, step: 0.5, value, disabled: !canary || busy });
  const apply = h('button', { id: 'apply', type: 'button', disabled: !canary || busy || value === current }, model.busy === 'apply' ? l10n.t('Applying…') : l10n.t('Apply'));
  const sync = (v: string, from: HTMLInputElement) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
      box.setCustomValidity(l10n.t('Enter a weight from 0 to 100.'));
      apply.disabled = true;
      return;
    }
    box.setCustomValidity('');
    model.draftWeight = n;
    if (from !== range) range.value = String(n);
    if (from !== box) box.value = String(n);
    range.setAttribute('aria-valuetext', l10n.t('{0} percent', num(n, 1)));
    apply.disabled = !canary || busy || n === current;
    apply.textContent = n === 0 ? l10n.t('Apply (roll back)') : n === 100 ? l10n.t('Apply (promote)') : l10n.t('Apply');
  };
  range.addEventListener('input', () => sync(range.value, range));
  box.addEventListener('input', () => sync(box.value, box));
  apply.addEventListener('click', () => {
    const n = Number(box.value);
    if (!Number.isFinite(n) || n < 0 || n > 100) return;
    post({ type: 'apply', weightPercent: n });
  });
  const promote = h('button', { id: 'promote', type: 'button', disabled: !canary || busy }, model.busy === 'promote' ? l10n.t('Promoting…') : l10n.t('Promote'));
  promote.addEventListener('click', () => post({ type: 'promote' }));
  const rollback = h('button', { id: 'rollback', type: 'button', class: 'secondary', disabled: !canary || busy }, model.busy === 'rollback' ? l10n.t('Rolling back…') : l10n.t('Roll back'));
  rollback.addEventListener('click', () => post({ type: 'rollback' }));
  return h(
    'section',
    { class: 'actions', 'aria-labelledby': 'actions-heading' },
    h('h2', { id: 'actions-heading' }, l10n.t('Canary')),
    rolling
      ? h(
          'p',
          { class: 'muted', id: 'actions-rollout' },
          model.rollout?.engine === 'codedeploy' && !ROLLOUT_ENDS.has(model.rollout.status)
            ? l10n.t('CodeDeploy moves this alias: stop it above (with or without rollback) or wait until it ends.')
            : l10n.t('A rollout moves this alias: use its controls above (Pause, Next step, Promote now, Abort) or wait until it ends.'),
        )
      : canary
      ? h('p', { class: 'muted' }, l10n.t('Version {0} gets {1} of {2}; version {3} keeps {4}. Each change is confirmed first.', canary.version, pct(canary.weight), a!.aliasName, a!.primary.version, pct(a!.primary.weight)))
      : h('p', { class: 'muted' }, a ? l10n.t('No canary: all of {0} goes to version {1}. "Publish Canary…" on the alias sends a share to a new version.', a.aliasName, a.primary.version) : ''),
    h('div', { class: 'row' }, h('label', { for: 'weight' }, l10n.t('Canary weight (%)')), range, box, apply),
    h('div', { class: 'row' }, promote, rollback),
  );
}

function probe(): HTMLElement {
  const busy = model.busy !== null;
  const running = model.busy === 'probe';
  // Named by its visible <label for="probe-count">.
  const count = h('input', { id: 'probe-count', type: 'number', min: PROBE_MIN, max: PROBE_MAX, step: 1, value: model.probeCount, disabled: busy });
  const go = h('button', { id: 'probe', type: 'button', disabled: busy || !model.alias }, running ? l10n.t('Probing…') : l10n.t('Probe'));
  const cancel = h('button', { id: 'cancel-probe', type: 'button', class: 'secondary', hidden: !running, 'aria-label': l10n.t('Cancel the probe') }, l10n.t('Cancel'));
  count.addEventListener('input', () => {
    const n = Number(count.value);
    const ok = Number.isInteger(n) && n >= PROBE_MIN && n <= PROBE_MAX;
    count.setCustomValidity(ok ? '' : l10n.t('Enter a whole number from {0} to {1}.', num(PROBE_MIN), num(PROBE_MAX)));
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
    h('h2', { id: 'probe-heading' }, l10n.t('Probe')),
    h('p', { class: 'muted' }, l10n.t('Invokes the alias now (with the workspace test event, or {}) and counts the version that answered each call: the split and errors at once, without waiting for CloudWatch.')),
    h('div', { class: 'row' }, h('label', { for: 'probe-count' }, l10n.t('Invocations')), count, go, cancel),
    h('div', { id: 'slot-probeResult' }),
  );
  return section;
}

function probeResult(): Node | string {
  const p = model.probe;
  const section = document.createDocumentFragment();
  if (p) {
    const prog = h('progress', { id: 'probe-progress', max: p.total, value: p.done, 'aria-label': l10n.t('Probe progress') });
    const count = p.cancelled ? l10n.t('{0} / {1} (cancelled)', num(p.done), num(p.total)) : p.finished ? l10n.t('{0} / {1} done', num(p.done), num(p.total)) : `${num(p.done)} / ${num(p.total)}`;
    section.append(h('div', { class: 'row' }, prog, h('span', { class: 'muted' }, count)));
    const answered = Object.values(p.result.byVersion).reduce((n, r) => n + r.invocations, 0);
    const refused = p.result.failed ? (p.result.firstError ? l10n.t('{0} answered, {1} refused ({2})', num(answered), num(p.result.failed), p.result.firstError) : l10n.t('{0} answered, {1} refused', num(answered), num(p.result.failed))) : l10n.t('{0} answered', num(answered));
    const t = h('table', { id: 'probe-split', class: 'split' }, h('caption', {}, l10n.t('Probe: {0}', refused)));
    const head = h('tr', {});
    for (const c of [l10n.t('Version'), l10n.t('Invocations'), l10n.t('Share'), l10n.t('Errors'), l10n.t('Error rate')]) head.append(h('th', { scope: 'col' }, c));
    t.append(h('thead', {}, head));
    const body = h('tbody', {});
    for (const [v, r] of Object.entries(p.result.byVersion).sort((a, b) => Number(a[0]) - Number(b[0]))) {
      body.append(
        h(
          'tr',
          { 'data-version': v },
          h('th', { scope: 'row' }, h('span', { class: `swatch c${colourIndex(v)}` }), v),
          h('td', { class: 'num' }, num(r.invocations)),
          h('td', { class: 'num share' }, answered ? ratePct(r.invocations / answered) : '—'),
          h('td', { class: 'num' }, num(r.errors)),
          h('td', { class: 'num' }, r.invocations ? ratePct(r.errors / r.invocations) : '—'),
        ),
      );
    }
    t.append(body);
    section.append(t);
  }
  return section;
}

const BUSY_WAIT: Record<BusyAction, () => string> = {
  apply: () => l10n.t('Wait for the current apply to finish.'),
  promote: () => l10n.t('Wait for the current promote to finish.'),
  rollback: () => l10n.t('Wait for the current rollback to finish.'),
  probe: () => l10n.t('Wait for the current probe to finish.'),
};

/** Why no Return to This State may start now (another action on the alias, a rollout moving it), or undefined. */
function historyBlocked(): string | undefined {
  if (model.busy !== null) return BUSY_WAIT[model.busy]();
  if (rolloutInProgress()) return l10n.t('A rollout moves this alias: wait until it ends.');
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
  // An error is an alert; an info notice is spoken by the page's one live region (announce).
  return h('div', { id: 'notice', class: n ? `notice ${n.level}` : 'notice', role: n?.level === 'error' ? 'alert' : undefined }, n?.message ?? '');
}

// ---- what a screen reader is told ----------------------------------------------------------

/**
 * One polite live region, outside the slots (a live region must be in the page before it changes
 * to be spoken), told only what changed that the user waits for: the alias's split, the rollout's
 * status or step, a probe's end, an info notice. Never the refreshes.
 */
let spoken = new Map<string, string>();

/** Says what changed since the last render (the first render is read as the page itself). */
function announceChanges(first: boolean): void {
  const a = model.alias;
  const said = {
    split: a ? spokenSplit(a) : '',
    rollout: model.rollout ? (byId('rollout-status')?.textContent ?? '') : '',
    probe: model.probe?.finished || model.probe?.cancelled ? (byId('probe-split')?.querySelector('caption')?.textContent ?? '') : '',
    notice: model.notice?.level === 'info' ? model.notice.message : '',
  };
  const changed = Object.entries(said).filter(([topic, text]) => text && spoken.get(topic) !== text);
  spoken = new Map(Object.entries(said));
  const el = byId('announce');
  if (!first && el && changed.length) el.textContent = changed.map(([, text]) => text).join(' ');
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

// The host's HTML says "Loading" in English: say it in the page's language until the host answers.
if (!byId('slot-header')) byId('app')?.replaceChildren(h('p', { class: 'loading' }, l10n.t('Loading…')));

// Restore the window from a reload before the host answers, then ask for everything.
const saved = vscode.getState() as { window?: unknown } | undefined;
if (saved && WINDOW_MINUTES.includes(saved.window as WindowMinutes)) model.window = saved.window as WindowMinutes;
post({ type: 'ready' });
