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

/** The canary against the stable version, as core judged it (src/core/verdict.ts). */
export type CanaryVerdict =
  | { kind: 'none' }
  | { kind: 'insufficient'; message: string }
  | { kind: 'ok'; message: string }
  | { kind: 'worse'; message: string };

/** A verdict with the versions it is about, as the panel receives it with each report. */
export type ReportVerdict = CanaryVerdict & { stableVersion: string; canaryVersion?: string };

/** An observed rate or share, 0..1, as a percentage: `7.1%`, `0.004%` for the very small. */
export function formatRate(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
}

/** "12 s", "3 min", "2 h 5 min". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
