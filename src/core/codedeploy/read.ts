import type { DeploymentConfigInfo, DeploymentInfo, LambdaTarget } from '@aws-sdk/client-codedeploy';
import { GetDeploymentCommand, GetDeploymentConfigCommand, GetDeploymentTargetCommand, ListDeploymentTargetsCommand } from '@aws-sdk/client-codedeploy';
import { errorSummary } from '../errors';
import { errorName } from '../lambdaApi';
import type { AppSpecFacts } from './appspec';
import { readAppSpec } from './appspec';
import { stepsOfConfig } from './config';
import type { CodeDeployContext, CodeDeployDetail, CodeDeployRolloutView, CodeDeploySend } from './types';
import { errorInWords, isInFlight, viewOfDeployment } from './view';

/**
 * The reads of a CodeDeploy deployment: GetDeployment, its Lambda target (ListDeploymentTargets,
 * GetDeploymentTarget), its config's steps and its AppSpec. Every AWS text in them is only shown.
 */

export type CodeDeployReadContext = Pick<CodeDeployContext, 'codedeploy' | 'signal'>;

export async function getDeployment(cd: CodeDeploySend, deploymentId: string, signal?: AbortSignal): Promise<DeploymentInfo> {
  const out = await cd.send(new GetDeploymentCommand({ deploymentId }), { abortSignal: signal });
  if (!out.deploymentInfo) throw new Error(`GetDeployment ${deploymentId} returned no deploymentInfo`);
  return out.deploymentInfo;
}

/** A Lambda deployment's one target id, by client and deployment: it does not change, so each poll skips ListDeploymentTargets. */
const targetIds = new WeakMap<CodeDeploySend, Map<string, string>>();

/** The deployment's Lambda target (a Lambda deployment has one), or undefined when it has none yet. */
export async function lambdaTargetOf(cd: CodeDeploySend, deploymentId: string, signal?: AbortSignal): Promise<LambdaTarget | undefined> {
  let ids = targetIds.get(cd);
  if (!ids) targetIds.set(cd, (ids = new Map()));
  let targetId = ids.get(deploymentId);
  if (!targetId) {
    const list = await cd.send(new ListDeploymentTargetsCommand({ deploymentId }), { abortSignal: signal });
    targetId = list.targetIds?.[0];
    if (!targetId) return undefined;
    ids.set(deploymentId, targetId);
  }
  const out = await cd.send(new GetDeploymentTargetCommand({ deploymentId, targetId }), { abortSignal: signal });
  return out.deploymentTarget?.lambdaTarget;
}

/** What the deployment's AppSpec says, when GetDeployment returned its content. */
export function appSpecFactsOf(d: DeploymentInfo): AppSpecFacts | undefined {
  return readAppSpec(d.revision?.appSpecContent?.content ?? d.revision?.string?.content);
}

/** The function and alias a deployment is about: from its AppSpec, else its Lambda target. */
export async function deploymentAlias(ctx: CodeDeployReadContext, d: DeploymentInfo): Promise<{ functionName: string; aliasName: string; facts?: AppSpecFacts; target?: LambdaTarget } | undefined> {
  const facts = appSpecFactsOf(d);
  if (facts) return { functionName: facts.functionName, aliasName: facts.aliasName, facts };
  if (!d.deploymentId) return undefined;
  const target = await lambdaTargetOf(ctx.codedeploy, d.deploymentId, ctx.signal);
  const info = target?.lambdaFunctionInfo;
  return info?.functionName && info.functionAlias ? { functionName: info.functionName, aliasName: info.functionAlias, target } : undefined;
}

/**
 * Config traffic routings, by client (its account and region) and name: a config does not change
 * once created, but may be deleted and made again with another shape, so a check before a write
 * reads it `fresh`.
 */
const configCaches = new WeakMap<CodeDeploySend, Map<string, DeploymentConfigInfo>>();

export async function deploymentConfig(cd: CodeDeploySend, name: string, signal?: AbortSignal, opts: { fresh?: boolean } = {}): Promise<DeploymentConfigInfo | undefined> {
  let cache = configCaches.get(cd);
  if (!cache) configCaches.set(cd, (cache = new Map()));
  const cached = opts.fresh ? undefined : cache.get(name);
  if (cached) return cached;
  try {
    const out = await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: name }), { abortSignal: signal });
    if (out.deploymentConfigInfo) cache.set(name, out.deploymentConfigInfo);
    else cache.delete(name);
    return out.deploymentConfigInfo;
  } catch (err) {
    if (errorName(err) === 'DeploymentConfigDoesNotExistException') {
      cache.delete(name);
      return undefined;
    }
    throw err;
  }
}

/** GetDeployment + its Lambda target (+ a custom config's routing) → the rollout view. */
export async function readCodeDeployRollout(ctx: CodeDeployReadContext, deploymentId: string, known?: CodeDeployDetail): Promise<CodeDeployRolloutView> {
  const deployment = await getDeployment(ctx.codedeploy, deploymentId, ctx.signal);
  // A deployment just created may have no target yet; a target that cannot be read leaves the deployment's view, saying so.
  let targetProblem: string | undefined;
  const target = await lambdaTargetOf(ctx.codedeploy, deploymentId, ctx.signal).catch((err: unknown) => {
    if (errorName(err) !== 'DeploymentTargetDoesNotExistException') targetProblem = `its Lambda target could not be read: ${errorSummary(err)}`;
    return undefined;
  });
  const configName = deployment.deploymentConfigName ?? known?.config ?? '';
  let steps = stepsOfConfig(configName);
  if (!steps && configName) {
    const config = await deploymentConfig(ctx.codedeploy, configName, ctx.signal).catch(() => undefined);
    steps = stepsOfConfig(configName, config?.trafficRoutingConfig);
  }
  // On AWS a rollback is a new deployment: the alias is back only once that one Succeeded.
  const rollbackId = deployment.rollbackInfo?.rollbackDeploymentId;
  let rollback: { deploymentId: string; status?: string; error?: string } | undefined;
  if (rollbackId && rollbackId !== deploymentId && !isInFlight(deployment.status)) {
    const r = await getDeployment(ctx.codedeploy, rollbackId, ctx.signal);
    const error = errorInWords(r.errorInformation);
    rollback = { deploymentId: rollbackId, ...(r.status ? { status: r.status } : {}), ...(error ? { error } : {}) };
  }
  return viewOfDeployment({ deployment, target, known, appSpec: appSpecFactsOf(deployment), ...(steps ? { steps } : {}), ...(targetProblem ? { readProblem: targetProblem } : {}), ...(rollback ? { rollback } : {}), now: Date.now() });
}
