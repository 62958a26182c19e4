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
import { ConfigError, describeSkipped, discoverFunctions, discoverWorkspace, readSamTemplate } from '../../src/core/workspace';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/sam');
const fixture = (name: string) => path.join(FIXTURES, name);

/** [logicalId, codeDir relative to the root] of what is offered; [logicalId, reason] of what is skipped. */
function summary(d: WorkspaceDiscovery, root: string) {
  return {
    offered: d.functions.map((f) => [f.logicalId, path.relative(root, f.codeDir).split(path.sep).join('/')]),
    skipped: d.skipped.map((s) => [s.name, s.reason]),
  };
}

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

  it('InlineCode: skipped (no folder to package), the local sibling offered', () => {
    const root = fixture('inline');
    assert.deepEqual(summary(discoverWorkspace(root), root), {
      offered: [['Local', 'src']],
      skipped: [['Inline', 'Inline has its code inline (InlineCode): there is no code folder to package.']],
    });
  });

  it('an S3 CodeUri (s3://bucket/key or Bucket/Key) is skipped, never taken as a local folder', () => {
    const root = fixture('s3');
    const d = discoverWorkspace(root);
    assert.deepEqual(summary(d, root), {
      offered: [['Local', 'src']],
      skipped: [
        ['FromS3Uri', `"FromS3Uri.CodeUri" 's3://my-artifacts/orders/function.zip' is in S3: only code in the workspace is packaged.`],
        ['FromS3Location', '"FromS3Location.CodeUri" is an S3 location (Bucket/Key): only code in the workspace is packaged.'],
      ],
    });
    assert.ok(!d.functions.some((f) => f.codeDir.includes('s3:')));
  });

  it('an image function (PackageType: Image) is skipped with why, the zip sibling offered', () => {
    const root = fixture('image');
    assert.deepEqual(summary(discoverWorkspace(root), root), {
      offered: [['ZipFunction', 'src']],
      skipped: [['ImageFunction', 'ImageFunction is an image function (PackageType: Image): only zip functions are published from the workspace.']],
    });
  });

  it('reads template.json, a JSON intrinsic where a folder is due skipped', () => {
    const root = fixture('json');
    const d = discoverWorkspace(root);
    assert.deepEqual(summary(d, root), {
      offered: [['Hello', 'hello']],
      skipped: [['FromRef', '"FromRef.CodeUri" is an intrinsic ({"Ref":"CodeLocation"}): name a folder of the workspace.']],
    });
    const [hello] = d.functions;
    assert.equal(hello.functionName, 'hello-json');
    assert.equal(hello.alias, 'live');
    assert.equal(hello.file, path.join(root, 'template.json'));
    assert.equal(d.skipped[0].line, 16);
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

  it("a function's InlineCode beats a CodeUri from Globals", () => {
    const text = 'Globals:\n  Function:\n    CodeUri: .\nResources:\n  Inline:\n    Type: AWS::Serverless::Function\n    Properties: { InlineCode: "exports.handler = 1" }\n  Local:\n    Type: AWS::Serverless::Function\n';
    const d = readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp);
    assert.deepEqual(summary(d, tmp), { offered: [['Local', '']], skipped: [['Inline', 'Inline has its code inline (InlineCode): there is no code folder to package.']] });
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
