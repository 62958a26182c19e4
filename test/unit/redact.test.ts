import assert from 'node:assert/strict';
import { redact, REDACTED } from '../../src/core/redact';
import { ACCESS_KEY_ID, invalidSignatureMessage, SECRET, SESSION_TOKEN, SIGNATURE } from './credentialFixtures';

function assertClean(out: string, ...secrets: string[]): void {
  for (const s of secrets) {
    assert.ok(!out.includes(s), `still holds ${s.slice(0, 16)}…: ${out}`);
    // Nor a recognisable piece of it.
    if (s.length > 40) assert.ok(!out.includes(s.slice(20, 60)), `still holds part of ${s.slice(0, 16)}…: ${out}`);
  }
}

describe('redact', () => {
  it('removes the session token an InvalidSignatureException echoes, and keeps the rest readable', () => {
    const out = redact(invalidSignatureMessage());
    assertClean(out, SESSION_TOKEN);
    assert.match(out, /x-amz-security-token:\[redacted\]/);
    assert.match(out, /^The request signature we calculated does not match/);
    assert.match(out, /\/2015-03-31\/functions\/checkout-api\/aliases\/prod/);
    assert.match(out, /SignedHeaders|content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token/);
  });

  it('removes a token however short, in the header form of any case', () => {
    assert.equal(redact('X-Amz-Security-Token: abc/DEF+123='), `X-Amz-Security-Token: ${REDACTED}`);
    assert.equal(redact('x-amz-security-token:short'), `x-amz-security-token:${REDACTED}`);
  });

  it('removes the Authorization header value: credential scope and signature', () => {
    const header = `Authorization: AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${SIGNATURE}`;
    const out = redact(`request failed\n${header}\nnext line`);
    assertClean(out, ACCESS_KEY_ID, SIGNATURE);
    assert.equal(out, `request failed\nAuthorization: ${REDACTED}\nnext line`);
  });

  it('removes Credential= and Signature= on their own', () => {
    const out = redact(`Credential=${ACCESS_KEY_ID}/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${SIGNATURE}`);
    assertClean(out, ACCESS_KEY_ID, SIGNATURE);
    assert.match(out, /SignedHeaders=host/);
  });

  it('removes the credentials of a presigned URL and keeps its address', () => {
    const url =
      `https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/123/fn-abc?versionId=x&X-Amz-Security-Token=${encodeURIComponent(SESSION_TOKEN)}` +
      `&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261201T083000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=600&X-Amz-Credential=${ACCESS_KEY_ID}%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${SIGNATURE}`;
    const out = redact(`Could not download ${url}.`);
    assertClean(out, SESSION_TOKEN, encodeURIComponent(SESSION_TOKEN), ACCESS_KEY_ID, SIGNATURE);
    assert.match(out, /^Could not download https:\/\/awslambda-us-east-1-tasks\.s3\.us-east-1\.amazonaws\.com\/snapshots\/123\/fn-abc\?versionId=x&/);
    assert.match(out, /X-Amz-Expires=600/);
  });

  it('removes secrets from JSON (credential_process output, SSO caches)', () => {
    const json = JSON.stringify({ Version: 1, AccessKeyId: ACCESS_KEY_ID, SecretAccessKey: SECRET, SessionToken: SESSION_TOKEN, Expiration: '2026-12-01T09:00:00Z' });
    const out = redact(`credential_process printed ${json}`);
    assertClean(out, ACCESS_KEY_ID, SECRET, SESSION_TOKEN);
    assert.match(out, /"Expiration":"2026-12-01T09:00:00Z"/);
    assertClean(redact('{"accessToken":"aoaAAAAAGexample","refreshToken":"aorAAAA","clientSecret":"eyJraWQiOiJrZXkt"}'), 'aoaAAAAAGexample', 'aorAAAA', 'eyJraWQiOiJrZXkt');
  });

  it('removes ini and environment forms of the secret and the token', () => {
    const out = redact(`aws_secret_access_key = ${SECRET}\naws_session_token=${SESSION_TOKEN}\nAWS_SECRET_ACCESS_KEY=${SECRET} AWS_SESSION_TOKEN=${SESSION_TOKEN}`);
    assertClean(out, SECRET, SESSION_TOKEN);
  });

  it('removes access key ids anywhere, keeping the prefix that tells long-term from temporary', () => {
    assert.equal(redact(`The key ${ACCESS_KEY_ID} is disabled; AKIAIOSFODNN7EXAMPLE too.`), `The key ASIA${REDACTED} is disabled; AKIA${REDACTED} too.`);
  });

  it('removes a bare session token, whatever surrounds it', () => {
    assertClean(redact(`token '${SESSION_TOKEN}' rejected`), SESSION_TOKEN);
  });

  it('leaves ordinary messages, ARNs and hashes alone', () => {
    const plain = [
      'ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:checkout-api:prod',
      'CodeSha256 uQ8dq0VX6mT4vvL6ViGJ3Hn7JNRrbJQyXTW7V+n8Z1E= does not match',
      'The request signature we calculated does not match the signature you provided.',
      'Credentials: none configured. The security token included in the request is expired',
      'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ];
    for (const p of plain) assert.equal(redact(p), p);
    assert.equal(redact(''), '');
  });

  it('is idempotent', () => {
    const once = redact(invalidSignatureMessage());
    assert.equal(redact(once), once);
  });
});
