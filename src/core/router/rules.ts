/**
 * A router's rule: its model, its validation and its evaluation, as pure functions.
 *
 * This file is also the router function's own code: scripts/generate-router.mjs transpiles it,
 * as it is, into the router's package (routerCode.generated.ts), so the extension validates and
 * previews a rule with exactly the code that will route requests. Keep it self-contained: no
 * import but Node's built-ins (the router runs on Lambda's Node.js runtime with nothing else).
 *
 * A JWT is read here WITHOUT verifying its signature: a claim only chooses which version answers
 * (a user who forges one sees the other version, which is theirs to see anyway), never whether
 * the request is allowed. Authentication stays with the target or an authorizer in front of it;
 * when there is an authorizer, its verified claims (the `authorizer` source) are the better key.
 */
import * as crypto from 'node:crypto';

/** The router's code version, named in its package and in every decision it logs. */
export const ROUTER_VERSION = 1;

/** The environment variable that holds the router's configuration (JSON). */
export const ROUTE_VARIABLE = 'LAMBDA_CANARY_ROUTE';

/** Where a rule reads its key from a request. */
export type KeySource =
  /** A request header, by case-insensitive name. */
  | { from: 'header'; name: string }
  /** A query string parameter, by exact name. */
  | { from: 'query'; name: string }
  /** A claim of the JWT in `Authorization: Bearer …`, decoded without verification (see above). */
  | { from: 'claim'; name: string }
  /**
   * A field of API Gateway's authorizer context: REST `requestContext.authorizer.<name>` (a
   * Lambda authorizer's context) or `.authorizer.claims.<name>` (a Cognito authorizer), HTTP API
   * `requestContext.authorizer.jwt.claims.<name>` or `.authorizer.lambda.<name>`.
   */
  | { from: 'authorizer'; name: string }
  /** The caller's IP address: a last resort for a sticky key (many users share one behind NAT; a phone's changes). */
  | { from: 'sourceIp' };

/** Requests whose key holds one of `values` go to the canary. */
export interface GroupRule {
  kind: 'group';
  key: KeySource;
  values: string[];
}

/**
 * Each user (the first of `keys` a request has) is hashed to a bucket in [0, 10000); buckets
 * below weight × 100 go to the canary, the others to stable, so a user stays on one version, and
 * raising the weight only moves more users to the canary. A request with none of the keys is
 * left to the next rule.
 */
export interface StickyRule {
  kind: 'sticky';
  keys: KeySource[];
  /** Percent of users on the canary, 0 to 100 (two decimals at most). */
  weight: number;
}

export type RouteRule = GroupRule | StickyRule;

export interface RouterConfig {
  /** The target function's name or ARN (unqualified). */
  target: string;
  /** The versions the router chooses between. */
  stable: string;
  canary: string;
  /** Mixed into the sticky hash: two routers with different salts have independent cohorts. */
  salt: string;
  /** Tried in order: the first that decides wins; a request no rule decides goes to stable. */
  rules: RouteRule[];
}

export type Route = 'canary' | 'stable';

export interface RouteDecision {
  route: Route;
  version: string;
  /** The kind of rule that decided, or `default` when none did. */
  rule: 'group' | 'sticky' | 'default';
  /** Its position in `rules` (absent for `default`). */
  ruleIndex?: number;
}

export const MAX_RULES = 10;
export const MAX_GROUP_VALUES = 50;
export const MAX_VALUE_CHARS = 128;
export const MAX_STICKY_KEYS = 4;
/** Lambda allows 4 KB of environment variables in all: the configuration leaves room for others. */
export const MAX_CONFIG_BYTES = 3072;
/** A request value longer than this (a huge header, a bloated token) is no key: it is ignored. */
export const MAX_REQUEST_VALUE_CHARS = 8192;
export const BUCKETS = 10_000;

/** The shapes of event a router tells apart; `other` (SQS, EventBridge, …) has no key of any kind. */
export type EventShape = 'rest' | 'http' | 'alb' | 'other';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Validation

/** RFC 9110's token: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const VERSION = /^[0-9]{1,10}$/;
const TARGET = /^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[a-zA-Z0-9-_]{1,64}$/;

/**
 * Checks a configuration from anywhere (a user's input, a function's environment) and returns it
 * typed, or throws an Error saying, in one sentence per problem, what is wrong.
 */
export function validateRouterConfig(input: unknown): RouterConfig {
  const problems: string[] = [];
  const say = (p: string) => problems.push(p);
  if (!isObject(input)) throw new Error('The router configuration must be a JSON object.');
  const known = new Set(['target', 'stable', 'canary', 'salt', 'rules']);
  for (const k of Object.keys(input)) if (!known.has(k)) say(`Unknown field '${k}' (expected ${[...known].join(', ')}).`);
  const { target, stable, canary, salt, rules } = input;
  if (typeof target !== 'string' || !TARGET.test(target)) say('target must be a function name (letters, digits, - and _, at most 64) or its unqualified ARN.');
  if (typeof stable !== 'string' || !VERSION.test(stable)) say('stable must be a published version number, such as "3".');
  if (typeof canary !== 'string' || !VERSION.test(canary)) say('canary must be a published version number, such as "4".');
  if (typeof stable === 'string' && stable === canary) say('stable and canary must be two different versions.');
  if (typeof salt !== 'string' || salt.length < 1 || salt.length > 64) say('salt must be a string of 1 to 64 characters.');
  if (!Array.isArray(rules)) say('rules must be a list.');
  else {
    if (rules.length > MAX_RULES) say(`At most ${MAX_RULES} rules (got ${rules.length}).`);
    rules.slice(0, MAX_RULES).forEach((r, i) => checkRule(r, `Rule ${i + 1}`, say));
  }
  if (problems.length === 0) {
    const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
    if (bytes > MAX_CONFIG_BYTES) say(`The configuration is ${bytes} bytes as JSON; a router keeps at most ${MAX_CONFIG_BYTES} (Lambda allows 4 KB of environment in all): fewer or shorter values.`);
  }
  if (problems.length) throw new Error(`Invalid router configuration: ${problems.join(' ')}`);
  return input as unknown as RouterConfig;
}

function checkRule(r: unknown, where: string, say: (p: string) => void): void {
  if (!isObject(r)) return say(`${where} must be an object.`);
  if (r.kind === 'group') {
    for (const k of Object.keys(r)) if (!['kind', 'key', 'values'].includes(k)) say(`${where}: unknown field '${k}'.`);
    checkKey(r.key, `${where}'s key`, say, false);
    const values = r.values;
    if (!Array.isArray(values) || values.length === 0) return say(`${where}: values must be a list of 1 to ${MAX_GROUP_VALUES} values.`);
    if (values.length > MAX_GROUP_VALUES) say(`${where}: at most ${MAX_GROUP_VALUES} values (got ${values.length}).`);
    for (const v of values) {
      // A value never holds a separator: a request's list ("beta,staff", "[beta staff]") is split on them.
      if (typeof v !== 'string' || !/^[^\s,]+$/.test(v) || v.length > MAX_VALUE_CHARS) {
        say(`${where}: each value must be 1 to ${MAX_VALUE_CHARS} characters with no space or comma (got ${JSON.stringify(v)}).`);
        break;
      }
    }
  } else if (r.kind === 'sticky') {
    for (const k of Object.keys(r)) if (!['kind', 'keys', 'weight'].includes(k)) say(`${where}: unknown field '${k}'.`);
    const keys = r.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_STICKY_KEYS) say(`${where}: keys must be a list of 1 to ${MAX_STICKY_KEYS} key sources.`);
    else keys.forEach((k, i) => checkKey(k, `${where}'s key ${i + 1}`, say, true));
    const w = r.weight;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 100) say(`${where}: weight must be a number from 0 to 100 (percent of users).`);
    else if (Math.abs(w * 100 - Math.round(w * 100)) > 1e-6) say(`${where}: weight has at most two decimals (users are split in 10,000 buckets).`);
  } else {
    say(`${where}: kind must be 'group' or 'sticky'.`);
  }
}

function checkKey(k: unknown, where: string, say: (p: string) => void, sticky: boolean): void {
  if (!isObject(k)) return say(`${where} must be an object such as {"from":"header","name":"x-canary-group"}.`);
  const from = k.from;
  if (from === 'sourceIp') {
    if (!sticky) say(`${where}: sourceIp is a sticky key only.`);
    if (Object.keys(k).some((x) => x !== 'from')) say(`${where}: sourceIp takes no other field.`);
    return;
  }
  if (from !== 'header' && from !== 'query' && from !== 'claim' && from !== 'authorizer') return say(`${where}: from must be header, query, claim, authorizer or sourceIp.`);
  if (Object.keys(k).some((x) => x !== 'from' && x !== 'name')) say(`${where}: only from and name.`);
  const name = k.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 128) return say(`${where}: name must be 1 to 128 characters.`);
  if (from === 'header' && !HEADER_NAME.test(name)) say(`${where}: '${name}' is not a valid header name.`);
}

// ---------------------------------------------------------------------------------------------
// Reading a request

/** What kind of event a router received: API Gateway REST (payload 1.0), HTTP API and function URLs (2.0), ALB, or other. */
export function eventShape(event: unknown): EventShape {
  if (!isObject(event)) return 'other';
  const rc = event.requestContext;
  if (isObject(rc) && isObject(rc.elb)) return 'alb';
  if (event.version === '2.0' && isObject(rc) && isObject(rc.http)) return 'http';
  if (isObject(rc) && (typeof event.httpMethod === 'string' || event.version === '1.0')) return 'rest';
  return 'other';
}

/** A request value that may serve as a key (bounded), or undefined. */
function usable(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return undefined;
  if (v.length > MAX_REQUEST_VALUE_CHARS) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** Every value a header has (multi-value first, as API Gateway REST and ALB send them). */
function headerValues(event: Json, name: string): unknown[] {
  const wanted = name.toLowerCase();
  const out: unknown[] = [];
  const multi = event.multiValueHeaders;
  if (isObject(multi)) {
    for (const [k, v] of Object.entries(multi)) if (k.toLowerCase() === wanted && Array.isArray(v)) out.push(...v);
  }
  if (out.length) return out;
  const single = event.headers;
  if (isObject(single)) {
    for (const [k, v] of Object.entries(single)) if (k.toLowerCase() === wanted) out.push(v);
  }
  return out;
}

/** ALB passes the query string as it arrived (percent-encoded); API Gateway decodes it. */
function albDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function queryValues(event: Json, name: string, shape: EventShape): unknown[] {
  const decode = shape === 'alb' ? albDecode : (s: string) => s;
  const out: unknown[] = [];
  const multi = event.multiValueQueryStringParameters;
  if (isObject(multi)) {
    for (const [k, v] of Object.entries(multi)) {
      if (decode(k) === name && Array.isArray(v)) out.push(...v.map((x) => (typeof x === 'string' ? decode(x) : x)));
    }
  }
  if (out.length) return out;
  const single = event.queryStringParameters;
  if (isObject(single)) {
    for (const [k, v] of Object.entries(single)) if (decode(k) === name) out.push(typeof v === 'string' ? decode(v) : v);
  }
  return out;
}

/**
 * The claims of the JWT in `Authorization: Bearer <token>`, decoded WITHOUT verification (for
 * grouping only, see the top of this file); undefined for anything but a three-part token whose
 * payload is base64url JSON of an object.
 */
export function unverifiedJwtClaims(event: Json): Json | undefined {
  for (const raw of headerValues(event, 'authorization')) {
    if (typeof raw !== 'string' || raw.length > MAX_REQUEST_VALUE_CHARS) continue;
    const m = /^\s*bearer\s+([^\s]+)\s*$/i.exec(raw);
    if (!m) continue;
    const parts = m[1].split('.');
    if (parts.length !== 3) continue;
    const payload = parts[1];
    if (payload === '' || !/^[A-Za-z0-9_-]+={0,2}$/.test(payload)) continue;
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (isObject(claims)) return claims;
    } catch {
      // Not JSON: no claims.
    }
  }
  return undefined;
}

/** A claim by its exact name (namespaced claims hold dots: `https://example.com/roles`), else by a dotted path (`realm_access.roles`). */
function claimOf(claims: Json, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, name)) return claims[name];
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (!isObject(at) || !Object.prototype.hasOwnProperty.call(at, part)) return undefined;
    at = at[part];
  }
  return at;
}

function authorizerValue(event: Json, name: string): unknown {
  const rc = event.requestContext;
  const auth = isObject(rc) ? rc.authorizer : undefined;
  if (!isObject(auth)) return undefined;
  const own = (o: unknown) => (isObject(o) && Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined);
  const jwt = auth.jwt;
  return own(auth) ?? own(auth.claims) ?? own(isObject(jwt) ? jwt.claims : undefined) ?? own(auth.lambda);
}

function sourceIp(event: Json, shape: EventShape): string | undefined {
  const rc = event.requestContext;
  if (!isObject(rc)) return undefined;
  if (shape === 'http' && isObject(rc.http)) return usable(rc.http.sourceIp);
  if (shape === 'rest' && isObject(rc.identity)) return usable(rc.identity.sourceIp);
  if (shape === 'alb') {
    // The load balancer appends the address it saw: the last entry (earlier ones are the client's to write).
    const xff = headerValues(event, 'x-forwarded-for').filter((v): v is string => typeof v === 'string').join(',');
    const last = xff.split(',').map((s) => s.trim()).filter(Boolean).pop();
    return usable(last);
  }
  return undefined;
}

/** The raw values a request has for a key source (none for a non-HTTP event). */
export function keyValues(event: unknown, source: KeySource): unknown[] {
  const shape = eventShape(event);
  if (shape === 'other' || !isObject(event)) return [];
  switch (source.from) {
    case 'header':
      return headerValues(event, source.name);
    case 'query':
      return queryValues(event, source.name, shape);
    case 'claim': {
      const claims = unverifiedJwtClaims(event);
      const v = claims === undefined ? undefined : claimOf(claims, source.name);
      return v === undefined ? [] : [v];
    }
    case 'authorizer': {
      const v = authorizerValue(event, source.name);
      return v === undefined ? [] : [v];
    }
    case 'sourceIp': {
      const ip = sourceIp(event, shape);
      return ip === undefined ? [] : [ip];
    }
  }
}

/**
 * The members of a value: a list's elements; a string split on spaces and commas, in brackets or
 * not (API Gateway renders an array claim as "[beta staff]", a Cognito authorizer as "beta,staff").
 */
export function members(values: unknown[]): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    const s = usable(v);
    if (s === undefined) return;
    const inner = /^\[.*\]$/s.test(s) ? s.slice(1, -1) : s;
    for (const m of inner.split(/[\s,]+/)) if (m !== '') out.push(m);
  };
  for (const v of values) {
    if (Array.isArray(v)) {
      if (v.length <= MAX_GROUP_VALUES * 4) v.forEach(add);
    } else add(v);
  }
  return out;
}

/** The sticky key of a request: the first source with a usable scalar value. */
export function stickyKey(event: unknown, keys: readonly KeySource[]): string | undefined {
  for (const source of keys) {
    for (const v of keyValues(event, source)) {
      const s = usable(v);
      if (s !== undefined) return s;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The hash and the decision

/**
 * A user's bucket in [0, 10000): the first 4 bytes of HMAC-SHA256(salt, key), big-endian, scaled
 * (floor(u32 × 10000 / 2³²)). The same key and salt always give the same bucket, on any machine.
 */
export function stickyBucket(salt: string, key: string): number {
  const digest = crypto.createHmac('sha256', salt).update(key, 'utf8').digest();
  return Math.floor((digest.readUInt32BE(0) * BUCKETS) / 2 ** 32);
}

/** The canary takes buckets below this. */
export function canaryBuckets(weight: number): number {
  return Math.round(weight * 100);
}

/** Chooses the version for one event. Never throws on what a request holds. */
export function decideRoute(config: RouterConfig, event: unknown): RouteDecision {
  const to = (route: Route, rule: RouteDecision['rule'], ruleIndex?: number): RouteDecision => ({
    route,
    version: route === 'canary' ? config.canary : config.stable,
    rule,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
  });
  for (let i = 0; i < config.rules.length; i++) {
    const rule = config.rules[i];
    if (rule.kind === 'group') {
      const wanted = new Set(rule.values);
      if (members(keyValues(event, rule.key)).some((m) => wanted.has(m))) return to('canary', 'group', i);
    } else {
      const key = stickyKey(event, rule.keys);
      if (key === undefined) continue;
      return to(stickyBucket(config.salt, key) < canaryBuckets(rule.weight) ? 'canary' : 'stable', 'sticky', i);
    }
  }
  return to('stable', 'default');
}

// ---------------------------------------------------------------------------------------------
// The decision's metrics (the decision line is an Embedded Metric Format record: handler.ts)

/** CloudWatch's namespace of the router's decisions: metrics Requests and Errors, dimensions Router, Route, Rule. */
export const ROUTER_NAMESPACE = 'LambdaCanary/Router';

/**
 * The Router dimension: the function and the alias it was invoked through (`shop-api-router:prod`),
 * the function name alone when invoked unqualified or by version (each published rule is a new
 * version: naming it would start a new series at every change of rule).
 */
export function routerDimension(functionName: string, invokedFunctionArn: string | undefined): string {
  const parts = (invokedFunctionArn ?? '').split(':');
  const qualifier = parts.length === 8 ? parts[7] : undefined;
  return qualifier && !/^(\d+|\$LATEST)$/.test(qualifier) ? `${functionName}:${qualifier}` : functionName;
}

/** The Rule dimension of a decision: `group#0`, `sticky#1`, `default` (a position, never a request's key). */
export function ruleDimension(d: Pick<RouteDecision, 'rule' | 'ruleIndex'>): string {
  return d.rule === 'default' ? 'default' : `${d.rule}#${d.ruleIndex ?? 0}`;
}
