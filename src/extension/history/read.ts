import type { HistoryContext } from '../../core/history';
import { loadHistory } from '../../core/historyModule';
import type { Outcome } from '../../core/outcome';
import type { HistoryView } from '../../shared/history';
import { parseSince, sinceDate } from '../../shared/historyText';
import { readSettings } from '../config';
import type { CommandContext } from '../context';

/**
 * An alias's history (core's readHistory) on the current connection: the journal's records of it
 * and, unless lambdaCanary.history.cloudTrail is off, CloudTrail's events, over the window
 * lambdaCanary.history.since names; CloudTrail's requests paced per connection for the whole
 * extension host (Clients.cloudtrail()). Read-only: no claim on the alias, nothing journalled.
 */
export async function readAliasHistory(ctx: Pick<CommandContext, 'connection' | 'aliases' | 'log'>, functionName: string, aliasName: string, signal?: AbortSignal): Promise<Outcome<HistoryView>> {
  const clients = await ctx.connection.current();
  const settings = readSettings().history;
  if (parseSince(settings.since) === undefined) ctx.log.warn(`lambdaCanary.history.since is not a duration (e.g. 7d, 12h, 2w): ${JSON.stringify(settings.since)}; reading the last 7 days.`);
  const core = await loadHistory();
  const hctx: HistoryContext = {
    ...ctx.aliases.useCaseContext(clients, { signal }),
    ...(settings.cloudTrail ? { cloudtrail: () => clients.cloudtrail() } : {}),
  };
  return core.readHistory(hctx, { functionName, aliasName, since: sinceDate(settings.since) });
}
