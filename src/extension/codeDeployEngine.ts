import type { CodeDeployConfigChoice, CodeDeployContext, CodeDeployDetail, CodeDeployManagement, CodeDeployRolloutView, CodeDeploySend, RunningDeployment, StartCodeDeployInput, StopCodeDeployInput } from '../core/codedeploy/types';
import type { CodeDeployModule } from '../core/codeDeployModule';
import { loadCodeDeploy } from '../core/codeDeployModule';
import type { Clients } from '../core/connection';
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
  /** Reads the journal: watches what it holds open. */
  load(): Promise<void>;
  /** Watches a deployment just started (its 'started' record). */
  watch(known: CodeDeployDetail): unknown;
  /** Reads every watched deployment in flight now. */
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
export function codeDeployClientOf(clients: Clients): Promise<CodeDeploySend> {
  return clients.codedeploy();
}

/** A use case's context with the connection's CodeDeploy client. */
export async function codeDeployContext(clients: Clients, uc: UseCaseContext): Promise<CodeDeployContext> {
  return { ...uc, codedeploy: await codeDeployClientOf(clients) };
}

let loading: Promise<CodeDeployEngine> | undefined;

/** The core's engine, loaded on first use (dist/codedeploy.js). */
export function loadCodeDeployEngine(): Promise<CodeDeployEngine> {
  return (loading ??= loadCodeDeploy().then(engineOf));
}

function engineOf(m: CodeDeployModule): CodeDeployEngine {
  return {
    configFor: (plan) => m.codeDeployConfigFor(plan),
    start: (ctx, input) => m.startCodeDeployRollout(ctx, input),
    stop: (ctx, input) => m.stopCodeDeployRollout(ctx, input),
    management: (ctx, ref) => m.codeDeployManagement(ctx, ref),
    running: (ctx, ref) => m.runningDeploymentOn(ctx, ref),
    watcher: (ctx) => new m.CodeDeployWatcher(ctx),
  };
}
