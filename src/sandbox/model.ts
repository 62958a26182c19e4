/** The sandbox's persistent model of functions, versions and aliases. Plain JSON-able data. */

export interface FunctionSettings {
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
}

export interface CodeRef {
  /** base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  sha256: string;
  /** hex SHA-256: the blob's key in the blob store. */
  blob: string;
  size: number;
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
}

export type FunctionState = 'Pending' | 'Active' | 'Failed';
export type UpdateStatus = 'InProgress' | 'Successful' | 'Failed';

export function stateOf(v: VersionRecord, now: number): FunctionState {
  return now < v.pendingUntil ? 'Pending' : 'Active';
}

export function updateStatusOf(v: VersionRecord, now: number): UpdateStatus {
  return now < v.updatingUntil ? 'InProgress' : 'Successful';
}

/** What makes two versions "the same" for PublishVersion's nothing-changed rule. */
export function fingerprint(v: VersionRecord): string {
  const s = v.settings;
  const env = Object.keys(s.environment)
    .sort()
    .map((k) => [k, s.environment[k]]);
  return JSON.stringify([v.code.sha256, s.runtime, s.handler, s.role, s.timeout, s.memorySize, env]);
}

/** Lambda's LastModified format: 2024-05-01T12:00:00.000+0000 */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
