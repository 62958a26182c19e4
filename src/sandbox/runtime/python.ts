/**
 * The machine's python3, found once: the sandbox runs python3.x functions with it. Its real
 * executable is kept (not a shim such as pyenv's, which needs the host's variables to work), so
 * that the runtime starts with only the Lambda environment.
 */
import { spawnSync } from 'node:child_process';

export interface PythonFound {
  executable: string;
  /** major.minor, e.g. 3.11 */
  version: string;
}

let found: PythonFound | null | undefined;

export function findPython(): PythonFound | undefined {
  if (found === undefined) found = probe() ?? null;
  return found ?? undefined;
}

function probe(): PythonFound | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (r.status !== 0) return undefined;
    const [executable, version] = r.stdout.trim().split('\n');
    if (!executable || !/^3\.\d+$/.test(version ?? '')) return undefined;
    return { executable, version };
  } catch {
    return undefined;
  }
}
