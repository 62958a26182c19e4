import type { Outcome } from '../outcome';
import type { UseCaseContext } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import type { ReturnToStateDetail, ReturnToStateInput } from './types';

/**
 * Return to This State (action 'return', journalled): one guarded UpdateAlias to the entry's routing
 * (weights included), after the CodeDeploy guard and a check that every version it needs is still
 * published and Active; refused, with nothing written, when one was deleted or the state routes to
 * $LATEST. The front end confirms before calling it.
 */
export function returnToState(ctx: UseCaseContext, input: ReturnToStateInput): Promise<Outcome<ReturnToStateDetail>> {
  return runUseCase<ReturnToStateDetail>(ctx, 'return', input, async () => {
    throw new Error('returnToState is not implemented yet');
  });
}
