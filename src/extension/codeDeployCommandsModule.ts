/**
 * The CodeDeploy commands (where a rollout runs, its start on CodeDeploy, Stop), loaded on first
 * use: webpack emits them as dist/codedeployUi.js, so the activation bundle does not carry them.
 * Compiled with ES modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as CodeDeployCommands from './commands/codeDeployCommands';

export type CodeDeployCommandsModule = typeof CodeDeployCommands;

let loading: Promise<CodeDeployCommandsModule> | undefined;

export function loadCodeDeployCommands(): Promise<CodeDeployCommandsModule> {
  return (loading ??= import(/* webpackChunkName: "codedeployUi" */ './commands/codeDeployCommands'));
}
