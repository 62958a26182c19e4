/**
 * `lambda-canary rollout …`: the core RolloutRunner from a terminal or CI. Without --wait a
 * subcommand does its one action and lets go of the lease; with --wait this process drives the
 * rollout until it ends, or until it needs a person.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { describeAwsError } from '../core/errors';
import { getAlias } from '../core/lambdaApi';
import type { Outcome } from '../core/outcome';
import { aliasState } from '../core/outcome';
import { outcomeText, routingText } from '../core/outcomeText';
import { holderText, leaseLive, markerName, parseLease } from '../core/rollout/lease';
import type { RolloutPlan } from '../core/rollout/plans';
import { describePlan, formatDuration, formatPlan, parsePlanText, PlanError } from '../core/rollout/plans';
import type { RolloutTiming } from '../core/rollout/runner';
import { RolloutRunner } from '../core/rollout/runner';
import type { UseCaseContext } from '../core/usecases';
import { deployWorkspace } from '../core/usecases';
import type { WorkspaceFunction } from '../core/workspace';
import type { RolloutControl, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS, stepLabel } from '../shared/rollout';
import { terminalText } from '../shared/text';
import type { OptionValues } from './args';
import { parseFunctionAlias, UsageError } from './args';
import { COMMANDS, isRolloutSubcommand, ROLLOUT_SPECS } from './commands';
import type { CliIO } from './output';
import { ask, EXIT, exitCodeOf, jsonText } from './output';
import { confirmText, progressText, questions, rolloutText } from './messages';
import type { PreflightReport } from '../shared/triggers';
import type { CodeDeployRolloutView, CodeDeploySend } from '../core/codedeploy/types';
import type { CodeDeployArgs } from './codedeploy';
import { codeDeployStatus, codeDeployStatusLines, engineOf, isCodeDeployArgs, runCodeDeploy, settingsOf } from './codedeploy';
import { preflightRefusal, questionHead, runPreflight } from './triggers';

export type RolloutArgs =
  | CodeDeployArgs
  | { sub: 'status'; functionName?: string; aliasName?: string }
  | { sub: 'start'; functionName: string; aliasName: string; plan: RolloutPlan; version: string; wait: boolean; deploy?: undefined }
  | { sub: 'start'; functionName: string; aliasName: string; plan: RolloutPlan; version?: undefined; wait: boolean; deploy: { ws: WorkspaceFunction; dir: string; build: boolean } }
  | { sub: RolloutControl; functionName: string; aliasName: string; wait: boolean };

/** The local engine's arguments (the runner's). */
type LocalArgs = Exclude<RolloutArgs, CodeDeployArgs>;

/**
 * Reads the folder's workspace function as `deploy` does (--function picks one); throws a
 * UsageError when it cannot be used. `optional`: a folder without a workspace is undefined.
 */
export type ReadWorkspace = (dir: string, optional: boolean) => WorkspaceFunction | undefined;

/** The subcommand and its arguments, checked before anything connects. */
export function planRollout(pos: string[], values: OptionValues, cwd: string, readWorkspace: ReadWorkspace): RolloutArgs {
  const sub = pos[0];
  if (!isRolloutSubcommand(sub)) throw new UsageError(sub === undefined ? rolloutText.noSubcommand : rolloutText.unknownSubcommand(sub), 'rollout');
  const spec = ROLLOUT_SPECS[sub];
  for (const option of Object.keys(COMMANDS.rollout.options)) {
    if (values[option] !== undefined && !spec.options.includes(option)) {
      throw new UsageError(option === 'wait' ? rolloutText.waitNotFor(sub) : rolloutText.optionNotFor(option, sub), 'rollout');
    }
  }
  const target = pos[1];
  if (target === undefined && spec.target === 'required') throw new UsageError(rolloutText.needsTarget(sub), 'rollout');
  const ref = target === undefined ? undefined : parseFunctionAlias(target);
  if (sub === 'status') return { sub, ...ref };
  if (sub === 'stop') return { engine: 'codedeploy', sub, ...ref!, rollback: values.rollback === true };
  const wait = values.wait === true;
  if (sub !== 'start') return { sub, ...ref!, wait };
  const engine = engineOf(values);

  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const version = str('version');
  const dirOption = str('dir');
  if (engine === 'codedeploy' && dirOption !== undefined) throw new UsageError(rolloutText.codeDeployVersionOnly, 'rollout');
  if ((version === undefined) === (dirOption === undefined)) throw new UsageError(rolloutText.versionOrDir, 'rollout');
  if (version !== undefined) {
    for (const option of ['function', 'build']) if (values[option] !== undefined) throw new UsageError(rolloutText.onlyWithDir(option), 'rollout');
    if (!/^[0-9]+$/.test(version)) throw new UsageError(rolloutText.notAVersion(version), 'rollout');
  }
  const dir = path.resolve(cwd, dirOption ?? '.');
  // The workspace is read for --dir, and for its "rollout" when --plan is not given.
  let ws: WorkspaceFunction | undefined;
  if (dirOption !== undefined) ws = readWorkspace(dir, false);
  else if (str('plan') === undefined) {
    // The folder's function's "rollout", if the folder's function is the one named.
    ws = readWorkspace(dir, true);
    if (ws?.functionName !== undefined && ws.functionName !== ref!.functionName) ws = undefined;
  }
  const plan = rolloutPlanOf(str('plan'), ws);
  if (engine === 'codedeploy') {
    if (dirOption !== undefined) throw new UsageError(rolloutText.codeDeployVersionOnly, 'rollout');
    return { engine, sub, ...ref!, plan, version: version!, wait, settings: settingsOf(values, ws?.codeDeploy) };
  }
  if (dirOption === undefined) return { sub, ...ref!, plan, version: version!, wait };

  const which = ws!.functionName ?? ws!.logicalId ?? '?';
  if (ws!.packageType === 'Image') throw new UsageError(rolloutText.imageDir(which), 'rollout');
  if (ws!.functionName !== undefined && ws!.functionName !== ref!.functionName) throw new UsageError(rolloutText.nameMismatch(which, ws!.functionName, ref!.functionName), 'rollout');
  if (values.build === true && ws!.source !== 'template.yaml') throw new UsageError(rolloutText.buildNotSam(path.relative(dir, ws!.file) || ws!.file), 'rollout');
  if (plan.steps[0].weight >= 100) throw new UsageError(rolloutText.dirAllAtOnce(formatPlan(plan)), 'rollout');
  return { sub, ...ref!, plan, wait, deploy: { ws: ws!, dir, build: values.build === true } };
}

/** --plan as typed (a preset's name or steps), else the workspace function's "rollout". */
function rolloutPlanOf(text: string | undefined, ws: WorkspaceFunction | undefined): RolloutPlan {
  if (text !== undefined) {
    try {
      return parsePlanText(text);
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      const caret = e.column !== undefined ? `\n${rolloutText.planCaret(text, e.column)}` : '';
      throw new UsageError(`${rolloutText.badPlan(e.message)}${caret}`, 'rollout');
    }
  }
  if (ws?.rollout) return ws.rollout;
  throw new UsageError(rolloutText.noPlan(ws ? path.basename(ws.file) : undefined), 'rollout');
}

/** Whether the subcommand asks first (and so needs --yes where nothing can ask). */
export function rolloutAsks(a: RolloutArgs): boolean {
  return ROLLOUT_SPECS[a.sub].asks;
}

/** Test hook: shorter runner timing, `tickMs=150,settleMs=1500` (milliseconds; periodSeconds in seconds). */
export function timingFromEnv(env: NodeJS.ProcessEnv): Partial<RolloutTiming> | undefined {
  const raw = env.LAMBDA_CANARY_ROLLOUT_TIMING;
  if (!raw) return undefined;
  const known = ['tickMs', 'leaseTtlMs', 'renewBeforeMs', 'periodSeconds', 'settleMs', 'stableHistoryMs', 'errorPatienceMs'];
  const timing: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m || !known.includes(m[1]) || Number(m[2]) <= 0) throw new UsageError(rolloutText.badTiming(raw));
    timing[m[1]] = Number(m[2]);
  }
  return timing as Partial<RolloutTiming>;
}

export interface RolloutRun {
  io: CliIO;
  /** The use cases' context (progress on stderr, the journal of this connection). */
  ctx: UseCaseContext;
  json: boolean;
  yes: boolean;
  /** The connection's CodeDeploy client (made on first use): CodeDeploy rollouts and their status. */
  codedeploy?: () => Promise<CodeDeploySend>;
}

type Print = (text: string) => void;

/** This process as a lease's liveness check sees it: a lease of a process on this host that is gone binds no one. */
const SELF = { holder: `cli@${markerName(os.hostname())}`, pid: process.pid };

export async function runRollout(a: RolloutArgs, run: RolloutRun): Promise<number> {
  if (isCodeDeployArgs(a)) return runCodeDeploy(a, { ...run, codedeploy: run.codedeploy ?? noCodeDeploy });
  return runLocal(a, run);
}

const noCodeDeploy = (): Promise<CodeDeploySend> => Promise.reject(new Error('no CodeDeploy client on this connection'));

async function runLocal(a: LocalArgs, run: RolloutRun): Promise<number> {
  const { io, ctx } = run;
  const out: Print = (text) => io.stdout.write(`${terminalText(text)}\n`);
  const err: Print = (text) => io.stderr.write(`${terminalText(text)}\n`);
  // The runner's own progress lines are replaced by the step and verdict lines of --wait; it
  // stops on dispose(), not on Ctrl+C's signal, so that letting go of its lease is never cut short.
  const timing = timingFromEnv(io.env);
  const runner = new RolloutRunner({ ...ctx, progress: undefined, signal: undefined }, { client: 'cli', ...(timing ? { timing } : {}) });
  try {
    if (a.sub === 'status') return await status(runner, a, run, out, err);
    await runner.load();
    let outcome: Outcome<RolloutView>;
    let deployed: Outcome | undefined;
    let report: PreflightReport | undefined;
    if (a.sub === 'start') {
      const started = await start(runner, a, run, err);
      if (typeof started === 'number') return started;
      ({ outcome, deployed, report } = started);
    } else {
      const asked = await confirmControl(runner, a, run);
      if (!asked) {
        err(confirmText.declined);
        return EXIT.failed;
      }
      outcome = await runner.control({ functionName: a.functionName, aliasName: a.aliasName, action: a.sub });
    }
    for (const w of outcome.warnings) err(progressText.warning(w));
    const target = `${a.functionName}:${a.aliasName}`;
    const view = outcome.detail;
    if (outcome.error || !view) {
      if (run.json) io.stdout.write(jsonText(withDeploy(outcome, deployed, report)));
      else err(`lambda-canary: ${outcomeText(outcome)}`);
      return exitCodeOf(outcome);
    }
    if (a.wait && !ROLLOUT_ENDS.has(view.status)) return await drive(runner, view, outcome, { deployed, report }, run, out, err);
    if (run.json) io.stdout.write(jsonText(withDeploy(outcome, deployed, report)));
    else if (a.sub === 'start' && view.status === 'running') out(rolloutText.started(a.functionName, a.aliasName, view.id, view.version, stepLabel(view), view.steps[view.current].weight, describePlan(a.plan)));
    else out(rolloutText.end(a.functionName, a.aliasName, view.statusText));
    if (!ROLLOUT_ENDS.has(view.status) && !run.json) err(rolloutText.notDriven(target));
    return EXIT.done;
  } finally {
    await runner.dispose();
  }
}

/** The outcome for --json: with the deploy's (rollout start --dir) and the pre-flight's report. */
function withDeploy(outcome: Outcome<RolloutView>, deployed: Outcome | undefined, report: PreflightReport | undefined): unknown {
  return { ...outcome, ...(deployed ? { versionsPublished: deployed.versionsPublished, deploy: deployed } : {}), ...(report ? { preflight: report } : {}) };
}

/** The alias as read for a question (its routing, and the RevisionId the write must still find); undefined when it cannot be read. */
async function readAlias(ctx: UseCaseContext, functionName: string, aliasName: string): Promise<AliasConfiguration | undefined> {
  try {
    return await getAlias(ctx.lambda, functionName, aliasName, ctx.signal);
  } catch {
    return undefined;
  }
}

type StartArgs = Extract<LocalArgs, { sub: 'start' }>;

async function start(runner: RolloutRunner, a: StartArgs, run: RolloutRun, err: Print): Promise<number | { outcome: Outcome<RolloutView>; deployed?: Outcome; report: PreflightReport }> {
  const { ctx, io } = run;
  const ref = { functionName: a.functionName, aliasName: a.aliasName };
  // What bypasses the alias, what Lambda would refuse: before anything is asked or written.
  const gate = await runPreflight(ctx, { ...ref, ...(a.version !== undefined ? { version: a.version } : {}) });
  const refused = preflightRefusal(gate, 'rollout', run);
  if (refused !== undefined) return refused;
  const report = gate.report;
  let expectedRevisionId: string | undefined;
  let alias: AliasConfiguration | undefined;
  if (a.deploy || !run.yes) alias = await readAlias(ctx, a.functionName, a.aliasName);
  if (!run.yes) {
    const now = alias ? routingText(a.aliasName, aliasState(alias)) : undefined;
    const question = a.deploy
      ? rolloutText.startDirQuestion(a.deploy.dir, a.functionName, a.aliasName, a.plan.steps[0].weight, describePlan(a.plan), now)
      : rolloutText.startQuestion(a.functionName, a.aliasName, a.version, describePlan(a.plan), now);
    if (!(await ask(io, `${terminalText(`${questionHead(gate)}${question}`)}${questions.suffix}`))) {
      err(confirmText.declined);
      return EXIT.failed;
    }
    expectedRevisionId = alias?.RevisionId;
  }
  if (!a.deploy) {
    return { outcome: await runner.start({ ...ref, version: a.version, plan: a.plan, ...(expectedRevisionId ? { expectedRevisionId } : {}) }), report };
  }
  // A deploy would move the weight under a rollout that runs (here or another driver's): refused
  // before anything is deployed, on stderr and, with --json, as an outcome (a CI job parses stdout).
  const problem = alias && runner.startProblem(alias, ref);
  if (problem) {
    const message = `${problem.message} ${rolloutText.nothingDeployed}`;
    err(`lambda-canary: ${message}`);
    if (run.json) io.stdout.write(jsonText({ action: 'rollout', target: { function: a.functionName, alias: a.aliasName }, state: 'unchanged', error: { kind: problem.kind, message, left: 'Nothing was changed.' }, warnings: [], preflight: report }));
    return problem.kind === 'conflict' ? EXIT.conflict : EXIT.usage;
  }
  if (a.deploy.ws.testEventSuggested && a.deploy.ws.testEventFile) err(rolloutText.sampleEvent(path.relative(a.deploy.dir, a.deploy.ws.testEventFile).split(path.sep).join('/')));
  const deployed = await deployWorkspace(ctx, {
    ...ref,
    ...(expectedRevisionId ? { expectedRevisionId } : {}),
    fn: a.deploy.ws,
    weightPercent: a.plan.steps[0].weight,
    trusted: true,
    smokeTest: true,
    ...(a.deploy.build ? { samBuild: 'run' as const } : {}),
  });
  for (const w of deployed.warnings) err(progressText.warning(w));
  const version = deployed.versionsPublished[0]?.version ?? Object.keys(deployed.after?.weights ?? {})[0];
  if (deployed.error || deployed.state === 'unknown' || version === undefined) {
    if (run.json) io.stdout.write(jsonText({ ...deployed, preflight: report }));
    else if (deployed.error) err(`lambda-canary: ${outcomeText(deployed)}`);
    else err(`lambda-canary: ${outcomeText(deployed)}\n${rolloutText.noCanary(a.functionName, a.aliasName)}`);
    return deployed.error || deployed.state === 'unknown' ? exitCodeOf(deployed) : EXIT.failed;
  }
  err(rolloutText.adopted(version));
  const outcome = await runner.start({ ...ref, version, plan: a.plan });
  return { outcome, deployed, report };
}

/** next, promote and abort ask first (with the rollout as it is); pause and resume do not. */
async function confirmControl(runner: RolloutRunner, a: Extract<LocalArgs, { sub: RolloutControl }>, run: RolloutRun): Promise<boolean> {
  if (run.yes || (a.sub !== 'next' && a.sub !== 'promote' && a.sub !== 'abort')) return true;
  const v = runner.view(a.functionName, a.aliasName);
  // Nothing to ask about: the control is refused and says why.
  if (!v || ROLLOUT_ENDS.has(v.status)) return true;
  const step = `${stepLabel(v)}, ${v.steps[v.current].weight}% on version ${v.version}`;
  return ask(run.io, `${terminalText(rolloutText.controlQuestion(a.sub, a.functionName, a.aliasName, v.version, v.stable, step))}${questions.suffix}`);
}

/** A held rollout needs a person: --wait stops there. */
const HELD = new Set(['halted', 'waiting', 'paused']);

/** --wait: drives until the rollout ends, is held, or Ctrl+C; each step and decisive verdict on stderr as it happens. */
async function drive(
  runner: RolloutRunner,
  first: RolloutView,
  outcome: Outcome<RolloutView>,
  extra: { deployed?: Outcome; report?: PreflightReport },
  run: RolloutRun,
  out: Print,
  err: Print,
): Promise<number> {
  const target = `${first.functionName}:${first.aliasName}`;
  const told = new Set<string>();
  const report = (v: RolloutView) => {
    v.steps.forEach((s, i) => {
      if (s.startedAt !== undefined && i <= v.current && !told.has(`step ${i}`)) {
        told.add(`step ${i}`);
        err(rolloutText.step(i, v.steps.length, s.weight, v.version));
      }
      if (s.verdict && s.sentence && !told.has(`verdict ${i} ${s.verdict} ${s.sentence}`)) {
        told.add(`verdict ${i} ${s.verdict} ${s.sentence}`);
        err(rolloutText.verdict(s.verdict, s.sentence));
      }
    });
  };
  report(first);
  const result = await new Promise<{ view: RolloutView; how: 'ended' | 'held' | 'interrupted' }>((resolve) => {
    let latest = first;
    let settled = false;
    const subs: Array<{ dispose(): void }> = [];
    const done = (how: 'ended' | 'held' | 'interrupted', view: RolloutView) => {
      if (settled) return;
      settled = true;
      for (const s of subs) s.dispose();
      run.io.signal?.removeEventListener('abort', onAbort);
      resolve({ view, how });
    };
    const onAbort = () => done('interrupted', latest);
    subs.push(
      runner.onDidChange((v) => {
        if (v.id !== first.id) return;
        latest = v;
        report(v);
        if (ROLLOUT_ENDS.has(v.status)) done('ended', v);
        else if (HELD.has(v.status)) done('held', v);
      }),
    );
    if (run.io.signal?.aborted) return onAbort();
    run.io.signal?.addEventListener('abort', onAbort, { once: true });
    if (HELD.has(first.status)) return done('held', first);
    runner.waitForEnd(first.id).then(
      (v) => done('ended', v),
      () => done('held', latest),
    );
  });
  // Let go of the lease before saying so.
  await runner.dispose();
  const view = runner.views().find((v) => v.id === first.id) ?? result.view;
  const final = result.how === 'interrupted' ? view : result.view;
  const verdicts = final.steps.flatMap((s, i) => (s.verdict ? [{ step: i + 1, weight: s.weight, verdict: s.verdict, sentence: s.sentence }] : []));
  const code =
    result.how === 'interrupted'
      ? EXIT.interrupted
      : result.how === 'held'
        ? EXIT.conflict
        : final.status === 'promoted' || final.status === 'completed'
          ? EXIT.done
          : EXIT.failed;
  if (run.json) run.io.stdout.write(jsonText({ ...(withDeploy({ ...outcome, detail: final }, extra.deployed, extra.report) as object), verdicts, exitCode: code }));
  if (result.how === 'interrupted') {
    err(rolloutText.interrupted(target));
    return code;
  }
  if (!run.json) out(result.how === 'held' ? rolloutText.held(first.functionName, first.aliasName, final.statusText) : rolloutText.end(first.functionName, first.aliasName, final.statusText));
  if (result.how === 'held') err(rolloutText.heldHint(target));
  return code;
}

// ---- status ----------------------------------------------------------------------------------

async function status(runner: RolloutRunner, a: Extract<RolloutArgs, { sub: 'status' }>, run: RolloutRun, out: Print, err: Print): Promise<number> {
  const { ctx, io } = run;
  await runner.load();
  let views: RolloutView[];
  if (a.functionName !== undefined) {
    const v = runner.view(a.functionName, a.aliasName!);
    views = v ? [v] : [];
  } else {
    // Each alias's active rollout, else its latest.
    const seen = new Set<string>();
    views = [];
    for (const v of runner.views()) {
      const key = `${v.functionName}:${v.aliasName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      views.push(runner.view(v.functionName, v.aliasName)!);
    }
  }
  const now = Date.now();
  // The driver, from the lease on each active rollout's alias (read only).
  const expired = new Map<string, number | undefined>();
  let readFailed = false;
  for (const v of views) {
    if (ROLLOUT_ENDS.has(v.status)) continue;
    delete v.driver;
    try {
      const lease = parseLease((await getAlias(ctx.lambda, v.functionName, v.aliasName, ctx.signal)).Description).lease;
      if (lease && lease.rollout === v.id && leaseLive(lease, now, SELF)) v.driver = { holder: holderText(lease), since: lease.since, until: lease.until, self: false };
      else expired.set(v.id, lease?.rollout === v.id ? lease.until : undefined);
    } catch (e) {
      readFailed = true;
      err(rolloutText.driverUnread(`${v.functionName}:${v.aliasName}`, describeAwsError(e, ctx.profile).message));
    }
  }
  // No record here of an alias a process elsewhere drives: its lease still says who.
  let foreign: string | undefined;
  let foreignLease: { rollout: string; step: number; steps: number; holder: string; since: number; until: number } | undefined;
  if (a.functionName !== undefined && views.length === 0) {
    const alias = await readAlias(ctx, a.functionName, a.aliasName!);
    const lease = parseLease(alias?.Description).lease;
    if (lease && leaseLive(lease, now, SELF)) {
      foreign = rolloutText.foreignLease(`${a.functionName}:${a.aliasName}`, lease.rollout, lease.step, lease.steps, holderText(lease), lease.since, lease.until);
      foreignLease = { rollout: lease.rollout, step: lease.step, steps: lease.steps, holder: holderText(lease), since: lease.since, until: lease.until };
    }
  }
  // CodeDeploy rollouts: this journal's, and for one alias the deployment in flight on it (SAM's too).
  const cd = run.codedeploy ? await codeDeployStatus(a, { ctx, codedeploy: run.codedeploy }, err) : { views: [], readFailed: false };
  if (cd.readFailed) readFailed = true;
  if (a.functionName !== undefined && cd.views.length) {
    // The alias's CodeDeploy rollout in flight, or the newer of the two.
    const local = views[0];
    const remote = cd.views[0];
    if (!local || remote.status === 'running' || (ROLLOUT_ENDS.has(local.status) && remote.startedAt > local.startedAt)) views = [remote];
  } else views = [...views, ...cd.views];
  if (run.json) {
    // A rollout known only from the lease of a driver elsewhere: what the lease says.
    io.stdout.write(jsonText(a.functionName !== undefined ? (views[0] ?? (foreignLease ? { functionName: a.functionName, aliasName: a.aliasName, lease: foreignLease } : null)) : views));
    return readFailed ? EXIT.failed : EXIT.done;
  }
  if (views.length === 0) {
    out(foreign ?? rolloutText.none(a.functionName !== undefined ? `${a.functionName}:${a.aliasName}` : undefined));
    return readFailed ? EXIT.failed : EXIT.done;
  }
  views.forEach((v, i) => {
    if (i > 0) out('');
    const lines = v.engine === 'codedeploy' ? codeDeployStatusLines(v as CodeDeployRolloutView) : statusLines(v, now, expired.has(v.id) ? { until: expired.get(v.id) } : undefined);
    for (const line of lines) out(line);
  });
  return readFailed ? EXIT.failed : EXIT.done;
}

function statusLines(v: RolloutView, now: number, notDriven: { until?: number } | undefined): string[] {
  const target = `${v.functionName}:${v.aliasName}`;
  const active = !ROLLOUT_ENDS.has(v.status);
  const plan = { name: v.planName, steps: v.steps.map((s) => ({ weight: s.weight, bakeSeconds: s.bakeSeconds, gate: s.gate })), promote: v.steps[v.steps.length - 1]?.weight === 100 };
  const lines = [rolloutText.heading(target, v.id, v.version, v.stable, v.status, stepLabel(v)), rolloutText.plan(v.planText, describePlan(plan)), rolloutText.startedAt(v.startedAt, v.endedAt)];
  v.steps.forEach((s, i) => {
    const current = active && i === v.current;
    let when = rolloutText.stepWhen(s.startedAt, s.endedAt);
    if (current && v.bakeStart !== undefined && v.bakeMs !== undefined) {
      const left = v.bakeStart + v.bakeMs - now;
      when = `${when}, ${left > 0 ? rolloutText.bakeLeft(formatDuration(Math.ceil(left / 1000))) : rolloutText.bakeOver}`;
    }
    const bake = s.weight >= 100 ? rolloutText.promotion : `bake ${formatDuration(s.bakeSeconds)}`;
    lines.push(rolloutText.stepLine(current, i, s.weight, bake, s.gate === 'manual', when, s.verdict ? rolloutText.verdict(s.verdict, s.sentence ?? '') : ''));
  });
  if (active && v.evidence) lines.push(rolloutText.evidence(v.evidence.verdict, v.evidence.sentence));
  lines.push(rolloutText.statusLine(v.statusText));
  if (active) {
    if (v.driver) lines.push(rolloutText.drivenBy(v.driver.holder, v.driver.since, v.driver.until, v.driver.self));
    else if (notDriven) lines.push(rolloutText.notDrivenExpired(notDriven.until, target));
  }
  return lines;
}
