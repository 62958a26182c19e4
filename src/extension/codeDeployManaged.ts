import * as path from 'node:path';
import type { CodeDeployManagement } from '../core/codedeploy/types';
import type { WorkspaceFunction } from '../core/workspace';

/**
 * Whether a function of the account is the workspace function `f`: by its name, or — a SAM
 * function whose name CloudFormation makes up (`stack-LogicalId-RANDOM`) — by its logical id.
 */
export function isWorkspaceFunction(f: Pick<WorkspaceFunction, 'functionName' | 'logicalId'>, functionName: string): boolean {
  if (f.functionName) return f.functionName === functionName;
  return !!f.logicalId && new RegExp(`(^|-)${f.logicalId.replace(/[^\w]/g, '')}-[A-Za-z0-9]+$`).test(functionName);
}

/**
 * The template's claim on an alias: a workspace SAM function with AutoPublishAlias (its alias) and
 * a DeploymentPreference. `functions`: the workspace's functions (discovered when not given).
 */
export function templateManagement(functionName: string, aliasName: string, functions: WorkspaceFunction[], root?: string): CodeDeployManagement | undefined {
  const f = functions.find((x) => x.source === 'template.yaml' && x.deploymentPreference && x.alias === aliasName && isWorkspaceFunction(x, functionName));
  if (!f?.deploymentPreference) return undefined;
  const file = path.relative(root ?? f.workspaceRoot, f.file).split(path.sep).join('/') || path.basename(f.file);
  return { by: 'template', file, logicalId: f.logicalId ?? functionName, preference: f.deploymentPreference.type };
}
