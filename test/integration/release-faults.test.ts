/**
 * A release's fault matrix: a 2-function release (published, then promoted together), with an
 * error or a dropped connection at every Lambda call it makes, one call at a time. Whatever
 * happens, every alias is in a valid state — its own version 1, or the release's version 2 holding
 * exactly the package — no alias routes to a version that is not published and Active, the
 * journal's view matches the aliases, and a release left open is restored by Restore All.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, GetAliasCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { Journal } from '../../src/core/journal';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { ReleaseMemberInput } from '../../src/core/releases/runner';
import { ReleaseRunner } from '../../src/core/releases/runner';
import type { JournalPort } from '../../src/core/usecases';
import type { WorkspaceFunction } from '../../src/core/workspace';
import type { FaultKind } from '../../src/sandbox/faults';
import { RELEASE_ENDS } from '../../src/shared/release';
import { sandboxContext, useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

describe('release fault matrix (real SDK, sandbox): a fault at every call', function () {
  this.timeout(300_000);
  const h = useSandbox({ admin: true, updateDelayMs: 10 });
  let n = 0;

  async function fixture(): Promise<{ members: ReleaseMemberInput[]; journal: Journal }> {
    const { lambda } = h();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-relfault-'));
    n++;
    const members: ReleaseMemberInput[] = [];
    for (const x of ['a', 'b']) {
      const name = `relf-${n}-${x}`;
      await createFn(lambda, name);
      await publish(lambda, name, 'one');
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
      const codeDir = path.join(root, name);
      fs.mkdirSync(codeDir);
      fs.writeFileSync(path.join(codeDir, 'index.js'), `exports.handler = async () => ({ v: 2 });\n`);
      const fn: WorkspaceFunction = { source: 'lambda-canary.json', file: path.join(root, 'lambda-canary.json'), workspaceRoot: root, functionName: name, codeDir, handler: 'index.handler', alias: 'live', ignore: [] };
      members.push({ functionName: name, aliasName: 'live', fn });
    }
    return { members, journal: new Journal(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-relfault-j-')), { fsync: false }) };
  }

  function runner(journal: Journal): ReleaseRunner {
    const port: JournalPort = { append: (o) => journal.append(o, { connection: { kind: 'sandbox', label: 'sandbox' } }), lastSwitch: () => Promise.resolve(undefined), releases: () => journal.releases() };
    // One request at a time: the Nth call is the same call in every run.
    return new ReleaseRunner(sandboxContext(h(), { journal: port }), { client: 'cli', concurrency: 1, publishConcurrency: 1, throttleWaitMs: 10, timing: { tickMs: 50 } });
  }

  /** Where each alias routes, checked valid: version 1, or 2 holding the release's code (Active). */
  async function aliases(members: ReleaseMemberInput[]): Promise<string[]> {
    const out: string[] = [];
    for (const m of members) {
      const a = await h().lambda.send(new GetAliasCommand({ FunctionName: m.functionName, Name: 'live' }));
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {}, `${m.functionName}: no split in a 100% plan`);
      assert.ok(a.FunctionVersion === '1' || a.FunctionVersion === '2', `${m.functionName} routes to ${a.FunctionVersion}`);
      if (a.FunctionVersion === '2') {
        const v = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: m.functionName, Qualifier: '2' }));
        assert.equal(v.State, 'Active');
      }
      out.push(a.FunctionVersion!);
    }
    return out;
  }

  async function calls(): Promise<number> {
    const { members, journal } = await fixture();
    let count = 0;
    h().sandbox.faults.add({ operation: '*', kind: 'hook', times: Number.MAX_SAFE_INTEGER, hook: () => void count++ });
    const r = runner(journal);
    try {
      const out = await r.start({ source: 'x', members, plan: parsePlanText('100%'), trusted: true, smokeTest: false });
      assert.equal(out.detail?.status, 'promoted', out.detail?.statusText);
    } finally {
      h().sandbox.faults.clear();
      await r.dispose();
    }
    assert.deepEqual(await aliases(members), ['2', '2']);
    return count;
  }

  it('an error or a dropped connection at every call: every alias valid, the journal\'s view true, and an open release restorable', async () => {
    {
      const total = await calls();
      assert.ok(total > 10, `a release makes ${total} calls`);
      const ends = new Map<string, number>();
      for (let nth = 1; nth <= total; nth++) {
        const { members, journal } = await fixture();
        // Odd calls an error (500), even ones a dropped connection: both kinds at writes and reads alike.
        const kind: FaultKind = nth % 2 ? 'error' : 'drop';
        h().sandbox.faults.add({ operation: '*', nth, kind });
        const r = runner(journal);
        try {
          const out = await r.start({ source: 'x', members, plan: parsePlanText('100%'), trusted: true, smokeTest: false });
          h().sandbox.faults.clear();
          const v = out.detail ? r.view(out.detail.id)! : undefined;
          const where = `fault ${kind} at call ${nth}: ${v?.status} ${v?.statusText ?? out.error?.message}`;
          const now = await aliases(members);
          if (!v) {
            // Refused before the start was recorded: nothing written.
            assert.deepEqual(now, ['1', '1'], where);
            ends.set('refused', (ends.get('refused') ?? 0) + 1);
            continue;
          }
          ends.set(v.status, (ends.get(v.status) ?? 0) + 1);
          if (v.status === 'promoted') assert.deepEqual(now, ['2', '2'], where);
          else if (v.status === 'failed' || v.status === 'restored') assert.deepEqual(now, ['1', '1'], where);
          else {
            assert.ok(!RELEASE_ENDS.has(v.status), where);
            const restored = await r.control(v.id, 'restore');
            assert.equal(restored.error, undefined, `${where}; restore: ${restored.error?.message}`);
            assert.deepEqual(await aliases(members), ['1', '1'], `${where}; restored`);
          }
          // The journal folds to the same state a restart would see.
          const again = runner(journal);
          await again.load();
          assert.equal(again.view(v.id)?.status === 'interrupted' ? 'open' : again.view(v.id)?.status, RELEASE_ENDS.has(r.view(v.id)!.status) ? r.view(v.id)!.status : 'open', where);
          await again.dispose();
        } finally {
          h().sandbox.faults.clear();
          await r.dispose();
        }
      }
      console.log(`      ${total} calls; ${[...ends].map(([k, c]) => `${k} ${c}`).join(', ')}`);
    }
  });
});
