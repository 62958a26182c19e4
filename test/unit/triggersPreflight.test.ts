import assert from 'node:assert/strict';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { PreflightFacts } from '../../src/core/triggers/preflight';
import { preflightReport } from '../../src/core/triggers/preflight';
import { parsePolicy } from '../../src/core/triggers/policy';
import { buildAudit } from '../../src/core/triggers/views';

const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:checkout';
const ROLE = 'arn:aws:iam::123456789012:role/app';
const v = (version: string, extra: Partial<FunctionConfiguration> = {}): FunctionConfiguration => ({ Version: version, Role: ROLE, State: 'Active', ...extra });

function facts(extra: Partial<PreflightFacts> = {}): PreflightFacts {
  return { functionName: 'checkout', aliasName: 'prod', version: '8', alias: { FunctionVersion: '7' }, primary: v('7'), candidate: v('8'), unreadable: [], ...extra };
}

/** An audit of prod: an API through it, an SQS queue on $LATEST and a Kinesis stream on version 7. */
function audit(throughApi = true) {
  const api = {
    Sid: 'api',
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: throughApi ? `${FN}:prod` : FN,
    Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/checkout' } },
  };
  return buildAudit({
    functionName: 'checkout',
    aliasName: 'prod',
    aliases: [{ Name: 'prod', AliasArn: `${FN}:prod`, FunctionVersion: '7' }],
    mappings: [
      { UUID: 'q', EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders', FunctionArn: FN, State: 'Enabled' },
      { UUID: 'k', EventSourceArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks', FunctionArn: `${FN}:7`, State: 'Enabled' },
    ],
    urls: [],
    policies: { [throughApi ? 'prod' : '$LATEST']: parsePolicy(JSON.stringify({ Statement: [api] })).statements },
    asyncConfigs: [{ FunctionArn: `${FN}:$LATEST` }],
    unreadable: [],
  });
}

describe('trigger pre-flight (pure)', () => {
  it('finds nothing when all is well', () => {
    const r = preflightReport(facts());
    assert.deepEqual(r.findings, []);
    assert.equal(r.summary, '');
    assert.equal(r.version, '8');
  });

  it('bypass: one finding per bypassing source with its fix, and the summary with the numbers', () => {
    const r = preflightReport(facts({ audit: audit() }));
    const bypass = r.findings.filter((f) => f.code === 'bypass');
    assert.deepEqual(
      bypass.map((f) => f.triggerId),
      ['esm:k', 'esm:q'],
    );
    assert.ok(bypass.every((f) => f.severity === 'warning'));
    assert.match(bypass[1].message, /^SQS queue orders: Bypasses prod: calls \$LATEST/);
    assert.match(bypass[1].fix ?? '', /^Route Through Alias: /);
    assert.equal(r.summary, "2 of 3 sources bypass prod: the canary would see only the API's traffic.");
  });

  it('bypass: none of their traffic when nothing goes through the alias', () => {
    const r = preflightReport(facts({ audit: audit(false) }));
    assert.equal(r.summary, '3 of 3 sources bypass prod: the canary would see none of their traffic.');
  });

  it('role-mismatch and dead-letter-mismatch are blockers, also against $LATEST before a publish', () => {
    const r = preflightReport(facts({ candidate: v('8', { Role: 'arn:aws:iam::123456789012:role/other', DeadLetterConfig: { TargetArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' } }) }));
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.severity]),
      [
        ['role-mismatch', 'blocker'],
        ['dead-letter-mismatch', 'blocker'],
      ],
    );
    assert.match(r.findings[0].message, /Version 7 \(prod's primary\) and version 8 use different execution roles \(role app vs role other\)/);
    assert.match(r.findings[1].message, /\(none vs arn:aws:sqs:eu-west-1:123456789012:dlq\)/);
    assert.match(r.summary, /different execution roles.*different dead-letter queues/);
    const publish = preflightReport(facts({ version: undefined, candidate: v('$LATEST', { Role: 'arn:aws:iam::123456789012:role/other' }) }));
    assert.equal(publish.findings[0].code, 'role-mismatch');
    assert.match(publish.findings[0].message, /and a version published from \$LATEST use different/);
    assert.equal(publish.version, undefined);
  });

  it('no mismatch when the version is the primary itself', () => {
    const r = preflightReport(facts({ version: '7', candidate: v('7', { Role: 'other' }) }));
    assert.deepEqual(r.findings, []);
  });

  it('provisioned concurrency on the alias is a warning', () => {
    const r = preflightReport(facts({ provisioned: { requested: 10, allocated: 10, status: 'READY' } }));
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].code, 'provisioned-concurrency');
    assert.equal(r.findings[0].severity, 'warning');
    assert.match(r.findings[0].message, /^prod has provisioned concurrency \(10 requested, 10 allocated\)/);
    assert.equal(r.summary, r.findings[0].message);
  });

  it('SnapStart version not Active, or any version not Active, is a blocker', () => {
    const snap = preflightReport(facts({ candidate: v('8', { State: 'Pending', SnapStart: { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' } }) }));
    assert.deepEqual(
      snap.findings.map((f) => [f.code, f.severity]),
      [['snapstart-not-active', 'blocker']],
    );
    assert.match(snap.findings[0].message, /Version 8 uses SnapStart and is Pending/);
    const failed = preflightReport(facts({ candidate: v('8', { State: 'Failed', StateReason: 'Snapshot failed.', SnapStart: { ApplyOn: 'PublishedVersions' } }) }));
    assert.match(failed.findings[0].message, /its snapshot failed \(Snapshot failed\)/);
    const pending = preflightReport(facts({ candidate: v('8', { State: 'Pending' }) }));
    assert.deepEqual(
      pending.findings.map((f) => [f.code, f.severity]),
      [['version-not-active', 'blocker']],
    );
    assert.match(pending.findings[0].message, /^Version 8 is Pending: traffic can only go to an Active version\.$/);
  });

  it('an Inactive version is a warning whose advice is to invoke it once or publish again; an unreported state is no finding', () => {
    const inactive = preflightReport(facts({ candidate: v('8', { State: 'Inactive' }) }));
    assert.deepEqual(
      inactive.findings.map((f) => [f.code, f.severity]),
      [['version-not-active', 'warning']],
    );
    assert.match(inactive.findings[0].message, /^Version 8 is Inactive: .*first invocations it gets fail/);
    assert.match(inactive.findings[0].fix ?? '', /Invoke version 8 once .*or publish again/);
    assert.doesNotMatch(inactive.findings[0].fix ?? '', /^Wait/);
    assert.deepEqual(preflightReport(facts({ candidate: v('8', { State: undefined }) })).findings, []);
    // Before a publish there is no version to be Active yet.
    assert.deepEqual(preflightReport(facts({ version: undefined, candidate: v('$LATEST', { State: 'Pending' }) })).findings, []);
  });

  it('what could not be read is a warning each', () => {
    const a = { ...audit(), unreadable: ['The function URLs could not be read (access denied): grant lambda:ListFunctionUrlConfigs to see them.'] };
    const r = preflightReport(facts({ audit: a, unreadable: ['The configuration of version 8 could not be read (access denied): grant lambda:GetFunctionConfiguration to check it.'] }));
    const un = r.findings.filter((f) => f.code === 'unreadable');
    assert.equal(un.length, 2);
    assert.ok(un.every((f) => f.severity === 'warning'));
    assert.match(un[0].message, /lambda:ListFunctionUrlConfigs/);
  });
});
