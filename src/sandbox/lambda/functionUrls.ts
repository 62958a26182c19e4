import * as crypto from 'node:crypto';
import { conflict, invalidParameter, notFound, validation } from '../errors';
import type { FunctionRecord, UrlRecord } from '../model';
import { triggersOf } from '../model';
import { expectBoolean, expectEnum, expectInteger, expectStringList, expectStructure } from '../validation';
import type { LambdaContext } from './context';
import type { Reply } from './shared';
import { decodeKeyMarker, encodeKeyMarker, firstIndex, pageSize } from './shared';

/** The most URLs one page of ListFunctionUrlConfigs holds. */
export const URL_PAGE = 50;

const URL_QUALIFIER = /^(?!\d+$)[0-9a-zA-Z_-]+$/;
const AUTH_TYPES = ['NONE', 'AWS_IAM'] as const;
const INVOKE_MODES = ['BUFFERED', 'RESPONSE_STREAM'] as const;

/** What orders the URLs of a function in a listing, and names the last one in a marker: '' is the unqualified function's. */
const keyOf = (u: UrlRecord) => u.qualifier ?? '';

/**
 * CreateFunctionUrlConfig, GetFunctionUrlConfig, ListFunctionUrlConfigs,
 * UpdateFunctionUrlConfig and DeleteFunctionUrlConfig: one URL per qualifier, which is an alias
 * name or none (the unqualified function), as on AWS. The sandbox does not serve the URLs.
 */
export class FunctionUrlsApi {
  constructor(private readonly ctx: LambdaContext) {}

  /** The function and alias (none: the unqualified function) a request names. */
  private target(pathName: string, query: URLSearchParams, action: string): { fn: FunctionRecord; qualifier?: string } {
    const { fn, qualifier: pathQualifier } = this.ctx.fn(pathName, action);
    const qualifier = this.ctx.qualifierOf(pathQualifier, query, { pattern: URL_QUALIFIER, text: '((?!^\\d+$)^[0-9a-zA-Z-_]+$)' });
    if (qualifier !== undefined) {
      if (!URL_QUALIFIER.test(qualifier)) {
        throw invalidParameter(`A function URL can only be configured on an alias or on the unqualified function, not on ${qualifier === '$LATEST' ? '$LATEST' : `version ${qualifier}`}.`);
      }
      this.ctx.alias(fn, qualifier);
    }
    return { fn, qualifier };
  }

  private find(fn: FunctionRecord, qualifier: string | undefined): UrlRecord {
    const u = fn.triggers?.urls.find((x) => x.qualifier === qualifier);
    if (!u) throw notFound('The resource you requested does not exist.');
    return u;
  }

  private shape(fn: FunctionRecord, u: UrlRecord): Record<string, unknown> {
    return {
      FunctionUrl: u.url,
      FunctionArn: this.ctx.arn(fn.name, u.qualifier),
      AuthType: u.authType,
      Cors: u.cors,
      CreationTime: u.creationTime,
      LastModifiedTime: u.lastModifiedTime,
      InvokeMode: u.invokeMode,
    };
  }

  /** A URL no other function URL of the sandbox has: 32 random lowercase letters and digits, as Lambda's. */
  private newUrl(): string {
    const taken = new Set<string>();
    for (const fn of this.ctx.store.functions.values()) for (const u of fn.triggers?.urls ?? []) taken.add(u.url);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    for (;;) {
      const id = [...crypto.randomBytes(32)].map((b) => alphabet[b & 31]).join('');
      const url = `https://${id}.lambda-url.${this.ctx.opts.region}.on.aws/`;
      if (!taken.has(url)) return url;
    }
  }

  createFunctionUrlConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'CreateFunctionUrlConfig');
    const authType = expectEnum(body.AuthType, 'AuthType', 'authType', AUTH_TYPES);
    if (authType === undefined) throw validation(null, 'authType', 'Member must not be null');
    const cors = checkCors(body.Cors);
    const invokeMode = expectEnum(body.InvokeMode, 'InvokeMode', 'invokeMode', INVOKE_MODES) ?? 'BUFFERED';
    if (fn.triggers?.urls.some((u) => u.qualifier === qualifier)) {
      throw conflict(`Failed to create function url config for [functionArn = ${this.ctx.arn(fn.name, qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    }
    const now = new Date(this.ctx.opts.now()).toISOString();
    const u: UrlRecord = { url: this.newUrl(), authType, invokeMode, creationTime: now, lastModifiedTime: now };
    if (qualifier !== undefined) u.qualifier = qualifier;
    if (cors) u.cors = cors;
    triggersOf(fn).urls.push(u);
    this.ctx.store.saveFunction(fn);
    const { LastModifiedTime: _, ...created } = this.shape(fn, u);
    return { status: 201, body: created };
  }

  getFunctionUrlConfig(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'GetFunctionUrlConfig');
    return { status: 200, body: this.shape(fn, this.find(fn, qualifier)) };
  }

  updateFunctionUrlConfig(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'UpdateFunctionUrlConfig');
    const authType = expectEnum(body.AuthType, 'AuthType', 'authType', AUTH_TYPES);
    const cors = body.Cors === undefined || body.Cors === null ? undefined : checkCors(body.Cors);
    const invokeMode = expectEnum(body.InvokeMode, 'InvokeMode', 'invokeMode', INVOKE_MODES);
    const u = this.find(fn, qualifier);
    if (authType) u.authType = authType;
    // A Cors given replaces the URL's whole CORS configuration.
    if (cors) u.cors = cors;
    else if (body.Cors !== undefined && body.Cors !== null) delete u.cors;
    if (invokeMode) u.invokeMode = invokeMode;
    u.lastModifiedTime = new Date(this.ctx.opts.now()).toISOString();
    this.ctx.store.saveFunction(fn);
    return { status: 200, body: this.shape(fn, u) };
  }

  deleteFunctionUrlConfig(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'DeleteFunctionUrlConfig');
    const u = this.find(fn, qualifier);
    const list = triggersOf(fn).urls;
    list.splice(list.indexOf(u), 1);
    this.ctx.store.saveFunction(fn);
    return { status: 204 };
  }

  /** Every qualifier's URL: the unqualified function's first, then by alias name. */
  listFunctionUrlConfigs(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'ListFunctionUrlConfigs');
    if (qualifier !== undefined) throw invalidParameter('ListFunctionUrlConfigs takes an unqualified function name: it lists the URLs of every alias.');
    const max = pageSize(query, URL_PAGE);
    if (max > URL_PAGE) throw validation(String(max), 'maxItems', `Member must have value less than or equal to ${URL_PAGE}`);
    const all = [...(fn.triggers?.urls ?? [])].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    const after = decodeKeyMarker(query.get('Marker'));
    const start = after === undefined ? 0 : firstIndex(all, (u) => keyOf(u) > after);
    const page = all.slice(start, start + max);
    const end = start + page.length;
    return { status: 200, body: { FunctionUrlConfigs: page.map((u) => this.shape(fn, u)), NextMarker: end < all.length ? encodeKeyMarker(keyOf(page[page.length - 1])) : undefined } };
  }
}

/** A Cors structure as the API constrains it, or undefined when absent. */
function checkCors(raw: unknown): Record<string, unknown> | undefined {
  const c = expectStructure(raw, 'Cors', '{"AllowOrigins": ["https://example.com"]}');
  if (c === undefined) return undefined;
  const out: Record<string, unknown> = {};
  const credentials = expectBoolean(c.AllowCredentials, 'Cors.AllowCredentials');
  if (credentials !== undefined) out.AllowCredentials = credentials;
  const headers = expectStringList(c.AllowHeaders, 'Cors.AllowHeaders', 'cors.allowHeaders', 100, 1024);
  if (headers !== undefined) out.AllowHeaders = headers;
  const methods = expectStringList(c.AllowMethods, 'Cors.AllowMethods', 'cors.allowMethods', 6, 6);
  if (methods !== undefined) {
    for (const m of methods) if (!/^[A-Za-z*]+$/.test(m)) throw invalidParameter(`Cors.AllowMethods: '${m}' is not an HTTP method (GET, POST, …) or *.`);
    out.AllowMethods = methods;
  }
  const origins = expectStringList(c.AllowOrigins, 'Cors.AllowOrigins', 'cors.allowOrigins', 100, 253);
  if (origins !== undefined) {
    for (const o of origins) if (o.length < 1) throw validation(o, 'cors.allowOrigins', 'Member must satisfy constraint: [Member must have length greater than or equal to 1]');
    out.AllowOrigins = origins;
  }
  const expose = expectStringList(c.ExposeHeaders, 'Cors.ExposeHeaders', 'cors.exposeHeaders', 100, 1024);
  if (expose !== undefined) out.ExposeHeaders = expose;
  const maxAge = expectInteger(c.MaxAge, 'Cors.MaxAge', 'cors.maxAge', 0, 86_400);
  if (maxAge !== undefined) out.MaxAge = maxAge;
  return out;
}
