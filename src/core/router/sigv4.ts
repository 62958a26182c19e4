/**
 * AWS Signature Version 4 for the router's one request (Lambda Invoke), with Node's crypto only:
 * the router ships no SDK (a sandbox embedded in the packaged extension has none to lend it), and
 * signing one POST is a page of code. Checked against the SDK's own signer (@smithy/signature-v4)
 * in test/unit/router-sigv4.test.ts. Part of the router's package: keep it self-contained.
 */
import * as crypto from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  /** host[:port], as the Host header sends it. */
  host: string;
  /** The path as sent: each segment already percent-encoded (RFC 3986). */
  path: string;
  query: Record<string, string>;
  /** Headers to sign besides host, x-amz-date and x-amz-security-token (names in any case). */
  headers: Record<string, string>;
  body: string | Buffer;
  region: string;
  service: string;
  credentials: Credentials;
  now: Date;
}

/** RFC 3986's encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

/** The headers to send with the request: the given ones plus host, x-amz-date, the token and authorization. */
export function signRequest(r: RequestToSign): Record<string, string> {
  const amzDate = r.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  headers.host = r.host;
  headers['x-amz-date'] = amzDate;
  if (r.credentials.sessionToken) headers['x-amz-security-token'] = r.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  // Services other than S3 sign each path segment encoded once more.
  const canonicalPath = r.path.split('/').map(encodeRfc3986).join('/');
  const canonicalQuery = Object.keys(r.query)
    .sort()
    .map((k) => `${encodeRfc3986(k)}=${encodeRfc3986(r.query[k])}`)
    .join('&');
  const canonicalRequest = [r.method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, sha256Hex(r.body)].join('\n');
  const scope = `${day}/${r.region}/${r.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${r.credentials.secretAccessKey}`, day), r.region), r.service), 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${r.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
