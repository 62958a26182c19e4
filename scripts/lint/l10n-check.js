// @ts-check
'use strict';

/**
 * Completeness of the extension's localisation, as pure functions over the files' contents (the
 * unit tests feed them good and bad inputs; scripts/check-l10n.mjs runs them over the repository):
 *  - every `%key%` of package.json is in package.nls.json, and every key there is used;
 *  - every title, description… of the manifest is a `%key%` (no English left in package.json);
 *  - l10n/bundle.l10n.json holds exactly the messages of the l10n.t calls in src/extension;
 *  - each extra language (bundle.l10n.<lang>.json, package.nls.<lang>.json) has every key of its base.
 */

/** Manifest fields the user reads (as in VS Code's own nls of package.json). */
const TEXT_FIELDS = new Set(['displayName', 'description', 'title', 'shortTitle', 'category', 'name', 'contextualTitle', 'contents', 'label', 'markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'patternErrorMessage', 'deprecationMessage', 'markdownDeprecationMessage', 'altText']);
/** Where those names are not text: ids, paths, the npm package's own fields. */
const SKIPPED = new Set(['repository', 'bugs', 'scripts', 'dependencies', 'devDependencies', 'engines', 'keywords', 'menus', 'jsonValidation', 'l10n', 'bin', 'main', 'icon', 'activationEvents', 'restrictedConfigurations']);
const KEY = /^%([^%]+)%$/;

/**
 * @param {unknown} pkg package.json, parsed
 * @param {Record<string, unknown>} nls package.nls.json, parsed
 * @returns {string[]} the problems, none when complete
 */
function checkManifest(pkg, nls) {
  const problems = [];
  const used = new Set();
  /** @param {unknown} v @param {string} where @param {boolean} text */
  const walk = (v, where, text) => {
    if (typeof v === 'string') {
      const m = KEY.exec(v);
      if (m) {
        used.add(m[1]);
        if (!(m[1] in nls)) problems.push(`${where}: ${v} is not in package.nls.json`);
      } else if (text && /[A-Za-z]{2,}/.test(v) && where !== 'name') problems.push(`${where}: "${v.slice(0, 60)}" is not localised (use a %key% of package.nls.json)`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`, text));
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (SKIPPED.has(k)) continue;
        // package.json's own "name" is the package's id; "name" of a view is its title.
        const isText = TEXT_FIELDS.has(k) && !(where === '' && k === 'name');
        walk(x, where ? `${where}.${k}` : k, isText || (text && Array.isArray(v)));
      }
    }
  };
  walk(pkg, '', false);
  for (const k of Object.keys(nls)) if (!used.has(k)) problems.push(`package.nls.json: ${k} is not used by package.json`);
  return problems;
}

/**
 * @param {Record<string, unknown>} exported what @vscode/l10n-dev exports from the sources now
 * @param {Record<string, unknown>} bundle l10n/bundle.l10n.json
 * @returns {string[]}
 */
function checkBundle(exported, bundle) {
  const problems = [];
  for (const k of Object.keys(exported)) if (!(k in bundle)) problems.push(`l10n/bundle.l10n.json lacks "${k}" (run npm run l10n)`);
  for (const k of Object.keys(bundle)) if (!(k in exported)) problems.push(`l10n/bundle.l10n.json has "${k}", which no l10n.t call of src/extension says any more (run npm run l10n)`);
  return problems;
}

/**
 * @param {string} file the translation's file name
 * @param {Record<string, unknown>} base the English keys
 * @param {Record<string, unknown>} translated
 * @returns {string[]}
 */
function checkTranslation(file, base, translated) {
  const problems = [];
  for (const k of Object.keys(base)) {
    if (!(k in translated)) problems.push(`${file} lacks "${k}"`);
    else {
      // A placeholder the translation drops would show a value nowhere.
      const want = placeholders(messageOf(base[k]));
      const got = placeholders(messageOf(translated[k]));
      if (want !== got) problems.push(`${file}: "${k}" has placeholders ${got || 'none'}, not ${want}`);
    }
  }
  for (const k of Object.keys(translated)) if (!(k in base)) problems.push(`${file} has "${k}", which the base does not`);
  return problems;
}

/** @param {unknown} v */
function messageOf(v) {
  return typeof v === 'string' ? v : v && typeof v === 'object' && 'message' in v ? String(/** @type {{message: unknown}} */ (v).message) : '';
}

/** @param {string} s */
function placeholders(s) {
  return [...new Set(s.match(/\{[^{}\s]+\}/g) ?? [])].sort().join(' ');
}

module.exports = { checkManifest, checkBundle, checkTranslation };
