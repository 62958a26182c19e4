import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, GetAliasCommand } from '@aws-sdk/client-lambda';
import { newAccessKeyId } from '../../src/sandbox';
import type { ReleaseView } from '../../src/shared/release';
import type { CliRunOptions, Run } from './cli-testkit';
import { runCliIn } from './cli-testkit';
import { useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

describe('lambda-canary release (real SDK ↔ sandbox)', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 20, accessKeyId: newAccessKeyId() });
  let journalDir: string;
  let dir: string;
  let n = 0;
  let names: string[];

  beforeEach(async () => {
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-release-j-'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-release-ws-'));
    n++;
    names = [`clirel-${n}-a`, `clirel-${n}-b`];
    const functions = [];
    for (const name of names) {
      await createFn(h().lambda, name);
      await publish(h().lambda, name, 'one');
      await h().lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '1' }));
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'index.js'), `exports.handler = async () => ({ fn: ${JSON.stringify(name)}, v: 2 });\n`);
      functions.push({ functionName: name, codeFolder: name, handler: 'index.handler' });
    }
    fs.writeFileSync(path.join(dir, 'lambda-canary.json'), JSON.stringify({ alias: 'prod', functions }, null, 2));
  });
  afterEach(() => {
    fs.rmSync(journalDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(argv: string[], options: CliRunOptions = {}): Promise<Run> {
    const env = { AWS_ACCESS_KEY_ID: h().sandbox.accessKeyId, AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: h().sandbox.region };
    return runCliIn({ env, cwd: dir, trailingArgs: ['--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir] }, argv, options);
  }
  const version = async (name: string) => {
    const a = await h().lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'prod' }));
    return [a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights ?? {}];
  };

  it("release start publishes the folder's functions and promotes them together; status lists it", async () => {
    const r = await cli(['release', 'start', '--plan', '100%', '--yes']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /: promoted\./);
    for (const name of names) {
      assert.deepEqual(await version(name), ['2', {}]);
      assert.match(r.stdout, new RegExp(`${name}:prod  promoted  1 → 2`));
    }
    const s = await cli(['release', 'status', '--json']);
    assert.equal(s.code, 0, s.stderr);
    const views = JSON.parse(s.stdout) as ReleaseView[];
    assert.equal(views.length, 1);
    assert.equal(views[0].status, 'promoted');
    const one = await cli(['release', 'status', views[0].id.slice(0, 6)]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, new RegExp(`Release ${views[0].id}`));
  });

  it('stopped mid-release (Ctrl-C) it is interrupted: status says so, restore puts every alias back', async () => {
    const ac = new AbortController();
    const started = cli(['release', 'start', '--plan', '50%@60s, 100%', '--yes'], { signal: ac.signal });
    // Stopped once step 1 is in place.
    for (let i = 0; i < 400 && (await version(names[1]))[0] === '1' && Object.keys((await version(names[1]))[1] as object).length === 0; i++) await new Promise((res) => setTimeout(res, 25));
    ac.abort();
    const r = await started;
    assert.equal(r.code, 130, r.stderr + r.stdout);
    for (const name of names) assert.deepEqual(await version(name), ['1', { '2': 0.5 }]);
    const s = await cli(['release', 'status', '--json']);
    const [v] = JSON.parse(s.stdout) as ReleaseView[];
    assert.equal(v.status, 'interrupted', v.statusText);
    const no = await cli(['release', 'restore', v.id]);
    assert.equal(no.code, 2, 'restore asks first: --yes where nothing can ask');
    const back = await cli(['release', 'restore', v.id, '--yes']);
    assert.equal(back.code, 0, back.stderr + back.stdout);
    assert.match(back.stdout, /restored/);
    for (const name of names) assert.deepEqual(await version(name), ['1', {}]);
  });

  it('refuses bad input with exit 2 before connecting', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['release'], /needs a subcommand/],
      [['release', 'go'], /not a subcommand/],
      [['release', 'start', '--plan', '150%', '--yes'], /--plan/],
      [['release', 'resume'], /needs the release's id/],
      [['release', 'restore', 'zz!', '--yes'], /not a release id/],
      [['release', 'status', '--plan', '10%'], /not an option of 'release status'/],
      [['release', 'start', '--only', 'nope', '--plan', '100%', '--yes'], /nope/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
    for (const name of names) assert.deepEqual(await version(name), ['1', {}]);
  });
});
