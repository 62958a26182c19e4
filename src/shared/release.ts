/**
 * A release as the front ends show it: several functions published, then their aliases moved in
 * lockstep through one plan. Built by the release runner (src/core/releases) from the journal,
 * rendered by the CLI and the editor. Plain data, no Node, DOM or vscode types.
 */
import type { RolloutVerdict } from './rollout';

/**
 * publishing: building, uploading and publishing the members' versions (no traffic yet).
 * running: stepping the aliases together. waiting: a manual gate passed, promote goes on.
 * halted: a person is needed before anything more is written (a teammate's write, a verdict that
 * asks, an outcome that is unknown). interrupted: not ended, and nobody drives it (its process
 * ended mid-release): Resume or Restore All. The others are ends.
 */
export type ReleaseStatus = 'publishing' | 'running' | 'waiting' | 'halted' | 'interrupted' | 'promoted' | 'rolled-back' | 'restored' | 'aborted' | 'failed' | 'unchanged';

export const RELEASE_ENDS: ReadonlySet<ReleaseStatus> = new Set<ReleaseStatus>(['promoted', 'rolled-back', 'restored', 'aborted', 'failed', 'unchanged']);

/**
 * pending: not yet published. published: its version exists and gets no traffic yet. unchanged:
 * its code is what the alias serves, it takes no part. failed: its build, upload, publish or smoke
 * test failed (nothing routed). routed: the alias sends the step's weight to the new version.
 * promoted: the alias serves the new version. restored: the alias is back on its recorded
 * before-state. left: someone else wrote the alias meanwhile: the release does not touch it again.
 * unknown: a write's outcome could not be read back.
 */
export type ReleaseMemberState = 'pending' | 'published' | 'unchanged' | 'failed' | 'routed' | 'promoted' | 'restored' | 'left' | 'unknown';

export interface ReleaseMemberView {
  functionName: string;
  aliasName: string;
  state: ReleaseMemberState;
  /** The version the alias served when the release started. */
  stable: string;
  /** The new version, once published. */
  version?: string;
  codeSha256?: string;
  /** Percent of the alias on the new version as the release last wrote it. */
  weight: number;
  /** Why it failed, was left or is unknown. */
  message?: string;
  /** The latest verdict of this member's canary, with its numbers. */
  verdict?: RolloutVerdict;
  sentence?: string;
}

export interface ReleaseStepView {
  weight: number;
  bakeSeconds: number;
  gate: 'auto' | 'manual';
  startedAt?: number;
  /** The release's verdict of the step: Fail when any member's is, Pass when all are. */
  verdict?: RolloutVerdict;
  sentence?: string;
}

export interface ReleaseView {
  id: string;
  /** What the release was made from: the config or template file, as the user named it. */
  source: string;
  /** The stage of lambda-canary.json it went to. */
  stage?: string;
  /** A promotion to this stage: the earlier stage and its release whose packages it shipped. */
  promotedFrom?: { stage: string; release: string };
  planText: string;
  planName?: string;
  steps: ReleaseStepView[];
  /** The step in place (-1 before the first). */
  current: number;
  status: ReleaseStatus;
  statusText: string;
  startedAt: number;
  endedAt?: number;
  members: ReleaseMemberView[];
  /** Who drives it (while not ended): `user@host`, and whether it is this process. */
  driver?: { holder: string; self: boolean };
}

export type ReleaseControl = 'resume' | 'restore' | 'promote' | 'abort';

/** `3 functions: 2 routed, 1 unchanged` */
export function membersSummary(members: readonly ReleaseMemberView[]): string {
  const counts = new Map<ReleaseMemberState, number>();
  for (const m of members) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${state}`);
  return `${members.length} function${members.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
