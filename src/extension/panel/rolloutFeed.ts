import { holderText, parseLease } from '../../core/rollout/lease';
import type { HostMessage, LeaseView } from '../../shared/protocol';
import type { RolloutView } from '../../shared/rollout';

/** A panel posts its alias's rollout at most this often (a tick of the runner changes the evidence every second on the sandbox). */
export const ROLLOUT_POST_MS = 500;

/** What a rollout feed needs of its panel; no vscode, so it runs (and is tested) in plain Node. */
export interface RolloutFeedHost {
  /** The alias's rollout as the extension's runner knows it now. */
  view(): RolloutView | undefined;
  /** Posts to the page (a closed page drops it). */
  post(message: HostMessage): Thenable<boolean> | Promise<boolean>;
  now?(): number;
}

/**
 * A panel's view of its alias's rollout: the runner's RolloutView, posted on every change but
 * at most once per ROLLOUT_POST_MS (the latest view wins), and the lease read from the alias's
 * description — the only trace here of a rollout driven from another machine or the CLI.
 */
export class RolloutFeed {
  private lease: LeaseView | undefined;
  private leaseRollout: string | undefined;
  private lastPost = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly host: RolloutFeedHost) {}

  private now(): number {
    return this.host.now?.() ?? Date.now();
  }

  /**
   * Whether the alias's description holds a lease that has not run out (another driver's rollout).
   */
  leaseLive(now = Date.now()): boolean {
    return !!this.lease && this.lease.until > now;
  }

  /**
   * The alias's description as read from AWS: remembers its lease (posting when that changed)
   * and returns the user's own text, without the marker, for the page to show.
   */
  described(description: string | undefined): string | undefined {
    const { userText, lease } = parseLease(description);
    const next: LeaseView | undefined = lease && { holder: holderText(lease), since: lease.since, until: lease.until, step: lease.step, steps: lease.steps };
    if (JSON.stringify(next) !== JSON.stringify(this.lease)) {
      this.lease = next;
      this.leaseRollout = lease?.rollout;
      this.changed();
    }
    return description === undefined ? undefined : userText.trim() || undefined;
  }

  /** Something changed: posts now, or at the end of the current interval if one was just posted. */
  changed(): void {
    if (this.stopped || this.timer) return;
    const wait = this.lastPost + ROLLOUT_POST_MS - this.now();
    if (wait <= 0) {
      void this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  /** Posts the current view at once (the page just loaded, or an action was answered). */
  flush(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastPost = this.now();
    return Promise.resolve(this.host.post(this.message()));
  }

  private message(): HostMessage {
    const view = this.host.view();
    // The lease of the rollout shown is in its view (driver); another one's is shown beside it.
    const lease = this.lease && this.leaseRollout !== view?.id ? this.lease : undefined;
    return { type: 'rollout', rollout: view ?? null, ...(lease ? { lease } : {}) };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
