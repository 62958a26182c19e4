import * as vscode from 'vscode';
import type { CodeDeploySettings } from '../core/codedeploy/types';
import type { SettingSource } from '../core/connection';
import type { WorkspaceFunction } from '../core/workspace';
import { settingSource } from '../core/connection';
import { Settings } from '../shared/ids';

export type ConnectionMode = 'auto' | 'sandbox' | 'aws';

export interface ExtensionSettings {
  connection: ConnectionMode;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** Who chose endpointUrl: a workspace's choice is asked about before credentials go there. */
  endpointUrlSource: SettingSource;
  sandboxSeedDemo: boolean;
  sandboxTraffic: boolean;
  /** Invoke a new version with the workspace's test event before routing traffic to it. */
  smokeTest: boolean;
  panel: { refreshSeconds: number; openAfterPublish: boolean; probeCount: number };
  /** One CodeDeploy minute of the embedded sandbox, in ms. */
  sandboxCodeDeployMinuteMs: number;
  /** Where a rollout handed to CodeDeploy runs, from the settings (lambda-canary.json's come first: codeDeploySettingsFor). */
  codeDeploy: CodeDeploySettings;
  /** History: ask CloudTrail too; how far back (`7d`, `12h`, as typed: parsed where it is read). */
  history: { cloudTrail: boolean; since: string };
}

/**
 * The settings that decide where requests signed with the user's credentials go. package.json
 * lists them in `capabilities.untrustedWorkspaces.restrictedConfigurations`, so in an untrusted
 * workspace VS Code hands the extension the user's values only.
 */
export const RESTRICTED_SETTINGS = [
  Settings.connection,
  Settings.profile,
  Settings.region,
  Settings.endpointUrl,
  // Which role and which hook functions AWS runs a deployment with: a workspace does not choose them unless trusted.
  Settings.codeDeployApplication,
  Settings.codeDeployDeploymentGroup,
  Settings.codeDeployServiceRoleArn,
  Settings.codeDeployBeforeAllowTrafficHook,
  Settings.codeDeployAfterAllowTrafficHook,
] as const;

/** The one place settings are read. */
export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(Settings.section);
  const trusted = vscode.workspace.isTrusted;
  const get = <T>(key: string): T | undefined => {
    if (!trusted && (RESTRICTED_SETTINGS as readonly string[]).includes(key)) {
      // What VS Code does for restricted settings, done here too so a host that did not would
      // still not hand a workspace's value on.
      const i = c.inspect<T>(key);
      return i?.globalValue ?? i?.defaultValue;
    }
    return c.get<T>(key);
  };
  const str = (key: string): string | undefined => {
    const v = get<string>(key);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const mode = get<string>(Settings.connection);
  return {
    connection: mode === 'sandbox' || mode === 'aws' ? mode : 'auto',
    profile: str(Settings.profile),
    region: str(Settings.region),
    endpointUrl: str(Settings.endpointUrl),
    endpointUrlSource: settingSource(c.inspect<string>(Settings.endpointUrl), trusted),
    sandboxSeedDemo: c.get<boolean>(Settings.sandboxSeedDemo) ?? true,
    sandboxTraffic: c.get<boolean>(Settings.sandboxTraffic) ?? false,
    smokeTest: c.get<boolean>(Settings.smokeTest) ?? true,
    panel: {
      refreshSeconds: clamp(c.get<number>(Settings.panelRefreshSeconds), 2, 600, 10),
      openAfterPublish: c.get<boolean>(Settings.panelOpenAfterPublish) ?? true,
      probeCount: Math.round(clamp(c.get<number>(Settings.panelProbeCount), 1, 5000, 100)),
    },
    sandboxCodeDeployMinuteMs: Math.round(clamp(c.get<number>(Settings.sandboxCodeDeployMinuteMs), 10, 60_000, 2000)),
    codeDeploy: withoutEmpty({
      application: str(Settings.codeDeployApplication),
      deploymentGroup: str(Settings.codeDeployDeploymentGroup),
      serviceRoleArn: str(Settings.codeDeployServiceRoleArn),
      beforeAllowTraffic: str(Settings.codeDeployBeforeAllowTrafficHook),
      afterAllowTraffic: str(Settings.codeDeployAfterAllowTrafficHook),
    }),
    history: { cloudTrail: c.get<boolean>(Settings.historyCloudTrail) ?? true, since: str(Settings.historySince) ?? '7d' },
  };
}

function withoutEmpty(s: CodeDeploySettings): CodeDeploySettings {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v !== '')) as CodeDeploySettings;
}

/**
 * The CodeDeploy settings of a rollout: the settings, with the workspace function's
 * lambda-canary.json `codeDeploy` taking precedence field by field — in a trusted workspace only
 * (an untrusted one does not choose the role or the hooks AWS runs).
 */
export function codeDeploySettingsFor(ws: WorkspaceFunction | undefined, trusted = vscode.workspace.isTrusted): CodeDeploySettings {
  const fromFile = trusted ? ws?.codeDeploy : undefined;
  return { ...readSettings().codeDeploy, ...withoutEmpty(fromFile ?? {}) };
}

function clamp(v: number | undefined, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

/** Writes connection settings where the user keeps them (global unless the workspace overrides). */
export async function writeConnectionSettings(values: Partial<Pick<ExtensionSettings, 'connection' | 'profile' | 'region' | 'endpointUrl'>>): Promise<void> {
  const c = vscode.workspace.getConfiguration(Settings.section);
  for (const [key, value] of Object.entries(values)) {
    const inspect = c.inspect(key);
    const target = inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await c.update(key, value === '' ? undefined : value, target);
  }
}

/** The settings a connection is made from, as one comparable string. */
export function connectionSettingsKey(s: ExtensionSettings = readSettings()): string {
  return JSON.stringify([s.connection, s.profile, s.region, s.endpointUrl, s.endpointUrlSource, s.sandboxSeedDemo, s.sandboxTraffic]);
}

export function affectsConnection(e: vscode.ConfigurationChangeEvent): boolean {
  return ['connection', 'profile', 'region', 'endpointUrl', 'sandbox.seedDemo', 'sandbox.traffic'].some((k) => e.affectsConfiguration(`${Settings.section}.${k}`));
}
