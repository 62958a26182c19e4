import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient, ListVersionsByFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import type { ReleaseView } from '../../src/shared/release';
import { RELEASE_ENDS } from '../../src/shared/release';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { ScriptedUi } from './scriptedUi';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Stages in the editor: the workspace's lambda-canary.json lists `staging` (the connection the
 * extension is on, its embedded sandbox) and `prod` (a second sandbox, another account, started
 * here). Publish Release… goes to staging; Promote Release to Stage… ships what passed it to prod.
 */
describe('Stages in the editor (Publish Release to staging, Promote Release to Stage… to a second sandbox)', function () {
  this.timeout(120_000);
  const NAMES = ['stg-ui-a', 'stg-ui-b'];
  let api: LambdaCanaryApi;
  let staging: LambdaClient;
  let prodSandbox: Sandbox;
  let prod: LambdaClient;
  let ui: ScriptedUi;
  let restore: () => void;
  let workspace: string;
  const config = () => path.join(workspace, 'lambda-canary.json');
  let release = 1;

  /** New code for every function; `bake`: the first step's (a long one keeps the release open). */
  function writeWorkspace(steps: Array<{ weight: number; bake?: string }> = [{ weight: 100 }]): void {
    release++;
    for (const n of NAMES) {
      fs.mkdirSync(path.join(workspace, 'stg', n), { recursive: true });
      fs.writeFileSync(path.join(workspace, 'stg', n, 'index.js'), `exports.handler = async () => ({ name: ${JSON.stringify(n)}, release: ${release} });\n`);
    }
    const rollout = { steps, judge: { latencyWarnRatio: 99, latencyFailRatio: 100, minDetectableIncrease: { absolute: 10 } } };
    const stages = [
      { name: 'staging', alias: 'staging' },
      { name: 'prod', alias: 'prod', endpoint: prodSandbox.endpoint },
    ];
    fs.writeFileSync(config(), JSON.stringify({ rollout, functions: NAMES.map((n) => ({ functionName: n, codeFolder: `stg/${n}`, handler: 'index.handler' })), stages }, null, 2));
  }

  async function createOn(lambda: LambdaClient, settle: () => void, name: string, alias: string): Promise<void> {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }));
  }

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    staging = new LambdaClient(on.clientConfig);
    // The prod account: a sandbox of its own, on this machine's loopback.
    prodSandbox = await startSandbox({ updateDelayMs: 30, accountId: '222222222222' });
    prod = new LambdaClient({ endpoint: prodSandbox.endpoint, region: prodSandbox.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    await vscode.workspace.getConfiguration('lambdaCanary').update('panel.openAfterPublish', false, vscode.ConfigurationTarget.Global);
    for (const n of NAMES) {
      await createOn(staging, () => on.sandbox.settle(), n, 'staging');
      await createOn(prod, () => prodSandbox.settle(), n, 'prod');
    }
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    fs.renameSync(config(), `${config()}.aside`);
  });
  after(async () => {
    for (const v of api.releases.views()) if (!RELEASE_ENDS.has(v.status)) await api.releases.control(v.id, 'abort');
    fs.rmSync(path.join(workspace, 'stg'), { recursive: true, force: true });
    if (fs.existsSync(`${config()}.aside`)) fs.renameSync(`${config()}.aside`, config());
    await vscode.workspace.getConfiguration('lambdaCanary').update('panel.openAfterPublish', undefined, vscode.ConfigurationTarget.Global);
    restore?.();
    staging?.destroy();
    prod?.destroy();
    // The prod stage's runner is the extension's until the connection changes: a reconnect drops it before its sandbox goes.
    await api.connection.reconnect();
    await prodSandbox?.close();
  });
  beforeEach(() => ui.reset());

  const routing = async (lambda: LambdaClient, n: string, alias: string) => {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: n, Name: alias }));
    return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {} };
  };
  /** What the prod sandbox holds of a function: its versions with their CodeSha256, its prod alias. */
  const prodState = async (n: string) => {
    const versions = (await prod.send(new ListVersionsByFunctionCommand({ FunctionName: n }))).Versions!.map((v) => `${v.Version}:${v.CodeSha256}`);
    return { versions, alias: await routing(prod, n, 'prod') };
  };
  const ended = (id: string) =>
    until(`release ${id} to end`, () => {
      const v = api.releases.view(id);
      return v && RELEASE_ENDS.has(v.status) && v;
    }, 60_000);
  /** Publish Release… as from the palette: the workspace's plan, confirmed. */
  async function publish(steps?: Array<{ weight: number; bake?: string }>): Promise<ReleaseView> {
    writeWorkspace(steps);
    const before = new Set(api.releases.views().map((v) => v.id));
    ui.script(['releasePlan', 'lambda-canary.json plan'], ['confirmRelease', true]);
    await vscode.commands.executeCommand(Commands.publishRelease);
    assert.deepEqual(ui.errors, []);
    const v = api.releases.views().find((x) => !before.has(x.id));
    assert.ok(v, 'a release was started on the connection the editor is on');
    return v;
  }
  /** Promote Release to Stage… as from the palette, picking prod and confirming. */
  async function promoteToProd(): Promise<void> {
    ui.script(['promoteStage', 'prod'], ['confirmPromoteStage', true]);
    await vscode.commands.executeCommand(Commands.promoteReleaseToStage);
  }

  it('Publish Release goes to staging; Promote Release to Stage… ships its very packages to prod, whose aliases then route to versions of the same CodeSha256', async () => {
    const v = await publish();
    assert.equal(v.stage, 'staging');
    const asked = ui.confirmations.find((c) => c.id === 'confirmRelease')!;
    assert.match(asked.message, /^Release 2 functions of lambda-canary\.json to staging through /);
    const end = await ended(v.id);
    assert.equal(end.status, 'promoted', end.statusText);
    for (const n of NAMES) assert.deepEqual(await routing(staging, n, 'staging'), { version: '2', weights: {} });
    // Published to staging only: prod is as it was.
    for (const n of NAMES) assert.deepEqual(await routing(prod, n, 'prod'), { version: '1', weights: {} });

    // The workspace moves on after staging: prod must still get what passed staging.
    writeWorkspace();
    ui.reset();
    await promoteToProd();
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(ui.offered.promoteStage, ['prod'], 'only the stages after the first');
    const confirm = ui.confirmations.find((c) => c.id === 'confirmPromoteStage')!;
    assert.equal(confirm.message, 'Promote lambda-canary.json from staging to prod?');
    assert.match(confirm.detail, new RegExp(`uploaded to prod \\(local ${prodSandbox.endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    const started = ui.infos.find((m) => m.includes('prod from staging'));
    assert.ok(started, `the promotion's start is shown: ${JSON.stringify(ui.infos)}`);
    const id = /^Release (\w+) /.exec(started)![1];
    assert.notEqual(id, v.id);
    await until('the promotion to end promoted', () => ui.infos.find((m) => m.startsWith(`Release ${id} (lambda-canary.json): Promoted`)), 60_000);
    for (const n of NAMES) {
      const alias = await routing(prod, n, 'prod');
      assert.deepEqual(alias.weights, {}, `${n}:prod routes to one version`);
      assert.notEqual(alias.version, '1', `${n}:prod moved`);
      const onStaging = await staging.send(new GetFunctionConfigurationCommand({ FunctionName: n, Qualifier: '2' }));
      const onProd = await prod.send(new GetFunctionConfigurationCommand({ FunctionName: n, Qualifier: alias.version }));
      assert.equal(onProd.CodeSha256, onStaging.CodeSha256, `${n}: prod's version holds the code that passed staging`);
      assert.match(onProd.FunctionArn!, /:222222222222:/, 'on the prod account');
      assert.match(onProd.Description ?? '', new RegExp(`staging version 2 in release ${v.id}, promoted to prod`));
    }
  });

  it('refuses to promote a staging release that was aborted, naming it; nothing is written to the prod sandbox', async () => {
    const v = await publish([{ weight: 30, bake: '1h' }, { weight: 100 }]);
    await until(`release ${v.id} to route staging`, async () => (await routing(staging, NAMES[0], 'staging')).weights['3'] === 0.3);
    const aborted = await api.releases.control(v.id, 'abort');
    assert.equal(aborted.error, undefined, aborted.error?.message);
    assert.equal(api.releases.view(v.id)?.status, 'aborted');
    const before = await Promise.all(NAMES.map(prodState));
    ui.reset();
    await promoteToProd();
    assert.equal(ui.errors.length, 1, `one error: ${JSON.stringify(ui.errors)}`);
    assert.match(ui.errors[0], new RegExp(`Release ${v.id} to staging did not finish healthy: it ended aborted`));
    assert.match(ui.errors[0], /Nothing was changed/);
    assert.deepEqual(await Promise.all(NAMES.map(prodState)), before, 'the prod sandbox is as it was');
  });
});
