import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetAliasCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { CliIO } from '../../src/cli/run';
import { runCli } from '../../src/cli/run';
import type { Sandbox } from '../../src/sandbox';
import { newAccessKeyId, startSandbox } from '../../src/sandbox';
import type { ReleaseView } from '../../src/shared/release';
import type { Run } from './cli-testkit';
import { Sink } from './cli-testkit';
import { clientsFor } from './helpers';
import { stagedFunctions } from './lambda-testkit';

/** `lambda-canary release start` to the first stage, then `release promote-stage prod` to another sandbox (another account). */
describe('lambda-canary release with stages (real SDK ↔ two sandboxes)', function () {
  this.timeout(60_000);
  let a: Sandbox;
  let b: Sandbox;
  let la: LambdaClient;
  let lb: LambdaClient;
  let journalDir: string;
  let dir: string;
  const names = ['clistage-a', 'clistage-b'];

  before(async () => {
    a = await startSandbox({ updateDelayMs: 20, accessKeyId: newAccessKeyId(), accountId: '111111111111' });
    b = await startSandbox({ updateDelayMs: 20, accountId: '222222222222' });
    la = clientsFor(a).lambda;
    lb = clientsFor(b).lambda;
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-stages-j-'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-stages-ws-'));
    const functions = await stagedFunctions(dir, names, la, lb);
    const stages = [
      { name: 'staging', alias: 'staging', endpoint: a.endpoint },
      { name: 'prod', alias: 'prod', endpoint: b.endpoint },
    ];
    fs.writeFileSync(path.join(dir, 'lambda-canary.json'), JSON.stringify({ functions, stages }, null, 2));
  });
  after(async () => {
    la?.destroy();
    lb?.destroy();
    await a?.close();
    await b?.close();
    fs.rmSync(journalDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(argv: string[]): Promise<Run> {
    const stdout = new Sink();
    const stderr = new Sink();
    const stdin = new PassThrough();
    stdin.end();
    const io: CliIO = { stdout, stderr, stdin, env: { AWS_ACCESS_KEY_ID: a.accessKeyId, AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: a.region }, isTTY: false, cwd: dir };
    const code = await runCli([...argv, '--endpoint-url', a.endpoint, '--journal-dir', journalDir], io);
    return { code, stdout: stdout.text, stderr: stderr.text };
  }
  const routing = async (lambda: LambdaClient, fn: string, alias: string) => {
    const x = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: alias }));
    return [x.FunctionVersion, x.RoutingConfig?.AdditionalVersionWeights ?? {}];
  };
  const sha = async (lambda: LambdaClient, fn: string, q: string) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: q }))).CodeSha256;

  it('refuses bad stage input with exit 2, before anything is written', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['release', 'start', '--stage', 'qa', '--plan', '100%', '--yes'], /--stage: .* has no stage qa: its stages are staging, prod/],
      [['release', 'promote-stage', '--stage', 'prod', '--yes'], /--stage is not an option of 'release promote-stage'/],
      [['release', 'promote-stage', 'nope', '--yes'], /has no stage nope/],
      [['release', 'promote-stage', 'prod'], /--yes/],
      [['release', 'promote-stage', 'staging', '--yes'], /staging is the first stage/],
      [['release', 'promote-stage', 'prod', '--yes'], /No release of .* to staging in this journal: release to staging first/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}${r.stdout}`);
      assert.match(r.stderr + r.stdout, message, argv.join(' '));
    }
    for (const name of names) {
      assert.deepEqual(await routing(la, name, 'staging'), ['1', {}]);
      assert.deepEqual(await routing(lb, name, 'prod'), ['1', {}]);
    }
  });

  it('release start goes to the first stage; promote-stage prod ships its bytes to the other account; status --stage prod lists it', async () => {
    const r = await cli(['release', 'start', '--plan', '100%', '--yes']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /, staging, 100%\): promoted\./);
    for (const name of names) {
      assert.deepEqual(await routing(la, name, 'staging'), ['2', {}]);
      assert.match(r.stdout, new RegExp(`${name}:staging  promoted  1 → 2`));
    }
    const staged = (JSON.parse((await cli(['release', 'status', '--stage', 'staging', '--json'])).stdout) as ReleaseView[])[0];
    assert.equal(staged.stage, 'staging');

    const p = await cli(['release', 'promote-stage', 'prod', '--plan', '100%', '--yes']);
    assert.equal(p.code, 0, p.stderr + p.stdout);
    assert.match(p.stderr, new RegExp(`Promoting release ${staged.id} \\(staging\\) to prod\\.`));
    assert.match(p.stdout, new RegExp(`, prod from staging ${staged.id}, 100%\\): promoted\\.`));
    for (const name of names) {
      assert.deepEqual(await routing(lb, name, 'prod'), ['2', {}]);
      assert.equal(await sha(lb, name, '2'), await sha(la, name, '2'), `${name}: the same code on both accounts`);
    }
    const s = await cli(['release', 'status', '--stage', 'prod', '--json']);
    assert.equal(s.code, 0, s.stderr);
    const views = JSON.parse(s.stdout) as ReleaseView[];
    assert.equal(views.length, 1, 'the prod connection lists its one release');
    assert.deepEqual([views[0].stage, views[0].promotedFrom], ['prod', { stage: 'staging', release: staged.id }]);
    // Next after prod, the last stage: refused.
    const next = await cli(['release', 'promote-stage', '--yes']);
    assert.equal(next.code, 2, next.stderr + next.stdout);
    assert.match(next.stderr + next.stdout, /the last stage: there is no stage after it/);
  });
});
