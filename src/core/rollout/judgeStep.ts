import type { CloudWatchSend } from '../traffic';
import { readEvidence } from './evidence';
import type { Judgement } from './judge';
import { judge } from './judge';
import type { RolloutPlan } from './plans';
import { judgeConfigOf } from './plans';

/** One canary step to judge: the canary version beside the stable one on an alias, since its bake began. */
export interface StepToJudge {
  functionName: string;
  aliasName: string;
  canary: string;
  stable: string;
  bakeStart: number;
  bakeMs: number;
  now: number;
  plan: Pick<RolloutPlan, 'alarms' | 'judge'>;
}

/**
 * The evidence of one step (CloudWatch's metrics of both versions, the plan's alarms) and the
 * judge's verdict on it: what a rollout's tick and a release's judge for each of its functions.
 */
export async function judgeStep(cloudwatch: CloudWatchSend, timing: { stableHistoryMs: number; periodSeconds: number; settleMs: number }, q: StepToJudge, signal?: AbortSignal): Promise<{ judgement: Judgement; missingAlarms: string[] }> {
  const evidence = await readEvidence(
    cloudwatch,
    {
      functionName: q.functionName,
      aliasName: q.aliasName,
      canary: q.canary,
      stable: q.stable,
      bakeStart: q.bakeStart,
      stableHistoryMs: timing.stableHistoryMs,
      now: q.now,
      periodSeconds: timing.periodSeconds,
      settleMs: timing.settleMs,
      ...(q.plan.alarms?.length ? { alarms: q.plan.alarms } : {}),
    },
    signal,
  );
  const judgement = judge(
    { canary: { version: q.canary, periods: evidence.canary }, stable: { version: q.stable, periods: evidence.stable }, periodSeconds: evidence.periodSeconds, completeUntil: evidence.completeUntil, bakeStart: q.bakeStart, bakeMs: q.bakeMs, now: q.now, alarms: evidence.alarms },
    judgeConfigOf(q.plan),
  );
  return { judgement, missingAlarms: evidence.missingAlarms };
}
