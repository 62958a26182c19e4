/**
 * The CodeDeploy engine (src/core/codedeploy) with AWS's CodeDeploy client, loaded on first use:
 * webpack emits it as dist/codedeploy.js (one file for the extension and the CLI), so neither
 * starting the extension nor a CLI command that does not use CodeDeploy reads it. Compiled with ES
 * modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as CodeDeploy from './codedeploy';
import type { Clients } from './connection';
import type { UseCaseContext } from './usecases/context';

export type CodeDeployModule = typeof CodeDeploy;

let loading: Promise<CodeDeployModule> | undefined;

export function loadCodeDeploy(): Promise<CodeDeployModule> {
  return (loading ??= import(/* webpackChunkName: "codedeploy" */ './codedeploy'));
}

/**
 * The guard front ends pass as a use case context's `codeDeployGuard`: the CodeDeploy deployment in
 * flight on the alias, read with the connection's CodeDeploy client (both loaded on first use).
 */
export function codeDeployGuardFor(clients: Pick<Clients, 'codedeploy'>): NonNullable<UseCaseContext['codeDeployGuard']> {
  return async (ref, signal) => {
    const [m, codedeploy] = await Promise.all([loadCodeDeploy(), clients.codedeploy()]);
    return m.runningDeploymentOn({ codedeploy, signal }, ref);
  };
}
