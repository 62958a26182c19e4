import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AWS_PARTITIONS, connectionLabel, createClients, endpointConsent, hasAwsCredentialsConfigured, isAwsEndpoint, isLoopbackEndpoint, listProfiles, settingSource } from '../../src/core/connection';
import { connectionStatus, endpointConsentQuestion } from '../../src/extension/connectionText';

describe('connection', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-conn-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An env pointing the shared files at `dir`, writing the ones given. */
  function env(config?: string, credentials?: string): NodeJS.ProcessEnv {
    const configFile = path.join(dir, 'config');
    const credentialsFile = path.join(dir, 'credentials');
    if (config !== undefined) fs.writeFileSync(configFile, config);
    if (credentials !== undefined) fs.writeFileSync(credentialsFile, credentials);
    return { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile };
  }

  describe('listProfiles', () => {
    it('reads profiles, their kind and region from the config and credentials files', () => {
      const config = [
        '# a comment',
        '; another comment with [profile ghost]',
        '[profile zeta-sso]',
        'sso_session = corp',
        'sso_account_id = 123456789012',
        'region = eu-west-1',
        '',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = eu-west-1',
        '',
        '[profile legacy-sso]',
        'sso_start_url = https://old.awsapps.com/start',
        '[profile proc]',
        'credential_process = /usr/bin/get-creds --json',
        'region=us-west-2  # inline comment',
        '[profile admin]',
        'role_arn = arn:aws:iam::123456789012:role/admin',
        'source_profile = default',
        '[default]',
        'region = us-east-1',
        '[services local]',
        'lambda =',
        '  endpoint_url = http://localhost:4566',
      ].join('\n');
      const credentials = ['[default]', 'aws_access_key_id = AKIAEXAMPLE', 'aws_secret_access_key = secret', '[alpha]', 'aws_access_key_id = AKIAOTHER', 'aws_secret_access_key = x'].join('\r\n');
      const profiles = listProfiles(env(config, credentials));
      assert.deepEqual(profiles, [
        { name: 'default', kind: 'static', region: 'us-east-1' },
        { name: 'admin', kind: 'role' },
        { name: 'alpha', kind: 'static' },
        { name: 'legacy-sso', kind: 'sso' },
        { name: 'proc', kind: 'process', region: 'us-west-2' },
        { name: 'zeta-sso', kind: 'sso', region: 'eu-west-1' },
      ]);
      const serialized = JSON.stringify(profiles);
      assert.doesNotMatch(serialized, /secret|AKIA|ghost|corp|local/);
    });

    it('puts default first even when it only appears in the credentials file', () => {
      const profiles = listProfiles(env('[profile aaa]\nregion = ap-south-1\n', '[default]\naws_access_key_id = A\n'));
      assert.deepEqual(
        profiles.map((p) => p.name),
        ['default', 'aaa'],
      );
    });

    it('returns [] when neither file exists', () => {
      assert.deepEqual(listProfiles(env()), []);
      assert.deepEqual(listProfiles({ AWS_CONFIG_FILE: path.join(dir, 'nope', 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'nope', 'credentials') }), []);
    });

    it('hasAwsCredentialsConfigured looks at the environment and the shared files', () => {
      const empty = env();
      assert.equal(hasAwsCredentialsConfigured(empty), false);
      assert.equal(hasAwsCredentialsConfigured({ ...empty, AWS_ACCESS_KEY_ID: 'AKIA' }), true);
      assert.equal(hasAwsCredentialsConfigured({ ...empty, AWS_PROFILE: 'dev' }), true);
      assert.equal(hasAwsCredentialsConfigured(env(undefined, '[x]\naws_access_key_id = A\n')), true);
    });
  });

  describe('isLoopbackEndpoint', () => {
    it('accepts localhost, 127.x and ::1', () => {
      for (const url of ['http://localhost:4566', 'http://127.0.0.1:4566', 'https://127.1.2.3', 'http://[::1]:9000/', 'http://LOCALHOST:1']) {
        assert.equal(isLoopbackEndpoint(url), true, url);
      }
    });
    it('refuses remote hosts, look-alikes and garbage', () => {
      for (const url of ['https://lambda.us-east-1.amazonaws.com', 'http://localhost.evil.com', 'http://127.0.0.1.nip.io', 'http://10.0.0.1', 'http://[::2]/', 'not a url', '']) {
        assert.equal(isLoopbackEndpoint(url), false, url);
      }
    });
  });

  describe('connectionLabel', () => {
    it('labels each kind of connection', () => {
      assert.equal(connectionLabel({ kind: 'sandbox', endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', embedded: true }), 'sandbox');
      assert.equal(connectionLabel({ kind: 'sandbox', endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', embedded: false }), 'local · http://127.0.0.1:4566');
      assert.equal(connectionLabel({ kind: 'aws', profile: 'dev', region: 'eu-west-1' }), 'dev · eu-west-1');
      assert.equal(connectionLabel({ kind: 'aws', region: 'us-east-1' }), 'default chain · us-east-1');
      assert.equal(connectionLabel({ kind: 'aws', profile: 'dev', region: 'us-east-1', endpointUrl: 'http://localhost:4566' }), 'dev · us-east-1 @ http://localhost:4566');
    });
  });

  describe('createClients', () => {
    it('configures both clients for the sandbox: region, endpoint, dummy credentials', async () => {
      const c = createClients({ kind: 'sandbox', endpoint: 'http://127.0.0.1:4599', region: 'eu-central-1', embedded: true }, { maxAttempts: 5 });
      try {
        assert.equal(await c.lambda.config.region(), 'eu-central-1');
        assert.equal(await c.cloudwatch.config.region(), 'eu-central-1');
        assert.equal(await c.lambda.config.maxAttempts(), 5);
        const creds = await c.lambda.config.credentials();
        assert.equal(creds.accessKeyId, 'sandbox');
        const endpoint = await c.lambda.config.endpoint?.();
        assert.equal(endpoint?.hostname, '127.0.0.1');
        assert.equal(endpoint?.port, 4599);
        assert.equal(c.spec.kind, 'sandbox');
      } finally {
        c.dispose();
      }
    });

    it('configures AWS clients with the region and an optional endpoint, without resolving credentials', async () => {
      const c = createClients({ kind: 'aws', profile: 'does-not-exist', region: 'ap-southeast-2', endpointUrl: 'http://localhost:4566' });
      try {
        assert.equal(await c.lambda.config.region(), 'ap-southeast-2');
        assert.equal(await c.cloudwatch.config.region(), 'ap-southeast-2');
        assert.equal(await c.lambda.config.maxAttempts(), 3);
        assert.equal((await c.cloudwatch.config.endpoint?.())?.hostname, 'localhost');
      } finally {
        c.dispose();
      }
      const plain = createClients({ kind: 'aws', region: 'us-west-1' });
      assert.equal(await plain.lambda.config.region(), 'us-west-1');
      assert.equal(plain.lambda.config.endpoint, undefined);
      plain.dispose();
      plain.dispose(); // idempotent
    });
  });
  describe('endpoints a workspace chooses', () => {
    it('isAwsEndpoint: only the Lambda and CloudWatch endpoints of an AWS partition, written plainly', () => {
      for (const url of [
        'https://lambda.us-east-1.amazonaws.com',
        'https://monitoring.eu-west-1.amazonaws.com/',
        'https://lambda-fips.us-east-2.amazonaws.com',
        'https://monitoring-fips.us-gov-west-1.amazonaws.com',
        'https://lambda.us-east-1.api.aws',
        'https://lambda-fips.us-gov-east-1.api.aws',
        'https://lambda.cn-north-1.amazonaws.com.cn',
        'https://monitoring.cn-northwest-1.api.amazonwebservices.com.cn',
        'https://lambda.us-gov-west-1.amazonaws.com',
        'https://lambda.us-iso-east-1.c2s.ic.gov',
        'https://lambda.us-isob-east-1.sc2s.sgov.gov',
        'https://lambda.eu-isoe-west-1.cloud.adc-e.uk',
        'https://lambda.us-isof-south-1.csp.hci.ic.gov',
        'https://lambda.eusc-de-east-1.amazonaws.eu',
        'https://LAMBDA.US-EAST-1.AMAZONAWS.COM', // DNS names are case-insensitive: the same host
        'https://lambda.us-east-1.amazonaws.com:443', // the default port, dropped by the URL parser
      ]) {
        assert.equal(isAwsEndpoint(url), true, url);
      }
      for (const url of [
        // Hosts under an AWS suffix that a customer owns, with a valid AWS certificate.
        'https://abc123.execute-api.us-east-1.amazonaws.com/prod',
        'https://abc123.execute-api.us-east-1.amazonaws.com',
        'https://my-bucket.s3.amazonaws.com',
        'https://my-bucket.s3.us-east-1.amazonaws.com',
        'https://s3.us-east-1.amazonaws.com',
        'https://my-lb-123.us-east-1.elb.amazonaws.com',
        'https://d111111abcdef8.cloudfront.net',
        'https://abcdefgh.lambda-url.us-east-1.on.aws',
        'https://sts.us-east-1.amazonaws.com',
        'https://ec2-1-2-3-4.compute-1.amazonaws.com',
        'https://lambda.amazonaws.com', // no region
        'https://lambda.us-east-1.s3.amazonaws.com', // a region then more labels
        'https://x.lambda.us-east-1.amazonaws.com',
        // Region labels that are no region of that partition.
        'https://lambda.evil.amazonaws.com',
        'https://lambda.my-bucket-1.amazonaws.com',
        'https://lambda.cn-north-1.amazonaws.com', // a China region under the aws suffix
        'https://lambda.us-east-1.amazonaws.com.cn', // and the reverse
        'https://lambda.us_east-1.amazonaws.com',
        // Tricks with the URL.
        'http://lambda.us-east-1.amazonaws.com', // plain http: a session token in clear
        'https://amazonaws.com',
        'https://lambda.us-east-1.amazonaws.com.evil.example',
        'https://lambda.us-east-1.amazonaws.com.',
        'https://lambda.us-east-1.amazonaws.com..',
        'https://evilamazonaws.com',
        'https://lambda.us-east-1.amazonaws.com@evil.example',
        'https://attacker@lambda.us-east-1.amazonaws.com',
        'https://user:pass@lambda.us-east-1.amazonaws.com',
        'https://lambda.us-east-1.amazonaws.com:8443',
        'https://lambda.us-east-1.amazonaws.com/path',
        'https://lambda.us-east-1.amazonaws.com\\@evil.example',
        'https://lambda.us-east-1.amazonaws.com?x=1',
        'https://lambda.us-east-1.amazonaws.com#frag',
        'https://evil.example/lambda.us-east-1.amazonaws.com',
        'https://evil.example?x=.amazonaws.com',
        'https://evil.example#.amazonaws.com',
        'https://lambda.us-east-1.amazonaws.c\u043em', // a Cyrillic o
        'https://\uff4c\uff41\uff4d\uff42\uff44\uff41.us-east-1.amazonaws.com', // full-width letters, mapped to ASCII by the parser
        'https://lambda\u3002us-east-1\u3002amazonaws\u3002com', // ideographic full stops
        'https://xn--lambda-9ua.us-east-1.amazonaws.com',
        'https://lambda.us-east-1.amazonaws.com\u200b',
        'https://52.94.0.1',
        'lambda.us-east-1.amazonaws.com',
        'not a url',
      ]) {
        assert.equal(isAwsEndpoint(url), false, url);
      }
    });

    it("AWS_PARTITIONS is the AWS SDK's partitions data: the same suffixes and region patterns", () => {
      const file = path.join(path.dirname(require.resolve('@aws-sdk/core/package.json')), 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js');
      const text = fs.readFileSync(file, 'utf8');
      const data = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
        partitions: Array<{ id: string; regionRegex: string; outputs: { dnsSuffix: string; dualStackDnsSuffix: string } }>;
      };
      const fromSdk = data.partitions.map((p) => ({ id: p.id, regionRegex: p.regionRegex, dnsSuffix: p.outputs.dnsSuffix, dualStackDnsSuffix: p.outputs.dualStackDnsSuffix }));
      assert.deepEqual([...AWS_PARTITIONS].sort((a, b) => a.id.localeCompare(b.id)), fromSdk.sort((a, b) => a.id.localeCompare(b.id)));
    });

    it('settingSource: the folder beats the workspace beats the user; untrusted, only the user counts', () => {
      assert.equal(settingSource(undefined, true), 'default');
      assert.equal(settingSource({ defaultValue: '' }, true), 'default');
      assert.equal(settingSource({ defaultValue: '', globalValue: 'u' }, true), 'user');
      assert.equal(settingSource({ globalValue: 'u', workspaceValue: 'w' }, true), 'workspace');
      assert.equal(settingSource({ globalValue: 'u', workspaceValue: 'w', workspaceFolderValue: 'f' }, true), 'workspaceFolder');
      assert.equal(settingSource({ workspaceValue: '' }, true), 'workspace', 'an empty workspace value still overrides');
      assert.equal(settingSource({ globalValue: 'u', workspaceValue: 'w', workspaceFolderValue: 'f' }, false), 'user');
      assert.equal(settingSource({ workspaceValue: 'w' }, false), 'default');
    });

    it('endpointConsent: asks only for a workspace-chosen endpoint that is neither loopback nor AWS', () => {
      const evil = 'https://collector.evil.example:8443/path?q=1';
      assert.deepEqual(endpointConsent(evil, 'workspace'), { ask: true, host: 'collector.evil.example:8443', key: JSON.stringify(['https://collector.evil.example:8443', null]) });
      assert.deepEqual(endpointConsent(evil, 'workspaceFolder'), { ask: true, host: 'collector.evil.example:8443', key: JSON.stringify(['https://collector.evil.example:8443', null]) });
      assert.deepEqual(endpointConsent('http://lambda.us-east-1.amazonaws.com', 'workspace'), { ask: true, host: 'lambda.us-east-1.amazonaws.com', key: JSON.stringify(['http://lambda.us-east-1.amazonaws.com', null]) });
      assert.deepEqual(endpointConsent('http://10.0.0.5:4566', 'workspace').ask, true, 'a private address is not this machine');
      assert.deepEqual(endpointConsent('http://0.0.0.0:4566', 'workspace').ask, true);
      assert.deepEqual(endpointConsent('http://localhost.evil.example:4566', 'workspace').ask, true);
      assert.deepEqual(endpointConsent('evil.example:4566', 'workspace'), { ask: true, host: 'evil.example:4566', key: JSON.stringify(['evil.example:4566', null]) }, 'not a URL: asked as written');
      // What the user chose, or no endpoint, or this machine, or AWS: no question.
      assert.deepEqual(endpointConsent(evil, 'user'), { ask: false });
      assert.deepEqual(endpointConsent(evil, 'default'), { ask: false });
      assert.deepEqual(endpointConsent(undefined, 'workspace'), { ask: false });
      for (const local of ['http://127.0.0.1:4566', 'http://localhost:4566', 'http://[::1]:4566', 'http://127.1.2.3', 'http://2130706433:4566']) {
        assert.deepEqual(endpointConsent(local, 'workspace'), { ask: false }, local);
      }
      assert.deepEqual(endpointConsent('https://lambda.eu-west-1.amazonaws.com', 'workspace'), { ask: false });
      assert.deepEqual(endpointConsent('https://monitoring.eu-west-1.amazonaws.com', 'workspaceFolder'), { ask: false });
    });

    it('endpointConsent: a workspace endpoint under an AWS suffix that is not Lambda or CloudWatch is asked about', () => {
      for (const url of [
        'https://abc123.execute-api.us-east-1.amazonaws.com/prod',
        'https://my-bucket.s3.amazonaws.com',
        'https://my-lb-123.us-east-1.elb.amazonaws.com',
        'https://d111111abcdef8.cloudfront.net',
        'https://lambda.us-east-1.amazonaws.com@evil.example',
        'https://lambda.us-east-1.amazonaws.com.evil.example',
        'https://lambda.us-east-1.amazonaws.com.',
        'https://lambda.us-east-1.amazonaws.com:8443',
      ]) {
        const c = endpointConsent(url, 'workspace');
        assert.equal(c.ask, true, url);
      }
      assert.equal((endpointConsent('https://lambda.us-east-1.amazonaws.com@evil.example', 'workspace') as { host: string }).host, 'evil.example', 'the host the requests would go to is named');
    });

    it('endpointConsent: the answer is keyed on the endpoint and the profile whose credentials would be sent', () => {
      const url = 'https://collector.evil.example:8443/x';
      const dev = endpointConsent(url, 'workspace', 'dev');
      const prod = endpointConsent(url, 'workspace', 'prod-admin');
      const chain = endpointConsent(url, 'workspace');
      assert.ok(dev.ask && prod.ask && chain.ask);
      assert.equal(new Set([dev.key, prod.key, chain.key]).size, 3, 'a yes for dev covers neither prod-admin nor the default chain');
      const otherPath = endpointConsent('https://collector.evil.example:8443/other', 'workspace', 'dev');
      assert.ok(otherPath.ask);
      assert.equal(otherPath.key, dev.key, 'the path is not part of it');
      // A profile name cannot make two different pairs one key.
      const a = endpointConsent('https://a.example', 'workspace', 'b","c');
      const b = endpointConsent('https://a.example","b', 'workspace', 'c');
      assert.ok(a.ask && b.ask);
      assert.notEqual(a.key, b.key);
    });
  });
});

describe('connection text: workspace values shown as text', () => {
  const ICON = /(^|[^\\])\$\([a-z0-9-]+(?:~[a-z]+)?\)/i;
  // eslint-disable-next-line no-control-regex
  const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

  it('the status bar: a profile or endpoint holding $(…) shows no icon; only our own leads', () => {
    const s = connectionStatus({ kind: 'aws', profile: '$(pass) approved', region: 'us-east-1', endpointUrl: 'https://e.example/$(shield)' });
    assert.ok(s.text.startsWith('$(cloud) '), s.text);
    assert.doesNotMatch(s.text.slice('$(cloud) '.length), ICON, s.text);
    assert.ok(s.text.includes('\\$(pass) approved'), s.text);
    assert.doesNotMatch(s.tooltip, INVISIBLE);
    const nl = connectionStatus({ kind: 'aws', profile: 'dev\nConnected to AWS prod \u202eetadpu', region: 'us-east-1' });
    assert.doesNotMatch(nl.text + nl.tooltip, INVISIBLE, 'one line, no bidi override');
    assert.equal(connectionStatus({ kind: 'sandbox', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', embedded: true }).text, '$(beaker) sandbox');
  });

  it('the consent dialog names the profile whose credentials would be sent, and shows the endpoint as one line', () => {
    const q = endpointConsentQuestion('evil.example', 'https://evil.example/\n\nlambdaCanary.endpointUrl is set to https://lambda.us-east-1.amazonaws.com\u202e', 'prod-admin');
    assert.match(q.message, /signed with your AWS profile "prod-admin"/);
    assert.match(q.detail, /signed with your AWS profile "prod-admin"/);
    assert.doesNotMatch(q.message + q.detail, INVISIBLE, 'no line break or bidi override from the workspace value');
    assert.match(q.detail, /"https:\/\/evil\.example\/ lambdaCanary\.endpointUrl is set to https:\/\/lambda\.us-east-1\.amazonaws\.com"/, 'the whole value, quoted, on one line');
    const chain = endpointConsentQuestion('evil.example', 'https://evil.example', undefined);
    assert.match(chain.message, /your default AWS credentials \(the default credential chain\)/);
    const hostileProfile = endpointConsentQuestion('evil.example', 'https://evil.example', 'dev"\nsigned with nothing');
    assert.doesNotMatch(hostileProfile.message, INVISIBLE);
  });
});
