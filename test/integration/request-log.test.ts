import assert from 'node:assert/strict';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { createClients } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import { useSandbox } from './helpers';

describe('request log: one debug line per AWS call (real SDK clients)', () => {
  const h = useSandbox();

  it('logs each call of the product clients at debug level: operation, status, time, request id; no content', async () => {
    const log = new MemoryLogger();
    const { sandbox } = h();
    const clients = createClients({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: true, accessKeyId: sandbox.accessKeyId }, { log, maxAttempts: 1 });
    try {
      await clients.lambda.send(new ListFunctionsCommand({}));
      await assert.rejects(clients.lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-secret-name' })), { name: 'ResourceNotFoundException' });
      const now = Date.now();
      await clients.cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(now - 600_000), EndTime: new Date(now), MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' }, Period: 60, Stat: 'Sum' } }] }));
    } finally {
      clients.dispose();
    }
    assert.equal(log.lines.length, 3, log.lines.join('\n'));
    assert.match(log.lines[0], /^debug Lambda\.ListFunctions 200 \(\d+ ms, request [\w-]+\)$/);
    assert.match(log.lines[1], /^debug Lambda\.GetFunction failed 404: ResourceNotFoundException \(\d+ ms, request [\w-]+\)$/);
    assert.match(log.lines[2], /^debug CloudWatch\.GetMetricData 200 \(\d+ ms/);
    assert.ok(!log.lines.join('\n').includes('no-such-secret-name'), 'request content is not logged');
  });

});
