import assert from 'node:assert/strict';
import { LineReader, parseReply, toRapidResponse } from '../../src/sandbox/runtime/protocol';
import { describeExit, withoutInspectorFlags } from '../../src/sandbox/runtime/processes';

describe('sandbox runtime: error shapes (as Lambda’s Node.js runtime, Errors.toRapidResponse)', () => {
  it('an Error keeps its own name, message and stack lines', () => {
    class Declined extends Error {}
    const named = Object.assign(new Error('card 4242'), { name: 'PaymentDeclined' });
    const r = toRapidResponse(named);
    assert.equal(r.errorType, 'PaymentDeclined');
    assert.equal(r.errorMessage, 'card 4242');
    assert.equal(r.stack[0], 'PaymentDeclined: card 4242');
    // A subclass that does not set its name is reported by its name, Error, as on Lambda.
    assert.equal(toRapidResponse(new Declined('x')).errorType, 'Error');
    assert.equal(toRapidResponse(new TypeError('t')).errorType, 'TypeError');
  });

  it('anything else is typed by typeof and told by toString()', () => {
    const cases: Array<[unknown, string, string]> = [
      ['handled', 'string', 'handled'],
      [42, 'number', '42'],
      [false, 'boolean', 'false'],
      [{ a: 1 }, 'object', '[object Object]'],
      [[1, 2], 'object', '1,2'],
      [10n, 'bigint', '10'],
      [Symbol('s'), 'symbol', 'Symbol(s)'],
      [() => 1, 'function', '() => 1'],
    ];
    for (const [value, errorType, errorMessage] of cases) assert.deepEqual(toRapidResponse(value), { errorType, errorMessage, stack: [] }, String(errorMessage));
  });

  it('an object shaped like an Error counts as one; one that cannot even be told is "handled"', () => {
    assert.deepEqual(toRapidResponse({ name: 'X', message: 'm', stack: 'X: m\n at y' }), { errorType: 'X', errorMessage: 'm', stack: ['X: m', ' at y'] });
    // Missing stack: not error-like, so typeof/toString.
    assert.equal(toRapidResponse({ name: 'X', message: 'm' }).errorType, 'object');
    assert.equal(toRapidResponse(Object.create(null)).errorType, 'handled');
    const evil = new Error('e');
    Object.defineProperty(evil, 'name', {
      get() {
        throw new Error('gotcha');
      },
    });
    assert.equal(toRapidResponse(evil).errorType, 'handled');
  });

  it('DEL characters are escaped as the runtime escapes them for its error-type header', () => {
    const e = Object.assign(new Error('\x7F'), { name: 'With\x7FDel' });
    assert.equal(toRapidResponse(e).errorType, 'With%7FDel');
    assert.equal(toRapidResponse(e).errorMessage, '%7F');
  });
});

describe('sandbox runtime: replies are checked before use', () => {
  const result = { kind: 'result', id: 3, ok: true, payload: '{}', logs: ['a'], maxRssBytes: 1 };

  it('accepts the messages a runtime sends', () => {
    for (const m of [
      { kind: 'ready' },
      { kind: 'initError', errorType: 'Runtime.ImportModuleError', errorMessage: 'x', stack: [] },
      result,
      { kind: 'result', id: 3, ok: false, errorType: 'Error', errorMessage: 'boom', stack: ['Error: boom'], logs: [], maxRssBytes: 1, exitCode: 129 },
    ]) {
      assert.ok(parseReply(JSON.stringify(m)), JSON.stringify(m));
    }
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      'null',
      '"ready"',
      '[1]',
      '{"kind":"what"}',
      { ...result, payload: { not: 'a string' } },
      { ...result, logs: 'nope' },
      { ...result, logs: [1] },
      { ...result, id: '3' },
      { ...result, maxRssBytes: undefined },
      { ...result, ok: 'yes' },
      { ...result, ok: false, errorType: 'E', errorMessage: 'm', stack: 'not lines' },
      { ...result, ok: false, errorType: 'E', errorMessage: 'm', stack: [], exitCode: '1' },
      { kind: 'initError', errorType: 1, errorMessage: 'x', stack: [] },
    ];
    for (const b of bad) assert.equal(parseReply(typeof b === 'string' ? b : JSON.stringify(b)), undefined, JSON.stringify(b));
    assert.equal(parseReply('{not json'), undefined);
  });
});

describe('sandbox runtime: the channel splits lines and bounds what it holds', () => {
  it('joins lines split across chunks and splits several in one chunk', () => {
    const lines: string[] = [];
    const r = new LineReader((l) => lines.push(l), () => assert.fail('overflow'), 100);
    r.push('ab');
    r.push('c\nde');
    r.push('f\ng\n\nh');
    r.push('\n');
    assert.deepEqual(lines, ['abc', 'def', 'g', '', 'h']);
  });

  it('reports an unterminated line over the limit once, and keeps none of it', () => {
    let overflows = 0;
    const lines: string[] = [];
    const r = new LineReader((l) => lines.push(l), () => overflows++, 10);
    r.push('0123456789');
    assert.equal(overflows, 0);
    r.push('x');
    assert.equal(overflows, 1);
    r.push('ok\n');
    assert.deepEqual(lines, ['ok']);
  });
});

describe('sandbox runtime: how a runtime ended, in Lambda’s words', () => {
  it('names signals and exit codes as Lambda does', () => {
    assert.equal(describeExit(null, 'SIGKILL'), 'signal: killed');
    assert.equal(describeExit(null, 'SIGABRT'), 'signal: aborted');
    assert.equal(describeExit(null, 'SIGSEGV'), 'signal: segmentation fault');
    assert.equal(describeExit(2, null), 'exit status 2');
    assert.equal(describeExit(null, null), 'exit status unknown');
  });
});

describe('sandbox runtime: inspector flags removed from a function’s NODE_OPTIONS (Node’s own syntax)', () => {
  it('removes every --inspect* and --debug* spelling, with the value --inspect-port/--debug-port take as the next word', () => {
    assert.deepEqual(withoutInspectorFlags('--inspect=0.0.0.0:0'), { value: '', removed: ['--inspect=0.0.0.0:0'] });
    assert.deepEqual(withoutInspectorFlags('--inspect'), { value: '', removed: ['--inspect'] });
    assert.deepEqual(withoutInspectorFlags('--inspect-brk-node  --inspect_brk=9230 --debug'), { value: '', removed: ['--inspect-brk-node', '--inspect_brk=9230', '--debug'] });
    assert.deepEqual(withoutInspectorFlags('--inspect-port 0.0.0.0:1 --no-warnings'), { value: '--no-warnings', removed: ['--inspect-port', '0.0.0.0:1'] });
    assert.deepEqual(withoutInspectorFlags('--debug-port=0.0.0.0:1 --inspect-publish-uid=http'), { value: '', removed: ['--debug-port=0.0.0.0:1', '--inspect-publish-uid=http'] });
  });
  it('reads double quotes and backslash escapes as Node does, and quotes what it keeps again', () => {
    assert.deepEqual(withoutInspectorFlags('"--inspect=0.0.0.0:0"').removed, ['--inspect=0.0.0.0:0']);
    assert.deepEqual(withoutInspectorFlags('--insp"ect=0.0.0.0:0"').removed, ['--inspect=0.0.0.0:0']);
    const r = withoutInspectorFlags('--require "./my dir/pre.js" --title "a \\"b\\"" --inspect');
    assert.deepEqual(r.removed, ['--inspect']);
    assert.equal(r.value, '--require "./my dir/pre.js" --title "a \\"b\\""');
  });
  it('leaves NODE_OPTIONS without inspector flags exactly as written (not even re-spaced)', () => {
    for (const v of ['', '--require ./pre.js', '--max-old-space-size=100  --no-warnings', '--enable-source-maps', '--no-inspect-only-looks-alike']) {
      assert.deepEqual(withoutInspectorFlags(v), { value: v, removed: [] });
    }
  });
});
