import type { HistoryEntry, HistoryKind, HistoryRouting } from '../../shared/history';
import type { TrailEvent } from './cloudtrail';
import { functionNameParts } from './cloudtrail';
import type { JournalEntry } from './entries';
import { sameHistoryRouting } from './entries';
import { publishedText, returnText, trailText } from './text';

/**
 * The journal's entries and CloudTrail's events merged so that one write shows once. Pure.
 *
 * A CloudTrail event is a journal entry's when (first rule that holds):
 * 1. UpdateAlias / CreateAlias: its resulting RevisionId is one the entry's own writes resulted in;
 * 2. PublishVersion: inside the entry's time (±2 s), its version (and CodeSha256, when both say one) is one the entry published;
 * 3. a rollout: an UpdateAlias by Lambda Canary inside the rollout's time, setting one of its steps' routings;
 * 4. a CodeDeploy rollout: an UpdateAlias by CodeDeploy inside the deployment's time;
 * 5. by time alone: inside the entry's [start − 2 s, end + 2 s] with the same routing (primary and
 *    weights), from Lambda Canary or a client CloudTrail does not name (an endpoint without RevisionIds).
 * Each event joins at most one entry. The others are entries of their own: who from userIdentity,
 * `after` from the request (or the response), `before` the previous entry's `after`.
 */

/** Slack around a journal entry's time for a time-only match (clocks, CloudTrail's rounding to the second). */
export const TIME_SLACK_MS = 2000;

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function weightsOf(routingConfig: unknown): Record<string, number> | undefined {
  const rc = record(routingConfig);
  if (!rc) return undefined;
  const w = record(rc.additionalVersionWeights ?? rc.AdditionalVersionWeights);
  if (!w) return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(w)) {
    const n = num(v);
    if (n !== undefined && n > 0) out[k] = n;
  }
  return out;
}

/** The routing an alias write set: the response's (what Lambda applied), else the request's. */
export function eventRouting(e: TrailEvent): HistoryRouting | undefined {
  for (const side of [e.response, e.request]) {
    const version = text(side.functionVersion);
    if (version === undefined) continue;
    return { version, weights: weightsOf(side.routingConfig) ?? {} };
  }
  return undefined;
}

export function eventRevisionId(e: TrailEvent): string | undefined {
  return text(e.response.revisionId);
}

function eventPublished(e: TrailEvent): { version: string; codeSha256?: string; description?: string } | undefined {
  const version = text(e.response.version);
  if (version === undefined) return undefined;
  const codeSha256 = text(e.response.codeSha256);
  const description = text(e.response.description) ?? text(e.request.description);
  return { version, ...(codeSha256 ? { codeSha256 } : {}), ...(description ? { description } : {}) };
}

const isAliasWrite = (e: TrailEvent) => e.name === 'UpdateAlias' || e.name === 'CreateAlias';

function within(e: TrailEvent, j: JournalEntry, slack = TIME_SLACK_MS): boolean {
  return e.ms >= j.startMs - slack && e.ms <= j.endMs + slack;
}

/** The journal entry an event belongs to, by the rules above (in their order), or undefined. */
export function matchEvent(e: TrailEvent, journal: JournalEntry[]): JournalEntry | undefined {
  if (isAliasWrite(e)) {
    const rev = eventRevisionId(e);
    if (rev) {
      const byRevision = journal.find((j) => j.revisionIds.has(rev));
      if (byRevision) return byRevision;
    }
  }
  if (e.name === 'PublishVersion') {
    const p = eventPublished(e);
    if (p) {
      const byVersion = journal.find((j) => within(e, j) && j.entry.versionsPublished.some((v) => v.version === p.version && (!v.codeSha256 || !p.codeSha256 || v.codeSha256 === p.codeSha256)));
      if (byVersion) return byVersion;
    }
  }
  if (e.name !== 'UpdateAlias') return timeOnly(e, journal);
  const routing = eventRouting(e);
  const rollout = journal.find((j) => j.fold === 'rollout' && e.who.client === 'lambda-canary' && sameWriter(e, j) && within(e, j) && j.routings.some((r) => sameHistoryRouting(r, routing)));
  if (rollout) return rollout;
  const codedeploy = journal
    .filter((j) => j.fold === 'codedeploy' && e.who.client === 'CodeDeploy' && within(e, j) && onlyDeploymentVersions(routing, j))
    .reduce<JournalEntry | undefined>((newest, j) => (!newest || j.startMs > newest.startMs ? j : newest), undefined);
  if (codedeploy) return codedeploy;
  return timeOnly(e, journal);
}

/** The event was signed as the entry's writes matched by RevisionId were (any writer, when none matched). */
function sameWriter(e: TrailEvent, j: JournalEntry): boolean {
  const writers = j.writers ?? [];
  return writers.length === 0 || writers.some((w) => (w.accessKeyId !== undefined && w.accessKeyId === e.who.accessKeyId) || (w.arn !== undefined && w.arn === e.who.arn));
}

/** Every version the routing names is the CodeDeploy rollout's new or stable version (when it knows them). */
function onlyDeploymentVersions(routing: HistoryRouting | undefined, j: JournalEntry): boolean {
  if (!routing || j.newVersion === undefined || j.stableVersion === undefined) return true;
  return [routing.version, ...Object.keys(routing.weights)].every((v) => v === j.newVersion || v === j.stableVersion);
}

function timeOnly(e: TrailEvent, journal: JournalEntry[]): JournalEntry | undefined {
  if (!isAliasWrite(e) || (e.who.client !== 'lambda-canary' && e.who.client !== 'other')) return undefined;
  const routing = eventRouting(e);
  if (!routing) return undefined;
  // An event that names a RevisionId no entry holds is another write, unless the entry knows none.
  const rev = eventRevisionId(e);
  return journal.find((j) => j.fold === undefined && within(e, j) && sameHistoryRouting(j.entry.after, routing) && !(rev && j.revisionIds.size > 0));
}

/** A CloudTrail-only alias write that sets again what the previous one, by the same writer, set. */
function isRenewal(e: Omit<HistoryEntry, 'returnTo'>, previous: Omit<HistoryEntry, 'returnTo'>): boolean {
  const sameWriter = (e.who.accessKeyId !== undefined && e.who.accessKeyId === previous.who.accessKeyId) || (e.who.arn !== undefined && e.who.arn === previous.who.arn);
  return e.kind === 'routing' && (previous.kind === 'routing' || previous.kind === 'alias-created') && sameWriter && sameHistoryRouting(e.after, previous.after);
}

/** A CloudTrail event no journal entry holds → an entry of its own (before: filled in by mergeHistory). */
export function trailEntry(e: TrailEvent, fnName: string, aliasName: string): Omit<HistoryEntry, 'returnTo'> {
  let kind: HistoryKind = 'other';
  let summary = e.name;
  let after: HistoryRouting | undefined;
  const published: HistoryEntry['versionsPublished'] = [];
  switch (e.name) {
    case 'UpdateAlias':
    case 'CreateAlias':
      kind = e.name === 'CreateAlias' ? 'alias-created' : 'routing';
      after = eventRouting(e);
      break;
    case 'DeleteAlias':
      kind = 'alias-deleted';
      summary = trailText.aliasDeleted(aliasName);
      break;
    case 'PublishVersion': {
      kind = 'publish';
      const p = eventPublished(e);
      if (p) published.push(p);
      summary = p ? publishedText(p) : 'a version published';
      break;
    }
    case 'DeleteFunction': {
      const q = text(e.request.qualifier) ?? functionNameParts(text(e.request.functionName) ?? '').qualifier;
      kind = q ? 'version-deleted' : 'other';
      summary = q ? trailText.versionDeleted(q) : trailText.functionDeleted(fnName);
      break;
    }
  }
  const revisionId = isAliasWrite(e) ? eventRevisionId(e) : undefined;
  return {
    id: `ct:${e.id}`,
    at: e.at,
    kind,
    action: e.name,
    summary,
    who: { ...e.who },
    source: 'cloudtrail',
    ...(after ? { after } : {}),
    ...(revisionId ? { revisionId } : {}),
    versionsPublished: published,
    ended: 'done',
    cloudTrailEventIds: [e.id],
  };
}

/** What Return to This State would restore, or why it cannot. `existing`: the published versions that exist now (undefined: not known). */
export function returnToOf(
  entry: Omit<HistoryEntry, 'returnTo'>,
  current: HistoryRouting | undefined,
  existing: ReadonlySet<string> | undefined,
  aliasExists: boolean,
): HistoryEntry['returnTo'] {
  if (entry.ended !== 'done' && entry.ended !== 'rolled-back' && entry.ended !== 'stopped' && entry.ended !== 'unknown') return { ok: false, reason: returnText.notDone };
  const state = entry.after;
  if (!state) return { ok: false, reason: returnText.unknown };
  const versions = [state.version, ...Object.keys(state.weights)];
  if (versions.includes('$LATEST')) return { ok: false, reason: returnText.latest };
  const odd = versions.find((v) => !/^[0-9]+$/.test(v));
  if (odd !== undefined) return { ok: false, reason: returnText.notNumber(odd) };
  if (!aliasExists) return { ok: false, reason: returnText.aliasGone };
  if (existing) {
    const gone = versions.filter((v) => !existing.has(v));
    if (gone.length) return { ok: false, reason: returnText.deleted(gone) };
  }
  if (current && sameHistoryRouting(current, state)) return { ok: false, reason: returnText.current };
  return { ok: true, state: { version: state.version, weights: { ...state.weights } } };
}

export interface MergeInput {
  functionName: string;
  aliasName: string;
  journal: JournalEntry[];
  /** CloudTrail's events about the alias (isAboutAlias), any order. */
  trail: TrailEvent[];
  current?: HistoryRouting;
  /** Published versions that exist now; undefined: not known (nothing is refused for it). */
  existing?: ReadonlySet<string>;
  /** The alias exists now (GetAlias answered). */
  aliasExists: boolean;
}

/** The merged entries, newest first. */
export function mergeHistory(input: MergeInput): HistoryEntry[] {
  const journal = input.journal.map((j) => ({ ...j, ...(j.timedRoutings ? { timedRoutings: [...j.timedRoutings] } : {}), entry: { ...j.entry, who: { ...j.entry.who }, cloudTrailEventIds: [...j.entry.cloudTrailEventIds], ...(j.entry.steps ? { steps: [...j.entry.steps] } : {}) } }));
  const own: Array<Omit<HistoryEntry, 'returnTo'>> = [];
  // CloudTrail's times are whole seconds: within a second, its own order (newest first) tells which came first.
  const seq = new Map<string, number>();
  input.trail.forEach((e, i) => seq.set(e.id, input.trail.length - i));
  const trail = [...input.trail].sort((a, b) => a.ms - b.ms || seq.get(a.id)! - seq.get(b.id)!);
  // Who a rollout's own writes were signed as: the events its RevisionIds name.
  for (const e of trail) {
    const rev = isAliasWrite(e) ? eventRevisionId(e) : undefined;
    const j = rev ? journal.find((x) => x.fold === 'rollout' && x.revisionIds.has(rev)) : undefined;
    if (j) j.writers = [...(j.writers ?? []), e.who];
  }
  /** Where each entry goes in time: its newest CloudTrail event's time and place when it has one, else its journal time. */
  const when = new Map<Omit<HistoryEntry, 'returnTo'>, [number, number]>();
  const seen = new Set<string>();
  /** The entry the previous event went to. */
  let latest: Omit<HistoryEntry, 'returnTo'> | undefined;
  for (const e of trail) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const j = matchEvent(e, journal);
    if (!j) {
      const own1 = trailEntry(e, input.functionName, input.aliasName);
      const previous = own[own.length - 1];
      if (previous && previous === latest && isRenewal(own1, previous)) {
        // The same writer setting the same routing again (a rollout's lease renewal): one entry.
        previous.cloudTrailEventIds.push(e.id);
        if (own1.revisionId) previous.revisionId = own1.revisionId;
        continue;
      }
      when.set(own1, [e.ms, seq.get(e.id)!]);
      own.push(own1);
      latest = own1;
      continue;
    }
    latest = j.entry;
    const entry = j.entry;
    when.set(entry, [e.ms, seq.get(e.id)!]);
    entry.source = 'both';
    entry.cloudTrailEventIds.push(e.id);
    if (!entry.who.arn && e.who.arn) entry.who.arn = e.who.arn;
    if (!entry.who.userAgent && e.who.userAgent && e.who.client === 'lambda-canary') entry.who.userAgent = e.who.userAgent;
    if (!entry.who.accessKeyId && e.who.accessKeyId && e.who.client === 'lambda-canary') entry.who.accessKeyId = e.who.accessKeyId;
    if (j.fold === 'codedeploy') {
      // CodeDeploy's own shifts: its steps, and where it left the alias.
      const r = eventRouting(e);
      if (r) {
        const share = j.newVersion === undefined ? undefined : r.version === j.newVersion ? 1 : (r.weights[j.newVersion] ?? 0);
        entry.steps = [...(entry.steps ?? []), { label: share === undefined ? e.at : `${Number((share * 100).toFixed(4))}%`, text: trailText.codeDeployStep(r, e.at) }];
        entry.after = r;
        j.timedRoutings?.push({ ms: e.ms, routing: r });
        const rev = eventRevisionId(e);
        if (rev) entry.revisionId = rev;
      }
    }
  }
  const folded = new Set(journal.filter((j) => j.fold).map((j) => j.entry));
  const key = (x: Omit<HistoryEntry, 'returnTo'>): [number, number] => {
    const t = Date.parse(x.at);
    const ct = when.get(x);
    // A journal time is exact; CloudTrail's is the second it fell in: an entry sorts by the later of the two's second,
    // CloudTrail's only when it is that second (a fold's, at its last event).
    const useCt = ct && Math.floor(t / 1000) * 1000 <= ct[0] && (folded.has(x) || ct[0] - t <= TIME_SLACK_MS);
    return useCt ? ct : [t, Number.MAX_SAFE_INTEGER];
  };
  const all = [...journal.map((j) => j.entry), ...own].sort((a, b) => {
    const [ta, sa] = key(a);
    const [tb, sb] = key(b);
    return ta - tb || sa - sb;
  });
  // A CloudTrail-only change's `before` is what the alias routed before it, as the entries before it say:
  // every routing they set, a rollout's each at its step's time (a rollout sorts at its end).
  const timed = new Map(journal.filter((j) => j.timedRoutings).map((j) => [j.entry, j.timedRoutings!]));
  const points: Array<{ at: [number, number]; routing?: HistoryRouting }> = [];
  for (const entry of all) {
    const steps = timed.get(entry);
    if (steps) for (const s of steps) points.push({ at: [s.ms, Number.MAX_SAFE_INTEGER], routing: s.routing });
    else if (entry.kind === 'alias-deleted') points.push({ at: key(entry) });
    else if (entry.after && entry.ended !== 'failed' && entry.ended !== 'refused') points.push({ at: key(entry), routing: entry.after });
  }
  const earlier = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  for (const entry of all) {
    if (entry.source === 'cloudtrail' && (entry.kind === 'routing' || entry.kind === 'alias-created')) {
      const at = key(entry);
      const last = points.filter((p) => earlier(p.at, at)).reduce<(typeof points)[number] | undefined>((a, p) => (!a || !earlier(p.at, a.at) ? p : a), undefined)?.routing;
      if (entry.kind === 'routing' && last) entry.before = { version: last.version, weights: { ...last.weights } };
      entry.summary = trailText.routing(entry.action, entry.before, entry.after);
    }
  }
  // The function deleted (not a version): the versions older entries name were another function's.
  const deleted = all.map((x) => x.action === 'DeleteFunction' && x.kind === 'other').lastIndexOf(true);
  return all
    .map((entry, i) => ({ ...entry, returnTo: i < deleted ? { ok: false as const, reason: returnText.recreated(all[deleted].at) } : returnToOf(entry, input.current, input.existing, input.aliasExists) }))
    .reverse();
}
