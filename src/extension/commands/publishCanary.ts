import * as vscode from 'vscode';
import { publishWorkspaceCanary, untrustedWorkspaceRefusal } from '../../core/publishWorkspace';
import { aliasLabel } from '../../core/routing';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { connectionKey, Dismissed, pickAlias, pickFunctionName, pickWeight, refreshFunction, withProgress } from './common';
import { explainUntrusted, resolveWorkspaceFunction } from './workspaceFunction';

/**
 * Publish Canary…: package the workspace function, publish it as a new version and route the
 * chosen weight of an alias to it. From an alias node, a function node or the palette.
 */
export async function publishCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const nodeFunction = node instanceof AliasNode ? node.functionName : node instanceof FunctionNode ? node.name : undefined;
  const ws = await resolveWorkspaceFunction(ctx, nodeFunction);
  const trusted = vscode.workspace.isTrusted;
  const smokeTest = readSettings().smokeTest;
  if (!trusted) {
    // Refused before any question: an untrusted workspace's build and test event never run.
    const refusal = untrustedWorkspaceRefusal(ws, smokeTest);
    if (refusal) {
      ctx.log.warn(refusal.message);
      await explainUntrusted(ctx, refusal.message);
      throw new Dismissed();
    }
  }
  let functionName = nodeFunction ?? ws.functionName;
  if (!functionName) {
    // A SAM template that computes FunctionName: ask which deployed function it is.
    functionName = await pickFunctionName(ctx, clients, `Deploy ${ws.logicalId ?? 'the workspace function'} to which function?`);
  }
  if (nodeFunction && ws.functionName && ws.functionName !== nodeFunction) {
    const ok = await ctx.ui.confirm(
      'deployOther',
      `Deploy the workspace code to ${nodeFunction}?`,
      `The workspace declares ${ws.functionName} (${vscode.workspace.asRelativePath(ws.file)}), but you chose ${nodeFunction}. Its code folder ${vscode.workspace.asRelativePath(ws.codeDir)} would be published as a new version of ${nodeFunction}.`,
      'Deploy',
    );
    if (!ok) return;
  }
  const aliasName =
    node instanceof AliasNode ? node.aliasName : node instanceof FunctionNode || !ws.alias ? (await pickAlias(ctx, clients, functionName, 'Publish Canary: which alias?')).Name! : ws.alias;
  if (!trusted && !nodeFunction) {
    // Function and alias came from an untrusted file, not from the user: say which, before any upload.
    const ok = await ctx.ui.confirm(
      'untrustedPublish',
      `Publish this untrusted workspace's code to ${functionName}:${aliasName}?`,
      `The workspace is not trusted. ${vscode.workspace.asRelativePath(ws.file)} names ${ws.functionName ?? ws.logicalId ?? 'the function'}; the code folder ${vscode.workspace.asRelativePath(ws.codeDir)} would become a new version of ${functionName}, and ${aliasName} would route traffic to it. Nothing of the workspace is run.`,
      'Publish',
    );
    if (!ok) return;
  }
  const expectedRevisionId = node instanceof AliasNode ? node.alias.RevisionId : undefined;
  const weight = await pickWeight(ctx, `Publish Canary to ${functionName}:${aliasName}: canary weight`);

  const result = await withProgress(ctx, `Publishing a canary of ${functionName}:${aliasName}`, clients, (op) =>
    publishWorkspaceCanary(op, { fn: ws, functionName: functionName!, aliasName, expectedRevisionId, weightPercent: weight, trusted, smokeTest }),
  );
  await ctx.switchMemory.touch(connectionKey(clients), functionName, aliasName);
  refreshFunction(ctx, functionName);
  if (readSettings().panel.openAfterPublish) ctx.panels.open(functionName, aliasName);
  void ctx.ui.info(`Canary running: ${functionName}:${aliasLabel(result.alias)}${result.uploadSkipped ? ' (code unchanged: no upload)' : ''}.`);
}
