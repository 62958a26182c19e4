/**
 * The router function running in the sandbox: its package (routerPackage) deployed as any
 * function, invoking its target's versions through the sandbox's Lambda API, signed with the
 * credentials the sandbox gives a function's environment. Everything through the real SDK.
 */
import assert from 'node:assert/strict';
import type { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { readRouterSplit } from '../../src/core/router/split';
import type { RouterConfig } from '../../src/core/router/rules';
import { decideRoute } from '../../src/core/router/rules';
import { ROUTER_HANDLER, ROUTER_RUNTIME, routerEnvironment, routerPackage } from '../../src/core/router/routerPackage';
import { newAccessKeyId, zipFiles } from '../../src/sandbox';
import { ROLE, useSandbox } from './helpers';
import { mapLimit } from '../../src/core/mapLimit';

/** The target: answers its version as an HTTP response, or fails as the request asks. */
const TARGET_CODE = (tag: string) => `// ${tag}
exports.handler = async (event) => {
  const fail = (event && event.headers && event.headers['x-fail']) || (event && event.fail);
  if (fail === 'handled') throw Object.assign(new Error('card declined'), { name: 'PaymentError' });
  if (fail === 'unhandled') return new Promise(() => setTimeout(() => { throw new TypeError('boom in a timer'); }, 0));
  if (fail === 'timeout') return new Promise((r) => setTimeout(r, 5000));
  if (event && event.Records) return { batchItemFailures: [], version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'X-Canary-Version': 'spoofed' },
    body: JSON.stringify({ version: process.env.AWS_LAMBDA_FUNCTION_VERSION, path: event && event.rawPath }),
  };
};
`;

const httpEvent = (headers: Record<string, string>) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/orders',
  rawQueryString: '',
  headers: { host: 'abc.lambda-url.us-east-1.on.aws', ...headers },
  requestContext: { http: { method: 'GET', path: '/orders', sourceIp: '198.51.100.20' } },
  isBase64Encoded: false,
});

interface Answer {
  out: InvokeCommandOutput;
  body: Record<string, unknown>;
  log: string;
}

describe('router function in the sandbox (real SDK)', function () {
  this.timeout(120_000);
  // The sandbox checks the key each request is signed with: the router's must be the one it gave.
  const h = useSandbox({ updateDelayMs: 0, maxEnvironmentsPerVersion: 8, accessKeyId: newAccessKeyId() });
  const target = 'shop-api';
  let routers = 0;

  before(async () => {
    const lambda = h().lambda;
    await lambda.send(new CreateFunctionCommand({ FunctionName: target, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Timeout: 1, MemorySize: 128, Code: { ZipFile: zipFiles({ 'index.js': TARGET_CODE('v1') }) } }));
    h().sandbox.settle();
    assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: target }))).Version, '1');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: target, ZipFile: zipFiles({ 'index.js': TARGET_CODE('v2') }) }));
    h().sandbox.settle();
    assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: target }))).Version, '2');
    h().sandbox.settle();
  });

  /** Creates a router with this rule and publishes it; returns its name and qualifier. */
  async function createRouter(rules: RouterConfig['rules'], extra: Partial<RouterConfig> = {}): Promise<{ name: string; config: RouterConfig }> {
    const name = `${target}-router-${++routers}`;
    const config: RouterConfig = { target, stable: '1', canary: '2', salt: `salt-${routers}`, rules, ...extra };
    const pkg = routerPackage();
    await h().lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: ROUTER_RUNTIME,
        Handler: ROUTER_HANDLER,
        Role: ROLE,
        Timeout: 10,
        MemorySize: 128,
        Code: { ZipFile: pkg.zip },
        Environment: { Variables: routerEnvironment(config) },
      }),
    );
    h().sandbox.settle();
    const v = await h().lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: pkg.sha256 }));
    h().sandbox.settle();
    return { name: `${name}:${v.Version}`, config };
  }

  async function invoke(fn: string, event: unknown, tail = false): Promise<Answer> {
    const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(event)), ...(tail ? { LogType: 'Tail' } : {}) }));
    const text = Buffer.from(out.Payload ?? []).toString('utf8');
    return { out, body: JSON.parse(text) as Record<string, unknown>, log: out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '' };
  }

  /** The router's decision line in an invocation's log. */
  function decisionOf(log: string): Record<string, unknown> {
    const line = log.split('\n').find((l) => l.startsWith('{"lambdaCanaryRouter"'));
    assert.ok(line, `no decision line in:\n${log}`);
    return JSON.parse(line) as Record<string, unknown>;
  }

  it('sends every request of the beta group to the canary and the others to stable, naming the version in a header', async () => {
    const { name } = await createRouter([{ kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] }]);
    const requests = Array.from({ length: 60 }, (_, i): Record<string, string> => (i % 2 === 0 ? { 'X-Canary-Group': 'beta' } : i % 3 === 0 ? { 'x-canary-group': 'alpha' } : {}));
    const answers = await mapLimit(requests, 12, (headers) => invoke(name, httpEvent(headers)));
    answers.forEach((a, i) => {
      const beta = i % 2 === 0;
      assert.equal(a.out.FunctionError, undefined);
      assert.equal(a.body.statusCode, 200);
      const headers = a.body.headers as Record<string, string>;
      assert.equal(headers['x-canary-version'], beta ? '2' : '1', `request ${i}`);
      // The target's own spelling of the header is replaced, its other headers kept.
      assert.equal(headers['X-Canary-Version'], undefined);
      assert.equal(headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(a.body.body as string), { version: beta ? '2' : '1', path: '/orders' });
    });
    const logged = decisionOf((await invoke(name, httpEvent({ 'x-canary-group': 'beta' }), true)).log);
    const aws = logged._aws as { Timestamp: unknown };
    assert.deepEqual(
      { ...logged, ms: typeof logged.ms, _aws: { ...aws, Timestamp: typeof aws.Timestamp } },
      {
        lambdaCanaryRouter: 1,
        target,
        route: 'canary',
        version: '2',
        rule: 'group',
        ruleIndex: 0,
        ms: 'number',
        // An Embedded Metric Format record: Lambda's logs make it a CloudWatch metric.
        _aws: {
          Timestamp: 'number',
          CloudWatchMetrics: [
            {
              Namespace: 'LambdaCanary/Router',
              Dimensions: [['Router', 'Route', 'Rule']],
              Metrics: [
                { Name: 'Requests', Unit: 'Count' },
                { Name: 'Errors', Unit: 'Count' },
              ],
            },
          ],
        },
        // Invoked by version: the router's name alone (an alias would be named with it).
        Router: name.split(':')[0],
        Route: 'canary',
        Rule: 'group#0',
        Requests: 1,
        Errors: 0,
      },
    );
    const other = decisionOf((await invoke(name, httpEvent({}), true)).log);
    assert.deepEqual([other.route, other.version, other.rule], ['stable', '1', 'default']);
  });

  it('publishes its decisions as CloudWatch metrics: readRouterSplit reads requests and errors per rule and route', async () => {
    const rules: RouterConfig['rules'] = [
      { kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] },
      { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 50 },
    ];
    const { name, config } = await createRouter(rules);
    const [fn, version] = name.split(':');
    await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: version }));
    const t0 = Date.now();
    const requests: Array<Record<string, string>> = [
      ...Array.from({ length: 6 }, () => ({ 'x-canary-group': 'beta' })),
      ...Array.from({ length: 40 }, (_, i) => ({ 'x-user-id': `user-${i}` })),
      ...Array.from({ length: 5 }, () => ({})),
      // A failing target: counted in Errors of its route.
      { 'x-fail': 'handled' },
    ];
    await mapLimit(requests, 8, (headers) => invoke(`${fn}:prod`, httpEvent(headers)));
    // By version, not through the alias: another Router dimension, not counted in prod's split.
    await invoke(name, httpEvent({ 'x-canary-group': 'beta' }));
    const sticky = requests.slice(6, 46).map((headers) => decideRoute(config, httpEvent(headers)).route);
    const canaryUsers = sticky.filter((r) => r === 'canary').length;
    const split = await readRouterSplit({ cloudwatch: h().cloudwatch }, { router: fn, routerAlias: 'prod', start: t0 - 120_000, end: t0 + 120_000, period: 60, rules });
    assert.equal(split.router, `${fn}:prod`);
    assert.deepEqual(
      split.rows.map((r) => [r.rule, r.canary.requests, r.canary.errors, r.stable.requests, r.stable.errors]),
      [
        ['group#0', 6, 0, 0, 0],
        ['sticky#1', canaryUsers, 0, 40 - canaryUsers, 0],
        ['default', 0, 0, 6, 1],
      ],
    );
    assert.ok(canaryUsers > 5 && canaryUsers < 35, `sticky split ${canaryUsers}/40`);
  });

  it('keeps each of 200 users on one version over 2,000 requests, about 10 % of them on the canary', async () => {
    // A fixed salt: the cohort is then the same on every run (with 200 users, the share of a
    // random salt's cohort varies by about 2 points around the weight).
    const { name, config } = await createRouter([{ kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }, { from: 'sourceIp' }], weight: 10 }], { salt: 'checkout-api-router' });
    const users = Array.from({ length: 200 }, (_, i) => `customer-${i}`);
    const requests = Array.from({ length: 2000 }, (_, i) => users[(i * 7) % users.length]);
    const started = Date.now();
    const answers = await mapLimit(requests, 16, async (user) => ({ user, a: await invoke(name, httpEvent({ 'x-user-id': user })) }));
    const elapsed = Date.now() - started;
    const seen = new Map<string, Set<string>>();
    for (const { user, a } of answers) {
      const version = (a.body.headers as Record<string, string>)['x-canary-version'];
      assert.equal(JSON.parse(a.body.body as string).version, version);
      const set = seen.get(user) ?? new Set<string>();
      set.add(version);
      seen.set(user, set);
    }
    assert.equal(seen.size, 200);
    for (const [user, versions] of seen) {
      assert.equal(versions.size, 1, `${user} saw versions ${[...versions].join(', ')}`);
      // The version the extension's own evaluation of the rule predicts.
      assert.equal([...versions][0], decideRoute(config, httpEvent({ 'x-user-id': user })).version, user);
    }
    const canaryRequests = answers.filter(({ a }) => (a.body.headers as Record<string, string>)['x-canary-version'] === '2').length;
    const share = (100 * canaryRequests) / answers.length;
    assert.ok(Math.abs(share - 10) <= 3, `canary share ${share.toFixed(1)} %`);
    console.log(`      2,000 requests through the router in ${elapsed} ms (16 at a time); canary share ${share.toFixed(1)} %`);
  });

  describe('a target that fails: the router fails as Lambda reported it', () => {
    let name = '';
    before(async () => {
      // Everyone on the canary: each failure is compared with a direct call of version 2.
      name = (await createRouter([{ kind: 'sticky', keys: [{ from: 'sourceIp' }], weight: 100 }])).name;
    });

    async function both(fail: string): Promise<{ direct: Answer; routed: Answer }> {
      const event = httpEvent({ 'x-fail': fail });
      const [direct, routed] = await Promise.all([invoke(`${target}:2`, event), invoke(name, event, true)]);
      return { direct, routed };
    }

    it('a handled error (a rejected promise): the same errorType, errorMessage and trace', async () => {
      const { direct, routed } = await both('handled');
      assert.equal(direct.out.FunctionError, 'Unhandled');
      assert.equal(routed.out.FunctionError, direct.out.FunctionError);
      assert.equal(direct.body.errorType, 'PaymentError');
      assert.deepEqual(routed.body, direct.body);
      assert.equal(decisionOf(routed.log).error, 'PaymentError');
    });

    it('an unhandled exception (thrown from a timer, ending the environment): the same error', async () => {
      const { direct, routed } = await both('unhandled');
      assert.equal(direct.out.FunctionError, 'Unhandled');
      assert.equal(routed.out.FunctionError, 'Unhandled');
      assert.equal(direct.body.errorType, 'TypeError');
      assert.deepEqual(routed.body, direct.body);
      // The router's own environment is not the one that ended: it still routes.
      const after = await invoke(name, httpEvent({}));
      assert.equal((after.body.headers as Record<string, string>)['x-canary-version'], '2');
    });

    it('a timeout of the target: Lambda’s timeout error, with the target’s timeout in its message', async () => {
      const { direct, routed } = await both('timeout');
      assert.equal(routed.out.FunctionError, 'Unhandled');
      assert.equal(direct.body.errorType, 'Sandbox.Timedout');
      assert.equal(routed.body.errorType, direct.body.errorType);
      assert.match(String(routed.body.errorMessage), /Task timed out after 1\.00 seconds$/);
    });

    it('Lambda’s refusal of the Invoke itself (a version that does not exist): an error named by its exception', async () => {
      const missing = (await createRouter([], { stable: '9', canary: '2' })).name;
      const a = await invoke(missing, httpEvent({}));
      assert.equal(a.out.FunctionError, 'Unhandled');
      assert.equal(a.body.errorType, 'ResourceNotFoundException');
      assert.match(String(a.body.errorMessage), /^Lambda refused the router's Invoke of shop-api:9 \(HTTP 404\): /);
    });
  });

  it('fails at init, with the problem named, when its rule is not valid', async () => {
    const name = `${target}-router-broken`;
    const bad = JSON.stringify({ target, stable: '1', canary: '2', salt: 's', rules: [{ kind: 'sticky', keys: [{ from: 'sourceIp' }], weight: 150 }] });
    await h().lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: ROUTER_RUNTIME, Handler: ROUTER_HANDLER, Role: ROLE, Code: { ZipFile: routerPackage().zip }, Environment: { Variables: { LAMBDA_CANARY_ROUTE: bad } } }),
    );
    h().sandbox.settle();
    const a = await invoke(name, httpEvent({}));
    assert.equal(a.out.FunctionError, 'Unhandled');
    assert.match(String(a.body.errorMessage), /Router\.ConfigError: Invalid router configuration: Rule 1: weight must be a number from 0 to 100/);
  });

  it('passes a non-HTTP event (SQS) to stable unchanged, and its answer back unchanged', async () => {
    const { name } = await createRouter([{ kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] }, { kind: 'sticky', keys: [{ from: 'sourceIp' }], weight: 100 }]);
    const event = { Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: '{"x-canary-group":"beta"}' }] };
    const a = await invoke(name, event, true);
    assert.equal(a.out.FunctionError, undefined);
    assert.deepEqual(a.body, { batchItemFailures: [], version: '1' });
    assert.deepEqual([decisionOf(a.log).route, decisionOf(a.log).rule], ['stable', 'default']);
  });
});
