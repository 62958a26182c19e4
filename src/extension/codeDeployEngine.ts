import type { CodeDeployConfigChoice, CodeDeployContext, CodeDeployDetail, CodeDeployManagement, CodeDeployRolloutView, CodeDeploySend, RunningDeployment, StartCodeDeployInput, StopCodeDeployInput } from '../core/codedeploy/types';
import type { CodeDeployModule } from '../core/codeDeployModule';
import { loadCodeDeploy } from '../core/codeDeployModule';
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

/** The functions of the core's module (as its index.ts documents them). */
interface CoreFunctions {
  startCodeDeployRollout(ctx: CodeDeployContext, input: StartCodeDeployInput & { smokeEvent?: unknown }): Promise<Outcome<CodeDeployDetail>>;
  stopCodeDeployRollout(ctx: CodeDeployContext, input: StopCodeDeployInput): Promise<Outcome<CodeDeployDetail>>;
  codeDeployManagement(ctx: CodeDeployContext, ref: { functionName: string; aliasName: string }): Promise<CodeDeployManagement | undefined>;
  runningDeploymentOn(ctx: CodeDeployContext, ref: { functionName: string; aliasName: string }): Promise<RunningDeployment | undefined>;
  CodeDeployWatcher: new (ctx: CodeDeployContext) => CodeDeployWatcherPort;
}

function engineOf(m: CodeDeployModule): CodeDeployEngine {
  const core = m as unknown as Partial<CoreFunctions>;
  const need = <K extends keyof CoreFunctions>(k: K): CoreFunctions[K] => {
    const f = core[k];
    if (!f) throw new OperationError(`This build's CodeDeploy engine has no ${k}.`, { kind: 'validation', state: 'Nothing was changed.' });
    return f;
  };
  return {
    configFor: (plan) => m.codeDeployConfigFor(plan),
    start: (ctx, input) => need('startCodeDeployRollout')(ctx, input),
    stop: (ctx, input) => need('stopCodeDeployRollout')(ctx, input),
    management: (ctx, ref) => need('codeDeployManagement')(ctx, ref),
    running: (ctx, ref) => need('runningDeploymentOn')(ctx, ref),
    watcher: (ctx) => new (need('CodeDeployWatcher'))(ctx),
  };
}
