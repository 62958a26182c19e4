/**
 * A router made as Create Router will make it (its package, description and rule), for the suites
 * that move triggers to one: CreateFunction `<target>-router`, PublishVersion, CreateAlias.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, PublishVersionCommand, waitUntilFunctionActiveV2, waitUntilPublishedVersionActive } from '@aws-sdk/client-lambda';
import { defaultRouterName, routerDescription } from '../../src/core/router/api';
import type { RouterConfig } from '../../src/core/router/rules';
import { ROUTER_HANDLER, ROUTER_RUNTIME, routerEnvironment, routerPackage } from '../../src/core/router/routerPackage';
import { ROLE } from './helpers';
import { fast } from './lambda-testkit';

export interface KitRouter {
  name: string;
  alias: string;
  aliasArn: string;
  version: string;
  config: RouterConfig;
}

/** `<target>-router:<alias>` routing to `target:stable` / `target:canary` by `rules` (none: everything to stable). */
export async function makeRouter(lambda: LambdaClient, target: string, alias: string, options: { stable?: string; canary?: string; rules?: RouterConfig['rules']; name?: string; description?: string } = {}): Promise<KitRouter> {
  const name = options.name ?? defaultRouterName(target);
  const config: RouterConfig = { target, stable: options.stable ?? '1', canary: options.canary ?? '2', salt: `kit-${name}`, rules: options.rules ?? [] };
  const pkg = routerPackage();
  const description = options.description ?? routerDescription(target, alias);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: ROUTER_RUNTIME,
      Handler: ROUTER_HANDLER,
      Role: ROLE,
      Timeout: 10,
      MemorySize: 128,
      Description: description,
      Code: { ZipFile: pkg.zip },
      Environment: { Variables: routerEnvironment(config) },
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: name });
  const v = await lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: pkg.sha256, Description: description }));
  await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: name, Qualifier: v.Version });
  const a = await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: v.Version }));
  return { name, alias, aliasArn: a.AliasArn!, version: v.Version!, config };
}
