import assert from 'node:assert/strict';
import { formatDateTime, formatPercent, setLocale } from '../../src/extension/locale';
import { aliasSpoken, spokenSplit, spokenWords, versionSpoken } from '../../src/extension/treeText';

describe('what a screen reader says of the tree (treeText) and the locale formats (locale)', () => {
  afterEach(() => setLocale('en'));

  it('reads a split as words: "prod: version 7 at 90 percent, version 8 at 10 percent"', () => {
    const prod = { Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } };
    assert.equal(spokenSplit(prod), 'prod: version 7 at 90 percent, version 8 at 10 percent');
    assert.equal(aliasSpoken(prod, 'canary'), 'prod: version 7 at 90 percent, version 8 at 10 percent, canary');
    assert.equal(spokenSplit({ Name: 'staging', FunctionVersion: '3' }), 'staging: version 3');
    assert.equal(spokenSplit({ Name: 'prod', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.055 } } }), 'prod: version 7 at 94.5 percent, version 8 at 5.5 percent');
  });

  it('spells arrows, dots, percent signs and check marks as words, and drops theme icons', () => {
    assert.equal(spokenWords('prod → 7 (75%) · 8 (25%) · step 2/4 · paused'), 'prod to 7 (75 percent), 8 (25 percent), step 2/4, paused');
    assert.equal(spokenWords('✓ through prod'), 'passes: through prod');
    assert.equal(spokenWords('⚠ bypasses — $LATEST'), 'warning: bypasses, $LATEST');
    assert.equal(spokenWords('$(sync~spin) 1 rollout'), '1 rollout');
    for (const s of ['→', '←', '·', '✓', '⚠', '—']) assert.ok(!spokenWords(`a ${s} b`).includes(s), s);
    assert.ok(!spokenWords('5% and 7.5 %').includes('%'));
  });

  it('reads a version with who serves it, and $LATEST as the unpublished code', () => {
    const v = { Version: '8', Description: 'Fix the checkout', CodeSha256: Buffer.from('1a2b3c4d5e', 'hex').toString('base64') };
    assert.equal(versionSpoken(v, [{ alias: 'prod', weight: 0.1 }, { alias: 'staging' }]), 'version 8, Fix the checkout, sha 1a2b3c4d, served by prod at 10 percent, staging');
    assert.match(versionSpoken({ Version: '$LATEST', State: 'Active', CodeSha256: '' }, []), /^latest unpublished code, Active/);
  });

  it('formats percentages and dates in the locale, never rounding a share to 0 or 100', () => {
    assert.equal(formatPercent(0.055), '5.5%');
    assert.equal(formatPercent(0.999999), '99.9999%');
    assert.equal(formatPercent(0.00004), '0.004%');
    setLocale('de');
    assert.equal(formatPercent(0.055).replace(/\s/g, ' '), '5,5 %');
    assert.match(formatDateTime(Date.UTC(2026, 11, 1, 16, 40)), /^01\.12\.2026, 16:40 UTC$/);
    setLocale('not a locale!');
    assert.match(formatDateTime('2026-12-01T16:40:00.000+0000'), /^12\/01\/2026, 04:40\sPM UTC$/);
    assert.equal(formatDateTime('soon'), '?');
  });
});
