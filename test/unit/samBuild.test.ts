import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtState, duration, findOnPath, inspectSamBuild, samBuildCommand, samBuildNeed, staleBuildMessage } from '../../src/core/samBuild';
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
    });
    it('says durations in words', () => {
      assert.equal(duration(4_000), '4 s');
      assert.equal(duration(3 * 60_000), '3 min');
      assert.equal(duration(-3 * 60_000), '3 min');
      assert.equal(duration(5 * 3_600_000), '5 h');
      assert.equal(duration(3 * 86_400_000), '3 days');
    });
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
    const build = (when: Date) => {
      const out = path.join(root, 'services', 'api', '.aws-sam', 'build', 'HelloWorldFunction');
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'app.js'), 'exports.lambdaHandler = async () => ({ statusCode: 200 });\n');
      touchTree(path.join(root, 'services', 'api', '.aws-sam'), when);
      return out;
    };

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
