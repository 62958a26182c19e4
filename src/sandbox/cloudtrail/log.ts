/**
 * The sandbox's CloudTrail event history: the newest MAX_EVENTS events in the order they were
 * answered, kept in memory and, with a state directory, appended one JSON line each to
 * `cloudtrail.jsonl` (rewritten with the newest MAX_EVENTS once it has grown past them by a
 * margin). A line that does not read is skipped with a warning. Delivery lag: LookupEvents sees
 * an event only `lagMs` after it happened, as CloudTrail's own delivery takes minutes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from '../store';
import type { EventInput, StoredEvent } from './events';
import { makeEvent } from './events';

export const CLOUDTRAIL_FILE = 'cloudtrail.jsonl';
export const MAX_EVENTS = 10_000;
/** How many lines past MAX_EVENTS the file may hold before it is rewritten. */
const FILE_SLACK = 1_000;
/** The longest lag accepted (a day), in seconds. */
export const MAX_LAG_SECONDS = 86_400;

export function checkCloudTrailLag(seconds: unknown): number {
  if (!(typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_LAG_SECONDS)) {
    const shown = typeof seconds === 'string' ? `'${seconds}'` : String(JSON.stringify(seconds));
    throw new Error(`the CloudTrail lag must be seconds in [0, ${MAX_LAG_SECONDS}] (e.g. 300), got ${shown}`);
  }
  return seconds;
}

/** `--cloudtrail-lag S`. */
export function parseCloudTrailLag(arg: string): number {
  const s = arg.trim() === '' ? NaN : Number(arg);
  if (!(Number.isFinite(s) && s >= 0 && s <= MAX_LAG_SECONDS)) throw new Error(`--cloudtrail-lag expects seconds in [0, ${MAX_LAG_SECONDS}] (e.g. 300), got '${arg}'`);
  return s;
}

function isStoredEvent(v: unknown): v is StoredEvent {
  const e = v as StoredEvent;
  return (
    e !== null &&
    typeof e === 'object' &&
    Number.isSafeInteger(e.seq) &&
    Number.isFinite(e.time) &&
    typeof e.eventId === 'string' &&
    typeof e.eventName === 'string' &&
    typeof e.eventSource === 'string' &&
    typeof e.readOnly === 'boolean' &&
    typeof e.accessKeyId === 'string' &&
    typeof e.username === 'string' &&
    Array.isArray(e.resources) &&
    e.record !== null &&
    typeof e.record === 'object'
  );
}

export class CloudTrailLog {
  /** Oldest first. */
  private events: StoredEvent[] = [];
  private nextSeq = 1;
  private fileLines = 0;
  private readonly file: string | undefined;
  readonly warnings: string[] = [];
  lagMs: number;

  constructor(opts: { stateDir?: string; lagSeconds?: number; now?: () => number; log?: (line: string) => void } = {}) {
    this.lagMs = checkCloudTrailLag(opts.lagSeconds ?? 0) * 1000;
    this.now = opts.now ?? (() => Date.now());
    this.log = opts.log;
    this.file = opts.stateDir === undefined ? undefined : path.join(opts.stateDir, CLOUDTRAIL_FILE);
    this.load();
  }

  readonly now: () => number;
  private readonly log: ((line: string) => void) | undefined;

  private load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    const lines = text.split('\n');
    let bad = 0;
    let firstBad = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.trim() === '') continue;
      this.fileLines++;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        v = undefined;
      }
      if (!isStoredEvent(v)) {
        if (bad++ === 0) firstBad = i + 1;
        continue;
      }
      this.events.push(v);
    }
    // Appended in order; sorted anyway so that a hand-edited file cannot break paging.
    this.events.sort((a, b) => a.seq - b.seq);
    if (this.events.length > MAX_EVENTS) this.events = this.events.slice(-MAX_EVENTS);
    this.nextSeq = (this.events.at(-1)?.seq ?? 0) + 1;
    if (bad > 0) {
      const w = `The CloudTrail record ${CLOUDTRAIL_FILE} has ${bad} line${bad === 1 ? '' : 's'} that do not read as events (the first at line ${firstBad}): ${bad === 1 ? 'it was' : 'they were'} skipped; the other ${this.events.length} events are loaded.`;
      this.warnings.push(w);
      this.log?.(w);
    }
    // A last line cut short (a crash mid-write) must not swallow the next event appended.
    if (text.length > 0 && !text.endsWith('\n')) fs.appendFileSync(this.file, '\n');
  }

  /** Records an answered request; returns the event, or undefined when CloudTrail records none for it. */
  record(input: Omit<EventInput, 'time'> & { time?: number }): StoredEvent | undefined {
    const time = input.time ?? this.now();
    const event = makeEvent({ ...input, time }, this.nextSeq);
    if (!event) return undefined;
    this.nextSeq++;
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    this.persist(event);
    return event;
  }

  private persist(event: StoredEvent): void {
    if (!this.file) return;
    try {
      if (this.fileLines + 1 > MAX_EVENTS + FILE_SLACK) {
        atomicWrite(this.file, this.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
        this.fileLines = this.events.length;
      } else {
        fs.appendFileSync(this.file, `${JSON.stringify(event)}\n`);
        this.fileLines++;
      }
    } catch (e) {
      // The event stays in memory; the API's reply is not failed for its audit record.
      this.log?.(`CloudTrail: could not write ${CLOUDTRAIL_FILE}: ${(e as Error).message}`);
    }
  }

  /** Every event delivered by `now` (lag applied), newest first. */
  delivered(now = this.now()): StoredEvent[] {
    const cutoff = now - this.lagMs;
    const out: StoredEvent[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) {
      if (this.events[i].time <= cutoff) out.push(this.events[i]);
    }
    // Times are recorded as answered, so normally already in order; an earlier time recorded
    // later (a clock step) still pages in one fixed order.
    return out.sort(newestFirst);
  }

  /** Every event, delivered or not, oldest first (tests and diagnostics). */
  all(): readonly StoredEvent[] {
    return this.events;
  }

  get size(): number {
    return this.events.length;
  }
}

/** LookupEvents' order: newest first; of the same millisecond, the later recorded first. */
export function newestFirst(a: { time: number; seq: number }, b: { time: number; seq: number }): number {
  return b.time - a.time || b.seq - a.seq;
}
