/**
 * Image functions (PackageType Image) in the sandbox, through the real SDK v3 client over HTTP:
 * created and updated by ECR image URI, read back as AWS answers them, kept across a restart;
 * their invocation is refused (the sandbox runs no containers).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { startSandbox } from '../../src/sandbox';
import { clientsFor, ROLE, useSandbox } from './helpers';
import { createImageFn, DIGEST_A, DIGEST_B, imageInput, REPO, tagDigest } from './image-testkit';
import { createFn, fast, rejectsWith } from './lambda-testkit';

describe('Lambda API: image functions (PackageType Image)', function () {
  this.timeout(20_000);
  const h = useSandbox({ updateDelayMs: 20 });

  it('creates an image function by digest: no Runtime or Handler, CodeSha256 the digest in hex, ImageConfigResponse', async () => {
    const { lambda } = h();
    const made = await lambda.send(
      new CreateFunctionCommand(imageInput('img-create', `${REPO}@sha256:${DIGEST_A}`, { ImageConfig: { Command: ['app.handler'], WorkingDirectory: '/var/task' }, Timeout: 30 })),
    );
    assert.equal(made.$metadata.httpStatusCode, 201);
    assert.equal(made.PackageType, 'Image');
    assert.equal(made.Runtime, undefined);
    assert.equal(made.Handler, undefined);
    assert.equal(made.CodeSha256, DIGEST_A);
    assert.equal(made.CodeSize, 0);
    assert.equal(made.Timeout, 30);
    assert.deepEqual(made.ImageConfigResponse, { ImageConfig: { Command: ['app.handler'], WorkingDirectory: '/var/task' } });
    assert.equal(made.State, 'Pending');
    await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: 'img-create' });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'img-create' }));
    assert.deepEqual(got.Code, { RepositoryType: 'ECR', ImageUri: `${REPO}@sha256:${DIGEST_A}`, ResolvedImageUri: `${REPO}@sha256:${DIGEST_A}` });
    assert.equal(got.Configuration?.PackageType, 'Image');
    assert.equal(got.Configuration?.CodeSha256, DIGEST_A);
  });

  it('resolves a tag to a digest that is the same for the same URI and another for another tag', async () => {
    const { lambda } = h();
    const uri = `${REPO}:v1`;
    await createImageFn(lambda, 'img-tag', uri);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'img-tag' }));
    assert.equal(got.Code?.ImageUri, uri);
    assert.equal(got.Code?.ResolvedImageUri, `${REPO}@sha256:${tagDigest(uri)}`);
    assert.equal(got.Configuration?.CodeSha256, tagDigest(uri));
    const again = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-tag', ImageUri: uri }));
    assert.equal(again.CodeSha256, tagDigest(uri));
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-tag' });
    const v2 = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-tag', ImageUri: `${REPO}:v2` }));
    assert.equal(v2.CodeSha256, tagDigest(`${REPO}:v2`));
    assert.notEqual(v2.CodeSha256, again.CodeSha256);
  });

  it('UpdateFunctionCode by ImageUri: RevisionId precondition, Publish, then versions with the image CodeSha256', async () => {
    const { lambda } = h();
    await createImageFn(lambda, 'img-upd', `${REPO}@sha256:${DIGEST_A}`);
    await lambda.send(new PublishVersionCommand({ FunctionName: 'img-upd', CodeSha256: DIGEST_A }));
    const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-upd' }));
    await rejectsWith(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-upd', ImageUri: `${REPO}@sha256:${DIGEST_B}`, RevisionId: 'stale' })),
      'PreconditionFailedException',
      412,
    );
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-upd' }))).CodeSha256, DIGEST_A, 'a refused update changes nothing');
    const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-upd', ImageUri: `${REPO}@sha256:${DIGEST_B}`, RevisionId: latest.RevisionId, Publish: true }));
    assert.equal(upd.Version, '2');
    assert.equal(upd.CodeSha256, DIGEST_B);
    assert.equal(upd.PackageType, 'Image');
    // PublishVersion's CodeSha256 precondition compares with the image's digest.
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-upd' });
    await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'img-upd', CodeSha256: DIGEST_A })), 'InvalidParameterValueException', 400, /CodeSHA256/);
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'img-upd' }));
    assert.deepEqual(versions.Versions?.map((v) => [v.Version, v.CodeSha256, v.PackageType]), [
      ['$LATEST', DIGEST_B, 'Image'],
      ['1', DIGEST_A, 'Image'],
      ['2', DIGEST_B, 'Image'],
    ]);
    const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: 'img-upd', Qualifier: '1' }));
    assert.equal(v1.Code?.ImageUri, `${REPO}@sha256:${DIGEST_A}`);
  });

  it('refuses what AWS refuses, with its words, and changes nothing', async () => {
    const { lambda } = h();
    const uri = `${REPO}:v1`;
    const cases: Array<[string, Partial<CreateFunctionCommandInput>, string, RegExp]> = [
      ['Runtime with Image', { Runtime: 'nodejs20.x' }, 'InvalidParameterValueException', /Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image\./],
      ['Handler with Image', { Handler: 'index.handler' }, 'InvalidParameterValueException', /Please don't provide Handler or Runtime or Layer/],
      ['ZipFile with Image', { Code: { ZipFile: new Uint8Array([1, 2]) } }, 'InvalidParameterValueException', /ZipFile/],
      ['no ImageUri', { Code: {} }, 'InvalidParameterValueException', /Please provide ImageUri/],
      ['not an ECR URI', { Code: { ImageUri: 'docker.io/library/node:20' } }, 'InvalidParameterValueException', /^Source image docker\.io\/library\/node:20 is not valid\. Provide a valid source image\.$/],
      ['public ECR', { Code: { ImageUri: 'public.ecr.aws/lambda/nodejs:20' } }, 'InvalidParameterValueException', /Source image public\.ecr\.aws\/lambda\/nodejs:20 is not valid/],
      ['no tag or digest', { Code: { ImageUri: REPO } }, 'InvalidParameterValueException', /is not valid/],
      ['tag and digest', { Code: { ImageUri: `${REPO}:v1@sha256:${DIGEST_A}` } }, 'InvalidParameterValueException', /is not valid/],
      ['another region', { Code: { ImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:v1' } }, 'InvalidParameterValueException', /eu-west-1.* is not valid/],
      ['a short digest', { Code: { ImageUri: `${REPO}@sha256:abc` } }, 'InvalidParameterValueException', /is not valid/],
      ['another package type', { PackageType: 'Jar' as never }, 'ValidationException', /enum value set: \[Zip, Image\]/],
    ];
    for (const [why, override, name, message] of cases) {
      await rejectsWith(lambda.send(new CreateFunctionCommand({ ...imageInput('img-bad', uri), ...override })), name, 400, message, why);
    }
    await rejectsWith(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'img-bad', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ImageUri: uri } })),
      'InvalidParameterValueException',
      400,
      /Please don't provide ImageUri when the intended function PackageType is Zip/,
    );
    await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'img-bad' })), 'ResourceNotFoundException', 404);
    // The same base input is accepted: each refusal was down to its one change.
    assert.equal((await lambda.send(new CreateFunctionCommand(imageInput('img-bad', uri)))).$metadata.httpStatusCode, 201);
  });

  it('keeps the package type: ImageUri for a zip function and ZipFile for an image one are refused as AWS words it', async () => {
    const { lambda } = h();
    await createFn(lambda, 'zip-fn');
    await createImageFn(lambda, 'img-fixed', `${REPO}@sha256:${DIGEST_A}`);
    await rejectsWith(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'zip-fn', ImageUri: `${REPO}:v1` })),
      'InvalidParameterValueException',
      400,
      /^Please don't provide ImageUri when updating a function with packageType Zip\.$/,
    );
    await rejectsWith(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-fixed', ZipFile: new Uint8Array([80, 75]) })),
      'InvalidParameterValueException',
      400,
      /^Please provide ImageUri when updating a function with packageType Image\.$/,
    );
    await rejectsWith(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-fixed', ImageUri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/checkout:v1' })),
      'InvalidParameterValueException',
      400,
      /is not valid/,
    );
    await rejectsWith(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'img-fixed', Runtime: 'nodejs20.x' })),
      'InvalidParameterValueException',
      400,
      /Please don't provide Handler or Runtime or Layer/,
    );
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-fixed' }))).CodeSha256, DIGEST_A);
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'zip-fn' }))).PackageType, 'Zip');
    // ImageConfig is a setting of $LATEST, published with it.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'img-fixed', ImageConfig: { EntryPoint: ['/lambda-entrypoint.sh'], Command: ['app.other'] } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-fixed' });
    const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'img-fixed' }));
    assert.deepEqual(v.ImageConfigResponse?.ImageConfig, { EntryPoint: ['/lambda-entrypoint.sh'], Command: ['app.other'] });
  });

  it('invoke of an image function is refused as a runtime the sandbox cannot run; aliases and routing still work', async () => {
    const { lambda } = h();
    await createImageFn(lambda, 'img-run', `${REPO}@sha256:${DIGEST_A}`, { Publish: true });
    await lambda.send(new CreateAliasCommand({ FunctionName: 'img-run', Name: 'live', FunctionVersion: '1' }));
    for (const qualifier of [undefined, '1', 'live']) {
      await rejectsWith(
        lambda.send(new InvokeCommand({ FunctionName: 'img-run', Qualifier: qualifier, Payload: Buffer.from('{}') })),
        'InvalidRuntimeException',
        502,
        /cannot run container images: version (\$LATEST|1) of arn:aws:lambda:us-east-1:123456789012:function:img-run \(image .*checkout@sha256:a{64}\) was chosen and not invoked/,
        String(qualifier),
      );
    }
    assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: 'img-run', Name: 'live' }))).FunctionVersion, '1');
  });

  it('the failUpdate fault: the update is accepted, then LastUpdateStatus is Failed with a reason, and nothing is published', async () => {
    const { lambda, sandbox } = h();
    await createImageFn(lambda, 'img-fail', `${REPO}@sha256:${DIGEST_A}`);
    sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'failUpdate' });
    const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-fail', ImageUri: `${REPO}@sha256:${DIGEST_B}`, Publish: true }));
    assert.equal(upd.LastUpdateStatus, 'InProgress');
    assert.equal(upd.Version, '$LATEST');
    await assert.rejects(waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-fail' }));
    const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-fail' }));
    assert.equal(now.LastUpdateStatus, 'Failed');
    assert.equal(now.LastUpdateStatusReasonCode, 'ImageAccessDenied');
    assert.match(now.LastUpdateStatusReason ?? '', /permission to access the ECR image .*@sha256:b{64}/);
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'img-fail' }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ['$LATEST']);
    // The next update clears it.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-fail', ImageUri: `${REPO}@sha256:${DIGEST_A}` }));
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-fail' });
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-fail' }))).LastUpdateStatus, 'Successful');
  });

  it('PublishVersion of a $LATEST whose update Failed: a version whose State is Failed, that no alias can route to; the same code applied later is a new version', async () => {
    const { lambda, sandbox } = h();
    await createImageFn(lambda, 'img-failpub', `${REPO}@sha256:${DIGEST_A}`, { Publish: true });
    await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'img-failpub', Qualifier: '1' });
    await lambda.send(new CreateAliasCommand({ FunctionName: 'img-failpub', Name: 'prod', FunctionVersion: '1' }));
    sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'failUpdate' });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-failpub', ImageUri: `${REPO}@sha256:${DIGEST_B}` }));
    await assert.rejects(waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-failpub' }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'img-failpub', CodeSha256: DIGEST_B }));
    assert.equal(v2.Version, '2');
    await assert.rejects(waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'img-failpub', Qualifier: '2' }));
    const failed = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-failpub', Qualifier: '2' }));
    assert.equal(failed.State, 'Failed');
    assert.equal(failed.StateReasonCode, 'ImageAccessDenied');
    assert.match(failed.StateReason ?? '', /permission to access the ECR image/);
    await rejectsWith(
      lambda.send(new UpdateAliasCommand({ FunctionName: 'img-failpub', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } })),
      'ResourceConflictException',
      409,
      /Version 2 of .*img-failpub is in state: 'Failed', StateReasonCode: 'ImageAccessDenied'/,
    );
    await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: 'img-failpub', Name: 'next', FunctionVersion: '2' })), 'ResourceConflictException', 409);
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'img-failpub', Qualifier: '2' })), 'ResourceConflictException', 409);
    assert.deepEqual((await lambda.send(new GetAliasCommand({ FunctionName: 'img-failpub', Name: 'prod' }))).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    // The same image applied this time: not "nothing changed" since the Failed version 2.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-failpub', ImageUri: `${REPO}@sha256:${DIGEST_B}` }));
    await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-failpub' });
    const v3 = await lambda.send(new PublishVersionCommand({ FunctionName: 'img-failpub', CodeSha256: DIGEST_B }));
    assert.equal(v3.Version, '3');
    await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'img-failpub', Qualifier: '3' });
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'img-failpub', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } }));
  });

  it('pushImage: a tag pushed to another image resolves to it from then on; what already holds the tag keeps its digest', async () => {
    const { lambda, sandbox } = h();
    const uri = `${REPO}:pushed`;
    await createImageFn(lambda, 'img-push', uri, { Publish: true });
    sandbox.pushImage(uri, DIGEST_B);
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'img-push', Qualifier: '1' }))).CodeSha256, tagDigest(uri));
    const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-push', ImageUri: uri }));
    assert.equal(upd.CodeSha256, DIGEST_B);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'img-push' }));
    assert.deepEqual(got.Code, { RepositoryType: 'ECR', ImageUri: uri, ResolvedImageUri: `${REPO}@sha256:${DIGEST_B}` });
    assert.throws(() => sandbox.pushImage(uri, 'not-a-digest'), /64 lowercase hex digits/);
  });

  it('keeps image functions, their versions and ImageConfig across a restart of a state folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-img-state-'));
    try {
      let sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 10 });
      let lambda = clientsFor(sandbox).lambda;
      await createImageFn(lambda, 'img-kept', `${REPO}:v1`, { ImageConfig: { Command: ['app.handler'] }, Publish: true });
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'img-kept', ImageUri: `${REPO}@sha256:${DIGEST_B}` }));
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'img-kept' });
      await lambda.send(new PublishVersionCommand({ FunctionName: 'img-kept' }));
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'img-kept', Qualifier: '2' });
      const dump = async () => {
        const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'img-kept' }));
        const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: 'img-kept', Qualifier: '1' }));
        const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'img-kept' }));
        const strip = <T extends { $metadata: unknown }>({ $metadata: _m, ...rest }: T) => rest;
        return { fn: strip(fn), v1: strip(v1), versions: versions.Versions };
      };
      const before = await dump();
      lambda.destroy();
      await sandbox.close();
      sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 10 });
      lambda = clientsFor(sandbox).lambda;
      try {
        const after = await dump();
        assert.deepEqual(after, before);
        assert.equal(after.v1.Code?.ImageUri, `${REPO}:v1`);
        assert.equal(after.fn.Configuration?.CodeSha256, DIGEST_B);
        assert.deepEqual(after.v1.Configuration?.ImageConfigResponse, { ImageConfig: { Command: ['app.handler'] } });
      } finally {
        lambda.destroy();
        await sandbox.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
