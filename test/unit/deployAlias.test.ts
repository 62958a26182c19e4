import assert from 'node:assert/strict';
import { accountRegionOf, deployAliasMemoryKey } from '../../src/core/deployAlias';

describe('the deploy alias remembered per account and region', () => {
  it('reads the account and region of a function or alias ARN; anything else is none', () => {
    assert.equal(accountRegionOf('arn:aws:lambda:eu-west-1:123456789012:function:orders:prod'), '123456789012/eu-west-1');
    assert.equal(accountRegionOf('arn:aws-cn:lambda:cn-north-1:210987654321:function:orders'), '210987654321/cn-north-1');
    for (const none of [undefined, '', 'orders', 'arn:aws:lambda:::function:orders']) assert.equal(accountRegionOf(none), undefined, String(none));
  });
  it('the same workspace function and function name in another account or region is another memory', () => {
    const ws = { file: '/w/template.yaml', logicalId: 'Orders' };
    const a = deployAliasMemoryKey(ws, 'orders', '123456789012/eu-west-1');
    assert.notEqual(a, deployAliasMemoryKey(ws, 'orders', '123456789012/us-east-1'));
    assert.notEqual(a, deployAliasMemoryKey(ws, 'orders', '210987654321/eu-west-1'));
    assert.equal(a, deployAliasMemoryKey({ ...ws }, 'orders', '123456789012/eu-west-1'));
  });
});
