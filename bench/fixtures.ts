/**
 * Generated inputs for the benchmarks: a function tree shaped like a real Node.js Lambda
 * (a little source, a big node_modules), reproducible from a seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seededRandom } from '../src/sandbox';

export interface TreeSpec {
  files: number;
  /** Total bytes to write, approximately. */
  bytes: number;
  /** Share of the bytes that is incompressible (native addons, images, wasm). */
  binaryShare: number;
  seed: number;
}

export const DEFAULT_TREE: TreeSpec = { files: 5_000, bytes: 50 * 1024 * 1024, binaryShare: 0.1, seed: 42 };

const WORDS = (
  'const let var function return if else for while async await export import require module exports ' +
  'this that value result options config error callback promise resolve reject length index key map ' +
  'filter reduce push slice join split object array string number boolean undefined null true false ' +
  'new class extends super constructor prototype typeof instanceof throw try catch finally default ' +
  'buffer stream request response handler event context data payload headers body status message'
).split(' ');
const PUNCT = [' = ', '(', ')', ';\n', ', ', '.', ' => ', '{\n  ', '\n}\n', ' + ', ' && ', ' || ', "'", '[', ']'];

/** Text that compresses about as well as minified-ish JavaScript (≈ 3–5×). */
function jsText(size: number, rnd: () => number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    let s: string;
    const r = rnd();
    if (r < 0.55) s = WORDS[Math.floor(rnd() * WORDS.length)];
    else if (r < 0.85) s = PUNCT[Math.floor(rnd() * PUNCT.length)];
    else if (r < 0.95) s = `_${Math.floor(rnd() * 0xffffff).toString(36)}`;
    else s = String(Math.floor(rnd() * 100_000));
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join('').slice(0, size));
}

function binary(size: number, rnd: () => number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE(Math.floor(rnd() * 0x1_0000_0000), i);
  for (let i = size - (size % 4); i < size; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

/**
 * Writes the tree under `root`: `index.js`, `lib/` and `node_modules/<pkg>/{lib,dist}/…`.
 * File sizes follow a skewed distribution (many small files, a few large ones), as in npm
 * packages. Returns the bytes written.
 */
export function generateFunctionTree(root: string, spec: TreeSpec = DEFAULT_TREE): { files: number; bytes: number } {
  const rnd = seededRandom(spec.seed);
  fs.mkdirSync(root, { recursive: true });
  // Skewed sizes scaled to the byte budget.
  const raw = Array.from({ length: spec.files }, () => Math.pow(rnd(), 3) + 0.02);
  const total = raw.reduce((s, x) => s + x, 0);
  const sizes = raw.map((x) => Math.max(16, Math.round((x / total) * spec.bytes)));
  // The largest files are the binary ones, until their share is used up.
  const order = sizes.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const isBinary = new Set<number>();
  let binBytes = 0;
  for (const [s, i] of order) {
    if (binBytes + s > spec.bytes * spec.binaryShare) continue;
    if (rnd() < 0.5) continue;
    isBinary.add(i);
    binBytes += s;
  }
  const packages = Math.max(1, Math.round(spec.files / 40));
  let bytes = 0;
  const made = new Set<string>();
  for (let i = 0; i < spec.files; i++) {
    let rel: string;
    if (i === 0) rel = 'index.js';
    else if (i < 30) rel = `lib/module-${i}.js`;
    else {
      const pkg = `pkg-${(i % packages).toString(36)}`;
      const sub = ['lib', 'dist', 'lib/util', 'dist/esm', 'src'][i % 5];
      const ext = isBinary.has(i) ? ['.node', '.wasm', '.png'][i % 3] : ['.js', '.js', '.json', '.d.ts', '.mjs'][i % 5];
      rel = `node_modules/${pkg}/${sub}/f${i}${ext}`;
    }
    const abs = path.join(root, rel);
    const dir = path.dirname(abs);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const data = isBinary.has(i) ? binary(sizes[i], rnd) : jsText(sizes[i], rnd);
    fs.writeFileSync(abs, data);
    bytes += data.length;
  }
  return { files: spec.files, bytes };
}
