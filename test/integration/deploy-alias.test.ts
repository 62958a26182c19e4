/**
 * What a new alias may point to (Create alias…, the CLI's hint), read through the real SDK v3
 * client from the sandbox: Active published versions only, those other aliases serve first.
 */
import assert from 'node:assert/strict';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { newAliasVersions } from '../../src/core/deployAlias';
import { handlerZip, useSandbox } from './helpers';
import { createInput } from './lambda-testkit';

describe('a new alias: which versions it may point to', function () {
  this.timeout(20_000);
  // Nothing becomes Active by itself: settle() makes it so, step by step.
  const h = useSandbox({ updateDelayMs: 600_000 });

  async function publishSettled(fn: string, tag: string): Promise<string> {
    const { lambda, sandbox } = h();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: handlerZip({ tag }) }));
    sandbox.settle();
    const v = await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    return v.Version!;
  }

  it('offers Active versions only, those aliases serve first (saying which, with the share), then the others newest first', async () => {
    const { lambda, sandbox } = h();
    const fn = 'new-alias-versions';
    await lambda.send(new CreateFunctionCommand(createInput(fn)));
    sandbox.settle();
    for (const tag of ['one', 'two', 'three', 'four']) await publishSettled(fn, tag);
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } }));
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'staging', FunctionVersion: '3' }));
    // Version 5: published, still Pending.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: handlerZip({ tag: 'five' }) }));
    sandbox.settle();
    const five = await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: five.Version }))).State, 'Pending');

    const got = await newAliasVersions(lambda, fn);
    assert.deepEqual(
      got.choices.map((c) => [c.version, c.servedBy]),
      [
        ['3', ['prod (canary 10%)', 'staging']],
        ['1', ['prod (90%)']],
        ['4', []],
        ['2', []],
      ],
      'never the Pending version 5, and not the newest first for being newest',
    );
    assert.deepEqual([got.published, got.notOffered], [5, 1]);
  });

  it('a function with no published version has nothing to offer', async () => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand(createInput('new-alias-none')));
    sandbox.settle();
    assert.deepEqual(await newAliasVersions(lambda, 'new-alias-none'), {
      choices: [],
      notOffered: 0,
      published: 0,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:new-alias-none:$LATEST',
    });
  });
});
