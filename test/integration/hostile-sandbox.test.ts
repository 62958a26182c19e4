/**
 * Hostile inputs to the sandbox's Lambda and CloudWatch APIs, through the real SDK v3 clients:
 * each is refused with AWS's exception and a message saying what to fix, and leaves every
 * function, version, alias and metric exactly as it was (nothing created, nothing run). Also:
 * the event loop stays free while a big package is checked or unpacked.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { startSandbox } from '../../src/sandbox';
import { clientsFor, handlerZip, sleep, useSandbox } from './helpers';
import { createFn, createInput, fast, publish, rejectsWith } from './lambda-testkit';
import { honestBomb, lyingBomb, manyFiles, rawZip } from './zip-craft';

type AnyCommand = { middlewareStack: { add: (mw: unknown, opts: unknown) => void } };

/** Sends `body` as the request's JSON instead of what the SDK serialized (e.g. `[]`, which it rewrites to `{}`). */
function withBody<T>(command: T, body: unknown): T {
  const json = JSON.stringify(body);
  (command as unknown as AnyCommand).middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>) => async (args: { request: { body: unknown; headers: Record<string, string> } }) => {
      args.request.body = json;
      args.request.headers['content-length'] = String(Buffer.byteLength(json));
      return next(args);
    },
    { step: 'build', priority: 'low' },
  );
  return command;
}

describe('hostile inputs to the sandbox: refused with AWS’s error, nothing changed', function () {
  this.timeout(60_000);
  const h = useSandbox({ region: 'us-east-1', accountId: '123456789012' });
  const FN = 'hs-target';
  const ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FN}`;

  /** Everything the sandbox holds, and how many invocations it has counted. */
  const snapshot = (): string => {
    const { store, metrics } = h().sandbox;
    const fns = [...store.functions.sortedNames()].map((n) => store.functions.get(n));
    return JSON.stringify({ fns, samples: metrics.size });
  };

  before(async () => {
    const { lambda } = h();
    await createFn(lambda, FN, { Environment: { Variables: { STAGE: 'blue' } }, Tags: { team: 'a' } });
    await publish(lambda, FN, 'v1');
    await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'live', FunctionVersion: '1' }));
    h().sandbox.settle();
  });

  /** Runs `attempt`, which must fail as AWS would, and checks that the sandbox is unchanged. */
  async function refused(attempt: () => Promise<unknown>, name: string, status: number, message: RegExp): Promise<void> {
    const before = snapshot();
    await rejectsWith(attempt(), name, status, message);
    assert.equal(snapshot(), before, 'the sandbox changed');
  }

  describe('zip packages', () => {
    it('a zip bomb whose header declares 10 bytes (300 MiB inside) is refused fast, not inflated', async () => {
      const started = performance.now();
      await refused(() => h().lambda.send(new CreateFunctionCommand(createInput('hs-bomb', { Code: { ZipFile: lyingBomb(300) } }))), 'InvalidParameterValueException', 400, /Could not unzip uploaded file.*inflates to more bytes than the 10 it declares/);
      assert.ok(performance.now() - started < 5_000, 'refused without inflating 300 MiB');
    });

    it('the same bomb through UpdateFunctionCode leaves the code as it was', async () => {
      await refused(() => h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: lyingBomb(300) })), 'InvalidParameterValueException', 400, /Could not unzip uploaded file/);
    });

    it('a zip declaring (and holding) 300 MiB is over the unzipped-size limit', async () => {
      await refused(() => h().lambda.send(new CreateFunctionCommand(createInput('hs-big', { Code: { ZipFile: honestBomb(300) } }))), 'InvalidParameterValueException', 400, /^Unzipped size must be smaller than 262144000 bytes$/);
    });

    it('an entry escaping the package folder (../) is refused', async () => {
      const zip = rawZip([{ name: '../escape.js', data: Buffer.from('exports.handler = 1;'), method: 0, declaredSize: 20 }]);
      await refused(() => h().lambda.send(new CreateFunctionCommand(createInput('hs-slip', { Code: { ZipFile: zip } }))), 'InvalidParameterValueException', 400, /Could not unzip.*\.\.\/escape\.js/);
    });

    it('an entry in a compression Lambda cannot unpack (method 12, bzip2) is refused', async () => {
      const zip = rawZip([{ name: 'index.js', data: Buffer.from('BZh91AY&SY'), method: 12 as 0, declaredSize: 20 }]);
      await refused(() => h().lambda.send(new CreateFunctionCommand(createInput('hs-bzip', { Code: { ZipFile: zip } }))), 'InvalidParameterValueException', 400, /Could not unzip.*compression method 12; the sandbox unpacks deflate and stored entries/);
    });
  });

  describe('JSON shapes (refused by the deserializer, as Lambda’s rest-json does)', () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['Tags: "x"', () => new CreateFunctionCommand({ ...createInput('hs-tags1'), Tags: 'x' as never }), /Expected map or null \(Tags/],
      ['Tags: {team: 1}', () => new CreateFunctionCommand({ ...createInput('hs-tags2'), Tags: { team: 1 } as never }), /NUMBER_VALUE can not be converted to a String \(Tags\.team\)/],
      ['Tags: ["a"]', () => new CreateFunctionCommand({ ...createInput('hs-tags3'), Tags: ['a'] as never }), /Start of list found where not expected \(Tags/],
      ['Code: "x"', () => new CreateFunctionCommand({ ...createInput('hs-code'), Code: 'x' as never }), /Expected null \(Code must be an object/],
      ['DryRun: "yes"', () => new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: handlerZip({ dry: 1 }), DryRun: 'yes' as never }), /STRING_VALUE can not be converted to a Boolean \(DryRun\)/],
      ['Publish: "true"', () => new CreateFunctionCommand({ ...createInput('hs-pub'), Publish: 'true' as never }), /STRING_VALUE can not be converted to a Boolean \(Publish\)/],
      ['Environment: "x"', () => new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: 'x' as never }), /Expected null \(Environment must be an object/],
      ['Environment: [] (on the wire)', () => withBody(new UpdateFunctionConfigurationCommand({ FunctionName: FN }), { Environment: [] }), /Start of list found where not expected \(Environment/],
      ['Environment.Variables: "A=1"', () => new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: 'A=1' as never } }), /Expected map or null \(Environment\.Variables/],
      ['RoutingConfig: "x"', () => new UpdateAliasCommand({ FunctionName: FN, Name: 'live', RoutingConfig: 'x' as never }), /Expected null \(RoutingConfig/],
      ['Description: 42 (UpdateAlias)', () => new UpdateAliasCommand({ FunctionName: FN, Name: 'live', Description: 42 as never }), /NUMBER_VALUE can not be converted to a String \(Description\)/],
      ['Description: ["lease"] (UpdateAlias, on the wire)', () => withBody(new UpdateAliasCommand({ FunctionName: FN, Name: 'live' }), { Description: ['lease'] }), /Start of list found where not expected \(Description/],
      ['Description: true (CreateFunction)', () => new CreateFunctionCommand({ ...createInput('hs-desc'), Description: true as never }), /TRUE_VALUE can not be converted to a String \(Description\)/],
      ['RevisionId: 123', () => new UpdateAliasCommand({ FunctionName: FN, Name: 'live', FunctionVersion: '1', RevisionId: 123 as never }), /NUMBER_VALUE can not be converted to a String \(RevisionId\)/],
      ['CodeSha256: {}', () => new PublishVersionCommand({ FunctionName: FN, CodeSha256: {} as never }), /Start of structure or map found where not expected\. \(CodeSha256/],
    ];
    for (const [what, command, message] of cases) {
      it(what, async () => {
        await refused(() => h().lambda.send(command() as CreateFunctionCommand), 'SerializationException', 400, message);
      });
    }
  });

  describe('environment variables Lambda refuses', () => {
    it('a reserved key (AWS_REGION, LAMBDA_TASK_ROOT) is refused, the variables stay', async () => {
      await refused(
        () => h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: { STAGE: 'x', AWS_REGION: 'eu-west-1', LAMBDA_TASK_ROOT: '/tmp' } } })),
        'InvalidParameterValueException',
        400,
        /reserved keys .* Reserved keys used in this request: AWS_REGION, LAMBDA_TASK_ROOT$/,
      );
    });

    it('a NUL in a value (UpdateFunctionConfiguration) is refused naming the variable, the variables stay', async () => {
      await refused(
        () => h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: { STAGE: 'x', AB: 'x\u0000y' } } })),
        'InvalidParameterValueException',
        400,
        /values of AB contain a null character \(U\+0000\)/,
      );
    });

    it('a NUL in a value at CreateFunction creates nothing', async () => {
      await refused(
        () => h().lambda.send(new CreateFunctionCommand(createInput('hs-nul', { Environment: { Variables: { OK: 'fine', TRAILING: 'end\u0000' } } }))),
        'InvalidParameterValueException',
        400,
        /values of TRAILING contain a null character/,
      );
    });

    it('keys outside [a-zA-Z]([a-zA-Z0-9_])+ (a NUL, "=", one letter) are a ValidationException', async () => {
      for (const key of ['A\u0000B', 'A=B', 'X']) {
        await refused(
          () => h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: { [key]: 'v' } } })),
          'ValidationException',
          400,
          /Map keys must satisfy constraint: \[Member must satisfy regular expression pattern: \[a-zA-Z\]\(\[a-zA-Z0-9_\]\)\+\]/,
        );
      }
    });

    it('more than 4 KB of variables is refused', async () => {
      await refused(
        () => h().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: { BIG: 'x'.repeat(5000) } } })),
        'InvalidParameterValueException',
        400,
        /exceeded the 4KB limit/,
      );
    });
  });

  describe('an environment no runtime can be started with, stored before these checks', () => {
    it('a state record whose variables hold a NUL is set aside at load, with a warning; the other functions load and run', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hostile-nul-state-'));
      try {
        const first = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
        const c1 = clientsFor(first);
        await createFn(c1.lambda, 'hs-keep', { Code: { ZipFile: handlerZip({ kept: true }) } });
        await createFn(c1.lambda, 'hs-old', { Environment: { Variables: { AB: 'xy' } } });
        c1.lambda.destroy();
        c1.cloudwatch.destroy();
        await first.close();
        // An earlier release accepted the NUL: the record holds it as JSON's \u0000.
        const fnDir = path.join(dir, 'functions');
        const file = fs.readdirSync(fnDir).find((f) => fs.readFileSync(path.join(fnDir, f), 'utf8').includes('"hs-old"'))!;
        const text = fs.readFileSync(path.join(fnDir, file), 'utf8');
        fs.writeFileSync(path.join(fnDir, file), text.replace('"AB":"xy"', '"AB":"x\\u0000y"'));
        const logged: string[] = [];
        const second = await startSandbox({ stateDir: dir, updateDelayMs: 0, log: (l) => logged.push(l) });
        const c2 = clientsFor(second);
        try {
          assert.equal(second.warnings.length, 1, second.warnings.join('\n'));
          assert.match(second.warnings[0], /is damaged \(\$LATEST: the environment variable AB holds a null character\): it was renamed to functions\/.*\.corrupt-/);
          assert.equal(second.store.functions.has('hs-old'), false);
          assert.ok(fs.readdirSync(fnDir).some((f) => f.startsWith(`${file}.corrupt-`)), 'the record is kept beside, for repair');
          await rejectsWith(c2.lambda.send(new InvokeCommand({ FunctionName: 'hs-old' })), 'ResourceNotFoundException', 404, /hs-old/);
          const out = await c2.lambda.send(new InvokeCommand({ FunctionName: 'hs-keep' }));
          assert.equal(out.FunctionError, undefined);
          assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString('utf8')), { kept: true });
        } finally {
          c2.lambda.destroy();
          c2.cloudwatch.destroy();
          await second.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a runtime that cannot be started is ServiceException with a generic message; the detail goes to the log only', async () => {
      const logged: string[] = [];
      const own = await startSandbox({ updateDelayMs: 0, log: (l) => logged.push(l) });
      const { lambda, cloudwatch } = clientsFor(own);
      try {
        await createFn(lambda, 'hs-unstartable');
        own.settle();
        // What no request can write any more: a record holding a NUL, as a state folder from an
        // earlier release might have before load-time checks.
        own.store.functions.get('hs-unstartable')!.latest.settings.environment.AB = 'x\u0000y';
        const before = JSON.stringify(own.store.functions.get('hs-unstartable'));
        await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'hs-unstartable' })), 'ServiceException', 500, /^An internal error occurred \(request [0-9a-f-]{36}\); the sandbox log has the detail\.$/);
        assert.ok(logged.some((l) => /Invoke internal error .*null bytes/.test(l)), `the detail is in the log:\n${logged.join('\n')}`);
        assert.equal(JSON.stringify(own.store.functions.get('hs-unstartable')), before);
        assert.equal(own.invoker.environmentCount(), 0, 'no environment left half-started');
      } finally {
        lambda.destroy();
        cloudwatch.destroy();
        await own.close();
      }
    });
  });

  describe('ARNs of another region or account', () => {
    it('UpdateAlias through an ARN of another region does not write the local alias', async () => {
      await refused(
        () => h().lambda.send(new UpdateAliasCommand({ FunctionName: ARN.replace('us-east-1', 'eu-west-1'), Name: 'live', FunctionVersion: '$LATEST' })),
        'ResourceNotFoundException',
        404,
        /^Functions from 'eu-west-1' are not reachable in this region \('us-east-1'\)$/,
      );
    });

    it('UpdateAlias through an ARN of another account is not authorized', async () => {
      await refused(
        () => h().lambda.send(new UpdateAliasCommand({ FunctionName: ARN.replace('123456789012', '999999999999'), Name: 'live', FunctionVersion: '$LATEST' })),
        'AccessDeniedException',
        403,
        /not authorized to perform: lambda:UpdateAlias on resource: arn:aws:lambda:us-east-1:999999999999:function:hs-target because no resource-based policy allows/,
      );
    });

    it('a partial ARN of another account is not served from the local one', async () => {
      await refused(() => h().lambda.send(new GetFunctionCommand({ FunctionName: `999999999999:function:${FN}` })), 'AccessDeniedException', 403, /lambda:GetFunction/);
    });

    it('DeleteFunction through another account’s ARN deletes nothing', async () => {
      await refused(() => h().lambda.send(new DeleteFunctionCommand({ FunctionName: ARN.replace('123456789012', '999999999999') })), 'AccessDeniedException', 403, /lambda:DeleteFunction/);
    });

    it('Invoke through another region’s ARN runs nothing', async () => {
      await refused(() => h().lambda.send(new InvokeCommand({ FunctionName: `${ARN.replace('us-east-1', 'eu-west-1')}:live` })), 'ResourceNotFoundException', 404, /not reachable in this region/);
    });

    it('CreateFunction named by another region’s ARN creates nothing', async () => {
      await refused(() => h().lambda.send(new CreateFunctionCommand(createInput('arn:aws:lambda:eu-west-1:123456789012:function:hs-elsewhere'))), 'ResourceNotFoundException', 404, /'eu-west-1'/);
    });

    it('the local ARN, full or partial, still works', async () => {
      const got = await h().lambda.send(new GetAliasCommand({ FunctionName: `123456789012:function:${FN}`, Name: 'live' }));
      assert.equal(got.FunctionVersion, '1');
      const fn = await h().lambda.send(new GetFunctionCommand({ FunctionName: ARN }));
      assert.equal(fn.Configuration?.FunctionName, FN);
    });
  });

  describe('CloudWatch', () => {
    // CloudWatch answers ValidationError (the wire code, in the x-amzn-query-error header); the
    // SDK names that error ValidationException, as it does for AWS.
    const VALIDATION = 'ValidationException';
    it('Maximum and Minimum over 200,000 values answer (no stack overflow)', async () => {
      const { sandbox, cloudwatch } = h();
      const now = Date.now();
      for (let i = 0; i < 200_000; i++) {
        sandbox.metrics.record({ time: now - 1000, functionName: 'hs-metrics', durationMs: i % 1000 === 0 ? 5000 + i / 1000 : 1 + (i % 7), error: false, throttled: false });
      }
      const stat = (Stat: string) => ({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'hs-metrics' }] }, Period: 3600, Stat });
      const out = await cloudwatch.send(
        new GetMetricDataCommand({ StartTime: new Date(now - 3_600_000), EndTime: new Date(now + 60_000), MetricDataQueries: [{ Id: 'mx', MetricStat: stat('Maximum') }, { Id: 'mn', MetricStat: stat('Minimum') }] }),
      );
      assert.deepEqual(out.MetricDataResults?.map((r) => r.Values?.reduce((a, b) => a + b, 0)), [5199, 1]);
      sandbox.metrics.clear();
    });

    it('a metric-math expression nested 20,000 deep is refused as CloudWatch refuses an over-long one', async () => {
      const expression = `${'('.repeat(20_000)}m${')'.repeat(20_000)}`;
      const now = Date.now();
      await refused(
        () =>
          h().cloudwatch.send(
            new GetMetricDataCommand({
              StartTime: new Date(now - 600_000),
              EndTime: new Date(now),
              MetricDataQueries: [
                { Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
                { Id: 'e', Expression: expression },
              ],
            }),
          ),
        VALIDATION,
        400,
        /at 'metricDataQueries\.2\.member\.expression' failed to satisfy constraint: Member must have length less than or equal to 2048/,
      );
    });

    it('a MetricStat that is not a structure is refused, not a 500', async () => {
      const now = Date.now();
      await refused(
        () => h().cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(now - 60_000), EndTime: new Date(now), MetricDataQueries: [{ Id: 'm', MetricStat: 'x' as never }] })),
        VALIDATION,
        400,
        /metricDataQueries\.1\.member\.metricStat/,
      );
    });

    it('ListMetrics with Dimensions that are not a list is refused, not a 500', async () => {
      await refused(() => h().cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', Dimensions: 'x' as never })), VALIDATION, 400, /at 'dimensions'/);
    });

    it('an Expression that is not a string is refused, not a 500', async () => {
      const now = Date.now();
      await refused(
        () => h().cloudwatch.send(new GetMetricDataCommand({ StartTime: new Date(now - 60_000), EndTime: new Date(now), MetricDataQueries: [{ Id: 'e', Expression: 5 as never }] })),
        VALIDATION,
        400,
        /metricDataQueries\.1\.member\.expression/,
      );
    });
  });

  describe('the event loop stays free', () => {
    /** Times GetFunction calls made one after another until `busy` settles; returns their latencies. */
    async function probeWhile(busy: Promise<unknown>): Promise<{ latencies: number[]; busyFirst: boolean }> {
      let settled = false;
      void busy.then(
        () => (settled = true),
        () => (settled = true),
      );
      const latencies: number[] = [];
      let busyFirst = false;
      while (!settled) {
        const t0 = performance.now();
        await h().lambda.send(new GetFunctionCommand({ FunctionName: FN }));
        if (settled && latencies.length === 0) busyFirst = true;
        latencies.push(performance.now() - t0);
        await sleep(5);
      }
      return { latencies, busyFirst };
    }

    /** Resolves when the sandbox starts handling the next `operation` (its body read, about to run). */
    function started(operation: string): Promise<void> {
      return new Promise((resolve) => h().sandbox.faults.add({ operation, kind: 'hook', hook: () => resolve() }));
    }

    it('GetFunction is answered while a 20,000-file package is checked at CreateFunction', async () => {
      const zip = manyFiles(20_000);
      const begun = started('CreateFunction');
      const creating = h().lambda.send(new CreateFunctionCommand(createInput('hs-many', { Code: { ZipFile: zip } })));
      await begun;
      const { latencies, busyFirst } = await probeWhile(creating);
      await creating;
      assert.equal(busyFirst, false, 'the first GetFunction waited for CreateFunction to finish');
      assert.ok(latencies.length >= 2, `answered ${latencies.length} GetFunction calls meanwhile`);
      assert.ok(Math.max(...latencies) < 1000, `slowest GetFunction took ${Math.round(Math.max(...latencies))} ms`);
    });

    it('GetFunction is answered while the same package is unpacked for its first Invoke', async () => {
      await waitUntilFunctionActiveV2({ client: h().lambda, ...fast }, { FunctionName: 'hs-many' });
      const begun = started('Invoke');
      const invoking = h().lambda.send(new InvokeCommand({ FunctionName: 'hs-many' }));
      await begun;
      const { latencies, busyFirst } = await probeWhile(invoking);
      const out = await invoking;
      assert.equal(out.FunctionError, undefined);
      assert.equal(busyFirst, false, 'the first GetFunction waited for the unpacking');
      assert.ok(latencies.length >= 2, `answered ${latencies.length} GetFunction calls meanwhile`);
      assert.ok(Math.max(...latencies) < 1000, `slowest GetFunction took ${Math.round(Math.max(...latencies))} ms`);
    });
  });

  it('still accepts an ordinary package and an ordinary update after all that', async () => {
    await h().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: handlerZip({ after: true }) }));
  });
});
