/**
 * Removes credentials from text before it is logged or shown. AWS errors can echo what was
 * signed: an InvalidSignatureException from Lambda quotes the whole canonical request, headers
 * included, so the session token of the caller's credentials comes back in the message. Every
 * log line and every displayed error goes through `redact`.
 *
 * A secret is recognised by its name, whatever the notation around it: environment variables
 * and ini files (`KEY=value`, `KEY = "value"`), JSON (also JSON inside a JSON string), YAML,
 * XML elements (STS answers), HTTP headers, query strings and their URL-encoded forms. Words
 * that are also ordinary English (signature, credential) count only when what follows has the
 * shape of one; access key ids only when the whole word has their shape. Hashes, request ids,
 * ARNs and names stay readable.
 */

export const REDACTED = '[redacted]';

/**
 * Where a name or an id may start: not inside a word — but right after a URL escape (`%3D`) or
 * an escape of a JSON string (`\n`), whose last character is a letter or a digit.
 */
const START = String.raw`(?:(?<![A-Za-z0-9])|(?<=%(?:25)?[0-9A-Fa-f]{2})|(?<=\\[nrt]))`;

/**
 * Access key ids and the other IAM unique ids: a documented four-letter prefix and base32
 * (A–Z, 2–7), the whole word — 16 characters after AKIA (long-term), ASIA (temporary), ABIA and
 * ACCA (other credentials); 16 or 17 after AROA (role), AIDA (user) and the other unique ids.
 * `ASIAPACIFICBILLING01` (a 0 and a 1) is a name, not a key.
 */
const ACCESS_KEY_ID = new RegExp(
  String.raw`${START}(?:(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}|(AROA|AIDA|AIPA|AGPA|ANPA|ANVA|APKA|ASCA)[A-Z2-7]{16,17})(?![A-Za-z0-9])`,
  'g',
);

const SEP = '[_-]?';
/** aws_secret_access_key, AWS_SECRET_ACCESS_KEY, SecretAccessKey, secret_access_key, AWS_SECRET_KEY… */
const SECRET_KEY_NAME = String.raw`(?:aws${SEP})?secret${SEP}(?:access${SEP})?key`;
/** aws_session_token, SessionToken, AWS_SECURITY_TOKEN, X-Amz-Security-Token… */
const TOKEN_NAME = String.raw`(?:x-amz-|aws${SEP})?(?:session|security)${SEP}token`;
/** Names whose value is a secret in any notation. */
const SECRET_NAMES = String.raw`${SECRET_KEY_NAME}|${TOKEN_NAME}|x-amz-signature|x-amz-credential`;
/** The name ends where a word would. */
const END = String.raw`(?![A-Za-z0-9_-])`;
/** The quote closing a quoted name: `"`, `'`, or `\"` inside a JSON string. */
const NAME_QUOTE = String.raw`(?:\\?["'])?`;
/** `=`, `:`, or `=` URL-encoded once or twice. */
const ASSIGN = String.raw`[ \t]*(?:[:=]|%3D|%253D)[ \t]*`;

/**
 * A value: quoted (JSON, JSON inside a JSON string, shell, YAML), or bare up to whitespace, a
 * quote, a separator (`&`, `,`, `;`, also `&` URL-encoded) or markup.
 */
const QUOTED = String.raw`\\"(?:[^"\\\r\n]|\\[^"\r\n])*\\"|"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'`;
const VALUE = String.raw`(?:${QUOTED}|(?:(?!%26|%2526)[^\s"'&,;<>\\])+)`;

/** `name = value` in any notation, for the names above. */
const SECRET_PAIRS = new RegExp(String.raw`(${START}(?:${SECRET_NAMES})${END}${NAME_QUOTE}${ASSIGN})(${VALUE})`, 'gi');

/** `set -x AWS_SECRET_ACCESS_KEY value`, `aws configure set aws_session_token value`: a space, then a key-shaped value. */
const SECRET_SPACED = new RegExp(String.raw`(${START}(?:${SECRET_KEY_NAME}|${TOKEN_NAME})${END}[ \t]+)([A-Za-z0-9/+]{20,}={0,2})(?![A-Za-z0-9/+=])`, 'gi');

/** `Signature=…`, `Credential=…`: with `=` (a SigV4 header or query string), whatever the value. */
const SIGV4_ASSIGNED = new RegExp(String.raw`(${START}(?:signature|credential)${END}${NAME_QUOTE}[ \t]*(?:=|%3D|%253D)[ \t]*)(${VALUE})`, 'gi');
/** `signature: <64 hex digits>`: after a colon, only a value of a signature's shape. */
const SIGNATURE_SHAPED = new RegExp(String.raw`(${START}signature${END}${NAME_QUOTE}[ \t]*:[ \t]*(?:\\?["'])?)[0-9a-fA-F]{64}(?![0-9A-Za-z])`, 'gi');
/** `credential: KEY/DATE/REGION/SERVICE/aws4_request`: after a colon, only a credential scope. */
const SCOPE = String.raw`[A-Za-z0-9]{16,128}(?:/|%2F)[0-9]{8}(?:/|%2F)[a-z0-9-]+(?:/|%2F)[a-z0-9-]+(?:/|%2F)aws4_request`;
const CREDENTIAL_SHAPED = new RegExp(String.raw`(${START}credential${END}${NAME_QUOTE}[ \t]*:[ \t]*(?:\\?["'])?)${SCOPE}`, 'gi');

/**
 * An Authorization header's value, quoted or not: a SigV4 one through its signature (credential
 * scope and signed headers included), another scheme and its token, or a lone token. The scan
 * for the signature is bounded, so that a long line costs linear time.
 */
const AUTHORIZATION = new RegExp(
  String.raw`(${START}authorization${END}${NAME_QUOTE}${ASSIGN})(?!\[redacted\])` +
    String.raw`(${QUOTED}|AWS4-HMAC-SHA256\b[^\r\n"'\\&]{0,4096}?Signature(?:=|%3D|%253D)[0-9a-fA-F]+|(?:(?:Bearer|Basic|Digest|AWS|Token|Negotiate)[ \t]+)?[^\s"'\\,)]+)`,
  'gi',
);

/** XML elements holding secrets: STS answers (`<SecretAccessKey>`, `<SessionToken>`), S3's `<SignatureProvided>`. */
const SECRET_XML = new RegExp(
  String.raw`<((?:[A-Za-z_][\w.-]*:)?(?:${SECRET_NAMES}|signature|signatureprovided|credential|authorization|token))(\s[^<>]*)?>[^<]*</\1>`,
  'gi',
);

/** JSON members whose names are too common to redact elsewhere: SSO caches, OAuth answers. */
const SECRET_JSON = new RegExp(
  String.raw`((?<![A-Za-z0-9_])\\?"(?:[Tt]oken|accessToken|refreshToken|idToken|clientSecret|access_token|refresh_token|id_token|client_secret)\\?"[ \t]*:[ \t]*)(${QUOTED})`,
  'g',
);

/**
 * A long unbroken base64 run: STS session tokens are hundreds of such characters, however they
 * are quoted. Hashes (SHA-256 hex, CodeSha256 base64) are far shorter and stay readable.
 */
const LONG_TOKEN = /[A-Za-z0-9+/]{120,}={0,2}/g;

/** The value redacted, its quotes kept so that the text around it still parses. */
function hide(prefix: string, value: string): string {
  const quote = /^(\\?["'])/.exec(value)?.[1];
  return quote ? `${prefix}${quote}${REDACTED}${quote}` : `${prefix}${REDACTED}`;
}

export function redact(text: string): string {
  if (!text) return text;
  return text
    .replace(SECRET_XML, (_m, name: string, attrs: string | undefined) => `<${name}${attrs ?? ''}>${REDACTED}</${name}>`)
    .replace(SECRET_JSON, (_m, prefix: string, value: string) => hide(prefix, value))
    .replace(AUTHORIZATION, (_m, prefix: string, value: string) => hide(prefix, value))
    .replace(SECRET_PAIRS, (_m, prefix: string, value: string) => hide(prefix, value))
    .replace(SECRET_SPACED, `$1${REDACTED}`)
    .replace(SIGV4_ASSIGNED, (_m, prefix: string, value: string) => hide(prefix, value))
    .replace(SIGNATURE_SHAPED, (_m, prefix: string) => `${prefix}${REDACTED}`)
    .replace(CREDENTIAL_SHAPED, (_m, prefix: string) => `${prefix}${REDACTED}`)
    .replace(LONG_TOKEN, REDACTED)
    .replace(ACCESS_KEY_ID, (_m, key: string | undefined, id: string | undefined) => `${key ?? id}${REDACTED}`);
}
