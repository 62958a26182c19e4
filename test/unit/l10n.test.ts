import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';

// The checkers are plain CommonJS (eslint.config.mjs and scripts/check-l10n.mjs load them as they are).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rule = require(path.resolve(__dirname, '../../../scripts/lint/l10n-rule.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkManifest, checkBundle, checkTranslation } = require(path.resolve(__dirname, '../../../scripts/lint/l10n-check.js')) as {
  checkManifest(pkg: unknown, nls: Record<string, unknown>): string[];
  checkBundle(exported: Record<string, unknown>, bundle: Record<string, unknown>): string[];
  checkTranslation(file: string, base: Record<string, unknown>, translated: Record<string, unknown>): string[];
};

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never } });
const vs = "import * as vscode from 'vscode';\n";

describe('localisation checks', () => {
  describe('lambda-canary/localised (the ESLint rule over src/extension)', () => {
    tester.run('localised', rule, {
      valid: [
        { code: `${vs}void vscode.window.showInformationMessage(vscode.l10n.t('Promoted {0}.', name));` },
        { code: `${vs}const item = new vscode.TreeItem(vscode.l10n.t('Releases'));` },
        { code: `${vs}log.info(\`Listing functions failed: \${message}\`);` },
        { code: `${vs}item.contextValue = 'lambdaCanary:releases'; item.id = 'releases';` },
        { code: `${vs}item.label = \`\${fn}:\${alias}\`; item.text = \`$(\${kind === 'sandbox' ? 'beaker' : 'cloud'}) \${label}\`;` },
        { code: `${vs}throw new Error('the node has no parent here at all');` },
      ],
      invalid: [
        { code: `${vs}void vscode.window.showWarningMessage('Nothing was changed.');`, errors: [{ messageId: 'notLocalised' }], output: `${vs}void vscode.window.showWarningMessage(vscode.l10n.t('Nothing was changed.'));` },
        { code: `${vs}void ctx.ui.info(\`Promoted \${name}.\`);`, errors: [{ messageId: 'notLocalised' }], output: `${vs}void ctx.ui.info(vscode.l10n.t('Promoted {0}.', name));` },
        { code: `${vs}const item = new vscode.TreeItem('Releases');`, errors: 1, output: `${vs}const item = new vscode.TreeItem(vscode.l10n.t('Releases'));` },
        { code: `${vs}item.tooltip = 'What invokes this function';`, errors: 1, output: `${vs}item.tooltip = vscode.l10n.t('What invokes this function');` },
        {
          code: `${vs}await ctx.ui.pick('weight', [{ label: 'Other weight…', value: 1 }], { placeHolder: 'Share of the traffic' });`,
          errors: 2,
          output: `${vs}await ctx.ui.pick('weight', [{ label: vscode.l10n.t('Other weight…'), value: 1 }], { placeHolder: vscode.l10n.t('Share of the traffic') });`,
        },
        { code: `${vs}await vscode.window.withProgress({ location, title: \`Promoting \${key}\` }, run);`, errors: 1, output: `${vs}await vscode.window.withProgress({ location, title: vscode.l10n.t('Promoting {0}', key) }, run);` },
        {
          code: `${vs}throw new OperationError(\`\${fn} has no aliases.\`, { state: 'Nothing was changed.' });`,
          errors: 2,
          output: `${vs}throw new OperationError(vscode.l10n.t('{0} has no aliases.', fn), { state: vscode.l10n.t('Nothing was changed.') });`,
        },
        // A sentence anywhere, here in a variable passed on later; a file with no l10n import gets no fix.
        { code: `const why = \`The workspace is not trusted: \${x}\`;`, errors: 1, output: null },
      ],
    });
  });

  describe('the manifest and the bundles (scripts/check-l10n.mjs)', () => {
    const pkg = {
      name: 'lambda-canary',
      displayName: '%displayName%',
      contributes: { commands: [{ command: 'lambdaCanary.refresh', title: '%command.refresh.title%', category: '%command.category%' }] },
    };
    const nls = { displayName: 'Lambda Canary', 'command.refresh.title': 'Refresh', 'command.category': 'Lambda Canary' };

    it('passes a manifest whose every text is a %key% of package.nls.json, each key used', () => {
      assert.deepEqual(checkManifest(pkg, nls), []);
    });

    it('names an English title left in package.json, a %key% package.nls.json lacks, and a key nothing uses', () => {
      const bad = { ...pkg, contributes: { commands: [{ command: 'lambdaCanary.refresh', title: 'Refresh', category: '%command.category%' }, { command: 'x', title: '%command.x.title%' }] } };
      const problems = checkManifest(bad, nls);
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.match(problems.join('\n'), /"Refresh" is not localised/);
      assert.match(problems.join('\n'), /%command\.x\.title% is not in package\.nls\.json/);
      assert.match(problems.join('\n'), /command\.refresh\.title is not used/);
    });

    it('the bundle holds exactly what the sources localise', () => {
      assert.deepEqual(checkBundle({ a: 'a', 'b {0}': 'b {0}' }, { a: 'a', 'b {0}': 'b {0}' }), []);
      const problems = checkBundle({ a: 'a', new: 'new' }, { a: 'a', gone: 'gone' });
      assert.deepEqual(problems.length, 2);
      assert.match(problems[0], /lacks "new"/);
      assert.match(problems[1], /"gone", which no l10n.t call/);
    });

    it('an extra language has every key of its base, with the same placeholders', () => {
      assert.deepEqual(checkTranslation('x.json', { 'Send {0} of {1}': 'Send {0} of {1}' }, { 'Send {0} of {1}': 'Envoyer {0} de {1}' }), []);
      const problems = checkTranslation('x.json', { a: 'a', 'Send {0} of {1}': 'Send {0} of {1}' }, { 'Send {0} of {1}': 'Envoyer {0}' });
      assert.equal(problems.length, 2, problems.join('\n'));
      assert.match(problems.join('\n'), /lacks "a"/);
      assert.match(problems.join('\n'), /placeholders \{0\}, not \{0\} \{1\}/);
    });
  });
});
