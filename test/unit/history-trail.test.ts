import assert from 'node:assert/strict';
import { readTrail } from '../../src/core/history/cloudtrail';
import { checkState } from '../../src/core/history/returnTo';
import { OperationError } from '../../src/core/errors';
import type { CloudTrailSend } from '../../src/core/history/types';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const window = { since: new Date(T0 - 86_400_000), until: new Date(T0) };

function lambdaEvent(i: number) {
  const at = new Date(T0 - i * 60_000);
  const record = {
    eventVersion: '1.08',
    eventID: `e${i}`,
    eventName: 'UpdateAlias20150331',
    eventTime: at.toISOString(),
    eventSource: 'lambda.amazonaws.com',
    awsRegion: 'us-east-1',
    userIdentity: { type: 'IAMUser', userName: 'bob', arn: 'arn:aws:iam::123456789012:user/bob', accessKeyId: 'AKIABOB' },
    userAgent: 'aws-cli/2.15.30',
    requestParameters: { functionName: 'checkout', name: 'prod', functionVersion: '7' },
    responseElements: { name: 'prod', functionVersion: '7', revisionId: `rv${i}` },
    readOnly: false,
  };
  return { EventId: `e${i}`, EventName: 'UpdateAlias20150331', EventTime: at, CloudTrailEvent: JSON.stringify(record) };
}

/** A client answering pages of two events; `fail(page)` throws instead when it returns an error. */
function fakeClient(fail: (page: number) => Error | undefined, pages = 10) {
  const sent: number[] = [];
  const client: CloudTrailSend = {
    send: (async () => {
      const page = sent.length;
      sent.push(Date.now());
      const err = fail(page);
      if (err) throw err;
      return { Events: [lambdaEvent(page * 2), lambdaEvent(page * 2 + 1)], NextToken: page + 1 < pages ? `t${page + 1}` : undefined };
    }) as CloudTrailSend['send'],
  };
  return { client, sent };
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const noSleep = async () => undefined;

describe("history: reading CloudTrail's pages", () => {
  it('a failure after some pages keeps their events: read, truncated, covered from the oldest, the error said', async () => {
    const { client, sent } = fakeClient((page) => (page === 2 ? throttled() : undefined));
    const read = await readTrail(client, window, { sleep: noSleep });
    assert.equal(sent.length, 3);
    assert.equal(read.state, 'read');
    assert.equal(read.events.length, 4);
    assert.equal(read.truncated, true);
    assert.equal(read.coveredFrom, new Date(T0 - 3 * 60_000).toISOString());
    assert.match(read.error ?? '', /Rate exceeded|Throttling/);
  });

  it('waits 500 ms between requests (CloudTrail allows 2 a second)', async () => {
    const { client, sent } = fakeClient(() => undefined, 4);
    const waits: number[] = [];
    await readTrail(client, window, { sleep: async (ms) => void waits.push(ms) });
    assert.equal(sent.length, 4);
    assert.equal(waits.length, 3);
    assert.ok(waits.every((ms) => ms > 400 && ms <= 500), JSON.stringify(waits));
  });

  it('stops at the page limit: truncated, covered from the oldest event read', async () => {
    const { client, sent } = fakeClient(() => undefined, 10);
    const read = await readTrail(client, window, { maxPages: 2, sleep: noSleep });
    assert.equal(sent.length, 2);
    assert.equal(read.truncated, true);
    assert.equal(read.coveredFrom, new Date(T0 - 3 * 60_000).toISOString());
  });

  it('a failure on the first page is the status, with no events', async () => {
    const { client } = fakeClient(() => throttled());
    const read = await readTrail(client, window, { sleep: noSleep });
    assert.equal(read.state, 'error');
    assert.deepEqual(read.events, []);
  });
});

describe("history: Return to This State's own checks of the state", () => {
  it('refuses a state with no version, or weights that are not an object of numbers', () => {
    const bad = [{ version: undefined, weights: {} }, { version: 7, weights: {} }, { version: '7', weights: null }, { version: '7', weights: ['0.1'] }, { version: '7', weights: { '8': '0.1' } }];
    for (const state of bad) assert.throws(() => checkState(state as never), (err) => err instanceof OperationError, JSON.stringify(state));
    assert.doesNotThrow(() => checkState({ version: '7', weights: { '8': 0.1 } }));
  });
});
