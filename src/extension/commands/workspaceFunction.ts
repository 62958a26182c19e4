import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import type { WorkspaceFunction } from '../../core/workspace';
import { describeSkipped, discoverFolders, discoverFunctions, readTestEvent as readWorkspaceTestEvent } from '../../core/workspace';
import { Commands } from '../../shared/ids';
import type { CommandContext } from '../context';
import { Dismissed, orDismiss } from './common';
import { workspaceFunctionItem } from './publishText';

/** A path as shown to the user: relative to its workspace folder. */
export const relativePath = (file: string): string => vscode.workspace.asRelativePath(file);

/**
 * The function the workspace holds: from lambda-canary.json, else a SAM template; several →
 * a picker; none → an offer to create lambda-canary.json.
 */
export async function resolveWorkspaceFunction(ctx: CommandContext, preferName?: string): Promise<WorkspaceFunction> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    throw new OperationError(vscode.l10n.t('Open the folder that holds your function first (File → Open Folder).'), { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' });
  }
  // Each folder on its own: a broken one does not hide the functions of the others.
  const d = discoverFolders(folders.map((f) => f.uri.fsPath));
  const folderOf = (file: string) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  if (d.broken.length && d.functions.length === 0) {
    const e = d.broken[0];
    const open = await ctx.ui.error(e.message, vscode.l10n.t('Open File'));
    if (open === 'Open File') {
      const doc = await vscode.workspace.openTextDocument(e.file);
      const pos = new vscode.Position(Math.max(0, (e.line ?? 1) - 1), Math.max(0, (e.column ?? 1) - 1));
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
    }
    throw new Dismissed();
  }
  for (const e of d.broken) ctx.log.warn(`Not read: ${relativePath(e.file)}: ${e.message.replace(/^[^:]+: /, '')}`);
  const found = d.functions;
  const skipped = d.skipped.map((s) => describeSkipped(s, folderOf(s.file)?.uri.fsPath));
  // What a template declares but cannot be offered is said, not dropped silently.
  for (const s of skipped) ctx.log.warn(`Not offered: ${s}`);
  if (found.length === 0) {
    const choice = await ctx.ui.info(
      skipped.length
        ? vscode.l10n.t('No function of this workspace can be published from it: {0} Fix the template, or add a lambda-canary.json naming the function and its code folder.', skipped.join(' '))
        : vscode.l10n.t('No function found in this workspace: add a lambda-canary.json (or a SAM template.yaml) naming the function and its code folder.'),
      vscode.l10n.t('Create lambda-canary.json'),
    );
    if (choice === 'Create lambda-canary.json') await vscode.commands.executeCommand(Commands.openFunctionConfig);
    throw new Dismissed();
  }
  if (preferName) {
    const match = found.find((f) => f.functionName === preferName);
    if (match) return match;
  }
  if (found.length === 1) return found[0];
  const picked = await ctx.ui.pick<WorkspaceFunction>(
    'workspaceFunction',
    // In a multi-root workspace each function says which folder it is in.
    found.map((f) => ({ ...workspaceFunctionItem(f, relativePath, folders.length > 1 ? (folderOf(f.workspaceRoot)?.name ?? f.workspaceRoot) : undefined), value: f })),
    { title: vscode.l10n.t('Which function of the workspace?') },
  );
  return orDismiss(picked).value;
}

/**
 * The workspace's test event for a Probe, if any; a broken file is an error naming it. None in an
 * untrusted workspace: its events are not sent to the user's functions (a Probe sends `{}`).
 */
export function readTestEvent(fn: WorkspaceFunction): unknown {
  if (!vscode.workspace.isTrusted) return undefined;
  return readWorkspaceTestEvent(fn);
}

/** What a Probe of `functionName` sends: the workspace's test event when the workspace holds the function, else `{}`. */
export function probePayload(functionName: string): unknown {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    try {
      const fn = discoverFunctions(folder.uri.fsPath).find((f) => f.functionName === functionName);
      // A sample event the project has but nobody chose is not sent.
      if (fn) return fn.testEventSuggested ? {} : (readTestEvent(fn) ?? {});
    } catch {
      // A broken workspace file is reported by Publish Canary; a probe just sends {}.
    }
  }
  return {};
}

/** The built-in command that opens the Workspace Trust editor. */
export const MANAGE_WORKSPACE_TRUST = 'workbench.trust.manage';

/** Shows why an untrusted workspace cannot do something, with the way to trust it. */
export async function explainUntrusted(ctx: CommandContext, message: string): Promise<void> {
  const manage = vscode.l10n.t('Manage Workspace Trust');
  if ((await ctx.ui.warn(message, manage)) === manage) await vscode.commands.executeCommand(MANAGE_WORKSPACE_TRUST);
}
