import assert from 'node:assert/strict';
import type { HistoryEntry } from '../../src/shared/history';
import type { TrailEvent } from '../../src/core/history/cloudtrail';
import { historyCsv, csvCell } from '../../src/core/history/csv';
import { journalEntries, windowRecords } from '../../src/core/history/entries';
import { mergeHistory, returnToOf } from '../../src/core/history/merge';
import type { JournalRecord } from '../../src/core/journal/journal';
import type { Outcome } from '../../src/core/outcome';
import { presetPlan } from '../../src/core/rollout/plans';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const KEY = '123456789012/us-east-1/checkout:prod';
let n = 0;

function rec(o: Partial<Outcome> & Pick<Outcome, 'action'>, at: number, id = `r${++n}`): JournalRecord {
  const outcome: Outcome = { id, target: { account: '123456789012', region: 'us-east-1', function: 'checkout', alias: 'prod' }, startedAt: iso(at - 1), endedAt: iso(at), versionsPublished: [], steps: [], state: 'done', warnings: [], ...o };
  return { v: 1, id, at: iso(at), key: KEY, by: { user: 'alice', host: 'laptop', client: 'cli', clientVersion: '0.1.0' }, connection: { kind: 'aws', label: 'default' }, outcome };
}

const r = (version: string, weights: Record<string, number> = {}, revisionId?: string) => ({ version, weights, ...(revisionId ? { revisionId } : {}) });
const US = 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#22 api/lambda#3.700.0 lambda-canary/0.1.0';

function ev(id: string, name: string, at: number, request: Record<string, unknown>, response: Record<string, unknown> = {}, who: Partial<TrailEvent['who']> = {}): TrailEvent {
  return { id, name, at: iso(at), ms: T0 + at * 1000, who: { name: 'alice', client: 'lambda-canary', userAgent: US, arn: 'arn:aws:iam::123456789012:user/alice', accessKeyId: 'AKIAALICE', ...who }, request: { functionName: 'checkout', ...request }, response };
}
const updateAlias = (id: string, at: number, version: string, weights: Record<string, number> | undefined, revisionId: string | undefined, who: Partial<TrailEvent['who']> = {}) =>
  ev(id, 'UpdateAlias', at, { name: 'prod', functionVersion: version, ...(weights ? { routingConfig: { additionalVersionWeights: weights } } : {}) }, { name: 'prod', functionVersion: version, routingConfig: { additionalVersionWeights: weights ?? {} }, ...(revisionId ? { revisionId } : {}) }, who);
const BOB = { name: 'bob', client: 'aws-cli', userAgent: 'aws-cli/2.15.30 Python/3.11.8', arn: 'arn:aws:iam::123456789012:user/bob', accessKeyId: 'AKIABOB' };

function merge(records: JournalRecord[], trail: TrailEvent[], extra: { current?: { version: string; weights: Record<string, number> }; existing?: Set<string> } = {}): HistoryEntry[] {
  return mergeHistory({ functionName: 'checkout', aliasName: 'prod', journal: journalEntries(records), trail, aliasExists: true, ...extra });
}

describe('history: the merge of journal and CloudTrail', () => {
  it('matches an UpdateAlias by its resulting RevisionId, and a PublishVersion by version and CodeSha256: one entry, source both', () => {
    const deploy = rec({ action: 'deploy', before: r('7', {}, 'rev-a'), after: r('7', { '8': 0.1 }, 'rev-b'), versionsPublished: [{ version: '8', codeSha256: 'sha8', description: 'fix checkout' }] }, 10);
    const trail = [
      ev('p8', 'PublishVersion', 8, { description: 'fix checkout' }, { version: '8', codeSha256: 'sha8', description: 'fix checkout' }),
      // Long after the deploy's time: only the RevisionId ties it.
      updateAlias('u1', 60, '7', { '8': 0.1 }, 'rev-b'),
    ];
    const entries = merge([deploy], trail);
    assert.equal(entries.length, 1);
    const e = entries[0];
    assert.equal(e.source, 'both');
    assert.deepEqual(e.cloudTrailEventIds, ['p8', 'u1']);
    assert.equal(e.who.name, 'alice@laptop');
    assert.equal(e.who.arn, 'arn:aws:iam::123456789012:user/alice');
    assert.equal(e.who.accessKeyId, 'AKIAALICE');
    assert.match(e.summary, /version 8 published \(fix checkout\); 7 → 7 \(90%\) · 8 \(10%\) \(canary deployed\)/);
  });

  it("a PublishVersion with another CodeSha256 is not the record's", () => {
    const deploy = rec({ action: 'deploy', before: r('7'), after: r('7', { '8': 0.1 }, 'rev-b'), versionsPublished: [{ version: '8', codeSha256: 'sha8' }] }, 10);
    const entries = merge([deploy], [ev('p8', 'PublishVersion', 9, {}, { version: '8', codeSha256: 'other' })]);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries.map((e) => e.source).sort(), ['cloudtrail', 'journal']);
  });

  it('a teammate’s write between two of ours: each write once, the teammate’s from CloudTrail with its user name and before', () => {
    const canary = rec({ action: 'canary', before: r('7', {}, 'rev-1'), after: r('7', { '8': 0.1 }, 'rev-2') }, 10);
    const promote = rec({ action: 'promote', before: r('7', { '8': 0.3 }, 'rev-3'), after: r('8', {}, 'rev-4') }, 30);
    const trail = [updateAlias('a', 10, '7', { '8': 0.1 }, 'rev-2'), updateAlias('b', 20, '7', { '8': 0.3 }, 'rev-3', BOB), updateAlias('c', 30, '8', undefined, 'rev-4')];
    const entries = merge([canary, promote], trail);
    assert.deepEqual(entries.map((e) => [e.id, e.source]), [[promote.id, 'both'], ['ct:b', 'cloudtrail'], [canary.id, 'both']]);
    const bob = entries[1];
    assert.equal(bob.who.name, 'bob');
    assert.equal(bob.who.client, 'aws-cli');
    assert.deepEqual(bob.before, { version: '7', weights: { '8': 0.1 } });
    assert.deepEqual(bob.after, { version: '7', weights: { '8': 0.3 } });
    assert.equal(bob.revisionId, 'rev-3');
    assert.match(bob.summary, /7 \(90%\) · 8 \(10%\) → 7 \(70%\) · 8 \(30%\)/);
  });

  it('a teammate writing the same routing moments after ours is not taken for ours (its RevisionId differs)', () => {
    const sw = rec({ action: 'switch', before: r('7', {}, 'rev-1'), after: r('8', {}, 'rev-2') }, 10);
    const entries = merge([sw], [updateAlias('a', 10, '8', undefined, 'rev-2'), updateAlias('b', 11, '8', undefined, 'rev-9', BOB)]);
    assert.equal(entries.length, 2);
    assert.equal(entries.find((e) => e.id === 'ct:b')?.who.name, 'bob');
  });

  it('matches by time and routing alone when the endpoint gave no RevisionId, within 2 s of the record', () => {
    const sw = rec({ action: 'switch', before: r('7'), after: r('8') }, 10);
    assert.equal(merge([sw], [updateAlias('a', 11.5, '8', undefined, undefined)]).length, 1, 'inside the slack');
    assert.equal(merge([sw], [updateAlias('a', 14, '8', undefined, undefined)]).length, 2, 'outside it');
    assert.equal(merge([sw], [updateAlias('a', 10, '9', undefined, undefined)]).length, 2, 'another routing');
    assert.equal(merge([sw], [updateAlias('a', 10, '8', undefined, undefined, BOB)]).length, 2, 'another named client');
  });

  it('folds a rollout into one entry with its steps, verdicts and numbers, and takes its UpdateAlias events', () => {
    const id = 'a1b2c3d4';
    const plan = { name: 'Linear', steps: [{ weight: 10, bakeSeconds: 60, gate: 'auto' as const }, { weight: 50, bakeSeconds: 60, gate: 'auto' as const }, { weight: 100, bakeSeconds: 0, gate: 'auto' as const }] };
    const ro = (at: number, rollout: unknown, extra: Partial<Outcome> = {}) => rec({ action: 'rollout', detail: { rollout }, ...extra }, at);
    const records = [
      ro(1, { type: 'started', id, functionName: 'checkout', aliasName: 'prod', version: '8', stable: '7', plan, description: '' }),
      ro(2, { type: 'step', id, index: 0, weight: 10, revisionId: 'rv1' }, { before: r('7', {}, 'rv0'), after: r('7', { '8': 0.1 }, 'rv1') }),
      ro(62, { type: 'verdict', id, index: 0, verdict: 'Pass', sentence: 'errors 0.2% vs 0.1% over 1,204 invocations', reason: 'sprt' }),
      ro(63, { type: 'step', id, index: 1, weight: 50 }, { before: r('7', { '8': 0.1 }, 'rv1'), after: r('7', { '8': 0.5 }, 'rvX') }),
      ro(123, { type: 'verdict', id, index: 1, verdict: 'Pass', sentence: 'errors 0.1% vs 0.1% over 5,000 invocations', reason: 'sprt' }),
      ro(124, { type: 'ended', id, result: 'promoted', message: 'Promoted: prod serves version 8.', revisionId: 'rv3' }, { before: r('7', { '8': 0.5 }), after: r('8', {}, 'rv3') }),
    ];
    const trail = [
      updateAlias('s1', 2, '7', { '8': 0.1 }, 'rv1'),
      // Its RevisionId was not recorded (rvX ≠ rv2): matched by time, client and routing.
      updateAlias('s2', 63, '7', { '8': 0.5 }, 'rv2'),
      updateAlias('s3', 124, '8', undefined, 'rv3'),
      // A teammate inside the rollout's time, with a routing it never set.
      updateAlias('t', 90, '7', { '8': 0.2 }, 'rvT', BOB),
    ];
    const entries = merge(records, trail);
    assert.equal(entries.length, 2);
    const rollout = entries.find((e) => e.kind === 'rollout')!;
    assert.equal(rollout.id, records[0].id);
    assert.equal(rollout.source, 'both');
    assert.deepEqual(rollout.cloudTrailEventIds, ['s1', 's2', 's3']);
    assert.equal(rollout.ended, 'done');
    assert.deepEqual(rollout.before, { version: '7', weights: {} });
    assert.deepEqual(rollout.after, { version: '8', weights: {} });
    assert.deepEqual(rollout.steps, [
      { label: '10%', verdict: 'Pass', text: 'errors 0.2% vs 0.1% over 1,204 invocations' },
      { label: '50%', verdict: 'Pass', text: 'errors 0.1% vs 0.1% over 5,000 invocations' },
      { label: '100%', text: 'promoted' },
    ]);
    assert.equal(entries.find((e) => e.id === 'ct:t')?.who.name, 'bob');
  });

  it('a rolled-back rollout ends rolled-back; one still going is running', () => {
    const plan = presetPlan('LambdaLinear10PercentEvery1Minute')!;
    const a = [
      rec({ action: 'rollout', detail: { rollout: { type: 'started', id: 'aaaaaaaa', functionName: 'checkout', aliasName: 'prod', version: '8', stable: '7', plan, description: '' } } }, 1),
      rec({ action: 'rollout', detail: { rollout: { type: 'step', id: 'aaaaaaaa', index: 0, weight: 10 } }, before: r('7'), after: r('7', { '8': 0.1 }) }, 2),
      rec({ action: 'rollout', detail: { rollout: { type: 'ended', id: 'aaaaaaaa', result: 'rolled-back', message: 'Rolled back at step 1: errors 5%.' } }, after: r('7') }, 3),
      rec({ action: 'rollout', detail: { rollout: { type: 'started', id: 'bbbbbbbb', functionName: 'checkout', aliasName: 'prod', version: '9', stable: '7', plan, description: '' } } }, 10),
    ];
    const entries = merge(a, []);
    assert.deepEqual(entries.map((e) => [e.kind, e.ended]), [['rollout', 'running'], ['rollout', 'rolled-back']]);
    assert.equal(entries[1].endedText, 'Rolled back at step 1: errors 5%.');
  });

  it("takes CodeDeploy's own UpdateAlias events inside a CodeDeploy record, as its steps", () => {
    const detail = { deploymentId: 'd-ABC', application: 'lambda-canary', deploymentGroup: 'checkout-prod', config: 'CodeDeployDefault.LambdaCanary10Percent5Minutes', functionName: 'checkout', aliasName: 'prod', version: '8', stable: '7', planText: '10%@5m, 100%', alarms: [] };
    const records = [rec({ action: 'codedeploy', before: r('7'), detail: { ...detail, event: 'started' } }, 1), rec({ action: 'codedeploy', detail: { ...detail, event: 'ended', status: 'Succeeded' } }, 400)];
    const CD = { name: 'AWSCodeDeployRoleForLambda-session (role CodeDeploy)', client: 'CodeDeploy', userAgent: 'codedeploy.amazonaws.com' };
    const entries = merge(records, [updateAlias('c1', 5, '7', { '8': 0.1 }, 'x1', CD), updateAlias('c2', 305, '8', undefined, 'x2', CD), updateAlias('late', 900, '7', undefined, 'x3', CD)]);
    assert.equal(entries.length, 2, 'one CodeDeploy entry and the later shift of its own');
    const cd = entries.find((e) => e.kind === 'codedeploy')!;
    assert.equal(cd.source, 'both');
    assert.equal(cd.ended, 'done');
    assert.deepEqual(cd.cloudTrailEventIds, ['c1', 'c2']);
    assert.deepEqual(cd.after, { version: '8', weights: {} });
    assert.deepEqual(cd.steps?.map((s) => s.label), ['10%', '100%']);
    assert.match(cd.steps?.[0].text ?? '', /^CodeDeploy shifted the alias at .*: 7 \(90%\) · 8 \(10%\)$/);
  });

  it('two CodeDeploy rollouts with no recorded end: each takes its own shifts', () => {
    const CD = { name: 'sess (role CD)', client: 'CodeDeploy', userAgent: 'codedeploy.amazonaws.com' };
    const d = (id: string, v: string, s: string) => ({ deploymentId: id, application: 'a', deploymentGroup: 'g', config: 'c', functionName: 'checkout', aliasName: 'prod', version: v, stable: s, planText: '', alarms: [] });
    const records = [rec({ action: 'codedeploy', before: r('7'), detail: { ...d('d-1', '8', '7'), event: 'started' } }, 1), rec({ action: 'codedeploy', before: r('8'), detail: { ...d('d-2', '9', '8'), event: 'started' } }, 1000)];
    const trail = [updateAlias('a1', 5, '7', { '8': 0.1 }, 'x1', CD), updateAlias('a2', 305, '8', undefined, 'x2', CD), updateAlias('b1', 1005, '8', { '9': 0.1 }, 'y1', CD), updateAlias('b2', 1305, '9', undefined, 'y2', CD)];
    const entries = merge(records, trail);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries.map((e) => [e.summary.match(/d-\d/)?.[0], e.cloudTrailEventIds, e.after?.version]), [
      ['d-2', ['b1', 'b2'], '9'],
      ['d-1', ['a1', 'a2'], '8'],
    ]);
  });

  it('a rollout whose start is before the window ends as its ended record says, and a CI write a day later is its own entry', () => {
    const CI = { name: 'ci', client: 'lambda-canary', userAgent: 'aws-sdk-js/3 lambda-canary/0.1.0', arn: 'arn:aws:iam::123456789012:user/ci', accessKeyId: 'AKIACI' };
    const id = 'a1b2c3d4';
    const records = [
      rec({ action: 'rollout', detail: { rollout: { type: 'step', id, index: 1, weight: 100, revisionId: 'rv2' } }, before: r('7', { '8': 0.1 }, 'rv1'), after: r('8', {}, 'rv2') }, 100),
      rec({ action: 'rollout', detail: { rollout: { type: 'ended', id, result: 'promoted', message: 'Promoted', revisionId: 'rv2' } }, before: r('7', { '8': 0.1 }), after: r('8', {}, 'rv2') }, 101),
    ];
    const trail = [updateAlias('s', 100, '8', undefined, 'rv2'), updateAlias('bob', 5000, '7', undefined, 'rvB', BOB), updateAlias('ci', 86400, '8', undefined, 'rvC', CI)];
    const entries = merge(records, trail, { current: r('8') });
    assert.deepEqual(entries.map((e) => [e.id, e.ended, e.returnTo.ok]), [
      ['ct:ci', 'done', false],
      ['ct:bob', 'done', true],
      [records[0].id, 'done', false],
    ]);
    assert.equal(entries[2].endedText, 'Promoted');
    // The alias routes the rollout's 8 now: Return is offered once it is elsewhere.
    assert.equal(merge(records, trail, { current: r('7') })[2].returnTo.ok, true);
  });

  it("a running rollout takes only its own writer's step routings, and runs at most until the next journal entry", () => {
    const CI = { name: 'ci', client: 'lambda-canary', userAgent: 'aws-sdk-js/3 lambda-canary/0.1.0', arn: 'arn:aws:iam::123456789012:user/ci', accessKeyId: 'AKIACI' };
    const id = 'a1b2c3d4';
    const plan = presetPlan('LambdaLinear10PercentEvery1Minute')!;
    const records = [
      rec({ action: 'rollout', detail: { rollout: { type: 'started', id, functionName: 'checkout', aliasName: 'prod', version: '8', stable: '7', plan, description: '' } } }, 1),
      rec({ action: 'rollout', detail: { rollout: { type: 'step', id, index: 0, weight: 10, revisionId: 'rv1' } }, before: r('7', {}, 'rv0'), after: r('7', { '8': 0.1 }, 'rv1') }, 2),
    ];
    const trail = [updateAlias('s1', 2, '7', { '8': 0.1 }, 'rv1'), updateAlias('bob', 1000, '7', undefined, 'rvB', BOB), updateAlias('ci', 3600, '7', { '8': 0.1 }, 'rvC', CI)];
    const entries = merge(records, trail);
    assert.deepEqual(entries.map((e) => e.id), ['ct:ci', 'ct:bob', records[0].id]);
    assert.deepEqual(entries[2].cloudTrailEventIds, ['s1']);
    const later = rec({ action: 'switch', before: r('7', { '8': 0.1 }), after: r('9', {}, 'rv9') }, 500);
    const capped = journalEntries([...records, later]).find((j) => j.fold === 'rollout')!;
    assert.equal(capped.endMs, Date.parse(later.outcome.startedAt));
  });

  it("a teammate's publish hours later that Lambda answered with our version is not our deploy's, nor moves it", () => {
    const deploy = rec({ action: 'deploy', before: r('7', {}, 'a'), after: r('7', { '8': 0.1 }, 'b'), versionsPublished: [{ version: '8', codeSha256: 'sha8' }] }, 10);
    const sw = rec({ action: 'switch', before: r('7', { '8': 0.1 }, 'b'), after: r('9', {}, 'c') }, 100);
    const trail = [
      ev('p8', 'PublishVersion', 9, {}, { version: '8', codeSha256: 'sha8' }),
      updateAlias('u1', 10, '7', { '8': 0.1 }, 'b'),
      updateAlias('u2', 100, '9', undefined, 'c'),
      ev('p8b', 'PublishVersion', 7200, {}, { version: '8', codeSha256: 'sha8' }, BOB),
      updateAlias('bob', 7300, '7', undefined, 'rvB', BOB),
    ];
    const entries = merge([deploy, sw], trail);
    assert.deepEqual(entries.map((e) => e.id), ['ct:bob', 'ct:p8b', sw.id, deploy.id]);
    assert.deepEqual(entries[3].cloudTrailEventIds, ['p8', 'u1']);
    assert.deepEqual(entries[0].before, r('9'));
  });

  it("a teammate's write in the middle of our rollout has the rollout's step of that time as its before", () => {
    const id = 'a1b2c3d4';
    const plan = presetPlan('LambdaLinear10PercentEvery1Minute')!;
    const ro = (at: number, rollout: Record<string, unknown>, extra: Partial<Outcome> = {}) => rec({ action: 'rollout', detail: { rollout }, ...extra }, at);
    const records = [
      rec({ action: 'switch', before: r('6', {}, 'rv-1'), after: r('7', {}, 'rv0') }, -50),
      ro(1, { type: 'started', id, functionName: 'checkout', aliasName: 'prod', version: '8', stable: '7', plan, description: '' }),
      ro(2, { type: 'step', id, index: 0, weight: 10, revisionId: 'rv1' }, { before: r('7', {}, 'rv0'), after: r('7', { '8': 0.1 }, 'rv1') }),
      ro(63, { type: 'step', id, index: 1, weight: 50, revisionId: 'rv2' }, { before: r('7', { '8': 0.1 }, 'rv1'), after: r('7', { '8': 0.5 }, 'rv2') }),
      ro(124, { type: 'ended', id, result: 'promoted', message: 'Promoted', revisionId: 'rv3' }, { before: r('7', { '8': 0.5 }), after: r('8', {}, 'rv3') }),
    ];
    const trail = [updateAlias('u0', -50, '7', undefined, 'rv0'), updateAlias('s1', 2, '7', { '8': 0.1 }, 'rv1'), updateAlias('s2', 63, '7', { '8': 0.5 }, 'rv2'), updateAlias('t', 90, '7', { '8': 0.2 }, 'rvT', BOB), updateAlias('s3', 124, '8', undefined, 'rv3')];
    const bob = merge(records, trail).find((e) => e.id === 'ct:t')!;
    assert.deepEqual(bob.before, r('7', { '8': 0.5 }));
  });

  it('after the function was deleted (and created again), no older state is offered: its versions are not these', () => {
    const sw = rec({ action: 'switch', before: r('1', {}, 'a'), after: r('2', {}, 'b') }, 10);
    const trail = [updateAlias('u', 10, '2', undefined, 'b'), ev('del', 'DeleteFunction', 100, { functionName: 'checkout' }, {}, BOB), updateAlias('new', 200, '3', undefined, 'c', BOB)];
    const entries = merge([sw], trail, { current: r('3'), existing: new Set(['1', '2', '3']) });
    assert.deepEqual(entries.map((e) => e.id), ['ct:new', 'ct:del', sw.id]);
    const old = entries[2].returnTo;
    assert.equal(old.ok, false);
    assert.match(old.ok ? '' : old.reason, /the function was deleted and created again on .*; its versions are not these/);
  });

  it("another machine's rollout step and its lease renewals (the same routing, the same writer) are one entry", () => {
    const CI = { name: 'ci', client: 'lambda-canary', userAgent: 'aws-sdk-js/3 lambda-canary/0.1.0', arn: 'arn:aws:iam::123456789012:user/ci', accessKeyId: 'AKIACI' };
    const trail = [updateAlias('step', 0, '7', { '8': 0.1 }, 'q0', CI)];
    for (let i = 1; i <= 4; i++) trail.push(updateAlias(`lease${i}`, i * 80, '7', { '8': 0.1 }, `q${i}`, CI));
    trail.push(updateAlias('bob', 400, '7', { '8': 0.1 }, 'qB', BOB));
    const entries = merge([], trail);
    assert.deepEqual(entries.map((e) => [e.id, e.cloudTrailEventIds]), [
      ['ct:bob', ['bob']],
      ['ct:step', ['step', 'lease1', 'lease2', 'lease3', 'lease4']],
    ]);
    assert.equal(entries[1].revisionId, 'q4');
  });

  it('never shows an event twice, even when LookupEvents repeated it', () => {
    const sw = rec({ action: 'switch', before: r('7', {}, 'a'), after: r('8', {}, 'b') }, 10);
    const e = updateAlias('u', 10, '8', undefined, 'b');
    const teammate = updateAlias('t', 20, '9', undefined, 'c', BOB);
    const entries = merge([sw], [e, e, teammate, teammate]);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[1].cloudTrailEventIds, ['u']);
  });

  it('shows refusals as refused, without an after of their own, and skips read-only actions', () => {
    const refused = rec({ action: 'promote', state: 'unchanged', before: r('7'), after: r('9'), error: { kind: 'validation', message: 'prod runs no canary to promote.' } }, 10);
    const probe = rec({ action: 'probe' }, 11);
    const entries = merge([refused, probe], []);
    assert.equal(entries.length, 1);
    assert.equal(entries[0].ended, 'refused');
    assert.equal(entries[0].after, undefined);
    assert.equal(entries[0].endedText, 'prod runs no canary to promote.');
    assert.deepEqual(entries[0].returnTo, { ok: false, reason: 'this change did not take effect, so it left no state of its own to return to' });
  });

  it('CloudTrail-only deletes and publishes are entries of their own kinds', () => {
    const entries = merge([], [
      ev('p', 'PublishVersion', 1, {}, { version: '9', codeSha256: 's9', description: 'hotfix' }, BOB),
      ev('d', 'DeleteFunction', 2, { functionName: 'checkout', qualifier: '5' }, {}, BOB),
      ev('x', 'DeleteAlias', 3, { name: 'prod' }, {}, BOB),
    ]);
    assert.deepEqual(entries.map((e) => [e.kind, e.summary]), [['alias-deleted', 'alias prod deleted'], ['version-deleted', 'version 5 deleted'], ['publish', 'version 9 published (hotfix)']]);
    assert.deepEqual(entries[2].versionsPublished, [{ version: '9', codeSha256: 's9', description: 'hotfix' }]);
  });
});

describe('history: the window of journal records', () => {
  it("keeps a rollout's records from before the window when it has one inside, and nothing else from before", () => {
    const id = 'a1b2c3d4';
    const plan = presetPlan('LambdaLinear10PercentEvery1Minute')!;
    const old = rec({ action: 'switch', before: r('6'), after: r('7') }, -100);
    const started = rec({ action: 'rollout', detail: { rollout: { type: 'started', id, functionName: 'checkout', aliasName: 'prod', version: '8', stable: '7', plan, description: '' } } }, -50);
    const ended = rec({ action: 'rollout', detail: { rollout: { type: 'ended', id, result: 'promoted', message: 'Promoted' } }, after: r('8') }, 10);
    const late = rec({ action: 'switch', before: r('8'), after: r('9') }, 1000);
    assert.deepEqual(windowRecords([old, started, ended, late], T0, T0 + 500_000).map((x) => x.id), [started.id, ended.id]);
  });
});

describe('history: Return to This State reasons', () => {
  const entry = (after?: { version: string; weights: Record<string, number> }, ended: HistoryEntry['ended'] = 'done') =>
    ({ id: 'x', at: iso(0), kind: 'routing', action: 'switch', summary: '', who: { name: 'a', client: 'lambda-canary' }, source: 'journal', ...(after ? { after } : {}), versionsPublished: [], ended, cloudTrailEventIds: [] }) as Omit<HistoryEntry, 'returnTo'>;
  const existing = new Set(['6', '7', '8']);
  it('offers the routing, weights included', () => {
    assert.deepEqual(returnToOf(entry(r('7', { '8': 0.25 })), r('8'), existing, true), { ok: true, state: { version: '7', weights: { '8': 0.25 } } });
  });
  it('refuses, saying why', () => {
    assert.deepEqual(returnToOf(entry(r('5')), r('8'), existing, true), { ok: false, reason: 'version 5 was deleted' });
    assert.deepEqual(returnToOf(entry(r('7', { '5': 0.1 })), r('8'), existing, true), { ok: false, reason: 'version 5 was deleted' });
    assert.deepEqual(returnToOf(entry(r('$LATEST')), r('8'), existing, true), { ok: false, reason: 'this state routed to $LATEST, an unpublished version: Lambda Canary never routes traffic there' });
    assert.deepEqual(returnToOf(entry(undefined), r('8'), existing, true), { ok: false, reason: 'the routing after this change is not known' });
    assert.deepEqual(returnToOf(entry(r('8')), r('8'), existing, true), { ok: false, reason: "this is the alias's current routing" });
    assert.deepEqual(returnToOf(entry(r('7'), 'failed'), r('8'), existing, true).ok, false);
    assert.deepEqual(returnToOf(entry(r('7')), undefined, existing, false), { ok: false, reason: 'the alias no longer exists' });
  });
  it('does not refuse for versions it could not list', () => {
    assert.equal(returnToOf(entry(r('5')), r('8'), undefined, true).ok, true);
  });
});

describe('history: CSV', () => {
  it('quotes commas, quotes and newlines, and guards against formulas', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvCell('+1'), "'+1");
    assert.equal(csvCell('-2'), "'-2");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tx'), "'\tx");
  });
  it('has a header and one row per entry, newest first', () => {
    const sw = rec({ action: 'switch', before: r('7', {}, 'a'), after: r('8', {}, 'b'), versionsPublished: [] }, 10);
    const entries = merge([sw], [ev('p', 'PublishVersion', 1, {}, { version: '9', description: '=cmd|, "x"\nnext' }, BOB)]);
    const csv = historyCsv({ functionName: 'checkout', aliasName: 'prod', since: iso(-100), until: iso(100), entries, cloudTrail: { state: 'read', message: '', lagNote: '', eventsRead: 1, truncated: false }, journal: { records: 1, problems: [] } });
    const lines = csv.split('\r\n');
    assert.match(lines[0], /^at,id,source,kind,action,who,client,/);
    assert.ok(lines[1].startsWith(`${iso(10)},${sw.id},journal,routing,switch,alice@laptop,lambda-canary,`));
    assert.ok(csv.includes('"9 (\'=cmd|, ""x""\nnext)"') || csv.includes('"9 (=cmd|, ""x""\nnext)"'), csv);
    assert.ok(csv.includes('"version 9 published (=cmd|, ""x""\nnext)"'));
    assert.ok(csv.endsWith('\r\n'));
  });
});
