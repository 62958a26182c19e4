import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { setLocale } from './locale';

/**
 * The vscode-free text modules (treeText, rolloutText…) localise with @vscode/l10n: it gets VS
 * Code's bundle for the display language here, at activation, before anything is shown. In
 * English there is no bundle and both return the messages as written. Dates and numbers follow
 * the same language (locale.ts).
 */
export function setUpLocalisation(): void {
  const contents = vscode.l10n.bundle;
  if (contents) l10n.config({ contents });
  setLocale(vscode.env.language);
}
