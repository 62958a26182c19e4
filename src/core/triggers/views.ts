import type { AliasConfiguration, EventSourceMappingConfiguration, FunctionEventInvokeConfig, FunctionUrlConfig } from '@aws-sdk/client-lambda';
import type { TriggerAudit, TriggerFix, TriggerRoute, TriggerView } from '../../shared/triggers';
import { classifyTarget, parseFunctionRef, qualifierOf, routeOfQualifier, routeText, unqualifiedArn, verdictOf, verdictText } from './classify';
import type { PolicyStatement } from './policy';
import { grantsPublicUrl, isInvokeStatement, isUrlStatement, publicUrlGrants, sameGrant } from './policy';
import { accountPrincipalLabel, apiLabel, arnLabel, isServicePrincipal, parseApiSource, parseArn, serviceName } from './sources';

/**
 * Lambda's answers about a function's triggers, turned into TriggerViews judged against an alias.
 * Pure: src/core/triggers/read.ts gathers these facts.
 */

/** A function URL as List/Get/CreateFunctionUrlConfig answer it. */
export type UrlConfig = Pick<FunctionUrlConfig, 'FunctionUrl' | 'FunctionArn' | 'AuthType' | 'Cors' | 'InvokeMode'>;

export interface TriggerFacts {
  functionName: string;
  /** The alias the verdicts are relative to. */
  aliasName?: string;
  aliases: AliasConfiguration[];
  mappings: EventSourceMappingConfiguration[];
  urls: UrlConfig[];
  /** Qualifier (`$LATEST` for the unqualified function) → its policy's statements; absent: no policy, or not read. */
  policies: Record<string, PolicyStatement[]>;
  asyncConfigs: FunctionEventInvokeConfig[];
  unreadable: string[];
}

/** A mapping is in one of these while Lambda changes it: it cannot be updated then (ResourceInUseException). */
export const TRANSITION_STATES: ReadonlySet<string> = new Set(['Creating', 'Enabling', 'Disabling', 'Updating', 'Deleting']);

interface ViewContext {
  functionName: string;
  aliasName?: string;
  /** The alias a fix moves a trigger onto: the audited one, or the function's only alias. */
  fixAlias?: string;
  aliasArns: Record<string, string>;
  policies: Record<string, PolicyStatement[]>;
  /** Qualifier → its URL. */
  urls: Record<string, UrlConfig>;
}

function base(ctx: ViewContext, target: string, route?: TriggerRoute): Pick<TriggerView, 'target' | 'route' | 'verdict' | 'detail'> {
  const r = route ?? classifyTarget(target, ctx.functionName);
  return { target, route: r, verdict: verdictOf(r, ctx.aliasName), detail: verdictText(r, ctx.aliasName) };
}

/**
 * A fix is offered for a trigger that bypasses every alias ($LATEST or a version): one on another
 * alias is that alias's traffic, not a bypass, and is left where it is.
 */
function needsFix(ctx: ViewContext, route: TriggerRoute): ctx is ViewContext & { fixAlias: string } {
  return ctx.fixAlias !== undefined && route.kind !== 'alias';
}

function mappingLabel(m: EventSourceMappingConfiguration): string {
  const fromArn = arnLabel(m.EventSourceArn);
  if (fromArn) return fromArn;
  const brokers = m.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS;
  if (brokers?.length) {
    const topics = m.Topics?.length ? ` ${m.Topics.length === 1 ? 'topic' : 'topics'} ${m.Topics.join(', ')}` : '';
    return `Kafka${topics} (self-managed, ${brokers.join(', ')})`;
  }
  return m.EventSourceArn ? `Event source ${m.EventSourceArn}` : 'Event source mapping';
}

export function mappingView(m: EventSourceMappingConfiguration, ctx: ViewContext): TriggerView {
  const b = base(ctx, m.FunctionArn ?? '');
  const notes: string[] = [];
  if (m.Topics?.length && arnLabel(m.EventSourceArn)) notes.push(`${m.Topics.length === 1 ? 'Topic' : 'Topics'}: ${m.Topics.join(', ')}.`);
  if (m.Queues?.length) notes.push(`${m.Queues.length === 1 ? 'Queue' : 'Queues'}: ${m.Queues.join(', ')}.`);
  const filters = m.FilterCriteria?.Filters?.length ?? 0;
  if (filters) notes.push(`Filtered: ${filters} ${filters === 1 ? 'pattern' : 'patterns'} decide which events reach the function.`);
  const onFailure = m.DestinationConfig?.OnFailure?.Destination;
  if (onFailure) notes.push(`On failure: ${arnLabel(onFailure) ?? onFailure}.`);
  if (m.State && TRANSITION_STATES.has(m.State)) notes.push(`${m.State}: wait until it is Enabled or Disabled before moving it.`);
  const view: TriggerView = {
    id: `esm:${m.UUID ?? ''}`,
    kind: 'event-source-mapping',
    label: mappingLabel(m),
    ...(m.EventSourceArn ? { source: m.EventSourceArn } : {}),
    ...b,
    ...(m.State ? { state: m.State } : {}),
    notes,
  };
  if (needsFix(ctx, b.route)) {
    view.fix = {
      action: 'route-through-alias',
      alias: ctx.fixAlias,
      text: `Moves this mapping onto ${ctx.fixAlias} with one UpdateEventSourceMapping: it keeps its place in the queue or stream (nothing is skipped or replayed), and batches already sent to ${routeText(b.route)} finish there.`,
    };
  }
  return view;
}

export function urlView(u: UrlConfig, ctx: ViewContext): TriggerView {
  const route = routeOfQualifier(parseFunctionRef(u.FunctionArn ?? '')?.qualifier);
  const b = base(ctx, u.FunctionArn ?? '', route);
  const q = qualifierOf(route);
  const notes: string[] = [];
  if (u.AuthType === 'NONE') {
    const g = publicUrlGrants(ctx.policies[q] ?? []);
    const missing = [
      ...(g.url ? [] : ['lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE)']),
      ...(g.invoke ? [] : ['lambda:InvokeFunction (InvokedViaFunctionUrl true)']),
    ];
    if (missing.length) {
      notes.push(`No public ${missing.join(' or ')} permission on ${routeText(route)}: a URL with auth NONE needs both (lambda:InvokeFunction since October 2025), so this URL answers 403 Forbidden to everyone.`);
    }
  }
  if (u.InvokeMode === 'RESPONSE_STREAM') notes.push('Streams its responses (InvokeMode RESPONSE_STREAM).');
  if (u.Cors?.AllowOrigins?.length) notes.push(`CORS origins: ${u.Cors.AllowOrigins.join(', ')}.`);
  const view: TriggerView = {
    id: `url:${q}`,
    kind: 'function-url',
    label: `Function URL (auth ${u.AuthType ?? '?'})`,
    ...(u.FunctionUrl ? { source: u.FunctionUrl } : {}),
    ...b,
    ...(u.AuthType ? { state: u.AuthType } : {}),
    notes,
  };
  if (needsFix(ctx, route)) {
    const existing = ctx.urls[ctx.fixAlias];
    const closed = existing && existing.AuthType === 'NONE' && u.AuthType === 'NONE' && !grantsPublicUrl(ctx.policies[ctx.fixAlias] ?? []);
    if (existing && closed) {
      view.fix = {
        action: 'create-url-on-alias',
        alias: ctx.fixAlias,
        text: `${ctx.fixAlias} already has a URL with auth NONE, ${existing.FunctionUrl ?? '?'}, which answers 403 Forbidden: adds the public invoke permissions to it (lambda:InvokeFunctionUrl and lambda:InvokeFunction via the URL), which makes that URL public; this URL stays, and its callers must move to that one.`,
      };
    } else if (existing) {
      notes.push(`${ctx.fixAlias} has its own URL, ${existing.FunctionUrl ?? '?'}: callers of this one should move to it.`);
    } else {
      view.fix = {
        action: 'create-url-on-alias',
        alias: ctx.fixAlias,
        text: `Creates a URL on ${ctx.fixAlias} with the same auth type and CORS${u.AuthType === 'NONE' ? `, and the public invoke permissions on ${ctx.fixAlias} (lambda:InvokeFunctionUrl and lambda:InvokeFunction via the URL)` : ''}; this URL stays, and its callers must move to the new one.`,
      };
    }
  }
  return view;
}

/** What sends a permission's events, in words. */
export function statementLabel(s: PolicyStatement): string {
  if (isServicePrincipal(s.principal)) {
    const fromSource = arnLabel(s.sourceArn);
    if (fromSource) return fromSource;
    const svc = serviceName(s.principal);
    return s.sourceArn ? `${svc} (${s.sourceArn})` : `${svc} (any source: no SourceArn condition)`;
  }
  const who = accountPrincipalLabel(s.principal);
  const fromSource = arnLabel(s.sourceArn);
  return fromSource ? `${who}, from ${fromSource}` : who;
}

/** The integration URI an API Gateway Lambda integration calls a function (or alias) ARN with. */
export function integrationUri(region: string, functionArn: string): string {
  const partition = parseFunctionRef(functionArn)?.partition ?? 'aws';
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

export function statementView(s: PolicyStatement, qualifier: string, ctx: ViewContext): TriggerView {
  const route = routeOfQualifier(qualifier === '$LATEST' ? undefined : qualifier);
  const b = base(ctx, s.resource, route);
  const notes: string[] = [];
  const view: TriggerView = {
    id: `policy:${qualifier}:${s.sid}`,
    kind: 'permission',
    label: statementLabel(s),
    ...(s.sourceArn ? { source: s.sourceArn } : {}),
    principal: s.principal,
    ...b,
    notes,
  };
  if (s.effect === 'Deny') {
    return { ...view, state: 'Deny', verdict: 'info', detail: `Denies ${s.actions.join(', ')} on ${routeText(route)}.`, notes };
  }
  if (!isInvokeStatement(s)) {
    // lambda:GetFunction and the like: access to the function, not a source of events.
    return { ...view, verdict: 'info', detail: `Allows ${s.actions.join(', ') || 'no action'} on ${routeText(route)}: not an invocation, so it sends no traffic.`, notes };
  }
  if (s.sourceAccount) notes.push(`Only from account ${s.sourceAccount}.`);
  if (s.otherConditions.length) notes.push(`Further conditions (${s.otherConditions.join(', ')}) are not copied by Grant on Alias: add them by hand.`);
  if (!needsFix(ctx, route)) return view;
  const onAlias = (ctx.policies[ctx.fixAlias] ?? []).find((o) => sameGrant(o, s));
  const aliasArn = ctx.aliasArns[ctx.fixAlias];
  const api = s.principal === 'apigateway.amazonaws.com' ? parseApiSource(s.sourceArn) : undefined;
  if (api && aliasArn) {
    const region = api.region || parseFunctionRef(aliasArn)?.region || '<region>';
    const change = `set the integration URI of ${apiLabel(api)} to ${integrationUri(region, aliasArn)} (an HTTP API also accepts the alias ARN itself), then remove this statement.`;
    // The permission first: an integration pointed at the alias before it may call it fails every request.
    notes.push(`To route it through ${ctx.fixAlias}: ${onAlias ? change : `Grant on Alias, then ${change}`}`);
  }
  if (onAlias) {
    notes.push(`${ctx.fixAlias} already grants this (statement ${onAlias.sid}): once the source calls ${aliasArn ?? ctx.fixAlias}, remove this statement.`);
    return view;
  }
  view.fix = {
    action: 'grant-on-alias',
    alias: ctx.fixAlias,
    text: `Adds the same permission on ${ctx.fixAlias} (this one stays), so that the source can be pointed at ${ctx.fixAlias}'s ARN.`,
  } satisfies TriggerFix;
  return view;
}

function destination(d: string | undefined): string | undefined {
  if (!d) return undefined;
  return arnLabel(d) ?? d;
}

export function asyncView(c: FunctionEventInvokeConfig, ctx: ViewContext): TriggerView {
  const route = routeOfQualifier(parseFunctionRef(c.FunctionArn ?? '')?.qualifier);
  const q = qualifierOf(route);
  const notes: string[] = [];
  const ok = destination(c.DestinationConfig?.OnSuccess?.Destination);
  const failed = destination(c.DestinationConfig?.OnFailure?.Destination);
  if (ok) notes.push(`On success: ${ok}.`);
  if (failed) notes.push(`On failure: ${failed}.`);
  if (c.MaximumRetryAttempts !== undefined) notes.push(`Retries: ${c.MaximumRetryAttempts}.`);
  if (c.MaximumEventAgeInSeconds !== undefined) notes.push(`Maximum event age: ${c.MaximumEventAgeInSeconds} s.`);
  const isAlias = route.kind === 'alias';
  // Settings of asynchronous invocations: they route nothing, wherever they are.
  const verdict = 'info';
  const where = routeText(route);
  const detail = isAlias
    ? `Retries and destinations of asynchronous invocations through ${where}.`
    : `Applies only to asynchronous invocations of ${where}${ctx.aliasName ? `: events sent through ${ctx.aliasName} get ${ctx.aliasName}'s own settings, not these` : ''}.`;
  return {
    id: `async:${q}`,
    kind: 'event-invoke-config',
    label: `Asynchronous invocation settings (${where})`,
    ...(failed || ok ? { source: c.DestinationConfig?.OnFailure?.Destination ?? c.DestinationConfig?.OnSuccess?.Destination } : {}),
    target: c.FunctionArn ?? '',
    route,
    verdict,
    detail,
    notes,
  };
}

const KIND_ORDER: Record<TriggerView['kind'], number> = { 'event-source-mapping': 0, 'function-url': 1, permission: 2, 'event-invoke-config': 3 };

/** The audit: every trigger of the function, judged against `facts.aliasName`. */
export function buildAudit(facts: TriggerFacts): TriggerAudit {
  const aliasArns: Record<string, string> = {};
  for (const a of facts.aliases) if (a.Name && a.AliasArn) aliasArns[a.Name] = a.AliasArn;
  const aliasNames = facts.aliases.map((a) => a.Name ?? '').filter(Boolean);
  const fixAlias = facts.aliasName ?? (aliasNames.length === 1 ? aliasNames[0] : undefined);
  const urls: Record<string, UrlConfig> = {};
  for (const u of facts.urls) urls[qualifierOf(routeOfQualifier(parseFunctionRef(u.FunctionArn ?? '')?.qualifier))] = u;
  const ctx: ViewContext = { functionName: facts.functionName, aliasName: facts.aliasName, fixAlias, aliasArns, policies: facts.policies, urls };
  const seen = new Set<string>();
  const triggers: TriggerView[] = [];
  for (const m of facts.mappings) {
    if (!m.UUID || seen.has(m.UUID)) continue;
    seen.add(m.UUID);
    triggers.push(mappingView(m, ctx));
  }
  const urlSeen = new Set<string>();
  for (const u of facts.urls) {
    const v = urlView(u, ctx);
    if (urlSeen.has(v.id)) continue;
    urlSeen.add(v.id);
    triggers.push(v);
  }
  for (const [q, statements] of Object.entries(facts.policies)) {
    for (const s of statements) if (!isUrlStatement(s)) triggers.push(statementView(s, q, ctx));
  }
  const asyncSeen = new Set<string>();
  for (const c of facts.asyncConfigs) {
    const v = asyncView(c, ctx);
    if (asyncSeen.has(v.id)) continue;
    asyncSeen.add(v.id);
    triggers.push(v);
  }
  triggers.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
  const anyArn = facts.aliases.find((a) => a.AliasArn)?.AliasArn ?? triggers.find((t) => parseArn(t.target))?.target;
  const functionArn = anyArn ? unqualifiedArn(anyArn) : undefined;
  return {
    functionName: facts.functionName,
    ...(functionArn ? { functionArn } : {}),
    ...(facts.aliasName !== undefined ? { aliasName: facts.aliasName } : {}),
    aliases: aliasNames,
    triggers,
    unreadable: facts.unreadable,
  };
}
