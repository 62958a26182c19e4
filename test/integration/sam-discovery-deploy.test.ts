/**
 * What SAM discovery offers, deployed for real: inline code packaged as CloudFormation packages
 * it, an image function never published as a zip, and the alias a workspace that declares none
 * needs, created by the createAlias use case (real SDK ↔ sandbox).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, InvokeCommand, ListAliasesCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import type { UseCaseContext } from '../../src/core/usecases';
import { createAlias, deployWorkspace } from '../../src/core/usecases';
import { discoverWorkspace } from '../../src/core/workspace';
import { zipFiles } from '../../src/sandbox';
import { ROLE, useSandbox, sandboxContext } from './helpers';

describe('SAM discovery, deployed (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 20, randomSeed: 11 });
  let n = 0;
  let fn: string;
  let tmp: string;
  let outcomes: Outcome[];
  const ctx = (): UseCaseContext => sandboxContext(h(), { journal: { append: (o) => Promise.resolve(void outcomes.push(o)), lastSwitch: () => Promise.resolve(undefined) } });
  const aliasNames = async () => ((await h().lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases ?? []).map((a) => a.Name).sort();

  /** Version 1 published; no alias. */
  beforeEach(async () => {
    fn = `sam-${++n}`;
    outcomes = [];
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-sam-deploy-'));
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => "v1";\n' }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
  });
  afterEach(() => {
    h().sandbox.faults.clear();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('createAlias', () => {
    it('creates the alias on a published version: done, no before, the alias as after, journalled', async () => {
      const o = await createAlias(ctx(), { functionName: fn, aliasName: 'live', version: '1' });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.equal(o.action, 'create-alias');
      assert.equal(o.before, undefined);
      assert.equal(o.after?.version, '1');
      assert.deepEqual(o.after?.weights, {});
      assert.equal(outcomeText(o), 'Created live on version 1.');
      assert.deepEqual(outcomes, [o]);
      const a = await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(a.FunctionVersion, '1');
      assert.equal(o.target.account !== undefined && a.AliasArn?.includes(`:${o.target.account}:`), true, 'the target is keyed by the alias ARN');
    });

    it('refuses, with nothing created: a bad name, $LATEST, a version that does not exist, a name the function has', async () => {
      await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
      const cases: Array<[string, string, RegExp, string]> = [
        ['7', '1', /'7' is all digits, which Lambda keeps for version numbers/, 'validation'],
        ['my alias', '1', /'my alias' is not a valid alias name: letters, digits, - and _ only/, 'validation'],
        ['x'.repeat(129), '1', /at most 128 characters \(this one has 129\)/, 'validation'],
        ['live', '$LATEST', /'\$LATEST' is not a published version/, 'validation'],
        ['live', '9', /GetFunctionConfiguration .*:9 failed: .*not found/i, 'validation'],
        ['prod', '1', new RegExp(`${fn} already has an alias prod: pick it instead of creating it`), 'conflict'],
      ];
      for (const [name, version, message, kind] of cases) {
        const o = await createAlias(ctx(), { functionName: fn, aliasName: name, version });
        assert.equal(o.state, 'unchanged', `${name}@${version}`);
        assert.match(o.error?.message ?? '', message);
        assert.equal(o.error?.kind, kind, `${name}@${version}: ${o.error?.message}`);
        assert.equal(o.error?.left ?? 'Nothing was created.', 'Nothing was created.');
      }
      assert.deepEqual(await aliasNames(), ['prod'], 'no alias was created');
    });

    it('a CreateAlias whose answer was lost is read back: created is done, not created says so', async () => {
      h().sandbox.faults.add({ operation: 'CreateAlias', kind: 'truncate', times: 1 });
      const landed = await createAlias(ctx(), { functionName: fn, aliasName: 'live', version: '1' });
      assert.equal(landed.state, 'done', outcomeText(landed));
      assert.equal(landed.after?.version, '1');
      h().sandbox.faults.add({ operation: 'CreateAlias', kind: 'drop', times: 10 });
      const lost = await createAlias(ctx(), { functionName: fn, aliasName: 'blue', version: '1' });
      assert.equal(lost.state, 'unchanged', outcomeText(lost));
      assert.match(lost.error?.message ?? '', /CreateAlias blue failed/);
      assert.deepEqual(await aliasNames(), ['live']);
    });
  });

  it('inline code (SAM InlineCode) is packaged as index.js, published and routed; the deployed version runs it', async () => {
    fs.writeFileSync(
      path.join(tmp, 'template.yaml'),
      `Transform: AWS::Serverless-2016-10-31\nResources:\n  Inline:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: ${fn}\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: |\n        exports.handler = async () => "inline";\n`,
    );
    const [ws] = discoverWorkspace(tmp).functions;
    assert.equal(ws.alias, undefined, 'no AutoPublishAlias');
    await createAlias(ctx(), { functionName: fn, aliasName: 'live', version: '1' });
    const o = await deployWorkspace(ctx(), { fn: ws, functionName: fn, aliasName: 'live', weightPercent: 10, trusted: true, smokeTest: false });
    assert.equal(o.state, 'done', outcomeText(o));
    assert.equal(o.versionsPublished[0]?.version, '2');
    const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '2' }));
    assert.equal(JSON.parse(Buffer.from(out.Payload!).toString()), 'inline');
    assert.deepEqual((await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }))).RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
  });

  it('inline code whose handler is not index.* is refused before any upload', async () => {
    fs.writeFileSync(path.join(tmp, 'template.yaml'), `Resources:\n  Inline:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: nodejs20.x, Handler: app.handler, InlineCode: "exports.handler = 1" }\n`);
    const [ws] = discoverWorkspace(tmp).functions;
    await createAlias(ctx(), { functionName: fn, aliasName: 'live', version: '1' });
    // The deployed function starts index.handler; the template's app.handler is refused first.
    const o = await deployWorkspace(ctx(), { fn: ws, functionName: fn, aliasName: 'live', weightPercent: 10, trusted: true, smokeTest: false });
    assert.equal(o.state, 'unchanged');
    assert.match(o.error?.message ?? '', /handler is app\.handler, but .* is configured to start index\.handler/);
    assert.deepEqual(o.versionsPublished, []);
  });

  it('an image function is listed, and refused as a zip publish with nothing uploaded', async () => {
    fs.mkdirSync(path.join(tmp, 'image'));
    fs.writeFileSync(path.join(tmp, 'image', 'Dockerfile'), 'FROM public.ecr.aws/lambda/nodejs:20\n');
    fs.writeFileSync(path.join(tmp, 'template.yaml'), `Resources:\n  Img:\n    Type: AWS::Serverless::Function\n    Properties: { PackageType: Image, AutoPublishAlias: live }\n    Metadata: { DockerContext: image, Dockerfile: Dockerfile }\n`);
    const [ws] = discoverWorkspace(tmp).functions;
    assert.deepEqual([ws.packageType, ws.codeDir, ws.dockerfile, ws.alias], ['Image', path.join(tmp, 'image'), 'Dockerfile', 'live']);
    await createAlias(ctx(), { functionName: fn, aliasName: 'live', version: '1' });
    const o = await deployWorkspace(ctx(), { fn: ws, functionName: fn, aliasName: 'live', weightPercent: 10, trusted: true, smokeTest: false });
    assert.equal(o.state, 'unchanged');
    // The deployed function is a zip function: Lambda never changes a function's package type.
    assert.match(o.error?.message ?? '', /The workspace declares .* as an image function \(PackageType Image\), but it is deployed as a zip function \(PackageType Zip\)/);
    assert.deepEqual(o.versionsPublished, []);
    assert.ok(!o.steps.some((s) => s.name.startsWith('UpdateFunctionCode')), 'nothing uploaded');
  });
});
