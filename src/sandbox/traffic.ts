import type { LambdaService } from './lambda/service';
import { AwsError } from './errors';

export interface TrafficTarget {
  functionName: string;
  /** Alias (or version) to invoke. */
  qualifier: string;
  /** Invocations per second. */
  rate: number;
  payload?: unknown;
  /** Payloads sent in turn (in place of `payload`), the first again after the last. */
  payloads?: readonly unknown[];
}

export interface TrafficStats {
  sent: number;
  /** Executed version → invocations / function errors. */
  byVersion: Record<string, { invocations: number; errors: number }>;
  /** Invocations the sandbox refused (unknown alias, pending version, …). */
  rejected: number;
}

const MAX_IN_FLIGHT = 32;

/**
 * Invokes aliases at a steady rate, in process, so CloudWatch metrics and the traffic panel show
 * a live split. Bounded: never more than MAX_IN_FLIGHT invocations outstanding per target.
 */
export class TrafficGenerator {
  private timer?: NodeJS.Timeout;
  private readonly stats = new Map<TrafficTarget, TrafficStats>();
  private readonly inFlight = new Map<TrafficTarget, number>();
  private readonly credit = new Map<TrafficTarget, number>();
  private last = 0;

  constructor(
    private readonly lambda: LambdaService,
    private readonly targets: TrafficTarget[],
    private readonly onError?: (target: TrafficTarget, message: string) => void,
  ) {
    for (const t of targets) {
      if (!(t.rate > 0 && t.rate <= 1000)) throw new Error(`traffic rate for ${t.functionName}:${t.qualifier} must be in (0, 1000] per second`);
      this.stats.set(t, { sent: 0, byVersion: {}, rejected: 0 });
      this.inFlight.set(t, 0);
      this.credit.set(t, 0);
    }
  }

  start(): void {
    if (this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), 50);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  snapshot(): Array<TrafficTarget & TrafficStats> {
    return this.targets.map((t) => ({ ...t, ...structuredClone(this.stats.get(t)!) }));
  }

  private tick(): void {
    const now = Date.now();
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    for (const t of this.targets) {
      let credit = this.credit.get(t)! + t.rate * elapsed;
      while (credit >= 1 && this.inFlight.get(t)! < MAX_IN_FLIGHT) {
        credit -= 1;
        this.fire(t);
      }
      // Do not bank more than one second of backlog while the function is slow.
      this.credit.set(t, Math.min(credit, t.rate));
    }
  }

  private fire(t: TrafficTarget): void {
    const stats = this.stats.get(t)!;
    const event = t.payloads?.length ? t.payloads[stats.sent % t.payloads.length] : t.payload;
    stats.sent++;
    this.inFlight.set(t, this.inFlight.get(t)! + 1);
    const payload = Buffer.from(JSON.stringify(event ?? { source: 'lambda-canary.traffic' }));
    this.lambda
      .invoke(t.functionName, new URLSearchParams({ Qualifier: t.qualifier }), {}, payload)
      .then((reply) => {
        const v = reply.headers?.['X-Amz-Executed-Version'] ?? '?';
        const row = (stats.byVersion[v] ??= { invocations: 0, errors: 0 });
        row.invocations++;
        if (reply.headers?.['X-Amz-Function-Error']) row.errors++;
      })
      .catch((e: unknown) => {
        stats.rejected++;
        if (stats.rejected === 1 || stats.rejected % 100 === 0) {
          this.onError?.(t, e instanceof AwsError ? `${e.code}: ${e.message}` : String(e));
        }
      })
      .finally(() => this.inFlight.set(t, this.inFlight.get(t)! - 1));
  }
}

/** Parses `fn:alias=RATE` (rate per second). */
export function parseTrafficArg(arg: string): TrafficTarget {
  const m = /^([A-Za-z0-9_-]+):([A-Za-z0-9_$-]+)=(\d+(?:\.\d+)?)$/.exec(arg);
  if (!m) throw new Error(`--traffic expects FUNCTION:ALIAS=RATE (invocations per second), got '${arg}'`);
  return { functionName: m[1], qualifier: m[2], rate: Number(m[3]) };
}
