/** Move triggers to a router and back; Remove Router (see api.ts). */
import type { Outcome } from '../outcome';
import type { UseCaseContext } from '../usecases/context';
import type { MoveBackInput, MoveToRouterInput, RemoveRouterInput } from './api';
import type { RouterDetail } from './detail';

export function moveToRouter(_ctx: UseCaseContext, _input: MoveToRouterInput): Promise<Outcome<RouterDetail>> {
  throw new Error('moveToRouter: not built yet');
}

export function moveBackFromRouter(_ctx: UseCaseContext, _input: MoveBackInput): Promise<Outcome<RouterDetail>> {
  throw new Error('moveBackFromRouter: not built yet');
}

export function removeRouter(_ctx: UseCaseContext, _input: RemoveRouterInput): Promise<Outcome<RouterDetail>> {
  throw new Error('removeRouter: not built yet');
}
