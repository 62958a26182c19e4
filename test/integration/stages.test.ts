/**
 * Stages end to end: two sandboxes (two accounts), a workspace of two functions with stages
 * `staging` (sandbox A) and `prod` (sandbox B). A release goes to staging from the workspace;
 * Promote Release to Stage ships its very bytes to prod (same CodeSha256, the same zip downloaded
 * back), without building again; it refuses a staging release that rolled back and a package that
 * is corrupt or missing, writing nothing to prod.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetAliasCommand, GetFunctionCommand, GetFunctionConfigurationCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import type { ConnectionSpec } from '../../src/core/connection';
import { capabilitiesOf } from '../../src/core/connection';
import { Journal, journalConnection } from '../../src/core/journal';
import { MemoryLogger } from '../../src/core/log';
import { ArtifactStore } from '../../src/core/releases/artifacts';
import type { ReleaseDefinition } from '../../src/core/releases/definition';
import { releaseDefinition } from '../../src/core/releases/definition';
import type { ReleaseDetail, ReleaseEvent } from '../../src/core/releases/records';
import { ReleaseRunner } from '../../src/core/releases/runner';
import { membersForStage, promoteReleaseToStage, stageContexts, stageOf } from '../../src/core/releases/stages';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { RolloutTiming } from '../../src/core/rollout/runner';
import type { StageConfig } from '../../src/core/workspace';
import { discoverWorkspace } from '../../src/core/workspace';
import type { ReleaseView } from '../../src/shared/release';
import { RELEASE_ENDS } from '../../src/shared/release';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox, TrafficGenerator } from '../../src/sandbox';
import { clientsFor, sleep, until } from './helpers';
import { codeSha, stagedFunctions } from './lambda-testkit';

const TIMING: Partial<RolloutTiming> = { tickMs: 150, periodSeconds: 1, settleMs: 1500, stableHistoryMs: 60_000, errorPatienceMs: 4000 };
const plan = (text: string) => ({ ...parsePlanText(text), judge: { latencyWarnRatio: 99, latencyFailRatio: 100, minDetectableIncrease: { absolute: 10 } } });
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe('stages: promote a release to the next stage with the same bytes (two sandboxes, real SDK)', function () {
  this.timeout(120_000);
  let a: Sandbox;
  let b: Sandbox;
  let la: LambdaClient;
  let lb: LambdaClient;
  const runners: ReleaseRunner[] = [];
  const generators: TrafficGenerator[] = [];
  const disposers: Array<() => void> = [];

  before(async () => {
    // Two accounts: staging's and prod's. On staging, st-bad-b's new version fails a third of its calls.
    a = await startSandbox({ updateDelayMs: 30, accountId: '111111111111', randomSeed: 3, versionBehaviour: [{ functionName: 'st-bad-b', version: '2', errorRate: 0.4 }] });
    b = await startSandbox({ updateDelayMs: 30, accountId: '222222222222' });
    la = clientsFor(a).lambda;
    lb = clientsFor(b).lambda;
  });
  after(async () => {
    la?.destroy();
    lb?.destroy();
    await a?.close();
    await b?.close();
  });
  afterEach(async () => {
    for (const g of generators.splice(0)) g.stop();
    await Promise.allSettled(runners.splice(0).map((r) => r.dispose()));
    for (const d of disposers.splice(0)) d();
  });

  interface World {
    root: string;
    journal: Journal;
    artifacts: ArtifactStore;
    def: () => ReleaseDefinition;
    contextOf: (stage: StageConfig | undefined) => ReturnType<ReturnType<typeof stageContexts>['contextOf']>;
    runner: (stage: StageConfig) => ReleaseRunner;
    builds: () => number;
  }

  /**
   * The functions on both accounts (version 1 on `staging` in A, on `prod` in B), and a workspace
   * listing them with stages staging (A) and prod (B); its build command counts its runs.
   */
  async function world(names: string[]): Promise<World> {
    const root = tmp('lc-stages-ws-');
    const functions = await stagedFunctions(root, names, la, lb);
    fs.writeFileSync(path.join(root, 'count-build.js'), "require('fs').appendFileSync(require('path').join(__dirname, 'builds.log'), 'x');\n");
    const config = {
      build: ['node', path.join(root, 'count-build.js')],
      functions,
      stages: [
        { name: 'staging', alias: 'staging', endpoint: a.endpoint },
        { name: 'prod', alias: 'prod', endpoint: b.endpoint },
      ],
    };
    fs.writeFileSync(path.join(root, 'lambda-canary.json'), JSON.stringify(config, null, 2));
    const journal = new Journal(tmp('lc-stages-j-'), { fsync: false });
    const artifacts = new ArtifactStore(journal.dir);
    // The base connection is staging's sandbox (as a front end connected to it would be).
    const base: ConnectionSpec = { kind: 'sandbox', endpoint: a.endpoint, region: a.region, embedded: false };
    const { contextOf, dispose } = stageContexts({ spec: base, ctx: { lambda: la, cloudwatch: clientsFor(a).cloudwatch, capabilities: capabilitiesOf(base), log: new MemoryLogger(), region: a.region } }, journal);
    disposers.push(dispose);
    const runner = (stage: StageConfig) => {
      const r = new ReleaseRunner(contextOf(stage), { client: 'cli', timing: TIMING, throttleWaitMs: 50, artifacts });
      runners.push(r);
      return r;
    };
    const def = () => releaseDefinition(discoverWorkspace(root), { source: 'shop' });
    const builds = () => (fs.existsSync(path.join(root, 'builds.log')) ? fs.readFileSync(path.join(root, 'builds.log'), 'utf8').length : 0);
    return { root, journal, artifacts, def, contextOf, runner, builds };
  }

  const ended = (r: ReleaseRunner, id: string) =>
    until(`release ${id} to end`, () => {
      const v = r.view(id);
      return v && RELEASE_ENDS.has(v.status) ? v : undefined;
    }, 90_000, () => r.view(id));

  /** A release of the workspace to staging, driven to its end. */
  async function releaseToStaging(w: World, text = '100%'): Promise<ReleaseView> {
    const def = w.def();
    const stage = stageOf(def)!;
    assert.equal(stage.name, 'staging', 'a release without a stage goes to the first');
    const r = w.runner(stage);
    const out = await r.start({ source: def.source, members: membersForStage(def, stage), plan: plan(text), trusted: true, smokeTest: false, stage: stage.name });
    assert.equal(out.error, undefined, out.error?.message);
    return ended(r, out.detail!.id);
  }

  const aliasOf = async (lambda: LambdaClient, fn: string, alias: string) => {
    const x = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: alias }));
    return { version: x.FunctionVersion, weights: x.RoutingConfig?.AdditionalVersionWeights ?? {} };
  };
  /** What B holds of a function: its versions, $LATEST's CodeSha256, its prod alias. */
  const prodState = async (fn: string) => {
    const versions = (await lb.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions!.map((v) => `${v.Version}:${v.CodeSha256}`);
    return { versions, alias: await aliasOf(lb, fn, 'prod') };
  };
  /** A version's zip, downloaded from GetFunction's Code.Location. */
  const download = async (lambda: LambdaClient, fn: string, qualifier: string): Promise<Buffer> => {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: qualifier }));
    assert.ok(got.Code?.Location, `${fn}:${qualifier} has a Code.Location`);
    const res = await fetch(got.Code.Location);
    assert.equal(res.status, 200, `download of ${fn}:${qualifier}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const events = async (journal: Journal): Promise<ReleaseEvent[]> => (await journal.releases()).map((o) => (o.detail as ReleaseDetail).release);

  it('staging release, then Promote to prod: prod runs byte-identical code (CodeSha256 and the zip downloaded back), and nothing is built again', async () => {
    const names = ['st-orders', 'st-payments'];
    const w = await world(names);
    const staged = await releaseToStaging(w);
    assert.equal(staged.status, 'promoted', staged.statusText);
    assert.equal(staged.stage, 'staging');
    const buildsAfterStaging = w.builds();
    assert.equal(buildsAfterStaging, 2, 'the staging release built each function once');
    for (const n of names) assert.deepEqual(await aliasOf(la, n, 'staging'), { version: '2', weights: {} });

    // The workspace moves on after staging: prod must still get what passed staging.
    for (const n of names) fs.writeFileSync(path.join(w.root, n, 'index.js'), `exports.handler = async () => ({ name: ${JSON.stringify(n)}, release: 3 });\n`);

    const promo = await promoteReleaseToStage({ definition: w.def(), target: 'prod', contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts, plan: plan('100%') });
    assert.equal(promo.outcome.error, undefined, promo.outcome.error?.message);
    assert.equal(promo.stage?.name, 'prod');
    assert.equal(promo.from?.release, staged.id);
    const v = await ended(promo.runner!, promo.outcome.detail!.id);
    assert.equal(v.status, 'promoted', v.statusText);
    assert.equal(v.stage, 'prod');
    assert.deepEqual(v.promotedFrom, { stage: 'staging', release: staged.id });
    assert.equal(w.builds(), buildsAfterStaging, 'the promotion built nothing');

    for (const n of names) {
      assert.deepEqual(await aliasOf(lb, n, 'prod'), { version: '2', weights: {} }, `${n}:prod serves the promoted version`);
      const onA = await la.send(new GetFunctionConfigurationCommand({ FunctionName: n, Qualifier: '2' }));
      const onB = await lb.send(new GetFunctionConfigurationCommand({ FunctionName: n, Qualifier: '2' }));
      assert.equal(onB.CodeSha256, onA.CodeSha256, `${n}: prod's version holds staging's CodeSha256`);
      assert.match(onB.FunctionArn!, /:222222222222:/, 'on the prod account');
      assert.equal(v.members.find((m) => m.functionName === n)?.codeSha256, onA.CodeSha256);
      const bytesA = await download(la, n, '2');
      const bytesB = await download(lb, n, '2');
      assert.ok(bytesB.equals(bytesA), `${n}: the zip downloaded from prod is the one staging runs, byte for byte`);
      assert.equal(codeSha(bytesB), onA.CodeSha256);
      assert.ok(bytesB.equals(await w.artifacts.get(onA.CodeSha256!)), `${n}: the kept package is what was uploaded`);
      assert.match(onB.Description ?? '', new RegExp(`staging version 2 in release ${staged.id}, promoted to prod`));
    }
    // Recorded: the prod release names its stage and the staging release it shipped.
    const started = (await events(w.journal)).filter((e): e is Extract<ReleaseEvent, { type: 'started' }> => e.type === 'started');
    assert.deepEqual(started.map((e) => [e.stage, e.promotedFrom?.release]), [['staging', undefined], ['prod', staged.id]]);

    // Promoted again: prod's $LATEST holds the code already and its alias serves it: nothing to do, nothing new.
    const before = await Promise.all(names.map(prodState));
    const again = await promoteReleaseToStage({ definition: w.def(), target: 'prod', contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts, plan: plan('100%') });
    assert.equal(again.outcome.detail?.status, 'unchanged', again.outcome.detail?.statusText ?? again.outcome.error?.message);
    assert.deepEqual(await Promise.all(names.map(prodState)), before);
  });

  it('refuses to promote a staging release that rolled back, naming it; nothing is written to prod', async () => {
    const names = ['st-bad-a', 'st-bad-b'];
    const w = await world(names);
    const g = new TrafficGenerator(a.lambda, names.map((functionName) => ({ functionName, qualifier: 'staging', rate: 150 })));
    generators.push(g);
    g.start();
    await sleep(1500);
    const staged = await releaseToStaging(w, '50%@20s, 100%');
    assert.equal(staged.status, 'rolled-back', staged.statusText);
    const before = await Promise.all(names.map(prodState));
    const promo = await promoteReleaseToStage({ definition: w.def(), target: 'prod', contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts });
    assert.equal(promo.outcome.state, 'unchanged');
    assert.equal(promo.runner, undefined, 'no release started on prod');
    assert.match(promo.outcome.error?.message ?? '', new RegExp(`Release ${staged.id} to staging did not finish healthy: it ended rolled-back`));
    assert.deepEqual(await Promise.all(names.map(prodState)), before, 'prod is as it was');
    assert.equal((await events(w.journal)).filter((e) => e.type === 'started').length, 1, 'no prod release recorded');
  });

  it('refuses a corrupt or missing package, naming the function and what to do; releasing to staging again repairs it', async () => {
    const names = ['st-cor-a', 'st-cor-b'];
    const w = await world(names);
    const staged = await releaseToStaging(w);
    assert.equal(staged.status, 'promoted', staged.statusText);
    const before = await Promise.all(names.map(prodState));
    const [first, second] = staged.members;
    // One package's bytes change on disk (a bit flipped), the other's are gone.
    const file = w.artifacts.fileOf(first.codeSha256!);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(file, bytes);
    fs.rmSync(w.artifacts.fileOf(second.codeSha256!));
    const promo = await promoteReleaseToStage({ definition: w.def(), target: 'prod', contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts });
    assert.equal(promo.runner, undefined);
    const message = promo.outcome.error?.message ?? '';
    assert.match(message, new RegExp(`Release ${staged.id} to staging cannot be promoted to prod`));
    assert.match(message, new RegExp(`${first.functionName}: its package \\(CodeSha256 [^)]+\\) is corrupt in the artifact store`));
    assert.match(message, new RegExp(`${second.functionName}: its package \\(CodeSha256 [^)]+\\) is not kept in the artifact store`));
    assert.match(message, /Publish the release to staging again \(from the workspace\), then promote to prod\./);
    assert.deepEqual(await Promise.all(names.map(prodState)), before, 'prod is as it was');
    assert.equal((await events(w.journal)).filter((e) => e.type === 'started').length, 1, 'no prod release recorded');

    // Released to staging again: the same code, so nothing moves (it ends unchanged), and the packages are kept again.
    const again = await releaseToStaging(w);
    assert.equal(again.status, 'unchanged', again.statusText);
    // Promoted from the editor, which names the source by its file: the release of the same functions is found.
    const retry = await promoteReleaseToStage({ definition: { ...w.def(), source: 'lambda-canary.json' }, target: 'prod', contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts, plan: plan('100%') });
    assert.equal(retry.outcome.error, undefined, retry.outcome.error?.message);
    assert.equal(retry.from?.release, staged.id, 'what passed staging is the release that moved it');
    const v = await ended(retry.runner!, retry.outcome.detail!.id);
    assert.equal(v.status, 'promoted', v.statusText);
    for (const m of staged.members) {
      const onB = await lb.send(new GetFunctionConfigurationCommand({ FunctionName: m.functionName, Qualifier: '2' }));
      assert.equal(onB.CodeSha256, m.codeSha256);
    }
  });

  it("on prod, a version that holds other code than the package (another upload landed) gets no traffic: the promotion ends failed, prod's aliases untouched", async () => {
    const names = ['st-other-a', 'st-other-b'];
    const w = await world(names);
    const staged = await releaseToStaging(w);
    assert.equal(staged.status, 'promoted', staged.statusText);
    b.faults.add({ operation: 'PublishVersion', functionName: 'st-other-b', kind: 'publishOther' });
    try {
      const promo = await promoteReleaseToStage({ definition: w.def(), target: 'prod', contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts, plan: plan('100%') });
      assert.ok(promo.outcome.detail, promo.outcome.error?.message);
      const end = await ended(promo.runner!, promo.outcome.detail.id);
      assert.equal(end.status, 'failed', end.statusText);
      assert.match(end.statusText, /st-other-b:prod: Version \d+ was published with other code than this package/);
    } finally {
      b.faults.clear();
    }
    for (const n of names) assert.deepEqual(await aliasOf(lb, n, 'prod'), { version: '1', weights: {} }, `${n}:prod untouched`);
  });

  it('a promotion resumed after its process ended is never built from the workspace: it holds, asking to promote again', async () => {
    const names = ['st-resume-a'];
    const w = await world(names);
    const def = w.def();
    const prod = def.stages![1];
    // A promotion's start, as a process that ended before publishing left it (another host drove it).
    const spec: ConnectionSpec = { kind: 'sandbox', endpoint: b.endpoint, region: b.region, embedded: false };
    const now = new Date().toISOString();
    const started: ReleaseEvent = {
      type: 'started',
      id: 'feed0001',
      source: def.source,
      plan: plan('100%'),
      members: [{ functionName: names[0], aliasName: 'prod', stable: '1', before: { version: '1', weights: {} } }],
      driver: { holder: 'someone@elsewhere', host: 'elsewhere', pid: 1, instance: 'gone' },
      stage: 'prod',
      promotedFrom: { stage: 'staging', release: 'abcd1234' },
    };
    await w.journal.append(
      { id: 'rec-1', action: 'release', target: { function: '(release)', alias: 'feed0001' }, startedAt: now, endedAt: now, versionsPublished: [], steps: [], state: 'done', warnings: [], detail: { release: started } },
      { connection: journalConnection(spec) },
    );
    const before = await prodState(names[0]);
    const r = w.runner(prod);
    await r.load();
    assert.equal(r.view('feed0001')?.status, 'interrupted');
    // Given the workspace (as a Resume from the folder gives it): not used.
    const out = await r.control('feed0001', 'resume', membersForStage(def, prod));
    assert.equal(out.error, undefined, out.error?.message);
    const v = r.view('feed0001')!;
    assert.equal(v.status, 'halted', v.statusText);
    assert.match(v.statusText, /not given the packages of release abcd1234: Restore All, then promote to prod again/);
    assert.equal(w.builds(), 0, 'nothing built');
    assert.deepEqual(await prodState(names[0]), before, 'nothing uploaded or published on prod');
  });

  it('refuses what is not a promotion: the first stage, an unknown stage, no release to the stage before', async () => {
    const w = await world(['st-none-a']);
    const before = await prodState('st-none-a');
    const cases: Array<[string | undefined, RegExp]> = [
      ['staging', /staging is the first stage: a release goes there from the workspace/],
      ['qa', /has no stage qa: its stages are staging, prod/],
      ['prod', /No release of shop to staging in this journal: release to staging first/],
      [undefined, /No release of shop to any stage in this journal/],
    ];
    for (const [target, message] of cases) {
      const promo = await promoteReleaseToStage({ definition: w.def(), ...(target ? { target } : {}), contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts });
      assert.equal(promo.outcome.state, 'unchanged', String(target));
      assert.match(promo.outcome.error?.message ?? '', message, String(target));
    }
    assert.deepEqual(await prodState('st-none-a'), before);
    // The newest release went to prod, the last stage: "next" has nowhere to go.
  });

  it('"next" after a release to the last stage refuses: there is no stage after it', async () => {
    const w = await world(['st-last-a']);
    const staged = await releaseToStaging(w);
    assert.equal(staged.status, 'promoted', staged.statusText);
    const promo = await promoteReleaseToStage({ definition: w.def(), contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts, plan: plan('100%') });
    assert.equal(promo.stage?.name, 'prod', 'next after staging is prod');
    assert.equal((await ended(promo.runner!, promo.outcome.detail!.id)).status, 'promoted');
    const last = await promoteReleaseToStage({ definition: w.def(), contextOf: w.contextOf, runnerFor: w.runner, artifacts: w.artifacts });
    assert.match(last.outcome.error?.message ?? '', /went to prod, the last stage: there is no stage after it/);
  });
});
