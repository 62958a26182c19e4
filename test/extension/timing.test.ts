/**
 * The activation benchmark's figure: time from activate() to the Functions view's first
 * ListFunctions request (connecting included — with no AWS configuration, starting the embedded
 * sandbox). Written as JSON for `npm run bench` to the file named by
 * LAMBDA_CANARY_TEST_TIMING_FILE, else to <tmpdir>/lambda-canary-activation.json. Asserts only
 * that the request is made; the figure itself is not judged here.
 *
 * Run alone (LAMBDA_CANARY_TEST_GREP='^activation timing'), this test activates the extension
 * itself; after the other suites, the extension is already active and the figure is the one of
 * that earlier activation (recorded with alreadyActive: true).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { EXTENSION_ID, VIEW_FUNCTIONS } from '../../src/shared/ids';

describe('activation timing', () => {
  it('records the time from activation to the tree’s first ListFunctions request', async function () {
    this.timeout(60_000);
    const ext = vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    const alreadyActive = ext.isActive;
    const api = await ext.activate();
    // Showing the view makes VS Code ask the tree for its root, which starts the listing.
    await vscode.commands.executeCommand(`${VIEW_FUNCTIONS}.focus`);
    const viewShownAt = Date.now();
    const deadline = Date.now() + 30_000;
    while (api.tree.firstListRequestAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const first = api.tree.firstListRequestAt;
    assert.ok(first !== undefined, 'the Functions view sent ListFunctions within 30 s of being shown');
    const ms = first - api.activatedAt;
    assert.ok(ms >= 0, `the first request (${first}) comes after activation (${api.activatedAt})`);
    const file = process.env.LAMBDA_CANARY_TEST_TIMING_FILE || path.join(os.tmpdir(), 'lambda-canary-activation.json');
    const record = {
      activationToFirstListMs: ms,
      /** Of which: until the view was shown (VS Code's part, when this test activated the extension). */
      activationToViewShownMs: alreadyActive ? undefined : viewShownAt - api.activatedAt,
      alreadyActive,
      recordedAt: new Date().toISOString(),
      host: `VS Code ${vscode.version} (${vscode.env.appName}), Node ${process.version}`,
    };
    fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`      activation → first ListFunctions: ${ms} ms (written to ${file})`);
  });
});
