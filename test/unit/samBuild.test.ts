import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtState, duration, findOnPath, inspectSamBuild, privateBuildDir, samBuildCommand, samBuildId, samBuildNeed, staleBuildMessage } from '../../src/core/samBuild';
import { discoverFunctions } from '../../src/core/workspace';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/sam');

describe('samBuild: which SAM functions are published from `sam build` output', () => {
  describe('samBuildNeed (the decision table)', () => {
    const need = (input: Partial<Parameters<typeof samBuildNeed>[0]>) => samBuildNeed({ files: [], missingDependencies: [], ...input });
    const rows: Array<[string, Partial<Parameters<typeof samBuildNeed>[0]>, { reasons: RegExp[]; depsOnly: boolean } | undefined]> = [
      ['a JavaScript handler, nothing missing', { runtime: 'nodejs20.x', handler: 'app.handler', files: ['app.js', 'package.json'] }, undefined],
      ['Metadata.BuildMethod esbuild', { buildMethod: 'esbuild', runtime: 'nodejs20.x', handler: 'app.handler', files: ['app.js'] }, { reasons: [/BuildMethod is esbuild/], depsOnly: false }],
      ['Metadata.BuildMethod makefile', { buildMethod: 'makefile', runtime: 'provided.al2023', files: ['Makefile'] }, { reasons: [/BuildMethod is makefile/], depsOnly: false }],
      ['a TypeScript handler (app.ts, no app.js)', { runtime: 'nodejs20.x', handler: 'app.lambdaHandler', files: ['app.ts', 'tsconfig.json'] }, { reasons: [/TypeScript \(app\.ts, no app\.js\)/], depsOnly: false }],
      ['a TypeScript handler in a folder (src/app.mts)', { runtime: 'nodejs20.x', handler: 'src/app.handler', files: ['src/app.mts'] }, { reasons: [/src\/app\.mts/], depsOnly: false }],
      ['app.ts beside a compiled app.js', { runtime: 'nodejs20.x', handler: 'app.handler', files: ['app.ts', 'app.js'] }, undefined],
      ['a Maven project without classes', { runtime: 'java21', handler: 'helloworld.App::handleRequest', files: ['pom.xml', 'src/main/java/helloworld/App.java'] }, { reasons: [/Java project \(pom\.xml\)/], depsOnly: false }],
      ['a Gradle project with its jar in lib/', { runtime: 'java17', handler: 'helloworld.App::handleRequest', files: ['build.gradle', 'lib/app.jar'] }, undefined],
      ['a Gradle project with the class compiled', { runtime: 'java17', handler: 'helloworld.App::handleRequest', files: ['build.gradle.kts', 'helloworld/App.class'] }, undefined],
      ['a .csproj without its assembly', { runtime: 'dotnet8', handler: 'HelloWorld::HelloWorld.Function::FunctionHandler', files: ['HelloWorld.csproj', 'Function.cs'] }, { reasons: [/\.NET project \(HelloWorld\.csproj\)/], depsOnly: false }],
      ['a .csproj with its assembly built', { runtime: 'dotnet8', handler: 'HelloWorld::HelloWorld.Function::FunctionHandler', files: ['HelloWorld.csproj', 'HelloWorld.dll'] }, undefined],
      ['a Go module on provided.al2023 without bootstrap', { runtime: 'provided.al2023', handler: 'bootstrap', files: ['go.mod', 'main.go'] }, { reasons: [/Go project \(go\.mod\) with no built bootstrap/], depsOnly: false }],
      ['a Rust crate with bootstrap built', { runtime: 'provided.al2', files: ['Cargo.toml', 'bootstrap'] }, undefined],
      ['dependencies only', { runtime: 'nodejs20.x', handler: 'app.handler', files: ['app.js'], missingDependencies: ['app.js imports uuid…'] }, { reasons: [/not installed in its code folder/], depsOnly: true }],
      ['TypeScript and dependencies', { runtime: 'nodejs20.x', handler: 'app.handler', files: ['app.ts'], missingDependencies: ['…'] }, { reasons: [/TypeScript/, /not installed/], depsOnly: false }],
      ['a Python function, nothing missing', { runtime: 'python3.12', handler: 'app.lambda_handler', files: ['app.py', 'requirements.txt'] }, undefined],
    ];
    for (const [what, input, expected] of rows) {
      it(`${what}: ${expected ? (expected.depsOnly ? 'dependencies only' : 'needs a build') : 'no build'}`, () => {
        const got = need(input);
        if (!expected) return assert.equal(got, undefined, JSON.stringify(got));
        assert.ok(got, 'a build is needed');
        assert.equal(got.depsOnly, expected.depsOnly);
        assert.equal(got.reasons.length, expected.reasons.length, got.reasons.join('; '));
        expected.reasons.forEach((re, i) => assert.match(got.reasons[i], re));
      });
    }
  });

  describe('builtState and duration', () => {
    it('fresh only when the build is newer than every source; absent without one', () => {
      assert.equal(builtState(2000, 1000), 'fresh');
      assert.equal(builtState(1000, 2000), 'stale');
      assert.equal(builtState(1000, 1000), 'stale');
      assert.equal(builtState(undefined, 1000), 'absent');
      assert.equal(builtState(2000, 1000, false), 'unknown');
    });
    it('says durations in words', () => {
      assert.equal(duration(4_000), '4 s');
      assert.equal(duration(3 * 60_000), '3 min');
      assert.equal(duration(-3 * 60_000), '3 min');
      assert.equal(duration(5 * 3_600_000), '5 h');
      assert.equal(duration(3 * 86_400_000), '3 days');
    });
  });

  it("samBuildCommand: a nested stack's function by its stack path; --build-dir when given", () => {
    assert.equal(samBuildId('OrderFn', ['OrdersApp']), 'OrdersApp/OrderFn');
    assert.equal(samBuildId('Fn'), 'Fn');
    assert.deepEqual(samBuildCommand('OrdersApp/OrderFn', '/w/template.yaml', privateBuildDir('OrdersApp/OrderFn')), ['sam', 'build', 'OrdersApp/OrderFn', '--build-dir', '.aws-sam/lambda-canary/OrdersApp-OrderFn/build']);
  });

  it('samBuildCommand: --template-file only for a template not named template.yaml', () => {
    assert.deepEqual(samBuildCommand('Fn', '/w/template.yaml'), ['sam', 'build', 'Fn']);
    assert.deepEqual(samBuildCommand('Fn', '/w/template.yml'), ['sam', 'build', 'Fn', '--template-file', 'template.yml']);
    assert.deepEqual(samBuildCommand('Fn', '/w/template.json'), ['sam', 'build', 'Fn', '--template-file', 'template.json']);
  });

  describe('inspectSamBuild (a copy of the esbuild-ts fixture, mtimes set by the test)', () => {
    let root: string;
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));
    const touchTree = (dir: string, when: Date) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) fs.utimesSync(path.join(e.parentPath, e.name), when, when);
      fs.utimesSync(dir, when, when);
    };
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-sambuild-'));
      fs.cpSync(path.join(FIXTURES, 'esbuild-ts'), path.join(root, 'services', 'api'), { recursive: true });
      touchTree(path.join(root, 'services', 'api'), at(0));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const fn = () => {
      const [f] = discoverFunctions(root);
      return f;
    };
    /** What `sam build` leaves: the function's folder, and the template it writes when done; `buildDir` relative to the template's folder. */
    const build = (when: Date, buildDir = path.join('.aws-sam', 'build')) => {
      const root2 = path.join(root, 'services', 'api', buildDir);
      const out = path.join(root2, 'HelloWorldFunction');
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'app.js'), 'exports.lambdaHandler = async () => ({ statusCode: 200 });\n');
      fs.writeFileSync(path.join(root2, 'template.yaml'), 'Resources: {}\n');
      touchTree(root2, when);
      return out;
    };
    const code = (...p: string[]) => path.join(root, 'services', 'api', 'hello-world', ...p);

    it('discovery reads Metadata.BuildMethod', () => assert.equal(fn().buildMethod, 'esbuild'));

    it('absent: the message says what to run and where', () => {
      const s = inspectSamBuild(fn())!;
      assert.equal(s.built, 'absent');
      assert.deepEqual(s.command, ['sam', 'build', 'HelloWorldFunction']);
      assert.equal(s.where, 'services/api');
      assert.equal(
        staleBuildMessage(s),
        "HelloWorldFunction is published from what `sam build` makes of it (its Metadata.BuildMethod is esbuild; its handler's module is TypeScript (app.ts, no app.js)), and there is no services/api/.aws-sam/build/HelloWorldFunction. Run `sam build HelloWorldFunction` in services/api, then publish again.",
      );
    });

    it('fresh: built after the newest source (node_modules and .aws-sam are not sources)', () => {
      const out = build(at(3));
      const nm = path.join(root, 'services', 'api', 'hello-world', 'node_modules', 'esbuild');
      fs.mkdirSync(nm, { recursive: true });
      fs.writeFileSync(path.join(nm, 'index.js'), '');
      const s = inspectSamBuild(fn())!;
      assert.equal(s.built, 'fresh');
      assert.equal(s.builtDir, out);
      assert.equal(s.builtAfterMs, 3 * 60_000);
    });

    it('stale: a source changed after the build, named in the message', () => {
      build(at(3));
      const src = path.join(root, 'services', 'api', 'hello-world', 'app.ts');
      fs.utimesSync(src, at(5), at(5));
      const s = inspectSamBuild(fn())!;
      assert.equal(s.built, 'stale');
      assert.equal(s.newestSource, 'services/api/hello-world/app.ts');
      assert.match(staleBuildMessage(s), /is older than its sources \(built 2 min before the last change, to services\/api\/hello-world\/app\.ts\)\. Run `sam build HelloWorldFunction` in services\/api/);
    });

    it('stale: the template changed after the build', () => {
      build(at(3));
      fs.utimesSync(path.join(root, 'services', 'api', 'template.yaml'), at(4), at(4));
      assert.equal(inspectSamBuild(fn())!.newestSource, 'services/api/template.yaml');
      assert.equal(inspectSamBuild(fn())!.built, 'stale');
    });

    it('stale: a source deleted or renamed after the build (its folder changed)', () => {
      fs.writeFileSync(code('extra.ts'), 'export const x = 1;\n');
      touchTree(path.join(root, 'services', 'api'), at(0));
      build(at(3));
      assert.equal(inspectSamBuild(fn())!.built, 'fresh');
      fs.unlinkSync(code('extra.ts'));
      assert.equal(inspectSamBuild(fn())!.built, 'stale');
      touchTree(path.join(root, 'services', 'api', 'hello-world'), at(0));
      fs.renameSync(code('app.ts'), code('main.ts'));
      fs.utimesSync(code('main.ts'), at(0), at(0));
      assert.equal(inspectSamBuild(fn())!.built, 'stale');
    });

    it('a file written into the build folder later does not make a stale build fresh (built when sam wrote its template)', () => {
      const out = build(at(3));
      fs.utimesSync(code('app.ts'), at(5), at(5));
      assert.equal(inspectSamBuild(fn())!.built, 'stale');
      fs.writeFileSync(path.join(out, '.DS_Store'), '');
      assert.equal(inspectSamBuild(fn())!.built, 'stale');
    });

    it('a function folder without the template sam writes when done is no build, and the message says so', () => {
      build(at(3));
      fs.rmSync(path.join(root, 'services', 'api', '.aws-sam', 'build', 'template.yaml'));
      const s = inspectSamBuild(fn())!;
      assert.equal(s.built, 'absent');
      assert.match(staleBuildMessage(s), /services\/api\/\.aws-sam\/build\/HelloWorldFunction is not a finished build \(no services\/api\/\.aws-sam\/build\/template\.yaml, which `sam build` writes when it is done\)/);
    });

    it('caches and tool output in the code folder (coverage/, __pycache__/, .venv/) are not sources', () => {
      build(at(3));
      for (const d of ['coverage', '__pycache__', '.venv', '.pytest_cache']) {
        fs.mkdirSync(code(d));
        fs.writeFileSync(code(d, 'x'), 'x');
      }
      assert.equal(inspectSamBuild(fn())!.built, 'fresh');
    });

    it('past 20,000 source files the build cannot be compared: unknown, taken as out of date, and said why', () => {
      const many = code('many');
      fs.mkdirSync(many);
      for (let i = 0; i < 20_001; i++) fs.writeFileSync(path.join(many, `f${i}.ts`), '');
      touchTree(path.join(root, 'services', 'api'), at(0));
      build(at(3));
      const s = inspectSamBuild(fn())!;
      assert.equal(s.built, 'unknown');
      assert.match(staleBuildMessage(s), /cannot be compared with its sources \(more than 20000 files in its code folder\), so it is taken as out of date/);
    });

    it("Lambda Canary's own build folder counts when it is the newer build; what it runs builds there, not into .aws-sam/build", () => {
      build(at(3));
      const own = build(at(4), privateBuildDir('HelloWorldFunction'));
      const s = inspectSamBuild(fn())!;
      assert.equal(s.built, 'fresh');
      assert.equal(s.builtDir, own);
      assert.equal(s.builtLabel, 'services/api/.aws-sam/lambda-canary/HelloWorldFunction/build/HelloWorldFunction');
      assert.deepEqual(s.command, ['sam', 'build', 'HelloWorldFunction']);
      assert.deepEqual(s.runCommand, ['sam', 'build', 'HelloWorldFunction', '--build-dir', '.aws-sam/lambda-canary/HelloWorldFunction/build']);
    });

    it('inline code never needs sam build, even in a folder of TypeScript', () => {
      const dir = path.join(root, 'inline');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'template.yaml'), 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { InlineCode: "exports.handler = async () => 1", Handler: index.handler, Runtime: nodejs20.x }\n');
      fs.writeFileSync(path.join(dir, 'index.ts'), "import _ from 'lodash';\n");
      const [f] = discoverFunctions(dir);
      assert.equal(f.inlineCode, 'exports.handler = async () => 1');
      assert.equal(inspectSamBuild(f), undefined);
    });

    it('a Python function whose requirements nothing imports gets no sam build question', () => {
      const dir = path.join(root, 'py');
      fs.cpSync(path.join(FIXTURES, 'python-requirements'), dir, { recursive: true });
      const [f] = discoverFunctions(dir);
      assert.equal(inspectSamBuild(f), undefined);
    });

    it('a plain JavaScript SAM function with its dependencies needs no build', () => {
      const dir = path.join(root, 'plain');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'template.yaml'), 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: src, Handler: app.handler, Runtime: nodejs20.x }\n');
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src', 'app.js'), "exports.handler = async () => require('node:os').hostname();\n");
      const [f] = discoverFunctions(dir);
      assert.equal(inspectSamBuild(f), undefined);
    });
  });

  it("a nested stack's function: SAM's build folder under the root template, by stack path; built from the root", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-nested-'));
    try {
      fs.writeFileSync(path.join(root, 'template.yaml'), 'Resources:\n  OrdersApp:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: orders/template.yaml\n');
      fs.mkdirSync(path.join(root, 'orders', 'src'), { recursive: true });
      fs.writeFileSync(path.join(root, 'orders', 'template.yaml'), 'Resources:\n  OrderFn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: src, Handler: app.handler, Runtime: nodejs20.x, FunctionName: orders-fn }\n    Metadata: { BuildMethod: esbuild }\n');
      fs.writeFileSync(path.join(root, 'orders', 'src', 'app.ts'), 'export const handler = async () => 1;\n');
      const old = new Date(Date.now() - 60_000);
      for (const p of ['template.yaml', 'orders', 'orders/template.yaml', 'orders/src', 'orders/src/app.ts']) fs.utimesSync(path.join(root, p), old, old);
      const [f] = discoverFunctions(root);
      assert.deepEqual(f.stackPath, ['OrdersApp']);
      assert.equal(f.rootTemplate, path.join(root, 'template.yaml'));
      let s = inspectSamBuild(f)!;
      assert.equal(s.built, 'absent');
      assert.equal(s.builtLabel, '.aws-sam/build/OrdersApp/OrderFn');
      assert.deepEqual(s.command, ['sam', 'build', 'OrdersApp/OrderFn']);
      assert.equal(s.templateDir, root);
      assert.equal(s.where, 'the workspace folder');
      assert.match(staleBuildMessage(s), /there is no \.aws-sam\/build\/OrdersApp\/OrderFn\. Run `sam build OrdersApp\/OrderFn` in the workspace folder/);
      fs.mkdirSync(path.join(root, '.aws-sam', 'build', 'OrdersApp', 'OrderFn'), { recursive: true });
      fs.writeFileSync(path.join(root, '.aws-sam', 'build', 'OrdersApp', 'OrderFn', 'app.js'), 'exports.handler = async () => 1;\n');
      fs.writeFileSync(path.join(root, '.aws-sam', 'build', 'template.yaml'), 'Resources: {}\n');
      s = inspectSamBuild(f)!;
      assert.equal(s.built, 'fresh');
      assert.equal(s.builtDir, path.join(root, '.aws-sam', 'build', 'OrdersApp', 'OrderFn'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('findOnPath: an executable file in a PATH folder, not a folder or a plain file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-path-'));
    try {
      fs.writeFileSync(path.join(dir, 'plain'), '');
      fs.mkdirSync(path.join(dir, 'folder'));
      fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      const env = { PATH: ['/nonexistent', dir].join(path.delimiter) };
      assert.equal(findOnPath('tool', env), path.join(dir, 'tool'));
      if (process.platform !== 'win32') assert.equal(findOnPath('plain', env), undefined);
      assert.equal(findOnPath('folder', env), undefined);
      assert.equal(findOnPath('tool', { PATH: '' }), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
