import type { CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

/**
 * The connection's CloudTrail client (src/core/connection.ts makes it on first use, with the
 * Lambda client's config). Imports nothing of this project's, so the connection can load it.
 */
export function createCloudTrailClient(config: Record<string, unknown>): CloudTrailClient {
  return new CloudTrailClient(config as CloudTrailClientConfig);
}
