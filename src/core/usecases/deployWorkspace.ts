import type { PublishCanaryInput, PublishImageInput } from '../operations';
import { publishCanary, publishImageCanary } from '../operations';
import type { PublishWorkspaceInput } from '../publishWorkspace';
import { publishWorkspaceCanary } from '../publishWorkspace';
import type { Outcome } from '../outcome';
import type { UseCaseContext } from './context';
import { checkCodeDeployGuard, runUseCase } from './context';

export type DeployWorkspaceInput = PublishWorkspaceInput;
export type DeployPackageInput = PublishCanaryInput;
export interface DeployImageInput extends PublishImageInput {
  /**
   * Reads the smoke test's event (the workspace's test event), instead of `smokeEvent`: called
   * first, so that a broken event file is this deploy's outcome (a validation error), before
   * anything is read from or written to Lambda.
   */
  readSmokeEvent?: () => unknown;
}

/** What an image deploy's outcome says besides the common fields: the image it was given. */
export interface DeployImageDetail {
  imageUri: string;
}

/**
 * Publish Canary from the workspace: build → package → compare with the deployed CodeSha256 →
 * upload → publish → check the published CodeSha256 is the package's → smoke test → route the
 * weight to the new version. See publishWorkspaceCanary and publishCanary for each guard.
 */
export function deployWorkspace(ctx: UseCaseContext, input: DeployWorkspaceInput): Promise<Outcome> {
  return runUseCase(ctx, 'deploy', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await publishWorkspaceCanary(op, input);
    return undefined;
  });
}

/** The same deploy of a package already built and zipped (a CI artifact, a release's function). */
export function deployPackage(ctx: UseCaseContext, input: DeployPackageInput): Promise<Outcome> {
  return runUseCase(ctx, 'deploy', input, async (op) => {
    await checkCodeDeployGuard(ctx, op, input);
    await publishCanary(op, input);
    return undefined;
  });
}

/**
 * The deploy of an image function (PackageType Image) by the URI of an image the user pushed to
 * ECR: nothing is built here. The same guards as a zip's: the alias can take a canary, an image
 * $LATEST already runs is not sent again, UpdateFunctionCode { ImageUri } with the RevisionId
 * just read, then the shared publish → verify CodeSha256 (the image digest) → smoke → route.
 */
export function deployImage(ctx: UseCaseContext, input: DeployImageInput): Promise<Outcome<DeployImageDetail>> {
  return runUseCase(ctx, 'deploy', input, async (op) => {
    const { readSmokeEvent, ...image } = input;
    const smokeEvent = readSmokeEvent ? readSmokeEvent() : input.smokeEvent;
    await checkCodeDeployGuard(ctx, op, input);
    await publishImageCanary(op, { ...image, smokeEvent });
    return { imageUri: input.imageUri.trim() };
  });
}
