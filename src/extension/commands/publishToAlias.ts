import * as vscode from 'vscode';
import type { Clients } from '../../core/connection';
import type { Outcome } from '../../core/outcome';
import type { UseCaseContext } from '../../core/usecases';
import type { WorkspaceFunction } from '../../core/workspace';
import { plainText } from '../../shared/text';
import { readSettings } from '../config';
import type { CommandContext } from '../context';
import { AliasNode, FunctionNode } from '../tree';
import { pickFunctionName } from './common';
import { passPreflight } from './preflight';
import { pickDeployAlias } from './pickDeployAlias';
import { deployOtherQuestion, untrustedPublishQuestion } from './publishText';
import { relativePath } from './workspaceFunction';

/** Where a Publish Canary deploys to, as the user chose it. */
export interface PublishTarget {
  functionName: string;
  aliasName: string;
  /** The alias RevisionId the tree showed, when started from an alias node. */
  expectedRevisionId?: string;
}

export interface PublishSteps {
  /** The function picker's title, when neither the node nor the workspace names the function. */
  pickTitle: string;
  /** What is asked once the function is known, before the alias (e.g. whether to run `sam build`): throws Dismissed to stop. */
  functionChosen?: (functionName: string) => Promise<void>;
  /** What the deploy asks once the alias is claimed (the weight; an image's URI first): throws Dismissed to stop. */
  ask: (target: PublishTarget) => Promise<void>;
  /** The deploy use case. */
  run: (uc: UseCaseContext, target: PublishTarget) => Promise<Outcome>;
  /** What the pre-flight question calls the command (default "Publish Canary"). */
  what?: string;
}

/**
 * What every Publish Canary does around its deploy, a zip's or an image's: the function (the
 * node's, the workspace's, or picked), a question when the node is another function than the
 * workspace declares, the alias (the node's, the workspace's, or pickDeployAlias), then the alias
 * claim — in an untrusted workspace the question naming what its file chose, then `ask` — the
 * use case, and the panel opened after a deploy that is done.
 */
export async function publishToAlias(ctx: CommandContext, clients: Clients, ws: WorkspaceFunction, node: unknown, steps: PublishSteps): Promise<Outcome | undefined> {
  const nodeFunction = node instanceof AliasNode ? node.functionName : node instanceof FunctionNode ? node.name : undefined;
  const trusted = vscode.workspace.isTrusted;
  // A SAM template that computes FunctionName: ask which deployed function it is.
  const functionName = nodeFunction ?? ws.functionName ?? (await pickFunctionName(ctx, clients, plainText(steps.pickTitle)));
  await steps.functionChosen?.(functionName);
  if (nodeFunction && ws.functionName && ws.functionName !== nodeFunction) {
    const q = deployOtherQuestion(ws, nodeFunction, relativePath);
    if (!(await ctx.ui.confirm('deployOther', q.message, q.detail, vscode.l10n.t('Deploy')))) return undefined;
  }
  const picked = node instanceof AliasNode ? undefined : node instanceof FunctionNode || !ws.alias ? await pickDeployAlias(ctx, clients, ws, functionName, 'Publish Canary: which alias?') : undefined;
  const aliasName = node instanceof AliasNode ? node.aliasName : (picked?.name ?? ws.alias!);
  const target: PublishTarget = { functionName, aliasName, expectedRevisionId: node instanceof AliasNode ? node.alias.RevisionId : undefined };
  // One action per alias from the claim on: a second Publish Canary, or the panel's Apply, is
  // told the alias is busy instead of uploading and publishing alongside this one.
  const result = await ctx.aliases.run({
    functionName,
    aliasName,
    action: 'publish',
    manual: vscode.l10n.t('Publish a canary'),
    ask: async (signal) => {
      if (!trusted && !nodeFunction) {
        // Function and alias came from an untrusted file, not from the user: say which, before any upload.
        const q = untrustedPublishQuestion(ws, functionName, aliasName, relativePath);
        if (!(await ctx.ui.confirm('untrustedPublish', q.message, q.detail, vscode.l10n.t('Publish')))) return false;
      }
      // Triggers that bypass the alias, and what Lambda refuses with weighted routing: before any upload.
      if (!(await passPreflight(ctx, { functionName, aliasName }, steps.what ?? 'Publish Canary', signal))) return false;
      await steps.ask(target);
      return true;
    },
    title: vscode.l10n.t('Publishing a canary of {0}:{1}', functionName, aliasName),
    run: (uc) => steps.run(uc, target),
  });
  if (result.status !== 'ran') return undefined;
  if (result.outcome.state !== 'done') return result.outcome;
  // Remembered only for a deploy that was done: a dismissed or failed one is no choice made.
  await picked?.remember();
  if (readSettings().panel.openAfterPublish) ctx.panels.open(functionName, aliasName);
  return result.outcome;
}
