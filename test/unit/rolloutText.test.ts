import assert from 'node:assert/strict';
import type { Lease } from '../../src/core/rollout/lease';
import { formatMarker, parseLease } from '../../src/core/rollout/lease';
import {
  aliasRolloutOf,
  noticeButtons,
  noticeSeverity,
  rolloutAliasLabel,
  rolloutContextValue,
  rolloutDescription,
  rolloutIcon,
  rolloutStatusText,
  rolloutTooltipLines,
} from '../../src/extension/rolloutText';
import { aliasDescription, aliasTooltip } from '../../src/extension/treeText';
import type { RolloutStatus, RolloutView } from '../../src/shared/rollout';
import { renderMarkdown, tagsOf, textOf } from './renderMarkdown';

const NOW = Date.UTC(2026, 11, 1, 16, 45);

function view(over: Partial<RolloutView> = {}): RolloutView {
  return {
    id: '3f9a2c1e',
    functionName: 'checkout-api',
    aliasName: 'prod',
    version: '8',
    stable: '7',
    planText: '25%@5m, 50%@5m, 75%@5m, 100%',
    alarms: [],
    steps: [25, 50, 75, 100].map((weight) => ({ weight, bakeSeconds: weight < 100 ? 300 : 0, gate: 'auto' as const })),
    current: 1,
    status: 'running',
    statusText: 'Baking step 2.',
    startedAt: NOW - 600_000,
    driver: { holder: 'alice@laptop (VS Code)', since: NOW - 600_000, until: NOW + 20_000, self: true },
    ...over,
  };
}

const prod = { Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.25 } }, RevisionId: 'r1' };
const lease: Lease = { rollout: 'aa11bb22', step: 2, steps: 4, holder: 'bob@ci-runner', client: 'cli', pid: 4242, instance: 'ab12', since: NOW - 120_000, until: NOW + 60_000 };
const live = () => true;
const CONTEXT = 'lambdaCanary:alias:rollout';
const REMOTE = 'lambdaCanary:alias:rollout:remote';

describe('rollouts in the tree and the status bar (rolloutText)', () => {
  it("labels the alias with its split and the rollout's step, and says when it is not stepping by itself", () => {
    const r = aliasRolloutOf(view(), undefined, NOW, live)!;
    assert.equal(rolloutAliasLabel(prod, r), 'prod → 7 (75%) · 8 (25%) · step 2/4');
    assert.equal(rolloutContextValue(r, CONTEXT, REMOTE), CONTEXT);
    assert.equal(rolloutIcon(r).id, 'sync~spin');
    for (const status of ['paused', 'waiting', 'halted'] as RolloutStatus[]) {
      const held = aliasRolloutOf(view({ status }), undefined, NOW, live)!;
      assert.equal(rolloutAliasLabel(prod, held), `prod → 7 (75%) · 8 (25%) · step 2/4 · ${status}`);
      assert.equal(rolloutContextValue(held, CONTEXT, REMOTE), `${CONTEXT}:${status}`);
      assert.equal(rolloutIcon(held).id, 'debug-pause');
    }
  });

  it('shows nothing of a rollout that ended, nor of a lease that no longer binds', () => {
    assert.equal(aliasRolloutOf(view({ status: 'promoted' }), undefined, NOW, live), undefined);
    assert.equal(aliasRolloutOf(undefined, lease, NOW, () => false), undefined);
    assert.equal(aliasRolloutOf(undefined, undefined, NOW, live), undefined);
  });

  it("shows another driver's lease read-only, with who drives it since when", () => {
    const description = `Production traffic ${formatMarker(lease)}`;
    const r = aliasRolloutOf(undefined, parseLease(description).lease, NOW, live)!;
    assert.equal(r.readOnly, true);
    assert.equal(rolloutAliasLabel(prod, r), 'prod → 7 (75%) · 8 (25%) · step 3/4');
    assert.equal(rolloutContextValue(r, CONTEXT, REMOTE), REMOTE);
    assert.equal(rolloutDescription(r), 'driven by bob@ci-runner (CLI) since 12/01/2026, 04:43 PM UTC');
    assert.match(textOf(renderMarkdown(rolloutTooltipLines(r).join('  \n'))), /driven by bob@ci-runner \(CLI\) since 12\/01\/2026, 04:43 PM UTC/);
    // The marker is the tool's, not the user's: the description shows the user's text only.
    assert.equal(aliasDescription({ ...prod, Description: description }, false), 'Production traffic');
    assert.doesNotMatch(aliasTooltip('checkout-api', { ...prod, Description: description }), /lambda-canary rollout/);
  });

  it('a known rollout another window drives is read-only here too', () => {
    const r = aliasRolloutOf(view({ driver: { holder: 'alice@desktop (VS Code)', since: NOW - 60_000, until: NOW + 10_000, self: false } }), undefined, NOW, live)!;
    assert.equal(rolloutContextValue(r, CONTEXT, REMOTE), REMOTE);
    assert.equal(rolloutDescription(r), 'driven by alice@desktop (VS Code) since 12/01/2026, 04:44 PM UTC');
    // Its lease ran out: this window may take it over, so the controls are back.
    const expired = aliasRolloutOf(view({ driver: { holder: 'alice@desktop (VS Code)', since: NOW - 60_000, until: NOW - 1, self: false } }), undefined, NOW, live)!;
    assert.equal(rolloutContextValue(expired, CONTEXT, REMOTE), CONTEXT);
  });

  it('the tooltip says the plan, the verdict and the driver, with AWS text escaped', () => {
    const hostile = '[Refresh](command:workbench.action.terminal.sendSequence) **bold**';
    const r = aliasRolloutOf(
      view({
        status: 'halted',
        statusText: `Held: someone changed prod ${hostile}`,
        evidence: {
          verdict: 'Pending',
          sentence: 'canary 0 % errors (0/12) vs stable 1 % (3/300): not enough samples yet',
          canary: { version: '8', invocations: 12, errors: 0, errorRate: 0, throttles: 0 },
          stable: { version: '7', invocations: 300, errors: 3, errorRate: 0.01 },
          sprt: { llr: 0, lower: -2.9, upper: 2.9, p0: 0.01, p1: 0.03 },
          alarmsInAlarm: [],
          at: NOW,
        },
      }),
      undefined,
      NOW,
      live,
    )!;
    const html = renderMarkdown(rolloutTooltipLines(r).join('  \n'));
    const text = textOf(html);
    assert.match(text, /Plan: 25 % → 75 % in steps of 25 %, 5 min each, then 100 %/);
    assert.match(text, /Verdict: Pending — canary 0 % errors \(0\/12\)/);
    assert.match(text, /\nDriven by this window \(alice@laptop, VS Code\) since 12\/01\/2026, 04:35 PM UTC/);
    assert.ok(text.includes(hostile), 'the hostile text is shown as typed');
    assert.deepEqual(
      tagsOf(html).filter((t) => t !== 'p' && t !== 'br' && t !== 'strong'),
      [],
      'no link, no emphasis from AWS text',
    );
  });

  it('the status bar: hidden without rollouts, one by name, several by count, a warning when one is held', () => {
    assert.equal(rolloutStatusText([]), undefined);
    assert.equal(rolloutStatusText([view({ status: 'aborted' })]), undefined);
    const one = rolloutStatusText([view()])!;
    assert.equal(one.text, '$(sync~spin) 1 rollout: checkout-api:prod step 2/4');
    assert.equal(one.warning, false);
    assert.equal(rolloutStatusText([view({ status: 'waiting' })])!.warning, true);
    assert.equal(rolloutStatusText([view({ status: 'waiting' })])!.text, '$(debug-pause) 1 rollout: checkout-api:prod step 2/4 · waiting');
    const two = rolloutStatusText([view(), view({ id: 'b', aliasName: 'staging', status: 'halted' })])!;
    assert.equal(two.text, '$(sync~spin) 2 rollouts (1 held)');
    assert.equal(two.warning, true);
    // A name from AWS is not an icon.
    assert.equal(rolloutStatusText([view({ functionName: '$(warning)fn' })])!.text, '$(sync~spin) 1 rollout: \\$(warning)fn:prod step 2/4');
  });

  it('notices: good ends are information, the rest a warning with the controls that help', () => {
    assert.equal(noticeSeverity('ended', 'promoted'), 'info');
    assert.equal(noticeSeverity('ended', 'completed'), 'info');
    assert.equal(noticeSeverity('ended', 'rolled-back'), 'warning');
    assert.equal(noticeSeverity('ended', 'aborted'), 'warning');
    assert.equal(noticeSeverity('attention', 'halted'), 'warning');
    assert.deepEqual(noticeButtons('halted'), ['Resume', 'Abort', 'Open Traffic Panel']);
    assert.deepEqual(noticeButtons('waiting'), ['Next step', 'Abort', 'Open Traffic Panel']);
    assert.deepEqual(noticeButtons('rolled-back'), ['Open Traffic Panel']);
  });
});
