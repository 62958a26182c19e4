import * as vscode from 'vscode';

/**
 * What a webview page needs to speak the user's language (src/webview/locale.ts reads it from the
 * page's HTML): VS Code's display language, and this extension's l10n bundle for it — the page's
 * strings go through @vscode/l10n's t() with the same bundle as the host's vscode.l10n.t().
 */
export function pageLocale(): { language: string; l10n?: string } {
  const bundle = vscode.l10n.bundle;
  return { language: vscode.env.language, l10n: bundle ? JSON.stringify(bundle) : undefined };
}
