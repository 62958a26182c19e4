import assert from 'node:assert/strict';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { PassThrough } from 'node:stream';
import { mergeByName, nextMarkerOf, readAll } from '../../src/core/lambdaApi';
import { seededRandom } from '../../src/sandbox';

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
    for (const text of ['', 'not json', '{"Functions":[', '[]', 'null', '{"Message":"x"}', '{"Functions":{}}', '{"Functions":[],"NextMarker":7}', '{"NextMarker":"m" "Functions":[]}']) {
      assert.equal(nextMarkerOf(bytes(text)), null, JSON.stringify(text));
    }
  });

  it('reads the marker at either end of the page without being fooled by what the functions hold', () => {
    const cases: Array<[string, string | undefined]> = [
      ['{ "Functions" : [ ] ,\n  "NextMarker" : "m1" }\n', 'm1'],
      ['{\n  "NextMarker": "m2",\n  "Functions": [{"FunctionName":"f"}]\n}', 'm2'],
      ['{"Functions":[],"NextMarker":"a\\/b\\u0041"}', 'a/bA'],
      ['{"Functions":[],"NextMarker":"ends in a backslash\\\\"}', 'ends in a backslash\\'],
      ['{"Functions":[],"NextMarker":"first","NextMarker":"last"}', 'last'],
      ['{"NextMarker":"first","Functions":[],"NextMarker":"last"}', 'last'],
      ['{"NextMarker":"first","Functions":[],"NextMarker":null}', undefined],
      ['{"NextMarker":"first","Functions":[],"NextMarker":""}', undefined],
      ['{"Functions":[],"x":{"NextMarker":"no"}}', undefined],
      ['{"Functions":[{"Description":"\\",\\"NextMarker\\":\\"fake"}]}', undefined],
      ['{"Functions":[],"Description":"\\",\\"NextMarker\\":\\"fake"}', undefined],
      ['{"Functions":[],"X\\"NextMarker":"fake"}', undefined],
      ['{"Functions":[],"NextMarker":"caf\u00e9 \u2603"}', 'caf\u00e9 \u2603'],
    ];
    for (const [text, marker] of cases) {
      assert.equal(nextMarkerOf(bytes(text)), marker, text);
      assert.equal((JSON.parse(text) as { NextMarker?: string }).NextMarker || undefined, marker, `the case itself: ${text}`);
    }
  });

  it('reads only the ends of a page laid out as AWS lays it out', () => {
    // What lies between is not read here (the SDK parses the page afterwards).
    assert.equal(nextMarkerOf(bytes('{"Functions":[ not read ],"NextMarker":"m"}')), 'm');
    // Any other layout is parsed whole.
    assert.equal(nextMarkerOf(bytes('{"NextMarker":"m","Functions":[ parsed whole ]}')), null);
    assert.equal(nextMarkerOf(bytes('{"Functions":[ parsed whole ]}')), null);
  });

  it('agrees with JSON.parse on generated pages of every layout', () => {
    // Markers and descriptions drawn from characters that matter to JSON: quotes, backslashes,
    // braces, commas, colons, spaces, non-ASCII.
    const alphabet = ['a', 'Z', '0', '=', '"', '\\', '/', '{', '}', '[', ']', ',', ':', ' ', '\n', 'é', '☃', 'NextMarker'];
    const random = seededRandom(42);
    const rand = (n: number) => Math.floor(random() * n);
    const word = () => Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let k = 0; k < 2000; k++) {
      const fns = Array.from({ length: rand(3) }, () => ({ FunctionName: word(), Description: word(), Environment: { Variables: { NextMarker: word() } } }));
      const marker = rand(5) === 0 ? undefined : rand(6) === 0 ? '' : word();
      const page = rand(2) ? { Functions: fns, NextMarker: marker } : { NextMarker: marker, Functions: fns };
      let text = JSON.stringify(page, null, rand(3) === 0 ? 2 : undefined);
      // Now and then a second member of the same name in front: JSON.parse keeps the last.
      if (rand(4) === 0) text = `{"NextMarker":${JSON.stringify(rand(2) ? word() : null)},${text.slice(1)}`;
      const expected = (JSON.parse(text) as { NextMarker?: string | null }).NextMarker || undefined;
      assert.equal(nextMarkerOf(bytes(text)), expected, text);
      if (marker && /^\{\s*"Functions"/.test(text)) {
        // The same page (laid out as AWS does) with its functions unreadable: the marker still
        // comes from the ends (a whole parse would fail and say "not a page").
        const unreadable = text.replace(/"Functions":(\s*)\[/, '"Functions":$1[ @');
        assert.equal(nextMarkerOf(bytes(unreadable)), marker, unreadable);
      }
    }
  });

  it('reads a view into a larger buffer by its own bounds', () => {
    const whole = Buffer.from('xx{"Functions":[],"NextMarker":"m"}yy');
    assert.equal(nextMarkerOf(new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4)), 'm');
    const first = Buffer.from('}"{"NextMarker":"m","Functions":[]}"{');
    assert.equal(nextMarkerOf(new Uint8Array(first.buffer, first.byteOffset + 2, first.length - 4)), 'm');
  });
});

describe('readAll (a page\'s raw body, read before the SDK reads it)', () => {
  it('gives the bytes of every chunk, as a plain Uint8Array', async () => {
    const one = new PassThrough();
    one.end(Buffer.from('{"a":1}'));
    const single = await readAll(one);
    assert.equal(Object.getPrototypeOf(single), Uint8Array.prototype);
    assert.equal(Buffer.from(single).toString(), '{"a":1}');
    const many = new PassThrough();
    many.write('{"a"');
    many.write(Buffer.from(':'));
    many.end('2}');
    const joined = await readAll(many);
    assert.equal(Object.getPrototypeOf(joined), Uint8Array.prototype);
    assert.equal(Buffer.from(joined).toString(), '{"a":2}');
  });

  it('reads a paused stream', async () => {
    const s = new PassThrough();
    s.pause();
    s.end('paused');
    assert.equal(Buffer.from(await readAll(s)).toString(), 'paused');
  });

  it('fails, rather than waiting for ever, on a stream that errs, closes early or is already done', async () => {
    const erring = new PassThrough();
    erring.write('half');
    setImmediate(() => erring.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    await assert.rejects(readAll(erring), { code: 'ECONNRESET' });
    const closing = new PassThrough();
    closing.write('half');
    setImmediate(() => closing.destroy());
    await assert.rejects(readAll(closing), /closed before its body ended/);
    const destroyed = new PassThrough();
    destroyed.destroy();
    await assert.rejects(readAll(destroyed), /closed before its body ended/);
    const ended = new PassThrough();
    ended.end('x');
    ended.resume();
    await new Promise((r) => ended.once('end', r));
    await assert.rejects(readAll(ended), /closed before its body ended/);
  });
});
