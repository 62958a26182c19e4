// Processes started with `detached: true` lead their own process group: stopping the group stops
// everything they spawned (code-server's extension hosts and watchers, the sandbox's workers).

/** Sends `signal` to the whole group; false when it is already gone. */
export function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, up to `graceMs` for the group to exit, then SIGKILL. */
export async function stopGroup(pid, { graceMs = 5000, pollMs = 100 } = {}) {
  if (!killGroup(pid, 'SIGTERM')) return;
  const t = Date.now();
  while (Date.now() - t < graceMs && groupAlive(pid)) await new Promise((r) => setTimeout(r, pollMs));
  killGroup(pid, 'SIGKILL');
}
