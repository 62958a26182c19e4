// Lets the extension-host tests use a webview as a person does: click its buttons, type in its
// inputs and read what it shows, through the workbench's chromium page that playwright-core
// drives (scripts/run-extension-tests.mjs). The tests run inside VS Code's extension host, which
// cannot reach the browser; they ask this loopback server instead (test/extension/webviewPage.ts).
//
// POST / with a JSON body { token, heading, action, selector, value?, force? }:
//   heading   the page's <h1> text, e.g. "my-fn:prod": which webview (one traffic panel per alias)
//   action    'click' | 'fill' | 'read'
// Answers 200 { ok: true, state? } or 200 { ok: false, error }; `state` (read only) is the
// element's { text, disabled, hidden, value, ariaLabel }, or null when there is none.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';

const FIND_FRAME_MS = 10_000;
const ACTION_MS = 10_000;
const MAX_BODY = 16_384;

/**
 * Starts the bridge on 127.0.0.1 (an ephemeral port). `getPage()` returns the workbench's page
 * (undefined until it is open). Requests without the random token are refused.
 * @param {() => import('playwright-core').Page | undefined} getPage
 */
export async function startWebviewBridge(getPage) {
  const token = randomBytes(16).toString('hex');
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      handle(req, body).then(
        (answer) => reply(res, 200, answer),
        (e) => reply(res, 200, { ok: false, error: String(e?.message ?? e).split('\n')[0] }),
      );
    });
  });

  async function handle(req, body) {
    if (req.method !== 'POST') return { ok: false, error: 'POST only' };
    const r = JSON.parse(body);
    if (r.token !== token) return { ok: false, error: 'bad token' };
    const page = getPage();
    if (!page) return { ok: false, error: 'the workbench page is not open yet' };
    if (typeof r.heading !== 'string' || typeof r.selector !== 'string') return { ok: false, error: 'heading and selector are required' };
    const frame = await frameWithHeading(page, r.heading);
    const el = frame.locator(r.selector).first();
    switch (r.action) {
      case 'click':
        // force: click where the element is even when it is disabled (a person can click a
        // disabled button; nothing must happen). Otherwise wait until it can be clicked.
        await el.click({ force: Boolean(r.force), timeout: ACTION_MS });
        break;
      case 'fill':
        if (typeof r.value !== 'string') return { ok: false, error: 'fill needs a string value' };
        await el.fill(r.value, { timeout: ACTION_MS });
        break;
      case 'read':
        return { ok: true, state: await readState(el) };
      default:
        return { ok: false, error: `unknown action ${JSON.stringify(r.action)}` };
    }
    return { ok: true };
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function reply(res, status, answer) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer));
}

/** The frame (a webview's inner page) whose <h1> reads `heading`; waits for it to load. */
async function frameWithHeading(page, heading) {
  const until = Date.now() + FIND_FRAME_MS;
  for (;;) {
    for (const f of page.frames()) {
      const h = await f.evaluate(() => document.querySelector('h1')?.textContent ?? null).catch(() => null);
      if (h === heading) return f;
    }
    if (Date.now() > until) throw new Error(`no webview shows the heading "${heading}"`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/* global document */
async function readState(el) {
  if ((await el.count()) === 0) return null;
  return el.evaluate((e) => ({
    text: e.textContent ?? '',
    disabled: 'disabled' in e ? Boolean(e.disabled) : false,
    hidden: e.hidden === true || e.getClientRects().length === 0,
    value: 'value' in e ? String(e.value) : undefined,
    ariaLabel: e.getAttribute('aria-label') ?? undefined,
  }));
}
