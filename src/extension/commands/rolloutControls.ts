import * as l10n from '@vscode/l10n';
import type { AliasAction } from '../../core/aliasActions';
import type { RolloutControl, RolloutView } from '../../shared/rollout';
import { iconText, notificationText } from '../../shared/text';
import type { CommandContext } from '../context';
import { statusWord, stepText } from '../words';
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

/** The command's title (as in package.json), for the picker. */
function controlTitle(action: RolloutControl): string {
  switch (action) {
    case 'pause':
      return l10n.t('Pause Rollout');
    case 'resume':
      return l10n.t('Resume Rollout');
    case 'next':
      return l10n.t('Next Rollout Step');
    case 'promote':
      return l10n.t('Promote Rollout Now');
    case 'abort':
      return l10n.t('Abort Rollout');
  }
}

function progressTitle(action: RolloutControl, where: string): string {
  switch (action) {
    case 'pause':
      return l10n.t('Pausing the rollout on {0}', where);
    case 'resume':
      return l10n.t('Resuming the rollout on {0}', where);
    case 'next':
      return l10n.t('Moving to the next step on {0}', where);
    case 'promote':
      return l10n.t('Promoting {0}', where);
    case 'abort':
      return l10n.t('Aborting the rollout on {0}', where);
  }
}

async function control(ctx: CommandContext, node: unknown, action: RolloutControl, confirm?: (v: RolloutView) => RolloutConfirmation): Promise<void> {
  const { functionName, aliasName } = await rolloutControlTarget(ctx, node, controlTitle(action));
  // The runner of this connection, resumed from the journal: the rollout's view for the question.
  await ctx.rollouts.current();
  const view = ctx.rollouts.view(functionName, aliasName);
  await ctx.aliases.run({
    functionName,
    aliasName,
    action: CLAIMS[action],
    confirm: confirm && isActiveView(view) ? () => confirm(view) : undefined,
    title: progressTitle(action, `${functionName}:${aliasName}`),
    // A refusal (no rollout, another driver's lease, an end) comes back as the outcome's error and is shown as one.
    run: () => ctx.rollouts.control({ functionName, aliasName, action }),
  });
}

export const pauseRollout = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'pause');
export const resumeRollout = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'resume');
export const nextRolloutStep = (ctx: CommandContext, node?: unknown) => control(ctx, node, 'next');
export const promoteRollout = (ctx: CommandContext, node?: unknown) =>
  control(ctx, node, 'promote', (v) => confirmPromoteRollout(v.functionName, v.aliasName, v.version, v.stable, stepText(v)));
export const abortRollout = (ctx: CommandContext, node?: unknown) =>
  control(ctx, node, 'abort', (v) => confirmAbortRollout(v.functionName, v.aliasName, v.version, v.stable, stepText(v)));

/** The status bar's click: the traffic panel of the one rollout in progress, or a pick of them. */
export async function showRollouts(ctx: CommandContext): Promise<void> {
  await ctx.rollouts.current();
  const active = ctx.rollouts.views().filter(isActiveView);
  if (active.length === 0) {
    void ctx.ui.info(notificationText(l10n.t('No rollout is in progress on this connection. Start one from an alias: Start Rollout…')));
    return;
  }
  const v =
    active.length === 1
      ? active[0]
      : orDismiss(
          await ctx.ui.pick<RolloutView>(
            'rollout',
            active.map((r) => ({ label: iconText(`${r.functionName}:${r.aliasName}`), description: iconText(l10n.t('version {0} · {1} · {2}', r.version, stepText(r), statusWord(r.status))), detail: r.status === 'running' ? undefined : iconText(r.statusText), value: r })),
            { title: l10n.t('Rollouts in progress'), placeHolder: l10n.t('Open the traffic panel of which rollout?') },
          ),
        ).value;
  ctx.panels.open(v.functionName, v.aliasName);
}
