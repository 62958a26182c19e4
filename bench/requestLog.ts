/** Counts the requests a sandbox answers, by operation, from its request log. */
export function requestCounter(): { counts: Map<string, number>; log: (line: string) => void } {
  const counts = new Map<string, number>();
  return {
    counts,
    // The request log line is `METHOD /path OP → STATUS (N ms)`.
    log: (line) => {
      const m = /^\S+ \S+ (\S+) → /.exec(line);
      if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    },
  };
}
