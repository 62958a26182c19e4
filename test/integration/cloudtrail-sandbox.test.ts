/**
 * The sandbox's CloudTrail: LookupEvents over the writes it answered, through the real
 * @aws-sdk/client-cloudtrail (and the AWS CLI when it is installed): filters, time range, paging
 * while events arrive, delivery lag, identities of two access keys, failures, CodeDeploy's own
 * alias shifts, reads, persistence and hostile inputs.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { Event, LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { CreateAliasCommand, DeleteAliasCommand, GetAliasCommand, GetFunctionCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { Sandbox, SandboxOptions } from '../../src/sandbox';
import { CLOUDTRAIL_FILE, startSandbox } from '../../src/sandbox';
import { appAndGroup, appSpec, codeDeployFor, deploy, functionWithTwoVersions, SERVICE_ROLE, waitForStatus } from './codedeploy-sandbox-kit';
import { rawRequest, sdkHeaders, sleep } from './helpers';
import { createFn, rejectsWith, setCode } from './lambda-testkit';

const KEY = 'AKIAEXAMPLEOWNKEY001';
const CLI = path.resolve(__dirname, '..', '..', 'src', 'sandbox', 'cli.js');
const TEAMMATE = 'AKIAEXAMPLETEAMMATE2';

function lambdaFor(sandbox: Sandbox, key = sandbox.accessKeyId ?? 'sandbox'): LambdaClient {
  return new LambdaClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: key, secretAccessKey: 'sandbox' }, maxAttempts: 1 });
}

function trailFor(sandbox: Sandbox, key = sandbox.accessKeyId ?? 'sandbox'): CloudTrailClient {
  return new CloudTrailClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: key, secretAccessKey: 'sandbox' }, maxAttempts: 1 });
}

interface Record_ {
  eventVersion: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  eventID: string;
  requestID: string;
  readOnly: boolean;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  eventType: string;
  managementEvent: boolean;
  eventCategory: string;
  recipientAccountId: string;
  errorCode?: string;
  errorMessage?: string;
  userIdentity: { type: string; userName?: string; arn: string; accountId: string; accessKeyId: string; principalId: string; invokedBy?: string; sessionContext?: { sessionIssuer?: { arn: string; type: string; userName: string } } };
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
}

const recordOf = (e: Event): Record_ => JSON.parse(e.CloudTrailEvent!) as Record_;

async function lookup(trail: CloudTrailClient, input: LookupEventsCommandInput = {}): Promise<Event[]> {
  return (await trail.send(new LookupEventsCommand(input))).Events ?? [];
}

/** Every page of a lookup. */
async function lookupAll(trail: CloudTrailClient, input: LookupEventsCommandInput = {}): Promise<Event[]> {
  const out: Event[] = [];
  let token: string | undefined;
  do {
    const page = await trail.send(new LookupEventsCommand({ ...input, NextToken: token }));
    out.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

const byName = (name: string): LookupEventsCommandInput => ({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] });

/** Sandboxes and clients a describe block opens, all closed after each test (a server left open keeps mocha from exiting). */
function sandboxesClosedAfterEach() {
  const opened: Sandbox[] = [];
  const clients: { destroy(): void }[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of opened.splice(0)) await s.close();
  });
  return {
    opened,
    clients,
    start: async (options: SandboxOptions = {}) => {
      const s = await startSandbox({ updateDelayMs: 20, ...options });
      opened.push(s);
      return s;
    },
    clientsOf: (s: Sandbox, key?: string) => {
      const c = { lambda: lambdaFor(s, key), trail: trailFor(s, key) };
      clients.push(c.lambda, c.trail);
      return c;
    },
  };
}

describe('sandbox CloudTrail: LookupEvents over the sandbox writes', function () {
  this.timeout(60_000);
  const { start, clientsOf, opened, clients } = sandboxesClosedAfterEach();

  it('records UpdateAlias and PublishVersion with AWS fields, camelCase parameters and replies, and the caller', async () => {
    const s = await start({ accessKeyId: KEY, users: { [KEY]: 'alice' } });
    const { lambda, trail } = clientsOf(s);
    await createFn(lambda, 'orders');
    const sha = await setCode(lambda, 'orders', 'one');
    const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'orders', Description: 'first' }));
    const a = await lambda.send(new CreateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '1' }));
    await setCode(lambda, 'orders', 'two');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'orders', Description: 'second' }));
    const u = await lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } }, RevisionId: a.RevisionId }));

    const all = await lookup(trail);
    assert.deepEqual(
      all.map((e) => e.EventName),
      ['UpdateAlias20150331', 'PublishVersion20150331', 'UpdateFunctionCode20150331v2', 'CreateAlias20150331', 'PublishVersion20150331', 'UpdateFunctionCode20150331v2', 'CreateFunction20150331'],
      'writes only (the waiters GetFunction calls are reads), newest first',
    );
    const [update] = all;
    assert.equal(update.ReadOnly, 'false');
    assert.equal(update.EventSource, 'lambda.amazonaws.com');
    assert.equal(update.Username, 'alice');
    assert.equal(update.AccessKeyId, KEY);
    assert.deepEqual(update.Resources, [{ ResourceType: 'AWS::Lambda::Function', ResourceName: 'orders' }]);
    assert.ok(update.EventTime instanceof Date && Math.abs(update.EventTime.getTime() - Date.now()) < 5_000);
    const r = recordOf(update);
    assert.equal(r.eventVersion, '1.09');
    assert.match(r.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(new Date(r.eventTime).getTime(), update.EventTime!.getTime());
    assert.equal(r.eventID, update.EventId);
    assert.equal(r.readOnly, false);
    assert.equal(r.eventType, 'AwsApiCall');
    assert.equal(r.managementEvent, true);
    assert.equal(r.eventCategory, 'Management');
    assert.equal(r.recipientAccountId, '123456789012');
    assert.equal(r.awsRegion, 'us-east-1');
    assert.equal(r.sourceIPAddress, '127.0.0.1');
    assert.match(r.userAgent, /aws-sdk-js/);
    assert.deepEqual(r.userIdentity.type, 'IAMUser');
    assert.equal(r.userIdentity.userName, 'alice');
    assert.equal(r.userIdentity.arn, 'arn:aws:iam::123456789012:user/alice');
    assert.equal(r.userIdentity.accessKeyId, KEY);
    assert.match(r.userIdentity.principalId, /^AIDA[0-9A-F]{17}$/);
    assert.equal(r.errorCode, undefined);
    assert.deepEqual(r.requestParameters, { functionName: 'orders', name: 'live', functionVersion: '1', routingConfig: { additionalVersionWeights: { '2': 0.1 } }, revisionId: a.RevisionId });
    assert.equal(r.responseElements?.revisionId, u.RevisionId);
    assert.equal(r.responseElements?.aliasArn, u.AliasArn);
    assert.equal(r.responseElements?.functionVersion, '1');
    assert.deepEqual(r.responseElements?.routingConfig, { additionalVersionWeights: { '2': 0.1 } });

    const published = recordOf(all[4]);
    assert.deepEqual(published.requestParameters, { functionName: 'orders', description: 'first' });
    assert.equal(published.responseElements?.version, v.Version);
    assert.equal(published.responseElements?.codeSha256, sha);
    assert.equal(published.responseElements?.description, 'first');
    assert.equal(published.responseElements?.revisionId, v.RevisionId);

    // The zip bytes are never in an event.
    const code = recordOf(all[2]);
    assert.equal(code.eventName, 'UpdateFunctionCode20150331v2');
    assert.equal(code.requestParameters?.zipFile, undefined);
    assert.equal(code.requestParameters?.functionName, 'orders');
    assert.ok(!all.some((e) => /zipFile|ZipFile/.test(e.CloudTrailEvent!)));
  });

  it('filters on each lookup attribute', async () => {
    const s = await start({ accessKeyId: KEY, otherAccessKeyIds: [TEAMMATE] });
    const own = clientsOf(s);
    const mate = clientsOf(s, TEAMMATE);
    await functionWithTwoVersions(own.lambda, 'alpha');
    await createFn(mate.lambda, 'beta');
    await mate.lambda.send(new CreateAliasCommand({ FunctionName: 'beta', Name: 'live', FunctionVersion: '$LATEST' }));
    const cd = codeDeployFor(s);
    clients.push(cd);
    await appAndGroup(cd, 'app', 'alpha-group');

    const all = await lookupAll(own.trail);
    const attr = async (key: string, value: string) => lookupAll(own.trail, { LookupAttributes: [{ AttributeKey: key as 'EventName', AttributeValue: value }] });
    const names = (es: Event[]) => es.map((e) => e.EventName);

    assert.deepEqual(names(await attr('EventName', 'CreateAlias20150331')), ['CreateAlias20150331', 'CreateAlias20150331']);
    assert.deepEqual(names(await attr('ResourceName', 'beta')), ['CreateAlias20150331', 'CreateFunction20150331']);
    assert.deepEqual(names(await attr('Username', 'user-ate2')), ['CreateAlias20150331', 'CreateFunction20150331']);
    assert.equal((await attr('Username', 'user-y001')).length, all.length - 2);
    assert.deepEqual(names(await attr('EventSource', 'codedeploy.amazonaws.com')), ['CreateDeploymentGroup', 'CreateApplication']);
    assert.deepEqual(names(await attr('ResourceType', 'AWS::CodeDeploy::DeploymentGroup')), ['CreateDeploymentGroup']);
    assert.deepEqual((await attr('AccessKeyId', TEAMMATE)).map((e) => e.Username), ['user-ate2', 'user-ate2']);
    const one = all[3];
    assert.deepEqual((await attr('EventId', one.EventId!)).map((e) => e.EventId), [one.EventId]);
    assert.equal((await attr('ReadOnly', 'false')).length, all.length);
    assert.equal((await attr('ReadOnly', 'true')).length, 0);
    assert.equal((await attr('EventName', 'NoSuchEvent')).length, 0);
    // Every event of this lookup is one of the two callers'.
    assert.deepEqual(new Set(all.map((e) => e.Username)), new Set(['user-y001', 'user-ate2']));
  });

  it('two access keys are two users, each with its own ARN', async () => {
    const s = await start({ accessKeyId: KEY, otherAccessKeyIds: [TEAMMATE], users: { [TEAMMATE]: 'bob' } });
    const own = clientsOf(s);
    const mate = clientsOf(s, TEAMMATE);
    await functionWithTwoVersions(own.lambda, 'shared');
    const first = await own.lambda.send(new GetAliasCommand({ FunctionName: 'shared', Name: 'live' }));
    await mate.lambda.send(new UpdateAliasCommand({ FunctionName: 'shared', Name: 'live', FunctionVersion: '2', RevisionId: first.RevisionId }));
    const updates = await lookup(mate.trail, byName('UpdateAlias20150331'));
    assert.equal(updates.length, 1);
    const r = recordOf(updates[0]);
    assert.equal(r.userIdentity.userName, 'bob');
    assert.equal(r.userIdentity.arn, 'arn:aws:iam::123456789012:user/bob');
    assert.equal(r.userIdentity.accessKeyId, TEAMMATE);
    const created = recordOf((await lookup(own.trail, byName('CreateAlias20150331')))[0]);
    assert.equal(created.userIdentity.userName, 'user-y001');
    assert.notEqual(created.userIdentity.principalId, r.userIdentity.principalId);
    // A key that is neither is refused, and its request leaves no event.
    const stranger = clientsOf(s, 'AKIAEXAMPLESTRANGER3');
    await rejectsWith(stranger.lambda.send(new DeleteAliasCommand({ FunctionName: 'shared', Name: 'live' })), 'UnrecognizedClientException', 403);
    assert.equal((await lookup(own.trail, byName('DeleteAlias20150331'))).length, 0);
  });

  it('records a failed UpdateAlias (stale RevisionId) with errorCode and errorMessage', async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await functionWithTwoVersions(lambda, 'stale');
    await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: 'stale', Name: 'live', FunctionVersion: '2', RevisionId: 'not-the-revision' })), 'PreconditionFailedException', 412);
    const [e] = await lookup(trail, byName('UpdateAlias20150331'));
    const r = recordOf(e);
    assert.equal(r.errorCode, 'PreconditionFailedException');
    assert.match(r.errorMessage ?? '', /revision/i);
    assert.equal(r.responseElements, null);
    assert.equal(r.requestParameters?.revisionId, 'not-the-revision');
    assert.equal(r.requestParameters?.functionVersion, '2');
  });

  it('narrows to StartTime..EndTime (epoch seconds) and refuses a start after the end', async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await createFn(lambda, 'timed');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'timed', Name: 'a', FunctionVersion: '$LATEST' }));
    // The next second: CloudTrail's times are whole seconds.
    await sleep(1100 - (Date.now() % 1000));
    const mid = new Date(Math.floor(Date.now() / 1000) * 1000);
    await lambda.send(new CreateAliasCommand({ FunctionName: 'timed', Name: 'b', FunctionVersion: '$LATEST' }));
    const after = await lookup(trail, { ...byName('CreateAlias20150331'), StartTime: mid });
    assert.deepEqual(after.map((e) => recordOf(e).requestParameters?.name), ['b']);
    const before = await lookup(trail, { ...byName('CreateAlias20150331'), EndTime: new Date(mid.getTime() - 1000) });
    assert.deepEqual(before.map((e) => recordOf(e).requestParameters?.name), ['a']);
    const both = await lookup(trail, { ...byName('CreateAlias20150331'), StartTime: new Date(mid.getTime() - 60_000), EndTime: new Date(mid.getTime() + 60_000) });
    assert.equal(both.length, 2);
    assert.equal((await lookup(trail, { StartTime: new Date(Date.now() + 3_600_000) })).length, 0);
    await rejectsWith(trail.send(new LookupEventsCommand({ StartTime: new Date(mid.getTime() + 1000), EndTime: mid })), 'InvalidTimeRangeException', 400);
  });

  it('pages through more than 50 events with MaxResults and NextToken, none lost or repeated while new ones arrive', async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await functionWithTwoVersions(lambda, 'pager');
    let revision = (await lambda.send(new GetAliasCommand({ FunctionName: 'pager', Name: 'live' }))).RevisionId;
    const shift = async (i: number) => {
      const out = await lambda.send(new UpdateAliasCommand({ FunctionName: 'pager', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': (i % 99 + 1) / 100 } }, RevisionId: revision }));
      revision = out.RevisionId;
    };
    for (let i = 0; i < 65; i++) await shift(i);

    // Default and maximum page: 50.
    const first = await trail.send(new LookupEventsCommand(byName('UpdateAlias20150331')));
    assert.equal(first.Events?.length, 50);
    assert.ok(first.NextToken);
    const expected = (await lookupAll(trail, byName('UpdateAlias20150331'))).map((e) => e.EventId);
    assert.equal(expected.length, 65);
    assert.equal(new Set(expected).size, 65);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await trail.send(new LookupEventsCommand({ ...byName('UpdateAlias20150331'), MaxResults: 7, NextToken: token }));
      assert.ok((page.Events?.length ?? 0) <= 7);
      seen.push(...(page.Events ?? []).map((e) => e.EventId!));
      token = page.NextToken;
      pages++;
      // Two more writes between pages: newer than the position, they never shift a page.
      await shift(100 + pages);
      await shift(200 + pages);
    } while (token);
    assert.equal(pages, 10);
    assert.deepEqual(seen, expected, 'the same events, in the same newest-first order');
    assert.equal((await lookupAll(trail, byName('UpdateAlias20150331'))).length, 65 + 2 * pages);

    // Newest first: each event's time is at or before the previous one's.
    const times = (await lookupAll(trail)).map((e) => e.EventTime!.getTime());
    assert.deepEqual(times, [...times].sort((x, y) => y - x));
  });

  it('applies the delivery lag set at start and changed at run time (API and admin endpoint)', async () => {
    const s = await start({ cloudTrailLagSeconds: 1, admin: true });
    const { lambda, trail } = clientsOf(s);
    await createFn(lambda, 'lagged');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'lagged', Name: 'live', FunctionVersion: '$LATEST' }));
    assert.equal((await lookup(trail)).length, 0, 'nothing delivered yet');
    await sleep(1100);
    assert.deepEqual((await lookup(trail)).map((e) => e.EventName), ['CreateAlias20150331', 'CreateFunction20150331']);

    s.setCloudTrailLag(600);
    assert.equal((await lookup(trail)).length, 0, 'a longer lag hides them again');
    s.setCloudTrailLag(0);
    assert.equal((await lookup(trail)).length, 2);

    const put = (body: string) => rawRequest(s, 'PUT', '/_sandbox/cloudtrail-lag', { ...sdkHeaders(s), 'content-type': 'application/json' }, body);
    const set = await put('{"seconds": 300}');
    assert.equal(set.status, 200, set.body);
    assert.deepEqual(JSON.parse(set.body), { cloudTrailLagSeconds: 300 });
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'lagged', Name: 'live' }));
    assert.equal((await lookup(trail)).length, 0);
    assert.equal((await put('{"seconds": 0}')).status, 200);
    assert.equal((await lookup(trail))[0].EventName, 'DeleteAlias20150331');
    const bad = await put('{"seconds": -1}');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /CloudTrail lag/);
    assert.throws(() => s.setCloudTrailLag(Number.NaN), /CloudTrail lag/);
    await assert.rejects(startSandbox({ cloudTrailLagSeconds: 90_000 }), /CloudTrail lag/);
  });

  it("records a CodeDeploy deployment's alias shifts as CodeDeploy's, with the group's service role", async () => {
    const s = await start({ codeDeployMinuteMs: 50 });
    const { lambda, trail } = clientsOf(s);
    const cd = codeDeployFor(s);
    clients.push(cd);
    await functionWithTwoVersions(lambda, 'rolled');
    await appAndGroup(cd, 'app', 'rolled-group');
    const id = await deploy(cd, 'app', 'rolled-group', appSpec('rolled'), 'CodeDeployDefault.LambdaCanary10Percent5Minutes');
    const d = await waitForStatus(cd, id, 15_000);
    assert.equal(d.status, 'Succeeded');
    const shifts = await lookup(trail, byName('UpdateAlias20150331'));
    assert.equal(shifts.length, 2, 'to 10 %, then to version 2 alone');
    assert.equal(new Set(shifts.map((e) => e.AccessKeyId)).size, 1, "one role session (access key) for the deployment's shifts");
    for (const e of shifts) {
      assert.equal(e.Username, 'AWSCodeDeploy');
      assert.deepEqual(e.Resources, [{ ResourceType: 'AWS::Lambda::Function', ResourceName: 'rolled' }]);
      const r = recordOf(e);
      assert.equal(r.userIdentity.type, 'AssumedRole');
      assert.equal(r.userIdentity.invokedBy, 'codedeploy.amazonaws.com');
      assert.equal(r.userIdentity.arn, 'arn:aws:sts::123456789012:assumed-role/codedeploy-service/AWSCodeDeploy');
      assert.equal(r.userIdentity.sessionContext?.sessionIssuer?.arn, SERVICE_ROLE);
      assert.equal(r.userIdentity.sessionContext?.sessionIssuer?.type, 'Role');
      assert.equal(r.userAgent, 'codedeploy.amazonaws.com');
      assert.equal(r.requestParameters?.functionName, 'rolled');
      assert.equal(r.requestParameters?.name, 'live');
      assert.equal(typeof r.responseElements?.revisionId, 'string');
    }
    const [last, firstShift] = shifts.map(recordOf);
    assert.deepEqual(firstShift.requestParameters?.routingConfig, { additionalVersionWeights: { '2': 0.1 } });
    assert.equal(firstShift.requestParameters?.functionVersion, '1');
    assert.equal(last.requestParameters?.functionVersion, '2');
    assert.equal(last.requestParameters?.revisionId, firstShift.responseElements?.revisionId, 'each shift names the revision the one before made');
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'rolled', Name: 'live' }));
    assert.equal(last.responseElements?.revisionId, alias.RevisionId);
    // The deployment itself was the caller's.
    const created = await lookup(trail, byName('CreateDeployment'));
    assert.equal(created.length, 1);
    assert.equal(recordOf(created[0]).userIdentity.type, 'IAMUser');
    assert.equal(recordOf(created[0]).requestParameters?.applicationName, 'app');
  });

  it('leaves reads out unless cloudTrailReadEvents is set', async () => {
    const quiet = await start();
    const q = clientsOf(quiet);
    await functionWithTwoVersions(q.lambda, 'readme');
    await q.lambda.send(new GetAliasCommand({ FunctionName: 'readme', Name: 'live' }));
    assert.equal((await lookup(q.trail, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] })).length, 0);
    assert.equal((await lookup(q.trail, byName('GetAlias20150331'))).length, 0);

    const loud = await start({ cloudTrailReadEvents: true });
    const l = clientsOf(loud);
    await functionWithTwoVersions(l.lambda, 'readme');
    await l.lambda.send(new GetAliasCommand({ FunctionName: 'readme', Name: 'live' }));
    const reads = await lookup(l.trail, byName('GetAlias20150331'));
    assert.equal(reads.length, 1);
    assert.equal(reads[0].ReadOnly, 'true');
    assert.equal(recordOf(reads[0]).readOnly, true);
    assert.deepEqual(recordOf(reads[0]).requestParameters, { functionName: 'readme', name: 'live' });
    // LookupEvents itself is not recorded.
    assert.equal((await lookup(l.trail, byName('LookupEvents'))).length, 0);
  });

  it('keeps events across a restart with a state directory, skipping a damaged line with a warning', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-cloudtrail-'));
    try {
      const first = await start({ stateDir: dir });
      const a = clientsOf(first);
      await createFn(a.lambda, 'kept');
      await a.lambda.send(new CreateAliasCommand({ FunctionName: 'kept', Name: 'live', FunctionVersion: '$LATEST' }));
      const before = await lookup(a.trail);
      assert.equal(before.length, 2);
      await first.close();
      opened.splice(opened.indexOf(first), 1);
      const file = path.join(dir, CLOUDTRAIL_FILE);
      assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 2);
      // A damaged line, and a last line cut short by a crash.
      fs.appendFileSync(file, 'not json\n{"seq": 99, "time": 1');

      const second = await start({ stateDir: dir });
      assert.ok(second.warnings.some((w) => /cloudtrail\.jsonl has 2 lines that do not read/.test(w)), second.warnings.join('\n'));
      const b = clientsOf(second);
      assert.deepEqual((await lookup(b.trail)).map((e) => e.EventId), before.map((e) => e.EventId));
      await b.lambda.send(new DeleteAliasCommand({ FunctionName: 'kept', Name: 'live' }));
      const after = await lookup(b.trail);
      assert.deepEqual(after.map((e) => e.EventName), ['DeleteAlias20150331', 'CreateAlias20150331', 'CreateFunction20150331']);
      // The event appended after the cut line reads on the next start.
      await second.close();
      opened.splice(opened.indexOf(second), 1);
      const third = await start({ stateDir: dir });
      const c = clientsOf(third);
      assert.deepEqual((await lookup(c.trail)).map((e) => e.EventId), after.map((e) => e.EventId));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses hostile input as AWS does', async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await functionWithTwoVersions(lambda, 'hostile');
    for (let i = 0; i < 3; i++) await lambda.send(new UpdateAliasCommand({ FunctionName: 'hostile', Name: 'live', FunctionVersion: '1', Description: `d${i}` }));
    const before = await lookupAll(trail);
    await rejectsWith(trail.send(new LookupEventsCommand({ MaxResults: 51 })), 'InvalidMaxResultsException', 400);
    await rejectsWith(trail.send(new LookupEventsCommand({ MaxResults: 0 })), 'InvalidMaxResultsException', 400);
    await rejectsWith(trail.send(new LookupEventsCommand({ NextToken: 'not-a-token' })), 'InvalidNextTokenException', 400);
    await rejectsWith(
      trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'UpdateAlias20150331' }, { AttributeKey: 'Username', AttributeValue: 'x' }] })),
      'InvalidLookupAttributesException',
      400,
    );
    await rejectsWith(trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Colour' as 'EventName', AttributeValue: 'red' }] })), 'InvalidLookupAttributesException', 400);
    await rejectsWith(trail.send(new LookupEventsCommand({ EventCategory: 'management' as 'insight' })), 'InvalidEventCategoryException', 400);
    // A token works only with the parameters it was returned for.
    const page = await trail.send(new LookupEventsCommand({ ...byName('UpdateAlias20150331'), MaxResults: 1 }));
    assert.ok(page.NextToken);
    await rejectsWith(trail.send(new LookupEventsCommand({ MaxResults: 1, NextToken: page.NextToken })), 'InvalidNextTokenException', 400);
    assert.equal((await trail.send(new LookupEventsCommand({ ...byName('UpdateAlias20150331'), MaxResults: 1, NextToken: page.NextToken }))).Events?.length, 1);

    const raw = (body: string, target = 'CloudTrail_20131101.LookupEvents') =>
      rawRequest(s, 'POST', '/', { ...sdkHeaders(s, 'cloudtrail'), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body);
    for (const body of ['[]', '"text"', '42', 'null', '{not json']) {
      const r = await raw(body);
      assert.equal(r.status, 400, body);
      assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
      assert.equal((JSON.parse(r.body) as { __type: string }).__type, 'SerializationException', body);
    }
    const other = await raw('{}', 'CloudTrail_20131101.CreateTrail');
    assert.equal(other.status, 400);
    assert.equal((JSON.parse(other.body) as { __type: string }).__type, 'UnknownOperationException');
    const wrongType = await rawRequest(s, 'POST', '/', { ...sdkHeaders(s, 'cloudtrail'), 'content-type': 'text/plain', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }, '{}');
    assert.equal(wrongType.status, 415);
    const unsigned = await rawRequest(s, 'POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }, '{}');
    assert.equal(unsigned.status, 403);
    const strings = await raw(JSON.stringify({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: { $ne: null } }] }));
    assert.equal(strings.status, 400);
    assert.equal((JSON.parse(strings.body) as { __type: string }).__type, 'InvalidLookupAttributesException');
    // Refused lookups are not events: the history is the writes before them, event for event.
    assert.deepEqual((await lookupAll(trail)).map((e) => e.EventId), before.map((e) => e.EventId));
  });

  it('the standalone sandbox takes --cloudtrail-lag S, says so in --help and its banner, and refuses a bad value', async () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--cloudtrail-lag S +CloudTrail's delivery lag/);
    const refused = spawnSync(process.execPath, [CLI, '--port', '0', '--quiet', '--cloudtrail-lag=-1'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /^sandbox: --cloudtrail-lag expects seconds in \[0, 86400\]/m);

    const child = spawn(process.execPath, [CLI, '--port', '0', '--quiet', '--cloudtrail-lag', '600'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const end = Date.now() + 10_000;
      while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        if (Date.now() > end || child.exitCode !== null) assert.fail(`the sandbox did not start:\n${out}`);
        await sleep(20);
      }
      const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      assert.match(out, /aws cloudtrail lookup-events --endpoint-url http:\/\/127\.0\.0\.1:\d+ --max-results 5 +\(CloudTrail lag: 600 s\)/);
      assert.match(out, /PUT …\/_sandbox\/cloudtrail-lag/);
      const fake = { endpoint, region: 'us-east-1', accessKeyId: undefined } as unknown as Sandbox;
      const lambda = lambdaFor(fake, 'sandbox');
      const trail = trailFor(fake, 'sandbox');
      clients.push(lambda, trail);
      await createFn(lambda, 'standalone');
      assert.equal((await lookup(trail)).length, 0, 'not delivered within the 600 s lag');
      const put = await fetch(`${endpoint}/_sandbox/cloudtrail-lag`, { method: 'PUT', headers: { ...sdkHeaders(fake), 'content-type': 'application/json' }, body: '{"seconds": 0}' });
      assert.equal(put.status, 200);
      assert.deepEqual((await lookup(trail)).map((e) => e.EventName), ['CreateFunction20150331']);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it("answers the AWS CLI's lookup-events (a second client)", async function () {
    const aws = await promisify(execFile)('aws', ['--version']).then(
      () => true,
      () => false,
    );
    if (!aws) this.skip();
    const s = await start();
    const { lambda } = clientsOf(s);
    await functionWithTwoVersions(lambda, 'cli');
    const a = await lambda.send(new GetAliasCommand({ FunctionName: 'cli', Name: 'live' }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'cli', Name: 'live', FunctionVersion: '2', RevisionId: a.RevisionId }));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLECLIKEY004', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: s.region, AWS_REGION: s.region, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' };
    const run = (args: string[]) => promisify(execFile)('aws', ['cloudtrail', 'lookup-events', '--endpoint-url', s.endpoint, '--output', 'json', ...args], { env, timeout: 30_000 });
    const out = await run(['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=UpdateAlias20150331']);
    const parsed = JSON.parse(out.stdout) as { Events: { EventName: string; EventTime: unknown; ReadOnly: string; CloudTrailEvent: string; Resources: unknown[] }[] };
    assert.equal(parsed.Events.length, 1);
    assert.equal(parsed.Events[0].EventName, 'UpdateAlias20150331');
    assert.equal(parsed.Events[0].ReadOnly, 'false');
    // AWS CLI v1 prints the wire's epoch seconds as they came; v2 prints ISO dates.
    const t = parsed.Events[0].EventTime as unknown;
    const ms = typeof t === 'number' ? t * 1000 : Date.parse(String(t));
    assert.ok(Math.abs(ms - Date.now()) < 60_000, String(t));
    assert.equal((JSON.parse(parsed.Events[0].CloudTrailEvent) as Record_).requestParameters?.functionVersion, '2');
    // The CLI pages by itself with --max-items / --page-size; its time arguments are ISO dates.
    const paged = await run(['--page-size', '2', '--start-time', new Date(Date.now() - 3_600_000).toISOString()]);
    const all = JSON.parse(paged.stdout) as { Events: unknown[] };
    assert.equal(all.Events.length, (await lookupAll(clientsOf(s).trail)).length);
    await assert.rejects(run(['--max-results', '51']), /InvalidMaxResultsException/);
  });
});

describe('sandbox CloudTrail: what an event must not carry, and recording that cannot fail a request', function () {
  this.timeout(60_000);
  const { start, clientsOf, clients } = sandboxesClosedAfterEach();

  it("keeps environment variables' values out of a refused UpdateFunctionConfiguration's errorMessage", async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await createFn(lambda, 'envy');
    await rejectsWith(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'envy', Environment: { Variables: { API_TOKEN: 'sekret-12345', PAD: 'x'.repeat(5000) } } })),
      'InvalidParameterValueException',
      400,
    );
    const [e] = await lookup(trail, byName('UpdateFunctionConfiguration20150331v2'));
    assert.ok(e, 'the refused write is recorded');
    const r = recordOf(e);
    assert.equal(r.errorCode, 'InvalidParameterValueException');
    assert.ok(!e.CloudTrailEvent!.includes('sekret-12345'), r.errorMessage);
    assert.ok(!e.CloudTrailEvent!.includes('xxxxxxxx'), r.errorMessage);
  });

  it('answers a deeply nested write once recorded, and records it once', async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await functionWithTwoVersions(lambda, 'deep');
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const body = `{"FunctionVersion":"2","Extra":${deep}}`;
    const r = await rawRequest(s, 'PUT', '/2015-03-31/functions/deep/aliases/live', { ...sdkHeaders(s), 'content-type': 'application/json' }, body);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: 'deep', Name: 'live' }))).FunctionVersion, '2');
    const events = await lookup(trail, byName('UpdateAlias20150331'));
    assert.equal(events.length, 1);
    assert.equal(recordOf(events[0]).requestParameters?.functionVersion, '2');
  });

  it('a __proto__ member in a body neither names resources nor drops members', async () => {
    const s = await start();
    const { trail } = clientsOf(s);
    const body = '{"applicationName":"mine","computePlatform":"Lambda","__proto__":{"deploymentGroupName":"victim-group"}}';
    const r = await rawRequest(s, 'POST', '/', { ...sdkHeaders(s, 'codedeploy'), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CodeDeploy_20141006.CreateApplication' }, body);
    assert.equal(r.status, 200, r.body);
    const victim = await lookup(trail, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'victim-group' }] });
    assert.equal(victim.length, 0);
    const [mine] = await lookup(trail, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'mine' }] });
    assert.ok(mine);
    assert.deepEqual(mine.Resources, [{ ResourceType: 'AWS::CodeDeploy::Application', ResourceName: 'mine' }]);
    const params = recordOf(mine).requestParameters!;
    assert.ok(Object.hasOwn(params, '__proto__'), JSON.stringify(params));
    assert.equal(params.applicationName, 'mine');
  });

  it("records a read's responseElements as null (no signed code URL)", async () => {
    const s = await start({ cloudTrailReadEvents: true });
    const { lambda, trail } = clientsOf(s);
    await createFn(lambda, 'readback');
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'readback' }));
    assert.ok(got.Code?.Location);
    const [e] = await lookup(trail, byName('GetFunction20150331v2'));
    assert.ok(e);
    assert.equal(recordOf(e).responseElements, null);
    assert.ok(!e.CloudTrailEvent!.includes('Signature='));
    assert.ok(!e.CloudTrailEvent!.includes(got.Code!.Location!));
  });

  it("records a CodeDeploy shift refused for a stale RevisionId as the service role's, with PreconditionFailedException", async () => {
    const s = await start({ codeDeployMinuteMs: 300 });
    const { lambda, trail } = clientsOf(s);
    const cd = codeDeployFor(s);
    clients.push(cd);
    await functionWithTwoVersions(lambda, 'raced');
    await appAndGroup(cd, 'raced-app', 'raced-group');
    const id = await deploy(cd, 'raced-app', 'raced-group', appSpec('raced'), 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute');
    for (let i = 0; (await lookup(trail, byName('UpdateAlias20150331'))).length === 0; i++) {
      assert.ok(i < 2000, 'the first shift came');
      await sleep(5);
    }
    // A teammate moves the alias while the deployment waits for its next step.
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'raced', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const d = await waitForStatus(cd, id, 20_000);
    assert.equal(d.status, 'Failed');
    const refused = (await lookup(trail, byName('UpdateAlias20150331'))).filter((e) => recordOf(e).errorCode !== undefined);
    assert.equal(refused.length, 1);
    const r = recordOf(refused[0]);
    assert.equal(r.errorCode, 'PreconditionFailedException');
    assert.equal(r.userIdentity.type, 'AssumedRole');
    assert.equal(r.userIdentity.invokedBy, 'codedeploy.amazonaws.com');
    assert.equal(r.userIdentity.sessionContext?.sessionIssuer?.arn, SERVICE_ROLE);
    assert.equal(r.responseElements, null);
    assert.equal(refused[0].Username, 'AWSCodeDeploy');
  });

  it("parses a Lambda write's body once, for the operation and its event", async () => {
    const s = await start();
    const { lambda, trail } = clientsOf(s);
    await functionWithTwoVersions(lambda, 'once');
    const body = JSON.stringify({ FunctionVersion: '2', Description: `parsed-once-${Date.now()}` });
    const parse = JSON.parse;
    let parses = 0;
    JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      if (text === body) parses++;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      const r = await rawRequest(s, 'PUT', '/2015-03-31/functions/once/aliases/live', { ...sdkHeaders(s), 'content-type': 'application/json' }, body);
      assert.equal(r.status, 200, r.body);
    } finally {
      JSON.parse = parse;
    }
    assert.equal(parses, 1);
    const [e] = await lookup(trail, byName('UpdateAlias20150331'));
    assert.equal(recordOf(e).requestParameters?.functionVersion, '2');
  });
});
