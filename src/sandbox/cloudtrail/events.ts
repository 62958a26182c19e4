/**
 * Making a CloudTrail management event from one request the sandbox answered, in AWS's record
 * format (eventVersion 1.09): the caller's identity from the access key that signed, the request's
 * parameters and the reply in CloudTrail's camelCase, AWS's event names (Lambda's carry their
 * API-date suffix, e.g. UpdateAlias20150331), errors with errorCode / errorMessage.
 */
import * as crypto from 'node:crypto';
import { parseFunctionRef } from '../validation';

export const LAMBDA_SOURCE = 'lambda.amazonaws.com';
export const CODEDEPLOY_SOURCE = 'codedeploy.amazonaws.com';
export const MONITORING_SOURCE = 'monitoring.amazonaws.com';

/** The session name CodeDeploy's calls with a deployment group's service role carry. */
export const CODEDEPLOY_SESSION = 'AWSCodeDeploy';

/** What AWS puts in place of values that may be secrets (environment variables). */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/**
 * requestParameters or responseElements larger than this are left out (null), as AWS omits
 * oversized ones; small enough that 10,000 events stay a file that loads quickly.
 */
export const MAX_ELEMENT_CHARS = 16 * 1024;

/** Members nested deeper than this (no AWS shape comes close) are recorded as null. */
export const MAX_DEPTH = 64;

/** userAgent is kept to this many characters. */
export const MAX_USER_AGENT = 1000;

/**
 * Lambda operations as CloudTrail names them, and whether each is a read. Invoke is a data event
 * (not in a trail's management events) and has none.
 */
const LAMBDA_EVENTS: Record<string, { name: string; readOnly: boolean }> = {
  ListFunctions: { name: 'ListFunctions20150331', readOnly: true },
  CreateFunction: { name: 'CreateFunction20150331', readOnly: false },
  GetFunction: { name: 'GetFunction20150331v2', readOnly: true },
  DeleteFunction: { name: 'DeleteFunction20150331', readOnly: false },
  GetFunctionConfiguration: { name: 'GetFunctionConfiguration20150331v2', readOnly: true },
  UpdateFunctionConfiguration: { name: 'UpdateFunctionConfiguration20150331v2', readOnly: false },
  UpdateFunctionCode: { name: 'UpdateFunctionCode20150331v2', readOnly: false },
  ListVersionsByFunction: { name: 'ListVersionsByFunction20150331', readOnly: true },
  PublishVersion: { name: 'PublishVersion20150331', readOnly: false },
  ListAliases: { name: 'ListAliases20150331', readOnly: true },
  CreateAlias: { name: 'CreateAlias20150331', readOnly: false },
  GetAlias: { name: 'GetAlias20150331', readOnly: true },
  UpdateAlias: { name: 'UpdateAlias20150331', readOnly: false },
  DeleteAlias: { name: 'DeleteAlias20150331', readOnly: false },
  ListEventSourceMappings: { name: 'ListEventSourceMappings20150331', readOnly: true },
  CreateEventSourceMapping: { name: 'CreateEventSourceMapping20150331', readOnly: false },
  GetEventSourceMapping: { name: 'GetEventSourceMapping20150331', readOnly: true },
  UpdateEventSourceMapping: { name: 'UpdateEventSourceMapping20150331', readOnly: false },
  DeleteEventSourceMapping: { name: 'DeleteEventSourceMapping20150331', readOnly: false },
  CreateFunctionUrlConfig: { name: 'CreateFunctionUrlConfig20211031', readOnly: false },
  GetFunctionUrlConfig: { name: 'GetFunctionUrlConfig20211031', readOnly: true },
  UpdateFunctionUrlConfig: { name: 'UpdateFunctionUrlConfig20211031', readOnly: false },
  DeleteFunctionUrlConfig: { name: 'DeleteFunctionUrlConfig20211031', readOnly: false },
  ListFunctionUrlConfigs: { name: 'ListFunctionUrlConfigs20211031', readOnly: true },
  AddPermission: { name: 'AddPermission20150331v2', readOnly: false },
  GetPolicy: { name: 'GetPolicy20150331v2', readOnly: true },
  RemovePermission: { name: 'RemovePermission20150331v2', readOnly: false },
  PutFunctionEventInvokeConfig: { name: 'PutFunctionEventInvokeConfig20190925', readOnly: false },
  UpdateFunctionEventInvokeConfig: { name: 'UpdateFunctionEventInvokeConfig20190925', readOnly: false },
  GetFunctionEventInvokeConfig: { name: 'GetFunctionEventInvokeConfig20190925', readOnly: true },
  DeleteFunctionEventInvokeConfig: { name: 'DeleteFunctionEventInvokeConfig20190925', readOnly: false },
  ListFunctionEventInvokeConfigs: { name: 'ListFunctionEventInvokeConfigs20190925', readOnly: true },
};

export type AuditedService = 'lambda' | 'codedeploy' | 'cloudwatch';

/** The event name, source and read flag of an operation, or undefined for one CloudTrail does not record (Invoke). */
export function eventKind(service: AuditedService, op: string): { eventName: string; eventSource: string; readOnly: boolean } | undefined {
  if (service === 'lambda') {
    const e = Object.hasOwn(LAMBDA_EVENTS, op) ? LAMBDA_EVENTS[op] : undefined;
    return e && { eventName: e.name, eventSource: LAMBDA_SOURCE, readOnly: e.readOnly };
  }
  const readOnly = /^(Get|List|BatchGet|Describe)/.test(op);
  return { eventName: op, eventSource: service === 'codedeploy' ? CODEDEPLOY_SOURCE : MONITORING_SOURCE, readOnly };
}

/** Members whose value is a map of the caller's own keys, which keep their spelling. */
const MAP_MEMBERS = new Set(['additionalversionweights', 'variables', 'tags']);
/** Members never put in an event: code bytes. */
const DROPPED_MEMBERS = new Set(['zipfile']);

/**
 * CloudTrail's spelling of a request or reply: each member name with its first letter in lower
 * case (FunctionVersion → functionVersion, KMSKeyArn → kMSKeyArn, UUID → uUID), maps of the
 * caller's keys (routing weights, tags) as they are, environment variables' values hidden and
 * zip bytes left out.
 */
export function camelCase(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any AWS shape: left out (null), so that a hostile body cannot exhaust the stack.
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => camelCase(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const lower = k.toLowerCase();
    if (DROPPED_MEMBERS.has(lower)) continue;
    const name = k.charAt(0).toLowerCase() + k.slice(1);
    let member: unknown;
    if (lower === 'variables' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      member = Object.fromEntries(Object.keys(v).map((key) => [key, HIDDEN]));
    } else if (MAP_MEMBERS.has(lower) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      member = camelCaseMap(v as Record<string, unknown>, depth + 1);
    } else {
      member = camelCase(v, depth + 1);
    }
    // Defined, not assigned: a member named __proto__ stays a member and does not set the prototype.
    Object.defineProperty(out, name, { value: member, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A map of the caller's keys (weights, tags): its keys as they are, its values bounded in depth. */
function camelCaseMap(map: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    const member = v !== null && typeof v === 'object' ? (depth + 1 >= MAX_DEPTH ? null : camelCase(v, depth + 1)) : v;
    Object.defineProperty(out, k, { value: member, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The function's name in any of the forms Lambda accepts (validation.ts's rule); a name Lambda refuses is kept as given. */
export function functionNameOf(given: string): string {
  try {
    return parseFunctionRef(given).name;
  } catch {
    return given;
  }
}

export interface UserIdentity {
  type: 'IAMUser' | 'AssumedRole';
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  userName?: string;
  sessionContext?: Record<string, unknown>;
  invokedBy?: string;
}

/** A stable, key-shaped identifier derived from `seed` (IAM's AIDA… / AROA… / ASIA… forms). */
function derivedId(prefix: string, seed: string): string {
  return prefix + crypto.createHash('sha256').update(seed).digest('hex').slice(0, 17).toUpperCase();
}

/** The user name of an access key: the `users` option's, or user-<its last 4 characters, lower case>. */
export function userNameOf(accessKeyId: string, users: Readonly<Record<string, string>> | undefined): string {
  const named = users && Object.hasOwn(users, accessKeyId) ? users[accessKeyId] : undefined;
  return named ?? `user-${accessKeyId.slice(-4).toLowerCase()}`;
}

/** An IAM user's identity, for a request signed with `accessKeyId`. */
export function iamUser(accessKeyId: string, accountId: string, users: Readonly<Record<string, string>> | undefined): UserIdentity {
  const userName = userNameOf(accessKeyId, users);
  return {
    type: 'IAMUser',
    principalId: derivedId('AIDA', `${accountId}/${userName}`),
    arn: `arn:aws:iam::${accountId}:user/${userName}`,
    accountId,
    accessKeyId,
    userName,
  };
}

/** CodeDeploy's identity when it calls Lambda: a session of the deployment group's service role. */
export function codeDeployRole(roleArn: string, accountId: string, sessionStart: number): UserIdentity {
  const roleName = roleArn.split('/').pop() || 'CodeDeployServiceRole';
  const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? accountId;
  const roleId = derivedId('AROA', roleArn);
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${CODEDEPLOY_SESSION}`,
    arn: `arn:aws:sts::${roleAccount}:assumed-role/${roleName}/${CODEDEPLOY_SESSION}`,
    accountId: roleAccount,
    accessKeyId: derivedId('ASIA', `${roleArn}/${sessionStart}`),
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn, accountId: roleAccount, userName: roleName },
      attributes: { creationDate: isoSeconds(sessionStart), mfaAuthenticated: 'false' },
    },
    invokedBy: CODEDEPLOY_SOURCE,
  };
}

/** The name LookupEvents gives the caller (its Username attribute): the user, or the role's session. */
export function usernameOf(identity: UserIdentity): string {
  return identity.type === 'IAMUser' ? identity.userName ?? '' : identity.arn.split('/').pop() ?? '';
}

/** CloudTrail's time format: ISO 8601 in UTC without fractions of a second. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface EventResource {
  ResourceType: string;
  ResourceName: string;
}

/** One stored event: what LookupEvents filters on and the record it returns as CloudTrailEvent. */
export interface StoredEvent {
  /** Position in the log: strictly increasing, the tie-break between events of the same millisecond. */
  seq: number;
  /** When the request was answered (ms since the epoch). */
  time: number;
  eventId: string;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  accessKeyId: string;
  username: string;
  resources: EventResource[];
  /** The record, as CloudTrail delivers it. */
  record: Record<string, unknown>;
}

export interface EventInput {
  service: AuditedService;
  op: string;
  identity: UserIdentity;
  userAgent: string | undefined;
  sourceIPAddress: string;
  region: string;
  accountId: string;
  requestId: string;
  /** The request's parameters as sent (body members, path and query parameters), in the API's spelling. */
  request: Record<string, unknown> | undefined;
  /** The reply's body on success (undefined for an empty reply). */
  reply?: unknown;
  error?: { code: string; message: string };
  time: number;
}

/** Keeps an element only when it is of a size CloudTrail records. */
function bounded(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  return text === undefined || text.length > MAX_ELEMENT_CHARS ? null : value;
}

/** The resources an event names, for LookupEvents' ResourceName / ResourceType. */
function resourcesOf(service: AuditedService, params: Record<string, unknown>): EventResource[] {
  const out: EventResource[] = [];
  // Own members only: nothing inherited names a resource.
  const own = (name: string) => (Object.hasOwn(params, name) ? params[name] : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  if (service === 'lambda') {
    const fn = str(own('functionName'));
    if (fn) out.push({ ResourceType: 'AWS::Lambda::Function', ResourceName: functionNameOf(fn) });
  } else if (service === 'codedeploy') {
    const app = str(own('applicationName'));
    if (app) out.push({ ResourceType: 'AWS::CodeDeploy::Application', ResourceName: app });
    const group = str(own('deploymentGroupName'));
    if (group) out.push({ ResourceType: 'AWS::CodeDeploy::DeploymentGroup', ResourceName: group });
  } else {
    const alarmNames = own('alarmNames');
    const names = [str(own('alarmName')), ...(Array.isArray(alarmNames) ? alarmNames.map(str) : [])];
    for (const n of names) if (n) out.push({ ResourceType: 'AWS::CloudWatch::Alarm', ResourceName: n });
  }
  return out;
}

/** The request's Environment.Variables (any spelling of the member names), if it has them. */
function variablesOf(request: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const member = (o: unknown, name: string): unknown => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
    const key = Object.keys(o).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : (o as Record<string, unknown>)[key];
  };
  const vars = member(member(request, 'environment'), 'variables');
  return vars !== null && typeof vars === 'object' && !Array.isArray(vars) ? (vars as Record<string, unknown>) : undefined;
}

/**
 * An error's message with the request's environment variables' values hidden (Lambda's messages
 * about them may quote them, e.g. the 4 KB limit's "String measured: {...}").
 */
export function hideVariables(message: string, request: Record<string, unknown> | undefined): string {
  const vars = variablesOf(request);
  if (!vars) return message;
  let out = message;
  const measured = out.indexOf('String measured:');
  if (measured >= 0) out = `${out.slice(0, measured)}String measured: ${HIDDEN}`;
  for (const v of Object.values(vars)) {
    if (typeof v !== 'string' || v === '') continue;
    out = out.split(v).join(HIDDEN);
    const quoted = JSON.stringify(v).slice(1, -1);
    if (quoted !== v) out = out.split(quoted).join(HIDDEN);
  }
  return out;
}

/** The event of one answered request, or undefined when CloudTrail records none for it. */
export function makeEvent(input: EventInput, seq: number): StoredEvent | undefined {
  const kind = eventKind(input.service, input.op);
  if (!kind) return undefined;
  const eventId = crypto.randomUUID();
  const params = (camelCase(input.request ?? {}) ?? {}) as Record<string, unknown>;
  const requestParameters = bounded(input.request === undefined ? undefined : params);
  // An empty reply (204, or `{}` as PutMetricAlarm answers) is null, as CloudTrail records it.
  const reply = camelCase(input.reply);
  const empty = reply !== null && typeof reply === 'object' && !Array.isArray(reply) && Object.keys(reply).length === 0;
  // A read's reply is not recorded (AWS records null for Lambda's Get/List; GetFunction's carries a signed code URL).
  const responseElements = input.error || empty || kind.readOnly ? null : bounded(reply);
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: input.identity,
    eventTime: isoSeconds(input.time),
    eventSource: kind.eventSource,
    eventName: kind.eventName,
    awsRegion: input.region,
    sourceIPAddress: input.sourceIPAddress,
    userAgent: (input.userAgent ?? '').slice(0, MAX_USER_AGENT),
    ...(input.error ? { errorCode: input.error.code, errorMessage: hideVariables(input.error.message, input.request) } : {}),
    requestParameters,
    responseElements,
    requestID: input.requestId,
    eventID: eventId,
    readOnly: kind.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.accountId,
    eventCategory: 'Management',
  };
  return {
    seq,
    time: input.time,
    eventId,
    eventName: kind.eventName,
    eventSource: kind.eventSource,
    readOnly: kind.readOnly,
    accessKeyId: input.identity.accessKeyId,
    username: usernameOf(input.identity),
    resources: resourcesOf(input.service, params),
    record,
  };
}
