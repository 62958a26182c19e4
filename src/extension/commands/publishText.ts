import * as path from 'node:path';
import type { WorkspaceFunction } from '../../core/workspace';
import { iconText, notificationText } from '../../shared/text';

/**
 * What Publish Canary shows of the workspace: a SAM logical ID, file and folder names are the
 * workspace's own text, so each goes through the escape of the surface it lands on (a quick pick
 * renders `$(…)` as an icon; a dialog is one line of plain text per value).
 */

/** `relativePath`: the path as shown to the user (`vscode.workspace.asRelativePath`). */
export type RelativePath = (file: string) => string;

/**
 * The quick-pick item of one function of the workspace: its name, its logical id and workspace
 * folder (`folder`, in a multi-root workspace), and where its code is.
 */
export function workspaceFunctionItem(f: WorkspaceFunction, relativePath: RelativePath, folder?: string): { label: string; description?: string; detail: string } {
  const description = [f.logicalId && f.functionName ? f.logicalId : undefined, folder !== undefined ? `in ${folder}` : undefined].filter(Boolean).join(' · ');
  const where =
    f.inlineCode !== undefined
      ? `inline code in ${relativePath(f.file)}`
      : f.packageType === 'Image'
        ? `image built from ${relativePath(f.codeDir)}`
        : `${relativePath(f.codeDir)}${f.file !== undefined && path.dirname(f.file) !== f.workspaceRoot ? ` (${relativePath(f.file)})` : ''}`;
  return {
    label: iconText(f.functionName ?? f.logicalId ?? '?'),
    description: description ? iconText(description) : undefined,
    detail: iconText(where),
  };
}

export interface Question {
  message: string;
  detail: string;
}

/** The workspace declares one function, the user chose another (from the tree). */
export function deployOtherQuestion(ws: WorkspaceFunction, chosen: string, relativePath: RelativePath): Question {
  return {
    message: notificationText(`Deploy the workspace code to ${chosen}?`),
    detail: notificationText(
      `The workspace declares ${ws.functionName ?? ws.logicalId ?? 'another function'} (${relativePath(ws.file)}), but you chose ${chosen}. Its code folder ${relativePath(ws.codeDir)} would be published as a new version of ${chosen}.`,
    ),
  };
}

/** Function and alias named by an untrusted workspace's file, not by the user. */
export function untrustedPublishQuestion(ws: WorkspaceFunction, functionName: string, aliasName: string, relativePath: RelativePath): Question {
  return {
    message: notificationText(`Publish this untrusted workspace's code to ${functionName}:${aliasName}?`),
    detail: notificationText(
      `The workspace is not trusted. ${relativePath(ws.file)} names ${ws.functionName ?? ws.logicalId ?? 'the function'}; the code folder ${relativePath(ws.codeDir)} would become a new version of ${functionName}, and ${aliasName} would route traffic to it. Nothing of the workspace is run.`,
    ),
  };
}
