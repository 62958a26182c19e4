/**
 * The demo seed (`--seed demo`, the extension's embedded demo, `npm start`), read back through the
 * real SDK client: each function's releases and aliases, the next releases a rollout can ship
 * (orders-worker's bad 2024.07.1, image-resizer's healthy 1.1.0) and how often they fail, and the
 * demo traffic, enough to judge a 10 % canary of either within a few minutes; the shop's three
 * functions a release moves together (release-demo.test.ts releases them); and the triggers, some
 * through an alias and some bypassing it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionUrlConfigsCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { isRouterDescription, routerDescription } from '../../src/core/router/api';
import { ROUTER_HANDLER, ROUTER_RUNTIME, routerEnvironment } from '../../src/core/router/routerPackage';
import { decideRoute, ROUTE_VARIABLE } from '../../src/core/router/rules';
import { DEMO_API_ID, DEMO_FUNCTIONS, DEMO_ROUTER, DEMO_ROUTER_REQUESTS, DEMO_TRAFFIC, seedDemo, seededRandom, startSandbox, TrafficGenerator } from '../../src/sandbox';
import { clientsFor, sleep, useSandbox } from './helpers';

type Aliases = Record<string, [string, Record<string, number> | undefined]>;

/** What a new user finds: version → its description, alias → [version, routing]. */
const SEEDED: Record<string, { versions: Record<string, string>; aliases: Aliases }> = {
  'checkout-api': {
    versions: { '1': 'release v1.0.0', '2': 'release v1.1.0', '3': 'release v1.2.0' },
    aliases: { prod: ['2', { '3': 0.1 }], staging: ['3', undefined] },
  },
  'orders-worker': {
    versions: { '1': 'release 2024.05.1', '2': 'release 2024.06.1', '3': 'release 2024.07.1' },
    aliases: { prod: ['2', undefined] },
  },
  'image-resizer': {
    versions: { '1': 'release 1.0.0', '2': 'release 1.1.0' },
    aliases: { prod: ['1', undefined] },
  },
  'price-quote': {
    versions: { '1': 'release 1.0', '2': 'release 1.1' },
    aliases: { live: ['2', undefined] },
  },
  'nightly-report': { versions: {}, aliases: {} },
  'deploy-check': { versions: {}, aliases: {} },
  'shop-orders-api': { versions: { '1': 'release 1.0.0' }, aliases: { prod: ['1', undefined] } },
  'shop-payments': { versions: { '1': 'release 1.0.0' }, aliases: { prod: ['1', undefined] } },
  'shop-notifications': { versions: { '1': 'release 1.0.0' }, aliases: { prod: ['1', undefined] } },
  // The router in front of checkout-api:prod (its alias has the target alias's name).
  'checkout-api-router': { versions: { '1': routerDescription('checkout-api', 'prod') }, aliases: { prod: ['1', undefined] } },
};

interface Calls {
  calls: number;
  errors: number;
  messages: Set<string>;
  releases: Set<string>;
  tookMs: number[];
}

/** Invokes FN:QUALIFIER `n` times, `parallel` at a time, and sums what came back. */
async function invokeMany(lambda: LambdaClient, fn: string, qualifier: string, n: number, parallel = 8): Promise<Calls> {
  const out: Calls = { calls: 0, errors: 0, messages: new Set(), releases: new Set(), tookMs: [] };
  let left = n;
  const caller = async () => {
    while (left > 0) {
      left--;
      const r = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: qualifier, Payload: Buffer.from('{}') }));
      out.calls++;
      const doc = JSON.parse(Buffer.from(r.Payload!).toString('utf8')) as { errorMessage?: string; body?: string };
      if (r.FunctionError) {
        out.errors++;
        out.messages.add(doc.errorMessage ?? '');
      } else {
        const body = JSON.parse(doc.body!) as { release: string; tookMs: number };
        out.releases.add(body.release);
        out.tookMs.push(body.tookMs);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, caller));
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('demo seed', function () {
  this.timeout(90_000);
  const h = useSandbox({ updateDelayMs: 0, maxEnvironmentsPerVersion: 8 });

  before(async () => {
    const { sandbox } = h();
    const created = await seedDemo(sandbox.lambda, () => sandbox.settle());
    assert.deepEqual(created, [...DEMO_FUNCTIONS.map((d) => d.name), DEMO_ROUTER.name]);
  });

  it('publishes each release as a version and points each alias at its version in production', async () => {
    const { lambda } = h();
    for (const [fn, want] of Object.entries(SEEDED)) {
      const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? [];
      assert.deepEqual(Object.fromEntries(versions.filter((v) => v.Version !== '$LATEST').map((v) => [v.Version, v.Description])), want.versions, fn);
      const aliases = (await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases ?? [];
      assert.deepEqual(Object.fromEntries(aliases.map((a) => [a.Name, [a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights]])), want.aliases, fn);
    }
    // Seeding again (state kept on disk) adds nothing.
    assert.deepEqual(await seedDemo(h().sandbox.lambda, () => h().sandbox.settle()), []);
  });

  it('seeds triggers that go through the alias and triggers that bypass it', async () => {
    const { lambda } = h();
    const arn = (fn: string, q?: string) => `arn:aws:lambda:us-east-1:123456789012:function:${fn}${q ? `:${q}` : ''}`;
    // Every mapping of the sandbox: orders-worker's queue, on the unqualified function (bypasses prod).
    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    assert.deepEqual(
      mappings.map((m) => [m.EventSourceArn, m.FunctionArn, m.State, m.BatchSize]),
      [['arn:aws:sqs:us-east-1:123456789012:orders', arn('orders-worker'), 'Enabled', 10]],
    );
    assert.equal((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'orders-worker:prod' }))).EventSourceMappings?.length, 0);

    const urls = async (fn: string) =>
      ((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn }))).FunctionUrlConfigs ?? []).map((u) => [u.FunctionArn, u.AuthType, /^https:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws\/$/.test(u.FunctionUrl ?? '')]);
    assert.deepEqual(await urls('checkout-api'), [[arn('checkout-api', 'prod'), 'NONE', true]]);
    assert.deepEqual(await urls('price-quote'), [[arn('price-quote'), 'NONE', true]]);
    for (const fn of ['orders-worker', 'image-resizer', 'nightly-report']) assert.deepEqual(await urls(fn), [], fn);

    type Statement = { Sid: string; Principal: unknown; Action: string; Resource: string; Condition?: unknown };
    const policy = async (fn: string, qualifier?: string): Promise<Statement[] | undefined> => {
      try {
        const p = await lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: qualifier }));
        return (JSON.parse(p.Policy!) as { Statement: Statement[] }).Statement;
      } catch (e) {
        assert.equal((e as Error).name, 'ResourceNotFoundException', `${fn}:${qualifier}`);
        return undefined;
      }
    };
    // Both statements a public URL needs: InvokeFunctionUrl (auth NONE) and InvokeFunction through the URL.
    const publicInvoke = (fn: string, q?: string): Statement[] => [
      {
        Sid: 'FunctionURLAllowPublicAccess',
        Principal: '*',
        Action: 'lambda:InvokeFunctionUrl',
        Resource: arn(fn, q),
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
      },
      {
        Sid: 'FunctionURLAllowInvokeAction',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        Resource: arn(fn, q),
        Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
      },
    ];
    const effectless = (xs: Statement[] | undefined) => xs?.map(({ Effect: _, ...rest }: Statement & { Effect?: string }) => rest);
    assert.deepEqual(effectless(await policy('checkout-api', 'prod')), publicInvoke('checkout-api', 'prod'));
    assert.deepEqual(effectless(await policy('checkout-api')), [
      {
        Sid: 'apigateway-post-checkout',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: arn('checkout-api'),
        Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:us-east-1:123456789012:${DEMO_API_ID}/*/POST/checkout` } },
      },
    ]);
    assert.deepEqual(effectless(await policy('image-resizer', 'prod')), [
      {
        Sid: 's3-demo-photos',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: arn('image-resizer', 'prod'),
        Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::demo-photos' } },
      },
    ]);
    assert.equal(await policy('image-resizer'), undefined);
    assert.deepEqual(effectless(await policy('price-quote')), publicInvoke('price-quote'));
    assert.equal(await policy('price-quote', 'live'), undefined);
    assert.equal(await policy('orders-worker'), undefined);

    const async = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'image-resizer', Qualifier: 'prod' }));
    assert.equal(async.FunctionArn, arn('image-resizer', 'prod'));
    assert.equal(async.MaximumRetryAttempts, 1);
    assert.deepEqual(async.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:image-resizer-failures' } });
    for (const d of DEMO_FUNCTIONS) {
      const configs = (await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: d.name }))).FunctionEventInvokeConfigs ?? [];
      assert.equal(configs.length, d.name === 'image-resizer' ? 1 : 0, d.name);
    }
  });

  it('orders-worker 3 (2024.07.1) fails about a quarter of its calls; 2, in prod, never fails', async () => {
    const { lambda } = h();
    const bad = await invokeMany(lambda, 'orders-worker', '3', 160);
    // 25 % of 160 is 40 (σ ≈ 5.5): outside [20, 65] has a chance below 1 in 30,000.
    assert.ok(bad.errors >= 20 && bad.errors <= 65, `${bad.errors}/160 errors`);
    assert.deepEqual([...bad.messages], ['2024.07.1: simulated failure']);
    assert.deepEqual([...bad.releases], ['2024.07.1']);
    const prod = await invokeMany(lambda, 'orders-worker', 'prod', 80);
    assert.equal(prod.errors, 0);
    assert.deepEqual([...prod.releases], ['2024.06.1']);
  });

  it('image-resizer 2 (1.1.0) is healthy: no errors, as fast as 1 in prod', async () => {
    const { lambda } = h();
    // Interleaved, so both versions see the same machine.
    const next: Calls[] = [];
    const prod: Calls[] = [];
    for (let i = 0; i < 4; i++) {
      next.push(await invokeMany(lambda, 'image-resizer', '2', 40));
      prod.push(await invokeMany(lambda, 'image-resizer', 'prod', 40));
    }
    const errors = next.reduce((a, c) => a + c.errors, 0);
    assert.equal(errors, 0, `${errors}/160 errors`);
    assert.deepEqual([...new Set(next.flatMap((c) => [...c.releases]))], ['1.1.0']);
    assert.deepEqual([...new Set(prod.flatMap((c) => [...c.releases]))], ['1.0.0']);
    const fast = mean(next.flatMap((c) => c.tookMs));
    const stable = mean(prod.flatMap((c) => c.tookMs));
    // Both wait 40–80 ms (60 on average): a latency gate sees no difference.
    assert.ok(Math.abs(fast - stable) < 15, `1.1.0 takes ${fast.toFixed(1)} ms, 1.0.0 ${stable.toFixed(1)} ms on average`);
    assert.ok(fast >= 40 && stable >= 40, `${fast} ${stable}`);
  });

  it('the shop (three functions one release moves): release 1.0.0 on each prod, Node.js 20, never failing', async () => {
    const { lambda } = h();
    for (const fn of ['shop-orders-api', 'shop-payments', 'shop-notifications']) {
      const [latest] = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? [];
      assert.deepEqual([latest.Runtime, latest.Handler], ['nodejs20.x', 'index.handler'], fn);
      // A call without an order (as the demo traffic's) is answered too.
      const calls = await invokeMany(lambda, fn, 'prod', 40);
      assert.equal(calls.errors, 0, `${fn}: ${[...calls.messages].join(', ')}`);
      assert.deepEqual([...calls.releases], ['1.0.0'], fn);
    }
  });

  it('demo traffic: 63 calls/s in all; a 10 % canary of orders-worker or image-resizer gets about one a second, each shop function 5/s', async () => {
    const { lambda, sandbox } = h();
    const rates = Object.fromEntries(DEMO_TRAFFIC.map((t) => [`${t.functionName}:${t.qualifier}`, t.rate]));
    assert.deepEqual(rates, {
      'checkout-api:prod': 20,
      'orders-worker:prod': 10,
      'image-resizer:prod': 10,
      'price-quote:live': 3,
      'shop-orders-api:prod': 5,
      'shop-payments:prod': 5,
      'shop-notifications:prod': 5,
      'checkout-api-router:prod': 5,
    });
    // Every target is an alias the seed creates.
    for (const t of DEMO_TRAFFIC) assert.ok(SEEDED[t.functionName]?.aliases[t.qualifier], `${t.functionName}:${t.qualifier}`);

    // The first step of a rollout of each next release: 10 % of prod on it.
    for (const [fn, next] of [['orders-worker', '3'], ['image-resizer', '2']]) {
      await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { [next]: 0.1 } } }));
    }
    sandbox.setRandom(seededRandom(11));
    const targets = DEMO_TRAFFIC.filter((t) => t.functionName === 'orders-worker' || t.functionName === 'image-resizer');
    const g = new TrafficGenerator(sandbox.lambda, targets);
    const seconds = 6;
    try {
      g.start();
      await sleep(seconds * 1000);
    } finally {
      g.stop();
      sandbox.setRandom(Math.random);
    }
    await sleep(500); // the last calls finish
    let canaryCalls = 0;
    for (const s of g.snapshot()) {
      const next = s.functionName === 'orders-worker' ? '3' : '2';
      // 10/s for 6 s: about 60 sent (a busy machine may delay a few ticks).
      assert.ok(s.sent >= 45 && s.sent <= 70, `${s.functionName}: ${s.sent} sent in ${seconds} s`);
      assert.equal(s.rejected, 0, s.functionName);
      const canary = s.byVersion[next]?.invocations ?? 0;
      assert.ok(canary >= 1 && canary <= 20, `${s.functionName}: ${canary} of ${s.sent} calls on the canary ${next}`);
      canaryCalls += canary;
    }
    assert.ok(canaryCalls >= 5, `${canaryCalls} canary calls in ${seconds} s over both functions (about 12 expected)`);
  });
});

describe('demo seed: the router on checkout-api:prod', function () {
  this.timeout(90_000);
  const h = useSandbox({ updateDelayMs: 0, maxEnvironmentsPerVersion: 8 });
  before(async () => {
    const { sandbox } = h();
    await seedDemo(sandbox.lambda, () => sandbox.settle());
  });

  /** The router's answer to `event` (checkout-api fails a share of its calls: asked again then). */
  async function route(event: unknown): Promise<{ routerVersion?: string; header: string; version: string }> {
    for (let attempt = 0; ; attempt++) {
      const r = await h().lambda.send(new InvokeCommand({ FunctionName: DEMO_ROUTER.name, Qualifier: DEMO_ROUTER.alias, Payload: Buffer.from(JSON.stringify(event)) }));
      const doc = JSON.parse(Buffer.from(r.Payload!).toString('utf8')) as { statusCode?: number; headers?: Record<string, string>; body?: string };
      if (!r.FunctionError && doc.statusCode === 200) return { routerVersion: r.ExecutedVersion, header: doc.headers!['x-canary-version'], version: (JSON.parse(doc.body!) as { version: string }).version };
      if (attempt === 5) assert.fail(`the router failed 6 times: ${JSON.stringify(doc)}`);
    }
  }

  it('is a router the product made: its package, its Description, its rule (beta group, sticky 10 % by x-user-id) in its environment', async () => {
    const c = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: DEMO_ROUTER.name }));
    assert.equal(c.Description, routerDescription('checkout-api', 'prod'));
    assert.ok(isRouterDescription(c.Description, 'checkout-api', 'prod'));
    assert.deepEqual(c.Environment?.Variables, routerEnvironment({
      target: 'checkout-api',
      stable: '2',
      canary: '3',
      salt: 'checkout-api-router',
      rules: [
        { kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] },
        { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 10 },
      ],
    }));
    assert.equal(JSON.parse(c.Environment!.Variables![ROUTE_VARIABLE]).target, 'checkout-api');
    assert.deepEqual([c.Handler, c.Runtime, c.MemorySize], [ROUTER_HANDLER, ROUTER_RUNTIME, 128]);
  });

  it('sends a beta request to the canary (checkout-api:3), and each demo user always to the version the rule gives', async () => {
    const [beta] = DEMO_ROUTER_REQUESTS;
    assert.deepEqual(await route(beta), { routerVersion: '1', header: '3', version: '3' });
    const plain = { ...(beta as { headers: Record<string, string> }), headers: { 'x-user-id': 'customer-01' } };
    const others = await route(plain);
    assert.equal(others.version, decideRoute(DEMO_ROUTER.config, plain).version);
    const versions = new Set<string>();
    for (const event of [...DEMO_ROUTER_REQUESTS, ...DEMO_ROUTER_REQUESTS]) {
      const a = await route(event);
      const groupHeader = (event as { headers: Record<string, string> }).headers['x-canary-group'];
      assert.equal(a.version, groupHeader === 'beta' ? '3' : decideRoute(DEMO_ROUTER.config, event).version);
      versions.add(a.version);
    }
    // The demo's users reach both versions through the router: the beta group and a sticky share.
    assert.deepEqual([...versions].sort(), ['2', '3']);
    const betaUsers = DEMO_ROUTER_REQUESTS.filter((e) => (e as { headers: Record<string, string> }).headers['x-canary-group'] === 'beta').length;
    assert.equal(betaUsers, 10);
  });

  it("the demo traffic to the router is answered, none refused, and reaches both of checkout-api's versions", async () => {
    const target = DEMO_TRAFFIC.find((t) => t.functionName === DEMO_ROUTER.name)!;
    const g = new TrafficGenerator(h().sandbox.lambda, [target]);
    // The invocations the sandbox records for checkout-api (the router invokes checkout-api:2 or :3).
    const metrics = h().sandbox.metrics;
    const record = metrics.record.bind(metrics);
    const reached: Record<string, number> = {};
    metrics.record = (sample) => {
      if (sample.functionName === 'checkout-api' && sample.resource) reached[sample.resource] = (reached[sample.resource] ?? 0) + 1;
      record(sample);
    };
    try {
      g.start();
      await sleep(2000);
    } finally {
      g.stop();
      metrics.record = record;
    }
    // Every fourth demo user is in the beta group: the canary gets some of the first requests.
    assert.ok((reached['checkout-api:3'] ?? 0) >= 1 && (reached['checkout-api:2'] ?? 0) >= 1, JSON.stringify(reached));
    await sleep(500);
    const [s] = g.snapshot();
    assert.ok(s.sent >= 6, `${s.sent} sent in 2 s`);
    assert.equal(s.rejected, 0);
    assert.deepEqual(Object.keys(s.byVersion), ['1']);
    assert.ok(s.byVersion['1'].invocations - s.byVersion['1'].errors >= s.sent / 2, JSON.stringify(s));
  });
});

describe('demo seed: a state seeded by an earlier release', function () {
  this.timeout(60_000);

  /** What the demo's triggers are, read back: mappings, URLs, policy statement ids and async settings per function. */
  async function triggers(lambda: LambdaClient): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    out.mappings = ((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []).map((m) => [m.EventSourceArn, m.FunctionArn]);
    for (const d of DEMO_FUNCTIONS) {
      const urls = ((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: d.name }))).FunctionUrlConfigs ?? []).map((u) => u.FunctionArn);
      const sids: string[] = [];
      for (const q of [undefined, ...d.aliases.map((a) => a.name)]) {
        try {
          const p = await lambda.send(new GetPolicyCommand({ FunctionName: d.name, Qualifier: q }));
          sids.push(...(JSON.parse(p.Policy!) as { Statement: Array<{ Sid: string }> }).Statement.map((s) => `${q ?? '$LATEST'}/${s.Sid}`));
        } catch (e) {
          assert.equal((e as Error).name, 'ResourceNotFoundException');
        }
      }
      const async = ((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: d.name }))).FunctionEventInvokeConfigs ?? []).map((c) => c.FunctionArn);
      out[d.name] = { urls, sids, async };
    }
    return out;
  }

  it('adds the demo triggers a kept demo function lacks, once; a mapping moved onto the alias is not added back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-demo-old-state-'));
    try {
      let sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      let { lambda } = clientsFor(sandbox);
      await seedDemo(sandbox.lambda, () => sandbox.settle());
      const seeded = await triggers(lambda);
      lambda.destroy();
      await sandbox.close();

      // What an earlier release left: the demo functions, no triggers at all.
      for (const file of fs.readdirSync(path.join(dir, 'functions'))) {
        const full = path.join(dir, 'functions', file);
        const rec = JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, unknown>;
        delete rec.triggers;
        fs.writeFileSync(full, JSON.stringify(rec));
      }
      fs.rmSync(path.join(dir, 'mappings'), { recursive: true, force: true });
      sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      ({ lambda } = clientsFor(sandbox));
      assert.deepEqual((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings, []);
      assert.deepEqual(await seedDemo(sandbox.lambda, () => sandbox.settle()), [], 'no function is created again');
      assert.deepEqual(await triggers(lambda), seeded);
      // Seeding again adds nothing.
      await seedDemo(sandbox.lambda, () => sandbox.settle());
      assert.deepEqual(await triggers(lambda), seeded);

      // The bypassing mapping moved onto prod (the audit's fix): the seed does not add a second one.
      const [m] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'orders-worker' }))).EventSourceMappings ?? [];
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, FunctionName: 'orders-worker:prod' }));
      await seedDemo(sandbox.lambda, () => sandbox.settle());
      assert.deepEqual(
        ((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []).map((x) => [x.UUID, x.FunctionArn]),
        [[m.UUID, 'arn:aws:lambda:us-east-1:123456789012:function:orders-worker:prod']],
      );
      lambda.destroy();
      await sandbox.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
