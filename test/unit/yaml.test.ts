import assert from 'node:assert/strict';
import { readAppSpec as readAppSpecClient } from '../../src/core/codedeploy/appspec';
import { readAppSpec as readAppSpecSandbox } from '../../src/sandbox/codedeploy/appspec';
import { aliasProblem, loadYaml, MAX_ALIASED_VALUES, YamlError } from '../../src/shared/yaml';

/** `levels` anchors, each a list of `width` aliases of the one before: width^levels values once expanded. */
function laughs(levels: number, width = 10): string {
  const name = (i: number) => String.fromCharCode(97 + i);
  const lines = [`${name(0)}: &${name(0)} [${Array(width).fill('lol').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`${name(i)}: &${name(i)} [${Array(width).fill(`*${name(i - 1)}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

function yamlError(text: string, reason: RegExp, json = false): YamlError {
  let caught: unknown;
  try {
    loadYaml(text, { json });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof YamlError, `${JSON.stringify(text.slice(0, 60))} is refused (got ${String(caught)})`);
  assert.match(caught.reason, reason);
  return caught;
}

describe('YAML reading (js-yaml, bounded)', () => {
  it('reads anchors and aliases as the values they name', () => {
    assert.deepEqual(loadYaml('base: &b { Runtime: nodejs20.x, MemorySize: 128 }\nA: *b\nB: [*b, *b]\n'), {
      base: { Runtime: 'nodejs20.x', MemorySize: 128 },
      A: { Runtime: 'nodejs20.x', MemorySize: 128 },
      B: [
        { Runtime: 'nodejs20.x', MemorySize: 128 },
        { Runtime: 'nodejs20.x', MemorySize: 128 },
      ],
    });
  });

  it('refuses an alias bomb at once: js-yaml shares aliased nodes, so nothing later walks 10^12 values', () => {
    const started = Date.now();
    const e = yamlError(laughs(12), /alias bomb/);
    assert.equal(e.line, undefined, 'no one line is the cause');
    assert.ok(Date.now() - started < 1000, `refused in ${Date.now() - started} ms, not after expanding`);
  });

  it('counts values as if each alias were written out: a few aliases pass, more than the bound do not', () => {
    const list = `big: &big [${Array(1000).fill('0').join(', ')}]\n`;
    const uses = (n: number) => `${list}uses: [${Array(n).fill('*big').join(', ')}]\n`;
    assert.equal((loadYaml(uses(9)) as { uses: unknown[] }).uses.length, 9, '9 × 1001 values added: read');
    yamlError(uses(10), new RegExp(`more than ${MAX_ALIASED_VALUES} values`));
    assert.equal(aliasProblem(loadYaml(laughs(3)), MAX_ALIASED_VALUES), undefined, 'about 1,200 values added: not a bomb');
  });

  it('refuses an alias of a collection inside itself (a cycle), which js-yaml builds', () => {
    for (const text of ['a: &a [*a]\n', 'a: &a { self: *a }\n', 'a: &a\n  b:\n    - c: *a\n']) yamlError(text, /refers to a collection it is inside/);
  });

  it('refuses collections nested more than 100 deep, naming the line', () => {
    assert.ok(loadYaml(`x: ${'['.repeat(90)}${']'.repeat(90)}\n`));
    const e = yamlError(`a: 1\nx: ${'['.repeat(500)}${']'.repeat(500)}\n`, /nesting exceeded maxDepth \(100\)/);
    assert.equal(e.line, 2);
  });

  it('refuses a key given twice (JSON mode keeps the last, as PyYAML does), naming the line', () => {
    const e = yamlError('a: 1\nb: 2\na: 3\n', /duplicated mapping key/);
    assert.deepEqual([e.line, e.column], [3, 1]);
    assert.deepEqual(loadYaml('a: 1\na: 3\n', { json: true }), { a: 3 });
  });

  it('reports a syntax error with its line and column (1-based)', () => {
    const e = yamlError('Resources:\n  Fn: {\n', /end of the stream within a flow collection/);
    assert.deepEqual([e.line, e.column], [3, 1]);
    assert.match(e.message, /at line 3, column 1$/);
  });

  describe('AppSpecs', () => {
    const spec = (type: string) => `${laughs(12)}version: 0.0\nResources:\n  - Fn:\n      Type: ${type}\n      Properties: { Name: f, Alias: live, CurrentVersion: 1, TargetVersion: 2 }\n`;

    it('read as YAML by both readers', () => {
      const yaml = 'version: 0.0\nResources:\n  - Fn:\n      Type: AWS::Lambda::Function\n      Properties: { Name: f, Alias: live, CurrentVersion: 1, TargetVersion: 2 }\n';
      assert.deepEqual(readAppSpecSandbox(yaml), { functionName: 'f', alias: 'live', currentVersion: '1', targetVersion: '2' });
      assert.deepEqual(readAppSpecClient(yaml), { functionName: 'f', aliasName: 'live', currentVersion: '1', targetVersion: '2', hooks: {} });
    });

    it('an alias bomb (even where its Type is written back in a message) fails the deployment at once', () => {
      const started = Date.now();
      const read = readAppSpecSandbox(spec('*l'));
      assert.match('problem' in read ? read.problem : '', /^The AppSpec file is neither valid YAML nor JSON: its aliases \(\*name\) add more than \d+ values, an alias bomb/);
      assert.equal(readAppSpecClient(spec('*l')), undefined, 'the client reads nothing of it');
      assert.ok(Date.now() - started < 1000, `refused in ${Date.now() - started} ms`);
    });

    it('a key given twice is refused, naming its line', () => {
      const read = readAppSpecSandbox('version: 0.0\nversion: 0.0\nResources: []\n');
      assert.deepEqual(read, { problem: 'The AppSpec file is neither valid YAML nor JSON: duplicated mapping key at line 2, column 1.' });
    });
  });
});
