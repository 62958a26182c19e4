import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import picomatch from 'picomatch';
import { OperationError } from './errors';
import type { PackedBatch, PackRequest } from './packWorker';
import { crc32, PACK_WORKER_TAG, packBatch } from './packWorker';
import { isWithin, slashedRelative } from './paths';
import type { PackagedFile } from './runtimes';
import { checkCode } from './runtimes';
import type * as Yauzl from 'yauzl';
import { loadYauzl } from './yauzlModule';
import * as zlib from 'node:zlib';

export { handlerModuleCandidates } from './runtimes';

/** Lambda's limit for a zip uploaded directly (ZipFile) rather than through S3. */
export const MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Lambda's limit for the unzipped code. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/**
 * Never packaged: VCS data, editor folders, the extension's own config, and Python's bytecode
 * cache (written by whatever local python3 ran the code last: it would change the CodeSha256 of
 * unchanged code, and Lambda's Python compiles its own; `sam build` leaves it out too).
 */
export const DEFAULT_IGNORES = ['.git/**', '**/.git/**', '.vscode/**', '**/.DS_Store', 'lambda-canary.json', '.lambda-canary/**', '**/__pycache__/**', '**/*.pyc'];

export interface PackageOptions {
  /** Extra ignore globs, relative to the code folder (picomatch syntax, `dot: true`). */
  ignore?: string[];
  /**
   * The folder nothing may come from outside of, symlinks followed (the workspace folder).
   * Default: the code folder itself.
   */
  within?: string;
  /** When set (e.g. 'index.handler'), the package must contain what the handler needs on `runtime`. */
  handler?: string;
  /**
   * The function's runtime (e.g. 'python3.12'): it decides what the handler needs (see
   * runtimes.ts). Unknown or absent: nothing is checked, and Package.notes says so.
   */
  runtime?: string;
  signal?: AbortSignal;
}

export interface Package {
  zip: Buffer;
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  sha256: string;
  files: number;
  /** Total size of the files before compression. */
  unzippedBytes: number;
  /** What the user should know although the package was made (what the code check could not check). */
  notes: string[];
}

interface Entry {
  rel: string;
  abs: string;
  mode: number;
  size: number;
}

/**
 * A child name no real file can have. A folder is skipped when this name would be ignored
 * inside it (`test/**`); a glob for a real file name (say one matching `lib/x`) then does not
 * also skip the folders that merely could hold such a file.
 */
const PROBE = '\0';

function fail(message: string): never {
  throw new OperationError(message, { step: 'Package', state: 'Nothing was uploaded.', kind: 'validation' });
}

/** A file or folder name as printable text: bytes that are not UTF-8 shown as \xNN. */
export function escapeName(raw: Buffer): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const b = raw[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    const seq = len ? raw.subarray(i, i + len) : undefined;
    // A sequence is kept only when it decodes to itself (no overlong form, no surrogate, complete).
    if (seq && seq.length === len && Buffer.from(seq.toString('utf8'), 'utf8').equals(seq) && (len > 1 || (b >= 0x20 && b !== 0x7f))) {
      out += seq.toString('utf8');
      i += len;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The raw names in `dir` that are not valid UTF-8 (and so cannot be named in a zip or opened by their decoded name). */
async function undecodableNames(dir: string): Promise<Buffer[]> {
  const raw = await fs.promises.readdir(dir, { encoding: 'buffer' });
  return raw.filter((n) => !Buffer.from(n.toString('utf8'), 'utf8').equals(n));
}

/**
 * Collects the files under `root`, sorted by path, following symlinks (loops are detected and
 * reported) and honouring the ignore globs. Nothing may resolve outside `within` (default:
 * `root`): a symlink out of it is refused, naming the link and where it leads. Files are read
 * later through their resolved paths, so a link swapped after this check is not followed. The
 * entries of one folder are examined concurrently; problems are reported in name order, so the
 * same tree gives the same error.
 */
export async function collectFiles(root: string, ignore: string[] = [], within?: string): Promise<Entry[]> {
  const isIgnored = picomatch([...DEFAULT_IGNORES, ...ignore], { dot: true });
  const rootReal = await fs.promises.realpath(root).catch(() => fail(`The code folder ${root} does not exist.`));
  const stat = await fs.promises.stat(rootReal);
  if (!stat.isDirectory()) fail(`The code folder ${root} is not a folder.`);
  const boundary = within === undefined ? rootReal : await fs.promises.realpath(within).catch(() => fail(`The workspace folder ${within} does not exist.`));
  const isInside = (p: string) => isWithin(boundary, p);
  const where = within === undefined ? 'the code folder' : 'the workspace';
  if (!isInside(rootReal)) fail(`The code folder ${root} resolves to ${rootReal}, outside ${where} (${within}): only code inside the workspace is packaged.`);
  // The default ignores hold for what a link leads to as well: a link into .git or .vscode must
  // not carry what they hold (a token in .git/config) into the package under another name.
  const isDefaultIgnored = picomatch(DEFAULT_IGNORES, { dot: true });
  const neverPackaged = (real: string, isDir: boolean): string | undefined => {
    for (const base of new Set([boundary, rootReal])) {
      if (real === base || !isWithin(base, real)) continue;
      const rel = slashedRelative(base, real);
      if (isDefaultIgnored(rel) || (isDir && (isDefaultIgnored(`${rel}/`) || isDefaultIgnored(`${rel}/${PROBE}`)))) return rel;
    }
    return undefined;
  };
  /** `reachedAs`: the path in the package when the target is reached inside a followed folder. */
  const neverPackagedMessage = (link: string, target: string, reachedAs?: string) =>
    `The symlink ${link} leads to ${reachedAs ? `a folder holding ${target} (as ${reachedAs})` : target}, which is never packaged ` +
    `(like .git, .vscode and lambda-canary.json): such files can hold credentials, e.g. a token in .git/config. Remove the link, or add '${link}' to "ignore".`;
  const out: Entry[] = [];
  type Found = { kind: 'file'; entry: Entry } | { kind: 'dir'; rel: string; real: string; via: string | undefined } | { kind: 'skip' } | { kind: 'error'; message: string };
  /** `via`: the link a followed folder was reached through, if any. */
  const examine = async (d: fs.Dirent, dirAbs: string, dirRel: string, ancestors: Set<string>, via: string | undefined): Promise<Found> => {
    const rel = dirRel ? `${dirRel}/${d.name}` : d.name;
    let abs = path.join(dirAbs, d.name);
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    let st: fs.Stats | undefined;
    if (d.isSymbolicLink()) {
      // An ignored link is never followed, so a dangling one can be ignored away.
      if (isIgnored(rel) || isIgnored(`${rel}/${PROBE}`)) return { kind: 'skip' };
      let real: string;
      try {
        real = await fs.promises.realpath(abs);
      } catch (e) {
        return { kind: 'error', message: `The symlink ${rel} points nowhere (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).` };
      }
      if (!isInside(real)) {
        return { kind: 'error', message: `The symlink ${rel} leads to ${real}, outside ${where}: only files inside the workspace are packaged. Copy what it needs into the workspace, or add '${rel}' to "ignore".` };
      }
      st = await fs.promises.stat(real);
      isDir = st.isDirectory();
      isFile = st.isFile();
      if (isDir && ancestors.has(real)) return { kind: 'error', message: `The symlink ${rel} loops back to ${path.relative(rootReal, real) || '.'}: packaging would never end.` };
      const hidden = neverPackaged(real, isDir);
      if (hidden !== undefined) return { kind: 'error', message: neverPackagedMessage(rel, hidden) };
      // Read through the checked target, never through the link again.
      abs = real;
    }
    if (isDir) {
      if (isIgnored(`${rel}/`) || isIgnored(rel) || isIgnored(`${rel}/${PROBE}`)) return { kind: 'skip' };
      const hidden = via !== undefined && !d.isSymbolicLink() ? neverPackaged(abs, true) : undefined;
      if (hidden !== undefined) return { kind: 'error', message: neverPackagedMessage(via!, hidden, rel) };
      return { kind: 'dir', rel, real: abs, via: d.isSymbolicLink() ? rel : via };
    }
    if (isFile && !isIgnored(rel)) {
      // Inside a followed folder a plain name can still be the workspace's .vscode/settings.json.
      const hidden = via !== undefined && !d.isSymbolicLink() ? neverPackaged(abs, false) : undefined;
      if (hidden !== undefined) return { kind: 'error', message: neverPackagedMessage(via!, hidden, rel) };
      st ??= await fs.promises.stat(abs);
      return { kind: 'file', entry: { rel, abs, mode: st.mode & 0o111 ? 0o100755 : 0o100644, size: st.size } };
    }
    return { kind: 'skip' };
  };
  const walk = async (dirAbs: string, dirRel: string, ancestors: Set<string>, via: string | undefined): Promise<void> => {
    let names: fs.Dirent[];
    try {
      names = await fs.promises.readdir(dirAbs, { withFileTypes: true });
    } catch (e) {
      fail(`Cannot read the folder ${path.join(root, dirRel)}: ${(e as Error).message}`);
    }
    // A name that is not UTF-8 comes back with U+FFFD in it and could be neither opened by that
    // name nor written into the zip: say which one, unless the ignore globs leave it out anyway.
    if (names.some((d) => d.name.includes('\uFFFD'))) {
      const ignoredLossy = new Set<string>();
      for (const bad of await undecodableNames(dirAbs)) {
        const shown = bad.toString('utf8');
        const rel = dirRel ? `${dirRel}/${shown}` : shown;
        if (isIgnored(rel) || isIgnored(`${rel}/${PROBE}`)) {
          ignoredLossy.add(shown);
          continue;
        }
        fail(`The folder ${path.join(root, dirRel)} holds a name that is not valid UTF-8: '${escapeName(bad)}'. Zip entry names are UTF-8 here: rename it, or add it to "ignore".`);
      }
      names = names.filter((d) => !ignoredLossy.has(d.name));
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const found = await Promise.all(names.map((d) => examine(d, dirAbs, dirRel, ancestors, via)));
    for (const f of found) {
      if (f.kind === 'error') fail(f.message);
      else if (f.kind === 'file') out.push(f.entry);
      else if (f.kind === 'dir') await walk(f.real, f.rel, new Set([...ancestors, f.real]), f.via);
    }
  };
  await walk(rootReal, '', new Set([rootReal]), undefined);
  // Byte order, not locale order: the same on every machine.
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}

/**
 * A deterministic zip of a folder: entries sorted, fixed timestamps, permissions reduced to
 * 644/755, no extra fields. The same files always give the same bytes and the same SHA-256, so
 * it can be compared with the deployed CodeSha256.
 *
 * The files are read, checksummed and deflated in batches by packBatch (packWorker.ts): on worker threads,
 * one per core, for a package of some size (deflate is where the time goes, and the extension
 * host's thread stays free); on the calling thread for a small one, where starting workers would
 * cost more than it saves. Same code, same zlib, same bytes. Entries are written strictly in
 * sorted order.
 */
export async function packageFolder(root: string, options: PackageOptions = {}): Promise<Package> {
  const entries = await collectFiles(root, options.ignore, options.within);
  if (entries.length === 0) fail(`The code folder ${root} holds no files to package (after ignores).`);
  const check = options.handler || options.runtime ? checkCode({ runtime: options.runtime, handler: options.handler, files: entries, root }) : { notes: [] };
  if (check.refusal) fail(check.refusal);
  const listed = entries.reduce((n, e) => n + e.size, 0);
  if (listed > MAX_UNZIPPED_BYTES) {
    fail(`The code is ${mb(listed)} unzipped; Lambda allows ${mb(MAX_UNZIPPED_BYTES)}. Add ignore globs or use layers.`);
  }

  const batches: Entry[][] = [];
  let batch: Entry[] = [];
  let batchBytes = 0;
  for (const e of entries) {
    batch.push(e);
    batchBytes += e.size;
    if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) {
      batches.push(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length) batches.push(batch);

  const pool = listed >= WORKERS_FROM_BYTES && batches.length > 1 ? PackerPool.start() : undefined;
  const pack = pool ? (b: Entry[]) => pool.pack(b.map((e) => e.abs)) : async (b: Entry[]) => packBatch(b.map((e) => e.abs), LEVEL);
  try {
    const zip = new ZipWriter();
    let unzippedBytes = 0;
    const jobs: Array<Promise<PackedBatch> | undefined> = [];
    const start = (b: Entry[]): void => {
      const job = pack(b);
      // Awaited in order later; until then a rejection must not count as unhandled.
      job.catch(() => undefined);
      jobs.push(job);
    };
    const ahead = pool ? 2 * pool.size + 2 : 1;
    for (let i = 0; i < Math.min(ahead, batches.length); i++) start(batches[i]);
    for (let i = 0; i < batches.length; i++) {
      if (options.signal?.aborted) fail('Packaging was cancelled.');
      const done = await jobs[i]!;
      jobs[i] = undefined;
      if (i + ahead < batches.length) start(batches[i + ahead]);
      if (done.error) {
        const e = done.error;
        fail(`Cannot read ${batches[i][e.index].rel}: ${e.code === 'EACCES' ? 'permission denied' : e.message}.`);
      }
      const data = Buffer.from(done.packed!.buffer, done.packed!.byteOffset, done.packed!.byteLength);
      let at = 0;
      for (let k = 0; k < done.entries!.length; k++) {
        const { crc, size, method, length } = done.entries![k];
        unzippedBytes += size;
        if (unzippedBytes > MAX_UNZIPPED_BYTES) {
          fail(`The code is ${mb(unzippedBytes)}+ unzipped; Lambda allows ${mb(MAX_UNZIPPED_BYTES)}. Add ignore globs or use layers.`);
        }
        zip.add(batches[i][k].rel, batches[i][k].mode, { data: data.subarray(at, (at += length)), crc, size, method });
      }
    }
    const buffer = zip.finish();
    if (buffer.length > MAX_DIRECT_UPLOAD_BYTES) {
      fail(`The package is ${mb(buffer.length)} zipped; Lambda accepts at most ${mb(MAX_DIRECT_UPLOAD_BYTES)} uploaded directly. Add ignore globs (e.g. dev dependencies, tests) to shrink it.`);
    }
    return { zip: buffer, sha256: sha256Base64(buffer), files: entries.length, unzippedBytes, notes: check.notes };
  } finally {
    await pool?.close();
  }
}

/** A batch closes at this many bytes or files. */
const BATCH_BYTES = 256 * 1024;
const BATCH_FILES = 64;
/** Packages smaller than this are packed on the calling thread. */
const WORKERS_FROM_BYTES = 2 * 1024 * 1024;
/** The compression level of Info-ZIP's default (and of most zip tools). */
const LEVEL = 6;

interface Compressed {
  data: Buffer;
  /** 8 = deflate, 0 = stored (when deflating would not make it smaller). */
  method: number;
  crc: number;
  size: number;
}

/** Worker threads packing batches, one per core (at most 4); each batch goes to the least busy one. */
class PackerPool {
  private readonly workers: Array<{ worker: Worker; busy: number }> = [];
  private readonly pending = new Map<number, { resolve: (r: PackedBatch) => void; reject: (e: Error) => void; slot: { busy: number } }>();
  private seq = 0;
  private failed?: OperationError;

  /** Undefined where worker threads cannot start: the caller packs on its own thread then. */
  static start(): PackerPool | undefined {
    // Beside this module: dist/packWorker.js in the bundle, out/src/core/packWorker.js under tsc.
    const script = path.join(__dirname, 'packWorker.js');
    if (!fs.existsSync(script)) return undefined;
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    try {
      return new PackerPool(script, Math.max(1, Math.min(4, cores)));
    } catch {
      return undefined;
    }
  }

  private constructor(script: string, readonly size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, { workerData: PACK_WORKER_TAG });
      worker.on('message', (m: PackedBatch & { id: number }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.slot.busy--;
        p.resolve(m);
      });
      worker.on('error', (e) => this.abort(e));
      worker.on('exit', (code) => code !== 0 && this.abort(new Error(`a packaging worker exited with code ${code}`)));
      this.workers.push({ worker, busy: 0 });
    }
  }

  pack(files: string[]): Promise<PackedBatch> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.seq++;
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, files, level: LEVEL } satisfies PackRequest);
    });
  }

  private abort(e: Error): void {
    this.failed ??= new OperationError(`Packaging failed: ${e.message}`, { step: 'Package', state: 'Nothing was uploaded.', cause: e });
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.failed ??= new OperationError('Packaging stopped.', { step: 'Package', state: 'Nothing was uploaded.' });
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** 1980-01-01 00:00:00 as a DOS date; the DOS time is 0. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** General-purpose flag 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
/** Version 2.0 (deflate); made by 3 = Unix, so unzip tools honour the mode in the external attributes. */
const VERSION = 20;
const MADE_BY = (3 << 8) | VERSION;

/**
 * The fields the local header and the central directory entry share, in the same order (at 4
 * and at 6): version needed, flags, method, time, date, CRC-32, sizes, name length.
 */
function entryFields(buf: Buffer, at: number, c: Compressed, nameLength: number): void {
  buf.writeUInt16LE(VERSION, at);
  buf.writeUInt16LE(UTF8_NAMES, at + 2);
  buf.writeUInt16LE(c.method, at + 4);
  buf.writeUInt16LE(0, at + 6);
  buf.writeUInt16LE(DOS_DATE, at + 8);
  buf.writeUInt32LE(c.crc, at + 10);
  buf.writeUInt32LE(c.data.length, at + 14);
  buf.writeUInt32LE(c.size, at + 18);
  buf.writeUInt16LE(nameLength, at + 22);
}

/**
 * The zip format, written in one pass: local header + data per entry (sizes and CRC known up
 * front, so no data descriptors), the central directory, and the end record (ZIP64 only when
 * there are more than 65,535 entries).
 */
class ZipWriter {
  private readonly parts: Buffer[] = [];
  private readonly central: Buffer[] = [];
  private offset = 0;
  private count = 0;

  add(name: string, mode: number, c: Compressed): void {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30 + nameBytes.length);
    local.writeUInt32LE(0x04034b50, 0);
    entryFields(local, 4, c, nameBytes.length);
    // extra length: 0
    nameBytes.copy(local, 30);

    const entry = Buffer.alloc(46 + nameBytes.length);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(MADE_BY, 4);
    entryFields(entry, 6, c, nameBytes.length);
    // extra length, comment length, disk number, internal attributes: 0
    entry.writeUInt32LE((mode << 16) >>> 0, 38);
    entry.writeUInt32LE(this.offset, 42);
    nameBytes.copy(entry, 46);

    this.parts.push(local, c.data);
    this.central.push(entry);
    this.offset += local.length + c.data.length;
    this.count++;
  }

  finish(): Buffer {
    const cdOffset = this.offset;
    const cdSize = this.central.reduce((n, b) => n + b.length, 0);
    const tail: Buffer[] = [];
    const zip64 = this.count > 0xffff;
    if (zip64) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(MADE_BY, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(this.count), 24);
      record.writeBigUInt64LE(BigInt(this.count), 32);
      record.writeBigUInt64LE(BigInt(cdSize), 40);
      record.writeBigUInt64LE(BigInt(cdOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
      locator.writeUInt32LE(1, 16);
      tail.push(record, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(this.count, 0xffff), 8);
    end.writeUInt16LE(Math.min(this.count, 0xffff), 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdOffset, 16);
    tail.push(end);
    return Buffer.concat([...this.parts, ...this.central, ...tail]);
  }
}

export function sha256Base64(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('base64');
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Lists a zip's entries (path and file mode) from its central directory, inflating nothing. */
async function zipEntries(zip: Buffer): Promise<PackagedFile[]> {
  const yauzl = await loadYauzl();
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: false }, (err, archive) => {
      if (err || !archive) return reject(err ?? new Error('unreadable zip'));
      const out: PackagedFile[] = [];
      archive.on('entry', (e: Yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) out.push({ rel: e.fileName, mode: (e.externalFileAttributes >>> 16) || 0o100644 });
        archive.readEntry();
      });
      archive.on('end', () => resolve(out));
      archive.on('error', reject);
      archive.readEntry();
    });
  });
}

/**
 * A built archive named as the code (a SAM CodeUri such as `target/app.jar` or
 * `dist/function.zip`): uploaded as it is, so its SHA-256 is the CodeSha256. It must be a zip (a
 * jar is one) within Lambda's direct-upload limit, and hold what the handler needs.
 */
export async function packageArchive(file: string, options: { handler?: string; runtime?: string } = {}): Promise<Package> {
  const st = fs.statSync(file);
  if (!st.isFile()) fail(`${file} is not a file.`);
  if (st.size > MAX_DIRECT_UPLOAD_BYTES) {
    fail(`The archive ${file} is ${mb(st.size)}; Lambda accepts at most ${mb(MAX_DIRECT_UPLOAD_BYTES)} uploaded directly (larger code goes through S3, which Lambda Canary does not upload to).`);
  }
  const zip = fs.readFileSync(file);
  if (zip.length < 4 || zip.readUInt32LE(0) !== 0x04034b50) fail(`${file} is not a zip archive (nor a jar): a CodeUri that is a file must be the built package.`);
  let entries: PackagedFile[];
  try {
    entries = await zipEntries(zip);
  } catch (e) {
    fail(`${file} is not a readable zip archive (${(e as Error).message}).`);
  }
  if (entries.length === 0) fail(`The archive ${file} holds no files.`);
  const check = options.handler || options.runtime ? checkCode({ runtime: options.runtime, handler: options.handler, files: entries, root: file }) : { notes: [] };
  if (check.refusal) fail(check.refusal);
  return { zip, sha256: sha256Base64(zip), files: entries.length, unzippedBytes: st.size, notes: check.notes };
}

/** The file CloudFormation writes inline code to (SAM InlineCode, Code.ZipFile): index.js for Node.js, index.py for Python; other runtimes have none. */
export function inlineFileName(runtime: string | undefined): string | undefined {
  if (runtime?.startsWith('nodejs')) return 'index.js';
  if (runtime?.startsWith('python')) return 'index.py';
  return undefined;
}

/**
 * Why inline code cannot run as packaged here, or undefined when it can: CloudFormation adds its
 * cfn-response (Node.js) / cfnresponse (Python) module beside inline code, for custom resources
 * to answer CloudFormation; a package of the code alone fails with "Cannot find module".
 */
export function inlineModuleProblem(code: string, runtime: string | undefined): string | undefined {
  const node = runtime?.startsWith('nodejs') && /\brequire\s*\(\s*(['"`])cfn-response\1\s*\)|\bfrom\s*(['"])cfn-response\2|\bimport\s*\(\s*(['"`])cfn-response\3\s*\)/.test(code);
  const python = runtime?.startsWith('python') && /^[ \t]*(?:import[ \t]+(?:[\w.]+[ \t]*(?:as[ \t]+\w+[ \t]*)?,[ \t]*)*cfnresponse\b|from[ \t]+cfnresponse[ \t]+import\b)/m.test(code);
  if (!node && !python) return undefined;
  const module = node ? 'cfn-response' : 'cfnresponse';
  return `it uses ${module}, the module CloudFormation adds beside the inline code of a custom resource; a package of the code alone fails with "Cannot find module": deploy it with CloudFormation (sam deploy), or move the code with a copy of ${module} to a folder named in CodeUri.`;
}

/** CloudFormation's limit for inline code (ZipFile). */
const MAX_INLINE_BYTES = 4 * 1024 * 1024;

/**
 * Code written in the template, packaged as CloudFormation packages it: a zip of one file,
 * `index.js` (Node.js, a CommonJS module) or `index.py` (Python), holding the code as written,
 * with the same fixed timestamp and mode as every package, so the same code gives the same CodeSha256.
 */
export function packageInline(code: string, options: { handler?: string; runtime?: string } = {}): Package {
  const name = inlineFileName(options.runtime);
  if (!name) fail(`Inline code is packaged for Node.js and Python only (as CloudFormation does), not ${options.runtime ?? 'an unknown runtime'}: move the code to a folder and name it in CodeUri.`);
  const needs = inlineModuleProblem(code, options.runtime);
  if (needs) fail(`The inline code cannot be packaged alone: ${needs}`);
  const data = Buffer.from(code, 'utf8');
  if (data.length > MAX_INLINE_BYTES) fail(`The inline code is ${mb(data.length)}; CloudFormation accepts at most ${mb(MAX_INLINE_BYTES)} inline: move it to a folder and name it in CodeUri.`);
  const mode = 0o100644;
  const check = options.handler ? checkCode({ runtime: options.runtime, handler: options.handler, files: [{ rel: name, mode }], root: 'the inline code' }) : { notes: [] };
  if (check.refusal) fail(check.refusal);
  const deflated = zlib.deflateRawSync(data, { level: LEVEL });
  const stored = deflated.length >= data.length;
  const zip = new ZipWriter();
  zip.add(name, mode, { data: stored ? data : deflated, crc: crc32(data), size: data.length, method: stored ? 0 : 8 });
  const buffer = zip.finish();
  return { zip: buffer, sha256: sha256Base64(buffer), files: 1, unzippedBytes: data.length, notes: check.notes };
}

/**
 * Source files made in memory (a generated function's code), packaged as every package is: in
 * the order given, with the same fixed timestamp and mode, so the same files give the same CodeSha256.
 */
export function packageSourceFiles(files: ReadonlyArray<{ name: string; text: string }>): Package {
  const zip = new ZipWriter();
  let unzippedBytes = 0;
  for (const f of files) {
    const data = Buffer.from(f.text, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: LEVEL });
    const stored = deflated.length >= data.length;
    zip.add(f.name, 0o100644, { data: stored ? data : deflated, crc: crc32(data), size: data.length, method: stored ? 0 : 8 });
    unzippedBytes += data.length;
  }
  const buffer = zip.finish();
  return { zip: buffer, sha256: sha256Base64(buffer), files: files.length, unzippedBytes, notes: [] };
}
