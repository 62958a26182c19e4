import assert from 'node:assert/strict';
import { GetAliasCommand, LambdaClient, ListVersionsByFunctionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { AliasNode, FunctionNode, GroupNode, Node } from '../../src/extension/tree';
import { Commands, EXTENSION_ID } from '../../src/shared/ids';
import { ScriptedUi } from './scriptedUi';

describe('Lambda Canary commands in a real VS Code, against the embedded sandbox', function () {
  this.timeout(60_000);
  let api: LambdaCanaryApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let lambda: LambdaClient;

  before(async () => {
    await vscode.workspace.getConfiguration('lambdaCanary').update('connection', 'sandbox', vscode.ConfigurationTarget.Global);
    const ext = vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    api = await ext.activate();
    await api.connection.reconnect();
    const clients = await api.connection.current();
    const sandbox = api.connection.embeddedSandbox;
    assert.ok(sandbox, 'the embedded sandbox runs');
    lambda = new LambdaClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    assert.equal(clients.spec.kind, 'sandbox');
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
  });
  after(() => {
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => {
    ui.asked = [];
    ui.errors = [];
    ui.infos = [];
    ui.validation = [];
  });

  const alias = (fn: string, name = 'prod') => lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));

  async function rootFunctions(): Promise<FunctionNode[]> {
    // Pages arrive asynchronously; wait until the listing has finished.
    for (let i = 0; i < 100; i++) {
      const kids = await api.tree.getChildren();
      if (!kids.some((k) => k.kind === 'message' && /Loading/.test(k.text))) return kids.filter((k): k is FunctionNode => k.kind === 'function');
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the function listing never finished');
  }

  async function aliasNodes(fnName: string): Promise<AliasNode[]> {
    api.tree.refresh();
    const fn = (await rootFunctions()).find((f) => f.name === fnName);
    assert.ok(fn, `${fnName} is listed`);
    const [aliases] = (await api.tree.getChildren(fn)) as GroupNode[];
    return ((await api.tree.getChildren(aliases)) as Node[]).filter((n): n is AliasNode => n.kind === 'alias');
  }

  async function aliasItem(fnName: string, aliasName = 'prod'): Promise<{ node: AliasNode; item: vscode.TreeItem }> {
    const node = (await aliasNodes(fnName)).find((a) => a.aliasName === aliasName);
    assert.ok(node, `${fnName}:${aliasName} is in the tree`);
    return { node, item: api.tree.getTreeItem(node) };
  }

  it('lists the demo functions, their aliases with the split, and their versions', async () => {
    const names = (await rootFunctions()).map((f) => f.name);
    assert.deepEqual(names, ['checkout-api', 'image-resizer', 'nightly-report', 'orders-worker']);
    const { item } = await aliasItem('checkout-api');
    assert.equal(item.label, 'prod → 2 (90%) · 3 (10%)');
    assert.equal(item.contextValue, 'lambdaCanary:alias:canary');
    const fn = (await rootFunctions()).find((f) => f.name === 'checkout-api')!;
    const [, versions] = (await api.tree.getChildren(fn)) as GroupNode[];
    const labels = ((await api.tree.getChildren(versions)) as Node[]).map((n) => api.tree.getTreeItem(n).label);
    assert.deepEqual(labels, ['$LATEST', '3', '2', '1']);
  });

  it('filters functions by name', async () => {
    ui.script(['filter', 'orders']);
    await vscode.commands.executeCommand(Commands.filter);
    assert.deepEqual((await rootFunctions()).map((f) => f.name), ['orders-worker']);
    await vscode.commands.executeCommand(Commands.clearFilter);
    assert.equal((await rootFunctions()).length, 4);
  });

  it('rolls back the running canary from the alias node (after a confirmation)', async () => {
    const { node } = await aliasItem('checkout-api');
    ui.script(['confirmRollback', false]);
    await vscode.commands.executeCommand(Commands.rollbackCanary, node);
    assert.deepEqual((await alias('checkout-api')).RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 }, 'declining changes nothing');
    ui.script(['confirmRollback', true]);
    await vscode.commands.executeCommand(Commands.rollbackCanary, node);
    const a = await alias('checkout-api');
    assert.equal(a.FunctionVersion, '2');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    assert.equal((await aliasItem('checkout-api')).item.label, 'prod → 2');
  });

  it('publishes the workspace function as a canary from the palette', async () => {
    ui.script(['weight', '10%']);
    await vscode.commands.executeCommand(Commands.publishCanary);
    assert.deepEqual(ui.errors, []);
    const a = await alias('checkout-api');
    assert.equal(a.FunctionVersion, '2');
    assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '4': 0.1 });
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'checkout-api' }))).Versions!;
    assert.ok(versions.some((v) => v.Version === '4'));
    assert.equal((await aliasItem('checkout-api')).item.label, 'prod → 2 (90%) · 4 (10%)');
    assert.ok(api.panels.get('checkout-api', 'prod'), 'the traffic panel opened after publishing');
    api.panels.get('checkout-api', 'prod')?.dispose();
  });

  it('refuses a typed weight of 150 and changes nothing', async () => {
    const before = await alias('checkout-api');
    const { node } = await aliasItem('checkout-api');
    ui.script(['weight', 'Other weight…'], ['weightInput', '150']);
    await vscode.commands.executeCommand(Commands.setCanaryWeight, node);
    assert.match(ui.validation[0] ?? '', /less than 100%/);
    assert.equal((await alias('checkout-api')).RevisionId, before.RevisionId);
  });

  it('sets the canary weight', async () => {
    const { node } = await aliasItem('checkout-api');
    ui.script(['weight', '25%']);
    await vscode.commands.executeCommand(Commands.setCanaryWeight, node);
    assert.deepEqual((await alias('checkout-api')).RoutingConfig?.AdditionalVersionWeights, { '4': 0.25 });
  });

  it('reports a conflict when the alias changed since the tree loaded it', async () => {
    const { node } = await aliasItem('checkout-api');
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'checkout-api', Name: 'prod', Description: 'changed elsewhere' }));
    ui.script(['confirmPromote', true]);
    await vscode.commands.executeCommand(Commands.promoteCanary, node);
    assert.match(ui.errors.join('\n'), /`prod` changed since you loaded it — refresh and retry/);
    assert.equal((await alias('checkout-api')).FunctionVersion, '2');
  });

  it('promotes the canary', async () => {
    const { node } = await aliasItem('checkout-api');
    ui.script(['confirmPromote', true]);
    await vscode.commands.executeCommand(Commands.promoteCanary, node);
    const a = await alias('checkout-api');
    assert.equal(a.FunctionVersion, '4');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    assert.equal((await aliasItem('checkout-api')).item.label, 'prod → 4');
  });

  it('switches an alias from the palette and switches it back', async () => {
    ui.script(['function', 'orders-worker'], ['alias', 'prod'], ['version', '1']);
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.deepEqual(ui.errors, []);
    assert.equal((await alias('orders-worker')).FunctionVersion, '1');
    assert.equal((await aliasItem('orders-worker')).item.label, 'prod → 1');
    const { node } = await aliasItem('orders-worker');
    await vscode.commands.executeCommand(Commands.switchBack, node);
    assert.equal((await alias('orders-worker')).FunctionVersion, '2');
  });

  it('offers recently used functions first', async () => {
    ui.script();
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.equal(ui.offered.function?.[0], 'orders-worker');
  });

  it('a dismissed prompt is a silent cancel', async () => {
    ui.script();
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(ui.asked, ['function']);
  });
});
