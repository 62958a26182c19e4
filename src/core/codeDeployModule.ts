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
export function codeDeployGuardFor(clients: Pick<Clients, 'codedeploy'>, options: { now?: () => number } = {}): NonNullable<UseCaseContext['codeDeployGuard']> {
  const now = options.now ?? Date.now;
  // Where CodeDeploy cannot be read at all (no permission, an endpoint without CodeDeploy), the
  // first write says so and later ones do not, for a while: not a warning on every write.
  let unavailableUntil = 0;
  return async (ref, signal) => {
    if (now() < unavailableUntil) return undefined;
    const [m, codedeploy] = await Promise.all([loadCodeDeploy(), clients.codedeploy()]);
    try {
      return await m.runningDeploymentOn({ codedeploy, signal }, ref);
    } catch (err) {
      if (isUnavailable(err)) unavailableUntil = now() + UNAVAILABLE_QUIET_MS;
      throw err;
    }
  };
}

/** How long a CodeDeploy that cannot be read is not asked again (the first refusal was said). */
export const UNAVAILABLE_QUIET_MS = 10 * 60_000;

/** CodeDeploy refused the caller or is not there: asking again at once would only repeat it. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = e?.name ?? '';
  return /AccessDenied|UnrecognizedClient|InvalidClientTokenId|UnknownOperation|NotAuthorized|SubscriptionRequired/i.test(name) || e?.$metadata?.httpStatusCode === 403 || e?.$metadata?.httpStatusCode === 404;
}
