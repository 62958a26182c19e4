import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ZipFile } from 'yazl';
import { OperationError } from './errors';

/** Lambda's limit for a zip uploaded directly (ZipFile) rather than through S3. */
export const MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Lambda's limit for the unzipped code. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** Never packaged: VCS data, editor folders and the extension's own config. */
export const DEFAULT_IGNORES = ['.git/**', '**/.git/**', '.vscode/**', '**/.DS_Store', 'lambda-canary.json', '.lambda-canary/**'];

/** Zip timestamps begin in 1980: every entry gets this one, so builds are reproducible. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export interface PackageOptions {
  /** Extra ignore globs, relative to the code folder (picomatch syntax, `dot: true`). */
  ignore?: string[];
  /** When set (e.g. 'index.handler'), the package must contain the handler's module. */
  handler?: string;
  signal?: AbortSignal;
}

export interface Package {
  zip: Buffer;
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  sha256: string;
  files: number;
  /** Total size of the files before compression. */
  unzippedBytes: number;
}

interface Entry {
  rel: string;
  abs: string;
  mode: number;
}

/**
 * A child name no real file can have. A folder is skipped when this name would be ignored
 * inside it (`test/**`); a glob for a real file name (say one matching `lib/x`) then does not
 * also skip the folders that merely could hold such a file.
 */
const PROBE = '\0';

function fail(message: string): never {
  throw new OperationError(message, 'Package', 'Nothing was uploaded.', undefined, 'validation');
}

/**
 * Collects the files under `root`, sorted by path, following symlinks (loops are detected and
 * reported) and honouring the ignore globs.
 */
export async function collectFiles(root: string, ignore: string[] = []): Promise<Entry[]> {
  const isIgnored = picomatch([...DEFAULT_IGNORES, ...ignore], { dot: true });
  const rootReal = await fs.promises.realpath(root).catch(() => fail(`The code folder ${root} does not exist.`));
  const stat = await fs.promises.stat(rootReal);
  if (!stat.isDirectory()) fail(`The code folder ${root} is not a folder.`);
  const out: Entry[] = [];
  const walk = async (dirAbs: string, dirRel: string, ancestors: Set<string>): Promise<void> => {
    let names: fs.Dirent[];
    try {
      names = await fs.promises.readdir(dirAbs, { withFileTypes: true });
    } catch (e) {
      fail(`Cannot read the folder ${path.join(root, dirRel)}: ${(e as Error).message}`);
    }
    for (const d of names) {
      const rel = dirRel ? `${dirRel}/${d.name}` : d.name;
      const abs = path.join(dirAbs, d.name);
      let isDir = d.isDirectory();
      let isFile = d.isFile();
      if (d.isSymbolicLink()) {
        // An ignored link is never followed, so a dangling one can be ignored away.
        if (isIgnored(rel) || isIgnored(`${rel}/${PROBE}`)) continue;
        let real: string;
        try {
          real = await fs.promises.realpath(abs);
        } catch (e) {
          fail(`The symlink ${rel} points nowhere (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
        }
        const st = await fs.promises.stat(real);
        isDir = st.isDirectory();
        isFile = st.isFile();
        if (isDir && ancestors.has(real)) fail(`The symlink ${rel} loops back to ${path.relative(rootReal, real) || '.'}: packaging would never end.`);
      }
      if (isDir) {
        if (isIgnored(`${rel}/`) || isIgnored(rel) || isIgnored(`${rel}/${PROBE}`)) continue;
        const real = await fs.promises.realpath(abs);
        await walk(abs, rel, new Set([...ancestors, real]));
      } else if (isFile) {
        if (isIgnored(rel)) continue;
        const st = await fs.promises.stat(abs);
        out.push({ rel, abs, mode: st.mode & 0o111 ? 0o100755 : 0o100644 });
      }
    }
  };
  await walk(rootReal, '', new Set([rootReal]));
  // Byte order, not locale order: the same on every machine.
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}

/** The module file a Node.js handler string needs, as candidates: 'src/app.handler' → src/app.{js,mjs,cjs}. */
export function handlerModuleCandidates(handler: string): string[] {
  const slash = handler.lastIndexOf('/');
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) return [];
  const mod = handler.slice(0, slash + 1) + base.slice(0, dot);
  return ['.js', '.mjs', '.cjs'].map((ext) => mod + ext);
}

/**
 * A deterministic zip of a folder: entries sorted, fixed timestamps, permissions reduced to
 * 644/755, no extra fields. The same files always give the same bytes and the same SHA-256, so
 * it can be compared with the deployed CodeSha256. Compression runs on zlib's thread pool.
 */
export async function packageFolder(root: string, options: PackageOptions = {}): Promise<Package> {
  const entries = await collectFiles(root, options.ignore);
  if (entries.length === 0) fail(`The code folder ${root} holds no files to package (after ignores).`);
  if (options.handler) {
    const candidates = handlerModuleCandidates(options.handler);
    if (candidates.length === 0) fail(`The handler '${options.handler}' is not of the form file.export (e.g. index.handler).`);
    const have = new Set(entries.map((e) => e.rel));
    if (!candidates.some((c) => have.has(c))) {
      fail(`The handler '${options.handler}' needs ${candidates.join(' or ')} in ${root}, and none is there. Check Handler and the code folder.`);
    }
  }
  const zip = new ZipFile();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  let unzippedBytes = 0;
  // Read ahead with bounded concurrency; entries are added strictly in sorted order.
  const LIMIT = 16;
  const reads: Array<Promise<Buffer>> = [];
  const read = (e: Entry): Promise<Buffer> => {
    const p = fs.promises.readFile(e.abs).catch((err: NodeJS.ErrnoException) => fail(`Cannot read ${e.rel}: ${err.code === 'EACCES' ? 'permission denied' : err.message}.`));
    // Awaited in order later; until then a rejection must not count as unhandled.
    p.catch(() => undefined);
    return p;
  };
  for (let i = 0; i < Math.min(LIMIT, entries.length); i++) reads.push(read(entries[i]));
  for (let i = 0; i < entries.length; i++) {
    if (options.signal?.aborted) fail('Packaging was cancelled.');
    const data = await reads[i];
    if (i + LIMIT < entries.length) reads.push(read(entries[i + LIMIT]));
    unzippedBytes += data.length;
    if (unzippedBytes > MAX_UNZIPPED_BYTES) {
      fail(`The code is ${mb(unzippedBytes)}+ unzipped; Lambda allows ${mb(MAX_UNZIPPED_BYTES)}. Add ignore globs or use layers.`);
    }
    zip.addBuffer(data, entries[i].rel, { mtime: FIXED_MTIME, mode: entries[i].mode, compressionLevel: 6, forceDosTimestamp: true });
  }
  zip.end();
  const buffer = await done;
  if (buffer.length > MAX_DIRECT_UPLOAD_BYTES) {
    fail(`The package is ${mb(buffer.length)} zipped; Lambda accepts at most ${mb(MAX_DIRECT_UPLOAD_BYTES)} uploaded directly. Add ignore globs (e.g. dev dependencies, tests) to shrink it.`);
  }
  return { zip: buffer, sha256: sha256Base64(buffer), files: entries.length, unzippedBytes };
}

export function sha256Base64(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('base64');
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
