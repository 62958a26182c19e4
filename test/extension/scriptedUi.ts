import type * as vscode from 'vscode';
import type { PickItem, UserInterface } from '../../src/extension/ui';

/**
 * A scripted prompt layer: each answer is matched to the prompt id the extension uses, so the
 * commands run exactly as from the UI while the test decides what the user picks.
 */
export class ScriptedUi implements UserInterface {
  answers: Array<{ id: string; answer: string | boolean | string[] }> = [];
  asked: string[] = [];
  errors: string[] = [];
  infos: string[] = [];
  /** Warnings (also in `infos`), with the buttons each offered. */
  warnings: Array<{ message: string; actions: string[] }> = [];
  validation: Array<string | undefined> = [];
  /** The labels each picker offered, by prompt id. */
  offered: Record<string, string[]> = {};
  /** The items each picker offered, by prompt id. */
  offeredItems: Record<string, vscode.QuickPickItem[]> = {};
  /** Every item each picker offered, separators included, and the options it was opened with, by prompt id. */
  allItems: Record<string, vscode.QuickPickItem[]> = {};
  pickOptions: Record<string, vscode.QuickPickOptions> = {};
  /** The options each input box was opened with, by prompt id (its prefilled value, its title). */
  inputOptions: Record<string, vscode.InputBoxOptions> = {};
  /** Each confirmation's text, in order. */
  confirmations: Array<{ id: string; message: string; detail: string }> = [];
  /** Runs while a picker is open, as if the user did something else meanwhile. */
  whilePicking: ((id: string) => Promise<void>) | undefined;

  /** Forgets what the previous test was asked and told (the answers it was scripted with stay until the next script). */
  reset(): void {
    this.asked = [];
    this.errors = [];
    this.infos = [];
    this.offers = [];
    this.warnings = [];
    this.validation = [];
  }

  script(...answers: Array<[string, string | boolean | string[]]>): void {
    this.answers = answers.map(([id, answer]) => ({ id, answer }));
  }
  private next(id: string): string | boolean | string[] | undefined {
    this.asked.push(id);
    const i = this.answers.findIndex((a) => a.id === id);
    if (i < 0) return undefined; // unscripted prompt = dismissed
    return this.answers.splice(i, 1)[0].answer;
  }
  async pick<T>(id: string, items: Array<PickItem<T> | vscode.QuickPickItem> | Promise<Array<PickItem<T> | vscode.QuickPickItem>>, options: vscode.QuickPickOptions = {}): Promise<PickItem<T> | undefined> {
    const all = await items;
    this.allItems[id] = all;
    this.pickOptions[id] = options;
    const list = all.filter((i): i is PickItem<T> => 'value' in i);
    this.offered[id] = list.map((i) => i.label);
    this.offeredItems[id] = list;
    const hook = this.whilePicking;
    this.whilePicking = undefined;
    await hook?.(id);
    const label = this.next(id);
    if (label === undefined) return undefined;
    if (typeof label !== 'string') throw new Error(`prompt ${id}: a single pick is answered with one label, not ${JSON.stringify(label)}`);
    const found = list.find((i) => i.label === label);
    if (!found) throw new Error(`prompt ${id}: no item '${String(label)}' in [${list.map((i) => i.label).join(', ')}]`);
    return found;
  }
  /** A multi-select picker, answered with the labels to choose (a list; [] chooses none), or true for the items chosen at first. The items offered first chosen are in `prePicked`. */
  prePicked: Record<string, string[]> = {};
  async pickMany<T>(id: string, items: Array<PickItem<T>>, options: vscode.QuickPickOptions = {}): Promise<Array<PickItem<T>> | undefined> {
    this.allItems[id] = items;
    this.pickOptions[id] = options;
    this.offered[id] = items.map((i) => i.label);
    this.offeredItems[id] = items;
    this.prePicked[id] = items.filter((i) => i.picked).map((i) => i.label);
    const answer = this.next(id);
    if (answer === undefined || answer === false) return undefined;
    if (answer === true) return items.filter((i) => i.picked); // accepted as offered
    if (!Array.isArray(answer)) throw new Error(`prompt ${id}: a multi-select is answered with a list of labels, or true (as offered)`);
    return answer.map((label) => {
      const found = items.find((i) => i.label === label);
      if (!found) throw new Error(`prompt ${id}: no item '${label}' in [${items.map((i) => i.label).join(', ')}]`);
      return found;
    });
  }
  async input(id: string, options: vscode.InputBoxOptions): Promise<string | undefined> {
    this.inputOptions[id] = options;
    const value = this.next(id);
    if (typeof value !== 'string') return undefined;
    const message = await options.validateInput?.(value);
    this.validation.push(typeof message === 'string' ? message : undefined);
    // A real input box does not accept a value its validation refuses: the user must cancel.
    return message ? undefined : value;
  }
  /** Runs while a confirmation is open, as if someone acted meanwhile (e.g. another client). */
  whileConfirming: ((id: string) => Promise<void>) | undefined;
  async confirm(id: string, message = '', detail = ''): Promise<boolean> {
    this.confirmations.push({ id, message, detail });
    const hook = this.whileConfirming;
    this.whileConfirming = undefined;
    await hook?.(id);
    return this.next(id) === true;
  }
  /** The answers each modal question with several answers offered, by prompt id. */
  choices: Record<string, string[]> = {};
  async choose(id: string, message: string, detail: string, actions: string[]): Promise<string | undefined> {
    this.confirmations.push({ id, message, detail });
    this.choices[id] = actions;
    const answer = this.next(id);
    if (answer === undefined || answer === false) return undefined; // unscripted or false = Cancel
    if (typeof answer !== 'string' || !actions.includes(answer)) throw new Error(`prompt ${id}: no answer '${String(answer)}' in [${actions.join(', ')}]`);
    return answer;
  }
  /** Notifications with buttons, and the buttons each offered. */
  offers: Array<{ message: string; actions: string[] }> = [];
  /** A notification's buttons are answered by the script under `notification:<first button>` (unscripted: dismissed). */
  info(message: string, ...actions: string[]): Thenable<string | undefined> {
    this.infos.push(message);
    if (actions.length === 0) return Promise.resolve(undefined);
    this.offers.push({ message, actions });
    const answer = this.next(`notification:${actions[0]}`);
    return Promise.resolve(typeof answer === 'string' && actions.includes(answer) ? answer : undefined);
  }
  warn(message: string, ...actions: string[]): Thenable<string | undefined> {
    this.infos.push(message);
    this.warnings.push({ message, actions });
    return Promise.resolve(undefined);
  }
  error(message: string): Thenable<string | undefined> {
    this.errors.push(message);
    return Promise.resolve(undefined);
  }
}

