/**
 * The traffic panel's feed (src/extension/panel/trafficFeed.ts) in plain Node, against the
 * sandbox through the real SDK: which versions it asks CloudWatch about, how many refreshes it
 * lets run at once, its timer, and its probe (one per alias, stopped by its owner, journalled).
 */
import assert from 'node:assert/strict';
import type { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { AliasActions } from '../../src/core/aliasActions';
import type { Clients, ConnectionSpec } from '../../src/core/connection';
import { capabilitiesOf } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import type { JournalPort, UseCaseContext } from '../../src/core/usecases';
import { HISTORY_VERSIONS, TrafficFeed } from '../../src/extension/panel/trafficFeed';
import type { HostMessage } from '../../src/shared/protocol';
import { handlerZip, ROLE, sleep, useSandbox } from './helpers';

const FN = 'feed-fn';
/** Published versions: more than the feed's history, so that the oldest are left out. */
const PUBLISHED = HISTORY_VERSIONS + 4;

describe('traffic feed of a panel, in plain Node (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 0 });
  let metricRequests: number;
  let journalled: Outcome[];

  /** The sandbox's clients, counting GetMetricData requests. */
  function clients(): Clients {
    const { sandbox, lambda, cloudwatch } = h();
    const spec: ConnectionSpec = { kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false };
    const counting = {
      send: (cmd: GetMetricDataCommand) => {
        metricRequests++;
        return cloudwatch.send(cmd);
      },
    } as unknown as CloudWatchClient;
    return { lambda, cloudwatch: counting, codedeploy: () => Promise.reject(new Error('no CodeDeploy in this test')), cloudtrail: () => Promise.reject(new Error('no CloudTrail in this test')), spec, capabilities: capabilitiesOf(spec), dispose: () => undefined };
  }

  function feed(refreshSeconds = 60): { feed: TrafficFeed; posted: HostMessage[] } {
    const posted: HostMessage[] = [];
    const journal: JournalPort = {
      append: (o) => Promise.resolve(void journalled.push(o)),
      lastSwitch: () => Promise.resolve(undefined),
    };
    const f = new TrafficFeed({
      functionName: FN,
      aliasName: 'prod',
      clients: () => Promise.resolve(clients()),
      context: (c, options = {}): UseCaseContext => ({ lambda: c.lambda, cloudwatch: c.cloudwatch, capabilities: c.capabilities, log: new MemoryLogger(), region: c.spec.region, journal, ...options }),
      post: (m) => Promise.resolve(posted.push(structuredClone(m)) > 0),
      refreshSeconds: () => refreshSeconds,
    });
    return { feed: f, posted };
  }

  before(async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip({ v: 0 }) } }));
    for (let v = 1; v <= PUBLISHED; v++) {
      sandbox.settle();
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: handlerZip({ v }) }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    }
    // prod routes to two old versions, outside the history: both must be in the query anyway.
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
  });
  beforeEach(() => {
    metricRequests = 0;
    journalled = [];
  });

  it('posts init, then one report over the alias targets and the last HISTORY_VERSIONS published versions', async () => {
    const { feed: f, posted } = feed();
    await f.start({ refreshSeconds: 60, probeCount: 50, scrollY: 12 }, false);
    f.stop();
    assert.deepEqual(
      posted.map((m) => m.type),
      ['init', 'traffic'],
    );
    const init = posted[0] as Extract<HostMessage, { type: 'init' }>;
    assert.deepEqual([init.alias.primary, init.alias.canary, init.scrollY, init.window], [{ version: '1', weight: 0.7 }, { version: '2', weight: 0.3 }, 12, 15]);
    const history = Array.from({ length: HISTORY_VERSIONS }, (_, i) => String(PUBLISHED - i));
    assert.deepEqual(
      f.report!.versions.map((v) => v.version).sort((a, b) => Number(a) - Number(b)),
      ['1', '2', ...history.reverse()],
    );
    const traffic = posted[1] as Extract<HostMessage, { type: 'traffic' }>;
    assert.deepEqual([traffic.verdict.stableVersion, traffic.verdict.canaryVersion], ['1', '2']);
    assert.equal(metricRequests, 1, 'one GetMetricData for every version and metric');
    assert.deepEqual(journalled, [], 'a traffic report is not journalled');
  });

  it('runs one refresh at a time and queues at most one more, shared by every caller meanwhile', async () => {
    const { feed: f } = feed();
    await Promise.all(Array.from({ length: 6 }, () => f.refresh()));
    assert.equal(metricRequests, 2);
    f.stop();
    await f.refresh();
    assert.equal(metricRequests, 2, 'a stopped feed reads nothing');
  });

  it('a change made elsewhere is posted by the next refresh; an unchanged alias is not posted again', async () => {
    const { lambda } = h();
    const { feed: f, posted } = feed();
    await f.refresh();
    await f.refresh();
    assert.equal(posted.filter((m) => m.type === 'alias').length, 1, 'the first read posts the alias, the second finds it unchanged');
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.4 } } }));
    await f.refresh();
    const last = posted.filter((m): m is Extract<HostMessage, { type: 'alias' }> => m.type === 'alias').at(-1)!;
    assert.deepEqual(last.alias.canary, { version: '2', weight: 0.4 });
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
    const reread = await f.reread();
    assert.equal(reread.RoutingConfig?.AdditionalVersionWeights?.['2'], 0.3);
    assert.deepEqual((posted.at(-1) as Extract<HostMessage, { type: 'alias' }>).alias.canary, { version: '2', weight: 0.3 });
    f.stop();
  });

  it('refreshes on its timer only while visible', async () => {
    const { feed: f } = feed(0.05);
    f.schedule(true);
    await sleep(400);
    f.schedule(false);
    const seen = metricRequests;
    assert.ok(seen >= 3, `refreshed ${seen} times in 400 ms at a 50 ms interval`);
    await sleep(300);
    assert.ok(metricRequests <= seen + 2, `hidden, it went on refreshing: ${metricRequests - seen} more`);
    f.stop();
  });

  it('a probe holds the alias (a second one is told it is busy), stops when its owner cancels, and is journalled', async () => {
    const { feed: f, posted } = feed();
    const claims = new AliasActions();
    const owner = {};
    const first = f.probe(2000, {}, claims, owner);
    const second = await f.probe(10, {}, claims, {});
    assert.deepEqual(second, { status: 'busy', running: 'probe' });
    assert.equal(claims.current(`${FN}:prod`), 'probe');
    while (!posted.some((m) => m.type === 'probe')) await sleep(10);
    assert.equal(claims.cancelAll(owner), 1);
    const run = await first;
    assert.equal(run.status, 'ran');
    if (run.status !== 'ran') return;
    assert.equal(run.cancelled, true);
    assert.ok(run.outcome.detail!.sent < 2000, `sent ${run.outcome.detail!.sent}`);
    const final = posted.filter((m): m is Extract<HostMessage, { type: 'probe' }> => m.type === 'probe').at(-1)!;
    assert.deepEqual([final.finished, final.cancelled, final.done], [true, true, run.outcome.detail!.sent]);
    assert.deepEqual(
      posted.filter((m) => m.type === 'busy' || m.type === 'notice').map((m) => (m.type === 'busy' ? `busy ${m.action}` : m.message)),
      ['busy probe', 'Wait for the current probe to finish.', 'busy null'],
    );
    assert.equal(claims.current(`${FN}:prod`), undefined, 'the alias is free again');
    assert.deepEqual(
      journalled.map((o) => o.action),
      ['probe'],
    );
    f.stop();
  });
});
