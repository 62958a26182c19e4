import assert from 'node:assert/strict';
import { FaultInjector, parseFaultArg } from '../../src/sandbox/faults';

describe('sandbox rate limit', () => {
  describe('faults aimed at one function', () => {
    it('parseFaultArg reads OP:NTH:KIND[:DELAYMS][@FUNCTION]', () => {
      assert.deepEqual(parseFaultArg('UpdateAlias:2:error@orders'), { operation: 'UpdateAlias', nth: 2, kind: 'error', delayMs: undefined, functionName: 'orders' });
      assert.deepEqual(parseFaultArg('GetAlias:1:delay:1500@orders'), { operation: 'GetAlias', nth: 1, kind: 'delay', delayMs: 1500, functionName: 'orders' });
      const arn = 'arn:aws:lambda:us-east-1:123456789012:function:orders';
      assert.deepEqual(parseFaultArg(`PublishVersion:1:throttle@${arn}`), { operation: 'PublishVersion', nth: 1, kind: 'throttle', delayMs: undefined, functionName: arn });
      assert.equal(parseFaultArg('UpdateAlias:1:error').functionName, undefined);
      assert.ok(!('functionName' in parseFaultArg('UpdateAlias:1:error')), 'no functionName member without @');
    });

    it('parseFaultArg refuses an empty function', () => {
      for (const bad of ['UpdateAlias:1:error@', '@orders', 'UpdateAlias:1@orders']) {
        assert.throws(() => parseFaultArg(bad), /OPERATION:NTH:KIND\[:DELAYMS\]\[@FUNCTION\]/, bad);
      }
    });

    it('counts and fires only for calls about that function, whatever form names it', () => {
      const f = new FaultInjector();
      f.add(parseFaultArg('UpdateAlias:2:error@fnB'));
      const calls: [string, string | undefined][] = [
        ['UpdateAlias', 'fnA'],
        ['UpdateAlias', 'fnB'], // fnB's 1st
        ['GetAlias', 'fnB'], // another operation: not counted
        ['UpdateAlias', undefined], // about no function
        ['UpdateAlias', 'fnA'],
        ['UpdateAlias', 'arn:aws:lambda:us-east-1:123456789012:function:fnB'], // fnB's 2nd: fails
        ['UpdateAlias', 'fnB'],
      ];
      assert.deepEqual(
        calls.map(([op, fn]) => f.take(op, fn)?.kind ?? '-'),
        ['-', '-', '-', '-', '-', 'error', '-'],
      );
      assert.equal(f.pending, 0);
    });

    it('matches partial ARNs and qualified names of the function; not other functions or bad names', () => {
      for (const given of ['fnB', '123456789012:function:fnB', 'fnB:prod', 'arn:aws:lambda:us-east-1:123456789012:function:fnB:7']) {
        const f = new FaultInjector();
        f.add({ operation: 'GetAlias', kind: 'throttle', functionName: 'fnB' });
        assert.equal(f.take('GetAlias', given)?.kind, 'throttle', given);
      }
      for (const other of ['fnBB', 'fn', 'not a name!', '']) {
        const f = new FaultInjector();
        f.add({ operation: 'GetAlias', kind: 'throttle', functionName: 'fnB' });
        assert.equal(f.take('GetAlias', other), undefined, other);
        assert.equal(f.pending, 1);
      }
    });

    it('a fault named by ARN targets the function of that name', () => {
      const f = new FaultInjector();
      f.add({ operation: 'UpdateAlias', kind: 'error', functionName: 'arn:aws:lambda:us-east-1:123456789012:function:orders' });
      assert.equal(f.take('UpdateAlias', 'payments'), undefined);
      assert.equal(f.take('UpdateAlias', 'orders')?.kind, 'error');
    });

    it("'*' with a function: any operation about that function", () => {
      const f = new FaultInjector();
      f.add({ operation: '*', nth: 2, kind: 'error', functionName: 'fnB' });
      assert.deepEqual(
        [['GetAlias', 'fnA'], ['GetAlias', 'fnB'], ['ListFunctions', undefined], ['PublishVersion', 'fnB']].map(([op, fn]) => f.take(op!, fn)?.kind ?? '-'),
        ['-', '-', '-', 'error'],
      );
    });

    it('refuses a function that is not a name or ARN, or has a qualifier', () => {
      const f = new FaultInjector();
      for (const bad of ['', 'bad name', 'orders:prod', 'arn:aws:lambda:us-east-1:123456789012:function:orders:3', 7]) {
        assert.throws(() => f.add({ operation: 'UpdateAlias', kind: 'error', functionName: bad as string }), /fault functionName must name a function/, String(bad));
      }
      assert.equal(f.pending, 0);
    });
  });
});
