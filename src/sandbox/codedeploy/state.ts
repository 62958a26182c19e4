/**
 * The sandbox's CodeDeploy records: in memory, and in the state directory when the sandbox has
 * one (persistence.ts), so that a deployment in flight carries on after a restart. Times are
 * epoch milliseconds.
 */

export type TrafficRouting =
  | { type: 'TimeBasedCanary'; timeBasedCanary: { canaryPercentage: number; canaryInterval: number } }
  | { type: 'TimeBasedLinear'; timeBasedLinear: { linearPercentage: number; linearInterval: number } }
  | { type: 'AllAtOnce' };

export interface ConfigRecord {
  name: string;
  id: string;
  /** Epoch ms; 0 for the predefined configs. */
  createTime: number;
  routing: TrafficRouting;
}

export interface ApplicationRecord {
  applicationId: string;
  applicationName: string;
  createTime: number;
}

export interface AlarmConfig {
  enabled: boolean;
  ignorePollAlarmFailure: boolean;
  alarms: { name: string }[];
}

export interface AutoRollbackConfig {
  enabled: boolean;
  events: string[];
}

export interface GroupRecord {
  applicationName: string;
  deploymentGroupId: string;
  deploymentGroupName: string;
  deploymentConfigName: string;
  serviceRoleArn: string;
  alarmConfiguration: AlarmConfig;
  autoRollbackConfiguration: AutoRollbackConfig;
  lastAttempted?: { deploymentId: string; status: string; endTime?: number; createTime: number };
  lastSuccessful?: { deploymentId: string; status: string; endTime?: number; createTime: number };
}

export type EventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';

export interface LifecycleEventRecord {
  lifecycleEventName: string;
  status: EventStatus;
  startTime?: number;
  endTime?: number;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
}

export interface AppSpecTarget {
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  beforeAllowTraffic?: string;
  afterAllowTraffic?: string;
}

export const IN_FLIGHT = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

export interface DeploymentRecord {
  deploymentId: string;
  applicationName: string;
  deploymentGroupName: string;
  deploymentConfigName: string;
  routing: TrafficRouting;
  revision: Record<string, unknown>;
  description?: string;
  creator: 'user' | 'codeDeployRollback';
  status: 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';
  createTime: number;
  startTime?: number;
  completeTime?: number;
  errorInformation?: { code: string; message: string };
  rollbackInfo?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  autoRollbackConfiguration: AutoRollbackConfig;
  alarmConfiguration: AlarmConfig;
  /** The AppSpec's function, alias and versions; undefined while (or when) the AppSpec does not read. */
  target?: AppSpecTarget;
  /** Why the AppSpec did not read, to fail the deployment with once it starts. */
  appSpecProblem?: string;
  targetStatus: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown' | 'Ready';
  targetUpdated: number;
  lifecycleEvents: LifecycleEventRecord[];
  /** lambdaFunctionInfo.targetVersionWeight: the target version's share of the alias, in percent. */
  targetVersionWeight: number;
  /** The hook waiting for PutLifecycleEventHookExecutionStatus. */
  hook?: { executionId: string; event: string; startedAt: number; status?: 'Succeeded' | 'Failed' };
  /** When AllowTraffic began: the schedule's steps are counted from it. */
  allowTrafficStart?: number;
  /** Every hook execution ID handed out, for LifecycleEventAlreadyCompletedException. */
  pastHooks: string[];
}

export class CodeDeployState {
  readonly applications = new Map<string, ApplicationRecord>();
  /** Keyed by `${application}\u0000${group}`. */
  readonly groups = new Map<string, GroupRecord>();
  readonly configs = new Map<string, ConfigRecord>();
  readonly deployments = new Map<string, DeploymentRecord>();

  constructor(readonly now: () => number) {}

  groupKey(application: string, group: string): string {
    return `${application}\u0000${group}`;
  }
}
