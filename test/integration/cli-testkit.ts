/** What the CLI tests share: a stream that keeps its text, one run's result, and runCli in this process. */
import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/run';
import { runCli } from '../../src/cli/run';

/** A stream that keeps what was written to it. */
export class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** One CLI run: its exit code and what it printed. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** What a suite's runs share: their environment, folder, and flags added after every argv (connection, journal). */
export interface CliBase {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  trailingArgs?: readonly string[];
}

/** One run's own options. */
export interface CliRunOptions {
  /** stdin and stderr are terminals: questions are asked instead of needing --yes. */
  tty?: boolean;
  /** A line typed at the first question (stdin then ends). */
  answer?: string;
  /** Its own stdin, left open for the test to write to (instead of `answer`). */
  stdin?: PassThrough;
  /** Its own stderr, to read while it runs. */
  stderr?: Sink;
  signal?: AbortSignal;
  /** Added to the suite's environment. */
  env?: NodeJS.ProcessEnv;
}

/** runCli in this process, its output kept. */
export async function runCliIn(base: CliBase, argv: readonly string[], options: CliRunOptions = {}): Promise<Run> {
  const stdout = new Sink();
  const stderr = options.stderr ?? new Sink();
  let stdin = options.stdin;
  if (!stdin) {
    stdin = new PassThrough();
    stdin.end(options.answer !== undefined ? `${options.answer}\n` : undefined);
  }
  const io: CliIO = {
    stdout,
    stderr,
    stdin,
    env: { ...base.env, ...options.env },
    isTTY: options.tty ?? false,
    ...(base.cwd !== undefined ? { cwd: base.cwd } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const code = await runCli([...argv, ...(base.trailingArgs ?? [])], io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
