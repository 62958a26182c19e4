import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateAliasCommand, DeleteFunctionCommand, GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { parseWhen } from '../../src/cli/history';
import type { Outcome } from '../../src/core/outcome';
import { newAccessKeyId } from '../../src/sandbox';
import type { HistoryView } from '../../src/shared/history';
import type { CliRunOptions, Run } from './cli-testkit';
import { runCliIn } from './cli-testkit';
import { useSandbox } from './helpers';
import { createFn, publish } from './lambda-testkit';

const TEAMMATE = newAccessKeyId();

describe('lambda-canary history (real SDK ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 20, accessKeyId: newAccessKeyId(), otherAccessKeyIds: [TEAMMATE], users: { [TEAMMATE]: 'bob' } });
  let journalDir: string;
  let fn: string;
  let n = 0;
  let teammate: LambdaClient;

  before(() => {
    teammate = new LambdaClient({ endpoint: h().sandbox.endpoint, region: h().sandbox.region, credentials: { accessKeyId: TEAMMATE, secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  after(() => teammate?.destroy());
  beforeEach(async () => {
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-history-'));
    fn = `clihist-${++n}`;
    await createFn(h().lambda, fn);
    for (const tag of ['a', 'b', 'c']) await publish(h().lambda, fn, tag, `release, "${tag}"`);
    await h().lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
  });
  afterEach(() => fs.rmSync(journalDir, { recursive: true, force: true }));

  async function cli(argv: string[], options: CliRunOptions = {}): Promise<Run> {
    const env = { AWS_ACCESS_KEY_ID: h().sandbox.accessKeyId, AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: h().sandbox.region };
    return runCliIn({ env, trailingArgs: ['--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir] }, argv, options);
  }
  const alias = () => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));
  const ok = (r: Run) => assert.equal(r.code, 0, r.stderr);

  it('lists the changes newest first: ours from both sources, a teammate’s from CloudTrail, then the status and the lag note', async () => {
    ok(await cli(['switch', `${fn}:prod`, '2', '--yes']));
    await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3' }));
    const r = await cli(['history', `${fn}:prod`]);
    ok(r);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], new RegExp(`^${fn}:prod: history from .* \\(local time\\); now 3$`));
    assert.match(lines[1], /^TIME\s+WHO\s+WHAT\s+ENDED\s+SOURCE$/);
    assert.match(lines[2], /bob \(SDK\)\s+2 → 3 \(UpdateAlias\)\s+done\s+CloudTrail$/);
    assert.ok(lines.some((l) => /\(lambda-canary\)\s+1 → 2 \(switched\)\s+done\s+journal\+CloudTrail$/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /version 1 published \(release, "a"\)/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /^\s+return to this state: 2$/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /^\s+no return: this is the alias's current routing$/.test(l)), r.stdout);
    assert.match(r.stdout, /CloudTrail was read: \d+ Lambda events\./);
    assert.match(r.stdout, /CloudTrail shows a write about 5 minutes after it is made/);
  });

  it('--json prints the HistoryView, --csv its rows, --no-cloudtrail the journal alone', async () => {
    ok(await cli(['switch', `${fn}:prod`, '2', '--yes']));
    const j = await cli(['history', `${fn}:prod`, '--json']);
    ok(j);
    const v = JSON.parse(j.stdout) as HistoryView;
    assert.equal(v.functionName, fn);
    assert.equal(v.aliasName, 'prod');
    assert.equal(v.cloudTrail.state, 'read');
    assert.equal(v.entries[0].action, 'switch');
    assert.equal(v.entries[0].source, 'both');
    const c = await cli(['history', `${fn}:prod`, '--csv']);
    ok(c);
    const rows = c.stdout.split('\r\n').filter(Boolean);
    assert.match(rows[0], /^at,id,source,kind,action,who,client,arn,user_agent,/);
    assert.equal(rows.length, v.entries.length + 1);
    assert.ok(c.stdout.includes('"version 1 published (release, ""a"")"'), c.stdout);
    const off = await cli(['history', `${fn}:prod`, '--json', '--no-cloudtrail']);
    ok(off);
    const ov = JSON.parse(off.stdout) as HistoryView;
    assert.equal(ov.cloudTrail.state, 'off');
    assert.deepEqual(ov.entries.map((e) => e.source), ['journal']);
    assert.match(off.stderr, /CloudTrail was not asked/);
  });

  it('refuses bad input with exit 2 before connecting', async () => {
    for (const argv of [
      ['history', `${fn}:prod`, '--since', 'yesterday'],
      ['history', `${fn}:prod`, '--since', '10x'],
      ['history', `${fn}:prod`, '--until', '2026-13-45'],
      ['history', `${fn}:prod`, '--since', '1h', '--until', '2h'],
      ['history', `${fn}:prod`, '--json', '--csv'],
      ['history', `${fn}:prod`, '--cloudtrail-pages', '0'],
      ['history', fn],
      ['history', 'return', `${fn}:prod`],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^lambda-canary: /);
    }
    assert.equal(parseWhen('7d', 10 * 86_400_000)?.getTime(), 3 * 86_400_000);
    assert.equal(parseWhen('30m', 3_600_000)?.getTime(), 1_800_000);
    assert.equal(parseWhen('2026-12-01T10:00:00Z', 0)?.toISOString(), '2026-12-01T10:00:00.000Z');
    assert.equal(parseWhen('now', 0), undefined);
  });

  it('history return: needs --yes where nothing can ask, asks on a terminal, restores the state, and refuses a deleted version', async () => {
    ok(await cli(['switch', `${fn}:prod`, '2', '--yes']));
    await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } }));
    await teammate.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const v = JSON.parse((await cli(['history', `${fn}:prod`, '--json'])).stdout) as HistoryView;
    const split = v.entries.find((e) => e.who.name === 'bob' && e.after?.weights['1'] === 0.1)!;
    assert.ok(split.returnTo.ok, JSON.stringify(split));

    const noYes = await cli(['history', 'return', `${fn}:prod`, split.id]);
    assert.equal(noYes.code, 2);
    assert.match(noYes.stderr, /'history return' changes an alias and asks first/);

    const declined = await cli(['history', 'return', `${fn}:prod`, split.id], { tty: true, answer: 'n' });
    assert.equal(declined.code, 1);
    assert.match(declined.stderr, /Return .*:prod to its state after .*: 3 \(90%\) · 1 \(10%\)/);

    const done = await cli(['history', 'return', `${fn}:prod`, split.id.slice(0, 12), '--yes', '--json']);
    ok(done);
    const o = JSON.parse(done.stdout) as Outcome;
    assert.equal(o.action, 'return');
    assert.equal(o.state, 'done');
    assert.match(JSON.stringify(o), /"entryId"/);
    const now = await alias();
    assert.equal(now.FunctionVersion, '3');
    assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights, { '1': 0.1 });

    // Its state is the alias's now: nothing to do, said by the use case (exit 0, journalled).
    const again = await cli(['history', 'return', `${fn}:prod`, split.id, '--yes', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const o2 = JSON.parse(again.stdout) as Outcome;
    assert.equal(o2.action, 'return');
    assert.match(o2.note ?? '', /already/);

    const unknown = await cli(['history', 'return', `${fn}:prod`, 'no-such-entry', '--yes']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /has no entry 'no-such-entry'/);

    // Version 2 deleted (nothing routes to it now): the switch to it cannot be restored.
    await teammate.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: '2' }));
    const v2 = JSON.parse((await cli(['history', `${fn}:prod`, '--json'])).stdout) as HistoryView;
    const to2 = v2.entries.find((e) => e.action === 'switch' && e.ended === 'done')!;
    const refused = await cli(['history', 'return', `${fn}:prod`, to2.id, '--yes']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot be restored: version 2 was deleted/);
    assert.equal((await alias()).FunctionVersion, '3', 'unchanged');
  });
});
