import type { PresetName, RolloutPlan, RolloutStep } from '../rollout/plans';
import { codeDeployConfigName, formatPlan, PlanError, PRESET_NAMES, presetPlan } from '../rollout/plans';
import type { CodeDeployConfigChoice } from './types';

/**
 * Which CodeDeploy deployment config runs a plan: a preset is one of CodeDeploy's predefined
 * `CodeDeployDefault.Lambda…` configs; a custom plan of the same steps as a preset is that preset;
 * one of canary shape (`p%@Nm, 100%`) is a TimeBasedCanary, of linear shape (p, 2p, 3p… each for
 * the same minutes, then 100 %) a TimeBasedLinear; both custom configs, named after their shape.
 * Everything else is refused with the reason: CodeDeploy shifts whole percentages at whole
 * minutes, by itself, to the end. Pure.
 */

/** CodeDeploy's traffic percentages are whole numbers from 1 to 99 (the rest goes at the end). */
export const MIN_PERCENT = 1;
export const MAX_PERCENT = 99;
/**
 * CodeDeploy's quota on a Lambda deployment: at most 48 hours between the first and the last
 * traffic shift (the deployment may run 50 hours: one more for each of the two hooks).
 */
export const MAX_SHIFT_MINUTES = 48 * 60;
/** CodeDeploy's limit on the alarms of a deployment group's (or a deployment's) alarm configuration: AlarmsLimitExceededException past 10. */
export const MAX_GROUP_ALARMS = 10;
/** CodeDeploy's names (applications, groups, configs) have at most 100 characters. */
export const MAX_NAME_LENGTH = 100;
/** The prefix of the custom configs this extension creates. */
export const CUSTOM_PREFIX = 'LambdaCanary.';

const minutesWord = (n: number) => (n === 1 ? 'Minute' : 'Minutes');

/** `LambdaCanary.Canary25Percent7Minutes`. */
export function canaryConfigName(percent: number, minutes: number): string {
  return `${CUSTOM_PREFIX}Canary${percent}Percent${minutes}${minutesWord(minutes)}`;
}

/** `LambdaCanary.Linear20PercentEvery3Minutes`. */
export function linearConfigName(percent: number, minutes: number): string {
  return `${CUSTOM_PREFIX}Linear${percent}PercentEvery${minutes}${minutesWord(minutes)}`;
}

function refuse(plan: RolloutPlan, why: string): never {
  throw new PlanError(`CodeDeploy cannot run the plan ${formatPlan(plan)}: ${why}`);
}

/** The bakes before the promotion, with the checks every shape shares. */
function bodyOf(plan: RolloutPlan): RolloutStep[] {
  if (!plan.promote || plan.steps[plan.steps.length - 1]?.weight !== 100) {
    refuse(plan, 'a CodeDeploy deployment always ends with all the traffic on the new version, and this plan does not promote. Add a 100 % step, or run it with the local engine.');
  }
  const manual = plan.steps.findIndex((s) => s.gate === 'manual');
  if (manual >= 0) refuse(plan, `step ${manual + 1} waits for approval, and CodeDeploy shifts traffic by itself, with no manual gate. Make every step automatic, or run it with the local engine.`);
  const body = plan.steps.slice(0, -1);
  body.forEach((s, i) => {
    if (!Number.isInteger(s.weight) || s.weight < MIN_PERCENT || s.weight > MAX_PERCENT) {
      refuse(plan, `step ${i + 1}'s ${s.weight} % is not a whole percentage from ${MIN_PERCENT} to ${MAX_PERCENT}, the traffic CodeDeploy can shift.`);
    }
    if (s.bakeSeconds === 0 || s.bakeSeconds % 60 !== 0) {
      refuse(plan, `step ${i + 1}'s bake of ${s.bakeSeconds} s is not a whole number of minutes (1 or more): CodeDeploy's intervals are whole minutes.`);
    }
  });
  return body;
}

/** The preset whose steps these are exactly, if any. */
function samePreset(plan: RolloutPlan): PresetName | undefined {
  const key = (steps: RolloutStep[]) => steps.map((s) => `${s.weight}@${s.bakeSeconds}/${s.gate}`).join(',');
  const mine = key(plan.steps);
  return PRESET_NAMES.find((n) => key(presetPlan(n)!.steps) === mine);
}

/** Throws a PlanError with the reason when CodeDeploy cannot run the plan. */
export function codeDeployConfigFor(plan: RolloutPlan): CodeDeployConfigChoice {
  if ((plan.alarms?.length ?? 0) > MAX_GROUP_ALARMS) {
    refuse(plan, `it names ${plan.alarms!.length} alarms, and a CodeDeploy deployment group watches at most ${MAX_GROUP_ALARMS}. Name fewer (a composite alarm can stand for several).`);
  }
  const preset = plan.name && PRESET_NAMES.includes(plan.name as PresetName) ? (plan.name as PresetName) : samePreset(plan);
  if (preset) return { name: codeDeployConfigName(preset), predefined: true };
  const body = bodyOf(plan);
  if (body.length === 0) return { name: codeDeployConfigName('AllAtOnce'), predefined: true };
  const minutes = body[0].bakeSeconds / 60;
  if (body.length === 1) {
    const percent = body[0].weight;
    if (minutes > MAX_SHIFT_MINUTES) refuse(plan, `its bake of ${minutes} minutes is longer than the ${MAX_SHIFT_MINUTES} minutes (48 hours) CodeDeploy allows between the first and the last traffic shift.`);
    return { name: canaryConfigName(percent, minutes), predefined: false, trafficRouting: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: percent, canaryInterval: minutes } } };
  }
  const percent = body[0].weight;
  const linear = body.every((s, i) => s.weight === percent * (i + 1) && s.bakeSeconds === body[0].bakeSeconds) && percent * (body.length + 1) >= 100;
  if (!linear) {
    refuse(
      plan,
      'CodeDeploy runs two shapes of shift: a canary (one step, e.g. 10%@5m, 100%) or a linear one (the same increment at the same interval until 100 %, e.g. 20%@3m, 40%@3m, 60%@3m, 80%@3m, 100%). Reshape the plan into one of them, or run it with the local engine.',
    );
  }
  const total = body.length * minutes;
  if (total > MAX_SHIFT_MINUTES) refuse(plan, `its ${body.length} steps of ${minutes} minutes last ${total} minutes, longer than the ${MAX_SHIFT_MINUTES} minutes (48 hours) CodeDeploy allows between the first and the last traffic shift.`);
  return { name: linearConfigName(percent, minutes), predefined: false, trafficRouting: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: percent, linearInterval: minutes } } };
}

/** Whether an existing config's trafficRoutingConfig (as GetDeploymentConfig returns it) is the shape a choice asks for. */
export function sameTrafficRouting(
  choice: CodeDeployConfigChoice,
  existing: { type?: string; timeBasedCanary?: { canaryPercentage?: number; canaryInterval?: number }; timeBasedLinear?: { linearPercentage?: number; linearInterval?: number } } | undefined,
): boolean {
  const want = choice.trafficRouting;
  if (!want || !existing || existing.type !== want.type) return false;
  if (want.type === 'TimeBasedCanary') return existing.timeBasedCanary?.canaryPercentage === want.timeBasedCanary.canaryPercentage && existing.timeBasedCanary?.canaryInterval === want.timeBasedCanary.canaryInterval;
  if (want.type === 'TimeBasedLinear') return existing.timeBasedLinear?.linearPercentage === want.timeBasedLinear.linearPercentage && existing.timeBasedLinear?.linearInterval === want.timeBasedLinear.linearInterval;
  return true;
}

/** A trafficRoutingConfig in words: `TimeBasedCanary 10 % for 5 min`. */
export function trafficRoutingText(t: { type?: string; timeBasedCanary?: { canaryPercentage?: number; canaryInterval?: number }; timeBasedLinear?: { linearPercentage?: number; linearInterval?: number } } | undefined): string {
  if (!t?.type) return 'no traffic routing';
  if (t.type === 'TimeBasedCanary') return `TimeBasedCanary ${t.timeBasedCanary?.canaryPercentage ?? '?'} % for ${t.timeBasedCanary?.canaryInterval ?? '?'} min`;
  if (t.type === 'TimeBasedLinear') return `TimeBasedLinear ${t.timeBasedLinear?.linearPercentage ?? '?'} % every ${t.timeBasedLinear?.linearInterval ?? '?'} min`;
  return t.type;
}

/**
 * The plan's steps as CodeDeploy runs a config: for the view's timeline. Predefined names are
 * read back into their preset's steps; a custom config from its traffic routing.
 */
export function stepsOfConfig(
  name: string,
  routing?: { type?: string; timeBasedCanary?: { canaryPercentage?: number; canaryInterval?: number }; timeBasedLinear?: { linearPercentage?: number; linearInterval?: number } },
): RolloutStep[] | undefined {
  const predefined = /^CodeDeployDefault\.Lambda(.+)$/.exec(name);
  if (predefined) return presetPlan(predefined[1])?.steps;
  const s = (weight: number, bakeSeconds: number): RolloutStep => ({ weight, bakeSeconds, gate: 'auto' });
  if (routing?.type === 'AllAtOnce') return [s(100, 0)];
  if (routing?.type === 'TimeBasedCanary' && routing.timeBasedCanary?.canaryPercentage && routing.timeBasedCanary.canaryInterval) {
    return [s(routing.timeBasedCanary.canaryPercentage, routing.timeBasedCanary.canaryInterval * 60), s(100, 0)];
  }
  if (routing?.type === 'TimeBasedLinear' && routing.timeBasedLinear?.linearPercentage && routing.timeBasedLinear.linearInterval) {
    const p = routing.timeBasedLinear.linearPercentage;
    const steps: RolloutStep[] = [];
    for (let w = p; w < 100; w += p) steps.push(s(w, routing.timeBasedLinear.linearInterval * 60));
    return [...steps, s(100, 0)];
  }
  // Our own names say their shape when the config could not be read.
  const canary = /^LambdaCanary\.Canary(\d+)Percent(\d+)Minutes?$/.exec(name);
  if (canary) return stepsOfConfig('', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: Number(canary[1]), canaryInterval: Number(canary[2]) } });
  const linear = /^LambdaCanary\.Linear(\d+)PercentEvery(\d+)Minutes?$/.exec(name);
  if (linear) return stepsOfConfig('', { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: Number(linear[1]), linearInterval: Number(linear[2]) } });
  return undefined;
}
