import type { Event as LookupEvent } from '@aws-sdk/client-cloudtrail';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { HistoryActor, HistoryCloudTrailStatus } from '../../shared/history';
import { errorSummary, isCancelled } from '../errors';
import { errorName } from '../lambdaApi';
import { functionNameParts } from '../outcome';
import type { CloudTrailSend } from './types';
import { trailActor, trailIdentity } from './who';

/**
 * CloudTrail's side of history: LookupEvents for Lambda's events, paged (the connection's client
 * paces them under CloudTrail's documented limit of 2 requests a second), and each event's CloudTrailEvent JSON read
 * defensively (it is text from AWS: anything may be missing or odd).
 */

/** A Lambda write as history uses it. */
export interface TrailEvent {
  /** CloudTrail's EventId. */
  id: string;
  /** The event name without AWS's API date (`UpdateAlias`). */
  name: string;
  /** ISO time, and the same in ms. */
  at: string;
  ms: number;
  who: HistoryActor;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** CloudTrail's Lambda event names carry the API's date: `UpdateAlias20150331` → `UpdateAlias`, `UpdateFunctionCode20150331v2` → `UpdateFunctionCode`. */
export function stripApiDate(name: string): string {
  return name.replace(/\d{8}(v\d+)?$/, '');
}

export { functionNameParts };

/** Whether a request's functionName names this function (by name; account and region too where both sides say them). */
export function sameFunction(given: unknown, fn: { name: string; account?: string; region?: string }): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const p = functionNameParts(given);
  if (p.name !== fn.name) return false;
  if (p.account && fn.account && p.account !== fn.account) return false;
  if (p.region && fn.region && p.region !== fn.region) return false;
  return true;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why an event was not used: counted, never thrown. */
export type SkipReason = 'unreadable' | 'read-only' | 'failed';

/**
 * One LookupEvents event → a TrailEvent, or why it is skipped: CloudTrailEvent that is not a JSON
 * object or lacks a name or a time ('unreadable'), a read ('read-only'), a call that failed ('failed').
 */
export function parseTrailEvent(e: Pick<LookupEvent, 'EventId' | 'EventName' | 'EventTime' | 'CloudTrailEvent' | 'ReadOnly'>): TrailEvent | SkipReason {
  let body: unknown;
  try {
    body = typeof e.CloudTrailEvent === 'string' ? JSON.parse(e.CloudTrailEvent) : undefined;
  } catch {
    return 'unreadable';
  }
  if (!isRecord(body)) return 'unreadable';
  const rawName = typeof body.eventName === 'string' ? body.eventName : e.EventName;
  const time = typeof body.eventTime === 'string' ? Date.parse(body.eventTime) : e.EventTime instanceof Date ? e.EventTime.getTime() : NaN;
  if (typeof rawName !== 'string' || rawName === '' || !Number.isFinite(time)) return 'unreadable';
  if (body.readOnly === true || body.readOnly === 'true' || e.ReadOnly === 'true') return 'read-only';
  if (body.errorCode !== undefined && body.errorCode !== null && body.errorCode !== '') return 'failed';
  const id = typeof body.eventID === 'string' && body.eventID ? body.eventID : (e.EventId ?? `${rawName}@${time}`);
  const userAgent = typeof body.userAgent === 'string' ? body.userAgent : undefined;
  const consoleSession = body.sessionCredentialFromConsole === true || body.sessionCredentialFromConsole === 'true';
  return {
    id,
    name: stripApiDate(rawName),
    at: new Date(time).toISOString(),
    ms: time,
    who: trailActor(trailIdentity(body.userIdentity), userAgent, consoleSession),
    request: isRecord(body.requestParameters) ? body.requestParameters : {},
    response: isRecord(body.responseElements) ? body.responseElements : {},
  };
}

/** The events history shows for an alias: its alias writes, the function's publishes and deletes. */
export function isAboutAlias(e: TrailEvent, fn: { name: string; account?: string; region?: string }, alias: string): boolean {
  if (!sameFunction(e.request.functionName, fn)) return false;
  switch (e.name) {
    case 'UpdateAlias':
    case 'CreateAlias':
    case 'DeleteAlias':
      return e.request.name === alias;
    case 'PublishVersion':
    case 'DeleteFunction':
      return true;
    default:
      return false;
  }
}

export const DEFAULT_CLOUDTRAIL_PAGES = 20;

export interface TrailRead {
  events: TrailEvent[];
  state: Exclude<HistoryCloudTrailStatus['state'], 'off'>;
  /** Events LookupEvents returned (before any filtering). */
  eventsRead: number;
  truncated: boolean;
  coveredFrom?: string;
  skipped: Record<SkipReason, number>;
  /** The failure, redacted: why state is not 'read', or (state 'read') what cut the read short. */
  error?: string;
}

/**
 * Lambda's events between `since` and `until`, newest first, page after page (50 each, at most
 * `maxPages`); the connection's client paces them under CloudTrail's rate (history/client.ts pace),
 * and throttling is the SDK's to retry.
 * Never throws for CloudTrail's sake: a refusal or a failure is the status (a cancel is thrown).
 */
export async function readTrail(
  cloudtrail: CloudTrailSend,
  window: { since: Date; until: Date },
  options: { maxPages?: number; signal?: AbortSignal; sandbox?: boolean } = {},
): Promise<TrailRead> {
  const maxPages = Math.max(1, Math.floor(options.maxPages ?? DEFAULT_CLOUDTRAIL_PAGES));
  const events: TrailEvent[] = [];
  const skipped: Record<SkipReason, number> = { unreadable: 0, 'read-only': 0, failed: 0 };
  let read = 0;
  let token: string | undefined;
  let pages = 0;
  let oldest: number | undefined;
  try {
    do {
      const page = await cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'lambda.amazonaws.com' }],
          StartTime: window.since,
          EndTime: window.until,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
        { abortSignal: options.signal },
      );
      pages++;
      for (const raw of page.Events ?? []) {
        read++;
        const parsed = parseTrailEvent(raw);
        const t = raw.EventTime instanceof Date ? raw.EventTime.getTime() : typeof parsed === 'object' ? parsed.ms : undefined;
        if (t !== undefined && Number.isFinite(t)) oldest = oldest === undefined ? t : Math.min(oldest, t);
        if (typeof parsed === 'string') skipped[parsed]++;
        else events.push(parsed);
      }
      token = page.NextToken || undefined;
    } while (token && pages < maxPages);
  } catch (err) {
    if (isCancelled(err) || options.signal?.aborted) throw err;
    const error = errorSummary(err);
    // Pages already read are shown, as a read cut short; with none, the failure is the status.
    if (pages > 0) {
      events.sort((a, b) => b.ms - a.ms);
      return { events, skipped, state: 'read', eventsRead: read, truncated: true, coveredFrom: new Date(oldest ?? window.until.getTime()).toISOString(), error };
    }
    return { events: [], skipped, state: trailErrorState(err, options.sandbox === true), eventsRead: read, truncated: false, error };
  }
  const truncated = token !== undefined;
  const coveredFrom = truncated && oldest !== undefined ? new Date(oldest).toISOString() : window.since.toISOString();
  events.sort((a, b) => b.ms - a.ms);
  return { events, skipped, state: 'read', eventsRead: read, truncated, coveredFrom };
}

/** A LookupEvents failure: denied (no permission), unavailable (no CloudTrail at this endpoint), or another error. */
export function trailErrorState(err: unknown, customEndpoint: boolean): 'denied' | 'unavailable' | 'error' {
  const name = errorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (/^(AccessDenied(Exception)?|UnauthorizedOperation|NotAuthorized|UnauthorizedException)$/.test(name) || status === 403) return 'denied';
  if (/^(UnknownOperation(Exception)?|InvalidAction|NotImplemented|UnsupportedOperation(Exception)?)$/.test(name) || status === 404 || status === 501) return 'unavailable';
  const code = (err as { code?: string } | undefined)?.code;
  if (customEndpoint && (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String((err as Error)?.message ?? '')))) return 'unavailable';
  return 'error';
}
