/**
 * Rollout plans: the steps a rollout moves an alias's traffic through, CodeDeploy's predefined
 * Lambda configurations as presets, custom plans from lambda-canary.json (`rollout`) or typed in a
 * picker, and their checks. Pure: no SDK, no vscode.
 */

/** What happens once a step's bake has passed: go on by itself, or wait for a person (Next / Promote). */
export type Gate = 'auto' | 'manual';

export interface RolloutStep {
  /** Percent of the alias's traffic the new version gets in this step: 0 < weight ≤ 100; 100 is the promotion. */
  weight: number;
  /** How long the step runs (and is judged) before the rollout goes on. */
  bakeSeconds: number;
  gate: Gate;
}

export interface RolloutPlan {
  /** The preset's name (`Canary10Percent5Minutes`), undefined for a custom plan. */
  name?: string;
  /** In order; weights strictly increase. When `promote`, the last step is 100 %. */
  steps: RolloutStep[];
  /** false: the rollout ends at the last step's weight, the split left in place (no promotion). */
  promote: boolean;
}

/** A step as lambda-canary.json writes it: `{ "weight": 10, "bake": "5m", "gate": "manual" }`. */
export interface RolloutStepSpec {
  weight: number;
  bake?: string;
  gate?: Gate;
}

/** lambda-canary.json's `rollout`: a preset's name, or steps (a 100 % promotion is added unless `promote: false`). */
export type RolloutPlanSpec = string | { steps: RolloutStepSpec[]; promote?: boolean };

/** A problem with a plan: what is wrong and how to fix it, with where it is. */
export class PlanError extends Error {
  constructor(
    message: string,
    /** 1-based column in typed text. */
    readonly column?: number,
    /** Where in the `rollout` value (`['steps', 1, 'weight']`). */
    readonly path: ReadonlyArray<string | number> = [],
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

export const MAX_STEPS = 20;
export const MAX_BAKE_SECONDS = 24 * 3600;
/** Lambda's weights are set here in steps of 0.0001 % (see routing.percentToWeight). */
const WEIGHT_DECIMALS = 4;

// ---- presets ---------------------------------------------------------------------------------

function canary(percent: number, minutes: number): RolloutStep[] {
  return [step(percent, minutes * 60), step(100, 0)];
}

function linear(percent: number, minutes: number): RolloutStep[] {
  const steps: RolloutStep[] = [];
  for (let w = percent; w < 100; w += percent) steps.push(step(w, minutes * 60));
  return [...steps, step(100, 0)];
}

function step(weight: number, bakeSeconds: number, gate: Gate = 'auto'): RolloutStep {
  return { weight, bakeSeconds, gate };
}

/**
 * CodeDeploy's predefined Lambda deployment configurations (`CodeDeployDefault.Lambda…`), as SAM
 * names them. Canary: the percentage for the interval, then the rest at once. Linear: the
 * percentage more at the start of each interval until all traffic is shifted (10 %, 20 % … 90 %,
 * each for the interval, then 100 %). AllAtOnce: everything at once.
 */
const PRESET_STEPS = {
  Canary10Percent5Minutes: canary(10, 5),
  Canary10Percent10Minutes: canary(10, 10),
  Canary10Percent15Minutes: canary(10, 15),
  Canary10Percent30Minutes: canary(10, 30),
  Linear10PercentEvery1Minute: linear(10, 1),
  Linear10PercentEvery2Minutes: linear(10, 2),
  Linear10PercentEvery3Minutes: linear(10, 3),
  Linear10PercentEvery10Minutes: linear(10, 10),
  AllAtOnce: [step(100, 0)],
} satisfies Record<string, RolloutStep[]>;

export type PresetName = keyof typeof PRESET_STEPS;
export const PRESET_NAMES = Object.keys(PRESET_STEPS) as PresetName[];
/** Every spelling a preset is accepted in: SAM's (`Canary10Percent5Minutes`) and CodeDeploy's (`LambdaCanary10Percent5Minutes`). */
export const PRESET_SPELLINGS: string[] = PRESET_NAMES.flatMap((n) => [n, `Lambda${n}`]);

/** The preset's plan, by either spelling (case-insensitive); undefined for no preset. */
export function presetPlan(name: string): RolloutPlan | undefined {
  const key = name.trim().toLowerCase().replace(/^lambda/, '');
  const found = PRESET_NAMES.find((n) => n.toLowerCase() === key);
  return found && { name: found, steps: PRESET_STEPS[found].map((s) => ({ ...s })), promote: true };
}

/** CodeDeploy's own name of a preset: `CodeDeployDefault.LambdaCanary10Percent5Minutes`. */
export function codeDeployConfigName(preset: PresetName): string {
  return preset === 'AllAtOnce' ? 'CodeDeployDefault.LambdaAllAtOnce' : `CodeDeployDefault.Lambda${preset}`;
}

// ---- checks ----------------------------------------------------------------------------------

interface Problem {
  message: string;
  /** 0-based step index, when a step is at fault. */
  step?: number;
  field?: 'weight' | 'bake' | 'gate';
}

const pct = (w: number) => `${Number(w.toFixed(WEIGHT_DECIMALS))} %`;

/** The first problem of a plan, or undefined when it can run. */
function planProblem(plan: RolloutPlan): Problem | undefined {
  const { steps } = plan;
  if (steps.length === 0) return { message: 'A plan needs at least one step, e.g. 10%@5m, 100%.' };
  if (steps.length > MAX_STEPS) {
    return { message: `A plan has at most ${MAX_STEPS} steps${plan.promote ? ', the 100 % promotion included' : ''} (this one has ${steps.length}): merge some.` };
  }
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const at = `Step ${i + 1}`;
    const w = s.weight;
    if (typeof w !== 'number' || !Number.isFinite(w)) return { step: i, field: 'weight', message: `${at}: the weight must be a number of percent, e.g. 10.` };
    if (w <= 0) return { step: i, field: 'weight', message: `${at}: ${pct(w)} sends nothing to the new version: give it a weight above 0 %.` };
    if (w > 100) return { step: i, field: 'weight', message: `${at}: ${pct(w)} is more than all the traffic: the most is 100 % (the promotion).` };
    if (Math.abs(Math.round(w * 10 ** WEIGHT_DECIMALS) - w * 10 ** WEIGHT_DECIMALS) > 1e-6) {
      return { step: i, field: 'weight', message: `${at}: ${w} % has more than ${WEIGHT_DECIMALS} decimals: weights go in steps of 0.0001 %.` };
    }
    if (i > 0 && w <= steps[i - 1].weight) {
      return { step: i, field: 'weight', message: `${at}: ${pct(w)} is not more than step ${i}'s ${pct(steps[i - 1].weight)}: each step must give the new version more traffic than the one before.` };
    }
    const b = s.bakeSeconds;
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0) return { step: i, field: 'bake', message: `${at}: the bake must be a whole number of seconds, 0 or more.` };
    if (b > MAX_BAKE_SECONDS) return { step: i, field: 'bake', message: `${at}: a bake of ${formatDuration(b)} is longer than ${formatDuration(MAX_BAKE_SECONDS)}, the most one step may bake: shorten it or split it into steps.` };
    if (s.gate !== 'auto' && s.gate !== 'manual') return { step: i, field: 'gate', message: `${at}: the gate must be 'auto' or 'manual', not ${JSON.stringify(s.gate)}.` };
    if (w === 100) {
      // Strictly increasing weights put a 100 % step last.
      if (b > 0) return { step: i, field: 'bake', message: `${at} (100 %) is the promotion: it has no bake, since no other version is left to compare with. Bake the step before it instead.` };
      if (s.gate === 'manual') {
        return { step: i, field: 'gate', message: `${at} (100 %) is the promotion: it has no gate. To ask before promoting, make ${i > 0 ? `step ${i}` : 'a step before it'} manual.` };
      }
      if (!plan.promote) return { step: i, field: 'weight', message: `${at} is 100 %, which promotes, but the plan says not to promote: drop the 100 % step, or let the plan promote.` };
    }
  }
  if (plan.promote && steps[steps.length - 1].weight !== 100) return { message: 'A plan that promotes ends with a 100 % step.' };
  return undefined;
}

/** Throws a PlanError saying what to fix when the plan cannot run. */
export function validatePlan(plan: RolloutPlan): RolloutPlan {
  const p = planProblem(plan);
  if (p) throw new PlanError(p.message, undefined, p.step === undefined ? ['steps'] : ['steps', p.step, ...(p.field ? [p.field] : [])]);
  return plan;
}

/** Steps as written, with the 100 % promotion added when the plan promotes and does not end there. */
function withPromotion(steps: RolloutStep[], promote: boolean): RolloutStep[] {
  const last = steps[steps.length - 1];
  return promote && last && last.weight < 100 ? [...steps, step(100, 0)] : steps;
}

// ---- durations -------------------------------------------------------------------------------

/** A bake as written: `0`, `90s`, `5m`, `5min`, `2h`, `1h30m`, `1h 30m 10s`: whole numbers, h then m then s. */
export const DURATION_PATTERN = /^\s*(?:0|(?=\d)(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:min|m))?\s*(?:(\d+)\s*s)?)\s*$/;

/** Seconds in a duration as written, or undefined when it is no duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** 300 → "5 min", 5400 → "1 h 30 min", 45 → "45 s". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 s';
}

/** 300 → "5m", 5400 → "1h30m": the typed form. */
function compactDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join('') || '0s';
}

// ---- lambda-canary.json's `rollout` ------------------------------------------------------------

const STEP_KEYS = ['weight', 'bake', 'gate'];

/**
 * Reads lambda-canary.json's `rollout` value into a checked plan; a PlanError's `path` says where
 * in the value the problem is. Refuses all the schema refuses, with messages saying what to write.
 */
export function parseRolloutSpec(spec: unknown): RolloutPlan {
  if (typeof spec === 'string') {
    const plan = presetPlan(spec);
    // The schema lists the presets exactly as spelled; the same here.
    if (!plan || !PRESET_SPELLINGS.includes(spec)) throw new PlanError(`'${spec}' is not a preset: use one of ${PRESET_NAMES.join(', ')} (or with CodeDeploy's Lambda prefix), or { "steps": [...] }.`);
    return plan;
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new PlanError('must be a preset name (e.g. "Canary10Percent5Minutes") or { "steps": [{ "weight": 10, "bake": "5m" }, ...] }.');
  }
  const obj = spec as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== 'steps' && key !== 'promote') throw new PlanError(`unknown key "${key}" (known: steps, promote).`, undefined, [key]);
  }
  if (obj.promote !== undefined && typeof obj.promote !== 'boolean') throw new PlanError('"promote" must be true or false.', undefined, ['promote']);
  const promote = obj.promote !== false;
  if (!Array.isArray(obj.steps)) throw new PlanError('"steps" must be a list of steps, e.g. [{ "weight": 10, "bake": "5m" }].', undefined, ['steps']);
  if (obj.steps.length === 0) throw new PlanError('"steps" is empty: a plan needs at least one step, e.g. { "weight": 10, "bake": "5m" }.', undefined, ['steps']);
  if (obj.steps.length > MAX_STEPS) throw new PlanError(`"steps" has ${obj.steps.length} steps: at most ${MAX_STEPS}.`, undefined, ['steps']);
  const steps = obj.steps.map((raw, i): RolloutStep => {
    const at = `step ${i + 1}`;
    const where = (...p: Array<string | number>) => ['steps', i, ...p];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PlanError(`${at} must be an object like { "weight": 10, "bake": "5m" }.`, undefined, where());
    const s = raw as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      if (!STEP_KEYS.includes(key)) throw new PlanError(`${at}: unknown key "${key}" (known: ${STEP_KEYS.join(', ')}).`, undefined, where(key));
    }
    if (typeof s.weight !== 'number') throw new PlanError(`${at} needs "weight", a number of percent, e.g. 10.`, undefined, s.weight === undefined ? where() : where('weight'));
    let bakeSeconds = 0;
    if (s.bake !== undefined) {
      const seconds = typeof s.bake === 'string' ? parseDuration(s.bake) : undefined;
      if (seconds === undefined) {
        const hint = typeof s.bake === 'number' ? ` A number needs a unit: "${s.bake}m" (minutes) or "${s.bake}s".` : '';
        throw new PlanError(`${at}: "bake" ${JSON.stringify(s.bake)} is not a duration: write it like "30s", "5m", "2h" or "1h30m".${hint}`, undefined, where('bake'));
      }
      bakeSeconds = seconds;
    }
    if (s.gate !== undefined && s.gate !== 'auto' && s.gate !== 'manual') throw new PlanError(`${at}: "gate" must be "auto" or "manual".`, undefined, where('gate'));
    return { weight: s.weight, bakeSeconds, gate: (s.gate as Gate | undefined) ?? 'auto' };
  });
  const plan: RolloutPlan = { steps: withPromotion(steps, promote), promote };
  const p = planProblem(plan);
  if (p) throw new PlanError(p.message[0].toLowerCase() + p.message.slice(1), undefined, p.step === undefined ? ['steps'] : ['steps', Math.min(p.step, steps.length - 1), ...(p.field ? [p.field] : [])]);
  return plan;
}

// ---- the typed form ----------------------------------------------------------------------------

/**
 * Parses a plan typed in a picker: a preset's name, or steps separated by commas, each
 * `WEIGHT[%][@BAKE][ manual]`, optionally ending in `hold` (no promotion):
 * `10%@5m, 50%@10m manual, 100%` · `5%@10m, 25%@10m` (100 % added) · `10%@1h, hold`.
 * Errors name the step and column and what to write instead.
 */
export function parsePlanText(text: string): RolloutPlan {
  const trimmed = text.trim();
  if (trimmed === '') throw new PlanError(`Type a plan, e.g. 10%@5m, 50%@10m manual, 100% — or a preset: ${PRESET_NAMES.join(', ')}.`, 1);
  if (/^[A-Za-z]/.test(trimmed) && !/^hold\b/i.test(trimmed)) {
    const plan = presetPlan(trimmed);
    if (plan) return plan;
    throw new PlanError(`'${trimmed}' is not a preset: use one of ${PRESET_NAMES.join(', ')}, or steps like 10%@5m, 100%.`, text.indexOf(trimmed) + 1);
  }
  const items: Array<{ text: string; column: number }> = [];
  let from = 0;
  for (const part of text.split(',')) {
    const lead = part.length - part.trimStart().length;
    items.push({ text: part.trim(), column: from + lead + 1 });
    from += part.length + 1;
  }
  const steps: RolloutStep[] = [];
  const columns: Array<{ weight: number; bake: number; gate: number }> = [];
  let promote = true;
  for (let i = 0; i < items.length; i++) {
    const { text: item, column } = items[i];
    const at = (c = column) => `Step ${i + 1} (column ${c})`;
    if (item === '') throw new PlanError(`${at()}: nothing between the commas: remove the extra comma.`, column, ['steps', i]);
    if (/^hold$/i.test(item)) {
      if (i !== items.length - 1) throw new PlanError(`${at()}: 'hold' ends a plan (no promotion): put it last.`, column, ['steps', i]);
      if (i === 0) throw new PlanError(`${at()}: 'hold' needs a step before it, e.g. 10%@1h, hold.`, column, ['steps', i]);
      promote = false;
      break;
    }
    const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(%?)/.exec(item);
    if (!m) throw new PlanError(`${at()}: '${item}' does not start with a weight: write it like 10%@5m.`, column, ['steps', i]);
    let pos = m[0].length;
    const cols = { weight: column, bake: column, gate: column };
    let bakeSeconds = 0;
    const skip = () => {
      while (item[pos] === ' ' || item[pos] === '\t') pos++;
    };
    skip();
    if (item[pos] === '@') {
      pos++;
      skip();
      // Number-and-unit groups, spaces allowed between them (`1h 30m`), up to the gate's word.
      const greedy = /^\d+\s*[a-z]*(?:\s*\d+\s*[a-z]*)*/i.exec(item.slice(pos))?.[0] ?? '';
      const word = /^\S*/.exec(item.slice(pos))![0];
      const tok = parseDuration(greedy) === undefined && parseDuration(word) !== undefined ? word : greedy || word;
      cols.bake = column + pos;
      if (tok === '' || /^(manual|auto)$/i.test(tok)) throw new PlanError(`${at(column + pos)}: '@' needs a bake time after it, e.g. @5m.`, column + pos, ['steps', i, 'bake']);
      const seconds = parseDuration(tok);
      if (seconds === undefined) {
        const hint = /^\d+$/.test(tok) ? ` A number needs a unit: ${tok}m (minutes) or ${tok}s.` : '';
        throw new PlanError(`${at(column + pos)}: '${tok}' is not a bake time: write it like 30s, 5m, 2h or 1h30m.${hint}`, column + pos, ['steps', i, 'bake']);
      }
      bakeSeconds = seconds;
      pos += tok.length;
      skip();
    }
    let gate: Gate = 'auto';
    const rest = item.slice(pos);
    cols.gate = column + pos;
    if (rest !== '') {
      const word = /^\S+/.exec(rest)![0];
      if (/^(manual|auto)$/i.test(word)) {
        gate = word.toLowerCase() as Gate;
        pos += word.length;
        skip();
      }
      if (pos < item.length) {
        const extra = item.slice(pos);
        const hint = /^\d/.test(extra) ? ' Separate steps with commas.' : m[2] === '' && !item.includes('@') && /^\d/.test(item) ? ' A bake goes after @, e.g. 10%@5m.' : '';
        throw new PlanError(`${at(column + pos)}: '${extra}' is not understood: a step is a weight, an optional @bake and an optional 'manual', e.g. 50%@10m manual.${hint}`, column + pos, ['steps', i]);
      }
    }
    steps.push({ weight: Number(m[1]), bakeSeconds, gate });
    columns.push(cols);
  }
  if (steps.length > MAX_STEPS) throw new PlanError(`A plan has at most ${MAX_STEPS} steps (this one has ${steps.length}): merge some.`, items[MAX_STEPS].column);
  const plan: RolloutPlan = { steps: withPromotion(steps, promote), promote };
  const p = planProblem(plan);
  if (p) {
    const c = p.step === undefined ? undefined : columns[Math.min(p.step, columns.length - 1)];
    const column = c && (p.field ? c[p.field] : c.weight);
    const message = column === undefined || p.step === undefined || p.step >= columns.length ? p.message : p.message.replace(/^Step (\d+)/, `Step $1 (column ${column})`);
    throw new PlanError(message, column, p.step === undefined ? ['steps'] : ['steps', p.step]);
  }
  return plan;
}

/** The typed form's check for a picker's validateInput: undefined when it parses, else what is wrong. */
export function planTextProblem(text: string): string | undefined {
  try {
    parsePlanText(text);
    return undefined;
  } catch (e) {
    if (e instanceof PlanError) return e.message;
    throw e;
  }
}

/** The plan in the typed form (a preset by its name): parsePlanText(formatPlan(p)) gives p back. */
export function formatPlan(plan: RolloutPlan): string {
  if (plan.name) return plan.name;
  const steps = plan.steps.map((s) => `${Number(s.weight.toFixed(WEIGHT_DECIMALS))}%${s.bakeSeconds ? `@${compactDuration(s.bakeSeconds)}` : ''}${s.gate === 'manual' ? ' manual' : ''}`);
  return [...steps, ...(plan.promote ? [] : ['hold'])].join(', ');
}

// ---- describing a plan -------------------------------------------------------------------------

function describeStep(s: RolloutStep): string {
  return `${pct(s.weight)}${s.bakeSeconds ? ` for ${formatDuration(s.bakeSeconds)}` : ''}${s.gate === 'manual' ? ', wait for approval' : ''}`;
}

/**
 * One line: "10 % for 5 min, then 100 %"; "10 % → 90 % in steps of 10 %, 1 min each, then 100 %";
 * "100 % at once"; "10 % for 1 h, then stay at 10 % (no promotion)".
 */
export function describePlan(plan: RolloutPlan): string {
  const steps = plan.steps;
  const body = plan.promote ? steps.slice(0, -1) : steps;
  if (plan.promote && body.length === 0) return '100 % at once';
  const end = plan.promote ? 'then 100 %' : `then stay at ${pct(steps[steps.length - 1].weight)} (no promotion)`;
  const d = body[0].weight;
  const linearRun =
    body.length >= 3 &&
    body.every((s, i) => Math.abs(s.weight - d * (i + 1)) < 1e-9 && s.bakeSeconds === body[0].bakeSeconds && s.gate === 'auto') &&
    body[0].bakeSeconds > 0;
  if (linearRun) return `${pct(d)} → ${pct(body[body.length - 1].weight)} in steps of ${pct(d)}, ${formatDuration(body[0].bakeSeconds)} each, ${end}`;
  return `${body.map(describeStep).join(', ')}, ${end}`;
}

// ---- timeline --------------------------------------------------------------------------------

export interface PlannedSegment {
  /** 0-based step index. */
  step: number;
  weight: number;
  /** Epoch ms. */
  startsAt: number;
  /** Epoch ms: startsAt + the bake (the same for the promotion). */
  endsAt: number;
  gate: Gate;
  /** A manual gate comes before this step: its times are the earliest it can happen (no wait counted). */
  earliest: boolean;
}

export interface PlannedTimeline {
  segments: PlannedSegment[];
  /** Epoch ms when the last step ends, at the earliest. */
  endsAt: number;
  /** The weight the new version keeps at the end: 100 when the plan promotes. */
  finalWeight: number;
  /** Some step waits for a person: the times after it are the earliest. */
  waitsForApproval: boolean;
}

/** The planned weights over time from `start` (epoch ms or a Date), bakes back to back, nothing extended. */
export function planTimeline(plan: RolloutPlan, start: number | Date): PlannedTimeline {
  let t = typeof start === 'number' ? start : start.getTime();
  let afterGate = false;
  const segments = plan.steps.map((s, i): PlannedSegment => {
    const seg = { step: i, weight: s.weight, startsAt: t, endsAt: t + s.bakeSeconds * 1000, gate: s.gate, earliest: afterGate };
    t = seg.endsAt;
    if (s.gate === 'manual') afterGate = true;
    return seg;
  });
  return { segments, endsAt: t, finalWeight: plan.steps[plan.steps.length - 1]?.weight ?? 0, waitsForApproval: plan.steps.some((s) => s.gate === 'manual') };
}

/** The plan's bakes added up, in seconds: its shortest run. */
export function planDurationSeconds(plan: RolloutPlan): number {
  return plan.steps.reduce((sum, s) => sum + s.bakeSeconds, 0);
}
