import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import * as l10n from '@vscode/l10n';
import type { Lease } from '../core/rollout/lease';
import { holderText } from '../core/rollout/lease';
import { describePlan, parsePlanText } from '../core/rollout/plans';
import type { RolloutStatus, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import { iconText, markdownText as m, plainText } from '../shared/text';
import { codeDeployDescription, codeDeploySuffix, codeDeployTooltipLines, isCodeDeployView } from './codeDeployText';
import { aliasLabel, formatDateTime } from './locale';
import { statusWord, stepText } from './words';

/**
 * What the tree, the status bar and the notifications show of a rollout, as plain strings (no
 * vscode types, so it is tested in plain Node). A rollout is either one this window's runner
 * knows (its view) or only a lease read from the alias description: another editor or the CLI
 * drives it, and it is shown read-only.
 */
export type AliasRollout =
  | { kind: 'known'; view: RolloutView; readOnly: boolean }
  | { kind: 'lease'; lease: Lease; readOnly: true };

export function isActiveView(v: RolloutView | undefined): v is RolloutView {
  return !!v && !ROLLOUT_ENDS.has(v.status);
}

/**
 * The rollout an alias shows: the runner's active one, else a live lease of a rollout this window
 * does not know. `leaseLive` decides whether a lease still binds (expiry, a dead process on this host).
 */
export function aliasRolloutOf(view: RolloutView | undefined, lease: Lease | undefined, now: number, leaseLive: (l: Lease) => boolean): AliasRollout | undefined {
  if (view && !ROLLOUT_ENDS.has(view.status)) {
    // AWS steps it; this window's Stop is as good as any other's.
    if (isCodeDeployView(view)) return { kind: 'known', view, readOnly: false };
    const d = view.driver;
    return { kind: 'known', view, readOnly: !!d && !d.self && d.until > now };
  }
  if (lease && leaseLive(lease) && lease.rollout !== view?.id) return { kind: 'lease', lease, readOnly: true };
  return undefined;
}

/** `step 2/4`, then ` · paused` / ` · waiting` / ` · halted` when it is not stepping by itself. */
export function rolloutSuffix(r: AliasRollout): string {
  if (r.kind === 'lease') return l10n.t('step {0}/{1}', r.lease.step + 1, r.lease.steps);
  if (isCodeDeployView(r.view)) return codeDeploySuffix(r.view);
  const status = r.view.status === 'running' ? '' : ` · ${statusWord(r.view.status)}`;
  return `${stepText(r.view)}${status}`;
}

/** `prod → 7 (75%) · 8 (25%) · step 2/4 · paused` (plain text: the alias's name comes from AWS). */
export function rolloutAliasLabel(alias: AliasConfiguration, r: AliasRollout): string {
  return plainText(`${aliasLabel(alias)} · ${rolloutSuffix(r)}`);
}

/** The context value: which controls the alias's menu offers. */
export function rolloutContextValue(r: AliasRollout, base: string, remote: string, codeDeploy = 'lambdaCanary:alias:codedeploy'): string {
  if (r.kind === 'known' && isCodeDeployView(r.view)) return codeDeploy;
  if (r.readOnly) return remote;
  const status = (r as { view: RolloutView }).view.status;
  return status === 'running' ? base : `${base}:${status}`;
}

export function rolloutIcon(r: AliasRollout): { id: string; color?: string } {
  if (r.readOnly) return { id: 'lock' };
  if (r.kind === 'known' && isCodeDeployView(r.view)) return { id: 'sync~spin', color: 'charts.purple' };
  switch (r.kind === 'known' ? r.view.status : 'running') {
    case 'paused':
      return { id: 'debug-pause' };
    case 'halted':
      return { id: 'debug-pause', color: 'charts.orange' };
    case 'waiting':
      return { id: 'debug-pause', color: 'charts.yellow' };
    default:
      return { id: 'sync~spin', color: 'charts.blue' };
  }
}

/** `12/01/2026, 04:40 PM UTC` (as the user's locale writes it) */
export function shortTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  return formatDateTime(ms);
}

export function drivenByText(holder: string, since: number | undefined): string {
  return since !== undefined ? l10n.t('driven by {0} since {1}', holder, shortTime(since)) : l10n.t('driven by {0}', holder);
}

/** The plan in words, from its typed form (`10 % for 5 min, then 100 %`). */
export function planWords(planText: string): string {
  try {
    return describePlan(parsePlanText(planText));
  } catch {
    return planText;
  }
}

/** What the tree's description says beside the label: who drives it when that is not this window. */
export function rolloutDescription(r: AliasRollout): string | undefined {
  if (r.kind === 'lease') return plainText(drivenByText(holderText(r.lease), r.lease.since));
  if (isCodeDeployView(r.view)) return codeDeployDescription(r.view);
  if (r.readOnly && r.view.driver) return plainText(drivenByText(r.view.driver.holder, r.view.driver.since));
  return undefined;
}

/** Tooltip lines (Markdown, every AWS-provided value escaped): the plan, the verdict, the driver. */
export function rolloutTooltipLines(r: AliasRollout): string[] {
  if (r.kind === 'lease') {
    const l = r.lease;
    return [
      l10n.t('**Rollout {0}**, step {1} of {2}', m(l.rollout), l.step + 1, l.steps),
      l10n.t('Rollout {0} (lease until {1}): read-only here.', m(drivenByText(holderText(l), l.since)), m(shortTime(l.until))),
    ];
  }
  const v = r.view;
  if (isCodeDeployView(v)) return codeDeployTooltipLines(v);
  const plan = v.planName ? `${v.planName} (${planWords(v.planText)})` : planWords(v.planText);
  const lines = [
    l10n.t('**Rollout of version {0}** (replacing {1}), {2}, {3}', m(v.version), m(v.stable), m(stepText(v)), m(statusWord(v.status))),
    l10n.t('Plan: {0}', m(plan)),
  ];
  if (v.statusText) lines.push(m(v.statusText));
  if (v.evidence) lines.push(l10n.t('Verdict: {0} — {1}', m(v.evidence.verdict), m(v.evidence.sentence)));
  if (v.driver) {
    const holder = v.driver.self ? l10n.t('this window ({0})', v.driver.holder.replace(/ \((.*)\)$/, ', $1')) : v.driver.holder;
    lines.push(v.driver.since !== undefined ? l10n.t('Driven by {0} since {1}', m(holder), m(shortTime(v.driver.since))) : l10n.t('Driven by {0}', m(holder)));
  }
  if (r.readOnly) lines.push(l10n.t("Read-only here: its driver's lease holds until {0}.", m(shortTime(v.driver?.until))));
  return lines;
}

/** The status bar item: hidden (undefined) when no rollout is active. */
export function rolloutStatusText(views: RolloutView[]): { text: string; tooltip: string; warning: boolean } | undefined {
  const active = views.filter(isActiveView);
  if (active.length === 0) return undefined;
  const held = active.some((v) => v.status === 'halted' || v.status === 'waiting');
  const spinning = active.some((v) => v.status === 'running');
  const icon = spinning ? '$(sync~spin)' : '$(debug-pause)';
  const engine = (v: RolloutView) => (isCodeDeployView(v) ? ` (${l10n.t('CodeDeploy {0}', plainText(v.codeDeploy?.deploymentId ?? ''))})` : '');
  const tooltip = active
    .map((v) => `${l10n.t('{0}: version {1}, {2}, {3}', `${plainText(v.functionName)}:${plainText(v.aliasName)}`, plainText(v.version), stepText(v), statusWord(v.status))}${engine(v)}${v.status === 'running' ? '' : ` — ${plainText(v.statusText)}`}`)
    .join('\n');
  if (active.length === 1) {
    const v = active[0];
    const status = v.status === 'running' ? '' : ` · ${statusWord(v.status)}`;
    const step = isCodeDeployView(v) ? l10n.t('CodeDeploy {0}', stepText(v)) : stepText(v);
    return { text: `${icon} ${l10n.t('1 rollout: {0} {1}', iconText(`${v.functionName}:${v.aliasName}`, 80), step)}${status}`, tooltip, warning: held };
  }
  const heldCount = active.filter((v) => v.status !== 'running').length;
  return { text: `${icon} ${heldCount ? l10n.t('{0} rollouts ({1} held)', active.length, heldCount) : l10n.t('{0} rollouts', active.length)}`, tooltip, warning: held };
}

/** The buttons a rollout's notice offers, by what it needs now. */
export function noticeButtons(status: RolloutStatus): string[] {
  switch (status) {
    case 'paused':
    case 'halted':
      return [NoticeButton.resume, NoticeButton.abort, NoticeButton.open];
    case 'waiting':
      return [NoticeButton.next, NoticeButton.abort, NoticeButton.open];
    case 'running':
      return [NoticeButton.abort, NoticeButton.open];
    default:
      return [NoticeButton.open];
  }
}

/** The notice's buttons, in the user's language (read when a notice is shown: after the bundle is loaded). */
export const NoticeButton = {
  get resume(): string {
    return l10n.t('Resume');
  },
  get next(): string {
    return l10n.t('Next step');
  },
  get abort(): string {
    return l10n.t('Abort');
  },
  get open(): string {
    return l10n.t('Open Traffic Panel');
  },
  /** A CodeDeploy rollout's (codeDeployNoticeButtons). */
  get stop(): string {
    return l10n.t('Stop…');
  },
};

/** Whether a notice is good news (information) or needs a look (warning). */
export function noticeSeverity(kind: 'attention' | 'ended', status: RolloutStatus): 'info' | 'warning' {
  if (kind === 'attention') return 'warning';
  return status === 'promoted' || status === 'completed' ? 'info' : 'warning';
}
