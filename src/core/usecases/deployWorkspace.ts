import type { PublishWorkspaceInput } from '../publishWorkspace';
import { publishWorkspaceCanary } from '../publishWorkspace';
import type { Outcome } from '../outcome';
import type { UseCaseContext } from './context';
import { runUseCase } from './context';

export type DeployWorkspaceInput = PublishWorkspaceInput;

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
