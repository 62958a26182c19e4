/** What the sandbox's CodeDeploy tests share: clients, a function with two versions behind an alias, an AppSpec, polling. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand, GetDeploymentTargetCommand } from '@aws-sdk/client-codedeploy';
import type { CreateDeploymentGroupCommandInput, DeploymentInfo, LambdaTarget } from '@aws-sdk/client-codedeploy';
import { CreateAliasCommand, GetAliasCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Sandbox } from '../../src/sandbox';
import { zipFiles } from '../../src/sandbox';
import { sleep } from './helpers';
import { createFn, publish } from './lambda-testkit';

export const SERVICE_ROLE = 'arn:aws:iam::123456789012:role/codedeploy-service';

export function codeDeployFor(sandbox: Sandbox): CodeDeployClient {
  return new CodeDeployClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId ?? 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
}

/** A function with versions 1 and 2 and an alias `live` on 1. */
export async function functionWithTwoVersions(lambda: LambdaClient, name: string): Promise<void> {
  await createFn(lambda, name);
  await publish(lambda, name, 'one');
  await publish(lambda, name, 'two');
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}

export function appSpec(name: string, extra: { current?: string; target?: string; before?: string; after?: string; alias?: string } = {}): string {
  const hooks = [extra.before ? `  - BeforeAllowTraffic: ${extra.before}\n` : '', extra.after ? `  - AfterAllowTraffic: ${extra.after}\n` : ''].join('');
  return [
    'version: 0.0',
    'Resources:',
    '  - MyFunction:',
    '      Type: AWS::Lambda::Function',
    '      Properties:',
    `        Name: ${name}`,
    `        Alias: ${extra.alias ?? 'live'}`,
    `        CurrentVersion: "${extra.current ?? '1'}"`,
    `        TargetVersion: "${extra.target ?? '2'}"`,
    hooks ? `Hooks:\n${hooks}` : '',
  ].join('\n');
}

/** An application `app` and a group named after the function, with `group` settings. */
export async function appAndGroup(cd: CodeDeployClient, app: string, group: string, extra: Partial<CreateDeploymentGroupCommandInput> = {}): Promise<void> {
  await cd.send(new CreateApplicationCommand({ applicationName: app, computePlatform: 'Lambda' })).catch((e: Error) => {
    if (e.name !== 'ApplicationAlreadyExistsException') throw e;
  });
  await cd.send(new CreateDeploymentGroupCommand({ applicationName: app, deploymentGroupName: group, serviceRoleArn: SERVICE_ROLE, ...extra }));
}

export async function deploy(cd: CodeDeployClient, app: string, group: string, content: string, config?: string): Promise<string> {
  const out = await cd.send(new CreateDeploymentCommand({ applicationName: app, deploymentGroupName: group, deploymentConfigName: config, revision: { revisionType: 'AppSpecContent', appSpecContent: { content } } }));
  assert.match(out.deploymentId ?? '', /^d-[A-Z0-9]{9}$/);
  return out.deploymentId!;
}

export async function deployment(cd: CodeDeployClient, id: string): Promise<DeploymentInfo> {
  return (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
}

export async function lambdaTarget(cd: CodeDeployClient, id: string, targetId: string): Promise<LambdaTarget> {
  return (await cd.send(new GetDeploymentTargetCommand({ deploymentId: id, targetId }))).deploymentTarget!.lambdaTarget!;
}

const DONE = ['Succeeded', 'Failed', 'Stopped'];

/** Polls GetDeployment until the deployment ends (or `untilStatus`), within `ms`. */
export async function waitForStatus(cd: CodeDeployClient, id: string, ms = 10_000, wanted: (d: DeploymentInfo) => boolean = (d) => DONE.includes(d.status!)): Promise<DeploymentInfo> {
  const end = Date.now() + ms;
  for (;;) {
    const d = await deployment(cd, id);
    if (wanted(d)) return d;
    if (Date.now() > end) assert.fail(`deployment ${id} still ${d.status} after ${ms} ms: ${JSON.stringify(d.errorInformation ?? {})}`);
    await sleep(10);
  }
}

/** The alias's split as a weight of version 2 in percent: 0 on version 1 alone, 100 on 2 alone. */
export async function weightOf(lambda: LambdaClient, name: string, target = '2'): Promise<{ percent: number; revision: string; version: string }> {
  const a = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
  const w = a.RoutingConfig?.AdditionalVersionWeights?.[target];
  const percent = a.FunctionVersion === target ? 100 : w === undefined ? 0 : Math.round(w * 100);
  return { percent, revision: a.RevisionId!, version: a.FunctionVersion! };
}

/**
 * Samples the alias until the deployment ends: each distinct weight, with `shownBy` (when the
 * first sample showing it was answered: the weight was there by then) and `oldUntil` (when the
 * last sample still showing the weight before it was sent: the old one was still there after
 * that). Times are ms from `startedAt`; both bound the step's real time whatever the sampling lag.
 */
export async function sampleWeights(lambda: LambdaClient, cd: CodeDeployClient, name: string, id: string, startedAt: number, ms: number): Promise<{ percent: number; shownBy: number; oldUntil: number }[]> {
  const seen: { percent: number; shownBy: number; oldUntil: number }[] = [];
  const end = Date.now() + ms;
  let lastCheck = 0;
  let ended = false;
  let lastSent = -Infinity;
  for (;;) {
    const sent = Date.now() - startedAt;
    const w = await weightOf(lambda, name);
    const answered = Date.now() - startedAt;
    if (!seen.length || seen[seen.length - 1].percent !== w.percent) seen.push({ percent: w.percent, shownBy: answered, oldUntil: lastSent });
    lastSent = sent;
    // One more sample after the end was seen: the last step may have come just before it.
    if (ended) return seen;
    if (Date.now() - lastCheck > 100) {
      lastCheck = Date.now();
      ended = DONE.includes((await deployment(cd, id)).status!);
      continue;
    }
    if (Date.now() > end) assert.fail(`deployment ${id} did not end within ${ms} ms; weights seen: ${JSON.stringify(seen)}`);
    await sleep(10);
  }
}

/** The hook fixture's code as a zip. */
export function hookZip(): Uint8Array {
  return zipFiles({ 'index.js': fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'codedeploy-hooks', 'index.js'), 'utf8') });
}
