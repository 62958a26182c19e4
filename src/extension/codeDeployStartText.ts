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
  if (v === '') return 'Enter the ARN of an IAM role CodeDeploy can assume (with the managed policy AWSCodeDeployRoleForLambda).';
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(v)) return 'Not an IAM role ARN: it looks like arn:aws:iam::123456789012:role/CodeDeployServiceRole.';
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
  const hooks = [input.settings.beforeAllowTraffic && `BeforeAllowTraffic ${plainText(input.settings.beforeAllowTraffic)}`, input.settings.afterAllowTraffic && `AfterAllowTraffic ${plainText(input.settings.afterAllowTraffic)}`].filter(Boolean);
  const parts = [
    `CodeDeploy application ${plainText(application)} and deployment group ${plainText(deploymentGroup)} are used, or created when missing${input.settings.serviceRoleArn ? ` (service role ${plainText(input.settings.serviceRoleArn)})` : ''}, with automatic rollback on failure, alarm and stop${input.alarms.length ? ` and the alarms ${input.alarms.map((a) => plainText(a)).join(', ')}` : ''}.`,
    input.config.predefined ? `Deployment config ${plainText(input.config.name)} (predefined): ${plainText(input.planWords)}.` : `Deployment config ${plainText(input.config.name)} (custom, created when missing): ${plainText(input.planWords)}.`,
    hooks.length ? `Hooks: ${hooks.join(', ')}.` : input.smoke ? 'No hook: the new version is invoked with the workspace test event first (smoke test), before anything is created.' : 'No hook function.',
    `Version ${plainText(input.stable)} serves ${plainText(input.aliasName)} now; CodeDeploy shifts it to the new version and goes on with the editor closed. Stop (with or without rollback) from the alias menu or the traffic panel.`,
  ];
  return {
    id: 'confirmCodeDeploy',
    message: `Hand the rollout of ${plainText(input.what)} on ${plainText(input.aliasName)} to CodeDeploy?`,
    detail: parts.join(' '),
    action: 'Start CodeDeploy Rollout',
  };
}
