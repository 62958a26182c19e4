import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Runtime } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { runCli } from '../../src/cli/run';
import { capabilitiesOf } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import type { SamBuildChoice } from '../../src/core/samBuild';
import type { UseCaseContext } from '../../src/core/usecases';
import { deployWorkspace, promote, rollback } from '../../src/core/usecases';
import { discoverFunctions } from '../../src/core/workspace';
import { zipFiles } from '../../src/sandbox';
import { ROLE, useSandbox } from './helpers';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/sam');
const BUILT_JS = (tag: string) => `"use strict";exports.lambdaHandler=async()=>({statusCode:200,body:JSON.stringify({message:${JSON.stringify(tag)}})});\n`;

/**
 * A stand-in for the AWS SAM CLI, first on PATH: records its argv, cwd and pid, prints a few
 * lines as `sam build` does, and as `sam build <Id>` does, empties its --build-dir (default
 * .aws-sam/build), writes <build dir>/<Id>/app.js (a nested stack's under its stack path) and then
 * <build dir>/template.yaml; with FAKE_SAM_HANG it prints and then waits until it is killed.
 */
function writeFakeSam(dir: string): void {
  const script = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
fs.appendFileSync(process.env.FAKE_SAM_RECORD, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), pid: process.pid }) + '\\n');
console.log('Building codeuri: hello-world runtime: nodejs20.x metadata: {} functions: ' + process.argv[3]);
if (process.env.FAKE_SAM_FAIL) {
  console.error('Error: NodejsNpmEsbuildBuilder:EsbuildBundle - esbuild: command not found');
  process.exit(1);
}
if (process.env.FAKE_SAM_HANG) {
  console.log('Running NodejsNpmEsbuildBuilder:EsbuildBundle');
  setInterval(() => {}, 1000);
} else {
  const at = process.argv.indexOf('--build-dir');
  const buildDir = at > 0 ? process.argv[at + 1] : path.join('.aws-sam', 'build');
  fs.rmSync(buildDir, { recursive: true, force: true });
  const out = path.join(buildDir, ...process.argv[3].split('/'));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'app.js'), ${JSON.stringify(BUILT_JS('built by fake sam'))});
  fs.writeFileSync(path.join(buildDir, 'template.yaml'), 'Resources: {}\\n');
  console.error('Build Succeeded');
}
`;
  fs.writeFileSync(path.join(dir, 'sam'), script, { mode: 0o755 });
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('SAM build output and dependency warnings in Publish Canary (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 30, randomSeed: 11 });
  let n = 0;
  let fn: string;
  let root: string;
  let binDir: string;
  let record: string;
  let log: MemoryLogger;
  const savedEnv = { PATH: process.env.PATH, FAKE_SAM_RECORD: process.env.FAKE_SAM_RECORD, FAKE_SAM_HANG: process.env.FAKE_SAM_HANG, FAKE_SAM_FAIL: process.env.FAKE_SAM_FAIL };
  const T0 = new Date(Date.UTC(2026, 0, 1, 12, 0));
  const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

  const ctx = (extra: Partial<UseCaseContext> = {}): UseCaseContext => ({
    lambda: h().lambda,
    cloudwatch: h().cloudwatch,
    capabilities: capabilitiesOf({ kind: 'sandbox', endpoint: h().sandbox.endpoint, region: h().sandbox.region, embedded: false }),
    log,
    region: h().sandbox.region,
    ...extra,
  });

  /** The function with version 1 on prod, and the fixture copied to `<root>/services/api`, every file dated T0. */
  const setUp = async (fixture: string, runtime: string, handler: string): Promise<string> => {
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: runtime as Runtime, Handler: handler, Role: ROLE, Code: { ZipFile: zipFiles({ 'app.js': BUILT_JS('v1') }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
    const dir = path.join(root, 'services', 'api');
    fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
    touchTree(dir, T0);
    return dir;
  };
  const touchTree = (dir: string, when: Date) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) fs.utimesSync(path.join(e.parentPath, e.name), when, when);
    fs.utimesSync(dir, when, when);
  };
  /** What `sam build` would have left in .aws-sam/build/HelloWorldFunction, dated `when`. */
  const builtOutput = (dir: string, tag: string, when: Date) => {
    const out = path.join(dir, '.aws-sam', 'build', 'HelloWorldFunction');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'app.js'), BUILT_JS(tag));
    fs.writeFileSync(path.join(dir, '.aws-sam', 'build', 'template.yaml'), 'Resources: {}\n');
    touchTree(path.join(dir, '.aws-sam'), when);
  };
  const deploy = (samBuild?: SamBuildChoice, extra: Partial<UseCaseContext> = {}): Promise<Outcome> => {
    const [wf] = discoverFunctions(root);
    return deployWorkspace(ctx(extra), { functionName: fn, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: true, smokeTest: false, ...(samBuild ? { samBuild } : {}) });
  };
  const invokeProd = async () => {
    const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'prod' }));
    return JSON.parse(JSON.parse(Buffer.from(out.Payload!).toString()).body).message as string;
  };
  const latestSha = async () => (await h().lambda.send(new GetFunctionCommand({ FunctionName: fn }))).Configuration?.CodeSha256;
  const fakeSamRuns = () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; cwd: string; pid: number }) : []);

  beforeEach(() => {
    fn = `sam-${++n}`;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-sam-build-'));
    binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-fake-sam-'));
    record = path.join(binDir, 'runs.jsonl');
    writeFakeSam(binDir);
    process.env.PATH = [binDir, savedEnv.PATH].join(path.delimiter);
    process.env.FAKE_SAM_RECORD = record;
    delete process.env.FAKE_SAM_HANG;
    delete process.env.FAKE_SAM_FAIL;
    log = new MemoryLogger();
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(binDir, { recursive: true, force: true });
  });

  describe('the esbuild-ts fixture (Metadata.BuildMethod esbuild, a TypeScript handler)', () => {
    it('a fresh .aws-sam/build is what is published: the alias, promoted, runs the built .js; the log and the outcome say so', async () => {
      const dir = await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      builtOutput(dir, 'hello from the build', minutes(3));
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.versionsPublished.map((v) => v.version), ['2']);
      assert.ok(o.steps.some((s) => s.name === 'Use services/api/.aws-sam/build/HelloWorldFunction (built 3 min after the last source change)'), o.steps.map((s) => s.name).join(', '));
      assert.ok(log.lines.includes('info Packaging services/api/.aws-sam/build/HelloWorldFunction, built 3 min after the last source change.'), log.lines.join('\n'));
      assert.deepEqual(o.warnings, []);
      assert.equal(fakeSamRuns().length, 0, 'sam was not run');
      const p = await promote(ctx(), { functionName: fn, aliasName: 'prod' });
      assert.equal(p.state, 'done', outcomeText(p));
      assert.equal(await invokeProd(), 'hello from the build');
    });

    it('a stale build (app.ts changed after it) is refused with the command to run and where; nothing is uploaded', async () => {
      const dir = await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      builtOutput(dir, 'old build', minutes(3));
      fs.utimesSync(path.join(dir, 'hello-world', 'app.ts'), minutes(5), minutes(5));
      const before = await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
      const sha = await latestSha();
      const o = await deploy();
      assert.equal(o.state, 'unchanged');
      assert.equal(o.error?.kind, 'validation');
      assert.equal(o.error?.step, 'SAM build');
      assert.match(o.error!.message, /built 2 min before the last change, to services\/api\/hello-world\/app\.ts\)\. Run `sam build HelloWorldFunction` in services\/api, then publish again\./);
      assert.deepEqual(o.versionsPublished, []);
      assert.ok(!o.steps.some((s) => s.name === 'UpdateFunctionCode'));
      assert.equal(await latestSha(), sha);
      assert.equal((await h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))).RevisionId, before.RevisionId);
      // The sources are no way out for TypeScript.
      const sources = await deploy('sources');
      assert.equal(sources.error?.kind, 'validation');
      assert.match(sources.error!.message, /cannot run from its sources as they are/);
    });

    it("samBuild 'run' runs `sam build HelloWorldFunction` into its own --build-dir in the template's folder (argv, no shell), its output in the log, and publishes what it built; .aws-sam/build is left as it was", async () => {
      const dir = await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      // The user's own full build: \`sam build <Id>\` would have emptied it.
      const other = path.join(dir, '.aws-sam', 'build', 'OtherFunction', 'app.js');
      fs.mkdirSync(path.dirname(other), { recursive: true });
      fs.writeFileSync(other, 'exports.handler = async () => 1;\n');
      const o = await deploy('run');
      assert.equal(o.state, 'done', outcomeText(o));
      const runs = fakeSamRuns();
      assert.equal(runs.length, 1);
      assert.deepEqual(runs[0].argv, ['build', 'HelloWorldFunction', '--build-dir', '.aws-sam/lambda-canary/HelloWorldFunction/build']);
      assert.ok(fs.existsSync(other), 'the other function\'s build output is still there');
      assert.equal(fs.realpathSync(runs[0].cwd), fs.realpathSync(dir));
      assert.ok(log.lines.includes('info $ sam build HelloWorldFunction --build-dir .aws-sam/lambda-canary/HelloWorldFunction/build  (in ' + dir + ')'), log.lines.join('\n'));
      assert.ok(log.lines.includes('info   Building codeuri: hello-world runtime: nodejs20.x metadata: {} functions: HelloWorldFunction'), log.lines.join('\n'));
      assert.ok(log.lines.includes('warn   Build Succeeded'));
      assert.ok(o.steps.some((s) => s.name === 'sam build HelloWorldFunction --build-dir .aws-sam/lambda-canary/HelloWorldFunction/build' && s.result === 'ok'));
      assert.ok(o.steps.some((s) => s.name === 'Use services/api/.aws-sam/lambda-canary/HelloWorldFunction/build/HelloWorldFunction (built just now by sam build HelloWorldFunction --build-dir .aws-sam/lambda-canary/HelloWorldFunction/build)'), o.steps.map((s) => s.name).join(', '));
      await promote(ctx(), { functionName: fn, aliasName: 'prod' });
      assert.equal(await invokeProd(), 'built by fake sam');
      // That build is fresh: the next publish uses it without building.
      assert.equal((await deploy()).steps.find((s) => s.name.startsWith('Use '))?.name.startsWith('Use services/api/.aws-sam/lambda-canary/HelloWorldFunction/build/HelloWorldFunction (built '), true);
      assert.equal(fakeSamRuns().length, 1);
    });

    it("a nested stack's function is built from the root template by its stack path, and published from SAM's folder for it", async () => {
      await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      fs.writeFileSync(path.join(root, 'template.yaml'), 'Resources:\n  ApiApp:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: services/api/template.yaml\n');
      fs.utimesSync(path.join(root, 'template.yaml'), T0, T0);
      const [wf] = discoverFunctions(root);
      assert.deepEqual(wf.stackPath, ['ApiApp']);
      const o = await deployWorkspace(ctx(), { functionName: fn, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: true, smokeTest: false, samBuild: 'run' });
      assert.equal(o.state, 'done', outcomeText(o));
      const [run] = fakeSamRuns();
      assert.deepEqual(run.argv, ['build', 'ApiApp/HelloWorldFunction', '--build-dir', '.aws-sam/lambda-canary/ApiApp-HelloWorldFunction/build']);
      assert.equal(fs.realpathSync(run.cwd), fs.realpathSync(root));
      assert.ok(o.steps.some((s) => s.name.startsWith('Use .aws-sam/lambda-canary/ApiApp-HelloWorldFunction/build/ApiApp/HelloWorldFunction (built just now')), o.steps.map((s) => s.name).join(', '));
      // The user's own \`sam build\` of the root, newer: SAM's folder for it is .aws-sam/build/ApiApp/HelloWorldFunction.
      const sam = path.join(root, '.aws-sam', 'build', 'ApiApp', 'HelloWorldFunction');
      fs.mkdirSync(sam, { recursive: true });
      fs.writeFileSync(path.join(sam, 'app.js'), BUILT_JS('built by the user'));
      fs.writeFileSync(path.join(root, '.aws-sam', 'build', 'template.yaml'), 'Resources: {}\n');
      const again = await deployWorkspace(ctx(), { functionName: fn, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: true, smokeTest: false });
      assert.ok(again.steps.some((s) => s.name.startsWith('Use .aws-sam/build/ApiApp/HelloWorldFunction (built ')), again.steps.map((s) => s.name).join(', ') + outcomeText(again));
    });

    it('a template.yml is built with --template-file template.yml', async () => {
      const dir = await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      fs.renameSync(path.join(dir, 'template.yaml'), path.join(dir, 'template.yml'));
      const o = await deploy('run');
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(fakeSamRuns()[0].argv, ['build', 'HelloWorldFunction', '--template-file', 'template.yml', '--build-dir', '.aws-sam/lambda-canary/HelloWorldFunction/build']);
    });

    it('Cancel while sam build runs kills it, and nothing is uploaded or published', async () => {
      await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      process.env.FAKE_SAM_HANG = '1';
      const sha = await latestSha();
      const ac = new AbortController();
      const running = deploy('run', { signal: ac.signal });
      const started = Date.now();
      while (!log.lines.some((l) => l.includes('Running NodejsNpmEsbuildBuilder'))) {
        assert.ok(Date.now() - started < 10_000, `sam build never started: ${log.lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      ac.abort();
      const o = await running;
      assert.equal(o.error?.kind, 'cancelled', outcomeText(o));
      assert.equal(o.state, 'unchanged');
      assert.deepEqual(o.versionsPublished, []);
      assert.ok(!o.steps.some((s) => s.name === 'UpdateFunctionCode'));
      assert.equal(await latestSha(), sha);
      const [run] = fakeSamRuns();
      const gone = Date.now();
      for (;;) {
        try {
          process.kill(run.pid, 0);
        } catch (e) {
          assert.equal((e as NodeJS.ErrnoException).code, 'ESRCH');
          break;
        }
        assert.ok(Date.now() - gone < 5000, 'sam build was not killed');
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    it('a failing sam build stops the deploy with its output in the log; nothing is uploaded', async () => {
      await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      process.env.FAKE_SAM_FAIL = '1';
      const sha = await latestSha();
      const o = await deploy('run');
      assert.equal(o.error?.kind, 'validation', outcomeText(o));
      // The error quotes sam's last words: a terminal without --verbose shows no log.
      assert.match(o.error?.message ?? '', /^`sam build HelloWorldFunction --build-dir \.aws-sam\/lambda-canary\/HelloWorldFunction\/build` failed \(exit code \d+\)\. Its last output: .*Error: NodejsNpmEsbuildBuilder:EsbuildBundle - esbuild: command not found.* \(All of it is in the log; in the CLI, with --verbose\.\)$/);
      assert.ok(log.lines.includes('warn   Error: NodejsNpmEsbuildBuilder:EsbuildBundle - esbuild: command not found'), log.lines.join('\n'));
      assert.ok(o.steps.some((st) => st.name === 'sam build HelloWorldFunction --build-dir .aws-sam/lambda-canary/HelloWorldFunction/build' && st.result === 'failed'));
      assert.deepEqual(o.versionsPublished, []);
      assert.equal(await latestSha(), sha);
    });

    it("samBuild 'run' without sam on PATH says to install it or run the command where", async () => {
      await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      process.env.PATH = path.join(root, 'no-bin');
      const o = await deploy('run');
      assert.equal(o.error?.kind, 'validation');
      assert.match(o.error!.message, /`sam` \(the AWS SAM CLI\) is not on PATH.*run `sam build HelloWorldFunction` in services\/api yourself/);
    });

    it("samBuild 'run' in an untrusted workspace is refused before anything runs", async () => {
      await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      const [wf] = discoverFunctions(root);
      const o = await deployWorkspace(ctx(), { functionName: fn, aliasName: 'prod', fn: wf, weightPercent: 10, trusted: false, smokeTest: false, samBuild: 'run' });
      assert.equal(o.error?.kind, 'validation');
      assert.match(o.error!.message, /not trusted.*would run `sam build HelloWorldFunction --build-dir \.aws-sam\/lambda-canary\/HelloWorldFunction\/build`/);
      assert.equal(fakeSamRuns().length, 0);
    });
  });

  describe('dependency warnings (the pre-flight warns, never refuses)', () => {
    it('a Node.js handler requiring packages that are not installed: published from its sources, the outcome warns with what to run', async () => {
      await setUp('node-missing-dep', 'nodejs20.x', 'app.handler');
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.warnings, [
        'app.js imports dayjs, lodash and uuid, but they are not in the package (no node_modules/dayjs in services/api/src): the function would fail with "Cannot find module". Run `npm install` in services/api/src, or `sam build OrdersFunction`, then publish again.',
      ]);
      assert.ok(log.lines.includes(`warn ${o.warnings[0]}`));
      // Asked for the sources as they are (the extension's choice for dependencies only): the same, said in the log.
      assert.equal((await rollback(ctx(), { functionName: fn, aliasName: 'prod' })).state, 'done');
      const sources = await deploy('sources');
      assert.equal(sources.error, undefined, outcomeText(sources));
      assert.deepEqual(sources.warnings, o.warnings);
      assert.ok(log.lines.includes('info Packaging the sources of OrdersFunction as they are, without sam build OrdersFunction.'));
    });

    it('the same function with a fresh build holding its node_modules: the build output is checked, and nothing is missing', async () => {
      const dir = await setUp('node-missing-dep', 'nodejs20.x', 'app.handler');
      const out = path.join(dir, '.aws-sam', 'build', 'OrdersFunction');
      fs.cpSync(path.join(dir, 'src'), out, { recursive: true });
      for (const name of ['dayjs', 'lodash', 'uuid']) fs.mkdirSync(path.join(out, 'node_modules', name), { recursive: true });
      fs.writeFileSync(path.join(dir, '.aws-sam', 'build', 'template.yaml'), 'Resources: {}\n');
      touchTree(path.join(dir, '.aws-sam'), minutes(1));
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.warnings, []);
      assert.ok(o.steps.some((s) => s.name.startsWith('Use services/api/.aws-sam/build/OrdersFunction')));
    });

    it('a fresh build output that lacks a package: the warning says the build left it out', async () => {
      const dir = await setUp('node-missing-dep', 'nodejs20.x', 'app.handler');
      const out = path.join(dir, '.aws-sam', 'build', 'OrdersFunction');
      fs.cpSync(path.join(dir, 'src'), out, { recursive: true });
      for (const name of ['dayjs', 'lodash']) fs.mkdirSync(path.join(out, 'node_modules', name), { recursive: true });
      fs.writeFileSync(path.join(dir, '.aws-sam', 'build', 'template.yaml'), 'Resources: {}\n');
      touchTree(path.join(dir, '.aws-sam'), minutes(1));
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.warnings, [
        'app.js in services/api/.aws-sam/build/OrdersFunction imports uuid, which the build did not put in the package: the function would fail with "Cannot find module". Check that package.json lists it under "dependencies" (and, with esbuild, that Metadata.BuildProperties.External does not leave it out), then run `sam build OrdersFunction` again.',
      ]);
    });

    it('a Python requirements.txt that is not vendored: the outcome names requests (not boto3) and suggests sam build', async () => {
      await setUp('python-unvendored', 'python3.12', 'app.lambda_handler');
      const o = await deploy();
      assert.equal(o.state, 'done', outcomeText(o));
      assert.deepEqual(o.warnings, [
        'requirements.txt lists requests, which is not vendored in the package (no requests/ or requests-*.dist-info in services/api/hello_world): the function would fail with "No module named". Run `sam build HelloWorldFunction` (it installs requirements.txt into the build), or `pip install -r requirements.txt -t .` in services/api/hello_world, then publish again.',
      ]);
    });
  });

  describe('CLI deploy', () => {
    const cli = async (argv: string[]) => {
      const stdout = new Sink();
      const stderr = new Sink();
      const stdin = new PassThrough();
      stdin.end();
      const journalDir = path.join(root, 'journal');
      const env = { AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_REGION: h().sandbox.region };
      const code = await runCli([...argv, '--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir], { stdout, stderr, stdin, env, isTTY: false, cwd: root });
      return { code, stdout: stdout.text, stderr: stderr.text };
    };

    it('without --build a missing build output exits 2 with the command to run, and --build runs sam build first', async () => {
      await setUp('esbuild-ts', 'nodejs20.x', 'app.lambdaHandler');
      const refused = await cli(['deploy', '--dir', 'services/api', '--function-name', fn, '--alias', 'prod', '--no-smoke', '--yes']);
      assert.equal(refused.code, 2, refused.stderr);
      // --dir is the workspace folder here.
      assert.match(refused.stderr, /there is no \.aws-sam\/build\/HelloWorldFunction\. Run `sam build HelloWorldFunction` in the workspace folder, then publish again\. Nothing was uploaded\.\nOr pass --build: deploy runs `sam build` for the function first\.\n$/);
      assert.equal(fakeSamRuns().length, 0);

      const built = await cli(['deploy', '--dir', 'services/api', '--function-name', fn, '--alias', 'prod', '--no-smoke', '--yes', '--build', '--json']);
      assert.equal(built.code, 0, built.stderr);
      const o = JSON.parse(built.stdout) as Outcome;
      assert.deepEqual(o.versionsPublished.map((v) => v.version), ['2']);
      assert.deepEqual(fakeSamRuns().map((r) => r.argv), [['build', 'HelloWorldFunction', '--build-dir', '.aws-sam/lambda-canary/HelloWorldFunction/build']]);
      // A fresh build is used without --build: nothing changed since, so the deployed code is this package.
      const again = await cli(['deploy', '--dir', 'services/api', '--function-name', fn, '--alias', 'prod', '--no-smoke', '--yes', '--json']);
      assert.equal(fakeSamRuns().length, 1);
      assert.match(again.stdout, /Use \.aws-sam\/lambda-canary\/HelloWorldFunction\/build\/HelloWorldFunction \(built /);
    });

    it('--build for a lambda-canary.json function is a usage error', async () => {
      fs.writeFileSync(path.join(root, 'lambda-canary.json'), JSON.stringify({ functionName: fn }));
      fs.writeFileSync(path.join(root, 'index.js'), 'exports.handler = async () => 1;\n');
      const r = await cli(['deploy', '--build', '--yes']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--build runs `sam build` for a function of a SAM template; lambda-canary\.json is not one/);
    });
  });
});
