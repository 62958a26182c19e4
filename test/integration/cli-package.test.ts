import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * The npm package (`npm pack`) is how the CLI reaches a CI job: it must hold the bundle its
 * `bin` names and the worker scripts that bundle starts beside itself (packaging, the embedded
 * sandbox's runtime and unpacker), and nothing of the sources.
 */
describe('the npm package of the CLI', function () {
  this.timeout(60_000);
  it('holds the bin and the workers it starts, and no sources', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string; mode: number }> }>;
    const files = pack.files.map((f) => f.path).sort();
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(manifest.bin['lambda-canary'], './dist/cli.js');
    for (const f of ['dist/cli.js', 'dist/sandbox.js', 'dist/packWorker.js', 'dist/sandboxWorker.js', 'dist/sandboxRuntimeApi.js', 'dist/sandboxBootstrap.py', 'dist/sandboxUnpack.js', 'media/lambda-canary.schema.json', 'package.json']) assert.ok(files.includes(f), `${f} is in the package: ${files.join(', ')}`);
    // Every chunk the CLI bundle may load lazily (the sandbox, the trigger audit…): each file of dist/
    // but the other products' bundles (the extension, the standalone sandbox, the webview).
    const others = new Set(['extension.js', 'sandbox-cli.js', 'webview.js', 'codedeployUi.js', 'historyUi.js', 'webviewRelease.js', 'routerUi.js']);
    for (const f of fs.readdirSync(path.join(ROOT, 'dist')).filter((n) => n.endsWith('.js') && !others.has(n))) assert.ok(files.includes(`dist/${f}`), `dist/${f} is in the package: ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.map')), files.join(', '));
  });
});
