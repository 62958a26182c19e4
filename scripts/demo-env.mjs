// What npm start and the e2e suite share besides code-server: the standalone sandbox (the
// webpack bundle dist/sandbox-cli.js, run as its own process group) and the sample workspace: a
// multi-root workspace of three folders, copies of test/fixtures/workspace (checkout-api, Node.js,
// a lambda-canary.json), test/fixtures/workspace-python (price-quote, a SAM Python project) and
// test/fixtures/release-demo (the shop: three Node.js functions of one SAM template, released
// together), whose .code-workspace file points the extension at that sandbox.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, stopGroup } from './process-group.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SANDBOX_CLI = path.join(ROOT, 'dist', 'sandbox-cli.js');
export const FIXTURE_WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'workspace');
export const FIXTURE_PYTHON_WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'workspace-python');
export const FIXTURE_RELEASE_WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'release-demo');
/** The demo workspace's file, beside its three folders `workspace`, `workspace-python` and `workspace-release`. */
export const DEMO_WORKSPACE_FILE = 'lambda-canary-demo.code-workspace';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One CodeDeploy minute of the demo's sandbox (ms): Canary10Percent5Minutes takes about 10 s. */
export const DEMO_CODEDEPLOY_MINUTE_MS = 2000;
/** A role the demo's CodeDeploy deployment groups are created with (the sandbox checks its shape, nothing more). */
export const DEMO_CODEDEPLOY_ROLE = 'arn:aws:iam::123456789012:role/lambda-canary-codedeploy-demo';
/** The sandbox's arguments for the demo: the seed, its traffic, and CodeDeploy minutes of 2 s. */
export const DEMO_SANDBOX_ARGS = ['--seed', 'demo', '--traffic', 'demo', '--minute-ms', String(DEMO_CODEDEPLOY_MINUTE_MS)];

/** True when nothing listens on 127.0.0.1:port (so a fixed default port can be used). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Starts `node dist/sandbox-cli.js --port PORT …args` in its own process group, its output going
 * to `logFile`, and resolves once it prints its endpoint.
 * @param {{ port?: number, args?: string[], logFile: string, startTimeoutMs?: number }} o
 */
export async function startSandboxProcess(o) {
  if (!fs.existsSync(SANDBOX_CLI)) throw new Error(`${path.relative(ROOT, SANDBOX_CLI)} is missing: build first (npm run build).`);
  fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
  const log = fs.createWriteStream(o.logFile);
  const child = spawn(process.execPath, [SANDBOX_CLI, '--port', String(o.port ?? 0), ...(o.args ?? [])], {
    cwd: ROOT,
    detached: true, // its own process group: stopped by us, with whatever it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let output = '';
  let endpoint;
  const onData = (d) => {
    log.write(d);
    if (!endpoint) {
      output += d;
      endpoint = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (e) => log.write(`spawn error: ${e.message}\n`));

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    killGroup(child.pid, 'SIGKILL');
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGroup(child.pid, { pollMs: 50 });
    log.end();
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  while (!endpoint) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the sandbox exited (${child.exitCode ?? child.signalCode}) before listening:\n${output.trim()}`);
    }
    if (Date.now() > deadline) {
      stopSync();
      throw new Error(`the sandbox printed no endpoint within ${(o.startTimeoutMs ?? 30_000) / 1000} s:\n${output.trim()}`);
    }
    await sleep(50);
  }
  return { endpoint, pid: child.pid, logFile: o.logFile, exited, stop, stopSync };
}

/**
 * Copies the sample workspace (test/fixtures/workspace: a small Node.js function, its
 * lambda-canary.json and a test event) to `dir` unless it is there already, and points the
 * extension at `endpoint` in its .vscode/settings.json (other settings there are kept).
 * With `git`, the copy becomes a git repository with one commit, so published versions are
 * described by its commit (instead of by whatever repository `dir` happens to be inside).
 * @returns {{ created: boolean }}
 */
export function prepareWorkspace(dir, { endpoint, region = 'us-east-1', git = false, fresh = false }) {
  if (fresh) fs.rmSync(dir, { recursive: true, force: true });
  const created = !fs.existsSync(path.join(dir, 'lambda-canary.json'));
  if (created) {
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  }
  const settingsFile = path.join(dir, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  let settings = {};
  try {
    settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  } catch {
    // none yet (or not plain JSON: rewritten)
  }
  settings['lambdaCanary.endpointUrl'] = endpoint;
  settings['lambdaCanary.region'] = region;
  // A rollout handed to CodeDeploy starts without asking for a service role.
  settings['lambdaCanary.codeDeploy.serviceRoleArn'] = DEMO_CODEDEPLOY_ROLE;
  fs.writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  if (created && git) gitInit(dir);
  return { created };
}

/**
 * The demo's multi-root workspace in `dir`: `workspace` (see prepareWorkspace), `workspace-python`
 * (a copy of test/fixtures/workspace-python, the SAM Python project of price-quote),
 * `workspace-release` (a copy of test/fixtures/release-demo, the shop's three functions that a
 * release moves together) and lambda-canary-demo.code-workspace opening all three, with the
 * connection settings (in a multi-root workspace, window settings come from the workspace file,
 * not from a folder's settings).
 * @returns {{ created: boolean, workspaceFile: string, folders: { node: string, python: string, release: string } }}
 */
export function prepareDemoWorkspace(dir, { endpoint, region = 'us-east-1', git = false, fresh = false }) {
  const node = path.join(dir, 'workspace');
  const python = path.join(dir, 'workspace-python');
  const release = path.join(dir, 'workspace-release');
  const { created } = prepareWorkspace(node, { endpoint, region, git, fresh });
  // A SAM folder is copied unless it is there already (kept with the user's edits).
  const samFolder = (folder, fixture, message) => {
    if (fresh) fs.rmSync(folder, { recursive: true, force: true });
    if (fs.existsSync(path.join(folder, 'template.yaml'))) return;
    fs.mkdirSync(folder, { recursive: true });
    fs.cpSync(fixture, folder, { recursive: true });
    if (git) gitInit(folder, message);
  };
  samFolder(python, FIXTURE_PYTHON_WORKSPACE, 'Sample Python function');
  samFolder(release, FIXTURE_RELEASE_WORKSPACE, 'Sample release: the shop, three functions');
  const workspaceFile = path.join(dir, DEMO_WORKSPACE_FILE);
  const workspace = {
    folders: [
      { name: 'checkout-api (Node.js)', path: 'workspace' },
      { name: 'price-quote (Python, SAM)', path: 'workspace-python' },
      { name: 'shop (three functions, one release)', path: 'workspace-release' },
    ],
    settings: { 'lambdaCanary.endpointUrl': endpoint, 'lambdaCanary.region': region, 'lambdaCanary.codeDeploy.serviceRoleArn': DEMO_CODEDEPLOY_ROLE },
  };
  fs.writeFileSync(workspaceFile, `${JSON.stringify(workspace, null, 2)}\n`);
  return { created, workspaceFile, folders: { node, python, release } };
}

function gitInit(dir, message = 'Sample function') {
  const g = (...args) => spawnSync('git', ['-c', 'user.name=Lambda Canary demo', '-c', 'user.email=demo@lambda-canary.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'ignore' });
  if (g('init', '-q').status !== 0) return; // no git: versions are described by date instead
  fs.writeFileSync(path.join(dir, '.gitignore'), '.vscode/\n');
  g('add', '-A');
  g('commit', '-q', '-m', message);
}

