/**
 * What sends a trigger's events, in words, from the ARNs AWS gives for it: a mapping's
 * EventSourceArn, a policy statement's AWS:SourceArn, a destination. Pure.
 */

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string | undefined): ArnParts | undefined {
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn ?? '');
  return m ? { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] } : undefined;
}

/** An API Gateway source ARN `arn:aws:execute-api:region:account:api/stage/METHOD/path`, taken apart. */
export interface ApiSource {
  apiId: string;
  region: string;
  account: string;
  stage?: string;
  method?: string;
  path?: string;
  authorizer?: string;
}

export function parseApiSource(arn: string | undefined): ApiSource | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'execute-api') return undefined;
  const [apiId, stage, method, ...path] = a.resource.split('/');
  if (!apiId) return undefined;
  if (stage === 'authorizers') return { apiId, region: a.region, account: a.account, authorizer: method };
  return { apiId, region: a.region, account: a.account, stage, method, path: path.length ? path.join('/') : undefined };
}

/** `API Gateway API abc123 (POST /checkout)`, `API Gateway API abc123 (route $default)`, `API Gateway API abc123`. */
export function apiLabel(api: ApiSource): string {
  const base = `API Gateway API ${api.apiId}`;
  if (api.authorizer) return `${base} authorizer ${api.authorizer}`;
  const stage = api.stage && api.stage !== '*' ? ` stage ${api.stage}` : '';
  const method = api.method ?? '*';
  if (method.startsWith('$')) return `${base} (route ${method})${stage}`;
  const path = api.path ?? '*';
  if (method === '*' && (path === '*' || path === '')) return `${base}${stage}`;
  return `${base} (${method === '*' ? 'ANY' : method} /${path})${stage}`;
}

/** The source a resource ARN names, e.g. `SQS queue orders`; undefined when the service is not one we name. */
export function arnLabel(arn: string | undefined): string | undefined {
  const a = parseArn(arn);
  if (!a) return undefined;
  const r = a.resource;
  switch (a.service) {
    case 'sqs':
      return `SQS queue ${r}`;
    case 'kinesis': {
      const m = /^stream\/([^/]+)(?:\/consumer\/([^:]+))?/.exec(r);
      if (!m) return `Kinesis ${r}`;
      return `Kinesis stream ${m[1]}${m[2] ? ` (consumer ${m[2]})` : ''}`;
    }
    case 'dynamodb': {
      const m = /^table\/([^/]+)(\/stream\/)?/.exec(r);
      return m ? `DynamoDB table ${m[1]}${m[2] ? ' stream' : ''}` : `DynamoDB ${r}`;
    }
    case 'kafka': {
      const m = /^cluster\/([^/]+)/.exec(r);
      return m ? `MSK cluster ${m[1]}` : `MSK ${r}`;
    }
    case 'mq': {
      const m = /^broker:([^:]+)/.exec(r);
      return m ? `Amazon MQ broker ${m[1]}` : `Amazon MQ ${r}`;
    }
    case 'rds': {
      // DocumentDB change streams: its clusters live in the rds namespace.
      const m = /^cluster:(.+)$/.exec(r);
      return m ? `DocumentDB cluster ${m[1]}` : `DocumentDB ${r}`;
    }
    case 's3':
      return `S3 bucket ${r.split('/')[0]}`;
    case 'sns':
      return `SNS topic ${r}`;
    case 'events': {
      const m = /^rule\/(?:([^/]+)\/)?([^/]+)$/.exec(r);
      return m ? `EventBridge rule ${m[2]}${m[1] && m[1] !== 'default' ? ` on bus ${m[1]}` : ''}` : `EventBridge ${r}`;
    }
    case 'execute-api': {
      const api = parseApiSource(arn);
      return api ? apiLabel(api) : undefined;
    }
    case 'logs': {
      const m = /^log-group:([^:]+)/.exec(r);
      return m ? `CloudWatch Logs log group ${m[1]}` : `CloudWatch Logs ${r}`;
    }
    case 'iot': {
      const m = /^rule\/(.+)$/.exec(r);
      return m ? `IoT rule ${m[1]}` : `AWS IoT ${r}`;
    }
    case 'cognito-idp': {
      const m = /^userpool\/(.+)$/.exec(r);
      return m ? `Cognito user pool ${m[1]}` : `Cognito ${r}`;
    }
    case 'elasticloadbalancing': {
      const m = /^targetgroup\/([^/]+)/.exec(r);
      return m ? `Load balancer target group ${m[1]}` : `Elastic Load Balancing ${r}`;
    }
    case 'secretsmanager': {
      const m = /^secret:(.+)$/.exec(r);
      return m ? `Secrets Manager secret ${m[1]}` : `Secrets Manager ${r}`;
    }
    case 'lambda': {
      const m = /^function:(.+)$/.exec(r);
      return m ? `Lambda function ${m[1]}` : `Lambda ${r}`;
    }
    case 'states':
      return `Step Functions ${r.replace(/^stateMachine:/, 'state machine ')}`;
    default:
      return undefined;
  }
}

const SERVICES: Record<string, string> = {
  's3.amazonaws.com': 'S3',
  'apigateway.amazonaws.com': 'API Gateway',
  'sns.amazonaws.com': 'SNS',
  'events.amazonaws.com': 'EventBridge',
  'logs.amazonaws.com': 'CloudWatch Logs',
  'iot.amazonaws.com': 'AWS IoT',
  'cognito-idp.amazonaws.com': 'Cognito',
  'elasticloadbalancing.amazonaws.com': 'Elastic Load Balancing',
  'secretsmanager.amazonaws.com': 'Secrets Manager',
  'alexa-appkit.amazon.com': 'Alexa Skills Kit',
  'alexa-connectedhome.amazon.com': 'Alexa Smart Home',
  'lex.amazonaws.com': 'Amazon Lex',
  'config.amazonaws.com': 'AWS Config',
  'ses.amazonaws.com': 'Amazon SES',
  'lambda.alarms.cloudwatch.amazonaws.com': 'CloudWatch alarms',
  'scheduler.amazonaws.com': 'EventBridge Scheduler',
  'pipes.amazonaws.com': 'EventBridge Pipes',
  'connect.amazonaws.com': 'Amazon Connect',
  'cloudformation.amazonaws.com': 'CloudFormation',
};

/** `S3` for s3.amazonaws.com; the service principal itself when we do not name it. */
export function serviceName(principal: string): string {
  return SERVICES[principal] ?? principal;
}

/** A principal that is not a service: `Anyone (Principal *)`, `Account 111122223333`, `IAM role deployer (account 111122223333)`. */
export function accountPrincipalLabel(principal: string): string {
  if (principal === '*') return 'Anyone (Principal *)';
  if (/^[0-9]{12}$/.test(principal)) return `Account ${principal}`;
  const root = /^arn:[^:]+:iam::([0-9]{12}):root$/.exec(principal);
  if (root) return `Account ${root[1]}`;
  const m = /^arn:[^:]+:iam::([0-9]{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(principal);
  if (m) return `IAM ${m[2]} ${m[3]} (account ${m[1]})`;
  return principal;
}

/** True for a service principal (`s3.amazonaws.com`), false for an account, an IAM identity or `*`. */
export function isServicePrincipal(principal: string): boolean {
  return /^[a-z0-9.-]+\.amazon(aws)?\.com(\.cn)?$/.test(principal);
}
