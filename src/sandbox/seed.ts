// The router's package files and markers are plain text and small functions (no imports beyond
// node:crypto): the same ones the product deploys, so Remove Router treats the demo's router as
// one it made.
import { routerDescription } from '../core/router/api';
import { ROUTER_FILES } from '../core/router/routerCode.generated';
import type { RouterConfig } from '../core/router/rules';
import { ROUTE_VARIABLE, validateRouterConfig } from '../core/router/rules';
import { AwsError } from './errors';
import type { LambdaService } from './lambda/service';
import { zipFiles } from './zip';

export const DEMO_ROLE = 'arn:aws:iam::123456789012:role/lambda-canary-demo';

/** Handler source for a demo version: answers with its version and fails a given share of calls. */
function demoHandler(label: string, errorRate: number, delayMs: number, style: 'async' | 'callback' | 'esm'): Record<string, string> {
  const body = `
  const started = Date.now();
  await new Promise((r) => setTimeout(r, ${delayMs} + Math.floor(Math.random() * ${Math.max(1, delayMs)})));
  if (Math.random() < ${errorRate}) throw new Error('${label}: simulated failure');
  return { statusCode: 200, body: JSON.stringify({ release: '${label}', version: process.env.AWS_LAMBDA_FUNCTION_VERSION, tookMs: Date.now() - started }) };`;
  switch (style) {
    case 'esm':
      return { 'index.mjs': `export const handler = async (event, context) => {${body}\n};\n` };
    case 'callback':
      return {
        'index.js': `exports.handler = function (event, context, callback) {\n  (async () => {${body}\n  })().then((r) => callback(null, r), (e) => callback(e));\n};\n`,
      };
    default:
      return { 'index.js': `exports.handler = async (event, context) => {${body}\n};\n` };
  }
}

/** The same demo release in Python (the sample workspace's price-quote is a SAM Python project). */
function demoPythonHandler(label: string, errorRate: number, delayMs: number): Record<string, string> {
  return {
    'app.py': `import json
import os
import random
import time


def lambda_handler(event, context):
    started = time.time()
    time.sleep((${delayMs} + random.random() * ${Math.max(1, delayMs)}) / 1000)
    if random.random() < ${errorRate}:
        raise RuntimeError("${label}: simulated failure")
    return {
        "statusCode": 200,
        "body": json.dumps({"release": "${label}", "version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"), "tookMs": round((time.time() - started) * 1000)}),
    }
`,
  };
}

/**
 * The shop's release 1.0.0: test/fixtures/release-demo's code (release 1.1.0 there, the
 * workspace a demo release publishes), word for word but for its RELEASE (release-demo.test.ts
 * holds them to that). Each function fails nothing and waits 10–20 ms, as its fixture does.
 */
export const SHOP_HANDLERS: Record<string, (release: string) => string> = {
  'shop-orders-api': (release) => `// shop-orders-api: takes an order (POST /orders) and answers with its id and total.
const { randomUUID } = require('node:crypto');

const RELEASE = '${release}';

exports.handler = async (event) => {
  const order = bodyOf(event);
  if (order === undefined) return reply(400, { error: 'the body is not JSON' });
  const items = Array.isArray(order.items) ? order.items : [];
  const total = items.reduce((sum, item) => sum + (Number(item.price) || 0) * (Number(item.qty) || 1), 0);
  // The order store's write.
  await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 10)));
  return reply(201, { orderId: randomUUID(), items: items.length, total: Math.round(total * 100) / 100 });
};

function bodyOf(event) {
  if (typeof event?.body !== 'string') return event?.body ?? {};
  try {
    return JSON.parse(event.body);
  } catch {
    return undefined;
  }
}

function reply(statusCode, body) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ release: RELEASE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION, ...body }) };
}
`,
  'shop-payments': (release) => `// shop-payments: authorises an order's payment and answers with the authorisation.
const { createHash } = require('node:crypto');

const RELEASE = '${release}';

exports.handler = async (event) => {
  const order = bodyOf(event);
  const items = Array.isArray(order.items) ? order.items : [];
  const amount = Math.round(items.reduce((sum, item) => sum + (Number(item.price) || 0) * (Number(item.qty) || 1), 0) * 100);
  // The payment provider's round trip.
  await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 10)));
  const authorisation = createHash('sha256').update(\`\${order.customer ?? 'guest'}:\${amount}:\${Date.now()}\`).digest('hex').slice(0, 12);
  return { statusCode: 200, body: JSON.stringify({ release: RELEASE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION, status: 'authorised', amountCents: amount, authorisation }) };
};

function bodyOf(event) {
  if (typeof event?.body !== 'string') return event?.body ?? {};
  try {
    return JSON.parse(event.body);
  } catch {
    return {};
  }
}
`,
  'shop-notifications': (release) => `// shop-notifications: writes the order confirmation a customer is sent.
const RELEASE = '${release}';

exports.handler = async (event) => {
  const order = bodyOf(event);
  const to = typeof order.email === 'string' ? order.email : 'customer@example.com';
  const count = Array.isArray(order.items) ? order.items.length : 0;
  // The mail service's queue.
  await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 10)));
  const message = { to, subject: 'Your order is confirmed', text: \`Thank you: \${count} item\${count === 1 ? '' : 's'} on the way.\` };
  return { statusCode: 202, body: JSON.stringify({ release: RELEASE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION, queued: message }) };
};

function bodyOf(event) {
  if (typeof event?.body !== 'string') return event?.body ?? {};
  try {
    return JSON.parse(event.body);
  } catch {
    return {};
  }
}
`,
};

/**
 * The demo's CodeDeploy hook (BeforeAllowTraffic / AfterAllowTraffic): it reports Succeeded with
 * PutLifecycleEventHookExecutionStatus, signed with Signature Version 4 from its environment's
 * credentials and sent to AWS_ENDPOINT_URL (the sandbox provides both; on AWS, CodeDeploy's own
 * endpoint and the function's role). It needs no SDK, so it runs wherever the sandbox does.
 */
function deployCheckHandler(): Record<string, string> {
  return {
    'index.js': `const crypto = require('node:crypto');
const hmac = (key, text) => crypto.createHmac('sha256', key).update(text).digest();
const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

exports.handler = async (event) => {
  const region = process.env.AWS_REGION;
  const url = new URL(process.env.AWS_ENDPOINT_URL_CODEDEPLOY || process.env.AWS_ENDPOINT_URL || \`https://codedeploy.\${region}.amazonaws.com\`);
  const body = JSON.stringify({ deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: 'Succeeded' });
  const amzDate = new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers = { 'content-type': 'application/x-amz-json-1.1', host: url.host, 'x-amz-date': amzDate, 'x-amz-target': 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus' };
  if (process.env.AWS_SESSION_TOKEN) headers['x-amz-security-token'] = process.env.AWS_SESSION_TOKEN;
  const names = Object.keys(headers).sort();
  const canonical = ['POST', url.pathname || '/', '', ...names.map((n) => \`\${n}:\${headers[n]}\`), '', names.join(';'), sha256(body)].join('\\n');
  const scope = \`\${day}/\${region}/codedeploy/aws4_request\`;
  let key = hmac(\`AWS4\${process.env.AWS_SECRET_ACCESS_KEY}\`, day);
  for (const part of [region, 'codedeploy', 'aws4_request']) key = hmac(key, part);
  const signature = crypto.createHmac('sha256', key).update(['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\\n')).digest('hex');
  headers.authorization = \`AWS4-HMAC-SHA256 Credential=\${process.env.AWS_ACCESS_KEY_ID}/\${scope}, SignedHeaders=\${names.join(';')}, Signature=\${signature}\`;
  delete headers.host;
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(\`PutLifecycleEventHookExecutionStatus failed (\${res.status}): \${text.slice(0, 300)}\`);
  console.log(\`deploy-check: reported Succeeded for \${event.DeploymentId}\`);
  return { status: 'Succeeded' };
};
`,
  };
}

interface DemoFunction {
  name: string;
  description: string;
  /** hook: the CodeDeploy hook above; shop: SHOP_HANDLERS (its error rate and latency are its code's). */
  style: 'async' | 'callback' | 'esm' | 'python' | 'hook' | 'shop';
  /** One entry per published version: [release label, error rate, base latency ms]. */
  releases: Array<[string, number, number]>;
  aliases: Array<{ name: string; version: string; canary?: [string, number] }>;
}

export const DEMO_FUNCTIONS: DemoFunction[] = [
  {
    name: 'checkout-api',
    description: 'Checkout HTTP API (demo)',
    style: 'async',
    releases: [
      ['v1.0.0', 0.01, 20],
      ['v1.1.0', 0.01, 18],
      ['v1.2.0', 0.08, 25],
    ],
    // A canary in flight: 10% of prod on version 3, which fails more often.
    aliases: [
      { name: 'prod', version: '2', canary: ['3', 0.1] },
      { name: 'staging', version: '3' },
    ],
  },
  {
    name: 'orders-worker',
    description: 'Order queue consumer (demo)',
    style: 'callback',
    releases: [
      ['2024.05.1', 0.0, 30],
      ['2024.06.1', 0.0, 28],
      // The bad next release, published but not routed: a rollout of it rolls itself back.
      ['2024.07.1', 0.25, 30],
    ],
    aliases: [{ name: 'prod', version: '2' }],
  },
  {
    name: 'image-resizer',
    description: 'Thumbnail generator, ESM (demo)',
    style: 'esm',
    releases: [
      ['1.0.0', 0.02, 40],
      // The healthy next release, published but not routed: a rollout of it promotes itself.
      // The fix of 1.0.0's 2 % errors: none, so a demo rollout of it passes every time.
      ['1.1.0', 0, 40],
    ],
    aliases: [{ name: 'prod', version: '1' }],
  },
  {
    name: 'price-quote',
    description: 'Price quotes, Python (demo)',
    style: 'python',
    releases: [
      ['1.0', 0.01, 15],
      ['1.1', 0.01, 15],
    ],
    aliases: [{ name: 'live', version: '2' }],
  },
  {
    name: 'nightly-report',
    description: 'Unpublished function: only $LATEST (demo)',
    style: 'async',
    releases: [],
    aliases: [],
  },
  {
    name: 'deploy-check',
    description: 'CodeDeploy BeforeAllowTraffic hook: reports Succeeded (demo)',
    style: 'hook',
    releases: [],
    aliases: [],
  },
  // The shop: three functions a release moves together (the demo workspace's folder
  // workspace-release, test/fixtures/release-demo, holds their release 1.1.0).
  {
    name: 'shop-orders-api',
    description: 'Shop orders HTTP API (demo)',
    style: 'shop',
    releases: [['1.0.0', 0, 0]],
    aliases: [{ name: 'prod', version: '1' }],
  },
  {
    name: 'shop-payments',
    description: 'Shop payment authorisation (demo)',
    style: 'shop',
    releases: [['1.0.0', 0, 0]],
    aliases: [{ name: 'prod', version: '1' }],
  },
  {
    name: 'shop-notifications',
    description: 'Shop order notifications (demo)',
    style: 'shop',
    releases: [['1.0.0', 0, 0]],
    aliases: [{ name: 'prod', version: '1' }],
  },
];

/**
 * Creates the demo functions, versions, aliases and triggers, skipping functions that already
 * exist (state kept on disk); returns the names created. A demo function that exists gets the
 * demo triggers it lacks: a state seeded by an earlier release has the functions but not their
 * triggers.
 */
export async function seedDemo(lambda: LambdaService, settle: () => void): Promise<string[]> {
  const created: string[] = [];
  for (const d of DEMO_FUNCTIONS) {
    if (lambda.hasFunction(d.name)) {
      seedTriggers(lambda, d.name);
      continue;
    }
    const first = d.releases[0] ?? ['dev', 0, 20];
    const python = d.style === 'python';
    const files = (label: string, errorRate: number, delay: number): Record<string, string> => {
      switch (d.style) {
        case 'python':
          return demoPythonHandler(label, errorRate, delay);
        case 'hook':
          return deployCheckHandler();
        case 'shop':
          return { 'index.js': SHOP_HANDLERS[d.name](label) };
        default:
          return demoHandler(label, errorRate, delay, d.style);
      }
    };
    const code = (label: string, errorRate: number, delay: number) => zipFiles(files(label, errorRate, delay)).toString('base64');
    await lambda.createFunction({
      FunctionName: d.name,
      Runtime: python ? 'python3.12' : 'nodejs20.x',
      Handler: python ? 'app.lambda_handler' : 'index.handler',
      Role: DEMO_ROLE,
      Description: d.description,
      Timeout: 10,
      MemorySize: 256,
      Code: { ZipFile: code(first[0], first[1], first[2]) },
    });
    settle();
    for (const [i, [label, errorRate, delay]] of d.releases.entries()) {
      if (i > 0) {
        await lambda.updateFunctionCode(d.name, { ZipFile: code(label, errorRate, delay) });
        settle();
      }
      lambda.publishVersion(d.name, { Description: `release ${label}` });
      settle();
    }
    for (const a of d.aliases) {
      lambda.createAlias(d.name, {
        Name: a.name,
        FunctionVersion: a.version,
        RoutingConfig: a.canary ? { AdditionalVersionWeights: { [a.canary[0]]: a.canary[1] } } : undefined,
      });
    }
    seedTriggers(lambda, d.name);
    created.push(d.name);
  }
  settle();
  if (await seedRouter(lambda, settle)) created.push(DEMO_ROUTER.name);
  return created;
}

/**
 * The demo's router: checkout-api-router in front of checkout-api:prod (stable 2, canary 3, as
 * prod's own split), the beta group on the canary and a sticky 10 % of the others by user id.
 * Its alias has the target alias's name; its triggers stay on checkout-api (nothing is moved).
 */
export const DEMO_ROUTER = {
  name: 'checkout-api-router',
  alias: 'prod',
  config: {
    target: 'checkout-api',
    stable: '2',
    canary: '3',
    salt: 'checkout-api-router',
    rules: [
      { kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta'] },
      { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 10 },
    ],
  } satisfies RouterConfig as RouterConfig,
};

/**
 * Creates the demo router as the product does (its package, its Description, its rule in its
 * environment, a published version and the alias on it) unless a function of its name exists, or
 * its target does not. Returns whether it was created.
 */
async function seedRouter(lambda: LambdaService, settle: () => void): Promise<boolean> {
  const { name, alias, config } = DEMO_ROUTER;
  if (lambda.hasFunction(name) || !lambda.hasFunction(config.target)) return false;
  validateRouterConfig(config);
  await lambda.createFunction({
    FunctionName: name,
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: DEMO_ROLE,
    Description: routerDescription(config.target, alias),
    Timeout: 10,
    MemorySize: 128,
    Code: { ZipFile: zipFiles(Object.fromEntries(ROUTER_FILES.map((f) => [f.name, f.text]))).toString('base64') },
    Environment: { Variables: { [ROUTE_VARIABLE]: JSON.stringify(config) } },
  });
  settle();
  const version = lambda.publishVersion(name, {}).body as { Version: string };
  settle();
  lambda.createAlias(name, { Name: alias, FunctionVersion: version.Version });
  settle();
  return true;
}

/** A Function URL request (payload format 2.0) to checkout-api, as the router receives it. */
function checkoutRequest(userId: string, group?: string): unknown {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/checkout',
    rawQueryString: '',
    headers: { host: 'checkout.lambda-url.us-east-1.on.aws', 'content-type': 'application/json', 'x-user-id': userId, ...(group ? { 'x-canary-group': group } : {}) },
    requestContext: { http: { method: 'POST', path: '/checkout', sourceIp: '198.51.100.20' } },
    body: JSON.stringify({ cart: userId }),
    isBase64Encoded: false,
  };
}

/** The router's demo requests: 40 users with stable ids, every fourth of them in the beta group. */
export const DEMO_ROUTER_REQUESTS: readonly unknown[] = Array.from({ length: 40 }, (_, i) => checkoutRequest(`customer-${String(i + 1).padStart(2, '0')}`, i % 4 === 0 ? 'beta' : undefined));

/** The demo's API Gateway REST API id (in the permission's SourceArn). */
export const DEMO_API_ID = 'a1b2c3d4e5';

/**
 * The demo's triggers: some go through the alias, some bypass it (they call the unqualified
 * function, $LATEST), so the trigger audit has both to show. Each is added only when the function
 * has none of its kind for that source (a mapping of the queue on any qualifier, a URL on any
 * qualifier, a statement of that id, async settings on any qualifier), so running it again adds
 * nothing, and a trigger the user moved onto the alias is not added back beside it.
 * - orders-worker: an SQS mapping of the queue `orders` on the unqualified function (bypasses prod).
 * - checkout-api: a function URL on prod (AuthType NONE, with the public-invoke permission on
 *   prod), and an API Gateway permission on the unqualified function (bypasses prod).
 * - image-resizer: an S3 permission on prod, and asynchronous invocation settings on prod with
 *   an SQS queue for failures.
 * - price-quote: a function URL on the unqualified function (bypasses live), AuthType NONE with
 *   its permission.
 */
function seedTriggers(lambda: LambdaService, name: string): void {
  const region = lambda.region;
  const account = lambda.accountId;
  const has = lambda.storedTriggers(name);
  // A demo function kept on disk may have been changed (its alias deleted, …): a trigger that can
  // no longer be added is left out, and the others are still added.
  const attempt = (add: () => unknown) => {
    try {
      add();
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
    }
  };
  const hasSid = (sid: string) => has.policies.some((p) => p.statements.some((s) => s.Sid === sid));
  const addPermission = (query: URLSearchParams, body: Record<string, unknown> & { StatementId: string }) => {
    if (!hasSid(body.StatementId)) attempt(() => lambda.addPermission(name, query, body));
  };
  const publicUrl = (qualifier?: string) => {
    const query = new URLSearchParams(qualifier ? { Qualifier: qualifier } : {});
    if (has.urls.length === 0) attempt(() => lambda.createFunctionUrlConfig(name, query, { AuthType: 'NONE' }));
    // Both statements a public URL needs (Lambda asks for the second since October 2025), as the console adds them.
    addPermission(query, { StatementId: 'FunctionURLAllowPublicAccess', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' });
    addPermission(query, { StatementId: 'FunctionURLAllowInvokeAction', Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true });
  };
  switch (name) {
    case 'orders-worker': {
      const queue = `arn:aws:sqs:${region}:${account}:orders`;
      if (!has.mappings.some((m) => m.eventSourceArn === queue)) attempt(() => lambda.createEventSourceMapping({ FunctionName: name, EventSourceArn: queue, BatchSize: 10 }));
      break;
    }
    case 'checkout-api':
      publicUrl('prod');
      addPermission(new URLSearchParams(), {
        StatementId: 'apigateway-post-checkout',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${region}:${account}:${DEMO_API_ID}/*/POST/checkout`,
      });
      break;
    case 'image-resizer':
      addPermission(new URLSearchParams({ Qualifier: 'prod' }), {
        StatementId: 's3-demo-photos',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::demo-photos',
        SourceAccount: account,
      });
      if (has.invokeConfigs.length === 0) {
        attempt(() =>
          lambda.putFunctionEventInvokeConfig(name, new URLSearchParams({ Qualifier: 'prod' }), {
            MaximumRetryAttempts: 1,
            MaximumEventAgeInSeconds: 3600,
            DestinationConfig: { OnFailure: { Destination: `arn:aws:sqs:${region}:${account}:image-resizer-failures` } },
          }),
        );
      }
      break;
    case 'price-quote':
      publicUrl();
      break;
  }
}

/** Many small functions, for listing benchmarks (`bench-0001` …). */
export async function seedMany(lambda: LambdaService, count: number, settle: () => void): Promise<void> {
  const zip = zipFiles({ 'index.js': 'exports.handler = async () => ({ ok: true });\n' }).toString('base64');
  const width = String(count).length;
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `bench-${String(i).padStart(width, '0')}`;
    if (!lambda.hasFunction(name)) names.push(name);
  }
  // In batches: each zip is checked off the event loop, and the checks overlap.
  for (let i = 0; i < names.length; i += 200) {
    await Promise.all(
      names.slice(i, i + 200).map((name) => lambda.createFunction({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: DEMO_ROLE, Code: { ZipFile: zip } })),
    );
  }
  settle();
}

/**
 * The demo's live traffic (invocations per second): every alias of the demo functions, 63/s in
 * all. orders-worker and image-resizer get 10/s so that a 10 % canary of them is called about
 * once a second, enough for a rollout to judge it within a few minutes; each shop function 5/s,
 * so a release's 50 % step gets about 150 calls of each new version in a one-minute bake.
 * checkout-api's router gets 5/s more, from DEMO_ROUTER_REQUESTS' users (it invokes
 * checkout-api:2 or :3, beside the 20/s of prod).
 */
export const DEMO_TRAFFIC = [
  { functionName: 'checkout-api', qualifier: 'prod', rate: 20 },
  { functionName: 'orders-worker', qualifier: 'prod', rate: 10 },
  { functionName: 'image-resizer', qualifier: 'prod', rate: 10 },
  { functionName: 'price-quote', qualifier: 'live', rate: 3 },
  { functionName: 'shop-orders-api', qualifier: 'prod', rate: 5 },
  { functionName: 'shop-payments', qualifier: 'prod', rate: 5 },
  { functionName: 'shop-notifications', qualifier: 'prod', rate: 5 },
  { functionName: DEMO_ROUTER.name, qualifier: DEMO_ROUTER.alias, rate: 5, payloads: DEMO_ROUTER_REQUESTS },
];
