import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBuild } from './build';
import { OperationError } from './errors';
import { step } from './guardedWrite';
import { gitDescription } from './git';
import type { AliasRef, OperationContext, PublishCanaryResult } from './operations';
import { defaultDescription, publishCanary, zipDeployOfImageFunction } from './operations';
import { packageArchive, packageFolder, packageInline } from './packaging';
import type { SamBuildChoice, SamSituation } from './samBuild';
import { codeToPackage } from './samBuild';
import type { WorkspaceFunction } from './workspace';
import { readTestEvent } from './workspace';

/**
 * What Publish Canary would run of a workspace: its build command, and the new version invoked
 * with its test event. An untrusted workspace gets neither (see untrustedWorkspaceRefusal).
 */
export function codeThatWouldRun(fn: WorkspaceFunction, smokeTest: boolean): string[] {
  const rel = (p: string) => path.relative(fn.workspaceRoot, p).split(path.sep).join('/') || '.';
  const out: string[] = [];
  if (fn.build) out.push(`its build command (${fn.build.join(' ')})`);
  // A sample event found (not configured) is simply not used in an untrusted workspace.
  if (smokeTest && fn.testEventFile && !fn.testEventSuggested) out.push(`a smoke test of the new version with its event ${rel(fn.testEventFile)}`);
  return out;
}

/** The refusal of an untrusted workspace whose Publish Canary would run something of it, or undefined. */
export function untrustedWorkspaceRefusal(fn: WorkspaceFunction, smokeTest: boolean): OperationError | undefined {
  const would = codeThatWouldRun(fn, smokeTest);
  if (would.length === 0) return undefined;
  return new OperationError(
    `This workspace is not trusted, so Lambda Canary runs nothing of it: Publish Canary would run ${would.join(' and ')}. ` +
      'Trust the workspace (Manage Workspace Trust) to publish from it.', { step: 'Workspace trust', state: 'Nothing was built, uploaded or invoked.', kind: 'validation' },
  );
}

export interface PublishWorkspaceInput extends AliasRef {
  fn: WorkspaceFunction;
  weightPercent: number;
  /** Publish and smoke-test only: no traffic is routed (a release's members). */
  publishOnly?: boolean;
  /** With publishOnly: the version will take all of the alias's traffic at once, so its execution role need not match the serving version's. */
  fullSwitch?: boolean;
  /** vscode.workspace.isTrusted, or true where there is no such notion (a terminal, CI). */
  trusted: boolean;
  /** Smoke-test the new version with the workspace's test event (the lambdaCanary.smokeTest setting). */
  smokeTest: boolean;
  /** A SAM function that needs `sam build`: what to package when no fresh build output is there (default 'use-built'). */
  samBuild?: SamBuildChoice;
  /** What the front end read of the SAM function when it chose (samSituation): not read again when read with the deployed handler and runtime. */
  samSituation?: SamSituation;
  /** Hears the package before it is uploaded: a release keeps it for a later promotion (releases/artifacts.ts). */
  onPackaged?: (pkg: { zip: Uint8Array; codeSha256: string }) => Promise<void>;
}

/**
 * Publish Canary from the workspace: build (trusted workspaces only), package the code folder
 * (nothing from outside the workspace), publish, smoke-test with the workspace's event (trusted
 * only), route the weight. An untrusted workspace whose publish would run any of its code is
 * refused before anything happens.
 */
export async function publishWorkspaceCanary(op: OperationContext, input: PublishWorkspaceInput): Promise<PublishCanaryResult> {
  const { fn } = input;
  if (!input.trusted) {
    const refusal = untrustedWorkspaceRefusal(fn, input.smokeTest);
    if (refusal) throw refusal;
  }
  // Read first: a broken event file stops the deploy before the build runs.
  const smokeEvent = input.trusted && input.smokeTest ? readTestEvent(fn) : undefined;
  // What Lambda will start is the deployed function's handler (a deploy publishes code, not
  // configuration): read before the build, so a missing function or permission stops it early.
  const deployed = await step(op, `GetFunctionConfiguration ${input.functionName}`, 'Nothing was built, uploaded or changed.', () =>
    op.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: input.functionName }), { abortSignal: op.signal }),
  );
  // An image function is deployed by image URI (deployImage): nothing is built or packaged for it.
  if (deployed.PackageType === 'Image') throw zipDeployOfImageFunction(input.functionName);
  if (fn.packageType === 'Image') {
    throw new OperationError(
      `The workspace declares ${input.functionName} as an image function (PackageType Image), but it is deployed as a zip function (PackageType Zip): Lambda does not change a function's package type. Fix the workspace's PackageType, or create an image function and deploy it by image URI.`,
      { step: 'Package type check', state: 'Nothing was built, uploaded or changed.', kind: 'validation' },
    );
  }
  if (fn.handler && deployed.Handler && fn.handler !== deployed.Handler) {
    throw new OperationError(
      `The workspace's handler is ${fn.handler}, but ${input.functionName} is configured to start ${deployed.Handler}: a version of this code would not start. ` +
        `Change the function's handler first (sam deploy, or aws lambda update-function-configuration --function-name ${input.functionName} --handler ${fn.handler}), or make the workspace's handler ${deployed.Handler}.`,
      { step: 'Handler check', state: 'Nothing was built, uploaded or changed.', kind: 'validation' },
    );
  }
  if (fn.build) {
    op.progress?.('Building…');
    await runBuild(fn.build, fn.codeDir, op.log, op.signal);
  }
  const handler = deployed.Handler ?? fn.handler;
  const runtime = deployed.Runtime ?? fn.runtime;
  // A CodeUri that is a file is a built archive (a jar, a zip): uploaded as it is.
  const inline = fn.inlineCode !== undefined;
  const archive = !inline && fs.statSync(fn.codeDir).isFile();
  // A SAM function that needs `sam build` is packaged from its build output (see samBuild.ts).
  const code = inline || archive ? undefined : await codeToPackage(op, fn, { choice: input.samBuild, trusted: input.trusted, handler, runtime, ...(input.samSituation ? { situation: input.samSituation } : {}) });
  op.progress?.('Packaging…');
  const pkg = inline
    ? packageInline(fn.inlineCode!, { handler, runtime })
    : !code
    ? await packageArchive(fn.codeDir, { handler, runtime })
    : await packageFolder(code.dir, { ignore: fn.ignore, handler, runtime, signal: op.signal, within: fn.workspaceRoot });
  const missing = code?.warnings ?? [];
  for (const note of [...pkg.notes, ...missing]) {
    op.log.warn(note);
    op.record?.warnings.push(note);
  }
  op.log.info(
    archive
      ? `The archive ${path.basename(fn.codeDir)} (${pkg.files} files, ${(pkg.zip.length / 1024).toFixed(0)} KB) is uploaded as it is, CodeSha256 ${pkg.sha256}.`
      : `Packaged ${pkg.files} files (${(pkg.unzippedBytes / 1024).toFixed(0)} KB → ${(pkg.zip.length / 1024).toFixed(0)} KB zipped), CodeSha256 ${pkg.sha256}.`,
  );
  // git reads the repository's own config, which can name programs to run (core.fsmonitor,
  // hooks): not in an untrusted workspace.
  const description = (input.trusted ? await gitDescription(archive ? path.dirname(fn.codeDir) : fn.codeDir) : undefined) ?? defaultDescription();
  await input.onPackaged?.({ zip: pkg.zip, codeSha256: pkg.sha256 });
  return publishCanary(op, {
    functionName: input.functionName,
    aliasName: input.aliasName,
    expectedRevisionId: input.expectedRevisionId,
    weightPercent: input.weightPercent,
    ...(input.publishOnly ? { publishOnly: true } : {}),
    ...(input.fullSwitch ? { fullSwitch: true } : {}),
    zip: pkg.zip,
    codeSha256: pkg.sha256,
    description,
    smokeEvent,
  });
}

/**
 * What becomes of a SAM project's sample event that nobody configured (testEventSuggested):
 * `drop` it (smoke tests off, or an untrusted workspace), `ask` the user (no answer remembered),
 * or `use`/`drop` as the user answered before.
 */
export function sampleEventDecision(fn: WorkspaceFunction, smoke: boolean, remembered: boolean | undefined): 'none' | 'drop' | 'ask' | 'use' {
  if (!fn.testEventSuggested || !fn.testEventFile) return 'none';
  if (!smoke) return 'drop';
  if (remembered === undefined) return 'ask';
  return remembered ? 'use' : 'drop';
}

/** The function with its sample event used (no longer a suggestion) or dropped. */
export function withSampleEvent(fn: WorkspaceFunction, use: boolean): WorkspaceFunction {
  return use ? { ...fn, testEventSuggested: undefined } : { ...fn, testEventFile: undefined, testEventSuggested: undefined };
}
