/**
 * Per-version behaviour for demos and tests: a published version that fails a share of its
 * invocations, or runs slower, whoever invokes it (the traffic generator, an SDK client, a
 * canary's alias). It is what a bad release looks like from the outside.
 *
 * An injected failure happens instead of running the handler: the invocation answers as an
 * unhandled error would (200, `X-Amz-Function-Error: Unhandled`, Lambda's error document) and
 * counts in Invocations and Errors; the handler runs for the other invocations only. Added
 * latency is really waited (after the handler, or before an injected failure) and counts in
 * Duration, the function's timeout aside.
 */
import type { Random } from './random';
import { seededRandom } from './random';

export interface VersionBehaviourSpec {
  functionName: string;
  /** A published version number, e.g. '4' (not an alias, not $LATEST). */
  version: string;
  /** Share of invocations in [0, 1] that fail as an unhandled error. */
  errorRate?: number;
  /** Milliseconds added to each invocation's duration. */
  latencyMs?: number;
}

/** What one invocation of a version is to do beside running its handler. */
export interface InvocationPlan {
  fail: boolean;
  latencyMs: number;
}

/** The most latency that can be added: Lambda's longest timeout, 15 minutes. */
export const MAX_ADDED_LATENCY_MS = 900_000;

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const VERSION = /^[1-9][0-9]{0,9}$/;

/** A value as a message quotes it: NaN as NaN, not as JSON's null. */
function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

/** Checks a spec; the message names the field and what it takes. */
export function checkVersionBehaviour(spec: VersionBehaviourSpec): void {
  if (typeof spec.functionName !== 'string' || !FUNCTION_NAME.test(spec.functionName)) {
    throw new Error(`functionName must be a function name (1 to 64 letters, digits, - and _), got ${shown(spec.functionName)}`);
  }
  if (typeof spec.version !== 'string' || !VERSION.test(spec.version)) {
    throw new Error(`version must be a published version number such as 4 (not an alias or $LATEST), got ${shown(spec.version)}`);
  }
  if (spec.errorRate !== undefined && !(typeof spec.errorRate === 'number' && spec.errorRate >= 0 && spec.errorRate <= 1)) {
    throw new Error(`errorRate must be a share of invocations in [0, 1] (e.g. 0.08), got ${shown(spec.errorRate)}`);
  }
  if (spec.latencyMs !== undefined && !(typeof spec.latencyMs === 'number' && spec.latencyMs >= 0 && spec.latencyMs <= MAX_ADDED_LATENCY_MS)) {
    throw new Error(`latencyMs must be milliseconds in [0, ${MAX_ADDED_LATENCY_MS}], got ${shown(spec.latencyMs)}`);
  }
}

/** The per-version behaviours in force, and the draws that decide which invocations fail. */
export class VersionBehaviour {
  private readonly byVersion = new Map<string, { errorRate: number; latencyMs: number }>();
  private random: Random;

  /** With a seed, the failures are reproducible (a stream of their own: alias routing is unchanged). */
  constructor(seed?: number) {
    this.random = seed === undefined ? Math.random : seededRandom((seed ^ 0x5bd1e995) >>> 0);
  }

  /** Sets the fields given for a version (the others are kept); a rate and a latency of 0 remove it. */
  set(spec: VersionBehaviourSpec): void {
    checkVersionBehaviour(spec);
    const key = `${spec.functionName}:${spec.version}`;
    const now = this.byVersion.get(key) ?? { errorRate: 0, latencyMs: 0 };
    const next = { errorRate: spec.errorRate ?? now.errorRate, latencyMs: spec.latencyMs ?? now.latencyMs };
    if (next.errorRate === 0 && next.latencyMs === 0) this.byVersion.delete(key);
    else this.byVersion.set(key, next);
  }

  /** Removes one version's behaviour, or every one's. */
  clear(functionName?: string, version?: string): void {
    if (functionName === undefined) this.byVersion.clear();
    else this.byVersion.delete(`${functionName}:${version ?? ''}`);
  }

  list(): Array<Required<VersionBehaviourSpec>> {
    return [...this.byVersion.entries()].map(([key, b]) => {
      const at = key.lastIndexOf(':');
      return { functionName: key.slice(0, at), version: key.slice(at + 1), ...b };
    });
  }

  /** Replaces the failure draws' random source (tests). */
  setRandom(random: Random): void {
    this.random = random;
  }

  /** What this invocation of the version does; draws only for a version with an error rate. */
  plan(functionName: string, version: string): InvocationPlan {
    const b = this.byVersion.get(`${functionName}:${version}`);
    if (!b) return { fail: false, latencyMs: 0 };
    return { fail: b.errorRate > 0 && this.random() < b.errorRate, latencyMs: b.latencyMs };
  }
}

/** `FN:VERSION=RATE`, e.g. `checkout-api:4=0.08`. */
export function parseVersionErrorsArg(arg: string): VersionBehaviourSpec {
  const m = /^([^:=]+):([^:=]+)=(.*)$/.exec(arg);
  if (!m) throw new Error(`--version-errors expects FUNCTION:VERSION=RATE (e.g. checkout-api:4=0.08), got '${arg}'`);
  checkedArg('--version-errors', arg, { functionName: m[1], version: m[2] });
  const errorRate = /^\s*$/.test(m[3]) ? NaN : Number(m[3]);
  if (!(errorRate >= 0 && errorRate <= 1)) throw new Error(`--version-errors '${arg}': RATE must be a share of invocations from 0 to 1 (e.g. 0.08 for 8 %), got '${m[3]}'`);
  return { functionName: m[1], version: m[2], errorRate };
}

/** `FN:VERSION=+MS`, e.g. `checkout-api:4=+200` (the + and a trailing `ms` are optional). */
export function parseVersionLatencyArg(arg: string): VersionBehaviourSpec {
  const m = /^([^:=]+):([^:=]+)=(.*)$/.exec(arg);
  if (!m) throw new Error(`--version-latency expects FUNCTION:VERSION=+MS (e.g. checkout-api:4=+200), got '${arg}'`);
  checkedArg('--version-latency', arg, { functionName: m[1], version: m[2] });
  const text = m[3].replace(/^\+/, '').replace(/ms$/, '');
  const latencyMs = /^\s*$/.test(text) ? NaN : Number(text);
  if (!(latencyMs >= 0 && latencyMs <= MAX_ADDED_LATENCY_MS)) {
    throw new Error(`--version-latency '${arg}': MS must be milliseconds from 0 to ${MAX_ADDED_LATENCY_MS} (e.g. +200), got '${m[3]}'`);
  }
  return { functionName: m[1], version: m[2], latencyMs };
}

function checkedArg(option: string, arg: string, spec: VersionBehaviourSpec): void {
  try {
    checkVersionBehaviour(spec);
  } catch (e) {
    throw new Error(`${option} '${arg}': ${(e as Error).message}`, { cause: e });
  }
}

/** A metric lag: seconds, not negative, at most a day. */
export function checkMetricLag(seconds: unknown): number {
  if (!(typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 && seconds <= 86_400)) {
    throw new Error(`the metric lag must be seconds in [0, 86400] (e.g. 60), got ${shown(seconds)}`);
  }
  return seconds;
}

/** `--metric-lag S`. */
export function parseMetricLag(arg: string): number {
  const s = arg.trim() === '' ? NaN : Number(arg);
  if (!(Number.isFinite(s) && s >= 0 && s <= 86_400)) throw new Error(`--metric-lag expects seconds in [0, 86400] (e.g. 60), got '${arg}'`);
  return s;
}
