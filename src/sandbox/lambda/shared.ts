/** What every Lambda resource module shares: the service's options, its reply shape, and paging. */
import type { AwsError } from '../errors';
import { invalidParameter, validation } from '../errors';
import type { VersionBehaviour } from '../versionBehaviour';

export const MAX_INVOKE_PAYLOAD = 6 * 1024 * 1024;
/** The most entries one page of a listing holds, whatever MaxItems asks for. */
export const PAGE = 50;

export interface LambdaOptions {
  region: string;
  accountId: string;
  /** How long State stays Pending / LastUpdateStatus stays InProgress after a write. */
  updateDelayMs: number;
  /** Where GetFunction's Code.Location points for a code blob (a URL that needs no signature). */
  codeUrl: (blob: string) => string;
  now: () => number;
  /** Per-version injected failures and latency (demos, tests); none when absent. */
  versionBehaviour?: VersionBehaviour;
}

export interface Reply {
  status: number;
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

export function pageSize(query: URLSearchParams, max: number): number {
  const raw = query.get('MaxItems');
  if (raw === null) return max;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw validation(raw, 'maxItems', 'Member must have value between 1 and 10000');
  return n;
}

export function invalidMarker(): AwsError {
  return invalidParameter('Invalid Marker: use the NextMarker of a previous response.');
}

/** A marker naming the last entry of a page (a version or an alias name). */
export function encodeKeyMarker(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64');
}

export function decodeKeyMarker(marker: string | null): string | undefined {
  if (marker === null || marker === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(marker, 'base64').toString('utf8')) as { after?: unknown } | null;
    if (v && typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidMarker();
}

/** Index of the first element satisfying `pred`, or the length when none does. */
export function firstIndex<T>(items: T[], pred: (item: T) => boolean): number {
  const i = items.findIndex(pred);
  return i < 0 ? items.length : i;
}
