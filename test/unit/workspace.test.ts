import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { OperationError } from '../../src/core/errors';
import { CONFIG_FILE, ConfigError, discoverFunctions, newConfigText, parseConfigFile, parseSamTemplate, readSamTemplate, readTestEvent, splitCommand } from '../../src/core/workspace';

describe('workspace', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ws-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'index.js'), 'exports.handler = async () => 1;\n');
    fs.mkdirSync(path.join(root, 'events'));
    fs.writeFileSync(path.join(root, 'events', 'smoke.json'), '{}');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const cfgFile = () => path.join(root, CONFIG_FILE);
  const parse = (text: string) => parseConfigFile(cfgFile(), text, root);
  const json = (obj: unknown) => JSON.stringify(obj, null, 2);

  /** Asserts `fn` throws a ConfigError for `file` whose message matches, at `line` when given. */
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
      assert.match(caught.message, new RegExp(`^${path.basename(caught.file).replace('.', '\\.')}:${line}(:\\d+)?: `));
    }
    return caught;
  }

  describe('lambda-canary.json', () => {
    it('parses a full config into a WorkspaceFunction', () => {
      const fn = parse(
        json({
          $schema: './media/lambda-canary.schema.json',
          functionName: 'checkout-api',
          codeFolder: 'src',
          handler: 'index.handler',
          runtime: 'nodejs20.x',
          alias: 'live',
          build: 'npm run "build all" --  \'x y\' z',
          ignore: ['test/**', '**/*.md'],
          testEvent: 'events/smoke.json',
        }),
      );
      assert.deepEqual(fn, {
        source: 'lambda-canary.json',
        file: cfgFile(),
        workspaceRoot: root,
        functionName: 'checkout-api',
        codeDir: path.join(root, 'src'),
        handler: 'index.handler',
        runtime: 'nodejs20.x',
        alias: 'live',
        build: ['npm', 'run', 'build all', '--', 'x y', 'z'],
        ignore: ['test/**', '**/*.md'],
        testEventFile: path.join(root, 'events', 'smoke.json'),
      });
      assert.ok(path.isAbsolute(fn.codeDir));
    });

    it('defaults: codeFolder is the workspace, alias prod, no build, no ignores, no test event', () => {
      const fn = parse('{"functionName": "f"}');
      assert.equal(fn.codeDir, path.resolve(root));
      assert.equal(fn.alias, 'prod');
      assert.equal(fn.build, undefined);
      assert.deepEqual(fn.ignore, []);
      assert.equal(fn.testEventFile, undefined);
      assert.equal(fn.handler, undefined);
    });

    it('takes build as an argv array as-is', () => {
      assert.deepEqual(parse(json({ functionName: 'f', build: ['node', 'build.js', 'a b'] })).build, ['node', 'build.js', 'a b']);
    });

    it('reports invalid JSON with file:line', () => {
      const cases: Array<[string, number]> = [
        ['{\n  "functionName": "f",\n  "alias": "prod",\n}\n', 4],
        ['{\n  "functionName": "f"\n  "alias": "prod"\n}', 3],
        ['{\n  "functionName": "f",\n  "ignore": ["a",]\n}', 3],
        ['{\n  "functionName": \n}', 3],
        ['{\n  "functionName": f\n}', 2],
        ['{\n  "functionName": "f"\n}\nextra', 4],
        ['{\n  "functionName": "f",', 2],
        ['', 1],
      ];
      for (const [text, line] of cases) {
        const e = configError(() => parse(text), /invalid JSON/, line);
        assert.ok(e.message.startsWith(`lambda-canary.json:${line}`), e.message);
        assert.doesNotMatch(e.message, /position \d+/);
      }
    });

    it('requires a JSON object', () => {
      for (const text of ['[]', '"f"', 'null', '42']) configError(() => parse(text), /must hold a JSON object/);
    });

    it('refuses wrong types, naming the key and its line', () => {
      configError(() => parse('{\n  "functionName": 42\n}'), /"functionName" must be a string/, 2);
      configError(() => parse('{\n  "functionName": "f",\n  "ignore": "test/**"\n}'), /"ignore" must be an array of strings/, 3);
      configError(() => parse('{\n  "functionName": "f",\n  "ignore": ["a", 1]\n}'), /"ignore" must be an array of strings/, 3);
      configError(() => parse('{\n  "functionName": "f",\n  "build": 7\n}'), /"build" must be a string or an array of strings/, 3);
      configError(() => parse('{\n  "functionName": "f",\n  "build": ["a", null]\n}'), /"build" must be a string or an array of strings/, 3);
      configError(() => parse('{\n  "functionName": "f",\n  "alias": ["prod"]\n}'), /"alias" must be a string/, 3);
    });

    it('refuses unknown keys, listing the known ones', () => {
      const e = configError(() => parse('{\n  "functionName": "f",\n  "funtionName": "g"\n}'), /unknown key "funtionName" \(known: functionName, codeFolder, handler, runtime, alias, build, ignore, testEvent, codeDeploy, rollout, stages\)/, 3);
      assert.doesNotMatch(e.message, /\$schema/);
    });

    it('requires functionName and checks its pattern', () => {
      configError(() => parse('{"alias": "prod"}'), /"functionName" is required/);
      configError(() => parse('{\n  "functionName": "my function"\n}'), /'my function' is not a Lambda function name/, 2);
      configError(() => parse(json({ functionName: 'x'.repeat(65) })), /is not a Lambda function name/);
      configError(() => parse(json({ functionName: '' })), /is not a Lambda function name/);
      assert.equal(parse(json({ functionName: 'x'.repeat(64) })).functionName, 'x'.repeat(64));
    });

    it('checks the alias name', () => {
      configError(() => parse('{\n  "functionName": "f",\n  "alias": "123"\n}'), /"alias" '123' is not a valid alias name/, 3);
      configError(() => parse(json({ functionName: 'f', alias: 'a b' })), /not a valid alias name/);
      assert.equal(parse(json({ functionName: 'f', alias: 'v2-live_1' })).alias, 'v2-live_1');
    });

    it('refuses a codeFolder that is missing, a file, or outside the workspace', () => {
      configError(() => parse('{\n  "functionName": "f",\n  "codeFolder": "nope"\n}'), /"codeFolder" 'nope' is not a folder in the workspace/, 3);
      configError(() => parse(json({ functionName: 'f', codeFolder: 'src/index.js' })), /is not a folder/);
      const e = configError(() => parse('{\n  "functionName": "f",\n  "codeFolder": "../.."\n}'), /"codeFolder": '\.\.\/\.\.' points outside the workspace folder/, 3);
      assert.ok(e.message.startsWith('lambda-canary.json:3: "codeFolder"'), e.message);
      configError(() => parse(json({ functionName: 'f', codeFolder: os.tmpdir() })), /points outside/);
      configError(() => parse(json({ functionName: 'f', codeFolder: `../${path.basename(root)}-evil` })), /points outside/);
      assert.equal(parse(json({ functionName: 'f', codeFolder: './src/../src' })).codeDir, path.join(root, 'src'));
    });

    it('refuses a testEvent that is missing or outside the workspace', () => {
      configError(() => parse('{\n  "functionName": "f",\n  "testEvent": "events/nope.json"\n}'), /"testEvent" 'events\/nope\.json' does not exist/);
      configError(() => parse('{\n  "functionName": "f",\n  "testEvent": "../event.json"\n}'), /"testEvent": '\.\.\/event\.json' points outside/, 3);
    });

    it('refuses an empty build command', () => {
      configError(() => parse('{\n  "functionName": "f",\n  "build": "   "\n}'), /"build" is empty/, 3);
      configError(() => parse(json({ functionName: 'f', build: [] })), /"build" is empty/);
    });

    it('reads "rollout": a preset by either spelling, or steps, into a checked plan', () => {
      assert.equal(parse(json({ functionName: 'f' })).rollout, undefined);
      assert.ok(!('rollout' in parse(json({ functionName: 'f' }))));
      assert.deepEqual(parse(json({ functionName: 'f', rollout: 'Canary10Percent5Minutes' })).rollout, {
        name: 'Canary10Percent5Minutes',
        steps: [
          { weight: 10, bakeSeconds: 300, gate: 'auto' },
          { weight: 100, bakeSeconds: 0, gate: 'auto' },
        ],
        promote: true,
      });
      assert.equal(parse(json({ functionName: 'f', rollout: 'LambdaLinear10PercentEvery3Minutes' })).rollout?.steps.length, 10);
      const custom = parse(json({ functionName: 'f', rollout: { steps: [{ weight: 5, bake: '10m' }, { weight: 50, bake: '1h', gate: 'manual' }] } })).rollout!;
      assert.deepEqual(custom.steps.map((s) => [s.weight, s.bakeSeconds, s.gate]), [[5, 600, 'auto'], [50, 3600, 'manual'], [100, 0, 'auto']]);
      assert.equal(parse(json({ functionName: 'f', rollout: { steps: [{ weight: 10 }], promote: false } })).rollout?.promote, false);
    });

    it('refuses a bad "rollout", naming the step and the line of what is wrong', () => {
      const text = (rollout: unknown) => json({ functionName: 'f', alias: 'live', rollout });
      configError(() => parse(text('Canary10Percent7Minutes')), /^lambda-canary\.json:4: "rollout": 'Canary10Percent7Minutes' is not a preset: use one of Canary10Percent5Minutes, /, 4);
      configError(() => parse(text(7)), /"rollout": must be a preset name/, 4);
      // Lines: 4 "rollout", 5 "steps", 6 step 1 {, 7 weight, 8 bake, 9 }, 10 step 2 {, 11 weight, 12 bake …
      configError(() => parse(text({ steps: [{ weight: 50, bake: '5m' }, { weight: 20, bake: '5m' }] })), /"rollout": step 2: 20 % is not more than step 1's 50 %/, 11);
      configError(() => parse(text({ steps: [{ weight: 10, bake: '5m' }, { weight: 20, bake: 5 }] })), /"rollout": step 2: "bake" 5 is not a duration: .*"5m" \(minutes\)/, 12);
      configError(() => parse(text({ steps: [{ weight: 10, bake: '30h' }] })), /step 1: a bake of 30 h is longer than 24 h/, 8);
      configError(() => parse(text({ steps: [{ weight: 10, bake: '5m' }, 'x'] })), /step 2 must be an object/, 10);
      configError(() => parse(text({ steps: [{ weight: 10, wait: '5m' }] })), /step 1: unknown key "wait" \(known: weight, bake, gate\)/, 8);
      configError(() => parse(text({ steps: [{ weight: 10 }], promote: 'no' })), /"promote" must be true or false/, 10);
      configError(() => parse(text({ steps: [] })), /"steps" is empty/, 5);
    });

    it('reads a plan\'s "alarms" and "judge", beside steps or a preset, and names the line of a bad one', () => {
      const text = (rollout: unknown) => json({ functionName: 'f', alias: 'live', rollout });
      const plan = parse(text({ plan: 'Canary10Percent5Minutes', alarms: ['checkout-5xx'], judge: { minSamples: 50 } })).rollout!;
      assert.equal(plan.name, 'Canary10Percent5Minutes');
      assert.deepEqual(plan.alarms, ['checkout-5xx']);
      assert.deepEqual(plan.judge, { minSamples: 50 });
      // Lines: 4 "rollout", 5 "plan", 6 "alarms", 7 alarm 1, 8 alarm 2 …
      configError(() => parse(text({ plan: 'AllAtOnce', alarms: ['a', 'a'] })), /"rollout": alarm 2: "a" is named twice/, 8);
      configError(() => parse(text({ plan: 'AllAtOnce', judge: { alpha: 0.9 } })), /"rollout": "judge": "alpha" must be a chance between 0 and 0\.5/, 7);
    });

    it('checks the other keys first, as the schema does, whatever "rollout" holds', () => {
      configError(() => parse(json({ functionName: 'f', alias: 5, rollout: 'nope' })), /"alias" must be a string/);
    });

    it('newConfigText round-trips through parseConfigFile', () => {
      const text = newConfigText('orders-api', 'live', 'src/app.handler');
      assert.ok(text.endsWith('\n'));
      const fn = parse(text);
      assert.equal(fn.functionName, 'orders-api');
      assert.equal(fn.alias, 'live');
      assert.equal(fn.handler, 'src/app.handler');
      assert.equal(fn.codeDir, path.resolve(root));
      assert.deepEqual(fn.ignore, ['test/**', '**/*.test.js']);
      const plain = parse(newConfigText('f'));
      assert.equal(plain.alias, 'prod');
      assert.equal(plain.handler, undefined);
    });
  });

  describe('checked against the editor\'s schema', () => {
    it('refuses __proto__, constructor, toString and other Object.prototype names as unknown keys, at their line', () => {
      for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
        for (const value of ['"x"', '{}', '["a"]', 'null', '1']) {
          const e = configError(() => parse(`{\n  "functionName": "f",\n  "${key}": ${value}\n}`), new RegExp(`unknown key "${key}" \\(known: functionName, codeFolder, handler, runtime, alias, build, ignore, testEvent, codeDeploy, rollout, stages\\)`), 3);
          assert.doesNotMatch(e.message, /is not a function/);
        }
      }
      assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype is untouched');
    });

    it('names the first problem in the order of the file, with its line', () => {
      configError(() => parse('{\n  "alias": 5,\n  "functionName": 42\n}'), /^lambda-canary\.json:2: "alias" must be a string\./, 2);
      configError(() => parse('{\n  "ignore": [1],\n  "nope": 1,\n  "functionName": "f"\n}'), /"ignore" must be an array of strings/, 2);
      configError(() => parse('{\n  "functionName": "f",\n  "alias": "123"\n}'), /"alias" '123' is not a valid alias name/, 3);
      configError(() => parse('{\n  "functionName": "f",\n  "a/b~c": 1\n}'), /unknown key "a\/b~c"/, 3);
    });

    it('uses the pattern messages of the schema the editor shows', () => {
      const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../media/lambda-canary.schema.json'), 'utf8')) as { properties: Record<string, { patternErrorMessage?: string }> };
      const e = configError(() => parse(json({ functionName: 'bad name' })), /is not a Lambda function name/);
      assert.ok(e.message.endsWith(schema.properties.functionName.patternErrorMessage!), e.message);
    });

    it('the compiled validator is the one of media/lambda-canary.schema.json (regenerated and compared)', function () {
      this.timeout(20000);
      execFileSync(process.execPath, [path.resolve(__dirname, '../../../scripts/generate-config-validator.mjs'), '--check'], { stdio: 'pipe' });
    });

    it('accepts a file saved with a UTF-8 BOM', () => {
      const fn = parse('\uFEFF{\n  "functionName": "f",\n  "codeFolder": "src"\n}\n');
      assert.equal(fn.functionName, 'f');
      configError(() => parse('\uFEFF{\n  "functionName": "f",\n  "nope": 1\n}'), /unknown key "nope"/, 3);
      fs.writeFileSync(cfgFile(), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json({ functionName: 'bom-fn' }))]));
      assert.equal(discoverFunctions(root)[0].functionName, 'bom-fn');
    });

    it('accepts a SAM template with a BOM', () => {
      const fns = parseSamTemplate(path.join(root, 'template.yaml'), '\uFEFFResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n', root);
      assert.equal(fns[0].logicalId, 'F');
    });
  });

  describe('paths resolved through symlinks stay inside the workspace', () => {
    let outside: string;
    beforeEach(function () {
      if (process.platform === 'win32') this.skip();
      outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-outside-'));
      fs.writeFileSync(path.join(outside, 'id_rsa'), 'PRIVATE');
    });
    afterEach(() => outside && fs.rmSync(outside, { recursive: true, force: true }));

    it('refuses a codeFolder that is, or passes through, a symlink out of the workspace', () => {
      fs.symlinkSync(outside, path.join(root, 'code'));
      configError(() => parse('{\n  "functionName": "f",\n  "codeFolder": "code"\n}'), /"codeFolder": 'code' resolves through a symlink to .*lc-outside-.*, outside the workspace folder/, 3);
      fs.mkdirSync(path.join(outside, 'inner'));
      configError(() => parse(json({ functionName: 'f', codeFolder: 'code/inner' })), /'code\/inner' resolves through a symlink/);
    });

    it('accepts links that stay inside, and a workspace reached through a symlink', () => {
      fs.symlinkSync('src', path.join(root, 'code'));
      assert.equal(parse(json({ functionName: 'f', codeFolder: 'code' })).codeDir, path.join(root, 'code'));
      const viaLink = path.join(outside, 'ws-link');
      fs.symlinkSync(root, viaLink);
      const fn = parseConfigFile(path.join(viaLink, CONFIG_FILE), json({ functionName: 'f', codeFolder: 'src', testEvent: 'events/smoke.json' }), viaLink);
      assert.equal(fn.codeDir, path.join(viaLink, 'src'));
      assert.equal(fn.workspaceRoot, viaLink);
    });

    it('refuses a testEvent that is a symlink out of the workspace, and one naming a folder', () => {
      fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'events', 'key.json'));
      configError(() => parse('{\n  "functionName": "f",\n  "testEvent": "events/key.json"\n}'), /"testEvent": 'events\/key\.json' resolves through a symlink to .*id_rsa, outside the workspace folder/, 3);
      configError(() => parse('{\n  "functionName": "f",\n  "testEvent": "events"\n}'), /"testEvent" 'events' is a folder: name a JSON file, e\.g\. events\/smoke\.json\./, 3);
    });

    it('skips a SAM CodeUri that is a symlink out of the workspace, or an absolute path elsewhere, saying why at its line', () => {
      fs.symlinkSync(outside, path.join(root, 'fn'));
      const sam = (uri: string) => readSamTemplate(path.join(root, 'template.yaml'), `Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ${uri}\n`, root);
      for (const [uri, why] of [
        ['fn', /^"F\.CodeUri": 'fn' resolves through a symlink to .*outside the workspace folder/],
        [outside, /^"F\.CodeUri": .* points outside the workspace folder/],
      ] as const) {
        const d = sam(uri);
        assert.deepEqual(d.functions, [], 'nothing of it is offered');
        assert.equal(d.skipped.length, 1);
        assert.equal(d.skipped[0].name, 'F');
        assert.equal(d.skipped[0].line, 2);
        assert.match(d.skipped[0].reason, why);
      }
      assert.equal(sam(path.join(root, 'src')).functions[0].codeDir, path.join(root, 'src'), 'an absolute path inside is fine');
    });

    it('refuses a lambda-canary.json that is a FIFO or a folder instead of blocking or crashing', () => {
      execFileSync('mkfifo', [cfgFile()]);
      configError(() => discoverFunctions(root), /^lambda-canary\.json: is not a regular file/);
      fs.rmSync(cfgFile());
      fs.mkdirSync(cfgFile());
      configError(() => discoverFunctions(root), /^lambda-canary\.json: is a folder/);
    });
  });

  describe('readTestEvent', () => {
    const fnWith = (testEvent: string) => parse(json({ functionName: 'f', testEvent }));
    const refusesEvent = (fn: ReturnType<typeof parse>, message: RegExp) =>
      assert.throws(
        () => readTestEvent(fn),
        (e: unknown) => e instanceof OperationError && e.kind === 'validation' && message.test(e.message),
      );

    it('parses the event, BOM or not', () => {
      fs.writeFileSync(path.join(root, 'events', 'smoke.json'), '\uFEFF{"a": 1}');
      assert.deepEqual(readTestEvent(fnWith('events/smoke.json')), { a: 1 });
    });

    it('refuses invalid JSON, a folder put in its place, and one over 6 MB, naming the file', () => {
      const fn = fnWith('events/smoke.json');
      fs.writeFileSync(path.join(root, 'events', 'smoke.json'), '{');
      refusesEvent(fn, /^The test event events\/smoke\.json is not valid JSON/);
      fs.rmSync(path.join(root, 'events', 'smoke.json'));
      fs.mkdirSync(path.join(root, 'events', 'smoke.json'));
      refusesEvent(fn, /^The test event events\/smoke\.json is a folder/);
      fs.rmSync(path.join(root, 'events', 'smoke.json'), { recursive: true });
      fs.writeFileSync(path.join(root, 'events', 'smoke.json'), JSON.stringify('x'.repeat(6 * 1024 * 1024 + 1)));
      refusesEvent(fn, /is 6\.0 MB; more than 6 MB is not read/);
    });
  });

  describe('splitCommand', () => {
    it('splits on whitespace and groups quoted words', () => {
      assert.deepEqual(splitCommand('npm run build'), ['npm', 'run', 'build']);
      assert.deepEqual(splitCommand('  npm   run\tbuild  '), ['npm', 'run', 'build']);
      assert.deepEqual(splitCommand(`node "my script.js" 'a b' c`), ['node', 'my script.js', 'a b', 'c']);
      assert.deepEqual(splitCommand('echo ""'), ['echo', '']);
      assert.deepEqual(splitCommand('a;b | c'), ['a;b', '|', 'c']);
      assert.deepEqual(splitCommand(''), []);
    });
  });

  describe('SAM templates', () => {
    const tpl = () => path.join(root, 'template.yaml');
    const sam = (text: string) => parseSamTemplate(tpl(), text, root);

    const template = `# A SAM template

AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: index.handler
    Timeout: 10
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-api
      CodeUri: src/
      AutoPublishAlias: live
      Environment:
        Variables:
          TABLE: !Ref Table
          ARN: !GetAtt Table.Arn
          ARN2: !GetAtt [Table, Arn]
          NAME: !Sub '\${AWS::StackName}-orders'
          MAPPED: !Sub
            - '\${Prefix}-x'
            - Prefix: !Ref Stage
          LIST: !Join [',', [a, !Ref Stage]]
          SELECTED: !Select [0, !GetAZs '']
          IF: !If [IsProd, !Ref Stage, !Ref 'AWS::NoValue']
          IMPORTED: !ImportValue { 'Fn::Sub': '\${Stage}-x' }
  ComputedName:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub '\${AWS::StackName}-computed'
      CodeUri: .
      Handler: src/index.handler
      Runtime: nodejs22.x
  JoinedName:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Join
        - '-'
        - [!Ref Stage, joined]
      CodeUri: src
  FromS3:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri:
        Bucket: my-bucket
        Key: code.zip
  FromRef:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !Ref CodeParam
  Container:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123.dkr.ecr.us-east-1.amazonaws.com/x:latest
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code: { ZipFile: 'x' }
`;

    it('parses functions with intrinsics, Globals and AutoPublishAlias', () => {
      const fns = sam(template);
      assert.deepEqual(
        fns.map((f) => f.logicalId),
        ['OrdersFunction', 'ComputedName', 'JoinedName', 'Container'],
      );
      const [orders, computed, joined] = fns;
      assert.deepEqual(orders, {
        source: 'template.yaml',
        file: tpl(),
        workspaceRoot: root,
        logicalId: 'OrdersFunction',
        functionName: 'orders-api',
        codeDir: path.join(root, 'src'),
        handler: 'index.handler',
        runtime: 'nodejs20.x',
        alias: 'live',
        ignore: [],
        // The workspace's events/ holds one JSON file: the project's sample event, suggested.
        testEventFile: path.join(root, 'events', 'smoke.json'),
        testEventSuggested: true,
      });
      assert.equal(computed.functionName, undefined, 'an intrinsic FunctionName is unknown, not a string');
      assert.equal(computed.codeDir, path.resolve(root));
      assert.equal(computed.handler, 'src/index.handler', 'the function overrides Globals');
      assert.equal(computed.runtime, 'nodejs22.x');
      assert.equal(computed.alias, undefined, 'no AutoPublishAlias: no alias is assumed, the front end asks');
      assert.equal(joined.functionName, undefined);
      assert.equal(joined.handler, 'index.handler');
      assert.deepEqual(
        readSamTemplate(tpl(), template, root).skipped.map((s) => s.name),
        ['FromS3', 'FromRef', 'Plain'],
        'what has no local code is skipped with a reason, not dropped silently',
      );
    });

    it('resolves CodeUri relative to the template folder', () => {
      fs.mkdirSync(path.join(root, 'stack', 'fn'), { recursive: true });
      const file = path.join(root, 'stack', 'template.yaml');
      const fns = parseSamTemplate(file, 'Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: fn\n', root);
      assert.equal(fns[0].codeDir, path.join(root, 'stack', 'fn'));
    });

    it('takes CodeUri from Globals too', () => {
      const fns = sam('Globals:\n  Function:\n    CodeUri: src\n    AutoPublishAlias: blue\nResources:\n  F:\n    Type: AWS::Serverless::Function\n');
      assert.equal(fns[0].codeDir, path.join(root, 'src'));
      assert.equal(fns[0].alias, 'blue');
    });

    it('skips a CodeUri outside the workspace, saying why at the function line, and keeps its sibling', () => {
      const text = [
        '# comment',
        '',
        'Resources:',
        '  Fine:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      CodeUri: src',
        '      Environment: { Variables: { A: !Ref B, J: !Join [",", [a, b]], S: !Sub "x" } }',
        '      Layers: [',
        '        !Ref L1,',
        '        !Ref L2',
        '      ]',
        '',
        '  # the function',
        '  Escapes:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      CodeUri: ../..',
      ].join('\n');
      const d = readSamTemplate(tpl(), text, root);
      assert.deepEqual(
        d.functions.map((f) => f.logicalId),
        ['Fine'],
        'its sibling is still offered, the escaping one is not',
      );
      assert.deepEqual(
        d.skipped.map((s) => [s.name, s.line]),
        [['Escapes', 15]],
      );
      assert.match(d.skipped[0].reason, /^"Escapes\.CodeUri": '\.\.\/\.\.' points outside the workspace folder/);
    });

    it('never evaluates intrinsics: a !Ref loop or a !Sub of the whole template is just unknown', () => {
      const fns = sam('Parameters:\n  A: { Default: !Ref B }\n  B: { Default: !Ref A }\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: !Ref F\n      CodeUri: src\n      Handler: !Sub "${F}"\n');
      assert.equal(fns[0].functionName, undefined);
      assert.equal(fns[0].handler, undefined);
    });

    it('refuses an alias bomb before expanding it (billion laughs), naming the cause', () => {
      const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
      const started = Date.now();
      configError(() => sam(`${lines.join('\n')}\nResources: {}\n`), /invalid YAML: .*alias/i);
      assert.ok(Date.now() - started < 2000, 'refused at once, not after expanding');
    });

    it('refuses an alias bomb inside a resource, where a message would write it out, at once', () => {
      const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
      const started = Date.now();
      configError(() => sam(`${lines.join('\n')}\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: !Sub [*l]\n`), /invalid YAML: its aliases \(\*name\) add more than \d+ values, an alias bomb/i);
      configError(() => sam('Resources:\n  F: &f\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: [*f] }\n'), /invalid YAML: an alias \(\*name\) refers to a collection it is inside/);
      assert.ok(Date.now() - started < 2000, 'refused at once, not after expanding');
    });

    it('reads a few anchors and aliases, as PyYAML does', () => {
      const fns = sam('Metadata:\n  Common: &common { Runtime: nodejs20.x, Handler: index.handler }\nResources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties: { <<: *common, CodeUri: src, Environment: { Variables: { SHARED: &v shared } } }\n  B:\n    Type: AWS::Serverless::Function\n    Properties:\n      <<: *common\n      CodeUri: src\n      FunctionName: *v\n');
      assert.deepEqual(fns.map((f) => [f.logicalId, f.handler, f.runtime, f.functionName]), [['A', 'index.handler', 'nodejs20.x', undefined], ['B', 'index.handler', 'nodejs20.x', 'shared']]);
    });

    it('names the line of each logical id, not of a deeper key of the same name, in any line ending', () => {
      const text = '# header\nResources:\n  # a comment\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      Fn: not this one\n\n  "Fn":\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ../.. }\n  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../..\n      Description: |\n        Other: not this one either\n';
      for (const eol of ['\n', '\r\n']) {
        const d = readSamTemplate(tpl(), text.replace(/\n/g, eol), root);
        assert.deepEqual(d.skipped.map((s) => [s.name, s.line]), [['Fn', 9], ['Other', 12]], JSON.stringify(eol));
      }
    });

    it('reports broken YAML with its line', () => {
      const e = configError(() => sam('Resources:\n  F:\n    Type: AWS::Serverless::Function\n   Properties: [\n'), /invalid YAML/);
      assert.ok(e.line !== undefined && e.line >= 3, e.message);
      assert.match(e.message, /^template\.yaml:\d+(:\d+)?: invalid YAML/);
      configError(() => sam('Resources:\n  F: {\n'), /invalid YAML/);
      configError(() => sam('a: 1\na: 2\nb: [\n'), /invalid YAML/);
    });

    it('refuses a template without Resources, or empty', () => {
      configError(() => sam('AWSTemplateFormatVersion: "2010-09-09"\n'), /has no Resources section/);
      configError(() => sam(''), /is empty or not a mapping/);
      configError(() => sam('- a\n'), /no Resources|not a mapping/);
      assert.deepEqual(sam('Resources:\n  T:\n    Type: AWS::SNS::Topic\n'), []);
    });
  });

  describe('discoverFunctions', () => {
    const samText = 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n      Handler: index.handler\n';

    it('finds nothing in an empty workspace', () => {
      assert.deepEqual(discoverFunctions(root), []);
    });

    it('reads template.yaml or template.yml', () => {
      fs.writeFileSync(path.join(root, 'template.yml'), samText);
      assert.deepEqual(
        discoverFunctions(root).map((f) => [f.source, f.logicalId, f.codeDir]),
        [['template.yaml', 'Fn', path.join(root, 'src')]],
      );
      fs.renameSync(path.join(root, 'template.yml'), path.join(root, 'template.yaml'));
      assert.equal(discoverFunctions(root)[0].logicalId, 'Fn');
    });

    it('prefers lambda-canary.json over template.yaml', () => {
      fs.writeFileSync(path.join(root, 'template.yaml'), samText);
      fs.writeFileSync(cfgFile(), json({ functionName: 'from-json', codeFolder: 'src' }));
      const fns = discoverFunctions(root);
      assert.equal(fns.length, 1);
      assert.equal(fns[0].source, 'lambda-canary.json');
      assert.equal(fns[0].functionName, 'from-json');
    });

    it('surfaces a broken lambda-canary.json instead of falling back', () => {
      fs.writeFileSync(path.join(root, 'template.yaml'), samText);
      fs.writeFileSync(cfgFile(), '{ "functionName": }');
      assert.throws(() => discoverFunctions(root), ConfigError);
    });

    it('reads the sample workspace fixture', () => {
      const fixture = path.resolve(__dirname, '../../../test/fixtures/workspace');
      const [fn] = discoverFunctions(fixture);
      assert.equal(fn.functionName, 'checkout-api');
      assert.equal(fn.codeDir, path.join(fixture, 'src'));
      assert.equal(fn.testEventFile, path.join(fixture, 'events', 'smoke.json'));
    });
  });
});
