import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { delay } from './delay';
import { AwsError, serviceError, throttling, tooManyRequests } from './errors';
import type { FaultSpec } from './faults';
import { FaultInjector } from './faults';
import { checkRateLimit, RateLimiter } from './ratelimit';
import type { QueryRequest } from './cloudwatchQuery';
import { parseQueryRequest, queryErrorResponse, queryResponse } from './cloudwatchQuery';
import type { BodyTypes, Refusal } from './gate';
import { checkCaller, checkContentType, checkSignature, CLOUDTRAIL_BODY, CLOUDWATCH_BODY, CLOUDWATCH_QUERY_BODY, CODEDEPLOY_BODY, credentialKey, INVOKE_BODY, JSON_BODY, mediaType } from './gate';
import type { AuditedService } from './cloudtrail/events';
import { codeDeployRole, eventKind, iamUser } from './cloudtrail/events';
import { checkCloudTrailLag, CloudTrailLog } from './cloudtrail/log';
import { cloudTrailOperation, lookupEvents } from './cloudtrail/lookup';
import { CODEDEPLOY_TARGET_PREFIX, CodeDeployService, DEFAULT_MINUTE_MS } from './codedeploy/service';
import type { Reply } from './lambda/service';
import { LambdaService } from './lambda/service';
import { AlarmStore } from './alarms';
import { MetricsStore } from './metrics';
import type { Random } from './random';
import { seededRandom } from './random';
import { Invoker } from './runtime/invoker';
import { providedEnvironment, sdkModulesFolder } from './runtime/provided';
import type { Store } from './store';
import { DirectoryStore, MemoryStore } from './store';
import type { VersionBehaviourSpec } from './versionBehaviour';
import { checkMetricLag, checkVersionBehaviour, VersionBehaviour } from './versionBehaviour';

export const MAX_BODY_BYTES = 70 * 1024 * 1024;

/** How long a GetFunction `Code.Location` stays valid, as AWS's presigned URL does. */
export const CODE_URL_TTL_MS = 10 * 60_000;

export interface SandboxOptions {
  /** 0 (default) picks a free port. The server only ever binds the loopback interface. */
  port?: number;
  /** Keep state in this directory (survives restarts); in memory when absent. */
  stateDir?: string;
  region?: string;
  accountId?: string;
  /** How long State=Pending / LastUpdateStatus=InProgress lasts after a write (default 200 ms). */
  updateDelayMs?: number;
  /**
   * How long the sandbox takes to answer, counted from a request's arrival: its reply (or dropped
   * connection) leaves then, or as soon as it is ready if handling it took longer. As AWS's own
   * response time, it includes the sandbox's work rather than adding to it.
   */
  latencyMs?: number;
  /** Seed for alias routing decisions; random when absent. */
  randomSeed?: number;
  /** Path of the compiled worker script; found next to this module by default. */
  workerScript?: string;
  /** Where unpacked code goes (default: a temp folder removed on close). */
  codeDir?: string;
  /** Warm execution environments per version (default 4). */
  maxEnvironmentsPerVersion?: number;
  /** Logs one line per request when set. */
  log?: (line: string) => void;
  /** Called with the log line of each refused request (browser, foreign Host, unsigned, wrong key). */
  onRefused?: (line: string) => void;
  /**
   * Accept only SigV4 signatures whose `Credential=` names this access key (any secret): a web
   * page that finds the port cannot know it. Any key is accepted when absent.
   */
  accessKeyId?: string;
  /**
   * Serve the test and demo endpoints under `/_sandbox/` (health, faults, latency). They take
   * signed requests like the API. Off by default; the standalone CLI turns them on.
   */
  admin?: boolean;
  /**
   * Published versions that fail a share of their invocations or run slower, whoever invokes
   * them (see versionBehaviour.ts); reproducible with randomSeed. Also settable at run time.
   */
  versionBehaviour?: VersionBehaviourSpec[];
  /** CloudWatch's delivery lag: GetMetricData and ListMetrics see only samples this many seconds old (default 0). */
  metricLagSeconds?: number;
  /**
   * How long one CodeDeploy minute lasts, in ms (default 60000): with 100, a
   * CodeDeployDefault.LambdaCanary10Percent5Minutes deployment takes half a second.
   */
  codeDeployMinuteMs?: number;
  /**
   * More access keys accepted when `accessKeyId` is set (a teammate's, a pipeline's): each signs
   * as its own IAM user in the sandbox's CloudTrail. Without `accessKeyId` every key is accepted
   * (and is its own user) anyway.
   */
  otherAccessKeyIds?: string[];
  /** CloudTrail user names of access keys (key → name); others are `user-<last 4 characters of the key, lower case>`. */
  users?: Record<string, string>;
  /** CloudTrail's delivery lag: LookupEvents sees an event only this many seconds after it (default 0). */
  cloudTrailLagSeconds?: number;
  /** Record reads (GetAlias, List*, Describe*) as CloudTrail events too (readOnly true); off by default. */
  cloudTrailReadEvents?: boolean;
  /**
   * Requests a second per API operation (UpdateAlias, GetAlias, PublishVersion … each its own
   * token bucket, with a burst of as many), as AWS's control-plane quotas: over it, Lambda answers
   * 429 TooManyRequestsException (Reason CallerRateLimitExceeded, Retry-After), CloudWatch
   * `Throttling`, CodeDeploy and CloudTrail ThrottlingException, and nothing is done. Every
   * operation but Invoke (which Lambda limits by concurrency instead). No limit when absent;
   * changeable at run time (`rateLimit.set`).
   */
  rateLimit?: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** The only access key the sandbox accepts, when it was started with one. */
  readonly accessKeyId: string | undefined;
  readonly lambda: LambdaService;
  readonly store: Store;
  readonly metrics: MetricsStore;
  /** CloudWatch metric alarms, evaluated against `metrics` when described. */
  readonly alarms: AlarmStore;
  /** CodeDeploy's Lambda deployments (CodeDeploy_20141006.*), shifting aliases of `lambda`. */
  readonly codedeploy: CodeDeployService;
  /** The CloudTrail event history of every write answered (CloudTrail_20131101.LookupEvents reads it). */
  readonly cloudtrail: CloudTrailLog;
  readonly faults: FaultInjector;
  /** The per-operation rate limit: `set(n | undefined)`, and `stats()` of the requests allowed and throttled. */
  readonly rateLimit: RateLimiter;
  /** Per-version injected failures and latency, changeable at run time. */
  readonly versionBehaviour: VersionBehaviour;
  readonly invoker: Invoker;
  /** What loading the state directory found wrong and did about it (also logged): print these. */
  readonly warnings: readonly string[];
  /** Changes the injected per-request latency at run time. */
  setLatency(ms: number): void;
  /** Changes CloudWatch's delivery lag at run time (seconds). */
  setMetricLag(seconds: number): void;
  /** Changes CloudTrail's delivery lag at run time (seconds). */
  setCloudTrailLag(seconds: number): void;
  /** Replaces the routing random source (tests use a seeded one). */
  setRandom(random: Random): void;
  /** Marks every function, version and event source mapping as settled: no Pending / InProgress / Creating … left. */
  settle(): void;
  /** Tests: `uri` resolves to `digest` from now on, as after a push to ECR (see LambdaService.pushImage). */
  pushImage(uri: string, digest: string): void;
  close(): Promise<void>;
}

/** Resolves the worker script beside the compiled sandbox (tsc output) or in the webpack bundle. */
function defaultWorkerScript(): string {
  const candidates = [
    path.join(__dirname, 'runtime', 'worker.js'),
    path.join(__dirname, 'sandboxWorker.js'),
    path.join(__dirname, '..', 'dist', 'sandboxWorker.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`The sandbox worker script was not found (looked in ${candidates.join(', ')}). Build first.`);
  return found;
}

interface Route {
  op: string;
  method: string;
  pattern: RegExp;
  body?: BodyTypes;
  run: (m: RegExpExecArray, ctx: RequestContext) => Reply | Promise<Reply>;
}

interface RequestContext {
  query: URLSearchParams;
  body: Buffer;
  json: () => Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** The fault that fired for this request, for the faults an operation answers itself (publishOther). */
  fault?: FaultSpec;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // AWS's own constraint on access key IDs; an empty or odd one would refuse every client.
  if (options.accessKeyId !== undefined && !/^[A-Za-z0-9]{16,128}$/.test(options.accessKeyId)) {
    throw new Error(`The sandbox access key ID must be 16 to 128 letters and digits, as AWS's are; got '${options.accessKeyId}'.`);
  }
  for (const key of options.otherAccessKeyIds ?? []) {
    if (!/^[A-Za-z0-9]{16,128}$/.test(key)) throw new Error(`Each of the sandbox's other access key IDs must be 16 to 128 letters and digits, as AWS's are; got '${key}'.`);
  }
  const acceptedKeys = options.accessKeyId === undefined ? undefined : [options.accessKeyId, ...(options.otherAccessKeyIds ?? [])];
  const versionBehaviour = new VersionBehaviour(options.randomSeed);
  // Checked before anything is started, so that a bad value leaves nothing behind.
  try {
    for (const spec of options.versionBehaviour ?? []) versionBehaviour.set(spec);
    if (options.metricLagSeconds !== undefined) checkMetricLag(options.metricLagSeconds);
    checkMinuteMs(options.codeDeployMinuteMs);
    if (options.cloudTrailLagSeconds !== undefined) checkCloudTrailLag(options.cloudTrailLagSeconds);
    if (options.rateLimit !== undefined) checkRateLimit(options.rateLimit);
  } catch (e) {
    throw new Error(`The sandbox's ${(e as Error).message}.`, { cause: e });
  }
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const store: Store = options.stateDir ? new DirectoryStore(options.stateDir, options.log) : new MemoryStore();
  const ownCodeDir = !options.codeDir;
  const codeDir = options.codeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-canary-code-'));
  fs.mkdirSync(codeDir, { recursive: true });
  const invoker = new Invoker({
    workerScript: options.workerScript ?? defaultWorkerScript(),
    codeRoot: codeDir,
    maxEnvironmentsPerVersion: options.maxEnvironmentsPerVersion,
    log: options.log,
    // Bound below, before any function can run.
    providedEnvironment: () => providedEnvironment(baseUrl, options.accessKeyId, sdkModules),
  });
  const sdkModules = sdkModulesFolder();
  const metrics = new MetricsStore();
  metrics.lagMs = (options.metricLagSeconds ?? 0) * 1000;
  const alarms = new AlarmStore(metrics, `arn:aws:cloudwatch:${region}:${accountId}:alarm:`);
  const faults = new FaultInjector();
  const rateLimit = new RateLimiter(options.rateLimit);
  let random: Random = options.randomSeed === undefined ? Math.random : seededRandom(options.randomSeed);
  let latencyMs = options.latencyMs ?? 0;
  let baseUrl = '';
  // GetFunction's Code.Location is fetched without a signature, as AWS's presigned S3 URL is:
  // it carries an expiry and an HMAC under a key made at this start, so it cannot be guessed.
  const codeKey = crypto.randomBytes(32);
  const codeToken = (blob: string, expires: string) => crypto.createHmac('sha256', codeKey).update(`${blob}\n${expires}`).digest('hex');
  const codeUrl = (blob: string) => {
    const expires = String(Date.now() + CODE_URL_TTL_MS);
    return `${baseUrl}/_sandbox/code/${blob}.zip?Expires=${expires}&Signature=${codeToken(blob, expires)}`;
  };
  const lambda = new LambdaService(store, invoker, metrics, () => random(), {
    region,
    accountId,
    updateDelayMs: options.updateDelayMs ?? 200,
    codeUrl,
    now: () => Date.now(),
    versionBehaviour,
  });
  const cloudtrail = new CloudTrailLog({ stateDir: options.stateDir, lagSeconds: options.cloudTrailLagSeconds, log: options.log });
  const readEvents = options.cloudTrailReadEvents ?? false;
  const codedeploy = new CodeDeployService({
    lambda,
    alarms,
    minuteMs: options.codeDeployMinuteMs ?? DEFAULT_MINUTE_MS,
    log: options.log,
    stateDir: options.stateDir,
    // The engine's alias shifts are CodeDeploy's calls, made with the group's service role.
    onAliasUpdate: (u) => {
      const now = Date.now();
      const error = u.error instanceof AwsError ? u.error : u.error === undefined ? undefined : serviceError();
      cloudtrail.record({
        service: 'lambda',
        op: 'UpdateAlias',
        identity: codeDeployRole(u.serviceRoleArn ?? `arn:aws:iam::${accountId}:role/CodeDeployServiceRole`, accountId, u.deploymentCreateTime),
        userAgent: 'codedeploy.amazonaws.com',
        sourceIPAddress: 'codedeploy.amazonaws.com',
        region,
        accountId,
        requestId: crypto.randomUUID(),
        request: { FunctionName: u.functionName, Name: u.alias, ...u.request },
        reply: u.reply,
        error: error && { code: error.code, message: error.message },
        time: now,
      });
    },
  });
  // Their records live in the same state directory; what loading them found joins the store's.
  // (The CloudTrail log has already logged its own.)
  if (store instanceof DirectoryStore) {
    for (const w of codedeploy.warnings) {
      store.warnings.push(w);
      options.log?.(w);
    }
    store.warnings.push(...cloudtrail.warnings);
  }

  const F = '/2015-03-31/functions';
  const NAME = '([^/]+)';
  const ESM = '/2015-03-31/event-source-mappings';
  const URLS = '/2021-10-31/functions';
  const ASYNC = '/2019-09-25/functions';
  const routes: Route[] = [
    { op: 'ListFunctions', method: 'GET', pattern: new RegExp(`^${F}$`), run: (_m, c) => lambda.listFunctions(c.query) },
    { op: 'CreateFunction', method: 'POST', pattern: new RegExp(`^${F}$`), run: (_m, c) => lambda.createFunction(c.json()) },
    { op: 'GetFunction', method: 'GET', pattern: new RegExp(`^${F}/${NAME}$`), run: (m, c) => lambda.getFunction(m[1], c.query) },
    { op: 'DeleteFunction', method: 'DELETE', pattern: new RegExp(`^${F}/${NAME}$`), run: (m, c) => lambda.deleteFunction(m[1], c.query) },
    { op: 'GetFunctionConfiguration', method: 'GET', pattern: new RegExp(`^${F}/${NAME}/configuration$`), run: (m, c) => lambda.getFunctionConfiguration(m[1], c.query) },
    { op: 'UpdateFunctionConfiguration', method: 'PUT', pattern: new RegExp(`^${F}/${NAME}/configuration$`), run: (m, c) => lambda.updateFunctionConfiguration(m[1], c.json()) },
    { op: 'UpdateFunctionCode', method: 'PUT', pattern: new RegExp(`^${F}/${NAME}/code$`), run: (m, c) => lambda.updateFunctionCode(m[1], c.json(), c.fault?.kind === 'failUpdate') },
    { op: 'ListVersionsByFunction', method: 'GET', pattern: new RegExp(`^${F}/${NAME}/versions$`), run: (m, c) => lambda.listVersions(m[1], c.query) },
    {
      op: 'PublishVersion',
      method: 'POST',
      pattern: new RegExp(`^${F}/${NAME}/versions$`),
      run: (m, c) => (c.fault?.kind === 'publishOther' ? lambda.publishVersionOverConcurrentUpload(m[1], c.json()) : lambda.publishVersion(m[1], c.json())),
    },
    { op: 'ListAliases', method: 'GET', pattern: new RegExp(`^${F}/${NAME}/aliases$`), run: (m, c) => lambda.listAliases(m[1], c.query) },
    { op: 'CreateAlias', method: 'POST', pattern: new RegExp(`^${F}/${NAME}/aliases$`), run: (m, c) => lambda.createAlias(m[1], c.json()) },
    { op: 'GetAlias', method: 'GET', pattern: new RegExp(`^${F}/${NAME}/aliases/${NAME}$`), run: (m) => lambda.getAlias(m[1], m[2]) },
    { op: 'UpdateAlias', method: 'PUT', pattern: new RegExp(`^${F}/${NAME}/aliases/${NAME}$`), run: (m, c) => lambda.updateAlias(m[1], m[2], c.json()) },
    { op: 'DeleteAlias', method: 'DELETE', pattern: new RegExp(`^${F}/${NAME}/aliases/${NAME}$`), run: (m) => lambda.deleteAlias(m[1], m[2]) },
    { op: 'Invoke', method: 'POST', pattern: new RegExp(`^${F}/${NAME}/invocations$`), body: INVOKE_BODY, run: (m, c) => lambda.invoke(m[1], c.query, c.headers, c.body) },
    { op: 'ListEventSourceMappings', method: 'GET', pattern: new RegExp(`^${ESM}$`), run: (_m, c) => lambda.listEventSourceMappings(c.query) },
    { op: 'CreateEventSourceMapping', method: 'POST', pattern: new RegExp(`^${ESM}$`), run: (_m, c) => lambda.createEventSourceMapping(c.json()) },
    { op: 'GetEventSourceMapping', method: 'GET', pattern: new RegExp(`^${ESM}/${NAME}$`), run: (m) => lambda.getEventSourceMapping(m[1]) },
    { op: 'UpdateEventSourceMapping', method: 'PUT', pattern: new RegExp(`^${ESM}/${NAME}$`), run: (m, c) => lambda.updateEventSourceMapping(m[1], c.json()) },
    { op: 'DeleteEventSourceMapping', method: 'DELETE', pattern: new RegExp(`^${ESM}/${NAME}$`), run: (m) => lambda.deleteEventSourceMapping(m[1]) },
    { op: 'CreateFunctionUrlConfig', method: 'POST', pattern: new RegExp(`^${URLS}/${NAME}/url$`), run: (m, c) => lambda.createFunctionUrlConfig(m[1], c.query, c.json()) },
    { op: 'GetFunctionUrlConfig', method: 'GET', pattern: new RegExp(`^${URLS}/${NAME}/url$`), run: (m, c) => lambda.getFunctionUrlConfig(m[1], c.query) },
    { op: 'UpdateFunctionUrlConfig', method: 'PUT', pattern: new RegExp(`^${URLS}/${NAME}/url$`), run: (m, c) => lambda.updateFunctionUrlConfig(m[1], c.query, c.json()) },
    { op: 'DeleteFunctionUrlConfig', method: 'DELETE', pattern: new RegExp(`^${URLS}/${NAME}/url$`), run: (m, c) => lambda.deleteFunctionUrlConfig(m[1], c.query) },
    { op: 'ListFunctionUrlConfigs', method: 'GET', pattern: new RegExp(`^${URLS}/${NAME}/urls$`), run: (m, c) => lambda.listFunctionUrlConfigs(m[1], c.query) },
    { op: 'AddPermission', method: 'POST', pattern: new RegExp(`^${F}/${NAME}/policy$`), run: (m, c) => lambda.addPermission(m[1], c.query, c.json()) },
    { op: 'GetPolicy', method: 'GET', pattern: new RegExp(`^${F}/${NAME}/policy$`), run: (m, c) => lambda.getPolicy(m[1], c.query) },
    { op: 'RemovePermission', method: 'DELETE', pattern: new RegExp(`^${F}/${NAME}/policy/${NAME}$`), run: (m, c) => lambda.removePermission(m[1], m[2], c.query) },
    { op: 'PutFunctionEventInvokeConfig', method: 'PUT', pattern: new RegExp(`^${ASYNC}/${NAME}/event-invoke-config$`), run: (m, c) => lambda.putFunctionEventInvokeConfig(m[1], c.query, c.json()) },
    { op: 'UpdateFunctionEventInvokeConfig', method: 'POST', pattern: new RegExp(`^${ASYNC}/${NAME}/event-invoke-config$`), run: (m, c) => lambda.updateFunctionEventInvokeConfig(m[1], c.query, c.json()) },
    { op: 'GetFunctionEventInvokeConfig', method: 'GET', pattern: new RegExp(`^${ASYNC}/${NAME}/event-invoke-config$`), run: (m, c) => lambda.getFunctionEventInvokeConfig(m[1], c.query) },
    { op: 'DeleteFunctionEventInvokeConfig', method: 'DELETE', pattern: new RegExp(`^${ASYNC}/${NAME}/event-invoke-config$`), run: (m, c) => lambda.deleteFunctionEventInvokeConfig(m[1], c.query) },
    { op: 'ListFunctionEventInvokeConfigs', method: 'GET', pattern: new RegExp(`^${ASYNC}/${NAME}/event-invoke-config/list$`), run: (m, c) => lambda.listFunctionEventInvokeConfigs(m[1], c.query) },
  ];

  const cloudWatchOps: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    GetMetricData: (input) => metrics.getMetricData(input),
    ListMetrics: (input) => metrics.listMetrics(input),
    PutMetricAlarm: (input) => alarms.putMetricAlarm(input),
    DescribeAlarms: (input) => alarms.describeAlarms(input),
    DeleteAlarms: (input) => alarms.deleteAlarms(input),
  };

  let boundPort = 0;
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => {
      options.log?.(`internal error: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
      if (!res.headersSent) {
        // AWS's shape, never the error's own text: the detail is in the sandbox log.
        const body = JSON.stringify({ Type: 'Service', message: 'An internal error occurred.' });
        res.writeHead(500, {
          'x-amzn-RequestId': crypto.randomUUID(),
          'x-amzn-ErrorType': 'ServiceException',
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        });
        res.end(body);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = crypto.randomUUID();
    // Only origin-form targets ("/path?query"), as every SDK sends: an absolute URL names a host
    // other than the one the caller checks cover, and a target that does not parse is refused.
    const rawTarget = req.url ?? '/';
    let url = new URL('http://sandbox/');
    let badTarget: string | undefined = rawTarget.startsWith('/') ? undefined : 'not a path';
    if (!badTarget) {
      try {
        url = new URL(`http://sandbox${rawTarget}`);
      } catch {
        badTarget = 'not a valid URL path';
      }
    }
    const target = req.headers['x-amz-target'];
    const isCloudWatch = typeof target === 'string' && target.startsWith('GraniteServiceVersion20100801.');
    const isCodeDeploy = typeof target === 'string' && target.startsWith(CODEDEPLOY_TARGET_PREFIX);
    const cloudTrailOp = cloudTrailOperation(target);
    const isCloudTrail = cloudTrailOp !== undefined;
    // CloudWatch's Query protocol: a form posted to `/`, the operation in its Action parameter.
    const isQuery = !isCloudWatch && !isCodeDeploy && !isCloudTrail && req.method === 'POST' && url.pathname === '/' && target === undefined && mediaType(req.headers) === 'application/x-www-form-urlencoded';
    const arrived = performance.now();
    // The latency in force when the request arrived; its reply leaves that long after arrival.
    const latency = latencyMs;
    const replyTime = async () => {
      if (latency > 0) await delay(latency, arrived);
    };
    let op = 'Unknown';
    let onThrottle: (() => void) | undefined;
    // The service whose rate limit and throttling answer apply (none: not rate-limited).
    let limited: 'lambda' | 'cloudwatch' | 'codedeploy' | 'cloudtrail' | undefined;
    // The FunctionName path parameter, as the request gives it, for faults aimed at one function.
    let functionName: string | undefined;
    // Set once readBody owns the body (it drains what it refuses); a refusal before that
    // discards the unread body so that the connection can be reused.
    let bodyTaken = false;
    let refusal: string | undefined;
    const admit = (r: Refusal | undefined) => {
      if (!r) return;
      refusal = r.reason;
      throw r.error;
    };

    // The operation CloudTrail records this request as, once it is known to be one the sandbox
    // answers; its parameters are read from the body once that is read.
    let audit: { service: AuditedService; params: () => Record<string, unknown> | undefined } | undefined;
    let requestBody: Buffer | undefined;
    // Once per request, and best effort: the request has been answered (its write done) by then,
    // so recording it must never change the reply.
    let recorded = false;
    const recordEvent = (outcome: { reply?: unknown; error?: AwsError }) => {
      if (recorded || !audit || refusal !== undefined) return;
      recorded = true;
      try {
        const kind = eventKind(audit.service, op);
        if (!kind || (kind.readOnly && !readEvents)) return;
        let request: Record<string, unknown> | undefined;
        try {
          request = audit.params();
        } catch {
          request = undefined;
        }
        const key = credentialKey(req.headers) ?? 'UNKNOWN';
        const ua = req.headers['user-agent'];
        cloudtrail.record({
          service: audit.service,
          op,
          identity: iamUser(key, accountId, options.users),
          userAgent: typeof ua === 'string' ? ua : undefined,
          sourceIPAddress: '127.0.0.1',
          region,
          accountId,
          requestId,
          request,
          reply: outcome.reply,
          error: outcome.error && { code: outcome.error.code, message: outcome.error.message },
        });
      } catch (e) {
        options.log?.(`CloudTrail: ${op} (request ${requestId}) was answered but not recorded: ${e instanceof Error ? e.message : String(e)}`);
      }
    };

    let truncate = false;
    const send = async (status: number, body: Buffer | string | undefined, headers: Record<string, string>) => {
      // Encoded and measured before the reply time, so that only the write happens then; a
      // Content-Length (as AWS sends) rather than chunks.
      const bytes = status === 204 || status === 304 ? undefined : body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
      const head = { 'x-amzn-RequestId': requestId, ...(bytes ? { 'content-length': String(bytes.length) } : {}), ...headers };
      await replyTime();
      if (truncate && bytes && bytes.length > 1) {
        // The 'truncate' fault: the status, headers and half the body, then the connection drops.
        res.writeHead(status, head);
        res.write(bytes.subarray(0, bytes.length >> 1), () => req.socket.destroy());
        options.log?.(`${req.method} ${url.pathname} ${op} → ${status}, connection dropped mid-body (fault)`);
        return;
      }
      res.writeHead(status, head);
      res.end(bytes);
      if (refusal !== undefined) {
        const line = `${req.method} ${url.pathname} ${op} → ${status} refused: ${refusal}`;
        options.log?.(line);
        options.onRefused?.(line);
        return;
      }
      options.log?.(`${req.method} ${url.pathname} ${op} → ${status} (${Math.round(performance.now() - arrived)} ms)`);
    };
    const sendError = (e: AwsError) => {
      if (isQuery) {
        return send(e.status, queryErrorResponse(e, requestId), { 'content-type': 'text/xml', ...e.headers });
      } else if (isCodeDeploy || isCloudTrail) {
        return send(e.status, JSON.stringify({ __type: e.code, message: e.message }), { 'content-type': 'application/x-amz-json-1.1', ...e.headers });
      } else if (isCloudWatch) {
        return send(e.status, JSON.stringify({ __type: e.code, message: e.message }), {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${e.code};${e.status >= 500 ? 'Receiver' : 'Sender'}`,
          ...e.headers,
        });
      } else {
        // Lambda's modeled errors carry `Message` (the model's member) and its body `message`: both are sent.
        return send(e.status, JSON.stringify({ Type: e.type, message: e.message, Message: e.message, ...e.members }), {
          'content-type': 'application/json',
          'x-amzn-ErrorType': e.code,
          ...e.headers,
        });
      }
    };

    // What the request asks for is named before any check, so that a refusal's log line says it.
    const code = /^\/_sandbox\/code\/([0-9a-f]{64})\.zip$/.exec(url.pathname);
    const isAdmin = !code && url.pathname.startsWith('/_sandbox/');
    const pathname = url.pathname.replace(/\/+$/, '');
    const matching = code || isAdmin || isCloudWatch || isCodeDeploy || isCloudTrail || isQuery ? [] : routes.filter((r) => r.pattern.test(pathname));
    const route = matching.find((r) => r.method === req.method);
    if (code) op = 'GetFunctionCode';
    else if (isAdmin) op = 'Admin';
    else if (isCloudWatch) op = target.slice('GraniteServiceVersion20100801.'.length);
    else if (isCodeDeploy) op = target.slice(CODEDEPLOY_TARGET_PREFIX.length);
    else if (cloudTrailOp !== undefined) op = cloudTrailOp;
    // Named by the body's Action once it is read.
    else if (isQuery) op = 'CloudWatchQuery';
    else if (route) op = route.op;

    try {
      if (badTarget) {
        refusal = `request target ${JSON.stringify(rawTarget.slice(0, 200))} is ${badTarget}`;
        throw new AwsError('UnknownOperationException', 400, `The request target must be a path such as /2015-03-31/functions (origin form, as the AWS SDKs send it); got ${JSON.stringify(rawTarget.slice(0, 200))}, which is ${badTarget}.`);
      }
      admit(checkCaller(req.headers, boundPort));

      if (code) {
        // A capability URL, like AWS's presigned one: no signature, but its token and expiry.
        if (req.method !== 'GET') throw new AwsError('MethodNotAllowedException', 405, `${req.method} is not allowed on a code URL; allowed: GET.`);
        admit(checkCodeUrl(code[1], url.searchParams));
        const blob = store.getBlob(code[1]);
        if (!blob) throw new AwsError('ResourceNotFoundException', 404, 'No such code blob.');
        await send(200, blob, { 'content-type': 'application/zip' });
        return;
      }

      admit(checkSignature(req.headers, acceptedKeys));

      if (isAdmin) {
        if (!options.admin) throw new AwsError('UnknownOperationException', 404, `No Lambda operation at ${req.method} ${url.pathname} (the sandbox's admin endpoints are off; the standalone sandbox serves them).`);
        admit(checkContentType(req.headers, `${req.method} ${url.pathname}`, JSON_BODY));
        bodyTaken = true;
        const reply = await admin(req.method ?? 'GET', url, await readBody(req));
        await send(reply.status, JSON.stringify(reply.body ?? {}), { 'content-type': 'application/json' });
        return;
      }

      let run: (body: Buffer, fault?: FaultSpec) => Reply | Promise<Reply>;
      // A Query form, decoded once read (below); the same engine as the JSON protocol answers it.
      let query: QueryRequest | undefined;
      if (isQuery) {
        admit(checkContentType(req.headers, 'A CloudWatch Query request', CLOUDWATCH_QUERY_BODY));
        limited = 'cloudwatch';
        run = () => ({ status: 200, body: cloudWatchOps[query!.action](query!.input) });
      } else if (isCodeDeploy) {
        const fn = Object.hasOwn(codedeploy.operations, op) ? codedeploy.operations[op] : undefined;
        if (req.method !== 'POST' || url.pathname !== '/' || !fn) {
          throw new AwsError('UnknownOperationException', 400, `The CodeDeploy operation ${op} is not supported by the sandbox (${Object.keys(codedeploy.operations).join(', ')}).`);
        }
        audit = { service: 'codedeploy', params: () => (requestBody ? parseJson(requestBody) : undefined) };
        admit(checkContentType(req.headers, op, CODEDEPLOY_BODY));
        limited = 'codedeploy';
        run = async (body) => ({ status: 200, body: await fn(parseJson(body)) });
      } else if (isCloudTrail) {
        if (req.method !== 'POST' || url.pathname !== '/' || op !== 'LookupEvents') {
          throw new AwsError('UnknownOperationException', 400, `The CloudTrail operation ${op} is not supported by the sandbox (LookupEvents).`);
        }
        admit(checkContentType(req.headers, op, CLOUDTRAIL_BODY));
        limited = 'cloudtrail';
        run = (body) => ({ status: 200, body: lookupEvents(cloudtrail, parseJson(body)) });
      } else if (isCloudWatch) {
        // Own names only: `constructor` or `toString` must not reach Object.prototype's functions.
        const fn = Object.hasOwn(cloudWatchOps, op) ? cloudWatchOps[op] : undefined;
        if (req.method !== 'POST' || url.pathname !== '/' || !fn) {
          throw new AwsError('UnknownOperationException', 400, `The operation ${op} is not supported by the sandbox (${Object.keys(cloudWatchOps).join(', ')}).`);
        }
        audit = { service: 'cloudwatch', params: () => (requestBody ? parseJson(requestBody) : undefined) };
        admit(checkContentType(req.headers, op, CLOUDWATCH_BODY));
        limited = 'cloudwatch';
        run = (body) => {
          const input = parseJson(body);
          return { status: 200, body: fn(input) };
        };
      } else {
        if (!route) {
          if (matching.length) {
            throw new AwsError('MethodNotAllowedException', 405, `${req.method} is not allowed on ${pathname}; allowed: ${matching.map((r) => r.method).join(', ')}.`);
          }
          throw new AwsError('UnknownOperationException', 404, `No Lambda operation at ${req.method} ${url.pathname}.`);
        }
        const m = route.pattern.exec(pathname)!;
        const rawGroups = [...m];
        // Parsed once, for the operation and its event both (a body may be tens of MB).
        let parsed: Record<string, unknown> | undefined;
        const bodyJson = (body: Buffer) => (parsed ??= parseJson(body));
        audit = {
          service: 'lambda',
          params: () => {
            // Path and query parameters, then the body's members, as CloudTrail lists them.
            const names = pathParameterNames(route.op);
            const fromPath = Object.fromEntries(names.map((n, i) => [n, safeDecode(rawGroups[i + 1] ?? '')]).filter(([, v]) => v !== ''));
            const fromQuery = Object.fromEntries(url.searchParams);
            const fromBody = route.body === INVOKE_BODY || !requestBody ? {} : bodyJson(requestBody);
            return { ...fromPath, ...fromQuery, ...fromBody };
          },
        };
        admit(checkContentType(req.headers, op, route.body ?? JSON_BODY));
        for (let i = 1; i < m.length; i++) m[i] = safeDecode(m[i]);
        if (route.op === 'Invoke') onThrottle = () => lambda.recordThrottle(m[1], url.searchParams);
        else limited = 'lambda';
        if (pathParameterNames(route.op)[0] === 'functionName') functionName = m[1];
        run = (body, fault) => route.run(m, { query: url.searchParams, body, headers: req.headers, json: () => bodyJson(body), fault });
      }

      bodyTaken = true;
      const body = await readBody(req);
      requestBody = body;
      if (isQuery) {
        // Named before the faults are looked up, so that a fault armed for GetMetricData applies
        // to both protocols.
        query = parseQueryRequest(body.toString('utf8'));
        op = query.action;
        const input = query.input;
        audit = { service: 'cloudwatch', params: () => input };
      }

      // Over the limit, a request is refused before it counts for a fault or takes effect.
      if (limited) {
        const verdict = rateLimit.take(op);
        if (!verdict.allowed) {
          throw limited === 'lambda' ? tooManyRequests('CallerRateLimitExceeded', verdict.retryAfterSeconds) : throttling(limited);
        }
      }

      const fault = faults.take(op, functionName);
      if (fault) {
        if (fault.kind === 'throttle') onThrottle?.();
        truncate = fault.kind === 'truncate';
        const applied = await applyFault(fault, op);
        if (applied === 'dropped') {
          await replyTime();
          options.log?.(`${req.method} ${url.pathname} ${op} → connection dropped (fault)`);
          req.socket.destroy();
          return;
        }
        if (applied) throw applied;
      }

      const reply = await run(body, fault);
      recordEvent({ reply: reply.body });
      if (query) {
        await send(reply.status, queryResponse(query.action, reply.body as Record<string, unknown>, requestId), { 'content-type': 'text/xml' });
      } else if (reply.raw !== undefined || reply.body === undefined) {
        await send(reply.status, reply.raw, { 'content-type': 'application/json', ...reply.headers });
      } else {
        const ct = isCloudWatch ? 'application/x-amz-json-1.0' : isCodeDeploy || isCloudTrail ? 'application/x-amz-json-1.1' : 'application/json';
        await send(reply.status, JSON.stringify(reply.body), { 'content-type': ct, ...reply.headers });
      }
    } catch (err) {
      if (!bodyTaken) await discardBody(req);
      recordEvent({ error: err instanceof AwsError ? err : serviceError() });
      if (err instanceof AwsError) await sendError(err);
      else {
        // The detail (a Node error's own text, paths) is for the sandbox log, not the client.
        options.log?.(`${req.method} ${url.pathname} ${op} internal error (request ${requestId}): ${err instanceof Error && err.stack ? err.stack : String(err)}`);
        await sendError(serviceError(`An internal error occurred (request ${requestId}); the sandbox log has the detail.`));
      }
    }
  }

  async function applyFault(fault: FaultSpec, op: string): Promise<AwsError | 'dropped' | undefined> {
    switch (fault.kind) {
      case 'error':
        return serviceError(`Injected fault: ${op} failed with an internal error.`);
      case 'throttle':
        return tooManyRequests(op === 'Invoke' ? 'ConcurrentInvocationLimitExceeded' : 'CallerRateLimitExceeded');
      case 'drop':
        return 'dropped';
      case 'truncate':
      case 'publishOther':
      case 'failUpdate':
        // Applied by the reply (truncate) or by the operation itself (publishOther, failUpdate).
        return undefined;
      case 'delay':
        await sleep(fault.delayMs ?? 30_000);
        return undefined;
      case 'hook':
        try {
          await fault.hook?.();
        } catch (e) {
          // An injected fault's own text is meant for the client, unlike an internal error's.
          return e instanceof AwsError ? e : serviceError(`An internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
        }
        return undefined;
    }
  }

  function checkCodeUrl(blob: string, query: URLSearchParams): Refusal | undefined {
    const expires = query.get('Expires') ?? '';
    const given = Buffer.from(query.get('Signature') ?? '', 'utf8');
    const wanted = Buffer.from(codeToken(blob, expires), 'utf8');
    if (given.length !== wanted.length || !crypto.timingSafeEqual(given, wanted)) {
      return { error: new AwsError('AccessDeniedException', 403, "The code URL's signature does not match: use the Code.Location of a GetFunction made since this sandbox started."), reason: 'code URL without a valid signature' };
    }
    if (!(Number(expires) >= Date.now())) {
      return { error: new AwsError('AccessDeniedException', 403, 'Request has expired: the code URL was valid for 10 minutes; call GetFunction again.'), reason: 'expired code URL' };
    }
    return undefined;
  }

  async function admin(method: string, url: URL, body: Buffer): Promise<Reply> {
    const p = url.pathname;
    if (method === 'GET' && p === '/_sandbox/health') {
      return { status: 200, body: { ok: true, region, functions: store.functions.size, environments: invoker.environmentCount() } };
    }
    if (p === '/_sandbox/faults' && method === 'POST') {
      const spec = parseJson(body) as unknown as FaultSpec;
      if (typeof spec.operation !== 'string' || spec.operation === '') {
        // Without this, a missing operation would be armed as the never-called operation 'undefined'.
        throw new AwsError('InvalidParameterValueException', 400, 'A fault needs an operation name, e.g. UpdateAlias, or * for any.');
      }
      try {
        faults.add({ operation: spec.operation, functionName: spec.functionName, nth: spec.nth, times: spec.times, kind: spec.kind, delayMs: spec.delayMs });
      } catch (e) {
        throw new AwsError('InvalidParameterValueException', 400, (e as Error).message);
      }
      return { status: 200, body: { pending: faults.pending } };
    }
    if (p === '/_sandbox/faults' && method === 'DELETE') {
      faults.clear();
      return { status: 200, body: { pending: 0 } };
    }
    if (p === '/_sandbox/latency' && method === 'PUT') {
      const ms = (parseJson(body) as { ms?: unknown }).ms;
      if (typeof ms !== 'number' || ms < 0 || ms > 600_000) throw new AwsError('InvalidParameterValueException', 400, 'latency ms must be a number in [0, 600000].');
      latencyMs = ms;
      return { status: 200, body: { latencyMs } };
    }
    if (p === '/_sandbox/rate-limit' && (method === 'PUT' || method === 'GET')) {
      // PUT {"perSecond": N} sets the limit (every bucket full again), {"perSecond": null} lifts it;
      // GET tells it and the requests allowed and throttled per operation.
      if (method === 'PUT') {
        const input = parseJson(body);
        if (!('perSecond' in input)) throw new AwsError('InvalidParameterValueException', 400, 'The rate limit needs perSecond: a whole number of requests a second per operation, or null for none.');
        try {
          rateLimit.set(input.perSecond === null ? undefined : checkRateLimit(input.perSecond));
        } catch (e) {
          throw new AwsError('InvalidParameterValueException', 400, `The ${(e as Error).message}.`);
        }
      }
      return { status: 200, body: { perSecond: rateLimit.perSecond ?? null, operations: rateLimit.stats() } };
    }
    if (p === '/_sandbox/versions') {
      // Per-version behaviour: PUT sets the fields given for one version, DELETE clears one
      // version ({functionName, version}) or, with no body, every one.
      const input = method === 'GET' ? {} : parseJson(body);
      if (method === 'PUT' || (method === 'DELETE' && Object.keys(input).length > 0)) {
        const spec = { functionName: input.functionName, version: input.version, errorRate: input.errorRate, latencyMs: input.latencyMs } as VersionBehaviourSpec;
        try {
          if (method === 'PUT') versionBehaviour.set(spec);
          else {
            checkVersionBehaviour({ functionName: spec.functionName, version: spec.version });
            versionBehaviour.clear(spec.functionName, spec.version);
          }
        } catch (e) {
          throw new AwsError('InvalidParameterValueException', 400, `${(e as Error).message}.`);
        }
      } else if (method === 'DELETE') {
        versionBehaviour.clear();
      } else if (method !== 'GET') {
        throw new AwsError('MethodNotAllowedException', 405, `${method} is not allowed on ${p}; allowed: GET, PUT, DELETE.`);
      }
      return { status: 200, body: { versions: versionBehaviour.list() } };
    }
    if (p === '/_sandbox/cloudtrail-lag' && method === 'PUT') {
      const seconds = (parseJson(body) as { seconds?: unknown }).seconds;
      try {
        cloudtrail.lagMs = checkCloudTrailLag(seconds) * 1000;
      } catch (e) {
        throw new AwsError('InvalidParameterValueException', 400, `${(e as Error).message}.`);
      }
      return { status: 200, body: { cloudTrailLagSeconds: seconds } };
    }
    if (p === '/_sandbox/metric-lag' && method === 'PUT') {
      const seconds = (parseJson(body) as { seconds?: unknown }).seconds;
      try {
        metrics.lagMs = checkMetricLag(seconds) * 1000;
      } catch (e) {
        throw new AwsError('InvalidParameterValueException', 400, `${(e as Error).message}.`);
      }
      return { status: 200, body: { metricLagSeconds: seconds } };
    }
    throw new AwsError('UnknownOperationException', 404, `No sandbox admin operation at ${method} ${p}.`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  boundPort = port;
  baseUrl = `http://127.0.0.1:${port}`;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    endpoint: baseUrl,
    port,
    region,
    accessKeyId: options.accessKeyId,
    lambda,
    store,
    metrics,
    alarms,
    codedeploy,
    cloudtrail,
    faults,
    rateLimit,
    versionBehaviour,
    invoker,
    warnings: store instanceof DirectoryStore ? store.warnings : [],
    setLatency: (ms) => (latencyMs = ms),
    setMetricLag: (seconds) => (metrics.lagMs = checkMetricLag(seconds) * 1000),
    setCloudTrailLag: (seconds) => (cloudtrail.lagMs = checkCloudTrailLag(seconds) * 1000),
    setRandom: (r) => (random = r),
    settle: () => {
      for (const fn of store.functions.values()) {
        fn.latest.pendingUntil = 0;
        fn.latest.updatingUntil = 0;
        for (const v of fn.versions) v.pendingUntil = 0;
        store.saveFunction(fn);
      }
      // Mappings end their transition; those being deleted are gone.
      for (const m of [...store.mappings.values()]) {
        if (m.transition === 'Deleting') store.deleteMapping(m.uuid);
        else if (m.until !== 0) store.saveMapping({ ...m, until: 0 });
      }
    },
    pushImage: (uri, digest) => lambda.pushImage(uri, digest),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await codedeploy.close();
      await invoker.dispose();
      if (ownCodeDir) fs.rmSync(codeDir, { recursive: true, force: true });
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Reads and drops the body of a refused request, so that a keep-alive connection stays usable. */
function discardBody(req: http.IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  req.resume();
  // A body too large to wait for: the reply goes now and Node closes the connection after it.
  if (Number(req.headers['content-length'] ?? '0') > MAX_BODY_BYTES) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    const done = () => resolve();
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) done();
    });
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
  });
}

function tooLarge(): AwsError {
  return new AwsError('RequestEntityTooLargeException', 413, `Request must be smaller than ${MAX_BODY_BYTES} bytes.`);
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 400, 'Could not parse the request body as JSON.');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new AwsError('SerializationException', 400, 'The request body must be a JSON object.');
  }
  return v as Record<string, unknown>;
}

/** The names CloudTrail gives a Lambda route's path parameters, in the order of its pattern's groups. */
function pathParameterNames(op: string): string[] {
  if (op === 'GetAlias' || op === 'UpdateAlias' || op === 'DeleteAlias') return ['functionName', 'name'];
  if (op === 'RemovePermission') return ['functionName', 'statementId'];
  if (/EventSourceMapping$/.test(op)) return ['uUID'];
  return ['functionName'];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AwsError('InvalidParameterValueException', 400, `The path segment '${s}' is not valid URL encoding.`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function checkMinuteMs(ms: number | undefined): void {
  if (ms === undefined) return;
  if (!Number.isInteger(ms) || ms < 1 || ms > 3_600_000) throw new Error(`CodeDeploy minute (codeDeployMinuteMs) must be a whole number of milliseconds from 1 to 3600000; got ${ms}`);
}
