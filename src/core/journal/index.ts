export type { JournalClient, JournalFilter, JournalOptions, JournalRead, JournalRecord } from './journal';
export { defaultJournalDir, Journal, JOURNAL_FILE, JOURNAL_VERSION, journalConnection, MAX_RECORD_BYTES, sameConnection } from './journal';
export { journalPortOf } from './port';
