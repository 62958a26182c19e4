import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { CodeDeployConfigChoice, CodeDeploySettings } from '../../core/codedeploy/types';
import { errorSummary, OperationError } from '../../core/errors';
import type { Outcome } from '../../core/outcome';
import type { RolloutPlan } from '../../core/rollout/plans';
import { describePlan, PlanError } from '../../core/rollout/plans';
import { splitOf } from '../../core/routing';
import type { WorkspaceFunction } from '../../core/workspace';
import { plainText } from '../../shared/text';
import { codeDeployNames, confirmCodeDeployStart, roleArnProblem } from '../codeDeployStartText';
import { codeDeploySettingsFor, readSettings } from '../config';
import type { CommandContext } from '../context';
import type { PickItem } from '../ui';
import { Dismissed, nothingChanged, orDismiss } from './common';
import { passPreflight } from './preflight';
import { readTestEvent } from './workspaceFunction';

export type RolloutEngineChoice = 'local' | 'codedeploy';

export const ENGINE_HERE = vscode.l10n.t('Here');
// The AWS service's name.
export const ENGINE_CODEDEPLOY = 'CodeDeploy';
export const RUN_HERE = vscode.l10n.t('Run It Here');
export const SMOKE_FIRST = vscode.l10n.t('Smoke Test First');
export const NO_SMOKE = vscode.l10n.t('No Smoke Test');

/** After the plan: where the rollout runs. */
export async function pickEngine(ctx: CommandContext, title: string): Promise<RolloutEngineChoice> {
  const items: Array<PickItem<RolloutEngineChoice>> = [
    {
      label: ENGINE_HERE,
      description: vscode.l10n.t('Lambda Canary steps it; the editor must stay open'),
      detail: vscode.l10n.t('Each step judged on CloudWatch here, with Pause, Next step, Promote now and Abort.'),
      value: 'local',
    },
    {
      label: ENGINE_CODEDEPLOY,
      description: vscode.l10n.t("AWS steps it, with alarms and rollback on AWS's side; goes on with the editor closed"),
      detail: vscode.l10n.t('A CodeDeploy deployment (application, deployment group and config reused or created), watched here; Stop with or without rollback.'),
      value: 'codedeploy',
    },
  ];
  return orDismiss(await ctx.ui.pick<RolloutEngineChoice>('rolloutEngine', items, { title, placeHolder: vscode.l10n.t('Where does the rollout run?') })).value;
}

/**
 * A rollout of a published version handed to CodeDeploy: the plan's config (refused before
 * anything is asked when CodeDeploy cannot run it, with the choice to run it here), the settings
 * (lambda-canary.json first), the smoke test as the zero-setup alternative to a hook, the
 * pre-flight, a confirmation of what is used or created, then the core's start. A new group
 * without a known role asks for its ARN and starts again. Resolves 'local' when the user chose to
 * run the plan here instead.
 */
export async function startOnCodeDeploy(
  ctx: CommandContext,
  input: { functionName: string; alias: AliasConfiguration; version: string; plan: RolloutPlan; what: string; ws?: WorkspaceFunction; title: string },
): Promise<'local' | undefined> {
  const { functionName, alias, version, plan, what, ws, title } = input;
  const aliasName = alias.Name!;
  const engine = await ctx.rollouts.codeDeploy.engine();
  let config: CodeDeployConfigChoice;
  try {
    config = engine.configFor(plan);
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    const answer = await ctx.ui.choose('codeDeployRefused', vscode.l10n.t('CodeDeploy cannot run this plan on {0}.', plainText(aliasName)), `${plainText(err.message, 600)} ${vscode.l10n.t('Nothing was created.')}`, [RUN_HERE]);
    if (answer === RUN_HERE) return 'local';
    throw new Dismissed();
  }
  const settings: CodeDeploySettings = codeDeploySettingsFor(ws);
  const smokeEvent = await askSmoke(ctx, ws, settings);
  const stable = splitOf(alias).primary.version;
  const names = codeDeployNames(functionName, aliasName, settings);
  let role: string | undefined;
  const startInput = () => ({
    functionName,
    aliasName,
    version,
    plan,
    settings: role ? { ...settings, serviceRoleArn: role } : settings,
    expectedRevisionId: alias.RevisionId,
    ...(smokeEvent !== undefined ? { smokeEvent } : {}),
  });
  const request = {
    functionName,
    aliasName,
    action: 'apply' as const,
    title: vscode.l10n.t('Handing the rollout of version {0} on {1} to CodeDeploy', version, `${functionName}:${aliasName}`),
    notify: false,
    manual: vscode.l10n.t('Start a CodeDeploy rollout'),
    run: (uc: Parameters<typeof ctx.rollouts.codeDeploy.start>[0]) => ctx.rollouts.codeDeploy.start(uc, startInput()),
  };
  let result = await ctx.aliases.run({
    ...request,
    ask: (signal) => passPreflight(ctx, { functionName, aliasName, version }, vscode.l10n.t('Start Rollout'), signal),
    confirm: () => confirmCodeDeployStart({ functionName, aliasName, what, stable, config, planWords: describePlan(plan), settings, alarms: plan.alarms ?? [], smoke: smokeEvent !== undefined }),
  });
  // A new deployment group needs a service role nobody named: asked, then started again (nothing was created).
  if (result.status === 'ran' && needsRole(result.outcome, settings)) {
    const typed = await ctx.ui.input('codeDeployRole', {
      title,
      prompt: vscode.l10n.t(
        'Deployment group {0} is new: the ARN of the IAM role CodeDeploy assumes for it (with the managed policy AWSCodeDeployRoleForLambda). Lambda Canary does not create roles; set lambdaCanary.codeDeploy.serviceRoleArn to skip this question.',
        names.deploymentGroup,
      ),
      // eslint-disable-next-line lambda-canary/localised -- an ARN's form
      placeHolder: 'arn:aws:iam::123456789012:role/CodeDeployServiceRole',
      validateInput: (v) => roleArnProblem(v),
    });
    if (typed === undefined) {
      ctx.log.info(`Start Rollout on ${functionName}:${aliasName} (CodeDeploy): no service role given. Nothing was changed.`);
      return undefined;
    }
    role = typed.trim();
    result = await ctx.aliases.run(request);
  }
  if (result.status !== 'ran') return undefined;
  void ctx.aliases.notify(result.outcome);
  if (result.outcome.state === 'done' && readSettings().panel.openAfterPublish) ctx.panels.open(functionName, aliasName);
  return undefined;
}

/** The core's refusal of a new group with no service role (kind validation, nothing created). */
function needsRole(o: Outcome, settings: CodeDeploySettings): boolean {
  return !settings.serviceRoleArn && o.error?.kind === 'validation' && /service role/i.test(o.error.message);
}

/**
 * No BeforeAllowTraffic hook and a workspace test event: the smoke test (the new version invoked
 * with that event before anything is created) is offered. Trusted workspaces only; a sample event
 * nobody chose is not used.
 */
async function askSmoke(ctx: CommandContext, ws: WorkspaceFunction | undefined, settings: CodeDeploySettings): Promise<unknown> {
  if (settings.beforeAllowTraffic || !ws?.testEventFile || ws.testEventSuggested || !vscode.workspace.isTrusted) return undefined;
  let event: unknown;
  try {
    event = readTestEvent(ws);
  } catch (err) {
    throw new OperationError(`${errorSummary(err)}`, { kind: 'validation', state: nothingChanged() });
  }
  if (event === undefined) return undefined;
  const answer = await ctx.ui.choose(
    'codeDeploySmoke',
    vscode.l10n.t('Smoke test the new version first?'),
    vscode.l10n.t(
      'No BeforeAllowTraffic hook is set (lambdaCanary.codeDeploy.beforeAllowTrafficHook). Lambda Canary can invoke the new version with the workspace test event before anything is created, and refuse to start when it fails — no hook function to write.',
    ),
    [SMOKE_FIRST, NO_SMOKE],
  );
  if (answer === undefined) throw new Dismissed();
  return answer === SMOKE_FIRST ? event : undefined;
}
