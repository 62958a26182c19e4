import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_RELEASE_ALIAS, releaseDefinition } from '../../src/core/releases/definition';
import type { ReleaseDefinition } from '../../src/core/releases/definition';
import { CONFIG_FILE, ConfigError, discoverWorkspace } from '../../src/core/workspace';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'release');

describe('releaseDefinition: a release\'s functions from the workspace', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-release-'));
    for (const dir of ['orders', 'payments', 'mail', 'img']) fs.mkdirSync(path.join(root, dir));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const release = (options?: { only?: string[]; source?: string }) => releaseDefinition(discoverWorkspace(root), options);
  const summary = (r: ReleaseDefinition) => r.members.map((m) => `${m.functionName}:${m.aliasName}${m.aliasAssumed ? '?' : ''}`);

  function refused(fn: () => unknown, message: RegExp): ConfigError {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
    assert.match(caught.message, message);
    return caught;
  }

  /** A SAM function resource, as template lines. */
  const samFn = (id: string, props: Record<string, string>, extra: string[] = []) => [
    `  ${id}:`,
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    ...Object.entries(props).map(([k, v]) => `      ${k}: ${v}`),
    ...extra,
  ];
  const template = (...resources: string[][]) => ['Transform: AWS::Serverless-2016-10-31', 'Resources:', ...resources.flat()].join('\n') + '\n';

  it('lambda-canary.json\'s functions are the members, in the file\'s order, with their aliases and the top-level plan', () => {
    write(CONFIG_FILE, JSON.stringify({ alias: 'live', rollout: 'Canary10Percent5Minutes', functions: [{ functionName: 'payments', codeFolder: 'payments' }, { functionName: 'orders', codeFolder: 'orders', alias: 'stable' }, { functionName: 'mail', codeFolder: 'mail', rollout: 'AllAtOnce' }] }));
    const r = release();
    assert.deepEqual(summary(r), ['payments:live', 'orders:stable', 'mail:live']);
    assert.equal(r.members[1].fn.codeDir, path.join(root, 'orders'));
    assert.deepEqual(r.skipped, []);
    assert.equal(r.source, 'lambda-canary.json');
    assert.equal(r.plan?.name, 'Canary10Percent5Minutes', 'the top-level rollout, not an entry\'s own');
    write(CONFIG_FILE, JSON.stringify({ functions: [{ functionName: 'orders' }] }));
    assert.equal(release().plan, undefined);
  });

  it('a SAM template: AutoPublishAlias is the alias; without one, prod (said so); each function that cannot be in a release is skipped with why', () => {
    write('img/Dockerfile', 'FROM public.ecr.aws/lambda/nodejs:20\n');
    write(
      'template.yaml',
      template(
        samFn('OrdersFn', { FunctionName: 'orders', CodeUri: 'orders/', Handler: 'index.handler', Runtime: 'nodejs20.x', AutoPublishAlias: 'live' }),
        samFn('MailFn', { FunctionName: 'mail', CodeUri: 'mail/', Handler: 'index.handler', Runtime: 'nodejs20.x' }),
        samFn('ComputedFn', { CodeUri: 'payments/', Handler: 'index.handler', Runtime: 'nodejs20.x', AutoPublishAlias: 'live' }),
        samFn('SubFn', { FunctionName: '!Sub "${AWS::StackName}-sub"', CodeUri: 'payments/', Handler: 'index.handler', Runtime: 'nodejs20.x' }),
        samFn('ImageFn', { FunctionName: 'thumbs', PackageType: 'Image', AutoPublishAlias: 'live' }, ['    Metadata:', '      DockerContext: img/', '      Dockerfile: Dockerfile']),
        samFn('ShiftedFn', { FunctionName: 'checkout', CodeUri: 'payments/', Handler: 'index.handler', Runtime: 'nodejs20.x', AutoPublishAlias: 'live' }, ['      DeploymentPreference:', '        Type: Canary10Percent5Minutes', '        Hooks:', '          PreTraffic: !Ref HookFn']),
        samFn('HookFn', { FunctionName: 'CodeDeployHook_checkout', CodeUri: 'payments/', Handler: 'index.handler', Runtime: 'nodejs20.x' }),
        samFn('S3Fn', { FunctionName: 'remote', CodeUri: 's3://bucket/key.zip', Handler: 'index.handler', Runtime: 'nodejs20.x' }),
      ),
    );
    const r = release();
    assert.deepEqual(summary(r), ['orders:live', `mail:${DEFAULT_RELEASE_ALIAS}?`]);
    assert.equal(r.source, 'template.yaml');
    const why = Object.fromEntries(r.skipped.map((s) => [s.name, s.reason]));
    assert.deepEqual(Object.keys(why).sort(), ['CodeDeployHook_checkout', 'ComputedFn', 'S3Fn', 'SubFn', 'checkout', 'thumbs']);
    assert.match(why.ComputedFn, /^ComputedFn's function name is computed by the template: name it with FunctionName, or list it under functions in lambda-canary\.json\.$/);
    assert.match(why.SubFn, /name it with FunctionName, or list it under functions in lambda-canary\.json/);
    assert.match(why.thumbs, /^thumbs is an image function: .*deploy image functions one by one with their image URI\.$/);
    assert.match(why.checkout, /^checkout has a DeploymentPreference \(Canary10Percent5Minutes\): AWS CodeDeploy shifts its alias live on each sam deploy, so a release cannot move it in lockstep/);
    assert.match(why.CodeDeployHook_checkout, /is the CodeDeploy PreTraffic hook of ShiftedFn: CodeDeploy invokes it during ShiftedFn's deployment/);
    assert.match(why.S3Fn, /is in S3/, 'what discovery skips is carried, with its reason');
    assert.ok(r.skipped.every((s) => s.file === path.join(root, 'template.yaml')));
  });

  it('"only" picks a subset by function name (or logical id), in the workspace\'s order', () => {
    write(CONFIG_FILE, JSON.stringify({ functions: [{ functionName: 'orders' }, { functionName: 'payments' }, { functionName: 'mail' }] }));
    assert.deepEqual(summary(release({ only: ['mail', 'orders'] })), ['orders:prod', 'mail:prod']);
    assert.deepEqual(summary(release({ only: [] })), ['orders:prod', 'payments:prod', 'mail:prod'], 'an empty list picks nothing out');
    refused(() => release({ only: ['orders', 'invoices'] }), /^lambda-canary\.json: lambda-canary\.json declares no function invoices: a release of it can move orders, payments, mail\.$/);
    fs.rmSync(path.join(root, CONFIG_FILE));
    write('template.yaml', template(samFn('OrdersFn', { FunctionName: 'orders', CodeUri: 'orders/' }), samFn('ComputedFn', { CodeUri: 'payments/' })));
    assert.deepEqual(summary(release({ only: ['OrdersFn'] })), ['orders:prod?']);
    refused(() => release({ only: ['ComputedFn'] }), /ComputedFn cannot be in a release: ComputedFn's function name is computed by the template/);
  });

  it('the same function declared twice is an error naming both', () => {
    write('a/template.yaml', template(samFn('OrdersFn', { FunctionName: 'orders', CodeUri: '../orders/', AutoPublishAlias: 'live' })));
    write('b/template.yaml', template(samFn('Orders', { FunctionName: 'orders', CodeUri: '../mail/', AutoPublishAlias: 'live' })));
    refused(() => release(), /orders:live is declared twice, by a\/template\.yaml \(OrdersFn\) and b\/template\.yaml \(Orders\): a release publishes each function once/);
    write('b/template.yaml', template(samFn('Orders', { FunctionName: 'orders', CodeUri: '../mail/', AutoPublishAlias: 'beta' })));
    refused(() => release(), /orders \(aliases live and beta\) is declared twice/);
    write('b/template.yaml', template(samFn('Mail', { FunctionName: 'mail', CodeUri: '../mail/', AutoPublishAlias: 'beta' })));
    const r = release();
    assert.deepEqual(summary(r), ['orders:live', 'mail:beta']);
    assert.equal(r.source, 'a/template.yaml, b/template.yaml');
    assert.equal(release({ source: 'services' }).source, 'services');
  });

  it('a release needs a member: otherwise an error saying what the workspace declares and why each is out', () => {
    write('template.yaml', template(samFn('ComputedFn', { CodeUri: 'payments/' }), samFn('GoneFn', { FunctionName: 'gone', CodeUri: 'nope/' })));
    const e = refused(() => release(), /^template\.yaml: template\.yaml declares no function a release can move:\n/);
    const lines = e.message.split('\n').slice(1);
    assert.equal(lines.length, 2, e.message);
    assert.match(lines.find((l) => l.includes('ComputedFn'))!, /^ {2}template\.yaml: ComputedFn's function name is computed by the template: name it with FunctionName/);
    assert.match(lines.find((l) => l.includes('GoneFn'))!, /^ {2}template\.yaml:\d+: "GoneFn\.CodeUri" 'nope\/' does not exist/);
    refused(() => releaseDefinition({ functions: [], skipped: [] }), /declares no Lambda function: a release needs at least one \(list them under "functions" in lambda-canary\.json\)/);
  });

  it('a real template (aws-samples/sessions-with-aws-sam safe-deploy): the CodeDeploy-managed function and its hooks are out, each with why', () => {
    const fixture = path.join(FIXTURES, 'safe-deploy');
    const d = discoverWorkspace(fixture);
    assert.deepEqual(d.functions.map((f) => [f.logicalId, f.functionName, f.alias]), [
      ['BaseFunction', undefined, 'live'],
      ['BasePreFunction', 'CodeDeployHook_preTrafficHook1', undefined],
      ['BasePostFunction', 'CodeDeployHook_postTrafficHook1', undefined],
    ]);
    const e = refused(() => releaseDefinition(d), /^template\.yaml: template\.yaml declares no function a release can move:\n/);
    const lines = e.message.split('\n').slice(1);
    assert.deepEqual(lines, [
      '  template.yaml: BaseFunction has a DeploymentPreference (AllAtOnce): AWS CodeDeploy shifts its alias live on each sam deploy, so a release cannot move it in lockstep; remove the DeploymentPreference to release it here.',
      "  template.yaml: CodeDeployHook_preTrafficHook1 is the CodeDeploy PreTraffic hook of BaseFunction: CodeDeploy invokes it during BaseFunction's deployment; it has no alias of its own to move.",
      "  template.yaml: CodeDeployHook_postTrafficHook1 is the CodeDeploy PostTraffic hook of BaseFunction: CodeDeploy invokes it during BaseFunction's deployment; it has no alias of its own to move.",
    ]);
    // Without its DeploymentPreference, BaseFunction would still need a name: the template computes it.
    const base = d.functions[0];
    const named = releaseDefinition({ functions: [{ ...base, deploymentPreference: undefined }, ...d.functions.slice(1)], skipped: [] }, { source: 'safe-deploy' });
    assert.deepEqual(summary(named), ['CodeDeployHook_preTrafficHook1:prod?', 'CodeDeployHook_postTrafficHook1:prod?']);
    assert.match(named.skipped[0].reason, /^BaseFunction's function name is computed by the template: name it with FunctionName/);
  });
});
