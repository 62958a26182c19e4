/**
 * What a router decided, per rule and route, read back from the metrics its decision lines
 * publish (Embedded Metric Format, handler.ts): one GetMetricData request, no call per request.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchSend } from '../traffic';
import { getMetricData } from '../traffic';
import type { Route, RouteRule } from './rules';
import { MAX_RULES, ROUTER_NAMESPACE, ruleDimension } from './rules';

export interface RouterSplitQuery {
  /** The router function and the alias it serves (`shop-api-router`, `prod`). */
  router: string;
  routerAlias: string;
  /** Epoch ms. */
  start: number;
  end: number;
  /** Seconds (60 or a multiple; 1, 5, 10, 20, 30 for a window under 3 hours). */
  period: number;
  /** The router's rules: each has a row even without requests. Rules no longer there show when they decided requests in the window. */
  rules?: readonly RouteRule[];
}

export interface RouterSplitRow {
  /** The Rule dimension: `group#0`, `sticky#1`, `default`. */
  rule: string;
  kind: 'group' | 'sticky' | 'default';
  ruleIndex?: number;
  canary: { requests: number; errors: number };
  stable: { requests: number; errors: number };
}

export interface RouterSplit {
  /** The Router dimension read (`<router>:<alias>`). */
  router: string;
  start: number;
  end: number;
  /** In the rules' order, then `default`. */
  rows: RouterSplitRow[];
}

const ROUTES: readonly Route[] = ['canary', 'stable'];

/** Every Rule dimension a router can publish: each kind at each position, and default. */
function allRules(): Array<Pick<RouterSplitRow, 'rule' | 'kind' | 'ruleIndex'>> {
  const out: Array<Pick<RouterSplitRow, 'rule' | 'kind' | 'ruleIndex'>> = [];
  for (let i = 0; i < MAX_RULES; i++) {
    for (const kind of ['group', 'sticky'] as const) out.push({ rule: ruleDimension({ rule: kind, ruleIndex: i }), kind, ruleIndex: i });
  }
  out.push({ rule: 'default', kind: 'default' });
  return out;
}

export async function readRouterSplit(ctx: { cloudwatch: CloudWatchSend; signal?: AbortSignal }, q: RouterSplitQuery): Promise<RouterSplit> {
  const router = `${q.router}:${q.routerAlias}`;
  const rules = allRules();
  const queries: MetricDataQuery[] = [];
  rules.forEach((r, i) => {
    for (const route of ROUTES) {
      for (const metric of ['Requests', 'Errors']) {
        queries.push({
          Id: `${metric === 'Requests' ? 'q' : 'e'}${i}_${route}`,
          MetricStat: {
            Metric: {
              Namespace: ROUTER_NAMESPACE,
              MetricName: metric,
              Dimensions: [
                { Name: 'Router', Value: router },
                { Name: 'Route', Value: route },
                { Name: 'Rule', Value: r.rule },
              ],
            },
            Period: q.period,
            Stat: 'Sum',
          },
        });
      }
    }
  });
  const { results } = await getMetricData(ctx.cloudwatch, { StartTime: new Date(q.start), EndTime: new Date(q.end), MetricDataQueries: queries }, ctx.signal);
  const sum = (id: string) => (results.find((r) => r.Id === id)?.Values ?? []).reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
  const configured = new Set((q.rules ?? []).map((rule, i) => ruleDimension({ rule: rule.kind, ruleIndex: i })));
  const rows: RouterSplitRow[] = [];
  rules.forEach((r, i) => {
    const at = (route: Route) => ({ requests: sum(`q${i}_${route}`), errors: sum(`e${i}_${route}`) });
    const row: RouterSplitRow = { ...r, canary: at('canary'), stable: at('stable') };
    if (configured.has(r.rule) || r.kind === 'default' || row.canary.requests + row.stable.requests > 0) rows.push(row);
  });
  return { router, start: q.start, end: q.end, rows };
}
