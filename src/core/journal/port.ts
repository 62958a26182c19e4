import type { JournalPort } from '../usecases/context';
import type { Journal, JournalRecord } from './journal';
import { sameConnection } from './journal';

/** The use cases' view of the journal for one connection: its appends are that connection's, and it reads only that connection's records. */
export function journalPortOf(journal: Journal, connection: JournalRecord['connection']): JournalPort {
  const mine = (r: JournalRecord) => sameConnection(r.connection, connection);
  return {
    append: (o) => journal.append(o, { connection }),
    lastSwitch: (key) => journal.lastSwitch(key, mine),
    rollouts: () => journal.rollouts(mine),
    codeDeploys: () => journal.codeDeploys(mine),
    releases: () => journal.releases(mine),
    history: (key, since) => journal.history(key, since, mine),
  };
}
