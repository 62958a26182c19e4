import * as l10n from '@vscode/l10n';
import type { CodeDeploySettings } from '../core/codedeploy/types';
import { plainText } from '../shared/text';

/**
 * What the CodeDeploy start says (its names, the role question, the confirmation), as plain
 * strings: used by the lazily loaded CodeDeploy commands only (dist/codedeployUi.js), so it stays
 * out of extension.js.
 */

/** The application and deployment group a rollout uses when the settings name none (as the core defaults them). */
export function codeDeployNames(functionName: string, aliasName: string, s: CodeDeploySettings): { application: string; deploymentGroup: string } {
  return { application: s.application ?? 'lambda-canary', deploymentGroup: s.deploymentGroup ?? `${functionName}-${aliasName}` };
}

/** `arn:aws:iam::123456789012:role/Name` (any partition, a path allowed); the problem in words otherwise. */
export function roleArnProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return l10n.t('Enter the ARN of an IAM role CodeDeploy can assume (with the managed policy AWSCodeDeployRoleForLambda).');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(v)) return l10n.t('Not an IAM role ARN: it looks like arn:aws:iam::123456789012:role/CodeDeployServiceRole.');
  return undefined;
}

export interface CodeDeployStartConfirmation {
  id: 'confirmCodeDeploy';
  message: string;
  detail: string;
  action: string;
}

/** Before a rollout is handed to CodeDeploy: what is reused or created, and the deployment's plan. */
export function confirmCodeDeployStart(input: {
  functionName: string;
  aliasName: string;
  what: string;
  stable: string;
  config: { name: string; predefined: boolean };
  planWords: string;
  settings: CodeDeploySettings;
  alarms: string[];
  smoke: boolean;
}): CodeDeployStartConfirmation {
  const { application, deploymentGroup } = codeDeployNames(input.functionName, input.aliasName, input.settings);
  // Hook event names are CodeDeploy's (not translated).
  const hooks = [input.settings.beforeAllowTraffic && `BeforeAllowTraffic ${plainText(input.settings.beforeAllowTraffic)}`, input.settings.afterAllowTraffic && `AfterAllowTraffic ${plainText(input.settings.afterAllowTraffic)}`].filter(Boolean);
  const role = input.settings.serviceRoleArn ? l10n.t(' (service role {0})', plainText(input.settings.serviceRoleArn)) : '';
  const alarms = input.alarms.length ? l10n.t(' and the alarms {0}', input.alarms.map((a) => plainText(a)).join(', ')) : '';
  const parts = [
    l10n.t('CodeDeploy application {0} and deployment group {1} are used, or created when missing{2}, with automatic rollback on failure, alarm and stop{3}.', plainText(application), plainText(deploymentGroup), role, alarms),
    input.config.predefined
      ? l10n.t('Deployment config {0} (predefined): {1}.', plainText(input.config.name), plainText(input.planWords))
      : l10n.t('Deployment config {0} (custom, created when missing): {1}.', plainText(input.config.name), plainText(input.planWords)),
    hooks.length
      ? l10n.t('Hooks: {0}.', hooks.join(', '))
      : input.smoke
        ? l10n.t('No hook: the new version is invoked with the workspace test event first (smoke test), before anything is created.')
        : l10n.t('No hook function.'),
    l10n.t('Version {0} serves {1} now; CodeDeploy shifts it to the new version and goes on with the editor closed. Stop (with or without rollback) from the alias menu or the traffic panel.', plainText(input.stable), plainText(input.aliasName)),
  ];
  return {
    id: 'confirmCodeDeploy',
    message: l10n.t('Hand the rollout of {0} on {1} to CodeDeploy?', plainText(input.what), plainText(input.aliasName)),
    detail: parts.join(' '),
    action: l10n.t('Start CodeDeploy Rollout'),
  };
}
