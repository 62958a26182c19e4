/**
 * The router's side of its one call: Invoke of `target:version` (RequestResponse) through the
 * Lambda API, signed with the function's execution credentials, and what the router makes of the
 * answer. Part of the router's package (see rules.ts): Node's built-ins only.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Json } from './rules';
import { eventShape, isObject } from './rules';
import type { Credentials } from './sigv4';
import { encodeRfc3986, signRequest } from './sigv4';

/** The one header the router adds to an HTTP response, naming the version that answered. */
export const VERSION_HEADER = 'x-canary-version';

/** Lambda's limit on a synchronous response, and a little more: a reply this large is refused. */
const MAX_REPLY_BYTES = 6 * 1024 * 1024 + 1024;

export interface TargetReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Where the Lambda API is: AWS_ENDPOINT_URL_LAMBDA, then AWS_ENDPOINT_URL (as the AWS SDKs read
 * them; the sandbox provides the latter), then the region's public endpoint.
 */
export function lambdaEndpoint(env: NodeJS.ProcessEnv): URL {
  const custom = env.AWS_ENDPOINT_URL_LAMBDA || env.AWS_ENDPOINT_URL;
  if (custom) return new URL(custom);
  const region = env.AWS_REGION || 'us-east-1';
  return new URL(`https://lambda.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`);
}

/** The execution role's credentials, as Lambda puts them in the environment. */
export function credentialsOf(env: NodeJS.ProcessEnv): Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw namedError('Router.NoCredentials', 'The router has no credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to invoke its target with.');
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

// Warm environments reuse their connection: the router's own latency is then one request.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export interface InvokeInput {
  endpoint: URL;
  region: string;
  credentials: Credentials;
  functionName: string;
  qualifier: string;
  payload: string;
}

/** Invoke (RequestResponse) of `functionName:qualifier`; resolves with Lambda's HTTP answer, whatever its status. */
export function invokeTarget(input: InvokeInput): Promise<TargetReply> {
  const attempt = (retry: boolean): Promise<TargetReply> =>
    new Promise<TargetReply>((resolve, reject) => {
      const base = input.endpoint.pathname.replace(/\/+$/, '');
      const path = `${base}/2015-03-31/functions/${encodeRfc3986(input.functionName)}/invocations`;
      const query = { Qualifier: input.qualifier };
      const body = Buffer.from(input.payload, 'utf8');
      const headers = signRequest({
        method: 'POST',
        host: input.endpoint.host,
        path,
        query,
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body,
        region: input.region,
        service: 'lambda',
        credentials: input.credentials,
        now: new Date(),
      });
      const secure = input.endpoint.protocol === 'https:';
      const req = (secure ? https : http).request(
        {
          method: 'POST',
          protocol: input.endpoint.protocol,
          hostname: input.endpoint.hostname.replace(/^\[|\]$/g, ''),
          port: input.endpoint.port || (secure ? 443 : 80),
          path: `${path}?Qualifier=${encodeRfc3986(input.qualifier)}`,
          headers: { ...headers, 'content-length': String(body.length) },
          agent: secure ? agents.https : agents.http,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_REPLY_BYTES) {
              res.destroy();
              reject(namedError('Function.ResponseSizeTooLarge', `The target's response is larger than Lambda's ${MAX_REPLY_BYTES - 1024} bytes.`));
            } else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed while the environment was frozen: the request
        // never reached it (Node's documented case for a retry), so it is sent once more.
        if (retry && req.reusedSocket && e.code === 'ECONNRESET') attempt(false).then(resolve, reject);
        else reject(namedError('Router.InvokeFailed', `The router could not reach the Lambda API at ${input.endpoint.origin}: ${e.message}`));
      });
      req.end(body);
    });
  return attempt(true);
}

/** An Error by Lambda's name for it: its name becomes the router's errorType. */
export function namedError(name: string, message: string, trace?: string[]): Error {
  const e = new Error(message);
  e.name = name;
  e.stack = trace && trace.length ? trace.join('\n') : `${name}: ${message}`;
  return e;
}

/**
 * What the router's own invocation fails with when its target's did not succeed, so that Lambda
 * reports the router's failure as it reported the target's: a function error (handled, unhandled,
 * a timeout, running out of memory) becomes an error with the target's errorType, errorMessage
 * and trace, which the router throws; Lambda's refusal of the Invoke itself (throttled, no such
 * version, denied) becomes an error named by its exception. Undefined when the target succeeded.
 */
export function targetFailure(reply: TargetReply, target: string): Error | undefined {
  const text = reply.body.toString('utf8');
  if (reply.status === 200 && reply.headers['x-amz-function-error'] === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const d: Json = isObject(doc) ? doc : {};
  if (reply.status === 200) {
    const trace = Array.isArray(d.trace) ? d.trace : Array.isArray(d.stackTrace) ? d.stackTrace : [];
    return namedError(
      typeof d.errorType === 'string' && d.errorType !== '' ? d.errorType : 'Error',
      typeof d.errorMessage === 'string' ? d.errorMessage : text.slice(0, 4096),
      trace.filter((l): l is string => typeof l === 'string'),
    );
  }
  const header = reply.headers['x-amzn-errortype'];
  const type = (typeof header === 'string' ? header.split(':')[0] : '') || (typeof d.__type === 'string' ? d.__type.split('#').pop()! : '') || `HTTP${reply.status}`;
  const message = typeof d.message === 'string' ? d.message : typeof d.Message === 'string' ? d.Message : text.slice(0, 1024);
  return namedError(type, `Lambda refused the router's Invoke of ${target} (HTTP ${reply.status}): ${message}`);
}

/** The target's result with `x-canary-version` added when it is an HTTP response to an HTTP event; anything else unchanged. */
export function withVersionHeader(result: unknown, event: unknown, version: string): unknown {
  const shape = eventShape(event);
  if (shape === 'other' || !isObject(result) || typeof result.statusCode !== 'number') return result;
  const without = (h: unknown): Json => (isObject(h) ? Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== VERSION_HEADER)) : {});
  const out: Json = { ...result };
  // An ALB with multi-value headers on sends only multiValueHeaders and reads only those back.
  const multi = isObject(result.multiValueHeaders) || (shape === 'alb' && isObject(event) && isObject(event.multiValueHeaders) && !isObject(event.headers));
  if (multi) out.multiValueHeaders = { ...without(result.multiValueHeaders), [VERSION_HEADER]: [version] };
  if (!multi || isObject(result.headers)) out.headers = { ...without(result.headers), [VERSION_HEADER]: version };
  return out;
}
