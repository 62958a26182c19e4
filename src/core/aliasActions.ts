/**
 * One action at a time per alias. A double click posts the same message twice, and each message
 * handler awaits before it gets to the work; so the claim is taken synchronously, before any
 * await, and the second request finds the alias busy instead of starting a second probe or a
 * second confirmation. Each action gets its own AbortSignal; Cancel and closing the panel that
 * started it abort everything that owner started.
 */

/**
 * `apply` sets the canary weight; `switch` is Switch Alias / Switch Back; `publish` is Publish
 * Canary (upload, publish a version, route the weight to it).
 */
export type AliasAction = 'apply' | 'promote' | 'rollback' | 'probe' | 'switch' | 'publish' | 'create' | 'return';

export interface ActionClaim {
  readonly action: AliasAction;
  /** Aborted by `cancel` / `cancelAll`; the action checks it between its steps. */
  readonly signal: AbortSignal;
  /** Releases the alias (idempotent). */
  end(): void;
}

export type Begun = { ok: true; claim: ActionClaim } | { ok: false; running: AliasAction };

interface Entry {
  action: AliasAction;
  owner: object;
  controller: AbortController;
}

export class AliasActions {
  private readonly running = new Map<string, Entry>();

  /** Claims `alias` for `action` started by `owner`, or says which action already holds it. */
  begin(alias: string, action: AliasAction, owner: object): Begun {
    const held = this.running.get(alias);
    if (held) return { ok: false, running: held.action };
    const entry: Entry = { action, owner, controller: new AbortController() };
    this.running.set(alias, entry);
    return {
      ok: true,
      claim: {
        action,
        signal: entry.controller.signal,
        end: () => {
          if (this.running.get(alias) === entry) this.running.delete(alias);
        },
      },
    };
  }

  /** The action holding `alias`, if any. */
  current(alias: string): AliasAction | undefined {
    return this.running.get(alias)?.action;
  }

  /**
   * Aborts everything `owner` started. The claims stay held until each action has stopped and
   * ended, so nothing new starts on those aliases meanwhile. Returns how many were aborted.
   */
  cancelAll(owner: object): number {
    let n = 0;
    for (const e of this.running.values()) {
      if (e.owner !== owner || e.controller.signal.aborted) continue;
      e.controller.abort();
      n++;
    }
    return n;
  }
}
