import type { CodeDeployClientConfig } from '@aws-sdk/client-codedeploy';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';

/**
 * The connection's CodeDeploy client (src/core/connection.ts makes it on first use, with the
 * Lambda client's config). Imports nothing of this project's, so the connection can load it.
 */
export function createCodeDeployClient(config: Record<string, unknown>): CodeDeployClient {
  return new CodeDeployClient(config as CodeDeployClientConfig);
}
