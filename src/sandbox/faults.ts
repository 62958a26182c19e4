/**
 * Fault injection: make operation X fail on its Nth call (counted from when the fault is added),
 * of any function or of one.
 */
import { parseFunctionRef } from './validation';

/**
 * error: 500; throttle: 429; drop: the connection closes before any reply; truncate: the reply's
 * status, headers and half its body, then the connection closes (the operation took effect);
 * delay: held delayMs first; hook: runs code first.
 * publishOther (PublishVersion only): an endpoint that does not enforce PublishVersion's
 * CodeSha256 and RevisionId while another client's upload lands. $LATEST's code is first replaced
 * by other code (the current package plus a file `concurrent-upload.txt`, so it still runs), then
 * that is published whatever CodeSha256 and RevisionId the request gave; the reply is an ordinary
 * 201 with the other code's CodeSha256.
 * failUpdate (UpdateFunctionCode only): the update is accepted as usual (200, InProgress), then
 * ends with LastUpdateStatus Failed, as when Lambda cannot apply new code (for an image: cannot
 * pull it); nothing is published, even with Publish.
 */
export type FaultKind = 'error' | 'throttle' | 'drop' | 'truncate' | 'delay' | 'hook' | 'publishOther' | 'failUpdate';

const FAULT_KINDS: readonly FaultKind[] = ['error', 'throttle', 'drop', 'truncate', 'delay', 'hook', 'publishOther', 'failUpdate'];

export interface FaultSpec {
  /** Lambda or CloudWatch operation name, e.g. 'UpdateAlias', 'PublishVersion', 'GetMetricData'; '*' for any. */
  operation: string;
  /**
   * Only calls about this function count and fail: those whose FunctionName path parameter (a
   * name, an ARN or a partial ARN, with or without a qualifier) names it. Any function when absent.
   */
  functionName?: string;
  /** Which call fails: 1 = the next one (of that function's, with functionName). */
  nth?: number;
  /** How many consecutive calls fail from the nth on (default 1). */
  times?: number;
  kind: FaultKind;
  /** For 'delay': how long to hold the request before handling it. */
  delayMs?: number;
  /** For 'hook' (in-process only): runs before the request is handled, e.g. to change state as another client would. */
  hook?: () => void | Promise<void>;
}

interface ArmedFault extends FaultSpec {
  seen: number;
  fired: number;
}

export class FaultInjector {
  private faults: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    const nth = spec.nth ?? 1;
    if (!Number.isInteger(nth) || nth < 1) throw new Error(`fault nth must be a positive integer, got ${String(spec.nth)}`);
    if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`unknown fault kind ${String(spec.kind)}`);
    if (spec.kind === 'publishOther' && spec.operation !== 'PublishVersion') {
      throw new Error(`fault kind publishOther applies to PublishVersion only, got operation ${String(spec.operation)}`);
    }
    if (spec.kind === 'failUpdate' && spec.operation !== 'UpdateFunctionCode') {
      throw new Error(`fault kind failUpdate applies to UpdateFunctionCode only, got operation ${String(spec.operation)}`);
    }
    const functionName = spec.functionName === undefined ? undefined : faultFunctionName(spec.functionName);
    this.faults.push({ ...spec, functionName, nth, times: spec.times ?? 1, seen: 0, fired: 0 });
  }

  clear(): void {
    this.faults = [];
  }

  get pending(): number {
    return this.faults.length;
  }

  /**
   * Counts a call of `operation` (about `functionName`, the request's FunctionName path parameter
   * as given, when it has one) and returns the fault to apply to it, if any.
   */
  take(operation: string, functionName?: string): FaultSpec | undefined {
    let hit: ArmedFault | undefined;
    let name: string | null | undefined;
    for (const f of this.faults) {
      if (f.operation !== operation && f.operation !== '*') continue;
      if (f.functionName !== undefined) {
        // Parsed once per call, and only when a fault needs it; a name that does not parse
        // (the operation refuses it) is about no function.
        if (name === undefined) name = functionName === undefined ? null : nameOf(functionName);
        if (name !== f.functionName) continue;
      }
      f.seen++;
      if (!hit && f.seen >= f.nth! && f.fired < f.times!) {
        f.fired++;
        hit = f;
      }
    }
    this.faults = this.faults.filter((f) => f.fired < f.times!);
    return hit;
  }
}

/** The function a fault targets, as a plain name: a name or an ARN of one, without a qualifier. */
function faultFunctionName(given: unknown): string {
  let ref: ReturnType<typeof parseFunctionRef> | undefined;
  try {
    ref = parseFunctionRef(given);
  } catch {
    ref = undefined;
  }
  if (!ref || ref.qualifier !== undefined) {
    throw new Error(`fault functionName must name a function (a name or an ARN, without a version or alias), got ${typeof given === 'string' ? `'${given}'` : String(given)}`);
  }
  return ref.name;
}

function nameOf(functionName: string): string | null {
  try {
    return parseFunctionRef(functionName).name;
  } catch {
    return null;
  }
}

/**
 * Parses the CLI form OPERATION:NTH:KIND[:DELAYMS][@FUNCTION], e.g. `UpdateAlias:1:error` or
 * `UpdateAlias:2:error@orders` (the second UpdateAlias of the function orders).
 */
export function parseFaultArg(arg: string): FaultSpec {
  // A function name or ARN has no '@'; an ARN has ':', so the function is split off first.
  const at = arg.indexOf('@');
  const functionName = at < 0 ? undefined : arg.slice(at + 1);
  const [operation, nth, kind, delay] = (at < 0 ? arg : arg.slice(0, at)).split(':');
  if (!operation || !kind || functionName === '') throw new Error(`--fault expects OPERATION:NTH:KIND[:DELAYMS][@FUNCTION], got '${arg}'`);
  const spec: FaultSpec = { operation, nth: Number(nth || '1'), kind: kind as FaultKind, delayMs: delay ? Number(delay) : undefined };
  if (functionName !== undefined) spec.functionName = functionName;
  return spec;
}
