// The extension-host suite (out/test/extension/index.js) in a downloaded desktop VS Code
// (Electron) through @vscode/test-electron, for machines that can download VS Code. Where VS Code
// cannot be downloaded (as on this project's machines), scripts/run-extension-tests.mjs runs the
// same suite in code-server instead. The tests that click in a webview need the browser bridge
// only that runner provides (scripts/webview-bridge.mjs); here they are skipped.
//
// Needs `npm run build` and `npm run compile` first. On a Linux machine without a display, run it
// under a virtual one: `xvfb-run -a node scripts/run-vscode-tests.mjs`.
//
// Environment:
//   VSCODE_TEST_VERSION=stable|insiders|1.90.0   default: stable
//   LAMBDA_CANARY_TEST_*                         passed on to the extension host (e.g. _GREP)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './vscode-env.mjs';

const extensionTestsPath = path.join(ROOT, 'out', 'test', 'extension', 'index.js');
for (const [file, how] of [[path.join(ROOT, 'dist', 'extension.js'), 'npm run build'], [extensionTestsPath, 'npm run compile']]) {
  if (!fs.existsSync(file)) {
    process.stderr.write(`${path.relative(ROOT, file)} is missing: run \`${how}\` first.\n`);
    process.exit(1);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-vscode-tests-'));
const workspace = path.join(tmp, 'workspace');
const fixture = path.join(ROOT, 'test', 'fixtures', 'workspace');
if (fs.existsSync(fixture)) fs.cpSync(fixture, workspace, { recursive: true });
else fs.mkdirSync(workspace);
const resultsFile = path.join(tmp, 'results.json');

let code;
try {
  code = await runTests({
    version: process.env.VSCODE_TEST_VERSION || 'stable',
    // The download is cached beside code-server's, in the git-ignored .cache/.
    cachePath: path.join(ROOT, '.cache', 'vscode-test'),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath,
    extensionTestsEnv: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('LAMBDA_CANARY_TEST_'))),
      LAMBDA_CANARY_TEST_RESULTS: resultsFile,
    },
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions; the one under development still loads
      `--user-data-dir=${path.join(tmp, 'user-data')}`,
      `--extensions-dir=${path.join(tmp, 'extensions')}`,
    ],
  });
} catch (err) {
  // runTests rejects when VS Code exits non-zero (a failing suite) or cannot be downloaded/started.
  process.stderr.write(`extension-host tests failed: ${err?.message ?? err}\n`);
  code = 1;
}
if (fs.existsSync(resultsFile)) {
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  if (r.failures.length > 0 || r.tests === 0) code = 1;
  process.stdout.write(`${r.passes} passed, ${r.failures.length} failed${r.pending ? `, ${r.pending} skipped` : ''}\n`);
} else if (code === 0) {
  process.stderr.write('the suite wrote no results.\n');
  code = 1;
}
fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
process.exit(code);
