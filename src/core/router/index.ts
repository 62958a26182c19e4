/**
 * The router's use cases and what their adapters need (api.ts describes each). Loaded on first
 * use through src/core/routerModule.ts (dist/router.js).
 */
export type { CreateRouterInput, MoveBackInput, MoveToRouterInput, RemoveRouterInput, RouterInfo, RouterRef, SetRouterRuleInput } from './api';
export { defaultRouterName, isRouterDescription, routerDescription } from './api';
export type { RouterDetail, RouterStep, RouterTriggerMove } from './detail';
export { createRouter, findRouter, setRouterRule } from './create';
export { routerCostText } from './costs';
export { moveBackFromRouter, moveToRouter, removeRouter } from './move';
export type { GroupRule, KeySource, RouteRule, RouterConfig, StickyRule } from './rules';
export { validateRouterConfig } from './rules';
export { ROUTER_HANDLER, ROUTER_RUNTIME, routerEnvironment, routerPackage } from './routerPackage';
