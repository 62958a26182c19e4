import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { zipFiles } from '../../src/sandbox';
import { extractOnce, inspectZip, MAX_UNZIPPED_BYTES, UnpackError } from '../../src/sandbox/unpack';
import { unpack } from '../../src/sandbox/unpackWorker';
import { honestBomb, lyingBomb, manyFiles, rawZip } from '../integration/zip-craft';

describe('sandbox unpack (deployment packages, off the event loop)', function () {
  it('an idle unpacking thread does not keep the process alive', function () {
    this.timeout(20_000);
    const script = `const { inspectZip } = require(${JSON.stringify(path.resolve(__dirname, '../../src/sandbox/unpack.js'))});
      const { zipFiles } = require(${JSON.stringify(path.resolve(__dirname, '../../src/sandbox/zip.js'))});
      inspectZip(Buffer.from(zipFiles({ 'index.js': 'x' }))).then((r) => { if (!r.ok) process.exit(3); });`;
    const started = Date.now();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Date.now() - started < 5_000, `the process exited after ${Date.now() - started} ms, not at once (the thread stops only after 10 s idle)`);
  });

  this.timeout(60_000);
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-unpack-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts the files and the bytes they really inflate to', async () => {
    const r = await inspectZip(zipFiles({ 'index.js': 'exports.handler = 1;', 'lib/a.txt': 'a'.repeat(1000) }));
    assert.deepEqual(r, { ok: true, files: 2, bytes: 'exports.handler = 1;'.length + 1000 });
  });

  it('stops inflating a zip bomb whose header declares 10 bytes long before the 300 MiB it holds', async () => {
    const started = performance.now();
    const r = await unpack(lyingBomb(300), MAX_UNZIPPED_BYTES);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'corrupt', JSON.stringify(r));
    // Inflating stopped within a few chunks of the lie, not after 300 MiB (nor even the limit).
    assert.ok(r.bytes < 1 << 20, `inflated ${r.bytes} bytes`);
    assert.ok(performance.now() - started < 5_000);
  });

  it('refuses a zip declaring more than the limit before inflating anything', async () => {
    const r = await inspectZip(honestBomb(300));
    assert.ok(!r.ok && r.reason === 'tooLarge' && r.bytes === 0, JSON.stringify(r));
  });

  it('refuses entries escaping the folder, absolute names, and data that is not a zip', async () => {
    for (const name of ['../escape.js', 'a/../../escape.js', '/etc/passwd']) {
      const r = await inspectZip(rawZip([{ name, data: Buffer.from('x'), method: 0, declaredSize: 1 }]));
      assert.ok(!r.ok && r.reason === 'corrupt', `${name}: ${JSON.stringify(r)}`);
    }
    const r = await inspectZip(Buffer.from('not a zip at all'));
    assert.ok(!r.ok && r.reason === 'corrupt');
  });

  it('unpacks 20,000 files into the folder, once for concurrent callers', async () => {
    const zip = manyFiles(20_000);
    let reads = 0;
    const target = path.join(dir, 'code');
    const [a, b] = await Promise.all([extractOnce(target, () => (reads++, zip)), extractOnce(target, () => (reads++, zip))]);
    assert.equal(a, target);
    assert.equal(b, target);
    assert.equal(reads, 1);
    assert.equal(fs.readFileSync(path.join(target, 'lib/d7/f19907.js'), 'utf8'), 'module.exports = 19907;\n');
    assert.equal(fs.readdirSync(dir).length, 1, 'no temp folder left');
  });

  it('leaves nothing behind when unpacking fails', async () => {
    const target = path.join(dir, 'code');
    await assert.rejects(extractOnce(target, () => lyingBomb(50)), (e: unknown) => e instanceof UnpackError && e.result.reason === 'corrupt');
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
