import type { Clients } from '../../core/connection';
import { errorSummary } from '../../core/errors';
import { mapLimit } from '../../core/mapLimit';
import { fetchTraffic } from '../../core/traffic';
import type { ReleaseView } from '../../shared/release';
import type { ReleaseTraffic } from '../../shared/releaseProtocol';
import { periodFor } from '../../shared/traffic';

/** GetMetricData requests in flight at once for one panel's refresh. */
const READS_AT_ONCE = 4;

/**
 * A release's combined traffic: each member with a new version read with core's traffic reader
 * (one GetMetricData per member, over the release's time so far, 5 min to 3 h), then its stable
 * version's and its new version's invocations and errors summed over the members.
 */
export async function releaseTraffic(clients: Clients, v: ReleaseView, now = Date.now(), signal?: AbortSignal): Promise<ReleaseTraffic> {
  const end = v.endedAt ?? now;
  const windowMs = Math.min(180, Math.max(5, Math.ceil((end - v.startedAt) / 60_000) + 1)) * 60_000;
  const minutes = windowMs / 60_000;
  const periodSeconds = periodFor(minutes, clients.capabilities.highResolutionMetrics);
  const members = v.members.filter((m) => m.version !== undefined);
  const total: ReleaseTraffic = { stable: { invocations: 0, errors: 0 }, canary: { invocations: 0, errors: 0 }, members: members.length, unread: [], start: end - windowMs, end, fetchedAt: now };
  await mapLimit(members, READS_AT_ONCE, async (m) => {
    try {
      const r = await fetchTraffic(clients.cloudwatch, { functionName: m.functionName, aliasName: m.aliasName, versions: [m.stable, m.version!], windowMs, periodSeconds, end }, signal);
      for (const t of r.versions) {
        const side = t.version === m.version ? total.canary : t.version === m.stable ? total.stable : undefined;
        if (!side) continue;
        side.invocations += t.invocations;
        side.errors += t.errors;
      }
    } catch (err) {
      total.unread.push(`${m.functionName}:${m.aliasName} (${errorSummary(err)})`);
    }
  });
  return total;
}
