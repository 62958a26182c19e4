/**
 * The router's commands (loaded on first use, dist/routerUi.js: see ../routerUiModule.ts): Create
 * Router…, Change Router Rule…, Move Triggers to Router…, Move Triggers Back…, Remove Router. Each
 * asks (pickers whose answers core's validateRouterConfig checks as the user types), says in a
 * modal what it writes and what it costs, runs one core use case (journalled, action 'router') in
 * a cancellable progress notification, and shows its outcome as the other writing commands do.
 * They act on AWS only (the role is an ARN the user types, nothing of the workspace runs), so, as
 * the alias commands, they run in an untrusted workspace too.
 */
import * as l10n from '@vscode/l10n';
import type { Clients } from '../../core/connection';
import { OperationError } from '../../core/errors';
import type { Outcome } from '../../core/outcome';
import type { RouterInfo } from '../../core/router/api';
import type { RouterDetail } from '../../core/router/detail';
import type { KeySource, RouteRule } from '../../core/router/rules';
import { loadRouter, type RouterModule } from '../../core/routerModule';
import { splitOf } from '../../core/routing';
import { loadTriggers } from '../../core/triggersModule';
import { iconText, plainText } from '../../shared/text';
import type { TriggerView } from '../../shared/triggers';
import type { CommandContext } from '../context';
import { ruleLong } from '../routerText';
import { RouterNode } from '../tree';
import type { PickItem } from '../ui';
import { useCaseContext } from '../useCaseContext';
import { nothingChanged, orDismiss, pickVersion, resolveAlias, whereListed } from './common';

/** Router actions running now, by `function:alias`: a second click is told to wait. */
const running = new Set<string>();

async function exclusive<T>(ctx: CommandContext, functionName: string, aliasName: string, work: () => Promise<T>): Promise<T | undefined> {
  const key = `${functionName}:${aliasName}`;
  if (running.has(key)) {
    void ctx.ui.info(l10n.t('A router action on {0} is running already: wait for it to finish.', key));
    return undefined;
  }
  running.add(key);
  try {
    return await work();
  } finally {
    running.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// The rule, asked

type Check = (rules: RouteRule[]) => string | undefined;

/** validateRouterConfig's message for these rules (with the router's versions), or undefined when they are valid. */
function checker(router: RouterModule, base: { target: string; stable: string; canary: string }): Check {
  return (rules) => {
    try {
      router.validateRouterConfig({ ...base, salt: 'preview', rules });
      return undefined;
    } catch (err) {
      return (err as Error).message.replace(/^Invalid router configuration:\s*/, '');
    }
  };
}

const SOURCES: Array<{ from: KeySource['from']; label: () => string; detail: () => string }> = [
  { from: 'header', label: () => l10n.t('Header'), detail: () => l10n.t('a request header, by name (case-insensitive)') },
  { from: 'query', label: () => l10n.t('Query parameter'), detail: () => l10n.t('a query string parameter, by exact name') },
  { from: 'claim', label: () => l10n.t('JWT claim'), detail: () => l10n.t('a claim of the bearer token, read WITHOUT checking its signature: it only chooses a version') },
  { from: 'authorizer', label: () => l10n.t('Authorizer field'), detail: () => l10n.t('a field of API Gateway\u2019s authorizer context (verified claims)') },
  { from: 'sourceIp', label: () => l10n.t('Source IP'), detail: () => l10n.t('the caller\u2019s IP address: a last resort (many users share one)') },
];

async function askKey(ctx: CommandContext, id: string, title: string, sources: Array<KeySource['from']>, current: KeySource | undefined, defaults: Partial<Record<KeySource['from'], string>>, check: (key: KeySource) => string | undefined): Promise<KeySource> {
  const items: Array<PickItem<KeySource['from']>> = SOURCES.filter((s) => sources.includes(s.from)).map((s) => ({
    label: s.label(),
    description: current?.from === s.from ? l10n.t('current') : undefined,
    detail: s.detail(),
    value: s.from,
  }));
  const from = orDismiss(await ctx.ui.pick(`${id}Source`, items, { title, placeHolder: l10n.t('Where the router reads the key from') })).value;
  if (from === 'sourceIp') return { from };
  const shown = current && current.from === from ? current.name : defaults[from];
  const name = orDismiss(
    await ctx.ui.input(`${id}Key`, {
      title,
      prompt: l10n.t('The name of the {0}', SOURCES.find((s) => s.from === from)!.label().toLowerCase()),
      value: shown,
      validateInput: (v) => check({ from, name: v.trim() }),
    }),
  ).trim();
  return { from, name };
}

/** The rule, from pickers and input boxes, each checked with validateRouterConfig's messages as the user types. */
async function askRules(ctx: CommandContext, check: Check, title: string, current?: RouteRule[]): Promise<RouteRule[]> {
  const group = current?.find((r) => r.kind === 'group');
  const sticky = current?.find((r) => r.kind === 'sticky');
  const currentKind = group && sticky ? 'both' : group ? 'group' : sticky ? 'sticky' : undefined;
  const kinds: Array<PickItem<'group' | 'sticky' | 'both'>> = [
    { label: l10n.t('Group'), detail: l10n.t('requests whose header, query parameter or claim holds one of some values (e.g. beta) go to the canary'), value: 'group' },
    { label: l10n.t('Sticky percent'), detail: l10n.t('a share of users goes to the canary, each user always to the same version'), value: 'sticky' },
    { label: l10n.t('Group, then sticky percent'), detail: l10n.t('the group to the canary, then a share of everyone else'), value: 'both' },
  ];
  for (const k of kinds) if (k.value === currentKind) k.description = l10n.t('current');
  const kind = orDismiss(await ctx.ui.pick('routerRuleKind', kinds, { title, placeHolder: l10n.t('How the router chooses the canary') })).value;
  const rules: RouteRule[] = [];
  if (kind !== 'sticky') {
    const key = await askKey(ctx, 'routerGroup', title, ['header', 'query', 'claim', 'authorizer'], group?.kind === 'group' ? group.key : undefined, { header: 'x-canary-group', query: 'canary', claim: 'groups', authorizer: 'groups' }, (k) =>
      check([{ kind: 'group', key: k, values: ['beta'] }]),
    );
    const typed = orDismiss(
      await ctx.ui.input('routerGroupValues', {
        title,
        prompt: l10n.t('The values that send a request to the canary, separated by commas or spaces'),
        value: group?.kind === 'group' ? group.values.join(', ') : 'beta',
        validateInput: (v) => check([{ kind: 'group', key, values: splitValues(v) }]),
      }),
    );
    rules.push({ kind: 'group', key, values: splitValues(typed) });
  }
  if (kind !== 'group') {
    const currentKey = sticky?.kind === 'sticky' ? sticky.keys[0] : undefined;
    const key = await askKey(ctx, 'routerSticky', title, ['header', 'claim', 'authorizer', 'sourceIp'], currentKey, { header: 'x-user-id', claim: 'sub', authorizer: 'sub' }, (k) => check([...rules, { kind: 'sticky', keys: [k], weight: 10 }]));
    const typed = orDismiss(
      await ctx.ui.input('routerStickyWeight', {
        title,
        prompt: l10n.t('Percent of users on the canary (0 to 100, two decimals at most)'),
        value: sticky?.kind === 'sticky' ? String(sticky.weight) : '10',
        validateInput: (v) => {
          const weight = parseWeight(v);
          return weight === undefined ? l10n.t('A number from 0 to 100, such as 10 or 2.5.') : check([...rules, { kind: 'sticky', keys: [key], weight }]);
        },
      }),
    );
    rules.push({ kind: 'sticky', keys: [key], weight: parseWeight(typed)! });
  }
  const problem = check(rules);
  if (problem) throw new OperationError(problem, { kind: 'validation', state: nothingChanged() });
  return rules;
}

function splitValues(v: string): string[] {
  return v.split(/[\s,]+/).filter(Boolean);
}

function parseWeight(v: string): number | undefined {
  const t = v.trim().replace(/%$/, '').trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

function rulesText(rules: RouteRule[], stable: string, canary: string): string {
  return [...rules.map((r, i) => `${i + 1}. ${ruleLong(r, canary)}`), l10n.t('Everything else → version {0}.', stable)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The role

const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The role last used for a router on this connection (an ARN, never a secret), in global state. */
function roleMemoryKey(ctx: CommandContext, clients: Clients): string {
  const where = whereListed(ctx, clients);
  const spec = clients.spec;
  const who = spec.kind === 'sandbox' ? `sandbox:${spec.endpoint}` : `${spec.profile ?? 'default'}${spec.endpointUrl ? `@${spec.endpointUrl}` : ''}`;
  return `lambdaCanary.routerRole:${who}:${where.account ?? '?'}:${where.region ?? '?'}`;
}

async function askRole(ctx: CommandContext, clients: Clients, title: string, routerName: string, functionName: string): Promise<{ roleArn: string; remember: () => Thenable<void> }> {
  const key = roleMemoryKey(ctx, clients);
  const last = ctx.extension.globalState.get<string>(key);
  const roleArn = orDismiss(
    await ctx.ui.input('routerRole', {
      title,
      prompt: l10n.t('The ARN of the role {0} runs with. It needs lambda:InvokeFunction on the two versions of {1} (Lambda Canary creates no role).', routerName, functionName),
      placeHolder: l10n.t('e.g. {0}', 'arn:aws:iam::123456789012:role/router'),
      value: last,
      validateInput: (v) => (ROLE_ARN.test(v.trim()) ? undefined : l10n.t('An IAM role ARN, such as arn:aws:iam::123456789012:role/router.')),
    }),
  ).trim();
  return { roleArn, remember: () => ctx.extension.globalState.update(key, roleArn) };
}

// ---------------------------------------------------------------------------------------------
// Which router

interface RouterTarget {
  functionName: string;
  aliasName: string;
  info: RouterInfo;
}

/** The router of the node (its row), of an alias row, or of an alias picked; refused when there is none. */
async function resolveRouter(ctx: CommandContext, clients: Clients, node: unknown, title: string): Promise<RouterTarget> {
  if (node instanceof RouterNode) return { functionName: node.functionName, aliasName: node.aliasName, info: node.info };
  const { functionName, aliasName } = await resolveAlias(ctx, clients, node, title);
  const info = await findRouter(ctx, clients, functionName, aliasName);
  if (!info) throw new OperationError(l10n.t('{0}:{1} has no router in front of it: create one first (Create Router…).', functionName, aliasName), { kind: 'validation', state: nothingChanged() });
  return { functionName, aliasName, info };
}

async function findRouter(ctx: CommandContext, clients: Clients, functionName: string, aliasName: string): Promise<RouterInfo | undefined> {
  const router = await loadRouter();
  return ctx.aliases.withProgress(l10n.t('Looking for the router of {0}:{1}', functionName, aliasName), undefined, (signal) => router.findRouter(useCaseContext(clients, ctx.log, { signal }), { functionName, aliasName }));
}

/** Runs a router use case in a cancellable progress notification, journalled through the extension's journal. */
function withRouter(ctx: CommandContext, clients: Clients, title: string, run: (router: RouterModule, uc: ReturnType<CommandContext['aliases']['useCaseContext']>) => Promise<Outcome<RouterDetail>>): Promise<Outcome<RouterDetail>> {
  return ctx.aliases.withProgress(title, undefined, async (signal, progress) => run(await loadRouter(), ctx.aliases.useCaseContext(clients, { signal, progress })));
}

/** The target's node (its aliases and the router row) read again; `all`: the whole list (a router function appeared or went). */
function redraw(ctx: CommandContext, functionName: string, all = false): void {
  if (all) return ctx.tree.refresh();
  const fn = ctx.tree.findFunction(functionName);
  if (fn) ctx.tree.refresh(fn);
}

/** What each move leaves to the user, shown after the outcome. */
function showFollowUps(ctx: CommandContext, outcome: Outcome<RouterDetail>): void {
  const lines = (outcome.detail?.moves ?? []).flatMap((m) => m.followUp);
  if (lines.length) void ctx.ui.info(l10n.t('Still to do: {0}', lines.join(' ')));
}

// ---------------------------------------------------------------------------------------------
// The commands

export async function createRouter(ctx: CommandContext, node?: unknown): Promise<void> {
  const title = l10n.t('Create Router');
  const clients = await ctx.connection.current();
  const { functionName, aliasName, alias } = await resolveAlias(ctx, clients, node, title);
  const router = await loadRouter();
  const created = await exclusive(ctx, functionName, aliasName, async () => {
    const existing = await findRouter(ctx, clients, functionName, aliasName);
    if (existing) {
      throw new OperationError(l10n.t('{0}:{1} has a router already: {2}:{3}. Change its rule instead (Change Router Rule…).', functionName, aliasName, existing.router, existing.routerAlias), { kind: 'validation', state: nothingChanged() });
    }
    const split = splitOf(alias);
    const stable = split.primary.version;
    const canary = split.canary?.version ?? (await pickVersion(ctx, clients, functionName, l10n.t('{0}: which version is the canary? ({1} serves {2})', title, aliasName, stable), [stable, '$LATEST']));
    const rules = await askRules(ctx, checker(router, { target: functionName, stable, canary }), l10n.t('{0} for {1}:{2}', title, functionName, aliasName));
    const routerName = router.defaultRouterName(functionName);
    const role = await askRole(ctx, clients, title, routerName, functionName);
    const yes = await ctx.ui.confirm(
      'confirmCreateRouter',
      l10n.t('Create router {0}:{1} in front of {2}:{3}?', routerName, aliasName, functionName, aliasName),
      [
        l10n.t('Creates the function {0} (runtime nodejs20.x, role {1}), publishes its version 1 and creates its alias {2}. The rule:', routerName, role.roleArn, aliasName),
        rulesText(rules, stable, canary),
        l10n.t('No trigger is moved yet: nothing calls the router until you move triggers to it (offered next).'),
        router.routerCostText(),
      ].join('\n\n'),
      l10n.t('Create Router'),
    );
    if (!yes) return undefined;
    const outcome = await withRouter(ctx, clients, l10n.t('Creating router {0}:{1}', routerName, aliasName), (r, uc) => r.createRouter(uc, { functionName, aliasName, roleArn: role.roleArn, rules, stable, canary }));
    if (outcome.state === 'done') await role.remember();
    redraw(ctx, functionName, true);
    return outcome;
  });
  if (!created) return;
  const move = l10n.t('Move Triggers to Router');
  const choice = await ctx.aliases.notify(created, ...(created.state === 'done' && !created.error ? [move] : []));
  if (choice === move) await moveTriggersToRouter(ctx, undefined, { functionName, aliasName });
}

export async function changeRouterRule(ctx: CommandContext, node?: unknown): Promise<void> {
  const title = l10n.t('Change Router Rule');
  const clients = await ctx.connection.current();
  const { functionName, aliasName, info } = await resolveRouter(ctx, clients, node, title);
  const router = await loadRouter();
  const c = info.config;
  const outcome = await exclusive(ctx, functionName, aliasName, async () => {
    const rules = await askRules(ctx, checker(router, { target: c.target, stable: c.stable, canary: c.canary }), l10n.t('{0} of {1}:{2}', title, info.router, info.routerAlias), c.rules);
    const yes = await ctx.ui.confirm(
      'confirmRouterRule',
      l10n.t('Change the rule of router {0}:{1}?', info.router, info.routerAlias),
      [
        l10n.t('Now:'),
        rulesText(c.rules, c.stable, c.canary),
        l10n.t('Then:'),
        rulesText(rules, c.stable, c.canary),
        l10n.t('Publishes a new version of {0} and moves its alias {1} to it: requests already running finish on the old rule. Refused if the rule changed since it was read.', info.router, info.routerAlias),
      ].join('\n\n'),
      l10n.t('Change Rule'),
    );
    if (!yes) return undefined;
    const done = await withRouter(ctx, clients, l10n.t('Changing the rule of {0}:{1}', info.router, info.routerAlias), (r, uc) => r.setRouterRule(uc, { functionName, aliasName, rules, expected: c }));
    redraw(ctx, functionName);
    return done;
  });
  if (outcome) void ctx.aliases.notify(outcome);
}

/** What moving this trigger leaves to the user (said before the move). */
function moveFollowUp(t: TriggerView, to: string): string {
  switch (t.kind) {
    case 'event-source-mapping':
      return l10n.t('The mapping then invokes {0}; the router\u2019s role needs the read permissions for its source that the target\u2019s role has.', to);
    case 'function-url':
      return l10n.t('A new function URL is created on {0}: callers must switch to it (the old URL keeps calling the target directly).', to);
    case 'permission':
      return l10n.t('The same permission is granted on {0}; the caller (e.g. an API Gateway integration) must then be pointed at {0}.', to);
    default:
      return l10n.t('Not moved: a router cannot take it.');
  }
}

async function pickTriggers(ctx: CommandContext, clients: Clients, functionName: string, aliasName: string, title: string, empty: string, to: string): Promise<TriggerView[]> {
  const outcome = await ctx.aliases.withProgress(l10n.t('Reading the triggers of {0}:{1}', functionName, aliasName), undefined, (signal, progress) =>
    loadTriggers().then(({ auditTriggers }) => auditTriggers(useCaseContext(clients, ctx.log, { signal, progress }), { functionName, aliasName })),
  );
  if (outcome.error || !outcome.detail) throw new OperationError(l10n.t('Could not read the triggers of {0}: {1}', functionName, outcome.error?.message ?? l10n.t('the audit returned nothing')), { kind: outcome.error?.kind ?? 'aws' });
  const candidates = outcome.detail.triggers.filter((t) => t.verdict === 'through' && t.kind !== 'event-invoke-config');
  if (candidates.length === 0) throw new OperationError(empty, { kind: 'validation', state: nothingChanged() });
  const picked = orDismiss(
    await ctx.ui.pickMany<TriggerView>(
      'routerTriggers',
      // Each chosen at first; its detail says what moving it leaves to the user.
      candidates.map((t) => ({ label: iconText(t.label), description: iconText(t.source ?? ''), detail: iconText(moveFollowUp(t, to)), picked: true, value: t })),
      { title, placeHolder: l10n.t('Triggers') },
    ),
  );
  if (picked.length === 0) throw new OperationError(l10n.t('No trigger chosen.'), { kind: 'validation', state: nothingChanged() });
  return picked.map((p) => p.value);
}

export async function moveTriggersToRouter(ctx: CommandContext, node?: unknown, given?: { functionName: string; aliasName: string }): Promise<void> {
  const title = l10n.t('Move Triggers to Router');
  const clients = await ctx.connection.current();
  const { functionName, aliasName, info } = given
    ? await (async () => {
        const found = await findRouter(ctx, clients, given.functionName, given.aliasName);
        if (!found) throw new OperationError(l10n.t('{0}:{1} has no router in front of it: create one first (Create Router…).', given.functionName, given.aliasName), { kind: 'validation', state: nothingChanged() });
        return { ...given, info: found };
      })()
    : await resolveRouter(ctx, clients, node, title);
  const to = `${info.router}:${info.routerAlias}`;
  const outcome = await exclusive(ctx, functionName, aliasName, async () => {
    const triggers = await pickTriggers(ctx, clients, functionName, aliasName, l10n.t('{0}: which triggers of {1}:{2}?', title, functionName, aliasName), l10n.t('No trigger calls {0}:{1}: nothing to move to the router.', functionName, aliasName), to);
    const yes = await ctx.ui.confirm(
      'confirmMoveToRouter',
      l10n.t('Move {0} trigger(s) of {1}:{2} to router {3}?', triggers.length, functionName, aliasName, to),
      [...triggers.map((t) => `• ${plainText(t.label)}: ${moveFollowUp(t, to)}`), l10n.t('Nothing is removed before its replacement is in place; Move Triggers Back undoes it.')].join('\n'),
      l10n.t('Move'),
    );
    if (!yes) return undefined;
    const done = await withRouter(ctx, clients, l10n.t('Moving triggers of {0}:{1} to {2}', functionName, aliasName, to), (r, uc) => r.moveToRouter(uc, { functionName, aliasName, triggerIds: triggers.map((t) => t.id) }));
    redraw(ctx, functionName);
    redraw(ctx, info.router);
    return done;
  });
  if (!outcome) return;
  void ctx.aliases.notify(outcome);
  showFollowUps(ctx, outcome);
}

export async function moveTriggersBack(ctx: CommandContext, node?: unknown): Promise<void> {
  const title = l10n.t('Move Triggers Back');
  const clients = await ctx.connection.current();
  const { functionName, aliasName, info } = await resolveRouter(ctx, clients, node, title);
  const from = `${info.router}:${info.routerAlias}`;
  const outcome = await exclusive(ctx, functionName, aliasName, async () => {
    const triggers = await pickTriggers(ctx, clients, info.router, info.routerAlias, l10n.t('{0}: which triggers of {1}?', title, from), l10n.t('No trigger calls router {0}: nothing to move back.', from), `${functionName}:${aliasName}`);
    const yes = await ctx.ui.confirm(
      'confirmMoveBack',
      l10n.t('Move {0} trigger(s) back from router {1} to {2}:{3}?', triggers.length, from, functionName, aliasName),
      [...triggers.map((t) => `• ${plainText(t.label)}`), l10n.t('Their events go to {0}:{1} again, split by its weights, not by the router\u2019s rule. The router stays.', functionName, aliasName)].join('\n'),
      l10n.t('Move Back'),
    );
    if (!yes) return undefined;
    const done = await withRouter(ctx, clients, l10n.t('Moving triggers back from {0}', from), (r, uc) => r.moveBackFromRouter(uc, { functionName, aliasName, triggerIds: triggers.map((t) => t.id) }));
    redraw(ctx, functionName);
    redraw(ctx, info.router);
    return done;
  });
  if (!outcome) return;
  void ctx.aliases.notify(outcome);
  showFollowUps(ctx, outcome);
}

export async function removeRouter(ctx: CommandContext, node?: unknown): Promise<void> {
  const title = l10n.t('Remove Router');
  const clients = await ctx.connection.current();
  const { functionName, aliasName, info } = await resolveRouter(ctx, clients, node, title);
  const r = `${info.router}:${info.routerAlias}`;
  const outcome = await exclusive(ctx, functionName, aliasName, async () => {
    const yes = await ctx.ui.confirm(
      'confirmRemoveRouter',
      l10n.t('Remove router {0} from in front of {1}:{2}?', r, functionName, aliasName),
      [
        l10n.t('First, every trigger moved to the router is moved back to {0}:{1} (split by its weights again).', functionName, aliasName),
        l10n.t('Then deleted: the function {0}, with its alias {1} and its versions, as Lambda Canary created them (a function it did not create is never deleted).', info.router, info.routerAlias),
        l10n.t('Stays: {0} with its aliases and versions; the role {1} (yours); the router\u2019s log group in CloudWatch Logs; a URL created on the router stops answering.', functionName, info.roleArn ?? l10n.t('of the router')),
      ].join('\n\n'),
      l10n.t('Remove Router'),
    );
    if (!yes) return undefined;
    const done = await withRouter(ctx, clients, l10n.t('Removing router {0}', r), (m, uc) => m.removeRouter(uc, { functionName, aliasName }));
    redraw(ctx, functionName, true);
    return done;
  });
  if (!outcome) return;
  void ctx.aliases.notify(outcome);
  showFollowUps(ctx, outcome);
}

