import type * as vscode from 'vscode';

export interface SwitchRecord {
  /** The version the alias pointed to before the switch. */
  from: string;
  /** The version the switch set. */
  to: string;
  at: number;
}

/**
 * Remembers, per connection + function + alias, the last blue/green switch (or promotion), so
 * "Switch Back" is one step, and the most recently used function/alias pairs for pickers.
 */
export class SwitchMemory {
  constructor(private readonly state: vscode.Memento) {}

  private key(connection: string, fn: string, alias: string): string {
    return `switch:${connection}:${fn}:${alias}`;
  }

  get(connection: string, fn: string, alias: string): SwitchRecord | undefined {
    return this.state.get<SwitchRecord>(this.key(connection, fn, alias));
  }

  async remember(connection: string, fn: string, alias: string, from: string, to: string): Promise<void> {
    await this.state.update(this.key(connection, fn, alias), { from, to, at: Date.now() } satisfies SwitchRecord);
    await this.touch(connection, fn, alias);
  }

  recent(connection: string): Array<{ functionName: string; aliasName: string }> {
    return (this.state.get<string[]>(`recent:${connection}`) ?? []).map((s) => {
      const [functionName, aliasName] = JSON.parse(s) as [string, string];
      return { functionName, aliasName };
    });
  }

  async touch(connection: string, fn: string, alias: string): Promise<void> {
    const entry = JSON.stringify([fn, alias]);
    const list = (this.state.get<string[]>(`recent:${connection}`) ?? []).filter((s) => s !== entry);
    await this.state.update(`recent:${connection}`, [entry, ...list].slice(0, 10));
  }
}
