import type { PublishCanaryInput } from '../operations';
import { publishCanary } from '../operations';
import type { PublishWorkspaceInput } from '../publishWorkspace';
import { publishWorkspaceCanary } from '../publishWorkspace';
import type { Outcome } from '../outcome';
import type { UseCaseContext } from './context';
import { runUseCase } from './context';

export type DeployWorkspaceInput = PublishWorkspaceInput;
export type DeployPackageInput = PublishCanaryInput;

/**
 * Publish Canary from the workspace: build → package → compare with the deployed CodeSha256 →
 * upload → publish → check the published CodeSha256 is the package's → smoke test → route the
 * weight to the new version. See publishWorkspaceCanary and publishCanary for each guard.
 */
export function deployWorkspace(ctx: UseCaseContext, input: DeployWorkspaceInput): Promise<Outcome> {
  return runUseCase(ctx, 'deploy', input, async (op) => {
    await publishWorkspaceCanary(op, input);
    return undefined;
  });
}

/** The same deploy of a package already built and zipped (a CI artifact, a release's function). */
export function deployPackage(ctx: UseCaseContext, input: DeployPackageInput): Promise<Outcome> {
  return runUseCase(ctx, 'deploy', input, async (op) => {
    await publishCanary(op, input);
    return undefined;
  });
}
