import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../../src/core/configValidator.generated';
import { CONFIG_FILE, ConfigError, discoverWorkspace, MAX_CONFIG_FUNCTIONS, parseConfigFile, parseConfigFunctions, readConfigFile } from '../../src/core/workspace';

/** lambda-canary.json's `functions` form: several functions, the top level's defaults, errors naming the entry. */
describe('lambda-canary.json with "functions"', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-wsf-'));
    for (const dir of ['orders', 'payments', 'mail']) {
      fs.mkdirSync(path.join(root, dir));
      fs.writeFileSync(path.join(root, dir, 'index.js'), 'exports.handler = async () => 1;\n');
    }
    fs.mkdirSync(path.join(root, 'events'));
    fs.writeFileSync(path.join(root, 'events', 'order.json'), '{}');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const file = () => path.join(root, CONFIG_FILE);
  const json = (obj: unknown) => JSON.stringify(obj, null, 2);
  const read = (text: string) => readConfigFile(file(), text, root);

  /** Asserts `fn` throws a ConfigError whose message matches, at `line` when given. */
  function configError(fn: () => unknown, message: RegExp, line?: number): ConfigError {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
    assert.match(caught.message, message);
    if (line !== undefined) {
      assert.equal(caught.line, line, caught.message);
      assert.ok(caught.message.startsWith(`lambda-canary.json:${line}`), caught.message);
    }
    return caught;
  }

  /** The 1-based line of the first line of `text` that includes `needle`. */
  const lineOf = (text: string, needle: string, from = 0) => {
    const lines = text.split('\n');
    const i = lines.findIndex((l, n) => n >= from && l.includes(needle));
    assert.ok(i >= 0, `no line with ${needle}`);
    return i + 1;
  };

  it('reads every entry in the file\'s order; the top level\'s alias, rollout, ignore, build, handler and runtime are defaults, an entry\'s own key wins', () => {
    const { functions, plan } = read(
      json({
        alias: 'live',
        rollout: 'Canary10Percent5Minutes',
        ignore: ['test/**'],
        build: 'npm run build',
        handler: 'index.handler',
        runtime: 'nodejs20.x',
        functions: [
          { functionName: 'orders', codeFolder: 'orders', testEvent: 'events/order.json' },
          { functionName: 'payments', codeFolder: 'payments', alias: 'stable', rollout: 'AllAtOnce', ignore: [], build: ['make'], handler: 'main.run', runtime: 'python3.12' },
          { functionName: 'mail' },
        ],
      }),
    );
    assert.deepEqual(
      functions.map((f) => [f.functionName, path.relative(root, f.codeDir), f.alias, f.rollout?.name, f.ignore, f.build, f.handler, f.runtime]),
      [
        ['orders', 'orders', 'live', 'Canary10Percent5Minutes', ['test/**'], ['npm', 'run', 'build'], 'index.handler', 'nodejs20.x'],
        ['payments', 'payments', 'stable', 'AllAtOnce', [], ['make'], 'main.run', 'python3.12'],
        ['mail', '', 'live', 'Canary10Percent5Minutes', ['test/**'], ['npm', 'run', 'build'], 'index.handler', 'nodejs20.x'],
      ],
    );
    assert.equal(functions[0].testEventFile, path.join(root, 'events', 'order.json'));
    assert.equal(functions[1].testEventFile, undefined, 'a test event is its entry\'s own');
    for (const f of functions) assert.equal(f.source, 'lambda-canary.json');
    assert.equal(plan?.name, 'Canary10Percent5Minutes', 'the top-level rollout is the release\'s plan');
  });

  it('without top-level keys every entry has the one-function defaults (alias prod, no plan)', () => {
    const { functions, plan } = read(json({ functions: [{ functionName: 'orders', codeFolder: 'orders' }] }));
    assert.equal(functions[0].alias, 'prod');
    assert.deepEqual(functions[0].ignore, []);
    assert.equal(functions[0].rollout, undefined);
    assert.equal(plan, undefined);
  });

  it('discoverWorkspace offers every entry, and the plan; the one-function form gives one and its rollout as the plan', () => {
    fs.writeFileSync(file(), json({ rollout: 'AllAtOnce', functions: [{ functionName: 'orders', codeFolder: 'orders' }, { functionName: 'payments', codeFolder: 'payments' }] }));
    const d = discoverWorkspace(root);
    assert.deepEqual(d.functions.map((f) => f.functionName), ['orders', 'payments']);
    assert.deepEqual(d.skipped, []);
    assert.equal(d.plan?.name, 'AllAtOnce');
    fs.writeFileSync(file(), json({ functionName: 'orders', codeFolder: 'orders', rollout: 'Linear10PercentEvery1Minute' }));
    const one = discoverWorkspace(root);
    assert.deepEqual(one.functions.map((f) => f.functionName), ['orders']);
    assert.equal(one.plan?.name, 'Linear10PercentEvery1Minute');
    assert.equal(one.functions[0].rollout?.name, 'Linear10PercentEvery1Minute');
    fs.writeFileSync(file(), json({ functionName: 'orders', codeFolder: 'orders' }));
    assert.equal('plan' in discoverWorkspace(root), false);
  });

  it('parseConfigFile reads the one-function form (and a one-entry list); parseConfigFunctions reads both', () => {
    const two = json({ functions: [{ functionName: 'orders', codeFolder: 'orders' }, { functionName: 'payments', codeFolder: 'payments' }] });
    assert.deepEqual(parseConfigFunctions(file(), two, root).map((f) => f.functionName), ['orders', 'payments']);
    configError(() => parseConfigFile(file(), two, root), /lists 2 functions under "functions", where one is expected/);
    assert.equal(parseConfigFile(file(), json({ functions: [{ functionName: 'mail' }] }), root).functionName, 'mail');
    assert.deepEqual(parseConfigFunctions(file(), json({ functionName: 'mail' }), root).map((f) => f.functionName), ['mail']);
  });

  it('is one form or the other: both, or neither, is an error saying so', () => {
    const both = '{\n  "functionName": "orders",\n  "functions": [{ "functionName": "payments" }]\n}';
    configError(() => read(both), /has both "functionName" and "functions": .* keep one of them/, 3);
    configError(() => read('{ "alias": "live" }'), /"functionName" is required: .*\(or "functions", a list of them\)/);
  });

  it('refuses codeFolder, testEvent and codeDeploy at the top level beside "functions": they belong in each entry', () => {
    for (const [key, value] of [['codeFolder', '"orders"'], ['testEvent', '"events/order.json"'], ['codeDeploy', '{}']] as const) {
      const text = `{\n  "functions": [{ "functionName": "orders" }],\n  "${key}": ${value}\n}`;
      configError(() => read(text), new RegExp(`^lambda-canary\\.json:3: "${key}" belongs in each entry of "functions": the top level gives every entry only alias, rollout, ignore, build, handler, runtime\\.`), 3);
    }
    // An unknown top-level key lists this form's keys.
    configError(() => read('{\n  "functions": [{ "functionName": "orders" }],\n  "aliases": "x"\n}'), /unknown key "aliases" \(known: functions, alias, rollout, ignore, build, handler, runtime, stages\)/, 3);
  });

  it('names the entry and its key, at its line, for what the schema refuses', () => {
    // `above`: the line of the entry itself (its `{`), above its first key.
    const at = (entries: unknown[], message: RegExp, needle: string, above = 0) => {
      const text = json({ alias: 'live', functions: entries });
      configError(() => read(text), message, lineOf(text, needle, lineOf(text, '"functions"')) - above);
    };
    at([{ functionName: 'orders' }, { functionName: 'payments', codeFolder: 7 }], /^lambda-canary\.json:\d+: "functions\[1\]\.codeFolder" must be a string\.$/, '"codeFolder": 7');
    at([{ functionName: 'orders', ignore: 'x' }], /"functions\[0\]\.ignore" must be an array of strings\./, '"ignore": "x"');
    at([{ functionName: 'orders', build: 5 }], /"functions\[0\]\.build" must be a string or an array of strings\./, '"build": 5');
    at([{ functionName: 'orders' }, { functionName: 'bad name' }], /"functions\[1\]\.functionName" 'bad name' is not a Lambda function name \(1-64 letters, digits, - or _\)\./, '"bad name"');
    at([{ functionName: 'orders', alias: '123' }], /"functions\[0\]\.alias" '123' is not a valid alias name/, '"123"');
    at([{ functionName: 'orders' }, { functionName: 'payments', codeFolders: 'payments' }], /"functions\[1\]": unknown key "codeFolders" \(known: functionName, codeFolder, handler, runtime, alias, build, ignore, testEvent, codeDeploy, rollout\)\./, '"codeFolders"');
    at([{ functionName: 'orders' }, { codeFolder: 'payments' }], /"functions\[1\]" has no "functionName": the name of the deployed Lambda function\./, '"codeFolder": "payments"', 1);
    at([{ functionName: 'orders' }, 'payments'], /"functions\[1\]" must be an object, e.g\. \{ "functionName": "my-fn" \}\./, '"payments"');
  });

  it('names the entry and its key for what is checked beyond the schema: folders, events, rollout, codeDeploy', () => {
    const at = (entry: Record<string, unknown>, message: RegExp, needle: string) => {
      const text = json({ functions: [{ functionName: 'orders', codeFolder: 'orders' }, { functionName: 'payments', ...entry }] });
      configError(() => read(text), message, lineOf(text, needle, lineOf(text, '"payments"')));
    };
    at({ codeFolder: 'nope' }, /"functions\[1\]\.codeFolder" 'nope' is not a folder in the workspace\./, '"codeFolder"');
    at({ codeFolder: '../..' }, /"functions\[1\]\.codeFolder": '\.\.\/\.\.' points outside the workspace folder\./, '"codeFolder"');
    at({ testEvent: 'events/nope.json' }, /"functions\[1\]\.testEvent" 'events\/nope\.json' does not exist\./, '"testEvent"');
    at({ testEvent: '../event.json' }, /"functions\[1\]\.testEvent": '\.\.\/event\.json' points outside/, '"testEvent"');
    at({ build: '  ' }, /"functions\[1\]\.build" is empty\./, '"build"');
    at({ rollout: { steps: [{ weight: 50 }, { weight: 20 }] } }, /"functions\[1\]\.rollout": step 2: 20 % is not more than step 1's 50 %/, '"weight": 20');
    at({ rollout: 'Canary10Percent7Minutes' }, /"functions\[1\]\.rollout": 'Canary10Percent7Minutes' is not a preset/, '"rollout"');
    at({ codeDeploy: { serviceRoleArn: 'CodeDeployLambda' } }, /"functions\[1\]\.codeDeploy\.serviceRoleArn" 'CodeDeployLambda' is not an IAM role ARN/, '"serviceRoleArn"');
    at({ codeDeploy: { role: 'x' } }, /"functions\[1\]\.codeDeploy": unknown key "role"/, '"role"');
    const cd = read(json({ functions: [{ functionName: 'orders', codeDeploy: { application: 'shop', deploymentGroup: 'orders-live' } }] })).functions[0].codeDeploy;
    assert.deepEqual(cd, { application: 'shop', deploymentGroup: 'orders-live' });
  });

  it('a top-level default that is wrong is named as the top-level key, at its line', () => {
    configError(() => read('{\n  "alias": "123",\n  "functions": [{ "functionName": "orders" }]\n}'), /^lambda-canary\.json:2: "alias" '123' is not a valid alias name/, 2);
    configError(() => read('{\n  "rollout": "Canary10Percent7Minutes",\n  "functions": [{ "functionName": "orders" }]\n}'), /^lambda-canary\.json:2: "rollout": 'Canary10Percent7Minutes' is not a preset/, 2);
    configError(() => read('{\n  "build": [],\n  "functions": [{ "functionName": "orders" }]\n}'), /^lambda-canary\.json:2: "build" is empty\./, 2);
    // The entry's own key replaces a default: a wrong default it overrides is still reported (the file is wrong).
    configError(() => read('{\n  "ignore": "x",\n  "functions": [{ "functionName": "orders", "ignore": [] }]\n}'), /^lambda-canary\.json:2: "ignore" must be an array of strings/, 2);
  });

  it('names the first problem in the order of the file, across entries', () => {
    const text = '{\n  "functions": [\n    { "functionName": "orders", "alias": 5 },\n    { "functionName": 6 }\n  ],\n  "runtime": 7\n}';
    configError(() => read(text), /^lambda-canary\.json:3: "functions\[0\]\.alias" must be a string\./, 3);
    const later = '{\n  "runtime": 7,\n  "functions": [\n    { "functionName": "orders", "alias": 5 }\n  ]\n}';
    configError(() => read(later), /^lambda-canary\.json:2: "runtime" must be a string\./, 2);
  });

  it('refuses the same function twice, naming both entries, at the second', () => {
    const text = json({ functions: [{ functionName: 'orders', codeFolder: 'orders' }, { functionName: 'payments' }, { functionName: 'orders', codeFolder: 'mail', alias: 'beta' }] });
    configError(() => read(text), /"functions\[2\]\.functionName" 'orders' is listed twice: functions\[0\] and functions\[2\] name the same function/, lineOf(text, '"orders"', lineOf(text, '"payments"')));
    // Names differing in case are different functions.
    assert.equal(read(json({ functions: [{ functionName: 'orders' }, { functionName: 'Orders' }] })).functions.length, 2);
  });

  it(`holds 1 to ${MAX_CONFIG_FUNCTIONS} entries`, () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ functionName: `fn-${i}` }));
    assert.equal(MAX_CONFIG_FUNCTIONS, 200);
    const max = read(json({ functions: entries(200) })).functions;
    assert.equal(max.length, 200);
    assert.equal(max[199].functionName, 'fn-199');
    configError(() => read(json({ functions: entries(201) })), /^lambda-canary\.json:2: "functions" lists 201 functions: at most 200\./, 2);
    configError(() => read('{\n  "functions": []\n}'), /"functions" is empty: list at least one function/, 2);
    configError(() => read('{\n  "functions": { "functionName": "orders" }\n}'), /"functions" must be an array of functions, e\.g\. \[\{ "functionName": "my-fn" \}\]\./, 2);
  });

  it("the editor's schema accepts and refuses the same forms", () => {
    const validate = validateConfig as (data: unknown) => boolean;
    const good: unknown[] = [
      { functionName: 'orders' },
      { functionName: 'orders', codeFolder: 'orders', codeDeploy: {}, testEvent: 'e.json' },
      { $schema: 'x', alias: 'live', rollout: 'AllAtOnce', ignore: [], build: 'make', handler: 'h', runtime: 'r', functions: [{ functionName: 'orders', codeFolder: 'o', testEvent: 'e.json', codeDeploy: { application: 'a' }, rollout: { steps: [{ weight: 10 }] } }] },
      { functions: Array.from({ length: 200 }, (_, i) => ({ functionName: `f${i}` })) },
    ];
    const bad: unknown[] = [
      {},
      { alias: 'live' },
      { functionName: 'orders', functions: [{ functionName: 'payments' }] },
      { functions: [] },
      { functions: Array.from({ length: 201 }, (_, i) => ({ functionName: `f${i}` })) },
      { functions: [{ codeFolder: 'o' }] },
      { functions: [{ functionName: 'o', functions: [] }] },
      { functions: [{ functionName: 'o' }], codeFolder: 'o' },
      { functions: [{ functionName: 'o' }], testEvent: 'e.json' },
      { functions: [{ functionName: 'o' }], codeDeploy: {} },
      { functions: [{ functionName: 'o', rollout: 'Nope' }] },
      { functions: [{ functionName: 'o', codeDeploy: { application: 'has spaces' } }] },
      { functions: [{ functionName: 'bad name' }] },
    ];
    for (const cfg of good) assert.ok(validate(cfg), `schema accepts ${JSON.stringify(cfg).slice(0, 120)}`);
    for (const cfg of bad) assert.equal(validate(cfg), false, `schema refuses ${JSON.stringify(cfg).slice(0, 120)}`);
  });
  describe('"stages"', () => {
    const base = { functions: [{ functionName: 'orders', codeFolder: 'orders' }, { functionName: 'payments', codeFolder: 'payments' }] };
    const withStages = (stages: unknown) => json({ ...base, stages });

    it('reads the stages in order, each with its alias and, when named, its profile, region or local endpoint; discovery and the release definition carry them', () => {
      const stages = [
        { name: 'staging', alias: 'staging', region: 'eu-west-1' },
        { name: 'prod', alias: 'live', profile: 'prod-account' },
        { name: 'local', alias: 'dev', endpoint: 'http://127.0.0.1:4566' },
      ];
      fs.writeFileSync(file(), withStages(stages));
      assert.deepEqual(read(withStages(stages)).stages, stages);
      assert.deepEqual(discoverWorkspace(root).stages, stages);
      // The one-function form takes stages too.
      assert.deepEqual(read(json({ functionName: 'orders', codeFolder: 'orders', stages: stages.slice(0, 1) })).stages, stages.slice(0, 1));
      assert.equal(read(json(base)).stages, undefined);
    });

    it('refuses a duplicate name, a missing alias, more than 10 stages, unknown keys, a remote endpoint, naming the stage and its line', () => {
      const text = withStages([{ name: 'staging', alias: 'staging' }, { name: 'staging', alias: 'prod' }]);
      configError(() => read(text), /"stages\[1\]\.name" 'staging' is listed twice: stages\[0\] and stages\[1\]/, lineOf(text, '"name": "staging"', lineOf(text, '"alias": "staging"')));
      configError(() => read(withStages([{ name: 'staging' }])), /"stages\[0\]" \(staging\) has no "alias"/);
      configError(() => read(withStages([{ alias: 'staging' }])), /"stages\[0\]" has no "name"/);
      configError(() => read(withStages(Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, alias: `a${i}` })))), /"stages" lists 11 stages: at most 10\./);
      configError(() => read(withStages([])), /"stages" is empty/);
      configError(() => read(withStages({ name: 'x' })), /"stages" must be an array of stages/);
      configError(() => read(withStages([{ name: 'staging', alias: 'staging', acount: '1' }])), /"stages\[0\]": unknown key "acount" \(known: name, alias, profile, region, endpoint\)/);
      configError(() => read(withStages([{ name: 'staging', alias: '123' }])), /"stages\[0\]\.alias" '123' is not a valid alias name/);
      configError(() => read(withStages([{ name: 'bad name', alias: 'a' }])), /"stages\[0\]\.name" 'bad name' is not a stage name/);
      configError(() => read(withStages([{ name: 's', alias: 'a', region: 'Mars' }])), /"stages\[0\]\.region" 'Mars' is not an AWS region name/);
      configError(() => read(withStages([{ name: 's', alias: 'a', endpoint: 'https://lambda.example.com' }])), /"stages\[0\]\.endpoint" 'https:\/\/lambda\.example\.com' is not a local sandbox's address/);
      configError(() => read(withStages([{ name: 's', alias: 'a', endpoint: 'http://127.0.0.1:1', profile: 'p' }])), /names both "endpoint" and "profile"/);
      configError(() => read(withStages([{ name: 's', alias: 7 }])), /"stages\[0\]\.alias" must be a non-empty string/);
    });

    it("the editor's schema accepts and refuses the same stages", () => {
      const validate = validateConfig as (data: unknown) => boolean;
      assert.ok(validate({ ...base, stages: [{ name: 'staging', alias: 'staging' }, { name: 'prod', alias: 'prod', profile: 'p', region: 'us-east-1' }] }));
      assert.ok(validate({ functionName: 'orders', stages: [{ name: 'staging', alias: 'staging', endpoint: 'http://127.0.0.1:1' }] }));
      for (const stages of [[], [{ name: 'a' }], [{ alias: 'a' }], [{ name: 'a', alias: 'a', x: 1 }], Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, alias: 'a' }))]) {
        assert.equal(validate({ ...base, stages }), false, JSON.stringify(stages).slice(0, 80));
      }
    });
  });
});
