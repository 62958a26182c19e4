import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionSpec } from '../core/connection';
import type { JournalRecord } from '../core/journal';
import { Journal, journalConnection, sameConnection } from '../core/journal';
import type { ActionName, Outcome } from '../core/outcome';
import type { JournalPort } from '../core/usecases';
import type { ExtensionLog } from './log';

/** An alias this window just wrote to (or tried to): the tree and open panels redraw it. */
export interface AliasChange {
  functionName: string;
  aliasName: string;
  outcome: Outcome;
}

/** A function/alias pair used recently, for pickers. */
export interface RecentAlias {
  functionName: string;
  aliasName: string;
}

/** Actions that write nothing: their records are no reason to redraw. */
const READ_ONLY: ReadonlySet<ActionName> = new Set<ActionName>(['probe', 'traffic']);

/**
 * The extension's deployment journal: one file in its global storage, shared by every window
 * (and readable by the CLI with `--journal-dir`). Switch Back and the pickers' "recently used"
 * read it, so both survive a reload; each append fires `onDidChangeAlias`.
 */
export class ExtensionJournal implements vscode.Disposable {
  readonly journal: Journal;
  private readonly changed = new vscode.EventEmitter<AliasChange>();
  readonly onDidChangeAlias = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(
    storageDir: string,
    private readonly log: ExtensionLog,
    version: string,
  ) {
    this.journal = new Journal(path.join(storageDir, 'journal'), { client: { kind: 'vscode', version } });
    this.subscription = this.journal.onAppend((r) => this.fire(r.outcome));
  }

  private fire(outcome: Outcome): void {
    if (READ_ONLY.has(outcome.action)) return;
    // A release's own records (its start, steps, verdicts, end) name no alias: the Releases node redraws from the runner.
    if (outcome.action === 'release' && outcome.target.function === '(release)') return;
    this.changed.fire({ functionName: outcome.target.function, aliasName: outcome.target.alias, outcome });
  }

  /** The use cases' JournalPort for outcomes on this connection. */
  port(spec: ConnectionSpec): JournalPort {
    const connection = journalConnection(spec);
    return {
      append: async (outcome) => {
        try {
          return await this.journal.append(outcome, { connection });
        } catch (err) {
          // Not recorded, but the alias may have changed all the same: redraw it anyway.
          this.fire(outcome);
          throw err;
        }
      },
      lastSwitch: (key) => this.journal.lastSwitch(key, (r) => sameConnection(r.connection, connection)),
      rollouts: () => this.journal.rollouts((r) => sameConnection(r.connection, connection)),
      codeDeploys: () => this.journal.codeDeploys((r) => sameConnection(r.connection, connection)),
      releases: () => this.journal.releases((r) => sameConnection(r.connection, connection)),
      history: (key, since) => this.journal.history(key, since, (r) => sameConnection(r.connection, connection)),
    };
  }

  /**
   * The function/alias pairs acted on most recently in this account and region, newest first.
   * `where.account` undefined: not known yet (nothing listed), so any account of the region.
   */
  async recent(where: { account?: string; region?: string }, max = 10): Promise<RecentAlias[]> {
    let records: JournalRecord[];
    try {
      const read = await this.journal.read({ limit: 500 });
      records = read.records;
      for (const p of read.problems) this.log.warn(`Deployment journal: ${p}`);
    } catch (err) {
      this.log.warn(`The deployment journal could not be read: ${(err as Error)?.message ?? String(err)}`);
      return [];
    }
    const out: RecentAlias[] = [];
    const seen = new Set<string>();
    for (const r of records.reverse()) {
      const t = r.outcome.target;
      if (where.region !== undefined && t.region !== where.region) continue;
      if (where.account !== undefined && t.account !== where.account) continue;
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      out.push({ functionName: t.function, aliasName: t.alias });
      if (out.length >= max) break;
    }
    return out;
  }

  /** The keys (account/region/function:alias) of aliases Switch Back has something to undo on, on this connection. */
  async switchableKeys(keys: string[], spec: ConnectionSpec): Promise<Set<string>> {
    const connection = journalConnection(spec);
    const found = await this.journal.lastSwitches(keys, (r) => sameConnection(r.connection, connection)).catch(() => new Map<string, unknown>());
    return new Set(found.keys());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
