import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParseError } from 'jsonc-parser';
import { parse as parseJsonc } from 'jsonc-parser';
import type { ScalarTag, CollectionTag } from 'yaml';
import { isMap, isScalar, parseDocument } from 'yaml';

/** A Lambda function found in the workspace: what to package and where to deploy it. */
export interface WorkspaceFunction {
  /** Where it was declared. */
  source: 'lambda-canary.json' | 'template.yaml';
  file: string;
  /** The deployed function's name; unknown when a SAM template computes it (pick it then). */
  functionName?: string;
  /** SAM logical id. */
  logicalId?: string;
  /** Absolute path of the folder to package. */
  codeDir: string;
  handler?: string;
  runtime?: string;
  /** The alias deploys target by default. */
  alias: string;
  /** Build command as argv (never run through a shell). */
  build?: string[];
  ignore: string[];
  /** Absolute path of a JSON event used for the smoke test and probes. */
  testEventFile?: string;
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
export const SAM_FILES = ['template.yaml', 'template.yml'];

const CONFIG_KEYS: Record<string, 'string' | 'string[]' | 'string|string[]'> = {
  $schema: 'string',
  functionName: 'string',
  codeFolder: 'string',
  handler: 'string',
  runtime: 'string',
  alias: 'string',
  build: 'string|string[]',
  ignore: 'string[]',
  testEvent: 'string',
};

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;

/** Resolves `rel` inside `root`; anything escaping the workspace is refused. */
function inside(root: string, rel: string, file: string, key: string): string {
  const abs = path.resolve(root, rel);
  const r = path.resolve(root);
  if (abs !== r && !abs.startsWith(r + path.sep)) throw new ConfigError(file, `"${key}": '${rel}' points outside the workspace folder.`);
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

/** Parses and validates `lambda-canary.json`. */
export function parseConfigFile(file: string, text: string, workspaceRoot: string): WorkspaceFunction {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // Node's "Unexpected token" messages carry no position: find it.
    const at = pos ? Number(pos[1]) : jsonErrorOffset(text);
    const lc = at === undefined ? undefined : lineCol(text, Math.min(at, text.length));
    throw new ConfigError(file, `invalid JSON (${msg.replace(/ (?:in|after) JSON at position \d+.*$/, '').replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')})`, lc?.line, lc?.column);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, 'must hold a JSON object, e.g. { "functionName": "my-fn" }.');
  const obj = raw as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    const type = CONFIG_KEYS[key];
    const at = lineOfKey(text, key);
    if (!type) throw new ConfigError(file, `unknown key "${key}" (known: ${Object.keys(CONFIG_KEYS).filter((k) => k !== '$schema').join(', ')}).`, at);
    const ok =
      (type !== 'string[]' && typeof value === 'string') ||
      (type.includes('string[]') && Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw new ConfigError(file, `"${key}" must be ${type === 'string' ? 'a string' : type === 'string[]' ? 'an array of strings' : 'a string or an array of strings'}.`, at);
  }
  const functionName = obj.functionName as string | undefined;
  if (functionName === undefined) throw new ConfigError(file, '"functionName" is required: the name of the deployed Lambda function.');
  if (!FUNCTION_NAME.test(functionName)) {
    throw new ConfigError(file, `"functionName" '${functionName}' is not a Lambda function name (1-64 letters, digits, - or _).`, lineOfKey(text, 'functionName'));
  }
  const alias = (obj.alias as string | undefined) ?? 'prod';
  if (!ALIAS_NAME.test(alias)) throw new ConfigError(file, `"alias" '${alias}' is not a valid alias name (letters, digits, - or _, not all digits, ≤ 128).`, lineOfKey(text, 'alias'));
  let codeDir: string;
  try {
    codeDir = inside(workspaceRoot, (obj.codeFolder as string | undefined) ?? '.', file, 'codeFolder');
  } catch (e) {
    throw new ConfigError(file, (e as Error).message.replace(/^[^:]+: /, ''), lineOfKey(text, 'codeFolder'));
  }
  if (!fs.existsSync(codeDir) || !fs.statSync(codeDir).isDirectory()) {
    throw new ConfigError(file, `"codeFolder" '${String(obj.codeFolder ?? '.')}' is not a folder in the workspace.`, lineOfKey(text, 'codeFolder'));
  }
  const testEvent = obj.testEvent as string | undefined;
  let testEventFile: string | undefined;
  try {
    testEventFile = testEvent === undefined ? undefined : inside(workspaceRoot, testEvent, file, 'testEvent');
  } catch (e) {
    throw new ConfigError(file, (e as Error).message.replace(/^[^:]+: /, ''), lineOfKey(text, 'testEvent'));
  }
  if (testEventFile && !fs.existsSync(testEventFile)) throw new ConfigError(file, `"testEvent" '${testEvent}' does not exist.`, lineOfKey(text, 'testEvent'));
  const build = obj.build === undefined ? undefined : Array.isArray(obj.build) ? (obj.build as string[]) : splitCommand(obj.build as string);
  if (build && build.length === 0) throw new ConfigError(file, '"build" is empty.', lineOfKey(text, 'build'));
  return {
    source: 'lambda-canary.json',
    file,
    functionName,
    codeDir,
    handler: obj.handler as string | undefined,
    runtime: obj.runtime as string | undefined,
    alias,
    build,
    ignore: (obj.ignore as string[] | undefined) ?? [],
    testEventFile,
  };
}

/** The offset of the first syntax error in `text` as strict JSON, or undefined when there is none. */
function jsonErrorOffset(text: string): number | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset;
}

function lineOfKey(text: string, key: string): number | undefined {
  const i = text.indexOf(`"${key}"`);
  return i < 0 ? undefined : lineCol(text, i).line;
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

/** YAML tags for every short-form intrinsic, on scalars, sequences and maps. */
const cfnTags: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((fn) => [
  { tag: `!${fn}`, resolve: (v: string) => new Intrinsic(fn, v) } as ScalarTag,
  { tag: `!${fn}`, collection: 'seq', resolve: (v: unknown) => new Intrinsic(fn, (v as { toJSON(): unknown }).toJSON()) } as unknown as CollectionTag,
  { tag: `!${fn}`, collection: 'map', resolve: (v: unknown) => new Intrinsic(fn, (v as { toJSON(): unknown }).toJSON()) } as unknown as CollectionTag,
]);

/** The functions a SAM template declares (AWS::Serverless::Function with a local CodeUri). */
export function parseSamTemplate(file: string, text: string, workspaceRoot: string): WorkspaceFunction[] {
  const doc = parseDocument(text, { customTags: cfnTags, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(file, `invalid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '')}`, e.linePos?.[0].line, e.linePos?.[0].col);
  }
  let root: Record<string, unknown> | null;
  try {
    root = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
  } catch (e) {
    // e.g. a "billion laughs" of nested aliases: refused before it is expanded.
    throw new ConfigError(file, `invalid YAML: ${(e as Error).message}`);
  }
  if (!root || typeof root !== 'object') throw new ConfigError(file, 'is empty or not a mapping.');
  const resources = root.Resources as Record<string, Record<string, unknown>> | undefined;
  if (!resources || typeof resources !== 'object') throw new ConfigError(file, 'has no Resources section.');
  if (Array.isArray(resources) || resources instanceof Intrinsic) throw new ConfigError(file, '"Resources" must be a mapping of logical ids to resources.');
  const globals = ((root.Globals as Record<string, unknown> | undefined)?.Function ?? {}) as Record<string, unknown>;
  const templateDir = path.dirname(file);
  const out: WorkspaceFunction[] = [];
  for (const [logicalId, res] of Object.entries(resources)) {
    if (!res || typeof res !== 'object' || res.Type !== 'AWS::Serverless::Function') continue;
    const props = { ...globals, ...((res.Properties as Record<string, unknown> | undefined) ?? {}) };
    const codeUri = props.CodeUri;
    if (props.PackageType === 'Image') continue;
    if (codeUri !== undefined && typeof codeUri !== 'string') continue; // an S3 location or an intrinsic: nothing local to package
    const line = lineOfYamlKey(doc, text, logicalId);
    let codeDir: string;
    try {
      codeDir = inside(workspaceRoot, path.relative(workspaceRoot, path.resolve(templateDir, (codeUri as string | undefined) ?? '.')), file, `${logicalId}.CodeUri`);
    } catch (e) {
      throw new ConfigError(file, (e as Error).message.replace(/^[^:]+: /, ''), line);
    }
    const alias = typeof props.AutoPublishAlias === 'string' ? props.AutoPublishAlias : 'prod';
    if (typeof props.FunctionName === 'string' && !FUNCTION_NAME.test(props.FunctionName)) {
      throw new ConfigError(file, `"${logicalId}.FunctionName" '${props.FunctionName}' is not a Lambda function name (1-64 letters, digits, - or _).`, line);
    }
    if (!ALIAS_NAME.test(alias)) {
      throw new ConfigError(file, `"${logicalId}.AutoPublishAlias" '${alias}' is not a valid alias name (letters, digits, - or _, not all digits, ≤ 128).`, line);
    }
    out.push({
      source: 'template.yaml',
      file,
      logicalId,
      functionName: typeof props.FunctionName === 'string' ? props.FunctionName : undefined,
      codeDir,
      handler: typeof props.Handler === 'string' ? props.Handler : undefined,
      runtime: typeof props.Runtime === 'string' ? props.Runtime : undefined,
      alias,
      ignore: [],
    });
  }
  return out;
}

function lineOfYamlKey(doc: ReturnType<typeof parseDocument>, text: string, logicalId: string): number | undefined {
  const resources = doc.get('Resources', true);
  if (!isMap(resources)) return undefined;
  for (const item of resources.items) {
    if (isScalar(item.key) && item.key.value === logicalId && item.key.range) {
      // Ranges index the source text, not a re-serialisation of the document.
      return lineCol(text, item.key.range[0]).line;
    }
  }
  return undefined;
}

/**
 * The workspace's functions: `lambda-canary.json` wins; failing that, the SAM template's
 * functions. An empty list means "offer to create lambda-canary.json".
 */
export function discoverFunctions(workspaceRoot: string): WorkspaceFunction[] {
  const cfg = path.join(workspaceRoot, CONFIG_FILE);
  if (fs.existsSync(cfg)) return [parseConfigFile(cfg, fs.readFileSync(cfg, 'utf8'), workspaceRoot)];
  for (const name of SAM_FILES) {
    const f = path.join(workspaceRoot, name);
    if (fs.existsSync(f)) return parseSamTemplate(f, fs.readFileSync(f, 'utf8'), workspaceRoot);
  }
  return [];
}

/** The content of a new `lambda-canary.json` for a picked function. */
export function newConfigText(functionName: string, alias = 'prod', handler?: string): string {
  const cfg: Record<string, unknown> = { functionName, codeFolder: '.', alias };
  if (handler) cfg.handler = handler;
  cfg.ignore = ['test/**', '**/*.test.js'];
  return `${JSON.stringify(cfg, null, 2)}\n`;
}
