import assert from 'node:assert/strict';
import { formatMarker } from '../../src/core/rollout/lease';
import { ROLLOUT_POST_MS, RolloutFeed } from '../../src/extension/panel/rolloutFeed';
import type { HostMessage } from '../../src/shared/protocol';
import type { RolloutView } from '../../src/shared/rollout';
import { sampleRollout } from './rolloutSample';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("traffic panel's rollout feed", () => {
  function feed(view: () => RolloutView | undefined = () => undefined) {
    const posted: HostMessage[] = [];
    const f = new RolloutFeed({ view, post: async (m) => (posted.push(m), true) });
    return { f, posted };
  }

  it('posts a burst of changes at most twice a second, the latest view last', async () => {
    let n = 0;
    const { f, posted } = feed(() => sampleRollout({ statusText: `tick ${n}` }));
    const started = Date.now();
    for (let i = 1; i <= 40; i++) {
      n = i;
      f.changed();
      await sleep(25);
    }
    await sleep(ROLLOUT_POST_MS + 50);
    const elapsed = Date.now() - started;
    f.stop();
    assert.ok(posted.length >= 2, `only ${posted.length} posts`);
    assert.ok(posted.length <= Math.ceil(elapsed / ROLLOUT_POST_MS) + 1, `${posted.length} posts in ${elapsed} ms`);
    const last = posted.at(-1) as Extract<HostMessage, { type: 'rollout' }>;
    assert.equal(last.rollout?.statusText, 'tick 40', 'the trailing post carries the latest view');
  });

  it('sends nothing after it stopped', async () => {
    const { f, posted } = feed(() => sampleRollout());
    await f.flush();
    f.changed();
    f.stop();
    await sleep(ROLLOUT_POST_MS + 50);
    assert.equal(posted.length, 1);
    assert.equal(await f.flush(), false);
  });

  it('shows the user text of a description, and the lease of a rollout driven elsewhere as its driver', async () => {
    const { f, posted } = feed();
    const lease = { rollout: 'ab12cd34', step: 1, steps: 4, holder: 'bob@ci-7', client: 'cli' as const, pid: 77, instance: 'ab12', since: Date.UTC(2026, 11, 1, 16, 40), until: Date.UTC(2026, 11, 1, 16, 42) };
    assert.equal(f.described(`checkout, main line ${formatMarker(lease)}`), 'checkout, main line');
    assert.equal(f.described(formatMarker(lease)), undefined, 'a description that is only the marker shows as none');
    assert.equal(f.described(undefined), undefined);
    assert.equal(f.described('[lambda-canary rollout not-a-lease]'), '[lambda-canary rollout not-a-lease]', 'text that is not a lease is the user\'s');
    await sleep(ROLLOUT_POST_MS + 50);
    f.described(formatMarker(lease));
    await f.flush();
    f.stop();
    const m = posted.at(-1) as Extract<HostMessage, { type: 'rollout' }>;
    assert.deepEqual(m, { type: 'rollout', rollout: null, lease: { holder: 'bob@ci-7 (CLI)', since: lease.since, until: lease.until, step: 1, steps: 4 } });
  });

  it("leaves the lease out when it is the shown rollout's own (its view has the driver)", async () => {
    const v = sampleRollout();
    const { f, posted } = feed(() => v);
    f.described(formatMarker({ rollout: v.id, step: 1, steps: 3, holder: 'alice@host', client: 'vscode', pid: 1, instance: 'aaaa', since: 1000, until: 400_000 }));
    await f.flush();
    f.stop();
    assert.deepEqual(posted.at(-1), { type: 'rollout', rollout: v });
  });
});
