import { conflict, invalidParameter } from '../errors';
import type { AliasRecord, FunctionRecord } from '../model';
import { dropQualifierTriggers, stateOf } from '../model';
import { checkAliasName, checkDescription, checkRouting, checkVersion } from '../validation';
import type { LambdaContext } from './context';
import type { Reply } from './shared';
import { decodeKeyMarker, encodeKeyMarker, firstIndex, PAGE, pageSize } from './shared';

/** CreateAlias, GetAlias, ListAliases, UpdateAlias and DeleteAlias. */
export class AliasesApi {
  constructor(private readonly ctx: LambdaContext) {}

  private checkAliasTargets(fn: FunctionRecord, primary: string, routing: Record<string, number>): void {
    const main = this.ctx.version(fn, primary);
    const now = this.ctx.opts.now();
    for (const v of [main, ...Object.keys(routing).map((r) => this.ctx.version(fn, r))]) {
      if (v.settings.role !== main.settings.role) {
        throw invalidParameter('Specified versions must be associated with the same execution role');
      }
      // A version published from a failed update never serves: Lambda refuses to route to it.
      if (stateOf(v, now) === 'Failed') {
        throw conflict(`Version ${v.version} of ${this.ctx.arn(fn.name)} is in state: 'Failed', StateReasonCode: '${v.failure?.code ?? ''}': an alias cannot route to it.`);
      }
    }
  }

  createAlias(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'CreateAlias');
    if (qualifier !== undefined) throw invalidParameter('CreateAlias takes an unqualified function name.');
    const name = checkAliasName(body.Name);
    const primary = checkVersion(body.FunctionVersion);
    const description = checkDescription(body.Description);
    const routing = checkRouting(body.RoutingConfig, primary);
    this.checkAliasTargets(fn, primary, routing);
    if (Object.hasOwn(fn.aliases, name)) throw conflict(`Alias already exists: ${this.ctx.arn(fn.name, name)}`);
    const a: AliasRecord = { name, functionVersion: primary, description, routing, revisionId: this.ctx.revision() };
    this.ctx.putAlias(fn, a);
    this.ctx.store.saveFunction(fn);
    return { status: 201, body: this.ctx.aliasShape(fn, a) };
  }

  getAlias(pathName: string, aliasName: string): Reply {
    const { fn } = this.ctx.fn(pathName, 'GetAlias');
    return { status: 200, body: this.ctx.aliasShape(fn, this.ctx.alias(fn, checkAliasName(aliasName))) };
  }

  listAliases(pathName: string, query: URLSearchParams): Reply {
    const { fn } = this.ctx.fn(pathName, 'ListAliases');
    const filter = query.get('FunctionVersion');
    if (filter !== null) checkVersion(filter);
    const max = pageSize(query, 10_000);
    const all = Object.values(fn.aliases)
      .filter((a) => filter === null || a.functionVersion === filter || filter in a.routing)
      .sort((a, b) => a.name.localeCompare(b.name));
    const after = decodeKeyMarker(query.get('Marker'));
    const start = after === undefined ? 0 : firstIndex(all, (a) => a.name.localeCompare(after) > 0);
    const page = all.slice(start, start + Math.min(max, PAGE));
    const end = start + page.length;
    return { status: 200, body: { Aliases: page.map((a) => this.ctx.aliasShape(fn, a)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1].name) : undefined } };
  }

  updateAlias(pathName: string, aliasName: string, body: Record<string, unknown>): Reply {
    const { fn } = this.ctx.fn(pathName, 'UpdateAlias');
    const a = this.ctx.alias(fn, checkAliasName(aliasName));
    const primary = body.FunctionVersion === undefined ? a.functionVersion : checkVersion(body.FunctionVersion);
    // An absent (or null) Description keeps the alias's; '' clears it.
    const description = body.Description === undefined || body.Description === null ? a.description : checkDescription(body.Description);
    const routing = body.RoutingConfig === undefined ? a.routing : checkRouting(body.RoutingConfig, primary);
    if (body.RoutingConfig === undefined && primary in routing) {
      throw invalidParameter(`Version ${primary} is already the alias's additional version: clear RoutingConfig to make it the primary.`);
    }
    if (primary === '$LATEST' && Object.keys(routing).length) {
      // The kept routing config would otherwise split traffic between $LATEST and a version.
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    this.checkAliasTargets(fn, primary, routing);
    this.ctx.checkRevision(body.RevisionId, a.revisionId, 'GetFunction/GetAlias');
    const updated: AliasRecord = { ...a, functionVersion: primary, description, routing, revisionId: this.ctx.revision() };
    this.ctx.putAlias(fn, updated);
    this.ctx.store.saveFunction(fn);
    return { status: 200, body: this.ctx.aliasShape(fn, updated) };
  }

  deleteAlias(pathName: string, aliasName: string): Reply {
    const { fn } = this.ctx.fn(pathName, 'DeleteAlias');
    const name = checkAliasName(aliasName);
    // DeleteAlias is idempotent on AWS for a known function.
    if (Object.hasOwn(fn.aliases, name)) {
      delete fn.aliases[name];
      dropQualifierTriggers(fn, name);
      this.ctx.store.saveFunction(fn);
    }
    return { status: 204 };
  }
}
