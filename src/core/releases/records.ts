import type { AliasState, Outcome } from '../outcome';
import type { RolloutPlan } from '../rollout/plans';
import { formatPlan } from '../rollout/plans';
import type { RolloutVerdict } from '../../shared/rollout';
import type { ReleaseMemberState, ReleaseStatus, ReleaseView } from '../../shared/release';
import { RELEASE_ENDS } from '../../shared/release';

/**
 * A release's state lives in the journal: each publish, alias write, verdict and end is one record
 * (an Outcome with action 'release' and the event in `detail.release`), and the state is the fold
 * of those records. The records about one alias (published, moved, restored, left, unknown) are
 * keyed by that alias, so its history shows them; the others by the release. A restart folds the
 * same records to the same state: that is what Resume and Restore All work from. Pure.
 */

/** Who drives a release: the process that started or resumed it. */
export interface ReleaseDriver {
  holder: string;
  host: string;
  pid: number;
  instance: string;
}

export interface ReleaseMemberRecord {
  functionName: string;
  aliasName: string;
  /** The version the alias served at the start (its primary). */
  stable: string;
  /** The alias as read at the start: what Restore All returns it to. */
  before: AliasState;
  /** Its ARN as read (the journal keys its records by account and region). */
  aliasArn?: string;
}

export type ReleaseEnd = 'promoted' | 'rolled-back' | 'restored' | 'aborted' | 'failed' | 'unchanged';

type Member = { functionName: string; aliasName: string };

export type ReleaseEvent =
  /** Written after every alias was read and before anything is published. */
  | { type: 'started'; id: string; source: string; plan: RolloutPlan; members: ReleaseMemberRecord[]; driver: ReleaseDriver; stage?: string; promotedFrom?: { stage: string; release: string } }
  /** A process took the release over (Resume, Restore All, Promote, Abort after a restart). */
  | { type: 'driver'; id: string; driver: ReleaseDriver; resumed?: boolean }
  | ({ type: 'published'; id: string; version: string; codeSha256?: string } & Member)
  /** Its code (`codeSha256`, when packaged here) is what the alias serves already: it takes no part. */
  | ({ type: 'unchanged'; id: string; message: string; codeSha256?: string } & Member)
  | ({ type: 'publish-failed'; id: string; message: string } & Member)
  /** The step begins: its writes follow, one `moved` per member. */
  | { type: 'step'; id: string; index: number }
  /** The alias routes `weight`% to the new version (100: the alias serves it): the write landed. */
  | ({ type: 'moved'; id: string; index: number; weight: number; revisionId?: string } & Member)
  /** The alias is back on its before-state. */
  | ({ type: 'restored'; id: string; revisionId?: string } & Member)
  /** Someone else wrote the alias: the release does not touch it again. */
  | ({ type: 'left'; id: string; message: string } & Member)
  /** A write whose outcome is not known: the next look at the alias decides (`weight` is what it meant). */
  | ({ type: 'unknown'; id: string; message: string; weight: number } & Member)
  | { type: 'verdict'; id: string; index: number; verdict: RolloutVerdict; sentence: string; members: Array<Member & { verdict: RolloutVerdict; sentence: string }> }
  | { type: 'hold'; id: string; status: 'waiting' | 'halted'; message: string }
  | { type: 'ended'; id: string; result: ReleaseEnd; message: string };

export interface ReleaseDetail {
  release: ReleaseEvent;
}

export interface MemberState extends ReleaseMemberRecord {
  state: ReleaseMemberState;
  version?: string;
  codeSha256?: string;
  /** Percent of the alias the release last put on the new version. */
  weight: number;
  /** The alias's RevisionId after the release's last write of it (at the start: as read). */
  revisionId?: string;
  /** An unknown write: the weight it meant. */
  intended?: number;
  message?: string;
  verdict?: RolloutVerdict;
  sentence?: string;
}

export interface ReleaseState {
  id: string;
  key: string;
  source: string;
  /** The stage of lambda-canary.json it went to, and for a promotion the earlier stage's release it shipped. */
  stage?: string;
  promotedFrom?: { stage: string; release: string };
  plan: RolloutPlan;
  members: MemberState[];
  status: ReleaseStatus;
  statusText: string;
  current: number;
  steps: Array<{ startedAt?: number; verdict?: RolloutVerdict; sentence?: string }>;
  /** The current step's bake counts from its last write. */
  bakeStart?: number;
  startedAt: number;
  endedAt?: number;
  driver: ReleaseDriver;
  lastAt: number;
}

export function memberKey(m: Member): string {
  return `${m.functionName}:${m.aliasName}`;
}

export function releaseEventOf(o: Pick<Outcome, 'action' | 'detail'>): ReleaseEvent | undefined {
  if (o.action !== 'release') return undefined;
  const e = (o.detail as ReleaseDetail | undefined)?.release;
  return e && typeof e === 'object' && typeof e.id === 'string' && typeof e.type === 'string' ? e : undefined;
}

/** Folds the records of one journal (oldest first) into each release's state. */
export function foldReleases(outcomes: Array<Outcome & { key?: string }>): Map<string, ReleaseState> {
  const states = new Map<string, ReleaseState>();
  for (const o of outcomes) {
    const e = releaseEventOf(o);
    if (!e) continue;
    const at = Date.parse(o.endedAt) || 0;
    if (e.type === 'started') {
      if (!Array.isArray(e.plan?.steps) || !e.plan.steps.length || !Array.isArray(e.members)) continue;
      states.set(e.id, {
        id: e.id,
        key: o.key ?? '',
        source: String(e.source ?? ''),
        ...(typeof e.stage === 'string' ? { stage: e.stage } : {}),
        ...(e.promotedFrom && typeof e.promotedFrom.stage === 'string' && typeof e.promotedFrom.release === 'string' ? { promotedFrom: { stage: e.promotedFrom.stage, release: e.promotedFrom.release } } : {}),
        plan: e.plan,
        members: e.members.map((m) => ({ ...m, state: 'pending', weight: 0, ...(m.before?.revisionId ? { revisionId: m.before.revisionId } : {}) })),
        status: 'publishing',
        statusText: 'Publishing.',
        current: -1,
        steps: e.plan.steps.map(() => ({})),
        startedAt: at,
        driver: e.driver,
        lastAt: at,
      });
      continue;
    }
    const s = states.get(e.id);
    if (!s || RELEASE_ENDS.has(s.status)) continue;
    applyRelease(s, e, at);
  }
  return states;
}

export function findMember(s: ReleaseState, m: Member): MemberState | undefined {
  return s.members.find((x) => x.functionName === m.functionName && x.aliasName === m.aliasName);
}

export function applyRelease(s: ReleaseState, e: ReleaseEvent, at: number): void {
  s.lastAt = at;
  switch (e.type) {
    case 'started':
      return;
    case 'driver':
      s.driver = e.driver;
      if (e.resumed && (s.status === 'halted' || s.status === 'running' || s.status === 'publishing')) {
        s.status = s.current < 0 ? 'publishing' : 'running';
        s.statusText = 'Resumed.';
      }
      return;
    case 'published':
    case 'unchanged':
    case 'publish-failed': {
      const m = findMember(s, e);
      if (!m) return;
      if (e.type === 'published') {
        m.state = 'published';
        m.version = e.version;
        if (e.codeSha256) m.codeSha256 = e.codeSha256;
      } else {
        m.state = e.type === 'unchanged' ? 'unchanged' : 'failed';
        m.message = e.message;
        if (e.type === 'unchanged' && e.codeSha256) m.codeSha256 = e.codeSha256;
      }
      return;
    }
    case 'step': {
      if (!(e.index >= 0 && e.index < s.steps.length)) return;
      s.current = e.index;
      s.steps[e.index].startedAt = at;
      s.bakeStart = at;
      s.status = 'running';
      s.statusText = `Step ${e.index + 1} of ${s.steps.length}: ${s.plan.steps[e.index].weight}% of each alias on its new version.`;
      return;
    }
    case 'moved': {
      const m = findMember(s, e);
      if (!m) return;
      m.weight = e.weight;
      m.state = e.weight >= 100 ? 'promoted' : 'routed';
      m.intended = undefined;
      m.message = undefined;
      if (e.revisionId) m.revisionId = e.revisionId;
      if (e.index === s.current) s.bakeStart = at;
      return;
    }
    case 'restored': {
      const m = findMember(s, e);
      if (!m) return;
      m.state = 'restored';
      m.weight = 0;
      m.intended = undefined;
      if (e.revisionId) m.revisionId = e.revisionId;
      return;
    }
    case 'left':
    case 'unknown': {
      const m = findMember(s, e);
      if (!m) return;
      m.state = e.type;
      m.message = e.message;
      if (e.type === 'unknown') m.intended = e.weight;
      return;
    }
    case 'verdict': {
      const step = s.steps[e.index];
      if (step) {
        step.verdict = e.verdict;
        step.sentence = e.sentence;
      }
      for (const v of e.members ?? []) {
        const m = findMember(s, v);
        if (m) {
          m.verdict = v.verdict;
          m.sentence = v.sentence;
        }
      }
      return;
    }
    case 'hold':
      s.status = e.status;
      s.statusText = e.message;
      return;
    case 'ended':
      s.status = e.result;
      s.statusText = e.message;
      s.endedAt = at;
      return;
  }
}

export function isOpen(s: Pick<ReleaseState, 'status'>): boolean {
  return !RELEASE_ENDS.has(s.status);
}

/** The members that take part in the stepping: published, and not failed, left or unchanged. */
export function stepping(s: ReleaseState): MemberState[] {
  return s.members.filter((m) => m.version !== undefined && m.state !== 'left' && m.state !== 'unchanged' && m.state !== 'failed' && m.state !== 'restored');
}

export function viewOf(s: ReleaseState, driver?: ReleaseView['driver'], interrupted = false): ReleaseView {
  return {
    id: s.id,
    source: s.source,
    ...(s.stage ? { stage: s.stage } : {}),
    ...(s.promotedFrom ? { promotedFrom: s.promotedFrom } : {}),
    planText: formatPlan(s.plan),
    ...(s.plan.name ? { planName: s.plan.name } : {}),
    steps: s.plan.steps.map((p, i) => ({ weight: p.weight, bakeSeconds: p.bakeSeconds, gate: p.gate, ...s.steps[i] })),
    current: s.current,
    status: interrupted && isOpen(s) ? 'interrupted' : s.status,
    statusText: interrupted && isOpen(s) ? `Interrupted (${s.statusText.replace(/\.$/, '')}): its process ended. Resume goes on; Restore All returns every alias to where it was.` : s.statusText,
    startedAt: s.startedAt,
    ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
    members: s.members.map((m) => ({
      functionName: m.functionName,
      aliasName: m.aliasName,
      state: m.state,
      stable: m.stable,
      ...(m.version !== undefined ? { version: m.version } : {}),
      ...(m.codeSha256 ? { codeSha256: m.codeSha256 } : {}),
      weight: m.weight,
      ...(m.message ? { message: m.message } : {}),
      ...(m.verdict ? { verdict: m.verdict } : {}),
      ...(m.sentence ? { sentence: m.sentence } : {}),
    })),
    ...(driver && isOpen(s) ? { driver } : {}),
  };
}
