import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import type { RolloutView } from '../shared/rollout';
import { rolloutStatusText } from './rolloutText';

/** What the status bar item of the rollouts shows (read by the extension-host tests). */
export interface RolloutStatusState {
  readonly visible: boolean;
  readonly text: string;
  readonly tooltip: string;
  /** A held or waiting rollout: the warning background. */
  readonly warning: boolean;
}

/**
 * One status bar item, left, after the connection's: the running rollouts of this window, hidden
 * when there are none. A click opens the traffic panel of the one rollout (or asks which).
 * Redrawn at most once a second: evidence changes every tick.
 */
export class RolloutStatusBar implements vscode.Disposable, RolloutStatusState {
  private readonly item = vscode.window.createStatusBarItem('lambdaCanary.rollouts', vscode.StatusBarAlignment.Left, 49);
  private readonly subscriptions: vscode.Disposable[];
  private timer?: ReturnType<typeof setTimeout>;
  private last = 0;
  visible = false;
  text = '';
  tooltip = '';
  warning = false;

  constructor(
    private readonly rollouts: { views(): RolloutView[]; readonly onDidChange: vscode.Event<RolloutView> },
    onConnectionChange: vscode.Event<unknown>,
  ) {
    this.item.name = vscode.l10n.t('Lambda Canary Rollouts');
    this.item.command = Commands.showRollouts;
    this.subscriptions = [rollouts.onDidChange(() => this.schedule()), onConnectionChange(() => this.schedule())];
    this.update();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = this.last + 1000 - Date.now();
    if (wait <= 0) this.update();
    else this.timer = setTimeout(() => this.update(), wait);
  }

  /** Redraws now. */
  update(): void {
    this.timer = undefined;
    this.last = Date.now();
    const s = rolloutStatusText(this.rollouts.views());
    this.visible = !!s;
    this.text = s?.text ?? '';
    this.tooltip = s?.tooltip ?? '';
    this.warning = !!s?.warning;
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = s.text;
    this.item.tooltip = `${s.tooltip}\n${vscode.l10n.t('Click to open its traffic panel.')}`;
    this.item.backgroundColor = s.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
