/**
 * Move triggers to a router and back; Remove Router (see api.ts).
 *
 * Each trigger of `target:alias` is moved on its own (one failing never undoes another): a mapping
 * in one guarded UpdateEventSourceMapping (it keeps its place in the queue or stream); a function
 * URL or a service's permission is added on `router:alias` beside the old one, which stays, so
 * whatever fails, every event still has somewhere to go. Moving back reads the journal's 'move'
 * records and what AWS shows now; Remove Router moves everything back and deletes the router only
 * when it is one the product made and nothing calls it any more.
 */
import type { AliasConfiguration, EventSourceMappingConfiguration, FunctionConfiguration, FunctionUrlConfig } from '@aws-sdk/client-lambda';
import {
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { errorSummary, OperationError, unknownOutcome } from '../errors';
import { guardedWrite, step } from '../guardedWrite';
import { errorName } from '../lambdaApi';
import type { OperationContext } from '../operationContext';
import { loadAlias } from '../operations';
import type { Outcome } from '../outcome';
import { targetKey, targetOf } from '../outcome';
import { badInput, parseFunctionRef, sameFunction } from '../triggers/classify';
import type { Permission } from '../triggers/fix';
import { abortableSleep, addOnAlias, deleteUrl, getMapping, getUrl, grantFollowUp, mappingInTransition, removeStatement, UNDO_SETTLE_MS, UNDO_SETTLE_POLL_MS } from '../triggers/fix';
import type { PolicyStatement } from '../triggers/policy';
import { addPermissionPrincipal, isInvokeStatement, isUrlStatement, sameGrant } from '../triggers/policy';
import { gatherTriggerFacts, listMappings, listUrls, readPolicy } from '../triggers/read';
import { arnLabel } from '../triggers/sources';
import type { UrlConfig } from '../triggers/views';
import { buildAudit, integrationUri, TRANSITION_STATES } from '../triggers/views';
import type { UseCaseContext } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import type { MoveBackInput, MoveToRouterInput, RemoveRouterInput, RouterRef } from './api';
import { defaultRouterName } from './api';
import { routerProblem, routerRule } from './create';
import type { RouterDetail, RouterTriggerMove } from './detail';
import type { RouterConfig } from './rules';

const NOTHING = 'Nothing was changed.';
/** Every statement a move adds on the router's alias starts with this: moving back removes them, and nothing else. */
export const MOVE_SID_PREFIX = 'lambda-canary-router-';

function invalid(message: string): OperationError {
  return new OperationError(message, { state: NOTHING, kind: 'validation' });
}

function conflict(message: string, state = NOTHING, cause?: unknown): OperationError {
  return new OperationError(message, { state, kind: 'conflict', cause });
}

/** The router as read for a move (private: findRouter in create.ts reads the same, for the adapters). */
interface Router {
  name: string;
  alias: AliasConfiguration;
  aliasArn: string;
  config: RouterConfig;
  /** The configuration of the version its alias serves. */
  version: FunctionConfiguration;
}

/**
 * The router of `target:alias`: GetAlias `<router>:<alias>`, then the configuration of the version
 * it serves; refused unless it is this target's router (its description and its rule's target).
 */
async function readRouter(op: OperationContext, ref: RouterRef, name: string): Promise<Router> {
  let alias: AliasConfiguration;
  try {
    alias = await step(op, `GetAlias ${name}:${ref.aliasName}`, NOTHING, () => op.lambda.send(new GetAliasCommand({ FunctionName: name, Name: ref.aliasName }), { abortSignal: op.signal }));
  } catch (err) {
    if (errorName(err instanceof OperationError ? err.cause : err) === 'ResourceNotFoundException') throw invalid(`${ref.functionName}:${ref.aliasName} has no router: ${name}:${ref.aliasName} does not exist (Create Router first).`);
    throw err;
  }
  const version = await step(op, `GetFunctionConfiguration ${name}:${alias.FunctionVersion}`, NOTHING, () =>
    op.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: alias.FunctionVersion }), { abortSignal: op.signal }),
  );
  const why = routerProblem(version, ref);
  if (why) throw invalid(`${name} is not the router Lambda Canary made for ${ref.functionName}:${ref.aliasName} (${why}): nothing is moved to or from it.`);
  if (!alias.AliasArn) throw new OperationError(`${name}:${ref.aliasName} was read without its ARN: no trigger can be pointed at it.`, { state: NOTHING });
  return { name, alias, aliasArn: alias.AliasArn, config: routerRule(version)!, version };
}

/** `arn` names `fn:alias` (by name; account and region where both say them). */
function calls(arn: string | undefined, fn: string, alias: string): boolean {
  const r = parseFunctionRef(arn ?? '');
  return Boolean(r) && sameFunction(arn ?? '', fn) && r?.qualifier === alias;
}

function failedMove(base: Omit<RouterTriggerMove, 'result' | 'followUp'> & { followUp?: string[] }, err: unknown): RouterTriggerMove {
  const e = err instanceof OperationError ? err : undefined;
  const reason = e ? `${e.message}${e.state && e.state !== NOTHING ? ` ${e.state}` : ''}` : errorSummary(err);
  return { ...base, followUp: base.followUp ?? [], result: e?.kind === 'unknown' ? 'unknown' : 'failed', reason };
}

/** A mapping's state settled (Enabled, Disabled) while it still calls `fn:alias`: waits up to a minute. */
async function settledMapping(op: OperationContext, uuid: string, fn: string, alias: string): Promise<EventSourceMappingConfiguration> {
  let now = await step(op, `GetEventSourceMapping ${uuid}`, NOTHING, () => getMapping(op.lambda, uuid, op.signal));
  const by = Date.now() + UNDO_SETTLE_MS;
  while (now.State && TRANSITION_STATES.has(now.State) && calls(now.FunctionArn, fn, alias) && Date.now() < by) {
    op.progress?.(`Event source mapping ${uuid} is ${now.State}: waiting for it to settle…`);
    await abortableSleep(UNDO_SETTLE_POLL_MS, op.signal);
    now = await step(op, `GetEventSourceMapping ${uuid}`, NOTHING, () => getMapping(op.lambda, uuid, op.signal));
  }
  return now;
}

/**
 * Moves mapping `uuid` from `from` (fn:alias) to the ARN `to` (fn2:alias): re-read first, refused
 * when it no longer calls `from`; waits while it is Updating; one guarded update, read back when
 * its answer is lost.
 */
async function moveMapping(op: OperationContext, uuid: string, from: { fn: string; alias: string; text: string }, to: { fn: string; alias: string; arn: string; text: string }): Promise<'moved' | 'unchanged'> {
  const now = await settledMapping(op, uuid, from.fn, from.alias);
  if (calls(now.FunctionArn, to.fn, to.alias)) return 'unchanged';
  if (!calls(now.FunctionArn, from.fn, from.alias)) throw conflict(`Event source mapping ${uuid} no longer calls ${from.text} (it calls ${now.FunctionArn}): it is left where it is.`);
  if (now.State && TRANSITION_STATES.has(now.State)) throw conflict(`Event source mapping ${uuid} is still ${now.State} after a minute: wait until it is Enabled or Disabled, then retry.`);
  const stepName = `UpdateEventSourceMapping ${uuid}`;
  await guardedWrite<EventSourceMappingConfiguration, EventSourceMappingConfiguration>(op, {
    step: stepName,
    stateIfFailed: `The mapping still calls ${from.text}.`,
    send: () => op.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FunctionName: to.arn })),
    readBack: () => getMapping(op.lambda, uuid),
    landedNote: `the mapping reads back calling ${to.text}: the update went through`,
    judge: (r, cause) => {
      if (calls(r.FunctionArn, to.fn, to.alias)) return { landed: r };
      if (r.State && TRANSITION_STATES.has(r.State)) throw mappingInTransition(uuid, r.State, to.text, from.text, stepName, cause);
      if (calls(r.FunctionArn, from.fn, from.alias)) return { state: `The mapping still calls ${from.text}.` };
      throw conflict(`Event source mapping ${uuid} was changed by another client meanwhile — refresh and look.`, `It calls ${r.FunctionArn}.`, cause);
    },
    unknown: (cause) =>
      unknownOutcome({ step: stepName, subject: `mapping ${uuid}`, cause, maybe: `The mapping may call ${to.text}, or still ${from.text}; either way it exists and delivers its events.`, check: 'Refresh the triggers to see which, and run the move again.' }),
    refused: (name, cause, state) => (name === 'ResourceInUseException' ? conflict(`Event source mapping ${uuid} is being changed right now: retry in a moment.`, state, cause) : undefined),
  });
  return 'moved';
}

/** A statement id on the router's alias for a copy of `sid`: the move's prefix, unique in that policy. */
function moveSid(sid: string, taken: Set<string>): string {
  const base = `${MOVE_SID_PREFIX}${sid}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 90);
  if (!taken.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}-${i}`)) i++;
  return `${base}-${i}`;
}

/** The public permissions a URL with auth NONE needs, as the move names them on the router's alias. */
function publicUrlPermissions(statements: PolicyStatement[]): Permission[] {
  const have = new Set(statements.map((s) => s.sid));
  const out: Permission[] = [];
  if (!have.has(`${MOVE_SID_PREFIX}url-public`)) out.push({ sid: `${MOVE_SID_PREFIX}url-public`, action: 'lambda:InvokeFunctionUrl', principal: '*', functionUrlAuthType: 'NONE' });
  if (!have.has(`${MOVE_SID_PREFIX}url-invoke`)) out.push({ sid: `${MOVE_SID_PREFIX}url-invoke`, action: 'lambda:InvokeFunction', principal: '*', invokedViaFunctionUrl: true });
  return out;
}

/** What one trigger of the target's alias is, read for a move. */
interface Candidate {
  triggerId: string;
  kind: RouterTriggerMove['kind'];
  label: string;
  mapping?: EventSourceMappingConfiguration;
  url?: FunctionUrlConfig;
  statement?: PolicyStatement;
}

/** The triggers of `target:alias` a router can take: its mappings, its URL, its services' invoke permissions. */
async function triggersOfAlias(op: OperationContext, fn: string, alias: AliasConfiguration): Promise<Candidate[]> {
  const a = alias.Name ?? '';
  const [mappings, urls, policy] = await Promise.all([
    listMappings(op, `${fn}:${a}`, a),
    listUrls(op, fn),
    step(op, `GetPolicy ${a}`, NOTHING, () => readPolicy(op.lambda, fn, a, op.signal)),
  ]);
  const mine = urls.filter((u) => calls(u.FunctionArn, fn, a));
  const statements = policy?.statements ?? [];
  const audit = buildAudit({ functionName: fn, aliasName: a, aliases: [alias], mappings, urls: mine, policies: { [a]: statements }, asyncConfigs: [], unreadable: [] });
  const out: Candidate[] = [];
  for (const t of audit.triggers) {
    if (t.verdict !== 'through') continue;
    if (t.kind === 'event-source-mapping') out.push({ triggerId: t.id, kind: 'mapping', label: t.label, mapping: mappings.find((m) => `esm:${m.UUID}` === t.id) });
    else if (t.kind === 'function-url') out.push({ triggerId: t.id, kind: 'url', label: t.label, url: mine[0] });
    else if (t.kind === 'permission') {
      const sid = t.id.slice(`policy:${a}:`.length);
      const s = statements.find((x) => x.sid === sid);
      if (s && s.effect === 'Allow' && isInvokeStatement(s) && !isUrlStatement(s)) out.push({ triggerId: t.id, kind: 'permission', label: t.label, statement: s });
    }
  }
  return out;
}

function routerArnOf(r: Router): string {
  return r.aliasArn;
}

async function moveOne(op: OperationContext, ref: RouterRef, targetAliasArn: string, r: Router, c: Candidate, region: string): Promise<RouterTriggerMove> {
  const fn = ref.functionName;
  const a = ref.aliasName;
  const base = { triggerId: c.triggerId, kind: c.kind, label: c.label, undo: {} as RouterTriggerMove['undo'] };
  const routerText = `${r.name}:${a}`;
  try {
    if (c.kind === 'mapping') {
      const uuid = c.mapping?.UUID ?? c.triggerId.slice(4);
      const source = arnLabel(c.mapping?.EventSourceArn) ?? 'its source';
      const followUp = /:(sqs|kinesis|dynamodb|kafka):/.test(c.mapping?.EventSourceArn ?? '')
        ? [`The router's execution role (${r.version.Role ?? '?'}) now reads ${source} for this mapping: it needs the read permissions ${fn}'s role has for it.`]
        : [];
      op.progress?.(`Moving ${c.label} to ${routerText}…`);
      const result = await moveMapping(op, uuid, { fn, alias: a, text: `${fn}:${a}` }, { fn: r.name, alias: a, arn: routerArnOf(r), text: routerText });
      return { ...base, result, undo: { mapping: uuid, functionArn: targetAliasArn }, followUp };
    }
    if (c.kind === 'url') {
      const old = await step(op, `GetFunctionUrlConfig ${fn}:${a}`, NOTHING, () => getUrl(op.lambda, fn, a, op.signal));
      if (!old) throw conflict(`${fn}:${a} no longer has a function URL — refresh the triggers.`);
      const authType = old.AuthType ?? 'AWS_IAM';
      const [existing, policy] = await Promise.all([
        step(op, `GetFunctionUrlConfig ${routerText}`, NOTHING, () => getUrl(op.lambda, r.name, a, op.signal)),
        step(op, `GetPolicy ${routerText}`, NOTHING, () => readPolicy(op.lambda, r.name, a, op.signal)),
      ]);
      if (existing && existing.AuthType !== authType) throw invalid(`${routerText} already has a URL (${existing.FunctionUrl}) with auth ${existing.AuthType}, not ${authType}: change it, or move the callers yourself.`);
      let created: UrlConfig | undefined = existing;
      let result: RouterTriggerMove['result'] = 'unchanged';
      if (!created) {
        const stepName = `CreateFunctionUrlConfig ${routerText}`;
        op.progress?.(`Creating a function URL on ${routerText}…`);
        created = await guardedWrite<UrlConfig, FunctionUrlConfig | undefined>(op, {
          step: stepName,
          stateIfFailed: `${routerText} has no URL; ${fn}:${a}'s URL is as it was.`,
          send: () => op.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: r.name, Qualifier: a, AuthType: authType, ...(old.Cors ? { Cors: old.Cors } : {}), ...(old.InvokeMode ? { InvokeMode: old.InvokeMode } : {}) })),
          readBack: () => getUrl(op.lambda, r.name, a),
          landedNote: `${routerText} reads back with a URL: it was created`,
          judge: (now) => (now && now.AuthType === authType ? { landed: now } : {}),
          unknown: (cause) => unknownOutcome({ step: stepName, subject: `${routerText}'s URL`, cause, maybe: `${routerText} may now have a URL, or not; ${fn}:${a}'s URL is as it was.`, check: 'Run the move again: it finishes what is there.' }),
          refused: (name, cause, state) => (name === 'ResourceConflictException' ? conflict(`${routerText} got a URL meanwhile — refresh and look.`, state, cause) : undefined),
        });
        result = 'moved';
      }
      const url = created.FunctionUrl ?? '';
      const undo: RouterTriggerMove['undo'] = { urlQualifier: a };
      const added: string[] = [];
      if (authType === 'NONE') {
        let statements = policy?.statements ?? [];
        let revision = policy?.revisionId;
        try {
          for (const p of publicUrlPermissions(statements)) {
            if (added.length) {
              const again = await step(op, `GetPolicy ${routerText}`, `The URL ${url} is on ${routerText}.`, () => readPolicy(op.lambda, r.name, a, op.signal));
              statements = again?.statements ?? [];
              revision = again?.revisionId;
            }
            await addOnAlias(op, { functionName: r.name, aliasName: a }, revision, p, `The URL ${url} is on ${routerText} but answers 403 Forbidden until it has the public invoke permissions.`);
            added.push(p.sid);
            result = 'moved';
          }
        } catch (err) {
          // The URL exists (the move's main part): said, not undone; running the move again adds what is missing.
          if (err instanceof OperationError && err.kind === 'unknown') throw err;
          const warning = `The URL ${url} is on ${routerText}, but its public invoke permissions could not all be added (${errorSummary(err)}): it answers 403 Forbidden until the move runs again.`;
          op.record?.warnings.push(warning);
          if (added.length) undo.statementId = added.join(',');
          return { ...base, result: 'moved', reason: warning, undo, followUp: [`Run the move again to add the public invoke permissions on ${routerText}.`] };
        }
        if (added.length) undo.statementId = added.join(',');
      }
      const followUp = [
        `Give clients the router's URL, ${url}: ${old.FunctionUrl} stays and still calls ${fn}:${a} directly. Moving back deletes ${url}.`,
        ...(authType === 'AWS_IAM' ? [`Callers that sign with IAM need lambda:InvokeFunctionUrl on ${routerArnOf(r)} in their own policies.`] : []),
      ];
      return { ...base, result, undo, followUp };
    }
    // A service's permission.
    const s = c.statement!;
    const [now, routerPolicy] = await Promise.all([
      step(op, `GetPolicy ${fn}:${a}`, NOTHING, () => readPolicy(op.lambda, fn, a, op.signal)),
      step(op, `GetPolicy ${routerText}`, NOTHING, () => readPolicy(op.lambda, r.name, a, op.signal)),
    ]);
    const still = now?.statements.find((x) => x.sid === s.sid);
    if (!still || !sameGrant(still, s)) throw conflict(`Statement ${s.sid} of ${fn}:${a} changed or was removed since it was read — refresh and retry.`);
    if (s.actions.length !== 1) throw invalid(`Statement ${s.sid} grants ${s.actions.length} actions; AddPermission copies one: add it on ${routerText} by hand.`);
    if (s.otherConditions.length) throw invalid(`Statement ${s.sid} has conditions AddPermission cannot set (${s.otherConditions.join(', ')}): add it on ${routerText} by hand.`);
    const keep = `(statement ${s.sid} stays on ${fn}:${a}, so moving back needs nothing more).`;
    const followUp = grantFollowUp(s, routerArnOf(r), `${fn}:${a}`, region, keep);
    if (s.principal === 'apigateway.amazonaws.com') followUp.push(`Moving back: set it to ${integrationUri(region, targetAliasArn)} again.`);
    const existing = routerPolicy?.statements.find((x) => sameGrant(x, s));
    if (existing) return { ...base, result: 'unchanged', undo: existing.sid.startsWith(MOVE_SID_PREFIX) ? { statementId: existing.sid } : {}, followUp };
    const sid = moveSid(s.sid, new Set((routerPolicy?.statements ?? []).map((x) => x.sid)));
    op.progress?.(`Granting ${c.label} on ${routerText}…`);
    await addOnAlias(
      op,
      { functionName: r.name, aliasName: a },
      routerPolicy?.revisionId,
      { sid, action: s.actions[0], principal: addPermissionPrincipal(s.principal), sourceArn: s.sourceArn, sourceAccount: s.sourceAccount, eventSourceToken: s.eventSourceToken, principalOrgId: s.principalOrgId, functionUrlAuthType: s.functionUrlAuthType },
      `${routerText} has no such permission; statement ${s.sid} is as it was.`,
    );
    return { ...base, result: 'moved', undo: { statementId: sid }, followUp };
  } catch (err) {
    return failedMove(base, err);
  }
}

/**
 * The outcome of a batch of moves: done when none failed; else an error that carries the moves
 * (unknown when any is) and says what was and was not moved.
 */
function settle(detail: RouterDetail, what: string): RouterDetail {
  const moves = detail.moves ?? [];
  const bad = moves.filter((m) => m.result === 'failed' || m.result === 'unknown');
  if (!bad.length) {
    if (!moves.some((m) => m.result === 'moved') && detail.step !== 'remove') {
      throw new OperationError(moves.length ? `Every trigger already ${what}.` : `There is no trigger to move.`, { state: NOTHING, kind: 'validation', nothingToDo: true, detail });
    }
    return detail;
  }
  const moved = moves.filter((m) => m.result === 'moved' || m.result === 'unchanged').map((m) => m.label);
  const unknown = bad.some((m) => m.result === 'unknown');
  const lines = bad.map((m) => `${m.label}: ${m.reason ?? m.result}`);
  throw new OperationError(`${bad.length} of ${moves.length} trigger${moves.length === 1 ? '' : 's'} could not be moved — ${lines.join(' ')}`, {
    state: `${moved.length ? `${moved.join(', ')} ${what}. ` : ''}${bad.map((m) => `${m.label}: ${m.result === 'unknown' ? 'unknown (run it again to finish)' : 'as it was'}`).join('; ')}. Every trigger still has a function to call.`,
    kind: unknown ? 'unknown' : 'aws',
    detail,
    ...(bad[0] ? { step: `Move ${bad[0].triggerId}` } : {}),
  });
}

function checkRef(input: RouterRef): void {
  const bad = badInput(input.functionName, input.aliasName);
  if (bad) throw invalid(bad);
}

export function moveToRouter(ctx: UseCaseContext, input: MoveToRouterInput): Promise<Outcome<RouterDetail>> {
  return runUseCase(ctx, 'router', input, async (op) => {
    checkRef(input);
    const fn = input.functionName;
    const a = input.aliasName;
    const alias = await loadAlias(op, { functionName: fn, aliasName: a });
    const router = await readRouter(op, input, defaultRouterName(parseFunctionRef(fn)?.name ?? fn));
    const candidates = await triggersOfAlias(op, fn, alias);
    const chosen = input.triggerIds ? candidates.filter((c) => input.triggerIds!.includes(c.triggerId)) : candidates;
    const missing = (input.triggerIds ?? []).filter((id) => !candidates.some((c) => c.triggerId === id));
    if (missing.length) throw invalid(`${missing.join(', ')}: not a trigger of ${fn}:${a} a router can take (refresh the triggers).`);
    const region = alias.AliasArn?.split(':')[3] ?? ctx.region ?? '';
    const moves: RouterTriggerMove[] = [];
    // One after the other: each guarded write reads what it writes first.
    for (const c of chosen) moves.push(await moveOne(op, input, alias.AliasArn ?? `${fn}:${a}`, router, c, region));
    return settle({ step: 'move', router: router.name, routerAlias: a, routerVersion: router.alias.FunctionVersion, config: router.config, moves }, `calls ${router.name}:${a}`);
  });
}

/** What earlier moves created on the router's alias, from the journal: URLs (by address) and statement ids. */
async function createdByMoves(ctx: UseCaseContext, ref: RouterRef, alias: AliasConfiguration): Promise<{ urls: Set<string>; urlUnsure: boolean; sids: Set<string>; read: boolean }> {
  const out = { urls: new Set<string>(), urlUnsure: false, sids: new Set<string>(), read: false };
  if (!ctx.journal?.history) return out;
  try {
    const { records } = await ctx.journal.history(targetKey(targetOf(ref, alias, ctx.region)));
    out.read = true;
    for (const rec of records) {
      const d = rec.outcome.detail as RouterDetail | undefined;
      if (rec.outcome.action !== 'router' || d?.step !== 'move') continue;
      for (const m of d.moves ?? []) {
        if (m.result === 'failed') continue;
        if (m.kind === 'url') out.urlUnsure = true;
        for (const sid of (m.undo.statementId ?? '').split(',').filter(Boolean)) out.sids.add(sid);
      }
    }
  } catch {
    // Without the journal, what AWS shows decides (the move's statement ids carry its prefix).
  }
  return out;
}

async function moveBack(ctx: UseCaseContext, op: OperationContext, input: MoveBackInput, alias: AliasConfiguration, r: Router): Promise<RouterTriggerMove[]> {
  const fn = input.functionName;
  const a = input.aliasName;
  const routerText = `${r.name}:${a}`;
  const journal = await createdByMoves(ctx, input, alias);
  const [mappings, url, policy] = await Promise.all([
    listMappings(op, `${r.name}:${a}`, routerText),
    step(op, `GetFunctionUrlConfig ${routerText}`, NOTHING, () => getUrl(op.lambda, r.name, a, op.signal)),
    step(op, `GetPolicy ${routerText}`, NOTHING, () => readPolicy(op.lambda, r.name, a, op.signal)),
  ]);
  const wanted = (id: string, also?: string) => !input.triggerIds || input.triggerIds.includes(id) || (also !== undefined && input.triggerIds.includes(also));
  const moves: RouterTriggerMove[] = [];
  const targetArn = alias.AliasArn ?? `${fn}:${a}`;
  for (const m of mappings) {
    const id = `esm:${m.UUID}`;
    if (!m.UUID || !calls(m.FunctionArn, r.name, a) || !wanted(id)) continue;
    const base = { triggerId: id, kind: 'mapping' as const, label: arnLabel(m.EventSourceArn) ?? `Event source mapping ${m.UUID}`, undo: { mapping: m.UUID, functionArn: r.aliasArn } };
    try {
      const result = await moveMapping(op, m.UUID, { fn: r.name, alias: a, text: routerText }, { fn, alias: a, arn: targetArn, text: `${fn}:${a}` });
      moves.push({ ...base, result, followUp: [] });
    } catch (err) {
      moves.push(failedMove(base, err));
    }
  }
  if (url && wanted(`url:${a}`)) {
    const base = { triggerId: `url:${a}`, kind: 'url' as const, label: `Function URL (auth ${url.AuthType ?? '?'})`, undo: {} };
    if (journal.read && !journal.urlUnsure) {
      moves.push({ ...base, result: 'unchanged', reason: `No move created ${url.FunctionUrl} (the journal has none): it is left on ${routerText}.`, followUp: [] });
    } else {
      try {
        await deleteUrl(op, r.name, a, url.FunctionUrl);
        moves.push({ ...base, result: 'moved', followUp: [`${url.FunctionUrl} was deleted: its clients must use ${fn}:${a}'s own URL again.`] });
      } catch (err) {
        moves.push(failedMove(base, err));
      }
    }
  }
  let revision = policy?.revisionId;
  let first = true;
  for (const s of policy?.statements ?? []) {
    const ours = s.sid.startsWith(MOVE_SID_PREFIX) || journal.sids.has(s.sid);
    const id = `policy:${a}:${s.sid}`;
    const original = s.sid.startsWith(MOVE_SID_PREFIX) ? `policy:${a}:${s.sid.slice(MOVE_SID_PREFIX.length)}` : undefined;
    if (!ours || !(wanted(id, original) || (isUrlStatement(s) && wanted(`url:${a}`)))) continue;
    const base = { triggerId: id, kind: 'permission' as const, label: `Statement ${s.sid} of ${routerText}`, undo: { statementId: s.sid } };
    try {
      if (!first) revision = (await step(op, `GetPolicy ${routerText}`, NOTHING, () => readPolicy(op.lambda, r.name, a, op.signal)))?.revisionId;
      first = false;
      await removeStatement(op, r.name, a, s.sid, revision);
      const region = r.aliasArn.split(':')[3] ?? '';
      const followUp = s.principal === 'apigateway.amazonaws.com' && !isUrlStatement(s) ? [`Set the integration URI back to ${integrationUri(region, targetArn)} (its requests to ${routerText} are now refused).`] : [];
      moves.push({ ...base, result: 'moved', followUp });
    } catch (err) {
      moves.push(failedMove(base, err));
    }
  }
  return moves;
}

export function moveBackFromRouter(ctx: UseCaseContext, input: MoveBackInput): Promise<Outcome<RouterDetail>> {
  return runUseCase(ctx, 'router', input, async (op) => {
    checkRef(input);
    const fn = input.functionName;
    const alias = await loadAlias(op, { functionName: fn, aliasName: input.aliasName });
    const router = await readRouter(op, input, defaultRouterName(parseFunctionRef(fn)?.name ?? fn));
    const moves = await moveBack(ctx, op, input, alias, router);
    return settle({ step: 'move-back', router: router.name, routerAlias: input.aliasName, routerVersion: router.alias.FunctionVersion, config: router.config, moves }, `calls ${fn}:${input.aliasName} again`);
  });
}

export function removeRouter(ctx: UseCaseContext, input: RemoveRouterInput): Promise<Outcome<RouterDetail>> {
  return runUseCase(ctx, 'router', input, async (op) => {
    checkRef(input);
    const fn = input.functionName;
    const a = input.aliasName;
    const alias = await loadAlias(op, { functionName: fn, aliasName: a });
    const name = defaultRouterName(parseFunctionRef(fn)?.name ?? fn);
    const r = await readRouter(op, input, name);
    // The function itself too: its $LATEST must be this target's router as well.
    const latest = await step(op, `GetFunctionConfiguration ${name}`, NOTHING, () => op.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }), { abortSignal: op.signal }));
    const why = routerProblem(latest, { functionName: fn, aliasName: a });
    if (why) throw invalid(`${name} is not a router Lambda Canary made for ${fn}:${a} (${why}): it is not deleted.`);
    const detail: RouterDetail = { step: 'remove', router: name, routerAlias: a, routerVersion: r.alias.FunctionVersion, config: r.config, moves: await moveBack(ctx, op, { functionName: fn, aliasName: a }, alias, r), deleted: {} };
    settle(detail, `calls ${fn}:${a} again`);
    // Nothing may call the router any more: every qualifier's mappings, URLs and invoke permissions.
    const facts = await gatherTriggerFacts(op, { functionName: name });
    const left = buildAudit(facts).triggers.filter((t) => t.kind !== 'event-invoke-config' && t.verdict !== 'info');
    const unread = facts.unreadable;
    if (left.length || unread.length) {
      const what = [...left.map((t) => `${t.label} (${t.id})`), ...unread];
      throw conflict(`${name} is not deleted: ${left.length ? `${what.join('; ')} still ${left.length === 1 ? 'calls' : 'call'} it` : `what calls it could not all be read (${unread.join(' ')})`}. Move or remove ${left.length === 1 ? 'it' : 'them'}, then retry.`, `Every trigger Lambda Canary moved calls ${fn}:${a} again; ${name} is as it was.`);
    }
    const withDetail = (err: unknown): never => {
      if (err instanceof OperationError) throw new OperationError(err.message, { step: err.step, state: err.state, cause: err.cause, kind: err.kind, detail });
      throw err;
    };
    const stillThere = (read: () => Promise<unknown>) => read().then(() => true, (err: unknown) => (errorName(err) === 'ResourceNotFoundException' ? false : Promise.reject(err)));
    await guardedWrite<unknown, boolean>(op, {
      step: `DeleteAlias ${name}:${a}`,
      stateIfFailed: `${name}:${a} is as it was; every trigger calls ${fn}:${a}.`,
      send: () => op.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: a })),
      readBack: () => stillThere(() => op.lambda.send(new GetAliasCommand({ FunctionName: name, Name: a }))),
      judge: (there) => (there ? {} : { landed: true }),
      unknown: (cause) => unknownOutcome({ step: `DeleteAlias ${name}:${a}`, subject: `${name}:${a}`, cause, maybe: `${name}:${a} may be deleted, or not.`, check: 'Run Remove Router again.' }),
      retryRefusals: ['ResourceNotFoundException'],
    }).catch(withDetail);
    detail.deleted = { alias: true };
    await guardedWrite<unknown, boolean>(op, {
      step: `DeleteFunction ${name}`,
      stateIfFailed: `${name}'s alias ${a} was deleted; the function ${name} is still there (nothing calls it). Run Remove Router again, or delete it.`,
      send: () => op.lambda.send(new DeleteFunctionCommand({ FunctionName: name })),
      readBack: () => stillThere(() => op.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))),
      judge: (there) => (there ? {} : { landed: true }),
      unknown: (cause) => unknownOutcome({ step: `DeleteFunction ${name}`, subject: name, cause, maybe: `${name} may be deleted, or not.`, check: `Look for ${name}; delete it if it is still there.` }),
      retryRefusals: ['ResourceNotFoundException'],
    }).catch(withDetail);
    detail.deleted = { alias: true, function: true };
    return detail;
  });
}
