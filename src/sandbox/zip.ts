import { zipSync } from 'fflate';

/** The DOS epoch: zip timestamps start in 1980, so fixed entries use its first instant. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** A small deterministic zip (sorted entries, fixed timestamps): the same files give the same bytes. */
export function zipFiles(files: Record<string, string | Uint8Array>): Buffer {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const name of Object.keys(files).sort()) {
    const data = files[name];
    entries[name] = [typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { mtime: FIXED_MTIME }];
  }
  return Buffer.from(zipSync(entries, { level: 6 }));
}
