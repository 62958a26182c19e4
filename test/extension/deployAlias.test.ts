import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, ListAliasesCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { CREATE_ALIAS } from '../../src/extension/commands/pickDeployAlias';
import type { FunctionNode } from '../../src/extension/tree';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import { ScriptedUi } from './scriptedUi';
import { onEmbeddedSandbox } from './embeddedSandbox';

/**
 * Publish Canary to a function whose alias the workspace does not name (here: from its tree node):
 * its aliases, the last one chosen first, and "Create alias…" last, through the createAlias use case.
 */
describe('Publish Canary: which alias, when the workspace names none', function () {
  this.timeout(60_000);
  const PICK = 'deploy-alias-pick';
  const EMPTY = 'deploy-alias-empty';
  let api: LambdaCanaryApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let lambda: LambdaClient;

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    const sandbox = on.sandbox;
    lambda = new LambdaClient(on.clientConfig);
    const code = { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) };
    for (const name of [PICK, EMPTY]) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/deploy-alias', Code: code }));
    }
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: PICK }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: PICK, Name: 'prod', FunctionVersion: '1' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: PICK, Name: 'staging', FunctionVersion: '1' }));
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
  });
  after(() => {
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => ui.reset());

  async function functionNode(name: string): Promise<FunctionNode> {
    api.tree.refresh();
    for (let i = 0; i < 100; i++) {
      const node = (await api.tree.getChildren()).find((k): k is FunctionNode => k.kind === 'function' && k.name === name);
      if (node) return node;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${name} is not listed`);
  }

  it("lists the function's aliases and Create alias… last; the alias last deployed to is offered first next time", async () => {
    const node = await functionNode(PICK);
    ui.script(['deployOther', true], ['alias', 'staging'], ['weight', '10%']);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(ui.offered.alias, ['prod', 'staging', CREATE_ALIAS]);
    const staging = await lambda.send(new GetAliasCommand({ FunctionName: PICK, Name: 'staging' }));
    assert.deepEqual(Object.values(staging.RoutingConfig?.AdditionalVersionWeights ?? {}), [0.1], 'the canary went to the alias picked');
    api.panels.get(PICK, 'staging')?.dispose();

    ui.script(['deployOther', true]);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.deepEqual(ui.offered.alias, ['staging', 'prod', CREATE_ALIAS], 'the last deployed to first');
    assert.match(ui.offeredItems.alias[0].description ?? '', /last used/);
    // Dismissed at the weight: nothing was deployed, so the choice is not remembered.
    ui.script(['deployOther', true], ['alias', 'prod']);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    ui.script(['deployOther', true]);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.deepEqual(ui.offered.alias, ['staging', 'prod', CREATE_ALIAS], 'still the last deployed to first');
  });

  it('Create alias…: a name checked as Lambda checks it, then an Active published version (those aliases serve first, saying which), then the deploy goes on to it', async () => {
    const node = await functionNode(PICK);
    ui.script(['deployOther', true], ['alias', CREATE_ALIAS], ['aliasName', 'staging']);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.match(ui.validation.at(-1) ?? '', new RegExp(`${PICK} already has an alias staging: pick it from the list instead`));
    ui.script(['deployOther', true], ['alias', CREATE_ALIAS], ['aliasName', '42']);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.match(ui.validation.at(-1) ?? '', /'42' is all digits/);

    ui.script(['deployOther', true], ['alias', CREATE_ALIAS], ['aliasName', 'blue'], ['aliasVersion', '1'], ['weight', '5%']);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(
      ui.offeredItems.aliasVersion.map((i) => [i.label, (i.description ?? '').split(' · ')[0]]),
      [
        ['2', 'serves staging (canary 10%)'],
        ['1', 'serves prod, staging (90%)'],
      ],
      'each version says which aliases serve it',
    );
    const blue = await lambda.send(new GetAliasCommand({ FunctionName: PICK, Name: 'blue' }));
    assert.equal(blue.FunctionVersion, '1');
    assert.deepEqual(Object.values(blue.RoutingConfig?.AdditionalVersionWeights ?? {}), [0.05]);
    const { records } = await api.journal.journal.read({ limit: 2 });
    assert.deepEqual(
      records.map((r) => [r.outcome.action, r.outcome.state, r.outcome.target.alias]),
      [
        ['create-alias', 'done', 'blue'],
        ['deploy', 'done', 'blue'],
      ],
    );
    api.panels.get(PICK, 'blue')?.dispose();
  });

  it('a function without aliases goes straight to Create alias…; without a published version it says what to do, and nothing changes', async () => {
    const node = await functionNode(EMPTY);
    ui.script(['deployOther', true]);
    await vscode.commands.executeCommand(Commands.publishCanary, node);
    assert.ok(!ui.asked.includes('alias'), 'no alias picker to choose from');
    assert.match(ui.errors.join('\n'), new RegExp(`${EMPTY} has no published version, and an alias points to one: publish a version first`));
    assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: EMPTY }))).Aliases, []);
  });
});
