import assert from 'node:assert/strict';
import { functionNameParts, parseTrailEvent, sameFunction, stripApiDate, trailErrorState } from '../../src/core/history/cloudtrail';
import { actorName, classifyClient, trailIdentity } from '../../src/core/history/who';

describe('history: who made a change (CloudTrail user agents)', () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['lambda-canary', 'aws-sdk-js/3.700.0 ua/2.1 os/linux#6.8.0 lang/js md/nodejs#22.11.0 api/lambda#3.700.0 m/E lambda-canary/0.1.0', undefined],
    ['CodeDeploy', 'codedeploy.amazonaws.com', 'codedeploy.amazonaws.com'],
    ['CodeDeploy', 'AWS Internal', 'codedeploy.amazonaws.com'],
    ['CloudFormation', 'cloudformation.amazonaws.com', 'cloudformation.amazonaws.com'],
    ['console', 'console.amazonaws.com', undefined],
    ['console', 'signin.amazonaws.com', undefined],
    ['aws-cli', 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/lambda.update-alias', undefined],
    ['aws-cli', 'aws-cli/1.29.62 Python/3.11.6 Linux/5.15.0 botocore/1.31.62', undefined],
    ['SAM CLI', 'Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.5.0 lang/python#3.11.8 cfg/retry-mode#legacy Botocore/1.34.51 aws-sam-cli/1.113.0', undefined],
    ['Terraform', 'APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/lambda#1.53.2', undefined],
    ['SDK', 'aws-sdk-js/3.540.0 ua/2.0 os/darwin#23.4.0 lang/js md/nodejs#20.11.1 api/lambda#3.540.0', undefined],
    ['SDK', 'Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.5.0 lang/python#3.12.2 Botocore/1.34.51', undefined],
    ['SDK', 'aws-sdk-java/2.25.10 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy', undefined],
    ['other', 'curl/8.5.0', undefined],
    ['other', undefined, undefined],
  ];
  for (const [client, ua, invokedBy] of cases) {
    it(`${client}: ${ua ?? '(no user agent)'}${invokedBy ? ` invoked by ${invokedBy}` : ''}`, () => {
      assert.equal(classifyClient(ua, invokedBy), client);
    });
  }
  it("'AWS Internal' with credentials from a console sign-in is the console", () => {
    assert.equal(classifyClient('AWS Internal', undefined, true), 'console');
    assert.equal(classifyClient('AWS Internal', undefined, false), 'other');
  });

  it("names the caller: a user's name, an assumed role's session, root, a service", () => {
    assert.equal(actorName(trailIdentity({ type: 'IAMUser', userName: 'bob', arn: 'arn:aws:iam::123456789012:user/bob' })), 'bob');
    assert.equal(actorName(trailIdentity({ type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-42', sessionContext: { sessionIssuer: { userName: 'Deployer' } } })), 'ci-run-42 (role Deployer)');
    assert.equal(actorName(trailIdentity({ type: 'Root', arn: 'arn:aws:iam::123456789012:root' })), 'root');
    assert.equal(actorName(trailIdentity({ type: 'AWSService', invokedBy: 'codedeploy.amazonaws.com' })), 'codedeploy.amazonaws.com');
    assert.equal(actorName(trailIdentity('not an object')), 'unknown');
    assert.equal(actorName(trailIdentity({ userName: 42, arn: ['x'] })), 'unknown');
  });
});

describe('history: CloudTrail events read defensively', () => {
  it("strips AWS's API date from Lambda's event names", () => {
    assert.equal(stripApiDate('UpdateAlias20150331'), 'UpdateAlias');
    assert.equal(stripApiDate('UpdateFunctionCode20150331v2'), 'UpdateFunctionCode');
    assert.equal(stripApiDate('PublishVersion20150331'), 'PublishVersion');
    assert.equal(stripApiDate('DeleteFunction20150331'), 'DeleteFunction');
    assert.equal(stripApiDate('LookupEvents'), 'LookupEvents');
  });

  it('normalises a function named by name, ARN, partial ARN, or with a qualifier', () => {
    assert.deepEqual(functionNameParts('checkout'), { name: 'checkout' });
    assert.deepEqual(functionNameParts('checkout:prod'), { name: 'checkout', qualifier: 'prod' });
    assert.deepEqual(functionNameParts('arn:aws:lambda:eu-west-1:123456789012:function:checkout'), { name: 'checkout', account: '123456789012', region: 'eu-west-1' });
    assert.deepEqual(functionNameParts('arn:aws:lambda:eu-west-1:123456789012:function:checkout:7'), { name: 'checkout', qualifier: '7', account: '123456789012', region: 'eu-west-1' });
    assert.deepEqual(functionNameParts('123456789012:function:checkout'), { name: 'checkout', account: '123456789012' });
    const fn = { name: 'checkout', account: '123456789012', region: 'eu-west-1' };
    assert.ok(sameFunction('arn:aws:lambda:eu-west-1:123456789012:function:checkout:prod', fn));
    assert.ok(sameFunction('checkout', fn));
    assert.ok(!sameFunction('arn:aws:lambda:eu-west-1:999999999999:function:checkout', fn), 'another account');
    assert.ok(!sameFunction('arn:aws:lambda:us-east-1:123456789012:function:checkout', fn), 'another region');
    assert.ok(!sameFunction('checkout-api', fn));
    assert.ok(!sameFunction(undefined, fn));
    assert.ok(!sameFunction({ name: 'checkout' }, fn));
  });

  it('skips what is not JSON, has no name or time, is a read, or failed', () => {
    const base = { EventId: 'e1', EventName: 'UpdateAlias20150331', EventTime: new Date('2026-12-01T10:00:00Z') };
    assert.equal(parseTrailEvent({ ...base, CloudTrailEvent: '{not json' }), 'unreadable');
    assert.equal(parseTrailEvent({ ...base, CloudTrailEvent: '[1,2]' }), 'unreadable');
    assert.equal(parseTrailEvent({ ...base, CloudTrailEvent: '"a string"' }), 'unreadable');
    assert.equal(parseTrailEvent({ ...base, CloudTrailEvent: undefined }), 'unreadable');
    assert.equal(parseTrailEvent({ EventId: 'e2', CloudTrailEvent: '{}' }), 'unreadable');
    assert.equal(parseTrailEvent({ ...base, CloudTrailEvent: JSON.stringify({ eventName: 'GetAlias20150331', readOnly: true }) }), 'read-only');
    assert.equal(parseTrailEvent({ ...base, CloudTrailEvent: JSON.stringify({ eventName: 'UpdateAlias20150331', errorCode: 'PreconditionFailedException' }) }), 'failed');
    const ok = parseTrailEvent({
      ...base,
      CloudTrailEvent: JSON.stringify({
        eventID: 'abc',
        eventName: 'UpdateAlias20150331',
        eventTime: '2026-12-01T10:00:01Z',
        userAgent: 'aws-cli/2.15.30',
        userIdentity: { type: 'IAMUser', userName: 'bob', arn: 'arn:aws:iam::123456789012:user/bob', accessKeyId: 'AKIAEXAMPLE' },
        requestParameters: { functionName: 'checkout', name: 'prod', functionVersion: '8' },
        responseElements: 'odd',
      }),
    });
    assert.ok(typeof ok === 'object');
    assert.equal(ok.id, 'abc');
    assert.equal(ok.name, 'UpdateAlias');
    assert.equal(ok.at, '2026-12-01T10:00:01.000Z');
    assert.deepEqual(ok.who, { name: 'bob', arn: 'arn:aws:iam::123456789012:user/bob', client: 'aws-cli', userAgent: 'aws-cli/2.15.30', accessKeyId: 'AKIAEXAMPLE' });
    assert.deepEqual(ok.response, {});
  });

  it('tells a missing permission from no CloudTrail and from other failures', () => {
    const err = (name: string, status?: number, code?: string) => Object.assign(new Error('x'), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...(code ? { code } : {}) });
    assert.equal(trailErrorState(err('AccessDeniedException', 400), false), 'denied');
    assert.equal(trailErrorState(err('UnauthorizedOperation'), false), 'denied');
    assert.equal(trailErrorState(err('InvalidSignatureException', 403), false), 'denied');
    assert.equal(trailErrorState(err('UnknownOperationException', 400), true), 'unavailable');
    assert.equal(trailErrorState(err('NotFound', 404), true), 'unavailable');
    assert.equal(trailErrorState(err('Error', undefined, 'ECONNREFUSED'), true), 'unavailable');
    assert.equal(trailErrorState(err('Error', undefined, 'ECONNREFUSED'), false), 'error');
    assert.equal(trailErrorState(err('ThrottlingException', 400), false), 'error');
  });
});
