import { AwsError, conflict, invalidParameter, notFound, preconditionFailed, validation } from '../errors';
import type { FunctionRecord, PolicyRecord, PolicyStatement } from '../model';
import { triggersOf } from '../model';
import { expectArn, expectBoolean, expectEnum, expectString, isVersionQualifier } from '../validation';
import type { LambdaContext } from './context';
import { VERSION_OR_ALIAS } from './context';
import type { Reply } from './shared';

/** Lambda's limit on a function's (or qualifier's) resource-based policy. */
export const MAX_POLICY_BYTES = 20 * 1024;

const STATEMENT_ID = /^[a-zA-Z0-9_-]+$/;
const REMOVE_STATEMENT_ID = /^[a-zA-Z0-9_.-]+$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;

const STALE_REVISION =
  'The RevisionId provided does not match the latest RevisionId for the Lambda function or alias. Call the GetPolicy API to retrieve the latest RevisionId for your resource.';

/**
 * AddPermission, RemovePermission and GetPolicy: one resource-based policy per qualifier, as on
 * AWS (the unqualified function's is kept under '$LATEST'). A policy has no revision of its own:
 * its RevisionId is that of what the qualifier names (the alias, the version, or $LATEST for the
 * unqualified function), and adding or removing a statement gives that alias or version a new
 * RevisionId, so a later UpdateAlias with the alias's old RevisionId fails its precondition.
 */
export class PoliciesApi {
  constructor(private readonly ctx: LambdaContext) {}

  /** The function and the qualifier the request names ('$LATEST' for none), which must exist. */
  private target(pathName: string, query: URLSearchParams, action: string): { fn: FunctionRecord; qualifier: string; named: boolean; given?: string } {
    const { fn, qualifier: pathQualifier } = this.ctx.fn(pathName, action);
    const q = this.ctx.qualifierOf(pathQualifier, query, VERSION_OR_ALIAS);
    this.ctx.resolve(fn, q);
    return { fn, qualifier: q ?? '$LATEST', named: q !== undefined && q !== '$LATEST', given: q };
  }

  /** The RevisionId of what the qualifier names: the alias's, the version's, or $LATEST's. */
  private revisionOf(fn: FunctionRecord, qualifier: string): string {
    if (qualifier === '$LATEST') return fn.latest.revisionId;
    if (isVersionQualifier(qualifier)) return this.ctx.version(fn, qualifier).revisionId;
    return this.ctx.alias(fn, qualifier).revisionId;
  }

  /** Gives what the qualifier names a new RevisionId: its policy changed. */
  private newRevision(fn: FunctionRecord, qualifier: string): void {
    const revisionId = this.ctx.revision();
    if (qualifier === '$LATEST') fn.latest = { ...fn.latest, revisionId };
    else if (isVersionQualifier(qualifier)) fn.versions = fn.versions.map((v) => (v.version === qualifier ? { ...v, revisionId } : v));
    else this.ctx.putAlias(fn, { ...this.ctx.alias(fn, qualifier), revisionId });
  }

  private policy(fn: FunctionRecord, qualifier: string): PolicyRecord | undefined {
    return fn.triggers?.policies.find((p) => p.qualifier === qualifier);
  }

  private document(p: PolicyRecord): string {
    return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: p.statements });
  }

  addPermission(pathName: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    const { fn, qualifier, named, given } = this.target(pathName, query, 'AddPermission');
    // GetPolicy and RemovePermission take $LATEST as the unqualified function; AddPermission refuses it.
    if (given === '$LATEST') {
      throw invalidParameter('We currently do not support adding policies for $LATEST.');
    }
    const sid = expectString(body.StatementId, 'StatementId');
    if (sid === undefined) throw validation(null, 'statementId', 'Member must not be null');
    if (sid.length < 1 || sid.length > 100 || !STATEMENT_ID.test(sid)) throw validation(sid, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)');
    const action = expectString(body.Action, 'Action');
    if (action === undefined) throw validation(null, 'action', 'Member must not be null');
    if (!ACTION.test(action)) throw validation(action, 'action', 'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])');
    const principal = expectString(body.Principal, 'Principal');
    if (principal === undefined) throw validation(null, 'principal', 'Member must not be null');
    if (!/^[^\s]+$/.test(principal) || principal.length > 256) throw validation(principal, 'principal', 'Member must satisfy regular expression pattern: [^\\s]+');
    const sourceArn = expectArn(body.SourceArn, 'SourceArn', 'sourceArn');
    const sourceAccount = expectString(body.SourceAccount, 'SourceAccount');
    if (sourceAccount !== undefined && !/^\d{12}$/.test(sourceAccount)) throw validation(sourceAccount, 'sourceAccount', 'Member must satisfy regular expression pattern: \\d{12}');
    const token = expectString(body.EventSourceToken, 'EventSourceToken');
    if (token !== undefined && (token.length > 256 || !/^[a-zA-Z0-9._-]+$/.test(token))) throw validation(token, 'eventSourceToken', 'Member must satisfy regular expression pattern: [a-zA-Z0-9._\\-]+');
    const org = expectString(body.PrincipalOrgID, 'PrincipalOrgID');
    if (org !== undefined && !/^o-[a-z0-9]{10,32}$/.test(org)) throw validation(org, 'principalOrgID', 'Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}');
    const urlAuth = expectEnum(body.FunctionUrlAuthType, 'FunctionUrlAuthType', 'functionUrlAuthType', ['NONE', 'AWS_IAM'] as const);
    const viaUrl = expectBoolean(body.InvokedViaFunctionUrl, 'InvokedViaFunctionUrl');
    const revision = expectString(body.RevisionId, 'RevisionId');

    const statement: PolicyStatement = {
      Sid: sid,
      Effect: 'Allow',
      Principal: principalOf(principal),
      Action: action,
      Resource: this.ctx.arn(fn.name, named ? qualifier : undefined),
    };
    const condition: Record<string, Record<string, string>> = {};
    const put = (op: string, key: string, value: string) => ((condition[op] ??= {})[key] = value);
    if (sourceAccount !== undefined) put('StringEquals', 'AWS:SourceAccount', sourceAccount);
    if (org !== undefined) put('StringEquals', 'aws:PrincipalOrgID', org);
    if (token !== undefined) put('StringEquals', 'lambda:EventSourceToken', token);
    if (urlAuth !== undefined) put('StringEquals', 'lambda:FunctionUrlAuthType', urlAuth);
    if (viaUrl === true) put('Bool', 'lambda:InvokedViaFunctionUrl', 'true');
    if (sourceArn !== undefined) put('ArnLike', 'AWS:SourceArn', sourceArn);
    if (Object.keys(condition).length) statement.Condition = condition;

    const existing = this.policy(fn, qualifier);
    if (revision !== undefined && revision !== this.revisionOf(fn, qualifier)) throw preconditionFailed(STALE_REVISION);
    if (existing?.statements.some((s) => s.Sid === sid)) {
      throw conflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const next: PolicyRecord = { qualifier, statements: [...(existing?.statements ?? []), statement] };
    if (Buffer.byteLength(this.document(next)) > MAX_POLICY_BYTES) {
      throw new AwsError('PolicyLengthExceededException', 400, `The final policy size (${Buffer.byteLength(this.document(next))}) is bigger than the limit (${MAX_POLICY_BYTES}).`);
    }
    const policies = triggersOf(fn).policies;
    if (existing) policies.splice(policies.indexOf(existing), 1, next);
    else policies.push(next);
    this.newRevision(fn, qualifier);
    this.ctx.store.saveFunction(fn);
    return { status: 201, body: { Statement: JSON.stringify(statement) } };
  }

  removePermission(pathName: string, statementId: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'RemovePermission');
    if (statementId.length < 1 || statementId.length > 100 || !REMOVE_STATEMENT_ID.test(statementId)) {
      throw validation(statementId, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)');
    }
    const revision = query.get('RevisionId');
    const existing = this.policy(fn, qualifier);
    // What is not there is answered before the revision is compared.
    if (!existing) throw notFound('No policy is associated with the given resource.');
    if (!existing.statements.some((s) => s.Sid === statementId)) throw notFound(`Statement ${statementId} is not found in resource policy.`);
    if (revision !== null && revision !== this.revisionOf(fn, qualifier)) throw preconditionFailed(STALE_REVISION);
    const policies = triggersOf(fn).policies;
    const statements = existing.statements.filter((s) => s.Sid !== statementId);
    // A policy left with no statement is no policy: GetPolicy answers ResourceNotFoundException.
    if (statements.length) policies.splice(policies.indexOf(existing), 1, { ...existing, statements });
    else policies.splice(policies.indexOf(existing), 1);
    this.newRevision(fn, qualifier);
    this.ctx.store.saveFunction(fn);
    return { status: 204 };
  }

  getPolicy(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.target(pathName, query, 'GetPolicy');
    const p = this.policy(fn, qualifier);
    if (!p) throw notFound('The resource you requested does not exist.');
    return { status: 200, body: { Policy: this.document(p), RevisionId: this.revisionOf(fn, qualifier) } };
  }
}

/**
 * The policy's Principal for AddPermission's: a service (`s3.amazonaws.com`) as Service, an
 * account ID as that account's root, an IAM ARN as it is, `*` as everyone.
 */
function principalOf(principal: string): string | Record<string, string> {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(principal)) return { Service: principal };
  throw invalidParameter(`The provided principal was invalid. Please check the principal and try again: ${principal.slice(0, 100)} is neither a service (s3.amazonaws.com), an account ID, an IAM ARN nor *.`);
}
