import type { RolloutView } from '../../src/shared/rollout';

/** A rollout at its second step, as the runner builds it. */
export function sampleRollout(over: Partial<RolloutView> = {}): RolloutView {
  return {
    id: '3f9a2c1e',
    functionName: 'checkout-api',
    aliasName: 'prod',
    version: '8',
    stable: '7',
    planText: '10%@5m, 50%@10m manual, 100%',
    alarms: ['checkout-5xx'],
    steps: [
      { weight: 10, bakeSeconds: 300, gate: 'auto', startedAt: 1_000, endedAt: 301_000, verdict: 'Pass', sentence: 'canary 0.4 % errors (1/250) vs stable 0.5 % (11/2,230): no worse.' },
      { weight: 50, bakeSeconds: 600, gate: 'manual', startedAt: 301_000 },
      { weight: 100, bakeSeconds: 0, gate: 'auto' },
    ],
    current: 1,
    status: 'running',
    statusText: '',
    startedAt: 1_000,
    bakeStart: 301_000,
    bakeMs: 600_000,
    evidence: {
      verdict: 'Pending',
      sentence: 'canary 0 % errors (0/40) vs stable 0.5 % (2/400): too few samples yet.',
      canary: { version: '8', invocations: 40, errors: 0, errorRate: 0, p99Ms: 120, meanMs: 40, throttles: 0 },
      stable: { version: '7', invocations: 400, errors: 2, errorRate: 0.005, p99Ms: 118, meanMs: 41 },
      sprt: { llr: -0.4, lower: -2.9, upper: 2.9, p0: 0.005, p1: 0.015 },
      alarmsInAlarm: [],
      dataAgeMs: 2000,
      at: 320_000,
    },
    driver: { holder: 'alice@host', since: 1_000, until: 400_000, self: true },
    ...over,
  };
}
