import type { FunctionRecord, FunctionSettings, VersionRecord } from '../model';
import { conflict, invalidParameter, validation } from '../errors';
import { lambdaTimestamp } from '../model';
import {
  checkDescription,
  checkEnvironment,
  checkHandler,
  checkMemorySize,
  checkNewFunctionName,
  checkRole,
  checkRuntime,
  checkTags,
  checkTimeout,
  expectBoolean,
  expectString,
  expectStructure,
  isVersionQualifier,
} from '../validation';
import { decodeZip, newCode } from './code';
import type { LambdaContext } from './context';
import type { Reply } from './shared';
import { invalidMarker, PAGE, pageSize } from './shared';
import { snapshot } from './versions';

/** CreateFunction, GetFunction(Configuration), ListFunctions, DeleteFunction and the updates of $LATEST. */
export class FunctionsApi {
  constructor(private readonly ctx: LambdaContext) {}

  hasFunction(name: string): boolean {
    return this.ctx.store.functions.has(name);
  }

  async createFunction(body: Record<string, unknown>): Promise<Reply> {
    const { name } = this.ctx.local(checkNewFunctionName(body.FunctionName), 'CreateFunction');
    if (body.PackageType !== undefined && body.PackageType !== 'Zip') {
      throw invalidParameter('The sandbox supports only PackageType Zip.');
    }
    const settings: FunctionSettings = {
      runtime: checkRuntime(body.Runtime, this.ctx.opts.anyKnownRuntime),
      handler: checkHandler(body.Handler),
      role: checkRole(body.Role),
      description: checkDescription(body.Description),
      timeout: body.Timeout === undefined ? 3 : checkTimeout(body.Timeout),
      memorySize: body.MemorySize === undefined ? 128 : checkMemorySize(body.MemorySize),
      environment: checkEnvironment(body.Environment),
    };
    const tags = checkTags(body.Tags);
    const publish = expectBoolean(body.Publish, 'Publish');
    const code = expectStructure(body.Code, 'Code', '{"ZipFile": "<base64 zip>"}');
    if (this.ctx.store.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const zip = await decodeZip(code?.ZipFile);
    // Checked again: another CreateFunction may have finished while the zip was being checked.
    if (this.ctx.store.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const now = this.ctx.opts.now();
    const latest: VersionRecord = {
      version: '$LATEST',
      settings,
      code: newCode(this.ctx.store, zip),
      revisionId: this.ctx.revision(),
      lastModified: lambdaTimestamp(now),
      pendingUntil: now + this.ctx.opts.updateDelayMs,
      updatingUntil: 0,
    };
    const fn: FunctionRecord = { name, latest, versions: [], aliases: {}, nextVersion: 1, tags };
    let result: VersionRecord = latest;
    if (publish === true) {
      result = snapshot(this.ctx, fn, checkDescription(body.Description), now);
    }
    this.ctx.store.saveFunction(fn);
    return { status: 201, body: this.ctx.configuration(fn, result, false) };
  }

  getFunction(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'GetFunction');
    const q = this.ctx.qualifierOf(qualifier, query);
    const v = this.ctx.resolve(fn, q);
    const out: Record<string, unknown> = {
      Configuration: this.ctx.configuration(fn, v, q ?? false),
      Code: { RepositoryType: 'S3', Location: this.ctx.opts.codeUrl(v.code.blob) },
    };
    if (q === undefined && Object.keys(fn.tags).length) out.Tags = fn.tags;
    return { status: 200, body: out };
  }

  getFunctionConfiguration(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'GetFunctionConfiguration');
    const q = this.ctx.qualifierOf(qualifier, query);
    return { status: 200, body: this.ctx.configuration(fn, this.ctx.resolve(fn, q), q ?? false) };
  }

  deleteFunction(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'DeleteFunction');
    const q = this.ctx.qualifierOf(qualifier, query);
    if (q === undefined) {
      this.ctx.store.deleteFunction(fn.name);
      this.ctx.store.collectGarbage();
      this.ctx.invoker.retire(`${fn.name}\u0000`);
      return { status: 204 };
    }
    if (q === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (!isVersionQualifier(q)) throw invalidParameter('Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.');
    this.ctx.version(fn, q);
    const users = Object.values(fn.aliases).filter((a) => a.functionVersion === q || q in a.routing);
    if (users.length) {
      throw conflict(`Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(', ')}]`);
    }
    fn.versions = fn.versions.filter((v) => v.version !== q);
    this.ctx.store.saveFunction(fn);
    this.ctx.store.collectGarbage();
    this.ctx.invoker.retire(`${fn.name}\u0000${q}\u0000`);
    return { status: 204 };
  }

  listFunctions(query: URLSearchParams): Reply {
    const all = query.get('FunctionVersion');
    if (all !== null && all !== 'ALL') throw validation(all, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
    const max = pageSize(query, 10_000);
    const names = this.ctx.store.functions.sortedNames();
    // The marker names the last entry returned, so paging stays consistent while functions are
    // created or deleted between pages: start at the first name not before it.
    const after = decodeNameMarker(query.get('Marker'));
    let lo = 0;
    if (after) {
      let hi = names.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (names[mid] < after[0]) lo = mid + 1;
        else hi = mid;
      }
    }
    const size = Math.min(max, PAGE);
    // One entry past the page, to know whether there is a next one.
    const entries: Array<[FunctionRecord, VersionRecord]> = [];
    for (let i = lo; i < names.length && entries.length <= size; i++) {
      const fn = this.ctx.store.functions.get(names[i])!;
      for (const v of all === 'ALL' ? [fn.latest, ...fn.versions] : [fn.latest]) {
        if (after && fn.name === after[0] && versionKey(v) <= after[1]) continue;
        entries.push([fn, v]);
      }
    }
    const page = entries.slice(0, size);
    const last = page[page.length - 1];
    return {
      status: 200,
      body: {
        Functions: page.map(([fn, v]) => this.ctx.configuration(fn, v, all === 'ALL')),
        NextMarker: entries.length > size ? Buffer.from(JSON.stringify([last[0].name, versionKey(last[1])])).toString('base64') : undefined,
      },
    };
  }

  async updateFunctionCode(pathName: string, body: Record<string, unknown>): Promise<Reply> {
    const { qualifier } = this.ctx.fn(pathName, 'UpdateFunctionCode');
    if (qualifier !== undefined) throw invalidParameter('UpdateFunctionCode applies to $LATEST: do not qualify the function name.');
    const publish = expectBoolean(body.Publish, 'Publish');
    const dryRun = expectBoolean(body.DryRun, 'DryRun');
    expectString(body.RevisionId, 'RevisionId');
    const zip = await decodeZip(body.ZipFile);
    // Looked up again after the wait: the function may have been changed or deleted meanwhile.
    const { fn } = this.ctx.fn(pathName, 'UpdateFunctionCode');
    this.ctx.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    this.ctx.assertNotUpdating(fn);
    if (dryRun === true) return { status: 200, body: this.ctx.configuration(fn, fn.latest, false) };
    const now = this.ctx.opts.now();
    fn.latest = {
      ...fn.latest,
      code: newCode(this.ctx.store, zip),
      revisionId: this.ctx.revision(),
      lastModified: lambdaTimestamp(now),
      updatingUntil: now + this.ctx.opts.updateDelayMs,
    };
    let result = fn.latest;
    if (publish === true) result = snapshot(this.ctx, fn, '', now);
    this.ctx.store.saveFunction(fn);
    return { status: 200, body: this.ctx.configuration(fn, result, false) };
  }

  updateFunctionConfiguration(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'UpdateFunctionConfiguration');
    if (qualifier !== undefined) throw invalidParameter('UpdateFunctionConfiguration applies to $LATEST: do not qualify the function name.');
    const s = fn.latest.settings;
    const settings: FunctionSettings = {
      runtime: body.Runtime === undefined ? s.runtime : checkRuntime(body.Runtime, this.ctx.opts.anyKnownRuntime),
      handler: body.Handler === undefined ? s.handler : checkHandler(body.Handler),
      role: body.Role === undefined ? s.role : checkRole(body.Role),
      description: body.Description === undefined ? s.description : checkDescription(body.Description),
      timeout: body.Timeout === undefined ? s.timeout : checkTimeout(body.Timeout),
      memorySize: body.MemorySize === undefined ? s.memorySize : checkMemorySize(body.MemorySize),
      environment: body.Environment === undefined ? s.environment : checkEnvironment(body.Environment),
    };
    this.ctx.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    this.ctx.assertNotUpdating(fn);
    const now = this.ctx.opts.now();
    fn.latest = { ...fn.latest, settings, revisionId: this.ctx.revision(), lastModified: lambdaTimestamp(now), updatingUntil: now + this.ctx.opts.updateDelayMs };
    this.ctx.store.saveFunction(fn);
    return { status: 200, body: this.ctx.configuration(fn, fn.latest, false) };
  }
}

/** A version's place in ListFunctions order and markers: $LATEST first (0), then by number. */
function versionKey(v: VersionRecord): number {
  return v.version === '$LATEST' ? 0 : Number(v.version);
}

function decodeNameMarker(marker: string | null): [string, number] | undefined {
  if (marker === null || marker === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(marker, 'base64').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw invalidMarker();
}
