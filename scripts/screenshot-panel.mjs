// Takes docs/traffic-panel.png: the traffic panel of checkout-api:prod in a real VS Code
// (code-server, dark theme) with the embedded sandbox's live demo traffic, opened the way a user
// does it (command palette → function → alias).
//
//   npm run build && node scripts/screenshot-panel.mjs [--out docs/traffic-panel.png] [--wait 45]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, isolatedXdg, startCodeServer } from './code-server.mjs';
import { ensureVsCodeEnv, ROOT } from './vscode-env.mjs';

const { values: opts } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(ROOT, 'docs', 'traffic-panel.png') },
    wait: { type: 'string', default: '75' },
    theme: { type: 'string', default: 'Default Dark Modern' },
  },
});
const say = (s) => process.stdout.write(`[screenshot] ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js')) || !fs.existsSync(path.join(ROOT, 'dist', 'webview.js'))) {
  throw new Error('dist/ is not built: run `npm run build` first.');
}
const env = ensureVsCodeEnv();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-screenshot-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

const server = await startCodeServer({
  env,
  workspace,
  testDriver: true, // also keeps notification toasts out of the picture
  settings: {
    'workbench.colorTheme': opts.theme,
    'lambdaCanary.connection': 'sandbox',
    'lambdaCanary.sandbox.traffic': true,
    'lambdaCanary.panel.refreshSeconds': 3,
    'window.commandCenter': false,
  },
  log: say,
});
let context;
try {
  const payload = [
    ['extensionDevelopmentPath', server.remoteUri(ROOT)],
    ['skipWelcome', 'true'],
  ];
  const url = `${server.url}/?folder=${encodeURIComponent(server.remoteUri(workspace))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: env.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...isolatedXdg(path.join(tmp, 'chromium-home')) },
    viewport: { width: 1500, height: 940 },
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The Lambda Canary view: the demo functions, checkout-api expanded to its aliases.
  const entry = page.locator('.activitybar .action-item a.action-label[aria-label^="Lambda Canary"]');
  await entry.waitFor({ timeout: 60_000 });
  await entry.click();
  const row = (label) => page.locator('#workbench\\.parts\\.sidebar .monaco-list-row[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row('checkout-api').waitFor({ timeout: 60_000 });
  await row('checkout-api').click();
  await row('Aliases').waitFor({ timeout: 30_000 });
  // The Aliases group opens expanded; click it only if it did not.
  if (!(await row('prod →').isVisible())) {
    await sleep(1500);
    if (!(await row('prod →').isVisible())) await row('Aliases').click();
  }
  await row('prod →').waitFor({ timeout: 30_000 });
  say('tree ready; opening the panel from the palette');
  await page.keyboard.press('F1');
  await page.keyboard.type('Lambda Canary: Open Traffic Panel');
  await sleep(400);
  await page.keyboard.press('Enter');
  const pick = async (text) => {
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 20_000 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 20_000 });
    await input.fill(text);
    await sleep(300);
    await page.keyboard.press('Enter');
  };
  await pick('checkout-api');
  await pick('prod');
  // The panel's page lives in nested iframes.
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await frame.locator('table#split').waitFor({ timeout: 60_000 });
  await frame.locator('select#window').selectOption('5');
  say(`panel open; letting live traffic accumulate for ${opts.wait} s`);
  await sleep(Number(opts.wait) * 1000);
  await frame.locator('#probe').click();
  await frame.locator('table#probe-split').waitFor({ timeout: 30_000 });
  await sleep(4000);
  await frame.locator('h1').scrollIntoViewIfNeeded();
  await frame.locator('body').evaluate((body) => body.ownerDocument.defaultView?.scrollTo(0, 0));
  await sleep(500);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  await page.screenshot({ path: opts.out });
  say(`saved ${path.relative(ROOT, opts.out)} (${(fs.statSync(opts.out).size / 1024).toFixed(0)} KB)`);
} catch (err) {
  const shot = path.join(ROOT, 'artifacts', 'screenshot-failure.png');
  fs.mkdirSync(path.dirname(shot), { recursive: true });
  await context?.pages()[0]?.screenshot({ path: shot }).catch(() => undefined);
  say(`failed; the page as it was: ${path.relative(ROOT, shot)}`);
  throw err;
} finally {
  await context?.close().catch(() => undefined);
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
