import { spawn } from 'node:child_process';
import { OperationError } from './errors';
import type { Logger } from './log';

/**
 * Runs the workspace's build command as an argv (no shell: nothing typed by a user is ever
 * interpreted by one), streaming its output to the log.
 */
export function runBuild(argv: string[], cwd: string, log: Logger, signal?: AbortSignal): Promise<void> {
  if (argv.length === 0) return Promise.resolve();
  const [cmd, ...args] = argv;
  // npm, yarn and friends are .cmd shims on Windows, which spawn finds only with the extension.
  const exe = process.platform === 'win32' && !/\.(exe|cmd|bat)$/i.test(cmd) && ['npm', 'npx', 'yarn', 'pnpm'].includes(cmd) ? `${cmd}.cmd` : cmd;
  log.info(`$ ${argv.join(' ')}  (in ${cwd})`);
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd, shell: false, signal, windowsHide: true, env: process.env });
    const forward = (stream: NodeJS.ReadableStream, warn: boolean) => {
      let rest = '';
      stream.on('data', (d: Buffer) => {
        const lines = (rest + d.toString('utf8')).split(/\r?\n/);
        rest = lines.pop() ?? '';
        for (const l of lines) (warn ? log.warn : log.info).call(log, `  ${l}`);
      });
      stream.on('end', () => rest && (warn ? log.warn : log.info).call(log, `  ${rest}`));
    };
    forward(child.stdout, false);
    forward(child.stderr, true);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') reject(new OperationError('Build cancelled.', 'Build', 'Nothing was uploaded.', err, 'cancelled'));
      else reject(new OperationError(`The build command '${cmd}' could not start: ${err.code === 'ENOENT' ? 'command not found' : err.message}.`, 'Build', 'Nothing was uploaded.', err, 'validation'));
    });
    child.on('close', (code, sig) => {
      if (code === 0) resolve();
      else if (!signal?.aborted) {
        reject(new OperationError(`The build command failed (${sig ? `signal ${sig}` : `exit code ${code}`}); see the log.`, 'Build', 'Nothing was uploaded.', undefined, 'validation'));
      }
    });
  });
}
