import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import jsTokens from 'js-tokens';
import { handlerModuleCandidates } from './runtimes';

/**
 * A pre-flight of what a package needs at run time and does not hold: a Node.js handler's
 * imports that no node_modules of the code folder provides, a Python requirements.txt that is
 * not vendored. A warning, never a refusal: the check sees only what it can see (a package
 * found through NODE_PATH or a layer is not), and a wrong refusal would block a good deploy.
 */

// ---- Node.js --------------------------------------------------------------------------------

/** A string literal's value ('x', "x", or `x` without ${}), or undefined for any other token. */
function literalValue(t: { type: string; value: string } | undefined): string | undefined {
  if (!t || !['StringLiteral', 'NoSubstitutionTemplate'].includes(t.type) || t.value.length < 2) return undefined;
  const body = t.value.slice(1, -1);
  // A specifier is a package name or a path: an escape in one is rare enough to leave unread.
  return body.includes('\\') ? undefined : body;
}

/**
 * Every module specifier a JavaScript source names: `import … from 'x'`, `export … from 'x'`,
 * `import 'x'`, `import('x')`, `require('x')`. Read from its tokens (js-tokens), so that text in
 * strings, templates and comments is never taken for an import; a source that is not valid
 * JavaScript still gives what it names.
 */
export function moduleSpecifiers(source: string): string[] {
  const tokens = [...jsTokens(source)].filter((t) => !['WhiteSpace', 'LineTerminatorSequence', 'MultiLineComment', 'SingleLineComment', 'HashbangComment'].includes(t.type));
  const out: string[] = [];
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    // `obj.require(…)`, `x.import`, `obj.from`: a property of that name, not the keyword or the global.
    if (prev?.type === 'Punctuator' && (prev.value === '.' || prev.value === '?.')) return;
    const next = tokens[i + 1];
    let spec: string | undefined;
    if (t.type !== 'IdentifierName') return;
    if ((t.value === 'require' || t.value === 'import') && next?.value === '(' && tokens[i + 3]?.value === ')') spec = literalValue(tokens[i + 2]);
    else if (t.value === 'import' || t.value === 'from') spec = literalValue(next);
    if (spec !== undefined) out.push(spec);
  });
  return out;
}

/** The package a bare specifier names ('lodash/fp' → lodash, '@aws-sdk/client-s3/x' → @aws-sdk/client-s3); undefined for relative, absolute, URL and '#' imports. */
export function packageName(specifier: string): string | undefined {
  if (specifier === '' || specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(specifier) || specifier.includes('\\')) return undefined;
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.length >= 2 && parts[0].length > 1 && parts[1] ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0];
}

/** The Node.js major version of a runtime ('nodejs20.x' → 20); undefined for another runtime. */
function nodeMajor(runtime: string | undefined): number | undefined {
  const m = /^nodejs(\d+)/.exec(runtime ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether the Lambda runtime itself provides the package: the AWS SDK for JavaScript v3
 * (`@aws-sdk/*`) on nodejs18.x and later, v2 (`aws-sdk`) on nodejs16.x and earlier. An unknown
 * runtime is given the benefit of the doubt for both.
 */
export function providedByRuntime(name: string, runtime: string | undefined): boolean {
  const major = nodeMajor(runtime);
  if (name.startsWith('@aws-sdk/')) return major === undefined || major >= 18;
  if (name === 'aws-sdk') return major === undefined || major <= 16;
  return false;
}

/**
 * The packages `specifiers` name that are neither Node.js builtins ('fs', 'node:fs',
 * 'fs/promises') nor provided by the runtime nor for which `has(name)` is true, sorted, each once.
 */
export function missingPackages(specifiers: readonly string[], runtime: string | undefined, has: (name: string) => boolean): string[] {
  const missing = new Set<string>();
  for (const s of specifiers) {
    if (s.startsWith('node:') || isBuiltin(s)) continue;
    const name = packageName(s);
    if (!name || isBuiltin(name) || providedByRuntime(name, runtime) || has(name)) continue;
    missing.add(name);
  }
  return [...missing].sort();
}

/** Larger sources are not read for imports (a bundle this size rarely names one it lacks): no warning for them. */
const MAX_SOURCE_BYTES = 1024 * 1024;

function readSource(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size <= MAX_SOURCE_BYTES ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** A relative import's file: the path as written, or with .js/.mjs/.cjs, or its index.js. */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  return [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, path.join(base, 'index.js')].find((f) => {
    try {
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

function isWithin(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export interface DependencyCheckInput {
  /** The folder that is packaged (the code folder, or the build output). */
  dir: string;
  runtime?: string;
  handler?: string;
  /** How the folder is named in the warning, e.g. 'hello-world' or '.aws-sam/build/HelloWorldFunction'. */
  label: string;
  /** What to suggest beside installing in place: e.g. 'sam build HelloWorldFunction'. */
  build?: string;
  /** The folder is build output (.aws-sam/build/…): what it lacks is the build's to add, not installed in place. */
  built?: boolean;
}

/**
 * The Node.js handler's imports (and those of the files it imports relatively, one level) that
 * no `node_modules/<name>` provides between the importing file's folder and the package root.
 */
export function missingNodePackages(input: DependencyCheckInput): { file: string; missing: string[] } | undefined {
  if (!input.handler || nodeMajor(input.runtime) === undefined) return undefined;
  const root = path.resolve(input.dir);
  const handlerFile = handlerModuleCandidates(input.handler)
    .map((c) => path.join(root, c))
    .find((f) => readSource(f) !== undefined);
  if (!handlerFile) return undefined;
  const has = (fromFile: string) => (name: string) => {
    for (let dir = path.dirname(fromFile); isWithin(root, dir); dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'node_modules', name))) return true;
      if (dir === root) break;
    }
    return false;
  };
  const handlerSpecifiers = moduleSpecifiers(readSource(handlerFile)!);
  const missing = new Set(missingPackages(handlerSpecifiers, input.runtime, has(handlerFile)));
  for (const s of handlerSpecifiers) {
    if (!s.startsWith('./') && !s.startsWith('../')) continue;
    const file = resolveRelative(handlerFile, s);
    const text = file && isWithin(root, file) && !file.split(path.sep).includes('node_modules') ? readSource(file) : undefined;
    if (text === undefined) continue;
    for (const name of missingPackages(moduleSpecifiers(text), input.runtime, has(file!))) missing.add(name);
  }
  return { file: path.relative(root, handlerFile).split(path.sep).join('/'), missing: [...missing].sort() };
}

// ---- Python ---------------------------------------------------------------------------------

/** PEP 503: lower case, runs of '-', '_' and '.' as one '-'. */
export function normalizePythonName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * The distribution names a requirements.txt asks for, normalised: versions, extras and markers
 * stripped; options (-r, -e, -c, --index-url), comments, URLs and paths ignored.
 */
export function requirementNames(text: string): string[] {
  const out = new Set<string>();
  // A trailing backslash continues the line.
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line || line.startsWith('-')) continue;
    const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[3];
    // A URL or a path that merely starts with a letter: 'git+https://…', 'foo/bar.whl', 'c:\…'.
    if (/^[+:/\\]/.test(rest) || /\.(?:whl|zip|tgz|tar\.gz|tar\.bz2)$/i.test(m[1])) continue;
    if (rest && !/^(?:[<>=!~;@,(]|$)/.test(rest)) continue;
    out.add(normalizePythonName(m[1]));
  }
  return [...out].sort();
}

/** Runtime-provided: the Python runtimes include the AWS SDK (boto3) and what it depends on. */
const PYTHON_RUNTIME_PACKAGES = new Set(['boto3', 'botocore', 's3transfer', 'jmespath', 'urllib3', 'python-dateutil', 'six']);

/** The module a distribution is imported as, for the common ones whose names differ (normalised distribution name → module). */
const PYTHON_MODULE_OF: Readonly<Record<string, string>> = {
  pyyaml: 'yaml',
  beautifulsoup4: 'bs4',
  'python-dateutil': 'dateutil',
  pillow: 'PIL',
  'scikit-learn': 'sklearn',
  'opencv-python': 'cv2',
  'opencv-python-headless': 'cv2',
  'psycopg2-binary': 'psycopg2',
  'aws-psycopg2': 'psycopg2',
  attrs: 'attr',
  protobuf: 'google',
  pyjwt: 'jwt',
  'python-jose': 'jose',
  'python-dotenv': 'dotenv',
  'opensearch-py': 'opensearchpy',
  'google-api-python-client': 'googleapiclient',
  pymupdf: 'fitz',
  'python-docx': 'docx',
  'mysql-connector-python': 'mysql',
};

/** The top-level modules a Python source imports: `import a.b, c as d`, `from e.f import g`, at any indentation (relative imports left out). */
export function pythonImports(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(/^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import\b|import[ \t]+([A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*))/gm)) {
    if (m[1]) out.add(m[1]);
    else for (const part of m[2].split(',')) out.add(part.trim().split(/[.\s]/)[0]);
  }
  return [...out].sort();
}

/** The module a requirement is imported as, normalised ('PyYAML' → 'yaml', 'foo-bar' → 'foo-bar', to compare with normalised module names). */
function moduleOfRequirement(name: string): string {
  return normalizePythonName(PYTHON_MODULE_OF[name] ?? name);
}

/** Past this many .py files the scan stops: a function's own sources are far fewer. */
const MAX_PYTHON_FILES = 2000;

/** The normalised top-level modules the package's own .py files import (`installed`: top folders of vendored distributions, left out with caches and virtual envs). */
function importedPythonModules(dir: string, installed: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  let files = 0;
  const walk = (d: string, top: boolean) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (files >= MAX_PYTHON_FILES) return;
      const abs = path.join(d, e.name);
      if (e.isDirectory()) {
        if (PYTHON_NOT_SOURCES.has(e.name) || /\.(?:dist-info|egg-info)$/.test(e.name) || (top && installed.has(normalizePythonName(e.name)))) continue;
        walk(abs, false);
      } else if (e.isFile() && e.name.endsWith('.py')) {
        files++;
        const text = readSource(abs);
        if (text !== undefined) for (const m of pythonImports(text)) out.add(normalizePythonName(m));
      }
    }
  };
  walk(dir, true);
  return out;
}

const PYTHON_NOT_SOURCES = new Set(['__pycache__', '.venv', 'venv', '.pytest_cache', '.mypy_cache', '.tox', '.aws-sam', '.git', 'node_modules', 'tests', 'test']);

/** The normalised names of what is vendored at the top of a Python package: `<name>/`, `<name>.py`, `<name>-*.dist-info`, `<name>-*.egg-info`. */
export function vendoredPythonNames(entries: ReadonlyArray<{ name: string; dir: boolean }>): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    const meta = /^(.+?)-[^-]*\.(?:dist-info|egg-info)$/.exec(e.name) ?? /^(.+)\.egg-info$/.exec(e.name);
    if (meta) out.add(normalizePythonName(meta[1]));
    else if (e.dir) out.add(normalizePythonName(e.name));
    else if (e.name.endsWith('.py')) out.add(normalizePythonName(e.name.slice(0, -3)));
  }
  return out;
}

/** The requirements of the folder's requirements.txt that its .py files import and that are neither vendored in it nor provided by the runtime. */
export function unvendoredPythonPackages(input: Pick<DependencyCheckInput, 'dir' | 'runtime'>): string[] | undefined {
  if (!input.runtime?.startsWith('python')) return undefined;
  const text = readSource(path.join(input.dir, 'requirements.txt'));
  if (text === undefined) return undefined;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(input.dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const vendored = vendoredPythonNames(entries.map((e) => ({ name: e.name, dir: e.isDirectory() })));
  const wanted = requirementNames(text).filter((n) => !PYTHON_RUNTIME_PACKAGES.has(n) && !vendored.has(n));
  if (!wanted.length) return [];
  // Only what the code imports: a requirement nothing imports (the `requests` sam init adds) fails nothing.
  const installed = new Set(entries.flatMap((e) => {
    const m = /^(.+?)-[^-]*\.(?:dist-info|egg-info)$/.exec(e.name);
    return m ? [normalizePythonName(m[1]), moduleOfRequirement(normalizePythonName(m[1]))] : [];
  }));
  const imported = importedPythonModules(input.dir, installed);
  return wanted.filter((n) => imported.has(moduleOfRequirement(n)));
}

// ---- The warning ------------------------------------------------------------------------------

const list = (names: string[]) => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

/** What the package lacks, as warnings for the log and the outcome; empty when nothing is missing (or nothing could be checked). */
export function dependencyWarnings(input: DependencyCheckInput): string[] {
  const out: string[] = [];
  const node = missingNodePackages(input);
  if (node && node.missing.length && input.built) {
    out.push(
      `${node.file} in ${input.label} imports ${list(node.missing)}, which the build did not put in the package: the function would fail with "Cannot find module". ` +
        `Check that package.json lists ${node.missing.length === 1 ? 'it' : 'them'} under "dependencies" (and, with esbuild, that Metadata.BuildProperties.External does not leave ${node.missing.length === 1 ? 'it' : 'them'} out), then run \`${input.build ?? 'sam build'}\` again.`,
    );
  } else if (node && node.missing.length) {
    const them = node.missing.length === 1 ? 'it is' : 'they are';
    out.push(
      `${node.file} imports ${list(node.missing)}, but ${them} not in the package (no node_modules/${node.missing[0]} in ${input.label}): the function would fail with "Cannot find module". ` +
        `Run \`npm install\` in ${input.label}${input.build ? `, or \`${input.build}\`` : ''}, then publish again.`,
    );
  }
  const python = unvendoredPythonPackages(input);
  if (python && python.length && input.built) {
    out.push(
      `requirements.txt lists ${list(python)}, which ${python.length === 1 ? 'is' : 'are'} not in the build output ${input.label}: the function would fail with "No module named". Run \`${input.build ?? 'sam build'}\` again and check its output.`,
    );
  } else if (python && python.length) {
    const them = python.length === 1 ? 'is' : 'are';
    out.push(
      `requirements.txt lists ${list(python)}, which ${them} not vendored in the package (no ${python[0]}/ or ${python[0]}-*.dist-info in ${input.label}): the function would fail with "No module named". ` +
        `Run ${input.build ? `\`${input.build}\` (it installs requirements.txt into the build), or ` : ''}\`pip install -r requirements.txt -t .\` in ${input.label}, then publish again.`,
    );
  }
  return out;
}
