import * as fs from 'node:fs/promises';
import { getSSOTokenFilepath, loadSharedConfigFiles, loadSsoSessionData } from '@smithy/core/config';
import { plainText } from '../shared/text';
import { redact } from './redact';

/**
 * Why AWS credentials could not be resolved, told from what the SDK read: the profile files as
 * its own loader parses them and the SSO token cache it reads. The SDK's messages say little
 * ("Could not resolve credentials using profile: [base]" for a missing source profile) or nothing
 * of the fix; this names the cause and the fix, once, for the editor and the CLI alike.
 */

/** Whose credentials: the profile in use (none: the default chain), and where its name came from. */
export interface CredentialsSubject {
  profile?: string;
  /** Set when the name is AWS_PROFILE's rather than a setting's or a flag's. */
  profileFrom?: 'AWS_PROFILE';
}

/** How many profile names a message lists before "and N more". */
export const LISTED_PROFILES = 12;

/** What went wrong, as a record; `credentialsText` renders it. */
export type CredentialsReason =
  | {
      kind: 'sso';
      /** The profile asked for, and the one holding the SSO settings (the same unless a role profile's source_profile). */
      profile: string;
      ssoProfile: string;
      /** `sso_session` of the profile; absent in the legacy form (sso_start_url in the profile). */
      session?: string;
      /** no-token: never logged in (or the cache was cleared); expired: at `expiredAt`; invalid: the cached token is unreadable; no-session: `[sso-session …]` is missing; refused: the token looks valid, the SDK still failed. */
      state: 'no-token' | 'expired' | 'invalid' | 'no-session' | 'refused';
      expiredAt?: string;
      /** The SDK's message (redacted), for `refused`. */
      said?: string;
    }
  | {
      kind: 'process';
      profile: string;
      processProfile: string;
      command: string;
      /** exit: a non-zero exit; json: not JSON; version: not Version 1; fields: no AccessKeyId or SecretAccessKey; expired: an Expiration in the past. */
      problem: 'exit' | 'json' | 'version' | 'fields' | 'expired' | 'other';
      /** The first line it wrote to stderr (a failed exit), redacted and bounded. */
      output?: string;
      /** The SDK's message (redacted), for `other`. */
      said?: string;
    }
  | { kind: 'source-missing'; profile: string; roleArn?: string; sourceProfile: string; known: string[] }
  | { kind: 'profile-missing'; profile: string; fromEnv: boolean; defaultChain: boolean; known: string[]; files: string }
  | { kind: 'no-credentials'; profile: string };

type Section = Record<string, string | undefined>;

/** The files the SDK reads, as the user would write them (`~/.aws/config`, or AWS_CONFIG_FILE's path). */
function filesText(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.AWS_CONFIG_FILE || '~/.aws/config'} or ${env.AWS_SHARED_CREDENTIALS_FILE || '~/.aws/credentials'}`;
}

/** The profiles of both files, as the SDK merges them (the credentials file wins), and their names. */
async function readProfiles(): Promise<{ profiles: Record<string, Section>; names: string[] }> {
  // ignoreCache: the SDK keeps each file's text for the life of the process; the user may just
  // have fixed it. Reading it afresh here also refreshes what the SDK reads on the next attempt.
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const profiles: Record<string, Section> = {};
  // The config file's parse keeps `[sso-session x]` and `[services x]` sections beside the profiles.
  for (const [name, section] of Object.entries(configFile)) if (!/^(sso-session|services)\./.test(name)) profiles[name] = { ...section };
  for (const [name, section] of Object.entries(credentialsFile)) profiles[name] = { ...profiles[name], ...section };
  const names = Object.keys(profiles).sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return { profiles, names };
}

const isStatic = (s: Section) => typeof s.aws_access_key_id === 'string' && typeof s.aws_secret_access_key === 'string';
const isSso = (s: Section) => ['sso_start_url', 'sso_session', 'sso_account_id', 'sso_region', 'sso_role_name'].some((k) => typeof s[k] === 'string');

/**
 * What the SDK says when a credential_process fails: its only account of the output is the text
 * of its error (Node's "Command failed: CMD\n<stderr>" for a non-zero exit), so the match on it
 * lives here, alone.
 */
export function processProblem(message: string): { problem: Exclude<Extract<CredentialsReason, { kind: 'process' }>['problem'], 'other'>; output?: string } | undefined {
  if (message.startsWith('Command failed: ')) {
    const line = message
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.trim())
      .find((l) => l !== '');
    return { problem: 'exit', ...(line ? { output: plainText(redact(line), 200) } : {}) };
  }
  if (/credential_process returned invalid JSON/.test(message)) return { problem: 'json' };
  if (/credential_process did not return Version 1/.test(message)) return { problem: 'version' };
  if (/credential_process returned invalid credentials/.test(message)) return { problem: 'fields' };
  if (/credential_process returned expired credentials/.test(message)) return { problem: 'expired' };
  return undefined;
}

/** The state of an SSO login: the token the SDK would read from ~/.aws/sso/cache. */
async function ssoTokenState(id: string): Promise<{ state: 'no-token' | 'expired' | 'invalid' | 'valid'; expiredAt?: string }> {
  let text: string;
  try {
    text = await fs.readFile(getSSOTokenFilepath(id), 'utf8');
  } catch {
    return { state: 'no-token' };
  }
  let token: { accessToken?: unknown; expiresAt?: unknown };
  try {
    token = JSON.parse(text) as typeof token;
  } catch {
    return { state: 'invalid' };
  }
  if (typeof token?.accessToken !== 'string' || typeof token.expiresAt !== 'string') return { state: 'invalid' };
  const expires = Date.parse(token.expiresAt);
  if (Number.isNaN(expires)) return { state: 'invalid' };
  return expires <= Date.now() ? { state: 'expired', expiredAt: new Date(expires).toISOString() } : { state: 'valid' };
}

/**
 * Why the SDK could not resolve credentials for `subject`, from the profile files and the SSO
 * cache it read; undefined when nothing there explains it (the SDK's own error then stands).
 */
export async function diagnoseCredentials(err: unknown, subject: CredentialsSubject, env: NodeJS.ProcessEnv = process.env): Promise<CredentialsReason | undefined> {
  const message = (err as Error)?.message ?? String(err);
  const start = subject.profile ?? 'default';
  const { profiles, names } = await readProfiles();
  const visited: string[] = [];
  let current = start;
  // The SDK's order (credential-provider-ini resolveProfileData): a role's source profile first,
  // then static keys, web identity, credential_process, SSO.
  for (;;) {
    const data = profiles[current];
    if (!data) {
      if (visited.length === 0) {
        // The default chain tried the environment and the rest before the files: only an absent
        // default profile is the cause there, when the chain found nothing at all.
        if (!subject.profile && (err as Error)?.name !== 'CredentialsProviderError') return undefined;
        return { kind: 'profile-missing', profile: start, fromEnv: subject.profileFrom === 'AWS_PROFILE', defaultChain: !subject.profile, known: names, files: filesText(env) };
      }
      const role = profiles[visited[visited.length - 1]];
      return { kind: 'source-missing', profile: visited[visited.length - 1], sourceProfile: current, known: names, ...(role?.role_arn ? { roleArn: role.role_arn } : {}) };
    }
    if (visited.includes(current)) return undefined; // a cycle: the SDK's message says so
    if (visited.length > 0 && isStatic(data)) return undefined;
    if (typeof data.role_arn === 'string' && typeof data.source_profile === 'string' && data.credential_source === undefined) {
      visited.push(current);
      current = data.source_profile;
      continue;
    }
    if (typeof data.role_arn === 'string' || isStatic(data) || typeof data.web_identity_token_file === 'string') return undefined;
    if (typeof data.credential_process === 'string') {
      const found = processProblem(message);
      return {
        kind: 'process',
        profile: start,
        processProfile: current,
        command: plainText(redact(data.credential_process), 200),
        ...(found ?? { problem: 'other', said: plainText(redact(message), 300) }),
      };
    }
    if (isSso(data)) return { kind: 'sso', profile: start, ssoProfile: current, ...(await ssoState(data, message)) };
    if (typeof data.login_session === 'string') return undefined;
    return { kind: 'no-credentials', profile: current };
  }
}

async function ssoState(data: Section, message: string): Promise<Pick<Extract<CredentialsReason, { kind: 'sso' }>, 'session' | 'state' | 'expiredAt' | 'said'>> {
  const said = plainText(redact(message), 300);
  const session = data.sso_session;
  if (session !== undefined) {
    // The same read of the config file as the SDK's token provider.
    const sessions = await loadSsoSessionData();
    if (!sessions[session]) return { session, state: 'no-session' };
  }
  const id = session ?? data.sso_start_url;
  if (id === undefined) return { state: 'refused', said };
  const token = await ssoTokenState(id);
  return token.state === 'valid' ? { ...(session ? { session } : {}), state: 'refused', said } : { ...(session ? { session } : {}), state: token.state, ...(token.expiredAt ? { expiredAt: token.expiredAt } : {}) };
}

/** The profiles listed in a message: the first LISTED_PROFILES, and how many more. */
function listText(names: string[]): string {
  if (names.length === 0) return 'there are none';
  const shown = names.slice(0, LISTED_PROFILES).map((n) => `'${plainText(n, 64)}'`).join(', ');
  return names.length > LISTED_PROFILES ? `${shown} and ${names.length - LISTED_PROFILES} more` : shown;
}

/** One message: the cause, then the fix. Names are shown as plain text; the whole is redacted by CredentialsError. */
export function credentialsText(r: CredentialsReason): string {
  const q = (name: string) => `'${plainText(name, 100)}'`;
  switch (r.kind) {
    case 'sso': {
      const login = `Run \`aws sso login --profile ${plainText(r.ssoProfile, 100)}\`, then retry.`;
      const whose = r.ssoProfile === r.profile ? `Profile ${q(r.profile)}` : `Profile ${q(r.profile)} takes its credentials from profile ${q(r.ssoProfile)}, which`;
      const signsIn = `${whose} signs in with AWS IAM Identity Center (SSO)${r.session ? ` (sso_session ${q(r.session)})` : ''}`;
      switch (r.state) {
        case 'no-token':
          return `${signsIn}, and no SSO session was started for it: ~/.aws/sso/cache holds no token. ${login}`;
        case 'expired':
          return `${signsIn}, and its SSO session expired${r.expiredAt ? ` at ${r.expiredAt}` : ''}. ${login}`;
        case 'invalid':
          return `${signsIn}, and its SSO token in ~/.aws/sso/cache cannot be read. ${login}`;
        case 'no-session':
          return `${signsIn}, but the config file has no [sso-session ${plainText(r.session, 100)}] section. Add it (\`aws configure sso-session\`), then run \`aws sso login --profile ${plainText(r.ssoProfile, 100)}\`.`;
        default:
          return `${signsIn}, and SSO gave no credentials: ${r.said ?? 'no reason given'} ${login} If it still fails, check sso_account_id and sso_role_name.`;
      }
    }
    case 'process': {
      const whose = r.processProfile === r.profile ? `of profile ${q(r.profile)}` : `of profile ${q(r.processProfile)} (the source of profile ${q(r.profile)})`;
      const head = `The credential_process ${whose} failed: \`${r.command}\``;
      const run = 'Run that command in a terminal to see what it prints, fix it (often: log in to the tool it calls), then retry.';
      switch (r.problem) {
        case 'exit':
          return `${head} exited with an error${r.output ? `: "${r.output}"` : ' and wrote nothing to stderr'}. ${run}`;
        case 'json':
          return `${head} printed something that is not JSON (it must print a JSON document with Version 1, AccessKeyId and SecretAccessKey). ${run}`;
        case 'version':
          return `${head} printed JSON without "Version": 1. ${run}`;
        case 'fields':
          return `${head} printed JSON without AccessKeyId and SecretAccessKey. ${run}`;
        case 'expired':
          return `${head} returned credentials that have already expired (their Expiration is in the past). Refresh the session of the tool it calls, then retry.`;
        default:
          return `${head}: ${r.said ?? 'no reason given'} ${run}`;
      }
    }
    case 'source-missing':
      return (
        `Profile ${q(r.profile)}${r.roleArn ? ` assumes role ${plainText(r.roleArn, 200)} with` : ' names'} source_profile ${q(r.sourceProfile)}, and there is no profile ${q(r.sourceProfile)}. ` +
        `Add [profile ${plainText(r.sourceProfile, 100)}] with credentials, or set source_profile to one of the profiles there are: ${listText(r.known)}.`
      );
    case 'profile-missing': {
      const head = r.defaultChain
        ? `No AWS credentials were found: none in the environment, and no default profile in ${r.files}.`
        : `There is no profile ${q(r.profile)} in ${r.files}${r.fromEnv ? ` (the name comes from the environment variable AWS_PROFILE)` : ''}.`;
      const known = r.known.length ? `Profiles there: ${listText(r.known)}.` : 'There are no profiles there.';
      const fix = r.fromEnv
        ? `Set AWS_PROFILE to one of them (or unset it), choose a profile ("Lambda Canary: Select Connection" in the editor, --profile on the command line), or create it (\`aws configure --profile ${plainText(r.profile, 100)}\`).`
        : `Choose one ("Lambda Canary: Select Connection" in the editor, --profile on the command line), or create it (\`aws configure${r.defaultChain ? '' : ` --profile ${plainText(r.profile, 100)}`}\` or \`aws configure sso\`); the local sandbox needs no credentials (\`--sandbox\` on the command line).`;
      return `${head} ${known} ${fix}`;
    }
    case 'no-credentials':
      return `Profile ${q(r.profile)} holds no credentials settings (no aws_access_key_id, sso_session, credential_process or role_arn). Add them (\`aws configure --profile ${plainText(r.profile, 100)}\` or \`aws configure sso\`), then retry.`;
  }
}
