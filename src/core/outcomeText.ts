import type { TriggerAudit, TriggerFixDetail } from '../shared/triggers';
import type { CodeDeployDetail } from './codedeploy/types';
import type { RouterDetail } from './router/detail';
import type { AliasState, Outcome } from './outcome';
import { aliasLabel, formatPercent, splitOf } from './routing';
import type { ProbeResult } from './traffic';
import type { TrafficReportDetail } from './usecases/trafficUseCases';
import type { RolloutView } from '../shared/rollout';
import { stepLabel } from '../shared/rollout';
import { formatRate } from '../shared/traffic';

/**
 * The one place an Outcome becomes words: notifications, CLI text and log lines all come from
 * here, so an action reads the same in the editor and in a terminal. Plain text: front ends
 * escape it for their medium (Markdown, HTML) themselves.
 */

/** `prod → 7 (90%) · 8 (10%)` */
export function routingText(alias: string, s: AliasState): string {
  return aliasLabel({ Name: alias, FunctionVersion: s.version, RoutingConfig: { AdditionalVersionWeights: s.weights } });
}

function published(o: Outcome): string {
  const v = o.versionsPublished[0];
  if (!v) return '';
  // An image deploy's detail names its image (deployImage); a zip deploy's has none.
  const code = (o.detail as { imageUri?: unknown } | undefined)?.imageUri !== undefined ? 'image' : 'package';
  return `Published version ${v.version}${o.uploadSkipped ? ` (the deployed code was already this ${code}: nothing uploaded)` : ''}. `;
}

/** One sentence or two: what the action did, or why it did not and what is true now. */
export function outcomeText(o: Outcome): string {
  const name = `${o.target.function}:${o.target.alias}`;
  if (o.error) {
    const left = o.error.left && !o.error.message.includes(o.error.left) ? ` ${o.error.left}` : '';
    return `${o.error.message}${left}`;
  }
  if (o.note) return `${o.note} Nothing to do.`;
  const a = o.target.alias;
  const after = o.after ? splitOf({ FunctionVersion: o.after.version, RoutingConfig: { AdditionalVersionWeights: o.after.weights } }) : undefined;
  const before = o.before ? splitOf({ FunctionVersion: o.before.version, RoutingConfig: { AdditionalVersionWeights: o.before.weights } }) : undefined;
  const now = o.after ? routingText(a, o.after) : '';
  switch (o.action) {
    case 'deploy':
      return `${published(o)}${after?.canary ? `${formatPercent(after.canary.weight)} of ${a} goes to version ${after.canary.version}` : `${a} is routed`}: ${now}.`;
    case 'canary':
      return after?.canary ? `Canary started: ${formatPercent(after.canary.weight)} of ${a} goes to version ${after.canary.version} (${now}).` : `${now}.`;
    case 'weight':
      return after?.canary ? `Canary version ${after.canary.version} now gets ${formatPercent(after.canary.weight)} of ${a} (${now}).` : `${now}.`;
    case 'promote':
      return `Promoted: ${now} (100%); version ${before?.primary.version ?? '?'} is kept for Switch Back.`;
    case 'rollback':
      return `Rolled back: ${now} (100%); version ${before?.canary?.version ?? '?'} gets no traffic.`;
    case 'switch':
    case 'switch-back':
      return `${o.action === 'switch' ? 'Switched' : 'Switched back'} ${a}: ${before?.primary.version ?? '?'} → ${after?.primary.version ?? '?'}.`;
    case 'create-alias':
      return `Created ${a} on version ${after?.primary.version ?? '?'}.`;
    case 'probe':
      return probeText(name, o.detail as ProbeResult | undefined);
    case 'traffic':
      return trafficText(o.detail as TrafficReportDetail | undefined);
    case 'rollout':
      return rolloutOutcomeText(name, o.detail);
    case 'triggers':
      return triggersText(o.target.function, o.detail as TriggerAudit | undefined);
    case 'trigger-fix':
      return triggerFixText(a, o.detail as TriggerFixDetail | undefined);
    case 'codedeploy':
      return codeDeployText(a, o.detail as CodeDeployDetail | undefined);
    case 'history':
      return `History of ${name}.`;
    case 'release': {
      const v = o.detail as { id?: string; statusText?: string } | undefined;
      return v?.statusText ? `Release ${v.id}: ${v.statusText}` : `Release of ${a}.`;
    }
    case 'return':
      return `Returned ${a} to its state of ${(o.detail as { entryAt?: string } | undefined)?.entryAt ?? 'an earlier entry'}: ${now} (it routed ${o.before ? routingText(a, o.before).slice(a.length + 3) : '?'}).`;
    case 'router':
      return routerText(o.detail as RouterDetail | undefined, a);
  }
}

/** A CodeDeploy rollout's start, stop or end. */
function codeDeployText(alias: string, d: CodeDeployDetail | undefined): string {
  if (!d) return `CodeDeploy rollout on ${alias}.`;
  const group = `${d.application}/${d.deploymentGroup}`;
  if (d.event === 'started') return `CodeDeploy deployment ${d.deploymentId} started (${group}, ${d.config}): version ${d.version} replaces ${d.stable} on ${alias}, stepped by CodeDeploy.`;
  if (d.event === 'stop') return `CodeDeploy deployment ${d.deploymentId} was asked to stop ${d.rollback ? `and roll ${alias} back to version ${d.stable}` : `leaving ${alias} where it is`}.`;
  return `CodeDeploy deployment ${d.deploymentId} ended ${d.status ?? ''} on ${alias}.`.replace(/ {2}/g, ' ');
}

/** `5 triggers on checkout; 2 bypass prod.` plus what could not be read. */
function triggersText(fn: string, d: TriggerAudit | undefined): string {
  const n = d?.triggers.length ?? 0;
  const bypass = d?.triggers.filter((t) => t.verdict === 'bypasses').length ?? 0;
  const unreadable = d?.unreadable.length ? ` ${d.unreadable.join(' ')}` : '';
  return `${n} trigger${n === 1 ? '' : 's'} on ${fn}${bypass ? `; ${bypass} bypass${bypass === 1 ? 'es' : ''} ${d?.aliasName ?? 'every alias'}` : ''}.${unreadable}`;
}

/** What a fix (or its undo) did, then what the user still has to do. */
function triggerFixText(alias: string, d: TriggerFixDetail | undefined): string {
  if (!d) return `The trigger now goes through ${alias}.`;
  const label = d.before.label;
  const follow = d.followUp.length ? ` ${d.followUp.join(' ')}` : '';
  switch (d.action) {
    case 'route-through-alias':
      return d.after?.verdict === 'through' ? `${label} now goes through ${d.alias}.${follow}` : `${label} calls ${d.after?.target ?? 'its old target'} again.`;
    case 'create-url-on-alias':
      return d.after?.source ? `${d.alias} has its own URL for ${label}: ${d.after.source}.${follow}` : `The URL on ${d.alias} was removed.`;
    case 'grant-on-alias':
      return d.after ? `${label} may now call ${d.alias}.${follow}` : `The permission for ${label} on ${d.alias} was removed.`;
  }
}

/** A rollout action's outcome (its detail is the rollout's view) or one of its journal records (detail.rollout). */
function rolloutOutcomeText(name: string, detail: unknown): string {
  const d = detail as (Partial<RolloutView> & { rollout?: { type?: string; index?: number; weight?: number; verdict?: string; sentence?: string; message?: string; action?: string; version?: string } }) | undefined;
  const e = d?.rollout;
  if (e) {
    switch (e.type) {
      case 'started':
        return `Rollout of version ${e.version} on ${name} started.`;
      case 'step':
        return `Rollout on ${name}: step ${(e.index ?? 0) + 1}, ${e.weight}% on the new version.`;
      case 'verdict':
        return `Rollout on ${name}: ${e.verdict} — ${e.sentence}`;
      case 'control':
        return `Rollout on ${name}: ${e.action}.`;
      case 'hold':
      case 'ended':
        return `Rollout on ${name}: ${e.message}`;
      default:
        return `Rollout on ${name}: lease renewed.`;
    }
  }
  if (d?.statusText && d.steps) return `Rollout ${d.id} of version ${d.version} on ${name} (${stepLabel(d as RolloutView)}, ${d.status}): ${d.statusText}`;
  return `Rollout on ${name}.`;
}

export function probeText(name: string, r: ProbeResult | undefined): string {
  if (!r) return `Probe of ${name}: no result.`;
  const rows = Object.entries(r.byVersion)
    .sort(([x], [y]) => Number(x) - Number(y))
    .map(([v, c]) => `version ${v}: ${c.invocations}${c.errors ? ` (${c.errors} failed)` : ''}`);
  const failed = r.failed ? ` ${r.failed} could not be invoked${r.firstError ? ` (${r.firstError})` : ''}.` : '';
  return `Probe of ${name}: ${r.sent} invocations in ${(r.durationMs / 1000).toFixed(1)} s — ${rows.join(', ') || 'none answered'}.${failed}`;
}

/** A traffic report as lines: one per version, then the verdict. */
export function trafficText(r: TrafficReportDetail | undefined): string {
  if (!r) return 'No traffic report.';
  const minutes = Math.round((r.end - r.start) / 60_000);
  const lines = [`${r.functionName}:${r.aliasName} — last ${minutes} min (period ${r.periodSeconds} s): ${r.totalInvocations} invocations, ${r.throttles} throttles.`];
  for (const v of r.versions) {
    const role = v.version === r.stableVersion ? 'stable' : v.version === r.canaryVersion ? 'canary' : 'other';
    const p99 = v.durationP99Ms !== undefined ? `, p99 ${v.durationP99Ms.toFixed(0)} ms` : '';
    lines.push(`  version ${v.version} (${role}): ${v.invocations} invocations (${formatRate(v.share)} of traffic), ${v.errors} errors (${formatRate(v.errorRate)})${p99}`);
  }
  if (r.verdict.kind !== 'none') lines.push(r.verdict.message);
  return lines.join('\n');
}

/** A one-line record for the log: action, target, state, timings. */
export function outcomeLogLine(o: Outcome): string {
  const ms = Date.parse(o.endedAt) - Date.parse(o.startedAt);
  const change = o.before && o.after ? ` ${routingText(o.target.alias, o.before)} ⇒ ${routingText(o.target.alias, o.after)}` : '';
  return `${o.action} ${o.target.function}:${o.target.alias}: ${o.state}${o.error ? ` (${o.error.kind})` : ''}${change} in ${ms} ms [${o.steps.map((s) => `${s.name} ${s.ms} ms${s.result === 'ok' ? '' : ` ${s.result}`}`).join(', ')}]`;
}

/**
 * outcomeText for a surface that shows several functions at once (an editor notification): it
 * names the function, and an unknown outcome always says that it is unknown.
 */
export function notificationOutcomeText(o: Outcome): string {
  let text = outcomeText(o);
  if (o.state === 'unknown' && !/unknown/i.test(text)) text = `Outcome unknown: ${text}`;
  return text.includes(o.target.function) ? text : `${o.target.function}: ${text}`;
}

/** A router action: what it did to the router and its triggers. */
function routerText(d: RouterDetail | undefined, alias: string): string {
  if (!d) return `Router for ${alias}.`;
  const r = `${d.router}:${d.routerAlias}`;
  const moved = (d.moves ?? []).filter((m) => m.result === 'moved').length;
  const of = (d.moves ?? []).length;
  switch (d.step) {
    case 'create':
      return `Created router ${r} (version ${d.routerVersion ?? '?'}) in front of ${alias}.`;
    case 'rule':
      return `Router ${r} now routes with its new rule (version ${d.routerVersion ?? '?'}).`;
    case 'move':
      return `Moved ${moved} of ${of} trigger${of === 1 ? '' : 's'} of ${alias} to router ${r}.`;
    case 'move-back':
      return `Moved ${moved} of ${of} trigger${of === 1 ? '' : 's'} back from router ${r} to ${alias}.`;
    case 'remove':
      return `Removed router ${r}: ${moved} trigger${moved === 1 ? '' : 's'} moved back to ${alias}${d.deleted?.function ? ', the router function deleted' : ''}.`;
  }
}
