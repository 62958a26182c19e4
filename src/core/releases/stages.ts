import { randomUUID } from 'node:crypto';
import type { Clients, ConnectionSpec } from '../connection';
import { createClients, listProfiles } from '../connection';
import type { Journal } from '../journal/journal';
import { journalConnection } from '../journal/journal';
import { journalPortOf } from '../journal/port';
import { OperationError } from '../errors';
import type { Outcome } from '../outcome';
import type { RolloutPlan } from '../rollout/plans';
import type { JournalPort, UseCaseContext } from '../usecases/context';
import type { StageConfig } from '../workspace';
import type { ReleaseView } from '../../shared/release';
import type { ReleaseDefinition } from './definition';
import type { ArtifactStore } from './artifacts';
import { ArtifactError } from './artifacts';
import type { ReleaseState } from './records';
import { foldReleases, isOpen, memberKey } from './records';
import type { ReleaseMemberInput, ReleaseRunner } from './runner';

/**
 * Stages: lambda-canary.json's ordered `stages` (staging on the dev account, prod on the prod
 * account…). A release from the workspace goes to one stage (the first by default), each of its
 * functions on the stage's alias, on the stage's connection. Promote Release to Stage then ships
 * to the next stage exactly the packages that passed the stage before — the bytes the earlier
 * release uploaded, kept by CodeSha256 in the artifact store — re-uploaded to the other account
 * when its $LATEST lacks them, never rebuilt; and only when that release ended promoted.
 */

/** The stage a release of the definition goes to: the one named, else the first; undefined when the workspace has no stages. */
export function stageOf(def: Pick<ReleaseDefinition, 'stages' | 'source'>, name?: string): StageConfig | undefined {
  const stages = def.stages ?? [];
  if (name === undefined) return stages[0];
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw stageError(stages.length ? `${def.source} has no stage ${name}: its stages are ${stages.map((s) => s.name).join(', ')}.` : `${def.source} names no stages: add "stages" to lambda-canary.json, e.g. [{ "name": "staging", "alias": "staging" }, { "name": "prod", "alias": "prod" }].`);
  return stage;
}

/**
 * Why a workspace that is not trusted gets no release of this definition: with stages, its
 * lambda-canary.json chooses the accounts, regions and aliases a release or a promotion writes to
 * (a profile, a region, an endpoint of its own). `action`: what is refused, for the message.
 * Undefined when the definition names no stages.
 */
export function untrustedStagesRefusal(def: Pick<ReleaseDefinition, 'stages' | 'source'>, action: 'release' | 'promote'): OperationError | undefined {
  if (!def.stages?.length) return undefined;
  const doing = action === 'release' ? 'release' : 'promote';
  return new OperationError(
    `This workspace is not trusted, so Lambda Canary does not ${doing} from it: the "stages" of ${def.source} choose the accounts and regions a ${action === 'release' ? 'release' : 'promotion'} writes to. Trust the workspace (Manage Workspace Trust) to ${doing} from it.`,
    { step: 'Workspace trust', state: 'Nothing was changed.', kind: 'validation' },
  );
}

/** The members of a release to `stage`: every function on the stage's alias. */
export function membersForStage(def: ReleaseDefinition, stage: StageConfig | undefined): ReleaseMemberInput[] {
  return def.members.map((m) => ({ functionName: m.functionName, aliasName: stage?.alias ?? m.aliasName, fn: m.fn }));
}

/**
 * What a Resume builds a release's unpublished members from: the members of the first definition
 * whose functions, on the release's stage's alias, are every member of the release; undefined
 * when none fits (a folder that no longer lists them, or names no such stage).
 */
export function membersToResume(defs: readonly ReleaseDefinition[], release: Pick<ReleaseView, 'members' | 'stage'>): ReleaseMemberInput[] | undefined {
  for (const def of defs) {
    const stage = release.stage === undefined ? undefined : def.stages?.find((s) => s.name === release.stage);
    if (release.stage !== undefined && !stage) continue;
    const members = membersForStage(def, stage);
    if (release.members.every((m) => members.some((d) => d.functionName === m.functionName && d.aliasName === m.aliasName))) return members;
  }
  return undefined;
}

/**
 * The connection of a stage: the base connection (the one the front end uses) with what the
 * stage names instead — a local sandbox's endpoint, or a profile (its region, unless the stage
 * names one), or only a region. A stage that names none of them is the base connection.
 */
export function stageConnection(base: ConnectionSpec, stage: StageConfig, env: NodeJS.ProcessEnv = process.env): ConnectionSpec {
  if (stage.endpoint) {
    const sameKey = base.kind === 'sandbox' && !base.embedded && base.accessKeyId ? { accessKeyId: base.accessKeyId } : {};
    return { kind: 'sandbox', endpoint: stage.endpoint, region: stage.region ?? base.region, embedded: false, ...sameKey };
  }
  if (stage.profile) {
    const region = stage.region ?? listProfiles(env).find((p) => p.name === stage.profile)?.region ?? base.region;
    return { kind: 'aws', profile: stage.profile, region };
  }
  if (stage.region) return base.kind === 'aws' ? { ...base, region: stage.region } : { ...base, region: stage.region };
  return base;
}

/** Whether a stage has a connection of its own (else it is the base connection's). */
export function stageHasOwnConnection(stage: StageConfig): boolean {
  return !!(stage.endpoint || stage.profile || stage.region);
}

/**
 * Each stage's use-case context: a stage without a connection of its own gets `base.ctx`; one
 * with its own gets its clients (made once, disposed by dispose()) and the journal seen as that
 * connection's, with the rest of the base context (logger, signal, progress). `guardFor` makes a
 * stage's CodeDeploy guard from its clients.
 */
export function stageContexts(
  base: { spec: ConnectionSpec; ctx: UseCaseContext },
  journal: Journal,
  options: {
    env?: NodeJS.ProcessEnv;
    connect?: (spec: ConnectionSpec) => Clients;
    guardFor?: (clients: Clients) => UseCaseContext['codeDeployGuard'];
    /** The journal port of a connection (default: journalPortOf). */
    portFor?: (spec: ConnectionSpec) => JournalPort;
  } = {},
): { contextOf(stage: StageConfig | undefined): UseCaseContext; specOf(stage: StageConfig | undefined): ConnectionSpec; dispose(): void } {
  const made = new Map<string, { clients: Clients; ctx: UseCaseContext }>();
  const specOf = (stage: StageConfig | undefined) => (stage && stageHasOwnConnection(stage) ? stageConnection(base.spec, stage, options.env) : base.spec);
  return {
    specOf,
    contextOf(stage) {
      if (!stage || !stageHasOwnConnection(stage)) return base.ctx;
      const spec = specOf(stage);
      const key = JSON.stringify(spec);
      let m = made.get(key);
      if (!m) {
        // A credentials failure of the stage's profile logs the SDK's cause in the same log.
        const clients = options.connect ? options.connect(spec) : createClients(spec, { log: base.ctx.log });
        const guard = options.guardFor?.(clients);
        const ctx: UseCaseContext = {
          ...base.ctx,
          lambda: clients.lambda,
          cloudwatch: clients.cloudwatch,
          capabilities: clients.capabilities,
          region: spec.region,
          profile: spec.kind === 'aws' ? spec.profile : undefined,
          journal: options.portFor?.(spec) ?? journalPortOf(journal, journalConnection(spec)),
          codeDeployGuard: guard,
        };
        m = { clients, ctx };
        made.set(key, m);
      }
      return m.ctx;
    },
    dispose() {
      for (const m of made.values()) m.clients.dispose();
      made.clear();
    },
  };
}

export interface PromoteToStageInput {
  definition: ReleaseDefinition;
  /** The stage to promote to; undefined: the next one after the stage the newest release of the definition went to. */
  target?: string;
  /** The plan of the promotion; default: the workspace's, else the earlier release's. */
  plan?: RolloutPlan;
  /** Each stage's use-case context: its connection's clients and its journal port. */
  contextOf: (stage: StageConfig) => UseCaseContext;
  /** The target stage's runner, on contextOf(target): it publishes and moves the aliases, and front ends follow it. */
  runnerFor: (stage: StageConfig) => ReleaseRunner;
  artifacts: ArtifactStore;
  /** Cancels the promotion where that is safe (as StartReleaseInput's signal: before any traffic moves). */
  signal?: AbortSignal;
  /** Hears what the promotion is doing or waiting for. */
  progress?: (message: string) => void;
}

export interface PromoteToStageResult {
  /** The promotion's outcome: a refusal (nothing changed), or the target stage's release as started. */
  outcome: Outcome<ReleaseView>;
  /** The stage promoted to, and the earlier one with the release it ships (when found). */
  stage?: StageConfig;
  from?: { stage: StageConfig; release: string };
  /** The runner driving the new release (when started). */
  runner?: ReleaseRunner;
}

/**
 * Promote Release to Stage: finds the newest release of the definition to the stage before the
 * target, refuses unless it ended promoted, reads each function's package from the artifact store
 * by the CodeSha256 that release published (refusing when one is missing or corrupt), and starts a
 * release on the target stage's connection that uploads those very bytes (PublishVersion guarded
 * by their CodeSha256, the published CodeSha256 compared), then moves the stage's aliases through
 * the plan, judged, rolled back on Fail. Every refusal comes before anything is written to the
 * target stage.
 */
export async function promoteReleaseToStage(input: PromoteToStageInput): Promise<PromoteToStageResult> {
  const begun = new Date().toISOString();
  const { definition: def } = input;
  const stages = def.stages ?? [];
  try {
    if (stages.length < 2) {
      throw stageError(
        stages.length
          ? `${def.source} names one stage (${stages[0].name}): a promotion needs a stage after it; add it to "stages" in lambda-canary.json.`
          : `${def.source} names no stages: add "stages" to lambda-canary.json, e.g. [{ "name": "staging", "alias": "staging" }, { "name": "prod", "alias": "prod", "profile": "prod" }].`,
      );
    }
    const index = input.target === undefined ? await nextStageIndex(input, stages) : stages.findIndex((s) => s.name === input.target);
    if (index < 0) throw stageError(`${def.source} has no stage ${input.target}: its stages are ${stages.map((s) => s.name).join(', ')}.`);
    const stage = stages[index];
    if (index === 0) throw stageError(`${stage.name} is the first stage: a release goes there from the workspace (lambda-canary release start --stage ${stage.name}); a promotion ships what passed the stage before, and ${stage.name} has none.`);
    const earlier = stages[index - 1];
    const last = await latestRelease(input.contextOf(earlier), def, earlier.name);
    if (!last) throw stageError(`No release of ${def.source} to ${earlier.name} in this journal: release to ${earlier.name} first (lambda-canary release start --stage ${earlier.name}), then promote to ${stage.name}.`, stage);
    const from = { stage: earlier, release: last.id };
    if (isOpen(last)) throw stageError(`Release ${last.id} to ${earlier.name} has not ended (${last.status}: ${last.statusText}): promote to ${stage.name} once it ends promoted.`, stage, from);
    if (last.status !== 'promoted') throw stageError(`Release ${last.id} to ${earlier.name} did not finish healthy: it ended ${last.status} (${last.statusText}). Only what passed ${earlier.name} goes to ${stage.name}: release to ${earlier.name} again.`, stage, from);
    const members: ReleaseMemberInput[] = [];
    const problems: string[] = [];
    for (const m of last.members) {
      if (m.state === 'left') {
        problems.push(`${memberKey(m)} was changed by someone else during release ${last.id} (${m.message ?? 'left'}): what it serves did not pass with the release; release to ${earlier.name} again.`);
        continue;
      }
      if ((m.state !== 'promoted' && m.state !== 'routed' && m.state !== 'unchanged') || !m.codeSha256) {
        problems.push(`${m.functionName}: release ${last.id} recorded no package for it (${m.state}); release to ${earlier.name} again.`);
        continue;
      }
      try {
        const zip = await input.artifacts.get(m.codeSha256);
        const description = `Lambda Canary: ${m.state === 'unchanged' ? `the code ${earlier.name} served` : `${earlier.name} version ${m.version}`} in release ${last.id}, promoted to ${stage.name}`;
        members.push({ functionName: m.functionName, aliasName: stage.alias, artifact: { zip, codeSha256: m.codeSha256, description: description.slice(0, 256) } });
      } catch (err) {
        if (!(err instanceof ArtifactError)) throw err;
        const why = err.reason === 'corrupt' ? `its package (CodeSha256 ${m.codeSha256}) is corrupt in the artifact store: ${err.message}` : `its package (CodeSha256 ${m.codeSha256}) is not kept in the artifact store (${input.artifacts.dir})`;
        problems.push(`${m.functionName}: ${why} Publish the release to ${earlier.name} again (from the workspace), then promote to ${stage.name}.`);
      }
    }
    if (problems.length) throw stageError(`Release ${last.id} to ${earlier.name} cannot be promoted to ${stage.name}: ${problems.join(' ')}`, stage, from);
    const plan = input.plan ?? def.plan ?? last.plan;
    const runner = input.runnerFor(stage);
    const outcome = await runner.start({
      source: def.source,
      members,
      plan,
      trusted: true,
      smokeTest: false,
      stage: stage.name,
      promotedFrom: { stage: earlier.name, release: last.id },
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.progress ? { progress: input.progress } : {}),
    });
    return { outcome, stage, from, runner };
  } catch (err) {
    if (!(err instanceof StageRefusal)) throw err;
    return {
      outcome: {
        id: randomUUID(),
        action: 'release',
        target: { function: '(release)', alias: err.stage?.name ?? '(stage)' },
        startedAt: begun,
        endedAt: new Date().toISOString(),
        versionsPublished: [],
        steps: [],
        state: 'unchanged',
        error: { kind: 'validation', message: err.message, left: 'Nothing was changed.' },
        warnings: [],
      },
      ...(err.stage ? { stage: err.stage } : {}),
      ...(err.from ? { from: err.from } : {}),
    };
  }
}

/** The stage after the one the newest release of the definition went to. */
async function nextStageIndex(input: PromoteToStageInput, stages: StageConfig[]): Promise<number> {
  let newest: { index: number; at: number } | undefined;
  for (const [index, stage] of stages.entries()) {
    const r = await latestRelease(input.contextOf(stage), input.definition, stage.name);
    if (r && (!newest || r.startedAt >= newest.at)) newest = { index, at: r.startedAt };
  }
  if (!newest) throw stageError(`No release of ${input.definition.source} to any stage in this journal: release to ${stages[0].name} first (lambda-canary release start --stage ${stages[0].name}).`);
  if (newest.index === stages.length - 1) throw stageError(`The newest release of ${input.definition.source} went to ${stages[newest.index].name}, the last stage: there is no stage after it. Name the stage to promote to.`);
  return newest.index + 1;
}

/**
 * The newest release of the definition to `stage` in the stage's journal: one of the same source,
 * or of the same functions (the CLI names a source by its folder, the editor by its file). One that
 * ended unchanged (it found every alias serving its code already) moved nothing: the stage is as
 * the release before it left it, so that one counts.
 */
async function latestRelease(ctx: UseCaseContext, def: Pick<ReleaseDefinition, 'source' | 'members'>, stage: string): Promise<ReleaseState | undefined> {
  const outcomes = (await ctx.journal?.releases?.()) ?? [];
  const names = new Set(def.members.map((m) => m.functionName));
  const ours = (s: ReleaseState) => s.source === def.source || (s.members.length === names.size && s.members.every((m) => names.has(m.functionName)));
  return [...foldReleases(outcomes).values()].filter((s) => s.stage === stage && ours(s) && s.status !== 'unchanged').sort((a, b) => b.startedAt - a.startedAt)[0];
}

class StageRefusal extends OperationError {
  constructor(
    message: string,
    readonly stage?: StageConfig,
    readonly from?: { stage: StageConfig; release: string },
  ) {
    super(message, { state: 'Nothing was changed.', kind: 'validation' });
  }
}

function stageError(message: string, stage?: StageConfig, from?: { stage: StageConfig; release: string }): StageRefusal {
  return new StageRefusal(message, stage, from);
}
