/**
 * A function's resource-based policy (GetPolicy's JSON string), as the statements AddPermission
 * writes: one principal, one action, and the conditions AddPermission can set. Pure.
 */

export interface PolicyStatement {
  sid: string;
  effect: 'Allow' | 'Deny';
  /** A service (`s3.amazonaws.com`), an account or IAM ARN, or `*`. */
  principal: string;
  actions: string[];
  /** The function ARN the statement is on (qualified or not). */
  resource: string;
  sourceArn?: string;
  sourceAccount?: string;
  eventSourceToken?: string;
  principalOrgId?: string;
  functionUrlAuthType?: string;
  /** `Bool lambda:InvokedViaFunctionUrl true`: the statement applies only to calls through a function URL. */
  invokedViaFunctionUrl?: boolean;
  /** Conditions AddPermission cannot set, as `Operator key` (they would be lost in a copy). */
  otherConditions: string[];
}

export interface ParsedPolicy {
  statements: PolicyStatement[];
  /** Statements that could not be understood (no Sid, no principal…), as a reason each. */
  skipped: string[];
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

function principalOf(p: unknown): string | undefined {
  if (p === '*') return '*';
  if (!p || typeof p !== 'object') return undefined;
  const o = p as Record<string, unknown>;
  return str(o.Service) ?? str(o.AWS) ?? str(o.Federated) ?? str(o.CanonicalUser);
}

/** Parses GetPolicy's Policy string; a malformed policy throws (the caller says it could not be read). */
export function parsePolicy(json: string): ParsedPolicy {
  const doc = JSON.parse(json) as { Statement?: unknown };
  const statements: PolicyStatement[] = [];
  const skipped: string[] = [];
  for (const raw of asList(doc.Statement)) {
    if (!raw || typeof raw !== 'object') {
      skipped.push('a statement that is not an object');
      continue;
    }
    const s = raw as Record<string, unknown>;
    const sid = typeof s.Sid === 'string' ? s.Sid : '';
    const principal = principalOf(s.Principal);
    const resource = str(s.Resource);
    if (!principal || !resource) {
      skipped.push(`statement ${sid || '(no Sid)'}: no principal or resource`);
      continue;
    }
    const st: PolicyStatement = {
      sid,
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      principal,
      actions: asList(s.Action).filter((a): a is string => typeof a === 'string'),
      resource,
      otherConditions: [],
    };
    const cond = s.Condition && typeof s.Condition === 'object' ? (s.Condition as Record<string, Record<string, unknown>>) : {};
    for (const [op, keys] of Object.entries(cond)) {
      for (const [key, value] of Object.entries(keys ?? {})) {
        const k = key.toLowerCase();
        // Only what AddPermission writes, one value each: anything else would be lost in a copy.
        const one = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
        const v = typeof one === 'string' ? one : undefined;
        if (k === 'aws:sourcearn' && v && (op === 'ArnLike' || op === 'StringEquals')) st.sourceArn = v;
        else if (k === 'aws:sourceaccount' && v && op === 'StringEquals') st.sourceAccount = v;
        else if (k === 'lambda:eventsourcetoken' && v && op === 'StringEquals') st.eventSourceToken = v;
        else if (k === 'aws:principalorgid' && v && op === 'StringEquals') st.principalOrgId = v;
        else if (k === 'lambda:functionurlauthtype' && v && op === 'StringEquals') st.functionUrlAuthType = v;
        else if (k === 'lambda:invokedviafunctionurl' && op === 'Bool' && String(one) === 'true') st.invokedViaFunctionUrl = true;
        else st.otherConditions.push(`${op} ${key}`);
      }
    }
    statements.push(st);
  }
  return { statements, skipped };
}

/** lambda:InvokeFunction, or a wildcard that includes it: the statement lets someone send events (invoke). */
export function isInvokeStatement(s: PolicyStatement): boolean {
  return s.actions.some((a) => a === 'lambda:InvokeFunction' || a === 'lambda:*' || a === '*');
}

/**
 * A statement that only lets callers use a function URL: it belongs to the URL, not a trigger of
 * its own. Since October 2025 a URL needs lambda:InvokeFunction beside lambda:InvokeFunctionUrl;
 * the console and AddPermission (InvokedViaFunctionUrl) write that one with the condition
 * `Bool lambda:InvokedViaFunctionUrl true`, so it too is part of the URL.
 */
export function isUrlStatement(s: PolicyStatement): boolean {
  if (s.actions.length === 0) return false;
  if (s.actions.every((a) => a === 'lambda:InvokeFunctionUrl')) return true;
  return s.invokedViaFunctionUrl === true && s.actions.every((a) => a === 'lambda:InvokeFunction');
}

const PUBLIC_URL_ACTIONS = new Set(['lambda:InvokeFunctionUrl', 'lambda:*', '*']);
const PUBLIC_INVOKE_ACTIONS = new Set(['lambda:InvokeFunction', 'lambda:*', '*']);

/** Which of the two public permissions a URL with AuthType NONE needs are on its qualifier. */
export function publicUrlGrants(statements: PolicyStatement[]): { url: boolean; invoke: boolean } {
  const open = statements.filter((s) => s.effect === 'Allow' && s.principal === '*' && s.otherConditions.length === 0 && !s.sourceArn && !s.sourceAccount && !s.principalOrgId);
  return {
    url: open.some((s) => s.actions.some((a) => PUBLIC_URL_ACTIONS.has(a)) && (s.functionUrlAuthType ?? 'NONE') === 'NONE'),
    invoke: open.some((s) => s.actions.some((a) => PUBLIC_INVOKE_ACTIONS.has(a))),
  };
}

/**
 * The public permissions a URL with AuthType NONE needs on its qualifier: lambda:InvokeFunctionUrl
 * (FunctionUrlAuthType NONE) and, since October 2025, lambda:InvokeFunction (the console's has
 * InvokedViaFunctionUrl true). URLs made before then had a temporary exception, which AWS set to
 * end on 1 November 2026: both are required of every URL.
 */
export function grantsPublicUrl(statements: PolicyStatement[]): boolean {
  const g = publicUrlGrants(statements);
  return g.url && g.invoke;
}

/** Same principal, action and source conditions: one grants what the other does. */
export function sameGrant(a: PolicyStatement, b: PolicyStatement): boolean {
  return (
    a.effect === b.effect &&
    a.principal === b.principal &&
    a.actions.join(',') === b.actions.join(',') &&
    (a.sourceArn ?? '') === (b.sourceArn ?? '') &&
    (a.sourceAccount ?? '') === (b.sourceAccount ?? '') &&
    (a.eventSourceToken ?? '') === (b.eventSourceToken ?? '') &&
    (a.principalOrgId ?? '') === (b.principalOrgId ?? '') &&
    (a.functionUrlAuthType ?? '') === (b.functionUrlAuthType ?? '') &&
    (a.invokedViaFunctionUrl ?? false) === (b.invokedViaFunctionUrl ?? false) &&
    [...a.otherConditions].sort().join(',') === [...b.otherConditions].sort().join(',')
  );
}

/**
 * AddPermission's Principal for a statement's principal: an account root ARN is given as the
 * account id (Lambda writes it back as that ARN).
 */
export function addPermissionPrincipal(principal: string): string {
  const root = /^arn:[^:]+:iam::([0-9]{12}):root$/.exec(principal);
  return root ? root[1] : principal;
}
