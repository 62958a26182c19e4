import type { HistoryEnd, HistoryRouting } from '../../shared/history';
import { changeText, routingShort } from '../../shared/historyText';

/**
 * History's words (entry summaries, CloudTrail's status and lag, Return to This State's reasons),
 * in one place, with the routing words the editor and the panel use too (src/shared/historyText.ts).
 * Plain text: front ends escape it.
 */

export { changeText, routingShort };

/** What each journal action is called in a summary's parenthesis. */
export const ACTION_WORDS: Record<string, string> = {
  deploy: 'canary deployed',
  canary: 'canary',
  weight: 'canary weight',
  promote: 'promoted',
  rollback: 'rolled back',
  switch: 'switched',
  'switch-back': 'switched back',
  return: 'returned to an earlier state',
  'create-alias': 'alias created',
  'trigger-fix': 'trigger fix',
  rollout: 'rollout',
  codedeploy: 'CodeDeploy rollout',
  router: 'router',
};

export function publishedText(v: { version: string; description?: string }): string {
  return `version ${v.version} published${v.description ? ` (${v.description})` : ''}`;
}

/** A journal entry's summary: what it published, then the routing change and what it was. */
export function journalSummary(action: string, ended: HistoryEnd, before: HistoryRouting | undefined, after: HistoryRouting | undefined, published: Array<{ version: string; description?: string }>): string {
  const parts = published.map(publishedText);
  const word = ACTION_WORDS[action] ?? action;
  if (ended === 'done' || ended === 'unknown') {
    const change = changeText(before, after);
    if (change && !(before && after && routingShort(before) === routingShort(after))) parts.push(`${change} (${word}${ended === 'unknown' ? ', outcome unknown' : ''})`);
    else parts.push(ended === 'unknown' ? `${word}: outcome unknown` : word);
  } else {
    parts.push(`${action} ${ended === 'refused' ? 'refused' : ended === 'stopped' ? 'cancelled' : 'failed'}${before ? ` (${routingShort(before)} kept)` : ''}`);
  }
  return parts.join('; ');
}

export const trailText = {
  routing: (name: string, before: HistoryRouting | undefined, after: HistoryRouting | undefined) => `${changeText(before, after) || 'routing changed'} (${name === 'CreateAlias' ? 'alias created' : 'UpdateAlias'})`,
  aliasDeleted: (alias: string) => `alias ${alias} deleted`,
  versionDeleted: (version: string) => `version ${version} deleted`,
  functionDeleted: (fn: string) => `function ${fn} deleted`,
  codeDeployStep: (r: HistoryRouting, at: string) => `CodeDeploy shifted the alias at ${at}: ${routingShort(r)}`,
};

export const statusText = {
  read: (events: number, skipped: number, truncated: boolean, coveredFrom: string | undefined) =>
    `CloudTrail was read: ${events} Lambda event${events === 1 ? '' : 's'}${skipped ? ` (${skipped} unreadable, skipped)` : ''}${truncated && coveredFrom ? `; the page limit stopped the read at ${coveredFrom}, so older CloudTrail events are not shown` : ''}.`,
  partial: (events: number, coveredFrom: string, summary: string) =>
    `CloudTrail was read only in part: ${events} Lambda event${events === 1 ? '' : 's'} back to ${coveredFrom}, then it failed (${summary}), so older CloudTrail events are not shown.`,
  denied: "CloudTrail was not read: this identity may not call cloudtrail:LookupEvents; the history below is this machine's journal alone.",
  unavailable: "CloudTrail was not read: the endpoint has no CloudTrail; the history below is this machine's journal alone.",
  error: (summary: string) => `CloudTrail could not be read (${summary}); the history below is this machine's journal alone.`,
  off: "CloudTrail was not asked; the history below is this machine's journal alone.",
  lag: 'CloudTrail shows a write about 5 minutes after it is made (AWS does not guarantee the delay); changes newer than that come from this machine\'s journal alone.',
};

export const returnText = {
  current: "this is the alias's current routing",
  recreated: (at: string) => `the function was deleted and created again on ${at}; its versions are not these`,
  unknown: 'the routing after this change is not known',
  notDone: 'this change did not take effect, so it left no state of its own to return to',
  latest: 'this state routed to $LATEST, an unpublished version: Lambda Canary never routes traffic there',
  notNumber: (v: string) => `this state routes to '${v}', which is not a published version number`,
  deleted: (versions: string[]) => `${versions.length === 1 ? `version ${versions[0]} was` : `versions ${versions.join(', ')} were`} deleted`,
  aliasGone: 'the alias no longer exists',
};
