import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { CREATE_ALIAS } from '../../src/extension/commands/pickDeployAlias';
import type { FunctionNode } from '../../src/extension/tree';
import { functionNode } from './treeNodes';
import { Commands } from '../../src/shared/ids';
import { ScriptedUi } from './scriptedUi';
import { onEmbeddedSandbox } from './embeddedSandbox';

const FN = 'publish-image-ext';
const DIGEST_A = 'a'.repeat(64);

/**
 * Publish Canary of an image function (a SAM template's PackageType Image) in a real VS Code: the
 * alias picked as for a zip, the image URI typed into a box prefilled with $LATEST's and checked
 * against the connection's region as typed, then the deployImage use case.
 */
describe('Publish Canary of an image function, in a real VS Code', function () {
  this.timeout(60_000);
  let api: LambdaCanaryApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let lambda: LambdaClient;
  let repo: string;
  let region: string;
  const moved: Array<[string, string]> = [];
  const added: string[] = [];

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    const sandbox = on.sandbox;
    region = sandbox.region;
    repo = `123456789012.dkr.ecr.${region}.amazonaws.com/checkout`;
    lambda = new LambdaClient(on.clientConfig);
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, PackageType: 'Image', Role: 'arn:aws:iam::123456789012:role/img', Code: { ImageUri: `${repo}@sha256:${DIGEST_A}` } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1' }));
    // The workspace becomes a SAM project with this image function: its lambda-canary.json (which would win) set aside.
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const config = path.join(workspace, 'lambda-canary.json');
    if (fs.existsSync(config)) {
      moved.push([config, `${config}.aside`]);
      fs.renameSync(config, `${config}.aside`);
    }
    const template = path.join(workspace, 'template.yaml');
    const context = path.join(workspace, 'image-app');
    assert.ok(!fs.existsSync(template) && !fs.existsSync(context), 'the test workspace has no template.yaml or image-app yet');
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM public.ecr.aws/lambda/nodejs:20\n');
    fs.writeFileSync(
      template,
      `Transform: AWS::Serverless-2016-10-31\nResources:\n  ImageFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: ${FN}\n      PackageType: Image\n    Metadata:\n      Dockerfile: Dockerfile\n      DockerContext: ./image-app\n`,
    );
    added.push(template, context);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
  });
  after(() => {
    for (const f of added) fs.rmSync(f, { recursive: true, force: true });
    for (const [from, to] of moved) fs.renameSync(to, from);
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => ui.reset());

  const fnNode = (): Promise<FunctionNode> => functionNode(api, FN);

  it("an image of another region is refused as it is typed (the connection's region); nothing is deployed", async () => {
    const before = await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
    const far = region === 'eu-west-1' ? 'eu-central-1' : 'eu-west-1';
    ui.script(['alias', 'prod'], ['imageUri', `123456789012.dkr.ecr.${far}.amazonaws.com/checkout:v2`], ['weight', '10%']);
    await vscode.commands.executeCommand(Commands.publishCanary, await fnNode());
    assert.deepEqual(ui.offered.alias, ['prod', CREATE_ALIAS], 'the alias is picked as for a zip deploy');
    assert.ok((ui.validation[0] ?? '').startsWith(`The image is in ${far}, but the function is in ${region}: Lambda pulls images from the function's own region only.`), ui.validation[0]);
    assert.ok(!ui.asked.includes('weight'), 'a refused URI stops there');
    assert.deepEqual(ui.errors, []);
    assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }))).RevisionId, before.RevisionId);
  });

  it('from the function node: the alias, then the image URI (prefilled with $LATEST\'s), then the weight; version 2 runs it with 10% of prod', async () => {
    ui.script(['alias', 'prod'], ['imageUri', `${repo}:v2`], ['weight', '10%']);
    await vscode.commands.executeCommand(Commands.publishCanary, await fnNode());
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(
      ui.asked.filter((id) => ['alias', 'imageUri', 'weight'].includes(id)),
      ['alias', 'imageUri', 'weight'],
    );
    assert.deepEqual(ui.validation, [undefined]);
    assert.equal(ui.inputOptions.imageUri?.value, `${repo}@sha256:${DIGEST_A}`, 'prefilled with the image $LATEST runs');
    const prod = await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
    assert.deepEqual(prod.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    const v2 = await lambda.send(new GetFunctionCommand({ FunctionName: FN, Qualifier: '2' }));
    assert.equal(v2.Code?.ImageUri, `${repo}:v2`);
    assert.match(v2.Configuration?.Description ?? '', new RegExp(`^Lambda Canary .* ${repo.replace(/\./g, '\\.')}:v2$`));
    api.panels.get(FN, 'prod')?.dispose();
  });
});
