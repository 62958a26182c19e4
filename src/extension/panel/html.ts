import * as crypto from 'node:crypto';

/**
 * The traffic panel's page: a strict Content-Security-Policy (no remote anything, scripts only
 * with this load's nonce, styles only from the extension's own files), one stylesheet, one
 * script. Everything else is built by the script from the host's messages. No vscode import:
 * the unit tests check this page as plain text.
 */
export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `asWebviewUri` of dist/webview.js and media/panel.css. */
  scriptUri: string;
  styleUri: string;
  title: string;
  nonce?: string;
  /** VS Code's display language (`vscode.env.language`): the page's <html lang>, and what its numbers and times are formatted for. */
  language?: string;
  /** The extension's l10n bundle for that language (`vscode.l10n.bundle`, as JSON): the page's strings. None in English. */
  l10n?: string;
}

/** A BCP 47 language tag, or English: the page's `lang` attribute takes nothing else. */
function languageTag(language: string | undefined): string {
  return language && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language) ? language : 'en';
}

export function makeNonce(): string {
  return crypto.randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function panelHtml(input: PanelHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  const csp = contentSecurityPolicy(input.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="${languageTag(input.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>${escapeHtml(input.title)}</title>
</head>
<body${input.l10n ? ` data-l10n="${escapeHtml(input.l10n)}"` : ''}>
<main id="app"><p class="loading">Loading ${escapeHtml(input.title)}…</p></main>
<script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
