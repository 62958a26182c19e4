import type { AliasAction } from '../../core/aliasActions';
import type { RolloutControl, RolloutView } from '../../shared/rollout';
import { stepLabel } from '../../shared/rollout';
import { iconText, notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { isActiveView } from '../rolloutText';
import type { RolloutConfirmation } from './confirmations';
import { confirmAbortRollout, confirmPromoteRollout } from './confirmations';
import { orDismiss } from './common';
import { rolloutControlTarget } from './rolloutPicks';

/**
 * The controls of a rollout: Pause, Resume, Next step, Promote now, Abort. From the alias menu,
 * the palette (which rollout?), the traffic panel and notifications' buttons (`{ functionName,
 * aliasName }`). Promote and Abort are confirmed; the others are not (they route nothing at once
 * that cannot be undone, or only what the plan would route next).
 */

const CLAIMS: Record<RolloutControl, AliasAction> = { pause: 'apply', resume: 'apply', next: 'apply', promote: 'promote', abort: 'rollback' };

const TITLES: Record<RolloutControl, string> = {
  pause: 'Pause Rollout',
  resume: 'Resume Rollout',
  next: 'Next Rollout Step',
  promote: 'Promote Rollout Now',
  abort: 'Abort Rollout',
};

const PROGRESS: Record<RolloutControl, string> = {
  pause: 'Pausing the rollout on',
  resume: 'Resuming the rollout on',
  next: 'Moving to the next step on',
  promote: 'Promoting',
  abort: 'Aborting the rollout on',
};

async function control(ctx: CommandContext, node: unknown, action: RolloutControl, confirm?: (v: RolloutView) => RolloutConfirmation): Promise<void> {
  const { functionName, aliasName } = await rolloutControlTarget(ctx, node, TITLES[action]);
  // The runner of this connection, resumed from the journal: the rollout's view for the question.
  await ctx.rollouts.current();
  const view = ctx.rollouts.view(functionName, aliasName);
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: CLAIMS[action],
    confirm: confirm && isActiveView(view) ? () => confirm(view) : undefined,
    title: `${PROGRESS[action]} ${functionName}:${aliasName}`,
    // A refusal (no rollout, another driver's lease, an end) comes back as the outcome's error and is shown as one.
    run: () => ctx.rollouts.control({ functionName, aliasName, action }),
  });
}

export const pauseRollout = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'pause');
export const resumeRollout = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'resume');
export const nextRolloutStep = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'next');
export const promoteRollout = (ctx: CommandContext, node?: unknown) =>
  control(ctx, node, 'promote', (v) => confirmPromoteRollout(v.functionName, v.aliasName, v.version, v.stable, stepLabel(v)));
export const abortRollout = (ctx: CommandContext, node?: unknown) =>
  control(ctx, node, 'abort', (v) => confirmAbortRollout(v.functionName, v.aliasName, v.version, v.stable, stepLabel(v)));

/** The status bar's click: the traffic panel of the one rollout in progress, or a pick of them. */
export async function showRollouts(ctx: CommandContext): Promise<void> {
  await ctx.rollouts.current();
  const active = ctx.rollouts.views().filter(isActiveView);
  if (active.length === 0) {
    void ctx.ui.info(notificationText('No rollout is in progress on this connection. Start one from an alias: Start Rollout…'));
    return;
  }
  const v =
    active.length === 1
      ? active[0]
      : orDismiss(
          await ctx.ui.pick<RolloutView>(
            'rollout',
            active.map((r) => ({ label: iconText(`${r.functionName}:${r.aliasName}`), description: iconText(`version ${r.version} · ${stepLabel(r)} · ${r.status}`), detail: r.status === 'running' ? undefined : iconText(r.statusText), value: r })),
            { title: 'Rollouts in progress', placeHolder: 'Open the traffic panel of which rollout?' },
          ),
        ).value;
  ctx.panels.open(v.functionName, v.aliasName);
}
