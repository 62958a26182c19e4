/**
 * The CodeDeploy engine's contract: what front ends hand in and get back. The engine drives AWS
 * CodeDeploy (what SAM's DeploymentPreference creates) rather than stepping the alias itself, so a
 * rollout goes on with the editor closed, with alarms and rollback on AWS's side.
 */
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { RolloutView } from '../../shared/rollout';
import type { RolloutPlan } from '../rollout/plans';
import type { UseCaseContext } from '../usecases/context';

export type CodeDeploySend = Pick<CodeDeployClient, 'send'>;

/** A use case's context with a CodeDeploy client (made by the connection, loaded on first use). */
export interface CodeDeployContext extends UseCaseContext {
  codedeploy: CodeDeploySend;
}

/** Where a CodeDeploy rollout runs and how: settings (`lambdaCanary.codeDeploy.*`, lambda-canary.json `codeDeploy`) or asked. */
export interface CodeDeploySettings {
  /** The application (computePlatform Lambda) to reuse or create; default `lambda-canary`. */
  application?: string;
  /** The deployment group to reuse or create; default `<function>-<alias>`. */
  deploymentGroup?: string;
  /** The service role a new deployment group is created with (the extension never creates roles). */
  serviceRoleArn?: string;
  /** Hook functions (names or ARNs) CodeDeploy invokes before / after traffic moves. */
  beforeAllowTraffic?: string;
  afterAllowTraffic?: string;
}

/** A CodeDeploy deployment config a plan maps to: predefined, or custom (created once, named after its shape). */
export interface CodeDeployConfigChoice {
  name: string;
  predefined: boolean;
  /** For a custom config: CodeDeploy's trafficRoutingConfig as CreateDeploymentConfig takes it. */
  trafficRouting?:
    | { type: 'TimeBasedCanary'; timeBasedCanary: { canaryPercentage: number; canaryInterval: number } }
    | { type: 'TimeBasedLinear'; timeBasedLinear: { linearPercentage: number; linearInterval: number } }
    | { type: 'AllAtOnce' };
}

/** The journal's record of a CodeDeploy rollout (outcome action 'codedeploy', `detail`). */
export interface CodeDeployDetail {
  /** started: CreateDeployment answered; stop: Stop asked (rollback or not); ended: seen at its end. */
  event: 'started' | 'stop' | 'ended';
  deploymentId: string;
  application: string;
  deploymentGroup: string;
  config: string;
  functionName: string;
  aliasName: string;
  version: string;
  stable: string;
  planText: string;
  planName?: string;
  alarms: string[];
  rollback?: boolean;
  /** For 'ended': CodeDeploy's final status ('Unreadable' when the watch gave up: the deployment vanished or may not be read). */
  status?: string;
  /** For 'ended': the alias was put back (a rollback). */
  rolledBack?: boolean;
}

export interface StartCodeDeployInput {
  functionName: string;
  aliasName: string;
  version: string;
  plan: RolloutPlan;
  settings: CodeDeploySettings;
  /** Nothing is created or started when the alias's RevisionId is no longer this one. */
  expectedRevisionId?: string;
  /**
   * When set, the target version is invoked with this event (the workspace's test event) before
   * anything is created: a function error refuses the rollout. The zero-setup alternative to a
   * BeforeAllowTraffic hook.
   */
  smokeEvent?: unknown;
}

export interface StopCodeDeployInput {
  functionName: string;
  aliasName: string;
  deploymentId: string;
  /** StopDeployment's autoRollbackEnabled: put the alias back on the version it served. */
  rollback: boolean;
}

/** A CodeDeploy deployment in flight on an alias (Created, Queued, InProgress, Baking or Ready). */
export interface RunningDeployment {
  deploymentId: string;
  status: string;
  application: string;
  deploymentGroup: string;
}

/** Why an alias counts as managed by CodeDeploy (a manual write warns first). */
export type CodeDeployManagement =
  | { by: 'template'; file: string; logicalId: string; preference: string }
  | { by: 'group'; application: string; deploymentGroup: string; lastDeploymentId: string };

/** The watcher's view of a CodeDeploy rollout: a RolloutView with engine 'codedeploy' and `codeDeploy` set. */
export type CodeDeployRolloutView = RolloutView & { engine: 'codedeploy' };
