/**
 * A sandbox on its own thread, for the benchmarks that time round trips. AWS answers from
 * elsewhere: its work never waits on the extension host's event loop, nor the other way round.
 * A sandbox in the benchmark's own thread would share one event loop with the client, so every
 * request would also wait for whatever the client was doing when it arrived.
 *
 * The thread answers a few calls by message: seed, latency, settle, request counts, and a plain
 * HTTP server (no SDK, no sandbox) for the machine's own baseline.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { delay, seedMany, startSandbox } from '../src/sandbox';
import { currentThreadId } from './affinity';
import { requestCounter } from './requestLog';

export interface ThreadCall {
  id: number;
  op: 'seedMany' | 'setLatency' | 'settle' | 'counts' | 'resetCounts' | 'plainServer' | 'close';
  arg?: unknown;
}

export interface ThreadReply {
  id: number;
  result?: unknown;
  error?: string;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const { counts, log } = requestCounter();
  const sandbox = await startSandbox({ updateDelayMs: 0, ...(workerData as object), log });
  const servers: http.Server[] = [];

  const calls: Record<ThreadCall['op'], (arg: unknown) => unknown> = {
    seedMany: (n) => seedMany(sandbox.lambda, n as number, () => sandbox.settle()),
    setLatency: (ms) => sandbox.setLatency(ms as number),
    settle: () => sandbox.settle(),
    counts: () => Object.fromEntries(counts),
    resetCounts: () => counts.clear(),
    plainServer: async (arg) => {
      const { latencyMs, body } = arg as { latencyMs: number; body: Uint8Array };
      const server = http.createServer((req, res) => {
        // The sandbox's own delay, counted from arrival, and its framing (a Content-Length).
        const arrived = performance.now();
        req.resume();
        req.on('end', () => void delay(latencyMs, arrived).then(() => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.byteLength) }).end(body)));
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    },
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      await sandbox.close();
    },
  };

  port.on('message', (call: ThreadCall) => {
    void (async () => {
      try {
        port.postMessage({ id: call.id, result: await calls[call.op](call.arg) } satisfies ThreadReply);
      } catch (e) {
        port.postMessage({ id: call.id, error: e instanceof Error ? e.message : String(e) } satisfies ThreadReply);
      }
      if (call.op === 'close') port.close();
    })();
  });
  port.postMessage({ id: 0, result: { endpoint: sandbox.endpoint, region: sandbox.region, threadId: currentThreadId() } } satisfies ThreadReply);
}

void main();
