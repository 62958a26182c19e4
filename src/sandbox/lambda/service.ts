import type { MetricsStore } from '../metrics';
import type { AliasRecord, FunctionRecord, MappingRecord, TriggerRecords, VersionRecord } from '../model';
import type { Random } from '../random';
import type { Invoker } from '../runtime/invoker';
import type { Store } from '../store';
import { AliasesApi } from './aliases';
import { LambdaContext } from './context';
import { EventInvokeConfigsApi } from './eventInvokeConfigs';
import { EventSourceMappingsApi } from './eventSourceMappings';
import { FunctionsApi } from './functions';
import { FunctionUrlsApi } from './functionUrls';
import { InvokeApi } from './invoke';
import { PoliciesApi } from './policies';
import type { LambdaOptions, Reply } from './shared';
import { VersionsApi } from './versions';
import { checkImageUri } from '../validation';

export { MAX_UNZIPPED_BYTES } from '../unpack';
export { MAX_INVOKE_PAYLOAD } from './shared';
export type { LambdaOptions, Reply } from './shared';

/**
 * Lambda's control and invoke APIs over the sandbox's store, with AWS's rules and errors: one
 * entry point that hands each operation to the module of its resource.
 */
export class LambdaService {
  private readonly ctx: LambdaContext;
  private readonly functions: FunctionsApi;
  private readonly versions: VersionsApi;
  private readonly aliases: AliasesApi;
  private readonly invocations: InvokeApi;
  private readonly mappings: EventSourceMappingsApi;
  private readonly urls: FunctionUrlsApi;
  private readonly policies: PoliciesApi;
  private readonly invokeConfigs: EventInvokeConfigsApi;

  constructor(store: Store, invoker: Invoker, metrics: MetricsStore, random: Random, opts: LambdaOptions) {
    this.ctx = new LambdaContext(store, invoker, metrics, random, opts);
    this.functions = new FunctionsApi(this.ctx);
    this.versions = new VersionsApi(this.ctx);
    this.aliases = new AliasesApi(this.ctx);
    this.invocations = new InvokeApi(this.ctx);
    this.mappings = new EventSourceMappingsApi(this.ctx);
    this.urls = new FunctionUrlsApi(this.ctx);
    this.policies = new PoliciesApi(this.ctx);
    this.invokeConfigs = new EventInvokeConfigsApi(this.ctx);
  }

  get region(): string {
    return this.ctx.opts.region;
  }

  get accountId(): string {
    return this.ctx.opts.accountId;
  }

  arn(name: string, qualifier?: string): string {
    return this.ctx.arn(name, qualifier);
  }

  configuration(fn: FunctionRecord, v: VersionRecord, qualified: boolean | string): Record<string, unknown> {
    return this.ctx.configuration(fn, v, qualified);
  }

  aliasShape(fn: FunctionRecord, a: AliasRecord): Record<string, unknown> {
    return this.ctx.aliasShape(fn, a);
  }

  /**
   * The sandbox's stand-in for an ECR push: from now on `uri` resolves to `digest` (64 hex
   * digits) when a function is created or updated with it — a tag moved to another image, or a
   * digest URI of an image index whose image for the function has another digest. Functions and
   * versions that already hold the URI keep the digest they resolved it to, as on AWS. Kept in
   * memory only.
   */
  pushImage(uri: string, digest: string): void {
    checkImageUri(uri, this.ctx.opts.region);
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`pushImage: the digest must be 64 lowercase hex digits, got '${digest}'`);
    this.ctx.images.set(uri, digest);
  }

  // ---- functions -------------------------------------------------------------------------

  /** A function's triggers as stored: its event source mappings (every qualifier), URLs, policies and async settings. */
  storedTriggers(name: string): TriggerRecords & { mappings: MappingRecord[] } {
    const t = this.ctx.store.functions.get(name)?.triggers;
    return {
      mappings: [...this.ctx.store.mappings.values()].filter((m) => m.functionName === name && m.transition !== 'Deleting'),
      urls: t?.urls ?? [],
      policies: t?.policies ?? [],
      invokeConfigs: t?.invokeConfigs ?? [],
    };
  }

  hasFunction(name: string): boolean {
    return this.functions.hasFunction(name);
  }

  createFunction(body: Record<string, unknown>): Promise<Reply> {
    return this.functions.createFunction(body);
  }

  getFunction(pathName: string, query: URLSearchParams): Reply {
    return this.functions.getFunction(pathName, query);
  }

  getFunctionConfiguration(pathName: string, query: URLSearchParams): Reply {
    return this.functions.getFunctionConfiguration(pathName, query);
  }

  deleteFunction(pathName: string, query: URLSearchParams): Reply {
    return this.functions.deleteFunction(pathName, query);
  }

  listFunctions(query: URLSearchParams): Reply {
    return this.functions.listFunctions(query);
  }

  /** `fail`: the `failUpdate` fault: the update is accepted, then ends Failed. */
  updateFunctionCode(pathName: string, body: Record<string, unknown>, fail = false): Promise<Reply> {
    return this.functions.updateFunctionCode(pathName, body, fail);
  }

  updateFunctionConfiguration(pathName: string, body: Record<string, unknown>): Reply {
    return this.functions.updateFunctionConfiguration(pathName, body);
  }

  // ---- versions --------------------------------------------------------------------------

  publishVersion(pathName: string, body: Record<string, unknown>): Reply {
    return this.versions.publishVersion(pathName, body);
  }

  /** PublishVersion as the `publishOther` fault answers it (see VersionsApi). */
  publishVersionOverConcurrentUpload(pathName: string, body: Record<string, unknown>): Promise<Reply> {
    return this.versions.publishVersionOverConcurrentUpload(pathName, body);
  }

  listVersions(pathName: string, query: URLSearchParams): Reply {
    return this.versions.listVersions(pathName, query);
  }

  // ---- aliases ---------------------------------------------------------------------------

  createAlias(pathName: string, body: Record<string, unknown>): Reply {
    return this.aliases.createAlias(pathName, body);
  }

  getAlias(pathName: string, aliasName: string): Reply {
    return this.aliases.getAlias(pathName, aliasName);
  }

  listAliases(pathName: string, query: URLSearchParams): Reply {
    return this.aliases.listAliases(pathName, query);
  }

  updateAlias(pathName: string, aliasName: string, body: Record<string, unknown>): Reply {
    return this.aliases.updateAlias(pathName, aliasName, body);
  }

  deleteAlias(pathName: string, aliasName: string): Reply {
    return this.aliases.deleteAlias(pathName, aliasName);
  }

  // ---- invoke ----------------------------------------------------------------------------

  /** Counts a throttled invocation in the Throttles metric (used by fault injection). */
  recordThrottle(pathName: string, query: URLSearchParams): void {
    this.invocations.recordThrottle(pathName, query);
  }

  invoke(pathName: string, query: URLSearchParams, headers: Record<string, string | string[] | undefined>, payload: Buffer): Promise<Reply> {
    return this.invocations.invoke(pathName, query, headers, payload);
  }

  // ---- event source mappings -------------------------------------------------------------

  createEventSourceMapping(body: Record<string, unknown>): Reply {
    return this.mappings.createEventSourceMapping(body);
  }

  getEventSourceMapping(uuid: string): Reply {
    return this.mappings.getEventSourceMapping(uuid);
  }

  listEventSourceMappings(query: URLSearchParams): Reply {
    return this.mappings.listEventSourceMappings(query);
  }

  updateEventSourceMapping(uuid: string, body: Record<string, unknown>): Reply {
    return this.mappings.updateEventSourceMapping(uuid, body);
  }

  deleteEventSourceMapping(uuid: string): Reply {
    return this.mappings.deleteEventSourceMapping(uuid);
  }

  // ---- function URLs ---------------------------------------------------------------------

  createFunctionUrlConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    return this.urls.createFunctionUrlConfig(pathName, query, body);
  }

  getFunctionUrlConfig(pathName: string, query: URLSearchParams): Reply {
    return this.urls.getFunctionUrlConfig(pathName, query);
  }

  updateFunctionUrlConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    return this.urls.updateFunctionUrlConfig(pathName, query, body);
  }

  deleteFunctionUrlConfig(pathName: string, query: URLSearchParams): Reply {
    return this.urls.deleteFunctionUrlConfig(pathName, query);
  }

  listFunctionUrlConfigs(pathName: string, query: URLSearchParams): Reply {
    return this.urls.listFunctionUrlConfigs(pathName, query);
  }

  // ---- resource-based policies -----------------------------------------------------------

  addPermission(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    return this.policies.addPermission(pathName, query, body);
  }

  removePermission(pathName: string, statementId: string, query: URLSearchParams): Reply {
    return this.policies.removePermission(pathName, statementId, query);
  }

  getPolicy(pathName: string, query: URLSearchParams): Reply {
    return this.policies.getPolicy(pathName, query);
  }

  // ---- asynchronous invocation -----------------------------------------------------------

  putFunctionEventInvokeConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    return this.invokeConfigs.putFunctionEventInvokeConfig(pathName, query, body);
  }

  updateFunctionEventInvokeConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    return this.invokeConfigs.updateFunctionEventInvokeConfig(pathName, query, body);
  }

  getFunctionEventInvokeConfig(pathName: string, query: URLSearchParams): Reply {
    return this.invokeConfigs.getFunctionEventInvokeConfig(pathName, query);
  }

  deleteFunctionEventInvokeConfig(pathName: string, query: URLSearchParams): Reply {
    return this.invokeConfigs.deleteFunctionEventInvokeConfig(pathName, query);
  }

  listFunctionEventInvokeConfigs(pathName: string, query: URLSearchParams): Reply {
    return this.invokeConfigs.listFunctionEventInvokeConfigs(pathName, query);
  }
}
