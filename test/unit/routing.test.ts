import assert from 'node:assert/strict';
import { aliasLabel, checkCanaryPercent, formatPercent, isCanary, parseCanaryPercent, percentToWeight, splitOf, weightToPercent } from '../../src/core/routing';

describe('routing maths', () => {
  it('labels an alias with its split', () => {
    assert.equal(aliasLabel({ Name: 'prod', FunctionVersion: '7' }), 'prod → 7');
    assert.equal(aliasLabel({ Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } }), 'prod → 7 (90%) · 8 (10%)');
    assert.equal(aliasLabel({ Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.055 } } }), 'prod → 7 (94.5%) · 8 (5.5%)');
    assert.equal(aliasLabel({ Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } }), 'prod → 7');
  });

  it('never shows a tiny weight as 0% or a large one as 100%', () => {
    assert.equal(formatPercent(0.000001), '0.0001%');
    assert.equal(formatPercent(0.999999), '99.9999%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0.25), '25%');
  });

  it('splits and detects canaries', () => {
    assert.deepEqual(splitOf({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.25 } } }), { primary: { version: '3', weight: 0.75 }, canary: { version: '4', weight: 0.25 } });
    assert.equal(isCanary({ FunctionVersion: '3' }), false);
    assert.equal(isCanary({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.5 } } }), true);
  });

  it('converts percent to Lambda weights and back', () => {
    for (const p of [1, 5, 10, 25, 50, 2.5, 0.0001, 99.9999]) assert.equal(weightToPercent(percentToWeight(p)), p);
    assert.equal(percentToWeight(10), 0.1);
  });

  it('accepts canary weights strictly between 0 and 100', () => {
    for (const [input, value] of [['10', 10], ['10%', 10], [' 2.5 ', 2.5], ['.5', 0.5], [0.0001, 0.0001], ['99.5 %', 99.5]] as const) {
      assert.deepEqual(parseCanaryPercent(input), { ok: true, value });
    }
  });

  it('refuses bad weights with a message naming the problem', () => {
    const cases: Array<[unknown, RegExp]> = [
      [150, /less than 100%/],
      ['150', /less than 100%/],
      [100, /use Promote/],
      [0, /more than 0%.*Roll Back/],
      ['0', /more than 0%/],
      [-1, /more than 0%/],
      ['-1', /not a number/],
      [Number.NaN, /finite/],
      [Number.POSITIVE_INFINITY, /finite/],
      ['abc', /not a number/],
      ['10%%', /not a number/],
      ['', /Enter the canary weight/],
      ['1e309', /not a number/],
      [0.00001, /smallest weight/],
      [null, /number of percent/],
    ];
    for (const [input, message] of cases) {
      const r = parseCanaryPercent(input);
      assert.equal(r.ok, false, `${String(input)} must be refused`);
      if (!r.ok) assert.match(r.message, message, String(input));
    }
    assert.equal(checkCanaryPercent(50).ok, true);
  });
});
