import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { Node, ReleaseMemberNode, ReleaseNode, ReleasesNode } from '../../src/extension/tree';
import { TrafficGenerator } from '../../src/sandbox/traffic';
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

describe('Releases in the editor (Publish Release, the Releases node, controls, the release panel) against the embedded sandbox', function () {
  this.timeout(120_000);
  const NAMES = ['rel-ui-a', 'rel-ui-b', 'rel-ui-c'];
  let api: LambdaCanaryApi;
  let sandbox: NonNullable<LambdaCanaryApi['connection']['embeddedSandbox']>;
  let lambda: LambdaClient;
  let ui: ScriptedUi;
  let restore: () => void;
  let traffic: TrafficGenerator;
  let workspace: string;
  const config = () => path.join(workspace, 'lambda-canary.json');
  let release = 1;

  /** New code for every function (each release publishes a new version of each). */
  function writeWorkspace(): void {
    release++;
    for (const n of NAMES) {
      fs.mkdirSync(path.join(workspace, 'rel', n), { recursive: true });
      fs.writeFileSync(path.join(workspace, 'rel', n, 'index.js'), `exports.handler = async () => ({ name: ${JSON.stringify(n)}, release: ${release} });\n`);
    }
    // The judge loosened as the integration tests do (a busy machine's latency, fewer samples): these tests are about the editor.
    const rollout = { steps: [{ weight: 50, bake: '4s' }], judge: { latencyWarnRatio: 99, latencyFailRatio: 100, minDetectableIncrease: { absolute: 10 } } };
    fs.writeFileSync(config(), JSON.stringify({ rollout, functions: NAMES.map((n) => ({ functionName: n, codeFolder: `rel/${n}`, handler: 'index.handler', alias: 'prod' })) }, null, 2));
  }

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    sandbox = on.sandbox;
    lambda = new LambdaClient(on.clientConfig);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    await vscode.workspace.getConfiguration('lambdaCanary').update('panel.openAfterPublish', false, vscode.ConfigurationTarget.Global);
    for (const n of NAMES) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: n, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: n }));
      await lambda.send(new CreateAliasCommand({ FunctionName: n, Name: 'prod', FunctionVersion: '1' }));
    }
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    fs.renameSync(config(), `${config()}.aside`);
    traffic = new TrafficGenerator(sandbox.lambda, NAMES.map((functionName) => ({ functionName, qualifier: 'prod', rate: 100 })));
    traffic.start();
    await sleep(1500); // the stable versions' history
  });
  after(async () => {
    traffic?.stop();
    for (const v of api.releases.views()) if (!RELEASE_ENDS.has(v.status)) await api.releases.control(v.id, 'abort');
    fs.rmSync(path.join(workspace, 'rel'), { recursive: true, force: true });
    fs.renameSync(`${config()}.aside`, config());
    await vscode.workspace.getConfiguration('lambdaCanary').update('panel.openAfterPublish', undefined, vscode.ConfigurationTarget.Global);
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => ui.reset());
  afterEach(() => sandbox.versionBehaviour.clear());

  const routing = async (n: string) => {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: n, Name: 'prod' }));
    return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {} };
  };
  const ended = (id: string) => until(`release ${id} to end`, () => {
    const v = api.releases.view(id);
    return v && RELEASE_ENDS.has(v.status) && v;
  }, 60_000);
  const releaseRow = async (id: string): Promise<ReleaseNode> => {
    const root = (await api.tree.getChildren()) as Node[];
    const releases = root.find((n): n is ReleasesNode => n.kind === 'releases');
    assert.ok(releases, 'the Releases node is listed');
    const row = ((await api.tree.getChildren(releases)) as Node[]).find((n): n is ReleaseNode => n.kind === 'release' && n.releaseId === id);
    assert.ok(row, `release ${id} is listed`);
    return row;
  };
  /** Publish Release… as from the palette: the workspace's plan, confirmed. */
  async function publish(): Promise<ReleaseView> {
    writeWorkspace();
    const before = new Set(api.releases.views().map((v) => v.id));
    ui.script(['releasePlan', 'lambda-canary.json plan'], ['confirmRelease', true]);
    await vscode.commands.executeCommand(Commands.publishRelease);
    assert.deepEqual(ui.errors, []);
    const v = api.releases.views().find((x) => !before.has(x.id));
    assert.ok(v, 'a release was started');
    return v;
  }

  it('publishes a release of three functions through the workspace plan: confirmed with the list, promoted together, shown in the Releases node', async () => {
    const v = await publish();
    assert.equal(ui.offered.releasePlan[0], 'lambda-canary.json plan', "the workspace's plan first");
    const asked = ui.confirmations.find((c) => c.id === 'confirmRelease')!;
    assert.match(asked.message, /^Release 3 functions of lambda-canary\.json through 50%@4s, 100%\?$/);
    for (const n of NAMES) assert.match(asked.detail, new RegExp(`${n}:prod`));
    const end = await ended(v.id);
    assert.equal(end.status, 'promoted', end.statusText);
    for (const n of NAMES) assert.deepEqual(await routing(n), { version: '2', weights: {} });
    const info = await until('the notification', () => ui.infos.find((m) => m.startsWith(`Release ${v.id} (lambda-canary.json): Promoted`)));
    assert.match(info, /rel-ui-a:prod → 2/);
    const row = await until('the tree to show it promoted', async () => {
      const r = await releaseRow(v.id);
      return api.tree.getTreeItem(r).contextValue === 'lambdaCanary:release:ended' && r;
    });
    const item = api.tree.getTreeItem(row);
    assert.equal(item.label, `lambda-canary.json · ${v.id}`);
    assert.match(String(item.description), /^promoted · 3 functions: 3 promoted$/);
    const members = (await api.tree.getChildren(row)) as ReleaseMemberNode[];
    assert.deepEqual(members.map((m) => api.tree.getTreeItem(m).label), NAMES.map((n) => `${n}:prod`));
    assert.match(String(api.tree.getTreeItem(members[0]).description), /^promoted · 1 → 2/);
  });

  it('one bad function rolls every alias back, and the notification says why', async () => {
    sandbox.versionBehaviour.set({ functionName: 'rel-ui-b', version: '3', errorRate: 0.5 });
    const v = await publish();
    const end = await ended(v.id);
    assert.equal(end.status, 'rolled-back', end.statusText);
    for (const n of NAMES) assert.deepEqual(await routing(n), { version: '2', weights: {} }, `${n} is back on what it served`);
    const warning = await until('the warning', () => ui.warnings.find((w) => w.message.startsWith(`Release ${v.id} (lambda-canary.json): Rolled back`)));
    assert.match(warning.message, /rel-ui-b:prod: .*error/, `it names the function and why: ${warning.message}`);
    assert.deepEqual(warning.actions, ['Open Release']);
  });

  it('a release whose driver is gone shows as interrupted after a reload, with Resume and Restore All; Restore All puts every alias back', async () => {
    writeWorkspace();
    const fns = (await import('../../src/core/workspace')).discoverWorkspace(workspace);
    const def = (await import('../../src/core/releases/definition')).releaseDefinition(fns);
    const started = await api.releases.start({ source: def.source, members: def.members.map((m) => ({ functionName: m.functionName, aliasName: m.aliasName, fn: m.fn })), plan: { ...def.plan!, steps: [{ weight: 30, bakeSeconds: 3600, gate: 'auto' }, { weight: 100, bakeSeconds: 0, gate: 'auto' }] }, trusted: true, smokeTest: false });
    assert.equal(started.error, undefined, started.error?.message);
    const id = started.detail!.id;
    for (const n of NAMES) assert.deepEqual((await routing(n)).weights, { '4': 0.3 });
    // The window goes (its runner stops driving); the next one reads the journal.
    await api.releases.stop();
    ui.reset();
    await api.releases.current();
    const v = api.releases.view(id)!;
    assert.equal(v.status, 'interrupted', v.statusText);
    const warning = await until('the interrupted notice', () => ui.warnings.find((w) => w.message.startsWith(`Release ${id}`)));
    assert.deepEqual(warning.actions, ['Resume', 'Restore All', 'Open Release']);
    const row = await until('the tree to show it interrupted', async () => {
      const r = await releaseRow(id);
      return api.tree.getTreeItem(r).contextValue === 'lambdaCanary:release:interrupted' && r;
    });
    ui.script(['confirmRelease:restore', true]);
    await vscode.commands.executeCommand(Commands.restoreRelease, row);
    assert.deepEqual(ui.errors, []);
    assert.equal(api.releases.view(id)?.status, 'restored');
    for (const n of NAMES) assert.deepEqual(await routing(n), { version: '2', weights: {} }, `${n} restored`);
    assert.match(ui.confirmations.at(-1)!.message, new RegExp(`^Restore every alias of release ${id}`));
  });

  it('the release panel shows the members and the controls, and ignores a malformed message', async () => {
    writeWorkspace();
    const fns = (await import('../../src/core/workspace')).discoverWorkspace(workspace);
    const def = (await import('../../src/core/releases/definition')).releaseDefinition(fns);
    const started = await api.releases.start({ source: def.source, members: def.members.map((m) => ({ functionName: m.functionName, aliasName: m.aliasName, fn: m.fn })), plan: { ...def.plan!, steps: [{ weight: 20, bakeSeconds: 3600, gate: 'auto' }, { weight: 100, bakeSeconds: 0, gate: 'auto' }] }, trusted: true, smokeTest: false });
    const id = started.detail!.id;
    try {
      await vscode.commands.executeCommand(Commands.openRelease, { releaseId: id });
      const panel = api.releasePanels.get(id);
      assert.ok(panel, 'the panel opened');
      const shown = await until('the page to be sent the release', () => panel.posted.find((m) => m.type === 'release' && m.release?.id === id));
      assert.equal(shown.type === 'release' && shown.release?.members.map((m) => `${m.functionName}:${m.aliasName}`).join(','), NAMES.map((n) => `${n}:prod`).join(','));
      const traffic = await until('the combined traffic', () => panel.posted.find((m) => m.type === 'traffic'));
      assert.ok(traffic.type === 'traffic' && traffic.traffic.members === 3);
      // A message that is not one of the page's: ignored, nothing run.
      const ignored = new Promise((resolve) => panel.onDidHandleMessage((o) => o.result === 'ignored' && resolve(o)));
      await panel.receive({ type: 'control', action: 'restore', extra: '<img src=x>' });
      assert.deepEqual(await ignored, { message: undefined, result: 'ignored', detail: "'control' takes exactly { type, action }" });
      await panel.receive({ type: 'control', action: 'delete-everything' });
      assert.equal(api.releases.view(id)?.status, 'running', 'nothing was done');
      // Abort from the panel's button: its command confirms.
      ui.script(['confirmRelease:abort', true]);
      await panel.receive({ type: 'control', action: 'abort' });
      assert.equal(api.releases.view(id)?.status, 'aborted');
      for (const n of NAMES) assert.deepEqual((await routing(n)).weights, {});
      panel.dispose();
    } finally {
      const v = api.releases.view(id);
      if (v && !RELEASE_ENDS.has(v.status)) await api.releases.control(id, 'abort');
    }
  });
});
