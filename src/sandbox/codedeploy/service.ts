/**
 * The sandbox's CodeDeploy: the subset Lambda deployments use, over AWS JSON 1.1
 * (`X-Amz-Target: CodeDeploy_20141006.<Operation>`), with AWS's field names, statuses and
 * exceptions. One entry point hands each operation to the module of its resource. Its records
 * are kept in memory, and in the state directory when the sandbox has one (persistence.ts): a
 * deployment in flight then carries on after a restart from its recorded times.
 */
import type { AlarmStore } from '../alarms';
import type { LambdaService } from '../lambda/service';
import { ApplicationsApi } from './applications';
import { DeploymentConfigsApi } from './configs';
import { DeploymentsApi } from './deployments';
import type { EngineOptions } from './engine';
import { DeploymentEngine } from './engine';
import { DeploymentGroupsApi } from './groups';
import type { Input } from './shared';
import { CodeDeployFile } from './persistence';
import { CodeDeployState, IN_FLIGHT } from './state';

export const CODEDEPLOY_TARGET_PREFIX = 'CodeDeploy_20141006.';

/** One CodeDeploy minute, by default a real one. */
export const DEFAULT_MINUTE_MS = 60_000;

export interface CodeDeployOptions {
  lambda: LambdaService;
  alarms: AlarmStore;
  minuteMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** The sandbox's state directory: the records are kept there too (codedeploy.json). */
  stateDir?: string;
  /** Called after each UpdateAlias the deployment engine makes (see EngineOptions.onAliasUpdate). */
  onAliasUpdate?: EngineOptions['onAliasUpdate'];
}

export type CodeDeployOperation = (input: Input) => Input | Promise<Input>;

export class CodeDeployService {
  readonly state: CodeDeployState;
  readonly minuteMs: number;
  private readonly engine: DeploymentEngine;
  readonly operations: Readonly<Record<string, CodeDeployOperation>>;
  /** What loading the records found wrong (a damaged file set aside). */
  readonly warnings: readonly string[];
  private readonly file: CodeDeployFile | undefined;

  constructor(opts: CodeDeployOptions) {
    this.minuteMs = opts.minuteMs ?? DEFAULT_MINUTE_MS;
    this.state = new CodeDeployState(opts.now ?? (() => Date.now()));
    this.file = opts.stateDir === undefined ? undefined : new CodeDeployFile(opts.stateDir);
    this.file?.load(this.state);
    this.warnings = this.file?.warnings ?? [];
    const save = () => this.file?.save(this.state);
    this.engine = new DeploymentEngine(this.state, { lambda: opts.lambda, alarms: opts.alarms, minuteMs: this.minuteMs, log: opts.log, onChange: this.file ? save : undefined, onAliasUpdate: opts.onAliasUpdate });
    const applications = new ApplicationsApi(this.state);
    const configs = new DeploymentConfigsApi(this.state);
    const groups = new DeploymentGroupsApi(this.state, applications, configs);
    const deployments = new DeploymentsApi(this.state, applications, groups, configs, this.engine, (f, q) => opts.lambda.arn(f, q));
    const ops: Record<string, CodeDeployOperation> = {
      CreateApplication: (i) => applications.createApplication(i),
      GetApplication: (i) => applications.getApplication(i),
      BatchGetApplications: (i) => applications.batchGetApplications(i),
      ListApplications: (i) => applications.listApplications(i),
      DeleteApplication: (i) => applications.deleteApplication(i),
      CreateDeploymentGroup: (i) => groups.createDeploymentGroup(i),
      GetDeploymentGroup: (i) => groups.getDeploymentGroup(i),
      ListDeploymentGroups: (i) => groups.listDeploymentGroups(i),
      UpdateDeploymentGroup: (i) => groups.updateDeploymentGroup(i),
      DeleteDeploymentGroup: (i) => groups.deleteDeploymentGroup(i),
      CreateDeploymentConfig: (i) => configs.createDeploymentConfig(i),
      GetDeploymentConfig: (i) => configs.getDeploymentConfig(i),
      ListDeploymentConfigs: (i) => configs.listDeploymentConfigs(i),
      DeleteDeploymentConfig: (i) => configs.deleteDeploymentConfig(i),
      CreateDeployment: (i) => deployments.createDeployment(i),
      GetDeployment: (i) => deployments.getDeployment(i),
      BatchGetDeployments: (i) => deployments.batchGetDeployments(i),
      ListDeployments: (i) => deployments.listDeployments(i),
      StopDeployment: (i) => deployments.stopDeployment(i),
      ListDeploymentTargets: (i) => deployments.listDeploymentTargets(i),
      GetDeploymentTarget: (i) => deployments.getDeploymentTarget(i),
      BatchGetDeploymentTargets: (i) => deployments.batchGetDeploymentTargets(i),
      PutLifecycleEventHookExecutionStatus: (i) => deployments.putLifecycleEventHookExecutionStatus(i),
    };
    // Every operation's changes are saved once it has answered (reads rewrite the same record).
    this.operations = this.file ? Object.fromEntries(Object.entries(ops).map(([name, op]) => [name, async (i: Input) => {
      try {
        return await op(i);
      } finally {
        save();
      }
    }])) : ops;
    // Deployments in flight when the sandbox stopped carry on from their records.
    for (const d of this.state.deployments.values()) if (IN_FLIGHT.includes(d.status)) this.engine.start(d);
  }

  /** Stops every timer; deployments in flight stay where they are. */
  close(): Promise<void> {
    return this.engine.close();
  }
}
