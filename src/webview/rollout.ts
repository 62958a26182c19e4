/**
 * The traffic panel's rollout section: the plan as a step chart of weights over time, each
 * step's gate, bake and verdict (the judge's, sent by the host: nothing is judged here), the
 * current step's bake counting down, the judge's current evidence, and the controls the host
 * offers for the rollout's status. Built with DOM APIs and textContent only.
 */
import * as l10n from '@vscode/l10n';
import type { LeaseView, RolloutAction } from '../shared/protocol';
import { rolloutControls } from '../shared/protocol';
import type { RolloutControl, RolloutEvidenceView, RolloutStatus, RolloutStepView, RolloutVerdict, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import { codeDeployBody } from './codeDeploy';
import { h, s } from './dom';
import { age as formatAge, clock, duration as ms, fixed, num, percent, rate as formatRate } from './locale';

export interface RolloutModel {
  rollout?: RolloutView | null;
  lease?: LeaseView;
  busy: RolloutAction | null;
  /** The alias is known (a Start button needs one). */
  aliasKnown: boolean;
}

const STATUS_LABEL: Record<RolloutStatus, string> = {
  running: l10n.t('Running'),
  paused: l10n.t('Paused'),
  waiting: l10n.t('Waiting for you'),
  halted: l10n.t('Halted'),
  promoted: l10n.t('Promoted'),
  'rolled-back': l10n.t('Rolled back'),
  aborted: l10n.t('Aborted'),
  completed: l10n.t('Completed'),
  abandoned: l10n.t('Abandoned'),
};

const VERDICT_LABEL: Record<RolloutVerdict, string> = { Pass: l10n.t('Pass'), Fail: l10n.t('Fail'), Marginal: l10n.t('Marginal'), NoData: l10n.t('No data'), Pending: l10n.t('Pending') };

const CONTROL_LABEL: Record<RolloutControl, string> = { pause: l10n.t('Pause'), resume: l10n.t('Resume'), next: l10n.t('Next step'), promote: l10n.t('Promote now'), abort: l10n.t('Abort') };
const CONTROL_BUSY: Record<RolloutAction, string> = {
  pause: l10n.t('Pausing…'),
  resume: l10n.t('Resuming…'),
  next: l10n.t('Stepping…'),
  promote: l10n.t('Promoting…'),
  abort: l10n.t('Aborting…'),
  start: l10n.t('Starting…'),
  stop: l10n.t('Stopping…'),
};

/** `step 2/4` (shared/rollout's stepLabel, in the page's language). */
const stepLabel = (v: Pick<RolloutView, 'current' | 'steps'>) => l10n.t('step {0}/{1}', num(v.current + 1), num(v.steps.length));
/** A plan's weight: `10%`. */
const weightText = (w: number) => l10n.t('{0}%', num(w, 2));

/** A rollout action of the page; `rollback` for Stop (a CodeDeploy deployment). */
export type PostRolloutAction = (action: RolloutAction, rollback?: boolean) => void;

/** `5 min`, `30 s`, `1 h 30 min`. */
export function formatBake(seconds: number): string {
  if (seconds < 90 && seconds % 60 !== 0) return l10n.t('{0} s', num(Math.round(seconds)));
  const m = Math.round(seconds / 60);
  if (m < 60) return l10n.t('{0} min', num(m));
  return m % 60 ? l10n.t('{0} h {1} min', num(Math.floor(m / 60)), num(m % 60)) : l10n.t('{0} h', num(m / 60));
}

/** `4:05` (or `1:02:03`) for a countdown. */
function formatClockDuration(ms: number): string {
  const t = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(t / 3600);
  const mm = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** What the current step's countdown says at `now`; empty when the rollout is not baking. */
export function countdownText(v: RolloutView, now: number): string {
  if (v.status !== 'running' || v.bakeStart === undefined || v.bakeMs === undefined) return '';
  const left = v.bakeStart + v.bakeMs - now;
  if (left <= 0) return l10n.t("Bake of {0} over: waiting for the judge's verdict.", formatBake(v.bakeMs / 1000));
  return l10n.t('Bake: {0} left of {1}.', formatClockDuration(left), formatBake(v.bakeMs / 1000));
}

/** The step's verdict to show: its own once decided, the judge's current one for the step in force. */
function stepVerdict(v: RolloutView, i: number): RolloutVerdict | undefined {
  // CodeDeploy judges nothing here: its alarms and hooks decide, shown with the deployment.
  if (v.engine === 'codedeploy') return undefined;
  const step = v.steps[i];
  if (step.verdict) return step.verdict;
  if (i === v.current && !ROLLOUT_ENDS.has(v.status)) return v.evidence?.verdict ?? 'Pending';
  return i > v.current && !ROLLOUT_ENDS.has(v.status) ? 'Pending' : undefined;
}

/** A step without a verdict: the promotion of a promoted rollout, a step an ended one never reached, or none yet. */
function noVerdictLabel(v: RolloutView, i: number): string {
  if (v.engine === 'codedeploy') {
    if (v.status === 'promoted' && v.steps[i].weight >= 100) return l10n.t('Promoted');
    if (i < v.current || (i === v.current && v.status === 'promoted')) return l10n.t('Done');
    if (i === v.current) return ROLLOUT_ENDS.has(v.status) ? l10n.t('Stopped here') : l10n.t('In force');
    return ROLLOUT_ENDS.has(v.status) ? l10n.t('Not reached') : l10n.t('Next');
  }
  if (!ROLLOUT_ENDS.has(v.status)) return l10n.t('No verdict');
  if (v.status === 'promoted' && v.steps[i].weight >= 100) return l10n.t('Promoted');
  return i > v.current ? l10n.t('Not reached') : l10n.t('No verdict');
}

function badge(verdict: RolloutVerdict | undefined, none = l10n.t('No verdict')): HTMLElement {
  return verdict ? h('span', { class: `badge v-${verdict}`, 'data-verdict': verdict }, VERDICT_LABEL[verdict]) : h('span', { class: 'badge v-none' }, none);
}

export function renderRollout(m: RolloutModel, post: PostRolloutAction): HTMLElement {
  const section = h('section', { class: 'rollout', id: 'rollout', 'aria-labelledby': 'rollout-heading' }, h('h2', { id: 'rollout-heading' }, l10n.t('Rollout')));
  const v = m.rollout ?? undefined;
  const active = v && !ROLLOUT_ENDS.has(v.status);
  if (m.lease && !active) section.append(leaseNote(m.lease));
  if (v) {
    section.append(...rolloutBody(v, m, post));
  } else if (!m.lease) {
    section.append(h('p', { class: 'muted', id: 'rollout-none' }, l10n.t('No rollout on this alias. A rollout moves the weight step by step and judges each step on the metrics: it promotes a healthy version and rolls back a bad one by itself.')));
  }
  // A lease that ran out binds no one: a new rollout may start (it is refused if the old canary is still in place).
  const leaseLive = !!m.lease && m.lease.until > Date.now();
  if (!active && !leaseLive && m.aliasKnown) {
    const start = h('button', { id: 'rollout-start', type: 'button', disabled: m.busy !== null }, m.busy === 'start' ? CONTROL_BUSY.start : l10n.t('Start Rollout…'));
    start.addEventListener('click', () => post('start'));
    section.append(h('div', { class: 'row' }, start));
  }
  return section;
}

/** A rollout this window has no record of, driven from elsewhere: shown read-only from the alias's lease. */
function leaseNote(l: LeaseView): HTMLElement {
  const expired = l.until <= Date.now();
  return h(
    'p',
    { id: 'rollout-lease', class: 'driver readonly' },
    l10n.t('Rollout driven by {0} since {1}: step {2}/{3}. ', l.holder, clock(l.since), num(l.step + 1), num(l.steps)),
    expired
      ? l10n.t('Its lease expired at {0}: nobody drives it now. Resume it where it was started (its journal is there), or promote or roll back its canary here.', clock(l.until))
      : l10n.t('Read-only here: its driver pauses, steps and ends it.'),
  );
}

function rolloutBody(v: RolloutView, m: RolloutModel, post: PostRolloutAction): Node[] {
  const ended = ROLLOUT_ENDS.has(v.status);
  const codeDeploy = v.engine === 'codedeploy';
  const out: Node[] = [];
  out.push(
    h(
      'p',
      { id: 'rollout-status', class: `status s-${v.status}`, role: v.status === 'halted' || v.status === 'rolled-back' ? 'alert' : undefined },
      h('strong', {}, STATUS_LABEL[v.status]),
      codeDeploy ? l10n.t(' on CodeDeploy') : '',
      ended ? '' : ` · ${stepLabel(v)}`,
      v.statusText ? ` — ${v.statusText}` : '',
    ),
    h(
      'p',
      { class: 'meta', id: 'rollout-plan' },
      v.endedAt
        ? l10n.t('Version {0} replacing {1} · plan {2} · started {3}, ended {4}', v.version, v.stable, v.planName ? `${v.planName} (${v.planText})` : v.planText, clock(v.startedAt), clock(v.endedAt))
        : l10n.t('Version {0} replacing {1} · plan {2} · started {3}', v.version, v.stable, v.planName ? `${v.planName} (${v.planText})` : v.planText, clock(v.startedAt)),
    ),
  );
  if (v.driver && !ended) {
    const since = v.driver.since !== undefined ? l10n.t(' since {0}', clock(v.driver.since)) : '';
    out.push(
      h(
        'p',
        { id: 'rollout-driver', class: v.driver.self ? 'driver muted' : 'driver readonly' },
        v.driver.self ? l10n.t('Driven by this window ({0}){1}.', v.driver.holder, since) : l10n.t('Driven by {0}{1}. Read-only here: its driver pauses, steps and ends it.', v.driver.holder, since),
      ),
    );
  }
  out.push(timeline(v, Date.now()));
  out.push(stepList(v));
  if (codeDeploy) out.push(...codeDeployBody(v, m.busy !== null, m.busy === 'stop', (rollback) => post('stop', rollback)));
  if (v.evidence && !ended) out.push(evidence(v.evidence, v.alarms));
  const controls = rolloutControls(v);
  if (controls.length) {
    const row = h('div', { class: 'row', id: 'rollout-controls', role: 'group', 'aria-label': l10n.t('Rollout controls') });
    for (const c of controls) {
      const b = h('button', { id: `rollout-${c}`, type: 'button', class: c === 'abort' || c === 'pause' ? 'secondary' : undefined, disabled: m.busy !== null }, m.busy === c ? CONTROL_BUSY[c] : CONTROL_LABEL[c]);
      b.addEventListener('click', () => post(c));
      row.append(b);
    }
    out.push(row);
  }
  return out;
}

/** Each step's span on the time axis: as it ran, for the current one at least its bake, as planned for those to come. */
function spans(v: RolloutView, now: number): Array<{ from: number; to: number; planned: boolean }> {
  const ended = ROLLOUT_ENDS.has(v.status);
  const end = v.endedAt ?? now;
  const out: Array<{ from: number; to: number; planned: boolean }> = [];
  let t = v.startedAt;
  v.steps.forEach((step: RolloutStepView, i) => {
    const bake = step.bakeSeconds * 1000;
    if (step.startedAt !== undefined) {
      const from = step.startedAt;
      const to = step.endedAt ?? (i === v.current && !ended ? Math.max(now, (v.bakeStart ?? from) + (v.bakeMs ?? bake)) : Math.max(end, from));
      out.push({ from, to, planned: false });
      t = to;
    } else {
      out.push({ from: t, to: t + bake, planned: true });
      t += bake;
    }
  });
  return out;
}

/** The plan as a step chart: the new version's weight over time, each step tinted by its verdict. */
function timeline(v: RolloutView, now: number): HTMLElement {
  const W = 720;
  const H = 150;
  const pad = { l: 40, r: 10, t: 16, b: 22 };
  const raw = spans(v, now);
  const total = Math.max(1, raw.reduce((n, sp) => n + Math.max(0, sp.to - sp.from), 0));
  // Every step gets some width, however short its bake (the final 100 % has none).
  const widths = raw.map((sp) => Math.max(sp.to - sp.from, total * 0.06));
  const sum = widths.reduce((a, b) => a + b, 0);
  const plotW = W - pad.l - pad.r;
  const xs: number[] = [pad.l];
  for (const w of widths) xs.push(xs[xs.length - 1] + (w / sum) * plotW);
  const y = (weight: number) => H - pad.b - (weight / 100) * (H - pad.t - pad.b);
  const ended = ROLLOUT_ENDS.has(v.status);
  const label = v.steps
    .map((st, i) => {
      const verdict = stepVerdict(v, i);
      const step = st.bakeSeconds ? l10n.t('step {0}: {1} percent for {2}', num(i + 1), num(st.weight, 2), formatBake(st.bakeSeconds)) : l10n.t('step {0}: {1} percent', num(i + 1), num(st.weight, 2));
      return verdict ? l10n.t('{0}, {1}', step, VERDICT_LABEL[verdict]) : step;
    })
    .join('; ');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot timeline', id: 'rollout-timeline', role: 'img', 'aria-label': l10n.t('Rollout plan, weight of version {0} over time: {1}', v.version, label) });
  for (const f of [0, 50, 100]) {
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(f), y2: y(f), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 4, y: y(f) + 4, class: 'tick', 'text-anchor': 'end' }, weightText(f)));
  }
  let done = '';
  let planned = '';
  v.steps.forEach((st, i) => {
    const x0 = xs[i];
    const x1 = xs[i + 1];
    const verdict = stepVerdict(v, i);
    const current = i === v.current && !ended;
    const band = s('rect', { x: x0, y: pad.t, width: Math.max(1, x1 - x0 - 1), height: H - pad.t - pad.b, class: `band v-${verdict ?? 'none'}${current ? ' current' : ''}` });
    const gate = st.gate === 'manual' ? l10n.t('manual gate') : l10n.t('auto gate');
    const title = st.bakeSeconds ? l10n.t('Step {0}: {1}, {2}, bake {3}', num(i + 1), weightText(st.weight), gate, formatBake(st.bakeSeconds)) : l10n.t('Step {0}: {1}, {2}', num(i + 1), weightText(st.weight), gate);
    band.append(s('title', {}, verdict ? `${title} — ${VERDICT_LABEL[verdict]}` : title));
    svg.append(band);
    const seg = `${i === 0 ? `M ${x0} ${y(0)} V ${y(st.weight)}` : `V ${y(st.weight)}`} H ${x1}`;
    if (raw[i].planned) planned += planned ? ` ${seg}` : `M ${x0} ${y(v.steps[i - 1]?.weight ?? 0)} ${seg}`;
    else done += done ? ` ${seg}` : seg;
    svg.append(s('text', { x: (x0 + x1) / 2, y: y(st.weight) - 4, class: `tick step-label${current ? ' current' : ''}`, 'text-anchor': 'middle' }, weightText(st.weight)));
    // A marker where each step starts: the steps are told apart without the bands' colours.
    svg.append(s('circle', { cx: x0, cy: y(st.weight), r: 3, class: `step-mark${raw[i].planned ? ' planned' : ''}` }));
  });
  if (done) svg.append(s('path', { d: done, class: 'weight done' }));
  if (planned) svg.append(s('path', { d: planned, class: 'weight planned' }));
  // Now, inside the step in force.
  if (!ended) {
    const sp = raw[v.current];
    const frac = sp.to > sp.from ? Math.min(1, Math.max(0, (now - sp.from) / (sp.to - sp.from))) : 1;
    const xNow = xs[v.current] + frac * (xs[v.current + 1] - xs[v.current]);
    svg.append(s('line', { x1: xNow, x2: xNow, y1: pad.t - 6, y2: H - pad.b, class: 'now' }));
  }
  svg.append(s('text', { x: pad.l, y: H - 6, class: 'tick' }, clock(v.startedAt)));
  const endAt = v.endedAt ?? raw[raw.length - 1].to;
  svg.append(s('text', { x: W - pad.r, y: H - 6, class: 'tick', 'text-anchor': 'end' }, v.endedAt ? clock(endAt) : `~${clock(endAt)}`));
  return h('figure', { class: 'chart' }, svg);
}

function stepList(v: RolloutView): HTMLElement {
  const ended = ROLLOUT_ENDS.has(v.status);
  const list = h('ol', { id: 'rollout-steps', class: 'steps' });
  v.steps.forEach((st, i) => {
    const current = i === v.current && !ended;
    const verdict = stepVerdict(v, i);
    const li = h(
      'li',
      { class: current ? 'step current' : 'step', 'aria-current': current ? 'step' : undefined, 'data-step': i + 1 },
      h(
        'div',
        { class: 'step-head' },
        h('strong', {}, weightText(st.weight)),
        h('span', { class: 'muted' }, st.weight >= 100 ? l10n.t(' promotion') : st.bakeSeconds ? l10n.t(' · bake {0}', formatBake(st.bakeSeconds)) : ''),
        h('span', { class: 'muted' }, ` · ${st.gate === 'manual' ? l10n.t('manual gate') : l10n.t('auto gate')}`),
        st.startedAt !== undefined ? h('span', { class: 'muted' }, ` · ${clock(st.startedAt)}${st.endedAt ? `–${clock(st.endedAt)}` : ''}`) : undefined,
        ' ',
        badge(verdict, noVerdictLabel(v, i)),
      ),
    );
    // The step in force has no sentence of its own yet: the judge's current one is under Evidence.
    if (st.sentence) li.append(h('p', { class: 'sentence' }, st.sentence));
    if (current) li.append(h('p', { id: 'bake-countdown', class: 'countdown', 'aria-live': 'off' }, countdownText(v, Date.now())));
    list.append(li);
  });
  return list;
}

/** The judge's numbers now: errors, latency, the sequential test between its bounds, alarms, data age. */
function evidence(e: RolloutEvidenceView, alarms: string[]): HTMLElement {
  const t = h('table', { id: 'rollout-evidence', class: 'split' }, h('caption', {}, l10n.t("The judge's evidence, read {0}", clock(e.at))));
  const head = h('tr', {});
  for (const c of [l10n.t('Role'), l10n.t('Version'), l10n.t('Errors'), l10n.t('Error rate'), l10n.t('p99'), l10n.t('Mean')]) head.append(h('th', { scope: 'col' }, c));
  t.append(h('thead', {}, head));
  const body = h('tbody', {});
  const row = (role: string, x: RolloutEvidenceView['canary'] | RolloutEvidenceView['stable'], extra = '') =>
    h(
      'tr',
      { 'data-role': role },
      h('th', { scope: 'row' }, role === 'canary' ? l10n.t('canary') : l10n.t('stable')),
      h('td', {}, x.version),
      h('td', { class: 'num' }, `${num(x.errors)}/${num(x.invocations)}${extra}`),
      h('td', { class: 'num' }, x.invocations ? formatRate(x.errorRate) : '—'),
      h('td', { class: 'num' }, ms(x.p99Ms)),
      h('td', { class: 'num' }, ms(x.meanMs)),
    );
  body.append(row('canary', e.canary, e.canary.throttles ? l10n.t(' ({0} throttled)', num(e.canary.throttles)) : ''), row('stable', e.stable));
  t.append(body);
  const alarmText = e.alarmsInAlarm.length
    ? l10n.t('In ALARM: {0}.', e.alarmsInAlarm.join(', '))
    : alarms.length
      ? l10n.t('No alarm in ALARM (watching {0}).', alarms.join(', '))
      : l10n.t('No alarms in the plan.');
  return h(
    'div',
    { class: 'evidence' },
    h('h3', {}, l10n.t('Evidence')),
    h('p', { id: 'evidence-sentence', class: `sentence v-${e.verdict}` }, badge(e.verdict), ' ', e.sentence),
    t,
    sprtBar(e.sprt),
    h('p', { id: 'rollout-alarms', class: e.alarmsInAlarm.length ? 'error' : 'muted' }, alarmText),
    h('p', { id: 'rollout-data-age', class: 'muted' }, e.dataAgeMs === undefined ? l10n.t('No complete metric period yet.') : l10n.t('Newest complete metrics {0} old.', formatAge(e.dataAgeMs))),
  );
}

/** Wald's SPRT: where the log-likelihood ratio stands between "as good as stable" (lower) and "worse" (upper). */
function sprtBar(p: RolloutEvidenceView['sprt']): HTMLElement {
  const W = 240;
  const H = 14;
  const span = p.upper - p.lower;
  const llr = Number.isFinite(p.llr) ? fixed(p.llr, 2) : p.llr > 0 ? '+∞' : '−∞';
  const frac = !Number.isFinite(p.llr) ? (p.llr > 0 ? 1 : 0) : span > 0 ? Math.min(1, Math.max(0, (p.llr - p.lower) / span)) : 0.5;
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'sprt', width: W, height: H, role: 'img', 'aria-label': l10n.t('SPRT log-likelihood ratio {0} between {1} and {2}', llr, fixed(p.lower, 2), fixed(p.upper, 2)) },
    s('rect', { x: 0, y: 4, width: W, height: 6, rx: 3, class: 'track' }),
    s('rect', { x: Math.max(0, frac * W - 2), y: 0, width: 4, height: H, class: 'marker' }),
  );
  const pct = (x: number) => percent(x, x < 0.01 ? 2 : 1);
  return h(
    'div',
    { class: 'row sprt-row', id: 'rollout-sprt' },
    h('span', { class: 'muted' }, l10n.t('as good ({0})', fixed(p.lower, 2))),
    svg,
    h('span', { class: 'muted' }, l10n.t('worse ({0})', fixed(p.upper, 2))),
    h('span', { class: 'muted' }, l10n.t('SPRT log-likelihood ratio {0} (error rate {1} against {2})', llr, pct(p.p0), pct(p.p1))),
  );
}
