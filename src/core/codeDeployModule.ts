/**
 * The CodeDeploy engine (src/core/codedeploy) with AWS's CodeDeploy client, loaded on first use:
 * webpack emits it as dist/codedeploy.js (one file for the extension and the CLI), so neither
 * starting the extension nor a CLI command that does not use CodeDeploy reads it. Compiled with ES
 * modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as CodeDeploy from './codedeploy';

export type CodeDeployModule = typeof CodeDeploy;

let loading: Promise<CodeDeployModule> | undefined;

export function loadCodeDeploy(): Promise<CodeDeployModule> {
  return (loading ??= import(/* webpackChunkName: "codedeploy" */ './codedeploy'));
}
