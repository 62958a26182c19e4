/**
 * `lambda-canary rollout start --engine codedeploy`, `rollout status` of CodeDeploy rollouts and
 * `rollout stop`: the CodeDeploy engine (src/core/codedeploy, loaded on first use) from a
 * terminal or CI. CodeDeploy steps the alias; --wait only watches, printing each change.
 */
import { getAlias } from '../core/lambdaApi';
import type { CodeDeployDetail, CodeDeployRolloutView, CodeDeploySend, CodeDeploySettings } from '../core/codedeploy/types';
import { loadCodeDeploy } from '../core/codeDeployModule';
import { describeAwsError } from '../core/errors';
import { aliasState } from '../core/outcome';
import { outcomeText, routingText } from '../core/outcomeText';
import type { RolloutPlan } from '../core/rollout/plans';
import { describePlan } from '../core/rollout/plans';
import type { UseCaseContext } from '../core/usecases';
import { stepLabel } from '../shared/rollout';
import { terminalText } from '../shared/text';
import type { OptionValues } from './args';
import { UsageError } from './args';
import { CODEDEPLOY_SETTING_OPTIONS } from './commands';
import type { CliIO } from './output';
import { ask, EXIT, exitCodeOf, jsonText } from './output';
import { codeDeployText, confirmText, progressText, questions, rolloutText } from './messages';
import { preflightRefusal, questionHead, runPreflight } from './triggers';

export type CodeDeployArgs =
  | { engine: 'codedeploy'; sub: 'start'; functionName: string; aliasName: string; plan: RolloutPlan; version: string; wait: boolean; settings: CodeDeploySettings }
  | { engine: 'codedeploy'; sub: 'stop'; functionName: string; aliasName: string; rollback: boolean };

export function isCodeDeployArgs(a: { sub: string }): a is CodeDeployArgs {
  return (a as { engine?: string }).engine === 'codedeploy';
}

/** The engine `rollout start` asked for; CodeDeploy's options refused without it. */
export function engineOf(values: OptionValues): 'local' | 'codedeploy' {
  const engine = values.engine;
  if (engine !== undefined && engine !== 'local' && engine !== 'codedeploy') throw new UsageError(rolloutText.badEngine(String(engine)), 'rollout');
  if (engine !== 'codedeploy') {
    for (const option of CODEDEPLOY_SETTING_OPTIONS) if (values[option] !== undefined) throw new UsageError(rolloutText.engineNotFor(option), 'rollout');
  }
  return engine === 'codedeploy' ? 'codedeploy' : 'local';
}

/** CodeDeploySettings from the flags, over the workspace's lambda-canary.json `codeDeploy`. */
export function settingsOf(values: OptionValues, fromWorkspace: CodeDeploySettings | undefined): CodeDeploySettings {
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const flags: CodeDeploySettings = {
    application: str('application'),
    deploymentGroup: str('deployment-group'),
    serviceRoleArn: str('service-role'),
    beforeAllowTraffic: str('before-traffic-hook'),
    afterAllowTraffic: str('after-traffic-hook'),
  };
  const out: CodeDeploySettings = { ...(fromWorkspace ?? {}) };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) (out as Record<string, string>)[k] = v;
  return out;
}

export interface CodeDeployRun {
  io: CliIO;
  ctx: UseCaseContext;
  json: boolean;
  yes: boolean;
  /** The connection's CodeDeploy client, made on first use. */
  codedeploy: () => Promise<CodeDeploySend>;
}

type Print = (text: string) => void;

export async function runCodeDeploy(a: CodeDeployArgs, run: CodeDeployRun): Promise<number> {
  const out: Print = (text) => run.io.stdout.write(`${terminalText(text)}\n`);
  const err: Print = (text) => run.io.stderr.write(`${terminalText(text)}\n`);
  const [m, codedeploy] = await Promise.all([loadCodeDeploy(), run.codedeploy()]);
  const ctx = { ...run.ctx, codedeploy };
  const target = `${a.functionName}:${a.aliasName}`;
  const ref = { functionName: a.functionName, aliasName: a.aliasName };

  if (a.sub === 'stop') {
    const records = await m.codeDeployRecords(ctx.journal ?? { append: () => Promise.resolve(), lastSwitch: () => Promise.resolve(undefined) }).catch(() => []);
    const ended = new Set(records.filter((r) => r.event === 'ended').map((r) => r.deploymentId));
    const known = [...records].reverse().find((r) => r.event === 'started' && r.functionName === a.functionName && r.aliasName === a.aliasName && !ended.has(r.deploymentId));
    const running = await m.runningDeploymentOn(ctx, ref);
    const id = running?.deploymentId ?? known?.deploymentId;
    // The journal's facts only when they are this deployment's.
    const facts = known?.deploymentId === id ? known : undefined;
    if (!id) {
      err(`lambda-canary: ${codeDeployText.noDeployment(target)}`);
      return EXIT.usage;
    }
    if (!run.yes) {
      const view = await m.readCodeDeployRollout(ctx, id, facts).catch(() => undefined);
      if (!(await ask(run.io, `${terminalText(codeDeployText.stopQuestion(id, a.functionName, a.aliasName, a.rollback, view?.statusText ?? 'status unread'))}${questions.suffix}`))) {
        err(confirmText.declined);
        return EXIT.failed;
      }
    }
    const outcome = await m.stopCodeDeployRollout(ctx, { ...ref, deploymentId: id, rollback: a.rollback });
    for (const w of outcome.warnings) err(progressText.warning(w));
    if (run.json) run.io.stdout.write(jsonText(outcome));
    else if (outcome.error) err(`lambda-canary: ${outcomeText(outcome)}`);
    else out(`${target}: ${outcomeText(outcome)}`);
    return exitCodeOf(outcome);
  }

  // start: the pre-flight first (what bypasses the alias, what Lambda would refuse), then the question.
  const gate = await runPreflight(ctx, { ...ref, version: a.version });
  const refused = preflightRefusal(gate, 'rollout', run);
  if (refused !== undefined) return refused;
  let expectedRevisionId: string | undefined;
  if (!run.yes) {
    const alias = await getAlias(ctx.lambda, a.functionName, a.aliasName, ctx.signal).catch(() => undefined);
    const now = alias ? routingText(a.aliasName, aliasState(alias)) : undefined;
    const group = `${a.settings.application ?? m.DEFAULT_APPLICATION}/${a.settings.deploymentGroup ?? m.defaultDeploymentGroup(a.functionName, a.aliasName)}`;
    if (!(await ask(run.io, `${terminalText(`${questionHead(gate)}${codeDeployText.startQuestion(a.functionName, a.aliasName, a.version, describePlan(a.plan), group, now)}`)}${questions.suffix}`))) {
      err(confirmText.declined);
      return EXIT.failed;
    }
    expectedRevisionId = alias?.RevisionId;
  }
  const outcome = await m.startCodeDeployRollout(ctx, { ...ref, version: a.version, plan: a.plan, settings: a.settings, ...(expectedRevisionId ? { expectedRevisionId } : {}) });
  for (const w of outcome.warnings) err(progressText.warning(w));
  const detail = outcome.detail;
  if (outcome.error || !detail || detail.event !== 'started') {
    if (run.json) run.io.stdout.write(jsonText({ ...outcome, preflight: gate.report }));
    else err(`lambda-canary: ${outcomeText(outcome)}`);
    return exitCodeOf(outcome);
  }
  if (!a.wait) {
    if (run.json) run.io.stdout.write(jsonText({ ...outcome, preflight: gate.report }));
    else out(codeDeployText.started(a.functionName, a.aliasName, detail.deploymentId, detail.version, detail.config));
    return EXIT.done;
  }
  err(codeDeployText.started(a.functionName, a.aliasName, detail.deploymentId, detail.version, detail.config));
  const view = await watchToEnd(m, ctx, detail, run, err);
  // A deployment that cannot be read any more (gone, or access denied): its end is unknown here.
  const code = view.how === 'interrupted' ? EXIT.interrupted : view.view.status === 'promoted' ? EXIT.done : view.view.status === 'abandoned' ? EXIT.unknown : EXIT.failed;
  if (run.json) run.io.stdout.write(jsonText({ ...outcome, view: view.view, preflight: gate.report, exitCode: code }));
  if (view.how === 'interrupted') err(codeDeployText.interrupted(detail.deploymentId, target));
  else if (!run.json) out(rolloutText.end(a.functionName, a.aliasName, view.view.statusText));
  return code;
}

/** --wait: each change of the deployment on stderr until it ends, or Ctrl+C (CodeDeploy goes on). */
async function watchToEnd(
  m: Awaited<ReturnType<typeof loadCodeDeploy>>,
  ctx: UseCaseContext & { codedeploy: CodeDeploySend },
  detail: CodeDeployDetail,
  run: CodeDeployRun,
  err: Print,
): Promise<{ view: CodeDeployRolloutView; how: 'ended' | 'interrupted' }> {
  const pollMs = Number(run.io.env.LAMBDA_CANARY_CODEDEPLOY_POLL_MS) || undefined;
  const watcher = new m.CodeDeployWatcher({ ...ctx, signal: undefined, progress: undefined }, pollMs ? { pollMs } : {});
  const sub = watcher.onDidChange((v) => {
    if (v.id === detail.deploymentId) err(codeDeployText.change(`${stepLabel(v)}: ${v.statusText}`));
  });
  try {
    watcher.watch(detail);
    const view = await watcher.waitForEnd(detail.deploymentId, run.io.signal);
    return { view, how: view.status === 'running' ? 'interrupted' : 'ended' };
  } finally {
    sub.dispose();
    watcher.dispose();
  }
}

/** `rollout status`: the CodeDeploy rollouts of this journal (each alias's latest) and, for one alias, the deployment in flight on it. */
export async function codeDeployStatus(
  target: { functionName?: string; aliasName?: string },
  run: Pick<CodeDeployRun, 'ctx' | 'codedeploy'>,
  err: Print,
): Promise<{ views: CodeDeployRolloutView[]; readFailed: boolean }> {
  const records = run.ctx.journal ? await loadCodeDeploy().then((m) => m.codeDeployRecords(run.ctx.journal!)).catch(() => []) : [];
  const latest = new Map<string, CodeDeployDetail>();
  for (const r of records) {
    if (r.event !== 'started') continue;
    if (target.functionName !== undefined && (r.functionName !== target.functionName || r.aliasName !== target.aliasName)) continue;
    latest.set(`${r.functionName}:${r.aliasName}`, r);
  }
  if (latest.size === 0 && target.functionName === undefined) return { views: [], readFailed: false };
  let readFailed = false;
  const views: CodeDeployRolloutView[] = [];
  try {
    const [m, codedeploy] = await Promise.all([loadCodeDeploy(), run.codedeploy()]);
    const ctx = { codedeploy, signal: run.ctx.signal };
    if (target.functionName !== undefined && target.aliasName !== undefined) {
      // One SAM (or another journal) started: the deployment in flight on the alias.
      const running = await m.runningDeploymentOn(ctx, { functionName: target.functionName, aliasName: target.aliasName });
      const key = `${target.functionName}:${target.aliasName}`;
      if (running && latest.get(key)?.deploymentId !== running.deploymentId) latest.set(key, { deploymentId: running.deploymentId } as CodeDeployDetail);
    }
    for (const known of latest.values()) {
      try {
        views.push(await m.readCodeDeployRollout(ctx, known.deploymentId, known.functionName ? known : undefined));
      } catch (e) {
        readFailed = true;
        err(codeDeployText.unreadable(known.deploymentId, describeAwsError(e, run.ctx.profile).message));
      }
    }
  } catch (e) {
    readFailed = true;
    err(codeDeployText.unread(describeAwsError(e, run.ctx.profile).message));
  }
  return { views, readFailed };
}

export function codeDeployStatusLines(v: CodeDeployRolloutView): string[] {
  const info = v.codeDeploy!;
  const lines = [
    codeDeployText.heading(`${v.functionName}:${v.aliasName}`, info.deploymentId, v.version, v.stable, v.status, info.deploymentStatus),
    rolloutText.plan(v.planText, describePlan({ steps: v.steps.map((s) => ({ weight: s.weight, bakeSeconds: s.bakeSeconds, gate: s.gate })), promote: true })),
    codeDeployText.group(info.application, info.deploymentGroup, info.config, info.targetVersionWeight),
    rolloutText.startedAt(v.startedAt, v.endedAt),
  ];
  for (const e of info.lifecycle) lines.push(codeDeployText.lifecycle(e.name, e.status, e.hookFunction, e.message));
  lines.push(rolloutText.statusLine(v.statusText));
  return lines;
}
