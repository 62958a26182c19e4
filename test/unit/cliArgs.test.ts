import assert from 'node:assert/strict';
import { parseCommandLine, parseFunctionAlias, parsePercent, parseWindow, UsageError } from '../../src/cli/args';
import { connectionSpec } from '../../src/cli/connection';
import { checkDeployKind, exitCodeOf } from '../../src/cli/run';
import { imageFunctionNeedsUri } from '../../src/core/imageUri';
import type { WorkspaceFunction } from '../../src/core/workspace';
import type { Outcome } from '../../src/core/outcome';
import { terminalText } from '../../src/shared/text';

describe('CLI arguments (util.parseArgs)', () => {
  it('finds the command after global options, and parses its own options strictly', () => {
    assert.deepEqual(parseCommandLine(['--region', 'eu-west-1', 'canary', 'f:prod', '--version', '3', '--weight=10', '--json']), {
      kind: 'command',
      command: 'canary',
      positionals: ['f:prod'],
      values: { region: 'eu-west-1', version: '3', weight: '10', json: true },
    });
    assert.deepEqual(parseCommandLine(['probe', 'f:a', '-n', '5', '-y']), {
      kind: 'command',
      command: 'probe',
      positionals: ['f:a'],
      values: { count: '5', yes: true },
    });
    assert.deepEqual(parseCommandLine(['deploy', '--no-smoke']), { kind: 'command', command: 'deploy', positionals: [], values: { 'no-smoke': true } });
  });

  it('help in its three spellings, and --version', () => {
    assert.deepEqual(parseCommandLine([]), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-h']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['help', 'switch-back']), { kind: 'help', command: 'switch-back' });
    assert.deepEqual(parseCommandLine(['traffic', '--help']), { kind: 'help', command: 'traffic' });
    assert.deepEqual(parseCommandLine(['--version']), { kind: 'version' });
  });

  it('refuses unknown commands and options, naming them', () => {
    assert.throws(() => parseCommandLine(['lst']), (e: unknown) => e instanceof UsageError && /Unknown command 'lst'/.test(e.message));
    assert.throws(() => parseCommandLine(['list', '--weight', '5']), (e: unknown) => e instanceof UsageError && e.command === 'list' && /Unknown option '--weight'/.test(e.message));
    assert.throws(() => parseCommandLine(['help', 'nope']), UsageError);
    assert.throws(() => parseCommandLine(['--json']), /No command given/);
  });

  it('FUNCTION:ALIAS splits at the last colon (a function ARN works); percent and windows', () => {
    assert.deepEqual(parseFunctionAlias('checkout-api:prod'), { functionName: 'checkout-api', aliasName: 'prod' });
    assert.deepEqual(parseFunctionAlias('arn:aws:lambda:eu-west-1:123456789012:function:f:prod'), { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f', aliasName: 'prod' });
    for (const bad of ['f', ':prod', 'f:']) assert.throws(() => parseFunctionAlias(bad), UsageError, bad);
    assert.equal(parsePercent('w', '10'), 10);
    assert.equal(parsePercent('w', '2.5%'), 2.5);
    assert.throws(() => parsePercent('w', '-5'), UsageError);
    assert.throws(() => parsePercent('w', '1e2'), UsageError);
    assert.equal(parseWindow('15'), 15);
    assert.equal(parseWindow('15m'), 15);
    assert.equal(parseWindow('1.5h'), 90);
    assert.throws(() => parseWindow('15s'), UsageError);
  });
});

describe('CLI connection spec (as the AWS CLI picks it)', () => {
  it('flags win over the environment; a loopback endpoint without a profile is a local sandbox signed with AWS_ACCESS_KEY_ID', () => {
    const env = { AWS_PROFILE: 'envprofile', AWS_REGION: 'eu-west-1', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
    assert.deepEqual(connectionSpec({}, env), { kind: 'aws', profile: 'envprofile', region: 'eu-west-1' });
    assert.deepEqual(connectionSpec({ profile: 'p', region: 'us-west-2' }, env), { kind: 'aws', profile: 'p', region: 'us-west-2' });
    assert.deepEqual(connectionSpec({}, { AWS_DEFAULT_REGION: 'ap-south-1', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' }), { kind: 'aws', profile: undefined, region: 'ap-south-1' });
    assert.deepEqual(connectionSpec({ 'endpoint-url': 'http://127.0.0.1:4566' }, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE12345', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' }), {
      kind: 'sandbox',
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      embedded: false,
      accessKeyId: 'AKIDEXAMPLE12345',
    });
    assert.deepEqual(connectionSpec({ 'endpoint-url': 'https://lambda.example.com' }, { AWS_REGION: 'eu-west-1' }), { kind: 'aws', profile: undefined, region: 'eu-west-1', endpointUrl: 'https://lambda.example.com' });
    assert.throws(() => connectionSpec({ 'endpoint-url': 'not a url' }, {}), UsageError);
    assert.throws(() => connectionSpec({ sandbox: true, profile: 'p' }, {}), UsageError);
  });
});

describe('CLI exit codes from an outcome', () => {
  const o = (state: Outcome['state'], kind?: NonNullable<Outcome['error']>['kind']) => ({ state, ...(kind ? { error: { kind, message: 'x' } } : {}) }) as Outcome;
  it('0 done or nothing to do, 1 failed unchanged, 2 validation, 3 conflict, 4 unknown', () => {
    assert.equal(exitCodeOf(o('done')), 0);
    assert.equal(exitCodeOf(o('unchanged')), 0);
    for (const k of ['aws', 'network', 'credentials', 'cancelled'] as const) assert.equal(exitCodeOf(o('unchanged', k)), 1, k);
    assert.equal(exitCodeOf(o('unchanged', 'validation')), 2);
    assert.equal(exitCodeOf(o('unchanged', 'conflict')), 3);
    assert.equal(exitCodeOf(o('unknown', 'unknown')), 4);
  });
});

describe('terminalText', () => {
  it('keeps lines and their indentation; escape sequences, bidi overrides and zero-width characters become spaces', () => {
    assert.equal(terminalText('a\n  b\u001b[2Jc\u202ed\u200b\r\nend'), 'a\n  b [2Jc d\nend');
  });
});

describe('CLI deploy of an image function', () => {
  const ws = (packageType?: 'Zip' | 'Image'): WorkspaceFunction => ({
    source: 'template.yaml',
    file: '/w/template.yaml',
    workspaceRoot: '/w',
    functionName: 'checkout-img',
    logicalId: 'CheckoutImage',
    codeDir: '/w/app',
    packageType,
    alias: 'prod',
    ignore: [],
  });

  it('a workspace image function without --image-uri is a usage error naming the flag', () => {
    assert.throws(
      () => checkDeployKind(ws('Image'), undefined),
      (e: Error) => e instanceof UsageError && e.message === imageFunctionNeedsUri('checkout-img') && /^checkout-img is an image function \(PackageType Image\): .*give its image URI \(lambda-canary deploy --image-uri URI, e\.g\. --image-uri 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/repo:tag;/.test(e.message),
    );
  });

  it('is fine with --image-uri, and a zip function is left to the deploy to refuse', () => {
    assert.doesNotThrow(() => checkDeployKind(ws('Image'), '123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag'));
    assert.doesNotThrow(() => checkDeployKind(ws(), undefined));
    assert.doesNotThrow(() => checkDeployKind(ws('Zip'), '123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag'));
    assert.doesNotThrow(() => checkDeployKind(undefined, '123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag'));
  });

  it('parses --image-uri as a deploy option', () => {
    assert.deepEqual(parseCommandLine(['deploy', '--image-uri', 'x', '--function-name', 'f']), { kind: 'command', command: 'deploy', positionals: [], values: { 'image-uri': 'x', 'function-name': 'f' } });
  });
});
