/**
 * Resolves `ms` milliseconds after `from` (performance.now() time), to within a fraction of a
 * millisecond. setTimeout alone fires up to a millisecond late (libuv counts whole milliseconds
 * from the start of a loop turn), and a latency the sandbox injects into every request should
 * be the latency asked for, not that plus the timer's slack: the last two milliseconds are
 * waited out one event-loop turn at a time (busy, but other I/O still runs meanwhile). Only
 * the sandbox's --latency (tests, benchmarks) uses it; the server counts from a request's
 * arrival, so the time its body takes to upload is part of the latency.
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
