/**
 * `lambda-canary rollout …` end to end: the CLI in-process (runCli) with real SDK v3 clients over
 * HTTP against the sandbox, live traffic on the alias, a version that fails a share of its
 * invocations, and the runner's short timing through LAMBDA_CANARY_ROLLOUT_TIMING.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, GetAliasCommand, InvokeCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { ROLLOUT_SUBCOMMANDS } from '../../src/cli/commands';
import type { Outcome } from '../../src/core/outcome';
import { parseLease } from '../../src/core/rollout/lease';
import { PRESET_NAMES } from '../../src/core/rollout/plans';
import type { RolloutView } from '../../src/shared/rollout';
import { newAccessKeyId, TrafficGenerator } from '../../src/sandbox';
import { sleep, useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';
import type { CliRunOptions, Run } from './cli-testkit';
import { runCliIn, Sink } from './cli-testkit';


const ROOT = path.resolve(__dirname, '..', '..', '..');
const TIMING = 'tickMs=150,leaseTtlMs=4000,renewBeforeMs=2500,settleMs=1500,stableHistoryMs=60000,errorPatienceMs=4000';
const USER_TEXT = 'checkout, owned by the payments team';

describe('lambda-canary rollout (CLI ↔ sandbox, live traffic)', function () {
  this.timeout(60_000);
  // Both versions of the healthy functions take the same added time, so that the judge's latency
  // ratio measures the versions, not a loaded machine's noise on a handler that takes 1 ms.
  const steady = (functionName: string) => ['1', '2'].map((version) => ({ functionName, version, latencyMs: 40 }));
  const h = useSandbox({
    randomSeed: 5,
    admin: true,
    accessKeyId: newAccessKeyId(),
    versionBehaviour: [{ functionName: 'clr-bad', version: '2', errorRate: 0.4 }, ...steady('clr-good'), ...steady('clr-gate')],
  });
  const generators: TrafficGenerator[] = [];
  let journalDir: string;
  let workDir: string;

  beforeEach(() => {
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clr-journal-'));
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clr-work-'));
  });
  afterEach(() => {
    for (const g of generators.splice(0)) g.stop();
    fs.rmSync(journalDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    AWS_ACCESS_KEY_ID: h().sandbox.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    AWS_REGION: h().sandbox.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LAMBDA_CANARY_ROLLOUT_TIMING: TIMING,
  });
  const conn = () => ['--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir];

  async function cli(argv: string[], options: CliRunOptions = {}): Promise<Run> {
    return runCliIn({ env: env(), cwd: workDir }, argv, options);
  }
  const json = <T>(r: Run): T => JSON.parse(r.stdout) as T;
  const alias = (fn: string): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));

  /** Versions 1 (stable) and 2; prod → 1 with the user's description; traffic on prod. */
  async function fixture(fn: string, rate = 150): Promise<void> {
    const { lambda, sandbox } = h();
    await createFn(lambda, fn);
    await publish(lambda, fn, 'one');
    await publish(lambda, fn, 'two');
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: USER_TEXT }));
    // Version 2's handlers started before it gets traffic: its first cold starts are not judged as its latency.
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 12 }, () => lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: '2', Payload: Buffer.from('{}') }))));
    const g = new TrafficGenerator(sandbox.lambda, [{ functionName: fn, qualifier: 'prod', rate }]);
    generators.push(g);
    g.start();
    await sleep(1200); // the stable version's history
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const started = Date.now();
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  describe('help and bad input (nothing connects)', () => {
    it('rollout --help lists the subcommands, the presets, the plan syntax and the exit codes; each subcommand has its help', async () => {
      const r = await cli(['rollout', '--help']);
      assert.equal(r.code, 0);
      for (const sub of ROLLOUT_SUBCOMMANDS) assert.match(r.stdout, new RegExp(`^  ${sub} `, 'm'), sub);
      for (const preset of PRESET_NAMES) assert.ok(r.stdout.includes(preset), preset);
      assert.match(r.stdout, /10%@5m, 50%@10m manual, 100%/);
      for (const sub of ROLLOUT_SUBCOMMANDS) {
        const s = await cli(['rollout', sub, '--help']);
        assert.equal(s.code, 0, sub);
        assert.match(s.stdout, new RegExp(`^Usage: lambda-canary rollout ${sub}\\b`), sub);
        assert.match(s.stdout, /Exit codes:/);
        assert.equal((await cli(['help', 'rollout', sub])).stdout, s.stdout, sub);
      }
      const start = (await cli(['rollout', 'start', '--help'])).stdout;
      for (const c of ['0  done', '1  rolled back', '3  needs a person', '4  outcome unknown', '130  interrupted']) assert.ok(start.includes(c), c);
    });

    const bad: Array<[string, string[], RegExp]> = [
      ['a bad plan names the column', ['rollout', 'start', 'f:prod', '--version', '2', '--plan', '10%@5m, 50%@10x, 100%', '--yes'], /--plan: Step 2 \(column 13\).*'10x' is not a bake time[\s\S]*\n {2}10%@5m, 50%@10x, 100%\n {14}\^/],
      ['weights that do not increase', ['rollout', 'start', 'f:prod', '--version', '2', '--plan', '50%@1m, 20%@1m', '--yes'], /--plan: Step 2 \(column 9\)/],
      ['an unknown preset', ['rollout', 'start', 'f:prod', '--version', '2', '--plan', 'Canary5Percent', '--yes'], /'Canary5Percent' is not a preset: use one of Canary10Percent5Minutes/],
      ['neither --version nor --dir', ['rollout', 'start', 'f:prod', '--plan', '10%@1m', '--yes'], /needs --version V .* or --dir D/],
      ['no plan and no workspace', ['rollout', 'start', 'f:prod', '--version', '2', '--yes'], /needs --plan P/],
      ['an unknown subcommand', ['rollout', 'begin', 'f:prod'], /Unknown rollout subcommand 'begin'/],
      ['--wait on pause', ['rollout', 'pause', 'f:prod', '--wait'], /--wait is not an option of 'rollout pause'/],
      ['--plan on abort', ['rollout', 'abort', 'f:prod', '--plan', '10%', '--yes'], /--plan is not an option of 'rollout abort'/],
      ['no FUNCTION:ALIAS', ['rollout', 'pause'], /'rollout pause' needs FUNCTION:ALIAS/],
    ];
    for (const [what, argv, message] of bad) {
      it(`${what}: exit 2, the message on stderr, nothing on stdout`, async () => {
        const r = await cli([...argv, ...conn()]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /Run 'lambda-canary rollout --help' for usage/);
        assert.equal(r.stdout, '');
      });
    }

    it('start, next, promote and abort need --yes without a terminal (exit 2, nothing read); pause and resume do not ask', async () => {
      for (const argv of [['start', 'f:prod', '--version', '2', '--plan', '10%@1m'], ['next', 'f:prod'], ['promote', 'f:prod'], ['abort', 'f:prod']]) {
        const r = await cli(['rollout', ...argv, ...conn()]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, new RegExp(`'rollout ${argv[0]}' changes an alias and asks first.*add --yes`));
      }
      // Not asked: refused by the runner (no rollout), not for want of --yes.
      const p = await cli(['rollout', 'pause', 'nofn:prod', ...conn()]);
      assert.equal(p.code, 2);
      assert.match(p.stderr, /no rollout in progress/);
    });
  });

  describe('with --wait', () => {
    it('a healthy version: each step and verdict on stderr as it happens, promoted on stdout, exit 0, the description the user\'s again', async () => {
      await fixture('clr-good', 200);
      const r = await cli(['rollout', 'start', 'clr-good:prod', '--version', '2', '--plan', '50%@3s, 100%', '--wait', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^step 1\/2: 50% on version 2$/m);
      assert.match(r.stderr, /^Pass: /m);
      assert.match(r.stdout, /^clr-good:prod: Promoted/);
      const a = await alias('clr-good');
      assert.equal(a.FunctionVersion, '2');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      assert.equal(a.Description, USER_TEXT);
    });

    it('a version failing 40 % of its invocations: rolled back before the first bake ends, exit 1; --json has the final view and the verdicts', async () => {
      await fixture('clr-bad');
      const begun = Date.now();
      const r = await cli(['rollout', 'start', 'clr-bad:prod', '--version', '2', '--plan', '50%@20s, 100%', '--wait', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(Date.now() - begun < 20_000, `rolled back within the 20 s bake (${Date.now() - begun} ms)`);
      const o = json<Outcome<RolloutView> & { verdicts: Array<{ step: number; verdict: string; sentence: string }>; exitCode: number }>(r);
      assert.equal(o.detail?.status, 'rolled-back', o.detail?.statusText);
      assert.equal(o.exitCode, 1);
      assert.equal(o.verdicts[0]?.verdict, 'Fail');
      assert.match(r.stderr, /^Fail: /m);
      const a = await alias('clr-bad');
      assert.equal(a.FunctionVersion, '1');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('a manual gate: held after its bake passes (exit 3, needs a person); `rollout next --wait` promotes it (exit 0)', async () => {
      await fixture('clr-gate', 200);
      const r = await cli(['rollout', 'start', 'clr-gate:prod', '--version', '2', '--plan', '50%@4s manual, 100%', '--wait', '--yes', ...conn()]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /clr-gate:prod: needs a person: Step 1 passed/);
      assert.match(r.stderr, /rollout next clr-gate:prod/);
      assert.deepEqual((await alias('clr-gate')).RoutingConfig?.AdditionalVersionWeights, { '2': 0.5 });
      const n = await cli(['rollout', 'next', 'clr-gate:prod', '--wait', '--yes', ...conn()]);
      assert.equal(n.code, 0, n.stderr);
      assert.match(n.stdout, /Promoted/);
      assert.equal((await alias('clr-gate')).FunctionVersion, '2');
    });

    it('while it drives: status says "driven by … since …", another process\'s control is refused (exit 3); Ctrl+C stops driving (exit 130), says how to resume, and the lease is let go', async () => {
      await fixture('clr-int');
      const controller = new AbortController();
      const stderr = new Sink();
      const driving = cli(['rollout', 'start', 'clr-int:prod', '--version', '2', '--plan', '20%@1m, 100%', '--wait', '--yes', ...conn()], { signal: controller.signal, stderr });
      await until('the first step', async () => (/step 1\/2/.test(stderr.text) ? true : undefined));
      const s = await cli(['rollout', 'status', 'clr-int:prod', ...conn()]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /driven by \S+@\S+ \(CLI\) since \d{4}-\d\d-\d\dT/);
      const p = await cli(['rollout', 'pause', 'clr-int:prod', ...conn()]);
      assert.equal(p.code, 3, p.stderr);
      assert.match(p.stderr, /driven by .* since/);
      controller.abort();
      const r = await driving;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /goes on without a driver.*rollout resume clr-int:prod --wait/);
      const a = await alias('clr-int');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.2 }, 'the weight stays');
      const lease = parseLease(a.Description).lease;
      assert.ok(lease && lease.until <= Date.now(), `the lease was let go: ${a.Description}`);
      const after = await cli(['rollout', 'status', 'clr-int:prod', ...conn()]);
      assert.match(after.stdout, /not driven \(lease expired at .*\): `lambda-canary rollout resume clr-int:prod --wait` drives it/);
      assert.equal((await cli(['rollout', 'abort', 'clr-int:prod', '--yes', ...conn()])).code, 0);
    });
  });

  describe('the CLI as a process', () => {
    it('Ctrl+C (SIGINT) while --wait drives: exit 130, the rollout left running without a driver, how to resume on stderr (compiled CLI)', async () => {
      await fixture('clr-sig', 50);
      const child = spawn(process.execPath, [path.join(ROOT, 'out', 'src', 'cli', 'main.js'), 'rollout', 'start', 'clr-sig:prod', '--version', '2', '--plan', '20%@1m, 100%', '--wait', '--yes', ...conn()], {
        cwd: workDir,
        env: { PATH: process.env.PATH, HOME: workDir, ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
      await until('the first step', async () => (/step 1\/2: 20% on version 2/.test(stderr) ? true : undefined));
      child.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /goes on without a driver.*`lambda-canary rollout resume clr-sig:prod --wait` drives it again/);
      const a = await alias('clr-sig');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '2': 0.2 });
      assert.ok(parseLease(a.Description).lease!.until <= Date.now(), 'the lease was let go');
      assert.equal((await cli(['rollout', 'abort', 'clr-sig:prod', '--yes', ...conn()])).code, 0);
    });
  });

  describe('without --wait', () => {
    it('start, status (text and --json, one and all), pause, resume, abort: each one action; status reads only', async () => {
      await fixture('clr-ctl', 50);
      const before = await alias('clr-ctl');
      const s = await cli(['rollout', 'start', 'clr-ctl:prod', '--version', '2', '--plan', '10%@1m, 50%@2m manual, 100%', '--yes', ...conn()]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /clr-ctl:prod: rollout [0-9a-f]{8} of version 2 started: step 1\/3, 10% on version 2/);
      assert.match(s.stderr, /Nothing drives the rollout now: `lambda-canary rollout resume clr-ctl:prod --wait`/);
      const during = await alias('clr-ctl');
      assert.deepEqual(during.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
      assert.notEqual(during.RevisionId, before.RevisionId);

      const st = await cli(['rollout', 'status', 'clr-ctl:prod', ...conn()]);
      assert.equal(st.code, 0, st.stderr);
      assert.match(st.stdout, /^clr-ctl:prod: rollout [0-9a-f]{8} of version 2 \(stable 1\): running, step 1\/3$/m);
      assert.match(st.stdout, /plan: 10%@1m, 50%@2m manual, 100% \(10 % for 1 min, 50 % for 2 min, wait for approval, then 100 %\)/);
      assert.match(st.stdout, /> 1\. 10% +bake 1 min .*bake left (1 min|\d+ s)/);
      assert.match(st.stdout, / 2\. 50% +bake 2 min +manual/);
      assert.match(st.stdout, / 3\. 100% +promotion/);
      assert.match(st.stdout, /not driven \(lease expired at /);
      const revision = (await alias('clr-ctl')).RevisionId;
      const one = json<RolloutView>(await cli(['rollout', 'status', 'clr-ctl:prod', '--json', ...conn()]));
      assert.equal(one.status, 'running');
      assert.equal(one.version, '2');
      assert.equal(one.steps.length, 3);
      assert.equal(one.driver, undefined);
      const all = json<RolloutView[]>(await cli(['rollout', 'status', '--json', ...conn()]));
      assert.deepEqual(all.map((v) => v.id), [one.id]);
      assert.equal((await alias('clr-ctl')).RevisionId, revision, 'status wrote nothing');

      const p = await cli(['rollout', 'pause', 'clr-ctl:prod', '--json', ...conn()]);
      assert.equal(p.code, 0, p.stderr);
      assert.equal(json<Outcome<RolloutView>>(p).detail?.status, 'paused');
      assert.match((await cli(['rollout', 'status', 'clr-ctl:prod', ...conn()])).stdout, /: paused, step 1\/3/);
      const r = await cli(['rollout', 'resume', 'clr-ctl:prod', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /clr-ctl:prod: Resumed/);

      const ab = await cli(['rollout', 'abort', 'clr-ctl:prod', '--yes', ...conn()]);
      assert.equal(ab.code, 0, ab.stderr);
      assert.match(ab.stdout, /Aborted/);
      const a = await alias('clr-ctl');
      assert.equal(a.FunctionVersion, '1');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      assert.equal(a.Description, USER_TEXT);
      assert.match((await cli(['rollout', 'status', 'clr-ctl:prod', ...conn()])).stdout, /: aborted, step 1\/3/);
      // Nothing left to control.
      const again = await cli(['rollout', 'pause', 'clr-ctl:prod', ...conn()]);
      assert.equal(again.code, 2);
    });

    it('a second start while one is active is refused (exit 2), the alias as it was; so is a --dir start (nothing deployed)', async () => {
      await fixture('clr-two', 20);
      assert.equal((await cli(['rollout', 'start', 'clr-two:prod', '--version', '2', '--plan', '10%@1m, 100%', '--yes', ...conn()])).code, 0);
      const during = await alias('clr-two');
      const r = await cli(['rollout', 'start', 'clr-two:prod', '--version', '2', '--plan', '20%@1m, 100%', '--yes', ...conn()]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /already has a rollout of version 2/);
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: 'clr-two', alias: 'prod', codeFolder: 'src', handler: 'index.handler' }));
      fs.mkdirSync(path.join(workDir, 'src'));
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => ({ tag: "three" });\n');
      const d = await cli(['rollout', 'start', 'clr-two:prod', '--dir', '.', '--plan', '10%@1m, 100%', '--yes', ...conn()]);
      assert.equal(d.code, 2, d.stderr);
      assert.match(d.stderr, /already has a rollout of version 2.*Nothing was deployed/);
      assert.equal((await alias('clr-two')).RevisionId, during.RevisionId);
      const versions = await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'clr-two' }));
      assert.deepEqual(versions.Versions?.map((v) => v.Version), ['$LATEST', '1', '2']);
      assert.equal((await cli(['rollout', 'abort', 'clr-two:prod', '--yes', ...conn()])).code, 0);
    });

    it('a rollout another process drives from another journal: its controls are refused naming the driver (exit 3), --dir refuses with a JSON outcome, status --json has the lease', async () => {
      await fixture('clr-other', 20);
      const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clr-elsewhere-'));
      // The other driver: a --wait in another journal, stopped at the end of the test.
      const stop = new AbortController();
      const driving = cli(['rollout', 'start', 'clr-other:prod', '--version', '2', '--plan', '10%@5m, 100%', '--wait', '--yes', '--endpoint-url', h().sandbox.endpoint, '--journal-dir', elsewhere], { signal: stop.signal });
      try {
        await until('the lease on prod', async () => (/lambda-canary rollout/.test((await alias('clr-other')).Description ?? '') ? true : undefined));
        const pause = await cli(['rollout', 'pause', 'clr-other:prod', ...conn()]);
        assert.equal(pause.code, 3, pause.stderr);
        assert.match(pause.stderr, /has a rollout \(step 1\/2\) driven by \S+ \(CLI\) since .*which this journal does not hold/);
        fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: 'clr-other', alias: 'prod', codeFolder: 'src', handler: 'index.handler' }));
        fs.mkdirSync(path.join(workDir, 'src'));
        fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => ({ tag: "three" });\n');
        const d = await cli(['rollout', 'start', 'clr-other:prod', '--dir', '.', '--plan', '10%@1m, 100%', '--yes', '--json', ...conn()]);
        assert.equal(d.code, 3, d.stderr);
        const refused = json<{ state: string; error: { kind: string; message: string } }>(d);
        assert.deepEqual([refused.state, refused.error.kind], ['unchanged', 'conflict']);
        assert.match(refused.error.message, /driven by/);
        const st = await cli(['rollout', 'status', 'clr-other:prod', '--json', ...conn()]);
        assert.equal(st.code, 0, st.stderr);
        assert.match(json<{ lease: { holder: string } }>(st).lease.holder, /\(CLI\)$/);
      } finally {
        stop.abort();
        await driving;
        fs.rmSync(elsewhere, { recursive: true, force: true });
      }
    });

    it('--dir deploys the workspace at the first step\'s weight and the rollout adopts that canary (the workspace\'s "rollout" as the plan)', async () => {
      await fixture('clr-dir', 20);
      fs.writeFileSync(
        path.join(workDir, 'lambda-canary.json'),
        JSON.stringify({ functionName: 'clr-dir', alias: 'prod', codeFolder: 'src', handler: 'index.handler', rollout: { steps: [{ weight: 25, bake: '1m' }] } }),
      );
      fs.mkdirSync(path.join(workDir, 'src'));
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => ({ tag: "three" });\n');
      const r = await cli(['rollout', 'start', 'clr-dir:prod', '--dir', '.', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json<Outcome<RolloutView> & { deploy: Outcome }>(r);
      assert.equal(o.deploy.action, 'deploy');
      assert.equal(o.versionsPublished[0]?.version, '3');
      assert.equal(o.detail?.version, '3');
      assert.equal(o.detail?.status, 'running');
      assert.deepEqual(o.detail?.steps.map((s) => s.weight), [25, 100]);
      assert.match(r.stderr, /Deployed version 3; the rollout takes its canary over as step 1/);
      const a = await alias('clr-dir');
      assert.equal(a.FunctionVersion, '1');
      assert.deepEqual(a.RoutingConfig?.AdditionalVersionWeights, { '3': 0.25 });
      // The first step was adopted, not written again.
      const records = json<{ records: Array<{ outcome: Outcome<{ rollout?: { type: string; adopted?: boolean } }> }> }>(await cli(['journal', 'clr-dir:prod', '--json', ...conn()])).records;
      assert.ok(records.some((x) => x.outcome.detail?.rollout?.type === 'step' && x.outcome.detail.rollout.adopted === true), 'an adopted step record');
      assert.equal((await cli(['rollout', 'abort', 'clr-dir:prod', '--yes', ...conn()])).code, 0);
      assert.deepEqual((await alias('clr-dir')).RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });

    it('--dir with a plan that starts at 100 % is refused before anything connects (use deploy + switch)', async () => {
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: 'clr-none', alias: 'prod', codeFolder: '.', handler: 'index.handler' }));
      const r = await cli(['rollout', 'start', 'clr-none:prod', '--dir', '.', '--plan', 'AllAtOnce', '--yes', ...conn()]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /starts at 100 %.*lambda-canary deploy.*switch/);
    });

    it('on a terminal, start asks with the plan and the routing as it is; n changes nothing (exit 1)', async () => {
      await fixture('clr-ask', 20);
      const before = await alias('clr-ask');
      const stdin = new PassThrough();
      const stderr = new Sink();
      const running = cli(['rollout', 'start', 'clr-ask:prod', '--version', '2', '--plan', 'Canary10Percent5Minutes', ...conn()], { tty: true, stdin, stderr });
      await until('the question', async () => (/\[y\/N\]/.test(stderr.text) ? true : undefined));
      assert.match(stderr.text, /Roll out version 2 on clr-ask:prod \(now prod → 1\): 10 % for 5 min, then 100 %\? \[y\/N\]/);
      stdin.end('n\n');
      const r = await running;
      assert.equal(r.code, 1);
      assert.equal((await alias('clr-ask')).RevisionId, before.RevisionId);
    });
  });
});
