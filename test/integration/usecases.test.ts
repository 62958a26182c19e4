import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AliasConfiguration , LambdaClient, Runtime } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import type { Outcome } from '../../src/core/outcome';
import { targetKey } from '../../src/core/outcome';
import { outcomeLogLine, outcomeText } from '../../src/core/outcomeText';
import type { JournalPort, TrafficReportDetail, UseCaseContext } from '../../src/core/usecases';
import { deployWorkspace, probe, promote, rollback, setCanaryWeight, startCanary, switchAlias, switchBack, trafficReport } from '../../src/core/usecases';
import type { ProbeResult } from '../../src/core/traffic';
import { discoverFunctions } from '../../src/core/workspace';
import { zipFiles } from '../../src/sandbox';
import { findPython } from '../../src/sandbox/runtime/python';
import { clientsFor, OTHER_ROLE, ROLE, useSandbox, sandboxContext } from './helpers';

/** The two things use cases need of a journal, kept in memory: the file journal has its own tests. */
class MemoryJournal implements JournalPort {
  readonly outcomes: Outcome[] = [];
  append(o: Outcome): Promise<void> {
    this.outcomes.push(o);
    return Promise.resolve();
  }
  lastSwitch(key: string): Promise<{ from: string; to: string } | undefined> {
    for (let i = this.outcomes.length - 1; i >= 0; i--) {
      const o = this.outcomes[i];
      if (targetKey(o.target) !== key || o.state !== 'done' || !['switch', 'promote', 'switch-back'].includes(o.action)) continue;
      if (o.before && o.after && o.before.version !== o.after.version) return Promise.resolve({ from: o.before.version, to: o.after.version });
    }
    return Promise.resolve(undefined);
  }
}

const code = (tag: string, fail = false) =>
  zipFiles({ 'index.js': fail ? `exports.handler = async () => { throw new Error('broken ${tag}'); };\n` : `exports.handler = async () => ({ tag: ${JSON.stringify(tag)} });\n` });

describe('use cases: each user action returns an Outcome and is journalled (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  // Functions of runtimes the sandbox cannot run (Python, Java) can be published and routed all the same.
  const h = useSandbox({ updateDelayMs: 40, randomSeed: 3 });
  let n = 0;
  let fn: string;
  let journal: MemoryJournal;
  const ctx = (extra: Partial<UseCaseContext> = {}): UseCaseContext => sandboxContext(h(), { journal, ...extra });
  const alias = (name = 'prod'): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));

  /** Versions 1, 2, 3 (3 with another role); prod → 2, staging → 1. */
  beforeEach(async () => {
    fn = `uc-${++n}`;
    journal = new MemoryJournal();
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code('v1') } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code('v2') }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'staging', FunctionVersion: '1' }));
  });
  afterEach(() => h().sandbox.faults.clear());

  describe('startCanary (an existing version, no upload)', () => {
    it("canaries staging's version on prod: done, before/after recorded, target from the alias ARN, journalled", async () => {
      const staging = await alias('staging');
      const o = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', version: staging.FunctionVersion!, weightPercent: 10 });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.equal(o.action, 'canary');
      assert.deepEqual(o.before && { version: o.before.version, weights: o.before.weights }, { version: '2', weights: {} });
      assert.deepEqual(o.after && { version: o.after.version, weights: o.after.weights }, { version: '2', weights: { '1': 0.1 } });
      assert.equal(o.after?.revisionId, (await alias()).RevisionId);
      assert.deepEqual(o.versionsPublished, []);
      assert.deepEqual(o.target, { account: '123456789012', region: h().sandbox.region, function: fn, alias: 'prod' });
      assert.ok(o.steps.some((s) => s.name === 'UpdateAlias prod' && s.result === 'ok' && s.ms >= 0), JSON.stringify(o.steps));
      assert.equal(journal.outcomes.length, 1);
      assert.equal(journal.outcomes[0].id, o.id);
      assert.match(outcomeText(o), /10% of prod goes to version 1/);
      assert.match(outcomeLogLine(o), /canary .*: done prod → 2 ⇒ prod → 2 \(90%\) · 1 \(10%\)/);
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '1': 0.1 });
    });

    const refusals: Array<[string, { version: string; weightPercent: number }, RegExp]> = [
      ['a weight of 150', { version: '1', weightPercent: 150 }, /between|100/],
      ['a weight of 0', { version: '1', weightPercent: 0 }, /./],
      ['$LATEST', { version: '$LATEST', weightPercent: 10 }, /published version/],
      ['not a number', { version: 'abc', weightPercent: 10 }, /not a version number/],
      ['the primary itself', { version: '2', weightPercent: 10 }, /already serves version 2/],
    ];
    for (const [what, input, message] of refusals) {
      it(`refuses ${what}: validation, unchanged, nothing written, journalled as a failure`, async () => {
        const before = await alias();
        const o = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', ...input });
        assert.equal(o.state, 'unchanged');
        assert.equal(o.error?.kind, 'validation');
        assert.match(o.error!.message, message);
        assert.equal((await alias()).RevisionId, before.RevisionId);
        assert.equal(journal.outcomes.length, 1);
      });
    }

    it('refuses a version that does not exist, and one with another execution role', async () => {
      const before = await alias();
      const missing = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', version: '99', weightPercent: 10 });
      assert.equal(missing.state, 'unchanged');
      assert.match(missing.error!.message, /ResourceNotFound|not found/i);
      const { lambda, sandbox } = h();
      const { UpdateFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: OTHER_ROLE }));
      sandbox.settle();
      const v3 = (await lambda.send(new PublishVersionCommand({ FunctionName: fn }))).Version!;
      sandbox.settle();
      const role = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', version: v3, weightPercent: 10 });
      assert.equal(role.error?.kind, 'validation');
      assert.match(role.error!.message, /execution roles/);
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('refuses when the alias changed since the user decided (expectedRevisionId): conflict', async () => {
      const seen = await alias();
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'teammate' }));
      const o = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', version: '1', weightPercent: 10, expectedRevisionId: seen.RevisionId });
      assert.equal(o.state, 'unchanged');
      assert.equal(o.error?.kind, 'conflict');
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('a write whose answer is lost but that landed is done (read back), and one that cannot be read back is unknown', async () => {
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'truncate' });
      const o = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', version: '1', weightPercent: 20 });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.after?.weights, { '1': 0.2 });
      await rollback(ctx(), { functionName: fn, aliasName: 'prod' });
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop' });
      h().sandbox.faults.add({ operation: 'GetAlias', nth: 2, kind: 'error', times: 5 });
      const u = await startCanary(ctx(), { functionName: fn, aliasName: 'prod', version: '1', weightPercent: 20 });
      assert.equal(u.state, 'unknown', outcomeText(u));
      assert.equal(u.error?.kind, 'unknown');
      assert.match(outcomeText(u), /unknown/i);
    });

    it('cancelled before the write: unchanged, kind cancelled', async () => {
      const ac = new AbortController();
      ac.abort();
      const o = await startCanary(ctx({ signal: ac.signal }), { functionName: fn, aliasName: 'prod', version: '1', weightPercent: 10 });
      assert.equal(o.state, 'unchanged');
      assert.equal(o.error?.kind, 'cancelled');
    });
  });

  describe('weight, promote, rollback, switch, switch back', () => {
    it('walks a canary to promotion, then switches back from the journal', async () => {
      const c = ctx();
      const ref = { functionName: fn, aliasName: 'prod' };
      assert.equal((await startCanary(c, { ...ref, version: '1', weightPercent: 5 })).state, 'done');
      const w = await setCanaryWeight(c, { ...ref, weightPercent: 50 });
      assert.equal(w.state, 'done');
      assert.deepEqual(w.after?.weights, { '1': 0.5 });
      assert.match(outcomeText(w), /now gets 50%/);
      const p = await promote(c, ref);
      assert.equal(p.state, 'done');
      assert.deepEqual(p.after && { version: p.after.version, weights: p.after.weights }, { version: '1', weights: {} });
      assert.match(outcomeText(p), /Promoted: prod → 1.*version 2 is kept/);
      const back = await switchBack(c, ref);
      assert.equal(back.state, 'done', outcomeText(back));
      assert.equal((await alias()).FunctionVersion, '2');
      // And again: the switch back is itself what the next Switch Back undoes.
      assert.equal((await switchBack(c, ref)).after?.version, '1');
      assert.deepEqual(
        journal.outcomes.map((o) => `${o.action}:${o.state}`),
        ['canary:done', 'weight:done', 'promote:done', 'switch-back:done', 'switch-back:done'],
      );
    });

    it('rollback clears the canary; weight/promote/rollback without a canary are refused', async () => {
      const ref = { functionName: fn, aliasName: 'prod' };
      for (const o of [await setCanaryWeight(ctx(), { ...ref, weightPercent: 10 }), await promote(ctx(), ref), await rollback(ctx(), ref)]) {
        assert.equal(o.state, 'unchanged');
        assert.equal(o.error?.kind, 'validation');
      }
      await startCanary(ctx(), { ...ref, version: '1', weightPercent: 10 });
      const r = await rollback(ctx(), ref);
      assert.equal(r.state, 'done');
      assert.match(outcomeText(r), /Rolled back: prod → 2.*version 1 gets no traffic/);
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('switch, then switch back refused when the alias moved on since (conflict), and without a record', async () => {
      const ref = { functionName: fn, aliasName: 'prod' };
      const none = await switchBack(ctx(), ref);
      assert.equal(none.error?.kind, 'validation');
      assert.match(none.error!.message, /holds no switch/);
      const s = await switchAlias(ctx(), { ...ref, version: '1' });
      assert.equal(s.state, 'done');
      assert.match(outcomeText(s), /Switched prod: 2 → 1/);
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: 'x' }));
      await switchAlias(ctx(), { ...ref, version: '2' });
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
      const refused = await switchBack(ctx(), ref);
      assert.equal(refused.state, 'unchanged');
      assert.equal(refused.error?.kind, 'conflict');
      assert.equal((await alias()).FunctionVersion, '1');
    });

    it('switch back without a journal says so', async () => {
      const o = await switchBack(ctx({ journal: undefined }), { functionName: fn, aliasName: 'prod' });
      assert.equal(o.error?.kind, 'validation');
      assert.match(o.error!.message, /no deployment journal/);
    });
  });

  describe('probe and trafficReport', () => {
    it('probe counts answers per version; the report has the canary verdict from core', async () => {
      const ref = { functionName: fn, aliasName: 'prod' };
      await startCanary(ctx(), { ...ref, version: '1', weightPercent: 50 });
      const seen: number[] = [];
      const p = await probe(ctx(), { ...ref, count: 60, onProgress: (d) => seen.push(d) });
      assert.equal(p.state, 'done', outcomeText(p));
      const r = p.detail as ProbeResult;
      assert.equal(r.sent, 60);
      assert.equal(r.failed, 0, r.firstError);
      assert.equal((r.byVersion['1']?.invocations ?? 0) + (r.byVersion['2']?.invocations ?? 0), 60);
      assert.equal(seen.length, 60);
      assert.match(outcomeText(p), /60 invocations/);
      const t = await trafficReport(ctx(), { ...ref, windowMinutes: 5 });
      assert.equal(t.state, 'done', outcomeText(t));
      const d = t.detail as TrafficReportDetail;
      assert.equal(d.stableVersion, '2');
      assert.equal(d.canaryVersion, '1');
      assert.ok(['ok', 'insufficient'].includes(d.verdict.kind), JSON.stringify(d.verdict));
      assert.ok(journal.outcomes.some((o) => o.action === 'probe'));
      assert.ok(!journal.outcomes.some((o) => o.action === 'traffic'), 'periodic reads are not journalled');
    });

    it('a probe whose every invocation fails is a failure; one where some fail is done with a warning', async () => {
      const ref = { functionName: fn, aliasName: 'prod' };
      h().sandbox.faults.add({ operation: 'Invoke', kind: 'throttle', times: 5 });
      const all = await probe(ctx(), { ...ref, count: 5 });
      assert.equal(all.state, 'unchanged');
      assert.equal(all.error?.kind, 'aws');
      assert.match(all.error!.message, /None of the 5 invocations of .*:prod went through: TooManyRequestsException/);
      assert.ok(all.steps.some((s) => s.name === 'GetAlias prod'), 'the alias read is a step');
      h().sandbox.faults.add({ operation: 'Invoke', kind: 'throttle', times: 2 });
      const some = await probe(ctx(), { ...ref, count: 10 });
      assert.equal(some.state, 'done', outcomeText(some));
      assert.match(some.warnings.join(' '), /2 of 10 invocations could not be made/);
    });

    it('a probe cancelled part way is cancelled (not done), and keeps its counts so far', async () => {
      const ac = new AbortController();
      const o = await probe(ctx({ signal: ac.signal }), { functionName: fn, aliasName: 'prod', count: 2000, onProgress: (done) => done === 20 && ac.abort() });
      assert.equal(o.error?.kind, 'cancelled', outcomeText(o));
      assert.equal(o.state, 'unchanged');
      const r = o.detail as ProbeResult;
      assert.ok(r.sent >= 20 && r.sent < 2000, `sent ${r.sent}`);
      assert.match(outcomeText(o), /Cancelled\. \d+ of 2000 invocations were sent\./);
    });

    it('a cancellable probe at the sandbox concurrency (16 in flight) raises no MaxListenersExceededWarning', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      try {
        const ac = new AbortController();
        const o = await probe(ctx({ signal: ac.signal }), { functionName: fn, aliasName: 'prod', count: 40 });
        assert.equal(o.state, 'done', outcomeText(o));
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
      }
      assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
    });

    it('refuses a probe of 0 or 20,000 invocations and a window of 0 minutes', async () => {
      const ref = { functionName: fn, aliasName: 'prod' };
      assert.equal((await probe(ctx(), { ...ref, count: 0 })).error?.kind, 'validation');
      assert.equal((await probe(ctx(), { ...ref, count: 20_000 })).error?.kind, 'validation');
      assert.equal((await trafficReport(ctx(), { ...ref, windowMinutes: 0 })).error?.kind, 'validation');
    });
  });

  /** A workspace folder with a lambda-canary.json for the test's function, its handler tagged `tag`. */
  function useWorkspace(tag: string): () => string {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-deploy-'));
      fs.writeFileSync(path.join(dir, 'lambda-canary.json'), JSON.stringify({ functionName: fn, alias: 'prod', codeFolder: 'src', handler: 'index.handler' }));
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src', 'index.js'), `exports.handler = async () => ({ tag: '${tag} ${fn}' });\n`);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    return () => dir;
  }

  describe('deployWorkspace', () => {
    const workspace = useWorkspace('workspace');
    const deploy = (c: UseCaseContext) => {
      const [wf] = discoverFunctions(workspace());
      return deployWorkspace(c, { functionName: fn, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: true, smokeTest: false });
    };

    it('builds nothing, packages, uploads, publishes version 3, verifies it and routes 10%', async () => {
      const o = await deploy(ctx());
      assert.equal(o.state, 'done', outcomeText(o));
      assert.equal(o.versionsPublished.length, 1);
      assert.equal(o.versionsPublished[0].version, '3');
      assert.ok(o.versionsPublished[0].codeSha256);
      assert.equal(o.uploadSkipped, false);
      assert.deepEqual(o.after?.weights, { '3': 0.1 });
      assert.ok(['GetAlias prod', 'UpdateFunctionCode', 'PublishVersion', 'UpdateAlias prod'].every((s) => o.steps.some((x) => x.name === s)), o.steps.map((s) => s.name).join(', '));
      assert.match(outcomeText(o), /Published version 3\. 10% of prod goes to version 3/);
    });

    it('a version published with other code than the package (an endpoint that does not enforce CodeSha256) gets no traffic', async () => {
      // The sandbox fault `publishOther` publishes what another client's concurrent upload put in $LATEST.
      h().sandbox.faults.add({ operation: 'PublishVersion', kind: 'publishOther' });
      const before = await alias();
      const o = await deploy(ctx());
      assert.equal(o.state, 'unchanged', outcomeText(o));
      assert.equal(o.error?.kind, 'conflict');
      assert.match(o.error!.message, /other code than this package/);
      assert.equal(o.versionsPublished.length, 1, 'the version it published is reported');
      const a = await alias();
      assert.equal(a.RevisionId, before.RevisionId);
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });
  });

  describe('deployWorkspace of functions that are not Node.js (the code check follows the runtime)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-deploy-rt-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/runtimes');
    /** A function of `runtime` with version 1 on prod, and a workspace whose code folder is a copy of the fixture `fixture`. */
    const setUp = async (runtime: string, handler: string, fixture: string, initial: Record<string, string>) => {
      const { lambda, sandbox } = h();
      const name = `${fn}-${fixture}`;
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime as Runtime, Handler: handler, Role: ROLE, Code: { ZipFile: zipFiles(initial) } }));
      sandbox.settle();
      await lambda.send(new PublishVersionCommand({ FunctionName: name }));
      sandbox.settle();
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '1' }));
      // The workspace names neither runtime nor handler: the deployed function's configuration decides.
      fs.writeFileSync(path.join(dir, 'lambda-canary.json'), JSON.stringify({ functionName: name, alias: 'prod', codeFolder: 'src' }));
      fs.cpSync(path.join(FIXTURES, fixture), path.join(dir, 'src'), { recursive: true });
      const [wf] = discoverFunctions(dir);
      return { name, deploy: () => deployWorkspace(ctx(), { functionName: name, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: true, smokeTest: false }) };
    };

    it('a Python function (python3.12, app.lambda_handler) publishes version 2 and routes 10%, with no Node.js error', async () => {
      const { name, deploy } = await setUp('python3.12', 'app.lambda_handler', 'python', { 'app.py': 'def lambda_handler(event, context):\n    return 1\n' });
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.versionsPublished.map((v) => v.version), ['2']);
      assert.deepEqual(o.after?.weights, { '2': 0.1 });
      // No warning: none about Node.js, and none for the fixture's requests, listed but never imported.
      assert.deepEqual(o.warnings, []);
      assert.doesNotMatch(outcomeText(o), /app\.js|\.mjs|\.cjs/);
      const a = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'prod' }));
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
      // The sandbox runs it (with the machine's python3), through the alias, on either version.
      if (findPython()) {
        const { InvokeCommand } = await import('@aws-sdk/client-lambda');
        const out = await h().lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'prod', Payload: Buffer.from('{"name":"canary"}') }));
        assert.equal(out.FunctionError, undefined);
        const expected: Record<string, unknown> = { '1': 1, '2': { statusCode: 200, body: 'hello canary' } };
        assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString('utf8')), expected[out.ExecutedVersion!]);
      }
    });

    it('a Python workspace without the handler module is refused by the Python rule, and the alias is left as it was', async () => {
      const { name, deploy } = await setUp('python3.12', 'app.lambda_handler', 'python', { 'app.py': 'def lambda_handler(event, context):\n    return 1\n' });
      fs.rmSync(path.join(dir, 'src', 'app.py'));
      const before = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'prod' }));
      const o = await deploy();
      assert.equal(o.state, 'unchanged', outcomeText(o));
      assert.equal(o.error?.kind, 'validation');
      assert.match(o.error!.message, /The handler 'app\.lambda_handler' needs app\.py in .*, and none is there\. Check Handler and the code folder\./);
      assert.deepEqual(o.versionsPublished, []);
      assert.equal((await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'prod' }))).RevisionId, before.RevisionId);
    });

    it("a Java function whose jar is in lib/ publishes, and the outcome's warnings say its classes were not inspected", async () => {
      const { deploy } = await setUp('java21', 'com.example.App::handleRequest', 'java', { 'lib/app.jar': 'PK' });
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.warnings, ['Java: com/example/App.class is not in the package, but a jar is in lib/ (lib/hello-world-1.0.jar); its classes were not inspected.']);
    });
  });

  describe('a SAM CodeUri that is a built archive (a zip, a jar)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-archive-'));
      fs.mkdirSync(path.join(dir, 'dist'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const template = (codeUri: string) =>
      fs.writeFileSync(
        path.join(dir, 'template.yaml'),
        `Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { FunctionName: ${fn}, CodeUri: ${codeUri}, Handler: index.handler, Runtime: nodejs20.x }\n`,
      );
    const deploy = () => {
      const [wf] = discoverFunctions(dir);
      return deployWorkspace(ctx(), { functionName: fn, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: true, smokeTest: false });
    };

    it('is uploaded as it is: the published CodeSha256 is the SHA-256 of the file', async () => {
      const zip = zipFiles({ 'index.js': `exports.handler = async () => ({ tag: 'prebuilt ${fn}' });\n` });
      fs.writeFileSync(path.join(dir, 'dist', 'function.zip'), zip);
      template('dist/function.zip');
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      const { createHash } = await import('node:crypto');
      assert.equal(o.versionsPublished[0]?.codeSha256, createHash('sha256').update(zip).digest('base64'));
      const { InvokeCommand } = await import('@aws-sdk/client-lambda');
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: o.versionsPublished[0].version }));
      assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { tag: `prebuilt ${fn}` });
    });

    it('is refused, nothing uploaded, when it is not a zip or lacks the handler', async () => {
      fs.writeFileSync(path.join(dir, 'dist', 'notes.txt'), 'not a zip');
      template('dist/notes.txt');
      const notZip = await deploy();
      assert.equal(notZip.error?.kind, 'validation', outcomeText(notZip));
      assert.match(notZip.error!.message, /is not a zip archive/);
      fs.writeFileSync(path.join(dir, 'dist', 'function.zip'), zipFiles({ 'main.js': 'exports.handler = async () => 1;\n' }));
      template('dist/function.zip');
      const noHandler = await deploy();
      assert.match(noHandler.error?.message ?? '', /'index\.handler' needs index\.js/);
      assert.deepEqual(noHandler.versionsPublished, []);
      assert.ok(!noHandler.steps.some((s) => s.name === 'UpdateFunctionCode'));
    });
  });

  describe('Cancel while a write is on its way', () => {
    const workspace = useWorkspace('cancelled');
    /** Deploys the workspace, pressing Cancel `afterMs` after the step whose progress starts with `step` began. */
    const deployCancelledAt = (step: string, afterMs: number) => {
      const ac = new AbortController();
      const [wf] = discoverFunctions(workspace());
      return deployWorkspace(ctx({ signal: ac.signal, progress: (m) => m.startsWith(step) && setTimeout(() => ac.abort(), afterMs) }), {
        functionName: fn,
        aliasName: 'prod',
        fn: wf,
        weightPercent: 10,
        trusted: true,
        smokeTest: false,
      });
    };

    for (const op of ['UpdateFunctionCode', 'PublishVersion', 'UpdateAlias'] as const) {
      it(`Cancel while a ${op} is on its way, and its answer lost: read back, not "nothing was changed"`, async () => {
        // The write lands and its reply is cut (truncate); Cancel is pressed while it is on its way.
        h().sandbox.faults.add({ operation: op, kind: 'truncate' });
        const o = await deployCancelledAt(op === 'UpdateFunctionCode' ? 'Uploading' : op === 'PublishVersion' ? 'Publishing' : 'Routing', 0);
        const a = await alias();
        if (op === 'UpdateAlias') {
          // The routing landed: the deploy is done, whatever Cancel said.
          assert.equal(o.state, 'done', outcomeText(o));
          assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 });
          return;
        }
        assert.equal(o.error?.kind, 'cancelled', outcomeText(o));
        assert.doesNotMatch(outcomeText(o), /Nothing was changed/);
        if (op === 'UpdateFunctionCode') assert.match(o.error!.left ?? '', /\$LATEST holds the new code/);
        else assert.deepEqual(o.versionsPublished.map((v) => v.version), ['3']);
        assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {}, 'no traffic moved');
      });
    }

    for (const op of ['UpdateFunctionCode', 'PublishVersion'] as const) {
      it(`a ${op} already sent is not abandoned: Cancel takes effect at the next step, and the outcome says what is true`, async () => {
        h().sandbox.faults.add({ operation: op, kind: 'delay', delayMs: 400 });
        const o = await deployCancelledAt(op === 'UpdateFunctionCode' ? 'Uploading' : 'Publishing', 100);
        assert.equal(o.state, 'unchanged', outcomeText(o));
        assert.equal(o.error?.kind, 'cancelled');
        const { GetFunctionConfigurationCommand, ListVersionsByFunctionCommand } = await import('@aws-sdk/client-lambda');
        const latest = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
        const v2 = await h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: '2' }));
        assert.notEqual(latest.CodeSha256, v2.CodeSha256, "$LATEST holds the workspace's code: the write landed");
        if (op === 'UpdateFunctionCode') assert.match(o.error!.left ?? '', /\$LATEST holds the new code/, 'the upload landed and the outcome says so');
        const versions = ((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? []).map((v) => v.Version);
        if (op === 'PublishVersion') {
          assert.deepEqual(versions, ['$LATEST', '1', '2', '3'], 'the publish landed');
          assert.deepEqual(o.versionsPublished.map((v) => v.version), ['3'], 'and the outcome lists it');
          assert.match(o.error!.left ?? '', /Version 3 was published but receives no traffic/);
        }
        assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights ?? {}, {}, 'no traffic moved');
      });
    }
  });

  describe('an endpoint that returns aliases without a RevisionId or an AliasArn', () => {
    let proxy: http.Server;
    let lambda: LambdaClient;
    before(async () => {
      const target = new URL(h().sandbox.endpoint);
      proxy = http.createServer((req, res) => {
        const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            let body = Buffer.concat(chunks).toString('utf8');
            if (/\/aliases/.test(req.url ?? '')) body = body.replace(/"(RevisionId|AliasArn)":"[^"]*",?/g, '').replace(/,}/g, '}');
            const headers = { ...r.headers };
            delete headers['content-length'];
            res.writeHead(r.statusCode ?? 500, headers);
            res.end(body);
          });
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as { port: number }).port;
      lambda = clientsFor({ ...h().sandbox, endpoint: `http://127.0.0.1:${port}` } as never).lambda;
    });
    after(() => {
      lambda.destroy();
      proxy.close();
    });

    it('warns once that the write cannot be guarded, and carries it out', async () => {
      const o = await startCanary(ctx({ lambda }), { functionName: fn, aliasName: 'prod', version: '1', weightPercent: 10 });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.equal(o.warnings.length, 1);
      assert.match(o.warnings[0], /without a RevisionId.*cannot be guarded/);
      assert.equal(o.before?.revisionId, undefined);
    });

    it("a lost answer, then a read-back showing another client's routing: a conflict that says so, not 'unchanged'", async () => {
      const { sandbox } = h();
      sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop' });
      sandbox.faults.add({
        operation: 'GetAlias',
        nth: 2,
        kind: 'hook',
        hook: async () => {
          await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
        },
      });
      const o = await startCanary(ctx({ lambda }), { functionName: fn, aliasName: 'prod', version: '1', weightPercent: 10 });
      assert.equal(o.error?.kind, 'conflict', outcomeText(o));
      assert.match(o.error?.left ?? '', /prod now routes prod → 1, set by another client/);
      assert.equal(o.after?.version, '1', 'after shows what the other client set');
    });

    it('Switch Back finds the switch it journalled, keyed without the ARN, and by any name of the function', async () => {
      const arn = `arn:aws:lambda:${h().sandbox.region}:123456789012:function:${fn}`;
      const s = await switchAlias(ctx({ lambda }), { functionName: fn, aliasName: 'prod', version: '1' });
      assert.equal(s.state, 'done', outcomeText(s));
      assert.deepEqual(s.target, { account: undefined, region: h().sandbox.region, function: fn, alias: 'prod' });
      const back = await switchBack(ctx({ lambda }), { functionName: fn, aliasName: 'prod' });
      assert.equal(back.state, 'done', outcomeText(back));
      // Through the sandbox itself (with ARNs): a switch named by the function's ARN, undone by its name.
      const byArn = await switchAlias(ctx(), { functionName: arn, aliasName: 'prod', version: '1' });
      assert.equal(byArn.target.function, fn);
      const byName = await switchBack(ctx(), { functionName: fn, aliasName: 'prod' });
      assert.equal(byName.state, 'done', outcomeText(byName));
      assert.equal((await alias()).FunctionVersion, '2');
    });
  });
});
