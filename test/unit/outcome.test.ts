import assert from 'node:assert/strict';
import { arnParts, targetKey, targetOf } from '../../src/core/outcome';

describe('outcome targets: one key per alias, however its function is named', () => {
  const ref = (functionName: string) => ({ functionName, aliasName: 'prod' });
  const aliasArn = 'arn:aws:lambda:eu-west-1:123456789012:function:checkout:prod';

  it('takes account, region and function from the alias ARN when it was read', () => {
    assert.deepEqual(arnParts(aliasArn), { region: 'eu-west-1', account: '123456789012', function: 'checkout' });
    for (const name of ['checkout', 'arn:aws:lambda:eu-west-1:123456789012:function:checkout', '123456789012:function:checkout']) {
      assert.equal(targetKey(targetOf(ref(name), { AliasArn: aliasArn }, 'us-east-1')), '123456789012/eu-west-1/checkout:prod', name);
    }
  });

  it('without an alias ARN: from a function ARN given, else the connection region', () => {
    assert.deepEqual(targetOf(ref('arn:aws-cn:lambda:cn-north-1:111122223333:function:api'), undefined, 'us-east-1'), { account: '111122223333', region: 'cn-north-1', function: 'api', alias: 'prod' });
    assert.deepEqual(targetOf(ref('111122223333:function:api'), {}, 'us-east-1'), { account: '111122223333', region: 'us-east-1', function: 'api', alias: 'prod' });
    assert.deepEqual(targetOf(ref('api'), {}, 'us-east-1'), { account: undefined, region: 'us-east-1', function: 'api', alias: 'prod' });
    assert.equal(targetKey(targetOf(ref('api'), {})), '?/?/api:prod');
  });
});
