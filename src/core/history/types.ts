import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { HistoryRouting } from '../../shared/history';
import type { AliasInput, UseCaseContext } from '../usecases/context';

/** The CloudTrail client as history uses it (Clients.cloudtrail() in src/core/connection.ts). */
export type CloudTrailSend = Pick<CloudTrailClient, 'send'>;

/** A history read's context: a use case context, and CloudTrail's client when it may be asked. */
export interface HistoryContext extends UseCaseContext {
  /** Absent: the history is the journal's alone (the status says CloudTrail was not asked). */
  cloudtrail?: () => Promise<CloudTrailSend>;
  /** The clock, for tests. */
  now?: () => number;
}

export interface HistoryInput extends AliasInput {
  /** Default: 7 days before `until`. */
  since?: Date;
  /** Default: now. */
  until?: Date;
  /** At most this many LookupEvents pages (50 events each) are read; default 20. */
  maxCloudTrailPages?: number;
}

export interface ReturnToStateInput extends AliasInput {
  /** The routing to restore (an entry's returnTo.state). */
  state: HistoryRouting;
  /** The history entry it comes from, recorded in the outcome's detail. */
  entryId?: string;
  /** That entry's time (ISO), for the messages. */
  entryAt?: string;
}

/** The detail of a 'return' outcome. */
export interface ReturnToStateDetail {
  state: HistoryRouting;
  entryId?: string;
  entryAt?: string;
}
