import assert from 'node:assert/strict';
import type { CodeDeployRolloutView } from '../../src/core/codedeploy/types';
import type { Clients } from '../../src/core/connection';
import type { CodeDeployEngine, CodeDeployWatcherPort } from '../../src/extension/codeDeployEngine';
import type { CodeDeployNotice } from '../../src/extension/codeDeployRollouts';
import { CodeDeployRollouts } from '../../src/extension/codeDeployRollouts';
import type { ConnectionManager } from '../../src/extension/connection';
import type { ExtensionJournal } from '../../src/extension/deploymentJournal';
import type { ExtensionLog } from '../../src/extension/log';

/** A CodeDeploy rollout's view as the core's watcher gives it. */
function view(id: string, status: CodeDeployRolloutView['status']): CodeDeployRolloutView {
  return {
    id,
    functionName: 'fn',
    aliasName: 'prod',
    version: '2',
    stable: '1',
    planText: 'Canary10Percent5Minutes',
    alarms: [],
    steps: [],
    current: 0,
    status,
    statusText: '',
    startedAt: 1,
    engine: 'codedeploy',
    codeDeploy: { deploymentId: id, deploymentStatus: status === 'running' ? 'InProgress' : 'Succeeded', config: 'CodeDeployDefault.LambdaCanary10Percent5Minutes', application: 'app', deploymentGroup: 'grp', lifecycle: [], readAt: 1 },
  } as unknown as CodeDeployRolloutView;
}

/** A watcher whose journal holds `initial`; `emit` stands for a read of AWS. */
class FakeWatcher implements CodeDeployWatcherPort {
  private readonly listeners = new Set<(v: CodeDeployRolloutView) => void>();
  private readonly byId = new Map<string, CodeDeployRolloutView>();
  disposed = 0;
  constructor(private readonly initial: CodeDeployRolloutView[]) {}
  views(): CodeDeployRolloutView[] {
    return [...this.byId.values()];
  }
  onDidChange(listener: (v: CodeDeployRolloutView) => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  async load(): Promise<void> {
    for (const v of this.initial) this.emit(v);
  }
  watch(): void {}
  async refresh(): Promise<void> {}
  dispose(): void {
    this.disposed++;
  }
  emit(v: CodeDeployRolloutView): void {
    this.byId.set(v.id, v);
    for (const l of this.listeners) l(v);
  }
}

const log = { warn() {}, debug() {}, info() {}, error() {} } as unknown as ExtensionLog;
/** A journal holding d-OLD started and ended, d-OPEN started. */
const journal = {
  port: () => ({}),
  journal: {
    codeDeploys: async () => [{ detail: { event: 'started', deploymentId: 'd-OLD' } }, { detail: { event: 'ended', deploymentId: 'd-OLD' } }, { detail: { event: 'started', deploymentId: 'd-OPEN' } }],
  },
} as unknown as ExtensionJournal;

function clientsOf(name: string): Clients {
  return { spec: { kind: 'sandbox', region: 'us-east-1', name }, lambda: {}, cloudwatch: {}, capabilities: {}, codedeploy: async () => ({}) } as unknown as Clients;
}

function engineWith(watchers: FakeWatcher[], gate?: Promise<void>): () => Promise<CodeDeployEngine> {
  let i = 0;
  return async () => {
    await gate;
    return { watcher: () => watchers[i++] } as unknown as CodeDeployEngine;
  };
}

describe('CodeDeploy rollouts host (the editor side of the watcher)', () => {
  it('a journal with an ended and an open deployment: one running view, no end notice for the one ended before this window saw it', async () => {
    const clients = clientsOf('a');
    const connection = { current: async () => clients } as unknown as ConnectionManager;
    const w = new FakeWatcher([view('d-OLD', 'promoted'), view('d-OPEN', 'running')]);
    const host = new CodeDeployRollouts(connection, journal, log, engineWith([w]));
    const notices: CodeDeployNotice[] = [];
    host.onNotice((n) => notices.push(n));
    try {
      await host.current();
      assert.deepEqual(
        host.views().filter((v) => v.status === 'running').map((v) => v.id),
        ['d-OPEN'],
      );
      // The old one read again (still ended): no news. Nor when a watcher showed it running until
      // its first read (the journal says it had ended).
      w.emit(view('d-OLD', 'promoted'));
      assert.equal(notices.length, 0);
      // The open one ends while this window watches: noticed once.
      w.emit(view('d-OPEN', 'promoted'));
      w.emit(view('d-OPEN', 'promoted'));
      assert.deepEqual(
        notices.map((n) => n.view.id),
        ['d-OPEN'],
      );
    } finally {
      host.dispose();
    }
  });

  it('an ended deployment the watcher shows running until its first read: its end is not noticed again', async () => {
    const clients = clientsOf('c');
    const connection = { current: async () => clients } as unknown as ConnectionManager;
    const w = new FakeWatcher([view('d-OLD', 'running'), view('d-OPEN', 'running')]);
    const host = new CodeDeployRollouts(connection, journal, log, engineWith([w]));
    const notices: CodeDeployNotice[] = [];
    host.onNotice((n) => notices.push(n));
    try {
      await host.current();
      w.emit(view('d-OLD', 'promoted'));
      assert.equal(notices.length, 0);
      w.emit(view('d-OPEN', 'rolled-back'));
      assert.deepEqual(
        notices.map((n) => n.view.id),
        ['d-OPEN'],
      );
    } finally {
      host.dispose();
    }
  });

  it('a watcher being made when the connection is dropped is disposed, not left polling', async () => {
    const clients = clientsOf('b');
    const connection = { current: async () => clients } as unknown as ConnectionManager;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const w = new FakeWatcher([view('d-OPEN', 'running')]);
    const host = new CodeDeployRollouts(connection, journal, log, engineWith([w], gate));
    const made = host.current();
    await new Promise((r) => setTimeout(r, 10));
    host.dispose();
    open();
    await assert.rejects(made);
    assert.equal(host.views().length, 0);
    // Either never made, or made and disposed: nothing watches.
    assert.ok(w.disposed <= 1);
    assert.equal((w as unknown as { listeners: Set<unknown> }).listeners.size, 0);
  });

  it('a connection whose CodeDeploy answers AccessDenied is not scanned again for the next alias', async () => {
    const clients = clientsOf('d');
    const connection = { current: async () => clients } as unknown as ConnectionManager;
    let asked = 0;
    const engine = {
      management: async () => {
        asked++;
        throw Object.assign(new Error('User is not authorized to perform: codedeploy:ListApplications'), { name: 'AccessDeniedException' });
      },
    } as unknown as CodeDeployEngine;
    const host = new CodeDeployRollouts(connection, journal, log, async () => engine);
    try {
      assert.equal(await host.management('fn', 'prod'), undefined);
      assert.equal(await host.management('fn', 'beta'), undefined);
      host.forget();
      assert.equal(await host.management('other', 'live'), undefined);
      assert.equal(asked, 1);
    } finally {
      host.dispose();
    }
  });
});
