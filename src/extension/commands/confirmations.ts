import type { AliasRouting, TrafficSplit } from '../../core/routing';
import { aliasLabel, formatPercent, splitOf } from '../../core/routing';
import { plainText } from '../../shared/text';

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
    message: `Promote version ${split.canary.version} to 100% of ${plainText(aliasName)}?`,
    detail: `${preface}${plainText(functionName)}:${plainText(aliasName)} sends ${formatPercent(split.canary.weight)} to version ${split.canary.version} now. After promotion all its traffic goes to version ${split.canary.version}; version ${split.primary.version} stays published, and "Switch Back" returns to it.`,
    action: 'Promote',
  };
}

export function confirmRollback(functionName: string, aliasName: string, split: Required<TrafficSplit>, preface = ''): Confirmation {
  return {
    id: 'confirmRollback',
    message: `Roll back the canary of ${plainText(aliasName)}?`,
    detail: `${preface}Version ${split.canary.version} (${formatPercent(split.canary.weight)} now) stops receiving traffic; version ${split.primary.version} gets 100% of ${plainText(functionName)}:${plainText(aliasName)}. Version ${split.canary.version} stays published.`,
    action: 'Roll Back',
  };
}

export function confirmWeight(functionName: string, aliasName: string, split: Required<TrafficSplit>, weightPercent: number, preface = ''): Confirmation {
  const w = weightPercent / 100;
  return {
    id: 'confirmWeight',
    message: `Send ${formatPercent(w)} of ${plainText(aliasName)} to version ${split.canary.version}?`,
    detail: `${preface}${plainText(functionName)}:${plainText(aliasName)} sends ${formatPercent(split.canary.weight)} to version ${split.canary.version} now; after this ${formatPercent(w)}, and version ${split.primary.version} keeps ${formatPercent(1 - w)}.`,
    action: 'Apply',
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
    message: `Send ${formatPercent(w)} of ${plainText(aliasName)} to version ${plainText(version)}?`,
    detail: `${source}${plainText(functionName)}:${plainText(aliasLabel(alias))} now. After this, version ${plainText(version)} gets ${formatPercent(w)} and version ${plainText(primary)} keeps ${formatPercent(1 - w)}; nothing is uploaded or published. Promote or Roll Back ends the canary.`,
    action: 'Start Canary',
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
    message: `Switch ${plainText(aliasName)} to version ${plainText(version)}?`,
    detail: `All of ${plainText(functionName)}:${plainText(aliasName)}'s traffic moves from version ${plainText(currentVersion)} to version ${plainText(version)} at once. "Switch Back" returns it to version ${plainText(currentVersion)}.`,
    action: 'Switch',
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
    message: `Roll out ${plainText(what)} on ${plainText(aliasName)} (${plainText(planName)})?`,
    detail:
      `${plainText(functionName)}:${plainText(aliasLabel(alias))} now. The new version gets ${formatPercent(firstWeight / 100)} first: ${plainText(planWords)}. ` +
      `Each step is judged on CloudWatch against version ${plainText(stable)}; a failing step rolls back to version ${plainText(stable)} by itself. ` +
      'Pause, Next Step, Promote Now or Abort from the alias menu, the traffic panel or the status bar.',
    action: 'Start Rollout',
  };
}

export function confirmPromoteRollout(functionName: string, aliasName: string, version: string, stable: string, stepText: string): RolloutConfirmation {
  return {
    id: 'confirmPromoteRollout',
    message: `Promote version ${plainText(version)} to 100% of ${plainText(aliasName)} now?`,
    detail: `The rollout on ${plainText(functionName)}:${plainText(aliasName)} is at ${plainText(stepText)}; the steps left are skipped without being judged. Version ${plainText(stable)} stays published, and "Switch Back" returns to it.`,
    action: 'Promote Now',
  };
}

export function confirmAbortRollout(functionName: string, aliasName: string, version: string, stable: string, stepText: string): RolloutConfirmation {
  return {
    id: 'confirmAbortRollout',
    message: `Abort the rollout of version ${plainText(version)} on ${plainText(aliasName)}?`,
    detail: `The rollout on ${plainText(functionName)}:${plainText(aliasName)} is at ${plainText(stepText)}. Version ${plainText(stable)} gets 100% again and version ${plainText(version)} no traffic; it stays published.`,
    action: 'Abort Rollout',
  };
}
