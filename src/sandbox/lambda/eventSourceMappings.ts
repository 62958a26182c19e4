import * as crypto from 'node:crypto';
import { conflict, invalidParameter, notFound, resourceInUse, validation } from '../errors';
import type { FunctionRecord, MappingRecord } from '../model';
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
/** The source kinds a kept structure belongs to (none named: every kind takes it). */
const KEPT_FOR: Partial<Record<(typeof KEPT_AS_GIVEN)[number], SourceKind[]>> = {
  AmazonManagedKafkaEventSourceConfig: ['kafka'],
  SelfManagedKafkaEventSourceConfig: [],
  DocumentDBEventSourceConfig: ['docdb'],
  SourceAccessConfigurations: ['kafka', 'mq', 'docdb'],
};
const SOURCE_ACCESS_TYPES = [
  'BASIC_AUTH', 'VPC_SUBNET', 'VPC_SECURITY_GROUP', 'SASL_SCRAM_512_AUTH', 'SASL_SCRAM_256_AUTH', 'VIRTUAL_HOST', 'CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE',
] as const;
/** The API's pattern for an on-failure destination: empty (none), a Kafka topic, or an ARN. */
const DESTINATION = /^(|kafka:\/\/[^.][a-zA-Z0-9\-_.]{0,248}|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*))$/;

/**
 * A mapping's on-failure destination, checked for the source's kind: an SQS queue, an SNS topic or
 * an S3 bucket, or for a Kafka source a Kafka topic (`kafka://topic`); undefined for none ('' clears it).
 */
function onFailureDestination(kind: SourceKind, raw: unknown): string | undefined {
  const d = expectString(raw, 'DestinationConfig.OnFailure.Destination');
  if (d === undefined || d === '') return undefined;
  if (d.length > 1024 || !DESTINATION.test(d)) throw validation(d, 'destinationConfig.onFailure.destination', `Member must satisfy regular expression pattern: ${DESTINATION.source.slice(1, -1)}`);
  if (d.startsWith('kafka://')) {
    if (kind !== 'kafka') throw invalidParameter(`The destination ${d} is a Kafka topic: only a Kafka event source can send its failures to one.`);
    return d;
  }
  const service = arnParts(d)!.service;
  if (!['sqs', 'sns', 's3'].includes(service)) {
    throw invalidParameter(`The destination ${d} is invalid: an event source mapping's on-failure destination is an SQS queue, an SNS topic or an S3 bucket${kind === 'kafka' ? ', or a Kafka topic (kafka://topic)' : ''}.`);
  }
  return d;
}

/** SourceAccessConfigurations: at most 22 entries of {Type, URI}, as the API constrains them. */
function checkSourceAccess(list: unknown[]): void {
  if (list.length > 22) throw validation(`[${list.length} entries]`, 'sourceAccessConfigurations', 'Member must have length less than or equal to 22');
  for (const [i, raw] of list.entries()) {
    const e = expectStructure(raw, `SourceAccessConfigurations[${i}]`, '{"Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:…"}')!;
    for (const k of Object.keys(e)) if (k !== 'Type' && k !== 'URI') throw invalidParameter(`SourceAccessConfigurations[${i}] has an unknown member ${k}: each entry is {"Type": …, "URI": …}.`);
    expectEnum(e.Type, `SourceAccessConfigurations[${i}].Type`, 'sourceAccessConfigurations.member.type', SOURCE_ACCESS_TYPES);
    const uri = expectString(e.URI, `SourceAccessConfigurations[${i}].URI`);
    if (uri !== undefined && (uri.length < 1 || uri.length > 200)) throw validation(uri, 'sourceAccessConfigurations.member.uRI', 'Member must have length between 1 and 200');
  }
}

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

/** The most mappings the sandbox keeps for one function (all its qualifiers). */
export const MAX_MAPPINGS_PER_FUNCTION = 100;

/**
 * CreateEventSourceMapping, GetEventSourceMapping, ListEventSourceMappings,
 * UpdateEventSourceMapping and DeleteEventSourceMapping. Mappings are kept apart from functions,
 * one record each, under the function name and qualifier they were named with: as on AWS, a
 * mapping outlives its function (DeleteFunction leaves it; it fails to invoke), and moving one to
 * another function is one write. The sandbox polls no queue or stream: a mapping is its
 * configuration and its state, which passes through Creating / Updating / Enabling / Disabling /
 * Deleting for the sandbox's update delay, as function updates do.
 */
export class EventSourceMappingsApi {
  constructor(private readonly ctx: LambdaContext) {}

  /** Every mapping; those whose deletion has completed are dropped first. */
  private all(): MappingRecord[] {
    const now = this.ctx.opts.now();
    const out: MappingRecord[] = [];
    for (const m of [...this.ctx.store.mappings.values()]) {
      if (m.transition === 'Deleting' && now >= m.until) this.ctx.store.deleteMapping(m.uuid);
      else out.push(m);
    }
    return out;
  }

  private find(rawUuid: string): MappingRecord {
    const m = this.ctx.store.mappings.get(rawUuid);
    if (!m || (m.transition === 'Deleting' && this.ctx.opts.now() >= m.until)) {
      if (m) this.ctx.store.deleteMapping(m.uuid);
      throw notFound('The resource you requested does not exist.');
    }
    return m;
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

  shape(m: MappingRecord): Record<string, unknown> {
    const kind = kindOf(m.eventSourceArn);
    return {
      UUID: m.uuid,
      ...m.settings,
      EventSourceArn: m.eventSourceArn,
      FunctionArn: this.ctx.arn(m.functionName, m.qualifier),
      LastModified: epochSeconds(m.lastModified),
      LastProcessingResult: kind && kind !== 'sqs' ? 'No records processed' : undefined,
      State: this.state(m),
      StateTransitionReason: 'USER_INITIATED',
      EventSourceMappingArn: `arn:aws:lambda:${this.ctx.opts.region}:${this.ctx.opts.accountId}:event-source-mapping:${m.uuid}`,
    };
  }

  /** A mapping of the same source to the same function and qualifier, other than `except`. */
  private checkUnique(fn: FunctionRecord, qualifier: string | undefined, source: string, except?: string): void {
    const other = this.all().find((m) => m.functionName === fn.name && m.qualifier === qualifier && m.eventSourceArn === source && m.uuid !== except);
    if (other) {
      throw conflict(
        `The event source arn (" ${source} ") and function (" ${this.ctx.arn(fn.name, qualifier)} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${other.uuid}`,
      );
    }
  }

  /** The sandbox's cap on one function's mappings (all its qualifiers), `except` the one being moved there. */
  private checkCount(fn: FunctionRecord, except?: string): void {
    const count = this.all().filter((m) => m.functionName === fn.name && m.uuid !== except).length;
    if (count >= MAX_MAPPINGS_PER_FUNCTION) {
      throw invalidParameter(
        `The function ${this.ctx.arn(fn.name)} already has ${count} event source mappings, the most the sandbox keeps for one function (${MAX_MAPPINGS_PER_FUNCTION}): delete one first.`,
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
    this.checkCount(fn);
    const now = this.ctx.opts.now();
    const m: MappingRecord = {
      uuid: crypto.randomUUID(), functionName: fn.name, eventSourceArn: source, transition: 'Creating', enabled, until: now + this.ctx.opts.updateDelayMs, lastModified: now, settings, tags,
    };
    if (qualifier !== undefined) m.qualifier = qualifier;
    this.ctx.store.saveMapping(m);
    return { status: 202, body: this.shape(m) };
  }

  getEventSourceMapping(uuid: string): Reply {
    return { status: 200, body: this.shape(this.find(uuid)) };
  }

  /**
   * By FunctionName, the mappings of exactly the function and qualifier it names: a name or an
   * unqualified ARN lists the mappings of the unqualified function, `name:prod` those of the
   * alias prod, `name:3` those of version 3 (the API reference promises a listing "for a
   * specific Lambda function version or an alias" when it is named). By EventSourceArn, those of
   * that source; both filters together, those of both. A function that does not exist (any more)
   * is not an error: the mappings that still name it are listed (none, or those it left when it
   * was deleted), since mappings outlive their function.
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
      fnName = ref.name;
      qualifier = ref.qualifier;
    }
    const all = this.all()
      .filter((m) => (fnName === undefined || (m.functionName === fnName && m.qualifier === qualifier)) && (source === null || m.eventSourceArn === source))
      .sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    const after = decodeKeyMarker(query.get('Marker'));
    if (after !== undefined && !/^[0-9a-f-]{36}$/.test(after)) throw invalidMarker();
    const start = after === undefined ? 0 : firstIndex(all, (m) => m.uuid > after);
    const page = all.slice(start, start + Math.min(max, MAPPING_PAGE));
    const end = start + page.length;
    return {
      status: 200,
      body: { EventSourceMappings: page.map((m) => this.shape(m)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1].uuid) : undefined },
    };
  }

  /**
   * UpdateEventSourceMapping, FunctionName included: naming another qualifier (or function)
   * moves the mapping there in one step, keeping its UUID, as Lambda does (a stream mapping keeps
   * its position). Refused with ResourceInUseException while the mapping is in a transition.
   */
  updateEventSourceMapping(uuid: string, body: Record<string, unknown>): Reply {
    const m = this.find(uuid);
    const kind = kindOf(m.eventSourceArn)!;
    let functionName = m.functionName;
    let qualifier = m.qualifier;
    if (body.FunctionName !== undefined && body.FunctionName !== null) {
      const to = this.target(body.FunctionName, 'UpdateEventSourceMapping');
      ({ qualifier } = to);
      functionName = to.fn.name;
      this.checkUnique(to.fn, qualifier, m.eventSourceArn, m.uuid);
      if (functionName !== m.functionName) this.checkCount(to.fn, m.uuid);
    }
    const enabled = expectBoolean(body.Enabled, 'Enabled') ?? m.enabled;
    const settings = this.settings(kind, body, m.settings);
    this.checkInUse(m);
    const now = this.ctx.opts.now();
    const updated: MappingRecord = {
      ...m,
      functionName,
      settings,
      enabled,
      transition: enabled === m.enabled ? 'Updating' : enabled ? 'Enabling' : 'Disabling',
      until: now + this.ctx.opts.updateDelayMs,
      lastModified: now,
    };
    if (qualifier === undefined) delete updated.qualifier;
    else updated.qualifier = qualifier;
    // One record, one write: the mapping is never in two places, nor in none.
    this.ctx.store.saveMapping(updated);
    return { status: 202, body: this.shape(updated) };
  }

  deleteEventSourceMapping(uuid: string): Reply {
    const m = this.find(uuid);
    this.checkInUse(m);
    const now = this.ctx.opts.now();
    const deleting: MappingRecord = { ...m, transition: 'Deleting', until: now + this.ctx.opts.updateDelayMs, lastModified: now };
    const reply = this.shape(deleting);
    // With no update delay the deletion is complete at once.
    if (this.ctx.opts.updateDelayMs <= 0) {
      this.ctx.store.deleteMapping(m.uuid);
      reply.State = 'Deleting';
    } else this.ctx.store.saveMapping(deleting);
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
      const topics = expectStringList(body.Topics, 'Topics', 'topics', 1, 249);
      const queues = expectStringList(body.Queues, 'Queues', 'queues', 1, 1000);
      if (kind === 'kafka') {
        if (topics?.length !== 1 || topics[0] === '') throw invalidParameter('Topics is required for an Amazon MSK event source: exactly one topic name, e.g. ["orders"].');
        s.Topics = topics;
      } else if (topics !== undefined) throw invalidParameter(`Topics is not supported for an ${name} event source: it names the topic of a Kafka source.`);
      if (kind === 'mq') {
        if (queues?.length !== 1 || queues[0] === '') throw invalidParameter('Queues is required for an Amazon MQ event source: exactly one queue name, e.g. ["orders"].');
        s.Queues = queues;
      } else if (queues !== undefined) throw invalidParameter(`Queues is not supported for an ${name} event source: it names the queue of an Amazon MQ broker.`);
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
      const target = onFailureDestination(kind, onFailure?.Destination);
      // An absent or empty Destination clears it, as the API's pattern (^$|…) allows.
      s.DestinationConfig = { OnFailure: target === undefined ? {} : { Destination: target } };
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
        if (pattern.length > 4096) throw validation(`${pattern.slice(0, 100)}…`, 'filterCriteria.filters.member.pattern', 'Member must have length less than or equal to 4096');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(`Invalid filter pattern definition: ${JSON.stringify(pattern.slice(0, 100))} is not a JSON object.`);
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
      const only = KEPT_FOR[k];
      if (only && !only.includes(kind)) {
        throw invalidParameter(`${k} is not supported for an ${name} event source${k === 'SelfManagedKafkaEventSourceConfig' ? ' (the sandbox maps no self-managed Kafka cluster)' : ''}.`);
      }
      if (k === 'SourceAccessConfigurations') checkSourceAccess(v as unknown[]);
      if (JSON.stringify(v).length > MAX_KEPT_JSON) throw invalidParameter(`${k} is too large.`);
      s[k] = v;
    }
    return s;
  }
}
