import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { CONFIG_FILE, createConfigFile } from '../../core/workspace';
import type { CommandContext } from '../context';
import { FunctionNode } from '../tree';
import { pickFunctionName } from './common';

/** Open Function Config: opens lambda-canary.json, or creates it for a picked function. */
export async function openFunctionConfig(ctx: CommandContext, node?: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new OperationError('Open a folder first: lambda-canary.json lives at the workspace root.', { kind: 'validation' });
  const file = path.join(folder.uri.fsPath, CONFIG_FILE);
  if (!fs.existsSync(file)) {
    const clients = await ctx.connection.current();
    const name = node instanceof FunctionNode ? node.name : await pickFunctionName(ctx, clients, 'Create lambda-canary.json for which function?');
    await createConfigFile(clients.lambda, folder.uri.fsPath, name);
    ctx.log.info(`Created ${file} for ${name}.`);
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}
