// Runs the browser suite (out/test/browser/**/*.test.js: web pages in chromium attacking the
// sandbox) once chromium is installed, then the extension-host mocha suite
// (out/test/extension/**/*.test.js, through out/test/extension/index.js) inside a real VS Code: code-server started with the smoke-test
// driver, its workbench opened in headless Debian chromium through playwright-core, with
// extensionDevelopmentPath / extensionTestsPath in the URL's `payload` parameter. mocha's output is
// streamed to stdout; the process exits with the suite's result. The tests click and type in
// webviews through a loopback bridge to that chromium page (scripts/webview-bridge.mjs).
//
// Builds nothing: run `npm run build` (dist/extension.js) and `npm run compile` (out/) first.
// The first run installs code-server, Node 24 and chromium (scripts/vscode-env.mjs).
//
// Environment:
//   LAMBDA_CANARY_TEST_GREP=<regexp>           only the matching tests
//   LAMBDA_CANARY_EXT_TEST_TIMEOUT_MS=<ms>     whole-run limit (default 300000), install excluded
//   LAMBDA_CANARY_EXT_TEST_VERBOSE=1           also stream the workbench's own log (stderr)
//   LAMBDA_CANARY_TEST_*                       passed on to the extension host
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, isolatedXdg, startCodeServer } from './code-server.mjs';
import { ensureVsCodeEnv, ROOT } from './vscode-env.mjs';
import { startWebviewBridge } from './webview-bridge.mjs';

const TIMEOUT_MS = Number(process.env.LAMBDA_CANARY_EXT_TEST_TIMEOUT_MS || 5 * 60_000);
const VERBOSE = Boolean(process.env.LAMBDA_CANARY_EXT_TEST_VERBOSE);
const ARTIFACTS = path.join(ROOT, 'artifacts', 'extension-tests');
const TESTS_DIR = path.join(ROOT, 'out', 'test', 'extension');
const BROWSER_TESTS_DIR = path.join(ROOT, 'out', 'test', 'browser');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'workspace');
/** Marks mocha's lines among everything the workbench logs (see test/extension/index.ts). */
const TAG = '\u00a7lc-mocha\u00a7 ';
/** What the workbench says when the payload's paths are not vscode-remote URIs (or the test driver is off). */
const NO_HOST = 'No extension host found that can launch the test runner';

const say = (s) => process.stdout.write(`[ext-tests] ${s}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir, suffix) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, suffix));
    else if (e.name.endsWith(suffix)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function checkPrerequisites() {
  const bundle = path.join(ROOT, 'dist', 'extension.js');
  const entry = path.join(TESTS_DIR, 'index.js');
  if (!fs.existsSync(bundle)) throw new Error('dist/extension.js is missing: run `npm run build` first.');
  if (!fs.existsSync(entry)) throw new Error('out/test/extension/index.js is missing: run `npm run compile` first.');
  if (newestMtime(path.join(ROOT, 'src'), '.ts') > fs.statSync(bundle).mtimeMs) say('warning: src/ changed after dist/extension.js was built (`npm run build`).');
  if (newestMtime(path.join(ROOT, 'test', 'extension'), '.ts') > newestMtime(TESTS_DIR, '.js')) say('warning: test/extension changed after the last `npm run compile`.');
}

async function main() {
  const t0 = Date.now();
  checkPrerequisites();
  const env = ensureVsCodeEnv();
  const tEnv = Date.now();
  const browserCode = runBrowserSuite(env.chromium);
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ext-tests-'));
  const workspace = path.join(tmp, 'workspace');
  if (fs.existsSync(FIXTURE)) fs.cpSync(FIXTURE, workspace, { recursive: true });
  else fs.mkdirSync(workspace);
  const resultsFile = path.join(tmp, 'results.json');
  const workbenchLogFile = path.join(tmp, 'workbench.log');
  const workbenchLog = fs.createWriteStream(workbenchLogFile);

  /** @type {Awaited<ReturnType<typeof startCodeServer>> | undefined} */
  let server;
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context;
  /** @type {import('playwright-core').Page | undefined} */
  let page;
  let done = false;
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  const onSignal = (sig) => {
    say(`${sig}: stopping code-server and chromium`);
    server?.stopSync();
    removeTmp();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  /** @type {(o: { code: number, reason?: string }) => void} */
  let settle = () => undefined;
  const outcome = new Promise((resolve) => {
    settle = (o) => {
      if (done) return;
      done = true;
      resolve(o);
    };
  });
  const timer = setTimeout(() => settle({ code: 1, reason: `timed out after ${seconds(TIMEOUT_MS)} (LAMBDA_CANARY_EXT_TEST_TIMEOUT_MS)` }), TIMEOUT_MS);

  const onLog = (level, args) => {
    const parts = Array.isArray(args) ? args : [args];
    const text = typeof parts[0] === 'string' ? util.format(...parts) : parts.map((a) => (typeof a === 'string' ? a : util.inspect(a))).join(' ');
    const i = text.indexOf(TAG);
    if (i >= 0) {
      process.stdout.write(`${text.slice(i + TAG.length)}\n`);
      return;
    }
    workbenchLog.write(`[${level}] ${text}\n`);
    if (VERBOSE) process.stderr.write(`[vscode ${level}] ${text}\n`);
    if (text.includes(NO_HOST)) settle({ code: 1, reason: `the workbench says: "${NO_HOST}"` });
  };

  let tSuite = 0;
  /** @type {Awaited<ReturnType<typeof startWebviewBridge>> | undefined} */
  let bridge;
  const launched = (async () => {
    bridge = await startWebviewBridge(() => page);
    server = await startCodeServer({ env, workspace, testDriver: true, log: say });
    server.exited.then((e) => settle({ code: 1, reason: `code-server exited during the run (${e.code ?? e.signal})` }));
    const tags = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('LAMBDA_CANARY_TEST_')));
    const extensionEnvironment = {
      ...tags,
      LAMBDA_CANARY_TEST_RESULTS: resultsFile,
      LAMBDA_CANARY_TEST_LOG_TAG: TAG,
      LAMBDA_CANARY_TEST_WEBVIEW_BRIDGE: JSON.stringify({ url: bridge.url, token: bridge.token }),
    };
    const payload = [
      ['extensionDevelopmentPath', server.remoteUri(ROOT)],
      ['extensionTestsPath', server.remoteUri(path.join(TESTS_DIR, 'index.js'))],
      ['skipWelcome', 'true'],
      ['extensionEnvironment', JSON.stringify(extensionEnvironment)],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(server.remoteUri(workspace))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: env.chromium,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, ...isolatedXdg(path.join(tmp, 'chromium-home')) }, // crash reports, dconf: not in ~
      viewport: { width: 1400, height: 900 },
      timeout: 60_000,
    });
    if (done) return;
    page = context.pages()[0] ?? (await context.newPage());
    await page.exposeFunction('codeAutomationExit', (code) => settle({ code: Number(code) || 0 }));
    await page.exposeFunction('codeAutomationLog', onLog);
    page.on('console', (msg) => {
      const text = msg.text();
      workbenchLog.write(`[console.${msg.type()}] ${text}\n`);
      if (text.includes(NO_HOST)) settle({ code: 1, reason: `the workbench says: "${NO_HOST}"` });
    });
    page.on('pageerror', (err) => workbenchLog.write(`[pageerror] ${err.stack ?? err}\n`));
    page.on('crash', () => settle({ code: 1, reason: 'the workbench page crashed' }));
    say(`opening the workbench in chromium (workspace ${fs.existsSync(FIXTURE) ? 'copy of test/fixtures/workspace' : 'empty'})`);
    tSuite = Date.now();
    await page.goto(url, { timeout: 60_000 });
  })();
  launched.catch((err) => settle({ code: 1, reason: err?.stack ?? String(err) }));

  let code;
  try {
    const result = await outcome;
    clearTimeout(timer);
    await sleep(300); // the last forwarded log lines
    code = result.code;
    const summary = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : undefined;
    process.stdout.write('\n');
    if (result.reason) say(`FAILED: ${result.reason}`);
    if (!summary) {
      code = 1;
      say('the suite wrote no results (it did not run, or did not finish).');
    } else {
      if (summary.failures.length > 0 || summary.tests === 0) code = 1;
      for (const f of summary.failures) say(`failed: ${f.title}`);
      say(`extension-host suite in code-server: ${summary.files.length} file(s), ${seconds(summary.durationMs)} in VS Code; setup ${seconds(tEnv - t0)}, workbench to end ${seconds(Date.now() - (tSuite || Date.now()))}`);
      process.stdout.write(`${summary.passes} passed, ${summary.failures.length} failed${summary.pending ? `, ${summary.pending} skipped` : ''}\n`);
    }
    if (code !== 0) await saveArtifacts(page, server, workbenchLog, workbenchLogFile);
  } finally {
    clearTimeout(timer);
    done = true;
    await launched.catch(() => undefined); // every step of it has its own time limit
    if (context) await Promise.race([context.close().catch(() => undefined), sleep(10_000)]);
    await server?.stop();
    await bridge?.close();
    workbenchLog.end();
    removeTmp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  say(`${code === 0 ? 'passed' : 'FAILED'} in ${seconds(Date.now() - t0)}`);
  if (browserCode !== 0) say('FAILED: the browser suite (see its output above).');
  return code || browserCode;
}

/** The browser suite, as plain mocha with the chromium just ensured; CI=true makes it unskippable. */
function runBrowserSuite(chromiumPath) {
  if (!fs.existsSync(BROWSER_TESTS_DIR)) {
    say('out/test/browser is missing: run `npm run compile` first.');
    return 1;
  }
  say(`browser suite (chromium ${chromiumPath})`);
  const t = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', '.mocharc.json', '--timeout', '90000', 'out/test/browser/**/*.test.js'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, LAMBDA_CANARY_CHROMIUM: chromiumPath },
  });
  say(`browser suite ${r.status === 0 ? 'passed' : 'FAILED'} in ${seconds(Date.now() - t)}`);
  return r.status ?? 1;
}

async function saveArtifacts(page, server, workbenchLog, workbenchLogFile) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const saved = [];
  if (page) {
    const shot = path.join(ARTIFACTS, 'failure.png');
    if (await page.screenshot({ path: shot, timeout: 10_000 }).then(() => true, () => false)) saved.push(shot);
  }
  await new Promise((r) => workbenchLog.write('', r));
  for (const [from, name] of [[server?.logFile, 'code-server.log'], [workbenchLogFile, 'workbench.log']]) {
    if (from && fs.existsSync(from)) {
      fs.copyFileSync(from, path.join(ARTIFACTS, name));
      saved.push(path.join(ARTIFACTS, name));
    }
  }
  if (saved.length) say(`saved: ${saved.map((p) => path.relative(ROOT, p)).join(', ')}`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[ext-tests] ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
