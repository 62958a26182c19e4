import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionSpec } from '../connection';
import { connectionLabel } from '../connection';
import type { ActionName, Outcome } from '../outcome';
import { ACTION_NAMES, targetKey } from '../outcome';
import { currentUser } from '../user';

/**
 * The deployment journal: every outcome, success or failure, as one line of JSON in
 * `<dir>/journal.jsonl`. Switch Back, resume and history read it back, in this process or in a
 * later one (a window reload, another CLI run), so nothing they need lives only in memory.
 *
 * Several writers may share a directory (two windows, a CLI in a terminal): each append is one
 * `write` of a whole line to a file opened with O_APPEND, which the kernel places at the end of
 * the file without interleaving it with another writer's line. A crash can still leave half a
 * line, which the next append then continues; readers split such a line at its records' starts,
 * skip the broken piece and say so, and read the whole records.
 */

export interface JournalClient {
  kind: 'vscode' | 'cli';
  version: string;
}

export interface JournalRecord {
  v: 1;
  /** = outcome.id */
  id: string;
  /** ISO time of the append. */
  at: string;
  /** targetKey(outcome.target): account/region/function:alias, never a display label. */
  key: string;
  by: { user: string; host: string; client: JournalClient['kind']; clientVersion: string };
  connection: { kind: 'sandbox' | 'aws'; label: string; profile?: string; endpoint?: string };
  outcome: Outcome;
  /** For later features: the rollout / release record this one belongs to. */
  parent?: string;
}

export interface JournalRead {
  records: JournalRecord[];
  /** Human sentences about lines that were skipped. */
  problems: string[];
}

export interface JournalFilter {
  key?: string;
  functionName?: string;
  aliasName?: string;
  /** Records appended at or after this time. */
  since?: Date;
  /** The newest N records (after the other filters). */
  limit?: number;
}

export interface JournalOptions {
  client?: JournalClient;
  user?: string;
  host?: string;
  /**
   * fsync after each append (default true): a record Switch Back depends on then survives a power
   * loss too. It costs about a millisecond on an SSD, against seconds for the action it records.
   */
  fsync?: boolean;
}

/** The journal's file name inside its directory. */
export const JOURNAL_FILE = 'journal.jsonl';
/** The version of the record format this code writes and reads. */
export const JOURNAL_VERSION = 1;
/**
 * No record comes near this (an outcome is a few KiB); a line longer than this is not one of
 * ours, and is skipped without being held in memory.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Problems beyond this many are summed up in one sentence. */
const MAX_PROBLEMS = 20;

/** Actions whose done outcome moves an alias's primary version: what Switch Back undoes (a rollout's promotion is one). */
const SWITCH_ACTIONS: ReadonlySet<ActionName> = new Set<ActionName>(['switch', 'promote', 'switch-back', 'rollout', 'return']);
const ACTIONS: ReadonlySet<string> = new Set<ActionName>(ACTION_NAMES);
const STATES: ReadonlySet<string> = new Set(['done', 'unchanged', 'unknown']);

export class Journal {
  readonly file: string;
  private readonly client: JournalClient;
  private readonly user: string;
  private readonly host: string;
  private readonly fsync: boolean;
  private readonly listeners = new Set<(r: JournalRecord) => void>();
  /** Appends of this instance, one after another, so listeners see them in file order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    options: JournalOptions = {},
  ) {
    this.file = path.join(dir, JOURNAL_FILE);
    this.client = options.client ?? { kind: 'cli', version: 'unknown' };
    this.user = options.user ?? currentUser();
    this.host = options.host ?? currentHost();
    this.fsync = options.fsync ?? true;
  }

  /** Appends the outcome as one record; resolves once it is in the file. */
  append(outcome: Outcome, extra: { connection: JournalRecord['connection']; parent?: string }): Promise<JournalRecord> {
    const run = this.queue.then(() => this.appendNow(outcome, extra));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(outcome: Outcome, extra: { connection: JournalRecord['connection']; parent?: string }): Promise<JournalRecord> {
    if (!outcome || typeof outcome.id !== 'string' || outcome.id === '') throw new TypeError('The journal cannot record an outcome without an id.');
    if (!outcome.target || typeof outcome.target.function !== 'string' || typeof outcome.target.alias !== 'string') {
      throw new TypeError(`The journal cannot record outcome ${outcome.id}: it names no function and alias.`);
    }
    const { connection } = extra;
    const record: JournalRecord = {
      v: JOURNAL_VERSION,
      id: outcome.id,
      at: new Date().toISOString(),
      key: targetKey(outcome.target),
      by: { user: this.user, host: this.host, client: this.client.kind, clientVersion: this.client.version },
      connection: {
        kind: connection.kind,
        // A label may quote an endpoint (`local · http://…`): cleaned as the endpoint is.
        label: connection.label.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => withoutUserInfo(url)),
        ...(connection.profile ? { profile: connection.profile } : {}),
        ...(connection.endpoint ? { endpoint: withoutUserInfo(connection.endpoint) } : {}),
      },
      outcome,
      ...(extra.parent ? { parent: extra.parent } : {}),
    };
    const json = JSON.stringify(record);
    const size = Buffer.byteLength(json);
    if (size > MAX_RECORD_BYTES) {
      throw new RangeError(`The journal record of outcome ${outcome.id} is ${size} bytes, more than the ${MAX_RECORD_BYTES} bytes a record may have; it was not written.`);
    }

    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    // O_APPEND: each record is one write at the end of the file, whole, whoever else appends.
    // A line a crash left unterminated gets this record appended to it: the reader finds the
    // record's start in that line (see scan). Looking at the file's last byte first instead
    // would race with another process's append in flight.
    const handle = await fs.promises.open(this.file, 'a', 0o600);
    try {
      const buf = Buffer.from(`${json}\n`, 'utf8');
      let offset = 0;
      while (offset < buf.length) {
        const { bytesWritten } = await handle.write(buf, offset, buf.length - offset, null);
        offset += bytesWritten;
      }
      if (this.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(record);
      } catch {
        // A listener's failure is its own: the record is written and the other listeners still hear of it.
      }
    }
    return record;
  }

  /** Records oldest first, newest last, with a sentence for every line that was skipped. */
  async read(filter: JournalFilter = {}): Promise<JournalRead> {
    const limit = filter.limit === undefined ? Infinity : Math.max(0, Math.floor(filter.limit));
    const since = filter.since?.getTime();
    const records: JournalRecord[] = [];
    const problems = await this.scan((r) => {
      if (filter.key !== undefined && r.key !== filter.key) return;
      if (filter.functionName !== undefined && r.outcome.target.function !== filter.functionName) return;
      if (filter.aliasName !== undefined && r.outcome.target.alias !== filter.aliasName) return;
      if (since !== undefined && !(Date.parse(r.at) >= since)) return;
      records.push(r);
      if (records.length > limit) records.shift();
    });
    return { records, problems };
  }

  /** The last blue/green move of an alias that Switch Back can undo, from the journal. */
  async lastSwitch(key: string, match?: (r: JournalRecord) => boolean): Promise<{ from: string; to: string; record: JournalRecord } | undefined> {
    return (await this.lastSwitches([key], match)).get(key);
  }

  /**
   * lastSwitch of several aliases in one pass over the file. `match`: only records it accepts
   * count, e.g. those of the same connection (two local endpoints share account ids).
   */
  async lastSwitches(keys: Iterable<string>, match?: (r: JournalRecord) => boolean): Promise<Map<string, { from: string; to: string; record: JournalRecord }>> {
    const wanted = new Set(keys);
    const last = new Map<string, { from: string; to: string; record: JournalRecord }>();
    await this.scan((record) => {
      const { outcome } = record;
      if (!wanted.has(record.key) || outcome.state !== 'done' || !SWITCH_ACTIONS.has(outcome.action)) return;
      if (match && !match(record)) return;
      const from = outcome.before?.version;
      const to = outcome.after?.version;
      if (from !== undefined && to !== undefined && from !== to) last.set(record.key, { from, to, record });
    });
    return last;
  }

  /** The records of rollouts (action 'rollout'), oldest first, with their keys; `match` as for lastSwitches. */
  rollouts(match?: (r: JournalRecord) => boolean): Promise<Array<Outcome & { key: string }>> {
    return this.ofAction('rollout', match);
  }

  /** The records of CodeDeploy rollouts (action 'codedeploy'), oldest first, with their keys; `match` as for lastSwitches. */
  codeDeploys(match?: (r: JournalRecord) => boolean): Promise<Array<Outcome & { key: string }>> {
    return this.ofAction('codedeploy', match);
  }

  /** The records of releases (action 'release'), oldest first, with their keys; `match` as for lastSwitches. */
  releases(match?: (r: JournalRecord) => boolean): Promise<Array<Outcome & { key: string }>> {
    return this.ofAction('release', match);
  }

  private async ofAction(action: Outcome['action'], match?: (r: JournalRecord) => boolean): Promise<Array<Outcome & { key: string }>> {
    const out: Array<Outcome & { key: string }> = [];
    await this.scan((record) => {
      if (record.outcome.action !== action || (match && !match(record))) return;
      out.push({ ...record.outcome, key: record.key });
    });
    return out;
  }

  /**
   * The records about one alias (its targetKey), any action, oldest first, appended at or after
   * `since`; `match` as for lastSwitches. History reads this.
   */
  async history(key: string, since?: Date, match?: (r: JournalRecord) => boolean): Promise<JournalRead> {
    const from = since?.getTime();
    const records: JournalRecord[] = [];
    const problems = await this.scan((record) => {
      if (record.key !== key || (match && !match(record))) return;
      if (from !== undefined && !(Date.parse(record.at) >= from)) return;
      records.push(record);
    });
    return { records, problems };
  }

  /** Streams the file's records to `onRecord`; returns the problems with the lines it skipped. */
  private async scan(onRecord: (r: JournalRecord) => void): Promise<string[]> {
    const problems: string[] = [];
    let skipped = 0;
    const problem = (text: string) => {
      skipped++;
      if (problems.length < MAX_PROBLEMS) problems.push(text);
    };
    await forEachLine(this.file, (line, n, complete) => {
      if (line.oversized) return problem(`line ${n} of ${this.file} is longer than ${MAX_RECORD_BYTES} bytes, so it is not a journal record; it was skipped`);
      if (line.text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        // A record appended after a line a crash cut short shares that line: records start at
        // '{"v":' (inside a JSON string that sequence is always escaped, \").
        const pieces = splitRecords(line.text);
        if (pieces.records.length > 0) {
          if (pieces.incomplete > 0) problem(`line ${n} of ${this.file} holds ${pieces.incomplete === 1 ? 'an incomplete record' : `${pieces.incomplete} incomplete records`} (an append was interrupted), skipped, and ${pieces.records.length} whole ${pieces.records.length === 1 ? 'record' : 'records'}, read`);
          for (const r of pieces.records) onRecord(r);
          return;
        }
        return problem(
          complete
            ? `line ${n} of ${this.file} is not valid JSON (an interrupted append or an edit by hand); it was skipped`
            : `line ${n} of ${this.file} is incomplete (an append was interrupted); it was skipped`,
        );
      }
      const checked = checkRecord(value);
      if (typeof checked === 'string') return problem(`line ${n} of ${this.file} ${checked}; it was skipped`);
      onRecord(checked);
    });
    if (skipped > problems.length) problems.push(`${skipped - problems.length} more lines of ${this.file} were skipped for the same kinds of reasons`);
    return problems;
  }

  /** Fired after each append of this instance, once the record is in the file. */
  onAppend(listener: (r: JournalRecord) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

/**
 * Where the journal lives when no directory is given: $LAMBDA_CANARY_JOURNAL_DIR, else the user's
 * config folder (XDG on Linux and other Unixes, Application Support on macOS, %APPDATA% on Windows).
 */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const explicit = env.LAMBDA_CANARY_JOURNAL_DIR;
  if (explicit) return explicit;
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'lambda-canary', 'journal');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'lambda-canary', 'journal');
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and is ignored.
  const xdg = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(xdg, 'lambda-canary', 'journal');
}

const NEWLINE = 0x0a;

interface Line {
  text: string;
  oversized: boolean;
}

/**
 * Calls `onLine` for each line of the file as it streams in (1-based numbers). `complete` is false
 * for a last line without its newline. Such a line may be an append of another process still
 * being copied into the file, so it is looked at again, briefly, before it is called incomplete.
 * A missing file has no lines.
 */
async function forEachLine(file: string, onLine: (line: Line, n: number, complete: boolean) => void): Promise<void> {
  let n = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  /** Byte offset of the start of the line being gathered. */
  let lineStart = 0;
  let offset = 0;
  const emit = (complete: boolean) => {
    n++;
    onLine({ text: oversized ? '' : Buffer.concat(pending, pendingBytes).toString('utf8'), oversized }, n, complete);
    pending = [];
    pendingBytes = 0;
    oversized = false;
  };
  const gather = (part: Buffer) => {
    if (oversized) return;
    if (pendingBytes + part.length > MAX_RECORD_BYTES) {
      oversized = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(part);
    pendingBytes += part.length;
  };

  let stream: fs.ReadStream;
  try {
    stream = fs.createReadStream(file);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, from)) {
        gather(chunk.subarray(from, i));
        emit(true);
        from = i + 1;
        lineStart = offset + from;
      }
      if (from < chunk.length) gather(chunk.subarray(from));
      offset += chunk.length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (pendingBytes === 0 && !oversized) return;
  if (!oversized) {
    const finished = await finishedLine(file, lineStart);
    if (finished) {
      n++;
      onLine({ text: finished.toString('utf8'), oversized: false }, n, true);
      return;
    }
  }
  emit(false);
}

/** The line starting at `start`, if it has ended since it was first read (a concurrent append). */
async function finishedLine(file: string, start: number): Promise<Buffer | undefined> {
  for (const wait of [0, 20, 50]) {
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
    const handle = await fs.promises.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size - start, MAX_RECORD_BYTES + 1);
      if (length <= 0) return undefined;
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, start);
      const end = buf.subarray(0, bytesRead).indexOf(NEWLINE);
      if (end !== -1) return buf.subarray(0, end);
    } finally {
      await handle.close();
    }
  }
  return undefined;
}

/** The record, or what is wrong with it (a phrase that follows "line N of FILE"). */
function checkRecord(value: unknown): JournalRecord | string {
  if (!isObject(value)) return 'is not a journal record (not a JSON object)';
  if (typeof value.v === 'number' && value.v > JOURNAL_VERSION) {
    return `was written by a newer version of Lambda Canary (record format v${value.v}; this one reads v${JOURNAL_VERSION}); update to read it`;
  }
  if (value.v !== JOURNAL_VERSION) return `is not a journal record (no "v": ${JOURNAL_VERSION})`;
  const missing: string[] = [];
  for (const field of ['id', 'at', 'key'] as const) if (typeof value[field] !== 'string') missing.push(field);
  if (typeof value.at === 'string' && Number.isNaN(Date.parse(value.at))) missing.push('at');
  if (!isObject(value.by)) missing.push('by');
  if (!isObject(value.connection)) missing.push('connection');
  const outcome = value.outcome;
  if (!isObject(outcome)) missing.push('outcome');
  else {
    if (typeof outcome.id !== 'string') missing.push('outcome.id');
    if (typeof outcome.action !== 'string' || !ACTIONS.has(outcome.action)) missing.push('outcome.action');
    if (typeof outcome.state !== 'string' || !STATES.has(outcome.state)) missing.push('outcome.state');
    if (!isObject(outcome.target) || typeof outcome.target.function !== 'string' || typeof outcome.target.alias !== 'string') missing.push('outcome.target');
  }
  if (missing.length) return `is not a complete journal record (missing or invalid: ${[...new Set(missing)].join(', ')})`;
  return value as unknown as JournalRecord;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An endpoint is recorded without any user:password in it. */
/** An endpoint without what may carry a secret: user info, query string, fragment. */
function withoutUserInfo(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (!url.username && !url.password && !url.search && !url.hash) return endpoint;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    // Not a URL: nothing in it is known to be safe.
    return '(an endpoint that is not a URL)';
  }
}

function currentHost(): string {
  try {
    return os.hostname();
  } catch {
    return 'unknown';
  }
}

/** How every record's line begins: JSON.stringify keeps the key order of the record literal. */
const RECORD_START = '{"v":';

function parseRecord(text: string): JournalRecord | undefined {
  try {
    const checked = checkRecord(JSON.parse(text));
    return typeof checked === 'string' ? undefined : checked;
  } catch {
    return undefined;
  }
}

/** The whole records in a line that holds several (after an interrupted append), and how many pieces were not. */
function splitRecords(text: string): { records: JournalRecord[]; incomplete: number } {
  const starts: number[] = [];
  for (let i = text.indexOf(RECORD_START); i !== -1; i = text.indexOf(RECORD_START, i + 1)) starts.push(i);
  const records: JournalRecord[] = [];
  let incomplete = starts.length > 0 && starts[0] > 0 ? 1 : 0;
  let k = 0;
  while (k < starts.length) {
    let taken = false;
    // The shortest piece from this start that is a whole record (a nested '{"v":' only makes a piece longer).
    for (let j = k + 1; j <= starts.length; j++) {
      const r = parseRecord(text.slice(starts[k], j < starts.length ? starts[j] : undefined));
      if (r) {
        records.push(r);
        k = j;
        taken = true;
        break;
      }
    }
    if (!taken) {
      incomplete++;
      k++;
    }
  }
  return { records, incomplete };
}

/**
 * What a record says of its connection, from the connection's spec: never a credential; the
 * embedded sandbox without its endpoint (a new port at each start, the same state).
 */
export function journalConnection(spec: ConnectionSpec): JournalRecord['connection'] {
  const raw = spec.kind === 'sandbox' ? (spec.embedded ? undefined : spec.endpoint) : spec.endpointUrl;
  const endpoint = raw === undefined ? undefined : withoutUserInfo(raw);
  // The label names the endpoint too: made from the cleaned one.
  const clean: ConnectionSpec = spec.kind === 'sandbox' ? { ...spec, endpoint: endpoint ?? spec.endpoint } : { ...spec, ...(endpoint ? { endpointUrl: endpoint } : {}) };
  return {
    kind: spec.kind,
    label: connectionLabel(clean),
    ...(spec.kind === 'aws' && spec.profile ? { profile: spec.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/**
 * Records of the same connection: the same kind and endpoint (AWS itself has none; two local
 * endpoints, or the embedded sandbox and LocalStack, may use the same account id for different
 * aliases). The profile does not count: two profiles of one account reach the same alias.
 */
export function sameConnection(a: JournalRecord['connection'], b: JournalRecord['connection']): boolean {
  const ea = endpointIdentity(a.endpoint);
  const eb = endpointIdentity(b.endpoint);
  // With an endpoint, the endpoint is the connection (one front end may call a loopback
  // endpoint "aws" and the other "sandbox"); without one, AWS itself or the embedded sandbox.
  return ea !== undefined || eb !== undefined ? ea === eb : a.kind === b.kind;
}

/** `http://LOCALHOST:4566/` and `http://localhost:4566` are one endpoint. */
function endpointIdentity(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  try {
    const u = new URL(endpoint);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return endpoint;
  }
}
