import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { EXTENSION_ID } from '../../src/shared/ids';

/** Tabs of the Welcome / walkthrough editor (it has no public input type: known by its label). */
const welcomeTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => /^(Welcome|Walkthrough\b)/.test(t.label));

describe('the getting-started walkthrough in a test run', () => {
  it('is not opened by the activation of the extension-host tests (it would take their editor)', async () => {
    const ext = vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    // The first-run offer runs at once in activate(): give the workbench the time to open an editor.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(welcomeTabs().map((t) => t.label), [], 'no Welcome or walkthrough tab');
  });
});
