import { CancelledError, describeAwsError, isCancelled, OperationError, outcomeUnknown, throwIfAborted } from './errors';
import { errorName } from './lambdaApi';
import type { OperationContext } from './operationContext';
import type { StepRecord } from './outcome';

/**
 * Runs one AWS call. `write`: the call changes something, so when its answer is lost the state
 * is not claimed in the log — the caller reads it back first.
 */
export async function step<T>(ctx: OperationContext, name: string, stateIfFailed: string, run: () => Promise<T>, write = false): Promise<T> {
  throwIfAborted(ctx.signal, stateIfFailed);
  ctx.log.info(`→ ${name}`);
  const started = performance.now();
  const note = (result: StepRecord['result']) => ctx.record?.steps.push({ name, ms: Math.round(performance.now() - started), result });
  try {
    const out = await run();
    note('ok');
    return out;
  } catch (err) {
    note('failed');
    if (err instanceof OperationError) throw err;
    // A write is never sent with the signal, so its failure is a failure even after Cancel: its
    // outcome must be read back, not assumed away as "cancelled, nothing changed".
    if (isCancelled(err) || (!write && ctx.signal?.aborted)) throw new CancelledError(stateIfFailed);
    const described = describeAwsError(err, ctx.profile);
    const state = write && outcomeUnknown(err) ? 'Outcome unknown: reading back.' : stateIfFailed;
    ctx.log.error(`✗ ${name} failed: ${errorName(err) || 'Error'}: ${(err as Error)?.message ?? String(err)}. ${state}`);
    throw new OperationError(`${name} failed: ${described.message}`, { step: name, state: stateIfFailed, cause: err, kind: described.kind });
  }
}

/** What a read-back after an unclear answer shows. */
export type ReadBack<T> =
  /** The write went through: this is its result. */
  | { landed: T }
  /** It did not: the target is as before. `state` replaces stateIfFailed when the read-back said more. */
  | { landed?: undefined; state?: string };

export interface GuardedWrite<T, R> {
  /** e.g. 'UpdateAlias prod'. */
  step: string;
  /** What is true if the write did not happen. */
  stateIfFailed: string;
  /** Sends the write with its precondition (RevisionId, CodeSha256). */
  send: () => Promise<T>;
  /** Reads what the write writes, when its answer was lost. */
  readBack: () => Promise<R>;
  /** Judges the read-back; throws (e.g. a conflict) when another client wrote meanwhile. */
  judge: (now: R, cause: unknown) => ReadBack<T> | Promise<ReadBack<T>>;
  /** How the log says that a read-back found the write landed, e.g. '$LATEST reads back with the new code: the upload went through'. */
  landedNote?: string;
  /** The error when nothing could be read back: the outcome is unknown. */
  unknown: (cause: unknown) => OperationError;
  /**
   * Maps a refusal by name (PreconditionFailedException: the guard held) to the user's error;
   * undefined keeps the described AWS error.
   */
  refused?: (name: string, cause: unknown, state: string) => OperationError | undefined;
  /** Refusals that, on a retry, may mean the first attempt landed (a delete: ResourceNotFoundException): read back too. */
  retryRefusals?: readonly string[];
}

/**
 * The one way anything is written: a write guarded by its precondition; when no clear answer
 * came back (a dropped connection, a server error, a refusal of a retry whose first attempt may
 * have landed), what it writes is read back and judged instead of guessed, and said to be
 * unknown when it cannot be read; a refusal becomes the user's error (a conflict, usually).
 */
export async function guardedWrite<T, R>(ctx: OperationContext, w: GuardedWrite<T, R>): Promise<T> {
  try {
    return await step(ctx, w.step, w.stateIfFailed, w.send, true);
  } catch (err) {
    if (!(err instanceof OperationError)) throw err;
    let state = w.stateIfFailed;
    if (outcomeUnknown(err.cause, w.retryRefusals)) {
      let now: R;
      try {
        now = await w.readBack();
      } catch {
        ctx.log.error(`${w.step}: no clear answer, and the read-back failed too: the outcome is unknown.`);
        throw w.unknown(err.cause);
      }
      const judged = await w.judge(now, err.cause);
      if (judged.landed !== undefined) {
        ctx.log.warn(`${w.step} got no clear answer (${errorName(err.cause) || 'Error'}), but ${w.landedNote ?? 'reads back as intended: the write went through'}.`);
        return judged.landed;
      }
      ctx.log.info(`${w.step}: read back as before the failed write.`);
      if ('state' in judged && judged.state) state = judged.state;
    }
    const mapped = w.refused?.(errorName(err.cause), err.cause, state);
    if (mapped) throw mapped;
    if (state !== w.stateIfFailed) throw new OperationError(err.message, { step: err.step, state, cause: err.cause, kind: err.kind });
    throw err;
  }
}
