import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { formatMarker, parseLease } from '../../src/core/rollout/lease';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { GroupNode, Node, VersionNode } from '../../src/extension/tree';
import { TrafficGenerator } from '../../src/sandbox/traffic';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import { ROLLOUT_ENDS } from '../../src/shared/rollout';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { ScriptedUi } from './scriptedUi';
import { aliasNode, functionNode } from './treeNodes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(100);
  }
}

describe('Rollouts in the editor (commands, tree, status bar, notifications) against the embedded sandbox', function () {
  this.timeout(90_000);
  const FN = 'rollout-ext';
  let api: LambdaCanaryApi;
  let sandbox: NonNullable<LambdaCanaryApi['connection']['embeddedSandbox']>;
  let lambda: LambdaClient;
  let ui: ScriptedUi;
  let restore: () => void;
  let traffic: TrafficGenerator | undefined;

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    sandbox = on.sandbox;
    lambda = new LambdaClient(on.clientConfig);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    const role = 'arn:aws:iam::123456789012:role/rollout-ext';
    // Versions 1 (prod serves it), 2 and 3, each answering with its number.
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    for (const n of [2, 3, 4]) {
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
      if (n < 4) await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': `exports.handler = async () => ${n};` }) }));
    }
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', Description: 'Production' }));
  });
  after(() => {
    restore?.();
    lambda?.destroy();
  });
  beforeEach(() => ui.reset());
  // Each case starts from prod → 1 alone, with no rollout.
  afterEach(async () => {
    traffic?.stop();
    traffic = undefined;
    sandbox.versionBehaviour.clear(FN);
    const v = api.rollouts.view(FN, 'prod');
    if (v && !ROLLOUT_ENDS.has(v.status)) await api.rollouts.control({ functionName: FN, aliasName: 'prod', action: 'abort' });
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} }, Description: 'Production' }));
    // The status bar redraws at most once a second: the next case starts once it shows no rollout.
    await until('the status bar to drop the ended rollout', () => !api.rolloutStatus.visible);
  });

  const alias = () => lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
  const prodItem = async () => api.tree.getTreeItem(await aliasNode(api, FN, 'prod'));
  const view = () => api.rollouts.view(FN, 'prod');

  it('starts a rollout of a published version from the alias menu: the typed plan is checked, the tree and the status bar show it; pause, resume and abort', async () => {
    const node = await aliasNode(api, FN, 'prod');
    // A typo in the typed plan: the input box says what is wrong, and where.
    ui.script(['rolloutSource', '2'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '10%@5, 100%']);
    await vscode.commands.executeCommand(Commands.startRollout, node);
    assert.match(ui.validation[0] ?? '', /column 5.*'5' is not a bake time.*5m/);
    assert.deepEqual(ui.offered.rolloutSource, ['3', '2'], 'the published versions other than the one prod serves, newest first');
    // On the sandbox a quick plan comes first, then the presets.
    assert.equal(ui.offered.rolloutPlan[0], 'Quick (sandbox)');
    assert.match(String(ui.offeredItems.rolloutPlan[0].detail), /50 % for 1 min, then 100 %/);
    assert.equal(ui.offered.rolloutPlan[1], 'Canary10Percent5Minutes');
    assert.equal(ui.offered.rolloutPlan.at(-1), 'Type a plan…');
    assert.match(String(ui.offeredItems.rolloutPlan[1].detail), /10 % for 5 min, then 100 %/);
    assert.equal((await alias()).RoutingConfig, undefined, 'a plan that was not accepted starts nothing');

    // Declined at the confirmation: nothing is written.
    ui.script(['rolloutEngine', 'Here'], ['rolloutSource', '2'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '10%@1h, 100%'], ['confirmRollout', false]);
    await vscode.commands.executeCommand(Commands.startRollout, node);
    assert.equal((await alias()).RoutingConfig, undefined);
    assert.equal(view(), undefined);

    ui.script(['rolloutEngine', 'Here'], ['rolloutSource', '2'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '10%@1h, 100%'], ['confirmRollout', true]);
    await vscode.commands.executeCommand(Commands.startRollout, node);
    assert.deepEqual(ui.errors, []);
    assert.match(ui.confirmations.at(-1)!.message, /^Roll out version 2 on prod \(10%@1h, 100%\)\?$/);
    const during = await alias();
    assert.deepEqual(during.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    assert.equal(parseLease(during.Description).lease?.step, 0, `the lease is on the alias: ${during.Description}`);
    assert.equal(view()?.status, 'running');

    const item = await until('the tree to show the rollout', async () => {
      const i = await prodItem();
      return i.contextValue === 'lambdaCanary:alias:rollout' && i;
    });
    assert.equal(item.label, 'prod → 1 (90%) · 2 (10%) · step 1/2');
    assert.equal(item.description, 'Production', "the user's description, without the lease marker");
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'sync~spin');
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.match(tooltip, /Plan: 10 % for 1 h, then 100 %/);
    assert.match(tooltip, /Verdict: Pending/);
    assert.match(tooltip, /Driven by this window \(.+, VS Code\) since \d\d\/\d\d\/\d{4}, \d\d:\d\d\s[AP]M UTC/);
    await until('the status bar item', () => api.rolloutStatus.text === `$(sync~spin) 1 rollout: ${FN}:prod step 1/2`);
    assert.equal(api.rolloutStatus.visible, true);

    // Pause by id with { functionName, aliasName }, as the traffic panel and notifications call it.
    await vscode.commands.executeCommand(Commands.pauseRollout, { functionName: FN, aliasName: 'prod' });
    assert.equal(view()?.status, 'paused');
    const paused = await until('the tree to show the pause', async () => {
      const i = await prodItem();
      return i.contextValue === 'lambdaCanary:alias:rollout:paused' && i;
    });
    assert.equal(paused.label, 'prod → 1 (90%) · 2 (10%) · step 1/2 · paused');
    assert.equal((paused.iconPath as vscode.ThemeIcon).id, 'debug-pause');
    await until('the status bar to say paused', () => api.rolloutStatus.text.endsWith('step 1/2 · paused'));
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 }, 'a pause routes nothing');

    await vscode.commands.executeCommand(Commands.resumeRollout, await aliasNode(api, FN, 'prod'));
    assert.equal(view()?.status, 'running');
    await until('the tree to show it running again', async () => (await prodItem()).contextValue === 'lambdaCanary:alias:rollout');

    ui.script(['confirmAbortRollout', false]);
    await vscode.commands.executeCommand(Commands.abortRollout, await aliasNode(api, FN, 'prod'));
    assert.equal(view()?.status, 'running', 'declining the abort changes nothing');
    assert.match(ui.confirmations.at(-1)!.message, /^Abort the rollout of version 2 on prod\?$/);

    ui.script(['confirmAbortRollout', true]);
    await vscode.commands.executeCommand(Commands.abortRollout, await aliasNode(api, FN, 'prod'));
    assert.equal(view()?.status, 'aborted');
    const after = await alias();
    assert.equal(after.FunctionVersion, '1');
    assert.deepEqual(after.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    assert.equal(after.Description, 'Production', 'the lease is let go');
    await sleep(300);
    assert.equal(ui.infos.filter((m) => /Aborted by/.test(m)).length, 1, `the end is reported once: ${ui.infos.join(' | ')}`);
    assert.deepEqual(ui.errors, []);
    await until('the status bar item to hide', () => !api.rolloutStatus.visible);
    const ended = await until('the tree to show a plain alias', async () => {
      const i = await prodItem();
      return i.contextValue === 'lambdaCanary:alias' && i;
    });
    assert.equal(ended.label, 'prod → 1');
  });

  it('on an alias running a plain canary, a rollout that would not take it over is refused before the confirmation', async () => {
    const now = await alias();
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } }, RevisionId: now.RevisionId }));
    const node = await aliasNode(api, FN, 'prod');
    const asked = ui.confirmations.length;
    const errors = ui.errors.length;
    ui.script(['rolloutEngine', 'Here'], ['rolloutSource', '2'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '20%@1h, 100%']);
    await vscode.commands.executeCommand(Commands.startRollout, node);
    assert.equal(ui.confirmations.length, asked, 'nothing asked');
    assert.match(ui.errors.slice(errors).join('\n'), /prod runs a canary \(version 3 at 10%\): promote or roll it back first, or roll out version 3 with a plan whose first step is 10%/);
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 }, 'the canary is as it was');
  });

  it('a control on an alias without a rollout is refused with a clear error, and writes nothing', async () => {
    const before = await alias();
    await vscode.commands.executeCommand(Commands.nextRolloutStep, { functionName: FN, aliasName: 'prod' });
    assert.match(ui.errors.join('\n'), /prod has no rollout in progress/);
    assert.equal((await alias()).RevisionId, before.RevisionId);
  });

  it('a window that lets go (deactivate, reload) frees the lease at once, and the next runner takes the rollout over', async () => {
    const out = await api.rollouts.start({ functionName: FN, aliasName: 'prod', version: '2', plan: parsePlanText('10%@1h, 100%') });
    assert.equal(out.state, 'done', out.error?.message);
    const first = parseLease((await alias()).Description).lease!;
    assert.ok(first.until > Date.now());
    await api.rollouts.stop(); // what deactivate awaits
    const released = parseLease((await alias()).Description).lease!;
    assert.equal(released.instance, first.instance);
    assert.ok(released.until <= Date.now(), 'the lease ends now, not at its expiry');
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 }, 'the rollout itself goes on');
    await api.rollouts.current(); // a reloaded window: resumed from the journal
    const taken = await until('the new runner to take the lease', async () => {
      const l = parseLease((await alias()).Description).lease;
      return l && l.instance !== first.instance && l.until > Date.now() && l;
    });
    assert.equal(taken.rollout, first.rollout);
    assert.equal(view()?.status, 'running');
    assert.equal(view()?.driver?.self, true);
  });

  it("shows a rollout another machine drives read-only, from the lease in the alias description, and refuses to start another", async () => {
    const now = Date.now();
    const marker = formatMarker({ rollout: 'aa11bb22', step: 1, steps: 3, holder: 'bob@build-host', client: 'cli', pid: 4242, instance: 'ab12', since: now - 60_000, until: now + 120_000 });
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } }, Description: `Production ${marker}` }));
    const item = await until('the tree to show the lease', async () => {
      const i = await prodItem();
      return i.contextValue === 'lambdaCanary:alias:rollout:remote' && i;
    });
    assert.equal(item.label, 'prod → 1 (75%) · 2 (25%) · step 2/3');
    assert.match(String(item.description), /^driven by bob@build-host \(CLI\) since \d\d\/\d\d\/\d{4}, \d\d:\d\d\s[AP]M UTC$/);
    assert.equal(api.rolloutStatus.visible, false, 'the status bar counts the rollouts of this window');
    const before = await alias();
    ui.script(['rolloutEngine', 'Here'], ['rolloutSource', '3'], ['rolloutPlan', 'Canary10Percent5Minutes'], ['confirmRollout', true]);
    await vscode.commands.executeCommand(Commands.startRollout, await aliasNode(api, FN, 'prod'));
    assert.match(ui.errors.join('\n'), /driven by bob@build-host \(CLI\) since/);
    assert.equal((await alias()).RevisionId, before.RevisionId, 'nothing was written');
  });

  it("rolls out the workspace code: Publish Canary's path at the first step's weight, then the rollout takes it over as step 1", async () => {
    const WS = 'checkout-api'; // the fixture workspace's lambda-canary.json: checkout-api, alias prod
    const saved = await lambda.send(new GetAliasCommand({ FunctionName: WS, Name: 'prod' }));
    try {
      // Whatever earlier suites deployed: $LATEST differs from the workspace, prod serves version 1 alone.
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: WS, ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => "other";' }) }));
      sandbox.settle();
      await lambda.send(new UpdateAliasCommand({ FunctionName: WS, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
      // The pre-flight first: the demo's API Gateway permission on the unqualified function bypasses prod.
      ui.script(['rolloutSource', 'The workspace code (publish now)'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '5%@1h, 100%'], ['preflight', 'Go On'], ['confirmRollout', true]);
      await vscode.commands.executeCommand(Commands.startRollout, { functionName: WS, aliasName: 'prod' });
      assert.deepEqual(ui.errors, []);
      assert.equal(ui.offered.rolloutSource[0], 'The workspace code (publish now)');
      assert.ok(!ui.asked.includes('weight'), 'the weight is the plan\'s first step, not asked');
      assert.equal(ui.asked.filter((id) => id === 'preflight').length, 1, 'one pre-flight question, not one for the publish and one for the rollout');
      const v = api.rollouts.view(WS, 'prod');
      assert.ok(v, 'a rollout runs');
      assert.equal(v.status, 'running', v.statusText);
      assert.equal(v.current, 0);
      const a = await lambda.send(new GetAliasCommand({ FunctionName: WS, Name: 'prod' }));
      assert.equal(a.FunctionVersion, '1');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { [v.version]: 0.05 }, 'the published version at the first step, taken over');
      assert.ok(Number(v.version) > 3, `a new version was published (${v.version})`);
      await until('the status bar item', () => api.rolloutStatus.text === '$(sync~spin) 1 rollout: checkout-api:prod step 1/2');
    } finally {
      const v = api.rollouts.view(WS, 'prod');
      if (v && !ROLLOUT_ENDS.has(v.status)) await api.rollouts.control({ functionName: WS, aliasName: 'prod', action: 'abort' });
      await lambda.send(
        new UpdateAliasCommand({ FunctionName: WS, Name: 'prod', FunctionVersion: saved.FunctionVersion, RoutingConfig: { AdditionalVersionWeights: saved.RoutingConfig?.AdditionalVersionWeights ?? {} }, Description: saved.Description ?? '' }),
      );
    }
  });

  it('a bad version rolled out from its version node rolls back by itself, with a warning that says why', async () => {
    sandbox.versionBehaviour.set({ functionName: FN, version: '3', errorRate: 0.5 });
    traffic = new TrafficGenerator(sandbox.lambda, [{ functionName: FN, qualifier: 'prod', rate: 100 }]);
    traffic.start();
    await sleep(1500); // the stable version's history
    const fn = await functionNode(api, FN);
    const [, versions] = (await api.tree.getChildren(fn)) as GroupNode[];
    const v3 = ((await api.tree.getChildren(versions)) as Node[]).find((n): n is VersionNode => n.kind === 'version' && n.version.Version === '3');
    assert.ok(v3, 'version 3 is in the tree');
    ui.script(['rolloutEngine', 'Here'], ['alias', 'prod'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '20%@60s, 100%'], ['confirmRollout', true]);
    const started = Date.now();
    await vscode.commands.executeCommand(Commands.rollOutVersionOn, v3);
    assert.deepEqual(ui.errors, []);
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '3': 0.2 });
    const end = await until('the rollout to end', () => {
      const v = view();
      return v && ROLLOUT_ENDS.has(v.status) && v;
    }, 45_000);
    assert.equal(end.status, 'rolled-back', end.statusText);
    assert.ok(Date.now() - started < 60_000, 'before its bake ended');
    const after = await alias();
    assert.equal(after.FunctionVersion, '1');
    assert.deepEqual(after.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    const warning = await until('the warning', () => ui.warnings.find((w) => w.message.startsWith(`${FN}:prod: `)));
    assert.match(warning.message, new RegExp(`^${FN}:prod: Rolled back at step 1/\\d+: canary .* errors`), 'it says why, naming the alias once');
    assert.deepEqual(warning.actions, ['Open Traffic Panel']);
    assert.equal(ui.infos.filter((m) => m.startsWith(`${FN}:prod: `)).length, 1, 'one notification for the whole rollout');
  });
});
