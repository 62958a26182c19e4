import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { startSandbox, zipFiles } from '../../src/sandbox';
import { clientsFor, handlerZip, OTHER_ROLE, ROLE, useSandbox } from './helpers';

type Err = Error & { $metadata?: { httpStatusCode?: number } };

/** Asserts an SDK call fails with AWS's exception name and HTTP status. */
async function rejectsWith(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Err) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const fast = { maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 };

async function createFn(lambda: LambdaClient, name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip({ name }) }, ...extra }));
  await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: name });
}

/** Publishes $LATEST after changing its code to `tag`, waiting for each step. */
async function publish(lambda: LambdaClient, name: string, tag: string): Promise<string> {
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: handlerZip({ tag }) }));
  await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: name });
  const v = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: name, Qualifier: v.Version });
  return v.Version!;
}

describe('sandbox: Lambda control plane through the real SDK', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 40 });

  describe('functions', () => {
    it('creates, reads (by name, name:qualifier and ARN), and deletes a function', async () => {
      const { lambda } = h();
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'fn-crud',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: ROLE,
          Description: 'crud',
          Timeout: 5,
          MemorySize: 256,
          Environment: { Variables: { STAGE: 'test' } },
          Code: { ZipFile: handlerZip() },
        }),
      );
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.equal(created.State, 'Pending');
      assert.equal(created.Version, '$LATEST');
      assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:fn-crud');
      assert.equal(created.CodeSha256?.length, 44);
      await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: 'fn-crud' });
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'fn-crud' }));
      assert.equal(got.Configuration?.State, 'Active');
      assert.equal(got.Configuration?.Environment?.Variables?.STAGE, 'test');
      assert.equal(got.Configuration?.MemorySize, 256);
      assert.match(got.Code?.Location ?? '', /\/_sandbox\/code\/[0-9a-f]{64}\.zip$/);
      const zip = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
      assert.equal(zip.length, got.Configuration?.CodeSize);
      const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }));
      assert.equal(byArn.FunctionName, 'fn-crud');
      const byQualified = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-crud:$LATEST' }));
      assert.equal(byQualified.Version, '$LATEST');
      await rejectsWith(lambda.send(new CreateFunctionCommand({ FunctionName: 'fn-crud', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip() } })), 'ResourceConflictException', 409);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-crud' }));
      await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'fn-crud' })), 'ResourceNotFoundException', 404, /Function not found/);
    });

    it('pages ListFunctions 50 at a time over 130 functions, each exactly once and sorted', async () => {
      const { lambda } = h();
      for (let i = 0; i < 130; i++) {
        h().sandbox.lambda.createFunction({ FunctionName: `page-${String(i).padStart(3, '0')}`, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: Buffer.from(handlerZip()).toString('base64') } });
      }
      const names: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 1000 }));
        assert.ok((page.Functions?.length ?? 0) <= 50);
        names.push(...page.Functions!.map((f) => f.FunctionName!));
        marker = page.NextMarker;
        pages++;
      } while (marker);
      const ours = names.filter((n) => n.startsWith('page-'));
      assert.equal(ours.length, 130);
      assert.equal(new Set(names).size, names.length);
      assert.deepEqual(names, [...names].sort());
      assert.ok(pages >= 3);
      const small = await lambda.send(new ListFunctionsCommand({ MaxItems: 7 }));
      assert.equal(small.Functions?.length, 7);
      await rejectsWith(lambda.send(new ListFunctionsCommand({ Marker: 'garbage' })), 'InvalidParameterValueException', 400);
    });

    it('ListFunctions FunctionVersion=ALL includes published versions', async () => {
      const { lambda } = h();
      await createFn(lambda, 'fn-all');
      await publish(lambda, 'fn-all', 'a');
      const all: string[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', Marker: marker }));
        all.push(...page.Functions!.filter((f) => f.FunctionName === 'fn-all').map((f) => f.Version!));
        marker = page.NextMarker;
      } while (marker);
      assert.deepEqual(all, ['$LATEST', '1']);
    });

    it('validates names, runtimes, handlers, roles, timeouts, memory and zips', async () => {
      const { lambda } = h();
      const base = { FunctionName: 'fn-valid', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip() } };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ FunctionName: 'x'.repeat(65) }, 'ValidationException'],
        [{ FunctionName: 'bad name!' }, 'ValidationException'],
        [{ Runtime: 'nodejs99.x' }, 'ValidationException'],
        [{ Runtime: 'python3.12' }, 'InvalidParameterValueException'],
        [{ Handler: 'nodot' }, 'InvalidParameterValueException'],
        [{ Handler: 'has space.handler' }, 'ValidationException'],
        [{ Role: 'not-an-arn' }, 'ValidationException'],
        [{ Timeout: 0 }, 'ValidationException'],
        [{ Timeout: 901 }, 'InvalidParameterValueException'],
        [{ MemorySize: 64 }, 'ValidationException'],
        [{ Code: { ZipFile: Buffer.from('not a zip') } }, 'InvalidParameterValueException'],
      ];
      for (const [override, name] of cases) {
        await rejectsWith(lambda.send(new CreateFunctionCommand({ ...base, ...override } as never)), name, 400);
      }
      await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'fn-valid' })), 'ResourceNotFoundException', 404);
    });
  });

  describe('code updates, versions and LastUpdateStatus', () => {
    it('keeps LastUpdateStatus InProgress briefly after a write and refuses writes meanwhile', async () => {
      const sandbox = await startSandbox({ updateDelayMs: 400 });
      const { lambda } = clientsFor(sandbox);
      try {
        await createFn(lambda, 'fn-slow');
        const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-slow', ZipFile: handlerZip({ v: 2 }) }));
        assert.equal(upd.LastUpdateStatus, 'InProgress');
        await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-slow', ZipFile: handlerZip({ v: 3 }) })), 'ResourceConflictException', 409, /update is in progress/);
        await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'fn-slow' })), 'ResourceConflictException', 409);
        const waited = await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'fn-slow' });
        assert.equal(waited.state, 'SUCCESS');
        assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-slow' }))).LastUpdateStatus, 'Successful');
        const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'fn-slow' }));
        assert.equal(v.State, 'Pending');
        await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'fn-slow', Qualifier: v.Version });
        assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-slow', Qualifier: v.Version }))).State, 'Active');
      } finally {
        lambda.destroy();
        await sandbox.close();
      }
    });

    it('numbers versions 1, 2, … and keeps each one\'s own code', async () => {
      const { lambda } = h();
      await createFn(lambda, 'fn-ver');
      assert.equal(await publish(lambda, 'fn-ver', 'one'), '1');
      const sha1 = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-ver', Qualifier: '1' }))).CodeSha256;
      assert.equal(await publish(lambda, 'fn-ver', 'two'), '2');
      assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-ver', Qualifier: '1' }))).CodeSha256, sha1);
      assert.notEqual((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-ver', Qualifier: '2' }))).CodeSha256, sha1);
      const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'fn-ver' }));
      assert.deepEqual(listed.Versions?.map((v) => v.Version), ['$LATEST', '1', '2']);
      const paged = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'fn-ver', MaxItems: 2 }));
      assert.equal(paged.Versions?.length, 2);
      const rest = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'fn-ver', Marker: paged.NextMarker }));
      assert.deepEqual(rest.Versions?.map((v) => v.Version), ['2']);
      await rejectsWith(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-ver', Qualifier: '9' })), 'ResourceNotFoundException', 404);
    });

    it('returns the last version when nothing changed, and publishes when the configuration changed', async () => {
      const { lambda } = h();
      await createFn(lambda, 'fn-same');
      const v1 = await publish(lambda, 'fn-same', 'x');
      const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'fn-same', Description: 'nothing new' }));
      assert.equal(again.Version, v1);
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-same', MemorySize: 512 }));
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'fn-same' });
      const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'fn-same', Description: 'more memory' }));
      assert.equal(v2.Version, '2');
      assert.equal(v2.MemorySize, 512);
      assert.equal(v2.Description, 'more memory');
    });

    it('guards PublishVersion and UpdateFunctionCode with CodeSha256 and RevisionId', async () => {
      const { lambda } = h();
      await createFn(lambda, 'fn-guard');
      const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-guard' }));
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'fn-guard', CodeSha256: 'AAAA' + cfg.CodeSha256!.slice(4) })), 'InvalidParameterValueException', 400, /CodeSHA256/);
      const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-guard', ZipFile: handlerZip({ g: 2 }), RevisionId: cfg.RevisionId }));
      assert.notEqual(upd.RevisionId, cfg.RevisionId);
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'fn-guard' });
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-guard', ZipFile: handlerZip({ g: 3 }), RevisionId: cfg.RevisionId })), 'PreconditionFailedException', 412);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'fn-guard', RevisionId: cfg.RevisionId })), 'PreconditionFailedException', 412);
      const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-guard' }));
      const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'fn-guard', RevisionId: now.RevisionId, CodeSha256: now.CodeSha256 }));
      assert.equal(v.Version, '1');
      assert.equal(v.CodeSha256, upd.CodeSha256);
    });

    it('deletes a version unless an alias uses it; never $LATEST alone', async () => {
      const { lambda } = h();
      await createFn(lambda, 'fn-delv');
      await publish(lambda, 'fn-delv', 'a');
      await publish(lambda, 'fn-delv', 'b');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'fn-delv', Name: 'live', FunctionVersion: '1' }));
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-delv', Qualifier: '1' })), 'ResourceConflictException', 409, /live/);
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-delv', Qualifier: '$LATEST' })), 'InvalidParameterValueException', 400);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-delv', Qualifier: '2' }));
      assert.deepEqual((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'fn-delv' }))).Versions?.map((v) => v.Version), ['$LATEST', '1']);
      // Version numbers are never reused.
      assert.equal(await publish(lambda, 'fn-delv', 'c'), '3');
    });
  });

  describe('aliases and routing', () => {
    let fn = '';
    let n = 0;
    beforeEach(async () => {
      fn = `fn-alias-${++n}`;
      const { lambda } = h();
      await createFn(lambda, fn);
      await publish(lambda, fn, 'one');
      await publish(lambda, fn, 'two');
    });

    it('creates, gets, lists, updates and deletes aliases; RevisionId changes on every write', async () => {
      const { lambda } = h();
      const a = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: 'live' }));
      assert.equal(a.$metadata.httpStatusCode, 201);
      assert.equal(a.AliasArn, `arn:aws:lambda:us-east-1:123456789012:function:${fn}:prod`);
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'beta', FunctionVersion: '2' }));
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' })), 'ResourceConflictException', 409);
      const list = await lambda.send(new ListAliasesCommand({ FunctionName: fn }));
      assert.deepEqual(list.Aliases?.map((x) => x.Name), ['beta', 'prod']);
      const onlyV2 = await lambda.send(new ListAliasesCommand({ FunctionName: fn, FunctionVersion: '2' }));
      assert.deepEqual(onlyV2.Aliases?.map((x) => x.Name), ['beta']);
      const u = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } }, RevisionId: a.RevisionId }));
      assert.notEqual(u.RevisionId, a.RevisionId);
      assert.deepEqual(u.RoutingConfig?.AdditionalVersionWeights, { '2': 0.25 });
      const g = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
      assert.equal(g.RevisionId, u.RevisionId);
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'stale', RevisionId: a.RevisionId })), 'PreconditionFailedException', 412);
      const cleared = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
      assert.equal(cleared.FunctionVersion, '2');
      assert.equal(cleared.RoutingConfig, undefined);
      await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'beta' }));
      await rejectsWith(lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'beta' })), 'ResourceNotFoundException', 404);
    });

    it('enforces the routing rules with AWS exception names', async () => {
      const { lambda } = h();
      await publish(lambda, fn, 'three');
      const bad: Array<[Record<string, number>, string, string]> = [
        [{ '2': 1.5 }, 'ValidationException', 'weight above 1'],
        [{ '2': -0.1 }, 'ValidationException', 'negative weight'],
        [{ '2': 0.1, '3': 0.1 }, 'InvalidParameterValueException', 'two additional versions'],
        [{ $LATEST: 0.1 }, 'InvalidParameterValueException', '$LATEST'],
        [{ '1': 0.1 }, 'InvalidParameterValueException', 'its own version'],
      ];
      for (const [weights, name, why] of bad) {
        await assert.rejects(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: weights } })), (e: Err) => {
          assert.equal(e.name, name, why);
          assert.equal(e.$metadata?.httpStatusCode, 400, why);
          return true;
        });
      }
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '7': 0.1 } } })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } })), 'InvalidParameterValueException', 400);
      for (const w of [0, 1]) {
        const ok = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: `edge${w}`, FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': w } } }));
        assert.deepEqual(ok.RoutingConfig?.AdditionalVersionWeights, { '2': w });
      }
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: '123', FunctionVersion: '1' })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'a'.repeat(129), FunctionVersion: '1' })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'ghost', FunctionVersion: '9' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'nope' })), 'ResourceNotFoundException', 404);
    });

    it('refuses to split traffic between versions with different execution roles', async () => {
      const { lambda } = h();
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: OTHER_ROLE }));
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: fn });
      const v3 = (await lambda.send(new PublishVersionCommand({ FunctionName: fn }))).Version!;
      await rejectsWith(
        lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { [v3]: 0.1 } } })),
        'InvalidParameterValueException',
        400,
        /same execution role/,
      );
    });
  });

  describe('HTTP robustness', () => {
    it('answers malformed JSON, oversized bodies, wrong methods and unknown routes AWS-style, and keeps serving', async () => {
      const { sandbox, lambda } = h();
      const url = `${sandbox.endpoint}/2015-03-31/functions`;
      const malformed = await fetch(url, { method: 'POST', body: '{"FunctionName": ', headers: { 'content-type': 'application/json' } });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.headers.get('x-amzn-errortype'), 'SerializationException');
      const wrong = await fetch(`${url}/x/aliases/y`, { method: 'PATCH' });
      assert.equal(wrong.status, 405);
      const unknown = await fetch(`${sandbox.endpoint}/2099-01-01/nothing`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException');
      const big = await fetch(url, { method: 'POST', body: Buffer.alloc(71 * 1024 * 1024, 120), headers: { 'content-type': 'application/json' } }).catch((e: Error) => e);
      if (!(big instanceof Error)) {
        assert.equal(big.status, 413);
        assert.equal(big.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException');
      }
      assert.ok((await lambda.send(new ListFunctionsCommand({}))).Functions);
    });

    it('injects faults on the Nth call: 500, 429, dropped connections, delays, hooks', async () => {
      const { sandbox, lambda } = h();
      await createFn(lambda, 'fn-faults');
      sandbox.faults.add({ operation: 'GetFunctionConfiguration', nth: 2, kind: 'error' });
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' }));
      await rejectsWith(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' })), 'ServiceException', 500);
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' }));
      sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'throttle' });
      await rejectsWith(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' })), 'TooManyRequestsException', 429);
      sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'drop' });
      await assert.rejects(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' })), (e: Error) => /socket hang up|ECONNRESET|closed|EPIPE/i.test(`${e.message} ${(e as NodeJS.ErrnoException).code ?? ''}`));
      sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'delay', delayMs: 150 });
      const t0 = Date.now();
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' }));
      assert.ok(Date.now() - t0 >= 140);
      let hooked = false;
      sandbox.faults.add({ operation: 'GetFunctionConfiguration', kind: 'hook', hook: () => void (hooked = true) });
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' }));
      assert.ok(hooked);
      const viaHttp = await fetch(`${sandbox.endpoint}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ operation: 'GetFunctionConfiguration', nth: 1, kind: 'error' }) });
      assert.equal(viaHttp.status, 200);
      await rejectsWith(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' })), 'ServiceException', 500);
      sandbox.setLatency(60);
      const t1 = Date.now();
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-faults' }));
      assert.ok(Date.now() - t1 >= 55);
      sandbox.setLatency(0);
    });
  });

  describe('state on disk', () => {
    it('keeps functions, versions and aliases across a restart, with no temp files left', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-state-'));
      try {
        let sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 20 });
        let { lambda } = clientsFor(sandbox);
        await createFn(lambda, 'fn-disk');
        await publish(lambda, 'fn-disk', 'persisted');
        const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'fn-disk', Name: 'prod', FunctionVersion: '1' }));
        const v1 = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-disk', Qualifier: '1' }));
        lambda.destroy();
        await sandbox.close();
        sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 20 });
        ({ lambda } = clientsFor(sandbox));
        const again = await lambda.send(new GetAliasCommand({ FunctionName: 'fn-disk', Name: 'prod' }));
        assert.equal(again.RevisionId, alias.RevisionId);
        const v1again = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-disk', Qualifier: '1' }));
        assert.equal(v1again.CodeSha256, v1.CodeSha256);
        assert.equal(v1again.RevisionId, v1.RevisionId);
        assert.equal(await publish(lambda, 'fn-disk', 'next'), '2');
        lambda.destroy();
        await sandbox.close();
        const leftovers = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
        assert.deepEqual(leftovers, []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('accepts nested handlers and reports the uploaded size and hash', async () => {
    const { lambda } = h();
    const zip = zipFiles({ 'a/b.js': 'exports.run = async () => 1;' });
    const made = await lambda.send(new CreateFunctionCommand({ FunctionName: 'fn-zip', Runtime: 'nodejs18.x', Handler: 'a/b.run', Role: ROLE, Code: { ZipFile: zip } }));
    assert.equal(made.Handler, 'a/b.run');
    assert.equal(made.CodeSize, zip.length);
    assert.equal(made.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  });
});
