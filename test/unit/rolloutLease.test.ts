import assert from 'node:assert/strict';
import type { Lease } from '../../src/core/rollout/lease';
import { formatMarker, isOwnLease, leaseLive, MAX_DESCRIPTION, markerName, parseLease, withLease } from '../../src/core/rollout/lease';
import { foldRollouts } from '../../src/core/rollout/records';
import type { RolloutEvent } from '../../src/core/rollout/records';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { Outcome } from '../../src/core/outcome';

const lease: Lease = {
  rollout: '3f9a2c1e',
  step: 1,
  steps: 4,
  holder: 'alice@laptop',
  client: 'vscode',
  pid: 4242,
  instance: 'ab12',
  since: Date.UTC(2026, 11, 1, 16, 40, 0),
  until: Date.UTC(2026, 11, 1, 16, 42, 0),
};

describe('rollout lease in the alias description', () => {
  it('round-trips through the description, after the user\'s own text', () => {
    const d = withLease('checkout, payments team', lease);
    assert.equal(d, 'checkout, payments team [lambda-canary rollout 3f9a2c1e step 2/4 by alice@laptop vscode pid 4242.ab12 since 20261201T164000Z until 20261201T164200Z]');
    assert.deepEqual(parseLease(d), { userText: 'checkout, payments team', lease });
    assert.deepEqual(parseLease(formatMarker(lease)), { userText: '', lease });
  });

  it('fits Lambda\'s 256 characters, shortening a long user text (any Unicode) rather than the marker', () => {
    const d = withLease('é'.repeat(300), lease);
    assert.ok([...d].length <= MAX_DESCRIPTION, `${[...d].length} characters`);
    assert.deepEqual(parseLease(d).lease, lease);
    assert.match(parseLease(d).userText, /^é+…$/);
  });

  it('counts characters as Lambda does: 300 emoji (600 UTF-16 units) are cut to fit 256 characters', () => {
    const d = withLease('🚀'.repeat(300), lease);
    assert.equal([...d].length, MAX_DESCRIPTION);
    assert.deepEqual(parseLease(d).lease, lease);
  });

  it('does not honour a lease that claims a date that does not exist or ends far in the future', () => {
    assert.equal(parseLease(formatMarker(lease).replace('until 20261201T164200Z', 'until 20260231T164200Z')).lease, undefined);
    const far = { ...lease, until: Date.UTC(9999, 11, 31, 23, 59, 59) };
    const parsed = parseLease(formatMarker(far)).lease!;
    assert.equal(leaseLive(parsed, lease.since, { holder: 'bob@desktop', pid: 1 }, () => true), false, 'a lease ending in 9999 binds no one');
  });

  it('is parsed strictly: text that only looks like a marker is the user\'s', () => {
    for (const text of [
      '[lambda-canary rollout 3f9a2c1e step 2/4 by alice@laptop vscode pid 4242.ab12 since 20261201T164000Z until 20261201T164200Z] trailing',
      '[lambda-canary rollout XYZ step 2/4 by alice@laptop vscode pid 4242.ab12 since 20261201T164000Z until 20261201T164200Z]',
      '[lambda-canary rollout 3f9a2c1e step 5/4 by alice@laptop vscode pid 4242.ab12 since 20261201T164000Z until 20261201T164200Z]',
      '[lambda-canary rollout 3f9a2c1e step 2/4 by <script> vscode pid 4242.ab12 since 20261201T164000Z until 20261201T164200Z]',
      '',
    ]) {
      assert.equal(parseLease(text).lease, undefined, text);
      assert.equal(parseLease(text).userText, text);
    }
    assert.equal(markerName('Ålice Smith<x>'), 'liceSmithx');
    assert.equal(markerName('   '), 'unknown');
  });

  it('binds others until it expires; a driver on the same host whose process is gone binds no one', () => {
    const other = { holder: 'bob@laptop', pid: 1, instance: 'ffff' };
    assert.equal(leaseLive(lease, lease.until - 1, other, () => true), true);
    assert.equal(leaseLive(lease, lease.until, other, () => true), false);
    assert.equal(leaseLive(lease, lease.until - 1, other, () => false), false, 'same host (laptop), dead pid');
    assert.equal(leaseLive(lease, lease.until - 1, { ...other, holder: 'bob@desktop' }, () => false), true, 'another host: its pids mean nothing here');
    assert.equal(isOwnLease(lease, { holder: 'alice@laptop', pid: 4242, instance: 'ab12' }), true);
    assert.equal(isOwnLease(lease, { holder: 'alice@laptop', pid: 4242, instance: 'ab13' }), false, 'another runner of the same process');
  });
});

describe('rollout records fold', () => {
  const plan = parsePlanText('10%@1m, 50%@2m manual, 100%');
  const rec = (event: RolloutEvent, at: string): Outcome & { key: string } => ({
    id: `${event.type}-${at}`,
    action: 'rollout',
    target: { function: 'fn', alias: 'prod' },
    startedAt: at,
    endedAt: at,
    versionsPublished: [],
    steps: [],
    state: 'done',
    warnings: [],
    detail: { rollout: event },
    key: 'a/r/fn:prod',
  });
  const id = 'abcdef01';

  it('folds steps, verdicts, holds and controls into the state a restart resumes from', () => {
    const states = foldRollouts([
      rec({ type: 'started', id, functionName: 'fn', aliasName: 'prod', version: '8', stable: '7', plan, description: 'd' }, '2026-12-01T10:00:00Z'),
      rec({ type: 'step', id, index: 0, weight: 10, revisionId: 'r1' }, '2026-12-01T10:00:01Z'),
      rec({ type: 'verdict', id, index: 0, verdict: 'Pass', sentence: 'fine.', reason: 'healthy' }, '2026-12-01T10:01:05Z'),
      rec({ type: 'step', id, index: 1, weight: 50, revisionId: 'r2' }, '2026-12-01T10:01:06Z'),
      rec({ type: 'hold', id, status: 'halted', message: 'Marginal.' }, '2026-12-01T10:03:10Z'),
      rec({ type: 'control', id, action: 'resume' }, '2026-12-01T10:05:06Z'),
    ]);
    const s = states.get(id)!;
    assert.equal(s.status, 'running');
    assert.equal(s.current, 1);
    assert.equal(s.revisionId, 'r2');
    assert.equal(s.steps[0].verdict, 'Pass');
    assert.equal(s.bakeStart, Date.parse('2026-12-01T10:01:06Z'));
    // Resumed 4 min into a 2 min bake: another 2 min from the resume.
    assert.equal(s.bakeMs, 4 * 60_000 + 2 * 60_000);
  });

  it('ignores records of a rollout whose start it never saw, and anything after its end', () => {
    const states = foldRollouts([
      rec({ type: 'step', id: 'ffffffff', index: 0, weight: 10 }, '2026-12-01T10:00:01Z'),
      rec({ type: 'started', id, functionName: 'fn', aliasName: 'prod', version: '8', stable: '7', plan, description: '' }, '2026-12-01T10:00:00Z'),
      rec({ type: 'ended', id, result: 'rolled-back', message: 'Rolled back.' }, '2026-12-01T10:00:30Z'),
      rec({ type: 'step', id, index: 1, weight: 50 }, '2026-12-01T10:01:06Z'),
    ]);
    assert.deepEqual([...states.keys()], [id]);
    assert.equal(states.get(id)!.status, 'rolled-back');
    assert.equal(states.get(id)!.current, -1);
  });
});
