import assert from 'node:assert/strict';
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { preflight } from '../../src/core/triggers';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { GroupNode, MessageNode, Node, TriggerNode, VersionNode } from '../../src/extension/tree';
import { triggerTooltip } from '../../src/extension/triggerText';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import { markdownText } from '../../src/shared/text';
import type { TriggerView } from '../../src/shared/triggers';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { ScriptedUi } from './scriptedUi';
import { aliasNode, functionNode } from './treeNodes';

const DEMO = 'orders-worker';
const PLAIN = 'triggers-plain';
const ROLES = 'triggers-roles';
const noop = () => undefined;

describe('Triggers in the tree, their fixes and the pre-flight, against the embedded sandbox', function () {
  this.timeout(90_000);
  let api: LambdaCanaryApi;
  let sandbox: NonNullable<LambdaCanaryApi['connection']['embeddedSandbox']>;
  let lambda: LambdaClient;
  let ui: ScriptedUi;
  let restore: () => void;

  before(async () => {
    // A new sandbox: the demo seed as it starts (another suite may have fixed its triggers).
    const on = await onEmbeddedSandbox({ reconnect: true });
    api = on.api;
    sandbox = on.sandbox;
    lambda = new LambdaClient(on.clientConfig);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    // Two functions without triggers: versions 1 and 2 behind prod → 1; the second's version 2 runs under another role.
    for (const [fn, role2] of [
      [PLAIN, 'arn:aws:iam::123456789012:role/triggers-plain'],
      [ROLES, 'arn:aws:iam::123456789012:role/triggers-other'],
    ] as const) {
      const zip = (n: number) => zipFiles({ 'index.js': `exports.handler = async () => ${n};` });
      await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/triggers-plain', Code: { ZipFile: zip(1) } }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zip(2) }));
      sandbox.settle();
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: role2 }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
      sandbox.settle();
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
    }
  });
  after(() => {
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => {
    ui.reset();
    ui.confirmations = [];
    ui.choices = {};
  });
  afterEach(() => {
    ui.answers = [];
  });

  /** The rows under `fn` ▸ Triggers (read afresh). */
  async function triggerRows(fn: string): Promise<Node[]> {
    const node = await functionNode(api, fn);
    api.tree.refresh(node);
    const groups = (await api.tree.getChildren(node)) as GroupNode[];
    const group = groups.find((g) => g.group === 'triggers');
    assert.ok(group, `${fn} has a Triggers group`);
    const item = api.tree.getTreeItem(group);
    assert.equal(item.label, 'Triggers');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'read on expand, not with the function');
    assert.equal(item.contextValue, 'lambdaCanary:triggers');
    return api.tree.getChildren(group);
  }

  const triggersIn = (rows: Node[]): TriggerNode[] => rows.filter((n): n is TriggerNode => n.kind === 'trigger');

  /** The demo's queue mapping that bypasses prod. */
  async function bypassingMapping(): Promise<TriggerNode | undefined> {
    return triggersIn(await triggerRows(DEMO)).find((n) => n.trigger.kind === 'event-source-mapping' && n.trigger.verdict === 'bypasses');
  }

  function iconOf(item: vscode.TreeItem): string | undefined {
    return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
  }

  async function versionNode(fn: string, version: string): Promise<VersionNode> {
    const node = await functionNode(api, fn);
    const [, versions] = (await api.tree.getChildren(node)) as GroupNode[];
    const found = ((await api.tree.getChildren(versions)) as Node[]).find((n): n is VersionNode => n.kind === 'version' && n.version.Version === version);
    assert.ok(found, `version ${version} of ${fn} is in the tree`);
    return found;
  }

  const routing = async (fn: string) => {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
    return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {}, revisionId: a.RevisionId };
  };

  it(`lists ${DEMO}'s triggers under Triggers: the queue mapping that bypasses prod is flagged ⚠ with its fix, the ARN in the tooltip`, async () => {
    const rows = await triggerRows(DEMO);
    const triggers = triggersIn(rows);
    assert.ok(triggers.length > 0, `${DEMO} has triggers in the demo`);
    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: DEMO }))).EventSourceMappings ?? [];
    for (const node of triggers) {
      const t = node.trigger;
      const item = api.tree.getTreeItem(node);
      assert.equal(item.label, t.label);
      if (t.verdict === 'through') {
        assert.match(String(item.description), /^✓ through \S+/, t.id);
        assert.equal(iconOf(item), 'pass', t.id);
      } else if (t.verdict === 'bypasses') {
        assert.match(String(item.description), /^⚠ bypasses — (\$LATEST|version \d+)/, t.id);
        assert.equal(iconOf(item), 'warning', t.id);
      }
      const expected = { 'route-through-alias': 'lambdaCanary:trigger:fix-route', 'create-url-on-alias': 'lambdaCanary:trigger:fix-url', 'grant-on-alias': 'lambdaCanary:trigger:fix-grant' };
      assert.equal(item.contextValue, t.fix ? expected[t.fix.action] : 'lambdaCanary:trigger', t.id);
      const tip = item.tooltip as vscode.MarkdownString;
      assert.equal(tip.isTrusted, false);
      assert.ok(tip.value.includes(markdownText(t.target)), `the tooltip names what ${t.id} calls`);
    }
    const mapping = await bypassingMapping();
    assert.ok(mapping, `the demo's ${DEMO} queue mapping bypasses prod: ${JSON.stringify(triggers.map((n) => [n.trigger.id, n.trigger.verdict]))}`);
    const item = api.tree.getTreeItem(mapping);
    assert.equal(item.contextValue, 'lambdaCanary:trigger:fix-route', 'Route Through Alias shows on it');
    assert.equal(mapping.trigger.fix?.alias, 'prod');
    const onAws = mappings.find((m) => `esm:${m.UUID}` === mapping.trigger.id);
    assert.ok(onAws, 'the tree shows a mapping that exists');
    assert.doesNotMatch(onAws.FunctionArn!, /:prod$/, 'on AWS it does not target prod');
    const tip = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(tip.includes(markdownText(onAws.EventSourceArn)), `the tooltip has the queue's ARN: ${tip}`);
    // What could not be read is a warning row, never a failure of the whole group.
    for (const m of rows.filter((n): n is MessageNode => n.kind === 'message')) assert.equal(m.isError, false, m.text);
  });

  it('under prod: the triggers judged against it, what goes through it before what bypasses it', async () => {
    const node = await aliasNode(api, DEMO, 'prod');
    assert.equal(api.tree.getTreeItem(node).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const triggers = triggersIn(await api.tree.getChildren(node));
    const verdicts = triggers.map((n) => n.trigger.verdict);
    assert.ok(verdicts.includes('bypasses'), `something bypasses prod: ${JSON.stringify(verdicts)}`);
    const firstBypass = verdicts.indexOf('bypasses');
    assert.ok(!verdicts.slice(firstBypass).includes('through'), `through first: ${JSON.stringify(verdicts)}`);
    for (const t of triggers) {
      assert.equal(api.tree.getParent(t), node, 'listed under the alias');
      if (t.trigger.verdict === 'through') assert.equal(api.tree.getTreeItem(t).description, '✓ through prod');
    }
  });

  it('a trigger tooltip shows AWS text as text: no links, no command links, no HTML', () => {
    const hostile: TriggerView = {
      id: 'policy:$LATEST:[x](command:workbench.action.terminal.new)',
      kind: 'permission',
      label: 'S3 bucket <img src=x onerror=alert(1)>',
      source: 'arn:aws:s3:::[click](https://evil.example)',
      principal: '**s3**.amazonaws.com',
      target: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      route: { kind: 'unqualified' },
      verdict: 'bypasses',
      detail: 'Bypasses prod: $(zap) [Fix it](command:lambdaCanary.grantOnAlias)',
      notes: ['`code` _emphasis_'],
    };
    const tip = triggerTooltip(hostile);
    assert.doesNotMatch(tip, /[^\\]\]\(/, tip);
    assert.doesNotMatch(tip, /[^\\]</, tip);
    assert.doesNotMatch(tip, /[^\\]\$\(/, tip);
    assert.ok(tip.startsWith('**S3 bucket'), 'our own bold stays');
  });

  it('Start Canary on… a function with a bypassing trigger asks one pre-flight question first: Cancel changes nothing, Go On leads to the confirmation', async () => {
    const before = await routing(DEMO);
    const node = await versionNode(DEMO, '3');
    ui.script(['alias', 'prod'], ['weight', '10%']);
    await vscode.commands.executeCommand(Commands.startCanaryOn, node);
    assert.deepEqual(ui.errors, []);
    const q = ui.confirmations.find((c) => c.id === 'preflight');
    assert.ok(q, `the pre-flight asked: ${JSON.stringify(ui.asked)}`);
    assert.match(q.message, new RegExp(`^Start Canary on ${DEMO}:prod: .*bypass`), q.message);
    assert.match(q.detail, /⚠ .*Fix: /, 'each finding is a line with its fix');
    assert.deepEqual(ui.choices.preflight, ['Go On', 'Show Triggers']);
    assert.ok(!ui.asked.includes('confirmCanary'), 'cancelled before the confirmation');
    assert.deepEqual(await routing(DEMO), before, 'nothing was written');

    ui.reset();
    ui.script(['alias', 'prod'], ['weight', '10%'], ['preflight', 'Go On'], ['confirmCanary', false]);
    await vscode.commands.executeCommand(Commands.startCanaryOn, node);
    assert.deepEqual(ui.asked, ['alias', 'weight', 'preflight', 'confirmCanary']);
    assert.deepEqual(await routing(DEMO), before, 'declining the confirmation still writes nothing');

    ui.reset();
    ui.script(['alias', 'prod'], ['weight', '10%'], ['preflight', 'Show Triggers']);
    await vscode.commands.executeCommand(Commands.startCanaryOn, node);
    assert.deepEqual(ui.errors, []);
    assert.ok(!ui.asked.includes('confirmCanary'), 'Show Triggers stops the command');
    assert.deepEqual(await routing(DEMO), before);
  });

  it('Route Through Alias (tree node): a modal says what it writes; declining changes nothing; confirming moves the mapping onto prod, and the flag goes', async () => {
    const mapping = await bypassingMapping();
    assert.ok(mapping, 'the demo mapping bypasses prod');
    const uuid = mapping.trigger.id.replace(/^esm:/, '');
    const was = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

    // A double click asks once; the second is told to wait.
    ui.script(['confirmTriggerFix', false]);
    await Promise.all([vscode.commands.executeCommand(Commands.routeThroughAlias, mapping), vscode.commands.executeCommand(Commands.routeThroughAlias, mapping)]);
    assert.equal(ui.asked.filter((id) => id === 'confirmTriggerFix').length, 1, 'one question');
    assert.match(ui.infos.join('\n'), /is being fixed already: wait for it to finish/);
    const q = ui.confirmations.find((c) => c.id === 'confirmTriggerFix');
    assert.ok(q, 'a confirmation was asked');
    assert.match(q.message, /^Route .+ through prod\?$/);
    assert.ok(q.detail.includes(mapping.trigger.fix!.text.slice(0, 40)), `the detail is the fix's own text: ${q.detail}`);
    assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).FunctionArn, was.FunctionArn, 'declining changes nothing');

    ui.script(['confirmTriggerFix', true]);
    await vscode.commands.executeCommand(Commands.routeThroughAlias, mapping);
    assert.deepEqual(ui.errors, []);
    const after = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    assert.match(after.FunctionArn!, /:function:orders-worker:prod$/, 'the mapping now calls prod');
    assert.equal(after.EventSourceArn, was.EventSourceArn, 'the same queue');
    const { records } = await api.journal.journal.read({ limit: 1 });
    assert.equal(records[0]?.outcome.action, 'trigger-fix');
    assert.equal(records[0]?.outcome.state, 'done');
    assert.match(ui.infos.join('\n'), /now goes through prod/);

    // The tree reads the triggers again: the same mapping, now through prod, with nothing to fix
    // (Updating for a moment, then read again by itself until it settles).
    const fnNode = await functionNode(api, DEMO);
    // Polled without refreshing the tree: the tree reads the triggers again by itself.
    const rowOf = async () => triggersIn(await api.tree.getChildren(fnNode.groups[2])).find((n) => n.trigger.id === mapping.trigger.id);
    let now = await rowOf();
    assert.ok(now, 'the mapping is still listed');
    assert.match(String(api.tree.getTreeItem(now).description), /^✓ through prod( · Updating)?$/);
    for (let i = 0; i < 150 && now && api.tree.getTreeItem(now).description !== '✓ through prod'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await rowOf();
    }
    assert.ok(now, 'the mapping is still listed');
    const item = api.tree.getTreeItem(now);
    assert.equal(item.description, '✓ through prod', 'read again once it settled');
    assert.equal(item.contextValue, 'lambdaCanary:trigger');
    assert.equal(iconOf(item), 'pass');
  });

  it("Undo in a fix's notification: confirmed first, it moves the mapping back where it was, journalled; declined, nothing moves", async () => {
    const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: PLAIN, EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:triggers-undo', BatchSize: 5 }));
    const uuid = made.UUID!;
    const settled = async () => {
      for (let i = 0; i < 100; i++) {
        const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
        if (m.State === 'Enabled') return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the mapping did not settle');
    };
    const was = await settled();
    const row = triggersIn(await triggerRows(PLAIN)).find((n) => n.trigger.id === `esm:${uuid}`);
    assert.ok(row?.trigger.fix, 'the new mapping bypasses prod and has its fix');

    // The fix, and its notification's Undo declined at the modal: the mapping stays on prod.
    ui.script(['confirmTriggerFix', true], ['notification:Undo', 'Undo'], ['confirmUndoTriggerFix', false]);
    await vscode.commands.executeCommand(Commands.routeThroughAlias, row);
    for (let i = 0; i < 100 && !ui.asked.includes('confirmUndoTriggerFix'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(ui.offers.map((o) => o.actions), [['Undo']], 'the success notification offers Undo');
    assert.match((await settled()).FunctionArn!, /:function:triggers-plain:prod$/, 'declined: still on prod');

    // Again, with Undo confirmed: the mapping goes back to the unqualified function, the same UUID and queue.
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FunctionName: PLAIN }));
    await settled();
    const again = triggersIn(await triggerRows(PLAIN)).find((n) => n.trigger.id === `esm:${uuid}`);
    assert.ok(again?.trigger.fix, 'bypassing again');
    ui.reset();
    ui.script(['confirmTriggerFix', true], ['notification:Undo', 'Undo'], ['confirmUndoTriggerFix', true]);
    await vscode.commands.executeCommand(Commands.routeThroughAlias, again);
    let back = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    for (let i = 0; i < 100 && (back.State !== 'Enabled' || /:prod$/.test(back.FunctionArn!)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      back = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    }
    assert.equal(back.FunctionArn, was.FunctionArn, `back where it was: ${JSON.stringify({ asked: ui.asked, errors: ui.errors, infos: ui.infos, offers: ui.offers })}`);
    assert.equal(back.EventSourceArn, was.EventSourceArn);
    const q = ui.confirmations.find((c) => c.id === 'confirmUndoTriggerFix');
    assert.match(q?.detail ?? '', /moved back off prod .*bypasses prod again/);
    for (let i = 0; i < 100; i++) {
      const { records } = await api.journal.journal.read({ limit: 2 });
      if (records.length === 2 && records.every((r) => r.outcome.action === 'trigger-fix' && r.outcome.state === 'done') && records[0].outcome.id !== records[1].outcome.id) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const { records } = await api.journal.journal.read({ limit: 2 });
    assert.deepEqual(records.map((r) => [r.outcome.action, r.outcome.state]), [['trigger-fix', 'done'], ['trigger-fix', 'done']], 'the fix and its undo, journalled');
    assert.deepEqual(ui.errors, []);
    // triggers-plain is the function without triggers for the other tests.
    await settled();
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    for (let i = 0; i < 100; i++) {
      const left = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: PLAIN }));
      if (!left.EventSourceMappings?.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('Create URL on Alias (tree node): the alias gets its own URL; the old one stays; the notification says what to do next', async () => {
    const FN = 'price-quote';
    const node = triggersIn(await triggerRows(FN)).find((n) => n.trigger.fix?.action === 'create-url-on-alias');
    assert.ok(node, `the demo's ${FN} URL on the unqualified function is offered Create URL on Alias`);
    assert.equal(api.tree.getTreeItem(node).contextValue, 'lambdaCanary:trigger:fix-url');
    const alias = node.trigger.fix!.alias;
    ui.script(['confirmTriggerFix', true]);
    await vscode.commands.executeCommand(Commands.createUrlOnAlias, node);
    assert.deepEqual(ui.errors, []);
    assert.match(ui.confirmations.at(-1)!.message, new RegExp(`^Create a function URL on ${alias}\\?$`));
    const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: alias }));
    assert.ok(url.FunctionUrl, `${alias} has a URL`);
    assert.ok((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: FN }))).FunctionUrl, 'the old URL is still there');
    assert.ok(ui.infos.some((m) => m.includes(`${alias} has its own URL`) && m.includes(url.FunctionUrl!)), ui.infos.join('\n'));
    const rows = triggersIn(await triggerRows(FN));
    assert.ok(
      rows.some((n) => n.trigger.kind === 'function-url' && n.trigger.verdict === 'through' && api.tree.getTreeItem(n).description === `✓ through ${alias}`),
      JSON.stringify(rows.map((n) => [n.trigger.id, api.tree.getTreeItem(n).description])),
    );
  });

  it('Grant on Alias (under the alias prod): the principal gets the same permission on prod', async () => {
    const FN = 'checkout-api';
    // checkout-api has two aliases: which one a fix moves a trigger onto is known under an alias,
    // and the function's Triggers group says where to look.
    const listed = triggersIn(await triggerRows(FN)).find((n) => n.trigger.kind === 'permission' && n.trigger.verdict === 'bypasses');
    assert.ok(listed && !listed.trigger.fix, 'no fix without an alias to move it onto');
    const hint = (api.tree.getTreeItem(listed).tooltip as vscode.MarkdownString).value;
    assert.ok(hint.includes(`To fix it, expand the alias it should go through (${markdownText('prod, staging')}) under Aliases.`), hint);
    const node = triggersIn(await api.tree.getChildren(await aliasNode(api, FN, 'prod'))).find((n) => n.trigger.fix?.action === 'grant-on-alias');
    assert.ok(node, `the demo's ${FN} API Gateway permission on the unqualified function is offered Grant on Alias under prod`);
    assert.equal(node.trigger.fix!.alias, 'prod');
    assert.equal(api.tree.getTreeItem(node).contextValue, 'lambdaCanary:trigger:fix-grant');
    const { alias } = node.trigger.fix!;
    const principal = node.trigger.principal!;
    ui.script(['confirmTriggerFix', true]);
    await vscode.commands.executeCommand(Commands.grantOnAlias, node);
    assert.deepEqual(ui.errors, []);
    assert.match(ui.confirmations.at(-1)!.message, new RegExp(`^Grant .+ on ${alias}\\?$`));
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: FN, Qualifier: alias }))).Policy!) as { Statement: Array<{ Principal?: unknown }> };
    assert.ok(policy.Statement.some((st) => JSON.stringify(st.Principal).includes(principal)), JSON.stringify(policy));
    assert.match(ui.infos.join('\n'), new RegExp(`may now call ${alias}`));
  });

  it('Route Through Alias from the palette: a function, then the triggers it fixes; none left is said, and nothing is written', async () => {
    ui.script(['function', DEMO]);
    await vscode.commands.executeCommand(Commands.routeThroughAlias);
    assert.match(ui.errors.join('\n'), new RegExp(`${DEMO} has no trigger that Route Through Alias fixes`));
    assert.ok(!ui.asked.includes('confirmTriggerFix'));
  });

  it('no findings: Start Canary asks no extra question', async () => {
    const node = await versionNode(PLAIN, '2');
    ui.script(['alias', 'prod'], ['weight', '10%'], ['confirmCanary', true]);
    await vscode.commands.executeCommand(Commands.startCanaryOn, node);
    assert.deepEqual(ui.errors, []);
    assert.deepEqual(ui.asked, ['alias', 'weight', 'confirmCanary']);
    assert.deepEqual((await routing(PLAIN)).weights, { '2': 0.1 });
  });

  it('versions under different execution roles: the pre-flight says so and, for a blocker, offers only Cancel', async () => {
    const clients = await api.connection.current();
    const report = await preflight({ lambda: clients.lambda, cloudwatch: clients.cloudwatch, capabilities: clients.capabilities, log: { info: noop, warn: noop, error: noop, debug: noop } }, { functionName: ROLES, aliasName: 'prod', version: '2' });
    const finding = report.findings.find((f) => f.code === 'role-mismatch');
    assert.ok(finding, `role-mismatch found: ${JSON.stringify(report.findings)}`);
    assert.equal(finding.severity, 'blocker', 'Lambda refuses a weighted alias over versions with different roles');
    const before = await routing(ROLES);
    const node = await versionNode(ROLES, '2');
    ui.script(['alias', 'prod'], ['weight', '10%'], ['confirmCanary', true]);
    await vscode.commands.executeCommand(Commands.startCanaryOn, node);
    const q = ui.confirmations.find((c) => c.id === 'preflight');
    assert.ok(q, 'the pre-flight asked');
    assert.ok(q.detail.includes(finding.message), q.detail);
    assert.deepEqual(ui.choices.preflight, [], 'only Cancel');
    assert.match(q.message, /cannot go on/);
    assert.match(q.detail, /nothing was changed/);
    assert.ok(!ui.asked.includes('confirmCanary'));
    assert.deepEqual(await routing(ROLES), before, 'nothing was written');
  });

  it('a source that cannot be read is a warning row naming the permission; the other triggers are still shown', async () => {
    const fn = await functionNode(api, DEMO);
    api.tree.refresh(fn);
    sandbox.faults.add({ operation: 'GetPolicy', kind: 'error', times: 1000 });
    let rows: Node[];
    try {
      rows = await api.tree.getChildren(fn.groups[2]);
    } finally {
      sandbox.faults.clear();
    }
    const warnings = rows.filter((n): n is MessageNode => n.kind === 'message');
    assert.ok(warnings.length >= 1, JSON.stringify(rows.map((r) => r.kind)));
    for (const m of warnings) {
      assert.equal(m.isError, false);
      assert.match(m.text, /lambda:GetPolicy/);
      const icon = api.tree.getTreeItem(m).iconPath;
      assert.ok(icon instanceof vscode.ThemeIcon && icon.id === 'warning', 'a warning icon');
    }
    assert.ok(triggersIn(rows).some((n) => n.trigger.kind === 'event-source-mapping'), 'the mapping is still listed');
  });

  it('an audit that fails is one error row with the message; the next read tries again', async () => {
    const GONE = 'triggers-gone';
    await lambda.send(new CreateFunctionCommand({ FunctionName: GONE, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/triggers-plain', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    const fn = await functionNode(api, GONE);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: GONE }));
    const rows = await api.tree.getChildren(fn.groups[2]);
    assert.equal(rows.length, 1, 'one row');
    const [row] = rows as MessageNode[];
    assert.equal(row.kind, 'message');
    assert.equal(row.isError, true);
    assert.match(row.text, /^Could not read triggers: Function triggers-gone was not found\./);
    assert.equal(api.tree.getTreeItem(row).contextValue, 'lambdaCanary:error');
    assert.equal(fn.audits.size, 0, 'a failed audit is not kept: the next expand reads again');
  });

});
