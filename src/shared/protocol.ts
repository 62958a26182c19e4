/**
 * The traffic panel's message protocol, used by both sides (src/extension/panel and
 * src/webview). Everything that crosses postMessage is one of these shapes; every incoming
 * message is checked by the guards below and anything else is dropped (and logged by the host).
 */
import type { HistoryEntry, HistoryView } from './history';
import type { CodeDeployRolloutInfo, RolloutControl, RolloutStatus, RolloutView } from './rollout';
import { ROLLOUT_ENDS } from './rollout';
import type { ProbeResult, ReportVerdict, TrafficReport, WindowMinutes } from './traffic';
import { WINDOW_MINUTES } from './traffic';

/** The alias as the panel shows it. */
export interface AliasView {
  functionName: string;
  aliasName: string;
  /** `sandbox`, `default · eu-west-1`, … */
  connection: string;
  /** True on AWS (CloudWatch data lags a minute or more); false on the local sandbox. */
  lagging: boolean;
  primary: { version: string; weight: number };
  canary?: { version: string; weight: number };
  revisionId?: string;
  description?: string;
}

export type BusyAction = 'apply' | 'promote' | 'rollback' | 'probe';

/** A rollout driven from elsewhere, as the alias description's lease tells it (no journal of it here). */
export interface LeaseView {
  /** `alice@host (VS Code)`: text from AWS, shown as text. */
  holder: string;
  since: number;
  until: number;
  /** 0-based step in force, of `steps`. */
  step: number;
  steps: number;
}

/** What the panel's Start Rollout… and rollout controls ask the host to do; `stop`: Stop a CodeDeploy deployment. */
export type RolloutAction = RolloutControl | 'start' | 'stop';

export const ROLLOUT_CONTROLS: readonly RolloutControl[] = ['pause', 'resume', 'next', 'promote', 'abort'];

/**
 * The controls the panel offers for a rollout: by its status, and none when another editor or
 * the CLI drives it (that driver's lease binds; the panel shows it read-only).
 */
export function rolloutControls(v: Pick<RolloutView, 'status' | 'driver' | 'engine'>): RolloutControl[] {
  // CodeDeploy steps its own deployments: only Stop (with or without rollback) applies.
  if (v.engine === 'codedeploy') return [];
  if (v.driver && !v.driver.self) return [];
  if (ROLLOUT_ENDS.has(v.status)) return [];
  if (v.status === 'running') return ['pause', 'next', 'promote', 'abort'];
  return ['resume', 'next', 'promote', 'abort'];
}

// ---- host → webview ----------------------------------------------------------------------

export type HostMessage =
  | { type: 'init'; alias: AliasView; window: WindowMinutes; refreshSeconds: number; probeCount: number; scrollY: number }
  | { type: 'alias'; alias: AliasView }
  /** `verdict`: the canary against the stable version, judged by the host (core), never by the page. */
  | { type: 'traffic'; report: TrafficReport; verdict: ReportVerdict; fetchedAt: number }
  | { type: 'trafficError'; message: string }
  | { type: 'busy'; action: BusyAction | null; message?: string }
  | { type: 'probe'; total: number; done: number; result: ProbeResult; finished: boolean; cancelled: boolean }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  /**
   * The alias's rollout (its active one, else its latest; null: none known here) and, when the
   * alias's description holds a lease of a rollout this window has no record of, that lease.
   */
  | { type: 'rollout'; rollout: RolloutView | null; lease?: LeaseView }
  /** A rollout action sent to its command and not yet answered (null: none). */
  | { type: 'rolloutBusy'; action: RolloutAction | null }
  /**
   * The alias's history (journal and CloudTrail, merged by core): `history` null until one was
   * read; `loading` while a read runs; `error`: the last read failed (the previous history stays).
   */
  | { type: 'history'; history: HistoryView | null; loading: boolean; error?: string }
  /** A Return to This State asked from the panel and not yet answered (null: none). */
  | { type: 'historyBusy'; entryId: string | null };

// ---- webview → host ----------------------------------------------------------------------

export type PanelMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'window'; minutes: WindowMinutes }
  | { type: 'apply'; weightPercent: number }
  | { type: 'promote' }
  | { type: 'rollback' }
  | { type: 'probe'; count: number }
  | { type: 'cancelProbe' }
  | { type: 'scroll'; y: number }
  /** Pause / Resume / Next step / Promote now / Abort of this panel's alias's rollout. */
  | { type: 'rolloutControl'; action: RolloutControl }
  /** Start Rollout… on this panel's alias (the command asks for the version and the plan). */
  | { type: 'startRollout' }
  /** Stop the CodeDeploy deployment of this panel's alias: `rollback` puts the alias back on the version it served. */
  | { type: 'codeDeployStop'; rollback: boolean }
  /** Read the alias's history again (journal and CloudTrail). */
  | { type: 'historyRefresh' }
  /** Return to This State of one history entry: the host looks the entry up in the history it sent (the page names it, nothing more). */
  | { type: 'returnTo'; entryId: string };

/** Probe sizes the panel allows. */
export const PROBE_MIN = 1;
export const PROBE_MAX = 5000;
/** A message bigger than this is not one of ours. */
export const MAX_MESSAGE_CHARS = 4096;

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

const FIELDS: Record<PanelMessage['type'], string[]> = {
  ready: [],
  refresh: [],
  window: ['minutes'],
  apply: ['weightPercent'],
  promote: [],
  rollback: [],
  probe: ['count'],
  cancelProbe: [],
  scroll: ['y'],
  rolloutControl: ['action'],
  startRollout: [],
  codeDeployStop: ['rollback'],
  historyRefresh: [],
  returnTo: ['entryId'],
};

/** A history entry's id as core makes them (a journal record's id, `ct:` + a CloudTrail EventId). */
export const HISTORY_ENTRY_ID = /^[A-Za-z0-9:._-]{1,200}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function size(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? Infinity;
  } catch {
    return Infinity;
  }
}

/** Checks a message from the webview; anything not exactly one of PanelMessage is refused with the reason. */
export function parsePanelMessage(raw: unknown): Parsed<PanelMessage> {
  if (!isPlainObject(raw)) return { ok: false, reason: 'not an object' };
  if (size(raw) > MAX_MESSAGE_CHARS) return { ok: false, reason: `larger than ${MAX_MESSAGE_CHARS} characters` };
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) return { ok: false, reason: `unknown type ${JSON.stringify(type)?.slice(0, 40)}` };
  const allowed = ['type', ...FIELDS[type as PanelMessage['type']]];
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length) return { ok: false, reason: `${type}: unexpected field(s) ${extra.slice(0, 3).join(', ')}` };
  switch (type) {
    case 'window':
      return WINDOW_MINUTES.includes(raw.minutes as WindowMinutes) ? { ok: true, message: { type, minutes: raw.minutes as WindowMinutes } } : { ok: false, reason: `window: minutes must be one of ${WINDOW_MINUTES.join(', ')}` };
    case 'apply': {
      const w = raw.weightPercent;
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 100) return { ok: false, reason: 'apply: weightPercent must be a number from 0 to 100' };
      return { ok: true, message: { type, weightPercent: w } };
    }
    case 'probe': {
      const n = raw.count;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < PROBE_MIN || n > PROBE_MAX) return { ok: false, reason: `probe: count must be a whole number from ${PROBE_MIN} to ${PROBE_MAX}` };
      return { ok: true, message: { type, count: n } };
    }
    case 'scroll': {
      const y = raw.y;
      if (typeof y !== 'number' || !Number.isFinite(y) || y < 0 || y > 1e7) return { ok: false, reason: 'scroll: y must be a non-negative number' };
      return { ok: true, message: { type, y } };
    }
    case 'rolloutControl': {
      const a = raw.action;
      if (typeof a !== 'string' || !(ROLLOUT_CONTROLS as readonly string[]).includes(a)) return { ok: false, reason: `rolloutControl: action must be one of ${ROLLOUT_CONTROLS.join(', ')}` };
      return { ok: true, message: { type, action: a as RolloutControl } };
    }
    case 'codeDeployStop':
      return typeof raw.rollback === 'boolean' ? { ok: true, message: { type, rollback: raw.rollback } } : { ok: false, reason: 'codeDeployStop: rollback must be true or false' };
    case 'returnTo':
      return typeof raw.entryId === 'string' && HISTORY_ENTRY_ID.test(raw.entryId)
        ? { ok: true, message: { type, entryId: raw.entryId } }
        : { ok: false, reason: 'returnTo: entryId must be a history entry id (1 to 200 letters, digits, ":", ".", "_" or "-")' };
    default:
      return { ok: true, message: { type } as PanelMessage };
  }
}

const HOST_TYPES = new Set<HostMessage['type']>(['init', 'alias', 'traffic', 'trafficError', 'busy', 'probe', 'notice', 'rollout', 'rolloutBusy', 'history', 'historyBusy']);

/**
 * The webview's guard on what it receives. The host is trusted code, so this checks the shape
 * the renderer relies on rather than every number.
 */
export function isHostMessage(raw: unknown): raw is HostMessage {
  if (!isPlainObject(raw) || typeof raw.type !== 'string' || !HOST_TYPES.has(raw.type as HostMessage['type'])) return false;
  switch (raw.type as HostMessage['type']) {
    case 'init':
      return isAliasView(raw.alias) && WINDOW_MINUTES.includes(raw.window as WindowMinutes) && typeof raw.refreshSeconds === 'number' && typeof raw.probeCount === 'number' && typeof raw.scrollY === 'number';
    case 'alias':
      return isAliasView(raw.alias);
    case 'traffic':
      return (
        isPlainObject(raw.report) &&
        Array.isArray(raw.report.versions) &&
        typeof raw.fetchedAt === 'number' &&
        isPlainObject(raw.verdict) &&
        ['none', 'insufficient', 'ok', 'worse'].includes(raw.verdict.kind as string) &&
        typeof raw.verdict.stableVersion === 'string'
      );
    case 'trafficError':
    case 'notice':
      return typeof raw.message === 'string';
    case 'busy':
      return raw.action === null || ['apply', 'promote', 'rollback', 'probe'].includes(raw.action as string);
    case 'probe':
      return typeof raw.total === 'number' && typeof raw.done === 'number' && isPlainObject(raw.result) && typeof raw.finished === 'boolean';
    case 'rollout':
      return (raw.rollout === null || isRolloutView(raw.rollout)) && (raw.lease === undefined || isLeaseView(raw.lease));
    case 'rolloutBusy':
      return raw.action === null || ROLLOUT_CONTROLS.includes(raw.action as RolloutControl) || raw.action === 'start' || raw.action === 'stop';
    case 'history':
      return (raw.history === null || isHistoryView(raw.history)) && typeof raw.loading === 'boolean' && optStr(raw.error);
    case 'historyBusy':
      return raw.entryId === null || typeof raw.entryId === 'string';
  }
}

const HISTORY_SOURCES = new Set(['journal', 'cloudtrail', 'both']);
const HISTORY_STATES = new Set(['read', 'denied', 'unavailable', 'off', 'error']);
const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A routing as the history section draws it: a version and numeric weights. */
function isHistoryRouting(r: unknown): boolean {
  return isPlainObject(r) && typeof r.version === 'string' && isPlainObject(r.weights) && Object.values(r.weights).every(isNum);
}

/** One history row: every field the section reads, of the type it reads it as. */
export function isHistoryEntry(e: unknown): e is HistoryEntry {
  if (!isPlainObject(e)) return false;
  if (!['id', 'at', 'kind', 'action', 'summary', 'ended'].every((k) => typeof e[k] === 'string') || !HISTORY_SOURCES.has(e.source as string)) return false;
  const who = e.who;
  if (!isPlainObject(who) || typeof who.name !== 'string' || typeof who.client !== 'string' || !optStr(who.arn) || !optStr(who.userAgent) || !optStr(who.host)) return false;
  if ((e.before !== undefined && !isHistoryRouting(e.before)) || (e.after !== undefined && !isHistoryRouting(e.after)) || !optStr(e.endedText) || !optStr(e.revisionId)) return false;
  const published = e.versionsPublished;
  if (!Array.isArray(published) || !published.every((v) => isPlainObject(v) && typeof v.version === 'string' && optStr(v.codeSha256) && optStr(v.description))) return false;
  if (e.steps !== undefined && !(Array.isArray(e.steps) && e.steps.length <= 100 && e.steps.every((s) => isPlainObject(s) && typeof s.label === 'string' && typeof s.text === 'string' && optStr(s.verdict)))) return false;
  const r = e.returnTo;
  return isPlainObject(r) && (r.ok === true ? isHistoryRouting(r.state) : r.ok === false && typeof r.reason === 'string');
}

/** The history the section draws: its window, its rows, CloudTrail's status line. */
export function isHistoryView(v: unknown): v is HistoryView {
  if (!isPlainObject(v)) return false;
  if (!['functionName', 'aliasName', 'since', 'until'].every((k) => typeof v[k] === 'string')) return false;
  if (!Array.isArray(v.entries) || v.entries.length > 2000 || !v.entries.every(isHistoryEntry)) return false;
  if (v.current !== undefined && !isHistoryRouting(v.current)) return false;
  const ct = v.cloudTrail;
  if (!isPlainObject(ct) || !HISTORY_STATES.has(ct.state as string) || typeof ct.message !== 'string' || typeof ct.lagNote !== 'string' || !isNum(ct.eventsRead) || typeof ct.truncated !== 'boolean') return false;
  const j = v.journal;
  return isPlainObject(j) && isNum(j.records) && isStrings(j.problems);
}

const VERDICTS = new Set(['Pass', 'Fail', 'Marginal', 'NoData', 'Pending']);
const STATUSES = new Set<RolloutStatus>(['running', 'paused', 'waiting', 'halted', 'promoted', 'rolled-back', 'aborted', 'completed', 'abandoned']);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown) => v === undefined || isNum(v);
const optStr = (v: unknown) => v === undefined || typeof v === 'string';

/** The shape the timeline draws from: every field it reads, of the type it reads it as. */
export function isRolloutView(v: unknown): v is RolloutView {
  if (!isPlainObject(v)) return false;
  if (!['id', 'functionName', 'aliasName', 'version', 'stable', 'planText', 'statusText'].every((k) => typeof v[k] === 'string')) return false;
  if (!optStr(v.planName) || !Array.isArray(v.alarms) || !v.alarms.every((a) => typeof a === 'string')) return false;
  if (!STATUSES.has(v.status as RolloutStatus) || !isNum(v.startedAt) || !optNum(v.endedAt) || !optNum(v.bakeStart) || !optNum(v.bakeMs)) return false;
  const steps = v.steps;
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > 100 || !steps.every(isStepView)) return false;
  if (!Number.isInteger(v.current) || (v.current as number) < 0 || (v.current as number) >= steps.length) return false;
  if (v.evidence !== undefined && !isEvidenceView(v.evidence)) return false;
  if (v.engine !== undefined && v.engine !== 'local' && v.engine !== 'codedeploy') return false;
  if (v.codeDeploy !== undefined && !isCodeDeployInfo(v.codeDeploy)) return false;
  const d = v.driver;
  return d === undefined || (isPlainObject(d) && typeof d.holder === 'string' && optNum(d.since) && isNum(d.until) && typeof d.self === 'boolean');
}

function isStepView(s: unknown): boolean {
  return (
    isPlainObject(s) &&
    isNum(s.weight) &&
    s.weight >= 0 &&
    s.weight <= 100 &&
    isNum(s.bakeSeconds) &&
    s.bakeSeconds >= 0 &&
    (s.gate === 'auto' || s.gate === 'manual') &&
    optNum(s.startedAt) &&
    optNum(s.endedAt) &&
    (s.verdict === undefined || VERDICTS.has(s.verdict as string)) &&
    optStr(s.sentence)
  );
}

function isEvidenceView(e: unknown): boolean {
  if (!isPlainObject(e) || !VERDICTS.has(e.verdict as string) || typeof e.sentence !== 'string' || !isNum(e.at) || !optNum(e.dataAgeMs)) return false;
  const side = (x: unknown) => isPlainObject(x) && typeof x.version === 'string' && isNum(x.invocations) && isNum(x.errors) && isNum(x.errorRate) && optNum(x.p99Ms) && optNum(x.meanMs);
  const sprt = e.sprt;
  return (
    side(e.canary) &&
    side(e.stable) &&
    isPlainObject(sprt) &&
    // The log-likelihood ratio may be ±Infinity (all errors, or none on a certain stable).
    ['llr', 'lower', 'upper', 'p0', 'p1'].every((k) => typeof sprt[k] === 'number' && !Number.isNaN(sprt[k])) &&
    isNum((e.canary as Record<string, unknown>).throttles) &&
    Array.isArray(e.alarmsInAlarm) &&
    e.alarmsInAlarm.every((a) => typeof a === 'string')
  );
}

function isLeaseView(l: unknown): l is LeaseView {
  return isPlainObject(l) && typeof l.holder === 'string' && isNum(l.since) && isNum(l.until) && Number.isInteger(l.step) && Number.isInteger(l.steps);
}

function isAliasView(v: unknown): v is AliasView {
  if (!isPlainObject(v)) return false;
  const primary = v.primary as Record<string, unknown> | undefined;
  return (
    typeof v.functionName === 'string' &&
    typeof v.aliasName === 'string' &&
    typeof v.connection === 'string' &&
    isPlainObject(primary) &&
    typeof primary.version === 'string' &&
    typeof primary.weight === 'number' &&
    (v.canary === undefined || (isPlainObject(v.canary) && typeof v.canary.version === 'string' && typeof v.canary.weight === 'number'))
  );
}

/** A CodeDeploy rollout's details as the panel draws them (every field it reads, of its type). */
export function isCodeDeployInfo(c: unknown): c is CodeDeployRolloutInfo {
  if (!isPlainObject(c)) return false;
  if (!['deploymentId', 'application', 'deploymentGroup', 'config', 'deploymentStatus'].every((k) => typeof c[k] === 'string')) return false;
  if (!isNum(c.readAt) || !optStr(c.error)) return false;
  const w = c.targetVersionWeight;
  if (w !== undefined && !(isNum(w) && w >= 0 && w <= 100)) return false;
  const r = c.rollback;
  if (r !== undefined && !(isPlainObject(r) && optStr(r.deploymentId) && optStr(r.message))) return false;
  const events = c.lifecycle;
  return (
    Array.isArray(events) &&
    events.length <= 20 &&
    events.every((e) => isPlainObject(e) && typeof e.name === 'string' && typeof e.status === 'string' && optStr(e.hookFunction) && optNum(e.startedAt) && optNum(e.endedAt) && optStr(e.message))
  );
}
