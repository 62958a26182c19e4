// @ts-check
'use strict';

/**
 * ESLint rule `lambda-canary/localised`: a user-visible string of the extension goes through
 * `l10n.t` (vscode.l10n.t, or @vscode/l10n's in the vscode-free text modules). It flags string and
 * template literals holding words (two letters in a row) where the user reads them:
 *  - messages, buttons and modal details: window.show{Information,Warning,Error}Message, the
 *    prompt layer's ui.info / warn / error / confirm / choose;
 *  - quick picks, input boxes, progress, webview panel titles: showQuickPick items and options,
 *    showInputBox, createQuickPick/createInputBox properties, withProgress title, progress.report,
 *    createWebviewPanel's title;
 *  - tree items and status bar items: new TreeItem(label), new MessageNode(text, …, detail),
 *    an OperationError the extension raises (message, state),
 *    `x.label / description / tooltip / text / title / placeholder / prompt … = '…'`;
 *  - object literals' label, description, detail, tooltip, title, placeHolder, placeholder,
 *    prompt, message, text, validationMessage and manual, and variables of those names;
 *  - Markdown built with md`…` (its own words are ours), and what a *Text.ts module returns;
 *  - anywhere, a phrase of three words or more, unless it goes to the log (log.*, console.*), to
 *    an Error other than OperationError (a bug report), or is an import, a type or an `id`.
 * Log lines (log.info / warn / error …), ids, context values and command ids are not user text.
 */

const WORDS = /[A-Za-z]{2,}/;
/** Theme icons (`$(beaker)`) are names, not words. */
const ICONS = /\$\([\w~-]+\)/g;
/** Where identifiers pass too (what a *Text.ts module returns): a phrase, or a capitalised word. */
const PHRASE = /[A-Za-z]{2,}\s+\S|^[A-Z][a-z]+\b/;
const TEXT_PROPS = new Set(['label', 'description', 'detail', 'tooltip', 'title', 'placeHolder', 'placeholder', 'prompt', 'message', 'text', 'validationMessage', 'manual']);
/** Wrappers that escape a value for one surface: what they wrap is still shown. */
const ESCAPERS = new Set(['plainText', 'iconText', 'notificationText', 'markdownText', 'redact', 'String']);
const MESSAGE_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'showError', 'setStatusBarMessage']);
/** The prompt layer (ui.ts): notifications take the message first, questions an id first. */
const UI_NOTIFY = new Set(['info', 'warn', 'error']);
const UI_ASK = new Set(['confirm', 'choose', 'pick', 'input']);
/** A phrase (three words in a row) is text for people wherever it stands. */
const SENTENCE = /[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}/;
/** Calls whose strings are not shown: the log, errors of our own making (bugs), module loading. */
const NOT_SHOWN = /(^|\.)(log|console)\.\w+$|^(require|import)$/;

/** `l10n.t(…)` or `vscode.l10n.t(…)`. */
function isL10nCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || property.name !== 't') return false;
  if (object.type === 'Identifier') return object.name === 'l10n';
  return object.type === 'MemberExpression' && object.property.type === 'Identifier' && object.property.name === 'l10n';
}

function calleeName(node) {
  const c = node.callee;
  if (c.type === 'Identifier') return c.name;
  if (c.type === 'MemberExpression' && c.property.type === 'Identifier') return c.property.name;
  return undefined;
}

/** The last name of a callee's object: `ui` of `ctx.ui.warn`, `progress` of `progress.report`. */
function calleeObjectName(node) {
  const c = node.callee;
  if (c.type !== 'MemberExpression') return undefined;
  const o = c.object;
  if (o.type === 'Identifier') return o.name;
  if (o.type === 'MemberExpression' && o.property.type === 'Identifier') return o.property.name;
  if (o.type === 'CallExpression') return calleeName(o);
  return undefined;
}

function propName(p) {
  if (p.type !== 'Property') return undefined;
  if (p.key.type === 'Identifier') return p.key.name;
  if (p.key.type === 'Literal' && typeof p.key.value === 'string') return p.key.value;
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'User-visible strings of the extension go through l10n.t.' },
    messages: { notLocalised: 'User-visible text "{{text}}" is not localised: wrap it in l10n.t (placeholders {0} for values).' },
    fixable: 'code',
    schema: [],
  },
  create(context) {
    const source = context.sourceCode;
    // The fix wraps the literal in the file's own l10n: vscode.l10n.t, or @vscode/l10n's t.
    const text0 = source.getText();
    const wrapper = /import \* as vscode from 'vscode'/.test(text0) ? 'vscode.l10n.t' : /import \* as l10n from '@vscode\/l10n'/.test(text0) ? 'l10n.t' : undefined;
    const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
    const fixOf = (node) => {
      if (!wrapper) return undefined;
      if (node.type === 'Literal') return (fixer) => fixer.replaceText(node, `${wrapper}(${quote(String(node.value))})`);
      if (node.type !== 'TemplateLiteral' || node.parent?.type === 'TaggedTemplateExpression') return undefined;
      if (node.quasis.some((q) => /[{}]/.test(q.value.cooked ?? ''))) return undefined;
      const message = node.quasis.map((q, i) => (q.value.cooked ?? '') + (i < node.expressions.length ? `{${i}}` : '')).join('');
      const args = node.expressions.map((e) => source.getText(e));
      return (fixer) => fixer.replaceText(node, `${wrapper}(${[quote(message), ...args].join(', ')})`);
    };
    const reported = new Set();
    const report = (node, text) => {
      if (reported.has(node)) return;
      reported.add(node);
      const fix = fixOf(node);
      context.report({ node, messageId: 'notLocalised', data: { text: text.length > 60 ? `${text.slice(0, 57)}...` : text }, ...(fix ? { fix } : {}) });
    };

    /** Looks through an expression for literal words that reach the user as they are. */
    const check = (node, loose = false) => {
      const words = loose ? PHRASE : WORDS;
      if (!node) return;
      switch (node.type) {
        case 'Literal':
          if (typeof node.value === 'string' && words.test(node.value.replace(ICONS, ''))) report(node, node.value);
          return;
        case 'TemplateLiteral': {
          const text = node.quasis.map((q) => q.value.cooked ?? '').join('{}');
          if (words.test(node.quasis.map((q) => q.value.cooked ?? '').join(' ').replace(ICONS, ''))) report(node, text);
          // Interpolated literals are mostly ids (an icon's name in `$(${…})`): only phrases count there.
          else node.expressions.forEach((e) => check(e, true));
          return;
        }
        case 'TaggedTemplateExpression':
          check(node.quasi, loose);
          return;
        case 'ConditionalExpression':
          check(node.consequent, loose);
          check(node.alternate, loose);
          return;
        case 'LogicalExpression':
          check(node.left, loose);
          check(node.right, loose);
          return;
        case 'BinaryExpression':
          if (node.operator === '+') {
            check(node.left, loose);
            check(node.right, loose);
          }
          return;
        case 'ArrayExpression':
          node.elements.forEach((e) => e && e.type !== 'SpreadElement' && check(e, loose));
          return;
        case 'ObjectExpression':
          checkObject(node);
          return;
        case 'TSAsExpression':
        case 'TSNonNullExpression':
        case 'TSSatisfiesExpression':
          check(node.expression, loose);
          return;
        case 'CallExpression':
          if (isL10nCall(node)) return;
          if (ESCAPERS.has(calleeName(node) ?? '')) node.arguments.forEach((a) => check(a, loose));
          // `[...].join(' ')` and the like: the parts are shown.
          else if (node.callee.type === 'MemberExpression' && ['join', 'concat'].includes(calleeName(node) ?? '')) check(node.callee.object, loose);
          return;
        default:
          return;
      }
    };

    /** An object literal's text properties (quick pick items, options, commands, questions). */
    const checkObject = (node) => {
      for (const p of node.properties) {
        const name = propName(p);
        if (name && TEXT_PROPS.has(name)) check(p.value);
      }
    };

    const isTextFile = /Text\.ts$/.test(context.filename ?? '');

    /** Not inside l10n.t, a log line, an import, a type, or an Error that is a bug report (only OperationError is for the user). */
    const shownAnywhere = (node) => {
      for (let p = node.parent; p; p = p.parent) {
        if (p.type === 'CallExpression') {
          if (isL10nCall(p)) return false;
          const callee = source.getText(p.callee);
          if (NOT_SHOWN.test(callee)) return false;
        }
        if (p.type === 'NewExpression' || (p.type === 'CallExpression' && p.callee.type === 'Super')) {
          const callee = p.type === 'NewExpression' ? source.getText(p.callee) : 'super';
          if (/Error$/.test(callee) && callee !== 'OperationError') return false;
        }
        if (p.type === 'ImportDeclaration' || p.type === 'ExportAllDeclaration' || p.type === 'ExportNamedDeclaration' && p.source || p.type.startsWith('TS') && p.type !== 'TSAsExpression' && p.type !== 'TSNonNullExpression' && p.type !== 'TSSatisfiesExpression') return false;
        if (p.type === 'Property' && propName(p) === 'id') return false;
      }
      return true;
    };

    return {
      CallExpression(node) {
        if (isL10nCall(node)) return;
        const name = calleeName(node);
        const owner = calleeObjectName(node);
        if (name && MESSAGE_CALLS.has(name)) node.arguments.forEach((a) => check(a));
        else if (name && owner === 'ui' && UI_NOTIFY.has(name)) node.arguments.forEach((a) => check(a));
        else if (name && owner === 'ui' && UI_ASK.has(name)) node.arguments.slice(1).forEach((a) => check(a));
        else if (name === 'showQuickPick' || name === 'showInputBox' || name === 'withProgress') node.arguments.forEach((a) => check(a));
        else if (name === 'report' && owner === 'progress') node.arguments.forEach((a) => check(a));
        else if (name === 'createWebviewPanel') check(node.arguments[1]);
      },
      NewExpression(node) {
        const name = node.callee.type === 'Identifier' ? node.callee.name : node.callee.type === 'MemberExpression' && node.callee.property.type === 'Identifier' ? node.callee.property.name : undefined;
        if (name === 'TreeItem') check(node.arguments[0]);
        else if (name === 'OperationError') {
          // An error the extension raises itself (core's own errors are core's): its message and what it left.
          check(node.arguments[0]);
          const options = node.arguments[1];
          if (options && options.type === 'ObjectExpression') for (const p of options.properties) if (propName(p) === 'state') check(p.value);
        }
        else if (name === 'MessageNode') {
          check(node.arguments[0]);
          check(node.arguments[2]);
          check(node.arguments[3]);
        }
      },
      ObjectExpression(node) {
        checkObject(node);
      },
      VariableDeclarator(node) {
        // `const detail = \`…\``: a text by its name, passed on later.
        if (node.id.type === 'Identifier' && TEXT_PROPS.has(node.id.name)) check(node.init);
      },
      AssignmentExpression(node) {
        if (node.left.type === 'MemberExpression' && node.left.property.type === 'Identifier' && TEXT_PROPS.has(node.left.property.name)) check(node.right);
      },
      TaggedTemplateExpression(node) {
        if (node.tag.type === 'Identifier' && node.tag.name === 'md') check(node.quasi);
      },
      Literal(node) {
        if (typeof node.value === 'string' && SENTENCE.test(node.value.replace(ICONS, '')) && shownAnywhere(node)) report(node, node.value);
      },
      TemplateLiteral(node) {
        const text = node.quasis.map((q) => q.value.cooked ?? '').join('{}');
        if (SENTENCE.test(text.replace(ICONS, '')) && shownAnywhere(node)) report(node, text);
      },
      ReturnStatement(node) {
        if (isTextFile) check(node.argument, true);
      },
      ArrowFunctionExpression(node) {
        if (isTextFile && node.body.type !== 'BlockStatement') check(node.body, true);
      },
    };
  },
};
