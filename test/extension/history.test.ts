import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, DeleteFunctionCommand, GetAliasCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { parsePlanText } from '../../src/core/rollout/plans';
import type { TrafficPanel } from '../../src/extension/panel/trafficPanel';
import { HISTORY_MIN_INTERVAL_MS } from '../../src/extension/history/historyFeed';
import { zipFiles } from '../../src/sandbox/zip';
import type { HistoryEntry, HistoryView } from '../../src/shared/history';
import { Commands } from '../../src/shared/ids';
import { onEmbeddedSandbox } from './embeddedSandbox';
import { handled, outcomeOf } from './panelMessages';
import { ScriptedUi } from './scriptedUi';
import { WebviewPage, webviewBridge } from './webviewPage';

/**
 * History in the editor against the embedded sandbox (its CloudTrail included): Show History…'s
 * quick pick, Return to This State… through the command with scripted answers (moved and
 * journalled; refused when a version it needs was deleted), the panel's History section.
 */
describe('history of an alias in a real VS Code, against the embedded sandbox', function () {
  this.timeout(60_000);
  const FN = 'history-ext';
  const target = { functionName: FN, aliasName: 'prod' };
  let api: LambdaCanaryApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let lambda: LambdaClient;
  /** The same account, another client: what a teammate's script sends. */
  let other: LambdaClient;
  let panel: TrafficPanel | undefined;
  let sandbox: Awaited<ReturnType<typeof onEmbeddedSandbox>>['sandbox'];
  const bridge = webviewBridge();

  before(async () => {
    const on = await onEmbeddedSandbox();
    api = on.api;
    sandbox = on.sandbox;
    lambda = new LambdaClient(on.clientConfig);
    other = new LambdaClient({ ...on.clientConfig, customUserAgent: 'aws-cli/2.15.0' });
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/history-ext', Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) } }));
    for (const n of [2, 3, 4]) {
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN, Description: `release ${n - 1}` }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: zipFiles({ 'index.js': `exports.handler = async () => ${n};` }) }));
    }
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1' }));
    ui = new ScriptedUi();
    restore = api.setUserInterface(ui);
  });
  after(() => {
    restore?.();
    panel?.dispose();
    sandbox?.faults.clear();
    lambda?.destroy();
    other?.destroy();
  });
  beforeEach(() => ui.reset());

  const alias = () => lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
  const entriesOf = (id: string) => (ui.offeredItems[id] ?? []).map((i) => (i as vscode.QuickPickItem & { value: HistoryEntry }).value);

  async function lastRecord(): Promise<{ action: string; state: string; target: string }> {
    const { records } = await api.journal.journal.read({ limit: 1 });
    const o = records[0].outcome;
    return { action: o.action, state: o.state, target: `${o.target.function}:${o.target.alias}` };
  }

  /** While the picker `id` is open: picks the entry `choose` finds among what it offers. */
  function pickEntryWhen(id: string, choose: (e: HistoryEntry) => boolean, meanwhile?: () => Promise<void>): void {
    ui.whilePicking = async (asked) => {
      assert.equal(asked, id);
      const item = (ui.offeredItems[id] ?? []).find((i) => choose((i as vscode.QuickPickItem & { value: HistoryEntry }).value));
      assert.ok(item, `the picker ${id} offers the entry looked for: ${JSON.stringify(ui.offered[id])}`);
      await meanwhile?.();
      ui.answers.unshift({ id, answer: item.label });
    };
  }

  it('Show History… lists a switch made here (journal and CloudTrail, shown once) and a teammate\'s write (CloudTrail alone), newest first', async () => {
    // The palette's function picker offers what the tree lists: list the new function first.
    api.tree.refresh();
    for (let i = 0; i < 200; i++) {
      const kids = await api.tree.getChildren();
      if (!kids.some((k) => k.kind === 'message') && kids.some((k) => k.kind === 'function' && k.name === FN)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    ui.script(['function', FN], ['alias', 'prod'], ['version', '2']);
    await vscode.commands.executeCommand(Commands.switchAlias);
    assert.deepEqual(ui.errors, []);
    assert.equal((await alias()).FunctionVersion, '2');
    // CloudTrail's eventTime has whole seconds: the teammate's write comes a second later.
    await new Promise((r) => setTimeout(r, 1100));
    await other.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '3' }));

    ui.reset();
    ui.script(); // the pick dismissed: a silent cancel
    await vscode.commands.executeCommand(Commands.showHistory, target);
    assert.deepEqual(ui.errors, []);
    const entries = entriesOf('history');
    assert.ok(entries.length >= 3, `the alias's creation, the switch and the teammate's write: ${JSON.stringify(ui.offered.history)}`);
    const times = entries.map((e) => Date.parse(e.at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    const [teammate, switched] = entries;
    assert.equal(teammate.source, 'cloudtrail', `the teammate's write is CloudTrail's alone: ${JSON.stringify(teammate)}`);
    assert.equal(teammate.after?.version, '3');
    assert.equal(teammate.who.client, 'aws-cli', 'its client, from its user agent');
    assert.equal(switched.action, 'switch');
    assert.equal(switched.source, 'both', 'the switch is in the journal and in CloudTrail: shown once');
    assert.equal(entries.filter((e) => e.after?.version === '2').length, 1, 'the switch is not shown twice');
    assert.equal(switched.who.client, 'lambda-canary');
    // The rows: time and summary, who, before → after · ended · source.
    const rows = ui.offeredItems.history;
    assert.match(rows[1].label, /^(just now|\d+ s ago) \(\d\d:\d\d:\d\d\) — /);
    assert.match(rows[1].description ?? '', /lambda-canary/);
    assert.match(rows[1].detail ?? '', /^1 → 2 · done · journal \+ CloudTrail/);
    assert.match(rows[0].detail ?? '', /^2 → 3 · done · CloudTrail · cannot return: this is the alias's current routing$/);
    // CloudTrail's status line above the rows: a separator, and the placeholder with the lag note.
    assert.equal(ui.allItems.history[0].kind, vscode.QuickPickItemKind.Separator);
    assert.match(ui.allItems.history[0].label, /^journal \+ CloudTrail \(\d+ Lambda events? read/);
    assert.match(ui.pickOptions.history.placeHolder ?? '', /CloudTrail/);
  });

  it('Return to This State… (the command, answers scripted) asks with the alias, now → then, when and who; it moves the alias and is journalled', async () => {
    pickEntryWhen('returnEntry', (e) => e.action === 'switch' && e.returnTo.ok);
    ui.script(['confirmReturn', true]);
    await vscode.commands.executeCommand(Commands.returnToState, target);
    assert.deepEqual(ui.errors, []);
    const returnable = entriesOf('returnEntry');
    assert.ok(returnable.length > 0 && returnable.every((e) => e.returnTo.ok), 'only entries that can be returned to are offered');
    const q = ui.confirmations.find((c) => c.id === 'confirmReturn');
    assert.ok(q, 'a confirmation was asked');
    assert.equal(q.message, `Return ${FN}:prod to 2?`);
    assert.match(q.detail, new RegExp(`^${FN}:prod routes 3 now; after this, 2\\. That is its state after the change of .* by .*lambda-canary`));
    const a = await alias();
    assert.equal(a.FunctionVersion, '2');
    assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    assert.deepEqual(await lastRecord(), { action: 'return', state: 'done', target: `${FN}:prod` });
    assert.match(ui.infos.join('\n'), /history-ext: Returned prod to its state of .*: prod → 2 \(it routed 3\)\./);
  });

  it('declining the confirmation changes nothing', async () => {
    const before = await alias();
    const { records } = await api.journal.journal.read({ limit: 1 });
    pickEntryWhen('returnEntry', (e) => e.returnTo.ok && e.returnTo.state.version === '3');
    ui.script(['confirmReturn', false]);
    await vscode.commands.executeCommand(Commands.returnToState, target);
    assert.ok(ui.asked.includes('confirmReturn'), 'the confirmation was asked');
    assert.equal((await alias()).RevisionId, before.RevisionId);
    assert.equal((await api.journal.journal.read({ limit: 1 })).records[0].outcome.id, records[0].outcome.id, 'no use case ran');
  });

  it('a return to a state whose version was deleted meanwhile is refused with the reason, nothing changed', async () => {
    // Version 3 is deleted while the picker is open: the state it shows needs it.
    pickEntryWhen('returnEntry', (e) => e.returnTo.ok && e.returnTo.state.version === '3', async () => {
      await lambda.send(new DeleteFunctionCommand({ FunctionName: FN, Qualifier: '3' }));
    });
    ui.script(['confirmReturn', true]);
    const before = await alias();
    await vscode.commands.executeCommand(Commands.returnToState, target);
    assert.match(ui.errors.join('\n'), /Version 3 of history-ext was deleted, so this state cannot be restored; nothing was changed\./);
    assert.equal((await alias()).RevisionId, before.RevisionId, 'prod was not written');
    assert.deepEqual(await lastRecord(), { action: 'return', state: 'unchanged', target: `${FN}:prod` }, 'the refusal is journalled');
    // Read again, the history says why that state cannot be returned to.
    ui.reset();
    ui.script();
    await vscode.commands.executeCommand(Commands.showHistory, target);
    const three = entriesOf('history').filter((e) => e.after?.version === '3');
    assert.ok(three.length > 0);
    for (const e of three) assert.deepEqual(e.returnTo.ok ? 'ok' : /deleted/.test(e.returnTo.reason) ? 'deleted' : e.returnTo.reason, 'deleted');
  });

  it('the traffic panel receives the history and returns to a state from its History section', async () => {
    await vscode.commands.executeCommand(Commands.openTrafficPanel, target);
    panel = api.panels.get(FN, 'prod');
    assert.ok(panel, 'the panel is open');
    const feed = await panel.history();
    let view: HistoryView | undefined;
    for (let i = 0; i < 200 && !(view = feed.history); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(view, 'the panel read the history once its page was ready');
    assert.equal(view.entries[0].action, 'return', 'newest first: the return just made');
    assert.equal(view.cloudTrail.state, 'read');
    // The state right after the alias was created: version 1.
    const created = view.entries.find((e) => e.returnTo.ok && e.returnTo.state.version === '1');
    assert.ok(created, `a state on version 1 is offered: ${JSON.stringify(view.entries.map((e) => [e.action, e.returnTo]))}`);
    ui.script(['confirmReturn', true]);
    const page = bridge && new WebviewPage(bridge, `${FN}:prod`);
    const selector = `#history-table tr[data-entry-id="${created.id}"] button.history-return`;
    const outcome = page
      ? await handled(panel, 'returnTo', async () => {
          await page.waitFor(selector, (s) => !s.disabled && s.text === 'Return to This State', "the row's Return to This State button");
          await page.click(selector);
        })
      : // No browser to click in: what the button's message runs.
        await feed.returnTo(created.id);
    assert.equal(outcome.result, 'done', outcome.detail);
    assert.equal((await alias()).FunctionVersion, '1');
    assert.deepEqual(await lastRecord(), { action: 'return', state: 'done', target: `${FN}:prod` });
    // The journal's append is read again into the section.
    for (let i = 0; i < 200 && feed.history?.entries[0]?.after?.version !== '1'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(feed.history?.entries[0]?.after?.version, '1', 'the section shows the return');
    if (page) await page.waitFor('#history-status', (s) => /CloudTrail/.test(s.text), 'the CloudTrail status line');
  });

  /** The reads a panel starts, from now on: each posts a history message with loading true first. */
  function countReads(p: TrafficPanel): { n: number; stop(): void } {
    const host = p as unknown as { post(m: { type: string; loading?: boolean }): Thenable<boolean> };
    const post = host.post;
    const counter = { n: 0, stop: () => void (host.post = post) };
    host.post = function (m) {
      if (m.type === 'history' && m.loading) counter.n++;
      return post.call(this, m);
    };
    return counter;
  }

  /** The times CloudTrail's LookupEvents requests reach the sandbox, from now on. */
  function lookupArrivals(): number[] {
    const times: number[] = [];
    sandbox.faults.add({ operation: 'LookupEvents', kind: 'hook', times: 1000, hook: () => void times.push(Date.now()) });
    return times;
  }

  it("a teammate's write between reading and confirming: nothing is written, the error says the alias changed", async () => {
    let teammate = '';
    pickEntryWhen('returnEntry', (e) => e.returnTo.ok && e.returnTo.state.version === '2', async () => {
      // The same routing, a new RevisionId: what the history read is not the alias now.
      teammate = (await other.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', Description: 'set by a teammate' }))).RevisionId ?? '';
    });
    ui.script(['confirmReturn', true]);
    await vscode.commands.executeCommand(Commands.returnToState, target);
    assert.ok(teammate, `the teammate wrote while the pick was open: ${JSON.stringify({ errors: ui.errors, offered: entriesOf('returnEntry').map((e) => [e.action, e.returnTo]) })}`);
    const a = await alias();
    assert.equal(a.RevisionId, teammate, "the alias is as the teammate left it");
    assert.equal(a.FunctionVersion, '1');
    assert.match(ui.errors.join('\n'), /changed/, `an error says the alias changed: ${JSON.stringify(ui.errors)}`);
    const last = await lastRecord();
    assert.equal(last.action, 'return');
    assert.notEqual(last.state, 'done');
  });

  it('the panel refuses an entry it does not show, writing nothing', async () => {
    assert.ok(panel);
    const feed = await panel.history();
    await feed.refresh();
    const before = await alias();
    const { records } = await api.journal.journal.read({ limit: 1 });
    const o = await feed.returnTo('ct:nope');
    assert.equal(o.result, 'failed');
    assert.match(o.detail ?? '', /not shown any more/);
    assert.equal((await alias()).RevisionId, before.RevisionId);
    assert.equal((await api.journal.journal.read({ limit: 1 })).records[0].outcome.id, records[0].outcome.id, 'nothing journalled');
  });

  it('the panel refuses a return while a rollout runs on the alias, without asking', async () => {
    assert.ok(panel);
    const feed = await panel.history();
    await feed.refresh();
    const now = (await alias()).FunctionVersion;
    const entry = feed.history?.entries.find((e) => e.returnTo.ok && e.returnTo.state.version !== now);
    assert.ok(entry, `a state other than ${now} is offered`);
    const version = now === '2' ? '1' : '2';
    const started = await api.rollouts.start({ functionName: FN, aliasName: 'prod', version, plan: parsePlanText('10%@1h, 100%') });
    assert.equal(started.error, undefined, JSON.stringify(started.error));
    try {
      const before = await alias();
      ui.script(['confirmReturn', true]);
      const o = await feed.returnTo(entry.id);
      assert.equal(o.result, 'failed');
      assert.match(o.detail ?? '', /A rollout is in progress/);
      assert.ok(!ui.asked.includes('confirmReturn'), 'nothing was asked');
      assert.equal((await alias()).RevisionId, before.RevisionId, 'the alias was not written');
    } finally {
      await api.rollouts.control({ functionName: FN, aliasName: 'prod', action: 'abort' });
    }
  });

  it('a Refresh covers the read a write scheduled: one read, not a second one 3 s later', async () => {
    assert.ok(panel);
    const feed = await panel.history();
    await feed.refresh();
    const reads = countReads(panel);
    try {
      // A journal append for the alias schedules a read; the user's Refresh comes first.
      feed.changed();
      await feed.refresh();
      await new Promise((r) => setTimeout(r, HISTORY_MIN_INTERVAL_MS + 500));
      assert.equal(reads.n, 1, 'one read');
    } finally {
      reads.stop();
    }
  });

  it('a page reload during a read joins it: one read', async () => {
    assert.ok(panel);
    const feed = await panel.history();
    await feed.refresh();
    const reads = countReads(panel);
    try {
      await Promise.all([feed.refresh(), feed.show(), feed.show()]);
      assert.equal(reads.n, 1, 'one read');
    } finally {
      reads.stop();
    }
  });

  it("three panels' reads share one pace: CloudTrail's requests reach the sandbox 500 ms apart at least", async () => {
    const feeds = [];
    for (const name of ['pace1', 'pace2']) {
      await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: name, FunctionVersion: '1' }));
      await vscode.commands.executeCommand(Commands.openTrafficPanel, { functionName: FN, aliasName: name });
      const p = api.panels.get(FN, name);
      assert.ok(p, `the panel of ${name} is open`);
      feeds.push(await p.history());
    }
    assert.ok(panel);
    feeds.push(await panel.history());
    try {
      // Each page's first read over before the measure.
      for (const f of feeds) for (let i = 0; i < 200 && !f.history; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 600));
      const arrivals = lookupArrivals();
      await Promise.all(feeds.map((f) => f.refresh()));
      assert.ok(arrivals.length >= 3, `one request a read at least: ${arrivals.length}`);
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
      assert.ok(gaps.every((g) => g >= 500), `gaps ${JSON.stringify(gaps)} ms`);
    } finally {
      sandbox.faults.clear();
      for (const name of ['pace1', 'pace2']) api.panels.get(FN, name)?.dispose();
    }
  });

  it("a probe from the panel reads no history (it wrote nothing): no LookupEvents", async () => {
    assert.ok(panel);
    const feed = await panel.history();
    // A read the earlier writes scheduled (3 s after the last) over first.
    await new Promise((r) => setTimeout(r, 3500));
    await feed.refresh();
    const arrivals = lookupArrivals();
    try {
      const probed = outcomeOf(panel, 'probe');
      await (panel as unknown as { receive(m: unknown): Promise<void> }).receive({ type: 'probe', count: 2 });
      assert.equal((await probed).result, 'done');
      // Past the feed's coalescing interval (3 s): a read it scheduled would have run.
      await new Promise((r) => setTimeout(r, 4000));
      assert.deepEqual(arrivals, [], 'no LookupEvents after the probe');
    } finally {
      sandbox.faults.clear();
    }
  });
});
