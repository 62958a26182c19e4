/**
 * The router's use cases, as their adapters (extension, CLI) call them. Each returns an
 * Outcome<RouterDetail> (action 'router', target = the TARGET function and alias) and is journalled.
 *
 *   createRouter      create.ts   CreateFunction `<target>-router` (its package: routerPackage()),
 *                                 wait Active, PublishVersion (CodeSha256 checked), CreateAlias
 *                                 `<alias>` on it. The rule's stable/canary default to the target
 *                                 alias's primary and canary versions. Refuses an existing function
 *                                 that is not this target's router.
 *   setRouterRule     create.ts   UpdateFunctionConfiguration (RevisionId) of the rule, wait,
 *                                 PublishVersion (RevisionId), guarded UpdateAlias of the router's alias.
 *   findRouter        create.ts   The router in front of `target:alias`, read from AWS (its
 *                                 environment and description), or undefined. Read-only, not journalled.
 *   moveToRouter      move.ts     Each chosen trigger of `target:alias` onto `router:alias`, as the
 *                                 trigger audit's fixes do (guarded, nothing removed before its
 *                                 replacement is in place).
 *   moveBackFromRouter move.ts    The reverse, from the journal's 'move' records or what AWS shows.
 *   removeRouter      move.ts     Moves every trigger back, then deletes only what a 'create' made.
 */
import type { RouterConfig, RouteRule } from './rules';

export interface RouterRef {
  /** The target function (unqualified name) and the alias the router stands in for. */
  functionName: string;
  aliasName: string;
}

export interface CreateRouterInput extends RouterRef {
  /** The execution role's ARN (the user picks it; the product never creates IAM roles). */
  roleArn: string;
  /** Defaults to `<functionName>-router`. */
  routerName?: string;
  rules: RouteRule[];
  /** Default: the alias's primary version. */
  stable?: string;
  /** Default: the alias's canary version (its AdditionalVersionWeights), else refused. */
  canary?: string;
  /** Default: random. */
  salt?: string;
}

export interface SetRouterRuleInput extends RouterRef {
  /** Any of these replaces the router's current value. */
  rules?: RouteRule[];
  stable?: string;
  canary?: string;
  /** The rule the user saw: refused (conflict) when the router's current rule differs. */
  expected?: RouterConfig;
}

/** A router as AWS shows it (findRouter). */
export interface RouterInfo {
  router: string;
  routerAlias: string;
  /** The version the router's alias serves. */
  routerVersion: string;
  config: RouterConfig;
  functionArn: string;
  aliasArn: string;
  roleArn?: string;
}

export interface MoveToRouterInput extends RouterRef {
  /** Trigger ids as the trigger audit names them on the target; default: every trigger of `target:alias` a router can take. */
  triggerIds?: string[];
}

export interface MoveBackInput extends RouterRef {
  /** Default: every trigger that calls `router:alias`. */
  triggerIds?: string[];
}

export type RemoveRouterInput = RouterRef;

/**
 * The router's own marker, in its Description: a function that carries it, and whose rule names
 * this target, is a router the product created (Remove Router may delete it). Any other function
 * is the user's and is never deleted.
 */
export function routerDescription(target: string, alias: string): string {
  return `Lambda Canary router for ${target}:${alias}. Created by Lambda Canary; Remove Router deletes it.`;
}

export function isRouterDescription(description: string | undefined, target: string, alias: string): boolean {
  return description === routerDescription(target, alias);
}

/** The router's default name: `<target>-router`, cut to Lambda's 64 characters. */
export function defaultRouterName(target: string): string {
  return `${target.slice(0, 64 - '-router'.length)}-router`;
}
