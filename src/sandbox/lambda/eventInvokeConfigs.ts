import { invalidParameter, notFound, validation } from '../errors';
import type { FunctionRecord, InvokeConfigRecord } from '../model';
import { triggersOf } from '../model';
import { arnParts, expectArn, expectInteger, expectStructure } from '../validation';
import type { LambdaContext } from './context';
import { VERSION_OR_ALIAS } from './context';
import type { Reply } from './shared';
import { decodeKeyMarker, encodeKeyMarker, firstIndex, pageSize } from './shared';

/** The most configurations one page of ListFunctionEventInvokeConfigs holds. */
export const INVOKE_CONFIG_PAGE = 50;

/** The services a destination may be, as Lambda accepts them. */
const DESTINATION_SERVICES = ['sqs', 'sns', 'lambda', 'events', 's3'];

/** '$LATEST' first, then versions by number, then aliases by name. */
function rank(q: string): [number, number, string] {
  if (q === '$LATEST') return [0, 0, ''];
  if (/^\d+$/.test(q)) return [1, Number(q), ''];
  return [2, 0, q];
}
function compare(a: string, b: string): number {
  const [x, y] = [rank(a), rank(b)];
  return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
}

/**
 * PutFunctionEventInvokeConfig, GetFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig,
 * ListFunctionEventInvokeConfigs and DeleteFunctionEventInvokeConfig: asynchronous invocation
 * settings per qualifier; the unqualified function's are $LATEST's, as on AWS (its FunctionArn
 * ends in `:$LATEST`). The sandbox keeps them; it does not deliver to the destinations.
 */
export class EventInvokeConfigsApi {
  constructor(private readonly ctx: LambdaContext) {}

  private target(pathName: string, query: URLSearchParams, action: string): { fn: FunctionRecord; qualifier: string } {
    const { fn, qualifier: pathQualifier } = this.ctx.fn(pathName, action);
    const q = this.ctx.qualifierOf(pathQualifier, query, VERSION_OR_ALIAS);
    this.ctx.resolve(fn, q);
    return { fn, qualifier: q ?? '$LATEST' };
  }

  private find(fn: FunctionRecord, qualifier: string): InvokeConfigRecord {
    const c = fn.triggers?.invokeConfigs.find((x) => x.qualifier === qualifier);
    if (!c) throw notFound(`The function ${this.ctx.arn(fn.name, qualifier)} doesn't have an EventInvokeConfig`);
    return c;
  }

  private shape(fn: FunctionRecord, c: InvokeConfigRecord): Record<string, unknown> {
    return {
      LastModified: c.lastModified / 1000,
      FunctionArn: this.ctx.arn(fn.name, c.qualifier),
      MaximumRetryAttempts: c.maximumRetryAttempts,
      MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds,
      DestinationConfig: {
        OnSuccess: c.onSuccess === undefined ? {} : { Destination: c.onSuccess },
        OnFailure: c.onFailure === undefined ? {} : { Destination: c.onFailure },
      },
    };
  }

  /** The settings a request gives: a member absent is undefined; a destination given as '' or {} is cleared (null). */
  private settings(body: Record<string, unknown>): { retries?: number; age?: number; onSuccess?: string | null; onFailure?: string | null } {
    const retries = expectInteger(body.MaximumRetryAttempts, 'MaximumRetryAttempts', 'maximumRetryAttempts', 0, 2);
    const age = expectInteger(body.MaximumEventAgeInSeconds, 'MaximumEventAgeInSeconds', 'maximumEventAgeInSeconds', 60, 21_600);
    const dest = expectStructure(body.DestinationConfig, 'DestinationConfig', '{"OnFailure": {"Destination": "arn:aws:sqs:…"}}');
    const destination = (key: 'OnSuccess' | 'OnFailure'): string | null | undefined => {
      if (dest === undefined || dest[key] === undefined || dest[key] === null) return undefined;
      const d = expectStructure(dest[key], `DestinationConfig.${key}`, '{"Destination": "arn:aws:sqs:…"}')!;
      const raw = d.Destination;
      if (raw === undefined || raw === null || raw === '') return null;
      const arn = expectArn(raw, `DestinationConfig.${key}.Destination`, `destinationConfig.${key === 'OnSuccess' ? 'onSuccess' : 'onFailure'}.destination`)!;
      const service = arnParts(arn)!.service;
      if (!DESTINATION_SERVICES.includes(service)) {
        throw invalidParameter(`The destination ARN ${arn} is invalid: a destination is an SQS queue, an SNS topic, a Lambda function, an EventBridge event bus or (on failure only) an S3 bucket.`);
      }
      if (service === 's3' && key === 'OnSuccess') throw invalidParameter(`The destination ARN ${arn} is invalid: an S3 bucket can only be an on-failure destination.`);
      return arn;
    };
    return { retries, age, onSuccess: destination('OnSuccess'), onFailure: destination('OnFailure') };
  }

  private save(fn: FunctionRecord, c: InvokeConfigRecord): void {
    const list = triggersOf(fn).invokeConfigs;
    const i = list.findIndex((x) => x.qualifier === c.qualifier);
    if (i >= 0) list.splice(i, 1, c);
    else list.push(c);
    this.ctx.store.saveFunction(fn);
  }

  /** Replaces the qualifier's configuration: what the request leaves out is unset. */
  putFunctionEventInvokeConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'PutFunctionEventInvokeConfig');
    const s = this.settings(body);
    const c: InvokeConfigRecord = { qualifier, lastModified: this.ctx.opts.now() };
    if (s.retries !== undefined) c.maximumRetryAttempts = s.retries;
    if (s.age !== undefined) c.maximumEventAgeInSeconds = s.age;
    if (s.onSuccess) c.onSuccess = s.onSuccess;
    if (s.onFailure) c.onFailure = s.onFailure;
    this.save(fn, c);
    return { status: 200, body: this.shape(fn, c) };
  }

  /** Changes only what the request gives. */
  updateFunctionEventInvokeConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'UpdateFunctionEventInvokeConfig');
    const s = this.settings(body);
    const c: InvokeConfigRecord = { ...this.find(fn, qualifier), lastModified: this.ctx.opts.now() };
    if (s.retries !== undefined) c.maximumRetryAttempts = s.retries;
    if (s.age !== undefined) c.maximumEventAgeInSeconds = s.age;
    if (s.onSuccess === null) delete c.onSuccess;
    else if (s.onSuccess !== undefined) c.onSuccess = s.onSuccess;
    if (s.onFailure === null) delete c.onFailure;
    else if (s.onFailure !== undefined) c.onFailure = s.onFailure;
    this.save(fn, c);
    return { status: 200, body: this.shape(fn, c) };
  }

  getFunctionEventInvokeConfig(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'GetFunctionEventInvokeConfig');
    return { status: 200, body: this.shape(fn, this.find(fn, qualifier)) };
  }

  deleteFunctionEventInvokeConfig(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'DeleteFunctionEventInvokeConfig');
    const c = this.find(fn, qualifier);
    const list = triggersOf(fn).invokeConfigs;
    list.splice(list.indexOf(c), 1);
    this.ctx.store.saveFunction(fn);
    return { status: 204 };
  }

  listFunctionEventInvokeConfigs(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'ListFunctionEventInvokeConfigs');
    if (qualifier !== undefined) throw invalidParameter('ListFunctionEventInvokeConfigs takes an unqualified function name: it lists the configurations of every version and alias.');
    const max = pageSize(query, INVOKE_CONFIG_PAGE);
    if (max > INVOKE_CONFIG_PAGE) throw validation(String(max), 'maxItems', `Member must have value less than or equal to ${INVOKE_CONFIG_PAGE}`);
    const all = [...(fn.triggers?.invokeConfigs ?? [])].sort((a, b) => compare(a.qualifier, b.qualifier));
    const after = decodeKeyMarker(query.get('Marker'));
    const start = after === undefined ? 0 : firstIndex(all, (c) => compare(c.qualifier, after) > 0);
    const page = all.slice(start, start + max);
    const end = start + page.length;
    return {
      status: 200,
      body: { FunctionEventInvokeConfigs: page.map((c) => this.shape(fn, c)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1].qualifier) : undefined },
    };
  }
}
