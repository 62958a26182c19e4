import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../src/core/journal';
import type { Outcome } from '../../src/core/outcome';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { ReleaseEvent } from '../../src/core/releases/records';
import { foldReleases, stepping, viewOf } from '../../src/core/releases/records';

const driver = { holder: 'ana@box', host: 'box', pid: 1, instance: 'abcd' };
const plan = parsePlanText('25%@1m, 100%');
let clock = Date.parse('2026-12-01T10:00:00Z');

function record(e: ReleaseEvent, fn = '(release)', alias = e.id): Outcome & { key: string } {
  const at = new Date((clock += 1000)).toISOString();
  return { id: `${e.type}-${clock}`, action: 'release', target: { function: fn, alias }, startedAt: at, endedAt: at, versionsPublished: [], steps: [], state: 'done', warnings: [], detail: { release: e }, key: `?/?/${fn}:${alias}` };
}

const started: ReleaseEvent = {
  type: 'started',
  id: 'r1',
  source: 'lambda-canary.json',
  plan,
  driver,
  members: [
    { functionName: 'a', aliasName: 'prod', stable: '1', before: { version: '1', weights: {}, revisionId: 'ra' } },
    { functionName: 'b', aliasName: 'prod', stable: '4', before: { version: '4', weights: {}, revisionId: 'rb' } },
    { functionName: 'c', aliasName: 'prod', stable: '2', before: { version: '2', weights: {}, revisionId: 'rc' } },
  ],
};

describe('release records', () => {
  it('fold: publishing, then a step with each alias moved; a teammate-left member takes no more part', () => {
    const s = foldReleases([
      record(started),
      record({ type: 'published', id: 'r1', functionName: 'a', aliasName: 'prod', version: '2', codeSha256: 'x' }, 'a', 'prod'),
      record({ type: 'published', id: 'r1', functionName: 'b', aliasName: 'prod', version: '5' }, 'b', 'prod'),
      record({ type: 'unchanged', id: 'r1', functionName: 'c', aliasName: 'prod', message: 'same code' }, 'c', 'prod'),
      record({ type: 'step', id: 'r1', index: 0 }),
      record({ type: 'moved', id: 'r1', index: 0, functionName: 'a', aliasName: 'prod', weight: 25, revisionId: 'ra2' }, 'a', 'prod'),
      record({ type: 'left', id: 'r1', functionName: 'b', aliasName: 'prod', message: 'changed by someone else' }, 'b', 'prod'),
    ]).get('r1')!;
    assert.equal(s.status, 'running');
    assert.equal(s.current, 0);
    assert.deepEqual(s.members.map((m) => [m.functionName, m.state, m.weight, m.revisionId]), [['a', 'routed', 25, 'ra2'], ['b', 'left', 0, 'rb'], ['c', 'unchanged', 0, 'rc']]);
    assert.deepEqual(stepping(s).map((m) => m.functionName), ['a']);
    assert.equal(viewOf(s).status, 'running');
    const v = viewOf(s, undefined, true);
    assert.equal(v.status, 'interrupted');
    assert.match(v.statusText, /Resume goes on; Restore All/);
  });

  it('an ended release stays ended: records after its end are not folded', () => {
    const s = foldReleases([record(started), record({ type: 'ended', id: 'r1', result: 'restored', message: 'Restored.' }), record({ type: 'step', id: 'r1', index: 1 })]).get('r1')!;
    assert.equal(s.status, 'restored');
    assert.equal(s.current, -1);
    assert.equal(viewOf(s, undefined, true).status, 'restored', 'an end is never called interrupted');
  });

  it('a resume by another driver sets the status going again; a record without a plan is skipped', () => {
    const halted = foldReleases([
      record(started),
      record({ type: 'step', id: 'r1', index: 0 }),
      record({ type: 'hold', id: 'r1', status: 'halted', message: 'Halted: b was changed.' }),
      record({ type: 'driver', id: 'r1', driver: { ...driver, pid: 2 }, resumed: true }),
      record({ ...started, id: 'r2', plan: { steps: [] } as never }),
    ]);
    assert.equal(halted.get('r1')!.status, 'running');
    assert.equal(halted.get('r1')!.driver.pid, 2);
    assert.equal(halted.has('r2'), false);
  });

  it("the journal reads a release's records back (action 'release')", async () => {
    const journal = new Journal(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-release-records-')), { fsync: false });
    await journal.append(record(started), { connection: { kind: 'sandbox', label: 'sandbox' } });
    const read = await journal.releases();
    assert.equal(read.length, 1);
    assert.equal(foldReleases(read).get('r1')?.members.length, 3);
    const { problems } = await journal.read({});
    assert.deepEqual(problems, []);
  });
});
