#!/usr/bin/env node
/** `npm run sandbox -- [--port N] [--state DIR] [--seed demo] [--traffic fn:alias=RATE] …` */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEMO_TRAFFIC,
  parseCloudTrailLag,
  parseFaultArg,
  parseMetricLag,
  parseRateLimitArg,
  parseTrafficArg,
  parseVersionErrorsArg,
  parseVersionLatencyArg,
  seedDemo,
  seedMany,
  startSandbox,
  TrafficGenerator,
} from './index';
import type { Sandbox, TrafficTarget } from './index';

const HELP = `Lambda Canary sandbox: a local endpoint speaking the AWS Lambda, CloudWatch, CodeDeploy and
CloudTrail (LookupEvents over the sandbox's own writes) APIs.

Usage: npm run sandbox -- [options]

  --port N              port on 127.0.0.1 (default 4566; 0 picks a free one)
  --state DIR           keep functions, versions, aliases and triggers in DIR across restarts
                        (default: in memory)
  --seed demo           create demo functions with versions and a prod alias (one canary),
                        and triggers: some through the alias, some bypassing it
  --seed many:N         create N small functions (for listing benchmarks)
  --traffic T           invoke aliases continuously; T is FUNCTION:ALIAS=RATE (per second),
                        repeatable, or 'demo' for the demo's traffic
  --latency MS          answer every request MS milliseconds after it arrived
  --update-delay MS     how long LastUpdateStatus stays InProgress after a write (default 200)
  --rate-limit N        at most N requests a second per API operation (UpdateAlias, GetAlias,
                        PublishVersion … each its own bucket, bursts of N), as AWS's quotas;
                        over it Lambda answers 429 TooManyRequestsException (Reason
                        CallerRateLimitExceeded, Retry-After), CloudWatch Throttling, CodeDeploy
                        and CloudTrail ThrottlingException; Invoke is not limited (default: none;
                        PUT /_sandbox/rate-limit {"perSecond": N|null} changes it at run time)
  --fault OP:N:KIND[@FUNCTION]
                        fail operation OP on its Nth call (of FUNCTION's, a name or ARN, when
                        given: e.g. UpdateAlias:2:error@orders); KIND is error, throttle, drop,
                        truncate (half the reply, then the connection drops), delay[:MS] or,
                        for PublishVersion, publishOther (another client's upload lands first
                        and is published, CodeSha256 and RevisionId unchecked) or, for
                        UpdateFunctionCode, failUpdate (accepted, then LastUpdateStatus
                        Failed); repeatable
  --version-errors FUNCTION:VERSION=RATE
                        that share (0 to 1) of the invocations of that published version fail as
                        an unhandled error (X-Amz-Function-Error, counted in Errors) instead of
                        running its handler, whoever invokes it; e.g. checkout-api:4=0.08;
                        repeatable
  --version-latency FUNCTION:VERSION=+MS
                        add MS milliseconds (really waited) to every invocation of that version,
                        counted in Duration; e.g. checkout-api:4=+200; repeatable
  --metric-lag S        CloudWatch's delivery lag: GetMetricData and ListMetrics see only
                        datapoints at least S seconds old (default 0)
  --cloudtrail-lag S    CloudTrail's delivery lag: LookupEvents sees an event only S seconds
                        after it happened (default 0; AWS's is minutes)
  --minute-ms N         one CodeDeploy minute lasts N milliseconds (default 60000): with 100,
                        a CodeDeployDefault.LambdaCanary10Percent5Minutes deployment shifts
                        its alias in half a second, and a hook times out after 6 seconds
  --region R            region reported in ARNs (default us-east-1)
  --random-seed N       make alias routing and --version-errors failures reproducible
  --access-key-id KEY   accept only requests signed with this access key (default: any)
  --no-admin            do not serve the /_sandbox/ endpoints (health, faults, latency,
                        rate-limit, versions, metric-lag, cloudtrail-lag)
  --quiet               do not log requests
  -h, --help            this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4566' },
      state: { type: 'string' },
      seed: { type: 'string', multiple: true },
      traffic: { type: 'string', multiple: true },
      latency: { type: 'string' },
      'update-delay': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'rate-limit': { type: 'string' },
      'version-errors': { type: 'string', multiple: true },
      'version-latency': { type: 'string', multiple: true },
      'metric-lag': { type: 'string' },
      'cloudtrail-lag': { type: 'string' },
      'minute-ms': { type: 'string' },
      region: { type: 'string' },
      'random-seed': { type: 'string' },
      'access-key-id': { type: 'string' },
      'no-admin': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} expects a non-negative integer, got '${v}'`);
    return n;
  };
  const sandbox = await startSandbox({
    port: num('port', values.port),
    stateDir: values.state ? path.resolve(values.state) : undefined,
    latencyMs: num('latency', values.latency),
    updateDelayMs: num('update-delay', values['update-delay']),
    region: values.region,
    randomSeed: num('random-seed', values['random-seed']),
    accessKeyId: values['access-key-id'],
    versionBehaviour: [...(values['version-errors'] ?? []).map(parseVersionErrorsArg), ...(values['version-latency'] ?? []).map(parseVersionLatencyArg)],
    metricLagSeconds: values['metric-lag'] === undefined ? undefined : parseMetricLag(values['metric-lag']),
    codeDeployMinuteMs: num('minute-ms', values['minute-ms']),
    cloudTrailLagSeconds: values['cloudtrail-lag'] === undefined ? undefined : parseCloudTrailLag(values['cloudtrail-lag']),
    rateLimit: values['rate-limit'] === undefined ? undefined : parseRateLimitArg(values['rate-limit']),
    // Fault injection and latency over HTTP are what the standalone sandbox is for; they take
    // signed requests like the API, so a web page cannot reach them either.
    admin: !values['no-admin'],
    log: values.quiet ? undefined : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  for (const w of sandbox.warnings) process.stderr.write(`sandbox: warning: ${w}\n`);
  for (const f of values.fault ?? []) sandbox.faults.add(parseFaultArg(f));
  for (const s of values.seed ?? []) {
    if (s === 'demo') {
      const created = await seedDemo(sandbox.lambda, () => sandbox.settle());
      process.stdout.write(`Seeded demo functions: ${created.length ? created.join(', ') : '(already present)'}\n`);
    } else if (/^many:\d+$/.test(s)) {
      const n = Number(s.slice(5));
      await seedMany(sandbox.lambda, n, () => sandbox.settle());
      process.stdout.write(`Seeded ${n} functions.\n`);
    } else {
      throw new Error(`--seed expects 'demo' or 'many:N', got '${s}'`);
    }
  }
  const targets: TrafficTarget[] = [];
  for (const t of values.traffic ?? []) {
    if (t === 'demo') targets.push(...DEMO_TRAFFIC);
    else targets.push(parseTrafficArg(t));
  }
  const traffic = targets.length
    ? new TrafficGenerator(sandbox.lambda, targets, (t, msg) => process.stderr.write(`traffic ${t.functionName}:${t.qualifier}: ${msg}\n`))
    : undefined;
  traffic?.start();

  process.stdout.write(`
Lambda Canary sandbox listening on ${sandbox.endpoint}  (region ${sandbox.region}, state: ${values.state ?? 'in memory'})
${targets.length ? `Traffic: ${targets.map((t) => `${t.functionName}:${t.qualifier} at ${t.rate}/s`).join(', ')}\n` : ''}
Point the AWS CLI or SDK at it (${sandbox.accessKeyId ? `access key ${sandbox.accessKeyId}, any secret` : 'any credentials are accepted'}; requests must be signed):
  export AWS_ACCESS_KEY_ID=${sandbox.accessKeyId ?? 'sandbox'} AWS_SECRET_ACCESS_KEY=sandbox AWS_REGION=${sandbox.region} AWS_DEFAULT_REGION=${sandbox.region}
  aws lambda list-functions --endpoint-url ${sandbox.endpoint}
  aws cloudtrail lookup-events --endpoint-url ${sandbox.endpoint} --max-results 5${sandbox.cloudtrail.lagMs > 0 ? `   (CloudTrail lag: ${sandbox.cloudtrail.lagMs / 1000} s)` : ''}
  aws deploy list-deployment-configs --endpoint-url ${sandbox.endpoint}${sandbox.codedeploy.minuteMs !== 60_000 ? `   (one CodeDeploy minute: ${sandbox.codedeploy.minuteMs} ms)` : ''}
  new LambdaClient({ endpoint: '${sandbox.endpoint}', region: '${sandbox.region}' })
${behaviourLines(sandbox.versionBehaviour.list(), values['metric-lag'])}${sandbox.rateLimit.perSecond !== undefined ? `Rate limit: ${sandbox.rateLimit.perSecond} requests a second per operation (Invoke not limited)\n` : ''}${values['no-admin'] ? '' : `Test knobs (signed requests too): POST/DELETE ${sandbox.endpoint}/_sandbox/faults, PUT …/_sandbox/latency, GET/PUT …/_sandbox/rate-limit, GET/PUT/DELETE …/_sandbox/versions, PUT …/_sandbox/metric-lag, PUT …/_sandbox/cloudtrail-lag, GET …/_sandbox/health\n`}
Press Ctrl+C to stop.
`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the sandbox…\n`);
    traffic?.stop();
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** What the per-version behaviour and metric lag in force are, for the banner. */
function behaviourLines(versions: ReturnType<Sandbox['versionBehaviour']['list']>, lag: string | undefined): string {
  const parts = versions.map((v) =>
    [v.errorRate > 0 ? `${v.errorRate * 100}% errors` : '', v.latencyMs > 0 ? `+${v.latencyMs} ms` : ''].filter(Boolean).join(', ').replace(/^/, `${v.functionName}:${v.version} `),
  );
  return `${parts.length ? `Versions: ${parts.join('; ')}\n` : ''}${lag !== undefined && Number(lag) > 0 ? `Metric lag: ${Number(lag)} s\n` : ''}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
