/**
 * The trigger audit as plain JSON: what the tree, the CLI (`triggers --json`) and the journal
 * read. Built in src/core/triggers from Lambda's event source mappings, function URLs,
 * resource-based policy statements and asynchronous invoke configurations.
 */

export type TriggerKind = 'event-source-mapping' | 'function-url' | 'permission' | 'event-invoke-config';

/** What a trigger's events call. `unqualified`: the function ARN without a qualifier, or `$LATEST`. */
export type TriggerRoute = { kind: 'alias'; alias: string } | { kind: 'unqualified' } | { kind: 'version'; version: string };

export type TriggerFixAction = 'route-through-alias' | 'create-url-on-alias' | 'grant-on-alias';

export interface TriggerFix {
  action: TriggerFixAction;
  /** The alias the fix moves the trigger onto. */
  alias: string;
  /** One sentence: what the fix writes and what it implies (a new URL, a delivery overlap…). */
  text: string;
}

export interface TriggerView {
  /**
   * Stable id, for `--fix` and the tree: `esm:<UUID>`, `url:<qualifier>`, `policy:<qualifier>:<Sid>`,
   * `async:<qualifier>`; the qualifier is `$LATEST` for the unqualified function.
   */
  id: string;
  kind: TriggerKind;
  /** What sends the events, in words: "SQS queue orders", "Function URL (auth NONE)", "S3 bucket photos". */
  label: string;
  /** The source's ARN, or the URL; for the tooltip. */
  source?: string;
  /** Permissions: the principal (a service such as s3.amazonaws.com, or an account). */
  principal?: string;
  /** The function ARN the trigger targets, as AWS returned it (qualified or not). */
  target: string;
  route: TriggerRoute;
  /** A mapping's State (Enabled, Disabled, Creating…), a URL's AuthType… */
  state?: string;
  /**
   * Relative to the audited alias: `through` it, `bypasses` it ($LATEST, unqualified or a fixed
   * version), `other-alias` (goes through another alias), `info` (no routing of its own, e.g. an
   * async invoke config's destinations).
   */
  verdict: 'through' | 'bypasses' | 'other-alias' | 'info';
  /** One sentence, e.g. "Bypasses prod: calls $LATEST, so the canary never sees these events and a rollback does not protect them." */
  detail: string;
  fix?: TriggerFix;
  /** Further lines to show: an API Gateway integration's exact change, destinations, filters. */
  notes: string[];
}

export interface TriggerAudit {
  functionName: string;
  functionArn?: string;
  /** The alias the verdicts are relative to; undefined: each trigger is judged against every alias (bypass = not through any alias). */
  aliasName?: string;
  /** The function's aliases. */
  aliases: string[];
  triggers: TriggerView[];
  /** What could not be read (AccessDeniedException on GetPolicy…), one sentence each with the IAM action to grant. */
  unreadable: string[];
}

export type PreflightCode =
  | 'bypass'
  | 'role-mismatch'
  | 'dead-letter-mismatch'
  | 'provisioned-concurrency'
  | 'snapstart-not-active'
  | 'version-not-active'
  | 'unreadable';

export interface PreflightFinding {
  code: PreflightCode;
  /** `blocker`: Lambda would refuse or misroute the weighted alias; the front ends do not offer to go on. */
  severity: 'warning' | 'blocker';
  /** One sentence with the numbers. */
  message: string;
  /** One sentence: what fixes it (a command, a setting). */
  fix?: string;
  /** For `bypass`: the trigger, so a front end can offer its fix. */
  triggerId?: string;
}

export interface PreflightReport {
  functionName: string;
  aliasName: string;
  /** The version about to get traffic, when known. */
  version?: string;
  /** e.g. "2 of 3 sources bypass prod: the canary would see only the API's traffic." Empty when nothing was found. */
  summary: string;
  findings: PreflightFinding[];
}

/** What a fix wrote, for the journal and an undo. */
export interface TriggerFixDetail {
  triggerId: string;
  action: TriggerFixAction;
  alias: string;
  /** The trigger as it was before, and what now exists (ids as in TriggerView). */
  before: TriggerView;
  after?: TriggerView;
  /** What the fix created or changed, to undo it: e.g. { mapping: UUID, functionArn: old }, { urlQualifier }, { statementId, qualifier }. */
  undo: Record<string, string>;
  /** What the user still has to do (point the S3 notification at the alias ARN, switch callers to the new URL). */
  followUp: string[];
}
