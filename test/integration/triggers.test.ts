/**
 * The trigger audit, pre-flight and fixes end to end: real SDK v3 clients over HTTP against the
 * sandbox's event source mappings, function URLs, policies and async invoke configurations; a
 * fault at every call of every fix.
 */
import assert from 'node:assert/strict';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionUrlConfigCommand,
  GetEventSourceMappingCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateEventSourceMappingCommand,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { outcomeText } from '../../src/core/outcomeText';
import type { Outcome } from '../../src/core/outcome';
import { auditTriggers, fixTrigger, preflight, undoTriggerFix } from '../../src/core/triggers';
import type { JournalPort } from '../../src/core/usecases';
import type { TriggerAudit, TriggerView } from '../../src/shared/triggers';
import { AwsError } from '../../src/sandbox/errors';
import type { FaultKind } from '../../src/sandbox/faults';
import { DEMO_API_ID, seedDemo } from '../../src/sandbox';
import { clientsFor, OTHER_ROLE, sandboxContext, sleep, useSandbox } from './helpers';
import { createFn, fast, publish, setCode, setConfig } from './lambda-testkit';

const ACCOUNT = '123456789012';
const sqs = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

function byId(audit: TriggerAudit | undefined, id: string): TriggerView {
  const t = audit?.triggers.find((x) => x.id === id);
  assert.ok(t, `no trigger ${id} in ${JSON.stringify(audit?.triggers.map((x) => x.id))}`);
  return t;
}

function idOf(audit: TriggerAudit | undefined, label: string): string {
  const t = audit?.triggers.find((x) => x.label === label);
  assert.ok(t, `no trigger labelled ${label} in ${JSON.stringify(audit?.triggers.map((x) => x.label))}`);
  return t.id;
}

/** Waits until a mapping has left Creating / Updating. */
async function settled(lambda: LambdaClient, uuid: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (m.State === 'Enabled' || m.State === 'Disabled') return m.FunctionArn!;
    await sleep(10);
  }
  throw new Error(`mapping ${uuid} did not settle`);
}

async function mapping(lambda: LambdaClient, functionName: string, source: string): Promise<string> {
  const stream = /:(kinesis|dynamodb|kafka):/.test(source);
  const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: source, BatchSize: 10, ...(stream ? { StartingPosition: 'LATEST' } : {}) }));
  await settled(lambda, m.UUID!);
  return m.UUID!;
}

async function statements(lambda: LambdaClient, fn: string, qualifier?: string): Promise<Array<{ Sid: string; Principal: unknown; Condition?: unknown }>> {
  try {
    const p = await lambda.send(new GetPolicyCommand({ FunctionName: fn, ...(qualifier ? { Qualifier: qualifier } : {}) }));
    return (JSON.parse(p.Policy!) as { Statement: Array<{ Sid: string; Principal: unknown; Condition?: unknown }> }).Statement;
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return [];
    throw e;
  }
}

async function urlOf(lambda: LambdaClient, fn: string, qualifier?: string): Promise<string | undefined> {
  try {
    return (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, ...(qualifier ? { Qualifier: qualifier } : {}) }))).FunctionUrl;
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

/** A journal that keeps what it is given. */
function memoryJournal(): JournalPort & { outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  return { outcomes, append: async (o) => void outcomes.push(o), lastSwitch: async () => undefined };
}

const denied = (action: string) => () => {
  throw new AwsError('AccessDeniedException', 403, `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: lambda:${action}`);
};

describe('trigger audit, pre-flight and fixes (SDK ↔ sandbox)', function () {
  this.timeout(60_000);
  const h = useSandbox();
  const ctx = () => sandboxContext(h());
  const FN = 'trig';
  const ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FN}`;

  before(async () => {
    const { lambda } = h();
    await createFn(lambda, FN);
    await publish(lambda, FN, 'v1');
    await publish(lambda, FN, 'v2');
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'staging', FunctionVersion: '2' }));
    await mapping(lambda, FN, sqs('orders'));
    await mapping(lambda, `${FN}:prod`, `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/clicks`);
    await mapping(lambda, `${ARN}:1`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Orders/stream/2026-01-01T00:00:00.000`);
    await mapping(lambda, `${FN}:staging`, sqs('staging-jobs'));
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: FN, AuthType: 'NONE', Cors: { AllowOrigins: ['https://shop.example'] } }));
    await lambda.send(new AddPermissionCommand({ FunctionName: FN, StatementId: 'FunctionURLAllowPublicAccess', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }));
    await lambda.send(new AddPermissionCommand({ FunctionName: FN, StatementId: 'FunctionURLAllowInvokeAction', Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }));
    await lambda.send(new AddPermissionCommand({ FunctionName: FN, StatementId: 's3-photos', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::photos', SourceAccount: ACCOUNT }));
    await lambda.send(
      new AddPermissionCommand({ FunctionName: FN, StatementId: 'api-checkout', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/*/POST/checkout` }),
    );
    await lambda.send(new AddPermissionCommand({ FunctionName: FN, Qualifier: 'prod', StatementId: 'sns-alerts', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` }));
    await lambda.send(new AddPermissionCommand({ FunctionName: FN, Qualifier: '1', StatementId: 'acct', Action: 'lambda:InvokeFunction', Principal: '111122223333' }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: FN, Qualifier: 'prod', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: sqs('prod-failures') } } }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: FN, MaximumRetryAttempts: 0 }));
  });

  describe('audit', () => {
    it('sees every kind on every qualifier, and judges each against prod', async () => {
      const out = await auditTriggers(ctx(), { functionName: FN, aliasName: 'prod' });
      assert.equal(out.state, 'done', out.error?.message);
      assert.equal(out.action, 'triggers');
      const a = out.detail!;
      assert.equal(a.functionArn, ARN);
      assert.deepEqual(a.aliases, ['prod', 'staging']);
      assert.deepEqual(a.unreadable, []);
      const verdicts = Object.fromEntries(a.triggers.map((t) => [t.label, t.verdict]));
      assert.deepEqual(verdicts, {
        'SQS queue orders': 'bypasses',
        'Kinesis stream clicks': 'through',
        'DynamoDB table Orders stream': 'bypasses',
        'SQS queue staging-jobs': 'other-alias',
        'Function URL (auth NONE)': 'bypasses',
        'S3 bucket photos': 'bypasses',
        'API Gateway API abc123 (POST /checkout)': 'bypasses',
        'SNS topic alerts': 'through',
        'Account 111122223333': 'bypasses',
        'Asynchronous invocation settings (prod)': 'info',
        'Asynchronous invocation settings ($LATEST)': 'info',
      });
      const dynamo = byId(a, idOf(a, 'DynamoDB table Orders stream'));
      assert.deepEqual(dynamo.route, { kind: 'version', version: '1' });
      assert.equal(dynamo.target, `${ARN}:1`);
      assert.equal(dynamo.state, 'Enabled');
      assert.equal(dynamo.fix?.action, 'route-through-alias');
      const url = byId(a, 'url:$LATEST');
      assert.match(url.source ?? '', /^https?:\/\//);
      assert.equal(url.fix?.action, 'create-url-on-alias');
      assert.deepEqual(url.notes, ['CORS origins: https://shop.example.'], 'the public permission is there: no 403 note');
      assert.equal(byId(a, 'policy:1:acct').route.kind, 'version');
      const api = byId(a, 'policy:$LATEST:api-checkout');
      assert.equal(api.fix?.action, 'grant-on-alias');
      assert.ok(api.notes.some((n) => n.includes(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${ARN}:prod/invocations`)), api.notes.join('\n'));
      assert.deepEqual(byId(a, 'async:prod').notes, ['On failure: SQS queue prod-failures.', 'Retries: 1.']);
      // Read in parallel, each once: ListAliases, then each qualifier's mappings and policy.
      const names = out.steps.map((s) => s.name).sort();
      for (const q of ['prod', 'staging', '1', '2']) {
        assert.ok(names.includes(`ListEventSourceMappings ${q}`), names.join(', '));
        assert.ok(names.includes(`GetPolicy ${q}`), names.join(', '));
      }
      assert.equal(names.filter((n) => n === 'ListAliases').length, 1);
      assert.match(outcomeText(out), /^11 triggers on trig; 6 bypass prod\.$/);
    });

    it('without an alias: through any alias, or bypassing every alias', async () => {
      const out = await auditTriggers(ctx(), { functionName: ARN });
      assert.equal(out.state, 'done');
      const a = out.detail!;
      assert.equal(a.aliasName, undefined);
      assert.equal(byId(a, idOf(a, 'SQS queue staging-jobs')).verdict, 'through');
      assert.equal(byId(a, idOf(a, 'SQS queue orders')).verdict, 'bypasses');
      assert.match(byId(a, idOf(a, 'SQS queue orders')).detail, /^Bypasses every alias/);
      assert.equal(byId(a, idOf(a, 'SQS queue orders')).fix, undefined, 'two aliases: no guess which');
    });

    it('reads the mappings and policies of versions no alias routes: a mapping pinned to one bypasses', async () => {
      const { lambda } = h();
      await createFn(lambda, 'pinned');
      const v1 = await publish(lambda, 'pinned', 'p1');
      const v2 = await publish(lambda, 'pinned', 'p2');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'pinned', Name: 'live', FunctionVersion: v2 }));
      const pinnedArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:pinned`;
      const uuid = await mapping(lambda, `${pinnedArn}:${v1}`, sqs('pinned-old'));
      await lambda.send(new AddPermissionCommand({ FunctionName: 'pinned', Qualifier: v1, StatementId: 'old-s3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::old' }));
      const out = await auditTriggers(ctx(), { functionName: 'pinned', aliasName: 'live' });
      assert.equal(out.state, 'done', out.error?.message);
      const m = byId(out.detail, `esm:${uuid}`);
      assert.equal(m.verdict, 'bypasses');
      assert.deepEqual(m.route, { kind: 'version', version: v1 });
      assert.equal(byId(out.detail, `policy:${v1}:old-s3`).verdict, 'bypasses');
      assert.deepEqual(out.detail!.unreadable, []);
    });

    it('follows every page of the mappings', async () => {
      const { lambda } = h();
      await createFn(lambda, 'many');
      // The sandbox keeps at most 100 per function; the audit reads them 50 a page.
      for (let i = 0; i < 100; i++) await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'many', EventSourceArn: sqs(`q-${i}`) }));
      const out = await auditTriggers(ctx(), { functionName: 'many' });
      assert.equal(out.state, 'done', out.error?.message);
      assert.equal(out.detail!.triggers.filter((t) => t.kind === 'event-source-mapping').length, 100);
      assert.deepEqual(out.detail!.aliases, []);
    });

    it('a source it may not read is a line naming the IAM action, never a failed audit', async () => {
      h().sandbox.faults.add({ operation: 'GetPolicy', kind: 'hook', hook: denied('GetPolicy'), times: 5 });
      h().sandbox.faults.add({ operation: 'ListFunctionUrlConfigs', kind: 'hook', hook: denied('ListFunctionUrlConfigs') });
      const out = await auditTriggers(ctx(), { functionName: FN, aliasName: 'prod' });
      h().sandbox.faults.clear();
      assert.equal(out.state, 'done', out.error?.message);
      const a = out.detail!;
      assert.deepEqual(a.unreadable.length, 2, a.unreadable.join('\n'));
      assert.match(a.unreadable.find((l) => l.includes('GetPolicy')) ?? '', /^The resource-based policies of (\$LATEST|prod|staging|1|2)(, (\$LATEST|prod|staging|1|2)){4} could not be read \(access denied\): grant lambda:GetPolicy to see them\.$/);
      assert.ok(a.unreadable.includes('The function URLs could not be read (access denied): grant lambda:ListFunctionUrlConfigs to see them.'), a.unreadable.join('\n'));
      assert.equal(a.triggers.filter((t) => t.kind === 'permission' || t.kind === 'function-url').length, 0);
      assert.equal(a.triggers.filter((t) => t.kind === 'event-source-mapping').length, 4);
      assert.deepEqual(out.warnings, a.unreadable);
      assert.match(outcomeText(out), /grant lambda:GetPolicy/);
    });

    it('a server error on a source is a line too; a function or alias that does not exist fails the audit', async () => {
      h().sandbox.faults.add({ operation: 'ListFunctionEventInvokeConfigs', kind: 'error' });
      const out = await auditTriggers(ctx(), { functionName: FN, aliasName: 'prod' });
      h().sandbox.faults.clear();
      assert.equal(out.state, 'done');
      assert.match(out.detail!.unreadable.join(' '), /^The asynchronous invoke configurations could not be read \(ServiceException\)/);
      const missing = await auditTriggers(ctx(), { functionName: 'nope' });
      assert.equal(missing.state, 'unchanged');
      assert.equal(missing.error?.kind, 'validation');
      assert.match(missing.error!.message, /Function nope was not found/);
      for (const [functionName, aliasName] of [['bad name', undefined], ['trig:prod', undefined], [FN, '7'], [FN, 'no/slash']] as const) {
        const bad = await auditTriggers(ctx(), { functionName, aliasName });
        assert.equal(bad.error?.kind, 'validation', `${functionName} ${aliasName}`);
        assert.equal(bad.steps.length, 0, 'nothing was read');
        const fixBad = await fixTrigger(ctx(), { functionName, aliasName: aliasName ?? 'prod', triggerId: 'url:$LATEST' });
        assert.equal(fixBad.error?.kind, 'validation');
        const pre = await preflight(ctx(), { functionName, aliasName: aliasName ?? 'prod' });
        assert.deepEqual(pre.findings.map((f) => f.code), ['unreadable']);
        assert.match(pre.summary, /is not (a function name or ARN|an alias name).*Nothing was checked\.$/);
      }
      const whole = await auditTriggers(ctx(), { functionName: FN, aliasName: '' });
      assert.equal(whole.detail?.aliasName, undefined, "'' is the whole function");
      const noAlias = await auditTriggers(ctx(), { functionName: FN, aliasName: 'live' });
      assert.equal(noAlias.error?.kind, 'validation');
      assert.equal(noAlias.error?.message, 'trig has no alias live (its aliases: prod, staging).');
    });
  });

  describe('demo seed', () => {
    const demo = useSandbox({ updateDelayMs: 0 });
    before(async () => {
      await seedDemo(demo().sandbox.lambda, () => demo().sandbox.settle());
    });
    const dctx = () => sandboxContext(demo());

    it("flags the demo's bypassing triggers and its triggers through the alias", async () => {
      const orders = (await auditTriggers(dctx(), { functionName: 'orders-worker', aliasName: 'prod' })).detail!;
      const q = byId(orders, idOf(orders, 'SQS queue orders'));
      assert.equal(q.verdict, 'bypasses');
      assert.equal(q.fix?.action, 'route-through-alias');
      const checkout = (await auditTriggers(dctx(), { functionName: 'checkout-api', aliasName: 'prod' })).detail!;
      assert.equal(byId(checkout, 'url:prod').verdict, 'through');
      // The demo's public URLs carry both permissions a URL needs: no 403 note, and no stray "anyone" trigger.
      assert.ok(!byId(checkout, 'url:prod').notes.some((n) => /403/.test(n)), byId(checkout, 'url:prod').notes.join(' '));
      assert.deepEqual(checkout.triggers.map((t) => t.id).sort(), ['policy:$LATEST:apigateway-post-checkout', 'url:prod']);
      const api = byId(checkout, 'policy:$LATEST:apigateway-post-checkout');
      assert.equal(api.verdict, 'bypasses');
      assert.equal(api.label, `API Gateway API ${DEMO_API_ID} (POST /checkout)`);
      const images = (await auditTriggers(dctx(), { functionName: 'image-resizer', aliasName: 'prod' })).detail!;
      assert.equal(byId(images, 'policy:prod:s3-demo-photos').verdict, 'through');
      assert.equal(byId(images, 'async:prod').verdict, 'info');
      const price = (await auditTriggers(dctx(), { functionName: 'price-quote', aliasName: 'live' })).detail!;
      assert.equal(byId(price, 'url:$LATEST').verdict, 'bypasses');
      assert.equal(byId(price, 'url:$LATEST').fix?.action, 'create-url-on-alias');
    });

    it("pre-flight of the demo's checkout-api: the API bypasses prod, the URL goes through it", async () => {
      const r = await preflight(dctx(), { functionName: 'checkout-api', aliasName: 'prod' });
      assert.equal(r.summary, "1 of 2 sources bypasses prod: the canary would see only the function URL's traffic.");
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.triggerId]),
        [['bypass', 'policy:$LATEST:apigateway-post-checkout']],
      );
    });

    it("Route Through Alias fixes the demo's bypassing queue, and the flag goes", async () => {
      const before = (await auditTriggers(dctx(), { functionName: 'orders-worker', aliasName: 'prod' })).detail!;
      const id = idOf(before, 'SQS queue orders');
      const out = await fixTrigger(dctx(), { functionName: 'orders-worker', aliasName: 'prod', triggerId: id });
      assert.equal(out.state, 'done', out.error?.message);
      const after = (await auditTriggers(dctx(), { functionName: 'orders-worker', aliasName: 'prod' })).detail!;
      assert.equal(byId(after, id).verdict, 'through');
      assert.equal(after.triggers.filter((t) => t.verdict === 'bypasses').length, 0);
    });
  });

  describe('pre-flight', () => {
    it('bypassing sources, with the numbers and each fix', async () => {
      const r = await preflight(ctx(), { functionName: FN, aliasName: 'prod', version: '2' });
      assert.equal(r.functionName, FN);
      assert.equal(r.version, '2');
      const bypass = r.findings.filter((f) => f.code === 'bypass');
      assert.equal(bypass.length, 6);
      assert.equal(r.summary, '6 of 8 sources bypass prod: the canary would see only the traffic of the stream and the topic.');
      assert.ok(bypass.every((f) => f.triggerId && f.fix && f.severity === 'warning'));
      assert.deepEqual(
        r.findings.filter((f) => f.code !== 'bypass'),
        [],
        'same role, no provisioned concurrency (the sandbox has none), version 2 Active',
      );
    });

    it('a version with another execution role is a blocker, also before a publish from $LATEST', async () => {
      const { lambda } = h();
      await createFn(lambda, 'roles');
      await publish(lambda, 'roles', 'a');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'roles', Name: 'live', FunctionVersion: '1' }));
      await setConfig(lambda, 'roles', { Role: OTHER_ROLE });
      const before = await preflight(ctx(), { functionName: 'roles', aliasName: 'live' });
      assert.deepEqual(
        before.findings.map((f) => [f.code, f.severity]),
        [['role-mismatch', 'blocker']],
      );
      assert.match(before.summary, /Version 1 \(live's primary\) and a version published from \$LATEST use different execution roles \(role test-role vs role other-role\)/);
      const v2 = await publish(lambda, 'roles', 'b');
      const r = await preflight(ctx(), { functionName: 'roles', aliasName: 'live', version: v2 });
      assert.equal(r.findings[0].code, 'role-mismatch');
      assert.match(r.findings[0].message, /version 2 use different execution roles/);
    });

    it('never throws: what it cannot read is a warning', async () => {
      h().sandbox.faults.add({ operation: 'GetAlias', kind: 'hook', hook: denied('GetAlias') });
      h().sandbox.faults.add({ operation: 'ListEventSourceMappings', kind: 'error', times: 10 });
      const r = await preflight(ctx(), { functionName: FN, aliasName: 'prod', version: '2' });
      h().sandbox.faults.clear();
      const un = r.findings.filter((f) => f.code === 'unreadable');
      assert.ok(un.some((f) => f.message === 'The alias prod could not be read (access denied): grant lambda:GetAlias to check it.'), un.map((f) => f.message).join('\n'));
      assert.ok(un.some((f) => /event source mappings of .* could not be read \(ServiceException\)/.test(f.message)), un.map((f) => f.message).join('\n'));
      const gone = await preflight(ctx(), { functionName: 'nope', aliasName: 'prod' });
      assert.ok(gone.findings.length > 0 && gone.findings.every((f) => f.code === 'unreadable'));
      assert.match(gone.summary, /not found/);
    });
  });

  describe('pre-flight of a version still Pending', () => {
    const slow = useSandbox({ updateDelayMs: 1500 });
    it('is a blocker until it is Active', async () => {
      const { lambda } = slow();
      await createFn(lambda, 'pending');
      await publish(lambda, 'pending', 'a');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'pending', Name: 'live', FunctionVersion: '1' }));
      await setCode(lambda, 'pending', 'b');
      const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'pending' }));
      const r = await preflight(sandboxContext(slow()), { functionName: 'pending', aliasName: 'live', version: v.Version });
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.severity]),
        [['version-not-active', 'blocker']],
      );
      assert.match(r.summary, /^Version 2 is Pending \(.*\): traffic can only go to an Active version\.$/);
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'pending', Qualifier: v.Version });
      assert.deepEqual((await preflight(sandboxContext(slow()), { functionName: 'pending', aliasName: 'live', version: v.Version })).findings, []);
    });
  });

  describe('fixes', () => {
    let n = 0;
    /** A fresh alias on version 1, so that each fix starts from nothing on it. */
    async function freshAlias(): Promise<string> {
      const name = `a${++n}`;
      await h().lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: name, FunctionVersion: '1' }));
      return name;
    }

    it('Route Through Alias: one update moves the mapping onto the alias; journalled; undone', async () => {
      const { lambda } = h();
      const uuid = await mapping(lambda, FN, sqs('route-1'));
      const journal = memoryJournal();
      const out = await fixTrigger(sandboxContext(h(), { journal }), { functionName: FN, aliasName: 'prod', triggerId: `esm:${uuid}`, expected: { target: ARN } });
      assert.equal(out.state, 'done', out.error?.message);
      const d = out.detail!;
      assert.equal(d.action, 'route-through-alias');
      assert.equal(d.before.verdict, 'bypasses');
      assert.equal(d.after?.verdict, 'through');
      assert.equal(d.after?.id, `esm:${uuid}`, 'the same mapping, moved');
      assert.deepEqual(d.undo, { mapping: uuid, functionArn: ARN });
      assert.equal(await settled(lambda, uuid), `${ARN}:prod`);
      assert.deepEqual(
        out.steps.map((s) => s.name),
        ['GetAlias prod', `GetEventSourceMapping ${uuid}`, `UpdateEventSourceMapping ${uuid}`, `GetEventSourceMapping ${uuid}`],
      );
      assert.equal(journal.outcomes.length, 1);
      assert.equal(journal.outcomes[0].action, 'trigger-fix');
      assert.equal(outcomeText(out), 'SQS queue route-1 now goes through prod.');

      const undo = await undoTriggerFix(ctx(), { functionName: FN, aliasName: 'prod', detail: d });
      assert.equal(undo.state, 'done', undo.error?.message);
      assert.equal(await settled(lambda, uuid), ARN);
    });

    it('an undo right after Route Through Alias, the mapping still Updating, waits for it to settle and moves it back', async () => {
      const { lambda } = h();
      const alias = await freshAlias();
      const uuid = await mapping(lambda, FN, sqs('undo-at-once'));
      const fixed = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: `esm:${uuid}` });
      assert.equal(fixed.state, 'done', fixed.error?.message);
      assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State, 'Updating', 'the undo starts while the fix settles');
      const undo = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: fixed.detail! });
      assert.equal(undo.state, 'done', undo.error?.message);
      assert.ok(undo.steps.filter((st) => st.name === `GetEventSourceMapping ${uuid}`).length >= 2, 'it looked again until the mapping settled');
      assert.equal(await settled(lambda, uuid), ARN);
    });

    it("undo compares the whole ARN: a mapping moved to another function's alias of the same name is not moved back", async () => {
      const { lambda } = h();
      const alias = await freshAlias();
      await createFn(lambda, 'billing');
      const v = await publish(lambda, 'billing', 'b1');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'billing', Name: alias, FunctionVersion: v }));
      const uuid = await mapping(lambda, FN, sqs('moved-away'));
      const fixed = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: `esm:${uuid}` });
      assert.equal(fixed.state, 'done', fixed.error?.message);
      await settled(lambda, uuid);
      const billing = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:billing:${alias}`;
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FunctionName: billing }));
      assert.equal(await settled(lambda, uuid), billing);
      const undo = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: fixed.detail! });
      assert.equal(undo.error?.kind, 'conflict', undo.error?.message);
      assert.match(undo.error!.message, /no longer calls/);
      assert.equal(await settled(lambda, uuid), billing, 'left where the other client put it');
    });

    it('refuses, writing nothing, a fix the audit does not offer (a statement that grants no invoke)', async () => {
      const { lambda } = h();
      const alias = await freshAlias();
      await lambda.send(new AddPermissionCommand({ FunctionName: FN, StatementId: 'peek', Action: 'lambda:GetFunction', Principal: '444455556666' }));
      try {
        const view = byId((await auditTriggers(ctx(), { functionName: FN, aliasName: alias })).detail, 'policy:$LATEST:peek');
        assert.equal(view.verdict, 'info');
        assert.equal(view.fix, undefined);
        const out = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'policy:$LATEST:peek' });
        assert.equal(out.state, 'unchanged');
        assert.equal(out.error?.kind, 'validation');
        assert.match(out.error!.message, /the audit offers no fix for it/);
        assert.deepEqual(await statements(lambda, FN, alias), [], 'nothing was written');
      } finally {
        await lambda.send(new RemovePermissionCommand({ FunctionName: FN, StatementId: 'peek' }));
      }
    });

    it('refuses, writing nothing, a mapping that is gone, already through the alias, changed since, or in a transition', async () => {
      const { lambda } = h();
      const gone = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: 'esm:00000000-0000-0000-0000-000000000000' });
      assert.equal(gone.state, 'unchanged');
      assert.equal(gone.error?.kind, 'conflict');
      assert.match(gone.error!.message, /no longer exists/);
      const through = (await auditTriggers(ctx(), { functionName: FN, aliasName: 'prod' })).detail!;
      const kinesis = idOf(through, 'Kinesis stream clicks');
      const already = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: kinesis });
      assert.equal(already.error?.kind, 'conflict');
      assert.match(already.error!.message, /already goes through prod/);
      const staging = idOf(through, 'SQS queue staging-jobs');
      const other = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: staging });
      assert.equal(other.error?.kind, 'validation');
      assert.match(other.error!.message, /goes through staging: it is staging's traffic, not a bypass of prod/);
      assert.equal(byId((await auditTriggers(ctx(), { functionName: FN, aliasName: 'staging' })).detail, staging).verdict, 'through');
      const uuid = await mapping(lambda, FN, sqs('route-2'));
      const changed = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: `esm:${uuid}`, expected: { target: `${ARN}:1` } });
      assert.equal(changed.error?.kind, 'conflict');
      assert.match(changed.error!.message, /changed since you looked/);
      const fresh = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: FN, EventSourceArn: sqs('route-3') }));
      const busy = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: `esm:${fresh.UUID}` });
      assert.equal(busy.error?.kind, 'conflict');
      assert.match(busy.error!.message, /is Creating right now: wait until it is Enabled or Disabled/);
      for (const u of [uuid, fresh.UUID!]) assert.equal(await settled(lambda, u), ARN, 'nothing was written');
      const bad = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: 'nope' });
      assert.equal(bad.error?.kind, 'validation');
      const asyncFix = await fixTrigger(ctx(), { functionName: FN, aliasName: 'prod', triggerId: 'async:$LATEST' });
      assert.equal(asyncFix.error?.kind, 'validation');
      const noAlias = await fixTrigger(ctx(), { functionName: FN, aliasName: 'nope', triggerId: `esm:${uuid}` });
      assert.equal(noAlias.error?.kind, 'validation');
      assert.equal(await settled(lambda, uuid), ARN);
    });

    it('Create URL on Alias: same auth and CORS, the public permission for auth NONE; the old URL stays', async () => {
      const { lambda } = h();
      const alias = await freshAlias();
      const oldUrl = await urlOf(lambda, FN);
      const out = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'url:$LATEST' });
      assert.equal(out.state, 'done', out.error?.message);
      const d = out.detail!;
      const newUrl = await urlOf(lambda, FN, alias);
      assert.ok(newUrl && newUrl !== oldUrl);
      assert.equal(await urlOf(lambda, FN), oldUrl, 'the old URL stays');
      assert.equal(d.after?.source, newUrl);
      assert.equal(d.after?.verdict, 'through');
      assert.deepEqual(d.after?.notes, ['CORS origins: https://shop.example.'], 'callable: the permission is there');
      const onAlias = await statements(lambda, FN, alias);
      // Both public permissions a URL with auth NONE needs since October 2025.
      assert.deepEqual(
        onAlias.map((s) => [s.Sid, s.Principal, (s as { Action?: unknown }).Action]),
        [
          ['FunctionURLAllowPublicAccess', '*', 'lambda:InvokeFunctionUrl'],
          ['FunctionURLAllowInvokeAction', '*', 'lambda:InvokeFunction'],
        ],
      );
      assert.deepEqual(onAlias[1].Condition, { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } });
      assert.deepEqual(d.undo, { urlQualifier: alias, url: newUrl, statementId: 'FunctionURLAllowPublicAccess', statementIds: 'FunctionURLAllowPublicAccess,FunctionURLAllowInvokeAction', qualifier: alias });
      assert.match(d.followUp[0], /^Callers of .* must move to .*: the old URL stays and still calls \$LATEST/);
      assert.match(outcomeText(out), new RegExp(`^${alias} has its own URL for Function URL \\(auth NONE\\): `));
      // Again: nothing to do.
      const again = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'url:$LATEST' });
      assert.equal(again.state, 'unchanged');
      assert.match(again.note ?? '', /already has its own URL/);
      // Undone: the URL and its permission go.
      const undo = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: d });
      assert.equal(undo.state, 'done', undo.error?.message);
      assert.equal(await urlOf(lambda, FN, alias), undefined);
      assert.deepEqual(await statements(lambda, FN, alias), []);
      assert.equal(await urlOf(lambda, FN), oldUrl);
    });

    it('Create URL on Alias for an IAM-authorised URL: no public permission; refused when the alias has a URL of another auth type', async () => {
      const { lambda } = h();
      await createFn(lambda, 'iamurl');
      await publish(lambda, 'iamurl', 'a');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'iamurl', Name: 'live', FunctionVersion: '1' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: 'iamurl', Name: 'blue', FunctionVersion: '1' }));
      await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'iamurl', AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' }));
      await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'iamurl', Qualifier: 'blue', AuthType: 'NONE' }));
      const out = await fixTrigger(ctx(), { functionName: 'iamurl', aliasName: 'live', triggerId: 'url:$LATEST' });
      assert.equal(out.state, 'done', out.error?.message);
      const made = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'iamurl', Qualifier: 'live' }));
      assert.equal(made.AuthType, 'AWS_IAM');
      assert.equal(made.InvokeMode, 'RESPONSE_STREAM');
      assert.deepEqual(await statements(lambda, 'iamurl', 'live'), []);
      assert.deepEqual(out.detail!.undo, { urlQualifier: 'live', url: made.FunctionUrl });
      assert.match(out.detail!.followUp[1], /^Callers that sign with IAM need lambda:InvokeFunctionUrl on arn:aws:lambda:us-east-1:123456789012:function:iamurl:live/);
      const refused = await fixTrigger(ctx(), { functionName: 'iamurl', aliasName: 'blue', triggerId: 'url:$LATEST' });
      assert.equal(refused.state, 'unchanged');
      assert.equal(refused.error?.kind, 'validation');
      assert.match(refused.error!.message, /^blue already has a URL \(.*\) with auth NONE, not AWS_IAM/);
      assert.deepEqual(await statements(lambda, 'iamurl', 'blue'), [], 'nothing was written');
    });

    it('Grant on Alias: the same principal, source and action on the alias, a new statement id; the old one stays', async () => {
      const { lambda } = h();
      const alias = await freshAlias();
      const out = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'policy:$LATEST:s3-photos' });
      assert.equal(out.state, 'done', out.error?.message);
      const d = out.detail!;
      const added = await statements(lambda, FN, alias);
      assert.deepEqual(added.map((s) => s.Sid), [`s3-photos-${alias}`]);
      assert.deepEqual(added[0].Principal, { Service: 's3.amazonaws.com' });
      assert.deepEqual(added[0].Condition, { StringEquals: { 'AWS:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' } });
      assert.ok((await statements(lambda, FN)).some((s) => s.Sid === 's3-photos'), 'the old statement stays');
      assert.equal(d.after?.verdict, 'through');
      assert.deepEqual(d.undo, { statementId: `s3-photos-${alias}`, qualifier: alias });
      assert.deepEqual(d.followUp, [`Point the event notification of S3 bucket photos at ${ARN}:${alias}, then remove statement s3-photos from $LATEST.`]);
      const again = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'policy:$LATEST:s3-photos' });
      assert.equal(again.state, 'unchanged');
      assert.match(again.note ?? '', /already grants this/);
      const account = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'policy:1:acct' });
      assert.equal(account.state, 'done', account.error?.message);
      assert.deepEqual((await statements(lambda, FN, alias)).find((s) => s.Sid === `acct-${alias}`)?.Principal, { AWS: 'arn:aws:iam::111122223333:root' });
      const undo = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: d });
      assert.equal(undo.state, 'done', undo.error?.message);
      assert.deepEqual((await statements(lambda, FN, alias)).map((s) => s.Sid), [`acct-${alias}`]);
      const gone = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'policy:$LATEST:nope' });
      assert.equal(gone.error?.kind, 'conflict');
      assert.match(gone.error!.message, /no longer exists/);
    });

    describe('a fault at every call: the old trigger is never lost, and the outcome says what is true', () => {
      const KINDS: FaultKind[] = ['error', 'drop', 'throttle', 'truncate'];

      /** Each fix, the calls it makes, and how to read what is true afterwards. */
      const FIXES: Array<{
        name: string;
        calls: Array<[string, number]>;
        prepare: () => Promise<{ alias: string; triggerId: string; check: () => Promise<{ old: boolean; created: boolean; callable?: boolean }> }>;
      }> = [
        {
          name: 'Route Through Alias',
          calls: [['GetAlias', 1], ['GetEventSourceMapping', 1], ['UpdateEventSourceMapping', 1], ['GetEventSourceMapping', 2]],
          prepare: async () => {
            const alias = await freshAlias();
            const uuid = await mapping(h().lambda, FN, sqs(`fault-${n}`));
            return {
              alias,
              triggerId: `esm:${uuid}`,
              check: async () => {
                const arn = await settled(h().lambda, uuid);
                return { old: arn === ARN, created: arn === `${ARN}:${alias}` };
              },
            };
          },
        },
        {
          name: 'Create URL on Alias',
          calls: [['GetAlias', 1], ['GetFunctionUrlConfig', 1], ['GetFunctionUrlConfig', 2], ['GetPolicy', 1], ['CreateFunctionUrlConfig', 1], ['AddPermission', 1], ['GetPolicy', 2], ['AddPermission', 2], ['GetPolicy', 3]],
          prepare: async () => {
            const alias = await freshAlias();
            const oldUrl = await urlOf(h().lambda, FN);
            return {
              alias,
              triggerId: 'url:$LATEST',
              check: async () => {
                const sids = (await statements(h().lambda, FN, alias)).map((s) => s.Sid);
                return {
                  old: (await urlOf(h().lambda, FN)) === oldUrl,
                  created: (await urlOf(h().lambda, FN, alias)) !== undefined,
                  callable: sids.includes('FunctionURLAllowPublicAccess') && sids.includes('FunctionURLAllowInvokeAction'),
                };
              },
            };
          },
        },
        {
          name: 'Grant on Alias',
          calls: [['GetAlias', 1], ['GetPolicy', 1], ['GetPolicy', 2], ['AddPermission', 1], ['GetPolicy', 3]],
          prepare: async () => {
            const alias = await freshAlias();
            return {
              alias,
              triggerId: 'policy:$LATEST:api-checkout',
              check: async () => ({
                old: (await statements(h().lambda, FN)).some((s) => s.Sid === 'api-checkout'),
                created: (await statements(h().lambda, FN, alias)).some((s) => s.Sid === `api-checkout-${alias}`),
              }),
            };
          },
        },
      ];

      for (const fix of FIXES) {
        for (const [operation, nth] of fix.calls) {
          for (const kind of KINDS) {
            it(`${fix.name}: ${operation} #${nth} ${kind}`, async () => {
              const p = await fix.prepare();
              h().sandbox.faults.add({ operation, kind, nth });
              const out = await fixTrigger(ctx(), { functionName: FN, aliasName: p.alias, triggerId: p.triggerId });
              const fired = h().sandbox.faults.pending === 0;
              h().sandbox.faults.clear();
              assert.ok(fired, `the fix made no ${operation} #${nth}: ${out.steps.map((s) => s.name).join(', ')}`);
              if (process.env.TRIGGER_FAULT_LOG) console.log(`${fix.name} ${operation}#${nth} ${kind}: ${out.state} ${out.error?.kind ?? ''} ${out.error?.message ?? ''}`);
              const now = await p.check();
              assert.ok(now.old || now.created, `the trigger was lost: ${JSON.stringify(out.error)}`);
              if (fix.name === 'Route Through Alias') assert.ok(now.old !== now.created, 'the mapping calls one of the two');
              else assert.ok(now.old, 'the old trigger stays');
              if (out.state === 'done') assert.ok(now.created, `done, but nothing on ${p.alias}`);
              else if (out.state === 'unchanged') assert.ok(!now.created, `unchanged, but ${p.alias} got it: ${out.error?.message}`);
              else assert.equal(out.state, 'unknown');
              // A URL made but left closed is done with a warning that says it answers 403.
              if (out.state === 'done' && now.callable === false) assert.match(out.warnings.join(' '), /403 Forbidden/, 'done, closed, and not said');
              if (out.state === 'done' && now.callable !== undefined && !out.warnings.length) assert.ok(now.callable, 'done without a warning, but not callable');
              if (out.state !== 'done') assert.ok(out.error, 'a fix that did not happen says why');
              assert.notEqual(outcomeText(out), '');
            });
          }
        }
      }

      it("with the SDK's retries: a retry refused because the lost first attempt landed is read back as done", async () => {
        const retrying = clientsFor(h().sandbox, { maxAttempts: 3 });
        try {
          const rctx = sandboxContext({ ...h(), ...retrying });
          for (const [operation, triggerId] of [
            ['AddPermission', 'policy:$LATEST:api-checkout'],
            ['CreateFunctionUrlConfig', 'url:$LATEST'],
            ['UpdateEventSourceMapping', `esm:${await mapping(h().lambda, FN, sqs('retry-1'))}`],
          ] as const) {
            const alias = await freshAlias();
            h().sandbox.faults.add({ operation, kind: 'truncate' });
            const out = await fixTrigger(rctx, { functionName: FN, aliasName: alias, triggerId });
            h().sandbox.faults.clear();
            assert.equal(out.state, 'done', `${operation}: ${out.error?.message}`);
            assert.ok(out.detail?.after, operation);
            // The retry really happened: the write's answer was the retry's refusal, and the read-back found it landed.
            // (A mapping's retry may itself succeed once the first attempt's Updating has ended.)
            if (operation !== 'UpdateEventSourceMapping') assert.ok(out.steps.some((x) => x.name.startsWith(operation) && x.result === 'failed'), `${operation}: ${JSON.stringify(out.steps)}`);
          }
        } finally {
          retrying.lambda.destroy();
          retrying.cloudwatch.destroy();
        }
      });

      for (const kind of KINDS) {
        it(`undo of Route Through Alias: UpdateEventSourceMapping ${kind}`, async () => {
          const alias = await freshAlias();
          const uuid = await mapping(h().lambda, FN, sqs(`undo-${kind}`));
          const fixed = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: `esm:${uuid}` });
          assert.equal(fixed.state, 'done');
          await settled(h().lambda, uuid);
          h().sandbox.faults.add({ operation: 'UpdateEventSourceMapping', kind });
          const out = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: fixed.detail! });
          h().sandbox.faults.clear();
          const arn = await settled(h().lambda, uuid);
          assert.ok(arn === ARN || arn === `${ARN}:${alias}`, arn);
          if (out.state === 'done') assert.equal(arn, ARN);
          else if (out.state === 'unchanged') assert.equal(arn, `${ARN}:${alias}`, out.error?.message);
          assert.equal(out.state, kind === 'truncate' ? 'done' : 'unchanged');
        });
      }

      for (const [name, triggerId, operation] of [
        ['Create URL on Alias', 'url:$LATEST', 'DeleteFunctionUrlConfig'],
        ['Create URL on Alias', 'url:$LATEST', 'RemovePermission'],
        ['Grant on Alias', 'policy:$LATEST:api-checkout', 'RemovePermission'],
      ] as const) {
        for (const kind of KINDS) {
          it(`undo of ${name}: ${operation} ${kind}`, async () => {
            const alias = await freshAlias();
            const fixed = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId });
            assert.equal(fixed.state, 'done', fixed.error?.message);
            h().sandbox.faults.add({ operation, kind });
            const out = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: fixed.detail! });
            const fired = h().sandbox.faults.pending === 0;
            h().sandbox.faults.clear();
            assert.ok(fired, `no ${operation}: ${out.steps.map((x) => x.name).join(', ')}`);
            const url = await urlOf(h().lambda, FN, alias);
            const left = (await statements(h().lambda, FN, alias)).map((x) => x.Sid);
            if (out.state === 'done') {
              assert.equal(url, undefined);
              assert.deepEqual(left, []);
            } else {
              assert.ok(out.error, 'an undo that did not happen says why');
              assert.ok(url !== undefined || left.length > 0, `${out.state}, but everything was removed: ${out.error?.message}`);
            }
            if (kind === 'truncate') assert.equal(out.state, 'done', out.error?.message);
            else assert.ok(out.state === 'unchanged' || out.state === 'unknown', `${out.state}: ${out.error?.message}`);
            // The old trigger is never touched by an undo.
            if (triggerId === 'url:$LATEST') assert.ok(await urlOf(h().lambda, FN));
            else assert.ok((await statements(h().lambda, FN)).some((x) => x.Sid === 'api-checkout'));
          });
        }
      }

      it('a lost answer whose read-back fails too is unknown, and says how to tell', async () => {
        const alias = await freshAlias();
        const uuid = await mapping(h().lambda, FN, sqs('unknown-1'));
        h().sandbox.faults.add({ operation: 'UpdateEventSourceMapping', kind: 'truncate' });
        h().sandbox.faults.add({ operation: 'GetEventSourceMapping', kind: 'error', nth: 2 });
        const out = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: `esm:${uuid}` });
        h().sandbox.faults.clear();
        assert.equal(out.state, 'unknown');
        assert.equal(out.error?.kind, 'unknown');
        assert.match(out.error!.left ?? '', /may now call a\d+, or still \$LATEST; either way it exists/);
        assert.equal(await settled(h().lambda, uuid), `${ARN}:${alias}`, 'truncate: the update landed');
      });

      it('Create URL on Alias whose permission fails after the URL: done with a warning, and a second run finishes it', async () => {
        const alias = await freshAlias();
        h().sandbox.faults.add({ operation: 'AddPermission', kind: 'error' });
        const out = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'url:$LATEST' });
        h().sandbox.faults.clear();
        assert.equal(out.state, 'done');
        assert.match(out.warnings.join(' '), /answers 403 Forbidden until it has them/);
        assert.match(out.detail!.followUp[0], /Run Create URL on Alias again/);
        assert.ok(out.detail!.after?.notes.some((x) => /403 Forbidden/.test(x)));
        const url = await urlOf(h().lambda, FN, alias);
        const again = await fixTrigger(ctx(), { functionName: FN, aliasName: alias, triggerId: 'url:$LATEST' });
        assert.equal(again.state, 'done', again.error?.message);
        assert.deepEqual((await statements(h().lambda, FN, alias)).map((s) => s.Sid), ['FunctionURLAllowPublicAccess', 'FunctionURLAllowInvokeAction']);
        // That run made the alias's existing URL public and says so; its undo is the permissions only.
        assert.deepEqual(again.detail!.undo, { statementId: 'FunctionURLAllowPublicAccess', statementIds: 'FunctionURLAllowPublicAccess,FunctionURLAllowInvokeAction', qualifier: alias });
        const undo = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: again.detail! });
        assert.equal(undo.state, 'done', undo.error?.message);
        assert.equal(await urlOf(h().lambda, FN, alias), url, 'the URL was not the fix\'s: it stays');
        assert.deepEqual(await statements(h().lambda, FN, alias), []);
        // An undo that names no URL never deletes one, whatever its detail says of urlQualifier.
        const legacy = await undoTriggerFix(ctx(), { functionName: FN, aliasName: alias, detail: { ...again.detail!, undo: { urlQualifier: alias, statementId: 'gone', qualifier: alias } } });
        assert.notEqual(legacy.state, 'failed', legacy.error?.message);
        assert.equal(await urlOf(h().lambda, FN, alias), url);
      });

      it("a closed URL with auth NONE on the alias: the audit's fix says it makes it public", async () => {
        const alias = await freshAlias();
        await h().lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: alias, AuthType: 'NONE' }));
        const audit = await auditTriggers(ctx(), { functionName: FN, aliasName: alias });
        const t = audit.detail!.triggers.find((x) => x.id === 'url:$LATEST')!;
        assert.match(t.fix?.text ?? '', /makes that URL public/);
      });
    });
  });
});

