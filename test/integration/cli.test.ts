import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { COMMANDS, COMMAND_NAMES, GLOBAL_OPTIONS } from '../../src/cli/commands';
import type { Outcome } from '../../src/core/outcome';
import { newAccessKeyId, zipFiles } from '../../src/sandbox';
import { ROLE, useSandbox } from './helpers';
import { DIGEST_A, imageInput, REPO } from './image-testkit';
import type { CliRunOptions, Run } from './cli-testkit';
import { runCliIn, Sink } from './cli-testkit';

const ROOT = path.resolve(__dirname, '..', '..', '..');


const code = (tag: string) => zipFiles({ 'index.js': `exports.handler = async () => ({ tag: ${JSON.stringify(tag)} });\n` });

describe('lambda-canary CLI (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 30, randomSeed: 5, accessKeyId: newAccessKeyId() });
  let n = 0;
  let fn: string;
  let journalDir: string;
  let workDir: string;

  const env = (): NodeJS.ProcessEnv => ({
    AWS_ACCESS_KEY_ID: h().sandbox.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    AWS_REGION: h().sandbox.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  /** Connection flags pointing the CLI at the test's sandbox, and the test's journal. */
  const conn = () => ['--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir];

  /** runCli in this process; `tty` answers questions from `stdin`. */
  async function cli(argv: string[], options: CliRunOptions = {}): Promise<Run> {
    return runCliIn({ env: env(), cwd: workDir }, argv, options);
  }

  /** The compiled CLI (out/src/cli/main.js, or dist/cli.js) as a child process. */
  function spawnCli(script: string, argv: string[], onSpawn?: (child: ChildProcess) => void): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, ...argv], { cwd: workDir, env: { PATH: process.env.PATH, HOME: workDir, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      onSpawn?.(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('exit', (c) => resolve({ code: c ?? -1, stdout, stderr }));
    });
  }
  const compiledCli = path.join(ROOT, 'out', 'src', 'cli', 'main.js');

  const alias = (name = 'prod'): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));
  const json = <T = Outcome>(r: Run): T => JSON.parse(r.stdout) as T;

  /** Versions 1 and 2; prod → 2, staging → 1. */
  beforeEach(async () => {
    fn = `cli-${++n}`;
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-cli-journal-'));
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-cli-work-'));
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Description: 'cli test', Code: { ZipFile: code('v1') } }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn, Description: 'first' }));
    sandbox.settle();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code('v2') }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn, Description: 'second' }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'staging', FunctionVersion: '1' }));
  });
  afterEach(() => {
    h().sandbox.faults.clear();
    fs.rmSync(journalDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  describe('help and usage errors', () => {
    it('--help lists every command and the exit codes; no arguments is the same help', async () => {
      const r = await cli(['--help']);
      assert.equal(r.code, 0);
      for (const name of COMMAND_NAMES) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'), name);
      for (const c of ['0  done', '1  failed', '2  bad input', '3  conflict', '4  outcome unknown']) assert.ok(r.stdout.includes(c), c);
      assert.equal((await cli([])).stdout, r.stdout);
    });

    it('COMMAND --help (and help COMMAND) names every option of the command, the global ones, examples and exit codes', async () => {
      for (const name of COMMAND_NAMES) {
        const r = await cli([name, '--help']);
        assert.equal(r.code, 0, name);
        assert.match(r.stdout, new RegExp(`^Usage: lambda-canary ${name}\\b`), name);
        for (const [option, spec] of Object.entries({ ...GLOBAL_OPTIONS, ...COMMANDS[name].options })) {
          assert.ok(r.stdout.includes(`--${option}`), `${name} --help lacks --${option}`);
          const short = (spec as { short?: string }).short;
          if (short) assert.ok(r.stdout.includes(`-${short},`), `${name} --help lacks -${short}`);
        }
        assert.match(r.stdout, /Examples:\n {2}lambda-canary /);
        assert.match(r.stdout, /Exit codes:/);
        assert.equal((await cli(['help', name])).stdout, r.stdout);
      }
    });

    const bad: Array<[string, string[], RegExp]> = [
      ['an unknown command', ['deploi'], /Unknown command 'deploi'/],
      ['an unknown option', ['promote', 'f:prod', '--force'], /Unknown option '--force'/],
      ['an option of another command', ['promote', 'f:prod', '--weight', '10'], /Unknown option '--weight'/],
      ['a missing option value', ['canary', 'f:prod', '--weight', '10', '--version'], /'--version' needs a value/],
      ['a missing required option', ['canary', 'f:prod', '--weight', '10'], /needs --version/],
      ['no FUNCTION:ALIAS', ['promote', 'checkout-api'], /is not FUNCTION:ALIAS/],
      ['a missing argument', ['weight', 'f:prod'], /'weight' needs FUNCTION:ALIAS and a weight/],
      ['too many arguments', ['rollback', 'f:prod', 'extra'], /Too many arguments for 'rollback': 'extra'/],
      ['a weight that is not a number', ['weight', 'f:prod', 'ten'], /'ten' is not a number of percent/],
      ['a probe count that is not a number', ['probe', 'f:prod', '-n', '1e3'], /'1e3' is not a whole number/],
      ['a window that is not a duration', ['traffic', 'f:prod', '--window', 'soon'], /'soon' is not a duration/],
      ['--sandbox with --endpoint-url', ['list', '--sandbox', '--endpoint-url', 'http://127.0.0.1:1'], /cannot be used together/],
    ];
    for (const [what, argv, message] of bad) {
      it(`${what}: message on stderr, nothing on stdout, exit 2`, async () => {
        const r = await cli(argv);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /Run 'lambda-canary .*--help' for usage/);
        assert.equal(r.stdout, '');
      });
    }
  });

  describe('reading: list, show, journal', () => {
    it('list: a table of functions; --json an array of them', async () => {
      const r = await cli(['list', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^FUNCTION\s+RUNTIME\s+LAST MODIFIED\s+DESCRIPTION$/m);
      assert.match(r.stdout, new RegExp(`^${fn}\\s+nodejs20\\.x\\s+\\S+\\s+cli test$`, 'm'));
      const rows = json<Array<{ name: string; runtime: string }>>(await cli(['list', '--json', ...conn()]));
      assert.ok(rows.some((f) => f.name === fn && f.runtime === 'nodejs20.x'));
    });

    it('show: aliases with routing and RevisionId, versions newest first; --json the same data', async () => {
      const prod = await alias();
      const r = await cli(['show', fn, ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(`prod → 2   [RevisionId ${prod.RevisionId}]`), r.stdout);
      assert.ok(r.stdout.includes('staging → 1'), r.stdout);
      assert.match(r.stdout, /Versions \(newest first\):\n {2}2 .*second\n {2}1 .*first/);
      const d = json<{ aliases: Array<{ name: string; version: string; revisionId: string }>; versions: Array<{ version: string }> }>(await cli(['show', fn, '--json', ...conn()]));
      assert.deepEqual(
        d.aliases.map((a) => [a.name, a.version, a.revisionId]),
        [
          ['prod', '2', prod.RevisionId],
          ['staging', '1', (await alias('staging')).RevisionId],
        ],
      );
      assert.deepEqual(
        d.versions.map((v) => v.version),
        ['2', '1'],
      );
    });

    it('show of a function that does not exist: exit 2 (bad input), what AWS said and what to check on stderr', async () => {
      const r = await cli(['show', 'no-such-function', ...conn()]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Could not read no-such-function: Function not found: arn:aws:lambda:[^ ]+:function:no-such-function\. Check the name, and that the region and account are the function's\./);
      assert.equal(r.stdout, '');
    });

    it('journal: every outcome, done or not, newest last; filtered by FN[:ALIAS]; --limit; --json', async () => {
      assert.match((await cli(['journal', ...conn()])).stdout, /No records in the deployment journal/);
      assert.equal((await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', ...conn()])).code, 0);
      assert.equal((await cli(['promote', `${fn}:staging`, '--yes', ...conn()])).code, 2); // no canary there: refused, journalled
      const r = await cli(['journal', fn, ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 2, r.stdout);
      assert.match(lines[0], new RegExp(`canary ${fn}:prod: done — Canary started: 10% of prod goes to version 1`));
      assert.match(lines[1], new RegExp(`promote ${fn}:staging: unchanged — .*`));
      assert.match(lines[0], /\(cli\)/);
      assert.equal((await cli(['journal', `${fn}:staging`, ...conn()])).stdout.trim().split('\n').length, 1);
      const d = json<{ records: Array<{ key: string; outcome: Outcome; by: { client: string } }> }>(await cli(['journal', fn, '--limit', '1', '--json', ...conn()]));
      assert.equal(d.records.length, 1);
      assert.equal(d.records[0].outcome.action, 'promote');
      assert.equal(d.records[0].by.client, 'cli');
      assert.equal(d.records[0].key, `123456789012/${h().sandbox.region}/${fn}:staging`);
    });
  });

  describe('what is printed', () => {
    it("AWS text is printed as text: a description's escape sequences and line breaks do not reach the terminal", async () => {
      const name = `${fn}-odd`;
      await h().lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Description: 'red \u001b[31mALERT\u001b[0m\u001b]0;title\u0007\nsecond line \u202eevil', Code: { ZipFile: code('x') } }));
      h().sandbox.settle();
      for (const argv of [['list'], ['show', name]]) {
        const r = await cli([...argv, ...conn()]);
        assert.equal(r.code, 0, r.stderr);
        // eslint-disable-next-line no-control-regex
        assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(r.stdout), JSON.stringify(r.stdout));
        assert.match(r.stdout, /red \[31mALERT \[0m \]0;title second line evil/);
      }
      const j = await cli(['show', name, '--json', ...conn()]);
      assert.ok(j.stdout.includes('\\u202eevil') && !j.stdout.includes('\u202e'), 'invisible characters escaped in the JSON');
      assert.equal(JSON.parse(j.stdout).function.description, 'red \u001b[31mALERT\u001b[0m\u001b]0;title\u0007\nsecond line \u202eevil', '--json keeps the data as it is');
    });

    it('--verbose logs the steps on stderr, and never the secret key', async () => {
      const r = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', '--verbose', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^info: → UpdateAlias prod/m);
      assert.ok(!`${r.stdout}${r.stderr}`.includes('not-a-secret'));
      const quiet = await cli(['rollback', `${fn}:prod`, '--yes', ...conn()]);
      assert.doesNotMatch(quiet.stderr, /^info:/m);
    });
  });

  describe('alias actions', () => {
    it('canary → weight → promote → switch-back → switch → rollback refused: each says what it did', async () => {
      const canary = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', ...conn()]);
      assert.equal(canary.code, 0, canary.stderr);
      assert.equal(canary.stdout, 'Canary started: 10% of prod goes to version 1 (prod → 2 (90%) · 1 (10%)).\n');
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '1': 0.1 });

      const weight = await cli(['weight', `${fn}:prod`, '25%', '--yes', ...conn()]);
      assert.equal(weight.code, 0, weight.stderr);
      assert.match(weight.stdout, /Canary version 1 now gets 25% of prod/);

      const promoted = await cli(['promote', `${fn}:prod`, '--yes', ...conn()]);
      assert.equal(promoted.code, 0, promoted.stderr);
      assert.match(promoted.stdout, /Promoted: prod → 1 \(100%\); version 2 is kept for Switch Back/);
      assert.equal((await alias()).FunctionVersion, '1');

      const back = await cli(['switch-back', `${fn}:prod`, '--yes', ...conn()]);
      assert.equal(back.code, 0, back.stderr);
      assert.equal(back.stdout, 'Switched back prod: 1 → 2.\n');

      const switched = await cli(['switch', `${fn}:prod`, '1', '--yes', ...conn()]);
      assert.equal(switched.code, 0, switched.stderr);
      assert.equal(switched.stdout, 'Switched prod: 2 → 1.\n');
      assert.equal((await alias()).FunctionVersion, '1');

      const rolled = await cli(['rollback', `${fn}:prod`, '--yes', ...conn()]);
      assert.equal(rolled.code, 2, 'no canary to roll back: refused before any write');
      assert.equal(rolled.stdout, '');
      assert.match(rolled.stderr, /^lambda-canary: .*canary/m);
    });

    it('rollback of a running canary', async () => {
      await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '50', '--yes', ...conn()]);
      const r = await cli(['rollback', `${fn}:prod`, '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Rolled back: prod → 2 \(100%\); version 1 gets no traffic/);
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('--json prints the outcome: action, target, before, after, steps, state; valid JSON for a failure too', async () => {
      const r = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '5', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json(r);
      assert.equal(o.action, 'canary');
      assert.equal(o.state, 'done');
      assert.deepEqual(o.target, { account: '123456789012', region: h().sandbox.region, function: fn, alias: 'prod' });
      assert.deepEqual(o.before && { version: o.before.version, weights: o.before.weights }, { version: '2', weights: {} });
      assert.deepEqual(o.after?.weights, { '1': 0.05 });
      assert.equal(o.after?.revisionId, (await alias()).RevisionId);
      assert.ok(o.steps.some((s) => s.name === 'UpdateAlias prod' && s.result === 'ok'));
      assert.equal(typeof o.id, 'string');
      const failed = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '150', '--yes', '--json', ...conn()]);
      assert.equal(failed.code, 2);
      const f = json(failed);
      assert.equal(f.state, 'unchanged');
      assert.equal(f.error?.kind, 'validation');
      assert.match(f.error!.message, /less than 100%/);
    });
  });

  describe('exit codes from outcomes', () => {
    it('1: an AWS error, the alias unchanged (the service fails to answer GetAlias)', async () => {
      const before = await alias();
      h().sandbox.faults.add({ operation: 'GetAlias', nth: 1, kind: 'error', times: 100 });
      try {
        const r = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', ...conn()]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /GetAlias prod failed: ServiceException/);
      } finally {
        h().sandbox.faults.clear();
      }
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('2: a name that is not there (a version that does not exist), the alias unchanged', async () => {
      const before = await alias();
      const r = await cli(['canary', `${fn}:prod`, '--version', '99', '--weight', '10', '--yes', ...conn()]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /Function not found: .*:99\. Check the name/);
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('2: refused by a rule (promote without a canary), nothing written', async () => {
      const before = await alias();
      const r = await cli(['promote', `${fn}:prod`, '--yes', ...conn()]);
      assert.equal(r.code, 2);
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('3: another client changed the alias between the read and the write (conflict)', async () => {
      h().sandbox.faults.add({
        operation: 'UpdateAlias',
        kind: 'hook',
        hook: async () => {
          await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'a teammate was here' }));
        },
      });
      const r = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 3, r.stderr);
      const o = json(r);
      assert.equal(o.error?.kind, 'conflict');
      assert.equal(o.state, 'unchanged');
      const a = await alias();
      assert.equal(a.Description, 'a teammate was here');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('4: the write got no answer (every attempt dropped) and could not be read back: unknown', async () => {
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop', times: 3 });
      // Every GetAlias after the dropped writes fails (the pre-flight's and the use case's first reads do not).
      h().sandbox.faults.add({
        operation: 'GetAlias',
        kind: 'hook',
        times: 1000,
        hook: () => {
          if (h().sandbox.faults.pending === 1) throw new Error('Injected fault: GetAlias failed.');
        },
      });
      const r = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', ...conn()]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /unknown/i);
    });

    it('1: cancelled (Ctrl+C) before the write, the alias unchanged', async () => {
      const before = await alias();
      const ac = new AbortController();
      ac.abort();
      const r = await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', '--json', ...conn()], { signal: ac.signal });
      assert.equal(r.code, 1);
      assert.equal(json(r).error?.kind, 'cancelled');
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });
  });

  describe('confirmation', () => {
    it('without --yes and without a terminal: refused (exit 2), nothing read or written, says to add --yes', async () => {
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: fn }));
      const before = await alias();
      for (const argv of [['promote', `${fn}:prod`], ['switch', `${fn}:prod`, '1'], ['deploy', '--dir', '.'], ['weight', `${fn}:prod`, '5'], ['rollback', `${fn}:prod`], ['switch-back', `${fn}:prod`], ['canary', `${fn}:prod`, '--version', '1', '--weight', '5']]) {
        const r = await cli([...argv, ...conn()]);
        assert.equal(r.code, 2, `${argv[0]}: ${r.stderr}`);
        assert.match(r.stderr, /add --yes/);
        assert.equal(r.stdout, '');
      }
      assert.equal((await alias()).RevisionId, before.RevisionId);
      assert.equal(fs.existsSync(path.join(journalDir, 'journal.jsonl')), false);
    });

    it('on a terminal: asks with the routing as it is now; y goes ahead, anything else changes nothing (exit 1)', async () => {
      const no = new PassThrough();
      no.end('n\n');
      const refused = await cli(['switch', `${fn}:prod`, '1', ...conn()], { tty: true, stdin: no });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`Switch ${fn}:prod to version 1, all traffic at once \\(now prod → 2\\)\\? \\[y/N\\]`));
      assert.match(refused.stderr, /Nothing was changed/);
      assert.equal((await alias()).FunctionVersion, '2');

      const yes = new PassThrough();
      yes.end('y\n');
      const done = await cli(['switch', `${fn}:prod`, '1', ...conn()], { tty: true, stdin: yes });
      assert.equal(done.code, 0, done.stderr);
      assert.equal((await alias()).FunctionVersion, '1');
      const eof = new PassThrough();
      eof.end();
      assert.equal((await cli(['switch-back', `${fn}:prod`, ...conn()], { tty: true, stdin: eof })).code, 1, 'no answer is no');
    });

    it('on a terminal: an alias changed while the question was open is not overwritten (conflict, exit 3)', async () => {
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.2 } } }));
      const stdin = new PassThrough();
      const stderr = new Sink();
      const running = cli(['promote', `${fn}:prod`, ...conn()], { tty: true, stdin, stderr });
      const deadline = Date.now() + 10_000;
      while (!stderr.text.includes('[y/N]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      // The question shows the canary it found; then a teammate rolls it back and starts another.
      assert.match(stderr.text, /now prod → 2 \(80%\) · 1 \(20%\)/);
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } } }));
      stdin.end('yes\n');
      const r = await running;
      assert.equal(r.code, 3, r.stderr);
      const a = await alias();
      assert.equal(a.FunctionVersion, '2');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '1': 0.5 });
    });
  });

  describe('probe and traffic', () => {
    it('probe -n 40 counts answers per version; traffic reports them per version with the verdict', async () => {
      await cli(['canary', `${fn}:prod`, '--version', '1', '--weight', '50', '--yes', ...conn()]);
      const p = await cli(['probe', `${fn}:prod`, '-n', '40', ...conn()]);
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stdout, new RegExp(`^Probe of ${fn}:prod: 40 invocations in [\\d.]+ s — version 1: \\d+, version 2: \\d+\\.$`, 'm'));
      assert.match(p.stderr, /Invoking .* 40 times/);
      const pj = json<Outcome<{ sent: number; byVersion: Record<string, { invocations: number }> }>>(await cli(['probe', `${fn}:prod`, '--count', '10', '--json', ...conn()]));
      assert.equal(pj.detail?.sent, 10);
      assert.equal(Object.values(pj.detail!.byVersion).reduce((s, v) => s + v.invocations, 0), 10);

      const t = await cli(['traffic', `${fn}:prod`, '--window', '5m', ...conn()]);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, new RegExp(`^${fn}:prod — last 5 min .*: 50 invocations`, 'm'));
      assert.match(t.stdout, /^ {2}version 2 \(stable\): \d+ invocations/m);
      assert.match(t.stdout, /^ {2}version 1 \(canary\): \d+ invocations/m);
      const tj = json<Outcome<{ stableVersion: string; canaryVersion: string; verdict: { kind: string } }>>(await cli(['traffic', `${fn}:prod`, '--window', '1h', '--json', ...conn()]));
      assert.equal(tj.action, 'traffic');
      assert.equal(tj.detail?.stableVersion, '2');
      assert.equal(tj.detail?.canaryVersion, '1');
      assert.equal(typeof tj.detail?.verdict.kind, 'string');
    });

    it('probe of 0 invocations and a window of 0 minutes are refused by the use case (exit 2)', async () => {
      assert.equal((await cli(['probe', `${fn}:prod`, '-n', '0', ...conn()])).code, 2);
      assert.equal((await cli(['traffic', `${fn}:prod`, '--window', '0', ...conn()])).code, 2);
    });
  });

  describe('deploy', () => {
    const workspace = (extra: Record<string, unknown> = {}) => {
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: fn, alias: 'prod', codeFolder: 'src', handler: 'index.handler', ...extra }));
      fs.mkdirSync(path.join(workDir, 'src'), { recursive: true });
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), `exports.handler = async () => ({ tag: 'workspace ${fn}' });\n`);
    };

    it('deploys the folder (relative --dir) as version 3 with 10% by default, smoke-testing it with the test event', async () => {
      workspace({ testEvent: 'event.json' });
      fs.writeFileSync(path.join(workDir, 'event.json'), '{"hello":"world"}');
      const r = await cli(['deploy', '--dir', '.', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json(r);
      assert.equal(o.action, 'deploy');
      assert.equal(o.versionsPublished[0]?.version, '3');
      assert.deepEqual(o.after?.weights, { '3': 0.1 });
      assert.ok(o.steps.some((s) => /smoke/i.test(s.name)), o.steps.map((s) => s.name).join(', '));
      assert.match(r.stderr, /Packaging…/);
    });

    it('--weight, --alias and --no-smoke; text output says what was published and routed', async () => {
      workspace({ testEvent: 'event.json' });
      fs.writeFileSync(path.join(workDir, 'event.json'), '{}');
      const r = await cli(['deploy', '--weight', '25', '--alias', 'staging', '--no-smoke', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Published version 3\. 25% of staging goes to version 3: staging → 1 \(75%\) · 3 \(25%\)\.$/m);
      const again = await cli(['deploy', '--weight', '5', '--no-smoke', '--yes', '--json', ...conn()]);
      const o = json(again);
      assert.ok(!o.steps.some((s) => /smoke/i.test(s.name)), o.steps.map((s) => s.name).join(', '));
      assert.equal(o.uploadSkipped, true, 'the deployed code is already this package');
    });

    it('a re-run on unchanged code after a promotion has nothing to do (exit 0); a version that could not share the alias is refused by the pre-flight before anything is published (exit 2)', async () => {
      workspace();
      assert.equal((await cli(['deploy', '--no-smoke', '--yes', ...conn()])).code, 0);
      assert.equal((await cli(['promote', `${fn}:prod`, '--yes', ...conn()])).code, 0);
      const again = await cli(['deploy', '--no-smoke', '--yes', '--json', ...conn()]);
      assert.equal(again.code, 0, again.stderr);
      const o = json(again);
      assert.equal(o.state, 'unchanged');
      assert.equal(o.error, undefined);
      assert.match(o.note ?? '', /No change to deploy/);
      // The function's role changes: the next version cannot share prod's traffic with version 3.
      const { UpdateFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
      await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: `${ROLE}-other` }));
      h().sandbox.settle();
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), `exports.handler = async () => ({ tag: 'changed ${fn}' });\n`);
      const versions = async () => (await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions?.length;
      const before = await versions();
      const role = await cli(['deploy', '--no-smoke', '--yes', '--json', ...conn()]);
      assert.equal(role.code, 2, role.stderr);
      const r = json<Outcome & { preflight: { findings: Array<{ code: string; severity: string }> } }>(role);
      assert.equal(r.error?.step, 'Pre-flight');
      assert.ok(r.preflight.findings.some((f) => f.code === 'role-mismatch' && f.severity === 'blocker'), JSON.stringify(r.preflight));
      assert.match(role.stderr, /blocker: .*different execution roles/);
      assert.equal(await versions(), before, 'nothing was published');
    });

    it('a template.yaml with two functions needs --function; a folder with neither file is bad input', async () => {
      assert.match((await cli(['deploy', '--yes', ...conn()])).stderr, /No lambda-canary\.json or template\.yaml/);
      fs.writeFileSync(
        path.join(workDir, 'template.yaml'),
        `Transform: AWS::Serverless-2016-10-31
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: ${fn}, CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x }
  Second:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: ${fn}-other, CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x }
`,
      );
      fs.mkdirSync(path.join(workDir, 'src'));
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => 1;\n');
      const several = await cli(['deploy', '--yes', ...conn()]);
      assert.equal(several.code, 2);
      assert.match(several.stderr, new RegExp(`several functions \\(${fn}, ${fn}-other\\): pick one with --function`));
      // No AutoPublishAlias: the alias is never assumed; the usage error lists the function's aliases.
      const noAlias = await cli(['deploy', '--function', 'First', '--yes', ...conn()]);
      assert.equal(noAlias.code, 2, noAlias.stderr);
      assert.match(noAlias.stderr, new RegExp(`First declares no alias \\(no AutoPublishAlias, or one the template computes\\): pass --alias NAME\\. ${fn} has: prod, staging\\.`));
      assert.equal(noAlias.stdout, '');
      assert.equal((await alias()).FunctionVersion, '2', 'nothing was deployed');
      const r = await cli(['deploy', '--function', 'First', '--alias', 'prod', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Published version 3\. 10% of prod goes to version 3/);
      // A function with no alias at all: the error says how to make one.
      await h().lambda.send(new CreateFunctionCommand({ FunctionName: `${fn}-other`, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code('o') } }));
      const none = await cli(['deploy', '--function', 'Second', '--yes', ...conn()]);
      assert.equal(none.code, 2, none.stderr);
      // No version either: no version number is made up (a "version 1" that does not exist).
      assert.match(none.stderr, new RegExp(`${fn}-other has no alias yet, and no Active published version for one to point to: publish a version \\(aws lambda publish-version --function-name ${fn}-other\\), create an alias on it \\(aws lambda create-alias --function-name ${fn}-other --name prod --function-version VERSION\\), then pass --alias prod\\.`));
      // A published version: the hint names it (the newest Active one).
      await waitUntilFunctionActiveV2({ client: h().lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: `${fn}-other` });
      await h().lambda.send(new PublishVersionCommand({ FunctionName: `${fn}-other` }));
      await waitUntilPublishedVersionActive({ client: h().lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: `${fn}-other`, Qualifier: '1' });
      const hint = await cli(['deploy', '--function', 'Second', '--yes', ...conn()]);
      assert.equal(hint.code, 2, hint.stderr);
      assert.match(hint.stderr, new RegExp(`${fn}-other has no alias yet: create one pointing to a published version you trust \\(aws lambda create-alias --function-name ${fn}-other --name prod --function-version 1; 1 is the newest Active version\\), then pass --alias prod\\.`));
    });

    it('a template function that cannot be deployed is skipped with why; its sibling still deploys', async () => {
      fs.mkdirSync(path.join(workDir, 'src'));
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => 1;\n');
      const outside = 'Outside:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ../src, Handler: index.handler, Runtime: nodejs20.x }\n';
      const image = '  Image:\n    Type: AWS::Serverless::Function\n    Properties: { PackageType: Image, ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1 }\n';
      fs.writeFileSync(path.join(workDir, 'template.yaml'), `Resources:\n  ${outside}`);
      const none = await cli(['deploy', '--yes', ...conn()]);
      assert.equal(none.code, 2, none.stderr);
      assert.match(none.stderr, /No function of .* can be deployed from the workspace:\n {2}template\.yaml:2: "Outside\.CodeUri": '\.\.\/src' points outside the workspace folder\./);
      // An image function is listed (it is deployed by image URI), and not published as a zip of its folder.
      fs.appendFileSync(path.join(workDir, 'template.yaml'), `${image}  Good:\n    Type: AWS::Serverless::Function\n    Properties: { FunctionName: ${fn}, CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x, AutoPublishAlias: prod }\n`);
      const named = await cli(['deploy', '--function', 'Outside', '--yes', ...conn()]);
      assert.equal(named.code, 2, named.stderr);
      assert.match(named.stderr, /The workspace's function 'Outside' cannot be deployed from the workspace: template\.yaml:2: "Outside\.CodeUri"/);
      const asZip = await cli(['deploy', '--function', 'Image', '--function-name', fn, '--alias', 'prod', '--yes', '--json', ...conn()]);
      assert.equal(asZip.code, 2, asZip.stderr);
      assert.match(asZip.stderr, /--image-uri/);
      assert.equal(asZip.stdout, '', 'a usage error: nothing was tried');
      const r = await cli(['deploy', '--function', 'Good', '--no-smoke', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Published version 3\. 10% of prod goes to version 3/);
    });

    it('promote and rollback --version V act only on that canary: another deploy\'s canary is left alone (exit 3)', async () => {
      workspace();
      const d = json(await cli(['deploy', '--no-smoke', '--yes', '--json', ...conn()]));
      const mine = d.versionsPublished[0].version;
      const other = await cli(['promote', `${fn}:prod`, '--version', String(Number(mine) + 1), '--yes', '--json', ...conn()]);
      assert.equal(other.code, 3, other.stderr);
      assert.match(json(other).error?.message ?? '', new RegExp(`canary is version ${mine}, not ${Number(mine) + 1}: not yours to promote`));
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { [mine]: 0.1 }, 'nothing changed');
      assert.equal((await cli(['rollback', `${fn}:prod`, '--version', 'x', '--yes', ...conn()])).code, 2);
      const r = await cli(['rollback', `${fn}:prod`, '--version', mine, '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      // Re-runs of a job: rolled back already is nothing to do; promoting a version nobody canaries is a conflict.
      const again = await cli(['rollback', `${fn}:prod`, '--version', mine, '--yes', '--json', ...conn()]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(json(again).note ?? '', new RegExp(`version ${mine} gets none of its traffic`));
      assert.equal((await cli(['promote', `${fn}:prod`, '--version', mine, '--yes', ...conn()])).code, 3);
      await cli(['canary', `${fn}:prod`, '--version', mine, '--weight', '10', '--yes', ...conn()]);
      assert.equal((await cli(['promote', `${fn}:prod`, '--version', mine, '--yes', ...conn()])).code, 0);
      const promotedAgain = await cli(['promote', `${fn}:prod`, '--version', mine, '--yes', '--json', ...conn()]);
      assert.equal(promotedAgain.code, 0, promotedAgain.stderr);
      assert.match(json(promotedAgain).note ?? '', new RegExp(`already serves version ${mine} alone`));
      assert.equal((await cli(['rollback', `${fn}:prod`, '--version', mine, '--yes', ...conn()])).code, 3, 'a promoted version cannot be rolled back');
    });

    it('a template function whose name is computed needs --function-name; its logical id is never taken for a deployed name', async () => {
      fs.writeFileSync(
        path.join(workDir, 'template.yaml'),
        `Transform: AWS::Serverless-2016-10-31
Resources:
  CheckoutFunction:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: !Sub "\${AWS::StackName}-checkout", CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x }
`,
      );
      fs.mkdirSync(path.join(workDir, 'src'));
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => 1;\n');
      const byLogicalId = await cli(['deploy', '--function', 'CheckoutFunction', '--yes', ...conn()]);
      assert.equal(byLogicalId.code, 2);
      assert.match(byLogicalId.stderr, /computes the name of CheckoutFunction: pass the deployed function's name with --function-name NAME/);
      const r = await cli(['deploy', '--function-name', fn, '--alias', 'prod', '--no-smoke', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Published version 3\./);
    });

    it("deploys a real SAM project (aws-sam-cli-app-templates' hello, Node.js 20) as its user would, then promotes it and switches back", async () => {
      const fixture = path.resolve(__dirname, '../../../test/fixtures/sam-hello');
      fs.cpSync(fixture, path.join(workDir, 'sam'), { recursive: true });
      // The template says app.lambdaHandler; this test's function starts index.handler.
      // sam init's hello declares no AutoPublishAlias: its user names the alias.
      const mismatch = await cli(['deploy', '--dir', 'sam', '--function-name', fn, '--alias', 'prod', '--yes', '--json', ...conn()]);
      assert.equal(mismatch.code, 2, mismatch.stderr);
      assert.match(json(mismatch).error?.message ?? '', /handler is app\.lambdaHandler, but .* is configured to start index\.handler: a version of this code would not start/);
      assert.deepEqual(json(mismatch).versionsPublished, []);
      // As `sam deploy` would have made it.
      const { UpdateFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
      await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Handler: 'app.lambdaHandler' }));
      h().sandbox.settle();
      fs.writeFileSync(path.join(workDir, 'sam', 'hello-world', 'app.mjs'), fs.readFileSync(path.join(workDir, 'sam', 'hello-world', 'app.mjs'), 'utf8').replace("'hello world'", "'hello canary'"));
      const r = await cli(['deploy', '--dir', 'sam', '--function-name', fn, '--alias', 'prod', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json(r);
      assert.equal(o.versionsPublished[0]?.version, '3');
      // sam init's events/event.json smoke-tests the new version, and the CLI says so.
      assert.match(r.stderr, /Smoke test with the project's sample event events\/event\.json/);
      assert.ok(o.steps.some((s) => /^Smoke invoke of version 3/.test(s.name)), o.steps.map((s) => s.name).join(', '));
      const { InvokeCommand } = await import('@aws-sdk/client-lambda');
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '3' }));
      assert.deepEqual(JSON.parse(JSON.parse(Buffer.from(out.Payload!).toString()).body), { message: 'hello canary' }, "version 3 runs the template's app.mjs");
      assert.equal((await cli(['promote', `${fn}:prod`, '--version', '3', '--yes', ...conn()])).code, 0);
      assert.equal((await alias()).FunctionVersion, '3');
      assert.equal((await cli(['switch-back', `${fn}:prod`, '--yes', ...conn()])).code, 0);
      assert.equal((await alias()).FunctionVersion, '2');
    });

    it('a broken lambda-canary.json: exit 2 with the file and the reason, nothing uploaded', async () => {
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), '{ "functionName": 42 }');
      const r = await cli(['deploy', '--yes', ...conn()]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /lambda-canary\.json/);
      assert.equal((await alias()).FunctionVersion, '2');
    });
  });

  describe('deploy --image-uri (an image function)', () => {
    const img = () => `${fn}-img`;
    const uri = (tag: string) => `${REPO}:${tag}`;
    beforeEach(async () => {
      const { lambda, sandbox } = h();
      await lambda.send(new CreateFunctionCommand(imageInput(img(), `${REPO}@sha256:${DIGEST_A}`, { Publish: true })));
      sandbox.settle();
      await lambda.send(new CreateAliasCommand({ FunctionName: img(), Name: 'live', FunctionVersion: '1' }));
    });
    const live = () => h().lambda.send(new GetAliasCommand({ FunctionName: img(), Name: 'live' }));

    it('deploys an image by URI with --function-name (no workspace needed): version 2 with its digest, W% of the alias', async () => {
      const r = await cli(['deploy', '--image-uri', uri('v2'), '--function-name', img(), '--alias', 'live', '--weight', '20', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Published version 2\. 20% of live goes to version 2: live → 1 \(80%\) · 2 \(20%\)\.$/m);
      assert.match(r.stderr, /Updating \$LATEST to .*checkout:v2…/);
      assert.deepEqual((await live()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.2 });
      const again = await cli(['deploy', '--image-uri', uri('v2'), '--function-name', img(), '--alias', 'live', '--yes', '--json', ...conn()]);
      const o = json(again);
      assert.equal(again.code, 2, 'a canary is running already: refused before any write');
      assert.equal(o.error?.kind, 'validation');
      assert.equal(o.versionsPublished.length, 0);
    });

    it('with --function-name, a folder holding other projects is not read (no "several functions", no stranger\'s test event)', async () => {
      // A folder of projects: a template with several functions and a sample event.
      fs.mkdirSync(path.join(workDir, 'events'), { recursive: true });
      fs.writeFileSync(path.join(workDir, 'events', 'event.json'), '{"from": "another project"}');
      const fnYaml = (id: string) => `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ., Handler: index.handler, Runtime: nodejs20.x }\n`;
      fs.writeFileSync(path.join(workDir, 'template.yaml'), `Resources:\n${fnYaml('One')}${fnYaml('Two')}`);
      const r = await cli(['deploy', '--image-uri', uri('v3'), '--function-name', img(), '--alias', 'live', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /several functions|sample event/);
      assert.match(r.stdout, /^Published version 2\./m);
    });

    it('--json outcome; the same image again has nothing to do (exit 0, a note)', async () => {
      const r = await cli(['deploy', '--image-uri', `${REPO}@sha256:${DIGEST_A}`, '--function-name', img(), '--alias', 'live', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json(r);
      assert.equal(o.state, 'unchanged');
      assert.equal(o.uploadSkipped, true);
      assert.match(o.note ?? '', /No change to deploy: the image/);
    });

    it('a bad URI is a usage error naming the flag, before connecting; a zip function gets the core\'s refusal (exit 2), nothing changed', async () => {
      const bad = await cli(['deploy', '--image-uri', 'docker.io/library/node:20', '--function-name', img(), '--yes', ...conn()]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^lambda-canary: --image-uri: docker\.io is not an Amazon ECR registry: .*an ECR URI like 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/repo:tag\.$/m);
      assert.match(bad.stderr, /Run 'lambda-canary deploy --help' for usage/);
      const before = await alias();
      // Without a workspace, nothing declares the alias: it is asked for, with the function's aliases.
      const noAlias = await cli(['deploy', '--image-uri', uri('v2'), '--function-name', fn, '--yes', ...conn()]);
      assert.equal(noAlias.code, 2, noAlias.stderr);
      assert.match(noAlias.stderr, new RegExp(`^lambda-canary: Which alias of ${fn}\\? Pass --alias NAME\\. ${fn} has: prod, staging\\.$`, 'm'));
      const zip = await cli(['deploy', '--image-uri', uri('v2'), '--function-name', fn, '--alias', 'prod', '--yes', ...conn()]);
      assert.equal(zip.code, 2, zip.stderr);
      assert.match(zip.stderr, new RegExp(`${fn} is a zip function \\(PackageType Zip\\): it cannot take an image URI`));
      assert.equal((await alias()).RevisionId, before.RevisionId);
      // The workspace's zip function, with --image-uri: the same refusal.
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: fn, codeFolder: '.' }));
      const fromWs = await cli(['deploy', '--image-uri', uri('v2'), '--yes', ...conn()]);
      assert.equal(fromWs.code, 2);
      assert.match(fromWs.stderr, /is a zip function/);
    });

    it('a broken test event: read before anything is asked; no question, the outcome says why (exit 2, --json), nothing changed', async () => {
      fs.writeFileSync(path.join(workDir, 'broken.json'), '{ not json');
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: img(), alias: 'live', codeFolder: '.', testEvent: 'broken.json' }));
      const before = await live();
      // A terminal that would answer no: the deploy is not asked about at all.
      const r = await cli(['deploy', '--image-uri', uri('v2'), '--json', ...conn()], { tty: true });
      assert.equal(r.code, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /\? \[y\/N\]|declined/i, r.stderr);
      const o = json(r);
      assert.equal(o.action, 'deploy');
      assert.equal(o.error?.kind, 'validation');
      assert.match(o.error?.message ?? '', /broken\.json/);
      assert.deepEqual(o.steps, [], 'nothing was read from or sent to Lambda');
      assert.equal((await live()).RevisionId, before.RevisionId);
      assert.deepEqual((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: img() }))).Versions?.map((v) => v.Version), ['$LATEST', '1']);
    });

    it('without --function-name and no workspace, says what is missing', async () => {
      const r = await cli(['deploy', '--image-uri', uri('v2'), '--yes', ...conn()]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /No lambda-canary\.json or template\.yaml in /);
    });

    it('deploy --help documents --image-uri', async () => {
      const r = await cli(['deploy', '--help']);
      assert.match(r.stdout, /--image-uri URI {7}deploy this ECR image to an image function/);
      assert.match(r.stdout, /An image function \(PackageType Image\) is deployed with --image-uri/);
      assert.match((await cli(['--help'])).stdout, /deploy --image-uri URI {12}the same for an image function/);
    });
  });

  describe('the CLI as a process', () => {
    it('switch in one process, switch-back in another reading the same --journal-dir (compiled CLI)', async () => {
      const s = await spawnCli(compiledCli, ['switch', `${fn}:prod`, '1', '--yes', ...conn()]);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stdout, 'Switched prod: 2 → 1.\n');
      const back = await spawnCli(compiledCli, ['switch-back', `${fn}:prod`, '--yes', '--json', ...conn()]);
      assert.equal(back.code, 0, back.stderr);
      const o = JSON.parse(back.stdout) as Outcome;
      assert.equal(o.action, 'switch-back');
      assert.equal(o.after?.version, '2');
      assert.equal((await alias()).FunctionVersion, '2');
      const j = await spawnCli(compiledCli, ['journal', `${fn}:prod`, ...conn()]);
      assert.equal(j.stdout.trim().split('\n').length, 2, j.stdout);
    });

    it('exit codes and refusals reach the shell: 2 without --yes, 2 for an unknown flag, 3 is documented', async () => {
      const refused = await spawnCli(compiledCli, ['promote', `${fn}:prod`, ...conn()]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /add --yes/);
      assert.equal((await spawnCli(compiledCli, ['list', '--frobnicate'])).code, 2);
      const help = await spawnCli(compiledCli, ['--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /3 {2}conflict/);
    });

    it('the bundle (dist/cli.js): a shebang, executable, and it runs a command against the sandbox', async function () {
      const bundle = path.join(ROOT, 'dist', 'cli.js');
      if (!fs.existsSync(bundle)) this.skip(); // built by `npm run build`, which `npm test` runs first
      assert.ok(fs.readFileSync(bundle, 'utf8').startsWith('#!/usr/bin/env node\n'));
      if (process.platform !== 'win32') assert.ok(fs.statSync(bundle).mode & 0o100, 'executable');
      const r = await spawnCli(bundle, ['show', fn, '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { aliases: unknown[] }).aliases.length, 2);
    });

    it('Ctrl+C (SIGINT) cancels through the use case: exit 1, the alias unchanged', async () => {
      const before = await alias();
      h().sandbox.faults.add({ operation: 'GetAlias', kind: 'delay', delayMs: 5_000 });
      const r = await spawnCli(compiledCli, ['canary', `${fn}:prod`, '--version', '1', '--weight', '10', '--yes', ...conn()], (child) => {
        child.stderr!.on('data', () => undefined);
        setTimeout(() => child.kill('SIGINT'), 700);
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Cancelling…/);
      assert.match(r.stderr, /Cancelled\./);
      h().sandbox.faults.clear();
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('--sandbox starts the embedded sandbox with the demo functions and stops it at exit', async () => {
      const r = await spawnCli(compiledCli, ['--sandbox', 'show', 'checkout-api', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const d = JSON.parse(r.stdout) as { aliases: Array<{ name: string; weights: Record<string, number> }> };
      assert.ok(d.aliases.some((a) => a.name === 'prod' && Object.keys(a.weights).length === 1), r.stdout);
      assert.match(r.stderr, /Starting the embedded sandbox/);
    });

    it("--sandbox keeps its journal apart from real accounts' records (a sandbox/ subfolder)", async () => {
      const dir = path.join(workDir, 'default-journal');
      const r = await cli(['--sandbox', 'probe', 'checkout-api:prod', '-n', '3'], { env: { LAMBDA_CANARY_JOURNAL_DIR: dir } });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fs.existsSync(path.join(dir, 'sandbox', 'journal.jsonl')), 'the record is in the sandbox subfolder');
      assert.ok(!fs.existsSync(path.join(dir, 'journal.jsonl')), 'and not with the real records');
    });
  });
});
