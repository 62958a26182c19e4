/**
 * Resolves `ms` milliseconds after `from` (performance.now() time), to within a fraction of a
 * millisecond. setTimeout alone fires up to a millisecond late (libuv counts whole milliseconds
 * from the start of a loop turn), and a latency the sandbox injects into every request should
 * be the latency asked for, not that plus the timer's slack: the last stretch is waited out one
 * event-loop turn at a time, so other I/O still runs meanwhile.
 */
export function delay(ms: number, from = performance.now()): Promise<void> {
  const until = from + ms;
  return new Promise((resolve) => {
    const check = () => {
      const left = until - performance.now();
      if (left <= 0) resolve();
      else if (left > 2) setTimeout(check, left - 2);
      else setImmediate(check);
    };
    check();
  });
}
