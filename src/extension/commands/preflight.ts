import * as l10n from '@vscode/l10n';
import { loadTriggers } from '../../core/triggersModule';
import type { CommandContext } from '../context';
import { preflightQuestion } from '../triggerText';
import { useCaseContext } from '../useCaseContext';

export const GO_ON = 'Go On';
export const SHOW_TRIGGERS = 'Show Triggers';

/**
 * The pre-flight before traffic moves to a new version (Publish Canary, Start Canary, Start
 * Rollout): core's preflight in a cancellable progress notification, then, only when it found
 * something, one modal with the summary and each finding with its fix. Blockers offer only Cancel;
 * warnings offer Go On, Show Triggers (reveals the function's Triggers group) and Cancel.
 * Resolves true to go on; false stops the command quietly (nothing was changed).
 */
export async function passPreflight(
  ctx: CommandContext,
  input: { functionName: string; aliasName: string; version?: string },
  what: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const clients = await ctx.connection.current();
  let cancelled = false;
  const report = await ctx.aliases.withProgress(l10n.t('Checking {0}:{1} before {2}', input.functionName, input.aliasName, what), signal, async (s, progress) => {
    // Read-only: not journalled. It never throws; what it cannot read is a finding.
    const { preflight } = await loadTriggers();
    const r = await preflight(useCaseContext(clients, ctx.log, { signal: s, progress }), input);
    cancelled = s.aborted;
    return r;
  });
  if (cancelled) {
    ctx.log.info(`${what} on ${input.functionName}:${input.aliasName}: cancelled during the pre-flight. Nothing was changed.`);
    return false;
  }
  const q = preflightQuestion(report, what);
  if (!q) return true;
  for (const f of report.findings) ctx.log.warn(`Pre-flight ${input.functionName}:${input.aliasName} (${f.severity}, ${f.code}): ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`);
  const answer = await ctx.ui.choose(q.id, q.message, q.detail, q.blocked ? [] : [GO_ON, SHOW_TRIGGERS]);
  if (answer === SHOW_TRIGGERS) await ctx.tree.revealTriggers(input.functionName);
  return answer === GO_ON;
}
