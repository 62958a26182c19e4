/**
 * The rollout judge, simulated in-process with a seeded PRNG: how many canary samples it takes to
 * fail a bad canary beside Wald's expected sample number, how often it fails a healthy one, how
 * often it passes a bad one, and the wall time to a rollback at 20 req/s × 10 % with 1-min metrics.
 */
import type { JudgeConfig, Judgement, PeriodSample } from '../src/core/rollout/judge';
import { DEFAULT_JUDGE_CONFIG, hypotheses, judge, sprtBounds } from '../src/core/rollout/judge';
import type { Random } from '../src/sandbox/random';
import { seededRandom } from '../src/sandbox/random';
import { round } from './util';

export interface JudgeCase {
  name: string;
  stableRate: number;
  canaryRate: number;
  rollouts: number;
  fail: number;
  pass: number;
  marginal: number;
  other: number;
  /** Mean canary samples at the crossing, over the rollouts that ended Fail / Pass. */
  meanSamplesToFail?: number;
  meanSamplesToPass?: number;
}

export interface JudgeBenchResult {
  alpha: number;
  beta: number;
  p0: number;
  p1: number;
  /** Per invocation (one canary sample a period, nine stable, after STABLE_HISTORY stable ones). */
  bad: JudgeCase;
  healthy: JudgeCase;
  /** The same healthy canary judged with the stable's bake-time data only (no history). */
  healthyNoHistory: JudgeCase;
  smallest: JudgeCase;
  /** Wald's ASN of this very test (p0, p1, α, β) when the canary's true rate is 5 %. */
  waldAsn: number;
  ratioToWald?: number;
  /** Wald's ASN of a test designed for 1 % vs 5 % (a test that would miss a 2 % canary). */
  waldAsnDesignedAt5: number;
  /** 20 req/s, 10 % canary, one-minute periods arriving one minute late, a five-minute bake. */
  realistic: { bad: JudgeCase; healthy: JudgeCase; meanSecondsToRollback?: number; metricLagSeconds: number };
}

function binomial(r: Random, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
}

function periods(r: Random, count: number, perPeriod: number, rate: number, periodMs: number): PeriodSample[] {
  return Array.from({ length: count }, (_, i) => ({ start: i * periodMs, invocations: perPeriod, errors: binomial(r, perPeriod, rate), throttles: 0 }));
}

function tally(name: string, stableRate: number, canaryRate: number, js: Judgement[]): JudgeCase {
  const of = (v: string) => js.filter((j) => j.verdict === v);
  const mean = (xs: Judgement[]) => (xs.length ? round(xs.reduce((s, j) => s + (j.sprt.crossedAt ?? 0), 0) / xs.length) : undefined);
  const fail = of('Fail');
  const pass = of('Pass');
  const marginal = of('Marginal');
  return { name, stableRate, canaryRate, rollouts: js.length, fail: fail.length, pass: pass.length, marginal: marginal.length, other: js.length - fail.length - pass.length - marginal.length, meanSamplesToFail: mean(fail), meanSamplesToPass: mean(pass) };
}

/** What the stable version served before the bake: ten minutes at 20 req/s. */
export const STABLE_HISTORY = 12_000;

/** The stable's invocations before the bake, as one period (the judge only sums them). */
function history(r: Random, n: number, rate: number): PeriodSample[] {
  return n ? [{ start: -600_000, invocations: n, errors: binomial(r, n, rate), throttles: 0 }] : [];
}

/**
 * One canary sample and nine stable ones a period, judged once over the whole bake (the walk
 * finds the first crossing, as a runner judging every period would).
 */
function perInvocation(name: string, seed: number, rollouts: number, stableRate: number, canaryRate: number, bakeSamples: number, historySamples: number, config: JudgeConfig): JudgeCase {
  const r = seededRandom(seed);
  const js: Judgement[] = [];
  for (let i = 0; i < rollouts; i++) {
    const canary = periods(r, bakeSamples, 1, canaryRate, 1000);
    const stable = [...history(r, historySamples, stableRate), ...periods(r, bakeSamples, 9, stableRate, 1000)];
    const end = bakeSamples * 1000;
    js.push(judge({ canary: { version: '2', periods: canary }, stable: { version: '1', periods: stable }, periodSeconds: 1, completeUntil: end, bakeStart: 0, bakeMs: end, now: end }, config));
  }
  return tally(name, stableRate, canaryRate, js);
}

/** The runner's view: one evaluation a minute, each seeing the periods that are complete and have arrived. */
function realistic(name: string, seed: number, rollouts: number, stableRate: number, canaryRate: number, lagMs: number, config: JudgeConfig): { result: JudgeCase; secondsToFail: number[] } {
  const r = seededRandom(seed);
  const periodMs = 60_000;
  const bakeMs = 5 * periodMs;
  const js: Judgement[] = [];
  const secondsToFail: number[] = [];
  for (let i = 0; i < rollouts; i++) {
    const canary = periods(r, 5, 120, canaryRate, periodMs);
    const stable = [...history(r, STABLE_HISTORY, stableRate), ...periods(r, 5, 1080, stableRate, periodMs)];
    let last: Judgement | undefined;
    for (let k = 1; k <= 5; k++) {
      const completeUntil = k * periodMs;
      const now = completeUntil + lagMs;
      last = judge({ canary: { version: '2', periods: canary.slice(0, k) }, stable: { version: '1', periods: stable.slice(0, k) }, periodSeconds: 60, completeUntil, bakeStart: 0, bakeMs, now }, config);
      if (last.verdict === 'Fail') {
        secondsToFail.push(now / 1000);
        break;
      }
    }
    js.push(last!);
  }
  return { result: tally(name, stableRate, canaryRate, js), secondsToFail };
}

/** Wald's approximation of the expected sample number of the SPRT p0 vs p1 when the true rate is p. */
export function waldAsn(p: number, p0: number, p1: number, alpha: number, beta: number): number {
  const { upper, lower } = sprtBounds(alpha, beta);
  const up = Math.log(p1 / p0);
  const down = Math.log((1 - p1) / (1 - p0));
  const drift = p * up + (1 - p) * down;
  // The operating characteristic L(p) = (e^{h·upper} − 1) / (e^{h·upper} − e^{h·lower}), h ≠ 0 solving
  // p·(p1/p0)^h + (1−p)·((1−p1)/(1−p0))^h = 1 (h < 0 when the drift is positive).
  const f = (h: number) => p * Math.exp(h * up) + (1 - p) * Math.exp(h * down) - 1;
  let lo = drift > 0 ? -50 : 1e-9;
  let hi = drift > 0 ? -1e-9 : 50;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0 === f(lo) > 0) lo = mid;
    else hi = mid;
  }
  const h = (lo + hi) / 2;
  const a = Math.exp(h * upper);
  const b = Math.exp(h * lower);
  const accept = (a - 1) / (a - b);
  return (accept * lower + (1 - accept) * upper) / drift;
}

export function benchJudge(rollouts: number, config: JudgeConfig = DEFAULT_JUDGE_CONFIG): JudgeBenchResult {
  const { p0, p1 } = hypotheses(1, 100, { ...config, priorInvocations: 0 });
  const bad = perInvocation('stable 1 % vs canary 5 %', 1, rollouts, 0.01, 0.05, 2000, STABLE_HISTORY, config);
  const healthy = perInvocation('stable 1 % vs canary 1 %', 2, rollouts, 0.01, 0.01, 2000, STABLE_HISTORY, config);
  const healthyNoHistory = perInvocation('stable 1 % vs canary 1 %, no stable history', 6, rollouts, 0.01, 0.01, 2000, 0, config);
  const smallest = perInvocation('stable 1 % vs canary 2 %', 3, rollouts, 0.01, 0.02, 2000, STABLE_HISTORY, config);
  const asn = waldAsn(0.05, p0, p1, config.alpha, config.beta);
  const lagMs = 60_000;
  const rb = realistic('20 req/s × 10 %, stable 1 % vs canary 5 %', 4, rollouts, 0.01, 0.05, lagMs, config);
  const rh = realistic('20 req/s × 10 %, stable 1 % vs canary 1 %', 5, rollouts, 0.01, 0.01, lagMs, config);
  const t = rb.secondsToFail;
  return {
    alpha: config.alpha,
    beta: config.beta,
    p0,
    p1,
    bad,
    healthy,
    healthyNoHistory,
    smallest,
    waldAsn: round(asn),
    ratioToWald: bad.meanSamplesToFail === undefined ? undefined : bad.meanSamplesToFail / asn,
    waldAsnDesignedAt5: round(waldAsn(0.05, 0.01, 0.05, config.alpha, config.beta)),
    realistic: { bad: rb.result, healthy: rh.result, meanSecondsToRollback: t.length ? round(t.reduce((s, x) => s + x, 0) / t.length) : undefined, metricLagSeconds: lagMs / 1000 },
  };
}
