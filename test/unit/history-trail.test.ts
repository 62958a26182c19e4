import assert from 'node:assert/strict';
import { readTrail } from '../../src/core/history/cloudtrail';
import { pace } from '../../src/core/history/client';
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

describe("history: reading CloudTrail's pages", () => {
  it('a failure after some pages keeps their events: read, truncated, covered from the oldest, the error said', async () => {
    const { client, sent } = fakeClient((page) => (page === 2 ? throttled() : undefined));
    const read = await readTrail(client, window);
    assert.equal(sent.length, 3);
    assert.equal(read.state, 'read');
    assert.equal(read.events.length, 4);
    assert.equal(read.truncated, true);
    assert.equal(read.coveredFrom, new Date(T0 - 3 * 60_000).toISOString());
    assert.match(read.error ?? '', /Rate exceeded|Throttling/);
  });

  it("the connection's paced client: one request at a time, 500 ms after the previous answer, whoever sends", async () => {
    let clock = 0;
    const waits: number[] = [];
    const timer = { now: () => clock, sleep: async (ms: number) => void (waits.push(ms), (clock += ms)) };
    const sent: number[] = [];
    let inFlight = 0;
    const raw = {
      send: async () => {
        assert.equal(inFlight++, 0, 'one request at a time');
        sent.push(clock);
        await new Promise((resolve) => setImmediate(resolve));
        clock += 120; // the answer's round trip
        inFlight--;
        return {};
      },
    };
    const client = pace(raw, 500, timer);
    // Two readers at once (two panels), two requests each.
    await Promise.all([client.send().then(() => client.send()), client.send().then(() => client.send())]);
    assert.equal(sent.length, 4);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i] - (sent[i - 1] + 120) >= 500, `request ${i} at ${sent[i]} after an answer at ${sent[i - 1] + 120}`);
    assert.deepEqual(waits, [500, 500, 500]);
  });

  it('stops at the page limit: truncated, covered from the oldest event read', async () => {
    const { client, sent } = fakeClient(() => undefined, 10);
    const read = await readTrail(client, window, { maxPages: 2 });
    assert.equal(sent.length, 2);
    assert.equal(read.truncated, true);
    assert.equal(read.coveredFrom, new Date(T0 - 3 * 60_000).toISOString());
  });

  it('a failure on the first page is the status, with no events', async () => {
    const { client } = fakeClient(() => throttled());
    const read = await readTrail(client, window);
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
