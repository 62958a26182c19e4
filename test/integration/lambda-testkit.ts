/**
 * Small helpers shared by the control-plane suites (lambda-api, lambda-aliases, sandbox-http,
 * state). Everything goes through the real SDK v3 client over HTTP.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CreateFunctionCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { handlerZip, ROLE } from './helpers';

export type AwsErr = Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string };

/** Waiter timing for the sandbox: fractional seconds are fine (the poller multiplies by 1000). */
export const fast = { maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 };

/** Asserts an SDK call fails with AWS's exception name and HTTP status (and optionally a message). */
export async function rejectsWith(p: Promise<unknown>, name: string, status: number, message?: RegExp, why = ''): Promise<void> {
  await assert.rejects(p, (e: AwsErr) => {
    assert.equal(e.name, name, `${why} ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status, `${why} status of ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message, why);
    return true;
  }, why || undefined);
}

/** Lambda's CodeSha256: base64 of the SHA-256 of the zip bytes. */
export function codeSha(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

export function createInput(name: string, extra: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput {
  return { FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip({ name }) }, ...extra };
}

/** CreateFunction, then waits until the function is Active. */
export async function createFn(lambda: LambdaClient, name: string, extra: Partial<CreateFunctionCommandInput> = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand(createInput(name, extra)));
  await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: name });
}

/** UpdateFunctionCode with a handler returning `{ tag }`, then waits for LastUpdateStatus Successful. Returns the new CodeSha256. */
export async function setCode(lambda: LambdaClient, name: string, tag: string): Promise<string> {
  const out = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: handlerZip({ tag }) }));
  await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: name });
  return out.CodeSha256!;
}

/** UpdateFunctionConfiguration, then waits for LastUpdateStatus Successful. */
export async function setConfig(lambda: LambdaClient, name: string, changes: Record<string, unknown>): Promise<void> {
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...changes }));
  await waitUntilFunctionUpdatedV2({ client: lambda, ...fast }, { FunctionName: name });
}

/** Changes $LATEST's code to `tag` and publishes it, waiting for the version to be Active. */
export async function publish(lambda: LambdaClient, name: string, tag: string, description?: string): Promise<string> {
  await setCode(lambda, name, tag);
  const v = await lambda.send(new PublishVersionCommand({ FunctionName: name, Description: description }));
  await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: name, Qualifier: v.Version });
  return v.Version!;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += limit) {
    await Promise.all(items.slice(i, i + limit).map(fn));
  }
}

export const ARN_PREFIX = 'arn:aws:lambda:us-east-1:123456789012:function:';

/**
 * The functions of a two-stage test on both accounts (version 1 on `staging` in one, on `prod` in
 * the other) and their code folders under `root` (a handler returning `{ name, release: 2 }`): the
 * `functions` entries of its lambda-canary.json.
 */
export async function stagedFunctions(root: string, names: readonly string[], staging: LambdaClient, prod: LambdaClient): Promise<Array<{ functionName: string; codeFolder: string; handler: string }>> {
  const functions = [];
  for (const name of names) {
    for (const [lambda, alias] of [[staging, 'staging'], [prod, 'prod']] as const) {
      await createFn(lambda, name);
      await publish(lambda, name, 'one');
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }));
    }
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, 'index.js'), `exports.handler = async () => ({ name: ${JSON.stringify(name)}, release: 2 });\n`);
    functions.push({ functionName: name, codeFolder: name, handler: 'index.handler' });
  }
  return functions;
}

