/**
 * The fault matrix: every deploy use case × every AWS call it makes × every fault the sandbox
 * offers at that call, with the real SDK clients the extension builds (createClients: standard
 * retry mode, 3 attempts, request timeout enforced) talking HTTP to the sandbox. The use cases
 * run as the front ends run them (src/core/usecases, a deployment journal behind them).
 *
 * The calls are not listed by hand: each use case is first run once without faults and the
 * sandbox's request log says which Lambda operations it made, in order. Each case then arms one
 * fault at one of those calls (the Nth call of that Lambda operation):
 *
 * - error     a 500, on every attempt the SDK makes: the call fails for good;
 * - throttle  one 429: the SDK's retry strategy must ride it out, the operation succeeds;
 * - drop      the connection dropped before an answer, on every attempt;
 * - truncate  the answer's status and headers and half its body, then the connection dropped, on
 *             every attempt — the call took effect but the client never read its answer;
 * - delay     the request held past the client's request timeout, on every attempt — the sandbox
 *             still carries it out afterwards, so a write lands while the client has given up;
 * - revision  another developer's client changes the RevisionId that guards the next write, just
 *             before this call is handled.
 *
 * After every case, read back through the SDK: the alias points to a published, Active version;
 * its routing is empty or one other published version with 0 < w < 1; invocations through it
 * only reach those versions (never $LATEST); $LATEST's code and configuration are as before or as
 * intended, and the other developer's change is never lost; the use case either reached exactly
 * its intended state or returned an error that names the failed step and truthfully says what it
 * left; its Outcome tells the truth (done exactly when the intended routing is in place, unchanged
 * when the alias routes as before, after = the alias as read back, versionsPublished = what
 * ListVersionsByFunction shows); and running the same use case again then succeeds.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { Clients } from '../../src/core/connection';
import { createClients } from '../../src/core/connection';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import { sha256Base64 } from '../../src/core/packaging';
import type { UseCaseContext } from '../../src/core/usecases';
import { deployPackage, promote, rollback, setCanaryWeight, switchAlias, switchBack } from '../../src/core/usecases';
import type { FaultSpec, Sandbox } from '../../src/sandbox';
import { startSandbox, zipFiles } from '../../src/sandbox';
import { ROLE, sleep, useSandbox } from './helpers';
import { assertOutcomeTruth, tempJournal, useCaseContext } from './outcome-truth';

const FAST = { maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 };
/** Sandboxes running cases side by side (faults are armed per sandbox, so one case at a time each). */
const SHARDS = 4;
/** The request timeout of the client in the delay cases… */
const TIMEOUT_MS = 400;
/** …and how long the sandbox holds each delayed request before carrying it out. */
const DELAY_MS = 600;
/** Request timeout everywhere else: generous, so a busy machine does not add faults of its own. */
const NORMAL_TIMEOUT_MS = 10_000;
const TOUCH = 'touched by the other developer';
const BASE_DESCRIPTION = 'fault matrix';
const WRITES = new Set(['UpdateFunctionCode', 'PublishVersion', 'UpdateAlias']);

type OpName = 'deployPackage' | 'setCanaryWeight' | 'promote' | 'rollback' | 'switchAlias' | 'switchBack';
type Fault = 'error' | 'throttle' | 'drop' | 'truncate' | 'delay' | 'revision';
const FAULTS: Fault[] = ['error', 'throttle', 'drop', 'truncate', 'delay', 'revision'];

/** Which step names an Outcome's error may give for a failure of each Lambda operation. */
const STEP_OF: Record<string, RegExp> = {
  GetAlias: /^GetAlias /,
  GetFunctionConfiguration: /^(GetFunctionConfiguration \$LATEST|Wait for version \d+ Active|Check versions? )/,
  GetFunction: /^Wait for FunctionUpdated$/,
  UpdateFunctionCode: /^UpdateFunctionCode$/,
  PublishVersion: /^PublishVersion$/,
  Invoke: /^Smoke invoke of version \d+$/,
  UpdateAlias: /^UpdateAlias prod$/,
};

interface Call {
  op: string;
  status: string;
  fn: string;
}

interface Shard {
  sandbox: Sandbox;
  calls: Call[];
  /** Sets functions up and reads them back; never faulted (faults are cleared before it runs). */
  admin: Clients;
  /** The other developer. */
  other: Clients;
  /** This developer's deployment journal: what Switch Back reads. */
  journal: ReturnType<typeof tempJournal>;
}

interface State {
  alias: AliasConfiguration;
  latest: FunctionConfiguration;
  /** Published versions, oldest first. */
  versions: FunctionConfiguration[];
  /** Versions that answered invocations through the alias. */
  executed: Set<string>;
}

interface Routing {
  primary: string;
  weights: Record<string, number>;
}

interface Scenario {
  setup: 'base' | 'canary' | 'switched';
  /** Runs the use case as the extension's command does, with the alias RevisionId the tree showed. */
  run(ctx: UseCaseContext, fn: string, newCode: Code, expectedRevisionId: string): Promise<Outcome>;
  /** The alias routing the use case intends, given the versions it left. */
  intended(after: State, newCode: Code): Routing;
}

interface Code {
  zip: Buffer;
  codeSha256: string;
}

function code(tag: string): Code {
  const zip = zipFiles({ 'index.js': `exports.handler = async () => (${JSON.stringify({ tag })});\n` });
  return { zip, codeSha256: sha256Base64(zip) };
}
const V1 = code('v1');
const V2 = code('v2');
const V3 = code('v3');

const ref = (fn: string, expectedRevisionId?: string) => ({ functionName: fn, aliasName: 'prod', expectedRevisionId });

const SCENARIOS: Record<OpName, Scenario> = {
  deployPackage: {
    setup: 'base',
    run: (ctx, fn, c, rev) => deployPackage(ctx, { ...ref(fn, rev), weightPercent: 10, ...c, description: 'git 0123abc', smokeEvent: { ping: true } }),
    intended: (after, c) => {
      const v = after.versions.find((x) => Number(x.Version) > 2 && x.CodeSha256 === c.codeSha256);
      return { primary: '2', weights: { [v?.Version ?? 'a new version with the new code']: 0.1 } };
    },
  },
  setCanaryWeight: { setup: 'canary', run: (ctx, fn, _c, rev) => setCanaryWeight(ctx, { ...ref(fn, rev), weightPercent: 25 }), intended: () => ({ primary: '2', weights: { '3': 0.25 } }) },
  promote: { setup: 'canary', run: (ctx, fn, _c, rev) => promote(ctx, ref(fn, rev)), intended: () => ({ primary: '3', weights: {} }) },
  rollback: { setup: 'canary', run: (ctx, fn, _c, rev) => rollback(ctx, ref(fn, rev)), intended: () => ({ primary: '2', weights: {} }) },
  switchAlias: { setup: 'base', run: (ctx, fn, _c, rev) => switchAlias(ctx, { ...ref(fn, rev), version: '1' }), intended: () => ({ primary: '1', weights: {} }) },
  // As the Switch Back command runs it: the switch 2 → 1 read from the journal, no RevisionId from a tree.
  switchBack: { setup: 'switched', run: (ctx, fn) => switchBack(ctx, ref(fn)), intended: () => ({ primary: '2', weights: {} }) },
};

function routingOf(alias: AliasConfiguration): Routing {
  return { primary: alias.FunctionVersion ?? '?', weights: { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) } };
}

function show(r: Routing): string {
  const w = Object.entries(r.weights);
  return w.length ? `${r.primary} + ${w.map(([v, x]) => `${v}@${x}`).join(',')}` : r.primary;
}

interface Case {
  op: OpName;
  /** Index in the recorded call sequence. */
  position: number;
  operation: string;
  nth: number;
  fault: Fault;
  /** What the revision fault's other developer touches: what guards the next write. */
  touches: 'alias' | 'latest';
  /** How often the recorded run called `operation`. */
  recordedCount: number;
}

interface CaseResult {
  name: string;
  passed: boolean;
  detail: string;
}

describe('fault matrix: every use case × every AWS call × every fault (real SDK ↔ sandbox)', function () {
  this.timeout(120_000);
  const shards: Shard[] = [];
  const results: CaseResult[] = [];
  const summary: Array<{ op: OpName; calls: string[]; cases: number; passed: number; succeeded: number; failedCleanly: number }> = [];
  let maxAttempts = 0;
  let seq = 0;

  before(async () => {
    for (let i = 0; i < SHARDS; i++) {
      const calls: Call[] = [];
      const sandbox = await startSandbox({
        updateDelayMs: 0,
        randomSeed: 11 + i,
        log: (line) => {
          const m = /^\S+ (\S+) (\S+) → (\d+|connection dropped)/.exec(line);
          if (m) calls.push({ fn: decodeURIComponent(m[1].split('/')[3] ?? ''), op: m[2], status: m[3] });
        },
      });
      const spec = { kind: 'sandbox' as const, endpoint: sandbox.endpoint, region: sandbox.region, embedded: false };
      shards.push({ sandbox, calls, admin: createClients(spec, { maxAttempts: 1 }), other: createClients(spec, { maxAttempts: 1 }), journal: tempJournal(`matrix-${i}`) });
    }
    const probe = clientsFor(shards[0], NORMAL_TIMEOUT_MS);
    maxAttempts = await probe.lambda.config.maxAttempts();
    probe.dispose();
    assert.ok(maxAttempts > 1, 'the clients retry');
  });

  after(async () => {
    for (const s of shards) {
      s.admin.dispose();
      s.other.dispose();
      s.journal.dispose();
      await s.sandbox.close();
    }
    const passed = results.filter((r) => r.passed).length;
    const rows = summary.map((s) => `  ${s.op.padEnd(16)} ${String(s.calls.length).padStart(2)} calls × ${FAULTS.length} faults = ${String(s.cases).padStart(3)} cases, ${s.passed} passed (${s.succeeded} succeeded, ${s.failedCleanly} failed cleanly and were retried)`);
    console.log(['', `  Fault matrix: ${results.length} cases run, ${passed} passed.`, ...rows, ''].join('\n'));
  });

  function clientsFor(shard: Shard, requestTimeoutMs: number): Clients {
    return createClients({ kind: 'sandbox', endpoint: shard.sandbox.endpoint, region: shard.sandbox.region, embedded: false }, { requestTimeoutMs });
  }

  /**
   * Versions 1 (v1) and 2 (v2), prod → 2; with a 10 % canary on version 3, or switched 2 → 1 by
   * the Switch Alias use case, so that the switch is in the journal Switch Back reads.
   */
  async function setup(shard: Shard, fn: string, kind: Scenario['setup']): Promise<void> {
    const { lambda } = shard.admin;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Timeout: 3,
        MemorySize: 128,
        Description: BASE_DESCRIPTION,
        Environment: { Variables: { STAGE: 'matrix' } },
        Code: { ZipFile: V1.zip },
      }),
    );
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: V2.zip }));
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', Description: 'prod alias' }));
    if (kind === 'canary') {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: V3.zip }));
      await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
      await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } }));
    } else if (kind === 'switched') {
      const o = await switchAlias(useCaseContext(shard.admin, { waiters: FAST, journal: shard.journal.port }), { ...ref(fn), version: '1' });
      assert.equal(o.state, 'done', `the switch the journal remembers: ${outcomeText(o)}`);
    }
  }

  async function snapshot(shard: Shard, fn: string): Promise<State> {
    const { lambda } = shard.admin;
    const [alias, latest, listed] = await Promise.all([
      lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' })),
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn })),
      lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn })),
    ]);
    const executed = new Set<string>();
    // DryRun picks the version through the alias's routing, as a real invocation would, without running code.
    for (let i = 0; i < 12; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'prod', InvocationType: 'DryRun' }));
      executed.add(out.ExecutedVersion ?? '?');
    }
    const versions = (listed.Versions ?? []).filter((v) => v.Version !== '$LATEST').sort((a, b) => Number(a.Version) - Number(b.Version));
    return { alias, latest, versions, executed };
  }

  /** What must hold after any case, whatever the operation did. */
  function assertInvariants(s: State, before: State, touched: 'alias' | 'latest' | undefined): void {
    const published = new Map(s.versions.map((v) => [v.Version!, v]));
    const r = routingOf(s.alias);
    assert.ok(published.has(r.primary), `alias points to ${r.primary}, not a published version (${[...published.keys()].join(', ')})`);
    const extra = Object.entries(r.weights);
    assert.ok(extra.length <= 1, `at most one additional version: ${show(r)}`);
    for (const [v, w] of extra) {
      assert.ok(published.has(v) && v !== r.primary, `routed version ${v} is another published version`);
      assert.ok(w > 0 && w < 1, `weight ${w} in (0, 1)`);
    }
    for (const v of [r.primary, ...extra.map(([x]) => x)]) assert.equal(published.get(v)?.State, 'Active', `version ${v} is Active`);
    for (const v of s.executed) assert.ok(v === r.primary || v in r.weights, `an invocation through prod reached version ${v}, outside ${show(r)}`);
    // $LATEST's configuration is untouched by the operations; only the other developer changes it.
    const cfg = (c: FunctionConfiguration) => JSON.stringify([c.Runtime, c.Handler, c.Role, c.Timeout, c.MemorySize, c.Environment?.Variables]);
    assert.equal(cfg(s.latest), cfg(before.latest), '$LATEST configuration unchanged');
    assert.equal(s.latest.Description, touched === 'latest' ? TOUCH : BASE_DESCRIPTION, 'the other developer’s $LATEST change survives (and nobody else’s is made up)');
    assert.equal(s.alias.Description, touched === 'alias' ? TOUCH : 'prod alias', 'the other developer’s alias change survives');
    // Published versions are immutable.
    for (const v of before.versions) assert.equal(published.get(v.Version!)?.CodeSha256, v.CodeSha256, `version ${v.Version} unchanged`);
  }

  /** Versions published since `before` (all must carry the new code, and there is at most one). */
  function addedVersions(s: State, before: State, c: Code): FunctionConfiguration[] {
    const added = s.versions.filter((v) => Number(v.Version) > Number(before.versions[before.versions.length - 1].Version));
    for (const v of added) assert.equal(v.CodeSha256, c.codeSha256, `new version ${v.Version} holds the deployed code`);
    assert.ok(added.length <= 1, `one version published for one code, not ${added.map((v) => v.Version).join(', ')}`);
    return added;
  }
  const newVersions = (s: State, before: State, c: Code): string[] => addedVersions(s, before, c).map((v) => v.Version!);

  /** A failed use case's claim of what it left (error.left) must match what is there. */
  function assertStateClaim(op: OpName, left: string | undefined, s: State, before: State, c: Code): void {
    const state = left ?? '';
    assert.ok(state, 'the error says what state it left');
    assert.doesNotMatch(state, /^Unknown/, 'the outcome was read back, not left unknown');
    assert.match(state, /unchanged|Nothing was changed|Nothing was written/, 'the error says the alias was left as it was');
    if (op !== 'deployPackage') {
      assert.equal(s.latest.CodeSha256, before.latest.CodeSha256, '$LATEST code unchanged');
      assert.deepEqual(s.versions.map((v) => v.Version), before.versions.map((v) => v.Version), 'no version published');
      return;
    }
    const added = newVersions(s, before, c);
    if (/^Nothing was (changed|written)/.test(state)) {
      assert.equal(s.latest.CodeSha256, before.latest.CodeSha256, `"${state}" but $LATEST holds the new code`);
      assert.deepEqual(added, [], `"${state}" but version(s) ${added.join(', ')} were published`);
    } else if (/^\$LATEST holds the new code; no version was published/.test(state) || /^No version was published/.test(state)) {
      assert.deepEqual(added, [], `"${state}" but version(s) ${added.join(', ')} were published`);
      if (/^\$LATEST holds/.test(state)) assert.equal(s.latest.CodeSha256, c.codeSha256, `"${state}" but $LATEST does not hold the new code`);
    } else {
      const m = /^Version (\d+) was published but receives no traffic/.exec(state);
      assert.ok(m, `an unexpected state claim: "${state}"`);
      assert.deepEqual(added, [m[1]], `"${state}" but the new versions are ${added.join(', ') || 'none'}`);
    }
  }

  /** The alias RevisionId the tree would show. */
  async function revisionOf(shard: Shard, fn: string): Promise<string> {
    return (await shard.admin.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))).RevisionId!;
  }

  /** Runs the use case; it returns an Outcome and never throws for a failure of the action. */
  async function runOnce(shard: Shard, op: OpName, fn: string, c: Code, rev: string, requestTimeoutMs: number, smokeTimeoutMs?: number): Promise<Outcome> {
    const clients = clientsFor(shard, requestTimeoutMs);
    try {
      return await SCENARIOS[op].run(useCaseContext(clients, { waiters: FAST, journal: shard.journal.port, smokeTimeoutMs }), fn, c, rev);
    } finally {
      clients.dispose();
    }
  }

  async function runCase(shard: Shard, k: Case): Promise<'succeeded' | 'failed cleanly'> {
    const fn = `fm-${k.op}-${++seq}`;
    try {
      return await runCaseOn(shard, k, fn);
    } finally {
      shard.sandbox.faults.clear();
      // Also shuts the function's warm execution environments down.
      await shard.admin.lambda.send(new DeleteFunctionCommand({ FunctionName: fn })).catch(() => undefined);
    }
  }

  async function runCaseOn(shard: Shard, k: Case, fn: string): Promise<'succeeded' | 'failed cleanly'> {
    const scenario = SCENARIOS[k.op];
    const c = code(`new-${fn}`);
    await setup(shard, fn, scenario.setup);
    const before = await snapshot(shard, fn);
    const { sandbox } = shard;
    const fault: FaultSpec = { operation: k.operation, nth: k.nth, kind: 'error' };
    switch (k.fault) {
      case 'error':
      case 'drop':
      case 'truncate':
        Object.assign(fault, { kind: k.fault, times: maxAttempts });
        break;
      case 'delay':
        Object.assign(fault, { kind: 'delay', times: maxAttempts, delayMs: DELAY_MS });
        break;
      case 'throttle':
        Object.assign(fault, { kind: 'throttle', times: 1 });
        break;
      case 'revision':
        Object.assign(fault, {
          kind: 'hook',
          times: 1,
          hook: async () => {
            const { lambda } = shard.other;
            if (k.touches === 'alias') await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: TOUCH }));
            else await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: TOUCH }));
          },
        });
        break;
    }
    const touched = k.fault === 'revision' ? k.touches : undefined;

    const rev = await revisionOf(shard, fn);
    shard.calls.length = 0;
    sandbox.faults.add(fault);
    const delayed = k.fault === 'delay';
    let first: Outcome;
    try {
      // The smoke invoke has its own, longer timeout (it runs the handler, cold): shortened only
      // when it is the call being held.
      first = await runOnce(shard, k.op, fn, c, rev, delayed ? TIMEOUT_MS : NORMAL_TIMEOUT_MS, delayed && k.operation === 'Invoke' ? TIMEOUT_MS : undefined);
    } finally {
      assert.equal(sandbox.faults.pending, 0, `the fault was hit on every attempt it was armed for (${k.operation} call ${k.nth})`);
      sandbox.faults.clear();
    }
    // Delayed requests the client gave up on are still carried out: let them land before looking.
    if (delayed) await sleep(DELAY_MS - TIMEOUT_MS + 200);
    const calls = shard.calls.filter((x) => x.fn === fn);
    const count = calls.filter((x) => x.op === k.operation).length;

    if (k.fault === 'throttle') {
      assert.equal(first.error, undefined, `a single 429 is ridden out by the SDK's retry strategy, but: ${outcomeText(first)}`);
      assert.equal(calls.filter((x) => x.status === '429').length, 1, 'one throttled request');
      assert.equal(count, k.recordedCount + 1, `the SDK sent ${k.operation} again after the 429`);
    }
    if (delayed) {
      assert.ok(count >= k.nth - 1 + maxAttempts, `the client timed out and sent the held ${k.operation} again (${count} calls)`);
    }

    const after1 = await snapshot(shard, fn);
    assertInvariants(after1, before, touched);
    // The Outcome's own truth, whatever happened: state, before/after, versions published.
    const intended = (s: State) => isDeepStrictEqual(routingOf(s.alias), scenario.intended(s, c));
    assertOutcomeTruth(first, { now: after1.alias, before: before.alias, intended: intended(after1), published: k.op === 'deployPackage' ? addedVersions(after1, before, c) : [], othersWrote: touched === 'alias' });
    if (k.op === 'deployPackage' && first.uploadSkipped !== undefined) assert.equal(first.uploadSkipped, false, 'the upload was needed: $LATEST held other code');
    if (first.error === undefined) {
      if (WRITES.has(k.operation) && (k.fault === 'error' || k.fault === 'drop')) assert.fail(`${k.operation} never got through, yet the use case reported success`);
      if (k.fault === 'revision' && WRITES.has(k.operation)) assert.fail('the RevisionId changed just before the write, yet the use case reported success');
      assert.deepEqual(routingOf(after1.alias), scenario.intended(after1, c), 'the use case succeeded: the alias is as intended');
      assert.equal(first.state, 'done');
      if (k.op === 'deployPackage') {
        assert.equal(after1.latest.CodeSha256, c.codeSha256);
        assert.equal(newVersions(after1, before, c).length, 1);
        assert.equal(first.versionsPublished[0]?.version, Object.keys(after1.alias.RoutingConfig!.AdditionalVersionWeights!)[0], 'the outcome names the routed version');
      }
      else assert.equal(after1.latest.CodeSha256, before.latest.CodeSha256, '$LATEST code unchanged');
      return 'succeeded';
    }

    const e = first.error;
    if (delayed && WRITES.has(k.operation)) assert.fail(`the held ${k.operation} landed, yet the use case reported: ${e.message} — ${e.left}`);
    if (k.fault === 'truncate' && WRITES.has(k.operation)) assert.fail(`${k.operation} landed (only its reply was cut), yet the use case reported: ${e.message} — ${e.left}`);
    assert.equal(first.state, 'unchanged', `a failed use case that was read back leaves the alias unchanged, and says so: ${outcomeText(first)}`);
    assert.doesNotMatch(e.message, /failed unexpectedly/, 'a failure of the action, not of the code');
    assert.ok(e.message.length > 0);
    if (k.fault === 'revision') {
      assert.equal(e.kind, 'conflict', `another client's change is reported as a conflict: ${e.message}`);
      assert.match(e.message, /changed|someone else/);
    } else {
      assert.match(e.step ?? '', STEP_OF[k.operation], `the error names the failed step (${k.operation}): got '${e.step}' — ${e.message}`);
      assert.ok(e.kind === 'aws' || e.kind === 'network', `kind ${e.kind}`);
      if (k.fault === 'error') assert.match(e.message, /ServiceException|Injected fault/);
      else assert.match(e.message, /connection|Timeout|socket/i);
    }
    assert.deepEqual(routingOf(after1.alias), routingOf(before.alias), 'a failed use case leaves the alias routing as it was');
    assertStateClaim(k.op, e.left, after1, before, c);

    // Safe to retry: the same use case, faults gone, succeeds from whatever the failure left.
    const second = await runOnce(shard, k.op, fn, c, await revisionOf(shard, fn), NORMAL_TIMEOUT_MS);
    assert.equal(second.error, undefined, `running the use case again succeeds, but: ${second.error ? `${second.error.message} (${second.error.step})` : ''}`);
    const after2 = await snapshot(shard, fn);
    assertInvariants(after2, before, touched);
    assert.deepEqual(routingOf(after2.alias), scenario.intended(after2, c), 'the retry reached the intended state');
    // A version the failed attempt published is published again by the retry: Lambda answers
    // PublishVersion of unchanged code with it, so the retry's outcome names it too.
    assertOutcomeTruth(second, { now: after2.alias, before: after1.alias, intended: intended(after2), published: k.op === 'deployPackage' ? addedVersions(after2, before, c) : [] });
    if (k.op === 'deployPackage') {
      assert.equal(newVersions(after2, before, c).length, 1, 'the retry published (or reused) exactly one version');
      assert.equal(second.uploadSkipped, after1.latest.CodeSha256 === c.codeSha256, 'the retry uploads exactly when $LATEST does not hold the code yet');
    }
    return 'failed cleanly';
  }

  /** Runs the use case once without faults and returns the Lambda operations it called, in order. */
  async function record(op: OpName): Promise<string[]> {
    const shard = shards[0];
    const fn = `fm-${op}-record`;
    const c = code(`new-${fn}`);
    await setup(shard, fn, SCENARIOS[op].setup);
    const rev = await revisionOf(shard, fn);
    shard.calls.length = 0;
    const r = await runOnce(shard, op, fn, c, rev, NORMAL_TIMEOUT_MS);
    assert.equal(r.state, 'done', `the fault-free run succeeds: ${outcomeText(r)}`);
    const calls = shard.calls.filter((x) => x.fn === fn && x.op !== 'Admin');
    assert.ok(calls.every((x) => /^2\d\d$/.test(x.status)), 'no errors in the fault-free run');
    await shard.admin.lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
    return calls.map((x) => x.op);
  }

  for (const op of Object.keys(SCENARIOS) as OpName[]) {
    it(`${op}: every fault at every call keeps the invariants, and a retry succeeds`, async () => {
      const calls = await record(op);
      const cases: Case[] = [];
      const seen = new Map<string, number>();
      calls.forEach((operation, position) => {
        const nth = (seen.get(operation) ?? 0) + 1;
        seen.set(operation, nth);
        const next = calls.slice(position).find((x) => WRITES.has(x)) ?? 'UpdateAlias';
        for (const fault of FAULTS) {
          cases.push({ op, position, operation, nth, fault, touches: next === 'UpdateAlias' ? 'alias' : 'latest', recordedCount: calls.filter((x) => x === operation).length });
        }
      });
      const row = { op, calls, cases: cases.length, passed: 0, succeeded: 0, failedCleanly: 0 };
      summary.push(row);
      const failures: string[] = [];
      let next = 0;
      await Promise.all(
        shards.map(async (shard) => {
          while (next < cases.length) {
            const k = cases[next++];
            const name = `${op} × ${k.operation}#${k.nth} (call ${k.position + 1}/${calls.length}) × ${k.fault}`;
            try {
              const outcome = await runCase(shard, k);
              row.passed++;
              if (outcome === 'succeeded') row.succeeded++;
              else row.failedCleanly++;
              results.push({ name, passed: true, detail: outcome });
            } catch (err) {
              const detail = err instanceof Error ? err.message : String(err);
              failures.push(`${name}: ${detail}`);
              results.push({ name, passed: false, detail });
            }
          }
        }),
      );
      assert.ok(cases.length >= calls.length * FAULTS.length);
      assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n')}`);
    });
  }
});

describe('faults around the matrix (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  // Updates stay InProgress for a while here, as on AWS.
  const h = useSandbox({ updateDelayMs: 300, randomSeed: 5 });
  let n = 0;
  let fn: string;
  let clients: Clients;

  beforeEach(async () => {
    fn = `around-${++n}`;
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: V1.zip } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: V2.zip }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
    // The extension's own client configuration: standard retries, 3 attempts.
    clients = createClients({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false }, { requestTimeoutMs: 300 });
  });
  afterEach(() => {
    h().sandbox.faults.clear();
    clients.dispose();
  });
  const ctx = (): UseCaseContext => useCaseContext(clients, { waiters: FAST });
  const alias = () => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));

  it('enforces the request timeout: a request held past it fails (and is retried), instead of waiting for the answer', async () => {
    h().sandbox.faults.add({ operation: 'GetAlias', kind: 'delay', delayMs: 3_000, times: 3 });
    const started = Date.now();
    await assert.rejects(clients.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' })), (e: Error & { $metadata?: { attempts?: number } }) => {
      assert.equal(e.name, 'TimeoutError');
      assert.equal(e.$metadata?.attempts, 3, 'each attempt timed out and was retried by the SDK');
      return true;
    });
    assert.ok(Date.now() - started < 2_500, `gave up after ${Date.now() - started} ms, before the sandbox answered`);
  });

  const versions = async () =>
    ((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? []).filter((v) => v.Version !== '$LATEST').sort((a, b) => Number(a.Version) - Number(b.Version));

  it('throttling that outlasts the retry strategy fails with the throttling advice; nothing changed; a retry succeeds', async () => {
    const before = await alias();
    h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'throttle', times: 3 });
    const o = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: before.RevisionId, version: '1' });
    assert.ok(o.error, outcomeText(o));
    assert.equal(o.error.step, 'UpdateAlias prod');
    assert.match(o.error.message, /throttling requests \(TooManyRequestsException\) even after retries/);
    assert.equal(o.error.left, 'prod is unchanged.');
    assert.equal(o.error.kind, 'aws');
    assert.equal(o.state, 'unchanged');
    assert.equal(h().sandbox.faults.pending, 0, 'all three attempts were throttled');
    const now = await alias();
    assert.equal(now.RevisionId, before.RevisionId);
    assertOutcomeTruth(o, { now, before, intended: false, published: [] });
    const retry = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: before.RevisionId, version: '1' });
    const switched = await alias();
    assert.equal(switched.FunctionVersion, '1');
    assertOutcomeTruth(retry, { now: switched, before, intended: true, published: [] });
  });

  it('a write with no answer whose read-back fails too is unknown, and says how to find out; a retry then succeeds', async () => {
    const before = await alias();
    h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop', times: 3 });
    h().sandbox.faults.add({ operation: 'GetAlias', nth: 2, kind: 'error', times: 5 });
    const o = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: before.RevisionId, version: '1' });
    h().sandbox.faults.clear();
    assert.equal(o.state, 'unknown', outcomeText(o));
    assert.equal(o.error?.kind, 'unknown');
    assert.equal(o.error.step, 'UpdateAlias prod');
    assert.match(outcomeText(o), /Refresh and look at prod: if it shows prod → 1, the change went through/);
    const now = await alias();
    assertOutcomeTruth(o, { now, before, intended: now.FunctionVersion === '1', published: [] });
    const retry = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '1' });
    const switched = await alias();
    assert.equal(switched.FunctionVersion, '1');
    assertOutcomeTruth(retry, { now: switched, before: now, intended: true, published: [] });
  });

  it('deployPackage with the code already staged waits for an update still in progress before publishing', async () => {
    const c = code('staged-by-someone');
    const before = await alias();
    const had = (await versions()).length;
    // Another developer staged this exact code a moment ago: $LATEST is still InProgress.
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: c.zip }));
    const r = await deployPackage(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 5, ...c });
    assert.equal(r.uploadSkipped, true);
    assert.equal(r.versionsPublished[0]?.version, '3');
    const now = await alias();
    assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights, { '3': 0.05 });
    assertOutcomeTruth(r, { now, before, intended: true, published: (await versions()).slice(had) });
    assert.match(outcomeText(r), /Published version 3 \(the deployed code was already this package: nothing uploaded\)\. 5% of prod goes to version 3/);
  });
});
