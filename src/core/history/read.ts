import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import type { HistoryCloudTrailStatus, HistoryView } from '../../shared/history';
import { errorSummary, OperationError } from '../errors';
import { step } from '../guardedWrite';
import { errorName, getAlias, getVersion, listVersions } from '../lambdaApi';
import type { Outcome } from '../outcome';
import { aliasState, targetKey, targetOf } from '../outcome';
import type { JournalPort } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import type { JournalRecord } from '../journal/journal';
import type { TrailRead } from './cloudtrail';
import { isAboutAlias, readTrail } from './cloudtrail';
import { journalEntries, windowRecords } from './entries';
import { mergeHistory } from './merge';
import { statusText } from './text';
import type { HistoryContext, HistoryInput } from './types';

export const DEFAULT_HISTORY_DAYS = 7;

/**
 * The alias's history (action 'history', read-only, not journalled): the journal's records of the
 * alias (ctx.journal.history) and CloudTrail's Lambda events for the function (LookupEvents,
 * EventSource lambda.amazonaws.com, paged, paced under CloudTrail's 2 requests a second), merged so
 * that one write shows once; newest first. Without permission (AccessDenied) or CloudTrail at the
 * endpoint: the journal alone, and the status says why in one line. A missing alias (deleted?)
 * still has its history: `current` is then undefined.
 */
/** The journal's records under each of these keys (oldest first), and its problems once. */
async function readJournal(history: NonNullable<JournalPort['history']>, keys: string[]): Promise<{ records: JournalRecord[]; problems: string[] }> {
  const reads = await Promise.all([...new Set(keys)].map((k) => history(k)));
  const records = reads.flatMap((r) => r.records).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { records, problems: reads[0]?.problems ?? [] };
}

export function readHistory(ctx: HistoryContext, input: HistoryInput): Promise<Outcome<HistoryView>> {
  return runUseCase<HistoryView>(
    ctx,
    'history',
    input,
    async (op) => {
      const now = ctx.now?.() ?? Date.now();
      const until = input.until ?? new Date(now);
      const since = input.since ?? new Date(until.getTime() - DEFAULT_HISTORY_DAYS * 86_400_000);
      if (!(since.getTime() < until.getTime())) {
        throw new OperationError(`The history's window is empty: ${since.toISOString()} is not before ${until.toISOString()}.`, { state: 'Nothing was read.', kind: 'validation' });
      }
      let alias: AliasConfiguration | undefined;
      /** Where the alias's ARN would be: its own, or (a deleted alias) the function's with the alias name. */
      let arn: { AliasArn?: string } | undefined;
      try {
        alias = await step(op, `GetAlias ${input.aliasName}`, 'Nothing was changed.', () => getAlias(ctx.lambda, input.functionName, input.aliasName, ctx.signal));
        arn = alias;
      } catch (err) {
        if (!(err instanceof OperationError && errorName(err.cause) === 'ResourceNotFoundException')) throw err;
        // A deleted alias still has a history: its journal records are keyed by the account the function's ARN names.
        const fnArn = await getVersion(ctx.lambda, input.functionName, '$LATEST', ctx.signal).then((c) => c.FunctionArn, () => undefined);
        if (fnArn) arn = { AliasArn: `${fnArn.replace(/:\$LATEST$/, '')}:${input.aliasName}` };
      }
      const target = targetOf(input, arn, ctx.region);
      const key = targetKey(target);

      // The journal, the versions that exist now, and CloudTrail, at once.
      // A refusal made before the alias was read is journalled with no account (`?/region/fn:alias`): read it too.
      const noAccount = targetKey({ ...target, account: undefined });
      const journalRead = ctx.journal?.history ? readJournal(ctx.journal.history.bind(ctx.journal), [key, noAccount]) : Promise.resolve({ records: [], problems: ctx.journal ? [] : ['no deployment journal is open'] });
      const versionsRead = listVersions(ctx.lambda, input.functionName, ctx.signal).then(
        (versions) => new Set(versions.map((v) => v.Version ?? '').filter((v) => /^[0-9]+$/.test(v))),
        (err: unknown) => (errorName(err) === 'ResourceNotFoundException' ? new Set<string>() : undefined),
      );
      const trailRead = ctx.cloudtrail
        ? ctx.cloudtrail().then((client) => readTrail(client, { since, until }, { maxPages: input.maxCloudTrailPages, signal: ctx.signal, sandbox: ctx.capabilities.sandbox }))
        : undefined;
      const [journal, existing, trail] = await Promise.all([journalRead, versionsRead, trailRead?.catch((err: unknown): TrailRead => {
        if (ctx.signal?.aborted) throw err;
        return { events: [], skipped: { unreadable: 0, 'read-only': 0, failed: 0 }, state: 'error', eventsRead: 0, truncated: false, error: errorSummary(err) };
      })]);

      const fn = { name: target.function, account: target.account, region: target.region };
      const events = trail ? trail.events.filter((e) => isAboutAlias(e, fn, input.aliasName)) : [];
      const untilMs = until.getTime();
      const inWindow = windowRecords(journal.records, since.getTime(), untilMs);
      const current = alias ? aliasState(alias) : undefined;
      const entries = mergeHistory({
        functionName: target.function,
        aliasName: input.aliasName,
        journal: journalEntries(inWindow),
        trail: events,
        ...(current ? { current: { version: current.version, weights: current.weights } } : {}),
        ...(existing ? { existing } : {}),
        aliasExists: alias !== undefined,
      });
      let cloudTrail: HistoryCloudTrailStatus;
      if (!trail) cloudTrail = { state: 'off', message: statusText.off, lagNote: '', eventsRead: 0, truncated: false };
      else {
        const message =
          trail.state === 'read' && trail.error
            ? statusText.partial(trail.eventsRead, trail.coveredFrom ?? since.toISOString(), trail.error)
            : trail.state === 'read'
            ? statusText.read(trail.eventsRead, trail.skipped.unreadable, trail.truncated, trail.coveredFrom)
            : trail.state === 'denied'
              ? statusText.denied
              : trail.state === 'unavailable'
                ? statusText.unavailable
                : statusText.error(trail.error ?? 'unknown error');
        cloudTrail = {
          state: trail.state,
          message,
          lagNote: trail.state === 'read' ? statusText.lag : '',
          eventsRead: trail.eventsRead,
          truncated: trail.truncated,
          ...(trail.coveredFrom ? { coveredFrom: trail.coveredFrom } : {}),
        };
        if (trail.state !== 'read' || trail.error) ctx.log.warn(message);
      }
      return {
        functionName: target.function,
        aliasName: input.aliasName,
        since: since.toISOString(),
        until: until.toISOString(),
        entries,
        ...(current ? { current } : {}),
        cloudTrail,
        journal: { records: inWindow.length, problems: journal.problems },
      };
    },
    { journal: false },
  );
}
