import assert from 'node:assert/strict';
import type { FaultSpec } from '../../src/sandbox/faults';
import { FaultInjector, parseFaultArg } from '../../src/sandbox/faults';

/** Calls `take` for each operation in turn and returns the kind applied to each (or '-'). */
function run(f: FaultInjector, ops: string[]): string[] {
  return ops.map((op) => f.take(op)?.kind ?? '-');
}

describe('sandbox fault injection', () => {
  describe('FaultInjector', () => {
    it('fails the next call of the operation by default, once', () => {
      const f = new FaultInjector();
      f.add({ operation: 'UpdateAlias', kind: 'error' });
      assert.equal(f.pending, 1);
      assert.deepEqual(run(f, ['UpdateAlias', 'UpdateAlias']), ['error', '-']);
      assert.equal(f.pending, 0);
    });

    it('counts only calls of its own operation', () => {
      const f = new FaultInjector();
      f.add({ operation: 'UpdateAlias', nth: 2, kind: 'throttle' });
      assert.deepEqual(run(f, ['GetAlias', 'UpdateAlias', 'GetAlias', 'ListAliases', 'UpdateAlias', 'UpdateAlias']), ['-', '-', '-', '-', 'throttle', '-']);
    });

    it('nth picks the Nth call, counted from when the fault is added', () => {
      const f = new FaultInjector();
      run(f, ['PublishVersion', 'PublishVersion']);
      f.add({ operation: 'PublishVersion', nth: 3, kind: 'drop' });
      assert.deepEqual(run(f, ['PublishVersion', 'PublishVersion', 'PublishVersion', 'PublishVersion']), ['-', '-', 'drop', '-']);
    });

    it('times fails that many consecutive calls from the nth on', () => {
      const f = new FaultInjector();
      f.add({ operation: 'Invoke', nth: 2, times: 3, kind: 'error' });
      assert.deepEqual(run(f, ['Invoke', 'Invoke', 'Invoke', 'Invoke', 'Invoke', 'Invoke']), ['-', 'error', 'error', 'error', '-', '-']);
      assert.equal(f.pending, 0);
    });

    it("'*' matches every operation", () => {
      const f = new FaultInjector();
      f.add({ operation: '*', nth: 2, kind: 'error' });
      assert.deepEqual(run(f, ['GetAlias', 'ListFunctions', 'GetAlias']), ['-', 'error', '-']);
    });

    it('with several faults due, applies one per call in the order they were added', () => {
      const f = new FaultInjector();
      f.add({ operation: 'UpdateAlias', kind: 'error' });
      f.add({ operation: 'UpdateAlias', kind: 'throttle' });
      f.add({ operation: 'GetAlias', kind: 'drop' });
      assert.deepEqual(run(f, ['UpdateAlias', 'UpdateAlias', 'UpdateAlias', 'GetAlias']), ['error', 'throttle', '-', 'drop']);
      assert.equal(f.pending, 0);
    });

    it('returns the spec with its delay and hook', () => {
      const f = new FaultInjector();
      const hook = () => undefined;
      f.add({ operation: 'GetAlias', kind: 'delay', delayMs: 250 });
      f.add({ operation: 'UpdateAlias', kind: 'hook', hook });
      assert.equal(f.take('GetAlias')?.delayMs, 250);
      assert.equal(f.take('UpdateAlias')?.hook, hook);
    });

    it('clear() disarms everything', () => {
      const f = new FaultInjector();
      f.add({ operation: 'UpdateAlias', kind: 'error' });
      f.add({ operation: '*', kind: 'error', nth: 5 });
      f.clear();
      assert.equal(f.pending, 0);
      assert.deepEqual(run(f, ['UpdateAlias', 'UpdateAlias']), ['-', '-']);
    });

    it("accepts 'publishOther' for PublishVersion only, and applies it like any kind", () => {
      const f = new FaultInjector();
      for (const operation of ['UpdateAlias', 'UpdateFunctionCode', '*']) {
        assert.throws(() => f.add({ operation, kind: 'publishOther' }), /publishOther applies to PublishVersion only/, operation);
      }
      assert.equal(f.pending, 0);
      f.add({ operation: 'PublishVersion', nth: 2, kind: 'publishOther' });
      assert.deepEqual(run(f, ['PublishVersion', 'UpdateFunctionCode', 'PublishVersion', 'PublishVersion']), ['-', '-', 'publishOther', '-']);
      assert.equal(f.pending, 0);
    });

    it('refuses a non-positive or fractional nth and an unknown kind', () => {
      const f = new FaultInjector();
      for (const nth of [0, -1, 1.5, NaN]) assert.throws(() => f.add({ operation: 'X', nth, kind: 'error' }), /nth must be a positive integer/, String(nth));
      assert.throws(() => f.add({ operation: 'X', kind: 'explode' } as unknown as FaultSpec), /unknown fault kind/);
      assert.equal(f.pending, 0);
    });
  });

  describe('parseFaultArg', () => {
    it('parses OPERATION:NTH:KIND[:DELAYMS]', () => {
      assert.deepEqual(parseFaultArg('UpdateAlias:1:error'), { operation: 'UpdateAlias', nth: 1, kind: 'error', delayMs: undefined });
      assert.deepEqual(parseFaultArg('PublishVersion:3:throttle'), { operation: 'PublishVersion', nth: 3, kind: 'throttle', delayMs: undefined });
      assert.deepEqual(parseFaultArg('GetAlias:2:delay:1500'), { operation: 'GetAlias', nth: 2, kind: 'delay', delayMs: 1500 });
      assert.deepEqual(parseFaultArg('*:1:drop'), { operation: '*', nth: 1, kind: 'drop', delayMs: undefined });
    });

    it('defaults an empty NTH to 1', () => {
      assert.equal(parseFaultArg('UpdateAlias::error').nth, 1);
    });

    it('refuses a spec without operation or kind', () => {
      for (const bad of ['', 'UpdateAlias', 'UpdateAlias:1', ':1:error', 'UpdateAlias:1:']) {
        assert.throws(() => parseFaultArg(bad), /OPERATION:NTH:KIND/, bad);
      }
    });

    it('gives specs that FaultInjector accepts, or refuses when armed', () => {
      const f = new FaultInjector();
      f.add(parseFaultArg('UpdateAlias:2:throttle'));
      assert.deepEqual(run(f, ['UpdateAlias', 'UpdateAlias']), ['-', 'throttle']);
      assert.throws(() => f.add(parseFaultArg('UpdateAlias:x:error')), /nth/);
      assert.throws(() => f.add(parseFaultArg('UpdateAlias:1:boom')), /unknown fault kind/);
      f.add(parseFaultArg('ListFunctions:1:truncate'));
      assert.deepEqual(run(f, ['ListFunctions']), ['truncate']);
    });

    it("parses PublishVersion:N:publishOther, and an injector refuses publishOther for another operation", () => {
      assert.deepEqual(parseFaultArg('PublishVersion:1:publishOther'), { operation: 'PublishVersion', nth: 1, kind: 'publishOther', delayMs: undefined });
      const f = new FaultInjector();
      f.add(parseFaultArg('PublishVersion:1:publishOther'));
      assert.deepEqual(run(f, ['PublishVersion', 'PublishVersion']), ['publishOther', '-']);
      assert.throws(() => f.add(parseFaultArg('UpdateAlias:1:publishOther')), /PublishVersion only/);
    });
  });
});
