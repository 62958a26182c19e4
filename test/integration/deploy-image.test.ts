/**
 * deployImage: a canary of an image function by the URI of an image pushed to ECR (real SDK ↔
 * sandbox). The sandbox keeps image functions' control plane but runs no containers, so routing
 * is checked with GetAlias, not by invoking.
 */
import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { capabilitiesOf } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import type { JournalPort, UseCaseContext } from '../../src/core/usecases';
import { deployImage, deployPackage, deployWorkspace } from '../../src/core/usecases';
import type { WorkspaceFunction } from '../../src/core/workspace';
import { handlerZip, ROLE, useSandbox } from './helpers';
import { DIGEST_A, DIGEST_B, imageInput, REPO, tagDigest } from './image-testkit';
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
  const ctx = (): UseCaseContext => ({
    lambda: h().lambda,
    cloudwatch: h().cloudwatch,
    capabilities: capabilitiesOf({ kind: 'sandbox', endpoint: h().sandbox.endpoint, region: h().sandbox.region, embedded: false }),
    log: new MemoryLogger(),
    region: h().sandbox.region,
    journal,
  });
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

  it('the same tag again: sent again (a tag may name another image since), yet nothing new is published', async () => {
    const uri = `${REPO}:v2`;
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ImageUri: uri }));
    h().sandbox.settle();
    await h().lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    h().sandbox.settle();
    await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'v2', FunctionVersion: '2' }));
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'v2', imageUri: uri, weightPercent: 10 });
    assert.equal(o.state, 'unchanged', outcomeText(o));
    assert.match(o.note ?? '', /identical to version 2/);
    assert.deepEqual(await versions(), ['$LATEST', '1', '2']);
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

  it('an update that ends Failed: nothing published or routed, and the error says why', async () => {
    h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'failUpdate' });
    const o = await deployImage(ctx(), { functionName: fn, aliasName: 'prod', imageUri: `${REPO}@sha256:${DIGEST_B}`, weightPercent: 10 });
    assert.equal(o.state, 'unchanged');
    assert.equal(o.error?.kind, 'aws', outcomeText(o));
    assert.match(o.error?.message ?? '', /^Lambda could not apply the new code: Lambda does not have permission to access the ECR image .*@sha256:b{64}\. Check the ECR permissions \(ImageAccessDenied\)\.$/);
    assert.match(o.error?.left ?? '', /No version was published; prod is unchanged\./);
    assert.deepEqual(await versions(), ['$LATEST', '1']);
    assert.deepEqual((await prod()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
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
