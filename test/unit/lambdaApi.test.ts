import assert from 'node:assert/strict';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { mergeByName, nextMarkerOf } from '../../src/core/lambdaApi';

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

describe('nextMarkerOf (the next page asked for before the SDK reads this one)', () => {
  const bytes = (text: string) => new Uint8Array(Buffer.from(text));

  it('reads the marker of a page, wherever the key stands and whatever the functions hold', () => {
    assert.equal(nextMarkerOf(bytes('{"Functions":[],"NextMarker":"abc="}')), 'abc=');
    assert.equal(nextMarkerOf(bytes('{"NextMarker":"x","Functions":[{"FunctionName":"f"}]}')), 'x');
    // A function's environment may hold a key of the same name: only the page's own counts.
    const tricky = '{"Functions":[{"Environment":{"Variables":{"NextMarker":"not-it"}},"Description":"\\"NextMarker\\":\\"nor-this\\""}],"NextMarker":"it"}';
    assert.equal(nextMarkerOf(bytes(tricky)), 'it');
    assert.equal(nextMarkerOf(bytes('{"Functions":[{"Environment":{"Variables":{"NextMarker":"not-it"}}}]}')), undefined);
  });

  it('says "last page" when the marker is absent, null or empty', () => {
    assert.equal(nextMarkerOf(bytes('{"Functions":[]}')), undefined);
    assert.equal(nextMarkerOf(bytes('{"Functions":[],"NextMarker":null}')), undefined);
    assert.equal(nextMarkerOf(bytes('{"Functions":[],"NextMarker":""}')), undefined);
  });

  it('says "not a page" (null) for anything else, so the SDK decides', () => {
    for (const text of ['', 'not json', '{"Functions":[', '[]', 'null', '{"Message":"x"}', '{"Functions":{}}', '{"Functions":[],"NextMarker":7}']) {
      assert.equal(nextMarkerOf(bytes(text)), null, JSON.stringify(text));
    }
  });

  it('reads a view into a larger buffer by its own bounds', () => {
    const whole = Buffer.from('xx{"Functions":[],"NextMarker":"m"}yy');
    assert.equal(nextMarkerOf(new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4)), 'm');
  });
});
