import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArtifactError, artifactName, ArtifactStore, codeSha256Of } from '../../src/core/releases/artifacts';

describe('the artifact store: packages kept by CodeSha256', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-artifacts-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const bytes = (n: number, size = 100) => Buffer.alloc(size, n);

  it('names a package by the hex of its CodeSha256 (Lambda\u2019s base64 SHA-256), and gives the same bytes back', async () => {
    const store = new ArtifactStore(dir);
    const zip = bytes(1);
    const sha = await store.put(zip);
    assert.equal(sha, createHash('sha256').update(zip).digest('base64'));
    assert.equal(path.basename(store.fileOf(sha)), createHash('sha256').update(zip).digest('hex'));
    assert.equal(path.dirname(store.fileOf(sha)), path.join(dir, 'artifacts'));
    assert.ok((await store.get(sha)).equals(zip));
    assert.deepEqual(fs.readdirSync(store.dir), [artifactName(sha)], 'no temporary file left');
    assert.equal(artifactName('not a sha'), undefined);
  });

  it('refuses a missing package and a corrupt one (its bytes no longer hash to its name)', async () => {
    const store = new ArtifactStore(dir);
    await assert.rejects(store.get(codeSha256Of(bytes(2))), (e: ArtifactError) => e instanceof ArtifactError && e.reason === 'missing' && /No package with CodeSha256/.test(e.message));
    const sha = await store.put(bytes(3));
    fs.writeFileSync(store.fileOf(sha), bytes(4));
    await assert.rejects(store.get(sha), (e: ArtifactError) => e instanceof ArtifactError && e.reason === 'corrupt' && /is corrupt: its bytes' CodeSha256 is .*, not /.test(e.message));
    // Kept again, the good bytes replace the corrupt ones.
    await store.put(bytes(3));
    assert.ok((await store.get(sha)).equals(bytes(3)));
  });

  it('keeps at most maxFiles and maxBytes, the least recently used going first, never the one just written', async () => {
    const store = new ArtifactStore(dir, { maxFiles: 3, maxBytes: 1000 });
    const shas: string[] = [];
    for (let i = 0; i < 3; i++) {
      shas.push(await store.put(bytes(i)));
      // mtime marks use: make the order unambiguous.
      const t = new Date(Date.now() - (10 - i) * 1000);
      fs.utimesSync(store.fileOf(shas[i]), t, t);
    }
    await store.get(shas[0]); // used now: the newest
    shas.push(await store.put(bytes(9)));
    const kept = (s: string) => fs.existsSync(store.fileOf(s));
    assert.deepEqual(shas.map(kept), [true, false, true, true], 'the least recently used (the second) went');
    const big = await store.put(bytes(7, 2000));
    assert.ok(kept(big), 'a package over the byte bound alone is still kept');
    assert.deepEqual(fs.readdirSync(store.dir), [artifactName(big)], 'the others went for the byte bound');
  });
});
