import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBuild } from './build';
import { dependencyWarnings } from './dependencies';
import { OperationError } from './errors';
import type { OperationContext } from './operationContext';
import { handlerModuleCandidates, javaClassFile, dotnetAssemblyFile } from './runtimes';
import type { WorkspaceFunction } from './workspace';

/**
 * SAM projects whose sources are not what Lambda runs (TypeScript bundled by esbuild, Java
 * compiled by Maven, dependencies installed by `sam build`) are published from what `sam build`
 * made of them: `<root template folder>/.aws-sam/build/<LogicalId>` (SAM's default --build-dir,
 * relative to the folder it runs in; one folder per function, under its stack path for a nested
 * stack's: `OrdersApp/OrderFn`), or the folder Lambda Canary's own `sam build` writes
 * (privateBuildDir), whichever is newer, when it is newer than every source of the function.
 * What to do when it is not is the front end's choice (SamBuildChoice): the core never asks.
 */

/**
 * `use-built` (the default): package a fresh build output, and refuse with the command to run
 * when there is none (only warn when the sources can run as they are); `run`: run
 * `sam build <Id> --build-dir <privateBuildDir>` first (trusted workspaces only); `sources`: package the sources as
 * they are (only when they can run, i.e. only dependencies are missing).
 */
export type SamBuildChoice = 'run' | 'use-built' | 'sources';

/** SAM's default build folder, relative to the template's folder where `sam build` runs. */
export const SAM_BUILD_DIR = path.join('.aws-sam', 'build');

/** Why a function's sources need `sam build`; `depsOnly`: they would run as they are, but for packages only the build installs. */
export interface SamBuildNeed {
  reasons: string[];
  depsOnly: boolean;
}

export interface SamBuildNeedInput {
  /** Metadata.BuildMethod of the SAM function (esbuild, makefile, go1.x, rust-cargolambda, dotnet7, java21…). */
  buildMethod?: string;
  runtime?: string;
  handler?: string;
  /** The code folder's files, relative and '/'-separated (node_modules and .aws-sam left out). */
  files: readonly string[];
  /** What the dependency pre-flight found missing in the sources (dependencyWarnings). */
  missingDependencies: readonly string[];
}

/** Whether (and why) a SAM function needs `sam build` before its code can be published. Pure. */
export function samBuildNeed(input: SamBuildNeedInput): SamBuildNeed | undefined {
  const have = new Set(input.files);
  const top = input.files.filter((f) => !f.includes('/'));
  const runtime = input.runtime ?? '';
  const reasons: string[] = [];
  if (input.buildMethod) reasons.push(`its Metadata.BuildMethod is ${input.buildMethod}`);
  if (runtime.startsWith('nodejs') && input.handler) {
    const js = handlerModuleCandidates(input.handler);
    const ts = js.length ? ['.ts', '.mts', '.cts'].map((ext) => js[0].replace(/\.js$/, ext)).find((f) => have.has(f)) : undefined;
    if (ts && !js.some((f) => have.has(f))) reasons.push(`its handler's module is TypeScript (${ts}, no ${js[0]})`);
  }
  if (runtime.startsWith('java')) {
    const project = ['pom.xml', 'build.gradle', 'build.gradle.kts'].find((f) => have.has(f));
    const cls = input.handler ? javaClassFile(input.handler) : undefined;
    const built = input.files.some((f) => f.endsWith('.jar') && (!f.includes('/') || /^lib\/[^/]+\.jar$/.test(f))) || (cls !== undefined && have.has(cls));
    if (project && !built) reasons.push(`it is a Java project (${project}) with no compiled classes or jar`);
  }
  if (runtime.startsWith('dotnet')) {
    const csproj = top.find((f) => f.endsWith('.csproj'));
    const dll = input.handler ? dotnetAssemblyFile(input.handler) : undefined;
    if (csproj && !(dll && have.has(dll))) reasons.push(`it is a .NET project (${csproj}) with no built assembly`);
  }
  if (runtime === 'go1.x' || runtime === 'provided' || runtime.startsWith('provided.')) {
    const project = ['go.mod', 'Cargo.toml'].find((f) => have.has(f));
    const executable = runtime === 'go1.x' ? input.handler : 'bootstrap';
    if (project && !(executable && have.has(executable))) reasons.push(`it is a ${project === 'go.mod' ? 'Go' : 'Rust'} project (${project}) with no built ${executable ?? 'executable'}`);
  }
  const depsOnly = reasons.length === 0;
  if (input.missingDependencies.length) reasons.push('packages it needs are not installed in its code folder (sam build installs them)');
  return reasons.length ? { reasons, depsOnly } : undefined;
}

/** A build output against its sources; `unknown`: the sources could not all be read (treated as stale). */
export type BuiltState = 'fresh' | 'stale' | 'absent' | 'unknown';

export function builtState(builtMs: number | undefined, newestSourceMs: number, sourcesComplete = true): BuiltState {
  if (builtMs === undefined) return 'absent';
  if (!sourcesComplete) return 'unknown';
  return builtMs > newestSourceMs ? 'fresh' : 'stale';
}

/** 3 s, 3 min, 2 h, 4 days: how far apart two moments are, in words. */
export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

/**
 * How `sam build` names a function: its logical id, or for one in a nested stack the stack
 * path and the id (`OrdersApp/OrderFn`), as SAM's provider joins them.
 */
export function samBuildId(logicalId: string, stackPath: readonly string[] = []): string {
  return [...stackPath, logicalId].join('/');
}

/**
 * Where Lambda Canary's own `sam build` writes, relative to the root template's folder: a folder
 * per function, since `sam build <Id>` empties its --build-dir first (the user's .aws-sam/build
 * keeps every other function's output).
 */
export function privateBuildDir(buildId: string): string {
  return path.join('.aws-sam', 'lambda-canary', buildId.split('/').join('-'), 'build');
}

/**
 * `sam build HelloWorldFunction` and its argv; --template-file only for a template not named
 * template.yaml; --build-dir when given (relative to the folder it runs in).
 */
export function samBuildCommand(buildId: string, templateFile: string, buildDir?: string): string[] {
  const name = path.basename(templateFile);
  return ['sam', 'build', buildId, ...(name === 'template.yaml' ? [] : ['--template-file', name]), ...(buildDir ? ['--build-dir', buildDir.split(path.sep).join('/')] : [])];
}

// ---- Reading the workspace -----------------------------------------------------------------

/** Never the function's sources: installed packages, build output, VCS data, caches and tool output. */
const NOT_SOURCES = new Set(['node_modules', '.aws-sam', '.git', '__pycache__', '.venv', 'venv', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', 'coverage', '.nyc_output', '.DS_Store']);
/** Enough for any function's sources; past this the walk stops and the sources count as unread (complete: false). */
const MAX_SOURCE_FILES = 20_000;

/**
 * The code folder's files (relative, '/'-separated) and the newest mtime among them and its
 * folders (a deleted or renamed file changes its folder's); symlinks are not followed.
 * `complete`: false when the walk stopped at MAX_SOURCE_FILES.
 */
export function sourceFiles(codeDir: string, max = MAX_SOURCE_FILES): { files: string[]; newestMs: number; newestFile?: string; complete: boolean } {
  const files: string[] = [];
  let newestMs = 0;
  let newestFile: string | undefined;
  let complete = true;
  const seen = (abs: string, rel: string) => {
    const m = statMs(abs);
    if (m !== undefined && m > newestMs) {
      newestMs = m;
      newestFile = rel;
    }
  };
  const walk = (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const ignored = entries.filter((e) => NOT_SOURCES.has(e.name));
    // A folder's mtime is when an entry was added, removed or renamed in it; not counted when
    // that was the (re)creation of an ignored entry (coverage/, __pycache__ written by a test run).
    const dirMs = statMs(dir);
    if (dirMs !== undefined && !ignored.some((e) => Math.abs(createdMs(path.join(dir, e.name)) - dirMs) <= 1000) && dirMs > newestMs) {
      newestMs = dirMs;
      newestFile = rel || '.';
    }
    for (const e of entries) {
      if (files.length >= max) {
        complete = false;
        return;
      }
      if (NOT_SOURCES.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs, r);
      else if (e.isFile() || e.isSymbolicLink()) {
        files.push(r);
        seen(abs, r);
      }
    }
  };
  walk(codeDir, '');
  return { files, newestMs, ...(newestFile !== undefined ? { newestFile } : {}), complete };
}

/** When a file or folder was made: its birth time where the file system keeps one, else its ctime. */
function createdMs(p: string): number {
  try {
    const st = fs.lstatSync(p);
    return st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs;
  } catch {
    return Number.NaN;
  }
}

function statMs(p: string): number | undefined {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * When `sam build` made a function's output: the mtime of the template it writes into the build
 * folder when it is done (`<build dir>/template.yaml`), not of the function's folder, which a
 * file dropped in later would make newer. No function folder, or no template: no build.
 */
function builtAtMs(buildRoot: string, fnDir: string): { ms?: number; unfinished?: true } {
  if (!fs.statSync(fnDir, { throwIfNoEntry: false })?.isDirectory()) return {};
  const ms = statMs(path.join(buildRoot, BUILT_TEMPLATE));
  return ms === undefined ? { unfinished: true } : { ms };
}

/** What `sam build` writes into its build folder last. */
const BUILT_TEMPLATE = 'template.yaml';

const slashed = (p: string) => p.split(path.sep).join('/');

/** A folder as messages name it: relative to the workspace folder, or `the workspace folder`. */
export function workspaceLabel(workspaceRoot: string, dir: string): string {
  return slashed(path.relative(workspaceRoot, dir)) || 'the workspace folder';
}

/** A SAM function that needs `sam build`, and where its build output stands. */
export interface SamBuildSituation {
  logicalId: string;
  /** `sam build`'s name of it: the logical id, or `Stack/LogicalId` in a nested stack. */
  buildId: string;
  need: SamBuildNeed;
  /** The root template's folder, where `sam build` runs. */
  templateDir: string;
  /** The build output looked at (absolute): SAM's `.aws-sam/build/<Id>`, or Lambda Canary's own when that is newer. */
  builtDir: string;
  /** The same, relative to the workspace folder, for messages. */
  builtLabel: string;
  built: BuiltState;
  /** Absent, though the function's folder is there: the template `sam build` writes when done (this, relative) is not. */
  unfinished?: string;
  /** How long after (> 0) or before (< 0) the newest source the output was made. */
  builtAfterMs?: number;
  /** The newest source file (or the template), relative to the workspace folder. */
  newestSource?: string;
  /** argv of `sam build <Id>`, as the user would run it (into .aws-sam/build). */
  command: string[];
  /** argv of the `sam build` Lambda Canary runs: into privateDir, so .aws-sam/build stays as it is. */
  runCommand: string[];
  /** Where runCommand puts the function's output (absolute), and as messages name it. */
  privateDir: string;
  privateLabel: string;
  /** Where to run it, in words: `services/api` or `the workspace folder`. */
  where: string;
  /** The dependency pre-flight of the code folder (dependencyWarnings), read once. */
  sourceWarnings: string[];
  /** The handler and runtime it was read with (the deployed function's when known). */
  readWith: { handler?: string; runtime?: string };
}

export type SamSituation = Omit<SamBuildSituation, 'need'> & { need?: SamBuildNeed };

/**
 * Whether a SAM function needs `sam build`, and if so where its build output stands; undefined
 * for a function that does not (or that is not a SAM function with a code folder).
 */
export function inspectSamBuild(fn: WorkspaceFunction, opts: { handler?: string; runtime?: string } = {}): SamBuildSituation | undefined {
  const s = samSituation(fn, opts);
  return s?.need ? (s as SamBuildSituation) : undefined;
}

/** The same, also for a SAM function that needs no build (`need` undefined then); undefined for any other (inline, image, an archive). */
export function samSituation(fn: WorkspaceFunction, opts: { handler?: string; runtime?: string }): SamSituation | undefined {
  if (fn.source !== 'template.yaml' || !fn.logicalId || fn.inlineCode !== undefined || fn.packageType === 'Image') return undefined;
  if (!fs.statSync(fn.codeDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  const handler = opts.handler ?? fn.handler;
  const runtime = opts.runtime ?? fn.runtime;
  const rootTemplate = fn.rootTemplate ?? fn.file;
  const buildId = samBuildId(fn.logicalId, fn.stackPath);
  const command = samBuildCommand(buildId, rootTemplate);
  const sources = sourceFiles(fn.codeDir);
  const codeLabel = workspaceLabel(fn.workspaceRoot, fn.codeDir);
  const sourceWarnings = dependencyWarnings({ dir: fn.codeDir, handler, runtime, label: codeLabel, build: command.join(' ') });
  const need = samBuildNeed({ buildMethod: fn.buildMethod, runtime, handler, files: sources.files, missingDependencies: sourceWarnings });
  const templateDir = path.dirname(rootTemplate);
  // SAM puts a nested stack's function under its stack path: <build dir>/OrdersApp/OrderFn.
  const inBuild = path.join(...buildId.split('/'));
  const samRoot = path.join(templateDir, SAM_BUILD_DIR);
  const ownRoot = path.join(templateDir, privateBuildDir(buildId));
  const candidates = [samRoot, ownRoot].map((root) => ({ root, dir: path.join(root, inBuild), ...builtAtMs(root, path.join(root, inBuild)) }));
  const chosen = candidates.reduce((a, b) => ((b.ms ?? -1) > (a.ms ?? -1) ? b : a));
  const templates = [...new Set([fn.file, rootTemplate])].map((f) => ({ f, ms: statMs(f) ?? 0 }));
  const template = templates.reduce((a, b) => (b.ms > a.ms ? b : a));
  const newestMs = Math.max(sources.newestMs, template.ms);
  const newestSource = template.ms >= sources.newestMs ? template.f : sources.newestFile && path.join(fn.codeDir, sources.newestFile);
  const privateDir = candidates[1].dir;
  return {
    logicalId: fn.logicalId,
    buildId,
    ...(need ? { need } : {}),
    templateDir,
    builtDir: chosen.dir,
    builtLabel: workspaceLabel(fn.workspaceRoot, chosen.dir),
    built: builtState(chosen.ms, newestMs, sources.complete),
    ...(chosen.unfinished ? { unfinished: workspaceLabel(fn.workspaceRoot, path.join(chosen.root, BUILT_TEMPLATE)) } : {}),
    ...(chosen.ms !== undefined ? { builtAfterMs: chosen.ms - newestMs } : {}),
    ...(newestSource ? { newestSource: workspaceLabel(fn.workspaceRoot, newestSource) } : {}),
    command,
    runCommand: samBuildCommand(buildId, rootTemplate, privateBuildDir(buildId)),
    privateDir,
    privateLabel: workspaceLabel(fn.workspaceRoot, privateDir),
    where: workspaceLabel(fn.workspaceRoot, templateDir),
    sourceWarnings,
    readWith: { ...(handler !== undefined ? { handler } : {}), ...(runtime !== undefined ? { runtime } : {}) },
  };
}

/** Why the function cannot be published from its sources, and what to run, in one sentence or two. */
export function staleBuildMessage(s: SamBuildSituation, again = 'publish again'): string {
  const output =
    s.built === 'absent'
      ? s.unfinished
        ? `${s.builtLabel} is not a finished build (no ${s.unfinished}, which \`sam build\` writes when it is done)`
        : `there is no ${s.builtLabel}`
      : s.built === 'unknown'
      ? `${s.builtLabel} cannot be compared with its sources (more than ${MAX_SOURCE_FILES} files in its code folder), so it is taken as out of date`
      : `${s.builtLabel} is older than its sources (built ${duration(s.builtAfterMs ?? 0)} before the last change${s.newestSource ? `, to ${s.newestSource}` : ''})`;
  return `${s.logicalId} is published from what \`sam build\` makes of it (${s.need.reasons.join('; ')}), and ${output}. Run \`${s.command.join(' ')}\` in ${s.where}, then ${again}.`;
}

/** The executable `name` on PATH (PATHEXT on Windows), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const f = path.join(dir, name + ext);
      try {
        fs.accessSync(f, fs.constants.X_OK);
        if (fs.statSync(f).isFile()) return f;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/** The folder to package and how to name it. */
export interface CodeToPackage {
  dir: string;
  /** As messages name it: `hello-world`, `.aws-sam/build/HelloWorldFunction`. */
  label: string;
  /** What to suggest for missing dependencies (`sam build HelloWorldFunction`), for a SAM function. */
  build?: string;
  /** `dir` is the function's build output. */
  built?: boolean;
  /** What the dependency pre-flight found `dir` lacks (dependencyWarnings), read once per publish. */
  warnings: string[];
}

const STATE = 'Nothing was uploaded.';

/**
 * The folder Publish Canary packages for a workspace function: its code folder, or for a SAM
 * function that needs `sam build`, the build output as `choice` says (see SamBuildChoice).
 * Runs `sam build` (into its own --build-dir, see privateBuildDir) only for `run` in a trusted
 * workspace, its output in the log, cancelled with op.signal. `situation`: what the front end
 * read of the function already (samSituation with the same handler and runtime), not read again.
 */
export async function codeToPackage(
  op: OperationContext,
  fn: WorkspaceFunction,
  opts: { choice?: SamBuildChoice; trusted: boolean; handler?: string; runtime?: string; situation?: SamSituation },
): Promise<CodeToPackage> {
  const codeLabel = workspaceLabel(fn.workspaceRoot, fn.codeDir);
  const seen = opts.situation;
  const found = seen && seen.readWith.handler === (opts.handler ?? fn.handler) && seen.readWith.runtime === (opts.runtime ?? fn.runtime) ? seen : samSituation(fn, opts);
  const choice = opts.choice ?? 'use-built';
  const checkDir = (dir: string, label: string, build: string | undefined, built: boolean) =>
    dependencyWarnings({ dir, handler: opts.handler ?? fn.handler, runtime: opts.runtime ?? fn.runtime, label, ...(build ? { build } : {}), ...(built ? { built } : {}) });
  // Asked to build (deploy --build), a SAM function is built whether or not it seems to need it.
  if (!found || (!found.need && choice !== 'run')) {
    return found ? { dir: fn.codeDir, label: codeLabel, build: found.command.join(' '), warnings: found.sourceWarnings } : { dir: fn.codeDir, label: codeLabel, warnings: checkDir(fn.codeDir, codeLabel, undefined, false) };
  }
  const s: SamBuildSituation = { ...found, need: found.need ?? { reasons: [], depsOnly: true } };
  const build = s.command.join(' ');
  const sources = (): CodeToPackage => ({ dir: fn.codeDir, label: codeLabel, build, warnings: s.sourceWarnings });
  const built = (dir: string, label: string, how: string): CodeToPackage => {
    op.log.info(`Packaging ${label}, ${how}.`);
    op.record?.steps.push({ name: `Use ${label} (${how})`, ms: 0, result: 'ok' });
    return { dir, label, build, built: true, warnings: checkDir(dir, label, build, true) };
  };
  if (choice === 'run') {
    const run = s.runCommand.join(' ');
    if (!opts.trusted) {
      throw new OperationError(`This workspace is not trusted, so Lambda Canary runs nothing of it: Publish Canary would run \`${run}\`. Trust the workspace (Manage Workspace Trust) to build and publish from it.`, {
        step: 'Workspace trust',
        state: 'Nothing was built, uploaded or invoked.',
        kind: 'validation',
      });
    }
    if (!findOnPath('sam')) {
      throw new OperationError(`\`sam\` (the AWS SAM CLI) is not on PATH, so ${s.logicalId} cannot be built here. Install it, or run \`${build}\` in ${s.where} yourself, then publish again.`, {
        step: 'SAM build',
        state: STATE,
        kind: 'validation',
      });
    }
    op.progress?.(`Running ${run}…`);
    const started = performance.now();
    try {
      await runBuild(s.runCommand, s.templateDir, op.log, op.signal);
    } catch (e) {
      op.record?.steps.push({ name: run, ms: Math.round(performance.now() - started), result: 'failed' });
      if (e instanceof OperationError && e.kind !== 'cancelled') throw new OperationError(`\`${run}\` failed${e.message.replace(/^The build command failed/, '')}`, { step: 'SAM build', state: STATE, cause: e, kind: 'validation' });
      throw e;
    }
    op.record?.steps.push({ name: run, ms: Math.round(performance.now() - started), result: 'ok' });
    if (!fs.statSync(s.privateDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new OperationError(`\`${run}\` finished, but ${s.privateLabel} is not there: nothing else is packaged in its place.`, {
        step: 'SAM build',
        state: STATE,
        kind: 'validation',
      });
    }
    return built(s.privateDir, s.privateLabel, `built just now by ${run}`);
  }
  if (choice === 'sources') {
    if (!s.need.depsOnly) {
      throw new OperationError(`${s.logicalId} cannot run from its sources as they are (${s.need.reasons.join('; ')}). Run \`${build}\` in ${s.where}, then publish again.`, { step: 'SAM build', state: STATE, kind: 'validation' });
    }
    op.log.info(`Packaging the sources of ${s.logicalId} as they are, without ${build}.`);
    return sources();
  }
  if (s.built === 'fresh') return built(s.builtDir, s.builtLabel, `built ${duration(s.builtAfterMs ?? 0)} after the last source change`);
  // The sources run as they are; the dependency pre-flight says what they lack.
  if (s.need.depsOnly) return sources();
  throw new OperationError(staleBuildMessage(s), { step: 'SAM build', state: STATE, kind: 'validation' });
}
