/** Create Router, Change Router Rule, find the router of an alias (see api.ts). */
import { randomBytes } from 'node:crypto';
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { AWS_WAITER_TIMING } from '../connection';
import { OperationError, unknownOutcome } from '../errors';
import { guardedWrite, step } from '../guardedWrite';
import { errorName, getAlias, getVersion, listVersions } from '../lambdaApi';
import type { OperationContext } from '../operationContext';
import type { Outcome } from '../outcome';
import { splitOf } from '../routing';
import { parseFunctionRef, sameFunction } from '../triggers/classify';
import type { UseCaseContext } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import type { CreateRouterInput, RouterInfo, RouterRef, SetRouterRuleInput } from './api';
import { defaultRouterName, isRouterDescription, routerDescription } from './api';
import type { RouterDetail } from './detail';
import type { RouterConfig } from './rules';
import { ROUTE_VARIABLE, validateRouterConfig } from './rules';
import { ROUTER_HANDLER, ROUTER_RUNTIME, routerEnvironment, routerPackage } from './routerPackage';

const NOTHING = 'Nothing was changed.';

function invalid(message: string, kind: 'validation' | 'conflict' = 'validation'): OperationError {
  return new OperationError(message, { state: NOTHING, kind });
}

/** A rule's problems, as the user's validation error. */
function checked(config: unknown): RouterConfig {
  try {
    return validateRouterConfig(config);
  } catch (err) {
    throw invalid((err as Error).message);
  }
}

function asClient(op: OperationContext): LambdaClient {
  // The SDK waiters only ever call client.send.
  return op.lambda as LambdaClient;
}

async function waitFor(op: OperationContext, name: string, state: string, wait: () => Promise<{ state: string }>): Promise<void> {
  await step(op, name, state, async () => {
    const r = await wait();
    if (r.state !== 'SUCCESS') throw new Error(`${name} ended in state ${r.state}`);
  });
}

/** A published version of the target (not $LATEST) that exists. */
async function assertVersion(op: OperationContext, fn: string, version: string, role: string): Promise<void> {
  if (version === '$LATEST' || !/^[0-9]+$/.test(version)) throw invalid(`The ${role} version must be a published version number, not '${version}'.`);
  try {
    await getVersion(op.lambda, fn, version, op.signal);
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') throw invalid(`${fn} has no version ${version} (the ${role} version).`);
    throw err;
  }
}

/** The router's function, or undefined when there is none of that name. */
async function readFunction(op: OperationContext, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return await getVersion(op.lambda, name, '$LATEST', op.signal);
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** A router's rule, as its environment holds it (validated), or undefined when it has none that is valid. */
export function routerRule(fn: FunctionConfiguration): RouterConfig | undefined {
  try {
    return validateRouterConfig(JSON.parse(fn.Environment?.Variables?.[ROUTE_VARIABLE] ?? 'null'));
  } catch {
    return undefined;
  }
}

/** Why `fn` is not a router this product made for `target:alias` (its Description and its rule's target); undefined when it is one. */
export function routerProblem(fn: FunctionConfiguration, ref: RouterRef): string | undefined {
  if (!isRouterDescription(fn.Description, parseFunctionRef(ref.functionName)?.name ?? ref.functionName, ref.aliasName)) return `its description is not the one Lambda Canary gives a router of ${ref.functionName}:${ref.aliasName}`;
  const rule = routerRule(fn);
  if (!rule) return `it has no valid ${ROUTE_VARIABLE} rule`;
  if (!sameFunction(rule.target, ref.functionName)) return `its rule routes to ${rule.target}, not ${ref.functionName}`;
  return undefined;
}

function isOurRouter(fn: FunctionConfiguration | undefined, ref: RouterRef): boolean {
  return fn !== undefined && routerProblem(fn, ref) === undefined;
}

/**
 * PublishVersion of the router's $LATEST with its package's CodeSha256 (and RevisionId when
 * given); the answer's CodeSha256 must be the package's. An unclear answer is read back.
 */
async function publishRouter(op: OperationContext, router: string, sha: string, revisionId: string | undefined, stateIfFailed: string, description: string): Promise<string> {
  const published = await guardedWrite<FunctionConfiguration, FunctionConfiguration[]>(op, {
    step: `PublishVersion ${router}`,
    stateIfFailed,
    send: () => op.lambda.send(new PublishVersionCommand({ FunctionName: router, CodeSha256: sha, ...(revisionId ? { RevisionId: revisionId } : {}), Description: description })),
    readBack: () => listVersions(op.lambda, router),
    landedNote: `the newest version of ${router} holds the router's package: using it`,
    judge: (versions) => {
      const newest = versions.find((v) => v.Version !== '$LATEST');
      return newest && newest.CodeSha256 === sha ? { landed: newest } : {};
    },
    unknown: (cause) =>
      unknownOutcome({
        step: `PublishVersion ${router}`,
        subject: `the versions of ${router}`,
        cause,
        maybe: `A new version of ${router} may or may not exist; no alias points to it.`,
        check: 'Run the command again: Lambda publishes no second version of the same code and configuration.',
      }),
    refused: (name, cause, state) =>
      name === 'PreconditionFailedException' ? new OperationError(`${router} changed before it could be published — refresh and retry.`, { step: `PublishVersion ${router}`, state, cause, kind: 'conflict' }) : undefined,
  });
  const version = published.Version!;
  const unrouted = `${stateIfFailed.replace(/\.$/, '')}; version ${version} of ${router} is published but no alias points to it.`;
  if (published.CodeSha256 !== sha) {
    throw new OperationError(`Version ${version} of ${router} holds other code (CodeSha256 ${published.CodeSha256 ?? 'missing'}) than the router's package (${sha}): no alias was pointed to it.`, {
      step: `PublishVersion ${router}`,
      state: unrouted,
      kind: 'conflict',
    });
  }
  op.record?.published.push({ version, codeSha256: published.CodeSha256, description: published.Description });
  await waitFor(op, `Wait for version ${version} of ${router} Active`, unrouted, () =>
    waitUntilPublishedVersionActive({ client: asClient(op), ...(op.waiters ?? AWS_WAITER_TIMING), abortSignal: op.signal }, { FunctionName: router, Qualifier: version }),
  );
  return version;
}

export function createRouter(ctx: UseCaseContext, input: CreateRouterInput): Promise<Outcome<RouterDetail>> {
  const ref = { functionName: input.functionName, aliasName: input.aliasName };
  return runUseCase<RouterDetail>(ctx, 'router', ref, async (op) => {
    const router = input.routerName ?? defaultRouterName(input.functionName);
    if (!input.roleArn || !/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/.+$/.test(input.roleArn)) throw invalid(`The router's execution role must be an IAM role ARN (got '${input.roleArn ?? ''}').`);
    const alias = await step(op, `GetAlias ${input.aliasName}`, NOTHING, () => getAlias(op.lambda, input.functionName, input.aliasName, op.signal));
    const split = splitOf(alias);
    const stable = input.stable ?? split.primary.version;
    const canary = input.canary ?? split.canary?.version;
    if (canary === undefined) throw invalid(`${input.functionName}:${input.aliasName} runs no canary: name the canary version (--canary) for the router to route to.`);
    await step(op, 'Check versions', NOTHING, async () => {
      await assertVersion(op, input.functionName, stable, 'stable');
      await assertVersion(op, input.functionName, canary, 'canary');
    });
    const config = checked({ target: input.functionName, stable, canary, salt: input.salt ?? randomBytes(8).toString('hex'), rules: input.rules });
    const target = await step(op, `GetFunctionConfiguration ${input.functionName}:${stable}`, NOTHING, () => getVersion(op.lambda, input.functionName, stable, op.signal));
    const existing = await step(op, `GetFunction ${router}`, NOTHING, () => readFunction(op, router));
    if (existing) {
      if (isOurRouter(existing, ref)) throw invalid(`${router} already exists: it is the router of ${input.functionName}:${input.aliasName}. Change its rule with Change Router Rule (lambda-canary router rule).`, 'conflict');
      throw invalid(`A function named ${router} already exists and is not the router of ${input.functionName}:${input.aliasName}: choose another name (--name).`, 'conflict');
    }
    const pkg = routerPackage();
    const detail: RouterDetail = { step: 'create', router, routerAlias: input.aliasName, config, created: {} };
    const left = `${router} was created but has no alias; Remove Router deletes it.`;
    const fail = (err: unknown): never => {
      if (err instanceof OperationError) {
        throw new OperationError(err.message, { step: err.step, state: err.state?.startsWith('Unknown') ? err.state : (err.state && err.state !== NOTHING ? `${left} ${err.state}` : left), cause: err.cause, kind: err.kind, detail });
      }
      throw err;
    };
    op.progress?.(`Creating ${router}…`);
    await guardedWrite(op, {
      step: `CreateFunction ${router}`,
      stateIfFailed: NOTHING,
      send: () =>
        op.lambda.send(
          new CreateFunctionCommand({
            FunctionName: router,
            Runtime: ROUTER_RUNTIME,
            Handler: ROUTER_HANDLER,
            Role: input.roleArn,
            Description: routerDescription(input.functionName, input.aliasName),
            Environment: { Variables: routerEnvironment(config) },
            MemorySize: 128,
            // The router waits for the target: a little longer than the target may run.
            Timeout: Math.min(900, (target.Timeout ?? 3) + 5),
            Code: { ZipFile: pkg.zip },
            Publish: false,
          }),
        ),
      readBack: () => readFunction(op, router),
      judge: (now) => (now && now.CodeSha256 === pkg.sha256 && isOurRouter(now, ref) ? { landed: {} } : {}),
      unknown: (cause) =>
        unknownOutcome({ step: `CreateFunction ${router}`, subject: router, cause, maybe: `${router} may or may not exist.`, check: `Look for ${router}: if it exists, Remove Router deletes it; else retry.` }),
      retryRefusals: ['ResourceConflictException'],
    });
    detail.created = { function: true };
    try {
      await waitFor(op, `Wait for ${router} Active`, left, () => waitUntilFunctionActiveV2({ client: asClient(op), ...(op.waiters ?? AWS_WAITER_TIMING), abortSignal: op.signal }, { FunctionName: router }));
      const version = await publishRouter(op, router, pkg.sha256, undefined, left, routerDescription(ref.functionName, ref.aliasName));
      detail.routerVersion = version;
      await guardedWrite(op, {
        step: `CreateAlias ${router}:${input.aliasName}`,
        stateIfFailed: `${left.replace(/\.$/, '')}; version ${version} is published.`,
        send: () => op.lambda.send(new CreateAliasCommand({ FunctionName: router, Name: input.aliasName, FunctionVersion: version, Description: routerDescription(input.functionName, input.aliasName) })),
        readBack: () => getAlias(op.lambda, router, input.aliasName).catch((e) => (errorName(e) === 'ResourceNotFoundException' ? undefined : Promise.reject(e))),
        judge: (now) => (now?.FunctionVersion === version ? { landed: now } : {}),
        unknown: (cause) =>
          unknownOutcome({ step: `CreateAlias ${router}:${input.aliasName}`, subject: `${router}:${input.aliasName}`, cause, maybe: `The alias may or may not exist (on version ${version}).`, check: 'Run router show to see.' }),
        retryRefusals: ['ResourceConflictException'],
      });
    } catch (err) {
      fail(err);
    }
    detail.created.alias = true;
    return detail;
  });
}

export function setRouterRule(ctx: UseCaseContext, input: SetRouterRuleInput): Promise<Outcome<RouterDetail>> {
  const ref = { functionName: input.functionName, aliasName: input.aliasName };
  return runUseCase<RouterDetail>(ctx, 'router', ref, async (op) => {
    const found = await step(op, 'Find the router', NOTHING, () => findRouterWith(op, ref));
    if (!found) throw invalid(`${input.functionName}:${input.aliasName} has no router: create one first (lambda-canary router create).`);
    const { info, alias } = found;
    const config = checked({ ...info.config, ...(input.rules ? { rules: input.rules } : {}), ...(input.stable ? { stable: input.stable } : {}), ...(input.canary ? { canary: input.canary } : {}) });
    if (input.expected && JSON.stringify(input.expected) !== JSON.stringify(info.config)) throw invalid(`The rule of ${info.router}:${info.routerAlias} changed since you looked at it — refresh and retry.`, 'conflict');
    const detail: RouterDetail = { step: 'rule', router: info.router, routerAlias: info.routerAlias, routerVersion: info.routerVersion, previousConfig: info.config, config };
    if (JSON.stringify(config) === JSON.stringify(info.config)) throw new OperationError(`${info.router}:${info.routerAlias} already has this rule.`, { state: NOTHING, kind: 'validation', nothingToDo: true, detail });
    for (const [v, role] of [[config.stable, 'stable'], [config.canary, 'canary']] as const) await assertVersion(op, input.functionName, v, role);
    const router = info.router;
    // The guard of the configuration update is $LATEST's RevisionId (a version has its own).
    const fn = await step(op, `GetFunctionConfiguration ${router}`, NOTHING, () => getVersion(op.lambda, router, '$LATEST', op.signal));
    const pkgSha = found.fn.CodeSha256!;
    const unchanged = `${router}:${info.routerAlias} still serves version ${info.routerVersion} and its rule.`;
    const updated = await guardedWrite<FunctionConfiguration, FunctionConfiguration | undefined>(op, {
      step: `UpdateFunctionConfiguration ${router}`,
      stateIfFailed: unchanged,
      send: () => op.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: router, Environment: { Variables: { ...(fn.Environment?.Variables ?? {}), ...routerEnvironment(config) } }, RevisionId: fn.RevisionId })),
      readBack: () => readFunction(op, router),
      judge: (now) => (now?.Environment?.Variables?.[ROUTE_VARIABLE] === JSON.stringify(config) ? { landed: now } : {}),
      unknown: (cause) => unknownOutcome({ step: `UpdateFunctionConfiguration ${router}`, subject: router, cause, maybe: `${router}'s $LATEST may hold the new rule; its alias serves the old one.`, check: 'Run router show, then the command again.' }),
      refused: (name, cause, state) => (name === 'PreconditionFailedException' ? new OperationError(`${router} changed since it was read — refresh and retry.`, { step: `UpdateFunctionConfiguration ${router}`, state, cause, kind: 'conflict' }) : undefined),
    });
    const staged = `${router}'s $LATEST holds the new rule; ${unchanged}`;
    await waitFor(op, `Wait for ${router} updated`, staged, () => waitUntilFunctionUpdatedV2({ client: asClient(op), ...(op.waiters ?? AWS_WAITER_TIMING), abortSignal: op.signal }, { FunctionName: router }));
    const settled = await step(op, `GetFunctionConfiguration ${router}`, staged, () => getVersion(op.lambda, router, '$LATEST', op.signal));
    const version = await publishRouter(op, router, pkgSha, settled.RevisionId ?? updated.RevisionId, staged, routerDescription(ref.functionName, ref.aliasName));
    await guardedWrite(op, {
      step: `UpdateAlias ${router}:${info.routerAlias}`,
      stateIfFailed: `Version ${version} of ${router} holds the new rule; ${unchanged}`,
      send: () => op.lambda.send(new UpdateAliasCommand({ FunctionName: router, Name: info.routerAlias, FunctionVersion: version, RevisionId: alias.RevisionId })),
      readBack: () => op.lambda.send(new GetAliasCommand({ FunctionName: router, Name: info.routerAlias })),
      judge: (now) => (now.FunctionVersion === version ? { landed: now } : {}),
      unknown: (cause) => unknownOutcome({ step: `UpdateAlias ${router}:${info.routerAlias}`, subject: `${router}:${info.routerAlias}`, cause, maybe: `It may serve version ${version} (the new rule) or ${info.routerVersion}.`, check: 'Run router show.' }),
      refused: (name, cause, state) => (name === 'PreconditionFailedException' ? new OperationError(`${router}:${info.routerAlias} changed since it was read — refresh and retry.`, { step: `UpdateAlias ${router}:${info.routerAlias}`, state, cause, kind: 'conflict' }) : undefined),
    });
    detail.routerVersion = version;
    return detail;
  });
}

async function findRouterWith(op: Pick<OperationContext, 'lambda' | 'signal'>, ref: RouterRef, routerName?: string) {
  const router = routerName ?? defaultRouterName(ref.functionName);
  const notFound = (e: unknown) => (errorName(e) === 'ResourceNotFoundException' ? undefined : Promise.reject(e));
  const alias = await getAlias(op.lambda, router, ref.aliasName, op.signal).catch(notFound);
  if (!alias?.FunctionVersion) return undefined;
  const fn = await getVersion(op.lambda, router, alias.FunctionVersion, op.signal).catch(notFound);
  if (!fn || !isOurRouter(fn, ref)) return undefined;
  const config = routerRule(fn)!;
  const info: RouterInfo = { router, routerAlias: ref.aliasName, routerVersion: alias.FunctionVersion, config, functionArn: fn.FunctionArn ?? '', aliasArn: alias.AliasArn ?? '', ...(fn.Role ? { roleArn: fn.Role } : {}) };
  return { info, fn, alias };
}

export async function findRouter(ctx: UseCaseContext, ref: RouterRef): Promise<RouterInfo | undefined> {
  return (await findRouterWith(ctx, ref))?.info;
}
