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
 * made of them: `<template folder>/.aws-sam/build/<LogicalId>` (SAM's default --build-dir,
 * relative to the folder it runs in; one folder per function, named by its logical id), when it
 * is newer than every source of the function. What to do when it is not is the front end's
 * choice (SamBuildChoice): the core never asks.
 */

/**
 * `use-built` (the default): package a fresh build output, and refuse with the command to run
 * when there is none (only warn when the sources can run as they are); `run`: run
 * `sam build <LogicalId>` first (trusted workspaces only); `sources`: package the sources as
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

/** A build output against its sources. */
export type BuiltState = 'fresh' | 'stale' | 'absent';

export function builtState(builtMs: number | undefined, newestSourceMs: number): BuiltState {
  if (builtMs === undefined) return 'absent';
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

/** `sam build HelloWorldFunction` and its argv; --template-file only for a template not named template.yaml. */
export function samBuildCommand(logicalId: string, templateFile: string): string[] {
  const name = path.basename(templateFile);
  return ['sam', 'build', logicalId, ...(name === 'template.yaml' ? [] : ['--template-file', name])];
}

// ---- Reading the workspace -----------------------------------------------------------------

/** Never the function's sources: installed packages, build output, VCS data. */
const NOT_SOURCES = new Set(['node_modules', '.aws-sam', '.git']);
/** Enough for any function's sources; past this the walk stops (and the newest found so far counts). */
const MAX_SOURCE_FILES = 20_000;

/** The code folder's files (relative, '/'-separated) and the newest mtime among them; symlinks are not followed. */
export function sourceFiles(codeDir: string): { files: string[]; newestMs: number; newestFile?: string } {
  const files: string[] = [];
  let newestMs = 0;
  let newestFile: string | undefined;
  const walk = (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (files.length >= MAX_SOURCE_FILES) return;
      if (NOT_SOURCES.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs, r);
      else if (e.isFile() || e.isSymbolicLink()) {
        files.push(r);
        const m = statMs(abs);
        if (m !== undefined && m > newestMs) {
          newestMs = m;
          newestFile = r;
        }
      }
    }
  };
  walk(codeDir, '');
  return { files, newestMs, newestFile };
}

function statMs(p: string): number | undefined {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/** When a build folder was made: the newest mtime of the folder and its direct entries (SAM copies sources with their own mtimes). */
function builtAtMs(dir: string): number | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return undefined;
  let newest = st.mtimeMs;
  for (const name of fs.readdirSync(dir)) newest = Math.max(newest, statMs(path.join(dir, name)) ?? 0);
  return newest;
}

const slashed = (p: string) => p.split(path.sep).join('/');

/** A SAM function that needs `sam build`, and where its build output stands. */
export interface SamBuildSituation {
  logicalId: string;
  need: SamBuildNeed;
  /** The template's folder, where `sam build` runs. */
  templateDir: string;
  /** `.aws-sam/build/<LogicalId>` in the template's folder (absolute). */
  builtDir: string;
  /** The same, relative to the workspace folder, for messages. */
  builtLabel: string;
  built: BuiltState;
  /** How long after (> 0) or before (< 0) the newest source the output was made. */
  builtAfterMs?: number;
  /** The newest source file (or the template), relative to the workspace folder. */
  newestSource?: string;
  /** argv of `sam build <LogicalId>`. */
  command: string[];
  /** Where to run it, in words: `services/api` or `the workspace folder`. */
  where: string;
}

/**
 * Whether a SAM function needs `sam build`, and if so where its build output stands; undefined
 * for a function that does not (or that is not a SAM function with a code folder).
 */
export function inspectSamBuild(fn: WorkspaceFunction, opts: { handler?: string; runtime?: string } = {}): SamBuildSituation | undefined {
  const s = samSituation(fn, opts);
  return s?.need ? (s as SamBuildSituation) : undefined;
}

/** The same, also for a SAM function that needs no build (`need` undefined then); undefined for any other. */
function samSituation(fn: WorkspaceFunction, opts: { handler?: string; runtime?: string }): (Omit<SamBuildSituation, 'need'> & { need?: SamBuildNeed }) | undefined {
  if (fn.source !== 'template.yaml' || !fn.logicalId || !fs.statSync(fn.codeDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  const handler = opts.handler ?? fn.handler;
  const runtime = opts.runtime ?? fn.runtime;
  const sources = sourceFiles(fn.codeDir);
  const codeLabel = slashed(path.relative(fn.workspaceRoot, fn.codeDir)) || 'the workspace folder';
  const missing = dependencyWarnings({ dir: fn.codeDir, handler, runtime, label: codeLabel });
  const need = samBuildNeed({ buildMethod: fn.buildMethod, runtime, handler, files: sources.files, missingDependencies: missing });
  const templateDir = path.dirname(fn.file);
  const builtDir = path.join(templateDir, SAM_BUILD_DIR, fn.logicalId);
  const templateMs = statMs(fn.file) ?? 0;
  const newestMs = Math.max(sources.newestMs, templateMs);
  const newestSource = templateMs >= sources.newestMs ? fn.file : sources.newestFile && path.join(fn.codeDir, sources.newestFile);
  const builtMs = builtAtMs(builtDir);
  const relTemplateDir = slashed(path.relative(fn.workspaceRoot, templateDir));
  return {
    logicalId: fn.logicalId,
    ...(need ? { need } : {}),
    templateDir,
    builtDir,
    builtLabel: slashed(path.relative(fn.workspaceRoot, builtDir)),
    built: builtState(builtMs, newestMs),
    ...(builtMs !== undefined ? { builtAfterMs: builtMs - newestMs } : {}),
    ...(newestSource ? { newestSource: slashed(path.relative(fn.workspaceRoot, newestSource)) } : {}),
    command: samBuildCommand(fn.logicalId, fn.file),
    where: relTemplateDir || 'the workspace folder',
  };
}

/** Why the function cannot be published from its sources, and what to run, in one sentence or two. */
export function staleBuildMessage(s: SamBuildSituation, again = 'publish again'): string {
  const output =
    s.built === 'absent'
      ? `there is no ${s.builtLabel}`
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
}

const STATE = 'Nothing was uploaded.';

/**
 * The folder Publish Canary packages for a workspace function: its code folder, or for a SAM
 * function that needs `sam build`, the build output as `choice` says (see SamBuildChoice).
 * Runs `sam build` only for `run` in a trusted workspace, its output in the log, cancelled with
 * op.signal.
 */
export async function codeToPackage(op: OperationContext, fn: WorkspaceFunction, opts: { choice?: SamBuildChoice; trusted: boolean; handler?: string; runtime?: string }): Promise<CodeToPackage> {
  const codeLabel = slashed(path.relative(fn.workspaceRoot, fn.codeDir)) || 'the workspace folder';
  const found = samSituation(fn, opts);
  const choice = opts.choice ?? 'use-built';
  // Asked to build (deploy --build), a SAM function is built whether or not it seems to need it.
  if (!found || (!found.need && choice !== 'run')) return { dir: fn.codeDir, label: codeLabel, ...(found ? { build: found.command.join(' ') } : {}) };
  const s: SamBuildSituation = { ...found, need: found.need ?? { reasons: [], depsOnly: true } };
  const build = s.command.join(' ');
  const built = (how: string): CodeToPackage => {
    const line = `Packaging ${s.builtLabel}, ${how}.`;
    op.log.info(line);
    op.record?.steps.push({ name: `Use ${s.builtLabel} (${how})`, ms: 0, result: 'ok' });
    return { dir: s.builtDir, label: s.builtLabel, build, built: true };
  };
  if (choice === 'run') {
    if (!opts.trusted) {
      throw new OperationError(`This workspace is not trusted, so Lambda Canary runs nothing of it: Publish Canary would run \`${build}\`. Trust the workspace (Manage Workspace Trust) to build and publish from it.`, {
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
    op.progress?.(`Running ${build}…`);
    const started = performance.now();
    try {
      await runBuild(s.command, s.templateDir, op.log, op.signal);
    } catch (e) {
      op.record?.steps.push({ name: build, ms: Math.round(performance.now() - started), result: 'failed' });
      if (e instanceof OperationError && e.kind !== 'cancelled') throw new OperationError(`\`${build}\` failed; see the log.`, { step: 'SAM build', state: STATE, cause: e, kind: 'validation' });
      throw e;
    }
    op.record?.steps.push({ name: build, ms: Math.round(performance.now() - started), result: 'ok' });
    if (!fs.statSync(s.builtDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new OperationError(`\`${build}\` finished, but ${s.builtLabel} is not there: was the build folder changed (--build-dir, samconfig.toml)? Nothing else is packaged in its place.`, {
        step: 'SAM build',
        state: STATE,
        kind: 'validation',
      });
    }
    return built(`built just now by ${build}`);
  }
  if (choice === 'sources') {
    if (!s.need.depsOnly) {
      throw new OperationError(`${s.logicalId} cannot run from its sources as they are (${s.need.reasons.join('; ')}). Run \`${build}\` in ${s.where}, then publish again.`, { step: 'SAM build', state: STATE, kind: 'validation' });
    }
    op.log.info(`Packaging the sources of ${s.logicalId} as they are, without ${build}.`);
    return { dir: fn.codeDir, label: codeLabel, build };
  }
  if (s.built === 'fresh') return built(`built ${duration(s.builtAfterMs ?? 0)} after the last source change`);
  if (s.need.depsOnly) {
    // The sources run as they are; the dependency pre-flight says what they lack.
    return { dir: fn.codeDir, label: codeLabel, build };
  }
  throw new OperationError(staleBuildMessage(s), { step: 'SAM build', state: STATE, kind: 'validation' });
}
