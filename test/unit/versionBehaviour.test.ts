import assert from 'node:assert/strict';
import { checkMetricLag, parseMetricLag, parseVersionErrorsArg, parseVersionLatencyArg, VersionBehaviour } from '../../src/sandbox/versionBehaviour';

describe('sandbox per-version behaviour', () => {
  it('parses --version-errors FUNCTION:VERSION=RATE', () => {
    assert.deepEqual(parseVersionErrorsArg('checkout-api:4=0.08'), { functionName: 'checkout-api', version: '4', errorRate: 0.08 });
    assert.deepEqual(parseVersionErrorsArg('f:12=1'), { functionName: 'f', version: '12', errorRate: 1 });
    assert.deepEqual(parseVersionErrorsArg('f:1=0'), { functionName: 'f', version: '1', errorRate: 0 });
  });

  it('refuses a version that is not a number, a rate outside [0, 1], a malformed argument', () => {
    const cases: Array<[string, RegExp]> = [
      ['checkout-api:prod=0.1', /version must be a published version number such as 4 \(not an alias or \$LATEST\), got "prod"/],
      ['checkout-api:$LATEST=0.1', /version must be a published version number/],
      ['checkout-api:0=0.1', /version must be a published version number/],
      ['checkout-api:4=1.5', /RATE must be a share of invocations from 0 to 1 .* got '1.5'/],
      ['checkout-api:4=-0.1', /RATE must be a share/],
      ['checkout-api:4=8%', /RATE must be a share .* got '8%'/],
      ['checkout-api:4=', /RATE must be a share .* got ''/],
      ['checkout-api=0.1', /--version-errors expects FUNCTION:VERSION=RATE/],
      ['bad/name:4=0.1', /functionName must be a function name/],
    ];
    for (const [arg, re] of cases) assert.throws(() => parseVersionErrorsArg(arg), re, arg);
  });

  it('parses --version-latency FUNCTION:VERSION=+MS (+ and ms optional) and refuses bad values', () => {
    for (const arg of ['checkout-api:4=+200', 'checkout-api:4=200', 'checkout-api:4=+200ms']) {
      assert.deepEqual(parseVersionLatencyArg(arg), { functionName: 'checkout-api', version: '4', latencyMs: 200 }, arg);
    }
    for (const [arg, re] of [
      ['checkout-api:4=+abc', /MS must be milliseconds from 0 to 900000 .* got '\+abc'/],
      ['checkout-api:4=-5', /MS must be milliseconds/],
      ['checkout-api:4=+900001', /MS must be milliseconds/],
      ['checkout-api:live=+5', /version must be a published version number/],
    ] as Array<[string, RegExp]>) {
      assert.throws(() => parseVersionLatencyArg(arg), re, arg);
    }
  });

  it('parses --metric-lag and refuses a negative or non-numeric lag', () => {
    assert.equal(parseMetricLag('60'), 60);
    assert.equal(parseMetricLag('0'), 0);
    assert.equal(parseMetricLag('1.5'), 1.5);
    for (const bad of ['-1', 'abc', '', '86401']) assert.throws(() => parseMetricLag(bad), /--metric-lag expects seconds in \[0, 86400\]/, bad);
    assert.throws(() => checkMetricLag(Number.NaN), /got NaN/);
  });

  it('merges the fields set for a version, and removes it when both are 0', () => {
    const b = new VersionBehaviour(1);
    b.set({ functionName: 'f', version: '2', errorRate: 0.1 });
    b.set({ functionName: 'f', version: '2', latencyMs: 50 });
    assert.deepEqual(b.list(), [{ functionName: 'f', version: '2', errorRate: 0.1, latencyMs: 50 }]);
    assert.throws(() => b.set({ functionName: 'f', version: '2', errorRate: 2 }), /errorRate/);
    assert.deepEqual(b.list(), [{ functionName: 'f', version: '2', errorRate: 0.1, latencyMs: 50 }], 'a refused spec changes nothing');
    b.set({ functionName: 'f', version: '2', errorRate: 0, latencyMs: 0 });
    assert.deepEqual(b.list(), []);
  });

  it('fails the share asked, reproducibly with a seed; other versions never draw', () => {
    const draws = (seed: number) => {
      const b = new VersionBehaviour(seed);
      b.set({ functionName: 'f', version: '2', errorRate: 0.25 });
      const out: boolean[] = [];
      for (let i = 0; i < 2000; i++) {
        assert.equal(b.plan('f', '1').fail, false);
        out.push(b.plan('f', '2').fail);
      }
      return out;
    };
    const a = draws(42);
    assert.deepEqual(draws(42), a);
    assert.notDeepEqual(draws(43), a);
    const share = a.filter(Boolean).length / a.length;
    assert.ok(share > 0.21 && share < 0.29, `share ${share}`);
    const always = new VersionBehaviour(1);
    always.set({ functionName: 'f', version: '3', errorRate: 1, latencyMs: 10 });
    assert.deepEqual(always.plan('f', '3'), { fail: true, latencyMs: 10 });
    always.set({ functionName: 'f', version: '3', errorRate: 0 });
    assert.deepEqual(always.plan('f', '3'), { fail: false, latencyMs: 10 });
  });
});
