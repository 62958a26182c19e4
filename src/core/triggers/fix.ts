import type { AliasConfiguration, EventSourceMappingConfiguration, FunctionUrlConfig } from '@aws-sdk/client-lambda';
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetEventSourceMappingCommand,
  GetFunctionUrlConfigCommand,
  RemovePermissionCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { TriggerFixDetail, TriggerRoute, TriggerView } from '../../shared/triggers';
import { CancelledError, OperationError, unknownOutcome } from '../errors';
import { guardedWrite, step } from '../guardedWrite';
import type { LambdaSend } from '../lambdaApi';
import { errorName } from '../lambdaApi';
import type { OperationContext } from '../operationContext';
import { loadAlias } from '../operations';
import type { Outcome } from '../outcome';
import type { UseCaseContext } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import { badInput, classifyTarget, routeOfQualifier, routeText, sameFunction } from './classify';
import type { PolicyStatement } from './policy';
import { addPermissionPrincipal, isUrlStatement, publicUrlGrants, sameGrant } from './policy';
import { readPolicy } from './read';
import { parseApiSource } from './sources';
import type { TriggerFacts, UrlConfig } from './views';
import { buildAudit, integrationUri, statementLabel, TRANSITION_STATES } from './views';

/**
 * The fixes that move a trigger onto an alias, each a guarded, journalled use case: the trigger is
 * read again first and nothing is written when it changed since the user looked; the old trigger
 * is never removed (a mapping is moved in one update that keeps its place; a URL or a permission
 * is added beside the old one), so whatever fails, the events still have somewhere to go.
 */

export interface FixTriggerInput {
  functionName: string;
  aliasName: string;
  /** As in TriggerView: `esm:<UUID>`, `url:<qualifier>`, `policy:<qualifier>:<Sid>`. */
  triggerId: string;
  /** The trigger as the user saw it: nothing is written when its target (or source) is no longer this. */
  expected?: Pick<TriggerView, 'target'> & Partial<Pick<TriggerView, 'source' | 'principal'>>;
}

type TriggerId = { kind: 'esm'; uuid: string } | { kind: 'url'; qualifier: string } | { kind: 'policy'; qualifier: string; sid: string } | { kind: 'async'; qualifier: string };

export function parseTriggerId(id: string): TriggerId | undefined {
  let m = /^esm:([A-Za-z0-9-]+)$/.exec(id);
  if (m) return { kind: 'esm', uuid: m[1] };
  m = /^url:([A-Za-z0-9$_-]+)$/.exec(id);
  if (m) return { kind: 'url', qualifier: m[1] };
  m = /^policy:([A-Za-z0-9$_-]+):(.+)$/.exec(id);
  if (m) return { kind: 'policy', qualifier: m[1], sid: m[2] };
  m = /^async:([A-Za-z0-9$_-]+)$/.exec(id);
  if (m) return { kind: 'async', qualifier: m[1] };
  return undefined;
}

const NOTHING = 'Nothing was changed.';

function invalid(message: string): OperationError {
  return new OperationError(message, { state: NOTHING, kind: 'validation' });
}

function conflict(message: string, state = NOTHING, cause?: unknown): OperationError {
  return new OperationError(message, { state, kind: 'conflict', cause });
}

function causeName(err: unknown): string {
  return errorName(err instanceof OperationError && err.cause !== undefined ? err.cause : err);
}

/** `qualifier` as GetPolicy / GetFunctionUrlConfig take it: none for the unqualified function. */
export function q(qualifier: string): { Qualifier?: string } {
  return qualifier === '$LATEST' ? {} : { Qualifier: qualifier };
}

/** One trigger as the audit would show it, judged against the alias: `id`'s, else the first. */
function viewOf(functionName: string, alias: AliasConfiguration, facts: Partial<TriggerFacts>, id?: string): TriggerView | undefined {
  const triggers = buildAudit({ functionName, aliasName: alias.Name, aliases: [alias], mappings: [], urls: [], policies: {}, asyncConfigs: [], unreadable: [], ...facts }).triggers;
  return id === undefined ? triggers[0] : triggers.find((t) => t.id === id);
}

/**
 * The audit's rule, for every caller (the editor's command and the CLI's --fix alike): a fix is
 * run only when the trigger as read now offers this fix onto this alias.
 */
function requireOffered(input: FixTriggerInput, view: TriggerView | undefined, action: TriggerFixDetail['action']): void {
  if (view?.fix?.action === action && view.fix.alias === input.aliasName) return;
  const offered = view?.fix ? `its fix is ${view.fix.action} onto ${view.fix.alias}` : 'the audit offers no fix for it';
  const why = view ? `${view.detail}${view.notes.length ? ` ${view.notes.join(' ')}` : ''}`.trim() : 'it is not a trigger the audit lists.';
  throw invalid(`${input.triggerId}: ${offered} (${why}) — refresh the triggers.`);
}

function checkExpected(input: FixTriggerInput, now: { target: string; source?: string; principal?: string }): void {
  const e = input.expected;
  if (!e) return;
  const changed = e.target !== now.target || (e.source !== undefined && e.source !== now.source) || (e.principal !== undefined && e.principal !== now.principal);
  if (changed) throw conflict(`${input.triggerId} changed since you looked at it (it now targets ${now.target}${now.source ? ` from ${now.source}` : ''}) — refresh and retry.`);
}

function alreadyThrough(input: FixTriggerInput): OperationError {
  return conflict(`${input.triggerId} already goes through ${input.aliasName} — refresh the triggers.`);
}

/** A trigger on another alias is that alias's traffic: moving it would take it from there. */
function onOtherAlias(input: FixTriggerInput, route: TriggerRoute): OperationError | undefined {
  if (route.kind !== 'alias' || route.alias === input.aliasName) return undefined;
  return invalid(`${input.triggerId} goes through ${route.alias}: it is ${route.alias}'s traffic, not a bypass of ${input.aliasName}, so it is left where it is.`);
}

function gone(input: FixTriggerInput, what: string): OperationError {
  return conflict(`${what} no longer exists (deleted since you looked?) — refresh the triggers.`);
}

export async function getMapping(lambda: LambdaSend, uuid: string, signal?: AbortSignal): Promise<EventSourceMappingConfiguration> {
  return lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }), { abortSignal: signal });
}

export async function getUrl(lambda: LambdaSend, functionName: string, qualifier: string, signal?: AbortSignal): Promise<FunctionUrlConfig | undefined> {
  try {
    return await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: functionName, ...q(qualifier) }), { abortSignal: signal });
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

function routeIs(route: TriggerRoute, aliasName: string): boolean {
  return route.kind === 'alias' && route.alias === aliasName;
}

/**
 * `arn` is the alias `aliasArn` names: the same function (name, and account and region where
 * both say them) and the same qualifier. A mapping moved to billing:prod is not on prod.
 */
function callsAlias(arn: string | undefined, functionName: string, aliasArn: string, aliasName: string): boolean {
  return sameFunction(arn ?? '', aliasArn) && sameFunction(arn ?? '', functionName) && routeIs(classifyTarget(arn ?? '', functionName), aliasName);
}

// ---- Route Through Alias -----------------------------------------------------------------

/** A read-back of a mapping still changing after an unclear update: which ARN it ends on is not known yet. */
export function mappingInTransition(uuid: string, state: string, to: string, from: string, stepName: string, cause: unknown): OperationError {
  return new OperationError(`${stepName}: no clear answer came back, and the mapping reads back ${state}: it may still change to ${to}, or stay on ${from}.`, {
    step: stepName,
    state: `Unknown: the mapping may call ${to}, or still ${from}; either way it exists and delivers its events. Refresh the triggers once it is Enabled or Disabled to see which.`,
    cause,
    kind: 'unknown',
  });
}

async function routeThroughAlias(op: OperationContext, input: FixTriggerInput, alias: AliasConfiguration, aliasArn: string, uuid: string): Promise<TriggerFixDetail> {
  const fn = input.functionName;
  let before: EventSourceMappingConfiguration;
  try {
    before = await step(op, `GetEventSourceMapping ${uuid}`, NOTHING, () => getMapping(op.lambda, uuid, op.signal));
  } catch (err) {
    if (causeName(err) === 'ResourceNotFoundException') throw gone(input, `Event source mapping ${uuid}`);
    throw err;
  }
  if (!sameFunction(before.FunctionArn ?? '', fn)) throw invalid(`Event source mapping ${uuid} belongs to ${before.FunctionArn}, not to ${fn}.`);
  const route = classifyTarget(before.FunctionArn ?? '', fn);
  const beforeView = viewOf(fn, alias, { mappings: [before] })!;
  if (routeIs(route, input.aliasName)) throw alreadyThrough(input);
  checkExpected(input, beforeView);
  const other = onOtherAlias(input, route);
  if (other) throw other;
  if (before.State && TRANSITION_STATES.has(before.State)) {
    throw conflict(`${beforeView.label}'s mapping is ${before.State} right now: wait until it is Enabled or Disabled, then retry.`);
  }
  requireOffered(input, beforeView, 'route-through-alias');
  const was = routeText(route);
  const stepName = `UpdateEventSourceMapping ${uuid}`;
  op.progress?.(`Moving ${beforeView.label} onto ${input.aliasName}…`);
  const updated = await guardedWrite<EventSourceMappingConfiguration, EventSourceMappingConfiguration>(op, {
    step: stepName,
    stateIfFailed: `The mapping still calls ${was}; nothing was changed.`,
    send: () => op.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FunctionName: aliasArn })),
    readBack: () => getMapping(op.lambda, uuid),
    landedNote: `the mapping reads back calling ${input.aliasName}: the update went through`,
    judge: (now, cause) => {
      const r = classifyTarget(now.FunctionArn ?? '', fn);
      if (callsAlias(now.FunctionArn, fn, aliasArn, input.aliasName)) return { landed: now };
      // Still changing: Lambda may yet apply the update, so the old ARN proves nothing.
      if (now.State && TRANSITION_STATES.has(now.State)) throw mappingInTransition(uuid, now.State, input.aliasName, was, stepName, cause);
      if (now.FunctionArn === before.FunctionArn) return { state: `The mapping still calls ${was}; nothing was changed.` };
      throw conflict(`Event source mapping ${uuid} was changed by another client meanwhile — refresh and retry.`, `It now calls ${routeText(r)}.`, cause);
    },
    unknown: (cause) =>
      unknownOutcome({
        step: stepName,
        subject: `mapping ${uuid}`,
        cause,
        maybe: `The mapping may now call ${input.aliasName}, or still ${was}; either way it exists and delivers its events.`,
        check: `Refresh the triggers: if it shows it goes through ${input.aliasName}, the move went through; if not, run Route Through Alias again.`,
      }),
    refused: (name, cause, state) => {
      if (name === 'ResourceInUseException') return conflict(`Event source mapping ${uuid} is being changed right now: wait until it is Enabled or Disabled, then retry.`, state, cause);
      if (name === 'ResourceNotFoundException') return gone(input, `Event source mapping ${uuid}`);
      return undefined;
    },
  });
  // The update's answer says what was asked; a read says what Lambda now holds.
  let after = updated;
  try {
    after = await step(op, `GetEventSourceMapping ${uuid}`, `The mapping was moved onto ${input.aliasName}.`, () => getMapping(op.lambda, uuid));
  } catch {
    op.record?.warnings.push(`The mapping could not be read back after the move; its update answered that it calls ${input.aliasName}.`);
  }
  if (!callsAlias(after.FunctionArn, fn, aliasArn, input.aliasName)) {
    throw conflict(`Event source mapping ${uuid} reads back calling ${after.FunctionArn} after the move (another client changed it?) — refresh and look.`, `It calls ${routeText(classifyTarget(after.FunctionArn ?? '', fn))}.`);
  }
  return {
    triggerId: input.triggerId,
    action: 'route-through-alias',
    alias: input.aliasName,
    before: beforeView,
    after: viewOf(fn, alias, { mappings: [after] }),
    undo: { mapping: uuid, functionArn: before.FunctionArn ?? '' },
    followUp: [],
  };
}

// ---- Create URL on Alias -----------------------------------------------------------------

/** A statement id for one of the public permissions a URL with AuthType NONE needs: the console's, unless taken. */
function publicUrlSid(statements: PolicyStatement[], which: 'url' | 'invoke', taken = new Set<string>()): string {
  for (const st of statements) taken.add(st.sid);
  const console = which === 'url' ? 'FunctionURLAllowPublicAccess' : 'FunctionURLAllowInvokeAction';
  const ours = which === 'url' ? 'lambda-canary-url-public' : 'lambda-canary-url-invoke';
  for (const sid of [console, ours]) if (!taken.has(sid)) return sid;
  let i = 2;
  while (taken.has(`${ours}-${i}`)) i++;
  return `${ours}-${i}`;
}

/** A permission to add: one action, and a statement's principal and the conditions AddPermission sets. */
export type Permission = { action: string } & Pick<PolicyStatement, 'sid' | 'principal' | 'sourceArn' | 'sourceAccount' | 'eventSourceToken' | 'principalOrgId' | 'functionUrlAuthType' | 'invokedViaFunctionUrl'>;

/** The public permissions a URL with AuthType NONE still needs on the alias (both since October 2025). */
function publicPermissions(statements: PolicyStatement[]): Permission[] {
  const g = publicUrlGrants(statements);
  const taken = new Set<string>();
  const out: Permission[] = [];
  if (!g.url) {
    const sid = publicUrlSid(statements, 'url', taken);
    taken.add(sid);
    out.push({ sid, action: 'lambda:InvokeFunctionUrl', principal: '*', functionUrlAuthType: 'NONE' });
  }
  if (!g.invoke) out.push({ sid: publicUrlSid(statements, 'invoke', taken), action: 'lambda:InvokeFunction', principal: '*', invokedViaFunctionUrl: true });
  return out;
}

/**
 * Adds the public permissions one after the other, each guarded by the policy's RevisionId as
 * read just before it (an AddPermission changes it). Returns the statement ids added.
 */
export async function addPublicPermissions(op: OperationContext, input: Pick<FixTriggerInput, 'functionName' | 'aliasName'>, revisionId: string | undefined, permissions: Permission[], stateIfFailed: string): Promise<string[]> {
  const added: string[] = [];
  let revision = revisionId;
  for (const p of permissions) {
    if (added.length) revision = (await step(op, `GetPolicy ${input.aliasName}`, stateIfFailed, () => readPolicy(op.lambda, input.functionName, input.aliasName, op.signal)))?.revisionId;
    await addOnAlias(op, input, revision, p, stateIfFailed);
    added.push(p.sid);
  }
  return added;
}

/** Adds `permission` on `input`'s alias (any function's), guarded by the alias policy's RevisionId; read back when the answer is lost. */
export async function addOnAlias(
  op: OperationContext,
  input: Pick<FixTriggerInput, 'functionName' | 'aliasName'>,
  revisionId: string | undefined,
  permission: Permission,
  stateIfFailed: string,
): Promise<void> {
  const fn = input.functionName;
  const alias = input.aliasName;
  const stepName = `AddPermission ${alias} ${permission.sid}`;
  await guardedWrite<unknown, { statements: PolicyStatement[] } | undefined>(op, {
    step: stepName,
    stateIfFailed,
    send: () =>
      op.lambda.send(
        new AddPermissionCommand({
          FunctionName: fn,
          Qualifier: alias,
          StatementId: permission.sid,
          Action: permission.action,
          Principal: permission.principal,
          ...(permission.sourceArn ? { SourceArn: permission.sourceArn } : {}),
          ...(permission.sourceAccount ? { SourceAccount: permission.sourceAccount } : {}),
          ...(permission.eventSourceToken ? { EventSourceToken: permission.eventSourceToken } : {}),
          ...(permission.principalOrgId ? { PrincipalOrgID: permission.principalOrgId } : {}),
          ...(permission.functionUrlAuthType ? { FunctionUrlAuthType: permission.functionUrlAuthType as 'NONE' | 'AWS_IAM' } : {}),
          ...(permission.invokedViaFunctionUrl ? { InvokedViaFunctionUrl: true } : {}),
          ...(revisionId ? { RevisionId: revisionId } : {}),
        }),
      ),
    readBack: () => readPolicy(op.lambda, fn, alias),
    landedNote: `${alias}'s policy reads back with statement ${permission.sid}: the permission was added`,
    judge: (now) => {
      const s = now?.statements.find((x) => x.sid === permission.sid);
      return s && s.actions.includes(permission.action) && (s.invokedViaFunctionUrl ?? false) === (permission.invokedViaFunctionUrl ?? false) ? { landed: true } : {};
    },
    unknown: (cause) =>
      unknownOutcome({
        step: stepName,
        subject: `${alias}'s policy`,
        cause,
        maybe: `${alias} may now have the permission ${permission.sid}, or not.`,
        check: `Refresh the triggers: a permission on ${alias} for the same source shows whether it landed; if not, run the fix again.`,
      }),
    refused: (name, cause, state) => {
      if (name === 'PreconditionFailedException') return conflict(`${alias}'s resource-based policy changed since it was read — refresh and retry.`, state, cause);
      if (name === 'ResourceConflictException') return conflict(`${alias}'s policy already has a statement ${permission.sid} — refresh and retry.`, state, cause);
      return undefined;
    },
  });
}

async function createUrlOnAlias(op: OperationContext, input: FixTriggerInput, alias: AliasConfiguration, qualifier: string): Promise<TriggerFixDetail> {
  const fn = input.functionName;
  const a = input.aliasName;
  if (qualifier === a) throw alreadyThrough(input);
  const [old, existing, aliasPolicy] = await Promise.all([
    step(op, `GetFunctionUrlConfig ${qualifier}`, NOTHING, () => getUrl(op.lambda, fn, qualifier, op.signal)),
    step(op, `GetFunctionUrlConfig ${a}`, NOTHING, () => getUrl(op.lambda, fn, a, op.signal)),
    step(op, `GetPolicy ${a}`, NOTHING, () => readPolicy(op.lambda, fn, a, op.signal)),
  ]);
  if (!old) throw gone(input, `The function URL of ${routeText(routeOfQualifier(qualifier))}`);
  const beforeView = viewOf(fn, alias, { urls: existing ? [old, existing] : [old], policies: { [a]: aliasPolicy?.statements ?? [] } }, `url:${qualifier}`)!;
  checkExpected(input, beforeView);
  const other = onOtherAlias(input, beforeView.route);
  if (other) throw other;
  const authType = old.AuthType ?? 'AWS_IAM';
  const followUp = (url: string) => [
    `Callers of ${old.FunctionUrl} must move to ${url}: the old URL stays and still calls ${routeText(routeOfQualifier(qualifier))}. Delete it once nothing calls it.`,
    // An IAM-authorised URL's callers are allowed by their own policies, which name the qualifier.
    ...(authType === 'AWS_IAM' ? [`Callers that sign with IAM need lambda:InvokeFunctionUrl on ${alias.AliasArn ?? a} in their own policies (and any statement of the old URL's policy granting it, copied to ${a}).`] : []),
  ];
  const statements = aliasPolicy?.statements ?? [];
  const permissions = authType === 'NONE' ? publicPermissions(statements) : [];
  const needsPublic = permissions.length > 0;
  const what = permissions.map((p) => p.action).join(' and ');

  if (existing) {
    if (existing.AuthType !== authType) {
      throw invalid(`${a} already has a URL (${existing.FunctionUrl}) with auth ${existing.AuthType}, not ${authType}: change its auth type, or move the callers to it yourself.`);
    }
    const detail: TriggerFixDetail = {
      triggerId: input.triggerId,
      action: 'create-url-on-alias',
      alias: a,
      before: beforeView,
      after: viewOf(fn, alias, { urls: [existing], policies: { [a]: statements } }),
      undo: {},
      followUp: followUp(existing.FunctionUrl ?? ''),
    };
    if (!needsPublic) {
      throw new OperationError(`${a} already has its own URL, ${existing.FunctionUrl}: move the callers of ${old.FunctionUrl} to it.`, { state: NOTHING, kind: 'validation', nothingToDo: true, detail });
    }
    requireOffered(input, beforeView, 'create-url-on-alias');
    // A URL with auth NONE on the alias that answers 403 (an earlier run whose permission did not
    // land, or a closed URL): the fix makes it public, as its text says. The URL is not the fix's,
    // so an undo removes only the permissions.
    op.progress?.(`Adding ${what} for everyone to ${a}'s existing URL ${existing.FunctionUrl}…`);
    const added = await addPublicPermissions(op, input, aliasPolicy?.revisionId, permissions, `${a}'s URL answers 403 Forbidden until it has the public invoke permissions; nothing was changed.`);
    const policy = await readPolicy(op.lambda, fn, a).catch(() => undefined);
    return {
      ...detail,
      after: viewOf(fn, alias, { urls: [existing], policies: { [a]: policy?.statements ?? [] } }),
      undo: { statementId: added[0], statementIds: added.join(','), qualifier: a },
    };
  }

  requireOffered(input, beforeView, 'create-url-on-alias');
  const stepName = `CreateFunctionUrlConfig ${a}`;
  op.progress?.(`Creating a function URL on ${a}…`);
  const created = await guardedWrite<UrlConfig, FunctionUrlConfig | undefined>(op, {
    step: stepName,
    stateIfFailed: `${a} has no URL; the old URL is as it was.`,
    send: () =>
      op.lambda.send(
        new CreateFunctionUrlConfigCommand({
          FunctionName: fn,
          Qualifier: a,
          AuthType: authType,
          ...(old.Cors ? { Cors: old.Cors } : {}),
          ...(old.InvokeMode ? { InvokeMode: old.InvokeMode } : {}),
        }),
      ),
    readBack: () => getUrl(op.lambda, fn, a),
    landedNote: `${a} reads back with a URL: it was created`,
    judge: (now, cause) => {
      if (!now) return {};
      if (now.AuthType === authType) return { landed: now };
      throw conflict(`${a} got a URL with auth ${now.AuthType} from another client meanwhile — refresh and look.`, `${a} has the URL ${now.FunctionUrl}; the old URL is as it was.`, cause);
    },
    unknown: (cause) =>
      unknownOutcome({
        step: stepName,
        subject: `${a}'s URL`,
        cause,
        maybe: `${a} may now have a URL, or not; the old URL is as it was.`,
        check: `Refresh the triggers: if ${a} shows a URL, run Create URL on Alias again to finish it; if not, run it again to create one.`,
      }),
    refused: (name, cause, state) => (name === 'ResourceConflictException' ? conflict(`${a} got a URL meanwhile — refresh and look.`, state, cause) : undefined),
  });
  const url = created.FunctionUrl ?? '';
  const undo: Record<string, string> = { urlQualifier: a, url };
  const extra: string[] = [];
  if (needsPublic) {
    const added: string[] = [];
    try {
      added.push(...(await addPublicPermissions(op, input, aliasPolicy?.revisionId, permissions, `The URL ${url} was created on ${a} but answers 403 Forbidden until it has the public invoke permissions.`)));
    } catch (err) {
      // The URL exists and is the fix's main part; said, not undone.
      const warning = `The URL ${url} was created on ${a}, but its public invoke permissions could not all be added (${err instanceof Error ? err.message : String(err)}): it answers 403 Forbidden until it has them.`;
      op.log.warn(warning);
      op.record?.warnings.push(warning);
      extra.push(`Run Create URL on Alias again to add the public invoke permissions on ${a} (lambda:InvokeFunctionUrl with FunctionUrlAuthType NONE, and lambda:InvokeFunction with InvokedViaFunctionUrl).`);
    }
    if (added.length) {
      undo.statementId = added[0];
      undo.statementIds = added.join(',');
      undo.qualifier = a;
    }
  }
  const policy = needsPublic ? await step(op, `GetPolicy ${a}`, `The URL ${url} was created on ${a}.`, () => readPolicy(op.lambda, fn, a)).catch(() => undefined) : aliasPolicy;
  return {
    triggerId: input.triggerId,
    action: 'create-url-on-alias',
    alias: a,
    before: beforeView,
    after: viewOf(fn, alias, { urls: [created], policies: { [a]: policy?.statements ?? [] } }),
    undo,
    followUp: [...extra, ...followUp(url)],
  };
}

// ---- Grant on Alias ----------------------------------------------------------------------

/** A statement id for the copy on the alias: the old one's with the alias's name, unique in the alias's policy. */
export function copySid(sid: string, alias: string, taken: Set<string>): string {
  const base = `${sid}-${alias}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 90);
  if (!taken.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}-${i}`)) i++;
  return `${base}-${i}`;
}

/** What the user must still do after a grant: point the source at the alias, then remove the old statement. */
export function grantFollowUp(s: PolicyStatement, aliasArn: string, oldWhere: string, region: string, then?: string): string[] {
  const label = statementLabel(s);
  const remove = then ?? `then remove statement ${s.sid} from ${oldWhere}.`;
  switch (s.principal) {
    case 's3.amazonaws.com':
      return [`Point the event notification of ${label} at ${aliasArn}, ${remove}`];
    case 'sns.amazonaws.com':
      return [`Subscribe ${aliasArn} to ${label} in place of the current subscription, ${remove}`];
    case 'events.amazonaws.com':
      return [`Change the target of ${label} to ${aliasArn}, ${remove}`];
    case 'apigateway.amazonaws.com': {
      const api = parseApiSource(s.sourceArn);
      return [`Set the integration URI of ${label} to ${integrationUri(api?.region || region, aliasArn)} (an HTTP API also accepts the alias ARN itself), ${remove}`];
    }
    default:
      return [`Point ${label} at ${aliasArn}, ${remove}`];
  }
}

async function grantOnAlias(op: OperationContext, input: FixTriggerInput, alias: AliasConfiguration, aliasArn: string, qualifier: string, sid: string): Promise<TriggerFixDetail> {
  const fn = input.functionName;
  const a = input.aliasName;
  if (qualifier === a) throw alreadyThrough(input);
  const [oldPolicy, aliasPolicy] = await Promise.all([
    step(op, `GetPolicy ${qualifier}`, NOTHING, () => readPolicy(op.lambda, fn, qualifier, op.signal)),
    step(op, `GetPolicy ${a}`, NOTHING, () => readPolicy(op.lambda, fn, a, op.signal)),
  ]);
  const s = oldPolicy?.statements.find((x) => x.sid === sid);
  if (!s) throw gone(input, `Statement ${sid} of ${routeText(routeOfQualifier(qualifier))}'s policy`);
  if (isUrlStatement(s)) throw invalid(`Statement ${sid} lets callers use a function URL: use Create URL on Alias on that URL instead.`);
  const beforeView = viewOf(fn, alias, { policies: { [qualifier]: [s], [a]: aliasPolicy?.statements ?? [] } }, input.triggerId)!;
  checkExpected(input, beforeView);
  const other = onOtherAlias(input, beforeView.route);
  if (other) throw other;
  if (s.effect !== 'Allow') throw invalid(`Statement ${sid} denies rather than grants: there is nothing to grant on ${a}.`);
  if (isUrlStatement(s)) throw invalid(`Statement ${sid} lets callers use a function URL: use Create URL on Alias on that URL instead.`);
  if (s.actions.length !== 1) throw invalid(`Statement ${sid} grants ${s.actions.length} actions; AddPermission copies one: add it on ${a} by hand.`);
  if (s.otherConditions.length) throw invalid(`Statement ${sid} has conditions AddPermission cannot set (${s.otherConditions.join(', ')}): add it on ${a} by hand.`);
  const region = alias.AliasArn?.split(':')[3] ?? '';
  const oldWhere = routeText(routeOfQualifier(qualifier));
  const followUp = grantFollowUp(s, aliasArn, oldWhere, region);
  const existing = aliasPolicy?.statements.find((x) => sameGrant(x, s));
  if (existing) {
    const detail: TriggerFixDetail = { triggerId: input.triggerId, action: 'grant-on-alias', alias: a, before: beforeView, after: viewOf(fn, alias, { policies: { [a]: [existing] } }), undo: {}, followUp };
    throw new OperationError(`${a} already grants this (statement ${existing.sid}).`, { state: NOTHING, kind: 'validation', nothingToDo: true, detail });
  }
  requireOffered(input, beforeView, 'grant-on-alias');
  const newSid = copySid(sid, a, new Set((aliasPolicy?.statements ?? []).map((x) => x.sid)));
  op.progress?.(`Granting ${beforeView.label} on ${a}…`);
  await addOnAlias(
    op,
    input,
    aliasPolicy?.revisionId,
    {
      sid: newSid,
      action: s.actions[0],
      principal: addPermissionPrincipal(s.principal),
      sourceArn: s.sourceArn,
      sourceAccount: s.sourceAccount,
      eventSourceToken: s.eventSourceToken,
      principalOrgId: s.principalOrgId,
      functionUrlAuthType: s.functionUrlAuthType,
    },
    `${a} has no such permission; statement ${sid} is as it was.`,
  );
  let after: TriggerView | undefined;
  try {
    const now = await step(op, `GetPolicy ${a}`, `The permission ${newSid} was added on ${a}.`, () => readPolicy(op.lambda, fn, a));
    const added = now?.statements.find((x) => x.sid === newSid);
    if (added) after = viewOf(fn, alias, { policies: { [a]: [added] } });
  } catch {
    op.record?.warnings.push(`${a}'s policy could not be read back after the grant; AddPermission answered that it was added.`);
  }
  return { triggerId: input.triggerId, action: 'grant-on-alias', alias: a, before: beforeView, ...(after ? { after } : {}), undo: { statementId: newSid, qualifier: a }, followUp };
}

// ---- the use cases -----------------------------------------------------------------------

export function fixTrigger(ctx: UseCaseContext, input: FixTriggerInput): Promise<Outcome<TriggerFixDetail>> {
  return runUseCase(ctx, 'trigger-fix', input, async (op) => {
    const id = parseTriggerId(input.triggerId);
    if (!id) throw invalid(`'${input.triggerId}' is not a trigger id (esm:<UUID>, url:<qualifier>, policy:<qualifier>:<statement id>).`);
    if (id.kind === 'async') throw invalid(`${input.triggerId} is an asynchronous invoke configuration: it sends no events of its own, so there is nothing to route; configure ${input.aliasName}'s own settings instead.`);
    if (/^[0-9]+$/.test(input.aliasName) || input.aliasName === '$LATEST') throw invalid(`'${input.aliasName}' is not an alias: a fix moves a trigger onto an alias.`);
    const bad = badInput(input.functionName, input.aliasName);
    if (bad) throw invalid(bad);
    const alias = await loadAlias(op, { functionName: input.functionName, aliasName: input.aliasName });
    const aliasArn = alias.AliasArn;
    if (!aliasArn) throw new OperationError(`${input.aliasName} was read without its ARN: the trigger cannot be pointed at it.`, { state: NOTHING });
    switch (id.kind) {
      case 'esm':
        return routeThroughAlias(op, input, alias, aliasArn, id.uuid);
      case 'url':
        return createUrlOnAlias(op, input, alias, id.qualifier);
      case 'policy':
        return grantOnAlias(op, input, alias, aliasArn, id.qualifier, id.sid);
    }
  });
}

export interface UndoTriggerFixInput {
  functionName: string;
  aliasName: string;
  /** The fix's outcome detail, from the journal. */
  detail: TriggerFixDetail;
}

/**
 * Undoes a fix: a moved mapping is moved back (refused when it no longer calls the alias); a URL or
 * permission the fix created on the alias is removed. Journalled as 'trigger-fix' with the undo's detail.
 */
/** How long an undo waits for a mapping still changing (from the fix itself) to settle, and how often it looks. */
export const UNDO_SETTLE_MS = 60_000;
export const UNDO_SETTLE_POLL_MS = 500;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function undoTriggerFix(ctx: UseCaseContext, input: UndoTriggerFixInput): Promise<Outcome<TriggerFixDetail>> {
  return runUseCase(ctx, 'trigger-fix', input, async (op) => {
    const d = input.detail;
    const fn = input.functionName;
    const a = input.aliasName;
    const bad = badInput(fn, a);
    if (bad) throw invalid(bad);
    if (d.alias !== a) throw invalid(`This fix moved ${d.triggerId} onto ${d.alias}, not ${a}.`);
    const alias = await loadAlias(op, { functionName: fn, aliasName: a });
    const undone: TriggerFixDetail = { ...d, undo: {}, followUp: [] };
    if (d.action === 'route-through-alias') {
      const uuid = d.undo.mapping;
      const back = d.undo.functionArn;
      if (!uuid || !back) throw invalid('This fix left nothing to undo.');
      const read = async (): Promise<EventSourceMappingConfiguration> => {
        try {
          return await step(op, `GetEventSourceMapping ${uuid}`, NOTHING, () => getMapping(op.lambda, uuid, op.signal));
        } catch (err) {
          if (causeName(err) === 'ResourceNotFoundException') throw conflict(`Event source mapping ${uuid} no longer exists: there is nothing to move back.`);
          throw err;
        }
      };
      let now = await read();
      const aliasArn = alias.AliasArn ?? fn;
      // An undo right after the fix finds the mapping still Updating: it waits for it to settle
      // (Lambda refuses an update meanwhile), up to a minute, then says so.
      const settleBy = Date.now() + UNDO_SETTLE_MS;
      while (now.State && TRANSITION_STATES.has(now.State) && callsAlias(now.FunctionArn, fn, aliasArn, a) && Date.now() < settleBy) {
        op.progress?.(`Event source mapping ${uuid} is ${now.State}: waiting for it to settle…`);
        await abortableSleep(UNDO_SETTLE_POLL_MS, op.signal);
        now = await read();
      }
      if (!callsAlias(now.FunctionArn, fn, aliasArn, a)) throw conflict(`Event source mapping ${uuid} no longer calls ${a} (it calls ${now.FunctionArn}): not moving it back.`);
      if (now.State && TRANSITION_STATES.has(now.State)) throw conflict(`Event source mapping ${uuid} is still ${now.State} after a minute: wait until it is Enabled or Disabled, then retry.`);
      const stepName = `UpdateEventSourceMapping ${uuid}`;
      const moved = await guardedWrite<EventSourceMappingConfiguration, EventSourceMappingConfiguration>(op, {
        step: stepName,
        stateIfFailed: `The mapping still calls ${a}; nothing was changed.`,
        send: () => op.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FunctionName: back })),
        readBack: () => getMapping(op.lambda, uuid),
        judge: (r, cause) => {
          if (r.FunctionArn === back) return { landed: r };
          if (r.State && TRANSITION_STATES.has(r.State)) throw mappingInTransition(uuid, r.State, back, a, stepName, cause);
          if (callsAlias(r.FunctionArn, fn, aliasArn, a)) return {};
          throw conflict(`Event source mapping ${uuid} was changed by another client meanwhile — refresh and look.`, `It calls ${r.FunctionArn}.`);
        },
        unknown: (cause) => unknownOutcome({ step: stepName, subject: `mapping ${uuid}`, cause, maybe: `The mapping may call ${back} again, or still ${a}.`, check: 'Refresh the triggers to see which.' }),
        refused: (name, cause, state) => (name === 'ResourceInUseException' ? conflict(`Event source mapping ${uuid} is being changed right now: retry in a moment.`, state, cause) : undefined),
      });
      return { ...undone, after: viewOf(fn, alias, { mappings: [moved] }) };
    }
    const sids = (d.undo.statementIds ?? d.undo.statementId ?? '').split(',').filter(Boolean);
    const deletesUrl = d.action === 'create-url-on-alias' && Boolean(d.undo.urlQualifier && d.undo.url);
    if (!deletesUrl && !sids.length) throw invalid('This fix created nothing, so there is nothing to undo.');
    if (deletesUrl) {
      // Only the URL the fix created, by its address: a URL the alias had before (or got since) is not the fix's.
      const url = await step(op, `GetFunctionUrlConfig ${a}`, NOTHING, () => getUrl(op.lambda, fn, a, op.signal));
      if (url && url.FunctionUrl !== d.undo.url) throw conflict(`${a}'s URL is ${url.FunctionUrl}, not the ${d.undo.url} the fix created: not deleting it.`);
      if (url) await deleteUrl(op, fn, a, url.FunctionUrl);
    }
    if (sids.length && d.undo.qualifier) {
      const qualifier = d.undo.qualifier;
      for (const sid of sids) {
        const policy = await step(op, `GetPolicy ${qualifier}`, NOTHING, () => readPolicy(op.lambda, fn, qualifier, op.signal));
        if (!policy?.statements.some((s) => s.sid === sid)) continue;
        await removeStatement(op, fn, qualifier, sid, policy.revisionId);
      }
    }
    return { ...undone, after: undefined };
  });
}

/** Deletes `qualifier`'s function URL of `fn`, guarded by a read-back when the answer is lost (a retry finding none: deleted). */
export async function deleteUrl(op: OperationContext, fn: string, qualifier: string, address?: string): Promise<void> {
  const a = qualifier;
  await guardedWrite<unknown, FunctionUrlConfig | undefined>(op, {
    step: `DeleteFunctionUrlConfig ${a}`,
    stateIfFailed: `${a}'s URL${address ? ` ${address}` : ''} is as it was.`,
    send: () => op.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: fn, ...q(a) })),
    readBack: () => getUrl(op.lambda, fn, a),
    judge: (r) => (r ? {} : { landed: true }),
    unknown: (cause) => unknownOutcome({ step: `DeleteFunctionUrlConfig ${a}`, subject: `${a}'s URL`, cause, maybe: `${a}'s URL may be deleted, or not.`, check: 'Refresh the triggers to see which.' }),
    // A retry whose first attempt deleted it finds nothing to delete.
    retryRefusals: ['ResourceNotFoundException'],
  });
}

/** Removes statement `sid` from `qualifier`'s policy of `fn`, guarded by the policy's RevisionId. */
export async function removeStatement(op: OperationContext, fn: string, qualifier: string, sid: string, revisionId: string | undefined): Promise<void> {
  await guardedWrite<unknown, { statements: PolicyStatement[] } | undefined>(op, {
    step: `RemovePermission ${qualifier} ${sid}`,
    stateIfFailed: `Statement ${sid} is still on ${qualifier}.`,
    send: () => op.lambda.send(new RemovePermissionCommand({ FunctionName: fn, ...q(qualifier), StatementId: sid, ...(revisionId ? { RevisionId: revisionId } : {}) })),
    readBack: () => readPolicy(op.lambda, fn, qualifier),
    judge: (r) => (r?.statements.some((s) => s.sid === sid) ? {} : { landed: true }),
    unknown: (cause) => unknownOutcome({ step: `RemovePermission ${qualifier} ${sid}`, subject: `${qualifier}'s policy`, cause, maybe: `Statement ${sid} may be removed, or not.`, check: 'Refresh the triggers to see which.' }),
    refused: (name, cause, state) => (name === 'PreconditionFailedException' ? conflict(`${qualifier}'s policy changed since it was read — retry.`, state, cause) : undefined),
    // A retry whose first attempt removed it finds no such statement.
    retryRefusals: ['ResourceNotFoundException'],
  });
}
