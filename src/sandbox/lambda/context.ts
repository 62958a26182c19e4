import * as crypto from 'node:crypto';
import { AwsError, conflict, invalidParameter, notFound, preconditionFailed, validation } from '../errors';
import type { MetricsStore } from '../metrics';
import type { AliasRecord, FunctionRecord, VersionRecord } from '../model';
import { stateOf, updateStatusOf } from '../model';
import type { Random } from '../random';
import type { Invoker } from '../runtime/invoker';
import type { Store } from '../store';
import type { FunctionRef } from '../validation';
import { expectString, isVersionQualifier, parseFunctionRef } from '../validation';
import type { LambdaOptions } from './shared';

/**
 * What every Lambda resource module works on: the store and the runtime, and Lambda's rules for
 * naming a function, version or alias, for revisions, and for the shapes it answers with.
 */
/** The Qualifier pattern of the policy and async-settings operations' models: $LATEST, a version or an alias. */
export const VERSION_OR_ALIAS = { pattern: /^(\$LATEST|[a-zA-Z0-9_-]+)$/, text: '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+' };

/** The Qualifier pattern of most operations' models. */
const ANY_QUALIFIER = { pattern: /^(|[a-zA-Z0-9$_-]+)$/, text: '(|[a-zA-Z0-9$_-]+)' };

export class LambdaContext {
  /** The images tests pushed (Sandbox.pushImage): image URI → the digest it resolves to. */
  readonly images = new Map<string, string>();

  constructor(
    readonly store: Store,
    readonly invoker: Invoker,
    readonly metrics: MetricsStore,
    readonly random: Random,
    readonly opts: LambdaOptions,
  ) {}

  arn(name: string, qualifier?: string): string {
    const base = `arn:aws:lambda:${this.opts.region}:${this.opts.accountId}:function:${name}`;
    return qualifier ? `${base}:${qualifier}` : base;
  }

  /**
   * The function a FunctionName names. `action` is the IAM action of the operation, for the
   * answer AWS gives to an ARN of another account.
   */
  fn(raw: unknown, action: string): { fn: FunctionRecord; qualifier?: string } {
    const ref = this.local(parseFunctionRef(raw), action);
    const fn = this.store.functions.get(ref.name);
    if (!fn) throw notFound(`Function not found: ${this.arn(ref.name)}`);
    return { fn, qualifier: ref.qualifier };
  }

  /**
   * An ARN must name this sandbox's partition, region and account: Lambda answers one of another
   * region as unreachable from here, and one of another account as not authorized (the sandbox
   * holds no other account's functions, and no resource policy to grant access to them).
   */
  local(ref: FunctionRef, action: string): FunctionRef {
    if (ref.region !== undefined && ref.region !== this.opts.region) {
      throw notFound(`Functions from '${ref.region}' are not reachable in this region ('${this.opts.region}')`);
    }
    if (ref.partition !== undefined && ref.partition !== 'aws') {
      throw notFound(`Functions from partition '${ref.partition || '(none)'}' are not reachable in this partition ('aws')`);
    }
    if (ref.accountId !== undefined && ref.accountId !== this.opts.accountId) {
      const arn = `arn:aws:lambda:${ref.region ?? this.opts.region}:${ref.accountId}:function:${ref.name}${ref.qualifier === undefined ? '' : `:${ref.qualifier}`}`;
      throw new AwsError(
        'AccessDeniedException',
        403,
        `User: arn:aws:iam::${this.opts.accountId}:root is not authorized to perform: lambda:${action} on resource: ${arn} because no resource-based policy allows the lambda:${action} action`,
      );
    }
    return ref;
  }

  /**
   * A qualifier from the path and one from the query must agree, as Lambda requires; the query's
   * is checked against the operation's pattern (as its model states it in `rule.text`).
   */
  qualifierOf(pathQualifier: string | undefined, query: URLSearchParams, rule: { pattern: RegExp; text: string } = ANY_QUALIFIER): string | undefined {
    const q = query.get('Qualifier') ?? undefined;
    if (q !== undefined && (q.length < 1 || q.length > 128 || !rule.pattern.test(q))) {
      throw validation(q, 'qualifier', `Member must satisfy regular expression pattern: ${rule.text}`);
    }
    if (pathQualifier !== undefined && q !== undefined && pathQualifier !== q) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    return q ?? pathQualifier;
  }

  version(fn: FunctionRecord, v: string): VersionRecord {
    if (v === '$LATEST') return fn.latest;
    const rec = fn.versions.find((x) => x.version === v);
    if (!rec) throw notFound(`Function not found: ${this.arn(fn.name, v)}`);
    return rec;
  }

  alias(fn: FunctionRecord, name: string): AliasRecord {
    // Own properties only: an alias may be called `constructor`, `toString` or `__proto__`.
    const a = Object.hasOwn(fn.aliases, name) ? fn.aliases[name] : undefined;
    if (!a) throw notFound(`Alias not found: ${this.arn(fn.name, name)}`);
    return a;
  }

  /** Stores an alias as an own property, even under a name like `__proto__` (plain assignment would set the prototype). */
  putAlias(fn: FunctionRecord, a: AliasRecord): void {
    Object.defineProperty(fn.aliases, a.name, { value: a, enumerable: true, writable: true, configurable: true });
  }

  /** Resolves a qualifier to the version record it denotes (an alias follows its primary version). */
  resolve(fn: FunctionRecord, qualifier: string | undefined): VersionRecord {
    if (qualifier === undefined || qualifier === '$LATEST') return fn.latest;
    if (isVersionQualifier(qualifier)) return this.version(fn, qualifier);
    return this.version(fn, this.alias(fn, qualifier).functionVersion);
  }

  revision(): string {
    return crypto.randomUUID();
  }

  assertNotUpdating(fn: FunctionRecord): void {
    if (updateStatusOf(fn.latest, this.opts.now()) === 'InProgress' || stateOf(fn.latest, this.opts.now()) === 'Pending') {
      throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${this.arn(fn.name)}`);
    }
  }

  checkRevision(given: unknown, current: string, what: string): void {
    if (expectString(given, 'RevisionId') === undefined) return;
    if (given !== current) {
      throw preconditionFailed(`The Revision Id provided does not match the latest Revision Id. Call the ${what} API to retrieve the latest Revision Id`);
    }
  }

  /**
   * `qualified` is true when the caller named a qualifier, or the qualifier itself: Lambda answers
   * a request through an alias with the alias ARN and the version the alias points to.
   */
  configuration(fn: FunctionRecord, v: VersionRecord, qualified: boolean | string): Record<string, unknown> {
    const now = this.opts.now();
    const arnQualifier = typeof qualified === 'string' ? qualified : (qualified || v.version !== '$LATEST') ? v.version : undefined;
    const state = stateOf(v, now);
    const status = updateStatusOf(v, now);
    return {
      FunctionName: fn.name,
      FunctionArn: this.arn(fn.name, arnQualifier),
      Runtime: v.code.image ? undefined : v.settings.runtime,
      Role: v.settings.role,
      Handler: v.code.image ? undefined : v.settings.handler,
      CodeSize: v.code.size,
      Description: v.settings.description,
      Timeout: v.settings.timeout,
      MemorySize: v.settings.memorySize,
      LastModified: v.lastModified,
      CodeSha256: v.code.sha256,
      Version: v.version,
      Environment: Object.keys(v.settings.environment).length ? { Variables: v.settings.environment } : undefined,
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: v.revisionId,
      State: state,
      StateReason: state === 'Pending' ? 'The function is being created.' : state === 'Failed' ? v.failure?.reason : undefined,
      StateReasonCode: state === 'Pending' ? 'Creating' : state === 'Failed' ? v.failure?.code : undefined,
      LastUpdateStatus: status,
      LastUpdateStatusReason: status === 'InProgress' ? 'The function is being updated.' : status === 'Failed' ? v.updateFailure?.reason : undefined,
      LastUpdateStatusReasonCode: status === 'InProgress' ? 'Updating' : status === 'Failed' ? v.updateFailure?.code : undefined,
      PackageType: v.code.image ? 'Image' : 'Zip',
      ImageConfigResponse: v.settings.imageConfig ? { ImageConfig: v.settings.imageConfig } : undefined,
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    };
  }

  aliasShape(fn: FunctionRecord, a: AliasRecord): Record<string, unknown> {
    return {
      AliasArn: this.arn(fn.name, a.name),
      Name: a.name,
      FunctionVersion: a.functionVersion,
      Description: a.description,
      RoutingConfig: Object.keys(a.routing).length ? { AdditionalVersionWeights: a.routing } : undefined,
      RevisionId: a.revisionId,
    };
  }
}
