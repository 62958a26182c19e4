/** Deployment packages: checking an upload, storing it, and making another client's upload. */
import * as crypto from 'node:crypto';
import { unzip, zip } from 'fflate';
import type { Unzipped, Zippable } from 'fflate';
import { AwsError, invalidParameter, serviceError } from '../errors';
import type { CodeRef, VersionRecord } from '../model';
import type { Store } from '../store';
import { inspectZip, MAX_UNZIPPED_BYTES } from '../unpack';
import { checkImageUri, expectString } from '../validation';

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
    throw invalidParameter('Please provide a source for function code: ZipFile (S3 is not supported by the sandbox).');
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

/**
 * What the sandbox's stand-in for ECR resolves an image URI to, when a test pushed something
 * there (Sandbox.pushImage): a tag re-pointed to another image, or a digest URI naming an image
 * index whose image for the function's platform has another digest. Keyed by the URI as given.
 */
export type ImageRegistry = ReadonlyMap<string, string>;

/**
 * An image function's code. The sandbox pulls nothing from ECR, so it resolves an image the only
 * way it can without a registry: what `registry` holds for the URI when a test pushed it there;
 * otherwise an `@sha256:DIGEST` URI is that digest and a `:TAG` URI resolves to the SHA-256 of
 * the URI's text, so the same URI always gives the same digest (an unchanged image) and another
 * tag another one. CodeSha256 is the digest in hex, without `sha256:`, as Lambda reports it for
 * images; CodeSize is 0.
 */
export function imageCode(raw: unknown, region: string, registry: ImageRegistry = new Map()): CodeRef {
  const parts = checkImageUri(raw, region);
  const uri = raw as string;
  const digest = registry.get(uri) ?? parts.digest ?? crypto.createHash('sha256').update(uri, 'utf8').digest('hex');
  const repository = `${parts.account}.dkr.ecr.${parts.region}.amazonaws.com/${parts.repository}`;
  return { sha256: digest, blob: digest, size: 0, image: { uri, resolvedUri: `${repository}@sha256:${digest}` } };
}

/** Another client's image pushed meanwhile (the `publishOther` fault on an image function). */
export function concurrentImage(current: CodeRef, region: string): CodeRef {
  const repository = current.image!.resolvedUri.split('@')[0];
  return imageCode(`${repository}:concurrent-${crypto.randomUUID()}`, region);
}

/**
 * Invoke of an image function: its control plane is kept (versions, aliases, routing,
 * CodeSha256), running its container is not. Answered as a runtime the sandbox cannot run.
 */
export function imageNotRunHere(arn: string, v: VersionRecord): AwsError {
  return new AwsError(
    'InvalidRuntimeException',
    502,
    `The Lambda Canary sandbox cannot run container images: version ${v.version} of ${arn} (image ${v.code.image?.uri ?? ''}) was chosen and not invoked. Its versions, aliases and routing work here; invoke it on AWS.`,
    'User',
  );
}
