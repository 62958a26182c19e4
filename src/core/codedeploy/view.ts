import type { DeploymentInfo, LambdaTarget } from '@aws-sdk/client-codedeploy';
import type { CodeDeployLifecycleView, RolloutStatus, RolloutStepView } from '../../shared/rollout';
import { redact } from '../redact';
import type { RolloutStep } from '../rollout/plans';
import { formatPlan } from '../rollout/plans';
import type { AppSpecFacts } from './appspec';
import { stepsOfConfig } from './config';
import type { CodeDeployDetail, CodeDeployRolloutView } from './types';

/**
 * A CodeDeploy deployment as the front ends show a rollout: GetDeployment's status, errorInformation
 * and rollbackInfo, and its Lambda target's weight and lifecycle events, mapped to a RolloutView
 * with engine 'codedeploy'. Pure: the reads are in read.ts.
 */

/** CodeDeploy's statuses of a deployment that has not ended. */
export const IN_FLIGHT_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;
export const END_STATUSES = ['Succeeded', 'Failed', 'Stopped'] as const;

export function isInFlight(status: string | undefined): boolean {
  return (IN_FLIGHT_STATUSES as readonly string[]).includes(status ?? '');
}

/** errorInformation's codes a Lambda deployment meets, in words (the code is kept in front). */
const ERROR_WORDS: Record<string, string> = {
  ALARM_ACTIVE: 'an alarm of the deployment group went into ALARM',
  MANUAL_STOP: 'it was stopped by request',
  HOOK_EXECUTION_FAILURE: 'a lifecycle hook reported Failed',
  TIMEOUT: 'a lifecycle hook did not report its status in time (one hour)',
  IAM_ROLE_MISSING: "the deployment group's service role does not exist",
  IAM_ROLE_PERMISSIONS: "the deployment group's service role lacks permissions (attach AWSCodeDeployRoleForLambda)",
  INVALID_LAMBDA_CONFIGURATION: "the AppSpec's alias or versions do not match the function",
  INVALID_LAMBDA_FUNCTION: 'the function or one of its versions was not found',
  INVALID_REVISION: 'the AppSpec is not valid',
  REVISION_MISSING: 'the AppSpec could not be found',
  APPLICATION_MISSING: 'the application was deleted',
  DEPLOYMENT_GROUP_MISSING: 'the deployment group was deleted',
  THROTTLED: 'AWS throttled its requests',
  INTERNAL_ERROR: 'CodeDeploy had an internal error',
  RESOURCE_LIMIT_EXCEEDED: 'a CodeDeploy limit was reached',
  CLOUDFORMATION_STACK_FAILURE: 'its CloudFormation stack update failed',
};

/** `ALARM_ACTIVE (an alarm of the deployment group went into ALARM): <AWS's message>` — text from AWS, redacted. */
export function errorInWords(e: DeploymentInfo['errorInformation']): string | undefined {
  if (!e || (!e.code && !e.message)) return undefined;
  const words = e.code ? ERROR_WORDS[e.code] : undefined;
  const head = e.code ? `${e.code}${words ? ` (${words})` : ''}` : '';
  const message = e.message ? redact(e.message).replace(/\s+/g, ' ').trim().slice(0, 500) : '';
  return [head, message].filter(Boolean).join(': ');
}

/** Local status of a CodeDeploy status: in flight → running; Succeeded → promoted; Stopped / Failed → rolled back or aborted. */
export function statusOf(status: string | undefined, rolledBack: boolean): RolloutStatus {
  if (status === 'Succeeded') return 'promoted';
  if (status === 'Failed' || status === 'Stopped') return rolledBack ? 'rolled-back' : 'aborted';
  return 'running';
}

/** targetVersionWeight (a percent, 0–100) of a Lambda target; CodeDeploy may write it with decimals. */
export function weightOf(target: LambdaTarget | undefined): number | undefined {
  const w = target?.lambdaFunctionInfo?.targetVersionWeight;
  return typeof w === 'number' && Number.isFinite(w) ? Math.max(0, Math.min(100, w)) : undefined;
}

/** The step in force at a weight: the last step whose weight it has reached (0 before the first shift). */
export function currentStep(steps: ReadonlyArray<{ weight: number }>, weight: number | undefined, status: RolloutStatus): number {
  if (status === 'promoted') return Math.max(0, steps.length - 1);
  if (weight === undefined) return 0;
  let current = 0;
  steps.forEach((s, i) => {
    if (weight + 1e-6 >= s.weight) current = i;
  });
  return current;
}

const ms = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).getTime() || undefined);

export function lifecycleOf(target: LambdaTarget | undefined, hooks: AppSpecFacts['hooks'] = {}): CodeDeployLifecycleView[] {
  return (target?.lifecycleEvents ?? []).map((e) => {
    const name = e.lifecycleEventName ?? '?';
    const hook = name === 'BeforeAllowTraffic' ? hooks.beforeAllowTraffic : name === 'AfterAllowTraffic' ? hooks.afterAllowTraffic : undefined;
    const message = e.diagnostics?.message ? redact(e.diagnostics.message).slice(0, 500) : undefined;
    return {
      name,
      status: e.status ?? 'Unknown',
      ...(hook ? { hookFunction: hook } : {}),
      ...(ms(e.startTime) ? { startedAt: ms(e.startTime) } : {}),
      ...(ms(e.endTime) ? { endedAt: ms(e.endTime) } : {}),
      ...(message ? { message } : {}),
    };
  });
}

export interface ViewInput {
  deployment: DeploymentInfo;
  target?: LambdaTarget;
  /** What the journal recorded at its start (versions, plan text, alarms) when this process or another started it here. */
  known?: CodeDeployDetail;
  /** The AppSpec's facts, for a deployment this journal did not start (SAM's). */
  appSpec?: AppSpecFacts;
  /** The config's steps, when read (a custom config's traffic routing). */
  steps?: RolloutStep[];
  /** Set when the last read failed: the view is the last one, and says so. */
  readProblem?: string;
  /**
   * The rollback deployment (rollbackInfo.rollbackDeploymentId) as read: on AWS a rollback is a new
   * deployment, so the alias is back only once it Succeeded. Absent: not read (rollbackInfo alone).
   */
  rollback?: { deploymentId: string; status?: string; error?: string };
  now: number;
}

export function viewOfDeployment(input: ViewInput): CodeDeployRolloutView {
  const { deployment: d, target, known, appSpec } = input;
  const id = d.deploymentId ?? known?.deploymentId ?? '?';
  const config = d.deploymentConfigName ?? known?.config ?? '?';
  const info = target?.lambdaFunctionInfo;
  const functionName = known?.functionName ?? info?.functionName ?? appSpec?.functionName ?? '?';
  const aliasName = known?.aliasName ?? info?.functionAlias ?? appSpec?.aliasName ?? '?';
  const version = known?.version ?? info?.targetVersion ?? appSpec?.targetVersion ?? '?';
  const stable = known?.stable ?? info?.currentVersion ?? appSpec?.currentVersion ?? '?';
  const planSteps = input.steps ?? stepsOfConfig(config) ?? [{ weight: 100, bakeSeconds: 0, gate: 'auto' as const }];
  const weight = weightOf(target);
  const rollbackId = d.rollbackInfo?.rollbackDeploymentId;
  const ended = !isInFlight(d.status);
  const rb = input.rollback;
  const rollingBack = !!rb && ended && isInFlight(rb.status ?? 'InProgress');
  const rollbackFailed = !!rb && ended && !rollingBack && rb.status !== 'Succeeded';
  const rolledBack = rb ? rb.status === 'Succeeded' : !!rollbackId || (ended && d.status !== 'Succeeded' && known?.rollback === true && (weight ?? 0) === 0);
  // While its rollback deployment runs, the rollout still runs: the alias is not back yet.
  const status = rollingBack ? 'running' : statusOf(d.status, rolledBack);
  const current = currentStep(planSteps, weight, status);
  const startedAt = ms(d.startTime) ?? ms(d.createTime) ?? input.now;
  const endedAt = ended ? (ms(d.completeTime) ?? input.now) : undefined;
  const error = errorInWords(d.errorInformation);
  const rollbackMessage = d.rollbackInfo?.rollbackMessage ? redact(d.rollbackInfo.rollbackMessage).slice(0, 500) : undefined;
  const steps: RolloutStepView[] = planSteps.map((s) => ({ weight: s.weight, bakeSeconds: s.bakeSeconds, gate: s.gate }));
  const hooks = { ...(appSpec?.hooks ?? {}) };
  const lifecycle = lifecycleOf(target, hooks);
  const view: CodeDeployRolloutView = {
    id,
    functionName,
    aliasName,
    version,
    stable,
    planText: known?.planText ?? formatPlan({ steps: planSteps, promote: true }),
    ...(known?.planName ? { planName: known.planName } : {}),
    alarms: [...(known?.alarms ?? [])],
    steps,
    current,
    status,
    statusText: statusTextOf({
      id,
      status: d.status ?? 'Unknown',
      aliasName,
      version,
      stable,
      weight,
      error,
      rollbackMessage,
      lifecycle,
      readProblem: input.readProblem,
      ...(rb ? { rollback: { ...rb, phase: rollingBack ? 'running' : rollbackFailed ? 'failed' : 'done' } } : {}),
    }),
    startedAt,
    ...(endedAt !== undefined ? { endedAt } : {}),
    engine: 'codedeploy',
    codeDeploy: {
      deploymentId: id,
      application: d.applicationName ?? known?.application ?? '?',
      deploymentGroup: d.deploymentGroupName ?? known?.deploymentGroup ?? '?',
      config,
      deploymentStatus: d.status ?? 'Unknown',
      ...(weight !== undefined ? { targetVersionWeight: weight } : {}),
      lifecycle,
      ...(error ? { error } : {}),
      ...(rollbackId || rollbackMessage ? { rollback: { ...(rollbackId ? { deploymentId: rollbackId } : {}), ...(rollbackMessage ? { message: rollbackMessage } : {}) } } : {}),
      readAt: input.now,
    },
  };
  return view;
}

const pct = (w: number) => `${Number(w.toFixed(2))} %`;

function statusTextOf(v: {
  id: string;
  status: string;
  aliasName: string;
  version: string;
  stable: string;
  weight?: number;
  error?: string;
  rollbackMessage?: string;
  lifecycle: CodeDeployLifecycleView[];
  readProblem?: string;
  rollback?: { deploymentId: string; status?: string; error?: string; phase: 'running' | 'failed' | 'done' };
}): string {
  const stale = v.readProblem ? ` (as last read: ${v.readProblem})` : '';
  const at = (v.weight ?? 0) > 0 ? `${pct(v.weight!)} of ${v.aliasName} on version ${v.version}` : `${v.aliasName} still all on version ${v.stable}`;
  const running = v.lifecycle.find((e) => e.status === 'InProgress');
  const hook = running ? `, ${running.name} in progress${running.hookFunction ? ` (hook ${running.hookFunction})` : ''}` : '';
  switch (v.status) {
    case 'Succeeded':
      return `CodeDeploy deployment ${v.id} succeeded: ${v.aliasName} serves version ${v.version}${stale}.`;
    case 'Failed':
    case 'Stopped': {
      const why = v.error ? ` (${v.error.replace(/[.]$/, '')})` : '';
      const rb = v.rollback;
      const back =
        rb?.phase === 'running'
          ? `; rolling back: rollback deployment ${rb.deploymentId} is ${rb.status ?? 'starting'}, ${v.aliasName} goes back to version ${v.stable}`
          : rb?.phase === 'failed'
            ? `; its rollback deployment ${rb.deploymentId} ${rb.status === 'Stopped' ? 'was stopped' : 'failed'}${rb.error || v.rollbackMessage ? ` (${(rb.error ?? v.rollbackMessage!).replace(/[.]$/, '')})` : ''}: ${at}`
            : v.rollbackMessage || (v.weight ?? 0) === 0
              ? `; ${v.aliasName} is back on version ${v.stable}`
              : `; ${at}, not rolled back`;
      return `CodeDeploy deployment ${v.id} ${v.status === 'Failed' ? 'failed' : 'was stopped'}${why}${back}${stale}.`;
    }
    default:
      return `CodeDeploy deployment ${v.id} is ${v.status}: ${at}${hook}${stale}.`;
  }
}
