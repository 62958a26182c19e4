import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Clients, ConnectionSpec } from '../core/connection';
import { connectionLabel, createClients, endpointConsent, hasAwsCredentialsConfigured, isLoopbackEndpoint, listProfiles } from '../core/connection';
import { OperationError } from '../core/errors';
import type { Sandbox, TrafficGenerator } from '../sandbox';
import { Commands } from '../shared/ids';
import { plainText } from '../shared/text';
import { affectsConnection, connectionSettingsKey, readSettings } from './config';
import { connectionStatus, credentialsText, endpointConsentQuestion } from './connectionText';
import type { ExtensionLog } from './log';

/** workspaceState: the endpoints of this workspace's settings the user allowed credentials to go to. */
const ENDPOINT_CONSENT_KEY = 'lambdaCanary.endpointConsent';

/**
 * Owns the current connection: the SDK clients, and the embedded sandbox when "Local sandbox"
 * is selected. Connects lazily, reconnects when settings change, and shows `profile · region`
 * (or `sandbox`) in the status bar.
 */
export class ConnectionManager implements vscode.Disposable {
  private clients?: Promise<Clients>;
  /** connectionSettingsKey() of the settings the current connection was made from. */
  private connectedWith?: string;
  /** A reconnect in progress: current() waits for it. */
  private reconnecting?: Promise<void>;
  private sandbox?: Sandbox;
  private traffic?: TrafficGenerator;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Endpoints of workspace settings the user declined this window: not asked again until a reload. */
  private readonly declinedEndpoints = new Set<string>();

  /**
   * Asks whether requests signed with the user's credentials may go to an endpoint a workspace
   * chose. Replaceable so the extension-host tests can answer it.
   */
  /** Awaited before a reconnect disposes the current clients (the rollouts let go of their leases with them). */
  beforeDisconnect?: () => Promise<void>;

  askEndpointConsent: (host: string, endpointUrl: string, profile: string | undefined) => Promise<boolean> = async (host, endpointUrl, profile) => {
    const action = 'Connect';
    const q = endpointConsentQuestion(host, endpointUrl, profile);
    const answer = await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, action);
    return answer === action;
  };

  constructor(
    private readonly context: vscode.ExtensionContext,
    /** The "Lambda Canary" log. */
    readonly log: ExtensionLog,
  ) {
    this.statusBar = vscode.window.createStatusBarItem('lambdaCanary.connection', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = vscode.l10n.t('Lambda Canary Connection');
    this.statusBar.command = Commands.selectConnection;
    this.statusBar.text = vscode.l10n.t('$(cloud) Lambda Canary');
    this.statusBar.tooltip = vscode.l10n.t('Lambda Canary: select the AWS profile, region or the local sandbox');
    this.statusBar.show();
    this.disposables.push(
      this.statusBar,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The event can arrive after a connection was already made from the new settings (a
        // caller that changed them and connected at once): that connection stays.
        if (affectsConnection(e) && (this.clients === undefined || connectionSettingsKey() !== this.connectedWith)) void this.reconnect();
      }),
    );
  }

  /**
   * The clients of the current connection, connecting first if needed. A connection made from
   * settings that have changed since (their change event still on its way) is replaced first,
   * so what this returns always follows the settings as they are now.
   */
  async current(): Promise<Clients> {
    await this.reconnected();
    if (this.clients && this.connectedWith !== connectionSettingsKey()) await this.reconnect();
    await this.reconnected();
    this.clients ??= this.connect().catch((err: unknown) => {
      // Let the next call try again rather than caching the failure.
      this.clients = undefined;
      throw err;
    });
    return this.clients;
  }

  /** Several settings written one after another queue several reconnects: waits for them all. */
  private async reconnected(): Promise<void> {
    while (this.reconnecting) await this.reconnecting;
  }

  /** The embedded sandbox, when that is the connection. */
  get embeddedSandbox(): Sandbox | undefined {
    return this.sandbox;
  }

  /**
   * Drops the connection (its clients, the embedded sandbox); the next current() connects anew.
   * Reconnects run one after another, and current() waits for them: a sandbox being stopped is
   * never the one a new connection just started.
   */
  reconnect(): Promise<void> {
    const run = async () => {
      await this.beforeDisconnect?.().catch((err: unknown) => this.log.warn(`Before reconnecting: ${(err as Error)?.message ?? String(err)}`));
      const old = this.clients;
      this.clients = undefined;
      this.connectedWith = undefined;
      await old?.then((c) => c.dispose()).catch(() => undefined);
      // A sandbox that fails to close is logged; the next connection starts regardless.
      await this.stopSandbox().catch((err: unknown) => this.log.warn(`The local sandbox did not close cleanly: ${(err as Error)?.message ?? String(err)}`));
    };
    const done: Promise<void> = (this.reconnecting ?? Promise.resolve()).catch(() => undefined).then(run).finally(() => {
      if (this.reconnecting === done) this.reconnecting = undefined;
      this.changed.fire();
    });
    this.reconnecting = done;
    return done;
  }

  private async resolveSpec(): Promise<ConnectionSpec> {
    const s = readSettings();
    const mode = s.connection === 'auto' ? (s.endpointUrl || hasAwsCredentialsConfigured() ? 'aws' : 'sandbox') : s.connection;
    if (mode === 'sandbox') {
      const sb = await this.startSandbox();
      return { kind: 'sandbox', endpoint: sb.endpoint, region: sb.region, embedded: true, accessKeyId: sb.accessKeyId };
    }
    if (s.endpointUrl && !s.profile && isLoopbackEndpoint(s.endpointUrl)) {
      return { kind: 'sandbox', endpoint: s.endpointUrl, region: s.region ?? 'us-east-1', embedded: false };
    }
    const profile = s.profile ?? process.env.AWS_PROFILE;
    await this.checkEndpointConsent(s.endpointUrl, s.endpointUrlSource, profile);
    const region =
      s.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? listProfiles().find((p) => p.name === (profile ?? 'default'))?.region ?? 'us-east-1';
    return { kind: 'aws', profile, ...(!s.profile && profile ? { profileFrom: 'AWS_PROFILE' as const } : {}), region, endpointUrl: s.endpointUrl };
  }

  /**
   * Before any client with real credentials exists: an endpoint that a workspace's settings chose,
   * neither loopback nor AWS, is asked about once (yes is remembered for this workspace,
   * endpoint and profile; no for this window). No → no connection, and the error says what to do.
   */
  private async checkEndpointConsent(endpointUrl: string | undefined, source: ReturnType<typeof readSettings>['endpointUrlSource'], profile: string | undefined): Promise<void> {
    const consent = endpointConsent(endpointUrl, source, profile);
    if (!consent.ask) return;
    const allowed = this.context.workspaceState.get<string[]>(ENDPOINT_CONSENT_KEY) ?? [];
    if (allowed.includes(consent.key)) return;
    if (!this.declinedEndpoints.has(consent.key)) {
      if (await this.askEndpointConsent(consent.host, endpointUrl!, profile)) {
        await this.context.workspaceState.update(ENDPOINT_CONSENT_KEY, [...allowed, consent.key]);
        this.log.info(`Requests signed with ${credentialsText(profile)} may go to ${plainText(consent.host)} (lambdaCanary.endpointUrl of this workspace): you allowed it.`);
        return;
      }
      this.declinedEndpoints.add(consent.key);
    }
    throw new OperationError(
      vscode.l10n.t(
        "Not connected: this workspace's settings point lambdaCanary.endpointUrl at {0}, which is neither AWS nor this machine, and your AWS credentials were not sent there. Remove lambdaCanary.endpointUrl from the workspace settings (.vscode/settings.json), or set the endpoint you want in your User settings, then Refresh (or reload the window to be asked again).",
        plainText(consent.host, 200),
      ), { step: 'Connect', state: vscode.l10n.t('Nothing was sent to that endpoint.'), kind: 'validation' },
    );
  }

  private async connect(): Promise<Clients> {
    this.connectedWith = connectionSettingsKey();
    const spec = await this.resolveSpec();
    const clients = createClients(spec, { log: this.log });
    const status = connectionStatus(spec);
    this.statusBar.text = status.text;
    this.statusBar.tooltip = status.tooltip;
    this.log.info(`Connected to ${plainText(connectionLabel(spec))}.`);
    return clients;
  }

  private async startSandbox(): Promise<Sandbox> {
    if (this.sandbox) return this.sandbox;
    const stateDir = path.join(this.context.globalStorageUri.fsPath, 'sandbox');
    fs.mkdirSync(stateDir, { recursive: true });
    // The sandbox is loaded only when it is the connection: webpack emits it as dist/sandbox.js,
    // beside extension.js, which an AWS connection never reads.
    const { DEMO_TRAFFIC, newAccessKeyId, seedDemo, startSandbox, TrafficGenerator } = await import(/* webpackChunkName: "sandbox" */ '../sandbox');
    // A new key at each start: only clients of this connection can sign requests the embedded
    // sandbox accepts, not another program on the machine that found its port.
    const sandbox = await startSandbox({
      stateDir,
      codeDir: path.join(this.context.globalStorageUri.fsPath, 'sandbox-code'),
      workerScript: path.join(this.context.extensionPath, 'dist', 'sandboxWorker.js'),
      accessKeyId: newAccessKeyId(),
      // CodeDeploy's minutes, scaled: the demo's Canary10Percent5Minutes takes seconds, not minutes.
      codeDeployMinuteMs: readSettings().sandboxCodeDeployMinuteMs,
      // Each refused request (a web page, a foreign Host, a wrong key) is a warning; the line per
      // request and the sandbox's own notes only at the Debug log level.
      onRefused: (line) => this.log.warn(`Local sandbox refused a request: ${line}`),
      log: (line) => this.log.debug(`Local sandbox: ${line}`),
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
