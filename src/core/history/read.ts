import type { HistoryView } from '../../shared/history';
import type { Outcome } from '../outcome';
import { runUseCase } from '../usecases/context';
import type { HistoryContext, HistoryInput } from './types';

/**
 * The alias's history (action 'history', read-only, not journalled): the journal's records of the
 * alias (ctx.journal.history) and CloudTrail's Lambda events for the function (LookupEvents,
 * EventSource lambda.amazonaws.com, paged, paced under CloudTrail's 2 requests a second), merged so
 * that one write shows once; newest first. Without permission (AccessDenied) or CloudTrail at the
 * endpoint: the journal alone, and the status says why in one line.
 */
export function readHistory(ctx: HistoryContext, input: HistoryInput): Promise<Outcome<HistoryView>> {
  return runUseCase<HistoryView>(
    ctx,
    'history',
    input,
    async () => {
      throw new Error('readHistory is not implemented yet');
    },
    { journal: false },
  );
}
