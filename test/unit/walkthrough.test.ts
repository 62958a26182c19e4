import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Outcome } from '../../src/core/outcome';
import { isFunctionDefinition, milestonesOf } from '../../src/extension/walkthroughMilestones';
import { Commands, ContextKeys, EXTENSION_ID, WALKTHROUGH, WALKTHROUGH_ID } from '../../src/shared/ids';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function outcome(over: Partial<Outcome>): Outcome {
  return {
    id: 'x',
    action: 'deploy',
    target: { function: 'checkout-api', alias: 'prod' },
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:00:05.000Z',
    versionsPublished: [],
    steps: [],
    state: 'done',
    warnings: [],
    ...over,
  };
}

describe('walkthrough milestones', () => {
  it('a published canary (Publish Canary, Start Canary on…) completes "Publish a canary"; a deploy to 100 % does not', () => {
    assert.deepEqual(milestonesOf(outcome({ action: 'deploy', after: { version: '2', weights: { 3: 0.1 } } })), ['published']);
    assert.deepEqual(milestonesOf(outcome({ action: 'canary', after: { version: '2', weights: { 3: 0.1 } } })), ['published']);
    assert.deepEqual(milestonesOf(outcome({ action: 'deploy', after: { version: '3', weights: {} } })), []);
  });

  it('a refused or unchanged action completes nothing', () => {
    const after = { version: '2', weights: { 3: 0.1 } };
    assert.deepEqual(milestonesOf(outcome({ action: 'deploy', after, state: 'unchanged' })), []);
    assert.deepEqual(milestonesOf(outcome({ action: 'deploy', after, state: 'unknown' })), []);
    assert.deepEqual(milestonesOf(outcome({ action: 'rollback', error: { kind: 'conflict', message: 'the alias changed' } })), []);
  });

  it('rollouts: started completes "Start a rollout"; rolled back or aborted completes "Roll back"; a promotion neither', () => {
    const rollout = (event: object) => outcome({ action: 'rollout', detail: { rollout: event } });
    assert.deepEqual(milestonesOf(rollout({ type: 'started', id: 'r' })), ['rolloutStarted']);
    assert.deepEqual(milestonesOf(rollout({ type: 'ended', id: 'r', result: 'rolled-back', message: '' })), ['rolledBack']);
    assert.deepEqual(milestonesOf(rollout({ type: 'ended', id: 'r', result: 'aborted', message: '' })), ['rolledBack']);
    assert.deepEqual(milestonesOf(rollout({ type: 'ended', id: 'r', result: 'promoted', message: '' })), []);
    assert.deepEqual(milestonesOf(rollout({ type: 'step', id: 'r', index: 0, weight: 0.1 })), []);
    assert.deepEqual(milestonesOf(outcome({ action: 'rollout' })), []);
  });

  it('CodeDeploy: a deployment started, stopped with rollback, or ended rolled back', () => {
    const cd = (detail: object) => outcome({ action: 'codedeploy', detail });
    assert.deepEqual(milestonesOf(cd({ event: 'started' })), ['rolloutStarted']);
    assert.deepEqual(milestonesOf(cd({ event: 'stop', rollback: true })), ['rolledBack']);
    assert.deepEqual(milestonesOf(cd({ event: 'stop', rollback: false })), []);
    assert.deepEqual(milestonesOf(cd({ event: 'ended', rolledBack: true })), ['rolledBack']);
    assert.deepEqual(milestonesOf(cd({ event: 'ended', status: 'Succeeded' })), []);
  });

  it('Roll Back Canary completes "Roll back"; promote, switch and weight do not', () => {
    assert.deepEqual(milestonesOf(outcome({ action: 'rollback' })), ['rolledBack']);
    for (const action of ['promote', 'switch', 'weight', 'switch-back', 'probe'] as const) assert.deepEqual(milestonesOf(outcome({ action, after: { version: '2', weights: { 3: 0.5 } } })), [], action);
  });

  it('lambda-canary.json and SAM templates are function definitions', () => {
    assert.ok(isFunctionDefinition('/w/lambda-canary.json'));
    assert.ok(isFunctionDefinition('/w/template.yaml'));
    assert.ok(isFunctionDefinition('C:\\w\\Template.yml'.replace(/\\/g, '/')));
    assert.ok(!isFunctionDefinition('/w/package.json'));
    assert.ok(!isFunctionDefinition('/w/my-template.yaml'));
  });
});

describe('the walkthrough in package.json', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const walkthroughs = manifest.contributes.walkthroughs as Array<{ id: string; title: string; description: string; steps: Array<{ id: string; title: string; description: string; media: { image: string; altText: string }; completionEvents: string[] }> }>;
  const wt = walkthroughs.find((w) => w.id === WALKTHROUGH_ID);
  const text = (s: string) => (/^%.+%$/.test(s) ? nls[s.slice(1, -1)] : s);

  it('is the one the extension opens (publisher.name#id)', () => {
    assert.ok(wt, `contributes.walkthroughs has ${WALKTHROUGH_ID}`);
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.equal(WALKTHROUGH, `${EXTENSION_ID}#${WALKTHROUGH_ID}`);
  });

  it('has its texts in package.nls.json, a command button in each step, an image that exists', () => {
    assert.ok(text(wt!.title) && text(wt!.description));
    const commands = new Set((manifest.contributes.commands as Array<{ command: string }>).map((c) => c.command));
    for (const s of wt!.steps) {
      for (const k of [s.title, s.description, s.media.altText]) assert.ok(text(k), `${s.id}: ${k} has a text in package.nls.json`);
      const links = [...text(s.description).matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${s.id} has a command button`);
      for (const c of links) assert.ok(commands.has(c) && Object.values(Commands).includes(c as never), `${s.id}: ${c} is a command of the extension`);
      const image = path.join(ROOT, s.media.image);
      assert.ok(fs.existsSync(image), `${s.id}: ${s.media.image} exists`);
      assert.ok(fs.statSync(image).size < 150 * 1024, `${s.id}: ${s.media.image} is under 150 KB`);
    }
  });

  it('marks each step done by what the user did: a setting the connection writes, or a context key the extension sets', () => {
    const keys = new Set<string>(Object.values(ContextKeys));
    const settings = new Set(Object.keys(manifest.contributes.configuration.properties as object));
    for (const s of wt!.steps) {
      assert.ok(s.completionEvents.length > 0, `${s.id} has completionEvents (without them a step is done when it is merely selected)`);
      for (const e of s.completionEvents) {
        const [kind, arg] = [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1)];
        if (kind === 'onContext') assert.ok(keys.has(arg), `${s.id}: ${arg} is one of ContextKeys`);
        else if (kind === 'onSettingChanged') assert.ok(settings.has(arg), `${s.id}: ${arg} is a setting`);
        else assert.fail(`${s.id}: unexpected completion event ${e}`);
      }
    }
  });
});
