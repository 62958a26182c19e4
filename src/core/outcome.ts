import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import type { OperationErrorKind } from './errors';

/**
 * What a use case did, as data: the one thing every front end renders (notification, CLI text,
 * `--json`, log line) and the journal stores. Later features (rollouts, history, releases) read
 * these records back, so every field is plain JSON.
 */

/** Every user action, as the CLI names it (the journal reads back records of these only). */
export const ACTION_NAMES = ['deploy', 'canary', 'weight', 'promote', 'rollback', 'switch', 'switch-back', 'probe', 'traffic', 'create-alias', 'rollout', 'triggers', 'trigger-fix', 'codedeploy', 'history', 'return', 'release', 'router'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** The alias an action is about, keyed by what identifies it on AWS (never by a display label). */
export interface Target {
  /** From the alias ARN; undefined until the alias was read. */
  account?: string;
  region?: string;
  function: string;
  alias: string;
}

/** An alias's routing at one moment. */
export interface AliasState {
  /** The primary version (`FunctionVersion`). */
  version: string;
  /** AdditionalVersionWeights: version → weight 0..1. Empty when all traffic goes to `version`. */
  weights: Record<string, number>;
  /** Absent on endpoints that do not return one (some emulators): writes are then unguarded. */
  revisionId?: string;
}

export interface PublishedVersion {
  version: string;
  codeSha256?: string;
  description?: string;
}

export type StepResult = 'ok' | 'failed' | 'skipped';

export interface StepRecord {
  /** e.g. 'GetAlias prod', 'UpdateFunctionCode', 'Smoke invoke of version 8'. */
  name: string;
  ms: number;
  result: StepResult;
}

/**
 * `done`: the action's change is in place (or, for read-only actions, it ran). `unchanged`: this
 * action changed nothing of the alias's routing — after a refusal, a failure, a conflict, or
 * nothing to do; when another client moved the alias meanwhile, `after` shows its routing.
 * `unknown`: a write got no clear answer and could not be read back.
 */
export type OutcomeState = 'done' | 'unchanged' | 'unknown';

export interface OutcomeError {
  kind: OperationErrorKind;
  /** One sentence with the fix, redacted. */
  message: string;
  /** The step that failed. */
  step?: string;
  /** What is true now, in words (e.g. that a version was published but receives no traffic). */
  left?: string;
}

export interface Outcome<Detail = unknown> {
  /** A random id; the journal's key for this record. */
  id: string;
  action: ActionName;
  target: Target;
  startedAt: string;
  endedAt: string;
  /** Routing before the action, as read by it. */
  before?: AliasState;
  /** Routing after it (what the write returned, or what a read-back found). */
  after?: AliasState;
  versionsPublished: PublishedVersion[];
  /** The deployed $LATEST already held the package's code. */
  uploadSkipped?: boolean;
  steps: StepRecord[];
  state: OutcomeState;
  error?: OutcomeError;
  /** Things the user should know that did not stop the action (e.g. an unguarded write). */
  warnings: string[];
  /** Why nothing was done although nothing failed: what was asked is already so. */
  note?: string;
  /** Action-specific data: a probe's counts, a traffic report. */
  detail?: Detail;
}

export function aliasState(alias: Pick<AliasConfiguration, 'FunctionVersion' | 'RoutingConfig' | 'RevisionId'>): AliasState {
  return {
    version: alias.FunctionVersion ?? '$LATEST',
    weights: { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) },
    ...(alias.RevisionId ? { revisionId: alias.RevisionId } : {}),
  };
}

/** Same routing (primary and weights); the RevisionId is not compared. */
export function sameRouting(a: AliasState | undefined, b: AliasState | undefined): boolean {
  if (!a || !b) return false;
  const ka = Object.keys(a.weights);
  return a.version === b.version && ka.length === Object.keys(b.weights).length && ka.every((k) => a.weights[k] === b.weights[k]);
}

/** `arn:aws:lambda:eu-west-1:123456789012:function:checkout:prod` → its account, region and function name. */
export function arnParts(arn: string | undefined): { account?: string; region?: string; function?: string } {
  const m = /^arn:[^:]+:lambda:([^:]*):([^:]*):function:([^:]+)/.exec(arn ?? '');
  return m ? { region: m[1] || undefined, account: m[2] || undefined, function: m[3] } : {};
}

/**
 * A FunctionName as a caller may have given it (a name, `123456789012:function:NAME`, a function
 * ARN, with or without an alias or version qualifier, or `NAME:QUALIFIER`) → its parts.
 */
export function functionNameParts(value: string): { name: string; qualifier?: string; account?: string; region?: string } {
  const m = /^(?:arn:[^:]+:lambda:([^:]*):)?(?:(\d{12}):)?function:([^:]+)(?::(.+))?$/.exec(value);
  if (m) return { name: m[3], ...(m[4] ? { qualifier: m[4] } : {}), ...(m[2] ? { account: m[2] } : {}), ...(m[1] ? { region: m[1] } : {}) };
  const at = value.indexOf(':');
  return at < 0 ? { name: value } : { name: value.slice(0, at), qualifier: value.slice(at + 1) };
}

/**
 * The alias an action is about, the same however the user named its function (`checkout`, its
 * ARN, or `123456789012:function:checkout`): account, region and function name from the alias's
 * ARN when it was read, else from a function ARN the user gave, else the connection's region.
 * Every journal key is made here, for writing and for looking up alike.
 */
export function targetOf(ref: { functionName: string; aliasName: string }, alias?: { AliasArn?: string }, region?: string): Target {
  const fromAlias = arnParts(alias?.AliasArn);
  const given = ref.functionName.includes('function:') ? functionNameParts(ref.functionName) : undefined;
  return {
    account: fromAlias.account ?? given?.account,
    region: fromAlias.region ?? given?.region ?? region,
    function: fromAlias.function ?? given?.name ?? ref.functionName,
    alias: ref.aliasName,
  };
}

/** The journal's and the front ends' key for an alias: account/region/function:alias. */
export function targetKey(t: Target): string {
  return `${t.account ?? '?'}/${t.region ?? '?'}/${t.function}:${t.alias}`;
}
