import { AwsError, invalidParameter, validation } from './errors';
import { findPython } from './runtime/python';
import { runtimeFamily } from './runtime/runtimeApiRules';

/** Patterns and lengths as the Lambda API reference documents them. */
const FUNCTION_REF =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const VERSION = /^(\$LATEST|[0-9]+)$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER = /^[^\s]+$/;

/** Runtimes the Lambda API knows; the sandbox runs those runsHere accepts. */
export const KNOWN_RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x',
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'java8', 'java8.al2', 'java11', 'java17', 'java21', 'java25',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12',
  'python3.13', 'python3.14',
  'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'dotnet8', 'dotnet10',
  'go1.x', 'ruby2.5', 'ruby2.7', 'ruby3.2', 'ruby3.3', 'ruby3.4', 'provided', 'provided.al2', 'provided.al2023',
] as const;
/** The Node.js runtimes the sandbox runs in its own Node.js worker (runtime/worker.ts). */
export const SUPPORTED_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'] as const;
/** Runtimes the sandbox runs behind the Lambda Runtime API (runtime/runtimeApi.ts): a bootstrap in the package, or python3.x on the machine's python3. */
export const RUNTIME_API_RUNTIMES = ['python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14', 'provided.al2', 'provided.al2023'] as const;
/**
 * Runtimes AWS lets a function be created with today that the sandbox keeps the control plane of
 * (versions, aliases, routing, CodeSha256); Invoke runs those runsHere accepts and answers
 * InvalidRuntimeException, naming the runtime, for the others (Java, .NET, Ruby, nodejs24.x, and
 * Python where the machine has no python3).
 */
export const CONTROL_PLANE_RUNTIMES = [
  'nodejs24.x',
  'java8.al2', 'java11', 'java17', 'java21', 'java25',
  'dotnet8', 'dotnet10', 'ruby3.3', 'ruby3.4',
] as const;

export function runsHere(runtime: string, platform: NodeJS.Platform = process.platform): boolean {
  if ((SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) return true;
  // A bootstrap is a Linux executable (an ELF, or a #!/bin/sh script), as Lambda's Amazon Linux
  // runs it: only a Linux machine runs it (`provided`, Amazon Linux 1, only from an older record).
  if (runtime === 'provided' || runtime === 'provided.al2' || runtime === 'provided.al2023') return platform === 'linux';
  // Python needs the machine's python3 (found once).
  return (RUNTIME_API_RUNTIMES as readonly string[]).includes(runtime) && runtimeFamily(runtime) === 'python' && findPython() !== undefined;
}

/** What the sandbox runs on this machine, for messages. */
export function runtimesRunHere(platform: NodeJS.Platform = process.platform): string[] {
  return [...SUPPORTED_RUNTIMES, ...RUNTIME_API_RUNTIMES].filter((r) => runsHere(r, platform));
}

export const MAX_FUNCTION_NAME = 64;
export const MAX_ALIAS_NAME = 128;

export interface FunctionRef {
  name: string;
  qualifier?: string;
  /** Set when the caller named an ARN: the partition, region and account it names. */
  partition?: string;
  region?: string;
  accountId?: string;
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
  const ref: FunctionRef = { name, qualifier: m[9] };
  if (m[1] !== undefined) ref.partition = m[2] ?? '';
  if (m[3] !== undefined) ref.region = m[3].slice(0, -1);
  if (m[5] !== undefined) ref.accountId = m[5].slice(0, -1);
  return ref;
}

/** A function name for CreateFunction: a plain name (or an ARN without a qualifier). */
export function checkNewFunctionName(raw: unknown): FunctionRef {
  const ref = parseFunctionRef(raw);
  if (ref.qualifier !== undefined) {
    throw invalidParameter('Function name cannot include a version or alias qualifier when creating a function.');
  }
  return ref;
}

// ---- JSON shapes -------------------------------------------------------------------------
// Lambda's rest-json deserializer refuses a value of the wrong JSON type before any rule of the
// operation runs, with SerializationException and the wording below (the member is added so
// the message says what to fix). `null` is an absent member.

export const serialization = (message: string): AwsError => new AwsError('SerializationException', 400, message);

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (v === true) return 'TRUE_VALUE';
  if (v === false) return 'FALSE_VALUE';
  return 'VALUE';
}

function mismatch(v: unknown, member: string, want: string): AwsError {
  if (Array.isArray(v)) return serialization(`Start of list found where not expected (${member} must be ${want}).`);
  if (typeof v === 'object' && v !== null) return serialization(`Start of structure or map found where not expected. (${member} must be ${want}).`);
  return serialization(`${jsonKind(v)} can not be converted to ${want} (${member}).`);
}

/** A structure member (`Environment`, `RoutingConfig`, `Code`): a JSON object, or absent. */
export function expectStructure(raw: unknown, member: string, example: string): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return throwing(serialization(`Start of list found where not expected (${member} must be an object such as ${example}).`));
  if (typeof raw !== 'object') return throwing(serialization(`Expected null (${member} must be an object such as ${example}, got ${jsonKind(raw)}).`));
  return raw as Record<string, unknown>;
}

/** A map member (`Tags`, `Environment.Variables`): a JSON object, or absent. */
export function expectMap(raw: unknown, member: string): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return throwing(serialization(`Start of list found where not expected (${member} must be a map of names to values).`));
  if (typeof raw !== 'object') return throwing(serialization(`Expected map or null (${member} must be a map of names to values, got ${jsonKind(raw)}).`));
  return raw as Record<string, unknown>;
}

/** A map of strings to strings, as Lambda's Tags and environment variables are. */
export function expectStringMap(raw: unknown, member: string): Record<string, string> | undefined {
  const map = expectMap(raw, member);
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') throw mismatch(v, `${member}.${k}`, 'a String');
    // Own properties only: a key may be `__proto__`.
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function expectString(raw: unknown, member: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw mismatch(raw, member, 'a String');
  return raw;
}

export function expectBoolean(raw: unknown, member: string): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'boolean') throw mismatch(raw, member, 'a Boolean');
  return raw;
}

function throwing(e: AwsError): never {
  throw e;
}

/** Lambda's tag limits: 50 tags per function, keys of 1–128 characters, values up to 256. */
export function checkTags(raw: unknown): Record<string, string> {
  const tags = expectStringMap(raw, 'Tags') ?? {};
  const keys = Object.keys(tags);
  if (keys.length > 50) throw invalidParameter(`Number of tags exceeds resource tag limit (${keys.length} > 50).`);
  for (const k of keys) {
    if (k.length < 1 || k.length > 128) throw validation(k, 'tags', 'Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]');
    if (tags[k].length > 256) throw validation(tags[k], 'tags', 'Map value must satisfy constraint: [Member must have length less than or equal to 256]');
  }
  return tags;
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

/** `runtime`: the function's; the `file.export` shape is checked for the Node.js runtimes the sandbox runs. */
export function checkHandler(raw: unknown, runtime?: string): string {
  if (typeof raw !== 'string' || raw.length > 128 || !HANDLER.test(raw)) {
    throw validation(raw, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+ and have length less than or equal to 128');
  }
  // Other runtimes name handlers their own way (Java `pkg.Class::method`, a custom runtime's any word).
  if (runtime !== undefined && !runtime.startsWith('nodejs')) return raw;
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
  const creatable: readonly string[] = [...SUPPORTED_RUNTIMES, ...RUNTIME_API_RUNTIMES, ...CONTROL_PLANE_RUNTIMES];
  if (!creatable.includes(raw)) {
    // As AWS answers a runtime it no longer creates functions with.
    throw invalidParameter(
      `The runtime parameter of ${raw} is no longer supported for creating or updating AWS Lambda functions. Use one of: ${creatable.join(', ')}.`,
    );
  }
  return raw;
}

export const MAX_DESCRIPTION = 256;

/**
 * The number of Unicode scalar values in `s`: what a Smithy `length` constraint on a string counts
 * (an emoji is one, though it is two UTF-16 units in `s.length` and four UTF-8 bytes).
 */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A Description (function, version, alias): any text of at most 256 characters; absent is ''. */
export function checkDescription(raw: unknown, member = 'description'): string {
  const text = expectString(raw, 'Description');
  if (text === undefined) return '';
  if (codePointLength(text) > MAX_DESCRIPTION) {
    throw validation(text, member, `Member must have length less than or equal to ${MAX_DESCRIPTION}`);
  }
  return text;
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

/** Keys Lambda sets itself; a function may not set them (AWS refuses them the same way). */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'TZ',
] as const;

/** Lambda's limit on the environment: its variables as JSON, at most 4 KB. */
export const MAX_ENVIRONMENT_BYTES = 4096;

const ENVIRONMENT_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

/**
 * What makes a stored environment unusable for a runtime process (a key Lambda refuses, a value
 * with a NUL), for records written before these checks; undefined when it is fine.
 */
export function environmentProblem(vars: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(vars)) {
    if (!ENVIRONMENT_KEY.test(k)) return `the environment variable name ${JSON.stringify(k)} is not of the pattern [a-zA-Z]([a-zA-Z0-9_])+`;
    if (v.includes('\u0000')) return `the environment variable ${k} holds a null character`;
  }
  return undefined;
}

export function checkEnvironment(raw: unknown): Record<string, string> {
  const env = expectStructure(raw, 'Environment', '{"Variables": {"KEY": "value"}}');
  if (env === undefined) return {};
  const vars = expectStringMap(env.Variables, 'Environment.Variables');
  if (vars === undefined) return {};
  for (const k of Object.keys(vars)) {
    if (!ENVIRONMENT_KEY.test(k)) {
      throw validation(k, 'environment.variables', 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]');
    }
  }
  const nul = Object.keys(vars).filter((k) => vars[k].includes('\u0000'));
  if (nul.length) {
    // No process environment can hold a NUL: every invocation would fail to start the runtime.
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the values of ${nul.join(', ')} contain a null character (U+0000), which no process environment can hold. Remove it from the value.`,
    );
  }
  const reserved = Object.keys(vars).filter((k) => (RESERVED_ENVIRONMENT_KEYS as readonly string[]).includes(k));
  if (reserved.length) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(vars);
  if (Buffer.byteLength(measured, 'utf8') > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured.length > 200 ? `${measured.slice(0, 200)}…` : measured}`,
    );
  }
  return vars;
}

/**
 * `RoutingConfig.AdditionalVersionWeights`: model constraints (key pattern, weight range) are
 * ValidationException; Lambda's own rules (one entry at most, not the primary, not $LATEST)
 * are InvalidParameterValueException.
 */
export function checkRouting(raw: unknown, primary: string): Record<string, number> {
  const config = expectStructure(raw, 'RoutingConfig', '{"AdditionalVersionWeights": {"2": 0.1}}');
  if (config === undefined) return {};
  const weights = expectMap(config.AdditionalVersionWeights, 'RoutingConfig.AdditionalVersionWeights');
  if (weights === undefined) return {};
  const entries = Object.entries(weights);
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

/**
 * A private Amazon ECR image as Lambda takes it: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY`
 * then `:TAG` or `@sha256:DIGEST` (one of them, not both: Lambda refuses `repo:tag@sha256:…`).
 * Repository and tag as ECR names them.
 */
const IMAGE_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:([a-f0-9]{64}))$/;

export interface ImageUriParts {
  account: string;
  region: string;
  repository: string;
  tag?: string;
  /** Hex, without `sha256:`. */
  digest?: string;
}

export function parseImageUri(raw: string): ImageUriParts | undefined {
  const m = IMAGE_URI.exec(raw);
  if (!m || m[3].length > 256) return undefined;
  return { account: m[1], region: m[2], repository: m[3], tag: m[4], digest: m[5] };
}

/** An image's ImageUri: a private ECR image of this region (Lambda pulls no other), or AWS's refusal. */
export function checkImageUri(raw: unknown, region: string): ImageUriParts {
  const uri = expectString(raw, 'ImageUri');
  const parts = uri === undefined ? undefined : parseImageUri(uri);
  if (!parts || parts.region !== region) {
    throw invalidParameter(`Source image ${uri ?? ''} is not valid. Provide a valid source image.`);
  }
  return parts;
}

/** ImageConfig: EntryPoint and Command are lists of strings, WorkingDirectory a path. */
export function checkImageConfig(raw: unknown): { EntryPoint?: string[]; Command?: string[]; WorkingDirectory?: string } | undefined {
  const c = expectStructure(raw, 'ImageConfig', '{"Command": ["app.handler"]}');
  if (!c) return undefined;
  const list = (v: unknown, member: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw validation(v, `imageConfig.${member}`, 'Member must be a list of strings');
    if (v.length > 1500) throw validation(v, `imageConfig.${member}`, 'Member must have length less than or equal to 1500');
    for (const s of v) if (typeof s !== 'string') throw validation(v, `imageConfig.${member}`, 'Member must be a list of strings');
    return v as string[];
  };
  const out: { EntryPoint?: string[]; Command?: string[]; WorkingDirectory?: string } = {};
  const entry = list(c.EntryPoint, 'entryPoint');
  const command = list(c.Command, 'command');
  const wd = expectString(c.WorkingDirectory, 'WorkingDirectory');
  if (wd !== undefined && wd.length > 1000) throw validation(wd, 'imageConfig.workingDirectory', 'Member must have length less than or equal to 1000');
  if (entry) out.EntryPoint = entry;
  if (command) out.Command = command;
  if (wd !== undefined) out.WorkingDirectory = wd;
  return out;
}

// ---- trigger members ----------------------------------------------------------------------

/** The API's generic ARN shape (EventSourceArn, SourceArn). */
const ARN = /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

/**
 * An integer member within [min, max]: absent is undefined. `wire` is the member's name in
 * AWS's validation messages (lower camel case).
 */
export function expectInteger(raw: unknown, member: string, wire: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number') throw mismatch(raw, member, 'an Integer');
  if (!Number.isInteger(raw)) throw serialization(`NUMBER_VALUE can not be converted to an Integer (${member} must be a whole number).`);
  if (raw < min) throw validation(raw, wire, `Member must have value greater than or equal to ${min}`);
  if (raw > max) throw validation(raw, wire, `Member must have value less than or equal to ${max}`);
  return raw;
}

/** A list of strings, at most `max` of them, each at most `maxLength` long. */
export function expectStringList(raw: unknown, member: string, wire: string, max: number, maxLength = 1024): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw mismatch(raw, member, 'a list of strings');
  for (const x of raw) if (typeof x !== 'string') throw mismatch(x, `${member}[]`, 'a String');
  if (raw.length > max) throw validation(raw, wire, `Member must have length less than or equal to ${max}`);
  for (const x of raw as string[]) if (x.length > maxLength) throw validation(x, wire, `Member must satisfy constraint: [Member must have length less than or equal to ${maxLength}]`);
  return raw as string[];
}

/** One of `values`, or absent. */
export function expectEnum<T extends string>(raw: unknown, member: string, wire: string, values: readonly T[]): T | undefined {
  const s = expectString(raw, member);
  if (s === undefined) return undefined;
  if (!(values as readonly string[]).includes(s)) throw validation(s, wire, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return s as T;
}

/** An ARN of any service, as the API's `Arn` shape accepts it, or absent. */
export function expectArn(raw: unknown, member: string, wire: string): string | undefined {
  const s = expectString(raw, member);
  if (s === undefined) return undefined;
  if (s.length > 1024 || !ARN.test(s)) throw validation(s, wire, `Member must satisfy regular expression pattern: ${ARN.source.slice(1, -1)}`);
  return s;
}

/** Splits an ARN of the `Arn` shape into its service, region, account and resource. */
export function arnParts(arn: string): { partition: string; service: string; region: string; accountId: string; resource: string } | undefined {
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/.exec(arn);
  return m ? { partition: m[1], service: m[2], region: m[3], accountId: m[4], resource: m[5] } : undefined;
}
