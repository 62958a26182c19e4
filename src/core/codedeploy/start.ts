import type { AlarmConfiguration, ApplicationInfo, AutoRollbackConfiguration, DeploymentConfigInfo } from '@aws-sdk/client-codedeploy';
import {
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentConfigCommand,
  CreateDeploymentGroupCommand,
  GetApplicationCommand,
  GetDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import { OperationError, unknownOutcome } from '../errors';
import { guardedWrite, step } from '../guardedWrite';
import { errorName, getVersion } from '../lambdaApi';
import type { OperationContext } from '../operations';
import * as ops from '../operations';
import type { Outcome } from '../outcome';
import { formatPercent, splitOf } from '../routing';
import { holderText } from '../rollout/lease';
import type { RolloutPlan } from '../rollout/plans';
import { describePlan, formatPlan, PlanError, validatePlan } from '../rollout/plans';
import { rolloutDriving } from '../rollout/records';
import { runUseCase } from '../usecases/context';
import { appSpecOf, sameFunction } from './appspec';
import { codeDeployConfigFor, MAX_NAME_LENGTH, sameTrafficRouting, trafficRoutingText } from './config';
import { deploymentAlias, deploymentConfig, getDeployment } from './read';
import { deploymentIdsOf, runningDeploymentOn } from './find';
import { sentOnce } from './once';
import type { CodeDeployConfigChoice, CodeDeployContext, CodeDeployDetail, StartCodeDeployInput } from './types';

/**
 * Hands a rollout to CodeDeploy: every check first, with nothing created on a refusal; then the
 * application, the deployment group and the custom config reused or created (each write read
 * back when its answer is lost; an existing group is never changed), and CreateDeployment with the
 * AppSpec, the plan's alarms and the rollback events. CodeDeploy then shifts the
 * alias by itself, with the editor closed; the watcher (watcher.ts) follows it.
 */

export const DEFAULT_APPLICATION = 'lambda-canary';
export const SERVICE_ROLE_POLICY = 'AWSCodeDeployRoleForLambda';
const ROLLBACK_EVENTS = ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'] as const;

const bare = (functionName: string) => /function:([^:]+)/.exec(functionName)?.[1] ?? functionName;

/** `checkout-prod`: the group a rollout of this alias uses unless settings name one. */
export function defaultDeploymentGroup(functionName: string, aliasName: string): string {
  return `${bare(functionName)}-${aliasName}`.slice(0, MAX_NAME_LENGTH);
}

const NOTHING = 'Nothing was changed.';

function refuse(message: string, kind: 'validation' | 'conflict' = 'validation'): OperationError {
  return new OperationError(message, { state: NOTHING, kind });
}

/** CodeDeploy's names: 1–100 letters, digits and . _ + = , @ - */
function checkName(what: string, name: string, flag: string): void {
  if (!/^[A-Za-z0-9._+=,@-]{1,100}$/.test(name)) {
    throw refuse(`The CodeDeploy ${what} name '${name}' is not one CodeDeploy takes: 1–100 letters, digits and . _ + = , @ - (${flag}).`);
  }
}

const alarmConfigOf = (alarms: string[]): AlarmConfiguration => ({ enabled: alarms.length > 0, ignorePollAlarmFailure: false, alarms: alarms.map((name) => ({ name })) });
const ROLLBACK: AutoRollbackConfiguration = { enabled: true, events: [...ROLLBACK_EVENTS] };

/** A read that finds nothing says undefined; any other failure is the step's. */
async function readOr<T>(op: OperationContext, name: string, missing: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step(op, name, NOTHING, run);
  } catch (err) {
    if (err instanceof OperationError && errorName(err.cause) === missing) return undefined;
    throw err;
  }
}

export function startCodeDeployRollout(ctx: CodeDeployContext, input: StartCodeDeployInput): Promise<Outcome<CodeDeployDetail>> {
  return runUseCase<CodeDeployDetail>(ctx, 'codedeploy', input, async (op) => {
    const cd = ctx.codedeploy;
    const ref = input;
    const alias = ref.aliasName;
    // ---- checks: nothing is created on a refusal ----
    const { plan, choice } = checkedPlan(input.plan);
    if (input.version === '$LATEST' || !/^[0-9]+$/.test(input.version)) throw refuse(`A CodeDeploy rollout needs a published version, not '${input.version}': publish one first.`);
    const application = input.settings.application?.trim() || DEFAULT_APPLICATION;
    const group = input.settings.deploymentGroup?.trim() || defaultDeploymentGroup(ref.functionName, alias);
    checkName('application', application, 'setting lambdaCanary.codeDeploy.application, lambda-canary.json codeDeploy.application, --application');
    checkName('deployment group', group, 'setting lambdaCanary.codeDeploy.deploymentGroup, lambda-canary.json codeDeploy.deploymentGroup, --deployment-group');

    const current = await ops.loadAlias(op, ref);
    const driving = rolloutDriving(current, ref, (await ctx.journal?.rollouts?.().catch(() => [])) ?? []);
    if (driving && 'lease' in driving) {
      const { lease } = driving;
      throw refuse(`${alias} has a local rollout driven by ${holderText(lease)} (step ${lease.step + 1}/${lease.steps}): it must end, or its lease expire, before CodeDeploy takes the alias.`);
    }
    if (driving) throw refuse(`${alias} has a local rollout of version ${driving.open.version} (${driving.open.status}): promote or abort it first.`);
    const running = await step(op, `ListDeployments in flight`, NOTHING, () => runningDeploymentOn({ codedeploy: cd, signal: ctx.signal }, ref));
    if (running) {
      throw refuse(`${alias} is being deployed by CodeDeploy deployment ${running.deploymentId} (${running.status}, ${running.application}/${running.deploymentGroup}): stop it or wait for it to end first.`);
    }
    const split = splitOf(current);
    if (split.primary.version === input.version && !split.canary) throw refuse(`${alias} already serves version ${input.version}: a rollout needs another version.`);
    if (split.primary.version === '$LATEST') throw refuse(`${alias} points to $LATEST. CodeDeploy needs a published current version: switch ${alias} to a version first.`);
    if (split.canary) {
      throw refuse(`${alias} has a split in place (version ${split.canary.version} at ${formatPercent(split.canary.weight)}): promote or roll back the canary first, since CodeDeploy starts from an alias that serves one version.`);
    }
    const target = await ops.assertRoutable(op, ref, split.primary.version, input.version, `${alias} is unchanged.`);

    const hooks = { beforeAllowTraffic: input.settings.beforeAllowTraffic?.trim() || undefined, afterAllowTraffic: input.settings.afterAllowTraffic?.trim() || undefined };
    for (const hook of [hooks.beforeAllowTraffic, hooks.afterAllowTraffic]) {
      if (!hook) continue;
      const fn = await readOr(op, `GetFunction ${hook}`, 'ResourceNotFoundException', () => getVersion(ctx.lambda, hook, '$LATEST', ctx.signal));
      if (!fn) throw refuse(`The hook function ${hook} does not exist (in this region and account): create it, or name another hook.`);
      if (!/^CodeDeployHook_/.test(bare(hook))) {
        op.record?.warnings.push(
          `The managed policy ${SERVICE_ROLE_POLICY} lets CodeDeploy invoke only functions named CodeDeployHook_*: unless the service role may also invoke ${hook} (lambda:InvokeFunction), the hook fails.`,
        );
      }
    }

    const app = await readOr<ApplicationInfo | undefined>(op, `GetApplication ${application}`, 'ApplicationDoesNotExistException', async () => (await cd.send(new GetApplicationCommand({ applicationName: application }), { abortSignal: ctx.signal })).application);
    if (app && app.computePlatform && app.computePlatform !== 'Lambda') {
      throw refuse(`The CodeDeploy application ${application} deploys to ${app.computePlatform}, not Lambda: name another application (--application, codeDeploy.application).`, 'conflict');
    }
    const readGroup = async () => (await cd.send(new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: group }), { abortSignal: ctx.signal })).deploymentGroupInfo;
    const existingGroup = app ? await readOr(op, `GetDeploymentGroup ${group}`, 'DeploymentGroupDoesNotExistException', readGroup) : undefined;
    if (existingGroup?.computePlatform && existingGroup.computePlatform !== 'Lambda') throw refuse(`The deployment group ${application}/${group} deploys to ${existingGroup.computePlatform}, not Lambda.`, 'conflict');
    if (existingGroup) {
      const busy = await step(op, `ListDeployments in flight on ${application}/${group}`, NOTHING, () => deploymentIdsOf({ codedeploy: cd, signal: ctx.signal }, { application, deploymentGroup: group }));
      if (busy.length) {
        throw refuse(`The deployment group ${application}/${group} already has deployment ${busy.join(', ')} in flight (a group runs one at a time): wait for it to end, stop it, or name another group (--deployment-group, codeDeploy.deploymentGroup).`);
      }
    }
    const serviceRoleArn = input.settings.serviceRoleArn?.trim();
    if (!existingGroup && !serviceRoleArn) {
      throw refuse(
        `A new CodeDeploy deployment group (${application}/${group}) needs a service role, and none is set (Lambda Canary never creates IAM roles): give its ARN in the setting lambdaCanary.codeDeploy.serviceRoleArn, lambda-canary.json "codeDeploy": { "serviceRoleArn": … } or --service-role. The role needs the managed policy ${SERVICE_ROLE_POLICY} and a trust policy for codedeploy.amazonaws.com.`,
      );
    }
    if (serviceRoleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(serviceRoleArn)) {
      throw refuse(`'${serviceRoleArn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME): give the service role's ARN.`);
    }
    if (existingGroup && serviceRoleArn && existingGroup.serviceRoleArn && existingGroup.serviceRoleArn !== serviceRoleArn) {
      op.record?.warnings.push(`The deployment group ${application}/${group} exists with the service role ${existingGroup.serviceRoleArn}: it keeps it, and the role given (${serviceRoleArn}) is not used.`);
    }
    let existingConfig: DeploymentConfigInfo | undefined;
    if (!choice.predefined) {
      existingConfig = await step(op, `GetDeploymentConfig ${choice.name}`, NOTHING, () => deploymentConfig(cd, choice.name, ctx.signal, { fresh: true }));
      if (existingConfig && !sameTrafficRouting(choice, existingConfig.trafficRoutingConfig)) {
        throw refuse(
          `The deployment config ${choice.name} exists with another shape (${trafficRoutingText(existingConfig.trafficRoutingConfig)}, not ${trafficRoutingText(choice.trafficRouting)}): delete it (aws deploy delete-deployment-config) or change the plan.`,
          'conflict',
        );
      }
    }
    if (input.smokeEvent !== undefined) await ops.smokeInvoke(op, ref.functionName, input.version, input.smokeEvent, target, `Nothing was created; ${alias} is unchanged.`);

    // ---- writes: what exists is reused ----
    const created: string[] = [];
    const left = () => `No deployment was started; ${alias} is unchanged${created.length ? ` (created and kept for the next rollout: ${created.join(', ')})` : ''}.`;
    const appLanded = (a: ApplicationInfo | undefined) => (a && (!a.computePlatform || a.computePlatform === 'Lambda') ? { landed: true as const } : {});
    if (!app) {
      await createOnce(op, {
        step: `CreateApplication ${application}`,
        stateIfFailed: left(),
        send: () => cd.send(new CreateApplicationCommand({ applicationName: application, computePlatform: 'Lambda' })),
        readBack: async () => (await cd.send(new GetApplicationCommand({ applicationName: application }))).application,
        judge: appLanded,
        already: 'ApplicationAlreadyExistsException',
        subject: `the application ${application}`,
      });
      created.push(`application ${application}`);
    }
    // The config first: a new group is created with it as its default.
    if (!choice.predefined && !existingConfig) {
      const routing = choice.trafficRouting!;
      await createOnce(op, {
        step: `CreateDeploymentConfig ${choice.name}`,
        stateIfFailed: left(),
        send: () => cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: choice.name, computePlatform: 'Lambda', trafficRoutingConfig: routing })),
        readBack: () => deploymentConfig(cd, choice.name, undefined, { fresh: true }),
        judge: (c) => (c && sameTrafficRouting(choice, c.trafficRoutingConfig) ? { landed: true as const } : {}),
        already: 'DeploymentConfigAlreadyExistsException',
        subject: `the deployment config ${choice.name}`,
      });
      created.push(`deployment config ${choice.name}`);
    }

    if (!existingGroup) {
      await createOnce(op, {
        step: `CreateDeploymentGroup ${group}`,
        stateIfFailed: left(),
        send: () =>
          cd.send(
            new CreateDeploymentGroupCommand({
              applicationName: application,
              deploymentGroupName: group,
              serviceRoleArn,
              deploymentConfigName: choice.name,
              deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
              alarmConfiguration: alarmConfigOf(plan.alarms ?? []),
              autoRollbackConfiguration: ROLLBACK,
            }),
          ),
        readBack: readGroup,
        judge: (g) => (g ? { landed: true as const } : {}),
        already: 'DeploymentGroupAlreadyExistsException',
        subject: `the deployment group ${group}`,
      });
      created.push(`deployment group ${group}`);
    }
    // An existing group (SAM's, another team's) is never changed: the plan's alarms and the
    // rollbacks go on this deployment alone (overrideAlarmConfiguration, autoRollbackConfiguration).
    const spec = appSpecOf({ functionName: ref.functionName, aliasName: alias, currentVersion: split.primary.version, targetVersion: input.version, hooks });
    const description = `Lambda Canary: version ${input.version} on ${alias} (${formatPlan(plan)})`.slice(0, 100);
    const since = new Date(Date.now() - 60_000);
    ctx.progress?.(`Starting CodeDeploy deployment of version ${input.version} on ${alias}…`);
    const deploymentId = await guardedWrite<string, string | undefined>(op, {
      step: `CreateDeployment ${application}/${group}`,
      stateIfFailed: left(),
      send: async () => {
        const out = await cd.send(
          sentOnce(new CreateDeploymentCommand({
            applicationName: application,
            deploymentGroupName: group,
            deploymentConfigName: choice.name,
            description,
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: spec.content, sha256: spec.sha256 } },
            ...(plan.alarms?.length ? { overrideAlarmConfiguration: alarmConfigOf(plan.alarms) } : {}),
            autoRollbackConfiguration: ROLLBACK,
          })),
        );
        if (!out.deploymentId) throw new Error('CreateDeployment returned no deploymentId');
        return out.deploymentId;
      },
      // A deployment of this version on this function's alias, created on the group since just
      // before, whatever its status (a fast AllAtOnce may have Succeeded already).
      readBack: async () => {
        for (const id of await deploymentIdsOf({ codedeploy: cd }, { application, deploymentGroup: group }, since, 'any')) {
          const d = await getDeployment(cd, id);
          const about = await deploymentAlias({ codedeploy: cd }, d);
          if (about && about.aliasName === alias && sameFunction(about.functionName, ref.functionName) && (about.facts?.targetVersion ?? about.target?.lambdaFunctionInfo?.targetVersion) === input.version) return id;
        }
        return undefined;
      },
      judge: (id) => (id ? { landed: id } : {}),
      landedNote: 'ListDeployments shows the deployment: it was created',
      retryRefusals: ['DeploymentLimitExceededException'],
      unknown: (cause) =>
        unknownOf(`CreateDeployment ${application}/${group}`, 'the deployments of the group', cause, `a deployment of version ${input.version} on ${alias} may have started, or not.`, `Look at the group's deployments (lambda-canary rollout status, or the CodeDeploy console) before starting again.`),
      refused: (name, cause, state) =>
        name === 'DeploymentLimitExceededException'
          ? new OperationError(`The deployment group ${application}/${group} already has a deployment in flight (${(cause as Error).message}): wait for it to end, or stop it.`, { step: `CreateDeployment ${application}/${group}`, state, cause, kind: 'conflict' })
          : undefined,
    });
    ctx.log.info(`CodeDeploy deployment ${deploymentId} of version ${input.version} on ${alias}: ${describePlan(plan)} (${choice.name}).`);
    const detail: CodeDeployDetail = {
      event: 'started',
      deploymentId,
      application,
      deploymentGroup: group,
      config: choice.name,
      functionName: ref.functionName,
      aliasName: alias,
      version: input.version,
      stable: split.primary.version,
      planText: formatPlan(plan),
      ...(plan.name ? { planName: plan.name } : {}),
      alarms: [...(plan.alarms ?? [])],
    };
    return detail;
  });
}

/** The plan, checked, and its CodeDeploy config; a plan CodeDeploy cannot run is refused with the reason. */
function checkedPlan(raw: RolloutPlan): { plan: RolloutPlan; choice: CodeDeployConfigChoice } {
  try {
    const plan = validatePlan(raw);
    return { plan, choice: codeDeployConfigFor(plan) };
  } catch (e) {
    if (e instanceof PlanError) throw refuse(e.message);
    throw e;
  }
}

function unknownOf(stepName: string, subject: string, cause: unknown, maybe: string, check = 'Look at it in the CodeDeploy console (or retry: what exists is reused).'): OperationError {
  return unknownOutcome({ step: stepName, subject, cause, maybe: `${maybe}`, check });
}

/** A create whose lost answer is read back, and whose "already exists" (another client, or our own retried first attempt) is fine. */
async function createOnce<R>(
  op: OperationContext,
  w: { step: string; stateIfFailed: string; send: () => Promise<unknown>; readBack: () => Promise<R>; judge: (r: R) => { landed?: true }; already: string; subject: string },
): Promise<void> {
  try {
    await guardedWrite<unknown, R>(op, {
      step: w.step,
      stateIfFailed: w.stateIfFailed,
      send: w.send,
      readBack: w.readBack,
      judge: (r) => w.judge(r),
      retryRefusals: [w.already],
      unknown: (cause) => unknownOf(w.step, w.subject, cause, `${w.subject} may have been created, or not.`),
    });
  } catch (err) {
    if (err instanceof OperationError && errorName(err.cause) === w.already) {
      op.log.info(`${w.step}: it exists already (another client made it meanwhile): reused.`);
      return;
    }
    throw err;
  }
}
