/**
 * Runs a Lambda deployment as CodeDeploy does: Start → BeforeAllowTraffic → AllowTraffic →
 * AfterAllowTraffic → End, shifting the alias through the sandbox's own Lambda API (UpdateAlias,
 * so its RevisionId changes at each step), invoking hook functions and waiting for their
 * PutLifecycleEventHookExecutionStatus (one CodeDeploy hour at most), and watching the group's
 * alarms. A stop, an alarm in ALARM or a failure ends it; auto-rollback then puts the alias back
 * on CurrentVersion in a rollback deployment. One CodeDeploy minute lasts `minuteMs`; every timer
 * is cleared on close().
 */
import * as crypto from 'node:crypto';
import type { AlarmStore } from '../alarms';
import { AwsError } from '../errors';
import type { LambdaService } from '../lambda/service';
import { scheduleOf } from './configs';
import type { CodeDeployState, DeploymentRecord, EventStatus, LifecycleEventRecord } from './state';
import { deploymentId } from './shared';

export const LIFECYCLE_EVENTS = ['Start', 'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic', 'End'] as const;
type EventName = (typeof LIFECYCLE_EVENTS)[number];

/** A hook's time limit: one CodeDeploy hour. */
const HOOK_TIMEOUT_MINUTES = 60;

export interface EngineOptions {
  lambda: LambdaService;
  alarms: AlarmStore;
  /** How long one CodeDeploy minute lasts (ms). */
  minuteMs: number;
  log?: (line: string) => void;
  /** Called after every change of a deployment's record (to persist the state). */
  onChange?: () => void;
  /** Called after each UpdateAlias the engine makes, answered or refused (the sandbox's CloudTrail records it as CodeDeploy's). */
  onAliasUpdate?: (update: EngineAliasUpdate) => void;
}

/** One alias shift by the engine, as CodeDeploy calls Lambda's UpdateAlias with the group's service role. */
export interface EngineAliasUpdate {
  deploymentId: string;
  /** The deployment group's service role, when the group still exists. */
  serviceRoleArn: string | undefined;
  functionName: string;
  alias: string;
  /** UpdateAlias's body as sent. */
  request: Record<string, unknown>;
  reply?: unknown;
  error?: unknown;
}

type Interrupt = { kind: 'stop'; rollback: boolean | undefined } | { kind: 'alarm'; names: string[] } | { kind: 'closed' };
type Failure = { kind: 'failed'; code: string; message: string };

export class DeploymentEngine {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly stops = new Map<string, boolean | undefined>();
  private readonly runs = new Map<string, Promise<void>>();
  private closed = false;
  private readonly pollMs: number;

  constructor(
    private readonly state: CodeDeployState,
    private readonly opts: EngineOptions,
  ) {
    this.pollMs = Math.max(5, Math.min(1000, Math.floor(opts.minuteMs / 10)));
  }

  /** Runs a deployment just created, or carries on one in flight from its record (after a restart). */
  start(d: DeploymentRecord): void {
    const run = this.run(d)
      .catch((e) => {
        this.opts.log?.(`CodeDeploy ${d.deploymentId}: internal error: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
        if (!this.closed && !this.ended(d)) this.finish(d, 'Failed', { kind: 'failed', code: 'INTERNAL_ERROR', message: 'An internal error occurred in the sandbox; its log has the detail.' });
      })
      .finally(() => this.runs.delete(d.deploymentId));
    this.runs.set(d.deploymentId, run);
  }

  /** Asks a deployment in flight to stop; resolves once it has (and rolled back, if it does). */
  async stop(d: DeploymentRecord, rollback: boolean | undefined): Promise<void> {
    this.stops.set(d.deploymentId, rollback);
    this.wake(d.deploymentId);
    await this.runs.get(d.deploymentId);
  }

  wake(id: string): void {
    for (const w of this.wakers.get(id) ?? []) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const id of this.wakers.keys()) this.wake(id);
    await Promise.allSettled([...this.runs.values()]);
  }

  private ended(d: DeploymentRecord): boolean {
    return d.status === 'Succeeded' || d.status === 'Failed' || d.status === 'Stopped';
  }

  private now(): number {
    return this.state.now();
  }

  private sleep(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.wakers.get(id);
      if (!set) this.wakers.set(id, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        set.delete(done);
        if (set.size === 0) this.wakers.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      set.add(done);
    });
  }

  /** Why the deployment must end now, if it must: closed, a stop asked, an alarm of its group in ALARM. */
  private interrupt(d: DeploymentRecord): Interrupt | undefined {
    if (this.closed) return { kind: 'closed' };
    if (this.stops.has(d.deploymentId)) return { kind: 'stop', rollback: this.stops.get(d.deploymentId) };
    const config = d.alarmConfiguration;
    if (config.enabled && config.alarms.length) {
      const out = this.opts.alarms.describeAlarms({ AlarmNames: config.alarms.map((a) => a.name) }, this.now());
      const firing = (out.MetricAlarms as { AlarmName: string; StateValue: string }[]).filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName);
      if (firing.length) return { kind: 'alarm', names: firing };
    }
    return undefined;
  }

  /** Waits until `until` (epoch ms) or `done()`, unless the deployment must end first. */
  private async wait(d: DeploymentRecord, until: number, done?: () => boolean): Promise<Interrupt | undefined> {
    for (;;) {
      const i = this.interrupt(d);
      if (i) return i;
      if (done?.()) return undefined;
      const left = until - this.now();
      if (left <= 0) return undefined;
      await this.sleep(d.deploymentId, Math.min(left, this.pollMs));
    }
  }

  private event(d: DeploymentRecord, name: EventName): LifecycleEventRecord {
    return d.lifecycleEvents.find((e) => e.lifecycleEventName === name)!;
  }

  private mark(d: DeploymentRecord, name: EventName, status: EventStatus): void {
    const e = this.event(d, name);
    const now = this.now();
    if (status === 'InProgress') e.startTime = now;
    else {
      e.startTime ??= now;
      e.endTime = now;
    }
    e.status = status;
    d.targetUpdated = now;
    this.opts.onChange?.();
  }

  /** Puts the alias on `percent` % of the target version (100: the target alone, no routing). */
  private shift(d: DeploymentRecord, percent: number): Failure | undefined {
    const t = d.target!;
    const body =
      percent >= 100
        ? { FunctionVersion: t.targetVersion, RoutingConfig: { AdditionalVersionWeights: {} } }
        : { FunctionVersion: t.currentVersion, RoutingConfig: { AdditionalVersionWeights: percent > 0 ? { [t.targetVersion]: percent / 100 } : {} } };
    // The RevisionId this deployment last saw: an alias changed outside it is not overwritten.
    const request = { ...body, ...(d.aliasRevision ? { RevisionId: d.aliasRevision } : {}) };
    const report = (outcome: { reply?: unknown; error?: unknown }) =>
      this.opts.onAliasUpdate?.({
        deploymentId: d.deploymentId,
        serviceRoleArn: this.state.groups.get(this.state.groupKey(d.applicationName, d.deploymentGroupName))?.serviceRoleArn,
        functionName: t.functionName,
        alias: t.alias,
        request,
        ...outcome,
      });
    try {
      const reply = this.opts.lambda.updateAlias(t.functionName, t.alias, request);
      d.aliasRevision = (reply.body as { RevisionId?: string }).RevisionId;
      report({ reply: reply.body });
    } catch (e) {
      report({ error: e });
      const changed = e instanceof AwsError && e.code === 'PreconditionFailedException';
      return {
        kind: 'failed',
        code: 'INVALID_LAMBDA_CONFIGURATION',
        message: changed
          ? `The deployment failed because the Lambda function alias ${t.functionName}:${t.alias} was changed outside this deployment (its RevisionId is no longer ${d.aliasRevision}); CodeDeploy left it as it is.`
          : `CodeDeploy could not update the alias ${t.functionName}:${t.alias}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    d.targetVersionWeight = percent;
    d.targetUpdated = this.now();
    this.opts.onChange?.();
    return undefined;
  }

  /** The alias as the Lambda API serves it, or why it cannot be read. */
  private alias(functionName: string, alias: string): { FunctionVersion: string; weights: Record<string, number>; revision?: string } | string {
    try {
      const body = this.opts.lambda.getAlias(functionName, alias).body as { FunctionVersion: string; RevisionId?: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> } };
      return { FunctionVersion: body.FunctionVersion, weights: body.RoutingConfig?.AdditionalVersionWeights ?? {}, revision: body.RevisionId };
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** What AWS checks before traffic moves: the alias on CurrentVersion alone, TargetVersion published. */
  private check(d: DeploymentRecord): Failure | undefined {
    if (!d.target) {
      return { kind: 'failed', code: 'INVALID_LAMBDA_CONFIGURATION', message: `The deployment failed because the AppSpec file that specifies the AWS Lambda deployment configuration is missing or has an invalid configuration. ${d.appSpecProblem ?? ''}`.trim() };
    }
    const t = d.target;
    const other = [...this.state.deployments.values()].find(
      (o) => o !== d && o.target?.functionName === t.functionName && o.target.alias === t.alias && !this.ended(o) && (o.status !== 'Created' || o.creator === 'codeDeployRollback'),
    );
    if (other) {
      return { kind: 'failed', code: 'INVALID_LAMBDA_CONFIGURATION', message: `The deployment failed because deployment ${other.deploymentId} (group ${other.deploymentGroupName}) is already shifting the Lambda function alias ${t.functionName}:${t.alias}.` };
    }
    const a = this.alias(t.functionName, t.alias);
    if (typeof a === 'string') return { kind: 'failed', code: 'INVALID_LAMBDA_FUNCTION', message: `The deployment failed because the Lambda function alias ${t.functionName}:${t.alias} could not be read: ${a}` };
    if (a.FunctionVersion !== t.currentVersion || Object.keys(a.weights).length) {
      const now = Object.keys(a.weights).length ? `${a.FunctionVersion} with ${Object.keys(a.weights)[0]} at ${Object.values(a.weights)[0]}` : a.FunctionVersion;
      return {
        kind: 'failed',
        code: 'INVALID_LAMBDA_CONFIGURATION',
        message: `The deployment failed because the AppSpec file that specifies the AWS Lambda deployment configuration is missing or has an invalid configuration. The Lambda function alias version does not match the current version in AppSpec file (alias ${t.alias} serves ${now}; CurrentVersion is ${t.currentVersion}).`,
      };
    }
    try {
      const config = this.opts.lambda.getFunctionConfiguration(t.functionName, new URLSearchParams({ Qualifier: t.targetVersion })).body as { State?: string };
      if (config.State === 'Failed') throw new AwsError('ResourceConflictException', 409, `version ${t.targetVersion} is in state Failed`);
    } catch (e) {
      return { kind: 'failed', code: 'INVALID_LAMBDA_FUNCTION', message: `The deployment failed because the target version ${t.targetVersion} of ${t.functionName} cannot serve: ${e instanceof Error ? e.message : String(e)}` };
    }
    d.aliasRevision = a.revision;
    return undefined;
  }

  /** Runs one hook: invokes its function and waits for its status (or an hour, or an interrupt). */
  private async hook(d: DeploymentRecord, name: 'BeforeAllowTraffic' | 'AfterAllowTraffic', fn: string | undefined): Promise<Interrupt | Failure | undefined> {
    this.mark(d, name, 'InProgress');
    if (!fn) {
      this.mark(d, name, 'Succeeded');
      return undefined;
    }
    const executionId = crypto.randomBytes(48).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
    d.hook = { executionId, event: name, startedAt: this.now() };
    d.pastHooks.push(executionId);
    this.opts.onChange?.();
    try {
      const payload = Buffer.from(JSON.stringify({ DeploymentId: d.deploymentId, LifecycleEventHookExecutionId: executionId }));
      await this.opts.lambda.invoke(fn, new URLSearchParams(), { 'x-amz-invocation-type': 'Event' }, payload);
    } catch (e) {
      return this.failHook(d, name, fn, 'ScriptMissing', `CodeDeploy could not invoke the hook function: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.awaitHook(d, name, fn);
  }

  private failHook(d: DeploymentRecord, name: 'BeforeAllowTraffic' | 'AfterAllowTraffic', fn: string, errorCode: string, message: string): Failure {
    const e = this.event(d, name);
    e.diagnostics = { errorCode, scriptName: fn, message, logTail: '' };
    d.hook = undefined;
    this.mark(d, name, 'Failed');
    return { kind: 'failed', code: 'HOOK_EXECUTION_FAILURE', message: `The deployment failed because one or more of the lifecycle event hooks failed: ${name} (${fn}): ${message}` };
  }

  /** Waits for the hook invoked (its status, or one CodeDeploy hour from its start). */
  private async awaitHook(d: DeploymentRecord, name: 'BeforeAllowTraffic' | 'AfterAllowTraffic', fn: string): Promise<Interrupt | Failure | undefined> {
    const i = await this.wait(d, (d.hook?.startedAt ?? this.now()) + HOOK_TIMEOUT_MINUTES * this.opts.minuteMs, () => d.hook?.status !== undefined);
    if (i) return i;
    const status = d.hook?.status;
    if (status === 'Succeeded') {
      d.hook = undefined;
      this.mark(d, name, 'Succeeded');
      return undefined;
    }
    if (status === 'Failed') return this.failHook(d, name, fn, 'ScriptFailed', 'The hook function reported Failed (PutLifecycleEventHookExecutionStatus).');
    return this.failHook(d, name, fn, 'ScriptTimedOut', `No PutLifecycleEventHookExecutionStatus came within ${HOOK_TIMEOUT_MINUTES} minutes.`);
  }

  /** A hook's lifecycle event: run it, or (carried on after a restart) wait for the one in flight. */
  private hookEvent(d: DeploymentRecord, name: 'BeforeAllowTraffic' | 'AfterAllowTraffic', fn: string | undefined): Promise<Interrupt | Failure | undefined> {
    const e = this.event(d, name);
    if (e.status === 'Succeeded') return Promise.resolve(undefined);
    if (e.status === 'InProgress' && fn && d.hook?.event === name) return this.awaitHook(d, name, fn);
    return this.hook(d, name, fn);
  }

  /**
   * Each lifecycle event in turn, from the first not yet done: a deployment carried on after a
   * restart resumes where its record stands, its schedule counted from the recorded start of
   * AllowTraffic (steps whose successor is already due are skipped: the alias goes to the step
   * due now).
   */
  private async run(d: DeploymentRecord): Promise<void> {
    if (d.status === 'Created') {
      d.status = 'InProgress';
      d.startTime = this.now();
      d.targetStatus = 'InProgress';
      const g = this.state.groups.get(this.state.groupKey(d.applicationName, d.deploymentGroupName));
      if (g?.lastAttempted?.deploymentId === d.deploymentId) g.lastAttempted = { ...g.lastAttempted, status: 'InProgress' };
      this.mark(d, 'Start', 'InProgress');
      this.mark(d, 'Start', 'Succeeded');
    }
    const step = async (): Promise<Interrupt | Failure | undefined> => {
      // A rollback starts from wherever the failed deployment left the alias.
      if (this.event(d, 'BeforeAllowTraffic').status === 'Pending' && d.creator !== 'codeDeployRollback') {
        const bad = this.check(d);
        if (bad) {
          // Nothing moved: the deployment fails before its first hook, as AWS's does.
          this.mark(d, 'BeforeAllowTraffic', 'InProgress');
          this.mark(d, 'BeforeAllowTraffic', 'Failed');
          return bad;
        }
      }
      const before = await this.hookEvent(d, 'BeforeAllowTraffic', d.target!.beforeAllowTraffic);
      if (before) return before;
      if (this.event(d, 'AllowTraffic').status !== 'Succeeded') {
        if (d.allowTrafficStart === undefined) {
          d.allowTrafficStart = this.now();
          this.mark(d, 'AllowTraffic', 'InProgress');
        }
        const from = d.allowTrafficStart;
        const steps = scheduleOf(d.routing);
        for (const [k, s] of steps.entries()) {
          const next = steps[k + 1];
          if (next && from + next.atMinute * this.opts.minuteMs <= this.now()) continue;
          const i = await this.wait(d, from + s.atMinute * this.opts.minuteMs);
          if (i) return i;
          if (d.targetVersionWeight === s.percent) continue;
          const failed = this.shift(d, s.percent);
          if (failed) return failed;
        }
        this.mark(d, 'AllowTraffic', 'Succeeded');
      }
      return this.hookEvent(d, 'AfterAllowTraffic', d.target!.afterAllowTraffic);
    };
    const outcome = await step();
    if (outcome?.kind === 'closed') return;
    if (!outcome) {
      this.mark(d, 'End', 'InProgress');
      this.mark(d, 'End', 'Succeeded');
      this.finish(d, 'Succeeded');
      return;
    }
    if (outcome.kind === 'failed') this.finish(d, 'Failed', outcome);
    else if (outcome.kind === 'alarm') {
      this.finish(d, 'Stopped', {
        kind: 'failed',
        code: 'ALARM_ACTIVE',
        message: `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${outcome.names.join(', ')}>`,
      });
    } else {
      this.finish(d, 'Stopped', { kind: 'failed', code: 'MANUAL_STOP', message: 'The deployment was stopped by a user (StopDeployment).' }, outcome.rollback);
    }
  }

  /** Ends a deployment, then rolls it back when its auto-rollback (or StopDeployment's choice) says so. */
  private finish(d: DeploymentRecord, status: 'Succeeded' | 'Failed' | 'Stopped', error?: Failure, stopRollback?: boolean): void {
    const now = this.now();
    for (const e of d.lifecycleEvents) {
      if (e.status === 'InProgress') {
        e.status = 'Failed';
        e.endTime = now;
      } else if (e.status === 'Pending') e.status = 'Skipped';
    }
    d.hook = undefined;
    d.status = status;
    d.completeTime = now;
    d.targetStatus = status === 'Succeeded' ? 'Succeeded' : 'Failed';
    d.targetUpdated = now;
    if (error) d.errorInformation = { code: error.code, message: error.message };
    this.stops.delete(d.deploymentId);
    const g = this.state.groups.get(this.state.groupKey(d.applicationName, d.deploymentGroupName));
    const last = { deploymentId: d.deploymentId, status, endTime: now, createTime: d.createTime };
    if (g) {
      g.lastAttempted = last;
      if (status === 'Succeeded') g.lastSuccessful = last;
    }
    this.opts.log?.(`CodeDeploy ${d.deploymentId}: ${status}${error ? ` (${error.code})` : ''}`);
    this.opts.onChange?.();
    if (status === 'Succeeded' || !d.target) return;
    const rb = d.autoRollbackConfiguration;
    const event = error?.code === 'ALARM_ACTIVE' ? 'DEPLOYMENT_STOP_ON_ALARM' : error?.code === 'MANUAL_STOP' ? 'DEPLOYMENT_STOP_ON_REQUEST' : 'DEPLOYMENT_FAILURE';
    const rollback = stopRollback ?? (rb.enabled && rb.events.includes(event));
    if (rollback) this.rollback(d);
  }

  /**
   * AWS's rollback: a new deployment (creator codeDeployRollback, AllAtOnce, no hooks) whose
   * revision swaps the versions (CurrentVersion the failed target, TargetVersion the old one),
   * run by this engine like any other: Created, InProgress, then Succeeded once the alias is back
   * on the old version alone (or Failed if it cannot be put back).
   */
  private rollback(d: DeploymentRecord): void {
    const t = d.target!;
    const now = this.now();
    const id = deploymentId();
    const a = this.alias(t.functionName, t.alias);
    const unmoved = typeof a !== 'string' && a.FunctionVersion === t.currentVersion && Object.keys(a.weights).length === 0;
    const revision = typeof a === 'string' ? undefined : a.revision;
    const content = JSON.stringify({
      version: '0.0',
      Resources: [{ [t.functionName]: { Type: 'AWS::Lambda::Function', Properties: { Name: t.functionName, Alias: t.alias, CurrentVersion: t.targetVersion, TargetVersion: t.currentVersion } } }],
    });
    const r: DeploymentRecord = {
      deploymentId: id,
      applicationName: d.applicationName,
      deploymentGroupName: d.deploymentGroupName,
      deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
      routing: { type: 'AllAtOnce' },
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: crypto.createHash('sha256').update(content).digest('hex') } },
      creator: 'codeDeployRollback',
      status: 'Created',
      createTime: now,
      rollbackInfo: { rollbackTriggeringDeploymentId: d.deploymentId, rollbackMessage: `Rollback of deployment ${d.deploymentId}: the alias ${t.alias} goes back to version ${t.currentVersion}.` },
      autoRollbackConfiguration: { enabled: false, events: [] },
      alarmConfiguration: { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
      target: { functionName: t.functionName, alias: t.alias, currentVersion: t.targetVersion, targetVersion: t.currentVersion },
      targetStatus: 'Pending',
      targetUpdated: now,
      lifecycleEvents: LIFECYCLE_EVENTS.map((name) => ({ lifecycleEventName: name, status: 'Pending' })),
      // The alias already on the old version alone is not written again.
      targetVersionWeight: unmoved ? 100 : 0,
      ...(revision ? { aliasRevision: revision } : {}),
      pastHooks: [],
    };
    this.state.deployments.set(id, r);
    d.rollbackInfo = { rollbackDeploymentId: id, rollbackMessage: `Deployment ${d.deploymentId} is rolled back by deployment ${id}: the alias ${t.alias} goes back to version ${t.currentVersion}.` };
    const g = this.state.groups.get(this.state.groupKey(r.applicationName, r.deploymentGroupName));
    if (g) g.lastAttempted = { deploymentId: id, status: 'Created', createTime: now };
    this.opts.log?.(`CodeDeploy ${d.deploymentId}: rolled back by ${id}`);
    this.opts.onChange?.();
    this.start(r);
  }
}
