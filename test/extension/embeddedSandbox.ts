import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { EXTENSION_ID } from '../../src/shared/ids';

/**
 * Activates the extension on its embedded sandbox (connected here, not by a suite run before this
 * one) and gives the SDK client settings of that sandbox, for tests to set functions up and read
 * them back. `reconnect`: start from a new connection (and a new sandbox).
 */
export async function onEmbeddedSandbox(opts: { reconnect?: boolean } = {}) {
  await vscode.workspace.getConfiguration('lambdaCanary').update('connection', 'sandbox', vscode.ConfigurationTarget.Global);
  const ext = vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  const api = await ext.activate();
  if (opts.reconnect) await api.connection.reconnect();
  const clients = await api.connection.current();
  const sandbox = api.connection.embeddedSandbox;
  assert.ok(sandbox, 'the embedded sandbox runs');
  assert.equal(clients.spec.kind, 'sandbox');
  const clientConfig = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId ?? 'x', secretAccessKey: 'x' } };
  return { api, sandbox, clientConfig };
}
