import type { CodeRef, FunctionRecord, FunctionSettings, VersionRecord } from '../model';
import { conflict, invalidParameter, validation } from '../errors';
import { dropQualifierTriggers, isImage, lambdaTimestamp } from '../model';
import {
  checkDescription,
  checkEnvironment,
  checkHandler,
  checkImageConfig,
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
import { decodeZip, imageCode, newCode } from './code';
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
    const packageType = body.PackageType ?? 'Zip';
    if (packageType !== 'Zip' && packageType !== 'Image') throw validation(body.PackageType, 'packageType', 'Member must satisfy enum value set: [Zip, Image]');
    const image = packageType === 'Image';
    if (image && (body.Runtime !== undefined || body.Handler !== undefined || body.Layers !== undefined)) {
      throw invalidParameter("Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.");
    }
    const runtime = image ? '' : checkRuntime(body.Runtime);
    const settings: FunctionSettings = {
      runtime,
      handler: image ? '' : checkHandler(body.Handler, runtime),
      role: checkRole(body.Role),
      description: checkDescription(body.Description),
      timeout: body.Timeout === undefined ? 3 : checkTimeout(body.Timeout),
      memorySize: body.MemorySize === undefined ? 128 : checkMemorySize(body.MemorySize),
      environment: checkEnvironment(body.Environment),
    };
    const imageConfig = checkImageConfig(body.ImageConfig);
    if (imageConfig && !image) throw invalidParameter("Please don't provide ImageConfig when the intended function PackageType is Zip.");
    if (imageConfig) settings.imageConfig = imageConfig;
    const tags = checkTags(body.Tags);
    const publish = expectBoolean(body.Publish, 'Publish');
    const code = expectStructure(body.Code, 'Code', image ? '{"ImageUri": "<ECR image URI>"}' : '{"ZipFile": "<base64 zip>"}');
    if (this.ctx.store.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    let ref: CodeRef;
    if (image) {
      if (code?.ZipFile !== undefined || code?.S3Bucket !== undefined || code?.S3Key !== undefined) {
        throw invalidParameter("Please don't provide ZipFile or S3Bucket/S3Key when the intended function PackageType is Image: give Code.ImageUri.");
      }
      if (code?.ImageUri === undefined) throw invalidParameter('Please provide ImageUri when the intended function PackageType is Image.');
      ref = imageCode(code.ImageUri, this.ctx.opts.region, this.ctx.images);
    } else {
      if (code?.ImageUri !== undefined) throw invalidParameter("Please don't provide ImageUri when the intended function PackageType is Zip: set PackageType Image for a container image.");
      const zip = await decodeZip(code?.ZipFile);
      // Checked again: another CreateFunction may have finished while the zip was being checked.
      if (this.ctx.store.functions.has(name)) throw conflict(`Function already exist: ${name}`);
      ref = newCode(this.ctx.store, zip);
    }
    const now = this.ctx.opts.now();
    const latest: VersionRecord = {
      version: '$LATEST',
      settings,
      code: ref,
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
      Code: v.code.image
        ? { RepositoryType: 'ECR', ImageUri: v.code.image.uri, ResolvedImageUri: v.code.image.resolvedUri }
        : { RepositoryType: 'S3', Location: this.ctx.opts.codeUrl(v.code.blob) },
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
    dropQualifierTriggers(fn, q);
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

  /** `fail`: the update is accepted, then ends Failed (the `failUpdate` fault). */
  async updateFunctionCode(pathName: string, body: Record<string, unknown>, fail = false): Promise<Reply> {
    const { fn: before, qualifier } = this.ctx.fn(pathName, 'UpdateFunctionCode');
    if (qualifier !== undefined) throw invalidParameter('UpdateFunctionCode applies to $LATEST: do not qualify the function name.');
    const publish = expectBoolean(body.Publish, 'Publish');
    const dryRun = expectBoolean(body.DryRun, 'DryRun');
    expectString(body.RevisionId, 'RevisionId');
    // A function's package type is fixed when it is created.
    let image: CodeRef | undefined;
    let zip: Buffer | undefined;
    if (isImage(before.latest)) {
      if (body.ImageUri === undefined || body.ZipFile !== undefined || body.S3Bucket !== undefined) {
        throw invalidParameter('Please provide ImageUri when updating a function with packageType Image.');
      }
      image = imageCode(body.ImageUri, this.ctx.opts.region, this.ctx.images);
    } else {
      if (body.ImageUri !== undefined) throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
      zip = await decodeZip(body.ZipFile);
    }
    // Looked up again after the wait: the function may have been changed or deleted meanwhile.
    const { fn } = this.ctx.fn(pathName, 'UpdateFunctionCode');
    if (fn !== before && isImage(fn.latest) !== isImage(before.latest)) throw conflict(`The function ${this.ctx.arn(fn.name)} was replaced while its code was being checked; retry.`);
    this.ctx.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    this.ctx.assertNotUpdating(fn);
    if (dryRun === true) return { status: 200, body: this.ctx.configuration(fn, fn.latest, false) };
    const now = this.ctx.opts.now();
    const latest: VersionRecord = {
      ...fn.latest,
      code: image ?? newCode(this.ctx.store, zip!),
      revisionId: this.ctx.revision(),
      lastModified: lambdaTimestamp(now),
      updatingUntil: now + this.ctx.opts.updateDelayMs,
    };
    delete latest.updateFailure;
    if (fail) {
      // Lambda's reasons for an update that could not be applied: an image it cannot pull, code it cannot extract.
      latest.updateFailure = image
        ? { code: 'ImageAccessDenied', reason: `Lambda does not have permission to access the ECR image ${image.image!.uri}. Check the ECR permissions.` }
        : { code: 'InvalidZipFileException', reason: 'Lambda was not able to unzip the file.' };
    }
    fn.latest = latest;
    let result = fn.latest;
    // A failed update publishes nothing.
    if (publish === true && !fail) result = snapshot(this.ctx, fn, '', now);
    this.ctx.store.saveFunction(fn);
    return { status: 200, body: this.ctx.configuration(fn, result, false) };
  }

  updateFunctionConfiguration(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'UpdateFunctionConfiguration');
    if (qualifier !== undefined) throw invalidParameter('UpdateFunctionConfiguration applies to $LATEST: do not qualify the function name.');
    const s = fn.latest.settings;
    const image = isImage(fn.latest);
    if (image && (body.Runtime !== undefined || body.Handler !== undefined || body.Layers !== undefined)) {
      throw invalidParameter("Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.");
    }
    const imageConfig = checkImageConfig(body.ImageConfig);
    if (imageConfig && !image) throw invalidParameter("Please don't provide ImageConfig when the function's PackageType is Zip.");
    const runtime = body.Runtime === undefined ? s.runtime : checkRuntime(body.Runtime);
    const settings: FunctionSettings = {
      runtime,
      handler: body.Handler === undefined ? s.handler : checkHandler(body.Handler, runtime),
      role: body.Role === undefined ? s.role : checkRole(body.Role),
      description: body.Description === undefined ? s.description : checkDescription(body.Description),
      timeout: body.Timeout === undefined ? s.timeout : checkTimeout(body.Timeout),
      memorySize: body.MemorySize === undefined ? s.memorySize : checkMemorySize(body.MemorySize),
      environment: body.Environment === undefined ? s.environment : checkEnvironment(body.Environment),
    };
    if (imageConfig) settings.imageConfig = imageConfig;
    else if (s.imageConfig) settings.imageConfig = s.imageConfig;
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
