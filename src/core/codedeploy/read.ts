import type { DeploymentConfigInfo, DeploymentInfo, LambdaTarget } from '@aws-sdk/client-codedeploy';
import { GetDeploymentCommand, GetDeploymentConfigCommand, GetDeploymentTargetCommand, ListDeploymentTargetsCommand } from '@aws-sdk/client-codedeploy';
import { errorName } from '../lambdaApi';
import type { AppSpecFacts } from './appspec';
import { readAppSpec } from './appspec';
import { stepsOfConfig } from './config';
import type { CodeDeployContext, CodeDeployDetail, CodeDeployRolloutView, CodeDeploySend } from './types';
import { viewOfDeployment } from './view';

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

/** The deployment's Lambda target (a Lambda deployment has one), or undefined when it has none yet. */
export async function lambdaTargetOf(cd: CodeDeploySend, deploymentId: string, signal?: AbortSignal): Promise<LambdaTarget | undefined> {
  const list = await cd.send(new ListDeploymentTargetsCommand({ deploymentId }), { abortSignal: signal });
  const targetId = list.targetIds?.[0];
  if (!targetId) return undefined;
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
  const target = await lambdaTargetOf(ctx.codedeploy, deploymentId, ctx.signal).catch((err: unknown) => {
    // A deployment just created may have no target yet.
    if (errorName(err) === 'DeploymentTargetDoesNotExistException') return undefined;
    throw err;
  });
  const configName = deployment.deploymentConfigName ?? known?.config ?? '';
  let steps = stepsOfConfig(configName);
  if (!steps && configName) {
    const config = await deploymentConfig(ctx.codedeploy, configName, ctx.signal).catch(() => undefined);
    steps = stepsOfConfig(configName, config?.trafficRoutingConfig);
  }
  return viewOfDeployment({ deployment, target, known, appSpec: appSpecFactsOf(deployment), ...(steps ? { steps } : {}), now: Date.now() });
}
