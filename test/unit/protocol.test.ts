import assert from 'node:assert/strict';
import { isHostMessage, MAX_MESSAGE_CHARS, parsePanelMessage, PROBE_MAX } from '../../src/shared/protocol';

describe('panel protocol guards', () => {
  it('accepts every well-formed message from the webview, exactly as sent', () => {
    const good = [
      { type: 'ready' },
      { type: 'refresh' },
      { type: 'window', minutes: 5 },
      { type: 'window', minutes: 180 },
      { type: 'apply', weightPercent: 0 },
      { type: 'apply', weightPercent: 12.5 },
      { type: 'apply', weightPercent: 100 },
      { type: 'promote' },
      { type: 'rollback' },
      { type: 'probe', count: 1 },
      { type: 'probe', count: PROBE_MAX },
      { type: 'cancelProbe' },
      { type: 'scroll', y: 420 },
    ];
    for (const m of good) {
      const r = parsePanelMessage(m);
      assert.ok(r.ok, `${JSON.stringify(m)} refused: ${r.ok ? '' : r.reason}`);
      assert.deepEqual(r.message, m);
    }
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['undefined', undefined, /not an object/],
    ['null', null, /not an object/],
    ['a string', 'promote', /not an object/],
    ['an array', [{ type: 'promote' }], /not an object/],
    ['no type', { weightPercent: 10 }, /unknown type/],
    ['unknown type', { type: 'deleteFunction' }, /unknown type "deleteFunction"/],
    ['type not a string', { type: 7 }, /unknown type/],
    ['a prototype key as type', { type: 'constructor' }, /unknown type/],
    ['weight as a string', { type: 'apply', weightPercent: '10' }, /weightPercent/],
    ['weight 150', { type: 'apply', weightPercent: 150 }, /weightPercent/],
    ['weight -1', { type: 'apply', weightPercent: -1 }, /weightPercent/],
    ['weight NaN', { type: 'apply', weightPercent: NaN }, /weightPercent/],
    ['weight Infinity', { type: 'apply', weightPercent: Infinity }, /weightPercent/],
    ['weight missing', { type: 'apply' }, /weightPercent/],
    ['window 7 min', { type: 'window', minutes: 7 }, /minutes/],
    ['window as a string', { type: 'window', minutes: '15' }, /minutes/],
    ['probe 0', { type: 'probe', count: 0 }, /count/],
    ['probe 2.5', { type: 'probe', count: 2.5 }, /count/],
    ['probe too many', { type: 'probe', count: PROBE_MAX + 1 }, /count/],
    ['scroll negative', { type: 'scroll', y: -3 }, /y must/],
    ['an extra field', { type: 'promote', functionName: 'other-fn' }, /unexpected field/],
    ['a huge payload', { type: 'refresh', pad: 'x'.repeat(MAX_MESSAGE_CHARS) }, /larger than/],
    ['a class instance', new (class X { type = 'promote'; })(), /not an object/],
  ];
  for (const [name, raw, reason] of bad) {
    it(`refuses ${name}`, () => {
      const r = parsePanelMessage(raw);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, reason);
    });
  }

  it('refuses a circular object without throwing', () => {
    const m: Record<string, unknown> = { type: 'refresh' };
    m.self = m;
    assert.equal(parsePanelMessage(m).ok, false);
  });

  it('the webview accepts host messages of the known shapes only', () => {
    const alias = { functionName: 'f', aliasName: 'prod', connection: 'sandbox', lagging: false, primary: { version: '1', weight: 0.9 }, canary: { version: '2', weight: 0.1 } };
    assert.ok(isHostMessage({ type: 'init', alias, window: 15, refreshSeconds: 10, probeCount: 100, scrollY: 0 }));
    assert.ok(isHostMessage({ type: 'alias', alias }));
    assert.ok(isHostMessage({ type: 'busy', action: null }));
    assert.ok(!isHostMessage({ type: 'init', alias, window: 7, refreshSeconds: 10, probeCount: 100, scrollY: 0 }));
    assert.ok(!isHostMessage({ type: 'alias', alias: { ...alias, primary: { version: 1 } } }));
    // The host tells the page what to show, never what to do: no message presses a control.
    assert.ok(!isHostMessage({ type: 'press', control: 'promote' }));
    assert.ok(!isHostMessage({ type: 'click', id: 'apply' }));
    assert.ok(!isHostMessage({ type: 'busy', action: 'explode' }));
    assert.ok(!isHostMessage({ type: 'traffic', report: null, fetchedAt: 1 }));
    assert.ok(!isHostMessage('init'));
  });
});
