/**
 * Packaging: our deterministic packager (src/core/packaging.ts) against Info-ZIP `zip -rqX` on
 * the same generated tree, in the same run, alternating, median of several runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageFolder } from '../src/core/packaging';
import { DEFAULT_TREE, generateFunctionTree } from './fixtures';
import { median, now, round } from './util';

export interface PackagingResult {
  files: number;
  unzippedMB: number;
  runs: number;
  oursMs: number;
  oursRunsMs: number[];
  oursZipMB: number;
  zipMs?: number;
  zipRunsMs?: number[];
  zipZipMB?: number;
  /** ours / zip: below 1 means faster than Info-ZIP. */
  ratio?: number;
  zipVersion?: string;
  sha256Run1: string;
  sha256Run2: string;
  identical: boolean;
}

function zipAvailable(): string | undefined {
  const r = spawnSync('zip', ['-v'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /Zip (\d+\.\d+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

export async function benchPackaging(runs = 5): Promise<PackagingResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-pkg-'));
  try {
    const root = path.join(tmp, 'function');
    const tree = generateFunctionTree(root, DEFAULT_TREE);
    const zipVersion = zipAvailable();
    const out = path.join(tmp, 'info-zip.zip');
    // Warm the page cache for both, so neither pays for the first read.
    const warm = await packageFolder(root);
    const ours: number[] = [];
    const theirs: number[] = [];
    const shas: string[] = [];
    for (let r = 0; r < runs; r++) {
      let t = now();
      const pkg = await packageFolder(root);
      ours.push(now() - t);
      shas.push(pkg.sha256);
      if (zipVersion) {
        fs.rmSync(out, { force: true }); // zip updates an existing archive: always start afresh
        t = now();
        execFileSync('zip', ['-rqX', out, '.'], { cwd: root });
        theirs.push(now() - t);
      }
    }
    const oursMs = median(ours);
    const zipMs = zipVersion ? median(theirs) : undefined;
    return {
      files: tree.files,
      unzippedMB: round(tree.bytes / 1024 / 1024),
      runs,
      oursMs: round(oursMs, 0),
      oursRunsMs: ours.map((x) => round(x, 0)),
      oursZipMB: round(warm.zip.length / 1024 / 1024),
      zipMs: zipMs === undefined ? undefined : round(zipMs, 0),
      zipRunsMs: zipVersion ? theirs.map((x) => round(x, 0)) : undefined,
      zipZipMB: zipVersion ? round(fs.statSync(out).size / 1024 / 1024) : undefined,
      ratio: zipMs === undefined ? undefined : round(oursMs / zipMs, 2),
      zipVersion,
      sha256Run1: shas[0],
      sha256Run2: shas[1] ?? warm.sha256,
      identical: shas.every((s) => s === warm.sha256),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
