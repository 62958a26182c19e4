/**
 * A real CommonMark renderer for tests of what a Markdown string shows: markdown-it (the one
 * @vscode/vsce renders READMEs with), in its most permissive setup — raw HTML allowed, bare URLs
 * linked — so that escaped text must survive even that.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (options: { html: boolean; linkify: boolean }) => { render(src: string): string };

const renderer = new MarkdownIt({ html: true, linkify: true });

export function renderMarkdown(src: string): string {
  return renderer.render(src);
}

/** The tags a rendering holds, e.g. ['p', 'strong', 'br']. */
export function tagsOf(html: string): string[] {
  return [...html.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => m[1].toLowerCase());
}

/** The visible text of a rendering (tags dropped, the few entities markdown-it writes decoded). */
export function textOf(html: string): string {
  return html
    .replace(/<br\s*\/?>\n?/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}
