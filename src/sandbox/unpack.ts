/**
 * Checking and unpacking deployment packages off the request thread. The work runs in one
 * worker thread (unpackWorker.ts), started on first use and stopped after a while idle; jobs
 * take turns in it. The server's event loop only posts the bytes and awaits the answer, so a
 * 20,000-file zip or a zip bomb delays no other request (only other packages' checks).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface UnpackRequest {
  id: number;
  zip: Uint8Array;
  limit: number;
  /** Write the files under this folder; only check the zip when absent. */
  dir?: string;
}

export type UnpackResult =
  | { ok: true; files: number; bytes: number }
  | {
      ok: false;
      /** tooLarge: over the limit; corrupt: not a zip Lambda could unpack; io: the disk failed. */
      reason: 'tooLarge' | 'corrupt' | 'io';
      message: string;
      /** Bytes inflated before stopping: bounded by the limit whatever the headers say. */
      bytes: number;
    };

/** Marks the worker this module starts (workerData), so importing unpackWorker.ts elsewhere does nothing. */
export const UNPACK_WORKER_TAG = 'lambda-canary-unpack';

/** Lambda's limit on a function's unzipped code. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** The worker stops after this long without a job (it never keeps the process alive either). */
const IDLE_MS = 10_000;

/** Beside this module: out/src/sandbox/unpackWorker.js under tsc, dist/sandboxUnpack.js in the bundle. */
function workerScript(): string {
  const candidates = [path.join(__dirname, 'unpackWorker.js'), path.join(__dirname, 'sandboxUnpack.js')];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`The sandbox's unpacking worker script was not found (looked in ${candidates.join(', ')}). Build first.`);
  return found;
}

class Unpacker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (r: UnpackResult) => void>();
  private seq = 0;
  private idle: NodeJS.Timeout | undefined;

  run(zip: Buffer, limit: number, dir?: string): Promise<UnpackResult> {
    let worker: Worker;
    try {
      worker = this.start();
    } catch (e) {
      return Promise.resolve({ ok: false, reason: 'io', message: (e as Error).message, bytes: 0 });
    }
    clearTimeout(this.idle);
    const id = this.seq++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      // A copy: the caller keeps its buffer (it becomes the stored blob).
      worker.postMessage({ id, zip: new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), limit, dir } satisfies UnpackRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerScript(), { workerData: UNPACK_WORKER_TAG });
    worker.on('message', (m: UnpackResult & { id: number }) => {
      const done = this.pending.get(m.id);
      if (!done) return;
      this.pending.delete(m.id);
      const result: UnpackResult & { id?: number } = { ...m };
      delete result.id;
      done(result);
      if (this.pending.size === 0) this.scheduleStop();
    });
    const fail = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      // The jobs in flight have an unknown outcome: say so rather than guess.
      for (const done of this.pending.values()) done({ ok: false, reason: 'io', message: `the unpacking thread stopped (${why})`, bytes: 0 });
      this.pending.clear();
    };
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again, and an idle
    // unpacking thread must not keep a process (a CLI run, a test) alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private scheduleStop(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.pending.size || !this.worker) return;
      const w = this.worker;
      this.worker = undefined;
      void w.terminate();
    }, IDLE_MS);
    this.idle.unref();
  }
}

const unpacker = new Unpacker();

/** Checks that a zip unpacks within `limit` real bytes, without writing anything. */
export function inspectZip(zip: Buffer, limit = MAX_UNZIPPED_BYTES): Promise<UnpackResult> {
  return unpacker.run(zip, limit);
}

const extracting = new Map<string, Promise<string>>();

/**
 * Unpacks a zip once into `dir` (through a temp folder renamed into place, so a half-written
 * folder is never used); concurrent calls for the same folder share one unpacking.
 */
export function extractOnce(dir: string, zip: () => Buffer, limit = MAX_UNZIPPED_BYTES): Promise<string> {
  if (fs.existsSync(dir)) return Promise.resolve(dir);
  let job = extracting.get(dir);
  if (!job) {
    job = (async () => {
      const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
      try {
        const r = await unpacker.run(zip(), limit, tmp);
        if (!r.ok) throw new UnpackError(r);
        fs.mkdirSync(tmp, { recursive: true });
        try {
          fs.renameSync(tmp, dir);
        } catch (e) {
          // Another process unpacked the same blob first.
          if (!fs.existsSync(dir)) throw e;
        }
        return dir;
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    })().finally(() => extracting.delete(dir));
    extracting.set(dir, job);
  }
  return job;
}

export class UnpackError extends Error {
  constructor(readonly result: Extract<UnpackResult, { ok: false }>) {
    super(`Could not unpack the code: ${result.message}`);
  }
}
