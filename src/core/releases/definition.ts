import * as path from 'node:path';
import { slashedRelative } from '../paths';
import type { RolloutPlan } from '../rollout/plans';
import type { StageConfig, WorkspaceDiscovery, WorkspaceFunction } from '../workspace';
import { ConfigError, describeSkipped } from '../workspace';

/** One function of a release: the function and the alias the release moves. */
export interface ReleaseMember {
  functionName: string;
  aliasName: string;
  fn: WorkspaceFunction;
  /**
   * The workspace names no alias for it (a SAM function without AutoPublishAlias): aliasName is
   * DEFAULT_RELEASE_ALIAS, as lambda-canary.json defaults it. Front ends say so.
   */
  aliasAssumed?: true;
}

/** A function the workspace declares that cannot be in a release, and why. */
export interface ReleaseSkip {
  /** Its function name, else its logical id. */
  name: string;
  /** A sentence naming the function: what keeps it out and what to do. */
  reason: string;
  /** The file that declares it, and the line when known. */
  file?: string;
  line?: number;
}

export interface ReleaseDefinition {
  /** Where the functions came from (the config or template file), for messages. */
  source: string;
  /** In the workspace's order (the file's order; templates in path order). */
  members: ReleaseMember[];
  /** Functions the workspace declares that cannot be in a release, with why (name computed by the template, an image function, CodeDeploy's…). */
  skipped: ReleaseSkip[];
  /** The plan the workspace names for the release (lambda-canary.json top-level rollout), if any. */
  plan?: RolloutPlan;
  /** lambda-canary.json's stages, in order: a release goes to one of them (the first by default), with each member on the stage's alias. */
  stages?: StageConfig[];
}

/** The alias a release moves of a function the workspace names none for: lambda-canary.json's default. */
export const DEFAULT_RELEASE_ALIAS = 'prod';

/** The CodeDeploy hooks the workspace's functions name (SAM DeploymentPreference.Hooks), by the function they belong to. */
function hooksOf(functions: readonly WorkspaceFunction[]): Map<string, { of: string; phase: string }> {
  const hooks = new Map<string, { of: string; phase: string }>();
  for (const fn of functions) {
    const of = fn.logicalId ?? fn.functionName ?? '?';
    const h = fn.deploymentPreference?.hooks;
    if (h?.preTraffic) hooks.set(h.preTraffic, { of, phase: 'PreTraffic' });
    if (h?.postTraffic) hooks.set(h.postTraffic, { of, phase: 'PostTraffic' });
  }
  return hooks;
}

/** Why `fn` cannot be in a release, or undefined when it can. */
function whyNot(fn: WorkspaceFunction, hooks: Map<string, { of: string; phase: string }>): string | undefined {
  const name = fn.functionName ?? fn.logicalId ?? path.basename(fn.codeDir);
  if (fn.packageType === 'Image') return `${name} is an image function: a release publishes zip packages; deploy image functions one by one with their image URI.`;
  if (fn.deploymentPreference) {
    // Discovery reads a DeploymentPreference only beside AutoPublishAlias, as SAM does.
    return `${name} has a DeploymentPreference (${fn.deploymentPreference.type}): AWS CodeDeploy shifts its alias${fn.alias ? ` ${fn.alias}` : ''} on each sam deploy, so a release cannot move it in lockstep; remove the DeploymentPreference to release it here.`;
  }
  const hook = (fn.functionName && hooks.get(fn.functionName)) || (fn.logicalId && hooks.get(fn.logicalId));
  if (hook) return `${name} is the CodeDeploy ${hook.phase} hook of ${hook.of}: CodeDeploy invokes it during ${hook.of}'s deployment; it has no alias of its own to move.`;
  if (fn.functionName === undefined) return `${name}'s function name is computed by the template: name it with FunctionName, or list it under functions in lambda-canary.json.`;
  return undefined;
}

function labelOf(fn: WorkspaceFunction): string {
  const file = slashedRelative(fn.workspaceRoot, fn.file);
  return fn.logicalId ? `${file} (${fn.logicalId})` : file;
}

/** The files a discovery read functions from, workspace-relative, in its order. */
function sourceOf(discovery: WorkspaceDiscovery): { label: string; file?: string } {
  const files: string[] = [];
  const roots = new Map<string, string>();
  for (const f of discovery.functions) {
    if (!files.includes(f.file)) files.push(f.file);
    roots.set(f.file, f.workspaceRoot);
  }
  for (const s of discovery.skipped) if (!files.includes(s.file)) files.push(s.file);
  const rel = (f: string) => (roots.has(f) ? slashedRelative(roots.get(f)!, f) : path.basename(f));
  if (files.length === 0) return { label: 'the workspace' };
  if (files.length === 1) return { label: rel(files[0]), file: files[0] };
  // Several templates (in subfolders): errors are the workspace folder's.
  return { label: files.map(rel).join(', '), file: discovery.functions[0]?.workspaceRoot ?? path.dirname(files[0]) };
}

/**
 * The release the workspace declares: every function it offers that a release can move (a zip
 * function with a literal name that CodeDeploy does not manage), each with its alias (the one
 * it declares, else DEFAULT_RELEASE_ALIAS), in the workspace's order; the others in `skipped`,
 * each with why; the plan lambda-canary.json names at its top level.
 *
 * `only` narrows it to functions named there (function names, or a template's logical ids);
 * a name the workspace does not offer is a ConfigError listing those it does. A function listed
 * twice, or a release without members, is a ConfigError saying why.
 */
export function releaseDefinition(discovery: WorkspaceDiscovery, options: { only?: string[]; source?: string } = {}): ReleaseDefinition {
  const found = sourceOf(discovery);
  const source = options.source ?? found.label;
  const errorFile = found.file ?? source;
  const hooks = hooksOf(discovery.functions);
  const members: ReleaseMember[] = [];
  const skipped: ReleaseSkip[] = discovery.skipped.map((s) => ({ name: s.name, reason: s.reason, file: s.file, ...(s.line ? { line: s.line } : {}) }));
  for (const fn of discovery.functions) {
    const why = whyNot(fn, hooks);
    if (why) {
      skipped.push({ name: fn.functionName ?? fn.logicalId ?? path.basename(fn.codeDir), reason: why, file: fn.file });
      continue;
    }
    const functionName = fn.functionName!;
    const twice = members.find((m) => m.functionName === functionName);
    if (twice) {
      const aliases = twice.aliasName === (fn.alias ?? DEFAULT_RELEASE_ALIAS) ? `${functionName}:${twice.aliasName}` : `${functionName} (aliases ${twice.aliasName} and ${fn.alias ?? DEFAULT_RELEASE_ALIAS})`;
      throw new ConfigError(errorFile, `${aliases} is declared twice, by ${labelOf(twice.fn)} and ${labelOf(fn)}: a release publishes each function once; keep one of them.`);
    }
    members.push({ functionName, aliasName: fn.alias ?? DEFAULT_RELEASE_ALIAS, fn, ...(fn.alias === undefined ? { aliasAssumed: true as const } : {}) });
  }
  let chosen = members;
  if (options.only && options.only.length) {
    const wanted = new Set(options.only);
    for (const name of wanted) {
      if (members.some((m) => m.functionName === name || m.fn.logicalId === name)) continue;
      const out = skipped.find((s) => s.name === name);
      if (out) throw new ConfigError(errorFile, `${name} cannot be in a release: ${out.reason}`);
      const known = members.map((m) => m.functionName);
      throw new ConfigError(errorFile, `${source} declares no function ${name}${known.length ? `: a release of it can move ${known.join(', ')}` : ''}.`);
    }
    chosen = members.filter((m) => wanted.has(m.functionName) || (m.fn.logicalId !== undefined && wanted.has(m.fn.logicalId)));
  }
  if (chosen.length === 0) {
    const root = discovery.functions[0]?.workspaceRoot;
    const lines = skipped.map((s) => `  ${s.file ? describeSkipped({ file: s.file, name: s.name, reason: s.reason, line: s.line }, root) : s.reason}`);
    throw new ConfigError(
      errorFile,
      lines.length
        ? `${source} declares no function a release can move:\n${lines.join('\n')}`
        : `${source} declares no Lambda function: a release needs at least one (list them under "functions" in lambda-canary.json).`,
    );
  }
  return { source, members: chosen, skipped, ...(discovery.plan ? { plan: discovery.plan } : {}), ...(discovery.stages ? { stages: discovery.stages } : {}) };
}
