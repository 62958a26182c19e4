import assert from 'node:assert/strict';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { fetchTraffic } from '../../src/core/traffic';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { PanelOutcome, TrafficPanel } from '../../src/extension/panel/trafficPanel';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands, EXTENSION_ID } from '../../src/shared/ids';
import type { PanelMessage } from '../../src/shared/protocol';
import { ScriptedUi } from './scriptedUi';

/**
 * The traffic panel in a real VS Code: its page is loaded in a real webview, every action is a
 * press of the page's own button, which posts its message back through the webview exactly as
 * a click does; the alias on the embedded sandbox must change accordingly.
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

  before(async () => {
    await vscode.workspace.getConfiguration('lambdaCanary').update('connection', 'sandbox', vscode.ConfigurationTarget.Global);
    api = await vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID)!.activate();
    await api.connection.current();
    const sandbox = api.connection.embeddedSandbox;
    assert.ok(sandbox, 'the embedded sandbox runs');
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId ?? 'x', secretAccessKey: 'x' } };
    lambda = new LambdaClient(config);
    cloudwatch = new CloudWatchClient(config);
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
  beforeEach(() => {
    ui.asked = [];
    ui.errors = [];
  });

  const alias = () => lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));

  function outcomeOf(type: PanelMessage['type'], timeoutMs = 20_000): Promise<PanelOutcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`the panel handled no '${type}' message within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = panel.onDidHandleMessage((o) => {
        if (o.message.type !== type) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(o);
      });
    });
  }

  /** Presses a control on the page and waits for the host to have handled the message it posted. */
  async function press(control: 'apply' | 'promote' | 'rollback' | 'probe', options: { weightPercent?: number; probeCount?: number } = {}): Promise<PanelOutcome> {
    const handled = outcomeOf(control);
    assert.equal(await panel.press(control, options), true, 'the webview took the message');
    return handled;
  }

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
    await vscode.commands.executeCommand(Commands.openTrafficPanel, { functionName: FN, aliasName: 'prod' });
    assert.equal(api.panels.all().filter((p) => p.functionName === FN).length, 1, 'opening again reveals the same panel');
  });

  it('Apply sets the canary weight after a confirmation; declining changes nothing', async () => {
    const before = await alias();
    ui.script(['confirmWeight', false]);
    assert.equal((await press('apply', { weightPercent: 35 })).result, 'declined');
    assert.equal((await alias()).RevisionId, before.RevisionId);
    ui.script(['confirmWeight', true]);
    const o = await press('apply', { weightPercent: 35 });
    assert.equal(o.result, 'done', o.detail);
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.35 });
    assert.deepEqual(ui.asked, ['confirmWeight', 'confirmWeight']);
  });

  it('a RevisionId conflict shows the new state and asks again', async () => {
    // Another developer changes the alias while this one reads the confirmation.
    ui.whileConfirming = async () => {
      await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.4 } } }));
    };
    ui.script(['confirmWeight', true], ['confirmWeight', true]);
    const o = await press('apply', { weightPercent: 30 });
    assert.equal(o.result, 'done', o.detail);
    assert.deepEqual(ui.asked, ['confirmWeight', 'confirmWeight'], 'asked once, then again about the new state');
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.3 });
  });

  it('Probe invokes the alias through the page and CloudWatch counts every call', async () => {
    const q = { functionName: FN, aliasName: 'prod', versions: ['1', '2'], windowMs: 5 * 60_000, periodSeconds: 5 };
    const before = await fetchTraffic(cloudwatch, { ...q, end: Date.now() + 1000 });
    const o = await press('probe', { probeCount: 200 });
    assert.equal(o.result, 'done', o.detail);
    const after = await fetchTraffic(cloudwatch, { ...q, end: Date.now() + 1000 });
    assert.equal(after.totalInvocations - before.totalInvocations, 200);
  });

  it('Promote sends all traffic to the canary after a confirmation', async () => {
    ui.script(['confirmPromote', false]);
    assert.equal((await press('promote')).result, 'declined');
    assert.equal((await alias()).FunctionVersion, '1');
    ui.script(['confirmPromote', true]);
    const o = await press('promote');
    assert.equal(o.result, 'done', o.detail);
    const a = await alias();
    assert.equal(a.FunctionVersion, '2');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
  });

  it('without a canary the page offers nothing to promote, and the host refuses anyway', async () => {
    // The buttons are disabled: a press does nothing, so no message arrives.
    const none = outcomeOf('promote', 1500).then(
      () => 'handled',
      () => 'nothing',
    );
    await panel.press('promote');
    assert.equal(await none, 'nothing');
    assert.deepEqual(ui.asked, []);
  });

  it('Roll back clears the routing after a confirmation', async () => {
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } }));
    await panel.refresh();
    ui.script(['confirmRollback', true]);
    const o = await press('rollback');
    assert.equal(o.result, 'done', o.detail);
    const a = await alias();
    assert.equal(a.FunctionVersion, '2');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
  });

  it('Apply 0% is a roll back, named as such', async () => {
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.25 } } }));
    await panel.refresh();
    ui.script(['confirmRollback', true]);
    const o = await press('apply', { weightPercent: 0 });
    assert.equal(o.result, 'done', o.detail);
    assert.deepEqual(ui.asked, ['confirmRollback']);
    assert.equal((await alias()).RoutingConfig?.AdditionalVersionWeights, undefined);
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

  it('a double-clicked Probe runs once, and Cancel stops it long before its 1,500 invocations', async () => {
    const calls = countInvocations();
    const probes = collect('probe');
    try {
      doubleClick({ type: 'probe', count: 1500 });
      await waitUntil(() => calls.n >= 20, 'the probe to start');
      const cancelled = outcomeOf('cancelProbe');
      await panel.press('cancelProbe');
      await cancelled;
      await waitUntil(() => probes.outcomes.length === 2, 'both Probe messages to be handled');
      assert.deepEqual(probes.outcomes.map((o) => o.result).sort(), ['declined', 'ignored'], JSON.stringify(probes.outcomes));
      const n = await settledCount(calls);
      assert.ok(n < 750, `the probe went on after Cancel: ${n} invocations`);
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
      doubleClick({ type: 'probe', count: 1500 });
      await waitUntil(() => calls.n >= 20, 'the probe to start');
      panel.dispose();
      const n = await settledCount(calls);
      assert.ok(n < 750, `a probe went on after the panel closed: ${n} invocations`);
    } finally {
      calls.stop();
    }
  });
});
