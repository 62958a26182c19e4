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
/** How many of a failed build's last output lines its error quotes. */
const TAIL_LINES = 5;

export function runBuild(argv: string[], cwd: string, log: Logger, signal?: AbortSignal): Promise<void> {
  if (argv.length === 0) return Promise.resolve();
  const [cmd, ...args] = argv;
  log.info(`$ ${argv.join(' ')}  (in ${cwd})`);
  return new Promise((resolve, reject) => {
    const child = crossSpawn(cmd, args, { cwd, shell: false, signal, windowsHide: true, env: process.env });
    // The last lines it wrote, for the error: a terminal without --verbose shows no log.
    const tail: string[] = [];
    const keep = (line: string) => {
      if (!line.trim()) return;
      tail.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const forward = (stream: NodeJS.ReadableStream, warn: boolean) => {
      let rest = '';
      const emit = (l: string) => {
        (warn ? log.warn : log.info).call(log, `  ${l}`);
        keep(l);
      };
      stream.on('data', (d: Buffer) => {
        const lines = (rest + d.toString('utf8')).split(/\r?\n/);
        rest = lines.pop() ?? '';
        for (const l of lines) emit(l);
      });
      stream.on('end', () => rest && emit(rest));
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
        const last = tail.length ? ` Its last output: ${tail.map((l) => l.trim()).join(' ⏎ ')}` : '';
        reject(new OperationError(`The build command failed (${sig ? `signal ${sig}` : `exit code ${code}`}).${last} (All of it is in the log; in the CLI, with --verbose.)`, { step: 'Build', state: 'Nothing was uploaded.', kind: 'validation' }));
      }
    });
  });
}
