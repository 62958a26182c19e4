import type { HistoryActor } from '../../shared/history';

/**
 * Who made a change, as CloudTrail recorded it: the client (from the user agent and invokedBy)
 * and the caller's name (an IAM user's name, an assumed role's session name). Pure.
 */

/** The client families history names; the first rule that matches wins (a Lambda Canary user agent also names its SDK). */
const CLIENT_RULES: ReadonlyArray<[string, RegExp]> = [
  ['lambda-canary', /lambda-canary\//i],
  ['CodeDeploy', /codedeploy\.amazonaws\.com/i],
  ['CloudFormation', /cloudformation\.amazonaws\.com/i],
  ['console', /(?:^|[\s/])(?:console|signin)\.amazonaws\.com|^console\.aws\.amazon\.com/i],
  ['SAM CLI', /aws-sam-cli|sam-cli\//i],
  ['aws-cli', /aws-cli\//i],
  ['Terraform', /terraform\/|terraform-provider-aws/i],
  ['SDK', /aws-sdk-[a-z0-9-]+|boto3\/|botocore\//i],
];

/**
 * The client that sent a request: 'lambda-canary', 'CodeDeploy', 'CloudFormation', 'console',
 * 'SAM CLI', 'aws-cli', 'Terraform', 'SDK', or 'other'. `invokedBy`: userIdentity.invokedBy (an
 * AWS service acting for the caller); `consoleSession`: the event says its credentials came from a
 * console sign-in (sessionCredentialFromConsole), which makes "AWS Internal" the console.
 */
export function classifyClient(userAgent: string | undefined, invokedBy?: string, consoleSession = false): string {
  for (const text of [invokedBy, userAgent]) {
    if (!text) continue;
    for (const [client, rule] of CLIENT_RULES) if (rule.test(text)) return client;
  }
  return consoleSession ? 'console' : 'other';
}

/** CloudTrail's userIdentity, as much of it as history reads (every field may be missing). */
export interface TrailIdentity {
  type?: string;
  userName?: string;
  arn?: string;
  principalId?: string;
  accountId?: string;
  accessKeyId?: string;
  invokedBy?: string;
  sessionContext?: { sessionIssuer?: { userName?: string; arn?: string } };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A userIdentity read defensively: only string fields are kept. */
export function trailIdentity(value: unknown): TrailIdentity {
  if (!value || typeof value !== 'object') return {};
  const v = value as Record<string, unknown>;
  const ctx = v.sessionContext && typeof v.sessionContext === 'object' ? (v.sessionContext as Record<string, unknown>) : undefined;
  const issuer = ctx?.sessionIssuer && typeof ctx.sessionIssuer === 'object' ? (ctx.sessionIssuer as Record<string, unknown>) : undefined;
  return {
    type: str(v.type),
    userName: str(v.userName),
    arn: str(v.arn),
    principalId: str(v.principalId),
    accountId: str(v.accountId),
    accessKeyId: str(v.accessKeyId),
    invokedBy: str(v.invokedBy),
    ...(issuer ? { sessionContext: { sessionIssuer: { userName: str(issuer.userName), arn: str(issuer.arn) } } } : {}),
  };
}

/** `arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-42` → `ci-run-42` (and the role). */
export function assumedRoleSession(arn: string | undefined): { role: string; session: string } | undefined {
  const m = /^arn:[^:]+:sts::[^:]*:assumed-role\/([^/]+)\/(.+)$/.exec(arn ?? '');
  return m ? { role: m[1], session: m[2] } : undefined;
}

/** The caller's name as a person reads it: a user's name, a role session's name (with its role), root, or the service. */
export function actorName(id: TrailIdentity): string {
  if (id.type === 'Root') return 'root';
  if (id.userName && id.type !== 'AssumedRole') return id.userName;
  const assumed = assumedRoleSession(id.arn);
  if (assumed) return `${assumed.session} (role ${assumed.role})`;
  if (id.type === 'AWSService' && id.invokedBy) return id.invokedBy;
  return id.userName ?? id.sessionContext?.sessionIssuer?.userName ?? id.principalId ?? id.arn ?? 'unknown';
}

/** The actor of a CloudTrail event. */
export function trailActor(id: TrailIdentity, userAgent: string | undefined, consoleSession = false): HistoryActor {
  return {
    name: actorName(id),
    ...(id.arn ? { arn: id.arn } : {}),
    client: classifyClient(userAgent, id.invokedBy, consoleSession),
    ...(userAgent ? { userAgent } : {}),
    ...(id.accessKeyId ? { accessKeyId: id.accessKeyId } : {}),
  };
}
