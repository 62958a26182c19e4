import { formatPercent } from '../../core/routing';
import { plainText } from '../../shared/text';
import type { TrafficSplit } from '../../core/routing';

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
