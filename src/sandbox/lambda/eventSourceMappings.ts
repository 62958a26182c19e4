import * as crypto from 'node:crypto';
import { conflict, invalidParameter, notFound, resourceInUse, validation } from '../errors';
import type { FunctionRecord, MappingRecord } from '../model';
import { triggersOf } from '../model';
import {
  arnParts,
  checkTags,
  expectArn,
  expectBoolean,
  expectEnum,
  expectInteger,
  expectString,
  expectStringList,
  expectStructure,
  parseFunctionRef,
} from '../validation';
import type { LambdaContext } from './context';
import type { Reply } from './shared';
import { decodeKeyMarker, encodeKeyMarker, firstIndex, invalidMarker, pageSize } from './shared';

/** The most mappings one page of ListEventSourceMappings holds, whatever MaxItems asks for. */
export const MAPPING_PAGE = 100;

type SourceKind = 'sqs' | 'kinesis' | 'dynamodb' | 'kafka' | 'mq' | 'docdb';

const KIND_NAMES: Record<SourceKind, string> = {
  sqs: 'Amazon SQS',
  kinesis: 'Amazon Kinesis',
  dynamodb: 'Amazon DynamoDB Streams',
  kafka: 'Amazon MSK',
  mq: 'Amazon MQ',
  docdb: 'Amazon DocumentDB',
};

/** Settings only stream sources (Kinesis, DynamoDB Streams) take. */
const STREAM_ONLY = ['ParallelizationFactor', 'MaximumRecordAgeInSeconds', 'BisectBatchOnFunctionError', 'MaximumRetryAttempts', 'TumblingWindowInSeconds'] as const;

/** Structures and lists the sandbox keeps as given and answers back (it polls no source). */
const KEPT_AS_GIVEN = [
  'SourceAccessConfigurations', 'AmazonManagedKafkaEventSourceConfig', 'SelfManagedKafkaEventSourceConfig', 'DocumentDBEventSourceConfig',
  'MetricsConfig', 'LoggingConfig', 'ProvisionedPollerConfig',
] as const;
const MAX_KEPT_JSON = 16 * 1024;

function kindOf(arn: string): SourceKind | undefined {
  const p = arnParts(arn);
  if (!p) return undefined;
  if (p.service === 'sqs') return 'sqs';
  if (p.service === 'kinesis') return 'kinesis';
  if (p.service === 'dynamodb' && /^table\/[^/]+\/stream\/.+/.test(p.resource)) return 'dynamodb';
  if (p.service === 'kafka') return 'kafka';
  if (p.service === 'mq') return 'mq';
  if (p.service === 'rds') return 'docdb';
  return undefined;
}

function isStream(kind: SourceKind): boolean {
  return kind === 'kinesis' || kind === 'dynamodb';
}

/** Epoch seconds with milliseconds, as Lambda's `Date` members are on the wire. */
function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/**
 * CreateEventSourceMapping, GetEventSourceMapping, ListEventSourceMappings,
 * UpdateEventSourceMapping and DeleteEventSourceMapping. A mapping is kept in its function's
 * record (so it goes with the function when the function is deleted), under the qualifier it
 * was named with. The sandbox polls no queue or stream: a mapping is its configuration and its
 * state, which passes through Creating / Updating / Enabling / Disabling / Deleting for the
 * sandbox's update delay, as function updates do.
 */
export class EventSourceMappingsApi {
  constructor(private readonly ctx: LambdaContext) {}

  /** Every mapping with its function; those whose deletion has completed are dropped first. */
  private all(): Array<[FunctionRecord, MappingRecord]> {
    const now = this.ctx.opts.now();
    const out: Array<[FunctionRecord, MappingRecord]> = [];
    for (const fn of this.ctx.store.functions.values()) {
      const t = fn.triggers;
      if (!t || t.mappings.length === 0) continue;
      const kept = t.mappings.filter((m) => !(m.transition === 'Deleting' && now >= m.until));
      if (kept.length !== t.mappings.length) {
        t.mappings = kept;
        this.ctx.store.saveFunction(fn);
      }
      for (const m of kept) out.push([fn, m]);
    }
    return out;
  }

  private find(rawUuid: string): [FunctionRecord, MappingRecord] {
    const hit = this.all().find(([, m]) => m.uuid === rawUuid);
    if (!hit) throw notFound('The resource you requested does not exist.');
    return hit;
  }

  private state(m: MappingRecord): string {
    if (this.ctx.opts.now() < m.until) return m.transition;
    return m.enabled ? 'Enabled' : 'Disabled';
  }

  /** The function and qualifier a FunctionName names; the qualifier (a version or alias) must exist. */
  private target(raw: unknown, action: string): { fn: FunctionRecord; qualifier?: string } {
    if (raw === undefined || raw === null) throw validation(null, 'functionName', 'Member must not be null');
    const { fn, qualifier } = this.ctx.fn(raw, action);
    if (qualifier !== undefined) this.ctx.resolve(fn, qualifier);
    return { fn, qualifier };
  }

  shape(fn: FunctionRecord, m: MappingRecord): Record<string, unknown> {
    const kind = kindOf(m.eventSourceArn);
    return {
      UUID: m.uuid,
      ...m.settings,
      EventSourceArn: m.eventSourceArn,
      FunctionArn: this.ctx.arn(fn.name, m.qualifier),
      LastModified: epochSeconds(m.lastModified),
      LastProcessingResult: kind && kind !== 'sqs' ? 'No records processed' : undefined,
      State: this.state(m),
      StateTransitionReason: 'USER_INITIATED',
      EventSourceMappingArn: `arn:aws:lambda:${this.ctx.opts.region}:${this.ctx.opts.accountId}:event-source-mapping:${m.uuid}`,
    };
  }

  /** A mapping of the same source to the same function and qualifier, other than `except`. */
  private checkUnique(fn: FunctionRecord, qualifier: string | undefined, source: string, except?: string): void {
    const other = this.all().find(([f, m]) => f.name === fn.name && m.qualifier === qualifier && m.eventSourceArn === source && m.uuid !== except);
    if (other) {
      throw conflict(
        `The event source arn (" ${source} ") and function (" ${this.ctx.arn(fn.name, qualifier)} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${other[1].uuid}`,
      );
    }
  }

  createEventSourceMapping(body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.target(body.FunctionName, 'CreateEventSourceMapping');
    const source = expectArn(body.EventSourceArn, 'EventSourceArn', 'eventSourceArn');
    if (source === undefined) {
      throw invalidParameter('EventSourceArn is required: the sandbox maps Amazon SQS queues, Kinesis and DynamoDB streams, MSK clusters, MQ brokers and DocumentDB change streams by ARN (not self-managed Kafka).');
    }
    const kind = kindOf(source);
    if (!kind) throw invalidParameter(`Unrecognized event source ${source}: expected the ARN of an SQS queue, a Kinesis stream, a DynamoDB stream, an MSK cluster, an MQ broker or a DocumentDB cluster.`);
    const region = arnParts(source)!.region;
    if (region !== '' && region !== this.ctx.opts.region) {
      throw invalidParameter(`The event source ${source} is in ${region}: a mapping must read a source in the function's region (${this.ctx.opts.region}).`);
    }
    const enabled = expectBoolean(body.Enabled, 'Enabled') ?? true;
    const tags = checkTags(body.Tags);
    const settings = this.settings(kind, body, undefined);
    this.checkUnique(fn, qualifier, source);
    const now = this.ctx.opts.now();
    const m: MappingRecord = { uuid: crypto.randomUUID(), eventSourceArn: source, transition: 'Creating', enabled, until: now + this.ctx.opts.updateDelayMs, lastModified: now, settings, tags };
    if (qualifier !== undefined) m.qualifier = qualifier;
    triggersOf(fn).mappings.push(m);
    this.ctx.store.saveFunction(fn);
    return { status: 202, body: this.shape(fn, m) };
  }

  getEventSourceMapping(uuid: string): Reply {
    const [fn, m] = this.find(uuid);
    return { status: 200, body: this.shape(fn, m) };
  }

  /**
   * By FunctionName, the mappings of exactly the function and qualifier it names: a name or an
   * unqualified ARN lists the mappings of the unqualified function, `name:prod` those of the
   * alias prod, `name:3` those of version 3 (the API reference promises a listing "for a
   * specific Lambda function version or an alias" when it is named). By EventSourceArn, those of
   * that source; both filters together, those of both.
   */
  listEventSourceMappings(query: URLSearchParams): Reply {
    const max = pageSize(query, 10_000);
    const source = query.get('EventSourceArn');
    if (source !== null) expectArn(source, 'EventSourceArn', 'eventSourceArn');
    const rawFn = query.get('FunctionName');
    let fnName: string | undefined;
    let qualifier: string | undefined;
    if (rawFn !== null) {
      const ref = this.ctx.local(parseFunctionRef(rawFn), 'ListEventSourceMappings');
      if (!this.ctx.store.functions.has(ref.name)) throw notFound(`Function not found: ${this.ctx.arn(ref.name)}`);
      fnName = ref.name;
      qualifier = ref.qualifier;
    }
    const all = this.all()
      .filter(([fn, m]) => (fnName === undefined || (fn.name === fnName && m.qualifier === qualifier)) && (source === null || m.eventSourceArn === source))
      .sort(([, a], [, b]) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    const after = decodeKeyMarker(query.get('Marker'));
    if (after !== undefined && !/^[0-9a-f-]{36}$/.test(after)) throw invalidMarker();
    const start = after === undefined ? 0 : firstIndex(all, ([, m]) => m.uuid > after);
    const page = all.slice(start, start + Math.min(max, MAPPING_PAGE));
    const end = start + page.length;
    return {
      status: 200,
      body: { EventSourceMappings: page.map(([fn, m]) => this.shape(fn, m)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1][1].uuid) : undefined },
    };
  }

  /**
   * UpdateEventSourceMapping, FunctionName included: naming another qualifier (or function)
   * moves the mapping there in one step, keeping its UUID, as Lambda does (a stream mapping keeps
   * its position). Refused with ResourceInUseException while the mapping is in a transition.
   */
  updateEventSourceMapping(uuid: string, body: Record<string, unknown>): Reply {
    const [from, m] = this.find(uuid);
    const kind = kindOf(m.eventSourceArn)!;
    let to = from;
    let qualifier = m.qualifier;
    if (body.FunctionName !== undefined && body.FunctionName !== null) ({ fn: to, qualifier } = this.target(body.FunctionName, 'UpdateEventSourceMapping'));
    const enabled = expectBoolean(body.Enabled, 'Enabled') ?? m.enabled;
    const settings = this.settings(kind, body, m.settings);
    this.checkInUse(m);
    this.checkUnique(to, qualifier, m.eventSourceArn, m.uuid);
    const now = this.ctx.opts.now();
    const updated: MappingRecord = {
      ...m,
      settings,
      enabled,
      transition: enabled === m.enabled ? 'Updating' : enabled ? 'Enabling' : 'Disabling',
      until: now + this.ctx.opts.updateDelayMs,
      lastModified: now,
    };
    if (qualifier === undefined) delete updated.qualifier;
    else updated.qualifier = qualifier;
    const fromList = triggersOf(from).mappings;
    fromList.splice(fromList.indexOf(m), 1);
    triggersOf(to).mappings.push(updated);
    this.ctx.store.saveFunction(from);
    if (to !== from) this.ctx.store.saveFunction(to);
    return { status: 202, body: this.shape(to, updated) };
  }

  deleteEventSourceMapping(uuid: string): Reply {
    const [fn, m] = this.find(uuid);
    this.checkInUse(m);
    const now = this.ctx.opts.now();
    m.transition = 'Deleting';
    m.until = now + this.ctx.opts.updateDelayMs;
    m.lastModified = now;
    const reply = this.shape(fn, m);
    // With no update delay the deletion is complete at once.
    if (this.ctx.opts.updateDelayMs <= 0) {
      const list = triggersOf(fn).mappings;
      list.splice(list.indexOf(m), 1);
      reply.State = 'Deleting';
    }
    this.ctx.store.saveFunction(fn);
    return { status: 202, body: reply };
  }

  private checkInUse(m: MappingRecord): void {
    const state = this.state(m);
    if (state !== 'Enabled' && state !== 'Disabled') {
      throw resourceInUse(`The event source mapping ${m.uuid} is ${state}: it cannot be changed until it is Enabled or Disabled. Retry in a moment.`);
    }
  }

  /** The settings a request gives, checked for the source's kind, over `previous` (an update) or the defaults. */
  private settings(kind: SourceKind, body: Record<string, unknown>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
    const name = KIND_NAMES[kind];
    const stream = isStream(kind);
    const s: Record<string, unknown> = previous ? structuredClone(previous) : {};
    const given = (k: string) => body[k] !== undefined && body[k] !== null;

    if (!previous) {
      const position = expectEnum(body.StartingPosition, 'StartingPosition', 'startingPosition', ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const);
      const needsPosition = stream || kind === 'kafka' || kind === 'docdb';
      if (needsPosition && position === undefined) throw invalidParameter(`StartingPosition is required for an ${name} event source: TRIM_HORIZON, LATEST${kind === 'dynamodb' ? '' : ' or AT_TIMESTAMP'}.`);
      if (!needsPosition && position !== undefined) throw invalidParameter(`StartingPosition is not supported for an ${name} event source.`);
      if (position === 'AT_TIMESTAMP' && kind === 'dynamodb') throw invalidParameter('AT_TIMESTAMP is not supported for a DynamoDB Streams event source: use TRIM_HORIZON or LATEST.');
      const ts = body.StartingPositionTimestamp;
      if (position === 'AT_TIMESTAMP') {
        if (typeof ts !== 'number' || !Number.isFinite(ts)) throw invalidParameter('StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP.');
        s.StartingPositionTimestamp = ts;
      } else if (ts !== undefined && ts !== null) {
        throw invalidParameter('StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP.');
      }
      if (position !== undefined) s.StartingPosition = position;
      if (kind === 'kafka') s.Topics = expectStringList(body.Topics, 'Topics', 'topics', 1, 249) ?? [];
      if (kind === 'mq') s.Queues = expectStringList(body.Queues, 'Queues', 'queues', 1, 1000) ?? [];
      s.BatchSize = kind === 'sqs' ? 10 : 100;
      s.MaximumBatchingWindowInSeconds = 0;
      if (stream) {
        s.ParallelizationFactor = 1;
        s.DestinationConfig = { OnFailure: {} };
        s.MaximumRecordAgeInSeconds = -1;
        s.BisectBatchOnFunctionError = false;
        s.MaximumRetryAttempts = -1;
        s.TumblingWindowInSeconds = 0;
      }
      if (stream || kind === 'sqs') s.FunctionResponseTypes = [];
    }

    const batch = expectInteger(body.BatchSize, 'BatchSize', 'batchSize', 1, 10_000);
    if (batch !== undefined) s.BatchSize = batch;
    const window = expectInteger(body.MaximumBatchingWindowInSeconds, 'MaximumBatchingWindowInSeconds', 'maximumBatchingWindowInSeconds', 0, 300);
    if (window !== undefined) s.MaximumBatchingWindowInSeconds = window;
    if (kind === 'sqs' && (s.BatchSize as number) > 10 && (s.MaximumBatchingWindowInSeconds as number) < 1) {
      throw invalidParameter('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    }

    for (const k of STREAM_ONLY) if (!stream && given(k)) throw invalidParameter(`${k} is not supported for an ${name} event source.`);
    if (stream) {
      const pf = expectInteger(body.ParallelizationFactor, 'ParallelizationFactor', 'parallelizationFactor', 1, 10);
      if (pf !== undefined) s.ParallelizationFactor = pf;
      const age = expectInteger(body.MaximumRecordAgeInSeconds, 'MaximumRecordAgeInSeconds', 'maximumRecordAgeInSeconds', -1, 604_800);
      if (age !== undefined) {
        if (age !== -1 && age < 60) throw invalidParameter('MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800.');
        s.MaximumRecordAgeInSeconds = age;
      }
      const bisect = expectBoolean(body.BisectBatchOnFunctionError, 'BisectBatchOnFunctionError');
      if (bisect !== undefined) s.BisectBatchOnFunctionError = bisect;
      const retries = expectInteger(body.MaximumRetryAttempts, 'MaximumRetryAttempts', 'maximumRetryAttempts', -1, 10_000);
      if (retries !== undefined) s.MaximumRetryAttempts = retries;
      const tumbling = expectInteger(body.TumblingWindowInSeconds, 'TumblingWindowInSeconds', 'tumblingWindowInSeconds', 0, 900);
      if (tumbling !== undefined) s.TumblingWindowInSeconds = tumbling;
    }

    const dest = expectStructure(body.DestinationConfig, 'DestinationConfig', '{"OnFailure": {"Destination": "arn:aws:sqs:…"}}');
    if (dest !== undefined) {
      if (kind === 'sqs' || kind === 'mq') throw invalidParameter(`DestinationConfig is not supported for an ${name} event source: configure a dead-letter queue on the queue instead.`);
      if (dest.OnSuccess !== undefined && dest.OnSuccess !== null) throw invalidParameter('Unsupported DestinationConfig parameter for given event source mapping type: OnSuccess.');
      const onFailure = expectStructure(dest.OnFailure, 'DestinationConfig.OnFailure', '{"Destination": "arn:aws:sqs:…"}');
      const arn = expectArn(onFailure?.Destination, 'DestinationConfig.OnFailure.Destination', 'destinationConfig.onFailure.destination');
      s.DestinationConfig = { OnFailure: arn === undefined || arn === '' ? {} : { Destination: arn } };
    }

    const filters = expectStructure(body.FilterCriteria, 'FilterCriteria', '{"Filters": [{"Pattern": "{\\"body\\": …}"}]}');
    if (filters !== undefined) {
      const list = filters.Filters ?? [];
      if (!Array.isArray(list)) throw invalidParameter('FilterCriteria.Filters must be a list of {"Pattern": "…"}.');
      if (list.length > 5) throw invalidParameter('FilterCriteria holds at most 5 filters.');
      const out = list.map((f: unknown) => {
        const pattern = expectString(expectStructure(f, 'FilterCriteria.Filters[]', '{"Pattern": "…"}')?.Pattern, 'FilterCriteria.Filters[].Pattern');
        if (pattern === undefined) return {};
        let parsed: unknown;
        try {
          parsed = JSON.parse(pattern);
        } catch {
          parsed = undefined;
        }
        if (pattern.length > 4096 || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(`Invalid filter pattern definition: ${JSON.stringify(pattern.slice(0, 100))} is not a JSON object.`);
        return { Pattern: pattern };
      });
      if (out.length) s.FilterCriteria = { Filters: out };
      else delete s.FilterCriteria;
    }

    const scaling = expectStructure(body.ScalingConfig, 'ScalingConfig', '{"MaximumConcurrency": 10}');
    if (scaling !== undefined) {
      if (kind !== 'sqs') throw invalidParameter(`ScalingConfig is not supported for an ${name} event source.`);
      const max = expectInteger(scaling.MaximumConcurrency, 'ScalingConfig.MaximumConcurrency', 'scalingConfig.maximumConcurrency', 2, 1000);
      if (max === undefined) delete s.ScalingConfig;
      else s.ScalingConfig = { MaximumConcurrency: max };
    }

    const types = expectStringList(body.FunctionResponseTypes, 'FunctionResponseTypes', 'functionResponseTypes', 1);
    if (types !== undefined) {
      for (const t of types) if (t !== 'ReportBatchItemFailures') throw validation(types, 'functionResponseTypes', 'Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]');
      if (!stream && kind !== 'sqs' && types.length) throw invalidParameter(`FunctionResponseTypes is not supported for an ${name} event source.`);
      s.FunctionResponseTypes = types;
    }

    const kms = expectString(body.KMSKeyArn, 'KMSKeyArn');
    if (kms !== undefined) {
      if (kms !== '' && !/^arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*$/.test(kms)) throw validation(kms, 'kMSKeyArn', 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()');
      if (kms === '') delete s.KMSKeyArn;
      else s.KMSKeyArn = kms;
    }
    for (const k of KEPT_AS_GIVEN) {
      const v = body[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'object') throw invalidParameter(`${k} must be ${k === 'SourceAccessConfigurations' ? 'a list' : 'an object'}.`);
      if (Array.isArray(v) !== (k === 'SourceAccessConfigurations')) throw invalidParameter(`${k} must be ${k === 'SourceAccessConfigurations' ? 'a list' : 'an object'}.`);
      if (JSON.stringify(v).length > MAX_KEPT_JSON) throw invalidParameter(`${k} is too large.`);
      s[k] = v;
    }
    return s;
  }
}
