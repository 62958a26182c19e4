import assert from 'node:assert/strict';
import type { JudgeConfig, JudgeInput, PeriodSample } from '../../src/core/rollout/judge';
import { DEFAULT_JUDGE_CONFIG, hypotheses, judge, logLikelihoodRatio, sprtBounds } from '../../src/core/rollout/judge';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** One-minute periods from T0: `errors[i]` errors out of `invocations` in minute i. */
function minutes(invocations: number, errors: number[], extra: Partial<PeriodSample> = {}, from = T0): PeriodSample[] {
  return errors.map((e, i) => ({ start: from + i * MIN, invocations, errors: e, throttles: 0, ...extra }));
}

/** A five-minute bake from T0 whose metrics are complete to its end and read two minutes later. */
function input(canary: PeriodSample[], stable: PeriodSample[], over: Partial<JudgeInput> = {}): JudgeInput {
  return { canary: { version: '8', periods: canary }, stable: { version: '7', periods: stable }, periodSeconds: 60, completeUntil: T0 + 5 * MIN, bakeStart: T0, bakeMs: 5 * MIN, now: T0 + 7 * MIN, ...over };
}

const close = (actual: number, expected: number, eps = 1e-9) => assert.ok(Math.abs(actual - expected) < eps, `${actual} ≠ ${expected}`);

describe('rollout judge', () => {
  describe('the SPRT, against hand-computed values', () => {
    it('boundaries: A = ln((1-β)/α) = ln 16, B = ln(β/(1-α)) = ln(0.2/0.95)', () => {
      const { upper, lower } = sprtBounds(0.05, 0.2);
      close(upper, 2.772588722239781);
      close(lower, -1.5581446180465497);
      close(sprtBounds(0.01, 0.1).upper, Math.log(90));
    });

    it('log-likelihood ratio: 13 errors in 250 at 1 % vs 2 % = 13 ln 2 + 237 ln(0.98/0.99) = 6.6048', () => {
      close(logLikelihoodRatio(13, 250, 0.01, 0.02), 6.604801310307032);
      close(logLikelihoodRatio(0, 0, 0.01, 0.02), 0);
    });

    it('H0 from the stable with a prior: zero errors still give a rate above 0; no data gives the baseline', () => {
      const none = hypotheses(0, 0, DEFAULT_JUDGE_CONFIG);
      close(none.p0, 0.01);
      close(none.p1, 0.02);
      const zero = hypotheses(0, 950, DEFAULT_JUDGE_CONFIG);
      close(zero.p0, 0.5 / 1000);
      close(zero.p1, 0.0105, 1e-12); // the absolute +1 point beats ×2 at small rates
      const high = hypotheses(1000, 10_000, { ...DEFAULT_JUDGE_CONFIG, priorInvocations: 0 });
      close(high.p0, 0.1);
      close(high.p1, 0.2); // ×2 beats +1 point at large rates
      const all = hypotheses(500, 500, DEFAULT_JUDGE_CONFIG);
      assert.ok(all.p0 < 1 && all.p1 >= all.p0 && all.p1 < 1, 'a stable that always fails keeps finite logs');
    });

    it('with p0 = 1 % known, zero errors accept at the 154th sample (B / ln(0.98/0.99) = 153.48), not the 153rd', () => {
      const config: JudgeConfig = { ...DEFAULT_JUDGE_CONFIG, priorInvocations: 0 };
      const stable = [{ start: T0 - 10 * MIN, invocations: 100_000, errors: 1000, throttles: 0 }];
      const ones = (n: number) => Array.from({ length: n }, (_, i) => ({ start: T0 + i * 1000, invocations: 1, errors: 0, throttles: 0 }));
      const at = (n: number) => judge({ ...input(ones(n), stable), periodSeconds: 1, completeUntil: T0 + n * 1000, bakeMs: n * 1000, now: T0 + n * 1000 }, config).sprt;
      assert.equal(at(153).crossed, undefined);
      assert.deepEqual([at(154).crossed, at(154).crossedAt], ['lower', 154]);
      assert.equal(at(400).crossedAt, 154, 'later samples do not move the first crossing');
    });

    it('cumulative counts 1/10, 3/20, 5/30 give 0.60, 1.91, 3.21: the test crosses A at 30 samples', () => {
      const config: JudgeConfig = { ...DEFAULT_JUDGE_CONFIG, priorInvocations: 0 };
      const stable = [{ start: T0 - 10 * MIN, invocations: 100_000, errors: 1000, throttles: 0 }];
      const two = judge(input(minutes(10, [1, 2]), stable, { completeUntil: T0 + 2 * MIN }), config);
      close(two.sprt.llr, 1.9068512267915305);
      assert.equal(two.verdict, 'Pending');
      const three = judge(input(minutes(10, [1, 2, 2]), stable, { completeUntil: T0 + 3 * MIN }), config);
      close(three.sprt.llr, 3.2119266161992774);
      assert.deepEqual([three.verdict, three.sprt.crossed, three.sprt.crossedAt], ['Fail', 'upper', 30]);
    });
  });

  describe('verdicts', () => {
    it('Fail: a canary worse beyond chance, in one sentence with the numbers and the data age', () => {
      const j = judge(input(minutes(50, [3, 3, 2, 3, 2]), minutes(446, [4, 4, 4, 4, 4])));
      assert.equal(j.verdict, 'Fail');
      assert.equal(j.reason, 'errors');
      // After minute 2: 6/100 vs H0 (8 + 0.5)/(892 + 50) = 0.90 %, H1 1.90 %: LLR 3.52 > ln 16.
      assert.equal(j.sprt.crossedAt, 100);
      close(j.sprt.llr, 3.5217298541759634, 1e-9);
      assert.equal(j.sentence, 'canary 5.2% errors (13/250) vs stable 0.9% (20/2,230): worse beyond chance (SPRT crossed at 100 samples); metrics up to 2 min old.');
      assert.deepEqual([j.canary.invocations, j.canary.errors, j.stable.invocations, j.stable.errors], [250, 13, 2230, 20]);
    });

    it('Fail before the bake ends and before the minimum samples: all errors fail at once', () => {
      const j = judge(input(minutes(5, [5]), minutes(500, [5]), { completeUntil: T0 + MIN, now: T0 + 2 * MIN }));
      assert.equal(j.verdict, 'Fail');
      assert.equal(j.sprt.crossedAt, 5);
      assert.match(j.sentence, /^canary 100\.0% errors \(5\/5\) vs stable 1\.0% \(5\/500\): worse beyond chance \(SPRT crossed at 5 samples\); metrics up to 60 s old\.$/);
    });

    it('Pass: bake covered, minimum samples, the test accepted, latency within the ratios', () => {
      const j = judge(input(minutes(100, [1, 0, 1, 0, 1], { durationP99Ms: 210, durationMeanMs: 50 }), minutes(900, [9, 9, 9, 9, 9], { durationP99Ms: 200, durationMeanMs: 48 })));
      assert.equal(j.verdict, 'Pass');
      assert.equal(j.reason, 'healthy');
      assert.equal(j.sprt.crossed, 'lower');
      assert.equal(j.sentence, `canary 0.6% errors (3/500) vs stable 1.0% (45/4,500): not worse (SPRT accepted at ${j.sprt.crossedAt} samples), p99 210 ms vs 200 ms, 5 min bake elapsed; metrics up to 2 min old.`);
      assert.equal(j.p99Ratio, undefined, 'a 10 ms difference is within the floor');
    });

    it('a Pass waits for the bake: accepted early, the verdict is Pending until the metrics cover the bake', () => {
      const j = judge(input(minutes(200, [0, 0]), minutes(1800, [18, 18]), { completeUntil: T0 + 2 * MIN, now: T0 + 3 * MIN }));
      assert.equal(j.sprt.crossed, 'lower');
      assert.equal(j.verdict, 'Pending');
      assert.equal(j.sentence, 'canary 0.0% errors (0/400) vs stable 1.0% (36/3,600): no decision yet, 2 min of the 5 min bake left; metrics up to 60 s old.');
    });

    it('Marginal: neither boundary at the end of the bake', () => {
      // One period only: 2/150 at about 1 % vs 2 % gives 2 ln 2.0 − 148 · 0.0102 ≈ −0.12, between B and A.
      const j = judge(input([{ start: T0, invocations: 150, errors: 2, throttles: 0 }], minutes(2000, [20]), { bakeMs: MIN, completeUntil: T0 + MIN, now: T0 + MIN }));
      assert.equal(j.verdict, 'Marginal');
      assert.equal(j.reason, 'inconclusive');
      assert.match(j.sentence, /^canary 1\.3% errors \(2\/150\) vs stable 1\.0% \(20\/2,000\): inconclusive after the 60 s bake \(SPRT at -0\.1\d, between -1\.56 and 2\.77\); metrics up to 0 s old\.$/);
    });

    it('Marginal: p99 between the warn and fail ratios, at the end of the bake', () => {
      const j = judge(input(minutes(100, [0, 0, 0, 1, 0], { durationP99Ms: 260 }), minutes(900, [9, 9, 9, 9, 9], { durationP99Ms: 200 })));
      assert.equal(j.verdict, 'Marginal');
      assert.equal(j.reason, 'latency');
      close(j.p99Ratio!, 1.3);
      assert.equal(j.sentence, 'canary p99 260 ms vs stable 200 ms (1.30×, warn at 1.2×, fail at 1.5×); metrics up to 2 min old.');
    });

    it('Fail: p99 at or beyond the fail ratio, as soon as the minimum samples are in', () => {
      const j = judge(input(minutes(100, [0], { durationP99Ms: 450 }), minutes(900, [9], { durationP99Ms: 300 }), { completeUntil: T0 + MIN, now: T0 + 2 * MIN }));
      assert.equal(j.verdict, 'Fail');
      assert.equal(j.reason, 'latency');
      assert.equal(j.sentence, 'canary p99 450 ms vs stable 300 ms (1.50×, fail at 1.5×); metrics up to 60 s old.');
      const few = judge(input(minutes(99, [0], { durationP99Ms: 450 }), minutes(900, [9], { durationP99Ms: 300 }), { completeUntil: T0 + MIN, now: T0 + 2 * MIN }));
      assert.equal(few.verdict, 'Pending', 'p99 of fewer than the minimum samples is not judged');
    });

    it('latency: a tiny handler twice as slow within the floor is no finding; the mean ratio is reported', () => {
      const j = judge(input(minutes(100, [0, 0, 0, 0, 0], { durationP99Ms: 8, durationMeanMs: 4 }), minutes(900, [9, 9, 9, 9, 9], { durationP99Ms: 3, durationMeanMs: 1 })));
      assert.equal(j.verdict, 'Pass');
      assert.equal(j.p99Ratio, undefined);
      const slow = judge(input(minutes(100, [0, 0, 0, 0, 0], { durationP99Ms: 230, durationMeanMs: 120 }), minutes(900, [9, 9, 9, 9, 9], { durationP99Ms: 200, durationMeanMs: 60 })));
      close(slow.meanRatio!, 2);
      close(slow.p99Ratio!, 1.15);
      assert.equal(slow.verdict, 'Pass', 'the ratios apply to p99; the mean is reported');
    });

    it('Fail: a named alarm in ALARM, before anything else; OK and INSUFFICIENT_DATA change nothing', () => {
      const healthy = input(minutes(100, [1, 0, 1, 0, 1]), minutes(900, [9, 9, 9, 9, 9]));
      const j = judge({ ...healthy, alarms: { 'checkout-p99': 'OK', 'checkout-errors': 'ALARM', 'checkout-5xx': 'INSUFFICIENT_DATA' } });
      assert.equal(j.verdict, 'Fail');
      assert.equal(j.reason, 'alarm');
      assert.deepEqual(j.alarmsInAlarm, ['checkout-errors']);
      assert.equal(j.sentence, 'alarm checkout-errors in ALARM; metrics up to 2 min old.');
      assert.equal(judge({ ...healthy, alarms: { a: 'ALARM', b: 'ALARM' } }).sentence, 'alarms a, b in ALARM; metrics up to 2 min old.');
      assert.equal(judge({ ...healthy, alarms: { a: 'OK', b: 'INSUFFICIENT_DATA' } }).verdict, 'Pass');
    });
  });

  describe('edge cases', () => {
    it('zero traffic: Pending during the bake, NoData (bake extended) after it, NoData asking after the extension', () => {
      const stable = minutes(900, [9, 9, 9, 9, 9]);
      const during = judge(input([], stable, { completeUntil: T0 + 2 * MIN, now: T0 + 3 * MIN }));
      assert.equal(during.verdict, 'Pending');
      assert.equal(during.sentence, 'no invocations of canary 8 yet: no decision yet, 2 min of the 5 min bake left; metrics up to 60 s old.');
      const after = judge(input(minutes(0, [0, 0, 0, 0, 0]), stable));
      assert.equal(after.verdict, 'NoData');
      assert.equal(after.extendedUntil, T0 + 15 * MIN);
      assert.equal(after.sentence, 'canary 8 has 0 invocations in the bake, 100 needed: bake extended by up to 10 min; metrics up to 2 min old.');
      const exhausted = judge(input(minutes(10, [0, 0, 0, 0, 0]), stable, { now: T0 + 15 * MIN }));
      assert.equal(exhausted.verdict, 'NoData');
      assert.equal(exhausted.sentence, 'canary 8 has 50 invocations in the bake, 100 needed, after the bake and its 10 min extension: ask before going on; metrics up to 10 min old.');
    });

    it('all errors on both sides: finite numbers and a sentence, never NaN', () => {
      // The prior pulls the stable's 100 % towards the baseline (94.8 % after one minute), so a
      // canary at 100 % is judged worse: rolling back to an equally broken stable costs nothing.
      const j = judge(input(minutes(100, [100, 100, 100, 100, 100]), minutes(900, [900, 900, 900, 900, 900])));
      assert.ok(Number.isFinite(j.sprt.llr) && j.sprt.p0 < j.sprt.p1 && j.sprt.p1 < 1);
      assert.equal(j.verdict, 'Fail');
      assert.match(j.sentence, /^canary 100\.0% errors \(500\/500\) vs stable 100\.0% \(4,500\/4,500\): worse beyond chance/);
    });

    it('the stable with no data: judged against the baseline rate, and the sentence says so', () => {
      const bad = judge(input(minutes(50, [3, 3, 2, 3, 2]), []));
      assert.equal(bad.baseline, 'fallback');
      assert.equal(bad.verdict, 'Fail');
      assert.equal(bad.sentence, `canary 5.2% errors (13/250) vs a baseline of 1.0% (stable 7 has no data): worse beyond chance (SPRT crossed at ${bad.sprt.crossedAt} samples); metrics up to 2 min old.`);
      const fine = judge(input(minutes(100, [0, 0, 1, 0, 0]), minutes(0, [0, 0, 0, 0, 0])));
      assert.deepEqual([fine.verdict, fine.baseline], ['Pass', 'fallback']);
    });

    it('late metrics: periods not complete are ignored, the age is said, and the bake waits for its metrics', () => {
      // Data complete to minute 3 only; a partial minute 4 (all errors) must not count.
      const canary = [...minutes(100, [1, 0, 1]), { start: T0 + 3 * MIN, invocations: 20, errors: 20, throttles: 0 }];
      const j = judge(input(canary, minutes(900, [9, 9, 9, 9]), { completeUntil: T0 + 3 * MIN, now: T0 + 6 * MIN }));
      assert.equal(j.canary.invocations, 300);
      assert.equal(j.dataAgeMs, 3 * MIN);
      assert.equal(j.verdict, 'Pending');
      assert.equal(j.sentence, 'canary 0.7% errors (2/300) vs stable 1.0% (27/2,700): no decision yet, the 5 min bake is over, waiting for its metrics; metrics up to 3 min old.');
      const none = judge(input(canary, [], { completeUntil: undefined, now: T0 + 15 * MIN }));
      assert.equal(none.verdict, 'NoData');
      assert.equal(none.sentence, 'no metrics cover the 5 min bake 10 min after it ended: ask before going on; no complete metrics yet.');
    });

    it('the canary before the bake is ignored; the stable before the bake sharpens its rate', () => {
      const before = { start: T0 - MIN, invocations: 100, errors: 100, throttles: 0 };
      const history = { start: T0 - 30 * MIN, invocations: 30_000, errors: 300, throttles: 0 };
      const j = judge(input([before, ...minutes(100, [1, 0, 1, 0, 1])], [history, ...minutes(900, [9, 9, 9, 9, 9])]));
      assert.equal(j.canary.invocations, 500);
      assert.equal(j.stable.invocations, 34_500);
      close(j.sprt.p0, (345 + 0.5) / 34_550);
      assert.equal(j.verdict, 'Pass');
    });

    it('a verdict recomputed later agrees: the first crossing decides', () => {
      const early = judge(input(minutes(50, [6]), minutes(450, [4]), { completeUntil: T0 + MIN, now: T0 + MIN }));
      const later = judge(input(minutes(50, [6, 0, 0, 0, 0]), minutes(450, [4, 4, 4, 4, 4])));
      assert.deepEqual([early.verdict, later.verdict], ['Fail', 'Fail']);
      assert.equal(later.sprt.crossedAt, early.sprt.crossedAt);
    });

    it('throttles are counted and said', () => {
      const j = judge(input(minutes(100, [1, 0, 1, 0, 1], { throttles: 3 }), minutes(900, [9, 9, 9, 9, 9])));
      assert.equal(j.canary.throttles, 15);
      assert.match(j.sentence, /5 min bake elapsed, 15 throttled; metrics up to 2 min old\.$/);
    });

    it('errors above invocations (inconsistent datapoints) count as invocations', () => {
      const j = judge(input(minutes(10, [30]), minutes(900, [9]), { completeUntil: T0 + MIN, now: T0 + MIN }));
      assert.equal(j.canary.errors, 10);
      assert.equal(j.canary.errorRate, 1);
    });
  });
});
