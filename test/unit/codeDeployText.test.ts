import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { templateManagement, isWorkspaceFunction } from '../../src/extension/codeDeployManaged';
import {
  codeDeployEndText,
  codeDeployNoticeButtons,
  confirmManagedWrite,
  hasOpenCodeDeploy,
  lifecycleLine,
  managedShort,
} from '../../src/extension/codeDeployText';
import { codeDeployNames, confirmCodeDeployStart, roleArnProblem } from '../../src/extension/codeDeployStartText';
import { aliasRolloutOf, rolloutAliasLabel, rolloutContextValue, rolloutDescription, rolloutIcon, rolloutStatusText, rolloutTooltipLines } from '../../src/extension/rolloutText';
import type { WorkspaceFunction } from '../../src/core/workspace';
import { isHostMessage, isRolloutView, parsePanelMessage, rolloutControls } from '../../src/shared/protocol';
import type { RolloutView } from '../../src/shared/rollout';
import { renderMarkdown, textOf } from './renderMarkdown';

const NOW = Date.UTC(2026, 11, 1, 23, 30);

function cdView(over: Partial<RolloutView> = {}, info: Partial<NonNullable<RolloutView['codeDeploy']>> = {}): RolloutView {
  return {
    id: 'd-ABCDEF123',
    functionName: 'checkout-api',
    aliasName: 'prod',
    version: '8',
    stable: '7',
    planText: '10%@5m, 100%',
    planName: 'Canary10Percent5Minutes',
    alarms: [],
    steps: [
      { weight: 10, bakeSeconds: 300, gate: 'auto', startedAt: NOW - 60_000 },
      { weight: 100, bakeSeconds: 0, gate: 'auto' },
    ],
    current: 0,
    status: 'running',
    statusText: 'CodeDeploy is shifting traffic.',
    startedAt: NOW - 60_000,
    engine: 'codedeploy',
    codeDeploy: {
      deploymentId: 'd-ABCDEF123',
      application: 'lambda-canary',
      deploymentGroup: 'checkout-api-prod',
      config: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      deploymentStatus: 'InProgress',
      targetVersionWeight: 10,
      lifecycle: [
        { name: 'BeforeAllowTraffic', status: 'Succeeded', hookFunction: 'deploy-check' },
        { name: 'AllowTraffic', status: 'InProgress' },
      ],
      readAt: NOW,
      ...info,
    },
    ...over,
  };
}

const prod = { Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } }, RevisionId: 'r1' };

describe('CodeDeploy rollouts in the editor (codeDeployText, rolloutText, protocol)', () => {
  it('labels an alias CodeDeploy is shifting, with its own context value (Stop only) and description', () => {
    const r = aliasRolloutOf(cdView(), undefined, NOW, () => true)!;
    assert.equal(r.readOnly, false, 'AWS steps it: any window may stop it');
    assert.equal(rolloutAliasLabel(prod, r), 'prod → 7 (90%) · 8 (10%) · CodeDeploy step 1/2');
    assert.equal(rolloutContextValue(r, 'lambdaCanary:alias:rollout', 'lambdaCanary:alias:rollout:remote', 'lambdaCanary:alias:codedeploy'), 'lambdaCanary:alias:codedeploy');
    assert.equal(rolloutIcon(r).id, 'sync~spin');
    assert.equal(rolloutDescription(r), 'deploying through CodeDeploy (d-ABCDEF123)');
    const baking = aliasRolloutOf(cdView({}, { deploymentStatus: 'Baking' }), undefined, NOW, () => true)!;
    assert.equal(rolloutAliasLabel(prod, baking), 'prod → 7 (90%) · 8 (10%) · CodeDeploy step 1/2 · Baking');
    const tip = textOf(renderMarkdown(rolloutTooltipLines(r).join('  \n')));
    assert.match(tip, /CodeDeploy deployment d-ABCDEF123 \(InProgress\): version 8 replacing 7, step 1\/2/);
    assert.match(tip, /Config CodeDeployDefault\.LambdaCanary10Percent5Minutes · application lambda-canary · group checkout-api-prod/);
    assert.match(tip, /Version 8 gets 10% now/);
    assert.match(tip, /BeforeAllowTraffic \(deploy-check\): Succeeded/);
    assert.equal(rolloutStatusText([cdView()])?.text, '$(sync~spin) 1 rollout: checkout-api:prod CodeDeploy step 1/2');
    assert.deepEqual(codeDeployNoticeButtons(cdView()), ['Stop…', 'Open Traffic Panel']);
    assert.deepEqual(codeDeployNoticeButtons(cdView({ status: 'promoted' })), ['Open Traffic Panel']);
  });

  it('shows AWS text as text: a hostile message or hook name cannot become Markdown, a link or an icon', () => {
    const evil = '[click](command:workbench.action.terminal.new) **bold** $(alert) <img src=x>';
    const v = cdView({}, { error: evil, lifecycle: [{ name: 'BeforeAllowTraffic', status: 'Failed', hookFunction: evil, message: evil }] });
    const html = renderMarkdown(rolloutTooltipLines({ kind: 'known', view: v, readOnly: false }).join('  \n'));
    assert.doesNotMatch(html, /<a |<strong>bold|<img/);
    assert.match(lifecycleLine(v.codeDeploy!.lifecycle[0]), /^BeforeAllowTraffic \(\[click\]/);
  });

  it('says how a CodeDeploy rollout ended, with the error in words', () => {
    assert.equal(codeDeployEndText(cdView({ status: 'promoted' }, { deploymentStatus: 'Succeeded' })), 'checkout-api:prod: CodeDeploy deployment d-ABCDEF123 succeeded: version 8 gets all the traffic.');
    assert.equal(
      codeDeployEndText(cdView({ status: 'rolled-back' }, { deploymentStatus: 'Failed', error: 'HOOK_FAILED: deploy-check reported Failed.' })),
      'checkout-api:prod: CodeDeploy deployment d-ABCDEF123 failed and rolled back to version 7. HOOK_FAILED: deploy-check reported Failed.',
    );
    assert.match(codeDeployEndText(cdView({ status: 'rolled-back' }, { deploymentStatus: 'Stopped' })), /was stopped and rolled back to version 7\.$/);
    assert.match(codeDeployEndText(cdView({ status: 'aborted' }, { deploymentStatus: 'Stopped' })), /ended \(Stopped\), the alias left as it was\.$/);
  });

  it('confirms what is used or created, and the plan, before handing a rollout to CodeDeploy', () => {
    const q = confirmCodeDeployStart({
      functionName: 'checkout-api',
      aliasName: 'prod',
      what: 'version 8',
      stable: '7',
      config: { name: 'LambdaCanary.Canary25Percent7Minutes', predefined: false },
      planWords: '25 % for 7 min, then 100 %',
      settings: { serviceRoleArn: 'arn:aws:iam::123456789012:role/cd', beforeAllowTraffic: 'deploy-check' },
      alarms: ['checkout-errors'],
      smoke: false,
    });
    assert.equal(q.id, 'confirmCodeDeploy');
    assert.equal(q.message, 'Hand the rollout of version 8 on prod to CodeDeploy?');
    assert.match(q.detail, /application lambda-canary and deployment group checkout-api-prod are used, or created when missing \(service role arn:aws:iam::123456789012:role\/cd\)/);
    assert.match(q.detail, /and the alarms checkout-errors\./);
    assert.match(q.detail, /Deployment config LambdaCanary\.Canary25Percent7Minutes \(custom, created when missing\): 25 % for 7 min, then 100 %\./);
    assert.match(q.detail, /Hooks: BeforeAllowTraffic deploy-check\./);
    assert.match(confirmCodeDeployStart({ functionName: 'f', aliasName: 'a', what: 'v', stable: '1', config: { name: 'CodeDeployDefault.LambdaAllAtOnce', predefined: true }, planWords: '100 %', settings: {}, alarms: [], smoke: true }).detail, /smoke test/);
    assert.deepEqual(codeDeployNames('fn', 'live', { application: 'app' }), { application: 'app', deploymentGroup: 'fn-live' });
  });

  it('checks a service role ARN as it is typed', () => {
    assert.equal(roleArnProblem('arn:aws:iam::123456789012:role/CodeDeployServiceRole'), undefined);
    assert.equal(roleArnProblem('arn:aws-cn:iam::123456789012:role/path/to/Role'), undefined);
    assert.match(roleArnProblem('') ?? '', /AWSCodeDeployRoleForLambda/);
    for (const bad of ['arn:aws:iam::123:role/x', 'arn:aws:iam::123456789012:user/bob', 'arn:aws:s3:::bucket', 'CodeDeployServiceRole']) assert.match(roleArnProblem(bad) ?? '', /Not an IAM role ARN/, bad);
  });

  it('warns before a manual write on an alias SAM or a deployment group manages, saying what the next deployment does', () => {
    const sam = confirmManagedWrite('checkout-api', 'live', { by: 'template', file: 'template.yaml', logicalId: 'CheckoutFunction', preference: 'Canary10Percent5Minutes' }, 'Set the canary weight');
    assert.equal(sam.message, 'checkout-api:live is managed by CodeDeploy. Set the canary weight anyway?');
    assert.match(sam.detail, /CheckoutFunction in template\.yaml has AutoPublishAlias and DeploymentPreference \(Canary10Percent5Minutes\): the next `sam deploy` publishes a new version/);
    const group = confirmManagedWrite('checkout-api', 'live', { by: 'group', application: 'app', deploymentGroup: 'grp', lastDeploymentId: 'd-1' }, 'Promote the canary');
    assert.match(group.detail, /deployment group grp \(application app\) last deployed it \(d-1\)/);
    assert.equal(managedShort({ by: 'template', file: 'template.yaml', logicalId: 'F', preference: 'Linear10PercentEvery1Minute' }), 'managed by CodeDeploy (SAM Linear10PercentEvery1Minute)');
  });

  it("finds the template's claim on an alias: AutoPublishAlias + DeploymentPreference, by name or by the logical id CloudFormation names the function after", () => {
    const f = { source: 'template.yaml', file: '/ws/template.yaml', workspaceRoot: '/ws', logicalId: 'CheckoutFunction', alias: 'live', codeDir: '/ws/src', ignore: [], deploymentPreference: { type: 'Canary10Percent5Minutes' } } as unknown as WorkspaceFunction;
    assert.deepEqual(templateManagement('shop-CheckoutFunction-AbC123xyz', 'live', [f]), { by: 'template', file: 'template.yaml', logicalId: 'CheckoutFunction', preference: 'Canary10Percent5Minutes' });
    assert.equal(templateManagement('shop-CheckoutFunction-AbC123xyz', 'prod', [f]), undefined, 'another alias');
    assert.equal(templateManagement('other-fn', 'live', [f]), undefined);
    assert.equal(templateManagement('shop-CheckoutFunction-AbC123xyz', 'live', [{ ...f, deploymentPreference: undefined } as unknown as WorkspaceFunction]), undefined, 'no DeploymentPreference');
    assert.ok(isWorkspaceFunction({ functionName: 'checkout' }, 'checkout'));
    assert.ok(!isWorkspaceFunction({ functionName: 'checkout' }, 'shop-checkout-X1'));
  });

  it('knows from the journal whether a CodeDeploy rollout has not ended (so a reload watches it again)', () => {
    const rec = (event: string, deploymentId: string) => ({ detail: { event, deploymentId } });
    assert.equal(hasOpenCodeDeploy([]), false);
    assert.equal(hasOpenCodeDeploy([rec('started', 'd-1')]), true);
    assert.equal(hasOpenCodeDeploy([rec('started', 'd-1'), rec('stop', 'd-1')]), true, 'a stop asked is not an end seen');
    assert.equal(hasOpenCodeDeploy([rec('started', 'd-1'), rec('ended', 'd-1')]), false);
    assert.equal(hasOpenCodeDeploy([rec('started', 'd-1'), rec('ended', 'd-1'), rec('started', 'd-2')]), true);
  });

  it("the panel protocol: Stop's message is checked, the CodeDeploy details are validated, no local controls for it", () => {
    assert.deepEqual(parsePanelMessage({ type: 'codeDeployStop', rollback: true }), { ok: true, message: { type: 'codeDeployStop', rollback: true } });
    assert.deepEqual(parsePanelMessage({ type: 'codeDeployStop', rollback: false }), { ok: true, message: { type: 'codeDeployStop', rollback: false } });
    for (const bad of [{ type: 'codeDeployStop' }, { type: 'codeDeployStop', rollback: 'yes' }, { type: 'codeDeployStop', rollback: true, deploymentId: 'd-x' }]) assert.equal(parsePanelMessage(bad).ok, false, JSON.stringify(bad));
    assert.ok(isRolloutView(cdView()));
    assert.ok(isHostMessage({ type: 'rollout', rollout: cdView() }));
    assert.ok(isHostMessage({ type: 'rolloutBusy', action: 'stop' }));
    assert.ok(!isRolloutView(cdView({ engine: 'aws' as never })));
    assert.ok(!isRolloutView(cdView({}, { targetVersionWeight: 140 })));
    assert.ok(!isRolloutView(cdView({}, { lifecycle: [{ name: 'Start', status: 7 as never }] })));
    assert.ok(!isRolloutView(cdView({}, { deploymentId: undefined as never })));
    assert.deepEqual(rolloutControls(cdView()), []);
  });

  it('the alias menu of a CodeDeploy rollout: Stop, the traffic panel, its history, nothing that writes by hand', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when?: string }>> } };
    const shown = manifest.contributes.menus['view/item/context']
      .filter((m) => m.when && /viewItem == lambdaCanary:alias:codedeploy|viewItem =~ \/\^lambdaCanary:alias\//.test(m.when))
      .map((m) => m.command);
    // Show History… reads; its Return to This State is refused while CodeDeploy shifts the alias.
    assert.deepEqual([...new Set(shown)].sort(), ['lambdaCanary.openTrafficPanel', 'lambdaCanary.showHistory', 'lambdaCanary.stopCodeDeployRollout']);
  });
});
