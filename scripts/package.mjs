// The extension's .vsix: webpack (production) builds dist/, then @vscode/vsce packs it with
// --no-dependencies (webpack bundled every runtime dependency). .vscodeignore keeps the package
// to dist/ (no source maps, no sandbox CLI, no lambda-canary CLI), media/, README, LICENSE, CHANGELOG and package.json;
// the contents are checked against that list after packing.
//
//   npm run package                 build, pack, print the contents and the size
//   node scripts/package.mjs --no-build
//   import { buildExtension, packageVsix } from './package.mjs'
import { spawn } from 'node:child_process';
import { Buffer } from 'node:buffer';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const manifest = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Where `npm run package` writes the .vsix (git-ignored): `<name>-<version>.vsix` at the root. */
export function vsixPath() {
  const m = manifest();
  return path.join(ROOT, `${m.name}-${m.version}.vsix`);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs `node <script> …args` in the project folder; resolves with its output, rejects with it. */
function runNode(script, args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${label} failed (exit ${code ?? signal}):\n${out.trim()}`));
    });
  });
}

/** `webpack --mode production`: dist/extension.js, dist/sandboxWorker.js, dist/sandbox-cli.js (and dist/webview.js once src/webview exists). */
export async function buildExtension({ log = () => undefined } = {}) {
  const t0 = Date.now();
  const out = await runNode(require.resolve('webpack-cli/bin/cli.js'), ['--mode', 'production'], 'webpack --mode production');
  const warnings = out.split('\n').filter((l) => /WARNING/.test(l));
  for (const w of warnings) log(`  ${w.trim()}`);
  log(`built dist/ (webpack, production) in ${seconds(Date.now() - t0)}`);
}

/** Which files of the package are allowed (paths inside the .vsix's extension/ folder). */
const ALLOWED = [/^package\.json$/, /^readme\.md$/i, /^changelog\.md$/i, /^LICENSE(\.txt)?$/, /^media\/.+/, /^dist\/.+/, /^l10n\/[^/]+\.json$/, /^package\.nls(\.[\w-]+)?\.json$/];
const FORBIDDEN = [/\.map$/, /^dist\/sandbox-cli\./, /^dist\/cli\./, /(^|\/)node_modules\//, /\.ts$/, /(^|\/)test\//];

/**
 * Packs dist/ into the .vsix (building first unless build is false) and checks what it holds.
 * @returns {Promise<{ file: string, bytes: number, files: Array<{ name: string, bytes: number }>, manifest: object }>}
 */
export async function packageVsix({ build = true, log = () => undefined } = {}) {
  if (build) await buildExtension({ log });
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: build first (npm run build).');
  const file = vsixPath();
  const t0 = Date.now();
  fs.rmSync(file, { force: true });
  // vsce rewrites the README's relative links to the repository: VS Code shows only https images on
  // an extension's page (it blanks a relative one), so the pictures stay out of the package.
  await runNode(require.resolve('@vscode/vsce/vsce'), ['package', '--no-dependencies', '--out', file], 'vsce package');
  const zip = unzipSync(fs.readFileSync(file));
  const files = Object.entries(zip)
    .filter(([name]) => name.startsWith('extension/') && !name.endsWith('/'))
    .map(([name, data]) => ({ name: name.slice('extension/'.length), bytes: data.length }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const wrong = files.filter((f) => !ALLOWED.some((re) => re.test(f.name)) || FORBIDDEN.some((re) => re.test(f.name)));
  if (wrong.length) throw new Error(`${path.basename(file)} holds files it should not (fix .vscodeignore): ${wrong.map((f) => f.name).join(', ')}`);
  // dist/sandbox.js: the embedded sandbox, which extension.js requires when it is the connection.
  for (const needed of ['dist/extension.js', 'dist/sandbox.js']) {
    if (!files.some((f) => f.name === needed)) throw new Error(`${path.basename(file)} lacks ${needed}`);
  }
  const relative = readmeImages(Buffer.from(zip['extension/readme.md'] ?? zip['extension/README.md']).toString('utf8'));
  if (relative.length) throw new Error(`${path.basename(file)}'s README shows images by a relative path, which VS Code blanks on the extension's page (only https images load there): ${relative.join(', ')}`);
  const packedManifest = JSON.parse(Buffer.from(zip['extension/package.json']).toString('utf8'));
  const bytes = fs.statSync(file).size;
  log(`packed ${path.relative(process.cwd(), file) || file} (${files.length} files, ${kb(bytes)}) in ${seconds(Date.now() - t0)}`);
  return { file, bytes, files, manifest: packedManifest };
}

/** The image paths of a README (Markdown images and <img src>) that are not absolute URLs. */
export function readmeImages(markdown) {
  const refs = [...markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...markdown.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]);
  return [...new Set(refs.filter((r) => !/^[a-z][\w+.-]*:/i.test(r) && !r.startsWith('#')).map((r) => path.posix.normalize(r.replace(/^\.\//, ''))))];
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const say = (s) => process.stdout.write(`[package] ${s}\n`);
  try {
    const r = await packageVsix({ build: !process.argv.includes('--no-build'), log: say });
    for (const f of r.files) say(`  ${f.name.padEnd(34)} ${kb(f.bytes).padStart(10)}`);
    say(`${r.file}: ${kb(r.bytes)} (${r.bytes} bytes)`);
  } catch (e) {
    process.stderr.write(`[package] ${e.message}\n`);
    process.exit(1);
  }
}
