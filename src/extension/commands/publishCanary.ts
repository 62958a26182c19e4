import * as vscode from 'vscode';
import { publishWorkspaceCanary, untrustedWorkspaceRefusal } from '../../core/publishWorkspace';
import { aliasLabel } from '../../core/routing';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { notificationText, plainText } from '../../shared/text';
import { connectionKey, Dismissed, exclusively, pickAlias, pickFunctionName, pickWeight, refreshFunction, withProgress } from './common';
import { deployOtherQuestion, untrustedPublishQuestion } from './publishText';
import { explainUntrusted, relativePath, resolveWorkspaceFunction } from './workspaceFunction';

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
    functionName = await pickFunctionName(ctx, clients, plainText(`Deploy ${ws.logicalId ?? 'the workspace function'} to which function?`));
  }
  if (nodeFunction && ws.functionName && ws.functionName !== nodeFunction) {
    const q = deployOtherQuestion(ws, nodeFunction, relativePath);
    if (!(await ctx.ui.confirm('deployOther', q.message, q.detail, 'Deploy'))) return;
  }
  const aliasName =
    node instanceof AliasNode ? node.aliasName : node instanceof FunctionNode || !ws.alias ? (await pickAlias(ctx, clients, functionName, 'Publish Canary: which alias?')).Name! : ws.alias;
  const target = functionName;
  // One action per alias from here: a second Publish Canary, or the panel's Apply, is told the
  // alias is busy instead of uploading and publishing alongside this one.
  await exclusively(ctx, target, aliasName, 'publish', async (signal) => {
    if (!trusted && !nodeFunction) {
      // Function and alias came from an untrusted file, not from the user: say which, before any upload.
      const q = untrustedPublishQuestion(ws, target, aliasName, relativePath);
      if (!(await ctx.ui.confirm('untrustedPublish', q.message, q.detail, 'Publish'))) return;
    }
    const expectedRevisionId = node instanceof AliasNode ? node.alias.RevisionId : undefined;
    const weight = await pickWeight(ctx, `Publish Canary to ${target}:${aliasName}: canary weight`);

    const result = await withProgress(
      ctx,
      `Publishing a canary of ${target}:${aliasName}`,
      clients,
      (op) => publishWorkspaceCanary(op, { fn: ws, functionName: target, aliasName, expectedRevisionId, weightPercent: weight, trusted, smokeTest }),
      signal,
    );
    await ctx.switchMemory.touch(connectionKey(clients), target, aliasName);
    refreshFunction(ctx, target);
    if (readSettings().panel.openAfterPublish) ctx.panels.open(target, aliasName);
    void ctx.ui.info(notificationText(`Canary running: ${target}:${aliasLabel(result.alias)}${result.uploadSkipped ? ' (code unchanged: no upload)' : ''}.`));
  });
}
