import assert from 'node:assert/strict';
import type { AliasRouting } from '../../src/core/routing';
import { aliasLabel, checkCanaryPercent, formatPercent, isCanary, parseCanaryPercent, percentToWeight, QUICK_WEIGHTS, splitOf, weightToPercent } from '../../src/core/routing';

/** An alias `prod` on version 7, with version 8 as canary at `weight` when given. */
function prod(weight?: number): AliasRouting {
  return weight === undefined
    ? { Name: 'prod', FunctionVersion: '7' }
    : { Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': weight } } };
}

describe('routing maths', () => {
  describe('splitOf / isCanary', () => {
    it('gives the whole traffic to the primary version without a canary', () => {
      assert.deepEqual(splitOf(prod()), { primary: { version: '7', weight: 1 } });
      assert.deepEqual(splitOf({ Name: 'prod', FunctionVersion: '7', RoutingConfig: {} }), { primary: { version: '7', weight: 1 } });
      assert.deepEqual(splitOf({ Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } }), { primary: { version: '7', weight: 1 } });
      assert.equal(isCanary(prod()), false);
      assert.equal(isCanary({ FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } }), false);
    });

    it('splits between the primary and the additional version', () => {
      assert.deepEqual(splitOf({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.25 } } }), {
        primary: { version: '3', weight: 0.75 },
        canary: { version: '4', weight: 0.25 },
      });
      const s = splitOf(prod(0.1));
      assert.equal(s.canary?.version, '8');
      assert.equal(s.canary?.weight, 0.1);
      assert.ok(Math.abs(s.primary.weight - 0.9) < 1e-12);
      assert.equal(isCanary(prod(0.5)), true);
      assert.equal(isCanary(prod(0.000001)), true);
    });

    it('treats a missing FunctionVersion as $LATEST', () => {
      assert.deepEqual(splitOf({ Name: 'x' }), { primary: { version: '$LATEST', weight: 1 } });
      assert.equal(aliasLabel({ Name: 'x' }), 'x → $LATEST');
    });
  });

  describe('aliasLabel', () => {
    it('labels an alias with its split', () => {
      assert.equal(aliasLabel(prod()), 'prod → 7');
      assert.equal(aliasLabel(prod(0.1)), 'prod → 7 (90%) · 8 (10%)');
      assert.equal(aliasLabel(prod(0.055)), 'prod → 7 (94.5%) · 8 (5.5%)');
      assert.equal(aliasLabel(prod(0.5)), 'prod → 7 (50%) · 8 (50%)');
      assert.equal(aliasLabel(prod(0.07)), 'prod → 7 (93%) · 8 (7%)');
      assert.equal(aliasLabel({ Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } }), 'prod → 7');
    });

    it('never shows a tiny canary as 0% nor its primary as 100%', () => {
      for (const w of [0.000001, 0.0000004, 0.00000001, 1e-12]) {
        const label = aliasLabel(prod(w));
        assert.doesNotMatch(label, /\(0%\)|\(100%\)/, label);
        assert.match(label, /^prod → 7 \(.+%\) · 8 \(.+%\)$/, label);
      }
      assert.equal(aliasLabel(prod(0.000001)), 'prod → 7 (99.9999%) · 8 (0.0001%)');
      assert.equal(aliasLabel(prod(0.999999)), 'prod → 7 (0.0001%) · 8 (99.9999%)');
    });
  });

  describe('formatPercent', () => {
    it('is as short as the weight allows', () => {
      assert.equal(formatPercent(0.1), '10%');
      assert.equal(formatPercent(0.25), '25%');
      assert.equal(formatPercent(0.055), '5.5%');
      assert.equal(formatPercent(0.945), '94.5%');
      assert.equal(formatPercent(0.0125), '1.25%');
      assert.equal(formatPercent(0.00004), '0.004%');
      assert.equal(formatPercent(0.07), '7%');
      assert.equal(formatPercent(1 - 0.07), '93%');
      assert.equal(formatPercent(1), '100%');
      assert.equal(formatPercent(0), '0%');
    });

    it('never rounds a non-zero weight to 0% or a weight below 1 to 100%', () => {
      assert.equal(formatPercent(0.000001), '0.0001%');
      assert.equal(formatPercent(0.999999), '99.9999%');
      for (const w of [1e-7, 4e-7, 1e-9, 1e-15]) {
        const s = formatPercent(w);
        assert.notEqual(s, '0%', String(w));
        assert.match(s, /^[<\d][\d.]*%$/, `${w} → ${s}`);
      }
      for (const w of [1 - 1e-7, 1 - 4e-7, 1 - 1e-9]) {
        const s = formatPercent(w);
        assert.notEqual(s, '100%', String(w));
        assert.match(s, /^[>\d][\d.]*%$/, `${w} → ${s}`);
      }
    });
  });

  describe('percentToWeight / weightToPercent', () => {
    it('round-trips every percent with up to 4 decimals', () => {
      for (const p of [1, 5, 10, 25, 50, 2.5, 5.5, 33.3333, 0.0001, 0.0125, 99.9999, 12.3456]) {
        assert.equal(weightToPercent(percentToWeight(p)), p, String(p));
      }
      assert.equal(percentToWeight(10), 0.1);
      assert.equal(percentToWeight(5.5), 0.055);
      assert.equal(percentToWeight(0.0001), 0.000001);
      assert.equal(weightToPercent(0.1), 10);
      assert.equal(weightToPercent(0.055), 5.5);
    });

    it('rounds to the 4-decimal percent grid', () => {
      assert.equal(percentToWeight(12.34564), 0.123456);
      assert.equal(percentToWeight(0.00001), 0);
      assert.equal(weightToPercent(0.1234564), 12.3456);
    });
  });

  describe('parseCanaryPercent', () => {
    it('accepts canary weights strictly between 0 and 100, as numbers or text', () => {
      const cases: Array<[unknown, number]> = [
        ['10', 10],
        ['10%', 10],
        [' 2.5 ', 2.5],
        ['.5', 0.5],
        ['99.5 %', 99.5],
        ['+5', 5],
        [10, 10],
        [2.5, 2.5],
        [0.0001, 0.0001],
        ['0.0001', 0.0001],
        [99.9999, 99.9999],
      ];
      for (const [input, value] of cases) assert.deepEqual(parseCanaryPercent(input), { ok: true, value }, JSON.stringify(input));
      for (const w of QUICK_WEIGHTS) assert.deepEqual(parseCanaryPercent(String(w)), { ok: true, value: w });
    });

    it('refuses bad weights with a message naming the problem', () => {
      const cases: Array<[unknown, RegExp]> = [
        [150, /less than 100% \(got 150%\).*Promote/],
        ['150', /less than 100% \(got 150%\)/],
        [100, /less than 100%.*use Promote/],
        ['100', /less than 100%/],
        ['100%', /less than 100%/],
        [0, /more than 0% \(got 0%\).*Roll Back/],
        ['0', /more than 0%/],
        ['0%', /more than 0%/],
        [-1, /more than 0% \(got -1%\)/],
        ['-1', /more than 0% \(got -1%\)/],
        [Number.NaN, /finite/],
        [Number.POSITIVE_INFINITY, /finite/],
        [Number.NEGATIVE_INFINITY, /finite/],
        ['abc', /'abc' is not a number/],
        ['10%%', /not a number/],
        ['1,5', /not a number/],
        ['10 20', /not a number/],
        ['', /Enter the canary weight/],
        ['   ', /Enter the canary weight/],
        ['1e309', /not a number/],
        [0.00001, /below the smallest weight.*0\.0001%/],
        ['0.00001', /below the smallest weight/],
        [99.99999, /100%/],
        ['99.99999', /100%/],
        [null, /number of percent/],
        [undefined, /number of percent/],
        [{}, /number of percent/],
      ];
      for (const [input, message] of cases) {
        const r = parseCanaryPercent(input);
        assert.equal(r.ok, false, `${String(input)} must be refused`);
        if (!r.ok) assert.match(r.message, message, `${String(input)}: ${r.message}`);
      }
    });

    it('never accepts a weight that Lambda would store as 0 or 1', () => {
      for (const input of [0.00004, 99.99996, '0.00004', '99.99996', 1e-10, 100 - 1e-10]) {
        const r = parseCanaryPercent(input);
        if (r.ok) {
          const w = percentToWeight(r.value);
          assert.ok(w > 0 && w < 1, `${input} → weight ${w}`);
        }
      }
    });

    it('checkCanaryPercent applies the same rules to numbers', () => {
      assert.deepEqual(checkCanaryPercent(50), { ok: true, value: 50 });
      assert.equal(checkCanaryPercent(0).ok, false);
      assert.equal(checkCanaryPercent(100).ok, false);
    });
  });
});
