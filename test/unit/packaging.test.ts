import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { unzipSync } from 'fflate';
import { OperationError } from '../../src/core/errors';
import { collectFiles, DEFAULT_IGNORES, escapeName, handlerModuleCandidates, inlineModuleProblem, MAX_DIRECT_UPLOAD_BYTES, packageFolder, packageInline, sha256Base64 } from '../../src/core/packaging';
import { folderLabel, isWithin, slashedRelative } from '../../src/core/paths';
import { refuses } from './packagingAssert';

interface CentralEntry {
  name: string;
  /** Unix mode from the high 16 bits of the external attributes. */
  mode: number;
  /** The host system in "version made by" (3 = Unix). */
  madeBy: number;
  dosTime: number;
  dosDate: number;
  extraLength: number;
}

/** Reads a zip's central directory by hand (yauzl is not a dependency; fflate drops the attributes). */
function centralDirectory(zip: Buffer): CentralEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, 'central directory header signature');
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    out.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
      mode: zip.readUInt32LE(p + 38) >>> 16,
      madeBy: zip.readUInt8(p + 5),
      dosTime: zip.readUInt16LE(p + 12),
      dosDate: zip.readUInt16LE(p + 14),
      extraLength,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

function unzip(zip: Buffer): Record<string, string> {
  const files = unzipSync(new Uint8Array(zip));
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
}


describe('packaging', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-pkg-'));
  });
  afterEach(() => {
    // Restore permissions a test may have removed, so the folder can be deleted.
    const restore = (p: string) => {
      try {
        const st = fs.lstatSync(p);
        if (st.isSymbolicLink()) return;
        fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
        if (st.isDirectory()) for (const n of fs.readdirSync(p)) restore(path.join(p, n));
      } catch {
        /* gone already */
      }
    };
    restore(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Writes `files` (path → content) under a new folder `name` of tmp, in the given order. */
  function folder(name: string, files: Record<string, string | Buffer>): string {
    const root = path.join(tmp, name);
    fs.mkdirSync(root, { recursive: true });
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), content);
    }
    return root;
  }

  const sample: Record<string, string> = {
    'index.js': 'exports.handler = async () => ({ statusCode: 200 });\n',
    'lib/util.js': 'module.exports = { two: 2 };\n',
    'lib/deep/x.json': '{"a":1}\n',
    'node_modules/dep/index.js': 'module.exports = 1;\n',
    'node_modules/dep/package.json': '{"name":"dep"}\n',
    'README.md': '# hi\n',
    'test/index.test.js': 'test\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/objects/ab/cdef': 'blob',
    'sub/.git/config': '[core]\n',
    '.vscode/settings.json': '{}\n',
    'lambda-canary.json': '{"functionName":"f"}\n',
    '.lambda-canary/state.json': '{}\n',
    'lib/.DS_Store': 'junk',
    '.env.example': 'A=1\n',
  };

  describe('determinism', () => {
    it('gives byte-identical zips and the same sha256 for the same folder, whatever the mtimes', async () => {
      const root = folder('a', sample);
      const first = await packageFolder(root);
      const second = await packageFolder(root);
      assert.ok(first.zip.equals(second.zip), 'two runs differ');
      assert.equal(first.sha256, second.sha256);
      assert.equal(first.sha256, crypto.createHash('sha256').update(first.zip).digest('base64'));
      assert.equal(first.sha256, sha256Base64(first.zip));

      const past = new Date('2001-02-03T04:05:06Z');
      for (const rel of Object.keys(sample)) fs.utimesSync(path.join(root, rel), past, past);
      const touched = await packageFolder(root);
      assert.ok(touched.zip.equals(first.zip), 'mtimes leaked into the zip');
      assert.equal(touched.sha256, first.sha256);

      // Entries carry the fixed 1980-01-01 DOS timestamp and no extra fields.
      for (const e of centralDirectory(first.zip)) {
        assert.equal(e.dosDate, (0 << 9) | (1 << 5) | 1, e.name);
        assert.equal(e.dosTime, 0, e.name);
        assert.equal(e.extraLength, 0, e.name);
      }
    });

    it('does not depend on the order the files were created in', async () => {
      const a = folder('a', sample);
      const reversed = Object.fromEntries(Object.entries(sample).reverse());
      const b = folder('b', reversed);
      const [pa, pb] = await Promise.all([packageFolder(a), packageFolder(b)]);
      assert.ok(pa.zip.equals(pb.zip));
      assert.equal(pa.sha256, pb.sha256);
    });

    it('gives the same bytes on the compression workers as zlib inline (packages over 2 MB)', async function () {
      this.timeout(30000);
      // ~3 MB: compressible text in many files, plus incompressible blobs (stored, not deflated).
      const files: Record<string, string | Buffer> = {};
      let rnd = 7;
      const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31);
      for (let i = 0; i < 300; i++) {
        files[`node_modules/p${i % 17}/f${i}.js`] = Array.from({ length: 400 + (i % 50) * 20 }, () => `const v${next() % 97} = require('m${next() % 13}');`).join('\n');
      }
      for (let i = 0; i < 3; i++) files[`bin/blob${i}.node`] = crypto.randomBytes(200_000 + i);
      files['empty.js'] = '';
      const root = folder('big', files);
      const first = await packageFolder(root);
      const second = await packageFolder(root);
      assert.ok(first.zip.equals(second.zip), 'two runs differ');
      assert.ok(first.unzippedBytes > 2 * 1024 * 1024, 'large enough for the workers');
      const out = unzipSync(new Uint8Array(first.zip));
      assert.equal(Object.keys(out).length, Object.keys(files).length);
      for (const [name, content] of Object.entries(files)) assert.ok(Buffer.from(out[name]).equals(Buffer.from(content)), name);
      // Each entry holds zlib's level-6 deflate of the file, or the file itself when that is not smaller.
      let expected = 22;
      for (const [name, content] of Object.entries(files)) {
        const data = Buffer.from(content);
        const deflated = zlib.deflateRawSync(data, { level: 6 });
        expected += 30 + 46 + 2 * Buffer.byteLength(name) + Math.min(deflated.length, data.length);
      }
      assert.equal(first.zip.length, expected);
    });

    it('changes the sha256 when content, a name or the executable bit changes', async () => {
      const root = folder('a', { 'index.js': 'exports.handler = 1;\n', 'b.js': 'b' });
      const before = await packageFolder(root);
      fs.writeFileSync(path.join(root, 'b.js'), 'c');
      const content = await packageFolder(root);
      assert.notEqual(content.sha256, before.sha256);
      fs.renameSync(path.join(root, 'b.js'), path.join(root, 'c.js'));
      const renamed = await packageFolder(root);
      assert.notEqual(renamed.sha256, content.sha256);
      fs.chmodSync(path.join(root, 'c.js'), 0o755);
      const exec = await packageFolder(root);
      assert.notEqual(exec.sha256, renamed.sha256);
    });
  });

  describe('contents', () => {
    it('writes a valid zip with sorted entries and reports files and sizes', async () => {
      const root = folder('a', sample);
      const pkg = await packageFolder(root);
      const names = centralDirectory(pkg.zip).map((e) => e.name);
      const expected = ['.env.example', 'README.md', 'index.js', 'lib/deep/x.json', 'lib/util.js', 'node_modules/dep/index.js', 'node_modules/dep/package.json', 'test/index.test.js'];
      assert.deepEqual(names, expected);
      assert.deepEqual([...names].sort(), names);
      const files = unzip(pkg.zip);
      assert.deepEqual(Object.keys(files).sort(), expected);
      for (const name of expected) assert.equal(files[name], sample[name], name);
      assert.equal(pkg.files, expected.length);
      assert.equal(
        pkg.unzippedBytes,
        expected.reduce((n, k) => n + Buffer.byteLength(sample[k]), 0),
      );
    });

    it('leaves out .git, .vscode, lambda-canary.json, .lambda-canary and .DS_Store by default', async () => {
      const files = Object.keys(unzip((await packageFolder(folder('a', sample))).zip));
      for (const f of files) assert.doesNotMatch(f, /(^|\/)\.git\/|^\.vscode\/|^lambda-canary\.json$|^\.lambda-canary\/|\.DS_Store$/, f);
      assert.ok(DEFAULT_IGNORES.includes('lambda-canary.json'));
      // A nested lambda-canary.json is ordinary code.
      const nested = await packageFolder(folder('b', { 'index.js': '1', 'fixtures/lambda-canary.json': '{}' }));
      assert.ok('fixtures/lambda-canary.json' in unzip(nested.zip));
    });

    it("leaves out Python's bytecode cache: the same sources give the same CodeSha256 whichever python3 ran them", async () => {
      const sources = { 'app.py': 'def handler(e, c):\n    return 1\n', 'pkg/mod.py': 'X = 1\n' };
      const clean = await packageFolder(folder('py-clean', sources));
      const ran = await packageFolder(folder('py-ran', { ...sources, '__pycache__/app.cpython-311.pyc': 'bytecode', 'pkg/__pycache__/mod.cpython-312.pyc': 'other', 'legacy.pyc': 'py2' }));
      assert.deepEqual(Object.keys(unzip(ran.zip)).sort(), ['app.py', 'pkg/mod.py']);
      assert.equal(ran.sha256, clean.sha256);
    });

    it('honours ignore globs, keeping node_modules', async () => {
      const root = folder('a', sample);
      const pkg = await packageFolder(root, { ignore: ['test/**', '**/*.md', 'lib/deep'] });
      assert.deepEqual(Object.keys(unzip(pkg.zip)).sort(), ['.env.example', 'index.js', 'lib/util.js', 'node_modules/dep/index.js', 'node_modules/dep/package.json']);
      const dotfiles = await packageFolder(root, { ignore: ['.env*', 'node_modules/**'] });
      const names = Object.keys(unzip(dotfiles.zip));
      assert.ok(!names.includes('.env.example'), 'globs match dotfiles');
      assert.ok(!names.some((n) => n.startsWith('node_modules/')));
    });

    it('skips only what a file-name glob matches, not every folder', async () => {
      const root = folder('a', { 'index.js': 'i', 'lib/x': 'x', 'lib/y.js': 'y', 'x/z.js': 'z', 'docs/a.md': '#', 'docs/b/c.md': '#' });
      const names = Object.keys(unzip((await packageFolder(root, { ignore: ['**/x', '**/*.md'] })).zip)).sort();
      // `**/x` also matches the folder x itself, so x/z.js goes; lib/y.js stays.
      assert.deepEqual(names, ['index.js', 'lib/y.js']);
    });

    it('keeps the executable bit: 755 for executables, 644 for the rest', async function () {
      if (process.platform === 'win32') this.skip();
      const root = folder('a', { 'index.js': 'x', 'bin/run.sh': '#!/bin/sh\necho hi\n', 'data.txt': 'd' });
      fs.chmodSync(path.join(root, 'bin/run.sh'), 0o700);
      fs.chmodSync(path.join(root, 'data.txt'), 0o600);
      const modes = Object.fromEntries(centralDirectory((await packageFolder(root)).zip).map((e) => [e.name, e]));
      assert.equal(modes['bin/run.sh'].mode, 0o100755);
      assert.equal(modes['index.js'].mode, 0o100644);
      assert.equal(modes['data.txt'].mode, 0o100644);
      for (const e of Object.values(modes)) assert.equal(e.madeBy, 3, 'made by Unix, so the mode is honoured');
    });

    it('follows symlinks to files and folders', async function () {
      if (process.platform === 'win32') this.skip();
      const root = folder('a', { 'index.js': 'i', 'shared/lib.js': 'L' });
      fs.symlinkSync('shared', path.join(root, 'linked'));
      fs.symlinkSync('index.js', path.join(root, 'alias.js'));
      const files = unzip((await packageFolder(root)).zip);
      assert.equal(files['linked/lib.js'], 'L');
      assert.equal(files['alias.js'], 'i');
    });

    it('collectFiles lists relative paths in byte order', async () => {
      const root = folder('a', { 'b.js': '', 'B.js': '', 'a/z.js': '', 'a.js': '', '_x.js': '' });
      assert.deepEqual(
        (await collectFiles(root)).map((e) => e.rel),
        ['B.js', '_x.js', 'a.js', 'a/z.js', 'b.js'],
      );
    });
  });

  describe('handler check', () => {
    it('maps a handler to its module candidates', () => {
      assert.deepEqual(handlerModuleCandidates('index.handler'), ['index.js', 'index.mjs', 'index.cjs']);
      assert.deepEqual(handlerModuleCandidates('src/app.handler'), ['src/app.js', 'src/app.mjs', 'src/app.cjs']);
      assert.deepEqual(handlerModuleCandidates('a/b.c.d'), ['a/b.js', 'a/b.mjs', 'a/b.cjs']);
      for (const bad of ['index', '.handler', 'index.', 'src/app', '']) assert.deepEqual(handlerModuleCandidates(bad), [], bad);
    });

    it('refuses a package without the handler module, naming the file', async () => {
      const root = folder('a', { 'main.js': 'x' });
      await refuses(root, /'index\.handler' needs index\.js or index\.mjs or index\.cjs/, { runtime: 'nodejs20.x', handler: 'index.handler' });
      await refuses(root, /not of the form file\.export/, { runtime: 'nodejs20.x', handler: 'index' });
    });

    it('finds src/app.mjs for src/app.handler', async () => {
      const root = folder('a', { 'src/app.mjs': 'export const handler = 1;' });
      const pkg = await packageFolder(root, { runtime: 'nodejs20.x', handler: 'src/app.handler' });
      assert.equal(pkg.files, 1);
      await refuses(root, /needs app\.js/, { runtime: 'nodejs20.x', handler: 'app.handler' });
    });

    it('does not count an ignored handler module', async () => {
      const root = folder('a', { 'index.js': 'x', 'other.js': 'y' });
      await refuses(root, /needs index\.js/, { runtime: 'nodejs20.x', handler: 'index.handler', ignore: ['index.js'] });
    });
  });

  describe('refusals', () => {
    it('refuses an empty folder (or one emptied by ignores)', async () => {
      await refuses(folder('empty', {}), /no files/);
      await refuses(folder('ignored', { 'a.md': '#', '.git/HEAD': 'x' }), /no files/, { ignore: ['*.md'] });
    });

    it('refuses a missing folder and a file given as folder', async () => {
      await refuses(path.join(tmp, 'nope'), /does not exist/);
      const root = folder('a', { 'f.js': 'x' });
      await refuses(path.join(root, 'f.js'), /is not a folder/);
    });

    it('refuses a symlink that loops back to an ancestor', async function () {
      if (process.platform === 'win32') this.skip();
      const root = folder('a', { 'index.js': 'x', 'lib/a.js': 'y' });
      fs.symlinkSync('..', path.join(root, 'lib', 'up'));
      await refuses(root, /symlink lib\/up loops/);
      const self = folder('b', { 'index.js': 'x' });
      fs.symlinkSync('.', path.join(self, 'me'));
      await refuses(self, /symlink me loops/);
    });

    it('refuses a dangling symlink, unless it is ignored', async function () {
      if (process.platform === 'win32') this.skip();
      const root = folder('a', { 'index.js': 'x' });
      fs.symlinkSync('missing.js', path.join(root, 'broken.js'));
      await refuses(root, /symlink broken\.js points nowhere/);
      const pkg = await packageFolder(root, { ignore: ['broken.js'] });
      assert.deepEqual(Object.keys(unzip(pkg.zip)), ['index.js']);
    });

    it('refuses an unreadable file', async function () {
      if (process.platform === 'win32' || process.getuid?.() === 0) this.skip(); // root reads anything
      const root = folder('a', { 'index.js': 'x', 'secret.js': 'y' });
      fs.chmodSync(path.join(root, 'secret.js'), 0o000);
      await refuses(root, /Cannot read secret\.js: permission denied/);
    });

    it('refuses a zip over the 50 MB direct-upload limit, naming its size', async function () {
      this.timeout(30000);
      const chunk = 13 * 1024 * 1024;
      const root = folder('big', { 'index.js': 'x' });
      for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(root, `blob${i}.bin`), crypto.randomBytes(chunk));
      assert.ok(4 * chunk > MAX_DIRECT_UPLOAD_BYTES);
      await refuses(root, /The package is 52\.\d MB zipped; Lambda accepts at most 50\.0 MB/);
    });

    it('stops when cancelled', async () => {
      const ac = new AbortController();
      ac.abort();
      await refuses(folder('a', { 'index.js': 'x' }), /cancelled/, { signal: ac.signal });
    });
  });
  describe('nothing from outside the workspace', () => {
    before(function () {
      if (process.platform === 'win32') this.skip();
    });

    /** A workspace with src/ as the code folder, and a secret beside the workspace. */
    function setup(): { ws: string; code: string; secret: string } {
      const ws = folder('ws', { 'src/index.js': 'i', 'shared/lib.js': 'L' });
      const secret = path.join(folder('home', { '.ssh/id_rsa': 'PRIVATE' }), '.ssh', 'id_rsa');
      return { ws, code: path.join(ws, 'src'), secret };
    }

    it('refuses a file symlinked to a file outside the workspace, naming the link and its target', async () => {
      const { ws, code, secret } = setup();
      fs.symlinkSync(secret, path.join(code, 'id_rsa'));
      await refuses(code, new RegExp(`The symlink id_rsa leads to ${fs.realpathSync(secret).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, outside the workspace`), { within: ws });
    });

    it('refuses a folder symlinked out of the workspace, and a link nested in a followed folder', async () => {
      const { ws, code, secret } = setup();
      fs.symlinkSync(path.dirname(secret), path.join(code, 'keys'));
      await refuses(code, /The symlink keys leads to .*\.ssh, outside the workspace/, { within: ws });
      fs.unlinkSync(path.join(code, 'keys'));
      fs.mkdirSync(path.join(ws, 'shared', 'deep'));
      fs.symlinkSync(secret, path.join(ws, 'shared', 'deep', 'key'));
      fs.symlinkSync('../shared', path.join(code, 'shared'));
      await refuses(code, /The symlink shared\/deep\/key leads to .*id_rsa, outside the workspace/, { within: ws });
    });

    it('follows links that stay inside the workspace, even out of the code folder', async () => {
      const { ws, code } = setup();
      fs.symlinkSync('../shared', path.join(code, 'shared'));
      const files = unzip((await packageFolder(code, { within: ws })).zip);
      assert.deepEqual(files, { 'index.js': 'i', 'shared/lib.js': 'L' });
      // Without a workspace given, the code folder itself is the limit.
      await refuses(code, /The symlink shared leads to .*shared, outside the code folder/);
    });

    it('works when the workspace itself is reached through a symlink (realpaths compared)', async () => {
      const { ws } = setup();
      const viaLink = path.join(tmp, 'link-to-ws');
      fs.symlinkSync(ws, viaLink);
      fs.symlinkSync('../shared/lib.js', path.join(ws, 'src', 'lib.js'));
      const files = unzip((await packageFolder(path.join(viaLink, 'src'), { within: viaLink })).zip);
      assert.deepEqual(files, { 'index.js': 'i', 'lib.js': 'L' });
    });

    it('refuses a code folder that resolves outside the workspace', async () => {
      const { ws, secret } = setup();
      fs.symlinkSync(path.dirname(secret), path.join(ws, 'code'));
      await refuses(path.join(ws, 'code'), /The code folder .*code resolves to .*\.ssh, outside the workspace/, { within: ws });
    });

    describe('links to what the default ignores leave out', () => {
      /** A workspace whose .git/config holds a token (as actions/checkout writes its extraheader). */
      function gitWorkspace(): { ws: string; code: string } {
        const ws = folder('ws-git', {
          'src/index.js': 'i',
          '.git/config': '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA==\n',
          '.vscode/settings.json': '{"lambdaCanary.profile":"prod-admin"}',
          'lambda-canary.json': '{"functions":[]}',
          '.lambda-canary/state.json': '{}',
          'lib/util.js': 'u',
        });
        return { ws, code: path.join(ws, 'src') };
      }
      const cases: Array<[string, string, string]> = [
        ['a file in .git', 'x', '../.git/config'],
        ['the .git folder', 'g', '../.git'],
        ['a file in .vscode', 'settings.json', '../.vscode/settings.json'],
        ['the .vscode folder', 'editor', '../.vscode'],
        ['the workspace lambda-canary.json', 'cfg.json', '../lambda-canary.json'],
        ['.lambda-canary', 'state', '../.lambda-canary'],
      ];
      for (const [what, link, target] of cases) {
        it(`refuses a link to ${what}, naming the link and its target`, async () => {
          const { ws, code } = gitWorkspace();
          fs.symlinkSync(target, path.join(code, link));
          const shown = path.posix.normalize(path.posix.join('src', target));
          await refuses(code, new RegExp(`^The symlink ${link.replace('.', '\\.')} leads to ${shown.replace(/\./g, '\\.')}, which is never packaged .*Remove the link, or add '${link.replace('.', '\\.')}' to "ignore"`), { within: ws });
        });
      }

      it('refuses a link nested in a followed folder, and a folder link whose contents reach .vscode', async () => {
        const { ws, code } = gitWorkspace();
        fs.mkdirSync(path.join(ws, 'lib', 'deep'));
        fs.symlinkSync('../../.git/config', path.join(ws, 'lib', 'deep', 'remote'));
        fs.symlinkSync('../lib', path.join(code, 'lib'));
        await refuses(code, /^The symlink lib\/deep\/remote leads to \.git\/config, which is never packaged/, { within: ws });
        fs.unlinkSync(path.join(code, 'lib'));
        fs.symlinkSync('..', path.join(code, 'root'));
        // The first in byte order of what it holds: .lambda-canary, then .vscode.
        await refuses(code, /^The symlink root leads to a folder holding \.lambda-canary \(as root\/\.lambda-canary\), which is never packaged/, { within: ws });
        fs.rmSync(path.join(ws, '.lambda-canary'), { recursive: true });
        await refuses(code, /^The symlink root leads to a folder holding \.vscode \(as root\/\.vscode\), which is never packaged/, { within: ws });
      });

      it('refuses a link to the code folder\'s own lambda-canary.json, even with no workspace given', async () => {
        const code = folder('code-only', { 'index.js': 'i', 'lambda-canary.json': '{}', '.vscode/launch.json': '{}' });
        fs.symlinkSync('lambda-canary.json', path.join(code, 'config.json'));
        await refuses(code, /^The symlink config\.json leads to lambda-canary\.json, which is never packaged/);
        fs.unlinkSync(path.join(code, 'config.json'));
        fs.symlinkSync('.vscode/launch.json', path.join(code, 'launch.json'));
        await refuses(code, /^The symlink launch\.json leads to \.vscode\/launch\.json, which is never packaged/);
      });

      it('packages nothing of them when the link is ignored, and keeps links to ordinary files', async () => {
        const { ws, code } = gitWorkspace();
        fs.symlinkSync('../.git/config', path.join(code, 'x'));
        fs.symlinkSync('../lib/util.js', path.join(code, 'util.js'));
        const files = unzip((await packageFolder(code, { within: ws, ignore: ['x'] })).zip);
        assert.deepEqual(files, { 'index.js': 'i', 'util.js': 'u' });
      });
    });

    it('does not follow an ignored link out of the workspace', async () => {
      const { ws, code, secret } = setup();
      fs.symlinkSync(secret, path.join(code, 'id_rsa'));
      const files = unzip((await packageFolder(code, { within: ws, ignore: ['id_rsa'] })).zip);
      assert.deepEqual(Object.keys(files), ['index.js']);
    });
  });

  describe('names that are not UTF-8', () => {
    before(function () {
      // Linux keeps names as bytes; macOS and Windows refuse such names.
      if (process.platform !== 'linux') this.skip();
    });

    const badName = (dir: string, bytes: number[], suffix = '') => Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('x'), Buffer.from(bytes), Buffer.from(suffix)]);

    it('refuses one clearly, naming the folder and the bytes escaped (no ENOENT)', async () => {
      const root = folder('a', { 'index.js': 'x', 'lib/ok.js': 'y' });
      fs.writeFileSync(badName(path.join(root, 'lib'), [0xff, 0xc3], '.js'), 'z');
      await refuses(root, new RegExp(`The folder ${path.join(root, 'lib').replace(/[/.]/g, '\\$&')} holds a name that is not valid UTF-8: 'x\\\\xff\\\\xc3\\.js'`));
    });

    it('refuses a folder with such a name too', async () => {
      const root = folder('a', { 'index.js': 'x' });
      fs.mkdirSync(badName(root, [0xe9]));
      await refuses(root, /holds a name that is not valid UTF-8: 'x\\xe9'/);
    });

    it('skips one the ignore globs leave out, and packages the rest', async () => {
      const root = folder('a', { 'index.js': 'x', 'tmp/keep.txt': 'k' });
      fs.writeFileSync(badName(path.join(root, 'tmp'), [0xff]), 'z');
      const files = unzip((await packageFolder(root, { ignore: ['tmp/**'] })).zip);
      assert.deepEqual(Object.keys(files), ['index.js']);
    });

    it('keeps valid names that merely contain U+FFFD', async () => {
      const root = folder('a', { 'index.js': 'x', 'odd\uFFFD.js': 'o' });
      const files = unzip((await packageFolder(root)).zip);
      assert.equal(files['odd\uFFFD.js'], 'o');
    });

    it('escapeName shows invalid bytes, overlong forms and control characters as \\xNN', () => {
      assert.equal(escapeName(Buffer.from('plain-é✓.js')), 'plain-é✓.js');
      assert.equal(escapeName(Buffer.from([0x61, 0xff, 0x62])), 'a\\xffb');
      assert.equal(escapeName(Buffer.from([0xc0, 0xaf])), '\\xc0\\xaf', 'an overlong "/" is not a slash');
      assert.equal(escapeName(Buffer.from([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80', 'a lone surrogate');
      assert.equal(escapeName(Buffer.from([0xe2, 0x82])), '\\xe2\\x82', 'a cut sequence');
      assert.equal(escapeName(Buffer.from('a\nb\x1b')), 'a\\x0ab\\x1b');
    });
  });

  describe('packageInline (SAM InlineCode, CloudFormation Code.ZipFile)', () => {
    const code = 'exports.handler = async () => "inline";\n'.repeat(20);
    it('is a zip of one file, index.js for Node.js and index.py for Python, holding the code as written', () => {
      const node = packageInline(code, { handler: 'index.handler', runtime: 'nodejs20.x' });
      assert.deepEqual(Object.keys(unzipSync(node.zip)), ['index.js']);
      assert.equal(Buffer.from(unzipSync(node.zip)['index.js']).toString('utf8'), code);
      assert.deepEqual(centralDirectory(node.zip).map((e) => [e.name, e.mode.toString(8), e.madeBy]), [['index.js', '100644', 3]]);
      assert.equal(node.sha256, sha256Base64(node.zip));
      assert.deepEqual([node.files, node.unzippedBytes], [1, Buffer.byteLength(code)]);
      const py = packageInline('def handler(event, context):\n    return 1\n', { handler: 'index.handler', runtime: 'python3.12' });
      assert.deepEqual(Object.keys(unzipSync(py.zip)), ['index.py']);
      assert.equal(packageInline(code, { runtime: 'nodejs20.x' }).sha256, node.sha256, 'the same code, the same CodeSha256');
    });
    it('refuses another runtime, and a handler that is not in index', () => {
      const refused = (f: () => unknown, message: RegExp) =>
        assert.throws(f, (e: unknown) => e instanceof OperationError && e.kind === 'validation' && e.step === 'Package' && message.test(e.message));
      refused(() => packageInline(code, { runtime: 'ruby3.3', handler: 'index.handler' }), /for Node\.js and Python only .*not ruby3\.3/);
      refused(() => packageInline(code, { handler: 'index.handler' }), /not an unknown runtime/);
      refused(() => packageInline(code, { runtime: 'nodejs20.x', handler: 'app.handler' }), /app\.js/);
    });
    it('refuses code that uses cfn-response / cfnresponse, which CloudFormation adds beside inline code and a package of the code alone lacks', () => {
      const refused = (source: string, runtime: string, module: string) =>
        assert.throws(
          () => packageInline(source, { runtime, handler: 'index.handler' }),
          (e: unknown) => e instanceof OperationError && e.kind === 'validation' && e.message.includes(`it uses ${module}, the module CloudFormation adds`) && e.message.includes('Cannot find module'),
        );
      refused("const response = require('cfn-response');\nexports.handler = (e, c) => response.send(e, c, response.SUCCESS);\n", 'nodejs20.x', 'cfn-response');
      refused('import json\nimport cfnresponse\ndef handler(event, context):\n    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n', 'python3.12', 'cfnresponse');
      refused('import boto3, cfnresponse\ndef handler(e, c):\n    pass\n', 'python3.12', 'cfnresponse');
      refused('def handler(e, c):\n    from cfnresponse import send\n', 'python3.12', 'cfnresponse');
      // A name that only starts the same, or the word in a string, is no import.
      packageInline('import cfnresponse_helpers\ndef handler(e, c):\n    return "cfnresponse"\n', { runtime: 'python3.12', handler: 'index.handler' });
      packageInline("exports.handler = async () => 'cfn-response';\n", { runtime: 'nodejs20.x', handler: 'index.handler' });
      assert.equal(inlineModuleProblem("require('cfn-response')", 'python3.12'), undefined, 'a Python function is not checked for the Node.js module');
    });
  });
});

describe('paths (one rule for "inside" and for how a path is named)', () => {
  it('isWithin: the root itself and what is below it, not a sibling that only starts the same', () => {
    const root = path.join(path.sep, 'work', 'app');
    assert.equal(isWithin(root, root), true);
    assert.equal(isWithin(root, path.join(root, 'src', 'index.js')), true);
    assert.equal(isWithin(root, `${root}-old`), false);
    assert.equal(isWithin(root, path.dirname(root)), false);
    assert.equal(isWithin(path.sep, path.join(path.sep, 'etc')), true, 'a root that ends in the separator');
  });
  it('slashedRelative and folderLabel name paths with forward slashes, the root as the workspace folder', () => {
    const root = path.join(path.sep, 'work', 'app');
    assert.equal(slashedRelative(root, path.join(root, 'services', 'api', 'template.yaml')), 'services/api/template.yaml');
    assert.equal(folderLabel(root, path.join(root, 'services')), 'services');
    assert.equal(folderLabel(root, root), 'the workspace folder');
  });
});
