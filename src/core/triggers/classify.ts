import type { TriggerRoute, TriggerView } from '../../shared/triggers';

/**
 * What a trigger's target calls, from the function reference AWS returns for it (a mapping's or a
 * URL's FunctionArn, a policy statement's Resource) or a user typed: every form Lambda accepts.
 */

/** A function reference taken apart. `qualifier` is undefined for the unqualified function. */
export interface FunctionRef {
  name: string;
  qualifier?: string;
  partition?: string;
  region?: string;
  account?: string;
}

/**
 * `name`, `name:q`, `123456789012:function:name[:q]`, `arn:aws:lambda:eu-west-1:123456789012:function:name[:q]`;
 * undefined when it is none of these.
 */
export function parseFunctionRef(ref: string): FunctionRef | undefined {
  const full = /^arn:([a-z-]+):lambda:([a-z0-9-]+):([0-9]{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/.exec(ref);
  if (full) return { partition: full[1], region: full[2], account: full[3], name: full[4], ...(full[5] !== undefined ? { qualifier: full[5] } : {}) };
  const partial = /^([0-9]{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/.exec(ref);
  if (partial) return { account: partial[1], name: partial[2], ...(partial[3] !== undefined ? { qualifier: partial[3] } : {}) };
  const plain = /^([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/.exec(ref);
  if (plain) return { name: plain[1], ...(plain[2] !== undefined ? { qualifier: plain[2] } : {}) };
  return undefined;
}

/** The route of a qualifier: none or `$LATEST` is the unqualified function, digits a version, anything else an alias. */
export function routeOfQualifier(qualifier: string | undefined): TriggerRoute {
  if (qualifier === undefined || qualifier === '' || qualifier === '$LATEST') return { kind: 'unqualified' };
  if (/^[0-9]+$/.test(qualifier)) return { kind: 'version', version: qualifier };
  return { kind: 'alias', alias: qualifier };
}

/**
 * The route of a trigger's target, in any form Lambda accepts. `functionName` is the audited
 * function as the user named it (a name or an unqualified ARN): a target spelt exactly so is the
 * unqualified function; an unparsable target is treated as unqualified too (it names no qualifier).
 */
export function classifyTarget(functionArnOrName: string, functionName: string): TriggerRoute {
  if (functionArnOrName === functionName) return { kind: 'unqualified' };
  return routeOfQualifier(parseFunctionRef(functionArnOrName)?.qualifier);
}

/** True when `ref` names the function `functionName` names (by name; account and region when both say them). */
export function sameFunction(ref: string, functionName: string): boolean {
  const a = parseFunctionRef(ref);
  const b = parseFunctionRef(functionName);
  if (!a || !b) return false;
  if (a.name !== b.name) return false;
  if (a.account && b.account && a.account !== b.account) return false;
  return !(a.region && b.region && a.region !== b.region);
}

/** The qualifier a trigger id uses: `$LATEST` for the unqualified function. */
export function qualifierOf(route: TriggerRoute): string {
  return route.kind === 'alias' ? route.alias : route.kind === 'version' ? route.version : '$LATEST';
}

/** `$LATEST`, `version 7`, `prod`. */
export function routeText(route: TriggerRoute): string {
  return route.kind === 'alias' ? route.alias : route.kind === 'version' ? `version ${route.version}` : '$LATEST';
}

/**
 * The verdict relative to the audited alias; without one, `through` means through some alias and
 * `bypasses` means through none.
 */
export function verdictOf(route: TriggerRoute, aliasName: string | undefined): TriggerView['verdict'] {
  if (route.kind !== 'alias') return 'bypasses';
  if (aliasName === undefined || route.alias === aliasName) return 'through';
  return 'other-alias';
}

/** The one sentence a trigger's verdict says. */
export function verdictText(route: TriggerRoute, aliasName: string | undefined): string {
  const verdict = verdictOf(route, aliasName);
  const calls = route.kind === 'version' ? `calls version ${route.version} directly` : 'calls $LATEST (the unqualified function)';
  switch (verdict) {
    case 'through':
      return route.kind === 'alias' ? `Goes through ${route.alias}.` : '';
    case 'other-alias':
      return `Goes through ${(route as { alias: string }).alias}, not ${aliasName}: a canary on ${aliasName} does not see these events.`;
    default:
      return aliasName === undefined
        ? `Bypasses every alias: ${calls}, so no canary sees these events and a rollback does not protect them.`
        : `Bypasses ${aliasName}: ${calls}, so the canary never sees these events and a rollback does not protect them.`;
  }
}

/** The function's ARN (no qualifier) from any qualified or unqualified ARN of it. */
export function unqualifiedArn(arn: string): string | undefined {
  const ref = parseFunctionRef(arn);
  if (!ref?.account || !ref.region) return undefined;
  return `arn:${ref.partition ?? 'aws'}:lambda:${ref.region}:${ref.account}:function:${ref.name}`;
}

/** Why a function name or alias name the user gave cannot be one; undefined when it can. */
export function badInput(functionName: string, aliasName?: string): string | undefined {
  if (!parseFunctionRef(functionName) || parseFunctionRef(functionName)?.qualifier !== undefined) {
    return `'${functionName}' is not a function name or ARN (a name such as checkout, or arn:aws:lambda:REGION:ACCOUNT:function:checkout, without a qualifier).`;
  }
  if (aliasName !== undefined && (!/^[A-Za-z0-9_-]{1,128}$/.test(aliasName) || /^[0-9]+$/.test(aliasName))) {
    return `'${aliasName}' is not an alias name (letters, digits, - and _, not a version number).`;
  }
  return undefined;
}

