import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import type { Outcome } from '../outcome';
import { splitOf } from '../routing';
import type { ProbeResult, TrafficReport } from '../traffic';
import { fetchTraffic, probeAlias } from '../traffic';
import type { CanaryVerdict } from '../../shared/traffic';
import { periodFor } from '../../shared/traffic';
import { compareCanary } from '../verdict';
import { describeAwsError, OperationError } from '../errors';
import { loadAlias } from '../operations';
import type { AliasInput, UseCaseContext } from './context';
import { runUseCase } from './context';

export interface ProbeInput extends AliasInput {
  /** Invocations to send, 1..10,000. */
  count: number;
  payload?: unknown;
  /** Called after each invocation with the counts so far. */
  onProgress?: (done: number, result: ProbeResult) => void;
}

/**
 * Sends test invocations through the alias, paced to the connection's probe rate, and counts
 * which version answered each (X-Amz-Executed-Version) and which failed.
 */
export function probe(ctx: UseCaseContext, input: ProbeInput): Promise<Outcome<ProbeResult>> {
  return runUseCase(ctx, 'probe', input, async (op) => {
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > 10_000) {
      throw new OperationError(`A probe sends 1 to 10,000 invocations, not ${String(input.count)}.`, { state: 'Nothing was invoked.', kind: 'validation' });
    }
    await loadAlias(op, input);
    op.progress?.(`Invoking ${input.functionName}:${input.aliasName} ${input.count} times…`);
    const started = performance.now();
    const result = await probeAlias(
      ctx.lambda,
      { functionName: input.functionName, aliasName: input.aliasName, count: input.count, payload: input.payload, ...ctx.capabilities.probe },
      ctx.signal,
      input.onProgress,
    );
    op.record?.steps.push({ name: `Invoke ${input.aliasName} ×${result.sent}`, ms: Math.round(performance.now() - started), result: result.failed ? 'failed' : 'ok' });
    if (ctx.signal?.aborted) {
      // Ctrl+C or Cancel: a cancelled probe, with what it counted until then.
      throw new OperationError('Cancelled.', { state: `${result.sent} of ${input.count} invocations were sent.`, kind: 'cancelled', detail: result });
    }
    if (result.sent > 0 && result.failed === result.sent) {
      throw new OperationError(`None of the ${result.sent} invocations of ${input.functionName}:${input.aliasName} went through: ${result.firstError ?? 'no answer'}.`, {
        step: `Invoke ${input.aliasName}`,
        state: 'Nothing was changed.',
      });
    }
    if (result.failed > 0) op.record?.warnings.push(`${result.failed} of ${result.sent} invocations could not be made (the first: ${result.firstError ?? 'no answer'}).`);
    return result;
  });
}

export interface TrafficReportInput extends AliasInput {
  /** Window, minutes (1 … 1,440; the panel offers 5, 15, 60 and 180). */
  windowMinutes: number;
  /** Further versions to report on besides the alias's targets (e.g. recent ones). */
  versions?: string[];
  /** The alias as the caller just read it: saves a GetAlias. */
  alias?: AliasConfiguration;
  /** The window's end, epoch ms (default now). */
  end?: number;
}

/** A traffic report with the canary-vs-stable comparison worked out here, not by a renderer. */
export interface TrafficReportDetail extends TrafficReport {
  stableVersion: string;
  canaryVersion?: string;
  /** The canary's weight, 0..1, when it runs. */
  canaryWeight?: number;
  verdict: CanaryVerdict;
}

/** One GetMetricData over the window for the alias's versions, and the verdict on its canary. */
export function trafficReport(ctx: UseCaseContext, input: TrafficReportInput): Promise<Outcome<TrafficReportDetail>> {
  return runUseCase(
    ctx,
    'traffic',
    input,
    async (op) => {
      if (!Number.isFinite(input.windowMinutes) || input.windowMinutes < 1 || input.windowMinutes > 24 * 60) {
        throw new OperationError(`A traffic window is 1 minute to 24 hours, not ${String(input.windowMinutes)} minutes.`, { state: 'Nothing was read.', kind: 'validation' });
      }
      let alias = input.alias;
      if (alias) op.record!.before = alias;
      else alias = await loadAlias(op, input);
      const split = splitOf(alias);
      const versions = new Set(input.versions ?? []);
      if (split.primary.version !== '$LATEST') versions.add(split.primary.version);
      if (split.canary) versions.add(split.canary.version);
      const started = performance.now();
      let report: TrafficReport;
      try {
        report = await fetchTraffic(
          ctx.cloudwatch,
          {
            functionName: input.functionName,
            aliasName: input.aliasName,
            versions: [...versions].sort((a, b) => Number(a) - Number(b)),
            windowMs: input.windowMinutes * 60_000,
            periodSeconds: periodFor(input.windowMinutes, ctx.capabilities.highResolutionMetrics),
            end: input.end,
          },
          ctx.signal,
        );
      } catch (err) {
        op.record?.steps.push({ name: 'GetMetricData', ms: Math.round(performance.now() - started), result: 'failed' });
        const d = describeAwsError(err, ctx.profile);
        throw new OperationError(`Could not read the traffic of ${input.functionName}:${input.aliasName}: ${d.message}`, { step: 'GetMetricData', state: 'Nothing was changed.', cause: err, kind: d.kind });
      }
      op.record?.steps.push({ name: 'GetMetricData', ms: Math.round(performance.now() - started), result: 'ok' });
      return {
        ...report,
        stableVersion: split.primary.version,
        ...(split.canary ? { canaryVersion: split.canary.version, canaryWeight: split.canary.weight } : {}),
        verdict: compareCanary(report, split.primary.version, split.canary?.version),
      };
    },
    // A report is read every few seconds while a panel is open: not an event worth a record.
    { journal: false },
  );
}
