// Renders the marketplace icon docs/icon.svg to media/icon.png (256 × 256, transparent corners)
// in Debian's chromium, driven by playwright-core: `npm run docs:icon`. The PNG is committed
// (the marketplace takes no SVG icon); run this again after changing the SVG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, vscodeEnvPaths } from './vscode-env.mjs';

const svg = fs.readFileSync(path.join(ROOT, 'docs', 'icon.svg'), 'utf8');
const executablePath = vscodeEnvPaths().chromium;
if (!fs.existsSync(executablePath)) throw new Error(`chromium was not found (${executablePath}): run 'node scripts/vscode-env.mjs' first, or set LAMBDA_CANARY_CHROMIUM`);
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const out = path.join(ROOT, 'media', 'icon.png');
  await page.locator('svg').screenshot({ path: out, omitBackground: true });
  process.stdout.write(`wrote ${path.relative(ROOT, out)} (${fs.statSync(out).size} bytes)\n`);
} finally {
  await browser.close();
}
