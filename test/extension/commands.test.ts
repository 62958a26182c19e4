import assert from 'node:assert/strict';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { capabilitiesOf } from '../../src/core/connection';
import { Journal } from '../../src/core/journal';
import type { ActionName } from '../../src/core/outcome';
import { switchAlias } from '../../src/core/usecases';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { AliasNode, FunctionNode, GroupNode, Node, VersionNode } from '../../src/extension/tree';
import { zipFiles } from '../../src/sandbox/zip';
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
    lambda = new LambdaClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId ?? 'x', secretAccessKey: 'x' } });
    assert.equal(clients.spec.kind, 'sandbox');
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
  });
  after(() => {
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => ui.reset());

  const alias = (fn: string, name = 'prod') => lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));

  /** The newest record of the extension's deployment journal: proof the command ran a use case. */
  async function lastRecord(): Promise<{ action: ActionName; state: string; target: string }> {
    const { records } = await api.journal.journal.read({ limit: 1 });
    assert.equal(records.length, 1, 'the journal holds a record');
    const o = records[0].outcome;
    return { action: o.action, state: o.state, target: `${o.target.function}:${o.target.alias}` };
  }

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
    assert.deepEqual(names, ['checkout-api', 'checkout-api-router', 'deploy-check', 'image-resizer', 'nightly-report', 'orders-worker', 'price-quote', 'shop-notifications', 'shop-orders-api', 'shop-payments']);
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
    assert.deepEqual((await rootFunctions()).map((f) => f.name), ['orders-worker', 'shop-orders-api']);
    await vscode.commands.executeCommand(Commands.clearFilter);
    assert.equal((await rootFunctions()).length, 10, 'the demo functions, deploy-check and checkout-api-router among them');
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
    assert.deepEqual(await lastRecord(), { action: 'rollback', state: 'done', target: 'checkout-api:prod' });
    assert.match(ui.infos.join('\n'), /checkout-api: Rolled back: prod → 2 \(100%\); version 3 gets no traffic\./);
    assert.equal((await aliasItem('checkout-api')).item.label, 'prod → 2');
  });

  it('publishes the workspace function as a canary from the palette', async () => {
    // The demo's API Gateway permission on the unqualified checkout-api bypasses prod: the pre-flight says so first.
    ui.script(['preflight', 'Go On'], ['weight', '10%']);
    await vscode.commands.executeCommand(Commands.publishCanary);
    assert.deepEqual(ui.errors, []);
    assert.equal(ui.asked.filter((id) => id === 'preflight').length, 1, 'one pre-flight question');
    const a = await alias('checkout-api');
    assert.equal(a.FunctionVersion, '2');
    assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '4': 0.1 });
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'checkout-api' }))).Versions!;
    assert.ok(versions.some((v) => v.Version === '4'));
    assert.deepEqual(await lastRecord(), { action: 'deploy', state: 'done', target: 'checkout-api:prod' });
    assert.match(ui.infos.join('\n'), /Published version 4\. 10% of prod goes to version 4: prod → 2 \(90%\) · 4 \(10%\)\./);
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
    assert.equal((await lastRecord()).action, 'deploy', 'no use case ran');
  });

  it('sets the canary weight', async () => {
    const { node } = await aliasItem('checkout-api');
    ui.script(['weight', '25%']);
    await vscode.commands.executeCommand(Commands.setCanaryWeight, node);
    assert.deepEqual((await alias('checkout-api')).RoutingConfig?.AdditionalVersionWeights, { '4': 0.25 });
    assert.deepEqual(await lastRecord(), { action: 'weight', state: 'done', target: 'checkout-api:prod' });
  });

  it('reports a conflict when the alias changed since the tree loaded it', async () => {
    const { node } = await aliasItem('checkout-api');
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'checkout-api', Name: 'prod', Description: 'changed elsewhere' }));
    ui.script(['confirmPromote', true]);
    await vscode.commands.executeCommand(Commands.promoteCanary, node);
    assert.match(ui.errors.join('\n'), /`prod` changed since you loaded it — refresh and retry/);
    assert.equal((await alias('checkout-api')).FunctionVersion, '2');
    assert.deepEqual(await lastRecord(), { action: 'promote', state: 'unchanged', target: 'checkout-api:prod' }, 'the refusal is journalled too');
  });

  it('promotes the canary', async () => {
    const { node } = await aliasItem('checkout-api');
    ui.script(['confirmPromote', true]);
    await vscode.commands.executeCommand(Commands.promoteCanary, node);
    const a = await alias('checkout-api');
    assert.equal(a.FunctionVersion, '4');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    assert.deepEqual(await lastRecord(), { action: 'promote', state: 'done', target: 'checkout-api:prod' });
    assert.equal((await aliasItem('checkout-api')).item.label, 'prod → 4');
  });

  it('switches an alias from the palette and switches it back', async () => {
    ui.script(['function', 'orders-worker'], ['alias', 'prod'], ['version', '1']);
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.deepEqual(ui.errors, []);
    assert.equal((await alias('orders-worker')).FunctionVersion, '1');
    assert.deepEqual(await lastRecord(), { action: 'switch', state: 'done', target: 'orders-worker:prod' });
    assert.match(ui.infos.join('\n'), /orders-worker: Switched prod: 2 → 1\./);
    assert.equal((await aliasItem('orders-worker')).item.label, 'prod → 1');
    const { node } = await aliasItem('orders-worker');
    await vscode.commands.executeCommand(Commands.switchBack, node);
    assert.deepEqual(ui.errors, []);
    assert.equal((await alias('orders-worker')).FunctionVersion, '2');
    assert.deepEqual(await lastRecord(), { action: 'switch-back', state: 'done', target: 'orders-worker:prod' });
  });

  it('offers recently used functions first', async () => {
    ui.script();
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.deepEqual(ui.offered.function?.slice(0, 2), ['orders-worker', 'checkout-api'], 'from the journal, newest first');
  });

  it('a dismissed prompt is a silent cancel', async () => {
    ui.script();
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(ui.asked, ['function']);
  });

  describe('tree actions on versions and aliases, through the use cases', () => {
    const FN = 'commands-stages';

    before(async () => {
      const sandbox = api.connection.embeddedSandbox!;
      await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/commands-stages', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
      for (const n of [2, 3]) {
        sandbox.settle();
        await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': `exports.handler = async () => ${n};` }) }));
      }
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
      sandbox.settle();
      await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'staging', FunctionVersion: '3' }));
    });
    // Each case starts from prod → 1 and staging → 3, no canary.
    beforeEach(async () => {
      await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
      await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'staging', FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: {} } }));
    });
    afterEach(() => {
      ui.answers = [];
    });

    async function versionNode(version: string): Promise<VersionNode> {
      api.tree.refresh();
      const fn = (await rootFunctions()).find((f) => f.name === FN);
      assert.ok(fn, `${FN} is listed`);
      const [, versions] = (await api.tree.getChildren(fn)) as GroupNode[];
      const node = ((await api.tree.getChildren(versions)) as Node[]).find((n): n is VersionNode => n.kind === 'version' && n.version.Version === version);
      assert.ok(node, `version ${version} of ${FN} is in the tree`);
      assert.equal(api.tree.getTreeItem(node).contextValue, 'lambdaCanary:version', 'the menus show its actions');
      return node;
    }

    it('Start Canary on… (version node): alias, weight, confirmation → the version gets that share', async () => {
      const node = await versionNode('2');
      ui.script(['alias', 'prod'], ['weight', '10%'], ['confirmCanary', false]);
      await vscode.commands.executeCommand(Commands.startCanaryOn, node);
      assert.equal((await alias(FN)).RoutingConfig?.AdditionalVersionWeights, undefined, 'declining changes nothing');
      assert.deepEqual(ui.offered.alias, ['prod', 'staging']);
      assert.match(ui.confirmations.at(-1)!.message, /^Send 10% of prod to version 2\?$/);
      assert.match(ui.confirmations.at(-1)!.detail, /commands-stages:prod → 1 now\. After this, version 2 gets 10% and version 1 keeps 90%/);

      ui.script(['alias', 'prod'], ['weight', 'Other weight…'], ['weightInput', '2.5'], ['confirmCanary', true]);
      await vscode.commands.executeCommand(Commands.startCanaryOn, node);
      assert.deepEqual(ui.errors, []);
      const a = await alias(FN);
      assert.equal(a.FunctionVersion, '1');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.025 });
      assert.deepEqual(await lastRecord(), { action: 'canary', state: 'done', target: `${FN}:prod` });
      assert.match(ui.infos.join('\n'), /commands-stages: Canary started: 2\.5% of prod goes to version 2/);
    });

    it('Start Canary on… an alias that already runs a canary is refused, and says why', async () => {
      await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.05 } } }));
      const before = await alias(FN);
      const node = await versionNode('2');
      ui.script(['alias', 'prod'], ['weight', '10%'], ['confirmCanary', true]);
      await vscode.commands.executeCommand(Commands.startCanaryOn, node);
      assert.match(ui.errors.join('\n'), /prod already runs a canary \(version 3 at 5%\)\. Promote or roll it back first\./);
      assert.equal((await alias(FN)).RevisionId, before.RevisionId, 'nothing was written');
      assert.deepEqual(await lastRecord(), { action: 'canary', state: 'unchanged', target: `${FN}:prod` });
    });

    it('Switch Alias to this Version… (version node): alias, confirmation → all traffic moves', async () => {
      const node = await versionNode('3');
      ui.script(['alias', 'prod'], ['confirmSwitch', false]);
      await vscode.commands.executeCommand(Commands.switchAliasToVersion, node);
      assert.equal((await alias(FN)).FunctionVersion, '1', 'declining changes nothing');
      ui.script(['alias', 'prod'], ['confirmSwitch', true]);
      await vscode.commands.executeCommand(Commands.switchAliasToVersion, node);
      assert.deepEqual(ui.errors, []);
      assert.equal((await alias(FN)).FunctionVersion, '3');
      assert.deepEqual(await lastRecord(), { action: 'switch', state: 'done', target: `${FN}:prod` });
      // The alias that already serves the version: nothing to do, said as information.
      ui.script(['alias', 'staging'], ['confirmSwitch', true]);
      ui.infos = [];
      await vscode.commands.executeCommand(Commands.switchAliasToVersion, node);
      assert.deepEqual(ui.errors, []);
      assert.match(ui.infos.join('\n'), /staging already points to version 3\. Nothing to do\./);
    });

    it("Canary This Version on… (alias node): staging's version as a canary on prod, nothing uploaded", async () => {
      const versionsBefore = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: FN }))).Versions!.length;
      const staging = (await aliasNodes(FN)).find((n) => n.aliasName === 'staging')!;
      ui.script(['alias', 'prod'], ['weight', '25%'], ['confirmCanary', true]);
      await vscode.commands.executeCommand(Commands.canaryThisVersionOn, staging);
      assert.deepEqual(ui.errors, []);
      assert.deepEqual(ui.offered.alias, ['prod'], 'only the other aliases are offered');
      assert.match(ui.confirmations.at(-1)!.detail, /^staging runs version 3\. commands-stages:prod → 1 now\./);
      const a = await alias(FN);
      assert.equal(a.FunctionVersion, '1');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '3': 0.25 });
      assert.equal((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: FN }))).Versions!.length, versionsBefore, 'no version published');
      assert.deepEqual(await lastRecord(), { action: 'canary', state: 'done', target: `${FN}:prod` });
      // Again, now that prod runs that canary: refused by the use case, nothing written.
      const before = await alias(FN);
      ui.script(['alias', 'prod'], ['weight', '5%'], ['confirmCanary', true]);
      await vscode.commands.executeCommand(Commands.canaryThisVersionOn, staging);
      assert.match(ui.errors.join('\n'), /prod already runs a canary \(version 3 at 25%\)/);
      assert.equal((await alias(FN)).RevisionId, before.RevisionId);
    });

    it('the tree actions are in the palette too: run without a node, they ask for the function and the version (or alias) first', async () => {
      const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: { commandPalette: Array<{ command: string; when: string }> } } };
      for (const id of [Commands.startCanaryOn, Commands.switchAliasToVersion, Commands.canaryThisVersionOn, Commands.rollOutVersionOn, Commands.copyArn]) {
        assert.notEqual(pkg.contributes.menus.commandPalette.find((m) => m.command === id)?.when, 'false', id);
      }
      const before = await alias(FN);
      for (const id of [Commands.startCanaryOn, Commands.switchAliasToVersion]) {
        ui.reset();
        ui.script(['function', FN], ['version', '2']); // then the alias picker is dismissed: nothing written
        await vscode.commands.executeCommand(id);
        assert.deepEqual(ui.asked, ['function', 'version', 'alias'], id);
        assert.deepEqual(ui.errors, [], id);
      }
      ui.reset();
      ui.script(['function', FN]); // the alias whose version to try, dismissed
      await vscode.commands.executeCommand(Commands.canaryThisVersionOn);
      assert.deepEqual(ui.asked, ['function', 'alias']);
      assert.equal((await alias(FN)).RevisionId, before.RevisionId);
    });

    it('onDidChangeAlias, fired from the journal append, redraws the function in the tree', async () => {
      api.tree.refresh();
      const fn = (await rootFunctions()).find((f) => f.name === FN)!;
      const [aliasGroup] = (await api.tree.getChildren(fn)) as GroupNode[];
      const labels = async () => ((await api.tree.getChildren(aliasGroup)) as Node[]).map((n) => api.tree.getTreeItem(n).label);
      assert.deepEqual(await labels(), ['prod → 1', 'staging → 3']);
      const prod = ((await api.tree.getChildren(aliasGroup)) as Node[]).find((n): n is AliasNode => n.kind === 'alias' && n.aliasName === 'prod')!;
      const changes: string[] = [];
      const redrawn: Node[] = [];
      const subs = [
        api.aliases.onDidChangeAlias((e) => changes.push(`${e.functionName}:${e.aliasName} ${e.outcome.action} ${e.outcome.state}`)),
        api.tree.onDidChangeTreeData((n) => n && redrawn.push(n)),
      ];
      try {
        ui.script(['version', '2']);
        await vscode.commands.executeCommand(Commands.switchAlias, prod);
      } finally {
        for (const d of subs) d.dispose();
      }
      assert.deepEqual(changes, [`${FN}:prod switch done`]);
      assert.ok(redrawn.includes(fn), 'the function node was redrawn');
      // Without a refresh by the test: the node reloaded its aliases.
      assert.deepEqual(await labels(), ['prod → 2', 'staging → 3']);
    });

    it('Switch Back after a reload: a switch recorded by an earlier Journal on the same storage is undone', async () => {
      // The previous window: its own Journal instance on the extension's storage, gone now.
      const previous = new Journal(api.journal.journal.dir, { client: { kind: 'vscode', version: 'previous window' } });
      const clients = await api.connection.current();
      const o = await switchAlias(
        {
          lambda,
          cloudwatch: clients.cloudwatch,
          capabilities: capabilitiesOf(clients.spec),
          log: api.connection.log,
          region: clients.spec.region,
          journal: { append: (x) => previous.append(x, { connection: { kind: 'sandbox', label: 'sandbox' } }), lastSwitch: (k) => previous.lastSwitch(k) },
        },
        { functionName: FN, aliasName: 'prod', version: '2' },
      );
      assert.equal(o.state, 'done', o.error?.message);
      // This window's Journal never saw that append: Switch Back finds it in the file.
      ui.script(['function', FN], ['alias', 'prod']);
      await vscode.commands.executeCommand(Commands.switchBack);
      assert.deepEqual(ui.errors, []);
      assert.deepEqual(ui.offered.alias, ['prod'], 'only aliases with a switch in the journal are offered');
      assert.equal((await alias(FN)).FunctionVersion, '1');
      assert.deepEqual(await lastRecord(), { action: 'switch-back', state: 'done', target: `${FN}:prod` });
      // Nothing left to undo on staging; prod's switch back is itself undoable (back to 2).
      const key = `123456789012/${clients.spec.region}/${FN}:prod`;
      assert.deepEqual(await previous.lastSwitch(key).then((r) => r && { from: r.from, to: r.to }), { from: '2', to: '1' });
    });
  });

  describe('hostile text and double clicks', () => {
    const FN = 'commands-hostile';
    const TOKEN = 'IQoJb3JpZ2luX2VjEHAaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexampleAiAv8gx1Ap+Xb/7Qm4MbKoKp8CCMn//////////wEQABoM';
    const LINK = /\[[^\]]+\]\((?:https?:\/\/|command:|file:)[^)\s]+/i;

    before(async () => {
      const sandbox = api.connection.embeddedSandbox!;
      const role = 'arn:aws:iam::123456789012:role/commands-hostile';
      await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 2;' }) }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
      sandbox.settle();
      await lambda.send(
        new CreateAliasCommand({
          FunctionName: FN,
          Name: 'prod',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
          Description: '[Promote now](command:lambdaCanary.promoteCanary) ![](https://tracker.example/p.gif) <b>$(pass) approved</b>',
        }),
      );
    });
    afterEach(() => api.connection.embeddedSandbox!.faults.clear());

    it("an alias description's links, images, HTML and icons show as text in the tree", async () => {
      const { item } = await aliasItem(FN);
      const tip = item.tooltip;
      assert.ok(tip instanceof vscode.MarkdownString, 'a Markdown tooltip');
      assert.notEqual(tip.isTrusted, true, 'no command links run from it');
      assert.notEqual(tip.supportHtml, true, 'no HTML');
      assert.notEqual(tip.supportThemeIcons, true, 'no icons');
      assert.match(tip.value, /Description: \\\[Promote now\\\]\\\(command\\:lambdaCanary\\\.promoteCanary\\\)/, tip.value);
      assert.match(tip.value, /\\!\\\[\\\]\\\(https\\:/, 'the image is escaped');
      assert.match(tip.value, /\\<b\\>\\\$\\\(pass\\\)/, 'HTML and the icon are escaped');
    });

    it('a double-clicked Promote asks once; the second click is told the alias is busy', async () => {
      const { node } = await aliasItem(FN);
      ui.script(['confirmPromote', false], ['confirmPromote', false]);
      await Promise.all([vscode.commands.executeCommand(Commands.promoteCanary, node), vscode.commands.executeCommand(Commands.promoteCanary, node)]);
      assert.deepEqual(ui.asked, ['confirmPromote'], 'one confirmation, not one per click');
      assert.match(ui.infos.join('\n'), /commands-hostile:prod is busy: wait for the current promote to finish/);
      assert.equal((await alias(FN)).FunctionVersion, '1');
      ui.answers = [];
    });

    it('an AWS error echoing a session token and a command link: the notification holds neither', async () => {
      const before = await alias(FN);
      // A server error that quotes the request (the sandbox answers a failing hook with a 500 carrying its message).
      api.connection.embeddedSandbox!.faults.add({
        operation: 'GetAlias',
        kind: 'hook',
        times: 5,
        hook: () => {
          throw new Error(`Not authorized. [Fix it](command:workbench.action.terminal.new) X-Amz-Security-Token=${TOKEN}`);
        },
      });
      const { node } = await aliasItem(FN);
      ui.script(['confirmRollback', true]);
      await vscode.commands.executeCommand(Commands.rollbackCanary, node);
      const shown = ui.errors.join('\n');
      assert.match(shown, /ServiceException: An internal error occurred: Not authorized\./);
      assert.doesNotMatch(shown, LINK, shown);
      assert.ok(!shown.includes(TOKEN.slice(0, 30)), shown);
      const after = await alias(FN);
      assert.equal(after.RevisionId, before.RevisionId, 'nothing changed');
    });

    describe('Publish Canary holds the alias', () => {
      const PUB = 'commands-publish';
      before(async () => {
        const sandbox = api.connection.embeddedSandbox!;
        await lambda.send(new CreateFunctionCommand({ FunctionName: PUB, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/commands-publish', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
        sandbox.settle();
        await lambda.send(new PublishVersionCommand({ FunctionName: PUB }));
        sandbox.settle();
        await lambda.send(new CreateAliasCommand({ FunctionName: PUB, Name: 'prod', FunctionVersion: '1' }));
      });
      // Each case starts from prod → 1 with no canary (a publish refuses to replace one).
      beforeEach(() => lambda.send(new UpdateAliasCommand({ FunctionName: PUB, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } })));
      afterEach(() => {
        ui.answers = [];
        ui.whilePicking = undefined;
        api.panels.get(PUB, 'prod')?.dispose();
      });
      const versionCount = async () => (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: PUB }))).Versions!.length;

      it('a double-run Publish Canary publishes once; the second run is told the alias is busy', async () => {
        const { node } = await aliasItem(PUB);
        const before = await versionCount();
        // Both runs are scripted to go all the way: only the claim can stop the second.
        ui.script(['deployOther', true], ['deployOther', true], ['weight', '10%'], ['weight', '10%']);
        await Promise.all([vscode.commands.executeCommand(Commands.publishCanary, node), vscode.commands.executeCommand(Commands.publishCanary, node)]);
        assert.deepEqual(ui.errors, []);
        assert.equal(ui.asked.filter((id) => id === 'weight').length, 1, 'one weight picker, not one per run');
        assert.match(ui.infos.join('\n'), /commands-publish:prod is busy: wait for the current publish to finish/);
        assert.equal(await versionCount(), before + 1, 'one version published');
        const newest = Math.max(...(await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: PUB }))).Versions!.map((v) => Number(v.Version)).filter(Number.isFinite));
        assert.deepEqual((await alias(PUB)).RoutingConfig?.AdditionalVersionWeights, { [String(newest)]: 0.1 });
      });

      it('Set Canary Weight while a publish waits for its weight is told the alias is busy, and changes nothing', async () => {
        const { node } = await aliasItem(PUB);
        const before = await alias(PUB);
        ui.script(['deployOther', true], ['weight', '25%'], ['weight', '5%']);
        // The publish's weight picker is open: the user runs Set Canary Weight meanwhile.
        ui.whilePicking = async () => {
          await vscode.commands.executeCommand(Commands.setCanaryWeight, node);
          assert.equal((await alias(PUB)).RevisionId, before.RevisionId, 'the apply changed nothing');
        };
        await vscode.commands.executeCommand(Commands.publishCanary, node);
        assert.deepEqual(ui.errors, []);
        assert.match(ui.infos.join('\n'), /commands-publish:prod is busy: wait for the current publish to finish/);
        assert.deepEqual(Object.values((await alias(PUB)).RoutingConfig?.AdditionalVersionWeights ?? {}), [0.05], 'the publish went on with its own weight');
      });
    });

    it('a request the embedded sandbox refuses (a web page with an Origin) is a warning in the log', async () => {
      const sandbox = api.connection.embeddedSandbox!;
      const warned: string[] = [];
      const log = api.connection.log;
      const original = log.warn;
      log.warn = (m: string) => {
        warned.push(m);
        original.call(log, m);
      };
      try {
        const res = await fetch(`${sandbox.endpoint}/2015-03-31/functions/`, { headers: { Origin: 'https://evil.example' } });
        assert.equal(res.status, 403);
        await res.arrayBuffer();
        for (let i = 0; i < 50 && warned.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      } finally {
        log.warn = original;
      }
      assert.equal(warned.length, 1, warned.join('\n'));
      assert.match(warned[0], /^Local sandbox refused a request: GET \/2015-03-31\/functions\/ .*refused: /);
    });
  });
});
