import { codeDeployGuardFor } from '../core/codeDeployModule';
import type { Clients } from '../core/connection';
import type { Logger } from '../core/log';
import type { JournalPort, UseCaseContext } from '../core/usecases';

/** The context a use case runs in, from the extension's current connection. */
export function useCaseContext(
  clients: Clients,
  log: Logger,
  extra: { signal?: AbortSignal; progress?: (message: string) => void; journal?: JournalPort } = {},
): UseCaseContext {
  return {
    lambda: clients.lambda,
    cloudwatch: clients.cloudwatch,
    capabilities: clients.capabilities,
    log,
    profile: clients.spec.kind === 'aws' ? clients.spec.profile : undefined,
    region: clients.spec.region,
    // While a CodeDeploy deployment shifts an alias, the use cases refuse to write it (with its id and status).
    codeDeployGuard: codeDeployGuardFor(clients),
    ...extra,
  };
}
