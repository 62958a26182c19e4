/**
 * The panels' pages in a real browser (Debian's chromium through playwright-core), as a screen
 * reader and a keyboard user meet them: the built bundles (dist/webview.js, dist/webviewRelease.js)
 * under the host's own HTML (src/extension/panel/html.ts: its CSP, its nonce), fed the host's
 * messages. Chromium's accessibility tree (CDP Accessibility.getFullAXTree) says what each control
 * is called; Tab says what the keyboard reaches. A bundle of another language, passed as the host
 * passes vscode.l10n.bundle, turns the page's words and numbers into that language.
 *
 * Needs `npm run build` (the bundles) and `npm run compile`; runs in `npm run test:extension`
 * (scripts/run-extension-tests.mjs), and with `npx mocha --config .mocharc.json out/test/browser/panel-a11y.test.js`.
 * It skips only when chromium is absent and CI is not set.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel/html';
import type { HostMessage } from '../../src/shared/protocol';
import type { ReleaseView } from '../../src/shared/release';

// page.evaluate's callbacks run in the page: its globals, for a compiler without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const getComputedStyle: any;
declare const MutationObserver: any;
declare type HTMLElement = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The theme's colours, as VS Code sets them on the page's <html> (its script, by CSSOM: the CSP allows no inline style). */
const THEME: Record<string, string> = { '--vscode-focusBorder': '#007fd4', '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1e1e1e' };

const ROOT = path.join(__dirname, '..', '..', '..');
const executable = [process.env.LAMBDA_CANARY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c): c is string => !!c && fs.existsSync(c));

const ALIAS = { functionName: 'checkout', aliasName: 'prod', connection: 'sandbox', lagging: false, primary: { version: '7', weight: 0.9 }, canary: { version: '8', weight: 0.1 }, revisionId: 'r1' };

function init(alias = ALIAS): HostMessage {
  return { type: 'init', alias, window: 15, refreshSeconds: 10, probeCount: 100, scrollY: 0 };
}

function traffic(now: number): HostMessage {
  const series = (n: number) => [0, 1, 2].map((i) => ({ t: now - (3 - i) * 60_000, invocations: n, errors: i === 2 ? 1 : 0 }));
  return {
    type: 'traffic',
    report: {
      functionName: 'checkout',
      aliasName: 'prod',
      start: now - 15 * 60_000,
      end: now,
      periodSeconds: 60,
      totalInvocations: 3300,
      throttles: 0,
      newestPoint: now - 60_000,
      versions: [
        { version: '7', invocations: 3000, errors: 3, errorRate: 0.001, share: 0.909, durationAvgMs: 12, durationP99Ms: 80, series: series(1000) },
        { version: '8', invocations: 300, errors: 0, errorRate: 0, share: 0.091, durationAvgMs: 11, durationP99Ms: 70, series: series(100) },
      ],
    },
    verdict: { kind: 'ok', stableVersion: '7', canaryVersion: '8', message: 'The canary is as good as the stable version.' },
    fetchedAt: now,
  } as HostMessage;
}

const RELEASE: ReleaseView = {
  id: 'r-1',
  source: 'lambda-canary.json',
  planText: '10% 5m, 100%',
  steps: [
    { weight: 10, bakeSeconds: 300, gate: 'auto', startedAt: Date.now() },
    { weight: 100, bakeSeconds: 0, gate: 'auto' },
  ],
  current: 0,
  status: 'running',
  statusText: 'step 1 bakes',
  startedAt: Date.now(),
  members: [
    { functionName: 'a', aliasName: 'prod', state: 'routed', stable: '1', version: '2', weight: 10 },
    { functionName: 'b', aliasName: 'prod', state: 'routed', stable: '4', version: '5', weight: 10 },
  ],
  driver: { holder: 'me@here', self: true },
};

interface AxNode {
  role?: { value?: string };
  name?: { value?: string };
  ignored?: boolean;
  backendDOMNodeId?: number;
}

/** Roles a user operates: each needs a name a screen reader can say. */
const CONTROL_ROLES = new Set(['button', 'slider', 'spinbutton', 'combobox', 'textbox', 'checkbox', 'radio', 'link', 'progressbar', 'menuitem', 'tab', 'switch']);

describe('panel pages: accessible names, keyboard, live regions, language (chromium)', function () {
  let browser: Browser;
  let server: http.Server;
  let origin = '';

  before(async function () {
    if (!executable) {
      if (process.env.CI) throw new Error('chromium is not installed (CI is set, so this test may not skip): run `node scripts/vscode-env.mjs` or set LAMBDA_CANARY_CHROMIUM.');
      this.skip();
    }
    for (const f of ['dist/webview.js', 'dist/webviewRelease.js']) assert.ok(fs.existsSync(path.join(ROOT, f)), `${f} is missing: run \`npm run build\` first`);
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      const files: Record<string, string> = { '/dist/webview.js': 'text/javascript', '/dist/webviewRelease.js': 'text/javascript', '/media/panel.css': 'text/css' };
      if (files[url.pathname]) {
        res.writeHead(200, { 'content-type': files[url.pathname] });
        res.end(fs.readFileSync(path.join(ROOT, url.pathname)));
        return;
      }
      const script = url.pathname === '/release' ? '/dist/webviewRelease.js' : '/dist/webview.js';
      const html = panelHtml({ cspSource: origin, scriptUri: `${origin}${script}`, styleUri: `${origin}/media/panel.css`, title: 'checkout:prod traffic', language: url.searchParams.get('lang') ?? undefined, l10n: url.searchParams.get('l10n') ?? undefined });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'], timeout: 60_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  /** A page as VS Code shows it: acquireVsCodeApi() records what the page posts; CSP errors are collected. */
  async function open(page: 'traffic' | 'release', query: Record<string, string> = {}): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.addInitScript(() => {
      const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi: () => unknown };
      w.__posted = [];
      let state: unknown;
      w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m), getState: () => state, setState: (s: unknown) => (state = s) });
    });
    await p.goto(`${origin}/${page}?${new URLSearchParams(query).toString()}`);
    await p.evaluate((vars) => Object.entries(vars).forEach(([k, v]) => document.documentElement.style.setProperty(k, v)), THEME);
    await p.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
    return { page: p, errors };
  }

  const send = (page: Page, ...messages: unknown[]) => page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), messages);

  async function axTree(page: Page): Promise<AxNode[]> {
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    await cdp.detach();
    return nodes.filter((n) => !n.ignored);
  }

  /** The controls of the page that have no accessible name, as `role` strings. */
  async function unnamedControls(page: Page): Promise<string[]> {
    const nodes = await axTree(page);
    const controls = nodes.filter((n) => CONTROL_ROLES.has(n.role?.value ?? ''));
    assert.ok(controls.length > 0, 'the page has controls');
    return controls.filter((n) => !(n.name?.value ?? '').trim()).map((n) => n.role!.value!);
  }

  /** The ids (or tags) Tab visits, from the top of the page, until `until` has focus or `max` presses. */
  async function tabTo(page: Page, until: string, max = 80): Promise<string[]> {
    const visited: string[] = [];
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || '');
      visited.push(id);
      if (id === until) break;
    }
    return visited;
  }

  it('traffic panel: every control has an accessible name; the chart is an image with a summary; its table is reached by Tab and by the chart\'s button', async () => {
    const { page, errors } = await open('traffic');
    await send(page, init(), traffic(Date.now()), { type: 'rollout', rollout: null }, { type: 'probe', total: 10, done: 4, result: { sent: 4, byVersion: { '7': { invocations: 3, errors: 0 }, '8': { invocations: 1, errors: 0 } }, failed: 0, durationMs: 10 }, finished: false, cancelled: false });
    await page.waitForSelector('#split');
    assert.deepEqual(await unnamedControls(page), [], 'controls without an accessible name');

    const nodes = await axTree(page);
    const images = nodes.filter((n) => n.role?.value === 'image' || n.role?.value === 'img');
    const chart = images.find((n) => (n.name?.value ?? '').startsWith('Invocations per 60 s by executed version'));
    assert.ok(chart, `the chart is an image named by its summary: ${JSON.stringify(images.map((n) => n.name?.value))}`);
    assert.match(chart.name!.value!, /version 7 90\.9% of 3,300/);

    const table = await page.$eval('#split', (t) => ({
      caption: t.querySelector('caption')?.textContent ?? '',
      cols: [...t.querySelectorAll('thead th')].map((th) => th.getAttribute('scope')),
      rows: [...t.querySelectorAll('tbody th')].map((th) => th.getAttribute('scope')),
    }));
    assert.match(table.caption, /^Per executed version, last 15 min: 3,300 invocations/);
    assert.ok(table.cols.length > 0 && table.cols.every((s) => s === 'col'), `column headers: ${JSON.stringify(table.cols)}`);
    assert.ok(table.rows.length === 2 && table.rows.every((s) => s === 'row'), `row headers: ${JSON.stringify(table.rows)}`);

    const visited = await tabTo(page, 'split');
    assert.equal(visited.at(-1), 'split', `Tab never reached the table; it visited ${visited.join(' ')}`);
    assert.ok(visited.indexOf('chart-table') >= 0 && visited.indexOf('chart-table') < visited.indexOf('split'), `the chart's table button comes before the table: ${visited.join(' ')}`);
    await page.focus('#refresh');
    await page.focus('#chart-table');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'split', "the chart's button moves the focus to the table");
    const outline = await page.$eval('#split', (t) => getComputedStyle(t).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused table shows the focus');
    assert.deepEqual(errors, [], 'the page logged errors (a CSP refusal would be one)');
    await page.context().close();
  });

  it("traffic panel: a running rollout and the history: their controls are named, the timeline is an image in words, the status change is announced", async () => {
    const now = Date.now();
    const rollout = {
      id: 'ro-1',
      functionName: 'checkout',
      aliasName: 'prod',
      version: '8',
      stable: '7',
      planText: '10%@5m, 100%',
      alarms: [],
      steps: [
        { weight: 10, bakeSeconds: 300, gate: 'auto', startedAt: now - 60_000 },
        { weight: 100, bakeSeconds: 0, gate: 'auto' },
      ],
      current: 0,
      status: 'running',
      statusText: '',
      startedAt: now - 60_000,
      bakeStart: now - 60_000,
      bakeMs: 300_000,
      driver: { holder: 'me@here (VS Code)', until: now + 60_000, self: true },
      evidence: {
        verdict: 'Pending',
        sentence: 'Not enough invocations yet.',
        canary: { version: '8', invocations: 40, errors: 0, errorRate: 0, throttles: 0 },
        stable: { version: '7', invocations: 400, errors: 1, errorRate: 0.0025 },
        sprt: { llr: 0.1, lower: -2.9, upper: 2.9, p0: 0.01, p1: 0.05 },
        alarmsInAlarm: [],
        at: now,
      },
    };
    const routing = { version: '7', weights: { '8': 0.1 } };
    const history = {
      functionName: 'checkout',
      aliasName: 'prod',
      since: new Date(now - 86_400_000).toISOString(),
      until: new Date(now).toISOString(),
      entries: [
        {
          id: 'e1',
          at: new Date(now - 120_000).toISOString(),
          kind: 'rollout',
          action: 'rollout',
          summary: 'Rollout of version 8',
          ended: 'running',
          source: 'journal',
          who: { name: 'me', client: 'lambda-canary' },
          before: { version: '7', weights: {} },
          after: routing,
          versionsPublished: [],
          steps: [{ label: '10%', text: 'baking', verdict: 'Pending' }],
          returnTo: { ok: true, state: { version: '7', weights: {} } },
        },
      ],
      cloudTrail: { state: 'off', message: 'CloudTrail turned off.', lagNote: '', eventsRead: 0, truncated: false },
      journal: { records: 1, problems: [] },
    };
    const { page, errors } = await open('traffic');
    await send(page, init(), traffic(now), { type: 'rollout', rollout }, { type: 'history', history, loading: false });
    await page.waitForSelector('#rollout-controls');
    await page.waitForSelector('#history-table');
    assert.deepEqual(await unnamedControls(page), [], 'controls without an accessible name');
    const tree = await axTree(page);
    const names = tree.map((n) => n.name?.value ?? '');
    const buttons = tree.filter((n) => n.role?.value === 'button').map((n) => n.name?.value ?? '');
    assert.ok(names.includes('Rollout plan, weight of version 8 over time: step 1: 10 percent for 5 min, Pending; step 2: 100 percent, Pending'), 'the timeline is named in words');
    assert.ok(buttons.includes('1 step'), `the history's step toggle is named by its count, without the triangle: ${JSON.stringify(buttons)}`);
    await send(page, { type: 'rollout', rollout: { ...rollout, status: 'paused', statusText: 'Paused by you.' } });
    await page.waitForFunction(() => document.getElementById('announce')?.textContent !== '');
    assert.equal(await page.textContent('#announce'), 'Paused · step 1/2 — Paused by you.', "the rollout's new status is announced");
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('traffic panel: the split is spoken as words, and a weight change is announced once in a polite live region (refreshes are not)', async () => {
    const { page } = await open('traffic');
    await send(page, init(), traffic(Date.now()));
    await page.waitForSelector('#routing');
    assert.equal(await page.getAttribute('#routing', 'aria-label'), 'prod: version 7 at 90 percent, version 8 at 10 percent');
    const routing = (await axTree(page)).find((n) => (n.name?.value ?? '').startsWith('prod: version 7'));
    assert.equal(routing?.name?.value, 'prod: version 7 at 90 percent, version 8 at 10 percent', 'the accessibility tree names the split in words');

    const live = await page.$eval('#announce', (el) => ({ live: el.getAttribute('aria-live'), role: el.getAttribute('role'), text: el.textContent }));
    assert.deepEqual(live, { live: 'polite', role: 'status', text: '' }, 'a polite live region, silent on the first render');
    assert.equal(await page.$eval('#app', (el) => el.getAttribute('aria-live')), null, 'the whole page is not a live region (every refresh would be read)');
    await page.evaluate(() => {
      const w = window as unknown as { __said: string[] };
      w.__said = [];
      new MutationObserver(() => w.__said.push(document.getElementById('announce')!.textContent ?? '')).observe(document.getElementById('announce')!, { childList: true, characterData: true, subtree: true });
    });
    await send(page, traffic(Date.now()), traffic(Date.now() + 1000), { type: 'busy', action: null });
    await send(page, { type: 'alias', alias: { ...ALIAS, primary: { version: '7', weight: 0.75 }, canary: { version: '8', weight: 0.25 }, revisionId: 'r2' } });
    await send(page, traffic(Date.now() + 2000));
    await page.waitForFunction(() => (window as unknown as { __said: string[] }).__said.length > 0);
    const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
    assert.deepEqual(said, ['prod: version 7 at 75 percent, version 8 at 25 percent'], 'only the weight change is announced');
    assert.equal(await page.getAttribute('#routing', 'aria-label'), 'prod: version 7 at 75 percent, version 8 at 25 percent');
    await page.context().close();
  });

  it('traffic panel: the host\'s language and bundle translate the page and format its numbers (German)', async () => {
    const bundle = { 'Configured routing': 'Konfiguriertes Routing', 'version {0} at {1} percent': 'Version {0} mit {1} Prozent', Refresh: 'Aktualisieren', 'Refresh observed traffic': 'Beobachteten Verkehr aktualisieren' };
    const { page, errors } = await open('traffic', { lang: 'de', l10n: JSON.stringify(bundle) });
    await send(page, init({ ...ALIAS, primary: { version: '7', weight: 0.945 }, canary: { version: '8', weight: 0.055 } }), traffic(Date.now()));
    await page.waitForSelector('#split');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.textContent('#configured-heading'), 'Konfiguriertes Routing');
    assert.equal(await page.textContent('#refresh'), 'Aktualisieren');
    assert.match((await page.getAttribute('#routing', 'aria-label')) ?? '', /^prod: Version 7 mit 94,5 Prozent.+Version 8 mit 5,5 Prozent$/);
    const configured = await page.$$eval('#split tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(configured, ['94,5\u00a0%', '5,5\u00a0%'], 'percentages in German');
    assert.match((await page.textContent('#split caption')) ?? '', /3\.300 invocations/, 'a German thousands separator (an untranslated string keeps its English words)');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('release panel: named controls and tables with headers; a status change is announced', async () => {
    const { page, errors } = await open('release');
    await send(page, { type: 'release', release: RELEASE });
    await page.waitForSelector('#steps');
    assert.deepEqual(await unnamedControls(page), [], 'controls without an accessible name');
    const scopes = await page.$$eval('table th', (ths) => ths.map((th) => th.getAttribute('scope')));
    assert.ok(scopes.every((s) => s === 'col' || s === 'row'), `every header says what it heads: ${JSON.stringify(scopes)}`);
    assert.equal(await page.textContent('#announce'), '', 'nothing is announced on the first render');
    await send(page, { type: 'release', release: { ...RELEASE, status: 'waiting', statusText: 'waiting for Promote' } });
    await page.waitForFunction(() => document.getElementById('announce')?.textContent !== '');
    assert.equal(await page.textContent('#announce'), 'waiting · step 1/2 — waiting for Promote');
    assert.equal(await page.getAttribute('#announce', 'aria-live'), 'polite');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
