import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import type { ExtensionLog } from './log';
import type { ReleaseNotice } from './releases';
import { ReleaseButton, releaseNotice } from './releaseText';
import type { UserInterface } from './ui';

/** The command of a notice's button (the buttons are localised: read when a notice is answered). */
function buttonCommand(choice: string): string | undefined {
  const commands: Record<string, string> = {
    [ReleaseButton.resume]: Commands.resumeRelease,
    [ReleaseButton.promote]: Commands.promoteRelease,
    [ReleaseButton.restore]: Commands.restoreRelease,
    [ReleaseButton.open]: Commands.openRelease,
  };
  return commands[choice];
}

/**
 * The releases' notifications: an end (promoted; rolled back, failed, restored or aborted and
 * why), a hold or a manual gate (what to do), a release found interrupted — with buttons that run
 * the controls on it. No notification per step.
 */
export class ReleaseNotices implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    onNotice: vscode.Event<ReleaseNotice>,
    private readonly ui: () => UserInterface,
    private readonly log: ExtensionLog,
  ) {
    this.subscription = onNotice((n) => this.show(n));
  }

  private show(n: ReleaseNotice): void {
    const { text, severity, buttons } = releaseNotice(n.view, n.elsewhere);
    this.log.info(text);
    // A control of this window: its command shows the outcome itself.
    if (n.byControl) return;
    const ui = this.ui();
    const shown = severity === 'info' ? ui.info(text, ...buttons) : ui.warn(text, ...buttons);
    void Promise.resolve(shown).then((choice) => {
      const command = choice ? buttonCommand(choice) : undefined;
      if (command) void vscode.commands.executeCommand(command, { releaseId: n.view.id });
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
