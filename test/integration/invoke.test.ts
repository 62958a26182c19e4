/**
 * Invoke against the sandbox through the real SDK v3 Lambda client over HTTP: how handlers are
 * loaded and called, what they see, how versions are isolated, how failures are reported, and
 * how an alias splits traffic.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CreateFunctionCommandInput, InvokeCommandInput } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { seededRandom, zipFiles } from '../../src/sandbox';
import { ROLE, sleep, useSandbox } from './helpers';
import { rejectsWith } from './lambda-testkit';

interface Outcome {
  status?: number;
  functionError?: string;
  executedVersion?: string;
  text: string;
  body: unknown;
  log?: string;
}

const ARN_PREFIX = 'arn:aws:lambda:us-east-1:123456789012:function:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A counter handler: module-level state shows which execution environment served a call. */
const COUNTER = `let n = 0;\nconst boot = Math.random().toString(36).slice(2);\nexports.handler = async () => ({ n: ++n, boot, version: process.env.AWS_LAMBDA_FUNCTION_VERSION });\n`;


describe('Invoke: handlers run in the sandbox (real SDK)', function () {
  this.timeout(30_000);
  // A long update delay makes State=Pending deterministic; every other test settles explicitly.
  const h = useSandbox({ updateDelayMs: 60_000 });
  let seq = 0;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-canary-invoke-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const unique = (base: string) => `${base}-${++seq}`;

  async function create(name: string, files: Record<string, string>, extra: Partial<CreateFunctionCommandInput> = {}): Promise<void> {
    await h().lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles(files) }, ...extra }),
    );
    h().sandbox.settle();
  }

  async function publish(name: string): Promise<string> {
    const v = await h().lambda.send(new PublishVersionCommand({ FunctionName: name }));
    h().sandbox.settle();
    return v.Version!;
  }

  async function setCode(name: string, files: Record<string, string>): Promise<void> {
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipFiles(files) }));
    h().sandbox.settle();
  }

  async function invoke(name: string, event: unknown = {}, extra: Partial<InvokeCommandInput> = {}): Promise<Outcome> {
    const out = await h().lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: event === undefined ? undefined : Buffer.from(JSON.stringify(event)), ...extra }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return {
      status: out.StatusCode,
      functionError: out.FunctionError,
      executedVersion: out.ExecutedVersion,
      text,
      body,
      log: out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : undefined,
    };
  }

  /** Asserts a successful invocation and returns the handler's parsed result. */
  async function ok(name: string, event: unknown = {}, extra: Partial<InvokeCommandInput> = {}): Promise<Record<string, unknown>> {
    const r = await invoke(name, event, extra);
    assert.equal(r.status, 200);
    assert.equal(r.functionError, undefined, `unexpected function error: ${r.text}`);
    return r.body as Record<string, unknown>;
  }

  /** Asserts an Unhandled function error and returns Lambda's error payload. */
  async function fails(name: string, event: unknown = {}, extra: Partial<InvokeCommandInput> = {}): Promise<{ errorType: string; errorMessage: string; trace?: string[] }> {
    const r = await invoke(name, event, extra);
    assert.equal(r.status, 200, 'a function error is still HTTP 200');
    assert.equal(r.functionError, 'Unhandled', `expected a function error, got ${r.text}`);
    const body = r.body as { errorType: string; errorMessage: string; trace?: string[] };
    assert.equal(typeof body.errorType, 'string');
    assert.equal(typeof body.errorMessage, 'string');
    return body;
  }

  describe('handler styles', () => {
    it('CommonJS async handler receives the event and returns JSON', async () => {
      const fn = unique('cjs-async');
      await create(fn, { 'index.js': 'exports.handler = async (event) => ({ got: event, kind: typeof require });\n' });
      const r = await invoke(fn, { a: 1, list: [1, 'two'] });
      assert.equal(r.status, 200);
      assert.equal(r.executedVersion, '$LATEST');
      assert.deepEqual(r.body, { got: { a: 1, list: [1, 'two'] }, kind: 'function' });
    });

    it('CommonJS callback-style handler (3 arguments) answers through the callback, even later', async () => {
      const fn = unique('cjs-callback');
      await create(fn, {
        'index.js': `exports.handler = function (event, context, callback) {
  if (event.fail) return callback(new Error('callback says no'));
  setTimeout(() => callback(null, { cb: event.x * 2 }), 30);
};\n`,
      });
      assert.deepEqual(await ok(fn, { x: 21 }), { cb: 42 });
      const err = await fails(fn, { fail: true });
      assert.equal(err.errorType, 'Error');
      assert.equal(err.errorMessage, 'callback says no');
    });

    it('a synchronous 2-argument handler returns its value directly', async () => {
      const fn = unique('cjs-sync');
      await create(fn, { 'index.js': 'exports.handler = (event) => ({ sync: event.v });\n' });
      assert.deepEqual(await ok(fn, { v: 'x' }), { sync: 'x' });
    });

    it('ESM handler in index.mjs', async () => {
      const fn = unique('esm-mjs');
      await create(fn, {
        'index.mjs': `import { createHash } from 'node:crypto';
export const handler = async (event) => ({ esm: typeof require === 'undefined', url: import.meta.url.startsWith('file:'), h: createHash('sha1').update(event.s).digest('hex').slice(0, 8) });\n`,
      });
      assert.deepEqual(await ok(fn, { s: 'abc' }), { esm: true, url: true, h: 'a9993e36' });
    });

    it('ESM handler in index.js under package.json {"type":"module"}, importing a sibling module', async () => {
      const fn = unique('esm-type-module');
      await create(fn, {
        'package.json': JSON.stringify({ name: 'esm-fn', type: 'module' }),
        'index.js': `import { greet } from './lib/greet.js';\nexport const handler = async (event) => ({ msg: greet(event.name), esm: typeof module === 'undefined' });\n`,
        'lib/greet.js': 'export const greet = (n) => `hello ${n}`;\n',
      });
      assert.deepEqual(await ok(fn, { name: 'esm' }), { msg: 'hello esm', esm: true });
    });

    it('a handler in a nested path (src/app.handler) requiring its neighbours', async () => {
      const fn = unique('nested');
      await create(
        fn,
        {
          'src/app.js': `const { twice } = require('./util');\nexports.handler = async (e) => ({ nested: twice(e.n) });\n`,
          'src/util.js': 'exports.twice = (n) => n * 2;\n',
          'index.js': 'exports.handler = async () => ({ wrong: true });\n',
        },
        { Handler: 'src/app.handler' },
      );
      assert.deepEqual(await ok(fn, { n: 5 }), { nested: 10 });
    });

    it('a handler returning undefined answers the JSON literal null', async () => {
      const fn = unique('undef');
      await create(fn, { 'index.js': 'exports.handler = async () => undefined;\n' });
      const r = await invoke(fn);
      assert.equal(r.status, 200);
      assert.equal(r.functionError, undefined);
      assert.equal(r.text, 'null');
    });

    it('an empty payload arrives as an empty object', async () => {
      const fn = unique('empty');
      await create(fn, { 'index.js': 'exports.handler = async (e) => ({ e });\n' });
      assert.deepEqual(await ok(fn, undefined), { e: {} });
    });
  });

  describe('context and environment', () => {
    it('context carries the function name, version, alias ARN, memory and a fresh request id', async () => {
      const fn = unique('ctx');
      await create(
        fn,
        {
          'index.js': `exports.handler = async (event, context) => {
  const first = context.getRemainingTimeInMillis();
  await new Promise((r) => setTimeout(r, 150));
  const second = context.getRemainingTimeInMillis();
  return { functionName: context.functionName, functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB, awsRequestId: context.awsRequestId, logGroupName: context.logGroupName, first, second };
};\n`,
        },
        { MemorySize: 256, Timeout: 3 },
      );
      const v = await publish(fn);
      await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: v }));

      const a = await ok(fn, {}, { Qualifier: 'live' });
      assert.equal(a.functionName, fn);
      assert.equal(a.functionVersion, '1');
      assert.equal(a.invokedFunctionArn, `${ARN_PREFIX}${fn}:live`);
      assert.equal(String(a.memoryLimitInMB), '256');
      assert.equal(a.logGroupName, `/aws/lambda/${fn}`);
      assert.match(String(a.awsRequestId), UUID);
      const first = a.first as number;
      const second = a.second as number;
      assert.ok(first > 2000 && first <= 3000, `remaining time at start ${first} should be within the 3 s timeout`);
      assert.ok(second < first - 100, `remaining time must decrease (${first} → ${second})`);

      const b = await ok(fn);
      assert.equal(b.functionVersion, '$LATEST');
      assert.equal(b.invokedFunctionArn, `${ARN_PREFIX}${fn}`, 'an unqualified call names the unqualified ARN');
      assert.notEqual(b.awsRequestId, a.awsRequestId, 'every invocation gets its own request id');

      const c = await ok(fn, {}, { Qualifier: '1' });
      assert.equal(c.invokedFunctionArn, `${ARN_PREFIX}${fn}:1`);
    });

    it("process.env holds Lambda's variables and the function's own, never the host's", async () => {
      process.env.SECRET_HOST_VAR = 'do-not-leak';
      try {
        const fn = unique('env');
        await create(
          fn,
          { 'index.js': 'exports.handler = async () => ({ env: { ...process.env } });\n' },
          { Environment: { Variables: { GREETING: 'hello', TABLE_NAME: 'orders' } }, MemorySize: 192 },
        );
        await publish(fn);
        const env = (await ok(fn, {}, { Qualifier: '1' })).env as Record<string, string>;
        assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, fn);
        assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '1');
        assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '192');
        assert.equal(env.AWS_REGION, 'us-east-1');
        assert.equal(env.GREETING, 'hello');
        assert.equal(env.TABLE_NAME, 'orders');
        assert.equal(env._HANDLER, 'index.handler');
        assert.equal(env.SECRET_HOST_VAR, undefined, 'the host environment leaked into the function');
        // Nothing else from the host (HOME, USER, npm_*, credentials …) besides PATH.
        for (const key of Object.keys(env)) {
          assert.match(key, /^(AWS_|LAMBDA_|_HANDLER$|NODE_PATH$|PATH$|TZ$|LANG$|GREETING$|TABLE_NAME$)/, `unexpected variable ${key} in the function's environment`);
        }
        const latest = (await ok(fn)).env as Record<string, string>;
        assert.equal(latest.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      } finally {
        delete process.env.SECRET_HOST_VAR;
      }
    });

    it('LogType Tail returns the log: console output, stdout writes and the START/END/REPORT lines', async () => {
      const fn = unique('logs');
      await create(fn, {
        'index.js': `exports.handler = async (e) => { console.log('hello from', e.who); process.stdout.write('raw line\\n'); console.error('oops'); return 1; };\n`,
      });
      const r = await invoke(fn, { who: 'test' }, { LogType: 'Tail' });
      assert.equal(r.status, 200);
      assert.ok(r.log, 'LogResult missing');
      assert.match(r.log!, /^START RequestId: \S+ Version: \$LATEST/);
      assert.match(r.log!, /INFO\thello from test/);
      assert.match(r.log!, /raw line/);
      assert.match(r.log!, /ERROR\toops/);
      assert.match(r.log!, /END RequestId/);
      assert.match(r.log!, /REPORT RequestId: \S+\tDuration: [\d.]+ ms/);
      const plain = await invoke(fn, { who: 'x' });
      assert.equal(plain.log, undefined, 'no log without LogType Tail');
    });
  });

  describe('isolation between versions', () => {
    it('version 1 and version 2 run their own code', async () => {
      const fn = unique('iso-code');
      await create(fn, { 'index.js': `exports.handler = async () => ({ release: 'one' });\n` });
      assert.equal(await publish(fn), '1');
      await setCode(fn, { 'index.js': `exports.handler = async () => ({ release: 'two' });\n` });
      assert.equal(await publish(fn), '2');
      await setCode(fn, { 'index.js': `exports.handler = async () => ({ release: 'draft' });\n` });

      for (const [q, release] of [['1', 'one'], ['2', 'two'], ['$LATEST', 'draft'], ['1', 'one']]) {
        const r = await invoke(fn, {}, { Qualifier: q });
        assert.equal(r.executedVersion, q);
        assert.deepEqual(r.body, { release }, `qualifier ${q}`);
      }
    });

    it('module-level state is per version; an environment stays warm across invocations', async () => {
      const fn = unique('iso-state');
      await create(fn, { 'index.js': COUNTER });
      await publish(fn);
      await setCode(fn, { 'index.js': `${COUNTER}// release two\n` });
      await publish(fn);

      const v1 = [];
      for (let i = 0; i < 3; i++) v1.push(await ok(fn, {}, { Qualifier: '1' }));
      assert.deepEqual(v1.map((r) => r.n), [1, 2, 3], 'warm reuse: the counter keeps counting');
      assert.equal(new Set(v1.map((r) => r.boot)).size, 1, 'one environment served the sequential calls');

      const v2 = await ok(fn, {}, { Qualifier: '2' });
      assert.equal(v2.n, 1, "version 2 does not see version 1's counter");
      assert.equal(v2.version, '2');
      assert.notEqual(v2.boot, v1[0].boot);

      assert.equal((await ok(fn, {}, { Qualifier: '1' })).n, 4);
      assert.equal((await ok(fn, {}, { Qualifier: '2' })).n, 2);
      assert.equal((await ok(fn)).n, 1, '$LATEST has its own environment too');
    });

    it('new code on $LATEST gets a fresh environment', async () => {
      const fn = unique('iso-latest');
      await create(fn, { 'index.js': COUNTER });
      assert.equal((await ok(fn)).n, 1);
      assert.equal((await ok(fn)).n, 2);
      await setCode(fn, { 'index.js': `${COUNTER}// changed\n` });
      assert.equal((await ok(fn)).n, 1);
    });
  });

  describe('errors', () => {
    it('a thrown Error is an Unhandled function error with errorType, errorMessage and trace', async () => {
      const fn = unique('throw');
      await create(fn, {
        'index.js': `class PaymentDeclined extends Error { constructor(m) { super(m); this.name = 'PaymentDeclined'; } }
exports.handler = async (e) => { if (e.custom) throw new PaymentDeclined('card ' + e.custom); throw new Error('boom ' + e.i); };\n`,
      });
      const plain = await fails(fn, { i: 7 });
      assert.equal(plain.errorType, 'Error');
      assert.equal(plain.errorMessage, 'boom 7');
      assert.ok(Array.isArray(plain.trace) && plain.trace.length > 0, 'trace is a non-empty array');
      assert.ok(plain.trace.every((l) => typeof l === 'string'));
      assert.equal(plain.trace[0], 'Error: boom 7', "Lambda's trace starts with the error's own line");
      assert.ok(plain.trace.slice(1).some((l) => /^\s+at .*index\.js:\d+/.test(l)), `trace points at the handler: ${plain.trace.join(' | ')}`);

      const custom = await fails(fn, { custom: '4242' });
      assert.equal(custom.errorType, 'PaymentDeclined');
      assert.equal(custom.errorMessage, 'card 4242');
    });

    it('a missing module is Runtime.ImportModuleError, and repeated init failures never exhaust the pool', async () => {
      const fn = unique('no-module');
      await create(fn, { 'other.js': 'exports.handler = async () => 1;\n' });
      // More than the pool's 4 environments: a failed init must free its slot, or the 5th call hangs.
      for (let i = 0; i < 6; i++) {
        const started = Date.now();
        const err = await fails(fn);
        assert.equal(err.errorType, 'Runtime.ImportModuleError');
        assert.match(err.errorMessage, /Cannot find module 'index'/);
        assert.ok(Date.now() - started < 3000, `call ${i + 1} took ${Date.now() - started} ms`);
      }
      // A module that throws while loading is an import error too.
      const broken = unique('bad-module');
      await create(broken, { 'index.js': 'throw new Error("init failed");\n' });
      const err = await fails(broken);
      assert.equal(err.errorType, 'Runtime.ImportModuleError');
      assert.match(err.errorMessage, /init failed/);
    });

    it('a missing export is Runtime.HandlerNotFound', async () => {
      const fn = unique('no-export');
      await create(fn, { 'index.js': 'exports.other = async () => 1;\nexports.notAFunction = 5;\n' }, { Handler: 'index.handler' });
      const err = await fails(fn);
      assert.equal(err.errorType, 'Runtime.HandlerNotFound');
      assert.match(err.errorMessage, /index\.handler is undefined or not exported/);

      const notFn = unique('not-fn');
      await create(notFn, { 'index.js': 'exports.notAFunction = 5;\n' }, { Handler: 'index.notAFunction' });
      assert.equal((await fails(notFn)).errorType, 'Runtime.HandlerNotFound');
    });

    it('a timeout is reported as Lambda does, and the environment is replaced', async () => {
      const fn = unique('timeout');
      await create(
        fn,
        { 'index.js': `let n = 0;\nexports.handler = async (e) => { n++; if (e.sleep) await new Promise((r) => setTimeout(r, e.sleep)); return { n }; };\n` },
        { Timeout: 1 },
      );
      assert.deepEqual(await ok(fn), { n: 1 });
      const started = Date.now();
      const err = await fails(fn, { sleep: 3000 });
      const took = Date.now() - started;
      assert.match(err.errorMessage, /Task timed out after 1\.00 seconds/);
      assert.ok(took >= 950 && took < 2500, `the timeout fired after ${took} ms`);
      // The timed-out environment is gone: the next call works and starts from a fresh module.
      assert.deepEqual(await ok(fn), { n: 1 });
      assert.deepEqual(await ok(fn), { n: 2 });
    });

    it('init (cold start) does not count against the function timeout', async () => {
      const fn = unique('slow-init');
      await create(
        fn,
        {
          'index.mjs': `await new Promise((r) => setTimeout(r, 700));
export const handler = async (event, context) => {
  const remaining = context.getRemainingTimeInMillis();
  await new Promise((r) => setTimeout(r, 500));
  return { remaining };
};\n`,
        },
        { Timeout: 1 },
      );
      // 700 ms of init + 500 ms of handler: over the 1 s timeout only if init were counted.
      const first = await ok(fn);
      assert.ok((first.remaining as number) > 800, `the handler started with ${String(first.remaining)} ms left`);
    });

    it('exceeding the memory limit is an error, and the next call works', async function () {
      this.timeout(40_000);
      const fn = unique('oom');
      await create(
        fn,
        {
          'index.js': `exports.handler = async (e) => {
  if (!e.hog) return { fine: true };
  const hoard = [];
  for (let i = 0; ; i++) hoard.push({ i, s: 'item-' + i, nested: { a: [i, i + 1] } });
};\n`,
        },
        { MemorySize: 128, Timeout: 30 },
      );
      const err = await fails(fn, { hog: true });
      assert.equal(err.errorType, 'Runtime.OutOfMemory');
      assert.match(err.errorMessage, /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/);
      assert.deepEqual(await ok(fn), { fine: true });
    });

    it('process.exit in a handler is an error, and the next call works', async () => {
      const fn = unique('exit');
      await create(fn, { 'index.js': `let n = 0;\nexports.handler = async (e) => { n++; if (e.exit) process.exit(e.exit); return { n }; };\n` });
      assert.deepEqual(await ok(fn), { n: 1 });
      const err = await fails(fn, { exit: 2 });
      assert.equal(err.errorType, 'Runtime.ExitError');
      assert.match(err.errorMessage, /exit status 2/);
      assert.deepEqual(await ok(fn), { n: 1 }, 'a fresh environment');
    });

    it('an environment that dies between invocations is replaced, not reused', async () => {
      const fn = unique('exit-later');
      // Answers, then the runtime dies while idle (a stray timer calling process.exit).
      await create(fn, { 'index.js': `let n = 0;\nexports.handler = async () => { n++; setTimeout(() => process.exit(3), 20); return { n }; };\n` }, { Timeout: 5 });
      assert.deepEqual(await ok(fn), { n: 1 });
      await sleep(250);
      const started = Date.now();
      assert.deepEqual(await ok(fn), { n: 1 });
      assert.ok(Date.now() - started < 2000, `the call after a dead environment took ${Date.now() - started} ms`);
    });

    it('an invalid JSON payload is InvalidRequestContentException (400) and is neither run nor counted', async () => {
      const fn = unique('bad-json');
      await create(fn, { 'index.js': 'exports.handler = async (e) => ({ e });\n' });
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{"not": json') })), 'InvalidRequestContentException', 400, /json/i);
      // The function itself is fine, and every answer carries the request id the handler saw.
      const r = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{"fine":1}') }));
      assert.match(r.$metadata.requestId ?? '', UUID);
      assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString('utf8')), { e: { fine: 1 } });
    });

    it('a result that cannot be serialised is an error', async () => {
      const fn = unique('circular');
      await create(fn, { 'index.js': 'exports.handler = async () => { const a = {}; a.self = a; return a; };\n' });
      const err = await fails(fn);
      assert.equal(err.errorType, 'Runtime.MarshalError');
    });
  });

  describe('invocation types and limits', () => {
    const marker = `exports.handler = async (e) => {
  if (e.delay) await new Promise((r) => setTimeout(r, e.delay));
  require('fs').appendFileSync(e.file, 'ran\\n');
  return { ok: true };
};\n`;

    it('Event answers 202 at once and runs the handler in the background', async () => {
      const fn = unique('event');
      await create(fn, { 'index.js': marker });
      const file = path.join(scratch, `${fn}.txt`);
      const started = Date.now();
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ file, delay: 800 })) }));
      assert.equal(out.StatusCode, 202);
      assert.ok(Date.now() - started < 700, `Event waited for the handler (${Date.now() - started} ms)`);
      assert.equal(out.Payload?.length ?? 0, 0);
      assert.equal(fs.existsSync(file), false, 'not run yet');
      const deadline = Date.now() + 8000;
      while (!fs.existsSync(file) && Date.now() < deadline) await sleep(50);
      assert.equal(fs.readFileSync(file, 'utf8'), 'ran\n');
    });

    it('DryRun answers 204 without running the handler', async () => {
      const fn = unique('dryrun');
      await create(fn, { 'index.js': marker });
      const file = path.join(scratch, `${fn}.txt`);
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'DryRun', Payload: Buffer.from(JSON.stringify({ file })) }));
      assert.equal(out.StatusCode, 204);
      await sleep(200);
      assert.equal(fs.existsSync(file), false, 'DryRun must not run the function');
    });

    it('a payload over 6 MB is RequestTooLargeException (413); one of exactly 6 MB is accepted', async () => {
      const fn = unique('big');
      await create(fn, { 'index.js': 'exports.handler = async (e) => ({ length: e.length });\n' });
      const limit = 6 * 1024 * 1024;
      const json = (size: number) => Buffer.from(`"${'a'.repeat(size - 2)}"`);
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: fn, Payload: json(limit + 1) })), 'RequestTooLargeException', 413);
      assert.deepEqual(await ok(fn, undefined, { Payload: json(limit) }), { length: limit - 2 });
    });

    it('invoking a Pending version (or an alias on it) is ResourceConflictException until it is Active', async () => {
      const fn = unique('pending');
      await create(fn, { 'index.js': 'exports.handler = async () => ({ v: process.env.AWS_LAMBDA_FUNCTION_VERSION });\n' });
      const v = await h().lambda.send(new PublishVersionCommand({ FunctionName: fn }));
      assert.equal(v.State, 'Pending');
      await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: v.Version }));
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: v.Version })), 'ResourceConflictException', 409, /Pending/);
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live' })), 'ResourceConflictException', 409, /Pending/);
      h().sandbox.settle();
      assert.deepEqual(await ok(fn, {}, { Qualifier: 'live' }), { v: '1' });
    });

    it('unknown functions, versions and aliases are ResourceNotFoundException (404)', async () => {
      const fn = unique('known');
      await create(fn, { 'index.js': 'exports.handler = async () => 1;\n' });
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: `${fn}-nope` })), 'ResourceNotFoundException', 404);
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '9' })), 'ResourceNotFoundException', 404);
      await rejectsWith(h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'nope' })), 'ResourceNotFoundException', 404);
    });
  });

  describe('alias routing', () => {
    let fn: string;
    before(async () => {
      fn = unique('routing');
      await create(fn, { 'index.js': 'exports.handler = async (e) => ({ i: e.i, v: process.env.AWS_LAMBDA_FUNCTION_VERSION });\n' });
      await publish(fn);
      await setCode(fn, { 'index.js': 'exports.handler = async (e) => ({ i: e.i, v: process.env.AWS_LAMBDA_FUNCTION_VERSION, canary: true });\n' });
      await publish(fn);
      await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
    });
    afterEach(() => h().sandbox.setRandom(Math.random));

    /** Invokes the alias n times (20 at a time) and counts X-Amz-Executed-Version. */
    async function split(n: number): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      for (let start = 0; start < n; start += 20) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(20, n - start) }, async (_, k) => {
            const r = await invoke(fn, { i: start + k }, { Qualifier: 'live' });
            assert.equal(r.functionError, undefined, r.text);
            const body = r.body as { i: number; v: string };
            assert.equal(body.i, start + k);
            assert.equal(body.v, r.executedVersion, 'the header names the version that actually ran');
            return r.executedVersion!;
          }),
        );
        for (const v of batch) counts[v] = (counts[v] ?? 0) + 1;
      }
      return counts;
    }

    function assertShare(counts: Record<string, number>, n: number, expected: number): void {
      assert.deepEqual(Object.keys(counts).filter((v) => v !== '1' && v !== '2'), [], `only versions 1 and 2 may run: ${JSON.stringify(counts)}`);
      assert.equal((counts['1'] ?? 0) + (counts['2'] ?? 0), n);
      const share = (counts['2'] ?? 0) / n;
      assert.ok(Math.abs(share - expected) <= 0.03, `observed ${(share * 100).toFixed(1)}% on version 2, configured ${expected * 100}%`);
    }

    it('a 0.2 weight sends ~20% of 2,000 seeded invocations to version 2, reproducibly', async function () {
      this.timeout(60_000);
      h().sandbox.setRandom(seededRandom(42));
      const first = await split(2000);
      assertShare(first, 2000, 0.2);
      h().sandbox.setRandom(seededRandom(42));
      const again = await split(2000);
      assert.deepEqual(again, first, 'the same seed gives the same split');
    });

    it('a 0.2 weight sends ~20% of 2,000 unseeded invocations to version 2', async function () {
      this.timeout(60_000);
      assertShare(await split(2000), 2000, 0.2);
    });

    it('weight 0 never routes to the additional version; direct version calls report that version', async () => {
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0 } } }));
      try {
        const counts = await split(300);
        assert.deepEqual(counts, { '1': 300 });
        for (const q of ['1', '2']) assert.equal((await invoke(fn, { i: 0 }, { Qualifier: q })).executedVersion, q);
      } finally {
        await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
      }
    });

    it('weight 1 sends everything to the additional version', async () => {
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 1 } } }));
      try {
        assert.deepEqual(await split(100), { '2': 100 });
      } finally {
        await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
      }
    });

    it('50 parallel invocations of a slow handler all succeed with their own answers', async () => {
      const slow = unique('parallel');
      await create(slow, { 'index.js': 'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 40)); return { i: e.i }; };\n' });
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => invoke(slow, { i })));
      results.forEach((r, i) => {
        assert.equal(r.status, 200);
        assert.equal(r.functionError, undefined, r.text);
        assert.deepEqual(r.body, { i });
      });
    });
  });
});
