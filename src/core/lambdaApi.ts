import type { AliasConfiguration, FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';

/** The narrow slice of the Lambda client that core code depends on. */
export type LambdaSend = Pick<LambdaClient, 'send'>;

/**
 * Every function of the region, page by page as they arrive (≤ 50 per ListFunctions call).
 *
 * Pages come one after another (each names the marker of the next), so the request for the
 * next page leaves as soon as a page is in, before the caller handles it: drawing the tree
 * overlaps the next round trip instead of adding to it.
 */
export async function* listFunctionPages(lambda: LambdaSend, signal?: AbortSignal): AsyncGenerator<FunctionConfiguration[]> {
  // The next page's request is in flight while the caller handles a page: if the caller stops
  // there (or is aborted), that request is cancelled rather than left to run.
  const inFlight = new AbortController();
  const forward = () => inFlight.abort(signal?.reason);
  if (signal?.aborted) forward();
  signal?.addEventListener('abort', forward, { once: true });
  const request = (marker: string | undefined) => {
    const page = lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 50 }), { abortSignal: inFlight.signal });
    // Awaited on the next turn of the loop, or never if the caller stops first.
    page.catch(() => undefined);
    return page;
  };
  try {
    let next = request(undefined);
    for (;;) {
      const page = await next;
      // A page that arrived after an abort is not handed on.
      if (signal?.aborted) throw abortError(signal);
      const marker = page.NextMarker || undefined;
      if (marker) next = request(marker);
      yield page.Functions ?? [];
      if (!marker) return;
    }
  } finally {
    signal?.removeEventListener('abort', forward);
    inFlight.abort();
  }
}

function abortError(signal: AbortSignal): Error {
  const e = new Error('Request aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}

const byName = (a: FunctionConfiguration, b: FunctionConfiguration) => (a.FunctionName ?? '').localeCompare(b.FunctionName ?? '');

/**
 * What the Functions view shows while pages arrive: after each page, every function listed so
 * far, sorted by name. Each page is merged into the sorted list (linear), not re-sorted whole.
 */
export async function* listFunctionsSoFar(lambda: LambdaSend, signal?: AbortSignal): AsyncGenerator<FunctionConfiguration[]> {
  let acc: FunctionConfiguration[] = [];
  for await (const page of listFunctionPages(lambda, signal)) {
    acc = mergeByName(acc, page);
    yield acc;
  }
}

/** `sorted` (by name) with `page` merged in, as a new sorted list. */
export function mergeByName(sorted: FunctionConfiguration[], page: FunctionConfiguration[]): FunctionConfiguration[] {
  const next = [...page].sort(byName);
  const merged: FunctionConfiguration[] = [];
  let i = 0;
  let j = 0;
  while (i < sorted.length || j < next.length) {
    merged.push(j >= next.length || (i < sorted.length && byName(sorted[i], next[j]) <= 0) ? sorted[i++] : next[j++]);
  }
  return merged;
}

export async function listAllFunctions(lambda: LambdaSend, signal?: AbortSignal): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  for await (const page of listFunctionPages(lambda, signal)) all.push(...page);
  return all;
}

/**
 * Every item of a paged listing (Lambda's Marker, CodeDeploy's nextToken): `page(marker)` answers a
 * page's items and the next marker. `limit`: no further page is asked once this many are in.
 */
export async function allPages<T>(page: (marker: string | undefined) => Promise<[T[] | undefined, string | undefined]>, limit = Infinity): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const [items, next] = await page(marker);
    all.push(...(items ?? []));
    marker = next || undefined;
  } while (marker && all.length < limit);
  return all;
}

export async function listAliases(lambda: LambdaSend, functionName: string, signal?: AbortSignal): Promise<AliasConfiguration[]> {
  const all = await allPages(async (Marker) => {
    const page = await lambda.send(new ListAliasesCommand({ FunctionName: functionName, Marker, MaxItems: 50 }), { abortSignal: signal });
    return [page.Aliases, page.NextMarker];
  });
  return all.sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
}

/** $LATEST first, then published versions newest first. */
export async function listVersions(lambda: LambdaSend, functionName: string, signal?: AbortSignal): Promise<FunctionConfiguration[]> {
  const all = await allPages(async (Marker) => {
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker, MaxItems: 50 }), { abortSignal: signal });
    return [page.Versions, page.NextMarker];
  });
  const latest = all.filter((v) => v.Version === '$LATEST');
  const published = all.filter((v) => v.Version !== '$LATEST').sort((a, b) => Number(b.Version) - Number(a.Version));
  return [...latest, ...published];
}

export function getAlias(lambda: LambdaSend, functionName: string, aliasName: string, signal?: AbortSignal): Promise<AliasConfiguration> {
  return lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasName }), { abortSignal: signal });
}

export function getVersion(lambda: LambdaSend, functionName: string, version: string, signal?: AbortSignal): Promise<FunctionConfiguration> {
  return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: version }), { abortSignal: signal });
}

export function errorName(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? '';
}

/**
 * GetFunction of $LATEST: its configuration and, for an image function, the image URI it was given
 * (Code.ImageUri; undefined for a zip function) and the digest Lambda resolved it to (Code.ResolvedImageUri).
 */
export async function getLatestFunction(lambda: LambdaSend, functionName: string, signal?: AbortSignal): Promise<FunctionConfiguration & { imageUri?: string; resolvedImageUri?: string }> {
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }), { abortSignal: signal });
  return { ...(got.Configuration ?? {}), imageUri: got.Code?.ImageUri, resolvedImageUri: got.Code?.ResolvedImageUri };
}
