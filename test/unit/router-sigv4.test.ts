import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { encodeRfc3986, signRequest } from '../../src/core/router/sigv4';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): string | Buffer => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength));

/** The SDK signer's hash, on Node's crypto. */
class NodeSha256 {
  private readonly h: crypto.Hash | crypto.Hmac;
  constructor(secret?: Data) {
    this.h = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', bytes(secret));
  }
  update(data: Data): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}

describe('router: Signature Version 4', () => {
  it('signs AWS’s documented example request (IAM ListUsers, 2015-08-30) as AWS does', () => {
    const headers = signRequest({
      method: 'GET',
      host: 'iam.amazonaws.com',
      path: '/',
      query: { Version: '2010-05-08', Action: 'ListUsers' },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      region: 'us-east-1',
      service: 'iam',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      now: new Date('2015-08-30T12:36:00Z'),
    });
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
    assert.equal(headers['x-amz-date'], '20150830T123600Z');
  });

  for (const [what, functionName, sessionToken] of [
    ['a function name, with execution-role credentials (a session token)', 'shop-api', 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/odd=chars'],
    ['an ARN (its colons encoded twice in the canonical path)', 'arn:aws:lambda:eu-west-1:123456789012:function:shop-api', undefined],
  ] as const) {
    it(`signs a Lambda Invoke of ${what} exactly as the SDK's signer does`, async () => {
      const now = new Date('2026-12-03T11:22:33.456Z');
      const body = JSON.stringify({ headers: { 'x-canary-group': 'beta' }, note: 'ünïcode ✓' });
      const path = `/2015-03-31/functions/${encodeRfc3986(functionName)}/invocations`;
      const credentials = { accessKeyId: 'ASIAEXAMPLEKEY', secretAccessKey: 'secret/with+chars', ...(sessionToken ? { sessionToken } : {}) };
      const ours = signRequest({
        method: 'POST',
        host: 'lambda.eu-west-1.amazonaws.com',
        path,
        query: { Qualifier: '14' },
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: Buffer.from(body),
        region: 'eu-west-1',
        service: 'lambda',
        credentials,
        now,
      });
      const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'lambda', sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
      const signed = await signer.sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: 'lambda.eu-west-1.amazonaws.com',
          path,
          query: { Qualifier: '14' },
          headers: { host: 'lambda.eu-west-1.amazonaws.com', 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
          body: Buffer.from(body),
        },
        { signingDate: now },
      );
      assert.equal(ours.authorization, signed.headers.authorization);
      assert.equal(ours['x-amz-security-token'], signed.headers['x-amz-security-token']);
      assert.equal(ours['x-amz-date'], signed.headers['x-amz-date']);
    });
  }

  it('encodes as RFC 3986 wants, which encodeURIComponent does not quite do', () => {
    assert.equal(encodeRfc3986("a:b/c d!'()*~"), "a%3Ab%2Fc%20d%21%27%28%29%2A~");
  });
});
