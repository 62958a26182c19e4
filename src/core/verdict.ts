import type { CanaryVerdict, TrafficReport } from '../shared/traffic';
import { formatRate } from '../shared/traffic';

/**
 * The canary's error rate against the stable version's, judged here in core (the panel's page
 * only shows the result). Pure.
 */

/** Fewer canary invocations than this say nothing about its error rate. */
export const MIN_CANARY_SAMPLE = 20;

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

