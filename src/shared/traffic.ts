/**
 * What the traffic panel shows, as plain data: built by the host (src/core/traffic.ts) from
 * CloudWatch and probe invocations, rendered by the webview (src/webview). No Node, DOM or
 * vscode types here: both sides compile this file.
 */

export interface VersionTraffic {
  version: string;
  invocations: number;
  errors: number;
  /** errors / invocations, 0 when there were no invocations. */
  errorRate: number;
  /** Share of the alias's invocations in the window, 0..1. */
  share: number;
  durationAvgMs?: number;
  durationP99Ms?: number;
  /** Per-period points, oldest first. */
  series: Array<{ t: number; invocations: number; errors: number }>;
}

export interface TrafficReport {
  functionName: string;
  aliasName: string;
  start: number;
  end: number;
  periodSeconds: number;
  versions: VersionTraffic[];
  totalInvocations: number;
  throttles: number;
  /** Time of the newest datapoint with invocations, if any. */
  newestPoint?: number;
}

export interface ProbeResult {
  sent: number;
  byVersion: Record<string, { invocations: number; errors: number }>;
  /** Invocations Lambda refused (throttled, …). */
  failed: number;
  /** Why the first refused invocation failed. */
  firstError?: string;
  durationMs: number;
}

/** The panel's time windows, in minutes. */
export const WINDOW_MINUTES = [5, 15, 60, 180] as const;
export type WindowMinutes = (typeof WINDOW_MINUTES)[number];

const HIGH_RES_PERIODS = [1, 5, 10, 30];

/**
 * A datapoint period giving at most ~90 points over the window. AWS keeps Lambda's metrics at
 * one-minute resolution (periods of 60 s multiples); the sandbox resolves down to 1 s.
 */
export function periodFor(windowMinutes: number, highResolution: boolean): number {
  const target = (windowMinutes * 60) / 90;
  if (highResolution) {
    for (const p of HIGH_RES_PERIODS) if (p >= target) return p;
  }
  return Math.max(60, Math.ceil(target / 60) * 60);
}

export type CanaryVerdict =
  | { kind: 'none' }
  | { kind: 'insufficient'; message: string }
  | { kind: 'ok'; message: string }
  | { kind: 'worse'; message: string };

/** Fewer canary invocations than this say nothing about its error rate. */
export const MIN_CANARY_SAMPLE = 20;

/** An observed rate or share, 0..1, as a percentage: `7.1%`, `0.004%` for the very small. */
export function formatRate(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
}

/**
 * The canary's error rate beside the stable version's: flagged when it is worse by more than
 * chance would explain (a two-proportion z-test, z > 1.96, plus one point of slack so
 * a 0.1 % vs 0 % difference on big samples is not an alarm).
 */
export function compareCanary(report: TrafficReport | undefined, stableVersion: string, canaryVersion: string | undefined): CanaryVerdict {
  if (!canaryVersion) return { kind: 'none' };
  const stable = report?.versions.find((v) => v.version === stableVersion);
  const canary = report?.versions.find((v) => v.version === canaryVersion);
  if (!canary || canary.invocations < MIN_CANARY_SAMPLE) {
    return { kind: 'insufficient', message: `Version ${canaryVersion} has ${canary?.invocations ?? 0} invocations in this window: too few to judge its error rate (${MIN_CANARY_SAMPLE} needed).` };
  }
  const stableRate = stable && stable.invocations > 0 ? stable.errorRate : 0;
  const n1 = canary.invocations;
  const n2 = stable?.invocations ?? 0;
  let significant = canary.errorRate > stableRate + 0.01;
  if (significant && n2 > 0) {
    const pooled = (canary.errors + (stable?.errors ?? 0)) / (n1 + n2);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    significant = se === 0 ? true : (canary.errorRate - stableRate) / se > 1.96;
  }
  const line = `Canary ${canaryVersion}: ${formatRate(canary.errorRate)} errors (${canary.errors}/${canary.invocations}); stable ${stableVersion}: ${formatRate(stableRate)} (${stable?.errors ?? 0}/${n2}).`;
  return significant ? { kind: 'worse', message: `${line} The canary fails more often.` } : { kind: 'ok', message: line };
}

/** "12 s", "3 min", "2 h 5 min". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
