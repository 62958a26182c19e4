import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionRecord } from './model';

/**
 * Where the sandbox keeps its functions and code blobs: in memory, or in a directory so that
 * state survives a restart. Every write to disk goes to a temp file first and is then renamed
 * over the target, so a crash never leaves a half-written record.
 */
export interface Store {
  readonly functions: FunctionMap;
  saveFunction(fn: FunctionRecord): void;
  deleteFunction(name: string): void;
  putBlob(data: Buffer): string;
  getBlob(hex: string): Buffer | undefined;
  /** Drops blobs no function refers to any more. */
  collectGarbage(): void;
}

/**
 * The functions by name, with the names in sorted order kept between changes: ListFunctions
 * pages through them on every call, and sorting thousands of names per page is wasted work.
 */
export class FunctionMap extends Map<string, FunctionRecord> {
  private sorted: string[] | undefined;

  override set(name: string, fn: FunctionRecord): this {
    if (!this.has(name)) this.sorted = undefined;
    return super.set(name, fn);
  }
  override delete(name: string): boolean {
    const had = super.delete(name);
    if (had) this.sorted = undefined;
    return had;
  }
  override clear(): void {
    super.clear();
    this.sorted = undefined;
  }
  /** Every name in code-unit order (as Lambda lists them); do not modify the array. */
  sortedNames(): readonly string[] {
    return (this.sorted ??= [...this.keys()].sort());
  }
}

export function sha256Hex(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export class MemoryStore implements Store {
  readonly functions = new FunctionMap();
  private readonly blobs = new Map<string, Buffer>();

  saveFunction(fn: FunctionRecord): void {
    this.functions.set(fn.name, fn);
  }
  deleteFunction(name: string): void {
    this.functions.delete(name);
  }
  putBlob(data: Buffer): string {
    const hex = sha256Hex(data);
    if (!this.blobs.has(hex)) this.blobs.set(hex, data);
    return hex;
  }
  getBlob(hex: string): Buffer | undefined {
    return this.blobs.get(hex);
  }
  collectGarbage(): void {
    const used = referencedBlobs(this.functions);
    for (const hex of this.blobs.keys()) if (!used.has(hex)) this.blobs.delete(hex);
  }
}

export class DirectoryStore implements Store {
  readonly functions = new FunctionMap();
  private readonly fnDir: string;
  private readonly blobDir: string;

  constructor(readonly dir: string) {
    this.fnDir = path.join(dir, 'functions');
    this.blobDir = path.join(dir, 'blobs');
    fs.mkdirSync(this.fnDir, { recursive: true });
    fs.mkdirSync(this.blobDir, { recursive: true });
    for (const file of fs.readdirSync(this.fnDir)) {
      if (!file.endsWith('.json')) continue; // leftovers of an interrupted write end in .tmp
      const fn = JSON.parse(fs.readFileSync(path.join(this.fnDir, file), 'utf8')) as FunctionRecord;
      this.functions.set(fn.name, fn);
    }
  }

  saveFunction(fn: FunctionRecord): void {
    this.functions.set(fn.name, fn);
    atomicWrite(path.join(this.fnDir, `${fn.name}.json`), JSON.stringify(fn));
  }
  deleteFunction(name: string): void {
    this.functions.delete(name);
    fs.rmSync(path.join(this.fnDir, `${name}.json`), { force: true });
  }
  putBlob(data: Buffer): string {
    const hex = sha256Hex(data);
    const file = path.join(this.blobDir, `${hex}.zip`);
    if (!fs.existsSync(file)) atomicWrite(file, data);
    return hex;
  }
  getBlob(hex: string): Buffer | undefined {
    try {
      return fs.readFileSync(path.join(this.blobDir, `${hex}.zip`));
    } catch {
      return undefined;
    }
  }
  collectGarbage(): void {
    const used = referencedBlobs(this.functions);
    for (const file of fs.readdirSync(this.blobDir)) {
      if (file.endsWith('.zip') && !used.has(file.slice(0, -4))) fs.rmSync(path.join(this.blobDir, file), { force: true });
    }
  }
}

function referencedBlobs(functions: Map<string, FunctionRecord>): Set<string> {
  const used = new Set<string>();
  for (const fn of functions.values()) {
    used.add(fn.latest.code.blob);
    for (const v of fn.versions) used.add(v.code.blob);
  }
  return used;
}

/** Writes to a unique temp file in the same directory, fsyncs, then renames over the target. */
export function atomicWrite(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
