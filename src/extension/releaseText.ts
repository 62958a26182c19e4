import type { ReleaseMemberView, ReleaseView } from '../shared/release';
import { membersSummary, RELEASE_ENDS } from '../shared/release';
import { releaseControls } from '../shared/releaseProtocol';
import { md, plainText } from '../shared/text';

/**
 * What the Releases node shows of each release and member, as plain strings (no vscode types).
 * Labels and descriptions are plain text; tooltips are Markdown built with `md` (every value from
 * AWS or the journal escaped).
 */

/** At most this many ended releases are listed (open ones always are). */
export const RECENT_ENDED_RELEASES = 5;

/** Open releases first (newest first), then the most recent ended ones. */
export function listedReleases(views: readonly ReleaseView[], ended = RECENT_ENDED_RELEASES): ReleaseView[] {
  const open = views.filter((v) => !RELEASE_ENDS.has(v.status));
  const done = views.filter((v) => RELEASE_ENDS.has(v.status)).slice(0, ended);
  return [...open, ...done];
}

/** `lambda-canary.json · 1a2b3c4d`, `lambda-canary.json → prod · 1a2b3c4d` for a release to a stage. */
export function releaseLabel(v: Pick<ReleaseView, 'source' | 'id' | 'stage'>): string {
  return plainText(`${v.source}${v.stage ? ` → ${v.stage}` : ''} · ${v.id}`);
}

export function releaseDescription(v: ReleaseView): string {
  const step = v.current >= 0 && !RELEASE_ENDS.has(v.status) ? ` step ${v.current + 1}/${v.steps.length}` : '';
  return plainText(`${v.status}${step} · ${membersSummary(v.members)}`, 200);
}

/**
 * The release row's context value: `lambdaCanary:release:<status>`, or `…:remote` when another
 * live process drives it (no controls here). Menus match on it.
 */
export function releaseContextValue(v: ReleaseView): string {
  if (!RELEASE_ENDS.has(v.status) && releaseControls(v).length === 0) return 'lambdaCanary:release:remote';
  return RELEASE_ENDS.has(v.status) ? 'lambdaCanary:release:ended' : `lambdaCanary:release:${v.status}`;
}

export function releaseIcon(v: ReleaseView): { id: string; color?: string } {
  switch (v.status) {
    case 'publishing':
    case 'running':
      return { id: 'sync~spin' };
    case 'waiting':
      return { id: 'debug-pause', color: 'charts.yellow' };
    case 'halted':
    case 'interrupted':
      return { id: 'warning', color: 'problemsWarningIcon.foreground' };
    case 'promoted':
      return { id: 'pass', color: 'charts.green' };
    case 'unchanged':
      return { id: 'circle-slash' };
    default:
      return { id: 'discard', color: 'charts.red' };
  }
}

export function releaseTooltip(v: ReleaseView): string {
  const lines = [
    md`**Release ${v.id}** (${v.source})`,
    md`Plan: ${v.planName ? `${v.planName} · ` : ''}${v.planText}`,
    v.stage && md`Stage: ${v.stage}${v.promotedFrom ? `, promoted from ${v.promotedFrom.stage} (release ${v.promotedFrom.release})` : ''}`,
    md`Status: ${v.status}. ${v.statusText}`,
    md`${membersSummary(v.members)}`,
    v.driver && md`Driven by ${v.driver.self ? 'this window' : v.driver.holder}`,
    md`Started ${new Date(v.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  ];
  return lines.filter(Boolean).join('  \n');
}

/** `checkout:prod` */
export function memberLabel(m: Pick<ReleaseMemberView, 'functionName' | 'aliasName'>): string {
  return plainText(`${m.functionName}:${m.aliasName}`);
}

/** `routed · 1 → 2 at 10% · Pass` */
export function memberDescription(m: ReleaseMemberView): string {
  const to = m.version ? `${m.stable} → ${m.version}` : m.stable;
  const weight = m.state === 'routed' ? ` at ${m.weight}%` : '';
  return plainText([m.state, `${to}${weight}`, m.verdict].filter(Boolean).join(' · '), 200);
}

export function memberTooltip(m: ReleaseMemberView): string {
  return [
    md`**${m.functionName}:${m.aliasName}**: ${m.state}`,
    md`Stable version ${m.stable}${m.version ? `, new version ${m.version}` : ''}; ${m.weight}% on the new version`,
    m.codeSha256 && md`CodeSha256: ${m.codeSha256}`,
    m.sentence && md`${m.verdict ?? ''}: ${m.sentence}`,
    m.message && md`${m.message}`,
  ]
    .filter(Boolean)
    .join('  \n');
}

export function memberIcon(m: ReleaseMemberView): { id: string; color?: string } {
  switch (m.state) {
    case 'promoted':
      return { id: 'pass', color: 'charts.green' };
    case 'routed':
      return { id: 'beaker', color: m.verdict === 'Fail' ? 'charts.red' : 'charts.yellow' };
    case 'failed':
    case 'unknown':
      return { id: 'error', color: 'errorForeground' };
    case 'left':
      return { id: 'warning', color: 'problemsWarningIcon.foreground' };
    case 'restored':
      return { id: 'discard' };
    default:
      return { id: 'tag' };
  }
}

/** The notification of a release that ended, holds, waits or was found interrupted: its text, severity and buttons. */
export function releaseNotice(v: ReleaseView, elsewhere = false): { text: string; severity: 'info' | 'warning'; buttons: string[] } {
  const text = `Release ${v.id} (${v.source}): ${v.statusText}`;
  // The release panel shows the current connection's releases: one on another stage's connection has no Open Release.
  const open: string[] = elsewhere ? [] : [ReleaseButton.open];
  if (v.status === 'promoted' || v.status === 'unchanged') return { text, severity: 'info', buttons: open };
  if (RELEASE_ENDS.has(v.status)) return { text, severity: 'warning', buttons: open };
  const controls = releaseControls(v);
  const buttons = [
    ...(controls.includes('resume') ? [ReleaseButton.resume] : []),
    ...(controls.includes('promote') ? [ReleaseButton.promote] : []),
    ...(controls.includes('restore') ? [ReleaseButton.restore] : []),
    ...open,
  ];
  return { text, severity: 'warning', buttons };
}

export const ReleaseButton = { resume: 'Resume', promote: 'Promote', restore: 'Restore All', open: 'Open Release' } as const;
