import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
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
  const description = [f.logicalId && f.functionName ? f.logicalId : undefined, folder !== undefined ? l10n.t('in {0}', folder) : undefined].filter(Boolean).join(' · ');
  const where =
    f.inlineCode !== undefined
      ? l10n.t('inline code in {0}', relativePath(f.file))
      : f.packageType === 'Image'
        ? l10n.t('image built from {0}', relativePath(f.codeDir))
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
    message: notificationText(l10n.t('Deploy the workspace code to {0}?', chosen)),
    detail: notificationText(
      l10n.t(
        'The workspace declares {0} ({1}), but you chose {2}. Its code folder {3} would be published as a new version of {2}.',
        ws.functionName ?? ws.logicalId ?? l10n.t('another function'),
        relativePath(ws.file),
        chosen,
        relativePath(ws.codeDir),
      ),
    ),
  };
}

/** Function and alias named by an untrusted workspace's file, not by the user. */
export function untrustedPublishQuestion(ws: WorkspaceFunction, functionName: string, aliasName: string, relativePath: RelativePath): Question {
  return {
    message: notificationText(l10n.t("Publish this untrusted workspace's code to {0}?", `${functionName}:${aliasName}`)),
    detail: notificationText(
      l10n.t(
        'The workspace is not trusted. {0} names {1}; the code folder {2} would become a new version of {3}, and {4} would route traffic to it. Nothing of the workspace is run.',
        relativePath(ws.file),
        ws.functionName ?? ws.logicalId ?? l10n.t('the function'),
        relativePath(ws.codeDir),
        functionName,
        aliasName,
      ),
    ),
  };
}
