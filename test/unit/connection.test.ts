import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectionLabel, createClients, endpointConsent, hasAwsCredentialsConfigured, isAwsEndpoint, isLoopbackEndpoint, listProfiles, settingSource } from '../../src/core/connection';

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
    it('isAwsEndpoint: https names under an AWS partition suffix, and nothing that merely looks like one', () => {
      for (const url of [
        'https://lambda.us-east-1.amazonaws.com',
        'https://monitoring.eu-west-1.amazonaws.com/',
        'https://lambda.us-east-1.api.aws',
        'https://lambda.cn-north-1.amazonaws.com.cn',
        'https://lambda.cn-north-1.api.amazonwebservices.com.cn',
        'https://lambda.us-gov-west-1.amazonaws.com',
        'https://lambda.us-iso-east-1.c2s.ic.gov',
        'https://lambda.us-isob-east-1.sc2s.sgov.gov',
        'https://lambda.eusc-de-east-1.amazonaws.eu',
        'https://LAMBDA.US-EAST-1.AMAZONAWS.COM.',
        'https://attacker@lambda.us-east-1.amazonaws.com',
      ]) {
        assert.equal(isAwsEndpoint(url), true, url);
      }
      for (const url of [
        'http://lambda.us-east-1.amazonaws.com', // plain http: a session token in clear
        'https://amazonaws.com', // the bare suffix is no endpoint
        'https://lambda.us-east-1.amazonaws.com.evil.example',
        'https://evilamazonaws.com',
        'https://lambda.us-east-1.amazonaws.com@evil.example',
        'https://evil.example/lambda.us-east-1.amazonaws.com',
        'https://evil.example?x=.amazonaws.com',
        'https://evil.example#.amazonaws.com',
        'https://52.94.0.1',
        'lambda.us-east-1.amazonaws.com',
        'not a url',
      ]) {
        assert.equal(isAwsEndpoint(url), false, url);
      }
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
      assert.deepEqual(endpointConsent(evil, 'workspace'), { ask: true, host: 'collector.evil.example:8443', key: 'https://collector.evil.example:8443' });
      assert.deepEqual(endpointConsent(evil, 'workspaceFolder'), { ask: true, host: 'collector.evil.example:8443', key: 'https://collector.evil.example:8443' });
      assert.deepEqual(endpointConsent('http://lambda.us-east-1.amazonaws.com', 'workspace'), { ask: true, host: 'lambda.us-east-1.amazonaws.com', key: 'http://lambda.us-east-1.amazonaws.com' });
      assert.deepEqual(endpointConsent('http://10.0.0.5:4566', 'workspace').ask, true, 'a private address is not this machine');
      assert.deepEqual(endpointConsent('http://0.0.0.0:4566', 'workspace').ask, true);
      assert.deepEqual(endpointConsent('http://localhost.evil.example:4566', 'workspace').ask, true);
      assert.deepEqual(endpointConsent('evil.example:4566', 'workspace'), { ask: true, host: 'evil.example:4566', key: 'evil.example:4566' }, 'not a URL: asked as written');
      // What the user chose, or no endpoint, or this machine, or AWS: no question.
      assert.deepEqual(endpointConsent(evil, 'user'), { ask: false });
      assert.deepEqual(endpointConsent(evil, 'default'), { ask: false });
      assert.deepEqual(endpointConsent(undefined, 'workspace'), { ask: false });
      for (const local of ['http://127.0.0.1:4566', 'http://localhost:4566', 'http://[::1]:4566', 'http://127.1.2.3', 'http://2130706433:4566']) {
        assert.deepEqual(endpointConsent(local, 'workspace'), { ask: false }, local);
      }
      assert.deepEqual(endpointConsent('https://lambda.eu-west-1.amazonaws.com', 'workspace'), { ask: false });
    });
  });
});
