import assert from 'node:assert/strict';
import { isHostMessage, isRolloutView, MAX_MESSAGE_CHARS, parsePanelMessage, PROBE_MAX, rolloutControls } from '../../src/shared/protocol';
import { sampleRollout } from './rolloutSample';

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
      { type: 'rolloutControl', action: 'pause' },
      { type: 'rolloutControl', action: 'resume' },
      { type: 'rolloutControl', action: 'next' },
      { type: 'rolloutControl', action: 'promote' },
      { type: 'rolloutControl', action: 'abort' },
      { type: 'startRollout' },
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
    ['a rollout control without an action', { type: 'rolloutControl' }, /action must be one of pause, resume, next, promote, abort/],
    ['an unknown rollout control', { type: 'rolloutControl', action: 'delete' }, /action must be one of/],
    ['a rollout control as a number', { type: 'rolloutControl', action: 3 }, /action must be one of/],
    ['a prototype key as rollout control', { type: 'rolloutControl', action: 'toString' }, /action must be one of/],
    ['a rollout control naming another alias', { type: 'rolloutControl', action: 'abort', aliasName: 'other' }, /unexpected field\(s\) aliasName/],
    ['a start naming a function', { type: 'startRollout', functionName: 'other-fn' }, /unexpected field/],
    ['start as a rollout control', { type: 'rolloutControl', action: 'start' }, /action must be one of/],
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

  it('the webview accepts a rollout view of the shape the timeline draws, and refuses others', () => {
    const v = sampleRollout();
    assert.ok(isHostMessage({ type: 'rollout', rollout: v }));
    assert.ok(isHostMessage({ type: 'rollout', rollout: null }));
    assert.ok(isHostMessage({ type: 'rollout', rollout: null, lease: { holder: 'bob@ci (CLI)', since: 1, until: 2, step: 0, steps: 3 } }));
    assert.ok(isHostMessage({ type: 'rollout', rollout: sampleRollout({ evidence: undefined, driver: undefined, status: 'promoted', endedAt: 900_000 }) }));
    assert.ok(isHostMessage({ type: 'rollout', rollout: sampleRollout({ evidence: { ...v.evidence!, sprt: { ...v.evidence!.sprt, llr: Infinity } } }) }));
    assert.ok(isHostMessage({ type: 'rolloutBusy', action: 'abort' }));
    assert.ok(isHostMessage({ type: 'rolloutBusy', action: 'start' }));
    assert.ok(isHostMessage({ type: 'rolloutBusy', action: null }));
    const bad: Array<[string, unknown]> = [
      ['no rollout field', { type: 'rollout' }],
      ['a string', { type: 'rollout', rollout: 'running' }],
      ['an unknown status', { type: 'rollout', rollout: { ...v, status: 'exploding' } }],
      ['current past the steps', { type: 'rollout', rollout: { ...v, current: 3 } }],
      ['a fractional current', { type: 'rollout', rollout: { ...v, current: 0.5 } }],
      ['no steps', { type: 'rollout', rollout: { ...v, steps: [], current: 0 } }],
      ['a step weight as text', { type: 'rollout', rollout: { ...v, steps: [{ ...v.steps[0], weight: '10' }, ...v.steps.slice(1)] } }],
      ['a weight over 100', { type: 'rollout', rollout: { ...v, steps: [{ ...v.steps[0], weight: 150 }, ...v.steps.slice(1)] } }],
      ['an unknown gate', { type: 'rollout', rollout: { ...v, steps: [{ ...v.steps[0], gate: 'maybe' }, ...v.steps.slice(1)] } }],
      ['an unknown verdict', { type: 'rollout', rollout: { ...v, steps: [{ ...v.steps[0], verdict: 'Great' }, ...v.steps.slice(1)] } }],
      ['a sentence as markup object', { type: 'rollout', rollout: { ...v, steps: [{ ...v.steps[0], sentence: { html: '<b>' } }, ...v.steps.slice(1)] } }],
      ['evidence without numbers', { type: 'rollout', rollout: { ...v, evidence: { ...v.evidence!, canary: { version: '8' } } } }],
      ['an SPRT bound NaN', { type: 'rollout', rollout: { ...v, evidence: { ...v.evidence!, sprt: { ...v.evidence!.sprt, upper: NaN } } } }],
      ['alarms not strings', { type: 'rollout', rollout: { ...v, evidence: { ...v.evidence!, alarmsInAlarm: [1] } } }],
      ['a driver without self', { type: 'rollout', rollout: { ...v, driver: { holder: 'x', until: 1 } } }],
      ['a bad lease', { type: 'rollout', rollout: null, lease: { holder: 'x' } }],
      ['rolloutBusy of an unknown action', { type: 'rolloutBusy', action: 'delete' }],
    ];
    for (const [name, m] of bad) assert.ok(!isHostMessage(m), `accepted ${name}`);
    assert.ok(!isRolloutView(undefined));
  });

  it('offers the rollout controls by status, and none to a window that does not drive it', () => {
    assert.deepEqual(rolloutControls({ status: 'running' }), ['pause', 'next', 'promote', 'abort']);
    for (const status of ['paused', 'halted', 'waiting'] as const) assert.deepEqual(rolloutControls({ status }), ['resume', 'next', 'promote', 'abort'], status);
    for (const status of ['promoted', 'rolled-back', 'aborted', 'completed', 'abandoned'] as const) assert.deepEqual(rolloutControls({ status }), [], status);
    assert.deepEqual(rolloutControls({ status: 'running', driver: { holder: 'alice@host', until: 1, self: true } }), ['pause', 'next', 'promote', 'abort']);
    assert.deepEqual(rolloutControls({ status: 'running', driver: { holder: 'bob@ci', until: 1, self: false } }), []);
    assert.deepEqual(rolloutControls({ status: 'paused', driver: { holder: 'bob@ci', until: 1, self: false } }), []);
  });
});
