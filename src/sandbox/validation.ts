import { invalidParameter, validation } from './errors';

/** Patterns and lengths as the Lambda API reference documents them. */
const FUNCTION_REF =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const VERSION = /^(\$LATEST|[0-9]+)$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER = /^[^\s]+$/;

/** Runtimes the Lambda API knows; the sandbox can run the Node.js ones listed in SUPPORTED_RUNTIMES. */
export const KNOWN_RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x',
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'java8', 'java8.al2', 'java11', 'java17', 'java21', 'java25',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12',
  'python3.13', 'python3.14',
  'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'dotnet8', 'dotnet10',
  'go1.x', 'ruby2.5', 'ruby2.7', 'ruby3.2', 'ruby3.3', 'ruby3.4', 'provided', 'provided.al2', 'provided.al2023',
] as const;
export const SUPPORTED_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'] as const;

export const MAX_FUNCTION_NAME = 64;
export const MAX_ALIAS_NAME = 128;

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

/**
 * Accepts what Lambda accepts as FunctionName: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN.
 */
export function parseFunctionRef(raw: unknown, member = 'functionName'): FunctionRef {
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > 170) {
    throw validation(raw, member, 'Member must have length between 1 and 170');
  }
  const m = FUNCTION_REF.exec(raw);
  if (!m) {
    throw validation(raw, member, `Member must satisfy regular expression pattern: ${FUNCTION_REF.source.slice(1, -1)}`);
  }
  const name = m[7];
  if (name.length > MAX_FUNCTION_NAME) {
    throw validation(raw, member, `Member must have length less than or equal to ${MAX_FUNCTION_NAME}`);
  }
  return { name, qualifier: m[9] };
}

/** A function name for CreateFunction: a plain name (or an ARN without a qualifier). */
export function checkNewFunctionName(raw: unknown): string {
  const ref = parseFunctionRef(raw);
  if (ref.qualifier !== undefined) {
    throw invalidParameter('Function name cannot include a version or alias qualifier when creating a function.');
  }
  return ref.name;
}

export function checkAliasName(raw: unknown, member = 'name'): string {
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > MAX_ALIAS_NAME) {
    throw validation(raw, member, `Member must have length between 1 and ${MAX_ALIAS_NAME}`);
  }
  if (!ALIAS_NAME.test(raw)) {
    throw validation(raw, member, 'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)');
  }
  return raw;
}

export function checkVersion(raw: unknown, member = 'functionVersion'): string {
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > 1024) {
    throw validation(raw, member, 'Member must have length between 1 and 1024');
  }
  if (!VERSION.test(raw)) {
    throw validation(raw, member, 'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)');
  }
  return raw;
}

export function isVersionQualifier(q: string): boolean {
  return VERSION.test(q);
}

export function checkRole(raw: unknown): string {
  if (typeof raw !== 'string' || !ROLE.test(raw)) {
    throw validation(raw, 'role', `Member must satisfy regular expression pattern: ${ROLE.source.slice(1, -1)}`);
  }
  return raw;
}

export function checkHandler(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 128 || !HANDLER.test(raw)) {
    throw validation(raw, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+ and have length less than or equal to 128');
  }
  // The Node.js runtimes resolve `file.export`; anything without a dot can never load.
  const dot = raw.lastIndexOf('.');
  if (dot <= 0 || dot === raw.length - 1) {
    throw invalidParameter(`The handler '${raw}' is not valid for a Node.js runtime: expected 'file.exportName', e.g. 'index.handler'.`);
  }
  return raw;
}

export function checkRuntime(raw: unknown): string {
  if (typeof raw !== 'string' || !(KNOWN_RUNTIMES as readonly string[]).includes(raw)) {
    throw validation(raw, 'runtime', `Member must satisfy enum value set: [${KNOWN_RUNTIMES.join(', ')}]`);
  }
  if (!(SUPPORTED_RUNTIMES as readonly string[]).includes(raw)) {
    throw invalidParameter(
      `The runtime parameter of ${raw} is not supported by the Lambda Canary sandbox. Use one of: ${SUPPORTED_RUNTIMES.join(', ')}.`,
    );
  }
  return raw;
}

export function checkDescription(raw: unknown, member = 'description'): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string' || raw.length > 256) {
    throw validation(raw, member, 'Member must have length less than or equal to 256');
  }
  return raw;
}

export function checkTimeout(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) {
    throw validation(raw, 'timeout', 'Member must have value greater than or equal to 1');
  }
  if (raw > 900) {
    throw invalidParameter(`Timeout value ${raw} is too large: the maximum is 900 seconds.`);
  }
  return raw;
}

export function checkMemorySize(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 128 || raw > 10240) {
    throw validation(raw, 'memorySize', 'Member must have value between 128 and 10240');
  }
  return raw;
}

export function checkEnvironment(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  const vars = (raw as { Variables?: unknown }).Variables;
  if (vars === undefined || vars === null) return {};
  if (typeof vars !== 'object' || Array.isArray(vars)) {
    throw invalidParameter('Environment.Variables must be a map of strings.');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars as Record<string, unknown>)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) {
      throw validation(k, 'environment.variables', 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]');
    }
    if (typeof v !== 'string') throw invalidParameter(`Environment variable ${k} must be a string.`);
    out[k] = v;
  }
  return out;
}

/**
 * `RoutingConfig.AdditionalVersionWeights`: model constraints (key pattern, weight range) are
 * ValidationException; Lambda's own rules (one entry at most, not the primary, not $LATEST)
 * are InvalidParameterValueException.
 */
export function checkRouting(raw: unknown, primary: string): Record<string, number> {
  if (raw === undefined || raw === null) return {};
  const weights = (raw as { AdditionalVersionWeights?: unknown }).AdditionalVersionWeights;
  if (weights === undefined || weights === null) return {};
  if (typeof weights !== 'object' || Array.isArray(weights)) {
    throw invalidParameter('RoutingConfig.AdditionalVersionWeights must be a map of version to weight.');
  }
  const entries = Object.entries(weights as Record<string, unknown>);
  for (const [version, weight] of entries) {
    if (version === '$LATEST') {
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    if (!/^[0-9]+$/.test(version) || version.length > 1024) {
      throw validation(version, 'routingConfig.additionalVersionWeights', 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]');
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
      throw validation(
        JSON.stringify(weights),
        'routingConfig.additionalVersionWeights',
        'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]',
      );
    }
  }
  if (entries.length > 1) {
    throw invalidParameter(`Number of items in AdditionalVersionWeights cannot be greater than 1`);
  }
  if (entries.length === 1 && entries[0][0] === primary) {
    throw invalidParameter(`Cannot set additional version weights for the alias's function version ${primary}: the two versions must differ.`);
  }
  if (entries.length === 1 && primary === '$LATEST') {
    throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
  }
  return Object.fromEntries(entries) as Record<string, number>;
}
