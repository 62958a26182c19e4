import type { AliasConfiguration, FunctionConfiguration, LambdaClient, ListFunctionsCommandInput, ListFunctionsCommandOutput } from '@aws-sdk/client-lambda';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import {
  GetAliasCommand,
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
 * Pages can only be fetched one after another (each names the marker of the next), so whatever
 * happens between one page's bytes arriving and the next request leaving adds to every page.
 * While a page is on its way, the request for the next one is therefore already built (all of
 * the SDK's work up to its signature) and waits for the marker; it is signed and leaves as soon
 * as the page's raw body is in and names that marker. The SDK turning the page's 50
 * configurations into objects (about a millisecond here) and the caller handling the page
 * (drawing the tree) then overlap the next round trip instead of adding to it.
 */
export async function* listFunctionPages(lambda: LambdaSend, signal?: AbortSignal): AsyncGenerator<FunctionConfiguration[]> {
  // The request for the next page is in flight while the caller handles a page: if the caller
  // stops there (or a page fails), that request is cancelled rather than left to run.
  const inFlight = new AbortController();
  const forward = () => inFlight.abort(signal?.reason);
  if (signal?.aborted) forward();
  signal?.addEventListener('abort', forward, { once: true });
  try {
    let current = requestFunctionPage(lambda, undefined, inFlight.signal);
    for (;;) {
      const next = requestFunctionPage(lambda, current.nextMarker, inFlight.signal);
      const page = await current.page;
      const marker = await current.nextMarker;
      if ((page.NextMarker || undefined) !== marker) throw new Error('ListFunctions: the page names another NextMarker than its raw body did.');
      yield page.Functions ?? [];
      // After the last page the prepared request never leaves (see requestFunctionPage).
      if (!marker) return;
      current = next;
    }
  } finally {
    signal?.removeEventListener('abort', forward);
    inFlight.abort();
  }
}

interface PageRequest {
  page: Promise<ListFunctionsCommandOutput>;
  /** The page's NextMarker (undefined on the last page): as soon as its body is in, or else with `page`. */
  nextMarker: Promise<string | undefined>;
}

/**
 * A ListFunctions request for the page after `marker`: the first page when there is none; else
 * it is built at once and held just before signing until the marker is known, and refused
 * there (never sent) if there is no next page.
 */
function requestFunctionPage(lambda: LambdaSend, marker: Promise<string | undefined> | undefined, signal: AbortSignal): PageRequest {
  const command = new ListFunctionsCommand({ MaxItems: 50 });
  if (marker) {
    const hold: FinalizeRequestMiddleware<ListFunctionsCommandInput, ListFunctionsCommandOutput> = (next) => async (args) => {
      // A failed page's error is not this request's: it must not be retried as one.
      const known = await marker.catch(() => undefined);
      if (!known) throw new Error('ListFunctions: there is no next page.');
      const request = args.request as { query?: Record<string, string | string[] | null> };
      request.query = { ...request.query, Marker: known };
      return next(args);
    };
    // Held as late as possible: everything up to signing is done while the page is on its way.
    command.middlewareStack.addRelativeTo(hold, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'lambdaCanaryHeldMarker' });
  }
  let peek: (marker: string | undefined) => void = () => undefined;
  const peeked = new Promise<string | undefined>((resolve) => (peek = resolve));
  // Innermost in the deserialize step: it sees each raw HTTP response (of every attempt) before
  // the SDK's deserializer does, reads the body once and hands it on as bytes.
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (response.statusCode === 200 && isNodeStream(response.body)) {
        let body: Uint8Array;
        try {
          body = await readAll(response.body);
        } catch (e) {
          throw signal.aborted ? abortError(signal) : e;
        }
        response.body = body;
        const found = nextMarkerOf(body);
        if (found !== null) {
          peek(found);
          // Let the next request (held for this marker) reach the socket before this page is
          // deserialized; otherwise the two interleave and the request waits.
          if (found !== undefined) await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'lambdaCanaryNextMarker' },
  );
  const page = lambda.send(command, { abortSignal: signal });
  const nextMarker = Promise.race([peeked, page.then((p) => p.NextMarker || undefined)]);
  // Both are awaited later, or never if the caller stops early or an earlier page failed.
  page.catch(() => undefined);
  nextMarker.catch(() => undefined);
  return { page, nextMarker };
}

function isNodeStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof body === 'object' && body !== null && typeof (body as NodeJS.ReadableStream).on === 'function' && typeof (body as NodeJS.ReadableStream).read === 'function';
}

/**
 * The whole body as a plain Uint8Array, as the SDK's own stream collector makes it. The SDK
 * re-prototypes the bytes it is given; done to a Node Buffer that cost several milliseconds of
 * deoptimised code per page. Read by events, so the next page's request is released in the very
 * turn the body ends. A connection lost mid-body rejects with the socket's error (ECONNRESET,
 * which the SDK retries), as the SDK's own reading would; a stream closed without an end or an
 * error (destroyed) rejects too, rather than leaving the page waiting.
 */
export function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (error?: Error) => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', done);
      stream.removeListener('close', onClose);
      if (error) return reject(error);
      // One chunk (the usual case for a page): a plain view of its bytes, without a copy.
      if (chunks.length === 1) return resolve(new Uint8Array(chunks[0].buffer, chunks[0].byteOffset, chunks[0].byteLength));
      const all = new Uint8Array(length);
      let offset = 0;
      for (const c of chunks) {
        all.set(c, offset);
        offset += c.byteLength;
      }
      resolve(all);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      length += bytes.byteLength;
    };
    const onEnd = () => done();
    const onClose = () => done(Object.assign(new Error('The response closed before its body ended.'), { code: 'ECONNRESET' }));
    const state = stream as NodeJS.ReadableStream & { destroyed?: boolean; readableEnded?: boolean };
    if (state.destroyed || state.readableEnded) return onClose();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', done);
    stream.once('close', onClose);
    stream.resume();
  });
}

function abortError(signal: AbortSignal): Error {
  const e = new Error('Request aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}

/**
 * The NextMarker a ListFunctions body names: the marker, undefined on the last page, or null
 * when the body is not a page (then the SDK's own reading of it decides).
 *
 * The next request waits for this, so a page laid out as AWS lays it out (the functions, then
 * the marker) is read at its ends only. Any other layout is parsed whole.
 */
export function nextMarkerOf(body: Uint8Array): string | undefined | null {
  const quick = markerAtEnds(body);
  if (quick !== null) return quick;
  let page: unknown;
  try {
    page = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof page !== 'object' || page === null || !Array.isArray((page as { Functions?: unknown }).Functions)) return null;
  const marker = (page as { NextMarker?: unknown }).NextMarker;
  if (marker === undefined || marker === null || marker === '') return undefined;
  return typeof marker === 'string' ? marker : null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const NEXT_MARKER = Buffer.from('"NextMarker"');
const FUNCTIONS = Buffer.from('"Functions"');

/**
 * The marker of `{"Functions":[…],"NextMarker":"…"}` (the layout AWS sends), read from the two
 * ends without parsing the functions; null for any other layout or no marker, which is then
 * parsed whole. A string member just before the closing brace is a member of the outer object,
 * and of two members of one name JSON.parse keeps the last, so for a valid page this reads what
 * a parser would. A body that is not valid JSON between its ends still names a marker here: the
 * next request then leaves for a page that fails, and the listing stops there and cancels it.
 */
function markerAtEnds(b: Uint8Array): string | null {
  let i = skipSpace(b, 0, 1);
  if (b[i] !== 0x7b) return null; // {
  i = skipSpace(b, i + 1, 1);
  if (!startsWith(b, i, FUNCTIONS)) return null;
  i = skipSpace(b, i + FUNCTIONS.length, 1);
  if (b[i] !== 0x3a || b[skipSpace(b, i + 1, 1)] !== 0x5b) return null; // : [
  // From the end: } "…" : "NextMarker" ,
  let j = skipSpace(b, b.length - 1, -1);
  if (b[j] !== 0x7d) return null;
  j = skipSpace(b, j - 1, -1);
  if (b[j] !== QUOTE || escaped(b, j)) return null;
  const close = j;
  do j--;
  while (j > 0 && (b[j] !== QUOTE || escaped(b, j)));
  const open = j;
  if (b[open] !== QUOTE) return null;
  j = skipSpace(b, open - 1, -1);
  if (b[j] !== 0x3a) return null;
  j = skipSpace(b, j - 1, -1) - NEXT_MARKER.length + 1;
  if (!startsWith(b, j, NEXT_MARKER) || b[skipSpace(b, j - 1, -1)] !== 0x2c) return null; // ,
  return stringValue(b, open, close);
}

function skipSpace(b: Uint8Array, i: number, step: 1 | -1): number {
  while (i >= 0 && i < b.length && isSpace(b[i])) i += step;
  return i;
}

function startsWith(b: Uint8Array, at: number, what: Uint8Array): boolean {
  if (at < 0 || at + what.length > b.length) return false;
  for (let k = 0; k < what.length; k++) if (b[at + k] !== what[k]) return false;
  return true;
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function escaped(b: Uint8Array, at: number): boolean {
  let n = 0;
  while (at - n - 1 >= 0 && b[at - n - 1] === BACKSLASH) n++;
  return n % 2 === 1;
}

/** The JSON string between the quotes at `open` and `close`; null (parse whole) if it is empty or not a string. */
function stringValue(b: Uint8Array, open: number, close: number): string | null {
  if (close >= b.length || close - open < 2) return null;
  const raw = Buffer.from(b.buffer, b.byteOffset + open, close - open + 1);
  if (!raw.includes(BACKSLASH)) return raw.toString('utf8', 1, raw.length - 1);
  try {
    return JSON.parse(raw.toString('utf8')) as string;
  } catch {
    return null;
  }
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

export async function listAliases(lambda: LambdaSend, functionName: string, signal?: AbortSignal): Promise<AliasConfiguration[]> {
  const all: AliasConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListAliasesCommand({ FunctionName: functionName, Marker: marker, MaxItems: 50 }), { abortSignal: signal });
    all.push(...(page.Aliases ?? []));
    marker = page.NextMarker;
  } while (marker);
  return all.sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
}

/** $LATEST first, then published versions newest first. */
export async function listVersions(lambda: LambdaSend, functionName: string, signal?: AbortSignal): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker, MaxItems: 50 }), {
      abortSignal: signal,
    });
    all.push(...(page.Versions ?? []));
    marker = page.NextMarker;
  } while (marker);
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
