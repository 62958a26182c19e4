/**
 * The sandbox's Lambda control plane (functions, versions, configuration, State and
 * LastUpdateStatus) through the real SDK v3 client over HTTP. Aliases: lambda-aliases.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
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
import { createClients } from '../../src/core/connection';
import { listAllFunctions, listFunctionPages, listFunctionsSoFar } from '../../src/core/lambdaApi';
import { zipFiles } from '../../src/sandbox';
import { handlerZip, OTHER_ROLE, ROLE, sleep, useSandbox } from './helpers';
import { ARN_PREFIX, codeSha, createFn, createInput, fast, inBatches, publish, rejectsWith, setCode, setConfig } from './lambda-testkit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function config(lambda: LambdaClient, name: string, qualifier?: string): Promise<FunctionConfiguration> {
  return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }));
}

async function versionsOf(lambda: LambdaClient, name: string): Promise<string[]> {
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, Marker: marker }));
    out.push(...page.Versions!.map((v) => v.Version!));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

describe('Lambda API: functions and versions', function () {
  this.timeout(20_000);
  const h = useSandbox({ updateDelayMs: 20 });

  describe('CreateFunction', () => {
    it('creates a function from a ZipFile: 201, full configuration, Pending then Active', async () => {
      const { lambda } = h();
      const zip = handlerZip({ hello: 'world' });
      const t0 = Date.now();
      const made = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'create-full',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: ROLE,
          Description: 'the first',
          Timeout: 15,
          MemorySize: 512,
          Environment: { Variables: { STAGE: 'test', LOG_LEVEL: 'debug' } },
          Tags: { team: 'canary' },
          Code: { ZipFile: zip },
        }),
      );
      assert.equal(made.$metadata.httpStatusCode, 201);
      assert.equal(made.FunctionName, 'create-full');
      assert.equal(made.FunctionArn, `${ARN_PREFIX}create-full`);
      assert.equal(made.Runtime, 'nodejs22.x');
      assert.equal(made.Handler, 'index.handler');
      assert.equal(made.Role, ROLE);
      assert.equal(made.Description, 'the first');
      assert.equal(made.Timeout, 15);
      assert.equal(made.MemorySize, 512);
      assert.deepEqual(made.Environment?.Variables, { STAGE: 'test', LOG_LEVEL: 'debug' });
      assert.equal(made.CodeSize, zip.length);
      assert.equal(made.CodeSha256, codeSha(zip));
      assert.equal(made.Version, '$LATEST');
      assert.equal(made.PackageType, 'Zip');
      assert.match(made.RevisionId ?? '', UUID);
      assert.match(made.LastModified ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
      assert.ok(Math.abs(Date.parse(made.LastModified!.replace('+0000', 'Z')) - t0) < 5_000);
      assert.equal(made.State, 'Pending');
      assert.equal(made.StateReasonCode, 'Creating');
      const waited = await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: 'create-full' });
      assert.equal(waited.state, 'SUCCESS');
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'create-full' }));
      assert.equal(got.Configuration?.State, 'Active');
      assert.equal(got.Configuration?.StateReasonCode, undefined);
      assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
      assert.equal(got.Configuration?.RevisionId, made.RevisionId);
      assert.deepEqual(got.Tags, { team: 'canary' });
    });

    it('defaults Timeout to 3 s, MemorySize to 128 MB, and has no Environment when none is given', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateFunctionCommand(createInput('create-defaults')));
      assert.equal(made.Timeout, 3);
      assert.equal(made.MemorySize, 128);
      assert.equal(made.Environment, undefined);
      assert.equal(made.Description, '');
    });

    it('accepts every boundary value: a 64-character name, 1 and 900 s, 128 and 10240 MB, the Node.js runtimes', async () => {
      const { lambda } = h();
      const name64 = 'n'.repeat(64);
      const a = await lambda.send(new CreateFunctionCommand(createInput(name64, { Timeout: 900, MemorySize: 10240, Runtime: 'nodejs18.x' })));
      assert.equal(a.FunctionName, name64);
      assert.equal(a.Timeout, 900);
      assert.equal(a.MemorySize, 10240);
      const b = await lambda.send(new CreateFunctionCommand(createInput('bounds_Low-1', { Timeout: 1, MemorySize: 128, Runtime: 'nodejs22.x' })));
      assert.equal(b.Timeout, 1);
      assert.equal(b.MemorySize, 128);
      const c = await lambda.send(new CreateFunctionCommand(createInput('bounds-arn-role', { Role: 'arn:aws:iam::123456789012:role/service-role/my.role+x=y,z@w' })));
      assert.equal(c.Role, 'arn:aws:iam::123456789012:role/service-role/my.role+x=y,z@w');
      const d = await lambda.send(new CreateFunctionCommand(createInput('bounds-nested', { Handler: 'src/app.lambdaHandler' })));
      assert.equal(d.Handler, 'src/app.lambdaHandler');
    });

    it('refuses a second function with the same name (409) and leaves the first untouched', async () => {
      const { lambda } = h();
      await createFn(lambda, 'create-dup');
      const before = await config(lambda, 'create-dup');
      await rejectsWith(
        lambda.send(new CreateFunctionCommand(createInput('create-dup', { Code: { ZipFile: handlerZip('other') }, MemorySize: 256 }))),
        'ResourceConflictException',
        409,
        /already exist/,
      );
      const after = await config(lambda, 'create-dup');
      assert.equal(after.CodeSha256, before.CodeSha256);
      assert.equal(after.MemorySize, 128);
      assert.equal(after.RevisionId, before.RevisionId);
    });

    it('Publish: true publishes version 1 along with the function', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateFunctionCommand(createInput('create-publish', { Publish: true, Description: 'first release' })));
      assert.equal(made.Version, '1');
      assert.equal(made.FunctionArn, `${ARN_PREFIX}create-publish:1`);
      assert.equal(made.Description, 'first release');
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'create-publish', Qualifier: '1' });
      assert.deepEqual(await versionsOf(lambda, 'create-publish'), ['$LATEST', '1']);
    });

    it("PublishVersion without a Description keeps the function's; with one, the version's overrides it", async () => {
      const { lambda } = h();
      await createFn(lambda, 'publish-description', { Description: 'the function' });
      const kept = await lambda.send(new PublishVersionCommand({ FunctionName: 'publish-description' }));
      assert.equal(kept.Description, 'the function');
      await setCode(lambda, 'publish-description', 'two');
      const own = await lambda.send(new PublishVersionCommand({ FunctionName: 'publish-description', Description: 'version two' }));
      assert.equal(own.Description, 'version two');
      assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'publish-description', Qualifier: kept.Version }))).Description, 'the function');
    });

    it('keeps the control plane of runtimes it cannot run (Java, .NET, Ruby), and says so on Invoke', async () => {
      const { lambda, sandbox } = h();
      const cases: Array<[string, string, string]> = [
        ['rt-java', 'java21', 'com.example.App::handleRequest'],
        ['rt-dotnet', 'dotnet8', 'HelloWorld::HelloWorld.Function::FunctionHandler'],
        ['rt-ruby', 'ruby3.3', 'app.handler'],
      ];
      for (const [name, runtime, handler] of cases) {
        await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime as never, Handler: handler, Role: ROLE, Code: { ZipFile: handlerZip() } }));
        sandbox.settle();
        const v = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
        sandbox.settle();
        await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: v.Version }));
        const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: 'prod' }));
        assert.deepEqual([c.Runtime, c.Handler], [runtime, handler]);
        await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'prod' })), 'InvalidRuntimeException', 502, new RegExp(`cannot run ${runtime.replace('.', '\\.')} functions`));
      }
    });

    it('validates every field with the exception AWS uses, and creates nothing when it refuses', async () => {
      const { lambda } = h();
      const cases: Array<[string, Record<string, unknown>, string, RegExp?]> = [
        ['name of 65 characters', { FunctionName: 'x'.repeat(65) }, 'ValidationException', /length less than or equal to 64/],
        ['name with a space and !', { FunctionName: 'bad name!' }, 'ValidationException', /regular expression pattern/],
        ['name with a dot', { FunctionName: 'bad.name' }, 'ValidationException'],
        ['empty name', { FunctionName: '' }, 'ValidationException'],
        ['qualified name', { FunctionName: 'valid-name:1' }, 'InvalidParameterValueException', /qualifier/],
        ['unknown runtime', { Runtime: 'nodejs99.x' }, 'ValidationException', /enum value set/],
        ['a runtime AWS no longer creates functions with', { Runtime: 'python3.8' }, 'InvalidParameterValueException', /python3\.8 is no longer supported/],
        ['old Node.js runtime', { Runtime: 'nodejs16.x' }, 'InvalidParameterValueException'],
        ['handler without a dot', { Handler: 'nodot' }, 'InvalidParameterValueException', /handler/],
        ['handler ending in a dot', { Handler: 'index.' }, 'InvalidParameterValueException'],
        ['handler starting with a dot', { Handler: '.handler' }, 'InvalidParameterValueException'],
        ['handler with a space', { Handler: 'my index.handler' }, 'ValidationException'],
        ['handler of 129 characters', { Handler: `${'h'.repeat(120)}.handlerx` }, 'ValidationException'],
        ['role that is not an ARN', { Role: 'not-an-arn' }, 'ValidationException', /role/],
        ['role with an 11-digit account', { Role: 'arn:aws:iam::12345678901:role/x' }, 'ValidationException'],
        ['user instead of role', { Role: 'arn:aws:iam::123456789012:user/x' }, 'ValidationException'],
        ['timeout 0', { Timeout: 0 }, 'ValidationException', /greater than or equal to 1/],
        ['timeout 901', { Timeout: 901 }, 'InvalidParameterValueException', /900/],
        ['memory 64', { MemorySize: 64 }, 'ValidationException', /between 128 and 10240/],
        ['memory 127', { MemorySize: 127 }, 'ValidationException'],
        ['memory 10241', { MemorySize: 10241 }, 'ValidationException'],
        ['description of 257 characters', { Description: 'd'.repeat(257) }, 'ValidationException'],
        ['environment key starting with a digit', { Environment: { Variables: { '1BAD': 'x' } } }, 'ValidationException'],
        ['environment key with a dash', { Environment: { Variables: { 'BAD-KEY': 'x' } } }, 'ValidationException'],
        ['bytes that are not a zip', { Code: { ZipFile: Buffer.from('this is not a zip file') } }, 'InvalidParameterValueException', /unzip/],
        ['a truncated zip', { Code: { ZipFile: handlerZip().subarray(0, 40) } }, 'InvalidParameterValueException', /unzip/],
        ['no code at all', { Code: {} }, 'InvalidParameterValueException', /ZipFile/],
        ['S3 code', { Code: { S3Bucket: 'b', S3Key: 'k' } }, 'InvalidParameterValueException'],
        ['an image package', { PackageType: 'Image' }, 'InvalidParameterValueException'],
      ];
      for (const [why, override, name, message] of cases) {
        const input = { ...createInput('valid-name'), ...override };
        await rejectsWith(lambda.send(new CreateFunctionCommand(input as never)), name, 400, message, why);
      }
      await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'valid-name' })), 'ResourceNotFoundException', 404);
      // And the same base input is accepted, so each refusal above was down to its one change.
      const ok = await lambda.send(new CreateFunctionCommand(createInput('valid-name')));
      assert.equal(ok.$metadata.httpStatusCode, 201);
    });
  });

  describe('GetFunction and GetFunctionConfiguration', () => {
    before(async () => {
      const { lambda } = h();
      await createFn(lambda, 'get-fn', { Tags: { owner: 'me' } });
      await publish(lambda, 'get-fn', 'one', 'v one'); // 1
      await publish(lambda, 'get-fn', 'two', 'v two'); // 2
      await setCode(lambda, 'get-fn', 'three'); // $LATEST differs from both
      await lambda.send(new CreateAliasCommand({ FunctionName: 'get-fn', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
    });

    it('reads $LATEST unqualified: unqualified ARN, code location serving the exact zip, and tags', async () => {
      const { lambda } = h();
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'get-fn' }));
      assert.equal(got.$metadata.httpStatusCode, 200);
      const cfg = got.Configuration!;
      assert.equal(cfg.Version, '$LATEST');
      assert.equal(cfg.FunctionArn, `${ARN_PREFIX}get-fn`);
      assert.equal(cfg.CodeSha256, codeSha(handlerZip({ tag: 'three' })));
      assert.deepEqual(got.Tags, { owner: 'me' });
      assert.equal(got.Code?.RepositoryType, 'S3');
      const res = await fetch(got.Code!.Location!);
      assert.equal(res.status, 200);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(bytes.length, cfg.CodeSize);
      assert.equal(createHash('sha256').update(bytes).digest('base64'), cfg.CodeSha256);
    });

    it('reads a version by Qualifier, by name:version, by full ARN and by partial ARN', async () => {
      const { lambda } = h();
      const v1sha = codeSha(handlerZip({ tag: 'one' }));
      const forms: Array<[string, string | undefined]> = [
        ['get-fn', '1'],
        ['get-fn:1', undefined],
        ['get-fn:1', '1'],
        [`${ARN_PREFIX}get-fn`, '1'],
        [`${ARN_PREFIX}get-fn:1`, undefined],
        ['123456789012:function:get-fn:1', undefined],
      ];
      for (const [name, qualifier] of forms) {
        const cfg = await config(lambda, name, qualifier);
        assert.equal(cfg.FunctionName, 'get-fn', name);
        assert.equal(cfg.Version, '1', name);
        assert.equal(cfg.FunctionArn, `${ARN_PREFIX}get-fn:1`, name);
        assert.equal(cfg.CodeSha256, v1sha, name);
        assert.equal(cfg.Description, 'v one', name);
      }
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'get-fn', Qualifier: '2' }));
      assert.equal(got.Configuration?.Version, '2');
      assert.equal(got.Configuration?.CodeSha256, codeSha(handlerZip({ tag: 'two' })));
      assert.equal(got.Tags, undefined, 'tags are only returned for the unqualified function');
      const bytes = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('base64'), got.Configuration?.CodeSha256);
    });

    it('reads through an alias: the alias ARN and the version it points to', async () => {
      const { lambda } = h();
      for (const [name, qualifier] of [['get-fn', 'live'], ['get-fn:live', undefined], [`${ARN_PREFIX}get-fn:live`, undefined]] as const) {
        const cfg = await config(lambda, name, qualifier);
        assert.equal(cfg.Version, '1', name);
        assert.equal(cfg.FunctionArn, `${ARN_PREFIX}get-fn:live`, name);
        assert.equal(cfg.CodeSha256, codeSha(handlerZip({ tag: 'one' })), name);
      }
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'get-fn', Qualifier: 'live' }));
      assert.equal(got.Configuration?.Version, '1');
    });

    it('reads $LATEST explicitly with a qualified ARN', async () => {
      const { lambda } = h();
      for (const [name, qualifier] of [['get-fn', '$LATEST'], ['get-fn:$LATEST', undefined]] as const) {
        const cfg = await config(lambda, name, qualifier);
        assert.equal(cfg.Version, '$LATEST');
        assert.equal(cfg.FunctionArn, `${ARN_PREFIX}get-fn:$LATEST`);
        assert.equal(cfg.CodeSha256, codeSha(handlerZip({ tag: 'three' })));
      }
    });

    it('refuses unknown functions, versions and aliases (404) and malformed qualifiers (400)', async () => {
      const { lambda } = h();
      await rejectsWith(config(lambda, 'no-such-fn'), 'ResourceNotFoundException', 404, /Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-fn/);
      await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-fn' })), 'ResourceNotFoundException', 404);
      await rejectsWith(config(lambda, 'get-fn', '9'), 'ResourceNotFoundException', 404, /get-fn:9/);
      await rejectsWith(config(lambda, 'get-fn:9'), 'ResourceNotFoundException', 404);
      await rejectsWith(config(lambda, 'get-fn', 'nope'), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: 'get-fn', Qualifier: 'nope' })), 'ResourceNotFoundException', 404);
      await rejectsWith(config(lambda, 'get-fn', 'bad!qualifier'), 'ValidationException', 400);
      await rejectsWith(config(lambda, 'get-fn:1', '2'), 'InvalidParameterValueException', 400, /does not match/);
      await rejectsWith(config(lambda, 'x'.repeat(65)), 'ValidationException', 400);
    });
  });

  describe('DeleteFunction', () => {
    it('deletes a whole function with its versions and aliases; a second delete is 404', async () => {
      const { lambda } = h();
      await createFn(lambda, 'del-whole');
      await publish(lambda, 'del-whole', 'a');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'del-whole', Name: 'prod', FunctionVersion: '1' }));
      const out = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-whole' }));
      assert.equal(out.$metadata.httpStatusCode, 204);
      await rejectsWith(config(lambda, 'del-whole'), 'ResourceNotFoundException', 404);
      await rejectsWith(config(lambda, 'del-whole', '1'), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new GetAliasCommand({ FunctionName: 'del-whole', Name: 'prod' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'del-whole' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-whole' })), 'ResourceNotFoundException', 404);
      // The name is free again, and a new function starts at version 1.
      await createFn(lambda, 'del-whole');
      assert.equal(await publish(lambda, 'del-whole', 'fresh'), '1');
    });

    it('deletes one version by Qualifier and by name:version, never reusing its number', async () => {
      const { lambda } = h();
      await createFn(lambda, 'del-ver');
      for (const tag of ['a', 'b', 'c']) await publish(lambda, 'del-ver', tag);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-ver', Qualifier: '3' }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-ver:1' }));
      assert.deepEqual(await versionsOf(lambda, 'del-ver'), ['$LATEST', '2']);
      await rejectsWith(config(lambda, 'del-ver', '3'), 'ResourceNotFoundException', 404);
      // $LATEST is untouched.
      assert.equal((await config(lambda, 'del-ver')).CodeSha256, codeSha(handlerZip({ tag: 'c' })));
      assert.equal(await publish(lambda, 'del-ver', 'd'), '4');
    });

    it('refuses to delete a version an alias uses (409), $LATEST alone, an alias, or an unknown version', async () => {
      const { lambda } = h();
      await createFn(lambda, 'del-guard');
      for (const tag of ['a', 'b', 'c']) await publish(lambda, 'del-guard', tag);
      await lambda.send(new CreateAliasCommand({ FunctionName: 'del-guard', Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
      await lambda.send(new CreateAliasCommand({ FunctionName: 'del-guard', Name: 'beta', FunctionVersion: '1' }));
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: '1' })), 'ResourceConflictException', 409, /beta, prod|prod, beta/);
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: '2' })), 'ResourceConflictException', 409, /prod/);
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: '$LATEST' })), 'InvalidParameterValueException', 400, /\$LATEST/);
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: 'prod' })), 'InvalidParameterValueException', 400, /DeleteAlias/);
      await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: '42' })), 'ResourceNotFoundException', 404);
      assert.deepEqual(await versionsOf(lambda, 'del-guard'), ['$LATEST', '1', '2', '3']);
      // Once the routing no longer names version 2 it can go.
      await lambda.send(new UpdateAliasCommand({ FunctionName: 'del-guard', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: {} } }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: '2' }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'del-guard', Qualifier: '3' }));
      assert.deepEqual(await versionsOf(lambda, 'del-guard'), ['$LATEST', '1']);
    });
  });

  describe('UpdateFunctionCode', () => {
    it('replaces the code of $LATEST: new CodeSha256, CodeSize and RevisionId, configuration unchanged', async () => {
      const { lambda } = h();
      await createFn(lambda, 'code-upd', { MemorySize: 256, Environment: { Variables: { KEEP: 'me' } } });
      const before = await config(lambda, 'code-upd');
      const zip = zipFiles({ 'index.js': 'exports.handler = async () => "new";', 'lib/extra.js': 'module.exports = 1;' });
      const out = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-upd', ZipFile: zip, RevisionId: before.RevisionId }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.CodeSha256, codeSha(zip));
      assert.equal(out.CodeSize, zip.length);
      assert.notEqual(out.RevisionId, before.RevisionId);
      assert.equal(out.Version, '$LATEST');
      assert.equal(out.MemorySize, 256);
      assert.deepEqual(out.Environment?.Variables, { KEEP: 'me' });
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'code-upd' });
      const after = await config(lambda, 'code-upd');
      assert.equal(after.CodeSha256, codeSha(zip));
      assert.equal(after.RevisionId, out.RevisionId);
      assert.equal(after.LastUpdateStatus, 'Successful');
    });

    it('refuses a stale RevisionId with PreconditionFailedException (412) and keeps the code', async () => {
      const { lambda } = h();
      await createFn(lambda, 'code-stale');
      const first = await config(lambda, 'code-stale');
      await setCode(lambda, 'code-stale', 'second');
      const current = await config(lambda, 'code-stale');
      await rejectsWith(
        lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-stale', ZipFile: handlerZip({ tag: 'third' }), RevisionId: first.RevisionId })),
        'PreconditionFailedException',
        412,
        /Revision Id/,
      );
      const after = await config(lambda, 'code-stale');
      assert.equal(after.CodeSha256, current.CodeSha256);
      assert.equal(after.RevisionId, current.RevisionId);
    });

    it('Publish: true publishes the new code as the next version', async () => {
      const { lambda } = h();
      await createFn(lambda, 'code-pub');
      const out = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-pub', ZipFile: handlerZip({ tag: 'p' }), Publish: true }));
      assert.equal(out.Version, '1');
      assert.equal(out.CodeSha256, codeSha(handlerZip({ tag: 'p' })));
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'code-pub', Qualifier: '1' });
      assert.deepEqual(await versionsOf(lambda, 'code-pub'), ['$LATEST', '1']);
    });

    it('DryRun validates without changing anything', async () => {
      const { lambda } = h();
      await createFn(lambda, 'code-dry');
      const before = await config(lambda, 'code-dry');
      const out = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-dry', ZipFile: handlerZip({ tag: 'dry' }), DryRun: true }));
      assert.equal(out.CodeSha256, before.CodeSha256);
      const after = await config(lambda, 'code-dry');
      assert.equal(after.CodeSha256, before.CodeSha256);
      assert.equal(after.RevisionId, before.RevisionId);
      assert.equal(after.LastUpdateStatus, 'Successful');
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-dry', ZipFile: Buffer.from('nope'), DryRun: true })), 'InvalidParameterValueException', 400);
    });

    it('refuses a bad zip, a qualified name and an unknown function', async () => {
      const { lambda } = h();
      await createFn(lambda, 'code-bad');
      const before = await config(lambda, 'code-bad');
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-bad', ZipFile: Buffer.from('PK\u0003\u0004 garbage') })), 'InvalidParameterValueException', 400, /unzip/);
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-bad' })), 'InvalidParameterValueException', 400);
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-bad:1', ZipFile: handlerZip() })), 'InvalidParameterValueException', 400);
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-missing', ZipFile: handlerZip() })), 'ResourceNotFoundException', 404);
      assert.equal((await config(lambda, 'code-bad')).RevisionId, before.RevisionId);
    });
  });

  describe('UpdateFunctionConfiguration', () => {
    it('changes only the given settings and the RevisionId', async () => {
      const { lambda } = h();
      await createFn(lambda, 'cfg-upd', { Environment: { Variables: { A1: 'x' } }, Description: 'before' });
      const before = await config(lambda, 'cfg-upd');
      const out = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'cfg-upd', MemorySize: 1024, Timeout: 30, RevisionId: before.RevisionId }));
      assert.equal(out.MemorySize, 1024);
      assert.equal(out.Timeout, 30);
      assert.equal(out.Description, 'before');
      assert.deepEqual(out.Environment?.Variables, { A1: 'x' });
      assert.equal(out.CodeSha256, before.CodeSha256);
      assert.notEqual(out.RevisionId, before.RevisionId);
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'cfg-upd' });
      await setConfig(lambda, 'cfg-upd', { Handler: 'main.run', Runtime: 'nodejs22.x', Role: OTHER_ROLE, Description: 'after', Environment: { Variables: { B2: 'y' } } });
      const after = await config(lambda, 'cfg-upd');
      assert.equal(after.Handler, 'main.run');
      assert.equal(after.Runtime, 'nodejs22.x');
      assert.equal(after.Role, OTHER_ROLE);
      assert.equal(after.Description, 'after');
      assert.deepEqual(after.Environment?.Variables, { B2: 'y' });
      assert.equal(after.MemorySize, 1024);
      await setConfig(lambda, 'cfg-upd', { Environment: { Variables: {} } });
      assert.equal((await config(lambda, 'cfg-upd')).Environment, undefined);
    });

    it('refuses a stale RevisionId (412), invalid values (400) and unknown or qualified functions', async () => {
      const { lambda } = h();
      await createFn(lambda, 'cfg-bad');
      const first = await config(lambda, 'cfg-bad');
      await setConfig(lambda, 'cfg-bad', { Description: 'changed' });
      await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'cfg-bad', MemorySize: 256, RevisionId: first.RevisionId })), 'PreconditionFailedException', 412);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ MemorySize: 64 }, 'ValidationException'],
        [{ Timeout: 0 }, 'ValidationException'],
        [{ Timeout: 901 }, 'InvalidParameterValueException'],
        [{ Runtime: 'python2.7' }, 'InvalidParameterValueException'],
        [{ Runtime: 'cobol' }, 'ValidationException'],
        [{ Handler: 'nodot' }, 'InvalidParameterValueException'],
        [{ Role: 'arn:aws:iam::123456789012:group/x' }, 'ValidationException'],
        [{ Environment: { Variables: { 'has space': 'x' } } }, 'ValidationException'],
      ];
      for (const [change, name] of cases) {
        await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'cfg-bad', ...change } as never)), name, 400, undefined, JSON.stringify(change));
      }
      const after = await config(lambda, 'cfg-bad');
      assert.equal(after.MemorySize, 128);
      assert.equal(after.Timeout, 3);
      assert.equal(after.Description, 'changed');
      await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'cfg-bad:1', MemorySize: 256 })), 'InvalidParameterValueException', 400);
      await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'cfg-missing', MemorySize: 256 })), 'ResourceNotFoundException', 404);
    });
  });

  describe('PublishVersion and ListVersionsByFunction', () => {
    it('numbers versions 1, 2, 3 and keeps each version immutable after $LATEST changes', async () => {
      const { lambda } = h();
      await createFn(lambda, 'pub-imm');
      const sha1 = await setCode(lambda, 'pub-imm', 'one');
      const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'pub-imm', Description: 'first' }));
      assert.equal(v1.$metadata.httpStatusCode, 201);
      assert.equal(v1.Version, '1');
      assert.equal(v1.FunctionArn, `${ARN_PREFIX}pub-imm:1`);
      assert.equal(v1.CodeSha256, sha1);
      assert.equal(v1.Description, 'first');
      assert.equal(v1.State, 'Pending');
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'pub-imm', Qualifier: '1' });
      const v1cfg = await config(lambda, 'pub-imm', '1');
      // Change everything about $LATEST, then publish twice more.
      await setConfig(lambda, 'pub-imm', { MemorySize: 2048, Timeout: 60, Environment: { Variables: { NEW_VAR: '1' } }, Description: 'latest desc' });
      assert.equal(await publish(lambda, 'pub-imm', 'two'), '2');
      assert.equal(await publish(lambda, 'pub-imm', 'three'), '3');
      const v1again = await config(lambda, 'pub-imm', '1');
      assert.deepEqual(
        { sha: v1again.CodeSha256, size: v1again.CodeSize, mem: v1again.MemorySize, t: v1again.Timeout, env: v1again.Environment, d: v1again.Description, rev: v1again.RevisionId },
        { sha: v1cfg.CodeSha256, size: v1cfg.CodeSize, mem: 128, t: 3, env: undefined, d: 'first', rev: v1cfg.RevisionId },
      );
      const v2 = await config(lambda, 'pub-imm', '2');
      assert.equal(v2.CodeSha256, codeSha(handlerZip({ tag: 'two' })));
      assert.equal(v2.MemorySize, 2048);
      // Published without a Description, a version keeps the function's (PublishVersion's Description only overrides it).
      assert.equal(v2.Description, 'latest desc', 'a version published without a Description keeps $LATEST\'s');
      assert.equal((await config(lambda, 'pub-imm', '3')).CodeSha256, codeSha(handlerZip({ tag: 'three' })));
      assert.equal((await config(lambda, 'pub-imm')).Description, 'latest desc');
      // A version's code is served as it was published.
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'pub-imm', Qualifier: '1' }));
      const bytes = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('base64'), sha1);
    });

    it('returns the last version when nothing changed, and a new one when code or configuration changed', async () => {
      const { lambda } = h();
      await createFn(lambda, 'pub-same');
      const v1 = await publish(lambda, 'pub-same', 'x');
      const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'pub-same', Description: 'nothing new' }));
      assert.equal(again.Version, v1);
      assert.equal(again.FunctionArn, `${ARN_PREFIX}pub-same:1`);
      assert.deepEqual(await versionsOf(lambda, 'pub-same'), ['$LATEST', '1']);
      await setConfig(lambda, 'pub-same', { Environment: { Variables: { FLAG: 'on' } } });
      const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'pub-same' }));
      assert.equal(v2.Version, '2');
      assert.deepEqual(v2.Environment?.Variables, { FLAG: 'on' });
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'pub-same', Qualifier: '2' });
      // Same code uploaded again: still nothing to publish.
      await setCode(lambda, 'pub-same', 'x');
      assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: 'pub-same' }))).Version, '2');
      assert.equal(await publish(lambda, 'pub-same', 'y'), '3');
    });

    it('guards with CodeSha256 (400 on mismatch) and RevisionId (412 when stale)', async () => {
      const { lambda } = h();
      await createFn(lambda, 'pub-guard');
      const sha = await setCode(lambda, 'pub-guard', 'guarded');
      const cfg = await config(lambda, 'pub-guard');
      const otherSha = codeSha(handlerZip({ tag: 'something else' }));
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'pub-guard', CodeSha256: otherSha })), 'InvalidParameterValueException', 400, /CodeSHA256/);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'pub-guard', RevisionId: '00000000-0000-0000-0000-000000000000' })), 'PreconditionFailedException', 412);
      assert.deepEqual(await versionsOf(lambda, 'pub-guard'), ['$LATEST'], 'refused publishes create nothing');
      const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'pub-guard', CodeSha256: sha, RevisionId: cfg.RevisionId }));
      assert.equal(v1.Version, '1');
      assert.equal(v1.CodeSha256, sha);
      // Publishing changed $LATEST's RevisionId, so the old one is stale now.
      const latest = await config(lambda, 'pub-guard');
      assert.notEqual(latest.RevisionId, cfg.RevisionId);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'pub-guard', RevisionId: cfg.RevisionId })), 'PreconditionFailedException', 412);
      // A version has a RevisionId of its own.
      assert.match(v1.RevisionId ?? '', UUID);
      assert.notEqual(v1.RevisionId, latest.RevisionId);
    });

    it('refuses to publish an unknown or qualified function and an over-long description', async () => {
      const { lambda } = h();
      await createFn(lambda, 'pub-bad');
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'pub-missing' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'pub-bad:1' })), 'InvalidParameterValueException', 400);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'pub-bad', Description: 'd'.repeat(257) })), 'ValidationException', 400);
      assert.deepEqual(await versionsOf(lambda, 'pub-bad'), ['$LATEST']);
    });

    it('lists versions $LATEST first with qualified ARNs, paged by MaxItems and Marker', async () => {
      const { lambda } = h();
      await createFn(lambda, 'list-ver');
      for (const tag of ['a', 'b', 'c', 'd', 'e']) await publish(lambda, 'list-ver', tag);
      const pages: string[][] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'list-ver', MaxItems: 2, Marker: marker }));
        pages.push(page.Versions!.map((v) => v.Version!));
        for (const v of page.Versions!) assert.equal(v.FunctionArn, `${ARN_PREFIX}list-ver:${v.Version}`);
        marker = page.NextMarker;
      } while (marker);
      assert.deepEqual(pages, [['$LATEST', '1'], ['2', '3'], ['4', '5']]);
      const all = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'list-ver' }));
      assert.equal(all.NextMarker, undefined);
      assert.deepEqual(all.Versions?.map((v) => v.CodeSha256), [
        codeSha(handlerZip({ tag: 'e' })),
        ...['a', 'b', 'c', 'd', 'e'].map((tag) => codeSha(handlerZip({ tag }))),
      ]);
      await rejectsWith(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'list-ver', Marker: 'not-a-marker' })), 'InvalidParameterValueException', 400, /Marker/);
      await rejectsWith(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'list-ver', MaxItems: 0 })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'list-missing' })), 'ResourceNotFoundException', 404);
    });
  });

  it('answers ResourceNotFoundException (404) from every operation on an unknown function', async () => {
    const { lambda } = h();
    const F = 'never-created';
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['GetFunction', () => lambda.send(new GetFunctionCommand({ FunctionName: F }))],
      ['GetFunctionConfiguration', () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: F }))],
      ['DeleteFunction', () => lambda.send(new DeleteFunctionCommand({ FunctionName: F }))],
      ['UpdateFunctionCode', () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: F, ZipFile: handlerZip() }))],
      ['UpdateFunctionConfiguration', () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: F, Timeout: 5 }))],
      ['PublishVersion', () => lambda.send(new PublishVersionCommand({ FunctionName: F }))],
      ['ListVersionsByFunction', () => lambda.send(new ListVersionsByFunctionCommand({ FunctionName: F }))],
      ['CreateAlias', () => lambda.send(new CreateAliasCommand({ FunctionName: F, Name: 'prod', FunctionVersion: '1' }))],
      ['GetAlias', () => lambda.send(new GetAliasCommand({ FunctionName: F, Name: 'prod' }))],
      ['ListAliases', () => lambda.send(new ListAliasesCommand({ FunctionName: F }))],
      ['UpdateAlias', () => lambda.send(new UpdateAliasCommand({ FunctionName: F, Name: 'prod', FunctionVersion: '1' }))],
      ['DeleteAlias', () => lambda.send(new DeleteAliasCommand({ FunctionName: F, Name: 'prod' }))],
    ];
    for (const [op, call] of calls) await rejectsWith(call(), 'ResourceNotFoundException', 404, /Function not found/, op);
  });

  describe('listing (paging over many functions)', () => {
    // A sandbox of its own, so the listing holds exactly the functions created here.
    const p = useSandbox({ updateDelayMs: 0 });
    const names = Array.from({ length: 125 }, (_, i) => `pg-${String((i * 37) % 125).padStart(3, '0')}`);
    const sorted = [...names].sort();

    before(async () => {
      const { lambda } = p();
      await inBatches(names, 25, (n) => lambda.send(new CreateFunctionCommand(createInput(n))));
    });

    async function listAll(lambda: LambdaClient, maxItems?: number, version?: 'ALL'): Promise<{ entries: FunctionConfiguration[]; pages: number[] }> {
      const entries: FunctionConfiguration[] = [];
      const pages: number[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: maxItems, FunctionVersion: version }));
        entries.push(...page.Functions!);
        pages.push(page.Functions!.length);
        marker = page.NextMarker;
      } while (marker);
      return { entries, pages };
    }

    it('returns at most 50 per page, every function exactly once, sorted by name', async () => {
      const { lambda } = p();
      const { entries, pages } = await listAll(lambda);
      assert.deepEqual(pages, [50, 50, 25]);
      assert.deepEqual(entries.map((f) => f.FunctionName), sorted);
      const big = await listAll(lambda, 1000);
      assert.deepEqual(big.pages, [50, 50, 25], 'MaxItems above 50 is capped at 50');
      const small = await listAll(lambda, 7);
      assert.equal(small.pages.length, Math.ceil(125 / 7));
      assert.ok(small.pages.slice(0, -1).every((n) => n === 7));
      assert.deepEqual(small.entries.map((f) => f.FunctionName), sorted);
      assert.ok(entries.every((f) => f.Version === '$LATEST' && f.FunctionArn === `${ARN_PREFIX}${f.FunctionName}`));
    });

    it("the Functions view's listing: the sorted list so far after each page", async () => {
      const { lambda } = p();
      const sizes: number[] = [];
      let last: FunctionConfiguration[] = [];
      for await (const soFar of listFunctionsSoFar(lambda)) {
        sizes.push(soFar.length);
        assert.deepEqual(soFar.map((f) => f.FunctionName), [...soFar.map((f) => f.FunctionName!)].sort(), 'sorted after every page');
        last = soFar;
      }
      assert.deepEqual(sizes, [50, 100, 125]);
      assert.deepEqual(last.map((f) => f.FunctionName), sorted);
    });

    /** The extension's own client (retries configured) on this sandbox; `record` sees each request leave and each response read. */
    function listingClient(record?: (event: 'sent' | 'read') => void): LambdaClient {
      const { sandbox } = p();
      const { lambda } = createClients({ kind: 'sandbox', endpoint: sandbox.endpoint, region: sandbox.region, embedded: false });
      if (record) {
        lambda.middlewareStack.add(
          (next) => async (args) => {
            const out = await next(args);
            record('read');
            return out;
          },
          { step: 'initialize', priority: 'high', name: 'recordRead' },
        );
        lambda.middlewareStack.add(
          (next) => (args) => {
            record('sent');
            return next(args);
          },
          { step: 'finalizeRequest', priority: 'low', name: 'recordSent' },
        );
      }
      return lambda;
    }

    /** Waits (up to 5 s) until `ok()` holds. */
    async function until(ok: () => boolean, what: string): Promise<void> {
      for (const start = Date.now(); !ok(); await sleep(2)) if (Date.now() - start > 5000) throw new Error(`timed out waiting for ${what}`);
    }

    it('asks for the next page while the caller handles a page, and for no page after the last', async () => {
      const { sandbox } = p();
      const events: string[] = [];
      const lambda = listingClient((e) => events.push(e));
      const sent = () => events.filter((e) => e === 'sent').length;
      sandbox.setLatency(30);
      try {
        const pages: number[] = [];
        for await (const page of listFunctionPages(lambda)) {
          pages.push(page.length);
          // The caller has not asked for more, yet the next page's request leaves.
          if (page.length === 50) await until(() => sent() === pages.length + 1, `the request for page ${pages.length + 1}`);
        }
        assert.deepEqual(pages, [50, 50, 25]);
        await sleep(50);
        assert.deepEqual(events, ['sent', 'read', 'sent', 'read', 'sent', 'read'], 'one request a page');
      } finally {
        sandbox.setLatency(0);
        lambda.destroy();
      }
    });

    for (const kind of ['error', 'throttle', 'drop', 'truncate'] as const) {
      it(`a page that fails once (${kind}) is retried by the SDK and the listing is whole`, async () => {
        const { sandbox } = p();
        const lambda = listingClient();
        try {
          sandbox.faults.add({ operation: 'ListFunctions', nth: 2, kind });
          const listed = await listAllFunctions(lambda);
          assert.equal(sandbox.faults.pending, 0, 'the fault was hit');
          assert.deepEqual(listed.map((f) => f.FunctionName).sort(), sorted);
        } finally {
          sandbox.faults.clear();
          lambda.destroy();
        }
      });
    }

    for (const [kind, error] of [
      ['error', /ServiceException.*ListFunctions failed/],
      ['truncate', /ECONNRESET|aborted/i],
    ] as const) {
      it(`a page that keeps failing (${kind}) ends the listing with its error, after the pages before it`, async () => {
        const { sandbox } = p();
        const lambda = listingClient();
        try {
          sandbox.faults.add({ operation: 'ListFunctions', nth: 3, times: 3, kind });
          const pages: number[] = [];
          await assert.rejects(
            (async () => {
              for await (const page of listFunctionPages(lambda)) pages.push(page.length);
            })(),
            (e: Error & { code?: string }) => error.test(`${e.name} ${e.code ?? ''} ${e.message}`),
          );
          assert.deepEqual(pages, [50, 50]);
          assert.equal(sandbox.faults.pending, 0, 'every attempt was made');
        } finally {
          sandbox.faults.clear();
          lambda.destroy();
        }
      });
    }

    it('stops when aborted, with the next page already on its way', async () => {
      const { sandbox } = p();
      const events: string[] = [];
      const lambda = listingClient((e) => events.push(e));
      const abort = new AbortController();
      sandbox.setLatency(30);
      try {
        const pages: number[] = [];
        await assert.rejects(
          (async () => {
            for await (const page of listFunctionPages(lambda, abort.signal)) {
              pages.push(page.length);
              await until(() => events.length === 3, 'the request for page 2');
              abort.abort();
            }
          })(),
          (e: Error) => e.name === 'AbortError',
        );
        assert.deepEqual(pages, [50]);
        assert.deepEqual(events, ['sent', 'read', 'sent'], 'page 2 was requested, then abandoned');
      } finally {
        sandbox.setLatency(0);
        lambda.destroy();
      }
    });

    it('a caller that stops after a page cancels the request for the next one', async () => {
      const { sandbox } = p();
      const events: string[] = [];
      const lambda = listingClient((e) => events.push(e));
      sandbox.setLatency(30);
      try {
        for await (const page of listFunctionPages(lambda)) {
          assert.equal(page.length, 50);
          await until(() => events.length === 3, 'the request for page 2');
          break;
        }
        await sleep(100);
        assert.deepEqual(events, ['sent', 'read', 'sent'], 'page 2 was requested but never read');
        // The client goes on working (on a new connection).
        assert.equal((await listAllFunctions(lambda)).length, 125);
      } finally {
        sandbox.setLatency(0);
        lambda.destroy();
      }
    });

    it('keeps paging consistent when functions are created or deleted between pages', async () => {
      const { lambda } = p();
      const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 10 }));
      assert.deepEqual(first.Functions!.map((f) => f.FunctionName), sorted.slice(0, 10));
      // Delete one already seen, the one the marker names, and one not yet seen; add one before
      // the marker and one after.
      await lambda.send(new DeleteFunctionCommand({ FunctionName: sorted[3] }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: sorted[9] }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: sorted[20] }));
      await lambda.send(new CreateFunctionCommand(createInput('pg-000a')));
      await lambda.send(new CreateFunctionCommand(createInput('pg-050a')));
      try {
        const rest: string[] = [];
        let marker = first.NextMarker;
        while (marker) {
          const page = await lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 10 }));
          rest.push(...page.Functions!.map((f) => f.FunctionName!));
          marker = page.NextMarker;
        }
        const expected = [...sorted.slice(10).filter((n) => n !== sorted[20]), 'pg-050a'].sort();
        assert.deepEqual(rest, expected);
      } finally {
        await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pg-000a' }));
        await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pg-050a' }));
        await lambda.send(new CreateFunctionCommand(createInput(sorted[3])));
        await lambda.send(new CreateFunctionCommand(createInput(sorted[9])));
        await lambda.send(new CreateFunctionCommand(createInput(sorted[20])));
      }
    });

    it('FunctionVersion=ALL lists published versions after each $LATEST, paging through them', async () => {
      const { lambda } = p();
      // With updateDelayMs 0 nothing is ever Pending or InProgress, so no waits are needed.
      for (const tag of ['a', 'b', 'c']) {
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'pg-001', ZipFile: handlerZip({ tag }), Publish: true }));
      }
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'pg-002', ZipFile: handlerZip({ tag: 'a' }), Publish: true }));
      for (const max of [undefined, 1, 3, 50]) {
        const { entries } = await listAll(lambda, max, 'ALL');
        assert.equal(entries.length, 125 + 4, `MaxItems ${max}`);
        const keys = entries.map((f) => `${f.FunctionName}:${f.Version}`);
        assert.equal(new Set(keys).size, keys.length, `MaxItems ${max}: no duplicates`);
        const i = keys.indexOf('pg-001:$LATEST');
        assert.deepEqual(keys.slice(i, i + 6), ['pg-001:$LATEST', 'pg-001:1', 'pg-001:2', 'pg-001:3', 'pg-002:$LATEST', 'pg-002:1'], `MaxItems ${max}`);
        assert.ok(entries.every((f) => f.FunctionArn === `${ARN_PREFIX}${f.FunctionName}:${f.Version}`));
      }
      // Without ALL, versions stay out of the listing.
      const { entries } = await listAll(lambda);
      assert.equal(entries.length, 125);
    });

    it('FunctionVersion=ALL goes on after the version or function its marker names was deleted', async () => {
      const { lambda } = p();
      // pg-001 has versions 1-3 and pg-002 version 1 (the test above published them).
      const keys = (page: { Functions?: FunctionConfiguration[] }) => page.Functions!.map((f) => `${f.FunctionName}:${f.Version}`);
      const first = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 4 }));
      assert.deepEqual(keys(first), ['pg-000:$LATEST', 'pg-001:$LATEST', 'pg-001:1', 'pg-001:2']);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pg-001', Qualifier: '2' }));
      const second = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 2, Marker: first.NextMarker }));
      assert.deepEqual(keys(second), ['pg-001:3', 'pg-002:$LATEST'], 'after a deleted version: the next version');
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pg-002' }));
      try {
        const third = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 2, Marker: second.NextMarker }));
        assert.deepEqual(keys(third), ['pg-003:$LATEST', 'pg-004:$LATEST'], 'after a deleted function: the next function, none of its versions');
      } finally {
        await lambda.send(new CreateFunctionCommand(createInput('pg-002')));
      }
    });

    it('refuses an invalid Marker, MaxItems or FunctionVersion', async () => {
      const { lambda } = p();
      await rejectsWith(lambda.send(new ListFunctionsCommand({ Marker: 'garbage' })), 'InvalidParameterValueException', 400, /Marker/);
      await rejectsWith(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new ListFunctionsCommand({ MaxItems: 10_001 })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new ListFunctionsCommand({ FunctionVersion: 'SOME' as 'ALL' })), 'ValidationException', 400, /ALL/);
    });

    it('pages ListVersionsByFunction 50 at a time over 60 versions', async () => {
      const { lambda } = p();
      for (let i = 0; i < 60; i++) {
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'pg-100', ZipFile: handlerZip({ i }), Publish: true }));
      }
      const sizes: number[] = [];
      const all: string[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'pg-100', Marker: marker, MaxItems: 500 }));
        sizes.push(page.Versions!.length);
        all.push(...page.Versions!.map((v) => v.Version!));
        marker = page.NextMarker;
      } while (marker);
      assert.deepEqual(sizes, [50, 11]);
      assert.deepEqual(all, ['$LATEST', ...Array.from({ length: 60 }, (_, i) => String(i + 1))]);
    });

    it('keeps ListVersionsByFunction paging consistent when versions are deleted or published between pages', async () => {
      const { lambda } = p();
      for (let i = 0; i < 6; i++) {
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'pg-101', ZipFile: handlerZip({ i }), Publish: true }));
      }
      const first = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'pg-101', MaxItems: 3 }));
      assert.deepEqual(first.Versions?.map((v) => v.Version), ['$LATEST', '1', '2']);
      // One already seen and one not yet seen go away; a new one is published.
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pg-101', Qualifier: '1' }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pg-101', Qualifier: '4' }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'pg-101', ZipFile: handlerZip({ i: 'new' }), Publish: true }));
      const rest: string[] = [];
      let marker = first.NextMarker;
      while (marker) {
        const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'pg-101', MaxItems: 3, Marker: marker }));
        rest.push(...page.Versions!.map((v) => v.Version!));
        marker = page.NextMarker;
      }
      assert.deepEqual(rest, ['3', '5', '6', '7']);
    });
  });

  describe('State and LastUpdateStatus (300 ms transitions)', () => {
    const DELAY = 300;
    const s = useSandbox({ updateDelayMs: DELAY });

    it('a new function is Pending for a while: writes get 409, reads work, the waiter sees it become Active', async () => {
      const { lambda } = s();
      const made = await lambda.send(new CreateFunctionCommand(createInput('slow-new')));
      const t0 = Date.now();
      assert.equal(made.State, 'Pending');
      assert.equal((await config(lambda, 'slow-new')).State, 'Pending');
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'slow-new', ZipFile: handlerZip({ v: 2 }) })), 'ResourceConflictException', 409);
      await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'slow-new', Timeout: 9 })), 'ResourceConflictException', 409);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'slow-new' })), 'ResourceConflictException', 409);
      const waited = await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: 'slow-new' });
      assert.equal(waited.state, 'SUCCESS');
      assert.ok(Date.now() - t0 >= DELAY - 60, `the waiter returned after ${Date.now() - t0} ms, before the function could be Active`);
      const cfg = await config(lambda, 'slow-new');
      assert.equal(cfg.State, 'Active');
      assert.equal(cfg.Timeout, 3, 'the refused update changed nothing');
      assert.equal(cfg.CodeSha256, made.CodeSha256);
    });

    it('UpdateFunctionCode: InProgress, concurrent writes refused with 409, waitUntilFunctionUpdatedV2 then Successful', async () => {
      const { lambda } = s();
      await createFn(lambda, 'slow-upd');
      const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'slow-upd', ZipFile: handlerZip({ v: 2 }) }));
      const t0 = Date.now();
      assert.equal(upd.LastUpdateStatus, 'InProgress');
      assert.equal(upd.LastUpdateStatusReasonCode, 'Updating');
      assert.equal(upd.State, 'Active');
      const during = await lambda.send(new GetFunctionCommand({ FunctionName: 'slow-upd' }));
      assert.equal(during.Configuration?.LastUpdateStatus, 'InProgress');
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'slow-upd', ZipFile: handlerZip({ v: 3 }) })), 'ResourceConflictException', 409, /update is in progress/);
      await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'slow-upd', MemorySize: 256 })), 'ResourceConflictException', 409);
      await rejectsWith(lambda.send(new PublishVersionCommand({ FunctionName: 'slow-upd' })), 'ResourceConflictException', 409);
      const waited = await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'slow-upd' });
      assert.equal(waited.state, 'SUCCESS');
      assert.ok(Date.now() - t0 >= DELAY - 60, `the waiter returned after ${Date.now() - t0} ms, before the update could finish`);
      const after = await config(lambda, 'slow-upd');
      assert.equal(after.LastUpdateStatus, 'Successful');
      assert.equal(after.LastUpdateStatusReasonCode, undefined);
      assert.equal(after.CodeSha256, upd.CodeSha256, 'the refused code update did not land');
      assert.equal(after.MemorySize, 128);
      // Now writes are accepted again.
      const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'slow-upd' }));
      assert.equal(v.Version, '1');
      assert.equal(v.State, 'Pending');
      assert.equal(v.LastUpdateStatus, 'Successful');
      const t1 = Date.now();
      const active = await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: 'slow-upd', Qualifier: '1' });
      assert.equal(active.state, 'SUCCESS');
      assert.ok(Date.now() - t1 >= DELAY - 60);
      assert.equal((await config(lambda, 'slow-upd', '1')).State, 'Active');
    });

    it('UpdateFunctionConfiguration is InProgress too, and the waiter waits for it', async () => {
      const { lambda } = s();
      await createFn(lambda, 'slow-cfg');
      const upd = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'slow-cfg', MemorySize: 512 }));
      assert.equal(upd.LastUpdateStatus, 'InProgress');
      await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'slow-cfg', ZipFile: handlerZip({ v: 2 }) })), 'ResourceConflictException', 409);
      await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: 'slow-cfg' });
      const after = await config(lambda, 'slow-cfg');
      assert.equal(after.LastUpdateStatus, 'Successful');
      assert.equal(after.MemorySize, 512);
    });
  });
});
