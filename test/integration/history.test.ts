import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, DeleteAliasCommand, DeleteFunctionCommand, GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import type { Clients } from '../../src/core/connection';
import { createClients } from '../../src/core/connection';
import { readHistory, returnToState } from '../../src/core/history';
import type { HistoryContext } from '../../src/core/history';
import { Journal } from '../../src/core/journal';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import type { JournalPort } from '../../src/core/usecases';
import { setCanaryWeight, switchAlias, switchBack } from '../../src/core/usecases';
import type { FaultKind } from '../../src/sandbox';
import { newAccessKeyId } from '../../src/sandbox';
import type { HistoryEntry, HistoryView } from '../../src/shared/history';
import { useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

const TEAMMATE = newAccessKeyId();

describe('history: journal and CloudTrail merged (real SDK ↔ sandbox)', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 20, accessKeyId: newAccessKeyId(), otherAccessKeyIds: [TEAMMATE], users: { [TEAMMATE]: 'bob' } });
  let dir: string;
  let clients: Clients;
  let journal: Journal;
  let teammate: LambdaClient;
  let n = 0;
  let fn: string;

  before(() => {
    const s = h().sandbox;
    clients = createClients({ kind: 'sandbox', endpoint: s.endpoint, region: s.region, embedded: false, accessKeyId: s.accessKeyId });
    teammate = new LambdaClient({ endpoint: s.endpoint, region: s.region, credentials: { accessKeyId: TEAMMATE, secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  after(() => {
    clients?.dispose();
    teammate?.destroy();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'history-'));
    journal = new Journal(dir, { client: { kind: 'cli', version: 'test' }, fsync: false });
    fn = `hist-${++n}`;
    await createFn(h().lambda, fn);
    for (const tag of ['a', 'b', 'c']) await publish(h().lambda, fn, tag, `release ${tag}`);
    await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
  });
  afterEach(() => {
    h().sandbox.faults.clear();
    h().sandbox.setCloudTrailLag(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const port = (): JournalPort => ({
    append: (o) => journal.append(o, { connection: { kind: 'sandbox', label: 'test' } }),
    lastSwitch: (key) => journal.lastSwitch(key),
    rollouts: () => journal.rollouts(),
    history: (key, since) => journal.history(key, since),
  });
  const ctx = (extra: Partial<HistoryContext> = {}): HistoryContext => ({
    lambda: clients.lambda,
    cloudwatch: clients.cloudwatch,
    capabilities: clients.capabilities,
    log: new MemoryLogger(),
    region: h().sandbox.region,
    journal: port(),
    cloudtrail: () => clients.cloudtrail(),
    ...extra,
  });
  const alias = (): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
  const view = async (extra: Partial<HistoryContext> = {}): Promise<HistoryView> => {
    const o = await readHistory(ctx(extra), { functionName: fn, aliasName: 'prod' });
    assert.equal(o.state, 'done', o.error?.message);
    return o.detail!;
  };
  const done = (o: Outcome) => assert.equal(o.state, 'done', o.error?.message);
  const byId = (v: HistoryView, id: string): HistoryEntry => {
    const e = v.entries.find((x) => x.id === id);
    assert.ok(e, `entry ${id} in ${JSON.stringify(v.entries.map((x) => x.id))}`);
    return e;
  };

  it("shows each of our writes once (journal and CloudTrail), a teammate's write in between once, with its user name", async () => {
    const sw = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '2' });
    done(sw);
    await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.2 } } }));
    const w = await setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 50 });
    done(w);

    const v = await view();
    assert.equal(v.cloudTrail.state, 'read', v.cloudTrail.message);
    assert.match(v.cloudTrail.lagNote, /about 5 minutes/);
    assert.deepEqual(v.current && { version: v.current.version, weights: v.current.weights }, { version: '2', weights: { '3': 0.5 } });
    const routing = v.entries.filter((e) => e.kind === 'routing');
    assert.deepEqual(routing.map((e) => [e.id.startsWith('ct:') ? 'ct' : e.id, e.source, e.who.name]), [
      [w.id, 'both', `${os.userInfo().username}@${os.hostname()}`],
      ['ct', 'cloudtrail', 'bob'],
      [sw.id, 'both', `${os.userInfo().username}@${os.hostname()}`],
    ]);
    const ours = byId(v, w.id);
    assert.equal(ours.who.client, 'lambda-canary');
    assert.match(ours.who.userAgent ?? '', /lambda-canary\//, 'our clients say who they are');
    assert.equal(ours.cloudTrailEventIds.length, 1);
    const bob = routing[1];
    assert.equal(bob.who.client, 'SDK');
    assert.equal(bob.who.accessKeyId, TEAMMATE);
    assert.match(bob.who.arn ?? '', /:user\/bob$/);
    assert.deepEqual(bob.before, { version: '2', weights: {} });
    assert.deepEqual(bob.after, { version: '2', weights: { '3': 0.2 } });
    assert.deepEqual(bob.returnTo, { ok: true, state: { version: '2', weights: { '3': 0.2 } } });
    assert.equal(byId(v, w.id).returnTo.ok, false, 'the current routing');
    // The harness's own setup: the alias created and the versions published, CloudTrail's alone.
    assert.ok(v.entries.some((e) => e.kind === 'alias-created' && e.source === 'cloudtrail'));
    assert.deepEqual(v.entries.filter((e) => e.kind === 'publish').map((e) => e.versionsPublished[0]?.version), ['3', '2', '1']);
    assert.ok(v.entries.filter((e) => e.kind === 'publish').every((e) => e.versionsPublished[0]?.codeSha256 && e.versionsPublished[0]?.description?.startsWith('release')));
    // Nothing shown twice.
    const ids = v.entries.flatMap((e) => e.cloudTrailEventIds);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("with CloudTrail's delivery lag, the newest writes come from the journal alone and the note says so", async () => {
    done(await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '2' }));
    await new Promise((r) => setTimeout(r, 1100));
    h().sandbox.setCloudTrailLag(1);
    const sw = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '3' });
    done(sw);
    const v = await view();
    assert.equal(v.entries[0].id, sw.id);
    assert.equal(v.entries[0].source, 'journal', 'not yet in CloudTrail');
    assert.equal(v.entries.find((e) => e.action === 'switch' && e.id !== sw.id)?.source, 'both', 'the older one is');
    assert.match(v.cloudTrail.lagNote, /changes newer than that come from this machine's journal alone/);
  });

  it('without permission to read CloudTrail: the journal alone, and one line saying why', async () => {
    done(await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '2' }));
    const s = h().sandbox;
    // A key the sandbox does not accept: refused with 403, as an identity without cloudtrail:LookupEvents is.
    const stranger = new CloudTrailClient({ endpoint: s.endpoint, region: s.region, credentials: { accessKeyId: newAccessKeyId(), secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const v = await view({ cloudtrail: async () => stranger });
      assert.equal(v.cloudTrail.state, 'denied', v.cloudTrail.message);
      assert.equal(v.cloudTrail.message, "CloudTrail was not read: this identity may not call cloudtrail:LookupEvents; the history below is this machine's journal alone.");
      assert.deepEqual(v.entries.map((e) => [e.action, e.source]), [['switch', 'journal']]);
    } finally {
      stranger.destroy();
    }
    const failing = await view({ cloudtrail: () => Promise.reject(new Error('no chunk')) });
    assert.equal(failing.cloudTrail.state, 'error');
    const off = await view({ cloudtrail: undefined });
    assert.equal(off.cloudTrail.state, 'off');
  });

  it('a deleted alias still has its history: the journal and CloudTrail, no current routing, nothing to return to', async () => {
    const sw = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '2' });
    done(sw);
    await teammate.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'prod' }));
    const v = await view();
    assert.equal(v.current, undefined);
    assert.equal(v.entries[0].kind, 'alias-deleted');
    assert.equal(v.entries[0].who.name, 'bob');
    const ours = byId(v, sw.id);
    assert.equal(ours.source, 'both');
    assert.deepEqual(ours.returnTo, { ok: false, reason: 'the alias no longer exists' });
  });

  it('pages through LookupEvents (50 a page, paced) up to the page limit, and says when the limit stopped it', async () => {
    for (let i = 0; i < 60; i++) await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: String(1 + (i % 3)) }));
    const started = Date.now();
    const all = await readHistory(ctx(), { functionName: fn, aliasName: 'prod', since: new Date(started - 60_000) });
    const v = all.detail!;
    assert.equal(v.cloudTrail.truncated, false);
    // Paced: no two LookupEvents closer than 500 ms (CloudTrail allows 2 a second).
    const pages = Math.ceil(v.cloudTrail.eventsRead / 50);
    assert.ok(pages >= 2, `${v.cloudTrail.eventsRead} events`);
    assert.ok(Date.now() - started >= (pages - 1) * 500 - 20, `${pages} pages in ${Date.now() - started} ms`);
    assert.ok(v.entries.filter((e) => e.who.name === 'bob').length === 60);
    const one = (await readHistory(ctx(), { functionName: fn, aliasName: 'prod', maxCloudTrailPages: 1 })).detail!;
    assert.equal(one.cloudTrail.eventsRead, 50);
    assert.equal(one.cloudTrail.truncated, true);
    assert.match(one.cloudTrail.message, /page limit/);
  });

  it('returns to a state, weights included: routed so, journalled, and Switch Back undoes it', async () => {
    done(await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '2' }));
    await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.2 } } }));
    await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const v = await view();
    const split = v.entries.find((e) => e.who.name === 'bob' && e.after?.weights['3'] === 0.2)!;
    assert.ok(split.returnTo.ok);
    const back = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: split.returnTo.state, entryId: split.id, entryAt: split.at, expectedRevisionId: v.current?.revisionId });
    done(back);
    assert.match((await import('../../src/core/outcomeText')).outcomeText(back), new RegExp(`Returned prod to its state of ${split.at.replace(/\./g, '\\.')}`));
    const now = await alias();
    assert.equal(now.FunctionVersion, '2');
    assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights, { '3': 0.2 });
    const records = (await journal.read({ functionName: fn })).records.map((r) => r.outcome.action);
    assert.deepEqual(records, ['switch', 'return']);
    // History shows the return, and knows it was ours.
    const after = await view();
    assert.equal(after.entries[0].action, 'return');
    assert.equal(after.entries[0].source, 'both');
    // Return to the first state (version 1 alone), then Switch Back.
    const first = after.entries.find((e) => e.kind === 'alias-created')!;
    assert.deepEqual(first.returnTo, { ok: true, state: { version: '1', weights: {} } });
    // A split is in place: switch back needs one version alone, so return to version 3 first.
    done(await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '3', weights: {} } }));
    done(await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: first.returnTo.ok ? first.returnTo.state : { version: '?', weights: {} } }));
    assert.equal((await alias()).FunctionVersion, '1');
    done(await switchBack(ctx(), { functionName: fn, aliasName: 'prod' }));
    assert.equal((await alias()).FunctionVersion, '3', 'Switch Back undid the return');
  });

  it('refuses to return to a state whose version was deleted, leaving the alias as it is', async () => {
    done(await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '3' }));
    done(await switchAlias(ctx(), { functionName: fn, aliasName: 'prod', version: '2' }));
    await teammate.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: '3' }));
    const v = await view();
    assert.ok(v.entries.some((e) => e.kind === 'version-deleted' && e.who.name === 'bob' && e.summary === 'version 3 deleted'));
    const to3 = v.entries.find((e) => e.action === 'switch' && e.after?.version === '3')!;
    assert.deepEqual(to3.returnTo, { ok: false, reason: 'version 3 was deleted' });
    const before = await alias();
    const o = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '3', weights: {} } });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'validation');
    assert.equal(o.error?.message, `Version 3 of ${fn} was deleted, so this state cannot be restored; nothing was changed.`);
    const weighted = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '2', weights: { '3': 0.1 } } });
    assert.equal(weighted.error?.kind, 'validation');
    const latest = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '$LATEST', weights: {} } });
    assert.match(latest.error?.message ?? '', /\$LATEST/);
    assert.equal((await alias()).RevisionId, before.RevisionId, 'nothing written');
    const same = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '2', weights: {} } });
    assert.equal(same.state, 'unchanged');
    assert.match(same.note ?? '', /already routes/);
  });

  it('a return refused before the alias was read (journalled with no account) is in the history, refused', async () => {
    const o = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '$LATEST', weights: {} } });
    assert.equal(o.error?.kind, 'validation');
    const v = await view({ cloudtrail: undefined });
    assert.deepEqual(v.entries.map((e) => [e.id, e.action, e.ended]), [[o.id, 'return', 'refused']]);
  });

  it('a write by another client during the return: a conflict, nothing overwritten', async () => {
    const before = await alias();
    h().sandbox.faults.add({
      operation: 'UpdateAlias',
      kind: 'hook',
      hook: async () => {
        h().sandbox.faults.clear();
        await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3' }));
      },
    });
    const o = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '2', weights: { '3': 0.3 } }, expectedRevisionId: before.RevisionId });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'conflict');
    const now = await alias();
    assert.equal(now.FunctionVersion, '3', "the teammate's write stands");
    assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    // A stale RevisionId refuses before anything is written.
    const stale = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '1', weights: {} }, expectedRevisionId: before.RevisionId });
    assert.equal(stale.error?.kind, 'conflict');
    assert.equal((await alias()).RevisionId, now.RevisionId);
  });

  it('refuses while a rollout holds the alias (its lease in the description)', async () => {
    const until = new Date(Date.now() + 600_000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const since = new Date(Date.now() - 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: `[lambda-canary rollout 0123abcd step 1/2 by carol@elsewhere cli pid 1.abcd since ${since} until ${until}]` }));
    const o = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state: { version: '2', weights: {} } });
    assert.equal(o.error?.kind, 'conflict', o.error?.message);
    assert.match(o.error?.message ?? '', /carol@elsewhere/);
    assert.equal((await alias()).FunctionVersion, '1');
  });

  describe('a fault at every call of Return to This State leaves the alias valid and the outcome true', () => {
    const kinds: FaultKind[] = ['error', 'drop', 'throttle', 'truncate'];
    for (const operation of ['GetAlias', 'GetFunctionConfiguration', 'UpdateAlias']) {
      for (const kind of kinds) {
        it(`${operation} ${kind}`, async () => {
          const state = { version: '2', weights: { '3': 0.25 } };
          h().sandbox.faults.add({ operation, kind, times: 3 });
          const o = await returnToState(ctx(), { functionName: fn, aliasName: 'prod', state });
          h().sandbox.faults.clear();
          const now = await alias();
          const routed = now.FunctionVersion === '2' && now.RoutingConfig?.AdditionalVersionWeights?.['3'] === 0.25;
          const untouched = now.FunctionVersion === '1' && Object.keys(now.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0;
          assert.ok(routed || untouched, `the alias is one or the other: ${JSON.stringify(now)}`);
          if (o.state === 'done') assert.ok(routed, 'done means routed');
          else if (o.state === 'unchanged') assert.ok(untouched, `unchanged means untouched: ${o.error?.message}`);
          else assert.equal(o.state, 'unknown');
        });
      }
    }
  });
});
