import type { AliasConfiguration, EventSourceMappingConfiguration, FunctionEventInvokeConfig, FunctionUrlConfig } from '@aws-sdk/client-lambda';
import { GetPolicyCommand, ListEventSourceMappingsCommand, ListFunctionEventInvokeConfigsCommand, ListFunctionUrlConfigsCommand } from '@aws-sdk/client-lambda';
import { errorSummary, isCancelled, OperationError } from '../errors';
import { step } from '../guardedWrite';
import type { LambdaSend } from '../lambdaApi';
import { allPages, errorName, listAliases, listVersions } from '../lambdaApi';
import { mapLimit } from '../mapLimit';
import type { OperationContext } from '../operationContext';
import { parseFunctionRef } from './classify';
import type { PolicyStatement } from './policy';
import { parsePolicy } from './policy';
import type { TriggerFacts } from './views';

/**
 * Gathers what Lambda says about a function's triggers: ListAliases, then event source mappings
 * and policies of the unqualified function, each alias and each version an alias routes, the
 * function URLs and the asynchronous invoke configurations; every list followed to its last page,
 * independent reads in parallel. A source that cannot be read is a line in `unreadable`.
 */

/** How many reads run at once: enough to overlap round trips, few enough not to be throttled. */
const PARALLEL = 6;

/** Published versions no alias routes whose mappings and policy are read: the newest ones. */
export const UNROUTED_VERSIONS_READ = 25;

/** One failed source, to be said once per IAM action with the qualifiers it failed for. */
interface Failure {
  action: string;
  what: string;
  error: string;
  qualifier?: string;
}

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/;

/** The lines `unreadable` holds: one per IAM action (and error), naming the action to grant. */
export function unreadableLines(failures: Failure[]): string[] {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.action}\u0000${f.error}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const fs of groups.values()) {
    const f = fs[0];
    const qualifiers = fs.map((x) => x.qualifier).filter((q): q is string => q !== undefined);
    const of = qualifiers.length ? ` of ${qualifiers.join(', ')}` : '';
    const op = f.action.replace(/^lambda:/, '');
    const one = f.what === 'resource-based policy' && qualifiers.length <= 1;
    const them = one ? 'it' : 'them';
    const what = f.what === 'resource-based policy' && !one ? 'resource-based policies' : f.what;
    if (ACCESS_DENIED.test(f.error)) lines.push(`The ${what}${of} could not be read (access denied): grant ${f.action} to see ${them}.`);
    else if (/UnknownOperation/.test(f.error)) lines.push(`This endpoint does not support ${op}: the ${what}${of} ${one ? 'is' : 'are'} not shown.`);
    else lines.push(`The ${what}${of} could not be read (${f.error}): ${one ? 'it is' : 'they are'} not shown; retry, or check ${f.action}.`);
  }
  return lines;
}

/**
 * A read's failure: rethrown when it is not about this source (cancelled, credentials, no
 * connection), else noted.
 */
function noteFailure(err: unknown, failure: Omit<Failure, 'error'>, failures: Failure[]): void {
  if (isCancelled(err)) throw err;
  const cause = err instanceof OperationError ? err.cause : err;
  if (err instanceof OperationError && (err.kind === 'credentials' || err.kind === 'network' || err.kind === 'cancelled')) throw err;
  failures.push({ ...failure, error: errorName(cause) || errorSummary(cause) });
}

export async function listMappings(ctx: OperationContext, functionName: string, label: string): Promise<EventSourceMappingConfiguration[]> {
  return step(ctx, `ListEventSourceMappings ${label}`, 'Nothing was changed.', () =>
    allPages(async (Marker) => {
      const page = await ctx.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker, MaxItems: 50 }), { abortSignal: ctx.signal });
      return [page.EventSourceMappings, page.NextMarker];
    }),
  );
}

export async function listUrls(ctx: OperationContext, functionName: string): Promise<FunctionUrlConfig[]> {
  return step(ctx, 'ListFunctionUrlConfigs', 'Nothing was changed.', () =>
    allPages(async (Marker) => {
      const page = await ctx.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: functionName, Marker, MaxItems: 50 }), { abortSignal: ctx.signal });
      return [page.FunctionUrlConfigs, page.NextMarker];
    }),
  );
}

async function listAsyncConfigs(ctx: OperationContext, functionName: string): Promise<FunctionEventInvokeConfig[]> {
  return step(ctx, 'ListFunctionEventInvokeConfigs', 'Nothing was changed.', () =>
    allPages(async (Marker) => {
      const page = await ctx.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: functionName, Marker, MaxItems: 50 }), { abortSignal: ctx.signal });
      return [page.FunctionEventInvokeConfigs, page.NextMarker];
    }),
  );
}

/** A qualifier's policy: its statements and RevisionId; undefined when it has none (ResourceNotFoundException). */
export async function readPolicy(
  lambda: LambdaSend,
  functionName: string,
  qualifier: string,
  signal?: AbortSignal,
): Promise<{ statements: PolicyStatement[]; revisionId?: string } | undefined> {
  try {
    const got = await lambda.send(new GetPolicyCommand({ FunctionName: functionName, ...(qualifier === '$LATEST' ? {} : { Qualifier: qualifier }) }), { abortSignal: signal });
    return { statements: got.Policy ? parsePolicy(got.Policy).statements : [], ...(got.RevisionId ? { revisionId: got.RevisionId } : {}) };
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** The function ARN qualified with `qualifier`, when the unqualified ARN is known; else `name:qualifier`. */
function qualified(functionName: string, functionArn: string | undefined, qualifier: string): string {
  if (qualifier === '$LATEST') return functionArn ?? functionName;
  return `${functionArn ?? parseFunctionRef(functionName)?.name ?? functionName}:${qualifier}`;
}

export interface GatheredFacts extends TriggerFacts {
  /** ListAliases answered (else `aliases` is empty because it could not be read). */
  aliasesRead: boolean;
}

export async function gatherTriggerFacts(ctx: OperationContext, input: { functionName: string; aliasName?: string }): Promise<GatheredFacts> {
  const fn = input.functionName;
  const failures: Failure[] = [];
  const guard = async <T>(run: () => Promise<T>, failure: Omit<Failure, 'error'>, fallback: T): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      noteFailure(err, failure, failures);
      return fallback;
    }
  };

  // Independent of the aliases: started at once.
  const urlsP = guard(() => listUrls(ctx, fn), { action: 'lambda:ListFunctionUrlConfigs', what: 'function URLs' }, [] as FunctionUrlConfig[]);
  const asyncP = guard(() => listAsyncConfigs(ctx, fn), { action: 'lambda:ListFunctionEventInvokeConfigs', what: 'asynchronous invoke configurations' }, [] as FunctionEventInvokeConfig[]);
  const baseMappingsP = guard(() => listMappings(ctx, fn, fn), { action: 'lambda:ListEventSourceMappings', what: 'event source mappings', qualifier: '$LATEST' }, [] as EventSourceMappingConfiguration[]);
  const basePolicyP = guard(
    () => step(ctx, 'GetPolicy $LATEST', 'Nothing was changed.', () => readPolicy(ctx.lambda, fn, '$LATEST', ctx.signal)),
    { action: 'lambda:GetPolicy', what: 'resource-based policy', qualifier: '$LATEST' },
    undefined,
  );
  // A mapping or a permission may be on a version no alias routes.
  const versionsP = guard(
    () => step(ctx, 'ListVersionsByFunction', 'Nothing was changed.', () => listVersions(ctx.lambda, fn, ctx.signal)).then((vs) => vs.map((v) => v.Version ?? '').filter((v) => /^[0-9]+$/.test(v))),
    { action: 'lambda:ListVersionsByFunction', what: 'published versions (triggers on versions no alias routes)' },
    [] as string[],
  );
  // Settled even when ListAliases fails first, so no rejection is left unhandled.
  const others = Promise.allSettled([urlsP, asyncP, baseMappingsP, basePolicyP, versionsP]);

  let aliases: AliasConfiguration[] = [];
  let aliasesRead = true;
  try {
    aliases = await step(ctx, 'ListAliases', 'Nothing was changed.', () => listAliases(ctx.lambda, fn, ctx.signal));
  } catch (err) {
    const cause = err instanceof OperationError ? err.cause : err;
    if (errorName(cause) === 'ResourceNotFoundException') {
      await others;
      throw new OperationError(`Function ${fn} was not found. Check the name, and that the region and account are the function's.`, { step: 'ListAliases', state: 'Nothing was changed.', kind: 'validation', cause });
    }
    try {
      noteFailure(err, { action: 'lambda:ListAliases', what: 'aliases' }, failures);
    } catch (fatal) {
      await others;
      throw fatal;
    }
    aliasesRead = false;
  }
  if (input.aliasName !== undefined && aliasesRead && !aliases.some((a) => a.Name === input.aliasName)) {
    await others;
    const names = aliases.map((a) => a.Name).join(', ');
    throw new OperationError(`${fn} has no alias ${input.aliasName}${names ? ` (its aliases: ${names})` : ' (it has no aliases)'}.`, { state: 'Nothing was changed.', kind: 'validation' });
  }

  const functionArn = aliases.map((a) => a.AliasArn).find(Boolean)?.replace(/:[^:]+$/, '');
  const routed = [...new Set(aliases.flatMap((a) => [a.Name ?? '', a.FunctionVersion ?? '', ...Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})]))].filter((q) => q && q !== '$LATEST');
  // Every routed qualifier, and the newest published versions besides (newest first).
  const published = await versionsP;
  const unrouted = published.filter((v) => !routed.includes(v));
  const unroutedRead = unrouted.slice(0, UNROUTED_VERSIONS_READ);
  const left = unrouted.slice(UNROUTED_VERSIONS_READ);
  const qualifiers = [...routed, ...unroutedRead];
  const perQualifier = await mapLimit(qualifiers, PARALLEL, async (q) => {
    const [mappings, policy] = await Promise.all([
      guard(
        async () => {
          try {
            return await listMappings(ctx, qualified(fn, functionArn, q), q);
          } catch (err) {
            // An alias deleted since ListAliases has no mappings.
            if (errorName(err instanceof OperationError ? err.cause : err) === 'ResourceNotFoundException') return [];
            throw err;
          }
        },
        { action: 'lambda:ListEventSourceMappings', what: 'event source mappings', qualifier: q },
        [] as EventSourceMappingConfiguration[],
      ),
      guard(() => step(ctx, `GetPolicy ${q}`, 'Nothing was changed.', () => readPolicy(ctx.lambda, fn, q, ctx.signal)), { action: 'lambda:GetPolicy', what: 'resource-based policy', qualifier: q }, undefined),
    ]);
    return { q, mappings, policy };
  });
  const settled = await others;
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  const [urls, asyncConfigs, baseMappings, basePolicy] = await Promise.all([urlsP, asyncP, baseMappingsP, basePolicyP]);

  const policies: Record<string, PolicyStatement[]> = {};
  if (basePolicy) policies.$LATEST = basePolicy.statements;
  const mappings = [...baseMappings];
  for (const r of perQualifier) {
    if (r.policy) policies[r.q] = r.policy.statements;
    mappings.push(...r.mappings);
  }
  const unreadable = unreadableLines(failures);
  if (left.length) {
    const range = left.length === 1 ? `version ${left[0]}` : `versions ${left[left.length - 1]}–${left[0]}`;
    unreadable.push(`The ${left.length} oldest published ${left.length === 1 ? 'version' : 'versions'} no alias routes (${range}) were not read: the audit reads the ${UNROUTED_VERSIONS_READ} newest besides the routed ones, so a mapping or permission on an older one is not shown.`);
  }
  return { functionName: fn, aliasName: input.aliasName, aliases, mappings, urls, policies, asyncConfigs, unreadable, aliasesRead };
}
