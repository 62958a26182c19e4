/**
 * Moving a target's triggers to its router and back, and Remove Router, end to end: real SDK v3
 * clients over HTTP against the sandbox (an SQS mapping, a function URL with auth NONE, an API
 * Gateway permission on target:prod); a fault at every call of the move and of the move back.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
} from '@aws-sdk/client-lambda';
import { Journal } from '../../src/core/journal';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import type { RouterDetail } from '../../src/core/router';
import { moveBackFromRouter, moveToRouter, removeRouter } from '../../src/core/router';
import type { JournalPort } from '../../src/core/usecases';
import type { FaultKind } from '../../src/sandbox/faults';
import { newAccessKeyId, zipFiles } from '../../src/sandbox';
import { ROLE, sandboxContext, sleep, useSandbox } from './helpers';
import { fast, publish } from './lambda-testkit';
import { makeRouter } from './router-testkit';
import { waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';

const ACCOUNT = '123456789012';
const ARN = (fn: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`;
const API_SOURCE = `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/*/GET/items`;

/** The target answers the version that ran. */
const TARGET_CODE = `exports.handler = async (event) => ({ version: process.env.AWS_LAMBDA_FUNCTION_VERSION, records: (event && event.Records || []).length });\n`;

function tempJournalPort(): JournalPort & { dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-router-move-journal-'));
  const journal = new Journal(dir, { client: { kind: 'cli', version: 'test' }, fsync: false });
  return {
    append: (o) => journal.append(o, { connection: { kind: 'sandbox', label: 'sandbox' } }),
    lastSwitch: (key) => journal.lastSwitch(key),
    history: (key, since) => journal.history(key, since),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function settled(lambda: LambdaClient, uuid: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (m.State === 'Enabled' || m.State === 'Disabled') return m.FunctionArn!;
    await sleep(10);
  }
  throw new Error(`mapping ${uuid} did not settle`);
}

async function sids(lambda: LambdaClient, fn: string, qualifier: string): Promise<string[]> {
  try {
    const p = await lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: qualifier }));
    return (JSON.parse(p.Policy!) as { Statement: Array<{ Sid: string }> }).Statement.map((s) => s.Sid).sort();
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return [];
    throw e;
  }
}

async function urlOf(lambda: LambdaClient, fn: string, qualifier: string): Promise<{ url: string; auth?: string; cors?: unknown } | undefined> {
  try {
    const u = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: qualifier }));
    return { url: u.FunctionUrl!, auth: u.AuthType, cors: u.Cors?.AllowOrigins };
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

async function exists(lambda: LambdaClient, fn: string): Promise<boolean> {
  try {
    await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    return true;
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

interface Setup {
  target: string;
  router: string;
  uuid: string;
  oldUrl: string;
}

/** What AWS shows of each trigger: where the mapping goes, whether the router has the URL and the API's permission. */
interface Where {
  mapping: 'target' | 'router';
  routerUrl: boolean;
  /** Both public URL permissions on the router's alias. */
  routerUrlOpen: boolean;
  routerGrant: boolean;
  /** The target's own URL and the API's permission on target:prod are still there. */
  targetIntact: boolean;
}

describe('router: move triggers to it and back, Remove Router (SDK ↔ sandbox)', function () {
  this.timeout(300_000);
  const h = useSandbox({ updateDelayMs: 0, accessKeyId: newAccessKeyId(), log: (line) => log(line) });
  let lines: string[] = [];
  let recording = false;
  function log(line: string): void {
    if (recording) lines.push(line);
  }
  let n = 0;
  let journal: ReturnType<typeof tempJournalPort>;
  before(() => {
    journal = tempJournalPort();
  });
  after(() => journal.dispose());
  const ctx = () => sandboxContext(h(), { journal });

  async function setup(): Promise<Setup> {
    const { lambda } = h();
    const target = `shop${++n}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: target, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': TARGET_CODE }) } }));
    await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: target });
    await publish(lambda, target, 'v1');
    await publish(lambda, target, 'v2');
    await lambda.send(new CreateAliasCommand({ FunctionName: target, Name: 'prod', FunctionVersion: '1' }));
    const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${target}:prod`, EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-${n}`, BatchSize: 10 }));
    await settled(lambda, m.UUID!);
    const u = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: target, Qualifier: 'prod', AuthType: 'NONE', Cors: { AllowOrigins: ['https://shop.example'] } }));
    await lambda.send(new AddPermissionCommand({ FunctionName: target, Qualifier: 'prod', StatementId: 'FunctionURLAllowPublicAccess', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }));
    await lambda.send(new AddPermissionCommand({ FunctionName: target, Qualifier: 'prod', StatementId: 'FunctionURLAllowInvokeAction', Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }));
    await lambda.send(new AddPermissionCommand({ FunctionName: target, Qualifier: 'prod', StatementId: 'api-items', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: API_SOURCE }));
    const r = await makeRouter(lambda, target, 'prod', { stable: '1', canary: '2' });
    return { target, router: r.name, uuid: m.UUID!, oldUrl: u.FunctionUrl! };
  }

  async function where(s: Setup): Promise<Where> {
    const { lambda } = h();
    const arn = await settled(lambda, s.uuid);
    assert.ok(arn === `${ARN(s.target)}:prod` || arn === `${ARN(s.router)}:prod`, `the mapping calls ${arn}`);
    const routerSids = (await exists(lambda, s.router)) ? await sids(lambda, s.router, 'prod').catch(() => []) : [];
    const targetSids = await sids(lambda, s.target, 'prod');
    return {
      mapping: arn === `${ARN(s.router)}:prod` ? 'router' : 'target',
      routerUrl: (await exists(lambda, s.router)) && (await urlOf(lambda, s.router, 'prod').catch(() => undefined)) !== undefined,
      routerUrlOpen: routerSids.includes('lambda-canary-router-url-public') && routerSids.includes('lambda-canary-router-url-invoke'),
      routerGrant: routerSids.includes('lambda-canary-router-api-items'),
      targetIntact: (await urlOf(lambda, s.target, 'prod'))?.url === s.oldUrl && ['FunctionURLAllowInvokeAction', 'FunctionURLAllowPublicAccess', 'api-items'].every((x) => targetSids.includes(x)),
    };
  }

  const MOVED: Where = { mapping: 'router', routerUrl: true, routerUrlOpen: true, routerGrant: true, targetIntact: true };
  const BACK: Where = { mapping: 'target', routerUrl: false, routerUrlOpen: false, routerGrant: false, targetIntact: true };

  /** Each move an outcome reports is what AWS shows: moved/unchanged = on the router, failed = not, unknown = either. */
  function assertTruth(o: Outcome<RouterDetail>, w: Where, direction: 'to' | 'back'): void {
    assert.ok(w.targetIntact, `the target's own URL and permission stay: ${outcomeText(o)}`);
    assert.equal(o.state === 'unknown', o.error?.kind === 'unknown', `unknown exactly when the error is: ${outcomeText(o)}`);
    const on = (kind: string): boolean => (kind === 'mapping' ? w.mapping === 'router' : kind === 'url' ? w.routerUrl : w.routerGrant);
    const moves = o.detail?.moves ?? [];
    if (!o.detail) assert.ok(o.error, 'no detail: the action stopped before any move, and says why');
    for (const m of moves) {
      if (m.result === 'unknown') {
        assert.ok(m.reason, 'an unknown move says why');
        continue;
      }
      const done = m.result === 'moved' || m.result === 'unchanged';
      const isOnRouter = on(m.kind);
      // A router statement of the URL counts with the URL.
      if (m.kind === 'permission' && direction === 'back' && /url-/.test(m.triggerId)) continue;
      if (direction === 'to') assert.equal(isOnRouter, done, `${m.triggerId} ${m.result}, yet ${isOnRouter ? 'it is' : 'it is not'} on the router: ${m.reason ?? ''}`);
      else if (!(m.kind === 'url' && m.result === 'unchanged')) assert.equal(!isOnRouter, done, `${m.triggerId} ${m.result} back, yet ${isOnRouter ? 'it is still' : 'it is not'} on the router: ${m.reason ?? ''}`);
      if (m.result === 'failed') assert.ok(m.reason, 'a failed move says why');
    }
    if (o.state === 'done') assert.equal(o.error, undefined);
    if (o.error) assert.notEqual(o.error.message, '');
  }

  it('moves the mapping, the URL and the API permission to router:prod; each calls it, the target answers; moves back; all journalled', async () => {
    const s = await setup();
    const { lambda } = h();
    assert.deepEqual(await where(s), BACK);
    const moved = await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    assert.equal(moved.state, 'done', outcomeText(moved));
    assert.equal(moved.action, 'router');
    const d = moved.detail!;
    assert.equal(d.step, 'move');
    assert.equal(d.router, s.router);
    assert.deepEqual(d.moves!.map((m) => [m.kind, m.result]), [['mapping', 'moved'], ['url', 'moved'], ['permission', 'moved']]);
    assert.deepEqual(await where(s), MOVED);
    const url = await urlOf(lambda, s.router, 'prod');
    assert.deepEqual([url?.auth, url?.cors], ['NONE', ['https://shop.example']], 'the same auth and CORS');
    assert.match(d.moves![1].followUp.join(' '), new RegExp(`Give clients the router's URL, ${url!.url.replace(/[.]/g, '\\.')}`));
    assert.match(d.moves![2].followUp.join(' '), /Set the integration URI of API Gateway API abc123 \(GET \/items\) to arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:us-east-1:123456789012:function:shop\d+-router:prod\/invocations/);
    assert.equal(d.moves![0].undo.functionArn, `${ARN(s.target)}:prod`);
    assert.match(outcomeText(moved), /^Moved 3 of 3 triggers of prod to router shop\d+-router:prod\.$/);
    // Through the router: it invokes target:1, which answers.
    const out = await lambda.send(new InvokeCommand({ FunctionName: s.router, Qualifier: 'prod', Payload: Buffer.from(JSON.stringify({ Records: [{ eventSource: 'aws:sqs', body: 'x' }] })) }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { version: '1', records: 1 });
    // A second move has nothing to do.
    const again = await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    assert.equal(again.state, 'unchanged', outcomeText(again));
    assert.equal(again.error, undefined);

    const back = await moveBackFromRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    assert.equal(back.state, 'done', outcomeText(back));
    assert.deepEqual(await where(s), BACK);
    assert.equal(back.detail!.step, 'move-back');
    assert.ok(await exists(lambda, s.router), 'moving back deletes nothing but what the move created');
    const history = await journal.history!(`${ACCOUNT}/us-east-1/${s.target}:prod`);
    assert.deepEqual(history.records.map((r) => (r.outcome.detail as RouterDetail).step), ['move', 'move', 'move-back']);
  });

  it('refuses a router that is not this target’s (another description), moving nothing', async () => {
    const { lambda } = h();
    const target = `shop${++n}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: target, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': TARGET_CODE }) } }));
    await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: target });
    await publish(lambda, target, 'v1');
    await publish(lambda, target, 'v2');
    await lambda.send(new CreateAliasCommand({ FunctionName: target, Name: 'prod', FunctionVersion: '1' }));
    await makeRouter(lambda, target, 'prod', { description: 'my own router' });
    for (const run of [moveToRouter, moveBackFromRouter, removeRouter]) {
      const o = await run(ctx(), { functionName: target, aliasName: 'prod' });
      assert.equal(o.error?.kind, 'validation', outcomeText(o));
      assert.match(o.error!.message, /is not the router Lambda Canary made/);
    }
    assert.ok(await exists(lambda, `${target}-router`), 'a foreign function is never deleted');
  });

  it('Remove Router moves every trigger back and deletes the router; refuses while something else calls it', async () => {
    const s = await setup();
    const { lambda } = h();
    assert.equal((await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' })).state, 'done');
    // Someone else's permission on the router: Remove Router moves ours back, then refuses.
    await lambda.send(new AddPermissionCommand({ FunctionName: s.router, Qualifier: 'prod', StatementId: 'theirs', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly` }));
    const refused = await removeRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    assert.equal(refused.error?.kind, 'conflict', outcomeText(refused));
    assert.match(refused.error!.message, /is not deleted: .*rule\/nightly|nightly.*still calls it/);
    assert.ok(await exists(lambda, s.router));
    assert.deepEqual(await where(s), BACK, 'every trigger it moved is back');
    assert.deepEqual(await sids(lambda, s.router, 'prod'), ['theirs'], 'their statement is left');
    await lambda.send(new (await import('@aws-sdk/client-lambda')).RemovePermissionCommand({ FunctionName: s.router, Qualifier: 'prod', StatementId: 'theirs' }));
    assert.equal((await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' })).state, 'done');
    const removed = await removeRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    assert.equal(removed.state, 'done', outcomeText(removed));
    assert.deepEqual(removed.detail!.deleted, { alias: true, function: true });
    assert.equal(await exists(lambda, s.router), false, 'the router is deleted');
    assert.deepEqual(await where(s), BACK);
    assert.equal(await exists(lambda, s.target), true);
  });

  it('a lost answer whose read-back fails too is unknown for that trigger only; a retry completes', async () => {
    const s = await setup();
    h().sandbox.faults.add({ operation: 'UpdateEventSourceMapping', kind: 'truncate' });
    h().sandbox.faults.add({ operation: 'GetEventSourceMapping', kind: 'error', nth: 2 });
    const o = await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    h().sandbox.faults.clear();
    assert.equal(o.state, 'unknown', outcomeText(o));
    assert.deepEqual(o.detail!.moves!.map((m) => m.result), ['unknown', 'moved', 'moved']);
    const w = await where(s);
    assertTruth(o, w, 'to');
    const retry = await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' });
    assert.equal(retry.error, undefined, outcomeText(retry));
    assert.deepEqual(await where(s), MOVED);
  });

  /** The Lambda operations a run makes, in order (from the sandbox's request log). */
  async function record(run: () => Promise<Outcome<RouterDetail>>): Promise<Array<[string, number]>> {
    lines = [];
    recording = true;
    const o = await run();
    recording = false;
    assert.equal(o.state, 'done', outcomeText(o));
    const ops = lines.map((l) => /^\S+ \S+ (\S+) → /.exec(l)?.[1]).filter((x): x is string => Boolean(x) && x !== 'Admin');
    const seen = new Map<string, number>();
    return ops.map((op) => {
      const k = (seen.get(op) ?? 0) + 1;
      seen.set(op, k);
      return [op, k];
    });
  }

  const KINDS: FaultKind[] = ['error', 'drop', 'truncate'];

  for (const direction of ['to', 'back'] as const) {
    it(`a fault at every call of the move ${direction === 'to' ? 'to the router' : 'back'}: every trigger keeps a function to call, each move says what is true, a retry completes`, async () => {
      const run = (s: Setup) => (direction === 'to' ? moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' }) : moveBackFromRouter(ctx(), { functionName: s.target, aliasName: 'prod' }));
      const prepare = async () => {
        const s = await setup();
        if (direction === 'back') assert.equal((await moveToRouter(ctx(), { functionName: s.target, aliasName: 'prod' })).state, 'done');
        return s;
      };
      const first = await prepare();
      const calls = await record(() => run(first));
      assert.ok(calls.length >= 8, `the run made ${calls.length} calls`);
      const failures: string[] = [];
      const counts: Record<string, number> = {};
      for (const [operation, nth] of calls) {
        for (const kind of KINDS) {
          const name = `${operation}#${nth} ${kind}`;
          try {
            const s = await prepare();
            h().sandbox.faults.add({ operation, nth, kind });
            const o = await run(s);
            const fired = h().sandbox.faults.pending === 0;
            h().sandbox.faults.clear();
            assert.ok(fired, `no ${operation} #${nth}: ${o.steps.map((x) => x.name).join(', ')}`);
            counts[o.state] = (counts[o.state] ?? 0) + 1;
            const w = await where(s);
            assertTruth(o, w, direction);
            if (o.state === 'done') assert.deepEqual(w, direction === 'to' ? MOVED : BACK, `done, but: ${JSON.stringify(w)}`);
            if (kind !== 'truncate' && /^(Update|Create|Add|Remove|Delete)/.test(operation)) assert.notEqual(o.state, 'done', `${operation} never got through, yet: ${outcomeText(o)}`);
            const retry = await run(s);
            assert.equal(retry.error, undefined, `the retry: ${outcomeText(retry)}`);
            assert.deepEqual(await where(s), direction === 'to' ? MOVED : BACK, 'the retry completed');
          } catch (err) {
            h().sandbox.faults.clear();
            failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
      console.log(`      move ${direction}: ${calls.length} calls × ${KINDS.length} faults, outcomes ${JSON.stringify(counts)}`);
      assert.deepEqual(failures, [], `${failures.length} cases failed:\n${failures.join('\n')}`);
    });
  }
});
