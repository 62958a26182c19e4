import type { Outcome } from '../outcome';
import type { RolloutControl, RolloutStatus, RolloutVerdict, RolloutView } from '../../shared/rollout';
import { ROLLOUT_ENDS } from '../../shared/rollout';
import type { RolloutPlan } from './plans';
import { formatPlan } from './plans';
import type { Lease } from './lease';
import { leaseLive, parseLease, thisProcess } from './lease';

/**
 * A rollout's state lives in the journal, not in memory: each step, verdict and control action is
 * one record (an Outcome with action 'rollout' and the event in `detail.rollout`), and the state
 * is the fold of those records. A window reload, a restart or another runner on the same journal
 * folds the same records to the same state. Pure.
 */

export type RolloutEnd = 'promoted' | 'rolled-back' | 'aborted' | 'completed' | 'abandoned';

export type RolloutEvent =
  /** Written before the first write: the plan, the versions, and the user's alias description to restore. */
  | { type: 'started'; id: string; functionName: string; aliasName: string; version: string; stable: string; plan: RolloutPlan; description: string }
  /** The step's weight is in place (`at`: when; its bake counts from there). */
  | { type: 'step'; id: string; index: number; weight: number; revisionId?: string; adopted?: boolean }
  /** A decisive verdict of a step (Pending is never recorded). */
  | { type: 'verdict'; id: string; index: number; verdict: RolloutVerdict; sentence: string; reason: string }
  | { type: 'control'; id: string; action: RolloutControl }
  /** Waiting for a person: a manual gate passed (waiting), or something needs a decision before any write (halted). */
  | { type: 'hold'; id: string; status: 'waiting' | 'halted'; message: string; revisionId?: string }
  /** The lease was written again (renewed or taken over): the alias's revision moved by the runner's own write. */
  | { type: 'lease'; id: string; revisionId?: string }
  | { type: 'ended'; id: string; result: RolloutEnd; message: string; revisionId?: string };

export interface RolloutDetail {
  rollout: RolloutEvent;
}

export interface RolloutState {
  id: string;
  key: string;
  functionName: string;
  aliasName: string;
  version: string;
  stable: string;
  plan: RolloutPlan;
  description: string;
  status: RolloutStatus;
  statusText: string;
  /** -1 until the first step's weight is in place. */
  current: number;
  steps: Array<{ startedAt?: number; endedAt?: number; verdict?: RolloutVerdict; sentence?: string }>;
  startedAt: number;
  endedAt?: number;
  /** The current step's bake: from bakeStart for bakeMs (a Resume after a verdict restarts the bake's clock). */
  bakeStart?: number;
  bakeMs?: number;
  /** The alias's RevisionId after the runner's last write, as recorded. */
  revisionId?: string;
  /** Paused by a person (status 'paused'): the judge still watches; a Fail still rolls back. */
  /** The connection the records came from (for the front ends). */
  lastAt: number;
}

export function rolloutEventOf(o: Pick<Outcome, 'action' | 'detail'>): RolloutEvent | undefined {
  if (o.action !== 'rollout') return undefined;
  const e = (o.detail as RolloutDetail | undefined)?.rollout;
  return e && typeof e === 'object' && typeof e.id === 'string' && typeof e.type === 'string' ? e : undefined;
}

/** Folds the records of one journal (oldest first) into each rollout's state. */
export function foldRollouts(outcomes: Array<Outcome & { key?: string }>): Map<string, RolloutState> {
  const states = new Map<string, RolloutState>();
  for (const o of outcomes) {
    const e = rolloutEventOf(o);
    if (!e) continue;
    const at = Date.parse(o.endedAt) || 0;
    if (e.type === 'started') {
      if (!Array.isArray(e.plan?.steps) || !e.plan.steps.length) continue;
      states.set(e.id, {
        id: e.id,
        key: o.key ?? '',
        functionName: e.functionName,
        aliasName: e.aliasName,
        version: e.version,
        stable: e.stable,
        plan: e.plan,
        description: e.description ?? '',
        status: 'running',
        statusText: 'Starting.',
        current: -1,
        steps: e.plan.steps.map(() => ({})),
        startedAt: at,
        lastAt: at,
      });
      continue;
    }
    const s = states.get(e.id);
    if (!s || ROLLOUT_ENDS.has(s.status)) continue;
    apply(s, e, at);
  }
  return states;
}

export function apply(s: RolloutState, e: RolloutEvent, at: number): void {
  s.lastAt = at;
  switch (e.type) {
    case 'step': {
      if (!(e.index >= 0 && e.index < s.steps.length)) return;
      if (s.current >= 0 && s.current !== e.index) s.steps[s.current].endedAt = at;
      s.current = e.index;
      s.steps[e.index].startedAt = at;
      s.bakeStart = at;
      s.bakeMs = s.plan.steps[e.index].bakeSeconds * 1000;
      if (e.revisionId) s.revisionId = e.revisionId;
      if (s.status !== 'paused') {
        s.status = 'running';
        s.statusText = `Step ${e.index + 1} of ${s.steps.length}: ${s.plan.steps[e.index].weight}% of ${s.aliasName} on version ${s.version}.`;
      }
      return;
    }
    case 'verdict': {
      const step = s.steps[e.index];
      if (step) {
        step.verdict = e.verdict;
        step.sentence = e.sentence;
      }
      return;
    }
    case 'control': {
      if (e.action === 'pause') {
        s.status = 'paused';
        s.statusText = 'Paused: the weight stays where it is; the judge keeps watching and a failing canary is still rolled back.';
      } else if (e.action === 'resume') {
        // A Resume after a hold starts the step's bake clock again: the verdict that asked is not asked again at once.
        if (s.status === 'halted' || s.status === 'waiting') {
          s.bakeMs = at - (s.bakeStart ?? at) + s.plan.steps[Math.max(0, s.current)].bakeSeconds * 1000;
        }
        s.status = 'running';
        s.statusText = 'Resumed.';
      }
      // next / promote / abort: the runner's writes that follow are their records.
      return;
    }
    case 'hold':
      s.status = e.status;
      s.statusText = e.message;
      if (e.revisionId) s.revisionId = e.revisionId;
      return;
    case 'lease':
      if (e.revisionId) s.revisionId = e.revisionId;
      return;
    case 'ended':
      if (s.current >= 0) s.steps[s.current].endedAt = at;
      s.status = e.result;
      s.statusText = e.message;
      s.endedAt = at;
      if (e.revisionId) s.revisionId = e.revisionId;
      return;
    case 'started':
      return;
  }
}

export function isActive(s: RolloutState): boolean {
  return !ROLLOUT_ENDS.has(s.status);
}

/** The view the front ends render, without evidence or driver (the runner adds those). */
export function viewOf(s: RolloutState): RolloutView {
  return {
    id: s.id,
    functionName: s.functionName,
    aliasName: s.aliasName,
    version: s.version,
    stable: s.stable,
    planText: formatPlan(s.plan),
    ...(s.plan.name ? { planName: s.plan.name } : {}),
    alarms: [...(s.plan.alarms ?? [])],
    steps: s.plan.steps.map((p, i) => ({ weight: p.weight, bakeSeconds: p.bakeSeconds, gate: p.gate, ...s.steps[i] })),
    current: Math.max(0, s.current),
    status: s.status,
    statusText: s.statusText,
    startedAt: s.startedAt,
    ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
    ...(s.bakeStart !== undefined ? { bakeStart: s.bakeStart, bakeMs: s.bakeMs } : {}),
  };
}

/**
 * The rollout that drives an alias now, if any: a live lease in its description (any machine's,
 * but not this process's own), else a rollout this journal holds open on it. Writers that must not
 * take an alias from a rollout (Return to This State, a CodeDeploy start) ask this first.
 */
export function rolloutDriving(
  alias: { Description?: string; AliasArn?: string },
  ref: { functionName: string; aliasName: string },
  journalRollouts: Array<Outcome & { key?: string }>,
  now = Date.now(),
): { lease: Lease } | { open: RolloutState } | undefined {
  const { lease } = parseLease(alias.Description);
  if (lease && leaseLive(lease, now, thisProcess())) return { lease };
  // The function as the alias's ARN names it, for a user who gave its ARN.
  const fn = alias.AliasArn?.split(':')[6];
  const open = [...foldRollouts(journalRollouts).values()].find((s) => isActive(s) && s.aliasName === ref.aliasName && (s.functionName === ref.functionName || s.functionName === fn));
  return open ? { open } : undefined;
}
