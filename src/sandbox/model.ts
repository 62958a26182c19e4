/** The sandbox's persistent model of functions, versions and aliases. Plain JSON-able data. */

export interface ImageConfig {
  EntryPoint?: string[];
  Command?: string[];
  WorkingDirectory?: string;
}

export interface FunctionSettings {
  /** Empty for an image function (its image holds the runtime and the command). */
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  /** An image function's overrides of its image's ENTRYPOINT, CMD and WORKDIR. */
  imageConfig?: ImageConfig;
}

/** An image function's code: the ECR image as given, and as resolved to its digest. */
export interface ImageRef {
  uri: string;
  /** `REGISTRY/REPOSITORY@sha256:DIGEST`. */
  resolvedUri: string;
}

export interface CodeRef {
  /** base64 SHA-256 of the zip, as Lambda reports CodeSha256; for an image, its digest in hex. */
  sha256: string;
  /** hex SHA-256: the blob's key in the blob store (an image's digest: no blob is stored for it). */
  blob: string;
  size: number;
  /** Set for an image function (PackageType Image). */
  image?: ImageRef;
}

export interface VersionRecord {
  /** '$LATEST' or '1', '2', … */
  version: string;
  settings: FunctionSettings;
  code: CodeRef;
  revisionId: string;
  lastModified: string;
  /** Epoch ms until which State is Pending (a new function or a fresh version). */
  pendingUntil: number;
  /** Epoch ms until which LastUpdateStatus is InProgress (after a code/config update). */
  updatingUntil: number;
  /** Set when the last update ends Failed (LastUpdateStatus Failed once updatingUntil passed). */
  updateFailure?: { code: string; reason: string };
  /** A published version's State is Failed once pendingUntil passed: it was published from a $LATEST whose update had Failed. */
  failure?: { code: string; reason: string };
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  routing: Record<string, number>;
  revisionId: string;
}

export interface FunctionRecord {
  name: string;
  latest: VersionRecord;
  /** Published versions in ascending order. */
  versions: VersionRecord[];
  aliases: Record<string, AliasRecord>;
  /** Number of the next published version: versions are never renumbered, even after deletes. */
  nextVersion: number;
  tags: Record<string, string>;
  /** What invokes the function besides Invoke calls (absent in records of earlier releases: none). */
  triggers?: TriggerRecords;
}

/**
 * An event source mapping, kept apart from its function's record (Lambda keeps a mapping whose
 * function is deleted: it fails to invoke, and GetEventSourceMapping still answers it).
 * `qualifier` is as the caller named it (absent: the unqualified function), so FunctionArn reads
 * back as given. State is `settled` (Enabled or Disabled) once `until` has passed, and
 * `transition` (Creating, Updating, Enabling, Disabling, Deleting) before.
 */
export interface MappingRecord {
  uuid: string;
  functionName: string;
  qualifier?: string;
  eventSourceArn: string;
  transition: MappingTransition;
  enabled: boolean;
  /** Epoch ms until which State is `transition`. */
  until: number;
  /** Epoch ms of the last change. */
  lastModified: number;
  /** The mapping's settings as Lambda answers them (BatchSize, FilterCriteria, …), JSON-able. */
  settings: Record<string, unknown>;
  tags: Record<string, string>;
}

export const MAPPING_TRANSITIONS = ['Creating', 'Updating', 'Enabling', 'Disabling', 'Deleting'] as const;
export type MappingTransition = (typeof MAPPING_TRANSITIONS)[number];

/** A function URL: on an alias, or on the unqualified function (qualifier absent). */
export interface UrlRecord {
  qualifier?: string;
  url: string;
  authType: 'NONE' | 'AWS_IAM';
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  cors?: Record<string, unknown>;
  creationTime: string;
  lastModifiedTime: string;
}

/** One statement of a resource-based policy, as Lambda writes it into the policy document. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | Record<string, string>;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/**
 * The resource-based policy of one qualifier ('$LATEST': the unqualified function). Its RevisionId
 * is that of the alias or version the qualifier names (records of earlier releases may still
 * carry a `revisionId` of their own: it is ignored).
 */
export interface PolicyRecord {
  qualifier: string;
  statements: PolicyStatement[];
}

/** Asynchronous invocation settings of one qualifier ('$LATEST': the unqualified function). */
export interface InvokeConfigRecord {
  qualifier: string;
  lastModified: number;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
}

/** A function's triggers kept in its record (its event source mappings are kept apart: see MappingRecord). */
export interface TriggerRecords {
  urls: UrlRecord[];
  policies: PolicyRecord[];
  invokeConfigs: InvokeConfigRecord[];
}

/**
 * Drops what belongs to a deleted alias or version: its URL, its resource-based policy and its
 * asynchronous invocation settings, as Lambda does. Event source mappings stay (Lambda keeps a
 * mapping whose function or qualifier is gone; it fails to invoke).
 */
export function dropQualifierTriggers(fn: FunctionRecord, qualifier: string): void {
  const t = fn.triggers;
  if (!t) return;
  t.urls = t.urls.filter((u) => u.qualifier !== qualifier);
  t.policies = t.policies.filter((p) => p.qualifier !== qualifier);
  t.invokeConfigs = t.invokeConfigs.filter((c) => c.qualifier !== qualifier);
}

/** The function's trigger records, created empty on first use. */
export function triggersOf(fn: FunctionRecord): TriggerRecords {
  return (fn.triggers ??= { urls: [], policies: [], invokeConfigs: [] });
}

export type FunctionState = 'Pending' | 'Active' | 'Failed';
export type UpdateStatus = 'InProgress' | 'Successful' | 'Failed';

export function stateOf(v: VersionRecord, now: number): FunctionState {
  if (now < v.pendingUntil) return 'Pending';
  return v.failure ? 'Failed' : 'Active';
}

export function updateStatusOf(v: VersionRecord, now: number): UpdateStatus {
  if (now < v.updatingUntil) return 'InProgress';
  return v.updateFailure ? 'Failed' : 'Successful';
}

export function isImage(v: VersionRecord): boolean {
  return v.code.image !== undefined;
}

/** What makes two versions "the same" for PublishVersion's nothing-changed rule. */
export function fingerprint(v: VersionRecord): string {
  const s = v.settings;
  const env = Object.keys(s.environment)
    .sort()
    .map((k) => [k, s.environment[k]]);
  return JSON.stringify([v.code.sha256, s.runtime, s.handler, s.role, s.timeout, s.memorySize, env, s.imageConfig ?? null]);
}

/** Lambda's LastModified format: 2024-05-01T12:00:00.000+0000 */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * Why a parsed state record cannot be used as a FunctionRecord, or undefined when it can. Checks
 * the shape the sandbox relies on, so a damaged record is set aside at load instead of failing
 * requests later.
 */
export function recordProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  if (typeof v.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(v.name)) return 'no valid function name';
  const latest = versionProblem(v.latest);
  if (latest) return `$LATEST: ${latest}`;
  if (!Array.isArray(v.versions)) return 'versions is not a list';
  for (const [i, x] of v.versions.entries()) {
    const p = versionProblem(x);
    if (p) return `version ${i + 1}: ${p}`;
  }
  if (!isObject(v.aliases)) return 'aliases is not an object';
  for (const [k, a] of Object.entries(v.aliases)) {
    if (!isObject(a) || a.name !== k || typeof a.functionVersion !== 'string' || typeof a.revisionId !== 'string' || typeof a.description !== 'string' || !isNumberMap(a.routing)) {
      return `alias ${k} is incomplete`;
    }
  }
  if (typeof v.nextVersion !== 'number' || !Number.isInteger(v.nextVersion)) return 'nextVersion is not a number';
  // Triggers and tags are not checked here: earlier releases stored whatever Tags a request sent, and such a
  // record is repaired at load (see repairTags, repairTriggers) rather than set aside.
  return undefined;
}

/**
 * Keeps only the string tags of a loaded record (earlier releases accepted `Tags: "x"` or
 * numbers); returns the keys dropped, or undefined when the tags were fine.
 */
export function repairTags(fn: FunctionRecord): string[] | undefined {
  const tags = fn.tags as unknown;
  if (isStringMap(tags)) return undefined;
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  if (isObject(tags)) {
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v === 'string') Object.defineProperty(kept, k, { value: v, enumerable: true, writable: true, configurable: true });
      else dropped.push(k);
    }
  } else dropped.push(JSON.stringify(tags));
  fn.tags = kept;
  return dropped;
}

/**
 * Keeps only the well-formed trigger entries of a loaded record: one malformed entry (written by
 * hand, or by an earlier release) is dropped, not the whole function. Event source mappings found
 * in the record (where earlier releases kept them) are taken out and returned, to be stored apart.
 * Returns what was dropped, one phrase each.
 */
export function repairTriggers(fn: FunctionRecord): { dropped: string[]; mappings: MappingRecord[]; changed: boolean } {
  const raw = fn.triggers as unknown;
  const out = { dropped: [] as string[], mappings: [] as MappingRecord[], changed: false };
  if (raw === undefined) return out;
  out.changed = true;
  if (!isObject(raw)) {
    out.dropped.push('its triggers (not an object)');
    delete fn.triggers;
    return out;
  }
  const list = (k: string, what: string): unknown[] => {
    const v = raw[k];
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    out.dropped.push(`its ${what} (not a list)`);
    return [];
  };
  const keep = <T>(items: unknown[], what: string, problem: (x: Record<string, unknown>) => boolean): T[] =>
    items.filter((x, i) => {
      if (isObject(x) && !problem(x)) return true;
      out.dropped.push(`${what} ${i + 1} (incomplete)`);
      return false;
    }) as T[];
  for (const m of keep<MappingRecord>(list('mappings', 'event source mappings'), 'event source mapping', (m) => mappingProblem({ ...m, functionName: fn.name }) !== undefined)) {
    out.mappings.push({ ...m, functionName: fn.name });
  }
  const optionalString = (x: unknown) => x === undefined || typeof x === 'string';
  const urls = keep<UrlRecord>(list('urls', 'function URLs'), 'function URL', (u) =>
    typeof u.url !== 'string' || !optionalString(u.qualifier) || (u.authType !== 'NONE' && u.authType !== 'AWS_IAM') || (u.invokeMode !== 'BUFFERED' && u.invokeMode !== 'RESPONSE_STREAM') ||
    typeof u.creationTime !== 'string' || typeof u.lastModifiedTime !== 'string' || (u.cors !== undefined && !isObject(u.cors)),
  );
  const policies = keep<PolicyRecord>(list('policies', 'policies'), 'policy', (p) =>
    typeof p.qualifier !== 'string' || !Array.isArray(p.statements) || !p.statements.every((s) => isObject(s) && typeof s.Sid === 'string'),
  ).map((p) => ({ qualifier: p.qualifier, statements: p.statements }));
  const invokeConfigs = keep<InvokeConfigRecord>(list('invokeConfigs', 'asynchronous invocation configurations'), 'asynchronous invocation configuration', (c) =>
    typeof c.qualifier !== 'string' || typeof c.lastModified !== 'number' || !optionalString(c.onSuccess) || !optionalString(c.onFailure) ||
    (c.maximumRetryAttempts !== undefined && typeof c.maximumRetryAttempts !== 'number') || (c.maximumEventAgeInSeconds !== undefined && typeof c.maximumEventAgeInSeconds !== 'number'),
  );
  const hadRevisions = Array.isArray(raw.policies) && raw.policies.some((p) => isObject(p) && 'revisionId' in p);
  fn.triggers = { urls, policies, invokeConfigs };
  out.changed = out.dropped.length > 0 || out.mappings.length > 0 || 'mappings' in raw || hadRevisions;
  return out;
}

/** Why a parsed mapping record cannot be used, or undefined when it can. */
export function mappingProblem(m: unknown): string | undefined {
  if (!isObject(m)) return 'not a JSON object';
  if (typeof m.uuid !== 'string' || !/^[0-9a-f-]{36}$/.test(m.uuid)) return 'no valid UUID';
  if (typeof m.functionName !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(m.functionName)) return 'no valid function name';
  if (m.qualifier !== undefined && typeof m.qualifier !== 'string') return 'qualifier is not a string';
  if (typeof m.eventSourceArn !== 'string') return 'eventSourceArn missing';
  if (!(MAPPING_TRANSITIONS as readonly unknown[]).includes(m.transition)) return 'transition is not Creating, Updating, Enabling, Disabling or Deleting';
  if (typeof m.enabled !== 'boolean' || typeof m.until !== 'number' || typeof m.lastModified !== 'number') return 'enabled, until or lastModified missing';
  if (!isObject(m.settings) || !isStringMap(m.tags)) return 'settings or tags incomplete';
  return undefined;
}

function versionProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'missing';
  if (typeof v.version !== 'string' || typeof v.revisionId !== 'string' || typeof v.lastModified !== 'string') return 'version, revisionId or lastModified missing';
  if (typeof v.pendingUntil !== 'number' || typeof v.updatingUntil !== 'number') return 'pendingUntil or updatingUntil missing';
  const s = v.settings;
  if (!isObject(s)) return 'settings missing';
  for (const k of ['runtime', 'handler', 'role', 'description']) if (typeof s[k] !== 'string') return `settings.${k} missing`;
  for (const k of ['timeout', 'memorySize']) if (typeof s[k] !== 'number') return `settings.${k} missing`;
  if (!isStringMap(s.environment)) return 'settings.environment is not a map of strings';
  if (s.imageConfig !== undefined && !isImageConfig(s.imageConfig)) return 'settings.imageConfig is not an image configuration';
  const c = v.code;
  if (!isObject(c) || typeof c.sha256 !== 'string' || typeof c.blob !== 'string' || !/^[0-9a-f]{64}$/.test(c.blob) || typeof c.size !== 'number') return 'code reference missing';
  if (c.image !== undefined && (!isObject(c.image) || typeof c.image.uri !== 'string' || typeof c.image.resolvedUri !== 'string')) return 'image reference incomplete';
  for (const k of ['updateFailure', 'failure']) {
    const f = v[k];
    if (f !== undefined && (!isObject(f) || typeof f.code !== 'string' || typeof f.reason !== 'string')) return `${k} is incomplete`;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isImageConfig(v: unknown): boolean {
  if (!isObject(v)) return false;
  const list = (x: unknown) => x === undefined || (Array.isArray(x) && x.every((s) => typeof s === 'string'));
  return list(v.EntryPoint) && list(v.Command) && (v.WorkingDirectory === undefined || typeof v.WorkingDirectory === 'string');
}

function isStringMap(v: unknown): boolean {
  return isObject(v) && Object.values(v).every((x) => typeof x === 'string');
}

function isNumberMap(v: unknown): boolean {
  return isObject(v) && Object.values(v).every((x) => typeof x === 'number');
}
