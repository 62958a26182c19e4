import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfigFile, readSamTemplate, ConfigError } from '../../src/core/workspace';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'sam', 'lambda-safe-deployments');

describe("SAM's DeploymentPreference and lambda-canary.json's codeDeploy", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-dp-'));
    fs.mkdirSync(path.join(tmp, 'src'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("reads SAM's own safe-deployments example: the preference, its hook by FunctionName; a hook with Enabled false has none", () => {
    const file = path.join(FIXTURE, 'template.yaml');
    const d = readSamTemplate(file, fs.readFileSync(file, 'utf8'), FIXTURE);
    const safe = d.functions.find((f) => f.logicalId === 'safeTest')!;
    assert.equal(safe.alias, 'live');
    assert.deepEqual(safe.deploymentPreference, { type: 'Linear10PercentEvery1Minute', hooks: { preTraffic: 'CodeDeployHook_preTrafficHook' } });
    const hook = d.functions.find((f) => f.logicalId === 'preTrafficHook')!;
    assert.equal(hook.deploymentPreference, undefined);
  });

  it('merges Globals.Function with the function, resolves parameters and alarms, and needs AutoPublishAlias', () => {
    const text = [
      'Parameters:',
      '  Pref: { Type: String, Default: Canary10Percent10Minutes }',
      'Globals:',
      '  Function:',
      '    AutoPublishAlias: live',
      '    DeploymentPreference:',
      '      Type: !Ref Pref',
      '      Alarms: [!Ref ErrorsAlarm, literal-alarm]',
      'Resources:',
      '  ErrorsAlarm:',
      '    Type: AWS::CloudWatch::Alarm',
      '    Properties: { AlarmName: checkout-errors }',
      '  Api:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      CodeUri: src/',
      '      Handler: index.handler',
      '      Runtime: nodejs20.x',
      '      DeploymentPreference:',
      '        Hooks: { PostTraffic: !Ref PostHook }',
      '  PostHook:',
      '    Type: AWS::Serverless::Function',
      '    Properties: { CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x, DeploymentPreference: { Enabled: false } }',
      '  Plain:',
      '    Type: AWS::Lambda::Function',
      '    Properties: { Code: src/, Handler: index.handler, Runtime: nodejs20.x, Role: arn:aws:iam::123456789012:role/r }',
    ].join('\n');
    const d = readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp);
    const api = d.functions.find((f) => f.logicalId === 'Api')!;
    assert.deepEqual(api.deploymentPreference, { type: 'Canary10Percent10Minutes', alarms: ['checkout-errors', 'literal-alarm'], hooks: { postTraffic: 'PostHook' } });
    assert.equal(d.functions.find((f) => f.logicalId === 'PostHook')!.deploymentPreference, undefined);
    assert.equal(d.functions.find((f) => f.logicalId === 'Plain')!.deploymentPreference, undefined);
  });

  it("merges Globals' DeploymentPreference key by key as SAM does: Hooks maps merged, Alarms concatenated", () => {
    const text = [
      'Globals:',
      '  Function:',
      '    AutoPublishAlias: live',
      '    DeploymentPreference:',
      '      Type: Canary10Percent5Minutes',
      '      Alarms: [global-errors]',
      '      Hooks: { PreTraffic: CodeDeployHook_pre }',
      'Resources:',
      '  Api:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      CodeUri: src/',
      '      Handler: index.handler',
      '      Runtime: nodejs20.x',
      '      DeploymentPreference:',
      '        Alarms: [api-latency]',
      '        Hooks: { PostTraffic: CodeDeployHook_post }',
    ].join('\n');
    const d = readSamTemplate(path.join(tmp, 'template.yaml'), text, tmp);
    assert.deepEqual(d.functions.find((f) => f.logicalId === 'Api')!.deploymentPreference, {
      type: 'Canary10Percent5Minutes',
      alarms: ['global-errors', 'api-latency'],
      hooks: { preTraffic: 'CodeDeployHook_pre', postTraffic: 'CodeDeployHook_post' },
    });
  });

  it("parses lambda-canary.json's codeDeploy into the workspace function, and refuses what CodeDeploy would", () => {
    const file = path.join(tmp, 'lambda-canary.json');
    const fn = parseConfigFile(file, JSON.stringify({ functionName: 'checkout', codeDeploy: { application: 'shop', deploymentGroup: 'checkout-prod', serviceRoleArn: 'arn:aws:iam::123456789012:role/CodeDeployLambda', beforeAllowTraffic: 'CodeDeployHook_pre' } }), tmp);
    assert.deepEqual(fn.codeDeploy, { application: 'shop', deploymentGroup: 'checkout-prod', serviceRoleArn: 'arn:aws:iam::123456789012:role/CodeDeployLambda', beforeAllowTraffic: 'CodeDeployHook_pre' });
    assert.throws(() => parseConfigFile(file, JSON.stringify({ functionName: 'checkout', codeDeploy: { serviceRoleArn: 'CodeDeployLambda' } }), tmp), (e: unknown) => e instanceof ConfigError && /serviceRoleArn/.test(e.message) && /IAM role ARN/.test(e.message));
    assert.throws(() => parseConfigFile(file, JSON.stringify({ functionName: 'checkout', codeDeploy: { application: 'has spaces' } }), tmp), (e: unknown) => e instanceof ConfigError && /application/.test(e.message));
    assert.throws(() => parseConfigFile(file, JSON.stringify({ functionName: 'checkout', codeDeploy: { role: 'x' } }), tmp), (e: unknown) => e instanceof ConfigError && /role/.test(e.message));
    assert.equal(parseConfigFile(file, JSON.stringify({ functionName: 'checkout' }), tmp).codeDeploy, undefined);
  });
});
