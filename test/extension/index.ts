/**
 * The extension-host test entry point (extensionTestsPath): VS Code loads the compiled file
 * (out/test/extension/index.js) inside a real extension host and awaits run(). It serves both
 * scripts/run-extension-tests.mjs (code-server in headless chromium) and
 * scripts/run-vscode-tests.mjs (@vscode/test-electron).
 *
 * Environment (all optional):
 *  - LAMBDA_CANARY_TEST_RESULTS  a path: a JSON summary is written there when the run ends;
 *  - LAMBDA_CANARY_TEST_GREP     only the tests whose full title matches this regular expression;
 *  - LAMBDA_CANARY_TEST_LOG_TAG  prefix of every line mocha prints, so a runner that receives the
 *                                whole workbench log can pick out mocha's output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import type MochaType from 'mocha';

export interface ExtensionTestSummary {
  passes: number;
  failures: Array<{ title: string; error: string }>;
  pending: number;
  tests: number;
  durationMs: number;
  files: string[];
}

/**
 * mocha 12's main entry is an ES module. Its CommonJS build is loaded directly, so this also works
 * in extension hosts whose Node cannot require() an ES module (older Electron builds).
 */
function loadMocha(): typeof MochaType {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('mocha/lib/mocha.cjs') as typeof MochaType;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('mocha') as typeof MochaType & { default?: typeof MochaType };
    return m.default ?? m;
  }
}

/** Every *.test.js below `dir` (i.e. out/test/extension/**\/*.test.js), sorted. */
function testFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.test.js')) found.push(p);
    }
  };
  walk(dir);
  return found.sort();
}

export function run(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const Mocha = loadMocha();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.LAMBDA_CANARY_TEST_GREP;
  if (grep) mocha.grep(new RegExp(grep));
  const files = testFiles(__dirname);
  for (const f of files) mocha.addFile(f);

  const base = Mocha.reporters.Base;
  const originalLog = base.consoleLog;
  const tag = process.env.LAMBDA_CANARY_TEST_LOG_TAG;
  // One console.log per reporter line, already formatted: the extension host forwards console
  // output to the workbench as structured arguments, which would lose the %s/%d substitutions.
  base.consoleLog = (...args: unknown[]) => console.log(`${tag ?? ''}${util.format(...args)}`);

  const started = Date.now();
  const summary: ExtensionTestSummary = { passes: 0, failures: [], pending: 0, tests: 0, durationMs: 0, files: files.map((f) => path.relative(__dirname, f)) };
  const finish = (): void => {
    base.consoleLog = originalLog;
    summary.durationMs = Date.now() - started;
    const out = process.env.LAMBDA_CANARY_TEST_RESULTS;
    if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
  };

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      finish();
      reject(new Error(`no *.test.js files below ${__dirname}: run \`npm run compile\` first.`));
      return;
    }
    try {
      const runner = mocha.run((failed) => {
        finish();
        if (failed > 0) reject(new Error(`${failed} extension-host test(s) failed.`));
        else if (summary.tests === 0) reject(new Error(grep ? `no test matches LAMBDA_CANARY_TEST_GREP=${grep}` : 'no test ran'));
        else resolve();
      });
      runner.on('test end', () => summary.tests++);
      runner.on('pass', () => summary.passes++);
      runner.on('pending', () => summary.pending++);
      runner.on('fail', (test, err: Error) => summary.failures.push({ title: test.fullTitle(), error: err?.stack ?? String(err) }));
    } catch (err) {
      // e.g. a test file that throws while loading
      const error = (err as Error)?.stack ?? String(err);
      base.consoleLog(`\nCould not load the test files:\n${error}`);
      summary.failures.push({ title: 'loading the test files', error });
      finish();
      reject(err);
    }
  });
}
