import assert from 'node:assert/strict';
import { delay } from '../../src/sandbox/delay';
import type { FunctionRecord } from '../../src/sandbox/model';
import { FunctionMap } from '../../src/sandbox/store';

const record = (name: string) => ({ name }) as unknown as FunctionRecord;

describe('sandbox FunctionMap (names kept sorted for ListFunctions)', () => {
  it('lists names in code-unit order, as Lambda does', () => {
    const m = new FunctionMap();
    for (const n of ['b', 'a', 'B', 'a-1', 'a_1']) m.set(n, record(n));
    assert.deepEqual(m.sortedNames(), ['B', 'a', 'a-1', 'a_1', 'b']);
  });

  it('keeps the sorted list while only existing functions change, and rebuilds it when names come or go', () => {
    const m = new FunctionMap([['x', record('x')]]);
    const first = m.sortedNames();
    m.set('x', record('x'));
    assert.equal(m.sortedNames(), first, 'an update of a known name keeps the list');
    m.set('a', record('a'));
    assert.deepEqual(m.sortedNames(), ['a', 'x']);
    assert.equal(m.delete('nope'), false);
    assert.deepEqual(m.sortedNames(), ['a', 'x']);
    m.delete('a');
    assert.deepEqual(m.sortedNames(), ['x']);
    m.clear();
    assert.deepEqual(m.sortedNames(), []);
  });
});

describe('sandbox delay (the injected latency)', () => {
  it('resolves no sooner than ms after it was asked', async () => {
    const start = performance.now();
    await delay(15);
    assert.ok(performance.now() - start >= 15);
  });

  it('counts from the given start, so time already spent is not waited again', async () => {
    // Counted from now, this would outlast the test's timeout.
    const start = performance.now();
    await delay(5_000, start - 10_000);
    assert.ok(performance.now() - start < 1_000, 'a start long past resolves at once');
    const from2 = performance.now();
    await delay(10, from2);
    assert.ok(performance.now() - from2 >= 10);
  });
});
