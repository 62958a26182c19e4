/**
 * CloudTrail's LookupEvents (`CloudTrail_20131101.LookupEvents`, AWS JSON 1.1) over the sandbox's
 * event history, with AWS's rules: at most one lookup attribute, StartTime ≤ EndTime (epoch
 * seconds, compared at CloudTrail's whole-second granularity), MaxResults 1..50 (default 50),
 * newest first, and an opaque NextToken that names the position after the last event returned
 * (its time and sequence), so that events arriving while a caller pages never shift a page: they
 * are newer than the position and appear in a new lookup, never as a repeat.
 */
import * as crypto from 'node:crypto';
import { AwsError } from '../errors';
import type { StoredEvent } from './events';
import type { CloudTrailLog } from './log';
import { newestFirst } from './log';

export const CLOUDTRAIL_TARGET_PREFIX = 'CloudTrail_20131101.';
/** botocore (the AWS CLI) names the operation by its full shape ID: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents. */
const CLOUDTRAIL_SHAPE_PREFIX = `com.amazonaws.cloudtrail.v20131101.${CLOUDTRAIL_TARGET_PREFIX}`;

/** The CloudTrail operation an `X-Amz-Target` names, in either spelling clients send; undefined for another service's. */
export function cloudTrailOperation(target: unknown): string | undefined {
  if (typeof target !== 'string') return undefined;
  if (target.startsWith(CLOUDTRAIL_TARGET_PREFIX)) return target.slice(CLOUDTRAIL_TARGET_PREFIX.length);
  if (target.startsWith(CLOUDTRAIL_SHAPE_PREFIX)) return target.slice(CLOUDTRAIL_SHAPE_PREFIX.length);
  return undefined;
}
export const MAX_RESULTS = 50;

export const LOOKUP_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type LookupKey = (typeof LOOKUP_KEYS)[number];

const bad = (code: string, message: string) => new AwsError(code, 400, message);

interface Query {
  attribute?: { key: LookupKey; value: string };
  start?: number;
  end?: number;
  insight: boolean;
}

/** AWS JSON 1.1 sends timestamps as epoch seconds; an ISO string is accepted too, as some tools send. */
function epochSeconds(v: unknown, member: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? (Number.isFinite(Number(v)) ? Number(v) : Date.parse(v) / 1000) : NaN;
  if (!Number.isFinite(s)) throw bad('ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must be a timestamp (epoch seconds)`);
  return s;
}

function parseQuery(input: Record<string, unknown>): Query {
  const attrs = input.LookupAttributes;
  let attribute: Query['attribute'];
  if (attrs !== undefined && attrs !== null) {
    if (!Array.isArray(attrs)) throw bad('InvalidLookupAttributesException', 'LookupAttributes must be a list of {AttributeKey, AttributeValue}.');
    if (attrs.length > 1) throw bad('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    if (attrs.length === 1) {
      const a = attrs[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | null;
      const key = a?.AttributeKey;
      const value = a?.AttributeValue;
      if (typeof key !== 'string' || !(LOOKUP_KEYS as readonly string[]).includes(key)) {
        throw bad('InvalidLookupAttributesException', `The lookup attribute key ${typeof key === 'string' ? `'${key.slice(0, 100)}'` : '(none)'} is not valid; it must be one of ${LOOKUP_KEYS.join(', ')}.`);
      }
      if (typeof value !== 'string' || value.length < 1 || value.length > 2000) {
        throw bad('InvalidLookupAttributesException', 'The lookup attribute value must be a string of 1 to 2000 characters.');
      }
      attribute = { key: key as LookupKey, value };
    }
  }
  const start = epochSeconds(input.StartTime, 'startTime');
  const end = epochSeconds(input.EndTime, 'endTime');
  if (start !== undefined && end !== undefined && start > end) throw bad('InvalidTimeRangeException', 'Start time must be before or equal to end time.');
  const category = input.EventCategory;
  if (category !== undefined && category !== null && category !== 'insight') {
    throw bad('InvalidEventCategoryException', `The event category ${typeof category === 'string' ? `'${category.slice(0, 100)}'` : 'given'} is not valid; the only one is 'insight'.`);
  }
  return { attribute, start, end, insight: category === 'insight' };
}

function matches(e: StoredEvent, q: Query): boolean {
  const second = Math.floor(e.time / 1000);
  if (q.start !== undefined && second < Math.floor(q.start)) return false;
  if (q.end !== undefined && second > q.end) return false;
  const a = q.attribute;
  if (!a) return true;
  switch (a.key) {
    case 'EventId':
      return e.eventId === a.value;
    case 'EventName':
      return e.eventName === a.value;
    case 'ReadOnly':
      return String(e.readOnly) === a.value;
    case 'Username':
      return e.username === a.value;
    case 'EventSource':
      return e.eventSource === a.value;
    case 'AccessKeyId':
      return e.accessKeyId === a.value;
    case 'ResourceName':
      return e.resources.some((r) => r.ResourceName === a.value);
    case 'ResourceType':
      return e.resources.some((r) => r.ResourceType === a.value);
  }
}

/** What a token fixes: the query it continues (a token used with other parameters is refused). */
function fingerprint(q: Query): string {
  return crypto.createHash('sha256').update(JSON.stringify([q.attribute?.key, q.attribute?.value, q.start, q.end, q.insight])).digest('base64url').slice(0, 16);
}

function encodeToken(after: StoredEvent, q: Query): string {
  return Buffer.from(JSON.stringify({ t: after.time, s: after.seq, q: fingerprint(q) })).toString('base64url');
}

function decodeToken(token: unknown, q: Query): { time: number; seq: number } {
  const invalid = () => bad('InvalidNextTokenException', 'Invalid NextToken: it is not one this lookup returned, or it was returned for a lookup with other parameters.');
  if (typeof token !== 'string' || token.length === 0 || token.length > 1000) throw invalid();
  let v: { t?: unknown; s?: unknown; q?: unknown };
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof v;
  } catch {
    throw invalid();
  }
  if (v === null || typeof v !== 'object' || !Number.isFinite(v.t) || !Number.isSafeInteger(v.s) || v.q !== fingerprint(q)) throw invalid();
  return { time: v.t as number, seq: v.s as number };
}

/** LookupEvents' reply for `input`, over the events `log` has delivered by now. */
export function lookupEvents(log: CloudTrailLog, input: Record<string, unknown>): Record<string, unknown> {
  const q = parseQuery(input);
  const max = input.MaxResults;
  if (max !== undefined && max !== null && !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= MAX_RESULTS)) {
    throw bad('InvalidMaxResultsException', `MaxResults must be a whole number from 1 to ${MAX_RESULTS}.`);
  }
  const limit = (max as number | undefined) ?? MAX_RESULTS;
  const after = input.NextToken === undefined || input.NextToken === null ? undefined : decodeToken(input.NextToken, q);
  if (q.insight) return { Events: [] };
  const page: StoredEvent[] = [];
  let more = false;
  for (const e of log.delivered()) {
    // Strictly past the position: older, or of the same millisecond and recorded earlier.
    if (after && newestFirst(after, e) >= 0) continue;
    if (!matches(e, q)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(e);
  }
  return {
    Events: page.map((e) => ({
      EventId: e.eventId,
      EventName: e.eventName,
      ReadOnly: String(e.readOnly),
      AccessKeyId: e.accessKeyId,
      EventTime: Math.floor(e.time / 1000),
      EventSource: e.eventSource,
      Username: e.username,
      Resources: e.resources,
      CloudTrailEvent: JSON.stringify(e.record),
    })),
    ...(more ? { NextToken: encodeToken(page[page.length - 1], q) } : {}),
  };
}
