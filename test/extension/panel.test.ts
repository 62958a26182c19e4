import assert from 'node:assert/strict';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { fetchTraffic } from '../../src/core/traffic';
import { compareCanary } from '../../src/core/verdict';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { PanelOutcome, TrafficPanel } from '../../src/extension/panel/trafficPanel';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import type { PanelMessage } from '../../src/shared/protocol';
import { ScriptedUi } from './scriptedUi';
import { handled as handledBy, outcomeOf as panelOutcomeOf } from './panelMessages';
import { WebviewPage, webviewBridge } from './webviewPage';
import { onEmbeddedSandbox } from './embeddedSandbox';

/**
 * The traffic panel in a real VS Code: its page is loaded in a real webview, and every action is
 * a click on the page's own button (or typing in its input) in the browser that shows the
 * workbench; the alias on the embedded sandbox must change accordingly, and the page must show it.
 */
describe('traffic panel in a real VS Code, against the embedded sandbox', function () {
  this.timeout(60_000);
  const FN = 'panel-e2e';
  let api: LambdaCanaryApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let lambda: LambdaClient;
  let cloudwatch: CloudWatchClient;
  let panel: TrafficPanel;
  const bridge = webviewBridge();
  const page = bridge && new WebviewPage(bridge, `${FN}:prod`);
  /** The page to click on; a runner without a browser bridge skips the test. */
  function view(test: Mocha.Context): WebviewPage {
    if (!page) test.skip();
    return page!;
  }

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    const sandbox = on.sandbox;
    lambda = new LambdaClient(on.clientConfig);
    cloudwatch = new CloudWatchClient(on.clientConfig);
    const role = 'arn:aws:iam::123456789012:role/panel-e2e';
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    sandbox.settle();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 2;' }) }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
  });
  after(async () => {
    restore?.();
    panel?.dispose();
    lambda?.destroy();
    cloudwatch?.destroy();
  });
  beforeEach(() => ui.reset());

  const alias = () => lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));

  const outcomeOf = (type: PanelMessage['type'], timeoutMs?: number) => panelOutcomeOf(panel, type, timeoutMs);
  const handled = (type: PanelMessage['type'], act: () => Promise<void>) => handledBy(panel, type, act);

  /** Types a weight into the page's weight box and clicks Apply. */
  function applyOnPage(p: WebviewPage, weightPercent: number): Promise<PanelOutcome> {
    return handled('apply', async () => {
      await p.fill('#weight', weightPercent);
      await p.click('#apply');
    });
  }

  const ROUTING = '#routing[role="img"]';
  /** Waits for the page's routing bar to read `label`, in words ("prod: version 1 at 80 percent, …"). */
  const pageShowsRouting = (p: WebviewPage, label: string) => p.waitFor(ROUTING, (s) => s.ariaLabel === label, `the page to show "${label}"`);

  it('opens one panel per alias; its page loads under the CSP and reports the traffic', async () => {
    const refreshed = new Promise<void>((resolve) => {
      const wait = setInterval(() => {
        const p = api.panels.get(FN, 'prod');
        if (p?.report) {
          clearInterval(wait);
          resolve();
        }
      }, 50);
    });
    await vscode.commands.executeCommand(Commands.openTrafficPanel, { functionName: FN, aliasName: 'prod' });
    panel = api.panels.get(FN, 'prod')!;
    assert.ok(panel, 'the panel is open');
    // The host reads traffic only after the page says it is ready: a report proves the page ran.
    await refreshed;
    assert.deepEqual(
      panel.report!.versions.map((v) => v.version),
      ['1', '2'],
    );
    assert.match(panel.panel.webview.html, /Content-Security-Policy" content="default-src &#39;none&#39;/);
    if (page) await pageShowsRouting(page, 'prod: version 1 at 80 percent, version 2 at 20 percent');
    await vscode.commands.executeCommand(Commands.openTrafficPanel, { functionName: FN, aliasName: 'prod' });
    assert.equal(api.panels.all().filter((p) => p.functionName === FN).length, 1, 'opening again reveals the same panel');
  });

  it('Apply sets the canary weight after a confirmation; declining changes nothing', async function () {
    const p = view(this);
    const before = await alias();
    ui.script(['confirmWeight', false]);
    assert.equal((await applyOnPage(p, 35)).result, 'declined');
    assert.equal((await alias()).RevisionId, before.RevisionId);
    await pageShowsRouting(p, 'prod: version 1 at 80 percent, version 2 at 20 percent');
    ui.script(['confirmWeight', true]);
    const o = await applyOnPage(p, 35);
    assert.equal(o.result, 'done', o.detail);
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.35 });
    assert.deepEqual(ui.asked, ['confirmWeight', 'confirmWeight']);
    await pageShowsRouting(p, 'prod: version 1 at 65 percent, version 2 at 35 percent');
  });

  it('a RevisionId conflict shows the new state and asks again', async function () {
    const p = view(this);
    // Another developer changes the alias while this one reads the confirmation.
    ui.whileConfirming = async () => {
      await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.4 } } }));
    };
    ui.script(['confirmWeight', true], ['confirmWeight', true]);
    const o = await applyOnPage(p, 30);
    assert.equal(o.result, 'done', o.detail);
    assert.deepEqual(ui.asked, ['confirmWeight', 'confirmWeight'], 'asked once, then again about the new state');
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.3 });
    await pageShowsRouting(p, 'prod: version 1 at 70 percent, version 2 at 30 percent');
  });

  it('Probe invokes the alias through the page, which shows the answers; CloudWatch counts every call', async function () {
    const p = view(this);
    const q = { functionName: FN, aliasName: 'prod', versions: ['1', '2'], windowMs: 5 * 60_000, periodSeconds: 5 };
    const before = await fetchTraffic(cloudwatch, { ...q, end: Date.now() + 1000 });
    const o = await handled('probe', async () => {
      await p.fill('#probe-count', 200);
      await p.click('#probe');
    });
    assert.equal(o.result, 'done', o.detail);
    const after = await fetchTraffic(cloudwatch, { ...q, end: Date.now() + 1000 });
    assert.equal(after.totalInvocations - before.totalInvocations, 200);
    await p.waitFor('#probe-split caption', (s) => s.text === 'Probe: 200 answered', 'the probe\'s answers on the page');
    await p.waitFor('#probe-progress + span', (s) => s.text === '200 / 200 done', 'the probe\'s progress on the page');
    assert.equal((await p.read('#probe'))?.disabled, false, 'Probe can be pressed again');
    const { records } = await api.journal.journal.read({ functionName: FN, aliasName: 'prod', limit: 1 });
    assert.deepEqual(
      records.map((r) => [r.outcome.action, r.outcome.state, (r.outcome.detail as { sent?: number } | undefined)?.sent]),
      [['probe', 'done', 200]],
      'the probe is in the deployment journal',
    );
  });

  it("shows the host's verdict on the canary (the page judges nothing itself)", async function () {
    const p = view(this);
    await handled('refresh', () => p.click('#refresh'));
    const expected = compareCanary(panel.report, '1', '2');
    assert.notEqual(expected.kind, 'none');
    await p.waitFor('#verdict', (s) => s.text.replace(/^⚠ /, '') === (expected as { message: string }).message, `the page to show the verdict "${(expected as { message: string }).message}"`);
  });

  it('Promote sends all traffic to the canary after a confirmation', async function () {
    const p = view(this);
    ui.script(['confirmPromote', false]);
    assert.equal((await handled('promote', () => p.click('#promote'))).result, 'declined');
    assert.equal((await alias()).FunctionVersion, '1');
    ui.script(['confirmPromote', true]);
    const o = await handled('promote', () => p.click('#promote'));
    assert.equal(o.result, 'done', o.detail);
    const a = await alias();
    assert.equal(a.FunctionVersion, '2');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    await pageShowsRouting(p, 'prod: version 2 at 100 percent');
  });

  it('without a canary the page offers nothing to promote: its buttons are disabled and a click sends nothing', async function () {
    const p = view(this);
    for (const id of ['#promote', '#rollback', '#apply', '#weight']) assert.equal((await p.read(id))?.disabled, true, `${id} is disabled`);
    const none = outcomeOf('promote', 1500).then(
      () => 'handled',
      () => 'nothing',
    );
    await p.click('#promote', { force: true });
    assert.equal(await none, 'nothing');
    assert.deepEqual(ui.asked, []);
  });

  it('Roll back clears the routing after a confirmation', async function () {
    const p = view(this);
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } }));
    await panel.refresh();
    await pageShowsRouting(p, 'prod: version 2 at 90 percent, version 1 at 10 percent');
    ui.script(['confirmRollback', true]);
    const o = await handled('rollback', () => p.click('#rollback'));
    assert.equal(o.result, 'done', o.detail);
    const a = await alias();
    assert.equal(a.FunctionVersion, '2');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    await pageShowsRouting(p, 'prod: version 2 at 100 percent');
  });

  it('Apply 0% is a roll back, named as such', async function () {
    const p = view(this);
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.25 } } }));
    await panel.refresh();
    await p.waitFor('#weight', (s) => !s.disabled && s.value === '25', 'the weight box to show the canary\'s 25 %');
    await p.fill('#weight', 0);
    await p.waitFor('#apply', (s) => !s.disabled && s.text === 'Apply (roll back)', 'the Apply button to name the roll back');
    ui.script(['confirmRollback', true]);
    const o = await handled('apply', () => p.click('#apply'));
    assert.equal(o.result, 'done', o.detail);
    assert.deepEqual(ui.asked, ['confirmRollback']);
    assert.equal((await alias()).RoutingConfig?.AdditionalVersionWeights, undefined);
    await pageShowsRouting(p, 'prod: version 2 at 100 percent');
  });
  /** Polls until `cond` holds. */
  async function waitUntil(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * A double click as the host can receive it: the same message twice in one task (the IPC
   * delivers the messages of one read together), before any of the first one's awaits resumes.
   */
  function doubleClick(message: PanelMessage): void {
    const host = panel as unknown as { receive(raw: unknown): Promise<void> };
    void host.receive(message);
    void host.receive(message);
  }

  /** Counts the embedded sandbox's Invoke requests as they arrive. */
  function countInvocations(): { readonly n: number; stop(): void } {
    const sandbox = api.connection.embeddedSandbox!;
    const counter = { n: 0, stop: () => sandbox.faults.clear() };
    sandbox.faults.add({ operation: 'Invoke', kind: 'hook', times: 1e9, hook: () => void counter.n++ });
    return counter;
  }

  /** Outcomes of every `type` message the panel handles from now on. */
  function collect(type: PanelMessage['type']): { outcomes: PanelOutcome[]; dispose(): void } {
    const outcomes: PanelOutcome[] = [];
    const sub = panel.onDidHandleMessage((o) => o.message.type === type && outcomes.push(o));
    return { outcomes, dispose: () => sub.dispose() };
  }

  /** The count once requests already on the wire have arrived; it must then stay put. */
  async function settledCount(c: { readonly n: number }): Promise<number> {
    await new Promise((r) => setTimeout(r, 300));
    const settled = c.n;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(c.n, settled, 'no invocation after the probe stopped');
    return settled;
  }

  it('a double-clicked Probe runs once; while it runs the page offers only Cancel, which stops it long before its 5,000 invocations', async function () {
    const p = view(this);
    const calls = countInvocations();
    const probes = collect('probe');
    try {
      // Long enough (20 s at the sandbox's 250 a second) that a busy machine still finds it running when Cancel is clicked.
      doubleClick({ type: 'probe', count: 5000 });
      await waitUntil(() => calls.n >= 20, 'the probe to start');
      await p.waitFor('#cancel-probe', (s) => !s.hidden && !s.disabled, 'the Cancel button while probing');
      const busy = await p.read('#probe');
      assert.deepEqual([busy?.disabled, busy?.text], [true, 'Probing…'], 'Probe is disabled while a probe runs');
      assert.equal((await p.read('#probe-count'))?.disabled, true, 'the count cannot change while a probe runs');
      await handled('cancelProbe', () => p.click('#cancel-probe'));
      await p.waitFor('#probe-progress + span', (s) => s.text.endsWith('(cancelled)'), 'the page to say the probe was cancelled');
      await waitUntil(() => probes.outcomes.length === 2, 'both Probe messages to be handled');
      assert.deepEqual(probes.outcomes.map((o) => o.result).sort(), ['declined', 'ignored'], JSON.stringify(probes.outcomes));
      const n = await settledCount(calls);
      assert.ok(n < 2500, `the probe went on after Cancel: ${n} invocations`);
    } finally {
      probes.dispose();
      calls.stop();
    }
  });

  it('a double-clicked Apply asks for one confirmation and writes once', async () => {
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.25 } } }));
    await panel.refresh();
    const before = await alias();
    const applies = collect('apply');
    try {
      ui.script(['confirmWeight', true], ['confirmWeight', true]);
      doubleClick({ type: 'apply', weightPercent: 15 });
      await waitUntil(() => applies.outcomes.length === 2, 'both Apply messages to be handled');
      assert.deepEqual(ui.asked, ['confirmWeight'], 'one confirmation, not one per click');
      assert.deepEqual(applies.outcomes.map((o) => o.result).sort(), ['done', 'ignored'], JSON.stringify(applies.outcomes));
      const after = await alias();
      assert.deepEqual(after.RoutingConfig?.AdditionalVersionWeights, { '1': 0.15 });
      assert.notEqual(after.RevisionId, before.RevisionId);
    } finally {
      applies.dispose();
      ui.answers = [];
    }
  });

  it('closing the panel stops every probe it started', async () => {
    const calls = countInvocations();
    try {
      // Long enough (20 s at the sandbox's 250 a second) that a busy machine still finds it running when Cancel is clicked.
      doubleClick({ type: 'probe', count: 5000 });
      await waitUntil(() => calls.n >= 20, 'the probe to start');
      panel.dispose();
      const n = await settledCount(calls);
      assert.ok(n < 750, `a probe went on after the panel closed: ${n} invocations`);
    } finally {
      calls.stop();
    }
  });
});
