/**
 * Hand-made zips for hostile-input tests: entries whose headers say whatever the test wants
 * (a zip bomb declaring a few bytes, names escaping the folder), and many-file packages.
 */
import * as zlib from 'node:zlib';
import { zipFiles } from '../../src/sandbox';

export interface RawEntry {
  name: string;
  /** The stored bytes (deflated when method is 8). */
  data: Buffer;
  method: 0 | 8;
  /** The uncompressed size the headers declare, true or not. */
  declaredSize: number;
  crc?: number;
}

/** A zip with exactly these local headers and central directory entries. */
export function rawZip(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4, e, name.length);
    parts.push(local, name, e.data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    fields(entry, 6, e, name.length);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

function fields(buf: Buffer, at: number, e: RawEntry, nameLength: number): void {
  buf.writeUInt16LE(20, at);
  buf.writeUInt16LE(0x0800, at + 2);
  buf.writeUInt16LE(e.method, at + 4);
  buf.writeUInt16LE(0, at + 6);
  buf.writeUInt16LE(0x21, at + 8);
  buf.writeUInt32LE(e.crc ?? 0, at + 10);
  buf.writeUInt32LE(e.data.length, at + 14);
  buf.writeUInt32LE(e.declaredSize, at + 18);
  buf.writeUInt16LE(nameLength, at + 22);
}

/**
 * Raw deflate data inflating to `mib` MiB of zeros, built cheaply: one fully flushed block of
 * 1 MiB repeated (a full flush makes each copy independent), then an empty final block.
 */
export function deflatedZeros(mib: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array<Buffer>(mib).fill(block), Buffer.from([0x03, 0x00])]);
}

/** A zip bomb that lies: its one entry declares 10 bytes and inflates to `mib` MiB. */
export function lyingBomb(mib = 300): Buffer {
  return rawZip([{ name: 'index.js', data: deflatedZeros(mib), method: 8, declaredSize: 10 }]);
}

/** An honest bomb: it declares the `mib` MiB it inflates to. */
export function honestBomb(mib = 300): Buffer {
  return rawZip([{ name: 'index.js', data: deflatedZeros(mib), method: 8, declaredSize: mib << 20 }]);
}

/** A package of `count` small files plus an index.js handler returning `result`. */
export function manyFiles(count: number, result: unknown = { ok: true }): Buffer {
  const files: Record<string, string> = { 'index.js': `exports.handler = async () => (${JSON.stringify(result)});\n` };
  for (let i = 0; i < count; i++) files[`lib/d${i % 100}/f${i}.js`] = `module.exports = ${i};\n`;
  return zipFiles(files);
}
