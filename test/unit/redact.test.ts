import assert from 'node:assert/strict';
import { redact, REDACTED } from '../../src/core/redact';
import { seededRandom } from '../../src/sandbox/random';
import { ACCESS_KEY_ID, invalidSignatureMessage, SECRET, SESSION_TOKEN, SHORT_TOKEN, SIGNATURE, stsAssumeRoleReply } from './credentialFixtures';

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
    // Container credentials (ECS, Lambda's own endpoint) name the session token just "Token".
    assertClean(redact(`{"AccessKeyId":"${ACCESS_KEY_ID}","SecretAccessKey":"${SECRET}","Token":"${SHORT_TOKEN}","Expiration":"2026-12-01T10:00:00Z"}`), SHORT_TOKEN, SECRET, ACCESS_KEY_ID);
    // Pagination tokens are not credentials.
    for (const page of ['{"NextMarker":"abc","NextToken":"eyJ2IjoxfQ=="}', '<NextToken>eyJ2IjoxfQ==</NextToken>']) assert.equal(redact(page), page);
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

/** Every notation a credential is written in: environment, ini, JSON, YAML, XML, HTTP, URLs. */
const FORMS: Array<[string, (name: string, value: string) => string]> = [
  ['env', (k, v) => `${k}=${v}`],
  ['env, double-quoted', (k, v) => `export ${k}="${v}"`],
  ['env, single-quoted', (k, v) => `${k}='${v}' npm run deploy`],
  ['PowerShell', (k, v) => `$env:${k}="${v}"`],
  ['fish / aws configure set', (k, v) => `set -gx ${k} ${v}`],
  ['ini', (k, v) => `[default]\n${k} = ${v}\nregion = us-east-1`],
  ['ini, quoted', (k, v) => `${k} = "${v}"`],
  ['JSON', (k, v) => JSON.stringify({ [k]: v, Region: 'us-east-1' })],
  ['JSON, spaced', (k, v) => `{\n  "${k}" : "${v}",\n  "Region": "us-east-1"\n}`],
  ['JSON inside a JSON string', (k, v) => JSON.stringify({ message: `failed with ${JSON.stringify({ [k]: v })}` })],
  ['Python repr', (k, v) => `{'${k}': '${v}', 'region': 'us-east-1'}`],
  ['YAML', (k, v) => `credentials:\n  ${k}: ${v}\n  region: us-east-1`],
  ['YAML, quoted', (k, v) => `- ${k}: '${v}'`],
  ['XML', (k, v) => `<Credentials><${k}>${v}</${k}><Expiration>2026-12-01T10:00:00Z</Expiration></Credentials>`],
  ['XML, namespaced', (k, v) => `<sts:${k} xml:space="preserve">${v}</sts:${k}>`],
  ['HTTP header dump (CRLF)', (k, v) => `PUT /2015-03-31/functions/f/code HTTP/1.1\r\nHost: lambda.us-east-1.amazonaws.com\r\n${k}: ${v}\r\nContent-Type: application/json\r\n\r\n`],
  ['HTTP header, no space', (k, v) => `${k}:${v}\nx-amz-date:20261201T083000Z`],
  ['query string', (k, v) => `https://example.s3.amazonaws.com/o?versionId=3&${k}=${v}&X-Amz-Expires=600`],
  ['URL-encoded', (k, v) => `https://example.s3.amazonaws.com/o?${k}=${encodeURIComponent(v)}&X-Amz-Expires=600`],
  ['URL-encoded twice', (k, v) => `https://sso.example.com/start?next=${encodeURIComponent(`/o?${k}=${encodeURIComponent(v)}&X-Amz-Expires=600`)}`],
  ['form body', (k, v) => `Action=AssumeRole&${k}=${encodeURIComponent(v)}&Version=2011-06-15`],
  ['JSON-stringified log line', (k, v) => JSON.stringify(`line one\n${k}=${v}\nline three`)],
];

const SECRET_KEY_NAMES = ['AWS_SECRET_ACCESS_KEY', 'aws_secret_access_key', 'secret_access_key', 'SecretAccessKey', 'secretAccessKey', 'aws-secret-access-key', 'AWS_SECRET_KEY'];
const TOKEN_NAMES = ['AWS_SESSION_TOKEN', 'aws_session_token', 'session_token', 'SessionToken', 'sessionToken', 'AWS_SECURITY_TOKEN', 'SecurityToken', 'X-Amz-Security-Token', 'x-amz-security-token'];
const SIGNATURE_NAMES = ['X-Amz-Signature', 'x-amz-signature'];
const CREDENTIAL_NAMES = ['X-Amz-Credential', 'x-amz-credential'];
const SCOPE = `${ACCESS_KEY_ID}/20261201/us-east-1/lambda/aws4_request`;

/** What must be gone: the value as written, URL-encoded once and twice, and any long piece of it. */
function encodings(value: string): string[] {
  return [value, encodeURIComponent(value), encodeURIComponent(encodeURIComponent(value)), value.replace(/\//g, '\\/')];
}

function assertRedacted(input: string, value: string): void {
  const out = redact(input);
  for (const v of encodings(value)) {
    assert.ok(!out.includes(v), `still holds the value in:\n${JSON.stringify(input)}\n→ ${JSON.stringify(out)}`);
    if (v.length >= 24) assert.ok(!out.includes(v.slice(4, 20)), `still holds part of the value in:\n${JSON.stringify(input)}\n→ ${JSON.stringify(out)}`);
  }
  assert.ok(out.includes(REDACTED), `nothing marked redacted in ${JSON.stringify(out)}`);
  assert.equal(redact(out), out, 'not idempotent');
}

describe('redact: every notation of secret key, session token, signature, credential and Authorization', () => {
  it('the examples of quoted and XML secrets', () => {
    const cases = [
      `AWS_SECRET_ACCESS_KEY="${SECRET}"`,
      `aws_secret_access_key = "${SECRET}"`,
      `{"AWS_SECRET_ACCESS_KEY":"${SECRET}"}`,
      `<SecretAccessKey>${SECRET}</SecretAccessKey>`,
      `secret_access_key=${SECRET}`,
    ];
    for (const c of cases) assertRedacted(c, SECRET);
    assertRedacted(`<SessionToken>${SHORT_TOKEN}</SessionToken>`, SHORT_TOKEN);
    assertRedacted(`aws_session_token: ${SHORT_TOKEN}`, SHORT_TOKEN);
    assertRedacted(`HTTP/1.1 200 OK\r\nX-Amz-Security-Token: ${SHORT_TOKEN}\r\nDate: Tue, 01 Dec 2026 09:00:00 GMT\r\n`, SHORT_TOKEN);
    assertRedacted(`?X-Amz-Security-Token=${encodeURIComponent(`IQoJ/${SHORT_TOKEN}+/=`)}&X-Amz-Date=20261201T083000Z`, `IQoJ/${SHORT_TOKEN}+/=`);
  });

  it('an STS AssumeRole answer keeps its structure, ids of the role aside', () => {
    const out = redact(stsAssumeRoleReply());
    assertClean(out, SECRET, SESSION_TOKEN, ACCESS_KEY_ID);
    assert.match(out, /<SecretAccessKey>\[redacted\]<\/SecretAccessKey>/);
    assert.match(out, /<SessionToken>\[redacted\]<\/SessionToken>/);
    assert.match(out, /<Expiration>2026-12-01T10:00:00Z<\/Expiration>/);
    assert.match(out, /<Arn>arn:aws:sts::123456789012:assumed-role\/deployer\/deploy<\/Arn>/);
    assert.match(out, /<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7<\/RequestId>/);
  });

  for (const [form, write] of FORMS) {
    it(`${form}: secret keys and session tokens by any of their names`, () => {
      for (const name of SECRET_KEY_NAMES) assertRedacted(write(name, SECRET), SECRET);
      for (const name of TOKEN_NAMES) {
        assertRedacted(write(name, SHORT_TOKEN), SHORT_TOKEN);
        assertRedacted(write(name, SESSION_TOKEN), SESSION_TOKEN);
      }
    });

    it(`${form}: X-Amz-Signature, X-Amz-Credential and Authorization`, () => {
      if (!form.startsWith('fish')) {
        for (const name of SIGNATURE_NAMES) assertRedacted(write(name, SIGNATURE), SIGNATURE);
        for (const name of CREDENTIAL_NAMES) {
          assertRedacted(write(name, SCOPE), ACCESS_KEY_ID);
          assertRedacted(write(name, SCOPE), SCOPE);
        }
        assertRedacted(write('Authorization', `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;x-amz-date, Signature=${SIGNATURE}`), SIGNATURE);
        assertRedacted(write('Authorization', `Bearer ${SHORT_TOKEN}`), SHORT_TOKEN);
      }
    });

    it(`${form}: the text around the secret stays`, () => {
      const input = write('AWS_SECRET_ACCESS_KEY', SECRET);
      const out = redact(input);
      const written = encodings(SECRET).find((v) => input.includes(v))!;
      const around = input.split(written);
      assert.equal(around.length, 2);
      // What precedes the value is kept as is; of what follows, the words.
      assert.ok(out.startsWith(around[0]), `${JSON.stringify(out)} lost ${JSON.stringify(around[0])}`);
      for (const word of around[1].match(/[A-Za-z][\w-]{3,}/g) ?? []) assert.ok(out.includes(word), `${JSON.stringify(out)} lost ${word}`);
    });
  }

  it('Signature= and Credential= of a SigV4 header or query, URL-encoded too', () => {
    assertRedacted(`Signature=${SIGNATURE}`, SIGNATURE);
    assertRedacted(`signature=abc123`, 'abc123');
    assertRedacted(`Credential=${encodeURIComponent(SCOPE)}`, ACCESS_KEY_ID);
    assertRedacted(`next=%2Fo%3FCredential%3D${encodeURIComponent(encodeURIComponent(SCOPE))}%26b%3D1`, ACCESS_KEY_ID);
  });

  it('signature: and credential: with a value of their shape', () => {
    assertRedacted(`signature: ${SIGNATURE}`, SIGNATURE);
    assertRedacted(`{"signature": "${SIGNATURE}"}`, SIGNATURE);
    assertRedacted(`credential: ${SCOPE}`, SCOPE);
    assertRedacted(`credential: ${SCOPE.replace(/\//g, '%2F')}`, ACCESS_KEY_ID);
  });

  it('Proxy-Authorization and the other Authorization schemes', () => {
    assertRedacted(`Proxy-Authorization: Basic ${SHORT_TOKEN}`, SHORT_TOKEN);
    assertRedacted(`authorization: ${SHORT_TOKEN}`, SHORT_TOKEN);
    assertRedacted(`{"headers":{"authorization":"AWS4-HMAC-SHA256 Credential=${SCOPE}, Signature=${SIGNATURE}"}}`, SIGNATURE);
  });

  it('access key ids and the other IAM unique ids, as whole words', () => {
    for (const id of [ACCESS_KEY_ID, 'AKIAIOSFODNN7EXAMPLE', 'AROADBQP57FF2AEXAMPLE', 'AIDACKCEVSQ6C2EXAMPLE']) {
      assert.equal(redact(`id ${id}.`), `id ${id.slice(0, 4)}${REDACTED}.`);
      assertClean(redact(`X%3Fnext%3D${id}%2F20261201`), id);
      assertClean(redact(JSON.stringify(`line\n${id}`)), id);
    }
  });
});

describe('redact: ordinary text stays as it is', () => {
  it('the words signature and credential in prose', () => {
    const plain = [
      'Invalid signature: expected the role to be assumable by lambda.amazonaws.com',
      'credential: profile dev',
      'Credential: none configured',
      'signature: 1234abcd (too short for a signature)',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      'The security token included in the request is invalid.',
      'SignedHeaders=host;x-amz-date;x-amz-security-token',
      'aws_session_token_expiry=2026-12-01T10:00:00Z',
      'Authorization failed for user dev.',
    ];
    for (const p of plain) assert.equal(redact(p), p);
  });

  it('function names that start like a key id but are not of its shape', () => {
    for (const name of ['ASIAPACIFICBILLING01', 'AKIA-billing', 'ASIAPACIFICBILLINGS', 'AKIAIOSFODNN7EXAMPLEX', 'xAKIAIOSFODNN7EXAMPLE', 'AROA_reports_v2', 'asiaiosfodnn7example']) {
      const line = `ResourceConflictException: An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:${name}`;
      assert.equal(redact(line), line);
      assert.equal(redact(`Function ${name} (${name}:prod)`), `Function ${name} (${name}:prod)`);
    }
  });

  it('property: generated names, CodeSha256s, RevisionIds, request ids, ARNs and versions survive', () => {
    const rnd = seededRandom(20261201);
    const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(rnd() * chars.length)]).join('');
    const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const prefixes = ['', 'AKIA', 'ASIA', 'AROA', 'AIDA', 'ASIAPACIFIC', 'Signature', 'credential-', 'session-token-'];
    const keyShaped = (s: string) => (s.match(/[A-Za-z0-9]+/g) ?? []).some((w) => /^((AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}|(AROA|AIDA|AIPA|AGPA|ANPA|ANVA|APKA|ASCA)[A-Z2-7]{16,17})$/.test(w));
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const prefix = prefixes[i % prefixes.length];
      const name = (prefix + pick(NAME_CHARS, 1 + Math.floor(rnd() * (64 - prefix.length)))).slice(0, 64);
      if (keyShaped(name)) continue;
      const sha = Buffer.from(Array.from({ length: 32 }, () => Math.floor(rnd() * 256))).toString('base64');
      const uuid = [8, 4, 4, 4, 12].map((n) => pick('0123456789abcdef', n)).join('-');
      const version = String(1 + Math.floor(rnd() * 5000));
      const arn = `arn:aws:lambda:eu-west-1:${pick('0123456789', 12)}:function:${name}:${version}`;
      const texts = [
        `Published version ${version} of ${name} (CodeSha256 ${sha}).`,
        JSON.stringify({ FunctionName: name, FunctionArn: arn, CodeSha256: sha, RevisionId: uuid, Version: version }),
        `PreconditionFailedException: The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id (RequestId: ${uuid}, ${arn})`,
        `x-amzn-RequestId: ${uuid}\r\nx-amz-function-name: ${name}\r\n`,
        `prod → ${version} (90%) · ${Number(version) + 1} (10%) on ${name}`,
      ];
      for (const t of texts) assert.equal(redact(t), t);
      checked++;
    }
    assert.ok(checked > 2900, `only ${checked} names checked`);
  });

  it('property: names of key-id shape are redacted, the same names one character off are not', () => {
    const rnd = seededRandom(7);
    const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(rnd() * chars.length)]).join('');
    for (let i = 0; i < 500; i++) {
      const prefix = ['AKIA', 'ASIA', 'AROA', 'AIDA'][i % 4];
      const id = prefix + pick(B32, 16);
      assert.equal(redact(`key ${id}`), `key ${prefix}${REDACTED}`);
      const at = 4 + Math.floor(rnd() * 16);
      const off = id.slice(0, at) + pick('01890abcdefghijklmnopqrstuvwxyz', 1) + id.slice(at + 1);
      assert.equal(redact(`key ${off}`), `key ${off}`);
    }
  });
});
