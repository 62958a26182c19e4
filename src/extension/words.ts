import * as l10n from '@vscode/l10n';
import type { ReleaseMemberState, ReleaseMemberView, ReleaseStatus } from '../shared/release';
import type { RolloutStatus, RolloutView } from '../shared/rollout';

/**
 * The words the extension shows for the states of rollouts, releases and their members, and for
 * a step, localised (@vscode/l10n, no vscode import: the text modules use them in plain Node).
 * The states themselves stay the protocol's identifiers.
 */

/** `paused`, `rolled back`… */
export function statusWord(s: RolloutStatus | ReleaseStatus | ReleaseMemberState): string {
  switch (s) {
    case 'running':
      return l10n.t('running');
    case 'paused':
      return l10n.t('paused');
    case 'waiting':
      return l10n.t('waiting');
    case 'halted':
      return l10n.t('halted');
    case 'promoted':
      return l10n.t('promoted');
    case 'rolled-back':
      return l10n.t('rolled-back');
    case 'aborted':
      return l10n.t('aborted');
    case 'completed':
      return l10n.t('completed');
    case 'abandoned':
      return l10n.t('abandoned');
    case 'publishing':
      return l10n.t('publishing');
    case 'interrupted':
      return l10n.t('interrupted');
    case 'restored':
      return l10n.t('restored');
    case 'failed':
      return l10n.t('failed');
    case 'unchanged':
      return l10n.t('unchanged');
    case 'pending':
      return l10n.t('pending');
    case 'published':
      return l10n.t('published');
    case 'routed':
      return l10n.t('routed');
    case 'left':
      return l10n.t('left');
    case 'unknown':
      return l10n.t('unknown');
    default:
      return String(s);
  }
}

/** `step 2/4` */
export function stepText(v: Pick<RolloutView, 'current' | 'steps'>): string {
  return l10n.t('step {0}/{1}', v.current + 1, v.steps.length);
}

/** `3 functions: 2 routed, 1 pending` */
export function membersText(members: readonly ReleaseMemberView[]): string {
  const counts = new Map<ReleaseMemberState, number>();
  for (const m of members) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => l10n.t('{0} {1}', n, statusWord(state))).join(', ');
  return members.length === 1 ? l10n.t('1 function: {0}', parts) : l10n.t('{0} functions: {1}', members.length, parts);
}
