import * as os from 'node:os';
import { currentUser } from '../user';

/**
 * The lease: one driver per alias, across windows, machines and the CLI, recorded on AWS in the
 * alias's own Description.
 *
 * Why the description rather than function tags: an alias write carries the RevisionId it read,
 * so taking the lease is a compare-and-swap — of two runners that read the same free alias,
 * exactly one write is accepted and the other gets PreconditionFailed — and every step's write is
 * fenced by the same revision. Tags (TagResource) have no precondition, so two takers would both
 * succeed. The description is also what ListAliases already returns: every editor that lists the
 * alias sees "driven by … since …" without another request, and so does the Lambda console.
 * The user's own description is kept in front of the marker and restored when the rollout ends.
 *
 * Pure: formatting and parsing only. Text read from AWS is untrusted: the marker is parsed
 * strictly, and the holder it names is only ever shown as text.
 */

export interface Lease {
  /** The rollout's id (8 hex digits). */
  rollout: string;
  /** 0-based step in force, and the plan's number of steps. */
  step: number;
  steps: number;
  /** `user@host` of the driver. */
  holder: string;
  client: 'vscode' | 'cli';
  /** The driving process, so a driver on the same host that died is taken over at once. */
  pid: number;
  /** The runner within that process (4 hex digits): two runners never mistake each other's lease for their own. */
  instance: string;
  since: number;
  until: number;
}

/** A lease whose end is further ahead than this (a clock far off, or a hand-made marker) binds no one. */
export const MAX_LEASE_AHEAD_MS = 3600_000;

/** Lambda's limit on an alias description. */
export const MAX_DESCRIPTION = 256;

const MARKER = /\s*\[lambda-canary rollout ([0-9a-f]{8}) step (\d{1,2})\/(\d{1,2}) by ([A-Za-z0-9._@-]{1,80}) (vscode|cli) pid (\d{1,10})\.([0-9a-f]{4}) since (\d{8}T\d{6}Z) until (\d{8}T\d{6}Z)\]$/;

/** This process as a lease holder (`user@host` and its pid): a lease it holds itself does not bind it. */
export function thisProcess(): { holder: string; pid: number } {
  return { holder: `${markerName(currentUser())}@${markerName(os.hostname())}`, pid: process.pid };
}

/** A user or host name as the marker may hold it. */
export function markerName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 32) || 'unknown';
}

const compact = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
const fromCompact = (s: string) => Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);

export function formatMarker(l: Lease): string {
  return `[lambda-canary rollout ${l.rollout} step ${l.step + 1}/${l.steps} by ${l.holder} ${l.client} pid ${l.pid}.${l.instance} since ${compact(l.since)} until ${compact(l.until)}]`;
}

/** The alias description with the lease: the user's text first, shortened to fit when it must. */
export function withLease(userText: string, lease: Lease): string {
  const marker = formatMarker(lease);
  const room = MAX_DESCRIPTION - marker.length - 1;
  const text = userText.trim();
  if (!text) return marker;
  const kept = [...text].length > room ? `${[...text].slice(0, Math.max(0, room - 1)).join('')}…` : text;
  return room > 0 ? `${kept} ${marker}` : marker;
}

/** Splits an alias description into the user's text and the lease, if it holds one. */
export function parseLease(description: string | undefined): { userText: string; lease?: Lease } {
  const text = description ?? '';
  const m = MARKER.exec(text);
  if (!m) return { userText: text };
  const steps = Number(m[3]);
  const step = Number(m[2]) - 1;
  const since = fromCompact(m[8]);
  const until = fromCompact(m[9]);
  // Dates that are not what they say (20260231) are not ours.
  if (!(steps >= 1 && step >= 0 && step < steps) || Number.isNaN(since) || Number.isNaN(until) || compact(since) !== m[8] || compact(until) !== m[9]) {
    return { userText: text };
  }
  return {
    userText: text.slice(0, m.index),
    lease: { rollout: m[1], step, steps, holder: m[4], client: m[5] as Lease['client'], pid: Number(m[6]), instance: m[7], since, until },
  };
}

export function isOwnLease(lease: Lease | undefined, self: { holder: string; pid: number; instance: string }): boolean {
  return !!lease && lease.holder === self.holder && lease.pid === self.pid && lease.instance === self.instance;
}

/** Whether a lease still binds others at `now` (a driver on this host whose process is gone does not). */
export function leaseLive(lease: Lease, now: number, self: { holder: string; pid: number }, processAlive: (pid: number) => boolean = pidAlive): boolean {
  if (lease.until <= now || lease.until - now > MAX_LEASE_AHEAD_MS) return false;
  // pid 0 (a browser, a host without pids) is never looked up.
  const host = lease.holder.split('@')[1];
  // A host name that could not be written (all non-ASCII: 'unknown') says nothing about which machine it is.
  const sameHost = host !== undefined && host !== 'unknown' && host === self.holder.split('@')[1];
  if (sameHost && lease.pid > 0 && lease.pid !== self.pid && !processAlive(lease.pid)) return false;
  return true;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function holderText(l: Pick<Lease, 'holder' | 'client'>): string {
  return `${l.holder} (${l.client === 'vscode' ? 'VS Code' : 'CLI'})`;
}
