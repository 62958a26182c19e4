import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import * as vscode from 'vscode';
import { runBuild } from '../../core/build';
import { gitDescription } from '../../core/git';
import { publishCanary as publishCanaryOp } from '../../core/operations';
import { packageFolder } from '../../core/packaging';
import { aliasLabel } from '../../core/routing';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { connectionKey, pickAlias, pickFunctionName, pickWeight, refreshFunction, withProgress } from './common';
import { readTestEvent, resolveWorkspaceFunction } from './workspaceFunction';

/**
 * Publish Canary…: package the workspace function, publish it as a new version and route the
 * chosen weight of an alias to it. From an alias node, a function node or the palette.
 */
export async function publishCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  const clients = await ctx.connection.current();
  const nodeFunction = node instanceof AliasNode ? node.functionName : node instanceof FunctionNode ? node.name : undefined;
  const ws = await resolveWorkspaceFunction(ctx, nodeFunction);
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
  const expectedRevisionId = node instanceof AliasNode ? node.alias.RevisionId : undefined;
  const weight = await pickWeight(ctx, `Publish Canary to ${functionName}:${aliasName}: canary weight`);
  const smokeEvent = readSettings().smokeTest ? readTestEvent(ws) : undefined;

  const result = await withProgress(ctx, `Publishing a canary of ${functionName}:${aliasName}`, clients, async (op) => {
    if (ws.build) {
      op.progress?.('Building…');
      await runBuild(ws.build, ws.codeDir, ctx.log, op.signal);
    }
    op.progress?.('Packaging…');
    let handler = ws.handler;
    if (!handler) {
      const cfg = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }), { abortSignal: op.signal });
      handler = cfg.Handler;
    }
    const pkg = await packageFolder(ws.codeDir, { ignore: ws.ignore, handler, signal: op.signal });
    ctx.log.info(`Packaged ${pkg.files} files (${(pkg.unzippedBytes / 1024).toFixed(0)} KB → ${(pkg.zip.length / 1024).toFixed(0)} KB zipped), CodeSha256 ${pkg.sha256}.`);
    const description = (await gitDescription(ws.codeDir)) ?? `Lambda Canary ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    return publishCanaryOp(op, {
      functionName: functionName!,
      aliasName,
      expectedRevisionId,
      weightPercent: weight,
      zip: pkg.zip,
      codeSha256: pkg.sha256,
      description,
      smokeEvent,
    });
  });
  await ctx.switchMemory.touch(connectionKey(clients), functionName, aliasName);
  refreshFunction(ctx, functionName);
  if (readSettings().panel.openAfterPublish) ctx.panels.open(functionName, aliasName);
  void ctx.ui.info(`Canary running: ${functionName}:${aliasLabel(result.alias)}${result.uploadSkipped ? ' (code unchanged: no upload)' : ''}.`);
}
