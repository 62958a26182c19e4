/**
 * The journal shared by processes: two writers at once (two windows, a CLI beside the editor),
 * and a new process reading what an earlier one wrote (a window reload, the next CLI run).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../src/core/journal';
import type { Outcome } from '../../src/core/outcome';
import { targetKey } from '../../src/core/outcome';

const WRITER = path.join(__dirname, 'journal-writer.js');
const KEY = '123456789012/us-east-1/checkout:prod';

/** Starts a writer process and resolves once it is ready to append. */
function startWriter(dir: string, prefix: string, count: number): Promise<{ go(): void; done: Promise<void> }> {
  const child = spawn(process.execPath, [WRITER, dir, prefix, String(count)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${prefix} exited with ${code}: ${stderr}`))));
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ go: () => child.stdin.end('go\n'), done }));
    done.catch(reject);
  });
}

describe('journal across processes', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-journal-int-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps every record whole when two processes append at once', async () => {
    const dir = path.join(root, 'journal');
    const n = 300;
    const writers = await Promise.all([startWriter(dir, 'a', n), startWriter(dir, 'b', n)]);
    const started = Date.now();
    for (const w of writers) w.go();
    await Promise.all(writers.map((w) => w.done));
    const ms = Date.now() - started;

    const { records, problems } = await new Journal(dir).read();
    assert.deepEqual(problems, []);
    assert.equal(records.length, 2 * n);
    assert.equal(new Set(records.map((r) => r.id)).size, 2 * n, 'all ids distinct');
    for (const prefix of ['a', 'b']) {
      const mine = records.filter((r) => r.id.startsWith(`${prefix}-`)).map((r) => r.id);
      assert.deepEqual(mine, Array.from({ length: n }, (_, i) => `${prefix}-${i}`), `writer ${prefix}'s records in its order`);
    }
    // The writers really overlapped: the file alternates between them somewhere.
    let switches = 0;
    for (let i = 1; i < records.length; i++) if (records[i].id[0] !== records[i - 1].id[0]) switches++;
    assert.ok(switches > 1, `the two writers' records interleave (${switches} alternations in ${ms} ms)`);
    const text = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.equal(text.split('\n').length, 2 * n + 1, 'one line per record, no blank or merged lines');
  });

  it('answers Switch Back from a new instance after a reload', async () => {
    const dir = path.join(root, 'journal');
    const now = new Date().toISOString();
    const target = { account: '123456789012', region: 'us-east-1', function: 'checkout', alias: 'prod' };
    const switched: Outcome = {
      id: 'switch-7-to-8',
      action: 'switch',
      target,
      startedAt: now,
      endedAt: now,
      before: { version: '7', weights: {}, revisionId: 'r-1' },
      after: { version: '8', weights: {}, revisionId: 'r-2' },
      versionsPublished: [],
      steps: [{ name: 'UpdateAlias prod', ms: 40, result: 'ok' }],
      state: 'done',
      warnings: [],
    };
    const before = new Journal(dir, { client: { kind: 'vscode', version: '0.1.0' } });
    const written = await before.append(switched, { connection: { kind: 'sandbox', label: 'Local sandbox' } });

    const after = new Journal(dir, { client: { kind: 'cli', version: '0.1.0' } });
    assert.equal(targetKey(target), KEY);
    assert.deepEqual(await after.lastSwitch(KEY), { from: '7', to: '8', record: written });

    // And from another process, as the CLI after the editor did the switch.
    const script = `const { Journal } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/journal'))});
      new Journal(${JSON.stringify(dir)}).lastSwitch(${JSON.stringify(KEY)}).then((s) => process.stdout.write(JSON.stringify(s)));`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
    });
    assert.deepEqual(JSON.parse(out), { from: '7', to: '8', record: written });
  });
});
