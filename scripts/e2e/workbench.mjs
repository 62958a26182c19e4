// Driving VS Code's workbench (code-server in chromium) the way a person does: the activity bar,
// the tree, its context menus, quick picks, input boxes, modal dialogs, notifications and
// webviews. Selectors are the ones verified in shared/VSCODE-E2E.md; every wait polls for a
// condition (no fixed sleeps, except the one the context-menu pitfall needs).
/* global document, window, setInterval */

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Thrown inside a waitFor condition to stop waiting at once (what was awaited can no longer happen). */
export class StopWaiting extends Error {}

/** Polls `fn` until it returns a truthy value; throws `describe()` (or the last error) on time out. */
export async function waitFor(fn, { timeout = 30_000, interval = 150, what = 'condition', describe } = {}) {
  const t0 = Date.now();
  let lastError;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      lastError = undefined;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      lastError = e;
    }
    if (Date.now() - t0 > timeout) {
      const detail = describe ? await Promise.resolve(describe()).catch((e) => `(${e.message})`) : lastError?.message;
      throw new Error(`timed out after ${(timeout / 1000).toFixed(0)} s waiting for ${what}${detail ? `: ${detail}` : ''}`);
    }
    await sleep(interval);
  }
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An exact-text regexp for a string, or the regexp itself. */
const exact = (text) => (text instanceof RegExp ? text : new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`));

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    this.sidebar = page.locator('#workbench\\.parts\\.sidebar');
  }

  /**
   * Records every notification text the workbench shows (toasts come and go faster than a
   * poll can be sure to see them, e.g. a short progress notification). Call before goto().
   */
  async recordNotifications() {
    await this.page.addInitScript(() => {
      const seen = [];
      window.__lcNotifications = seen;
      setInterval(() => {
        for (const el of document.querySelectorAll('.notifications-toasts .notification-list-item')) {
          const text = el.querySelector('.notification-list-item-message')?.textContent?.trim();
          if (!text) continue;
          const progress = Boolean(el.querySelector('.monaco-progress-container.active, .monaco-progress-container.infinite, .monaco-progress-container.discrete'));
          const last = seen.findLast?.((n) => n.text === text);
          if (!last || last.gone) seen.push({ text, progress, at: Date.now(), gone: false });
          else if (progress) last.progress = true;
        }
        for (const n of seen) {
          if (n.gone) continue;
          const still = [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')].some((el) => el.textContent?.trim() === n.text);
          if (!still) n.gone = true;
        }
      }, 50);
    });
  }

  /** Notifications seen since `since` (ms epoch). */
  notifications(since = 0) {
    return this.page.evaluate((s) => (window.__lcNotifications ?? []).filter((n) => n.at >= s), since);
  }

  /** The first notification matching `match`; one matching `failOn` first fails at once, with its text. */
  async waitForNotification(match, { since = 0, timeout = 60_000, failOn } = {}) {
    const re = match instanceof RegExp ? match : new RegExp(escapeRegExp(match));
    return waitFor(async () => {
      const seen = await this.notifications(since);
      const failed = failOn && seen.find((n) => failOn.test(n.text));
      if (failed) throw new StopWaiting(`instead of a notification matching ${re}: "${failed.text}"`);
      return seen.find((n) => re.test(n.text));
    }, {
      timeout,
      what: `a notification matching ${re}`,
      describe: async () => `seen: ${JSON.stringify((await this.notifications(since)).map((n) => n.text))}`,
    });
  }

  /** The workbench is up and the Lambda Canary activity-bar entry is there. */
  async ready(timeout = 120_000) {
    await this.page.locator('.monaco-workbench').waitFor({ timeout });
    await this.activityEntry('Lambda Canary').waitFor({ timeout });
  }

  activityEntry(title) {
    return this.page.locator(`.activitybar .action-item a.action-label[aria-label^="${title}"]`);
  }

  /** Shows a view container (without toggling it closed when it is already shown). */
  async openViewContainer(title) {
    const entry = this.activityEntry(title);
    const item = this.page.locator('.activitybar .action-item', { has: this.page.locator(`a.action-label[aria-label^="${title}"]`) });
    if (!(await item.getAttribute('class'))?.split(/\s+/).includes('checked')) await entry.click();
    await waitFor(async () => (await item.getAttribute('class'))?.split(/\s+/).includes('checked'), { what: `the ${title} view container to be shown` });
  }

  /** The sidebar's tree rows as { label, description, level, expanded }. */
  treeRows() {
    return this.sidebar.locator('.monaco-list-row[role="treeitem"]').evaluateAll((rows) =>
      rows.map((r) => ({
        label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: r.querySelector('.label-description')?.textContent?.trim() ?? '',
        level: Number(r.getAttribute('aria-level')),
        expanded: r.getAttribute('aria-expanded') === null ? undefined : r.getAttribute('aria-expanded') === 'true',
        index: Number(r.getAttribute('data-index')),
      })).sort((a, b) => a.index - b.index),
    );
  }

  async describeTree() {
    const rows = await this.treeRows().catch(() => []);
    return `the tree shows ${JSON.stringify(rows.map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.label}${r.description ? ` [${r.description}]` : ''}`))}`;
  }

  /** The row whose label is exactly `label` (a string) or matches it (a RegExp). */
  row(label) {
    return this.sidebar.locator('.monaco-list-row[role="treeitem"]').filter({ has: this.page.locator('.label-name', { hasText: exact(label) }) });
  }

  /** Waits for a row and returns its { label, description, … }. */
  async waitForRow(label, { timeout = 30_000, description } = {}) {
    const re = exact(label);
    const d = description === undefined ? undefined : exact(description);
    return waitFor(async () => (await this.treeRows()).find((r) => re.test(r.label) && (!d || d.test(r.description))), {
      timeout,
      what: `a tree row ${re}${d ? ` described ${d}` : ''}`,
      describe: () => this.describeTree(),
    });
  }

  async waitForNoRow(label, { timeout = 30_000 } = {}) {
    const re = exact(label);
    await waitFor(async () => !(await this.treeRows()).some((r) => re.test(r.label)), { timeout, what: `no tree row ${re}`, describe: () => this.describeTree() });
  }

  /** Expands a collapsed row (a click toggles it) and waits until it is expanded. */
  async expand(label) {
    const r = await this.waitForRow(label);
    if (r.expanded === true) return;
    await this.row(label).first().click();
    await waitFor(async () => (await this.treeRows()).find((x) => exact(label).test(x.label))?.expanded === true, { what: `${label} to expand`, describe: () => this.describeTree() });
  }

  /** Right-clicks a row and chooses a context-menu item. */
  async contextMenu(rowLabel, itemName) {
    const row = this.row(rowLabel).first();
    await row.waitFor();
    const item = this.page.getByRole('menuitem', { name: exact(itemName) });
    for (let attempt = 1; ; attempt++) {
      await row.click({ button: 'right' });
      await item.waitFor({ timeout: 10_000 });
      // Menu items ignore the mouse for their first 100 ms (a click right away is often lost).
      await sleep(300);
      await item.click();
      const closed = await waitFor(async () => !(await item.isVisible()), { timeout: 3000, what: 'the menu to close' }).then(() => true, () => false);
      if (closed) return;
      if (attempt >= 3) throw new Error(`the context menu item "${itemName}" did not react to clicks`);
      await this.page.keyboard.press('Escape');
    }
  }

  menuItems() {
    return this.page.getByRole('menuitem').allInnerTexts();
  }

  get quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /** Runs a command from the palette by its full title ("Lambda Canary: Switch Alias…"). */
  async runCommand(title) {
    const input = this.quickInput.locator('.quick-input-box input');
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exact(title) }) }).first();
    // The palette closes when focus moves (an editor the previous command closes, a view or an
    // editor that opens and takes focus): then it is opened again rather than waited on.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.closeQuickInput();
        await this.page.keyboard.press('F1');
        await input.waitFor({ timeout: 10_000 });
        await input.fill(`>${title}`, { timeout: 5000 });
        await row.waitFor({ timeout: 15_000 });
        await row.click({ timeout: 5000 });
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  /** The items a quick pick offers (labels). */
  async quickPickItems() {
    return this.quickInput.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
  }

  /** Waits for a quick pick titled like `title` (optional) and picks the item labelled `label`. */
  async pick(label, { title, timeout = 30_000 } = {}) {
    await this.quickInput.waitFor({ state: 'visible', timeout });
    if (title) {
      const t = this.quickInput.locator('.quick-input-title');
      await waitFor(async () => exact(title).test((await t.innerText().catch(() => '')) ?? ''), { timeout, what: `a quick pick titled ${title}`, describe: async () => `its title is "${await t.innerText().catch(() => '')}"` });
    }
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exact(label) }) }).first();
    // The list renders only the rows in view: an item further down is found by filtering for it, as a user would.
    const shown = await waitFor(() => row.isVisible(), { timeout: Math.min(timeout, 3000), what: '' }).then(() => true, () => false);
    if (!shown && typeof label === 'string') await this.quickInput.locator('.quick-input-box input').fill(label);
    await waitFor(() => row.isVisible(), { timeout, what: `the quick-pick item "${label}"`, describe: async () => `it offers ${JSON.stringify(await this.quickPickItems())}` });
    await row.click();
  }

  /** Types into the open input box (replacing its value). */
  async typeInput(text) {
    const input = this.quickInput.locator('.quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
  }

  /** The input box's validation (or prompt) message. */
  inputMessage() {
    return this.quickInput.locator('.quick-input-message').innerText().catch(() => '');
  }

  async closeQuickInput() {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    }
  }

  /** Answers a modal dialog (showWarningMessage with modal: true) with its button `action`. */
  async answerDialog(action, { message } = {}) {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    if (message) {
      const text = await dialog.innerText();
      if (!(message instanceof RegExp ? message.test(text) : text.includes(message))) throw new Error(`the dialog says "${text.replace(/\s+/g, ' ')}", expected ${message}`);
    }
    const button = dialog.getByRole('button', { name: exact(action) });
    await button.waitFor();
    await sleep(200); // the dialog's buttons, like menus, may miss a click while it animates in
    const answered = await dialog.innerText();
    await button.click();
    // Closed, or replaced by the next question (a pre-flight is followed by the command's own confirmation).
    await waitFor(async () => !(await dialog.isVisible()) || (await dialog.innerText().catch(() => '')) !== answered, { timeout: 10_000, what: `the dialog answered "${action}" to close` });
  }

  /** Text of the status bar. */
  statusBarText() {
    return this.page.locator('#workbench\\.parts\\.statusbar').innerText();
  }

  /** Closes the notification toasts (at most 3 show at once). */
  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
    await waitFor(async () => (await this.page.locator('.notifications-toasts .notification-list-item').count()) === 0, { timeout: 10_000, what: 'the toasts to close' }).catch(() => undefined);
  }

  /** Editor tab titles. */
  editorTabs() {
    return this.page.locator('.tabs-container .tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('aria-label') ?? t.textContent?.trim() ?? ''));
  }

  /** The content of the (one) webview shown in the editor area: two nested iframes. */
  webview() {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }
}
