/**
 * The demo's release: the folder npm start opens as workspace-release (test/fixtures/release-demo,
 * release 1.1.0 of the shop's three functions) against a sandbox seeded as the demo is (release
 * 1.0.0 on each prod, the demo traffic), the release found as `lambda-canary release start` finds
 * it. One bad function of the three rolls all three back, and the journal, read again as after a
 * restart, says what AWS holds; the fixture's own code promotes all three. Real SDK clients over
 * HTTP; besides the demo's 5 calls/s, the test invokes each prod alias about 20 times a second
 * with the fixture's sample event, so the judge has samples within a short bake.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetAliasCommand, GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { Journal, journalPortOf } from '../../src/core/journal';
import { MemoryLogger } from '../../src/core/log';
import type { ReleaseDefinition } from '../../src/core/releases/definition';
import { releaseDefinition } from '../../src/core/releases/definition';
import type { ReleaseDetail, ReleaseEvent } from '../../src/core/releases/records';
import { ReleaseRunner } from '../../src/core/releases/runner';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { RolloutTiming } from '../../src/core/rollout/runner';
import type { JournalPort } from '../../src/core/usecases';
import { discoverWorkspace } from '../../src/core/workspace';
import type { ReleaseView } from '../../src/shared/release';
import { RELEASE_ENDS } from '../../src/shared/release';
import type { SandboxOptions } from '../../src/sandbox';
import { DEMO_TRAFFIC, seedDemo, TrafficGenerator } from '../../src/sandbox';
import { SHOP_HANDLERS } from '../../src/sandbox/seed';
import type { Harness } from './helpers';
import { sandboxContext, sleep, until, useSandbox } from './helpers';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/release-demo');
const SHOP = ['shop-orders-api', 'shop-payments', 'shop-notifications'];
const CODE_DIRS: Record<string, string> = { 'shop-orders-api': 'orders-api', 'shop-payments': 'payments', 'shop-notifications': 'notifications' };

const TIMING: Partial<RolloutTiming> = { tickMs: 150, periodSeconds: 1, settleMs: 1500, stableHistoryMs: 60_000, errorPatienceMs: 4000 };
/** As release.test.ts judges: latency loosely (a busy machine's p99 jumps), the release is under test here, not the judge. */
const plan = (text: string) => ({ ...parsePlanText(text), judge: { latencyWarnRatio: 99, latencyFailRatio: 100, minDetectableIncrease: { absolute: 10 } } });

/** The journal as the use cases see it, for the sandbox's connection. */
const journalPort = (journal: Journal): JournalPort => journalPortOf(journal, { kind: 'sandbox', label: 'sandbox' });

interface Served {
  /** Executed version → calls, function errors, the releases its bodies named. */
  byVersion: Record<string, { calls: number; errors: number; releases: Set<string> }>;
}

/** Invokes FN:prod through the SDK about `rate` times a second with `payload`, at most 8 calls in flight, until stopped. */
function invoker(lambda: LambdaClient, fn: string, payload: Uint8Array, rate: number): { stop(): Promise<void>; served: Served } {
  const served: Served = { byVersion: {} };
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (inFlight >= 8) return;
    inFlight++;
    const call = lambda
      .send(new InvokeCommand({ FunctionName: fn, Qualifier: 'prod', Payload: payload }))
      .then((r) => {
        const row = (served.byVersion[r.ExecutedVersion ?? '?'] ??= { calls: 0, errors: 0, releases: new Set() });
        row.calls++;
        if (r.FunctionError) row.errors++;
        else row.releases.add((JSON.parse(JSON.parse(Buffer.from(r.Payload!).toString('utf8')).body) as { release: string }).release);
      })
      .catch(() => undefined) // a refused call counts as none
      .finally(() => {
        inFlight--;
        pending.delete(call);
      });
    pending.add(call);
  }, 1000 / rate);
  return {
    served,
    stop: async () => {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}

/** A sandbox seeded as the demo's, the fixture copied to a temporary folder, the shop's demo traffic and the test's own calls. */
function demoRelease(options: SandboxOptions) {
  const h = useSandbox({ updateDelayMs: 0, maxEnvironmentsPerVersion: 8, ...options });
  const env = { dir: '', journalDir: '', def: undefined as unknown as ReleaseDefinition, log: new MemoryLogger() };
  let traffic: TrafficGenerator | undefined;
  let calls: Array<ReturnType<typeof invoker>> = [];
  const runners: ReleaseRunner[] = [];
  before(async () => {
    const { sandbox, lambda } = h();
    await seedDemo(sandbox.lambda, () => sandbox.settle());
    env.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-release-demo-'));
    fs.cpSync(FIXTURE, env.dir, { recursive: true });
    env.journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-release-demo-j-'));
    // What `release start --dir` reads: the folder's discovery, then its release.
    env.def = releaseDefinition(discoverWorkspace(env.dir), { source: path.basename(env.dir) });
    traffic = new TrafficGenerator(sandbox.lambda, DEMO_TRAFFIC.filter((t) => SHOP.includes(t.functionName)));
    traffic.start();
    const event = fs.readFileSync(path.join(env.dir, 'events', 'event.json'));
    calls = SHOP.map((fn) => invoker(lambda, fn, event, 20));
    await sleep(1500); // the stable versions' history
  });
  after(async () => {
    traffic?.stop();
    await Promise.all(calls.map((c) => c.stop()));
    await Promise.allSettled(runners.splice(0).map((r) => r.dispose()));
    fs.rmSync(env.dir, { recursive: true, force: true });
    fs.rmSync(env.journalDir, { recursive: true, force: true });
  });
  const runner = () => {
    const r = new ReleaseRunner(sandboxContext(h(), { journal: journalPort(new Journal(env.journalDir, { fsync: false })), log: env.log }), { client: 'cli', timing: TIMING, throttleWaitMs: 50 });
    runners.push(r);
    return r;
  };
  /** Starts the folder's release as `release start` does (trusted, smoke-tested with the folder's sample event) and follows it to its end. */
  const release = async (planText: string): Promise<ReleaseView> => {
    const r = runner();
    const out = await r.start({ source: env.def.source, members: env.def.members.map((m) => ({ functionName: m.functionName, aliasName: m.aliasName, fn: m.fn })), plan: plan(planText), trusted: true, smokeTest: true });
    assert.equal(out.error, undefined, out.error?.message);
    const id = out.detail!.id;
    return until(`release ${id} to end`, () => {
      const v = r.view(id);
      return v && RELEASE_ENDS.has(v.status) ? v : undefined;
    }, 60_000, () => r.view(id));
  };
  const events = async (): Promise<ReleaseEvent[]> => (await new Journal(env.journalDir, { fsync: false }).releases()).map((o) => (o.detail as ReleaseDetail).release);
  return { h, env, runner, release, events, served: () => Object.fromEntries(SHOP.map((fn, i) => [fn, calls[i].served])) };
}

const routing = async (h: () => Harness, fn: string) => {
  const a = await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
  return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {}, revisionId: a.RevisionId };
};

describe('the demo release (workspace-release against the demo seed)', function () {
  this.timeout(120_000);

  it('the fixture declares the three shop functions on prod, each its own code folder, with a sample event; its code is the seed\'s but for its release', () => {
    const def = releaseDefinition(discoverWorkspace(FIXTURE), { source: 'workspace-release' });
    assert.deepEqual(def.skipped, []);
    assert.deepEqual(
      def.members.map((m) => [m.functionName, m.aliasName, m.aliasAssumed, path.relative(FIXTURE, m.fn.codeDir), m.fn.handler, m.fn.runtime, m.fn.testEventFile && path.relative(FIXTURE, m.fn.testEventFile)]),
      SHOP.map((fn) => [fn, 'prod', undefined, CODE_DIRS[fn], 'index.handler', 'nodejs20.x', path.join('events', 'event.json')]),
    );
    for (const fn of SHOP) {
      const code = fs.readFileSync(path.join(FIXTURE, CODE_DIRS[fn], 'index.js'), 'utf8');
      assert.equal(code, SHOP_HANDLERS[fn]('1.1.0'), `${fn}: the fixture is release 1.1.0 of the seed's code`);
      assert.notEqual(SHOP_HANDLERS[fn]('1.0.0'), code, `${fn}: the seed's version 1 is other bytes`);
    }
  });

  describe('one bad function: every shop prod back on 1, and the journal says so', () => {
    // What the release publishes is version 2 of each: shop-payments' fails half its calls.
    const d = demoRelease({ randomSeed: 3, versionBehaviour: [{ functionName: 'shop-payments', version: '2', errorRate: 0.5 }] });

    it('rolls all three back at the first step, naming shop-payments:prod', async () => {
      const { h } = d;
      const before = Object.fromEntries(await Promise.all(SHOP.map(async (fn) => [fn, await routing(h, fn)] as const)));
      for (const fn of SHOP) assert.deepEqual({ ...before[fn], revisionId: undefined }, { version: '1', weights: {}, revisionId: undefined }, `${fn} before`);
      const v = await d.release('50%@20s, 100%');
      assert.equal(v.status, 'rolled-back', v.statusText);
      assert.match(v.statusText, /shop-payments:prod/);
      assert.deepEqual(v.members.map((m) => [m.functionName, m.state, m.version]), SHOP.map((fn) => [fn, 'restored', '2']));
      assert.equal(v.members.find((m) => m.functionName === 'shop-payments')?.verdict, 'Fail');
      for (const fn of SHOP) assert.deepEqual({ ...(await routing(h, fn)), revisionId: undefined }, { version: '1', weights: {}, revisionId: undefined }, `${fn} restored`);
      // Each new version was smoke-tested with the folder's sample event before any traffic.
      assert.equal(d.env.log.lines.filter((l) => /Smoke test of version 2 passed/.test(l)).length, 3, d.env.log.lines.join('\n'));
      // The bad version did serve prod during the step: the judge had evidence, not a guess.
      const bad = d.served()['shop-payments'].byVersion['2'];
      assert.ok(bad && bad.errors > 0, JSON.stringify(d.served()['shop-payments']));

      // The journal, read by a runner started afresh (as after a restart), tells what AWS holds.
      const again = d.runner();
      await again.load();
      const read = again.view(v.id)!;
      assert.equal(read.status, 'rolled-back', read.statusText);
      assert.deepEqual(read.members.map((m) => [m.functionName, m.state, m.stable, m.version]), SHOP.map((fn) => [fn, 'restored', '1', '2']));
      const events = (await d.events()).filter((e) => e.id === v.id);
      for (const fn of SHOP) {
        const mine = events.filter((e) => 'functionName' in e && e.functionName === fn);
        const published = mine.find((e): e is Extract<ReleaseEvent, { type: 'published' }> => e.type === 'published');
        const config = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: '2' }));
        assert.deepEqual(published && [published.version, published.codeSha256], ['2', config.CodeSha256], `${fn}: the journal's version is the one published`);
        const last = mine.at(-1)!;
        assert.equal(last.type, 'restored', `${fn}: ${mine.map((e) => e.type).join(', ')}`);
        assert.equal(last.type === 'restored' && last.revisionId, (await routing(h, fn)).revisionId, `${fn}: the journal's last write is the alias as it is`);
      }
      const end = events.at(-1);
      assert.deepEqual(end?.type === 'ended' && [end.result, end.message], ['rolled-back', v.statusText]);
    });
  });

  describe('the fixture as it is: every shop prod on version 2', () => {
    const d = demoRelease({ randomSeed: 4 });

    it('promotes all three, no weights left, each serving release 1.1.0', async () => {
      const { h } = d;
      const v = await d.release('50%@3s, 100%');
      assert.equal(v.status, 'promoted', v.statusText);
      assert.deepEqual(v.members.map((m) => [m.functionName, m.state, m.version]), SHOP.map((fn) => [fn, 'promoted', '2']));
      for (const fn of SHOP) {
        assert.deepEqual({ ...(await routing(h, fn)), revisionId: undefined }, { version: '2', weights: {}, revisionId: undefined }, `${fn} promoted`);
        const versions = ((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? []).map((x) => [x.Version, x.Description]);
        assert.equal(versions.length, 3, `${fn}: $LATEST, 1 and the one published: ${JSON.stringify(versions)}`);
        assert.deepEqual(versions[1], ['1', 'release 1.0.0']);
        // Version 2 holds the folder's code: the fixture's handler, as packaged.
        const got = await h().lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: '2' }));
        assert.equal(got.Configuration?.CodeSha256, v.members.find((m) => m.functionName === fn)?.codeSha256);
      }
      // What prod serves now is the new release, and it never failed.
      await sleep(500);
      for (const fn of SHOP) {
        const served = d.served()[fn].byVersion;
        assert.equal(served['2']?.errors ?? -1, 0, `${fn}: ${JSON.stringify(served)}`);
        assert.deepEqual([...(served['2']?.releases ?? [])], ['1.1.0'], fn);
        assert.deepEqual([...(served['1']?.releases ?? [])], ['1.0.0'], fn);
      }
      const again = d.runner();
      await again.load();
      assert.equal(again.view(v.id)?.status, 'promoted');
    });
  });
});
