import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { OperationError } from '../../core/errors';
import { checkImageUri, IMAGE_URI_EXAMPLE } from '../../core/imageUri';
import { currentImageUri } from '../../core/lambdaApi';
import { deployImage } from '../../core/usecases';
import type { WorkspaceFunction } from '../../core/workspace';
import { readTestEvent } from '../../core/workspace';
import { plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { orDismiss, pickAlias, pickFunctionName, pickWeight } from './common';
import { deployOtherQuestion, untrustedPublishQuestion } from './publishText';
import { relativePath } from './workspaceFunction';

/**
 * Publish Canary… of an image function (PackageType Image): the user gives the URI of an image
 * they pushed to ECR (prefilled with the one $LATEST runs), checked as it is typed; then the
 * deployImage use case through the same alias claim as a zip's publish. Nothing of the workspace
 * is built or packaged; its test event is the smoke test only in a trusted workspace.
 */
export async function publishImage(ctx: CommandContext, ws: WorkspaceFunction, node: unknown, clients: Clients): Promise<void> {
  const nodeFunction = node instanceof AliasNode ? node.functionName : node instanceof FunctionNode ? node.name : undefined;
  const trusted = vscode.workspace.isTrusted;
  const smokeTest = readSettings().smokeTest;
  const functionName = nodeFunction ?? ws.functionName ?? (await pickFunctionName(ctx, clients, plainText(`Deploy an image of ${ws.logicalId ?? 'the workspace function'} to which function?`)));
  if (nodeFunction && ws.functionName && ws.functionName !== nodeFunction) {
    const q = deployOtherQuestion(ws, nodeFunction, relativePath);
    if (!(await ctx.ui.confirm('deployOther', q.message, q.detail, 'Deploy'))) return;
  }
  const aliasName =
    node instanceof AliasNode ? node.aliasName : node instanceof FunctionNode || !ws.alias ? (await pickAlias(ctx, clients, functionName, 'Publish Canary: which alias?')).Name! : ws.alias;
  const expectedRevisionId = node instanceof AliasNode ? node.alias.RevisionId : undefined;
  // Read before any question: a broken test event stops here, not after the user typed a URI.
  const smokeEvent = trusted && smokeTest ? readTestEvent(ws) : undefined;
  let imageUri = '';
  let weightPercent = 0;
  const result = await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'publish',
    ask: async () => {
      if (!trusted && !nodeFunction) {
        const q = untrustedPublishQuestion(ws, functionName, aliasName, relativePath);
        if (!(await ctx.ui.confirm('untrustedPublish', q.message, q.detail, 'Publish'))) return false;
      }
      imageUri = await askImageUri(ctx, clients, functionName);
      weightPercent = await pickWeight(ctx, `Publish Canary to ${functionName}:${aliasName}: canary weight`);
      return true;
    },
    title: `Publishing a canary of ${functionName}:${aliasName}`,
    run: (uc) => deployImage(uc, { functionName, aliasName, expectedRevisionId, imageUri, weightPercent, smokeEvent }),
  });
  if (result.status === 'ran' && result.outcome.state === 'done' && readSettings().panel.openAfterPublish) ctx.panels.open(functionName, aliasName);
}

/** The image to deploy: an input box prefilled with the image $LATEST runs now, checked as typed. */
async function askImageUri(ctx: CommandContext, clients: Clients, functionName: string): Promise<string> {
  let current: string | undefined;
  try {
    current = await currentImageUri(clients.lambda, functionName);
  } catch (e) {
    // The deploy reads the function again and says what is wrong; the box just starts empty.
    ctx.log.warn(`GetFunction ${functionName} failed (${e instanceof Error ? e.message : String(e)}): the image URI is not prefilled.`);
  }
  const typed = orDismiss(
    await ctx.ui.input('imageUri', {
      title: plainText(`Publish Canary of ${functionName}: the image to deploy`),
      prompt: 'The URI of the image you pushed to Amazon ECR (a tag or @sha256: digest); Lambda Canary builds no image.',
      placeHolder: IMAGE_URI_EXAMPLE,
      value: current,
      validateInput: (v) => {
        const r = checkImageUri(v);
        return r.ok ? undefined : r.message;
      },
    }),
  );
  const checked = checkImageUri(typed);
  if (!checked.ok) throw new OperationError(checked.message, { state: 'Nothing was changed.', kind: 'validation' });
  return checked.value.uri;
}
