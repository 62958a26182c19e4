// Takes the README's themed screenshots (docs/screenshot-{dark,light,hc}.png: the Functions view
// and the traffic panel of checkout-api:prod with its demo canary and live traffic) and the
// walkthrough's step images (media/walkthrough/*.png, cropped to what each step is about), in the
// same real VS Code as the e2e suite: code-server in chromium, the packaged .vsix, the demo
// workspace and the standalone sandbox (demo seed, live traffic). The theme is the user setting
// workbench.colorTheme, changed while the window is open.
//
//   npm run screenshots                  build, package, take them
//   npm run screenshots -- --no-build    package what dist/ holds
//
// Each picture is also left in artifacts/screenshots/ with the walkthrough as the extension
// opened it, to look at.
/* global document */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, isolatedXdg, startCodeServer } from '../code-server.mjs';
import { DEMO_SANDBOX_ARGS, prepareDemoWorkspace, ROOT, startSandboxProcess } from '../demo-env.mjs';
import { packageVsix } from '../package.mjs';
import { ensureVsCodeEnv } from '../vscode-env.mjs';
import { sleep, waitFor, Workbench } from './workbench.mjs';

/**
 * Makes a screenshot's PNG small with Debian's pngquant (256 colours, visually the same; about a
 * third of the bytes) when it is installed (`apt-get install pngquant`); otherwise leaves it as is.
 */
function compressPng(file) {
  const r = spawnSync('pngquant', ['--quality=70-95', '--speed', '1', '--strip', '--force', '--output', file, file], { stdio: 'ignore' });
  return r.status === 0;
}

// Each theme as the Color Theme picker labels it and as the user setting names it then: VS Code
// 1.139 writes "Dark Modern" for the old "Default Dark Modern" (it reads both), but keeps the id
// "Default High Contrast" for the theme labelled Dark High Contrast.
const THEMES = [
  { name: 'dark', label: 'Dark Modern', setting: 'Dark Modern' },
  { name: 'light', label: 'Light Modern', setting: 'Light Modern' },
  { name: 'hc', label: 'Dark High Contrast', setting: 'Default High Contrast' },
];
const DOCS = path.join(ROOT, 'docs');
const MEDIA = path.join(ROOT, 'media', 'walkthrough');
const ARTIFACTS = path.join(ROOT, 'artifacts', 'screenshots');
/** The walkthrough images stay small: the extension's package carries them. */
const MAX_IMAGE_BYTES = 150 * 1024;
const say = (s) => process.stdout.write(`[screenshots] ${s}\n`);

async function main() {
  const build = !process.argv.includes('--no-build');
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.mkdirSync(MEDIA, { recursive: true });
  const env = ensureVsCodeEnv();
  const vsix = await packageVsix({ build, log: say });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-screenshots-'));
  const cleanups = [];
  try {
    const sandbox = await startSandboxProcess({ port: 0, args: DEMO_SANDBOX_ARGS, logFile: path.join(tmp, 'sandbox.log') });
    cleanups.push(() => sandbox.stop());
    const demo = prepareDemoWorkspace(tmp, { endpoint: sandbox.endpoint });
    const settings = { 'workbench.colorTheme': THEMES[0].setting, 'lambdaCanary.panel.refreshSeconds': 3 };
    const server = await startCodeServer({ env, workspace: demo.workspaceFile, vsix: vsix.file, settings, log: say });
    cleanups.push(() => server.stop());
    const context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: env.chromium,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, ...isolatedXdg(path.join(tmp, 'chromium-home')) },
      viewport: { width: 1400, height: 900 },
      timeout: 60_000,
    });
    cleanups.push(() => Promise.race([context.close().catch(() => undefined), sleep(10_000)]));
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    const wb = new Workbench(page);
    await page.goto(`${server.url}/?workspace=${encodeURIComponent(server.remoteUri(demo.workspaceFile))}`, { timeout: 60_000 });
    await wb.ready();
    await wb.openViewContainer('Lambda Canary');

    /** Switches the colour theme as a user does (Preferences: Color Theme, which writes the user setting workbench.colorTheme). */
    const setTheme = async ({ label, setting }) => {
      await wb.runCommand('Preferences: Color Theme');
      await wb.pick(label);
      // The workbench's element carries the theme's kind as a class: vs, vs-dark, hc-black.
      const kind = /High Contrast/.test(label) ? 'hc-black' : /Light/.test(label) ? 'vs' : 'vs-dark';
      const classes = () => page.evaluate(() => [...(document.querySelector('.monaco-workbench')?.classList ?? [])]);
      await waitFor(async () => (await classes()).includes(kind), { timeout: 20_000, what: `the workbench in ${label}`, describe: async () => `its classes: ${(await classes()).join(' ')}` });
      await waitFor(() => fs.readFileSync(path.join(server.userData, 'User', 'settings.json'), 'utf8').includes(`"workbench.colorTheme": "${setting}"`), { timeout: 10_000, what: `the user setting workbench.colorTheme: ${setting}`, describe: () => fs.readFileSync(path.join(server.userData, 'User', 'settings.json'), 'utf8') });
      await sleep(2500); // the webview takes the new theme's variables a moment later
    };
    /** A screenshot of the box around some locators (with a margin), inside the window. */
    const clipOf = async (locators, margin = 8) => {
      const boxes = (await Promise.all(locators.map((l) => l.boundingBox()))).filter(Boolean);
      if (boxes.length === 0) throw new Error('nothing to crop to');
      const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
      const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
      const right = Math.min(1400, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
      const bottom = Math.min(900, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
      return { x, y, width: right - x, height: bottom - y };
    };
    const image = async (name, clip) => {
      const file = path.join(MEDIA, `${name}.png`);
      await page.screenshot({ path: file, clip });
      compressPng(file);
      fs.copyFileSync(file, path.join(ARTIFACTS, `walkthrough-${name}.png`));
      const bytes = fs.statSync(file).size;
      say(`${path.relative(ROOT, file)} ${clip.width}×${clip.height}, ${(bytes / 1024).toFixed(0)} KB`);
      if (bytes > MAX_IMAGE_BYTES) throw new Error(`${file} is ${(bytes / 1024).toFixed(0)} KB, over ${MAX_IMAGE_BYTES / 1024} KB: crop it tighter`);
    };
    const sidebar = page.locator('#workbench\\.parts\\.sidebar');
    const editor = page.locator('#workbench\\.parts\\.editor');

    // The walkthrough, as the first activation opened it (to look at, in each theme below too).
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.waitFor({ timeout: 30_000 }).catch(() => say('the walkthrough did not open by itself'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'walkthrough-opened.png') });
    await wb.runCommand('View: Close All Editors');

    // checkout-api's prod with the demo's 10 % canary, in its traffic panel, live traffic filling in.
    // A wider sidebar, so the alias rows show their whole split.
    // (the sash on the sidebar's right edge, dragged as a user does)
    const side = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
    const edge = side.x + side.width + 1;
    await page.mouse.move(edge, 600);
    await sleep(400); // the sash shows its hover state before it takes a drag
    await page.mouse.down();
    await page.mouse.move(edge + 60, 600, { steps: 5 });
    await page.mouse.move(edge + 130, 600, { steps: 5 });
    await page.mouse.up();
    const widened = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
    say(`sidebar ${Math.round(side.width)} → ${Math.round(widened.width)} px wide`);
    await wb.expand('checkout-api');
    const prodRow = 'prod → 2 (90%) · 3 (10%)';
    await wb.waitForRow(prodRow);
    await wb.contextMenu(prodRow, 'Open Traffic Panel');
    const view = wb.webview();
    const observed3 = view.locator('#split tbody tr[data-version="3"] td.observed');
    await waitFor(
      async () => {
        const t = (await observed3.innerText({ timeout: 1000 }).catch(() => '')).trim();
        return /^\d+(\.\d+)?%$/.test(t) && parseFloat(t) > 0;
      },
      { timeout: 120_000, interval: 2000, what: 'the observed share of the canary from live traffic' },
    );
    // The last 5 minutes, so the chart's bars are wide enough to read; a few refreshes of history.
    await view.locator('#window').selectOption('5');
    await sleep(20_000);
    await wb.row(prodRow).first().click(); // the row selected, as after a right-click

    for (const t of THEMES) {
      await setTheme(t);
      const file = path.join(DOCS, `screenshot-${t.name}.png`);
      await page.screenshot({ path: file });
      compressPng(file);
      fs.copyFileSync(file, path.join(ARTIFACTS, `screenshot-${t.name}.png`));
      say(`${path.relative(ROOT, file)} (${t.setting}), ${(fs.statSync(file).size / 1024).toFixed(0)} KB`);
    }
    await setTheme(THEMES[0]);

    // The walkthrough's images, in the dark theme.
    await image('traffic', await clipOf([editor], 0).then((c) => ({ ...c, width: Math.min(c.width, 760), height: Math.min(c.height, 470) })));

    // Publish a canary: the context menu of an alias without a canary (staging).
    await wb.row('staging → 3').first().click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await sleep(400);
    await image('publish', await clipOf([wb.row('staging → 3').first(), menu, wb.row('checkout-api').first()]));
    await page.keyboard.press('Escape');

    // Roll back: Roll Back Canary's confirmation (answered Cancel: the canary stays for what follows).
    await wb.contextMenu(prodRow, 'Roll Back Canary');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    await sleep(400);
    await image('rollback', await clipOf([dialog], 12));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Connect: the Select Connection picker.
    await wb.runCommand('Lambda Canary: Select Connection…');
    await wb.quickInput.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await sleep(400);
    await image('connect', await clipOf([wb.quickInput], 10));
    await wb.closeQuickInput();

    // Find your function: Open Function Config → the Node.js folder → its lambda-canary.json.
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('Lambda Canary: Open Function Config');
    await wb.pick('checkout-api (Node.js)');
    await waitFor(async () => (await wb.editorTabs()).some((t) => t.includes('lambda-canary.json')), { what: 'lambda-canary.json in an editor' });
    await sleep(1500);
    const sideBox = await sidebar.boundingBox();
    await image('function', { x: 0, y: 0, width: Math.min(1400, sideBox.x + sideBox.width + 520), height: 420 });

    // Start a rollout: image-resizer's healthy version 2 on prod, in its traffic panel.
    await wb.runCommand('View: Close All Editors');
    await wb.expand('image-resizer');
    await wb.waitForRow('prod → 1');
    // Several functions have a `prod → 1`: the one under image-resizer.
    const rows = await wb.treeRows();
    const at = rows.findIndex((r) => r.level === 1 && r.label === 'image-resizer');
    const prodIndex = rows.slice(at).find((r) => r.level === 3 && r.label === 'prod → 1').index;
    const row = wb.sidebar.locator(`.monaco-list-row[role="treeitem"][data-index="${prodIndex}"]`);
    await row.click({ button: 'right' });
    const item = page.getByRole('menuitem', { name: 'Start Rollout…' });
    await item.waitFor();
    await sleep(300);
    await item.click();
    const title = 'Start Rollout on image-resizer:prod';
    await wb.pick('2', { title });
    await wb.pick('Quick (sandbox)', { title });
    await wb.pick('Here', { title });
    await dialog.waitFor();
    if (/bypass/.test(await dialog.innerText())) await wb.answerDialog('Go On');
    await wb.answerDialog('Start Rollout');
    const running = /^prod → 1 \(50%\) · 2 \(50%\) · step 1\/2$/;
    await wb.waitForRow(running, { timeout: 30_000 });
    await wb.contextMenu(running, 'Open Traffic Panel');
    await waitFor(async () => /^Running · step 1\/2/.test((await view.locator('#rollout-status').innerText({ timeout: 1000 }).catch(() => '')).trim()), { timeout: 30_000, what: 'the panel to show the rollout' });
    await sleep(2500);
    await wb.clearNotifications();
    await wb.row(running).first().click();
    await image('rollout', await clipOf([editor], 0).then((c) => ({ ...c, x: sideBox.x, width: Math.min(c.x + c.width - sideBox.x, 980), height: Math.min(c.height, 470) })));

    // The walkthrough in each theme, to look at (Help: Get Started lists it).
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('Welcome: Open Walkthrough...');
    await wb.pick(/Get Started with Lambda Canary/);
    await walkthrough.waitFor();
    for (const t of THEMES) {
      await setTheme(t);
      await page.screenshot({ path: path.join(ARTIFACTS, `walkthrough-${t.name}.png`) });
    }
    say(`done; every picture is also in ${path.relative(process.cwd(), ARTIFACTS)}`);
  } finally {
    for (const c of cleanups.reverse()) await c();
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`[screenshots] ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
