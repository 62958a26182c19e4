import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { zipFiles } from '../../src/sandbox/zip';

/** Central-directory entries: name, DOS time and date, in stored order. */
function entries(zip: Buffer): Array<{ name: string; time: number; date: number }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    out.push({ time: zip.readUInt16LE(p + 12), date: zip.readUInt16LE(p + 14), name: zip.toString('utf8', p + 46, p + 46 + nameLen) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('zipFiles', () => {
  const files = {
    'index.js': 'exports.handler = async () => 1;\n',
    'lib/util.js': 'module.exports = 42;\n',
    'package.json': '{"name":"x"}',
    'data.bin': new Uint8Array([0, 1, 2, 255]),
  };

  it('gives the same bytes twice', () => {
    assert.deepEqual(zipFiles(files), zipFiles(files));
  });

  it('does not depend on the order of the input', () => {
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    assert.deepEqual(zipFiles(reversed), zipFiles(files));
  });

  it('a string and its UTF-8 bytes give the same zip', () => {
    assert.deepEqual(zipFiles({ 'a.txt': 'héllo' }), zipFiles({ 'a.txt': new Uint8Array(Buffer.from('héllo', 'utf8')) }));
  });

  it('stores entries sorted by name with the fixed 1980-01-01 00:00 timestamp', () => {
    const list = entries(zipFiles(files));
    assert.deepEqual(list.map((e) => e.name), ['data.bin', 'index.js', 'lib/util.js', 'package.json']);
    for (const e of list) {
      assert.equal(e.date, (0 << 9) | (1 << 5) | 1, `${e.name}: DOS date of 1980-01-01`);
      assert.equal(e.time, 0, `${e.name}: DOS time 00:00:00`);
    }
  });

  it('round-trips every file', () => {
    const out = unzipSync(new Uint8Array(zipFiles(files)));
    assert.deepEqual(Object.keys(out).sort(), Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) {
      assert.deepEqual(Buffer.from(out[name]), typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data), name);
    }
  });

  it('different content gives different bytes', () => {
    assert.notDeepEqual(zipFiles({ 'index.js': 'a' }), zipFiles({ 'index.js': 'b' }));
    assert.notDeepEqual(zipFiles({ 'index.js': 'a' }), zipFiles({ 'main.js': 'a' }));
  });

  it('an empty set of files is a valid empty zip', () => {
    const zip = zipFiles({});
    assert.deepEqual(unzipSync(new Uint8Array(zip)), {});
    assert.deepEqual(entries(zip), []);
  });
});
