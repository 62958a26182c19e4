/**
 * `lambda-canary triggers` and the pre-flight of `canary` / `rollout start`, end to end: the CLI
 * in-process (runCli) with real SDK v3 clients over HTTP against the sandbox; the triggers are
 * made with SDK calls (event source mappings, function URLs, permissions) as a user's stack would.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionUrlConfigCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetPolicyCommand,
  ListEventSourceMappingsCommand,
  ListFunctionUrlConfigsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { Outcome } from '../../src/core/outcome';
import type { PreflightReport, TriggerAudit, TriggerFixDetail } from '../../src/shared/triggers';
import { newAccessKeyId } from '../../src/sandbox';
import { AwsError } from '../../src/sandbox/errors';
import { OTHER_ROLE, useSandbox } from './helpers';
import { createFn, publish, setConfig } from './lambda-testkit';
import type { CliRunOptions, Run } from './cli-testkit';
import { runCliIn } from './cli-testkit';


const BUCKET = 'arn:aws:s3:::photos-upload';

describe('lambda-canary triggers (CLI ↔ sandbox)', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 30, randomSeed: 7, accessKeyId: newAccessKeyId() });
  let n = 0;
  let fn: string;
  let journalDir: string;
  let workDir: string;
  /** The mapping on the unqualified function: it bypasses prod. */
  let mapping: string;
  /** Each test's own queue. */
  let queue: string;

  const env = (): NodeJS.ProcessEnv => ({
    AWS_ACCESS_KEY_ID: h().sandbox.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    AWS_REGION: h().sandbox.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const conn = () => ['--endpoint-url', h().sandbox.endpoint, '--journal-dir', journalDir];

  async function cli(argv: string[], options: CliRunOptions = {}): Promise<Run> {
    return runCliIn({ env: env(), cwd: workDir }, argv, options);
  }
  const json = <T>(r: Run): T => JSON.parse(r.stdout) as T;
  const mappingArn = async (uuid = mapping) => (await h().lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).FunctionArn;
  const alias = async (name = 'prod') => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));
  const journalLines = () => (fs.existsSync(journalDir) ? fs.readdirSync(journalDir, { recursive: true }).filter((f) => String(f).endsWith('.jsonl')).flatMap((f) => fs.readFileSync(path.join(journalDir, String(f)), 'utf8').split('\n').filter(Boolean)) : []);

  /**
   * Versions 1 and 2, prod → 1; an SQS mapping on the unqualified function (bypasses prod), a
   * function URL on prod (goes through it), S3 allowed on the unqualified function (bypasses).
   */
  beforeEach(async () => {
    fn = `clt-${++n}`;
    queue = `arn:aws:sqs:us-east-1:123456789012:orders-${n}`;
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clt-journal-'));
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clt-work-'));
    const { lambda } = h();
    await createFn(lambda, fn);
    await publish(lambda, fn, 'v1');
    await publish(lambda, fn, 'v2');
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
    mapping = (await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: queue, BatchSize: 10 }))).UUID!;
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'AWS_IAM' }));
    await lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 's3-photos', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: BUCKET }));
    h().sandbox.settle();
  });
  afterEach(() => {
    h().sandbox.faults.clear();
    fs.rmSync(journalDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  describe('the audit', () => {
    it('a table: each trigger with what it calls and ✓/⚠, then each bypass with the command that fixes it; exit 0 although some bypass', async () => {
      const r = await cli(['triggers', `${fn}:prod`, ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.equal(lines[0], `${fn}: 3 triggers, 2 bypass prod.`, r.stdout);
      assert.match(lines[1], /^ID +TRIGGER +CALLS +VERDICT +FIX$/);
      const row = (id: string) => lines.find((l) => l.startsWith(`${id} `)) ?? assert.fail(`no row ${id} in\n${r.stdout}`);
      assert.match(row(`esm:${mapping}`), /\$LATEST +⚠ bypasses prod +route through prod$/);
      assert.match(row('url:prod'), / prod +✓ through prod +-$/);
      assert.match(row('policy:$LATEST:s3-photos'), /\$LATEST +⚠ bypasses prod +grant on prod$/);
      // Each bypass: its sentence, its source, and the command (quoted where the shell would expand $LATEST).
      assert.ok(r.stdout.includes(`\nesm:${mapping}: `), r.stdout);
      assert.ok(r.stdout.includes(`  source: ${queue}\n`), r.stdout);
      assert.ok(r.stdout.includes(`          lambda-canary triggers ${fn}:prod --fix esm:${mapping}\n`), r.stdout);
      assert.ok(r.stdout.includes(`          lambda-canary triggers ${fn}:prod --fix 'policy:$LATEST:s3-photos'\n`), r.stdout);
      assert.ok(!r.stdout.includes('\nurl:prod: '), 'a trigger through the alias has no detail block');
      assert.doesNotMatch(r.stderr, /warning/, 'everything was readable: no warnings');
      assert.deepEqual(journalLines(), [], 'an audit is not journalled');
    });

    it('--json: the Outcome as the other commands print it, the audit as its detail', async () => {
      const r = await cli(['triggers', `${fn}:prod`, '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json<Outcome<TriggerAudit>>(r);
      assert.equal(o.action, 'triggers');
      assert.equal(o.state, 'done');
      assert.equal(o.target.function, fn);
      assert.equal(o.detail?.aliasName, 'prod');
      const byId = Object.fromEntries(o.detail!.triggers.map((t) => [t.id, t]));
      assert.deepEqual(Object.keys(byId).sort(), [`esm:${mapping}`, 'policy:$LATEST:s3-photos', 'url:prod'].sort());
      assert.equal(byId[`esm:${mapping}`].verdict, 'bypasses');
      assert.deepEqual(byId[`esm:${mapping}`].route, { kind: 'unqualified' });
      assert.equal(byId[`esm:${mapping}`].fix?.action, 'route-through-alias');
      assert.equal(byId['url:prod'].verdict, 'through');
      assert.equal(byId['policy:$LATEST:s3-photos'].principal, 's3.amazonaws.com');
    });

    it('FN alone judges each trigger against every alias and names them', async () => {
      const r = await cli(['triggers', fn, ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.split('\n')[0], new RegExp(`^${fn}: 3 triggers, 2 bypass every alias \\(aliases: prod\\)\\.$`));
      const o = json<Outcome<TriggerAudit>>(await cli(['triggers', fn, '--json', ...conn()]));
      assert.equal(o.detail?.aliasName, undefined);
      assert.equal(o.detail?.triggers.find((t) => t.id === 'url:prod')?.verdict, 'through');
    });

    it('what cannot be read (GetPolicy denied) is a warning on stderr with the action to grant, once; the rest is shown; exit 1 (incomplete)', async () => {
      h().sandbox.faults.add({
        operation: 'GetPolicy',
        kind: 'hook',
        times: 1000,
        hook: () => {
          throw new AwsError('AccessDeniedException', 403, 'User is not authorized to perform: lambda:GetPolicy');
        },
      });
      const r = await cli(['triggers', `${fn}:prod`, ...conn()]);
      assert.equal(r.code, 1, r.stderr);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0], /could not be read \(access denied\): grant lambda:GetPolicy/);
      assert.match(r.stdout, new RegExp(`^esm:${mapping} .*⚠ bypasses prod`, 'm'));
      assert.doesNotMatch(r.stdout, /s3-photos/);
      const j = await cli(['triggers', `${fn}:prod`, '--json', ...conn()]);
      assert.equal(j.code, 1);
      assert.equal(json<Outcome<TriggerAudit>>(j).detail?.unreadable.length, 1);
    });

    it('a function that does not exist: exit 2 and what AWS said on stderr', async () => {
      const r = await cli(['triggers', 'no-such-function:prod', ...conn()]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^lambda-canary: .*no-such-function/m);
    });

    it('AWS text is printed as text: a hostile statement id reaches the terminal without its escape sequences', async () => {
      await h().lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'events-rule', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: 'arn:aws:events:us-east-1:123456789012:rule/x\u001b[31mred\u202eevil' }));
      const r = await cli(['triggers', `${fn}:prod`, ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(r.stdout), JSON.stringify(r.stdout));
      assert.ok(r.stdout.includes('  source: arn:aws:events:us-east-1:123456789012:rule/x [31mred evil\n'), r.stdout);
      // --json keeps the data as it is, with the invisible characters escaped.
      const j = await cli(['triggers', `${fn}:prod`, '--json', ...conn()]);
      assert.ok(j.stdout.includes('\\u202e') && !j.stdout.includes('\u202e'));
      assert.equal(json<Outcome<TriggerAudit>>(j).detail?.triggers.find((t) => t.id === 'policy:$LATEST:events-rule')?.source, 'arn:aws:events:us-east-1:123456789012:rule/x\u001b[31mred\u202eevil');
    });
  });

  describe('--fix', () => {
    it('without --yes where nothing can ask: refused before connecting, the mapping unchanged (exit 2)', async () => {
      const r = await cli(['triggers', `${fn}:prod`, '--fix', `esm:${mapping}`, ...conn()]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /'triggers --fix' and 'triggers --undo' change a trigger and ask first.*add --yes/);
      assert.equal(await mappingArn(), `${(await alias()).AliasArn!.replace(/:prod$/, '')}`);
    });

    it('on a terminal: asks with what the fix writes; no leaves the mapping, yes moves it onto prod and prints the outcome', async () => {
      const before = await mappingArn();
      assert.doesNotMatch(before!, /:prod$/);
      const no = await cli(['triggers', `${fn}:prod`, '--fix', `esm:${mapping}`, ...conn()], { tty: true, answer: 'n' });
      assert.equal(no.code, 1);
      assert.match(no.stderr, new RegExp(`Move .* \\(esm:${mapping}\\) onto ${fn}:prod\\? .+ \\[y/N\\] `));
      assert.match(no.stderr, /Nothing was changed\./);
      assert.equal(await mappingArn(), before);

      const yes = await cli(['triggers', `${fn}:prod`, '--fix', `esm:${mapping}`, ...conn()], { tty: true, answer: 'y' });
      assert.equal(yes.code, 0, yes.stderr);
      assert.match(yes.stdout, /now goes through prod/);
      assert.equal(await mappingArn(), (await alias()).AliasArn);
      // The same mapping (its position in the queue kept), and the audit says so.
      assert.equal((await h().lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queue }))).EventSourceMappings?.length, 1);
      const after = json<Outcome<TriggerAudit>>(await cli(['triggers', `${fn}:prod`, '--json', ...conn()]));
      assert.equal(after.detail?.triggers.find((t) => t.id === `esm:${mapping}`)?.verdict, 'through');
      assert.equal(journalLines().filter((l) => l.includes('"trigger-fix"')).length, 1, 'the fix is journalled');
    });

    it('on a terminal, a mapping another client moved while the question was open is not moved (exit 3, conflict)', async () => {
      // The fix's own read of the mapping finds it moved to version 2 since the audit that the question showed.
      h().sandbox.faults.add({
        operation: 'GetEventSourceMapping',
        kind: 'hook',
        hook: async () => {
          await h().lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping, FunctionName: `${fn}:2` }));
          h().sandbox.settle();
        },
      });
      const r = await cli(['triggers', `${fn}:prod`, '--fix', `esm:${mapping}`, ...conn()], { tty: true, answer: 'y' });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /changed since you looked at it/);
      assert.match((await mappingArn())!, new RegExp(`function:${fn}:2$`), 'where the other client put it');
    });

    it('--yes: fixed without asking; --json prints the outcome with what was done and what is left to do', async () => {
      const r = await cli(['triggers', `${fn}:prod`, '--fix', 'policy:$LATEST:s3-photos', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      const o = json<Outcome<TriggerFixDetail>>(r);
      assert.equal(o.action, 'trigger-fix');
      assert.equal(o.state, 'done');
      assert.equal(o.detail?.action, 'grant-on-alias');
      assert.ok(o.detail!.followUp.length > 0, 'S3 must be pointed at the alias ARN: said so');
      const policy = JSON.parse((await h().lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'prod' }))).Policy!) as { Statement: Array<{ Principal: unknown }> };
      assert.ok(JSON.stringify(policy.Statement).includes('s3.amazonaws.com'), 'S3 may now invoke prod');

      // In text: the outcome, then what is left to do.
      const url = await cli(['triggers', `${fn}:prod`, '--fix', `esm:${mapping}`, '--yes', ...conn()]);
      assert.equal(url.code, 0, url.stderr);
      assert.match(url.stdout, /now goes through prod/);
    });

    it('--undo: the alias\'s last fix from the journal is undone (asked first on a terminal); nothing to undo is said; with --fix or without an alias it is a usage error', async () => {
      const none = await cli(['triggers', `${fn}:prod`, '--undo', '--yes', ...conn()]);
      assert.equal(none.code, 2, none.stderr);
      assert.match(none.stderr, new RegExp(`The journal has no trigger fix of ${fn}:prod on this connection: nothing to undo`));

      const granted = await cli(['triggers', `${fn}:prod`, '--fix', 'policy:$LATEST:s3-photos', '--yes', ...conn()]);
      assert.equal(granted.code, 0, granted.stderr);
      // S3's statements on prod (none when prod has no policy left: GetPolicy's ResourceNotFoundException).
      const statements = async () => {
        const got = await h().lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'prod' })).catch((e: Error) => (e.name === 'ResourceNotFoundException' ? undefined : Promise.reject(e)));
        return got ? (JSON.parse(got.Policy!) as { Statement: Array<{ Principal: { Service?: string } }> }).Statement.filter((st) => st.Principal.Service === 's3.amazonaws.com').length : 0;
      };
      assert.equal(await statements(), 1);

      const declined = await cli(['triggers', `${fn}:prod`, '--undo', ...conn()], { tty: true, answer: 'n' });
      assert.equal(declined.code, 1, declined.stderr);
      assert.match(declined.stderr, new RegExp(`Undo the last trigger fix of ${fn}:prod .*\\[y/N\\]`));
      assert.equal(await statements(), 1, 'declined: the grant stays');

      const undone = await cli(['triggers', `${fn}:prod`, '--undo', '--yes', '--json', ...conn()]);
      assert.equal(undone.code, 0, undone.stderr);
      const o = json<Outcome<TriggerFixDetail>>(undone);
      assert.equal(o.action, 'trigger-fix');
      assert.equal(o.state, 'done');
      assert.equal(await statements(), 0, 'the permission the fix created is gone');
      const policy = JSON.parse((await h().lambda.send(new GetPolicyCommand({ FunctionName: fn }))).Policy!) as { Statement: Array<{ Sid: string }> };
      assert.ok(policy.Statement.some((st) => st.Sid === 's3-photos'), 'the original statement stays');

      const again = await cli(['triggers', `${fn}:prod`, '--undo', '--yes', ...conn()]);
      assert.equal(again.code, 2, again.stderr);
      assert.match(again.stderr, /has nothing to undo \(it was an undo, or it did not complete\)/);

      const both = await cli(['triggers', `${fn}:prod`, '--undo', '--fix', `esm:${mapping}`, '--yes', ...conn()]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--fix and --undo cannot go together/);
      const noAlias = await cli(['triggers', fn, '--undo', '--yes', ...conn()]);
      assert.equal(noAlias.code, 2);
      assert.match(noAlias.stderr, /--undo undoes an alias's last trigger fix: name the alias/);
      const needsYes = await cli(['triggers', `${fn}:prod`, '--undo', ...conn()]);
      assert.equal(needsYes.code, 2);
      assert.match(needsYes.stderr, /add --yes/);
    });

    it('a bad id: not an id (usage), no such trigger (on a terminal and with --yes), or nothing to fix; nothing written (exit 2)', async () => {
      const urls = async () => (await h().lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn }))).FunctionUrlConfigs?.length;
      const before = { mapping: await mappingArn(), urls: await urls(), alias: (await alias()).RevisionId };
      const malformed = await cli(['triggers', `${fn}:prod`, '--fix', 'sqs-orders', '--yes', ...conn()]);
      assert.equal(malformed.code, 2);
      assert.match(malformed.stderr, /--fix: 'sqs-orders' is not a trigger id \(esm:UUID/);
      assert.match(malformed.stderr, /Run 'lambda-canary triggers --help' for usage/);

      const noAlias = await cli(['triggers', fn, '--fix', `esm:${mapping}`, '--yes', ...conn()]);
      assert.equal(noAlias.code, 2);
      assert.match(noAlias.stderr, new RegExp(`--fix moves a trigger onto an alias: name it, as in ${fn}:prod`));

      const missing = 'esm:00000000-0000-4000-8000-000000000000';
      const asked = await cli(['triggers', `${fn}:prod`, '--fix', missing, ...conn()], { tty: true, answer: 'y' });
      assert.equal(asked.code, 2, asked.stderr);
      assert.match(asked.stderr, new RegExp(`${fn}:prod has no trigger '${missing}' \\(it has .*esm:${mapping}.*\\).*Nothing was changed`));
      assert.doesNotMatch(asked.stderr, /\[y\/N\]/, 'nothing to ask about');

      // Unread, it may have been deleted since it was listed: a conflict, as a changed trigger.
      const yes = await cli(['triggers', `${fn}:prod`, '--fix', missing, '--yes', '--json', ...conn()]);
      assert.equal(yes.code, 3, yes.stderr);
      assert.equal(json<Outcome>(yes).error?.kind, 'conflict');
      assert.match(json<Outcome>(yes).error!.message, /no longer exists/);

      const through = await cli(['triggers', `${fn}:prod`, '--fix', 'url:prod', ...conn()], { tty: true, answer: 'y' });
      assert.equal(through.code, 2, through.stderr);
      assert.match(through.stderr, /has nothing to fix/);
      assert.deepEqual({ mapping: await mappingArn(), urls: await urls(), alias: (await alias()).RevisionId }, before);
    });
  });

  describe('pre-flight before the alias changes', () => {
    it('canary --yes: the bypasses are warnings on stderr, each with its fix; the canary goes on; --json carries the report', async () => {
      const r = await cli(['canary', `${fn}:prod`, '--version', '2', '--weight', '10', '--yes', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^Pre-flight of ${fn}:prod: .+$`, 'm'));
      assert.match(r.stderr, new RegExp(`^  warning: .+\\(lambda-canary triggers ${fn}:prod --fix esm:${mapping}\\)$`, 'm'));
      assert.match(r.stdout, /Canary started: 10% of prod goes to version 2/);
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });

      await cli(['rollback', `${fn}:prod`, '--yes', ...conn()]);
      const j = await cli(['canary', `${fn}:prod`, '--version', '2', '--weight', '5', '--yes', '--json', ...conn()]);
      assert.equal(j.code, 0, j.stderr);
      const o = json<Outcome & { preflight: PreflightReport }>(j);
      assert.equal(o.state, 'done');
      assert.equal(o.preflight.aliasName, 'prod');
      assert.ok(o.preflight.findings.some((f) => f.code === 'bypass' && f.severity === 'warning' && f.triggerId === `esm:${mapping}`), JSON.stringify(o.preflight));
    });

    it('on a terminal the findings head the question; no changes nothing', async () => {
      const before = await alias();
      const r = await cli(['canary', `${fn}:prod`, '--version', '2', '--weight', '10', ...conn()], { tty: true, answer: 'n' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`Pre-flight of ${fn}:prod: .+\\n(  warning: .+\\n)+Route 10% of ${fn}:prod to version 2 \\(now prod → 1\\)\\? \\[y/N\\] `));
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('a blocker (versions with different execution roles) refuses the canary before any write: exit 2, the report in --json', async () => {
      await setConfig(h().lambda, fn, { Role: OTHER_ROLE });
      const v3 = await publish(h().lambda, fn, 'v3');
      const before = await alias();
      const r = await cli(['canary', `${fn}:prod`, '--version', v3, '--weight', '10', '--yes', ...conn()]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^ {2}blocker: .*role/m);
      assert.match(r.stderr, /^lambda-canary: The pre-flight found a blocker: .*Nothing was changed\.$/m);
      assert.equal(r.stdout, '');
      assert.equal((await alias()).RevisionId, before.RevisionId);
      assert.deepEqual(journalLines(), [], 'refused before the use case: no canary was attempted');

      const asked = await cli(['canary', `${fn}:prod`, '--version', v3, '--weight', '10', ...conn()], { tty: true, answer: 'y' });
      assert.equal(asked.code, 2, asked.stderr);
      assert.doesNotMatch(asked.stderr, /\[y\/N\]/, 'a blocker is not offered to go on');

      const j = await cli(['canary', `${fn}:prod`, '--version', v3, '--weight', '10', '--yes', '--json', ...conn()]);
      assert.equal(j.code, 2);
      const o = json<Outcome & { preflight: PreflightReport }>(j);
      assert.equal(o.state, 'unchanged');
      assert.equal(o.error?.kind, 'validation');
      assert.ok(o.preflight.findings.some((f) => f.code === 'role-mismatch' && f.severity === 'blocker'), JSON.stringify(o.preflight));
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('deploy: the same pre-flight before anything is uploaded (a warning goes on; --json carries the report)', async () => {
      fs.writeFileSync(path.join(workDir, 'lambda-canary.json'), JSON.stringify({ functionName: fn, alias: 'prod', codeFolder: 'src', handler: 'index.handler' }));
      fs.mkdirSync(path.join(workDir, 'src'));
      fs.writeFileSync(path.join(workDir, 'src', 'index.js'), 'exports.handler = async () => ({ ok: true });\n');
      const r = await cli(['deploy', '--no-smoke', '--yes', '--json', ...conn()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^Pre-flight of ${fn}:prod: `, 'm'));
      const o = json<Outcome & { preflight: PreflightReport }>(r);
      assert.equal(o.versionsPublished.length, 1);
      assert.ok(o.preflight.findings.some((f) => f.code === 'bypass' && f.triggerId === `esm:${mapping}`), JSON.stringify(o.preflight));
    });

    it('rollout start: the same pre-flight (a blocker refuses it, warnings go with --json)', async () => {
      await setConfig(h().lambda, fn, { Role: OTHER_ROLE });
      const v3 = await publish(h().lambda, fn, 'v3');
      const before = await alias();
      const blocked = await cli(['rollout', 'start', `${fn}:prod`, '--version', v3, '--plan', '10%@1m, 100%', '--yes', '--json', ...conn()]);
      assert.equal(blocked.code, 2, blocked.stderr);
      assert.ok(json<{ preflight: PreflightReport }>(blocked).preflight.findings.some((f) => f.severity === 'blocker'));
      assert.equal((await alias()).RevisionId, before.RevisionId);

      const started = await cli(['rollout', 'start', `${fn}:prod`, '--version', '2', '--plan', '10%@1h, hold', '--yes', '--json', ...conn()]);
      assert.equal(started.code, 0, started.stderr);
      const o = json<Outcome & { preflight: PreflightReport }>(started);
      assert.ok(o.preflight.findings.some((f) => f.code === 'bypass'), JSON.stringify(o.preflight));
      assert.match(started.stderr, /^ {2}warning: /m);
      await cli(['rollout', 'abort', `${fn}:prod`, '--yes', ...conn()]);
    });
  });
});
