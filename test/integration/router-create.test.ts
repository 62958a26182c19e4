/** Create Router and Change Router Rule against the sandbox, through the real SDK. */
import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { createRouter, findRouter, setRouterRule } from '../../src/core/router';
import { newAccessKeyId, zipFiles } from '../../src/sandbox';
import { ROLE, sandboxContext, useSandbox } from './helpers';

const CODE = (tag: string) => `// ${tag}\nexports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ version: process.env.AWS_LAMBDA_FUNCTION_VERSION }) });\n`;
const FAST = { maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 };
const event = (headers: Record<string, string>) => ({ version: '2.0', rawPath: '/', headers, requestContext: { http: { method: 'GET', path: '/', sourceIp: '198.51.100.1' } } });
const GROUP = [{ kind: 'group' as const, key: { from: 'header' as const, name: 'x-canary-group' }, values: ['beta'] }];

describe('Create Router and Change Router Rule (real SDK ↔ sandbox)', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 0, accessKeyId: newAccessKeyId() });
  const ctx = () => sandboxContext(h(), { capabilities: { ...sandboxContext(h()).capabilities, waiters: FAST } });

  before(async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'shop', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': CODE('v1') }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: 'shop' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: zipFiles({ 'index.js': CODE('v2') }) }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: 'shop' }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: 'shop', Name: 'prod', FunctionVersion: '1' }));
  });

  const versionOf = async (headers: Record<string, string>) => {
    const out = await h().lambda.send(new InvokeCommand({ FunctionName: 'shop-router', Qualifier: 'prod', Payload: Buffer.from(JSON.stringify(event(headers))) }));
    const body = JSON.parse(Buffer.from(out.Payload!).toString()) as { headers?: Record<string, string> };
    assert.ok(body.headers, JSON.stringify(body));
    return body.headers["x-canary-version"];
  };

  it('refuses an alias without a canary when no canary is given, creating nothing', async () => {
    const o = await createRouter(ctx(), { functionName: 'shop', aliasName: 'prod', roleArn: ROLE, rules: GROUP });
    assert.equal(o.error?.kind, 'validation', JSON.stringify(o.error));
    assert.match(o.error.message, /runs no canary/);
    assert.equal(await findRouter(ctx(), { functionName: 'shop', aliasName: 'prod' }), undefined);
  });

  it('refuses a bad rule and a foreign function of the router\'s name, leaving both as they were', async () => {
    const bad = await createRouter(ctx(), { functionName: 'shop', aliasName: 'prod', roleArn: ROLE, rules: [{ kind: 'sticky', keys: [], weight: 200 }], canary: '2' });
    assert.equal(bad.error?.kind, 'validation');
    assert.match(bad.error.message, /Invalid router configuration/);
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'other-router', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': CODE('mine') }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: 'other-router' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'other-router', Name: 'prod', FunctionVersion: '1' }));
    const foreign = await createRouter(ctx(), { functionName: 'shop', aliasName: 'prod', roleArn: ROLE, rules: GROUP, canary: '2', routerName: 'other-router' });
    assert.match(foreign.error?.message ?? '', /is not the router of shop:prod/);
    assert.equal(await findRouter(ctx(), { functionName: 'other', aliasName: 'prod' }), undefined, 'a function that is not a router is not found as one');
  });

  it('creates a router that answers by its rule, then a rule change publishes a version and moves its alias', async () => {
    const o = await createRouter(ctx(), { functionName: 'shop', aliasName: 'prod', roleArn: ROLE, rules: GROUP, canary: '2' });
    assert.equal(o.error, undefined, JSON.stringify(o.error));
    assert.deepEqual(o.detail?.created, { function: true, alias: true });
    assert.equal(await versionOf({ 'x-canary-group': 'beta' }), '2');
    assert.equal(await versionOf({}), '1');
    const found = await findRouter(ctx(), { functionName: 'shop', aliasName: 'prod' });
    assert.equal(found?.routerVersion, o.detail?.routerVersion);

    const stale = await setRouterRule(ctx(), { functionName: 'shop', aliasName: 'prod', rules: [], expected: { ...found!.config, salt: 'other' } });
    assert.equal(stale.error?.kind, 'conflict');

    const r = await setRouterRule(ctx(), { functionName: 'shop', aliasName: 'prod', rules: [{ kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['staff'] }], expected: found!.config });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.notEqual(r.detail?.routerVersion, o.detail?.routerVersion);
    const alias = await h().lambda.send(new GetAliasCommand({ FunctionName: 'shop-router', Name: 'prod' }));
    assert.equal(alias.FunctionVersion, r.detail?.routerVersion);
    assert.equal(await versionOf({ 'x-canary-group': 'beta' }), '1');
    assert.equal(await versionOf({ 'x-canary-group': 'staff' }), '2');

    const again = await createRouter(ctx(), { functionName: 'shop', aliasName: 'prod', roleArn: ROLE, rules: GROUP, canary: '2' });
    assert.match(again.error?.message ?? '', /already exists/);
  });
});
