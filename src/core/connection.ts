import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { version as PACKAGE_VERSION } from '../../package.json';
import { explainingFailures } from './explainingCredentials';
import type { Logger } from './log';
import { logRequests } from './requestLog';

/** Where the extension talks to: the embedded sandbox, or AWS (optionally through an endpoint such as LocalStack). */
export type ConnectionSpec =
  | {
      kind: 'sandbox';
      endpoint: string;
      region: string;
      embedded: boolean;
      /** The access key the sandbox was started with (the embedded one makes one per start). */
      accessKeyId?: string;
    }
  | {
      kind: 'aws';
      profile?: string;
      /** Set when `profile` is the environment's AWS_PROFILE, so that an error about it can say so. */
      profileFrom?: 'AWS_PROFILE';
      region: string;
      endpointUrl?: string;
    };

export interface Clients {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  /** CodeDeploy's client, made on first use (its code is dist/codedeploy.js) with the same config; dispose() destroys it. */
  codedeploy(): Promise<Pick<CodeDeployClient, 'send'>>;
  /** CloudTrail's client, made on first use (its code is dist/history.js) with the same config, its requests paced 500 ms apart for all its readers; dispose() destroys it. */
  cloudtrail(): Promise<Pick<CloudTrailClient, 'send'>>;
  spec: ConnectionSpec;
  capabilities: Capabilities;
  dispose(): void;
}

/** How long a waiter may wait for Lambda, and how often it looks (seconds). */
export interface WaiterTiming {
  maxWaitTime: number;
  minDelay: number;
  maxDelay: number;
}

/**
 * What differs between the sandbox and AWS, decided once per connection and passed to every use
 * case in its context: nothing else asks "is this the sandbox?".
 */
export interface Capabilities {
  sandbox: boolean;
  /** Waiter timing for code updates and published versions. */
  waiters: WaiterTiming;
  /** Probe invocations: at most this many a second, this many in flight. */
  probe: { ratePerSecond: number; concurrency: number };
  /** Metrics at 1-second resolution (the sandbox) or AWS's 60-second Lambda metrics. */
  highResolutionMetrics: boolean;
}

export const AWS_WAITER_TIMING: WaiterTiming = { maxWaitTime: 300, minDelay: 1, maxDelay: 5 };

export function capabilitiesOf(spec: ConnectionSpec): Capabilities {
  if (spec.kind === 'sandbox') {
    return { sandbox: true, waiters: { maxWaitTime: 60, minDelay: 0.2, maxDelay: 1 }, probe: { ratePerSecond: 250, concurrency: 16 }, highResolutionMetrics: true };
  }
  // AWS: the default burst of a new account's concurrency is far above this; 25/s keeps a probe
  // from crowding out real traffic's concurrency.
  return { sandbox: false, waiters: AWS_WAITER_TIMING, probe: { ratePerSecond: 25, concurrency: 8 }, highResolutionMetrics: false };
}

export interface ClientOptions {
  /** Attempts per request including the first; the SDK's standard strategy backs off with jitter and retries throttling. */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Appended to every request's user agent; default `lambda-canary/<version>`, so that CloudTrail tells this extension's writes from others'. */
  userAgent?: string;
  /** Gets one debug line per AWS call (src/core/requestLog.ts), and a credentials failure's own cause (the SDK's error, redacted). */
  log?: Logger;
}

/** What every client adds to its requests' user agent. */
export const USER_AGENT = `lambda-canary/${PACKAGE_VERSION}`;

/** A short human label: `sandbox`, `default · eu-west-1`, `dev · us-east-1 @ http://localhost:4566`. */
export function connectionLabel(spec: ConnectionSpec): string {
  if (spec.kind === 'sandbox') return spec.embedded ? 'sandbox' : `local · ${spec.endpoint}`;
  const base = `${spec.profile ?? 'default chain'} · ${spec.region}`;
  return spec.endpointUrl ? `${base} @ ${spec.endpointUrl}` : base;
}

export function createClients(spec: ConnectionSpec, options: ClientOptions = {}): Clients {
  const common = {
    region: spec.region,
    maxAttempts: options.maxAttempts ?? 3,
    // The standard strategy's retries with backoff, plus a client-side send rate that slows down
    // once Lambda throttles and speeds up again after: a release moves many aliases at once.
    retryMode: 'adaptive',
    customUserAgent: options.userAgent ?? USER_AGENT,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // Without this the SDK's Node handler only logs a warning when requestTimeout passes and
      // keeps waiting: a hung request would hang the operation (and its progress notification).
      throwOnRequestTimeout: true,
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    },
  };
  let config: Record<string, unknown>;
  if (spec.kind === 'sandbox') {
    // The sandbox checks only the access key a signature names (when it has one), not the secret.
    config = { ...common, endpoint: spec.endpoint, credentials: { accessKeyId: spec.accessKeyId ?? 'sandbox', secretAccessKey: 'sandbox' } };
  } else {
    // An explicitly chosen profile must win over environment variables, so it is not put
    // behind the default chain (which reads the environment first).
    // A failure to resolve them names its cause and the fix (core/credentials.ts).
    const credentials = explainingFailures(spec.profile ? fromIni({ profile: spec.profile }) : fromNodeProviderChain(), { profile: spec.profile, profileFrom: spec.profileFrom }, options.log);
    config = { ...common, credentials, ...(spec.endpointUrl ? { endpoint: spec.endpointUrl } : {}) };
  }
  const lambda = new LambdaClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const logged = <C extends Parameters<typeof logRequests>[0]>(client: C): C => {
    if (options.log) logRequests(client, options.log);
    return client;
  };
  logged(lambda);
  logged(cloudwatch);
  let codedeploy: Promise<CodeDeployClient> | undefined;
  let cloudtrail: CloudTrailClient | undefined;
  let pacedCloudTrail: Promise<Pick<CloudTrailClient, 'send'>> | undefined;
  let disposed = false;
  return {
    lambda,
    cloudwatch,
    codedeploy: () =>
      // The same chunk as the engine (src/core/codeDeployModule.ts): dist/codedeploy.js.
      (codedeploy ??= import(/* webpackChunkName: "codedeploy" */ './codedeploy/client').then((m) => {
        const client = logged(m.createCodeDeployClient(config));
        // Made after dispose (a read on its way): destroyed at once, its requests refused.
        if (disposed) client.destroy();
        return client;
      })),
    cloudtrail: () =>
      // The same chunk as history (src/core/historyModule.ts): dist/history.js. One paced client per
      // connection, so that all its readers share CloudTrail's 2 requests a second.
      (pacedCloudTrail ??= import(/* webpackChunkName: "history" */ './history/client').then((m) => {
        const client = logged(m.createCloudTrailClient(config));
        cloudtrail = client;
        if (disposed) client.destroy();
        return m.pace(client);
      })),
    spec,
    capabilities: capabilitiesOf(spec),
    dispose: () => {
      disposed = true;
      lambda.destroy();
      cloudwatch.destroy();
      void codedeploy?.then((c) => c.destroy(), () => undefined);
      cloudtrail?.destroy();
    },
  };
}

export interface ProfileInfo {
  name: string;
  region?: string;
  /** 'sso', 'process', 'role', 'static' — how credentials are obtained, for the picker's detail line. */
  kind: string;
}

/**
 * Profiles from the shared config and credentials files (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE honoured). Only names and non-secret settings are read out.
 */
export function listProfiles(env: NodeJS.ProcessEnv = process.env): ProfileInfo[] {
  const home = os.homedir();
  const configFile = env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials');
  const profiles = new Map<string, ProfileInfo>();
  const read = (file: string, isConfig: boolean) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return;
    }
    let current: ProfileInfo | undefined;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/[#;].*$/, '').trim();
      const section = /^\[\s*(.+?)\s*\]$/.exec(line);
      if (section) {
        const header = section[1];
        let name: string | undefined;
        if (isConfig) {
          if (header === 'default') name = 'default';
          else if (header.startsWith('profile ')) name = header.slice(8).trim();
        } else {
          name = header;
        }
        current = name ? (profiles.get(name) ?? { name, kind: 'static' }) : undefined;
        if (current) profiles.set(current.name, current);
        continue;
      }
      const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
      if (!kv || !current) continue;
      const [, key, value] = kv;
      if (key === 'region') current.region = value;
      else if (key === 'sso_session' || key === 'sso_start_url') current.kind = 'sso';
      else if (key === 'credential_process') current.kind = 'process';
      else if (key === 'role_arn') current.kind = 'role';
    }
  };
  read(configFile, true);
  read(credentialsFile, false);
  return [...profiles.values()].sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

/** A loopback endpoint (a local sandbox, LocalStack) needs no real credentials. */
export function isLoopbackEndpoint(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** True when some AWS credentials are configured (env or shared files), without resolving them. */
export function hasAwsCredentialsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  return listProfiles(env).length > 0;
}

/**
 * AWS's partitions as the AWS SDK's partitions data describes them (`@aws-sdk/core`'s
 * util-endpoints `partitions.json`): which region names belong to each, and its regional and
 * dual-stack DNS suffixes.
 */
export const AWS_PARTITIONS: ReadonlyArray<{ id: string; regionRegex: string; dnsSuffix: string; dualStackDnsSuffix: string }> = [
  { id: 'aws', regionRegex: '^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
  { id: 'aws-cn', regionRegex: '^cn\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { id: 'aws-eusc', regionRegex: '^eusc\\-(de)\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' },
  { id: 'aws-iso', regionRegex: '^us\\-iso\\-\\w+\\-\\d+$', dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { id: 'aws-iso-b', regionRegex: '^us\\-isob\\-\\w+\\-\\d+$', dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { id: 'aws-iso-e', regionRegex: '^eu\\-isoe\\-\\w+\\-\\d+$', dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
  { id: 'aws-iso-f', regionRegex: '^us\\-isof\\-\\w+\\-\\d+$', dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
  { id: 'aws-us-gov', regionRegex: '^us\\-gov\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
];

/**
 * The first label of the hosts of the services this extension calls: Lambda and CloudWatch
 * (`monitoring`), with their FIPS endpoints. Every other name under an AWS suffix may belong to
 * a customer (API Gateway, S3 buckets, load balancers, CloudFront), so it is not AWS here.
 */
const AWS_SERVICE_LABELS = ['lambda', 'lambda-fips', 'monitoring', 'monitoring-fips'];

/**
 * An https endpoint of Lambda or CloudWatch itself: `<service>.<region>.<partition suffix>`
 * (`lambda.eu-west-1.amazonaws.com`, `monitoring-fips.us-gov-west-1.amazonaws.com`,
 * `lambda.us-east-1.api.aws`), the region one of that partition's, written plainly: printable
 * ASCII (no name that only becomes AWS's after Unicode mapping), no user name, no port, no path,
 * query or fragment, no trailing dot.
 */
export function isAwsEndpoint(url: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(url)) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // Over plain http a session token would cross the network in clear.
  if (u.protocol !== 'https:') return false;
  if (u.username || u.password || u.port || u.search || u.hash || u.pathname !== '/') return false;
  const [service, region, ...rest] = u.hostname.split('.');
  if (!AWS_SERVICE_LABELS.includes(service) || !region || !/^[a-z0-9-]+$/.test(region)) return false;
  const suffix = rest.join('.');
  return AWS_PARTITIONS.some((p) => (suffix === p.dnsSuffix || suffix === p.dualStackDnsSuffix) && new RegExp(p.regionRegex).test(region));
}

/** Where a setting's effective value comes from, as `WorkspaceConfiguration.inspect()` tells it. */
export type SettingSource = 'default' | 'user' | 'workspace' | 'workspaceFolder';

export interface SettingInspection<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The layer a setting's value comes from: the workspace folder's settings win over the
 * workspace's, which win over the user's. In an untrusted workspace VS Code gives a restricted
 * setting the user's value only, so the workspace layers do not count then.
 */
export function settingSource<T>(inspect: SettingInspection<T> | undefined, workspaceLayersApply: boolean): SettingSource {
  if (!inspect) return 'default';
  if (workspaceLayersApply && inspect.workspaceFolderValue !== undefined) return 'workspaceFolder';
  if (workspaceLayersApply && inspect.workspaceValue !== undefined) return 'workspace';
  if (inspect.globalValue !== undefined) return 'user';
  return 'default';
}

/**
 * Whether to ask before sending requests signed with the user's credentials to `endpointUrl`:
 * only when a workspace (not the user) chose the endpoint and it is neither this machine nor
 * AWS's Lambda or CloudWatch. `key` identifies the answer to remember: the endpoint and the
 * profile whose credentials would sign the requests, since a yes for one profile says nothing
 * about another (the region changes no credential, so it is not part of it).
 */
export type EndpointConsent = { ask: false } | { ask: true; host: string; key: string };

export function endpointConsent(endpointUrl: string | undefined, source: SettingSource, profile?: string): EndpointConsent {
  if (!endpointUrl || source === 'user' || source === 'default') return { ask: false };
  if (isLoopbackEndpoint(endpointUrl) || isAwsEndpoint(endpointUrl)) return { ask: false };
  const key = (endpoint: string) => JSON.stringify([endpoint, profile ?? null]);
  try {
    const u = new URL(endpointUrl);
    // 'evil.example:4566' parses as a scheme and a path, with no host: asked about as written.
    return u.host ? { ask: true, host: u.host, key: key(`${u.protocol}//${u.host}`) } : { ask: true, host: endpointUrl, key: key(endpointUrl) };
  } catch {
    // Not a URL at all: asked about as written, rather than guessing where the SDK would send it.
    return { ask: true, host: endpointUrl, key: key(endpointUrl) };
  }
}
