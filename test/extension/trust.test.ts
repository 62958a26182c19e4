import assert from 'node:assert/strict';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import type { LambdaCanaryApi } from '../../src/extension/extension';
import { EXTENSION_ID } from '../../src/shared/ids';

/**
 * A workspace's settings choosing where requests signed with the user's credentials go: an
 * endpoint that is neither this machine nor AWS is asked about first. Every endpoint used here
 * stays on this machine or is never contacted: a declined one gets no client at all, and the
 * allowed one (0.0.0.0, which is not loopback by name) uses a profile that does not exist, so
 * no credentials are resolved and nothing leaves the machine.
 */
describe('workspace trust: an endpoint from the workspace settings', function () {
  this.timeout(60_000);
  let api: LambdaCanaryApi;
  const asked: string[] = [];
  const askedProfiles: Array<string | undefined> = [];
  let answer = false;
  let restoreAsk: LambdaCanaryApi['connection']['askEndpointConsent'];
  const config = () => vscode.workspace.getConfiguration('lambdaCanary');
  const setWorkspace = async (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) await config().update(k, v, vscode.ConfigurationTarget.Workspace);
  };

  before(async () => {
    const ext = vscode.extensions.getExtension<LambdaCanaryApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    restoreAsk = api.connection.askEndpointConsent;
    api.connection.askEndpointConsent = async (host, _endpointUrl, profile) => {
      asked.push(host);
      askedProfiles.push(profile);
      return answer;
    };
  });

  after(async () => {
    api.connection.askEndpointConsent = restoreAsk;
    await setWorkspace({ endpointUrl: undefined, profile: undefined, connection: undefined });
    await api.connection.reconnect();
  });

  it('declared: limited support in untrusted workspaces, the connection settings restricted', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const caps = (ext.packageJSON as { capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } } }).capabilities.untrustedWorkspaces;
    assert.equal(caps.supported, 'limited');
    assert.deepEqual(caps.restrictedConfigurations.sort(), [
      'lambdaCanary.codeDeploy.afterAllowTrafficHook',
      'lambdaCanary.codeDeploy.application',
      'lambdaCanary.codeDeploy.beforeAllowTrafficHook',
      'lambdaCanary.codeDeploy.deploymentGroup',
      'lambdaCanary.codeDeploy.serviceRoleArn',
      'lambdaCanary.connection',
      'lambdaCanary.endpointUrl',
      'lambdaCanary.profile',
      'lambdaCanary.region',
    ]);
  });

  it('the embedded sandbox gets a new access key at each start, and refuses requests signed with another', async () => {
    await setWorkspace({ connection: 'sandbox' });
    await api.connection.reconnect();
    const clients = await api.connection.current();
    const sb = api.connection.embeddedSandbox;
    assert.ok(sb?.accessKeyId, 'started with an access key');
    assert.match(sb.accessKeyId, /^[A-Z0-9]{16,128}$/);
    assert.equal(clients.spec.kind === 'sandbox' ? clients.spec.accessKeyId : undefined, sb.accessKeyId);
    await clients.lambda.send(new ListFunctionsCommand({}));
    const other = new LambdaClient({ endpoint: sb.endpoint, region: sb.region, credentials: { accessKeyId: 'AKIAOTHERPROGRAM0000', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      await assert.rejects(other.send(new ListFunctionsCommand({})), /security token included in the request is invalid|UnrecognizedClient/);
    } finally {
      other.destroy();
    }
    await api.connection.reconnect();
    await api.connection.current();
    assert.notEqual(api.connection.embeddedSandbox?.accessKeyId, sb.accessKeyId, 'a new key for the new start');
  });

  it('"No": no connection with credentials, asked once this window, and the error says what to do', async () => {
    answer = false;
    await setWorkspace({ connection: 'aws', endpointUrl: 'https://collector.invalid:8443' });
    await api.connection.reconnect();
    await assert.rejects(api.connection.current(), /Not connected: this workspace's settings point lambdaCanary\.endpointUrl at collector\.invalid:8443.*credentials were not sent there\. Remove lambdaCanary\.endpointUrl from the workspace settings/);
    assert.deepEqual(asked, ['collector.invalid:8443']);
    await api.connection.reconnect();
    await assert.rejects(api.connection.current(), /Not connected/);
    assert.deepEqual(asked, ['collector.invalid:8443'], 'not asked again after No');
  });

  it('"Connect": clients for that endpoint, and the answer is remembered for the workspace', async () => {
    answer = true;
    asked.length = 0;
    await setWorkspace({ connection: 'aws', profile: 'lc-trust-test-no-such-profile', endpointUrl: 'http://0.0.0.0:9' });
    await api.connection.reconnect();
    const clients = await api.connection.current();
    assert.equal(clients.spec.kind, 'aws');
    assert.equal(clients.spec.kind === 'aws' && clients.spec.endpointUrl, 'http://0.0.0.0:9');
    // Each setting written reconnects, so a question about the previous endpoint with the new
    // profile may come first, depending on when the events arrive: the endpoint's is what counts.
    assert.ok(asked.includes('0.0.0.0:9'), `asked about 0.0.0.0:9 (asked: ${JSON.stringify(asked)})`);
    const questions = asked.length;
    answer = false;
    await api.connection.reconnect();
    await api.connection.current();
    assert.equal(asked.length, questions, `remembered: not asked again (asked: ${JSON.stringify(asked)})`);
  });

  it('a "Connect" for one profile does not cover the workspace switching to another profile', async () => {
    // Each setting written reconnects (the tree connects again): questions are compared as a set.
    const questions = () => [...new Set(asked.map((host, i) => `${host} as ${askedProfiles[i] ?? '(default chain)'}`))];
    const clear = () => {
      asked.length = 0;
      askedProfiles.length = 0;
    };
    answer = true;
    clear();
    await setWorkspace({ connection: 'aws', profile: 'lc-trust-test-dev', endpointUrl: 'http://0.0.0.0:11' });
    await api.connection.reconnect();
    await api.connection.current();
    assert.ok(questions().includes('0.0.0.0:11 as lc-trust-test-dev'), `the question names the profile: ${questions().join('; ')}`);
    answer = false;
    clear();
    await setWorkspace({ profile: 'lc-trust-test-prod-admin' });
    await api.connection.reconnect();
    await assert.rejects(api.connection.current(), /Not connected/);
    assert.deepEqual(questions(), ['0.0.0.0:11 as lc-trust-test-prod-admin'], 'asked again for the other profile');
    clear();
    await setWorkspace({ profile: 'lc-trust-test-dev' });
    await api.connection.reconnect();
    await api.connection.current();
    assert.deepEqual(questions(), [], 'the first profile is still remembered');
  });

  it('an API Gateway host under amazonaws.com is asked about, not taken for AWS', async () => {
    answer = false;
    asked.length = 0;
    await setWorkspace({ connection: 'aws', profile: 'lc-trust-test-dev', endpointUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod' });
    await api.connection.reconnect();
    await assert.rejects(api.connection.current(), /Not connected: .*abc123\.execute-api\.us-east-1\.amazonaws\.com/);
    assert.deepEqual(asked, ['abc123.execute-api.us-east-1.amazonaws.com']);
  });

  it('an endpoint the user set (User settings) is not asked about', async () => {
    asked.length = 0;
    await setWorkspace({ endpointUrl: undefined });
    await config().update('endpointUrl', 'http://0.0.0.0:10', vscode.ConfigurationTarget.Global);
    try {
      await api.connection.reconnect();
      await api.connection.current();
      assert.deepEqual(asked, []);
    } finally {
      await config().update('endpointUrl', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
