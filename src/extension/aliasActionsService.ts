import * as vscode from 'vscode';
import type { AliasAction } from '../core/aliasActions';
import type { CodeDeployManagement } from '../core/codedeploy/types';
import { AliasActions } from '../core/aliasActions';
import type { Clients } from '../core/connection';
import { errorSummary } from '../core/errors';
import type { Outcome } from '../core/outcome';
import { notificationOutcomeText, outcomeLogLine } from '../core/outcomeText';
import type { UseCaseContext } from '../core/usecases';
import { notificationText, plainText } from '../shared/text';
import type { ConnectionManager } from './connection';
import { confirmManagedWrite } from './codeDeployText';
import type { AliasChange, ExtensionJournal } from './deploymentJournal';
import type { ExtensionLog } from './log';
import { useCaseContext } from './useCaseContext';
import type { UserInterface } from './ui';

export type { AliasChange } from './deploymentJournal';

/** A question asked once the alias is claimed (the same texts as in commands/confirmations.ts). */
export interface ActionConfirmation {
  id: string;
  message: string;
  detail: string;
  action: string;
}

/** One action on one alias, as a command or a panel asks for it. */
export interface AliasActionRequest {
  functionName: string;
  aliasName: string;
  /** What the claim says is running, e.g. to a second click. */
  action: AliasAction;
  /** Who started it: `actions.cancelAll(owner)` aborts it (a panel being closed). Default: a new owner. */
  owner?: object;
  /**
   * Asked once the alias is claimed, so a double click asks once: pickers (return false to stop
   * quietly, as a dismissed picker does) and the confirmation. Called again after a conflict when
   * `retryOnConflict` allows it, to ask about the alias as it is now.
   */
  ask?: (signal: AbortSignal) => Promise<boolean>;
  /** A confirmation asked after `ask`; declined → nothing runs. */
  confirm?: () => ActionConfirmation | undefined;
  /** The progress notification's title. */
  title: string;
  /** The one use case the action is. */
  run: (ctx: UseCaseContext) => Promise<Outcome>;
  /** Rounds asked again when the alias changed since it was read (default 1: no retry). */
  conflictRounds?: number;
  /** Called with a conflict outcome before asking again: re-read the alias, update the question. */
  onConflict?: (outcome: Outcome) => Promise<void>;
  /** Show the outcome as a notification (default true). */
  notify?: boolean;
  /**
   * A manual write (`Set the canary weight`, `Promote`…): on an alias CodeDeploy manages (a SAM
   * DeploymentPreference, a deployment group that deployed it) a modal says by what and what the
   * next deployment does, before anything else is asked.
   */
  manual?: string;
}

/** What became of a request. */
export type AliasActionResult =
  | { status: 'busy'; running: AliasAction }
  | { status: 'declined' }
  | { status: 'ran'; outcome: Outcome };

/**
 * The one way the extension acts on an alias, shared by the commands and the traffic panel:
 * claim the alias (one action at a time, taken before the first await) → ask → progress → one
 * core use case → a notification rendered from the outcome (outcomeText) → `onDidChangeAlias`,
 * fired from the journal's append. Errors are shown with "Show Log"; an unknown outcome says it
 * is unknown; warnings are shown too.
 */
export class AliasActionsService {
  /** One action at a time per alias (`function:alias`), across commands and panels. */
  readonly claims = new AliasActions();
  /** Fired after every write to an alias from this window (and after a failed journal append). */
  readonly onDidChangeAlias: vscode.Event<AliasChange>;

  /** Whether CodeDeploy manages an alias (set by the extension: its CodeDeploy host's cached answer). */
  managedBy?: (functionName: string, aliasName: string) => Promise<CodeDeployManagement | undefined>;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: ExtensionLog,
    readonly journal: ExtensionJournal,
    /** The prompt layer in use (tests swap it). */
    private readonly ui: () => UserInterface,
  ) {
    this.onDidChangeAlias = journal.onDidChangeAlias;
  }

  /** The use-case context of a connection: clients, capabilities, the journal bound to it. */
  useCaseContext(clients: Clients, options: { signal?: AbortSignal; progress?: (message: string) => void } = {}): UseCaseContext {
    return useCaseContext(clients, this.log, { ...options, journal: this.journal.port(clients.spec) });
  }

  /** Runs a request through claim → ask → confirm → progress → use case → notification. */
  async run(request: AliasActionRequest): Promise<AliasActionResult> {
    const key = `${request.functionName}:${request.aliasName}`;
    // Synchronously, before any await: the second of two clicks finds the alias busy.
    const begun = this.claims.begin(key, request.action, request.owner ?? {});
    if (!begun.ok) {
      void this.ui().info(notificationText(vscode.l10n.t('{0} is busy: wait for the current {1} to finish.', key, begun.running)));
      return { status: 'busy', running: begun.running };
    }
    const { claim } = begun;
    try {
      if (request.manual && this.managedBy) {
        const managed = await this.managedBy(request.functionName, request.aliasName).catch(() => undefined);
        if (managed) {
          const q = confirmManagedWrite(request.functionName, request.aliasName, managed, request.manual);
          if (!(await this.ui().confirm(q.id, q.message, q.detail, q.action))) return { status: 'declined' };
        }
      }
      const rounds = Math.max(1, request.conflictRounds ?? 1);
      for (let round = 0; ; round++) {
        if (request.ask && !(await request.ask(claim.signal))) return { status: 'declined' };
        const q = request.confirm?.();
        if (q && !(await this.ui().confirm(q.id, q.message, q.detail, q.action))) return { status: 'declined' };
        // Closed or cancelled while a question was open: the answer no longer applies.
        if (claim.signal.aborted) return { status: 'declined' };
        const clients = await this.connection.current();
        const outcome = await this.withProgress(request.title, claim.signal, (signal, progress) => request.run(this.useCaseContext(clients, { signal, progress })));
        if (outcome.error?.kind === 'conflict' && round + 1 < rounds && request.onConflict) {
          this.log.warn(`${key}: ${outcome.error.message} Asking again.`);
          await request.onConflict(outcome);
          continue;
        }
        if (request.notify !== false) void this.notify(outcome);
        else this.logOutcome(outcome);
        return { status: 'ran', outcome };
      }
    } finally {
      claim.end();
    }
  }

  /**
   * A cancellable progress notification; its token and `signal` (the claim's) become one
   * AbortSignal for core, and each step's message is shown as plain text.
   */
  withProgress<T>(title: string, signal: AbortSignal | undefined, work: (signal: AbortSignal, progress: (message: string) => void) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: plainText(title), cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        const stop = () => abort.abort();
        signal?.addEventListener('abort', stop, { once: true });
        if (signal?.aborted) abort.abort();
        try {
          return await work(abort.signal, (message) => progress.report({ message: plainText(message) }));
        } finally {
          sub.dispose();
          signal?.removeEventListener('abort', stop);
        }
      }),
    );
  }

  /**
   * The outcome in the log and as a notification: error (with Show Log), info, and its warnings.
   * `actions`: buttons of a success's notification (e.g. Undo); the one clicked, if any.
   */
  notify(outcome: Outcome, ...actions: string[]): Thenable<string | undefined> {
    this.logOutcome(outcome);
    const ui = this.ui();
    const text = notificationText(notificationOutcomeText(outcome));
    let answer: Thenable<string | undefined> = Promise.resolve(undefined);
    if (outcome.error?.kind === 'cancelled') void ui.info(text);
    else if (outcome.error || outcome.state === 'unknown') this.showError(text);
    else answer = ui.info(text, ...actions);
    for (const w of outcome.warnings) void ui.warn(notificationText(w));
    return answer;
  }

  private logOutcome(outcome: Outcome): void {
    const line = outcomeLogLine(outcome);
    if (outcome.error && outcome.error.kind !== 'cancelled') {
      this.log.error(`${line}: ${outcome.error.message}${outcome.error.step ? ` [step: ${outcome.error.step}]` : ''}${outcome.error.left ? ` ${outcome.error.left}` : ''}`);
    } else this.log.info(line);
    for (const w of outcome.warnings) this.log.warn(w);
  }

  /** The one error reporter: a one-line notification with "Show Log". */
  showError(text: string): void {
    void this.ui()
      .error(notificationText(text), vscode.l10n.t('Show Log'))
      .then((a) => a === 'Show Log' && this.log.show());
  }

  /** An error thrown outside any use case (a picker's listing, a bug): logged, then shown. */
  reportError(id: string, err: unknown): void {
    const e = err as Error;
    this.log.error(`${id} failed: ${e?.stack ?? String(err)}`);
    this.showError(vscode.l10n.t('Lambda Canary: {0}', errorSummary(err)));
  }
}
