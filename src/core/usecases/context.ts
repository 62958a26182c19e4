import { randomUUID } from 'node:crypto';
import type { Capabilities } from '../connection';
import { CancelledError, errorSummary, isCancelled, OperationError } from '../errors';
import type { LambdaSend } from '../lambdaApi';
import type { JournalRecord } from '../journal/journal';
import type { Logger } from '../log';
import type { OperationContext } from '../operations';
import { newOperationRecord } from '../operations';
import type { ActionName, Outcome, OutcomeState, Target } from '../outcome';
import { aliasState, sameRouting, targetOf } from '../outcome';
import type { CloudWatchSend } from '../traffic';

/**
 * Where outcomes go after each use case: the deployment journal (src/core/journal), seen through
 * the two things use cases need of it. Front ends pass one bound to their connection.
 */
export interface JournalPort {
  append(outcome: Outcome): Promise<unknown>;
  /** The last blue/green move of the alias with this targetKey that Switch Back can undo. */
  lastSwitch(key: string): Promise<{ from: string; to: string } | undefined>;
  /** The rollout records of this connection, oldest first, each with its journal key (src/core/rollout/records.ts). */
  rollouts?(): Promise<Array<Outcome & { key: string }>>;
  /** The release records (action 'release') of this connection, oldest first, each with its journal key (src/core/releases/records.ts). */
  releases?(): Promise<Array<Outcome & { key: string }>>;
  /** The CodeDeploy records (action 'codedeploy') of this connection, oldest first, each with its journal key (src/core/codedeploy/watcher.ts). */
  codeDeploys?(): Promise<Array<Outcome & { key: string }>>;
  /**
   * The records of this connection about the alias with this targetKey (any action), oldest first,
   * appended at or after `since`, with who wrote them; the problems with lines that were skipped
   * (src/core/history reads it).
   */
  history?(key: string, since?: Date): Promise<{ records: JournalRecord[]; problems: string[] }>;
}

/** What every use case is given: clients, connection capabilities, and the caller's hooks. */
export interface UseCaseContext {
  lambda: LambdaSend;
  cloudwatch: CloudWatchSend;
  capabilities: Capabilities;
  log: Logger;
  /** Cancels the use case between its steps; a write already sent is never abandoned. */
  signal?: AbortSignal;
  /** One short message per step, for a progress notification or stderr. */
  progress?: (message: string) => void;
  /** Profile in use, for credential advice in error messages. */
  profile?: string;
  /** The connection's region, for the outcome's target until the alias ARN says it. */
  region?: string;
  /** Every outcome is appended here when set. */
  journal?: JournalPort;
  /** Overrides the smoke invoke's request timeout (ms). */
  smokeTimeoutMs?: number;
  /**
   * The CodeDeploy deployment in flight on an alias, if any (codeDeployGuardFor in
   * src/core/codeDeployModule.ts): when set, every use case that writes an existing alias asks it
   * first and refuses while CodeDeploy shifts that alias. Absent: no CodeDeploy request is made.
   */
  codeDeployGuard?: (ref: { functionName: string; aliasName: string }, signal?: AbortSignal) => Promise<GuardedDeployment | undefined>;
}

/** A CodeDeploy deployment in flight on an alias (the same shape as codedeploy/types' RunningDeployment). */
export interface GuardedDeployment {
  deploymentId: string;
  status: string;
  application: string;
  deploymentGroup: string;
}

/**
 * Refuses (kind 'conflict', nothing changed) a write to an alias that a CodeDeploy deployment is
 * shifting; a guard that cannot read (no permission, the network) does not block: the outcome
 * gets a warning instead. Nothing is asked when the context has no guard.
 */
export async function checkCodeDeployGuard(ctx: Pick<UseCaseContext, 'codeDeployGuard' | 'signal' | 'log'>, op: OperationContext, ref: { functionName: string; aliasName: string }): Promise<void> {
  if (!ctx.codeDeployGuard) return;
  let running: GuardedDeployment | undefined;
  try {
    running = await ctx.codeDeployGuard(ref, ctx.signal);
  } catch (err) {
    if (isCancelled(err) || ctx.signal?.aborted) throw new CancelledError('Nothing was changed.');
    const warning = `Whether a CodeDeploy deployment is shifting ${ref.aliasName} could not be checked (${errorSummary(err)}): if one is, this write and CodeDeploy's will conflict.`;
    ctx.log.warn(warning);
    op.record?.warnings.push(warning);
    return;
  }
  if (running) {
    throw new OperationError(
      `${ref.functionName}:${ref.aliasName} is being deployed by CodeDeploy deployment ${running.deploymentId} (${running.status}, ${running.application}/${running.deploymentGroup}): stop it (lambda-canary rollout stop ${ref.functionName}:${ref.aliasName} [--rollback], or Stop in the editor) or wait for it to end.`,
      { state: 'Nothing was changed.', kind: 'conflict', step: 'CodeDeploy guard' },
    );
  }
}

export interface AliasInput {
  functionName: string;
  aliasName: string;
  /** The RevisionId the user decided on (e.g. what the tree showed): nothing is written if the alias changed since. */
  expectedRevisionId?: string;
}

/** Actions that read and never write an alias: done when they ran. */
const READ_ONLY: ReadonlySet<ActionName> = new Set(['probe', 'traffic', 'triggers', 'history']);

/**
 * Runs one use case: gives the operation a record to fill, turns what it returned or threw into
 * an Outcome, and appends that to the journal. Only a programming error escapes as an exception.
 */
export async function runUseCase<D>(
  ctx: UseCaseContext,
  action: ActionName,
  ref: { functionName: string; aliasName: string },
  body: (op: OperationContext) => Promise<D | undefined>,
  options: { journal?: boolean } = {},
): Promise<Outcome<D>> {
  const record = newOperationRecord();
  const startedAt = new Date().toISOString();
  const op: OperationContext = {
    lambda: ctx.lambda,
    log: ctx.log,
    signal: ctx.signal,
    progress: ctx.progress,
    waiters: ctx.capabilities.waiters,
    profile: ctx.profile,
    smokeTimeoutMs: ctx.smokeTimeoutMs,
    record,
  };
  let detail: D | undefined;
  let error: OperationError | undefined;
  try {
    detail = await body(op);
  } catch (err) {
    if (err instanceof OperationError) error = err;
    else if (isCancelled(err)) error = new CancelledError();
    else {
      ctx.log.error(`${action} failed unexpectedly: ${(err as Error)?.stack ?? errorSummary(err)}`);
      error = new OperationError(`Lambda Canary failed unexpectedly: ${errorSummary(err)}`, { cause: err });
    }
  }
  const before = record.before ? aliasState(record.before) : undefined;
  const after = record.after ? aliasState(record.after) : undefined;
  const target: Target = targetOf(ref, record.before ?? record.after, ctx.region);
  if (error?.detail !== undefined && detail === undefined) detail = error.detail as D;
  let note: string | undefined;
  if (error?.nothingToDo) {
    note = error.message;
    error = undefined;
  }
  let state: OutcomeState;
  if (note) state = 'unchanged';
  else if (error) state = error.kind === 'unknown' ? 'unknown' : 'unchanged';
  else if (READ_ONLY.has(action)) state = 'done';
  else state = before && after && sameRouting(before, after) ? 'unchanged' : 'done';
  const outcome: Outcome<D> = {
    id: randomUUID(),
    action,
    target,
    startedAt,
    endedAt: new Date().toISOString(),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    versionsPublished: record.published,
    ...(record.uploadSkipped !== undefined ? { uploadSkipped: record.uploadSkipped } : {}),
    steps: record.steps,
    state,
    ...(error ? { error: { kind: error.kind, message: error.message, ...(error.step ? { step: error.step } : {}), ...(error.state ? { left: error.state } : {}) } } : {}),
    // An alias read twice (Switch Back) must not warn twice.
    warnings: [...new Set(record.warnings)],
    ...(note ? { note } : {}),
    ...(detail !== undefined ? { detail } : {}),
  };
  if (ctx.journal && options.journal !== false) {
    try {
      await ctx.journal.append(outcome);
    } catch (err) {
      const warning = `The outcome could not be written to the deployment journal (${errorSummary(err)}): Switch Back and history will not know of it.`;
      ctx.log.warn(warning);
      outcome.warnings.push(warning);
    }
  }
  return outcome;
}
