import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { newAliasVersions } from '../core/deployAlias';
import { describeAwsError, errorSummary, OperationError } from '../core/errors';
import { defaultJournalDir, Journal, journalPortOf, sameConnection } from '../core/journal';
import type { LambdaSend } from '../core/lambdaApi';
import { getAlias, listAliases, listAllFunctions, listVersions } from '../core/lambdaApi';
import type { LogLevel } from '../core/log';
import { RedactingLogger } from '../core/log';
import type { Outcome } from '../core/outcome';
import type { TriggerFixDetail } from '../shared/triggers';
import type { CliIO } from './output';
import { ask, EXIT, exitCodeOf, jsonText } from './output';
import { aliasState, targetKey, targetOf } from '../core/outcome';
import { outcomeText, routingText } from '../core/outcomeText';
import type { JournalPort, UseCaseContext } from '../core/usecases';
import { checkImageUri } from '../core/imageUri';
import { deployImage, deployWorkspace, probe, promote, rollback, setCanaryWeight, startCanary, switchAlias, switchBack, trafficReport } from '../core/usecases';
import type { WorkspaceDiscovery, WorkspaceFunction } from '../core/workspace';
import { ConfigError, describeSkipped, discoverWorkspace, readTestEvent } from '../core/workspace';
import { plainText, terminalText } from '../shared/text';
import { version as CLI_VERSION } from '../../package.json';
import type { OptionValues } from './args';
import { parseCommandLine, parseCount, parseFunctionAlias, parseFunctionMaybeAlias, parsePercent, parseTriggerId, parseTriggersTarget, parseWindow, UsageError } from './args';
import type { CommandName } from './commands';
import { commandAsks } from './commands';
import type { CliConnection } from './connection';
import { openConnection } from './connection';
import type { RolloutArgs } from './rollout';
import { planRollout, rolloutAsks, runRollout } from './rollout';
import { codeDeployGuardFor } from '../core/codeDeployModule';
import type { HistoryArgs } from './history';
import { planHistory, runHistory } from './history';
import type { ReleaseArgs } from './release';
import { planRelease, releaseAsks, runRelease } from './release';
import { ArtifactStore } from '../core/releases/artifacts';
import { stageContexts } from '../core/releases/stages';
import type { PreflightGate, TriggersArgs } from './triggers';
import { preflightRefusal, questionHead, runPreflight, runTriggers } from './triggers';
import { commandHelp, confirmText, deployText, errorText, journalText, listText, progressText, questions, showText, topHelp, usage } from './messages';

export type { CliIO } from './output';
export { EXIT, exitCodeOf, jsonText } from './output';

export const CLI_CLIENT = { kind: 'cli', version: CLI_VERSION } as const;

/** The use cases' log on stderr, with --verbose only: the outcome says what matters. */
class StderrLogger extends RedactingLogger {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly verbose: boolean,
  ) {
    super();
  }
  protected write(level: LogLevel, line: string): void {
    if (this.verbose) this.out.write(`${level}: ${terminalText(line)}\n`);
  }
}

/** One run of `lambda-canary ARGS…`: parses, runs one command, prints, returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const err = (line: string) => io.stderr.write(`${terminalText(line)}\n`);
  let command: CommandName | undefined;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') {
      io.stdout.write(parsed.command ? commandHelp(parsed.command, parsed.sub) : topHelp(CLI_VERSION));
      return EXIT.done;
    }
    if (parsed.kind === 'version') {
      io.stdout.write(`${CLI_VERSION}\n`);
      return EXIT.done;
    }
    command = parsed.command;
    return await runCommand(parsed.command, parsed.positionals, parsed.values, io);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`lambda-canary: ${e.message}`);
      err(usage.seeHelp(e.command ?? command));
      return EXIT.usage;
    }
    err(`lambda-canary: ${errorText.unexpected(errorSummary(e))}`);
    return EXIT.failed;
  }
}

/** A command's arguments, checked before anything connects. */
type Plan =
  | { kind: 'list' }
  | { kind: 'show'; functionName: string }
  | { kind: 'journal'; functionName?: string; aliasName?: string; limit: number }
  | { kind: 'deploy'; ws: WorkspaceFunction; dir: string; functionName: string; aliasName: string; weightPercent: number; smokeTest: boolean; imageUri?: undefined; build: boolean }
  /** `ws`: the workspace's function when the folder has one (its alias and test event). */
  | { kind: 'deploy'; ws?: WorkspaceFunction; dir: string; functionName: string; aliasName: string; weightPercent: number; smokeTest: boolean; imageUri: string; build?: undefined }
  | { kind: 'canary'; functionName: string; aliasName: string; version: string; weightPercent: number }
  | { kind: 'weight'; functionName: string; aliasName: string; weightPercent: number }
  | { kind: 'promote' | 'rollback'; functionName: string; aliasName: string; expectedCanary?: string }
  | { kind: 'switch-back'; functionName: string; aliasName: string }
  | { kind: 'switch'; functionName: string; aliasName: string; version: string }
  | { kind: 'probe'; functionName: string; aliasName: string; count: number }
  | { kind: 'traffic'; functionName: string; aliasName: string; windowMinutes: number }
  | { kind: 'rollout'; args: RolloutArgs }
  | { kind: 'history'; args: HistoryArgs }
  | { kind: 'release'; args: ReleaseArgs }
  | ({ kind: 'triggers' } & TriggersArgs);

/** A deploy whose workspace names no alias: `--alias` is needed, asked for once the function's aliases can be listed. */
type DeployWithoutAlias = Omit<Extract<Plan, { kind: 'deploy' }>, 'aliasName'> & { aliasName?: undefined };

/** The commands about one alias. */
type AliasPlan = Exclude<Plan, { kind: 'list' | 'show' | 'journal' | 'rollout' | 'triggers' | 'history' | 'release' }>;

function plan(command: CommandName, pos: string[], values: OptionValues, cwd: string): Plan | DeployWithoutAlias {
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const required = (name: string) => {
    const v = str(name);
    if (v === undefined) throw new UsageError(usage.missingOption(command, `--${name}`), command);
    return v;
  };
  const withCommand = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw e instanceof UsageError && !e.command ? new UsageError(e.message, command) : e;
    }
  };
  return withCommand((): Plan | DeployWithoutAlias => {
    switch (command) {
      case 'list':
        return { kind: 'list' };
      case 'show':
        return { kind: 'show', functionName: pos[0] };
      case 'journal': {
        const limit = parseCount('--limit', str('limit') ?? '20');
        return { kind: 'journal', ...(pos[0] ? parseFunctionMaybeAlias(pos[0]) : {}), limit };
      }
      case 'deploy':
        return planDeploy(values, cwd);
      case 'canary':
        return { kind: 'canary', ...parseFunctionAlias(pos[0]), version: required('version'), weightPercent: parsePercent('--weight', required('weight')) };
      case 'weight':
        return { kind: 'weight', ...parseFunctionAlias(pos[0]), weightPercent: parsePercent('weight', pos[1]) };
      case 'promote':
      case 'rollback': {
        const v = str('version');
        if (v !== undefined && !/^[0-9]+$/.test(v)) throw new UsageError(usage.badVersion(v));
        return { kind: command, ...parseFunctionAlias(pos[0]), ...(v !== undefined ? { expectedCanary: v } : {}) };
      }
      case 'switch-back':
        return { kind: command, ...parseFunctionAlias(pos[0]) };
      case 'switch':
        return { kind: 'switch', ...parseFunctionAlias(pos[0]), version: pos[1] };
      case 'probe':
        return { kind: 'probe', ...parseFunctionAlias(pos[0]), count: parseCount('--count', str('count') ?? '100') };
      case 'traffic':
        return { kind: 'traffic', ...parseFunctionAlias(pos[0]), windowMinutes: parseWindow(str('window') ?? '15m') };
      case 'triggers': {
        const target = parseTriggersTarget(pos[0]);
        const fix = str('fix');
        if (fix !== undefined && target.aliasName === undefined) throw new UsageError(usage.fixNeedsAlias(target.functionName));
        const undo = values.undo === true;
        if (undo && fix !== undefined) throw new UsageError(usage.fixOrUndo);
        if (undo && target.aliasName === undefined) throw new UsageError(usage.undoNeedsAlias(target.functionName));
        return { kind: 'triggers', ...target, ...(fix !== undefined ? { fix: parseTriggerId(fix) } : {}), ...(undo ? { undo } : {}) };
      }
      case 'history':
        return { kind: 'history', args: planHistory(pos, values) };
      case 'release':
        return { kind: 'release', args: planRelease(pos, values, cwd) };
      case 'rollout':
        return { kind: 'rollout', args: planRollout(pos, values, cwd, (dir, optional) => rolloutWorkspace(values, dir, optional)) };
    }
  });
}

/**
 * The workspace function to deploy, as the extension finds it (lambda-canary.json, else
 * template.yaml). With --image-uri (an image function), the folder is read only when it has a
 * workspace: --function-name is enough.
 */
function planDeploy(values: OptionValues, cwd: string): Plan | DeployWithoutAlias {
  const dir = path.resolve(cwd, typeof values.dir === 'string' ? values.dir : '.');
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(deployText.noDir(dir));
  const imageUri = typeof values['image-uri'] === 'string' ? values['image-uri'] : undefined;
  if (imageUri !== undefined) {
    const checked = checkImageUri(imageUri);
    if (!checked.ok) throw new UsageError(deployText.badImageUri(checked.message));
  }
  const deployedName = typeof values['function-name'] === 'string' ? values['function-name'] : undefined;
  const common = {
    kind: 'deploy' as const,
    dir,
    weightPercent: parsePercent('--weight', typeof values.weight === 'string' ? values.weight : '10'),
    smokeTest: !values['no-smoke'],
  };
  let ws: WorkspaceFunction | undefined;
  // An image deploy of a named function needs no workspace: the folder is read only when --dir or
  // --function says it holds the function (its alias and test event).
  const imageOnly = imageUri !== undefined && deployedName !== undefined && values.dir === undefined && values.function === undefined;
  if (!imageOnly) {
    try {
      ws = workspaceFunction(values, dir);
    } catch (e) {
      if (!(e instanceof NoWorkspace && imageUri !== undefined && deployedName !== undefined)) throw e instanceof NoWorkspace ? new UsageError(e.message) : e;
    }
  }
  checkDeployKind(ws, imageUri);
  if (ws && deployedName !== undefined && ws.functionName !== undefined && deployedName !== ws.functionName) {
    throw new UsageError(deployText.nameMismatch(label(ws), ws.functionName, deployedName));
  }
  const functionName = ws?.functionName ?? deployedName;
  if (!functionName) throw new UsageError(deployText.computedName(ws?.logicalId ?? (ws ? label(ws) : '?')));
  // No alias assumed: none given and none declared → asked for once the function's aliases are listed.
  const aliasName = typeof values.alias === 'string' ? values.alias : ws?.alias;
  const alias = aliasName !== undefined ? { aliasName } : {};
  if (imageUri !== undefined) {
    if (values.build === true) throw new UsageError(deployText.buildImage);
    return { ...common, ws, functionName, ...alias, imageUri: imageUri.trim() };
  }
  if (values.build === true && ws!.source !== 'template.yaml') throw new UsageError(deployText.buildNotSam(path.relative(dir, ws!.file) || ws!.file));
  return { ...common, ws: ws!, functionName, ...alias, build: values.build === true };
}

/** How a workspace function is named in messages: its FunctionName, else its logical id. */
const label = (f: WorkspaceFunction) => f.functionName ?? f.logicalId ?? '?';

/** The workspace function `rollout start` reads: undefined when `optional` and the folder has none. */
function rolloutWorkspace(values: OptionValues, dir: string, optional: boolean): WorkspaceFunction | undefined {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(deployText.noDir(dir));
  try {
    return workspaceFunction(values, dir);
  } catch (e) {
    if (!(e instanceof NoWorkspace)) throw e;
    if (optional) return undefined;
    throw new UsageError(e.message);
  }
}

/** The folder has no workspace (or no usable function in it). */
class NoWorkspace extends Error {}

function workspaceFunction(values: OptionValues, dir: string): WorkspaceFunction {
  let discovery: WorkspaceDiscovery;
  try {
    discovery = discoverWorkspace(dir);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OperationError) throw new UsageError(deployText.configError(e.message));
    throw e;
  }
  const { functions: found, skipped } = discovery;
  if (found.length === 0) throw new NoWorkspace(skipped.length ? deployText.noUsableFunction(dir, skipped.map((s) => describeSkipped(s, dir))) : deployText.noWorkspace(dir));
  const wanted = typeof values.function === 'string' ? values.function : undefined;
  if (wanted !== undefined) {
    // --function picks a function of the workspace, never names a deployed one: a logical id
    // is not a function name.
    const ws = found.find((f) => f.functionName === wanted) ?? found.find((f) => f.logicalId === wanted);
    const unusable = ws ? undefined : skipped.find((s) => s.name === wanted);
    if (unusable) throw new UsageError(deployText.skippedFunction(wanted, describeSkipped(unusable, dir)));
    if (!ws) throw new UsageError(deployText.noSuchFunction(wanted, found.map(label)));
    return ws;
  }
  if (found.length > 1) throw new UsageError(deployText.severalFunctions(found.map(label)));
  return found[0];
}

/**
 * The workspace's test event for an image deploy's smoke test, read before anything is asked;
 * `broken`: it cannot be read, so nothing will be deployed and the deploy's outcome says why.
 */
function imageSmokeEvent(p: Plan): { read?: () => unknown; broken: boolean } {
  if (p.kind !== 'deploy' || p.imageUri === undefined || !p.smokeTest || !p.ws) return { broken: false };
  try {
    const event = readTestEvent(p.ws);
    return { read: () => event, broken: false };
  } catch (e) {
    if (!(e instanceof OperationError)) throw e;
    return {
      read: () => {
        throw e;
      },
      broken: true,
    };
  }
}

/**
 * A workspace image function needs --image-uri (nothing is built here). --image-uri with a zip
 * function is left to the deploy, which reads the deployed function and says why it cannot.
 */
export function checkDeployKind(ws: WorkspaceFunction | undefined, imageUri: string | undefined): void {
  if (ws?.packageType === 'Image' && imageUri === undefined) throw new UsageError(deployText.imageNeedsUri(ws.functionName ?? ws.logicalId ?? 'The function'));
}

async function runCommand(command: CommandName, positionals: string[], values: OptionValues, io: CliIO): Promise<number> {
  const json = values.json === true;
  const out = (text: string) => io.stdout.write(`${terminalText(text)}\n`);
  const err = (text: string) => io.stderr.write(`${terminalText(text)}\n`);
  const planned = plan(command, positionals, values, io.cwd ?? process.cwd());
  // A --sandbox run's records are about a sandbox that ends with the command: kept apart from
  // the records of real accounts, in a folder of their own.
  const defaultDir = values.sandbox === true ? path.join(defaultJournalDir(io.env), 'sandbox') : defaultJournalDir(io.env);
  const journalDir = path.resolve(io.cwd ?? process.cwd(), typeof values['journal-dir'] === 'string' ? values['journal-dir'] : defaultDir);
  const journal = new Journal(journalDir, { client: CLI_CLIENT });

  if (planned.kind === 'journal') return showJournal(journal, planned, json, out, err, io);

  // Refused before connecting (and before starting any sandbox): nothing can be asked here.
  const asks = planned.kind === 'rollout' ? rolloutAsks(planned.args) : planned.kind === 'release' ? releaseAsks(planned.args) : commandAsks(command, values, positionals);
  if (asks && !values.yes && !io.isTTY) {
    err(`lambda-canary: ${planned.kind === 'triggers' ? confirmText.fixNeedsYes : confirmText.needsYes(planned.kind === 'rollout' ? `rollout ${planned.args.sub}` : planned.kind === 'release' ? `release ${planned.args.sub}` : planned.kind === 'history' ? 'history return' : command)}`);
    return EXIT.usage;
  }

  const log = new StderrLogger(io.stderr, values.verbose === true);
  const conn = await openConnection(values, io.env, err, log);
  try {
    const { clients } = conn;
    const signal = io.signal;
    const profile = clients.spec.kind === 'aws' ? clients.spec.profile : undefined;
    if (planned.kind === 'deploy' && planned.aliasName === undefined) throw await aliasNeeded(planned, clients.lambda, profile, signal);
    const p = planned as Exclude<Plan, { kind: 'journal' }>;
    if (p.kind === 'list') return await listFunctions(conn, json, io, out, err, signal);
    if (p.kind === 'show') return await showFunction(conn, p.functionName, json, io, out, err, signal);

    const port: JournalPort = journalPortOf(journal, conn.journal);
    const ctx: UseCaseContext = {
      lambda: clients.lambda,
      cloudwatch: clients.cloudwatch,
      capabilities: clients.capabilities,
      log,
      signal,
      progress: (m) => err(m),
      profile,
      region: clients.spec.region,
      journal: port,
      // Every alias write asks first whether CodeDeploy is shifting the alias (dist/codedeploy.js, loaded then).
      codeDeployGuard: codeDeployGuardFor(clients),
    };

    if (p.kind === 'history') return await runHistory(p.args, { io, ctx, yes: values.yes === true, cloudtrail: () => clients.cloudtrail() });
    if (p.kind === 'release') {
      // A stage of lambda-canary.json may name its own account, region or local sandbox: its clients are made when used.
      const stages = stageContexts({ spec: clients.spec, ctx }, journal, { env: io.env, guardFor: (c) => codeDeployGuardFor(c) });
      try {
        return await runRelease(p.args, { io, ctx, json, yes: values.yes === true, contextOf: stages.contextOf, artifacts: new ArtifactStore(journal.dir) });
      } finally {
        stages.dispose();
      }
    }
    if (p.kind === 'rollout') return await runRollout(p.args, { io, ctx, json, yes: values.yes === true, codedeploy: () => clients.codedeploy() });
    if (p.kind === 'triggers') {
      const lastFix = async (functionName: string, aliasName: string) => {
        const { records } = await journal.read({ functionName, aliasName });
        const last = records.filter((r) => r.outcome.action === 'trigger-fix' && sameConnection(r.connection, conn.journal)).at(-1);
        return last?.outcome as Outcome<TriggerFixDetail> | undefined;
      };
      return await runTriggers(p, { io, ctx, json, yes: values.yes === true, lastFix });
    }

    // An image deploy's test event is read before the question: a broken one is the deploy's outcome, asked about by no one.
    const smoke = imageSmokeEvent(p);
    // Before a canary's weight moves: what bypasses the alias, what Lambda would refuse. A deploy's
    // version is not published yet: its checks are the alias's (and the use case's own).
    let gate: PreflightGate | undefined;
    if ((p.kind === 'canary' || p.kind === 'deploy') && !smoke.broken) {
      gate = await runPreflight(ctx, { functionName: p.functionName, aliasName: p.aliasName, ...(p.kind === 'canary' ? { version: p.version } : {}) });
      const refused = preflightRefusal(gate, p.kind, { io, json, yes: values.yes === true });
      if (refused !== undefined) return refused;
    }
    let expectedRevisionId: string | undefined;
    // A deploy that cannot run (its test event is broken) changes nothing: not asked about.
    if (commandAsks(command, values) && !values.yes && !smoke.broken) {
      const asked = await confirmChange(p, ctx, journal, io, questionHead(gate));
      if (!asked.yes) {
        err(confirmText.declined);
        return EXIT.failed;
      }
      expectedRevisionId = asked.revisionId;
    }

    const ref = { functionName: p.functionName, aliasName: p.aliasName, ...(expectedRevisionId ? { expectedRevisionId } : {}) };
    let outcome: Outcome;
    switch (p.kind) {
      case 'deploy':
        // A SAM project's sample event nobody configured: used, and said so (a terminal cannot be asked in CI).
        if (p.smokeTest && p.ws?.testEventSuggested && p.ws.testEventFile) err(deployText.sampleEvent(path.relative(p.dir, p.ws.testEventFile).split(path.sep).join('/')));
        if (p.imageUri !== undefined) {
          outcome = await deployImage(ctx, { ...ref, imageUri: p.imageUri, weightPercent: p.weightPercent, readSmokeEvent: smoke.read });
        } else outcome = await deployWorkspace(ctx, { ...ref, fn: p.ws, weightPercent: p.weightPercent, trusted: true, smokeTest: p.smokeTest, ...(p.build ? { samBuild: 'run' as const } : {}) });
        break;
      case 'canary':
        outcome = await startCanary(ctx, { ...ref, version: p.version, weightPercent: p.weightPercent });
        break;
      case 'weight':
        outcome = await setCanaryWeight(ctx, { ...ref, weightPercent: p.weightPercent });
        break;
      case 'promote':
        outcome = await promote(ctx, { ...ref, expectedCanary: p.expectedCanary });
        break;
      case 'rollback':
        outcome = await rollback(ctx, { ...ref, expectedCanary: p.expectedCanary });
        break;
      case 'switch':
        outcome = await switchAlias(ctx, { ...ref, version: p.version });
        break;
      case 'switch-back':
        outcome = await switchBack(ctx, ref);
        break;
      case 'probe': {
        const quarter = Math.max(1, Math.ceil(p.count / 4));
        outcome = await probe(ctx, { ...ref, count: p.count, onProgress: (done) => done % quarter === 0 && done < p.count && err(progressText.probeProgress(done, p.count)) });
        break;
      }
      case 'traffic':
        outcome = await trafficReport(ctx, { ...ref, windowMinutes: p.windowMinutes });
        break;
    }
    for (const w of outcome.warnings) err(progressText.warning(w));
    if (json) io.stdout.write(jsonText(gate ? { ...outcome, preflight: gate.report } : outcome));
    else if (outcome.error) err(`lambda-canary: ${outcomeText(outcome)}`);
    else out(outcomeText(outcome));
    if (p.kind === 'deploy' && !p.build && outcome.error?.step === 'SAM build') err(deployText.buildHint);
    return exitCodeOf(outcome);
  } finally {
    await conn.close();
  }
}

/** The usage error of a deploy whose workspace declares no alias: the flag, and the function's aliases to pick from. */
async function aliasNeeded(p: DeployWithoutAlias, lambda: LambdaSend, profile: string | undefined, signal?: AbortSignal): Promise<UsageError> {
  const which = p.ws ? (p.ws.logicalId ?? p.ws.functionName ?? p.functionName) : undefined;
  try {
    const names = (await listAliases(lambda, p.functionName, signal)).map((a) => a.Name!);
    // With no alias to serve any, the versions come newest first.
    const newestActive = names.length ? undefined : await newAliasVersions(lambda, p.functionName, signal).then((v) => v.choices[0]?.version ?? null, () => undefined);
    return new UsageError(deployText.noAlias(which, p.functionName, names, undefined, newestActive), 'deploy');
  } catch (e) {
    return new UsageError(deployText.noAlias(which, p.functionName, undefined, describeAwsError(e, profile).message), 'deploy');
  }
}

/**
 * Asks before an alias changes, showing its routing as just read; the RevisionId read then is
 * what the write must still find, so a change made while the user decided is not overwritten.
 */
async function confirmChange(p: AliasPlan, ctx: UseCaseContext, journal: Journal, io: CliIO, head = ''): Promise<{ yes: boolean; revisionId?: string }> {
  let alias: AliasConfiguration | undefined;
  try {
    alias = await getAlias(ctx.lambda, p.functionName, p.aliasName, ctx.signal);
  } catch {
    // The use case reads it again and says what is wrong; the question goes without the routing.
  }
  const now = alias ? routingText(p.aliasName, aliasState(alias)) : undefined;
  let question: string;
  switch (p.kind) {
    case 'deploy':
      question = p.imageUri !== undefined ? deployText.imageQuestion(p.imageUri, p.functionName, p.aliasName, p.weightPercent, now) : deployText.question(p.dir, p.functionName, p.aliasName, p.weightPercent, now);
      break;
    case 'canary':
      question = questions.canary(p.functionName, p.aliasName, p.version, p.weightPercent, now);
      break;
    case 'weight':
      question = questions.weight(p.functionName, p.aliasName, p.weightPercent, now);
      break;
    case 'switch':
      question = questions.switch(p.functionName, p.aliasName, p.version, now);
      break;
    case 'switch-back': {
      const last = alias ? await ctx.journal?.lastSwitch(targetKey(targetOf(p, alias, ctx.region))).catch(() => undefined) : undefined;
      question = questions['switch-back'](p.functionName, p.aliasName, last?.from, now);
      break;
    }
    case 'promote':
    case 'rollback':
      question = questions[p.kind](p.functionName, p.aliasName, now);
      break;
    default:
      // probe and traffic change nothing and are never asked about.
      return { yes: true };
  }
  // The pre-flight's findings head the question: the user decides with them in view.
  const yes = await ask(io, `${terminalText(`${head}${question}`)}${questions.suffix}`);
  return { yes, revisionId: alias?.RevisionId };
}

type Print = (text: string) => void;

function awsFailure(err: Print, what: string, e: unknown, profile: string | undefined): number {
  const d = describeAwsError(e, profile);
  err(`lambda-canary: ${errorText.readFailed(what, d.message)}`);
  // A name that is not there is bad input (2), as the use cases count it; anything else failed (1).
  return d.kind === 'validation' ? EXIT.usage : EXIT.failed;
}

async function listFunctions(conn: CliConnection, json: boolean, io: CliIO, out: Print, err: Print, signal?: AbortSignal): Promise<number> {
  const { clients } = conn;
  let fns;
  try {
    fns = await listAllFunctions(clients.lambda, signal);
  } catch (e) {
    return awsFailure(err, 'the functions', e, clients.spec.kind === 'aws' ? clients.spec.profile : undefined);
  }
  const rows = fns
    .map((f) => ({ name: f.FunctionName ?? '', arn: f.FunctionArn, runtime: f.Runtime, handler: f.Handler, lastModified: f.LastModified, description: f.Description ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (json) {
    io.stdout.write(jsonText(rows));
    return EXIT.done;
  }
  if (rows.length === 0) {
    out(listText.none);
    return EXIT.done;
  }
  const table = [listText.header, ...rows.map((r) => [plainText(r.name), plainText(r.runtime ?? '-'), plainText(r.lastModified ?? '-'), plainText(r.description, 60)])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) out(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
  err(listText.count(rows.length));
  return EXIT.done;
}

const SHOWN_VERSIONS = 10;

async function showFunction(conn: CliConnection, functionName: string, json: boolean, io: CliIO, out: Print, err: Print, signal?: AbortSignal): Promise<number> {
  const { clients } = conn;
  let aliases: AliasConfiguration[];
  let versions;
  try {
    [aliases, versions] = await Promise.all([listAliases(clients.lambda, functionName, signal), listVersions(clients.lambda, functionName, signal)]);
  } catch (e) {
    return awsFailure(err, functionName, e, clients.spec.kind === 'aws' ? clients.spec.profile : undefined);
  }
  const latest = versions.find((v) => v.Version === '$LATEST');
  const data = {
    function: { name: latest?.FunctionName ?? functionName, arn: latest?.FunctionArn, runtime: latest?.Runtime, handler: latest?.Handler, lastModified: latest?.LastModified, description: latest?.Description ?? '' },
    aliases: aliases.map((a) => ({ name: a.Name ?? '', ...aliasState(a), arn: a.AliasArn, description: a.Description ?? '' })),
    versions: versions
      .filter((v) => v.Version !== '$LATEST')
      .map((v) => ({ version: v.Version ?? '', lastModified: v.LastModified, codeSha256: v.CodeSha256, description: v.Description ?? '' })),
  };
  if (json) {
    io.stdout.write(jsonText(data));
    return EXIT.done;
  }
  const f = data.function;
  out(showText.title(plainText(f.name), plainText(f.runtime ?? '-'), plainText(f.handler ?? '-'), plainText(f.lastModified ?? '-')));
  if (f.description) out(showText.description(plainText(f.description)));
  out(showText.aliases);
  if (data.aliases.length === 0) out(showText.noAliases);
  for (const a of data.aliases) out(showText.alias(plainText(routingText(a.name, a)), plainText(a.revisionId ?? '-')));
  out(showText.versions);
  for (const v of data.versions.slice(0, SHOWN_VERSIONS)) out(showText.version(plainText(v.version), plainText(v.lastModified ?? '-'), plainText(v.codeSha256 ?? '-'), plainText(v.description, 80)));
  if (data.versions.length > SHOWN_VERSIONS) out(showText.moreVersions(data.versions.length - SHOWN_VERSIONS));
  return EXIT.done;
}

async function showJournal(
  journal: Journal,
  p: { functionName?: string; aliasName?: string; limit: number },
  json: boolean,
  out: Print,
  err: Print,
  io: CliIO,
): Promise<number> {
  let read;
  try {
    read = await journal.read({ functionName: p.functionName, aliasName: p.aliasName, limit: p.limit });
  } catch (e) {
    err(`lambda-canary: ${errorText.journalUnreadable(journal.dir, errorSummary(e))}`);
    return EXIT.failed;
  }
  for (const problem of read.problems) err(progressText.journalProblem(problem));
  if (json) {
    io.stdout.write(jsonText({ dir: journal.dir, records: read.records, problems: read.problems }));
    return EXIT.done;
  }
  if (read.records.length === 0) {
    out(journalText.none(journal.dir));
    return EXIT.done;
  }
  for (const r of read.records) {
    const o = r.outcome;
    const first = outcomeText(o).split('\n')[0];
    out(journalText.line(r.at, `${r.by.user}@${r.by.host} (${r.by.client})`, o.state, o.action, `${o.target.function}:${o.target.alias}`, plainText(first, 400)));
  }
  return EXIT.done;
}
