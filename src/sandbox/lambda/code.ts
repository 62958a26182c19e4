/** Deployment packages: checking an upload, storing it, and making another client's upload. */
import * as crypto from 'node:crypto';
import { unzip, zip } from 'fflate';
import type { Unzipped, Zippable } from 'fflate';
import { invalidParameter, serviceError } from '../errors';
import type { VersionRecord } from '../model';
import type { Store } from '../store';
import { inspectZip, MAX_UNZIPPED_BYTES } from '../unpack';
import { expectString } from '../validation';

/** The file the `publishOther` fault adds to a function's code, as another client's upload. */
export const CONCURRENT_UPLOAD_FILE = 'concurrent-upload.txt';

const unzipAsync = (data: Uint8Array): Promise<Unzipped> =>
  new Promise((resolve, reject) => void unzip(data, (err, files) => (err ? reject(err) : resolve(files))));
const zipAsync = (files: Zippable): Promise<Uint8Array> =>
  new Promise((resolve, reject) => void zip(files, { level: 6 }, (err, data) => (err ? reject(err) : resolve(data))));

/**
 * Decodes a ZipFile and checks, off the event loop, that it unzips within Lambda's limit
 * (counting the bytes it really inflates to, whatever its headers declare).
 */
export async function decodeZip(raw: unknown): Promise<Buffer> {
  if (raw !== undefined && raw !== null && typeof raw !== 'string') expectString(raw, 'ZipFile');
  if (typeof raw !== 'string' || raw.length === 0) {
    throw invalidParameter('Please provide a source for function code: ZipFile (S3 and container images are not supported by the sandbox).');
  }
  return checkZip(Buffer.from(raw, 'base64'));
}

async function checkZip(data: Buffer): Promise<Buffer> {
  const r = await inspectZip(data, MAX_UNZIPPED_BYTES);
  if (r.ok) return data;
  if (r.reason === 'tooLarge') throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  if (r.reason === 'corrupt') throw invalidParameter(`Could not unzip uploaded file. Please check your file, then try to upload again. (${r.message})`);
  throw serviceError(`The sandbox could not check the uploaded file (${r.message}); nothing was changed.`);
}

export function newCode(store: Store, zipFile: Buffer): VersionRecord['code'] {
  const blob = store.putBlob(zipFile);
  return { blob, size: zipFile.length, sha256: Buffer.from(blob, 'hex').toString('base64') };
}

/**
 * The code another client would upload meanwhile: `current` with one more file, unique to this
 * call so that its CodeSha256 differs from every earlier package's. The handler still runs. The
 * (de)compression runs on fflate's worker threads, and the result is checked as an upload is.
 */
export async function concurrentUpload(current: Buffer): Promise<Buffer> {
  let files: Unzipped;
  try {
    files = await unzipAsync(current);
  } catch (e) {
    throw serviceError(`The sandbox could not read the function's current code to change it: ${e instanceof Error ? e.message : String(e)}`);
  }
  files[CONCURRENT_UPLOAD_FILE] = Buffer.from(`Uploaded by another client while PublishVersion ran (${crypto.randomUUID()}).\n`, 'utf8');
  return checkZip(Buffer.from(await zipAsync(files)));
}
