import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getSSOTokenFilepath } from '@smithy/core/config';
import type { ConnectionSpec } from '../../src/core/connection';
import { createClients } from '../../src/core/connection';
import { LISTED_PROFILES, processProblem } from '../../src/core/credentials';
import { describeAwsError } from '../../src/core/errors';
import { listAllFunctions } from '../../src/core/lambdaApi';
import { MemoryLogger } from '../../src/core/log';
import { ACCESS_KEY_ID, SECRET, SESSION_TOKEN } from '../unit/credentialFixtures';
import { runCliIn } from './cli-testkit';

/**
 * Broken profiles in a folder of their own (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, and HOME
 * for ~/.aws/sso/cache), resolved by the SDK's real providers as the product builds them
 * (createClients), through a real Lambda client and the CLI. Nothing here reads or writes the
 * user's ~/.aws, and no request leaves the machine: credentials fail before any is signed, and
 * the endpoint is a closed loopback port should one ever be sent.
 */

const SSO_TOKEN = `${SESSION_TOKEN.slice(0, 60)}ssoAccessToken`;
/** An SSO start URL's or session's token file, as the AWS CLI names it: the SHA-1 of the id. */
const tokenFile = (home: string, id: string) => path.join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(id).digest('hex')}.json`);
const past = () => new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Variables that would give credentials or a profile from outside the test's folder. */
const ISOLATED = [
  'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'HOME', 'USERPROFILE',
  'AWS_EC2_METADATA_DISABLED', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

describe('credential errors name the cause and the fix (real SDK providers)', function () {
  this.timeout(20_000);
  let root: string;
  let home: string;
  let configFile: string;
  const saved: Record<string, string | undefined> = {};

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-creds-'));
    home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.aws', 'sso', 'cache'), { recursive: true });
    configFile = path.join(root, 'config');
    const failing = path.join(root, 'failing.sh');
    // A helper that fails the way they do: a message on stderr that echoes a secret.
    fs.writeFileSync(failing, `#!/bin/sh\necho "refresh failed: aws_secret_access_key=${SECRET} for ${ACCESS_KEY_ID}" >&2\necho "second line" >&2\nexit 3\n`, { mode: 0o755 });
    const expired = path.join(root, 'expired.sh');
    fs.writeFileSync(expired, `#!/bin/sh\necho '${JSON.stringify({ Version: 1, AccessKeyId: ACCESS_KEY_ID, SecretAccessKey: SECRET, SessionToken: SESSION_TOKEN, Expiration: past() })}'\n`, { mode: 0o755 });
    const fillers = Array.from({ length: 6 }, (_, i) => `[profile filler-${String(i).padStart(2, '0')}]\nregion = eu-west-1\n`).join('\n');
    fs.writeFileSync(
      configFile,
      [
        '[profile legacy-expired]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Deploy\n',
        '[profile legacy-never]\nsso_start_url = https://never.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Deploy\n',
        '[profile session-never]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deploy\n',
        '[profile session-expired]\nsso_session = team\nsso_account_id = 123456789012\nsso_role_name = Deploy\n',
        '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n',
        '[sso-session team]\nsso_start_url = https://team.awsapps.com/start\nsso_region = eu-west-1\n',
        '[profile via-sso]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = session-never\n',
        `[profile proc-exit]\ncredential_process = ${failing} --verbose\n`,
        '[profile proc-json]\ncredential_process = echo Please log in first\n',
        `[profile proc-expired]\ncredential_process = ${expired}\n`,
        '[profile orphan-role]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n',
        fillers,
      ].join('\n'),
    );
    fs.writeFileSync(path.join(root, 'credentials'), `[static]\naws_access_key_id = ${ACCESS_KEY_ID}\naws_secret_access_key = ${SECRET}\n`);
    // Expired tokens without a refresh token: the SDK cannot refresh them, so it asks nothing of the network.
    const token = { accessToken: SSO_TOKEN, expiresAt: past(), region: 'us-east-1', startUrl: 'https://legacy.awsapps.com/start' };
    fs.writeFileSync(tokenFile(home, 'https://legacy.awsapps.com/start'), JSON.stringify(token));
    fs.writeFileSync(tokenFile(home, 'team'), JSON.stringify({ ...token, startUrl: 'https://team.awsapps.com/start' }));

    for (const k of ISOLATED) saved[k] = process.env[k];
    for (const k of ISOLATED) delete process.env[k];
    Object.assign(process.env, {
      HOME: home,
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    // Where the SDK looks now: the test's folder, never the user's.
    assert.ok(getSSOTokenFilepath('x').startsWith(home), getSSOTokenFilepath('x'));
  });

  after(() => {
    for (const k of ISOLATED) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The message a failed listing shows (as the tree and the CLI render it), and the log's lines. */
  async function failure(profile: string | undefined, extra: Partial<Extract<ConnectionSpec, { kind: 'aws' }>> = {}): Promise<{ message: string; kind: string; log: string[] }> {
    const log = new MemoryLogger();
    const clients = createClients({ kind: 'aws', profile, region: 'us-east-1', endpointUrl: 'http://127.0.0.1:9', ...extra }, { log, maxAttempts: 1 });
    try {
      await listAllFunctions(clients.lambda);
    } catch (err) {
      const d = describeAwsError(err, profile);
      return { message: d.message, kind: d.kind, log: log.lines };
    } finally {
      clients.dispose();
    }
    assert.fail('the listing succeeded');
  }

  function assertNoSecret(text: string): void {
    for (const secret of [SECRET, ACCESS_KEY_ID, SESSION_TOKEN, SSO_TOKEN, SESSION_TOKEN.slice(0, 40)]) assert.ok(!text.includes(secret), `a secret reached: ${text}`);
  }

  describe('SSO not started or expired', () => {
    it('a legacy sso_start_url profile whose token expired: the SSO session expired, run aws sso login --profile', async () => {
      const f = await failure('legacy-expired');
      assert.equal(f.kind, 'credentials');
      assert.match(f.message, /Profile 'legacy-expired' signs in with AWS IAM Identity Center \(SSO\), and its SSO session expired at \d{4}-/);
      assert.match(f.message, /Run `aws sso login --profile legacy-expired`/);
      assertNoSecret(f.message);
    });

    it('a legacy profile never logged in: no SSO session was started', async () => {
      const f = await failure('legacy-never');
      assert.match(f.message, /Profile 'legacy-never' signs in with .*SSO.*no SSO session was started for it/);
      assert.match(f.message, /`aws sso login --profile legacy-never`/);
    });

    it('an sso_session profile never logged in', async () => {
      const f = await failure('session-never');
      assert.equal(f.kind, 'credentials');
      assert.match(f.message, /Profile 'session-never' signs in with AWS IAM Identity Center \(SSO\) \(sso_session 'corp'\), and no SSO session was started/);
      assert.match(f.message, /`aws sso login --profile session-never`/);
    });

    it('an sso_session profile whose token expired', async () => {
      const f = await failure('session-expired');
      assert.match(f.message, /\(sso_session 'team'\), and its SSO session expired at/);
      assert.match(f.message, /`aws sso login --profile session-expired`/);
      assertNoSecret(f.message);
    });

    it('a role profile whose source profile is SSO: names the profile to log in with', async () => {
      const f = await failure('via-sso');
      assert.match(f.message, /Profile 'via-sso' takes its credentials from profile 'session-never', which signs in with/);
      assert.match(f.message, /`aws sso login --profile session-never`/);
    });
  });

  describe('credential_process failed', () => {
    it('a non-zero exit: names the command and the first line it wrote, redacted', async () => {
      const f = await failure('proc-exit');
      assert.equal(f.kind, 'credentials');
      assert.match(f.message, /The credential_process of profile 'proc-exit' failed: `[^`]*failing\.sh --verbose` exited with an error: "refresh failed: aws_secret_access_key=\[redacted\] for ASIA\[redacted\]"/);
      assert.doesNotMatch(f.message, /second line/);
      assertNoSecret(f.message);
    });

    it('output that is not JSON: names the command and what it must print', async () => {
      const f = await failure('proc-json');
      assert.match(f.message, /The credential_process of profile 'proc-json' failed: `echo Please log in first` printed something that is not JSON/);
      assert.match(f.message, /Run that command in a terminal/);
    });

    it('expired credentials: says so, without quoting them', async () => {
      const f = await failure('proc-expired');
      assert.match(f.message, /credential_process of profile 'proc-expired' failed: `[^`]*expired\.sh` returned credentials that have already expired/);
      assertNoSecret(f.message);
    });

    it("the log keeps the SDK's own cause, redacted", async () => {
      const f = await failure('proc-exit');
      const line = f.log.find((l) => l.includes('could not be resolved'));
      assert.ok(line, f.log.join('\n'));
      assert.match(line, /^warn AWS credentials of profile 'proc-exit' could not be resolved: CredentialsProviderError: Command failed: .*failing\.sh --verbose refresh failed: aws_secret_access_key=\[redacted\]/);
      assertNoSecret(f.log.join('\n'));
    });
  });

  it('a role profile whose source_profile does not exist: names the missing profile', async () => {
    const f = await failure('orphan-role');
    assert.equal(f.kind, 'credentials');
    assert.match(f.message, /Profile 'orphan-role' assumes role arn:aws:iam::123456789012:role\/deployer with source_profile 'base', and there is no profile 'base'/);
    assert.match(f.message, /Add \[profile base\]/);
  });

  describe('a profile in neither file', () => {
    it(`lists the profiles there are (the first ${LISTED_PROFILES}, and how many more)`, async () => {
      const f = await failure('prod');
      assert.equal(f.kind, 'credentials');
      assert.match(f.message, new RegExp(`^There is no profile 'prod' in ${configFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} or .*credentials\\. Profiles there: 'filler-00', `));
      // 6 fillers, 9 broken profiles and [static]: 16, of which 12 are listed.
      assert.match(f.message, /'proc-json' and 4 more\./);
      assert.doesNotMatch(f.message, /AWS_PROFILE/);
      assertNoSecret(f.message);
    });

    it('says when the name came from AWS_PROFILE', async () => {
      const f = await failure('prod', { profileFrom: 'AWS_PROFILE' });
      assert.match(f.message, /There is no profile 'prod' in .* \(the name comes from the environment variable AWS_PROFILE\)\./);
      assert.match(f.message, /Set AWS_PROFILE to one of them/);
    });

    it('the default chain with no default profile: none in the environment either', async () => {
      const f = await failure(undefined);
      assert.match(f.message, /^No AWS credentials were found: none in the environment, and no default profile in /);
      assert.match(f.message, /Profiles there: 'filler-00'/);
    });
  });

  describe('the CLI shows the same', () => {
    const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
      runCliIn({ env: { ...process.env, ...env }, cwd: root }, [...argv, '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1', '--journal-dir', path.join(root, 'journal')]);

    it('lambda-canary list --profile proc-exit', async () => {
      const r = await cli(['list', '--profile', 'proc-exit']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Could not read the functions: The credential_process of profile 'proc-exit' failed: `[^`]*failing\.sh --verbose` exited with an error: "refresh failed:/);
      assertNoSecret(r.stderr + r.stdout);
    });

    it('AWS_PROFILE naming a profile that is not there, the SSO and the role profiles', async () => {
      const missing = await cli(['list'], { AWS_PROFILE: 'prod' });
      assert.match(missing.stderr, /There is no profile 'prod' in .* \(the name comes from the environment variable AWS_PROFILE\)/);
      const sso = await cli(['list', '--profile', 'session-never']);
      assert.match(sso.stderr, /`aws sso login --profile session-never`/);
      const role = await cli(['list', '--profile', 'orphan-role']);
      assert.match(role.stderr, /there is no profile 'base'/);
    });

    it('--verbose: the SDK cause on stderr, redacted', async () => {
      const r = await cli(['list', '--profile', 'proc-exit', '--verbose']);
      assert.match(r.stderr, /warn: AWS credentials of profile 'proc-exit' could not be resolved: CredentialsProviderError: Command failed:/);
      assertNoSecret(r.stderr);
    });
  });

  describe('the one match on the SDK text (credential_process)', () => {
    it("reads Node's exec failure and the SDK's credential_process messages", () => {
      assert.deepEqual(processProblem('Command failed: helper --x\n\n  oops: token=abc\nmore\n'), { problem: 'exit', output: 'oops: token=abc' });
      assert.deepEqual(processProblem('Command failed: helper\n'), { problem: 'exit' });
      assert.deepEqual(processProblem('Profile p credential_process returned invalid JSON.'), { problem: 'json' });
      assert.deepEqual(processProblem('Profile p credential_process did not return Version 1.'), { problem: 'version' });
      assert.deepEqual(processProblem('Profile p credential_process returned invalid credentials.'), { problem: 'fields' });
      assert.deepEqual(processProblem('Profile p credential_process returned expired credentials.'), { problem: 'expired' });
      assert.equal(processProblem('something else'), undefined);
    });
  });
});
