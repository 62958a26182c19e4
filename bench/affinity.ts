/**
 * Cores for the round-trip benchmarks. AWS answers from other machines; a sandbox thread that the
 * scheduler puts on the benchmark's own core takes turns with it instead: a request then waits
 * for the client's work after sending it (parsing the page before) to be timed as arriving, and
 * the client waits for the sandbox's write. So while these benchmarks run, the sandbox thread
 * keeps one core and the benchmark's thread the others (Linux, with util-linux's taskset; with
 * one core, or elsewhere, nothing is pinned and the placement says so).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

/** The kernel's id of the calling thread (Linux), for pinning it from another thread. */
export function currentThreadId(): number | undefined {
  try {
    return Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** The CPUs a thread may run on, e.g. [0, 1]; undefined where that cannot be read. */
export function cpusOf(tid: number): number[] | undefined {
  try {
    const out = execFileSync('taskset', ['-pc', String(tid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const list = /: *([\d,-]+)\s*$/.exec(out.trim())?.[1];
    if (!list) return undefined;
    return list.split(',').flatMap((part) => {
      const [a, b = a] = part.split('-').map(Number);
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
  } catch {
    return undefined;
  }
}

/** Pins one thread, or with `all` every thread of the process `tid` belongs to. */
function pin(tid: number, cpus: number[], all = false): boolean {
  try {
    execFileSync('taskset', [all ? '-apc' : '-pc', cpus.join(','), String(tid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Placement {
  /** e.g. "sandbox thread on CPU 1, benchmark on CPU 0", or why nothing was pinned. */
  description: string;
  /**
   * Gives every thread of the process its CPUs back: threads started meanwhile (libuv's pool,
   * say) inherited the benchmark thread's narrower set.
   */
  restore(): void;
}

/** Puts the sandbox thread `sandboxTid` on the last of this thread's CPUs and this thread on the rest. */
export function placeApart(sandboxTid: number | undefined): Placement {
  const self = currentThreadId();
  const cpus = self === undefined ? undefined : cpusOf(self);
  const none = (why: string): Placement => ({ description: `not pinned (${why})`, restore: () => undefined });
  if (sandboxTid === undefined) return none('the sandbox thread did not say which it is');
  if (self === undefined || !cpus) return none('no taskset or /proc here');
  if (cpus.length < 2) return none('one CPU');
  const sandboxCpu = cpus[cpus.length - 1];
  const clientCpus = cpus.slice(0, -1);
  if (!pin(sandboxTid, [sandboxCpu])) return none('taskset refused');
  if (!pin(self, clientCpus)) {
    pin(sandboxTid, cpus);
    return none('taskset refused');
  }
  return {
    description: `sandbox thread on CPU ${sandboxCpu}, benchmark on CPU ${clientCpus.join(',')}`,
    restore: () => void pin(process.pid, cpus, true),
  };
}
