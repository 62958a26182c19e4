import { redact } from './redact';

/** The logger core code writes to; the extension backs it with a LogOutputChannel, tests with an array. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

/**
 * A Logger that redacts every line before writing it: AWS error messages can echo the
 * credentials a request was signed with. Every Logger of the product extends it.
 */
export abstract class RedactingLogger implements Logger {
  protected abstract write(level: LogLevel, line: string): void;
  info(m: string): void {
    this.write('info', redact(m));
  }
  warn(m: string): void {
    this.write('warn', redact(m));
  }
  error(m: string): void {
    this.write('error', redact(m));
  }
  debug(m: string): void {
    this.write('debug', redact(m));
  }
}

/** Collects lines; handy in tests and for composing an operation's report. */
export class MemoryLogger extends RedactingLogger {
  readonly lines: string[] = [];
  protected write(level: LogLevel, line: string): void {
    this.lines.push(`${level} ${line}`);
  }
}
