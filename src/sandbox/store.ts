import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionRecord, MappingRecord } from './model';
import { mappingProblem, recordProblem, repairTags, repairTriggers } from './model';
import { environmentProblem } from './validation';

/**
 * Where the sandbox keeps its functions and code blobs: in memory, or in a directory so that
 * state survives a restart. Every write to disk goes to a temp file first and is then renamed
 * over the target, so a crash never leaves a half-written record.
 */
export interface Store {
  readonly functions: FunctionMap;
  saveFunction(fn: FunctionRecord): void;
  deleteFunction(name: string): void;
  /** Event source mappings by UUID, apart from functions: a mapping outlives its function, as on AWS. */
  readonly mappings: Map<string, MappingRecord>;
  /** Writes one mapping (one record: moving it to another function is a single write). */
  saveMapping(m: MappingRecord): void;
  deleteMapping(uuid: string): void;
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
  readonly mappings = new Map<string, MappingRecord>();
  private readonly blobs = new Map<string, Buffer>();

  saveMapping(m: MappingRecord): void {
    this.mappings.set(m.uuid, m);
  }
  deleteMapping(uuid: string): void {
    this.mappings.delete(uuid);
  }

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

/**
 * The file a function's record lives in: `fn.<name>.json`, every upper-case letter written as
 * `+` and its lower-case letter (`Api` → `fn.+api.json`). All names then map to distinct files
 * on case-insensitive volumes too (macOS, Windows), and the `fn.` stem keeps Windows' reserved
 * device names (`CON`, `NUL`, `COM1`, …, valid function names) from ever being a file's stem.
 * Function names hold no dot, so these files never collide with the `<name>.json` files of the
 * previous layout, which are migrated at load.
 */
export function recordFileName(name: string): string {
  return `fn.${name.replace(/[A-Z]/g, (c) => `+${c.toLowerCase()}`)}.json`;
}

/** The file an event source mapping lives in: `esm.<uuid>.json` under `mappings/`. */
export function mappingFileName(uuid: string): string {
  return `esm.${uuid}.json`;
}

export class DirectoryStore implements Store {
  readonly functions = new FunctionMap();
  readonly mappings = new Map<string, MappingRecord>();
  /** What loading found wrong and did about it (a record set aside, …), one sentence each. */
  readonly warnings: string[] = [];
  private readonly fnDir: string;
  private readonly mappingDir: string;
  private readonly blobDir: string;
  /** Blobs a set-aside record may still refer to: kept, so the record can be repaired by hand. */
  private readonly keepBlobs = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly log?: (line: string) => void,
  ) {
    this.fnDir = path.join(dir, 'functions');
    this.blobDir = path.join(dir, 'blobs');
    this.mappingDir = path.join(dir, 'mappings');
    fs.mkdirSync(this.fnDir, { recursive: true });
    fs.mkdirSync(this.mappingDir, { recursive: true });
    fs.mkdirSync(this.blobDir, { recursive: true });
    removeStaleTemps(this.blobDir);
    removeStaleTemps(this.mappingDir);
    this.loadMappings();
    this.load();
  }

  private loadMappings(): void {
    for (const file of fs.readdirSync(this.mappingDir).sort()) {
      if (!file.endsWith('.json')) continue;
      const full = path.join(this.mappingDir, file);
      let problem: string | undefined;
      let rec: unknown;
      try {
        rec = JSON.parse(fs.readFileSync(full, 'utf8'));
        problem = mappingProblem(rec);
        if (!problem && file !== mappingFileName((rec as MappingRecord).uuid)) problem = 'its UUID is not its file name';
      } catch (e) {
        problem = (e as Error).message;
      }
      if (problem) {
        const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        fs.renameSync(full, path.join(this.mappingDir, aside));
        this.warn(`The event source mapping record mappings/${file} is damaged (${problem}): it was renamed to mappings/${aside} and not loaded; the other mappings are. Repair or delete that file.`);
        continue;
      }
      const m = rec as MappingRecord;
      this.mappings.set(m.uuid, m);
    }
  }

  private load(): void {
    const legacy: Array<[string, FunctionRecord]> = [];
    for (const file of fs.readdirSync(this.fnDir).sort()) {
      const full = path.join(this.fnDir, file);
      if (file.endsWith('.tmp')) {
        // Left by a write interrupted before its rename: the record it replaced is still whole.
        if (!writerAlive(file)) fs.rmSync(full, { force: true });
        continue;
      }
      if (file.includes('.corrupt-')) {
        this.keepReferencedBlobs(full);
        continue;
      }
      if (!file.endsWith('.json')) continue;
      let text: string;
      try {
        text = fs.readFileSync(full, 'utf8');
      } catch (e) {
        this.warn(`Could not read the state record functions/${file} (${(e as Error).message}); it was left in place and its function is not loaded.`);
        continue;
      }
      let rec: unknown;
      let problem: string | undefined;
      try {
        rec = JSON.parse(text);
        problem = recordProblem(rec) ?? environmentsProblem(rec as FunctionRecord);
      } catch (e) {
        problem = (e as Error).message;
      }
      if (problem) {
        this.setAside(file, text, problem);
        continue;
      }
      const fn = rec as FunctionRecord;
      let rewrite = false;
      const dropped = repairTags(fn);
      if (dropped) {
        this.warn(`The function ${fn.name} had tags that are not strings (${dropped.join(', ')}), stored by an earlier release: they were dropped, its other tags kept.`);
        rewrite = true;
      }
      const triggers = repairTriggers(fn);
      if (triggers.dropped.length) {
        this.warn(`The function ${fn.name} had malformed triggers: ${triggers.dropped.join(', ')} dropped; its other triggers and the function kept.`);
      }
      // Mappings earlier releases kept in the function's record move to their own records, those
      // first, so a crash in between loses none (a record already there is the newer copy).
      for (const m of triggers.mappings) {
        if (this.mappings.has(m.uuid)) continue;
        this.saveMapping(m);
      }
      if (triggers.changed) rewrite = true;
      if (rewrite) atomicWrite(full, JSON.stringify(fn));
      if (file === recordFileName(fn.name)) this.functions.set(fn.name, fn);
      else legacy.push([file, fn]);
    }
    // Records of the previous layout (`<name>.json`) move to their new file, the new file first
    // so a crash in between loses nothing; such a record is the newest copy, so it wins.
    for (const [file, fn] of legacy) {
      atomicWrite(path.join(this.fnDir, recordFileName(fn.name)), JSON.stringify(fn));
      fs.rmSync(path.join(this.fnDir, file), { force: true });
      this.functions.set(fn.name, fn);
    }
  }

  /** Renames a record that cannot be used out of the way, and says so. */
  private setAside(file: string, text: string, problem: string): void {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(path.join(this.fnDir, file), path.join(this.fnDir, aside));
    for (const hex of text.match(/[0-9a-f]{64}/g) ?? []) this.keepBlobs.add(hex);
    this.warn(
      `The state record functions/${file} is damaged (${problem}): it was renamed to functions/${aside} and its function is not loaded; the other functions are. Repair or delete that file.`,
    );
  }

  private keepReferencedBlobs(file: string): void {
    try {
      for (const hex of fs.readFileSync(file, 'utf8').match(/[0-9a-f]{64}/g) ?? []) this.keepBlobs.add(hex);
    } catch {
      // Unreadable: nothing to keep.
    }
  }

  private warn(line: string): void {
    this.warnings.push(line);
    this.log?.(`state: ${line}`);
  }

  saveFunction(fn: FunctionRecord): void {
    this.functions.set(fn.name, fn);
    atomicWrite(path.join(this.fnDir, recordFileName(fn.name)), JSON.stringify(fn));
  }
  deleteFunction(name: string): void {
    this.functions.delete(name);
    fs.rmSync(path.join(this.fnDir, recordFileName(name)), { force: true });
  }
  saveMapping(m: MappingRecord): void {
    this.mappings.set(m.uuid, m);
    atomicWrite(path.join(this.mappingDir, mappingFileName(m.uuid)), JSON.stringify(m));
  }
  deleteMapping(uuid: string): void {
    this.mappings.delete(uuid);
    fs.rmSync(path.join(this.mappingDir, mappingFileName(uuid)), { force: true });
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
      const hex = file.slice(0, -4);
      if (file.endsWith('.zip') && !used.has(hex) && !this.keepBlobs.has(hex)) fs.rmSync(path.join(this.blobDir, file), { force: true });
    }
  }
}

/** A temp file of atomicWrite is `<target>.<pid>.<random>.tmp`: is its writer still running? */
function writerAlive(file: string): boolean {
  const m = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(file);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeStaleTemps(dir: string): void {
  for (const file of fs.readdirSync(dir)) {
    if (file.endsWith('.tmp') && !writerAlive(file)) fs.rmSync(path.join(dir, file), { force: true });
  }
}

function referencedBlobs(functions: Map<string, FunctionRecord>): Set<string> {
  const used = new Set<string>();
  for (const fn of functions.values()) {
    // An image's code is in ECR: no blob of it is kept here.
    for (const v of [fn.latest, ...fn.versions]) if (!v.code.image) used.add(v.code.blob);
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

/** An environment no runtime process could be started with, stored before write-time checks refused it. */
function environmentsProblem(fn: FunctionRecord): string | undefined {
  for (const [i, v] of [fn.latest, ...fn.versions].entries()) {
    const p = environmentProblem(v.settings.environment);
    if (p) return `${i === 0 ? '$LATEST' : `version ${v.version}`}: ${p}`;
  }
  return undefined;
}
