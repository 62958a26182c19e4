import type { CloudWatchSend } from '../traffic';
import { readEvidenceMany } from './evidence';
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

type JudgeTiming = { stableHistoryMs: number; periodSeconds: number; settleMs: number };

/**
 * The evidence of one step (CloudWatch's metrics of both versions, the plan's alarms) and the
 * judge's verdict on it: what a rollout's tick and a release's judge for each of its functions.
 */
export async function judgeStep(cloudwatch: CloudWatchSend, timing: JudgeTiming, q: StepToJudge, signal?: AbortSignal): Promise<{ judgement: Judgement; missingAlarms: string[] }> {
  return (await judgeSteps(cloudwatch, timing, [q], signal))[0];
}

/** Several steps judged at once (a release's functions): their evidence read together (readEvidenceMany), each judged on its own. */
export async function judgeSteps(cloudwatch: CloudWatchSend, timing: JudgeTiming, qs: readonly StepToJudge[], signal?: AbortSignal): Promise<Array<{ judgement: Judgement; missingAlarms: string[] }>> {
  const evidence = await readEvidenceMany(
    cloudwatch,
    qs.map((q) => ({
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
    })),
    signal,
  );
  return qs.map((q, i) => {
    const e = evidence[i];
    const judgement = judge(
      { canary: { version: q.canary, periods: e.canary }, stable: { version: q.stable, periods: e.stable }, periodSeconds: e.periodSeconds, completeUntil: e.completeUntil, bakeStart: q.bakeStart, bakeMs: q.bakeMs, now: q.now, alarms: e.alarms },
      judgeConfigOf(q.plan),
    );
    return { judgement, missingAlarms: e.missingAlarms };
  });
}
