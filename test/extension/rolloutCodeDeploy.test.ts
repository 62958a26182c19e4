import assert from 'node:assert/strict';
import { GetDeploymentCommand, CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { TrafficPanel } from '../../src/extension/panel/trafficPanel';
import { zipFiles } from '../../src/sandbox/zip';
import { Commands } from '../../src/shared/ids';
import { ROLLOUT_ENDS } from '../../src/shared/rollout';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { handled } from './panelMessages';
import { ScriptedUi } from './scriptedUi';
import { aliasNode } from './treeNodes';
import { WebviewPage, webviewBridge } from './webviewPage';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
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

const ROLE = 'arn:aws:iam::123456789012:role/cd-ext-service';

/**
 * Rollouts handed to CodeDeploy from the editor, against the embedded sandbox's CodeDeploy (one
 * CodeDeploy minute lasts lambdaCanary.sandbox.codeDeployMinuteMs, 2 s by default): the command's
 * questions, the watcher's view in the tree, the status bar and the traffic panel, the core's guard
 * refusing a local write while it runs, Stop with rollback, the managed-by-CodeDeploy warning.
 */
describe('CodeDeploy rollouts in the editor, against the embedded sandbox', function () {
  this.timeout(120_000);
  const FN = 'cd-ext';
  let api: LambdaCanaryApi;
  let lambda: LambdaClient;
  let codedeploy: CodeDeployClient;
  let ui: ScriptedUi;
  let restore: () => void;
  let panel: TrafficPanel | undefined;
  const bridge = webviewBridge();
  const page = bridge && new WebviewPage(bridge, `${FN}:prod`);

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    lambda = new LambdaClient(on.clientConfig);
    codedeploy = new CodeDeployClient(on.clientConfig);
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/cd-ext', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    for (const n of [2, 3]) {
      on.sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': `exports.handler = async () => ${n};` }) }));
    }
    on.sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    on.sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', Description: 'Production' }));
    await vscode.workspace.getConfiguration('lambdaCanary').update('panel.openAfterPublish', false, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    restore?.();
    panel?.dispose();
    await vscode.workspace.getConfiguration('lambdaCanary').update('panel.openAfterPublish', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('lambdaCanary').update('codeDeploy.serviceRoleArn', undefined, vscode.ConfigurationTarget.Global);
    lambda?.destroy();
    codedeploy?.destroy();
  });
  beforeEach(() => {
    ui.reset();
    ui.confirmations = [];
  });

  const alias = () => lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
  const view = () => api.rollouts.view(FN, 'prod');
  const prodItem = async () => api.tree.getTreeItem(await aliasNode(api, FN, 'prod'));

  it('refuses a plan CodeDeploy cannot run before anything is created, offering to run it here instead', async () => {
    ui.script(['rolloutSource', '2'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '10%@1m manual, 100%'], ['rolloutEngine', 'CodeDeploy'], ['codeDeployRefused', false]);
    await vscode.commands.executeCommand(Commands.startRollout, await aliasNode(api, FN, 'prod'));
    assert.deepEqual(ui.offered.rolloutEngine, ['Here', 'CodeDeploy']);
    const q = ui.confirmations.find((c) => c.id === 'codeDeployRefused');
    assert.ok(q, `asked: ${ui.asked.join(', ')}`);
    assert.match(q.detail, /manual gate|waits for approval/);
    assert.deepEqual(ui.choices.codeDeployRefused, ['Run It Here']);
    assert.ok(!ui.asked.includes('confirmCodeDeploy'), 'nothing more is asked');
    assert.deepEqual(ui.errors, []);
    assert.equal((await alias()).RoutingConfig, undefined);
    assert.equal(view(), undefined);
  });

  let deploymentId: string;

  it('starts a CodeDeploy rollout from Start Rollout…: asks for the role of the new group, confirms what it creates, and the watcher reaches the tree and the status bar', async () => {
    ui.script(
      ['rolloutSource', '2'],
      ['rolloutPlan', 'Type a plan…'],
      ['rolloutPlanText', '15%@10m, 100%'],
      ['rolloutEngine', 'CodeDeploy'],
      ['confirmCodeDeploy', true],
      ['codeDeployRole', 'arn:aws:iam::123:role/typo'],
    );
    await vscode.commands.executeCommand(Commands.startRollout, await aliasNode(api, FN, 'prod'));
    // A role ARN that is not one is refused as typed (a real input box would not accept it).
    assert.match(ui.validation.at(-1) ?? '', /Not an IAM role ARN/);
    assert.equal(view(), undefined, 'no role, no deployment');

    ui.reset();
    ui.script(['rolloutSource', '2'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '15%@10m, 100%'], ['rolloutEngine', 'CodeDeploy'], ['confirmCodeDeploy', true], ['codeDeployRole', ROLE]);
    await vscode.commands.executeCommand(Commands.startRollout, await aliasNode(api, FN, 'prod'));
    assert.deepEqual(ui.errors, []);
    const q = ui.confirmations.find((c) => c.id === 'confirmCodeDeploy')!;
    assert.equal(q.message, 'Hand the rollout of version 2 on prod to CodeDeploy?');
    assert.match(q.detail, /application lambda-canary and deployment group cd-ext-prod are used, or created when missing/);
    assert.match(q.detail, /Deployment config LambdaCanary\.Canary15Percent10Minutes \(custom, created when missing\): 15 % for 10 min, then 100 %/);
    assert.match(String(ui.inputOptions.codeDeployRole?.prompt), /cd-ext-prod is new.*AWSCodeDeployRoleForLambda/);

    const v = await until('the watcher to show the deployment', () => {
      const x = view();
      return x?.engine === 'codedeploy' && x.codeDeploy?.targetVersionWeight === 15 && x;
    });
    deploymentId = v.codeDeploy!.deploymentId;
    assert.match(deploymentId, /^d-[A-Z0-9]+$/);
    const info = await codedeploy.send(new GetDeploymentCommand({ deploymentId }));
    assert.equal(info.deploymentInfo?.deploymentGroupName, 'cd-ext-prod');
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.15 }, 'CodeDeploy moved the alias');

    const item = await until('the tree to show the CodeDeploy rollout', async () => {
      const i = await prodItem();
      return i.contextValue === 'lambdaCanary:alias:codedeploy' && i;
    });
    assert.equal(item.label, 'prod → 1 (85%) · 2 (15%) · CodeDeploy step 1/2');
    assert.equal(item.description, `deploying through CodeDeploy (${deploymentId})`);
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.match(tooltip, new RegExp(`CodeDeploy deployment ${deploymentId}`));
    assert.match(tooltip, /AllowTraffic/);
    await until('the status bar item', () => api.rolloutStatus.text === `$(sync~spin) 1 rollout: ${FN}:prod CodeDeploy step 1/2`);
  });

  it('shows the deployment in the traffic panel: its weight, lifecycle events, id and the two Stop buttons', async function () {
    if (!deploymentId) this.skip();
    await vscode.commands.executeCommand(Commands.openTrafficPanel, { functionName: FN, aliasName: 'prod' });
    panel = api.panels.get(FN, 'prod');
    assert.ok(panel);
    const v = view()!;
    assert.equal(v.engine, 'codedeploy');
    assert.ok(v.codeDeploy!.lifecycle.some((e) => e.name === 'AllowTraffic'), JSON.stringify(v.codeDeploy!.lifecycle));
    if (!page) return; // the page itself is read where the webview bridge runs (code-server)
    await page.waitFor('#codedeploy-id', (s) => s.text === deploymentId, 'the deployment id');
    await page.waitFor('#codedeploy-weight-value', (s) => s.text === '15 %', 'the weight now');
    await page.waitFor('#codedeploy-lifecycle tr[data-event="AllowTraffic"]', () => true, 'the AllowTraffic event');
    await page.waitFor('#codedeploy-stop-rollback', (s) => !s.disabled, 'Stop and roll back');
    await page.waitFor('#codedeploy-stop-keep', (s) => !s.disabled, 'Stop (keep traffic)');
    assert.equal(await page.read('#rollout-pause'), null, 'no local controls for a CodeDeploy rollout');
  });

  it("refuses a local Set Weight while the deployment runs, with the deployment's id (after the managed warning)", async function () {
    if (!deploymentId) this.skip();
    const before = await alias();
    ui.script(['confirmManaged', true], ['weight', '25%']);
    await vscode.commands.executeCommand(Commands.setCanaryWeight, await aliasNode(api, FN, 'prod'));
    const managed = ui.confirmations.find((c) => c.id === 'confirmManaged');
    assert.ok(managed, `the managed warning: asked ${ui.asked.join(', ')}`);
    assert.match(managed.detail, /deployment group cd-ext-prod \(application lambda-canary\) last deployed it/);
    const error = await until('the refusal', () => ui.errors.find((e) => e.includes(deploymentId)));
    assert.match(error, /CodeDeploy/);
    const after = await alias();
    assert.equal(after.RevisionId === before.RevisionId || JSON.stringify(after.RoutingConfig) !== JSON.stringify({ AdditionalVersionWeights: { '2': 0.25 } }), true, 'the 25 % was not written');
  });

  it('stops it with rollback (as the panel asks), and the alias is back on version 1', async function () {
    if (!deploymentId) this.skip();
    if (page && panel) {
      ui.script(['confirmStopCodeDeploy', true]);
      const o = await handled(panel, 'codeDeployStop', () => page.click('#codedeploy-stop-rollback'));
      assert.deepEqual(o.message, { type: 'codeDeployStop', rollback: true });
      assert.equal(o.result, 'done', o.detail);
    } else {
      ui.script(['confirmStopCodeDeploy', true]);
      await vscode.commands.executeCommand(Commands.stopCodeDeployRollout, { functionName: FN, aliasName: 'prod', rollback: true });
    }
    assert.deepEqual(ui.errors, []);
    const q = ui.confirmations.find((c) => c.id === 'confirmStopCodeDeploy')!;
    assert.match(q.message, new RegExp(`^Stop and Roll Back: CodeDeploy deployment ${deploymentId} on prod\\?$`));
    const v = await until('the rollout to end rolled back', () => {
      const x = view();
      return x && ROLLOUT_ENDS.has(x.status) && x;
    });
    assert.equal(v.status, 'rolled-back', v.statusText);
    const a = await until('the alias back on version 1', async () => {
      const x = await alias();
      return x.FunctionVersion === '1' && Object.keys(x.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0 && x;
    });
    assert.equal(a.FunctionVersion, '1');
    await until('the tree to show the alias without the rollout', async () => (await prodItem()).contextValue !== 'lambdaCanary:alias:codedeploy');
  });

  it('marks the alias as managed by CodeDeploy, and a manual Switch asks first (declined: nothing written)', async function () {
    if (!deploymentId) this.skip();
    api.tree.refresh();
    const item = await until('the managed mark', async () => {
      const i = await prodItem();
      return typeof i.description === 'string' && i.description.includes('managed by CodeDeploy (cd-ext-prod)') && i;
    });
    assert.match((item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1'), /Managed by CodeDeploy: deployment group cd-ext-prod/);
    const before = await alias();
    ui.script(['version', '3'], ['confirmManaged', false]);
    await vscode.commands.executeCommand(Commands.switchAlias, await aliasNode(api, FN, 'prod'));
    const q = ui.confirmations.find((c) => c.id === 'confirmManaged');
    assert.ok(q, `asked: ${ui.asked.join(', ')}`);
    assert.match(q.message, /^cd-ext:prod is managed by CodeDeploy\. Switch the alias anyway\?$/);
    assert.equal((await alias()).RevisionId, before.RevisionId);
  });

  it('with lambdaCanary.codeDeploy.serviceRoleArn set and the group existing, starts without asking for a role; Stop from the palette keeps the traffic', async function () {
    if (!deploymentId) this.skip();
    await vscode.workspace.getConfiguration('lambdaCanary').update('codeDeploy.serviceRoleArn', ROLE, vscode.ConfigurationTarget.Global);
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    ui.script(['confirmManaged', true], ['rolloutSource', '3'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '20%@10m, 100%'], ['rolloutEngine', 'CodeDeploy'], ['confirmCodeDeploy', true]);
    await vscode.commands.executeCommand(Commands.startRollout, await aliasNode(api, FN, 'prod'));
    assert.deepEqual(ui.errors, []);
    assert.ok(!ui.asked.includes('codeDeployRole'));
    const v = await until('the second deployment', () => {
      const x = view();
      return x?.engine === 'codedeploy' && x.codeDeploy?.deploymentId !== deploymentId && x.codeDeploy?.targetVersionWeight === 20 && x;
    });
    ui.script(['codeDeployRollout', `${FN}:prod`], ['stopCodeDeploy', 'Stop (Keep Traffic)']);
    await vscode.commands.executeCommand(Commands.stopCodeDeployRollout);
    assert.deepEqual(ui.errors, []);
    const ended = await until('the second rollout to end', () => {
      const x = view();
      return x && x.codeDeploy?.deploymentId === v.codeDeploy?.deploymentId && ROLLOUT_ENDS.has(x.status) && x;
    });
    assert.equal(ended.status, 'aborted', ended.statusText);
    assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '3': 0.2 }, 'the traffic is kept as it was');
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
  });

  it('a CodeDeploy rollout that succeeds by itself ends with a notice saying so, and the alias serves the new version', async function () {
    if (!deploymentId) this.skip();
    ui.script(['confirmManaged', true], ['rolloutSource', '3'], ['rolloutPlan', 'Type a plan…'], ['rolloutPlanText', '30%@1m, 100%'], ['rolloutEngine', 'CodeDeploy'], ['confirmCodeDeploy', true]);
    await vscode.commands.executeCommand(Commands.startRollout, await aliasNode(api, FN, 'prod'));
    assert.deepEqual(ui.errors, []);
    const notice = await until('the notice of its end', () => ui.infos.find((m) => /CodeDeploy deployment d-[A-Z0-9]+ succeeded: version 3 gets all the traffic/.test(m)), 60_000);
    assert.match(notice, /^cd-ext:prod: /);
    assert.equal(view()?.status, 'promoted');
    const a = await alias();
    assert.equal(a.FunctionVersion, '3');
    assert.equal(Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {}).length, 0);
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
  });
});
