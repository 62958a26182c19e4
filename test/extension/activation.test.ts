import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { listAllFunctions } from '../../src/core/lambdaApi';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { Commands, EXTENSION_ID, VIEW_FUNCTIONS } from '../../src/shared/ids';

interface Manifest {
  publisher: string;
  name: string;
  main: string;
  contributes: {
    viewsContainers: { activitybar: Array<{ id: string; title: string }> };
    views: Record<string, Array<{ id: string; name: string }>>;
    commands: Array<{ command: string; title: string }>;
  };
}

describe('activation', () => {
  let ext: vscode.Extension<LambdaCanaryApi>;
  let manifest: Manifest;

  before(() => {
    const found = vscode.extensions.getExtension<LambdaCanaryApi>('lambda-canary.lambda-canary');
    assert.ok(found, 'lambda-canary.lambda-canary is loaded (extensionDevelopmentPath)');
    ext = found;
    manifest = ext.packageJSON as Manifest;
  });

  it('is installed under the id publisher.name of its package.json', () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.equal(ext.id.toLowerCase(), EXTENSION_ID);
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('activates and returns its API', async () => {
    const api = await ext.activate();
    assert.ok(ext.isActive, 'the extension is active');
    assert.equal(typeof api.setUserInterface, 'function');
    assert.equal(typeof api.tree.getChildren, 'function');
    assert.ok(api.activatedAt <= Date.now());
  });

  it('contributes the Functions view in its own activity-bar container, and the view opens', async () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((c) => c.id === 'lambdaCanary');
    assert.ok(container, 'the lambdaCanary activity-bar container is contributed');
    assert.deepEqual(
      manifest.contributes.views.lambdaCanary.map((v) => v.id),
      [VIEW_FUNCTIONS],
    );
    // VS Code registers `<view id>.focus` only for views it knows; running it reveals the view.
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes(`${VIEW_FUNCTIONS}.focus`), `${VIEW_FUNCTIONS}.focus is registered`);
    await vscode.commands.executeCommand(`${VIEW_FUNCTIONS}.focus`);
  });

  it('registers a handler for every command it contributes', async () => {
    await ext.activate();
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(Commands).sort(), 'package.json and src/shared/ids.ts list the same commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'every contributed command has a handler');
  });
});

describe('connection', () => {
  it('a settings change whose event arrives after a connection was made from the new settings keeps that connection', async function () {
    this.timeout(60_000);
    const api = await vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID)!.activate();
    const config = () => vscode.workspace.getConfiguration('lambdaCanary');
    await config().update('connection', 'sandbox', vscode.ConfigurationTarget.Global);
    const before = config().get<boolean>('sandbox.traffic') ?? false;
    try {
      for (let round = 0; round < 6; round++) {
        await api.connection.reconnect();
        // Written, then connected at once, as a test or a command that sets the connection does;
        // VS Code may deliver the change event only afterwards.
        await config().update('sandbox.traffic', round % 2 === 0 ? !before : before, vscode.ConfigurationTarget.Global);
        // Select Connection writes several settings one after another: several events, several reconnects.
        if (round % 3 === 2) await config().update('sandbox.seedDemo', round % 2 === 0, vscode.ConfigurationTarget.Global);
        const clients = await api.connection.current();
        const sandbox = api.connection.embeddedSandbox;
        assert.ok(sandbox, `round ${round}: the embedded sandbox runs`);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(api.connection.embeddedSandbox, sandbox, `round ${round}: the late change event did not stop the sandbox just started from the same settings`);
        // The clients current() gave still answer (a disposed client or a stopped sandbox throws).
        await assert.doesNotReject(listAllFunctions(clients.lambda), `round ${round}: the clients current() gave still work`);
      }
    } finally {
      await config().update('sandbox.traffic', before, vscode.ConfigurationTarget.Global);
      await config().update('sandbox.seedDemo', undefined, vscode.ConfigurationTarget.Global);
      await new Promise((r) => setTimeout(r, 300));
    }
  });
});
