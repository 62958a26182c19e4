/**
 * Releases end to end: real SDK v3 clients over HTTP against the sandbox, live traffic on every
 * alias, several functions published and moved in lockstep, judged together; a bad function, a
 * failed publish, a failed write part way, a teammate's write, a process that ends mid-release.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, GetAliasCommand, GetFunctionConfigurationCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { createClients } from '../../src/core/connection';
import { Journal, journalPortOf } from '../../src/core/journal';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { RolloutTiming } from '../../src/core/rollout/runner';
import type { ReleaseDetail, ReleaseEvent } from '../../src/core/releases/records';
import type { ReleaseMemberInput } from '../../src/core/releases/runner';
import { ReleaseRunner } from '../../src/core/releases/runner';
import type { JournalPort } from '../../src/core/usecases';
import type { WorkspaceFunction } from '../../src/core/workspace';
import type { ReleaseView } from '../../src/shared/release';
import { RELEASE_ENDS } from '../../src/shared/release';
import { TrafficGenerator } from '../../src/sandbox';
import { sandboxContext, sleep, until, useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

const TIMING: Partial<RolloutTiming> = { tickMs: 150, periodSeconds: 1, settleMs: 1500, stableHistoryMs: 60_000, errorPatienceMs: 4000 };
/**
 * Latency judged loosely (a 1 ms handler's p99 on a busy machine jumps by tens of ms), and a healthy
 * canary accepted on fewer samples (a busy CI machine sends less traffic than asked): the tests
 * are about the release, the judge has its own.
 */
const plan = (text: string) => ({ ...parsePlanText(text), judge: { latencyWarnRatio: 99, latencyFailRatio: 100, minDetectableIncrease: { absolute: 10 } } });

/** The journal as the use cases see it, for the sandbox's connection. */
const journalPort = (journal: Journal): JournalPort => journalPortOf(journal, { kind: 'sandbox', label: 'sandbox' });

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));


describe('releases (real SDK, sandbox, live traffic)', function () {
  this.timeout(120_000);
  const h = useSandbox({
    randomSeed: 7,
    admin: true,
    // Version 2 is what each release publishes: rel-bad-b's fails a third of its calls.
    versionBehaviour: [{ functionName: 'rel-bad-b', version: '2', errorRate: 0.35 }],
  });
  const generators: TrafficGenerator[] = [];
  const runners: ReleaseRunner[] = [];
  afterEach(async () => {
    for (const g of generators.splice(0)) g.stop();
    await Promise.allSettled(runners.splice(0).map((r) => r.dispose()));
    h().sandbox.faults.clear();
  });

  /** Functions each with version 1 on alias `live` and traffic on it, and a workspace folder of new code for each. */
  async function fixture(names: string[], rate = 120): Promise<ReleaseMemberInput[]> {
    const { lambda, sandbox } = h();
    const root = tmp('lc-release-ws-');
    const members: ReleaseMemberInput[] = [];
    for (const name of names) {
      await createFn(lambda, name);
      await publish(lambda, name, 'one');
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
      const codeDir = path.join(root, name);
      fs.mkdirSync(codeDir);
      fs.writeFileSync(path.join(codeDir, 'index.js'), `exports.handler = async () => ({ name: ${JSON.stringify(name)}, release: 2 });\n`);
      const fn: WorkspaceFunction = { source: 'lambda-canary.json', file: path.join(root, 'lambda-canary.json'), workspaceRoot: root, functionName: name, codeDir, handler: 'index.handler', alias: 'live', ignore: [] };
      members.push({ functionName: name, aliasName: 'live', fn });
    }
    const g = new TrafficGenerator(sandbox.lambda, names.map((functionName) => ({ functionName, qualifier: 'live', rate })));
    generators.push(g);
    g.start();
    await sleep(1500); // the stable versions' history
    return members;
  }

  function runner(journal: Journal): ReleaseRunner {
    const r = new ReleaseRunner(sandboxContext(h(), { journal: journalPort(journal) }), { client: 'cli', timing: TIMING, throttleWaitMs: 50 });
    runners.push(r);
    return r;
  }

  const alias = (fn: string): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
  const routing = async (fn: string) => {
    const a = await alias(fn);
    return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {} };
  };
  const events = async (journal: Journal): Promise<ReleaseEvent[]> => (await journal.releases()).map((o) => (o.detail as ReleaseDetail).release);
  const ended = (r: ReleaseRunner, id: string) =>
    until(`release ${id} to end`, () => {
      const v = r.view(id);
      return v && RELEASE_ENDS.has(v.status) ? v : undefined;
    }, 60_000, () => r.view(id));

  it('three functions through a plan: published without traffic, moved together step by step, all promoted', async () => {
    const names = ['rel-a', 'rel-b', 'rel-c'];
    const members = await fixture(names, 150);
    const journal = new Journal(tmp('lc-release-j-'), { fsync: false });
    const r = runner(journal);
    const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('50%@3s, 100%'), trusted: true, smokeTest: false });
    assert.equal(out.error, undefined, out.error?.message);
    assert.equal(out.detail?.status, 'running', out.detail?.statusText);
    for (const n of names) assert.deepEqual(await routing(n), { version: '1', weights: { '2': 0.5 } }, `${n} at step 1`);
    const v = await ended(r, out.detail!.id);
    assert.equal(v.status, 'promoted', v.statusText);
    for (const n of names) assert.deepEqual(await routing(n), { version: '2', weights: {} }, `${n} promoted`);
    assert.deepEqual(v.members.map((m) => [m.functionName, m.state, m.version]), names.map((n) => [n, 'promoted', '2']));
    // Each version holds the package's code: its CodeSha256 as published, recorded.
    for (const m of v.members) {
      const c = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: m.functionName, Qualifier: '2' }));
      assert.equal(m.codeSha256, c.CodeSha256);
    }
    const types = (await events(journal)).map((e) => e.type);
    assert.equal(types[0], 'started');
    assert.equal(types.filter((t) => t === 'published').length, 3);
    assert.equal(types.filter((t) => t === 'moved').length, 6, 'each alias written twice: the step, the promotion');
    assert.equal(types.at(-1), 'ended');
    // Moving the aliases is not publishing them: no alias had traffic on 2 before every version existed.
    const firstMove = types.indexOf('moved');
    assert.ok(types.lastIndexOf('published') < firstMove, `all published before the first move: ${types.join(',')}`);
    // A second release of the same code: nothing to do.
    const again = await r.start({ source: 'lambda-canary.json', members, plan: plan('30%@2s, 100%'), trusted: true, smokeTest: false });
    assert.equal(again.detail?.status, 'unchanged', again.detail?.statusText);
    for (const n of names) assert.deepEqual(await routing(n), { version: '2', weights: {} });
  });

  it("a blue/green release (plan 100%) switches to versions whose execution role changed: a full switch splits nothing, so the roles need not match", async () => {
    const names = ['rel-role-a', 'rel-role-b'];
    const members = await fixture(names);
    // The new versions run as another role (version 1 keeps the old one).
    for (const n of names) await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: n, Role: 'arn:aws:iam::123456789012:role/next' }));
    // The updates finish first: a release's publish found one still in progress now and then
    // ("is being updated by someone else right now") and the test failed.
    h().sandbox.settle();
    const r = runner(new Journal(tmp('lc-release-j-'), { fsync: false }));
    const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('100%'), trusted: true, smokeTest: false });
    assert.equal(out.error, undefined, out.error?.message);
    const v = await ended(r, out.detail!.id);
    assert.equal(v.status, 'promoted', v.statusText);
    for (const n of names) assert.deepEqual(await routing(n), { version: '2', weights: {} }, `${n} switched`);
  });

  it("one bad function's Fail rolls every function back, with the numbers that explain it", async () => {
    const names = ['rel-bad-a', 'rel-bad-b', 'rel-bad-c'];
    const members = await fixture(names, 200);
    const r = runner(new Journal(tmp('lc-release-j-'), { fsync: false }));
    const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('50%@20s, 100%'), trusted: true, smokeTest: false });
    assert.equal(out.error, undefined, out.error?.message);
    const v = await ended(r, out.detail!.id);
    assert.equal(v.status, 'rolled-back', v.statusText);
    assert.match(v.statusText, /rel-bad-b:live/);
    for (const n of names) assert.deepEqual(await routing(n), { version: '1', weights: {} }, `${n} restored`);
    assert.deepEqual(v.members.map((m) => m.state), ['restored', 'restored', 'restored']);
    assert.equal(v.members[1].verdict, 'Fail');
  });

  it('a publish that fails: nothing is routed, and the release ends failed naming the function', async () => {
    const names = ['rel-pub-a', 'rel-pub-b'];
    const members = await fixture(names);
    // rel-pub-b's workspace says a handler its function does not start.
    members[1] = { ...members[1], fn: { ...members[1].fn!, handler: 'other.handler' } };
    const r = runner(new Journal(tmp('lc-release-j-'), { fsync: false }));
    const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('30%@2s, 100%'), trusted: true, smokeTest: false });
    assert.equal(out.detail?.status, 'failed', out.detail?.statusText);
    assert.match(out.detail!.statusText, /rel-pub-b:live: The workspace's handler is other\.handler/);
    for (const n of names) assert.deepEqual(await routing(n), { version: '1', weights: {} });
  });

  it('a write that fails part way through a step: the aliases already moved go back to where they were', async () => {
    const names = ['rel-comp-a', 'rel-comp-b', 'rel-comp-c'];
    const members = await fixture(names);
    const r = new ReleaseRunner(sandboxContext(h(), { journal: journalPort(new Journal(tmp('lc-release-j-'), { fsync: false })) }), { client: 'cli', timing: TIMING, concurrency: 1 });
    runners.push(r);
    // rel-comp-b's UpdateAlias fails (after rel-comp-a's went through: one write at a time, in order).
    h().sandbox.faults.add({ operation: 'UpdateAlias', functionName: 'rel-comp-b', times: 5, kind: 'error' });
    const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('30%@2s, 100%'), trusted: true, smokeTest: false });
    const v = out.detail!;
    assert.equal(v.status, 'failed', v.statusText);
    for (const n of names) assert.deepEqual(await routing(n), { version: '1', weights: {} }, `${n} as before`);
    assert.match(v.statusText, /Restored: rel-comp-a:live → 1/);
    assert.deepEqual(v.members.map((m) => m.state), ['restored', 'published', 'published'], 'c was never moved, b never landed');
  });

  it('under a rate limit of 15 requests a second per API, an 8-function release promotes every function, throttled calls retried', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `rel-rate-${i}`);
    const members = await fixture(names, 5);
    const { sandbox } = h();
    sandbox.rateLimit.resetStats();
    sandbox.rateLimit.set(15);
    // The product's clients (adaptive retries, 3 attempts), not the tests' single-attempt ones.
    const clients = createClients({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false, ...(sandbox.accessKeyId ? { accessKeyId: sandbox.accessKeyId } : {}) });
    try {
      const r = new ReleaseRunner(sandboxContext(h(), { lambda: clients.lambda, cloudwatch: clients.cloudwatch, journal: journalPort(new Journal(tmp('lc-release-j-'), { fsync: false })) }), { client: 'cli', timing: TIMING });
      runners.push(r);
      const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('100%'), trusted: true, smokeTest: false });
      assert.equal(out.error, undefined, out.error?.message);
      assert.equal(out.detail?.status, 'promoted', out.detail?.statusText);
      for (const n of names) assert.deepEqual(await routing(n), { version: '2', weights: {} }, n);
      const stats = sandbox.rateLimit.stats();
      const throttled = Object.values(stats).reduce((t, c) => t + c.throttled, 0);
      const allowed = Object.values(stats).reduce((t, c) => t + c.allowed, 0);
      assert.ok(allowed >= 8 * 5, `the release's calls went through: ${JSON.stringify(stats)}`);
      console.log(`      ${allowed} calls allowed, ${throttled} throttled`);
    } finally {
      sandbox.rateLimit.set(undefined);
      clients.dispose();
    }
  });

  it("a teammate's write to one alias mid-release is never overwritten: that function is left, the release holds, Resume goes on with the others", async () => {
    const names = ['rel-mate-a', 'rel-mate-b', 'rel-mate-c'];
    const members = await fixture(names, 150);
    const r = runner(new Journal(tmp('lc-release-j-'), { fsync: false }));
    const out = await r.start({ source: 'lambda-canary.json', members, plan: plan('50%@3s, 80%@2s, 100%'), trusted: true, smokeTest: false });
    assert.equal(out.error, undefined, out.error?.message);
    const id = out.detail!.id;
    // The teammate takes rel-mate-b back to 1 alone during step 1's bake.
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: 'rel-mate-b', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} }, Description: 'hotfix by a teammate' }));
    const held = await until('the release to hold', () => (r.view(id)?.status === 'halted' ? r.view(id) : undefined), 30_000, () => r.view(id));
    assert.match(held.statusText, /rel-mate-b:live/);
    assert.equal(held.members.find((m) => m.functionName === 'rel-mate-b')?.state, 'left');
    const resumed = await r.control(id, 'resume');
    assert.equal(resumed.error, undefined, resumed.error?.message);
    const v = await ended(r, id);
    assert.equal(v.status, 'promoted', v.statusText);
    assert.deepEqual(await routing('rel-mate-a'), { version: '2', weights: {} });
    assert.deepEqual(await routing('rel-mate-c'), { version: '2', weights: {} });
    const b = await alias('rel-mate-b');
    assert.equal(b.Description, 'hotfix by a teammate', "the teammate's write stands");
    assert.equal(b.FunctionVersion, '1');
  });

  describe('a process that ends mid-release', () => {
    async function interrupted(names: string[]): Promise<{ journal: Journal; id: string; next: ReleaseRunner; view: ReleaseView }> {
      const members = await fixture(names);
      const journal = new Journal(tmp('lc-release-j-'), { fsync: false });
      const first = runner(journal);
      const out = await first.start({ source: 'lambda-canary.json', members, plan: plan('25%@60s, 100%'), trusted: true, smokeTest: false });
      assert.equal(out.error, undefined, out.error?.message);
      await first.dispose();
      // A stopped runner's waitForEnd settles at once with the release as it is (it had waited for ever).
      assert.equal((await first.waitForEnd(out.detail!.id)).id, out.detail!.id);
      const next = runner(journal);
      await next.load();
      const view = next.view(out.detail!.id)!;
      return { journal, id: out.detail!.id, next, view };
    }

    it('shows as interrupted; Resume goes on from the journal (Promote here) and every alias serves its new version', async () => {
      const names = ['rel-kill-a', 'rel-kill-b'];
      const { id, next, view } = await interrupted(names);
      assert.equal(view.status, 'interrupted', view.statusText);
      assert.match(view.statusText, /Resume/);
      const resumed = await next.control(id, 'resume');
      assert.equal(resumed.error, undefined, resumed.error?.message);
      assert.equal(next.view(id)?.status, 'running');
      const promoted = await next.control(id, 'promote');
      assert.equal(promoted.error, undefined, promoted.error?.message);
      assert.equal(next.view(id)?.status, 'promoted');
      for (const n of names) assert.deepEqual(await routing(n), { version: '2', weights: {} });
    });

    it('Restore All returns every alias to its recorded before-state', async () => {
      const names = ['rel-rest-a', 'rel-rest-b'];
      const { id, next, view } = await interrupted(names);
      assert.equal(view.status, 'interrupted');
      for (const n of names) assert.deepEqual(await routing(n), { version: '1', weights: { '2': 0.25 } });
      const out = await next.control(id, 'restore');
      assert.equal(out.error, undefined, out.error?.message);
      assert.equal(next.view(id)?.status, 'restored', next.view(id)?.statusText);
      for (const n of names) assert.deepEqual(await routing(n), { version: '1', weights: {} });
    });
  });

  it('refuses, before anything is written, a release whose alias runs a canary or is in another open release', async () => {
    const members = await fixture(['rel-ref-a', 'rel-ref-b']);
    // rel-ref-c runs a canary of a version published by hand.
    const [c] = await fixture(['rel-ref-c']);
    await publish(h().lambda, 'rel-ref-c', 'hand-made');
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: 'rel-ref-c', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    const journal = new Journal(tmp('lc-release-j-'), { fsync: false });
    const r = runner(journal);
    const twice = await r.start({ source: 'x', members: [members[0], members[0]], plan: plan('30%@2s, 100%'), trusted: true, smokeTest: false });
    assert.match(twice.error?.message ?? '', /twice/);
    const first = await r.start({ source: 'x', members: [members[0]], plan: plan('30%@60s, 100%'), trusted: true, smokeTest: false });
    assert.equal(first.error, undefined, first.error?.message);
    const before = await alias('rel-ref-b');
    const second = await r.start({ source: 'x', members, plan: plan('30%@2s, 100%'), trusted: true, smokeTest: false });
    assert.match(second.error?.message ?? '', /rel-ref-a:live is in release/);
    assert.equal((await alias('rel-ref-b')).RevisionId, before.RevisionId, 'nothing written');
    const canary = await r.start({ source: 'x', members: [members[1], c], plan: plan('30%@2s, 100%'), trusted: true, smokeTest: false });
    assert.match(canary.error?.message ?? '', /rel-ref-c:live runs a canary \(version 2 at 10%\)/);
    assert.equal((await alias('rel-ref-b')).RevisionId, before.RevisionId, 'nothing written');
    assert.equal((await events(journal)).filter((e) => e.type === 'started').length, 1);
  });
});
