import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateConfig } from '../../src/core/configValidator.generated';
import { DEFAULT_JUDGE_CONFIG } from '../../src/core/rollout/judge';
import type { RolloutPlan } from '../../src/core/rollout/plans';
import {
  checkJudgeOptions,
  codeDeployConfigName,
  describePlan,
  DURATION_PATTERN,
  formatDuration,
  formatPlan,
  judgeConfigOf,
  MAX_BAKE_SECONDS,
  parseDuration,
  parsePlanText,
  parseRolloutSpec,
  PlanError,
  planDurationSeconds,
  planTextProblem,
  planTimeline,
  PRESET_NAMES,
  PRESET_SPELLINGS,
  presetPlan,
  validatePlan,
} from '../../src/core/rollout/plans';

/** Asserts `fn` throws a PlanError matching `message`, at `column` when given. */
function planError(fn: () => unknown, message: RegExp, column?: number): PlanError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PlanError, `expected a PlanError, got ${String(caught)}`);
  assert.match(caught.message, message);
  if (column !== undefined) assert.equal(caught.column, column, caught.message);
  return caught;
}

const steps = (plan: RolloutPlan) => plan.steps.map((s) => [s.weight, s.bakeSeconds, s.gate]);

describe('rollout plans', () => {
  describe('presets: CodeDeploy\'s predefined Lambda configurations', () => {
    it('Canary: the percentage for the interval, then the remaining traffic at once', () => {
      for (const [name, minutes] of [['Canary10Percent5Minutes', 5], ['Canary10Percent10Minutes', 10], ['Canary10Percent15Minutes', 15], ['Canary10Percent30Minutes', 30]] as const) {
        const plan = presetPlan(name)!;
        assert.deepEqual(steps(plan), [[10, minutes * 60, 'auto'], [100, 0, 'auto']], name);
        assert.equal(plan.promote, true);
        assert.equal(plan.name, name);
        assert.equal(planDurationSeconds(plan), minutes * 60);
      }
    });

    it('Linear: 10 % more at the start of each interval until all traffic is shifted (nine intervals)', () => {
      for (const [name, minutes] of [['Linear10PercentEvery1Minute', 1], ['Linear10PercentEvery2Minutes', 2], ['Linear10PercentEvery3Minutes', 3], ['Linear10PercentEvery10Minutes', 10]] as const) {
        const plan = presetPlan(name)!;
        assert.deepEqual(steps(plan), [10, 20, 30, 40, 50, 60, 70, 80, 90].map((w) => [w, minutes * 60, 'auto']).concat([[100, 0, 'auto']]), name);
        // CodeDeploy shifts the tenth increment 9 intervals after the first.
        assert.equal(planDurationSeconds(plan), 9 * minutes * 60);
      }
    });

    it('AllAtOnce: everything at once', () => {
      assert.deepEqual(steps(presetPlan('AllAtOnce')!), [[100, 0, 'auto']]);
    });

    it('are the nine, each valid, under SAM\'s and CodeDeploy\'s spellings (and CodeDeploy\'s full name)', () => {
      assert.equal(PRESET_NAMES.length, 9);
      assert.equal(PRESET_SPELLINGS.length, 18);
      for (const name of PRESET_NAMES) {
        const plan = presetPlan(name)!;
        validatePlan(plan);
        assert.deepEqual(presetPlan(`Lambda${name}`), plan);
        assert.deepEqual(parseRolloutSpec(`Lambda${name}`), plan);
        assert.deepEqual(parsePlanText(`  lambda${name.toLowerCase()} `), plan, 'typed: any case');
        assert.equal(codeDeployConfigName(name), `CodeDeployDefault.Lambda${name}`);
      }
      assert.equal(presetPlan('Canary5Percent5Minutes'), undefined);
    });

    it('hand out copies: changing one does not change the preset', () => {
      presetPlan('Canary10Percent5Minutes')!.steps[0].weight = 50;
      assert.equal(presetPlan('Canary10Percent5Minutes')!.steps[0].weight, 10);
    });
  });

  describe('the typed form', () => {
    it('parses weights, bakes and gates, adding the 100 % promotion', () => {
      assert.deepEqual(steps(parsePlanText('10%@5m, 50%@10m manual, 100%')), [[10, 300, 'auto'], [50, 600, 'manual'], [100, 0, 'auto']]);
      assert.deepEqual(steps(parsePlanText('5%@90s,25 %@1h30m')), [[5, 90, 'auto'], [25, 5400, 'auto'], [100, 0, 'auto']]);
      assert.deepEqual(steps(parsePlanText('1 @ 2min auto, 2.5%@1h 2m 3s MANUAL')), [[1, 120, 'auto'], [2.5, 3723, 'manual'], [100, 0, 'auto']]);
      assert.deepEqual(steps(parsePlanText('50% manual')), [[50, 0, 'manual'], [100, 0, 'auto']]);
      assert.deepEqual(steps(parsePlanText('100%')), [[100, 0, 'auto']]);
      assert.equal(parsePlanText('10%@5m').name, undefined);
    });

    it('hold ends the plan without promotion', () => {
      const plan = parsePlanText('10%@1h, 20%@1h, hold');
      assert.equal(plan.promote, false);
      assert.deepEqual(steps(plan), [[10, 3600, 'auto'], [20, 3600, 'auto']]);
    });

    it('says which step, which column and what to write instead', () => {
      planError(() => parsePlanText(''), /Type a plan, e\.g\. 10%@5m/);
      planError(() => parsePlanText('10%@5m, 50%@10x'), /^Step 2 \(column 13\): '10x' is not a bake time: write it like 30s, 5m, 2h or 1h30m\.$/, 13);
      planError(() => parsePlanText('10%@5'), /'5' is not a bake time.*A number needs a unit: 5m \(minutes\) or 5s/, 5);
      planError(() => parsePlanText('10%@, 100%'), /Step 1 \(column 5\): '@' needs a bake time after it, e\.g\. @5m/, 5);
      planError(() => parsePlanText('10%@ manual'), /'@' needs a bake time/);
      planError(() => parsePlanText('10%@5m,, 100%'), /^Step 2 \(column 8\): nothing between the commas/, 8);
      planError(() => parsePlanText('10%@5m, '), /Step 2 \(column 9\): nothing between the commas/, 9);
      planError(() => parsePlanText('10%@5m, abc'), /Step 2 \(column 9\): 'abc' does not start with a weight: write it like 10%@5m/, 9);
      planError(() => parsePlanText('10%@5m maybe'), /Step 1 \(column 8\): 'maybe' is not understood: .*'manual'/, 8);
      planError(() => parsePlanText('10%@5m 20%@5m'), /'20%@5m' is not understood.*Separate steps with commas/, 8);
      planError(() => parsePlanText('10% 5m'), /'5m' is not understood/, 5);
      planError(() => parsePlanText('hold'), /'hold' needs a step before it/);
      planError(() => parsePlanText('10%@5m, hold, 50%'), /Step 2 \(column 9\): 'hold' ends a plan \(no promotion\): put it last/, 9);
      planError(() => parsePlanText('Canary10Percent7Minutes'), /'Canary10Percent7Minutes' is not a preset: use one of Canary10Percent5Minutes, .*AllAtOnce/, 1);
      assert.equal(planTextProblem('10%@5m'), undefined);
      assert.match(planTextProblem('10%@5x')!, /not a bake time/);
    });

    it('checks the plan, pointing at the step at fault', () => {
      planError(() => parsePlanText('10%@5m, 50%@5m, 25%@5m'), /^Step 3 \(column 17\): 25 % is not more than step 2's 50 %: each step must give the new version more traffic than the one before\.$/, 17);
      planError(() => parsePlanText('10%, 10%'), /Step 2 \(column 6\): 10 % is not more than step 1's 10 %/, 6);
      planError(() => parsePlanText('0%@5m'), /Step 1 \(column 1\): 0 % sends nothing to the new version/, 1);
      planError(() => parsePlanText('10%, 120%'), /Step 2 \(column 6\): 120 % is more than all the traffic: the most is 100 %/, 6);
      planError(() => parsePlanText('10.00001%'), /has more than 4 decimals/);
      planError(() => parsePlanText('10%@25h'), /Step 1 \(column 5\): a bake of 25 h is longer than 24 h, the most one step may bake/, 5);
      planError(() => parsePlanText('10%@5m, 100%@5m'), /Step 2 \(column 14\) \(100 %\) is the promotion: it has no bake.*Bake the step before it/, 14);
      planError(() => parsePlanText('10%@5m, 100% manual'), /Step 2 .*is the promotion: it has no gate\. To ask before promoting, make step 1 manual/, 14);
      planError(() => parsePlanText('10%@5m, 100%, hold'), /Step 2 \(column 9\) is 100 %, which promotes, but the plan says not to promote/, 9);
      const many = Array.from({ length: 21 }, (_, i) => `${i + 1}%`).join(', ');
      planError(() => parsePlanText(many), /at most 20 steps \(this one has 21\)/);
      const twenty = Array.from({ length: 20 }, (_, i) => `${i + 1}%`).join(', ');
      planError(() => parsePlanText(twenty), /at most 20 steps, the 100 % promotion included \(this one has 21\)/);
      assert.equal(parsePlanText(`${twenty.split(', ').slice(0, 19).join(', ')}, 100%`).steps.length, 20);
      assert.equal(parsePlanText('10%@24h').steps[0].bakeSeconds, MAX_BAKE_SECONDS);
    });

    it('formatPlan gives the typed form back', () => {
      for (const text of ['10%@5m, 50%@10m manual, 100%', '2.5%@1h30m, 100%', '10%@1h, 20%@45s manual, hold', '50% manual, 100%', '100%']) {
        assert.equal(formatPlan(parsePlanText(text)), text);
        assert.deepEqual(parsePlanText(formatPlan(parsePlanText(text))), parsePlanText(text));
      }
      assert.equal(formatPlan(parsePlanText('10%@5m')), '10%@5m, 100%');
      for (const name of PRESET_NAMES) assert.deepEqual(parsePlanText(formatPlan(presetPlan(name)!)), presetPlan(name));
    });
  });

  describe('lambda-canary.json\'s rollout value', () => {
    it('reads steps, defaults (no bake, auto gate) and promote', () => {
      assert.deepEqual(parseRolloutSpec({ steps: [{ weight: 10, bake: '5m' }, { weight: 50, bake: '10m', gate: 'manual' }] }), {
        steps: [
          { weight: 10, bakeSeconds: 300, gate: 'auto' },
          { weight: 50, bakeSeconds: 600, gate: 'manual' },
          { weight: 100, bakeSeconds: 0, gate: 'auto' },
        ],
        promote: true,
      });
      assert.deepEqual(parseRolloutSpec({ steps: [{ weight: 10 }], promote: false }), { steps: [{ weight: 10, bakeSeconds: 0, gate: 'auto' }], promote: false });
      assert.deepEqual(steps(parseRolloutSpec({ steps: [{ weight: 10, bake: '0' }, { weight: 100 }], promote: true })), [[10, 0, 'auto'], [100, 0, 'auto']]);
    });

    it('says what is wrong and where (path in the value)', () => {
      const at = (spec: unknown, message: RegExp, where: Array<string | number>) => assert.deepEqual(planError(() => parseRolloutSpec(spec), message).path, where);
      at('Canary10Percent7Minutes', /'Canary10Percent7Minutes' is not a preset: use one of/, []);
      at('canary10percent5minutes', /is not a preset/, []);
      at(5, /must be a preset name .*, \{ "steps".* or \{ "plan"/, []);
      at(['10%'], /must be a preset name/, []);
      at({ step: [] }, /unknown key "step" \(known: steps, promote, alarms, judge, or plan\)/, ['step']);
      at({ steps: [] }, /"steps" is empty/, ['steps']);
      at({ steps: '10%' }, /"steps" must be a list of steps/, ['steps']);
      at({ steps: [{ weight: 10 }], promote: 'no' }, /"promote" must be true or false/, ['promote']);
      at({ steps: [{ weight: 10 }, 'x'] }, /step 2 must be an object/, ['steps', 1]);
      at({ steps: [{ bake: '5m' }] }, /step 1 needs "weight", a number of percent/, ['steps', 0]);
      at({ steps: [{ weight: '10%' }] }, /step 1 needs "weight"/, ['steps', 0, 'weight']);
      at({ steps: [{ weight: 10, bake: 5 }] }, /step 1: "bake" 5 is not a duration: .*A number needs a unit: "5m" \(minutes\) or "5s"/, ['steps', 0, 'bake']);
      at({ steps: [{ weight: 10, bake: '5 minutes' }] }, /"bake" "5 minutes" is not a duration/, ['steps', 0, 'bake']);
      at({ steps: [{ weight: 10, gate: 'approve' }] }, /step 1: "gate" must be "auto" or "manual"/, ['steps', 0, 'gate']);
      at({ steps: [{ weight: 10, wait: '5m' }] }, /step 1: unknown key "wait" \(known: weight, bake, gate\)/, ['steps', 0, 'wait']);
      at({ steps: [{ weight: 50 }, { weight: 20 }] }, /^step 2: 20 % is not more than step 1's 50 %/, ['steps', 1, 'weight']);
      at({ steps: [{ weight: 10, bake: '48h' }] }, /step 1: a bake of 48 h is longer than 24 h/, ['steps', 0, 'bake']);
      at({ steps: [{ weight: 100 }], promote: false }, /step 1 is 100 %, which promotes, but the plan says not to promote/, ['steps', 0, 'weight']);
      at({ steps: Array.from({ length: 21 }, (_, i) => ({ weight: i + 1 })) }, /"steps" has 21 steps: at most 20/, ['steps']);
    });

    it('accepts and refuses what the editor\'s schema does', () => {
      const validate = validateConfig as (data: unknown) => boolean;
      const good: unknown[] = [
        ...PRESET_SPELLINGS,
        { steps: [{ weight: 10, bake: '5m' }] },
        { steps: [{ weight: 0.5, bake: '1h 30m', gate: 'manual' }, { weight: 100 }], promote: true },
        { steps: [{ weight: 10, bake: '0' }], promote: false },
      ];
      const bad: unknown[] = [
        'Canary5Percent', 'canary10percent5minutes', 'CodeDeployDefault.LambdaAllAtOnce', 5, null, [],
        {}, { steps: [] }, { steps: [{}] }, { steps: [{ weight: 0 }] }, { steps: [{ weight: 101 }] }, { steps: [{ weight: '10' }] },
        { steps: [{ weight: 10, bake: '5' }] }, { steps: [{ weight: 10, bake: 300 }] }, { steps: [{ weight: 10, bake: '5m5m' }] }, { steps: [{ weight: 10, bake: '-5m' }] },
        { steps: [{ weight: 10, gate: 'yes' }] }, { steps: [{ weight: 10, x: 1 }] }, { steps: [{ weight: 10 }], extra: 1 }, { steps: [{ weight: 10 }], promote: 'no' },
        { steps: Array.from({ length: 21 }, (_, i) => ({ weight: i + 1 })) },
      ];
      for (const spec of good) {
        assert.ok(validate({ functionName: 'f', rollout: spec }), `schema accepts ${JSON.stringify(spec)}`);
        parseRolloutSpec(spec);
      }
      for (const spec of bad) {
        assert.equal(validate({ functionName: 'f', rollout: spec }), false, `schema refuses ${JSON.stringify(spec)}`);
        assert.throws(() => parseRolloutSpec(spec), PlanError, `parser refuses ${JSON.stringify(spec)}`);
      }
    });

    it('the schema lists the presets and the bake pattern this module reads', () => {
      const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../media/lambda-canary.schema.json'), 'utf8'));
      const [preset, custom] = schema.properties.rollout.oneOf;
      assert.deepEqual(preset.enum, PRESET_SPELLINGS);
      assert.equal(preset.enumDescriptions.length, PRESET_SPELLINGS.length);
      assert.equal(custom.properties.steps.items.properties.bake.pattern, DURATION_PATTERN.source);
      assert.ok(schema.properties.rollout.markdownDescription);
    });
  });

  describe('alarms and judge options', () => {
    it('reads alarms and judge settings beside steps, and beside a preset by "plan"; the string form still works', () => {
      const custom = parseRolloutSpec({ steps: [{ weight: 10, bake: '5m' }], alarms: ['checkout-5xx'], judge: { minSamples: 50 } });
      assert.deepEqual(custom.alarms, ['checkout-5xx']);
      assert.deepEqual(custom.judge, { minSamples: 50 });
      assert.deepEqual(steps(custom), [[10, 300, 'auto'], [100, 0, 'auto']]);
      const preset = parseRolloutSpec({ plan: 'LambdaCanary10Percent5Minutes', alarms: ['a', 'b'], judge: { alpha: 0.01, minDetectableIncrease: { absolute: 2 } } });
      assert.equal(preset.name, 'Canary10Percent5Minutes');
      assert.deepEqual(steps(preset), steps(presetPlan('Canary10Percent5Minutes')!));
      assert.deepEqual(preset.alarms, ['a', 'b']);
      assert.deepEqual(parseRolloutSpec('Canary10Percent5Minutes'), presetPlan('Canary10Percent5Minutes'));
      assert.equal(parseRolloutSpec({ plan: 'AllAtOnce' }).alarms, undefined);
    });

    it('judgeConfigOf merges the options over the defaults (absolute in percentage points)', () => {
      assert.deepEqual(judgeConfigOf({}), DEFAULT_JUDGE_CONFIG);
      const c = judgeConfigOf(parseRolloutSpec({ plan: 'AllAtOnce', judge: { alpha: 0.01, beta: 0.1, minDetectableIncrease: { absolute: 2 }, minSamples: 50, latencyWarnRatio: 1.5, latencyFailRatio: 3 } }));
      assert.deepEqual(c, { ...DEFAULT_JUDGE_CONFIG, alpha: 0.01, beta: 0.1, minDetectableIncrease: { absolute: 0.02, relative: 2 }, minSamples: 50, latencyWarnRatio: 1.5, latencyFailRatio: 3 });
      assert.deepEqual(judgeConfigOf({ judge: { minDetectableIncrease: { relative: 3 } } }).minDetectableIncrease, { absolute: 0.01, relative: 3 });
      assert.equal(DEFAULT_JUDGE_CONFIG.minSamples, 100, 'the defaults are not changed');
    });

    it('refuses bad alarms and out-of-range judge settings, saying where and what to write', () => {
      const at = (spec: unknown, message: RegExp, where: Array<string | number>) => assert.deepEqual(planError(() => parseRolloutSpec(spec), message).path, where);
      const s = [{ weight: 10 }];
      at({ steps: s, alarms: 'checkout-5xx' }, /"alarms" must be a list of CloudWatch alarm names/, ['alarms']);
      at({ steps: s, alarms: [5] }, /alarm 1 must be an alarm's name in quotes/, ['alarms', 0]);
      at({ steps: s, alarms: ['ok', ''] }, /alarm 2 is empty/, ['alarms', 1]);
      at({ steps: s, alarms: ['x'.repeat(256)] }, /alarm 1 is 256 characters long: CloudWatch alarm names have at most 255/, ['alarms', 0]);
      at({ steps: s, alarms: ['a\tb'] }, /alarm 1 has a control character/, ['alarms', 0]);
      at({ steps: s, alarms: ['a', 'a'] }, /alarm 2: "a" is named twice/, ['alarms', 1]);
      at({ steps: s, alarms: Array.from({ length: 101 }, (_, i) => `a${i}`) }, /names 101 alarms: at most 100/, ['alarms']);
      at({ steps: s, judge: 50 }, /"judge" must be an object/, ['judge']);
      at({ steps: s, judge: { minSample: 5 } }, /unknown key "minSample" \(known: alpha, beta/, ['judge', 'minSample']);
      for (const alpha of [0, 0.5, -1, '0.05', Number.NaN]) at({ steps: s, judge: { alpha } }, /"alpha" must be a chance between 0 and 0.5/, ['judge', 'alpha']);
      at({ steps: s, judge: { beta: 0.6 } }, /"beta" must be a chance between 0 and 0.5/, ['judge', 'beta']);
      at({ steps: s, judge: { minSamples: 0 } }, /"minSamples" .* a whole number from 1 to 100000, not 0/, ['judge', 'minSamples']);
      at({ steps: s, judge: { minSamples: 10.5 } }, /"minSamples"/, ['judge', 'minSamples']);
      at({ steps: s, judge: { minSamples: 100_001 } }, /"minSamples"/, ['judge', 'minSamples']);
      at({ steps: s, judge: { minDetectableIncrease: 1 } }, /"minDetectableIncrease" must be \{ "absolute": 1, "relative": 2 \}/, ['judge', 'minDetectableIncrease']);
      at({ steps: s, judge: { minDetectableIncrease: { absolute: 0 } } }, /absolute" is in percentage points, above 0 and below 100/, ['judge', 'minDetectableIncrease', 'absolute']);
      at({ steps: s, judge: { minDetectableIncrease: { relative: 0.5 } } }, /relative" is a factor of the stable's error rate, from 1 to 100/, ['judge', 'minDetectableIncrease', 'relative']);
      at({ steps: s, judge: { minDetectableIncrease: { ratio: 2 } } }, /unknown key "ratio" \(known: absolute, relative\)/, ['judge', 'minDetectableIncrease', 'ratio']);
      at({ steps: s, judge: { latencyWarnRatio: 0.9 } }, /"latencyWarnRatio" is canary p99 \/ stable p99, from 1 to 100/, ['judge', 'latencyWarnRatio']);
      at({ steps: s, judge: { latencyFailRatio: 1.1 } }, /the fail ratio \(1.1×\) must be above the warn ratio \(1.2×, the default\)/, ['judge', 'latencyFailRatio']);
      at({ steps: s, judge: { latencyWarnRatio: 2 } }, /the fail ratio \(1.5×, the default\) must be above the warn ratio \(2×\)/, ['judge', 'latencyWarnRatio']);
      at({ steps: s, judge: { latencyWarnRatio: 2, latencyFailRatio: 2 } }, /must be above the warn ratio/, ['judge', 'latencyFailRatio']);
      at({ plan: 'AllAtOnce', steps: s }, /unknown key "steps": a preset has its own steps; use "plan" or "steps", not both/, ['steps']);
      at({ plan: 'AllAtOnce', promote: false }, /unknown key "promote": a preset has its own steps/, ['promote']);
      at({ plan: 'Canary5Percent' }, /'Canary5Percent' is not a preset/, ['plan']);
      at({ plan: 5 }, /"plan" must be a preset's name/, ['plan']);
      assert.doesNotThrow(() => checkJudgeOptions({ latencyWarnRatio: 2, latencyFailRatio: 3 }));
      assert.throws(() => validatePlan({ ...presetPlan('AllAtOnce')!, alarms: ['a', 'a'] }), /named twice/);
      assert.throws(() => validatePlan({ ...presetPlan('AllAtOnce')!, judge: { alpha: 1 } }), /"alpha" must be a chance/);
    });

    it('the editor\'s schema accepts and refuses the same', () => {
      const validate = validateConfig as (data: unknown) => boolean;
      const good: unknown[] = [
        { steps: [{ weight: 10, bake: '5m' }], alarms: ['checkout-5xx'], judge: { minSamples: 50 } },
        { plan: 'Canary10Percent5Minutes', alarms: ['a', 'b'] },
        { plan: 'LambdaAllAtOnce', judge: { alpha: 0.01, beta: 0.1, minDetectableIncrease: { absolute: 2, relative: 3 }, latencyWarnRatio: 1.3, latencyFailRatio: 2 } },
        { steps: [{ weight: 10 }], alarms: [] },
      ];
      const bad: unknown[] = [
        { steps: [{ weight: 10 }], alarms: 'a' },
        { steps: [{ weight: 10 }], alarms: [''] },
        { steps: [{ weight: 10 }], alarms: ['a', 'a'] },
        { steps: [{ weight: 10 }], alarms: ['x'.repeat(256)] },
        { steps: [{ weight: 10 }], alarms: ['a\nb'] },
        { steps: [{ weight: 10 }], alarms: Array.from({ length: 101 }, (_, i) => `a${i}`) },
        { steps: [{ weight: 10 }], judge: { alpha: 0.5 } },
        { steps: [{ weight: 10 }], judge: { minSamples: 0 } },
        { steps: [{ weight: 10 }], judge: { minSamples: 1.5 } },
        { steps: [{ weight: 10 }], judge: { other: 1 } },
        { steps: [{ weight: 10 }], judge: { minDetectableIncrease: { absolute: 0 } } },
        { plan: 'Canary5Percent' },
        { plan: 'AllAtOnce', steps: [{ weight: 10 }] },
        { plan: 'AllAtOnce', promote: true },
      ];
      for (const spec of good) {
        assert.ok(validate({ functionName: 'f', rollout: spec }), `schema accepts ${JSON.stringify(spec)}`);
        parseRolloutSpec(spec);
      }
      for (const spec of bad) {
        assert.equal(validate({ functionName: 'f', rollout: spec }), false, `schema refuses ${JSON.stringify(spec)}`);
        assert.throws(() => parseRolloutSpec(spec), PlanError, `parser refuses ${JSON.stringify(spec)}`);
      }
    });

    it('formatPlan and describePlan mention the alarms; the typed form reads them back', () => {
      const plan = parseRolloutSpec({ steps: [{ weight: 10, bake: '5m' }], alarms: ['checkout-5xx', 'api p99'] });
      assert.equal(formatPlan(plan), '10%@5m, 100%; alarms: checkout-5xx, api p99');
      assert.deepEqual(parsePlanText(formatPlan(plan)), plan);
      const preset = parseRolloutSpec({ plan: 'Canary10Percent5Minutes', alarms: ['checkout-5xx'] });
      assert.equal(formatPlan(preset), 'Canary10Percent5Minutes; alarms: checkout-5xx');
      assert.deepEqual(parsePlanText(formatPlan(preset)), preset);
      assert.equal(describePlan(preset), '10 % for 5 min, then 100 %; fails a step when alarm checkout-5xx is in ALARM');
      assert.equal(describePlan(plan), '10 % for 5 min, then 100 %; fails a step when any of alarms checkout-5xx, api p99 is in ALARM');
      assert.equal(describePlan(presetPlan('AllAtOnce')!), '100 % at once');
      planError(() => parsePlanText('10%@5m; alarm x'), /Column 8: after ';' a plan takes its alarms/, 8);
      planError(() => parsePlanText('10%@5m; alarms:'), /'alarms:' needs at least one alarm name/);
      planError(() => parsePlanText('10%@5m; alarms: a, a'), /"a" is named twice/);
      planError(() => parsePlanText('10%@5m; alarms: a,, b'), /Alarm 2 is empty/);
    });
  });

  describe('durations', () => {
    it('reads h, m (min) and s, in that order, as whole numbers', () => {
      const cases: Array<[string, number | undefined]> = [['0', 0], ['0s', 0], ['45s', 45], ['5m', 300], ['5min', 300], ['2h', 7200], ['1h30m', 5400], [' 1h 2m 3s ', 3723], ['90m', 5400],
        ['5', undefined], ['', undefined], ['m', undefined], ['5x', undefined], ['1.5h', undefined], ['30s1m', undefined], ['5m5m', undefined], ['-1m', undefined]];
      for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
    });

    it('formats for people', () => {
      assert.equal(formatDuration(300), '5 min');
      assert.equal(formatDuration(5400), '1 h 30 min');
      assert.equal(formatDuration(3723), '1 h 2 min 3 s');
      assert.equal(formatDuration(0), '0 s');
    });
  });

  describe('describePlan', () => {
    it('says the plan in one line', () => {
      assert.equal(describePlan(presetPlan('Canary10Percent5Minutes')!), '10 % for 5 min, then 100 %');
      assert.equal(describePlan(presetPlan('Canary10Percent30Minutes')!), '10 % for 30 min, then 100 %');
      assert.equal(describePlan(presetPlan('Linear10PercentEvery1Minute')!), '10 % → 90 % in steps of 10 %, 1 min each, then 100 %');
      assert.equal(describePlan(presetPlan('Linear10PercentEvery10Minutes')!), '10 % → 90 % in steps of 10 %, 10 min each, then 100 %');
      assert.equal(describePlan(presetPlan('AllAtOnce')!), '100 % at once');
      assert.equal(describePlan(parsePlanText('10%@5m, 50%@10m manual, 100%')), '10 % for 5 min, 50 % for 10 min, wait for approval, then 100 %');
      assert.equal(describePlan(parsePlanText('2.5%@1h30m, 10%')), '2.5 % for 1 h 30 min, 10 %, then 100 %');
      assert.equal(describePlan(parsePlanText('10%@1h, hold')), '10 % for 1 h, then stay at 10 % (no promotion)');
      assert.equal(describePlan(parsePlanText('25%@1m, 50%@1m, 75%@1m')), '25 % → 75 % in steps of 25 %, 1 min each, then 100 %');
      assert.equal(describePlan(parsePlanText('25%@1m, 50%@2m, 75%@1m')), '25 % for 1 min, 50 % for 2 min, 75 % for 1 min, then 100 %');
    });
  });

  describe('planTimeline', () => {
    it('lays the steps end to end from the start', () => {
      const start = Date.UTC(2026, 0, 1, 12);
      const t = planTimeline(presetPlan('Canary10Percent5Minutes')!, new Date(start));
      assert.deepEqual(t.segments, [
        { step: 0, weight: 10, startsAt: start, endsAt: start + 300_000, gate: 'auto', earliest: false },
        { step: 1, weight: 100, startsAt: start + 300_000, endsAt: start + 300_000, gate: 'auto', earliest: false },
      ]);
      assert.equal(t.endsAt, start + 300_000);
      assert.equal(t.finalWeight, 100);
      assert.equal(t.waitsForApproval, false);
      assert.equal(planTimeline(presetPlan('Linear10PercentEvery2Minutes')!, start).endsAt, start + 18 * 60_000);
    });

    it('marks the times after a manual gate as the earliest, and a held plan\'s final weight', () => {
      const t = planTimeline(parsePlanText('10%@5m manual, 50%@10m, hold'), 0);
      assert.deepEqual(t.segments.map((s) => [s.weight, s.startsAt, s.endsAt, s.earliest]), [[10, 0, 300_000, false], [50, 300_000, 900_000, true]]);
      assert.equal(t.finalWeight, 50);
      assert.equal(t.waitsForApproval, true);
    });
  });

  describe('validatePlan', () => {
    it('refuses a plan built elsewhere (e.g. read back) that cannot run, with the path of the fault', () => {
      assert.deepEqual(planError(() => validatePlan({ steps: [], promote: true }), /at least one step/).path, ['steps']);
      assert.deepEqual(planError(() => validatePlan({ steps: [{ weight: 10, bakeSeconds: 1.5, gate: 'auto' }, { weight: 100, bakeSeconds: 0, gate: 'auto' }], promote: true }), /whole number of seconds/).path, ['steps', 0, 'bake']);
      planError(() => validatePlan({ steps: [{ weight: 10, bakeSeconds: 60, gate: 'auto' }], promote: true }), /A plan that promotes ends with a 100 % step/);
      planError(() => validatePlan({ steps: [{ weight: Number.NaN, bakeSeconds: 0, gate: 'auto' }], promote: false }), /must be a number of percent/);
      planError(() => validatePlan({ steps: [{ weight: 10, bakeSeconds: 0, gate: 'later' as 'auto' }], promote: false }), /the gate must be 'auto' or 'manual'/);
    });
  });
});
