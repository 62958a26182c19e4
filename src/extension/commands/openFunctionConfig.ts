import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { CONFIG_FILE, createConfigFile } from '../../core/workspace';
import type { CommandContext } from '../context';
import { FunctionNode } from '../tree';
import { iconText } from '../../shared/text';
import { orDismiss, pickFunctionName } from './common';

/** Open Function Config: opens lambda-canary.json, or creates it for a picked function. */
export async function openFunctionConfig(ctx: CommandContext, node?: unknown): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new OperationError(vscode.l10n.t('Open a folder first: lambda-canary.json lives at the workspace root.'), { kind: 'validation' });
  // A multi-root workspace: each folder has its own lambda-canary.json.
  const folder =
    folders.length === 1
      ? folders[0]
      : orDismiss(
          await ctx.ui.pick<vscode.WorkspaceFolder>(
            'workspaceFolder',
            folders.map((f) => ({
              label: iconText(f.name),
              description: fs.existsSync(path.join(f.uri.fsPath, CONFIG_FILE)) ? vscode.l10n.t('open its {0}', CONFIG_FILE) : vscode.l10n.t('create {0}', CONFIG_FILE),
              value: f,
            })),
            { title: vscode.l10n.t('Open {0} of which folder?', CONFIG_FILE) },
          ),
        ).value;
  const file = path.join(folder.uri.fsPath, CONFIG_FILE);
  if (!fs.existsSync(file)) {
    const clients = await ctx.connection.current();
    const name = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, vscode.l10n.t('Create lambda-canary.json for which function?'));
    await createConfigFile(clients.lambda, folder.uri.fsPath, name);
    ctx.log.info(`Created ${file} for ${name}.`);
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}
