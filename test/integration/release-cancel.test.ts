/**
 * Cancelling a release's start (its progress notification's Cancel, Ctrl+C): real SDK clients
 * against the sandbox. Core decides where a cancel is safe — while the aliases are read and while
 * the functions are published — and past that point the release goes on, never leaving an alias
 * half-moved.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, GetAliasCommand } from '@aws-sdk/client-lambda';
import { Journal, journalPortOf } from '../../src/core/journal';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { RolloutTiming } from '../../src/core/rollout/runner';
import type { ReleaseDetail, ReleaseEvent } from '../../src/core/releases/records';
import type { ReleaseMemberInput } from '../../src/core/releases/runner';
import { ReleaseRunner } from '../../src/core/releases/runner';
import type { WorkspaceFunction } from '../../src/core/workspace';
import { sandboxContext, sleep, useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

const TIMING: Partial<RolloutTiming> = { tickMs: 150, periodSeconds: 1, settleMs: 1500, stableHistoryMs: 60_000, errorPatienceMs: 4000 };
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe('cancelling a release start (real SDK, sandbox)', function () {
  this.timeout(60_000);
  const h = useSandbox({ randomSeed: 11, admin: true });
  const runners: ReleaseRunner[] = [];
  let n = 0;
  afterEach(async () => {
    await Promise.allSettled(runners.splice(0).map((r) => r.dispose()));
  });

  /** Functions with version 1 on `live`, and a workspace folder of new code for each. */
  async function fixture(count: number): Promise<ReleaseMemberInput[]> {
    const { lambda } = h();
    const root = tmp('lc-cancel-ws-');
    const members: ReleaseMemberInput[] = [];
    for (let i = 0; i < count; i++) {
      const name = `cancel-${++n}`;
      await createFn(lambda, name);
      await publish(lambda, name, 'one');
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
      const codeDir = path.join(root, name);
      fs.mkdirSync(codeDir);
      fs.writeFileSync(path.join(codeDir, 'index.js'), `exports.handler = async () => ({ release: 2 });\n`);
      const fn: WorkspaceFunction = { source: 'lambda-canary.json', file: path.join(root, 'lambda-canary.json'), workspaceRoot: root, functionName: name, codeDir, handler: 'index.handler', alias: 'live', ignore: [] };
      members.push({ functionName: name, aliasName: 'live', fn });
    }
    return members;
  }

  function runner(journal: Journal): ReleaseRunner {
    const r = new ReleaseRunner(sandboxContext(h(), { journal: journalPortOf(journal, { kind: 'sandbox', label: 'sandbox' }) }), { client: 'cli', timing: TIMING, throttleWaitMs: 50 });
    runners.push(r);
    return r;
  }
  const routing = async (fn: string) => {
    const a = await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
    return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {} };
  };
  const events = async (journal: Journal): Promise<ReleaseEvent[]> => (await journal.releases()).map((o) => (o.detail as ReleaseDetail).release);

  it('cancelled while the aliases are read: nothing recorded, nothing changed', async () => {
    const members = await fixture(1);
    const journal = new Journal(tmp('lc-cancel-j-'), { fsync: false });
    const abort = new AbortController();
    abort.abort();
    const out = await runner(journal).start({ source: 'lambda-canary.json', members, plan: parsePlanText('50%@2s, 100%'), trusted: true, smokeTest: false, signal: abort.signal });
    assert.equal(out.error?.kind, 'cancelled', out.error?.message);
    assert.equal(out.error?.left, 'Nothing was changed.');
    assert.deepEqual(await events(journal), []);
    assert.deepEqual(await routing(members[0].functionName), { version: '1', weights: {} });
  });

  it('cancelled while publishing: the release ends aborted before any traffic moves, every alias as it was', async () => {
    const members = await fixture(2);
    const journal = new Journal(tmp('lc-cancel-j-'), { fsync: false });
    const abort = new AbortController();
    const heard: string[] = [];
    const out = await runner(journal).start({
      source: 'lambda-canary.json',
      members,
      plan: parsePlanText('50%@2s, 100%'),
      trusted: true,
      smokeTest: false,
      signal: abort.signal,
      progress: (m) => {
        heard.push(m);
        // Cancel once the first function is published; the other is on its way.
        if (m.startsWith('Published 1 of 2')) abort.abort();
      },
    });
    assert.equal(out.detail?.status, 'aborted', out.detail?.statusText);
    assert.match(out.detail!.statusText, /Cancelled while publishing, before any traffic moved: no alias was changed/);
    assert.equal(out.state, 'unchanged');
    assert.ok(heard.some((m) => /^Publishing 2 functions \(build, upload, waiting for Lambda/.test(m)), heard.join(' | '));
    assert.ok(!heard.some((m) => m.startsWith('Moving traffic')), heard.join(' | '));
    for (const m of members) assert.deepEqual(await routing(m.functionName), { version: '1', weights: {} }, m.functionName);
    const types = (await events(journal)).map((e) => e.type);
    assert.ok(!types.includes('moved'), types.join(' '));
    assert.equal(types.at(-1), 'ended');
  });

  it('cancelled once traffic moves: the first step is put in place whole, and the release goes on (and says so)', async () => {
    const members = await fixture(2);
    const journal = new Journal(tmp('lc-cancel-j-'), { fsync: false });
    const abort = new AbortController();
    const r = runner(journal);
    const out = await r.start({
      source: 'lambda-canary.json',
      members,
      plan: parsePlanText('50%@1s, 100%'),
      trusted: true,
      smokeTest: false,
      signal: abort.signal,
      progress: (m) => {
        if (m.startsWith('Moving traffic: step 1 of 2 (50%) on 2 aliases')) abort.abort();
      },
    });
    assert.equal(out.error, undefined, out.error?.message);
    assert.equal(out.detail?.status, 'running', out.detail?.statusText);
    assert.match(out.note ?? '', /goes on in the background \(no alias is left half-moved\)\. Abort Release rolls every alias back\./);
    for (const m of members) assert.deepEqual(await routing(m.functionName), { version: '1', weights: { '2': 0.5 } }, m.functionName);
    // Still driven (judged, then promoted or rolled back by itself): the cancel did not stop it.
    await sleep(600);
    assert.equal(r.view(out.detail!.id)?.status, 'running');
  });
});
