/**
 * What the sandbox admits: only what an AWS SDK or the AWS CLI sends. A web page in the user's
 * browser can reach a loopback port too, but only with "simple" requests (no custom headers, a
 * form or text/plain body) unless a CORS preflight succeeds, which the sandbox never answers. So
 * a SigV4 `Authorization` header, the API's content type, no `Origin` and a loopback `Host` are
 * what a page cannot produce. Signatures are not verified (any credentials are fine); their shape
 * and, when the sandbox was given one, the access key they name are.
 */
import * as crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from './errors';

/**
 * A fresh access key ID for one sandbox start, of AWS's shape (20 characters): 64 random bits,
 * which a page probing the port cannot guess.
 */
export function newAccessKeyId(): string {
  return `LCSB${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
}

/** The host names a loopback client uses; anything else is another site's name (DNS rebinding). */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** A refusal: the error to answer and a reason for the log (never a header's secret part). */
export interface Refusal {
  error: AwsError;
  reason: string;
}

const refuse = (error: AwsError, reason: string): Refusal => ({ error, reason });

const denied = (message: string) => new AwsError('AccessDeniedException', 403, message);

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * Refuses requests a browser made or was tricked into making: a `Host` other than the loopback
 * names on the bound port, an `Origin` (even `null`), the `Sec-Fetch-Site`/`Sec-Fetch-Dest` a
 * browser adds, a `Referer`.
 */
export function checkCaller(headers: IncomingHttpHeaders, port: number): Refusal | undefined {
  const host = one(headers.host);
  if (!host) return refuse(denied('The request has no Host header; the sandbox answers only http://127.0.0.1:PORT or http://localhost:PORT.'), 'no Host');
  const allowed = LOOPBACK_NAMES.flatMap((n) => (port === 80 ? [n, `${n}:80`] : [`${n}:${port}`]));
  if (!allowed.includes(host.toLowerCase())) {
    return refuse(denied(`The Host '${host.slice(0, 100)}' is not this sandbox's address; it answers only ${allowed.join(', ')}.`), `foreign Host ${JSON.stringify(host.slice(0, 100))}`);
  }
  const origin = one(headers.origin);
  if (origin !== undefined) {
    return refuse(denied(`Requests from a web page (Origin ${origin.slice(0, 100)}) are refused: the sandbox answers only AWS SDKs and the AWS CLI.`), `browser Origin ${JSON.stringify(origin.slice(0, 100))}`);
  }
  if (headers['sec-fetch-site'] !== undefined || headers['sec-fetch-dest'] !== undefined) {
    return refuse(denied('Requests made by a web browser (Sec-Fetch-* headers) are refused: the sandbox answers only AWS SDKs and the AWS CLI.'), `browser request (Sec-Fetch-Site ${one(headers['sec-fetch-site']) ?? '-'})`);
  }
  if (headers.referer !== undefined) {
    return refuse(denied('Requests with a Referer (made from a web page) are refused: the sandbox answers only AWS SDKs and the AWS CLI.'), 'Referer');
  }
  return undefined;
}

const SIGV4 = /^AWS4-HMAC-SHA256 (.*)$/;

/**
 * Refuses a request without a SigV4 `Authorization` header of the shape the SDKs send
 * (`AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=…host…,
 * Signature=<64 hex>` and an `X-Amz-Date`), or, when `accessKeyId` is given, one that names
 * another access key (when given several, any of them). AWS's exception names and status codes.
 */
export function checkSignature(headers: IncomingHttpHeaders, accessKeyId: string | readonly string[] | undefined): Refusal | undefined {
  const auth = one(headers.authorization);
  if (auth === undefined || auth.trim() === '') {
    return refuse(
      new AwsError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token: the sandbox answers only requests signed with Signature Version 4 (any credentials), as the AWS SDKs, the AWS CLI and `curl --aws-sigv4 aws:amz:REGION:lambda --user KEY:SECRET` send.'),
      'no Authorization header',
    );
  }
  const sig = SIGV4.exec(auth.trim());
  const parts = new Map<string, string>();
  for (const p of (sig?.[1] ?? '').split(',')) {
    const eq = p.indexOf('=');
    if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const problems: string[] = [];
  if (!sig) problems.push("Authorization header requires the 'AWS4-HMAC-SHA256' algorithm.");
  const credential = /^([^/\s]+)\/\d{8}\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+\/aws4_request$/.exec(parts.get('Credential') ?? '');
  if (!credential) problems.push("Authorization header requires 'Credential' parameter (KEY/DATE/REGION/SERVICE/aws4_request).");
  const signed = parts.get('SignedHeaders');
  if (!signed || !/^[a-z0-9-]+(;[a-z0-9-]+)*$/.test(signed) || !signed.split(';').includes('host')) problems.push("Authorization header requires 'SignedHeaders' parameter (including host).");
  if (!/^[0-9a-f]{64}$/.test(parts.get('Signature') ?? '')) problems.push("Authorization header requires 'Signature' parameter.");
  const date = one(headers['x-amz-date']) ?? one(headers.date);
  if (!date) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length) {
    return refuse(new AwsError('IncompleteSignatureException', 403, problems.join(' ')), 'malformed Authorization header');
  }
  const accepted = typeof accessKeyId === 'string' ? [accessKeyId] : accessKeyId;
  if (accepted !== undefined && !accepted.includes(credential![1])) {
    return refuse(new AwsError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.'), 'signed with another access key');
  }
  return undefined;
}

/** The access key a SigV4 `Authorization` header names (its `Credential=KEY/…`), if it has one. */
export function credentialKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = one(headers.authorization);
  return auth === undefined ? undefined : /Credential=([^/\s,]+)\//.exec(auth)?.[1];
}

/** The content types an operation's body may have. */
export interface BodyTypes {
  types: readonly string[];
  /** botocore sends Invoke's payload without a Content-Type. */
  untypedBodyAllowed?: boolean;
}

export const JSON_BODY: BodyTypes = { types: ['application/json'] };
export const INVOKE_BODY: BodyTypes = { types: ['application/octet-stream', 'binary/octet-stream', 'application/json'], untypedBodyAllowed: true };
export const CLOUDWATCH_BODY: BodyTypes = { types: ['application/x-amz-json-1.0'] };
export const CODEDEPLOY_BODY: BodyTypes = { types: ['application/x-amz-json-1.1'] };
export const CLOUDTRAIL_BODY: BodyTypes = { types: ['application/x-amz-json-1.1'] };
/**
 * CloudWatch's Query protocol posts a form to `/`, a type a web page can send too: what keeps a
 * page out there is the signature checked before, which a page cannot add without a preflight.
 */
export const CLOUDWATCH_QUERY_BODY: BodyTypes = { types: ['application/x-www-form-urlencoded'] };

/** The media type of the body, lowercase and without parameters such as `charset`. */
export function mediaType(headers: IncomingHttpHeaders): string | undefined {
  return one(headers['content-type'])?.split(';')[0].trim().toLowerCase();
}

/**
 * Refuses a body whose declared type is not the API's: a browser's simple requests can only send
 * text/plain, a form or multipart, or nothing. `hasBody` from the framing headers, before reading.
 */
export function checkContentType(headers: IncomingHttpHeaders, op: string, accepted: BodyTypes): Refusal | undefined {
  const raw = one(headers['content-type']);
  const type = mediaType(headers);
  const hasBody = headers['transfer-encoding'] !== undefined || Number(one(headers['content-length']) ?? '0') > 0;
  if (type === undefined) {
    if (!hasBody || accepted.untypedBodyAllowed) return undefined;
  } else if (accepted.types.includes(type)) {
    return undefined;
  }
  const expected = accepted.types.join(' or ');
  const said = raw === undefined ? 'a body without a Content-Type' : `Content-Type '${raw.slice(0, 100)}'`;
  return refuse(new AwsError('UnsupportedMediaTypeException', 415, `${op} was sent ${said}; it takes ${expected}.`), `content type ${raw === undefined ? '(none)' : JSON.stringify(raw.slice(0, 100))}`);
}
