import type { JudgeConfig } from './judge';
import { DEFAULT_JUDGE_CONFIG } from './judge';

/**
 * Rollout plans: the steps a rollout moves an alias's traffic through, CodeDeploy's predefined
 * Lambda configurations as presets, custom plans from lambda-canary.json (`rollout`) or typed in a
 * picker, the CloudWatch alarms and judge options a plan may carry, and their checks. Pure: no
 * SDK, no vscode.
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
  /** CloudWatch alarm names: any of them in ALARM fails the step (at most 100, each named once). */
  alarms?: string[];
  /** The judge's settings this plan changes from DEFAULT_JUDGE_CONFIG (see judgeConfigOf). */
  judge?: JudgeOptions;
}

/**
 * The judge's settings a plan may set, as lambda-canary.json writes them: the same as JudgeConfig
 * except `minDetectableIncrease.absolute`, in percentage points (1 = +1 point, JudgeConfig's 0.01).
 */
export interface JudgeOptions {
  alpha?: number;
  beta?: number;
  minDetectableIncrease?: { absolute?: number; relative?: number };
  minSamples?: number;
  latencyWarnRatio?: number;
  latencyFailRatio?: number;
}

/** A step as lambda-canary.json writes it: `{ "weight": 10, "bake": "5m", "gate": "manual" }`. */
export interface RolloutStepSpec {
  weight: number;
  bake?: string;
  gate?: Gate;
}

/**
 * lambda-canary.json's `rollout`: a preset's name, steps (a 100 % promotion is added unless
 * `promote: false`), or a preset by `plan`; the object forms may add `alarms` and `judge`.
 */
export type RolloutPlanSpec =
  | string
  | { steps: RolloutStepSpec[]; promote?: boolean; alarms?: string[]; judge?: JudgeOptions }
  | { plan: string; alarms?: string[]; judge?: JudgeOptions };

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
  if (plan.alarms !== undefined) checkAlarms(plan.alarms);
  if (plan.judge !== undefined) checkJudgeOptions(plan.judge);
  return plan;
}

// ---- alarms and judge options ----------------------------------------------------------------

/** DescribeAlarms' limit on AlarmNames: the plan's alarms are read in one request. */
export const MAX_ALARMS = 100;
/** CloudWatch's limit on an alarm name's length. */
export const MAX_ALARM_NAME_LENGTH = 255;

/** The plan's alarm names, checked: a list of 1–255-character names without control characters, each once, at most 100. */
export function checkAlarms(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw new PlanError('"alarms" must be a list of CloudWatch alarm names, e.g. ["checkout-5xx"].', undefined, ['alarms']);
  if (raw.length > MAX_ALARMS) throw new PlanError(`"alarms" names ${raw.length} alarms: at most ${MAX_ALARMS} (CloudWatch's DescribeAlarms limit).`, undefined, ['alarms']);
  const seen = new Set<string>();
  raw.forEach((name, i) => {
    const at = `alarm ${i + 1}`;
    if (typeof name !== 'string') throw new PlanError(`${at} must be an alarm's name in quotes, e.g. "checkout-5xx".`, undefined, ['alarms', i]);
    if (name.length === 0) throw new PlanError(`${at} is empty: write the CloudWatch alarm's name, or remove it.`, undefined, ['alarms', i]);
    if (name.length > MAX_ALARM_NAME_LENGTH) throw new PlanError(`${at} is ${name.length} characters long: CloudWatch alarm names have at most ${MAX_ALARM_NAME_LENGTH}.`, undefined, ['alarms', i]);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new PlanError(`${at} has a control character (a tab, a line break…): CloudWatch alarm names have none.`, undefined, ['alarms', i]);
    if (seen.has(name)) throw new PlanError(`${at}: "${name}" is named twice: name each alarm once.`, undefined, ['alarms', i]);
    seen.add(name);
  });
  return raw as string[];
}

const JUDGE_KEYS = ['alpha', 'beta', 'minDetectableIncrease', 'minSamples', 'latencyWarnRatio', 'latencyFailRatio'];
const INCREASE_KEYS = ['absolute', 'relative'];

/** The plan's judge options, checked: each in its range, with what it means and what to write. */
export function checkJudgeOptions(raw: unknown): JudgeOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PlanError('"judge" must be an object of judge settings, e.g. { "minSamples": 50 }.', undefined, ['judge']);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!JUDGE_KEYS.includes(key)) throw new PlanError(`"judge": unknown key "${key}" (known: ${JUDGE_KEYS.join(', ')}).`, undefined, ['judge', key]);
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const chance = (key: 'alpha' | 'beta', what: string) => {
    const v = o[key];
    if (v !== undefined && !(num(v) && v > 0 && v < 0.5)) {
      throw new PlanError(`"judge": "${key}" must be a chance between 0 and 0.5, e.g. ${DEFAULT_JUDGE_CONFIG[key]} (${what}), not ${JSON.stringify(v)}.`, undefined, ['judge', key]);
    }
  };
  chance('alpha', 'the chance of rolling back a canary as good as the stable version');
  chance('beta', 'the chance of passing a canary worse by the smallest increase that matters');
  if (o.minDetectableIncrease !== undefined) {
    const m = o.minDetectableIncrease as Record<string, unknown>;
    const where = ['judge', 'minDetectableIncrease'];
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new PlanError('"judge": "minDetectableIncrease" must be { "absolute": 1, "relative": 2 } (+1 percentage point, or twice the stable rate, whichever is larger).', undefined, where);
    for (const key of Object.keys(m)) if (!INCREASE_KEYS.includes(key)) throw new PlanError(`"judge": "minDetectableIncrease": unknown key "${key}" (known: absolute, relative).`, undefined, [...where, key]);
    if (m.absolute !== undefined && !(num(m.absolute) && m.absolute > 0 && m.absolute < 100)) {
      throw new PlanError(`"judge": "minDetectableIncrease.absolute" is in percentage points, above 0 and below 100 (1 = the canary's error rate 1 point above the stable's), not ${JSON.stringify(m.absolute)}.`, undefined, [...where, 'absolute']);
    }
    if (m.relative !== undefined && !(num(m.relative) && m.relative >= 1 && m.relative <= 100)) {
      throw new PlanError(`"judge": "minDetectableIncrease.relative" is a factor of the stable's error rate, from 1 to 100 (2 = twice the stable's), not ${JSON.stringify(m.relative)}.`, undefined, [...where, 'relative']);
    }
  }
  if (o.minSamples !== undefined && !(num(o.minSamples) && Number.isInteger(o.minSamples) && o.minSamples >= 1 && o.minSamples <= 100_000)) {
    throw new PlanError(`"judge": "minSamples" is the canary invocations a step needs to pass: a whole number from 1 to 100000, not ${JSON.stringify(o.minSamples)}.`, undefined, ['judge', 'minSamples']);
  }
  const ratio = (key: 'latencyWarnRatio' | 'latencyFailRatio') => {
    const v = o[key];
    if (v !== undefined && !(num(v) && v >= 1 && v <= 100)) {
      throw new PlanError(`"judge": "${key}" is canary p99 / stable p99, from 1 to 100 (e.g. ${DEFAULT_JUDGE_CONFIG[key]}), not ${JSON.stringify(v)}.`, undefined, ['judge', key]);
    }
  };
  ratio('latencyWarnRatio');
  ratio('latencyFailRatio');
  const warn = (o.latencyWarnRatio as number | undefined) ?? DEFAULT_JUDGE_CONFIG.latencyWarnRatio;
  const fail = (o.latencyFailRatio as number | undefined) ?? DEFAULT_JUDGE_CONFIG.latencyFailRatio;
  if (fail <= warn) {
    const key = o.latencyFailRatio !== undefined ? 'latencyFailRatio' : 'latencyWarnRatio';
    throw new PlanError(`"judge": the fail ratio (${fail}×${o.latencyFailRatio === undefined ? ', the default' : ''}) must be above the warn ratio (${warn}×${o.latencyWarnRatio === undefined ? ', the default' : ''}): raise "latencyFailRatio" or lower "latencyWarnRatio".`, undefined, ['judge', key]);
  }
  return o as JudgeOptions;
}

/** The judge's configuration for a plan: its options over DEFAULT_JUDGE_CONFIG. */
export function judgeConfigOf(plan: Pick<RolloutPlan, 'judge'>): JudgeConfig {
  const j = plan.judge ?? {};
  const d = DEFAULT_JUDGE_CONFIG;
  return {
    ...d,
    ...(j.alpha !== undefined ? { alpha: j.alpha } : {}),
    ...(j.beta !== undefined ? { beta: j.beta } : {}),
    ...(j.minSamples !== undefined ? { minSamples: j.minSamples } : {}),
    ...(j.latencyWarnRatio !== undefined ? { latencyWarnRatio: j.latencyWarnRatio } : {}),
    ...(j.latencyFailRatio !== undefined ? { latencyFailRatio: j.latencyFailRatio } : {}),
    minDetectableIncrease: {
      absolute: j.minDetectableIncrease?.absolute !== undefined ? j.minDetectableIncrease.absolute / 100 : d.minDetectableIncrease.absolute,
      relative: j.minDetectableIncrease?.relative ?? d.minDetectableIncrease.relative,
    },
  };
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
const STEPS_FORM_KEYS = ['steps', 'promote', 'alarms', 'judge'];
const PRESET_FORM_KEYS = ['plan', 'alarms', 'judge'];

/** The plan's `alarms` and `judge`, when the object form has them, checked. */
function withOptions(plan: RolloutPlan, obj: Record<string, unknown>): RolloutPlan {
  if (obj.alarms !== undefined) plan.alarms = [...checkAlarms(obj.alarms)];
  if (obj.judge !== undefined) plan.judge = structuredClone(checkJudgeOptions(obj.judge));
  return plan;
}

function presetFromSpec(spec: string, path: Array<string | number> = []): RolloutPlan {
  const plan = presetPlan(spec);
  // The schema lists the presets exactly as spelled; the same here.
  if (!plan || !PRESET_SPELLINGS.includes(spec)) throw new PlanError(`'${spec}' is not a preset: use one of ${PRESET_NAMES.join(', ')} (or with CodeDeploy's Lambda prefix), or { "steps": [...] }.`, undefined, path);
  return plan;
}

/**
 * Reads lambda-canary.json's `rollout` value into a checked plan; a PlanError's `path` says where
 * in the value the problem is. Refuses all the schema refuses, with messages saying what to write.
 */
export function parseRolloutSpec(spec: unknown): RolloutPlan {
  if (typeof spec === 'string') return presetFromSpec(spec);
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new PlanError('must be a preset name (e.g. "Canary10Percent5Minutes"), { "steps": [{ "weight": 10, "bake": "5m" }, ...] } or { "plan": "Canary10Percent5Minutes", "alarms": [...] }.');
  }
  const obj = spec as Record<string, unknown>;
  if (obj.plan !== undefined) {
    for (const key of Object.keys(obj)) {
      if (!PRESET_FORM_KEYS.includes(key)) {
        const hint = key === 'steps' || key === 'promote' ? ': a preset has its own steps; use "plan" or "steps", not both' : ` (known with "plan": ${PRESET_FORM_KEYS.join(', ')})`;
        throw new PlanError(`unknown key "${key}"${hint}.`, undefined, [key]);
      }
    }
    if (typeof obj.plan !== 'string') throw new PlanError(`"plan" must be a preset's name, e.g. "Canary10Percent5Minutes".`, undefined, ['plan']);
    return withOptions(presetFromSpec(obj.plan, ['plan']), obj);
  }
  for (const key of Object.keys(obj)) {
    if (!STEPS_FORM_KEYS.includes(key)) throw new PlanError(`unknown key "${key}" (known: ${STEPS_FORM_KEYS.join(', ')}, or plan).`, undefined, [key]);
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
  return withOptions(plan, obj);
}

// ---- the typed form ----------------------------------------------------------------------------

/**
 * Parses a plan typed in a picker: a preset's name, or steps separated by commas, each
 * `WEIGHT[%][@BAKE][ manual]`, optionally ending in `hold` (no promotion):
 * `10%@5m, 50%@10m manual, 100%` · `5%@10m, 25%@10m` (100 % added) · `10%@1h, hold`.
 * Errors name the step and column and what to write instead.
 */
export function parsePlanText(text: string): RolloutPlan {
  // `…; alarms: NAME, NAME`: the alarms that fail a step, after the steps.
  const semi = text.indexOf(';');
  if (semi >= 0) {
    const rest = text.slice(semi + 1);
    const m = /^\s*alarms\s*:/i.exec(rest);
    if (!m) throw new PlanError(`Column ${semi + 2}: after ';' a plan takes its alarms, e.g. ; alarms: checkout-5xx, api-p99.`, semi + 2);
    const names = rest.slice(m[0].length).split(',').map((n) => n.trim());
    if (names.length === 1 && names[0] === '') throw new PlanError(`Column ${semi + 2 + m[0].length}: 'alarms:' needs at least one alarm name, e.g. ; alarms: checkout-5xx.`, semi + 2 + m[0].length);
    let alarms: string[];
    try {
      alarms = checkAlarms(names);
    } catch (e) {
      if (e instanceof PlanError) throw new PlanError(`${e.message[0].toUpperCase()}${e.message.slice(1)}`, semi + 2 + m[0].length, e.path);
      throw e;
    }
    return { ...parsePlanText(text.slice(0, semi)), alarms };
  }
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

/**
 * The plan in the typed form (a preset by its name), its alarms after `; alarms:`:
 * parsePlanText(formatPlan(p)) gives p back (judge options, which only lambda-canary.json sets,
 * and alarm names with a comma or edge spaces excepted).
 */
export function formatPlan(plan: RolloutPlan): string {
  const alarms = plan.alarms?.length ? `; alarms: ${plan.alarms.join(', ')}` : '';
  if (plan.name) return `${plan.name}${alarms}`;
  const steps = plan.steps.map((s) => `${Number(s.weight.toFixed(WEIGHT_DECIMALS))}%${s.bakeSeconds ? `@${compactDuration(s.bakeSeconds)}` : ''}${s.gate === 'manual' ? ' manual' : ''}`);
  return [...steps, ...(plan.promote ? [] : ['hold'])].join(', ') + alarms;
}

// ---- describing a plan -------------------------------------------------------------------------

function describeStep(s: RolloutStep): string {
  return `${pct(s.weight)}${s.bakeSeconds ? ` for ${formatDuration(s.bakeSeconds)}` : ''}${s.gate === 'manual' ? ', wait for approval' : ''}`;
}

/**
 * One line: "10 % for 5 min, then 100 %"; "10 % → 90 % in steps of 10 %, 1 min each, then 100 %";
 * "100 % at once"; "10 % for 1 h, then stay at 10 % (no promotion)"; with alarms, "…; fails a step
 * when alarm checkout-5xx is in ALARM".
 */
export function describePlan(plan: RolloutPlan): string {
  const alarms = plan.alarms ?? [];
  const watched = alarms.length ? `; fails a step when ${alarms.length === 1 ? `alarm ${alarms[0]} is` : `any of alarms ${alarms.join(', ')} is`} in ALARM` : '';
  return describeSteps(plan) + watched;
}

function describeSteps(plan: RolloutPlan): string {
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
