import assert from 'node:assert/strict';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { mergeByName } from '../../src/core/lambdaApi';

const fns = (...names: string[]): FunctionConfiguration[] => names.map((FunctionName) => ({ FunctionName }));
const names = (list: FunctionConfiguration[]) => list.map((f) => f.FunctionName);

describe('mergeByName (the Functions view as pages arrive)', () => {
  it('merges an unsorted page into the sorted list without reordering what was there', () => {
    const so = fns('alpha', 'delta', 'kilo');
    const merged = mergeByName(so, fns('zulu', 'bravo', 'echo'));
    assert.deepEqual(names(merged), ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'zulu']);
    assert.equal(merged[0], so[0], 'the same objects, not copies');
    assert.deepEqual(names(so), ['alpha', 'delta', 'kilo'], 'the input is left alone');
  });

  it('handles empty sides and names that sort before or after everything', () => {
    assert.deepEqual(names(mergeByName([], fns('b', 'a'))), ['a', 'b']);
    assert.deepEqual(names(mergeByName(fns('a', 'b'), [])), ['a', 'b']);
    assert.deepEqual(names(mergeByName(fns('m'), fns('z', 'a'))), ['a', 'm', 'z']);
  });
});
