import assert from 'node:assert/strict';
import { parseCommandLine, parseFunctionAlias, parseFunctionMaybeAlias, parsePercent, parseTriggerId, parseTriggersTarget, parseWindow, UsageError } from '../../src/cli/args';
import { commandAsks } from '../../src/cli/commands';
import { auditLines, fixCommand, preflightLines, shellWord } from '../../src/cli/triggers';
import type { TriggerAudit, TriggerView } from '../../src/shared/triggers';
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
    assert.deepEqual(connectionSpec({}, env), { kind: 'aws', profile: 'envprofile', profileFrom: 'AWS_PROFILE', region: 'eu-west-1' });
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

describe('CLI triggers arguments', () => {
  it('triggers FN[:ALIAS] [--fix ID]: parsed strictly; only --fix asks first', () => {
    assert.deepEqual(parseCommandLine(['triggers', 'f:prod', '--json']), { kind: 'command', command: 'triggers', positionals: ['f:prod'], values: { json: true } });
    assert.deepEqual(parseCommandLine(['triggers', 'f:prod', '--fix', 'esm:1', '-y']), { kind: 'command', command: 'triggers', positionals: ['f:prod'], values: { fix: 'esm:1', yes: true } });
    assert.deepEqual(parseCommandLine(['help', 'triggers']), { kind: 'help', command: 'triggers' });
    assert.throws(() => parseCommandLine(['triggers']), (e: unknown) => e instanceof UsageError && e.command === 'triggers' && /'triggers' needs FUNCTION or FUNCTION:ALIAS/.test(e.message));
    assert.throws(() => parseCommandLine(['triggers', 'f', '--fix']), (e: unknown) => e instanceof UsageError && /'--fix' needs a value/.test(e.message));
    assert.throws(() => parseCommandLine(['triggers', 'f', '--weight', '5']), (e: unknown) => e instanceof UsageError && /Unknown option '--weight'/.test(e.message));
    assert.throws(() => parseCommandLine(['triggers', 'f', 'g']), /Too many arguments for 'triggers': 'g'/);
    assert.equal(commandAsks('triggers', {}), false);
    assert.equal(commandAsks('triggers', { fix: 'esm:1' }), true);
    assert.equal(commandAsks('canary', {}), true);
    assert.equal(commandAsks('show', {}), false);
  });

  it('FN or FN:ALIAS: names, partial and full ARNs keep their own colons; a version or $LATEST is not an alias', () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:f';
    assert.deepEqual(parseTriggersTarget('f'), { functionName: 'f' });
    assert.deepEqual(parseTriggersTarget('f:prod'), { functionName: 'f', aliasName: 'prod' });
    assert.deepEqual(parseTriggersTarget(arn), { functionName: arn });
    assert.deepEqual(parseTriggersTarget(`${arn}:prod`), { functionName: arn, aliasName: 'prod' });
    assert.deepEqual(parseTriggersTarget('123456789012:function:f'), { functionName: '123456789012:function:f' });
    assert.deepEqual(parseTriggersTarget('123456789012:function:f:live'), { functionName: '123456789012:function:f', aliasName: 'live' });
    assert.deepEqual(parseFunctionMaybeAlias(arn), { functionName: arn }, 'journal ARN: not split at function:');
    assert.deepEqual(parseFunctionAlias('arn:aws-cn:lambda:cn-north-1:123456789012:function:f:a'), { functionName: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:f', aliasName: 'a' });
    assert.throws(() => parseFunctionAlias(arn), (e: unknown) => e instanceof UsageError && /is not FUNCTION:ALIAS/.test(e.message), 'an unqualified ARN has no alias');
    for (const bad of ['f:7', 'f:$LATEST', `${arn}:12`]) {
      assert.throws(() => parseTriggersTarget(bad), (e: unknown) => e instanceof UsageError && /not an alias; triggers are judged against an alias/.test(e.message), bad);
    }
    for (const bad of ['f:', ':prod', `${arn}:`]) assert.throws(() => parseTriggersTarget(bad), UsageError, bad);
  });

  it('trigger ids: the four forms as the audit lists them; anything else names the forms', () => {
    for (const id of ['esm:6f1c2b9e-0d7a-4c1e-9b8f-2a5d3e4f6a7b', 'url:prod', 'url:$LATEST', 'policy:$LATEST:apigw-invoke', 'policy:prod:s3:odd', 'async:7']) assert.equal(parseTriggerId(id), id);
    assert.equal(parseTriggerId(' url:prod '), 'url:prod');
    for (const bad of ['', 'esm:', 'esm', 'url:prod:x', 'policy:prod', 'policy::sid', 'mapping:1', 'esm:a b']) {
      assert.throws(() => parseTriggerId(bad), (e: unknown) => e instanceof UsageError && /is not a trigger id \(esm:UUID, url:QUALIFIER or policy:QUALIFIER:SID/.test(e.message), bad);
    }
  });

  it('the fix command printed is safe to paste in a shell: $LATEST and quotes are single-quoted', () => {
    assert.equal(shellWord('esm:6f1c2b9e-0d7a'), 'esm:6f1c2b9e-0d7a');
    assert.equal(shellWord('policy:$LATEST:s3'), "'policy:$LATEST:s3'");
    assert.equal(shellWord("it's; rm -rf ~"), "'it'\\''s; rm -rf ~'");
    assert.equal(shellWord('$(touch x)`y`'), "'$(touch x)`y`'");
    assert.equal(fixCommand('f', 'prod', 'url:$LATEST'), "lambda-canary triggers f:prod --fix 'url:$LATEST'");
  });
});

describe('CLI triggers table and pre-flight lines', () => {
  const view = (over: Partial<TriggerView>): TriggerView => ({
    id: 'esm:1111',
    kind: 'event-source-mapping',
    label: 'SQS queue orders',
    source: 'arn:aws:sqs:us-east-1:123456789012:orders',
    target: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    route: { kind: 'unqualified' },
    verdict: 'bypasses',
    detail: 'Bypasses prod: calls $LATEST.',
    notes: [],
    ...over,
  });
  const audit = (triggers: TriggerView[], aliasName: string | null = 'prod'): TriggerAudit => ({ functionName: 'f', aliases: ['prod', 'staging'], triggers, unreadable: [], ...(aliasName ? { aliasName } : {}) });

  it('one row per trigger (id, label, what it calls, ✓/⚠ verdict, fix), then each bypass with its fix command', () => {
    const lines = auditLines('f', audit([
      view({ fix: { action: 'route-through-alias', alias: 'prod', text: 'Updates the mapping to call prod.' } }),
      view({ id: 'url:prod', kind: 'function-url', label: 'Function URL (auth NONE)', route: { kind: 'alias', alias: 'prod' }, verdict: 'through', detail: 'Goes through prod.', source: 'https://x.lambda-url.us-east-1.on.aws/' }),
      view({ id: 'policy:7:apigw', kind: 'permission', label: 'API Gateway', route: { kind: 'version', version: '7' }, detail: 'Bypasses prod: calls version 7.', notes: ['Integration URI …:function:f:7/invocations → …:function:f:prod/invocations'] }),
      view({ id: 'url:staging', kind: 'function-url', label: 'Function URL', route: { kind: 'alias', alias: 'staging' }, verdict: 'other-alias', detail: 'Goes through staging.' }),
    ]));
    assert.equal(lines[0], 'f: 4 triggers, 2 bypass prod.');
    assert.match(lines[1], /^ID +TRIGGER +CALLS +VERDICT +FIX$/);
    assert.match(lines[2], /^esm:1111 +SQS queue orders +\$LATEST +⚠ bypasses prod +route through prod$/);
    assert.match(lines[3], /^url:prod +Function URL \(auth NONE\) +prod +✓ through prod +-$/);
    assert.match(lines[4], /^policy:7:apigw +API Gateway +version 7 +⚠ bypasses prod +-$/);
    assert.match(lines[5], /^url:staging +Function URL +staging +· through staging +-$/);
    // The columns line up (the ✓ and ⚠ count as one character each).
    assert.equal(new Set(lines.slice(1, 6).map((l) => l.indexOf(l.includes('VERDICT') ? 'VERDICT' : l.match(/[✓⚠·] /)![0]))).size, 1);
    const rest = lines.slice(6).join('\n');
    assert.ok(rest.includes("esm:1111: Bypasses prod: calls $LATEST.\n  source: arn:aws:sqs:us-east-1:123456789012:orders\n  calls:  arn:aws:lambda:us-east-1:123456789012:function:f\n  fix:    Updates the mapping to call prod.\n          lambda-canary triggers f:prod --fix esm:1111"), rest);
    assert.ok(rest.includes('policy:7:apigw: Bypasses prod: calls version 7.'), rest);
    assert.ok(rest.includes('  note:   Integration URI'), rest);
    assert.ok(!rest.includes('url:prod:'), 'a trigger through the alias, without notes, has no detail lines');
  });

  it('without an alias the verdicts are against every alias, and the aliases are named; no triggers says what cannot be seen', () => {
    assert.equal(auditLines('f', audit([view({})], null))[0], 'f: 1 trigger, 1 bypasses every alias (aliases: prod, staging).');
    const none = auditLines('f', audit([]));
    assert.equal(none[0], 'f: 0 triggers.');
    assert.match(none[1], /IAM identity policies/);
  });

  it('AWS text is one line of plain text: escape sequences, line breaks and bidi overrides do not reach the terminal', () => {
    const hostile = 'q\u001b[31mRED\u001b[0m\nsecond\u202eline';
    const lines = auditLines('f', audit([view({ label: hostile, source: hostile, detail: hostile, notes: [hostile], id: 'policy:prod:s\u001b]0;t\u0007', fix: { action: 'grant-on-alias', alias: 'prod', text: hostile } })]));
    const text = lines.join('\n');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(text), JSON.stringify(text));
    assert.ok(lines.some((l) => l.includes('q [31mRED [0m second line')));
    assert.ok(lines.some((l) => l.includes("--fix 'policy:prod:s ]0;t'")), 'the id in the command is quoted for the shell');
  });

  it('pre-flight: a heading with the summary, one line per finding with its fix and, for a bypass, the command', () => {
    assert.deepEqual(preflightLines('f', { functionName: 'f', aliasName: 'prod', summary: '', findings: [] }), []);
    assert.deepEqual(
      preflightLines('f', {
        functionName: 'f',
        aliasName: 'prod',
        version: '3',
        summary: '1 of 2 sources bypass prod: the canary would see only the API\'s traffic.',
        findings: [
          { code: 'bypass', severity: 'warning', message: 'SQS queue orders calls $LATEST.', fix: 'Route it through prod.', triggerId: 'esm:1111' },
          { code: 'role-mismatch', severity: 'blocker', message: 'Versions 2 and 3 have different execution roles.', fix: 'Publish 3 with the role of 2.' },
        ],
      }),
      [
        "Pre-flight of f:prod: 1 of 2 sources bypass prod: the canary would see only the API's traffic.",
        '  warning: SQS queue orders calls $LATEST. Fix: Route it through prod. (lambda-canary triggers f:prod --fix esm:1111)',
        '  blocker: Versions 2 and 3 have different execution roles. Fix: Publish 3 with the role of 2.',
      ],
    );
  });
});
