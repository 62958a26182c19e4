/**
 * The operating-system side of execution environments: starting a function's runtime as a child
 * process with only the Lambda environment, and making sure nothing it started outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/**
 * A variable naming one execution environment, inherited by whatever its handler starts: a process
 * that left the runtime's process group and tree (a double fork, setsid) is still found by it.
 */
export const ENVIRONMENT_ID_VARIABLE = 'LAMBDA_CANARY_ENVIRONMENT_ID';
const environmentIds = new WeakMap<ChildProcess, string>();

export interface RuntimeProcessOptions {
  script: string;
  /** The code folder: the runtime's working directory, as /var/task on Lambda. */
  cwd: string;
  /** The complete environment of the runtime (nothing is inherited from the host). */
  env: Record<string, string>;
  memorySize: number;
}

/**
 * Removes the inspector flags (--inspect, --inspect-brk, --inspect-port, --inspect-wait, --debug*)
 * from a function's NODE_OPTIONS, which Lambda passes to its runtime: a debugger they start listens
 * for anyone who can reach it (--inspect=0.0.0.0:0: the whole network) and runs whatever code it
 * is sent. Other flags stay (--require of a file in the package is legitimate), in Node's own
 * syntax: space-separated, double quotes with backslash escapes.
 */
export function withoutInspectorFlags(nodeOptions: string): { value: string; removed: string[] } {
  const tokens: string[] = [];
  let current: string | undefined;
  let quoted = false;
  for (let i = 0; i < nodeOptions.length; i++) {
    let ch = nodeOptions[i];
    if (ch === '\\' && quoted && i + 1 < nodeOptions.length) ch = nodeOptions[++i];
    else if (ch === ' ' && !quoted) {
      if (current !== undefined) tokens.push(current);
      current = undefined;
      continue;
    } else if (ch === '"') {
      quoted = !quoted;
      continue;
    }
    current = (current ?? '') + ch;
  }
  if (current !== undefined) tokens.push(current);
  const kept: string[] = [];
  const removed: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    // Node reads `_` in an option's name as `-`.
    const name = tokens[i].split('=')[0].replaceAll('_', '-');
    if (!/^--(inspect|debug)(-|$)/.test(name)) {
      kept.push(tokens[i]);
      continue;
    }
    removed.push(tokens[i]);
    // The two that take their host:port as the next word.
    if ((name === '--inspect-port' || name === '--debug-port') && !tokens[i].includes('=') && i + 1 < tokens.length) removed.push(tokens[++i]);
  }
  const quote = (t: string) => (/[\s"\\]/.test(t) ? `"${t.replace(/[\\"]/g, (c) => `\\${c}`)}"` : t);
  return { value: removed.length ? kept.map(quote).join(' ') : nodeOptions, removed };
}

/** Children alive now, killed if the host exits while they run. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export function startRuntimeProcess(opts: RuntimeProcessOptions): ChildProcess {
  const id = crypto.randomBytes(12).toString('hex');
  const env: Record<string, string> = { ...opts.env, [ENVIRONMENT_ID_VARIABLE]: id };
  // In the desktop editor process.execPath is its Electron binary: this makes it plain Node.
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  // Windows' own libraries (crypto, DNS) need to find the system folder.
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  // Never the host's flags (an inspector port, --require hooks): only the heap limit. The whole
  // process's memory is watched inside the runtime (see worker.ts).
  const child = spawn(process.execPath, [`--max-old-space-size=${opts.memorySize}`, opts.script], {
    cwd: opts.cwd,
    env,
    // stdin closed, stdout/stderr read into the invocation log, fd 3 the runtime's channel.
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    // Its own process group, so that a kill takes whatever the handler started too.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  environmentIds.set(child, id);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    // However it ended (process.exit, a crash), nothing it started outlives it.
    killProcessTree(child);
  });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) killProcessTree(c);
    });
  }
  // The sandbox's own servers and timers decide when the host may exit, not its environments.
  child.unref();
  for (const s of child.stdio) (s as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

/** SIGKILLs a runtime, its process group, and every process below it that left the group. */
export function killProcessTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  // Read the tree before the kill: once the runtime is gone its children belong to init. A runtime
  // that already ended may still have left its process group behind.
  const below = child.exitCode === null && child.signalCode === null ? descendants(pid) : [];
  if (process.platform !== 'win32') {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // No such group (already gone).
    }
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
  for (const p of below) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // What escaped both (reparented to init before the tree was read): found by the variable it
  // inherited. Again until none is left, as one may have been forking while the last was read.
  const id = environmentIds.get(child);
  for (let round = 0; id !== undefined && round < 5; round++) {
    const found = carrying(`${ENVIRONMENT_ID_VARIABLE}=${id}`);
    if (!found.length) break;
    for (const p of found) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** Processes on Linux whose initial environment holds `entry` (a handler may drop it with `env -i`). */
function carrying(entry: string): number[] {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environ.split('\0').includes(entry)) out.push(Number(name));
  }
  return out;
}

/** Processes below `root` on Linux, from /proc (elsewhere only the process group is killed). */
export function descendants(root: number): number[] {
  if (process.platform !== 'linux') return [];
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Lambda's wording for how a runtime ended (Go's os.ProcessState: "exit status 2", "signal: killed"). */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_WORDS[signal] ?? signal.toLowerCase().replace(/^sig/, '')}`;
  return `exit status ${code ?? 'unknown'}`;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGQUIT: 'quit',
  SIGPIPE: 'broken pipe',
  SIGTRAP: 'trace/breakpoint trap',
};
