/**
 * `lambda-canary release …`: core's ReleaseRunner from a terminal or CI. `start` and `resume`
 * drive the release until it ends or needs a person; Ctrl-C leaves it interrupted, and `resume` or
 * `restore` carries on from the journal. `status` lists this journal's releases.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationError } from '../core/errors';
import type { Outcome } from '../core/outcome';
import { outcomeText } from '../core/outcomeText';
import type { ReleaseDefinition } from '../core/releases/definition';
import { releaseDefinition } from '../core/releases/definition';
import type { ArtifactStore } from '../core/releases/artifacts';
import type { ReleaseRunner } from '../core/releases/runner';
import { membersForStage, promoteReleaseToStage, stageOf } from '../core/releases/stages';
import { loadReleases } from '../core/releasesModule';
import type { RolloutPlan } from '../core/rollout/plans';
import { formatPlan, parsePlanText, PlanError } from '../core/rollout/plans';
import type { RolloutTiming } from '../core/rollout/runner';
import type { UseCaseContext } from '../core/usecases';
import type { StageConfig } from '../core/workspace';
import { ConfigError, discoverWorkspace } from '../core/workspace';
import type { ReleaseControl, ReleaseView } from '../shared/release';
import { membersSummary, RELEASE_ENDS } from '../shared/release';
import { terminalText } from '../shared/text';
import type { OptionValues } from './args';
import { UsageError } from './args';
import type { CliIO } from './output';
import { ask, EXIT, exitCodeOf, jsonText } from './output';
import { confirmText, releaseText } from './messages';

export const RELEASE_SUBCOMMANDS = ['start', 'status', 'resume', 'restore', 'promote', 'abort', 'promote-stage'] as const;
export type ReleaseSubcommand = (typeof RELEASE_SUBCOMMANDS)[number];

/** `stage`: the stage of lambda-canary.json whose connection and alias the subcommand acts on (start: the first by default). */
export type ReleaseArgs =
  | { sub: 'start'; def: ReleaseDefinition; plan: RolloutPlan; smokeTest: boolean; stage?: StageConfig }
  | { sub: 'status'; id?: string; stage?: StageConfig }
  | { sub: 'resume'; id: string; def?: ReleaseDefinition; stage?: StageConfig }
  | { sub: Exclude<ReleaseControl, 'resume'>; id: string; stage?: StageConfig }
  /** `target`: the stage to promote to; undefined: the next one. */
  | { sub: 'promote-stage'; def: ReleaseDefinition; target?: string; plan?: RolloutPlan };

/** Whether the subcommand asks first (and so needs --yes where nothing can ask). */
export function releaseAsks(a: ReleaseArgs): boolean {
  return a.sub === 'start' || a.sub === 'restore' || a.sub === 'promote' || a.sub === 'abort' || a.sub === 'promote-stage';
}

const OPTIONS_OF: Record<ReleaseSubcommand, string[]> = {
  start: ['dir', 'plan', 'only', 'no-smoke', 'stage'],
  status: ['dir', 'stage'],
  resume: ['dir', 'only', 'stage'],
  restore: ['dir', 'stage'],
  promote: ['dir', 'stage'],
  abort: ['dir', 'stage'],
  'promote-stage': ['dir', 'plan'],
};

/** The subcommand and its arguments, checked before anything connects (usage errors: exit 2). */
export function planRelease(pos: string[], values: OptionValues, cwd: string): ReleaseArgs {
  const sub = pos[0];
  if (!(RELEASE_SUBCOMMANDS as readonly string[]).includes(sub ?? '')) {
    throw new UsageError(releaseText.badSubcommand(sub, RELEASE_SUBCOMMANDS), 'release');
  }
  const s = sub as ReleaseSubcommand;
  for (const option of ['dir', 'plan', 'only', 'no-smoke', 'stage']) {
    if (values[option] !== undefined && !OPTIONS_OF[s].includes(option)) throw new UsageError(releaseText.notAnOption(option, s), 'release');
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const id = pos[1];
  const dir = path.resolve(cwd, str('dir') ?? '.');
  if (s === 'start') {
    if (id !== undefined) throw new UsageError(releaseText.startTakesNoId, 'release');
    const def = definitionOf(dir, str('only'));
    const stage = stageNamed(def, str('stage'));
    return { sub: s, def, plan: planOf(str('plan'), def), smokeTest: values['no-smoke'] !== true, ...(stage ? { stage } : {}) };
  }
  if (s === 'promote-stage') {
    if (id !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9-_]{0,31}$/.test(id)) throw new UsageError(releaseText.notAStage(id), 'release');
    const def = definitionOf(dir, undefined);
    if (id !== undefined) stageNamed(def, id);
    const plan = str('plan') === undefined ? undefined : planOf(str('plan'), def);
    return { sub: s, def, ...(id !== undefined ? { target: id } : {}), ...(plan ? { plan } : {}) };
  }
  // The other subcommands act on the base connection, or on the stage --stage names (read from the folder's lambda-canary.json).
  const stage = str('stage') === undefined ? undefined : stageNamed(definitionOf(dir, undefined), str('stage'));
  const staged = stage ? { stage } : {};
  if (s === 'status') return id === undefined ? { sub: s, ...staged } : { sub: s, id: checkId(id), ...staged };
  if (id === undefined) throw new UsageError(releaseText.needsId(s), 'release');
  if (s === 'resume') {
    // The workspace, for members not yet published; a resume after the publishing needs none.
    let def: ReleaseDefinition | undefined;
    try {
      def = definitionOf(dir, str('only'));
    } catch (e) {
      if (str('dir') !== undefined || str('only') !== undefined || stage) throw e;
    }
    return { sub: s, id: checkId(id), ...(def ? { def } : {}), ...staged };
  }
  return { sub: s, id: checkId(id), ...staged };
}

/** The stage `name` of the definition (undefined: its first, or none when it has no stages); an unknown one is a usage error. */
function stageNamed(def: ReleaseDefinition, name: string | undefined): StageConfig | undefined {
  try {
    return stageOf(def, name);
  } catch (e) {
    if (e instanceof OperationError) throw new UsageError(`--stage: ${e.message}`, 'release');
    throw e;
  }
}

function checkId(id: string): string {
  if (!/^[0-9a-f]{4,32}$/.test(id)) throw new UsageError(releaseText.notAnId(id), 'release');
  return id;
}

function definitionOf(dir: string, only: string | undefined): ReleaseDefinition {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(releaseText.notAFolder(dir), 'release');
  try {
    const names = only?.split(',').map((n) => n.trim()).filter(Boolean);
    return releaseDefinition(discoverWorkspace(dir), { ...(names?.length ? { only: names } : {}), source: path.basename(dir) });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OperationError) throw new UsageError(e.message, 'release');
    throw e;
  }
}

function planOf(text: string | undefined, def: ReleaseDefinition): RolloutPlan {
  if (text !== undefined) {
    try {
      return parsePlanText(text);
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      throw new UsageError(`--plan: ${e.message}`, 'release');
    }
  }
  if (def.plan) return def.plan;
  throw new UsageError(releaseText.needsPlan, 'release');
}

export interface ReleaseRun {
  io: CliIO;
  ctx: UseCaseContext;
  json: boolean;
  yes: boolean;
  timing?: Partial<RolloutTiming>;
  /** Each stage's context (its connection and journal port); undefined, or a stage without a connection of its own: `ctx`. */
  contextOf?: (stage: StageConfig | undefined) => UseCaseContext;
  /** Where releases keep the packages they upload, for promote-stage. */
  artifacts?: ArtifactStore;
}

export async function runRelease(a: ReleaseArgs, run: ReleaseRun): Promise<number> {
  const { io, json } = run;
  const out = (text: string) => io.stdout.write(`${terminalText(text)}\n`);
  const err = (text: string) => io.stderr.write(`${terminalText(text)}\n`);
  const { ReleaseRunner } = await loadReleases();
  const contextOf = (stage: StageConfig | undefined) => run.contextOf?.(stage) ?? run.ctx;
  const made: ReleaseRunner[] = [];
  const runnerOn = (ctx: UseCaseContext) => {
    const r = new ReleaseRunner({ ...ctx, progress: undefined, signal: undefined }, { client: 'cli', ...(run.timing ? { timing: run.timing } : {}), ...(run.artifacts ? { artifacts: run.artifacts } : {}) });
    made.push(r);
    return r;
  };
  let runner = runnerOn(contextOf(a.sub === 'promote-stage' ? undefined : a.stage));
  const stop = () => {
    for (const r of made) void r.dispose();
  };
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    await runner.load();
    if (a.sub === 'status') {
      const views = a.id ? [runner.view(a.id)].filter((v): v is ReleaseView => !!v) : runner.views();
      if (a.id && views.length === 0) {
        err(releaseText.noSuchRelease(a.id));
        return EXIT.usage;
      }
      if (json) out(jsonText(a.id ? views[0] : views).trimEnd());
      else if (views.length === 0) out(releaseText.noReleases);
      else for (const v of views) out(a.id ? releaseLines(v).join('\n') : releaseLines(v)[0]);
      return EXIT.done;
    }
    if (releaseAsks(a) && !run.yes) {
      const question =
        a.sub === 'start'
          ? releaseText.confirmStart(membersForStage(a.def, a.stage).map((m) => `${m.functionName}:${m.aliasName}`), a.stage?.name, formatPlan(a.plan))
          : a.sub === 'promote-stage'
            ? releaseText.confirmPromoteStage(a.def.source, a.target, a.plan ? formatPlan(a.plan) : undefined)
            : releaseText.confirmControl(a.sub, a.id, a.stage?.name);
      if (!(await ask(io, `${question} [y/N] `))) {
        err(confirmText.declined);
        return EXIT.done;
      }
    }
    for (const s of a.sub === 'start' ? a.def.skipped : []) err(releaseText.skipped(s.reason));
    let outcome: Outcome<ReleaseView>;
    if (a.sub === 'start') {
      outcome = await runner.start({ source: a.def.source, members: membersForStage(a.def, a.stage), plan: a.plan, trusted: true, smokeTest: a.smokeTest, ...(a.stage ? { stage: a.stage.name } : {}) });
    } else if (a.sub === 'promote-stage') {
      if (!run.artifacts) throw new Error('promote-stage needs the artifact store.');
      const promoted = await promoteReleaseToStage({ definition: a.def, ...(a.target ? { target: a.target } : {}), ...(a.plan ? { plan: a.plan } : {}), contextOf, runnerFor: (stage) => runnerOn(contextOf(stage)), artifacts: run.artifacts });
      if (promoted.from && promoted.stage) err(`Promoting release ${promoted.from.release} (${promoted.from.stage.name}) to ${promoted.stage.name}.`);
      outcome = promoted.outcome;
      if (promoted.runner) runner = promoted.runner;
    } else {
      const members = a.sub === 'resume' && a.def ? membersForStage(a.def, a.stage) : undefined;
      outcome = await runner.control(a.id, a.sub, members);
    }
    let view = outcome.detail;
    if (!outcome.error && view && (a.sub === 'start' || a.sub === 'resume' || a.sub === 'promote-stage') && !RELEASE_ENDS.has(view.status) && view.status !== 'halted' && view.status !== 'waiting') {
      err(releaseLines(view)[0]);
      view = await untilSettled(runner, view.id, (v) => err(releaseLines(v)[0]));
    }
    if (json) out(jsonText({ ...outcome, ...(view ? { detail: view } : {}) }).trimEnd());
    else if (view) out(releaseLines(view).join('\n'));
    else out(outcomeText(outcome));
    if (outcome.error) return exitCodeOf(outcome);
    if (io.signal?.aborted) return EXIT.interrupted;
    if (!view) return EXIT.done;
    if (view.status === 'promoted' || view.status === 'unchanged' || (view.status === 'restored' && a.sub === 'restore') || (view.status === 'aborted' && a.sub === 'abort')) return EXIT.done;
    if (view.status === 'halted' || view.status === 'waiting' || view.status === 'interrupted') return EXIT.conflict;
    return EXIT.failed;
  } finally {
    io.signal?.removeEventListener('abort', stop);
    await Promise.allSettled(made.map((r) => r.dispose()));
  }
}

/** Follows the release until it ends or needs a person (halted, waiting), or this process is stopped. */
function untilSettled(runner: ReleaseRunner, id: string, onChange: (v: ReleaseView) => void): Promise<ReleaseView> {
  return new Promise((resolve) => {
    let last = '';
    const sub = runner.onDidChange((v) => {
      if (v.id !== id) return;
      const line = `${v.status} ${v.current} ${v.statusText}`;
      if (line !== last) {
        last = line;
        onChange(v);
      }
      if (v.status === 'halted' || v.status === 'waiting') {
        sub.dispose();
        resolve(v);
      }
    });
    void runner.waitForEnd(id).then((v) => {
      sub.dispose();
      resolve(v);
    });
  });
}

/** The release's heading line, then one line a function. */
export function releaseLines(v: ReleaseView): string[] {
  const step = v.current >= 0 ? ` step ${v.current + 1}/${v.steps.length}` : '';
  const stage = v.stage ? `, ${v.stage}${v.promotedFrom ? ` from ${v.promotedFrom.stage} ${v.promotedFrom.release}` : ''}` : '';
  const head = `Release ${v.id} (${v.source}${stage}, ${v.planText}): ${v.status}${step}. ${v.statusText} [${membersSummary(v.members)}]`;
  return [
    head,
    ...v.members.map((m) => {
      const to = m.version ? ` → ${m.version}` : '';
      const w = m.state === 'routed' ? ` at ${m.weight}%` : '';
      const why = m.message && (m.state === 'left' || m.state === 'failed' || m.state === 'unknown' || m.state === 'unchanged') ? `: ${m.message}` : m.sentence && m.state === 'routed' ? `: ${m.sentence}` : '';
      return `  ${m.functionName}:${m.aliasName}  ${m.state}  ${m.stable}${to}${w}${why}`;
    }),
  ];
}
