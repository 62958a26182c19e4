import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistoryEntry, HistoryView } from '../../src/shared/history';
import { changeText, confirmReturn, entryById, entryDetail, entryRow, localTime, parseSince, relativeTime, routingShort, shaShort, sinceDate, statusShort } from '../../src/shared/historyText';
import { isHistoryEntry, isHistoryView, isHostMessage, parsePanelMessage } from '../../src/shared/protocol';

const NOW = Date.parse('2026-12-02T12:00:00Z');

function entry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: 'rec-1',
    at: '2026-12-02T11:55:00Z',
    kind: 'routing',
    action: 'promote',
    summary: '2 (90%) · 4 (10%) → 4 (promoted)',
    who: { name: 'alice@laptop', client: 'lambda-canary', host: 'laptop' },
    source: 'both',
    before: { version: '2', weights: { '4': 0.1 } },
    after: { version: '4', weights: {} },
    revisionId: 'r-2',
    versionsPublished: [],
    ended: 'done',
    cloudTrailEventIds: ['e-1'],
    returnTo: { ok: true, state: { version: '4', weights: {} } },
    ...over,
  };
}

function view(over: Partial<HistoryView> = {}): HistoryView {
  return {
    functionName: 'checkout-api',
    aliasName: 'prod',
    since: '2026-11-25T12:00:00Z',
    until: '2026-12-02T12:00:00Z',
    entries: [entry(), entry({ id: 'ct:abc', source: 'cloudtrail', action: 'UpdateAlias', who: { name: 'bob', client: 'console', arn: 'arn:aws:iam::123456789012:user/bob' }, returnTo: { ok: false, reason: "this is the alias's current routing" } })],
    current: { version: '4', weights: {}, revisionId: 'r-3' },
    cloudTrail: { state: 'read', message: 'CloudTrail was read: 12 Lambda events.', lagNote: 'CloudTrail shows a write about 5 minutes after it.', eventsRead: 12, truncated: false },
    journal: { records: 3, problems: [] },
    ...over,
  };
}

describe('history messages of the traffic panel', () => {
  it('accepts Refresh and Return to This State of an entry, exactly as sent', () => {
    for (const m of [{ type: 'historyRefresh' }, { type: 'returnTo', entryId: 'rec-1' }, { type: 'returnTo', entryId: 'ct:0f3a-99.x_y' }]) {
      const r = parsePanelMessage(m);
      assert.ok(r.ok, `${JSON.stringify(m)} refused: ${r.ok ? '' : r.reason}`);
      assert.deepEqual(r.message, m);
    }
  });

  const hostile: Array<[string, unknown, RegExp]> = [
    ['a return without an entry', { type: 'returnTo' }, /returnTo: entryId must be/],
    ['an empty entry id', { type: 'returnTo', entryId: '' }, /returnTo: entryId must be/],
    ['a number', { type: 'returnTo', entryId: 7 }, /returnTo: entryId must be/],
    ['markup', { type: 'returnTo', entryId: '<img src=x onerror=alert(1)>' }, /returnTo: entryId must be/],
    ['a path', { type: 'returnTo', entryId: '../../etc/passwd' }, /returnTo: entryId must be/],
    ['a routing chosen by the page', { type: 'returnTo', entryId: 'rec-1', state: { version: '1', weights: {} } }, /unexpected field\(s\) state/],
    ['an id of 201 characters', { type: 'returnTo', entryId: 'a'.repeat(201) }, /returnTo: entryId must be/],
    ['a refresh with a field', { type: 'historyRefresh', since: '90d' }, /unexpected field\(s\) since/],
    ['a prototype key as the id', { type: 'returnTo', entryId: { toString: () => 'rec-1' } }, /returnTo: entryId must be/],
  ];
  for (const [name, m, reason] of hostile) {
    it(`refuses ${name}`, () => {
      const r = parsePanelMessage(m);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, reason);
    });
  }

  it('the page accepts a history of the shape it draws, and refuses others', () => {
    assert.ok(isHostMessage({ type: 'history', history: view(), loading: false }));
    assert.ok(isHostMessage({ type: 'history', history: null, loading: true }));
    assert.ok(isHostMessage({ type: 'history', history: view(), loading: false, error: 'throttled' }));
    assert.ok(isHostMessage({ type: 'historyBusy', entryId: 'rec-1' }));
    assert.ok(isHostMessage({ type: 'historyBusy', entryId: null }));
    assert.ok(!isHostMessage({ type: 'history', history: view() }), 'loading is required');
    assert.ok(!isHostMessage({ type: 'history', history: 'entries', loading: false }));
    assert.ok(!isHostMessage({ type: 'historyBusy', entryId: 3 }));
    assert.ok(isHistoryView(view()));
    assert.ok(isHistoryEntry(entry({ steps: [{ label: '10%', verdict: 'Pass', text: 'errors 0.1% vs 0.1%' }] })));
    const bad: Array<[string, unknown]> = [
      ['no entries', { ...view(), entries: undefined }],
      ['a weight as text', { ...view(), entries: [entry({ after: { version: '4', weights: { '5': '0.1' as unknown as number } } })] }],
      ['an unknown source', { ...view(), entries: [entry({ source: 'email' as never })] }],
      ['a who without a name', { ...view(), entries: [entry({ who: { client: 'console' } as never })] }],
      ['a returnable entry without its state', { ...view(), entries: [entry({ returnTo: { ok: true } as never })] }],
      ['a refusal without its reason', { ...view(), entries: [entry({ returnTo: { ok: false } as never })] }],
      ['an unknown CloudTrail state', { ...view(), cloudTrail: { ...view().cloudTrail, state: 'maybe' as never } }],
      ['journal problems that are not text', { ...view(), journal: { records: 1, problems: [1] as never } }],
      ['steps that are not a list', { ...view(), entries: [entry({ steps: 'all' as never })] }],
    ];
    for (const [name, v] of bad) assert.ok(!isHistoryView(v), `refuses ${name}`);
  });
});

describe("history's words in the editor", () => {
  it('reads the window from the setting: 7d, 12h, 30m, 90s, 2w; anything else is 7 days', () => {
    assert.equal(parseSince('7d'), 7 * 86_400_000);
    assert.equal(parseSince(' 12h '), 12 * 3_600_000);
    assert.equal(parseSince('30m'), 30 * 60_000);
    assert.equal(parseSince('2w'), 14 * 86_400_000);
    assert.equal(parseSince('90s'), 90_000);
    for (const bad of ['', '7', 'd', '-1d', '0d', '1.5d', '7 days', '1e3d']) assert.equal(parseSince(bad), undefined, bad);
    assert.equal(sinceDate('nonsense', NOW).toISOString(), '2026-11-25T12:00:00.000Z');
    // The setting's pattern (what the Settings editor accepts) says what parseSince does.
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { pattern: string }> } } };
    const pattern = new RegExp(pkg.contributes.configuration.properties['lambdaCanary.history.since'].pattern, 'u');
    for (const sample of ['7d', '7D', ' 12h ', '30m', '30min', '30MIN', '2w', '00001d', '99999w', '0d', '00m', '', '7', 'd', '-1d', '1.5d', '7 days', '1e3d', '123456d', '7dd', '5s']) {
      assert.equal(pattern.test(sample), parseSince(sample) !== undefined, JSON.stringify(sample));
    }
    assert.equal(sinceDate('1h', NOW).toISOString(), '2026-12-02T11:00:00.000Z');
  });

  it('says when relatively and in local time', () => {
    assert.equal(relativeTime('2026-12-02T11:59:58Z', NOW), 'just now');
    assert.equal(relativeTime('2026-12-02T11:59:15Z', NOW), '45 s ago');
    assert.equal(relativeTime('2026-12-02T11:55:00Z', NOW), '5 min ago');
    assert.equal(relativeTime('2026-12-02T09:00:00Z', NOW), '3 h ago');
    assert.equal(relativeTime('2026-11-30T12:00:00Z', NOW), '2 d ago');
    assert.equal(relativeTime('not a time', NOW), 'at an unknown time');
    assert.match(localTime('2026-12-02T11:55:00Z', NOW), /^\d\d:\d\d:00$|^\d{4}-\d\d-\d\d \d\d:\d\d:00$/);
    assert.match(localTime('2026-11-20T11:55:00Z', NOW), /^2026-11-(19|20|21) \d\d:\d\d:00$/);
  });

  it('routing, change, row and detail lines', () => {
    assert.equal(routingShort({ version: '2', weights: { '4': 0.1 } }), '2 (90%) · 4 (10%)');
    assert.equal(changeText({ version: '2', weights: {} }, { version: '4', weights: {} }), '2 → 4');
    assert.equal(changeText(undefined, { version: '4', weights: {} }), '→ 4');
    assert.equal(changeText(undefined, undefined), '');
    const row = entryRow(entry(), NOW);
    assert.equal(row.label.replace(/\(.*?\)/, '(T)'), '5 min ago (T) — 2 (90%) · 4 (10%) → 4 (promoted)');
    assert.equal(row.description, 'alice@laptop · lambda-canary');
    assert.equal(row.detail, '2 (90%) · 4 (10%) → 4 · done · journal + CloudTrail');
    assert.equal(entryDetail(view().entries[1]), "2 (90%) · 4 (10%) → 4 · done · CloudTrail · cannot return: this is the alias's current routing");
    assert.equal(shaShort(Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64')), '01234567');
  });

  it("CloudTrail's status in one line: read, or why the journal is alone", () => {
    assert.match(statusShort(view()), /^journal \+ CloudTrail \(12 Lambda events read\)$/);
    const denied = view({ cloudTrail: { state: 'denied', message: 'x', lagNote: '', eventsRead: 0, truncated: false } });
    assert.equal(statusShort(denied), 'journal alone: CloudTrail permission missing (cloudtrail:LookupEvents)');
  });

  it('the confirmation names the alias, its routing now → the entry\'s, the time and who; AWS text stays one line of text', () => {
    const e = entry({ who: { name: 'mallory\n[click](command:x)', client: 'console' }, summary: 'line one\u202eevil' });
    const q = confirmReturn(view(), e, { version: '2', weights: { '4': 0.1 } }, NOW);
    assert.equal(q.message, 'Return checkout-api:prod to 2 (90%) · 4 (10%)?');
    assert.match(q.detail, /^checkout-api:prod routes 4 now; after this, 2 \(90%\) · 4 \(10%\)\. That is its state after the change of .* \(5 min ago\) by mallory \[click\]\(command:x\) · console: line one evil\./);
    assert.ok(!/[\n\u202e]/.test(q.detail));
    assert.equal(q.action, 'Return to This State');
    assert.equal(entryById(view(), 'ct:abc')?.who.name, 'bob');
    assert.equal(entryById(view(), 'nope'), undefined);
  });

  it('the confirmation says the write is guarded only when the history read a RevisionId', () => {
    const state = { version: '2', weights: {} };
    const guarded = confirmReturn(view(), entry(), state, NOW);
    assert.ok(guarded.detail.includes('if the alias changed since this history was read, nothing is written'), guarded.detail);
    const current = view().current;
    assert.ok(current?.revisionId, 'the sample view has a RevisionId');
    const unguarded = confirmReturn(view({ current: { version: current.version, weights: current.weights } }), entry(), state, NOW);
    assert.ok(!unguarded.detail.includes('nothing is written'), unguarded.detail);
    assert.match(unguarded.detail, /not guarded: a change made since this history was read is overwritten\./);
  });
});
