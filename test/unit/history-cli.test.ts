import assert from 'node:assert/strict';
import { parseWhen } from '../../src/cli/history';

describe('history CLI: --since and --until', () => {
  it('a date alone is local midnight, as a date and time without a zone is local', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      assert.equal(parseWhen('2026-03-08', 0)?.getTime(), new Date(2026, 2, 8).getTime());
      assert.equal(parseWhen('2026-03-08T00:00', 0)?.getTime(), new Date(2026, 2, 8).getTime());
      assert.equal(parseWhen('2026-02-30', 0), undefined);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});
