/** Figures read from the build output and from the extension-host suite's last timing record. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { round } from './util';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface BundleResult {
  extensionKB?: number;
  webviewKB?: number;
  /** The lambda-canary CLI's bundle (SDK clients, core and the embedded sandbox included). */
  cliKB?: number;
  vsix?: string;
  vsixKB?: number;
  sandboxWorkerKB?: number;
  /** The CodeDeploy engine with its client (dist/codedeploy.js), loaded on first use. */
  codeDeployKB?: number;
  /** The bundles that hold CodeDeploy's client (its protocol target `CodeDeploy_20141006`): only dist/codedeploy.js should. */
  codeDeployClientIn: string[];
  /** Source changed after dist/extension.js was built. */
  stale: boolean;
  /** The .vsix is older than dist/extension.js: it does not hold this build. */
  vsixStale: boolean;
}

function kb(file: string): number | undefined {
  return fs.existsSync(file) ? round(fs.statSync(file).size / 1024, 1) : undefined;
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function benchBundle(): BundleResult {
  const dist = path.join(ROOT, 'dist');
  const ext = path.join(dist, 'extension.js');
  const vsix = fs
    .readdirSync(ROOT)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => ({ f, t: fs.statSync(path.join(ROOT, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)[0]?.f;
  return {
    extensionKB: kb(ext),
    webviewKB: kb(path.join(dist, 'webview.js')),
    cliKB: kb(path.join(dist, 'cli.js')),
    sandboxWorkerKB: kb(path.join(dist, 'sandboxWorker.js')),
    codeDeployKB: kb(path.join(dist, 'codedeploy.js')),
    codeDeployClientIn: ['extension.js', 'cli.js', 'codedeploy.js'].filter((f) => fs.existsSync(path.join(dist, f)) && fs.readFileSync(path.join(dist, f), 'latin1').includes('CodeDeploy_20141006')),
    vsix,
    vsixKB: vsix ? kb(path.join(ROOT, vsix)) : undefined,
    stale: fs.existsSync(ext) && newestMtime(path.join(ROOT, 'src')) > fs.statSync(ext).mtimeMs,
    vsixStale: vsix !== undefined && fs.existsSync(ext) && fs.statSync(ext).mtimeMs > fs.statSync(path.join(ROOT, vsix)).mtimeMs,
  };
}

/** Where test/extension/timing.test.ts writes its figure unless LAMBDA_CANARY_TEST_TIMING_FILE says otherwise. */
export const TIMING_FILE = process.env.LAMBDA_CANARY_TEST_TIMING_FILE || path.join(os.tmpdir(), 'lambda-canary-activation.json');

export interface ActivationRecord {
  activationToFirstListMs: number;
  activationToViewShownMs?: number;
  alreadyActive: boolean;
  recordedAt: string;
  host: string;
  /** Only with --activation: this run started the extension-host suite itself. */
  measuredNow?: boolean;
}

/**
 * The activation figure the extension-host suite recorded last. With `run`, the suite's timing
 * test is run first (`npm run test:extension`, needs `npm run compile` and `npm run build`).
 */
export function benchActivation(run: boolean): ActivationRecord | undefined {
  if (run) {
    fs.rmSync(TIMING_FILE, { force: true });
    const r = spawnSync('npm', ['run', 'test:extension'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, LAMBDA_CANARY_TEST_GREP: '^activation timing', LAMBDA_CANARY_TEST_TIMING_FILE: TIMING_FILE },
    });
    if (r.status !== 0) process.stderr.write(`bench: the extension-host timing test failed (exit ${r.status}); activation is n/a.\n`);
  }
  if (!fs.existsSync(TIMING_FILE)) return undefined;
  try {
    const rec = JSON.parse(fs.readFileSync(TIMING_FILE, 'utf8')) as ActivationRecord;
    return { ...rec, measuredNow: run };
  } catch {
    return undefined;
  }
}
