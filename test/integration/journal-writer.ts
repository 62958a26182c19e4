/**
 * A separate process appending to a journal, for the concurrency test: `node journal-writer.js
 * DIR PREFIX COUNT`. It says "ready" on stdout, waits for a line on stdin, then appends COUNT
 * switch outcomes one after another and exits.
 */
import { Journal } from '../../src/core/journal';
import type { Outcome } from '../../src/core/outcome';

async function main(): Promise<void> {
  const [dir, prefix, count] = process.argv.slice(2);
  const journal = new Journal(dir, { client: { kind: 'cli', version: 'test' } });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
  for (let i = 0; i < Number(count); i++) {
    const now = new Date().toISOString();
    const outcome: Outcome = {
      id: `${prefix}-${i}`,
      action: 'switch',
      target: { account: '123456789012', region: 'us-east-1', function: 'checkout', alias: 'prod' },
      startedAt: now,
      endedAt: now,
      before: { version: String(i), weights: {} },
      after: { version: String(i + 1), weights: {} },
      versionsPublished: [],
      steps: [{ name: 'UpdateAlias prod', ms: 1, result: 'ok' }],
      state: 'done',
      warnings: [],
      detail: { writer: prefix, padding: 'x'.repeat(i % 7 === 0 ? 6000 : 100) },
    };
    await journal.append(outcome, { connection: { kind: 'sandbox', label: 'Local sandbox' } });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
