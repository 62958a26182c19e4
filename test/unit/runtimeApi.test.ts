import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { findPython } from '../../src/sandbox/runtime/python';
import {
  decodeClientContext,
  executionEnvOf,
  functionErrorType,
  hostAllowed,
  invalidEntrypoint,
  MAX_RUNTIME_PAYLOAD,
  nextInvocationHeaders,
  oversizedResponse,
  procNetAddress,
  routeRuntimeApi,
  runtimeFamily,
  socketInode,
  traceIdFor,
} from '../../src/sandbox/runtime/runtimeApiRules';

const BOOTSTRAP_PY = path.resolve(__dirname, '..', '..', '..', 'src', 'sandbox', 'runtime', 'bootstrap.py');

describe('the Runtime API rules', () => {
  it("writes a connection's ends as /proc/net/tcp and tcp6 do, and finds a socket by its whole 4-tuple", () => {
    assert.equal(procNetAddress('127.0.0.1', 0x1f90, 'tcp'), '0100007F:1F90');
    assert.equal(procNetAddress('127.0.0.2', 443, 'tcp'), '0200007F:01BB');
    assert.equal(procNetAddress('::ffff:10.1.2.3', 80, 'tcp'), '0302010A:0050');
    assert.equal(procNetAddress('127.0.0.1', 40000, 'tcp6'), '0000000000000000FFFF00000100007F:9C40');
    assert.equal(procNetAddress('::1', 80, 'tcp'), undefined);
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00000F2C 00000000     0        0 0 3 0000000000000000',
      '   1: 0200007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 20 4 30 10 -1',
      '   2: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1',
      '   3: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    // Another loopback address with the same port comes first; a TIME_WAIT row has no inode.
    assert.equal(socketInode(table, '0100007F:9C40', '0100007F:1F90'), '222');
    assert.equal(socketInode(table, '0200007F:9C40', '0100007F:1F90'), '111');
    assert.equal(socketInode(table, '0300007F:9C40', '0100007F:1F90'), undefined);
  });

  it("accepts only the Host a Runtime API client sends (AWS_LAMBDA_RUNTIME_API's 127.0.0.1:<port>), or none", () => {
    assert.equal(hostAllowed('127.0.0.1:9001', 9001), true);
    assert.equal(hostAllowed(undefined, 9001), true);
    for (const h of ['127.0.0.1:9002', '127.0.0.1', 'localhost:9001', 'rebound.example:9001', '[::ffff:127.0.0.1]:9001', '']) assert.equal(hostAllowed(h, 9001), false, h);
  });

  it('tells which runtimes run in the Node.js worker and which behind the Runtime API', () => {
    assert.equal(runtimeFamily(undefined), 'nodejs');
    assert.equal(runtimeFamily('nodejs20.x'), 'nodejs');
    assert.equal(runtimeFamily('python3.12'), 'python');
    assert.equal(runtimeFamily('python2.7'), undefined);
    for (const r of ['provided', 'provided.al2', 'provided.al2023']) assert.equal(runtimeFamily(r), 'provided');
    for (const r of ['java21', 'dotnet8', 'ruby3.3', 'go1.x', 'provided.al3']) assert.equal(runtimeFamily(r), undefined, r);
    assert.equal(executionEnvOf('python3.13'), 'AWS_Lambda_python3.13');
    assert.equal(executionEnvOf('provided.al2023'), undefined);
  });

  it('routes the API of 2018-06-01: methods, request ids, and everything else as unknown', () => {
    assert.deepEqual(routeRuntimeApi('GET', '/2018-06-01/runtime/invocation/next'), { kind: 'next' });
    assert.deepEqual(routeRuntimeApi('GET', '/2018-06-01/runtime/invocation/next?x=1'), { kind: 'next' });
    assert.deepEqual(routeRuntimeApi('POST', '/2018-06-01/runtime/invocation/next'), { kind: 'methodNotAllowed' });
    assert.deepEqual(routeRuntimeApi('POST', '/2018-06-01/runtime/invocation/abc-1/response'), { kind: 'response', requestId: 'abc-1' });
    assert.deepEqual(routeRuntimeApi('POST', '/2018-06-01/runtime/invocation/a%20b/error'), { kind: 'error', requestId: 'a b' });
    assert.deepEqual(routeRuntimeApi('POST', '/2018-06-01/runtime/invocation/%E0%A4%A/error'), { kind: 'error', requestId: '%E0%A4%A' });
    assert.deepEqual(routeRuntimeApi('GET', '/2018-06-01/runtime/invocation/abc/response'), { kind: 'methodNotAllowed' });
    assert.deepEqual(routeRuntimeApi('POST', '/2018-06-01/runtime/init/error'), { kind: 'initError' });
    for (const p of ['/', '/2018-06-01/runtime/invocation/a/b/response', '/2020-01-01/runtime/invocation/next', '/2018-06-01/runtime/restore/next', '/2018-06-01/runtime/invocation//response']) {
      assert.deepEqual(routeRuntimeApi('POST', p), { kind: 'notFound' }, p);
    }
  });

  it("builds /next's headers: request id, deadline, ARN, trace, and the client context decoded", () => {
    const context = Buffer.from('{ "custom": {"a": 1} }').toString('base64');
    assert.deepEqual(
      nextInvocationHeaders({ requestId: 'r-1', deadlineMs: 1700000000123, invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:live', traceId: 'Root=1-x', clientContext: context }),
      {
        'Lambda-Runtime-Aws-Request-Id': 'r-1',
        'Lambda-Runtime-Deadline-Ms': '1700000000123',
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:f:live',
        'Lambda-Runtime-Trace-Id': 'Root=1-x',
        'Lambda-Runtime-Client-Context': '{"custom":{"a":1}}',
        'Content-Type': 'application/json',
      },
    );
    const bare = nextInvocationHeaders({ requestId: 'r', deadlineMs: 1, invokedFunctionArn: 'a' });
    assert.deepEqual(Object.keys(bare), ['Lambda-Runtime-Aws-Request-Id', 'Lambda-Runtime-Deadline-Ms', 'Lambda-Runtime-Invoked-Function-Arn', 'Content-Type']);
    assert.equal(decodeClientContext(Buffer.from('not json').toString('base64')), undefined);
    assert.equal(decodeClientContext(Buffer.from('{"a":\n1}').toString('base64')), '{"a":1}', 'no line break reaches a header');
    assert.match(traceIdFor(Date.UTC(2024, 0, 1), (n) => 'ab'.repeat(n)), /^Root=1-65920080-(ab){12};Parent=(ab){8};Sampled=0$/);
  });

  it("keeps a runtime's error type as the emulator does, and words Lambda's errors", () => {
    assert.equal(functionErrorType('Runtime.ConfigMissing'), 'Runtime.ConfigMissing');
    assert.equal(functionErrorType('Function.Broken'), 'Function.Broken');
    assert.equal(functionErrorType('Function.'), 'Function.Unknown');
    assert.equal(functionErrorType('ValueError'), 'Runtime.Unknown');
    assert.equal(functionErrorType(undefined), 'Runtime.Unknown');
    assert.equal(MAX_RUNTIME_PAYLOAD, 6291556);
    assert.equal(oversizedResponse(7000000).errorMessage, 'Response payload size (7000000 bytes) exceeded maximum allowed payload size (6291556 bytes).');
    assert.equal(invalidEntrypoint('r', '/code/bootstrap', 'ENOENT'), "RequestId: r Error: Couldn't find valid bootstrap(s): [/code/bootstrap]");
    assert.equal(invalidEntrypoint('r', '/code/bootstrap', 'EACCES'), 'RequestId: r Error: fork/exec /code/bootstrap: permission denied');
    assert.equal(invalidEntrypoint('r', '/code/bootstrap', 'ENOEXEC'), 'RequestId: r Error: fork/exec /code/bootstrap: exec format error');
  });
});

describe("the Python runtime's handler names (bootstrap.py)", function () {
  const python = findPython();
  before(function () {
    if (!python) this.skip();
  });

  /** parse_handler(h) for each handler, as JSON: [module, function] or [errorType, message]. */
  function parse(handlers: string[]): unknown[] {
    const code = `import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("sandbox_bootstrap", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
out = []
for h in sys.argv[2:]:
    try: out.append(list(m.parse_handler(h)))
    except m.FaultException as e: out.append([e.exception_type, e.msg])
print(json.dumps(out))`;
    const r = spawnSync(python!.executable, ['-c', code, BOOTSTRAP_PY, ...handlers], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as unknown[];
  }

  it('splits at the last dot (a package path before it), and names a malformed one as Lambda does', () => {
    assert.deepEqual(parse(['app.lambda_handler', 'helpers.greeting.handler', 'dir/app.handler', 'app']), [
      ['app', 'lambda_handler'],
      ['helpers.greeting', 'handler'],
      ['dir/app', 'handler'],
      ['Runtime.MalformedHandlerName', "Bad handler 'app': not enough values to unpack (expected 2, got 1)"],
    ]);
  });
});
