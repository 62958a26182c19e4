/**
 * Races: two developers — two SDK clients built as the extension builds them, each with their
 * own deployment journal — run conflicting use cases on the same alias at the same time, round
 * after round, with seeded random interleavings (the sandbox holds every request a random few
 * milliseconds, and one developer may start a little later). Both decided on the alias as the
 * tree showed it (its RevisionId).
 *
 * Each round: exactly one use case is done; the other returns the conflict error (a stale
 * RevisionId → PreconditionFailed, turned into "changed since you loaded it — refresh and retry",
 * or the same refusal before any write) with nothing written; exactly one UpdateAlias went
 * through, so no update is lost or half-applied; the alias ends exactly in the winner's intended
 * state; and both Outcomes tell the truth about it (after = the alias as read back,
 * versionsPublished = what ListVersionsByFunction shows each developer published).
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import type { Clients } from '../../src/core/connection';
import { createClients } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import { sha256Base64 } from '../../src/core/packaging';
import type { UseCaseContext } from '../../src/core/usecases';
import { deployPackage, promote as promoteUseCase, rollback as rollbackUseCase, setCanaryWeight, switchAlias, switchBack } from '../../src/core/usecases';
import type { Sandbox } from '../../src/sandbox';
import { seededRandom, startSandbox, zipFiles } from '../../src/sandbox';
import { ROLE, sleep } from './helpers';
import { assertOutcomeTruth, tempJournal, useCaseContext } from './outcome-truth';

const ROUNDS = 100;
const SEED = 0x5eed;
const FAST = { maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 };

interface Routing {
  primary: string;
  weights: Record<string, number>;
}

interface Move {
  label: string;
  run(ctx: UseCaseContext, fn: string, expectedRevisionId: string): Promise<Outcome>;
  /** The alias this developer wants; `versions` maps version → CodeSha256 after the round. */
  intended(versions: Map<string, string>): Routing;
  /** The CodeSha256 of the code this developer deploys, if any. */
  codeSha256?: string;
}

type Random = () => number;

interface Pair {
  setup: 'canary' | 'plain' | 'switched';
  moves(rnd: Random, round: number): [Move, Move];
}

function code(tag: string): { zip: Buffer; codeSha256: string } {
  const zip = zipFiles({ 'index.js': `exports.handler = async () => (${JSON.stringify({ tag })});\n` });
  return { zip, codeSha256: sha256Base64(zip) };
}

const ref = (fn: string, expectedRevisionId?: string) => ({ functionName: fn, aliasName: 'prod', expectedRevisionId });

const weight = (pct: number): Move => ({
  label: `weight ${pct}%`,
  run: (ctx, fn, rev) => setCanaryWeight(ctx, { ...ref(fn, rev), weightPercent: pct }),
  intended: () => ({ primary: '2', weights: { '3': pct / 100 } }),
});
const promote: Move = { label: 'promote', run: (ctx, fn, rev) => promoteUseCase(ctx, ref(fn, rev)), intended: () => ({ primary: '3', weights: {} }) };
const rollback: Move = { label: 'rollback', run: (ctx, fn, rev) => rollbackUseCase(ctx, ref(fn, rev)), intended: () => ({ primary: '2', weights: {} }) };
const switchTo = (v: string): Move => ({ label: `switch → ${v}`, run: (ctx, fn, rev) => switchAlias(ctx, { ...ref(fn, rev), version: v }), intended: () => ({ primary: v, weights: {} }) });
// As the Switch Back command runs it: guarded by the switch its developer's journal remembers
// (2 → 1, made in the setup), not by a RevisionId.
const back: Move = { label: 'switch back', run: (ctx, fn) => switchBack(ctx, ref(fn)), intended: () => ({ primary: '2', weights: {} }) };
const publish = (tag: string, pct: number): Move => {
  const c = code(tag);
  return {
    label: `publish ${pct}%`,
    codeSha256: c.codeSha256,
    run: (ctx, fn, rev) => deployPackage(ctx, { ...ref(fn, rev), weightPercent: pct, ...c }),
    intended: (versions) => {
      const v = [...versions].find(([n, sha]) => Number(n) > 3 && sha === c.codeSha256)?.[0];
      return { primary: '2', weights: { [v ?? `a version holding ${tag}`]: pct / 100 } };
    },
  };
};

const PAIRS: Pair[] = [
  { setup: 'canary', moves: (r) => [weight(1 + Math.floor(r() * 49)), weight(50 + Math.floor(r() * 49))] },
  { setup: 'canary', moves: () => [promote, rollback] },
  { setup: 'canary', moves: (r) => [weight(1 + Math.floor(r() * 98)), promote] },
  { setup: 'canary', moves: (r) => [rollback, weight(1 + Math.floor(r() * 98))] },
  { setup: 'plain', moves: () => [switchTo('1'), switchTo('3')] },
  { setup: 'plain', moves: (r, i) => [publish(`a${i}`, 10), publish(`b${i}`, 5 + Math.floor(r() * 40))] },
  { setup: 'plain', moves: (_r, i) => [publish(`c${i}`, 25), switchTo('1')] },
  { setup: 'switched', moves: () => [back, switchTo('3')] },
];

const CONFLICT = /changed since you loaded it|changed since it was read|changed before it could be published|changed by someone else|being updated by someone else|now points to version \d+, not \d+/;

describe('races: two developers, conflicting use cases on one alias (real SDK ↔ sandbox)', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let admin: Clients;
  const devs: Clients[] = [];
  /** Each developer's own deployment journal. */
  const journals = [tempJournal('race-0'), tempJournal('race-1')];
  const writes: Array<{ fn: string; op: string; status: string }> = [];
  const stats = { rounds: 0, passed: 0, wins: [0, 0], refusedBeforeWriting: 0, lostTheWrite: 0, lostOnLatest: 0, staggered: 0 };

  before(async () => {
    sandbox = await startSandbox({
      updateDelayMs: 20,
      randomSeed: SEED,
      log: (line) => {
        const m = /^\S+ (\S+) (\S+) → (\d+)/.exec(line);
        if (m && m[2] !== 'Admin') writes.push({ fn: decodeURIComponent(m[1].split('/')[3] ?? ''), op: m[2], status: m[3] });
      },
    });
    const spec = { kind: 'sandbox' as const, endpoint: sandbox.endpoint, region: sandbox.region, embedded: false };
    admin = createClients(spec, { maxAttempts: 1 });
    // Two developers, each with the extension's client configuration (standard retries).
    devs.push(createClients(spec), createClients(spec));
  });

  after(async () => {
    admin.dispose();
    for (const d of devs) d.dispose();
    for (const j of journals) j.dispose();
    await sandbox.close();
    console.log(
      `\n  Races: ${stats.rounds} rounds run, ${stats.passed} passed with exactly one winner (first developer ${stats.wins[0]}, second ${stats.wins[1]}); ` +
        `the loser lost the UpdateAlias race (PreconditionFailed) ${stats.lostTheWrite}×, a $LATEST race ${stats.lostOnLatest}×, ` +
        `was refused before writing ${stats.refusedBeforeWriting}×; ${stats.staggered} rounds with a staggered start.\n`,
    );
  });

  /** `switched`: prod → 2, then switched to 1 by the Switch Alias use case of developer `switcher`, whose journal remembers it. */
  async function setup(fn: string, kind: Pair['setup'], switcher = 0): Promise<void> {
    const { lambda } = admin;
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code('v1').zip } }));
    sandbox.settle();
    for (const tag of ['v1', 'v2', 'v3']) {
      if (tag !== 'v1') {
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code(tag).zip }));
        sandbox.settle();
      }
      await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    }
    sandbox.settle();
    const routing = kind === 'canary' ? { AdditionalVersionWeights: { '3': 0.1 } } : undefined;
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: routing }));
    if (kind === 'switched') {
      const o = await switchAlias(useCaseContext(admin, { waiters: FAST, journal: journals[switcher].port }), { ...ref(fn), version: '1' });
      assert.equal(o.state, 'done', `the switch the journal remembers: ${outcomeText(o)}`);
    }
  }

  function routingOf(a: AliasConfiguration): Routing {
    return { primary: a.FunctionVersion ?? '?', weights: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) } };
  }

  it(`${ROUNDS} rounds: exactly one developer wins each, the other gets the conflict, no update is lost, both outcomes tell the truth`, async () => {
    const rnd = seededRandom(SEED);
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pair = PAIRS[round % PAIRS.length];
      const fn = `race-${round}`;
      const moves = pair.moves(rnd, round);
      const label = `round ${round} (${moves[0].label} vs ${moves[1].label})`;
      try {
        await setup(fn, pair.setup, Math.max(0, moves.indexOf(back)));
        // Both developers look at the same tree.
        const seen = await admin.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
        const rev = seen.RevisionId!;
        const listedBefore = await admin.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
        const hadVersions = new Set((listedBefore.Versions ?? []).map((v) => v.Version));
        const logs = [new MemoryLogger(), new MemoryLogger()];
        const start = writes.length;
        // Random interleaving: every request is held 0–6 ms; one developer may start up to 30 ms late.
        sandbox.faults.add({ operation: '*', kind: 'hook', times: Number.MAX_SAFE_INTEGER, hook: () => sleep(Math.floor(rnd() * 7)) });
        const late = rnd() < 0.5 ? 0 : 1;
        const stagger = rnd() < 0.25 ? 1 + Math.floor(rnd() * 30) : 0;
        if (stagger) stats.staggered++;
        // Use cases return their outcome, never throw for the action's failure: Promise.all.
        const outcomes = await Promise.all(
          moves.map(async (m, i) => {
            if (i === late && stagger) await sleep(stagger);
            return m.run(useCaseContext(devs[i], { waiters: FAST, journal: journals[i].port, log: logs[i] }), fn, rev);
          }),
        );
        sandbox.faults.clear();

        const won = outcomes.map((o) => o.error === undefined);
        assert.equal(won.filter(Boolean).length, 1, `exactly one winner: ${outcomes.map((o) => `${o.state}: ${outcomeText(o)}`).join(' / ')}`);
        const w = won.indexOf(true);
        const loser = outcomes[1 - w];
        const e = loser.error;
        assert.ok(e, `the loser's outcome says why: ${outcomeText(loser)}`);
        assert.equal(e.kind, 'conflict', `the loser gets the conflict error, not: ${e.message}`);
        assert.match(e.message, CONFLICT);
        assert.ok(e.left, 'the conflict says what it left');
        assert.equal(loser.state, 'unchanged', 'the loser wrote nothing to the alias');
        assert.notEqual(outcomes[w].state, 'unknown');

        const aliasWrites = writes.slice(start).filter((x) => x.fn === fn && x.op === 'UpdateAlias');
        assert.equal(aliasWrites.filter((x) => x.status === '200').length, 1, 'exactly one UpdateAlias went through');
        const refused = aliasWrites.filter((x) => x.status === '412').length;
        if (refused) {
          // The outcome keeps no SDK error object: its failed step and the log line say what Lambda answered.
          assert.equal(e.step, 'UpdateAlias prod', 'the refused write surfaced as the conflict');
          assert.ok(loser.steps.some((x) => x.name === 'UpdateAlias prod' && x.result === 'failed'), `the loser's UpdateAlias is a failed step: ${JSON.stringify(loser.steps)}`);
          assert.ok(logs[1 - w].lines.some((l) => /UpdateAlias prod failed: PreconditionFailedException/.test(l)), 'Lambda refused it with PreconditionFailedException');
          stats.lostTheWrite++;
        } else if (/\$LATEST|code was changed|being updated|changed since it was read/.test(e.message)) {
          stats.lostOnLatest++;
        } else {
          stats.refusedBeforeWriting++;
        }

        const [a, listed] = await Promise.all([
          admin.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' })),
          admin.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn })),
        ]);
        const versions = new Map((listed.Versions ?? []).filter((v) => v.Version !== '$LATEST').map((v) => [v.Version!, v.CodeSha256!]));
        const final = routingOf(a);
        // Each outcome against what is there: the versions that appeared holding its developer's code.
        const appeared = (listed.Versions ?? []).filter((v) => v.Version !== '$LATEST' && !hadVersions.has(v.Version));
        outcomes.forEach((o, i) => {
          assertOutcomeTruth(o, {
            now: a,
            before: seen,
            intended: isDeepStrictEqual(final, moves[i].intended(versions)),
            published: appeared.filter((v) => moves[i].codeSha256 !== undefined && v.CodeSha256 === moves[i].codeSha256),
            othersWrote: i !== w,
          });
        });
        assert.equal(outcomes.reduce((n, o) => n + o.versionsPublished.length, 0), appeared.length, `every version that appeared is in one outcome: ${appeared.map((v) => v.Version).join(', ')}`);
        assert.deepEqual(final, moves[w].intended(versions), `the alias is in the winner's (${moves[w].label}) intended state`);
        assert.notDeepEqual(final, moves[1 - w].intended(versions), "and not in the loser's");
        assert.ok(versions.has(final.primary), 'the alias points to a published version');
        for (const [v, x] of Object.entries(final.weights)) assert.ok(versions.has(v) && x > 0 && x < 1, `routed version ${v} at ${x}`);
        stats.wins[w]++;
        stats.passed++;
      } catch (err) {
        sandbox.faults.clear();
        failures.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        stats.rounds++;
        await admin.lambda.send(new DeleteFunctionCommand({ FunctionName: fn })).catch(() => undefined);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${ROUNDS} rounds failed:\n${failures.join('\n')}`);
    assert.ok(stats.lostTheWrite >= ROUNDS / 4, `the developers really raced: ${stats.lostTheWrite} rounds were decided by a refused UpdateAlias`);
  });

  it('a blind write by another client between read and write is never overwritten', async () => {
    const fn = 'race-blind';
    await setup(fn, 'canary');
    const seen = await admin.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
    // The other developer uses the console: UpdateAlias without a RevisionId, right after our read.
    sandbox.faults.add({
      operation: 'UpdateAlias',
      kind: 'hook',
      hook: async () => {
        await devs[1].lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.5 } } }));
      },
    });
    const o = await setCanaryWeight(useCaseContext(devs[0], { waiters: FAST }), { ...ref(fn, seen.RevisionId), weightPercent: 20 });
    sandbox.faults.clear();
    assert.equal(o.error?.kind, 'conflict', outcomeText(o));
    assert.equal(o.state, 'unchanged', 'nothing was written by this developer');
    const now = await admin.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
    assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights, { '3': 0.5 });
    assertOutcomeTruth(o, { now, before: seen, intended: false, published: [], othersWrote: true });
    await admin.lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
  });
});
