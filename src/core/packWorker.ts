/**
 * One batch of the packager's work: read each file, take its CRC-32, deflate it (raw, as zip
 * stores it) and keep the deflated bytes only when they are smaller. The same function runs on
 * the calling thread for a small package and on worker threads for a big one (this module is
 * also the workers' script: dist/packWorker.js in the bundle, out/src/core/packWorker.js under
 * tsc), so both give the same bytes.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as zlib from 'node:zlib';

/** The entries' data back to back, or the first read error. */
export interface PackedBatch {
  packed?: Uint8Array;
  entries?: Array<{ crc: number; size: number; method: number; length: number }>;
  error?: { index: number; code?: string; message: string };
}

export interface PackRequest {
  id: number;
  files: string[];
  level: number;
}

/** Marks the workers the packager starts (workerData), so importing this module elsewhere does nothing. */
export const PACK_WORKER_TAG = 'lambda-canary-packer';

let table: Int32Array | undefined;
export function crc32(d: Uint8Array): number {
  // zlib.crc32 exists from Node 20.15; older hosts take the table.
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(d);
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < d.length; i++) c = table[(c ^ d[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export function packBatch(files: string[], level: number): PackedBatch {
  const parts: Buffer[] = [];
  const entries: NonNullable<PackedBatch['entries']> = [];
  for (let i = 0; i < files.length; i++) {
    let data: Buffer;
    try {
      data = fs.readFileSync(files[i]);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { error: { index: i, code: err?.code, message: String(err?.message ?? e) } };
    }
    const deflated = zlib.deflateRawSync(data, { level });
    const stored = deflated.length >= data.length;
    const out = stored ? data : deflated;
    parts.push(out);
    entries.push({ crc: crc32(data), size: data.length, method: stored ? 0 : 8, length: out.length });
  }
  // A fresh buffer of its own, so it can be transferred rather than copied.
  const joined = Buffer.concat(parts);
  const packed = new Uint8Array(joined.length);
  packed.set(joined);
  return { packed, entries };
}

if (parentPort && workerData === PACK_WORKER_TAG) {
  const port = parentPort;
  port.on('message', (m: PackRequest) => {
    let r: PackedBatch;
    try {
      r = packBatch(m.files, m.level);
    } catch (e) {
      r = { error: { index: 0, message: `compression failed: ${(e as Error)?.message ?? String(e)}` } };
    }
    port.postMessage({ id: m.id, ...r }, r.packed ? [r.packed.buffer as ArrayBuffer] : []);
  });
}
