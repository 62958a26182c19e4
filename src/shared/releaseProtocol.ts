/**
 * The release panel's message protocol, used by both sides (src/extension/panel/releasePanel.ts
 * and src/webview/release.ts). Every incoming message is checked here; anything else is dropped
 * (and logged by the host). Plain data: the webview compiles this file too.
 */
import type { ReleaseControl, ReleaseView } from './release';
import { RELEASE_ENDS } from './release';

/** Invocations and errors summed over the release's members: the stable side and the new side. */
export interface ReleaseTraffic {
  stable: { invocations: number; errors: number };
  canary: { invocations: number; errors: number };
  /** The members read (those with a new version), and those whose traffic could not be read. */
  members: number;
  unread: string[];
  /** The window read (epoch ms). */
  start: number;
  end: number;
  fetchedAt: number;
}

export type ReleaseHostMessage =
  | { type: 'release'; release: ReleaseView | null }
  | { type: 'traffic'; traffic: ReleaseTraffic }
  /** A control sent to its command and not answered yet (null: none). */
  | { type: 'busy'; action: ReleaseControl | null }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type ReleasePanelMessage = { type: 'ready' } | { type: 'refresh' } | { type: 'control'; action: ReleaseControl };

export const RELEASE_CONTROLS: readonly ReleaseControl[] = ['resume', 'restore', 'promote', 'abort'];

/** The controls that apply to a release now: none when it ended or another live process drives it. */
export function releaseControls(v: Pick<ReleaseView, 'status' | 'driver'>): ReleaseControl[] {
  if (RELEASE_ENDS.has(v.status)) return [];
  if (v.driver && !v.driver.self && v.status !== 'interrupted') return [];
  switch (v.status) {
    case 'interrupted':
    case 'halted':
      return ['resume', 'restore', 'abort'];
    case 'waiting':
      return ['resume', 'promote', 'abort'];
    default:
      return ['abort'];
  }
}

const MAX_MESSAGE_CHARS = 1024;

export type ParsedRelease = { ok: true; message: ReleasePanelMessage } | { ok: false; reason: string };

/** Checks a message from the release panel's page: exactly one of ReleasePanelMessage, or refused with the reason. */
export function parseReleasePanelMessage(raw: unknown): ParsedRelease {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const proto = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) return { ok: false, reason: 'not a plain object' };
  let size = Infinity;
  try {
    size = JSON.stringify(raw)?.length ?? Infinity;
  } catch {
    // cyclic: refused below
  }
  if (size > MAX_MESSAGE_CHARS) return { ok: false, reason: 'too large' };
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  if (o.type === 'ready' || o.type === 'refresh') {
    if (keys.length !== 1) return { ok: false, reason: `unexpected fields in '${o.type}'` };
    return { ok: true, message: { type: o.type } };
  }
  if (o.type === 'control') {
    if (keys.join(',') !== 'action,type') return { ok: false, reason: "'control' takes exactly { type, action }" };
    if (typeof o.action !== 'string' || !(RELEASE_CONTROLS as readonly string[]).includes(o.action)) return { ok: false, reason: 'unknown control' };
    return { ok: true, message: { type: 'control', action: o.action as ReleaseControl } };
  }
  return { ok: false, reason: `unknown type ${typeof o.type === 'string' ? o.type.slice(0, 40) : typeof o.type}` };
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The page's check of what the host posts (a shape check: the host is trusted, a stray message is not). */
export function isReleaseHostMessage(v: unknown): v is ReleaseHostMessage {
  if (!isPlain(v)) return false;
  switch (v.type) {
    case 'release':
      return v.release === null || (isPlain(v.release) && typeof v.release.id === 'string' && Array.isArray(v.release.members) && Array.isArray(v.release.steps));
    case 'traffic':
      return isPlain(v.traffic) && isPlain(v.traffic.stable) && isPlain(v.traffic.canary);
    case 'busy':
      return v.action === null || (typeof v.action === 'string' && (RELEASE_CONTROLS as readonly string[]).includes(v.action));
    case 'notice':
      return (v.level === 'info' || v.level === 'error') && typeof v.message === 'string';
    default:
      return false;
  }
}
