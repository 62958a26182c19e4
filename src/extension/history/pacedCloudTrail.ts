import type { CloudTrailSend } from '../../core/history';
import type { Clients } from '../../core/connection';

/** CloudTrail allows 2 LookupEvents a second per account, for everyone: one every 500 ms at most. */
export const LOOKUP_SPACING_MS = 500;

const paced = new WeakMap<Clients, Promise<CloudTrailSend>>();

/**
 * The connection's CloudTrail client behind one gate for the whole extension host: its requests
 * are sent one at a time, each at least `spacingMs` after the one before it was answered, however
 * many readers (panels, the quick pick) ask at once. Core paces its own pages; this paces readers.
 */
export function pacedCloudTrail(clients: Clients): Promise<CloudTrailSend> {
  let client = paced.get(clients);
  if (!client) {
    client = clients.cloudtrail().then((c) => pace(c, LOOKUP_SPACING_MS));
    // A failed load is not kept: the next read tries again.
    client.catch(() => paced.delete(clients));
    paced.set(clients, client);
  }
  return client;
}

/** `client` whose sends run one after another, `spacingMs` apart (from the previous one's answer). */
export function pace(client: CloudTrailSend, spacingMs: number): CloudTrailSend {
  let turn: Promise<void> = Promise.resolve();
  let last = -Infinity;
  const send = (async (...args: Parameters<CloudTrailSend['send']>) => {
    const previous = turn;
    let done!: () => void;
    turn = new Promise<void>((resolve) => (done = resolve));
    await previous;
    try {
      const wait = last + spacingMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return await (client.send as (...a: typeof args) => Promise<unknown>)(...args);
    } finally {
      last = Date.now();
      done();
    }
  }) as CloudTrailSend['send'];
  return { send };
}
