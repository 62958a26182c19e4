import { formatAge, formatRate } from '../../shared/traffic';

/**
 * The rollout judge: one step's metrics in, one verdict out. Pure: no clock, no SDK, no vscode;
 * the runner reads CloudWatch and the alarms and passes numbers here, so a verdict can be
 * recomputed from the journal on resume and gives the same answer.
 *
 * Error rate: Wald's sequential probability ratio test on the canary's invocations as Bernoulli
 * outcomes, H0 p = p0 (the stable version's rate) against H1 p = p1 (p0 plus the smallest increase
 * that matters). The periods are walked in time order with cumulative counts, so the verdict says
 * at how many samples the test crossed, and a later evaluation never contradicts an earlier one.
 */

/**
 * Pass: bake covered by metrics, minimum samples, the test accepted, nothing failed → next step.
 * Fail: the test crossed A, p99 at the fail ratio, or a named alarm in ALARM → roll back now.
 * Marginal: inconclusive at the end of the bake, or p99 between warn and fail → pause and ask.
 * NoData: too few canary invocations (or no metrics) once the bake is over → extend, then ask.
 * Pending: the bake (or its metrics) is not over and nothing has failed yet → judge again later.
 */
export type Verdict = 'Pass' | 'Fail' | 'Marginal' | 'NoData' | 'Pending';
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One complete metric period of one version (CloudWatch's datapoint: `start` is its timestamp). */
export interface PeriodSample {
  start: number;
  invocations: number;
  errors: number;
  throttles: number;
  durationP99Ms?: number;
  durationMeanMs?: number;
}

export interface JudgeInput {
  /** The canary's periods; those that start before the bake are ignored. */
  canary: { version: string; periods: PeriodSample[] };
  /** The stable version's periods, before the bake too if the caller has them (a better estimate of its rate). */
  stable: { version: string; periods: PeriodSample[] };
  periodSeconds: number;
  /**
   * End of the newest complete period (CloudWatch's newest datapoint time plus its period);
   * undefined when no period is complete yet. Later periods are ignored.
   */
  completeUntil?: number;
  bakeStart: number;
  bakeMs: number;
  now: number;
  alarms?: Record<string, AlarmState>;
}

export interface JudgeConfig {
  /** Chance of failing a canary that is as good as the stable version. */
  alpha: number;
  /** Chance of passing a canary that is worse by exactly the smallest increase that matters. */
  beta: number;
  /**
   * The smallest increase that matters: H1 is the larger of p0 + absolute and p0 × relative,
   * so a 0.1 % stable is tested against 1.1 % (not 0.2 %, which would take ~10,000 samples) and a
   * 10 % stable against 20 % (not 11 %).
   */
  minDetectableIncrease: { absolute: number; relative: number };
  /** Canary invocations needed for a Pass and before latency is judged. */
  minSamples: number;
  /** The rate assumed when the stable version has no data, and the prior that smooths its estimate. */
  baselineErrorRate: number;
  /** Weight of that prior, in invocations: p0 = (errors + k·baseline) / (invocations + k). */
  priorInvocations: number;
  /** Canary p99 / stable p99 at or above which the step is Marginal (warn) or Fail. */
  latencyWarnRatio: number;
  latencyFailRatio: number;
  /** A p99 this much slower or less is never a finding (a 2 ms handler at 3 ms is not 1.5× worse). */
  latencyFloorMs: number;
  /** How long past the bake NoData waits for more invocations before it asks. */
  maxBakeExtensionMs: number;
}

export const DEFAULT_JUDGE_CONFIG: JudgeConfig = {
  alpha: 0.05,
  beta: 0.2,
  minDetectableIncrease: { absolute: 0.01, relative: 2 },
  minSamples: 100,
  baselineErrorRate: 0.01,
  priorInvocations: 50,
  latencyWarnRatio: 1.2,
  latencyFailRatio: 1.5,
  latencyFloorMs: 10,
  maxBakeExtensionMs: 10 * 60_000,
};

export interface VersionNumbers {
  version: string;
  invocations: number;
  errors: number;
  throttles: number;
  errorRate: number;
  /** Invocation-weighted mean of the periods' p99 (CloudWatch cannot merge percentiles exactly). */
  p99Ms?: number;
  meanMs?: number;
}

export interface Sprt {
  /** ln((1-β)/α): crossing it fails the canary. */
  upper: number;
  /** ln(β/(1-α)): crossing it accepts the canary's error rate. */
  lower: number;
  /** The log-likelihood ratio at the last period walked (or at the crossing). */
  llr: number;
  p0: number;
  p1: number;
  crossed?: 'upper' | 'lower';
  /** Canary invocations when the test crossed. */
  crossedAt?: number;
}

export interface Judgement {
  verdict: Verdict;
  /** One sentence with the numbers that explain the verdict, ending with the data's age. */
  sentence: string;
  /** What decided it. */
  reason: 'alarm' | 'errors' | 'latency' | 'samples' | 'bake' | 'inconclusive' | 'healthy';
  canary: VersionNumbers;
  stable: VersionNumbers;
  /** 'fallback': the stable version had no invocations, p0 is the configured baseline. */
  baseline: 'stable' | 'fallback';
  sprt: Sprt;
  p99Ratio?: number;
  meanRatio?: number;
  alarmsInAlarm: string[];
  bakeElapsedMs: number;
  /** now − completeUntil; undefined when no period is complete. */
  dataAgeMs?: number;
  /** NoData: the bake waits for invocations until then, after which the verdict asks. */
  extendedUntil?: number;
}

export function sprtBounds(alpha: number, beta: number): { upper: number; lower: number } {
  return { upper: Math.log((1 - beta) / alpha), lower: Math.log(beta / (1 - alpha)) };
}

/** The log-likelihood ratio of `errors` in `n` Bernoulli outcomes, H1 p1 against H0 p0. */
export function logLikelihoodRatio(errors: number, n: number, p0: number, p1: number): number {
  return errors * Math.log(p1 / p0) + (n - errors) * Math.log((1 - p1) / (1 - p0));
}

/** H0 and H1 from the stable's counts, smoothed by the prior so that zero errors (or zero data) work. */
export function hypotheses(stableErrors: number, stableInvocations: number, config: JudgeConfig): { p0: number; p1: number } {
  const k = config.priorInvocations;
  const p0 = clamp((stableErrors + k * config.baselineErrorRate) / (stableInvocations + k), 1e-6, 0.99);
  const { absolute, relative } = config.minDetectableIncrease;
  const p1 = clamp(Math.max(p0 + absolute, p0 * relative), p0, 0.999);
  return { p0, p1 };
}

export function judge(input: JudgeInput, config: JudgeConfig = DEFAULT_JUDGE_CONFIG): Judgement {
  const bakeEnd = input.bakeStart + input.bakeMs;
  const complete = (p: PeriodSample) => input.completeUntil !== undefined && p.start + input.periodSeconds * 1000 <= input.completeUntil;
  const canaryPeriods = input.canary.periods.filter((p) => p.start >= input.bakeStart && complete(p)).sort((a, b) => a.start - b.start);
  // The stable version's history before the bake sharpens its rate: the caller chooses how much.
  const stablePeriods = input.stable.periods.filter(complete).sort((a, b) => a.start - b.start);
  const canary = totals(input.canary.version, canaryPeriods);
  const stable = totals(input.stable.version, stablePeriods);
  const sprt = walk(canaryPeriods, stablePeriods, config);
  const baseline = stable.invocations > 0 ? 'stable' : 'fallback';
  const dataAgeMs = input.completeUntil === undefined ? undefined : Math.max(0, input.now - input.completeUntil);
  const alarmsInAlarm = Object.entries(input.alarms ?? {})
    .filter(([, s]) => s === 'ALARM')
    .map(([name]) => name)
    .sort();
  const slower = (c?: number, s?: number) => (c !== undefined && s !== undefined && s > 0 && c - s > config.latencyFloorMs ? c / s : undefined);
  const p99Ratio = canary.invocations >= config.minSamples ? slower(canary.p99Ms, stable.p99Ms) : undefined;
  const meanRatio = canary.invocations >= config.minSamples ? slower(canary.meanMs, stable.meanMs) : undefined;
  const base = { canary, stable, baseline, sprt, p99Ratio, meanRatio, alarmsInAlarm, bakeElapsedMs: Math.max(0, input.now - input.bakeStart), dataAgeMs } as const;

  const errors = errorClause(canary, stable, baseline, sprt);
  const age = dataAgeMs === undefined ? 'no complete metrics yet' : `metrics up to ${formatAge(dataAgeMs)} old`;
  const throttled = canary.throttles > 0 ? `, ${count(canary.throttles)} throttled` : '';
  const say = (verdict: Verdict, reason: Judgement['reason'], text: string, extra: Partial<Judgement> = {}): Judgement => ({ verdict, reason, sentence: `${text}${throttled}; ${age}.`, ...base, ...extra });

  if (alarmsInAlarm.length) return say('Fail', 'alarm', `${alarmsInAlarm.length === 1 ? 'alarm' : 'alarms'} ${alarmsInAlarm.join(', ')} in ALARM`);
  if (sprt.crossed === 'upper') return say('Fail', 'errors', `${errors}: worse beyond chance (SPRT crossed at ${count(sprt.crossedAt!)} samples)`);
  const latency = `canary p99 ${fmtMs(canary.p99Ms)} vs stable ${fmtMs(stable.p99Ms)} (${p99Ratio?.toFixed(2)}×`;
  if (p99Ratio !== undefined && p99Ratio >= config.latencyFailRatio) return say('Fail', 'latency', `${latency}, fail at ${config.latencyFailRatio}×)`);

  const covered = input.completeUntil !== undefined && input.completeUntil >= bakeEnd;
  const bake = formatAge(input.bakeMs);
  if (!covered) {
    const extendedUntil = bakeEnd + config.maxBakeExtensionMs;
    if (input.now >= extendedUntil) return say('NoData', 'bake', `no metrics cover the ${bake} bake ${formatAge(input.now - bakeEnd)} after it ended: ask before going on`, { extendedUntil });
    const left = input.now < bakeEnd ? `${formatAge(bakeEnd - input.now)} of the ${bake} bake left` : `the ${bake} bake is over, waiting for its metrics`;
    return say('Pending', 'bake', `${canary.invocations ? errors : `no invocations of canary ${canary.version} yet`}: no decision yet, ${left}`);
  }
  if (canary.invocations < config.minSamples) {
    const extendedUntil = bakeEnd + config.maxBakeExtensionMs;
    const needed = `canary ${canary.version} has ${count(canary.invocations)} invocations in the bake, ${count(config.minSamples)} needed`;
    if (input.now < extendedUntil) return say('NoData', 'samples', `${needed}: bake extended by up to ${formatAge(config.maxBakeExtensionMs)}`, { extendedUntil });
    return say('NoData', 'samples', `${needed}, after the bake and its ${formatAge(config.maxBakeExtensionMs)} extension: ask before going on`, { extendedUntil });
  }
  if (p99Ratio !== undefined && p99Ratio >= config.latencyWarnRatio) return say('Marginal', 'latency', `${latency}, warn at ${config.latencyWarnRatio}×, fail at ${config.latencyFailRatio}×)`);
  if (sprt.crossed !== 'lower') {
    return say('Marginal', 'inconclusive', `${errors}: inconclusive after the ${bake} bake (SPRT at ${sprt.llr.toFixed(2)}, between ${sprt.lower.toFixed(2)} and ${sprt.upper.toFixed(2)})`);
  }
  const p99 = canary.p99Ms !== undefined && stable.p99Ms !== undefined ? `, p99 ${fmtMs(canary.p99Ms)} vs ${fmtMs(stable.p99Ms)}` : '';
  return say('Pass', 'healthy', `${errors}: not worse (SPRT accepted at ${count(sprt.crossedAt!)} samples)${p99}, ${bake} bake elapsed`);
}

/** Walks the periods in time order; the first crossing decides and later periods do not undo it. */
function walk(canary: PeriodSample[], stable: PeriodSample[], config: JudgeConfig): Sprt {
  const { upper, lower } = sprtBounds(config.alpha, config.beta);
  let n = 0;
  let x = 0;
  let sn = 0;
  let sx = 0;
  let j = 0;
  let h = hypotheses(0, 0, config);
  let llr = 0;
  for (const p of canary) {
    // The stable's counts up to the same period: a verdict recomputed later agrees with this one.
    while (j < stable.length && stable[j].start <= p.start) {
      sn += stable[j].invocations;
      sx += stable[j].errors;
      j++;
    }
    n += p.invocations;
    x += Math.min(p.errors, p.invocations);
    h = hypotheses(sx, sn, config);
    llr = logLikelihoodRatio(x, n, h.p0, h.p1);
    if (llr >= upper) return { upper, lower, llr, ...h, crossed: 'upper', crossedAt: n };
    if (llr <= lower) return { upper, lower, llr, ...h, crossed: 'lower', crossedAt: n };
  }
  if (!canary.length) {
    for (const s of stable) {
      sn += s.invocations;
      sx += s.errors;
    }
    h = hypotheses(sx, sn, config);
  }
  return { upper, lower, llr, ...h };
}

function totals(version: string, periods: PeriodSample[]): VersionNumbers {
  let invocations = 0;
  let errors = 0;
  let throttles = 0;
  let p99 = 0;
  let mean = 0;
  let p99n = 0;
  let meanN = 0;
  for (const p of periods) {
    invocations += p.invocations;
    errors += Math.min(p.errors, p.invocations);
    throttles += p.throttles;
    if (p.durationP99Ms !== undefined && p.invocations > 0) {
      p99 += p.durationP99Ms * p.invocations;
      p99n += p.invocations;
    }
    if (p.durationMeanMs !== undefined && p.invocations > 0) {
      mean += p.durationMeanMs * p.invocations;
      meanN += p.invocations;
    }
  }
  return {
    version,
    invocations,
    errors,
    throttles,
    errorRate: invocations ? errors / invocations : 0,
    p99Ms: p99n ? p99 / p99n : undefined,
    meanMs: meanN ? mean / meanN : undefined,
  };
}

function errorClause(canary: VersionNumbers, stable: VersionNumbers, baseline: 'stable' | 'fallback', sprt: Sprt): string {
  const c = `canary ${formatRate(canary.errorRate)} errors (${count(canary.errors)}/${count(canary.invocations)})`;
  if (baseline === 'fallback') return `${c} vs a baseline of ${formatRate(sprt.p0)} (stable ${stable.version} has no data)`;
  return `${c} vs stable ${formatRate(stable.errorRate)} (${count(stable.errors)}/${count(stable.invocations)})`;
}

const count = (n: number) => n.toLocaleString('en-US');
const fmtMs = (x?: number) => (x === undefined ? 'n/a' : `${Math.round(x).toLocaleString('en-US')} ms`);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
