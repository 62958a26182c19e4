/**
 * The router function's entry point (`index.handler` in its package): reads its rule from
 * LAMBDA_CANARY_ROUTE, chooses a version for each event (rules.ts), invokes `target:version`
 * synchronously with the event, logs its decision as one JSON line, and returns the target's
 * response unchanged but for one header naming the version (HTTP responses only). A target's
 * failure is thrown again as the target's error (invoke.ts, targetFailure), so whoever called
 * the router (API Gateway, a function URL, an event source mapping) sees what it would have seen
 * calling the target. Part of the router's package (see rules.ts): Node's built-ins only.
 */
import type { RouteDecision, RouterConfig } from './rules';
import { decideRoute, ROUTE_VARIABLE, ROUTER_NAMESPACE, ROUTER_VERSION, routerDimension, ruleDimension, validateRouterConfig } from './rules';
import { credentialsOf, invokeTarget, lambdaEndpoint, namedError, targetFailure, withVersionHeader } from './invoke';

/** Read once per environment (init): a configuration change publishes a new version of the router. */
function loadConfig(): RouterConfig {
  const raw = process.env[ROUTE_VARIABLE];
  if (raw === undefined) throw namedError('Router.ConfigError', `The router has no ${ROUTE_VARIABLE} variable.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw namedError('Router.ConfigError', `${ROUTE_VARIABLE} is not JSON.`);
  }
  try {
    return validateRouterConfig(parsed);
  } catch (e) {
    throw namedError('Router.ConfigError', (e as Error).message);
  }
}

// A router with a broken rule fails at init, every time, rather than guessing a route.
const config = loadConfig();
const endpoint = lambdaEndpoint(process.env);

/**
 * The decision line: one JSON object per request, on stdout (so Lambda logs it as it is, without a
 * prefix), and an Embedded Metric Format record: CloudWatch turns it into the metrics `Requests`
 * (1) and `Errors` (0 or 1) of namespace LambdaCanary/Router, dimensions Router, Route and Rule,
 * without an API call. Dimension values are few by construction (never a request's key):
 * Router is `<router>:<alias>` (the function name alone when invoked by version or unqualified),
 * Route `canary` or `stable`, Rule `group#i`, `sticky#i` or `default`.
 */
export interface DecisionLine extends RouteDecision {
  lambdaCanaryRouter: number;
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  Router: string;
  Route: string;
  Rule: string;
  Requests: 1;
  Errors: 0 | 1;
  target: string;
  /** The target's answer took this long, as the router saw it (ms). */
  ms: number;
  /** The target's errorType, when it failed. */
  error?: string;
}

export async function handler(event: unknown, context?: { invokedFunctionArn?: string }): Promise<unknown> {
  const decision = decideRoute(config, event);
  const started = Date.now();
  let failure: Error | undefined;
  let result: unknown;
  try {
    const reply = await invokeTarget({
      endpoint,
      region: process.env.AWS_REGION || 'us-east-1',
      credentials: credentialsOf(process.env),
      functionName: config.target,
      qualifier: decision.version,
      payload: JSON.stringify(event === undefined ? null : event),
    });
    failure = targetFailure(reply, `${config.target}:${decision.version}`);
    if (!failure) {
      try {
        result = JSON.parse(reply.body.toString('utf8'));
      } catch {
        failure = namedError('Router.ResponseNotJson', `The target's response (${reply.body.length} bytes) is not JSON: a router returns JSON only.`);
      }
    }
  } catch (e) {
    failure = e instanceof Error ? e : namedError('Router.InvokeFailed', String(e));
  }
  const line: DecisionLine = {
    lambdaCanaryRouter: ROUTER_VERSION,
    target: config.target,
    ...decision,
    ms: Date.now() - started,
    ...(failure ? { error: failure.name } : {}),
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: ROUTER_NAMESPACE,
          Dimensions: [['Router', 'Route', 'Rule']],
          Metrics: [
            { Name: 'Requests', Unit: 'Count' },
            { Name: 'Errors', Unit: 'Count' },
          ],
        },
      ],
    },
    Router: routerDimension(process.env.AWS_LAMBDA_FUNCTION_NAME || config.target, context?.invokedFunctionArn),
    Route: decision.route,
    Rule: ruleDimension(decision),
    Requests: 1,
    Errors: failure ? 1 : 0,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (failure) throw failure;
  return withVersionHeader(result, event, decision.version);
}
