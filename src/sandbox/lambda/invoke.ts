import * as crypto from 'node:crypto';
import { delay } from '../delay';
import { AwsError, conflict, serviceError, validation } from '../errors';
import type { FunctionRecord, VersionRecord } from '../model';
import { stateOf } from '../model';
import { isVersionQualifier, runsHere, runtimesRunHere } from '../validation';
import { imageNotRunHere } from './code';
import { emfData } from '../emf';
import type { InvokeOutcome } from '../runtime/invoker';
import type { LambdaContext } from './context';
import type { Reply } from './shared';
import { MAX_INVOKE_PAYLOAD } from './shared';

/** Invoke: choosing the version (an alias's weighted routing), running it, counting it in the metrics. */
export class InvokeApi {
  constructor(private readonly ctx: LambdaContext) {}

  /** Counts a throttled invocation in the Throttles metric (used by fault injection). */
  recordThrottle(pathName: string, query: URLSearchParams): void {
    try {
      const { fn, qualifier } = this.ctx.fn(pathName, 'InvokeFunction');
      const q = this.ctx.qualifierOf(qualifier, query);
      this.ctx.metrics.record({
        time: this.ctx.opts.now(),
        functionName: fn.name,
        resource: q === undefined ? undefined : `${fn.name}:${q}`,
        durationMs: 0,
        error: false,
        throttled: true,
      });
    } catch {
      // An invalid target is answered by the operation itself.
    }
  }

  /** The version's code unpacked on disk (off the event loop, once per code blob). */
  private async codeFolder(fn: FunctionRecord, v: VersionRecord): Promise<string> {
    try {
      return await this.ctx.invoker.ensureCode(v.code.blob, () => {
        const blob = this.ctx.store.getBlob(v.code.blob);
        if (!blob) throw new AwsError('ServiceException', 500, `Code of ${this.ctx.arn(fn.name, v.version)} is missing from the sandbox store.`, 'Service');
        return blob;
      });
    } catch (e) {
      if (e instanceof AwsError) throw e;
      throw serviceError(`The sandbox could not unpack the code of ${this.ctx.arn(fn.name, v.version)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async invoke(pathName: string, query: URLSearchParams, headers: Record<string, string | string[] | undefined>, payload: Buffer): Promise<Reply> {
    const { fn, qualifier: pathQ } = this.ctx.fn(pathName, 'InvokeFunction');
    const q = this.ctx.qualifierOf(pathQ, query);
    const type = (headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw validation(type, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
    }
    if (payload.length > MAX_INVOKE_PAYLOAD) {
      throw new AwsError('RequestTooLargeException', 413, `Request must be smaller than ${MAX_INVOKE_PAYLOAD} bytes for the InvokeFunction operation`);
    }
    if (payload.length) {
      // Lambda refuses a payload that is not JSON before choosing a version: nothing runs, nothing is counted.
      try {
        JSON.parse(payload.toString('utf8'));
      } catch {
        throw new AwsError('InvalidRequestContentException', 400, 'Could not parse request body into json: the payload must be a JSON document.');
      }
    }
    let versionName: string;
    let resource: string | undefined;
    let executedVersion: string | undefined;
    if (q === undefined || q === '$LATEST') {
      versionName = '$LATEST';
      resource = q === '$LATEST' ? `${fn.name}:$LATEST` : undefined;
    } else if (isVersionQualifier(q)) {
      this.ctx.version(fn, q);
      versionName = q;
      resource = `${fn.name}:${q}`;
    } else {
      const a = this.ctx.alias(fn, q);
      versionName = a.functionVersion;
      const [extra, weight] = Object.entries(a.routing)[0] ?? [];
      if (extra !== undefined && this.ctx.random() < weight!) versionName = extra;
      resource = `${fn.name}:${a.name}`;
      executedVersion = versionName;
    }
    const v = this.ctx.version(fn, versionName);
    const state = stateOf(v, this.ctx.opts.now());
    if (state !== 'Active') {
      throw conflict(`The operation cannot be performed at this time. The function is currently in the following state: ${state}`);
    }
    if (v.code.image) throw imageNotRunHere(this.ctx.arn(fn.name), v);
    if (!runsHere(v.settings.runtime)) {
      // Its control plane is kept (versions, aliases, routing); running it is not.
      const why = /^python3\./.test(v.settings.runtime)
        ? ' (Python needs python3 on the PATH of the machine the sandbox runs on)'
        : /^provided/.test(v.settings.runtime)
          ? " (a custom runtime's bootstrap is a Linux executable: the sandbox runs it on Linux only)"
          : '';
      throw new AwsError(
        'InvalidRuntimeException',
        502,
        `The Lambda Canary sandbox cannot run ${v.settings.runtime} functions${why} (it runs ${runtimesRunHere().join(', ')}); version ${v.version} of ${fn.name} was chosen and not invoked. Its versions, aliases and routing work here; invoke it on AWS.`,
        'User',
      );
    }
    const requestId = crypto.randomUUID();
    if (type === 'DryRun') return { status: 204, headers: { 'X-Amz-Executed-Version': v.version, 'x-amzn-RequestId': requestId } };
    const invokedArn = q === undefined ? this.ctx.arn(fn.name) : this.ctx.arn(fn.name, q);
    // Drawn here, in the order invocations arrive, so that a seeded sandbox fails the same ones.
    const plan = this.ctx.opts.versionBehaviour?.plan(fn.name, v.version) ?? { fail: false, latencyMs: 0 };
    const spec = plan.fail
      ? undefined
      : {
          key: `${fn.name}\u0000${v.version}\u0000${v.revisionId}\u0000${v.code.blob}`,
          init: {
            taskRoot: await this.codeFolder(fn, v),
            handler: v.settings.handler,
            functionName: fn.name,
            functionVersion: v.version,
            memorySize: v.settings.memorySize,
            region: this.ctx.opts.region,
            accountId: this.ctx.opts.accountId,
            runtime: v.settings.runtime,
          },
          timeoutSeconds: v.settings.timeout,
          memorySize: v.settings.memorySize,
          environment: v.settings.environment,
        };
    const clientContext = headers['x-amz-client-context'] as string | undefined;
    const execute = async (): Promise<InvokeOutcome> => {
      const out: InvokeOutcome = spec
        ? await this.ctx.invoker.invoke(spec, { requestId, payload: payload.toString('utf8'), invokedFunctionArn: invokedArn, clientContext })
        : injectedFailure(fn.name, v.version);
      if (plan.latencyMs <= 0) return out;
      const from = performance.now();
      await delay(plan.latencyMs, from);
      return { ...out, durationMs: out.durationMs + (performance.now() - from) };
    };
    const run = execute().then((out) => {
      this.ctx.metrics.record({
        time: this.ctx.opts.now(),
        functionName: fn.name,
        resource,
        executedVersion,
        durationMs: out.durationMs,
        error: !out.ok,
        throttled: false,
      });
      // As Lambda's logs do: the Embedded Metric Format records the function printed become metrics.
      for (const d of emfData(out.logs, this.ctx.opts.now())) this.ctx.metrics.custom.record(d);
      return out;
    });
    if (type === 'Event') {
      run.catch(() => undefined);
      return { status: 202, headers: { 'X-Amz-Executed-Version': v.version, 'x-amzn-RequestId': requestId } };
    }
    const out = await run;
    const replyHeaders: Record<string, string> = { 'X-Amz-Executed-Version': v.version, 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' };
    if (!out.ok) replyHeaders['X-Amz-Function-Error'] = 'Unhandled';
    if (headers['x-amz-log-type'] === 'Tail') {
      const report = [
        `START RequestId: ${requestId} Version: ${v.version}`,
        ...out.logs,
        `END RequestId: ${requestId}`,
        `REPORT RequestId: ${requestId}\tDuration: ${out.durationMs.toFixed(2)} ms\tMemory Size: ${v.settings.memorySize} MB`,
      ].join('\n');
      const tail = Buffer.from(report, 'utf8');
      replyHeaders['X-Amz-Log-Result'] = tail.subarray(Math.max(0, tail.length - 4096)).toString('base64');
    }
    const body = typeof out.payload === 'string' ? Buffer.from(out.payload, 'utf8') : out.payload;
    if (body.length > MAX_INVOKE_PAYLOAD) {
      replyHeaders['X-Amz-Function-Error'] = 'Unhandled';
      return {
        status: 200,
        headers: replyHeaders,
        raw: Buffer.from(JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_INVOKE_PAYLOAD} bytes).` })),
      };
    }
    return { status: 200, headers: replyHeaders, raw: body };
  }
}

/**
 * The outcome of an invocation that a version's injected error rate fails: as an unhandled error
 * thrown by the handler (Lambda's error document), with the handler not run.
 */
function injectedFailure(functionName: string, version: string): InvokeOutcome {
  const doc = {
    errorType: 'Sandbox.InjectedError',
    errorMessage: `Injected failure: version ${version} of ${functionName} fails this share of its invocations (the sandbox's --version-errors).`,
    trace: [],
  };
  return { ok: false, errorType: doc.errorType, payload: JSON.stringify(doc), logs: [`ERROR\tInvoke Error \t${JSON.stringify(doc)}`], durationMs: 0, coldStart: false };
}
