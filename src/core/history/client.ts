import type { CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

/** CloudTrail allows LookupEvents 2 times a second per account and region: one every 500 ms at most. */
export const LOOKUP_INTERVAL_MS = 500;

/**
 * The connection's CloudTrail client (src/core/connection.ts makes it on first use, with the
 * Lambda client's config). Imports nothing of this project's, so the connection can load it.
 */
export function createCloudTrailClient(config: Record<string, unknown>): CloudTrailClient {
  return new CloudTrailClient(config as CloudTrailClientConfig);
}

export interface PaceTimer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTimer: PaceTimer = { now: () => Date.now(), sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

/**
 * `client` whose sends run one after another, each at least `spacingMs` after the previous one was
 * answered: the connection hands out this one, so every reader of CloudTrail on a connection (the
 * pages of one history, several panels, a quick pick) shares CloudTrail's rate together.
 */
export function pace<C extends { send: (...args: never[]) => Promise<unknown> }>(client: C, spacingMs = LOOKUP_INTERVAL_MS, timer: PaceTimer = realTimer): Pick<C, 'send'> {
  let turn: Promise<void> = Promise.resolve();
  let last = -Infinity;
  const send = (async (...args: Parameters<C['send']>) => {
    const previous = turn;
    let done!: () => void;
    turn = new Promise<void>((resolve) => (done = resolve));
    await previous;
    try {
      const wait = last + spacingMs - timer.now();
      if (wait > 0) await timer.sleep(wait);
      return await client.send(...args);
    } finally {
      last = timer.now();
      done();
    }
  }) as C['send'];
  return { send };
}
