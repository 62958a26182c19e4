/**
 * The traffic panel's message protocol, used by both sides (src/extension/panel and
 * src/webview). Everything that crosses postMessage is one of these shapes; every incoming
 * message is checked by the guards below and anything else is dropped (and logged by the host).
 */
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

// ---- host → webview ----------------------------------------------------------------------

export type HostMessage =
  | { type: 'init'; alias: AliasView; window: WindowMinutes; refreshSeconds: number; probeCount: number; scrollY: number }
  | { type: 'alias'; alias: AliasView }
  /** `verdict`: the canary against the stable version, judged by the host (core), never by the page. */
  | { type: 'traffic'; report: TrafficReport; verdict: ReportVerdict; fetchedAt: number }
  | { type: 'trafficError'; message: string }
  | { type: 'busy'; action: BusyAction | null; message?: string }
  | { type: 'probe'; total: number; done: number; result: ProbeResult; finished: boolean; cancelled: boolean }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

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
  | { type: 'scroll'; y: number };

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
};

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
    default:
      return { ok: true, message: { type } as PanelMessage };
  }
}

const HOST_TYPES = new Set<HostMessage['type']>(['init', 'alias', 'traffic', 'trafficError', 'busy', 'probe', 'notice']);

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
  }
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
