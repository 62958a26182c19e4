import * as l10n from '@vscode/l10n';
import type { Outcome } from '../../core/outcome';
import type { UseCaseContext } from '../../core/usecases';
import { promote, rollback, setCanaryWeight } from '../../core/usecases';
import type { PanelMessage } from '../../shared/protocol';
import type { AliasActionRequest } from '../aliasActionsService';
import { describeSplit } from '../commands/common';
import { confirmCanaryChange } from '../commands/confirmations';
import type { TrafficFeed } from './trafficFeed';

export type CanaryChangeMessage = Extract<PanelMessage, { type: 'apply' | 'promote' | 'rollback' }>;
type Kind = CanaryChangeMessage['type'];

/** Conflicts asked about again (the alias changed since the panel read it) before giving up. */
const CONFLICT_ROUNDS = 3;

/**
 * The panel's Apply / Promote / Roll back as a request to the AliasActionsService: the commands'
 * confirmation about the alias as the feed shows it, one use case guarded by the RevisionId the
 * user saw, and after a conflict the alias re-read (the page shows it) and the question asked
 * again about that. Apply 0 % is a roll back and 100 % a promotion, named as such.
 */
export function canaryChangeRequest(feed: TrafficFeed, message: CanaryChangeMessage, owner: object, claimed: () => Promise<void>): AliasActionRequest {
  const { functionName, aliasName } = feed;
  const w = message.type === 'apply' ? message.weightPercent : undefined;
  const kind: Kind = w === undefined ? message.type : w <= 0 ? 'rollback' : w >= 100 ? 'promote' : 'apply';
  let alias = feed.alias;
  let preface = '';
  return {
    functionName,
    aliasName,
    action: message.type,
    manual: kind === 'promote' ? l10n.t('Promote the canary') : kind === 'rollback' ? l10n.t('Roll back the canary') : l10n.t('Set the canary weight'),
    owner,
    ask: async () => {
      await claimed();
      alias ??= await feed.reread();
      return true;
    },
    confirm: () => confirmCanaryChange(kind, functionName, aliasName, alias!, w, preface),
    title: kind === 'promote' ? l10n.t('Promoting {0}', `${functionName}:${aliasName}`) : kind === 'rollback' ? l10n.t('Rolling back {0}', `${functionName}:${aliasName}`) : l10n.t('Setting the canary weight of {0}', `${functionName}:${aliasName}`),
    run: (uc) => canaryUseCase(uc, kind, { functionName, aliasName, expectedRevisionId: alias!.RevisionId }, w),
    conflictRounds: CONFLICT_ROUNDS,
    onConflict: async () => {
      alias = await feed.reread();
      preface = `${l10n.t('{0} changed since the panel loaded it (now {1}).', aliasName, describeSplit(alias))} `;
    },
  };
}

function canaryUseCase(uc: UseCaseContext, kind: Kind, ref: { functionName: string; aliasName: string; expectedRevisionId?: string }, weightPercent: number | undefined): Promise<Outcome> {
  if (kind === 'promote') return promote(uc, ref);
  if (kind === 'rollback') return rollback(uc, ref);
  return setCanaryWeight(uc, { ...ref, weightPercent: weightPercent! });
}
