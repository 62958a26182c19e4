/**
 * An alias's history as the front ends show it: built by src/core/history from the deployment
 * journal and CloudTrail, rendered by the traffic panel's History section, the quick pick and the
 * CLI (text, --json, --csv). Plain data, no Node, DOM or vscode types: the webview compiles this
 * file too. Every string that came from AWS (a description, an ARN, a user agent) is text, never
 * Markdown or HTML.
 */

/** Where an entry came from: this machine's journal, CloudTrail, or both (the same write, matched). */
export type HistorySource = 'journal' | 'cloudtrail' | 'both';

/**
 * What an entry is. routing: the alias's routing changed (a canary, a weight, a promotion, a
 * rollback, a switch, a return). publish: a version was published (with no routing change of its
 * own). alias-created / alias-deleted / version-deleted: as named. rollout / codedeploy: a
 * progressive rollout (its steps in `steps`). triggers: a trigger fix. other: anything else.
 */
export type HistoryKind = 'routing' | 'publish' | 'alias-created' | 'alias-deleted' | 'version-deleted' | 'rollout' | 'codedeploy' | 'triggers' | 'other';

/** How the change ended. */
export type HistoryEnd = 'done' | 'failed' | 'refused' | 'unknown' | 'rolled-back' | 'stopped' | 'running';

/** Who made the change, as a person reads it. */
export interface HistoryActor {
  /** Journal: this machine's user (`alice@laptop`); CloudTrail: the caller's user name or role session. */
  name: string;
  /** CloudTrail: the caller's ARN. */
  arn?: string;
  /**
   * The client that sent it, classified from CloudTrail's userAgent / invokedBy or the journal's
   * client: 'lambda-canary', 'console', 'aws-cli', 'CodeDeploy', 'CloudFormation', 'SAM CLI',
   * 'Terraform', 'SDK', or 'other'.
   */
  client: string;
  /** CloudTrail's userAgent as AWS recorded it (text). */
  userAgent?: string;
  /** Journal: the host name. */
  host?: string;
  /** CloudTrail: the access key the request was signed with. */
  accessKeyId?: string;
}

/** An alias's routing: the primary version and the additional versions' weights (0..1). */
export interface HistoryRouting {
  version: string;
  weights: Record<string, number>;
}

export interface HistoryStepView {
  /** `10%`, `50%`, `100%`. */
  label: string;
  verdict?: string;
  /** One line with the numbers (`errors 0.2% vs 0.1% over 1,204 invocations, p99 41 ms vs 39 ms`). */
  text: string;
}

export interface HistoryEntry {
  /** Stable across reads: the journal record's id, else `ct:` + the CloudTrail EventId. */
  id: string;
  /** ISO time of the change (the journal's end of the action, or CloudTrail's eventTime). */
  at: string;
  kind: HistoryKind;
  /** The action as named where it came from: a journal action (`promote`) or a CloudTrail event name without its API date (`UpdateAlias`). */
  action: string;
  /** One line: what changed (`7 → 8 (promoted)`, `version 9 published (fix checkout)`). */
  summary: string;
  who: HistoryActor;
  source: HistorySource;
  /** Routing before and after, when known (CloudTrail alone knows only `after`; `before` is then the previous entry's after). */
  before?: HistoryRouting;
  after?: HistoryRouting;
  /** The alias RevisionId the change resulted in, when known. */
  revisionId?: string;
  versionsPublished: Array<{ version: string; codeSha256?: string; description?: string }>;
  ended: HistoryEnd;
  /** Why it ended as it did, one line (an error's message, a rollback's verdict). */
  endedText?: string;
  /** A rollout's steps with their verdicts. */
  steps?: HistoryStepView[];
  /** The CloudTrail events merged into this entry. */
  cloudTrailEventIds: string[];
  /** Return to This State: the routing it would restore, or why it cannot. */
  returnTo: { ok: true; state: HistoryRouting } | { ok: false; reason: string };
}

/** What reading CloudTrail gave, in one line for the user. */
export interface HistoryCloudTrailStatus {
  /**
   * read: events were read. denied: no cloudtrail:LookupEvents permission. unavailable: the endpoint
   * has no CloudTrail. off: not asked (the user turned it off). error: another failure (throttling, network).
   */
  state: 'read' | 'denied' | 'unavailable' | 'off' | 'error';
  /** One sentence: what was read, or why the history is the journal's alone. */
  message: string;
  /** CloudTrail's delivery lag, said once (`CloudTrail shows a write about 5 minutes after it; newer changes come from the journal alone.`). */
  lagNote: string;
  /** Lambda events read (before filtering to this alias). */
  eventsRead: number;
  /** The page limit stopped the read before `since`: older CloudTrail events were not read. */
  truncated: boolean;
  /** The oldest time the read covered (ISO). */
  coveredFrom?: string;
}

export interface HistoryView {
  functionName: string;
  aliasName: string;
  /** The window read (ISO). */
  since: string;
  until: string;
  /** Newest first. */
  entries: HistoryEntry[];
  /** The alias as it is now, when it could be read. */
  current?: HistoryRouting & { revisionId?: string };
  cloudTrail: HistoryCloudTrailStatus;
  journal: { records: number; problems: string[] };
}
