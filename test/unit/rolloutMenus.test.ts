import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextValues } from '../../src/shared/ids';

/**
 * The alias menu during a rollout, from package.json's `when` clauses: which controls each
 * context value the tree sets shows. A tiny evaluator of the clauses used there
 * (`view == …`, `viewItem == …`, `viewItem =~ /…/`, `&&`, `||`, parentheses).
 */
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { menus: Record<string, Array<{ command: string; when?: string; group?: string }>> };
};

function shows(when: string | undefined, viewItem: string): boolean {
  if (!when) return true;
  const atoms = when
    .replace(/view == lambdaCanary\.functions/g, 'true')
    .replace(/viewItem =~ \/((?:[^/\\]|\\.)+)\//g, (_, re: string) => String(new RegExp(re).test(viewItem)))
    .replace(/viewItem == ([\w:.-]+)/g, (_, v: string) => String(v === viewItem));
  assert.match(atoms, /^[truefals&|() !]+$/, `a clause this evaluator knows: ${when}`);
  return Function(`return (${atoms});`)() as boolean;
}

function menuOf(viewItem: string, inline: boolean): string[] {
  return manifest.contributes.menus['view/item/context']
    .filter((m) => (m.group?.startsWith('inline') ?? false) === inline && shows(m.when, viewItem))
    .map((m) => m.command.replace('lambdaCanary.', ''))
    .filter((c) => /Rollout|rollOut/.test(c));
}

const running = ContextValues.aliasRollout;

describe('the alias menu during a rollout (package.json when clauses)', () => {
  it('offers the controls that apply to each status, and none to a rollout driven elsewhere', () => {
    assert.deepEqual(menuOf(running, false), ['pauseRollout', 'nextRolloutStep', 'promoteRollout', 'abortRollout']);
    assert.deepEqual(menuOf(`${running}:paused`, false), ['resumeRollout', 'nextRolloutStep', 'promoteRollout', 'abortRollout']);
    assert.deepEqual(menuOf(`${running}:halted`, false), ['resumeRollout', 'nextRolloutStep', 'promoteRollout', 'abortRollout']);
    assert.deepEqual(menuOf(`${running}:waiting`, false), ['nextRolloutStep', 'promoteRollout', 'abortRollout']);
    assert.deepEqual(menuOf(ContextValues.aliasRolloutRemote, false), []);
    assert.deepEqual(menuOf(ContextValues.aliasRolloutRemote, true), []);
  });

  it('inline: the one control that moves it on, and Abort', () => {
    assert.deepEqual(menuOf(running, true), ['pauseRollout', 'abortRollout']);
    assert.deepEqual(menuOf(`${running}:paused`, true), ['resumeRollout', 'abortRollout']);
    assert.deepEqual(menuOf(`${running}:waiting`, true), ['nextRolloutStep', 'abortRollout']);
  });

  it('Start Rollout on an alias without one (a plain one or one with a canary), Roll Out on a published version', () => {
    assert.deepEqual(menuOf(ContextValues.alias, false), ['startRollout']);
    assert.deepEqual(menuOf(ContextValues.aliasCanary, false), ['startRollout']);
    assert.deepEqual(menuOf(ContextValues.version, false), ['rollOutVersionOn']);
    assert.deepEqual(menuOf(ContextValues.versionLatest, false), []);
  });

  it('every command is in the palette (a tree action run there picks its function and version): the controls too', () => {
    const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    assert.deepEqual(hidden, []);
  });

  it('hides the alias actions that would fight a rollout (Canary This Version on…, Switch Back) on rollout aliases', () => {
    const whenOf = (command: string) => manifest.contributes.menus['view/item/context'].filter((m) => m.command === `lambdaCanary.${command}`).map((m) => m.when);
    for (const command of ['canaryThisVersionOn', 'switchBack']) {
      const whens = whenOf(command);
      assert.ok(whens.length > 0, command);
      for (const v of [ContextValues.alias, ContextValues.aliasCanary]) assert.ok(whens.some((w) => shows(w, v)), `${command} on ${v}`);
      for (const v of [running, `${running}:paused`, `${running}:halted`, `${running}:waiting`, ContextValues.aliasRolloutRemote]) assert.ok(!whens.some((w) => shows(w, v)), `no ${command} on ${v}`);
    }
  });
});
