import * as l10n from '@vscode/l10n';
import type { ReleaseMemberView, ReleaseView } from '../shared/release';
import { RELEASE_ENDS } from '../shared/release';
import { releaseControls } from '../shared/releaseProtocol';
import { markdownText as m, plainText } from '../shared/text';
import { formatDateTime, formatPercent } from './locale';
import { membersText, statusWord } from './words';

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
  const step = v.current >= 0 && !RELEASE_ENDS.has(v.status) ? ` ${l10n.t('step {0}/{1}', v.current + 1, v.steps.length)}` : '';
  return plainText(`${statusWord(v.status)}${step} · ${membersText(v.members)}`, 200);
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
    l10n.t('**Release {0}** ({1})', m(v.id), m(v.source)),
    l10n.t('Plan: {0}', m(`${v.planName ? `${v.planName} · ` : ''}${v.planText}`)),
    v.stage && (v.promotedFrom ? l10n.t('Stage: {0}, promoted from {1} (release {2})', m(v.stage), m(v.promotedFrom.stage), m(v.promotedFrom.release)) : l10n.t('Stage: {0}', m(v.stage))),
    l10n.t('Status: {0}. {1}', m(statusWord(v.status)), m(v.statusText)),
    m(membersText(v.members)),
    v.driver && l10n.t('Driven by {0}', m(v.driver.self ? l10n.t('this window') : v.driver.holder)),
    l10n.t('Started {0}', m(formatDateTime(v.startedAt))),
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
  const weight = m.state === 'routed' ? ` ${l10n.t('at {0}', formatPercent(m.weight / 100))}` : '';
  return plainText([statusWord(m.state), `${to}${weight}`, m.verdict].filter(Boolean).join(' · '), 200);
}

export function memberTooltip(x: ReleaseMemberView): string {
  return [
    `**${m(x.functionName)}:${m(x.aliasName)}**: ${m(statusWord(x.state))}`,
    x.version
      ? l10n.t('Stable version {0}, new version {1}; {2} on the new version', m(x.stable), m(x.version), m(formatPercent(x.weight / 100)))
      : l10n.t('Stable version {0}; {1} on the new version', m(x.stable), m(formatPercent(x.weight / 100))),
    x.codeSha256 && l10n.t('CodeSha256: {0}', m(x.codeSha256)),
    x.sentence && `${m(x.verdict ?? '')}: ${m(x.sentence)}`,
    x.message && m(x.message),
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
  const text = l10n.t('Release {0} ({1}): {2}', v.id, v.source, v.statusText);
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

/** The notice's buttons, in the user's language (read when a notice is shown: after the bundle is loaded). */
export const ReleaseButton = {
  get resume(): string {
    return l10n.t('Resume');
  },
  get promote(): string {
    return l10n.t('Promote');
  },
  get restore(): string {
    return l10n.t('Restore All');
  },
  get open(): string {
    return l10n.t('Open Release');
  },
};
