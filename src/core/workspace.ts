import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParseError } from 'jsonc-parser';
import { findNodeAtLocation, parse as parseJsonc, parseTree } from 'jsonc-parser';
import * as jsYaml from 'js-yaml';
import { loadYaml, YamlError } from '../shared/yaml';
import { configSchema, validateConfig } from './configValidator.generated';
import { OperationError } from './errors';
import type { LambdaSend } from './lambdaApi';
import { getVersion } from './lambdaApi';
import { inlineFileName, inlineModuleProblem } from './packaging';
import { folderLabel, isWithin, slashedRelative } from './paths';
import type { CodeDeploySettings } from './codedeploy/types';
import type { RolloutPlan } from './rollout/plans';
import { parseRolloutSpec, PlanError } from './rollout/plans';

/** A Lambda function found in the workspace: what to package and where to deploy it. */
export interface WorkspaceFunction {
  /** Where it was declared: 'template.yaml' stands for any SAM template (.yaml, .yml, .json). */
  source: 'lambda-canary.json' | 'template.yaml';
  file: string;
  /** The workspace folder it belongs to: nothing outside it is packaged or read. */
  workspaceRoot: string;
  /** The deployed function's name; unknown when a SAM template computes it (pick it then). */
  functionName?: string;
  /** SAM logical id. */
  logicalId?: string;
  /**
   * Absolute path of the folder (or built archive) to package; for an image function, the folder
   * its image is built from (nothing of it is packaged).
   */
  codeDir: string;
  /** 'Image': the function runs a container image (deployed by image URI); zip when absent. */
  packageType?: 'Zip' | 'Image';
  /** An image function's Dockerfile (SAM `Metadata.Dockerfile`), relative to codeDir, when named. */
  dockerfile?: string;
  /** An image function's image as the template names it (`ImageUri`, `Code.ImageUri`), when a literal. */
  imageUri?: string;
  /**
   * Code written in the template itself (SAM `InlineCode`, CloudFormation `Code.ZipFile`):
   * packaged as CloudFormation does, one file `index.js` / `index.py` (see packageInline).
   */
  inlineCode?: string;
  handler?: string;
  runtime?: string;
  /** The alias deploys target; undefined when the workspace declares none: ask which (or create one). */
  alias?: string;
  /** Build command as argv (never run through a shell). */
  build?: string[];
  /** A SAM function's Metadata.BuildMethod (esbuild, makefile, go1.x…): its code is what `sam build` makes of it. */
  buildMethod?: string;
  ignore: string[];
  /** Absolute path of a JSON event used for the smoke test and probes. */
  testEventFile?: string;
  /**
   * testEventFile was not configured but found: a SAM project's sample event (`events/event.json`,
   * or the only JSON file in `events/`). Front ends say so (or ask) before using it.
   */
  testEventSuggested?: boolean;
  /** A function of a nested stack: the logical ids of the stacks above it, outermost first (`sam build OrdersApp/OrderFn`). */
  stackPath?: string[];
  /** A function of a nested stack: the template at the top of the nesting, where `sam build` runs. */
  rootTemplate?: string;
  /** lambda-canary.json's `rollout`, checked: the plan Start Rollout offers first. */
  rollout?: RolloutPlan;
  /** lambda-canary.json's `codeDeploy`: where a rollout handed to CodeDeploy runs (CodeDeploySettings). */
  codeDeploy?: CodeDeploySettings;
  /**
   * SAM's DeploymentPreference (the function's, over Globals.Function's), with AutoPublishAlias:
   * CodeDeploy manages the alias, so a manual write warns first.
   */
  deploymentPreference?: { type: string; alarms?: string[]; hooks?: { preTraffic?: string; postTraffic?: string } };
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${path.basename(file)}${line ? `:${line}${column ? `:${column}` : ''}` : ''}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const CONFIG_FILE = 'lambda-canary.json';
export const SAM_FILES = ['template.yaml', 'template.yml', 'template.json'];

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * CloudFormation's rule for a logical id: letters and digits only (CloudFormation refuses any
 * other). Checked before an id is offered, since it ends up in `sam build`'s argv, where
 * `--build-dir=…` would be read as an option.
 */
export function isCloudFormationLogicalId(id: string): boolean {
  return /^[A-Za-z0-9]{1,255}$/.test(id);
}
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;

/** Why `name` cannot be a Lambda alias name, or undefined when it can. */
export function aliasNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'An alias needs a name.';
  if (name.length > 128) return `An alias name has at most 128 characters (this one has ${name.length}).`;
  if (/^[0-9]+$/.test(name)) return `'${name}' is all digits, which Lambda keeps for version numbers: add a letter.`;
  if (!ALIAS_NAME.test(name)) return `'${name}' is not a valid alias name: letters, digits, - and _ only.`;
  return undefined;
}

/** A UTF-8 byte order mark, which some editors write at the start of a file: not part of the JSON or YAML. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A realpath, or undefined when the path does not exist (or cannot be read). */
function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Resolves `rel` inside `root`; anything escaping the workspace is refused, by its name
 * (`../..`, an absolute path) or through a symlink (compared as realpaths, so a workspace that
 * is itself reached through a symlink still works).
 */
function inside(root: string, rel: string, key: string): string {
  const abs = path.resolve(root, rel);
  const r = path.resolve(root);
  if (!isWithin(r, abs)) throw new Error(`"${key}": '${rel}' points outside the workspace folder.`);
  const real = realpathOrUndefined(abs);
  const rootReal = realpathOrUndefined(r) ?? r;
  if (real !== undefined && !isWithin(rootReal, real)) {
    throw new Error(`"${key}": '${rel}' resolves through a symlink to ${real}, outside the workspace folder: only files inside the workspace are packaged or read.`);
  }
  return abs;
}

/** `npm run build` → ['npm', 'run', 'build']; quotes group words. No shell is involved. */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cmd))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function lineCol(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: pos - before.lastIndexOf('\n') };
}

type JsonSchema = {
  $ref?: string;
  type?: string;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  patternErrorMessage?: string;
  properties?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
};
const SCHEMA = configSchema as JsonSchema;

/** A `{ "$ref": "#/definitions/NAME" }` (any pointer into the schema) followed. */
function resolved(s: JsonSchema | undefined): JsonSchema | undefined {
  if (s?.$ref === undefined) return s;
  const target = s.$ref
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .reduce<unknown>((at, p) => (at as Record<string, unknown> | undefined)?.[p.replace(/~1/g, '/').replace(/~0/g, '~')], SCHEMA);
  return resolved(target as JsonSchema | undefined);
}

/** The keys of the one-function form (top-level `functionName`). */
const KNOWN_KEYS = Object.keys(SCHEMA.properties ?? {}).filter((k) => k !== '$schema' && k !== 'functions');
/** The keys an entry of `functions` has. */
const ENTRY_SCHEMA = resolved(resolved(SCHEMA.properties?.functions)?.items);
const ENTRY_KEYS = Object.keys(ENTRY_SCHEMA?.properties ?? {});

/**
 * The top-level keys of the `functions` form: each is the default of every entry that names
 * none (an entry's own wins). `rollout` is also the plan of a release of them.
 */
export const SHARED_CONFIG_KEYS = ['alias', 'rollout', 'ignore', 'build', 'handler', 'runtime'] as const;
/** At most this many entries in `functions` (the schema's maxItems says the same). */
export const MAX_CONFIG_FUNCTIONS = 200;

/** What ajv's validators report for each problem (ajv's ErrorObject, the fields read here). */
interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath?: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * Validates against the schema the editor checks the file with (package.json jsonValidation):
 * configValidator.generated.ts is that schema compiled by ajv ahead of time, and a unit test
 * regenerates it to prove it is current.
 */
function validateAgainstSchema(obj: unknown): SchemaError[] {
  const validate = validateConfig as ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
  return validate(obj) ? [] : (validate.errors ?? [{ keyword: 'unknown', instancePath: '', params: {}, message: 'is not valid' }]);
}

/** "a string", "an array of strings", "a string or an array of strings". */
function describeType(schema: JsonSchema | undefined): string {
  const s = resolved(schema);
  if (!s) return 'a value';
  if (s.oneOf) return s.oneOf.map(describeType).join(' or ');
  if (s.type === 'array') return resolved(s.items)?.type === 'string' ? 'an array of strings' : 'an array';
  if (s.type === 'object') return 'an object';
  return s.type ? `a ${s.type}` : 'a value';
}

type JsonPath = Array<string | number>;

/** The offset of the value at `location` (of its key, for a property), or undefined when it is absent. */
function offsetOfPath(tree: ReturnType<typeof parseTree>, location: JsonPath): number | undefined {
  const node = tree && findNodeAtLocation(tree, [...location]);
  return node?.parent?.type === 'property' ? node.parent.offset : node?.offset;
}

/**
 * One message per problem, first in the order of the file, naming the key and what is wrong:
 * `"alias" …` at the top level, `"functions[2].codeFolder" …` in an entry of `functions`.
 */
function schemaProblem(errors: SchemaError[], obj: Record<string, unknown>, text: string, several: boolean): { message: string; line?: number } {
  const tree = parseTree(text);
  const problems = errors.map((e) => {
    // instancePath is a JSON pointer ('/build/1', '/functions/2/ignore/0').
    const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const entry = segments[0] === 'functions' && segments.length > 1 ? Number(segments[1]) : undefined;
    const container: JsonPath = entry === undefined ? [] : ['functions', entry];
    const values = (entry === undefined ? obj : ((obj.functions as unknown[])[entry] ?? {})) as Record<string, unknown>;
    const properties = (entry === undefined ? SCHEMA.properties : ENTRY_SCHEMA?.properties) ?? {};
    const key = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : entry === undefined ? segments[0] : segments[2];
    const label = entry === undefined ? key : key === undefined ? `functions[${entry}]` : `functions[${entry}].${key}`;
    const topKeys = several ? ['functions', ...SHARED_CONFIG_KEYS, 'stages'] : KNOWN_KEYS;
    let message: string;
    if (e.keyword === 'additionalProperties') message = `${entry === undefined ? '' : `"functions[${entry}]": `}unknown key "${key}" (known: ${(entry === undefined ? topKeys : ENTRY_KEYS).join(', ')}).`;
    else if (e.keyword === 'required') message = `"${label}" has no "functionName": the name of the deployed Lambda function.`;
    else if (key === undefined && entry !== undefined) message = `"${label}" must be an object, e.g. { "functionName": "my-fn" }.`;
    else if (key === 'functions' && e.keyword === 'minItems') message = '"functions" is empty: list at least one function, e.g. [{ "functionName": "my-fn" }].';
    else if (key === 'functions' && e.keyword === 'maxItems') message = `"functions" lists ${(obj.functions as unknown[]).length} functions: at most ${MAX_CONFIG_FUNCTIONS}.`;
    else if (key === 'functions' && segments.length === 1) message = '"functions" must be an array of functions, e.g. [{ "functionName": "my-fn" }].';
    else if (e.keyword === 'pattern') message = `"${label}" '${String(values[key])}' ${resolved(properties[key])?.patternErrorMessage ?? `does not match ${String(e.params.pattern)}.`}`;
    else if (key) message = `"${label}" must be ${describeType(properties[key])}.`;
    else message = e.message ?? 'is not valid.';
    const at: JsonPath = key === undefined || e.keyword === 'required' ? container : [...container, key];
    return { message, line: at.length ? lineOfPath(text, at) : undefined, rank: (at.length ? offsetOfPath(tree, at) : undefined) ?? Infinity };
  });
  problems.sort((a, b) => a.rank - b.rank);
  return problems[0];
}

const CODEDEPLOY_KEYS = ['application', 'deploymentGroup', 'serviceRoleArn', 'beforeAllowTraffic', 'afterAllowTraffic'] as const;

/** lambda-canary.json's `codeDeploy` (at `at`, named `label` in messages), checked as the schema does, each problem naming its key. */
function codeDeploySettings(file: string, text: string, raw: unknown, at: JsonPath = ['codeDeploy'], label = 'codeDeploy'): CodeDeploySettings {
  const line = (key?: string) => lineOfPath(text, [...at, ...(key ? [key] : [])]) ?? lineOfPath(text, at);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, `"${label}" must be an object, e.g. { "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployLambda" }.`, line());
  }
  const o = raw as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(o)) {
    if (!(CODEDEPLOY_KEYS as readonly string[]).includes(key)) throw new ConfigError(file, `"${label}": unknown key "${key}" (known: ${CODEDEPLOY_KEYS.join(', ')}).`, line(key));
    if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(file, `"${label}.${key}" must be a non-empty string.`, line(key));
    if ((key === 'application' || key === 'deploymentGroup') && !/^[A-Za-z0-9._+=,@-]{1,100}$/.test(value)) {
      throw new ConfigError(file, `"${label}.${key}" '${value}' is not a CodeDeploy name (1–100 letters, digits and . _ + = , @ -).`, line(key));
    }
    if (key === 'serviceRoleArn' && !/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/.test(value)) {
      throw new ConfigError(file, `"${label}.serviceRoleArn" '${value}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME).`, line(key));
    }
    out[key] = value;
  }
  return out as CodeDeploySettings;
}

/** JSON.parse, failing as a ConfigError of `file` with the line and column of the mistake. */
function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // Node's "Unexpected token" messages carry no position: find it.
    const at = pos ? Number(pos[1]) : jsonErrorOffset(text);
    const lc = at === undefined ? undefined : lineCol(text, Math.min(at, text.length));
    throw new ConfigError(file, `invalid JSON (${msg.replace(/ (?:in|after) JSON at position \d+.*$/, '').replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')})`, lc?.line, lc?.column);
  }
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** lambda-canary.json, read: its functions in the file's order, and the plan its top level names. */
export interface ConfigFunctions {
  functions: WorkspaceFunction[];
  /** The top-level `rollout`: the plan of a release of these functions (and of each that names none). */
  plan?: RolloutPlan;
  /** The top-level `stages`, checked, in the file's order. */
  stages?: StageConfig[];
}

/**
 * One stage of lambda-canary.json's `stages`: the alias a release to it moves, on its own
 * connection when it names one (another account's profile, another region). `endpoint` is a
 * local sandbox's, for tests and demos: only a loopback address is accepted.
 */
export interface StageConfig {
  name: string;
  alias: string;
  profile?: string;
  region?: string;
  endpoint?: string;
}

/** At most this many stages (the schema's maxItems says the same). */
export const MAX_STAGES = 10;
const STAGE_KEYS = ['name', 'alias', 'profile', 'region', 'endpoint'] as const;
const STAGE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-_]{0,31}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

/** lambda-canary.json's `stages`, checked as the schema does, each problem naming the stage and key. */
function configStages(file: string, text: string, raw: unknown): StageConfig[] {
  const line = (...at: JsonPath) => lineOfPath(text, ['stages', ...at]) ?? lineOfPath(text, ['stages']);
  const example = '[{ "name": "staging", "alias": "staging" }, { "name": "prod", "alias": "prod", "profile": "prod-account" }]';
  if (!Array.isArray(raw)) throw new ConfigError(file, `"stages" must be an array of stages, e.g. ${example}.`, line());
  if (raw.length === 0) throw new ConfigError(file, `"stages" is empty: list the stages a release goes through, in order, e.g. ${example} (or remove "stages").`, line());
  if (raw.length > MAX_STAGES) throw new ConfigError(file, `"stages" lists ${raw.length} stages: at most ${MAX_STAGES}.`, line());
  const stages: StageConfig[] = [];
  const firstOf = new Map<string, number>();
  raw.forEach((entry: unknown, i) => {
    const label = `stages[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(file, `"${label}" must be an object, e.g. { "name": "staging", "alias": "staging" }.`, line(i));
    const o = entry as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!(STAGE_KEYS as readonly string[]).includes(key)) throw new ConfigError(file, `"${label}": unknown key "${key}" (known: ${STAGE_KEYS.join(', ')}).`, line(i, key));
      if (typeof o[key] !== 'string' || (o[key] as string).trim() === '') throw new ConfigError(file, `"${label}.${key}" must be a non-empty string.`, line(i, key));
    }
    if (o.name === undefined) throw new ConfigError(file, `"${label}" has no "name": name each stage, e.g. "staging" or "prod".`, line(i));
    const name = o.name as string;
    if (!STAGE_NAME.test(name)) throw new ConfigError(file, `"${label}.name" '${name}' is not a stage name (1-32 letters, digits, - or _, starting with a letter or digit).`, line(i, 'name'));
    const first = firstOf.get(name);
    if (first !== undefined) throw new ConfigError(file, `"${label}.name" '${name}' is listed twice: stages[${first}] and stages[${i}] (name each stage once).`, line(i, 'name'));
    firstOf.set(name, i);
    if (o.alias === undefined) throw new ConfigError(file, `"${label}" (${name}) has no "alias": the alias a release to ${name} moves on every function.`, line(i));
    const alias = o.alias as string;
    if (!ALIAS_NAME.test(alias)) throw new ConfigError(file, `"${label}.alias" '${alias}' is not a valid alias name (letters, digits, - or _, not all digits, ≤ 128).`, line(i, 'alias'));
    const region = o.region as string | undefined;
    if (region !== undefined && !REGION_NAME.test(region)) throw new ConfigError(file, `"${label}.region" '${region}' is not an AWS region name (e.g. eu-west-1).`, line(i, 'region'));
    const endpoint = o.endpoint as string | undefined;
    if (endpoint !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      const host = url?.hostname;
      const loopback = host === 'localhost' || host === '[::1]' || (host !== undefined && /^127(\.\d{1,3}){3}$/.test(host));
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !loopback) {
        throw new ConfigError(file, `"${label}.endpoint" '${endpoint}' is not a local sandbox's address: a stage's endpoint is for tests and demos on this machine (http://127.0.0.1:PORT); name another account with "profile" and "region".`, line(i, 'endpoint'));
      }
      if (o.profile !== undefined) throw new ConfigError(file, `"${label}" names both "endpoint" and "profile": a local sandbox takes no AWS profile; keep one of them.`, line(i, 'profile'));
    }
    stages.push({ name, alias, ...(o.profile !== undefined ? { profile: o.profile as string } : {}), ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) });
  });
  return stages;
}

/**
 * Parses and validates `lambda-canary.json`, in either form: one function (top-level
 * `functionName`), or several (`functions: [...]`, whose entries take the top-level alias,
 * rollout, ignore, build, handler and runtime when they name none). Every problem is a
 * ConfigError with its line, naming the key (`"functions[2].codeFolder" …`).
 */
export function readConfigFile(file: string, rawText: string, workspaceRoot: string): ConfigFunctions {
  const text = stripBom(rawText);
  const raw = parseJsonFile(file, text);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, 'must hold a JSON object, e.g. { "functionName": "my-fn" }.');
  const obj = raw as Record<string, unknown>;
  const several = hasOwn(obj, 'functions');
  // The two forms, told apart before the schema (whose if/then/else says the same to the editor).
  if (several && hasOwn(obj, 'functionName')) {
    throw new ConfigError(file, 'has both "functionName" and "functions": one function is described by the top-level keys, several by "functions" — keep one of them.', lineOfPath(text, ['functions']));
  }
  if (!several && !hasOwn(obj, 'functionName')) {
    // A misspelt key ("functionname") is what the user needs to hear of, not only what is missing.
    const unknown = Object.keys(obj).find((k) => !KNOWN_KEYS.includes(k) && k !== '$schema');
    if (unknown !== undefined) {
      const meant = KNOWN_KEYS.find((k) => k.toLowerCase() === unknown.toLowerCase());
      throw new ConfigError(file, `unknown key "${unknown}"${meant ? ` (did you mean "${meant}"?)` : ` (known: ${KNOWN_KEYS.join(', ')})`}; "functionName" is required: the name of the deployed Lambda function (or "functions", a list of them).`, lineOfPath(text, [unknown]));
    }
    throw new ConfigError(file, '"functionName" is required: the name of the deployed Lambda function (or "functions", a list of them).');
  }
  if (several) {
    const misplaced = Object.keys(obj).find((k) => ENTRY_KEYS.includes(k) && !(SHARED_CONFIG_KEYS as readonly string[]).includes(k));
    if (misplaced) {
      throw new ConfigError(file, `"${misplaced}" belongs in each entry of "functions": the top level gives every entry only ${SHARED_CONFIG_KEYS.join(', ')}.`, lineOfPath(text, [misplaced]));
    }
  }
  // `rollout` is checked by parseRolloutSpec below, whose messages say which step is wrong and how.
  // `codeDeploy` likewise, by codeDeploySettings, which names the key inside it.
  const checkedElsewhere = (e: SchemaError) => {
    if (/^#\/(if|then|else)(\/|$)/.test(e.schemaPath ?? '')) return true;
    const key = e.instancePath.replace(/^\/functions\/\d+(?=\/|$)/, '').split('/')[1];
    return key === 'rollout' || key === 'codeDeploy' || key === 'stages';
  };
  const errors = validateAgainstSchema(obj).filter((e) => !checkedElsewhere(e));
  if (errors.length) {
    const { message, line } = schemaProblem(errors, obj, text, several);
    throw new ConfigError(file, message, line);
  }
  const plan = obj.rollout === undefined ? undefined : configPlan(file, text, obj.rollout, ['rollout'], 'rollout');
  const stages = obj.stages === undefined ? undefined : configStages(file, text, obj.stages);
  const topLevel: Where = { label: (key) => key, path: (key) => [key] };
  if (!several) return { functions: [configFunction(file, text, workspaceRoot, obj, topLevel, plan)], ...(plan ? { plan } : {}), ...(stages ? { stages } : {}) };
  const defaults: Record<string, unknown> = {};
  for (const key of SHARED_CONFIG_KEYS) if (obj[key] !== undefined && key !== 'rollout') defaults[key] = obj[key];
  const entries = obj.functions as Array<Record<string, unknown>>;
  const functions: WorkspaceFunction[] = [];
  const firstOf = new Map<string, number>();
  entries.forEach((entry, i) => {
    const where: Where = {
      label: (key) => (hasOwn(entry, key) ? `functions[${i}].${key}` : key),
      path: (key) => (hasOwn(entry, key) ? ['functions', i, key] : [key]),
    };
    const name = entry.functionName as string;
    const first = firstOf.get(name);
    if (first !== undefined) {
      throw new ConfigError(file, `"functions[${i}].functionName" '${name}' is listed twice: functions[${first}] and functions[${i}] name the same function (list each function once).`, lineOfPath(text, ['functions', i, 'functionName']));
    }
    firstOf.set(name, i);
    const rollout = hasOwn(entry, 'rollout') ? configPlan(file, text, entry.rollout, ['functions', i, 'rollout'], `functions[${i}].rollout`) : plan;
    functions.push(configFunction(file, text, workspaceRoot, { ...defaults, ...entry }, where, rollout));
  });
  return { functions, ...(plan ? { plan } : {}), ...(stages ? { stages } : {}) };
}

/** Where a key of one function is in the file: its name in messages and its JSON path. */
interface Where {
  label(key: string): string;
  path(key: string): JsonPath;
}

/** A `rollout` of lambda-canary.json (at `at`, named `label` in messages), parsed. */
function configPlan(file: string, text: string, spec: unknown, at: JsonPath, label: string): RolloutPlan {
  try {
    return parseRolloutSpec(spec);
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    throw new ConfigError(file, `"${label}": ${e.message}`, lineOfPath(text, [...at, ...e.path]) ?? lineOfPath(text, at));
  }
}

/**
 * One function of lambda-canary.json, from `values` (schema-checked): the top level of the
 * one-function form, or an entry of `functions` over the top level's defaults; `rollout` is its
 * plan, parsed.
 */
function configFunction(file: string, text: string, workspaceRoot: string, values: Record<string, unknown>, where: Where, rollout: RolloutPlan | undefined): WorkspaceFunction {
  const line = (key: string) => lineOfPath(text, where.path(key));
  const codeDeploy = values.codeDeploy === undefined ? undefined : codeDeploySettings(file, text, values.codeDeploy, where.path('codeDeploy'), where.label('codeDeploy'));
  const functionName = values.functionName as string;
  // The schema says the same; kept so a schema edit cannot let a bad name through.
  if (!FUNCTION_NAME.test(functionName)) {
    throw new ConfigError(file, `"${where.label('functionName')}" '${functionName}' is not a Lambda function name (1-64 letters, digits, - or _).`, line('functionName'));
  }
  const alias = (values.alias as string | undefined) ?? 'prod';
  if (!ALIAS_NAME.test(alias)) throw new ConfigError(file, `"${where.label('alias')}" '${alias}' is not a valid alias name (letters, digits, - or _, not all digits, ≤ 128).`, line('alias'));
  let codeDir: string;
  try {
    codeDir = inside(workspaceRoot, (values.codeFolder as string | undefined) ?? '.', where.label('codeFolder'));
  } catch (e) {
    throw new ConfigError(file, (e as Error).message, line('codeFolder'));
  }
  if (!fs.existsSync(codeDir) || !fs.statSync(codeDir).isDirectory()) {
    throw new ConfigError(file, `"${where.label('codeFolder')}" '${String(values.codeFolder ?? '.')}' is not a folder in the workspace.`, line('codeFolder'));
  }
  const testEvent = values.testEvent as string | undefined;
  let testEventFile: string | undefined;
  try {
    testEventFile = testEvent === undefined ? undefined : inside(workspaceRoot, testEvent, where.label('testEvent'));
  } catch (e) {
    throw new ConfigError(file, (e as Error).message, line('testEvent'));
  }
  if (testEventFile) {
    const st = statOrUndefined(testEventFile);
    if (!st) throw new ConfigError(file, `"${where.label('testEvent')}" '${testEvent}' does not exist.`, line('testEvent'));
    if (!st.isFile()) throw new ConfigError(file, `"${where.label('testEvent')}" '${testEvent}' is ${st.isDirectory() ? 'a folder' : 'not a regular file'}: name a JSON file, e.g. events/smoke.json.`, line('testEvent'));
  }
  const build = values.build === undefined ? undefined : Array.isArray(values.build) ? (values.build as string[]) : splitCommand(values.build as string);
  if (build && build.length === 0) throw new ConfigError(file, `"${where.label('build')}" is empty.`, line('build'));
  return {
    source: 'lambda-canary.json',
    file,
    workspaceRoot,
    functionName,
    codeDir,
    handler: values.handler as string | undefined,
    runtime: values.runtime as string | undefined,
    alias,
    build,
    ignore: (values.ignore as string[] | undefined) ?? [],
    testEventFile,
    ...(rollout ? { rollout } : {}),
    ...(codeDeploy ? { codeDeploy } : {}),
  };
}

/** Parses and validates `lambda-canary.json` that describes one function (see readConfigFile for both forms). */
export function parseConfigFile(file: string, rawText: string, workspaceRoot: string): WorkspaceFunction {
  const { functions } = readConfigFile(file, rawText, workspaceRoot);
  if (functions.length !== 1) throw new ConfigError(file, `lists ${functions.length} functions under "functions", where one is expected: read it with parseConfigFunctions.`);
  return functions[0];
}

/** The functions `lambda-canary.json` describes, in either form, in the file's order. */
export function parseConfigFunctions(file: string, rawText: string, workspaceRoot: string): WorkspaceFunction[] {
  return readConfigFile(file, rawText, workspaceRoot).functions;
}

/**
 * A SAM project's sample event, as `sam init` makes them: `events/event.json` beside the
 * template, or the only JSON file in `events/`; inside the workspace, a regular file.
 */
function sampleEvent(templateDir: string, workspaceRoot: string): string | undefined {
  const dir = path.join(templateDir, 'events');
  let candidates: string[];
  try {
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
    candidates = names.includes('event.json') ? ['event.json'] : names.length === 1 ? names : [];
  } catch {
    return undefined;
  }
  for (const name of candidates) {
    try {
      const f = inside(workspaceRoot, path.relative(workspaceRoot, path.join(dir, name)), 'events');
      if (statOrUndefined(f)?.isFile()) return f;
    } catch {
      // Outside the workspace (a symlink): not a sample of this project.
    }
  }
  return undefined;
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** The offset of the first syntax error in `text` as strict JSON, or undefined when there is none. */
function jsonErrorOffset(text: string): number | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset;
}

/** The line of the value at `at` (keys and array indices), or of its key. */
function lineOfPath(text: string, location: ReadonlyArray<string | number>): number | undefined {
  const tree = parseTree(text);
  const node = tree && findNodeAtLocation(tree, [...location]);
  // A property's value: the line of its key; an array's item: its own.
  const at = node?.parent?.type === 'property' ? node.parent.offset : node?.offset;
  return at === undefined ? undefined : lineCol(text, at).line;
}

// ---- SAM templates -------------------------------------------------------------------------

/** An unresolved CloudFormation intrinsic (`!Ref X`, `!Sub ...`): kept, never evaluated. */
export class Intrinsic {
  constructor(
    readonly fn: string,
    readonly value: unknown,
  ) {}
  toString(): string {
    return `!${this.fn} ${JSON.stringify(this.value)}`;
  }
}

const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Condition', 'Transform'];

/** js-yaml's types for every short-form intrinsic, on scalars, sequences and maps. */
const cfnSchema = jsYaml.DEFAULT_SCHEMA.extend(
  INTRINSICS.flatMap((fn) =>
    (['scalar', 'sequence', 'mapping'] as const).map((kind) => new jsYaml.Type(`!${fn}`, { kind, construct: (v: unknown) => new Intrinsic(fn, v ?? '') })),
  ),
);

/** CloudFormation's own limit for a template body is 1 MB; more than this is no template. */
const MAX_TEMPLATE_CHARS = 4 * 1024 * 1024;

/** A function a template declares that cannot be offered, and why. */
export interface SkippedFunction {
  /** The template that declares it. */
  file: string;
  /** Its logical id. */
  name: string;
  reason: string;
  line?: number;
}

/** What a workspace (or one template) offers, and what it declares but cannot offer. */
export interface WorkspaceDiscovery {
  functions: WorkspaceFunction[];
  skipped: SkippedFunction[];
  /** lambda-canary.json's top-level `rollout`, when the workspace has one: the plan of a release of its functions. */
  plan?: RolloutPlan;
  /** lambda-canary.json's `stages`, in order: where a release of its functions goes, one stage after another. */
  stages?: StageConfig[];
}

/** One line per skipped function: `infra/template.yaml:12: "Fn.CodeUri": '../src' points outside…`. */
export function describeSkipped(s: SkippedFunction, workspaceRoot?: string): string {
  const file = workspaceRoot === undefined ? path.basename(s.file) : slashedRelative(workspaceRoot, s.file);
  return `${file}${s.line ? `:${s.line}` : ''}: ${s.reason}`;
}

/** A template's parsed body and a way to find the line of a resource. */
interface ParsedTemplate {
  root: unknown;
  lineOf: (logicalId: string) => number | undefined;
}

function parseYamlTemplate(file: string, text: string): ParsedTemplate {
  // js-yaml reads what SAM CLI (PyYAML) reads, e.g. a flow collection whose closing bracket is
  // indented less than its key; a key given twice keeps its last value, as PyYAML keeps it.
  try {
    return { root: loadYaml(text, { schema: cfnSchema, json: true }), lineOf: (logicalId) => lineOfYamlResource(text, logicalId) };
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    throw new ConfigError(file, `invalid YAML: ${e.reason}`, e.line, e.column);
  }
}

function parseJsonTemplate(file: string, text: string): ParsedTemplate {
  const root = parseJsonFile(file, text);
  const lineOf = (logicalId: string) => {
    const tree = parseTree(text);
    const node = tree && findNodeAtLocation(tree, ['Resources', logicalId]);
    const at = node?.parent?.offset;
    return at === undefined ? undefined : lineCol(text, at).line;
  };
  return { root, lineOf };
}

/** An intrinsic in either form: `!Ref X` (YAML) or `{ "Ref": "X" }` / `{ "Fn::Sub": … }` (JSON). */
function isIntrinsic(v: unknown): boolean {
  if (v instanceof Intrinsic) return true;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

/** `!Ref Name` (YAML) or `{ "Ref": "Name" }` (JSON, YAML long form): the name, else undefined. */
function refName(v: unknown): string | undefined {
  if (v instanceof Intrinsic) return v.fn === 'Ref' && typeof v.value === 'string' ? v.value : undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  const name = (v as Record<string, unknown>).Ref;
  return keys.length === 1 && typeof name === 'string' ? name : undefined;
}

function describeValue(v: unknown): string {
  return v instanceof Intrinsic ? v.toString() : JSON.stringify(v);
}

/** How deep nested applications are followed (CloudFormation itself nests stacks deeper; real projects seldom go past 2). */
const MAX_NESTING = 5;

/**
 * At most this many nested templates are read in one discovery: templates that nest each other
 * over and over (ten applications of one template, each nesting ten of the next…) are not
 * read exponentially often.
 */
export const MAX_NESTED_TEMPLATES = 200;
/** At most this much template text is read for nested templates in one discovery. */
const MAX_NESTED_CHARS = 32 * 1024 * 1024;

/** What one discovery has read of nested templates so far, shared by every template it reads. */
interface DiscoveryBudget {
  reads: number;
  chars: number;
  /**
   * Nested templates already read, by realpath and the parameters they were given: read once.
   * Each stack that nests one again is its own stack (its functions are other deployed functions,
   * built under their own stack path), so it counts toward the limit and gets the same discovery.
   */
  done: Map<string, { found: WorkspaceDiscovery | string; stacks: number }>;
}

function newBudget(): DiscoveryBudget {
  return { reads: 0, chars: 0, done: new Map() };
}

/** What a template is read with: the values its parameters take, and the templates that nest it. */
interface TemplateScope {
  /** Parameters the application nesting this template passes: their values, undefined when not known here. */
  parameters: Record<string, string | undefined>;
  /** Realpaths of the templates above this one, outermost first. */
  chain: string[];
  /** Every template read (the root and each nested one), to keep a nested one from being offered twice. */
  read: Set<string>;
  budget: DiscoveryBudget;
}

/** Appends without spreading into arguments (a spread of ~100 000 items overflows the stack). */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}

/**
 * A template's parameter as the function would get it on a deploy without overrides: the value
 * the nesting application passes, else the parameter's Default. Undefined when neither is a
 * literal (or it is no parameter at all, e.g. AWS::StackName).
 */
function parameterValue(root: Record<string, unknown>, scope: TemplateScope, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(scope.parameters, name)) return scope.parameters[name];
  const params = root.Parameters;
  const p = params && typeof params === 'object' ? (params as Record<string, unknown>)[name] : undefined;
  const def = p && typeof p === 'object' ? (p as Record<string, unknown>).Default : undefined;
  return typeof def === 'string' || typeof def === 'number' ? String(def) : undefined;
}

/**
 * The alias a function declares: AutoPublishAlias as a literal, or `!Ref Param` resolved to what
 * the parameter is given; undefined (ask the user) when there is none or it cannot be known here.
 */
function declaredAlias(root: Record<string, unknown>, scope: TemplateScope, value: unknown): { alias?: string; from?: string } {
  if (value === undefined) return {};
  if (typeof value === 'string') return { alias: value };
  const ref = refName(value);
  if (ref === undefined) return {};
  const v = parameterValue(root, scope, ref);
  return v === undefined ? {} : { alias: v, from: ` (parameter ${ref})` };
}

/**
 * SAM's DeploymentPreference of a function with AutoPublishAlias: Globals.Function's merged with
 * the function's own (merged as SAM does: maps key by key, Alarms concatenated, the function's scalars winning);
 * undefined when there is none, it is `Enabled: false`, or its Type cannot be known here. Hooks
 * and alarms given by `!Ref` name the resource's FunctionName / AlarmName when the template
 * writes it, else its logical id.
 */
/** SAM's merge of a Globals map under a resource's: maps key by key (deeply), lists concatenated (Globals first), else the resource's value. */
function samGlobalsMerged(globals: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !isIntrinsic(v);
  const out: Record<string, unknown> = { ...globals };
  for (const [k, v] of Object.entries(own)) {
    const g = globals[k];
    out[k] = plain(g) && plain(v) ? samGlobalsMerged(g, v) : Array.isArray(g) && Array.isArray(v) ? [...(g as unknown[]), ...(v as unknown[])] : v;
  }
  return out;
}

function deploymentPreferenceOf(
  root: Record<string, unknown>,
  resources: Record<string, Record<string, unknown>>,
  scope: TemplateScope,
  fromGlobals: unknown,
  own: unknown,
): WorkspaceFunction['deploymentPreference'] {
  const map = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) && !isIntrinsic(v) ? (v as Record<string, unknown>) : undefined);
  if (fromGlobals === undefined && own === undefined) return undefined;
  const p = samGlobalsMerged(map(fromGlobals) ?? {}, map(own) ?? {});
  const scalar = (v: unknown) => (typeof v === 'string' ? v : refName(v) !== undefined ? parameterValue(root, scope, refName(v)!) : undefined);
  const enabled = p.Enabled === undefined ? 'true' : typeof p.Enabled === 'boolean' ? String(p.Enabled) : scalar(p.Enabled);
  if (enabled !== undefined && enabled.toLowerCase() === 'false') return undefined;
  const type = scalar(p.Type);
  if (!type) return undefined;
  const named = (v: unknown, key: 'FunctionName' | 'AlarmName'): string | undefined => {
    if (typeof v === 'string') return v;
    const ref = refName(v);
    if (ref === undefined) return undefined;
    const target = resources[ref];
    const given = target && typeof target === 'object' ? ((target.Properties ?? {}) as Record<string, unknown>)[key] : undefined;
    return typeof given === 'string' ? given : Object.prototype.hasOwnProperty.call(resources, ref) ? ref : parameterValue(root, scope, ref);
  };
  const alarms = Array.isArray(p.Alarms) ? p.Alarms.map((a) => named(a, 'AlarmName')).filter((a): a is string => !!a) : [];
  const hooks = map(p.Hooks);
  const preTraffic = hooks ? named(hooks.PreTraffic, 'FunctionName') : undefined;
  const postTraffic = hooks ? named(hooks.PostTraffic, 'FunctionName') : undefined;
  return {
    type,
    ...(alarms.length ? { alarms } : {}),
    ...(preTraffic || postTraffic ? { hooks: { ...(preTraffic ? { preTraffic } : {}), ...(postTraffic ? { postTraffic } : {}) } } : {}),
  };
}

/**
 * The alias a plain CloudFormation function is given by the template: the one AWS::Lambda::Alias
 * whose FunctionName is `!Ref` the function and whose Name is known. Several or none: undefined.
 */
function lambdaAliasOf(root: Record<string, unknown>, resources: Record<string, Record<string, unknown>>, scope: TemplateScope, logicalId: string): string | undefined {
  const names = Object.values(resources)
    .filter((r) => r && typeof r === 'object' && r.Type === 'AWS::Lambda::Alias')
    .map((r) => (r.Properties ?? {}) as Record<string, unknown>)
    .filter((p) => refName(p.FunctionName) === logicalId)
    .map((p) => (typeof p.Name === 'string' ? p.Name : refName(p.Name) !== undefined ? parameterValue(root, scope, refName(p.Name)!) : undefined));
  return names.length === 1 ? names[0] : undefined;
}

/** Why inline code cannot be packaged here, or undefined when it can (a string, a Node.js or Python runtime). */
function inlineRefusal(key: string, code: unknown, runtime: unknown): string | undefined {
  if (typeof code !== 'string') return `"${key}" is ${isIntrinsic(code) ? `an intrinsic (${describeValue(code)})` : 'not a string'}: only inline code written out in the template is packaged.`;
  if (code.trim() === '') return `"${key}" is empty.`;
  if (typeof runtime !== 'string') return `"${key}": inline code needs a Runtime (nodejs* or python*) to know its file name.`;
  if (!inlineFileName(runtime)) return `"${key}": CloudFormation packages inline code only for Node.js and Python, not ${runtime}.`;
  const needs = inlineModuleProblem(code, runtime);
  return needs ? `"${key}": ${needs}` : undefined;
}

/** Why a SAM function's code is not in the workspace, or undefined when CodeUri may name a local folder or archive. */
function nonLocalCodeUri(logicalId: string, codeUri: unknown): string | undefined {
  if (isIntrinsic(codeUri)) return `"${logicalId}.CodeUri" is an intrinsic (${describeValue(codeUri)}): name a folder of the workspace.`;
  if (codeUri !== undefined && typeof codeUri !== 'string') return `"${logicalId}.CodeUri" is an S3 location (Bucket/Key): only code in the workspace is packaged.`;
  if (typeof codeUri === 'string' && /^s3:\/\//i.test(codeUri)) return `"${logicalId}.CodeUri" '${codeUri}' is in S3: only code in the workspace is packaged.`;
  return undefined;
}

/** Why a CloudFormation function's Code is not a local path, or undefined when it may be one. */
function nonLocalCode(logicalId: string, code: unknown): string | undefined {
  if (code === undefined) return `${logicalId} has no Code.`;
  if (isIntrinsic(code)) return `"${logicalId}.Code" is an intrinsic (${describeValue(code)}): name a folder or archive of the workspace.`;
  if (typeof code === 'string') return /^s3:\/\//i.test(code) ? `"${logicalId}.Code" '${code}' is in S3: only code in the workspace is packaged.` : undefined;
  if (typeof code !== 'object' || Array.isArray(code)) return `"${logicalId}.Code" is neither a path nor a Code object.`;
  const c = code as Record<string, unknown>;
  if (c.S3Bucket !== undefined || c.S3Key !== undefined) return `"${logicalId}.Code" is in S3 (S3Bucket/S3Key): only code in the workspace is packaged.`;
  return `"${logicalId}.Code" names no code of the workspace (a local path, ZipFile or ImageUri).`;
}

/** A path a template names (CodeUri, DockerContext, Location), relative to its folder, refused outside the workspace. */
function templatePath(workspaceRoot: string, templateDir: string, rel: string, key: string): string {
  const local = rel.startsWith('file://') ? decodeURIComponent(new URL(rel).pathname) : rel;
  return inside(workspaceRoot, path.relative(workspaceRoot, path.resolve(templateDir, local)), key);
}

/**
 * What a missing code path most likely is: a name that differs from the folder's only in case
 * (which macOS forgives and Linux does not), or a build's output not built yet.
 */
function missingHint(abs: string): string {
  const base = path.basename(abs.replace(/[\\/]+$/, ''));
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.dirname(abs.replace(/[\\/]+$/, '')));
  } catch {
    // The folder above is missing too.
  }
  const other = names.find((n) => n !== base && n.toLowerCase() === base.toLowerCase());
  if (other) return `: there is '${other}', which differs only in case (Linux and sam build tell them apart)`;
  if (/\.(zip|jar)$/i.test(base)) return ': a build makes it; build the project first';
  return '';
}

/**
 * The functions a SAM or CloudFormation template declares, and those it declares but that cannot
 * be offered, each with why:
 * - AWS::Serverless::Function with a local CodeUri (a folder or a built archive), simple
 *   InlineCode, or PackageType Image (its DockerContext is the folder);
 * - AWS::Lambda::Function with a local Code path (as `aws cloudformation package` reads it), a
 *   simple Code.ZipFile, or Code.ImageUri;
 * - the functions of local nested applications (AWS::Serverless::Application Location,
 *   AWS::CloudFormation::Stack TemplateURL), followed as SAM CLI follows them.
 * A template that cannot be read at all (broken YAML/JSON, no Resources) throws a ConfigError;
 * a nested one that cannot is skipped, its error naming the file.
 */
export function readSamTemplate(file: string, rawText: string, workspaceRoot: string): WorkspaceDiscovery {
  return readTemplate(file, rawText, workspaceRoot, { parameters: {}, chain: [], read: new Set(), budget: newBudget() });
}

function readTemplate(file: string, rawText: string, workspaceRoot: string, here: TemplateScope): WorkspaceDiscovery {
  const text = stripBom(rawText);
  if (text.length > MAX_TEMPLATE_CHARS) throw new ConfigError(file, `is ${(text.length / 1024 / 1024).toFixed(1)} MB; a SAM template of more than ${MAX_TEMPLATE_CHARS / 1024 / 1024} MB is not read.`);
  const { root: parsed, lineOf } = file.toLowerCase().endsWith('.json') ? parseJsonTemplate(file, text) : parseYamlTemplate(file, text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(file, 'is empty or not a mapping.');
  const root = parsed as Record<string, unknown>;
  const resources = root.Resources as Record<string, Record<string, unknown>> | undefined;
  if (!resources || typeof resources !== 'object') throw new ConfigError(file, 'has no Resources section.');
  if (Array.isArray(resources) || isIntrinsic(resources)) throw new ConfigError(file, '"Resources" must be a mapping of logical ids to resources.');
  const self = realpathOrUndefined(file) ?? path.resolve(file);
  here.read.add(self);
  const globals = ((root.Globals as Record<string, unknown> | undefined)?.Function ?? {}) as Record<string, unknown>;
  const templateDir = path.dirname(file);
  const functions: WorkspaceFunction[] = [];
  const skipped: SkippedFunction[] = [];
  for (const [logicalId, res] of Object.entries(resources)) {
    if (!res || typeof res !== 'object') continue;
    const line = lineOf(logicalId);
    const skip = (reason: string) => skipped.push({ file, name: logicalId, reason, line });
    const own = (res.Properties ?? {}) as Record<string, unknown>;
    const isFunction = res.Type === 'AWS::Serverless::Function' || res.Type === 'AWS::Lambda::Function';
    const isNested = res.Type === 'AWS::Serverless::Application' || res.Type === 'AWS::CloudFormation::Stack';
    if ((isFunction || isNested) && !isCloudFormationLogicalId(logicalId)) {
      skip(`${JSON.stringify(logicalId)} is not a CloudFormation logical id (letters and digits only): CloudFormation and sam build refuse it; rename the resource.`);
      continue;
    }
    if (isNested) {
      const nested = readNested(file, workspaceRoot, root, here, self, logicalId, String(res.Type), own);
      if (typeof nested === 'string') skip(nested);
      else {
        // sam build names (and places) a nested stack's function by its stack path, from the root template.
        for (const f of nested.functions) functions.push({ ...f, stackPath: [logicalId, ...(f.stackPath ?? [])], rootTemplate: file });
        append(skipped, nested.skipped);
      }
      continue;
    }
    const sam = res.Type === 'AWS::Serverless::Function';
    if (!sam && res.Type !== 'AWS::Lambda::Function') continue;
    // Globals apply to SAM's own resources only.
    const props = sam ? { ...globals, ...own } : own;
    if (sam) {
      // A function's own InlineCode replaces a CodeUri from Globals, and the other way round.
      if (own.InlineCode !== undefined && own.CodeUri === undefined) delete props.CodeUri;
      if (own.CodeUri !== undefined && own.InlineCode === undefined) delete props.InlineCode;
    }
    if (typeof props.FunctionName === 'string' && !FUNCTION_NAME.test(props.FunctionName)) {
      skip(`"${logicalId}.FunctionName" '${props.FunctionName}' is not a Lambda function name (1-64 letters, digits, - or _).`);
      continue;
    }
    const declared = sam ? declaredAlias(root, here, props.AutoPublishAlias) : { alias: lambdaAliasOf(root, resources, here, logicalId), from: ' (its AWS::Lambda::Alias)' };
    const alias = declared.alias;
    if (alias !== undefined && !ALIAS_NAME.test(alias)) {
      skip(`"${logicalId}.${sam ? 'AutoPublishAlias' : 'Alias'}"${declared.from ?? ''} '${alias}' is not a valid alias name (letters, digits, - or _, not all digits, ≤ 128).`);
      continue;
    }
    const code = sam ? undefined : props.Code;
    const image = props.PackageType === 'Image';
    const inline = sam ? props.InlineCode : code && typeof code === 'object' && !isIntrinsic(code) ? (code as Record<string, unknown>).ZipFile : undefined;
    const preference = sam && alias !== undefined ? deploymentPreferenceOf(root, resources, here, globals.DeploymentPreference, own.DeploymentPreference) : undefined;
    const base = {
      source: 'template.yaml' as const,
      file,
      workspaceRoot,
      logicalId,
      functionName: typeof props.FunctionName === 'string' ? props.FunctionName : undefined,
      ...(alias !== undefined ? { alias } : {}),
      ...(preference ? { deploymentPreference: preference } : {}),
      ignore: [],
    };
    if (image) {
      // Built from its DockerContext (SAM's Metadata), else from the template's folder; nothing
      // of it is packaged: it is deployed by image URI.
      const meta = (res.Metadata ?? {}) as Record<string, unknown>;
      const context = typeof meta.DockerContext === 'string' ? meta.DockerContext : '.';
      if (meta.DockerContext !== undefined && typeof meta.DockerContext !== 'string') {
        skip(`"${logicalId}.Metadata.DockerContext" is ${isIntrinsic(meta.DockerContext) ? `an intrinsic (${describeValue(meta.DockerContext)})` : 'not a string'}: name a folder of the workspace.`);
        continue;
      }
      let codeDir: string;
      try {
        codeDir = templatePath(workspaceRoot, templateDir, context, `${logicalId}.Metadata.DockerContext`);
      } catch (e) {
        skip((e as Error).message);
        continue;
      }
      if (!statOrUndefined(codeDir)?.isDirectory()) {
        skip(`"${logicalId}.Metadata.DockerContext" '${context}' is not a folder (relative to ${folderLabel(workspaceRoot, templateDir)}).`);
        continue;
      }
      const imageUri = sam ? props.ImageUri : code && typeof code === 'object' ? (code as Record<string, unknown>).ImageUri : undefined;
      functions.push({
        ...base,
        packageType: 'Image',
        codeDir,
        ...(typeof meta.Dockerfile === 'string' ? { dockerfile: meta.Dockerfile } : {}),
        ...(typeof imageUri === 'string' ? { imageUri } : {}),
      });
      continue;
    }
    const suggested = sampleEvent(templateDir, workspaceRoot);
    const fn = {
      ...base,
      ...(suggested ? { testEventFile: suggested, testEventSuggested: true } : {}),
      handler: typeof props.Handler === 'string' ? props.Handler : undefined,
      runtime: typeof props.Runtime === 'string' ? props.Runtime : undefined,
    };
    if (inline !== undefined) {
      const why = inlineRefusal(`${logicalId}.${sam ? 'InlineCode' : 'Code.ZipFile'}`, inline, props.Runtime);
      if (why) skip(why);
      else functions.push({ ...fn, codeDir: templateDir, inlineCode: inline as string });
      continue;
    }
    const elsewhere = sam ? nonLocalCodeUri(logicalId, props.CodeUri) : nonLocalCode(logicalId, code);
    if (elsewhere) {
      skip(elsewhere);
      continue;
    }
    const key = sam ? 'CodeUri' : 'Code';
    const codeUri = (sam ? (props.CodeUri as string | undefined) : (code as string)) ?? '.';
    let codeDir: string;
    try {
      codeDir = templatePath(workspaceRoot, templateDir, codeUri, `${logicalId}.${key}`);
    } catch (e) {
      skip((e as Error).message);
      continue;
    }
    // A file (a built archive) is left to packaging, which says what it makes of it.
    if (!fs.existsSync(codeDir)) {
      skip(`"${logicalId}.${key}" '${codeUri}' does not exist (relative to ${folderLabel(workspaceRoot, templateDir)})${missingHint(codeDir)}.`);
      continue;
    }
    functions.push({ ...fn, codeDir, ...(sam ? buildMethodOf(res) : {}) });
  }
  return { functions, skipped };
}

/**
 * A nested application's template, read with the parameters it is given: its discovery, or why
 * it is not followed (remote, outside the workspace, missing, a cycle, too deep, unreadable).
 */
function readNested(
  file: string,
  workspaceRoot: string,
  parent: Record<string, unknown>,
  scope: TemplateScope,
  self: string,
  logicalId: string,
  type: string,
  props: Record<string, unknown>,
): WorkspaceDiscovery | string {
  const keyName = type === 'AWS::Serverless::Application' ? 'Location' : 'TemplateURL';
  const location = props[keyName];
  const what = type === 'AWS::Serverless::Application' ? 'nested application' : 'nested stack';
  if (location === undefined) return `${logicalId} (${type}) has no ${keyName}.`;
  if (isIntrinsic(location)) return `"${logicalId}.${keyName}" is an intrinsic (${describeValue(location)}): only a template file of the workspace is followed.`;
  if (typeof location !== 'string') return `${logicalId} is a ${what} from the Serverless Application Repository (ApplicationId): its functions are not in the workspace.`;
  if (/^(s3|https?):\/\//i.test(location)) return `"${logicalId}.${keyName}" '${location}' is a remote template: only a template file of the workspace is followed.`;
  let nestedFile: string;
  try {
    nestedFile = templatePath(workspaceRoot, path.dirname(file), location, `${logicalId}.${keyName}`);
  } catch (e) {
    return (e as Error).message;
  }
  const st = statOrUndefined(nestedFile);
  if (!st?.isFile()) return `"${logicalId}.${keyName}" '${location}' is not a template file (relative to ${folderLabel(workspaceRoot, path.dirname(file))}).`;
  const real = realpathOrUndefined(nestedFile) ?? nestedFile;
  const chain = [...scope.chain, self];
  if (chain.includes(real)) return `"${logicalId}.${keyName}" '${location}' nests a template that nests it: the cycle is not followed.`;
  if (chain.length > MAX_NESTING) return `"${logicalId}.${keyName}" '${location}' is nested more than ${MAX_NESTING} deep: not followed.`;
  const parameters: Record<string, string | undefined> = {};
  const given = props.Parameters;
  if (given && typeof given === 'object' && !Array.isArray(given) && !isIntrinsic(given)) {
    for (const [name, v] of Object.entries(given as Record<string, unknown>)) {
      // A literal, or `!Ref Param` passing the parent's own parameter down; anything else is
      // known only at deploy time (and the nested template's Default does not apply then).
      const ref = refName(v);
      parameters[name] = typeof v === 'string' || typeof v === 'number' ? String(v) : ref === undefined ? undefined : parameterValue(parent, scope, ref);
    }
  }
  // Read here, well or not: not read again as a template of its own.
  scope.read.add(real);
  // The same template given the same parameters declares the same functions: read once.
  const seenAs = JSON.stringify([real, Object.keys(parameters).sort().map((k) => [k, parameters[k] ?? null])]);
  const budget = scope.budget;
  if (budget.reads >= MAX_NESTED_TEMPLATES) return `"${logicalId}.${keyName}" '${location}' is not followed: the workspace's templates nest more than ${MAX_NESTED_TEMPLATES} templates in all.`;
  const known = budget.done.get(seenAs);
  if (known !== undefined) {
    // As many nested stacks again as its first reading found.
    if (budget.reads + known.stacks > MAX_NESTED_TEMPLATES) return `"${logicalId}.${keyName}" '${location}' is not followed: the workspace's templates nest more than ${MAX_NESTED_TEMPLATES} templates in all.`;
    budget.reads += known.stacks;
    return known.found;
  }
  if (budget.chars + st.size > MAX_NESTED_CHARS) return `"${logicalId}.${keyName}" '${location}' is not followed: the workspace's nested templates hold more than ${MAX_NESTED_CHARS / 1024 / 1024} MB in all.`;
  const readsBefore = budget.reads++;
  let found: WorkspaceDiscovery | string;
  try {
    const text = readWorkspaceFile(nestedFile, MAX_TEMPLATE_CHARS, workspaceRoot);
    budget.chars += text.length;
    found = readTemplate(nestedFile, text, workspaceRoot, { parameters, chain, read: scope.read, budget });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const rel = slashedRelative(workspaceRoot, nestedFile);
    found = `the ${what}'s template ${rel}${e.line ? `:${e.line}` : ''} cannot be read: ${e.message.replace(/^[^:]+(?::\d+){0,2}: /, '')}`;
  }
  budget.done.set(seenAs, { found, stacks: budget.reads - readsBefore });
  return found;
}

/** A SAM function's Metadata.BuildMethod, when it names one. */
function buildMethodOf(res: Record<string, unknown>): { buildMethod?: string } {
  const method = (res.Metadata as Record<string, unknown> | undefined)?.BuildMethod;
  return typeof method === 'string' && method ? { buildMethod: method } : {};
}

/** The functions a SAM template declares that can be offered (see readSamTemplate for the others). */
export function parseSamTemplate(file: string, rawText: string, workspaceRoot: string): WorkspaceFunction[] {
  return readSamTemplate(file, rawText, workspaceRoot).functions;
}

/**
 * The line of `  LogicalId:` under the top-level `Resources:`, read from the text: a key indented
 * as the first resource is (a property of the same name, deeper, is not it); quoted or not.
 */
function lineOfYamlResource(text: string, logicalId: string): number | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^(["']?)Resources\1\s*:(\s|$)/.test(l));
  if (start < 0) return undefined;
  let indent: number | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?\r?$/.test(line)) continue;
    const own = /^\s*/.exec(line)![0].length;
    if (own === 0) return undefined;
    indent ??= own;
    if (own !== indent) continue;
    const m = /^\s+(["']?)(.*?)\1\s*:(\s|$)/.exec(line);
    if (m && m[2] === logicalId) return i + 1;
  }
  return undefined;
}

/** How deep below the workspace root a SAM template is looked for (`services/api/template.yaml` is 2). */
const TEMPLATE_SEARCH_DEPTH = 3;
/** Folders that hold copies, dependencies or build output, never the project's own template. */
const NOT_SEARCHED = new Set(['node_modules', '.aws-sam', 'cdk.out']);
/** Enough for any real repository's top levels; a pathological tree is not walked for ever. */
const MAX_SEARCHED_FOLDERS = 2000;

/** The SAM template of a folder: the first of template.yaml, template.yml, template.json there. */
function templateIn(dir: string): string | undefined {
  return SAM_FILES.map((name) => path.join(dir, name)).find((f) => fs.existsSync(f));
}

/** Templates in subfolders (≤ TEMPLATE_SEARCH_DEPTH deep, symlinks not followed), in path order. */
function templatesBelow(workspaceRoot: string): string[] {
  const found: string[] = [];
  let searched = 0;
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const subfolders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !NOT_SEARCHED.has(e.name)).map((e) => e.name).sort();
    for (const name of subfolders) {
      if (++searched > MAX_SEARCHED_FOLDERS) return;
      const sub = path.join(dir, name);
      const tpl = templateIn(sub);
      if (tpl) found.push(tpl);
      if (depth < TEMPLATE_SEARCH_DEPTH) walk(sub, depth + 1);
    }
  };
  walk(workspaceRoot, 1);
  return found;
}

/**
 * The workspace's functions: `lambda-canary.json` wins (each of its `functions`, and its top-level
 * `rollout` as the plan); failing that, the SAM template at the
 * root; failing that, every SAM template in subfolders (CodeUri relative to each template's
 * folder, as SAM reads it). A function that cannot be offered is in `skipped`, with why; a
 * config or the one template that cannot be read at all throws a ConfigError (of several
 * templates in subfolders, one that cannot be read is in `skipped`).
 */
export function discoverWorkspace(workspaceRoot: string): WorkspaceDiscovery {
  const cfg = path.join(workspaceRoot, CONFIG_FILE);
  if (fs.existsSync(cfg)) {
    const { functions, plan, stages } = readConfigFile(cfg, readWorkspaceFile(cfg, MAX_CONFIG_BYTES, workspaceRoot), workspaceRoot);
    return { functions, skipped: [], ...(plan ? { plan } : {}), ...(stages ? { stages } : {}) };
  }
  const atRoot = templateIn(workspaceRoot);
  const templates = atRoot ? [atRoot] : templatesBelow(workspaceRoot);
  // A template another one nests is read as its part (with the parameters it is given), not again on its own.
  const read: Array<{ real: string; found: WorkspaceDiscovery }> = [];
  const nestedSomewhere = new Set<string>();
  const budget = newBudget();
  for (const f of templates) {
    const real = realpathOrUndefined(f) ?? path.resolve(f);
    if (nestedSomewhere.has(real)) continue;
    const scope: TemplateScope = { parameters: {}, chain: [], read: new Set(), budget };
    let found: WorkspaceDiscovery;
    try {
      found = readTemplate(f, readWorkspaceFile(f, MAX_TEMPLATE_CHARS, workspaceRoot), workspaceRoot, scope);
    } catch (e) {
      // One template of several (a repository of projects) that cannot be read hides none of the others.
      if (!(e instanceof ConfigError) || templates.length === 1) throw e;
      found = { functions: [], skipped: [{ file: f, name: path.basename(f), reason: `cannot be read: ${e.message.replace(/^[^:]+(?::\d+){0,2}: /, '')}`, ...(e.line ? { line: e.line } : {}) }] };
    }
    scope.read.delete(real);
    for (const n of scope.read) nestedSomewhere.add(n);
    read.push({ real, found });
  }
  const out: WorkspaceDiscovery = { functions: [], skipped: [] };
  for (const r of read) {
    if (nestedSomewhere.has(r.real)) continue;
    append(out.functions, r.found.functions);
    append(out.skipped, r.found.skipped);
  }
  return out;
}

/**
 * What the folders of a (multi-root) workspace offer, each folder discovered on its own: a
 * folder whose config or template cannot be read is `broken`, and the others are still offered.
 */
export function discoverFolders(roots: readonly string[]): WorkspaceDiscovery & { broken: ConfigError[] } {
  const out: WorkspaceDiscovery & { broken: ConfigError[] } = { functions: [], skipped: [], broken: [] };
  for (const root of roots) {
    try {
      const d = discoverWorkspace(root);
      append(out.functions, d.functions);
      append(out.skipped, d.skipped);
    } catch (e) {
      // Whatever goes wrong in one folder hides none of the others.
      out.broken.push(e instanceof ConfigError ? e : new ConfigError(root, `cannot be discovered: ${(e as Error).message}`));
    }
  }
  return out;
}

/** The functions discoverWorkspace offers. An empty list means "offer to create lambda-canary.json". */
export function discoverFunctions(workspaceRoot: string): WorkspaceFunction[] {
  return discoverWorkspace(workspaceRoot).functions;
}

/** Far more than any real lambda-canary.json. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads a workspace file as UTF-8 text, refusing what is no regular file (a FIFO would block the
 * read for ever, a device would never end) or is far too big to be what it claims.
 */
export function readWorkspaceFile(file: string, maxBytes: number, workspaceRoot?: string): string {
  if (workspaceRoot !== undefined) {
    try {
      inside(workspaceRoot, path.relative(workspaceRoot, file), path.basename(file));
    } catch (e) {
      // Its text would end up in error messages: a link to a file elsewhere is not read.
      throw new ConfigError(file, (e as Error).message.replace(/^"[^"]*": '[^']*' /, ''));
    }
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new ConfigError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  if (!st.isFile()) throw new ConfigError(file, `is ${st.isDirectory() ? 'a folder' : 'not a regular file'}: expected a text file.`);
  if (st.size > maxBytes) throw new ConfigError(file, `is ${(st.size / 1024 / 1024).toFixed(1)} MB; more than ${(maxBytes / 1024 / 1024).toFixed(0)} MB is not read.`);
  return fs.readFileSync(file, 'utf8');
}

/** The content of a new `lambda-canary.json` for a picked function. */
export function newConfigText(functionName: string, alias = 'prod', handler?: string): string {
  const cfg: Record<string, unknown> = { functionName, codeFolder: '.', alias };
  if (handler) cfg.handler = handler;
  cfg.ignore = ['test/**', '**/*.test.js'];
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

/**
 * Creates lambda-canary.json at the workspace root for a deployed function, its handler read from
 * the function's $LATEST; an existing file is never overwritten (EEXIST). Returns the file's path.
 */
export async function createConfigFile(lambda: LambdaSend, root: string, functionName: string, signal?: AbortSignal): Promise<string> {
  const cfg = await getVersion(lambda, functionName, '$LATEST', signal);
  const file = path.join(root, CONFIG_FILE);
  fs.writeFileSync(file, newConfigText(functionName, 'prod', cfg.Handler), { flag: 'wx' });
  return file;
}

/** Lambda's limit for a synchronous invocation's payload. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/**
 * The workspace's test event, parsed; undefined when it names none. Read with the same checks
 * as when the config was parsed (it may have changed since): a file inside the workspace, not a
 * folder, not over Lambda's 6 MB payload limit, valid JSON (a UTF-8 BOM is accepted).
 */
export function readTestEvent(fn: WorkspaceFunction): unknown {
  if (!fn.testEventFile) return undefined;
  const rel = slashedRelative(fn.workspaceRoot, fn.testEventFile);
  const refuse = (why: string, cause?: unknown) => new OperationError(`The test event ${rel} ${why}`, { step: 'Smoke test', state: 'Nothing was changed.', cause: cause, kind: 'validation' });
  try {
    inside(fn.workspaceRoot, rel, 'testEvent');
  } catch (e) {
    throw refuse(`is not usable: ${(e as Error).message}`);
  }
  let text: string;
  try {
    text = readWorkspaceFile(fn.testEventFile, MAX_EVENT_BYTES);
  } catch (e) {
    throw refuse((e as Error).message.replace(/^[^:]+: /, ''), e);
  }
  try {
    return JSON.parse(stripBom(text));
  } catch (e) {
    throw refuse(`is not valid JSON: ${(e as Error).message}`);
  }
}
