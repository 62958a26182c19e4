import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The packages releases uploaded, kept so a later promotion to the next stage ships exactly those
 * bytes (never a rebuild): one file per package in `<journal dir>/artifacts/`, named by the hex
 * SHA-256 of its bytes (Lambda's CodeSha256 is the same digest in base64). A file is written to a
 * temporary name and renamed, so a reader never sees half of one; a read checks the bytes against
 * the name. Bounded: beyond `maxBytes` (or `maxFiles`) the least recently used go first (a read
 * counts as a use), never the one just written.
 */

/** The store's folder inside the journal's directory. */
export const ARTIFACTS_DIR = 'artifacts';

/** Defaults: 2 GiB, 500 packages (a release of 20 functions: the last 25 releases at least). */
export const DEFAULT_ARTIFACT_BYTES = 2 * 1024 * 1024 * 1024;
export const DEFAULT_ARTIFACT_FILES = 500;

export class ArtifactError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'corrupt',
  ) {
    super(message);
    this.name = 'ArtifactError';
  }
}

/** Lambda's CodeSha256 (base64 SHA-256) as the store names its file (hex); undefined if it is not one. */
export function artifactName(codeSha256: string): string | undefined {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(codeSha256)) return undefined;
  return Buffer.from(codeSha256, 'base64').toString('hex');
}

export function codeSha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

export class ArtifactStore {
  readonly dir: string;

  constructor(
    journalDir: string,
    private readonly limits: { maxBytes?: number; maxFiles?: number } = {},
  ) {
    this.dir = path.join(journalDir, ARTIFACTS_DIR);
  }

  /** Where the package with this CodeSha256 is (or would be) kept. */
  fileOf(codeSha256: string): string {
    const name = artifactName(codeSha256);
    if (!name) throw new ArtifactError(`'${codeSha256}' is not a CodeSha256 (base64 SHA-256).`, 'missing');
    return path.join(this.dir, name);
  }

  /** Keeps the bytes; their CodeSha256 (computed here) names them. Already kept: only marked as used. */
  async put(bytes: Uint8Array): Promise<string> {
    const codeSha256 = codeSha256Of(bytes);
    const file = this.fileOf(codeSha256);
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (await this.verified(file, codeSha256)) {
      const now = new Date();
      await fs.promises.utimes(file, now, now).catch(() => undefined);
    } else {
      const tmp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
      try {
        await fs.promises.writeFile(tmp, bytes, { mode: 0o600, flush: true });
        await fs.promises.rename(tmp, file);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        throw err;
      }
    }
    await this.prune(file);
    return codeSha256;
  }

  /**
   * The bytes kept under this CodeSha256, checked: an ArtifactError 'missing' when none are kept,
   * 'corrupt' when the file's SHA-256 is not its name.
   */
  async get(codeSha256: string): Promise<Buffer> {
    const file = this.fileOf(codeSha256);
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError(`No package with CodeSha256 ${codeSha256} is kept in ${this.dir}.`, 'missing');
      throw err;
    }
    const actual = codeSha256Of(bytes);
    if (actual !== codeSha256) throw new ArtifactError(`The package kept as ${file} is corrupt: its bytes' CodeSha256 is ${actual}, not ${codeSha256}.`, 'corrupt');
    const now = new Date();
    await fs.promises.utimes(file, now, now).catch(() => undefined);
    return bytes;
  }

  private async verified(file: string, codeSha256: string): Promise<boolean> {
    try {
      return codeSha256Of(await fs.promises.readFile(file)) === codeSha256;
    } catch {
      return false;
    }
  }

  /** The least recently used packages beyond the bounds go; `keep` (just written) stays. */
  private async prune(keep: string): Promise<void> {
    const maxBytes = this.limits.maxBytes ?? DEFAULT_ARTIFACT_BYTES;
    const maxFiles = this.limits.maxFiles ?? DEFAULT_ARTIFACT_FILES;
    const names = (await fs.promises.readdir(this.dir)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    const files = (
      await Promise.all(
        names.map(async (n) => {
          const file = path.join(this.dir, n);
          const st = await fs.promises.stat(file).catch(() => undefined);
          return st ? { file, size: st.size, used: st.mtimeMs } : undefined;
        }),
      )
    ).filter((f): f is { file: string; size: number; used: number } => !!f);
    files.sort((a, b) => b.used - a.used);
    let bytes = 0;
    let count = 0;
    for (const f of files) {
      bytes += f.size;
      count++;
      if (f.file !== keep && (bytes > maxBytes || count > maxFiles)) await fs.promises.rm(f.file, { force: true });
    }
  }
}
