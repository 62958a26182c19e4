import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createClients } from '../../src/core/connection';
import { checkCaller, checkContentType, checkSignature, CLOUDWATCH_BODY, INVOKE_BODY, JSON_BODY, newAccessKeyId } from '../../src/sandbox/gate';

const AUTH = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;
const signed = (extra: IncomingHttpHeaders = {}): IncomingHttpHeaders => ({ authorization: AUTH, 'x-amz-date': '20260101T000000Z', ...extra });
const code = (r: { error: { code: string } } | undefined) => r?.error.code ?? 'admitted';

describe('sandbox gate: what an AWS SDK sends', () => {
  describe('checkCaller', () => {
    it('admits the loopback names on the bound port, in any case', () => {
      for (const host of ['127.0.0.1:4566', 'localhost:4566', 'LocalHost:4566', '[::1]:4566']) assert.equal(code(checkCaller({ host }, 4566)), 'admitted', host);
    });

    it('refuses other names, other ports, a missing port and no Host at all', () => {
      for (const host of ['evil.example:4566', '127.0.0.1.evil.example:4566', 'localhost.:4566', 'localhost:4567', 'localhost', '0.0.0.0:4566', undefined]) {
        assert.equal(code(checkCaller({ host }, 4566)), 'AccessDeniedException', String(host));
      }
    });

    it('accepts a Host without a port only when the port is 80', () => {
      assert.equal(code(checkCaller({ host: 'localhost' }, 80)), 'admitted');
      assert.equal(code(checkCaller({ host: 'localhost:80' }, 80)), 'admitted');
    });

    it("refuses a browser's headers: Origin (even null), Sec-Fetch-Site/Dest, Referer; not Node fetch's lone Sec-Fetch-Mode", () => {
      const host = '127.0.0.1:9';
      for (const h of [{ origin: 'null' }, { origin: 'http://127.0.0.1:8080' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-dest': 'empty' }, { referer: 'http://x/' }]) {
        const r = checkCaller({ host, ...h }, 9);
        assert.equal(r?.error.status, 403, JSON.stringify(h));
      }
      assert.equal(code(checkCaller({ host, 'sec-fetch-mode': 'cors' }, 9)), 'admitted');
    });
  });

  describe('checkSignature', () => {
    it('admits the shapes botocore and the JS SDK send, with any key when none is set', () => {
      assert.equal(code(checkSignature(signed(), undefined)), 'admitted');
      const sdk = `AWS4-HMAC-SHA256 Credential=sandbox/20261201/us-east-1/monitoring/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent;x-amzn-query-mode, Signature=${'0'.repeat(64)}`;
      assert.equal(code(checkSignature(signed({ authorization: sdk }), undefined)), 'admitted');
      assert.equal(code(checkSignature({ authorization: AUTH, date: 'Thu, 01 Jan 2026 00:00:00 GMT' }, undefined)), 'admitted', 'a Date header instead of X-Amz-Date');
    });

    it('answers no header with MissingAuthenticationTokenException and a bad shape with IncompleteSignatureException naming the part', () => {
      assert.equal(code(checkSignature({}, undefined)), 'MissingAuthenticationTokenException');
      const cases: Array<[string, RegExp]> = [
        ['Bearer x', /'AWS4-HMAC-SHA256' algorithm/],
        [AUTH.replace(/Signature=\w+/, 'Signature=short'), /'Signature'/],
        [AUTH.replace('host;x-amz-date', 'x-amz-date'), /'SignedHeaders' parameter \(including host\)/],
        [AUTH.replace('/aws4_request', ''), /'Credential'/],
      ];
      for (const [authorization, message] of cases) {
        const r = checkSignature(signed({ authorization }), undefined);
        assert.equal(r?.error.code, 'IncompleteSignatureException', authorization);
        assert.equal(r?.error.status, 403);
        assert.match(r!.error.message, message);
      }
      assert.match(checkSignature({ authorization: AUTH }, undefined)!.error.message, /'X-Amz-Date' or a 'Date' header/);
    });

    it('newAccessKeyId: AWS-shaped, different at every call, and accepted by its own check', () => {
      const keys = new Set(Array.from({ length: 50 }, () => newAccessKeyId()));
      assert.equal(keys.size, 50);
      for (const k of keys) assert.match(k, /^LCSB[0-9A-F]{16}$/);
      const k = newAccessKeyId();
      assert.equal(code(checkSignature(signed({ authorization: AUTH.replace('AKIDEXAMPLE', k) }), k)), 'admitted');
    });

    it('with an access key set, admits only signatures naming it: UnrecognizedClientException otherwise', () => {
      assert.equal(code(checkSignature(signed(), 'AKIDEXAMPLE')), 'admitted');
      const r = checkSignature(signed(), 'LCSBOTHER');
      assert.equal(r?.error.code, 'UnrecognizedClientException');
      assert.equal(r?.error.message, 'The security token included in the request is invalid.');
      assert.doesNotMatch(r!.reason, /AKIDEXAMPLE|LCSBOTHER/, 'keys are not logged');
    });
  });

  describe('checkContentType', () => {
    const ct = (type: string | undefined, length: string | undefined, accepted = JSON_BODY) => code(checkContentType({ 'content-type': type, 'content-length': length }, 'Op', accepted));

    it("admits the API's types (with parameters, any case) and body-less requests without one", () => {
      assert.equal(ct('application/json', '2'), 'admitted');
      assert.equal(ct('Application/JSON; charset=utf-8', '2'), 'admitted');
      assert.equal(ct(undefined, undefined), 'admitted');
      assert.equal(ct(undefined, '0'), 'admitted');
      assert.equal(ct('application/octet-stream', '7', INVOKE_BODY), 'admitted');
      assert.equal(ct(undefined, '7', INVOKE_BODY), 'admitted', "botocore's Invoke payload");
      assert.equal(ct('application/x-amz-json-1.0', '2', CLOUDWATCH_BODY), 'admitted');
    });

    it("refuses a browser's simple types, a typeless JSON body, and another API's type", () => {
      for (const t of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        assert.equal(ct(t, '2'), 'UnsupportedMediaTypeException', t);
        assert.equal(ct(t, '2', INVOKE_BODY), 'UnsupportedMediaTypeException', t);
        assert.equal(ct(t, '0'), 'UnsupportedMediaTypeException', `${t}, empty body`);
      }
      assert.equal(ct(undefined, '2'), 'UnsupportedMediaTypeException');
      assert.equal(code(checkContentType({ 'transfer-encoding': 'chunked' }, 'Op', JSON_BODY)), 'UnsupportedMediaTypeException', 'a chunked body without a type');
      assert.equal(ct('application/json', '2', CLOUDWATCH_BODY), 'UnsupportedMediaTypeException');
    });
  });

  describe('createClients for a sandbox', () => {
    it("signs with the spec's access key, or 'sandbox' when it has none", async () => {
      const keyed = createClients({ kind: 'sandbox', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', embedded: true, accessKeyId: 'LCSBRANDOM' });
      const plain = createClients({ kind: 'sandbox', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', embedded: false });
      try {
        const creds = async (c: typeof keyed) => (await (c.lambda.config.credentials as () => Promise<{ accessKeyId: string }>)()).accessKeyId;
        assert.equal(await creds(keyed), 'LCSBRANDOM');
        assert.equal(await creds(plain), 'sandbox');
        assert.equal((await (keyed.cloudwatch.config.credentials as () => Promise<{ accessKeyId: string }>)()).accessKeyId, 'LCSBRANDOM');
      } finally {
        keyed.dispose();
        plain.dispose();
      }
    });
  });
});
