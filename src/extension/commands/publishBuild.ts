import type { SamBuildChoice } from '../../core/samBuild';
import { findOnPath, inspectSamBuild, staleBuildMessage } from '../../core/samBuild';
import type { WorkspaceFunction } from '../../core/workspace';
import type { CommandContext } from '../context';
import type { PickItem } from '../ui';
import { Dismissed } from './common';

/**
 * A SAM function published from what `sam build` makes of it (samBuild.ts): asked only when its
 * .aws-sam/build output is missing or older than its sources. Offers to run `sam build
 * <LogicalId>` (trusted workspace, `sam` on PATH), to publish the sources as they are (only when
 * they can run: just dependencies missing), or to cancel. Without `sam`, says what to run where:
 * an error, or a warning when the sources can run as they are. Undefined: nothing to decide (the
 * use case packages the fresh build output, or the code folder).
 */
export async function chooseSamBuild(ctx: CommandContext, ws: WorkspaceFunction, trusted: boolean): Promise<SamBuildChoice | undefined> {
  const s = inspectSamBuild(ws);
  if (!s || s.built === 'fresh') return undefined;
  const message = staleBuildMessage(s, 'Publish Canary again');
  const canRun = trusted && findOnPath('sam') !== undefined;
  if (!canRun) {
    const why = trusted ? ' (`sam`, the AWS SAM CLI, is not on PATH.)' : ' (This workspace is not trusted: Lambda Canary runs nothing of it.)';
    ctx.log.warn(message + why);
    if (s.need.depsOnly) {
      // The sources run as they are: published, and the dependency check's warning says what they lack.
      void ctx.ui.warn(message + why);
      return 'use-built';
    }
    void ctx.ui.error(message + why);
    throw new Dismissed();
  }
  const command = s.command.join(' ');
  const items: Array<PickItem<SamBuildChoice | 'cancel'>> = [
    { label: `Run ${command}`, description: `in ${s.where}, then publish ${s.builtLabel}`, value: 'run' },
    ...(s.need.depsOnly ? [{ label: 'Publish the Sources As They Are', description: 'without the packages sam build would install', value: 'sources' as const }] : []),
    { label: 'Cancel', value: 'cancel' },
  ];
  const picked = await ctx.ui.pick<SamBuildChoice | 'cancel'>('samBuild', items, { title: `Publish Canary: ${s.logicalId} needs sam build`, placeHolder: message });
  if (!picked || picked.value === 'cancel') throw new Dismissed();
  return picked.value;
}
