import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { camelCase, codeDeployRole, functionNameOf, HIDDEN, iamUser, isoSeconds, makeEvent, userNameOf } from '../../src/sandbox/cloudtrail/events';
import type { EventInput } from '../../src/sandbox/cloudtrail/events';
import { CLOUDTRAIL_FILE, CloudTrailLog, MAX_EVENTS, parseCloudTrailLag } from '../../src/sandbox/cloudtrail/log';
import { cloudTrailOperation, lookupEvents } from '../../src/sandbox/cloudtrail/lookup';
import { AwsError } from '../../src/sandbox/errors';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/cloudtrail');
const KEY = 'AKIAEXAMPLEOWNKEY001';

function input(extra: Partial<EventInput> = {}): Omit<EventInput, 'time'> {
  return {
    service: 'lambda',
    op: 'UpdateAlias',
    identity: iamUser(KEY, '123456789012', undefined),
    userAgent: 'aws-sdk-js/3.0 lambda-canary/0.1',
    sourceIPAddress: '127.0.0.1',
    region: 'us-east-1',
    accountId: '123456789012',
    requestId: 'req-1',
    request: { functionName: 'fn', name: 'live', FunctionVersion: '2' },
    reply: { AliasArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn:live', RevisionId: 'r2' },
    ...extra,
  };
}

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof AwsError, String(e));
    return e.code;
  }
  return 'none';
};

describe('sandbox CloudTrail', () => {
  describe('events', () => {
    it("spells members in CloudTrail's camelCase, keeping the caller's map keys, hiding variables and dropping zip bytes", () => {
      assert.deepEqual(
        camelCase({
          FunctionName: 'fn',
          KMSKeyArn: 'k',
          UUID: 'u',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
          Environment: { Variables: { API_TOKEN: 'secret', Mode: 'x' } },
          Tags: { Team: 'a' },
          Code: { ZipFile: 'UEsDB...', S3Bucket: 'b' },
          ZipFile: 'UEsDB...',
          Layers: [{ Arn: 'l' }],
        }),
        {
          functionName: 'fn',
          kMSKeyArn: 'k',
          uUID: 'u',
          routingConfig: { additionalVersionWeights: { '2': 0.1 } },
          environment: { variables: { API_TOKEN: HIDDEN, Mode: HIDDEN } },
          tags: { Team: 'a' },
          code: { s3Bucket: 'b' },
          layers: [{ arn: 'l' }],
        },
      );
      assert.equal(camelCase(null), null);
      assert.deepEqual(camelCase(['A']), ['A']);
    });

    it("names the function of any form Lambda accepts, and a key's user", () => {
      assert.equal(functionNameOf('orders'), 'orders');
      assert.equal(functionNameOf('orders:live'), 'orders');
      assert.equal(functionNameOf('arn:aws:lambda:us-east-1:123456789012:function:orders:live'), 'orders');
      assert.equal(functionNameOf('123456789012:function:orders'), 'orders');
      assert.equal(userNameOf('AKIAEXAMPLEOWNKEY0AB', undefined), 'user-y0ab');
      assert.equal(userNameOf(KEY, { [KEY]: 'alice' }), 'alice');
      // Only the option's own names: a key spelled like Object.prototype's members is a key.
      assert.equal(userNameOf('constructor', {}), 'user-ctor');
    });

    it("has every member of AWS's record (test/fixtures/cloudtrail/record-fields.json), errors included", () => {
      const fields = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'record-fields.json'), 'utf8')) as { required: string[]; onFailure: string[]; userIdentity: Record<string, string[]>; lookupEventsEvent: string[] };
      const ok = makeEvent({ ...input(), time: Date.UTC(2026, 0, 2, 3, 4, 5, 678) }, 1)!;
      assert.deepEqual(Object.keys(ok.record).filter((k) => !fields.required.includes(k)), []);
      assert.deepEqual(fields.required.filter((k) => !(k in ok.record)), []);
      assert.equal(ok.record.eventTime, '2026-01-02T03:04:05Z');
      assert.deepEqual(Object.keys(ok.record.userIdentity as object).sort(), [...fields.userIdentity.IAMUser].sort());
      const failed = makeEvent({ ...input({ error: { code: 'PreconditionFailedException', message: 'stale' } }), time: 0 }, 2)!;
      assert.deepEqual(fields.onFailure.filter((k) => !(k in failed.record)), []);
      assert.equal(failed.record.responseElements, null);
      const role = codeDeployRole('arn:aws:iam::123456789012:role/cd-role', '123456789012', 0);
      assert.deepEqual(Object.keys(role).sort(), [...fields.userIdentity.AssumedRole].sort());
      assert.deepEqual(Object.keys((role.sessionContext as { sessionIssuer: object }).sessionIssuer).sort(), [...fields.userIdentity.sessionIssuer].sort());
      assert.equal(makeEvent({ ...input({ service: 'cloudwatch', op: 'PutMetricAlarm', reply: {} }), time: 0 }, 4)!.record.responseElements, null);
      assert.equal(makeEvent({ ...input({ op: 'DeleteAlias', reply: undefined }), time: 0 }, 5)!.record.responseElements, null);
      // Invoke is a data event: none.
      assert.equal(makeEvent({ ...input({ op: 'Invoke' }), time: 0 }, 3), undefined);
      assert.equal(isoSeconds(0), '1970-01-01T00:00:00Z');
    });

    it('leaves out requestParameters too large to record', () => {
      const big = makeEvent({ ...input({ request: { functionName: 'fn', description: 'x'.repeat(200_000) } }), time: 0 }, 1)!;
      assert.equal(big.record.requestParameters, null);
      assert.deepEqual(big.resources, [{ ResourceType: 'AWS::Lambda::Function', ResourceName: 'fn' }]);
    });

    it("knows both spellings of CloudTrail's X-Amz-Target (the SDK's and botocore's, test/fixtures/cloudtrail)", () => {
      const captured = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'aws-cli-lookup-events-request.json'), 'utf8')) as { headers: Record<string, string> };
      assert.equal(cloudTrailOperation(captured.headers['x-amz-target']), 'LookupEvents');
      assert.equal(cloudTrailOperation('CloudTrail_20131101.LookupEvents'), 'LookupEvents');
      assert.equal(cloudTrailOperation('CodeDeploy_20141006.GetDeployment'), undefined);
      assert.equal(cloudTrailOperation(undefined), undefined);
    });
  });

  describe('log and LookupEvents', () => {
    it('delivers an event only once now ≥ its time + the lag', () => {
      let now = 1_000_000;
      const log = new CloudTrailLog({ lagSeconds: 300, now: () => now });
      log.record(input());
      assert.deepEqual(lookupEvents(log, {}).Events, []);
      now += 299_999;
      assert.deepEqual(lookupEvents(log, {}).Events, []);
      now += 1;
      assert.equal((lookupEvents(log, {}).Events as unknown[]).length, 1);
      log.lagMs = 0;
      log.record(input());
      assert.equal((lookupEvents(log, {}).Events as unknown[]).length, 2);
    });

    it('orders newest first (same millisecond: the later recorded first) and pages by position', () => {
      const now = 5_000_000;
      const log = new CloudTrailLog({ now: () => now });
      const ids = [1, 2, 3, 4, 5].map((i) => log.record({ ...input({ requestId: `r${i}` }), time: i < 4 ? 1_000_000 : 2_000_000 })!.eventId);
      const page1 = lookupEvents(log, { MaxResults: 2 }) as { Events: { EventId: string }[]; NextToken: string };
      assert.deepEqual(page1.Events.map((e) => e.EventId), [ids[4], ids[3]]);
      // A new event between pages does not shift them.
      log.record({ ...input(), time: 3_000_000 });
      const page2 = lookupEvents(log, { MaxResults: 2, NextToken: page1.NextToken }) as { Events: { EventId: string }[]; NextToken: string };
      assert.deepEqual(page2.Events.map((e) => e.EventId), [ids[2], ids[1]]);
      const page3 = lookupEvents(log, { MaxResults: 2, NextToken: page2.NextToken }) as { Events: { EventId: string }[]; NextToken?: string };
      assert.deepEqual(page3.Events.map((e) => e.EventId), [ids[0]]);
      assert.equal(page3.NextToken, undefined);
    });

    it('refuses what AWS refuses', () => {
      const log = new CloudTrailLog();
      log.record(input());
      assert.equal(codeOf(() => lookupEvents(log, { MaxResults: 51 })), 'InvalidMaxResultsException');
      assert.equal(codeOf(() => lookupEvents(log, { MaxResults: 2.5 })), 'InvalidMaxResultsException');
      assert.equal(codeOf(() => lookupEvents(log, { MaxResults: '5' })), 'InvalidMaxResultsException');
      assert.equal(codeOf(() => lookupEvents(log, { LookupAttributes: {} })), 'InvalidLookupAttributesException');
      assert.equal(codeOf(() => lookupEvents(log, { LookupAttributes: [null] })), 'InvalidLookupAttributesException');
      assert.equal(codeOf(() => lookupEvents(log, { LookupAttributes: [{ AttributeKey: '__proto__', AttributeValue: 'x' }] })), 'InvalidLookupAttributesException');
      assert.equal(codeOf(() => lookupEvents(log, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '' }] })), 'InvalidLookupAttributesException');
      assert.equal(codeOf(() => lookupEvents(log, { StartTime: 10, EndTime: 5 })), 'InvalidTimeRangeException');
      assert.equal(codeOf(() => lookupEvents(log, { StartTime: 'soon' })), 'ValidationException');
      for (const token of ['', 'x'.repeat(2000), Buffer.from('{"t":1,"s":1,"q":"other"}').toString('base64url'), Buffer.from('[1]').toString('base64url'), 42]) {
        assert.equal(codeOf(() => lookupEvents(log, { NextToken: token })), 'InvalidNextTokenException', String(token));
      }
      assert.equal(codeOf(() => lookupEvents(log, {})), 'none');
      assert.deepEqual(lookupEvents(log, { EventCategory: 'insight' }), { Events: [] });
      assert.throws(() => parseCloudTrailLag('-1'), /--cloudtrail-lag/);
      assert.throws(() => parseCloudTrailLag(''), /--cloudtrail-lag/);
      assert.equal(parseCloudTrailLag('2.5'), 2.5);
    });

    it('keeps the newest 10,000 events, in memory and in its file', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ct-unit-'));
      try {
        const log = new CloudTrailLog({ stateDir: dir });
        const n = MAX_EVENTS + 1_500;
        let first = '';
        for (let i = 0; i < n; i++) {
          const e = log.record({ ...input(), time: 1_000 + i })!;
          if (i === n - MAX_EVENTS) first = e.eventId;
        }
        assert.equal(log.size, MAX_EVENTS);
        assert.equal(log.all()[0].eventId, first);
        const lines = fs.readFileSync(path.join(dir, CLOUDTRAIL_FILE), 'utf8').trim().split('\n').length;
        assert.ok(lines >= MAX_EVENTS && lines <= MAX_EVENTS + 1_000, String(lines));
        const again = new CloudTrailLog({ stateDir: dir });
        assert.equal(again.size, MAX_EVENTS);
        assert.equal(again.all()[0].eventId, first);
        assert.deepEqual(again.warnings, []);
        // Sequence numbers carry on after a restart.
        const next = again.record(input())!;
        assert.ok(next.seq > log.all().at(-1)!.seq);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
