// The end-to-end suite: a new user's session in a real VS Code (code-server, in Debian chromium
// driven by playwright-core), with the very .vsix `npm run package` makes, against the
// standalone sandbox (demo seed, live traffic). Each step checks what the UI shows AND the
// sandbox's state through the AWS SDK, and leaves a screenshot in artifacts/e2e/; a failing step
// stops the run and names its screenshot.
//
//   npm run test:e2e                       build, package, run
//   npm run test:e2e -- --no-build         package what dist/ holds (after npm run build)
//   LAMBDA_CANARY_E2E_HEADED=1             a visible chromium (needs a display)
//   LAMBDA_CANARY_E2E_TIMEOUT_MS=<ms>      whole-run limit (default 600000), install excluded
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, isolatedXdg, startCodeServer } from '../code-server.mjs';
import { DEMO_SANDBOX_ARGS, prepareDemoWorkspace, ROOT, startSandboxProcess } from '../demo-env.mjs';
import { packageVsix } from '../package.mjs';
import { ensureVsCodeEnv } from '../vscode-env.mjs';
import { SandboxState } from './sandbox-state.mjs';
import { steps } from './steps.mjs';
import { Workbench } from './workbench.mjs';

const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');
const TIMEOUT_MS = Number(process.env.LAMBDA_CANARY_E2E_TIMEOUT_MS || 10 * 60_000);
const say = (s) => process.stdout.write(`[e2e] ${s}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const rel = (p) => path.relative(process.cwd(), p) || p;

async function main() {
  const t0 = Date.now();
  const build = !process.argv.includes('--no-build');
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  const env = ensureVsCodeEnv();
  const vsix = await packageVsix({ build, log: say });
  const features = {
    // Step 3 runs once the traffic panel is in the package: its command and its page's bundle.
    trafficPanel:
      (vsix.manifest.contributes?.commands ?? []).some((c) => c.command === 'lambdaCanary.openTrafficPanel') && vsix.files.some((f) => f.name === 'dist/webview.js'),
  };

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-e2e-'));
  const cleanups = [];
  let finished = false;
  const cleanupSync = () => {
    for (const c of cleanups.reverse()) c.sync?.();
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (sig) => {
    say(`${sig}: stopping the sandbox, code-server and chromium`);
    cleanupSync();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    if (finished) return;
    say(`FAILED: the run took longer than ${seconds(TIMEOUT_MS)} (LAMBDA_CANARY_E2E_TIMEOUT_MS)`);
    cleanupSync();
    process.exit(1);
  }, TIMEOUT_MS);

  const results = [];
  let page;
  let server;
  let sandbox;
  let context;
  try {
    sandbox = await startSandboxProcess({ port: 0, args: DEMO_SANDBOX_ARGS, logFile: path.join(tmp, 'sandbox.log') });
    cleanups.push({ sync: sandbox.stopSync, async: sandbox.stop });
    say(`sandbox on ${sandbox.endpoint} (demo seed, live traffic)`);
    // The demo's two-folder workspace, as npm start opens it.
    const demo = prepareDemoWorkspace(tmp, { endpoint: sandbox.endpoint });
    const workspace = demo.folders.node;

    server = await startCodeServer({ env, workspace: demo.workspaceFile, vsix: vsix.file, log: say });
    cleanups.push({ sync: server.stopSync, async: server.stop });

    context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: env.chromium,
      headless: !process.env.LAMBDA_CANARY_E2E_HEADED,
      args: CHROMIUM_ARGS,
      env: { ...process.env, ...isolatedXdg(path.join(tmp, 'chromium-home')) },
      viewport: { width: 1400, height: 900 },
      timeout: 60_000,
    });
    cleanups.push({ async: () => Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]) });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    const consoleLog = fs.createWriteStream(path.join(tmp, 'workbench-console.log'));
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));

    const wb = new Workbench(page);
    await wb.recordNotifications();
    const url = `${server.url}/?workspace=${encodeURIComponent(server.remoteUri(demo.workspaceFile))}`;
    say(`opening ${url} in chromium`);
    const tSteps = Date.now();
    await page.goto(url, { timeout: 60_000 });

    const ctx = { wb, page, sb: new SandboxState(sandbox.endpoint), workspace, pythonWorkspace: demo.folders.python, features, endpoint: sandbox.endpoint, log: say };
    let failed = false;
    for (const [i, s] of steps.entries()) {
      const n = String(i + 1).padStart(2, '0');
      const base = path.join(ARTIFACTS, `${n}-${s.id}`);
      if (failed) {
        results.push({ step: s, status: 'not run' });
        continue;
      }
      const ts = Date.now();
      say(`▶ ${s.title}`);
      /** An extra screenshot in the middle of a step. */
      ctx.shot = async (name) => {
        const file = `${base}-${name}.png`;
        await page.screenshot({ path: file });
        say(`  screenshot ${rel(file)}`);
      };
      try {
        // Each step's notifications start from none (at most 3 toasts show at once); the last
        // step's stay on its screenshot.
        if (i > 0) await wb.clearNotifications();
        // A step returns nothing, or { skipped: 'why' } when what it checks is not there yet.
        const r = (await s.run(ctx)) ?? {};
        await page.screenshot({ path: `${base}.png` });
        results.push({ step: s, status: r.skipped ? 'skipped' : 'passed', ms: Date.now() - ts });
        say(`${r.skipped ? '○' : '✔'} ${s.title} (${seconds(Date.now() - ts)})${r.skipped ? ` SKIPPED: ${r.skipped}` : ''}  ${rel(`${base}.png`)}`);
      } catch (e) {
        failed = true;
        const shot = `${base}-FAILED.png`;
        const saved = await page.screenshot({ path: shot, timeout: 10_000 }).then(() => true, () => false);
        results.push({ step: s, status: 'failed', ms: Date.now() - ts, error: e });
        say(`✘ ${s.title} (${seconds(Date.now() - ts)}): ${e?.message ?? e}`);
        say(`  screenshot: ${saved ? rel(shot) : '(could not be taken)'}`);
        // What was in the way, in words (a CI log outlives its screenshots).
        const dialog = await page.locator('.monaco-dialog-box').innerText({ timeout: 1000 }).catch(() => '');
        if (dialog) say(`  a dialog was open: ${dialog.replace(/\s+/g, ' ').trim()}`);
        const toasts = await page.locator('.notifications-toasts .notification-list-item').allInnerTexts().catch(() => []);
        for (const t of toasts) say(`  notification: ${t.replace(/\s+/g, ' ').trim()}`);
      }
    }
    say(`steps took ${seconds(Date.now() - tSteps)}`);
    if (failed) {
      consoleLog.end();
      for (const [from, name] of [[server.logFile, 'code-server.log'], [sandbox.logFile, 'sandbox.log'], [path.join(tmp, 'workbench-console.log'), 'workbench-console.log']]) {
        if (fs.existsSync(from)) fs.copyFileSync(from, path.join(ARTIFACTS, name));
      }
      say(`logs: ${rel(ARTIFACTS)}/{code-server,sandbox,workbench-console}.log`);
    }
  } catch (e) {
    // Setting up (sandbox, code-server, chromium) failed: no step ran.
    const shot = path.join(ARTIFACTS, 'setup-FAILED.png');
    const saved = page ? await page.screenshot({ path: shot, timeout: 10_000 }).then(() => true, () => false) : false;
    say(`FAILED while setting up: ${e?.stack ?? e}${saved ? `\n  screenshot: ${rel(shot)}` : ''}`);
    for (const s of steps.slice(results.length)) results.push({ step: s, status: results.some((r) => r.status === 'failed') ? 'not run' : 'failed' });
    if (server?.logFile && fs.existsSync(server.logFile)) fs.copyFileSync(server.logFile, path.join(ARTIFACTS, 'code-server.log'));
  } finally {
    finished = true;
    clearTimeout(watchdog);
    for (const c of cleanups.reverse()) await (c.async?.() ?? c.sync?.());
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const passed = results.filter((r) => r.status === 'passed').length;
  const failedCount = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped' || r.status === 'not run').length;
  say(`vsix ${path.basename(vsix.file)} ${(vsix.bytes / 1024).toFixed(1)} KB; screenshots in ${rel(ARTIFACTS)}; total ${seconds(Date.now() - t0)}`);
  process.stdout.write(`e2e: ${passed} passed, ${failedCount} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  return failedCount === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[e2e] ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
