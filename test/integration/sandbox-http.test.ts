/**
 * The sandbox's HTTP layer: AWS-style answers to malformed, oversized and misrouted requests
 * (raw fetch / node:http), fault injection and latency (through the real SDK), and the admin API.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { unzipSync } from 'fflate';
import { MAX_BODY_BYTES, startSandbox } from '../../src/sandbox';
import { clientsFor, handlerZip, sdkFetch, sdkHeaders, sleep, useSandbox } from './helpers';
import type { AwsErr } from './lambda-testkit';
import { codeSha, createFn, fast, publish, rejectsWith } from './lambda-testkit';

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function readReply(res: http.IncomingMessage): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });
}

/**
 * Sends a request whose body is produced by `write` (which may stop early), and resolves with the
 * first response. The socket is closed afterwards, so unsent bytes do not matter.
 */
function rawRequest(endpoint: string, method: string, path: string, headers: Record<string, string>, write: (req: http.ClientRequest, answered: () => boolean) => Promise<void>): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(`${endpoint}${path}`, { method, headers, agent: false });
    req.on('response', (res) => {
      answered = true;
      readReply(res).then((r) => {
        req.destroy();
        resolve(r);
      }, reject);
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    write(req, () => answered).catch(reject);
  });
}

async function alias(lambda: LambdaClient, fn: string, name = 'prod') {
  const a = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));
  return { v: a.FunctionVersion, r: a.RoutingConfig?.AdditionalVersionWeights, rev: a.RevisionId };
}

async function elapsed(p: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await p();
  return performance.now() - t0;
}

const JSON_CT = { 'content-type': 'application/json' };

describe('sandbox HTTP layer', function () {
  this.timeout(20_000);
  // No transition delay: these suites are about aliases and HTTP, not State (see lambda-api.test.ts).
  const h = useSandbox({ updateDelayMs: 0, admin: true });
  const F = '/2015-03-31/functions';

  describe('robustness (raw HTTP)', () => {
    afterEach(async () => {
      // Whatever the previous request did, the server still answers, both raw and through the SDK.
      const { sandbox, lambda } = h();
      const health = await sdkFetch(sandbox, `/_sandbox/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { ok: boolean }).ok, true);
      const listed = await lambda.send(new ListFunctionsCommand({}));
      assert.equal(listed.$metadata.httpStatusCode, 200);
    });

    it('answers malformed JSON with 400 SerializationException, an x-amzn-ErrorType header and a JSON body', async () => {
      const { sandbox } = h();
      const res = await sdkFetch(sandbox, `${F}`, { method: 'POST', body: '{"FunctionName": ', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-amzn-errortype'), 'SerializationException');
      assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const body = (await res.json()) as { Type: string; message: string };
      assert.equal(body.Type, 'User');
      assert.match(body.message, /JSON/);
    });

    it('answers JSON that is not an object with 400 SerializationException', async () => {
      const { sandbox } = h();
      for (const text of ['[1,2]', 'null', '"a string"', '42']) {
        const res = await sdkFetch(sandbox, `${F}/any/aliases`, { method: 'POST', body: text, headers: JSON_CT });
        assert.equal(res.status, 400, text);
        assert.equal(res.headers.get('x-amzn-errortype'), 'SerializationException', text);
      }
    });

    it('answers an empty CreateFunction body with a 400 ValidationException, not a crash', async () => {
      const { sandbox } = h();
      const res = await sdkFetch(sandbox, `${F}`, { method: 'POST' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
    });

    it('refuses a declared Content-Length over 70 MB with 413 without waiting for the body', async () => {
      const { sandbox } = h();
      const declared = 71 * 1024 * 1024;
      assert.ok(declared > MAX_BODY_BYTES);
      const reply = await rawRequest(sandbox.endpoint, 'POST', F, { ...sdkHeaders(sandbox), 'content-type': 'application/json', 'content-length': String(declared) }, async (req) => {
        req.write('{"FunctionName":"huge"');
      });
      assert.equal(reply.status, 413);
      assert.equal(reply.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
      assert.match(JSON.parse(reply.body).message, /smaller than/);
    });

    it('refuses a streamed (chunked) body once it passes 70 MB with 413', async () => {
      const { sandbox } = h();
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const reply = await rawRequest(sandbox.endpoint, 'PUT', `${F}/big/code`, { ...sdkHeaders(sandbox), 'content-type': 'application/json' }, async (req, answered) => {
        while (!answered() && sent < MAX_BODY_BYTES + 4 * chunk.length) {
          sent += chunk.length;
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        if (!answered()) req.end();
      });
      assert.equal(reply.status, 413);
      assert.equal(reply.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
      assert.ok(sent > MAX_BODY_BYTES, `answered after ${sent} bytes, before the limit was reached`);
    });

    it('reads a large body that is under the limit and judges it on its JSON', async () => {
      const { sandbox } = h();
      // 1 MB of whitespace around a JSON object: size is fine, content decides.
      const res = await sdkFetch(sandbox, `${F}`, { method: 'POST', body: `${' '.repeat(1024 * 1024)}{"FunctionName":"x y"}`, headers: JSON_CT });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
    });

    it('answers a wrong method on a known path with 405 naming the allowed methods', async () => {
      const { sandbox } = h();
      const cases: Array<[string, string, RegExp]> = [
        ['PATCH', `${F}/fn/aliases/prod`, /GET, PUT, DELETE/],
        ['DELETE', F, /GET, POST/],
        ['GET', `${F}/fn/code`, /PUT/],
        ['PUT', `${F}/fn/versions`, /GET, POST/],
        ['GET', `${F}/fn/invocations`, /POST/],
      ];
      for (const [method, path, allowed] of cases) {
        const res = await sdkFetch(sandbox, `${path}`, { method });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get('x-amzn-errortype'), 'MethodNotAllowedException');
        assert.match(((await res.json()) as { message: string }).message, allowed);
      }
    });

    it('answers unknown routes with 404 UnknownOperationException', async () => {
      const { sandbox } = h();
      for (const path of ['/2099-01-01/nothing', '/2015-03-31/layers', `${F}/fn/unknown-sub`, `${F}/fn/aliases/a/b`, '/', '/_sandbox/nothing']) {
        const res = await sdkFetch(sandbox, `${path}`);
        assert.equal(res.status, 404, path);
        assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException', path);
      }
    });

    it('answers a path with broken percent-encoding with 400, and tolerates a trailing slash', async () => {
      const { sandbox } = h();
      const bad = await sdkFetch(sandbox, `${F}/%E0%A4%A/configuration`);
      assert.equal(bad.status, 400);
      assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
      const slash = await sdkFetch(sandbox, `${F}/`);
      assert.equal(slash.status, 200);
      assert.ok(Array.isArray(((await slash.json()) as { Functions: unknown[] }).Functions));
    });

    it('a refused request with an unread body leaves its keep-alive connection usable', async () => {
      const { sandbox } = h();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const call = (headers: Record<string, string>, body?: Buffer) =>
        new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const req = http.request(`${sandbox.endpoint}${F}`, { method: body ? 'POST' : 'GET', headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          });
          req.on('error', reject);
          req.end(body);
        });
      try {
        // A page's text/plain post: refused before its 256 KB body is read.
        const refused = await call({ 'content-type': 'text/plain' }, Buffer.alloc(256 * 1024, 0x7b));
        assert.equal(refused.status, 403);
        const next = await call(sdkHeaders(sandbox));
        assert.equal(next.status, 200);
        assert.equal(next.reused, true, 'the same connection served the next request');
      } finally {
        agent.destroy();
      }
    });

    it('survives a client that disconnects in the middle of its body: it still answers, and nothing was created', async () => {
      const { sandbox } = h();
      await new Promise<void>((resolve) => {
        const req = http.request(`${sandbox.endpoint}${F}`, { method: 'POST', headers: { ...sdkHeaders(sandbox), ...JSON_CT, 'content-length': '10000' }, agent: false });
        req.on('error', () => resolve());
        req.write('{"FunctionName":"half-sent","Runtime":"nodejs20.x","Handler":"index.handler",', () => {
          req.destroy();
          resolve();
        });
      });
      await sleep(50);
      // A new client on a new connection: the listener is up and requests are still handled.
      const fresh = clientsFor(sandbox);
      try {
        const listed = await fresh.lambda.send(new ListFunctionsCommand({}));
        assert.equal(listed.$metadata.httpStatusCode, 200);
        assert.ok(!(listed.Functions ?? []).some((f) => f.FunctionName === 'half-sent'), 'the half-sent CreateFunction created nothing');
        await rejectsWith(fresh.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'half-sent' })), 'ResourceNotFoundException', 404);
      } finally {
        fresh.lambda.destroy();
        fresh.cloudwatch.destroy();
      }
    });
  });

  describe('fault injection', () => {
    let fn = '';
    let n = 0;
    beforeEach(async () => {
      const { lambda, sandbox } = h();
      sandbox.faults.clear();
      fn = `faulty-${++n}`;
      await createFn(lambda, fn);
      await publish(lambda, fn, 'a');
      await publish(lambda, fn, 'b');
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
    });
    afterEach(() => {
      const { sandbox } = h();
      sandbox.faults.clear();
      sandbox.setLatency(0);
    });

    it("'error' fails the call with 500 ServiceException and leaves the alias unchanged; the next call succeeds", async () => {
      const { sandbox, lambda } = h();
      const before = await alias(lambda, fn);
      sandbox.faults.add({ operation: 'UpdateAlias', nth: 1, kind: 'error' });
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } })),
        'ServiceException',
        500,
        /Injected fault/,
      );
      assert.deepEqual(await alias(lambda, fn), before);
      assert.equal(sandbox.faults.pending, 0, 'a one-shot fault is used up');
      const ok = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
      assert.deepEqual(ok.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    });

    it("'throttle' fails the call with 429 TooManyRequestsException (Retry-After) and changes nothing", async () => {
      const { sandbox, lambda } = h();
      const before = await alias(lambda, fn);
      sandbox.faults.add({ operation: 'UpdateAlias', kind: 'throttle' });
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' })), 'TooManyRequestsException', 429, /Rate exceeded/);
      assert.deepEqual(await alias(lambda, fn), before);
      sandbox.faults.add({ operation: 'GetAlias', kind: 'throttle' });
      const raw = await sdkFetch(sandbox, `/2015-03-31/functions/${fn}/aliases/prod`);
      assert.equal(raw.status, 429);
      assert.equal(raw.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
      assert.equal(raw.headers.get('retry-after'), '1');
    });

    it("'drop' closes the connection: the SDK call fails with a network error and nothing changes", async () => {
      const { sandbox, lambda } = h();
      const before = await alias(lambda, fn);
      sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop' });
      await assert.rejects(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' })), (e: AwsErr) => {
        assert.equal(e.$metadata?.httpStatusCode, undefined, 'no HTTP response at all');
        assert.match(`${e.name} ${e.code ?? ''} ${e.message}`, /ECONNRESET|socket hang up|EPIPE|other side closed/i);
        return true;
      });
      assert.deepEqual(await alias(lambda, fn), before);
      // The client recovers on a new connection.
      assert.equal((await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }))).FunctionVersion, '2');
    });

    it("'truncate' sends the status, headers and half the body, then closes: the call fails, yet it took effect", async () => {
      const { sandbox, lambda } = h();
      const before = await alias(lambda, fn);
      const target = before.v === '2' ? '1' : '2';
      sandbox.faults.add({ operation: 'UpdateAlias', kind: 'truncate' });
      await assert.rejects(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: target })), (e: AwsErr) => {
        assert.match(`${e.name} ${e.code ?? ''} ${e.message}`, /ECONNRESET|aborted|socket hang up|other side closed|premature/i);
        return true;
      });
      assert.equal((await alias(lambda, fn)).v, target, 'the update was applied before the reply was cut');
      await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: before.v }));
    });

    it('nth: 2 hits only the second call of that operation; other operations are not counted', async () => {
      const { sandbox, lambda } = h();
      sandbox.faults.add({ operation: 'UpdateAlias', nth: 2, kind: 'error' });
      await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' })); // not an UpdateAlias: not counted
      const first = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'call 1' }));
      await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'call 2' })), 'ServiceException', 500);
      assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))).RevisionId, first.RevisionId, 'call 2 changed nothing');
      const third = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'call 3' }));
      assert.equal(third.Description, 'call 3');
    });

    it('times: 2 fails two calls in a row, then lets calls through', async () => {
      const { sandbox, lambda } = h();
      sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'throttle', times: 2 });
      const get = () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      await rejectsWith(get(), 'TooManyRequestsException', 429);
      await rejectsWith(get(), 'TooManyRequestsException', 429);
      assert.equal((await get()).FunctionName, fn);
    });

    it("operation '*' matches whatever is called next", async () => {
      const { sandbox, lambda } = h();
      sandbox.faults.add({ operation: '*', kind: 'error' });
      await rejectsWith(lambda.send(new ListFunctionsCommand({})), 'ServiceException', 500);
      assert.equal((await lambda.send(new ListFunctionsCommand({}))).$metadata.httpStatusCode, 200);
    });

    it("'hook' runs before the request is handled (a concurrent writer makes the RevisionId stale)", async () => {
      const { sandbox, lambda } = h();
      const before = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
      const order: string[] = [];
      sandbox.faults.add({
        operation: 'UpdateAlias',
        kind: 'hook',
        hook: async () => {
          order.push('hook start');
          await sleep(30);
          sandbox.lambda.updateAlias(fn, 'prod', { Description: 'changed by someone else' });
          order.push('hook end');
        },
      });
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RevisionId: before.RevisionId })).finally(() => order.push('response')),
        'PreconditionFailedException',
        412,
      );
      assert.deepEqual(order, ['hook start', 'hook end', 'response']);
      const after = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
      assert.equal(after.Description, 'changed by someone else');
      assert.equal(after.FunctionVersion, '1');
    });

    it("'delay' holds the request for delayMs, then answers normally", async () => {
      const { sandbox, lambda } = h();
      sandbox.faults.add({ operation: 'GetAlias', kind: 'delay', delayMs: 120 });
      let out: unknown;
      const took = await elapsed(async () => (out = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))));
      assert.ok(took >= 115, `took ${took} ms`);
      assert.equal((out as { Name: string }).Name, 'prod');
    });

    it("'publishOther': another client's upload lands and is published; the reply carries its CodeSha256, not the one sent", async () => {
      const { sandbox, lambda } = h();
      const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      const sent = latest.CodeSha256!;
      assert.equal(sent, codeSha(handlerZip({ tag: 'b' })));
      sandbox.faults.add({ operation: 'PublishVersion', kind: 'publishOther' });
      // The CodeSha256 and RevisionId a guarded publish sends: both right when it read them.
      const out = await lambda.send(new PublishVersionCommand({ FunctionName: fn, CodeSha256: sent, RevisionId: latest.RevisionId, Description: 'guarded' }));
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.equal(out.Version, '3');
      assert.equal(out.Description, 'guarded');
      assert.notEqual(out.CodeSha256, sent, 'the version holds the other upload');
      assert.equal(sandbox.faults.pending, 0);
      // $LATEST holds the other code too, with its CodeSha256 and CodeSize computed from its bytes.
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      assert.equal(got.Configuration?.CodeSha256, out.CodeSha256);
      assert.notEqual(got.Configuration?.RevisionId, latest.RevisionId);
      const bytes = new Uint8Array(await (await fetch(got.Code!.Location!)).arrayBuffer());
      assert.equal(codeSha(bytes), out.CodeSha256);
      assert.equal(bytes.length, out.CodeSize);
      assert.deepEqual(Object.keys(unzipSync(bytes)).sort(), ['concurrent-upload.txt', 'index.js']);
      const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions!;
      assert.deepEqual(versions.map((v) => [v.Version, v.CodeSha256 === out.CodeSha256]), [['$LATEST', true], ['1', false], ['2', false], ['3', true]]);
      // The published code still runs: it is the old handler plus one file.
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: fn, Qualifier: '3' });
      const ran = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '3' }));
      assert.equal(ran.FunctionError, undefined);
      assert.deepEqual(JSON.parse(Buffer.from(ran.Payload!).toString('utf8')), { tag: 'b' });
    });

    it("without 'publishOther', PublishVersion still refuses a CodeSha256 or RevisionId that does not match $LATEST", async () => {
      const { sandbox, lambda } = h();
      const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      // Armed and used up by one call: the next ones are checked as always.
      sandbox.faults.add({ operation: 'PublishVersion', kind: 'publishOther' });
      const other = await lambda.send(new PublishVersionCommand({ FunctionName: fn, CodeSha256: latest.CodeSha256 }));
      assert.notEqual(other.CodeSha256, latest.CodeSha256);
      await rejectsWith(
        lambda.send(new PublishVersionCommand({ FunctionName: fn, CodeSha256: latest.CodeSha256 })),
        'InvalidParameterValueException',
        400,
        /CodeSHA256 .* is different from current CodeSHA256 in \$LATEST/,
      );
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: fn, RevisionId: latest.RevisionId })), 'PreconditionFailedException', 412, /Revision Id provided does not match/);
      const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions!;
      assert.deepEqual(versions.map((v) => v.Version), ['$LATEST', '1', '2', '3'], 'the refused publishes made no version');
    });

    it("'publishOther' refuses a malformed request or a function mid-update as usual, changing nothing", async () => {
      const { sandbox, lambda } = h();
      const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      sandbox.faults.add({ operation: 'PublishVersion', kind: 'publishOther', times: 3 });
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: `${fn}:1` })), 'InvalidParameterValueException', 400, /do not qualify/);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'no-such-function' })), 'ResourceNotFoundException', 404);
      // As if an UpdateFunctionCode were still in progress (this suite's sandbox has no update delay).
      sandbox.store.functions.get(fn)!.latest.updatingUntil = Date.now() + 60_000;
      try {
        await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: fn })), 'ResourceConflictException', 409, /update is in progress/);
      } finally {
        sandbox.settle();
      }
      assert.equal(sandbox.faults.pending, 0, 'each refused call used one firing');
      const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      assert.equal(after.CodeSha256, before.CodeSha256);
      assert.deepEqual((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions!.map((v) => v.Version), ['$LATEST', '1', '2']);
    });

    it('admin HTTP: POST /_sandbox/faults accepts publishOther for PublishVersion only', async () => {
      const { sandbox } = h();
      const post = (spec: unknown) => sdkFetch(sandbox, `/_sandbox/faults`, { method: 'POST', headers: JSON_CT, body: JSON.stringify(spec) });
      for (const operation of ['UpdateAlias', '*']) {
        const res = await post({ operation, kind: 'publishOther' });
        assert.equal(res.status, 400, operation);
        assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
        assert.match(((await res.json()) as { message: string }).message, /publishOther applies to PublishVersion only/);
      }
      assert.equal(sandbox.faults.pending, 0);
      const armed = await post({ operation: 'PublishVersion', nth: 2, kind: 'publishOther' });
      assert.equal(armed.status, 200);
      assert.deepEqual(await armed.json(), { pending: 1 });
      assert.equal(sandbox.faults.take('PublishVersion'), undefined);
      assert.equal(sandbox.faults.take('PublishVersion')?.kind, 'publishOther');
    });

    it('setLatency adds at least that much to every request, and 0 removes it', async () => {
      const { sandbox, lambda } = h();
      const call = () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      sandbox.setLatency(50);
      for (let i = 0; i < 3; i++) {
        const took = await elapsed(call);
        assert.ok(took >= 49, `call ${i} took ${took} ms with 50 ms latency`);
      }
      sandbox.setLatency(0);
      const quick = Math.min(await elapsed(call), await elapsed(call), await elapsed(call));
      assert.ok(quick < 45, `fastest call took ${quick} ms without latency`);
    });

    it('counts its own work toward the latency: a reply leaves latency ms after arrival, or when ready if later', async () => {
      const { sandbox, lambda } = h();
      const call = () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      try {
        sandbox.setLatency(200);
        // Handling that takes 150 ms ends inside the 200 ms: the reply leaves at 200, not 350.
        sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'hook', hook: () => sleep(150) });
        const inside = await elapsed(call);
        assert.ok(inside >= 199 && inside < 330, `took ${inside} ms`);
        // Handling that takes 300 ms: the reply leaves when it is ready, not 200 ms later.
        sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'hook', hook: () => sleep(300) });
        const longer = await elapsed(call);
        assert.ok(longer >= 299 && longer < 450, `took ${longer} ms`);
      } finally {
        sandbox.setLatency(0);
      }
    });

    it('sends replies with a Content-Length, as AWS does, not in chunks', async () => {
      const { sandbox } = h();
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${sandbox.endpoint}${F}?MaxItems=50`, { headers: sdkHeaders(sandbox) }, resolve).on('error', reject));
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['transfer-encoding'], undefined);
      assert.equal(Number(res.headers['content-length']), Buffer.concat(chunks).length);
    });

    it('admin HTTP: PUT /_sandbox/latency sets the latency; out-of-range values are 400', async () => {
      const { sandbox, lambda } = h();
      const put = await sdkFetch(sandbox, `/_sandbox/latency`, { method: 'PUT', body: JSON.stringify({ ms: 60 }), headers: JSON_CT });
      assert.equal(put.status, 200);
      assert.deepEqual(await put.json(), { latencyMs: 60 });
      const took = await elapsed(() => lambda.send(new ListFunctionsCommand({ MaxItems: 1 })));
      assert.ok(took >= 59, `took ${took} ms`);
      for (const ms of [-1, 'fast', 600_001]) {
        const bad = await sdkFetch(sandbox, `/_sandbox/latency`, { method: 'PUT', body: JSON.stringify({ ms }), headers: JSON_CT });
        assert.equal(bad.status, 400, String(ms));
        assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
      }
      const reset = await sdkFetch(sandbox, `/_sandbox/latency`, { method: 'PUT', body: JSON.stringify({ ms: 0 }), headers: JSON_CT });
      assert.deepEqual(await reset.json(), { latencyMs: 0 });
    });

    it('startSandbox({ latencyMs }) applies latency from the first request', async () => {
      const sandbox = await startSandbox({ latencyMs: 40 });
      const { lambda } = clientsFor(sandbox);
      try {
        const took = await elapsed(() => lambda.send(new ListFunctionsCommand({})));
        assert.ok(took >= 39, `took ${took} ms`);
      } finally {
        lambda.destroy();
        await sandbox.close();
      }
    });

    it('admin HTTP: POST /_sandbox/faults arms a fault, DELETE clears them, bad specs are 400', async () => {
      const { sandbox, lambda } = h();
      const before = await alias(lambda, fn);
      const post = (spec: unknown) => sdkFetch(sandbox, `/_sandbox/faults`, { method: 'POST', headers: JSON_CT, body: JSON.stringify(spec) });
      const armed = await post({ operation: 'UpdateAlias', nth: 1, kind: 'error' });
      assert.equal(armed.status, 200);
      assert.deepEqual(await armed.json(), { pending: 1 });
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' })), 'ServiceException', 500);
      assert.deepEqual(await alias(lambda, fn), before);
      // Armed then cleared: the fault never fires.
      assert.deepEqual(await (await post({ operation: 'UpdateAlias', kind: 'throttle' })).json(), { pending: 1 });
      const cleared = await sdkFetch(sandbox, `/_sandbox/faults`, { method: 'DELETE' });
      assert.deepEqual(await cleared.json(), { pending: 0 });
      assert.equal((await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }))).FunctionVersion, '2');
      const badSpecs = [
        { operation: 'UpdateAlias', kind: 'explode' },
        { operation: 'UpdateAlias', kind: 'error', nth: 0 },
        { operation: 'UpdateAlias', kind: 'error', nth: 1.5 },
        { kind: 'error' },
        { operation: '', kind: 'error' },
        { operation: 7, kind: 'error' },
      ];
      for (const spec of badSpecs) {
        const res = await post(spec);
        assert.equal(res.status, 400, JSON.stringify(spec));
        assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
      }
      const malformed = await sdkFetch(sandbox, `/_sandbox/faults`, { method: 'POST', body: '{nope', headers: JSON_CT });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.headers.get('x-amzn-errortype'), 'SerializationException');
      assert.equal(sandbox.faults.pending, 0);
    });

    it('admin HTTP: a delayed fault armed over HTTP delays only its operation', async () => {
      const { sandbox, lambda } = h();
      await sdkFetch(sandbox, `/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ operation: 'GetAlias', kind: 'delay', delayMs: 100 }), headers: JSON_CT });
      const unrelated = () => elapsed(() => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn })));
      const other = Math.min(await unrelated(), await unrelated(), await unrelated());
      const delayed = await elapsed(() => lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' })));
      assert.ok(other < 90, `an unrelated operation took ${other} ms`);
      assert.ok(delayed >= 95, `the delayed operation took ${delayed} ms`);
    });
  });

  describe('what real clients send is admitted (headers captured from aws-cli 1.45.11 / botocore 1.43.11 and SDK v3 3.1163)', () => {
    const botocore = 'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.43.11';
    const sdk = 'aws-sdk-js/3.1163.0 ua/2.1 os/linux#6.18.44 lang/js md/nodejs#20.20.2 api/lambda#3.1163.0 m/N,E,e';
    const SDK_SIGNED = 'amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent';
    const auth = (service: string, signed: string) => `AWS4-HMAC-SHA256 Credential=sandbox/20261201/us-east-1/${service}/aws4_request, SignedHeaders=${signed}, Signature=7afc74fb2dd286d482cc7c9a643465d4c431deaa570de798a4846ca396ddc92d`;
    const fromBotocore = (signed: string, extra: Record<string, string> = {}, service = 'lambda') => ({ 'accept-encoding': 'identity', 'user-agent': botocore, 'x-amz-date': '20261201T083757Z', authorization: auth(service, signed), 'amz-sdk-invocation-id': '24e06fd5-8c41-4376-b7af-15e808e5df2b', 'amz-sdk-request': 'attempt=1', ...extra });
    const fromSdk = (signed: string, extra: Record<string, string> = {}, service = 'lambda') => ({ 'x-amz-user-agent': 'aws-sdk-js/3.1163.0', 'user-agent': sdk, 'amz-sdk-invocation-id': '920245bd-fe1b-4919-80e0-8c7780a6db40', 'amz-sdk-request': 'attempt=1; max=1', 'x-amz-date': '20261201T083826Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', authorization: auth(service, signed), ...extra });
    const cw = { 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics', 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-mode': 'true' };
    const json = { 'content-type': 'application/json' };
    const octets = { 'content-type': 'application/octet-stream' };
    const NF = `${F}/captured-missing`;
    // [client op, method, path, headers, body (undefined: none; a string[]: sent in chunks)]
    const captured: Array<[string, string, string, Record<string, string>, string | string[] | undefined]> = [
      ['botocore ListFunctions', 'GET', F, fromBotocore('host;x-amz-date'), undefined],
      ['botocore GetFunction', 'GET', NF, fromBotocore('host;x-amz-date'), undefined],
      ['botocore DeleteFunction', 'DELETE', NF, fromBotocore('host;x-amz-date', { 'content-length': '0' }), undefined],
      ['botocore Invoke (no payload)', 'POST', `${NF}/invocations`, fromBotocore('host;x-amz-date', { 'content-length': '0' }), undefined],
      ['botocore Invoke (payload, no Content-Type)', 'POST', `${NF}/invocations`, fromBotocore('host;x-amz-date'), '{"a":1}'],
      ['botocore CreateAlias', 'POST', `${NF}/aliases`, fromBotocore('content-type;host;x-amz-date', json), '{"Name": "prod", "FunctionVersion": "1"}'],
      ['botocore DeleteAlias', 'DELETE', `${NF}/aliases/prod`, fromBotocore('host;x-amz-date', { 'content-length': '0' }), undefined],
      ['botocore PublishVersion', 'POST', `${NF}/versions`, fromBotocore('content-type;host;x-amz-date', json), '{}'],
      ['botocore ListMetrics', 'POST', '/', fromBotocore('content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode', cw, 'monitoring'), '{}'],
      ['SDK v3 ListFunctions', 'GET', F, fromSdk(SDK_SIGNED), undefined],
      ['SDK v3 DeleteAlias', 'DELETE', `${NF}/aliases/prod`, fromSdk(SDK_SIGNED), undefined],
      ['SDK v3 Invoke (no payload)', 'POST', `${NF}/invocations`, fromSdk(`${SDK_SIGNED};content-type`, { ...octets, 'content-length': '0' }), undefined],
      ['SDK v3 Invoke (payload)', 'POST', `${NF}/invocations`, fromSdk(`${SDK_SIGNED};content-length;content-type`, octets), '{"a":1}'],
      ['SDK v3 Invoke (streamed payload, chunked)', 'POST', `${NF}/invocations`, fromSdk(`${SDK_SIGNED};content-type`, octets), ['{"a"', ':1}']],
      ['SDK v3 CreateAlias', 'POST', `${NF}/aliases`, fromSdk(`${SDK_SIGNED};content-length;content-type`, json), '{"Name":"p","FunctionVersion":"1"}'],
      ['SDK v3 UpdateFunctionCode', 'PUT', `${NF}/code`, fromSdk(`${SDK_SIGNED};content-length;content-type`, json), '{"ZipFile":"eA=="}'],
      ['SDK v3 ListMetrics', 'POST', '/', fromSdk(`${SDK_SIGNED};content-length;content-type;x-amz-target;x-amzn-query-mode`, cw, 'monitoring'), '{}'],
    ];
    for (const [name, method, path, headers, body] of captured) {
      it(`${name} reaches the operation`, async () => {
        const { sandbox } = h();
        const reply = await rawRequest(sandbox.endpoint, method, path, headers, async (req) => {
          if (typeof body === 'string') req.setHeader('content-length', String(Buffer.byteLength(body)));
          for (const part of Array.isArray(body) ? body : body === undefined ? [] : [body]) req.write(part);
          req.end();
        });
        if (path === '/' || path === F) {
          assert.equal(reply.status, 200, reply.body);
        } else {
          // The function does not exist: the request was admitted and routed to the operation.
          assert.equal(reply.headers['x-amzn-errortype'], 'ResourceNotFoundException', `${reply.status} ${reply.body}`);
        }
      });
    }
  });
});
