/**
 * Hostile HTTP: what a web page in the user's browser (any origin, or a DNS-rebound name) can
 * send to the sandbox's loopback port, and requests no AWS SDK sends. Each case is refused with
 * AWS's error shape (status, x-amzn-ErrorType, message) and leaves everything as it was: the
 * functions, versions and aliases, the armed faults, the latency, and no handler ran (the
 * victim's handler writes a marker file; no execution environment was started).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox, zipFiles } from '../../src/sandbox';
import type { RawReply } from './helpers';
import { clientsFor, rawRequest, ROLE, sdkHeaders } from './helpers';
import { createFn, rejectsWith } from './lambda-testkit';

type Reply = RawReply;
const send = rawRequest;

/**
 * Writes `head` (request line and headers, CRLF-separated) as is on a raw socket, as no HTTP client
 * library would send it, and reads the reply to its end.
 */
function sendRaw(sandbox: Sandbox, head: string, body = ''): Promise<Reply & { raw: string }> {
  const { port } = new URL(sandbox.endpoint);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.end(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [top, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = top.split('\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n'), raw });
    });
  });
}

const F = '/2015-03-31/functions';

describe('hostile HTTP: only what an AWS SDK sends is served', function () {
  this.timeout(30_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hostile-http-'));
  const MARKER = path.join(dir, 'handler-ran');
  const handler = `exports.handler = async () => { require('fs').writeFileSync(${JSON.stringify(MARKER)}, 'ran'); return { ran: true }; };\n`;
  const zip = Buffer.from(zipFiles({ 'index.js': handler }));
  /** What a page would post: a function whose handler writes the marker. */
  const createBody = JSON.stringify({ FunctionName: 'pwned', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip.toString('base64') } });
  const KEY = 'LCSBHOSTILETESTKEY01';
  let open: Sandbox;
  let keyed: Sandbox;
  let lambda: LambdaClient;
  let keyedLambda: LambdaClient;
  const refusedLines: string[] = [];

  const state = (sb: Sandbox) => JSON.stringify({ functions: [...sb.store.functions.values()], faults: sb.faults.pending, environments: sb.invoker.environmentCount() });
  let baseline: { open: string; keyed: string };
  let environments = 0;

  before(async () => {
    open = await startSandbox({ updateDelayMs: 0, admin: true, onRefused: (l) => refusedLines.push(l) });
    keyed = await startSandbox({ updateDelayMs: 0, accessKeyId: KEY, onRefused: (l) => refusedLines.push(l) });
    lambda = clientsFor(open).lambda;
    keyedLambda = clientsFor(keyed).lambda;
    for (const [sb, client] of [[open, lambda], [keyed, keyedLambda]] as const) {
      await createFn(client, 'victim', { Code: { ZipFile: zip } });
      sb.settle();
    }
  });
  beforeEach(() => {
    baseline = { open: state(open), keyed: state(keyed) };
    refusedLines.length = 0;
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') return;
    assert.equal(state(open), baseline.open, 'nothing changed in the sandbox');
    assert.equal(state(keyed), baseline.keyed, 'nothing changed in the keyed sandbox');
    assert.equal(fs.existsSync(MARKER), false, 'no handler ran');
    assert.equal(open.invoker.environmentCount() + keyed.invoker.environmentCount(), environments, 'no execution environment was started');
  });
  after(async () => {
    lambda.destroy();
    keyedLambda.destroy();
    await open.close();
    await keyed.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Asserts AWS's REST-JSON error shape, the exception, the message, and one refusal log line. */
  function refused(r: Reply, status: number, type: string, message: RegExp): void {
    assert.equal(r.status, status, r.body);
    assert.equal(r.headers['x-amzn-errortype'], type, r.body);
    assert.equal(r.headers['content-type'], 'application/json');
    const body = JSON.parse(r.body) as { Type: string; message: string };
    assert.equal(body.Type, 'User');
    assert.match(body.message, message);
    for (const h of Object.keys(r.headers)) assert.ok(!h.startsWith('access-control-'), `no CORS header (${h})`);
    assert.equal(refusedLines.length, 1, `one refusal log line: ${refusedLines.join(' | ')}`);
    assert.match(refusedLines[0], new RegExp(`→ ${status} refused: `));
  }

  const signed = () => sdkHeaders(open);
  const json = { 'content-type': 'application/json' };

  describe('a web page (simple requests: no custom headers, text/plain or form bodies)', () => {
    it('no-cors CreateFunction with a text/plain body and no signature: 403 MissingAuthenticationTokenException', async () => {
      const r = await send(open, 'POST', F, { 'content-type': 'text/plain;charset=UTF-8' }, createBody);
      refused(r, 403, 'MissingAuthenticationTokenException', /Missing Authentication Token: .*signed with Signature Version 4 \(any credentials\), as the AWS SDKs, the AWS CLI and `curl --aws-sigv4/);
    });

    it('no-cors Invoke of an existing function with a text/plain body: 403, the handler does not run', async () => {
      const r = await send(open, 'POST', `${F}/victim/invocations`, { 'content-type': 'text/plain;charset=UTF-8' }, '{}');
      refused(r, 403, 'MissingAuthenticationTokenException', /Missing Authentication Token/);
    });

    it('a body without a content type (fetch of an ArrayBuffer) and no signature: 403', async () => {
      const r = await send(open, 'POST', `${F}/victim/invocations`, {}, '{}');
      refused(r, 403, 'MissingAuthenticationTokenException', /Missing Authentication Token/);
    });

    it('an HTML form post (urlencoded) carrying Origin: 403 AccessDeniedException naming the Origin', async () => {
      const r = await send(open, 'POST', F, { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://attacker.example' }, `${encodeURIComponent(createBody)}=`);
      refused(r, 403, 'AccessDeniedException', /web page \(Origin http:\/\/attacker\.example\)/);
    });

    it('Origin: null (a sandboxed iframe or a file:// page), even with a signature and JSON: 403', async () => {
      const r = await send(open, 'POST', F, { ...signed(), ...json, origin: 'null' }, createBody);
      refused(r, 403, 'AccessDeniedException', /Origin null/);
    });

    it('a no-cors GET (no Origin) that carries Sec-Fetch-Site: 403', async () => {
      const r = await send(open, 'GET', F, { ...signed(), 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' });
      refused(r, 403, 'AccessDeniedException', /web browser \(Sec-Fetch-\* headers\)/);
    });

    it('a request with a Referer: 403', async () => {
      const r = await send(open, 'POST', `${F}/victim/invocations`, { ...signed(), referer: 'http://attacker.example/page.html' }, '{}');
      refused(r, 403, 'AccessDeniedException', /Referer/);
    });

    it('a CORS preflight (OPTIONS with Origin): 403 and never an Access-Control-* header', async () => {
      const r = await send(open, 'OPTIONS', F, { origin: 'http://attacker.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
      refused(r, 403, 'AccessDeniedException', /Origin http:\/\/attacker\.example/);
    });
  });

  describe("content types other than the API's", () => {
    it('a signed CreateFunction with a text/plain body: 415 UnsupportedMediaTypeException naming application/json', async () => {
      const r = await send(open, 'POST', F, { ...signed(), 'content-type': 'text/plain;charset=UTF-8' }, createBody);
      refused(r, 415, 'UnsupportedMediaTypeException', /CreateFunction was sent Content-Type 'text\/plain;charset=UTF-8'; it takes application\/json/);
    });

    it('a signed Invoke with a multipart/form-data body: 415, the handler does not run', async () => {
      const r = await send(open, 'POST', `${F}/victim/invocations`, { ...signed(), 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n{}\r\n--x--');
      refused(r, 415, 'UnsupportedMediaTypeException', /Invoke was sent Content-Type 'multipart\/form-data; boundary=x'; it takes application\/octet-stream/);
    });

    it('a signed UpdateAlias body without a Content-Type: 415', async () => {
      const r = await send(open, 'PUT', `${F}/victim/aliases/prod`, signed(), '{"FunctionVersion":"1"}');
      refused(r, 415, 'UnsupportedMediaTypeException', /UpdateAlias was sent a body without a Content-Type/);
    });

    it('a signed CloudWatch call with a form body: 415 in CloudWatch JSON shape', async () => {
      const r = await send(open, 'POST', '/', { ...sdkHeaders(open, 'monitoring'), 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics', 'content-type': 'application/x-www-form-urlencoded' }, 'a=b');
      assert.equal(r.status, 415);
      assert.equal(r.headers['content-type'], 'application/x-amz-json-1.0');
      const body = JSON.parse(r.body) as { __type: string; message: string };
      assert.equal(body.__type, 'UnsupportedMediaTypeException');
      assert.match(body.message, /ListMetrics .* it takes application\/x-amz-json-1\.0/);
      assert.equal(refusedLines.length, 1);
    });
  });

  describe('signatures that are not of the SDK shape, or name another key', () => {
    it('Authorization: Bearer …: 403 IncompleteSignatureException', async () => {
      const r = await send(open, 'POST', F, { ...json, authorization: 'Bearer abc', 'x-amz-date': '20260101T000000Z' }, createBody);
      refused(r, 403, 'IncompleteSignatureException', /'AWS4-HMAC-SHA256' algorithm/);
    });

    it('a SigV4 header without a Signature: 403 naming the missing parameter', async () => {
      const r = await send(open, 'POST', F, { ...json, authorization: 'AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date', 'x-amz-date': '20260101T000000Z' }, createBody);
      refused(r, 403, 'IncompleteSignatureException', /requires 'Signature' parameter/);
    });

    it('a SigV4 header without X-Amz-Date or Date: 403', async () => {
      const { 'x-amz-date': _date, ...noDate } = signed();
      const r = await send(open, 'POST', F, { ...noDate, ...json }, createBody);
      refused(r, 403, 'IncompleteSignatureException', /either a 'X-Amz-Date' or a 'Date' header/);
    });

    it('a presigned query string instead of a header: 403 MissingAuthenticationTokenException', async () => {
      const r = await send(open, 'GET', `${F}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=k%2F20260101%2Fus-east-1%2Flambda%2Faws4_request&X-Amz-Signature=${'0'.repeat(64)}`, {});
      refused(r, 403, 'MissingAuthenticationTokenException', /Missing Authentication Token/);
    });

    it('the real SDK signing with another access key than the sandbox was started with: 403 UnrecognizedClientException', async () => {
      const other = new LambdaClient({ endpoint: keyed.endpoint, region: keyed.region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
      try {
        await rejectsWith(other.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from('{}') })), 'UnrecognizedClientException', 403, /^The security token included in the request is invalid\.$/);
        assert.equal(refusedLines.length, 1);
        assert.match(refusedLines[0], /signed with another access key$/, 'the key itself is not logged');
        // The right key still works (read-only, so the state check holds).
        assert.equal((await keyedLambda.send(new ListFunctionsCommand({}))).Functions?.length, 1);
      } finally {
        other.destroy();
      }
    });
  });

  describe('Host values other than the loopback names on the bound port (DNS rebinding)', () => {
    const foreign = [
      'attacker.example:PORT',
      '127.0.0.1.attacker.example:PORT',
      'localhost.:PORT',
      'localhost:OTHER',
      '127.0.0.1',
      '127.0.0.2:PORT',
      '[::2]:PORT',
    ];
    for (const template of foreign) {
      it(`a signed request with Host ${template}: 403 naming the Host`, async () => {
        const host = template.replace('PORT', String(open.port)).replace('OTHER', String(open.port + 1));
        const r = await send(open, 'POST', F, { ...signed(), ...json, host }, createBody);
        refused(r, 403, 'AccessDeniedException', new RegExp(`The Host '${host.replace(/[.[\]]/g, '\\$&')}' is not this sandbox's address; it answers only 127\\.0\\.0\\.1:${open.port}`));
      });
    }

    it('the loopback names themselves are served (any case, IPv6 too)', async () => {
      for (const host of [`127.0.0.1:${open.port}`, `localhost:${open.port}`, `LOCALHOST:${open.port}`, `[::1]:${open.port}`]) {
        const r = await send(open, 'GET', F, { ...signed(), host });
        assert.equal(r.status, 200, `${host}: ${r.body}`);
      }
      assert.equal(refusedLines.length, 0);
    });
  });

  describe('the admin endpoints', () => {
    it('POST /_sandbox/faults as a page would (text/plain, no signature): 403, no fault armed', async () => {
      const r = await send(open, 'POST', '/_sandbox/faults', { 'content-type': 'text/plain;charset=UTF-8' }, JSON.stringify({ operation: '*', kind: 'error', times: 1000 }));
      refused(r, 403, 'MissingAuthenticationTokenException', /Missing Authentication Token/);
    });

    it('PUT /_sandbox/latency signed but from a page (Origin): 403, the latency unchanged', async () => {
      const r = await send(open, 'PUT', '/_sandbox/latency', { ...signed(), ...json, origin: 'http://attacker.example' }, '{"ms":600000}');
      refused(r, 403, 'AccessDeniedException', /Origin/);
      const t0 = performance.now();
      await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
      assert.ok(performance.now() - t0 < 1000, 'no latency was set');
    });

    it('a sandbox started without admin: true answers /_sandbox/* with 404, even signed', async () => {
      const r = await send(keyed, 'POST', '/_sandbox/faults', { ...sdkHeaders(keyed), ...json }, '{"operation":"*","kind":"error"}');
      assert.equal(r.status, 404);
      assert.equal(r.headers['x-amzn-errortype'], 'UnknownOperationException');
      assert.match(JSON.parse(r.body).message, /admin endpoints are off/);
      assert.equal((await send(keyed, 'GET', '/_sandbox/health', sdkHeaders(keyed))).status, 404);
    });

    it('without admin: true (as the extension starts its sandbox), every fault and admin endpoint is 404 and changes nothing', async () => {
      // Armed in-process, so that a DELETE served by mistake would show.
      keyed.faults.add({ operation: 'GetAlias', nth: 1000, kind: 'error' });
      try {
        const calls: Array<[string, string, string | undefined]> = [
          ['POST', '/_sandbox/faults', '{"operation":"PublishVersion","kind":"publishOther"}'],
          ['DELETE', '/_sandbox/faults', undefined],
          ['PUT', '/_sandbox/latency', '{"ms":600000}'],
          ['GET', '/_sandbox/health', undefined],
          ['GET', '/_sandbox/anything-else', undefined],
        ];
        for (const [method, p, body] of calls) {
          const r = await send(keyed, method, p, { ...sdkHeaders(keyed), ...(body === undefined ? {} : json) }, body);
          assert.equal(r.status, 404, `${method} ${p}: ${r.body}`);
          assert.equal(r.headers['x-amzn-errortype'], 'UnknownOperationException', `${method} ${p}`);
          assert.match(JSON.parse(r.body).message, /admin endpoints are off/, `${method} ${p}`);
        }
        assert.equal(keyed.faults.pending, 1, 'the armed fault is still there, and no other was armed');
        const t0 = performance.now();
        await keyedLambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
        assert.ok(performance.now() - t0 < 1000, 'no latency was set');
      } finally {
        keyed.faults.clear();
      }
    });
  });

  describe("GetFunction's Code.Location: a capability URL", () => {
    let location = '';
    before(async () => {
      location = (await lambda.send(new GetFunctionCommand({ FunctionName: 'victim' }))).Code!.Location!;
    });
    const pathOf = (u: string) => new URL(u).pathname + new URL(u).search;

    it('the code URL without its signature (as a page scanning for blobs would guess it): 403', async () => {
      const r = await send(open, 'GET', new URL(location).pathname, {});
      refused(r, 403, 'AccessDeniedException', /signature does not match: use the Code\.Location of a GetFunction/);
    });

    it("the code URL with its expiry changed, or another blob's signature: 403", async () => {
      const u = new URL(location);
      u.searchParams.set('Expires', String(Date.now() + 10 * 365 * 86_400_000));
      refused(await send(open, 'GET', pathOf(u.href), {}), 403, 'AccessDeniedException', /signature does not match/);
      refusedLines.length = 0;
      const other = location.replace(/\/([0-9a-f]{64})\.zip/, `/${'a'.repeat(64)}.zip`);
      refused(await send(open, 'GET', pathOf(other), {}), 403, 'AccessDeniedException', /signature does not match/);
    });

    it('the valid code URL fetched by a page (Origin, or a foreign Host): 403', async () => {
      refused(await send(open, 'GET', pathOf(location), { origin: 'http://attacker.example' }), 403, 'AccessDeniedException', /Origin/);
      refusedLines.length = 0;
      refused(await send(open, 'GET', pathOf(location), { host: `attacker.example:${open.port}` }), 403, 'AccessDeniedException', /Host/);
    });

    it('the code URL ten minutes later: 403 "Request has expired"', async () => {
      const realNow = Date.now;
      Date.now = () => realNow() + 10 * 60_000 + 1000;
      try {
        refused(await send(open, 'GET', pathOf(location), {}), 403, 'AccessDeniedException', /Request has expired.*call GetFunction again/);
      } finally {
        Date.now = realNow;
      }
    });

    it('the valid code URL is served without a signature, as a presigned URL is', async () => {
      const r = await fetch(location);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/zip');
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), zip);
    });
  });

  describe('request targets no SDK sends (raw sockets)', () => {
    const host = () => `host: 127.0.0.1:${new URL(open.endpoint).port}`;
    const signedLines = () => Object.entries(signed()).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    /** AWS's shape on a raw reply: a length, not chunks, and a request id. */
    function awsShaped(r: Reply & { raw: string }): void {
      assert.equal(r.headers['transfer-encoding'], undefined, r.raw);
      assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body), r.raw);
      assert.match(String(r.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/, r.raw);
    }

    it('a target that does not parse as a URL (GET http://[x/): 400 in AWS’s shape with a request id, not a chunked 500', async () => {
      const r = await sendRaw(open, `GET http://[x/ HTTP/1.1\r\n${host()}\r\n${signedLines()}`);
      refused(r, 400, 'UnknownOperationException', /^The request target must be a path such as \/2015-03-31\/functions .*got "http:\/\/\[x\/"/);
      awsShaped(r);
    });

    it('an absolute-form target naming another host with a loopback Host (GET http://evil.example/2015-03-31/functions): 400, not served', async () => {
      const r = await sendRaw(open, `GET http://evil.example${F} HTTP/1.1\r\n${host()}\r\n${signedLines()}`);
      refused(r, 400, 'UnknownOperationException', /origin form, as the AWS SDKs send it\); got "http:\/\/evil\.example\/2015-03-31\/functions", which is not a path/);
      assert.doesNotMatch(r.body, /victim/, 'the function list was not served');
      awsShaped(r);
    });

    it('an absolute-form Invoke naming the sandbox itself: 400, the handler does not run', async () => {
      const r = await sendRaw(open, `POST ${open.endpoint}${F}/victim/invocations HTTP/1.1\r\n${host()}\r\n${signedLines()}\r\ncontent-type: application/json`, '{}');
      refused(r, 400, 'UnknownOperationException', /which is not a path/);
      awsShaped(r);
    });

    it('a protocol-relative target (GET //evil.example/2015-03-31/functions) is a path, not a host: 404, not served', async () => {
      const r = await sendRaw(open, `GET //evil.example${F} HTTP/1.1\r\n${host()}\r\n${signedLines()}`);
      assert.equal(r.status, 404, r.raw);
      assert.equal(r.headers['x-amzn-errortype'], 'UnknownOperationException');
      assert.match(JSON.parse(r.body).message, /No Lambda operation at GET \/\/evil\.example\/2015-03-31\/functions/);
      assert.doesNotMatch(r.body, /victim/);
      awsShaped(r);
    });

    it('the asterisk form (OPTIONS * HTTP/1.1): 400 in AWS’s shape', async () => {
      const r = await sendRaw(open, `OPTIONS * HTTP/1.1\r\n${host()}\r\n${signedLines()}`);
      refused(r, 400, 'UnknownOperationException', /got "\*", which is not a path/);
      awsShaped(r);
    });
  });

  describe('control: the marker does show a run', () => {
    it('the victim invoked through the SDK writes the marker (so the checks above can fail)', async () => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from('{}') }));
      assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString('utf8')), { ran: true });
      assert.equal(fs.readFileSync(MARKER, 'utf8'), 'ran');
      fs.rmSync(MARKER);
      // The state checks of afterEach do not apply to this one.
      baseline = { open: state(open), keyed: state(keyed) };
      environments = 1;
    });
  });
});
