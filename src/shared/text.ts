/**
 * AWS-provided text (descriptions of functions, versions and aliases, error messages, a
 * function's own error output) is free text anyone with write access to the account can set. It
 * is shown as text, never as markup: each surface that renders something gets its own escape.
 *
 * - tooltips (MarkdownString): `md` / `markdownText` escape every Markdown-active character;
 * - notifications (showInformationMessage & co. turn `[label](https:… | command:…)` into links):
 *   `notificationText`;
 * - quick picks and the status bar (they turn `$(name)` into icons): `iconText`;
 * - tree labels and descriptions (rendered as plain text): `plainText`.
 */

/** Longest AWS text shown in one place (a Description is at most 256 characters on AWS). */
export const MAX_SHOWN_CHARS = 300;

/**
 * Characters that can make one line look like several, or reorder what is displayed: control
 * characters (line breaks included), bidirectional overrides and isolates, zero-width characters,
 * line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One line of plain text: invisible and control characters become spaces, runs of spaces one, at most `max` characters. */
export function plainText(value: unknown, max = MAX_SHOWN_CHARS): string {
  const s = String(value ?? '')
    .replace(INVISIBLE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Text for a Markdown string: CommonMark lets any ASCII punctuation be backslash-escaped, so
 * escaping all of it leaves nothing to be read as emphasis, a link, an image, HTML, an entity, an
 * autolink (`https\://`) or a theme icon (`\$(…)`).
 */
export function markdownText(value: unknown, max = MAX_SHOWN_CHARS): string {
  return plainText(value, max).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * A Markdown string from a template: the literal parts are our own Markdown, every interpolated
 * value is text (escaped by `markdownText`).
 */
export function md(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0];
  values.forEach((v, i) => (out += markdownText(v) + strings[i + 1]));
  return out;
}

/**
 * Text for a notification. VS Code renders `[label](target)` in a notification as a link when the
 * target starts with http(s):, command: or file:, and clicking a command: link runs the command;
 * nothing in a notification is ever meant to be a link, so `](` is broken up everywhere.
 */
export function notificationText(value: unknown, max = 1000): string {
  return plainText(value, max).replace(/\]\s*\(/g, '] (');
}

/** Text for a quick pick item or the status bar, which render `$(name)` as an icon; `\$(` is shown as `$(`. */
export function iconText(value: unknown, max = MAX_SHOWN_CHARS): string {
  return plainText(value, max).replace(/\$\(/g, '\\$(');
}

/**
 * Text for a terminal: each line keeps its indentation, but control characters (escape
 * sequences that recolour, retitle or rewrite the screen), bidirectional overrides and
 * zero-width characters become spaces. Lines break only where the text says `\n`.
 */
export function terminalText(value: unknown): string {
  return String(value ?? '')
    .split(/\r?\n/)
    .map((line) => line.replace(INVISIBLE, ' ').trimEnd())
    .join('\n');
}
