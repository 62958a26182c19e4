import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalRecord } from '../../src/core/journal';
import { defaultJournalDir, Journal, journalConnection, sameConnection } from '../../src/core/journal';
import type { ActionName, AliasState, Outcome, OutcomeState, Target } from '../../src/core/outcome';
import { targetKey } from '../../src/core/outcome';

const PROD: Target = { account: '123456789012', region: 'eu-west-1', function: 'checkout', alias: 'prod' };
const STAGING: Target = { ...PROD, alias: 'staging' };
const SANDBOX = { kind: 'sandbox', label: 'Local sandbox' } as const;

let seq = 0;
function outcome(action: ActionName, target: Target, before?: string | AliasState, after?: string | AliasState, state: OutcomeState = 'done'): Outcome {
  const routing = (s: string | AliasState | undefined) => (typeof s === 'string' ? { version: s, weights: {} } : s);
  const id = `o-${++seq}`;
  return {
    id,
    action,
    target,
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:00:01.000Z',
    ...(before ? { before: routing(before) } : {}),
    ...(after ? { after: routing(after) } : {}),
    versionsPublished: [],
    steps: [{ name: `UpdateAlias ${target.alias}`, ms: 12, result: state === 'done' ? 'ok' : 'failed' }],
    state,
    warnings: [],
    ...(state === 'done' ? {} : { error: { kind: 'conflict', message: 'The alias changed since you looked at it — refresh and retry.' } }),
  };
}

describe('journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-journal-')), 'nested', 'journal');
  });
  afterEach(() => fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true }));

  const journal = () => new Journal(dir, { client: { kind: 'vscode', version: '1.2.3' }, user: 'ana', host: 'laptop', fsync: false });
  const lines = () => fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n');

  it('reads nothing, and no problem, before the first append', async () => {
    const j = journal();
    assert.equal(j.file, path.join(dir, 'journal.jsonl'));
    assert.deepEqual(await j.read(), { records: [], problems: [] });
    assert.equal(await j.lastSwitch(targetKey(PROD)), undefined);
    assert.equal(fs.existsSync(dir), false, 'reading creates nothing');
  });

  it('appends one JSON line per outcome and reads them back in order', async () => {
    const j = journal();
    const first = outcome('switch', PROD, { version: '1', weights: {}, revisionId: 'r1' }, { version: '2', weights: {}, revisionId: 'r2' });
    const second = outcome('canary', PROD, '2', { version: '2', weights: { '3': 0.1 } });
    const r1 = await j.append(first, { connection: { kind: 'aws', label: 'prod-admin · eu-west-1', profile: 'prod-admin' } });
    const r2 = await j.append(second, { connection: { kind: 'aws', label: 'LocalStack', endpoint: 'http://user:secret@127.0.0.1:4566/' }, parent: 'rollout-1' });

    assert.equal(r1.v, 1);
    assert.equal(r1.id, first.id);
    assert.equal(r1.key, '123456789012/eu-west-1/checkout:prod');
    assert.deepEqual(r1.by, { user: 'ana', host: 'laptop', client: 'vscode', clientVersion: '1.2.3' });
    assert.deepEqual(r1.connection, { kind: 'aws', label: 'prod-admin · eu-west-1', profile: 'prod-admin' });
    assert.ok(Math.abs(Date.parse(r1.at) - Date.now()) < 60_000, r1.at);
    assert.equal(r1.parent, undefined);
    assert.equal(r2.parent, 'rollout-1');
    assert.equal(r2.connection.endpoint, 'http://127.0.0.1:4566/', 'no credentials in a recorded endpoint');

    const text = lines();
    assert.equal(text.length, 3, 'two lines, each ending with a newline');
    assert.equal(text[2], '');
    assert.deepEqual(JSON.parse(text[0]), r1);

    const read = await j.read();
    assert.deepEqual(read, { records: [r1, r2], problems: [] });
    assert.deepEqual(read.records[0].outcome, first, 'the outcome comes back whole');
  });

  it('keeps UTF-8 text intact, and a newline in a message does not split a record', async () => {
    const j = journal();
    const o = outcome('switch', PROD, '1', '2', 'unchanged');
    o.error = { kind: 'aws', message: 'Lambda said: “ResourceConflictException”\nline two — ünïcödé 🐤' };
    await j.append(o, { connection: SANDBOX });
    assert.equal(lines().length, 2);
    const { records } = await j.read();
    assert.equal(records[0].outcome.error?.message, o.error.message);
  });

  it('filters by key, function, alias, time and count (the newest N)', async () => {
    const j = journal();
    const other: Target = { ...PROD, function: 'billing' };
    const otherAccount: Target = { ...PROD, account: '210987654321' };
    const appended: JournalRecord[] = [];
    for (const t of [PROD, STAGING, other, PROD, otherAccount, PROD]) appended.push(await j.append(outcome('weight', t), { connection: SANDBOX }));

    const ids = async (filter: Parameters<Journal['read']>[0]) => (await j.read(filter)).records.map((r) => r.id);
    const idsOf = (...i: number[]) => i.map((n) => appended[n].id);
    assert.deepEqual(await ids({ key: targetKey(PROD) }), idsOf(0, 3, 5));
    assert.deepEqual(await ids({ functionName: 'checkout' }), idsOf(0, 1, 3, 4, 5));
    assert.deepEqual(await ids({ functionName: 'checkout', aliasName: 'prod' }), idsOf(0, 3, 4, 5), 'both accounts');
    assert.deepEqual(await ids({ aliasName: 'staging' }), idsOf(1));
    assert.deepEqual(await ids({ key: targetKey(PROD), limit: 2 }), idsOf(3, 5), 'the newest two, oldest first');
    assert.deepEqual(await ids({ limit: 0 }), []);
    assert.deepEqual(await ids({ limit: 100 }), idsOf(0, 1, 2, 3, 4, 5));
    assert.deepEqual(await ids({ key: 'nobody/nowhere/x:y' }), []);
    assert.deepEqual(await ids({ since: new Date(Date.parse(appended[0].at)) }), idsOf(0, 1, 2, 3, 4, 5));
    assert.deepEqual(await ids({ since: new Date(Date.now() + 60_000) }), []);

    // Records with times of their own: `since` keeps those at or after it.
    const file = path.join(dir, 'journal.jsonl');
    const dated = (id: string, at: string) => JSON.stringify({ ...appended[0], id, at }) + '\n';
    fs.writeFileSync(file, dated('old', '2026-01-01T00:00:00.000Z') + dated('edge', '2026-06-01T00:00:00.000Z') + dated('new', '2026-11-01T00:00:00.000Z'));
    assert.deepEqual(await ids({ since: new Date('2026-06-01T00:00:00.000Z') }), ['edge', 'new']);
  });

  it('answers lastSwitch with the newest done move of the primary version, whatever came after', async () => {
    const j = journal();
    const key = targetKey(PROD);
    const add = (o: Outcome) => j.append(o, { connection: SANDBOX });

    const s1 = await add(outcome('switch', PROD, '1', '2'));
    assert.deepEqual(await j.lastSwitch(key), { from: '1', to: '2', record: s1 });

    await add(outcome('weight', PROD, '2', { version: '2', weights: { '3': 0.2 } }));
    await add(outcome('rollback', PROD, { version: '2', weights: { '3': 0.2 } }, '2'));
    await add(outcome('probe', PROD, '2', '2'));
    await add(outcome('traffic', PROD));
    assert.deepEqual(await j.lastSwitch(key), { from: '1', to: '2', record: s1 }, 'other actions do not change the answer');

    const back = await add(outcome('switch-back', PROD, '2', '1'));
    assert.deepEqual(await j.lastSwitch(key), { from: '2', to: '1', record: back });

    await add(outcome('switch', PROD, '1', '5', 'unchanged'));
    await add(outcome('switch', PROD, '1', undefined, 'unknown'));
    await add(outcome('switch', PROD, '1', '1'));
    await add(outcome('switch', STAGING, '4', '9'));
    assert.deepEqual(await j.lastSwitch(key), { from: '2', to: '1', record: back }, 'a failed, unknown or no-op switch, or another alias, do not count');

    const staging = await j.lastSwitch(targetKey(STAGING));
    assert.deepEqual([staging?.from, staging?.to], ['4', '9']);

    const promoted = await add(outcome('promote', PROD, { version: '1', weights: { '6': 0.5 } }, '6'));
    assert.deepEqual(await j.lastSwitch(key), { from: '1', to: '6', record: promoted }, 'a promotion moves the primary too');

    assert.equal(await j.lastSwitch(targetKey({ ...PROD, account: '210987654321' })), undefined, 'the same names in another account are another alias');
  });

  it('skips a truncated last line, says so, and reads the next append that shares its line', async () => {
    const j = journal();
    const kept = await j.append(outcome('switch', PROD, '1', '2'), { connection: SANDBOX });
    const half = JSON.stringify({ ...kept, id: 'half' });
    fs.appendFileSync(j.file, half.slice(0, Math.floor(half.length / 2)));

    const read = await j.read();
    assert.deepEqual(read.records, [kept]);
    assert.deepEqual(read.problems, [`line 2 of ${j.file} is incomplete (an append was interrupted); it was skipped`]);

    const next = await j.append(outcome('switch', PROD, '2', '3'), { connection: SANDBOX });
    const after = await j.read();
    assert.deepEqual(after.records, [kept, next], 'the half line did not swallow the next record');
    assert.equal(after.problems.length, 1);
    assert.match(after.problems[0], /^line 2 of .+journal\.jsonl holds an incomplete record \(an append was interrupted\), skipped, and 1 whole record, read$/);
    assert.deepEqual(await j.lastSwitch(targetKey(PROD)), { from: '2', to: '3', record: next });
    assert.equal(lines().length, 3, 'no blank line: the append does not look at the last byte');
  });

  it('splits a line of several records at their starts, even when a record holds a nested {"v": …} object', async () => {
    const j = journal();
    const nested = await j.append({ ...outcome('probe', PROD), detail: { v: { v: 1, id: 'x' } } }, { connection: SANDBOX });
    const plain = await j.append(outcome('weight', PROD), { connection: SANDBOX });
    const half = JSON.stringify(plain).slice(0, 40);
    fs.writeFileSync(j.file, `${half}${JSON.stringify(nested)}${JSON.stringify(plain)}${half}${JSON.stringify(nested)}\n`);
    const read = await j.read();
    assert.deepEqual(read.records, [nested, plain, nested]);
    assert.deepEqual(read.problems, [`line 1 of ${j.file} holds 2 incomplete records (an append was interrupted), skipped, and 3 whole records, read`]);
  });

  it('Switch Back of one connection does not take a record of another with the same account (two local endpoints)', async () => {
    const j = journal();
    const localstack = journalConnection({ kind: 'aws', region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:4566?token=s3cret#x' });
    const other = journalConnection({ kind: 'sandbox', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', embedded: false });
    const embedded = journalConnection({ kind: 'sandbox', endpoint: 'http://127.0.0.1:41234', region: 'eu-west-1', embedded: true });
    assert.equal(localstack.endpoint, 'http://127.0.0.1:4566/', 'no query string or fragment: they can carry tokens');
    assert.equal(embedded.endpoint, undefined, "the embedded sandbox's port changes at each start, its state does not");
    assert.ok(sameConnection(embedded, journalConnection({ kind: 'sandbox', endpoint: 'http://127.0.0.1:5555', region: 'eu-west-1', embedded: true })));
    assert.ok(sameConnection(journalConnection({ kind: 'aws', region: 'eu-west-1', profile: 'a' }), journalConnection({ kind: 'aws', region: 'eu-west-1', profile: 'b' })), 'two profiles, one AWS');
    assert.ok(!sameConnection(localstack, journalConnection({ kind: 'aws', region: 'eu-west-1' })));
    await j.append(outcome('switch', PROD, '1', '2'), { connection: localstack });
    await j.append(outcome('switch', PROD, '5', '6'), { connection: other });
    const key = targetKey(PROD);
    assert.deepEqual((await j.lastSwitch(key, (r) => sameConnection(r.connection, localstack)))?.to, '2');
    assert.deepEqual((await j.lastSwitch(key, (r) => sameConnection(r.connection, other)))?.to, '6');
    assert.equal(await j.lastSwitch(key, (r) => sameConnection(r.connection, embedded)), undefined);
    const many = await j.lastSwitches([key, 'x/y/z:prod'], (r) => sameConnection(r.connection, localstack));
    assert.deepEqual([...many.keys()], [key]);
  });

  it('no credential of an endpoint reaches a record, in its endpoint or its label; one endpoint however it is written', async () => {
    const j = journal();
    const local = journalConnection({ kind: 'sandbox', endpoint: 'http://u:sekret@127.0.0.1:4566/?token=abc#x', region: 'us-east-1', embedded: false });
    const r = await j.append(outcome('weight', PROD), { connection: local });
    const text = fs.readFileSync(j.file, 'utf8');
    for (const secret of ['sekret', 'token=abc', 'u:']) assert.ok(!text.includes(secret), `"${secret}" is not in the journal: ${text}`);
    assert.equal(r.connection.endpoint, 'http://127.0.0.1:4566/');
    const raw = await j.append(outcome('weight', PROD), { connection: { kind: 'aws', label: 'dev · eu-west-1 @ http://a:b@localhost:4566?k=v' } });
    assert.equal(raw.connection.label, 'dev · eu-west-1 @ http://localhost:4566/');
    const a = journalConnection({ kind: 'aws', region: 'eu-west-1', endpointUrl: 'http://LOCALHOST:4566/' });
    const b = journalConnection({ kind: 'sandbox', endpoint: 'http://localhost:4566', region: 'eu-west-1', embedded: false });
    assert.ok(sameConnection(a, b), 'the CLI may call it aws, the editor sandbox: the endpoint decides');
  });

  it('keeps a last record that only lacks its newline, and the next one appended to its line', async () => {
    const j = journal();
    const kept = await j.append(outcome('switch', PROD, '1', '2'), { connection: SANDBOX });
    fs.writeFileSync(j.file, JSON.stringify(kept));
    assert.deepEqual(await j.read(), { records: [kept], problems: [] });
    const next = await j.append(outcome('weight', PROD), { connection: SANDBOX });
    assert.deepEqual(await j.read(), { records: [kept, next], problems: [] });
  });

  it('skips and reports corrupt lines, lines that are not records, and records of a newer version', async () => {
    const j = journal();
    const a = await j.append(outcome('switch', PROD, '1', '2'), { connection: SANDBOX });
    const good = JSON.stringify(a);
    const { outcome: _o, ...noOutcome } = a;
    const inserted = [
      '{"v":1,"id":"x", garbage',
      '',
      '   ',
      '[1,2,3]',
      JSON.stringify({ ...a, v: 2, id: 'from-the-future' }),
      JSON.stringify({ ...a, v: undefined }),
      JSON.stringify(noOutcome),
      JSON.stringify({ ...a, at: 'yesterday' }),
      JSON.stringify({ ...a, outcome: { ...a.outcome, action: 'explode' } }),
    ];
    fs.writeFileSync(j.file, [good, ...inserted, good].join('\n') + '\n');
    const { records, problems } = await j.read();
    assert.deepEqual(records, [a, a]);
    const f = j.file;
    assert.deepEqual(problems, [
      `line 2 of ${f} is not valid JSON (an interrupted append or an edit by hand); it was skipped`,
      `line 5 of ${f} is not a journal record (not a JSON object); it was skipped`,
      `line 6 of ${f} was written by a newer version of Lambda Canary (record format v2; this one reads v1); update to read it; it was skipped`,
      `line 7 of ${f} is not a journal record (no "v": 1); it was skipped`,
      `line 8 of ${f} is not a complete journal record (missing or invalid: outcome); it was skipped`,
      `line 9 of ${f} is not a complete journal record (missing or invalid: at); it was skipped`,
      `line 10 of ${f} is not a complete journal record (missing or invalid: outcome.action); it was skipped`,
    ]);
  });

  it('sums up problems beyond twenty in one sentence', async () => {
    const j = journal();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(j.file, 'nope\n'.repeat(25));
    const { records, problems } = await j.read();
    assert.equal(records.length, 0);
    assert.equal(problems.length, 21);
    assert.equal(problems[20], `5 more lines of ${j.file} were skipped for the same kinds of reasons`);
  });

  it('skips a line too long to be a record without holding it, and refuses to write one', async () => {
    const j = journal();
    const a = await j.append(outcome('switch', PROD, '1', '2'), { connection: SANDBOX });
    fs.appendFileSync(j.file, 'x'.repeat(3 * 1024 * 1024) + '\n');
    const b = await j.append(outcome('weight', PROD), { connection: SANDBOX });
    const { records, problems } = await j.read();
    assert.deepEqual(records, [a, b]);
    assert.deepEqual(problems, [`line 2 of ${j.file} is longer than 1048576 bytes, so it is not a journal record; it was skipped`]);

    const huge = outcome('probe', PROD);
    huge.detail = { blob: 'y'.repeat(2 * 1024 * 1024) };
    await assert.rejects(j.append(huge, { connection: SANDBOX }), (err: Error) => err instanceof RangeError && /more than the 1048576 bytes a record may have; it was not written/.test(err.message));
    assert.equal((await j.read()).records.length, 2, 'nothing was written');
  });

  it('refuses an outcome without an id or a target', async () => {
    const j = journal();
    await assert.rejects(j.append({ ...outcome('switch', PROD), id: '' }, { connection: SANDBOX }), /without an id/);
    await assert.rejects(j.append({ ...outcome('switch', PROD), target: undefined as unknown as Target }, { connection: SANDBOX }), /names no function and alias/);
    assert.equal(fs.existsSync(j.file), false);
    // A refused append does not block the ones after it.
    await j.append(outcome('switch', PROD), { connection: SANDBOX });
    assert.equal((await j.read()).records.length, 1);
  });

  it('tells listeners of each append, in order, after the record is in the file', async () => {
    const j = journal();
    const heard: string[] = [];
    const inFile: number[] = [];
    const sub = j.onAppend((r) => {
      heard.push(r.id);
      inFile.push(fs.readFileSync(j.file, 'utf8').split('\n').filter((l) => l.includes(`"id":"${r.id}"`)).length);
    });
    j.onAppend(() => {
      throw new Error('a broken listener');
    });
    const os1 = [outcome('switch', PROD, '1', '2'), outcome('weight', PROD), outcome('switch', STAGING, '1', '2')];
    const records = await Promise.all(os1.map((o) => j.append(o, { connection: SANDBOX })));
    assert.deepEqual(heard, os1.map((o) => o.id));
    assert.deepEqual(inFile, [1, 1, 1]);
    assert.deepEqual((await j.read()).records, records, 'file order is append order');
    sub.dispose();
    await j.append(outcome('probe', PROD), { connection: SANDBOX });
    assert.equal(heard.length, 3, 'a disposed listener hears nothing more');
  });

  it('creates its folder 0700 and its file 0600', async function () {
    if (process.platform === 'win32') this.skip();
    const old = process.umask(0o022);
    try {
      const j = journal();
      await j.append(outcome('switch', PROD), { connection: SANDBOX });
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.dirname(dir)).mode & 0o777, 0o700, 'every folder it created');
      assert.equal(fs.statSync(j.file).mode & 0o777, 0o600);
    } finally {
      process.umask(old);
    }
  });

  it('defaults the user and host to this machine’s', async () => {
    const j = new Journal(dir, { fsync: false });
    const r = await j.append(outcome('switch', PROD), { connection: SANDBOX });
    assert.equal(r.by.host, os.hostname());
    assert.equal(r.by.user, os.userInfo().username);
    assert.equal(r.by.client, 'cli');
  });

  describe('defaultJournalDir', () => {
    it('prefers LAMBDA_CANARY_JOURNAL_DIR on every platform', () => {
      for (const platform of ['linux', 'darwin', 'win32'] as const) {
        assert.equal(defaultJournalDir({ LAMBDA_CANARY_JOURNAL_DIR: '/srv/ci/journal', XDG_CONFIG_HOME: '/x', APPDATA: 'C:\\A' }, platform, '/home/ana'), '/srv/ci/journal');
      }
    });

    it('uses XDG_CONFIG_HOME or ~/.config on Linux', () => {
      assert.equal(defaultJournalDir({ XDG_CONFIG_HOME: '/home/ana/.cfg' }, 'linux', '/home/ana'), '/home/ana/.cfg/lambda-canary/journal');
      assert.equal(defaultJournalDir({}, 'linux', '/home/ana'), '/home/ana/.config/lambda-canary/journal');
      assert.equal(defaultJournalDir({ XDG_CONFIG_HOME: '', LAMBDA_CANARY_JOURNAL_DIR: '' }, 'linux', '/home/ana'), '/home/ana/.config/lambda-canary/journal');
      assert.equal(defaultJournalDir({ XDG_CONFIG_HOME: 'relative/cfg' }, 'linux', '/home/ana'), '/home/ana/.config/lambda-canary/journal', 'a relative XDG_CONFIG_HOME is invalid');
      assert.equal(defaultJournalDir({}, 'freebsd', '/home/ana'), '/home/ana/.config/lambda-canary/journal');
    });

    it('uses Application Support on macOS', () => {
      assert.equal(defaultJournalDir({ XDG_CONFIG_HOME: '/x' }, 'darwin', '/Users/ana'), '/Users/ana/Library/Application Support/lambda-canary/journal');
    });

    it('uses %APPDATA% on Windows', () => {
      assert.equal(defaultJournalDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana'), 'C:\\Users\\ana\\AppData\\Roaming\\lambda-canary\\journal');
      assert.equal(defaultJournalDir({}, 'win32', 'C:\\Users\\ana'), 'C:\\Users\\ana\\AppData\\Roaming\\lambda-canary\\journal');
    });

    it('defaults to this process’s environment', () => {
      assert.equal(defaultJournalDir(), defaultJournalDir(process.env, process.platform, os.homedir()));
    });
  });
});
