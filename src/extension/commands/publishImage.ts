import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import { OperationError } from '../../core/errors';
import { checkImageUri, IMAGE_URI_EXAMPLE } from '../../core/imageUri';
import { getLatestFunction } from '../../core/lambdaApi';
import { deployImage } from '../../core/usecases';
import type { WorkspaceFunction } from '../../core/workspace';
import { readTestEvent } from '../../core/workspace';
import { plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { orDismiss, pickWeight } from './common';
import { publishToAlias } from './publishToAlias';

/**
 * Publish Canary… of an image function (PackageType Image): the user gives the URI of an image
 * they pushed to ECR (prefilled with the one $LATEST runs), checked as it is typed; then the
 * deployImage use case through the same function, alias and claim as a zip's publish. Nothing of
 * the workspace is built or packaged; its test event is the smoke test only in a trusted workspace.
 */
export async function publishImage(ctx: CommandContext, ws: WorkspaceFunction, node: unknown, clients: Clients): Promise<void> {
  // Read before any question: a broken test event stops here, not after the user typed a URI.
  const smokeEvent = vscode.workspace.isTrusted && readSettings().smokeTest ? readTestEvent(ws) : undefined;
  let imageUri = '';
  let weightPercent = 0;
  await publishToAlias(ctx, clients, ws, node, {
    pickTitle: vscode.l10n.t('Deploy an image of {0} to which function?', ws.logicalId ?? 'the workspace function'),
    ask: async (t) => {
      imageUri = await askImageUri(ctx, clients, t.functionName);
      weightPercent = await pickWeight(ctx, vscode.l10n.t('Publish Canary to {0}:{1}: canary weight', t.functionName, t.aliasName));
    },
    run: (uc, t) => deployImage(uc, { ...t, imageUri, weightPercent, smokeEvent }),
  });
}

/**
 * The image to deploy: an input box prefilled with the image $LATEST runs now, checked as typed
 * against the connection's region (Lambda pulls images from the function's own region only).
 */
async function askImageUri(ctx: CommandContext, clients: Clients, functionName: string): Promise<string> {
  let current: string | undefined;
  try {
    current = (await getLatestFunction(clients.lambda, functionName)).imageUri;
  } catch (e) {
    // The deploy reads the function again and says what is wrong; the box just starts empty.
    ctx.log.warn(`GetFunction ${functionName} failed (${e instanceof Error ? e.message : String(e)}): the image URI is not prefilled.`);
  }
  const region = clients.spec.region;
  const typed = orDismiss(
    await ctx.ui.input('imageUri', {
      title: plainText(vscode.l10n.t('Publish Canary of {0}: the image to deploy', functionName)),
      prompt: vscode.l10n.t('The URI of the image you pushed to Amazon ECR (a tag or @sha256: digest); Lambda Canary builds no image.'),
      placeHolder: IMAGE_URI_EXAMPLE,
      value: current,
      validateInput: (v) => {
        const r = checkImageUri(v, region);
        return r.ok ? undefined : r.message;
      },
    }),
  );
  const checked = checkImageUri(typed, region);
  if (!checked.ok) throw new OperationError(checked.message, { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' });
  return checked.value.uri;
}
