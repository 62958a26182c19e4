// Checks (or with --write, regenerates) the extension's localisation files:
//   node scripts/check-l10n.mjs          fails listing what is missing or stale
//   node scripts/check-l10n.mjs --write  writes l10n/bundle.l10n.json (the l10n.t messages of
//                                        src/extension and src/webview) and the pseudo-localisation (qps-ploc),
//                                        the extra language that shows a string nobody localised.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getL10nJson, getL10nPseudoLocalized } from '@vscode/l10n-dev';

const require = createRequire(import.meta.url);
const { checkManifest, checkBundle, checkTranslation } = require('./lint/l10n-check.js');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (f) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
const write = (f, v) => fs.writeFileSync(path.join(root, f), `${JSON.stringify(v, null, 2)}\n`);

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

// The webview pages' l10n.t (@vscode/l10n) share the extension's bundle: the host passes it to them.
const exported = await getL10nJson(['src/extension', 'src/webview'].flatMap((d) => sources(path.join(root, d))).map((f) => ({ contents: fs.readFileSync(f, 'utf8'), extension: '.ts' })));
const nls = read('package.nls.json');

if (process.argv.includes('--write')) {
  write('l10n/bundle.l10n.json', exported);
  write('l10n/bundle.l10n.qps-ploc.json', getL10nPseudoLocalized(exported));
  write('package.nls.qps-ploc.json', getL10nPseudoLocalized(nls));
  console.log(`l10n: ${Object.keys(exported).length} messages, ${Object.keys(nls).length} manifest strings, pseudo-localisation written.`);
}

const problems = [...checkManifest(read('package.json'), nls), ...checkBundle(exported, read('l10n/bundle.l10n.json'))];
const bundle = read('l10n/bundle.l10n.json');
for (const f of fs.readdirSync(path.join(root, 'l10n'))) {
  if (/^bundle\.l10n\.[\w-]+\.json$/.test(f)) problems.push(...checkTranslation(`l10n/${f}`, bundle, read(`l10n/${f}`)));
}
for (const f of fs.readdirSync(root)) {
  if (/^package\.nls\.[\w-]+\.json$/.test(f)) problems.push(...checkTranslation(f, nls, read(f)));
}
if (problems.length) {
  for (const p of problems) console.error(`l10n: ${p}`);
  process.exit(1);
}
console.log(`l10n: complete (${Object.keys(bundle).length} messages, ${Object.keys(nls).length} manifest strings).`);
