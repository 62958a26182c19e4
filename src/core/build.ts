import crossSpawn from 'cross-spawn';
import { OperationError } from './errors';
import type { Logger } from './log';

/**
 * Runs the workspace's build command as an argv, streaming its output to the log. No shell
 * interprets it: on Linux and macOS the program is started directly; on Windows, where `npm`,
 * `yarn` and the like are `.cmd` scripts that Node refuses to start without a shell (EINVAL),
 * cross-spawn finds the file through PATH and PATHEXT and, for a script, hands cmd.exe the
 * command line with every argument quoted and its metacharacters escaped — still one argument
 * per word, never a line to interpret.
 */
export function runBuild(argv: string[], cwd: string, log: Logger, signal?: AbortSignal): Promise<void> {
  if (argv.length === 0) return Promise.resolve();
  const [cmd, ...args] = argv;
  log.info(`$ ${argv.join(' ')}  (in ${cwd})`);
  return new Promise((resolve, reject) => {
    const child = crossSpawn(cmd, args, { cwd, shell: false, signal, windowsHide: true, env: process.env });
    const forward = (stream: NodeJS.ReadableStream, warn: boolean) => {
      let rest = '';
      stream.on('data', (d: Buffer) => {
        const lines = (rest + d.toString('utf8')).split(/\r?\n/);
        rest = lines.pop() ?? '';
        for (const l of lines) (warn ? log.warn : log.info).call(log, `  ${l}`);
      });
      stream.on('end', () => rest && (warn ? log.warn : log.info).call(log, `  ${rest}`));
    };
    // stdio is the default "pipe", so both streams exist.
    forward(child.stdout!, false);
    forward(child.stderr!, true);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') reject(new OperationError('Build cancelled.', { step: 'Build', state: 'Nothing was uploaded.', cause: err, kind: 'cancelled' }));
      else reject(new OperationError(`The build command '${cmd}' could not start: ${err.code === 'ENOENT' ? 'command not found' : err.message}.`, { step: 'Build', state: 'Nothing was uploaded.', cause: err, kind: 'validation' }));
    });
    child.on('close', (code, sig) => {
      if (code === 0) resolve();
      else if (!signal?.aborted) {
        reject(new OperationError(`The build command failed (${sig ? `signal ${sig}` : `exit code ${code}`}); see the log.`, { step: 'Build', state: 'Nothing was uploaded.', kind: 'validation' }));
      }
    });
  });
}
