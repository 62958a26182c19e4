/**
 * A web page in a real browser (Debian's chromium through playwright-core) attacks the sandbox:
 * from another loopback origin it tries CreateFunction + Invoke with every request a page can make
 * without a CORS preflight (no-cors fetch with text/plain, typeless Blob and byte bodies, form posts
 * of each encoding, sendBeacon), a CORS request with a forged signature (preflighted), the admin
 * endpoints, and a DNS-rebound name serving the page from the sandbox's own port (same-origin, so
 * it may set any header). Nothing may run: the handlers would write a marker file, and the
 * function must not exist.
 *
 * Runs in `npm run test:extension` (scripts/run-extension-tests.mjs, after chromium is installed),
 * and with `npx mocha out/test/browser/*.test.js`; it skips only when chromium is absent and CI is
 * not set.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox, zipFiles } from '../../src/sandbox';
import { clientsFor, ROLE } from '../integration/helpers';
import { createFn, rejectsWith } from '../integration/lambda-testkit';

function findChromium(): string | undefined {
  const candidates = [process.env.LAMBDA_CANARY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

/** The attacker's script: runs every attempt, then publishes what it saw in `window.__attempts`. */
function attackScript(sandbox: string, createBody: string, dnsRebound: boolean): string {
  return `(async () => {
  const S = ${JSON.stringify(sandbox)};
  const F = S + '/2015-03-31/functions';
  const create = ${JSON.stringify(createBody)};
  const attempts = [];
  const attempt = async (name, run) => {
    try {
      const r = await run();
      attempts.push({ name, outcome: r && r.type !== undefined ? r.type + ' ' + r.status : String(r) });
    } catch (e) {
      attempts.push({ name, outcome: 'error ' + e });
    }
  };
  const forged = {
    authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + '0'.repeat(64),
    'x-amz-date': '20260101T000000Z',
  };
  /** A form post into a hidden iframe; resolves when the iframe has loaded the answer. */
  const formPost = (action, enctype, fields) => new Promise((resolve) => {
    const name = 'f' + Math.random().toString(36).slice(2);
    const frame = document.createElement('iframe');
    frame.name = name;
    document.body.appendChild(frame);
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = action;
    form.enctype = enctype;
    form.target = name;
    for (const [k, v] of fields) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = k;
      input.value = v;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    const timer = setTimeout(() => resolve('no load'), 5000);
    frame.addEventListener('load', () => { clearTimeout(timer); resolve('loaded'); }, { once: true });
    form.submit();
  });
  // text/plain form encoding is "name=value": split the JSON so that it stays JSON.
  const jsonFields = (json) => [[json.slice(0, -1) + ',"x":"', '"}']];

  if (${dnsRebound}) {
    // Same origin as the sandbox's port: no preflight, every header allowed, responses readable.
    await attempt('rebound: signed CreateFunction', () => fetch(F, { method: 'POST', headers: { ...forged, 'content-type': 'application/json' }, body: create }).then((r) => r.text().then((t) => ({ type: r.type, status: r.status + ' ' + t.slice(0, 200) }))));
    await attempt('rebound: signed Invoke', () => fetch(F + '/pwned/invocations', { method: 'POST', headers: forged, body: '{}' }).then((r) => ({ type: r.type, status: r.status })));
    await attempt('rebound: signed Invoke victim', () => fetch(F + '/victim/invocations', { method: 'POST', headers: forged, body: '{}' }).then((r) => ({ type: r.type, status: r.status })));
    await attempt('rebound: signed ListFunctions (GET, no Origin)', () => fetch(F, { headers: forged }).then((r) => ({ type: r.type, status: r.status })));
  } else {
    for (const [label, body] of [['text/plain', create], ['typeless Blob', new Blob([create])], ['bytes', new TextEncoder().encode(create)]]) {
      await attempt('no-cors CreateFunction ' + label, () => fetch(F, { method: 'POST', mode: 'no-cors', body }));
    }
    for (const fn of ['pwned', 'victim']) {
      await attempt('no-cors Invoke ' + fn, () => fetch(F + '/' + fn + '/invocations', { method: 'POST', mode: 'no-cors', body: '{}' }));
      await attempt('no-cors Invoke bytes ' + fn, () => fetch(F + '/' + fn + '/invocations', { method: 'POST', mode: 'no-cors', body: new Uint8Array([123, 125]) }));
      await attempt('sendBeacon Invoke ' + fn, () => navigator.sendBeacon(F + '/' + fn + '/invocations', new Blob(['{}'])));
      await attempt('form urlencoded Invoke ' + fn, () => formPost(F + '/' + fn + '/invocations', 'application/x-www-form-urlencoded', [['{}', '']]));
    }
    await attempt('cors CreateFunction with a forged signature (preflighted)', () => fetch(F, { method: 'POST', headers: { ...forged, 'content-type': 'application/json' }, body: create }));
    await attempt('cors Invoke victim with a forged signature (preflighted)', () => fetch(F + '/victim/invocations', { method: 'POST', headers: forged, body: '{}' }));
    await attempt('form text/plain CreateFunction', () => formPost(F, 'text/plain', jsonFields(create)));
    await attempt('form multipart CreateFunction', () => formPost(F, 'multipart/form-data', jsonFields(create)));
    await attempt('form urlencoded CreateFunction', () => formPost(F, 'application/x-www-form-urlencoded', jsonFields(create)));
    // CloudWatch's Query protocol takes a form at /, a body a page can post: still refused.
    await attempt('form urlencoded CloudWatch Query GetMetricData', () => formPost(S + '/', 'application/x-www-form-urlencoded', [['Action', 'ListMetrics'], ['Version', '2010-08-01']]));
    await attempt('no-cors admin faults', () => fetch(S + '/_sandbox/faults', { method: 'POST', mode: 'no-cors', body: JSON.stringify({ operation: '*', kind: 'error', times: 100 }) }));
    await attempt('form admin latency', () => formPost(S + '/_sandbox/latency', 'text/plain', jsonFields('{"ms":600000}')));
    await attempt('img GET ListFunctions', () => new Promise((resolve) => { const i = new Image(); i.onload = i.onerror = () => resolve('done'); i.src = F; }));
  }
  window.__attempts = attempts;
})();`;
}

describe('a web page in chromium cannot make the sandbox run code', function () {
  this.timeout(90_000);
  const executable = findChromium();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-cross-origin-'));
  const MARKER = path.join(dir, 'handler-ran');
  const zip = Buffer.from(zipFiles({ 'index.js': `exports.handler = async () => { require('fs').writeFileSync(${JSON.stringify(MARKER)}, 'ran'); return 'ran'; };\n` }));
  const createBody = JSON.stringify({ FunctionName: 'pwned', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip.toString('base64') } });
  let sandbox: Sandbox;
  let attacker: http.Server;
  let attackerUrl = '';
  let browser: Browser;
  const refusals: string[] = [];
  let stateBefore = '';
  const state = () => JSON.stringify({ functions: [...sandbox.store.functions.values()], faults: sandbox.faults.pending, environments: sandbox.invoker.environmentCount() });

  before(async function () {
    if (!executable) {
      if (process.env.CI) throw new Error('chromium is not installed (CI is set, so this test may not skip): run `node scripts/vscode-env.mjs` or set LAMBDA_CANARY_CHROMIUM.');
      this.skip();
    }
    // As the standalone sandbox runs: admin endpoints on, any access key.
    sandbox = await startSandbox({ updateDelayMs: 0, admin: true, onRefused: (line) => refusals.push(line) });
    const { lambda } = clientsFor(sandbox);
    await createFn(lambda, 'victim', { Code: { ZipFile: zip } });
    sandbox.settle();
    lambda.destroy();
    attacker = http.createServer((req, res) => {
      const page = `<!doctype html><meta charset="utf-8"><title>attacker</title><body><script>${attackScript(sandbox.endpoint, createBody, false)}</script></body>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(req.url?.startsWith('/attack') ? page : '');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/attack`;
    browser = await chromium.launch({
      executablePath: executable,
      headless: true,
      // rebind.test stands for an attacker's name whose DNS answer became 127.0.0.1.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
      timeout: 60_000,
    });
    stateBefore = state();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await new Promise((r) => (attacker ? attacker.close(r) : r(undefined)));
    await sandbox?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runPage(url: string, inject?: string): Promise<Array<{ name: string; outcome: string }>> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      // A rebound name: the attacker's document came from the name's first address; its script
      // runs in that origin, now resolving to the sandbox. Its own document load is refused too.
      if (inject) await page.evaluate(inject);
      // Strings, not functions: this file is compiled without the DOM library.
      await page.waitForFunction('window.__attempts !== undefined', undefined, { timeout: 60_000 });
      return (await page.evaluate('window.__attempts')) as Array<{ name: string; outcome: string }>;
    } finally {
      await context.close();
    }
  }

  async function assertNothingRan(): Promise<void> {
    assert.equal(fs.existsSync(MARKER), false, 'no handler ran');
    assert.equal(state(), stateBefore, 'functions, faults and environments are as before');
    const { lambda } = clientsFor(sandbox);
    try {
      await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'pwned' })), 'ResourceNotFoundException', 404);
    } finally {
      lambda.destroy();
    }
  }

  it('from another loopback origin: no-cors fetches, form posts, beacons, preflighted CORS, admin endpoints', async () => {
    const attempts = await runPage(attackerUrl);
    assert.equal(attempts.length, 20, `every attempt ran: ${JSON.stringify(attempts)}`);
    await new Promise((r) => setTimeout(r, 300)); // beacons are sent after the page has moved on
    await assertNothingRan();
    const reasons = refusals.join('\n');
    // Each request that reached the sandbox was refused, with a log line saying why.
    assert.ok(refusals.length >= 19, `${refusals.length} refusals:\n${reasons}`);
    assert.match(reasons, /POST \/2015-03-31\/functions CreateFunction → 403 refused: browser Origin "http:\/\/127\.0\.0\.1:\d+"/);
    assert.match(reasons, /POST \/2015-03-31\/functions\/victim\/invocations Invoke → 403 refused: browser Origin/);
    assert.match(reasons, /OPTIONS \/2015-03-31\/functions Unknown → 403 refused: browser Origin/, 'the CORS preflight is refused');
    assert.match(reasons, /POST \/_sandbox\/faults Admin → 403 refused/);
    assert.match(reasons, /POST \/ CloudWatchQuery → 403 refused: browser Origin/, 'the Query form post');
    assert.match(reasons, /GET \/2015-03-31\/functions ListFunctions → 403 refused: browser request \(Sec-Fetch-Site same-site\)/, 'the image GET, which carries no Origin');
  });

  it('from a DNS-rebound name on the sandbox port (same origin, forged signature headers)', async () => {
    refusals.length = 0;
    const url = `http://rebind.test:${sandbox.port}/`;
    const attempts = await runPage(url, attackScript(`http://rebind.test:${sandbox.port}`, createBody, true));
    assert.equal(attempts.length, 4, JSON.stringify(attempts));
    await assertNothingRan();
    // The document (and favicon) loads, then the four API calls; all refused.
    const api = refusals.filter((l) => l.includes('/2015-03-31/'));
    assert.equal(api.length, 4, refusals.join('\n'));
    for (const line of refusals) assert.match(line, /→ 403 refused: foreign Host "rebind\.test:\d+"$/);
    assert.match(api.join('\n'), /POST \/2015-03-31\/functions\/victim\/invocations Invoke → 403/);
    // Same origin: the page could read the answer, and it is a refusal.
    assert.match(attempts[0].outcome, /403 .*not this sandbox's address/);
  });

  it('control: the same handler run through the SDK writes the marker', async () => {
    const { lambda } = clientsFor(sandbox);
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from('{}') }));
      assert.equal(Buffer.from(out.Payload!).toString('utf8'), '"ran"');
      assert.equal(fs.existsSync(MARKER), true);
    } finally {
      lambda.destroy();
    }
  });
});
