import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import type { WaiterTiming } from './connection';
import type { LambdaSend } from './lambdaApi';
import type { Logger } from './log';
import type { PublishedVersion, StepRecord } from './outcome';

/**
 * Filled in as an operation runs: the facts its use case's Outcome reports (src/core/outcome.ts),
 * gathered where they happen rather than reconstructed from messages.
 */
export interface OperationRecord {
  steps: StepRecord[];
  /** The alias as the operation read it before writing. */
  before?: AliasConfiguration;
  /** The alias as the write returned it, or as a read-back after an unclear answer found it. */
  after?: AliasConfiguration;
  published: PublishedVersion[];
  uploadSkipped?: boolean;
  warnings: string[];
}

export function newOperationRecord(): OperationRecord {
  return { steps: [], published: [], warnings: [] };
}

export interface OperationContext {
  lambda: LambdaSend;
  log: Logger;
  signal?: AbortSignal;
  /** One short message per step, for a progress notification. */
  progress?: (message: string) => void;
  waiters?: WaiterTiming;
  /** Where the operation notes what it did; see OperationRecord. */
  record?: OperationRecord;
  /** Profile in use, for credential advice in error messages. */
  profile?: string;
  /**
   * Request timeout of the smoke invoke, in ms. Default: the new version's own Timeout plus 10 s
   * for a cold start, so a slow but healthy handler is not cut off by the client's shorter
   * request timeout.
   */
  smokeTimeoutMs?: number;
}

export interface AliasRef {
  functionName: string;
  aliasName: string;
  /**
   * The alias RevisionId the user decided on (e.g. the one the tree showed). When set and the
   * alias has changed since, nothing is written.
   */
  expectedRevisionId?: string;
  /**
   * Promote / roll back only if the alias's canary is this version (e.g. the one a CI job
   * deployed): another's canary is left alone.
   */
  expectedCanary?: string;
}
