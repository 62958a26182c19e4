import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeDeployClient, CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { sentOnce } from '../../src/core/codedeploy/once';

/** CreateDeployment is not idempotent: an unanswered first attempt is read back, never sent again. */
describe('CodeDeploy: CreateDeployment sent once', () => {
  let server: http.Server;
  let requests = 0;
  let client: CodeDeployClient;
  before(async () => {
    server = http.createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'try later' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    client = new CodeDeployClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 3 });
  });
  after(async () => {
    client.destroy();
    await new Promise((r) => server.close(r));
  });
  const create = () => new CreateDeploymentCommand({ applicationName: 'a', deploymentGroupName: 'g' });

  it('the client retries a 503 by itself (the control)', async () => {
    requests = 0;
    await assert.rejects(client.send(create()));
    assert.equal(requests, 3);
  });

  it('sentOnce: one request on the wire, and the first attempt\'s error', async () => {
    requests = 0;
    const err = await client.send(sentOnce(create())).then(
      () => undefined,
      (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } },
    );
    assert.equal(requests, 1);
    assert.equal(err?.name, 'ServiceUnavailableException');
    assert.equal(err?.$metadata?.httpStatusCode, 503);
  });
});
