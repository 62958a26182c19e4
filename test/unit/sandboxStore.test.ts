import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { delay } from '../../src/sandbox/delay';
import type { FunctionRecord } from '../../src/sandbox/model';
import { DirectoryStore, FunctionMap, recordFileName } from '../../src/sandbox/store';

const record = (name: string) => ({ name }) as unknown as FunctionRecord;

describe('sandbox FunctionMap (names kept sorted for ListFunctions)', () => {
  it('lists names in code-unit order, as Lambda does', () => {
    const m = new FunctionMap();
    for (const n of ['b', 'a', 'B', 'a-1', 'a_1']) m.set(n, record(n));
    assert.deepEqual(m.sortedNames(), ['B', 'a', 'a-1', 'a_1', 'b']);
  });

  it('keeps the sorted list while only existing functions change, and rebuilds it when names come or go', () => {
    const m = new FunctionMap([['x', record('x')]]);
    const first = m.sortedNames();
    m.set('x', record('x'));
    assert.equal(m.sortedNames(), first, 'an update of a known name keeps the list');
    m.set('a', record('a'));
    assert.deepEqual(m.sortedNames(), ['a', 'x']);
    assert.equal(m.delete('nope'), false);
    assert.deepEqual(m.sortedNames(), ['a', 'x']);
    m.delete('a');
    assert.deepEqual(m.sortedNames(), ['x']);
    m.clear();
    assert.deepEqual(m.sortedNames(), []);
  });
});

describe('sandbox delay (the injected latency)', () => {
  it('resolves no sooner than ms after it was asked', async () => {
    const start = performance.now();
    await delay(15);
    assert.ok(performance.now() - start >= 15);
  });

  it('counts from the given start, so time already spent is not waited again', async () => {
    // Counted from now, this would outlast the test's timeout.
    const start = performance.now();
    await delay(5_000, start - 10_000);
    assert.ok(performance.now() - start < 1_000, 'a start long past resolves at once');
    const from2 = performance.now();
    await delay(10, from2);
    assert.ok(performance.now() - from2 >= 10);
  });
});

function fnRecord(name: string, blob = 'a'.repeat(64)): FunctionRecord {
  const version = {
    version: '$LATEST',
    settings: { runtime: 'nodejs20.x', handler: 'index.handler', role: 'arn:aws:iam::123456789012:role/r', description: '', timeout: 3, memorySize: 128, environment: {} },
    code: { sha256: 'x', blob, size: 1 },
    revisionId: 'r',
    lastModified: 't',
    pendingUntil: 0,
    updatingUntil: 0,
  };
  return { name, latest: version, versions: [], aliases: {}, nextVersion: 1, tags: {} };
}

describe('sandbox state files', () => {
  const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fnDir = () => path.join(dir, 'functions');

  it('gives every function name its own file on case-insensitive volumes, never a reserved Windows name', () => {
    const names = ['Api', 'api', 'API', 'aPi', 'CON', 'con', 'Con', 'NUL', 'nul', 'COM1', 'com1', 'LPT9', 'aux', 'PRN', 'a_b', 'A_b', 'a-b', '_', '-', '9', 'X'.repeat(64)];
    const files = names.map(recordFileName);
    assert.equal(new Set(files.map((f) => f.toLowerCase())).size, names.length, files.join(' '));
    for (const f of files) {
      assert.match(f, /^[a-z0-9._+-]+$/, f);
      assert.doesNotMatch(f.split('.')[0], WINDOWS_RESERVED, f);
      assert.ok(f.length <= 255);
    }
    assert.equal(recordFileName('my-api'), 'fn.my-api.json');
    assert.equal(recordFileName('MyApi'), 'fn.+my+api.json');
  });

  it('keeps Api and api apart: both survive a reload, and deleting one leaves the other', () => {
    let store = new DirectoryStore(dir);
    store.saveFunction(fnRecord('Api'));
    store.saveFunction(fnRecord('api'));
    store.saveFunction(fnRecord('CON'));
    store = new DirectoryStore(dir);
    assert.deepEqual(store.functions.sortedNames(), ['Api', 'CON', 'api']);
    store.deleteFunction('Api');
    store = new DirectoryStore(dir);
    assert.deepEqual(store.functions.sortedNames(), ['CON', 'api']);
  });

  it('sets a truncated record aside (renamed, reported, its code kept) and loads the others', () => {
    const blob = 'b'.repeat(64);
    const store = new DirectoryStore(dir);
    store.saveFunction(fnRecord('good'));
    store.saveFunction(fnRecord('broken', blob));
    fs.writeFileSync(path.join(dir, 'blobs', `${blob}.zip`), 'zip');
    const file = path.join(fnDir(), recordFileName('broken'));
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length - 20));
    const logged: string[] = [];
    const again = new DirectoryStore(dir, (l) => logged.push(l));
    assert.deepEqual(again.functions.sortedNames(), ['good']);
    assert.equal(again.warnings.length, 1);
    assert.match(again.warnings[0], /functions\/fn\.broken\.json is damaged .*renamed to functions\/fn\.broken\.json\.corrupt-[0-9T-]+Z .*the other functions are/);
    assert.deepEqual(logged, [`state: ${again.warnings[0]}`]);
    const aside = fs.readdirSync(fnDir()).filter((f) => f.includes('.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(fs.readFileSync(path.join(fnDir(), aside[0]), 'utf8'), text.slice(0, text.length - 20), 'kept byte for byte');
    again.collectGarbage();
    assert.ok(fs.existsSync(path.join(dir, 'blobs', `${blob}.zip`)), 'the set-aside record’s code is kept');
    // The next start neither warns again nor loses the set-aside file.
    const third = new DirectoryStore(dir);
    assert.deepEqual(third.warnings, []);
    third.collectGarbage();
    assert.ok(fs.existsSync(path.join(dir, 'blobs', `${blob}.zip`)));
  });

  it('sets aside a record that parses but lacks what the sandbox needs', () => {
    fs.mkdirSync(fnDir(), { recursive: true });
    const bad = { ...fnRecord('shape'), latest: { version: '$LATEST' } };
    fs.writeFileSync(path.join(fnDir(), recordFileName('shape')), JSON.stringify(bad));
    fs.writeFileSync(path.join(fnDir(), recordFileName('ok')), JSON.stringify(fnRecord('ok')));
    const store = new DirectoryStore(dir);
    assert.deepEqual(store.functions.sortedNames(), ['ok']);
    assert.match(store.warnings[0], /\$LATEST: version, revisionId or lastModified missing/);
  });

  it('migrates the previous layout (<name>.json) and removes temp files of interrupted writes', () => {
    fs.mkdirSync(fnDir(), { recursive: true });
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(fnDir(), 'Legacy-Fn.json'), JSON.stringify(fnRecord('Legacy-Fn')));
    fs.writeFileSync(path.join(fnDir(), 'old.json'), JSON.stringify(fnRecord('old')));
    // A dead writer's temp files (pid 2^22 + 1 is above Linux's pid_max default and never runs).
    fs.writeFileSync(path.join(fnDir(), 'fn.x.json.4194305.abcd.tmp'), '{"name":"x"');
    fs.writeFileSync(path.join(dir, 'blobs', `${'c'.repeat(64)}.zip.4194305.ef01.tmp`), 'half');
    const store = new DirectoryStore(dir);
    assert.deepEqual(store.functions.sortedNames(), ['Legacy-Fn', 'old']);
    assert.deepEqual(fs.readdirSync(fnDir()).sort(), ['fn.+legacy-+fn.json', 'fn.old.json']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'blobs')), []);
    assert.deepEqual(store.warnings, []);
    assert.deepEqual(new DirectoryStore(dir).functions.get('old'), fnRecord('old'));
  });
});

describe('sandbox state written by earlier releases', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('repairs tags that are not strings (accepted before) instead of setting the function aside', () => {
    const fnDir = path.join(dir, 'functions');
    fs.mkdirSync(fnDir, { recursive: true });
    fs.writeFileSync(path.join(fnDir, 'tagged.json'), JSON.stringify({ ...fnRecord('tagged'), tags: { team: 'a', n: 1 } }));
    fs.writeFileSync(path.join(fnDir, 'odd.json'), JSON.stringify({ ...fnRecord('odd'), tags: 'x' }));
    const store = new DirectoryStore(dir);
    assert.deepEqual(store.functions.sortedNames(), ['odd', 'tagged']);
    assert.deepEqual(store.functions.get('tagged')?.tags, { team: 'a' });
    assert.deepEqual(store.functions.get('odd')?.tags, {});
    assert.equal(store.warnings.length, 2);
    assert.match(store.warnings.join('\n'), /tagged had tags that are not strings \(n\)/);
    assert.deepEqual(new DirectoryStore(dir).warnings, [], 'repaired on disk too');
  });
});
