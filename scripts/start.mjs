// npm start: the whole demo in one command.
//   1. builds the extension (webpack, production);
//   2. packs it into a .vsix (@vscode/vsce);
//   3. on first run installs VS Code for the browser (code-server, with the Node 24 it needs)
//      into a git-ignored cache, saying what and showing progress;
//   4. starts the local sandbox (dist/sandbox-cli.js) with the demo functions and live traffic;
//   5. starts code-server with that .vsix installed and a sample workspace whose settings point
//      the extension at the sandbox, and prints the URL.
// Ctrl+C stops the sandbox and code-server (their whole process groups).
//
//   npm start [-- --port 8080] [-- --sandbox-port 4566] [-- --reset-workspace]
/* global setInterval, clearInterval */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startCodeServer } from './code-server.mjs';
import { DEMO_SANDBOX_ARGS, portIsFree, prepareDemoWorkspace, ROOT, startSandboxProcess } from './demo-env.mjs';
import { buildExtension, packageVsix } from './package.mjs';
import { CACHE, CODE_SERVER_VERSION, ensureVsCodeEnv, NODE_MAJOR, vscodeEnvPaths } from './vscode-env.mjs';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    'sandbox-port': { type: 'string', default: '4566' },
    'reset-workspace': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(`npm start [-- options]: the Lambda Canary demo in VS Code for the browser.

  --port N             code-server's port on 127.0.0.1 (default 8080, or a free one if taken)
  --sandbox-port N     the sandbox's port (default 4566, or a free one if taken)
  --reset-workspace    start over with a fresh copy of the sample workspace
`);
  process.exit(0);
}

const DEMO_DIR = path.join(ROOT, '.cache', 'demo');
const T0 = Date.now();
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (s = '') => process.stdout.write(`${s}\n`);
let stepNo = 0;
const STEPS = 5;
async function step(title, fn, { timed = true } = {}) {
  stepNo++;
  say(`${bold(`[${stepNo}/${STEPS}]`)} ${title}…`);
  const t = Date.now();
  const r = await fn();
  if (timed) say(dim(`      done in ${seconds(Date.now() - t)}`));
  return r;
}

/** Everything started so far, stopped in reverse order on Ctrl+C, on SIGTERM or on a failure. */
const running = [];
let stopping = false;
async function stopAll(reason, code) {
  if (stopping) return;
  stopping = true;
  if (reason) say(`\n${reason}`);
  for (const r of running.reverse()) {
    say(dim(`  stopping ${r.name}…`));
    await r.stop().catch((e) => say(`  ${r.name}: ${e.message}`));
  }
  say(running.length ? 'Stopped everything npm start started.' : 'Stopped.');
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stopAll(`${sig === 'SIGINT' ? 'Ctrl+C' : sig}: stopping…`, sig === 'SIGINT' ? 0 : 1));
process.on('exit', () => {
  for (const r of running) r.stopSync?.(); // last resort, e.g. an uncaught error
});

/**
 * The headless-VS Code tools, installed on first run by scripts/vscode-env.mjs in a child
 * process, so that this one can show progress while npm works (no browser: the user brings it).
 */
async function ensureCodeServer() {
  const p = vscodeEnvPaths();
  const ready = () => {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(CACHE, 'ready.json'), 'utf8'));
      return m.codeServer === CODE_SERVER_VERSION && fs.existsSync(p.codeServerEntry) && fs.existsSync(p.node24);
    } catch {
      return false;
    }
  };
  if (ready()) {
    say(dim(`      code-server ${CODE_SERVER_VERSION} and Node ${NODE_MAJOR} already installed in ${path.relative(process.cwd(), CACHE) || CACHE}`));
    return ensureVsCodeEnv({ browser: false });
  }
  const where = CACHE.startsWith(`${ROOT}${path.sep}`) ? `${path.relative(process.cwd(), CACHE)} (git-ignored)` : CACHE;
  say(`      First run: installing, once, into ${where}; later runs reuse it:`);
  say(`        - Node.js ${NODE_MAJOR} (npm package node@${NODE_MAJOR}, ~120 MB): code-server needs it; your Node stays as it is;`);
  say(`        - code-server ${CODE_SERVER_VERSION} (npm package, ~600 MB): VS Code ${CODE_SERVER_VERSION.replace(/^4\./, '1.')} served to your browser;`);
  say('        - with apt, if missing: libkrb5-dev (code-server builds a Kerberos addon; needs root or sudo).');
  say('      This takes about 3 minutes.');
  const t0 = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'vscode-env.mjs'), '--no-browser'], { cwd: ROOT, stdio: 'inherit' });
  const ticker = setInterval(() => {
    const mb = diskUsageMb(CACHE);
    say(dim(`      … still installing: ${Math.round((Date.now() - t0) / 1000)} s, ${mb === undefined ? '?' : mb} MB in ${path.basename(CACHE)} so far`));
  }, 15_000);
  const code = await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? s)));
  clearInterval(ticker);
  if (code !== 0) throw new Error(`installing code-server failed (${code}); see the messages above. Run \`npm start\` again to retry.`);
  return ensureVsCodeEnv({ browser: false });
}

function diskUsageMb(dir) {
  const r = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) : undefined;
}

async function main() {
  say(bold('Lambda Canary: the demo in VS Code for the browser (code-server) with a local AWS Lambda sandbox'));
  say();
  // (Both report their own time.)
  const log = (line) => say(dim(`      ${line}`));
  await step('Building the extension (webpack, production)', () => buildExtension({ log }), { timed: false });
  const vsix = await step('Packing it into a .vsix (@vscode/vsce)', () => packageVsix({ build: false, log }), { timed: false });
  const env = await step(`VS Code for the browser: code-server ${CODE_SERVER_VERSION} on Node ${NODE_MAJOR}`, ensureCodeServer);

  const sandbox = await step('Starting the local sandbox: demo functions, live traffic', async () => {
    const wanted = Number(opts['sandbox-port']);
    const port = (await portIsFree(wanted)) ? wanted : 0;
    const sb = await startSandboxProcess({ port, args: DEMO_SANDBOX_ARGS, logFile: path.join(DEMO_DIR, 'sandbox.log') });
    running.push({ name: `the sandbox (pid ${sb.pid})`, stop: sb.stop, stopSync: sb.stopSync });
    say(dim(`      ${sb.endpoint}${port === wanted ? '' : ` (port ${wanted} was taken)`}; its request log: ${path.relative(process.cwd(), sb.logFile)}`));
    return sb;
  });

  const server = await step('Starting code-server with the extension and the sample workspace', async () => {
    const demo = prepareDemoWorkspace(DEMO_DIR, { endpoint: sandbox.endpoint, git: true, fresh: opts['reset-workspace'] });
    say(dim(`      workspace ${path.relative(process.cwd(), demo.workspaceFile)}: folders workspace (Node.js), workspace-python (SAM, Python) and workspace-release (SAM, three functions) (${demo.created ? 'fresh copies of test/fixtures/workspace, workspace-python and release-demo' : 'kept from the last run; --reset-workspace starts over'})`));
    const wanted = Number(opts.port);
    const s = await startCodeServer({
      env,
      workspace: demo.workspaceFile,
      vsix: vsix.file,
      port: (await portIsFree(wanted)) ? wanted : await freePort(),
      log: (line) => say(dim(`      ${line}`)),
    });
    if (s.port !== wanted) say(dim(`      (port ${wanted} was taken: --port N chooses another)`));
    running.push({ name: `code-server (pid ${s.pid})`, stop: s.stop, stopSync: s.stopSync });
    return { ...s, demo };
  });

  sandbox.exited.then((e) => stopAll(`The sandbox stopped unexpectedly (${e.code ?? e.signal}); see ${sandbox.logFile}.`, 1));
  server.exited.then((e) => stopAll(`code-server stopped unexpectedly (${e.code ?? e.signal}).`, 1));

  const url = `${server.url}/?workspace=${encodeURI(server.demo.workspaceFile)}`;
  say();
  say(bold(`Ready in ${seconds(Date.now() - T0)}. Open in your browser:`));
  say();
  say(`    ${bold(url)}`);
  say();
  say('  - Click the Lambda Canary icon in the activity bar: checkout-api runs a 10 % canary on prod.');
  say('  - Rollouts: right-click orders-worker\'s prod, Start Rollout…, version 3 (release 2024.07.1, which fails');
  say('    a quarter of its calls), plan "Quick (sandbox)": it rolls itself back. The same on image-resizer\'s prod');
  say('    with version 2 (release 1.1.0, healthy): it promotes itself in about a minute.');
  say('  - Right-click an alias for Publish Canary…, Promote, Roll Back, Switch Alias…; the workspace\'s first two');
  say(`    folders are what Publish Canary deploys: checkout-api (Node.js, lambda-canary.json) and`);
  say(`    price-quote (Python, a SAM template.yaml) in ${path.relative(process.cwd(), DEMO_DIR)}.`);
  say('  - Releases: Lambda Canary: Publish Release… (palette), pick the shop folder, plan "Quick (sandbox)": it publishes');
  say('    release 1.1.0 of shop-orders-api, shop-payments and shop-notifications, moves their prod aliases together');
  say('    to 50 %, and after a one-minute bake promotes all three (one failing would roll all three back).');
  say(`  - The sandbox (${sandbox.endpoint}) answers the AWS CLI too: aws lambda list-functions --endpoint-url ${sandbox.endpoint}`);
  say(`  - And this project's CLI: node dist/cli.js traffic checkout-api:prod --endpoint-url ${sandbox.endpoint}`);
  say(`  - Logs: sandbox ${path.relative(process.cwd(), sandbox.logFile)}, code-server ${server.logFile}`);
  say('  - code-server listens on 127.0.0.1 only, without a password: from another machine, forward the port (ssh -L).');
  say();
  say(bold('Press Ctrl+C to stop the sandbox and code-server.'));
  await new Promise(() => undefined); // until a signal or a child's exit
}

main().catch((e) => stopAll(`npm start failed: ${e?.message ?? e}`, 1));
