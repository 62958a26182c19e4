/**
 * CloudWatch's Query protocol, which older AWS CLIs and SDKs speak: a form-encoded POST to `/`
 * (`Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=…`), answered in XML.
 * The form is decoded into the same input the JSON protocol carries and the output encoded
 * back, both driven by the members of CloudWatch's model, so that one metrics engine answers
 * both protocols.
 */
import { AwsError } from './errors';

export const QUERY_VERSION = '2010-08-01';
export const XML_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

type Shape = 'string' | 'integer' | 'boolean' | 'timestamp' | 'double' | { list: Shape } | { struct: Record<string, Shape> };

const DIMENSION: Shape = { struct: { Name: 'string', Value: 'string' } };
const METRIC: Shape = { struct: { Namespace: 'string', MetricName: 'string', Dimensions: { list: DIMENSION } } };
const MESSAGE: Shape = { struct: { Code: 'string', Value: 'string' } };

/** The operations answered, with the members of their input and output (CloudWatch's model, in its order). */

/** What PutMetricAlarm sets and DescribeAlarms returns of a metric alarm. */
const ALARM_SETTINGS: Record<string, Shape> = {
  AlarmName: 'string',
  AlarmDescription: 'string',
  ActionsEnabled: 'boolean',
  OKActions: { list: 'string' },
  AlarmActions: { list: 'string' },
  InsufficientDataActions: { list: 'string' },
  MetricName: 'string',
  Namespace: 'string',
  Statistic: 'string',
  ExtendedStatistic: 'string',
  Dimensions: { list: DIMENSION },
  Period: 'integer',
  Unit: 'string',
  EvaluationPeriods: 'integer',
  DatapointsToAlarm: 'integer',
  Threshold: 'double',
  ComparisonOperator: 'string',
  TreatMissingData: 'string',
};

const OPERATIONS: Record<string, { input: Record<string, Shape>; output: Record<string, Shape> }> = {
  GetMetricData: {
    input: {
      MetricDataQueries: {
        list: {
          struct: {
            Id: 'string',
            MetricStat: { struct: { Metric: METRIC, Period: 'integer', Stat: 'string', Unit: 'string' } },
            Expression: 'string',
            Label: 'string',
            ReturnData: 'boolean',
            Period: 'integer',
            AccountId: 'string',
          },
        },
      },
      StartTime: 'timestamp',
      EndTime: 'timestamp',
      NextToken: 'string',
      ScanBy: 'string',
      MaxDatapoints: 'integer',
      LabelOptions: { struct: { Timezone: 'string' } },
    },
    output: {
      MetricDataResults: {
        list: {
          struct: {
            Id: 'string',
            Label: 'string',
            Timestamps: { list: 'timestamp' },
            Values: { list: 'double' },
            StatusCode: 'string',
            Messages: { list: MESSAGE },
          },
        },
      },
      NextToken: 'string',
      Messages: { list: MESSAGE },
    },
  },
  ListMetrics: {
    input: {
      Namespace: 'string',
      MetricName: 'string',
      Dimensions: { list: DIMENSION },
      NextToken: 'string',
      RecentlyActive: 'string',
      IncludeLinkedAccounts: 'boolean',
      OwningAccount: 'string',
    },
    output: { Metrics: { list: METRIC }, NextToken: 'string', OwningAccounts: { list: 'string' } },
  },
  PutMetricAlarm: {
    input: { ...ALARM_SETTINGS, EvaluateLowSampleCountPercentile: 'string', ThresholdMetricId: 'string' },
    output: {},
  },
  DescribeAlarms: {
    input: {
      AlarmNames: { list: 'string' },
      AlarmNamePrefix: 'string',
      AlarmTypes: { list: 'string' },
      ChildrenOfAlarmName: 'string',
      ParentsOfAlarmName: 'string',
      StateValue: 'string',
      ActionPrefix: 'string',
      MaxRecords: 'integer',
      NextToken: 'string',
    },
    output: {
      CompositeAlarms: { list: 'string' },
      MetricAlarms: {
        list: {
          struct: {
            ...ALARM_SETTINGS,
            AlarmArn: 'string',
            AlarmConfigurationUpdatedTimestamp: 'timestamp',
            StateValue: 'string',
            StateReason: 'string',
            StateReasonData: 'string',
            StateUpdatedTimestamp: 'timestamp',
            StateTransitionedTimestamp: 'timestamp',
          },
        },
      },
      NextToken: 'string',
    },
  },
  DeleteAlarms: { input: { AlarmNames: { list: 'string' } }, output: {} },
};

export const QUERY_OPERATIONS = Object.keys(OPERATIONS);

/** Bounds the keys a form may hold: 500 queries of a dozen members, with 30 dimensions each, fit. */
const MAX_PARAMETERS = 200_000;

/** The same ISO 8601 forms botocore and the SDKs send: date, time, optional fraction, Z or an offset. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

const invalid = (message: string) => new AwsError('InvalidParameterValue', 400, message);

export interface QueryRequest {
  action: string;
  input: Record<string, unknown>;
}

/**
 * Decodes a Query form body into the operation and its input, as the JSON protocol has it.
 * Refused, with the parameter named: a missing or unknown Action, a Version other than
 * 2010-08-01, a parameter given twice, one the operation does not have (a misspelt member would
 * otherwise be dropped silently and the answer be about something else), a value of the wrong type.
 */
export function parseQueryRequest(body: string): QueryRequest {
  const form = new URLSearchParams(body);
  const params = new Map<string, string>();
  for (const [key, value] of form) {
    if (params.has(key)) throw invalid(`The parameter ${key.slice(0, 200)} is given more than once.`);
    if (params.size >= MAX_PARAMETERS) throw invalid(`The request holds more than ${MAX_PARAMETERS} parameters.`);
    params.set(key, value);
  }
  const action = params.get('Action');
  if (action === undefined || action === '') throw new AwsError('MissingAction', 400, `The request must contain the parameter Action (${QUERY_OPERATIONS.join(', ')}).`);
  const op = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
  if (!op) throw new AwsError('InvalidAction', 400, `The action ${action.slice(0, 100)} is not valid for this web service: the sandbox answers ${QUERY_OPERATIONS.join(', ')}.`);
  const version = params.get('Version');
  if (version === undefined) throw new AwsError('MissingParameter', 400, `The request must contain the parameter Version (${QUERY_VERSION}).`);
  if (version !== QUERY_VERSION) throw invalid(`Version ${version.slice(0, 100)} is not supported: CloudWatch's Query API is version ${QUERY_VERSION}.`);
  params.delete('Action');
  params.delete('Version');
  const input = decodeStruct(params, '', op.input);
  const left = [...params.keys()];
  if (left.length) {
    throw invalid(`${action} has no parameter ${left[0].slice(0, 200)}${left.length > 1 ? ` (nor ${left.length - 1} more)` : ''}.`);
  }
  return { action, input };
}

/** Takes the members of one structure out of `params` (what is left over is unknown). */
function decodeStruct(params: Map<string, string>, prefix: string, members: Record<string, Shape>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(members)) {
    const v = decode(params, `${prefix}${name}`, shape);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function decode(params: Map<string, string>, key: string, shape: Shape): unknown {
  if (typeof shape !== 'string') {
    if ('struct' in shape) {
      const s = decodeStruct(params, `${key}.`, shape.struct);
      return Object.keys(s).length ? s : undefined;
    }
    // A list is `key.member.1`, `key.member.2`, … from 1 with no gap; an empty one is `key=`.
    if (params.get(key) === '') {
      params.delete(key);
      return [];
    }
    const items: unknown[] = [];
    for (let i = 1; ; i++) {
      const item = decode(params, `${key}.member.${i}`, shape.list);
      if (item === undefined) break;
      items.push(item);
    }
    return items.length ? items : undefined;
  }
  const raw = params.get(key);
  if (raw === undefined) return undefined;
  params.delete(key);
  switch (shape) {
    case 'string':
      return raw;
    case 'integer':
      if (!/^-?\d{1,15}$/.test(raw)) throw invalid(`The value '${raw.slice(0, 100)}' of ${key} is not an integer.`);
      return Number(raw);
    case 'double': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw invalid(`The value '${raw.slice(0, 100)}' of ${key} is not a number.`);
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw invalid(`The value '${raw.slice(0, 100)}' of ${key} is not a boolean (true or false).`);
      return raw === 'true';
    case 'timestamp': {
      const t = Date.parse(raw);
      if (!ISO_8601.test(raw) || !Number.isFinite(t)) throw invalid(`The value '${raw.slice(0, 100)}' of ${key} is not an ISO 8601 timestamp such as 2026-12-01T09:30:00Z.`);
      return new Date(t);
    }
  }
}

/** An XML reply of the Query protocol: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>`. */
export function queryResponse(action: string, output: Record<string, unknown>, requestId: string): string {
  const op = OPERATIONS[action];
  const result = encodeStruct(output, op.output);
  return `<${action}Response xmlns="${XML_NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${xmlText(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
}

/** AWS's Query error reply; Type is Sender for the client's faults (4xx), Receiver for the service's. */
export function queryErrorResponse(e: AwsError, requestId: string): string {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  // The Query protocol's code where it differs from the JSON protocol's exception name (MissingParameter).
  const code = e.headers['x-amzn-query-error']?.split(';')[0] ?? e.code;
  return `<ErrorResponse xmlns="${XML_NAMESPACE}"><Error><Type>${type}</Type><Code>${xmlText(code)}</Code><Message>${xmlText(e.message)}</Message></Error><RequestId>${xmlText(requestId)}</RequestId></ErrorResponse>`;
}

function encodeStruct(value: Record<string, unknown>, members: Record<string, Shape>): string {
  let out = '';
  for (const [name, shape] of Object.entries(members)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    out += `<${name}>${encode(v, shape)}</${name}>`;
  }
  return out;
}

function encode(v: unknown, shape: Shape): string {
  if (typeof shape !== 'string') {
    if ('struct' in shape) return encodeStruct(v as Record<string, unknown>, shape.struct);
    return (v as unknown[]).map((item) => `<member>${encode(item, shape.list)}</member>`).join('');
  }
  switch (shape) {
    case 'timestamp': {
      // Epoch seconds as the engine keeps them, or a Date: ISO 8601, without a zero fraction.
      const t = v instanceof Date ? v.getTime() : Number(v) * 1000;
      return new Date(t).toISOString().replace('.000Z', 'Z');
    }
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return xmlText(String(v));
  }
}

/**
 * Text for an XML element: markup characters escaped, CR kept as a reference (a parser would
 * otherwise turn it into LF), and what XML 1.0 cannot carry at all (other control characters,
 * lone surrogates, U+FFFE, U+FFFF) replaced by U+FFFD, so that the reply always parses.
 */
export function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  return s.replace(/[&<>"'\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      case '\r':
        return '&#13;';
      default:
        return '\uFFFD';
    }
  });
}
