/**
 * deployImage: a canary of an image function by the URI of an image pushed to ECR (real SDK ↔
 * sandbox). The sandbox keeps image functions' control plane but runs no containers, so routing
 * is checked with GetAlias, not by invoking.
 */
import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import type { OperationContext } from '../../src/core/operations';
import { publishImageCanary } from '../../src/core/operations';
import { outcomeText } from '../../src/core/outcomeText';
import type { JournalPort, UseCaseContext } from '../../src/core/usecases';
import { deployImage, deployPackage, deployWorkspace } from '../../src/core/usecases';
import type { WorkspaceFunction } from '../../src/core/workspace';
import { handlerZip, ROLE, useSandbox, sandboxContext } from './helpers';
import { DIGEST_A, DIGEST_B, DIGEST_C, imageInput, REPO, tagDigest } from './image-testkit';
import { codeSha } from './lambda-testkit';

class MemoryJournal implements JournalPort {
  readonly outcomes: Outcome[] = [];
  append(o: Outcome): Promise<void> {
    this.outcomes.push(o);
    return Promise.resolve();
  }
  lastSwitch(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

describe('deployImage: canary of an image function by image URI (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 30 });
  let n = 0;
  let fn: string;
  let journal: MemoryJournal;
  const ctx = (): UseCaseContext => sandboxContext(h(), { journal });
  const prod = () => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
  const latest = async () => (await h().lambda.send(new GetFunctionCommand({ FunctionName: fn }))).Configuration!;
  const versions = async () => (await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions!.map((v) => v.Version);

  /** An image function: version 1 runs image A; prod → 1. */
  beforeEach(async () => {
    fn = `img-uc-${++n}`;
    journal = new MemoryJournal();
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand(imageInput(fn, `${REPO}@sha256:${DIGEST_A}`)));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
  });
  afterEach(() => h().sandbox.faults.clear());

  it('canaries a tag: UpdateFunctionCode { ImageUri }, version 2 with the resolved digest, 10% of prod routed to it, journalled', async () => {
    const uri = `${REPO}:v2`;
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: uri, weightPercent: 10 });
    assert.equal(o.state, 'done', outcomeText(o));
    assert.equal(o.action, 'deploy');
    assert.deepEqual(o.versionsPublished.map((v) => [v.version, v.codeSha256]), [['2', tagDigest(uri)]]);
    assert.equal(o.uploadSkipped, false);
    assert.deepEqual(o.before, { version: '1', weights: {}, revisionId: o.before?.revisionId });
    assert.deepEqual(o.after?.weights, { '2': 0.1 });
    assert.deepEqual(o.steps.map((s) => s.name).filter((s) => /UpdateFunctionCode|PublishVersion|UpdateAlias/.test(s)), ['UpdateFunctionCode', 'PublishVersion', 'UpdateAlias prod']);
    const a = await prod();
    assert.equal(a.FunctionVersion, '1');
    assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    const v2 = await h().lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: '2' }));
    assert.equal(v2.Code?.ImageUri, uri);
    assert.equal(v2.Configuration?.CodeSha256, tagDigest(uri));
    assert.deepEqual(journal.outcomes, [o]);
    assert.match(outcomeText(o), /Published version 2\. 10% of prod goes to version 2/);
  });

  it('canaries a digest with a weight of 50%', async () => {
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_B}`, weightPercent: 50 });
    assert.equal(o.state, 'done', outcomeText(o));
    assert.equal(o.versionsPublished[0]?.codeSha256, DIGEST_B);
    assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.5 });
  });

  it('an unchanged image: nothing uploaded or published, the outcome notes why', async () => {
    const before = await prod();
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_A}`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged', outcomeText(o));
    assert.equal(o.error, undefined, outcomeText(o));
    assert.equal(o.uploadSkipped, true);
    assert.match(o.note ?? '', /No change to deploy: the image \(CodeSha256 a{64}\) and configuration are identical to version 1, which prod already serves\./);
    assert.ok(!o.steps.some((s) => s.name === 'UpdateFunctionCode'), o.steps.map((s) => s.name).join(', '));
    assert.deepEqual(await versions(), ['$LATEST', '1']);
    assert.equal((await prod()).RevisionId, before.RevisionId);
  });

  it('the same tag again: sent again (a tag may name another image since); the same image publishes nothing new, a moved tag its new image', async () => {
    // Pushed images stay pushed for the suite's sandbox: a tag of this test's own.
    const uri = `${REPO}:again-${n}`;
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ImageUri: uri }));
    h().sandbox.settle();
    await h().lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    h().sandbox.settle();
    await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'v2', FunctionVersion: '2' }));
    const same = await deployImage(ctx(), { functionName: fn, aliasName: 'v2', imageUri: uri, weightPercent: 10 });
    assert.equal(same.state, 'unchanged', outcomeText(same));
    assert.match(same.note ?? '', /identical to version 2/);
    assert.equal(same.uploadSkipped, false);
    assert.ok(same.steps.some((s) => s.name === 'UpdateFunctionCode' && s.result === 'ok'), 'the tag is sent again');
    assert.deepEqual(await versions(), ['$LATEST', '1', '2']);
    // The tag is pushed again, to another image: the same URI now deploys it.
    h().sandbox.pushImage(uri, DIGEST_C);
    const moved = await deployImage(ctx(), { functionName: fn, aliasName: 'v2', imageUri: uri, weightPercent: 10 });
    assert.equal(moved.state, 'done', outcomeText(moved));
    assert.deepEqual(moved.versionsPublished.map((v) => [v.version, v.codeSha256]), [['3', DIGEST_C]]);
    assert.deepEqual((await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'v2' }))).RoutingConfig?.AdditionalVersionWeights, { '3': 0.1 });
    const v3 = await h().lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: '3' }));
    assert.equal(v3.Code?.ImageUri, uri);
    assert.equal(v3.Code?.ResolvedImageUri, `${REPO}@sha256:${DIGEST_C}`);
  });

  describe('UpdateFunctionCode without a clear answer: read back, never guessed', () => {
    /** $LATEST holds the tag v2 (unpublished); then the tag is pushed to another image. */
    const tagMoved = async () => {
      const uri = `${REPO}:moved-${n}`;
      await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ImageUri: uri }));
      h().sandbox.settle();
      h().sandbox.pushImage(uri, DIGEST_C);
      return uri;
    };

    it('a tag $LATEST already holds, the write dropped: not taken for landed; the old image is neither published nor routed', async () => {
      const uri = await tagMoved();
      const before = await latest();
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'drop' });
      const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: uri, weightPercent: 10 });
      assert.notEqual(o.state, 'done', outcomeText(o));
      assert.equal(o.versionsPublished.length, 0, outcomeText(o));
      assert.equal(o.error?.step, 'UpdateFunctionCode');
      assert.match(o.error?.left ?? '', /Nothing was changed: \$LATEST and prod are as they were/);
      const now = await latest();
      assert.equal(now.CodeSha256, tagDigest(uri), '$LATEST still runs the image the tag named before');
      assert.equal(now.RevisionId, before.RevisionId);
      assert.deepEqual(await versions(), ['$LATEST', '1']);
      assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('a tag $LATEST already holds, only the answer cut: read back as landed (a new revision), the image the tag names now is published and routed', async () => {
      const uri = await tagMoved();
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'truncate' });
      const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: uri, weightPercent: 10 });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.versionsPublished.map((v) => [v.version, v.codeSha256]), [['2', DIGEST_C]]);
      assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    });

    it('a digest: dropped → nothing changed; cut → landed, published and routed', async () => {
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'drop' });
      const dropped = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_B}`, weightPercent: 10 });
      assert.equal(dropped.state, 'unchanged', outcomeText(dropped));
      assert.equal(dropped.error?.step, 'UpdateFunctionCode');
      assert.equal((await latest()).CodeSha256, DIGEST_A);
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'truncate' });
      const cut = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_B}`, weightPercent: 10 });
      assert.equal(cut.state, 'done', outcomeText(cut));
      assert.deepEqual(cut.versionsPublished.map((v) => [v.version, v.codeSha256]), [['2', DIGEST_B]]);
    });
  });

  it('another upload lands before the publish on an endpoint that does not refuse it (publishOther): its image is published, never routed', async () => {
    h().sandbox.faults.add({ operation: 'PublishVersion', kind: 'publishOther' });
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_B}`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'conflict', outcomeText(o));
    assert.match(o.error?.message ?? '', /^Version 2 was published with other code than this image \(CodeSha256 [0-9a-f]{64}, expected b{64}\)/);
    assert.match(o.error?.left ?? '', /Version 2 was published but receives no traffic/);
    assert.notEqual(o.versionsPublished[0]?.codeSha256, DIGEST_B);
    assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
  });

  it('Lambda resolves a digest URI to another CodeSha256 (an image index): nothing published or routed, saying both digests', async () => {
    const index = 'd'.repeat(64);
    h().sandbox.pushImage(`${REPO}@sha256:${index}`, DIGEST_C);
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${index}`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.message, `Lambda resolved the image to CodeSha256 ${DIGEST_C}, not the digest ${index} the URI names.`);
    assert.match(o.error?.left ?? '', /no version was published and prod is unchanged/);
    assert.deepEqual(await versions(), ['$LATEST', '1']);
  });

  it('names the version after the image (Lambda Canary <date> <URI>), and says "this image" when $LATEST already held it', async () => {
    const uri = `${REPO}@sha256:${DIGEST_B}`;
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ImageUri: uri }));
    h().sandbox.settle();
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: uri, weightPercent: 10 });
    assert.equal(o.state, 'done', outcomeText(o));
    assert.equal(o.uploadSkipped, true);
    assert.match(o.versionsPublished[0]?.description ?? '', new RegExp(`^Lambda Canary \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d ${uri.replace(/[.]/g, '\\.')}$`));
    assert.match(outcomeText(o), /^Published version 2 \(the deployed code was already this image: nothing uploaded\)\. 10% of prod goes to version 2/);
  });

  it('publishImageCanary refuses a bad URI as a rejected promise, not a synchronous throw', async () => {
    const op: OperationContext = { lambda: h().lambda, log: new MemoryLogger() };
    let pending: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      pending = publishImageCanary(op, { functionName: fn, aliasName: 'prod', imageUri: 'docker.io/library/node:20', weightPercent: 10 });
    });
    await assert.rejects(pending!, /docker\.io is not an Amazon ECR registry/);
  });

  it('a zip function is refused, saying so; nothing is changed', async () => {
    const zipFn = `${fn}-zip`;
    const zip = handlerZip({ zip: true });
    await h().lambda.send(new CreateFunctionCommand({ FunctionName: zipFn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip }, Publish: true }));
    h().sandbox.settle();
    await h().lambda.send(new CreateAliasCommand({ FunctionName: zipFn, Name: 'prod', FunctionVersion: '1' }));
    const o = await deployImage(ctx(), { functionName: zipFn, aliasName: 'prod', imageUri: `${REPO}:v2`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'validation');
    assert.match(o.error?.message ?? '', new RegExp(`^${zipFn} is a zip function \\(PackageType Zip\\): it cannot take an image URI`));
    assert.ok(!o.steps.some((s) => s.name === 'UpdateFunctionCode'));
    const cfg = (await h().lambda.send(new GetFunctionCommand({ FunctionName: zipFn }))).Configuration!;
    assert.equal(cfg.CodeSha256, codeSha(zip));
  });

  it('the zip deploy path refuses an image function, saying to give an image URI', async () => {
    const zip = handlerZip();
    const o = await deployPackage(ctx(), { functionName: fn, aliasName: 'prod', zip, codeSha256: codeSha(zip), weightPercent: 10 });
    assert.equal(o.error?.kind, 'validation');
    assert.match(o.error?.message ?? '', /is an image function \(PackageType Image\): .*give its image URI \(lambda-canary deploy --image-uri URI/);
    assert.ok(!o.steps.some((s) => s.name === 'UpdateFunctionCode'));
    // From a workspace, before anything is built or packaged.
    const ws: WorkspaceFunction = { source: 'lambda-canary.json', file: '/nonexistent/lambda-canary.json', workspaceRoot: '/nonexistent', functionName: fn, codeDir: '/nonexistent', alias: 'prod', ignore: [], build: ['false'] };
    const w = await deployWorkspace(ctx(), { functionName: fn, aliasName: 'prod', fn: ws, weightPercent: 10, trusted: true, smokeTest: false });
    assert.equal(w.error?.kind, 'validation', outcomeText(w));
    assert.match(w.error?.message ?? '', /is an image function \(PackageType Image\)/);
    assert.equal((await latest()).CodeSha256, DIGEST_A);
    assert.deepEqual(await versions(), ['$LATEST', '1']);
  });

  it('a bad URI is refused before anything is read; an image of another region after the function is read; nothing changed', async () => {
    const bad = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: 'docker.io/library/node:20', weightPercent: 10 });
    assert.equal(bad.error?.kind, 'validation');
    assert.match(bad.error?.message ?? '', /docker\.io is not an Amazon ECR registry: .*an ECR URI like 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/repo:tag/);
    assert.deepEqual(bad.steps, []);
    const far = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:v2', weightPercent: 10 });
    assert.equal(far.error?.kind, 'validation');
    assert.match(far.error?.message ?? '', /The image is in eu-west-1, but the function is in us-east-1: .* 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/checkout\.$/);
    assert.ok(!far.steps.some((s) => s.name === 'UpdateFunctionCode'));
    assert.equal((await latest()).CodeSha256, DIGEST_A);
  });

  it('another client updates the code between the read and the write: the RevisionId precondition holds, a conflict, nothing routed', async () => {
    h().sandbox.faults.add({
      operation: 'UpdateFunctionCode',
      kind: 'hook',
      hook: async () => {
        await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ImageUri: `${REPO}:teammate` }));
        h().sandbox.settle();
      },
    });
    const before = await prod();
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}:v2`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'conflict', outcomeText(o));
    assert.match(o.error?.message ?? '', /changed since it was read \(another deploy\?\) — refresh and retry/);
    assert.equal((await latest()).CodeSha256, tagDigest(`${REPO}:teammate`), "the teammate's image stays");
    assert.deepEqual(await versions(), ['$LATEST', '1']);
    assert.equal((await prod()).RevisionId, before.RevisionId);
  });

  it('an update that ends Failed: nothing published or routed, the wait recorded as failed, and the error says why', async () => {
    h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'failUpdate' });
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_B}`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'aws', outcomeText(o));
    assert.match(o.error?.message ?? '', /^Lambda could not apply the new code: Lambda does not have permission to access the ECR image .*@sha256:b{64}\. Check the ECR permissions \(ImageAccessDenied\)\.$/);
    assert.match(o.error?.left ?? '', /No version was published; prod is unchanged\./);
    assert.deepEqual(
      o.steps.filter((s) => /UpdateFunctionCode|Wait for FunctionUpdated/.test(s.name)).map((s) => [s.name, s.result]),
      [['UpdateFunctionCode', 'ok'], ['Wait for FunctionUpdated', 'failed']],
    );
    assert.deepEqual(await versions(), ['$LATEST', '1']);
    assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
  });

  describe('a retry after an update that ended Failed: the code is sent again, never published as it is', () => {
    it('an image: the same digest is sent again; once applied, published and routed', async () => {
      const uri = `${REPO}@sha256:${DIGEST_B}`;
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'failUpdate' });
      assert.equal((await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: uri, weightPercent: 10 })).error?.kind, 'aws');
      assert.equal((await latest()).LastUpdateStatus, 'Failed');
      const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: uri, weightPercent: 10 });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.equal(o.uploadSkipped, false);
      assert.ok(o.steps.some((s) => s.name === 'UpdateFunctionCode' && s.result === 'ok'), o.steps.map((s) => s.name).join(', '));
      assert.deepEqual(o.versionsPublished.map((v) => [v.version, v.codeSha256]), [['2', DIGEST_B]]);
      const v2 = await h().lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: '2' }));
      assert.equal(v2.Configuration?.State, 'Active');
      assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    });

    it('a zip: the same package is uploaded again; once applied, published and routed', async () => {
      const zipFn = `${fn}-zip`;
      await h().lambda.send(new CreateFunctionCommand({ FunctionName: zipFn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip({ v: 1 }) }, Publish: true }));
      h().sandbox.settle();
      await h().lambda.send(new CreateAliasCommand({ FunctionName: zipFn, Name: 'prod', FunctionVersion: '1' }));
      const zip = handlerZip({ v: 2 });
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'failUpdate' });
      const failed = await deployPackage(ctx(), { functionName: zipFn, aliasName: 'prod', zip, codeSha256: codeSha(zip), weightPercent: 10 });
      assert.match(failed.error?.message ?? '', /^Lambda could not apply the new code: Lambda was not able to unzip the file \(InvalidZipFileException\)\.$/);
      const o = await deployPackage(ctx(), { functionName: zipFn, aliasName: 'prod', zip, codeSha256: codeSha(zip), weightPercent: 10 });
      assert.equal(o.state, 'done', outcomeText(o));
      assert.equal(o.uploadSkipped, false);
      assert.ok(o.steps.some((s) => s.name === 'UpdateFunctionCode' && s.result === 'ok'), o.steps.map((s) => s.name).join(', '));
      assert.deepEqual(o.versionsPublished.map((v) => [v.version, v.codeSha256]), [['2', codeSha(zip)]]);
      const a = await h().lambda.send(new GetAliasCommand({ FunctionName: zipFn, Name: 'prod' }));
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
      const v2 = await h().lambda.send(new GetFunctionCommand({ FunctionName: zipFn, Qualifier: '2' }));
      assert.equal(v2.Configuration?.State, 'Active');
    });
  });

  it('a smoke test of an image version fails here (the sandbox runs no containers): published, not routed', async () => {
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}:v3`, weightPercent: 10, smokeEvent: {} });
    assert.equal(o.state, 'unchanged');
    assert.match(o.error?.message ?? '', /cannot run container images/);
    assert.match(o.error?.left ?? '', /Version 2 was published but receives no traffic/);
    assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
  });

  it('a canary already running is refused before any write', async () => {
    assert.equal((await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}:v2`, weightPercent: 10 })).state, 'done');
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}:v3`, weightPercent: 10 });
    assert.equal(o.error?.kind, 'validation');
    assert.match(o.error?.message ?? '', /already runs a canary \(version 2 at 10%\)/);
    assert.deepEqual(await versions(), ['$LATEST', '1', '2']);
  });
});
