/**
 * CreateDeployment, GetDeployment, BatchGetDeployments, ListDeployments, StopDeployment,
 * ListDeploymentTargets, GetDeploymentTarget, BatchGetDeploymentTargets and
 * PutLifecycleEventHookExecutionStatus, for Lambda deployments with an AppSpecContent revision.
 */
import * as crypto from 'node:crypto';
import type { ApplicationsApi } from './applications';
import { applicationName } from './applications';
import { readAppSpec } from './appspec';
import type { DeploymentConfigsApi } from './configs';
import type { DeploymentEngine } from './engine';
import { LIFECYCLE_EVENTS } from './engine';
import type { DeploymentGroupsApi } from './groups';
import { alarmConfigOf, rollbackConfigOf } from './groups';
import type { CodeDeployState, DeploymentRecord } from './state';
import { IN_FLIGHT } from './state';
import type { Input } from './shared';
import { cdError, deploymentId, nameOf, optionalBoolean, optionalString, page, seconds, stringList } from './shared';

const STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Succeeded', 'Failed', 'Stopped', 'Ready'];

const targetIdOf = (d: DeploymentRecord): string | undefined => (d.target ? `${d.target.functionName}:${d.target.alias}` : undefined);

export class DeploymentsApi {
  constructor(
    private readonly state: CodeDeployState,
    private readonly applications: ApplicationsApi,
    private readonly groups: DeploymentGroupsApi,
    private readonly configs: DeploymentConfigsApi,
    private readonly engine: DeploymentEngine,
    private readonly arn: (functionName: string, qualifier?: string) => string,
  ) {}

  find(raw: unknown): DeploymentRecord {
    if (raw === undefined || raw === null || raw === '') throw cdError('DeploymentIdRequiredException', 'A deployment ID (deploymentId) is required.');
    if (typeof raw !== 'string' || !/^d-[A-Z0-9]{9}$/.test(raw)) throw cdError('InvalidDeploymentIdException', `${JSON.stringify(raw)} is not a deployment ID (d- and nine capitals or digits).`);
    const d = this.state.deployments.get(raw);
    if (!d) throw cdError('DeploymentDoesNotExistException', `The deployment ${raw} could not be found.`);
    return d;
  }

  info(d: DeploymentRecord): Input {
    const overview = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 } as Record<string, number>;
    if (d.target && d.targetStatus in overview) overview[d.targetStatus]++;
    return {
      applicationName: d.applicationName,
      deploymentGroupName: d.deploymentGroupName,
      deploymentConfigName: d.deploymentConfigName,
      deploymentId: d.deploymentId,
      revision: d.revision,
      status: d.status,
      ...(d.errorInformation ? { errorInformation: d.errorInformation } : {}),
      createTime: seconds(d.createTime),
      ...(d.startTime !== undefined ? { startTime: seconds(d.startTime) } : {}),
      ...(d.completeTime !== undefined ? { completeTime: seconds(d.completeTime) } : {}),
      deploymentOverview: overview,
      ...(d.description !== undefined ? { description: d.description } : {}),
      creator: d.creator,
      ignoreApplicationStopFailures: false,
      autoRollbackConfiguration: d.autoRollbackConfiguration,
      updateOutdatedInstancesOnly: false,
      ...(d.rollbackInfo ? { rollbackInfo: d.rollbackInfo } : {}),
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      instanceTerminationWaitTimeStarted: false,
      deploymentStatusMessages: [],
      computePlatform: 'Lambda',
      overrideAlarmConfiguration: d.alarmConfiguration,
    };
  }

  createDeployment(input: Input): Input {
    const app = applicationName(input);
    this.applications.find(app);
    const groupName = nameOf(input, 'deploymentGroupName', 'DeploymentGroupNameRequiredException', 'InvalidDeploymentGroupNameException', 'deployment group');
    const g = this.groups.find(app, groupName);
    const config = this.configs.find(input.deploymentConfigName === undefined || input.deploymentConfigName === null ? g.deploymentConfigName : String(input.deploymentConfigName));
    const description = optionalString(input, 'description', 512);
    const revision = input.revision as Input | undefined | null;
    if (revision === undefined || revision === null) throw cdError('RevisionRequiredException', 'A Lambda deployment needs a revision: { revisionType: AppSpecContent, appSpecContent: { content } }.');
    if (typeof revision !== 'object' || revision.revisionType !== 'AppSpecContent') {
      throw cdError('InvalidRevisionException', `A Lambda deployment's revision must be of revisionType AppSpecContent (or String); got ${JSON.stringify((revision as Input).revisionType)}.`);
    }
    const spec = (revision.appSpecContent ?? {}) as Input;
    if (typeof spec.content !== 'string' || spec.content.trim() === '') throw cdError('InvalidRevisionException', 'revision.appSpecContent.content must hold the AppSpec (YAML or JSON).');
    if (spec.content.length > 1_000_000) throw cdError('InvalidRevisionException', 'The AppSpec content is longer than 1,000,000 characters.');
    const sha256 = crypto.createHash('sha256').update(spec.content).digest('hex');
    if (spec.sha256 !== undefined && spec.sha256 !== null && spec.sha256 !== sha256) {
      throw cdError('InvalidRevisionException', `revision.appSpecContent.sha256 (${String(spec.sha256)}) is not the SHA-256 of its content (${sha256}).`);
    }
    for (const k of ['targetInstances', 'fileExistsBehavior', 'deploymentMode']) {
      if (input[k] !== undefined && input[k] !== null) throw cdError('InvalidInputException', `${k} does not apply to a Lambda deployment.`);
    }
    optionalBoolean(input, 'ignoreApplicationStopFailures');
    optionalBoolean(input, 'updateOutdatedInstancesOnly');
    const autoRollbackConfiguration = rollbackConfigOf(input.autoRollbackConfiguration, g.autoRollbackConfiguration);
    const alarmConfiguration = alarmConfigOf(input.overrideAlarmConfiguration, g.alarmConfiguration);
    const running = [...this.state.deployments.values()].find((d) => d.applicationName === app && d.deploymentGroupName === groupName && IN_FLIGHT.includes(d.status));
    if (running) throw cdError('DeploymentLimitExceededException', `The Deployment Group '${groupName}' already has an active Deployment '${running.deploymentId}'`);
    const read = readAppSpec(spec.content);
    const now = this.state.now();
    const d: DeploymentRecord = {
      deploymentId: deploymentId(),
      applicationName: app,
      deploymentGroupName: groupName,
      deploymentConfigName: config.name,
      routing: config.routing,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: spec.content, sha256 } },
      ...(description !== undefined ? { description } : {}),
      creator: 'user',
      status: 'Created',
      createTime: now,
      autoRollbackConfiguration,
      alarmConfiguration,
      ...('problem' in read ? { appSpecProblem: read.problem } : { target: read }),
      targetStatus: 'Pending',
      targetUpdated: now,
      lifecycleEvents: LIFECYCLE_EVENTS.map((name) => ({ lifecycleEventName: name, status: 'Pending' })),
      targetVersionWeight: 0,
      pastHooks: [],
    };
    this.state.deployments.set(d.deploymentId, d);
    g.lastAttempted = { deploymentId: d.deploymentId, status: 'Created', createTime: now };
    this.engine.start(d);
    return { deploymentId: d.deploymentId };
  }

  getDeployment(input: Input): Input {
    return { deploymentInfo: this.info(this.find(input.deploymentId)) };
  }

  batchGetDeployments(input: Input): Input {
    if (input.deploymentIds === undefined || input.deploymentIds === null) throw cdError('DeploymentIdRequiredException', 'deploymentIds is required.');
    const ids = stringList(input.deploymentIds, 'deploymentIds', 'InvalidDeploymentIdException');
    if (ids.length > 25) throw cdError('BatchLimitExceededException', `At most 25 deployments per call; got ${ids.length}.`);
    const found: DeploymentRecord[] = [];
    for (const id of ids) {
      try {
        found.push(this.find(id));
      } catch (e) {
        // Unknown IDs are left out of the answer; malformed ones are refused.
        if ((e as { code?: string }).code !== 'DeploymentDoesNotExistException') throw e;
      }
    }
    return { deploymentsInfo: found.map((d) => this.info(d)) };
  }

  listDeployments(input: Input): Input {
    const hasApp = input.applicationName !== undefined && input.applicationName !== null;
    const hasGroup = input.deploymentGroupName !== undefined && input.deploymentGroupName !== null;
    if (hasGroup && !hasApp) throw cdError('ApplicationNameRequiredException', 'deploymentGroupName needs applicationName too.');
    if (hasApp && !hasGroup) throw cdError('DeploymentGroupNameRequiredException', 'applicationName needs deploymentGroupName too: CodeDeploy lists the deployments of one group, or of every group.');
    const app = hasApp ? applicationName(input) : undefined;
    const group = hasGroup ? nameOf(input, 'deploymentGroupName', 'DeploymentGroupNameRequiredException', 'InvalidDeploymentGroupNameException', 'deployment group') : undefined;
    if (app !== undefined) this.groups.find(app, group!);
    const statuses = stringList(input.includeOnlyStatuses, 'includeOnlyStatuses', 'InvalidDeploymentStatusException');
    for (const s of statuses) if (!STATUSES.includes(s)) throw cdError('InvalidDeploymentStatusException', `${JSON.stringify(s)} is not a deployment status (${STATUSES.join(', ')}).`);
    let from = -Infinity;
    let to = Infinity;
    if (input.createTimeRange !== undefined && input.createTimeRange !== null) {
      const r = input.createTimeRange as Input;
      const t = (v: unknown, k: string): number | undefined => {
        if (v === undefined || v === null) return undefined;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw cdError('InvalidTimeRangeException', `createTimeRange.${k} must be a time.`);
        return v * 1000;
      };
      from = t(r.start, 'start') ?? from;
      to = t(r.end, 'end') ?? to;
      if (from > to) throw cdError('InvalidTimeRangeException', 'createTimeRange.start is after createTimeRange.end.');
    }
    const ids = [...this.state.deployments.values()]
      .filter((d) => (app === undefined || (d.applicationName === app && d.deploymentGroupName === group)) && (!statuses.length || statuses.includes(d.status)) && d.createTime >= from && d.createTime <= to)
      // Newest first.
      .sort((a, b) => b.createTime - a.createTime)
      .map((d) => d.deploymentId);
    const p = page(ids, input.nextToken);
    return { deployments: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  async stopDeployment(input: Input): Promise<Input> {
    const d = this.find(input.deploymentId);
    const rollback = optionalBoolean(input, 'autoRollbackEnabled');
    if (!IN_FLIGHT.includes(d.status)) throw cdError('DeploymentAlreadyCompletedException', `The deployment ${d.deploymentId} is already completed (${d.status}).`);
    await this.engine.stop(d, rollback);
    return { status: 'Succeeded', statusMessage: d.rollbackInfo?.rollbackDeploymentId ? `The deployment was stopped and rolled back by ${d.rollbackInfo.rollbackDeploymentId}.` : 'The deployment was stopped.' };
  }

  private target(d: DeploymentRecord): Input {
    const t = d.target!;
    return {
      deploymentTargetType: 'LambdaTarget',
      lambdaTarget: {
        deploymentId: d.deploymentId,
        targetId: targetIdOf(d),
        targetArn: this.arn(t.functionName, t.alias),
        status: d.targetStatus,
        lastUpdatedAt: seconds(d.targetUpdated),
        lifecycleEvents: d.lifecycleEvents.map((e) => ({
          lifecycleEventName: e.lifecycleEventName,
          status: e.status,
          ...(e.startTime !== undefined ? { startTime: seconds(e.startTime) } : {}),
          ...(e.endTime !== undefined ? { endTime: seconds(e.endTime) } : {}),
          ...(e.diagnostics ? { diagnostics: e.diagnostics } : {}),
        })),
        lambdaFunctionInfo: {
          functionName: t.functionName,
          functionAlias: t.alias,
          currentVersion: t.currentVersion,
          targetVersion: t.targetVersion,
          targetVersionWeight: d.targetVersionWeight,
        },
      },
    };
  }

  listDeploymentTargets(input: Input): Input {
    const d = this.find(input.deploymentId);
    const ids = d.target ? [targetIdOf(d)!] : [];
    const p = page(ids, input.nextToken);
    return { targetIds: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  private findTarget(d: DeploymentRecord, raw: unknown): Input {
    if (raw === undefined || raw === null || raw === '') throw cdError('DeploymentTargetIdRequiredException', 'A target ID (targetId) is required.');
    if (typeof raw !== 'string') throw cdError('InvalidDeploymentTargetIdException', 'targetId must be a string.');
    if (raw !== targetIdOf(d)) throw cdError('DeploymentTargetDoesNotExistException', `The deployment ${d.deploymentId} has no target ${raw}.`);
    return this.target(d);
  }

  getDeploymentTarget(input: Input): Input {
    const d = this.find(input.deploymentId);
    return { deploymentTarget: this.findTarget(d, input.targetId) };
  }

  batchGetDeploymentTargets(input: Input): Input {
    const d = this.find(input.deploymentId);
    const ids = stringList(input.targetIds, 'targetIds', 'InvalidDeploymentTargetIdException');
    if (ids.length > 25) throw cdError('DeploymentTargetListSizeExceededException', `At most 25 targets per call; got ${ids.length}.`);
    return { deploymentTargets: ids.map((id) => this.findTarget(d, id)) };
  }

  putLifecycleEventHookExecutionStatus(input: Input): Input {
    const d = this.find(input.deploymentId);
    const id = input.lifecycleEventHookExecutionId;
    if (typeof id !== 'string' || id === '') throw cdError('InvalidLifecycleEventHookExecutionIdException', 'lifecycleEventHookExecutionId is required: the LifecycleEventHookExecutionId of the hook event.');
    const status = input.status;
    if (status !== 'Succeeded' && status !== 'Failed') {
      throw cdError('InvalidLifecycleEventHookExecutionStatusException', `A hook reports Succeeded or Failed; got ${JSON.stringify(status)}.`);
    }
    if (d.hook?.executionId === id && d.hook.status === undefined) {
      d.hook.status = status;
      this.engine.wake(d.deploymentId);
      return { lifecycleEventHookExecutionId: id };
    }
    if (d.pastHooks.includes(id)) throw cdError('LifecycleEventAlreadyCompletedException', `The lifecycle event of hook execution ${id.slice(0, 20)}… is already completed (deployment ${d.deploymentId} is ${d.status}).`);
    throw cdError('InvalidLifecycleEventHookExecutionIdException', `No hook of deployment ${d.deploymentId} has the execution ID ${id.slice(0, 40)}.`);
  }
}
