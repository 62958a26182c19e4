import type { HistoryEnd, HistoryEntry, HistoryKind, HistoryRouting, HistoryStepView } from '../../shared/history';
import type { CodeDeployDetail } from '../codedeploy/types';
import type { JournalRecord } from '../journal/journal';
import type { ActionName, AliasState, Outcome } from '../outcome';
import { foldRollouts, rolloutEventOf, viewOf } from '../rollout/records';
import type { RolloutState } from '../rollout/records';
import { ACTION_WORDS, journalSummary, routingShort } from './text';

/**
 * Journal records → history entries. Every record of the alias is an entry except the read-only
 * actions' (probe, traffic, triggers, history). A refusal is kept, ended 'refused' ("CI tried to
 * promote and was refused" is worth seeing), as is a failure ('failed') and a cancel ('stopped').
 * A rollout's many records (one per step, verdict, control, lease renewal) fold into one entry with
 * its steps; so do a CodeDeploy rollout's (started, stop, ended) per deployment. Pure.
 */

/** An entry with what matching CloudTrail events to it needs. */
export interface JournalEntry {
  entry: Omit<HistoryEntry, 'returnTo'>;
  /** When the action started and ended (ms); Infinity while a rollout runs. */
  startMs: number;
  endMs: number;
  /** The alias RevisionIds this action's own writes resulted in. */
  revisionIds: Set<string>;
  /** The routings this action's writes set (a rollout's every step). */
  routings: HistoryRouting[];
  /** 'rollout' and 'codedeploy' entries match CloudTrail by their window too. */
  fold?: 'rollout' | 'codedeploy';
  /** A CodeDeploy rollout's new version (its steps are its share of the alias) and its stable one. */
  newVersion?: string;
  stableVersion?: string;
  /** A rollout's or CodeDeploy rollout's routings with when each was set (ms), oldest first. */
  timedRoutings?: Array<{ ms: number; routing: HistoryRouting }>;
  /** mergeHistory: who signed the CloudTrail events this entry's RevisionIds name. */
  writers?: Array<{ arn?: string; accessKeyId?: string }>;
}

const READ_ONLY: ReadonlySet<ActionName> = new Set<ActionName>(['probe', 'traffic', 'triggers', 'history']);

export function routingOf(s: AliasState | undefined): HistoryRouting | undefined {
  return s ? { version: s.version, weights: { ...s.weights } } : undefined;
}

export function sameHistoryRouting(a: HistoryRouting | undefined, b: HistoryRouting | undefined): boolean {
  if (!a || !b) return false;
  const ka = Object.keys(a.weights).filter((k) => a.weights[k] > 0);
  const kb = Object.keys(b.weights).filter((k) => b.weights[k] > 0);
  return a.version === b.version && ka.length === kb.length && ka.every((k) => Math.abs(a.weights[k] - (b.weights[k] ?? NaN)) < 1e-9);
}

const ms = (iso: string | undefined, fallback: number) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : fallback;
};

/** How a single record ended. */
export function endOf(o: Outcome): HistoryEnd {
  if (o.state === 'done') return 'done';
  if (o.state === 'unknown') return 'unknown';
  if (o.note) return 'done';
  if (!o.error) return 'done';
  if (o.error.kind === 'validation' || o.error.kind === 'conflict') return 'refused';
  if (o.error.kind === 'cancelled') return 'stopped';
  return 'failed';
}

function kindOf(o: Outcome, ended: HistoryEnd): HistoryKind {
  switch (o.action) {
    case 'create-alias':
      return 'alias-created';
    case 'trigger-fix':
      return 'triggers';
    case 'deploy':
      return ended !== 'done' && o.versionsPublished.length ? 'publish' : 'routing';
    case 'canary':
    case 'weight':
    case 'promote':
    case 'rollback':
    case 'switch':
    case 'switch-back':
    case 'return':
      return 'routing';
    default:
      return 'other';
  }
}

function journalActor(r: JournalRecord): HistoryEntry['who'] {
  return { name: `${r.by.user}@${r.by.host}`, client: 'lambda-canary', host: r.by.host };
}

/** One record of a plain action (not a rollout's or CodeDeploy's). */
export function recordEntry(r: JournalRecord): JournalEntry {
  const o = r.outcome;
  const ended = endOf(o);
  const before = routingOf(o.before);
  // Only a change that happened has an `after` of its own: a refusal's `after` may be another client's routing.
  const after = ended === 'done' || ended === 'unknown' ? routingOf(o.after) : undefined;
  const revisionIds = new Set<string>();
  if (after && o.after?.revisionId && o.state === 'done') revisionIds.add(o.after.revisionId);
  const endedText = o.error ? o.error.message : o.note ? `Nothing to do: ${o.note}` : undefined;
  return {
    entry: {
      id: o.id,
      at: o.endedAt || r.at,
      kind: kindOf(o, ended),
      action: o.action,
      summary: journalSummary(o.action, ended, before, after, o.versionsPublished),
      who: journalActor(r),
      source: 'journal',
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      ...(after && o.after?.revisionId ? { revisionId: o.after.revisionId } : {}),
      versionsPublished: o.versionsPublished.map((v) => ({ ...v })),
      ended,
      ...(endedText ? { endedText } : {}),
      cloudTrailEventIds: [],
    },
    startMs: ms(o.startedAt, Date.parse(r.at)),
    endMs: ms(o.endedAt, Date.parse(r.at)),
    revisionIds,
    routings: after && ended === 'done' ? [after] : [],
  };
}

const ROLLOUT_END: Record<string, HistoryEnd> = { promoted: 'done', completed: 'done', 'rolled-back': 'rolled-back', aborted: 'stopped', abandoned: 'stopped' };

/** A rollout's records (one rollout id, oldest first) → one entry with its steps. */
export function rolloutEntry(records: JournalRecord[]): JournalEntry {
  const first = records[0];
  const last = records[records.length - 1];
  const state: RolloutState | undefined = foldRollouts(records.map((r) => ({ ...r.outcome, key: r.key }))).values().next().value;
  const revisionIds = new Set<string>();
  const routings: HistoryRouting[] = [];
  const timedRoutings: Array<{ ms: number; routing: HistoryRouting }> = [];
  let before: HistoryRouting | undefined;
  let after: HistoryRouting | undefined;
  let revisionId: string | undefined;
  const published = new Map<string, { version: string; codeSha256?: string; description?: string }>();
  for (const r of records) {
    const e = rolloutEventOf(r.outcome);
    for (const v of r.outcome.versionsPublished) published.set(v.version, { ...v });
    // The runner's own writes: a step, a lease renewal, the end. A hold records what it found, not what it wrote.
    const own = e && (e.type === 'step' || e.type === 'lease' || e.type === 'ended');
    if (!own) continue;
    if ('revisionId' in e && e.revisionId) revisionIds.add(e.revisionId);
    if (r.outcome.after?.revisionId) revisionIds.add(r.outcome.after.revisionId);
    if (!before && r.outcome.before) before = routingOf(r.outcome.before);
    const a = routingOf(r.outcome.after);
    if (a) {
      after = a;
      timedRoutings.push({ ms: ms(r.outcome.endedAt, Date.parse(r.at)), routing: a });
      revisionId = r.outcome.after?.revisionId ?? ('revisionId' in e ? e.revisionId : undefined) ?? revisionId;
      if (!routings.some((x) => sameHistoryRouting(x, a))) routings.push(a);
    }
  }
  const id = state?.id ?? rolloutEventOf(first.outcome)?.id ?? first.id;
  // Started before the window (no state without its `started` record): its `ended` record says how it ended.
  const endedEvent = records.map((r) => rolloutEventOf(r.outcome)).find((e) => e?.type === 'ended');
  const status = state?.status ?? (endedEvent?.type === 'ended' ? endedEvent.result : 'running');
  const ended: HistoryEnd = ROLLOUT_END[status] ?? 'running';
  const view = state ? viewOf(state) : undefined;
  const steps: HistoryStepView[] | undefined = view?.steps.map((s) => ({
    label: `${s.weight}%`,
    ...(s.verdict ? { verdict: s.verdict } : {}),
    text: s.sentence ?? (s.startedAt !== undefined ? 'reached, no verdict recorded' : s.weight === 100 && status === 'promoted' ? 'promoted' : 'not reached'),
  }));
  const summary = state
    ? `rollout ${id} of version ${state.version} (stable ${state.stable}): ${view!.planText}, ${status}${after ? `; ${before ? `${routingShort(before)} → ` : ''}${routingShort(after)}` : ''}`
    : `rollout ${id} (started before this window)`;
  const endMs = ended === 'running' ? Infinity : ms(last.outcome.endedAt, Date.parse(last.at));
  return {
    entry: {
      id: first.id,
      at: last.outcome.endedAt || last.at,
      kind: 'rollout',
      action: 'rollout',
      summary,
      who: journalActor(first),
      source: 'journal',
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      ...(revisionId ? { revisionId } : {}),
      versionsPublished: [...published.values()],
      ended,
      ...(state?.statusText ? { endedText: state.statusText } : endedEvent?.type === 'ended' ? { endedText: endedEvent.message } : {}),
      ...(steps ? { steps } : {}),
      cloudTrailEventIds: [],
    },
    startMs: ms(first.outcome.startedAt, Date.parse(first.at)),
    endMs,
    revisionIds,
    routings,
    timedRoutings,
    fold: 'rollout',
  };
}

/** A CodeDeploy rollout's records (one deployment id, oldest first) → one entry. */
export function codeDeployEntry(records: JournalRecord[]): JournalEntry {
  const first = records[0];
  const last = records[records.length - 1];
  const details = records.map((r) => r.outcome.detail as CodeDeployDetail | undefined);
  const started = details.find((d) => d?.event === 'started');
  const end = [...details].reverse().find((d) => d?.event === 'ended');
  const refusal = records.length === 1 && first.outcome.error ? first.outcome : undefined;
  let ended: HistoryEnd;
  if (refusal) ended = endOf(refusal);
  else if (!end) ended = 'running';
  else if (end.status === 'Succeeded') ended = 'done';
  else if (end.rolledBack) ended = 'rolled-back';
  else if (end.status === 'Stopped') ended = 'stopped';
  else if (end.status === 'Unreadable') ended = 'unknown';
  else ended = 'failed';
  const d = started ?? details.find((x) => x !== undefined);
  const before = routingOf(first.outcome.before);
  const summary = d
    ? `${ACTION_WORDS.codedeploy} ${d.deploymentId} of version ${d.version} (stable ${d.stable}, ${d.config})${end?.status ? `: ${end.status}` : ended === 'running' ? ': in flight' : ''}`
    : `${ACTION_WORDS.codedeploy}${refusal ? ' refused' : ''}`;
  const endedText = refusal?.error?.message ?? (end ? (end.rolledBack ? `Ended ${end.status}; the alias was rolled back to version ${end.stable}.` : `Ended ${end.status}.`) : undefined);
  return {
    entry: {
      id: first.id,
      at: last.outcome.endedAt || last.at,
      kind: 'codedeploy',
      action: 'codedeploy',
      summary,
      who: journalActor(first),
      source: 'journal',
      ...(before ? { before } : {}),
      versionsPublished: [],
      ended,
      ...(endedText ? { endedText } : {}),
      steps: [],
      cloudTrailEventIds: [],
    },
    startMs: ms(first.outcome.startedAt, Date.parse(first.at)),
    endMs: ended === 'running' ? Infinity : ms(last.outcome.endedAt, Date.parse(last.at)),
    revisionIds: new Set(),
    routings: [],
    timedRoutings: [],
    ...(refusal ? {} : { fold: 'codedeploy' as const }),
    ...(d?.version ? { newVersion: d.version } : {}),
    ...(d?.stable ? { stableVersion: d.stable } : {}),
  };
}

/** The journal's records of one alias (oldest first) → its entries, in the order of their first record. */
export function journalEntries(records: JournalRecord[]): JournalEntry[] {
  const groups = new Map<string, { kind: 'rollout' | 'codedeploy' | 'one'; records: JournalRecord[] }>();
  for (const r of records) {
    const o = r.outcome;
    if (READ_ONLY.has(o.action)) continue;
    let key = `one:${o.id}`;
    let kind: 'rollout' | 'codedeploy' | 'one' = 'one';
    if (o.action === 'rollout') {
      const e = rolloutEventOf(o);
      if (e) {
        key = `rollout:${e.id}`;
        kind = 'rollout';
      }
    } else if (o.action === 'codedeploy') {
      const id = (o.detail as CodeDeployDetail | undefined)?.deploymentId;
      if (typeof id === 'string' && id) {
        key = `codedeploy:${id}`;
        kind = 'codedeploy';
      }
    }
    const g = groups.get(key);
    if (g) g.records.push(r);
    else groups.set(key, { kind, records: [r] });
  }
  const entries = [...groups.values()].map((g) => (g.kind === 'rollout' ? rolloutEntry(g.records) : g.kind === 'codedeploy' ? codeDeployEntry(g.records) : recordEntry(g.records[0])));
  capRunningWindows(entries);
  return entries;
}

/**
 * With no recorded end, a rollout runs at most until the alias's next journal entry starts, and a
 * CodeDeploy rollout until the next rollout or CodeDeploy rollout starts.
 */
function capRunningWindows(entries: JournalEntry[]): void {
  for (const j of entries) {
    if (j.endMs !== Infinity) continue;
    const next = entries.filter((x) => x.startMs > j.startMs && (j.fold === 'rollout' || x.fold)).map((x) => x.startMs);
    if (next.length) j.endMs = Math.min(...next);
  }
}

/**
 * The records a window shows: those in [since, until], and every record of a rollout or CodeDeploy
 * rollout that has one there (its `started` may be older than the window).
 */
export function windowRecords(records: JournalRecord[], sinceMs: number, untilMs: number): JournalRecord[] {
  const inside = (r: JournalRecord) => Date.parse(r.at) >= sinceMs && Date.parse(r.at) <= untilMs;
  const shown = new Set(records.filter(inside).map(foldKey).filter((k): k is string => k !== undefined));
  return records.filter((r) => inside(r) || (Date.parse(r.at) < sinceMs && shown.has(foldKey(r) ?? '')));
}

function foldKey(r: JournalRecord): string | undefined {
  const o = r.outcome;
  if (o.action === 'rollout') {
    const id = rolloutEventOf(o)?.id;
    return id ? `rollout:${id}` : undefined;
  }
  const id = o.action === 'codedeploy' ? (o.detail as CodeDeployDetail | undefined)?.deploymentId : undefined;
  return typeof id === 'string' && id ? `codedeploy:${id}` : undefined;
}
