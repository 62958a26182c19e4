/**
 * SAM discovery on templates shaped like real projects (test/fixtures/sam): what is offered, and
 * what is declared but skipped, with why. One bad function never hides its siblings.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkspaceDiscovery, WorkspaceFunction } from '../../src/core/workspace';
import { sampleEventDecision, untrustedWorkspaceRefusal, withSampleEvent } from '../../src/core/publishWorkspace';
import { ConfigError, describeSkipped, discoverFolders, discoverFunctions, discoverWorkspace, isCloudFormationLogicalId, MAX_NESTED_TEMPLATES, readSamTemplate } from '../../src/core/workspace';
import { workspaceFunctionItem } from '../../src/extension/commands/publishText';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/sam');
const fixture = (name: string) => path.join(FIXTURES, name);

/** [logicalId, codeDir relative to the root] of what is offered; [logicalId, reason] of what is skipped. */
function summary(d: WorkspaceDiscovery, root: string) {
  return {
    offered: d.functions.map((f) => [f.logicalId, path.relative(root, f.codeDir).split(path.sep).join('/')]),
    skipped: d.skipped.map((s) => [s.name, s.reason]),
  };
}

/** What discovery offers of a function, paths relative to the fixture, unset fields left out. */
function offer(f: WorkspaceFunction, root: string): Record<string, unknown> {
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/') || '.';
  const out: Record<string, unknown> = {
    id: f.logicalId,
    file: rel(f.file),
    name: f.functionName,
    code: rel(f.codeDir),
    handler: f.handler,
    runtime: f.runtime,
    alias: f.alias,
    image: f.packageType === 'Image' ? { dockerfile: f.dockerfile, uri: f.imageUri } : undefined,
    inline: f.inlineCode,
    build: f.buildMethod,
    event: f.testEventFile && rel(f.testEventFile),
    preference: f.deploymentPreference,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  if (out.image) for (const k of ['dockerfile', 'uri'] as const) if ((out.image as Record<string, unknown>)[k] === undefined) delete (out.image as Record<string, unknown>)[k];
  return out;
}

/**
 * Each fixture, shaped like a real project: exactly what is offered, and what is skipped with
 * which reason (as `file:line: reason`).
 */
const CORPUS: Array<{ fixture: string; offered: Array<Record<string, unknown>>; skipped: string[] }> = [
  {
    fixture: 'python-requirements',
    offered: [{ id: 'HelloWorldFunction', file: 'template.yaml', code: 'hello_world', handler: 'app.lambda_handler', runtime: 'python3.13', alias: 'live', event: 'events/event.json' }],
    skipped: [],
  },
  {
    fixture: 'java-jar',
    offered: [{ id: 'HelloWorldFunction', file: 'template.yaml', code: 'target/app.jar', handler: 'helloworld.App::handleRequest', runtime: 'java21', alias: 'live' }],
    skipped: [],
  },
  {
    fixture: 'dotnet',
    offered: [
      { id: 'HelloWorldFunction', file: 'template.yaml', code: 'src/HelloWorld/bin/Release/net8.0/publish', handler: 'HelloWorld::HelloWorld.Function::FunctionHandler', runtime: 'dotnet8', event: 'events/event.json' },
    ],
    skipped: [],
  },
  {
    fixture: 'go-al2023',
    offered: [{ id: 'HelloWorldFunction', file: 'template.yaml', code: 'hello-world', handler: 'bootstrap', runtime: 'provided.al2023', alias: 'prod', build: 'go1.x', event: 'events/event.json' }],
    skipped: [],
  },
  {
    fixture: 'nested-app',
    offered: [
      { id: 'OrdersFunction', file: 'orders/template.yaml', code: 'orders/src', handler: 'app.handler', runtime: 'nodejs20.x', alias: 'live' },
      { id: 'PaymentsFunction', file: 'payments/template.json', name: 'payments', code: 'payments/src', handler: 'app.handler', runtime: 'nodejs20.x' },
    ],
    skipped: [
      'template.yaml:21: AuthFromRepository is a nested application from the Serverless Application Repository (ApplicationId): its functions are not in the workspace.',
      `template.yaml:27: "SharedFromS3.TemplateURL" 'https://my-bucket.s3.amazonaws.com/shared/template.yaml' is a remote template: only a template file of the workspace is followed.`,
      `template.yaml:31: "Missing.Location" './missing/template.yaml' is not a template file (relative to the workspace folder).`,
      `template.yaml:35: "Outside.Location": '../elsewhere/template.yaml' points outside the workspace folder.`,
      "template.yaml:39: the nested application's template broken/template.yaml:5 cannot be read: invalid YAML: unexpected end of the stream within a flow collection",
      `loop/template.yaml:3: "Back.Location" '../template.yaml' nests a template that nests it: the cycle is not followed.`,
    ],
  },
  {
    fixture: 'lambda-function',
    offered: [
      { id: 'ApiFunction', file: 'template.yaml', name: 'api', code: 'src', handler: 'index.handler', runtime: 'nodejs20.x', alias: 'live' },
      { id: 'WorkerFunction', file: 'template.yaml', code: 'prebuilt/fn.zip', handler: 'index.handler', runtime: 'nodejs20.x' },
      { id: 'InlineFunction', file: 'template.yaml', code: '.', handler: 'index.handler', runtime: 'python3.12', inline: 'def handler(event, context):\n    return "inline"\n' },
      { id: 'ImageFunction', file: 'template.yaml', code: '.', image: { uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/images:v1' } },
    ],
    skipped: [
      'template.yaml:40: "TemplatedInline.Code.ZipFile" is an intrinsic (!Sub "exports.handler = async () => \\"${AWS::Region}\\";\\n"): only inline code written out in the template is packaged.',
      'template.yaml:49: "FromS3.Code" is in S3 (S3Bucket/S3Key): only code in the workspace is packaged.',
    ],
  },
  {
    fixture: 'alias-ref-param',
    offered: [
      { id: 'FromDefault', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x', alias: 'live' },
      { id: 'LongForm', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x', alias: 'blue' },
      { id: 'WithoutDefault', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
      { id: 'Computed', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
      { id: 'Pseudo', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
    ],
    skipped: [],
  },
  {
    fixture: 'no-alias',
    offered: [{ id: 'HelloFunction', file: 'template.yaml', name: 'hello', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' }],
    skipped: [],
  },
  {
    fixture: 'image',
    offered: [
      { id: 'ImageFunction', file: 'template.yaml', code: 'container', image: { dockerfile: 'Dockerfile', uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:latest' } },
      { id: 'ZipFunction', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
      { id: 'ImageAtRoot', file: 'template.yaml', code: '.', alias: 'live', image: {} },
    ],
    skipped: [`template.yaml:22: "ImageOutside.Metadata.DockerContext": '../../elsewhere' points outside the workspace folder.`],
  },
  {
    fixture: 'inline',
    offered: [
      { id: 'Inline', file: 'template.yaml', code: '.', handler: 'index.handler', runtime: 'python3.12', inline: 'def handler(event, context):\n    return "inline"\n' },
      { id: 'Local', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
    ],
    skipped: [
      'template.yaml:17: "InlineRuby.InlineCode": CloudFormation packages inline code only for Node.js and Python, not ruby3.3.',
      'template.yaml:24: "InlineTemplated.InlineCode" is an intrinsic (!Sub "exports.handler = async () => \\"${AWS::Region}\\";\\n"): only inline code written out in the template is packaged.',
    ],
  },
  {
    fixture: 's3',
    offered: [{ id: 'Local', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' }],
    skipped: [
      `template.yaml:3: "FromS3Uri.CodeUri" 's3://my-artifacts/orders/function.zip' is in S3: only code in the workspace is packaged.`,
      'template.yaml:9: "FromS3Location.CodeUri" is an S3 location (Bucket/Key): only code in the workspace is packaged.',
    ],
  },
  {
    fixture: 'json',
    offered: [
      { id: 'Hello', file: 'template.json', name: 'hello-json', code: 'hello', handler: 'app.handler', runtime: 'nodejs20.x', alias: 'live' },
      { id: 'AliasFromParam', file: 'template.json', code: 'hello', handler: 'app.handler', runtime: 'nodejs20.x', alias: 'green' },
    ],
    skipped: ['template.json:19: "FromRef.CodeUri" is an intrinsic ({"Ref":"CodeLocation"}): name a folder of the workspace.'],
  },
  {
    fixture: 'subfolder',
    offered: [
      { id: 'Orders', file: 'infrastructure/template.yaml', name: 'orders', code: 'src/orders', handler: 'app.handler', runtime: 'nodejs20.x' },
      { id: 'Api', file: 'services/api/template.yml', name: 'orders-api', code: 'services/api/handlers', handler: 'app.handler', runtime: 'nodejs20.x' },
    ],
    skipped: [],
  },
  {
    fixture: 'flow-collection',
    offered: [
      { id: 'Fn', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
      { id: 'Other', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' },
    ],
    skipped: [`template.yaml:21: "Escapes.CodeUri": '../..' points outside the workspace folder.`],
  },
  {
    fixture: 'case-mismatch',
    offered: [{ id: 'OnSuccessFunction', file: 'template.yaml', code: 'OnSuccessFunction', handler: 'app.handler', runtime: 'nodejs20.x' }],
    skipped: [
      `template.yaml:6: "ProducerFunction.CodeUri" 'ProducerFunction/' does not exist (relative to the workspace folder): there is 'producerFunction', which differs only in case (Linux and sam build tell them apart).`,
    ],
  },
  {
    fixture: 'java-unbuilt',
    offered: [],
    skipped: [`template.yml:11: "PaymentProducer.CodeUri" 'target/sourceCode.zip' does not exist (relative to the workspace folder): a build makes it; build the project first.`],
  },
  {
    fixture: 'esbuild-ts',
    offered: [{ id: 'HelloWorldFunction', file: 'template.yaml', code: 'hello-world', handler: 'app.lambdaHandler', runtime: 'nodejs20.x', build: 'esbuild', event: 'events/event.json' }],
    skipped: [],
  },
  {
    fixture: 'node-missing-dep',
    offered: [{ id: 'OrdersFunction', file: 'template.yaml', code: 'src', handler: 'app.handler', runtime: 'nodejs20.x' }],
    skipped: [],
  },
  {
    fixture: 'python-unvendored',
    offered: [{ id: 'HelloWorldFunction', file: 'template.yaml', code: 'hello_world', handler: 'app.lambda_handler', runtime: 'python3.12' }],
    skipped: [],
  },
  {
    fixture: 'lambda-safe-deployments',
    offered: [
      { id: 'safeTest', file: 'template.yaml', code: 'src', handler: 'safeTest.handler', runtime: 'nodejs8.10', alias: 'live', preference: { type: 'Linear10PercentEvery1Minute', hooks: { preTraffic: 'CodeDeployHook_preTrafficHook' } } },
      { id: 'preTrafficHook', file: 'template.yaml', name: 'CodeDeployHook_preTrafficHook', code: 'src', handler: 'preTrafficHook.handler', runtime: 'nodejs8.10' },
    ],
    skipped: [],
  },
  {
    fixture: 'bad-codeuri',
    offered: [{ id: 'Good', file: 'template.yaml', name: 'good-fn', code: 'good', handler: 'app.handler', runtime: 'nodejs20.x' }],
    skipped: [
      `template.yaml:13: "OutsideWorkspace.CodeUri": '../src' points outside the workspace folder.`,
      `template.yaml:17: "MissingFolder.CodeUri" 'missing/' does not exist (relative to the workspace folder).`,
      'template.yaml:21: "FromParameter.CodeUri" is an intrinsic (!Ref "CodeLocation"): name a folder of the workspace.',
    ],
  },
];

describe('SAM discovery: the fixture corpus', () => {
  it('covers every fixture folder', () => {
    const folders = fs.readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(CORPUS.map((c) => c.fixture).sort(), folders.sort());
  });
  for (const c of CORPUS) {
    it(`${c.fixture}: offers and skips exactly what it declares`, () => {
      const root = fixture(c.fixture);
      const d = discoverWorkspace(root);
      assert.deepEqual(d.functions.map((f) => offer(f, root)), c.offered);
      assert.deepEqual(d.skipped.map((s) => describeSkipped(s, root)), c.skipped);
      assert.ok(d.functions.every((f) => f.workspaceRoot === root && (f.packageType === 'Image') === (f.handler === undefined && f.runtime === undefined && f.packageType !== undefined)));
    });
  }
});

describe('SAM discovery', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-sam-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function workspace(files: Record<string, string>): string {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), text);
    }
    return tmp;
  }
  const fn = (codeUri: string, name = 'Fn') => `Resources:\n  ${name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      CodeUri: ${codeUri}\n`;

  it('a bad CodeUri beside a good one: the good one is offered, each bad one skipped with why', () => {
    const root = fixture('bad-codeuri');
    const d = discoverWorkspace(root);
    const { offered, skipped } = summary(d, root);
    assert.deepEqual(offered, [['Good', 'good']]);
    assert.equal(d.functions[0].functionName, 'good-fn');
    assert.deepEqual(
      skipped.map(([name]) => name),
      ['OutsideWorkspace', 'MissingFolder', 'FromParameter'],
    );
    assert.match(skipped[0][1], /^"OutsideWorkspace\.CodeUri": '\.\.\/src' points outside the workspace folder\.$/);
    assert.match(skipped[1][1], /^"MissingFolder\.CodeUri" 'missing\/' does not exist/);
    assert.match(skipped[2][1], /^"FromParameter\.CodeUri" is an intrinsic \(!Ref "CodeLocation"\): name a folder of the workspace\.$/);
    assert.deepEqual(
      d.skipped.map((s) => describeSkipped(s, root).replace(/: .*/, '')),
      ['template.yaml:13', 'template.yaml:17', 'template.yaml:21'],
      'each reason names the template and the line of the function',
    );
    assert.deepEqual(discoverFunctions(root), d.functions, 'discoverFunctions offers the same functions');
  });

  const nests = (location: string, extra = '') => `Resources:\n  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: ${location}\n${extra}`;

  it('follows nested applications 5 deep, no deeper', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i <= 6; i++) files[`t${i}/template.yaml`] = `${nests(`../t${i + 1}/template.yaml`)}${fn('.', `F${i}`).replace('Resources:\n', '')}`;
    const root = workspace({ ...files, 't7/template.yaml': fn('.', 'F7'), 'template.yaml': nests('t0/template.yaml') });
    const d = discoverWorkspace(root);
    assert.deepEqual(d.functions.map((f) => f.logicalId).sort(), ['F0', 'F1', 'F2', 'F3', 'F4']);
    assert.deepEqual(d.skipped.map((s) => describeSkipped(s, root)), [`t4/template.yaml:2: "App.Location" '../t5/template.yaml' is nested more than 5 deep: not followed.`]);
  });

  /** Templates t0 … t{levels-1}, each nesting the next `fan` times; the last declares one function. `distinct`: each application passes its own parameter value down, so no two nestings are alike. */
  function fanOut(levels: number, fan: number, distinct = false): string {
    const files: Record<string, string> = {};
    const params = (level: number) => (level === 0 ? '' : `Parameters:\n${Array.from({ length: level }, (_, p) => `  P${p}: { Type: String }\n`).join('')}`);
    for (let level = 0; level < levels; level++) {
      const apps = Array.from({ length: fan }, (_, i) => {
        const passed = distinct ? `\n      Parameters: { ${[...Array.from({ length: level }, (_, p) => `P${p}: !Ref P${p}`), `P${level}: v${i}`].join(', ')} }` : '';
        return `  App${i}:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: t${level + 1}.yaml${passed}\n`;
      });
      files[level === 0 ? 'template.yaml' : `t${level}.yaml`] = `${params(level)}Resources:\n${apps.join('')}`;
    }
    files[`t${levels}.yaml`] = `${params(levels)}${fn('.', 'Leaf')}`;
    return workspace(files);
  }

  it(`templates that nest the next one over and over (a fan-out) are read once each, and stop after ${MAX_NESTED_TEMPLATES} nested stacks, fast`, () => {
    // Before: 10^4 reads of the leaf, and its function offered 10 000 times. Each nested stack is
    // a stack of its own (its Leaf is another deployed function, built under its stack path).
    const root = fanOut(4, 10);
    const t0 = Date.now();
    const d = discoverWorkspace(root);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.ok(d.functions.length > 0 && d.functions.length < MAX_NESTED_TEMPLATES, `${d.functions.length} offered`);
    assert.ok(d.functions.every((f) => f.logicalId === 'Leaf' && f.stackPath?.length === 4));
    assert.equal(new Set(d.functions.map((f) => f.stackPath!.join('/'))).size, d.functions.length, 'each offered once, under its own stack path');
    assert.ok(d.skipped.length > 0 && d.skipped.every((s) => s.reason.includes(`nest more than ${MAX_NESTED_TEMPLATES} templates in all`)));
  });

  it(`nestings that all differ (their parameters) stop after ${MAX_NESTED_TEMPLATES} templates, with why; discovery still ends`, () => {
    // 10 + 100 + 1000 + 10 000 distinct nestings without the cap.
    const root = fanOut(4, 10, true);
    const t0 = Date.now();
    const d = discoverFolders([root]);
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(d.broken, []);
    assert.ok(d.functions.length > 0 && d.functions.length < MAX_NESTED_TEMPLATES, `${d.functions.length} offered`);
    assert.ok(d.skipped.length <= 10 * MAX_NESTED_TEMPLATES, `${d.skipped.length} skipped`);
    const capped = d.skipped.filter((s) => s.reason.includes(`nest more than ${MAX_NESTED_TEMPLATES} templates in all`));
    assert.ok(capped.length > 0);
    assert.match(describeSkipped(capped[0], root), /^t3\.yaml:\d+: "App\d\.Location" 't4\.yaml' is not followed: the workspace's templates nest more than 200 templates in all\.$/);
  });

  it('discoverFolders: a folder whose discovery fails in an unexpected way is broken, and hides no other', () => {
    const root = workspace({ 'ok/template.yaml': fn('.', 'Ok'), 'bad/template.yaml': fn('.', 'Bad') });
    const bad = path.join(root, 'bad', 'template.yaml');
    // The module itself (not this file's namespace copy of it), as workspace.ts reads it.
    const nodeFs = (fs as unknown as { default: { readFileSync: typeof fs.readFileSync } }).default;
    const read = nodeFs.readFileSync;
    // An I/O error that is no ConfigError (EIO from a failing disk, say).
    const failing = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (file === bad) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return (read as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readFileSync;
    nodeFs.readFileSync = failing;
    try {
      const d = discoverFolders([path.join(root, 'bad'), path.join(root, 'ok')]);
      assert.deepEqual(d.functions.map((f) => f.logicalId), ['Ok']);
      assert.deepEqual(d.broken.map((e) => [e instanceof ConfigError, e.message]), [[true, 'bad: cannot be discovered: EIO: i/o error, read']]);
    } finally {
      nodeFs.readFileSync = read;
    }
  });

  it('inline code that uses cfn-response / cfnresponse (custom resources) is skipped, with why; its siblings are offered', () => {
    const root = workspace({
      'template.yaml':
        'Resources:\n' +
        '  NodeCr:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      Code:\n        ZipFile: |\n          const response = require("cfn-response");\n          exports.handler = (e, c) => response.send(e, c, response.SUCCESS);\n' +
        '  PyCr:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      InlineCode: |\n        import cfnresponse\n        def handler(event, context):\n          cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n' +
        '  Plain:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      InlineCode: "def handler(e, c):\\n  return 1\\n"\n',
    });
    const d = discoverWorkspace(root);
    assert.deepEqual(d.functions.map((f) => f.logicalId), ['Plain']);
    assert.deepEqual(
      d.skipped.map((s) => describeSkipped(s, root).replace(/; a package .*$/, '')),
      [
        'template.yaml:2: "NodeCr.Code.ZipFile": it uses cfn-response, the module CloudFormation adds beside the inline code of a custom resource',
        'template.yaml:11: "PyCr.InlineCode": it uses cfnresponse, the module CloudFormation adds beside the inline code of a custom resource',
      ],
    );
  });

  it('a function or nested application whose logical id is no CloudFormation logical id is skipped (it would be an option in sam build\'s argv)', () => {
    assert.equal(isCloudFormationLogicalId('HelloWorldFunction2'), true);
    for (const bad of ['--build-dir=/tmp/x', 'Hello-World', 'Hello_World', 'Héllo', '', 'a'.repeat(256)]) assert.equal(isCloudFormationLogicalId(bad), false, bad);
    const root = workspace({
      'child.yaml': fn('.', 'Child'),
      'template.yaml': `${fn('.', 'Good')}  "--build-dir=/tmp/elsewhere":\n    Type: AWS::Serverless::Function\n    Properties: { Handler: app.handler, CodeUri: . }\n  Hello_World:\n    Type: AWS::Lambda::Function\n    Properties: { Handler: app.handler, Code: . }\n  Nested-App:\n    Type: AWS::Serverless::Application\n    Properties: { Location: child.yaml }\n`,
    });
    const d = discoverWorkspace(root);
    assert.deepEqual(d.functions.map((f) => f.logicalId), ['Good']);
    assert.deepEqual(
      d.skipped.map((s) => [s.name, s.reason]),
      ['--build-dir=/tmp/elsewhere', 'Hello_World', 'Nested-App'].map((id) => [id, `${JSON.stringify(id)} is not a CloudFormation logical id (letters and digits only): CloudFormation and sam build refuse it; rename the resource.`]),
    );
  });

  it('a nested application gets the parameters it is passed: literals, the parent\'s, or unknown (never the nested Default then)', () => {
    const child = 'Parameters:\n  A: { Type: String, Default: nested-default }\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ., AutoPublishAlias: !Ref A }\n';
    const params = (p: string) => nests('./child/template.yaml', `      Parameters: ${p}\n`);
    const aliasWith = (parent: string) => {
      const root = workspace({ 'child/template.yaml': child, 'template.yaml': parent });
      return discoverWorkspace(root).functions.map((f) => [f.file, f.alias]);
    };
    const file = () => path.join(tmp, 'child', 'template.yaml');
    assert.deepEqual(aliasWith(params('{ A: blue }')), [[file(), 'blue']]);
    assert.deepEqual(aliasWith(`Parameters:\n  P: { Type: String, Default: green }\n${params('{ A: !Ref P }')}`), [[file(), 'green']]);
    assert.deepEqual(aliasWith(`Parameters:\n  P: { Type: String }\n${params('{ A: !Ref P }')}`), [[file(), undefined]]);
    assert.deepEqual(aliasWith(params('{ A: !Sub "x" }')), [[file(), undefined]]);
    assert.deepEqual(aliasWith(nests(`file://${path.join(tmp, 'child', 'template.yaml')}`)), [[file(), 'nested-default']], 'nothing passed: its Default (and a file:// Location, as SAM CLI reads it)');
  });

  it('a template nested by another is offered once, as its part, whichever is found first', () => {
    const child = (name: string) => `Parameters:\n  A: { Type: String, Default: own }\nResources:\n  ${name}:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ., AutoPublishAlias: !Ref A }\n`;
    const root = workspace({
      'a-nested/template.yaml': child('Early'),
      'z-parent/template.yaml': nests('../a-nested/template.yaml', '      Parameters: { A: passed }\n'),
      'app/template.yaml': nests('orders/template.yaml', '      Parameters: { A: passed }\n'),
      'app/orders/template.yaml': child('Late'),
    });
    const d = discoverWorkspace(root);
    assert.deepEqual(d.functions.map((f) => [f.logicalId, f.alias]).sort(), [['Early', 'passed'], ['Late', 'passed']]);
  });

  it('a multi-root workspace: each folder discovered on its own, a broken one hides no other; the picker names each folder', () => {
    const root = workspace({
      'api/template.yaml': fn('src', 'Api'),
      'api/src/app.js': '',
      'worker/lambda-canary.json': '{ "functionName": "worker" }',
      'broken/template.yaml': 'Resources: [a, b\n',
    });
    const folders = ['api', 'worker', 'broken'].map((f) => path.join(root, f));
    const d = discoverFolders(folders);
    assert.deepEqual(
      d.functions.map((f) => [f.logicalId ?? f.functionName, f.workspaceRoot, f.alias]),
      [
        ['Api', folders[0], undefined],
        ['worker', folders[1], 'prod'],
      ],
    );
    assert.deepEqual(d.broken.map((e) => [e.file, e.message.replace(/:.*/, '')]), [[path.join(folders[2], 'template.yaml'), 'template.yaml']]);
    // As vscode.workspace.asRelativePath shows a path of a multi-root workspace: the folder's name first.
    const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
    assert.deepEqual(
      d.functions.map((f) => workspaceFunctionItem(f, rel, path.basename(f.workspaceRoot))),
      [
        { label: 'Api', description: 'in api', detail: 'api/src' },
        { label: 'worker', description: 'in worker', detail: 'worker' },
      ],
    );
    assert.equal(workspaceFunctionItem(d.functions[1], rel).description, undefined, 'one folder: no folder named');
    const inline = readSamTemplate(path.join(tmp, 'template.yaml'), 'Resources:\n  I:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: python3.12, Handler: index.handler, InlineCode: "x" }\n', tmp).functions[0];
    assert.equal(workspaceFunctionItem(inline, rel).detail, 'inline code in template.yaml');
    const nested = fixture('nested-app');
    const relNested = (p: string) => path.relative(nested, p).split(path.sep).join('/');
    assert.equal(workspaceFunctionItem(discoverFunctions(nested)[0], relNested).detail, 'orders/src (orders/template.yaml)', 'a nested template is named');
  });

  it('of several templates in subfolders (a repository of projects), one that cannot be read hides none of the others', () => {
    const root = workspace({ 'a/template.yaml': 'Resources:\n  Fn: [a, b\n', 'b/template.yaml': fn('.', 'Good'), 'c/template.yaml': 'Description: a CDK project\n' });
    const d = discoverWorkspace(root);
    assert.deepEqual(d.functions.map((f) => f.logicalId), ['Good']);
    assert.deepEqual(
      d.skipped.map((s) => describeSkipped(s, root).replace(/invalid YAML: .*/, 'invalid YAML: …')),
      ['a/template.yaml:3: cannot be read: invalid YAML: …', 'c/template.yaml: cannot be read: has no Resources section.'],
    );
    fs.rmSync(path.join(root, 'b'), { recursive: true });
    fs.rmSync(path.join(root, 'c'), { recursive: true });
    assert.throws(() => discoverWorkspace(root), ConfigError, 'the only template: its error, with its file and line');
  });

  it('reports a broken template.json as JSON, with its line', () => {
    const root = workspace({ 'template.json': '{\n  "Resources": {\n    "Fn": { "Type": "AWS::Serverless::Function", }\n  }\n}\n' });
    assert.throws(
      () => discoverWorkspace(root),
      (e: unknown) => e instanceof ConfigError && /^template\.json:3(:\d+)?: invalid JSON/.test(e.message) && e.line === 3,
    );
  });

  it('template.yaml, then template.yml, then template.json', () => {
    const root = workspace({ 'a/app.js': '', 'b/app.js': '', 'template.json': JSON.stringify({ Resources: { J: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 'a' } } } }) });
    assert.deepEqual(discoverFunctions(root).map((f) => f.logicalId), ['J']);
    fs.writeFileSync(path.join(root, 'template.yml'), fn('b', 'Y'));
    assert.deepEqual(discoverFunctions(root).map((f) => f.logicalId), ['Y']);
  });

  it('finds templates in subfolders, each CodeUri relative to its own template', () => {
    const root = fixture('subfolder');
    const d = discoverWorkspace(root);
    assert.deepEqual(summary(d, root), {
      offered: [
        ['Orders', 'src/orders'],
        ['Api', 'services/api/handlers'],
      ],
      skipped: [],
    });
    assert.deepEqual(
      d.functions.map((f) => [f.functionName, path.relative(root, f.file)]),
      [
        ['orders', path.join('infrastructure', 'template.yaml')],
        ['orders-api', path.join('services', 'api', 'template.yml')],
      ],
    );
    assert.ok(d.functions.every((f) => f.workspaceRoot === root));
  });

  it('searches subfolders only when the root has no template, ≤ 3 levels, not node_modules, .aws-sam, cdk.out, .git or dot-folders', () => {
    const root = workspace({
      'a/src/app.js': '',
      'a/template.yaml': fn('src', 'One'),
      'a/b/c/template.yaml': fn('.', 'Three'),
      'a/b/c/d/template.yaml': fn('.', 'Four'),
      'node_modules/pkg/template.yaml': fn('.', 'Dependency'),
      '.aws-sam/build/template.yaml': fn('.', 'Built'),
      'cdk.out/template.yaml': fn('.', 'Synth'),
      '.git/template.yaml': fn('.', 'Git'),
      '.hidden/template.yaml': fn('.', 'Hidden'),
    });
    assert.deepEqual(discoverFunctions(root).map((f) => f.logicalId), ['One', 'Three']);
    fs.writeFileSync(path.join(root, 'template.yaml'), fn('a/src', 'Root'));
    assert.deepEqual(discoverFunctions(root).map((f) => f.logicalId), ['Root'], 'a template at the root is the project');
  });

  it('a subfolder template with a CodeUri outside the workspace is skipped, its neighbours offered', () => {
    const root = workspace({ 'svc/src/app.js': '', 'svc/template.yaml': `${fn('src', 'Ok')}  Out:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../../elsewhere\n` });
    const d = discoverWorkspace(root);
    assert.deepEqual(summary(d, root).offered, [['Ok', 'svc/src']]);
    assert.match(describeSkipped(d.skipped[0], root), /^svc\/template\.yaml:7: "Out\.CodeUri": '\.\.\/elsewhere' points outside the workspace folder/);
  });

  it('reads a flow collection whose closing bracket is indented less than its key (as SAM CLI does)', () => {
    const root = fixture('flow-collection');
    const d = discoverWorkspace(root);
    assert.deepEqual(summary(d, root).offered, [
      ['Fn', 'src'],
      ['Other', 'src'],
    ]);
    assert.deepEqual(
      d.functions.map((f) => [f.handler, f.runtime]),
      [
        ['app.handler', 'nodejs20.x'],
        ['app.handler', 'nodejs20.x'],
      ],
    );
    assert.deepEqual(
      d.skipped.map((s) => [s.name, s.line]),
      [['Escapes', 21]],
      'a function of such a template is still located by its line',
    );
  });

  it('keeps the intrinsics of a flow collection read the lenient way', () => {
    const text = 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      FunctionName: !Sub "${Stage}-fn"\n      Environment: { Variables: {\n        T: !GetAtt [Table, Arn]\n      } }\n';
    const d = readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp);
    assert.equal(d.functions.length, 1);
    assert.equal(d.functions[0].functionName, undefined, 'an intrinsic FunctionName is unknown');
  });

  it('still refuses a template that is not YAML at all, with a parse error', () => {
    for (const text of ['Resources:\n  Fn: {\n', 'Resources:\n\tFn:\n\t\tType: AWS::Serverless::Function\n', 'Resources: [a, b\n']) {
      assert.throws(
        () => readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp),
        (e: unknown) => e instanceof ConfigError && /^template\.yaml:\d+(:\d+)?: invalid YAML: /.test(e.message),
        text,
      );
    }
  });

  it('a bad FunctionName or AutoPublishAlias skips that function only', () => {
    const text = `${fn('.', 'Ok')}  BadName:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ., FunctionName: "my fn!" }\n  BadAlias:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ., AutoPublishAlias: "7" }\n`;
    const d = readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp);
    assert.deepEqual(d.functions.map((f) => f.logicalId), ['Ok']);
    assert.deepEqual(
      d.skipped.map((s) => s.reason),
      [`"BadName.FunctionName" 'my fn!' is not a Lambda function name (1-64 letters, digits, - or _).`, `"BadAlias.AutoPublishAlias" '7' is not a valid alias name (letters, digits, - or _, not all digits, ≤ 128).`],
    );
  });

  it("a function's InlineCode beats a CodeUri from Globals; inline code without a runtime is skipped", () => {
    const text =
      'Globals:\n  Function:\n    CodeUri: .\nResources:\n  Inline:\n    Type: AWS::Serverless::Function\n    Properties: { InlineCode: "exports.handler = 1", Runtime: nodejs20.x }\n' +
      '  NoRuntime:\n    Type: AWS::Serverless::Function\n    Properties: { InlineCode: "exports.handler = 1" }\n  Local:\n    Type: AWS::Serverless::Function\n';
    const d = readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp);
    assert.deepEqual(summary(d, tmp), {
      offered: [
        ['Inline', ''],
        ['Local', ''],
      ],
      skipped: [['NoRuntime', '"NoRuntime.InlineCode": inline code needs a Runtime (nodejs* or python*) to know its file name.']],
    });
    assert.equal(d.functions[0].inlineCode, 'exports.handler = 1');
    assert.equal(d.functions[1].inlineCode, undefined);
  });

  it("offers a SAM project's sample event (events/event.json, or the only JSON in events/) as a suggestion, never one outside the workspace", () => {
    const tpl = 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x }\n';
    const project = (name: string, files: Record<string, string>) => {
      const root = path.join(tmp, name);
      for (const [rel, text] of Object.entries({ 'template.yaml': tpl, 'src/app.js': 'x', ...files })) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
      return root;
    };
    const withEvent = project('a', { 'events/event.json': '{}', 'events/other.json': '{}' });
    const [a] = discoverFunctions(withEvent);
    assert.equal(a.testEventFile, path.join(withEvent, 'events', 'event.json'));
    assert.equal(a.testEventSuggested, true);
    const onlyOne = project('b', { 'events/hello.json': '{}' });
    assert.equal(discoverFunctions(onlyOne)[0].testEventFile, path.join(onlyOne, 'events', 'hello.json'));
    const two = project('c', { 'events/a.json': '{}', 'events/b.json': '{}' });
    assert.equal(discoverFunctions(two)[0].testEventFile, undefined, 'two events and no event.json: none is chosen');
    assert.equal(discoverFunctions(project('d', {}))[0].testEventSuggested, undefined);
    const outside = project('e', {});
    fs.writeFileSync(path.join(tmp, 'secret.json'), '{}');
    fs.mkdirSync(path.join(outside, 'events'));
    fs.symlinkSync(path.join(tmp, 'secret.json'), path.join(outside, 'events', 'event.json'));
    assert.equal(discoverFunctions(outside)[0].testEventFile, undefined, 'a symlink out of the workspace is not its sample');
  });
});

describe("a SAM project's sample event as the smoke test", () => {
  const fn = (over: Partial<WorkspaceFunction> = {}): WorkspaceFunction => ({
    source: 'template.yaml',
    file: '/w/template.yaml',
    workspaceRoot: '/w',
    logicalId: 'Fn',
    codeDir: '/w/src',
    alias: 'prod',
    ignore: [],
    testEventFile: '/w/events/event.json',
    testEventSuggested: true,
    ...over,
  });
  it('is asked about once, then used or not as answered; never with smoke tests off or an untrusted workspace', () => {
    assert.equal(sampleEventDecision(fn(), true, undefined), 'ask');
    assert.equal(sampleEventDecision(fn(), true, true), 'use');
    assert.equal(sampleEventDecision(fn(), true, false), 'drop');
    assert.equal(sampleEventDecision(fn(), false, true), 'drop', 'smoke off (or untrusted: the extension passes smoke = trusted && smokeTest)');
    assert.equal(sampleEventDecision(fn({ testEventSuggested: undefined }), true, undefined), 'none', 'a configured testEvent is never asked about');
    assert.deepEqual([withSampleEvent(fn(), true).testEventFile, withSampleEvent(fn(), true).testEventSuggested], ['/w/events/event.json', undefined]);
    assert.equal(withSampleEvent(fn(), false).testEventFile, undefined);
  });
  it('is not something an untrusted workspace is refused for: it is simply not used', () => {
    assert.equal(untrustedWorkspaceRefusal(fn(), true), undefined);
    assert.ok(untrustedWorkspaceRefusal(fn({ testEventSuggested: undefined }), true), 'a configured event is');
  });
});
