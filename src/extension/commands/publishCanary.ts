import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import type { Outcome } from '../../core/outcome';
import { sampleEventDecision, untrustedWorkspaceRefusal, withSampleEvent } from '../../core/publishWorkspace';
import { getVersion } from '../../core/lambdaApi';
import type { SamBuildChoice, SamSituation } from '../../core/samBuild';
import { deployWorkspace } from '../../core/usecases';
import type { WorkspaceFunction } from '../../core/workspace';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { plainText } from '../../shared/text';
import { Dismissed, pickWeight } from './common';
import { chooseSamBuild } from './publishBuild';
import { publishImage } from './publishImage';
import type { PublishTarget } from './publishToAlias';
import { publishToAlias } from './publishToAlias';
import { explainUntrusted, relativePath, resolveWorkspaceFunction } from './workspaceFunction';

/**
 * Publish Canary…: package the workspace function, publish it as a new version and route the
 * chosen weight of an alias to it (the deployWorkspace use case). From an alias node, a function
 * node or the palette.
 */
export async function publishCanary(ctx: CommandContext, node?: unknown): Promise<void> {
  await publishWorkspaceCode(ctx, node);
}

/** What a rollout of the workspace code asks of the publish: the first step's weight, and its own question once the alias is claimed. */
export interface FixedWeightPublish {
  weightPercent: number;
  /** Asked in place of the weight picker (the rollout's confirmation): throws Dismissed to stop. */
  ask: (target: PublishTarget) => Promise<void>;
  /** Why an image function cannot be published this way. */
  imageRefusal: string;
}

/**
 * The publish path of Publish Canary (and of Start Rollout on the workspace code, with a fixed
 * weight): the outcome of the deploy, undefined when it did not run.
 */
export async function publishWorkspaceCode(ctx: CommandContext, node?: unknown, fixed?: FixedWeightPublish): Promise<Outcome | undefined> {
  const clients = await ctx.connection.current();
  const nodeFunction = node instanceof AliasNode ? node.functionName : node instanceof FunctionNode ? node.name : undefined;
  const trusted = vscode.workspace.isTrusted;
  const smokeTest = readSettings().smokeTest;
  const ws = await useSampleEvent(ctx, await resolveWorkspaceFunction(ctx, nodeFunction), trusted && smokeTest);
  // An image function is deployed by the URI of an image pushed to ECR: nothing is built.
  if (ws.packageType === 'Image') {
    if (fixed) throw new OperationError(fixed.imageRefusal, { state: vscode.l10n.t('Nothing was changed.'), kind: 'validation' });
    await publishImage(ctx, ws, node, clients);
    return undefined;
  }
  if (!trusted) {
    // Refused before any question: an untrusted workspace's build and test event never run.
    const refusal = untrustedWorkspaceRefusal(ws, smokeTest);
    if (refusal) {
      ctx.log.warn(refusal.message);
      await explainUntrusted(ctx, refusal.message);
      throw new Dismissed();
    }
  }
  let weightPercent = 0;
  let samBuild: SamBuildChoice | undefined;
  let samSituation: SamSituation | undefined;
  return publishToAlias(ctx, clients, ws, node, {
    pickTitle: vscode.l10n.t('Deploy {0} to which function?', ws.logicalId ?? 'the workspace function'),
    functionChosen: async (functionName) => {
      // Asked for what the deploy packages: the deployed function's handler and runtime, when it can be read.
      const sam = ws.source === 'template.yaml' && ws.inlineCode === undefined;
      const deployed = sam ? await getVersion(clients.lambda, functionName, '$LATEST').catch(() => undefined) : undefined;
      ({ choice: samBuild, situation: samSituation } = await chooseSamBuild(ctx, ws, trusted, {
        ...(deployed?.Handler ? { handler: deployed.Handler } : {}),
        ...(deployed?.Runtime ? { runtime: deployed.Runtime } : {}),
      }));
    },
    ask: async (t) => {
      if (fixed) {
        weightPercent = fixed.weightPercent;
        await fixed.ask(t);
      } else weightPercent = await pickWeight(ctx, vscode.l10n.t('Publish Canary to {0}:{1}: canary weight', t.functionName, t.aliasName));
    },
    run: (uc, t) => deployWorkspace(uc, { fn: ws, ...t, weightPercent, trusted, smokeTest, samBuild, samSituation }),
    ...(fixed ? { what: 'Start Rollout' } : {}),
  });
}

/**
 * A SAM project's sample event (events/event.json) that nobody configured: used for the smoke
 * test only when the user said so, asked once per workspace and function; never in an
 * untrusted workspace or with smoke tests off.
 */
async function useSampleEvent(ctx: CommandContext, ws: WorkspaceFunction, smoke: boolean): Promise<WorkspaceFunction> {
  const key = `lambdaCanary.sampleEvent:${ws.file}#${ws.logicalId ?? ''}`;
  const decision = sampleEventDecision(ws, smoke, ctx.extension.workspaceState.get<boolean>(key));
  if (decision === 'none') return ws;
  if (decision !== 'ask') return withSampleEvent(ws, decision === 'use');
  const event = relativePath(ws.testEventFile!);
  const use = await ctx.ui.confirm(
    'sampleSmokeEvent',
    plainText(vscode.l10n.t('Smoke-test each new version of {0} with {1} before it gets traffic?', ws.logicalId ?? 'this function', event)),
    plainText(vscode.l10n.t('{0} is this SAM project\'s sample event: the new version is invoked with it, and a failure stops the deploy. Asked once for this workspace (set "testEvent" in a lambda-canary.json to choose another).', event)),
    vscode.l10n.t('Use It'),
  );
  await ctx.extension.workspaceState.update(key, use);
  return withSampleEvent(ws, use);
}
