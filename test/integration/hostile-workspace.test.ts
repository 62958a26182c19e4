/**
 * A hostile workspace: a repository whose lambda-canary.json, SAM template, code folder, test
 * event or git config tries to make Publish Canary read files from outside the workspace, run
 * its code in an untrusted workspace, or crash the parser. Each case runs the real Publish Canary
 * path (publishWorkspaceCanary: discover → build → package → publish → smoke → route, real SDK
 * clients against the sandbox) and asserts a clear error naming the problem, that the function,
 * its versions, aliases and invocations are exactly as before, and that nothing of the workspace
 * ran (marker files a build or a git hook would write stay absent).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, ListAliasesCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { createClients, endpointConsent } from '../../src/core/connection';
import { MemoryLogger } from '../../src/core/log';
import type { OperationContext } from '../../src/core/operations';
import { publishWorkspaceCanary } from '../../src/core/publishWorkspace';
import { describeSkipped, discoverFunctions, discoverWorkspace } from '../../src/core/workspace';
import { connectionStatus, endpointConsentQuestion } from '../../src/extension/connectionText';
import { deployOtherQuestion, untrustedPublishQuestion, workspaceFunctionItem } from '../../src/extension/commands/publishText';
import { zipFiles } from '../../src/sandbox';
import { iconText, notificationText } from '../../src/shared/text';
import { ROLE, useSandbox } from './helpers';

const FN = 'hostile-ws-fn';
const FAST = { maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 };
const SECRET = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n';

describe('hostile workspace: refused with a clear error, nothing changed, nothing ran', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 20 });
  const log = new MemoryLogger();
  const ctx = (): OperationContext => ({ lambda: h().lambda, log, waiters: FAST });
  let tmp: string;
  /** A folder outside every workspace, holding what a hostile workspace wants packaged. */
  let outside: string;
  let count = 0;

  async function snapshot(): Promise<unknown> {
    const { lambda, sandbox } = h();
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FN }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: FN }));
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: FN }));
    return {
      latest: { CodeSha256: cfg.CodeSha256, RevisionId: cfg.RevisionId, LastModified: cfg.LastModified },
      versions: (versions.Versions ?? []).map((v) => [v.Version, v.CodeSha256, v.Description]),
      aliases: (aliases.Aliases ?? []).map((a) => [a.Name, a.FunctionVersion, a.RoutingConfig, a.RevisionId]),
      invocations: sandbox.metrics.size,
    };
  }

  /** A new workspace folder holding `files` (Buffers as given, objects as JSON). */
  function workspace(files: Record<string, string | Buffer | object>): string {
    const root = path.join(tmp, `ws-${++count}`);
    fs.mkdirSync(root, { recursive: true });
    for (const [rel, content] of Object.entries(files)) {
      const abs = path.join(root, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2));
    }
    return root;
  }

  const src = { 'src/index.js': 'exports.handler = async (e) => ({ ok: true, e });\n' };
  const cfg = (extra: object = {}) => ({ functionName: FN, codeFolder: 'src', handler: 'index.handler', alias: 'prod', ...extra });
  const samFn = (codeUri: string) => `Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: ${FN}\n      Handler: index.handler\n      CodeUri: ${codeUri}\n`;
  /** A marker file a build or hook would write: its absence shows nothing ran. */
  const marker = (name: string) => path.join(tmp, `ran-${name}-${count}`);
  const writeMarker = (file: string) => ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, 'ran')`];

  /** Publish Canary of the workspace, as the command runs it. */
  async function publish(root: string, options: { trusted?: boolean; smokeTest?: boolean } = {}) {
    const { functions: [fn], skipped } = discoverWorkspace(root);
    // As the command says it: a function the template declares but that cannot be offered, with why.
    if (!fn && skipped.length) throw new Error(`No function of this workspace can be published from it: ${skipped.map((s) => describeSkipped(s, root)).join(' ')}`);
    assert.ok(fn, 'the workspace declares a function');
    return publishWorkspaceCanary(ctx(), { fn, functionName: fn.functionName ?? FN, aliasName: fn.alias ?? 'prod', weightPercent: 10, trusted: options.trusted ?? true, smokeTest: options.smokeTest ?? true });
  }

  /** Back to prod → 1 with no canary, after a case that published one. */
  const resetProd = () => h().lambda.send(new UpdateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));

  let refused = 0;
  /** Runs `run`, which must fail with `error`; the function and its aliases must be untouched and no marker written. */
  async function refuses(run: () => Promise<unknown>, error: RegExp, markers: string[] = []): Promise<string> {
    const before = await snapshot();
    let message: string | undefined;
    try {
      await run();
    } catch (e) {
      message = (e as Error).message;
    }
    assert.ok(message !== undefined, 'expected a refusal, but the publish went through');
    assert.match(message, error);
    assert.doesNotMatch(message, /TypeError|EISDIR|ENOENT|is not a function|undefined/, `a clear error, not a crash: ${message}`);
    assert.deepEqual(await snapshot(), before, 'the function, its versions, aliases and invocations are unchanged');
    for (const m of markers) assert.equal(fs.existsSync(m), false, `${path.basename(m)} must not exist: nothing of the workspace may run`);
    refused++;
    return message;
  }

  before(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hostile-ws-')));
    outside = path.join(tmp, 'home', '.ssh');
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(path.join(outside, 'id_rsa'), SECRET);
    fs.writeFileSync(path.join(outside, 'index.js'), 'exports.handler = async () => require("fs").readFileSync(__dirname + "/id_rsa", "utf8");\n');
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: FN, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;\n' }) } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'prod', FunctionVersion: '1' }));
  });

  // A case that wrongly went through leaves a canary on prod: the next case starts clean anyway.
  afterEach(resetProd);

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`\n  Hostile workspace: ${refused} hostile inputs refused with a clear error, nothing changed, nothing ran`);
  });

  // ---- paths that lead outside the workspace (item: code from outside the workspace) ----

  it('a codeFolder that is a symlink out of the workspace (to ~/.ssh)', async () => {
    const root = workspace({ 'lambda-canary.json': cfg({ codeFolder: 'code' }) });
    fs.symlinkSync(outside, path.join(root, 'code'));
    const msg = await refuses(() => publish(root), /"codeFolder": 'code' resolves through a symlink to .*\.ssh, outside the workspace folder/);
    assert.match(msg, /^lambda-canary\.json:\d+: /, 'names the file and line');
  });

  it('a codeFolder that passes through a symlinked folder on its way (link/inner)', async () => {
    const root = workspace({ 'lambda-canary.json': cfg({ codeFolder: 'link/.ssh' }) });
    fs.symlinkSync(path.dirname(outside), path.join(root, 'link'));
    await refuses(() => publish(root), /"codeFolder": 'link\/\.ssh' resolves through a symlink to .*outside the workspace folder/);
  });

  it('a file in the code folder that is a symlink to ~/.ssh/id_rsa', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg() });
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'src', 'id_rsa'));
    await refuses(() => publish(root), /The symlink id_rsa leads to .*\.ssh\/id_rsa, outside the workspace: only files inside the workspace are packaged/);
  });

  it('a folder in the code folder that is a symlink out of the workspace (node_modules/keys → ~/.ssh)', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg() });
    fs.mkdirSync(path.join(root, 'src', 'node_modules'));
    fs.symlinkSync(outside, path.join(root, 'src', 'node_modules', 'keys'));
    await refuses(() => publish(root), /The symlink node_modules\/keys leads to .*\.ssh, outside the workspace/);
  });

  it('a relative symlink climbing out of the workspace (../../..)', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg() });
    fs.symlinkSync(path.relative(path.join(root, 'src'), path.join(outside, 'id_rsa')), path.join(root, 'src', 'deploy-key'));
    await refuses(() => publish(root), /The symlink deploy-key leads to .*outside the workspace/);
  });

  it('a SAM CodeUri that is a symlink out of the workspace', async () => {
    const root = workspace({ 'template.yaml': samFn('fn') });
    fs.symlinkSync(outside, path.join(root, 'fn'));
    await refuses(() => publish(root), /^No function of this workspace can be published from it: template\.yaml:2: "Fn\.CodeUri": 'fn' resolves through a symlink to .*outside the workspace folder/);
  });

  it('a SAM CodeUri of ../../ (outside by its name)', async () => {
    const root = workspace({ 'template.yaml': samFn('../../') });
    await refuses(() => publish(root), /^No function of this workspace can be published from it: template\.yaml:2: "Fn\.CodeUri": .* points outside the workspace folder/);
  });

  it('a SAM CodeUri that is an absolute path elsewhere', async () => {
    const root = workspace({ 'template.yaml': samFn(outside) });
    await refuses(() => publish(root), /^No function of this workspace can be published from it: template\.yaml:2: "Fn\.CodeUri": .* points outside the workspace folder/);
  });

  it('a testEvent that is a symlink to ~/.ssh/id_rsa (it would be sent as the event)', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ testEvent: 'events/smoke.json' }) });
    fs.mkdirSync(path.join(root, 'events'));
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'events', 'smoke.json'));
    await refuses(() => publish(root), /"testEvent": 'events\/smoke\.json' resolves through a symlink to .*id_rsa, outside the workspace folder/);
  });

  it('a testEvent naming a folder: a clear error, not EISDIR', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ testEvent: 'events' }), 'events/a.json': '{}' });
    await refuses(() => publish(root), /"testEvent" 'events' is a folder: name a JSON file/);
  });

  it('a testEvent replaced by a symlink out of the workspace after the config was read', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ testEvent: 'smoke.json' }), 'smoke.json': '{}' });
    const [fn] = discoverFunctions(root);
    fs.rmSync(path.join(root, 'smoke.json'));
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'smoke.json'));
    await refuses(
      () => publishWorkspaceCanary(ctx(), { fn, functionName: FN, aliasName: 'prod', weightPercent: 10, trusted: true, smokeTest: true }),
      /The test event smoke\.json is not usable: .*outside the workspace folder/,
    );
  });

  // ---- lambda-canary.json and template.yaml that try to crash the parser (workspace files) ----

  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`lambda-canary.json with a "${key}" key: refused as unknown, no crash`, async () => {
      const text = `{\n  "functionName": "${FN}",\n  "codeFolder": "src",\n  "${key}": { "polluted": true }\n}\n`;
      const root = workspace({ ...src, 'lambda-canary.json': text });
      await refuses(() => publish(root), new RegExp(`^lambda-canary\\.json:4: unknown key "${key}" \\(known: functionName, codeFolder`));
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
    });
  }

  it('lambda-canary.json with a wrong type inside the build array', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': `{\n  "functionName": "${FN}",\n  "build": ["node", {"$(id)": 1}]\n}\n` });
    await refuses(() => publish(root), /^lambda-canary\.json:3: "build" must be a string or an array of strings\./);
  });

  it('lambda-canary.json that is a symlink to a file outside the workspace', async () => {
    const elsewhere = path.join(outside, 'lambda-canary.json');
    fs.writeFileSync(elsewhere, JSON.stringify(cfg({ codeFolder: '.' })));
    const root = workspace(src);
    fs.symlinkSync(elsewhere, path.join(root, 'lambda-canary.json'));
    await refuses(() => publish(root), /^lambda-canary\.json: resolves through a symlink to .*\.ssh\/lambda-canary\.json, outside the workspace folder/);
  });

  it('lambda-canary.json that is a FIFO (a read would block for ever)', async function () {
    if (process.platform === 'win32') this.skip();
    const root = workspace(src);
    execFileSync('mkfifo', [path.join(root, 'lambda-canary.json')]);
    await refuses(() => publish(root), /lambda-canary\.json: is not a regular file/);
  });

  it('a SAM template with a billion-laughs alias bomb', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const root = workspace({ ...src, 'template.yaml': `${lines.join('\n')}\n${samFn('src')}` });
    await refuses(() => publish(root), /template\.yaml: invalid YAML: .*alias/i);
  });

  it('a SAM template of 5 MB', async () => {
    const root = workspace({ ...src, 'template.yaml': `${samFn('src')}# ${'x'.repeat(5 * 1024 * 1024)}\n` });
    await refuses(() => publish(root), /template\.yaml: is 5\.0 MB; more than 4 MB is not read/);
  });

  it('a file name that is not valid UTF-8 in the code folder', async function () {
    if (process.platform !== 'linux') this.skip();
    const root = workspace({ ...src, 'lambda-canary.json': cfg() });
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'src', 'bad')), Buffer.from([0xff, 0xfe]), Buffer.from('.js')]), 'x');
    await refuses(() => publish(root), /The folder .*src holds a name that is not valid UTF-8: 'bad\\xff\\xfe\.js'/);
  });

  it('a test event of 7 MB (over Lambda’s 6 MB payload)', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ testEvent: 'big.json' }), 'big.json': JSON.stringify({ x: 'y'.repeat(7 * 1024 * 1024) }) });
    await refuses(() => publish(root), /The test event big\.json is 7\.0 MB; more than 6 MB is not read/);
  });

  // ---- an untrusted workspace: nothing of it runs (item: workspace trust) ----

  it('untrusted: a build command is not run, Publish Canary is refused with the reason', async () => {
    const m = marker('build');
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ build: writeMarker(m) }) });
    const msg = await refuses(() => publish(root, { trusted: false }), /This workspace is not trusted, so Lambda Canary runs nothing of it: Publish Canary would run its build command \(node -e /, [m]);
    assert.match(msg, /Manage Workspace Trust/);
  });

  it('untrusted: the smoke test with the workspace’s event is not run', async () => {
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ testEvent: 'events/smoke.json' }), 'events/smoke.json': '{"probe": true}' });
    await refuses(() => publish(root, { trusted: false }), /not trusted.*a smoke test of the new version with its event events\/smoke\.json/);
  });

  it('trusted: a build argv with ; && $( ) | is passed literally, no shell runs it', async () => {
    const m = marker('shell');
    const hostileArg = `x; touch ${m} && $(touch ${m}) | \`touch ${m}\``;
    const root = workspace({ ...src, 'lambda-canary.json': cfg({ build: ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1))); process.exit(7)', hostileArg] }) });
    await refuses(() => publish(root), /The build command failed \(exit code 7\)/, [m]);
    assert.ok(log.lines.some((l) => l.includes(JSON.stringify([hostileArg]))), 'the argument arrived as one literal word');
  });

  it('untrusted: git is not run in the workspace (its config could name a program: core.fsmonitor)', async function () {
    try {
      execFileSync('git', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip(); // no git on this machine: nothing to run either way
    }
    const m = marker('fsmonitor');
    const root = workspace({ ...src, 'lambda-canary.json': cfg() });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'init');
    git('config', 'core.fsmonitor', `node -e "require('fs').writeFileSync(process.argv[1], 'ran')" ${m}`);
    // Nothing else of the workspace would run, so the publish goes through: without git.
    const result = await publish(root, { trusted: false });
    assert.equal(fs.existsSync(m), false, 'the hook configured in .git/config did not run');
    const versions = await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: FN }));
    const published = versions.Versions?.find((v) => v.Version === result.version);
    assert.match(published?.Description ?? '', /^Lambda Canary \d{4}-\d\d-\d\d/, 'described by time, not by git');
    await resetProd();
    // The same workspace, trusted: git runs, and so does the hook — why it must not when untrusted.
    fs.appendFileSync(path.join(root, 'src', 'index.js'), '// changed\n');
    await publish(root, { trusted: true });
    await resetProd();
    assert.equal(fs.existsSync(m), true, 'a trusted workspace runs git, and git runs core.fsmonitor');
  });

  // ---- where a workspace's settings send requests signed with the user's credentials ----

  /**
   * A workspace endpoint that is no Lambda or CloudWatch endpoint of AWS: the user is asked
   * first, naming the host the real SDK client would contact, and nothing reaches the sandbox.
   */
  async function asksBeforeSending(endpointUrl: string, expectedHost: string): Promise<void> {
    const before = await snapshot();
    const consent = endpointConsent(endpointUrl, 'workspace', 'dev');
    assert.ok(consent.ask, `${endpointUrl} must be asked about`);
    assert.equal(consent.host, expectedHost);
    const clients = createClients({ kind: 'aws', profile: 'lc-hostile-no-such-profile', region: 'us-east-1', endpointUrl }, { maxAttempts: 1 });
    try {
      const contacted = await clients.lambda.config.endpoint!();
      const port = contacted.port ? `:${contacted.port}` : '';
      assert.equal(`${contacted.hostname}${port}`, expectedHost, 'the host named is the host the SDK would send to');
    } finally {
      clients.dispose();
    }
    assert.deepEqual(await snapshot(), before, 'nothing was sent');
    refused++;
  }

  it('a workspace endpointUrl at an API Gateway stage (a host anyone can own under amazonaws.com)', async () => {
    await asksBeforeSending('https://abc123.execute-api.us-east-1.amazonaws.com/prod', 'abc123.execute-api.us-east-1.amazonaws.com');
  });
  it('a workspace endpointUrl at an S3 bucket', async () => {
    await asksBeforeSending('https://lambda.s3.amazonaws.com', 'lambda.s3.amazonaws.com');
  });
  it('a workspace endpointUrl at a load balancer', async () => {
    await asksBeforeSending('https://lambda-1234.us-east-1.elb.amazonaws.com', 'lambda-1234.us-east-1.elb.amazonaws.com');
  });
  it('a workspace endpointUrl at a CloudFront distribution or a Lambda function URL', async () => {
    await asksBeforeSending('https://d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net');
    await asksBeforeSending('https://abcdefghij.lambda-url.us-east-1.on.aws', 'abcdefghij.lambda-url.us-east-1.on.aws');
  });
  it("a workspace endpointUrl with Lambda's host as a user name (lambda.us-east-1.amazonaws.com@evil)", async () => {
    await asksBeforeSending('https://lambda.us-east-1.amazonaws.com@evil.example', 'evil.example');
  });
  it("a workspace endpointUrl with Lambda's host as a prefix (lambda.us-east-1.amazonaws.com.evil.example)", async () => {
    await asksBeforeSending('https://lambda.us-east-1.amazonaws.com.evil.example', 'lambda.us-east-1.amazonaws.com.evil.example');
  });
  it('a workspace endpointUrl whose region label is no region (lambda.my-bucket.amazonaws.com)', async () => {
    await asksBeforeSending('https://lambda.my-bucket.amazonaws.com', 'lambda.my-bucket.amazonaws.com');
  });
  it("a workspace endpointUrl with a trailing dot or a port on Lambda's host", async () => {
    await asksBeforeSending('https://lambda.us-east-1.amazonaws.com.', 'lambda.us-east-1.amazonaws.com.');
    await asksBeforeSending('https://lambda.us-east-1.amazonaws.com:8443', 'lambda.us-east-1.amazonaws.com:8443');
  });
  it('a workspace endpointUrl that spells Lambda\'s host with full-width letters or a Cyrillic letter', async () => {
    await asksBeforeSending('https://\uff4c\uff41\uff4d\uff42\uff44\uff41.us-east-1.amazonaws.com', 'lambda.us-east-1.amazonaws.com');
    await asksBeforeSending('https://lambda.us-east-1.amazonaws.c\u043em', 'lambda.us-east-1.amazonaws.xn--cm-fmc');
  });
  it('a Connect given for one profile does not cover a workspace switching to another profile', async () => {
    const url = 'https://collector.evil.example';
    const remembered = new Set<string>();
    const dev = endpointConsent(url, 'workspace', 'dev');
    assert.ok(dev.ask);
    remembered.add(dev.key);
    for (const profile of ['prod-admin', undefined]) {
      const other = endpointConsent(url, 'workspace', profile);
      assert.ok(other.ask && !remembered.has(other.key), `profile ${profile ?? '(default chain)'} is asked about again`);
    }
    refused++;
  });

  // ---- the workspace's names in pickers and dialogs ----

  const ICON = /(^|[^\\])\$\([a-z0-9-]+(?:~[a-z]+)?\)/i;
  const LINK = /\[[^\]]+\]\((?:https?:\/\/|command:|file:)[^)\s]+/i;
  // eslint-disable-next-line no-control-regex
  const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

  it('SAM logical IDs holding $(icon), line breaks and a bidi override are not offered (CloudFormation refuses them); the reason shows as one line of text', async () => {
    const before = await snapshot();
    const template = ['Resources:', '  "$(pass-filled) Approved":', '    Type: AWS::Serverless::Function', '    Properties: { Handler: index.handler, CodeUri: src }', '  "Fn\\n$(warning) prod\\u202e":', '    Type: AWS::Serverless::Function', '    Properties: { Handler: index.handler, CodeUri: src }', ''].join('\n');
    const root = workspace({ ...src, 'template.yaml': template });
    const found = discoverWorkspace(root);
    assert.deepEqual(found.functions, []);
    assert.equal(found.skipped.length, 2);
    for (const s of found.skipped) {
      // As the picker's notification and the CLI show it.
      assert.doesNotMatch(iconText(describeSkipped(s, root), 1000), ICON);
      for (const text of [iconText(describeSkipped(s, root), 1000), notificationText(describeSkipped(s, root))]) {
        assert.doesNotMatch(text, INVISIBLE, JSON.stringify(text));
        assert.match(text, /is not a CloudFormation logical id \(letters and digits only\)/);
      }
    }
    assert.deepEqual(await snapshot(), before);
    refused++;
  });

  it('a code folder named with $(icon), a command link and a line break: the picker and the confirmations show it as text', async () => {
    const before = await snapshot();
    const dir = '$(check) ok [Trust](command:workbench.trust.manage)\nDeploy approved';
    const root = workspace({ [`${dir}/index.js`]: 'exports.handler = async () => 1;\n', 'lambda-canary.json': cfg({ codeFolder: dir }) });
    const [fn] = discoverFunctions(root);
    const rel = (p: string) => path.relative(root, p);
    const item = workspaceFunctionItem(fn, rel);
    assert.doesNotMatch(item.detail, ICON);
    assert.doesNotMatch(item.detail, INVISIBLE);
    for (const q of [deployOtherQuestion(fn, 'other-fn', rel), untrustedPublishQuestion(fn, FN, 'prod', rel)]) {
      assert.doesNotMatch(q.message + q.detail, LINK, q.detail);
      assert.doesNotMatch(q.message + q.detail, INVISIBLE, JSON.stringify(q.detail));
      assert.ok(q.detail.includes('Deploy approved'), 'the folder is named, as text');
    }
    assert.deepEqual(await snapshot(), before);
    refused++;
  });

  it('a workspace profile and endpoint holding $(icon), line breaks and a bidi override: the status bar and the consent dialog show them as text', async () => {
    const before = await snapshot();
    const profile = '$(shield) admin\nConnected to the sandbox \u202e';
    const endpointUrl = 'https://evil.example/$(lock)\n\nlambdaCanary.endpointUrl is set to https://lambda.us-east-1.amazonaws.com';
    const status = connectionStatus({ kind: 'aws', profile, region: 'us-east-1', endpointUrl });
    assert.ok(status.text.startsWith('$(cloud) '));
    assert.doesNotMatch(status.text.slice('$(cloud) '.length), ICON, status.text);
    assert.doesNotMatch(status.text + status.tooltip, INVISIBLE);
    const consent = endpointConsent(endpointUrl, 'workspace', profile);
    assert.ok(consent.ask);
    const q = endpointConsentQuestion(consent.host, endpointUrl, profile);
    assert.doesNotMatch(q.message + q.detail, INVISIBLE, JSON.stringify(q.detail));
    assert.match(q.message, /requests to evil\.example, signed with your AWS profile "\$\(shield\) admin Connected to the sandbox"/);
    assert.deepEqual(await snapshot(), before);
    refused++;
  });

  it('a lambda-canary.json saved with a UTF-8 BOM is accepted (and a BOM in its test event)', async () => {
    const bom = '\uFEFF';
    const root = workspace({ 'src/index.js': 'exports.handler = async (e) => ({ bom: e.bom });\n', 'lambda-canary.json': bom + JSON.stringify(cfg({ testEvent: 'e.json' })), 'e.json': `${bom}{"bom": 1}` });
    const result = await publish(root);
    assert.equal(result.alias.Name, 'prod');
    assert.equal(result.alias.RoutingConfig?.AdditionalVersionWeights?.[result.version], 0.1);
    await resetProd();
  });
});
