/**
 * A rollout as the front ends show it: built by the runner (src/core/rollout) from the journal
 * and the judge, rendered by the tree, the status bar, the traffic panel's timeline and the CLI.
 * Plain data, no Node, DOM or vscode types: the webview compiles this file too.
 */

export type RolloutVerdict = 'Pass' | 'Fail' | 'Marginal' | 'NoData' | 'Pending';

/**
 * running: stepping by itself. paused: a person paused it (the judge keeps watching and a Fail
 * still rolls back). waiting: a manual gate passed, Next or Promote goes on. halted: it needs a
 * person before anything is written (a teammate changed the alias, a verdict asks, a write's
 * outcome is unknown). The others are ends.
 */
export type RolloutStatus = 'running' | 'paused' | 'waiting' | 'halted' | 'promoted' | 'rolled-back' | 'aborted' | 'completed' | 'abandoned';

export const ROLLOUT_ENDS: ReadonlySet<RolloutStatus> = new Set<RolloutStatus>(['promoted', 'rolled-back', 'aborted', 'completed', 'abandoned']);

export type RolloutControl = 'pause' | 'resume' | 'next' | 'promote' | 'abort';

export interface RolloutStepView {
  /** Percent of the alias's traffic for the new version; 100 is the promotion. */
  weight: number;
  bakeSeconds: number;
  gate: 'auto' | 'manual';
  /** When the weight was set (epoch ms). */
  startedAt?: number;
  /** When the step was left (next step, promotion, rollback). */
  endedAt?: number;
  /** The decisive verdict of the step, once there is one. */
  verdict?: RolloutVerdict;
  sentence?: string;
}

export interface RolloutEvidenceView {
  verdict: RolloutVerdict;
  /** One sentence with the numbers that explain it. */
  sentence: string;
  canary: { version: string; invocations: number; errors: number; errorRate: number; p99Ms?: number; meanMs?: number; throttles: number };
  stable: { version: string; invocations: number; errors: number; errorRate: number; p99Ms?: number; meanMs?: number };
  /** Wald's SPRT: the log-likelihood ratio between its bounds. */
  sprt: { llr: number; lower: number; upper: number; p0: number; p1: number };
  alarmsInAlarm: string[];
  /** How old the newest complete metrics were. */
  dataAgeMs?: number;
  /** When this evidence was read (epoch ms). */
  at: number;
}

export interface RolloutView {
  id: string;
  functionName: string;
  aliasName: string;
  /** The version being rolled out, and the one it replaces. */
  version: string;
  stable: string;
  /** The plan as typed (`10%@5m, 50%@10m manual, 100%`) and its preset name, if any. */
  planText: string;
  planName?: string;
  alarms: string[];
  steps: RolloutStepView[];
  /** Index into steps of the step in force (the last one set). */
  current: number;
  status: RolloutStatus;
  /** One sentence: why it is paused, halted or waiting, or how it ended. */
  statusText: string;
  startedAt: number;
  endedAt?: number;
  /** The current step's bake: judged from `bakeStart` for `bakeMs` (longer after a Resume). */
  bakeStart?: number;
  bakeMs?: number;
  evidence?: RolloutEvidenceView;
  /** Who drives it now, from the lease on the alias; `self`: this window or process. */
  driver?: { holder: string; since?: number; until: number; self: boolean };
  /**
   * Who steps it: 'local' (this extension's or CLI's runner, the default when absent) or
   * 'codedeploy' (AWS CodeDeploy, which goes on with the editor closed; `codeDeploy` says how).
   */
  engine?: RolloutEngine;
  codeDeploy?: CodeDeployRolloutInfo;
}

export type RolloutEngine = 'local' | 'codedeploy';

/** A lifecycle event of a CodeDeploy Lambda deployment (Start, BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic, End). */
export interface CodeDeployLifecycleView {
  name: string;
  /** CodeDeploy's LifecycleEventStatus: Pending, InProgress, Succeeded, Failed, Skipped, Unknown. */
  status: string;
  /** The hook function for BeforeAllowTraffic / AfterAllowTraffic, from the AppSpec. */
  hookFunction?: string;
  startedAt?: number;
  endedAt?: number;
  /** diagnostics.message (text from AWS: shown as text only). */
  message?: string;
}

/** What a CodeDeploy-driven rollout adds to its view; read from GetDeployment and its deployment target. */
export interface CodeDeployRolloutInfo {
  deploymentId: string;
  application: string;
  deploymentGroup: string;
  /** `CodeDeployDefault.LambdaCanary10Percent5Minutes` or a custom config's name. */
  config: string;
  /** CodeDeploy's DeploymentStatus: Created, Queued, InProgress, Baking, Succeeded, Failed, Stopped, Ready. */
  deploymentStatus: string;
  /** lambdaTarget's targetVersionWeight as a percent (0–100), when the target was read. */
  targetVersionWeight?: number;
  lifecycle: CodeDeployLifecycleView[];
  /** errorInformation in words (code and message). */
  error?: string;
  /** rollbackInfo: the deployment that rolled this one back, and why. */
  rollback?: { deploymentId?: string; message?: string };
  /** When the status was last read from CodeDeploy (epoch ms). */
  readAt: number;
}

/** `step 2/4`, for labels. */
export function stepLabel(v: Pick<RolloutView, 'current' | 'steps'>): string {
  return `step ${v.current + 1}/${v.steps.length}`;
}
