/** What the CLI tests share: a stream that keeps its text, and one run's result. */
import { Writable } from 'node:stream';

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
