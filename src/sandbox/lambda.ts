import * as crypto from 'node:crypto';
import { unzipSync } from 'fflate';
import { AwsError, conflict, invalidParameter, notFound, preconditionFailed, validation } from './errors';
import type { MetricsStore } from './metrics';
import type { AliasRecord, FunctionRecord, FunctionSettings, VersionRecord } from './model';
import { fingerprint, lambdaTimestamp, stateOf, updateStatusOf } from './model';
import type { Random } from './random';
import type { Invoker } from './runtime/invoker';
import type { Store } from './store';
import {
  checkAliasName,
  checkDescription,
  checkEnvironment,
  checkHandler,
  checkMemorySize,
  checkNewFunctionName,
  checkRole,
  checkRouting,
  checkRuntime,
  checkTimeout,
  checkVersion,
  isVersionQualifier,
  parseFunctionRef,
} from './validation';

export const MAX_UNZIPPED_BYTES = 262_144_000;
export const MAX_INVOKE_PAYLOAD = 6 * 1024 * 1024;
const PAGE = 50;

export interface LambdaOptions {
  region: string;
  accountId: string;
  /** How long State stays Pending / LastUpdateStatus stays InProgress after a write. */
  updateDelayMs: number;
  /** Where GetFunction's Code.Location points for a code blob (a URL that needs no signature). */
  codeUrl: (blob: string) => string;
  now: () => number;
}

export interface Reply {
  status: number;
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** Lambda's control and invoke APIs over the sandbox's store, with AWS's rules and errors. */
export class LambdaService {
  constructor(
    private readonly store: Store,
    private readonly invoker: Invoker,
    private readonly metrics: MetricsStore,
    private readonly random: Random,
    private readonly opts: LambdaOptions,
  ) {}

  // ---- helpers ---------------------------------------------------------------------------

  arn(name: string, qualifier?: string): string {
    const base = `arn:aws:lambda:${this.opts.region}:${this.opts.accountId}:function:${name}`;
    return qualifier ? `${base}:${qualifier}` : base;
  }

  private fn(raw: unknown): { fn: FunctionRecord; qualifier?: string } {
    const ref = parseFunctionRef(raw);
    const fn = this.store.functions.get(ref.name);
    if (!fn) throw notFound(`Function not found: ${this.arn(ref.name)}`);
    return { fn, qualifier: ref.qualifier };
  }

  /** A qualifier from the path and one from the query must agree, as Lambda requires. */
  private qualifierOf(pathQualifier: string | undefined, query: URLSearchParams): string | undefined {
    const q = query.get('Qualifier') ?? undefined;
    if (q !== undefined && (q.length < 1 || q.length > 128 || !/^(|[a-zA-Z0-9$_-]+)$/.test(q))) {
      throw validation(q, 'qualifier', 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
    }
    if (pathQualifier !== undefined && q !== undefined && pathQualifier !== q) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    return q ?? pathQualifier;
  }

  private version(fn: FunctionRecord, v: string): VersionRecord {
    if (v === '$LATEST') return fn.latest;
    const rec = fn.versions.find((x) => x.version === v);
    if (!rec) throw notFound(`Function not found: ${this.arn(fn.name, v)}`);
    return rec;
  }

  private alias(fn: FunctionRecord, name: string): AliasRecord {
    // Own properties only: an alias may be called `constructor`, `toString` or `__proto__`.
    const a = Object.hasOwn(fn.aliases, name) ? fn.aliases[name] : undefined;
    if (!a) throw notFound(`Alias not found: ${this.arn(fn.name, name)}`);
    return a;
  }

  /** Stores an alias as an own property, even under a name like `__proto__` (plain assignment would set the prototype). */
  private putAlias(fn: FunctionRecord, a: AliasRecord): void {
    Object.defineProperty(fn.aliases, a.name, { value: a, enumerable: true, writable: true, configurable: true });
  }

  /** Resolves a qualifier to the version record it denotes (an alias follows its primary version). */
  private resolve(fn: FunctionRecord, qualifier: string | undefined): VersionRecord {
    if (qualifier === undefined || qualifier === '$LATEST') return fn.latest;
    if (isVersionQualifier(qualifier)) return this.version(fn, qualifier);
    return this.version(fn, this.alias(fn, qualifier).functionVersion);
  }

  private revision(): string {
    return crypto.randomUUID();
  }

  private assertNotUpdating(fn: FunctionRecord): void {
    if (updateStatusOf(fn.latest, this.opts.now()) === 'InProgress' || stateOf(fn.latest, this.opts.now()) === 'Pending') {
      throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${this.arn(fn.name)}`);
    }
  }

  private checkRevision(given: unknown, current: string, what: string): void {
    if (given === undefined || given === null) return;
    if (given !== current) {
      throw preconditionFailed(`The Revision Id provided does not match the latest Revision Id. Call the ${what} API to retrieve the latest Revision Id`);
    }
  }

  private decodeZip(raw: unknown): Buffer {
    if (typeof raw !== 'string' || raw.length === 0) {
      throw invalidParameter('Please provide a source for function code: ZipFile (S3 and container images are not supported by the sandbox).');
    }
    const data = Buffer.from(raw, 'base64');
    let total = 0;
    try {
      const files = unzipSync(new Uint8Array(data), {
        filter: (f) => {
          total += f.originalSize;
          if (total > MAX_UNZIPPED_BYTES) throw new RangeError('too large');
          return true;
        },
      });
      void files;
    } catch (e) {
      if (e instanceof RangeError) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
      throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
    }
    return data;
  }

  private newCode(zip: Buffer): VersionRecord['code'] {
    const blob = this.store.putBlob(zip);
    return { blob, size: zip.length, sha256: Buffer.from(blob, 'hex').toString('base64') };
  }

  /**
   * `qualified` is true when the caller named a qualifier, or the qualifier itself: Lambda answers
   * a request through an alias with the alias ARN and the version the alias points to.
   */
  configuration(fn: FunctionRecord, v: VersionRecord, qualified: boolean | string): Record<string, unknown> {
    const now = this.opts.now();
    const arnQualifier = typeof qualified === 'string' ? qualified : (qualified || v.version !== '$LATEST') ? v.version : undefined;
    const state = stateOf(v, now);
    const status = updateStatusOf(v, now);
    return {
      FunctionName: fn.name,
      FunctionArn: this.arn(fn.name, arnQualifier),
      Runtime: v.settings.runtime,
      Role: v.settings.role,
      Handler: v.settings.handler,
      CodeSize: v.code.size,
      Description: v.settings.description,
      Timeout: v.settings.timeout,
      MemorySize: v.settings.memorySize,
      LastModified: v.lastModified,
      CodeSha256: v.code.sha256,
      Version: v.version,
      Environment: Object.keys(v.settings.environment).length ? { Variables: v.settings.environment } : undefined,
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: v.revisionId,
      State: state,
      StateReason: state === 'Pending' ? 'The function is being created.' : undefined,
      StateReasonCode: state === 'Pending' ? 'Creating' : undefined,
      LastUpdateStatus: status,
      LastUpdateStatusReason: status === 'InProgress' ? 'The function is being updated.' : undefined,
      LastUpdateStatusReasonCode: status === 'InProgress' ? 'Updating' : undefined,
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    };
  }

  aliasShape(fn: FunctionRecord, a: AliasRecord): Record<string, unknown> {
    return {
      AliasArn: this.arn(fn.name, a.name),
      Name: a.name,
      FunctionVersion: a.functionVersion,
      Description: a.description,
      RoutingConfig: Object.keys(a.routing).length ? { AdditionalVersionWeights: a.routing } : undefined,
      RevisionId: a.revisionId,
    };
  }

  hasFunction(name: string): boolean {
    return this.store.functions.has(name);
  }

  // ---- functions -------------------------------------------------------------------------

  createFunction(body: Record<string, unknown>): Reply {
    const name = checkNewFunctionName(body.FunctionName);
    if (body.PackageType !== undefined && body.PackageType !== 'Zip') {
      throw invalidParameter('The sandbox supports only PackageType Zip.');
    }
    const settings: FunctionSettings = {
      runtime: checkRuntime(body.Runtime),
      handler: checkHandler(body.Handler),
      role: checkRole(body.Role),
      description: checkDescription(body.Description),
      timeout: body.Timeout === undefined ? 3 : checkTimeout(body.Timeout),
      memorySize: body.MemorySize === undefined ? 128 : checkMemorySize(body.MemorySize),
      environment: checkEnvironment(body.Environment),
    };
    const code = body.Code as { ZipFile?: unknown } | undefined;
    const zip = this.decodeZip(code?.ZipFile);
    if (this.store.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const now = this.opts.now();
    const latest: VersionRecord = {
      version: '$LATEST',
      settings,
      code: this.newCode(zip),
      revisionId: this.revision(),
      lastModified: lambdaTimestamp(now),
      pendingUntil: now + this.opts.updateDelayMs,
      updatingUntil: 0,
    };
    const fn: FunctionRecord = { name, latest, versions: [], aliases: {}, nextVersion: 1, tags: (body.Tags as Record<string, string>) ?? {} };
    let result: VersionRecord = latest;
    if (body.Publish === true) {
      result = this.snapshot(fn, checkDescription(body.Description), now);
    }
    this.store.saveFunction(fn);
    return { status: 201, body: this.configuration(fn, result, false) };
  }

  getFunction(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.fn(pathName);
    const q = this.qualifierOf(qualifier, query);
    const v = this.resolve(fn, q);
    const out: Record<string, unknown> = {
      Configuration: this.configuration(fn, v, q ?? false),
      Code: { RepositoryType: 'S3', Location: this.opts.codeUrl(v.code.blob) },
    };
    if (q === undefined && Object.keys(fn.tags).length) out.Tags = fn.tags;
    return { status: 200, body: out };
  }

  getFunctionConfiguration(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.fn(pathName);
    const q = this.qualifierOf(qualifier, query);
    return { status: 200, body: this.configuration(fn, this.resolve(fn, q), q ?? false) };
  }

  deleteFunction(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.fn(pathName);
    const q = this.qualifierOf(qualifier, query);
    if (q === undefined) {
      this.store.deleteFunction(fn.name);
      this.store.collectGarbage();
      this.invoker.retire(`${fn.name}\u0000`);
      return { status: 204 };
    }
    if (q === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (!isVersionQualifier(q)) throw invalidParameter('Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.');
    this.version(fn, q);
    const users = Object.values(fn.aliases).filter((a) => a.functionVersion === q || q in a.routing);
    if (users.length) {
      throw conflict(`Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(', ')}]`);
    }
    fn.versions = fn.versions.filter((v) => v.version !== q);
    this.store.saveFunction(fn);
    this.store.collectGarbage();
    this.invoker.retire(`${fn.name}\u0000${q}\u0000`);
    return { status: 204 };
  }

  listFunctions(query: URLSearchParams): Reply {
    const all = query.get('FunctionVersion');
    if (all !== null && all !== 'ALL') throw validation(all, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
    const max = pageSize(query, 10_000);
    const names = this.store.functions.sortedNames();
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
      const fn = this.store.functions.get(names[i])!;
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
        Functions: page.map(([fn, v]) => this.configuration(fn, v, all === 'ALL')),
        NextMarker: entries.length > size ? Buffer.from(JSON.stringify([last[0].name, versionKey(last[1])])).toString('base64') : undefined,
      },
    };
  }

  updateFunctionCode(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.fn(pathName);
    if (qualifier !== undefined) throw invalidParameter('UpdateFunctionCode applies to $LATEST: do not qualify the function name.');
    const zip = this.decodeZip(body.ZipFile);
    this.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    this.assertNotUpdating(fn);
    if (body.DryRun === true) return { status: 200, body: this.configuration(fn, fn.latest, false) };
    const now = this.opts.now();
    fn.latest = {
      ...fn.latest,
      code: this.newCode(zip),
      revisionId: this.revision(),
      lastModified: lambdaTimestamp(now),
      updatingUntil: now + this.opts.updateDelayMs,
    };
    let result = fn.latest;
    if (body.Publish === true) result = this.snapshot(fn, '', now);
    this.store.saveFunction(fn);
    return { status: 200, body: this.configuration(fn, result, false) };
  }

  updateFunctionConfiguration(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.fn(pathName);
    if (qualifier !== undefined) throw invalidParameter('UpdateFunctionConfiguration applies to $LATEST: do not qualify the function name.');
    const s = fn.latest.settings;
    const settings: FunctionSettings = {
      runtime: body.Runtime === undefined ? s.runtime : checkRuntime(body.Runtime),
      handler: body.Handler === undefined ? s.handler : checkHandler(body.Handler),
      role: body.Role === undefined ? s.role : checkRole(body.Role),
      description: body.Description === undefined ? s.description : checkDescription(body.Description),
      timeout: body.Timeout === undefined ? s.timeout : checkTimeout(body.Timeout),
      memorySize: body.MemorySize === undefined ? s.memorySize : checkMemorySize(body.MemorySize),
      environment: body.Environment === undefined ? s.environment : checkEnvironment(body.Environment),
    };
    this.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    this.assertNotUpdating(fn);
    const now = this.opts.now();
    fn.latest = { ...fn.latest, settings, revisionId: this.revision(), lastModified: lambdaTimestamp(now), updatingUntil: now + this.opts.updateDelayMs };
    this.store.saveFunction(fn);
    return { status: 200, body: this.configuration(fn, fn.latest, false) };
  }

  // ---- versions --------------------------------------------------------------------------

  /** Publishes $LATEST as the next version, unless nothing changed since the last one. */
  private snapshot(fn: FunctionRecord, description: string, now: number): VersionRecord {
    const last = fn.versions[fn.versions.length - 1];
    if (last && fingerprint(last) === fingerprint(fn.latest)) return last;
    const v: VersionRecord = {
      version: String(fn.nextVersion++),
      settings: { ...fn.latest.settings, description },
      code: fn.latest.code,
      revisionId: this.revision(),
      lastModified: lambdaTimestamp(now),
      pendingUntil: now + this.opts.updateDelayMs,
      updatingUntil: 0,
    };
    fn.versions.push(v);
    // Publishing changes $LATEST's revision, as on AWS.
    fn.latest = { ...fn.latest, revisionId: this.revision() };
    return v;
  }

  publishVersion(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.fn(pathName);
    if (qualifier !== undefined) throw invalidParameter('PublishVersion publishes $LATEST: do not qualify the function name.');
    const description = checkDescription(body.Description);
    this.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    if (body.CodeSha256 !== undefined && body.CodeSha256 !== fn.latest.code.sha256) {
      throw invalidParameter(
        `CodeSHA256 (${String(body.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    this.assertNotUpdating(fn);
    const v = this.snapshot(fn, description, this.opts.now());
    this.store.saveFunction(fn);
    return { status: 201, body: this.configuration(fn, v, true) };
  }

  listVersions(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.fn(pathName);
    if (qualifier !== undefined) throw invalidParameter('ListVersionsByFunction takes an unqualified function name.');
    const max = pageSize(query, 10_000);
    const all = [fn.latest, ...fn.versions];
    // Like ListFunctions, the marker names the last version returned, so a version deleted or
    // published between pages never makes the listing skip or repeat one.
    const rank = (version: string): number => (version === '$LATEST' ? 0 : Number(version));
    const after = decodeKeyMarker(query.get('Marker'));
    if (after !== undefined && !isVersionQualifier(after)) throw invalidMarker();
    const start = after === undefined ? 0 : firstIndex(all, (v) => rank(v.version) > rank(after));
    const page = all.slice(start, start + Math.min(max, PAGE));
    const end = start + page.length;
    return {
      status: 200,
      body: { Versions: page.map((v) => this.configuration(fn, v, true)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1].version) : undefined },
    };
  }

  // ---- aliases ---------------------------------------------------------------------------

  private checkAliasTargets(fn: FunctionRecord, primary: string, routing: Record<string, number>): void {
    const main = this.version(fn, primary);
    for (const v of Object.keys(routing)) {
      const other = this.version(fn, v);
      if (other.settings.role !== main.settings.role) {
        throw invalidParameter('Specified versions must be associated with the same execution role');
      }
    }
  }

  createAlias(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.fn(pathName);
    if (qualifier !== undefined) throw invalidParameter('CreateAlias takes an unqualified function name.');
    const name = checkAliasName(body.Name);
    const primary = checkVersion(body.FunctionVersion);
    const description = checkDescription(body.Description);
    const routing = checkRouting(body.RoutingConfig, primary);
    this.checkAliasTargets(fn, primary, routing);
    if (Object.hasOwn(fn.aliases, name)) throw conflict(`Alias already exists: ${this.arn(fn.name, name)}`);
    const a: AliasRecord = { name, functionVersion: primary, description, routing, revisionId: this.revision() };
    this.putAlias(fn, a);
    this.store.saveFunction(fn);
    return { status: 201, body: this.aliasShape(fn, a) };
  }

  getAlias(pathName: string, aliasName: string): Reply {
    const { fn } = this.fn(pathName);
    return { status: 200, body: this.aliasShape(fn, this.alias(fn, checkAliasName(aliasName))) };
  }

  listAliases(pathName: string, query: URLSearchParams): Reply {
    const { fn } = this.fn(pathName);
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
    return { status: 200, body: { Aliases: page.map((a) => this.aliasShape(fn, a)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1].name) : undefined } };
  }

  updateAlias(pathName: string, aliasName: string, body: Record<string, unknown>): Reply {
    const { fn } = this.fn(pathName);
    const a = this.alias(fn, checkAliasName(aliasName));
    const primary = body.FunctionVersion === undefined ? a.functionVersion : checkVersion(body.FunctionVersion);
    const description = body.Description === undefined ? a.description : checkDescription(body.Description);
    const routing = body.RoutingConfig === undefined ? a.routing : checkRouting(body.RoutingConfig, primary);
    if (body.RoutingConfig === undefined && primary in routing) {
      throw invalidParameter(`Version ${primary} is already the alias's additional version: clear RoutingConfig to make it the primary.`);
    }
    if (primary === '$LATEST' && Object.keys(routing).length) {
      // The kept routing config would otherwise split traffic between $LATEST and a version.
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    this.checkAliasTargets(fn, primary, routing);
    this.checkRevision(body.RevisionId, a.revisionId, 'GetFunction/GetAlias');
    const updated: AliasRecord = { ...a, functionVersion: primary, description, routing, revisionId: this.revision() };
    this.putAlias(fn, updated);
    this.store.saveFunction(fn);
    return { status: 200, body: this.aliasShape(fn, updated) };
  }

  deleteAlias(pathName: string, aliasName: string): Reply {
    const { fn } = this.fn(pathName);
    const name = checkAliasName(aliasName);
    // DeleteAlias is idempotent on AWS for a known function.
    if (Object.hasOwn(fn.aliases, name)) {
      delete fn.aliases[name];
      this.store.saveFunction(fn);
    }
    return { status: 204 };
  }

  /** Counts a throttled invocation in the Throttles metric (used by fault injection). */
  recordThrottle(pathName: string, query: URLSearchParams): void {
    try {
      const { fn, qualifier } = this.fn(pathName);
      const q = this.qualifierOf(qualifier, query);
      this.metrics.record({
        time: this.opts.now(),
        functionName: fn.name,
        resource: q === undefined ? undefined : `${fn.name}:${q}`,
        durationMs: 0,
        error: false,
        throttled: true,
      });
    } catch {
      // An invalid target is answered by the operation itself.
    }
  }

  // ---- invoke ----------------------------------------------------------------------------

  async invoke(pathName: string, query: URLSearchParams, headers: Record<string, string | string[] | undefined>, payload: Buffer): Promise<Reply> {
    const { fn, qualifier: pathQ } = this.fn(pathName);
    const q = this.qualifierOf(pathQ, query);
    const type = (headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw validation(type, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
    }
    if (payload.length > MAX_INVOKE_PAYLOAD) {
      throw new AwsError('RequestTooLargeException', 413, `Request must be smaller than ${MAX_INVOKE_PAYLOAD} bytes for the InvokeFunction operation`);
    }
    if (payload.length) {
      // Lambda refuses a payload that is not JSON before choosing a version: nothing runs, nothing is counted.
      try {
        JSON.parse(payload.toString('utf8'));
      } catch {
        throw new AwsError('InvalidRequestContentException', 400, 'Could not parse request body into json: the payload must be a JSON document.');
      }
    }
    let versionName: string;
    let resource: string | undefined;
    let executedVersion: string | undefined;
    if (q === undefined || q === '$LATEST') {
      versionName = '$LATEST';
      resource = q === '$LATEST' ? `${fn.name}:$LATEST` : undefined;
    } else if (isVersionQualifier(q)) {
      this.version(fn, q);
      versionName = q;
      resource = `${fn.name}:${q}`;
    } else {
      const a = this.alias(fn, q);
      versionName = a.functionVersion;
      const [extra, weight] = Object.entries(a.routing)[0] ?? [];
      if (extra !== undefined && this.random() < weight!) versionName = extra;
      resource = `${fn.name}:${a.name}`;
      executedVersion = versionName;
    }
    const v = this.version(fn, versionName);
    if (stateOf(v, this.opts.now()) === 'Pending') {
      throw conflict(`The operation cannot be performed at this time. The function is currently in the following state: Pending`);
    }
    const requestId = crypto.randomUUID();
    if (type === 'DryRun') return { status: 204, headers: { 'X-Amz-Executed-Version': v.version, 'x-amzn-RequestId': requestId } };
    const invokedArn = q === undefined ? this.arn(fn.name) : this.arn(fn.name, q);
    const spec = {
      key: `${fn.name}\u0000${v.version}\u0000${v.revisionId}\u0000${v.code.blob}`,
      init: {
        taskRoot: this.invoker.ensureCode(v.code.blob, () => {
          const blob = this.store.getBlob(v.code.blob);
          if (!blob) throw new AwsError('ServiceException', 500, `Code of ${this.arn(fn.name, v.version)} is missing from the sandbox store.`, 'Service');
          return blob;
        }),
        handler: v.settings.handler,
        functionName: fn.name,
        functionVersion: v.version,
        memorySize: v.settings.memorySize,
        region: this.opts.region,
        accountId: this.opts.accountId,
      },
      timeoutSeconds: v.settings.timeout,
      memorySize: v.settings.memorySize,
      environment: v.settings.environment,
    };
    const clientContext = headers['x-amz-client-context'] as string | undefined;
    const run = this.invoker.invoke(spec, { requestId, payload: payload.toString('utf8'), invokedFunctionArn: invokedArn, clientContext }).then((out) => {
      this.metrics.record({
        time: this.opts.now(),
        functionName: fn.name,
        resource,
        executedVersion,
        durationMs: out.durationMs,
        error: !out.ok,
        throttled: false,
      });
      return out;
    });
    if (type === 'Event') {
      run.catch(() => undefined);
      return { status: 202, headers: { 'X-Amz-Executed-Version': v.version, 'x-amzn-RequestId': requestId } };
    }
    const out = await run;
    const replyHeaders: Record<string, string> = { 'X-Amz-Executed-Version': v.version, 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' };
    if (!out.ok) replyHeaders['X-Amz-Function-Error'] = 'Unhandled';
    if (headers['x-amz-log-type'] === 'Tail') {
      const report = [
        `START RequestId: ${requestId} Version: ${v.version}`,
        ...out.logs,
        `END RequestId: ${requestId}`,
        `REPORT RequestId: ${requestId}\tDuration: ${out.durationMs.toFixed(2)} ms\tMemory Size: ${v.settings.memorySize} MB`,
      ].join('\n');
      const tail = Buffer.from(report, 'utf8');
      replyHeaders['X-Amz-Log-Result'] = tail.subarray(Math.max(0, tail.length - 4096)).toString('base64');
    }
    const body = Buffer.from(out.payload, 'utf8');
    if (body.length > MAX_INVOKE_PAYLOAD) {
      replyHeaders['X-Amz-Function-Error'] = 'Unhandled';
      return {
        status: 200,
        headers: replyHeaders,
        raw: Buffer.from(JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_INVOKE_PAYLOAD} bytes).` })),
      };
    }
    return { status: 200, headers: replyHeaders, raw: body };
  }
}

function pageSize(query: URLSearchParams, max: number): number {
  const raw = query.get('MaxItems');
  if (raw === null) return max;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw validation(raw, 'maxItems', 'Member must have value between 1 and 10000');
  return n;
}

function invalidMarker(): AwsError {
  return invalidParameter('Invalid Marker: use the NextMarker of a previous response.');
}

/** A marker naming the last entry of a page (a version or an alias name). */
function encodeKeyMarker(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64');
}

function decodeKeyMarker(marker: string | null): string | undefined {
  if (marker === null || marker === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(marker, 'base64').toString('utf8')) as { after?: unknown } | null;
    if (v && typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidMarker();
}

/** Index of the first element satisfying `pred`, or the length when none does. */
function firstIndex<T>(items: T[], pred: (item: T) => boolean): number {
  const i = items.findIndex(pred);
  return i < 0 ? items.length : i;
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
