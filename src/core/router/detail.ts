/**
 * What a router action did, as data (an Outcome's `detail` for action 'router'): the journal keeps
 * it, so moving triggers back and removing a router read it rather than memory. The outcome's
 * target is the TARGET function and alias (`checkout-api`, `prod`); the router is named here.
 */
import type { RouterConfig } from './rules';

export type RouterStep = 'create' | 'rule' | 'move' | 'move-back' | 'remove';

/** One trigger moved from `target:alias` to `router:alias` (or back), and what undoes it. */
export interface RouterTriggerMove {
  /** The trigger's id as the audit names it on the target (TriggerView.id): `esm:<UUID>`, `url:<qualifier>`, `policy:<qualifier>:<Sid>`. */
  triggerId: string;
  kind: 'mapping' | 'url' | 'permission';
  /** For people: "SQS queue orders", "function URL (AWS_IAM)", "API Gateway abc123 (GET /items)". */
  label: string;
  result: 'moved' | 'unchanged' | 'failed' | 'unknown';
  /** Why, when it was not moved. */
  reason?: string;
  /** What the move created or changed on AWS, so that it can be undone. */
  undo: {
    /** A mapping's UUID and the FunctionArn it had before the move. */
    mapping?: string;
    functionArn?: string;
    /** A function URL created on the router (its qualifier). */
    urlQualifier?: string;
    /** A permission statement added to the router's alias. */
    statementId?: string;
  };
  /** What the user still has to do outside Lambda (API Gateway's integration URI, a client's URL). */
  followUp: string[];
}

export interface RouterDetail {
  step: RouterStep;
  /** The router function's name (`<target>-router` unless the user chose another). */
  router: string;
  /** The router's alias that triggers call: the target's alias name. */
  routerAlias: string;
  /** The router version its alias serves after this action. */
  routerVersion?: string;
  /** The router's rule after this action. */
  config?: RouterConfig;
  /** Its rule before (a 'rule' step). */
  previousConfig?: RouterConfig;
  /** 'create': what this action created (a later 'remove' deletes only these). */
  created?: { function?: boolean; alias?: boolean };
  /** 'remove': what was deleted. */
  deleted?: { function?: boolean; alias?: boolean };
  /** 'move', 'move-back', 'remove': each trigger and what happened to it. */
  moves?: RouterTriggerMove[];
}
