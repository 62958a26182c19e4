import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import type { TargetReply } from '../../src/core/router/invoke';
import { credentialsOf, lambdaEndpoint, targetFailure, withVersionHeader } from '../../src/core/router/invoke';
import { ROUTE_VARIABLE, ROUTER_HANDLER, routerEnvironment, routerPackage } from '../../src/core/router/routerPackage';
import { ROUTER_FILES } from '../../src/core/router/routerCode.generated';
import type { RouterConfig } from '../../src/core/router/rules';

const httpEvent = { version: '2.0', headers: {}, requestContext: { http: { method: 'GET' } } };
const restEvent = { httpMethod: 'GET', headers: {}, multiValueHeaders: {}, requestContext: {} };
const albMulti = { httpMethod: 'GET', multiValueHeaders: { host: ['x'] }, requestContext: { elb: {} } };
const reply = (status: number, body: unknown, headers: Record<string, string> = {}): TargetReply => ({ status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });

describe('router: its package', () => {
  it('is the same bytes every time, holding the generated files with index.handler as entry', () => {
    const a = routerPackage();
    const b = routerPackage();
    assert.ok(a.zip.equals(b.zip));
    assert.equal(a.sha256, b.sha256);
    const files = unzipSync(a.zip);
    assert.deepEqual(Object.keys(files), ['index.js', 'invoke.js', 'rules.js', 'sigv4.js']);
    assert.equal(ROUTER_HANDLER, 'index.handler');
    for (const f of ROUTER_FILES) assert.equal(Buffer.from(files[f.name]).toString('utf8'), f.text);
    assert.match(ROUTER_FILES[0].text, /exports\.handler = handler;/);
    // Node's built-ins and its own files only: Lambda's runtime has nothing else for it.
    for (const f of ROUTER_FILES) {
      for (const [, dep] of f.text.matchAll(/require\("([^"]+)"\)/g)) assert.match(dep, /^(node:[a-z_]+|\.\/(rules|invoke|sigv4))$/, `${f.name} requires ${dep}`);
    }
  });

  it('is generated from the current sources (scripts/generate-router.mjs --check)', () => {
    execFileSync(process.execPath, [path.resolve(__dirname, '../../../scripts/generate-router.mjs'), '--check'], { stdio: 'pipe' });
  });

  it('carries its rule in one environment variable, validated first', () => {
    const config: RouterConfig = { target: 'shop-api', stable: '1', canary: '2', salt: 's', rules: [] };
    assert.deepEqual(routerEnvironment(config), { [ROUTE_VARIABLE]: JSON.stringify(config) });
    assert.throws(() => routerEnvironment({ ...config, canary: '1' }), /two different versions/);
  });
});

describe('router: the target’s answer', () => {
  it('adds x-canary-version to an HTTP response, replacing the target’s own spelling of it', () => {
    const result = { statusCode: 201, headers: { 'X-Canary-Version': 'x', etag: '"1"' }, body: '{}', isBase64Encoded: false };
    assert.deepEqual(withVersionHeader(result, httpEvent, '4'), { statusCode: 201, headers: { etag: '"1"', 'x-canary-version': '4' }, body: '{}', isBase64Encoded: false });
    assert.deepEqual(withVersionHeader({ statusCode: 204 }, restEvent, '4'), { statusCode: 204, headers: { 'x-canary-version': '4' } });
    // REST may answer with both maps; an ALB with multi-value headers reads only multiValueHeaders.
    assert.deepEqual(withVersionHeader({ statusCode: 200, multiValueHeaders: { a: ['1'] } }, restEvent, '4'), { statusCode: 200, multiValueHeaders: { a: ['1'], 'x-canary-version': ['4'] } });
    assert.deepEqual(withVersionHeader({ statusCode: 200, headers: { a: '1' }, multiValueHeaders: { b: ['2'] } }, restEvent, '4'), {
      statusCode: 200,
      headers: { a: '1', 'x-canary-version': '4' },
      multiValueHeaders: { b: ['2'], 'x-canary-version': ['4'] },
    });
    assert.deepEqual(withVersionHeader({ statusCode: 200 }, albMulti, '4'), { statusCode: 200, multiValueHeaders: { 'x-canary-version': ['4'] } });
    // The original is not changed.
    assert.deepEqual(result.headers, { 'X-Canary-Version': 'x', etag: '"1"' });
  });

  it('leaves anything else unchanged: a non-HTTP event, a result without a status code', () => {
    for (const [result, event] of [
      [{ statusCode: 200 }, { Records: [] }],
      [{ ok: true }, httpEvent],
      ['text', httpEvent],
      [null, httpEvent],
      [[1, 2], httpEvent],
      [{ statusCode: '200' }, httpEvent],
    ] as const) {
      assert.equal(withVersionHeader(result, event, '4'), result);
    }
  });

  it('turns a function error into the target’s error: its type, message and trace', () => {
    const e = targetFailure(reply(200, { errorType: 'PaymentError', errorMessage: 'card declined', trace: ['PaymentError: card declined', '    at x (/var/task/index.js:1:1)'] }, { 'x-amz-function-error': 'Unhandled' }), 'f:2')!;
    assert.deepEqual([e.name, e.message, e.stack], ['PaymentError', 'card declined', 'PaymentError: card declined\n    at x (/var/task/index.js:1:1)']);
    const timeout = targetFailure(reply(200, { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' }, { 'x-amz-function-error': 'Unhandled' }), 'f:2')!;
    assert.deepEqual([timeout.name, timeout.message, timeout.stack], ['Sandbox.Timedout', 'Task timed out after 1.00 seconds', 'Sandbox.Timedout: Task timed out after 1.00 seconds']);
    // Python's shape (stackTrace), and a body that is no error document.
    assert.equal(targetFailure(reply(200, { errorType: 'KeyError', errorMessage: "'id'", stackTrace: ['  File x'] }, { 'x-amz-function-error': 'Unhandled' }), 'f:2')!.stack, '  File x');
    const odd = targetFailure(reply(200, 'not json', { 'x-amz-function-error': 'Unhandled' }), 'f:2')!;
    assert.deepEqual([odd.name, odd.message], ['Error', 'not json']);
    assert.equal(targetFailure(reply(200, { statusCode: 500 }), 'f:2'), undefined);
  });

  it('turns Lambda’s refusal of the Invoke into an error named by its exception', () => {
    const e = targetFailure(reply(429, { Type: 'User', message: 'Rate exceeded', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, { 'x-amzn-errortype': 'TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.awslambda/' }), 'shop-api:2')!;
    assert.equal(e.name, 'TooManyRequestsException');
    assert.equal(e.message, "Lambda refused the router's Invoke of shop-api:2 (HTTP 429): Rate exceeded");
    assert.equal(targetFailure(reply(403, { __type: 'com.amazon#AccessDeniedException', Message: 'denied' }), 'f:2')!.name, 'AccessDeniedException');
    assert.equal(targetFailure(reply(502, ''), 'f:2')!.name, 'HTTP502');
  });
});

describe('router: its environment', () => {
  it('finds the Lambda API as the SDKs do: AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, then the region’s', () => {
    assert.equal(lambdaEndpoint({ AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }).href, 'http://127.0.0.1:1/');
    assert.equal(lambdaEndpoint({ AWS_ENDPOINT_URL: 'http://127.0.0.1:2', AWS_REGION: 'eu-west-1' }).href, 'http://127.0.0.1:2/');
    assert.equal(lambdaEndpoint({ AWS_REGION: 'eu-west-1' }).href, 'https://lambda.eu-west-1.amazonaws.com/');
    assert.equal(lambdaEndpoint({ AWS_REGION: 'cn-north-1' }).href, 'https://lambda.cn-north-1.amazonaws.com.cn/');
  });

  it('signs with the execution role’s credentials, and says so when there are none', () => {
    assert.deepEqual(credentialsOf({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_SESSION_TOKEN: 'T' }), { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T' });
    assert.deepEqual(credentialsOf({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S' }), { accessKeyId: 'A', secretAccessKey: 'S' });
    assert.throws(() => credentialsOf({}), (e: Error) => e.name === 'Router.NoCredentials');
  });
});
