import assert from 'node:assert/strict';
import { seededRandom } from '../../src/sandbox/random';

describe('seededRandom', () => {
  const take = (seed: number, n: number) => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => r());
  };

  it('the same seed gives the same sequence', () => {
    assert.deepEqual(take(42, 1000), take(42, 1000));
    assert.deepEqual(take(0, 10), take(0, 10));
  });

  it('different seeds give different sequences', () => {
    const a = take(42, 20);
    const b = take(43, 20);
    assert.notDeepEqual(a, b);
    assert.ok(a.filter((x, i) => x === b[i]).length === 0, 'no shared values at the same positions');
  });

  it('the seed is taken as an unsigned 32-bit integer', () => {
    assert.deepEqual(take(2 ** 32 + 5, 10), take(5, 10));
    assert.deepEqual(take(-1, 10), take(2 ** 32 - 1, 10));
  });

  it('values lie in [0, 1) and do not repeat in a short run', () => {
    const values = take(7, 10_000);
    assert.ok(values.every((x) => x >= 0 && x < 1 && Number.isFinite(x)));
    assert.ok(new Set(values).size > 9_990);
  });

  it('is roughly uniform: 10 buckets of 100,000 draws, mean ~0.5', () => {
    for (const seed of [1, 42, 123456789]) {
      const values = take(seed, 100_000);
      const buckets = new Array<number>(10).fill(0);
      for (const x of values) buckets[Math.floor(x * 10)]++;
      for (const [i, n] of buckets.entries()) assert.ok(Math.abs(n - 10_000) < 500, `seed ${seed}, bucket ${i}: ${n}`);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.abs(mean - 0.5) < 0.005, `seed ${seed}: mean ${mean}`);
      // Consecutive draws are not correlated: a 20% weight picks ~20% of pairs' second element too.
      let both = 0;
      for (let i = 1; i < values.length; i++) if (values[i - 1] < 0.2 && values[i] < 0.2) both++;
      assert.ok(Math.abs(both / values.length - 0.04) < 0.005, `seed ${seed}: pair rate ${both / values.length}`);
    }
  });

  it('a weight of 0.2 is honoured within ±3 points over 2,000 draws for many seeds', () => {
    for (let seed = 0; seed < 50; seed++) {
      const r = seededRandom(seed);
      let hits = 0;
      for (let i = 0; i < 2000; i++) if (r() < 0.2) hits++;
      assert.ok(Math.abs(hits / 2000 - 0.2) <= 0.03, `seed ${seed}: ${hits / 20}%`);
    }
  });
});
