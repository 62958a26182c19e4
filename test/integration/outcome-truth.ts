/**
 * What the fault matrix, the races and the bad inputs check of every Outcome a use case returns:
 * that it tells the truth about what AWS holds afterwards, read back through the SDK.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AliasConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { Capabilities, WaiterTiming } from '../../src/core/connection';
import { Journal } from '../../src/core/journal';
import { MemoryLogger } from '../../src/core/log';
import type { Outcome } from '../../src/core/outcome';
import { outcomeText } from '../../src/core/outcomeText';
import type { JournalPort, UseCaseContext } from '../../src/core/usecases';

/** A deployment journal in a fresh temporary folder (the real file journal, without fsync), and the port use cases write to. */
export function tempJournal(prefix: string): { journal: Journal; port: JournalPort; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lc-${prefix}-journal-`));
  const journal = new Journal(dir, { client: { kind: 'cli', version: 'test' }, fsync: false });
  return {
    journal,
    port: { append: (o) => journal.append(o, { connection: { kind: 'sandbox', label: 'sandbox' } }), lastSwitch: (key) => journal.lastSwitch(key) },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A use-case context over these clients, with waiters as fast as the sandbox allows. */
export function useCaseContext(
  clients: Pick<UseCaseContext, 'lambda' | 'cloudwatch'> & { capabilities: Capabilities },
  options: { waiters: WaiterTiming; journal?: JournalPort; smokeTimeoutMs?: number; log?: MemoryLogger },
): UseCaseContext {
  return {
    lambda: clients.lambda,
    cloudwatch: clients.cloudwatch,
    capabilities: { ...clients.capabilities, waiters: options.waiters },
    log: options.log ?? new MemoryLogger(),
    journal: options.journal,
    smokeTimeoutMs: options.smokeTimeoutMs,
  };
}

const routing = (a: AliasConfiguration) => ({ version: a.FunctionVersion, weights: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) } });

export interface Truth {
  /** The alias as read back after the use case (and after any held request landed). */
  now: AliasConfiguration;
  /** The alias as it was when the case started. */
  before: AliasConfiguration;
  /** The routing the action intends is in place now. */
  intended: boolean;
  /** The versions that really appeared while it ran (from ListVersionsByFunction), oldest first. */
  published: FunctionConfiguration[];
  /**
   * Another client wrote the alias meanwhile (a race, a blind write): 'unchanged' then means this
   * action wrote nothing, not that the alias still routes as before, and `before` may be the
   * alias as they left it, or carry their RevisionId.
   */
  othersWrote?: boolean;
}

/**
 * The Outcome's own claims against what is there: `done` exactly when the intended routing is in
 * place (and was not before: a request for the routing the alias already has is `unchanged`
 * without an error); `unchanged` when it is not and the alias routes as before; `unknown` when
 * and only when the error is of kind unknown (either routing may then be in place); `after` is
 * the alias as read back, `before` the alias as it was; `versionsPublished` what was really
 * published; the rendered text carries the error and what it left.
 */
export function assertOutcomeTruth(o: Outcome, t: Truth): void {
  const said = `the outcome (${o.state}${o.error ? `, ${o.error.kind}: ${o.error.message}` : ''})`;
  assert.ok(['done', 'unchanged', 'unknown'].includes(o.state), `state ${o.state}`);
  assert.equal(o.state === 'unknown', o.error?.kind === 'unknown', `${said}: unknown exactly when the error kind is unknown`);
  if (o.state === 'unknown') {
    // It says it does not know whether its write landed: either routing may be there.
    assert.ok(o.error?.left, `${said} says what may have happened and how to tell`);
  } else if (t.intended) {
    assert.equal(o.error, undefined, `the intended routing is in place, yet ${said} reports an error`);
    // Asked for the routing the alias already had (a weight it already runs at): nothing to do.
    const noop = isDeepStrictEqual(routing(t.now), routing(t.before));
    assert.equal(o.state, noop ? 'unchanged' : 'done', `the intended routing is in place${noop ? ' and was before' : ''}, yet ${said}`);
  } else {
    assert.notEqual(o.state, 'done', `the intended routing is not in place, yet ${said}`);
    assert.ok(o.error, `${said} is not done and must say why`);
    if (o.state === 'unchanged' && !t.othersWrote) assert.deepEqual(routing(t.now), routing(t.before), `${said} says unchanged, but the alias moved`);
  }
  if (o.after) {
    assert.deepEqual({ version: o.after.version, weights: o.after.weights }, routing(t.now), `${said}: after is the alias as read back`);
    assert.equal(o.after.revisionId, t.now.RevisionId, `${said}: after carries the alias's RevisionId`);
  }
  if (o.before) {
    const read = { version: o.before.version, weights: o.before.weights };
    if (t.othersWrote && isDeepStrictEqual(read, routing(t.now))) {
      // It read the alias after the other client's write.
    } else {
      assert.deepEqual(read, routing(t.before), `${said}: before is the alias as it was`);
      if (!t.othersWrote) assert.equal(o.before.revisionId, t.before.RevisionId, `${said}: before carries the RevisionId it was read with`);
    }
  }
  assert.deepEqual(
    o.versionsPublished.map((v) => ({ version: v.version, codeSha256: v.codeSha256 })),
    t.published.map((v) => ({ version: v.Version, codeSha256: v.CodeSha256 })),
    `${said}: versionsPublished lists what ListVersionsByFunction shows was published`,
  );
  if (o.error) {
    const text = outcomeText(o);
    assert.ok(text.includes(o.error.message), `the rendered text carries the error: ${text}`);
    if (o.error.left) assert.ok(text.includes(o.error.left), `the rendered text says what was left: ${text}`);
  }
}
