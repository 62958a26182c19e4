// Which steps of the getting-started walkthrough an outcome or an opened file completes. Kept
// free of `vscode` so the rules are unit-tested in plain Node; walkthrough.ts applies them.
import * as path from 'node:path';
import type { CodeDeployDetail } from '../core/codedeploy/types';
import type { Outcome } from '../core/outcome';
import type { RolloutDetail } from '../core/rollout/records';

/** A walkthrough step done by an action (each one a `when` context key of its completionEvents). */
export type Milestone = 'published' | 'rolloutStarted' | 'rolledBack';

/** The files the extension reads a function from: lambda-canary.json, or a SAM template. */
const DEFINITION_FILES = new Set(['lambda-canary.json', 'template.yaml', 'template.yml']);

export function isFunctionDefinition(fileName: string): boolean {
  return DEFINITION_FILES.has(path.basename(fileName).toLowerCase());
}

/**
 * The milestones an outcome of this window reached. Only what was done counts: a refused,
 * failed or unchanged action (state `unchanged`, or an error) completes nothing.
 */
export function milestonesOf(outcome: Outcome): Milestone[] {
  if (outcome.state !== 'done' || outcome.error) return [];
  switch (outcome.action) {
    case 'deploy':
    case 'canary':
      // A canary: the new version got a share of the alias (Publish Canary, Start Canary on…).
      return Object.keys(outcome.after?.weights ?? {}).length > 0 ? ['published'] : [];
    case 'rollback':
      return ['rolledBack'];
    case 'rollout': {
      const event = (outcome.detail as Partial<RolloutDetail> | undefined)?.rollout;
      if (event?.type === 'started') return ['rolloutStarted'];
      // Rolled back by its judge, or aborted (which puts the stable version back too).
      if (event?.type === 'ended' && (event.result === 'rolled-back' || event.result === 'aborted')) return ['rolledBack'];
      return [];
    }
    case 'codedeploy': {
      const d = outcome.detail as Partial<CodeDeployDetail> | undefined;
      if (d?.event === 'started') return ['rolloutStarted'];
      if ((d?.event === 'stop' && d.rollback) || (d?.event === 'ended' && d.rolledBack)) return ['rolledBack'];
      return [];
    }
    default:
      return [];
  }
}
