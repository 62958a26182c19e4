import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { LambdaSend } from './lambdaApi';
import { getVersion, listAliases, listVersions } from './lambdaApi';
import { formatPercent, splitOf } from './routing';

/** A published version a new alias may point to, and what already serves it. */
export interface VersionChoice {
  version: string;
  description?: string;
  lastModified?: string;
  /** The aliases routing traffic to it: `prod`, `staging (canary 10%)`. */
  servedBy: string[];
}

/** What a new alias can point to: Active published versions, those aliases serve first. */
export interface NewAliasVersions {
  choices: VersionChoice[];
  /** Published versions not offered: not Active (Pending, Failed, Inactive), or past the newest MAX_CHECKED. */
  notOffered: number;
  published: number;
  /** The function's ARN (its account and region), as the listing gives it. */
  functionArn?: string;
}

/** The newest versions whose State is looked up (ListVersionsByFunction does not return State on AWS). */
export const MAX_CHECKED = 25;
const CONCURRENCY = 5;

/** Which aliases serve each version, and with what share. */
function servedBy(aliases: readonly AliasConfiguration[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (version: string, label: string) => out.set(version, [...(out.get(version) ?? []), label]);
  for (const a of aliases) {
    const s = splitOf(a);
    add(s.primary.version, s.canary ? `${a.Name} (${formatPercent(s.primary.weight)})` : String(a.Name));
    if (s.canary) add(s.canary.version, `${a.Name} (canary ${formatPercent(s.canary.weight)})`);
  }
  return out;
}

/**
 * The choices in the order offered: versions an alias already serves first (known to run), then
 * the others; newest first within each. Nothing is put first for being newest alone: the newest
 * may be one nobody has tried, or whose canary failed.
 */
export function orderVersionChoices(versions: readonly FunctionConfiguration[], aliases: readonly AliasConfiguration[]): VersionChoice[] {
  const served = servedBy(aliases);
  const choices = versions
    .filter((v) => v.Version !== undefined && v.Version !== '$LATEST')
    .sort((a, b) => Number(b.Version) - Number(a.Version))
    .map((v) => ({ version: v.Version!, description: v.Description || undefined, lastModified: v.LastModified, servedBy: served.get(v.Version!) ?? [] }));
  return [...choices.filter((c) => c.servedBy.length), ...choices.filter((c) => !c.servedBy.length)];
}

/**
 * The published versions of `functionName` a new alias may point to: only Active ones (State
 * read per version where the listing leaves it out), at most the newest MAX_CHECKED plus those an
 * alias serves.
 */
export async function newAliasVersions(lambda: LambdaSend, functionName: string, signal?: AbortSignal): Promise<NewAliasVersions> {
  const [versions, aliases] = await Promise.all([listVersions(lambda, functionName, signal), listAliases(lambda, functionName, signal)]);
  const published = versions.filter((v) => v.Version !== '$LATEST');
  const served = servedBy(aliases);
  const newest = new Set(published.slice(0, MAX_CHECKED).map((v) => v.Version));
  const candidates = published.filter((v) => newest.has(v.Version) || served.has(v.Version!));
  const states = new Map<string, string | undefined>();
  const queue = [...candidates];
  const worker = async () => {
    for (let v = queue.shift(); v; v = queue.shift()) states.set(v.Version!, v.State ?? (await getVersion(lambda, functionName, v.Version!, signal)).State);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  const active = candidates.filter((v) => states.get(v.Version!) === 'Active');
  const functionArn = versions.find((v) => v.Version === '$LATEST')?.FunctionArn;
  return { choices: orderVersionChoices(active, aliases), notOffered: published.length - active.length, published: published.length, ...(functionArn ? { functionArn } : {}) };
}

/**
 * The account and region of an ARN (`arn:aws:lambda:eu-west-1:123456789012:function:f:prod` →
 * `123456789012/eu-west-1`), or undefined when it is none.
 */
export function accountRegionOf(arn: string | undefined): string | undefined {
  const parts = arn?.split(':') ?? [];
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] && parts[3] ? `${parts[4]}/${parts[3]}` : undefined;
}

/**
 * Where the alias last deployed to from a workspace function is remembered: per account and
 * region too, so the same function name elsewhere (another account, a sandbox) starts afresh.
 */
export function deployAliasMemoryKey(where: { file: string; logicalId?: string }, functionName: string, accountRegion: string): string {
  return `lambdaCanary.deployAlias:${accountRegion}#${where.file}#${where.logicalId ?? ''}#${functionName}`;
}
