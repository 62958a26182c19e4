// The tools that running a real VS Code headlessly needs, installed on first use into a
// git-ignored cache (.cache/vscode-env/, or $LAMBDA_CANARY_VSCODE_ENV_CACHE):
//   - Node 24 (code-server's engine), npm package `node@24`, in <cache>/node24;
//   - code-server (a real VS Code workbench + Node extension host), npm package, in
//     <cache>/code-server, installed with Node 24 first on PATH (its postinstall builds `kerberos`,
//     which needs Debian's libkrb5-dev);
//   - Debian's chromium (driven by the devDependency playwright-core; never `npx playwright install`).
// Later runs only check a marker file, so they cost a few milliseconds.
//
//   node scripts/vscode-env.mjs          installs what is missing, prints the paths
//   node scripts/vscode-env.mjs --no-browser   the same without chromium (npm start: the user
//                                        brings the browser)
//   import { ensureVsCodeEnv } from './vscode-env.mjs'
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = path.resolve(process.env.LAMBDA_CANARY_VSCODE_ENV_CACHE || path.join(ROOT, '.cache', 'vscode-env'));
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';
/** Bump when the layout of the cache changes, so old caches are rebuilt. */
const CACHE_FORMAT = 1;
const MARKER = path.join(CACHE, 'ready.json');
const LOCK = path.join(CACHE, '.install.lock');

const say = (msg) => process.stdout.write(`[vscode-env] ${msg}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Where everything is (whether installed or not). */
export function vscodeEnvPaths() {
  const node24Dir = path.join(CACHE, 'node24');
  const node24Bin = path.join(node24Dir, 'node_modules', 'node', 'bin');
  const codeServerDir = path.join(CACHE, 'code-server');
  return {
    cache: CACHE,
    node24Dir,
    /** Put first on PATH for everything code-server does. */
    node24Bin,
    node24: path.join(node24Bin, 'node'),
    codeServerDir,
    /** The `code-server` launcher (a `#!/usr/bin/env node` script: needs node24Bin first on PATH). */
    codeServerBin: path.join(codeServerDir, 'node_modules', '.bin', 'code-server'),
    /** code-server's Node entry point: run it as `<node24> <codeServerEntry> …` (what scripts/code-server.mjs does). */
    codeServerEntry: path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: findChromium(),
  };
}

function findChromium() {
  const fromEnv = process.env.LAMBDA_CANARY_CHROMIUM;
  if (fromEnv) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return '/usr/bin/chromium';
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isCached(p, browser) {
  const m = readJson(MARKER);
  return (
    m?.cacheFormat === CACHE_FORMAT &&
    m.codeServer === CODE_SERVER_VERSION &&
    typeof m.node === 'string' &&
    m.node.startsWith(`v${NODE_MAJOR}.`) &&
    fs.existsSync(p.node24) &&
    fs.existsSync(p.codeServerEntry) &&
    (!browser || fs.existsSync(p.chromium))
  );
}

/**
 * Makes sure Node 24, code-server and chromium are there, installing what is missing, and returns
 * their paths: { node24Bin, node24, codeServerBin, codeServerEntry, chromium, … }.
 * `browser: false` leaves chromium out (for a code-server opened in the user's own browser).
 * Synchronous on purpose: it is a prerequisite of everything else.
 */
export function ensureVsCodeEnv({ browser = true } = {}) {
  let p = vscodeEnvPaths();
  if (isCached(p, browser)) return p;
  fs.mkdirSync(CACHE, { recursive: true });
  const release = lock();
  try {
    p = vscodeEnvPaths();
    if (isCached(p, browser)) return p; // another process finished it while we waited
    const t0 = Date.now();
    say(`Setting up a headless VS Code (code-server ${CODE_SERVER_VERSION} on Node ${NODE_MAJOR}${browser ? ', Debian chromium' : ''}) in ${CACHE}.`);
    say('This happens once (a few minutes, ~800 MB); later runs reuse the cache.');

    const codeServerMissing = !componentDone(p.codeServerDir, `code-server@${CODE_SERVER_VERSION}`) || !fs.existsSync(p.codeServerEntry);
    const debs = [];
    if (browser && !fs.existsSync(p.chromium)) debs.push('chromium');
    if (codeServerMissing && !hasKrb5Headers()) debs.push('libkrb5-dev');
    if (debs.length > 0) aptInstall(debs);
    p = vscodeEnvPaths(); // chromium may have just appeared on PATH
    if (browser && !fs.existsSync(p.chromium)) throw new Error(`chromium not found at ${p.chromium}. Install Debian's chromium or set LAMBDA_CANARY_CHROMIUM to a Chromium binary.`);

    const npmEnv = cleanNpmEnv();
    if (!componentDone(p.node24Dir, `node@${NODE_MAJOR}`) || !fs.existsSync(p.node24)) {
      timed(`Installing Node ${NODE_MAJOR} (npm package node@${NODE_MAJOR}) into ${p.node24Dir}`, () => {
        npmInstallInto(p.node24Dir, `node@${NODE_MAJOR}`, npmEnv);
        const v = nodeVersion(p.node24);
        if (!v.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`${p.node24} is ${v}, expected Node ${NODE_MAJOR}`);
      });
    }

    if (codeServerMissing) {
      // Node 24 first on PATH: npm itself, code-server's postinstall (which insists on Node 24,
      // read from npm's user agent) and node-gyp run on it. Native addons (kerberos) are built
      // against Node 24's own headers, shipped in the npm package: no header download.
      const env = { ...npmEnv, PATH: `${p.node24Bin}${path.delimiter}${process.env.PATH ?? ''}` };
      const headers = node24Headers(p.node24Dir);
      if (headers) env.npm_config_nodedir = headers;
      timed(`Installing code-server ${CODE_SERVER_VERSION} (npm, ~600 MB, builds kerberos) into ${p.codeServerDir}`, () => {
        npmInstallInto(p.codeServerDir, `code-server@${CODE_SERVER_VERSION}`, env);
        if (!fs.existsSync(p.codeServerEntry)) throw new Error(`code-server installed but ${p.codeServerEntry} is missing`);
        const v = readJson(path.join(p.codeServerDir, 'node_modules', 'code-server', 'package.json'))?.version;
        if (v !== CODE_SERVER_VERSION) throw new Error(`installed code-server is ${v}, expected ${CODE_SERVER_VERSION}`);
      });
    }

    const versions = {
      cacheFormat: CACHE_FORMAT,
      node: nodeVersion(p.node24),
      codeServer: CODE_SERVER_VERSION,
      chromium: fs.existsSync(p.chromium) ? execFileSync(p.chromium, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() : null,
      chromiumPath: fs.existsSync(p.chromium) ? p.chromium : null,
      installedAt: new Date().toISOString(),
    };
    fs.writeFileSync(MARKER, `${JSON.stringify(versions, null, 2)}\n`);
    say(`Ready in ${seconds(Date.now() - t0)}: Node ${versions.node}, code-server ${versions.codeServer}${versions.chromium ? `, ${versions.chromium}` : ''}.`);
    return p;
  } finally {
    release();
  }
}

/**
 * The environment for a nested `npm install`. Under `npm run`, npm exports its own settings as
 * npm_config_* (local_prefix = this project, user_agent = Node 20, nodedir = Node 20's headers…);
 * the nested npm would take them for configuration, so they are dropped. Registry, proxy and CA
 * settings the user exported stay.
 */
function cleanNpmEnv() {
  const drop = new Set(['local_prefix', 'prefix', 'global_prefix', 'nodedir', 'node_gyp', 'user_agent', 'npm_version', 'argv', 'globalconfig']);
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    const m = /^npm_config_(.*)$/i.exec(k);
    if (m ? drop.has(m[1].toLowerCase()) : /^(npm_|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  // The machine's global npmrc (proxy, CA…): npm running on Node 24 would look for it beside Node 24.
  const r = spawnSync('npm', ['config', 'get', 'globalconfig'], { env, encoding: 'utf8' });
  const globalconfig = r.status === 0 ? r.stdout.trim() : '';
  if (globalconfig && fs.existsSync(globalconfig)) env.npm_config_globalconfig = globalconfig;
  return env;
}

/** The folder of the Node 24 npm package that holds include/node (what node-gyp's --nodedir wants). */
function node24Headers(node24Dir) {
  const dir = path.join(node24Dir, 'node_modules', 'node', 'node_modules');
  for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (/^node-(bin-)?[a-z]+-[a-z0-9]+$/.test(d) && fs.existsSync(path.join(dir, d, 'include', 'node', 'node_api.h'))) return path.join(dir, d);
  }
  return undefined;
}

function nodeVersion(node) {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

function timed(label, fn) {
  const t0 = Date.now();
  say(`${label}…`);
  const r = fn();
  say(`  done in ${seconds(Date.now() - t0)}`);
  return r;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function hasKrb5Headers() {
  if (spawnSync('dpkg', ['-s', 'libkrb5-dev'], { stdio: 'ignore' }).status === 0) return true;
  return fs.existsSync('/usr/include/gssapi/gssapi.h') || fs.existsSync('/usr/include/krb5.h');
}

const APT_LOCK_TIMEOUT_S = 600;

function aptInstall(packages) {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `Missing system packages: ${packages.join(', ')}. Not running as root, so not installing them.\n` +
        `  Install them once (Debian/Ubuntu): sudo sh -c '${cmd}'\n` +
        '  then run this again. (Chromium elsewhere: set LAMBDA_CANARY_CHROMIUM=/path/to/chromium.)',
    );
  }
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`Missing system packages: ${packages.join(', ')}, and apt-get is not available. Install them with your package manager (or set LAMBDA_CANARY_CHROMIUM).`);
  }
  timed(`Installing Debian packages ${packages.join(', ')} (apt-get)`, () => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Another apt-get (an unattended upgrade, a provisioning script) may hold the dpkg lock on a
    // fresh machine: wait for it, as apt says ("Waiting for cache lock …"), instead of failing.
    const wait = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`];
    say(`(apt-get waits up to ${APT_LOCK_TIMEOUT_S / 60} minutes if another package manager holds the dpkg lock)`);
    run('apt-get', [...wait, 'update', '-qq'], { env });
    run('apt-get', [...wait, 'install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  });
}

const doneFile = (dir) => path.join(dir, '.installed');
function componentDone(dir, spec) {
  try {
    return fs.readFileSync(doneFile(dir), 'utf8').trim() === spec;
  } catch {
    return false;
  }
}

/** `npm install spec` into a folder of its own (own package.json: npm never climbs into the project). */
function npmInstallInto(dir, spec, env) {
  // A half-finished earlier attempt is thrown away rather than trusted.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: path.basename(dir), private: true }, null, 2)}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', spec], { cwd: dir, env });
  fs.writeFileSync(doneFile(dir), `${spec}\n`);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** A cross-process lock (an atomic mkdir), so two first runs at once do not install over each other. */
function lock() {
  const deadline = Date.now() + 20 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return () => fs.rmSync(LOCK, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8')) || 0;
    } catch {
      // just released, or its pid not written yet
    }
    const stale = holder ? !alive(holder) : Date.now() - lockAge() > 60_000;
    if (stale) {
      fs.rmSync(LOCK, { recursive: true, force: true }); // left by a process that died
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${LOCK} is held by process ${holder}; remove it if no install is running.`);
    if (!told) say(`Waiting for another install (process ${holder || '?'}) to finish…`);
    told = true;
    sleep(1000);
  }
}

function lockAge() {
  try {
    return fs.statSync(LOCK).mtimeMs;
  } catch {
    return Date.now();
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  try {
    const p = ensureVsCodeEnv({ browser: !process.argv.includes('--no-browser') });
    say(`OK in ${seconds(Date.now() - t0)}`);
    for (const k of ['node24', 'codeServerEntry', 'codeServerBin', 'chromium']) say(`  ${k}: ${p[k]}`);
  } catch (e) {
    process.stderr.write(`[vscode-env] ${e.message}\n`);
    process.exit(1);
  }
}
