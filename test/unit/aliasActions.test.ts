import assert from 'node:assert/strict';
import { AliasActions } from '../../src/core/aliasActions';

describe('AliasActions: one action at a time per alias', () => {
  const panel = {};
  const other = {};

  it('a second action on the same alias is refused with the one running, until the first ends', () => {
    const a = new AliasActions();
    const first = a.begin('fn:prod', 'probe', panel);
    assert.ok(first.ok);
    // A double click: the same message again, and any other action, before the first ends.
    assert.deepEqual(a.begin('fn:prod', 'probe', panel), { ok: false, running: 'probe' });
    assert.deepEqual(a.begin('fn:prod', 'apply', panel), { ok: false, running: 'probe' });
    assert.deepEqual(a.begin('fn:prod', 'promote', other), { ok: false, running: 'probe' });
    assert.equal(a.current('fn:prod'), 'probe');
    first.claim.end();
    assert.equal(a.current('fn:prod'), undefined);
    const next = a.begin('fn:prod', 'apply', panel);
    assert.ok(next.ok);
    assert.equal(next.claim.action, 'apply');
  });

  it('other aliases are independent', () => {
    const a = new AliasActions();
    assert.ok(a.begin('fn:prod', 'probe', panel).ok);
    assert.ok(a.begin('fn:staging', 'probe', panel).ok);
    assert.ok(a.begin('other:prod', 'apply', other).ok);
  });

  it('cancelAll aborts everything the owner started, and only that', () => {
    const a = new AliasActions();
    const mine1 = a.begin('fn:prod', 'probe', panel);
    const mine2 = a.begin('fn:staging', 'apply', panel);
    const theirs = a.begin('g:prod', 'probe', other);
    assert.ok(mine1.ok && mine2.ok && theirs.ok);
    assert.equal(a.cancelAll(panel), 2);
    assert.equal(mine1.claim.signal.aborted, true);
    assert.equal(mine2.claim.signal.aborted, true);
    assert.equal(theirs.claim.signal.aborted, false);
    // Aborted actions keep the alias until they have stopped: nothing new starts meanwhile.
    assert.equal(a.begin('fn:prod', 'probe', panel).ok, false);
    assert.equal(a.cancelAll(panel), 0, 'already aborted');
    mine1.claim.end();
    assert.ok(a.begin('fn:prod', 'probe', panel).ok);
  });

  it('end is idempotent and never releases a later claim', () => {
    const a = new AliasActions();
    const first = a.begin('fn:prod', 'probe', panel);
    assert.ok(first.ok);
    first.claim.end();
    const second = a.begin('fn:prod', 'apply', panel);
    assert.ok(second.ok);
    first.claim.end();
    assert.equal(a.current('fn:prod'), 'apply');
  });

  it('a publish holds the alias: a second publish and an apply are told it is busy, until it ends', () => {
    const a = new AliasActions();
    const command = {};
    const publish = a.begin('fn:prod', 'publish', command);
    assert.ok(publish.ok);
    assert.deepEqual(a.begin('fn:prod', 'publish', {}), { ok: false, running: 'publish' }, 'a double-run');
    assert.deepEqual(a.begin('fn:prod', 'apply', panel), { ok: false, running: 'publish' }, "the panel's Apply");
    assert.ok(a.begin('fn:staging', 'publish', {}).ok, 'another alias is free');
    publish.claim.end();
    assert.ok(a.begin('fn:prod', 'apply', panel).ok);
  });
});
