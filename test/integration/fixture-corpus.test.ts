/**
 * The fixture corpus, published: for each project of test/fixtures/sam (and the sample
 * workspaces), what discovery offers, and what Publish Canary does or says of each offered
 * function deployed as `sam deploy` would have made it (real SDK ↔ sandbox). Where the sandbox
 * runs the runtime (Node.js, Python, provided.al2023), the new version is invoked, so the code
 * that went up is shown to be the fixture's; elsewhere the uploaded package's files are listed.
 * test/unit/samDiscovery.test.ts checks discovery itself; each test here works on a copy.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Runtime } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as yauzl from 'yauzl';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import { withSampleEvent } from '../../src/core/publishWorkspace';
import type { UseCaseContext } from '../../src/core/usecases';
import { deployImage, deployWorkspace } from '../../src/core/usecases';
import type { WorkspaceFunction } from '../../src/core/workspace';
import { describeSkipped, discoverWorkspace } from '../../src/core/workspace';
import { zipFiles } from '../../src/sandbox';
import { findPython } from '../../src/sandbox/runtime/python';
import { ROLE, useSandbox, sandboxContext } from './helpers';
import { tagDigest } from './image-testkit';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
/** The first bytes of a class file: enough for a package's listing. */
const CLASS = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 65]);
const HELLO = { statusCode: 200, body: JSON.stringify({ message: 'hello world' }) };
/** The same, as Python's json.dumps writes it. */
const PY_HELLO = { statusCode: 200, body: '{"message": "hello world"}' };

/** A value, or one computed from the copy of the fixture (for messages that name its absolute path). */
type InDir<T> = T | ((dir: string) => T);

interface Expect {
  state: 'done' | 'unchanged';
  /** Default: ['2'] when done, [] otherwise. */
  published?: string[];
  warnings?: InDir<string[]>;
  /** The refusal's message, exactly (or matched, where it depends on the machine). */
  error?: InDir<string> | RegExp;
  /** What the refusal says is left as it was (default: nothing was uploaded, when nothing was published). */
  left?: string;
  note?: string;
  /** What the new version answers, invoked with `event` (Qualifier = the new version). */
  invoke?: { event?: unknown; result?: unknown; check?: (result: unknown) => void; error?: RegExp };
  /** The files of the new version's package, where the sandbox does not run the runtime. */
  files?: string[];
}

interface Case {
  /** The logical id of the offered function. */
  id: string;
  /** What this case is, when a fixture has several for one function. */
  what?: string;
  /** What discovery offers after `edit`, when it changes that. */
  offered?: string[];
  /** The alias the test creates when the template declares none (the user's pick). */
  alias?: string;
  /** A change to the copy before discovery, e.g. what `sam build` would have left. */
  edit?: (dir: string) => void;
  /** Smoke-test with the project's sample event (the user said yes to it). */
  smoke?: boolean;
  /** An image function: deployImage with this URI. */
  image?: string;
  expect: Expect;
}

interface Row {
  /** The folder under test/fixtures. */
  fixture: string;
  /** Logical ids discovery offers (what it skips is the unit test's). */
  offered: string[];
  /** What discovery skips, as the user is told, where that is all Publish has to say. */
  skipped?: string[];
  cases: Case[];
  /** The sandbox must be able to run this to invoke (Python needs the machine's python3). */
  needsPython?: boolean;
}

/** `sam build`'s output for a function, dated a minute after its sources (fresh). */
function samBuilt(dir: string, logicalId: string, files: Record<string, string>, copy: Record<string, string> = {}): void {
  const out = path.join(dir, '.aws-sam', 'build', logicalId);
  fs.mkdirSync(out, { recursive: true });
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(out, rel), text);
  for (const [rel, from] of Object.entries(copy)) fs.cpSync(path.join(dir, from), path.join(out, rel));
  // The template sam build writes beside the functions' folders when it is done: what dates a build.
  const template = path.join(dir, '.aws-sam', 'build', 'template.yaml');
  fs.copyFileSync(path.join(dir, 'template.yaml'), template);
  const later = new Date(Date.now() + 60_000);
  for (const e of fs.readdirSync(out)) fs.utimesSync(path.join(out, e), later, later);
  fs.utimesSync(out, later, later);
  fs.utimesSync(template, later, later);
}

const CORPUS: Row[] = [
  {
    fixture: 'sam/python-requirements',
    needsPython: true,
    offered: ['HelloWorldFunction'],
    cases: [
      {
        id: 'HelloWorldFunction',
        smoke: true,
        expect: {
          state: 'done',
          // requirements.txt lists requests (as sam init writes it), but no .py imports it: not warned about.
          warnings: [],
          invoke: { event: { httpMethod: 'GET', path: '/hello', body: null }, result: PY_HELLO },
        },
      },
    ],
  },
  {
    fixture: 'sam/java-jar',
    offered: ['HelloWorldFunction'],
    cases: [
      { id: 'HelloWorldFunction', expect: { state: 'done', files: ['META-INF/MANIFEST.MF', 'helloworld/App.class'] } },
      {
        id: 'HelloWorldFunction',
        what: 'a jar without the handler class',
        edit: (dir) => fs.writeFileSync(path.join(dir, 'target', 'app.jar'), zipFiles({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n' })),
        expect: {
          state: 'unchanged',
          error: (dir) =>
            `The handler 'helloworld.App::handleRequest' needs the class helloworld/App.class (or a .jar at the root or in lib/) in ${path.join(dir, 'target', 'app.jar')}, and none is there. Check Handler and the code folder.`,
        },
      },
    ],
  },
  {
    fixture: 'sam/dotnet',
    offered: ['HelloWorldFunction'],
    cases: [
      { id: 'HelloWorldFunction', alias: 'prod', expect: { state: 'done', files: ['HelloWorld.dll', 'HelloWorld.runtimeconfig.json'] } },
      {
        // The sandbox keeps .NET's control plane only: the smoke test's invoke is refused, and says so.
        id: 'HelloWorldFunction',
        what: 'smoke-tested in the sandbox',
        alias: 'prod',
        smoke: true,
        expect: {
          state: 'unchanged',
          published: ['2'],
          left: 'Version 2 was published but receives no traffic; prod is unchanged.',
          error:
            /^Smoke invoke of version 2 failed: InvalidRuntimeException: The Lambda Canary sandbox cannot run dotnet8 functions \(it runs nodejs18\.x, [^)]*provided\.al2023\); version 2 of dotnet-HelloWorldFunction-2 was chosen and not invoked\. Its versions, aliases and routing work here; invoke it on AWS\.$/,
        },
      },
    ],
  },
  {
    fixture: 'sam/go-al2023',
    offered: ['HelloWorldFunction'],
    cases: [
      {
        id: 'HelloWorldFunction',
        what: 'not built',
        expect: {
          state: 'unchanged',
          error:
            'HelloWorldFunction is published from what `sam build` makes of it (its Metadata.BuildMethod is go1.x), and there is no .aws-sam/build/HelloWorldFunction. Run `sam build HelloWorldFunction` in the workspace folder, then publish again.',
        },
      },
      {
        id: 'HelloWorldFunction',
        what: 'built by sam build (its bootstrap)',
        edit: (dir) => samBuilt(dir, 'HelloWorldFunction', {}, { bootstrap: 'hello-world/bootstrap' }),
        smoke: true,
        expect: { state: 'done', invoke: { event: {}, result: { echo: {} } } },
      },
    ],
  },
  {
    fixture: 'sam/nested-app',
    offered: ['OrdersFunction', 'PaymentsFunction'],
    cases: [
      { id: 'OrdersFunction', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
      { id: 'PaymentsFunction', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
    ],
  },
  {
    fixture: 'sam/lambda-function',
    needsPython: true,
    offered: ['ApiFunction', 'WorkerFunction', 'InlineFunction', 'ImageFunction'],
    cases: [
      { id: 'ApiFunction', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
      { id: 'WorkerFunction', alias: 'prod', expect: { state: 'done', invoke: { result: 'zip' } } },
      { id: 'InlineFunction', alias: 'prod', expect: { state: 'done', invoke: { result: 'inline' } } },
      { id: 'ImageFunction', alias: 'prod', image: `${ECR}/images:v2`, expect: { state: 'done' } },
    ],
  },
  {
    fixture: 'sam/alias-ref-param',
    offered: ['FromDefault', 'LongForm', 'WithoutDefault', 'Computed', 'Pseudo'],
    cases: [
      { id: 'FromDefault', expect: { state: 'done', invoke: { result: 'ok' } } },
      { id: 'LongForm', expect: { state: 'done', invoke: { result: 'ok' } } },
      { id: 'WithoutDefault', alias: 'prod', expect: { state: 'done', invoke: { result: 'ok' } } },
      { id: 'Computed', alias: 'blue-live', expect: { state: 'done', invoke: { result: 'ok' } } },
      { id: 'Pseudo', alias: 'prod', expect: { state: 'done', invoke: { result: 'ok' } } },
    ],
  },
  {
    // SAM's own example of a DeploymentPreference: Publish Canary on its AutoPublishAlias works as
    // for any function (the editor warns first that CodeDeploy manages the alias).
    fixture: 'sam/lambda-safe-deployments',
    offered: ['safeTest', 'preTrafficHook'],
    cases: [
      {
        id: 'safeTest',
        what: 'on nodejs20.x: Lambda no longer creates nodejs8.10 functions',
        edit: (dir) => fs.writeFileSync(path.join(dir, 'template.yaml'), fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8').replace(/nodejs8\.10/g, 'nodejs20.x')),
        expect: { state: 'done', invoke: { result: { ok: true } } },
      },
    ],
  },
  {
    fixture: 'sam/no-alias',
    offered: ['HelloFunction'],
    cases: [{ id: 'HelloFunction', alias: 'prod', expect: { state: 'done', invoke: { result: 'ok' } } }],
  },
  {
    fixture: 'sam/image',
    offered: ['ImageFunction', 'ZipFunction', 'ImageAtRoot'],
    cases: [
      { id: 'ImageFunction', alias: 'prod', image: `${ECR}/orders:v2`, expect: { state: 'done' } },
      {
        id: 'ImageFunction',
        what: 'the image it already runs',
        alias: 'prod',
        image: `${ECR}/orders:latest`,
        expect: {
          state: 'unchanged',
          note: `No change to deploy: the image (CodeSha256 ${tagDigest(`${ECR}/orders:latest`)}) and configuration are identical to version 1, which prod already serves.`,
        },
      },
      { id: 'ZipFunction', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
      { id: 'ImageAtRoot', image: `${ECR}/image-at-root@sha256:${'c'.repeat(64)}`, expect: { state: 'done' } },
    ],
  },
  {
    fixture: 'sam/inline',
    needsPython: true,
    offered: ['Inline', 'Local'],
    cases: [
      { id: 'Inline', alias: 'prod', expect: { state: 'done', invoke: { result: 'inline' } } },
      { id: 'Local', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
    ],
  },
  {
    fixture: 'sam/s3',
    offered: ['Local'],
    cases: [{ id: 'Local', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } }],
  },
  {
    fixture: 'sam/json',
    offered: ['Hello', 'AliasFromParam'],
    cases: [
      { id: 'Hello', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
      { id: 'AliasFromParam', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
    ],
  },
  {
    fixture: 'sam/subfolder',
    offered: ['Orders', 'Api'],
    cases: [
      { id: 'Orders', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
      { id: 'Api', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
    ],
  },
  {
    fixture: 'sam/flow-collection',
    offered: ['Fn', 'Other'],
    cases: [
      { id: 'Fn', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
      { id: 'Other', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } },
    ],
  },
  {
    fixture: 'sam/case-mismatch',
    offered: ['OnSuccessFunction'],
    cases: [
      { id: 'OnSuccessFunction', alias: 'prod', expect: { state: 'done', invoke: { result: 'ok' } } },
      {
        id: 'ProducerFunction',
        what: 'its folder renamed to match the CodeUri',
        offered: ['ProducerFunction', 'OnSuccessFunction'],
        alias: 'prod',
        edit: (dir) => fs.renameSync(path.join(dir, 'producerFunction'), path.join(dir, 'ProducerFunction')),
        expect: { state: 'done', invoke: { result: 'produced' } },
      },
    ],
  },
  {
    fixture: 'sam/java-unbuilt',
    offered: [],
    skipped: [`template.yml:11: "PaymentProducer.CodeUri" 'target/sourceCode.zip' does not exist (relative to the workspace folder): a build makes it; build the project first.`],
    cases: [
      {
        id: 'PaymentProducer',
        what: 'after mvn package',
        offered: ['PaymentProducer'],
        alias: 'prod',
        edit: (dir) => {
          fs.mkdirSync(path.join(dir, 'target'));
          fs.writeFileSync(path.join(dir, 'target', 'sourceCode.zip'), zipFiles({ 'com/example/PaymentProducer.class': CLASS, 'lib/aws-lambda-java-core-1.2.3.jar': 'PK' }));
        },
        expect: { state: 'done', files: ['com/example/PaymentProducer.class', 'lib/aws-lambda-java-core-1.2.3.jar'] },
      },
    ],
  },
  {
    fixture: 'sam/esbuild-ts',
    offered: ['HelloWorldFunction'],
    cases: [
      {
        id: 'HelloWorldFunction',
        what: 'no build output',
        alias: 'prod',
        expect: {
          state: 'unchanged',
          error:
            "HelloWorldFunction is published from what `sam build` makes of it (its Metadata.BuildMethod is esbuild; its handler's module is TypeScript (app.ts, no app.js)), and there is no .aws-sam/build/HelloWorldFunction. Run `sam build HelloWorldFunction` in the workspace folder, then publish again.",
        },
      },
      {
        id: 'HelloWorldFunction',
        what: 'built by sam build (app.js bundled by esbuild)',
        alias: 'prod',
        smoke: true,
        edit: (dir) => samBuilt(dir, 'HelloWorldFunction', { 'app.js': `"use strict";exports.lambdaHandler=async()=>({statusCode:200,body:JSON.stringify({message:"hello world"})});\n` }),
        expect: { state: 'done', invoke: { event: { httpMethod: 'GET', path: '/hello', body: null }, result: HELLO } },
      },
    ],
  },
  {
    fixture: 'sam/node-missing-dep',
    offered: ['OrdersFunction'],
    cases: [
      {
        id: 'OrdersFunction',
        alias: 'prod',
        expect: {
          state: 'done',
          warnings: [
            'app.js imports dayjs, lodash and uuid, but they are not in the package (no node_modules/dayjs in src): the function would fail with "Cannot find module". Run `npm install` in src, or `sam build OrdersFunction`, then publish again.',
          ],
          // Lambda's nodejs20.x provides @aws-sdk/client-s3 (the warning rightly leaves it out), so there
          // lodash/fp is the first module missing; the sandbox provides no AWS SDK to functions.
          invoke: { error: /"errorType":"Runtime\.ImportModuleError","errorMessage":"Error: Cannot find module '(@aws-sdk\/client-s3|lodash\/fp)'/ },
        },
      },
    ],
  },
  {
    fixture: 'sam/python-unvendored',
    offered: ['HelloWorldFunction'],
    cases: [
      {
        id: 'HelloWorldFunction',
        alias: 'prod',
        expect: {
          state: 'done',
          warnings: [
            'requirements.txt lists requests, which is not vendored in the package (no requests/ or requests-*.dist-info in hello_world): the function would fail with "No module named". Run `sam build HelloWorldFunction` (it installs requirements.txt into the build), or `pip install -r requirements.txt -t .` in hello_world, then publish again.',
          ],
          // Not invoked: the machine's python3 may have requests, and the handler calls out to the internet.
          files: ['__init__.py', 'app.py', 'requirements.txt'],
        },
      },
    ],
  },
  {
    fixture: 'sam/bad-codeuri',
    offered: ['Good'],
    cases: [{ id: 'Good', alias: 'prod', expect: { state: 'done', invoke: { result: { statusCode: 200 } } } }],
  },
  {
    fixture: 'workspace-python',
    needsPython: true,
    offered: ['PriceQuoteFunction'],
    cases: [
      {
        id: 'PriceQuoteFunction',
        smoke: true,
        expect: {
          state: 'done',
          invoke: {
            event: { body: JSON.stringify({ items: [{ sku: 'canary-seed', price: 4.5, qty: 2 }] }) },
            check: (r) => {
              const { statusCode, body } = r as { statusCode: number; body: string };
              assert.equal(statusCode, 200);
              assert.deepEqual({ ...JSON.parse(body), requestId: undefined }, { release: 'workspace', version: '2', requestId: undefined, total: 9 });
            },
          },
        },
      },
    ],
  },
  {
    fixture: 'sam-hello',
    offered: ['HelloWorldFunction'],
    cases: [{ id: 'HelloWorldFunction', alias: 'prod', smoke: true, expect: { state: 'done', invoke: { result: HELLO } } }],
  },
];

/** The files (not folders) of a zip, sorted. */
function zipEntryNames(zip: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, archive) => {
      if (err || !archive) return reject(err ?? new Error('unreadable zip'));
      const names: string[] = [];
      archive.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) names.push(e.fileName);
        archive.readEntry();
      });
      archive.on('end', () => resolve(names.sort()));
      archive.on('error', reject);
      archive.readEntry();
    });
  });
}

describe('the fixture corpus, published (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  // Waiters have their own suites: here Lambda settles at once, so the whole corpus runs in seconds.
  const h = useSandbox({ updateDelayMs: 0 });
  const python = findPython();
  const used = new Set<string>();
  const tmps: string[] = [];
  after(() => tmps.forEach((t) => fs.rmSync(t, { recursive: true, force: true })));

  const ctx = (): UseCaseContext => sandboxContext(h());

  /** The deployed name: the template's FunctionName, else one CloudFormation would make up; unique in the sandbox. */
  const deployedName = (row: Row, fn: WorkspaceFunction): string => {
    const base = fn.functionName ?? `${path.basename(row.fixture)}-${fn.logicalId}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}-${k}`;
    used.add(name);
    return name;
  };

  /** The function as `sam deploy` left it: the template's runtime and handler (or its image), version 1 of a release before, the alias on it. */
  const deployed = async (name: string, fn: WorkspaceFunction, alias: string): Promise<void> => {
    const { lambda, sandbox } = h();
    const image = fn.packageType === 'Image';
    await lambda.send(
      new CreateFunctionCommand(
        image
          ? { FunctionName: name, PackageType: 'Image', Role: ROLE, Code: { ImageUri: fn.imageUri ?? `${ECR}/${name.toLowerCase()}:v1` } }
          : { FunctionName: name, Runtime: fn.runtime as Runtime, Handler: fn.handler, Role: ROLE, Code: { ZipFile: zipFiles({ 'previous-release.txt': 'v1\n' }) } },
      ),
    );
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }));
  };

  const publish = async (name: string, fn: WorkspaceFunction, alias: string, c: Case): Promise<Outcome> => {
    if (c.image) return deployImage(ctx(), { functionName: name, aliasName: alias, imageUri: c.image, weightPercent: 10 });
    const ws = fn.testEventSuggested ? withSampleEvent(fn, c.smoke === true) : fn;
    return deployWorkspace(ctx(), { fn: ws, functionName: name, aliasName: alias, weightPercent: 10, trusted: true, smokeTest: c.smoke === true });
  };

  it('has a row for every folder of test/fixtures/sam', () => {
    const folders = fs
      .readdirSync(path.join(FIXTURES, 'sam'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `sam/${e.name}`);
    assert.deepEqual(CORPUS.map((r) => r.fixture).filter((f) => f.startsWith('sam/')).sort(), folders.sort());
  });

  for (const row of CORPUS) {
    it(`${row.fixture}: ${row.cases.length ? row.cases.map((c) => `${c.id}${c.what ? ` (${c.what})` : ''} ${c.expect.state}`).join(', ') : 'offers nothing'}`, async function () {
      if (row.needsPython && !python) this.skip();
      const pristine = discoverWorkspace(path.join(FIXTURES, row.fixture));
      assert.deepEqual(pristine.functions.map((f) => f.logicalId), row.offered, 'offered');
      if (row.skipped) assert.deepEqual(pristine.skipped.map((s) => describeSkipped(s, path.join(FIXTURES, row.fixture))), row.skipped);
      for (const c of row.cases) {
        const label = `${row.fixture} ${c.id}${c.what ? ` (${c.what})` : ''}`;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-corpus-'));
        tmps.push(dir);
        fs.cpSync(path.join(FIXTURES, row.fixture), dir, { recursive: true });
        c.edit?.(dir);
        const d = discoverWorkspace(dir);
        assert.deepEqual(d.functions.map((f) => f.logicalId), c.offered ?? row.offered, `${label}: offered`);
        const fn = d.functions.find((f) => f.logicalId === c.id)!;
        assert.ok(fn.alias === undefined || c.alias === undefined, `${label}: the template declares ${fn.alias}; the test passes none`);
        const alias = (fn.alias ?? c.alias)!;
        assert.ok(alias, `${label}: the template declares no alias; the test must pass one`);
        const name = deployedName(row, fn);
        await deployed(name, fn, alias);
        const before = await h().lambda.send(new GetFunctionCommand({ FunctionName: name }));

        const o = await publish(name, fn, alias, c);
        const at = <T,>(v: InDir<T> | undefined): T | undefined => (typeof v === 'function' ? (v as (dir: string) => T)(dir) : v);
        const e = c.expect;
        if (e.error instanceof RegExp) assert.match(o.error?.message ?? '', e.error, `${label}: ${outcomeText(o)}`);
        else assert.equal(o.error?.message, at(e.error), `${label}: ${outcomeText(o)}`);
        assert.equal(o.state, e.state, `${label}: ${outcomeText(o)}`);
        if (o.error) assert.equal(o.error.left, e.left ?? 'Nothing was uploaded.', label);
        assert.deepEqual(o.versionsPublished.map((v) => v.version), e.published ?? (e.state === 'done' ? ['2'] : []), label);
        assert.deepEqual(o.warnings, at(e.warnings) ?? [], label);
        if (e.note !== undefined) assert.equal(o.note, e.note, label);
        const routed = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
        const version = o.versionsPublished[0]?.version;
        if (c.smoke && version) assert.ok(o.steps.some((st) => st.name === `Smoke invoke of version ${version}` && st.result === (e.state === 'done' ? 'ok' : 'failed')), `${label}: smoke-tested with its sample event`);
        assert.deepEqual(
          [routed.FunctionVersion, routed.RoutingConfig?.AdditionalVersionWeights ?? {}],
          ['1', version && e.state === 'done' ? { [version]: 0.1 } : {}],
          `${label}: ${alias}'s routing`,
        );
        const after = await h().lambda.send(new GetFunctionCommand({ FunctionName: name }));
        if (!version) {
          assert.equal(after.Configuration?.CodeSha256, before.Configuration?.CodeSha256, `${label}: nothing uploaded`);
          continue;
        }
        const published = await h().lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: version }));
        assert.equal(published.Configuration?.CodeSha256, o.versionsPublished[0].codeSha256, label);
        if (c.image) assert.equal(published.Code?.ImageUri, c.image, `${label}: the image deployed`);
        if (e.files) {
          const zip = Buffer.from(await (await fetch(published.Code!.Location!)).arrayBuffer());
          assert.deepEqual(await zipEntryNames(zip), e.files, `${label}: the package's files`);
        }
        if (e.invoke) {
          const out = await h().lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: version, Payload: Buffer.from(JSON.stringify(e.invoke.event ?? {})) }));
          const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
          if (e.invoke.error) {
            assert.equal(out.FunctionError, 'Unhandled', `${label}: ${text}`);
            assert.match(text, e.invoke.error, label);
          } else {
            assert.equal(out.FunctionError, undefined, `${label}: ${text}`);
            if (e.invoke.check) e.invoke.check(JSON.parse(text));
            else assert.deepEqual(JSON.parse(text), e.invoke.result, `${label}: version ${version} runs the fixture's code`);
          }
        }
      }
    });
  }
});
