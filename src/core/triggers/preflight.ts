import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import { GetProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import type { PreflightFinding, PreflightReport, TriggerAudit, TriggerView } from '../../shared/triggers';
import { errorSummary, isCancelled, OperationError } from '../errors';
import { errorName, getAlias, getVersion } from '../lambdaApi';
import { newOperationRecord } from '../operationContext';
import type { OperationContext } from '../operationContext';
import type { UseCaseContext } from '../usecases/context';
import { badInput } from './classify';
import { gatherTriggerFacts } from './read';
import { buildAudit } from './views';

/**
 * Pre-flight before Publish Canary, Start Canary and a rollout: what would make the canary see
 * only part of the traffic, and what makes Lambda refuse or misroute a weighted alias.
 */

export interface PreflightInput {
  functionName: string;
  aliasName: string;
  /** The version about to get traffic; undefined: a version about to be published from $LATEST. */
  version?: string;
}

/** What preflightReport judges; everything optional, as what could not be read is absent. */
export interface PreflightFacts {
  functionName: string;
  aliasName: string;
  version?: string;
  audit?: TriggerAudit;
  alias?: Pick<AliasConfiguration, 'FunctionVersion' | 'RoutingConfig'>;
  /** The alias's primary version's configuration. */
  primary?: FunctionConfiguration;
  /** The version about to get traffic, or $LATEST's configuration (what a publish copies). */
  candidate?: FunctionConfiguration;
  /** The alias's provisioned concurrency; undefined: none. */
  provisioned?: { requested?: number; allocated?: number; status?: string };
  /** Reads of the pre-flight's own that failed, one sentence each. */
  unreadable: string[];
}

/** Sources: what sends events (a mapping, a URL, a permission), not settings (async invoke configs) or Deny statements. */
function isSource(t: TriggerView): boolean {
  return t.kind !== 'event-invoke-config' && (t.verdict === 'through' || t.verdict === 'bypasses');
}

const SHORT: Array<[RegExp, string]> = [
  [/^API Gateway API/, 'the API'],
  [/^SQS queue/, 'the queue'],
  [/^Kinesis stream/, 'the stream'],
  [/^DynamoDB table/, 'the DynamoDB stream'],
  [/^(MSK cluster|Kafka)/, 'the Kafka topic'],
  [/^Amazon MQ/, 'the broker'],
  [/^DocumentDB/, 'the change stream'],
  [/^S3 bucket/, 'the bucket'],
  [/^SNS topic/, 'the topic'],
  [/^EventBridge rule/, 'the rule'],
  [/^Function URL/, 'the function URL'],
];

/** `the API's traffic`, `the traffic of the API and the queue`. */
function trafficOf(through: TriggerView[]): string {
  const shorts = through.map((t) => SHORT.find(([re]) => re.test(t.label))?.[1]);
  const names = shorts.every((s) => s !== undefined) && new Set(shorts).size === shorts.length ? (shorts as string[]) : through.map((t) => t.label);
  if (names.length === 1) return `${names[0]}'s traffic`;
  return `the traffic of ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function roleName(arn: string | undefined): string {
  return arn ? arn.replace(/^arn:[^:]+:iam::[0-9]+:role\/(?:.*\/)?/, 'role ') : 'no role';
}

function fixName(action: string): string {
  return action === 'route-through-alias' ? 'Route Through Alias' : action === 'create-url-on-alias' ? 'Create URL on Alias' : 'Grant on Alias';
}

/** The pre-flight's findings and summary from what was gathered. Pure. */
export function preflightReport(f: PreflightFacts): PreflightReport {
  const findings: PreflightFinding[] = [];
  const alias = f.aliasName;
  const summary: string[] = [];

  const sources = (f.audit?.triggers ?? []).filter(isSource);
  const bypassing = sources.filter((t) => t.verdict === 'bypasses');
  for (const t of bypassing) {
    findings.push({
      code: 'bypass',
      severity: 'warning',
      message: `${t.label}: ${t.detail}`,
      fix: t.fix ? `${fixName(t.fix.action)}: ${t.fix.text}` : (t.notes.find((n) => /move|remove|point|route/i.test(n)) ?? `Point it at ${alias}'s ARN.`),
      triggerId: t.id,
    });
  }
  if (bypassing.length) {
    const through = sources.filter((t) => t.verdict === 'through');
    const verb = bypassing.length === 1 ? 'bypasses' : 'bypass';
    summary.push(`${bypassing.length} of ${sources.length} sources ${verb} ${alias}: the canary would see ${through.length ? `only ${trafficOf(through)}` : 'none of their traffic'}.`);
  }

  const primaryVersion = f.alias?.FunctionVersion ?? f.primary?.Version;
  const candidateName = f.version !== undefined ? `version ${f.version}` : 'a version published from $LATEST';
  const splits = f.primary && f.candidate && (f.version === undefined || f.version !== primaryVersion);
  if (splits) {
    const p = f.primary!;
    const c = f.candidate!;
    if ((p.Role ?? '') !== (c.Role ?? '')) {
      findings.push({
        code: 'role-mismatch',
        severity: 'blocker',
        message: `Version ${primaryVersion} (${alias}'s primary) and ${candidateName} use different execution roles (${roleName(p.Role)} vs ${roleName(c.Role)}): Lambda refuses to split ${alias}'s traffic between them.`,
        fix: `Give the function the role ${p.Role ?? '?'} and publish again, or switch ${alias} to the new version without a canary.`,
      });
    }
    const pd = p.DeadLetterConfig?.TargetArn ?? '';
    const cd = c.DeadLetterConfig?.TargetArn ?? '';
    if (pd !== cd) {
      findings.push({
        code: 'dead-letter-mismatch',
        severity: 'blocker',
        message: `Version ${primaryVersion} (${alias}'s primary) and ${candidateName} have different dead-letter queues (${pd || 'none'} vs ${cd || 'none'}): Lambda refuses to split ${alias}'s traffic between them.`,
        fix: `Give the function the dead-letter queue ${pd || 'of none'} and publish again, or switch ${alias} without a canary.`,
      });
    }
  }

  if (f.provisioned) {
    const { requested, allocated } = f.provisioned;
    findings.push({
      code: 'provisioned-concurrency',
      severity: 'warning',
      message: `${alias} has provisioned concurrency (${requested ?? '?'} requested${allocated !== undefined ? `, ${allocated} allocated` : ''}): while it routes by weight, Lambda provisions each version's share, so what is allocated fluctuates, and invocations beyond a version's share spill over to on-demand (cold) environments; the canary's latency may then not be comparable with the stable version's.`,
      fix: `Raise ${alias}'s provisioned concurrency for the time the canary runs (Lambda's advice for weighted aliases), or judge latency loosely until the canary's environments are warm.`,
    });
  }

  // State undefined: an endpoint that does not report it; nothing to judge.
  const state = f.candidate?.State;
  if (f.version !== undefined && f.candidate && state !== undefined && state !== 'Active') {
    const reason = f.candidate.StateReason ? ` (${f.candidate.StateReason.replace(/\.$/, '')})` : '';
    const snap = f.candidate.SnapStart?.ApplyOn === 'PublishedVersions';
    if (state === 'Inactive') {
      // Lambda does not refuse a weighted alias to an Inactive version; its first invocations
      // fail while Lambda sets it Pending and recreates its resources.
      findings.push({
        code: 'version-not-active',
        severity: 'warning',
        message: `Version ${f.version} is Inactive${reason}: it was idle long enough for Lambda to reclaim its resources, so the first invocations it gets fail while Lambda recreates them (it is Pending meanwhile).`,
        fix: `Invoke version ${f.version} once (that reactivates it) and wait until it is Active, or publish again.`,
      });
    } else if (snap) {
      findings.push({
        code: 'snapstart-not-active',
        severity: 'blocker',
        message:
          state === 'Failed'
            ? `Version ${f.version} uses SnapStart and its snapshot failed${reason}: it cannot take traffic.`
            : `Version ${f.version} uses SnapStart and is ${state}${reason}: Lambda is still taking its snapshot, and it takes no traffic until it is Active.`,
        fix: state === 'Failed' ? 'Fix the cause and publish a new version.' : `Wait until version ${f.version} is Active (SnapStart takes a few minutes), then retry.`,
      });
    } else {
      findings.push({
        code: 'version-not-active',
        severity: 'blocker',
        message: `Version ${f.version} is ${state}${reason}: traffic can only go to an Active version.`,
        fix: state === 'Failed' ? 'Fix the cause and publish a new version.' : `Wait until version ${f.version} is Active, then retry.`,
      });
    }
  }

  for (const line of [...(f.audit?.unreadable ?? []), ...f.unreadable]) {
    findings.push({ code: 'unreadable', severity: 'warning', message: line, fix: 'Grant the permission named, or check this yourself before going on.' });
  }

  const blockers = findings.filter((x) => x.severity === 'blocker');
  for (const b of blockers) summary.push(b.message);
  if (!summary.length && findings.length) summary.push(findings[0].message);
  return {
    functionName: f.functionName,
    aliasName: alias,
    ...(f.version !== undefined ? { version: f.version } : {}),
    summary: summary.join(' '),
    findings,
  };
}

/** A read the pre-flight could not make, in words. */
function failed(what: string, action: string, err: unknown): string {
  const cause = err instanceof OperationError && err.cause !== undefined ? err.cause : err;
  const name = errorName(cause);
  if (/AccessDenied/.test(name)) return `The ${what} could not be read (access denied): grant ${action} to check it.`;
  return `The ${what} could not be read (${err instanceof OperationError ? err.message : errorSummary(cause)}): it was not checked.`;
}

/** Gathers the facts and judges them. Never throws: what it cannot read is an 'unreadable' finding. */
export async function preflight(ctx: UseCaseContext, input: PreflightInput): Promise<PreflightReport> {
  const op: OperationContext = { lambda: ctx.lambda, log: ctx.log, signal: ctx.signal, profile: ctx.profile, record: newOperationRecord() };
  const fn = input.functionName;
  const facts: PreflightFacts = { functionName: fn, aliasName: input.aliasName, ...(input.version !== undefined ? { version: input.version } : {}), unreadable: [] };
  const attempt = async <T>(what: string, action: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      if (isCancelled(err)) facts.unreadable.push(`The pre-flight was cancelled before the ${what} was read.`);
      else facts.unreadable.push(failed(what, action, err));
      return undefined;
    }
  };
  const bad = badInput(fn, input.aliasName);
  if (bad) return preflightReport({ ...facts, unreadable: [`${bad} Nothing was checked.`] });
  try {
    const [gathered, alias, provisioned] = await Promise.all([
      attempt('triggers', 'the permissions listed in the README', () => gatherTriggerFacts(op, { functionName: fn, aliasName: input.aliasName })),
      attempt(`alias ${input.aliasName}`, 'lambda:GetAlias', () => getAlias(ctx.lambda, fn, input.aliasName, ctx.signal)),
      attempt(`provisioned concurrency of ${input.aliasName}`, 'lambda:GetProvisionedConcurrencyConfig', async () => {
        try {
          const pc = await ctx.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: input.aliasName }), { abortSignal: ctx.signal });
          return { requested: pc.RequestedProvisionedConcurrentExecutions, allocated: pc.AllocatedProvisionedConcurrentExecutions, status: pc.Status };
        } catch (err) {
          // None configured; an endpoint without the API (the sandbox) has none either.
          if (['ProvisionedConcurrencyConfigNotFoundException', 'UnknownOperationException', 'ResourceNotFoundException'].includes(errorName(err))) return undefined;
          throw err;
        }
      }),
    ]);
    if (gathered) facts.audit = buildAudit(gathered);
    if (alias) facts.alias = alias;
    if (provisioned) facts.provisioned = provisioned;
    const primaryVersion = alias?.FunctionVersion;
    const candidate = input.version ?? '$LATEST';
    const [primary, cand] = await Promise.all([
      primaryVersion && primaryVersion !== candidate ? attempt(`configuration of version ${primaryVersion}`, 'lambda:GetFunctionConfiguration', () => getVersion(ctx.lambda, fn, primaryVersion, ctx.signal)) : Promise.resolve(undefined),
      attempt(input.version !== undefined ? `configuration of version ${input.version}` : 'configuration of $LATEST', 'lambda:GetFunctionConfiguration', () => getVersion(ctx.lambda, fn, candidate, ctx.signal)),
    ]);
    if (primary) facts.primary = primary;
    if (cand) facts.candidate = cand;
  } catch (err) {
    // Only a programming error gets here: still a report, never a throw.
    ctx.log.error(`Pre-flight of ${fn}:${input.aliasName} failed unexpectedly: ${errorSummary(err)}`);
    facts.unreadable.push(`The pre-flight failed (${errorSummary(err)}): nothing was checked.`);
  }
  return preflightReport(facts);
}
