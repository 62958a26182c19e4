import type { DeploymentStatus } from '@aws-sdk/client-codedeploy';
import { GetDeploymentGroupCommand, ListApplicationsCommand, ListDeploymentGroupsCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { allPages } from '../lambdaApi';
import type { CodeDeployReadContext } from './read';
import { deploymentAlias, getDeployment } from './read';
import { sameFunction } from './appspec';
import type { CodeDeployManagement, RunningDeployment } from './types';
import { IN_FLIGHT_STATUSES } from './view';

/**
 * Which CodeDeploy deployments and groups are about an alias: the one in flight (that every local
 * write to the alias must wait for), and the group that manages it (whose alias a manual write
 * warns about first).
 */

/** How many in-flight deployments, applications and groups are looked at before giving up (an account with many). */
const MAX_LOOKED_AT = 200;

/** The ids of the deployments in flight, of one group or of the whole account and region. */
export function inFlightDeploymentIds(ctx: CodeDeployReadContext, group?: { application: string; deploymentGroup: string }, createdAfter?: Date): Promise<string[]> {
  return deploymentIdsOf(ctx, group, createdAfter);
}

/** The ids of a group's (or the account's) deployments: in flight, or of any status. */
export function deploymentIdsOf(ctx: CodeDeployReadContext, group?: { application: string; deploymentGroup: string }, createdAfter?: Date, statuses: 'in-flight' | 'any' = 'in-flight'): Promise<string[]> {
  return allPages(async (nextToken) => {
    const out = await ctx.codedeploy.send(
      new ListDeploymentsCommand({
        ...(group ? { applicationName: group.application, deploymentGroupName: group.deploymentGroup } : {}),
        ...(statuses === 'in-flight' ? { includeOnlyStatuses: [...IN_FLIGHT_STATUSES] as DeploymentStatus[] } : {}),
        ...(createdAfter ? { createTimeRange: { start: createdAfter } } : {}),
        nextToken,
      }),
      { abortSignal: ctx.signal },
    );
    return [out.deployments, out.nextToken];
  }, MAX_LOOKED_AT);
}

const matches = (found: { functionName: string; aliasName: string } | undefined, ref: { functionName: string; aliasName: string }) =>
  !!found && found.aliasName === ref.aliasName && sameFunction(found.functionName, ref.functionName);

/** The deployment in flight on the alias, if any: ListDeployments of the in-flight statuses, each one's AppSpec (or target) read for its function and alias. */
export async function runningDeploymentOn(ctx: CodeDeployReadContext, ref: { functionName: string; aliasName: string }): Promise<RunningDeployment | undefined> {
  for (const id of await inFlightDeploymentIds(ctx)) {
    const d = await getDeployment(ctx.codedeploy, id, ctx.signal);
    if (d.computePlatform && d.computePlatform !== 'Lambda') continue;
    if (!IN_FLIGHT_STATUSES.includes(d.status as (typeof IN_FLIGHT_STATUSES)[number])) continue;
    if (matches(await deploymentAlias(ctx, d).catch(() => undefined), ref)) {
      return { deploymentId: id, status: d.status ?? 'InProgress', application: d.applicationName ?? '?', deploymentGroup: d.deploymentGroupName ?? '?' };
    }
  }
  return undefined;
}

/** A Lambda deployment group whose last deployment targeted the alias. */
export async function codeDeployManagement(ctx: CodeDeployReadContext, ref: { functionName: string; aliasName: string }): Promise<CodeDeployManagement | undefined> {
  const apps = await allPages(async (nextToken) => {
    const out = await ctx.codedeploy.send(new ListApplicationsCommand({ nextToken }), { abortSignal: ctx.signal });
    return [out.applications, out.nextToken];
  }, MAX_LOOKED_AT);
  let looked = 0;
  for (const application of apps) {
    const groups = await allPages(async (nextToken) => {
      const out = await ctx.codedeploy.send(new ListDeploymentGroupsCommand({ applicationName: application, nextToken }), { abortSignal: ctx.signal });
      return [out.deploymentGroups, out.nextToken];
    }, MAX_LOOKED_AT);
    for (const deploymentGroup of groups) {
      if (++looked > MAX_LOOKED_AT) return undefined;
      const info = (await ctx.codedeploy.send(new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup }), { abortSignal: ctx.signal })).deploymentGroupInfo;
      if (info?.computePlatform && info.computePlatform !== 'Lambda') break;
      const last = info?.lastAttemptedDeployment?.deploymentId ?? info?.lastSuccessfulDeployment?.deploymentId;
      if (!last) continue;
      const d = await getDeployment(ctx.codedeploy, last, ctx.signal).catch(() => undefined);
      if (d && matches(await deploymentAlias(ctx, d).catch(() => undefined), ref)) return { by: 'group', application, deploymentGroup, lastDeploymentId: last };
    }
  }
  return undefined;
}
