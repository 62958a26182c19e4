import type { Clients, ConnectionSpec } from '../core/connection';
import { createClients, isLoopbackEndpoint, listProfiles } from '../core/connection';
import type { JournalRecord } from '../core/journal';
import type { Logger } from '../core/log';
import { journalConnection } from '../core/journal';
import type { Sandbox } from '../sandbox';
import { UsageError } from './args';
import type { OptionValues } from './args';
import { errorText, progressText, usage } from './messages';

/** The CLI's connection: SDK clients, and the embedded sandbox when --sandbox started one. */
export interface CliConnection {
  clients: Clients;
  /** What the journal records about the connection (never a credential). */
  journal: JournalRecord['connection'];
  close(): Promise<void>;
}

/**
 * The connection spec as the AWS CLI would pick it: flags, then AWS_PROFILE, AWS_REGION /
 * AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, then the profile's region. A loopback endpoint without a
 * profile is a local sandbox (as in the extension), signed with AWS_ACCESS_KEY_ID when set.
 */
export function connectionSpec(values: OptionValues, env: NodeJS.ProcessEnv): ConnectionSpec {
  const str = (name: string) => (typeof values[name] === 'string' && values[name] !== '' ? (values[name] as string) : undefined);
  const endpointUrl = str('endpoint-url') ?? (env.AWS_ENDPOINT_URL || undefined);
  const profile = str('profile') ?? (env.AWS_PROFILE || undefined);
  if (values.sandbox) {
    if (str('endpoint-url')) throw new UsageError(usage.sandboxAndEndpoint);
    if (str('profile')) throw new UsageError(usage.sandboxAndProfile);
  }
  if (endpointUrl !== undefined) {
    try {
      new URL(endpointUrl);
    } catch {
      throw new UsageError(usage.badOption(`--endpoint-url: '${endpointUrl}' is not a URL (e.g. http://127.0.0.1:4566).`));
    }
  }
  const region =
    str('region') ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || listProfiles(env).find((p) => p.name === (profile ?? 'default'))?.region || 'us-east-1');
  if (endpointUrl && !profile && isLoopbackEndpoint(endpointUrl)) {
    return { kind: 'sandbox', endpoint: endpointUrl, region, embedded: false, ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}) };
  }
  const fromEnv = !str('profile') && profile !== undefined;
  return { kind: 'aws', profile, ...(fromEnv ? { profileFrom: 'AWS_PROFILE' as const } : {}), region, ...(endpointUrl ? { endpointUrl } : {}) };
}

/** Opens the connection; with --sandbox, first starts the embedded sandbox with the demo seed. */
export async function openConnection(values: OptionValues, env: NodeJS.ProcessEnv, progress: (line: string) => void, log?: Logger): Promise<CliConnection> {
  let sandbox: Sandbox | undefined;
  let spec: ConnectionSpec;
  if (values.sandbox) {
    connectionSpec(values, env); // the same usage checks
    progress(progressText.startingSandbox);
    // Loaded only for --sandbox: dist/sandbox.js, shared with the extension's embedded sandbox.
    const { newAccessKeyId, seedDemo, startSandbox } = await import(/* webpackChunkName: "sandbox" */ '../sandbox');
    try {
      // A new key per start: only this process's clients can sign requests it accepts.
      sandbox = await startSandbox({ accessKeyId: newAccessKeyId(), region: typeof values.region === 'string' ? values.region : undefined });
      const s = sandbox;
      const created = await seedDemo(s.lambda, () => s.settle());
      progress(progressText.sandboxReady(s.endpoint, created));
    } catch (err) {
      await sandbox?.close();
      throw new Error(errorText.sandboxFailed((err as Error)?.message ?? String(err)), { cause: err });
    }
    spec = { kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: true, accessKeyId: sandbox.accessKeyId };
  } else {
    spec = connectionSpec(values, env);
  }
  const clients = createClients(spec, { log });
  return {
    clients,
    journal: journalConnection(spec),
    close: async () => {
      clients.dispose();
      await sandbox?.close();
    },
  };
}
