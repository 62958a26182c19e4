import assert from 'node:assert/strict';
import { AwsError } from '../../src/sandbox/errors';
import {
  checkAliasName,
  checkDescription,
  checkEnvironment,
  checkHandler,
  checkMemorySize,
  checkNewFunctionName,
  checkRole,
  checkRouting,
  checkRuntime,
  checkTimeout,
  checkVersion,
  isVersionQualifier,
  KNOWN_RUNTIMES,
  MAX_ALIAS_NAME,
  MAX_FUNCTION_NAME,
  parseFunctionRef,
  SUPPORTED_RUNTIMES,
} from '../../src/sandbox/validation';

/** Asserts `fn` throws the AwsError Lambda would answer: exception name and HTTP status. */
function throwsAws(fn: () => unknown, code: string, message?: RegExp, why?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `${why ?? ''} expected an AwsError, got ${String(e)}`);
    assert.equal(e.code, code, `${why ?? ''} ${e.message}`);
    assert.equal(e.name, code);
    assert.equal(e.status, 400);
    assert.equal(e.type, 'User');
    if (message) assert.match(e.message, message, why);
    return true;
  });
}

const invalid = 'InvalidParameterValueException';
const validation = 'ValidationException';

describe('sandbox validation', () => {
  describe('parseFunctionRef', () => {
    it('accepts a name, name:qualifier, partial ARNs and full ARNs', () => {
      const cases: Array<[string, string, string | undefined]> = [
        ['my-function', 'my-function', undefined],
        ['my_function-2', 'my_function-2', undefined],
        ['my-function:prod', 'my-function', 'prod'],
        ['my-function:7', 'my-function', '7'],
        ['my-function:$LATEST', 'my-function', '$LATEST'],
        ['123456789012:function:my-function', 'my-function', undefined],
        ['123456789012:function:my-function:3', 'my-function', '3'],
        ['arn:aws:lambda:us-east-1:123456789012:function:my-function', 'my-function', undefined],
        ['arn:aws:lambda:us-east-1:123456789012:function:my-function:live', 'my-function', 'live'],
        ['arn:aws-cn:lambda:cn-north-1:123456789012:function:fn', 'fn', undefined],
        ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn:$LATEST', 'fn', '$LATEST'],
        ['f'.repeat(MAX_FUNCTION_NAME), 'f'.repeat(MAX_FUNCTION_NAME), undefined],
      ];
      for (const [raw, name, qualifier] of cases) {
        assert.deepEqual(parseFunctionRef(raw), { name, qualifier }, raw);
      }
    });

    it('refuses non-strings, empty, over-long and malformed references with ValidationException', () => {
      const bad: unknown[] = [undefined, null, 42, {}, '', 'x'.repeat(171), 'has space', 'bad!', 'a.b', 'fn:', 'fn:a:b', 'fn:bad!', 'arn:aws:s3:::bucket'];
      for (const raw of bad) throwsAws(() => parseFunctionRef(raw), validation, undefined, JSON.stringify(raw));
      throwsAws(() => parseFunctionRef('f'.repeat(MAX_FUNCTION_NAME + 1)), validation, /less than or equal to 64/);
      // The 64-character limit is on the name, not on the whole ARN.
      const longArn = `arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(64)}:alias`;
      assert.equal(parseFunctionRef(longArn).name.length, 64);
    });

    it('names the member in the message', () => {
      throwsAws(() => parseFunctionRef('bad name', 'functionName'), validation, /at 'functionName'/);
    });
  });

  describe('checkNewFunctionName', () => {
    it('returns the bare name, also from an unqualified ARN', () => {
      assert.equal(checkNewFunctionName('fn'), 'fn');
      assert.equal(checkNewFunctionName('arn:aws:lambda:us-east-1:123456789012:function:fn'), 'fn');
    });
    it('refuses a qualifier with InvalidParameterValueException and bad names with ValidationException', () => {
      throwsAws(() => checkNewFunctionName('fn:1'), invalid, /qualifier/);
      throwsAws(() => checkNewFunctionName('fn:prod'), invalid);
      throwsAws(() => checkNewFunctionName('x'.repeat(65)), validation);
    });
  });

  describe('checkAliasName', () => {
    it('accepts names of 1 to 128 letters, digits, - and _ that are not all digits', () => {
      for (const ok of ['prod', 'a', 'A_b-1', '1a', 'a1', '_', '-', 'a'.repeat(MAX_ALIAS_NAME), 'constructor', '__proto__']) {
        assert.equal(checkAliasName(ok), ok);
      }
    });
    it('refuses all-digit, empty, over-long, non-string and oddly-charactered names with ValidationException', () => {
      for (const bad of ['1', '123', '007', '', 'a'.repeat(MAX_ALIAS_NAME + 1), 'a.b', 'a b', 'a:b', '$LATEST', 'ü', 5, undefined, null]) {
        throwsAws(() => checkAliasName(bad), validation, undefined, JSON.stringify(bad));
      }
    });
  });

  describe('checkVersion / isVersionQualifier', () => {
    it('accepts $LATEST and decimal numbers only', () => {
      for (const ok of ['$LATEST', '1', '42', '0']) {
        assert.equal(checkVersion(ok), ok);
        assert.equal(isVersionQualifier(ok), true);
      }
      for (const bad of ['prod', '1a', '-1', '1.0', '$latest', 'LATEST', '']) {
        assert.equal(isVersionQualifier(bad), false, bad);
        throwsAws(() => checkVersion(bad), validation, undefined, bad);
      }
      throwsAws(() => checkVersion(1), validation);
      throwsAws(() => checkVersion('1'.repeat(1025)), validation, /between 1 and 1024/);
    });
  });

  describe('checkRole', () => {
    it('accepts IAM role ARNs, with paths and the documented punctuation', () => {
      for (const ok of [
        'arn:aws:iam::123456789012:role/r',
        'arn:aws:iam::123456789012:role/service-role/my-role',
        'arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h',
        'arn:aws-cn:iam::123456789012:role/r',
      ]) {
        assert.equal(checkRole(ok), ok);
      }
    });
    it('refuses anything else with ValidationException', () => {
      for (const bad of ['', 'role', 'arn:aws:iam::12345678901:role/r', 'arn:aws:iam::123456789012:user/u', 'arn:aws:iam::123456789012:role', 'arn:aws:iam::123456789012:role/a b', 'arn:aws:s3:::b', 7, undefined]) {
        throwsAws(() => checkRole(bad), validation, undefined, JSON.stringify(bad));
      }
    });
  });

  describe('checkHandler', () => {
    it('accepts file.export, nested paths and dotted file names', () => {
      for (const ok of ['index.handler', 'src/app.lambdaHandler', 'a.b.c', 'dist/index.mjs.handler', `${'h'.repeat(120)}.handler`]) {
        assert.equal(checkHandler(ok), ok);
      }
    });
    it('refuses a handler a Node.js runtime can never load with InvalidParameterValueException', () => {
      for (const bad of ['handler', 'index.', '.handler', 'a/b']) throwsAws(() => checkHandler(bad), invalid, /file\.exportName/, bad);
    });
    it('refuses whitespace, over 128 characters and non-strings with ValidationException', () => {
      for (const bad of ['', 'in dex.handler', 'index.handler\n', `${'h'.repeat(121)}.handler`, 3, undefined]) {
        throwsAws(() => checkHandler(bad), validation, undefined, JSON.stringify(bad));
      }
      assert.equal(checkHandler(`${'h'.repeat(120)}.handler`).length, 128);
    });
  });

  describe('checkRuntime', () => {
    it('accepts exactly the supported Node.js runtimes', () => {
      assert.deepEqual([...SUPPORTED_RUNTIMES], ['nodejs18.x', 'nodejs20.x', 'nodejs22.x']);
      for (const r of SUPPORTED_RUNTIMES) assert.equal(checkRuntime(r), r);
    });
    it('refuses known but unsupported runtimes with InvalidParameterValueException naming them', () => {
      const unsupported = KNOWN_RUNTIMES.filter((r) => !(SUPPORTED_RUNTIMES as readonly string[]).includes(r));
      assert.ok(unsupported.length > 30);
      for (const r of unsupported) throwsAws(() => checkRuntime(r), invalid, new RegExp(r.replace(/\./g, '\\.')), r);
    });
    it('refuses unknown runtimes with ValidationException listing the enum', () => {
      for (const bad of ['nodejs99.x', 'NODEJS20.X', 'node', '', 20, undefined]) throwsAws(() => checkRuntime(bad), validation, /enum value set/, JSON.stringify(bad));
    });
  });

  describe('checkDescription', () => {
    it('treats absent as empty and accepts up to 256 characters', () => {
      assert.equal(checkDescription(undefined), '');
      assert.equal(checkDescription(null), '');
      assert.equal(checkDescription(''), '');
      assert.equal(checkDescription('d'.repeat(256)), 'd'.repeat(256));
    });
    it('refuses longer or non-string descriptions with ValidationException', () => {
      throwsAws(() => checkDescription('d'.repeat(257)), validation, /256/);
      throwsAws(() => checkDescription(5), validation);
    });
  });

  describe('checkTimeout', () => {
    it('accepts whole seconds from 1 to 900', () => {
      for (const ok of [1, 3, 900]) assert.equal(checkTimeout(ok), ok);
    });
    it('refuses below 1 or non-integers with ValidationException, above 900 with InvalidParameterValueException', () => {
      for (const bad of [0, -1, 1.5, '3', NaN, undefined]) throwsAws(() => checkTimeout(bad), validation, undefined, String(bad));
      for (const bad of [901, 3600]) throwsAws(() => checkTimeout(bad), invalid, /900/);
    });
  });

  describe('checkMemorySize', () => {
    it('accepts whole megabytes from 128 to 10240', () => {
      for (const ok of [128, 129, 1024, 10240]) assert.equal(checkMemorySize(ok), ok);
    });
    it('refuses anything outside with ValidationException', () => {
      for (const bad of [64, 127, 10241, 128.5, '128', undefined]) throwsAws(() => checkMemorySize(bad), validation, /between 128 and 10240/, String(bad));
    });
  });

  describe('checkEnvironment', () => {
    it('returns the variables, or {} when absent', () => {
      assert.deepEqual(checkEnvironment(undefined), {});
      assert.deepEqual(checkEnvironment(null), {});
      assert.deepEqual(checkEnvironment({}), {});
      assert.deepEqual(checkEnvironment({ Variables: null }), {});
      assert.deepEqual(checkEnvironment({ Variables: { STAGE: 'prod', Ab_9: '' } }), { STAGE: 'prod', Ab_9: '' });
    });
    it('refuses keys that do not match [a-zA-Z]([a-zA-Z0-9_])+ with ValidationException', () => {
      for (const key of ['1A', 'A-B', 'A B', '_A', 'A']) throwsAws(() => checkEnvironment({ Variables: { [key]: 'x' } }), validation, undefined, key);
    });
    it('refuses non-map variables and non-string values with InvalidParameterValueException', () => {
      throwsAws(() => checkEnvironment({ Variables: 'A=1' }), invalid);
      throwsAws(() => checkEnvironment({ Variables: ['A'] }), invalid);
      throwsAws(() => checkEnvironment({ Variables: { AB: 1 } }), invalid, /AB/);
    });
  });

  describe('checkRouting', () => {
    it('treats absent or empty routing as no routing', () => {
      assert.deepEqual(checkRouting(undefined, '1'), {});
      assert.deepEqual(checkRouting(null, '1'), {});
      assert.deepEqual(checkRouting({}, '1'), {});
      assert.deepEqual(checkRouting({ AdditionalVersionWeights: {} }, '1'), {});
      assert.deepEqual(checkRouting({ AdditionalVersionWeights: {} }, '$LATEST'), {});
    });
    it('accepts one additional version with a weight in [0, 1]', () => {
      for (const w of [0, 0.000001, 0.1, 0.5, 1]) assert.deepEqual(checkRouting({ AdditionalVersionWeights: { '2': w } }, '1'), { '2': w });
    });
    it('refuses out-of-range or non-numeric weights and non-numeric keys with ValidationException', () => {
      for (const w of [1.5, -0.1, 1.0000001, NaN, Infinity, '0.5', null]) {
        throwsAws(() => checkRouting({ AdditionalVersionWeights: { '2': w } }, '1'), validation, undefined, String(w));
      }
      throwsAws(() => checkRouting({ AdditionalVersionWeights: { beta: 0.1 } }, '1'), validation);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: { '-2': 0.1 } }, '1'), validation);
    });
    it("refuses Lambda's own rule breaks with InvalidParameterValueException", () => {
      throwsAws(() => checkRouting({ AdditionalVersionWeights: { '2': 0.1, '3': 0.1 } }, '1'), invalid, /cannot be greater than 1/);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: { $LATEST: 0.1 } }, '1'), invalid, /\$LATEST/);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: { '1': 0.1 } }, '1'), invalid, /must differ/);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: { '2': 0.1 } }, '$LATEST'), invalid, /\$LATEST/);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: [0.1] }, '1'), invalid);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: 'x' }, '1'), invalid);
    });
  });
});
