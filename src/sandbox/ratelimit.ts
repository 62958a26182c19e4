/**
 * The sandbox's API rate limit: a token bucket per operation name, as AWS limits its control-plane
 * APIs (Lambda's UpdateAlias, GetAlias, PublishVersion … each have their own requests-per-second
 * quota, with a burst of the same size).
 *
 * No timers: a bucket is refilled when a request takes from it, from the time since its last take,
 * so an idle sandbox costs nothing and a test with a fake clock never sleeps.
 */

/** The largest limit accepted: beyond it a limit changes nothing a client could notice. */
export const MAX_RATE_LIMIT = 100_000;

export interface RateLimitCounts {
  /** Requests the limit let through (all of them while no limit is in force). */
  allowed: number;
  /** Requests refused for being over the limit. */
  throttled: number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** The clock's reading when `tokens` was last computed. */
  at: number;
}

export class RateLimiter {
  private limit: number | undefined;
  private buckets = new Map<string, Bucket>();
  private counts = new Map<string, RateLimitCounts>();

  /**
   * @param perSecond requests a second per operation (and the burst); no limit when undefined.
   * @param now a clock in milliseconds (monotonic by default); tests pass their own.
   */
  constructor(perSecond?: number, private readonly now: () => number = () => performance.now()) {
    this.set(perSecond);
  }

  /** The limit in force, in requests a second per operation; undefined when there is none. */
  get perSecond(): number | undefined {
    return this.limit;
  }

  /** Changes the limit (undefined: none). Every bucket starts full again, with the new burst. */
  set(perSecond: number | undefined): void {
    this.limit = perSecond === undefined ? undefined : checkRateLimit(perSecond);
    this.buckets.clear();
  }

  /** Counts one request of `operation`, and says whether it is within the limit. */
  take(operation: string): RateLimitVerdict {
    const counts = this.countsOf(operation);
    const limit = this.limit;
    if (limit === undefined) {
      counts.allowed++;
      return { allowed: true };
    }
    const now = this.now();
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      bucket = { tokens: limit, at: now };
      this.buckets.set(operation, bucket);
    } else {
      // A clock that went back (it should not) refills nothing rather than draining the bucket.
      bucket.tokens = Math.min(limit, bucket.tokens + (Math.max(0, now - bucket.at) * limit) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      counts.allowed++;
      return { allowed: true };
    }
    counts.throttled++;
    // Whole seconds, as Retry-After carries them: until the bucket holds a token again.
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit)) };
  }

  /** Requests allowed and throttled per operation since the start (or the last resetStats). */
  stats(): Record<string, RateLimitCounts> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([op, c]) => [op, { ...c }]));
  }

  /** Zeroes the counts (the buckets keep their tokens). */
  resetStats(): void {
    this.counts.clear();
  }

  private countsOf(operation: string): RateLimitCounts {
    let c = this.counts.get(operation);
    if (!c) {
      c = { allowed: 0, throttled: 0 };
      this.counts.set(operation, c);
    }
    return c;
  }
}

/** A rate limit is a whole number of requests a second from 1 to MAX_RATE_LIMIT; returns it. */
export function checkRateLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RATE_LIMIT) {
    throw new Error(`rate limit must be a whole number of requests a second from 1 to ${MAX_RATE_LIMIT}; got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
  return value;
}

/** The CLI's `--rate-limit N`. */
export function parseRateLimitArg(arg: string): number {
  const n = /^\s*\d+\s*$/.test(arg) ? Number(arg) : NaN;
  try {
    return checkRateLimit(n);
  } catch {
    throw new Error(`--rate-limit expects a whole number of requests a second per operation, from 1 to ${MAX_RATE_LIMIT}; got '${arg}'`);
  }
}
