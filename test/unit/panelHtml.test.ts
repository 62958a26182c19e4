import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../src/extension/panel/html';

const CSP_SOURCE = 'https://abc.vscode-cdn.net';

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(m, 'the page has a CSP meta tag');
  const out = new Map<string, string[]>();
  for (const part of m[1].replace(/&#39;/g, "'").split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    out.set(name, values);
  }
  return out;
}

describe('traffic panel HTML', () => {
  const html = panelHtml({ cspSource: CSP_SOURCE, scriptUri: `${CSP_SOURCE}/dist/webview.js`, styleUri: `${CSP_SOURCE}/media/panel.css`, title: 'fn:prod traffic', nonce: 'n0nce123' });

  it('denies everything by default and allows scripts only with the nonce', () => {
    const csp = cspOf(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), ["'nonce-n0nce123'"]);
    assert.deepEqual(csp.get('style-src'), [CSP_SOURCE]);
    assert.deepEqual(csp.get('connect-src'), ["'none'"]);
    for (const [name, values] of csp) {
      assert.ok(!values.includes("'unsafe-inline'") && !values.includes("'unsafe-eval'"), `${name} allows unsafe code`);
      assert.ok(!values.some((v) => v === '*' || v.startsWith('http:') || v === 'https:'), `${name} allows remote sources: ${values.join(' ')}`);
    }
  });

  it('has exactly one script, carrying the nonce, and no inline handlers or styles', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], /nonce="n0nce123"/);
    assert.match(scripts[0][1], /src="https:\/\/abc\.vscode-cdn\.net\/dist\/webview\.js"/);
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'inline event handler');
    assert.doesNotMatch(html, /<style|\sstyle=/i, 'inline style');
    assert.doesNotMatch(html, /https?:\/\/(?!abc\.vscode-cdn\.net)/, 'a resource from outside the extension');
  });

  it('escapes what it is given', () => {
    const evil = panelHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y', title: '<img src=x onerror=alert(1)>', nonce: 'n' });
    assert.doesNotMatch(evil, /<img/);
    assert.match(evil, /&#60;img/);
  });

  it("carries VS Code's language and the l10n bundle to the page, escaped, and no live region over the whole page", () => {
    const bundle = JSON.stringify({ Refresh: 'Aktualisieren', '"><script>x</script>': '<b>' });
    const de = panelHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y', title: 't', nonce: 'n', language: 'de', l10n: bundle });
    assert.match(de, /<html lang="de">/);
    const attr = /<body data-l10n="([^"]*)">/.exec(de);
    assert.ok(attr, 'the bundle is an attribute of <body>');
    assert.equal(attr[1].replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))), bundle, 'the attribute holds the bundle, every character escaped back');
    assert.equal([...de.matchAll(/<script\b/g)].length, 1, 'no script came in with the bundle');
    assert.doesNotMatch(de, /aria-live/, 'the page decides its live regions (a live <main> would read every refresh)');
    // English: no bundle, and a language that is no BCP 47 tag is not written into the page.
    assert.match(panelHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y', title: 't', nonce: 'n' }), /<html lang="en">[\s\S]*<body>/);
    assert.match(panelHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y', title: 't', nonce: 'n', language: 'de" onload="x' }), /<html lang="en">/);
    assert.match(panelHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y', title: 't', nonce: 'n', language: 'zh-cn' }), /<html lang="zh-cn">/);
  });

  it('makes a fresh, unguessable nonce for every page', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9]{20,}$/);
    assert.ok(contentSecurityPolicy('s', a).includes(`'nonce-${a}'`));
  });

  it("the page's script builds no markup from strings: no innerHTML, outerHTML, insertAdjacentHTML or document.write", () => {
    const dir = path.join(__dirname, '..', '..', '..', 'src', 'webview');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.includes('main.ts') && files.includes('rollout.ts'), files.join(', '));
    for (const f of files) {
      const code = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.doesNotMatch(code, /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/, f);
    }
  });

  it('the stylesheet fetches nothing from outside the extension', () => {
    const css = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'media', 'panel.css'), 'utf8');
    assert.doesNotMatch(css, /url\(|@import/);
  });
});
