/**
 * Routing maths: how an alias splits traffic, how that reads in the UI, and the rules a weight
 * must meet before anything is written. Pure functions, no SDK, no vscode.
 */

/** The part of an alias that decides where events go. */
export interface AliasRouting {
  Name?: string;
  FunctionVersion?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
}

export interface VersionShare {
  version: string;
  /** 0..1 */
  weight: number;
}

/** The configured split of an alias: the primary version first, then the canary if any. */
export interface TrafficSplit {
  primary: VersionShare;
  canary?: VersionShare;
}

export function splitOf(alias: AliasRouting): TrafficSplit {
  const primaryVersion = alias.FunctionVersion ?? '$LATEST';
  const entries = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (entries.length === 0) return { primary: { version: primaryVersion, weight: 1 } };
  const [version, weight] = entries[0];
  return { primary: { version: primaryVersion, weight: 1 - weight }, canary: { version, weight } };
}

/** An alias is running a canary when a second version receives a share of its traffic. */
export function isCanary(alias: AliasRouting): boolean {
  const s = splitOf(alias);
  return s.canary !== undefined;
}

/** 0.1 → "10%", 0.055 → "5.5%", 0.00004 → "0.004%": as short as possible, never rounded to 0 or 100. */
export function formatPercent(weight: number): string {
  const digits = percentDigits(weight);
  // Below 0.0001% (or above 99.9999%): no 4-decimal label is both short and honest.
  if (digits === undefined) return weight < 0.5 ? '<0.0001%' : '>99.9999%';
  return `${Number((weight * 100).toFixed(digits))}%`;
}

/**
 * How many decimals (0–4) a weight's percentage is shown with: the fewest that are exact, never
 * rounding a canary to 0 or a primary to 100; undefined below 0.0001% or above 99.9999%. The
 * editor's and the panel's locale formatting use it too, so all three agree on the digits.
 */
export function percentDigits(weight: number): number | undefined {
  const pct = weight * 100;
  for (const digits of [0, 1, 2, 3, 4]) {
    const back = Number(pct.toFixed(digits));
    if (Math.abs(back - pct) < 1e-9 || digits === 4) {
      if (back === 0 && pct > 0) continue;
      if (back === 100 && pct < 100) continue;
      return digits;
    }
  }
  return undefined;
}

/** `prod → 7 (90%) · 8 (10%)`, or `prod → 7` without a canary. */
export function aliasLabel(alias: AliasRouting): string {
  const s = splitOf(alias);
  const name = alias.Name ?? '?';
  if (!s.canary) return `${name} → ${s.primary.version}`;
  return `${name} → ${s.primary.version} (${formatPercent(s.primary.weight)}) · ${s.canary.version} (${formatPercent(s.canary.weight)})`;
}

/** Lambda stores weights as doubles; the UI works in percent with at most 4 decimals. */
export function percentToWeight(percent: number): number {
  return Math.round(percent * 1e4) / 1e6;
}

export function weightToPercent(weight: number): number {
  return Math.round(weight * 1e6) / 1e4;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses a canary weight typed by the user, in percent. A canary needs both versions to get
 * traffic, so 0 and 100 are refused (use Roll Back or Promote instead).
 */
export function parseCanaryPercent(input: unknown): Parsed<number> {
  if (typeof input === 'number') return checkCanaryPercent(input);
  if (typeof input !== 'string') return { ok: false, message: 'Enter the canary weight as a number of percent, e.g. 10.' };
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: 'Enter the canary weight in percent, between 0 and 100 (exclusive), e.g. 10.' };
  const m = /^([+-]?(?:\d+(?:\.\d+)?|\.\d+))\s*%?$/.exec(trimmed);
  if (!m) return { ok: false, message: `'${input}' is not a number: enter the canary weight in percent, e.g. 10 or 2.5.` };
  return checkCanaryPercent(Number(m[1]));
}

export function checkCanaryPercent(pct: number): Parsed<number> {
  if (!Number.isFinite(pct)) return { ok: false, message: 'The canary weight must be a finite number of percent.' };
  if (pct <= 0) return { ok: false, message: `A canary weight must be more than 0% (got ${pct}%). To stop a canary, use Roll Back.` };
  if (pct >= 100) {
    return { ok: false, message: `A canary weight must be less than 100% (got ${pct}%). To send all traffic to the new version, use Promote.` };
  }
  const weight = percentToWeight(pct);
  if (weight <= 0) return { ok: false, message: `${pct}% is below the smallest weight this tool sets (0.0001%).` };
  if (weight >= 1) return { ok: false, message: `${pct}% rounds to 100%: the largest canary weight this tool sets is 99.9999%. To send all traffic to the new version, use Promote.` };
  return { ok: true, value: pct };
}

export const QUICK_WEIGHTS = [1, 5, 10, 25, 50] as const;
