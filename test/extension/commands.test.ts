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
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { AliasNode, FunctionNode, GroupNode, Node } from '../../src/extension/tree';
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
