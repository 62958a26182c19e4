import type { CodeDeployConfigChoice, CodeDeployContext, CodeDeployDetail, CodeDeployManagement, CodeDeployRolloutView, CodeDeploySend, RunningDeployment, StartCodeDeployInput, StopCodeDeployInput } from '../core/codedeploy/types';
import type { Clients } from '../core/connection';
import { OperationError } from '../core/errors';
import type { Outcome } from '../core/outcome';
import type { RolloutPlan } from '../core/rollout/plans';
import type { UseCaseContext } from '../core/usecases';

/**
 * What the editor uses of the core's CodeDeploy engine (src/core/codedeploy, loaded on first use
 * with its client): the one place that knows the engine's module, so the rest of the extension
 * (and its tests) depend on this shape only.
 */

/** The watcher of the connection's CodeDeploy rollouts (the journal's started-and-not-ended ones, polled). */
export interface CodeDeployWatcherPort {
  views(): CodeDeployRolloutView[];
  onDidChange(listener: (v: CodeDeployRolloutView) => void): { dispose(): void };
  /** Reads the journal again and watches what it holds open (after a start here). */
  refresh(): Promise<void>;
  dispose(): Promise<void> | void;
}

export interface CodeDeployEngine {
  /** Pure; throws the core's PlanError with the reason when CodeDeploy cannot run the plan. */
  configFor(plan: RolloutPlan): CodeDeployConfigChoice;
  start(ctx: CodeDeployContext, input: StartCodeDeployInput & { smokeEvent?: unknown }): Promise<Outcome<CodeDeployDetail>>;
  stop(ctx: CodeDeployContext, input: StopCodeDeployInput): Promise<Outcome<CodeDeployDetail>>;
  /** A deployment group whose last deployment targeted the alias. */
  management(ctx: CodeDeployContext, ref: { functionName: string; aliasName: string }): Promise<CodeDeployManagement | undefined>;
  /** The deployment in flight on the alias, if any. */
  running(ctx: CodeDeployContext, ref: { functionName: string; aliasName: string }): Promise<RunningDeployment | undefined>;
  watcher(ctx: CodeDeployContext): CodeDeployWatcherPort;
}

/** The CodeDeploy client of a connection (made by the connection on first use). */
export async function codeDeployClientOf(clients: Clients): Promise<CodeDeploySend> {
  const make = (clients as Clients & { codedeploy?: () => Promise<CodeDeploySend> }).codedeploy;
  if (!make) throw new OperationError('This build has no CodeDeploy client: run the rollout with Lambda Canary (Here) instead.', { kind: 'validation', state: 'Nothing was changed.' });
  return make.call(clients);
}

/** A use case's context with the connection's CodeDeploy client. */
export async function codeDeployContext(clients: Clients, uc: UseCaseContext): Promise<CodeDeployContext> {
  return { ...uc, codedeploy: await codeDeployClientOf(clients) };
}

let loading: Promise<CodeDeployEngine> | undefined;

/** The core's engine, loaded on first use (dist/codedeploy.js). */
export function loadCodeDeployEngine(): Promise<CodeDeployEngine> {
  return (loading ??= Promise.reject(new OperationError('The CodeDeploy engine is not part of this build.', { kind: 'validation', state: 'Nothing was changed.' })));
}
