import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, InvokeCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { AliasNode } from '../../src/extension/tree';
import { aliasNode } from './treeNodes';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import type { CommandContext } from '../../src/extension/context';
import { chooseSamBuild } from '../../src/extension/commands/publishBuild';
import { discoverFunctions } from '../../src/core/workspace';
import { ScriptedUi } from './scriptedUi';
import { onEmbeddedSandbox } from './embeddedSandbox';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/sam/esbuild-ts');
const FN = 'publish-build-ts';
const BUILT_JS = (tag: string) => `"use strict";exports.lambdaHandler=async()=>({statusCode:200,body:JSON.stringify({message:${JSON.stringify(tag)}})});\n`;

/**
 * Publish Canary of a SAM TypeScript function (the esbuild-ts fixture) in the test workspace:
 * the question about `sam build`, a stand-in `sam` first on the extension host's PATH.
 */
describe('Publish Canary of a SAM function that needs sam build, in a real VS Code', function () {
  this.timeout(60_000);
  let api: LambdaCanaryApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let lambda: LambdaClient;
  let workspace: string;
  let bin: string;
  const moved: Array<[string, string]> = [];
  const added: string[] = [];
  const savedPath = process.env.PATH;

  before(async () => {
    const on = await onEmbeddedSandbox({ reconnect: true });
    api = on.api;
    lambda = new LambdaClient(on.clientConfig);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'app.lambdaHandler', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: zipFiles({ 'app.js': BUILT_JS('v1') }) } }));
    for (let i = 0; i < 100; i++) {
      try {
        await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1' }));
    // The workspace becomes the SAM project: its lambda-canary.json (which would win) set aside.
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const config = path.join(workspace, 'lambda-canary.json');
    if (fs.existsSync(config)) {
      moved.push([config, `${config}.aside`]);
      fs.renameSync(config, `${config}.aside`);
    }
    for (const name of ['template.yaml', 'hello-world', path.join('events', 'event.json')]) {
      const to = path.join(workspace, name);
      assert.ok(!fs.existsSync(to), `${name} is not in the test workspace yet`);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.cpSync(path.join(FIXTURE, name), to, { recursive: true });
      added.push(to);
    }
    added.push(path.join(workspace, '.aws-sam'));
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ext-sam-'));
    fs.writeFileSync(
      path.join(bin, 'sam'),
      `#!${process.execPath}\nconst fs = require('node:fs');\nconst path = require('node:path');\nfs.writeFileSync(${JSON.stringify(path.join(bin, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));\nconsole.log('Building codeuri: hello-world functions: ' + process.argv[3]);\nconst at = process.argv.indexOf('--build-dir');\nconst dir = at > 0 ? process.argv[at + 1] : path.join('.aws-sam', 'build');\nfs.rmSync(dir, { recursive: true, force: true });\nconst out = path.join(dir, process.argv[3]);\nfs.mkdirSync(out, { recursive: true });\nfs.writeFileSync(path.join(out, 'app.js'), ${JSON.stringify(BUILT_JS('built in VS Code'))});\nfs.writeFileSync(path.join(dir, 'template.yaml'), 'Resources: {}');\n`,
      { mode: 0o755 },
    );
  });
  after(() => {
    process.env.PATH = savedPath;
    for (const f of added) fs.rmSync(f, { recursive: true, force: true });
    for (const [from, to] of moved) fs.renameSync(to, from);
    if (bin) fs.rmSync(bin, { recursive: true, force: true });
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => ui.reset());

  const prodNode = (): Promise<AliasNode> => aliasNode(api, FN, 'prod');

  it('without sam on PATH: an error says what to run where, and nothing is published', async () => {
    process.env.PATH = path.join(bin, 'empty');
    const before = await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
    await vscode.commands.executeCommand(Commands.publishCanary, await prodNode());
    assert.match(ui.errors.join('\n'), /there is no \.aws-sam\/build\/HelloWorldFunction\. Run `sam build HelloWorldFunction` in the workspace folder, then Publish Canary again\. \(`sam`, the AWS SAM CLI, is not on PATH\.\)/);
    assert.ok(!ui.asked.includes('weight'), 'no weight was asked');
    assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }))).RevisionId, before.RevisionId);
  });

  it('with sam on PATH: offers Run sam build (or Cancel), runs it with argv, and publishes what it built', async () => {
    process.env.PATH = [bin, savedPath].join(path.delimiter);
    ui.script(['sampleSmokeEvent', false], ['samBuild', 'Run sam build HelloWorldFunction'], ['weight', '10%']);
    await vscode.commands.executeCommand(Commands.publishCanary, await prodNode());
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(ui.offered.samBuild, ['Run sam build HelloWorldFunction', 'Cancel']);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(bin, 'argv.json'), 'utf8')), ['build', 'HelloWorldFunction', '--build-dir', '.aws-sam/lambda-canary/HelloWorldFunction/build']);
    const a = await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
    assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: FN, Qualifier: '2' }));
    assert.equal(JSON.parse(JSON.parse(Buffer.from(out.Payload!).toString()).body).message, 'built in VS Code');
    api.panels.get(FN, 'prod')?.dispose();
  });

  it('the question shows folder names as text: $(…) in a path is not an icon', async () => {
    process.env.PATH = [bin, savedPath].join(path.delimiter);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ext-icon-'));
    try {
      fs.cpSync(FIXTURE, path.join(root, '$(bug)api'), { recursive: true });
      const [ws] = discoverFunctions(root);
      ui.script(['samBuild', 'Cancel']);
      await assert.rejects(chooseSamBuild({ ui, log: { warn: () => undefined } } as unknown as CommandContext, ws, true));
      const [run] = ui.offeredItems.samBuild;
      assert.equal(run.label, 'Run sam build HelloWorldFunction');
      assert.match(run.description ?? '', /^in \\\$\(bug\)api, into \\\$\(bug\)api\/\.aws-sam\/lambda-canary\/HelloWorldFunction\/build\/HelloWorldFunction \(\.aws-sam\/build stays as it is\), then publish it$/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a fresh build is used without a question', async () => {
    ui.script(['weight', '5%']);
    await vscode.commands.executeCommand(Commands.publishCanary, await prodNode());
    assert.ok(!ui.asked.includes('samBuild'), ui.asked.join(', '));
    api.panels.get(FN, 'prod')?.dispose();
  });
});
