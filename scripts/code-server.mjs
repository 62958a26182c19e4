// Starts and stops code-server (a real VS Code workbench with a real Node extension host) on a
// free 127.0.0.1 port, with its own throw-away user-data folder, extensions folder and config, so
// nothing of ~/.config/code-server or ~/.local/share/code-server is used or changed.
//
//   const server = await startCodeServer({ env: ensureVsCodeEnv(), workspace, testDriver: true });
//   … open server.url in a browser …
//   await server.stop();   // kills code-server's whole process group
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, stopGroup } from './process-group.mjs';

/** Settings that keep the workbench quiet and deterministic (see shared VSCODE-E2E.md). */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

/**
 * Flags for Debian's chromium driven by playwright-core (launchPersistentContext: Playwright
 * refuses --user-data-dir in args). Without the background-networking ones chromium keeps
 * trying to reach Google's hosts, which this network refuses.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts code-server and resolves once /healthz answers.
 * @param {object} o
 * @param {{ node24: string, node24Bin: string, codeServerEntry: string }} o.env  from ensureVsCodeEnv()
 * @param {string} [o.workspace]   folder to open by default
 * @param {boolean} [o.testDriver] `--vscode-option enable-smoke-test-driver`: needed for extension-host
 *                                 test payloads; it also suppresses notification toasts
 * @param {string} [o.vsix]        a .vsix to install into the fresh extensions folder first
 * @param {object} [o.settings]    user settings, merged over DEFAULT_SETTINGS
 * @param {Record<string, string>} [o.extraEnv]  environment of code-server (and so of the extension host)
 * @param {number} [o.port]        default: a free port
 * @param {number} [o.startTimeoutMs] default 60 s
 * @param {(line: string) => void} [o.log]
 */
export async function startCodeServer(o) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-code-server-'));
  const userData = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...(o.settings ?? {}) }, null, 2));
  const config = path.join(base, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const logFile = path.join(base, 'code-server.log');

  const env = {
    ...process.env,
    // code-server keeps logs, a heartbeat and a default config under the XDG folders whatever
    // --user-data-dir says: keep them in the throw-away folder too, not in the user's home.
    ...isolatedXdg(base),
    ...(o.extraEnv ?? {}),
    PATH: `${o.env.node24Bin}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  delete env.PORT; // code-server prefers $PORT over --bind-addr
  delete env.NODE_OPTIONS; // e.g. a debugger hook meant for the test runner, not for code-server
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensionsDir];

  if (o.vsix) {
    const t0 = Date.now();
    const r = spawnSync(o.env.node24, [o.env.codeServerEntry, ...dirs, '--install-extension', path.resolve(o.vsix), '--force'], { env, encoding: 'utf8' });
    if (r.status !== 0) {
      fs.rmSync(base, { recursive: true, force: true });
      throw new Error(`installing ${o.vsix} into code-server failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    }
    o.log?.(`installed ${path.basename(o.vsix)} in ${Date.now() - t0} ms`);
  }

  const port = o.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const args = [
    o.env.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', config,
    ...dirs,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(o.testDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(o.workspace ? [o.workspace] : []),
  ];
  const out = fs.openSync(logFile, 'a');
  // detached = setsid: code-server leads its own process group, so the file watcher, pty host
  // and extension hosts it spawns are killed with it (they would otherwise linger for hours,
  // waiting for a reconnection).
  const child = spawn(o.env.node24, args, { env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (e) => fs.appendFileSync(logFile, `spawn error: ${e.message}\n`));

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    killGroup(child.pid, 'SIGKILL');
    fs.rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGroup(child.pid, { pollMs: 100 });
    fs.rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  };
  const tail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };

  const t0 = Date.now();
  const deadline = t0 + (o.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = tail();
      stopSync();
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering on ${url}:\n${log}`);
    }
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const log = tail();
      stopSync();
      throw new Error(`code-server did not answer ${url}/healthz within ${Math.round((deadline - t0) / 1000)} s:\n${log}`);
    }
    await sleep(200);
  }
  o.log?.(`code-server up on ${url} in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${child.pid}, log ${logFile})`);

  return {
    url,
    port,
    pid: child.pid,
    base,
    userData,
    extensionsDir,
    logFile,
    /** Resolves when the code-server process exits (by itself or through stop()). */
    exited,
    /** `vscode-remote://` URI of a path on this machine, as the workbench's payload wants it. */
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/')}`,
    /** Kills the process group (SIGTERM, then SIGKILL after 5 s) and removes the temp folders. */
    stop,
    /** The same, synchronously and at once: for process 'exit' / signal handlers. */
    stopSync,
  };
}

/** XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME below `dir` (code-server and chromium write there). */
export function isolatedXdg(dir) {
  const xdg = { XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), XDG_CACHE_HOME: path.join(dir, 'xdg-cache') };
  for (const d of Object.values(xdg)) fs.mkdirSync(d, { recursive: true });
  return xdg;
}


// `node scripts/code-server.mjs [folder]`: a code-server for looking around by hand (no test
// driver); Ctrl-C stops it.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { ensureVsCodeEnv, ROOT } = await import('./vscode-env.mjs');
  const server = await startCodeServer({ env: ensureVsCodeEnv(), workspace: path.resolve(process.argv[2] ?? ROOT), log: (s) => console.log(s) });
  console.log(`Open ${server.url} — Ctrl-C stops code-server.`);
  const quit = () => server.stop().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  await server.exited;
}
