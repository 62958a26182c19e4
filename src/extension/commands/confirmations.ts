import * as l10n from '@vscode/l10n';
import type { AliasRouting, TrafficSplit } from '../../core/routing';
import { splitOf } from '../../core/routing';
import { plainText } from '../../shared/text';
import { aliasLabel, formatPercent } from '../locale';

/**
 * The questions asked before traffic changes, in one place: the commands and the traffic panel
 * ask the same thing in the same words (and tests answer them by id).
 */
export interface Confirmation {
  id: 'confirmPromote' | 'confirmRollback' | 'confirmWeight';
  message: string;
  detail: string;
  action: string;
}

export function confirmPromote(functionName: string, aliasName: string, split: Required<TrafficSplit>, preface = ''): Confirmation {
  return {
    id: 'confirmPromote',
    message: l10n.t('Promote version {0} to {1} of {2}?', split.canary.version, formatPercent(1), plainText(aliasName)),
    detail: `${preface}${l10n.t(
      '{0} sends {1} to version {2} now. After promotion all its traffic goes to version {2}; version {3} stays published, and "Switch Back" returns to it.',
      `${plainText(functionName)}:${plainText(aliasName)}`,
      formatPercent(split.canary.weight),
      split.canary.version,
      split.primary.version,
    )}`,
    action: l10n.t('Promote'),
  };
}

export function confirmRollback(functionName: string, aliasName: string, split: Required<TrafficSplit>, preface = ''): Confirmation {
  return {
    id: 'confirmRollback',
    message: l10n.t('Roll back the canary of {0}?', plainText(aliasName)),
    detail: `${preface}${l10n.t(
      'Version {0} ({1} now) stops receiving traffic; version {2} gets {3} of {4}. Version {0} stays published.',
      split.canary.version,
      formatPercent(split.canary.weight),
      split.primary.version,
      formatPercent(1),
      `${plainText(functionName)}:${plainText(aliasName)}`,
    )}`,
    action: l10n.t('Roll Back'),
  };
}

export function confirmWeight(functionName: string, aliasName: string, split: Required<TrafficSplit>, weightPercent: number, preface = ''): Confirmation {
  const w = weightPercent / 100;
  return {
    id: 'confirmWeight',
    message: l10n.t('Send {0} of {1} to version {2}?', formatPercent(w), plainText(aliasName), split.canary.version),
    detail: `${preface}${l10n.t(
      '{0} sends {1} to version {2} now; after this {3}, and version {4} keeps {5}.',
      `${plainText(functionName)}:${plainText(aliasName)}`,
      formatPercent(split.canary.weight),
      split.canary.version,
      formatPercent(w),
      split.primary.version,
      formatPercent(1 - w),
    )}`,
    action: l10n.t('Apply'),
  };
}

/**
 * The question before a promotion, a roll back or a new weight of the canary the alias runs now
 * (the panel's Apply / Promote / Roll back); none when it runs no canary (the use case refuses).
 */
export function confirmCanaryChange(
  kind: 'apply' | 'promote' | 'rollback',
  functionName: string,
  aliasName: string,
  alias: AliasRouting,
  weightPercent: number | undefined,
  preface = '',
): Confirmation | undefined {
  const s = splitOf(alias);
  if (!s.canary) return undefined;
  const split = { primary: s.primary, canary: s.canary };
  if (kind === 'promote') return confirmPromote(functionName, aliasName, split, preface);
  if (kind === 'rollback') return confirmRollback(functionName, aliasName, split, preface);
  return confirmWeight(functionName, aliasName, split, weightPercent ?? 0, preface);
}

export interface CanaryConfirmation {
  id: 'confirmCanary';
  message: string;
  detail: string;
  action: string;
}

/**
 * A canary of an already published version on an alias (Start Canary on…, Canary This Version
 * on…). `source`: where the version comes from, e.g. "staging runs version 7. ".
 */
export function confirmCanary(functionName: string, alias: AliasRouting, version: string, weightPercent: number, source = ''): CanaryConfirmation {
  const w = weightPercent / 100;
  const aliasName = alias.Name ?? '?';
  const primary = splitOf(alias).primary.version;
  return {
    id: 'confirmCanary',
    message: l10n.t('Send {0} of {1} to version {2}?', formatPercent(w), plainText(aliasName), plainText(version)),
    detail: `${source}${l10n.t(
      '{0} now. After this, version {1} gets {2} and version {3} keeps {4}; nothing is uploaded or published. Promote or Roll Back ends the canary.',
      `${plainText(functionName)}:${plainText(aliasLabel(alias))}`,
      plainText(version),
      formatPercent(w),
      plainText(primary),
      formatPercent(1 - w),
    )}`,
    action: l10n.t('Start Canary'),
  };
}

export interface SwitchConfirmation {
  id: 'confirmSwitch';
  message: string;
  detail: string;
  action: string;
}

/** Blue/green from a version node: all of the alias's traffic moves at once. */
export function confirmSwitch(functionName: string, aliasName: string, currentVersion: string, version: string): SwitchConfirmation {
  return {
    id: 'confirmSwitch',
    message: l10n.t('Switch {0} to version {1}?', plainText(aliasName), plainText(version)),
    detail: l10n.t(
      'All of {0}\'s traffic moves from version {1} to version {2} at once. "Switch Back" returns it to version {1}.',
      `${plainText(functionName)}:${plainText(aliasName)}`,
      plainText(currentVersion),
      plainText(version),
    ),
    action: l10n.t('Switch'),
  };
}

export interface RolloutConfirmation {
  id: 'confirmRollout' | 'confirmPromoteRollout' | 'confirmAbortRollout';
  message: string;
  detail: string;
  action: string;
}

/**
 * Before a rollout starts. `what`: the version's source ("version 8 (what staging runs)", "the
 * workspace code, published now as a new version"); `planName`: a preset's name or the typed plan.
 */
export function confirmStartRollout(functionName: string, alias: AliasRouting, what: string, planName: string, planWords: string, firstWeight: number): RolloutConfirmation {
  const aliasName = alias.Name ?? '?';
  const stable = splitOf(alias).primary.version;
  return {
    id: 'confirmRollout',
    message: l10n.t('Roll out {0} on {1} ({2})?', plainText(what), plainText(aliasName), plainText(planName)),
    detail: l10n.t(
      '{0} now. The new version gets {1} first: {2}. Each step is judged on CloudWatch against version {3}; a failing step rolls back to version {3} by itself. Pause, Next Step, Promote Now or Abort from the alias menu, the traffic panel or the status bar.',
      `${plainText(functionName)}:${plainText(aliasLabel(alias))}`,
      formatPercent(firstWeight / 100),
      plainText(planWords),
      plainText(stable),
    ),
    action: l10n.t('Start Rollout'),
  };
}

export function confirmPromoteRollout(functionName: string, aliasName: string, version: string, stable: string, stepText: string): RolloutConfirmation {
  return {
    id: 'confirmPromoteRollout',
    message: l10n.t('Promote version {0} to {1} of {2} now?', plainText(version), formatPercent(1), plainText(aliasName)),
    detail: l10n.t(
      'The rollout on {0} is at {1}; the steps left are skipped without being judged. Version {2} stays published, and "Switch Back" returns to it.',
      `${plainText(functionName)}:${plainText(aliasName)}`,
      plainText(stepText),
      plainText(stable),
    ),
    action: l10n.t('Promote Now'),
  };
}

export function confirmAbortRollout(functionName: string, aliasName: string, version: string, stable: string, stepText: string): RolloutConfirmation {
  return {
    id: 'confirmAbortRollout',
    message: l10n.t('Abort the rollout of version {0} on {1}?', plainText(version), plainText(aliasName)),
    detail: l10n.t(
      'The rollout on {0} is at {1}. Version {2} gets {3} again and version {4} no traffic; it stays published.',
      `${plainText(functionName)}:${plainText(aliasName)}`,
      plainText(stepText),
      plainText(stable),
      formatPercent(1),
      plainText(version),
    ),
    action: l10n.t('Abort Rollout'),
  };
}
