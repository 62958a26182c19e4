import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { codeDeployGuardFor, UNAVAILABLE_QUIET_MS } from '../../src/core/codeDeployModule';

/**
 * The guard every alias write asks: where CodeDeploy cannot be read (no permission), the first
 * write is told and later ones are not asked again for a while (not one warning per write).
 */
describe('CodeDeploy guard: a CodeDeploy that cannot be read', () => {
  let server: http.Server;
  let requests = 0;
  let answer: { status: number; type: string } = { status: 400, type: 'AccessDeniedException' };
  let client: CodeDeployClient;
  before(async () => {
    server = http.createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        if (answer.status === 200) {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ deployments: [] }));
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: answer.type, message: 'no' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    client = new CodeDeployClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await new Promise((r) => server.close(r));
  });
  const ref = { functionName: 'f', aliasName: 'prod' };

  it('AccessDenied: the first check fails (the write warns), the next ones ask nothing for a while, then it asks again', async () => {
    let t = 1_000_000;
    answer = { status: 400, type: 'AccessDeniedException' };
    const guard = codeDeployGuardFor({ codedeploy: async () => client }, { now: () => t });
    requests = 0;
    await assert.rejects(guard(ref), (e: Error) => e.name === 'AccessDeniedException');
    assert.equal(requests, 1);
    assert.equal(await guard(ref), undefined);
    assert.equal(await guard(ref), undefined);
    assert.equal(requests, 1, 'not asked again while quiet');
    t += UNAVAILABLE_QUIET_MS + 1;
    answer = { status: 200, type: '' };
    assert.equal(await guard(ref), undefined);
    assert.equal(requests, 2, 'asked again after the quiet time');
  });

  it('a passing failure (a 500) is not remembered: every write asks', async () => {
    answer = { status: 500, type: 'InternalFailure' };
    const guard = codeDeployGuardFor({ codedeploy: async () => client }, { now: () => 0 });
    requests = 0;
    await assert.rejects(guard(ref));
    await assert.rejects(guard(ref));
    assert.equal(requests, 2);
  });
});
