import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as childProcess from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { runBuild } from '../../src/core/build';
import { OperationError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/log';

const node = process.execPath;

/** Asserts the promise rejects with an OperationError of `kind` whose message matches. */
async function rejectsWith(p: Promise<unknown>, kind: OperationError['kind'], message: RegExp): Promise<OperationError> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => (caught = e),
  );
  assert.ok(caught instanceof OperationError, `expected an OperationError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.step, 'Build');
  assert.match(caught.message, message);
  return caught;
}

describe('runBuild', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-build-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the command and logs its output line by line', async () => {
    const log = new MemoryLogger();
    await runBuild([node, '-e', 'console.log("hi"); console.log("second line"); process.stdout.write("no newline")'], dir, log);
    assert.match(log.lines[0], /^info \$ .* -e .*\(in .*lc-build-/);
    assert.deepEqual(log.lines.slice(1), ['info   hi', 'info   second line', 'info   no newline']);
  });

  it('logs stderr as warnings', async () => {
    const log = new MemoryLogger();
    await runBuild([node, '-e', 'console.error("careful")'], dir, log);
    assert.ok(log.lines.includes('warn   careful'), log.lines.join('\n'));
  });

  it('runs in the given folder', async () => {
    const log = new MemoryLogger();
    await runBuild([node, '-e', 'console.log(process.cwd())'], dir, log);
    assert.ok(log.lines.includes(`info   ${fs.realpathSync(dir)}`), log.lines.join('\n'));
  });

  it('does nothing for an empty command', async () => {
    const log = new MemoryLogger();
    await runBuild([], dir, log);
    assert.deepEqual(log.lines, []);
  });

  it('rejects with the exit code when the command fails', async () => {
    const log = new MemoryLogger();
    await rejectsWith(runBuild([node, '-e', 'console.log("compiling"); process.exit(3)'], dir, log), 'validation', /failed \(exit code 3\)\. Its last output: compiling \(All of it is in the log/);
    assert.ok(log.lines.includes('info   compiling'));
  });

  it('says "command not found" for a missing program', async () => {
    await rejectsWith(runBuild(['lc-no-such-command-xyz', 'build'], dir, new MemoryLogger()), 'validation', /'lc-no-such-command-xyz' could not start: command not found/);
  });

  it('passes arguments literally: no shell interprets them', async () => {
    const log = new MemoryLogger();
    const marker = path.join(dir, 'pwned');
    const arg = `a;echo pwned > ${marker} && $(touch ${marker}) | \`touch ${marker}\` $HOME *`;
    await runBuild([node, '-e', 'process.stdout.write(process.argv[1])', arg], dir, log);
    assert.deepEqual(log.lines.slice(1), [`info   ${arg}`]);
    assert.equal(fs.existsSync(marker), false);
  });

  it('is cancelled by the abort signal', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = runBuild([node, '-e', 'setTimeout(() => {}, 20000)'], dir, new MemoryLogger(), ac.signal);
    setTimeout(() => ac.abort(), 100);
    await rejectsWith(p, 'cancelled', /cancelled/);
    assert.ok(Date.now() - started < 5000, 'the child must be killed, not awaited');
  });

  it('does not start when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const marker = path.join(dir, 'ran');
    await rejectsWith(runBuild([node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], dir, new MemoryLogger(), ac.signal), 'cancelled', /cancelled/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fs.existsSync(marker), false);
  });
  it('passes words with spaces, quotes, & and ; as single arguments', async () => {
    const log = new MemoryLogger();
    const args = ['two words', 'it\'s "quoted"', 'a&b', 'c;d', '%PATH%', '^caret', '', '!bang!'];
    await runBuild([node, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args], dir, log);
    assert.deepEqual(JSON.parse(log.lines[1].slice('info   '.length)), args);
  });

  describe('on Windows (cross-spawn, resolved as it would be there)', () => {
    // cross-spawn and `which` read process.platform when loaded: load fresh copies as win32.
    const modules = () => Object.keys(require.cache).filter((k) => /node_modules[\\/](cross-spawn|which|isexe|path-key|shebang-command|shebang-regex)[\\/]/.test(k));
    let platform: PropertyDescriptor | undefined;
    let pathExt: string | undefined;
    let parse: (cmd: string, args: string[], options: object) => { command: string; args: string[]; file?: string; options: { windowsVerbatimArguments?: boolean } };
    before(() => {
      platform = Object.getOwnPropertyDescriptor(process, 'platform');
      pathExt = process.env.PATHEXT;
      for (const k of modules()) delete require.cache[k];
      Object.defineProperty(process, 'platform', { value: 'win32' });
      process.env.PATHEXT = '.com;.exe;.bat;.cmd';
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      parse = require('cross-spawn/lib/parse') as typeof parse;
    });
    after(() => {
      Object.defineProperty(process, 'platform', platform!);
      if (pathExt === undefined) delete process.env.PATHEXT;
      else process.env.PATHEXT = pathExt;
      for (const k of modules()) delete require.cache[k];
    });

    it('runs npm (an npm.cmd script Node will not spawn without a shell) through cmd.exe with every metacharacter escaped', () => {
      const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
      fs.writeFileSync(path.join(bin, 'npm.cmd'), '@echo off\r\n');
      const parsed = parse('npm', ['run', 'build & calc', 'x|y', '"q"'], { cwd: dir, env: { PATH: bin, ComSpec: 'C:\\Windows\\system32\\cmd.exe' } });
      assert.equal(parsed.file, path.join(bin, 'npm.cmd'), 'found through PATH and PATHEXT');
      assert.match(parsed.command, /cmd\.exe$/);
      assert.deepEqual(parsed.args.slice(0, 3), ['/d', '/s', '/c']);
      assert.equal(parsed.options.windowsVerbatimArguments, true);
      // Each argument is one quoted word whose metacharacters cmd.exe reads literally (^ escapes).
      assert.equal(parsed.args[3], '"npm ^"run^" ^"build^ ^&^ calc^" ^"x^|y^" ^"\\^"q\\^"^""');
    });

    it("runBuild never asks Node to start a .cmd script without a shell (Node refuses: EINVAL)", async () => {
      const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
      fs.writeFileSync(path.join(bin, 'npm.cmd'), '@echo off\r\n');
      // The module object itself, which cross-spawn (and the previous build) call spawn on.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const cp = require('node:child_process') as typeof childProcess;
      const realSpawn = cp.spawn;
      const calls: Array<{ command: string; args: readonly string[]; options: { shell?: unknown } }> = [];
      const savedPath = process.env.PATH;
      const buildModule = require.resolve('../../src/core/build');
      delete require.cache[buildModule];
      (cp as { spawn: unknown }).spawn = (command: string, args: readonly string[], options: { shell?: unknown }) => {
        calls.push({ command, args, options });
        const child = Object.assign(new EventEmitter(), { stdout: new PassThrough(), stderr: new PassThrough() });
        setImmediate(() => {
          child.stdout.end();
          child.stderr.end();
          child.emit('close', 0, null);
        });
        return child;
      };
      try {
        process.env.PATH = bin;
        // A fresh copy of the build module, bound to the win32 copies of its spawn library.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runBuild: runBuildOnWindows } = require('../../src/core/build') as { runBuild: typeof runBuild };
        await runBuildOnWindows(['npm', 'run', 'build'], dir, new MemoryLogger());
      } finally {
        (cp as { spawn: unknown }).spawn = realSpawn;
        process.env.PATH = savedPath;
        delete require.cache[buildModule];
      }
      assert.equal(calls.length, 1);
      const [call] = calls;
      const scriptWithoutShell = /\.(cmd|bat)$/i.test(call.command) && !call.options.shell;
      assert.equal(scriptWithoutShell, false, `spawned ${call.command} without a shell`);
      assert.match(call.command, /cmd\.exe$/i, 'the .cmd script goes through cmd.exe');
      assert.deepEqual(call.args.slice(0, 3), ['/d', '/s', '/c']);
    });

    it('starts an .exe directly, with no cmd.exe at all', () => {
      const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
      fs.writeFileSync(path.join(bin, 'esbuild.exe'), 'MZ');
      const parsed = parse('esbuild', ['a & b'], { cwd: dir, env: { PATH: bin } });
      assert.equal(parsed.command, 'esbuild');
      assert.deepEqual(parsed.args, ['a & b']);
    });
  });
});
