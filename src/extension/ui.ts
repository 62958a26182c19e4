import * as vscode from 'vscode';
import { notificationText } from '../shared/text';

/**
 * Every question the extension asks the user goes through this interface, so tests can answer
 * them (see test/extension) while the real VS Code API drives everything else. Each prompt has
 * an id a scripted answer can be matched to.
 */
export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface UserInterface {
  pick<T>(id: string, items: Array<PickItem<T> | vscode.QuickPickItem> | Promise<Array<PickItem<T> | vscode.QuickPickItem>>, options: vscode.QuickPickOptions): Promise<PickItem<T> | undefined>;
  /** A picker of several items (those with `picked` chosen at first); undefined when dismissed. */
  pickMany<T>(id: string, items: Array<PickItem<T>>, options: vscode.QuickPickOptions): Promise<Array<PickItem<T>> | undefined>;
  input(id: string, options: vscode.InputBoxOptions): Promise<string | undefined>;
  /** A modal confirmation; resolves true only when the user chose `action`. */
  confirm(id: string, message: string, detail: string, action: string): Promise<boolean>;
  /**
   * A modal question with several answers and Cancel; resolves the chosen answer, undefined for
   * Cancel. With no `actions` only Cancel is offered (to say why something cannot go on).
   */
  choose(id: string, message: string, detail: string, actions: string[]): Promise<string | undefined>;
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
}

export const vscodeUi: UserInterface = {
  async pick(_id, items, options) {
    const picked = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, matchOnDescription: true, ...options });
    return picked as PickItem<never> | undefined;
  },
  async pickMany(_id, items, options) {
    const picked = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, matchOnDescription: true, ...options, canPickMany: true });
    return picked as Array<PickItem<never>> | undefined;
  },
  input(_id, options) {
    return Promise.resolve(vscode.window.showInputBox({ ignoreFocusOut: true, ...options }));
  },
  async confirm(_id, message, detail, action) {
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
    return answer === action;
  },
  async choose(_id, message, detail, actions) {
    const cancel: vscode.MessageItem = { title: vscode.l10n.t('Cancel'), isCloseAffordance: true };
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions.map((title) => ({ title })), cancel);
    return answer && answer !== cancel ? answer.title : undefined;
  },
  // Notifications render `[label](command:…)` as links: no message is ever meant to hold one.
  info: (m, ...a) => vscode.window.showInformationMessage(notificationText(m), ...a),
  warn: (m, ...a) => vscode.window.showWarningMessage(notificationText(m), ...a),
  error: (m, ...a) => vscode.window.showErrorMessage(notificationText(m), ...a),
};
