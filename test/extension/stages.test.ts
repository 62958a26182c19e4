import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient, ListVersionsByFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox, TrafficGenerator } from '../../src/sandbox';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import type { ReleaseView } from '../../src/shared/release';
import { RELEASE_ENDS } from '../../src/shared/release';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { ScriptedUi } from './scriptedUi';

type Step = { weight: number; bake?: string; gate?: 'auto' | 'manual' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, seen?: () => unknown): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}${seen ? `; seen: ${JSON.stringify(await seen())}` : ''}`);
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
  function writeWorkspace(steps: Step[] = [{ weight: 100 }]): void {
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
  let traffic: TrafficGenerator | undefined;
  afterEach(() => {
    traffic?.stop();
    traffic = undefined;
  });

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
  async function publish(steps?: Step[]): Promise<ReleaseView> {
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

  it("a promotion to prod waiting at a manual gate: its notification's controls act on prod's release (Promote moves prod's aliases), and it offers no Open Release (the panel shows this connection's releases)", async () => {
    const v = await publish();
    const end = await ended(v.id);
    assert.equal(end.status, 'promoted', end.statusText);
    // The workspace's rollout, the promotion's plan: a manual gate at 50 %, judged on prod's traffic.
    writeWorkspace([{ weight: 50, bake: '2s', gate: 'manual' }, { weight: 100 }]);
    traffic = new TrafficGenerator(prodSandbox.lambda, NAMES.map((functionName) => ({ functionName, qualifier: 'prod', rate: 100 })));
    traffic.start();
    await sleep(1500); // the stable versions' history
    ui.reset();
    await promoteToProd();
    assert.deepEqual(ui.errors, []);
    const started = ui.infos.find((m) => m.includes('prod from staging'));
    assert.ok(started, `the promotion's start is shown: ${JSON.stringify(ui.infos)}`);
    const id = /^Release (\w+) /.exec(started)![1];
    const waiting = await until('the manual gate notice', () => ui.warnings.find((w) => w.message.startsWith(`Release ${id} (lambda-canary.json)`)), 30_000, async () => ({ infos: ui.infos, warnings: ui.warnings, prod: await Promise.all(NAMES.map(prodState)) }));
    assert.ok(waiting.actions.includes('Promote'), `Promote is offered: ${JSON.stringify(waiting)}`);
    assert.ok(!waiting.actions.includes('Open Release'), `no Open Release for a release on another stage's connection: ${JSON.stringify(waiting)}`);
    for (const n of NAMES) assert.equal(Object.values((await routing(prod, n, 'prod')).weights)[0], 0.5, `${n}:prod at 50 %`);
    const onStaging = await Promise.all(NAMES.map(async (n) => (await staging.send(new GetFunctionConfigurationCommand({ FunctionName: n, Qualifier: end.members.find((m) => m.functionName === n)!.version }))).CodeSha256));
    // The button's command, as the notification runs it.
    ui.reset();
    ui.script(['confirmRelease:promote', true]);
    await vscode.commands.executeCommand(Commands.promoteRelease, { releaseId: id });
    assert.deepEqual(ui.errors, []);
    assert.match(ui.confirmations.at(-1)?.message ?? '', new RegExp(`^Promote every function of release ${id} \\(lambda-canary\\.json\\) now\\?$`));
    for (const [i, n] of NAMES.entries()) {
      const alias = await until(`${n}:prod promoted`, async () => {
        const a = await routing(prod, n, 'prod');
        return Object.keys(a.weights).length === 0 && a.version !== '1' && a;
      });
      const onProd = await prod.send(new GetFunctionConfigurationCommand({ FunctionName: n, Qualifier: alias.version }));
      assert.equal(onProd.CodeSha256, onStaging[i], `${n}: prod serves what passed staging`);
    }
    // The staging connection's releases are untouched by it.
    assert.equal(api.releases.view(v.id)?.status, 'promoted');
    // Open Release of it (from the palette with its id): refused with where to follow it, no panel of this connection's metrics opened for it.
    ui.reset();
    await vscode.commands.executeCommand(Commands.openRelease, { releaseId: id });
    assert.equal(ui.errors.length, 1, JSON.stringify(ui.errors));
    assert.match(ui.errors[0], new RegExp(`Release ${id} is on stage prod, another connection: the release panel shows this connection's releases`));
    assert.equal(api.releasePanels.get(id), undefined);
  });
});
