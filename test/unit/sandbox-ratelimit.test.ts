import assert from 'node:assert/strict';
import { FaultInjector, parseFaultArg } from '../../src/sandbox/faults';
import { checkRateLimit, parseRateLimitArg, RateLimiter } from '../../src/sandbox/ratelimit';

/** A clock the test moves by hand (milliseconds). */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Takes `n` requests of `op` at once and returns how many were allowed. */
function burst(limiter: RateLimiter, op: string, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (limiter.take(op).allowed) allowed++;
  return allowed;
}

describe('sandbox rate limit', () => {
  describe('RateLimiter (token bucket per operation, fake clock)', () => {
    it('allows a burst of N, then refuses with a Retry-After of whole seconds', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(5, clock.now);
      assert.equal(burst(limiter, 'GetAlias', 5), 5);
      const refused = limiter.take('GetAlias');
      assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 1 });
      assert.equal(burst(limiter, 'GetAlias', 10), 0, 'no time passed: still empty');
      assert.deepEqual(limiter.stats(), { GetAlias: { allowed: 5, throttled: 11 } });
    });

    it('refills at N a second, computed on take, up to the burst and no further', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(5, clock.now);
      burst(limiter, 'UpdateAlias', 5);
      clock.advance(199);
      assert.equal(limiter.take('UpdateAlias').allowed, false, '0.995 of a token after 199 ms');
      clock.advance(1);
      assert.equal(limiter.take('UpdateAlias').allowed, true, 'one token after 200 ms');
      assert.equal(limiter.take('UpdateAlias').allowed, false);
      clock.advance(600);
      assert.equal(burst(limiter, 'UpdateAlias', 10), 3, '600 ms: three tokens');
      clock.advance(60_000);
      assert.equal(burst(limiter, 'UpdateAlias', 10), 5, 'an idle minute refills to the burst only');
    });

    it('a Retry-After covers the wait for the next token: more than a second at 1/s after a burst', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(1, clock.now);
      assert.equal(limiter.take('PublishVersion').allowed, true);
      assert.deepEqual(limiter.take('PublishVersion'), { allowed: false, retryAfterSeconds: 1 });
      clock.advance(999);
      assert.deepEqual(limiter.take('PublishVersion'), { allowed: false, retryAfterSeconds: 1 });
      clock.advance(1);
      assert.equal(limiter.take('PublishVersion').allowed, true);
    });

    it('each operation has its own bucket', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(3, clock.now);
      assert.equal(burst(limiter, 'UpdateAlias', 5), 3);
      assert.equal(burst(limiter, 'GetAlias', 5), 3, 'UpdateAlias emptied its own bucket only');
      assert.equal(burst(limiter, 'PublishVersion', 2), 2);
      assert.deepEqual(limiter.stats(), {
        GetAlias: { allowed: 3, throttled: 2 },
        PublishVersion: { allowed: 2, throttled: 0 },
        UpdateAlias: { allowed: 3, throttled: 2 },
      });
    });

    it('disabled (no limit): every request is allowed, and counted', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(undefined, clock.now);
      assert.equal(limiter.perSecond, undefined);
      assert.equal(burst(limiter, 'GetAlias', 1000), 1000);
      assert.deepEqual(limiter.stats(), { GetAlias: { allowed: 1000, throttled: 0 } });
    });

    it('set() changes the limit at run time with full buckets; set(undefined) lifts it', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(2, clock.now);
      assert.equal(burst(limiter, 'GetAlias', 5), 2);
      limiter.set(4);
      assert.equal(limiter.perSecond, 4);
      assert.equal(burst(limiter, 'GetAlias', 5), 4, 'a new limit starts with a full bucket of its size');
      limiter.set(undefined);
      assert.equal(burst(limiter, 'GetAlias', 50), 50);
      limiter.resetStats();
      assert.deepEqual(limiter.stats(), {});
    });

    it('a clock that goes back refills nothing', () => {
      const clock = fakeClock();
      const limiter = new RateLimiter(2, clock.now);
      burst(limiter, 'GetAlias', 2);
      clock.advance(-5000);
      assert.equal(limiter.take('GetAlias').allowed, false);
      clock.advance(500);
      assert.equal(limiter.take('GetAlias').allowed, true, 'and counts on from the new reading');
    });

    it('refuses a limit that is not a whole number from 1 to 100000', () => {
      for (const bad of [0, -1, 2.5, NaN, Infinity, 100_001, '5' as unknown as number]) {
        assert.throws(() => new RateLimiter(bad), /rate limit must be a whole number of requests a second from 1 to 100000/, String(bad));
        assert.throws(() => checkRateLimit(bad), /rate limit/, String(bad));
      }
      assert.equal(checkRateLimit(15), 15);
    });
  });

  describe('parseRateLimitArg (--rate-limit N)', () => {
    it('takes a whole number', () => {
      assert.equal(parseRateLimitArg('5'), 5);
      assert.equal(parseRateLimitArg('100000'), 100_000);
    });

    it('refuses anything else with a message naming the flag', () => {
      for (const bad of ['', '0', '-3', '2.5', 'five', '5/s', '1e3', '100001']) {
        assert.throws(() => parseRateLimitArg(bad), (e: Error) => e.message === `--rate-limit expects a whole number of requests a second per operation, from 1 to 100000; got '${bad}'`, bad);
      }
    });
  });

  describe('faults aimed at one function', () => {
    it('parseFaultArg reads OP:NTH:KIND[:DELAYMS][@FUNCTION]', () => {
      assert.deepEqual(parseFaultArg('UpdateAlias:2:error@orders'), { operation: 'UpdateAlias', nth: 2, kind: 'error', delayMs: undefined, functionName: 'orders' });
      assert.deepEqual(parseFaultArg('GetAlias:1:delay:1500@orders'), { operation: 'GetAlias', nth: 1, kind: 'delay', delayMs: 1500, functionName: 'orders' });
      const arn = 'arn:aws:lambda:us-east-1:123456789012:function:orders';
      assert.deepEqual(parseFaultArg(`PublishVersion:1:throttle@${arn}`), { operation: 'PublishVersion', nth: 1, kind: 'throttle', delayMs: undefined, functionName: arn });
      assert.equal(parseFaultArg('UpdateAlias:1:error').functionName, undefined);
      assert.ok(!('functionName' in parseFaultArg('UpdateAlias:1:error')), 'no functionName member without @');
    });

    it('parseFaultArg refuses an empty function', () => {
      for (const bad of ['UpdateAlias:1:error@', '@orders', 'UpdateAlias:1@orders']) {
        assert.throws(() => parseFaultArg(bad), /OPERATION:NTH:KIND\[:DELAYMS\]\[@FUNCTION\]/, bad);
      }
    });

    it('counts and fires only for calls about that function, whatever form names it', () => {
      const f = new FaultInjector();
      f.add(parseFaultArg('UpdateAlias:2:error@fnB'));
      const calls: [string, string | undefined][] = [
        ['UpdateAlias', 'fnA'],
        ['UpdateAlias', 'fnB'], // fnB's 1st
        ['GetAlias', 'fnB'], // another operation: not counted
        ['UpdateAlias', undefined], // about no function
        ['UpdateAlias', 'fnA'],
        ['UpdateAlias', 'arn:aws:lambda:us-east-1:123456789012:function:fnB'], // fnB's 2nd: fails
        ['UpdateAlias', 'fnB'],
      ];
      assert.deepEqual(
        calls.map(([op, fn]) => f.take(op, fn)?.kind ?? '-'),
        ['-', '-', '-', '-', '-', 'error', '-'],
      );
      assert.equal(f.pending, 0);
    });

    it('matches partial ARNs and qualified names of the function; not other functions or bad names', () => {
      for (const given of ['fnB', '123456789012:function:fnB', 'fnB:prod', 'arn:aws:lambda:us-east-1:123456789012:function:fnB:7']) {
        const f = new FaultInjector();
        f.add({ operation: 'GetAlias', kind: 'throttle', functionName: 'fnB' });
        assert.equal(f.take('GetAlias', given)?.kind, 'throttle', given);
      }
      for (const other of ['fnBB', 'fn', 'not a name!', '']) {
        const f = new FaultInjector();
        f.add({ operation: 'GetAlias', kind: 'throttle', functionName: 'fnB' });
        assert.equal(f.take('GetAlias', other), undefined, other);
        assert.equal(f.pending, 1);
      }
    });

    it('a fault named by ARN targets the function of that name', () => {
      const f = new FaultInjector();
      f.add({ operation: 'UpdateAlias', kind: 'error', functionName: 'arn:aws:lambda:us-east-1:123456789012:function:orders' });
      assert.equal(f.take('UpdateAlias', 'payments'), undefined);
      assert.equal(f.take('UpdateAlias', 'orders')?.kind, 'error');
    });

    it("'*' with a function: any operation about that function", () => {
      const f = new FaultInjector();
      f.add({ operation: '*', nth: 2, kind: 'error', functionName: 'fnB' });
      assert.deepEqual(
        [['GetAlias', 'fnA'], ['GetAlias', 'fnB'], ['ListFunctions', undefined], ['PublishVersion', 'fnB']].map(([op, fn]) => f.take(op!, fn)?.kind ?? '-'),
        ['-', '-', '-', 'error'],
      );
    });

    it('refuses a function that is not a name or ARN, or has a qualifier', () => {
      const f = new FaultInjector();
      for (const bad of ['', 'bad name', 'orders:prod', 'arn:aws:lambda:us-east-1:123456789012:function:orders:3', 7]) {
        assert.throws(() => f.add({ operation: 'UpdateAlias', kind: 'error', functionName: bad as string }), /fault functionName must name a function/, String(bad));
      }
      assert.equal(f.pending, 0);
    });
  });
});
