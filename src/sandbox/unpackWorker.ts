/**
 * Reads a deployment package: checks that it unzips, counts the bytes its entries really inflate
 * to (not what their headers claim) against the unzipped-size limit, and optionally writes its
 * files into a folder. It runs on a worker thread (unpack.ts starts it), so a zip of many files or
 * a zip bomb never holds up the server's event loop. This module is the worker's script:
 * out/src/sandbox/unpackWorker.js under tsc, dist/sandboxUnpack.js in the bundle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import * as yauzl from 'yauzl';
import type { UnpackRequest, UnpackResult } from './unpack';
import { UNPACK_WORKER_TAG } from './unpack';

/** Errors of the disk, as opposed to errors of the zip's content. */
const IO_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENFILE', 'EIO', 'EDQUOT']);

export async function unpack(zip: Buffer, limit: number, dir?: string): Promise<UnpackResult> {
  let bytes = 0;
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await open(zip);
  } catch (e) {
    return { ok: false, reason: 'corrupt', message: messageOf(e), bytes };
  }
  try {
    const entries = await listEntries(zipfile);
    // What the central directory declares, checked before anything is inflated.
    let declared = 0;
    for (const e of entries) declared += e.uncompressedSize;
    if (declared > limit) return { ok: false, reason: 'tooLarge', message: `the entries declare ${declared} bytes unzipped`, bytes };
    const made = new Set<string>();
    const mkdir = (d: string): void => {
      if (made.has(d)) return;
      fs.mkdirSync(d, { recursive: true });
      made.add(d);
    };
    if (dir) mkdir(dir);
    let files = 0;
    for (const entry of entries) {
      const isDir = entry.fileName.endsWith('/');
      // yauzl refuses absolute names and `..`; resolving again keeps every write under dir regardless.
      const target = dir ? path.resolve(dir, entry.fileName) : undefined;
      if (dir && target !== path.resolve(dir) && !target!.startsWith(path.resolve(dir) + path.sep)) {
        return { ok: false, reason: 'corrupt', message: `the entry ${entry.fileName} points outside the package`, bytes };
      }
      if (isDir) {
        if (target) mkdir(target);
        continue;
      }
      const data = entryData(zip, entry);
      // The real inflated bytes count, not the header's claim (and entryData never inflates more
      // than an entry declares).
      bytes += data.length;
      if (bytes > limit) return { ok: false, reason: 'tooLarge', message: `the entries inflate to more than ${limit} bytes`, bytes };
      if (target) {
        mkdir(path.dirname(target));
        // A file packed executable on Unix stays so (a custom runtime's bootstrap), as Lambda keeps it.
        fs.writeFileSync(target, data, { mode: isExecutable(entry) ? 0o755 : 0o644 });
      }
      files++;
    }
    return { ok: true, files, bytes };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    return { ok: false, reason: code && IO_CODES.has(code) ? 'io' : 'corrupt', message: messageOf(e), bytes };
  } finally {
    zipfile.close();
  }
}

function open(zip: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // yauzl reads the central directory (and refuses absolute names and `..`); entryData inflates.
    yauzl.fromBuffer(zip, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zf) => (err ? reject(err) : resolve(zf)));
  });
}

function listEntries(zipfile: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zipfile.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zipfile.readEntry();
    });
    zipfile.once('end', () => resolve(entries));
    zipfile.once('error', reject);
    zipfile.readEntry();
  });
}

/**
 * An entry's bytes, inflated on this (worker) thread in one call: much faster than a stream per
 * entry for packages of thousands of small files. Inflating stops at the size the entry
 * declares, so a header that lies about it is an error, never gigabytes of output.
 */
function entryData(zip: Buffer, entry: yauzl.Entry): Buffer {
  if (entry.generalPurposeBitFlag & 1) throw new ZipContentError(`the entry ${entry.fileName} is encrypted`);
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50) throw new ZipContentError(`the local header of ${entry.fileName} is missing`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ZipContentError(`the data of ${entry.fileName} runs past the end of the file`);
  const raw = zip.subarray(start, end);
  let data: Buffer;
  if (entry.compressionMethod === 0) data = raw;
  else if (entry.compressionMethod === 8) {
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ZipContentError(
        code === 'ERR_BUFFER_TOO_LARGE' ? `the entry ${entry.fileName} inflates to more bytes than the ${entry.uncompressedSize} it declares` : `the entry ${entry.fileName} is not valid deflate data`,
      );
    }
  } else throw new ZipContentError(`the entry ${entry.fileName} uses compression method ${entry.compressionMethod}; the sandbox unpacks deflate and stored entries`);
  if (data.length !== entry.uncompressedSize) {
    throw new ZipContentError(`the entry ${entry.fileName} inflates to ${data.length} bytes, not the ${entry.uncompressedSize} it declares`);
  }
  return data;
}

class ZipContentError extends Error {}

/** Made on Unix (the high byte of "version made by" is 3) with an execute bit in its mode. */
function isExecutable(entry: yauzl.Entry): boolean {
  return entry.versionMadeBy >> 8 === 3 && ((entry.externalFileAttributes >>> 16) & 0o111) !== 0;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

if (parentPort && workerData === UNPACK_WORKER_TAG) {
  const port = parentPort;
  port.on('message', (m: UnpackRequest) => {
    const zip = Buffer.from(m.zip.buffer, m.zip.byteOffset, m.zip.byteLength);
    unpack(zip, m.limit, m.dir).then(
      (r) => port.postMessage({ id: m.id, ...r }),
      (e: unknown) => port.postMessage({ id: m.id, ok: false, reason: 'io', message: messageOf(e), bytes: 0 } satisfies UnpackResult & { id: number }),
    );
  });
}
