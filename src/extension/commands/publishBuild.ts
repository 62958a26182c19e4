import * as l10n from '@vscode/l10n';
import type { SamBuildChoice, SamSituation } from '../../core/samBuild';
import { findOnPath, samSituation, staleBuildMessage } from '../../core/samBuild';
import type { WorkspaceFunction } from '../../core/workspace';
import { iconText } from '../../shared/text';
import type { CommandContext } from '../context';
import type { PickItem } from '../ui';
import { Dismissed } from './common';

/** What the user chose, and what was read of the function to ask (handed to the use case, not read again). */
export interface SamBuildDecision {
  choice?: SamBuildChoice;
  situation?: SamSituation;
}

/**
 * A SAM function published from what `sam build` makes of it (samBuild.ts): asked only when its
 * build output is missing or older than its sources. Offers to run `sam build <Id>` into Lambda
 * Canary's own build folder (trusted workspace, `sam` on PATH; .aws-sam/build stays as it is),
 * to publish the sources as they are (only when they can run: just dependencies missing), or to
 * cancel. Without `sam`, says what to run where: an error, or a warning when the sources can run
 * as they are. Inline code, images and archives never need a build. `deployed`: the deployed
 * function's handler and runtime, which the use case packages for, when known.
 */
export async function chooseSamBuild(ctx: CommandContext, ws: WorkspaceFunction, trusted: boolean, deployed: { handler?: string; runtime?: string } = {}): Promise<SamBuildDecision> {
  const situation = samSituation(ws, deployed);
  if (!situation?.need || situation.built === 'fresh') return situation ? { situation } : {};
  const s = { ...situation, need: situation.need };
  const message = staleBuildMessage(s, l10n.t('Publish Canary again'));
  const canRun = trusted && findOnPath('sam') !== undefined;
  if (!canRun) {
    const why = ` ${trusted ? l10n.t('(`sam`, the AWS SAM CLI, is not on PATH.)') : l10n.t('(This workspace is not trusted: Lambda Canary runs nothing of it.)')}`;
    ctx.log.warn(message + why);
    if (s.need.depsOnly) {
      // The sources run as they are: published, and the dependency check's warning says what they lack.
      void ctx.ui.warn(message + why);
      return { choice: 'use-built', situation };
    }
    void ctx.ui.error(message + why);
    throw new Dismissed();
  }
  const items: Array<PickItem<SamBuildChoice | 'cancel'>> = [
    {
      label: l10n.t('Run {0}', iconText(s.command.join(' '))),
      description: l10n.t('in {0}, into {1} (.aws-sam/build stays as it is), then publish it', iconText(s.where), iconText(s.privateLabel)),
      value: 'run',
    },
    ...(s.need.depsOnly ? [{ label: l10n.t('Publish the Sources As They Are'), description: l10n.t('without the packages sam build would install'), value: 'sources' as const }] : []),
    { label: l10n.t('Cancel'), value: 'cancel' },
  ];
  const picked = await ctx.ui.pick<SamBuildChoice | 'cancel'>('samBuild', items, { title: l10n.t('Publish Canary: {0} needs sam build', s.logicalId), placeHolder: message });
  if (!picked || picked.value === 'cancel') throw new Dismissed();
  return { choice: picked.value, situation };
}
