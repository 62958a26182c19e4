import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { formatMarker } from '../../src/core/rollout/lease';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { TrafficPanel } from '../../src/extension/panel/trafficPanel';
import { ROLLOUT_COMMANDS } from '../../src/extension/panel/trafficPanel';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import type { PanelMessage } from '../../src/shared/protocol';
import type { RolloutView } from '../../src/shared/rollout';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { handled as handledBy } from './panelMessages';
import { WebviewPage, webviewBridge } from './webviewPage';

const VERDICT_LABEL: Record<string, string> = { Pass: 'Pass', Fail: 'Fail', Marginal: 'Marginal', NoData: 'No data', Pending: 'Pending' };

/**
 * The traffic panel's rollout section in a real VS Code: the page receives the alias's rollout
 * from the extension's runner and draws its plan, verdicts and controls; a click on a control
 * reaches the host, which runs the rollout command of that control on the panel's alias.
 */
describe('traffic panel: a rollout, in a real VS Code against the embedded sandbox', function () {
  this.timeout(60_000);
  const FN = 'panel-rollout-e2e';
  let api: LambdaCanaryApi;
  let lambda: LambdaClient;
  let panel: TrafficPanel;
  const bridge = webviewBridge();
  const page = bridge && new WebviewPage(bridge, `${FN}:prod`);
  function view(test: Mocha.Context): WebviewPage {
    if (!page) test.skip();
    return page!;
  }

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    lambda = new LambdaClient(on.clientConfig);
    const role = 'arn:aws:iam::123456789012:role/panel-rollout-e2e';
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    on.sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    on.sandbox.settle();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 2;' }) }));
    on.sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    on.sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', Description: 'checkout main line' }));
    await vscode.commands.executeCommand(Commands.openTrafficPanel, { functionName: FN, aliasName: 'prod' });
    panel = api.panels.get(FN, 'prod')!;
    assert.ok(panel, 'the panel is open');
  });
  after(async () => {
    const v = api?.rollouts.view(FN, 'prod');
    if (v && !['promoted', 'rolled-back', 'aborted', 'completed', 'abandoned'].includes(v.status)) await api.rollouts.control({ functionName: FN, aliasName: 'prod', action: 'abort' });
    panel?.dispose();
    lambda?.destroy();
  });

  const handled = (type: PanelMessage['type'], act: () => Promise<void>) => handledBy(panel, type, act);

  const registered = async (id: string) => (await vscode.commands.getCommands(true)).includes(id);

  /** Stands in for a rollout command this build does not register, recording each call. */
  async function stub(id: string): Promise<{ calls: unknown[][]; dispose(): void } | undefined> {
    if (await registered(id)) return undefined;
    const calls: unknown[][] = [];
    const d = vscode.commands.registerCommand(id, (...args: unknown[]) => void calls.push(args));
    return { calls, dispose: () => d.dispose() };
  }

  it('without a rollout the page offers Start Rollout…, which runs the start command on this alias', async function () {
    const p = view(this);
    await p.waitFor('#rollout-start', (s) => !s.hidden && !s.disabled && s.text === 'Start Rollout…', 'the Start Rollout… button');
    assert.equal(await p.read('#rollout-controls'), null, 'no controls without a rollout');
    const start = await stub(ROLLOUT_COMMANDS.start);
    if (!start) this.skip(); // the real command prompts for a version and a plan: commands.test.ts drives it.
    try {
      const o = await handled('startRollout', () => p.click('#rollout-start'));
      assert.equal(o.result, 'done', o.detail);
      assert.deepEqual(start!.calls, [[{ functionName: FN, aliasName: 'prod' }]]);
    } finally {
      start!.dispose();
    }
  });

  it('a rollout command that is not registered is reported on the page as an error, and nothing changes', async function () {
    const p = view(this);
    if (await registered(ROLLOUT_COMMANDS.start)) this.skip();
    const before = await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
    const o = await handled('startRollout', () => p.click('#rollout-start'));
    assert.equal(o.result, 'failed');
    assert.match(o.detail ?? '', /Start Rollout is not available: the command lambdaCanary\.startRollout is not registered/);
    await p.waitFor('#notice', (s) => s.text === o.detail, 'the error on the page');
    await p.waitFor('#rollout-start', (s) => !s.disabled, 'Start Rollout… to be offered again');
    assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }))).RevisionId, before.RevisionId);
  });

  let started: RolloutView;

  it("receives the alias's rollout and draws its plan: the steps, their gates and verdicts, the current step's countdown", async function () {
    const p = view(this);
    const o = await api.rollouts.start({ functionName: FN, aliasName: 'prod', version: '2', plan: parsePlanText('10%@5m, 50%@10m manual, 100%') });
    assert.equal(o.error, undefined, o.error?.message);
    started = o.detail!;
    assert.equal(started.status, 'running');
    await p.waitFor('#rollout-status', (s) => s.text.startsWith('Running · step 1/3'), 'the rollout status');
    const v = api.rollouts.view(FN, 'prod')!;
    for (const [i, step] of v.steps.entries()) {
      const li = `#rollout-steps li[data-step="${i + 1}"]`;
      const head = await p.waitFor(`${li} .step-head`, (s) => s.text.startsWith(`${step.weight}%`), `step ${i + 1}`);
      assert.match(head.text, step.gate === 'manual' ? /manual gate/ : /auto gate/);
      // The verdict shown is the host's (the step's, else the judge's current one for the step in force).
      // Read again at each look: the judge's current verdict moves on while the page catches up.
      const expected = () => {
        const now = api.rollouts.view(FN, 'prod')!;
        return now.steps[i].verdict ?? (i === now.current ? (now.evidence?.verdict ?? 'Pending') : 'Pending');
      };
      await p.waitFor(`${li} .badge`, (s) => s.text === VERDICT_LABEL[expected()], `step ${i + 1}'s verdict (${expected()})`);
    }
    assert.match((await p.read('#rollout-steps li[data-step="2"] .step-head'))!.text, /bake 10 min/);
    assert.match((await p.read('#rollout-steps li[data-step="3"] .step-head'))!.text, /promotion/);
    const current = await p.read('#rollout-steps li[aria-current="step"]');
    assert.ok(current?.text.startsWith('10%'), `the current step is the first: ${current?.text}`);
    // The countdown runs on the page's clock: two reads a second and more apart differ.
    const first = await p.waitFor('#bake-countdown', (s) => /^Bake: \d+:\d\d left of 5 min\.$/.test(s.text), 'the bake countdown');
    await new Promise((r) => setTimeout(r, 1300));
    const second = await p.read('#bake-countdown');
    assert.notEqual(second?.text, first.text, 'the countdown moves');
    const timeline = await p.read('#rollout-timeline');
    assert.match(timeline!.ariaLabel ?? '', /^Rollout plan, weight of version 2 over time: step 1: 10 percent for 5 min, .*step 2: 50 percent for 10 min, .*step 3: 100 percent/);
    const driver = await p.read('#rollout-driver');
    assert.match(driver!.text, /^Driven by this window \(.+\) since /);
    // The lease marker in the description is shown as the driver, not as the user's text.
    const meta = await p.waitFor('header .meta', (s) => s.text.includes('checkout main line'), "the user's description");
    assert.doesNotMatch(meta.text, /lambda-canary rollout/);
    // The judge's sentence as the runner has it now (it changes at each look: the bake left, the data's age).
    await p.waitFor(
      '#evidence-sentence',
      (s) => {
        const sentence = api.rollouts.view(FN, 'prod')?.evidence?.sentence;
        return sentence === undefined || s.text.endsWith(sentence);
      },
      "the judge's sentence",
    );
  });

  it('offers Pause, Next step, Promote now and Abort while it runs; a click runs that command with this alias', async function () {
    const p = view(this);
    if (!started) this.skip();
    for (const c of ['pause', 'next', 'promote', 'abort']) await p.waitFor(`#rollout-${c}`, (s) => !s.hidden && !s.disabled, `the ${c} button`);
    assert.equal(await p.read('#rollout-resume'), null, 'no Resume while running');
    assert.equal(await p.read('#rollout-start'), null, 'no Start while a rollout runs');
    // The weight is the rollout's: the hand-made Apply / Promote / Roll back are off, and say why.
    for (const id of ['#apply', '#promote', '#rollback']) await p.waitFor(id, (s) => s.disabled === true, `${id} disabled during the rollout`);
    await p.waitFor('#actions-rollout', (s) => /A rollout moves this alias: use its controls/.test(s.text), 'why the canary controls are off');
    const pause = await stub(ROLLOUT_COMMANDS.pause);
    try {
      const o = await handled('rolloutControl', () => p.click('#rollout-pause'));
      assert.deepEqual(o.message, { type: 'rolloutControl', action: 'pause' });
      assert.equal(o.result, 'done', o.detail);
      if (pause) assert.deepEqual(pause.calls, [[{ functionName: FN, aliasName: 'prod' }]], 'the host ran lambdaCanary.pauseRollout on this alias');
      else assert.equal(api.rollouts.view(FN, 'prod')?.status, 'paused', 'the rollout command paused the rollout');
    } finally {
      pause?.dispose();
    }
  });

  it('shows the controls of a paused rollout (Resume instead of Pause)', async function () {
    const p = view(this);
    if (!started) this.skip();
    if (api.rollouts.view(FN, 'prod')?.status !== 'paused') {
      const o = await api.rollouts.control({ functionName: FN, aliasName: 'prod', action: 'pause' });
      assert.equal(o.error, undefined, o.error?.message);
    }
    await p.waitFor('#rollout-status', (s) => s.text.startsWith('Paused'), 'the paused status');
    await p.waitFor('#rollout-resume', (s) => !s.disabled, 'the Resume button');
    assert.equal(await p.read('#rollout-pause'), null, 'no Pause while paused');
    assert.equal(await p.read('#bake-countdown').then((s) => s?.text), '', 'no countdown while paused');
  });

  it('an ended rollout has no controls, shows how it ended, and offers Start Rollout… again', async function () {
    const p = view(this);
    if (!started) this.skip();
    const o = await api.rollouts.control({ functionName: FN, aliasName: 'prod', action: 'abort' });
    assert.equal(o.error, undefined, o.error?.message);
    const v = api.rollouts.view(FN, 'prod')!;
    assert.equal(v.status, 'aborted');
    await p.waitFor('#rollout-status', (s) => s.text.startsWith('Aborted') && s.text.includes(v.statusText), 'the aborted status');
    assert.equal(await p.read('#rollout-controls'), null, 'no controls once ended');
    await p.waitFor('#rollout-start', (s) => !s.disabled, 'Start Rollout… again');
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
    assert.equal(alias.Description, 'checkout main line', 'the lease is gone from the description');
  });

  it('a rollout driven from elsewhere (its lease on the alias, no record here) is shown read-only, without Start or controls', async function () {
    const p = view(this);
    const now = Date.now();
    const marker = formatMarker({ rollout: 'c0ffee12', step: 1, steps: 4, holder: 'bob@ci-runner', client: 'cli', pid: 4242, instance: 'beef', since: now - 60_000, until: now + 120_000 });
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', Description: `checkout main line ${marker}` }));
    try {
      await panel.refresh();
      const note = await p.waitFor('#rollout-lease', (s) => s.text.startsWith('Rollout driven by bob@ci-runner (CLI) since '), 'the lease of the rollout driven elsewhere');
      assert.match(note.text, /step 2\/4\. Read-only here/);
      assert.equal(await p.read('#rollout-start'), null, 'no Start while another driver holds the alias');
      assert.equal(await p.read('#rollout-controls'), null, 'no controls for a rollout driven elsewhere');
      const meta = await p.read('header .meta');
      assert.ok(meta?.text.endsWith(' · checkout main line'), meta?.text);
    } finally {
      await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', Description: 'checkout main line' }));
      await panel.refresh();
    }
    await p.waitFor('#rollout-start', (s) => !s.disabled, 'Start Rollout… once the lease is gone');
  });
});
