/** Image functions for the suites that need one: ECR URIs of the sandbox's region, and what the sandbox resolves them to. */
import { createHash } from 'node:crypto';
import type { CreateFunctionCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateFunctionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ROLE } from './helpers';
import { fast } from './lambda-testkit';

export const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout';
export const DIGEST_A = 'a'.repeat(64);
export const DIGEST_B = 'b'.repeat(64);
export const DIGEST_C = 'c'.repeat(64);

export function imageInput(name: string, imageUri: string, extra: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput {
  return { FunctionName: name, PackageType: 'Image', Role: ROLE, Code: { ImageUri: imageUri }, ...extra };
}

/** CreateFunction of an image function, then waits until it is Active. */
export async function createImageFn(lambda: LambdaClient, name: string, imageUri: string, extra: Partial<CreateFunctionCommandInput> = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand(imageInput(name, imageUri, extra)));
  await waitUntilFunctionActiveV2({ client: lambda, ...fast }, { FunctionName: name });
}

/** What the sandbox resolves a tag to: the SHA-256 of the URI's text (it cannot pull). */
export function tagDigest(uri: string): string {
  return createHash('sha256').update(uri, 'utf8').digest('hex');
}

