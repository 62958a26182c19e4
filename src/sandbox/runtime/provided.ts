/**
 * What the sandbox gives every function's environment so that its code reaches the sandbox as
 * code on Lambda reaches AWS, with no change: Lambda's Node.js runtime provides credentials
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the AWS SDK v3 (`@aws-sdk/*`, resolved from the
 * runtime's own node_modules); the sandbox provides
 *
 * - AWS_ENDPOINT_URL: the sandbox's endpoint, which the AWS SDKs (v3 since 3.5xx) and the AWS CLI
 *   use for every service, so a CodeDeploy hook's PutLifecycleEventHookExecutionStatus or a
 *   Lambda client's call comes back here;
 * - AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: the key the sandbox accepts (any secret);
 * - NODE_PATH: the node_modules folder the sandbox itself loads `@aws-sdk/*` from, when it has one
 *   (a source checkout or an unpacked package; a bundled extension may have none: then a
 *   function brings its own SDK, as it can on Lambda).
 *
 * A variable the function's own configuration sets wins over these (the invoker applies them
 * first), as does code that passes an endpoint or credentials to its client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest node_modules above `from` holding the AWS SDK v3, if any. */
export function sdkModulesFolder(from = __dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(path.join(candidate, '@aws-sdk', 'client-codedeploy', 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function providedEnvironment(endpoint: string, accessKeyId: string | undefined, modules: string | undefined): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: accessKeyId ?? 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    ...(modules ? { NODE_PATH: modules } : {}),
  };
}
