import assert from 'node:assert/strict';
import { AwsError } from '../../src/sandbox/errors';
import { findPython } from '../../src/sandbox/runtime/python';
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
  checkTags,
  checkTimeout,
  checkVersion,
  environmentProblem,
  expectBoolean,
  expectString,
  expectStructure,
  isVersionQualifier,
  CONTROL_PLANE_RUNTIMES,
  RUNTIME_API_RUNTIMES,
  KNOWN_RUNTIMES,
  runsHere,
  runtimesRunHere,
  MAX_ALIAS_NAME,
  MAX_FUNCTION_NAME,
  parseFunctionRef,
  RESERVED_ENVIRONMENT_KEYS,
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
const serialization = 'SerializationException';

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
        const ref = parseFunctionRef(raw);
        assert.deepEqual({ name: ref.name, qualifier: ref.qualifier }, { name, qualifier }, raw);
      }
    });

    it('reports the partition, region and account an ARN names, so they can be checked', () => {
      assert.deepEqual(parseFunctionRef('fn'), { name: 'fn', qualifier: undefined });
      assert.deepEqual(parseFunctionRef('999999999999:function:fn:prod'), { name: 'fn', qualifier: 'prod', accountId: '999999999999' });
      assert.deepEqual(parseFunctionRef('arn:aws:lambda:eu-west-1:123456789012:function:fn'), {
        name: 'fn',
        qualifier: undefined,
        partition: 'aws',
        region: 'eu-west-1',
        accountId: '123456789012',
      });
      assert.equal(parseFunctionRef('arn:aws-cn:lambda:cn-north-1:123456789012:function:fn').partition, 'aws-cn');
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
      assert.equal(checkNewFunctionName('fn').name, 'fn');
      assert.equal(checkNewFunctionName('arn:aws:lambda:us-east-1:123456789012:function:fn').name, 'fn');
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
    it('accepts the runtimes AWS creates functions with today, keeping only their control plane; refuses retired ones naming them', () => {
      for (const r of [...CONTROL_PLANE_RUNTIMES, ...RUNTIME_API_RUNTIMES]) assert.equal(checkRuntime(r), r);
      assert.ok(!CONTROL_PLANE_RUNTIMES.some((r) => runsHere(r)) && SUPPORTED_RUNTIMES.every((r) => runsHere(r)));
      // A bootstrap (a Linux executable) runs on Linux only; Python where the machine has python3.
      for (const r of ['provided.al2023', 'provided.al2', 'provided']) {
        assert.equal(runsHere(r, 'linux'), true, r);
        for (const p of ['darwin', 'win32'] as const) assert.equal(runsHere(r, p), false, `${r} on ${p}`);
      }
      assert.ok(!runtimesRunHere('darwin').some((r) => r.startsWith('provided')));
      assert.ok(runtimesRunHere('linux').includes('provided.al2023'));
      assert.equal(runsHere('python3.12'), findPython() !== undefined);
      const creatable: readonly string[] = [...SUPPORTED_RUNTIMES, ...CONTROL_PLANE_RUNTIMES, ...RUNTIME_API_RUNTIMES];
      const retired = KNOWN_RUNTIMES.filter((r) => !creatable.includes(r));
      assert.ok(retired.length > 15);
      for (const r of retired) throwsAws(() => checkRuntime(r), invalid, new RegExp(`${r.replace(/\./g, '\\.')} is no longer supported`), r);
    });
    it("checks the Node.js handler shape only for Node.js runtimes (Java, custom runtimes name handlers their own way)", () => {
      throwsAws(() => checkHandler('bootstrap', 'nodejs20.x'), invalid, /file\.exportName/, 'node');
      assert.equal(checkHandler('bootstrap', 'provided.al2023'), 'bootstrap');
      assert.equal(checkHandler('com.example.App::handleRequest', 'java21'), 'com.example.App::handleRequest');
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
    it('counts Unicode characters, not UTF-16 units: 256 emoji fit, 257 do not', () => {
      assert.equal(checkDescription('\u{1F680}'.repeat(256)), '\u{1F680}'.repeat(256));
      assert.equal(checkDescription(`${'e\u0301'.repeat(128)}`), 'e\u0301'.repeat(128), 'a combining mark is a character of its own');
      throwsAws(() => checkDescription('\u{1F680}'.repeat(257)), validation, /less than or equal to 256$/);
      throwsAws(() => checkDescription(`${'e\u0301'.repeat(128)}x`), validation, /256/);
    });
    it('refuses longer descriptions with ValidationException, non-string ones with SerializationException', () => {
      throwsAws(() => checkDescription('d'.repeat(257)), validation, /256/);
      throwsAws(() => checkDescription(5), 'SerializationException', /NUMBER_VALUE can not be converted to a String \(Description\)/);
      throwsAws(() => checkDescription({}), 'SerializationException', /Description/);
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
    it('refuses an Environment, Variables or value of the wrong JSON type with SerializationException', () => {
      // `Environment: "x"` or `[]` used to read as "no variables" and clear the function's.
      throwsAws(() => checkEnvironment('x'), serialization, /^Expected null \(Environment must be an object/);
      throwsAws(() => checkEnvironment([]), serialization, /^Start of list found where not expected \(Environment/);
      throwsAws(() => checkEnvironment(5), serialization, /NUMBER_VALUE/);
      throwsAws(() => checkEnvironment({ Variables: 'A=1' }), serialization, /^Expected map or null/);
      throwsAws(() => checkEnvironment({ Variables: ['A'] }), serialization, /^Start of list/);
      throwsAws(() => checkEnvironment({ Variables: { AB: 1 } }), serialization, /NUMBER_VALUE can not be converted to a String \(Environment\.Variables\.AB\)/);
      throwsAws(() => checkEnvironment({ Variables: { AB: { x: 1 } } }), serialization, /Start of structure or map/);
    });
    it('refuses the keys Lambda reserves and more than 4 KB, with AWS’s InvalidParameterValueException', () => {
      for (const key of RESERVED_ENVIRONMENT_KEYS.filter((k) => !k.startsWith('_'))) {
        throwsAws(() => checkEnvironment({ Variables: { [key]: 'x' } }), invalid, new RegExp(`Reserved keys used in this request: ${key}$`), key);
      }
      throwsAws(() => checkEnvironment({ Variables: { BIG: 'x'.repeat(4096) } }), invalid, /exceeded the 4KB limit/);
      assert.equal(Object.keys(checkEnvironment({ Variables: { BIG: 'x'.repeat(4000) } })).length, 1);
    });
    it('refuses a value holding a NUL, naming each such variable (no process environment can hold one)', () => {
      throwsAws(() => checkEnvironment({ Variables: { AB: 'x\u0000y', OK: 'fine', CD: '\u0000' } }), invalid, /values of AB, CD contain a null character \(U\+0000\)/);
      assert.deepEqual(checkEnvironment({ Variables: { AB: 'x\u0001y\n\u00ff' } }), { AB: 'x\u0001y\n\u00ff' }, 'other control characters are values like any');
    });
  });

  describe('environmentProblem (records loaded from a state folder)', () => {
    it('names a NUL in a value or a key Lambda refuses; accepts what checkEnvironment accepts', () => {
      assert.equal(environmentProblem({ STAGE: 'prod', Ab_9: '' }), undefined);
      assert.equal(environmentProblem({ AB: 'x\u0000y' }), 'the environment variable AB holds a null character');
      assert.match(environmentProblem({ 'A=B': 'x' })!, /name "A=B" is not of the pattern/);
      assert.match(environmentProblem({ 'A\u0000': 'x' })!, /is not of the pattern/);
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
    });
    it('refuses a RoutingConfig or weights map of the wrong JSON type with SerializationException', () => {
      // `RoutingConfig: "x"` used to read as "no routing" and clear the alias's split.
      throwsAws(() => checkRouting('x', '1'), serialization, /^Expected null \(RoutingConfig/);
      throwsAws(() => checkRouting([], '1'), serialization, /^Start of list/);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: [0.1] }, '1'), serialization, /^Start of list/);
      throwsAws(() => checkRouting({ AdditionalVersionWeights: 'x' }, '1'), serialization, /^Expected map or null/);
    });
  });

  describe('checkTags', () => {
    it('accepts a map of strings, or nothing', () => {
      assert.deepEqual(checkTags(undefined), {});
      assert.deepEqual(checkTags(null), {});
      assert.deepEqual(checkTags({ team: 'a', empty: '' }), { team: 'a', empty: '' });
      assert.deepEqual(Object.keys(checkTags(JSON.parse('{"__proto__": "x"}'))), ['__proto__']);
    });
    it('refuses anything else with SerializationException', () => {
      throwsAws(() => checkTags('x'), serialization, /^Expected map or null \(Tags/);
      throwsAws(() => checkTags(['a']), serialization, /^Start of list/);
      throwsAws(() => checkTags({ a: 1 }), serialization, /NUMBER_VALUE can not be converted to a String \(Tags\.a\)/);
      throwsAws(() => checkTags({ a: true }), serialization, /TRUE_VALUE/);
      throwsAws(() => checkTags({ a: null }), serialization);
    });
    it('refuses over-long keys or values and more than 50 tags', () => {
      throwsAws(() => checkTags({ ['k'.repeat(129)]: 'v' }), validation, /128/);
      throwsAws(() => checkTags({ k: 'v'.repeat(257) }), validation, /256/);
      throwsAws(() => checkTags(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))), invalid, /50/);
    });
  });

  describe('expectString / expectBoolean / expectStructure', () => {
    it('pass the right type and absent values, refuse the rest with SerializationException', () => {
      assert.equal(expectString('a', 'm'), 'a');
      assert.equal(expectString(null, 'm'), undefined);
      assert.equal(expectBoolean(false, 'm'), false);
      assert.deepEqual(expectStructure({ a: 1 }, 'm', '{}'), { a: 1 });
      throwsAws(() => expectString(1, 'RevisionId'), serialization, /^NUMBER_VALUE can not be converted to a String \(RevisionId\)/);
      throwsAws(() => expectBoolean('true', 'Publish'), serialization, /^STRING_VALUE can not be converted to a Boolean/);
      throwsAws(() => expectBoolean(1, 'Publish'), serialization, /NUMBER_VALUE/);
      throwsAws(() => expectStructure(true, 'Code', '{}'), serialization, /^Expected null/);
    });
  });
});
