import * as os from 'node:os';

/** This machine's user name, as the journal and the rollout lease name who acted. */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (a container running under an arbitrary uid).
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}
