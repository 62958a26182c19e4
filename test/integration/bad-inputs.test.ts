/**
 * Bad inputs at every entry point of the extension, table-driven: typed weights, function and
 * alias names, lambda-canary.json, SAM templates, the folder to package, raw requests to the
 * sandbox and messages from the traffic panel's webview. Each must be refused with an error that
 * names the problem, and leave the deployed function exactly as it was: its $LATEST
 * configuration, its versions and its aliases are read through the SDK before and after every
 * case and compared. User actions run as use cases (src/core/usecases): their Outcome must say
 * so too — unchanged, the error of the expected kind, nothing published, no routing claimed
 * other than the alias's.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { capabilitiesOf } from '../../src/core/connection';
import type { OperationErrorKind } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/log';
import type { AliasRef } from '../../src/core/operations';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import { packageFolder, sha256Base64 } from '../../src/core/packaging';
import type { UseCaseContext } from '../../src/core/usecases';
import { deployPackage, deployWorkspace, setCanaryWeight, switchAlias, switchBack } from '../../src/core/usecases';
import { parseCanaryPercent } from '../../src/core/routing';
import { describeSkipped, discoverFunctions, discoverWorkspace } from '../../src/core/workspace';
import { zipFiles } from '../../src/sandbox';
import { parsePanelMessage } from '../../src/shared/protocol';
import { ROLE, sdkHeaders, useSandbox } from './helpers';
import { assertOutcomeTruth, tempJournal } from './outcome-truth';

const FN = 'bad-inputs-fn';
const FAST = { maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 };

type Area = 'weight' | 'name' | 'lambda-canary.json' | 'template.yaml' | 'package' | 'sandbox request' | 'webview message';

interface BadInput {
  area: Area;
  /** The input, as a reader of the test output would describe it. */
  input: string;
  /** Runs the entry point with the bad input: it must throw, or return a refusal. */
  run: () => unknown;
  /** The error must name the problem. */
  error: RegExp;
  /** A use case's refusal: the kind of its Outcome's error, and the function (default FN) and alias it is about. */
  outcome?: { kind: OperationErrorKind; alias: string; fn?: string };
}

function isOutcome(x: unknown): x is Outcome {
  return !!x && typeof x === 'object' && 'state' in x && 'versionsPublished' in x && 'steps' in x;
}

/**
 * What the entry point said when refusing. Entry points refuse by returning an Outcome with an
 * error (use cases), by throwing (workspace discovery, packaging, SDK calls) or by returning a
 * refusal (parsers: `{ ok: false }`, or `undefined`); anything else means the bad input was
 * accepted.
 */
async function refusal(run: () => unknown): Promise<{ message: string; outcome?: Outcome }> {
  let result: unknown;
  try {
    result = await run();
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : '';
    return { message: `${err.name ?? 'Error'}${status}: ${err.message ?? String(e)}` };
  }
  if (result === undefined) return { message: 'refused (undefined)' };
  if (isOutcome(result)) {
    if (!result.error) assert.fail(`accepted (${result.state}): ${outcomeText(result)}`);
    return { message: outcomeText(result), outcome: result };
  }
  const r = result as { ok?: boolean; message?: string; reason?: string };
  if (r && typeof r === 'object' && r.ok === false) return { message: r.message ?? r.reason ?? 'refused' };
  assert.fail(`accepted: ${JSON.stringify(result)?.slice(0, 300)}`);
}

/** A raw HTTP request to the sandbox: status and AWS error type/message as one line. */
function raw(endpoint: string, method: string, pathname: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = http.request(`${endpoint}${pathname}`, { method, headers: { ...sdkHeaders({ region: 'us-east-1', accessKeyId: undefined }), 'content-type': 'application/json', ...(data ? { 'content-length': String(data.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) < 400) return resolve(`HTTP ${res.statusCode}: ${text}`);
        let parsed: { message?: string } = {};
        try {
          parsed = JSON.parse(text) as { message?: string };
        } catch {
          // keep the raw text
        }
        reject(Object.assign(new Error(parsed.message ?? text), { name: String(res.headers['x-amzn-errortype'] ?? 'HttpError'), $metadata: { httpStatusCode: res.statusCode } }));
      });
    });
    // The server may answer (413) before it has read the whole body and close the connection.
    req.on('error', (e) => reject(e));
    if (data) req.end(data);
    else req.end();
  });
}

describe('bad inputs: refused with a clear error, nothing changed', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 20 });
  const log = new MemoryLogger();
  const journal = tempJournal('bad-inputs');
  const ctx = (): UseCaseContext => ({
    lambda: h().lambda,
    cloudwatch: h().cloudwatch,
    capabilities: { ...capabilitiesOf({ kind: 'sandbox', endpoint: h().sandbox.endpoint, region: h().sandbox.region, embedded: false }), waiters: FAST },
    log,
    region: h().sandbox.region,
    journal: journal.port,
  });
  const prod: AliasRef = { functionName: FN, aliasName: 'prod' };
  const stable: AliasRef = { functionName: FN, aliasName: 'stable' };
  let tmp: string;
  let results: Array<{ area: Area; input: string; refused: boolean; message: string }> = [];

  const code = (tag: string) => zipFiles({ 'index.js': `exports.handler = async () => (${JSON.stringify({ tag })});\n` });

  /** Everything a bad input could have changed, read through the SDK (plus the sandbox's metrics count). */
  async function snapshot(): Promise<unknown> {
    const { lambda } = h();
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FN }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: FN }));
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: FN }));
    const functions = await lambda.send(new ListFunctionsCommand({}));
    return {
      latest: {
        CodeSha256: cfg.CodeSha256,
        RevisionId: cfg.RevisionId,
        LastModified: cfg.LastModified,
        Handler: cfg.Handler,
        Runtime: cfg.Runtime,
        Role: cfg.Role,
        Description: cfg.Description,
        Timeout: cfg.Timeout,
        MemorySize: cfg.MemorySize,
        Environment: cfg.Environment,
        State: cfg.State,
        LastUpdateStatus: cfg.LastUpdateStatus,
      },
      versions: (versions.Versions ?? []).map((v) => ({ Version: v.Version, CodeSha256: v.CodeSha256, RevisionId: v.RevisionId, Description: v.Description })),
      aliases: (aliases.Aliases ?? []).map((a) => ({ Name: a.Name, FunctionVersion: a.FunctionVersion, RoutingConfig: a.RoutingConfig, RevisionId: a.RevisionId })),
      functions: (functions.Functions ?? []).map((f) => f.FunctionName).sort(),
      metrics: h().sandbox.metrics.size,
    };
  }

  /** A new folder holding `files`; returns its path. */
  let folders = 0;
  function workspace(name: string, files: Record<string, string | Buffer>): string {
    const root = path.join(tmp, `${name}-${++folders}`);
    fs.mkdirSync(root, { recursive: true });
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), content);
    }
    return root;
  }

  /**
   * What "Publish Canary" does with a workspace: find the function (lambda-canary.json or
   * template.yaml; a broken one throws here, before any use case), then the deployWorkspace use
   * case: package its code folder, publish a canary of 10 % on its alias.
   */
  async function publishWorkspace(root: string, weightPercent = 10): Promise<unknown> {
    const { functions: found, skipped } = discoverWorkspace(root);
    if (found.length === 0 && skipped.length) throw new Error(`No function of this workspace can be published from it: ${skipped.map((s) => describeSkipped(s, root)).join(' ')}`);
    if (found.length === 0) throw new Error('No function found in this workspace: add a lambda-canary.json (or a SAM template.yaml).');
    const fn = found[0];
    return deployWorkspace(ctx(), { functionName: fn.functionName ?? FN, aliasName: fn.alias ?? 'prod', fn, weightPercent, trusted: true, smokeTest: false });
  }

  /** A code folder packaged (packageFolder, which refuses it) and deployed as a canary on `stable` (which runs none). */
  async function publishFolder(root: string, options: { handler?: string; runtime?: string; ignore?: string[] } = {}): Promise<unknown> {
    const pkg = await packageFolder(root, options);
    return deployPackage(ctx(), { ...stable, weightPercent: 10, zip: pkg.zip, codeSha256: pkg.sha256 });
  }

  const config = (obj: unknown) => (typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2));
  const okSrc = { 'src/index.js': 'exports.handler = async () => 1;\n' };
  const samFn = (props: string) => `Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n${props}`;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bad-inputs-'));
    const { lambda, sandbox } = h();
    // Versions 1 and 2; prod runs a canary (1: 90 %, 2: 10 %), stable → 2 without one.
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code('v1') } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: code('v2') }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    // stable → 2, switched to 1 by the Switch Alias use case (the journal remembers 2 → 1), then
    // moved back to 2 by someone else: Switch Back of stable must now be refused.
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'stable', FunctionVersion: '2' }));
    const switched = await switchAlias(ctx(), { ...stable, version: '1' });
    assert.equal(switched.state, 'done', outcomeText(switched));
    await lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'stable', FunctionVersion: '2' }));
    // Lambda lets an alias point to $LATEST; a canary must never be built on one.
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'edge', FunctionVersion: '$LATEST' }));
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    journal.dispose();
    const refused = results.filter((r) => r.refused).length;
    const byArea = new Map<Area, number>();
    for (const r of results) byArea.set(r.area, (byArea.get(r.area) ?? 0) + 1);
    console.log(`\n  Bad inputs: ${results.length} cases run, ${refused} refused with a clear error and nothing changed`);
    console.log(`  (${[...byArea].map(([a, n]) => `${a} ${n}`).join(', ')})`);
    results = [];
  });

  const cases: BadInput[] = [];
  const add = (area: Area, input: string, error: RegExp, run: () => unknown) => cases.push({ area, input, error, run });
  /** A bad input to a use case: refused by an Outcome whose error has this kind. */
  const addUseCase = (area: Area, input: string, error: RegExp, outcome: NonNullable<BadInput['outcome']>, run: () => Promise<Outcome>) =>
    cases.push({ area, input, error, run, outcome });

  // ---- weights: typed in the input box (parseCanaryPercent), and given to the operations ----
  for (const [typed, error] of [
    ['150', /less than 100%/],
    ['-1', /more than 0%/],
    ['0', /more than 0%/],
    ['100', /less than 100%.*Promote/],
    ['NaN', /'NaN' is not a number/],
    ['', /Enter the canary weight/],
    ['   ', /Enter the canary weight/],
    ['1e309', /'1e309' is not a number/],
    ['0.00004', /below the smallest weight/],
    ['99.99999', /rounds to 100%/],
    ['10%%', /'10%%' is not a number/],
    ['ten', /'ten' is not a number/],
    ['0x10', /'0x10' is not a number/],
  ] as const) {
    add('weight', `typed "${typed}"`, error, () => parseCanaryPercent(typed));
  }
  add('weight', 'typed null (not text)', /as a number of percent/, () => parseCanaryPercent(null));
  for (const [value, error] of [
    [150, /less than 100%/],
    [-1, /more than 0%/],
    [0, /more than 0%/],
    [100, /less than 100%/],
    [NaN, /finite number/],
    [Number('1e309'), /finite number/], // 1e309 overflows to Infinity
    [0.00004, /below the smallest weight/],
  ] as const) {
    addUseCase('weight', `setCanaryWeight(prod, ${value === Infinity ? '1e309' : value})`, error, { kind: 'validation', alias: 'prod' }, () => setCanaryWeight(ctx(), { ...prod, weightPercent: value }));
  }
  addUseCase('weight', 'setCanaryWeight(prod, "10%") — a string where a number is due', /finite number/, { kind: 'validation', alias: 'prod' }, () =>
    setCanaryWeight(ctx(), { ...prod, weightPercent: '10%' as unknown as number }),
  );
  addUseCase('weight', 'deployPackage(stable, 150) with new code: refused before the upload', /less than 100%/, { kind: 'validation', alias: 'stable' }, () =>
    deployPackage(ctx(), { ...stable, weightPercent: 150, zip: code('never'), codeSha256: sha256Base64(code('never')) }),
  );
  addUseCase('weight', 'deployPackage(stable, NaN) with new code', /finite number/, { kind: 'validation', alias: 'stable' }, () =>
    deployPackage(ctx(), { ...stable, weightPercent: NaN, zip: code('never'), codeSha256: sha256Base64(code('never')) }),
  );
  add('weight', 'weight 1.5 in RoutingConfig, straight to the SDK', /weight|additionalVersionWeights/i, () =>
    h().lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } } })),
  );
  add('weight', 'weight -0.1 in RoutingConfig, straight to the SDK', /weight|additionalVersionWeights/i, () =>
    h().lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': -0.1 } } })),
  );

  // ---- function and alias names, alias targets ----
  const aws = (alias: string, fn?: string) => ({ kind: 'aws' as const, alias, fn });
  const invalid = (alias: string, fn?: string) => ({ kind: 'validation' as const, alias, fn });
  addUseCase('name', 'function name of 65 characters', /functionName.*64/, aws('prod', 'f'.repeat(65)), () => setCanaryWeight(ctx(), { functionName: 'f'.repeat(65), aliasName: 'prod', weightPercent: 10 }));
  addUseCase('name', 'function name "bad name!"', /functionName.*pattern/, aws('prod', 'bad name!'), () => setCanaryWeight(ctx(), { functionName: 'bad name!', aliasName: 'prod', weightPercent: 10 }));
  addUseCase('name', 'function that does not exist', /Function not found.*no-such-function\. Check the name, and that the region and account are the function's\./, invalid('prod', 'no-such-function'), () =>
    setCanaryWeight(ctx(), { functionName: 'no-such-function', aliasName: 'prod', weightPercent: 10 }),
  );
  addUseCase('name', 'alias name of 129 characters', /name.*between 1 and 128/, aws('a'.repeat(129)), () => setCanaryWeight(ctx(), { functionName: FN, aliasName: 'a'.repeat(129), weightPercent: 10 }));
  addUseCase('name', 'alias name "pr@d"', /name.*pattern/, aws('pr@d'), () => setCanaryWeight(ctx(), { functionName: FN, aliasName: 'pr@d', weightPercent: 10 }));
  addUseCase('name', 'alias name "42" (all digits)', /name.*pattern/, aws('42'), () => setCanaryWeight(ctx(), { functionName: FN, aliasName: '42', weightPercent: 10 }));
  addUseCase('name', 'alias that does not exist', /Alias not found.*:nope\. Check the name/, invalid('nope'), () => switchAlias(ctx(), { functionName: FN, aliasName: 'nope', version: '1' }));
  addUseCase('name', 'switch an alias to $LATEST', /not \$LATEST/, invalid('stable'), () => switchAlias(ctx(), { ...stable, version: '$LATEST' }));
  addUseCase('name', 'a canary on an alias that points to $LATEST', /edge points to \$LATEST\. A canary needs a published primary version/, invalid('edge'), () =>
    deployPackage(ctx(), { functionName: FN, aliasName: 'edge', weightPercent: 10, zip: code('never'), codeSha256: sha256Base64(code('never')) }),
  );
  addUseCase('name', 'switch an alias to version "abc"', /'abc' is not a version number/, invalid('stable'), () => switchAlias(ctx(), { ...stable, version: 'abc' }));
  addUseCase('name', 'switch an alias to version 99 (not published)', /Check version 99 failed.*not found/i, invalid('stable'), () => switchAlias(ctx(), { ...stable, version: '99' }));
  // The journal remembers stable switched 2 → 1 (see before()); someone moved it back to 2 since.
  addUseCase('name', 'switch back when someone moved the alias since', /now points to version 2, not 1/, { kind: 'conflict', alias: 'stable' }, () => switchBack(ctx(), stable));
  addUseCase('name', 'a stale RevisionId from the tree', /changed since you loaded it/, { kind: 'conflict', alias: 'prod' }, () =>
    setCanaryWeight(ctx(), { ...prod, expectedRevisionId: 'stale-revision', weightPercent: 20 }),
  );
  add('name', '$LATEST in a RoutingConfig, straight to the SDK', /additionalVersionWeights.*\[0-9\]\+|\$LATEST/, () =>
    h().lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'stable', RoutingConfig: { AdditionalVersionWeights: { $LATEST: 0.1 } } })),
  );

  // ---- lambda-canary.json (discoverFunctions → package → publish, as Publish Canary does) ----
  const cfgCase = (input: string, error: RegExp, text: unknown, files: Record<string, string | Buffer> = okSrc) =>
    add('lambda-canary.json', input, error, () => publishWorkspace(workspace('cfg', { ...files, 'lambda-canary.json': config(text) })));
  cfgCase('invalid JSON (trailing comma)', /lambda-canary\.json:3(:\d+)?: invalid JSON/, '{\n  "functionName": "x",\n}\n');
  cfgCase('an empty file', /lambda-canary\.json.*invalid JSON/, '');
  cfgCase('an array instead of an object', /must hold a JSON object/, [{ functionName: FN }]);
  cfgCase('"functionName": 42', /"functionName" must be a string/, { functionName: 42 });
  cfgCase('"ignore": "test/**" (a string, not a list)', /"ignore" must be an array of strings/, { functionName: FN, ignore: 'test/**' });
  cfgCase('"build": 7', /"build" must be a string or an array of strings/, { functionName: FN, build: 7 });
  cfgCase('unknown key "functionname"', /unknown key "functionname"/, { functionname: FN });
  cfgCase('no functionName', /"functionName" is required/, { codeFolder: 'src' });
  cfgCase('"functionName": "my function"', /"functionName" 'my function' is not a Lambda function name/, { functionName: 'my function' });
  cfgCase('"alias": "123"', /"alias" '123' is not a valid alias name/, { functionName: FN, alias: '123' });
  cfgCase('"codeFolder": "dist" (missing)', /"codeFolder" 'dist' is not a folder/, { functionName: FN, codeFolder: 'dist' });
  cfgCase('"codeFolder": "../outside"', /"codeFolder".*'\.\.\/outside' points outside the workspace/, { functionName: FN, codeFolder: '../outside' });
  cfgCase('"codeFolder": "/etc"', /points outside the workspace/, { functionName: FN, codeFolder: '/etc' });
  cfgCase('"testEvent": "../../etc/passwd"', /"testEvent".*points outside the workspace/, { functionName: FN, codeFolder: 'src', testEvent: '../../etc/passwd' });
  cfgCase('"testEvent" that does not exist', /"testEvent" 'events\/none\.json' does not exist/, { functionName: FN, codeFolder: 'src', testEvent: 'events/none.json' });
  cfgCase('"build": "" (empty command)', /"build" is empty/, { functionName: FN, codeFolder: 'src', build: '' });
  // Discovery accepts this one: the deployWorkspace use case refuses it when it packages.
  cases.push({
    area: 'lambda-canary.json',
    input: '"handler" whose file is not in the code folder',
    error: /'index\.handler' needs index\.js/,
    outcome: invalid('stable'),
    run: () => publishWorkspace(workspace('cfg', { 'src/main.js': 'exports.handler = async () => 1;\n', 'lambda-canary.json': config({ functionName: FN, codeFolder: 'src', alias: 'stable', handler: 'index.handler' }) })),
  });
  // A deploy publishes code, not configuration: the version would start the deployed handler.
  cases.push({
    area: 'lambda-canary.json',
    input: '"handler" other than the deployed function\'s',
    error: /handler is main\.handler, but .* is configured to start index\.handler: a version of this code would not start/,
    outcome: invalid('stable'),
    run: () => publishWorkspace(workspace('cfg', { ...okSrc, 'src/main.js': 'exports.handler = async () => 1;\n', 'lambda-canary.json': config({ functionName: FN, codeFolder: 'src', alias: 'stable', handler: 'main.handler' }) })),
  });

  // ---- SAM template.yaml ----
  const samCase = (input: string, error: RegExp, text: string, files: Record<string, string | Buffer> = okSrc) =>
    add('template.yaml', input, error, () => publishWorkspace(workspace('sam', { ...files, 'template.yaml': text })));
  samCase('broken YAML (unclosed quote)', /template\.yaml:\d+(:\d+)?: invalid YAML: unexpected end of the stream within a double quoted scalar/, samFn('      CodeUri: "src\n'));
  samCase('broken YAML (tab indentation)', /template\.yaml:\d+(:\d+)?: invalid YAML: tab characters must not be used in indentation/, 'Resources:\n\tFn:\n\t\tType: AWS::Serverless::Function\n');
  samCase('a YAML alias bomb ("billion laughs")', /invalid YAML: its aliases \(\*name\) add more than \d+ values, an alias bomb/, [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    'Resources: {}',
  ].join('\n'));
  samCase('only intrinsic tags where a folder is due (CodeUri: !Ref Bucket)', /No function of this workspace can be published from it: template\.yaml:2: "Fn\.CodeUri" is an intrinsic \(!Ref "CodeBucket"\): name a folder of the workspace/, samFn('      CodeUri: !Ref CodeBucket\n      Handler: !Sub "${Entry}.handler"\n'));
  samCase('Resources: !Ref Something (an intrinsic, not a mapping)', /"Resources" must be a mapping/, 'Resources: !Ref Something\n');
  samCase('no functions (only a table)', /No function found in this workspace/, 'Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n');
  samCase('no Resources section', /template\.yaml: has no Resources section/, 'AWSTemplateFormatVersion: "2010-09-09"\n');
  samCase('FunctionName: "my fn!"', /No function of this workspace can be published from it: template\.yaml:2: "Fn\.FunctionName" 'my fn!' is not a Lambda function name/, samFn('      FunctionName: "my fn!"\n      CodeUri: src\n'));
  samCase('AutoPublishAlias: "7"', /No function of this workspace can be published from it: template\.yaml:2: "Fn\.AutoPublishAlias" '7' is not a valid alias name/, samFn(`      FunctionName: ${FN}\n      CodeUri: src\n      AutoPublishAlias: "7"\n`));
  samCase('CodeUri: ../.. (outside the workspace)', /No function of this workspace can be published from it: template\.yaml:2: "Fn\.CodeUri".*points outside the workspace/, samFn('      CodeUri: ../..\n'));

  // ---- the code folder to package ----
  const pkgCase = (input: string, error: RegExp, make: () => string, options?: { handler?: string; runtime?: string; ignore?: string[] }) => add('package', input, error, () => publishFolder(make(), options));
  pkgCase('an empty folder', /holds no files to package/, () => workspace('pkg', {}));
  pkgCase('a folder emptied by ignore globs', /holds no files to package \(after ignores\)/, () => workspace('pkg', { 'README.md': '#' }), { ignore: ['**/*.md'] });
  pkgCase('a folder that does not exist', /The code folder .* does not exist/, () => path.join(tmp, 'no-such-folder'));
  pkgCase('a file given as the folder', /is not a folder/, () => path.join(workspace('pkg', { 'f.js': 'x' }), 'f.js'));
  pkgCase('over 50 MB zipped (incompressible)', /The package is 5\d\.\d MB zipped; Lambda accepts at most 50\.0 MB/, () => {
    const root = workspace('pkg', { 'index.js': 'exports.handler = async () => 1;\n' });
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(root, `blob${i}.bin`), crypto.randomBytes(17 * 1024 * 1024));
    return root;
  });
  pkgCase('over 250 MB unzipped (a sparse file)', /The code is 3\d\d\.\d MB unzipped; Lambda allows 250\.0 MB/, () => {
    const root = workspace('pkg', { 'index.js': 'x' });
    fs.closeSync(fs.openSync(path.join(root, 'huge.bin'), 'w'));
    fs.truncateSync(path.join(root, 'huge.bin'), 300 * 1024 * 1024);
    return root;
  });
  // As root the unreadable file is a link to /proc/self/mem, which is refused before any read for
  // leading outside the code folder.
  pkgCase('an unreadable file', /Cannot read secret\.js: (permission denied|EIO)|The symlink secret\.js leads to \/proc\/.*outside the code folder/, () => {
    const root = workspace('pkg', { 'index.js': 'x', 'secret.js': 'y' });
    if (process.getuid?.() === 0) {
      // root reads any file whatever its mode: use one whose every read fails instead.
      fs.rmSync(path.join(root, 'secret.js'));
      fs.symlinkSync('/proc/self/mem', path.join(root, 'secret.js'));
    } else {
      fs.chmodSync(path.join(root, 'secret.js'), 0o000);
    }
    return root;
  });
  pkgCase('a symlink loop (lib/up → ..)', /The symlink lib\/up loops back/, () => {
    const root = workspace('pkg', { 'index.js': 'x', 'lib/a.js': 'y' });
    fs.symlinkSync('..', path.join(root, 'lib', 'up'));
    return root;
  });
  pkgCase('a dangling symlink', /The symlink gone\.js points nowhere/, () => {
    const root = workspace('pkg', { 'index.js': 'x' });
    fs.symlinkSync('missing.js', path.join(root, 'gone.js'));
    return root;
  });
  pkgCase('handler "index" (no export)', /'index' is not of the form file\.export/, () => workspace('pkg', { 'index.js': 'x' }), { runtime: 'nodejs20.x', handler: 'index' });

  // ---- requests to the sandbox, as any client could send them ----
  add('sandbox request', 'UpdateAlias with malformed JSON', /SerializationException \(HTTP 400\): Could not parse the request body as JSON/, () =>
    raw(h().sandbox.endpoint, 'PUT', `/2015-03-31/functions/${FN}/aliases/prod`, '{"FunctionVersion": "2", '),
  );
  add('sandbox request', 'PublishVersion with a JSON array body', /SerializationException \(HTTP 400\): The request body must be a JSON object/, () =>
    raw(h().sandbox.endpoint, 'POST', `/2015-03-31/functions/${FN}/versions`, '[1, 2]'),
  );
  add('sandbox request', 'UpdateFunctionCode with a 71 MB body', /RequestEntityTooLargeException \(HTTP 413\): Request must be smaller than/, () =>
    raw(h().sandbox.endpoint, 'PUT', `/2015-03-31/functions/${FN}/code`, Buffer.alloc(71 * 1024 * 1024, 0x20)),
  );
  add('sandbox request', 'UpdateFunctionCode with a ZipFile that is not a zip', /InvalidParameterValueException.*Could not unzip uploaded file/, () =>
    h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: Buffer.from('this is not a zip') })),
  );
  add('sandbox request', 'Invoke with Qualifier "pr od"', /ValidationException.*qualifier.*pattern/, () => h().lambda.send(new InvokeCommand({ FunctionName: FN, Qualifier: 'pr od' })));
  add('sandbox request', 'Invoke with an alias that does not exist', /ResourceNotFoundException.*not found/i, () => h().lambda.send(new InvokeCommand({ FunctionName: FN, Qualifier: 'ghost' })));
  add('sandbox request', 'Invoke fn:stable with Qualifier prod (they disagree)', /qualifier .*does not match/, () => h().lambda.send(new InvokeCommand({ FunctionName: `${FN}:stable`, Qualifier: 'prod' })));
  add('sandbox request', 'Invoke with a payload that is not JSON', /InvalidRequestContentException.*must be a JSON document/, () =>
    h().lambda.send(new InvokeCommand({ FunctionName: FN, Qualifier: 'stable', Payload: Buffer.from('{not json') })),
  );
  add('sandbox request', 'Invoke with a 7 MB payload', /RequestTooLargeException \(HTTP 413\)/, () =>
    h().lambda.send(new InvokeCommand({ FunctionName: FN, Qualifier: 'stable', Payload: Buffer.from(JSON.stringify({ pad: 'x'.repeat(7 * 1024 * 1024) })) })),
  );
  add('sandbox request', 'GetFunctionConfiguration with a broken %-escape in the path', /not valid URL encoding/, () => raw(h().sandbox.endpoint, 'GET', `/2015-03-31/functions/${FN}%E0%A4%A/configuration`));
  add('sandbox request', 'PublishVersion with a CodeSha256 other than $LATEST\'s', /CodeSHA256 \(.*\) is different from current CodeSHA256 in \$LATEST/, () =>
    h().lambda.send(new PublishVersionCommand({ FunctionName: FN, CodeSha256: sha256Base64(Buffer.from('other')) })),
  );
  add('sandbox request', 'UpdateAlias routing to two extra versions', /InvalidParameterValueException/, () =>
    h().lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1, '1': 0.1 } } })),
  );

  // ---- messages from the traffic panel's webview (checked by parsePanelMessage on receipt) ----
  const msgCase = (input: string, error: RegExp, message: unknown) => add('webview message', input, error, () => parsePanelMessage(message));
  msgCase('unknown type "deleteFunction"', /unknown type "deleteFunction"/, { type: 'deleteFunction' });
  msgCase('no type at all', /unknown type/, { weightPercent: 10 });
  msgCase('apply with weightPercent "10" (a string)', /weightPercent must be a number/, { type: 'apply', weightPercent: '10' });
  msgCase('apply with weightPercent 150', /weightPercent must be a number from 0 to 100/, { type: 'apply', weightPercent: 150 });
  msgCase('probe with count 2.5', /count must be a whole number/, { type: 'probe', count: 2.5 });
  msgCase('probe with count 10^9', /count must be a whole number from 1 to/, { type: 'probe', count: 1e9 });
  msgCase('window of 7 minutes', /minutes must be one of/, { type: 'window', minutes: 7 });
  msgCase('promote with an extra field', /unexpected field\(s\) force/, { type: 'promote', force: true });
  msgCase('a 1 MB message', /larger than \d+ characters/, { type: 'refresh', pad: 'x'.repeat(1024 * 1024) });
  msgCase('a string instead of an object', /not an object/, 'promote');
  msgCase('null', /not an object/, null);
  msgCase('a "__proto__" key', /unexpected field\(s\) __proto__/, JSON.parse('{"type":"ready","__proto__":{"admin":true}}'));

  it(`has at least 40 bad inputs (${cases.length})`, () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
  });

  /** The alias a use case is about, as GetAlias reads it; undefined when there is none of that name. */
  const readAlias = (fn: string, name: string): Promise<AliasConfiguration | undefined> =>
    fn === FN && /^[a-zA-Z0-9-_]{1,128}$/.test(name) && !/^[0-9]+$/.test(name)
      ? h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name })).catch(() => undefined)
      : Promise.resolve(undefined);

  for (const c of cases) {
    it(`${c.area}: ${c.input}`, async () => {
      const before = await snapshot();
      const aliasBefore = c.outcome ? await readAlias(c.outcome.fn ?? FN, c.outcome.alias) : undefined;
      let message = '';
      try {
        const r = await refusal(c.run);
        message = r.message;
        assert.match(message, c.error, `the error should name the problem; it was: ${message}`);
        assert.deepEqual(await snapshot(), before, `the bad input changed the function; the error was: ${message}`);
        if (c.outcome) {
          const o = r.outcome;
          assert.ok(o, `a use case refuses with an Outcome, not by throwing: ${message}`);
          assert.equal(o.error?.kind, c.outcome.kind, `the error's kind: ${message}`);
          assert.match(o.error.message, c.error, 'outcome.error.message names the problem');
          assert.equal(o.state, 'unchanged', 'the outcome says nothing changed');
          assert.deepEqual(o.versionsPublished, [], 'the outcome says nothing was published');
          assert.equal(o.after, undefined, 'nothing was written, so no routing after the write is claimed');
          assert.deepEqual([o.target.function, o.target.alias], [c.outcome.fn ?? FN, c.outcome.alias], 'the outcome names the alias it is about');
          if (aliasBefore) assertOutcomeTruth(o, { now: aliasBefore, before: aliasBefore, intended: false, published: [] });
          else assert.equal(o.before, undefined, 'no alias was read, so none is claimed');
        }
        results.push({ area: c.area, input: c.input, refused: true, message });
      } catch (e) {
        results.push({ area: c.area, input: c.input, refused: false, message: message || String(e) });
        throw e;
      }
    });
  }

  describe('near misses that are valid, and accepted', () => {
    it('"10%", "10 %" and 0.0001 (the smallest weight) are weights', () => {
      assert.deepEqual(parseCanaryPercent('10%'), { ok: true, value: 10 });
      assert.deepEqual(parseCanaryPercent(' 10 % '), { ok: true, value: 10 });
      assert.deepEqual(parseCanaryPercent('0.0001'), { ok: true, value: 0.0001 });
      assert.deepEqual(parseCanaryPercent(99.9999), { ok: true, value: 99.9999 });
    });

    it('the weight the canary already runs at is accepted: nothing to do, so unchanged and no error', async () => {
      const aliasBefore = await h().lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
      const o = await setCanaryWeight(ctx(), { ...prod, weightPercent: 10 });
      const now = await h().lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'prod' }));
      assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
      assert.equal(o.state, 'unchanged', outcomeText(o));
      assertOutcomeTruth(o, { now, before: aliasBefore, intended: true, published: [] });
    });

    it('switching an alias to the version it already serves is nothing to do: unchanged, a note, no error', async () => {
      const before = await h().lambda.send(new GetAliasCommand({ FunctionName: stable.functionName, Name: stable.aliasName }));
      const o = await switchAlias(ctx(), { ...stable, version: '2' });
      assert.equal(o.state, 'unchanged', outcomeText(o));
      assert.equal(o.error, undefined);
      assert.match(o.note ?? '', /already points to version 2/);
      assert.match(outcomeText(o), /already points to version 2\. Nothing to do\./);
      const now = await h().lambda.send(new GetAliasCommand({ FunctionName: stable.functionName, Name: stable.aliasName }));
      assert.equal(now.RevisionId, before.RevisionId, 'nothing written');
    });

    it('intrinsic tags elsewhere in a SAM template parse', () => {
      const root = workspace('sam-ok', {
        ...okSrc,
        'template.yaml': samFn(`      FunctionName: ${FN}\n      CodeUri: src\n      Environment: { Variables: { T: !Ref Table, A: !GetAtt Table.Arn, S: !Sub "\${AWS::StackName}-x" } }\n`),
      });
      const [fn] = discoverFunctions(root);
      assert.equal(fn.functionName, FN);
      assert.equal(fn.codeDir, path.join(root, 'src'));
    });
  });
});
