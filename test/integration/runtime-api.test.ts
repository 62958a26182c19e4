/**
 * Functions that run behind the Lambda Runtime API, through the real SDK v3 Lambda client over
 * HTTP: Python (the sandbox's bootstrap.py on the machine's python3) and custom runtimes
 * (provided.al2023: a POSIX shell script, a Python script), published, routed by a weighted alias,
 * and failing in each way the Runtime API lets a runtime fail, with Lambda's answers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CreateFunctionCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { packageFolder } from '../../src/core/packaging';
import { startSandbox } from '../../src/sandbox';
import { findPython } from '../../src/sandbox/runtime/python';
import { clientsFor, ROLE, sleep, useSandbox } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'runtimes');
const linux = process.platform === 'linux';
const python = findPython();

/** A zip whose entries carry Unix modes: `bootstrap` (and any name in `executable`) 0755, the rest 0644. */
function zipWithModes(files: Record<string, string | Uint8Array>, executable: string[] = ['bootstrap']): Uint8Array {
  const entries: Record<string, [Uint8Array, { os: number; attrs: number; mtime: Date }]> = {};
  for (const [name, data] of Object.entries(files)) {
    const mode = executable.includes(name) ? 0o100755 : 0o100644;
    entries[name] = [typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { os: 3, attrs: (mode << 16) >>> 0, mtime: new Date(1980, 0, 1) }];
  }
  return zipSync(entries);
}

/** The files of a fixture folder, for a zip. */
function folderFiles(dir: string, prefix = ''): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '__pycache__') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, folderFiles(p, `${prefix}${e.name}/`));
    else out[`${prefix}${e.name}`] = fs.readFileSync(p);
  }
  return out;
}

/**
 * HTTP for shell bootstraps with what a clean Debian has: curl when installed (and HTTP_WITH is
 * not `python`), else the machine's python3 (which the Python runtime needs anyway).
 *   next <headers-file> <body-file>        GET /next
 *   post <path> <body-file> [error-type]   POST; prints the status code
 *   get <path>                             GET; prints the status code
 */
const HTTP_SH = `
api="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
py() { "${python?.executable ?? 'python3'}" -c "$@"; }
use_curl() { [ "\${HTTP_WITH:-}" != python ] && command -v curl >/dev/null 2>&1; }
next() {
  if use_curl; then curl -sS -D "$1" -o "$2" "$api/invocation/next"; else
  py 'import sys,urllib.request as u
r=u.urlopen(sys.argv[1]+"/invocation/next")
open(sys.argv[2],"w").write("".join("%s: %s\\r\\n" % kv for kv in r.getheaders()))
open(sys.argv[3],"wb").write(r.read())' "$api" "$1" "$2"; fi
}
post() {
  if use_curl; then
    if [ -n "\${3:-}" ]; then curl -sS -o /dev/null -w '%{http_code}' -H "Lambda-Runtime-Function-Error-Type: $3" --data-binary @"$2" "$api$1"
    else curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$2" "$api$1"; fi
  else
  py 'import sys,urllib.request as u,urllib.error as e
h={"Lambda-Runtime-Function-Error-Type":sys.argv[3]} if sys.argv[3] else {}
try: print(u.urlopen(u.Request(sys.argv[1],data=open(sys.argv[2],"rb").read(),headers=h)).status,end="")
except e.HTTPError as x: print(x.code,end="")' "$api$1" "$2" "\${3:-}"; fi
}
get() {
  if use_curl; then curl -sS -o /dev/null -w '%{http_code}' "$api$1"; else
  py 'import sys,urllib.request as u,urllib.error as e
try: print(u.urlopen(sys.argv[1]).status,end="")
except e.HTTPError as x: print(x.code,end="")' "$api$1"; fi
}
request_id() { tr -d '\\r' < "$1" | sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: *//p'; }
`;

/** A provided.al2023 bootstrap: a POSIX sh loop over the Runtime API; `body` makes the reply (into $out) from $event. */
function shellBootstrap(body: string, before = ''): string {
  return `#!/bin/sh
set -eu
. "$LAMBDA_TASK_ROOT/http.sh"
${before}
work=$(mktemp -d)
while true; do
  next "$work/h" "$work/event"
  id=$(request_id "$work/h")
  out="$work/out"
${body}
done
`;
}

/** What the functions of this suite answer: an error payload, or one of their own results. */
interface Body {
  errorType?: string;
  errorMessage?: string;
  requestId?: string;
  stackTrace?: string[];
  pid?: number;
  api?: string;
  id?: string;
}

interface Invoked {
  functionError?: string;
  text: string;
  body: Body;
  version?: string;
  log: string;
  requestId?: string;
}

async function invoke(lambda: LambdaClient, name: string, event: unknown = {}, qualifier?: string): Promise<Invoked> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from(JSON.stringify(event)), LogType: 'Tail' }));
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let body: Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    body = {};
  }
  return {
    functionError: out.FunctionError,
    text,
    body,
    version: out.ExecutedVersion,
    log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8'),
    requestId: out.$metadata.requestId,
  };
}

/** Alive, and not a zombie waiting for a parent that never reaps it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('Runtime API runtimes (Python, provided.al2023) through the SDK', function () {
  this.timeout(60_000);
  before(function () {
    if (!linux || !python) this.skip();
  });
  const h = useSandbox({ updateDelayMs: 0, randomSeed: 11 });

  async function create(name: string, zip: Uint8Array, extra: Partial<CreateFunctionCommandInput> = {}): Promise<void> {
    const { lambda, sandbox } = h();
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'provided.al2023', Handler: 'bootstrap', Role: ROLE, Code: { ZipFile: zip }, Timeout: 10, ...extra }),
    );
    sandbox.settle();
  }

  /** Two published versions behind alias `live` (1 at 50%, 2 at 50%), invoked `n` times through it. */
  async function canary(name: string, v1: Uint8Array, v2: Uint8Array, extra: Partial<CreateFunctionCommandInput>, n: number): Promise<Invoked[]> {
    const { lambda, sandbox } = h();
    await create(name, v1, extra);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    sandbox.settle();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: v2 }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    sandbox.settle();
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    const out: Invoked[] = [];
    for (let i = 0; i < n; i++) out.push(await invoke(lambda, name, { name: `n${i}` }, 'live'));
    return out;
  }

  it('a Python function (the runtimes fixture) canaries through a weighted alias: each version answers as itself', async () => {
    const files = folderFiles(path.join(FIXTURES, 'python'));
    const v2 = { ...files, 'helpers/greeting.py': 'def greet(name):\n    return f"howdy {name}"\n' };
    const results = await canary('py-canary', zipWithModes(files, []), zipWithModes(v2, []), { Runtime: 'python3.12', Handler: 'app.lambda_handler' }, 24);
    const seen = new Set<string>();
    results.forEach((r, i) => {
      assert.equal(r.functionError, undefined, r.text);
      seen.add(r.version!);
      assert.deepEqual(r.body, { statusCode: 200, body: `${r.version === '1' ? 'hello' : 'howdy'} n${i}` });
    });
    assert.deepEqual([...seen].sort(), ['1', '2']);
  });

  it('a POSIX shell-script bootstrap canaries through a weighted alias, with curl and with python3 as its HTTP client', async () => {
    const reply = (tag: string) => `  printf '{"tag":"%s","event":%s}' "${tag}" "$(cat "$work/event")" > "$out"\n  post "/invocation/$id/response" "$out" > /dev/null`;
    const v1 = zipWithModes({ bootstrap: shellBootstrap(reply('one')), 'http.sh': HTTP_SH });
    const v2 = zipWithModes({ bootstrap: shellBootstrap(reply('two')), 'http.sh': HTTP_SH });
    for (const [name, via] of [['sh-canary', 'default'], ['sh-canary-py', 'python']] as const) {
      const results = await canary(name, v1, v2, { Environment: { Variables: { HTTP_WITH: via } } }, 16);
      const seen = new Set<string>();
      results.forEach((r, i) => {
        assert.equal(r.functionError, undefined, r.text);
        seen.add(r.version!);
        assert.deepEqual(r.body, { tag: r.version === '1' ? 'one' : 'two', event: { name: `n${i}` } });
      });
      assert.deepEqual([...seen].sort(), ['1', '2'], name);
    }
  });

  it('the go-provided fixture (a curl loop standing in for a Go binary), packaged by the extension, answers through the Runtime API', async function () {
    if (spawnSync('sh', ['-c', 'command -v curl']).status !== 0) this.skip();
    const pkg = await packageFolder(path.join(FIXTURES, 'go-provided'), { runtime: 'provided.al2023', handler: 'bootstrap' });
    await create('go-provided', pkg.zip);
    const r = await invoke(h().lambda, 'go-provided', { n: 1 });
    assert.equal(r.functionError, undefined, r.text);
    assert.deepEqual(r.body, { echo: { n: 1 } });
  });

  it("a Python script bootstrap (shebang) gets Lambda's environment and headers, none of the host's variables, and the client context", async () => {
    const { lambda } = h();
    process.env.LAMBDA_CANARY_TEST_SECRET = 'host-secret';
    try {
      const bootstrap = `#!${python!.executable}
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    r = urllib.request.urlopen(api + "next")
    headers = {k.lower(): v for k, v in r.getheaders()}
    out = {"env": dict(os.environ), "headers": headers, "event": json.loads(r.read()), "cwd": os.getcwd()}
    urllib.request.urlopen(urllib.request.Request(api + headers["lambda-runtime-aws-request-id"] + "/response", data=json.dumps(out).encode()))
`;
      await create('py-script', zipWithModes({ bootstrap }), { MemorySize: 256, Environment: { Variables: { MY_SETTING: 'on' } } });
      const context = Buffer.from(JSON.stringify({ custom: { who: 'test' } })).toString('base64');
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'py-script', Payload: Buffer.from('{"k":1}'), ClientContext: context }));
      const body = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
      const env = body.env as Record<string, string>;
      assert.equal(env.LAMBDA_CANARY_TEST_SECRET, undefined, 'no host variable');
      assert.equal(env.HOME, undefined);
      assert.equal(env._HANDLER, 'bootstrap');
      assert.equal(env.MY_SETTING, 'on');
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
      assert.equal(env.AWS_EXECUTION_ENV, undefined, 'an OS-only runtime has no execution environment name');
      assert.match(env.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
      assert.equal(fs.realpathSync(body.cwd), fs.realpathSync(env.LAMBDA_TASK_ROOT));
      assert.deepEqual(body.event, { k: 1 });
      assert.equal(body.headers['lambda-runtime-aws-request-id'], out.$metadata.requestId);
      assert.equal(body.headers['lambda-runtime-invoked-function-arn'], 'arn:aws:lambda:us-east-1:123456789012:function:py-script');
      const deadline = Number(body.headers['lambda-runtime-deadline-ms']);
      assert.ok(deadline > Date.now() && deadline <= Date.now() + 10_000, String(deadline));
      assert.match(body.headers['lambda-runtime-trace-id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      assert.deepEqual(JSON.parse(body.headers['lambda-runtime-client-context']), { custom: { who: 'test' } });
      assert.equal(body.headers['content-type'], 'application/json');
    } finally {
      delete process.env.LAMBDA_CANARY_TEST_SECRET;
    }
  });

  describe('Python, as Lambda runs it', () => {
    const APP = `import json, logging, os, time
logger = logging.getLogger()
logger.setLevel(logging.INFO)

def handler(event, context):
    kind = event.get("kind")
    if kind == "raise":
        print("about to fail")
        raise ValueError("bad input: " + str(event.get("n")))
    if kind == "set":
        return {1, 2}
    if kind == "memory":
        hog = b"x" * (300 * 1024 * 1024)
        time.sleep(3)
        return len(hog)
    if kind == "sleep":
        time.sleep(5)
    logger.info("context seen")
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "client_context": context.client_context and context.client_context.custom,
        "identity": context.identity.cognito_identity_id,
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "secret": os.environ.get("LAMBDA_CANARY_TEST_SECRET"),
        "unicode": "café",
    }
`;
    before(async function () {
      if (!linux || !python) this.skip();
      await create('py-app', zipWithModes({ 'app.py': APP }, []), { Runtime: 'python3.12', Handler: 'app.handler', Timeout: 2, MemorySize: 128 });
    });

    it('passes a context with the attributes of lambda_context.py, the Lambda environment and no host variable', async () => {
      process.env.LAMBDA_CANARY_TEST_SECRET = 'host-secret';
      try {
        const { lambda } = h();
        const context = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString('base64');
        const out = await lambda.send(new InvokeCommand({ FunctionName: 'py-app', Payload: Buffer.from('{}'), ClientContext: context, LogType: 'Tail' }));
        const text = Buffer.from(out.Payload!).toString('utf8');
        assert.equal(out.FunctionError, undefined, text);
        const b = JSON.parse(text);
        assert.equal(b.function_name, 'py-app');
        assert.equal(b.function_version, '$LATEST');
        assert.equal(b.invoked_function_arn, 'arn:aws:lambda:us-east-1:123456789012:function:py-app');
        assert.equal(b.memory_limit_in_mb, '128');
        assert.equal(b.aws_request_id, out.$metadata.requestId);
        assert.equal(b.log_group_name, '/aws/lambda/py-app');
        assert.match(b.log_stream_name, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
        assert.ok(b.remaining > 0 && b.remaining <= 2000, String(b.remaining));
        assert.deepEqual(b.client_context, { a: 1 });
        assert.equal(b.identity, null);
        assert.equal(b.execution_env, 'AWS_Lambda_python3.12');
        assert.equal(b.secret, null);
        // python3.12's runtime writes non-ASCII characters as they are.
        assert.match(text, /"café"/);
        const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
        assert.match(log, new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${out.$metadata.requestId}\\tcontext seen`));
      } finally {
        delete process.env.LAMBDA_CANARY_TEST_SECRET;
      }
    });

    it('reports an exception as the Python runtime does (Unhandled, its payload, the log) and keeps the environment', async () => {
      const { lambda, sandbox } = h();
      const r = await invoke(lambda, 'py-app', { kind: 'raise', n: 7 });
      assert.equal(r.functionError, 'Unhandled');
      assert.deepEqual(Object.keys(r.body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
      assert.equal(r.body.errorMessage, 'bad input: 7');
      assert.equal(r.body.errorType, 'ValueError');
      assert.equal(r.body.requestId, r.requestId);
      assert.equal(r.body.stackTrace?.length, 1, JSON.stringify(r.body.stackTrace));
      assert.match(r.body.stackTrace![0], /^ {2}File ".*app\.py", line \d+, in handler\n {4}raise ValueError\("bad input: " \+ str\(event\.get\("n"\)\)\)\n$/);
      assert.match(r.log, /about to fail/);
      assert.match(r.log, /\[ERROR\] ValueError: bad input: 7\rTraceback \(most recent call last\):\r\u00a0\u00a0File ".*app\.py"/);
      const before = sandbox.invoker.environmentPids();
      const again = await invoke(lambda, 'py-app', {});
      assert.equal(again.functionError, undefined, again.text);
      assert.deepEqual(sandbox.invoker.environmentPids(), before, 'the same warm environment served the next invocation');
    });

    it('a result json cannot encode is Runtime.MarshalError, worded as Lambda words it', async () => {
      const r = await invoke(h().lambda, 'py-app', { kind: 'set' });
      assert.equal(r.functionError, 'Unhandled');
      assert.equal(r.body.errorType, 'Runtime.MarshalError');
      assert.equal(r.body.errorMessage, 'Unable to marshal response: Object of type set is not JSON serializable');
      assert.deepEqual(r.body.stackTrace, []);
    });

    it('MemorySize limits the whole runtime (Runtime.OutOfMemory), and a timeout ends it; the next invocation runs in a fresh one', async () => {
      const { lambda } = h();
      const oom = await invoke(lambda, 'py-app', { kind: 'memory' });
      assert.equal(oom.functionError, 'Unhandled');
      assert.equal(oom.body.errorType, 'Runtime.OutOfMemory', oom.text);
      assert.match(oom.log, /Memory limit of 128 MB exceeded/);
      const slow = await invoke(lambda, 'py-app', { kind: 'sleep' });
      assert.equal(slow.functionError, 'Unhandled');
      assert.equal(slow.body.errorType, 'Sandbox.Timedout');
      assert.match(slow.body.errorMessage ?? '', /Task timed out after 2\.00 seconds/);
      assert.equal((await invoke(lambda, 'py-app', {})).functionError, undefined);
    });

    it('init errors: a missing module, a missing handler, a syntax error, an exception at import (each retried on the next invocation)', async () => {
      const { lambda } = h();
      const cases: Array<[string, Record<string, string>, string, string, RegExp]> = [
        ['py-nomodule', { 'other.py': 'x = 1\n' }, 'app.handler', 'Runtime.ImportModuleError', /^Unable to import module 'app': No module named 'app'$/],
        ['py-nohandler', { 'app.py': 'def other(e, c):\n    return 1\n' }, 'app.handler', 'Runtime.HandlerNotFound', /^Handler 'handler' missing on module 'app'$/],
        ['py-syntax', { 'app.py': 'def handler(e, c)\n    return 1\n' }, 'app.handler', 'Runtime.UserCodeSyntaxError', /^Syntax error in module 'app': /],
        ['py-badhandler', { 'app.py': 'x = 1\n' }, 'app', 'Runtime.MalformedHandlerName', /^Bad handler 'app': /],
        ['py-raises', { 'app.py': 'raise RuntimeError("no config")\n' }, 'app.handler', 'RuntimeError', /^no config$/],
      ];
      for (const [name, files, handler, type, message] of cases) {
        await create(name, zipWithModes(files, []), { Runtime: 'python3.12', Handler: handler });
        for (let i = 0; i < 2; i++) {
          const r = await invoke(lambda, name);
          assert.equal(r.functionError, 'Unhandled', name);
          assert.equal(r.body.errorType, type, `${name}: ${r.text}`);
          assert.match(r.body.errorMessage ?? '', message, name);
          assert.equal(r.body.requestId, '', name);
          assert.ok(Array.isArray(r.body.stackTrace), name);
          assert.match(r.log, new RegExp(`\\[ERROR\\] ${type.replace('.', '\\.')}`), name);
        }
      }
    });
  });

  describe('the Runtime API as a custom runtime sees it', () => {
    it('an init error posted with its type: the payload is the body as posted', async () => {
      const body = '{"errorMessage":"no config file","errorType":"ConfigMissing"}';
      const bootstrap = `#!/bin/sh\n. "$LAMBDA_TASK_ROOT/http.sh"\necho "reading config"\nprintf '%s' '${body}' > /tmp/init-error-$$\npost /init/error /tmp/init-error-$$ Runtime.ConfigMissing > /dev/null\nrm -f /tmp/init-error-$$\nexit 1\n`;
      await create('sh-initerror', zipWithModes({ bootstrap, 'http.sh': HTTP_SH }));
      const r = await invoke(h().lambda, 'sh-initerror');
      assert.equal(r.functionError, 'Unhandled');
      assert.equal(r.text, body);
      assert.match(r.log, /reading config/);
    });

    it('a bootstrap that exits before asking for an event: Runtime.ExitError with its exit status', async () => {
      await create('sh-exits', zipWithModes({ bootstrap: '#!/bin/sh\necho "cannot start" >&2\nexit 3\n' }));
      const r = await invoke(h().lambda, 'sh-exits');
      assert.equal(r.functionError, 'Unhandled');
      assert.deepEqual(r.body, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 3` });
      assert.match(r.log, /cannot start/);
    });

    it('a bootstrap that exits right after answering has answered; the next invocation, sent at once, starts a fresh one', async () => {
      const { lambda } = h();
      // It lingers a moment after answering, then exits: the next invocation arrives meanwhile.
      const body = `  printf '{"pid":%s}' "$$" > "$out"\n  post "/invocation/$id/response" "$out" > /dev/null\n  sleep 0.3\n  exit 0`;
      await create('sh-oneshot', zipWithModes({ bootstrap: shellBootstrap(body), 'http.sh': HTTP_SH }));
      for (let i = 0; i < 2; i++) {
        const first = await invoke(lambda, 'sh-oneshot');
        assert.equal(first.functionError, undefined, first.text);
        const second = await invoke(lambda, 'sh-oneshot');
        assert.equal(second.functionError, undefined, second.text);
        assert.notEqual(second.body.pid, first.body.pid);
      }
    });

    it('an invocation error with an error type header; a wrong request id (400), an unknown path (404), a second answer (403, as the emulator), a response over 6 MB (413)', async () => {
      const { lambda } = h();
      const body = `
  kind=$(sed -n 's/.*"kind":"\\([a-z]*\\)".*/\\1/p' "$work/event")
  if [ "$kind" = fail ]; then
    printf '{"errorMessage":"it broke","errorType":"Broken"}' > "$out"
    post "/invocation/$id/error" "$out" Function.Broken > /dev/null
    printf '{}' > "$out"
    second=$(post "/invocation/$id/response" "$out")
  elif [ "$kind" = big ]; then
    head -c 7000000 /dev/zero | tr '\\0' 'a' > "$out"
    big=$(post "/invocation/$id/response" "$out")
  else
    printf '{}' > "$out"
    wrong=$(post "/invocation/not-the-id/response" "$out")
    unknown=$(get "/nothing-here")
    printf '{"wrong":"%s","unknown":"%s","second":"%s","big":"%s"}' "$wrong" "$unknown" "\${second:-}" "\${big:-}" > "$out"
    post "/invocation/$id/response" "$out" > /dev/null
  fi`;
      await create('sh-errors', zipWithModes({ bootstrap: shellBootstrap(body, 'wrong=; unknown=; second=; big='), 'http.sh': HTTP_SH }));
      const failed = await invoke(lambda, 'sh-errors', { kind: 'fail' });
      assert.equal(failed.functionError, 'Unhandled');
      assert.equal(failed.text, '{"errorMessage":"it broke","errorType":"Broken"}');
      const big = await invoke(lambda, 'sh-errors', { kind: 'big' });
      assert.equal(big.functionError, 'Unhandled');
      assert.deepEqual(big.body, { errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size (7000000 bytes) exceeded maximum allowed payload size (6291556 bytes).' });
      const report = await invoke(lambda, 'sh-errors', { kind: 'report' });
      assert.equal(report.functionError, undefined, report.text);
      assert.deepEqual(report.body, { wrong: '400', unknown: '404', second: '403', big: '413' });
    });

    it('a bootstrap that outlives its timeout is ended: Sandbox.Timedout, and the next invocation starts a fresh one', async () => {
      const { lambda } = h();
      const body = `  if grep -q slow "$work/event"; then sleep 30; fi\n  printf '{"pid":%s}' "$$" > "$out"\n  post "/invocation/$id/response" "$out" > /dev/null`;
      await create('sh-timeout', zipWithModes({ bootstrap: shellBootstrap(body), 'http.sh': HTTP_SH }), { Timeout: 1 });
      const first = await invoke(lambda, 'sh-timeout');
      const slow = await invoke(lambda, 'sh-timeout', { slow: true });
      assert.equal(slow.functionError, 'Unhandled');
      assert.equal(slow.body.errorType, 'Sandbox.Timedout');
      assert.match(slow.body.errorMessage ?? '', /Task timed out after 1\.00 seconds/);
      await sleep(100);
      assert.ok(!alive(first.body.pid!), 'the timed-out bootstrap is gone');
      const next = await invoke(lambda, 'sh-timeout');
      assert.notEqual(next.body.pid, first.body.pid);
    });

    it('no bootstrap, or one that is not executable: Runtime.InvalidEntrypoint as Lambda words it', async () => {
      const { lambda } = h();
      await create('no-bootstrap', zipWithModes({ 'main.sh': 'echo hi\n' }, []));
      const missing = await invoke(lambda, 'no-bootstrap');
      assert.equal(missing.functionError, 'Unhandled');
      assert.equal(missing.body.errorType, 'Runtime.InvalidEntrypoint');
      assert.match(missing.body.errorMessage ?? '', new RegExp(`^RequestId: ${missing.requestId} Error: Couldn't find valid bootstrap\\(s\\): \\[/.+/bootstrap\\]$`));
      await create('plain-bootstrap', zipWithModes({ bootstrap: '#!/bin/sh\necho hi\n' }, []));
      const plain = await invoke(lambda, 'plain-bootstrap');
      assert.equal(plain.functionError, 'Unhandled');
      assert.equal(plain.body.errorType, 'Runtime.InvalidEntrypoint');
      assert.match(plain.body.errorMessage ?? '', new RegExp(`^RequestId: ${plain.requestId} Error: fork/exec /.+/bootstrap: permission denied$`));
    });

    it("another local process cannot use an environment's Runtime API: no event taken, no answer forged", async () => {
      const { lambda } = h();
      const body = `  cat "$work/event" > "$out.event"\n  printf '{"api":"%s","id":"%s"}' "$AWS_LAMBDA_RUNTIME_API" "$id" > "$out"\n  post "/invocation/$id/response" "$out" > /dev/null`;
      await create('sh-api', zipWithModes({ bootstrap: shellBootstrap(body), 'http.sh': HTTP_SH }));
      const first = await invoke(lambda, 'sh-api');
      const api = `http://${first.body.api}/2018-06-01/runtime`;
      const next = await fetch(`${api}/invocation/next`);
      assert.equal(next.status, 403);
      assert.equal(((await next.json()) as { errorType: string }).errorType, 'AccessDenied');
      const forged = await fetch(`${api}/invocation/${first.body.id}/response`, { method: 'POST', body: '{"forged":true}' });
      assert.equal(forged.status, 403);
      const again = await invoke(lambda, 'sh-api');
      assert.equal(again.body.api, first.body.api, 'the same environment still serves');
      assert.notEqual(again.body.id, first.body.id);
    });
  });

  describe("the Runtime API's guards: who may call it, and how", () => {
    /** GET /next from `localAddress`:`localPort`; the status line's code, or 'open' when the call is held (a trusted /next). */
    function rawNext(apiPort: number, host: string, localAddress?: string, localPort?: number): Promise<{ status: string; body: string }> {
      return new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: apiPort, localAddress, localPort });
        let data = '';
        const timer = setTimeout(() => {
          s.destroy();
          resolve({ status: 'open', body: data });
        }, 1500);
        s.on('connect', () => s.write(`GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
        s.on('data', (d) => {
          data += d.toString('latin1');
          const end = data.indexOf('\r\n\r\n');
          const length = /content-length: *(\d+)/i.exec(data);
          if (end >= 0 && length && data.length >= end + 4 + Number(length[1])) {
            clearTimeout(timer);
            s.destroy();
            resolve({ status: data.split(' ')[1], body: data.slice(end + 4) });
          }
        });
        s.on('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          resolve({ status: `error ${e.code}`, body: '' });
        });
      });
    }

    const GUARDS_APP = `import decimal, http.client, os, site, sys

def handler(event, context):
    kind = event.get("kind")
    if kind == "decimal":
        return {"price": decimal.Decimal("1.10"), "big": decimal.Decimal("1E+2"), "inf": [decimal.Decimal("Infinity"), decimal.Decimal("-Infinity")], "nan": decimal.Decimal("NaN"), "n": 7}
    if kind == "bytes":
        return b"\\xff\\xfe\\x00ok\\x80"
    if kind == "host":
        c = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
        c.putrequest("POST", "/2018-06-01/runtime/invocation/not-the-id/response", skip_host=True)
        c.putheader("Host", event["host"])
        c.putheader("Content-Length", "2")
        c.endheaders(b"{}")
        r = c.getresponse()
        return {"status": r.status, "body": r.read().decode()}
    try:
        import hostonly
        found = hostonly.__file__
    except ImportError:
        found = None
    return {"found": found, "user_site": site.ENABLE_USER_SITE, "path": sys.path, "api": os.environ["AWS_LAMBDA_RUNTIME_API"]}
`;
    let userBase = '';
    before(async function () {
      if (!linux || !python) this.skip();
      // A package in a user site-packages of the machine (PYTHONUSERBASE points Python at it).
      userBase = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-userbase-'));
      const site = path.join(userBase, 'lib', `python${python!.version}`, 'site-packages');
      fs.mkdirSync(site, { recursive: true });
      fs.writeFileSync(path.join(site, 'hostonly.py'), 'X = 1\n');
      await create('py-guards', zipWithModes({ 'app.py': GUARDS_APP }, []), {
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Environment: { Variables: { PYTHONUSERBASE: userBase } },
      });
    });
    after(() => {
      if (userBase) fs.rmSync(userBase, { recursive: true, force: true });
    });

    it("Python: nothing of a user site-packages on sys.path (Lambda has none), and a Decimal is a bare JSON number as Lambda's client writes it", async () => {
      const { lambda } = h();
      const r = await invoke(lambda, 'py-guards');
      assert.equal(r.functionError, undefined, r.text);
      const b = JSON.parse(r.text) as { found: string | null; user_site: boolean; path: string[] };
      assert.equal(b.found, null, 'a module only in the user site-packages is not importable');
      assert.equal(b.user_site, false);
      assert.ok(!b.path.some((p) => p.startsWith(userBase)), b.path.join(':'));
      const d = await invoke(lambda, 'py-guards', { kind: 'decimal' });
      assert.equal(d.functionError, undefined, d.text);
      assert.equal(d.text, '{"price": 1.10, "big": 1E+2, "inf": [Infinity, -Infinity], "nan": NaN, "n": 7}');
    });

    it('a handler that returns bytes that are not UTF-8 text gets them back as they are', async () => {
      const out = await h().lambda.send(new InvokeCommand({ FunctionName: 'py-guards', Payload: Buffer.from('{"kind":"bytes"}') }));
      assert.equal(out.FunctionError, undefined);
      assert.deepEqual(Buffer.from(out.Payload!), Buffer.from([0xff, 0xfe, 0x00, 0x6f, 0x6b, 0x80]));
    });

    it('a request whose Host is not 127.0.0.1:<port> is refused, even from the bootstrap (a browser or a rebound name sends its own)', async () => {
      const { lambda } = h();
      const { api } = JSON.parse((await invoke(lambda, 'py-guards')).text) as { api: string };
      const port = api.split(':')[1];
      const own = await invoke(lambda, 'py-guards', { kind: 'host', host: `127.0.0.1:${port}` });
      assert.equal(JSON.parse(own.text).status, 400, own.text);
      for (const host of [`rebound.example:${port}`, `localhost:${port}`, '127.0.0.1']) {
        const r = await invoke(lambda, 'py-guards', { kind: 'host', host });
        const b = JSON.parse(r.text) as { status: number; body: string };
        assert.equal(b.status, 403, `${host}: ${r.text}`);
        assert.equal(JSON.parse(b.body).errorType, 'AccessDenied', host);
      }
      const outside = await rawNext(Number(port), 'rebound.example');
      assert.equal(outside.status, '403');
      assert.match(JSON.parse(outside.body).errorMessage, /only requests for its own address \(Host: 127\.0\.0\.1:\d+\)/);
      assert.equal((await invoke(lambda, 'py-guards')).functionError, undefined, 'the environment still serves');
    });

    it("a process bound to another loopback address with the bootstrap's own client port is refused (the whole 4-tuple is matched)", async () => {
      const { lambda } = h();
      const { api } = JSON.parse((await invoke(lambda, 'py-guards')).text) as { api: string };
      const port = Number(api.split(':')[1]);
      await sleep(100);
      // The bootstrap's keep-alive connection, waiting in /next: its client port is in /proc/net/tcp.
      const hex = port.toString(16).toUpperCase().padStart(4, '0');
      const row = fs
        .readFileSync('/proc/net/tcp', 'latin1')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((f) => f[2] === `0100007F:${hex}` && f[1]?.startsWith('0100007F:'));
      assert.ok(row, 'the bootstrap holds a connection to its Runtime API');
      const clientPort = parseInt(row[1].split(':')[1], 16);
      for (let n = 2; n <= 10; n++) {
        const r = await rawNext(port, `127.0.0.1:${port}`, `127.0.0.${n}`, clientPort);
        assert.equal(r.status, '403', `from 127.0.0.${n}:${clientPort}: ${r.status} ${r.body}`);
        assert.equal(JSON.parse(r.body).errorType, 'AccessDenied');
      }
      const again = await invoke(lambda, 'py-guards');
      assert.equal(again.functionError, undefined, again.text);
    });

    it('a dual-stack (AF_INET6) client, as Java uses, is the bootstrap: a python3 one, and `java Main.java` where Java is installed', async function () {
      this.timeout(60_000);
      const { lambda } = h();
      const v6 = `#!${python!.executable}
import os, socket, sys
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
def call(method, path, body=b""):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.connect(("::ffff:" + host, int(port)))
    head = "%s %s HTTP/1.1\\r\\nHost: %s:%s\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % (method, path, host, port, len(body))
    s.sendall(head.encode() + body)
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
    head, _, rest = data.partition(b"\\r\\n\\r\\n")
    return head.decode("latin1").split("\\r\\n"), rest
while True:
    head, event = call("GET", "/2018-06-01/runtime/invocation/next")
    if " 200 " not in head[0]:
        sys.exit("next: " + head[0])
    rid = [h.split(":", 1)[1].strip() for h in head if h.lower().startswith("lambda-runtime-aws-request-id:")][0]
    call("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b'{"v6":true,"event":' + event + b"}")
`;
      await create('v6-bootstrap', zipWithModes({ bootstrap: v6 }));
      for (let i = 0; i < 2; i++) {
        const r = await invoke(lambda, 'v6-bootstrap', { n: i });
        assert.equal(r.functionError, undefined, `${r.text}\n${r.log}`);
        assert.deepEqual(JSON.parse(r.text), { v6: true, event: { n: i } });
      }
      if (spawnSync('java', ['-version']).status !== 0) return;
      const main = `import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

public class Main {
  public static void main(String[] args) throws Exception {
    String api = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/";
    while (true) {
      HttpURLConnection next = (HttpURLConnection) new URL(api + "next").openConnection();
      String event = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String id = next.getHeaderField("Lambda-Runtime-Aws-Request-Id");
      HttpURLConnection out = (HttpURLConnection) new URL(api + id + "/response").openConnection();
      out.setRequestMethod("POST");
      out.setDoOutput(true);
      out.getOutputStream().write(("{\\"java\\":true,\\"event\\":" + event + "}").getBytes(StandardCharsets.UTF_8));
      if (out.getResponseCode() != 202) throw new IllegalStateException("response: " + out.getResponseCode());
      out.getInputStream().close();
    }
  }
}
`;
      await create('java-bootstrap', zipWithModes({ bootstrap: '#!/bin/sh\nexec java -Xshare:auto "$LAMBDA_TASK_ROOT/Main.java"\n', 'Main.java': main }), { MemorySize: 512 });
      for (let i = 0; i < 2; i++) {
        const r = await invoke(lambda, 'java-bootstrap', { n: i });
        assert.equal(r.functionError, undefined, `${r.text}\n${r.log}`);
        assert.deepEqual(JSON.parse(r.text), { java: true, event: { n: i } });
      }
    });
  });
});

describe('Runtime API environments end with the sandbox', function () {
  this.timeout(30_000);
  it('a process the bootstrap started in the background (even in a session of its own) is gone after close()', async function () {
    if (!linux || !python) this.skip();
    const sandbox = await startSandbox({ updateDelayMs: 0 });
    const { lambda } = clientsFor(sandbox);
    try {
      const before = 'sleep 300 &\nplain=$!\nsetsid sleep 301 &\nsession=$!';
      const body = `  printf '{"plain":%s,"session":%s,"bootstrap":%s}' "$plain" "$session" "$$" > "$out"\n  post "/invocation/$id/response" "$out" > /dev/null`;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'sh-bg',
          Runtime: 'provided.al2023',
          Handler: 'bootstrap',
          Role: ROLE,
          Code: { ZipFile: zipWithModes({ bootstrap: shellBootstrap(body, before), 'http.sh': HTTP_SH }) },
        }),
      );
      sandbox.settle();
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'sh-bg' }));
      const pids = JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as Record<string, number>;
      for (const pid of Object.values(pids)) assert.ok(alive(pid), `${pid} runs before close`);
      lambda.destroy();
      await sandbox.close();
      await sleep(200);
      for (const [what, pid] of Object.entries(pids)) assert.ok(!alive(pid), `${what} (${pid}) is gone after close`);
    } finally {
      await sandbox.close();
    }
  });
});
