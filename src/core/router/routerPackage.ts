/**
 * What deploying a router takes from this folder: its package (deterministic bytes), its handler
 * and runtime, and the environment that carries its rule. The use cases that create a router,
 * change its rule and move triggers to it build on these.
 */
import type { Package } from '../packaging';
import { packageSourceFiles } from '../packaging';
import type { RouterConfig } from './rules';
import { ROUTE_VARIABLE, ROUTER_VERSION, validateRouterConfig } from './rules';
import { ROUTER_FILES } from './routerCode.generated';

export { ROUTER_VERSION, ROUTE_VARIABLE };
export const ROUTER_HANDLER = 'index.handler';
/** Any nodejs18.x or later runs it; the router is created on this one. */
export const ROUTER_RUNTIME = 'nodejs20.x';

/** The router's zip: the same bytes (and CodeSha256) for the same ROUTER_VERSION, on any machine. */
export function routerPackage(): Package {
  return packageSourceFiles(ROUTER_FILES);
}

/** The router's environment variable for a rule, validated (throws with the problems when it is not valid). */
export function routerEnvironment(config: RouterConfig): Record<string, string> {
  validateRouterConfig(config);
  return { [ROUTE_VARIABLE]: JSON.stringify(config) };
}
