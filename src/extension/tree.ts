import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { CodeDeployManagement } from '../core/codedeploy/types';
import type { Clients } from '../core/connection';
import { describeAwsError } from '../core/errors';
import { listAliases, listFunctionsSoFar, listVersions } from '../core/lambdaApi';
import type { Outcome } from '../core/outcome';
import { redact } from '../core/redact';
import { leaseLive, markerName, parseLease } from '../core/rollout/lease';
import { isCanary, splitOf } from '../core/routing';
import type { RouterInfo } from '../core/router/api';
import { loadRouter } from '../core/routerModule';
import { loadTriggers } from '../core/triggersModule';
import { ContextKeys, ContextValues } from '../shared/ids';
import type { ReleaseMemberView, ReleaseView } from '../shared/release';
import type { RolloutView } from '../shared/rollout';
import { plainText } from '../shared/text';
import type { TriggerAudit, TriggerView } from '../shared/triggers';
import { managedShort, managedTooltip } from './codeDeployText';
import type { ConnectionManager } from './connection';
import type { ExtensionLog } from './log';
import type { AliasRollout } from './rolloutText';
import { aliasRolloutOf, rolloutAliasLabel, rolloutContextValue, rolloutDescription, rolloutIcon, rolloutTooltipLines } from './rolloutText';
import { listedReleases, memberDescription, memberIcon, memberLabel, memberTooltip, releaseContextValue, releaseDescription, releaseIcon, releaseLabel, releaseTooltip } from './releaseText';
import { aliasLabel, formatPercent } from './locale';
import { aliasDescription, aliasSpoken, aliasTooltip, functionTooltip, spoken, versionDescription, versionSpoken, versionTooltip } from './treeText';
import { routerTooltip, ruleSummary } from './routerText';
import { triggerContextValue, triggerDescription, triggerIcon, triggerTooltip } from './triggerText';
import { useCaseContext } from './useCaseContext';

export type Node = FunctionNode | GroupNode | AliasNode | VersionNode | TriggerNode | RouterNode | MessageNode | ReleasesNode | ReleaseNode | ReleaseMemberNode;

/** The Releases node: above the functions while the connection knows of any release. */
export class ReleasesNode {
  readonly kind = 'releases';
}

/** One release: `source · id` and its status; its members below. */
export class ReleaseNode {
  readonly kind = 'release';
  constructor(
    readonly parent: ReleasesNode,
    public view: ReleaseView,
  ) {}
  get releaseId(): string {
    return this.view.id;
  }
}

export class ReleaseMemberNode {
  readonly kind = 'releaseMember';
  constructor(
    readonly parent: ReleaseNode,
    readonly member: ReleaseMemberView,
  ) {}
}

/** What the tree needs of the releases: what is known now, and when it changes. */
export interface ReleaseSource {
  views(): ReleaseView[];
  view(id: string): ReleaseView | undefined;
  readonly onDidChange: vscode.Event<ReleaseView | undefined>;
}

export class FunctionNode {
  readonly kind = 'function';
  /** Aliases and versions, loaded together (two calls in parallel) on first expand. */
  details?: Promise<{ aliases: AliasConfiguration[]; versions: FunctionConfiguration[] }>;
  /** Trigger audits read on expand, by the alias they are relative to ('' = the function's Triggers group). */
  readonly audits = new Map<string, Promise<Outcome<TriggerAudit>>>();
  /** The router in front of each alias (findRouter), read on the alias's expand, by alias name. */
  readonly routers = new Map<string, Promise<RouterInfo | undefined>>();
  readonly groups: [GroupNode, GroupNode, GroupNode];
  constructor(readonly config: FunctionConfiguration) {
    this.groups = [new GroupNode(this, 'aliases'), new GroupNode(this, 'versions'), new GroupNode(this, 'triggers')];
  }
  get name(): string {
    return this.config.FunctionName!;
  }
}

export class GroupNode {
  readonly kind = 'group';
  constructor(
    readonly parent: FunctionNode,
    readonly group: 'aliases' | 'versions' | 'triggers',
  ) {}
}

export class AliasNode {
  readonly kind = 'alias';
  constructor(
    readonly parent: FunctionNode,
    readonly alias: AliasConfiguration,
  ) {}
  get functionName(): string {
    return this.parent.name;
  }
  get aliasName(): string {
    return this.alias.Name!;
  }
}

export class VersionNode {
  readonly kind = 'version';
  constructor(
    readonly parent: FunctionNode,
    readonly version: FunctionConfiguration,
    /** Aliases routing to this version (with their weight when it is a share), for the description. */
    readonly servedBy: ServedBy[],
  ) {}
}

/** One trigger of the audit: under the function's Triggers group, or under the alias it is judged against. */
export class TriggerNode {
  readonly kind = 'trigger';
  constructor(
    readonly parent: FunctionNode,
    readonly trigger: TriggerView,
    /** The alias node it is listed under; undefined: the function's Triggers group. */
    readonly alias?: AliasNode,
    /** The function's aliases (as the audit read them). */
    readonly aliases: string[] = [],
  ) {}
  get functionName(): string {
    return this.parent.name;
  }
}

/** The router in front of an alias: the first row under the alias, when there is one. */
export class RouterNode {
  readonly kind = 'router';
  constructor(
    readonly parent: FunctionNode,
    readonly alias: AliasNode,
    readonly info: RouterInfo,
  ) {}
  get functionName(): string {
    return this.parent.name;
  }
  get aliasName(): string {
    return this.alias.aliasName;
  }
}

export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly text: string,
    readonly isError = false,
    readonly detail?: string,
    readonly action?: vscode.Command,
    /** Shown with a warning icon (e.g. a trigger source the audit could not read). */
    readonly isWarning = false,
  ) {}
}

/** What the tree needs of the rollouts: what is known now, and when it changes. */
export interface RolloutSource {
  view(functionName: string, aliasName: string): RolloutView | undefined;
  readonly onDidChange: vscode.Event<RolloutView>;
  /** Whether CodeDeploy manages the alias, as known now ('unread': not read since the last refresh). */
  managedNow?(functionName: string, aliasName: string): CodeDeployManagement | undefined | 'unread';
  /** Reads it (once until the next refresh). */
  readManaged?(functionName: string, aliasName: string): Promise<unknown>;
  /** The function's (or every) alias is read again next time. */
  forgetManaged?(functionName?: string): void;
}

/** This machine as a lease names it: a lease of a process of this host that is gone binds nobody. */
const SELF = { holder: `${markerName(os.userInfo().username)}@${markerName(os.hostname())}`, pid: process.pid };

/** Rollout evidence changes every tick: an alias redraws at most this often. */
const ROLLOUT_REDRAW_MS = 1000;
/** How often the aliases of a rollout driven elsewhere are read again. */
const REMOTE_REREAD_MS = 15_000;
/** A mapping in one of these states is moving (e.g. just routed through an alias): its function's triggers are read again shortly. */
const TRANSITIONAL = new Set(['Creating', 'Updating', 'Enabling', 'Disabling', 'Deleting']);
const SETTLE_REREAD_MS = 2000;
const SETTLE_MAX_ROUNDS = 30;

/** An alias routing to a version: its name, its share when it splits traffic, and the description's text of both. */
export interface ServedBy {
  alias: string;
  weight?: number;
  label: string;
}

/** What a screen reader says of the item: `spoken` (default: its label), then its description, as words. */
function spokenAs(item: vscode.TreeItem, label?: string): vscode.TreeItem {
  const text = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  return withSpoken(item, spoken(label ?? text, typeof item.description === 'string' ? item.description : undefined));
}

function withSpoken(item: vscode.TreeItem, label: string): vscode.TreeItem {
  item.accessibilityInformation = { label };
  return item;
}

/** What a rollout's label says beyond the alias's split (`step 2/4 · paused`), to be read after it. */
function rolloutSpokenSuffix(label: string, split: string): string {
  return label.startsWith(split) ? label.slice(split.length).replace(/^\s*·\s*/, '') : label;
}

/**
 * A tooltip from Markdown whose AWS-provided parts are already escaped (treeText.ts): no command
 * links, no HTML, no theme icons, whatever a description says.
 */
function textTooltip(markdown: string): vscode.MarkdownString {
  const tip = new vscode.MarkdownString(markdown, false);
  tip.isTrusted = false;
  tip.supportHtml = false;
  return tip;
}

/**
 * Functions → Aliases / Versions. The root lists functions page by page as they arrive (each
 * page redraws the root, a "Loading…" row stands at the end until the last page); a function's
 * children load when it is first expanded. Failures become an error row, never a popup.
 */
export class FunctionsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private functions: FunctionNode[] = [];
  private listing?: { done: boolean; error?: string; generation: number };
  private generation = 0;
  private filter = '';
  private readonly disposables: vscode.Disposable[] = [];
  /** Time of the first ListFunctions request after activation, for the activation benchmark. */
  firstListRequestAt?: number;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: ExtensionLog,
    /** Fired after every write to an alias (from the deployment journal's append). */
    onDidChangeAlias: vscode.Event<{ functionName: string }>,
    /** The rollouts of this window: labels, icons and menus of their aliases. */
    private readonly rollouts?: RolloutSource,
    /** The releases of this window: the Releases node. */
    private readonly releases?: ReleaseSource,
  ) {
    this.disposables.push(
      this.changed,
      connection.onDidChange(() => this.refresh()),
      // The function's node reloads its aliases and versions (everything, when it is not listed).
      onDidChangeAlias((e) => this.refresh(this.findFunction(e.functionName))),
    );
    if (rollouts) this.disposables.push(rollouts.onDidChange((v) => this.rolloutChanged(v.functionName, v.aliasName)));
    if (releases) this.disposables.push(releases.onDidChange((v) => this.releaseChanged(v)));
  }

  private readonly releasesNode = new ReleasesNode();
  /** Each release's node (kept, so an expanded release stays expanded), and its status and step last drawn. */
  private readonly releaseNodes = new Map<string, ReleaseNode>();
  private readonly releaseSteps = new Map<string, string>();
  private releaseRedraw?: { last: number; timer?: ReturnType<typeof setTimeout> };

  /** Redraws the Releases node at most once a second; a release's step or status that moved reloads its members' functions. */
  private releaseChanged(v: ReleaseView | undefined): void {
    if (v) {
      const step = `${v.current}:${v.status}`;
      if (this.releaseSteps.get(v.id) !== step) {
        this.releaseSteps.set(v.id, step);
        for (const m of v.members) {
          const fn = this.findFunction(m.functionName);
          if (fn) this.refresh(fn);
        }
      }
    }
    const r = (this.releaseRedraw ??= { last: 0 });
    if (r.timer) return;
    const draw = () => {
      r.timer = undefined;
      r.last = Date.now();
      this.changed.fire(undefined);
    };
    const wait = r.last + ROLLOUT_REDRAW_MS - Date.now();
    if (wait <= 0) draw();
    else r.timer = setTimeout(draw, wait);
  }

  /** The release rows as listed now (open ones first, then the recent ended ones). */
  releaseRows(): ReleaseNode[] {
    const out: ReleaseNode[] = [];
    for (const v of listedReleases(this.releases?.views() ?? [])) {
      const node = this.releaseNodes.get(v.id) ?? new ReleaseNode(this.releasesNode, v);
      node.view = v;
      this.releaseNodes.set(v.id, node);
      out.push(node);
    }
    return out;
  }

  private readonly redraws = new Map<string, { last: number; timer?: ReturnType<typeof setTimeout>; step?: string }>();
  /** Functions with an alias another driver's lease moves: read again now and then, while the lease lasts. */
  private readonly remoteWatches = new Map<string, ReturnType<typeof setTimeout>>();

  /**
   * Redraws the function's aliases, at most once a second per alias: from what was listed while
   * only the evidence moves, read again when the step or the status changed (the weights moved).
   */
  private rolloutChanged(functionName: string, aliasName: string): void {
    const key = `${functionName}:${aliasName}`;
    const r = this.redraws.get(key) ?? this.redraws.set(key, { last: 0 }).get(key)!;
    if (r.timer) return;
    const draw = () => {
      r.timer = undefined;
      r.last = Date.now();
      const fn = this.findFunction(functionName);
      if (!fn) return;
      const v = this.rollouts?.view(functionName, aliasName);
      const step = v ? `${v.id}:${v.current}:${v.status}` : undefined;
      if (step !== r.step) {
        r.step = step;
        this.refresh(fn);
      } else this.changed.fire(fn.groups[0]);
    };
    const wait = r.last + ROLLOUT_REDRAW_MS - Date.now();
    if (wait <= 0) draw();
    else r.timer = setTimeout(draw, wait);
  }

  /** The rollout an alias node shows now: this window's, or another driver's lease read from its description. */
  rolloutOf(node: AliasNode): AliasRollout | undefined {
    const view = this.rollouts?.view(node.functionName, node.aliasName);
    const { lease } = parseLease(node.alias.Description);
    const now = Date.now();
    return aliasRolloutOf(view, lease, now, (l) => leaseLive(l, now, SELF));
  }

  /** Whether CodeDeploy manages the alias, as known now; an unread alias is read, then redrawn. */
  private managedOf(node: AliasNode): CodeDeployManagement | undefined {
    const known = this.rollouts?.managedNow?.(node.functionName, node.aliasName);
    if (known !== 'unread') return known;
    void this.rollouts?.readManaged?.(node.functionName, node.aliasName).then(() => {
      if (this.rollouts?.managedNow?.(node.functionName, node.aliasName) !== 'unread') this.changed.fire(node.parent.groups[0]);
    });
    return undefined;
  }

  get filterText(): string {
    return this.filter;
  }

  setFilter(text: string): void {
    this.filter = text.trim();
    void vscode.commands.executeCommand('setContext', ContextKeys.filtered, this.filter !== '');
    this.changed.fire(undefined);
  }

  /** Reloads one node, or everything when no node is given. */
  refresh(node?: Node): void {
    if (!node) {
      this.generation++;
      this.listing = undefined;
      this.functions = [];
      this.changed.fire(undefined);
      return;
    }
    if (node.kind === 'releases' || node.kind === 'release' || node.kind === 'releaseMember') {
      this.changed.fire(undefined);
      return;
    }
    const fn = node.kind === 'function' ? node : node.kind === 'message' ? undefined : node.parent;
    this.rollouts?.forgetManaged?.(fn?.name);
    if (fn) {
      fn.details = undefined;
      fn.audits.clear();
      fn.routers.clear();
      this.changed.fire(fn);
    } else {
      this.refresh();
    }
  }

  /** The loaded function nodes (all pages so far), e.g. for pickers. */
  loadedFunctions(): FunctionNode[] {
    return this.functions;
  }

  findFunction(name: string): FunctionNode | undefined {
    return this.functions.find((f) => f.name === name);
  }

  private view?: vscode.TreeView<Node>;

  /** The view showing this tree, for `revealTriggers`. */
  attachView(view: vscode.TreeView<Node>): void {
    this.view = view;
  }

  /** Shows the function's Triggers group expanded (read afresh); nothing when the function is not listed. */
  async revealTriggers(functionName: string): Promise<void> {
    const fn = this.findFunction(functionName);
    if (!fn || !this.view) return;
    fn.audits.clear();
    this.changed.fire(fn.groups[2]);
    await Promise.resolve(this.view.reveal(fn.groups[2], { expand: true, focus: true, select: true })).catch((err: unknown) => this.log.warn(`Could not show the triggers of ${functionName}: ${String(err)}`));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'releases': {
        const rows = listedReleases(this.releases?.views() ?? []);
        const open = rows.filter((v) => releaseContextValue(v) !== 'lambdaCanary:release:ended').length;
        const item = new vscode.TreeItem(vscode.l10n.t('Releases'), vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'releases';
        item.contextValue = 'lambdaCanary:releases';
        item.iconPath = new vscode.ThemeIcon('layers');
        item.description = open ? vscode.l10n.t('{0} open', open) : undefined;
        item.tooltip = vscode.l10n.t('Releases of this connection: several functions moved together through one plan. Open ones first, then the most recent that ended.');
        return spokenAs(item);
      }
      case 'release': {
        const v = this.releases?.view(node.releaseId) ?? node.view;
        const item = new vscode.TreeItem(releaseLabel(v), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `release:${v.id}`;
        item.contextValue = releaseContextValue(v);
        const icon = releaseIcon(v);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.description = releaseDescription(v);
        item.tooltip = textTooltip(releaseTooltip(v));
        return spokenAs(item, vscode.l10n.t('release {0}', item.label as string));
      }
      case 'releaseMember': {
        const m = node.member;
        const item = new vscode.TreeItem(memberLabel(m), vscode.TreeItemCollapsibleState.None);
        item.id = `release:${node.parent.releaseId}/${m.functionName}:${m.aliasName}`;
        item.contextValue = 'lambdaCanary:releaseMember';
        const icon = memberIcon(m);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.description = memberDescription(m);
        item.tooltip = textTooltip(memberTooltip(m));
        return spokenAs(item);
      }
      case 'function': {
        const item = new vscode.TreeItem(plainText(node.name), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `fn:${node.name}`;
        item.contextValue = ContextValues.function;
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.description = plainText(node.config.Runtime) || undefined;
        item.tooltip = textTooltip(functionTooltip(node.config));
        return spokenAs(item, vscode.l10n.t('function {0}', item.label as string));
      }
      case 'group': {
        if (node.group === 'triggers') {
          const item = new vscode.TreeItem(vscode.l10n.t('Triggers'), vscode.TreeItemCollapsibleState.Collapsed);
          item.id = `fn:${node.parent.name}/triggers`;
          item.contextValue = ContextValues.triggerGroup;
          item.iconPath = new vscode.ThemeIcon('zap');
          item.tooltip = vscode.l10n.t('What invokes this function: event source mappings, function URLs, resource-based policy statements, asynchronous invoke configurations. Read when expanded.');
          return spokenAs(item, vscode.l10n.t('Triggers of {0}', plainText(node.parent.name)));
        }
        const isAliases = node.group === 'aliases';
        const item = new vscode.TreeItem(isAliases ? vscode.l10n.t('Aliases') : vscode.l10n.t('Versions'), isAliases ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `fn:${node.parent.name}/${node.group}`;
        item.contextValue = isAliases ? ContextValues.aliasGroup : ContextValues.versionGroup;
        item.iconPath = new vscode.ThemeIcon(isAliases ? 'references' : 'versions');
        return spokenAs(item, isAliases ? vscode.l10n.t('Aliases of {0}', plainText(node.parent.name)) : vscode.l10n.t('Versions of {0}', plainText(node.parent.name)));
      }
      case 'alias': {
        const rollout = this.rolloutOf(node);
        if (rollout?.kind === 'lease') this.watchRemote(node.functionName, rollout.lease.until);
        if (rollout) {
          const item = new vscode.TreeItem(rolloutAliasLabel(node.alias, rollout), vscode.TreeItemCollapsibleState.Collapsed);
          item.id = `fn:${node.functionName}/alias:${node.aliasName}`;
          item.contextValue = rolloutContextValue(rollout, ContextValues.aliasRollout, ContextValues.aliasRolloutRemote, ContextValues.aliasCodeDeploy);
          const icon = rolloutIcon(rollout);
          item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
          item.description = rolloutDescription(rollout) ?? aliasDescription(node.alias, false);
          item.tooltip = textTooltip([...rolloutTooltipLines(rollout), aliasTooltip(node.functionName, node.alias)].join('  \n'));
          return withSpoken(item, aliasSpoken(node.alias, rolloutSpokenSuffix(item.label as string, plainText(aliasLabel(node.alias))), item.description));
        }
        const canary = isCanary(node.alias);
        // Collapsed: its children are the triggers judged against it, read when expanded.
        const item = new vscode.TreeItem(plainText(aliasLabel(node.alias)), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `fn:${node.functionName}/alias:${node.aliasName}`;
        item.contextValue = canary ? ContextValues.aliasCanary : ContextValues.alias;
        item.iconPath = canary ? new vscode.ThemeIcon('beaker', new vscode.ThemeColor('charts.yellow')) : new vscode.ThemeIcon('tag');
        item.description = aliasDescription(node.alias, canary);
        item.tooltip = textTooltip(aliasTooltip(node.functionName, node.alias));
        const managed = this.managedOf(node);
        if (managed) {
          item.description = [managedShort(managed), item.description].filter(Boolean).join(' · ');
          item.tooltip = textTooltip(`${managedTooltip(managed)}  \n${aliasTooltip(node.functionName, node.alias)}`);
        }
        return withSpoken(item, aliasSpoken(node.alias, item.description as string | undefined));
      }
      case 'version': {
        const v = node.version;
        const isLatest = v.Version === '$LATEST';
        const item = new vscode.TreeItem(plainText(v.Version ?? '?'), vscode.TreeItemCollapsibleState.None);
        item.id = `fn:${node.parent.name}/version:${v.Version}`;
        item.contextValue = isLatest ? ContextValues.versionLatest : ContextValues.version;
        item.iconPath = new vscode.ThemeIcon(isLatest ? 'edit' : 'package');
        item.description = versionDescription(v, node.servedBy.map((s) => s.label));
        item.tooltip = textTooltip(versionTooltip(node.parent.name, v));
        return withSpoken(item, versionSpoken(v, node.servedBy));
      }
      case 'trigger': {
        const t = node.trigger;
        const item = new vscode.TreeItem(plainText(t.label), vscode.TreeItemCollapsibleState.None);
        item.id = node.alias ? `fn:${node.functionName}/alias:${node.alias.aliasName}/trigger:${t.id}` : `fn:${node.functionName}/triggers/${t.id}`;
        item.contextValue = triggerContextValue(t);
        const icon = triggerIcon(t);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.description = triggerDescription(t);
        item.tooltip = textTooltip(triggerTooltip(t, node.alias ? [] : node.aliases));
        return spokenAs(item);
      }
      case 'router': {
        const info = node.info;
        const item = new vscode.TreeItem(plainText(`${info.router}:${info.routerAlias}`), vscode.TreeItemCollapsibleState.None);
        item.id = `fn:${node.functionName}/alias:${node.aliasName}/router`;
        item.contextValue = ContextValues.router;
        item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
        item.description = ruleSummary(info.config);
        item.tooltip = textTooltip(routerTooltip(node.functionName, node.aliasName, info));
        return spokenAs(item, vscode.l10n.t('router {0}', item.label as string));
      }
      case 'message': {
        const item = new vscode.TreeItem(plainText(node.text), vscode.TreeItemCollapsibleState.None);
        item.contextValue = node.isError ? ContextValues.error : ContextValues.message;
        item.iconPath = node.isWarning
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : new vscode.ThemeIcon(node.isError ? 'error' : 'info', node.isError ? new vscode.ThemeColor('errorForeground') : undefined);
        item.tooltip = redact(node.detail ?? node.text);
        item.command = node.action;
        return spokenAs(item, node.isError ? vscode.l10n.t('Error: {0}', plainText(node.text)) : undefined);
      }
    }
  }

  getParent(node: Node): Node | undefined {
    switch (node.kind) {
      case 'group':
        return node.parent;
      case 'alias':
        return node.parent.groups[0];
      case 'version':
        return node.parent.groups[1];
      case 'trigger':
        return node.alias ?? node.parent.groups[2];
      case 'router':
        return node.alias;
      case 'release':
      case 'releaseMember':
        return node.parent;
      default:
        return undefined;
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.rootChildren();
    switch (node.kind) {
      case 'function':
        this.loadDetails(node);
        return node.groups;
      case 'group':
        return node.group === 'triggers' ? this.triggerChildren(node.parent) : this.groupChildren(node);
      case 'alias': {
        const [router, triggers] = await Promise.all([this.routerChildren(node), this.triggerChildren(node.parent, node)]);
        return [...router, ...triggers];
      }
      case 'releases':
        return this.releaseRows();
      case 'release': {
        const v = this.releases?.view(node.releaseId) ?? node.view;
        return v.members.map((m) => new ReleaseMemberNode(node, m));
      }
      default:
        return [];
    }
  }

  /** The function's trigger audit (relative to `alias` when given), read once until the next refresh. */
  audit(fn: FunctionNode, aliasName?: string): Promise<Outcome<TriggerAudit>> {
    const key = aliasName ?? '';
    let read = fn.audits.get(key);
    if (!read) {
      // Read-only and not journalled: no journal port, so reading never fires a change of the tree.
      read = this.connection.current().then((clients) => loadTriggers().then(({ auditTriggers }) => auditTriggers(useCaseContext(clients, this.log), { functionName: fn.name, ...(aliasName ? { aliasName } : {}) })));
      fn.audits.set(key, read);
    }
    return read;
  }

  /** The router in front of the alias (findRouter, read-only), read once until the next refresh; undefined: none. */
  router(node: AliasNode): Promise<RouterInfo | undefined> {
    const fn = node.parent;
    let read = fn.routers.get(node.aliasName);
    if (!read) {
      read = this.connection.current().then((clients) => loadRouter().then(({ findRouter }) => findRouter(useCaseContext(clients, this.log), { functionName: fn.name, aliasName: node.aliasName })));
      fn.routers.set(node.aliasName, read);
    }
    return read;
  }

  /**
   * The router row under an alias, when a router stands in front of it. A failure to look is
   * logged and shows no row (the alias's triggers still list; the next refresh looks again).
   */
  private async routerChildren(alias: AliasNode): Promise<Node[]> {
    try {
      const info = await this.router(alias);
      return info ? [new RouterNode(alias.parent, alias, info)] : [];
    } catch (err) {
      alias.parent.routers.delete(alias.aliasName);
      this.log.warn(`Looking for a router in front of ${alias.functionName}:${alias.aliasName} failed: ${describeAwsError(err).message}`);
      return [];
    }
  }

  /** Triggers (and what could not be read) under the function's Triggers group or under an alias; a failure is one error row. */
  private async triggerChildren(fn: FunctionNode, alias?: AliasNode): Promise<Node[]> {
    const where = alias ? `${fn.name}:${alias.aliasName}` : fn.name;
    let audit: TriggerAudit | undefined;
    let failure: string | undefined;
    try {
      const outcome = await this.audit(fn, alias?.aliasName);
      audit = outcome.error ? undefined : outcome.detail;
      failure = outcome.error?.message;
    } catch (err) {
      failure = describeAwsError(err).message;
    }
    if (!audit) {
      fn.audits.delete(alias?.aliasName ?? ''); // read again on the next expand / refresh
      const message = failure ?? vscode.l10n.t('the audit returned nothing');
      this.log.error(`Reading the triggers of ${where} failed: ${message}`);
      return [new MessageNode(vscode.l10n.t('Could not read triggers: {0}', message), true, message, { title: vscode.l10n.t('Show Log'), command: 'lambdaCanary.showLog' })];
    }
    // Under an alias: what goes through it first, then what bypasses it, then the rest.
    const rank = { through: 0, bypasses: 1, 'other-alias': 2, info: 3 } as const;
    const triggers = alias ? [...audit.triggers].sort((a, b) => rank[a.verdict] - rank[b.verdict]) : audit.triggers;
    this.watchSettling(fn.name, triggers);
    const out: Node[] = triggers.map((t) => new TriggerNode(fn, t, alias, audit.aliases));
    for (const line of audit.unreadable) out.push(new MessageNode(line, false, line, undefined, true));
    if (triggers.length === 0 && audit.unreadable.length === 0) {
      out.push(
        new MessageNode(
          alias ? vscode.l10n.t('No triggers of {0} go through or around {1}', fn.name, alias.aliasName) : vscode.l10n.t('No triggers'),
          false,
          vscode.l10n.t(
            'No event source mapping, function URL, resource-based policy statement or asynchronous invoke configuration. Callers allowed by their own IAM policies (Step Functions, AppSync, other functions) leave no trace on the function.',
          ),
        ),
      );
    }
    return out;
  }

  private async rootChildren(): Promise<Node[]> {
    if (!this.listing) await this.startListing();
    const listing = this.listing!;
    const shown = this.filter ? this.functions.filter((f) => f.name.toLowerCase().includes(this.filter.toLowerCase())) : this.functions;
    const out: Node[] = [...(this.releaseRows().length ? [this.releasesNode] : []), ...shown];
    if (listing.error) {
      out.push(new MessageNode(listing.error, true, listing.error, { title: vscode.l10n.t('Show Log'), command: 'lambdaCanary.showLog' }));
    } else if (!listing.done) {
      out.push(new MessageNode(vscode.l10n.t('Loading functions… ({0} so far)', this.functions.length)));
    } else if (this.functions.length === 0) {
      out.push(new MessageNode(vscode.l10n.t('No functions in this region.'), false, vscode.l10n.t('Create a function, or switch the region or profile with "Lambda Canary: Select Connection".')));
    } else if (shown.length === 0) {
      out.push(new MessageNode(vscode.l10n.t('No function name contains "{0}".', this.filter), false, undefined, { title: vscode.l10n.t('Clear Filter'), command: 'lambdaCanary.clearFilter' }));
    }
    return out;
  }

  /** Resolves when the first page is in (or the listing failed); later pages redraw the root. */
  private startListing(): Promise<void> {
    const generation = this.generation;
    const listing = { done: false, generation } as { done: boolean; error?: string; generation: number };
    this.listing = listing;
    let firstPage!: () => void;
    const first = new Promise<void>((r) => (firstPage = r));
    void (async () => {
      let clients: Clients | undefined;
      try {
        clients = await this.connection.current();
        this.firstListRequestAt ??= Date.now();
        // One node per function for the whole listing: an expanded node keeps its children.
        const nodes = new Map<string, FunctionNode>();
        const nodeOf = (c: FunctionConfiguration) => nodes.get(c.FunctionName!) ?? nodes.set(c.FunctionName!, new FunctionNode(c)).get(c.FunctionName!)!;
        let pages = 0;
        for await (const listed of listFunctionsSoFar(clients.lambda)) {
          if (this.generation !== generation) return;
          this.functions = listed.map(nodeOf);
          if (pages++ === 0) firstPage();
          else this.changed.fire(undefined);
        }
        listing.done = true;
      } catch (err) {
        if (this.generation !== generation) return;
        const profile = clients?.spec.kind === 'aws' ? clients.spec.profile : undefined;
        listing.error = describeAwsError(err, profile).message;
        this.log.error(`Listing functions failed: ${(err as Error)?.name ?? ''} ${(err as Error)?.message ?? String(err)}`);
      } finally {
        firstPage();
        if (this.generation === generation) this.changed.fire(undefined);
      }
    })();
    return first;
  }

  private loadDetails(fn: FunctionNode): void {
    if (fn.details) return;
    fn.details = this.connection.current().then(async (clients) => {
      const [aliases, versions] = await Promise.all([listAliases(clients.lambda, fn.name), listVersions(clients.lambda, fn.name)]);
      return { aliases, versions };
    });
    fn.details.catch(() => undefined);
  }

  private async groupChildren(node: GroupNode): Promise<Node[]> {
    this.loadDetails(node.parent);
    try {
      const { aliases, versions } = await node.parent.details!;
      if (node.group === 'aliases') {
        if (aliases.length === 0) return [new MessageNode(vscode.l10n.t('No aliases'), false, vscode.l10n.t('Create an alias (e.g. prod) pointing to a published version to deploy through it.'))];
        return aliases.map((a) => new AliasNode(node.parent, a));
      }
      const served = new Map<string, ServedBy[]>();
      for (const a of aliases) {
        const split = splitOf(a);
        for (const v of [split.primary, split.canary]) {
          if (!v) continue;
          const by: ServedBy = split.canary ? { alias: a.Name!, weight: v.weight, label: `${a.Name} ${formatPercent(v.weight)}` } : { alias: a.Name!, label: a.Name! };
          served.set(v.version, [...(served.get(v.version) ?? []), by]);
        }
      }
      return versions.map((v) => new VersionNode(node.parent, v, served.get(v.Version!) ?? []));
    } catch (err) {
      node.parent.details = undefined; // retry on the next expand / refresh
      const message = describeAwsError(err).message;
      this.log.error(`Loading ${node.group} of ${node.parent.name} failed: ${message}`);
      return [new MessageNode(node.group === 'aliases' ? vscode.l10n.t('Could not load aliases: {0}', message) : vscode.l10n.t('Could not load versions: {0}', message), true, message)];
    }
  }

  private readonly settling = new Map<string, { rounds: number; timer?: ReturnType<typeof setTimeout> }>();

  /** While a mapping of the function is Creating, Updating, Enabling…, its triggers are read again every 2 s (a minute at most). */
  private watchSettling(functionName: string, triggers: TriggerView[]): void {
    const moving = triggers.some((t) => t.kind === 'event-source-mapping' && t.state !== undefined && TRANSITIONAL.has(t.state));
    const w = this.settling.get(functionName);
    if (!moving) {
      if (w && !w.timer) this.settling.delete(functionName);
      return;
    }
    if (w?.timer || (w && w.rounds >= SETTLE_MAX_ROUNDS)) return;
    const entry = w ?? this.settling.set(functionName, { rounds: 0 }).get(functionName)!;
    entry.rounds++;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      const fn = this.findFunction(functionName);
      if (fn) this.refresh(fn);
    }, SETTLE_REREAD_MS);
  }

  /** A rollout driven elsewhere shows its steps as they come: its function is read again every 15 s, and when its lease runs out. */
  private watchRemote(functionName: string, until: number): void {
    if (this.remoteWatches.has(functionName)) return;
    const wait = Math.max(1000, Math.min(REMOTE_REREAD_MS, until - Date.now() + 1000));
    const timer = setTimeout(() => {
      this.remoteWatches.delete(functionName);
      const fn = this.findFunction(functionName);
      if (fn) this.refresh(fn);
    }, wait);
    this.remoteWatches.set(functionName, timer);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const r of this.redraws.values()) if (r.timer) clearTimeout(r.timer);
    if (this.releaseRedraw?.timer) clearTimeout(this.releaseRedraw.timer);
    for (const t of this.remoteWatches.values()) clearTimeout(t);
    for (const w of this.settling.values()) if (w.timer) clearTimeout(w.timer);
  }
}
