import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Clients, ConnectionSpec } from '../core/connection';
import { connectionLabel, createClients, hasAwsCredentialsConfigured, isLoopbackEndpoint, listProfiles } from '../core/connection';
import type { Sandbox } from '../sandbox';
import { DEMO_TRAFFIC, seedDemo, startSandbox, TrafficGenerator } from '../sandbox';
import { Commands } from '../shared/ids';
import { affectsConnection, readSettings } from './config';
import type { ExtensionLog } from './log';

/**
 * Owns the current connection: the SDK clients, and the embedded sandbox when "Local sandbox"
 * is selected. Connects lazily, reconnects when settings change, and shows `profile · region`
 * (or `sandbox`) in the status bar.
 */
export class ConnectionManager implements vscode.Disposable {
  private clients?: Promise<Clients>;
  private sandbox?: Sandbox;
  private traffic?: TrafficGenerator;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: ExtensionLog,
  ) {
    this.statusBar = vscode.window.createStatusBarItem('lambdaCanary.connection', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = 'Lambda Canary Connection';
    this.statusBar.command = Commands.selectConnection;
    this.statusBar.text = '$(cloud) Lambda Canary';
    this.statusBar.tooltip = 'Lambda Canary: select the AWS profile, region or the local sandbox';
    this.statusBar.show();
    this.disposables.push(
      this.statusBar,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsConnection(e)) void this.reconnect();
      }),
    );
  }

  /** The clients of the current connection, connecting first if needed. */
  current(): Promise<Clients> {
    this.clients ??= this.connect().catch((err: unknown) => {
      // Let the next call try again rather than caching the failure.
      this.clients = undefined;
      throw err;
    });
    return this.clients;
  }

  /** The embedded sandbox, when that is the connection. */
  get embeddedSandbox(): Sandbox | undefined {
    return this.sandbox;
  }

  async reconnect(): Promise<void> {
    const old = this.clients;
    this.clients = undefined;
    await old?.then((c) => c.dispose()).catch(() => undefined);
    await this.stopSandbox();
    this.changed.fire();
  }

  private async resolveSpec(): Promise<ConnectionSpec> {
    const s = readSettings();
    const mode = s.connection === 'auto' ? (s.endpointUrl || hasAwsCredentialsConfigured() ? 'aws' : 'sandbox') : s.connection;
    if (mode === 'sandbox') {
      const sb = await this.startSandbox();
      return { kind: 'sandbox', endpoint: sb.endpoint, region: sb.region, embedded: true };
    }
    if (s.endpointUrl && !s.profile && isLoopbackEndpoint(s.endpointUrl)) {
      return { kind: 'sandbox', endpoint: s.endpointUrl, region: s.region ?? 'us-east-1', embedded: false };
    }
    const profile = s.profile ?? process.env.AWS_PROFILE;
    const region =
      s.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? listProfiles().find((p) => p.name === (profile ?? 'default'))?.region ?? 'us-east-1';
    return { kind: 'aws', profile, region, endpointUrl: s.endpointUrl };
  }

  private async connect(): Promise<Clients> {
    const spec = await this.resolveSpec();
    const clients = createClients(spec);
    const label = connectionLabel(spec);
    this.statusBar.text = `$(${spec.kind === 'sandbox' ? 'beaker' : 'cloud'}) ${label}`;
    this.statusBar.tooltip = `Lambda Canary is connected to ${label}. Click to change.`;
    this.log.info(`Connected to ${label}.`);
    return clients;
  }

  private async startSandbox(): Promise<Sandbox> {
    if (this.sandbox) return this.sandbox;
    const stateDir = path.join(this.context.globalStorageUri.fsPath, 'sandbox');
    fs.mkdirSync(stateDir, { recursive: true });
    const sandbox = await startSandbox({
      stateDir,
      codeDir: path.join(this.context.globalStorageUri.fsPath, 'sandbox-code'),
      workerScript: path.join(this.context.extensionPath, 'dist', 'sandboxWorker.js'),
    });
    this.sandbox = sandbox;
    for (const w of sandbox.warnings) this.log.warn(`Local sandbox: ${w}`);
    const s = readSettings();
    if (s.sandboxSeedDemo && sandbox.store.functions.size === 0) {
      const created = await seedDemo(sandbox.lambda, () => sandbox.settle());
      this.log.info(`Local sandbox: created demo functions ${created.join(', ')}.`);
    }
    if (s.sandboxTraffic) {
      this.traffic = new TrafficGenerator(sandbox.lambda, DEMO_TRAFFIC, (t, msg) => this.log.warn(`Demo traffic to ${t.functionName}:${t.qualifier}: ${msg}`));
      this.traffic.start();
    }
    this.log.info(`Local sandbox listening on ${sandbox.endpoint} (state in ${stateDir}).`);
    return sandbox;
  }

  private async stopSandbox(): Promise<void> {
    this.traffic?.stop();
    this.traffic = undefined;
    const sb = this.sandbox;
    this.sandbox = undefined;
    await sb?.close();
  }

  dispose(): void {
    void this.clients?.then((c) => c.dispose()).catch(() => undefined);
    void this.stopSandbox();
    for (const d of this.disposables) d.dispose();
  }
}
