import assert from 'node:assert/strict';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { badInput, classifyTarget, parseFunctionRef, routeOfQualifier, sameFunction, unqualifiedArn, verdictOf, verdictText } from '../../src/core/triggers/classify';
import { copySid, grantFollowUp, parseTriggerId } from '../../src/core/triggers/fix';
import { addPermissionPrincipal, grantsPublicUrl, isUrlStatement, parsePolicy, sameGrant } from '../../src/core/triggers/policy';
import { accountPrincipalLabel, apiLabel, arnLabel, parseApiSource, serviceName } from '../../src/core/triggers/sources';
import type { TriggerFacts } from '../../src/core/triggers/views';
import { outcomeText } from '../../src/core/outcomeText';
import { outcomeUnknown } from '../../src/core/errors';
import type { Outcome } from '../../src/core/outcome';
import type { TriggerAudit, TriggerFixDetail, TriggerView } from '../../src/shared/triggers';
import { buildAudit, integrationUri } from '../../src/core/triggers/views';
import { triggerTooltip } from '../../src/extension/triggerText';

const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:checkout';
const PROD: AliasConfiguration = { Name: 'prod', AliasArn: `${FN}:prod`, FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } };
const STAGING: AliasConfiguration = { Name: 'staging', AliasArn: `${FN}:staging`, FunctionVersion: '8' };

function facts(extra: Partial<TriggerFacts>): TriggerFacts {
  return { functionName: 'checkout', aliasName: 'prod', aliases: [PROD, STAGING], mappings: [], urls: [], policies: {}, asyncConfigs: [], unreadable: [], ...extra };
}

function policy(statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

describe('trigger audit (pure)', () => {
  describe('classifyTarget: every qualifier form', () => {
    const cases: Array<[string, ReturnType<typeof classifyTarget>]> = [
      ['checkout', { kind: 'unqualified' }],
      ['checkout:$LATEST', { kind: 'unqualified' }],
      ['checkout:7', { kind: 'version', version: '7' }],
      ['checkout:prod', { kind: 'alias', alias: 'prod' }],
      ['123456789012:function:checkout', { kind: 'unqualified' }],
      ['123456789012:function:checkout:$LATEST', { kind: 'unqualified' }],
      ['123456789012:function:checkout:12', { kind: 'version', version: '12' }],
      ['123456789012:function:checkout:live-2', { kind: 'alias', alias: 'live-2' }],
      [FN, { kind: 'unqualified' }],
      [`${FN}:$LATEST`, { kind: 'unqualified' }],
      [`${FN}:3`, { kind: 'version', version: '3' }],
      [`${FN}:prod`, { kind: 'alias', alias: 'prod' }],
      ['arn:aws-cn:lambda:cn-north-1:123456789012:function:checkout:blue_1', { kind: 'alias', alias: 'blue_1' }],
    ];
    for (const [target, route] of cases) {
      it(`${target} → ${JSON.stringify(route)}`, () => assert.deepEqual(classifyTarget(target, 'checkout'), route));
    }

    it('treats the function as the user named it (its ARN) as unqualified', () => {
      assert.deepEqual(classifyTarget(FN, FN), { kind: 'unqualified' });
      assert.deepEqual(classifyTarget(`${FN}:prod`, FN), { kind: 'alias', alias: 'prod' });
    });

    it('parses every form, and refuses what is none', () => {
      assert.deepEqual(parseFunctionRef(`${FN}:prod`), { partition: 'aws', region: 'eu-west-1', account: '123456789012', name: 'checkout', qualifier: 'prod' });
      assert.deepEqual(parseFunctionRef('123456789012:function:checkout'), { account: '123456789012', name: 'checkout' });
      assert.deepEqual(parseFunctionRef('checkout:9'), { name: 'checkout', qualifier: '9' });
      assert.equal(parseFunctionRef('arn:aws:sqs:eu-west-1:123456789012:orders'), undefined);
      assert.equal(parseFunctionRef('a b'), undefined);
      assert.equal(unqualifiedArn(`${FN}:prod`), FN);
      assert.equal(unqualifiedArn('checkout:prod'), undefined);
      assert.ok(sameFunction(`${FN}:prod`, 'checkout'));
      assert.ok(sameFunction(`${FN}:prod`, FN));
      assert.ok(!sameFunction(`${FN}:prod`, 'arn:aws:lambda:eu-west-1:999999999999:function:checkout'));
      assert.ok(!sameFunction('arn:aws:lambda:eu-west-1:123456789012:function:other', 'checkout'));
    });

    it('refuses a function or alias name that cannot be one', () => {
      assert.equal(badInput('checkout', 'prod'), undefined);
      assert.equal(badInput(FN), undefined);
      assert.equal(badInput('123456789012:function:checkout', 'live_2'), undefined);
      assert.match(badInput('check out') ?? '', /^'check out' is not a function name or ARN/);
      assert.match(badInput('checkout:prod') ?? '', /without a qualifier/);
      assert.match(badInput('checkout', '7') ?? '', /^'7' is not an alias name/);
      assert.match(badInput('checkout', '') ?? '', /is not an alias name/);
    });

    it('judges each route against an alias, and against every alias without one', () => {
      assert.equal(verdictOf({ kind: 'alias', alias: 'prod' }, 'prod'), 'through');
      assert.equal(verdictOf({ kind: 'alias', alias: 'staging' }, 'prod'), 'other-alias');
      assert.equal(verdictOf({ kind: 'unqualified' }, 'prod'), 'bypasses');
      assert.equal(verdictOf({ kind: 'version', version: '7' }, 'prod'), 'bypasses');
      assert.equal(verdictOf({ kind: 'alias', alias: 'staging' }, undefined), 'through');
      assert.equal(verdictOf({ kind: 'unqualified' }, undefined), 'bypasses');
      assert.equal(verdictText({ kind: 'unqualified' }, 'prod'), 'Bypasses prod: calls $LATEST (the unqualified function), so the canary never sees these events and a rollback does not protect them.');
      assert.match(verdictText({ kind: 'version', version: '7' }, 'prod'), /^Bypasses prod: calls version 7 directly/);
      assert.match(verdictText({ kind: 'unqualified' }, undefined), /^Bypasses every alias/);
      assert.equal(verdictText({ kind: 'alias', alias: 'prod' }, 'prod'), 'Goes through prod.');
      assert.match(verdictText({ kind: 'alias', alias: 'staging' }, 'prod'), /^Goes through staging, not prod/);
      assert.deepEqual(routeOfQualifier(undefined), { kind: 'unqualified' });
    });
  });

  describe('source labels', () => {
    const cases: Array<[string, string]> = [
      ['arn:aws:sqs:eu-west-1:123456789012:orders', 'SQS queue orders'],
      ['arn:aws:kinesis:eu-west-1:123456789012:stream/clicks', 'Kinesis stream clicks'],
      ['arn:aws:kinesis:eu-west-1:123456789012:stream/clicks/consumer/fanout:1700000000', 'Kinesis stream clicks (consumer fanout)'],
      ['arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000', 'DynamoDB table Orders stream'],
      ['arn:aws:kafka:eu-west-1:123456789012:cluster/events/abcd-1234-5', 'MSK cluster events'],
      ['arn:aws:mq:eu-west-1:123456789012:broker:jobs:b-1234', 'Amazon MQ broker jobs'],
      ['arn:aws:rds:eu-west-1:123456789012:cluster:docdb-orders', 'DocumentDB cluster docdb-orders'],
      ['arn:aws:s3:::photos', 'S3 bucket photos'],
      ['arn:aws:sns:eu-west-1:123456789012:alerts', 'SNS topic alerts'],
      ['arn:aws:events:eu-west-1:123456789012:rule/nightly', 'EventBridge rule nightly'],
      ['arn:aws:events:eu-west-1:123456789012:rule/orders-bus/paid', 'EventBridge rule paid on bus orders-bus'],
      ['arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/checkout', 'API Gateway API abc123 (POST /checkout)'],
      ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/{id}', 'API Gateway API abc123 (GET /items/{id}) stage prod'],
      ['arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*', 'API Gateway API abc123'],
      ['arn:aws:execute-api:eu-west-1:123456789012:abc123/*/$default', 'API Gateway API abc123 (route $default)'],
      ['arn:aws:execute-api:eu-west-1:123456789012:abc123/authorizers/x1', 'API Gateway API abc123 authorizer x1'],
      ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/app:*', 'CloudWatch Logs log group /aws/app'],
      ['arn:aws:iot:eu-west-1:123456789012:rule/sensors', 'IoT rule sensors'],
      ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC', 'Cognito user pool eu-west-1_AbC'],
      ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123', 'Load balancer target group web'],
    ];
    for (const [arn, label] of cases) it(`${arn} → ${label}`, () => assert.equal(arnLabel(arn), label));

    it('names principals', () => {
      assert.equal(arnLabel('arn:aws:unknown:eu-west-1:1:x'), undefined);
      assert.equal(arnLabel('not an arn'), undefined);
      assert.equal(serviceName('s3.amazonaws.com'), 'S3');
      assert.equal(serviceName('example.amazonaws.com'), 'example.amazonaws.com');
      assert.equal(accountPrincipalLabel('*'), 'Anyone (Principal *)');
      assert.equal(accountPrincipalLabel('111122223333'), 'Account 111122223333');
      assert.equal(accountPrincipalLabel('arn:aws:iam::111122223333:root'), 'Account 111122223333');
      assert.equal(accountPrincipalLabel('arn:aws:iam::111122223333:role/ci/deployer'), 'IAM role deployer (account 111122223333)');
      const api = parseApiSource('arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/checkout')!;
      assert.deepEqual(api, { apiId: 'abc123', region: 'us-east-1', account: '123456789012', stage: '*', method: 'POST', path: 'checkout' });
      assert.equal(apiLabel(api), 'API Gateway API abc123 (POST /checkout)');
      assert.equal(integrationUri('us-east-1', `${FN}:prod`), `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}:prod/invocations`);
    });
  });

  describe('policy statements', () => {
    it('parses principals, actions and the conditions AddPermission sets', () => {
      const p = parsePolicy(
        policy([
          {
            Sid: 's3',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'lambda:InvokeFunction',
            Resource: FN,
            Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' } },
          },
          { Sid: 'acct', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['lambda:InvokeFunction'], Resource: `${FN}:prod` },
          { Sid: 'url', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: FN, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } } },
          { Sid: 'odd', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
          { Sid: 'bad' },
        ]),
      );
      assert.equal(p.statements.length, 4);
      assert.deepEqual(p.skipped, ['statement bad: no principal or resource']);
      const [s3, acct, url, odd] = p.statements;
      assert.equal(s3.principal, 's3.amazonaws.com');
      assert.equal(s3.sourceArn, 'arn:aws:s3:::photos');
      assert.equal(s3.sourceAccount, '123456789012');
      assert.deepEqual(s3.otherConditions, []);
      assert.equal(acct.principal, 'arn:aws:iam::111122223333:root');
      assert.equal(addPermissionPrincipal(acct.principal), '111122223333');
      assert.ok(isUrlStatement(url));
      assert.ok(!isUrlStatement(s3));
      // Since October 2025 a URL with auth NONE needs lambda:InvokeFunction via the URL too.
      assert.ok(!grantsPublicUrl([url]));
      assert.ok(!grantsPublicUrl([s3]));
      assert.deepEqual(odd.otherConditions, ['IpAddress aws:SourceIp']);
      assert.ok(sameGrant(s3, { ...s3, sid: 'other', resource: `${FN}:prod` }));
      assert.ok(!sameGrant(s3, { ...s3, sourceArn: 'arn:aws:s3:::other' }));
      assert.throws(() => parsePolicy('{nope'));
    });
  });

  describe('views', () => {
    it('an event source mapping: label from its source, verdict from its function ARN, a fix when it bypasses', () => {
      const a = buildAudit(
        facts({
          mappings: [
            { UUID: 'u-1', EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders', FunctionArn: FN, State: 'Enabled', FilterCriteria: { Filters: [{ Pattern: '{}' }] } },
            { UUID: 'u-2', EventSourceArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks', FunctionArn: `${FN}:prod`, State: 'Enabled' },
            { UUID: 'u-3', EventSourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/T/stream/x', FunctionArn: `${FN}:7`, State: 'Updating' },
            { UUID: 'u-4', EventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', FunctionArn: `${FN}:staging`, Topics: ['t1'] },
            { UUID: 'u-5', SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['b1:9092'] } }, Topics: ['orders'], FunctionArn: `${FN}:prod` },
            { UUID: 'u-1', EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders', FunctionArn: FN, State: 'Enabled' },
          ],
        }),
      );
      assert.equal(a.triggers.length, 5, 'deduplicated by UUID');
      const by = (id: string) => a.triggers.find((t) => t.id === id)!;
      assert.equal(by('esm:u-1').label, 'SQS queue orders');
      assert.equal(by('esm:u-1').verdict, 'bypasses');
      assert.deepEqual(by('esm:u-1').route, { kind: 'unqualified' });
      assert.equal(by('esm:u-1').fix?.action, 'route-through-alias');
      assert.equal(by('esm:u-1').fix?.alias, 'prod');
      assert.match(by('esm:u-1').notes.join(' '), /Filtered: 1 pattern/);
      assert.equal(by('esm:u-2').verdict, 'through');
      assert.equal(by('esm:u-2').fix, undefined);
      assert.equal(by('esm:u-3').verdict, 'bypasses');
      assert.deepEqual(by('esm:u-3').route, { kind: 'version', version: '7' });
      assert.match(by('esm:u-3').notes.join(' '), /Updating: wait/);
      assert.equal(by('esm:u-4').verdict, 'other-alias');
      assert.equal(by('esm:u-4').label, 'MSK cluster c');
      assert.equal(by('esm:u-4').fix, undefined, "staging's traffic: not moved onto prod");
      assert.equal(by('esm:u-5').label, 'Kafka topic orders (self-managed, b1:9092)');
      assert.equal(a.functionArn, FN);
      assert.deepEqual(a.aliases, ['prod', 'staging']);
    });

    it('without an alias: through any alias, and no fix unless the function has one alias only', () => {
      const m = { UUID: 'u-1', EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders', FunctionArn: FN };
      const two = buildAudit(facts({ aliasName: undefined, mappings: [m, { ...m, UUID: 'u-2', FunctionArn: `${FN}:staging` }] }));
      assert.equal(two.aliasName, undefined);
      assert.equal(two.triggers[0].verdict, 'bypasses');
      assert.equal(two.triggers[0].fix, undefined);
      assert.equal(two.triggers[1].verdict, 'through');
      const one = buildAudit(facts({ aliasName: undefined, aliases: [PROD], mappings: [m] }));
      assert.equal(one.triggers[0].fix?.alias, 'prod');
    });

    it('function URLs: per qualifier, the public permission they need, a fix unless the alias has its own', () => {
      const a = buildAudit(
        facts({
          urls: [{ FunctionUrl: 'https://old.lambda-url.eu-west-1.on.aws/', FunctionArn: FN, AuthType: 'NONE', Cors: { AllowOrigins: ['https://shop'] } }],
          policies: {},
        }),
      );
      const u = a.triggers[0];
      assert.equal(u.id, 'url:$LATEST');
      assert.equal(u.label, 'Function URL (auth NONE)');
      assert.equal(u.verdict, 'bypasses');
      assert.equal(u.source, 'https://old.lambda-url.eu-west-1.on.aws/');
      assert.equal(u.fix?.action, 'create-url-on-alias');
      assert.match(u.notes.join(' '), /answers 403 Forbidden/);
      const withOwn = buildAudit(
        facts({
          urls: [
            { FunctionUrl: 'https://old/', FunctionArn: FN, AuthType: 'AWS_IAM' },
            { FunctionUrl: 'https://new/', FunctionArn: `${FN}:prod`, AuthType: 'AWS_IAM' },
          ],
        }),
      );
      const old = withOwn.triggers.find((t) => t.id === 'url:$LATEST')!;
      assert.equal(old.fix, undefined);
      assert.match(old.notes.join(' '), /prod has its own URL, https:\/\/new\//);
      assert.equal(withOwn.triggers.find((t) => t.id === 'url:prod')!.verdict, 'through');
    });

    it('policy statements: a label per principal, URL statements folded into the URL, API Gateway notes', () => {
      const parsed = parsePolicy(
        policy([
          { Sid: 'api', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/checkout' } } },
          { Sid: 's3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' } } },
          { Sid: 'sns', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN },
          { Sid: 'acct', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'lambda:InvokeFunction', Resource: FN },
          { Sid: 'url', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: FN, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } } },
          { Sid: 'deny', Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FN },
        ]),
      ).statements;
      const onProd = parsePolicy(policy([{ Sid: 'events', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: `${FN}:prod`, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/nightly' } } }, { ...{ Sid: 's3-prod', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: `${FN}:prod`, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' } } } }])).statements;
      const a = buildAudit(facts({ policies: { $LATEST: parsed, prod: onProd } }));
      const by = (id: string) => a.triggers.find((t) => t.id === id)!;
      assert.equal(a.triggers.filter((t) => t.kind === 'permission').length, 7);
      assert.equal(a.triggers.find((t) => t.id === 'policy:$LATEST:url'), undefined, 'belongs to the URL');
      assert.equal(by('policy:$LATEST:api').label, 'API Gateway API abc123 (POST /checkout)');
      assert.equal(by('policy:$LATEST:api').verdict, 'bypasses');
      assert.equal(by('policy:$LATEST:api').principal, 'apigateway.amazonaws.com');
      assert.equal(by('policy:$LATEST:api').fix?.action, 'grant-on-alias');
      assert.ok(
        by('policy:$LATEST:api').notes.includes(
          `To route it through prod: Grant on Alias, then set the integration URI of API Gateway API abc123 (POST /checkout) to arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FN}:prod/invocations (an HTTP API also accepts the alias ARN itself), then remove this statement.`,
        ),
        by('policy:$LATEST:api').notes.join('\n'),
      );
      assert.equal(by('policy:$LATEST:s3').label, 'S3 bucket photos');
      assert.equal(by('policy:$LATEST:s3').fix, undefined, 'prod already grants it');
      assert.match(by('policy:$LATEST:s3').notes.join(' '), /prod already grants this \(statement s3-prod\)/);
      assert.equal(by('policy:$LATEST:sns').label, 'SNS (any source: no SourceArn condition)');
      assert.equal(by('policy:$LATEST:acct').label, 'Account 111122223333');
      assert.equal(by('policy:$LATEST:deny').verdict, 'info');
      assert.equal(by('policy:$LATEST:deny').fix, undefined);
      assert.equal(by('policy:prod:events').label, 'EventBridge rule nightly');
      assert.equal(by('policy:prod:events').verdict, 'through');
    });

    it('async invoke configurations: settings, info wherever they are (they route nothing), destinations as notes', () => {
      const a = buildAudit(
        facts({
          asyncConfigs: [
            { FunctionArn: `${FN}:prod`, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:dlq' } } },
            { FunctionArn: `${FN}:$LATEST`, DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sns:eu-west-1:123456789012:done' } } },
            { FunctionArn: `${FN}:7`, MaximumEventAgeInSeconds: 60 },
          ],
        }),
      );
      const by = (id: string) => a.triggers.find((t) => t.id === id)!;
      assert.equal(by('async:prod').verdict, 'info');
      assert.deepEqual(by('async:prod').notes, ['On failure: SQS queue dlq.', 'Retries: 1.']);
      assert.equal(by('async:$LATEST').verdict, 'info');
      assert.match(by('async:$LATEST').detail, /only to asynchronous invocations of \$LATEST/);
      assert.deepEqual(by('async:$LATEST').notes, ['On success: SNS topic done.']);
      assert.equal(by('async:7').verdict, 'info');
      assert.equal(by('async:7').fix, undefined);
    });
  });

  describe('function URL permissions (both since October 2025) and non-invoke statements', () => {
    const urlStatements = parsePolicy(
      policy([
        { Sid: 'FunctionURLAllowPublicAccess', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: FN, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } } },
        { Sid: 'FunctionURLAllowInvokeAction', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FN, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } },
        { Sid: 'peek', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'lambda:GetFunction', Resource: FN },
      ]),
    ).statements;
    const [urlPerm, invokePerm, peek] = urlStatements;

    it('the InvokeFunction companion is parsed, part of the URL, and both are needed for a public URL', () => {
      assert.equal(invokePerm.invokedViaFunctionUrl, true);
      assert.deepEqual(invokePerm.otherConditions, []);
      assert.ok(isUrlStatement(invokePerm), 'part of the URL, not an "Anyone" trigger');
      assert.ok(grantsPublicUrl([urlPerm, invokePerm]));
      assert.ok(!grantsPublicUrl([invokePerm]));
      assert.ok(!sameGrant(invokePerm, { ...invokePerm, invokedViaFunctionUrl: undefined }));
      const a = buildAudit(facts({ urls: [{ FunctionUrl: 'https://old/', FunctionArn: FN, AuthType: 'NONE' }], policies: { $LATEST: urlStatements } }));
      assert.equal(a.triggers.find((t) => t.id === 'policy:$LATEST:FunctionURLAllowInvokeAction'), undefined);
      assert.doesNotMatch(a.triggers.find((t) => t.id === 'url:$LATEST')!.notes.join(' '), /403/);
      const half = buildAudit(facts({ urls: [{ FunctionUrl: 'https://old/', FunctionArn: FN, AuthType: 'NONE' }], policies: { $LATEST: [urlPerm] } }));
      assert.match(half.triggers[0].notes.join(' '), /No public lambda:InvokeFunction \(InvokedViaFunctionUrl true\) permission on \$LATEST.*403 Forbidden/);
      assert.match(half.triggers[0].fix?.text ?? '', /lambda:InvokeFunctionUrl and lambda:InvokeFunction/);
    });

    it('a statement that grants no invoke (lambda:GetFunction) is info: no fix, no pre-flight source', () => {
      const a = buildAudit(facts({ policies: { $LATEST: [peek] } }));
      const t = a.triggers.find((x) => x.id === 'policy:$LATEST:peek')!;
      assert.equal(t.verdict, 'info');
      assert.equal(t.fix, undefined);
      assert.match(t.detail, /not an invocation/);
      for (const action of ['lambda:InvokeFunction', 'lambda:*', '*']) {
        assert.equal(buildAudit(facts({ policies: { $LATEST: [{ ...peek, actions: [action] }] } })).triggers[0].verdict, 'bypasses', action);
      }
    });

    it("an alias's closed URL with auth NONE: the fix says it makes that URL public", () => {
      const urls = [
        { FunctionUrl: 'https://old/', FunctionArn: FN, AuthType: 'NONE' as const },
        { FunctionUrl: 'https://prod/', FunctionArn: `${FN}:prod`, AuthType: 'NONE' as const },
      ];
      const closed = buildAudit(facts({ urls, policies: { prod: [] } })).triggers.find((t) => t.id === 'url:$LATEST')!;
      assert.equal(closed.fix?.action, 'create-url-on-alias');
      assert.match(closed.fix?.text ?? '', /already has a URL with auth NONE, https:\/\/prod\/.*makes that URL public/);
      const open = buildAudit(facts({ urls, policies: { prod: [{ ...urlPerm, resource: `${FN}:prod` }, { ...invokePerm, resource: `${FN}:prod` }] } })).triggers.find((t) => t.id === 'url:$LATEST')!;
      assert.equal(open.fix, undefined);
    });

    it('the integration URI uses the partition of the function ARN', () => {
      assert.equal(integrationUri('cn-north-1', 'arn:aws-cn:lambda:cn-north-1:123456789012:function:f:prod'), 'arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:f:prod/invocations');
    });
  });

  describe('policy conditions: only what AddPermission writes', () => {
    it('another operator or more than one value is a further condition, which refuses the copy and tells grants apart', () => {
      const [like, many, ok] = parsePolicy(
        policy([
          { Sid: 'like', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { StringLike: { 'AWS:SourceArn': 'arn:aws:s3:::ph*' } } },
          { Sid: 'many', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { StringEquals: { 'AWS:SourceAccount': ['123456789012', '210987654321'] } } },
          { Sid: 'ok', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { StringEquals: { 'AWS:SourceAccount': ['123456789012'] } } },
        ]),
      ).statements;
      assert.equal(like.sourceArn, undefined);
      assert.deepEqual(like.otherConditions, ['StringLike AWS:SourceArn']);
      assert.equal(many.sourceAccount, undefined);
      assert.deepEqual(many.otherConditions, ['StringEquals AWS:SourceAccount']);
      assert.equal(ok.sourceAccount, '123456789012');
      assert.deepEqual(ok.otherConditions, []);
      assert.ok(!sameGrant(like, { ...like, otherConditions: [] }));
      const a = buildAudit(facts({ policies: { $LATEST: [like] } }));
      assert.match(a.triggers[0].notes.join(' '), /not copied by Grant on Alias/);
    });
  });

  describe('a write whose retry is refused', () => {
    it('a retried delete refused as not found may be its own landed first attempt: read back', () => {
      const retried = { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404, attempts: 2 } };
      assert.ok(outcomeUnknown(retried, ['ResourceNotFoundException']));
      assert.ok(!outcomeUnknown(retried), 'only for the writes that name it');
      assert.ok(!outcomeUnknown({ ...retried, $metadata: { httpStatusCode: 404, attempts: 1 } }, ['ResourceNotFoundException']), 'a first attempt refused is a refusal');
    });
  });

  describe('editor text', () => {
    it('a tooltip keeps a long note whole (an API Gateway integration URI), up to ~1000 characters', () => {
      const note = `To route it through prod: set the integration URI to ${integrationUri('eu-west-1', `${FN}:prod`)} ${'x'.repeat(200)}`;
      assert.ok(note.length > 300 && note.length < 1000);
      const view: TriggerView = { id: 'policy:$LATEST:api', kind: 'permission', label: 'API', target: FN, route: { kind: 'unqualified' }, verdict: 'bypasses', detail: 'Bypasses prod.', notes: [note] };
      const tip = triggerTooltip(view);
      assert.ok(tip.includes('x'.repeat(200)), tip);
      assert.ok(!tip.includes('…'));
    });
  });

  describe('fix helpers', () => {
    it('parses trigger ids', () => {
      assert.deepEqual(parseTriggerId('esm:6b2f-11'), { kind: 'esm', uuid: '6b2f-11' });
      assert.deepEqual(parseTriggerId('url:$LATEST'), { kind: 'url', qualifier: '$LATEST' });
      assert.deepEqual(parseTriggerId('policy:prod:s3:invoke'), { kind: 'policy', qualifier: 'prod', sid: 's3:invoke' });
      assert.deepEqual(parseTriggerId('async:7'), { kind: 'async', qualifier: '7' });
      assert.equal(parseTriggerId('esm:'), undefined);
      assert.equal(parseTriggerId('nope'), undefined);
    });

    it('makes a unique statement id for the copy', () => {
      assert.equal(copySid('s3', 'prod', new Set()), 's3-prod');
      assert.equal(copySid('s3', 'prod', new Set(['s3-prod', 's3-prod-2'])), 's3-prod-3');
      assert.equal(copySid('a b', 'prod', new Set()), 'a-b-prod');
      assert.ok(copySid('x'.repeat(120), 'prod', new Set()).length <= 100);
    });

    it('says how to point each source at the alias', () => {
      const [s3, api, events, sns, acct] = parsePolicy(
        policy([
          { Sid: 's3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' } } },
          { Sid: 'api', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/checkout' } } },
          { Sid: 'ev', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/nightly' } } },
          { Sid: 'sns', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:sns:eu-west-1:123456789012:alerts' } } },
          { Sid: 'acct', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'lambda:InvokeFunction', Resource: FN },
        ]),
      ).statements;
      const alias = `${FN}:prod`;
      assert.deepEqual(grantFollowUp(s3, alias, '$LATEST', 'eu-west-1'), [`Point the event notification of S3 bucket photos at ${alias}, then remove statement s3 from $LATEST.`]);
      assert.match(grantFollowUp(api, alias, '$LATEST', 'eu-west-1')[0], /^Set the integration URI of API Gateway API abc123 \(POST \/checkout\) to arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/.*:prod\/invocations/);
      assert.match(grantFollowUp(events, alias, '$LATEST', 'eu-west-1')[0], /^Change the target of EventBridge rule nightly to /);
      assert.match(grantFollowUp(sns, alias, '$LATEST', 'eu-west-1')[0], /^Subscribe .* to SNS topic alerts in place of the current subscription/);
      assert.match(grantFollowUp(acct, alias, 'version 7', 'eu-west-1')[0], /^Point Account 111122223333 at .*, then remove statement acct from version 7\.$/);
    });
  });

  describe('outcome text', () => {
    const outcome = (action: Outcome['action'], detail: unknown): Outcome => ({
      id: 'x',
      action,
      target: { function: 'checkout', alias: 'prod' },
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:01.000Z',
      versionsPublished: [],
      steps: [],
      state: 'done',
      warnings: [],
      detail,
    });
    const view = (extra: Partial<TriggerView>): TriggerView => ({ id: 'esm:1', kind: 'event-source-mapping', label: 'SQS queue orders', target: FN, route: { kind: 'unqualified' }, verdict: 'bypasses', detail: '', notes: [], ...extra });
    const fix = (extra: Partial<TriggerFixDetail>): TriggerFixDetail => ({ triggerId: 'esm:1', action: 'route-through-alias', alias: 'prod', before: view({}), undo: {}, followUp: [], ...extra });

    it('says what an audit found, and what it could not read', () => {
      const audit: TriggerAudit = { functionName: 'checkout', aliasName: 'prod', aliases: ['prod'], triggers: [view({}), view({ id: 'esm:2', verdict: 'through' })], unreadable: ['The function URLs could not be read (access denied): grant lambda:ListFunctionUrlConfigs to see them.'] };
      assert.equal(outcomeText(outcome('triggers', audit)), '2 triggers on checkout; 1 bypasses prod. The function URLs could not be read (access denied): grant lambda:ListFunctionUrlConfigs to see them.');
      assert.equal(outcomeText(outcome('triggers', { ...audit, triggers: [view({ verdict: 'through' })], unreadable: [] })), '1 trigger on checkout.');
    });

    it('says what each fix did and what is left to do', () => {
      assert.equal(outcomeText(outcome('trigger-fix', fix({ after: view({ verdict: 'through' }) }))), 'SQS queue orders now goes through prod.');
      assert.equal(
        outcomeText(outcome('trigger-fix', fix({ action: 'create-url-on-alias', before: view({ label: 'Function URL (auth NONE)' }), after: view({ source: 'https://new/' }), followUp: ['Callers must move.'] }))),
        'prod has its own URL for Function URL (auth NONE): https://new/. Callers must move.',
      );
      assert.equal(
        outcomeText(outcome('trigger-fix', fix({ action: 'grant-on-alias', before: view({ label: 'S3 bucket photos' }), after: view({}), followUp: ['Point the event notification at prod.'] }))),
        'S3 bucket photos may now call prod. Point the event notification at prod.',
      );
      assert.equal(outcomeText(outcome('trigger-fix', fix({ after: view({ verdict: 'bypasses', target: FN }) }))), `SQS queue orders calls ${FN} again.`);
    });
  });
});
