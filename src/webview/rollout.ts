/**
 * The traffic panel's rollout section: the plan as a step chart of weights over time, each
 * step's gate, bake and verdict (the judge's, sent by the host: nothing is judged here), the
 * current step's bake counting down, the judge's current evidence, and the controls the host
 * offers for the rollout's status. Built with DOM APIs and textContent only.
 */
import type { LeaseView, RolloutAction } from '../shared/protocol';
import { rolloutControls } from '../shared/protocol';
import type { RolloutControl, RolloutEvidenceView, RolloutStatus, RolloutStepView, RolloutVerdict, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS, stepLabel } from '../shared/rollout';
import { formatAge, formatRate } from '../shared/traffic';
import { codeDeployBody } from './codeDeploy';
import { clock, h, s } from './dom';

export interface RolloutModel {
  rollout?: RolloutView | null;
  lease?: LeaseView;
  busy: RolloutAction | null;
  /** The alias is known (a Start button needs one). */
  aliasKnown: boolean;
}

const STATUS_LABEL: Record<RolloutStatus, string> = {
  running: 'Running',
  paused: 'Paused',
  waiting: 'Waiting for you',
  halted: 'Halted',
  promoted: 'Promoted',
  'rolled-back': 'Rolled back',
  aborted: 'Aborted',
  completed: 'Completed',
  abandoned: 'Abandoned',
};

const VERDICT_LABEL: Record<RolloutVerdict, string> = { Pass: 'Pass', Fail: 'Fail', Marginal: 'Marginal', NoData: 'No data', Pending: 'Pending' };

const CONTROL_LABEL: Record<RolloutControl, string> = { pause: 'Pause', resume: 'Resume', next: 'Next step', promote: 'Promote now', abort: 'Abort' };
const CONTROL_BUSY: Record<RolloutAction, string> = { pause: 'Pausing…', resume: 'Resuming…', next: 'Stepping…', promote: 'Promoting…', abort: 'Aborting…', start: 'Starting…', stop: 'Stopping…' };

/** A rollout action of the page; `rollback` for Stop (a CodeDeploy deployment). */
export type PostRolloutAction = (action: RolloutAction, rollback?: boolean) => void;

/** `5 min`, `30 s`, `1 h 30 min`. */
export function formatBake(seconds: number): string {
  if (seconds < 90 && seconds % 60 !== 0) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

/** `4:05` (or `1:02:03`) for a countdown. */
function formatClockDuration(ms: number): string {
  const t = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(t / 3600);
  const mm = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

const ms = (x: number | undefined) => (x === undefined ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);

/** What the current step's countdown says at `now`; empty when the rollout is not baking. */
export function countdownText(v: RolloutView, now: number): string {
  if (v.status !== 'running' || v.bakeStart === undefined || v.bakeMs === undefined) return '';
  const left = v.bakeStart + v.bakeMs - now;
  if (left <= 0) return `Bake of ${formatBake(v.bakeMs / 1000)} over: waiting for the judge's verdict.`;
  return `Bake: ${formatClockDuration(left)} left of ${formatBake(v.bakeMs / 1000)}.`;
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
    if (v.status === 'promoted' && v.steps[i].weight >= 100) return 'Promoted';
    if (i < v.current || (i === v.current && v.status === 'promoted')) return 'Done';
    if (i === v.current) return ROLLOUT_ENDS.has(v.status) ? 'Stopped here' : 'In force';
    return ROLLOUT_ENDS.has(v.status) ? 'Not reached' : 'Next';
  }
  if (!ROLLOUT_ENDS.has(v.status)) return 'No verdict';
  if (v.status === 'promoted' && v.steps[i].weight >= 100) return 'Promoted';
  return i > v.current ? 'Not reached' : 'No verdict';
}

function badge(verdict: RolloutVerdict | undefined, none = 'No verdict'): HTMLElement {
  return verdict ? h('span', { class: `badge v-${verdict}`, 'data-verdict': verdict }, VERDICT_LABEL[verdict]) : h('span', { class: 'badge v-none' }, none);
}

export function renderRollout(m: RolloutModel, post: PostRolloutAction): HTMLElement {
  const section = h('section', { class: 'rollout', id: 'rollout', 'aria-labelledby': 'rollout-heading' }, h('h2', { id: 'rollout-heading' }, 'Rollout'));
  const v = m.rollout ?? undefined;
  const active = v && !ROLLOUT_ENDS.has(v.status);
  if (m.lease && !active) section.append(leaseNote(m.lease));
  if (v) {
    section.append(...rolloutBody(v, m, post));
  } else if (!m.lease) {
    section.append(h('p', { class: 'muted', id: 'rollout-none' }, 'No rollout on this alias. A rollout moves the weight step by step and judges each step on the metrics: it promotes a healthy version and rolls back a bad one by itself.'));
  }
  // A lease that ran out binds no one: a new rollout may start (it is refused if the old canary is still in place).
  const leaseLive = !!m.lease && m.lease.until > Date.now();
  if (!active && !leaseLive && m.aliasKnown) {
    const start = h('button', { id: 'rollout-start', type: 'button', disabled: m.busy !== null }, m.busy === 'start' ? CONTROL_BUSY.start : 'Start Rollout…');
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
    `Rollout driven by ${l.holder} since ${clock(l.since)}: step ${l.step + 1}/${l.steps}. `,
    expired
      ? `Its lease expired at ${clock(l.until)}: nobody drives it now. Resume it where it was started (its journal is there), or promote or roll back its canary here.`
      : 'Read-only here: its driver pauses, steps and ends it.',
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
      codeDeploy ? ' on CodeDeploy' : '',
      ended ? '' : ` · ${stepLabel(v)}`,
      v.statusText ? ` — ${v.statusText}` : '',
    ),
    h('p', { class: 'meta', id: 'rollout-plan' }, `Version ${v.version} replacing ${v.stable} · plan ${v.planName ? `${v.planName} (${v.planText})` : v.planText} · started ${clock(v.startedAt)}${v.endedAt ? `, ended ${clock(v.endedAt)}` : ''}`),
  );
  if (v.driver && !ended) {
    const since = v.driver.since !== undefined ? ` since ${clock(v.driver.since)}` : '';
    out.push(
      h(
        'p',
        { id: 'rollout-driver', class: v.driver.self ? 'driver muted' : 'driver readonly' },
        v.driver.self ? `Driven by this window (${v.driver.holder})${since}.` : `Driven by ${v.driver.holder}${since}. Read-only here: its driver pauses, steps and ends it.`,
      ),
    );
  }
  out.push(timeline(v, Date.now()));
  out.push(stepList(v));
  if (codeDeploy) out.push(...codeDeployBody(v, m.busy !== null, m.busy === 'stop', (rollback) => post('stop', rollback)));
  if (v.evidence && !ended) out.push(evidence(v.evidence, v.alarms));
  const controls = rolloutControls(v);
  if (controls.length) {
    const row = h('div', { class: 'row', id: 'rollout-controls', role: 'group', 'aria-label': 'Rollout controls' });
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
  const label = v.steps.map((st, i) => `step ${i + 1}: ${st.weight}%${st.bakeSeconds ? ` for ${formatBake(st.bakeSeconds)}` : ''}${stepVerdict(v, i) ? `, ${VERDICT_LABEL[stepVerdict(v, i)!]}` : ''}`).join('; ');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot timeline', id: 'rollout-timeline', role: 'img', 'aria-label': `Rollout plan, weight of version ${v.version} over time: ${label}` });
  for (const f of [0, 50, 100]) {
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(f), y2: y(f), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 4, y: y(f) + 4, class: 'tick', 'text-anchor': 'end' }, `${f}%`));
  }
  let done = '';
  let planned = '';
  v.steps.forEach((st, i) => {
    const x0 = xs[i];
    const x1 = xs[i + 1];
    const verdict = stepVerdict(v, i);
    const current = i === v.current && !ended;
    const band = s('rect', { x: x0, y: pad.t, width: Math.max(1, x1 - x0 - 1), height: H - pad.t - pad.b, class: `band v-${verdict ?? 'none'}${current ? ' current' : ''}` });
    band.append(s('title', {}, `Step ${i + 1}: ${st.weight}%, ${st.gate === 'manual' ? 'manual gate' : 'auto gate'}${st.bakeSeconds ? `, bake ${formatBake(st.bakeSeconds)}` : ''}${verdict ? ` — ${VERDICT_LABEL[verdict]}` : ''}`));
    svg.append(band);
    const seg = `${i === 0 ? `M ${x0} ${y(0)} V ${y(st.weight)}` : `V ${y(st.weight)}`} H ${x1}`;
    if (raw[i].planned) planned += planned ? ` ${seg}` : `M ${x0} ${y(v.steps[i - 1]?.weight ?? 0)} ${seg}`;
    else done += done ? ` ${seg}` : seg;
    svg.append(s('text', { x: (x0 + x1) / 2, y: y(st.weight) - 4, class: `tick step-label${current ? ' current' : ''}`, 'text-anchor': 'middle' }, `${st.weight}%`));
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
        h('strong', {}, `${st.weight}%`),
        h('span', { class: 'muted' }, st.weight >= 100 ? ' promotion' : st.bakeSeconds ? ` · bake ${formatBake(st.bakeSeconds)}` : ''),
        h('span', { class: 'muted' }, ` · ${st.gate === 'manual' ? 'manual gate' : 'auto gate'}`),
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
  const t = h('table', { id: 'rollout-evidence', class: 'split' }, h('caption', {}, `The judge's evidence, read ${clock(e.at)}`));
  const head = h('tr', {});
  for (const c of ['', 'Version', 'Errors', 'Error rate', 'p99', 'Mean']) head.append(h('th', { scope: 'col' }, c));
  t.append(h('thead', {}, head));
  const body = h('tbody', {});
  const row = (role: string, x: RolloutEvidenceView['canary'] | RolloutEvidenceView['stable'], extra = '') =>
    h(
      'tr',
      { 'data-role': role },
      h('th', { scope: 'row' }, role),
      h('td', {}, x.version),
      h('td', { class: 'num' }, `${x.errors}/${x.invocations}${extra}`),
      h('td', { class: 'num' }, x.invocations ? formatRate(x.errorRate) : '—'),
      h('td', { class: 'num' }, ms(x.p99Ms)),
      h('td', { class: 'num' }, ms(x.meanMs)),
    );
  body.append(row('canary', e.canary, e.canary.throttles ? ` (${e.canary.throttles} throttled)` : ''), row('stable', e.stable));
  t.append(body);
  const alarmText = e.alarmsInAlarm.length ? `In ALARM: ${e.alarmsInAlarm.join(', ')}.` : alarms.length ? `No alarm in ALARM (watching ${alarms.join(', ')}).` : 'No alarms in the plan.';
  return h(
    'div',
    { class: 'evidence' },
    h('h3', {}, 'Evidence'),
    h('p', { id: 'evidence-sentence', class: `sentence v-${e.verdict}` }, badge(e.verdict), ' ', e.sentence),
    t,
    sprtBar(e.sprt),
    h('p', { id: 'rollout-alarms', class: e.alarmsInAlarm.length ? 'error' : 'muted' }, alarmText),
    h('p', { id: 'rollout-data-age', class: 'muted' }, e.dataAgeMs === undefined ? 'No complete metric period yet.' : `Newest complete metrics ${formatAge(e.dataAgeMs)} old.`),
  );
}

/** Wald's SPRT: where the log-likelihood ratio stands between "as good as stable" (lower) and "worse" (upper). */
function sprtBar(p: RolloutEvidenceView['sprt']): HTMLElement {
  const W = 240;
  const H = 14;
  const span = p.upper - p.lower;
  const frac = !Number.isFinite(p.llr) ? (p.llr > 0 ? 1 : 0) : span > 0 ? Math.min(1, Math.max(0, (p.llr - p.lower) / span)) : 0.5;
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'sprt', width: W, height: H, role: 'img', 'aria-label': `SPRT log-likelihood ratio ${p.llr.toFixed(2)} between ${p.lower.toFixed(2)} and ${p.upper.toFixed(2)}` },
    s('rect', { x: 0, y: 4, width: W, height: 6, rx: 3, class: 'track' }),
    s('rect', { x: Math.max(0, frac * W - 2), y: 0, width: 4, height: H, class: 'marker' }),
  );
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`;
  return h(
    'div',
    { class: 'row sprt-row', id: 'rollout-sprt' },
    h('span', { class: 'muted' }, `as good (${p.lower.toFixed(2)})`),
    svg,
    h('span', { class: 'muted' }, `worse (${p.upper.toFixed(2)})`),
    h('span', { class: 'muted' }, `SPRT log-likelihood ratio ${Number.isFinite(p.llr) ? p.llr.toFixed(2) : p.llr > 0 ? '+∞' : '−∞'} (error rate ${pct(p.p0)} against ${pct(p.p1)})`),
  );
}
