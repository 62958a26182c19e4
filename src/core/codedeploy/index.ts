/**
 * The CodeDeploy engine (loaded on first use as dist/codedeploy.js, with the CodeDeploy client):
 *
 *   codeDeployConfigFor(plan): CodeDeployConfigChoice                      (pure; throws PlanError)
 *     A preset → `CodeDeployDefault.Lambda…`; a custom plan of canary shape (`p%@Nm, 100%`) →
 *     TimeBasedCanary, of linear shape (equal increments, equal bakes, ending at 100%) →
 *     TimeBasedLinear, `100%` → AllAtOnce, named after its shape
 *     (`LambdaCanary.Canary25Percent7Minutes`). Refused with the reason: manual gates, bakes not in
 *     whole minutes, a plan that does not promote, any other shape.
 *
 *   appSpecOf({ functionName, aliasName, currentVersion, targetVersion, hooks }): { content, sha256 }  (pure)
 *
 *   startCodeDeployRollout(ctx, StartCodeDeployInput): Promise<Outcome<CodeDeployDetail>>
 *     action 'codedeploy', journalled. Checks first (nothing created on a refusal): the alias is as
 *     expected, serves another version with no split, has no live local lease and no CodeDeploy
 *     deployment in flight, the plan maps to a config, a service role is known for a new group.
 *     Then reuses or creates the application, the deployment group (alarms from the plan,
 *     auto-rollback on failure, alarm and stop; its alarms updated to the plan's), the custom
 *     config, and calls CreateDeployment.
 *
 *   stopCodeDeployRollout(ctx, StopCodeDeployInput): Promise<Outcome<CodeDeployDetail>>
 *     action 'codedeploy' (event 'stop'), journalled: StopDeployment with autoRollbackEnabled.
 *
 *   readCodeDeployRollout(ctx, deploymentId, known?: CodeDeployDetail): Promise<CodeDeployRolloutView>
 *     GetDeployment + its Lambda deployment target → a RolloutView (steps from the config, the
 *     current weight from targetVersionWeight, status and statusText from the deployment's).
 *
 *   runningDeploymentOn(ctx, { functionName, aliasName }): Promise<RunningDeployment | undefined>
 *     The deployment in flight on the alias, if any (ListDeployments of in-flight statuses, each
 *     one's AppSpec read for its function and alias).
 *
 *   codeDeployManagement(ctx, { functionName, aliasName }): Promise<CodeDeployManagement | undefined>
 *     A deployment group whose last deployment targeted the alias.
 *
 *   CodeDeployWatcher: the journal's started-and-not-ended CodeDeploy rollouts, polled (views,
 *     onDidChange, waitForEnd), each end journalled once ('ended').
 */
export * from './types';
export { createCodeDeployClient } from './client';
export { codeDeployConfigFor, stepsOfConfig } from './config';
export { appSpecOf, readAppSpec } from './appspec';
export { viewOfDeployment, isInFlight, IN_FLIGHT_STATUSES } from './view';
export { readCodeDeployRollout } from './read';
export { runningDeploymentOn, codeDeployManagement } from './find';
export { startCodeDeployRollout, DEFAULT_APPLICATION, defaultDeploymentGroup, SERVICE_ROLE_POLICY } from './start';
export { stopCodeDeployRollout } from './stop';
export { CodeDeployWatcher, codeDeployRecords } from './watcher';
export type { CodeDeployWatcherOptions } from './watcher';
