/**
 * Removes credentials from text before it is logged or shown. AWS errors can echo what was
 * signed: an InvalidSignatureException from Lambda quotes the whole canonical request, headers
 * included, so the session token of the caller's credentials comes back in the message. Every
 * log line and every displayed error goes through `redact`.
 */

export const REDACTED = '[redacted]';

/** Access key ids: AKIA (long-term), ASIA (temporary, from STS / SSO). */
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/**
 * `name: value` / `name=value` pairs whose value is a secret, as headers of a canonical request,
 * query strings of presigned URLs, ini files and environment variables write them. The value runs
 * to the end of the line, a quote, an `&`, a `,` or whitespace.
 */
const SECRET_PAIRS = new RegExp(
  String.raw`(\b(?:x-amz-security-token|x-amz-signature|x-amz-credential|signature|credential|aws_secret_access_key|aws_session_token|aws_security_token|secretaccesskey|sessiontoken)\b\s*[:=]\s*)` +
    String.raw`(?!\[redacted\])[^\s"'&,<>\\]+`,
  'gi',
);

/**
 * An Authorization header's value: a SigV4 one through its signature (credential scope and
 * signed headers included), any other scheme and its one token.
 */
const AUTHORIZATION = /(\bauthorization\b\s*[:=]\s*)(?!\[redacted\])(?:AWS4-HMAC-SHA256\b[^\r\n"'\\]*?Signature=[0-9a-fA-F]+|[^\s"'\\,)]+(?:[ \t]+[^\s"'\\,)]+)?)/gi;

/** JSON members holding secrets: credential_process output, SSO caches, container credentials. */
const SECRET_JSON = /("(?:SecretAccessKey|SessionToken|secretAccessKey|sessionToken|Token|accessToken|refreshToken|clientSecret)"\s*:\s*")(?:[^"\\]|\\.)*(")/g;

/**
 * A long unbroken base64 run: STS session tokens are hundreds of such characters, however they
 * are quoted. Hashes (SHA-256 hex, CodeSha256 base64) are far shorter and stay readable.
 */
const LONG_TOKEN = /[A-Za-z0-9+/]{120,}={0,2}/g;

export function redact(text: string): string {
  if (!text) return text;
  return text
    .replace(SECRET_JSON, `$1${REDACTED}$2`)
    .replace(AUTHORIZATION, `$1${REDACTED}`)
    .replace(SECRET_PAIRS, `$1${REDACTED}`)
    .replace(LONG_TOKEN, REDACTED)
    .replace(ACCESS_KEY_ID, `$1${REDACTED}`);
}
