/** Create Router, Change Router Rule, find the router of an alias (see api.ts). */
import type { Outcome } from '../outcome';
import type { UseCaseContext } from '../usecases/context';
import type { CreateRouterInput, RouterInfo, RouterRef, SetRouterRuleInput } from './api';
import type { RouterDetail } from './detail';

export function createRouter(_ctx: UseCaseContext, _input: CreateRouterInput): Promise<Outcome<RouterDetail>> {
  throw new Error('createRouter: not built yet');
}

export function setRouterRule(_ctx: UseCaseContext, _input: SetRouterRuleInput): Promise<Outcome<RouterDetail>> {
  throw new Error('setRouterRule: not built yet');
}

export function findRouter(_ctx: UseCaseContext, _ref: RouterRef): Promise<RouterInfo | undefined> {
  throw new Error('findRouter: not built yet');
}
