import * as vscode from 'vscode';
import type { LogLevel } from '../core/log';
import { RedactingLogger } from '../core/log';

/** The "Lambda Canary" log channel, also serving as core's Logger; every line is redacted first. */
export class ExtensionLog extends RedactingLogger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    super();
    this.channel = vscode.window.createOutputChannel('Lambda Canary', { log: true });
  }

  protected write(level: LogLevel, line: string): void {
    this.channel[level](line);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
