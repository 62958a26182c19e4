/**
 * A release of many functions (src/core/releases/runner.ts) against a sandbox that rate-limits its
 * API as AWS does (a token bucket per operation, 15 requests a second each, burst 15): how close
 * the runner comes to the limit's floor, how far apart a step's alias moves land, and what
 * throttling it met on the way.
 *
 * The sandbox runs in this process (the runner and the sandbox share one event loop); the clients
 * are the extension's own (createClients: adaptive retries, 3 attempts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { capabilitiesOf, createClients } from '../src/core/connection';
import { Journal } from '../src/core/journal';
import { MemoryLogger } from '../src/core/log';
import type { ReleaseDetail, ReleaseEvent } from '../src/core/releases/records';
import type { ReleaseMemberInput } from '../src/core/releases/runner';
import { mapLimit } from '../src/core/mapLimit';
import { ReleaseRunner } from '../src/core/releases/runner';
import { parsePlanText } from '../src/core/rollout/plans';
import type { JournalPort, UseCaseContext } from '../src/core/usecases';
import type { WorkspaceFunction } from '../src/core/workspace';
import type { Sandbox } from '../src/sandbox';
import { startSandbox, zipFiles } from '../src/sandbox';
import { now, round } from './util';

const ROLE = 'arn:aws:iam::123456789012:role/bench';
export const RELEASE_RATE_LIMIT = 15;
/**
 * Straight through: 10 % with a 0-s bake, then the promotion. The judge still needs one complete
 * metrics period of the canary after the step is in place (the sandbox's 1-s periods); its
 * options are loosened so that a few healthy invocations pass ("judge off-ish"), and its wait is
 * measured and reported apart.
 */
export const RELEASE_PLAN_TEXT = '10%@0s, 100%';
const PLAN = { ...parsePlanText(RELEASE_PLAN_TEXT), judge: { minSamples: 5, minDetectableIncrease: { absolute: 50 }, latencyWarnRatio: 99, latencyFailRatio: 100 } };

interface Request {
  at: number;
  op: string;
  status: number;
  lambda: boolean;
  functionName?: string;
}

export interface StepSkew {
  step: string;
  aliases: number;
  /** First 'moved' record to the last, from the journal's times. */
  journalSkewMs: number;
  /** First UpdateAlias answered to the last, from the sandbox's request log. */
  sandboxSkewMs: number;
  /** Its lower bound: (aliases − burst left) ÷ limit; the burst is taken as full. */
  floorMs: number;
}

export interface ReleaseBenchResult {
  functions: number;
  rateLimit: number;
  plan: string;
  setup: string;
  totalMs: number;
  /** Phases from the journal's records: reading the aliases, publishing, step 1, judging, promotion. */
  /** promote = promoteChecks (every new version read, before any alias moves) + promoteWrites. */
  phasesMs: { read: number; publish: number; step1: number; judge: number; promote: number; promoteChecks: number; promoteWrites: number };
  /** The total without the judge's wait for its metrics period (the bake is 0 s). */
  controlPlaneMs: number;
  lambdaCalls: number;
  lambdaCallsByOp: Record<string, number>;
  cloudWatchCalls: number;
  cloudWatchCallsByOp: Record<string, number>;
  /** calls ÷ limit, as if the limit were one bucket for all of Lambda. */
  floorAllMs: number;
  /** max over operations of (calls − burst) ÷ limit: each operation has its own bucket. */
  floorPerOpMs: number;
  floorPerOpOp: string;
  /** Phase by phase (they run one after another), the busiest operation's (calls − burst) ÷ limit, summed. */
  floorPhasedMs: number;
  /** The phases' floors: reading the aliases, publishing, step 1, judging, promotion. */
  phaseFloorsMs: number[];
  /** Lambda calls answered in each of those phases, by operation. */
  phaseCalls: Array<Record<string, number>>;
  ratioPerOp: number;
  ratioPhased: number;
  /** controlPlaneMs against the phased floor without the judge's phase. */
  ratioControlPlanePhased: number;
  skew: StepSkew[];
  throttled: Record<string, number>;
  throttledTotal: number;
  /** Writes or reads the SDK gave up on after its attempts, tried again by the runner. */
  runnerRetries: number;
  /** 429s the SDK retried itself (throttled total − runner retries). */
  sdkRetries: number;
  status: string;
  statusText: string;
  promoted: number;
  aliasesOnNewVersion: number;
}

function journalPort(journal: Journal): JournalPort {
  const connection = { kind: 'sandbox' as const, label: 'bench' };
  return {
    append: (o) => journal.append(o, { connection }),
    lastSwitch: (key) => journal.lastSwitch(key),
    rollouts: () => journal.rollouts(),
    releases: () => journal.releases(),
  };
}

/** The request log line is `METHOD /path OP → STATUS (N ms)`; Lambda's paths start with its API version (/2015-03-31/…). */
function requestLog(into: Request[]): (line: string) => void {
  return (line) => {
    const m = /^(\S+) (\S+) (\S+) → (\d+)/.exec(line);
    if (!m) return;
    const fn = /^\/[\d-]+\/functions\/([^/]+)/.exec(m[2]);
    into.push({ at: Date.now(), op: m[3], status: Number(m[4]), lambda: /^\/\d{4}-/.test(m[2]), ...(fn ? { functionName: decodeURIComponent(fn[1]) } : {}) });
  };
}

/** `functions` functions, each with version 1 on alias `live`, and a workspace folder of new code for each. */
async function fixture(sandbox: Sandbox, lambda: ReturnType<typeof createClients>['lambda'], functions: number): Promise<ReleaseMemberInput[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-release-ws-'));
  const names = Array.from({ length: functions }, (_, i) => `release-${String(i + 1).padStart(3, '0')}`);
  await mapLimit(names, 8, async (name) => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': `exports.handler = async () => ({ release: 1 });\n` }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
  });
  return names.map((name) => {
    const codeDir = path.join(root, name);
    fs.mkdirSync(codeDir);
    fs.writeFileSync(path.join(codeDir, 'index.js'), `exports.handler = async () => ({ name: ${JSON.stringify(name)}, release: 2 });\n`);
    const fn: WorkspaceFunction = { source: 'lambda-canary.json', file: path.join(root, 'lambda-canary.json'), workspaceRoot: root, functionName: name, codeDir, handler: 'index.handler', alias: 'live', ignore: [] };
    return { functionName: name, aliasName: 'live', fn };
  });
}

/**
 * Healthy invocations of every function's stable (1) and new (2) version through `live`, written
 * straight into the sandbox's CloudWatch store: what live traffic would leave there, without 2 × N
 * execution environments on the machine. The judge reads them over the wire, as ever.
 */
function healthyMetrics(sandbox: Sandbox, names: string[]): () => void {
  const write = () => {
    const time = Date.now();
    for (const functionName of names) {
      for (const executedVersion of ['1', '2']) sandbox.metrics.record({ time, functionName, resource: `${functionName}:live`, executedVersion, durationMs: 3, error: false, throttled: false });
    }
  };
  for (let t = Date.now() - 60_000; t < Date.now(); t += 200) {
    for (const functionName of names) sandbox.metrics.record({ time: t, functionName, resource: `${functionName}:live`, executedVersion: '1', durationMs: 3, error: false, throttled: false });
  }
  const timer = setInterval(write, 100);
  return () => clearInterval(timer);
}

const countBy = (rs: Request[]) => {
  const out: Record<string, number> = {};
  for (const r of rs) out[r.op] = (out[r.op] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
};

/** (calls of the busiest operation − burst) ÷ limit, in ms. */
function busiestFloor(byOp: Record<string, number>, limit: number): { ms: number; op: string } {
  let best = { ms: 0, op: '—' };
  for (const [op, n] of Object.entries(byOp)) {
    const ms = (Math.max(0, n - limit) / limit) * 1000;
    if (ms > best.ms) best = { ms, op };
  }
  return best;
}

export async function benchRelease(functions: number, limit = RELEASE_RATE_LIMIT): Promise<ReleaseBenchResult> {
  const requests: Request[] = [];
  // updateDelayMs 0: a function's update is done at once, so the waiters' polls cost one call each.
  const sandbox = await startSandbox({ updateDelayMs: 0, log: requestLog(requests) });
  const { lambda, cloudwatch } = createClients({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false });
  const journal = new Journal(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-release-j-')));
  const log = new MemoryLogger();
  const ctx: UseCaseContext = {
    lambda,
    cloudwatch,
    capabilities: capabilitiesOf({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false }),
    log,
    region: sandbox.region,
    journal: journalPort(journal),
  };
  const runner = new ReleaseRunner(ctx, { client: 'cli' });
  let stopMetrics = () => {};
  try {
    const members = await fixture(sandbox, lambda, functions);
    stopMetrics = healthyMetrics(
      sandbox,
      members.map((m) => m.functionName),
    );
    // The limit from here on: every bucket starts full (a burst of `limit`), the counts from zero.
    sandbox.rateLimit.set(limit);
    sandbox.rateLimit.resetStats();
    requests.length = 0;

    const t0 = now();
    const t0Wall = Date.now();
    const out = await runner.start({ source: 'lambda-canary.json', members, plan: PLAN, trusted: true, smokeTest: false });
    if (out.error || !out.detail) throw new Error(`the release did not start: ${out.error?.message ?? 'no view'}`);
    const view = await runner.waitForEnd(out.detail.id);
    const totalMs = now() - t0;
    stopMetrics();

    const inRelease = [...requests];
    const stats = sandbox.rateLimit.stats();
    sandbox.rateLimit.set(undefined);
    const aliases = await mapLimit(members, 8, (m) => lambda.send(new GetAliasCommand({ FunctionName: m.functionName, Name: 'live' })));
    const onNew = aliases.filter((a) => a.FunctionVersion === '2' && Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0).length;

    // The journal's records, with their times.
    const records = (await journal.releases()).filter((o) => (o.detail as ReleaseDetail | undefined)?.release?.id === view.id).map((o) => ({ at: Date.parse(o.startedAt), e: (o.detail as ReleaseDetail).release as ReleaseEvent }));
    const moved = (weight: number) => records.filter((r) => r.e.type === 'moved' && r.e.weight === weight).map((r) => r.at);
    const step1 = moved(10);
    const promote = moved(100);
    const verdictAt = records.find((r) => r.e.type === 'verdict')?.at ?? NaN;
    const startedAt = records.find((r) => r.e.type === 'started')?.at ?? NaN;
    const endedAt = records.find((r) => r.e.type === 'ended')?.at ?? NaN;
    const lastPublished = Math.max(...records.filter((r) => r.e.type === 'published').map((r) => r.at));
    const phasesMs = {
      read: startedAt - t0Wall,
      publish: lastPublished - startedAt,
      step1: Math.max(...step1) - lastPublished,
      judge: verdictAt - Math.max(...step1),
      promote: endedAt - verdictAt,
      promoteChecks: Math.min(...promote) - verdictAt,
      promoteWrites: endedAt - Math.min(...promote),
    };

    // Calls: the requests the limit let through (its own counts), Lambda's told from CloudWatch's
    // by the request log's paths. A throttled request did nothing, so it is no call.
    const lambdaOps = new Set(inRelease.filter((r) => r.lambda).map((r) => r.op));
    const allowed = (wanted: boolean) => Object.fromEntries(Object.entries(stats).filter(([op, c]) => lambdaOps.has(op) === wanted && c.allowed > 0).map(([op, c]) => [op, c.allowed]));
    const lambdaCallsByOp = allowed(true);
    const cloudWatchCallsByOp = allowed(false);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, n) => a + n, 0);
    const perOp = busiestFloor(lambdaCallsByOp, limit);
    // The phases run one after another, so none can take less than its busiest operation's
    // (calls − burst) ÷ limit, a bucket being at most full when the phase begins: their sum is a
    // floor too, and a closer one. Phases cut at the journal's records (one clock, Date.now). The
    // promotion is two: every new version is checked Active before any alias moves (lockstep),
    // so its checks cannot overlap its writes.
    const lambdaOk = inRelease.filter((r) => r.lambda && r.status !== 429);
    const cuts = [-Infinity, startedAt, lastPublished, Math.max(...step1), verdictAt, Math.min(...promote), Infinity];
    const phaseCalls = cuts.slice(1).map((to, i) => countBy(lambdaOk.filter((r) => r.at > cuts[i] && r.at <= to)));
    const phaseFloors = phaseCalls.map((byOp) => busiestFloor(byOp, limit).ms);
    const floorPhasedMs = phaseFloors.reduce((a, n) => a + n, 0);
    const updates = lambdaOk.filter((r) => r.op === 'UpdateAlias').map((r) => r.at);
    const spread = (xs: number[]) => (xs.length ? Math.max(...xs) - Math.min(...xs) : NaN);
    const skew: StepSkew[] = [
      { step: 'step 1 (10 %)', aliases: step1.length, journalSkewMs: spread(step1), sandboxSkewMs: spread(updates.slice(0, step1.length)), floorMs: (Math.max(0, step1.length - limit) / limit) * 1000 },
      { step: 'promotion (100 %)', aliases: promote.length, journalSkewMs: spread(promote), sandboxSkewMs: spread(updates.slice(step1.length)), floorMs: (Math.max(0, promote.length - limit) / limit) * 1000 },
    ];
    const throttled = Object.fromEntries(Object.entries(stats).filter(([, c]) => c.throttled > 0).map(([op, c]) => [op, c.throttled]));
    const throttledTotal = Object.values(throttled).reduce((s, n) => s + n, 0);
    const runnerRetries = log.lines.filter((l) => /is throttling requests/.test(l)).length;
    const controlPlaneMs = totalMs - phasesMs.judge;
    return {
      functions,
      rateLimit: limit,
      plan: RELEASE_PLAN_TEXT,
      setup: 'functions created with no limit, then sandbox.rateLimit.set(limit) at run time (every bucket full)',
      totalMs: round(totalMs),
      phasesMs,
      controlPlaneMs: round(controlPlaneMs),
      lambdaCalls: sum(lambdaCallsByOp),
      lambdaCallsByOp,
      cloudWatchCalls: sum(cloudWatchCallsByOp),
      cloudWatchCallsByOp,
      floorAllMs: round((sum(lambdaCallsByOp) / limit) * 1000),
      phaseFloorsMs: phaseFloors.map((x) => round(x)),
      phaseCalls,
      floorPerOpMs: round(perOp.ms),
      floorPerOpOp: perOp.op,
      floorPhasedMs: round(floorPhasedMs),
      ratioPerOp: round(totalMs / perOp.ms, 3),
      ratioPhased: round(totalMs / floorPhasedMs, 3),
      // The judge's phase left out of both: its time and its floor (the undecided aliases' GetAlias).
      ratioControlPlanePhased: round(controlPlaneMs / (floorPhasedMs - phaseFloors[3]), 3),
      skew: skew.map((s) => ({ ...s, journalSkewMs: round(s.journalSkewMs), sandboxSkewMs: round(s.sandboxSkewMs), floorMs: round(s.floorMs) })),
      throttled,
      throttledTotal,
      runnerRetries,
      sdkRetries: throttledTotal - runnerRetries,
      status: view.status,
      statusText: view.statusText.slice(0, 300),
      promoted: view.members.filter((m) => m.state === 'promoted').length,
      aliasesOnNewVersion: onNew,
    };
  } finally {
    stopMetrics();
    await runner.dispose();
    lambda.destroy();
    cloudwatch.destroy();
    await sandbox.close();
  }
}
