import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { MessageNode } from '../../src/extension/tree';
import { EXTENSION_ID } from '../../src/shared/ids';

/**
 * A profile whose credentials cannot be resolved: the Functions view's error row names the cause
 * and the fix. The profile files are the test's own (AWS_CONFIG_FILE and HOME pointed at a
 * temporary folder in this extension host), never the user's ~/.aws.
 */
describe('credential errors in the Functions view', () => {
  const VARS = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'HOME', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
  const saved: Record<string, string | undefined> = {};
  const config = () => vscode.workspace.getConfiguration('lambdaCanary');
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ext-creds-'));
    fs.writeFileSync(path.join(root, 'config'), '[profile orphan-role]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n\n[profile other]\nregion = eu-west-1\n');
    for (const k of VARS) saved[k] = process.env[k];
    for (const k of VARS) delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: path.join(root, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'credentials'), HOME: root });
  });

  after(async () => {
    for (const k of ['connection', 'profile', 'endpointUrl']) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    for (const k of VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("a role profile whose source_profile does not exist: the error row names it", async function () {
    this.timeout(30_000);
    const api = await vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID)!.activate();
    await config().update('connection', 'aws', vscode.ConfigurationTarget.Global);
    await config().update('profile', 'orphan-role', vscode.ConfigurationTarget.Global);
    // A closed loopback port: no request leaves the machine should one ever be sent.
    await config().update('endpointUrl', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    await api.connection.reconnect();
    let row: MessageNode | undefined;
    for (let i = 0; i < 100 && !row; i++) {
      api.tree.refresh();
      row = (await api.tree.getChildren()).find((n): n is MessageNode => n.kind === 'message' && n.isError);
      if (!row) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(row, 'an error row');
    assert.match(row.text, /Profile 'orphan-role' assumes role arn:aws:iam::123456789012:role\/deployer with source_profile 'base', and there is no profile 'base'/);
    assert.match(row.text, /'orphan-role', 'other'|'other', 'orphan-role'/);
  });
});
