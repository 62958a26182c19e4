/**
 * Hostile handlers against the sandbox's runtime, through the real SDK v3 Lambda client over HTTP:
 * a handler hunting for the host's secrets, eating memory, outliving its timeout with processes
 * of its own, or throwing things that are not errors. Each case asserts Lambda's answer and that
 * nothing else changed: the function as it was, the next invocation served by a fresh, working
 * environment, no process left behind.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CreateFunctionCommandInput, FunctionConfiguration } from '@aws-sdk/client-lambda';
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startSandbox, zipFiles } from '../../src/sandbox';
import { clientsFor, ROLE, sleep, useSandbox } from './helpers';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'sandbox', 'cli.js');
const linux = process.platform === 'linux';

interface Outcome {
  functionError?: string;
  text: string;
  body: unknown;
}

async function invokeWith(lambda: LambdaClient, name: string, event: unknown = {}): Promise<Outcome> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  assert.equal(out.StatusCode, 200, 'a function error is still HTTP 200');
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { functionError: out.FunctionError, text, body };
}

async function createWith(lambda: LambdaClient, settle: () => void, name: string, files: Record<string, string>, extra: Partial<CreateFunctionCommandInput> = {}): Promise<FunctionConfiguration> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles(files) }, ...extra }));
  settle();
  return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
}

/** The function's configuration is exactly as it was before the hostile invocation. */
async function assertUnchanged(lambda: LambdaClient, before: FunctionConfiguration): Promise<void> {
  const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: before.FunctionName }));
  const pick = (c: FunctionConfiguration) => ({
    RevisionId: c.RevisionId,
    CodeSha256: c.CodeSha256,
    LastModified: c.LastModified,
    MemorySize: c.MemorySize,
    Timeout: c.Timeout,
    Environment: c.Environment,
    State: c.State,
  });
  assert.deepEqual(pick(now), pick(before), 'the function changed');
}

/** Alive, and not a zombie waiting for a parent that never reaps it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!linux) return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function assertGone(pids: number[], withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(25);
  assert.deepEqual(pids.filter(alive), [], `${what}: still running`);
}

async function readJsonFile<T>(file: string, withinMs = 8000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } catch {
      if (Date.now() > deadline) assert.fail(`${file} was never written`);
      await sleep(20);
    }
  }
}

/** What a handler can find out about where it runs. */
const PROBE = `const fs = require('fs');
const { execSync } = require('child_process');
exports.handler = async () => {
  let environ = null;
  try { environ = fs.readFileSync('/proc/self/environ', 'utf8'); } catch {}
  let viaShell = null;
  try { viaShell = execSync('env', { encoding: 'utf8' }); } catch {}
  return { env: { ...process.env }, environ, viaShell, pid: process.pid, cwd: process.cwd(), execArgv: process.execArgv,
    hooked: globalThis.__hostHook === true, ipc: typeof process.send, data: (() => { try { return fs.readFileSync('data.txt', 'utf8'); } catch (e) { return e.code; } })() };
};
`;

const COUNTER = `let n = 0;\nexports.handler = async (e) => {\n  n++;\n  if (e.hog) return require('./hog')(e);\n  return { n, pid: process.pid };\n};\n`;

describe('hostile handlers: the runtime (real SDK)', function () {
  this.timeout(60_000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-canary-hostile-runtime-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  let seq = 0;
  const unique = (base: string) => `${base}-${++seq}`;

  describe("a handler looking for the host's secrets", () => {
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-host';
    const TOKEN = 'IQoJb3JpZ2luX2VjEHost-session-token';
    const KEY_ID = 'AKIAHOSTEXAMPLE00001';
    let host: ChildProcess;
    let lambda: LambdaClient;
    let hookLog: string;
    let probe: { env: Record<string, string>; environ: string | null; viaShell: string | null; pid: number; cwd: string; execArgv: string[]; hooked: boolean; ipc: string; data: string };
    let probeConfig: FunctionConfiguration;

    before(async () => {
      // A host whose own environment holds credentials, and whose NODE_OPTIONS preload a hook, as
      // an editor started from a shell with AWS keys exported might.
      hookLog = path.join(scratch, 'hook.log');
      const hook = path.join(scratch, 'hook.js');
      fs.writeFileSync(hook, `globalThis.__hostHook = true;\nrequire('fs').appendFileSync(${JSON.stringify(hookLog)}, process.pid + '\\n');\n`);
      host = spawn(process.execPath, [CLI, '--port', '0', '--quiet', '--update-delay', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: KEY_ID,
          AWS_SECRET_ACCESS_KEY: SECRET,
          AWS_SESSION_TOKEN: TOKEN,
          NODE_OPTIONS: `--require ${hook}`,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      let out = '';
      host.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
      host.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
      const endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the host did not start:\n${out}`)), 10_000);
        host.stdout!.on('data', () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
      probeConfig = await createWith(lambda, () => undefined, 'probe', { 'index.js': PROBE, 'data.txt': 'beside the handler' }, { Environment: { Variables: { STAGE: 'beta' } } });
      const r = await invokeWith(lambda, 'probe');
      assert.equal(r.functionError, undefined, r.text);
      probe = r.body as typeof probe;
    });
    after(() => {
      lambda?.destroy();
      if (host && host.exitCode === null) host.kill('SIGKILL');
    });

    const leaks = (text: string | null) => [SECRET, TOKEN, KEY_ID].filter((s) => text?.includes(s));

    it("process.env holds Lambda's variables and the function's own, none of the host's", async () => {
      assert.deepEqual(leaks(JSON.stringify(probe.env)), [], 'the host credentials reached process.env');
      assert.equal(probe.env.STAGE, 'beta');
      assert.equal(probe.env.AWS_LAMBDA_FUNCTION_NAME, 'probe');
      // The sandbox's own endpoint, key and SDK modules (runtime/provided.ts), as Lambda provides a role's.
      for (const key of Object.keys(probe.env)) {
        assert.match(key, /^(AWS_(REGION|DEFAULT_REGION|LAMBDA_\w+|EXECUTION_ENV|ENDPOINT_URL|ACCESS_KEY_ID|SECRET_ACCESS_KEY)|LAMBDA_TASK_ROOT|_HANDLER|LAMBDA_CANARY_ENVIRONMENT_ID|NODE_PATH|PATH|TZ|LANG|STAGE)$/, `unexpected variable ${key}`);
      }
      assert.deepEqual([probe.env.AWS_ACCESS_KEY_ID, probe.env.AWS_SECRET_ACCESS_KEY, probe.env.AWS_SESSION_TOKEN], ['sandbox', 'sandbox', undefined], "the sandbox's key, never the host's");
      assert.match(probe.env.AWS_ENDPOINT_URL, /^http:\/\/127\.0\.0\.1:\d+$/);
      await assertUnchanged(lambda, probeConfig);
    });

    it('/proc/self/environ of the runtime holds none of the host\'s variables', async function () {
      if (!linux) this.skip();
      assert.ok(probe.environ, 'the handler could not read /proc/self/environ');
      assert.deepEqual(leaks(probe.environ), [], 'the host credentials are in the runtime process environment');
      const keys = probe.environ!.split('\0').filter(Boolean).map((kv) => kv.slice(0, kv.indexOf('=')));
      assert.equal(keys.includes('NODE_OPTIONS'), false);
      assert.equal(keys.includes('HOME'), false, "the host's HOME leaked");
      assert.ok(keys.includes('AWS_LAMBDA_FUNCTION_NAME'));
      await assertUnchanged(lambda, probeConfig);
    });

    it('a program the handler starts inherits only the Lambda environment', async function () {
      if (process.platform === 'win32') this.skip();
      assert.ok(probe.viaShell, 'the handler could not run env');
      assert.deepEqual(leaks(probe.viaShell), []);
      assert.match(probe.viaShell!, /^AWS_LAMBDA_FUNCTION_NAME=probe$/m);
      assert.doesNotMatch(probe.viaShell!, /^(HOME|USER|NODE_OPTIONS|ELECTRON_RUN_AS_NODE)=/m);
    });

    it("the host's flags and preload hooks (NODE_OPTIONS --require) never reach the runtime", async () => {
      assert.deepEqual(probe.execArgv, ['--max-old-space-size=128'], 'the runtime inherited the host flags');
      assert.equal(probe.hooked, false, "the host's --require hook ran inside the runtime");
      // The host's own worker threads (the package unpacker) share its pid and run its preloads too.
      const hookPids = [...new Set(fs.readFileSync(hookLog, 'utf8').trim().split('\n').map(Number))];
      assert.deepEqual(hookPids, [host.pid], 'the hook ran in a process other than the host');
      assert.equal(probe.ipc, 'undefined', 'handler code can message the host over Node IPC');
    });

    it('the runtime is a process of its own, working in its code folder as /var/task is on Lambda', async () => {
      assert.notEqual(probe.pid, host.pid, 'the handler ran inside the host process');
      assert.equal(probe.cwd, probe.env.LAMBDA_TASK_ROOT);
      assert.equal(probe.data, 'beside the handler', 'a relative path resolves in the code folder');
      assert.ok(!alive(probe.pid) || probe.pid !== process.pid);
    });

    it('a runtime busy in a loop dies with the host when the host is killed', async function () {
      const pidFile = path.join(scratch, 'spinner.json');
      await createWith(lambda, () => undefined, 'spinner', {
        'index.js': `exports.handler = async (e) => { require('fs').writeFileSync(e.file, JSON.stringify({ pid: process.pid })); for (;;) {} };\n`,
      }, { Timeout: 300 });
      const running = invokeWith(lambda, 'spinner', { file: pidFile }).catch(() => 'host gone');
      const { pid } = await readJsonFile<{ pid: number }>(pidFile);
      assert.ok(alive(pid));
      host.kill('SIGKILL');
      await assertGone([pid], 3000, 'the runtime of a dead host');
      assert.equal(await running, 'host gone');
    });
  });

  describe("a function's NODE_OPTIONS asking for a debugger", () => {
    const h = useSandbox();
    const DEBUGGEE = `const inspector = require('inspector');
exports.handler = async () => ({ url: inspector.url() ?? null, debugPort: process.debugPort, options: process.env.NODE_OPTIONS ?? null,
  preloaded: globalThis.__preloaded === true, noDeprecation: process.noDeprecation === true });
`;
    interface Seen { url: string | null; debugPort: number; options: string | null; preloaded: boolean; noDeprecation: boolean }

    async function invokeTail(lambda: LambdaClient, name: string): Promise<{ seen: Seen; log: string; functionError?: string }> {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: Buffer.from('{}') }));
      const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
      assert.equal(out.FunctionError, undefined, text);
      return { seen: JSON.parse(text) as Seen, log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8'), functionError: out.FunctionError };
    }

    /** The flags are gone from the runtime, the log says so, the function's configuration is as written. */
    async function debuggerRefused(nodeOptions: string, removed: string, kept: string): Promise<Seen> {
      const { lambda, sandbox } = h();
      const fn = unique('debuggee');
      const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': DEBUGGEE }, { Environment: { Variables: { NODE_OPTIONS: nodeOptions } } });
      const { seen, log } = await invokeTail(lambda, fn);
      assert.equal(seen.url, null, `a debugger listens at ${seen.url}`);
      assert.equal(seen.options, kept, 'NODE_OPTIONS as the runtime got it');
      assert.ok(log.includes(`WARN\tThe sandbox removed ${removed} from NODE_OPTIONS: it never starts a debugger`), log);
      // The configuration still says what was written: only the runtime's copy is changed.
      assert.equal(before.Environment?.Variables?.NODE_OPTIONS, nodeOptions);
      await assertUnchanged(lambda, before);
      return seen;
    }

    it('--inspect=0.0.0.0:0 (a debugger for the whole network) is removed, with a line in the log', async () => {
      await debuggerRefused('--inspect=0.0.0.0:0', '--inspect=0.0.0.0:0', '');
    });

    it('--inspect-brk=0.0.0.0:0 is removed: init neither waits for a debugger nor times out', async () => {
      const started = Date.now();
      await debuggerRefused('--inspect-brk=0.0.0.0:0', '--inspect-brk=0.0.0.0:0', '');
      assert.ok(Date.now() - started < 5000, 'init did not wait for a debugger');
    });

    it('quoted, underscored and split spellings (`"--inspect=…"`, --inspect_wait, --inspect-port HOST, --debug-port) are removed; other flags stay', async () => {
      const seen = await debuggerRefused(
        '--no-deprecation "--inspect=0.0.0.0:0" --inspect_wait=0.0.0.0:0 --inspect-port 0.0.0.0:9231 --debug-port=0.0.0.0:9232',
        '--inspect=0.0.0.0:0 --inspect_wait=0.0.0.0:0 --inspect-port 0.0.0.0:9231 --debug-port=0.0.0.0:9232',
        '--no-deprecation',
      );
      assert.equal(seen.noDeprecation, true, 'the flag that is not the inspector still applies');
      assert.equal(seen.debugPort, 9229, "the debug port is Node's default (loopback), not the one asked for");
    });

    it('a --require of a file in the package is left alone, as Lambda honours it', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('preloader');
      const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': DEBUGGEE, 'pre.js': 'globalThis.__preloaded = true;\n' }, { Environment: { Variables: { NODE_OPTIONS: '--require ./pre.js' } } });
      const { seen, log } = await invokeTail(lambda, fn);
      assert.equal(seen.preloaded, true);
      assert.equal(seen.options, '--require ./pre.js');
      assert.doesNotMatch(log, /removed/);
      await assertUnchanged(lambda, before);
    });

    it('a record from a shared state folder asking for a debugger gets none either', async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'state-'));
      const first = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      const c1 = clientsFor(first);
      await createWith(c1.lambda, () => first.settle(), 'shared', { 'index.js': DEBUGGEE }, { Environment: { Variables: { NODE_OPTIONS: '--inspect=0.0.0.0:0' } } });
      c1.lambda.destroy();
      await first.close();
      const logged: string[] = [];
      const second = await startSandbox({ stateDir: dir, updateDelayMs: 0, log: (l) => logged.push(l) });
      const c2 = clientsFor(second);
      try {
        const { seen } = await invokeTail(c2.lambda, 'shared');
        assert.equal(seen.url, null);
        assert.ok(logged.some((l) => l.includes('removed --inspect=0.0.0.0:0 from NODE_OPTIONS')), logged.join('\n'));
      } finally {
        c2.lambda.destroy();
        await second.close();
      }
    });
  });

  describe('memory', () => {
    const h = useSandbox();
    const hog = (body: string) => ({ 'index.js': COUNTER, 'hog.js': `module.exports = async (e) => {\n${body}\n};\n` });

    it('a 128 MB function filling 640 MB of Buffers is Runtime.OutOfMemory, and its environment is replaced', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('buffers');
      const before = await createWith(lambda, () => sandbox.settle(), fn, hog(`const held = []; for (let i = 0; i < 64; i++) held.push(Buffer.alloc(10 * 1024 * 1024, 1)); return { held: held.length };`), { MemorySize: 128, Timeout: 30 });
      const warm = (await invokeWith(lambda, fn)).body as { n: number; pid: number };
      assert.equal(warm.n, 1);
      const r = await invokeWith(lambda, fn, { hog: true });
      assert.equal(r.functionError, 'Unhandled', `640 MB fitted in 128 MB: ${r.text}`);
      const err = r.body as { errorType: string; errorMessage: string };
      assert.equal(err.errorType, 'Runtime.OutOfMemory');
      assert.match(err.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$/);
      await assertGone([warm.pid], 2000, 'the environment that ran out of memory');
      const next = (await invokeWith(lambda, fn)).body as { n: number; pid: number };
      assert.equal(next.n, 1, 'a fresh environment serves the next call');
      assert.notEqual(next.pid, warm.pid);
      await assertUnchanged(lambda, before);
    });

    it('a heap of small objects over MemorySize is Runtime.OutOfMemory', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('objects');
      const before = await createWith(lambda, () => sandbox.settle(), fn, hog(`const hoard = []; for (let i = 0; ; i++) hoard.push({ i, s: 'item-' + i, nested: { a: [i, i + 1] } });`), { MemorySize: 128, Timeout: 30 });
      const err = (await invokeWith(lambda, fn, { hog: true })).body as { errorType: string };
      assert.equal(err.errorType, 'Runtime.OutOfMemory');
      assert.equal(((await invokeWith(lambda, fn)).body as { n: number }).n, 1);
      await assertUnchanged(lambda, before);
    });

    it('a spike over the limit released before returning still counts, as it would on Lambda', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('spike');
      const before = await createWith(lambda, () => sandbox.settle(), fn, hog(`let b = Buffer.alloc(300 * 1024 * 1024, 7); const x = b[12345]; b = null; return { x };`), { MemorySize: 128, Timeout: 30 });
      const r = await invokeWith(lambda, fn, { hog: true });
      assert.equal((r.body as { errorType: string }).errorType, 'Runtime.OutOfMemory', r.text);
      assert.equal(((await invokeWith(lambda, fn)).body as { n: number }).n, 1);
      await assertUnchanged(lambda, before);
    });

    it('a module that exits or runs out of memory while loading gets Lambda\'s errors, and every call tries init again', async () => {
      const { lambda, sandbox } = h();
      const cases: Array<[string, string, RegExp]> = [
        ['process.exit(3);', 'Runtime.ExitError', /^RequestId: \S+ Error: Runtime exited with error: exit status 3$/],
        ['globalThis.big = Buffer.alloc(300 * 1024 * 1024, 1);', 'Runtime.OutOfMemory', /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/],
      ];
      for (const [top, errorType, message] of cases) {
        const fn = unique('init-death');
        const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': `${top}\nexports.handler = async () => 'loaded';\n` }, { MemorySize: 128 });
        for (let attempt = 0; attempt < 2; attempt++) {
          const r = await invokeWith(lambda, fn);
          assert.equal(r.functionError, 'Unhandled', r.text);
          const err = r.body as { errorType: string; errorMessage: string };
          assert.equal(err.errorType, errorType, top);
          assert.match(err.errorMessage, message);
        }
        await assertUnchanged(lambda, before);
      }
    });

    it("the host's own memory never counts against a function's", async () => {
      const { lambda, sandbox } = h();
      // The sandbox's host holding more than MemorySize when it starts a runtime (a long test run,
      // a busy editor): the runtime's peak is its own, not the host's carried over by fork.
      const ballast = Buffer.alloc(300 * 1024 * 1024, 1);
      const fn = unique('small');
      await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': COUNTER }, { MemorySize: 128 });
      const r = await invokeWith(lambda, fn);
      assert.equal(r.functionError, undefined, r.text);
      assert.equal((r.body as { n: number }).n, 1);
      assert.equal(ballast[12345], 1, 'the host held its memory throughout');
    });

    it('memory within MemorySize is fine, and the environment stays warm', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('within');
      await createWith(lambda, () => sandbox.settle(), fn, hog(`globalThis.kept = Buffer.alloc(150 * 1024 * 1024, 1); return { n: 0, kept: globalThis.kept.length };`), { MemorySize: 512, Timeout: 30 });
      const r = await invokeWith(lambda, fn, { hog: true });
      assert.equal(r.functionError, undefined, r.text);
      assert.deepEqual(r.body, { n: 0, kept: 150 * 1024 * 1024 });
      assert.equal(((await invokeWith(lambda, fn)).body as { n: number }).n, 2, 'the same environment, warm');
    });
  });

  describe('processes outliving an invocation', () => {
    const h = useSandbox();
    /** Writes its pids to e.file, starts what e asks for, then never answers. */
    const STUCK = `const { spawn } = require('child_process');
const fs = require('fs');
exports.handler = async (e) => {
  const kids = [];
  if (e.spawn) {
    kids.push(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }).pid);
    const escaped = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
    escaped.unref();
    kids.push(escaped.pid);
  }
  if (e.interval) setInterval(() => fs.appendFileSync(e.file + '.ticks', 'tick\\n'), 20);
  fs.writeFileSync(e.file, JSON.stringify({ pid: process.pid, kids }));
  if (e.spin) for (;;) {}
  if (e.answer) return { pid: process.pid, kids };
  await new Promise(() => {});
};
`;

    it('a timeout kills the runtime process, even one spinning in a loop', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('spin');
      const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': STUCK }, { Timeout: 1 });
      const file = path.join(scratch, `${fn}.json`);
      const r = await invokeWith(lambda, fn, { file, spin: true });
      assert.match((r.body as { errorMessage: string }).errorMessage, /Task timed out after 1\.00 seconds/);
      const { pid } = await readJsonFile<{ pid: number }>(file);
      await assertGone([pid], 1000, 'the timed-out runtime');
      await assertUnchanged(lambda, before);
    });

    it('after a timeout nothing the handler started runs on: child processes, detached ones, intervals', async () => {
      const { lambda, sandbox } = h();
      const fn = unique('forker');
      const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': STUCK }, { Timeout: 1 });
      const file = path.join(scratch, `${fn}.json`);
      const r = await invokeWith(lambda, fn, { file, spawn: true, interval: true });
      assert.equal(r.functionError, 'Unhandled');
      const { pid, kids } = await readJsonFile<{ pid: number; kids: number[] }>(file);
      assert.equal(kids.length, 2);
      await assertGone([pid, ...kids], 1500, 'the runtime and the processes it started');
      const ticks = () => (fs.existsSync(`${file}.ticks`) ? fs.readFileSync(`${file}.ticks`, 'utf8').length : 0);
      const settled = ticks();
      await sleep(200);
      assert.equal(ticks(), settled, 'the interval still ticks after the timeout');
      await assertUnchanged(lambda, before);
    });

    it("deleting a function ends its warm environment and the processes it left running", async () => {
      const { lambda, sandbox } = h();
      const fn = unique('leaver');
      await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': STUCK }, { Timeout: 5 });
      const file = path.join(scratch, `${fn}.json`);
      const r = await invokeWith(lambda, fn, { file, spawn: true, answer: true });
      assert.equal(r.functionError, undefined, r.text);
      const { pid, kids } = r.body as { pid: number; kids: number[] };
      assert.ok([pid, ...kids].every(alive), 'a warm environment keeps what it started between invocations');
      await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
      await assertGone([pid, ...kids], 1500, 'the deleted function’s environment');
    });

    /** Starts a process that leaves the runtime's tree, group and session (a double fork, setsid) and writes its pid. */
    const ESCAPER = `const { spawn } = require('child_process');
const fs = require('fs');
exports.handler = async (e) => {
  spawn('sh', ['-c', "(setsid sh -c 'echo $$ > " + e.file + "; exec sleep 300' >/dev/null 2>&1 &)"], { detached: true, stdio: 'ignore' }).unref();
  for (let i = 0; i < 200 && !fs.existsSync(e.file); i++) await new Promise((r) => setTimeout(r, 10));
  if (e.exit) process.exit(3);
  if (e.hang) await new Promise(() => {});
  return { pid: process.pid };
};
`;
    const escapedPid = async (file: string): Promise<number> => {
      const deadline = Date.now() + 5000;
      while (!/^\d+\n$/.test(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '') && Date.now() < deadline) await sleep(20);
      const pid = Number(fs.readFileSync(file, 'utf8'));
      assert.ok(alive(pid), 'the double-forked process runs');
      if (linux) {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
        assert.equal(stat[1], '1', 'reparented to init: outside the runtime’s tree');
      }
      return pid;
    };

    it('a double-forked, setsid process is gone once the sandbox is closed', async function () {
      if (process.platform === 'win32') this.skip();
      const own = await startSandbox({ updateDelayMs: 0 });
      const { lambda } = clientsFor(own);
      const file = path.join(scratch, 'escaped-close.pid');
      try {
        await createWith(lambda, () => own.settle(), 'escaper', { 'index.js': ESCAPER }, { Timeout: 5 });
        const r = await invokeWith(lambda, 'escaper', { file });
        assert.equal(r.functionError, undefined, r.text);
        const pid = await escapedPid(file);
        await own.close();
        await assertGone([pid], 1000, 'the double-forked process after close');
      } finally {
        lambda.destroy();
        await own.close().catch(() => undefined);
      }
    });

    it('a double-forked process is gone after its invocation times out, or its function is deleted', async function () {
      if (process.platform === 'win32') this.skip();
      const { lambda, sandbox } = h();
      const fn = unique('escaper');
      const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': ESCAPER }, { Timeout: 2 });
      const timedOut = path.join(scratch, `${fn}-timeout.pid`);
      const r = await invokeWith(lambda, fn, { file: timedOut, hang: true });
      assert.match((r.body as { errorMessage: string }).errorMessage, /Task timed out/);
      await assertGone([Number(fs.readFileSync(timedOut, 'utf8'))], 1000, 'the double-forked process after a timeout');
      await assertUnchanged(lambda, before);
      const warm = path.join(scratch, `${fn}-warm.pid`);
      assert.equal((await invokeWith(lambda, fn, { file: warm })).functionError, undefined);
      const pid = await escapedPid(warm);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
      await assertGone([pid], 1500, 'the double-forked process of a deleted function');
    });

    it('a double-forked process is gone when the runtime that started it exits (process.exit)', async function () {
      if (process.platform === 'win32') this.skip();
      const { lambda, sandbox } = h();
      const fn = unique('escaper');
      const before = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': ESCAPER }, { Timeout: 5 });
      const file = path.join(scratch, `${fn}-exit.pid`);
      const r = await invokeWith(lambda, fn, { file, exit: true });
      assert.equal((r.body as { errorType: string }).errorType, 'Runtime.ExitError', r.text);
      await assertGone([Number(fs.readFileSync(file, 'utf8'))], 1500, 'the double-forked process of an exited runtime');
      await assertUnchanged(lambda, before);
    });

    it('closing the sandbox leaves no process behind', async () => {
      const own = await startSandbox({ updateDelayMs: 0 });
      const { lambda } = clientsFor(own);
      try {
        const file = path.join(scratch, 'closing.json');
        await createWith(lambda, () => own.settle(), 'left', { 'index.js': STUCK }, { Timeout: 5 });
        const answered = (await invokeWith(lambda, 'left', { file, spawn: true, answer: true })).body as { pid: number; kids: number[] };
        await createWith(lambda, () => own.settle(), 'busy', { 'index.js': STUCK }, { Timeout: 30 });
        const busy = invokeWith(lambda, 'busy', { file: `${file}.busy`, spin: true }).catch(() => 'closed');
        const spinning = await readJsonFile<{ pid: number }>(`${file}.busy`);
        const pids = [answered.pid, ...answered.kids, spinning.pid];
        assert.deepEqual(new Set(own.invoker.environmentPids()), new Set([answered.pid, spinning.pid]));
        await own.close();
        await assertGone(pids, 1000, 'environments after close');
        await busy;
      } finally {
        lambda.destroy();
        await own.close().catch(() => undefined);
      }
    });
  });

  describe("writing to the sandbox's channel and to stdout", () => {
    const h = useSandbox();
    const SOURCE = `const fs = require('fs');
let n = 0;
/** Writes all of text to fd, waiting whenever the pipe is full. */
const writeAll = (fd, text) => {
  let buf = Buffer.from(text);
  while (buf.length) {
    try { buf = buf.subarray(fs.writeSync(fd, buf)); } catch (e) { if (e.code !== 'EAGAIN') throw e; Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2); }
  }
};
exports.handler = async (e) => {
  n++;
  if (e.garbage) fs.writeSync(3, 'not json at all\\n');
  if (e.forge) fs.writeSync(3, JSON.stringify({ kind: 'result', id: e.forge, ok: true, payload: { not: 'a string' }, logs: 'nope', maxRssBytes: 1 }) + '\\n');
  if (e.flood) { const chunk = 'x'.repeat(1024 * 1024); for (let i = 0; i < 20; i++) writeAll(3, chunk); }
  if (e.big) return 'y'.repeat(20 * 1024 * 1024);
  if (e.raw) { const line = 'r'.repeat(1023) + '\\n'; for (let i = 0; i < 4096; i++) fs.writeSync(1, line); fs.writeSync(2, 'raw stderr line\\n'); }
  if (e.kid) require('child_process').execFileSync(process.execPath, ['-e', 'console.log("from a child process")'], { stdio: 'inherit' });
  return { n, pid: process.pid };
};
`;
    let fn: string;
    let config: FunctionConfiguration;
    before(async () => {
      const { lambda, sandbox } = h();
      fn = unique('channel');
      config = await createWith(lambda, () => sandbox.settle(), fn, { 'index.js': SOURCE }, { Timeout: 10, MemorySize: 512 });
    });
    afterEach(async () => assertUnchanged(h().lambda, config));

    async function replacedAfter(event: unknown): Promise<{ errorType: string; errorMessage: string }> {
      const { lambda } = h();
      const warm = (await invokeWith(lambda, fn)).body as { pid: number };
      const r = await invokeWith(lambda, fn, event);
      assert.equal(r.functionError, 'Unhandled', r.text);
      await assertGone([warm.pid], 2000, 'the environment that broke its channel');
      const next = (await invokeWith(lambda, fn)).body as { n: number; pid: number };
      assert.equal(next.n, 1, 'a fresh environment serves the next call');
      return r.body as { errorType: string; errorMessage: string };
    }

    it('garbage or a forged, malformed reply on the channel is Runtime.Unknown, and the environment is replaced', async () => {
      const garbage = await replacedAfter({ garbage: true });
      assert.equal(garbage.errorType, 'Runtime.Unknown');
      assert.match(garbage.errorMessage, /file descriptor 3/);
      for (let id = 1; id < 4; id++) assert.equal((await replacedAfter({ forge: id })).errorType, 'Runtime.Unknown');
    });

    it('a flood on the channel, or a result far over 6 MB, is Function.ResponseSizeTooLarge without the sandbox buffering it', async () => {
      for (const event of [{ flood: true }, { big: true }]) {
        const err = await replacedAfter(event);
        assert.deepEqual(err, { errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size (6291456 bytes).' });
      }
    });

    it("raw writes to stdout/stderr and a child process's output reach the log, bounded, and never block the runtime", async () => {
      const { lambda } = h();
      const out = await lambda.send(new InvokeCommand({ FunctionName: fn, LogType: 'Tail', Payload: Buffer.from(JSON.stringify({ raw: true, kid: true })) }));
      assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload!).toString('utf8'));
      const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
      assert.match(log, /from a child process|raw stderr line|r{100}/, 'the output outside console is in the log');
      assert.ok(out.LogResult!.length <= Math.ceil(4096 / 3) * 4, 'the log tail is bounded to 4 KB');
      const again = await invokeWith(lambda, fn);
      assert.equal(again.functionError, undefined, 'the same environment still answers');
    });
  });

  describe('throwing what is not an Error (as Lambda’s Node.js runtime reports it)', () => {
    const h = useSandbox();
    const SOURCE = `const values = {
  undefined: undefined, null: null, string: 'card declined', number: 42, zero: 0, false: false, object: { code: 7 }, array: [1, 2],
  bigint: 10n, symbol: Symbol('s'), bare: Object.create(null),
  errorLike: { name: 'Declined', message: 'card 4242', stack: 'Declined: card 4242\\n    at pay (index.js:1:1)' },
};
exports.handler = async (e) => {
  switch (e.how) {
    case 'throw': throw values[e.value];
    case 'reject': return Promise.reject(values[e.value]);
    case 'later': return new Promise((_, reject) => setTimeout(() => reject(values[e.value]), 5));
  }
  return { fine: true };
};
exports.callback = (e, context, callback) => {
  if (e.how === 'fail') return context.fail(...(e.args ?? []));
  if (e.how === 'twice') { context.succeed({ first: true }); return callback(new Error('second')); }
  if (e.how === 'reject') return Promise.reject(null);
  callback(...(e.args ?? []));
};
exports.sync = (e) => { throw e.value === 'null' ? null : undefined; };
exports.escaped = async (e) => {
  if (e.how === 'uncaught') setTimeout(() => { throw new RangeError('late'); }, 5);
  if (e.how === 'unhandled') Promise.reject(new TypeError('lost'));
  await new Promise((r) => setTimeout(r, 300));
  return { pid: process.pid };
};
`;
    /** One function per exported handler of SOURCE. */
    const configs = new Map<string, FunctionConfiguration>();
    let base: string;
    before(async () => {
      const { lambda, sandbox } = h();
      base = unique('throws');
      for (const handler of ['handler', 'callback', 'sync', 'escaped']) {
        configs.set(handler, await createWith(lambda, () => sandbox.settle(), `${base}-${handler}`, { 'index.js': SOURCE }, { Handler: `index.${handler}` }));
      }
    });
    afterEach(async () => {
      for (const c of configs.values()) await assertUnchanged(h().lambda, c);
    });

    const run = (handler: string, event: unknown) => invokeWith(h().lambda, `${base}-${handler}`, event);
    async function error(handler: string, event: unknown): Promise<{ errorType: string; errorMessage: string; trace?: string[] }> {
      const r = await run(handler, event);
      assert.equal(r.functionError, 'Unhandled', `${JSON.stringify(event)} was reported as a success: ${r.text}`);
      return r.body as { errorType: string; errorMessage: string; trace?: string[] };
    }
    const handled = { errorType: 'string', errorMessage: 'handled', trace: [] };

    it("throw undefined, throw null and empty rejections are the function error 'handled'", async () => {
      for (const how of ['throw', 'reject', 'later']) {
        for (const value of ['undefined', 'null']) {
          assert.deepEqual(await error('handler', { how, value }), handled, `${how} ${value}`);
        }
      }
      assert.deepEqual(await error('callback', { how: 'reject' }), handled, 'a non-async handler returning Promise.reject(null)');
      assert.deepEqual((await run('handler', {})).body, { fine: true }, 'the environment still serves');
    });

    it('strings, numbers, booleans, objects, arrays, bigints and symbols are typed by typeof', async () => {
      const cases: Array<[string, string, string]> = [
        ['string', 'string', 'card declined'],
        ['number', 'number', '42'],
        ['zero', 'number', '0'],
        ['false', 'boolean', 'false'],
        ['object', 'object', '[object Object]'],
        ['array', 'object', '1,2'],
        ['bigint', 'bigint', '10'],
        ['symbol', 'symbol', 'Symbol(s)'],
      ];
      for (const [value, errorType, errorMessage] of cases) {
        assert.deepEqual(await error('handler', { how: 'throw', value }), { errorType, errorMessage, trace: [] }, value);
      }
      const bare = await error('handler', { how: 'throw', value: 'bare' });
      assert.equal(bare.errorType, 'handled', 'an object without toString');
      assert.match(bare.errorMessage, /problem while retrieving one or more of its message, name, and stack/);
      const like = await error('handler', { how: 'reject', value: 'errorLike' });
      assert.deepEqual(like, { errorType: 'Declined', errorMessage: 'card 4242', trace: ['Declined: card 4242', '    at pay (index.js:1:1)'] }, 'an object shaped like an Error');
    });

    it('context.fail and the callback: any non-nullish error fails, the first answer wins', async () => {
      assert.deepEqual(await error('callback', { how: 'fail' }), handled, 'context.fail()');
      assert.deepEqual(await error('callback', { how: 'fail', args: ['declined'] }), { errorType: 'string', errorMessage: 'declined', trace: [] });
      assert.deepEqual(await error('callback', { args: ['declined'] }), { errorType: 'string', errorMessage: 'declined', trace: [] }, "callback('declined')");
      assert.deepEqual(await error('callback', { args: [0] }), { errorType: 'number', errorMessage: '0', trace: [] }, 'callback(0)');
      for (const args of [[null, { ok: 1 }], [undefined, { ok: 1 }]]) {
        const r = await run('callback', { args });
        assert.equal(r.functionError, undefined, `callback(${String(args[0])}, result) is a success`);
        assert.deepEqual(r.body, { ok: 1 });
      }
      const twice = await run('callback', { how: 'twice' });
      assert.equal(twice.functionError, undefined);
      assert.deepEqual(twice.body, { first: true });
    });

    it('a synchronous throw of undefined or null reaches the callback as no error: a null result, as on Lambda', async () => {
      // Lambda's runtime (Runtime.js) passes a synchronous throw to the callback, which takes
      // undefined and null for "no error"; only async handlers and rejections turn them into 'handled'.
      for (const value of ['undefined', 'null']) {
        const r = await run('sync', { value });
        assert.equal(r.functionError, undefined, r.text);
        assert.equal(r.text, 'null');
      }
    });

    it('an exception or rejection escaping the handler fails the invocation and replaces the environment', async () => {
      const first = (await run('escaped', {})).body as { pid: number };
      const uncaught = await error('escaped', { how: 'uncaught' });
      assert.equal(uncaught.errorType, 'RangeError');
      assert.equal(uncaught.errorMessage, 'late');
      assert.equal(uncaught.trace?.[0], 'RangeError: late');
      await assertGone([first.pid], 2000, 'the environment of an uncaught exception');
      const second = (await run('escaped', {})).body as { pid: number };
      assert.notEqual(second.pid, first.pid);
      const unhandled = await error('escaped', { how: 'unhandled' });
      assert.deepEqual({ errorType: unhandled.errorType, errorMessage: unhandled.errorMessage }, { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'TypeError: lost' });
      await assertGone([second.pid], 2000, 'the environment of an unhandled rejection');
      assert.ok(((await run('escaped', {})).body as { pid: number }).pid > 0, 'a fresh environment serves the next call');
    });
  });
});
