import assert from 'node:assert/strict';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CancelledError, OperationError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/log';
import type { OperationContext, PublishCanaryInput } from '../../src/core/operations';
import { promoteCanary, publishCanary, rollbackCanary, setCanaryWeight, switchAlias } from '../../src/core/operations';
import { sha256Base64 } from '../../src/core/packaging';
import { zipFiles } from '../../src/sandbox';
import { clientsFor, OTHER_ROLE, ROLE, until, useSandbox } from './helpers';

const FAST = { maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 };

function code(tag: string, fail = false): { zip: Buffer; codeSha256: string } {
  const src = fail
    ? `exports.handler = async () => { throw new Error('broken ${tag}'); };\n`
    : `exports.handler = async () => ({ tag: ${JSON.stringify(tag)} });\n`;
  const zip = zipFiles({ 'index.js': src });
  return { zip, codeSha256: sha256Base64(zip) };
}

describe('deploy operations against the sandbox (real SDK)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 60, randomSeed: 7 });
  let n = 0;
  let fn: string;
  let log: MemoryLogger;

  const ctx = (extra: Partial<OperationContext> = {}): OperationContext => ({ lambda: h().lambda, log, waiters: FAST, ...extra });
  const alias = (name = 'prod'): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));
  const versions = async (): Promise<string[]> =>
    ((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? []).map((v) => v.Version!).filter((v) => v !== '$LATEST');
  const latestSha = async (): Promise<string> => (await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).CodeSha256!;
  const settle = async () => waitUntilFunctionUpdatedV2({ client: h().lambda, ...FAST }, { FunctionName: fn });
  const input = (over: Partial<PublishCanaryInput> = {}): PublishCanaryInput => ({ functionName: fn, aliasName: 'prod', weightPercent: 10, ...code(`n${n}-new`), ...over });

  /** A function with versions 1 (v1 code) and 2 (v2 code), prod → 2. */
  beforeEach(async () => {
    n++;
    fn = `ops-${n}`;
    log = new MemoryLogger();
    const { lambda } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code('v1').zip } }));
    h().sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code('v2').zip }));
    h().sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    h().sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
  });
  afterEach(() => h().sandbox.faults.clear());

  describe('publishCanary', () => {
    it('uploads, publishes and routes the weight to the new version', async () => {
      const steps: string[] = [];
      const c = code('fresh');
      const r = await publishCanary(ctx({ progress: (m) => steps.push(m) }), input({ ...c, description: 'git abc (dirty)' }));
      assert.equal(r.version, '3');
      assert.equal(r.uploadSkipped, false);
      const a = await alias();
      assert.equal(a.FunctionVersion, '2');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 });
      const v3 = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: '3' }));
      assert.equal(v3.CodeSha256, c.codeSha256);
      assert.equal(v3.Description, 'git abc (dirty)');
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '3' }));
      assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { tag: 'fresh' });
      assert.ok(steps.some((s) => /Uploading/.test(s)) && steps.some((s) => /Routing 10%/.test(s)), steps.join(' | '));
    });

    it('skips the upload when $LATEST already has the code, and still publishes it', async () => {
      const c = code('staged');
      await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: c.zip }));
      await settle();
      const r = await publishCanary(ctx(), input(c));
      assert.equal(r.uploadSkipped, true);
      assert.equal(r.version, '3');
      assert.ok(log.lines.some((l) => /No code change/.test(l)));
      assert.ok(!log.lines.some((l) => /UpdateFunctionCode/.test(l)));
    });

    it('refuses when the code is what the alias already serves, changing nothing', async () => {
      const before = await alias();
      await assert.rejects(publishCanary(ctx(), input(code('v2'))), (e: OperationError) => e.kind === 'validation' && /identical to version 2/.test(e.message));
      assert.equal((await alias()).RevisionId, before.RevisionId);
      assert.deepEqual(await versions(), ['1', '2']);
    });

    for (const bad of [0, 100, 150, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses weight ${bad}% before any write`, async () => {
        const before = await alias();
        const sha = await latestSha();
        await assert.rejects(publishCanary(ctx(), input({ weightPercent: bad })), (e: OperationError) => e.kind === 'validation');
        assert.equal((await alias()).RevisionId, before.RevisionId);
        assert.equal(await latestSha(), sha);
        assert.deepEqual(await versions(), ['1', '2']);
      });
    }

    it('refuses a second canary on the same alias', async () => {
      await publishCanary(ctx(), input());
      await assert.rejects(publishCanary(ctx(), input(code('another'))), /already runs a canary \(version 3 at 10%\)/);
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 });
    });

    it('refuses an alias pointing to $LATEST', async () => {
      await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'dev', FunctionVersion: '$LATEST' }));
      await assert.rejects(publishCanary(ctx(), input({ aliasName: 'dev' })), /points to \$LATEST/);
    });

    it('detects that the alias changed since the user looked at it (expected RevisionId)', async () => {
      const seen = await alias();
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'touched by someone else' }));
      await assert.rejects(publishCanary(ctx(), input({ expectedRevisionId: seen.RevisionId })), (e: OperationError) => e.kind === 'conflict' && /`prod` changed since you loaded it — refresh and retry/.test(e.message));
      assert.deepEqual(await versions(), ['1', '2']);
    });

    it('turns a RevisionId race on UpdateAlias into a conflict; the new version stays unrouted', async () => {
      const other = clientsFor(h().sandbox);
      h().sandbox.faults.add({
        operation: 'UpdateAlias',
        kind: 'hook',
        hook: async () => {
          await other.lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
        },
      });
      await assert.rejects(publishCanary(ctx(), input()), (e: OperationError) => e.kind === 'conflict' && /changed since you loaded it/.test(e.message));
      const a = await alias();
      assert.equal(a.FunctionVersion, '1'); // the other developer's write survives
      assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
      assert.deepEqual(await versions(), ['1', '2', '3']);
      other.lambda.destroy();
    });

    // Every call publishCanary makes, in order. A failure at any of them leaves the alias as it was.
    const steps: Array<[string, number, RegExp]> = [
      ['GetAlias', 1, /GetAlias/],
      ['GetFunctionConfiguration', 1, /GetFunctionConfiguration/],
      ['UpdateFunctionCode', 1, /UpdateFunctionCode/],
      ['GetFunctionConfiguration', 2, /GetFunctionConfiguration/],
      ['PublishVersion', 1, /PublishVersion/],
      ['Invoke', 1, /Smoke invoke/],
      ['UpdateAlias', 1, /UpdateAlias/],
    ];
    for (const [operation, nth, stepName] of steps) {
      it(`leaves the alias as it was when ${operation} (call ${nth}) fails, and a retry succeeds`, async () => {
        const before = await alias();
        h().sandbox.faults.add({ operation, nth, kind: 'error' });
        await assert.rejects(publishCanary(ctx(), input({ smokeEvent: {} })), (e: OperationError) => {
          assert.ok(e instanceof OperationError, String(e));
          assert.match(e.step ?? '', stepName);
          assert.ok(e.state, 'the error says what state it left');
          return true;
        });
        const after = await alias();
        assert.equal(after.RevisionId, before.RevisionId, 'alias untouched');
        assert.equal(after.RoutingConfig?.AdditionalVersionWeights, undefined, 'no traffic routed');
        h().sandbox.faults.clear();
        await settle();
        const r = await publishCanary(ctx(), input({ smokeEvent: {} }));
        assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { [r.version]: 0.1 });
      });
    }

    // The SDK waiters poll again after an error, so a failed poll only delays the deploy.
    for (const [operation, nth] of [['GetFunction', 1], ['GetFunctionConfiguration', 3]] as const) {
      it(`rides out a failed waiter poll (${operation} call ${nth})`, async () => {
        h().sandbox.faults.add({ operation, nth, kind: 'error' });
        const r = await publishCanary(ctx(), input());
        assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { [r.version]: 0.1 });
        assert.equal(h().sandbox.faults.pending, 0, 'the fault was hit');
      });
    }

    it('retries throttling with the SDK retry strategy', async () => {
      const { lambda } = clientsFor(h().sandbox, { maxAttempts: 4 });
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'throttle', times: 2 });
      const r = await publishCanary(ctx({ lambda }), input());
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { [r.version]: 0.1 });
      lambda.destroy();
    });

    it('aborts before routing when the smoke test fails', async () => {
      await assert.rejects(publishCanary(ctx(), input({ ...code('bad', true), smokeEvent: { ping: 1 } })), (e: OperationError) => /smoke test of version 3 failed \(Error: broken bad\)/.test(e.message));
      assert.equal((await alias()).RoutingConfig?.AdditionalVersionWeights, undefined);
      assert.deepEqual(await versions(), ['1', '2', '3']);
    });

    it('refuses to route between versions with different execution roles', async () => {
      await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: OTHER_ROLE }));
      await settle();
      await assert.rejects(publishCanary(ctx(), input()), /different execution roles/);
      assert.equal((await alias()).RoutingConfig?.AdditionalVersionWeights, undefined);
    });

    for (const at of ['Uploading', 'Publishing', 'Routing']) {
      it(`stops cleanly when cancelled at "${at}"`, async () => {
        const abort = new AbortController();
        const before = await alias();
        await assert.rejects(
          publishCanary(ctx({ signal: abort.signal, progress: (m) => m.startsWith(at) && abort.abort() }), input()),
          (e: unknown) => e instanceof CancelledError,
        );
        const after = await alias();
        assert.equal(after.RevisionId, before.RevisionId);
        assert.equal(after.RoutingConfig?.AdditionalVersionWeights, undefined);
      });
    }
  });

  describe('setCanaryWeight, promoteCanary, rollbackCanary', () => {
    beforeEach(async () => {
      await publishCanary(ctx(), input());
    });

    it('changes the weight', async () => {
      await setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod' }, 25);
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '3': 0.25 });
    });

    it('refuses weights outside (0, 100) and aliases without a canary', async () => {
      await assert.rejects(setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod' }, 150), /less than 100%/);
      await rollbackCanary(ctx(), { functionName: fn, aliasName: 'prod' });
      await assert.rejects(setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod' }, 5), /runs no canary/);
    });

    it('promotes: the canary takes 100%', async () => {
      const r = await promoteCanary(ctx(), { functionName: fn, aliasName: 'prod' });
      assert.equal(r.previousVersion, '2');
      const a = await alias();
      assert.equal(a.FunctionVersion, '3');
      assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
      for (let i = 0; i < 20; i++) {
        const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'prod' }));
        assert.equal(out.ExecutedVersion, '3');
      }
    });

    it('rolls back: the primary keeps 100%', async () => {
      await rollbackCanary(ctx(), { functionName: fn, aliasName: 'prod' });
      const a = await alias();
      assert.equal(a.FunctionVersion, '2');
      assert.equal(a.RoutingConfig?.AdditionalVersionWeights, undefined);
    });

    it('refuses a stale expected RevisionId without writing', async () => {
      const seen = await alias();
      await setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod' }, 30);
      await assert.rejects(promoteCanary(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: seen.RevisionId }), /changed since you loaded it/);
      assert.equal((await alias()).FunctionVersion, '2');
    });
  });

  describe('switchAlias (blue/green)', () => {
    it('switches to another version and back', async () => {
      const r = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '1');
      assert.equal(r.previousVersion, '2');
      assert.equal((await alias()).FunctionVersion, '1');
      const back = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, r.previousVersion, '1');
      assert.equal(back.previousVersion, '1');
      assert.equal((await alias()).FunctionVersion, '2');
    });

    it('switches to a version that runs as another execution role: a full switch splits nothing', async () => {
      await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: OTHER_ROLE }));
      await settle();
      const v = await h().lambda.send(new PublishVersionCommand({ FunctionName: fn }));
      await until(`version ${v.Version} Active`, async () => (await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: v.Version }))).State === 'Active' || undefined);
      const r = await switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, v.Version!);
      assert.equal(r.previousVersion, '2');
      assert.equal((await alias()).FunctionVersion, v.Version);
    });

    it('refuses to switch back when the alias moved since', async () => {
      await switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '1');
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
      await assert.rejects(switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '2', '1'), /now points to version 2, not 1/);
    });

    it('refuses $LATEST, unknown versions, the current version and aliases with a canary', async () => {
      await assert.rejects(switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '$LATEST'), /not \$LATEST/);
      await assert.rejects(switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '9'), (e: OperationError) => /Check version 9/.test(e.step ?? '') && /ResourceNotFound|not found/i.test(e.message));
      await assert.rejects(switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '2'), /already points to version 2/);
      await publishCanary(ctx(), input());
      await assert.rejects(switchAlias(ctx(), { functionName: fn, aliasName: 'prod' }, '1'), /runs a canary/);
      assert.equal((await alias()).FunctionVersion, '2');
    });
  });
});
