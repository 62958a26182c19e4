/**
 * The traffic panel's view of a rollout AWS CodeDeploy steps: its deployment (id, status, config,
 * application and group), the new version's weight now (targetVersionWeight), the lifecycle
 * events with their status and hook functions, errorInformation and rollbackInfo — all text from
 * AWS, set with textContent only — and its two controls: Stop and roll back, Stop (keep traffic).
 */
import * as l10n from '@vscode/l10n';
import type { CodeDeployLifecycleView, CodeDeployRolloutInfo, RolloutView } from '../shared/rollout';
import { ROLLOUT_ENDS } from '../shared/rollout';
import { h } from './dom';
import { clock, num } from './locale';

export type CodeDeployStop = (rollback: boolean) => void;

const STATUS_CLASS: Record<string, string> = { Succeeded: 'ok', Failed: 'error', Stopped: 'error', InProgress: 'current', Pending: 'muted', Skipped: 'muted', Unknown: 'muted' };

/** The class of an AWS status (any string: only the table's own keys count). */
export function statusClass(status: string): string {
  return Object.hasOwn(STATUS_CLASS, status) ? STATUS_CLASS[status] : '';
}

/** `40 %`, or a dash before the target was read. */
export function weightText(c: CodeDeployRolloutInfo): string {
  return c.targetVersionWeight === undefined ? '—' : l10n.t('{0} %', num(c.targetVersionWeight, 2));
}

/** One lifecycle event's times: `12:00:01–12:00:03`. */
function times(e: CodeDeployLifecycleView): string {
  if (e.startedAt === undefined) return '';
  return `${clock(e.startedAt)}${e.endedAt !== undefined ? `–${clock(e.endedAt)}` : ''}`;
}

export function codeDeployBody(v: RolloutView, busy: boolean, stopBusy: boolean, stop: CodeDeployStop): Node[] {
  const c = v.codeDeploy;
  const ended = ROLLOUT_ENDS.has(v.status);
  const out: Node[] = [];
  if (!c) return out;
  out.push(
    h(
      'p',
      { id: 'codedeploy-deployment', class: 'meta' },
      l10n.t('CodeDeploy deployment '),
      h('strong', { id: 'codedeploy-id' }, c.deploymentId),
      ' · ',
      h('span', { id: 'codedeploy-status', 'data-status': c.deploymentStatus }, c.deploymentStatus),
      l10n.t(' · config {0} · application {1} · group {2} · read {3}', c.config, c.application, c.deploymentGroup, clock(c.readAt)),
    ),
    h('p', { id: 'codedeploy-weight', class: 'weight-now' }, l10n.t('Version {0} gets ', v.version), h('strong', { id: 'codedeploy-weight-value' }, weightText(c)), l10n.t(' of the traffic; version {0} the rest.', v.stable)),
  );
  if (c.lifecycle.length) {
    const t = h('table', { id: 'codedeploy-lifecycle', class: 'split' }, h('caption', {}, l10n.t('Lifecycle events')));
    const head = h('tr', {});
    for (const col of [l10n.t('Event'), l10n.t('Hook function'), l10n.t('Status'), l10n.t('Time'), l10n.t('Message')]) head.append(h('th', { scope: 'col' }, col));
    t.append(h('thead', {}, head));
    const body = h('tbody', {});
    for (const e of c.lifecycle) {
      body.append(
        h(
          'tr',
          { 'data-event': e.name, 'data-status': e.status },
          h('th', { scope: 'row' }, e.name),
          h('td', {}, e.hookFunction ?? '—'),
          h('td', { class: statusClass(e.status) }, e.status),
          h('td', {}, times(e)),
          h('td', {}, e.message ?? ''),
        ),
      );
    }
    t.append(body);
    out.push(t);
  }
  if (c.error) out.push(h('p', { id: 'codedeploy-error', class: 'error', role: 'alert' }, l10n.t('Error: {0}', c.error)));
  if (c.rollback) {
    out.push(
      h('p', { id: 'codedeploy-rollback', class: 'muted' }, (c.rollback.deploymentId ? l10n.t('Rollback by deployment {0}', c.rollback.deploymentId) : l10n.t('Rollback')) + (c.rollback.message ? `: ${c.rollback.message}` : '')),
    );
  }
  if (!ended) {
    out.push(h('p', { class: 'muted', id: 'codedeploy-note' }, l10n.t('AWS steps this rollout: it goes on with the editor closed. Stopping it asks first.')));
    const row = h('div', { class: 'row', id: 'codedeploy-controls', role: 'group', 'aria-label': l10n.t('CodeDeploy controls') });
    const rollback = h('button', { id: 'codedeploy-stop-rollback', type: 'button', disabled: busy }, stopBusy ? l10n.t('Stopping…') : l10n.t('Stop and roll back'));
    rollback.addEventListener('click', () => stop(true));
    const keep = h('button', { id: 'codedeploy-stop-keep', type: 'button', class: 'secondary', disabled: busy }, l10n.t('Stop (keep traffic as it is)'));
    keep.addEventListener('click', () => stop(false));
    row.append(rollback, keep);
    out.push(row);
  }
  return out;
}
