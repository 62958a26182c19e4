/** What every command shares: the exit codes, JSON on stdout, and the yes/no question on a terminal. */
import * as readline from 'node:readline';
import type { Outcome } from '../core/outcome';

/** What run.ts and rollout.ts read and write: the process's streams in `main`, buffers in tests. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** stdin and stderr are both terminals: alias changes are asked about instead of needing --yes. */
  isTTY: boolean;
  /** Aborted on Ctrl+C: the use case stops between steps (a write already sent is never abandoned). */
  signal?: AbortSignal;
  /** Where relative paths (--dir) start; default process.cwd(). */
  cwd?: string;
}

/** The documented exit codes (see EXIT_CODES_TEXT); 130: interrupted (Ctrl+C) while driving a rollout. */
export const EXIT = { done: 0, failed: 1, usage: 2, conflict: 3, unknown: 4, interrupted: 130 } as const;

export function exitCodeOf(o: Outcome): number {
  if (o.state === 'unknown' || o.error?.kind === 'unknown') return EXIT.unknown;
  if (!o.error) return EXIT.done;
  if (o.error.kind === 'validation') return EXIT.usage;
  if (o.error.kind === 'conflict') return EXIT.conflict;
  return EXIT.failed;
}

/**
 * JSON for stdout: JSON.stringify already escapes control characters; the invisible ones it
 * leaves as they are (bidirectional overrides, zero-width, line separators) are escaped too, so
 * the same data reaches a terminal without reordering what it shows.
 */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** One line from stdin; yes only for y or yes. End of input, Ctrl+C or an abort mean no. */
export function ask(io: CliIO, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: io.stdin, output: io.stderr });
    let settled = false;
    const done = (answer: boolean) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(answer);
    };
    rl.on('close', () => done(false));
    rl.on('SIGINT', () => {
      io.stderr.write('\n');
      done(false);
    });
    io.signal?.addEventListener('abort', () => done(false), { once: true });
    rl.question(question, (answer) => done(/^\s*y(es)?\s*$/i.test(answer)));
  });
}
