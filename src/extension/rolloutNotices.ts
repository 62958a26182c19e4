import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { notificationText } from '../shared/text';
import { codeDeployNoticeButtons, isCodeDeployView } from './codeDeployText';
import type { ExtensionLog } from './log';
import type { ExtensionRolloutNotice } from './rollouts';
import { NoticeButton, noticeButtons, noticeSeverity } from './rolloutText';
import type { UserInterface } from './ui';

/** The command of a notice's button (the buttons are localised: read when a notice is answered). */
function buttonCommand(choice: string): string | undefined {
  const commands: Record<string, string> = {
    [NoticeButton.resume]: Commands.resumeRollout,
    [NoticeButton.next]: Commands.nextRolloutStep,
    [NoticeButton.abort]: Commands.abortRollout,
    [NoticeButton.open]: Commands.openTrafficPanel,
    [NoticeButton.stop]: Commands.stopCodeDeployRollout,
  };
  return commands[choice];
}

/**
 * The rollouts' notifications: only what the runner says needs a person or finished (no
 * notification per step). Good ends are information; a hold, a manual gate, a roll back or an
 * abort a warning, with buttons that run the controls on that alias.
 */
export class RolloutNotices implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    onNotice: vscode.Event<ExtensionRolloutNotice>,
    private readonly ui: () => UserInterface,
    private readonly log: ExtensionLog,
  ) {
    this.subscription = onNotice((n) => this.show(n));
  }

  private show(n: ExtensionRolloutNotice): void {
    const v = n.view;
    // The runner's message names the alias already (`fn:alias: Rolled back …`).
    const text = notificationText(n.message);
    // A Promote or Abort of this window: its command (or panel) shows the outcome itself.
    if (n.byControl) {
      this.log.info(`Rollout ${v.id}: ${n.message}`);
      return;
    }
    const buttons = isCodeDeployView(v) ? codeDeployNoticeButtons(v) : noticeButtons(v.status);
    const ui = this.ui();
    const shown = noticeSeverity(n.kind, v.status) === 'info' ? ui.info(text, ...buttons) : ui.warn(text, ...buttons);
    void Promise.resolve(shown).then((choice) => {
      const command = choice ? buttonCommand(choice) : undefined;
      if (command) void vscode.commands.executeCommand(command, { functionName: v.functionName, aliasName: v.aliasName });
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
