import assert from 'node:assert/strict';
import { CreateFunctionUrlConfigCommand, DeleteFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand, GetFunctionUrlConfigCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { Node, RouterNode } from '../../src/extension/tree';
import { Commands } from '../../src/shared/ids';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { ScriptedUi } from './scriptedUi';
import { aliasNode } from './treeNodes';

const TARGET = 'checkout-api';
const ALIAS = 'prod';
const ROUTER = 'checkout-api-router';
const ROLE = 'arn:aws:iam::123456789012:role/checkout-router';

describe('Router commands: create, the tree row, change rule, remove, against the embedded sandbox', function () {
  this.timeout(120_000);
  let api: LambdaCanaryApi;
  let lambda: LambdaClient;
  let ui: ScriptedUi;
  let restore: () => void;

  before(async () => {
    // A new sandbox: checkout-api's prod is 2 with version 3 at 10 % (the demo seed).
    const on = await onEmbeddedSandbox({ reconnect: true });
    api = on.api;
    lambda = new LambdaClient(on.clientConfig);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    // Earlier suites share the sandbox's state: prod goes back to the demo's split (2, and 3 at 10 %).
    await lambda.send(new UpdateAliasCommand({ FunctionName: TARGET, Name: ALIAS, FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } }));
    // The demo seeds a router of its own on checkout-api:prod: these tests create theirs.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: ROUTER })).catch((err: Error) => {
      if (err.name !== 'ResourceNotFoundException') throw err;
    });
    // A trigger that goes through prod, for the router to take: a function URL on the alias.
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: TARGET, Qualifier: ALIAS, AuthType: 'AWS_IAM' })).catch((err: Error) => {
      if (err.name !== 'ResourceConflictException') throw err; // the demo may have one already
    });
  });
  after(() => {
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => {
    ui.reset();
    ui.confirmations = [];
  });
  afterEach(() => {
    ui.answers = [];
  });

  /** The rows under checkout-api ▸ Aliases ▸ prod, read afresh (the router row is looked for on expand). */
  async function prodRows(): Promise<Node[]> {
    const node = await aliasNode(api, TARGET, ALIAS);
    api.tree.refresh(node.parent);
    const fresh = await aliasNode(api, TARGET, ALIAS);
    return api.tree.getChildren(fresh);
  }
  const routerRow = (rows: Node[]): RouterNode | undefined => rows.find((n): n is RouterNode => n.kind === 'router');

  async function routerExists(): Promise<boolean> {
    try {
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ROUTER }));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return false;
      throw err;
    }
  }

  async function urlOn(functionName: string): Promise<string | undefined> {
    try {
      return (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: functionName, Qualifier: ALIAS }))).FunctionUrl;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  }

  async function routeOf(): Promise<{ stable: string; canary: string; rules: unknown[] }> {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: ROUTER, Name: ALIAS }));
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ROUTER, Qualifier: a.FunctionVersion }));
    return JSON.parse(c.Environment?.Variables?.LAMBDA_CANARY_ROUTE ?? '{}') as { stable: string; canary: string; rules: unknown[] };
  }

  it('an invalid header name is refused as typed, with validateRouterConfig\u2019s words, and nothing is created', async () => {
    const node = await aliasNode(api, TARGET, ALIAS);
    ui.script(['routerRuleKind', 'Group'], ['routerGroupSource', 'Header'], ['routerGroupKey', 'not a header']);
    await vscode.commands.executeCommand(Commands.createRouter, node);
    assert.ok(ui.validation.some((m) => m !== undefined && /header name|Rule 1/i.test(m)), `refused as typed: ${JSON.stringify(ui.validation)}`);
    assert.ok(!ui.asked.includes('confirmCreateRouter'), 'not asked to confirm');
    assert.equal(await routerExists(), false);
    assert.equal(routerRow(await prodRows()), undefined, 'no router row under prod');
  });

  it('Create Router… on prod: group x-canary-group = beta → the canary 3; the confirmation says what it creates and costs; the tree shows the router under prod', async () => {
    const node = await aliasNode(api, TARGET, ALIAS);
    ui.script(['routerRuleKind', 'Group'], ['routerGroupSource', 'Header'], ['routerGroupKey', 'x-canary-group'], ['routerGroupValues', 'beta'], ['routerRole', ROLE], ['confirmCreateRouter', true]);
    await vscode.commands.executeCommand(Commands.createRouter, node);
    assert.deepEqual(ui.errors, []);
    const q = ui.confirmations.find((c) => c.id === 'confirmCreateRouter');
    assert.ok(q, 'asked to confirm');
    assert.match(q.message, /checkout-api-router:prod in front of checkout-api:prod/);
    assert.match(q.detail, /header x-canary-group is one of beta → version 3/);
    assert.match(q.detail, /Everything else → version 2/);
    assert.match(q.detail, new RegExp(ROLE));
    assert.match(q.detail, /two invocations/);
    assert.ok(ui.infos.some((m) => /Created router checkout-api-router:prod/.test(m)), `outcome shown: ${JSON.stringify(ui.infos)}`);
    assert.ok(
      ui.offers.some((o) => o.actions.includes('Move Triggers to Router')),
      'offers to move the triggers next',
    );
    const route = await routeOf();
    assert.equal(route.stable, '2');
    assert.equal(route.canary, '3');
    assert.deepEqual(route.rules, [{ kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] }]);

    const row = routerRow(await prodRows());
    assert.ok(row, 'a router row under prod');
    const item = api.tree.getTreeItem(row);
    assert.equal(item.label, 'checkout-api-router:prod');
    assert.equal(item.description, 'beta → 3, others → 2');
    assert.equal(item.contextValue, 'lambdaCanary:router');
    assert.equal(item.accessibilityInformation?.label, 'router checkout-api-router:prod, beta to 3, others to 2');
    assert.match(String((item.tooltip as vscode.MarkdownString).value), /header x\\-canary\\-group is one of beta → version 3/);
  });

  it('Create Router… again is refused (one router per alias) and remembers the role it was given', async () => {
    const node = await aliasNode(api, TARGET, ALIAS);
    ui.script(['routerRuleKind', 'Group']);
    await vscode.commands.executeCommand(Commands.createRouter, node);
    assert.ok(ui.errors.some((m) => /has a router already: checkout-api-router:prod/.test(m)), JSON.stringify(ui.errors));
    assert.ok(!ui.asked.includes('routerRuleKind'), 'refused before any question');
  });

  it('Change Router Rule… from the router row: group beta, staff then sticky 25 % by x-user-id; prefilled with the rule as it is', async () => {
    const row = routerRow(await prodRows());
    assert.ok(row);
    ui.script(
      ['routerRuleKind', 'Group, then sticky percent'],
      ['routerGroupSource', 'Header'],
      ['routerGroupKey', 'x-canary-group'],
      ['routerGroupValues', 'beta, staff'],
      ['routerStickySource', 'Header'],
      ['routerStickyKey', 'x-user-id'],
      ['routerStickyWeight', '25'],
      ['confirmRouterRule', true],
    );
    await vscode.commands.executeCommand(Commands.changeRouterRule, row);
    assert.deepEqual(ui.errors, []);
    assert.equal(ui.inputOptions.routerGroupValues?.value, 'beta', 'the current values are prefilled');
    assert.equal(ui.inputOptions.routerGroupKey?.value, 'x-canary-group');
    const q = ui.confirmations.find((c) => c.id === 'confirmRouterRule');
    assert.ok(q);
    assert.match(q.detail, /Now:[\s\S]*one of beta → version 3[\s\S]*Then:[\s\S]*one of beta, staff → version 3[\s\S]*25\s?% of users/);
    assert.ok(ui.infos.some((m) => /now routes with its new rule/.test(m)), JSON.stringify(ui.infos));
    const route = await routeOf();
    assert.deepEqual(route.rules, [
      { kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta', 'staff'] },
      { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 25 },
    ]);
    const item = api.tree.getTreeItem(routerRow(await prodRows())!);
    assert.match(String(item.description), /^beta, staff → 3, sticky 25\s?% → 3, others → 2$/);
  });

  it('a sticky weight over 100 is refused as typed', async () => {
    const row = routerRow(await prodRows());
    assert.ok(row);
    ui.script(['routerRuleKind', 'Sticky percent'], ['routerStickySource', 'Source IP'], ['routerStickyWeight', '150']);
    await vscode.commands.executeCommand(Commands.changeRouterRule, row);
    assert.ok(ui.validation.some((m) => m !== undefined && /weight|100/.test(m)), JSON.stringify(ui.validation));
    assert.ok(!ui.asked.includes('confirmRouterRule'));
    assert.equal((await routeOf()).rules.length, 2, 'the rule is as it was');
  });

  it('Move Triggers to Router… from the router row: the URL on prod is offered, chosen; the confirmation says callers must switch; the router\u2019s alias gets its own URL', async () => {
    const row = routerRow(await prodRows());
    assert.ok(row);
    ui.script(['routerTriggers', true], ['confirmMoveToRouter', true]);
    await vscode.commands.executeCommand(Commands.moveTriggersToRouter, row);
    assert.deepEqual(ui.errors, []);
    assert.equal(ui.prePicked.routerTriggers?.length, 1, `one trigger through prod, chosen at first: ${JSON.stringify(ui.offered.routerTriggers)}`);
    const q = ui.confirmations.find((c) => c.id === 'confirmMoveToRouter');
    assert.ok(q);
    assert.match(q.message, /Move 1 trigger\(s\) of checkout-api:prod to router checkout-api-router:prod\?/);
    assert.match(q.detail, /new function URL is created on checkout-api-router:prod: callers must switch/);
    assert.ok(ui.infos.some((m) => /Moved 1 of 1 trigger of prod to router checkout-api-router:prod/.test(m)), JSON.stringify(ui.infos));
    assert.ok(await urlOn(ROUTER), 'the router\u2019s alias has a URL');
    assert.ok(await urlOn(TARGET), 'the target keeps its URL');
  });

  it('Move Triggers Back… offers what calls the router\u2019s alias and undoes the move', async () => {
    const row = routerRow(await prodRows());
    assert.ok(row);
    ui.script(['routerTriggers', true], ['confirmMoveBack', true]);
    await vscode.commands.executeCommand(Commands.moveTriggersBack, row);
    assert.deepEqual(ui.errors, []);
    // The URL the move created, and the statements that came with it: all chosen at first.
    assert.ok((ui.prePicked.routerTriggers?.length ?? 0) >= 1, JSON.stringify(ui.offered.routerTriggers));
    assert.ok(ui.infos.some((m) => /Moved (\d+) of \1 triggers? back from router checkout-api-router:prod to prod/.test(m)), JSON.stringify(ui.infos));
    assert.equal(await urlOn(ROUTER), undefined, 'the URL the move created is gone');
    assert.ok(await urlOn(TARGET));
  });

  it('Remove Router: the modal says what is deleted and what stays; the router function is gone, and so is its row', async () => {
    const row = routerRow(await prodRows());
    assert.ok(row);
    ui.script(['confirmRemoveRouter', true]);
    await vscode.commands.executeCommand(Commands.removeRouter, row);
    assert.deepEqual(ui.errors, []);
    const q = ui.confirmations.find((c) => c.id === 'confirmRemoveRouter');
    assert.ok(q);
    assert.match(q.detail, /deleted: the function checkout-api-router/);
    assert.match(q.detail, /Stays: checkout-api/);
    assert.match(q.detail, new RegExp(ROLE));
    assert.ok(ui.infos.some((m) => /Removed router checkout-api-router:prod/.test(m)), JSON.stringify(ui.infos));
    assert.equal(await routerExists(), false);
    assert.equal(routerRow(await prodRows()), undefined);
    // The target is untouched.
    const prod = await lambda.send(new GetAliasCommand({ FunctionName: TARGET, Name: ALIAS }));
    assert.equal(prod.FunctionVersion, '2');
  });

  it('the role given once is offered again for this connection', async () => {
    const node = await aliasNode(api, TARGET, ALIAS);
    ui.script(['routerRuleKind', 'Sticky percent'], ['routerStickySource', 'Source IP'], ['routerStickyWeight', '5']);
    await vscode.commands.executeCommand(Commands.createRouter, node);
    assert.equal(ui.inputOptions.routerRole?.value, ROLE);
    assert.equal(await routerExists(), false, 'dismissed at the role: nothing created');
  });
});
