import * as path from 'node:path';

/** Whether `p` is `root` or below it (both absolute, compared as written: resolve realpaths first when links matter). */
export function isWithin(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** `to` relative to `from`, with forward slashes (as messages and zip entries name paths); '' when they are the same. */
export function slashedRelative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}

/** A folder as a message names it: relative to the workspace root, or 'the workspace folder' for the root itself. */
export function folderLabel(workspaceRoot: string, dir: string): string {
  return slashedRelative(workspaceRoot, dir) || 'the workspace folder';
}
